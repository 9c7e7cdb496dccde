/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kvm_vmx.c - the VMX side of KVM's event path: NMI and interrupt
 * injection, the NMI and interrupt windows, the soft virtual-NMI algorithm
 * of the 2008 patch for processors without virtual NMIs, completing
 * interrupted deliveries, and the exit handlers.
 */
#include <stdio.h>
#include <string.h>

#include "model/l0/kvm/kvm.h"

bool cpu_has_virtual_nmis(const struct kvm_vcpu *k)
{
	return k->enable_vnmi;
}

uint64_t vnmi_blocked_time_ns(const struct kvm_vcpu *k)
{
	/* KVM measures with ktime (ns); the model's clock is the TSC. */
	__uint128_t ns = (__uint128_t)k->lv->vnmi_blocked_cycles * 1000000000u;
	return (uint64_t)(ns / k->b.env.lp->model.tsc_hz);
}

static uint32_t guest_intr(struct kvm_vcpu *k)
{
	return vmcs_get32(k->b.loaded, GUEST_INTERRUPTIBILITY_INFO);
}

void vmx_set_soft_vnmi_blocked(struct kvm_vcpu *k, bool blocked, const char *why)
{
	struct trace_event ev;

	if (k->lv->soft_vnmi_blocked == blocked)
		return;
	k->lv->soft_vnmi_blocked = blocked;
	trace_event_init(&ev, k->b.env.lp->cycle, k->b.env.cpu, 0, TRACE_SOFT_VNMI);
	trace_add_bool(&ev, "blocked", blocked);
	if (!blocked)
		trace_add_uint(&ev, "blocked_ns", vnmi_blocked_time_ns(k));
	trace_add_str(&ev, "why", why);
	/* Where the state is per VMCS (kvm-modern), L2's is vmcs02's: say so. */
	if (k->lv == &k->lv02)
		trace_add_str(&ev, "vmcs", "vmcs02");
	trace_bus_emit(k->b.env.bus, &ev);
	k->lv->vnmi_blocked_cycles = 0;
}

/*
 * The inject line. Soft vNMI state kept per loaded VMCS (kvm-modern) lets
 * an NMI into L1 while L2's handler has not executed IRET: the processor
 * has one NMI blocking, which the exit from L2 keeps (virtual NMIs 0), so
 * L1 would not take it. That is today's KVM, not a fault of the model: the
 * line says so for `vmxsim equiv` (docs/nested.md).
 */
static void trace_inject_nmi(struct kvm_vcpu *k, bool reinjected)
{
	struct trace_event ev;

	if (!trace_bus_begin(k->b.env.bus, TRACE_INJECT, k->b.env.lp->cycle))
		return;
	trace_event_init(&ev, k->b.env.lp->cycle, k->b.env.cpu, 0, TRACE_INJECT);
	trace_add_str(&ev, "type", "nmi");
	trace_add_uint(&ev, "vector", NMI_VECTOR);
	trace_add_hex32(&ev, "intr_info", intr_info_make(INTR_TYPE_NMI_INTR, NMI_VECTOR, false));
	if (reinjected)
		trace_add_str(&ev, "why", "reinjected");
	if (!cpu_has_virtual_nmis(k) && k->lv == &k->lv01 && k->lv02.soft_vnmi_blocked)
		trace_add_str(&ev, "differs", "kvm-modern: soft vNMI blocking is per VMCS, and L2's NMI handler has not "
		                              "executed IRET (vmcs02's soft_vnmi_blocked): the processor's one NMI "
		                              "blocking, kept by the exit from L2, would hold this NMI for L1 back");
	trace_bus_emit(k->b.env.bus, &ev);
}

void vmx_inject_nmi(struct kvm_vcpu *k, bool reinjected)
{
	/* 3.1: nothing is injected while L2 runs; the NMI stays in nmi_injected until L1 runs again. */
	if (k->guest_mode && k->era->nested_idt_via_vmcs12) {
		l0_trace(&k->b, TRACE_DEFER, "what", "nmi", "vmx_inject_nmi does nothing in guest mode", -1, 0);
		return;
	}
	/*
	 * Without virtual NMIs nothing in the processor tells when the guest's
	 * handler is done (R16): KVM blocks further NMIs in software until it
	 * sees an open interrupt window, or gives up after the timeout.
	 */
	if (!cpu_has_virtual_nmis(k))
		vmx_set_soft_vnmi_blocked(k, true, "NMI injected");
	k->lv->vnmi_blocked_cycles = 0;
	k->nmi_injections++;
	vmcs_set(k->b.loaded, VM_ENTRY_INTR_INFO_FIELD, intr_info_make(INTR_TYPE_NMI_INTR, NMI_VECTOR, false));
	trace_inject_nmi(k, reinjected);
}

void vmx_inject_irq(struct kvm_vcpu *k, uint8_t vector, bool reinjected)
{
	uint32_t info = intr_info_make(INTR_TYPE_EXT_INTR, vector, false);

	k->irq_injections++;
	vmcs_set(k->b.loaded, VM_ENTRY_INTR_INFO_FIELD, info);
	l0_trace(&k->b, TRACE_INJECT, "type", "ext-intr", reinjected ? "reinjected" : NULL, vector, info);
}

void enable_irq_window(struct kvm_vcpu *k, const char *why)
{
	/*
	 * The 2011 patch: L2 runs and L1 intercepts interrupts - a window in
	 * vmcs02 would mean nothing to L1, so nothing is armed and the
	 * interrupt waits for L2's next exit. H-N2 (d6185f20): the refusal was
	 * nested_run_pending's, so L2 is entered with an immediate exit and the
	 * interrupt exit to L1 is emulated right after it (vmx-rules.md §4).
	 */
	if (k->guest_mode && k->era->nested_idt_via_vmcs12 && nested_exit_on_intr(k)) {
		if (k->era->nested_immediate_exit && k->nested_run_pending && k->sw_run_pending_check)
			request_immediate_exit(k, "irq", "nested_run_pending: immediate exit after L1's entry");
		return;
	}
	l0_set_window(&k->b, CPU_BASED_INTR_WINDOW_EXITING, true, "irq-window-on", why);
}

void enable_nmi_window(struct kvm_vcpu *k, const char *why)
{
	/*
	 * R4: without virtual NMIs there is no NMI-window exiting; the patch
	 * waits for the interrupt window instead. Modern KVM also uses it when
	 * the guest has STI blocking, which may hold off the NMI window (R18).
	 */
	if (!cpu_has_virtual_nmis(k) ||
	    (k->era->sti_uses_irq_window && (guest_intr(k) & GUEST_INTR_STATE_STI))) {
		if (k->sw_irq_window)
			enable_irq_window(k, why);
		return;
	}
	l0_set_window(&k->b, CPU_BASED_NMI_WINDOW_EXITING, true, "nmi-window-on", why);
}

bool vmx_nmi_allowed(struct kvm_vcpu *k)
{
	if (!cpu_has_virtual_nmis(k) && k->lv->soft_vnmi_blocked)
		return false;
	return !(guest_intr(k) & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS | GUEST_INTR_STATE_NMI));
}

bool vmx_interrupt_allowed(struct kvm_vcpu *k)
{
	return (vmcs_get(k->b.loaded, GUEST_RFLAGS) & X86_EFLAGS_IF) &&
	       !(guest_intr(k) & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
}

/* The two caches of the 2008 code, recomputed before every injection decision. */
void vmx_update_window_states(struct kvm_vcpu *k)
{
	k->nmi_window_open = vmx_nmi_allowed(k);
	k->interrupt_window_open = vmx_interrupt_allowed(k);
}

void vmx_vcpu_run_prepare(struct kvm_vcpu *k)
{
	/* Record the guest's net time for the forced unblock: from just before entry. */
	if (!cpu_has_virtual_nmis(k) && k->lv->soft_vnmi_blocked)
		k->lv->entry_time = k->b.env.lp->cycle;
	/*
	 * vmx_vcpu_run(): while user space single-steps the guest, STI and
	 * MOV-SS blocking go before the entry - after a step over STI or MOV SS
	 * the entry with the TF KVM set would otherwise fail R12, BS not being
	 * pending (kvm_guestdbg.c).
	 */
	if ((k->guest_debug & KVM_GUESTDBG_SINGLESTEP) && k->era->guestdbg != KVM_DEBUG_GUEST_2008 &&
	    (vmcs_get32(k->b.loaded, GUEST_INTERRUPTIBILITY_INFO) & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))) {
		vmcs_clear_bits(k->b.loaded, GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);
		l0_trace(&k->b, TRACE_HOST, "type", "shadow-cleared",
		         "vmx_vcpu_run: user space single-steps the guest, STI/MOV-SS blocking dropped", -1, 0);
	}
}

void vmx_complete_interrupts(struct kvm_vcpu *k)
{
	struct vmcs *v = k->b.loaded;
	uint32_t exit_info = vmcs_get32(v, VM_EXIT_INTR_INFO);
	uint32_t idt = vmcs_get32(v, IDT_VECTORING_INFO_FIELD);
	uint32_t type = intr_info_type(idt);

	k->idt_vectoring_info = idt;
	/* The end of vmx_vcpu_run() refreshes both window caches (vmx_update_window_states). */
	vmx_update_window_states(k);

	if (cpu_has_virtual_nmis(k)) {
		/* R17: a faulting IRET had unblocked NMIs: block them again before it re-executes. */
		if ((exit_info & INTR_INFO_UNBLOCK_NMI) && intr_info_vector(exit_info) != DF_VECTOR &&
		    !intr_info_valid(idt))
			vmcs_set_bits(v, GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
	} else if (k->lv->soft_vnmi_blocked) {
		/* Only the time from just before entry to just after the exit counts. */
		k->lv->vnmi_blocked_cycles += k->b.env.lp->cycle - k->lv->entry_time;
	}

	/*
	 * 3.1: in guest mode vmx_complete_interrupts() returns here; the event
	 * cut short goes into vmcs12's IDT-vectoring field (vmx_vcpu_run), from
	 * where the next entry to L2 or the exit to L1 takes it.
	 */
	if (k->guest_mode && k->era->nested_idt_via_vmcs12) {
		vmcs_set(k->vmcs12, IDT_VECTORING_INFO_FIELD, idt);
		if (intr_info_valid(idt)) {
			vmcs_set(k->vmcs12, IDT_VECTORING_ERROR_CODE, vmcs_get32(v, IDT_VECTORING_ERROR_CODE));
			vmcs_set(k->vmcs12, VM_EXIT_INSTRUCTION_LEN, vmcs_get32(v, VM_EXIT_INSTRUCTION_LEN));
		}
		return;
	}

	/* R20: what the exit interrupted is injected again. */
	k->nmi_requeued = intr_info_valid(idt) && type == INTR_TYPE_NMI_INTR;
	if (k->nmi_requeued) {
		k->nmi_injected = true;
		/* R10b: virtual-NMI blocking must be clear to inject it again. */
		if (cpu_has_virtual_nmis(k))
			vmcs_clear_bits(v, GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
		else if (k->era->requeue_clears_soft_flag)
			vmx_set_soft_vnmi_blocked(k, false, "NMI delivery interrupted: it will be injected again");
	} else {
		k->nmi_injected = false;
	}
	k->reinject_info = 0;
	if (intr_info_valid(idt) && type != INTR_TYPE_NMI_INTR && type != INTR_TYPE_EXT_INTR) {
		k->reinject_info = idt & ~INTR_INFO_UNBLOCK_NMI;
		k->reinject_error = vmcs_get32(v, IDT_VECTORING_ERROR_CODE);
		k->reinject_len = vmcs_get32(v, VM_EXIT_INSTRUCTION_LEN);
	}
	k->interrupt_pending = intr_info_valid(idt) && type == INTR_TYPE_EXT_INTR;
	if (intr_info_valid(idt))
		k->req_event = true;   /* a re-injection is an event to look at */
	if (k->interrupt_pending)
		k->interrupt_nr = intr_info_vector(idt);
}

/*
 * The seed's check at the top of kvm_handle_exit(), and its modern form in
 * __vmx_handle_exit(), on the loaded VMCS's soft-vNMI state: for an exit
 * of L2 that L0 keeps too (one reflected to L1 returns before it), where
 * "interrupts not blocked" is vmx_interrupt_blocked()'s nested answer.
 */
enum kvm_exit_result vmx_soft_vnmi_exit_check(struct kvm_vcpu *k)
{
	bool open = k->era->nested_check_events && k->era->soft_vnmi_clear_uses_blocked ? !vmx_interrupt_blocked(k)
	                                                                                : k->interrupt_window_open;
	char msg[128];

	if (cpu_has_virtual_nmis(k) || !k->lv->soft_vnmi_blocked)
		return KVM_RESUME;
	if (k->sw_clear_on_window && open) {
		vmx_set_soft_vnmi_blocked(k, false, "exit with an open interrupt window");
		k->nmi_window_open = true;
	} else if (k->sw_timeout && vnmi_blocked_time_ns(k) > k->timeout_ns &&
	           (k->nmi_pending || (k->era->timeout_on_request && k->request_nmi_window))) {
		/* The kernel's printk names the function it is in: kvm_handle_exit in 2008, vmx_handle_exit in 3.1. */
		snprintf(msg, sizeof(msg), "%sBreaking out of NMI-blocked state on VCPU %u after 1 s timeout",
		         k->era->modern_injection_order ? "" : k->era->inject_pending_event_3x ? "vmx_handle_exit: "
		                                                                             : "kvm_handle_exit: ",
		         k->b.env.cpu);
		l0_trace(&k->b, TRACE_WARNING, "msg", msg, NULL, -1, 0);
		vmx_set_soft_vnmi_blocked(k, false, "timeout");
		k->nmi_window_open = true;
	}
	/* User space waits to inject an NMI: exit as soon as possible. */
	if (k->era->userspace_nmi_window && k->sw_userspace_exit && !k->lv->soft_vnmi_blocked && k->request_nmi_window &&
	    !k->nmi_pending) {
		k->nmi_window_exits++;
		return KVM_USERSPACE;
	}
	return KVM_RESUME;
}

/*
 * The inject line of a queued exception, with why KVM queued it; a #DB also
 * shows the DR6 the guest would read (arch.dr6 once its payload is in,
 * kvm_debug.c).
 */
static void trace_queued_exception(struct kvm_vcpu *k, uint32_t info, const char *why)
{
	struct trace_event ev;

	if (!trace_bus_begin(k->b.env.bus, TRACE_INJECT, k->b.env.lp->cycle))
		return;
	trace_event_init(&ev, k->b.env.lp->cycle, k->b.env.cpu, 0, TRACE_INJECT);
	trace_add_str(&ev, "type", intr_type_name(intr_info_type(info)));
	trace_add_uint(&ev, "vector", intr_info_vector(info));
	trace_add_hex32(&ev, "intr_info", info);
	if (intr_info_vector(info) == DB_VECTOR && intr_info_type(info) == INTR_TYPE_HARD_EXCEPTION)
		trace_add_hex64(&ev, "dr6", k->era->db_payload ? kvm_dr6_with_payload(k, k->exception_payload) : k->dr6);
	trace_add_str(&ev, "why", why);
	trace_bus_emit(k->b.env.bus, &ev);
}

void kvm_queue_exception(struct kvm_vcpu *k, uint32_t info, uint32_t error)
{
	kvm_queue_exception_why(k, info, error, 0, "reflected");
}

void kvm_queue_exception_p(struct kvm_vcpu *k, uint32_t info, uint32_t error, uint64_t payload)
{
	kvm_queue_exception_why(k, info, error, payload, "reflected");
}

void kvm_queue_exception_why(struct kvm_vcpu *k, uint32_t info, uint32_t error, uint64_t payload, const char *why)
{
	/* kvm_multiple_exception(): KVM_REQ_EVENT, in the eras that have the request. */
	if (k->era->req_event_model)
		k->req_event = true;
	if (k->era->nested_check_events) {
		/* An exception L1 intercepts in L2 waits as an exit. */
		if (k->guest_mode && ((vmcs_get32(k->vmcs12, EXCEPTION_BITMAP) >> intr_info_vector(info)) & 1u)) {
			k->exception_vmexit_info = info & ~INTR_INFO_UNBLOCK_NMI;
			k->exception_vmexit_error = error;
			/* nested_vmx_inject_exception_vmexit(): the payload (a #DB's DR6 bits) is the exit qualification. */
			k->exception_vmexit_qual = payload;
			l0_trace(&k->b, TRACE_DEFER, "what", "exception", "L1 intercepts it: an exit to L1",
			         (int)intr_info_vector(info), 0);
			return;
		}
	}
	k->exception_queued = true;
	k->exception_payload = k->era->db_payload ? payload : 0;
	vmcs_set(k->b.loaded, VM_ENTRY_INTR_INFO_FIELD, info & ~INTR_INFO_UNBLOCK_NMI);
	vmcs_set(k->b.loaded, VM_ENTRY_EXCEPTION_ERROR_CODE, error);
	trace_queued_exception(k, info & ~INTR_INFO_UNBLOCK_NMI, why);
}

void kvm_emulated_insn_done(struct kvm_vcpu *k, uint32_t basic, uint32_t exc, uint64_t rflags)
{
	if (exc) {
		kvm_queue_exception(k, exc, 0);   /* RIP stays at the instruction */
	} else {
		/* kvm_skip_emulated_instruction(): the trap a skipped instruction owes; trap-like exits skipped nothing. */
		if (basic != EXIT_REASON_TPR_BELOW_THRESHOLD)
			kvm_skip_singlestep(k, rflags);
		if (basic == EXIT_REASON_IO_INSTRUCTION)
			kvm_io_breakpoint_lost(k);
	}
	/* A new TPR may let a pending interrupt through (kvm_lapic_set_tpr: KVM_REQ_EVENT). */
	k->req_event = true;
}

enum kvm_exit_result handle_wrmsr(struct kvm_vcpu *k)
{
	const struct vmx_insn *in = l0_guest_insn(&k->b);
	enum kvm_exit_result r;
	bool handled;

	if (l0_refuse_apic_timer(&k->b, k->era->name))
		return KVM_SHUTDOWN;
	r = kvm_mce_wrmsr(k, &handled);
	if (handled)
		return r;
	r = kvm_debugctl_wrmsr(k, &handled);
	if (handled)
		return r;
	if (in && in->op == VMX_OP_EOI) {
		l0_trace(&k->b, TRACE_HOST, "type", "virtual-eoi", NULL, vlapic_eoi(&k->b.apic), 0);
		k->req_event = true;
	} else if (in && in->op == VMX_OP_IPI) {
		l0_forward_ipi(&k->b, in);
	}
	kvm_skip_emulated_instruction(k);
	return KVM_RESUME;
}

enum kvm_exit_result handle_rdmsr(struct kvm_vcpu *k)
{
	enum kvm_exit_result r;
	bool handled;

	if (l0_refuse_apic_timer(&k->b, k->era->name))
		return KVM_SHUTDOWN;
	if (kvm_mce_rdmsr(k))
		return KVM_RESUME;
	r = kvm_debugctl_rdmsr(k, &handled);
	if (handled)
		return r;
	/* Besides the machine-check MSRs and IA32_DEBUGCTL only the VMX capability MSRs are readable, and only with nested VMX (vmx_get_msr). */
	if (!(k->era->nested && k->b.env.l2_mem && nested_rdmsr(k)))
		kvm_queue_exception(k, intr_info_make(INTR_TYPE_HARD_EXCEPTION, GP_VECTOR, true), 0);
	return KVM_RESUME;
}

bool is_machine_check_exit(uint32_t reason, uint32_t info)
{
	return (reason & VMX_EXIT_REASON_BASIC_MASK) == EXIT_REASON_EXCEPTION_NMI &&
	       intr_info_type(info) == INTR_TYPE_HARD_EXCEPTION && intr_info_vector(info) == MC_VECTOR;
}

enum kvm_exit_result kvm_handle_exit(struct kvm_vcpu *k)
{
	struct vmcs *v = k->b.loaded;
	struct vmx_lp *lp = k->b.env.lp;
	uint32_t reason = vmcs_get32(v, VM_EXIT_REASON);
	uint32_t info = vmcs_get32(v, VM_EXIT_INTR_INFO);
	enum kvm_exit_result r;

	/*
	 * A failed entry stops the guest with KVM_EXIT_FAIL_ENTRY and the
	 * hardware reason. Since a0861c02 KVM first runs the host's machine-check
	 * handler for reason 41 (VM-entry failure due to a machine check); the
	 * model's processor never fails an entry that way (it takes a machine
	 * check after the entry completes, docs/sdm-rules.md R24), so that
	 * reason does not reach here.
	 */
	if (reason & VMX_EXIT_REASONS_FAILED_VMENTRY) {
		l0_guest_stop(&k->b, "KVM_EXIT_FAIL_ENTRY");
		return KVM_SHUTDOWN;
	}
	/*
	 * An intercepted #MC (intercept_mc) is the host's: kvm_machine_check()
	 * runs in vmx_vcpu_run, before any exit handler (the 3.1 code in
	 * vmx_complete_atomic_exit, today in the irqoff exit handling); the
	 * exit then goes the way of every exit, to handle_machine_check(),
	 * which only resumes the guest.
	 */
	if (is_machine_check_exit(reason, info))
		l0_host_machine_check(&k->b, "kvm_machine_check: the host's do_machine_check; the guest is not told");
	vmx_lp_spend(lp, k->b.handler_cycles);
	r = vmx_soft_vnmi_exit_check(k);
	if (r != KVM_RESUME)
		return r;
	if (l0_handle_host_exit(&k->b, reason & VMX_EXIT_REASON_BASIC_MASK, info))
		return KVM_RESUME;   /* the host's NMI or interrupt */
	switch (reason & VMX_EXIT_REASON_BASIC_MASK) {
	case EXIT_REASON_EXCEPTION_NMI:
		if (is_machine_check_exit(reason, info))
			break;   /* handle_machine_check(): taken above */
		if (intr_info_vector(info) == DB_VECTOR)
			return handle_exception_db(k);
		/*
		 * User space's software breakpoints: the guest's INT3 is
		 * KVM_EXIT_DEBUG (kvm_guestdbg.c) - also through the intercept
		 * today's KVM left in vmcs01 after the debugger went off while L2
		 * ran (kvm_era.nested_exit_updates_eb).
		 */
		if (intr_info_vector(info) == BP_VECTOR &&
		    ((k->guest_debug & KVM_GUESTDBG_USE_SW_BP) || (k->dbg_bp_in_v01 && k->era->nested))) {
			kvm_guestdbg_breakpoint(k);
			break;
		}
		kvm_queue_exception(k, info, vmcs_get32(v, VM_EXIT_INTR_ERROR_CODE));
		break;
	case EXIT_REASON_INTERRUPT_WINDOW:
		l0_set_window(&k->b, CPU_BASED_INTR_WINDOW_EXITING, false, "irq-window-off", "window opened");
		k->irq_window_exits++;
		k->req_event = true;
		break;
	case EXIT_REASON_NMI_WINDOW:
		l0_set_window(&k->b, CPU_BASED_NMI_WINDOW_EXITING, false, "nmi-window-off", "window opened");
		k->nmi_window_exits++;
		k->req_event = true;
		if (k->era->userspace_nmi_window && k->sw_userspace_exit && k->request_nmi_window && !k->nmi_pending)
			return KVM_USERSPACE;
		break;
	case EXIT_REASON_HLT:
		kvm_skip_emulated_instruction(k);
		/* kvm_vcpu_has_events(): the single-step #DB just queued is an event; the vCPU does not block. */
		if (k->exception_queued)
			break;
		return KVM_HALT;
	case EXIT_REASON_PREEMPTION_TIMER:
		/* The immediate exit request_immediate_exit() asked for: done, look at the events again. */
		vmcs_clear_bits(v, PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VMX_PREEMPTION_TIMER);
		k->req_event = true;
		break;
	case EXIT_REASON_VMCALL:
		kvm_skip_emulated_instruction(k);
		break;
	case EXIT_REASON_DR_ACCESS:
		return handle_dr(k);
	case EXIT_REASON_MSR_WRITE:
		return handle_wrmsr(k);
	case EXIT_REASON_MSR_READ:
		return handle_rdmsr(k);
	case EXIT_REASON_EPT_VIOLATION:
		l0_handle_ept_violation(&k->b, cpu_has_virtual_nmis(k));
		break;
	case EXIT_REASON_TRIPLE_FAULT:
		l0_guest_stop(&k->b, "triple fault: KVM_EXIT_SHUTDOWN");
		return KVM_SHUTDOWN;
	case EXIT_REASON_VMLAUNCH:
	case EXIT_REASON_VMRESUME:
	case EXIT_REASON_VMREAD:
	case EXIT_REASON_VMWRITE:
	case EXIT_REASON_VMON:
	case EXIT_REASON_VMOFF:
	case EXIT_REASON_VMCLEAR:
	case EXIT_REASON_VMPTRLD:
	case EXIT_REASON_VMPTRST:
		if (k->era->nested && k->b.env.l2_mem)
			return nested_vmx_instruction(k, reason & VMX_EXIT_REASON_BASIC_MASK);
		kvm_queue_exception(k, intr_info_make(INTR_TYPE_HARD_EXCEPTION, UD_VECTOR, false), 0);
		break;
	default: {
		uint32_t exc, basic = reason & VMX_EXIT_REASON_BASIC_MASK;
		uint64_t rflags = vmcs_get(v, GUEST_RFLAGS);

		/* handle_io, handle_cr, handle_pause, handle_cpuid (VMX with nested), handle_rdtsc. */
		if (l0_emulate_insn_exit(&k->b, basic, k->era->nested && k->b.env.l2_mem, &exc)) {
			kvm_emulated_insn_done(k, basic, exc, rflags);
			break;
		}
		/* VMX instructions and the rest: #UD, as KVM without nested support does. */
		kvm_queue_exception(k, intr_info_make(INTR_TYPE_HARD_EXCEPTION, UD_VECTOR, false), 0);
		break;
	}
	}
	return KVM_RESUME;
}
