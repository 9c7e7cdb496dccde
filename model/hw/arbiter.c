/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arbiter.c - the one place that decides what happens at an instruction
 * boundary (SDM Vol. 3A 6.9 "Priority Among Concurrent Events" with the VMX
 * inserts of 25.2/25.5, rule R24), and which events leave HLT (R23).
 *
 * Highest first: RESET and a machine-check event (1, init_sipi.c and
 * machine_check.c), INIT (3), MTF VM exit (3.5), #DB trap (4, debug.c),
 * VMX-preemption timer (4.3), NMI-window exit (4.6), NMI (5),
 * interrupt-window exit and virtual-interrupt delivery (5.5), external
 * interrupt (6), which with "process posted interrupts" and the
 * notification vector is posted-interrupt processing instead of a VM exit
 * (30.6). Wake-up from HLT is not a separate list: the processor
 * leaves HLT exactly when this function returns something other than NONE.
 *
 * INIT and SIPI (25.2 "Other Causes of VM Exits"): INIT is blocked in VMX
 * root operation and in the wait-for-SIPI state, where it stays latched;
 * in non-root operation it causes a VM exit; outside VMX operation it
 * resets the processor. The wait-for-SIPI state blocks everything but a
 * SIPI: NMIs, interrupts, windows and the preemption timer all wait.
 */
#include "model/hw/vapic.h"

/* Physical NMI recognition: held off by MOV SS (and by STI on some parts). */
static bool nmi_shadowed(const struct vmx_lp *lp)
{
	return vmx_lp_movss_blocking(lp) || (lp->model.sti_blocks_nmi && vmx_lp_sti_blocking(lp));
}

static bool intr_shadowed(const struct vmx_lp *lp)
{
	return vmx_lp_sti_blocking(lp) || vmx_lp_movss_blocking(lp);
}

static bool if_set(const struct vmx_lp *lp)
{
	return (lp->ctx.rflags & X86_EFLAGS_IF) != 0;
}

/*
 * R23: a machine check does not wake the shutdown state. The SDM names what
 * does - an NMI, an SMI, INIT, RESET (Vol. 3A, "Interrupt 8 - Double Fault
 * Exception", on shutdown mode; in VMX non-root operation what those cause
 * instead) - and events pending in shutdown "are handled after a wake event
 * from shutdown is processed": the latched machine check waits, and is taken
 * at the first boundary after the processor left shutdown.
 */
static bool mce_held(const struct vmx_lp *lp)
{
	return lp->ctx.activity == GUEST_ACTIVITY_SHUTDOWN;
}

static enum vmx_decision arbitrate_root(const struct vmx_lp *lp)
{
	if (lp->mce_latched && !mce_held(lp))
		return VMX_DECIDE_MACHINE_CHECK;   /* R24 1: above INIT; wakes HLT (R23) */
	if (!lp->vmx_operation && lp->ctx.activity == GUEST_ACTIVITY_WAIT_SIPI)
		return lp->sipi_latched ? VMX_DECIDE_SIPI_STARTUP : VMX_DECIDE_NONE;
	/* In VMX root operation INIT is blocked: it waits for VMXOFF or a VM entry. */
	if (!lp->vmx_operation && lp->init_latched)
		return VMX_DECIDE_INIT_RESET;
	if (lp->ctx.activity == GUEST_ACTIVITY_WAIT_SIPI || lp->ctx.activity == GUEST_ACTIVITY_SHUTDOWN)
		return VMX_DECIDE_NONE;
	if (lp_debug_trap_ready(lp))
		return VMX_DECIDE_DEBUG_TRAP;   /* R24 4 */
	if (lp->nmi_latched && !lp->nmi_blocked && !nmi_shadowed(lp))
		return VMX_DECIDE_NMI_DELIVER;
	if (lapic_intr_pending(&lp->apic) && if_set(lp) && !intr_shadowed(lp))
		return VMX_DECIDE_EXTINT_DELIVER;
	return VMX_DECIDE_NONE;
}

/* R18: NMI-window exiting. */
static bool nmi_window_open(const struct vmx_lp *lp)
{
	if (!lp_proc(lp, CPU_BASED_NMI_WINDOW_EXITING) || lp->vnmi_blocked || vmx_lp_movss_blocking(lp))
		return false;
	return !(lp->model.nmi_window_blocked_by_sti && vmx_lp_sti_blocking(lp));
}

/* R2, R3, R15, R16: is a latched NMI recognised now? */
static bool nmi_recognised(const struct vmx_lp *lp)
{
	if (!lp->nmi_latched || nmi_shadowed(lp))
		return false;
	/* With virtual NMIs the processor never blocks NMIs in non-root operation. */
	if (lp_pin(lp, PIN_BASED_NMI_EXITING) && lp_pin(lp, PIN_BASED_VIRTUAL_NMIS))
		return true;
	return !lp->nmi_blocked;
}

enum vmx_decision vmx_arbitrate(const struct vmx_lp *lp)
{
	uint32_t act = lp->ctx.activity;
	bool active_or_hlt = act == GUEST_ACTIVITY_ACTIVE || act == GUEST_ACTIVITY_HLT;

	/*
	 * R24 1: RESET comes before everything, a machine check included, in
	 * every operation and activity state: nothing blocks it and VMX has no
	 * VM exit for it (init_sipi.c).
	 */
	if (lp->reset_latched)
		return VMX_DECIDE_RESET;
	if (!lp->non_root)
		return arbitrate_root(lp);
	if (lp->mce_latched && !mce_held(lp))
		return VMX_DECIDE_MACHINE_CHECK;   /* R24 1: above INIT; wakes HLT (R23) */
	if (act == GUEST_ACTIVITY_WAIT_SIPI)
		return lp->sipi_latched ? VMX_DECIDE_SIPI_EXIT : VMX_DECIDE_NONE;   /* INIT too is blocked */
	if (lp->init_latched)
		return VMX_DECIDE_INIT_EXIT;   /* R24 3: above MTF; wakes HLT and shutdown */

	if (lp->mtf_pending && active_or_hlt)
		return VMX_DECIDE_MTF_EXIT;
	if (lp_debug_trap_ready(lp) && active_or_hlt)
		return VMX_DECIDE_DEBUG_TRAP;   /* R24 4; wakes HLT (R23) */
	if (lp->timer_armed && lp->cycle >= lp->timer_deadline)
		return VMX_DECIDE_TIMER_EXIT;
	if (nmi_window_open(lp))
		return VMX_DECIDE_NMI_WINDOW_EXIT;
	if (nmi_recognised(lp)) {
		if (lp_pin(lp, PIN_BASED_NMI_EXITING))
			return VMX_DECIDE_NMI_EXIT;
		if (active_or_hlt)
			return VMX_DECIDE_NMI_DELIVER;
	}
	/*
	 * R19: IF = 1 and no STI/MOV-SS blocking; NMI blocking is irrelevant.
	 * Like an external interrupt it wakes HLT but not shutdown (SDM 26.7.5).
	 */
	if (active_or_hlt && lp_proc(lp, CPU_BASED_INTR_WINDOW_EXITING) && if_set(lp) && !intr_shadowed(lp))
		return VMX_DECIDE_INTR_WINDOW_EXIT;
	/*
	 * 30.2.2 (R24 5.5): a recognised virtual interrupt is delivered under
	 * the conditions of the interrupt window, which with window exiting = 1
	 * exits first; like it, it wakes HLT (R23).
	 */
	if (active_or_hlt && lp->vintr_recognised && lp_vid(lp) && !lp_proc(lp, CPU_BASED_INTR_WINDOW_EXITING) &&
	    if_set(lp) && !intr_shadowed(lp))
		return VMX_DECIDE_VINTR_DELIVER;
	if (active_or_hlt && lapic_intr_pending(&lp->apic) && !intr_shadowed(lp)) {
		/* R1: with external-interrupt exiting, RFLAGS.IF does not block. */
		if (lp_pin(lp, PIN_BASED_EXT_INTR_MASK))
			return lp_posted_intr_notification(lp) ? VMX_DECIDE_POSTED_INTR : VMX_DECIDE_EXTINT_EXIT;
		if (if_set(lp))
			return VMX_DECIDE_EXTINT_DELIVER;
	}
	return VMX_DECIDE_NONE;
}

const char *vmx_decision_name(enum vmx_decision d)
{
	switch (d) {
	case VMX_DECIDE_NONE: return "none";
	case VMX_DECIDE_RESET: return "reset";
	case VMX_DECIDE_MACHINE_CHECK: return "machine-check";
	case VMX_DECIDE_INIT_EXIT: return "init-exit";
	case VMX_DECIDE_SIPI_EXIT: return "sipi-exit";
	case VMX_DECIDE_INIT_RESET: return "init-reset";
	case VMX_DECIDE_SIPI_STARTUP: return "sipi-startup";
	case VMX_DECIDE_MTF_EXIT: return "mtf-exit";
	case VMX_DECIDE_DEBUG_TRAP: return "debug-trap";
	case VMX_DECIDE_TIMER_EXIT: return "preemption-timer-exit";
	case VMX_DECIDE_NMI_WINDOW_EXIT: return "nmi-window-exit";
	case VMX_DECIDE_NMI_EXIT: return "nmi-exit";
	case VMX_DECIDE_NMI_DELIVER: return "nmi-deliver";
	case VMX_DECIDE_INTR_WINDOW_EXIT: return "intr-window-exit";
	case VMX_DECIDE_VINTR_DELIVER: return "virtual-intr-deliver";
	case VMX_DECIDE_POSTED_INTR: return "posted-intr";
	case VMX_DECIDE_EXTINT_EXIT: return "extint-exit";
	case VMX_DECIDE_EXTINT_DELIVER: return "extint-deliver";
	}
	return "?";
}
