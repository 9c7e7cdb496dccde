/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x86_mcg.h - IA32_MCG_STATUS (MSR 17AH; SDM Vol. 3B "Machine-Check
 * Architecture"): the processor's, and the one a hypervisor emulates for
 * its guest.
 */
#ifndef VMXSIM_X86_MCG_H
#define VMXSIM_X86_MCG_H

#include <stdint.h>

#define MCG_STATUS_RIPV (1ull << 0)   /* restart IP valid: the program can resume at the pushed RIP */
#define MCG_STATUS_EIPV (1ull << 1)   /* error IP valid: the pushed RIP is where the error happened */
#define MCG_STATUS_MCIP (1ull << 2)   /* machine check in progress: a second one shuts the processor down */
#define MCG_STATUS_RESERVED (~(uint64_t)(MCG_STATUS_RIPV | MCG_STATUS_EIPV | MCG_STATUS_MCIP))

#endif
