/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x86_msr.c - lookups in the table of known MSRs (x86_msrs.def).
 */
#include "vmcs/x86_msr.h"

#include <stddef.h>
#include <string.h>

#define R X86_MSR_READ
#define W X86_MSR_WRITE
#define RW (X86_MSR_READ | X86_MSR_WRITE)

static const struct {
	const char *name;
	uint32_t msr;
	uint32_t access;
} msrs[] = {
#define X86_MSR(name, number, access, summary) {#name, number, access},
#include "vmcs/x86_msrs.def"
#undef X86_MSR
};

#undef R
#undef W
#undef RW

#define NMSRS (sizeof msrs / sizeof msrs[0])

int64_t x86_msr_by_name(const char *name)
{
	for (size_t i = 0; i < NMSRS; i++)
		if (!strcmp(msrs[i].name, name))
			return msrs[i].msr;
	return -1;
}

const char *x86_msr_name(uint32_t msr)
{
	for (size_t i = 0; i < NMSRS; i++)
		if (msrs[i].msr == msr)
			return msrs[i].name;
	return NULL;
}

uint32_t x86_msr_access(uint32_t msr)
{
	for (size_t i = 0; i < NMSRS; i++)
		if (msrs[i].msr == msr)
			return msrs[i].access;
	return 0;
}

/* Runs of registers named as one item in messages: their first and last. */
static const struct {
	uint32_t first, last;
	const char *name;
} runs[] = {
	{MSR_IA32_X2APIC_ISR0, MSR_IA32_X2APIC_ISR7, "IA32_X2APIC_ISR0 to IA32_X2APIC_ISR7"},
	{MSR_IA32_X2APIC_IRR0, MSR_IA32_X2APIC_IRR7, "IA32_X2APIC_IRR0 to IA32_X2APIC_IRR7"},
	{MSR_IA32_MC0_CTL2, MSR_IA32_MC31_CTL2, "IA32_MC0_CTL2 to IA32_MC31_CTL2"},
	{MSR_IA32_MC0_CTL, MSR_IA32_MC31_MISC, "IA32_MC0_CTL to IA32_MC31_MISC"},
};

void x86_msr_names(uint32_t access, char *buf, size_t n)
{
	size_t len = 0;

	if (n == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < NMSRS; i++) {
		const char *name = msrs[i].name;
		bool inside = false;
		size_t k;

		for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++)
			if (msrs[i].msr >= runs[r].first && msrs[i].msr <= runs[r].last) {
				inside = msrs[i].msr != runs[r].first;
				name = runs[r].name;
			}
		if ((msrs[i].access & access) != access || inside)
			continue;
		k = strlen(name);
		if (len + k + 3 > n)
			break;
		if (len) {
			memcpy(buf + len, ", ", 2);
			len += 2;
		}
		memcpy(buf + len, name, k + 1);
		len += k;
	}
}
