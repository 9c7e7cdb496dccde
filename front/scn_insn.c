/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scn_insn.c - guest instructions: the mnemonics (one row each in ops[],
 * with the kind of operand they take and whether only an L1 hypervisor
 * may use them) and their operands: registers, sources, ports, MSRs,
 * fields, labels and IDT gates. The block around them is scn_guest.c's.
 */
#include <stdint.h>
#include <string.h>

#include "front/scn_internal.h"
#include "vmcs/x86_data_area.h"
#include "vmcs/x86_debugreg.h"
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
	ARG_PORT,        /* out PORT */
	ARG_REG_PORT,    /* in REG PORT */
	ARG_CR_SOURCE,   /* mov-cr3, mov-cr8: a register or a number */
	ARG_SRC_REG,     /* div: the register read */
	ARG_IDT_GATE,    /* set-idt VECTOR LABEL GATE */
	ARG_MSR_SOURCE,  /* wrmsr: MSR, then a register or a number */
	ARG_MSR_BITMAP,  /* msr-bitmap-set, msr-bitmap-clear: read|write MSR */
	ARG_REGION,      /* vmclear, vmptrld: a region, a register or an address */
	ARG_REGION_OPT,  /* vmxon: the same, or nothing for the block's VMXON region */
	ARG_MEM_OPT,     /* mov-ss: nothing (from AX), or an address (m16) */
	ARG_REG_MEM,     /* load REG [SIZE] ADDR */
	ARG_MEM_SOURCE,  /* store [SIZE] ADDR REG|VALUE */
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
	[SCN_OP_MOV_SS] = {ARG_MEM_OPT, false},
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
	[SCN_OP_IN] = {ARG_REG_PORT, false},
	[SCN_OP_OUT] = {ARG_PORT, false},
	[SCN_OP_INW] = {ARG_REG_PORT, false},
	[SCN_OP_INL] = {ARG_REG_PORT, false},
	[SCN_OP_OUTW] = {ARG_PORT, false},
	[SCN_OP_OUTL] = {ARG_PORT, false},
	[SCN_OP_MOV_CR3] = {ARG_CR_SOURCE, false},
	[SCN_OP_MOV_CR8] = {ARG_CR_SOURCE, false},
	[SCN_OP_DIV] = {ARG_SRC_REG, false},
	[SCN_OP_INTO] = {ARG_NONE, false},
	[SCN_OP_ICEBP] = {ARG_NONE, false},
	[SCN_OP_INT1] = {ARG_NONE, false},
	[SCN_OP_PAUSE] = {ARG_NONE, false},
	[SCN_OP_CPUID] = {ARG_NONE, false},
	[SCN_OP_RDTSC] = {ARG_REG, false},
	[SCN_OP_SET_IDT] = {ARG_IDT_GATE, false},
	[SCN_OP_CLEAR_IDT] = {ARG_VECTOR, false},
	[SCN_OP_WRMSR] = {ARG_MSR_SOURCE, false},
	[SCN_OP_MSR_BITMAP_SET] = {ARG_MSR_BITMAP, true},
	[SCN_OP_MSR_BITMAP_CLEAR] = {ARG_MSR_BITMAP, true},
	[SCN_OP_VMXON] = {ARG_REGION_OPT, true},
	[SCN_OP_VMXOFF] = {ARG_NONE, true},
	[SCN_OP_VMCLEAR] = {ARG_REGION, true},
	[SCN_OP_VMPTRLD] = {ARG_REGION, true},
	[SCN_OP_VMPTRST] = {ARG_REG, true},
	[SCN_OP_VAPIC_IRR] = {ARG_VECTOR, true},
	[SCN_OP_VAPIC_ISR] = {ARG_VECTOR, true},
	[SCN_OP_VAPIC_TPR] = {ARG_VECTOR, true},
	[SCN_OP_PI_POST] = {ARG_VECTOR, true},
	[SCN_OP_MOV_DR] = {ARG_REG_SOURCE, false},
	[SCN_OP_LOAD] = {ARG_REG_MEM, false},
	[SCN_OP_STORE] = {ARG_MEM_SOURCE, false},
};

#define OPS "work, nop, sti, cli, mov-ss, iret, hlt, int, int3, ud2, vmcall, eoi, jmp, ipi, " \
            "vmlaunch, vmresume, vmread, vmwrite, choose, mov, add, sub, and, or, xor, shl, shr, " \
            "inc, dec, cmp, test, je, jne, jz, jnz, jb, jae, jc, jnc, jbe, ja, record, rdmsr, in, out, " \
            "mov-cr3, mov-cr8, div, into, icebp, int1, pause, cpuid, rdtsc, set-idt, clear-idt, wrmsr, " \
            "apic-timer, msr-bitmap-set, msr-bitmap-clear, vmxon, vmxoff, vmclear, vmptrld, vmptrst, " \
            "vapic-irr, vapic-isr, vapic-tpr, pi-post, load, store"

/* Registers: a name from vmcs/x86_gprs.def; RSP is known and refused. */
bool scn_word_is_reg(const struct tok *t, int *reg)
{
	*reg = t->kind == TK_WORD ? x86_gpr_lookup(t->s, t->len) : -1;
	return *reg >= 0;
}

bool scn_parse_reg(struct parser *p, int *reg)
{
	const struct tok *t = scn_peek(p);

	if (!scn_word_is_reg(t, reg))
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

	if (scn_word_is_reg(t, &reg))
		return scn_parse_reg(p, &in->src);
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
		if (!scn_parse_reg(p, &reg))
			return false;
		if (in->regs & (1u << reg))
			return scn_fail_col(p, t->col, "%s is already recorded here", x86_gpr_name((uint32_t)reg));
		in->regs |= 1u << reg;
		n++;
	} while (scn_peek(p)->kind != TK_EOL);
	return true;
}

/* `out PORT`, the port of `in REG PORT`: 0-0xffff. */
static bool parse_port(struct parser *p, uint32_t *port)
{
	uint64_t v = 0;

	if (!scn_parse_uint(p, NUM_HEX, 0, 0xffff, "a port number 0-0xffff", &v))
		return false;
	*port = (uint32_t)v;
	return true;
}

/* `mov-cr3 REG|VALUE`: a register, or a number (which RAX carries to the MOV, scenario_run.c). */
static bool parse_cr_source(struct parser *p, struct scn_insn *in)
{
	const struct tok *t = scn_peek(p);
	int reg;

	if (scn_word_is_reg(t, &reg))
		return scn_parse_reg(p, &in->src);
	return scn_parse_uint(p, NUM_HEX, 0, UINT64_MAX, "a register or a number", &in->value);
}

/* `byte`, `word`, `dword`, `qword`: a data access's size in bytes; 0 for any other word. */
static uint32_t word_size(const struct tok *t)
{
	static const struct { const char *name; uint32_t size; } sizes[] = {
	    {"byte", 1}, {"word", 2}, {"dword", 4}, {"qword", 8}};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (scn_tok_is(t, sizes[i].name))
			return sizes[i].size;
	return 0;
}

/*
 * The memory operand of `load`, `store` and `mov-ss`: a size (a quadword
 * when none is written; `mov-ss` reads a word and takes none but `word`)
 * and an absolute address. The access must lie inside the data area
 * (vmcs/x86_data_area.h), the only memory at a linear address the model's
 * programs read and write.
 */
static bool parse_mem(struct parser *p, struct scn_insn *in, uint32_t fixed_size)
{
	const struct tok *t = scn_peek(p);
	uint32_t size = word_size(t);
	uint64_t addr = 0;

	if (size) {
		if (fixed_size && size != fixed_size)
			return scn_fail_col(p, t->col, "MOV SS reads a word (2 bytes), not %.*s", (int)t->len, t->s);
		scn_next(p);
		t = scn_peek(p);
	} else {
		size = fixed_size ? fixed_size : 8;
	}
	if (!scn_parse_uint(p, NUM_HEX, 0, UINT64_MAX, "an address in the data area (0x40000000-0x4000003f)", &addr))
		return false;
	if (!vmx_data_area_holds(addr, size))
		return scn_fail_col(p, t->col, "an access of %u bytes at 0x%llx is outside the data area (0x40000000-0x4000003f), "
		                               "the only memory the model's programs read and write", size,
		                    (unsigned long long)addr);
	in->addr = addr;
	in->size = size;
	return true;
}

/* `store [SIZE] ADDR REG|VALUE`: a value must fit the store's immediate (a quadword's is 32 bits, sign-extended). */
static bool parse_store(struct parser *p, struct scn_insn *in)
{
	const struct tok *t;

	if (!parse_mem(p, in, 0))
		return false;
	t = scn_peek(p);
	if (!parse_source(p, in, false))
		return false;
	if (in->src == SCN_NO_REG &&
	    (in->size == 8 ? in->value > 0x7fffffffu && in->value < 0xffffffff80000000ull
	                   : in->value >> (8 * in->size) != 0))
		return scn_fail_col(p, t->col, "0x%llx does not fit the immediate of a %s store%s",
		                    (unsigned long long)in->value,
		                    in->size == 1 ? "byte" : in->size == 2 ? "word" : in->size == 4 ? "dword" : "qword",
		                    in->size == 8 ? " (32 bits, sign-extended; store a register instead)" : "");
	return true;
}

/*
 * dr0-dr7: the number, or -1. dr4 and dr5 are DR6 and DR7 with CR4.DE = 0
 * and #UD with CR4.DE = 1 (the processor decides, breakpoint.c).
 */
static int word_dr(const struct tok *t)
{
	static const char *const names[] = {"dr0", "dr1", "dr2", "dr3", "dr4", "dr5", "dr6", "dr7"};

	for (int i = 0; i < 8; i++)
		if (scn_tok_is(t, names[i]))
			return i;
	return -1;
}

/*
 * `mov DR REG|VALUE|LABEL`, `mov REG DR`: MOV to or from a debug register
 * (SDM Vol. 2 "MOV - Move to/from Debug Registers"). A constant DR7 the
 * model cannot run whatever CR4.DE is refused here; one in a register, a
 * DR5 (which is DR7 only with CR4.DE = 0) or an I/O breakpoint under
 * CR4.DE = 0, at the MOV.
 */
static bool parse_mov_dr(struct parser *p, struct scn_insn *in)
{
	const struct tok *t = scn_peek(p);
	int dr = word_dr(t);
	const char *why;

	in->op = SCN_OP_MOV_DR;
	if (dr >= 0) {
		in->dr = (uint32_t)dr;
		scn_next(p);
		t = scn_peek(p);
		if (!parse_source(p, in, true))
			return false;
		if (dr == 7 && in->src == SCN_NO_REG && !in->value_label &&
		    (why = dr7_not_modelled_any_cr4(in->value)) != NULL)
			return scn_fail_col(p, t->col, "not modelled: %s", why);
		if (dr >= 6 && in->src == SCN_NO_REG && !in->value_label && (in->value & DR_UPPER_RESERVED))
			return scn_fail_col(p, t->col, "DR%d bits 63:32 are reserved (the MOV would raise #GP)", dr);
		return true;
	}
	in->dr_from = true;
	if (!scn_parse_reg(p, &in->dst))
		return false;
	t = scn_peek(p);
	if ((dr = word_dr(t)) < 0)
		return scn_expected(p, "a debug register: dr0-dr7");
	in->dr = (uint32_t)dr;
	scn_next(p);
	return true;
}

/* Is the operand at the cursor, or (after a register) the one after it, a debug register? */
static bool mov_names_dr(const struct parser *p)
{
	const struct tok *t = scn_peek(p);

	if (word_dr(t) >= 0)
		return true;
	return t->kind == TK_WORD && word_dr(scn_peek2(p)) >= 0;
}

bool scn_word_to_op(const struct tok *t, enum scn_op *op)
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
	return scn_word_to_op(t, &op);
}

bool scn_op_takes_label(enum scn_op op)
{
	return ops[op].arg == ARG_LABEL || ops[op].arg == ARG_IDT_GATE;
}

bool scn_fail_unknown_insn(struct parser *p, const struct tok *t)
{
	return scn_fail_col(p, t->col, "unknown instruction '%.*s': expected " OPS
	                               ", idt, vmcs, vmcs-region, msr-bitmap, exit-handler, stack-unmapped, a label, "
	                               "or a statement "
	                               "(cpu, l0, vcpus, guest, at, every, on, run or expect)",
	                    (int)t->len, t->s);
}

struct scn_insn *scn_new_insn(struct parser *p, struct scn_guest *g, enum scn_op op, const struct tok *kw)
{
	struct scn_insn *in;

	if (ops[op].l1_only && g->level != SCN_L1) {
		scn_fail_col(p, kw->col, "'%s' is an L1 hypervisor instruction; a 'guest L2' block cannot use it",
		             scn_op_name(op));
		return NULL;
	}
	if (p->total_insns >= SCN_MAX_INSNS) {
		scn_fail_col(p, kw->col, "too many instructions (the limit is %u)", SCN_MAX_INSNS);
		return NULL;
	}
	if (!scn_grow(p, (void **)&g->insns, &p->cap_insns, g->ninsns, sizeof(*in), SCN_MAX_INSNS, "instructions"))
		return NULL;
	in = &g->insns[g->ninsns++];
	p->total_insns++;
	memset(in, 0, sizeof(*in));
	in->op = op;
	in->loc = scn_tok_loc(p, kw);
	in->field = -1;
	in->dst = in->src = SCN_NO_REG;
	return in;
}

bool scn_st_insn(struct parser *p, struct scn_guest *g, enum scn_op op)
{
	const struct tok *kw = scn_next(p), *t;
	const struct op_row *row = &ops[op];
	struct scn_insn *in = scn_new_insn(p, g, op, kw);
	size_t index = g->ninsns - 1;

	if (!in)
		return false;
	t = scn_peek(p);
	if (row->arg != ARG_NONE)
		in->arg_loc = scn_tok_loc(p, t);
	switch (row->arg) {
	case ARG_NONE:
		break;
	case ARG_TIME:
		if (!scn_parse_time_range(p, "a duration such as 1000 or 2us", SCN_VAR_WORK, (size_t)p->guest,
		                          index, &in->work, &in->varies, &in->var))
			return false;
		break;
	case ARG_CHOICE:
		if (!scn_parse_choice(p, (size_t)p->guest, index, kw->col, in))
			return false;
		break;
	case ARG_VECTOR:
		if (!scn_parse_vector(p, &in->vector))
			return false;
		break;
	case ARG_LABEL:
		if (!scn_parse_label_use(p, &in->label, &in->arg_loc))
			return false;
		break;
	case ARG_IPI:
		if (!scn_parse_cpu(p, "a destination vCPU such as cpu1", &in->cpu))
			return false;
		if (scn_tok_is(scn_peek(p), "nmi")) {
			in->nmi = true;
			scn_next(p);
		} else if (scn_tok_is(scn_peek(p), "init")) {
			in->init = true;
			scn_next(p);
		} else {
			uint64_t v = 0;
			const char *what = "a vector number 0-255, 'nmi', 'init' or 'sipi VECTOR'";
			if (scn_tok_is(scn_peek(p), "sipi")) {
				in->sipi = true;
				scn_next(p);
				what = "a SIPI vector 0-255 (the start-up page, vector << 12)";
			}
			if (!scn_parse_uint(p, NUM_HEX, 0, 255, what, &v))
				return false;
			in->vector = (uint32_t)v;
		}
		break;
	case ARG_FIELD: {
		int reg;
		/* `vmread FIELD` or `vmread REG FIELD`. */
		if (scn_word_is_reg(t, &reg) && !scn_parse_reg(p, &in->dst))
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
		if (scn_word_is_reg(t, &reg)) {
			if (!scn_parse_reg(p, &in->src))
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
		if (op == SCN_OP_MOV && mov_names_dr(p)) {
			if (!parse_mov_dr(p, in))
				return false;
			break;
		}
		if (!scn_parse_reg(p, &in->dst) || !parse_source(p, in, op == SCN_OP_MOV))
			return false;
		if ((op == SCN_OP_SHL || op == SCN_OP_SHR) && in->src == SCN_NO_REG && in->value > 63)
			return scn_fail_at(p, in->arg_loc, "a shift count is 0-63");
		break;
	case ARG_REG:
		if (!scn_parse_reg(p, &in->dst))
			return false;
		break;
	case ARG_REGS:
		if (!parse_record(p, in))
			return false;
		break;
	case ARG_REG_MSR:
		if (!scn_parse_reg(p, &in->dst) || !scn_parse_msr(p, SCN_MSR_USE_READ, &in->msr))
			return false;
		break;
	case ARG_MSR_SOURCE: {
		struct scn_loc vloc;
		if (!scn_parse_msr(p, SCN_MSR_USE_WRITE, &in->msr))
			return false;
		vloc = scn_tok_loc(p, scn_peek(p));
		if (!parse_source(p, in, false))
			return false;
		if (in->src == SCN_NO_REG && !scn_check_wrmsr_value(p, vloc, in->msr, in->value))
			return false;
		break;
	}
	case ARG_MSR_BITMAP:
		if (!scn_parse_msr_access(p, &in->write) || !scn_parse_msr(p, SCN_MSR_USE_BITMAP, &in->msr))
			return false;
		break;
	case ARG_PORT:
		if (!parse_port(p, &in->port))
			return false;
		break;
	case ARG_REG_PORT:
		if (!scn_parse_reg(p, &in->dst) || !parse_port(p, &in->port))
			return false;
		break;
	case ARG_CR_SOURCE:
		if (!parse_cr_source(p, in))
			return false;
		break;
	case ARG_SRC_REG:
		if (!scn_parse_reg(p, &in->src))
			return false;
		break;
	case ARG_IDT_GATE:
		if (!scn_parse_vector(p, &in->vector) || !scn_parse_label_use(p, &in->label, &in->arg_loc) ||
		    !scn_parse_gate(p, &in->gate))
			return false;
		break;
	case ARG_REGION:
	case ARG_REGION_OPT:
		if (!scn_parse_region_operand(p, in, row->arg == ARG_REGION_OPT))
			return false;
		break;
	case ARG_MEM_OPT:
		if (t->kind != TK_EOL && !parse_mem(p, in, 2))
			return false;
		break;
	case ARG_REG_MEM:
		if (!scn_parse_reg(p, &in->dst) || !parse_mem(p, in, 0))
			return false;
		break;
	case ARG_MEM_SOURCE:
		if (!parse_store(p, in))
			return false;
		break;
	}
	return scn_at_eol(p);
}
