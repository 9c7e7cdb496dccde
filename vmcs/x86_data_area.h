/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x86_data_area.h - the data area: the one range of linear addresses at
 * which programs read and write data (`load`, `store`, `mov-ss ADDR`).
 *
 * Every other memory access the model makes - IDT gates, the frames that
 * delivery pushes and IRET pops, the VMCS and the pages it points to -
 * goes to a structure the model keeps whole, without a linear address.
 * The data area is apart from all of them, so a data breakpoint inside it
 * sees every access there is (model/hw/breakpoint.c), and one outside it
 * would have to be compared with accesses that have no address: those are
 * refused (vmcs/x86_debugreg.h dr7_not_modelled). Each program has a data
 * area of its own, as it has its own address space, zero at the start.
 */
#ifndef VMXSIM_X86_DATA_AREA_H
#define VMXSIM_X86_DATA_AREA_H

#include <stdbool.h>
#include <stdint.h>

#define VMX_DATA_BASE 0x40000000u   /* 1 GiB: far above any program's text (from 0x1000) and the VMX regions */
#define VMX_DATA_SIZE 64u           /* bytes: eight quadwords */

/* The access of `size` bytes at `addr` lies wholly inside the data area. */
static inline bool vmx_data_area_holds(uint64_t addr, uint64_t size)
{
	return addr >= VMX_DATA_BASE && size <= VMX_DATA_SIZE && addr - VMX_DATA_BASE <= VMX_DATA_SIZE - size;
}

#endif
