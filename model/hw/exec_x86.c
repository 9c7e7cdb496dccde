/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec_x86.c - the x86 instructions a VMX test provokes its exits with:
 * port I/O, MOV to CR3 and CR8, DIV, INTO, PAUSE, CPUID and RDTSC, and the
 * stores that change the IDT while the program runs (INT1 is exec.c's,
 * beside INT3).
 *
 * Each does in root operation what SDM Vol. 2 says, and in non-root
 * operation exits when its VM-execution control asks (Vol. 3C 26.1.3
 * "Instructions That Cause VM Exits Conditionally"), with the exit
 * qualification of 28.2.1 and the instruction length of 28.2.4. Programs
 * run at CPL 0 in 64-bit mode, so no privilege check ever fires first.
 * Section numbers are those of the 2023 SDM (VM exits are chapter 28;
 * older editions, cited elsewhere in the model, number them one lower).
 */
#include "model/hw/exec_regs.h"
#include "model/hw/vapic.h"

static uint64_t *gpr(struct vmx_lp *lp, uint8_t operand)
{
	return &lp->ctx.mem->gpr[VMX_REG_NUM(operand) % X86_NGPR];
}

/* The instruction completed without an exit: RIP moves past it. */
static enum lp_step done(struct vmx_lp *lp, const struct vmx_insn *in)
{
	lp->ctx.rip = in->addr + in->len;
	lp_complete(lp, 1, lp->model.insn_cycles);
	return LP_STEP_CONTINUE;
}

/*
 * The instruction needs something the model does not have. The processor
 * stops at it and says what, and the run reports it at the instruction's
 * line: a scenario that relies on it gets no answer rather than a made-up
 * one.
 */
enum lp_step lp_not_modelled(struct vmx_lp *lp, const struct vmx_insn *in, const char *what)
{
	struct vmx_hw_event ev = {.kind = HW_NOT_MODELLED, .rip = lp->ctx.rip, .insn = in->op, .check = what,
	                          .line = in->line};

	lp_emit(lp, &ev);
	return LP_STEP_NOT_MODELLED;
}

/* ---- port I/O ----------------------------------------------------------- */

#define IO_QUAL_IN (1u << 3)          /* direction: 1 = IN */
#define IO_QUAL_IMMEDIATE (1u << 6)   /* operand encoding: 1 = immediate, 0 = DX */

/*
 * Exit qualification for I/O instructions (SDM Vol. 3C 28.2.1, "Exit
 * Qualification for I/O Instructions"): bits 2:0 the size minus 1 (0, 1
 * or 3), bit 3 the direction, bit 4 string and bit 5 REP (never: the model
 * has no INS or OUTS), bit 6 the operand encoding, bits 31:16 the port.
 */
static uint64_t io_qualification(const struct vmx_insn *in)
{
	uint64_t q = vmx_io_size(in) - 1u;

	if (in->op == VMX_OP_IN)
		q |= IO_QUAL_IN;
	if (in->arg <= 0xff)
		q |= IO_QUAL_IMMEDIATE;
	return q | (in->arg & 0xffffu) << 16;
}

static enum lp_step do_io(struct vmx_lp *lp, const struct vmx_insn *in)
{
	if (lp->non_root) {
		/* With I/O bitmaps the bitmaps decide and unconditional I/O exiting is ignored (26.1.3). */
		if (lp_proc(lp, CPU_BASED_USE_IO_BITMAPS))
			return lp_not_modelled(lp, in, "I/O bitmaps (CPU_BASED_USE_IO_BITMAPS): the model keeps no memory "
			                            "for IO_BITMAP_A/B to point to");
		if (lp_proc(lp, CPU_BASED_UNCOND_IO_EXITING))
			return lp_insn_exit(lp, EXIT_REASON_IO_INSTRUCTION, io_qualification(in), in);
	}
	/* No device answers: a read floats to all ones, in AL, AX or EAX (vmx_in_floating). */
	if (in->op == VMX_OP_IN) {
		uint64_t *reg = gpr(lp, in->dst);
		*reg = vmx_in_floating(*reg, vmx_io_size(in));
	}
	/* Completed without an exit: an I/O breakpoint on a port it moved is a trap after it (R24 level 4). */
	lp_io_breakpoint(lp, (uint32_t)(in->arg & 0xffffu), vmx_io_size(in));
	return done(lp, in);
}

/* ---- MOV to CR3, MOV to CR8 --------------------------------------------- */

/*
 * Bits a MOV to CR may not set: CR8 bits 63:4 (the TPR class is bits 3:0);
 * CR3 bits 63:52 (above any physical-address width, and bit 63 means
 * something only with CR4.PCIDE, which the model does not have).
 */
bool vmx_mov_cr_valid(uint32_t cr, uint64_t value)
{
	return !(value & (cr == 8 ? ~(uint64_t)0xf : ~(((uint64_t)1 << 52) - 1)));
}

bool vmx_cr3_target_hit(const struct vmcs *v, uint64_t value)
{
	static const enum vmcs_field targets[] = {CR3_TARGET_VALUE0, CR3_TARGET_VALUE1, CR3_TARGET_VALUE2,
	                                          CR3_TARGET_VALUE3};
	uint32_t n = vmcs_get32(v, CR3_TARGET_COUNT);

	for (uint32_t i = 0; i < n && i < 4; i++)
		if (vmcs_get(v, targets[i]) == value)
			return true;
	return false;
}

/*
 * 26.1.3: MOV to CR3 exits with CR3-load exiting unless the value is one of
 * the first CR3-target-count CR3-target values. MOV to CR8 exits with
 * CR8-load exiting; that check comes before TPR virtualization (30.3), so
 * "use TPR shadow" does not turn the exit off.
 */
static bool mov_cr_exits(const struct vmx_lp *lp, uint32_t cr, uint64_t value)
{
	if (cr == 3)
		return lp_proc(lp, CPU_BASED_CR3_LOAD_EXITING) && !vmx_cr3_target_hit(lp->vmcs, value);
	return lp_proc(lp, CPU_BASED_CR8_LOAD_EXITING);
}

/* 30.3: with "use TPR shadow" a MOV to CR8 writes VTPR; then TPR virtualization (30.1.2, vapic.c). */
static enum lp_step write_vtpr(struct vmx_lp *lp, const struct vmx_insn *in, uint64_t value)
{
	lp->vmcs->vapic.tpr = (uint32_t)((value & 0xf) << 4);   /* VTPR[7:4] = CR8[3:0], the rest 0 */
	done(lp, in);
	return lp_vapic_tpr_written(lp);
}

static enum lp_step do_mov_cr(struct vmx_lp *lp, const struct vmx_insn *in)
{
	uint32_t cr = (uint32_t)in->arg, reg = VMX_REG_NUM(in->src) % X86_NGPR;
	uint64_t value;

	/* `mov-cr8 VALUE` is MOV RAX, VALUE and MOV CR8, RAX in one line: RAX is loaded either way. */
	if (in->dst)
		*gpr(lp, in->dst) = in->arg2;
	value = lp->ctx.mem->gpr[reg];
	/*
	 * Exit qualification for control-register accesses (28.2.1): bits 3:0
	 * the CR, bits 5:4 the access type (0: MOV to CR), bits 11:8 the
	 * source register.
	 */
	if (lp->non_root && mov_cr_exits(lp, cr, value))
		return lp_insn_exit(lp, EXIT_REASON_CR_ACCESS, cr | (uint64_t)reg << 8, in);
	if (!vmx_mov_cr_valid(cr, value))
		return lp_fault(lp, GP_VECTOR, true, 0, false);
	if (cr == 3) {
		lp->ctx.mem->cr3 = value;
		return done(lp, in);
	}
	if (lp->non_root && lp_proc(lp, CPU_BASED_TPR_SHADOW))
		return write_vtpr(lp, in, value);
	/* Outside VMX, or a guest given the real TPR: the local APIC's priority class. */
	lp->apic.tpr = (uint8_t)(value << 4);
	return done(lp, in);
}

/* ---- DIV, INTO ---------------------------------------------------------- */

/*
 * DIV r64: RDX:RAX divided by the register, quotient to RAX and remainder
 * to RDX. A zero divisor, or a quotient wider than 64 bits (RDX >= the
 * divisor), is #DE: a fault, vector 0, no error code. The flags are
 * undefined after DIV; the model leaves them as they were.
 */
static enum lp_step do_div(struct vmx_lp *lp, const struct vmx_insn *in)
{
	uint64_t *rax = &lp->ctx.mem->gpr[0], *rdx = &lp->ctx.mem->gpr[2];
	uint64_t divisor = *gpr(lp, in->src);
	__uint128_t dividend;

	if (divisor == 0 || *rdx >= divisor)
		return lp_fault(lp, DE_VECTOR, false, 0, false);
	dividend = ((__uint128_t)*rdx << 64) | *rax;
	*rax = (uint64_t)(dividend / divisor);
	*rdx = (uint64_t)(dividend % divisor);
	return done(lp, in);
}

/* ---- CPUID, RDTSC, PAUSE ------------------------------------------------ */

void vmx_cpuid(uint32_t leaf, bool vmx, uint64_t regs[4])
{
	regs[0] = regs[1] = regs[2] = regs[3] = 0;
	if (leaf == 1 && vmx)
		regs[2] = 1u << 5;   /* CPUID.1:ECX.VMX[bit 5] */
}

static enum lp_step do_cpuid(struct vmx_lp *lp, const struct vmx_insn *in)
{
	uint64_t *r = lp->ctx.mem->gpr, out[4];

	/* 26.1.2: CPUID exits unconditionally in non-root operation. */
	if (lp->non_root)
		return lp_insn_exit(lp, EXIT_REASON_CPUID, 0, in);
	/* Every CPU model has VMX; the results go to EAX, EBX, ECX, EDX, zero-extended. */
	vmx_cpuid((uint32_t)r[0], true, out);
	r[0] = out[0];
	r[3] = out[1];   /* RBX is register 3 */
	r[1] = out[2];   /* RCX is register 1 */
	r[2] = out[3];
	return done(lp, in);
}

static enum lp_step do_rdtsc(struct vmx_lp *lp, const struct vmx_insn *in)
{
	uint64_t tsc = lp->cycle;   /* the model's clock is the TSC */

	if (lp->non_root && lp_proc(lp, CPU_BASED_RDTSC_EXITING))
		return lp_insn_exit(lp, EXIT_REASON_RDTSC, 0, in);
	/* 26.3 "TSC offsetting": RDTSC in non-root operation adds TSC_OFFSET (no TSC scaling in the model). */
	if (lp->non_root && lp_proc(lp, CPU_BASED_USE_TSC_OFFSETTING))
		tsc += vmcs_get(lp->vmcs, TSC_OFFSET);
	*gpr(lp, in->dst) = tsc;
	return done(lp, in);
}

static enum lp_step do_pause(struct vmx_lp *lp, const struct vmx_insn *in)
{
	if (lp->non_root) {
		/* 26.1.3, at CPL 0: PAUSE exiting wins; PAUSE-loop exiting applies only without it. */
		if (lp_proc(lp, CPU_BASED_PAUSE_EXITING))
			return lp_insn_exit(lp, EXIT_REASON_PAUSE_INSTRUCTION, 0, in);
		if (lp_proc2(lp, SECONDARY_EXEC_PAUSE_LOOP_EXITING))
			return lp_not_modelled(lp, in, "PAUSE-loop exiting (SECONDARY_EXEC_PAUSE_LOOP_EXITING): the model "
			                            "has no PLE_GAP/PLE_WINDOW timing");
	}
	return done(lp, in);   /* a spin-loop hint: nothing else happens */
}

enum lp_step lp_exec_x86(struct vmx_lp *lp, const struct vmx_insn *in)
{
	switch (in->op) {
	case VMX_OP_IN:
	case VMX_OP_OUT:
		return do_io(lp, in);
	case VMX_OP_MOV_CR:
		return do_mov_cr(lp, in);
	case VMX_OP_DIV:
		return do_div(lp, in);
	case VMX_OP_INTO:
		/* SDM Vol. 2A INTO: "#UD If in 64-bit mode", whatever OF is; a fault. */
		return lp_fault(lp, UD_VECTOR, false, 0, false);
	case VMX_OP_CPUID:
		return do_cpuid(lp, in);
	case VMX_OP_RDTSC:
		return do_rdtsc(lp, in);
	case VMX_OP_PAUSE:
		return do_pause(lp, in);
	case VMX_OP_SET_IDT:
	case VMX_OP_CLEAR_IDT: {
		/* Plain stores to the IDT: nothing exits, the next delivery through the vector sees them. */
		struct vmx_gate *g = &lp->ctx.mem->idt[in->arg & 0xff];
		g->type = in->op == VMX_OP_SET_IDT ? (enum vmx_gate_type)(in->arg >> 8) : VMX_GATE_NONE;
		g->handler = in->op == VMX_OP_SET_IDT ? in->arg2 : 0;
		vmx_guest_mem_stamp(lp->ctx.mem, &lp->ctx.mem->idt_stamp);
		return done(lp, in);
	}
	default:
		return lp_fault(lp, UD_VECTOR, false, 0, false);
	}
}
