/* SPDX-License-Identifier: Apache-2.0 */
/*
 * map.c - case.map: how the comparer puts a Bochs RIP and a vmxsim RIP in
 * the same words, LABEL+OFFSET, where LABEL is the scenario's label at or
 * before the instruction and OFFSET the bytes from it in vmxsim's layout.
 * The file describes itself in its header.
 */
#include <inttypes.h>

#include "oracle/scn2asm/scn2asm_internal.h"

/* The label nearest at or before instruction i (the first written, of several at one place), or NULL. */
static const struct scn_label *anchor(const struct scn_guest *g, uint32_t i)
{
	const struct scn_label *best = NULL;

	for (size_t k = 0; k < g->nlabels; k++) {
		const struct scn_label *l = &g->labels[k];
		if (l->insn <= i && (!best || l->insn > best->insn))
			best = l;
	}
	return best;
}

static void program(const struct s2a *c, FILE *out, int p)
{
	const struct s2a_prog *pr = &c->p[p];

	fprintf(out, "prog %d 0x%" PRIx64 " 0x%" PRIx64 "\n", p, pr->base, pr->end);
	for (uint32_t i = 0; i < pr->count; i++) {
		const struct vmx_insn *in = &pr->insn[i];
		const struct scn_label *l = anchor(pr->g, i);
		uint64_t from = l ? pr->insn[l->insn].addr : pr->base;

		fprintf(out, "insn %d %u 0x%" PRIx64 " %u %s %" PRIu64 " %s\n", p, i, in->addr, in->len, l ? l->name : "-",
		        in->addr - from, in->op == VMX_OP_WORK ? "work" : scn_op_name(pr->g->insns[i].op));
	}
}

bool s2a_emit_map(const struct s2a *c, FILE *out)
{
	char sym[32];

	fprintf(out, "# vmxsim-scn2asm map of %s\n", c->s->file);
	fprintf(out, "#\n"
	             "# prog P BASE END: program P (1: the guest L1 block, 2: the guest L2 block) in its own vmxsim\n"
	             "#   address space, BASE to END (exclusive); label vx_pP_end of case.asm is END.\n"
	             "# insn P I ADDR LEN LABEL OFFSET KIND: instruction I of program P at vmxsim ADDR, LEN bytes;\n"
	             "#   ADDR is LABEL+OFFSET (LABEL '-': no label before it, OFFSET from BASE); KIND is the\n"
	             "#   scenario's mnemonic, or 'work' for a work block of LEN one-byte instructions.\n"
	             "# In case.asm vx_pP_iI starts the instruction's code and vx_pP_xI is its effective x86\n"
	             "#   instruction: both stand for ADDR. vx_pP_eI follows the effective instruction and stands\n"
	             "#   for ADDR+LEN. A work block has one triple: vx_pP_xI+K is ADDR+K (K < LEN), one NOP each.\n"
	             "#   Any other address inside an instruction's code is set-up or restore code of the case.\n"
	             "# region N ADDR SYMBOL: VMX region N of L1 (VMX_REGION_ADDR) and the payload's page for it.\n"
	             "# page FIELD ADDR SYMBOL: a VMCS address field's vmxsim value and the case's page for it.\n");
	fprintf(out, "case %s\n", c->s->file);
	program(c, out, 1);
	program(c, out, 2);
	for (uint32_t i = 0; i < c->nregions; i++)
		if (s2a_region_symbol(c, c->regions[i].addr, sym, sizeof(sym)))
			fprintf(out, "region %u 0x%" PRIx64 " %s\n", i, c->regions[i].addr, sym);
	fprintf(out, "page MSR_BITMAP 0x%llx rt_msr_bitmap\n", (unsigned long long)VMCS_MSR_BITMAP_DEFAULT);
	if (c->uses_vapic)
		fprintf(out, "page VIRTUAL_APIC_PAGE_ADDR 0x%" PRIx64 " vx_virtual_apic_page\n", c->vapic_addr);
	if (c->uses_apic_access)
		fprintf(out, "page APIC_ACCESS_ADDR 0x%" PRIx64 " vx_apic_access_page\n", c->apic_access_addr);
	return !ferror(out);
}
