/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmcs_field.c - the field table, generated from vmcs_fields.def, and which
 * fields a CPU model has (vmcs_field_needs.def).
 */
#include "vmcs/vmcs_field.h"

#include <stddef.h>

#include "vmcs/cpu_model.h"

#define M true
#define NM false

static const struct vmcs_need_info need_table[VMCS_NEED_COUNT] = {
#define VMCS_NEED(tag, features, modelled, summary) {#tag, features, modelled, summary},
#include "vmcs/vmcs_field_needs.def"
#undef VMCS_NEED
};

#define RW false
#define RO true
#define W16 VMCS_WIDTH_16
#define W32 VMCS_WIDTH_32
#define W64 VMCS_WIDTH_64
#define WNAT VMCS_WIDTH_NAT
#define EV true
#define NZ false

static const struct vmcs_field_info field_table[VMCS_FIELD_COUNT] = {
#define VMCS_FIELD(name, enc, width, access, need, dump, summary) \
	{enc, #name, W##width, access, VMCS_NEED_##need, dump, summary},
#include "vmcs/vmcs_fields.def"
#undef VMCS_FIELD
};

const struct vmcs_field_info *vmcs_field_info(int idx)
{
	if (idx < 0 || idx >= VMCS_FIELD_COUNT)
		return NULL;
	return &field_table[idx];
}

int vmcs_field_lookup(uint32_t encoding)
{
	/* The rows are in encoding order (a unit test holds the .def to it). */
	int lo = 0, hi = VMCS_FIELD_COUNT - 1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;

		if (field_table[mid].encoding == encoding)
			return mid;
		if (field_table[mid].encoding < encoding)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

const char *vmcs_field_name(uint32_t encoding)
{
	int i = vmcs_field_lookup(encoding);
	return i < 0 ? NULL : field_table[i].name;
}

const struct vmcs_need_info *vmcs_need_info(enum vmcs_need need)
{
	return (unsigned)need < VMCS_NEED_COUNT ? &need_table[need] : NULL;
}

bool vmcs_field_supported(const struct cpu_model *m, int idx)
{
	const struct vmcs_need_info *n;

	if (idx < 0 || idx >= VMCS_FIELD_COUNT)
		return false;
	n = &need_table[field_table[idx].need];
	return n->modelled && (m->features & n->features) == n->features;
}
