/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kvm_mce.c - a machine check for the guest: what user space injects with
 * KVM_X86_SET_MCE (QEMU, when the host reports a poisoned page the guest
 * uses), and the guest's machine-check MSRs as KVM emulates them - the
 * error-reporting banks and IA32_MCG_STATUS, CAP and CTL (rule R24 level 1
 * from the guest's side; the host's machine checks are kvm_vmx.c's).
 *
 * The banks. User space sets the guest's IA32_MCG_CAP once with
 * KVM_X86_SETUP_MCE; the model's user space gives what QEMU does: ten
 * banks, MCG_CTL_P and MCG_SER_P (its MCE_BANKS_DEF and MCE_CAP_DEF).
 * kvm_vcpu_ioctl_x86_setup_mce then sets IA32_MCG_CTL and every MCi_CTL to
 * all ones. The guest's RDMSR and WRMSR of them always exit (KVM's MSR
 * bitmap intercepts them) and go to get_msr_mce and set_msr_mce (read in
 * the 3.1.10 tree; today's from its patches): IA32_MCG_CTL takes 0 or all
 * ones; MCi_CTL takes 0 or all ones, bit 10 may be clear (an old Linux
 * clears it on bank 4) and today bit 0 too; today a non-zero MCi_STATUS is
 * #GP (9ffd986c, 2019: only an AMD guest with HWCR.McStatusWrEn may), 3.1
 * takes any value; MCG_CAP is read-only. Everything else a guest writes is
 * #GP, as the -1 of 3.1 and the 1 of today both become.
 *
 * kvm_vcpu_ioctl_x86_set_mce() (890ca9ae, "KVM: Add MCE support", 2009;
 * the same in the 3.1 code and today, which first takes the UCNA path):
 * - today, an uncorrected error that asks for no action (UCNA: VAL and UC,
 *   no PCC, S or AR, MCG_STATUS 0) is written into its bank as it is, and
 *   nothing is signalled (CMCI would need MCG_CMCI_P, which the guest's
 *   MCG_CAP lacks); 3.1 treats it as any uncorrected error;
 * - an uncorrected error is dropped when IA32_MCG_CTL or the bank's MCi_CTL
 *   is not all ones (reporting disabled);
 * - otherwise, if the guest has a machine check in progress (MCG_STATUS.MCIP)
 *   or runs with CR4.MCE = 0, KVM makes a triple fault of it
 *   (KVM_REQ_TRIPLE_FAULT, then KVM_EXIT_SHUTDOWN: the guest stops);
 *   else it logs the error (OVER if the bank held one), sets the guest's
 *   MCG_STATUS to the one given and queues #MC (kvm_queue_exception),
 *   injected at the next entry as a hardware exception;
 * - a corrected error is logged (OVER if the bank held one) unless the bank
 *   holds an uncorrected one, which it keeps, with OVER; no #MC.
 * The ioctl runs while the vCPU is out of KVM_RUN: the model applies each,
 * in order, when the vCPU has left the guest - halted in the host too -
 * after any event an exit left in flight has been re-injected
 * (inject_pending_event gives an injected event precedence over a pending
 * exception). Two that reach the same stop are two ioctls: an uncorrected
 * error after one that queued a #MC finds MCIP set. A triple fault is only
 * requested (KVM_REQ_TRIPLE_FAULT), so the ioctls after it still act on the
 * vCPU as it is (L2 too), and it is acted on at the next entry, once: not
 * while the vCPU stays halted. Today a queued #MC wakes a halted vCPU
 * (kvm_vcpu_has_events counts a pending exception); 3.1 leaves it halted
 * until something else wakes it (kvm_era.halt_wake_on_exception).
 *
 * The 2008 code has no KVM_X86_SET_MCE and keeps no bank (read in a
 * 2.6.28 tree): kvm_get_msr_common answers IA32_MCG_CAP, STATUS and CTL,
 * MC0_CTL and MC0_MISC to MC5_MISC with 0, kvm_set_msr_common drops a write
 * of IA32_MCG_STATUS, IA32_MCG_CTL or MC0_STATUS with a pr_unimpl() line,
 * and every other machine-check MSR is an unhandled MSR: #GP.
 */
#include <stdio.h>
#include <string.h>

#include "model/l0/kvm/kvm.h"

#include "vmcs/x86_cr.h"
#include "vmcs/x86_mcg.h"
#include "vmcs/x86_msr.h"

void kvm_setup_mce(struct kvm_vcpu *k)
{
	if (!k->era->set_mce)
		return;
	k->mcg_cap = MCG_CTL_P | MCG_SER_P | KVM_GUEST_MCE_BANKS;
	k->mcg_ctl = ~0ull;
	for (uint32_t i = 0; i < KVM_GUEST_MCE_BANKS; i++)
		k->mce_banks[4 * i] = ~0ull;
}

bool kvm_set_mce(struct kvm_vcpu *k, const struct x86_mce_record *mce, uint32_t line)
{
	char what[200];

	_Static_assert(KVM_SET_MCE_QUEUE == 4, "the refusal below says 4");
	/* The ioctl waits for the vCPU to leave KVM_RUN: kick it, apply it before the next entry. */
	if (k->set_mce_pending == KVM_SET_MCE_QUEUE) {
		l0_refuse(&k->b, line, "more than 4 KVM_X86_SET_MCE ioctls between two entries of the vCPU");
		return false;
	}
	k->set_mce_queue[k->set_mce_pending++] = *mce;
	snprintf(what, sizeof(what), "KVM_X86_SET_MCE: bank %u status 0x%llx addr 0x%llx misc 0x%llx mcg_status 0x%llx",
	         mce->bank, (unsigned long long)mce->status, (unsigned long long)mce->addr,
	         (unsigned long long)mce->misc, (unsigned long long)mce->mcg_status);
	l0_trace(&k->b, TRACE_USERSPACE, "request", "set_mce", what, MC_VECTOR, 0);
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

/* A host line that says what the ioctl did with an error that is not a #MC. */
static void set_mce_note(struct kvm_vcpu *k, const char *type, const char *fmt, uint32_t bank)
{
	char why[200];

	snprintf(why, sizeof(why), fmt, bank);
	l0_trace(&k->b, TRACE_HOST, "type", type, why, MC_VECTOR, 0);
}

/* Today's is_ucna(): an uncorrected error with none of the bits that ask for a machine-check exception. */
static bool is_ucna(const struct x86_mce_record *mce)
{
	return !mce->mcg_status && !(mce->status & (MCI_STATUS_PCC | MCI_STATUS_S | MCI_STATUS_AR)) &&
	       (mce->status & MCI_STATUS_VAL) && (mce->status & MCI_STATUS_UC);
}

/*
 * One KVM_X86_SET_MCE, as kvm_vcpu_ioctl_x86_set_mce() does it (the
 * header). A triple fault is only requested (KVM_REQ_TRIPLE_FAULT): the
 * vCPU is still where it was for the ioctls after it, and the request is
 * acted on at the next entry. *triple: 0, or 1 + whether MCIP made it.
 */
static void set_mce_one(struct kvm_vcpu *k, struct x86_mce_record mce, unsigned *triple)
{
	uint64_t *bank = &k->mce_banks[4 * (mce.bank % KVM_GUEST_MCE_BANKS)];
	bool uc = (mce.status & MCI_STATUS_UC) != 0;
	uint64_t cr4;

	if (k->era->mca_today && is_ucna(&mce)) {
		bank[1] = mce.status;
		bank[2] = mce.addr;
		bank[3] = mce.misc;
		k->mcg_status = mce.mcg_status;
		set_mce_note(k, "set-mce-ucna", "an uncorrected error that needs no action, logged in bank %u; no "
		             "#MC (and no CMCI: the guest's MCG_CAP has no MCG_CMCI_P)", mce.bank);
		return;
	}
	if (uc && (k->mcg_cap & MCG_CTL_P) && k->mcg_ctl != ~0ull) {
		set_mce_note(k, "set-mce-dropped", "IA32_MCG_CTL is not all ones: the uncorrected error for bank %u is "
		             "not reported", mce.bank);
		return;
	}
	if (uc && bank[0] != ~0ull) {
		set_mce_note(k, "set-mce-dropped", "IA32_MC%u_CTL is not all ones: the uncorrected error is not reported",
		             mce.bank);
		return;
	}
	if (!uc) {
		if ((bank[1] & MCI_STATUS_VAL) && (bank[1] & MCI_STATUS_UC)) {
			bank[1] |= MCI_STATUS_OVER;
			set_mce_note(k, "set-mce-logged", "a corrected error: bank %u keeps its uncorrected one and sets OVER",
			             mce.bank);
			return;
		}
		if (bank[1] & MCI_STATUS_VAL)
			mce.status |= MCI_STATUS_OVER;
		bank[1] = mce.status;
		bank[2] = mce.addr;
		bank[3] = mce.misc;
		set_mce_note(k, "set-mce-logged", "a corrected error, logged in bank %u; no #MC", mce.bank);
		return;
	}
	cr4 = k->guest_mode ? vmcs_get(k->vmcs12, GUEST_CR4) : k->guest_cr4;
	if ((k->mcg_status & MCG_STATUS_MCIP) || !(cr4 & X86_CR4_MCE)) {
		if (!*triple)
			*triple = 1u + ((k->mcg_status & MCG_STATUS_MCIP) != 0);
		return;
	}
	if (bank[1] & MCI_STATUS_VAL)
		mce.status |= MCI_STATUS_OVER;
	bank[2] = mce.addr;
	bank[3] = mce.misc;
	k->mcg_status = mce.mcg_status;
	bank[1] = mce.status;
	if (k->guest_mode && !k->era->nested_check_events &&
	    ((vmcs_get32(k->vmcs12, EXCEPTION_BITMAP) >> MC_VECTOR) & 1u))
		l0_trace_differs(&k->b, "mc-into-l2", MC_VECTOR,
		                 "kvm-2011 injects the #MC of KVM_X86_SET_MCE into L2 through vmcs02's entry field, whatever "
		                 "vmcs12's exception bitmap says (3.1 routes only a #PF to L1); the processor's #MC exits "
		                 "to L1, which intercepts it");
	kvm_queue_exception_why(k, intr_info_make(INTR_TYPE_HARD_EXCEPTION, MC_VECTOR, false), 0, 0, "set_mce");
}

enum kvm_exit_result kvm_apply_set_mce(struct kvm_vcpu *k)
{
	/*
	 * An event in flight from the exit goes first (inject_pending_event),
	 * and an exception waiting for L1 is one. Then every ioctl made while
	 * the vCPU was out runs, in order: the #MC one queued does not hold back
	 * the next.
	 */
	unsigned triple = 0;

	/* Nothing queued, nothing owed: the common entry pays one test. */
	if (!k->set_mce_pending && !k->set_mce_triple)
		return KVM_RESUME;
	if (kvm_event_needs_reinjection(k) || k->exception_vmexit_info)
		return KVM_RESUME;
	while (k->set_mce_pending) {
		struct x86_mce_record mce = k->set_mce_queue[0];

		k->set_mce_pending--;
		memmove(&k->set_mce_queue[0], &k->set_mce_queue[1], k->set_mce_pending * sizeof(k->set_mce_queue[0]));
		set_mce_one(k, mce, &triple);
	}
	/* KVM_REQ_TRIPLE_FAULT, once, as vcpu_enter_guest() takes it: not while the vCPU is halted. */
	if (triple && !k->set_mce_triple)
		k->set_mce_triple = triple;
	if (!k->set_mce_triple || k->halted)
		return KVM_RESUME;
	triple = k->set_mce_triple;
	k->set_mce_triple = 0;
	return set_mce_triple_fault(k, triple == 2u);
}

/* 2.6.28's kvm_get_msr_common: the machine-check MSRs it answers with 0. */
static bool read_as_zero_2008(uint32_t msr)
{
	return msr == MSR_IA32_MCG_CAP || msr == MSR_IA32_MCG_STATUS || msr == MSR_IA32_MCG_CTL ||
	       msr == MSR_IA32_MC0_CTL || (msr >= MSR_IA32_MC0_MISC && msr <= MSR_IA32_MC0_MISC + 20 && (msr & 3u) == 3u);
}

/* get_msr_mce: false for #GP. */
static bool mce_msr_read(const struct kvm_vcpu *k, uint32_t msr, uint64_t *v)
{
	uint32_t banks = (uint32_t)(k->mcg_cap & MCG_CAP_COUNT);

	*v = 0;
	if (!k->era->set_mce)
		return read_as_zero_2008(msr);
	if (msr == MSR_IA32_MCG_CAP)
		*v = k->mcg_cap;
	else if (msr == MSR_IA32_MCG_STATUS)
		*v = k->mcg_status;
	else if (msr == MSR_IA32_MCG_CTL && (k->mcg_cap & MCG_CTL_P))
		*v = k->mcg_ctl;
	else if (msr >= MSR_MC0_CTL_BASE && msr < MSR_MC0_CTL_BASE + 4u * banks)
		*v = k->mce_banks[msr - MSR_MC0_CTL_BASE];
	else
		return false;
	return true;
}

/* set_msr_mce (kvm_set_msr_common under kvm-2008): false for #GP. */
static bool mce_msr_write(struct kvm_vcpu *k, uint32_t msr, uint64_t v)
{
	uint32_t banks = (uint32_t)(k->mcg_cap & MCG_CAP_COUNT);
	uint64_t ctl_free = (1ull << 10) | (k->era->mca_today ? 1ull : 0);

	if (!k->era->set_mce) {
		if (msr != MSR_IA32_MCG_STATUS && msr != MSR_IA32_MCG_CTL && msr != MSR_IA32_MC0_STATUS)
			return false;
		l0_trace(&k->b, TRACE_HOST, "type", "mce-msr-ignored", "kvm_set_msr_common: pr_unimpl, nop", -1, 0);
		return true;
	}
	if (msr == MSR_IA32_MCG_STATUS) {
		k->mcg_status = v;
	} else if (msr == MSR_IA32_MCG_CTL) {
		if (!(k->mcg_cap & MCG_CTL_P) || (v != 0 && v != ~0ull))
			return false;
		k->mcg_ctl = v;
	} else if (msr >= MSR_MC0_CTL_BASE && msr < MSR_MC0_CTL_BASE + 4u * banks) {
		uint32_t off = msr - MSR_MC0_CTL_BASE;

		if ((off & 3u) == 0 && v != 0 && (v | ctl_free) != ~0ull)
			return false;
		if ((off & 3u) == 1 && v != 0 && k->era->mca_today)
			return false;
		k->mce_banks[off] = v;
	} else {
		return false;
	}
	return true;
}

bool kvm_mce_rdmsr(struct kvm_vcpu *k)
{
	const struct vmx_insn *in = l0_guest_insn(&k->b);
	uint64_t v;

	if (!in || in->op != VMX_OP_RDMSR ||
	    (vmx_insn_msr(in) != MSR_IA32_MCG_STATUS && !x86_msr_is_mca_bank(vmx_insn_msr(in))))
		return false;
	if (!mce_msr_read(k, vmx_insn_msr(in), &v)) {
		kvm_queue_exception(k, intr_info_make(INTR_TYPE_HARD_EXCEPTION, GP_VECTOR, true), 0);
		return true;
	}
	k->b.loaded->guest->gpr[VMX_REG_NUM(in->dst) % X86_NGPR] = v;
	kvm_skip_emulated_instruction(k);
	return true;
}

enum kvm_exit_result kvm_mce_wrmsr(struct kvm_vcpu *k, bool *handled)
{
	const struct vmx_insn *in = l0_guest_insn(&k->b);

	*handled = in && in->op == VMX_OP_WRMSR &&
	           (vmx_insn_msr(in) == MSR_IA32_MCG_STATUS || x86_msr_is_mca_bank(vmx_insn_msr(in)));
	if (!*handled)
		return KVM_RESUME;
	if (!mce_msr_write(k, vmx_insn_msr(in), l0_wrmsr_value(&k->b, in)))
		kvm_queue_exception(k, intr_info_make(INTR_TYPE_HARD_EXCEPTION, GP_VECTOR, true), 0);
	else
		kvm_skip_emulated_instruction(k);
	return KVM_RESUME;
}
