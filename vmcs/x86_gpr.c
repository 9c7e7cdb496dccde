/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x86_gpr.c - register names, generated from x86_gprs.def.
 */
#include "vmcs/x86_gpr.h"

#include <string.h>

static const struct {
	const char *name;
	bool modelled;
} gprs[X86_NGPR] = {
#define X86_GPR(num, name, modelled) [num] = {#name, modelled},
#include "vmcs/x86_gprs.def"
#undef X86_GPR
};

const char *x86_gpr_name(uint32_t reg)
{
	return reg < X86_NGPR ? gprs[reg].name : NULL;
}

int x86_gpr_lookup(const char *name, size_t len)
{
	for (int i = 0; i < X86_NGPR; i++)
		if (strlen(gprs[i].name) == len && !memcmp(gprs[i].name, name, len))
			return i;
	return -1;
}

bool x86_gpr_modelled(uint32_t reg)
{
	return reg < X86_NGPR && gprs[reg].modelled;
}
