/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nested_vmcs02.c - the VMCS L0 runs L2 with (prepare_vmcs02): vmcs12's
 * guest state and controls, with what L0 needs for itself - its own
 * intercepts, host state and MSR bitmap - and what each era does with
 * the debug controls (R12).
 */
#include <string.h>

#include "model/l0/kvm/kvm.h"

#include "vmcs/x86_debugreg.h"

/*
 * The difference L1 can see when L2 single-steps without the BTF vmcs12
 * asked for: said at the entry and after the exit that follows, since the
 * first thing L1 finds different may be an exit or what it reads after one.
 */
void nested_trace_btf_dropped(struct kvm_vcpu *k)
{
	l0_trace_differs(&k->b, "debugctl-btf-dropped", -1,
	                 "kvm-modern drops BTF from vmcs12's IA32_DEBUGCTL (prepare_vmcs02 keeps only what "
	                 "vmx_get_supported_debugctl names): L2 is single-stepped on every instruction, the processor "
	                 "steps it only on branches");
}

/* vmcs02: vmcs12's guest state and L1's wishes, plus what L0 needs for itself. */
void nested_prepare_vmcs02(struct kvm_vcpu *k)
{
	struct vmcs *v02 = &k->vmcs02;
	const struct vmcs *v12 = k->vmcs12;
	enum vmcs_launch_state launched = v02->launch_state;
	uint32_t pin = vmcs_get32(v12, PIN_BASED_VM_EXEC_CONTROL) | PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING;
	uint32_t proc12 = vmcs_get32(v12, CPU_BASED_VM_EXEC_CONTROL), proc01 = vmcs_get32(&k->b.vmcs, CPU_BASED_VM_EXEC_CONTROL);

	memcpy(v02->field, v12->field, sizeof(v02->field));
	/* update_exception_bitmap() in guest mode: L0's own intercepts (#DB, kvm_debug.c; the debugger's #BP) and vmcs12's. */
	vmcs_set_bits(v02, EXCEPTION_BITMAP, update_exception_bitmap(k));
	if (k->guest_debug & KVM_GUESTDBG_USE_SW_BP)
		vmcs_set_bits(v02, EXCEPTION_BITMAP, 1u << BP_VECTOR);
	/* vmx_set_cr4(vmcs12's guest CR4): the host's MCE stays in force for L2 too (hw_cr4_host_mce). */
	if (k->era->hw_cr4_host_mce)
		vmcs_set_bits(v02, GUEST_CR4, X86_CR4_MCE);
	v02->revision_id = k->b.vmcs.revision_id;
	v02->launch_state = launched;
	v02->guest = v12->guest;
	if (!cpu_has_virtual_nmis(k))
		pin &= ~(uint32_t)PIN_BASED_VIRTUAL_NMIS;
	vmcs_set(v02, PIN_BASED_VM_EXEC_CONTROL, pin);
	/*
	 * The processor's must-be-1 bits, which KVM's own controls carry into
	 * vmcs02 whatever vmcs12 has: the 2011 offer does not ask L1 for them.
	 */
	{
		const struct vmx_caps *hw = &k->b.env.lp->model.caps;
		vmcs_set_bits(v02, PIN_BASED_VM_EXEC_CONTROL, vmx_allowed0(vmx_caps_for_word(hw, VMX_CTL_PIN)));
		vmcs_set_bits(v02, CPU_BASED_VM_EXEC_CONTROL, vmx_allowed0(vmx_caps_for_word(hw, VMX_CTL_PROC)));
		vmcs_set_bits(v02, VM_ENTRY_CONTROLS, vmx_allowed0(vmx_caps_for_word(hw, VMX_CTL_ENTRY)));
	}
	/*
	 * KVM intercepts HLT for every guest it runs, L2 included, and port I/O
	 * and MOV to CR8 as for L1 (nested_vmx_exit_handled_io/_cr decide whose
	 * they are). With vmcs12's I/O bitmaps KVM would read them itself; the
	 * model cannot, so it leaves them in vmcs02 for the processor to refuse.
	 */
	vmcs_set_bits(v02, CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_HLT_EXITING);
	/* MOV-DR exiting as vmcs01 has it now (the lazy path may have cleared it there): L0's, ORed with vmcs12's. */
	if (proc01 & CPU_BASED_MOV_DR_EXITING)
		vmcs_set_bits(v02, CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_MOV_DR_EXITING);
	if (!(proc12 & CPU_BASED_USE_IO_BITMAPS))
		vmcs_set_bits(v02, CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_UNCOND_IO_EXITING);
	if (!(proc12 & CPU_BASED_TPR_SHADOW))
		vmcs_set_bits(v02, CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_CR8_LOAD_EXITING);
	/* L2's TSC: L1's offset from L0 (vmcs01) plus L1's offset for L2 (vmcs12), as KVM sums them. */
	if ((proc01 | proc12) & CPU_BASED_USE_TSC_OFFSETTING) {
		vmcs_set_bits(v02, CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_USE_TSC_OFFSETTING);
		vmcs_set(v02, TSC_OFFSET, ((proc01 & CPU_BASED_USE_TSC_OFFSETTING) ? vmcs_get(&k->b.vmcs, TSC_OFFSET) : 0) +
		                          ((proc12 & CPU_BASED_USE_TSC_OFFSETTING) ? vmcs_get(v12, TSC_OFFSET) : 0));
	}
	/*
	 * vmcs12's IA32_DEBUGCTL with load debug controls: today only the bits
	 * KVM supports for L2 go into vmcs02 (vmx_get_supported_debugctl), so
	 * LBR and BTF are dropped (nested_debugctl_checked; the check before
	 * refused any other bit). With TF that is a difference L1 can see:
	 * the processor single-steps L2 on branches, KVM on every instruction.
	 */
	if (k->era->nested_debugctl_checked && (vmcs_get32(v12, VM_ENTRY_CONTROLS) & VM_ENTRY_LOAD_DEBUG_CONTROLS)) {
		uint64_t dc = vmcs_get(v12, GUEST_IA32_DEBUGCTL);
		vmcs_set(v02, GUEST_IA32_DEBUGCTL, dc & ~(uint64_t)(DEBUGCTLMSR_LBR | DEBUGCTLMSR_BTF));
		k->l2_btf_dropped = (dc & DEBUGCTLMSR_BTF) && (vmcs_get(v12, GUEST_RFLAGS) & X86_EFLAGS_TF);
		if (k->l2_btf_dropped)
			nested_trace_btf_dropped(k);
	}
	/*
	 * Today vmcs02 always loads the debug controls: vmcs12's DR7 when L1
	 * loads them, else L1's own (arch.dr7, as the processor would keep it)
	 * with L1's IA32_DEBUGCTL (pre_vmenter_debugctl) - kvm_set_dr(7, ...)
	 * makes it L2's arch.dr7 (2996fca0).
	 */
	if (k->era->nested_debugregs) {
		bool load = (vmcs_get32(v12, VM_ENTRY_CONTROLS) & VM_ENTRY_LOAD_DEBUG_CONTROLS) != 0;
		vmcs_set_bits(v02, VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_DEBUG_CONTROLS);
		if (!load)
			vmcs_set(v02, GUEST_IA32_DEBUGCTL, vmcs_get(&k->b.vmcs, GUEST_IA32_DEBUGCTL));
		kvm_debugreg_set_dr7(k, v02, load ? vmcs_get(v12, GUEST_DR7) : k->dr7);
	}
	/* vmcs12's virtual-APIC page is the one L2's TPR shadow uses (written back on the exit to L1). */
	v02->vapic = v12->vapic;   /* one virtual-APIC page: L1's */
	/* L0 takes host interrupts its own way; L1's exit controls are emulated. */
	vmcs_set(v02, VM_EXIT_CONTROLS, vmcs_get32(&k->b.vmcs, VM_EXIT_CONTROLS));
	vmcs_set(v02, HOST_RIP, L0_HOST_RIP);
	/* vmcs02's host state is L0's own (vmcs01's), not what vmcs12 names for L1. */
	vmcs_set(v02, HOST_CR0, vmcs_get(&k->b.vmcs, HOST_CR0));
	vmcs_set(v02, HOST_CR4, vmcs_get(&k->b.vmcs, HOST_CR4));
	vmcs_set(v02, HOST_IA32_EFER, vmcs_get(&k->b.vmcs, HOST_IA32_EFER));
	vmcs_set(v02, VMCS_LINK_POINTER, VMCS_LINK_POINTER_NONE);
	/*
	 * With L1's MSR bitmaps on, vmcs02 uses L0's own page, which intercepts
	 * every MSR the model has: L0 emulates the local APIC and the VMX MSRs
	 * for L2 as for L1, and asks vmcs12's bitmap which exits are L1's
	 * (l1_wants_exit). Without them every RDMSR and WRMSR exits anyway.
	 */
	vmcs_set(v02, MSR_BITMAP, VMCS_MSR_BITMAP_DEFAULT);
	v02->msr_bitmap = &k->b.msr_bitmap;
	nested_apicv_prepare_vmcs02(k);
}
