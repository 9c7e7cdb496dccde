/* SPDX-License-Identifier: Apache-2.0 */
/*
 * refuse_insn.c - the instructions the oracle cannot run as vmxsim does,
 * and what the compiler does with each operation of the processor model.
 *
 * An instruction is compiled to one effective x86 instruction with the real
 * semantics, with set-up and restore code around it (emit_*.c). It is
 * refused when the real instruction would do something vmxsim's does not:
 * reach a device of Bochs's, load page tables, reset the processor, count
 * time; or when the code around it would be seen (monitor trap flag) or
 * x86 differs from vmxsim's model in a way the case cannot hide (IRETQ does
 * not drop an error code).
 */
#include "oracle/scn2asm/scn2asm_internal.h"
#include "vmcs/x2apic_timer.h"
#include "vmcs/x86_msr.h"

static const enum scn2asm_support support[VMX_OP_COUNT] = {
    [VMX_OP_WORK] = SCN2ASM_COMPILED,      [VMX_OP_NOP] = SCN2ASM_COMPILED,
    [VMX_OP_STI] = SCN2ASM_COMPILED,       [VMX_OP_CLI] = SCN2ASM_COMPILED,
    [VMX_OP_MOV_SS] = SCN2ASM_CONDITIONAL, [VMX_OP_IRET] = SCN2ASM_CONDITIONAL,   /* from AX; error codes */
    [VMX_OP_HLT] = SCN2ASM_COMPILED,       [VMX_OP_INT] = SCN2ASM_COMPILED,
    [VMX_OP_INT3] = SCN2ASM_COMPILED,      [VMX_OP_UD2] = SCN2ASM_COMPILED,
    [VMX_OP_VMCALL] = SCN2ASM_COMPILED,    [VMX_OP_EOI] = SCN2ASM_CONDITIONAL,     /* monitor trap flag */
    [VMX_OP_JMP] = SCN2ASM_COMPILED,       [VMX_OP_IPI] = SCN2ASM_CONDITIONAL,     /* INIT, SIPI */
    [VMX_OP_VMLAUNCH] = SCN2ASM_COMPILED,  [VMX_OP_VMRESUME] = SCN2ASM_COMPILED,
    [VMX_OP_VMREAD] = SCN2ASM_COMPILED,    [VMX_OP_VMWRITE] = SCN2ASM_CONDITIONAL, /* runtime fields, values */
    [VMX_OP_MOV] = SCN2ASM_COMPILED,       [VMX_OP_ADD] = SCN2ASM_CONDITIONAL,     /* wide immediates: MTF */
    [VMX_OP_SUB] = SCN2ASM_CONDITIONAL,    [VMX_OP_AND] = SCN2ASM_CONDITIONAL,
    [VMX_OP_OR] = SCN2ASM_CONDITIONAL,     [VMX_OP_XOR] = SCN2ASM_CONDITIONAL,
    [VMX_OP_SHL] = SCN2ASM_CONDITIONAL,    [VMX_OP_SHR] = SCN2ASM_CONDITIONAL,
    [VMX_OP_INC] = SCN2ASM_COMPILED,       [VMX_OP_DEC] = SCN2ASM_COMPILED,
    [VMX_OP_CMP] = SCN2ASM_CONDITIONAL,    [VMX_OP_TEST] = SCN2ASM_CONDITIONAL,
    [VMX_OP_JCC] = SCN2ASM_COMPILED,       [VMX_OP_RECORD] = SCN2ASM_CONDITIONAL,
    [VMX_OP_RDMSR] = SCN2ASM_CONDITIONAL,  [VMX_OP_IN] = SCN2ASM_CONDITIONAL,      /* devices */
    [VMX_OP_OUT] = SCN2ASM_CONDITIONAL,    [VMX_OP_MOV_CR] = SCN2ASM_CONDITIONAL,  /* CR3 */
    [VMX_OP_DIV] = SCN2ASM_COMPILED,       [VMX_OP_INTO] = SCN2ASM_COMPILED,
    [VMX_OP_INT1] = SCN2ASM_COMPILED,      [VMX_OP_PAUSE] = SCN2ASM_COMPILED,
    [VMX_OP_CPUID] = SCN2ASM_COMPILED,     [VMX_OP_RDTSC] = SCN2ASM_CONDITIONAL,
    [VMX_OP_SET_IDT] = SCN2ASM_CONDITIONAL, [VMX_OP_CLEAR_IDT] = SCN2ASM_CONDITIONAL,
    [VMX_OP_WRMSR] = SCN2ASM_CONDITIONAL,  /* the APIC timer */
    [VMX_OP_MSR_BITMAP] = SCN2ASM_COMPILED,
    [VMX_OP_VAPIC_STORE] = SCN2ASM_NEVER,  /* vapic-irr, vapic-isr, vapic-tpr, pi-post: not compiled yet */
    [VMX_OP_VMXON] = SCN2ASM_COMPILED,     [VMX_OP_VMXOFF] = SCN2ASM_COMPILED,
    [VMX_OP_VMCLEAR] = SCN2ASM_COMPILED,   [VMX_OP_VMPTRLD] = SCN2ASM_COMPILED,
    [VMX_OP_VMPTRST] = SCN2ASM_COMPILED,
    [VMX_OP_MOV_DR] = SCN2ASM_CONDITIONAL, /* no breakpoint enabled (x86 debugger) */
    [VMX_OP_LOAD] = SCN2ASM_NEVER,         /* the data area: not mapped by the runtime */
    [VMX_OP_STORE] = SCN2ASM_NEVER,
};

enum scn2asm_support scn2asm_op_support(enum vmx_op op)
{
	return (unsigned)op < VMX_OP_COUNT ? support[op] : SCN2ASM_UNKNOWN;
}

/* The port Bochs gives POST codes: writing it is harmless, and every case may. */
#define POST_PORT 0x80u
/* Where the runtime reports (case_abi.h): a case must never write it. */
#define REPORT_PORT 0xe9u

static bool check_regs(const struct s2a *c, const struct scn_insn *in)
{
	uint32_t used = in->regs;

	if (in->dst != SCN_NO_REG)
		used |= 1u << (unsigned)in->dst;
	if (in->src != SCN_NO_REG)
		used |= 1u << (unsigned)in->src;
	for (unsigned r = S2A_SCRATCH_FIRST; r < 16; r++)
		if (used & (1u << r))
			return s2a_refuse(c, s2a_reg_loc(c, in, r), "%s: R13, R14 and R15 are the compiled case's scratch "
			                  "registers (case_abi.h)", s2a_reg64(r));
	return true;
}

static bool check_io(const struct s2a *c, int p, const struct scn_insn *in)
{
	if (in->port == REPORT_PORT)
		return s2a_refuse(c, in->arg_loc, "port 0xe9 is where the runtime reports");
	bool out = in->op == SCN_OP_OUT || in->op == SCN_OP_OUTW || in->op == SCN_OP_OUTL;

	if (in->op == SCN_OP_OUT && in->port == POST_PORT)
		return true;
	if (p == 2 && c->io_exits)
		return true;   /* unconditional I/O exiting: the access never reaches a device */
	return s2a_refuse(c, out ? in->arg_loc : in->loc, "%s of port 0x%x may reach a device of Bochs's (vmxsim's ports have none: "
	                  "reads give all ones); compiled are 'out 0x80', and L2's port I/O under "
	                  "CPU_BASED_UNCOND_IO_EXITING", out ? "OUT" : "IN", in->port);
}

static bool check_insn(struct s2a *c, int p, uint32_t i)
{
	const struct scn_insn *in = &c->p[p].g->insns[i];

	if (!check_regs(c, in))
		return false;
	switch (in->op) {
	case SCN_OP_IPI:
		if (in->init || in->sipi)
			return s2a_refuse(c, in->arg_loc, "an %s IPI: the runtime does not survive a processor reset",
			                  in->init ? "INIT" : "start-up");
		break;
	case SCN_OP_VAPIC_IRR:
	case SCN_OP_VAPIC_ISR:
	case SCN_OP_VAPIC_TPR:
	case SCN_OP_PI_POST:
		return s2a_refuse(c, in->loc, "'%s': a store to the virtual-APIC page or the posted-interrupt descriptor "
		                  "(vmxsim keeps them beside the VMCS; the compiler does not map such pages yet)",
		                  scn_op_name(in->op));
	case SCN_OP_LOAD:
	case SCN_OP_STORE:
	case SCN_OP_MOV_SS:
		if (in->op == SCN_OP_MOV_SS && !in->size)
			break;
		return s2a_refuse(c, in->loc, "'%s' of the data area (0x40000000): the runtime's page tables do not map "
		                  "it, and Debian's Bochs checks data breakpoints only with --enable-x86-debugger",
		                  scn_op_name(in->op));
	case SCN_OP_MOV_DR:
		if (!in->dr_from && in->value_label)
			return s2a_refuse(c, in->arg_loc, "MOV to DR%u of a label: its address is vmxsim's, and the case's code "
			                  "is elsewhere (a breakpoint on it would need --enable-x86-debugger too)", in->dr);
		if (!in->dr_from && (in->dr == 5 || in->dr == 7) && (in->src != SCN_NO_REG || (in->value & 0xffu)))
			return s2a_refuse(c, in->arg_loc, "MOV to DR%u %s: Debian's Bochs checks breakpoints only with "
			                  "--enable-x86-debugger (compiled are values with L0-G3 clear)", in->dr,
			                  in->src != SCN_NO_REG ? "from a register (it may enable a breakpoint)"
			                                        : "that enables a breakpoint");
		break;
	case SCN_OP_RDMSR:
		if (in->msr >= MSR_IA32_X2APIC_TPR && in->msr <= MSR_IA32_X2APIC_IRR7)
			return s2a_refuse(c, in->loc, "RDMSR of %s: the local APIC's priority and request registers are not "
			                  "compiled yet", x86_msr_name(in->msr));
		break;
	case SCN_OP_WRMSR:
		if (in->msr == MSR_IA32_X2APIC_TPR || in->msr == MSR_IA32_X2APIC_SELF_IPI)
			return s2a_refuse(c, in->loc, "WRMSR of %s: not compiled yet", x86_msr_name(in->msr));
		if (in->msr == MSR_IA32_X2APIC_INIT_COUNT && (in->src != SCN_NO_REG || in->value))
			return s2a_refuse(c, in->loc, "the local APIC timer ('apic-timer', a WRMSR of the initial count) "
			                  "counts time, which has no instruction-boundary equivalent on Bochs");
		break;
	case SCN_OP_IN:
	case SCN_OP_OUT:
	case SCN_OP_INW:
	case SCN_OP_INL:
	case SCN_OP_OUTW:
	case SCN_OP_OUTL:
		if (!check_io(c, p, in))
			return false;
		break;
	case SCN_OP_MOV_CR3:
		if (p == 1)
			return s2a_refuse(c, in->loc, "MOV to CR3 in root operation would load the runtime's page tables "
			                  "(vmxsim does no paging)");
		if (c->cr3_may_load)
			return s2a_refuse(c, in->loc, "MOV to CR3 that a CR3-target value lets execute would load page "
			                  "tables L2 does not have (vmxsim does no paging)");
		break;
	case SCN_OP_VMWRITE:
		if (!s2a_check_vmwrite(c, in))
			return false;
		break;
	default:
		break;
	}
	if (p == 2 && c->mtf_possible && !s2a_single_x86(c, p, i))
		return s2a_refuse(c, in->loc, "'%s' while the monitor trap flag may be set: it is several x86 "
		                  "instructions, each would take its own MTF exit", scn_op_name(in->op));
	return true;
}

/* ---- IRETQ and error codes -------------------------------------------- */

static bool errcode_vector(const struct s2a *c, uint32_t v)
{
	return (c->errcode_vectors[v / 32u] >> (v % 32u)) & 1u;
}

/*
 * vmxsim's IRET drops an error code the delivery pushed (guest_mem.h
 * struct vmx_frame); IRETQ pops RIP from where the error code is. An IRET
 * that the handler of such a vector can reach is refused: the case cannot
 * tell at run time whether the frame has one.
 */
static bool check_iret_from(const struct s2a *c, int p, uint32_t start, uint32_t vector, struct scn_loc gate_loc)
{
	const struct s2a_prog *pr = &c->p[p];
	uint8_t seen[SCN_MAX_INSNS / 8] = {0};
	uint32_t stack[64], n = 0;

	if (start >= pr->count)
		return true;
	stack[n++] = start;
	while (n) {
		uint32_t i = stack[--n];
		const struct scn_insn *in;

		if (i >= pr->count || ((uint32_t)seen[i / 8] >> (i % 8)) & 1u)
			continue;
		seen[i / 8] |= (uint8_t)(1u << (i % 8));
		in = &pr->g->insns[i];
		if (in->op == SCN_OP_IRET)
			return s2a_refuse(c, in->loc, "IRET reachable from the handler of vector %u (gate at line %u), which "
			                  "may be delivered with an error code: vmxsim's IRET drops it, IRETQ does not",
			                  vector, gate_loc.line);
		if (in->op == SCN_OP_HLT && p == 1)
			continue;   /* the case ends there */
		if (n + 2 > sizeof(stack) / sizeof(stack[0]))
			return s2a_refuse(c, gate_loc, "the handler of vector %u branches too much to follow", vector);
		switch (in->op) {
		case SCN_OP_JMP:
		case SCN_OP_CHOOSE:
			stack[n++] = in->target;
			break;
		case SCN_OP_JE: case SCN_OP_JNE: case SCN_OP_JZ: case SCN_OP_JNZ: case SCN_OP_JB:
		case SCN_OP_JAE: case SCN_OP_JC: case SCN_OP_JNC: case SCN_OP_JBE: case SCN_OP_JA:
			stack[n++] = in->target;
			stack[n++] = i + 1;
			break;
		default:
			stack[n++] = i + 1;
			break;
		}
	}
	return true;
}

static bool check_irets(const struct s2a *c, int p)
{
	const struct scn_guest *g = c->p[p].g;

	for (size_t k = 0; k < g->nidt; k++)
		if (errcode_vector(c, g->idt[k].vector) && !check_iret_from(c, p, g->idt[k].target, g->idt[k].vector,
		                                                            g->idt[k].loc))
			return false;
	for (uint32_t i = 0; i < c->p[p].count; i++) {
		const struct scn_insn *in = &g->insns[i];
		if (in->op == SCN_OP_SET_IDT && errcode_vector(c, in->vector) &&
		    !check_iret_from(c, p, in->target, in->vector, in->loc))
			return false;
	}
	return true;
}

/*
 * What the runtime loads (oracle/payload/link.ld): text, rodata and data
 * in 480 KiB, the runtime's own included. A work block is one byte a unit;
 * no other instruction compiles to more than this.
 */
#define PAYLOAD_CASE_BYTES (448u * 1024u)
#define MAX_EXPANSION_BYTES 64u

static bool check_size(const struct s2a *c)
{
	uint64_t bytes = 0, biggest = 0;
	struct scn_loc where = c->p[1].g->loc;

	for (int p = 1; p <= 2; p++)
		for (uint32_t i = 0; i < c->p[p].count; i++) {
			uint64_t n = c->p[p].insn[i].op == VMX_OP_WORK ? c->p[p].insn[i].len : MAX_EXPANSION_BYTES;
			bytes += n;
			if (n > biggest) {
				biggest = n;
				where = c->p[p].g->insns[i].arg_loc.line ? c->p[p].g->insns[i].arg_loc : c->p[p].g->insns[i].loc;
			}
		}
	if (bytes > PAYLOAD_CASE_BYTES)
		return s2a_refuse(c, where, "about %llu KiB of code, more than the payload loads (480 KiB with the "
		                  "runtime): shorten the work blocks", (unsigned long long)(bytes / 1024u));
	return true;
}

bool s2a_check_insns(struct s2a *c)
{
	if (!check_size(c))
		return false;
	for (int p = 1; p <= 2; p++) {
		for (uint32_t i = 0; i < c->p[p].count; i++) {
			if (scn2asm_op_support(c->p[p].insn[i].op) == SCN2ASM_UNKNOWN)
				return s2a_refuse(c, c->p[p].g->insns[i].loc, "'%s': the compiler does not know this operation",
				                  scn_op_name(c->p[p].g->insns[i].op));
			if (!check_insn(c, p, i))
				return false;
		}
		if (!check_irets(c, p))
			return false;
	}
	return true;
}
