/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nested_exit.c - an exit of L2 in the KVM model: reflected to L1 as an
 * emulated VM exit when vmcs12 asks for it (KVM's nested_vmx_reflect_vmexit
 * and nested_vmx_exit_handled), otherwise handled by L0 itself - host
 * events, EPT, its own windows and immediate exits, and the instructions
 * L1 leaves to L2 (MSR accesses through L1's bitmap, HLT, port I/O, CR8),
 * with the MTF exit such an emulated instruction owes L1.
 */
#include "model/l0/kvm/kvm.h"

/*
 * L2's RDMSR or WRMSR exited (vmcs02 intercepts every MSR): L1's if L1 does
 * not use MSR bitmaps, or if its bitmap - read from L1's memory now - has
 * the MSR's bit set (nested_vmx_exit_handled_msr).
 */
static bool l1_wants_msr_exit(struct kvm_vcpu *k, bool write)
{
	const struct vmx_insn *in = l0_guest_insn(&k->b);

	if (!(vmcs_get32(k->vmcs12, CPU_BASED_VM_EXEC_CONTROL) & CPU_BASED_USE_MSR_BITMAPS) || !in)
		return true;
	return msr_bitmap_exits(k->vmcs12->msr_bitmap, vmx_insn_msr(in), write);
}

/* Which exits of L2 L1 asked for (nested_vmx_exit_handled, reduced to what the model has). */
static bool l1_wants_exit(struct kvm_vcpu *k, uint32_t reason, uint32_t info, uint64_t qual)
{
	const struct vmcs *v12 = k->vmcs12;
	uint32_t proc = vmcs_get32(v12, CPU_BASED_VM_EXEC_CONTROL);

	switch (reason) {
	case EXIT_REASON_EXCEPTION_NMI:
		if (intr_info_type(info) == INTR_TYPE_NMI_INTR)
			return false;                            /* a host NMI: L0's */
		/* nested_vmx_is_page_fault_vmexit: vmcs12's #PF error-code mask and match too. */
		return vmcs_exception_exits(v12, vmcs_get32(v12, EXCEPTION_BITMAP), (uint8_t)intr_info_vector(info),
		                            vmcs_get32(&k->vmcs02, VM_EXIT_INTR_ERROR_CODE));
	case EXIT_REASON_EXTERNAL_INTERRUPT:
	case EXIT_REASON_EPT_VIOLATION:
		return false;                                /* L0's interrupts and L0's memory */
	case EXIT_REASON_INTERRUPT_WINDOW:
		return (proc & CPU_BASED_INTR_WINDOW_EXITING) != 0;
	case EXIT_REASON_NMI_WINDOW:
		return (proc & CPU_BASED_NMI_WINDOW_EXITING) != 0;
	case EXIT_REASON_HLT:
		return (proc & CPU_BASED_HLT_EXITING) != 0;
	case EXIT_REASON_MONITOR_TRAP_FLAG:
		/*
		 * An MTF exit L1 injected (type 7, vector 0: R14) is L1's with the
		 * control off too: vmcs12's entry field stays valid until the
		 * emulated exit (nested_vmx_exit_handled_mtf, 2020). Before that
		 * KVM kept the exit and L2 ran on; no era before it offered L1 the
		 * monitor trap flag (3.1's controls), so none can inject one.
		 */
		return (proc & CPU_BASED_MONITOR_TRAP_FLAG) ||
		       vmcs_get32(v12, VM_ENTRY_INTR_INFO_FIELD) == (INTR_INFO_VALID_MASK | INTR_TYPE_OTHER_EVENT);
	case EXIT_REASON_PREEMPTION_TIMER:
		return (vmcs_get32(v12, PIN_BASED_VM_EXEC_CONTROL) & PIN_BASED_VMX_PREEMPTION_TIMER) != 0;
	case EXIT_REASON_IO_INSTRUCTION:
		/* With vmcs12's I/O bitmaps the processor has already refused (prepare_vmcs02). */
		return (proc & CPU_BASED_UNCOND_IO_EXITING) != 0;
	case EXIT_REASON_CR_ACCESS:
		/* MOV to CR3 (unless to one of vmcs12's CR3-target values) or to CR8: qualification bits 3:0. */
		if ((qual & 0xf) == 3)
			return (proc & CPU_BASED_CR3_LOAD_EXITING) &&
			       !vmx_cr3_target_hit(v12, k->vmcs02.guest->gpr[(qual >> 8) & 0xf]);
		return (proc & CPU_BASED_CR8_LOAD_EXITING) != 0;
	case EXIT_REASON_PAUSE_INSTRUCTION:
		return (proc & CPU_BASED_PAUSE_EXITING) != 0;
	case EXIT_REASON_DR_ACCESS:
		return (proc & CPU_BASED_MOV_DR_EXITING) != 0;
	case EXIT_REASON_RDTSC:
		return (proc & CPU_BASED_RDTSC_EXITING) != 0;
	case EXIT_REASON_MSR_READ:
	case EXIT_REASON_MSR_WRITE:
		return l1_wants_msr_exit(k, reason == EXIT_REASON_MSR_WRITE);
	default:
		return true;   /* CPUID, VMCALL, VMX instructions, TPR below threshold, triple fault */
	}
}

/* kvm_era.nested_l0_wants_guestdbg: an exception exit of L2 that user space's debugger takes before L1 is asked. */
static bool l0_wants_guestdbg(const struct kvm_vcpu *k, uint32_t basic, uint32_t info)
{
	if (!k->era->nested_l0_wants_guestdbg || basic != EXIT_REASON_EXCEPTION_NMI ||
	    intr_info_type(info) != INTR_TYPE_HARD_EXCEPTION)
		return false;
	if (intr_info_vector(info) == DB_VECTOR)
		return (k->guest_debug & (KVM_GUESTDBG_SINGLESTEP | KVM_GUESTDBG_USE_HW_BP)) != 0;
	return intr_info_vector(info) == BP_VECTOR && (k->guest_debug & KVM_GUESTDBG_USE_SW_BP);
}

/*
 * L0 finished an instruction of L2 for it (kvm_skip_emulated_instruction ->
 * vmx_update_emulated_instruction): under vmcs12's monitor trap flag that
 * owes L1 an MTF exit, unless an exception other than #DB is pending, for
 * L2 or as L1's exit - the processor would have made that exit had it run
 * the instruction. A #DB (the single-step trap the skip owes) leaves it
 * owed: which of the two L1 sees is vmx_check_nested_events' to decide.
 */
static bool is_db(uint32_t info)
{
	return intr_info_vector(info) == DB_VECTOR;
}

static enum kvm_exit_result nested_emulated_instruction(struct kvm_vcpu *k, enum kvm_exit_result r)
{
	if (!k->era->nested_check_events || !k->guest_mode)
		return r;
	k->mtf_pending = (vmcs_get32(k->vmcs12, CPU_BASED_VM_EXEC_CONTROL) & CPU_BASED_MONITOR_TRAP_FLAG) &&
	                 (!k->exception_queued || is_db(vmcs_get32(k->b.loaded, VM_ENTRY_INTR_INFO_FIELD))) &&
	                 (!k->exception_vmexit_info || is_db(k->exception_vmexit_info));
	if (k->mtf_pending)
		k->req_event = true;
	return r;
}

enum kvm_exit_result nested_handle_l2_exit(struct kvm_vcpu *k)
{
	struct vmcs *v02 = &k->vmcs02;
	struct vmx_lp *lp = k->b.env.lp;
	uint32_t reason = vmcs_get32(v02, VM_EXIT_REASON);
	uint32_t basic = reason & VMX_EXIT_REASON_BASIC_MASK;
	uint32_t info = vmcs_get32(v02, VM_EXIT_INTR_INFO);
	bool was_pending = k->nested_run_pending;

	/*
	 * The 2011 patch: KVM_REQ_EVENT is good for one entry; if an event was
	 * refused because L2 had to run first, ask for it to be looked at again.
	 */
	if (was_pending && k->sw_rearm)
		k->req_event = true;
	k->nested_run_pending = false;
	if (reason & VMX_EXIT_REASONS_FAILED_VMENTRY) {
		l0_guest_stop(&k->b, "VM entry to L2 failed");
		return KVM_SHUTDOWN;
	}
	vmx_complete_interrupts(k);
	/*
	 * A machine check at the host's processor while L2 ran: vmcs02 carries
	 * L0's #MC intercept, and the host's handler (kvm_machine_check) runs
	 * at once, before anything decides whose exit it is - as for an exit of
	 * L1. Then the exit goes the way of every exception exit: to L1 when
	 * vmcs12's exception bitmap has bit 18 (3.1's nested_vmx_exit_handled,
	 * today's nested_vmx_l1_wants_exit; nested_vmx_l0_wants_exit does not
	 * claim #MC), which then hears of a machine check its own hardware
	 * never had; else L0 resumes L2 (handle_machine_check).
	 */
	if (is_machine_check_exit(reason, info)) {
		l0_host_machine_check(&k->b, "kvm_machine_check: the host's do_machine_check, before the exit of L2 is "
		                             "reflected or kept");
		if (k->era->hw_cr4_host_mce && !(vmcs_get(k->vmcs12, GUEST_CR4) & X86_CR4_MCE))
			l0_trace_differs(&k->b, "mce-hw-cr4", MC_VECTOR,
			                 "kvm-modern: L2 runs with the host's CR4.MCE whatever vmcs12's guest CR4 says "
			                 "(vmx_set_cr4), so a machine check exits where the processor, with L2's CR4.MCE = 0, "
			                 "would shut down");
	}
	vmx_lp_spend(lp, k->b.handler_cycles);
	if (l0_wants_guestdbg(k, basic, info)) {
		if (intr_info_vector(info) == DB_VECTOR)
			return handle_exception_db(k);
		kvm_guestdbg_breakpoint(k);
		return KVM_RESUME;
	}
	if (l1_wants_exit(k, basic, info, vmcs_get(v02, EXIT_QUALIFICATION))) {
		nested_vmx_vmexit(k, basic, vmcs_get(v02, EXIT_QUALIFICATION), info & ~INTR_INFO_UNBLOCK_NMI,
		                  vmcs_get32(v02, VM_EXIT_INTR_ERROR_CODE), true);
		return KVM_RESUME;
	}
	/* Today's __vmx_handle_exit() checks vmcs02's soft-vNMI state on the exits of L2 it keeps. */
	if (k->era->soft_vnmi_per_vmcs)
		(void)vmx_soft_vnmi_exit_check(k);
	if (l0_handle_host_exit(&k->b, basic, info))
		return KVM_RESUME;
	switch (basic) {
	case EXIT_REASON_EXCEPTION_NMI:
		/*
		 * L0's own #DB intercept (vmcs02 carries it, L1 does not want the
		 * exit): user space's debugger's (KVM_EXIT_DEBUG, kvm_guestdbg.c),
		 * or queued back into L2 as for a guest of L0's (kvm_debug.c) -
		 * L2's INT1, its single-step trap, or the trap of its
		 * pending-debug field.
		 */
		if (intr_info_vector(info) == DB_VECTOR)
			return handle_exception_db(k);
		/* The debugger's #BP intercept (USE_SW_BP), an INT3 L1 does not want: KVM_EXIT_DEBUG (kvm_guestdbg.c). */
		if (intr_info_vector(info) == BP_VECTOR) {
			kvm_guestdbg_breakpoint(k);
			break;
		}
		break;   /* an #MC L1 does not intercept: handle_machine_check(), taken above */
	case EXIT_REASON_EPT_VIOLATION:
		l0_handle_ept_violation(&k->b, cpu_has_virtual_nmis(k));
		break;
	case EXIT_REASON_DR_ACCESS:
		/* L1 does not intercept MOV DR: today's handle_dr in guest mode, on vmcs02 (kvm_debugreg.c). */
		return handle_dr(k);
	case EXIT_REASON_INTERRUPT_WINDOW:
		l0_set_window(&k->b, CPU_BASED_INTR_WINDOW_EXITING, false, "irq-window-off", "window opened (vmcs02)");
		k->req_event = true;
		break;
	case EXIT_REASON_NMI_WINDOW:
		l0_set_window(&k->b, CPU_BASED_NMI_WINDOW_EXITING, false, "nmi-window-off", "window opened (vmcs02)");
		k->req_event = true;
		break;
	case EXIT_REASON_PREEMPTION_TIMER:
		/* L0's immediate exit: the timer was L0's, not L1's. */
		vmcs_clear_bits(v02, PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VMX_PREEMPTION_TIMER);
		k->req_event = true;
		break;
	case EXIT_REASON_MSR_WRITE:
		/* L1's bitmap lets it through: the WRMSR is L1's vCPU's, on L1's virtual local APIC. */
		return nested_emulated_instruction(k, handle_wrmsr(k));
	case EXIT_REASON_MSR_READ:
		return nested_emulated_instruction(k, handle_rdmsr(k));
	case EXIT_REASON_HLT:
		/* L1 does not intercept HLT: KVM emulates it and the vCPU waits in the host. */
		kvm_skip_emulated_instruction(k);
		/* kvm_vcpu_has_events(): a single-step #DB just queued for L2 (or as L1's exit) is an event: no wait. */
		if (k->exception_queued || k->exception_vmexit_info)
			return nested_emulated_instruction(k, KVM_RESUME);
		k->l2_halted = true;
		/* vmcs02 carried vmcs12's timer (the entry set its deadline): KVM's hrtimer for it fires there. */
		if (k->era->nested_timer_while_halted &&
		    (vmcs_get32(k->vmcs12, PIN_BASED_VM_EXEC_CONTROL) & PIN_BASED_VMX_PREEMPTION_TIMER) &&
		    (vmcs_get32(v02, PIN_BASED_VM_EXEC_CONTROL) & PIN_BASED_VMX_PREEMPTION_TIMER))
			k->l2_timer_deadline = k->b.env.lp->timer_deadline;
		return KVM_HALT;
	default: {
		/* Port I/O and MOV to CR8 that L1 leaves to L2: L0 does them (CR8: L1's virtual TPR, which L2 shares). */
		uint32_t exc;
		uint64_t rflags = vmcs_get(v02, GUEST_RFLAGS);

		if (l0_emulate_insn_exit(&k->b, basic, false, &exc)) {
			kvm_emulated_insn_done(k, basic, exc, rflags);
			return nested_emulated_instruction(k, KVM_RESUME);
		}
		break;
	}
	}
	return KVM_RESUME;
}
