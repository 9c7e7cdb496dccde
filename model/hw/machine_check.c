/* SPDX-License-Identifier: Apache-2.0 */
/*
 * machine_check.c - machine-check events at the processor (SDM Vol. 3A
 * "Machine-Check Architecture", "Interrupt 18 - Machine-Check Exception
 * (#MC)"; Vol. 3C "Machine-Check Events During VM Entry", "Machine-Check
 * Events During VM Exit"; rules R23, R24).
 *
 * The event is latched and acted on at the next instruction boundary,
 * before everything else (R24 level 1). Then:
 *
 * - CR4.MCE = 1 and IA32_MCG_STATUS.MCIP = 0: the processor sets MCIP and
 *   generates #MC (vector 18, hardware exception, no error code, benign
 *   for the double-fault classes). In VMX non-root operation bit 18 of the
 *   exception bitmap makes it a VM exit (reason 0, interruption
 *   information vector 18); otherwise it goes through the IDT of what runs.
 * - CR4.MCE = 0, or MCIP = 1 (a machine check inside the handling of the
 *   last one): the processor goes to the shutdown state. In non-root
 *   operation the SDM says the same - the logical processor goes to the
 *   shutdown state - and lists no VM exit for it (the triple-fault exit is
 *   for a triple fault), so the guest sleeps in shutdown in non-root
 *   operation, where only what wakes shutdown there (INIT, an NMI with NMI
 *   exiting) ends it.
 *
 * #MC is an abort: the SDM lets its frame hold an RIP that cannot restart.
 * The model's machine checks come from outside the processor and are taken
 * at an instruction boundary, so the frame's RIP is that boundary's, where
 * the program can restart, and the processor says so: RIPV = 1. EIPV = 0,
 * because no instruction caused the error.
 *
 * Machine checks within the latency of a VM entry or exit reach the
 * processor when that entry or exit has completed (events reach it only
 * between its steps): of the outcomes the SDM allows, the model takes the one
 * "handled after VM entry completes" - allowed because the model's entry
 * that gets past its checks always loads all guest state - and after a VM
 * exit, the one "handled after VM exit completes". So the model never
 * fails an entry with reason 41.
 *
 * What wakes: HLT, like an NMI or an interrupt (R23). Not shutdown: the
 * SDM lists what ends it (an NMI, an SMI, INIT, RESET) and has events
 * pending there handled after the wake event, so the latched machine check
 * waits (arbiter.c mce_held) and is taken at the first boundary after the
 * processor left shutdown - in non-root operation after the INIT or NMI
 * exit that woke the guest, in root operation. Nor does wait-for-SIPI
 * block it: the SDM's list of what that state blocks (Vol. 3C "Activity
 * State", after VM entry: external interrupts, NMIs, INIT, SMIs) leaves
 * machine checks out, and Linux boots every logical processor once so that
 * CR4.MCE is set on each, because a broadcast machine check that finds
 * CR4.MCE = 0 on a core still waiting for its SIPI shuts the machine down
 * (kernel/cpu.c, cpu_smt_allowed). So in wait-for-SIPI it acts as in HLT:
 * shutdown with CR4.MCE = 0 or MCIP = 1, else #MC - a VM exit that saves
 * wait-for-SIPI, or a delivery that makes the processor active.
 *
 * The error is logged in the processor's banks when it arrives
 * (mca_bank.c), which also decides whether it signals the event at all.
 */
#include "model/hw/lp_internal.h"
#include "vmcs/x86_cr.h"
#include "vmcs/x86_mcg.h"
#include "vmcs/x86_msr.h"

bool vmx_lp_machine_check(struct vmx_lp *lp, const struct x86_mce_record *err)
{
	if (!vmx_lp_mca_bank_exists(lp, err->bank))
		return false;
	/* Latched until taken; a second signal before then is the same event (mca_bank.c). */
	if (lp_mca_log(lp, err))
		lp->mce_latched = true;
	return true;
}

/* Pure: does this machine check shut the processor down (CR4.MCE = 0, or one in progress)? */
static bool mce_shuts_down(const struct vmx_lp *lp)
{
	return !(lp->cr4 & X86_CR4_MCE) || (lp->mcg_status & MCG_STATUS_MCIP);
}

static void shut_down(struct vmx_lp *lp)
{
	struct vmx_hw_event ev = {.kind = HW_SHUTDOWN, .rip = lp->ctx.rip, .vector = MC_VECTOR};

	lp->ctx.activity = GUEST_ACTIVITY_SHUTDOWN;
	lp_emit(lp, &ev);
}

enum lp_step lp_machine_check(struct vmx_lp *lp)
{
	struct vmx_event mc = {.type = INTR_TYPE_HARD_EXCEPTION, .vector = MC_VECTOR};

	lp->mce_latched = false;
	if (lp->ctx.activity == GUEST_ACTIVITY_HLT || lp->ctx.activity == GUEST_ACTIVITY_WAIT_SIPI) {
		/*
		 * R23: it leaves HLT, as an NMI does, and wait-for-SIPI, which
		 * blocks no machine check; the exit below saves the state it left,
		 * a delivery makes the processor active.
		 */
		struct vmx_hw_event ev = {.kind = HW_WAKE, .new_state = lp->ctx.activity, .rip = lp->ctx.rip};
		lp_emit(lp, &ev);
	}
	if (mce_shuts_down(lp)) {
		shut_down(lp);
		return lp->non_root ? LP_STEP_CONTINUE : LP_STEP_SHUTDOWN;
	}
	lp->mcg_status = MCG_STATUS_MCIP | MCG_STATUS_RIPV;
	return lp_raise_exception(lp, &mc, lp->ctx.rip, false);
}

enum vmx_mce_outcome vmx_lp_host_take_mce(struct vmx_lp *lp)
{
	if (lp->non_root || !lp->mce_latched || lp->ctx.activity == GUEST_ACTIVITY_SHUTDOWN)
		return VMX_MCE_NONE;   /* in shutdown it waits for what wakes the processor (arbiter.c mce_held) */
	lp->mce_latched = false;
	if (mce_shuts_down(lp)) {
		shut_down(lp);
		return VMX_MCE_SHUTDOWN;
	}
	lp->mcg_status = MCG_STATUS_MCIP | MCG_STATUS_RIPV;
	return VMX_MCE_TAKEN;
}

void vmx_lp_host_mce_end(struct vmx_lp *lp)
{
	if (!lp->non_root)
		lp->mcg_status = 0;
}

bool lp_mcg_status_read(const struct vmx_lp *lp, uint32_t msr, uint64_t *value)
{
	if (msr != MSR_IA32_MCG_STATUS)
		return false;
	*value = lp->mcg_status;
	return true;
}

bool lp_mcg_status_write(struct vmx_lp *lp, uint32_t msr, uint64_t value, bool *fault)
{
	if (msr != MSR_IA32_MCG_STATUS)
		return false;
	/* Software may set or clear the three flags; a reserved bit is #GP. */
	*fault = (value & MCG_STATUS_RESERVED) != 0;
	if (!*fault)
		lp->mcg_status = value;
	return true;
}
