/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nested_events.c - today's KVM deciding, in guest mode, which of L1's
 * events ends L2's run (vmx_check_nested_events), the nested rules of the
 * "is an event allowed now" hooks (vmx_nmi_allowed, vmx_interrupt_allowed
 * and their *_blocked halves), and the immediate exit that -EBUSY turns
 * into. kvm_inject.c calls these from kvm_check_and_inject_events(); the
 * 2011 path is nested.c's nested_inject_events().
 */
#include "model/l0/kvm/kvm.h"

#include "vmcs/x86_debugreg.h"

/* An NMI, interrupt or event the last exit cut short, going in again: new events wait behind it. */
static bool reinjecting(const struct kvm_vcpu *k)
{
	return k->nmi_injected || k->interrupt_pending || k->reinject_info;
}

/*
 * An event the last exit cut short must be delivered before any new one
 * (kvm_event_needs_reinjection). Past the injection an exception in the
 * entry field counts too: it is injected now, where before it was only
 * pending (vmx_check_nested_events asks before, reinjecting()).
 */
bool kvm_event_needs_reinjection(const struct kvm_vcpu *k)
{
	return reinjecting(k) || k->exception_queued;
}

/* L1's VMLAUNCH/VMRESUME still to be completed by an entry of L2 (the `-run-pending-check` ablation ignores it). */
static bool run_pending(const struct kvm_vcpu *k)
{
	return k->nested_run_pending && k->sw_run_pending_check;
}

static bool nested_checks(const struct kvm_vcpu *k)
{
	return k->guest_mode && k->era->nested_check_events;
}

/* An NMI with L1 exiting on NMIs is never blocked in L2: it is an exit, which nothing in L2 holds off. */
bool vmx_nmi_blocked(struct kvm_vcpu *k)
{
	if (nested_checks(k) && nested_exit_on_nmi(k))
		return false;
	return !vmx_nmi_allowed(k);
}

bool vmx_interrupt_blocked(struct kvm_vcpu *k)
{
	if (nested_checks(k) && nested_exit_on_intr(k))
		return false;
	return !vmx_interrupt_allowed(k);
}

/*
 * Today's vmx_nmi_allowed(): busy while L1's entry is pending (L2 must see
 * the entry L1 asked for, with its event, before anything else), and,
 * for an injection, while the NMI belongs to L1 as an exit.
 */
enum kvm_allowed vmx_nmi_allowed_now(struct kvm_vcpu *k, bool for_injection)
{
	if (run_pending(k))
		return KVM_BUSY;
	if (for_injection && nested_checks(k) && nested_exit_on_nmi(k))
		return KVM_BUSY;
	return vmx_nmi_blocked(k) ? KVM_NOT_ALLOWED : KVM_ALLOWED;
}

enum kvm_allowed vmx_interrupt_allowed_now(struct kvm_vcpu *k, bool for_injection)
{
	if (run_pending(k))
		return KVM_BUSY;
	if (for_injection && nested_checks(k) && nested_exit_on_intr(k))
		return KVM_BUSY;
	return vmx_interrupt_blocked(k) ? KVM_NOT_ALLOWED : KVM_ALLOWED;
}

void vmx_set_nmi_mask(struct kvm_vcpu *k, bool masked)
{
	if (!cpu_has_virtual_nmis(k)) {
		vmx_set_soft_vnmi_blocked(k, masked, masked ? "NMI exit to L1: NMIs blocked as after a real one"
		                                            : "NMI unmasked");
		k->lv->vnmi_blocked_cycles = 0;
	} else if (masked) {
		vmcs_set_bits(k->b.loaded, GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
	} else {
		vmcs_clear_bits(k->b.loaded, GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
	}
}

/* L1's preemption timer expired while L0 held L2 in an emulated HLT (nested_vmx_preemption_timer_pending). */
static bool nested_timer_expired(const struct kvm_vcpu *k)
{
	return k->guest_mode && k->l2_timer_deadline <= k->b.env.lp->cycle;
}

/*
 * What needs an exit of L2 although nothing is injected (vmx_has_nested_events):
 * a pending MTF exit, and L1's preemption timer expired while L2 waited in
 * an emulated HLT. Otherwise L1's timer runs in vmcs02 in the model.
 */
bool vmx_has_nested_events(const struct kvm_vcpu *k)
{
	return k->mtf_pending || nested_timer_expired(k);
}

/* The guest that runs next must exit right after its entry (KVM_REQ_EVENT is made by the caller). */
void request_immediate_exit(struct kvm_vcpu *k, const char *what, const char *why)
{
	l0_trace(&k->b, TRACE_DEFER, "what", what, why, -1, 0);
	if (vmx_caps_allows(&k->b.env.lp->model.caps, VMX_CTL_PIN, PIN_BASED_VMX_PREEMPTION_TIMER)) {
		vmcs_set_bits(k->b.loaded, PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VMX_PREEMPTION_TIMER);
		vmcs_set(k->b.loaded, VMX_PREEMPTION_TIMER_VALUE, 0);
		k->immediate_exit_armed = true;
	} else {
		vmx_lp_irq(k->b.env.lp, L0_KICK_VECTOR);
	}
}

/*
 * The immediate exit is for one entry: KVM decides it again before every
 * entry (vmx_update_hv_timer), so the timer goes at the exit, whatever
 * exit came first - unless it is vmcs12's own timer in vmcs02.
 */
void immediate_exit_done(struct kvm_vcpu *k)
{
	if (!k->immediate_exit_armed)
		return;
	k->immediate_exit_armed = false;
	if (k->guest_mode && (vmcs_get32(k->vmcs12, PIN_BASED_VM_EXEC_CONTROL) & PIN_BASED_VMX_PREEMPTION_TIMER))
		return;
	vmcs_clear_bits(k->b.loaded, PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VMX_PREEMPTION_TIMER);
}

static enum kvm_allowed nested_exit_for_interrupt(struct kvm_vcpu *k, bool block_events)
{
	bool ack = vmcs_get32(k->vmcs12, VM_EXIT_CONTROLS) & VM_EXIT_ACK_INTR_ON_EXIT;
	int irq = vlapic_pending(&k->b.apic);

	/* Not L1's to take as an exit: it is injected into L2 by the ordinary path, when L2 can take it. */
	if (!nested_exit_on_intr(k))
		return block_events ? KVM_BUSY : KVM_ALLOWED;
	/*
	 * L2's posted-interrupt notification vector (R5: posted interrupts
	 * need acknowledge-on-exit): the processor would process the
	 * descriptor where it acknowledges the interrupt, so L0 does, and no
	 * exit follows (6e0b4565, 2024). Today (3d91521e, 6.14, H-N19) only a
	 * re-injection holds it back - not L1's pending entry - since
	 * processing it injects nothing; before, it waited like any event.
	 */
	if (ack && irq >= 0 && irq == k->nested_pi_nv && k->era->nested_pi_in_check_events) {
		if (reinjecting(k))
			return KVM_BUSY;
		(void)nested_pi_take_notification(k, irq);
		return KVM_ALLOWED;
	}
	if (block_events)
		return KVM_BUSY;
	if (ack && nested_pi_take_notification(k, irq))
		return KVM_ALLOWED;
	if (!ack) {
		nested_vmx_vmexit(k, EXIT_REASON_EXTERNAL_INTERRUPT, 0, 0, 0, false);
		return KVM_ALLOWED;
	}
	/* Acknowledged after the exit is emulated, as the vector is in service for L1 from then on. */
	nested_vmx_vmexit(k, EXIT_REASON_EXTERNAL_INTERRUPT, 0,
	                  intr_info_make(INTR_TYPE_EXT_INTR, (uint8_t)irq, false), 0, false);
	(void)vlapic_ack(&k->b.apic);
	return KVM_ALLOWED;
}

/*
 * vmx_get_pending_dbg_trap(): the DR6 bits of a pending #DB that is a trap
 * (all but general detect, which is a fault); 0 for anything else.
 */
static uint64_t pending_dbg_trap(uint32_t info, uint64_t payload)
{
	if (!info || intr_info_vector(info) != DB_VECTOR || intr_info_type(info) != INTR_TYPE_HARD_EXCEPTION)
		return 0;
	return payload & ~(uint64_t)DR6_BD;
}

/* vmx_is_low_priority_db_trap(): a #DB trap ranks below an MTF exit (R24 levels 3.5 and 4). */
static bool low_priority_db_trap(uint32_t info, uint64_t payload)
{
	return (pending_dbg_trap(info, payload) & ~(uint64_t)DR6_BT) != 0;
}

/* The exception queued for L2 (arch.exception: pending, not yet injected), or 0. */
static uint32_t pending_exception(const struct kvm_vcpu *k)
{
	return k->exception_queued ? vmcs_get32(k->b.loaded, VM_ENTRY_INTR_INFO_FIELD) : 0;
}

/*
 * nested_vmx_update_pending_dbg(): before an MTF exit, a #DB trap pending
 * for L2 goes into vmcs02's pending-debug field, which the exit saves into
 * vmcs12 - where the processor would have kept it. Only arch.exception is
 * read: a #DB pending as L1's own exit (exception_vmexit, L1 intercepts
 * #DB) is not, and the MTF exit then drops it (kvm_clear_exception_queue).
 */
static void nested_vmx_update_pending_dbg(struct kvm_vcpu *k)
{
	uint64_t bits = pending_dbg_trap(pending_exception(k), k->exception_payload);

	if (bits)
		vmcs_set(k->b.loaded, GUEST_PENDING_DBG_EXCEPTIONS, bits);
}

/* An exception for L2 that L1 intercepts becomes its exit (nested_vmx_inject_exception_vmexit). */
static enum kvm_allowed exception_vmexit(struct kvm_vcpu *k, bool block_exceptions)
{
	uint32_t info = k->exception_vmexit_info, error = k->exception_vmexit_error;

	if (block_exceptions)
		return KVM_BUSY;
	k->exception_vmexit_info = 0;
	nested_vmx_vmexit(k, EXIT_REASON_EXCEPTION_NMI, k->exception_vmexit_qual, info, error, false);
	return KVM_ALLOWED;
}

/*
 * vmx_check_nested_events(): L1's events in the priority order of the
 * processor, each either an emulated exit to L1, left for the ordinary
 * injection path (into L2), or -EBUSY when it may not be handled yet:
 * block_nested_exceptions while L1's VMLAUNCH/VMRESUME is pending, and
 * block_nested_events also while an event is being re-injected into L2
 * (new events are recognized only at instruction boundaries).
 *
 * INIT and SIPI come first in KVM; the model refuses them under an L0.
 * L1's VMX-preemption timer is the processor's in vmcs02 while L2 runs;
 * while L0 holds L2 in an emulated HLT it is KVM's hrtimer, checked here
 * between MTF and NMI as KVM checks it.
 */
static enum kvm_allowed check_nested_events(struct kvm_vcpu *k);

/*
 * Every way out of vmx_check_nested_events that neither exits to L1 nor
 * answers -EBUSY goes through its no_vmexit label: a notification L0 took
 * for L2 is processed there (vmx_complete_nested_posted_interrupt).
 */
enum kvm_allowed vmx_check_nested_events(struct kvm_vcpu *k)
{
	enum kvm_allowed r = check_nested_events(k);

	if (r == KVM_ALLOWED && k->guest_mode)
		vmx_complete_nested_posted_interrupt(k);
	return r;
}

static enum kvm_allowed check_nested_events(struct kvm_vcpu *k)
{
	bool block_exceptions = run_pending(k);
	/* Only an event being re-injected blocks new ones; a pending exception for L2 does not (it is not injected). */
	bool block_events = block_exceptions || reinjecting(k);
	bool vmexit_low = low_priority_db_trap(k->exception_vmexit_info, k->exception_vmexit_qual);
	bool pending_low = low_priority_db_trap(pending_exception(k), k->exception_payload);

	/*
	 * Exceptions above MTF first: faults and ICEBP, as L1's exit or for L2
	 * (no_vmexit: it goes in through the ordinary path); then MTF; then the
	 * #DB traps below it (R24: MTF at 3.5 over the traps at 4).
	 */
	if (k->exception_vmexit_info && !vmexit_low)
		return exception_vmexit(k, block_exceptions);
	if (k->exception_queued && !pending_low)
		return block_exceptions ? KVM_BUSY : KVM_ALLOWED;
	if (k->mtf_pending) {
		if (block_events)
			return KVM_BUSY;
		k->mtf_pending = false;
		nested_vmx_update_pending_dbg(k);
		nested_vmx_vmexit(k, EXIT_REASON_MONITOR_TRAP_FLAG, 0, 0, 0, false);
		/* Said after the exit: what L1 finds next (the field, or no #DB exit) is where it parts from the processor. */
		if (vmexit_low)
			l0_trace_differs(&k->b, "mtf-drops-db", DB_VECTOR,
			                 "kvm-modern drops the single-step #DB it owes L2 when L1 intercepts #DB and an MTF exit "
			                 "is due (nested_vmx_update_pending_dbg reads only a #DB pending for L2); the processor "
			                 "saves the trap in the MTF exit's pending-debug field");
		return KVM_ALLOWED;
	}
	if (k->exception_vmexit_info)
		return exception_vmexit(k, block_exceptions);
	if (k->exception_queued)
		return block_exceptions ? KVM_BUSY : KVM_ALLOWED;
	if (nested_timer_expired(k)) {
		if (block_events)
			return KVM_BUSY;
		nested_vmx_vmexit(k, EXIT_REASON_PREEMPTION_TIMER, 0, 0, 0, false);
		return KVM_ALLOWED;
	}
	if (k->nmi_pending && !vmx_nmi_blocked(k)) {
		if (block_events)
			return KVM_BUSY;
		if (!nested_exit_on_nmi(k))
			return KVM_ALLOWED;   /* for L2, through its IDT */
		nested_vmx_vmexit(k, EXIT_REASON_EXCEPTION_NMI, 0, intr_info_make(INTR_TYPE_NMI_INTR, NMI_VECTOR, false), 0,
		                  false);
		/* The exit counts as the NMI's delivery: every pending one is gone, and L1's NMIs are blocked (R2). */
		k->nmi_pending = 0;
		vmx_set_nmi_mask(k, true);
		return KVM_ALLOWED;
	}
	if (kvm_cpu_has_interrupt(k) && !vmx_interrupt_blocked(k))
		return nested_exit_for_interrupt(k, block_events);
	return KVM_ALLOWED;
}
