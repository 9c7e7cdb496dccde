/* SPDX-License-Identifier: Apache-2.0 */
/*
 * debug.c - debug-exception traps: RFLAGS.TF single-stepping, I/O
 * breakpoints, the pending-debug-exceptions field at VM entry and at VM exit
 * (rules R12, R23, R24).
 *
 * lp->dbg_trap holds, in DR6's layout (B0-B3 in 3:0, BS in 14), the #DB trap
 * that is pending at the next instruction boundary (B0-B3 from I/O and data
 * breakpoints, breakpoint.c, or the pending-debug-exceptions field). It is
 * set before an instruction that starts with TF = 1 executes (SDM Vol. 3A
 * "Single-Step Exception Condition": the trap follows an instruction that
 * began with TF set, so not the one that sets TF, and still the one that
 * clears it) - with IA32_DEBUGCTL.BTF = 1 only before a taken branch - and
 * loaded from the pending-debug-exceptions field by a VM entry that injects
 * nothing (SDM Vol. 3C "Delivery of Pending Debug Exceptions after VM
 * Entry"). Any delivery through the IDT discards it: an instruction that
 * faults did not complete, and INT n, INT3, INT1 and INTO clear TF for their
 * handler and take no trap after themselves. The exception is the
 * data-breakpoint bits a MOV SS held: an INT n or INT3 right after it
 * carries them to its handler (deliver.c).
 *
 * At a boundary it is R24 level 4: below INIT and the MTF VM exit, above the
 * preemption timer, the NMI window, NMIs and interrupts. Blocking by MOV SS
 * holds it for one more instruction (the trap of that instruction joins it);
 * blocking by STI does not. It wakes HLT (R23). It is delivered as a
 * hardware exception (type 3, vector 1), or causes a VM exit when bit 1 of
 * the exception bitmap is set, with the pending bits as exit qualification
 * (SDM Vol. 3C "Exit Qualification for Debug Exceptions").
 *
 * A VM exit at a boundary where the trap is still pending - one above it in
 * priority (INIT, MTF), or any exit but a #DB exit while blocking by MOV SS
 * holds it - saves it in the pending-debug-exceptions field (SDM Vol. 3C
 * "Saving Non-Register State"); every other exit saves 0.
 *
 * A delivered trap writes its bits to DR6 and clears DR7.GD
 * (lp_debug_exception, which the faults of instruction breakpoints and
 * general detect share); one that causes a VM exit leaves DR6 and DR7 alone
 * (SDM Vol. 3C "Exit Qualification for Debug Exceptions"). Instruction
 * breakpoints (faults, R24 level 7), I/O breakpoints (B0-B3 added to the
 * trap after an IN or OUT) and general detect are breakpoint.c's.
 */
#include "model/hw/lp_internal.h"
#include "vmcs/x86_debugreg.h"
#include "vmcs/x86_gpr.h"
#include "vmcs/x86_msr.h"

#define DBG_B0_B3 0xfu
#define PENDING_DBG_ENABLED_BP 0x1000u   /* 12: an enabled breakpoint in B0-B3 */

/*
 * With IA32_DEBUGCTL.BTF = 1 the single-step trap follows only a taken
 * branch (SDM Vol. 3B "Single-Stepping on Branches"). Of the programs'
 * instructions those are JMP, a JCC whose condition holds and IRET; INT n,
 * INT3, INT1 and INTO transfer through the IDT, whose delivery discards the
 * trap anyway, and the VMX instructions that leave non-root operation take
 * no trap after themselves.
 */
static bool takes_branch(const struct vmx_lp *lp)
{
	uint64_t offset = 0;
	const struct vmx_insn *in = vmx_program_fetch(lp->ctx.mem ? lp->ctx.mem->prog : NULL, lp->ctx.rip, &offset);

	if (!in)
		return false;
	switch (in->op) {
	case VMX_OP_JMP:
	case VMX_OP_IRET:
		return true;
	case VMX_OP_JCC:
		return x86_cond_holds((enum x86_cond)in->arg2, lp->ctx.rflags);
	default:
		return false;
	}
}

void lp_debug_before_insn(struct vmx_lp *lp)
{
	if ((lp->ctx.rflags & X86_EFLAGS_TF) && (!(lp->debugctl & DEBUGCTLMSR_BTF) || takes_branch(lp)))
		lp->dbg_trap |= PENDING_DBG_BS;
}

bool lp_debug_trap_ready(const struct vmx_lp *lp)
{
	return lp->dbg_trap != 0 && !vmx_lp_movss_blocking(lp);
}

enum lp_step lp_debug_exception(struct vmx_lp *lp, uint32_t bits)
{
	struct vmx_event e = {INTR_TYPE_HARD_EXCEPTION, DB_VECTOR, false, 0, 0};

	if (lp->non_root && ((lp->ctl.exception_bitmap >> DB_VECTOR) & 1u)) {
		struct vmx_exit_info x = {.reason = EXIT_REASON_EXCEPTION_NMI, .qualification = bits,
		                          .intr_info = lp_event_info(&e)};
		lp_vmexit(lp, &x);
		return LP_STEP_EXIT;
	}
	/*
	 * Delivered, the #DB writes its conditions to DR6: B0-B3 are replaced;
	 * BD, BS and BT are only ever set (SDM "Debug Status Register (DR6)":
	 * the processor never clears them, software does).
	 */
	lp->dr6 = (lp->dr6 & ~(uint64_t)DR6_B0_B3) | (bits & DR6_WRITABLE) | DR6_FIXED_1;
	/*
	 * SDM "Debug Control Register (DR7)", GD: the processor clears GD as it
	 * enters the #DB handler, so that the handler may use the debug
	 * registers. A #DB that exits leaves it (27.1: such a #DB updates
	 * neither DR6 nor DR7.GD), and an injected #DB never comes here.
	 */
	lp->dr7 &= ~(uint64_t)DR7_GD;
	/*
	 * SDM Vol. 3B "Single-Stepping on Branches": generating a #DB clears
	 * BTF, so a debugger sets it again for the next branch. Like DR6 and
	 * DR7.GD it is left alone by a #DB that exits (the model's reading of
	 * 27.1, which spares those two).
	 */
	lp->debugctl &= ~(uint64_t)DEBUGCTLMSR_BTF;
	/*
	 * RIP is where the frame returns: past the instruction that trapped, or
	 * the instruction an instruction breakpoint stopped before it executed.
	 */
	return lp_deliver(lp, &e, lp->ctx.rip, false);
}

/*
 * IA32_DEBUGCTL by RDMSR and WRMSR (SDM Vol. 3B "Debug Control MSR";
 * Vol. 4, MSR 1D9H): the register the entry loads with the debug controls.
 * A write takes effect after the WRMSR: whether the WRMSR itself takes a
 * single-step trap was decided as it began (lp_debug_before_insn), with
 * the BTF it found.
 */
bool lp_debugctl_read(const struct vmx_lp *lp, uint32_t msr, uint64_t *value)
{
	if (msr != MSR_IA32_DEBUGCTL)
		return false;
	*value = lp->debugctl;
	return true;
}

bool lp_debugctl_write(struct vmx_lp *lp, uint32_t msr, uint64_t value, bool *fault, const char **refused)
{
	if (msr != MSR_IA32_DEBUGCTL)
		return false;
	*refused = NULL;
	*fault = (value & DEBUGCTL_RESERVED) != 0;
	if (*fault)
		return true;
	if ((value & (DEBUGCTL_TR | DEBUGCTL_BTS)) == (DEBUGCTL_TR | DEBUGCTL_BTS)) {
		*refused = DEBUGCTL_BTS_NOT_MODELLED;
		return true;
	}
	lp->debugctl = value;
	return true;
}

enum lp_step lp_debug_trap(struct vmx_lp *lp)
{
	uint32_t bits = lp->dbg_trap;

	lp->dbg_trap = 0;
	return lp_debug_exception(lp, bits);
}

/* Exits that keep a pending trap whatever the blocking: above it in R24, or trap-like. */
static bool exit_keeps_trap(uint32_t reason)
{
	switch (reason) {
	case EXIT_REASON_INIT_SIGNAL:
	case EXIT_REASON_MONITOR_TRAP_FLAG:
	case EXIT_REASON_TPR_BELOW_THRESHOLD:
	case EXIT_REASON_EOI_INDUCED:
	case EXIT_REASON_APIC_WRITE:
		return true;
	default:
		return false;
	}
}

static bool is_db_exit(uint32_t reason, uint32_t intr_info)
{
	return reason == EXIT_REASON_EXCEPTION_NMI && intr_info_valid(intr_info) &&
	       intr_info_vector(intr_info) == DB_VECTOR;
}

uint64_t lp_debug_save_at_exit(struct vmx_lp *lp, uint32_t reason, uint32_t intr_info)
{
	uint32_t bits = lp->dbg_trap;
	bool keep = exit_keeps_trap(reason) || (vmx_lp_movss_blocking(lp) && !is_db_exit(reason, intr_info));

	lp->dbg_trap = 0;
	if (!keep || !bits)
		return 0;
	return (bits & DBG_B0_B3) ? bits | PENDING_DBG_ENABLED_BP : bits;
}

void lp_debug_load_at_entry(struct vmx_lp *lp, uint64_t field, bool inject, uint32_t activity)
{
	/*
	 * SDM "Delivery of Pending Debug Exceptions after VM Entry": nothing is
	 * pending after an entry into shutdown or wait-for-SIPI, nor after one
	 * that injects an event (for a software interrupt or exception the SDM
	 * lets them be lost; the model always loses them). Otherwise BS, and
	 * B0-B3 when bit 12 says an enabled breakpoint matched, are a trap
	 * pending before the guest's first instruction.
	 */
	uint32_t keep = PENDING_DBG_BS | ((field & PENDING_DBG_ENABLED_BP) ? DBG_B0_B3 : 0u);
	bool ignored = inject || activity == GUEST_ACTIVITY_SHUTDOWN || activity == GUEST_ACTIVITY_WAIT_SIPI;

	lp->dbg_trap = ignored ? 0u : (uint32_t)field & keep;
}
