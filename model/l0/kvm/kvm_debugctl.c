/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kvm_debugctl.c - what each era of KVM does with a single-level guest's
 * IA32_DEBUGCTL (MSR 1D9H): its WRMSR and RDMSR, which always exit (KVM
 * never lets the guest at the MSR through the MSR bitmap), and the value
 * user space gives the vCPU (KVM_SET_MSRS; a scenario's `vmcs
 * GUEST_IA32_DEBUGCTL` line under a KVM model). Rules R12 and R24: of the
 * register's bits only BTF changes what the processor model does
 * (single-stepping on branches, model/hw/debug.c), and no era of KVM lets
 * a guest's BTF reach the processor. A guest that sets TF with BTF is
 * single-stepped on every instruction under KVM, where the processor alone
 * would trap after branches only.
 *
 * Eras (struct kvm_era.debugctl):
 *  - KVM_DEBUGCTL_IGNORED (kvm-2008 and kvm-2011; b5e2fec0, "KVM: Ignore
 *    DEBUGCTL MSRs with no effect", 2008, in kvm_set_msr_common from
 *    2.6.28 - a 2.6.27 tree has no case for the MSR and answers #GP -
 *    to 3.x; the December 2008 tree of kvm-2008 is later than 2.6.28's,
 *    and 3.1.10's is the same code): a write of 0 is accepted, a
 *    write whose bits are all LBR or BTF is accepted and dropped with a
 *    pr_unimpl() line, any other is #GP(0). kvm_get_msr_common() answers a
 *    read with 0. GUEST_IA32_DEBUGCTL stays 0.
 *  - KVM_DEBUGCTL_SUPPORTED (today's vmx_set_msr): the bits outside
 *    vmx_get_supported_debugctl() are invalid; LBR and BTF among them are
 *    dropped with kvm_pr_unimpl_wrmsr() and any other is #GP(0); the rest
 *    goes to GUEST_IA32_DEBUGCTL, which a read returns. The supported set
 *    is bus-lock detection, LBR with FREEZE_LBRS_ON_PMI and RTM_DEBUG, each
 *    only when the guest's CPUID or vPMU has the feature; the model's
 *    guests have none of them (their CPUID reports VMX alone), so it is
 *    empty here: BTF and LBR are dropped, every other bit is #GP(0).
 *
 * User space's KVM_SET_MSRS goes through the same code (host_initiated:
 * today that adds LBR to the supported set when the host has it, which
 * changes nothing here, since the guest has no vPMU to use it).
 */
#include <stdio.h>

#include "model/l0/kvm/kvm.h"

#include "vmcs/x86_debugreg.h"
#include "vmcs/x86_msr.h"

#define DEBUGCTL_IGNORED_BITS ((uint64_t)(DEBUGCTLMSR_LBR | DEBUGCTLMSR_BTF))

/*
 * The era's set_msr for IA32_DEBUGCTL: false for #GP(0) (KVM_SET_MSRS
 * fails); else the value GUEST_IA32_DEBUGCTL gets, and a host trace line
 * when KVM dropped bits.
 */
static bool set_debugctl(struct kvm_vcpu *k, uint64_t data, uint64_t *guest)
{
	if (data & ~DEBUGCTL_IGNORED_BITS)
		return false;
	*guest = 0;   /* 3.1 writes nothing; today data & supported, which is 0 */
	if (data)
		l0_trace(&k->b, TRACE_HOST, "type", "debugctl-ignored",
		         k->era->debugctl == KVM_DEBUGCTL_IGNORED
		             ? "kvm_set_msr_common: LBR and BTF accepted, nop"
		             : "vmx_set_msr: LBR and BTF not supported, dropped",
		         -1, 0);
	return true;
}

bool kvm_debugctl_init(struct kvm_vcpu *k)
{
	uint64_t data = vmcs_get(&k->b.vmcs, GUEST_IA32_DEBUGCTL), guest = 0;

	if (!data)
		return true;
	if (!set_debugctl(k, data, &guest)) {
		l0_refuse(&k->b, 0,
		       "GUEST_IA32_DEBUGCTL with bits other than LBR and BTF under a KVM model (user space's KVM_SET_MSRS "
		       "of that value fails: KVM supports none of them for this guest)");
		return false;
	}
	vmcs_set(&k->b.vmcs, GUEST_IA32_DEBUGCTL, guest);
	return true;
}

/* The WRMSR or RDMSR at the guest's RIP names IA32_DEBUGCTL. */
static const struct vmx_insn *debugctl_insn(struct kvm_vcpu *k, enum vmx_op op)
{
	const struct vmx_insn *in = l0_guest_insn(&k->b);

	return in && in->op == op && vmx_insn_msr(in) == MSR_IA32_DEBUGCTL ? in : NULL;
}

/*
 * L2's WRMSR that L1's MSR bitmap lets through to L0: the processor would
 * keep BTF (and single-step L2 on branches, and save it into vmcs12), both
 * eras drop it. Said on a host line, for what L2 records next and L1's
 * next event, and again after the exit (nested.c), for what L1 reads then.
 */
void kvm_debugctl_trace_l2_btf_dropped(struct kvm_vcpu *k)
{
	char why[256];

	snprintf(why, sizeof(why),
	         "%s drops the BTF of L2's WRMSR of IA32_DEBUGCTL (%s), which the processor keeps: L2 is single-stepped "
	         "on every instruction, not only on branches", k->era->name,
	         k->era->debugctl == KVM_DEBUGCTL_IGNORED ? "kvm_set_msr_common: nop" : "vmx_set_msr: not supported");
	l0_trace_differs(&k->b, "debugctl-btf-dropped", -1, why);
}

static void l2_btf_dropped(struct kvm_vcpu *k, uint64_t data)
{
	if (!k->guest_mode || !(data & DEBUGCTLMSR_BTF))
		return;
	k->l2_wrmsr_btf_dropped = true;
	kvm_debugctl_trace_l2_btf_dropped(k);
}

enum kvm_exit_result kvm_debugctl_wrmsr(struct kvm_vcpu *k, bool *handled)
{
	const struct vmx_insn *in = debugctl_insn(k, VMX_OP_WRMSR);
	uint64_t guest = 0;

	*handled = in != NULL;
	if (!in)
		return KVM_RESUME;
	if (!set_debugctl(k, l0_wrmsr_value(&k->b, in), &guest)) {
		kvm_queue_exception(k, intr_info_make(INTR_TYPE_HARD_EXCEPTION, GP_VECTOR, true), 0);
		return KVM_RESUME;
	}
	l2_btf_dropped(k, l0_wrmsr_value(&k->b, in));
	/*
	 * 2.6.28 to 3.x write nothing (vmcs02 keeps what prepare_vmcs02 copied
	 * from vmcs12). Today's vmx_set_msr writes the supported bits into the
	 * current VMCS, and while L2 runs into vmcs12's copy too when vmcs12
	 * saves the debug controls: what L1 reads after the exit.
	 */
	if (k->era->debugctl == KVM_DEBUGCTL_SUPPORTED) {
		if (k->guest_mode && (vmcs_get32(k->vmcs12, VM_EXIT_CONTROLS) & VM_EXIT_SAVE_DEBUG_CONTROLS))
			vmcs_set(k->vmcs12, GUEST_IA32_DEBUGCTL, guest);
		vmcs_set(k->b.loaded, GUEST_IA32_DEBUGCTL, guest);
	}
	kvm_skip_emulated_instruction(k);
	return KVM_RESUME;
}

enum kvm_exit_result kvm_debugctl_rdmsr(struct kvm_vcpu *k, bool *handled)
{
	const struct vmx_insn *in = debugctl_insn(k, VMX_OP_RDMSR);
	uint64_t value;

	*handled = in != NULL;
	if (!in)
		return KVM_RESUME;
	value = k->era->debugctl == KVM_DEBUGCTL_IGNORED ? 0 : vmcs_get(k->b.loaded, GUEST_IA32_DEBUGCTL);
	/*
	 * L2's read, L1's MSR bitmap letting it through: the processor reads
	 * the value the entry loaded from vmcs12 (or L2 wrote since, which
	 * both eras' own note covered), KVM what it kept of it.
	 */
	if (k->guest_mode && (vmcs_get32(k->vmcs12, VM_ENTRY_CONTROLS) & VM_ENTRY_LOAD_DEBUG_CONTROLS) &&
	    value != vmcs_get(k->vmcs12, GUEST_IA32_DEBUGCTL)) {
		char why[256];
		snprintf(why, sizeof(why),
		         "%s answers L2's RDMSR of IA32_DEBUGCTL with 0x%llx; the processor reads what its entry loaded from "
		         "vmcs12, 0x%llx", k->era->name, (unsigned long long)value,
		         (unsigned long long)vmcs_get(k->vmcs12, GUEST_IA32_DEBUGCTL));
		l0_trace_differs(&k->b, "debugctl-read", -1, why);
	}
	k->b.loaded->guest->gpr[VMX_REG_NUM(in->dst) % X86_NGPR] = value;
	kvm_skip_emulated_instruction(k);
	return KVM_RESUME;
}
