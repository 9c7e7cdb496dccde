/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scn_guest.c - guest blocks: `guest L1|L2 [cpuN]`, then labels,
 * instructions, `idt` entries, `vmcs` setup lines and `exit-handler`.
 *
 * A block ends at the next top-level statement. Labels are local to their
 * block and kept in a hash table while it is open, so a duplicate is
 * reported at its second definition; uses are resolved when the block
 * closes, so jumps may go forward. VMCS operands are scn_vmcs.c's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "front/scn_internal.h"
#include "vmcs/vmcs_field.h"
#include "vmcs/vmx_caps.h"
#include "vmcs/vmx_controls.h"
#include "vmcs/x86_gpr.h"

enum arg_kind {
	ARG_NONE,
	ARG_TIME,        /* work */
	ARG_VECTOR,      /* int */
	ARG_LABEL,       /* jmp */
	ARG_IPI,         /* ipi cpuN VECTOR|nmi */
	ARG_FIELD,       /* vmread */
	ARG_FIELD_VALUE, /* vmwrite */
	ARG_CHOICE,      /* choose */
	ARG_REG_SOURCE,  /* mov, add, ...: REG, then a register or a number (mov: or a label) */
	ARG_REG,         /* inc, dec */
	ARG_REGS,        /* record */
	ARG_REG_MSR,     /* rdmsr */
};

struct op_row {
	enum arg_kind arg;
	bool l1_only;    /* VMX instructions: L1 is the only level that runs a hypervisor */
};

static const struct op_row ops[SCN_OP_COUNT] = {
	[SCN_OP_WORK] = {ARG_TIME, false},
	[SCN_OP_NOP] = {ARG_NONE, false},
	[SCN_OP_STI] = {ARG_NONE, false},
	[SCN_OP_CLI] = {ARG_NONE, false},
	[SCN_OP_MOV_SS] = {ARG_NONE, false},
	[SCN_OP_IRET] = {ARG_NONE, false},
	[SCN_OP_HLT] = {ARG_NONE, false},
	[SCN_OP_INT] = {ARG_VECTOR, false},
	[SCN_OP_INT3] = {ARG_NONE, false},
	[SCN_OP_UD2] = {ARG_NONE, false},
	[SCN_OP_VMCALL] = {ARG_NONE, false},
	[SCN_OP_EOI] = {ARG_NONE, false},
	[SCN_OP_JMP] = {ARG_LABEL, false},
	[SCN_OP_IPI] = {ARG_IPI, false},
	[SCN_OP_VMLAUNCH] = {ARG_NONE, true},
	[SCN_OP_VMRESUME] = {ARG_NONE, true},
	[SCN_OP_VMREAD] = {ARG_FIELD, true},
	[SCN_OP_VMWRITE] = {ARG_FIELD_VALUE, true},
	[SCN_OP_CHOOSE] = {ARG_CHOICE, false},
	[SCN_OP_MOV] = {ARG_REG_SOURCE, false},
	[SCN_OP_ADD] = {ARG_REG_SOURCE, false},
	[SCN_OP_SUB] = {ARG_REG_SOURCE, false},
	[SCN_OP_AND] = {ARG_REG_SOURCE, false},
	[SCN_OP_OR] = {ARG_REG_SOURCE, false},
	[SCN_OP_XOR] = {ARG_REG_SOURCE, false},
	[SCN_OP_SHL] = {ARG_REG_SOURCE, false},
	[SCN_OP_SHR] = {ARG_REG_SOURCE, false},
	[SCN_OP_INC] = {ARG_REG, false},
	[SCN_OP_DEC] = {ARG_REG, false},
	[SCN_OP_CMP] = {ARG_REG_SOURCE, false},
	[SCN_OP_TEST] = {ARG_REG_SOURCE, false},
	[SCN_OP_JE] = {ARG_LABEL, false},
	[SCN_OP_JNE] = {ARG_LABEL, false},
	[SCN_OP_JZ] = {ARG_LABEL, false},
	[SCN_OP_JNZ] = {ARG_LABEL, false},
	[SCN_OP_JB] = {ARG_LABEL, false},
	[SCN_OP_JAE] = {ARG_LABEL, false},
	[SCN_OP_JC] = {ARG_LABEL, false},
	[SCN_OP_JNC] = {ARG_LABEL, false},
	[SCN_OP_JBE] = {ARG_LABEL, false},
	[SCN_OP_JA] = {ARG_LABEL, false},
	[SCN_OP_RECORD] = {ARG_REGS, false},
	[SCN_OP_RDMSR] = {ARG_REG_MSR, false},
};

#define OPS "work, nop, sti, cli, mov-ss, iret, hlt, int, int3, ud2, vmcall, eoi, jmp, ipi, " \
            "vmlaunch, vmresume, vmread, vmwrite, choose, mov, add, sub, and, or, xor, shl, shr, " \
            "inc, dec, cmp, test, je, jne, jz, jnz, jb, jae, jc, jnc, jbe, ja, record, rdmsr"

/* Registers: a name from vmcs/x86_gprs.def; RSP is known and refused. */
static bool word_is_reg(const struct tok *t, int *reg)
{
	*reg = t->kind == TK_WORD ? x86_gpr_lookup(t->s, t->len) : -1;
	return *reg >= 0;
}

static bool parse_reg(struct parser *p, int *reg)
{
	const struct tok *t = scn_peek(p);

	if (!word_is_reg(t, reg))
		return scn_expected(p, "a register (rax, rbx, rcx, rdx, rsi, rdi, rbp, r8-r15)");
	if (!x86_gpr_modelled((uint32_t)*reg))
		return scn_fail_col(p, t->col, "not modelled: %.*s (interrupt frames live on a stack of the "
		                               "model's own; use another register)", (int)t->len, t->s);
	scn_next(p);
	return true;
}

/* A label operand whose address is the value; resolved when the block closes. */
static bool parse_value_label(struct parser *p, struct scn_insn *in)
{
	in->value_label_loc = scn_tok_loc(p, scn_peek(p));
	if (!(in->value_label = scn_tok_strdup(p, scn_peek(p))))
		return false;
	scn_next(p);
	return true;
}

/* A register, a number, or (labels_ok) a label: what mov, add, ... read. */
static bool parse_source(struct parser *p, struct scn_insn *in, bool labels_ok)
{
	const struct tok *t = scn_peek(p);
	int reg;

	if (word_is_reg(t, &reg))
		return parse_reg(p, &in->src);
	if (t->kind == TK_NUM)
		return scn_parse_uint(p, NUM_HEX, 0, UINT64_MAX, "a register or a number", &in->value);
	if (labels_ok && t->kind == TK_WORD)
		return parse_value_label(p, in);
	return scn_expected(p, labels_ok ? "a register, a number or a label" : "a register or a number");
}

static bool parse_record(struct parser *p, struct scn_insn *in)
{
	uint32_t n = 0;

	do {
		const struct tok *t = scn_peek(p);
		int reg;

		if (n == SCN_MAX_RECORD_REGS)
			return scn_fail_col(p, t->col, "too many registers (a record holds at most %u)",
			                    SCN_MAX_RECORD_REGS);
		if (!parse_reg(p, &reg))
			return false;
		if (in->regs & (1u << reg))
			return scn_fail_col(p, t->col, "%s is already recorded here", x86_gpr_name((uint32_t)reg));
		in->regs |= 1u << reg;
		n++;
	} while (scn_peek(p)->kind != TK_EOL);
	return true;
}

static bool parse_msr(struct parser *p, uint32_t *msr)
{
	const struct tok *t = scn_peek(p);
	const char *what = "a VMX capability MSR such as IA32_VMX_PINBASED_CTLS, or its number";
	uint64_t v = 0;

	if (t->kind == TK_WORD) {
		char name[SCN_MAX_NAME_BYTES + 1];
		int64_t n;

		scn_tok_copy(t, name, sizeof(name));
		n = vmx_caps_msr_by_name(name);
		if (n < 0)
			return scn_fail_col(p, t->col, "not modelled: MSR '%s' (the model reads the VMX capability "
			                               "MSRs: %s)", name, vmx_caps_msr_names());
		*msr = (uint32_t)n;
		scn_next(p);
		return true;
	}
	if (!scn_parse_uint(p, NUM_HEX, 0, UINT32_MAX, what, &v))
		return false;
	if (!vmx_caps_msr_name((uint32_t)v))
		return scn_fail_col(p, t->col, "not modelled: MSR 0x%llx (the model reads the VMX capability "
		                               "MSRs: %s)", (unsigned long long)v, vmx_caps_msr_names());
	*msr = (uint32_t)v;
	return true;
}

static bool word_to_op(const struct tok *t, enum scn_op *op)
{
	for (int i = 0; i < SCN_OP_COUNT; i++) {
		if (scn_tok_is(t, scn_op_name((enum scn_op)i))) {
			*op = (enum scn_op)i;
			return true;
		}
	}
	return false;
}

bool scn_word_is_op(const struct tok *t)
{
	enum scn_op op;
	return word_to_op(t, &op);
}

static struct scn_guest *open_guest(struct parser *p)
{
	return &p->s->guests[p->guest];
}

/* ---- labels ------------------------------------------------------------- */

static uint32_t hash_name(const char *s, size_t n)
{
	uint32_t h = 2166136261u;  /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* The slot holding name, or the empty slot where it would go. */
static struct label_slot *label_slot(struct parser *p, const char *name, size_t n)
{
	const struct scn_guest *g = open_guest(p);
	uint32_t mask = p->nslots - 1, i = hash_name(name, n) & mask;

	for (;; i = (i + 1) & mask) {
		struct label_slot *sl = &p->slots[i];
		const char *have;

		if (sl->gen != p->gen)
			return sl;
		have = g->labels[sl->idx].name;
		if (strlen(have) == n && !memcmp(have, name, n))
			return sl;
	}
}

/* Keep the table at most half full; rehash the open block's labels into a bigger one. */
static bool grow_slots(struct parser *p)
{
	const struct scn_guest *g = open_guest(p);
	struct label_slot *old = p->slots;
	uint32_t n = p->nslots ? p->nslots * 2 : 64;

	if (p->slots && g->nlabels * 2 < p->nslots)
		return true;
	p->slots = calloc(n, sizeof(*p->slots));
	if (!p->slots) {
		p->slots = old;
		return scn_fail_col(p, 1, "out of memory");
	}
	free(old);
	p->nslots = n;
	for (uint32_t k = 0; k < g->nlabels; k++) {
		struct label_slot *sl = label_slot(p, g->labels[k].name, strlen(g->labels[k].name));
		sl->gen = p->gen;
		sl->idx = k;
	}
	return true;
}

static const struct scn_label *find_label(struct parser *p, const char *name)
{
	struct label_slot *sl;

	if (!p->slots)
		return NULL;  /* no block has defined a label yet */
	sl = label_slot(p, name, strlen(name));
	return sl->gen == p->gen ? &open_guest(p)->labels[sl->idx] : NULL;
}

static bool define_label(struct parser *p, const struct tok *t)
{
	struct scn_guest *g = open_guest(p);
	struct label_slot *sl;
	struct scn_label *l;

	if (!grow_slots(p))
		return false;
	sl = label_slot(p, t->s, t->len);
	if (sl->gen == p->gen)
		return scn_fail_col(p, t->col, "duplicate label '%.*s' (first defined at line %u)",
		                    (int)t->len, t->s, (unsigned)g->labels[sl->idx].loc.line);
	if (p->total_labels >= SCN_MAX_LABELS)
		return scn_fail_col(p, t->col, "too many labels (the limit is %u)", SCN_MAX_LABELS);
	if (!scn_grow(p, (void **)&g->labels, &p->cap_labels, g->nlabels, sizeof(*l),
	              SCN_MAX_LABELS, "labels"))
		return false;
	l = &g->labels[g->nlabels];
	if (!(l->name = scn_tok_strdup(p, t)))
		return false;
	l->insn = (uint32_t)g->ninsns;
	l->loc = scn_tok_loc(p, t);
	sl->gen = p->gen;
	sl->idx = (uint32_t)g->nlabels++;
	p->total_labels++;
	return true;
}

static bool parse_label_use(struct parser *p, const char **label, struct scn_loc *loc)
{
	const struct tok *t = scn_peek(p);

	if (t->kind != TK_WORD)
		return scn_expected(p, "a label name");
	*loc = scn_tok_loc(p, t);
	if (!(*label = scn_tok_strdup(p, t)))
		return false;
	scn_next(p);
	return true;
}

/* ---- block statements --------------------------------------------------- */

static bool st_idt(struct parser *p, struct scn_guest *g)
{
	const struct tok *kw = scn_next(p), *t;
	struct scn_idt_entry e;

	memset(&e, 0, sizeof(e));
	e.loc = scn_tok_loc(p, kw);
	if (!scn_parse_vector(p, &e.vector))
		return false;
	for (size_t i = 0; i < g->nidt; i++)
		if (g->idt[i].vector == e.vector)
			return scn_fail_col(p, p->toks[p->pos - 1].col,
			                    "vector %u already has an IDT entry at line %u",
			                    (unsigned)e.vector, (unsigned)g->idt[i].loc.line);
	if (!parse_label_use(p, &e.label, &e.label_loc))
		return false;
	t = scn_peek(p);
	if (scn_tok_is(t, "interrupt-gate"))
		e.gate = SCN_GATE_INTERRUPT;
	else if (scn_tok_is(t, "trap-gate"))
		e.gate = SCN_GATE_TRAP;
	else
		return scn_expected(p, "a gate type: interrupt-gate or trap-gate");
	scn_next(p);
	if (!scn_grow(p, (void **)&g->idt, &p->cap_idt, g->nidt, sizeof(e), 256, "IDT entries"))
		return false;
	g->idt[g->nidt++] = e;
	return scn_at_eol(p);
}

static bool st_vmcs(struct parser *p, struct scn_guest *g)
{
	struct scn_vmcs_setup v;

	scn_next(p);
	memset(&v, 0, sizeof(v));
	v.loc = scn_tok_loc(p, scn_peek(p));
	if (!scn_parse_field(p, false, &v.field, &v.encoding))
		return false;
	for (size_t i = 0; i < g->nvmcs; i++)
		if (g->vmcs[i].field == v.field)
			return scn_fail_at(p, v.loc, "%s is already set at line %u",
			                   vmcs_field_info(v.field)->name, (unsigned)g->vmcs[i].loc.line);
	if (!scn_parse_value(p, v.field, v.encoding, &v.value))
		return false;
	if (!scn_grow(p, (void **)&g->vmcs, &p->cap_vmcs, g->nvmcs, sizeof(v), SCN_MAX_VMCS_SETUPS,
	              "vmcs lines in this block"))
		return false;
	g->vmcs[g->nvmcs++] = v;
	return scn_at_eol(p);
}

static bool st_exit_handler(struct parser *p, struct scn_guest *g)
{
	const struct tok *kw = scn_next(p);
	const char *label = NULL;   /* set by parse_label_use() when it succeeds */

	if (g->level != SCN_L1)
		return scn_fail_col(p, kw->col, "'exit-handler' belongs in a 'guest L1' block: only "
		                                "an L1 hypervisor handles exits");
	if (g->has_exit_handler)
		return scn_fail_col(p, kw->col, "the block already has an exit-handler (line %u)",
		                    (unsigned)g->exit_handler_loc.line);
	if (!parse_label_use(p, &label, &g->exit_handler_loc))
		return false;
	g->has_exit_handler = true;
	g->exit_handler_label = label;  /* resolved when the block closes */
	return scn_at_eol(p);
}

/* `stack-unmapped`: the guest's stack page is not mapped in EPT until the hypervisor maps it. */
static bool st_stack_unmapped(struct parser *p, struct scn_guest *g)
{
	const struct tok *kw = scn_next(p);

	if (g->stack_unmapped)
		return scn_fail_col(p, kw->col, "the block already says stack-unmapped (line %u)",
		                    (unsigned)g->stack_unmapped_loc.line);
	g->stack_unmapped = true;
	g->stack_unmapped_loc = scn_tok_loc(p, kw);
	return scn_at_eol(p);
}

static bool st_insn(struct parser *p, struct scn_guest *g, enum scn_op op)
{
	const struct tok *kw = scn_next(p), *t;
	const struct op_row *row = &ops[op];
	struct scn_insn *in;

	if (row->l1_only && g->level != SCN_L1)
		return scn_fail_col(p, kw->col, "'%s' is an L1 hypervisor instruction; a 'guest L2' "
		                                "block cannot use it", scn_op_name(op));
	if (p->total_insns >= SCN_MAX_INSNS)
		return scn_fail_col(p, kw->col, "too many instructions (the limit is %u)",
		                    SCN_MAX_INSNS);
	if (!scn_grow(p, (void **)&g->insns, &p->cap_insns, g->ninsns, sizeof(*in), SCN_MAX_INSNS,
	              "instructions"))
		return false;
	in = &g->insns[g->ninsns];
	memset(in, 0, sizeof(*in));
	in->op = op;
	in->loc = scn_tok_loc(p, kw);
	in->field = -1;
	in->dst = in->src = SCN_NO_REG;
	t = scn_peek(p);
	if (row->arg != ARG_NONE)
		in->arg_loc = scn_tok_loc(p, t);
	switch (row->arg) {
	case ARG_NONE:
		break;
	case ARG_TIME:
		if (!scn_parse_time_range(p, "a duration such as 1000 or 2us", SCN_VAR_WORK, (size_t)p->guest,
		                          g->ninsns, &in->work, &in->varies, &in->var))
			return false;
		break;
	case ARG_CHOICE:
		if (!scn_parse_choice(p, (size_t)p->guest, g->ninsns, kw->col, in))
			return false;
		break;
	case ARG_VECTOR:
		if (!scn_parse_vector(p, &in->vector))
			return false;
		break;
	case ARG_LABEL:
		if (!parse_label_use(p, &in->label, &in->arg_loc))
			return false;
		break;
	case ARG_IPI:
		if (!scn_parse_cpu(p, "a destination vCPU such as cpu1", &in->cpu))
			return false;
		if (scn_tok_is(scn_peek(p), "nmi")) {
			in->nmi = true;
			scn_next(p);
		} else {
			uint64_t v = 0;
			if (!scn_parse_uint(p, NUM_HEX, 0, 255, "a vector number 0-255 or 'nmi'", &v))
				return false;
			in->vector = (uint32_t)v;
		}
		break;
	case ARG_FIELD: {
		int reg;
		/* `vmread FIELD` or `vmread REG FIELD`. */
		if (word_is_reg(t, &reg) && !parse_reg(p, &in->dst))
			return false;
		if (!scn_parse_field(p, true, &in->field, &in->encoding))
			return false;
		break;
	}
	case ARG_FIELD_VALUE: {
		int reg;
		if (!scn_parse_field(p, true, &in->field, &in->encoding))
			return false;
		t = scn_peek(p);
		if (word_is_reg(t, &reg)) {
			if (!parse_reg(p, &in->src))
				return false;
		} else if (t->kind == TK_WORD && !scn_word_is_control(t)) {
			if (!parse_value_label(p, in))
				return false;
		} else if (!scn_parse_value(p, in->field, in->encoding, &in->value)) {
			return false;
		}
		break;
	}
	case ARG_REG_SOURCE:
		if (!parse_reg(p, &in->dst) || !parse_source(p, in, op == SCN_OP_MOV))
			return false;
		if ((op == SCN_OP_SHL || op == SCN_OP_SHR) && in->src == SCN_NO_REG && in->value > 63)
			return scn_fail_at(p, in->arg_loc, "a shift count is 0-63");
		break;
	case ARG_REG:
		if (!parse_reg(p, &in->dst))
			return false;
		break;
	case ARG_REGS:
		if (!parse_record(p, in))
			return false;
		break;
	case ARG_REG_MSR:
		if (!parse_reg(p, &in->dst) || !parse_msr(p, &in->msr))
			return false;
		break;
	}
	g->ninsns++;
	p->total_insns++;
	return scn_at_eol(p);
}

/* ---- the block ---------------------------------------------------------- */

bool scn_guest_open(struct parser *p)
{
	const struct tok *kw = scn_next(p), *t = scn_peek(p);
	struct scn_scenario *s = p->s;
	struct scn_guest *g;
	enum scn_level lv = SCN_L1;
	int cpu = SCN_ANY;
	uint32_t c;

	if (!scn_word_is_level(t, &lv))
		return scn_expected(p, "a guest level L1 or L2");
	if (lv == SCN_L0)
		return scn_fail_col(p, t->col, "a guest block is L1 or L2 (L0 is the hypervisor "
		                               "the 'l0' statement names)");
	scn_next(p);
	if (scn_word_is_cpu(scn_peek(p), &c)) {
		if (!scn_parse_cpu(p, "a vCPU such as cpu0", &c))
			return false;
		cpu = (int)c;
	}
	if (!scn_at_eol(p))
		return false;
	for (size_t i = 0; i < s->nguests; i++) {
		char which[24] = "";

		if (s->guests[i].level != lv || s->guests[i].cpu != cpu)
			continue;
		if (cpu != SCN_ANY)
			snprintf(which, sizeof(which), " cpu%d", cpu);
		return scn_fail_col(p, kw->col, "a 'guest L%d%s' block already starts at line %u",
		                    (int)lv, which, (unsigned)s->guests[i].loc.line);
	}
	if (!scn_grow(p, (void **)&s->guests, &p->cap_guests, s->nguests, sizeof(*g),
	              2 * SCN_MAX_VCPUS + 2, "guest blocks"))
		return false;
	g = &s->guests[s->nguests];
	memset(g, 0, sizeof(*g));
	g->level = lv;
	g->cpu = cpu;
	g->loc = scn_tok_loc(p, kw);
	p->guest = (long)s->nguests++;
	p->gen++;
	p->cap_insns = p->cap_labels = p->cap_idt = p->cap_vmcs = 0;
	p->sec = SEC_GUEST;
	return true;
}

bool scn_guest_line(struct parser *p)
{
	struct scn_guest *g = open_guest(p);
	const struct tok *t;
	enum scn_op op;

	while (scn_peek(p)->kind == TK_WORD && scn_peek2(p)->kind == TK_COLON) {
		if (!define_label(p, scn_peek(p)))
			return false;
		scn_next(p);
		scn_next(p);
		g = open_guest(p);
	}
	t = scn_peek(p);
	if (t->kind == TK_EOL)
		return true;
	if (scn_tok_is(t, "idt"))
		return st_idt(p, g);
	if (scn_tok_is(t, "vmcs"))
		return st_vmcs(p, g);
	if (scn_tok_is(t, "exit-handler"))
		return st_exit_handler(p, g);
	if (scn_tok_is(t, "stack-unmapped"))
		return st_stack_unmapped(p, g);
	if (word_to_op(t, &op))
		return st_insn(p, g, op);
	if (t->kind != TK_WORD)
		return scn_expected(p, "an instruction");
	return scn_fail_col(p, t->col, "unknown instruction '%.*s': expected " OPS
	                               ", idt, vmcs, exit-handler, stack-unmapped, a label, or a statement "
	                               "(cpu, l0, vcpus, guest, at, every, on, run or expect)",
	                    (int)t->len, t->s);
}

/* The earliest of several errors found together. */
struct first_error {
	struct scn_loc loc;
	char msg[SCN_ERROR_MSG_MAX];
};

static void note(struct first_error *fe, struct scn_loc loc, const char *fmt, ...)
	SCN_PRINTF(3, 4);

static void note(struct first_error *fe, struct scn_loc loc, const char *fmt, ...)
{
	va_list ap;

	if (fe->loc.line && (fe->loc.line < loc.line ||
	                     (fe->loc.line == loc.line && fe->loc.col <= loc.col)))
		return;
	fe->loc = loc;
	va_start(ap, fmt);
	vsnprintf(fe->msg, sizeof(fe->msg), fmt, ap);
	va_end(ap);
}

bool scn_guest_close(struct parser *p)
{
	struct scn_guest *g = open_guest(p);
	struct first_error fe;
	const struct scn_label *l;

	memset(&fe, 0, sizeof(fe));
	if (g->ninsns == 0) {
		p->guest = -1;
		return scn_fail_at(p, g->loc, "the guest block has no instructions");
	}
	for (size_t i = 0; i < g->nlabels; i++)
		if (g->labels[i].insn == g->ninsns)
			note(&fe, g->labels[i].loc, "label '%s' has no instruction after it",
			     g->labels[i].name);
	for (size_t i = 0; i < g->ninsns; i++) {
		struct scn_insn *in = &g->insns[i];
		if (in->op == SCN_OP_CHOOSE) {
			struct scn_var *v = &p->s->vars[in->var];
			for (size_t k = 0; k < v->nalts; k++) {
				if ((l = find_label(p, v->labels[k])) != NULL)
					v->targets[k] = l->insn;
				else
					note(&fe, v->label_locs[k], "undefined label '%s'", v->labels[k]);
			}
			in->target = v->targets[0];
			continue;
		}
		if (in->value_label) {
			in->value_label_level = g->level;
			if ((l = find_label(p, in->value_label)) != NULL)
				in->value_target = l->insn;
			else if (g->level == SCN_L1)
				in->value_label_level = SCN_L2;   /* an L2 address: scn_guest_final() looks there */
			else
				note(&fe, in->value_label_loc, "undefined label '%s'", in->value_label);
		}
		if (ops[in->op].arg != ARG_LABEL)
			continue;
		if ((l = find_label(p, in->label)) != NULL)
			in->target = l->insn;
		else
			note(&fe, in->arg_loc, "undefined label '%s'", in->label);
	}
	for (size_t i = 0; i < g->nidt; i++) {
		if ((l = find_label(p, g->idt[i].label)) != NULL)
			g->idt[i].target = l->insn;
		else
			note(&fe, g->idt[i].label_loc, "undefined label '%s'", g->idt[i].label);
	}
	if (g->has_exit_handler) {
		if ((l = find_label(p, g->exit_handler_label)) != NULL)
			g->exit_handler = l->insn;
		else
			note(&fe, g->exit_handler_loc, "undefined label '%s'", g->exit_handler_label);
	}
	p->guest = -1;
	if (fe.loc.line)
		return scn_fail_at(p, fe.loc, "%s", fe.msg);
	return true;
}

bool scn_label_index(const struct scn_guest *g, const char *label, uint32_t *insn)
{
	for (size_t i = 0; i < g->nlabels; i++) {
		if (!strcmp(g->labels[i].name, label)) {
			*insn = g->labels[i].insn;
			return true;
		}
	}
	return false;
}

/*
 * An L1 operand naming a label of L2 (`vmwrite GUEST_RIP l2_main`): the
 * label of the L2 block of every vCPU the L1 block runs on, at one index.
 */
static bool resolve_l2_labels(struct parser *p, struct scn_guest *g)
{
	const struct scn_scenario *s = p->s;

	for (size_t i = 0; i < g->ninsns; i++) {
		struct scn_insn *in = &g->insns[i];
		bool found = false;

		if (!in->value_label || in->value_label_level != SCN_L2)
			continue;
		for (uint32_t c = 0; c < s->vcpus; c++) {
			const struct scn_guest *l2;
			uint32_t idx;

			if (scn_guest_for(s, SCN_L1, c) != g || !(l2 = scn_guest_for(s, SCN_L2, c)))
				continue;
			if (!scn_label_index(l2, in->value_label, &idx))
				return scn_fail_at(p, in->value_label_loc, "undefined label '%s' (not in this block nor in "
				                   "the 'guest L2' block of cpu%u)", in->value_label, (unsigned)c);
			if (found && idx != in->value_target)
				return scn_fail_at(p, in->value_label_loc, "label '%s' names different instructions in the "
				                   "L2 blocks this L1 block enters", in->value_label);
			in->value_target = idx;
			found = true;
		}
		if (!found)
			return scn_fail_at(p, in->value_label_loc, "undefined label '%s'", in->value_label);
	}
	return true;
}

/* A VM entry needs a guest to enter: an L1 that launches needs an L2 on its vCPUs. */
bool scn_guest_final(struct parser *p)
{
	const struct scn_scenario *s = p->s;

	for (size_t i = 0; i < s->nguests; i++)
		if (s->guests[i].level == SCN_L1 && !resolve_l2_labels(p, &s->guests[i]))
			return false;

	for (uint32_t c = 0; c < s->vcpus; c++) {
		const struct scn_guest *g = scn_guest_for(s, SCN_L1, c);

		if (!g || scn_guest_for(s, SCN_L2, c))
			continue;
		for (size_t i = 0; i < g->ninsns; i++)
			if (g->insns[i].op == SCN_OP_VMLAUNCH || g->insns[i].op == SCN_OP_VMRESUME)
				return scn_fail_at(p, g->insns[i].loc, "'%s' needs a guest to enter: cpu%u "
				                                       "has no 'guest L2' block",
				                   scn_op_name(g->insns[i].op), (unsigned)c);
	}
	return true;
}
