/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scn_vmx.c - VMX regions in guest blocks: the `vmcs-region` line of an
 * L1 block, and the operand of the VMX instructions that name a region
 * (vmxon, vmclear, vmptrld).
 *
 *   vmcs-region NAME [for L2 | empty] [revision=N]
 *   vmptrld NAME | REG | ADDRESS
 *
 * Every L1 block has two regions without declaring them: `vmxon`, its
 * VMXON region, and `vmcs0`, the VMCS the machine sets up for L2. Names
 * are local to the block and may be used before their line; they are
 * resolved when the block closes (scn_guest.c).
 */
#include <string.h>

#include "front/scn_internal.h"
#include "vmcs/x86_gpr.h"

static const char *const reserved[SCN_REGION_DECLARED] = {
	[SCN_REGION_VMXON] = "vmxon",
	[SCN_REGION_VMCS0] = "vmcs0",
};

bool scn_region_index(const struct scn_guest *g, const char *name, uint32_t *idx)
{
	for (uint32_t i = 0; i < SCN_REGION_DECLARED; i++) {
		if (!strcmp(name, reserved[i])) {
			*idx = i;
			return true;
		}
	}
	for (size_t i = 0; i < g->nregions; i++) {
		if (!strcmp(name, g->regions[i].name)) {
			*idx = SCN_REGION_DECLARED + (uint32_t)i;
			return true;
		}
	}
	return false;
}

/* revision=N: the first 32 bits of the region (bit 31 is the shadow-VMCS indicator). */
static bool parse_revision(struct parser *p, struct scn_vmcs_region *r)
{
	uint64_t v = 0;

	scn_next(p);
	if (scn_peek(p)->kind != TK_EQ)
		return scn_expected(p, "'=' and a revision identifier");
	scn_next(p);
	if (!scn_parse_uint(p, NUM_HEX, 0, UINT32_MAX, "a revision identifier 0-0xffffffff", &v))
		return false;
	r->has_revision = true;
	r->revision = (uint32_t)v;
	return true;
}

bool scn_st_vmcs_region(struct parser *p, struct scn_guest *g)
{
	const struct tok *kw = scn_next(p), *t = scn_peek(p);
	struct scn_vmcs_region r;
	uint32_t idx;
	int reg;

	memset(&r, 0, sizeof(r));
	if (g->level != SCN_L1)
		return scn_fail_col(p, kw->col, "'vmcs-region' belongs in a 'guest L1' block: the regions are the "
		                                "L1 hypervisor's memory");
	if (t->kind != TK_WORD)
		return scn_expected(p, "a region name");
	r.loc = scn_tok_loc(p, t);
	if (scn_word_is_reg(t, &reg))
		return scn_fail_col(p, t->col, "'%.*s' is a register: a region needs another name", (int)t->len, t->s);
	if (!(r.name = scn_tok_strdup(p, t)))
		return false;
	if (scn_region_index(g, r.name, &idx)) {
		if (idx < SCN_REGION_DECLARED)
			return scn_fail_col(p, t->col, "'%s' is always there: the block's %s", r.name,
			                    idx == SCN_REGION_VMXON ? "VMXON region" : "VMCS for L2 (current at the start)");
		return scn_fail_col(p, t->col, "region '%s' is already declared at line %u", r.name,
		                    (unsigned)g->regions[idx - SCN_REGION_DECLARED].loc.line);
	}
	scn_next(p);
	t = scn_peek(p);
	if (scn_tok_is(t, "for")) {
		enum scn_level lv;

		scn_next(p);
		t = scn_peek(p);
		if (!scn_word_is_level(t, &lv) || lv != SCN_L2)
			return scn_expected(p, "L2 (the guest a VMCS of this block can run)");
		scn_next(p);
	} else if (scn_tok_is(t, "empty")) {
		r.empty = true;
		scn_next(p);
	}
	if (scn_tok_is(scn_peek(p), "revision") && !parse_revision(p, &r))
		return false;
	if (scn_peek(p)->kind != TK_EOL)
		return scn_expected(p, r.has_revision ? "the end of the line"
		                                      : "'for L2', 'empty', 'revision=N' or the end of the line");
	if (!scn_grow(p, (void **)&g->regions, &p->cap_regions, g->nregions, sizeof(r), SCN_MAX_REGIONS,
	              "vmcs-region lines in this block"))
		return false;
	g->regions[g->nregions++] = r;
	return true;
}

bool scn_parse_region_operand(struct parser *p, struct scn_insn *in, bool optional)
{
	const struct tok *t = scn_peek(p);
	int reg;

	if (optional && t->kind == TK_EOL) {
		in->region = reserved[SCN_REGION_VMXON];
		in->region_idx = SCN_REGION_VMXON;
		return true;
	}
	if (scn_word_is_reg(t, &reg))
		return scn_parse_reg(p, &in->src);
	if (t->kind == TK_NUM)
		return scn_parse_uint(p, NUM_HEX, 0, UINT64_MAX, "a physical address", &in->value);
	if (t->kind != TK_WORD)
		return scn_expected(p, "a region (vmxon, vmcs0 or one of 'vmcs-region'), a register or an address");
	if (!(in->region = scn_tok_strdup(p, t)))
		return false;
	scn_next(p);
	return true;   /* resolved when the block closes */
}
