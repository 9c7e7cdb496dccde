/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x86_msr.h - the MSRs the model knows by name (x86_msrs.def): their
 * numbers, names and whether programs may read or write them.
 */
#ifndef VMXSIM_X86_MSR_H
#define VMXSIM_X86_MSR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum x86_msr {
#define X86_MSR(name, number, access, summary) MSR_##name = number,
#include "vmcs/x86_msrs.def"
#undef X86_MSR
};

#define X86_MSR_READ 0x1u
#define X86_MSR_WRITE 0x2u

/* The number of a known MSR by name ("IA32_X2APIC_EOI"), or -1. */
int64_t x86_msr_by_name(const char *name);

/* The name of a known MSR; NULL for any other. */
const char *x86_msr_name(uint32_t msr);

/* X86_MSR_READ / X86_MSR_WRITE: what programs may do with it (0: unknown MSR). */
uint32_t x86_msr_access(uint32_t msr);

/*
 * The names of the known MSRs that allow `access` (X86_MSR_READ and/or
 * X86_MSR_WRITE), comma-separated, for messages; truncated to n bytes.
 */
void x86_msr_names(uint32_t access, char *buf, size_t n);

/* Is the MSR one of the VMX capability MSRs (0x480-0x491)? */
static inline bool x86_msr_is_vmx_cap(uint32_t msr)
{
	return msr >= 0x480u && msr <= 0x491u;
}

/* Is it an x2APIC register (0x800-0x8ff)? */
static inline bool x86_msr_is_x2apic(uint32_t msr)
{
	return msr >= 0x800u && msr <= 0x8ffu;
}

#ifdef __cplusplus
}
#endif
#endif
