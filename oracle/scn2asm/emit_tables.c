/* SPDX-License-Identifier: Apache-2.0 */
/*
 * emit_tables.c - case.asm as a whole: the globals of case_abi.h, both
 * programs, and the tables the runtime builds the machine from - the L2
 * VMCS as vmxsim's machine set it up (vmcs0: model/machine/machine.c
 * build_regions, vmcs/vmcs.c vmcs_setup), both IDTs, the MSR-bitmap lines
 * and the declared VMCS regions.
 */
#define _POSIX_C_SOURCE 200809L   /* open_memstream */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "oracle/scn2asm/scn2asm_internal.h"

static const char *const externs[] = {
    "rt_enter",    "rt_entry_failed", "rt_vmx_done",     "rt_record",       "rt_l1_hlt", "rt_vmexit",
    "rt_set_gate", "rt_l1_exit_handler", "rt_msr_bitmap", "rt_vmxon_region", "rt_vmcs0_region", "rt_m64",
};

static void case_name(const struct s2a *c, FILE *out)
{
	const char *file = c->s->file, *slash = strrchr(file, '/'), *name = slash ? slash + 1 : file;
	size_t n = strlen(name);

	if (n > 4 && !strcmp(name + n - 4, ".scn"))
		n -= 4;
	fprintf(out, "case_name:\n\tdb ");
	for (size_t i = 0; i < n; i++)
		fprintf(out, "0x%02x, ", (unsigned char)name[i]);
	fprintf(out, "0   ; \"%.*s\"\n", (int)n, name);
}

/* Is the field named by a `vmcs` line of the L2 block (written even when it is 0)? */
static bool line_sets(const struct s2a *c, uint32_t enc)
{
	for (size_t i = 0; i < c->p[2].g->nvmcs; i++)
		if (c->p[2].g->vmcs[i].encoding == enc)
			return true;
	return false;
}

/*
 * vmcs0's fields: every one that is not 0, every one a line writes, and
 * the page fields vmxsim gives memory of its own even at 0 (VTPR starts at
 * 0). Not HOST_RIP and HOST_RSP, nor what vmxsim leaves at 0 for the
 * runtime to fill (host state, guest segments, CR3, RSP: refuse.c refuses
 * lines that would set them), nor the mode defaults of vmcs_set_mode_defaults
 * no line names (the runtime's control registers are a 64-bit mode's).
 */
static void vmcs_table(struct s2a *c, FILE *out)
{
	fprintf(out, "case_vmcs:\n");
	for (int idx = 0; idx < VMCS_FIELD_COUNT; idx++) {
		const struct vmcs_field_info *f = vmcs_field_info(idx);
		uint64_t v = c->vmcs0->field[idx];
		bool page = f->encoding == VIRTUAL_APIC_PAGE_ADDR || f->encoding == APIC_ACCESS_ADDR;
		const char *why = NULL;
		char expr[96];

		if (f->encoding == HOST_RIP || f->encoding == HOST_RSP)
			continue;
		if (!v && !line_sets(c, f->encoding) && !(page && vmcs_field_supported(c->cpu, idx)))
			continue;
		if (s2a_mode_default(f->encoding, v) && !line_sets(c, f->encoding))
			continue;   /* the runtime's own CR0, CR4, EFER; no EPT pointer or VPID as before */
		if (!s2a_field_value(c, f->encoding, v, expr, sizeof(expr), &why))
			snprintf(expr, sizeof(expr), "0x%" PRIx64, v);   /* refuse.c refused it already */
		fprintf(out, "\tdq 0x%04" PRIx32 ", %s   ; %s\n", f->encoding, expr, f->name);
	}
	fprintf(out, "\tdq %s, 0\n", S2A_CASE_END);
}

static void idt_table(const struct s2a *c, FILE *out, int p)
{
	const struct scn_guest *g = c->p[p].g;

	fprintf(out, "case_l%d_idt:\n", p);
	for (size_t i = 0; i < g->nidt; i++)
		fprintf(out, "\tdq %u, vx_p%d_i%u, %u   ; %s\n", g->idt[i].vector, p, g->idt[i].target,
		        g->idt[i].gate == SCN_GATE_TRAP ? CASE_GATE_TRAP : CASE_GATE_INTERRUPT, g->idt[i].label);
	fprintf(out, "\tdq %s, 0, 0\n", S2A_CASE_END);
}

static void msr_table(const struct s2a *c, FILE *out)
{
	const struct scn_guest *g = c->p[2].g;

	fprintf(out, "case_msr_bits:\n");
	for (size_t i = 0; i < g->nmsr_intercepts; i++)
		fprintf(out, "\tdq 0x%" PRIx32 ", %u\n", g->msr_intercepts[i].msr, g->msr_intercepts[i].write ? 1u : 0u);
	fprintf(out, "\tdq %s, 0\n", S2A_CASE_END);
}

static void region_table(const struct s2a *c, FILE *out)
{
	const struct scn_guest *g = c->p[1].g;

	fprintf(out, "case_regions:\n");
	for (size_t i = 0; i < g->nregions; i++) {
		char rev[24];
		if (g->regions[i].has_revision)
			snprintf(rev, sizeof(rev), "0x%" PRIx32, g->regions[i].revision);
		else
			snprintf(rev, sizeof(rev), "%s", S2A_CASE_END);
		fprintf(out, "\tdq vx_region_%zu, %s, %u   ; %s\n", i, rev, g->regions[i].empty ? 1u : 0u,
		        g->regions[i].name);
	}
	fprintf(out, "\tdq 0, 0, 0\n");
}

/* Instruction i of program p as text (NULL when out of memory). */
static char *capture(struct s2a *c, int p, uint32_t i)
{
	FILE *keep = c->out;
	char *buf = NULL;
	size_t len = 0;

	c->out = open_memstream(&buf, &len);
	if (!c->out) {
		c->out = keep;
		return NULL;
	}
	s2a_emit_insn(c, p, i);
	fclose(c->out);
	c->out = keep;
	return buf;
}

static bool labelled(const struct scn_guest *g, uint32_t i)
{
	for (size_t k = 0; k < g->nlabels; k++)
		if (g->labels[k].insn == i)
			return true;
	return false;
}

/*
 * MOV SS and STI block events for one instruction (R19): in vmxsim the
 * next instruction, on x86 the next x86 one. When the next instruction has
 * set-up code, that code goes before the MOV SS or STI, so that the shadow
 * covers its effective instruction (`mov-ss` then `vmlaunch`: VMfail 26;
 * rt_enter then reports the entry with insn=unknown, and the VMfail).
 * Only for a next instruction no label names: nothing else jumps there.
 */
static bool shadow_pair(struct s2a *c, int p, uint32_t i)
{
	enum vmx_op op = c->p[p].insn[i].op, next_op;
	char ilab[48], xlab[48], *first, *next, *a, *b, *x;
	bool done = false;

	if ((op != VMX_OP_MOV_SS && op != VMX_OP_STI) || i + 1 >= c->p[p].count || labelled(c->p[p].g, i + 1))
		return false;
	next_op = c->p[p].insn[i + 1].op;
	/*
	 * Not where the shadow changes nothing the case can see, and the
	 * runtime reads the instruction after its call: blocking by STI does
	 * not reach into L2 (VMLAUNCH, VMRESUME), and L1's HLT ends the case.
	 */
	if (op == VMX_OP_STI && (next_op == VMX_OP_VMLAUNCH || next_op == VMX_OP_VMRESUME || next_op == VMX_OP_HLT))
		return false;
	first = capture(c, p, i);
	next = capture(c, p, i + 1);
	snprintf(ilab, sizeof(ilab), "vx_p%d_i%u:\n", p, i + 1);
	snprintf(xlab, sizeof(xlab), "vx_p%d_x%u:\n", p, i + 1);
	a = next ? strstr(next, ilab) : NULL;
	b = a ? strstr(a, xlab) : NULL;
	snprintf(xlab, sizeof(xlab), "vx_p%d_x%u:\n", p, i);
	x = first ? strstr(first, xlab) : NULL;
	if (a && b && x && b > a + strlen(ilab)) {
		a += strlen(ilab);
		fprintf(c->out, "%.*s", (int)(x - first), first);
		fprintf(c->out, "; the set-up of the next instruction, so that the shadow covers it\n");
		fprintf(c->out, "%.*s%s", (int)(b - a), a, x);
		fprintf(c->out, "%.*s%s", (int)(a - next), next, b);
		done = true;
	}
	free(first);
	free(next);
	return done;
}

static void program(struct s2a *c, int p)
{
	fprintf(c->out, "\n; ---- the guest L%d program: vmxsim 0x%" PRIx64 "-0x%" PRIx64 " ----\n", p, c->p[p].base,
	        c->p[p].end);
	if (p == 1)
		fprintf(c->out, "case_l1_main:\n");
	for (uint32_t i = 0; i < c->p[p].count; i++) {
		if (shadow_pair(c, p, i))
			i++;
		else
			s2a_emit_insn(c, p, i);
	}
	/* Past the last instruction vmxsim finds nothing to fetch (#PF); here #UD stops the program. */
	fprintf(c->out, "vx_p%d_end:\n\tud2\n", p);
}

bool s2a_emit_asm(struct s2a *c, FILE *out)
{
	const struct scn_guest *g1 = c->p[1].g;

	fprintf(out, "; SPDX-License-Identifier: Apache-2.0\n");
	fprintf(out, "; %s compiled by vmxsim-scn2asm for the oracle runtime (oracle/payload/case_abi.h).\n",
	        c->s->file);
	fprintf(out, "; Instruction I of program P (1: L1, 2: L2): vx_pP_iI where its code starts, vx_pP_xI at its\n"
	             "; effective x86 instruction, vx_pP_eI right after it; a work block is one label triple.\n");
	fprintf(out, "bits 64\ndefault rel\n\n");
	fprintf(out, "global case_name, case_l1_main, case_l1_exit_handler, case_vmcs, case_l1_idt, case_l2_idt\n");
	fprintf(out, "global case_msr_bits, case_regions, case_flags\n");
	for (size_t i = 0; i < sizeof(externs) / sizeof(externs[0]); i++)
		fprintf(out, "extern %s\n", externs[i]);

	fprintf(out, "\nsection .text progbits alloc exec nowrite align=16\n");
	c->out = out;
	program(c, 1);
	program(c, 2);

	fprintf(out, "\nsection .data progbits alloc noexec write align=8\n");
	case_name(c, out);
	fprintf(out, "align 8\ncase_l1_exit_handler:\n");
	if (g1->has_exit_handler)
		fprintf(out, "\tdq vx_p1_i%u\n", g1->exit_handler);
	else
		fprintf(out, "\tdq 0\n");
	fprintf(out, "case_flags:\n\tdq %u\n", c->starts_outside_vmx ? CASE_FLAG_STARTS_OUTSIDE_VMX : 0u);
	vmcs_table(c, out);
	idt_table(c, out, 1);
	idt_table(c, out, 2);
	msr_table(c, out);
	region_table(c, out);
	/* MOV SS loads this: the runtime's flat data selector (case_abi.h CASE_SEL_DATA). */
	fprintf(out, "vx_data_selector:\n\tdw 0x%x\n", CASE_SEL_DATA);

	fprintf(out, "\nsection .bss nobits alloc noexec write align=4096\n");
	for (size_t i = 0; i < g1->nregions; i++)
		fprintf(out, "vx_region_%zu:\n\tresb 4096\n", i);
	if (c->uses_vapic)
		fprintf(out, "vx_virtual_apic_page:\n\tresb 4096\n");
	if (c->uses_apic_access)
		fprintf(out, "vx_apic_access_page:\n\tresb 4096\n");
	fprintf(out, "vx_scratch_p1:\n\tresq 1\nvx_scratch_p2:\n\tresq 1\n");
	fprintf(out, "\nsection .note.GNU-stack noalloc noexec nowrite progbits\n");
	return !ferror(out);
}
