/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmcs_field.c - the field table, generated from vmcs_fields.def.
 */
#include "vmcs/vmcs_field.h"

#include <stddef.h>

#define RW false
#define RO true
#define W16 VMCS_WIDTH_16
#define W32 VMCS_WIDTH_32
#define W64 VMCS_WIDTH_64
#define WNAT VMCS_WIDTH_NAT

static const struct vmcs_field_info field_table[VMCS_FIELD_COUNT] = {
#define VMCS_FIELD(name, enc, width, access, summary) {enc, #name, W##width, access, summary},
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
	/* The table is in encoding order; a linear scan over ~45 rows is fine. */
	for (int i = 0; i < VMCS_FIELD_COUNT; i++)
		if (field_table[i].encoding == encoding)
			return i;
	return -1;
}

const char *vmcs_field_name(uint32_t encoding)
{
	int i = vmcs_field_lookup(encoding);
	return i < 0 ? NULL : field_table[i].name;
}
