/* SPDX-License-Identifier: Apache-2.0 */
/*
 * l0_registry.c - the table of L0 variants.
 */
#include <string.h>

#include "model/l0/l0.h"

extern const struct l0_variant l0_plain;
extern const struct l0_variant l0_kvm_2008;
extern const struct l0_variant l0_kvm_2011;
extern const struct l0_variant l0_kvm_modern;

static const struct l0_variant *const variants[] = {
	&l0_plain,
	&l0_kvm_2008,
	&l0_kvm_2011,
	&l0_kvm_modern,
};

#define NVARIANTS ((int)(sizeof(variants) / sizeof(variants[0])))

const struct l0_variant *l0_lookup(const char *name)
{
	for (int i = 0; i < NVARIANTS; i++)
		if (!strcmp(variants[i]->name, name))
			return variants[i];
	return NULL;
}

int l0_variant_count(void) { return NVARIANTS; }

const struct l0_variant *l0_variant_at(int i)
{
	return i >= 0 && i < NVARIANTS ? variants[i] : NULL;
}

bool l0_has_switch(const struct l0_variant *v, const char *name)
{
	for (const struct l0_switch_desc *s = v->switches; s && s->name; s++)
		if (!strcmp(s->name, name))
			return true;
	return false;
}
