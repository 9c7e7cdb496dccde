/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kvm_mce.c - a machine check for the guest: what user space injects with
 * KVM_X86_SET_MCE (QEMU, when the host reports a poisoned page the guest
 * uses), and the guest's IA32_MCG_STATUS as KVM emulates it (rule R24
 * level 1 from the guest's side; the host's machine checks are kvm_vmx.c's).
 *
 * kvm_vcpu_ioctl_x86_set_mce() (890ca9ae, "KVM: Add MCE support", 2009;
 * the same in the 3.1 code and today) for an uncorrected error: if the
 * guest has a machine check in progress (its MCG_STATUS.MCIP) or runs with
 * CR4.MCE = 0, KVM makes a triple fault of it (KVM_REQ_TRIPLE_FAULT, then
 * KVM_EXIT_SHUTDOWN: the guest stops); otherwise it sets the guest's
 * MCG_STATUS and queues #MC (kvm_queue_exception), injected at the next
 * entry as a hardware exception. The ioctl runs while the vCPU is out of
 * KVM_RUN: the model applies it before the next entry, after any event an
 * exit left in flight has been re-injected (inject_pending_event gives an
 * injected event precedence over a pending exception). The model's
 * MCG_STATUS value is MCIP | RIPV, what QEMU passes for an error the guest
 * can resume from; the bank registers (MCi_STATUS, ADDR, MISC) are not
 * modelled, and no instruction of the programs reads them.
 *
 * The guest's RDMSR and WRMSR of IA32_MCG_STATUS exit (KVM's MSR bitmap
 * intercepts it) and read or write vcpu->arch.mcg_status (get_msr_mce,
 * set_msr_mce). The 2008 code has no KVM_X86_SET_MCE: its
 * kvm_get_msr_common answers a read with 0 (its list of machine-check
 * MSRs) and kvm_set_msr_common drops a write with a pr_unimpl() line
 * (read in a 2.6.28 tree).
 */
#include <stdio.h>

#include "model/l0/kvm/kvm.h"

#include "vmcs/x86_cr.h"
#include "vmcs/x86_mcg.h"
#include "vmcs/x86_msr.h"

bool kvm_set_mce(struct kvm_vcpu *k)
{
	/* The ioctl waits for the vCPU to leave KVM_RUN: kick it, apply it before the next entry. */
	k->set_mce_pending = true;
	l0_trace(&k->b, TRACE_USERSPACE, "request", "set_mce", "KVM_X86_SET_MCE: an uncorrected error for the guest",
	         MC_VECTOR, 0);
	return true;
}

/*
 * While L2 runs (guest mode) the ioctl acts on the vCPU as it is: the CR4
 * it checks is L2's (arch.cr4, which prepare_vmcs02 set from vmcs12's guest
 * CR4, in 3.1 as today), and MCG_STATUS is the vCPU's, shared by both
 * levels. Today the triple fault is L1's TRIPLE_FAULT exit
 * (nested_ops->triple_fault, cb6a32c2, 2021) and the #MC goes to L1 as an
 * exception exit when vmcs12 intercepts it, else into L2
 * (kvm_queue_exception: exception_vmexit). In 3.1 (read in its 3.1.10
 * tree) the triple fault is KVM_EXIT_SHUTDOWN for the whole VM, and
 * vmx_queue_exception() writes the #MC into vmcs02's entry field whatever
 * vmcs12's exception bitmap says (only a #PF is routed to L1,
 * nested_pf_handled): L2's handler takes it. Both differ from the
 * processor, which puts L2 in shutdown, or exits to L1 when L1 intercepts
 * #MC; each says so.
 */
static enum kvm_exit_result set_mce_triple_fault(struct kvm_vcpu *k, bool mcip)
{
	bool to_l1 = k->guest_mode && k->era->nested_triple_fault_to_l1;
	char why[320];

	/* The processor, taking a machine check in L2, goes to shutdown there with no exit (machine_check.c). */
	if (k->guest_mode) {
		snprintf(why, sizeof(why), "%s: KVM_X86_SET_MCE %s (KVM_REQ_TRIPLE_FAULT: %s); the processor would put L2 in "
		         "shutdown, %s", k->era->name,
		         mcip ? "while MCG_STATUS.MCIP is set, L2 running" : "to an L2 with CR4.MCE = 0",
		         to_l1 ? "L1's TRIPLE_FAULT exit" : "KVM_EXIT_SHUTDOWN, the whole VM stops; 3.1 gives L1 no exit",
		         to_l1 ? "with no exit to L1" : "which an NMI exit or INIT would end");
		l0_trace_differs(&k->b, "triple-fault", MC_VECTOR, why);
	}
	if (to_l1) {
		nested_vmx_vmexit(k, EXIT_REASON_TRIPLE_FAULT, 0, 0, 0, false);
		return KVM_RESUME;
	}
	l0_guest_stop(&k->b, mcip ? "KVM_EXIT_SHUTDOWN: KVM_X86_SET_MCE while the guest's MCG_STATUS.MCIP is set "
	                            "(KVM_REQ_TRIPLE_FAULT)"
	                          : "KVM_EXIT_SHUTDOWN: KVM_X86_SET_MCE to a guest with CR4.MCE = 0 (KVM_REQ_TRIPLE_FAULT)");
	return KVM_SHUTDOWN;
}

enum kvm_exit_result kvm_apply_set_mce(struct kvm_vcpu *k)
{
	uint64_t cr4;

	/* An event in flight goes first (inject_pending_event), and an exception waiting for L1 is one. */
	if (!k->set_mce_pending || kvm_event_needs_reinjection(k) || k->exception_vmexit_info)
		return KVM_RESUME;
	k->set_mce_pending = false;
	cr4 = k->guest_mode ? vmcs_get(k->vmcs12, GUEST_CR4) : k->guest_cr4;
	if ((k->mcg_status & MCG_STATUS_MCIP) || !(cr4 & X86_CR4_MCE))
		return set_mce_triple_fault(k, (k->mcg_status & MCG_STATUS_MCIP) != 0);
	k->mcg_status = MCG_STATUS_MCIP | MCG_STATUS_RIPV;
	if (k->guest_mode && !k->era->nested_check_events &&
	    ((vmcs_get32(k->vmcs12, EXCEPTION_BITMAP) >> MC_VECTOR) & 1u))
		l0_trace_differs(&k->b, "mc-into-l2", MC_VECTOR,
		                 "kvm-2011 injects the #MC of KVM_X86_SET_MCE into L2 through vmcs02's entry field, whatever "
		                 "vmcs12's exception bitmap says (3.1 routes only a #PF to L1); the processor's #MC exits "
		                 "to L1, which intercepts it");
	kvm_queue_exception_why(k, intr_info_make(INTR_TYPE_HARD_EXCEPTION, MC_VECTOR, false), 0, 0, "set_mce");
	return KVM_RESUME;
}

bool kvm_mcg_status_rdmsr(struct kvm_vcpu *k)
{
	const struct vmx_insn *in = l0_guest_insn(&k->b);

	if (!in || in->op != VMX_OP_RDMSR || vmx_insn_msr(in) != MSR_IA32_MCG_STATUS)
		return false;
	k->b.loaded->guest->gpr[VMX_REG_NUM(in->dst) % X86_NGPR] = k->era->set_mce ? k->mcg_status : 0;
	kvm_skip_emulated_instruction(k);
	return true;
}

enum kvm_exit_result kvm_mcg_status_wrmsr(struct kvm_vcpu *k, bool *handled)
{
	const struct vmx_insn *in = l0_guest_insn(&k->b);

	*handled = in && in->op == VMX_OP_WRMSR && vmx_insn_msr(in) == MSR_IA32_MCG_STATUS;
	if (!*handled)
		return KVM_RESUME;
	if (!k->era->set_mce)
		l0_trace(&k->b, TRACE_HOST, "type", "mcg-status-ignored", "kvm_set_msr_common: MSR_IA32_MCG_STATUS, nop", -1,
		         0);
	else
		k->mcg_status = l0_wrmsr_value(&k->b, in);
	kvm_skip_emulated_instruction(k);
	return KVM_RESUME;
}
