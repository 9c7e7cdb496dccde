/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kvm_inject.c - KVM's decision, before every entry, of what to inject and
 * which window to open: process_nmi, vmx_intr_assist (2008, in-kernel
 * irqchip), do_interrupt_requests (2008, irqchip in user space),
 * inject_pending_event (3.x) and kvm_check_and_inject_events (today), each
 * as its era's code made it (the era flags of struct kvm_era choose).
 */
#include "model/l0/kvm/kvm.h"

bool kvm_cpu_has_interrupt(const struct kvm_vcpu *k)
{
	return vlapic_pending(&k->b.apic) >= 0;
}

/* Move queued NMIs to pending, within the limit of H-S7: two, or one while masked or one in flight. */
void process_nmi(struct kvm_vcpu *k)
{
	uint32_t intr_state = vmcs_get32(k->b.loaded, GUEST_INTERRUPTIBILITY_INFO);
	bool masked = cpu_has_virtual_nmis(k) ? (intr_state & GUEST_INTR_STATE_NMI) != 0 : k->lv->soft_vnmi_blocked;
	uint32_t limit = k->nmi_injected || masked ? 1 : 2;

	k->nmi_pending += k->nmi_queued;
	k->nmi_queued = 0;
	k->req_nmi = false;
	if (k->nmi_pending > limit) {
		l0_trace(&k->b, TRACE_DEFER, "what", "nmi", "more NMIs pending than KVM keeps: dropped", -1, 0);
		k->nmi_pending = limit;
	}
}

/*
 * 2008, in-kernel irqchip: vmx_intr_assist() as the patch left it. It runs
 * only when no exception is pending (vcpu_enter_guest queues that one
 * alone, kvm_inject_pending_events), and user space's NMI-window request
 * is not looked at here: that is do_interrupt_requests()'s.
 */
static void intr_assist_2008(struct kvm_vcpu *k)
{
	vmx_update_window_states(k);
	if (k->nmi_pending && !k->nmi_injected) {
		if (k->interrupt_pending) {
			enable_nmi_window(k, "NMI pending behind an interrupt");
		} else if (k->nmi_window_open) {
			k->nmi_pending = 0;
			k->nmi_injected = true;
		} else {
			l0_trace(&k->b, TRACE_DEFER, "what", "nmi",
			         k->lv->soft_vnmi_blocked ? "soft_vnmi_blocked" : "NMI window closed", -1, 0);
			enable_nmi_window(k, "NMI pending");
			return;
		}
	}
	if (k->nmi_injected) {
		vmx_inject_nmi(k, k->nmi_requeued);
		if (k->nmi_pending)
			enable_nmi_window(k, "another NMI pending");
		else if (kvm_cpu_has_interrupt(k))
			enable_irq_window(k, "interrupt pending");
		return;
	}
	if (!k->interrupt_pending && kvm_cpu_has_interrupt(k)) {
		if (k->interrupt_window_open) {
			k->interrupt_pending = true;
			k->interrupt_nr = vlapic_ack(&k->b.apic);
		} else {
			l0_trace(&k->b, TRACE_DEFER, "what", "irq", "interrupt window closed", vlapic_pending(&k->b.apic), 0);
			enable_irq_window(k, "interrupt pending");
		}
	}
	if (k->interrupt_pending) {
		vmx_inject_irq(k, k->interrupt_nr, false);
		if (kvm_cpu_has_interrupt(k))
			enable_irq_window(k, "another interrupt pending");
	}
}

/*
 * 2008, irqchip in user space: do_interrupt_requests(). The interrupts are
 * user space's (KVM_INTERRUPT, irq_summary: the model's interrupt
 * controller stands for it). Unlike vmx_intr_assist() it arms the NMI
 * window whenever the NMI window is closed - without virtual NMIs, on
 * every entry while soft_vnmi_blocked, whether an NMI waits or not - and
 * when user space asks for it (kvm_run->request_nmi_window).
 */
static void do_interrupt_requests(struct kvm_vcpu *k)
{
	vmx_update_window_states(k);
	if (k->nmi_pending && !k->nmi_injected) {
		if (!k->nmi_window_open) {
			l0_trace(&k->b, TRACE_DEFER, "what", "nmi",
			         k->lv->soft_vnmi_blocked ? "soft_vnmi_blocked" : "NMI window closed", -1, 0);
			enable_nmi_window(k, "NMI pending");
			return;
		}
		k->nmi_pending = 0;
		k->nmi_injected = true;
	}
	if (k->nmi_injected) {
		vmx_inject_nmi(k, k->nmi_requeued);
		if (k->nmi_pending || k->request_nmi_window)
			enable_nmi_window(k, k->nmi_pending ? "another NMI pending" : "user space waits to inject an NMI");
		else if (kvm_cpu_has_interrupt(k))
			enable_irq_window(k, "interrupt pending");
		return;
	}
	if (!k->nmi_window_open || k->request_nmi_window)
		enable_nmi_window(k, k->request_nmi_window ? "user space waits to inject an NMI"
		                     : k->lv->soft_vnmi_blocked ? "NMI window closed (soft_vnmi_blocked): armed at every entry"
		                                                : "NMI window closed: armed at every entry");
	if (k->interrupt_window_open) {
		if (kvm_cpu_has_interrupt(k) && !k->interrupt_pending) {
			k->interrupt_pending = true;
			k->interrupt_nr = vlapic_ack(&k->b.apic);
		}
		if (k->interrupt_pending)
			vmx_inject_irq(k, k->interrupt_nr, false);
	} else if (kvm_cpu_has_interrupt(k)) {
		l0_trace(&k->b, TRACE_DEFER, "what", "irq", "interrupt window closed", vlapic_pending(&k->b.apic), 0);
		enable_irq_window(k, "interrupt pending");
	}
}

/* R20: an exception or soft interrupt cut short goes first, as it was. */
static void reinject_exception(struct kvm_vcpu *k)
{
	if (!k->reinject_info || k->exception_queued)
		return;
	vmcs_set(k->b.loaded, VM_ENTRY_INTR_INFO_FIELD, k->reinject_info);
	vmcs_set(k->b.loaded, VM_ENTRY_EXCEPTION_ERROR_CODE, k->reinject_error);
	vmcs_set(k->b.loaded, VM_ENTRY_INSTRUCTION_LEN, k->reinject_len);
	l0_trace(&k->b, TRACE_INJECT, "type", intr_type_name(intr_info_type(k->reinject_info)), "reinjected",
	         intr_info_vector(k->reinject_info), k->reinject_info);
	k->exception_queued = true;
	k->exception_payload = 0;   /* delivered when it first went in */
	k->reinject_info = 0;
}

/*
 * Today: kvm_check_and_inject_events(). In guest mode L1's events are
 * looked at first (vmx_check_nested_events: a nested exit supersedes the
 * re-injection, whose event it saves into vmcs12); then what was cut
 * short goes back in; then new events, which can only go in if nothing
 * else does this entry. "Not yet" (-EBUSY: L1's entry pending, or an
 * event already going in) becomes an immediate exit with KVM_REQ_EVENT
 * made again, so the event is taken right after that entry.
 */
static void check_and_inject_modern(struct kvm_vcpu *k)
{
	enum kvm_allowed r = KVM_ALLOWED;
	const char *busy = NULL, *what = "nmi";
	bool can_inject;

	process_nmi(k);
	if (k->guest_mode && k->era->nested_check_events && vmx_check_nested_events(k) == KVM_BUSY) {
		what = k->exception_vmexit_info ? "exception" : k->mtf_pending ? "mtf" : k->nmi_pending ? "nmi" : "irq";
		busy = k->nested_run_pending ? "nested_run_pending: immediate exit after L1's entry"
		                             : "re-injection into L2 first: immediate exit after it";
	}
	reinject_exception(k);
	can_inject = !k->exception_queued;
	if (can_inject && k->nmi_injected) {
		vmx_inject_nmi(k, true);
		can_inject = false;
	} else if (can_inject && k->interrupt_pending) {
		vmx_inject_irq(k, k->interrupt_nr, true);
		can_inject = false;
	}
	if (busy)
		goto out;
	/* KVM_GUESTDBG_BLOCKIRQ (61e5f69e, 2021): while user space steps, no NMI, interrupt or window. */
	if (k->guest_debug & KVM_GUESTDBG_BLOCKIRQ) {
		if (k->nmi_pending || kvm_cpu_has_interrupt(k))
			l0_trace(&k->b, TRACE_DEFER, "what", k->nmi_pending ? "nmi" : "irq", "KVM_GUESTDBG_BLOCKIRQ", -1, 0);
		return;
	}
	if (k->nmi_pending) {
		r = can_inject ? vmx_nmi_allowed_now(k, true) : KVM_BUSY;
		if (r == KVM_BUSY && k->era->nested_check_events) {
			busy = k->nested_run_pending ? "nested_run_pending: immediate exit after L1's entry"
			                             : "another event goes in first: immediate exit after it";
			goto out;
		}
		if (r == KVM_ALLOWED) {
			k->nmi_pending--;
			k->nmi_injected = true;
			vmx_inject_nmi(k, false);
			can_inject = false;
		}
		if (k->nmi_pending) {
			l0_trace(&k->b, TRACE_DEFER, "what", "nmi", k->lv->soft_vnmi_blocked ? "soft_vnmi_blocked" :
			         "NMI not allowed now", -1, 0);
			enable_nmi_window(k, "NMI pending");
		}
	}
	if (kvm_cpu_has_interrupt(k)) {
		r = can_inject ? vmx_interrupt_allowed_now(k, true) : KVM_BUSY;
		if (r == KVM_BUSY && k->era->nested_check_events) {
			what = "irq";
			busy = k->nested_run_pending ? "nested_run_pending: immediate exit after L1's entry"
			                             : "another event goes in first: immediate exit after it";
			goto out;
		}
		if (r == KVM_ALLOWED) {
			k->interrupt_pending = true;
			k->interrupt_nr = vlapic_ack(&k->b.apic);
			vmx_inject_irq(k, k->interrupt_nr, false);
		}
		if (kvm_cpu_has_interrupt(k))
			enable_irq_window(k, "interrupt pending");
	}
	if (k->guest_mode && k->era->nested_check_events && vmx_has_nested_events(k)) {
		what = k->mtf_pending ? "mtf" : "preemption-timer";
		busy = k->mtf_pending ? "L1's MTF exit is due: immediate exit after this entry"
		                      : "L1's preemption-timer exit is due: immediate exit after this entry";
	}
out:
	if (busy) {
		k->req_event = true;
		if (k->guest_mode && !k->nested_run_pending && kvm_event_needs_reinjection(k) &&
		    !k->era->nested_reinject_immediate_exit)
			l0_trace(&k->b, TRACE_DEFER, "what", what, "re-injection into L2 first: no immediate exit (before H-N11)",
			         -1, 0);
		else
			request_immediate_exit(k, what, busy);
	}
}

/*
 * 3.x (kvm-2011): inject_pending_event() - what the last exit cut short
 * goes back and nothing else does; otherwise one new event, an NMI before
 * an interrupt - then vcpu_enter_guest()'s windows: the NMI window if an
 * NMI was pending when it started (even one injected just now), else the
 * interrupt window while an interrupt waits. In guest mode (L0 runs L2)
 * the interrupt hook is the 2011 patch's (nested_interrupt_allowed_2011)
 * and an NMI is taken into nmi_injected but vmx_inject_nmi() does nothing.
 */
void inject_pending_event_3x(struct kvm_vcpu *k)
{
	bool nmi_was_pending = k->nmi_pending != 0;

	reinject_exception(k);
	if (k->exception_queued) {
		/* The exception goes in (queue_exception) and nothing else does. */
	} else if (k->nmi_injected) {
		vmx_inject_nmi(k, true);
	} else if (k->interrupt_pending) {
		vmx_inject_irq(k, k->interrupt_nr, true);
	} else if (k->nmi_pending) {
		if (vmx_nmi_allowed(k)) {
			k->nmi_pending = 0;
			k->nmi_injected = true;
			vmx_inject_nmi(k, false);
		} else {
			l0_trace(&k->b, TRACE_DEFER, "what", "nmi", k->lv->soft_vnmi_blocked ? "soft_vnmi_blocked" :
			         "NMI not allowed now", -1, 0);
		}
	} else if (kvm_cpu_has_interrupt(k)) {
		if (k->guest_mode ? nested_interrupt_allowed_2011(k) : vmx_interrupt_allowed(k)) {
			k->interrupt_pending = true;
			k->interrupt_nr = vlapic_ack(&k->b.apic);
			vmx_inject_irq(k, k->interrupt_nr, false);
		} else if (!k->guest_mode) {
			/* (In guest mode nested_interrupt_allowed_2011 said why.) */
			l0_trace(&k->b, TRACE_DEFER, "what", "irq", "interrupt window closed", vlapic_pending(&k->b.apic), 0);
		}
	}
	if (nmi_was_pending)
		enable_nmi_window(k, "NMI pending");
	else if (kvm_cpu_has_interrupt(k))
		enable_irq_window(k, "interrupt pending");
}

void kvm_inject_pending_events(struct kvm_vcpu *k)
{
	if (k->era->modern_injection_order) {
		check_and_inject_modern(k);
	} else if (k->era->inject_pending_event_3x) {
		inject_pending_event_3x(k);
	} else {
		/* 2008's vcpu_enter_guest(): a pending exception is queued alone, without the interrupt routine. */
		reinject_exception(k);
		if (!k->exception_queued)
			k->sw_userspace_irqchip ? do_interrupt_requests(k) : intr_assist_2008(k);
	}
	/* The queued exception goes in with this entry: its payload reaches DR6 now (kvm_inject_exception). */
	if (k->exception_queued)
		kvm_deliver_payload(k, vmcs_get32(k->b.loaded, VM_ENTRY_INTR_INFO_FIELD), k->exception_payload);
	k->exception_queued = false;
}
