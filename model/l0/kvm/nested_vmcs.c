/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nested_vmcs.c - L1's VMX operation as KVM emulates it (handle_vmon,
 * handle_vmoff, handle_vmclear, handle_vmptrld, handle_vmptrst): whether
 * L1 is in VMX operation, its VMXON pointer, and which of its VMCS regions
 * is vmcs12. The regions are L1's memory, found by address as the
 * processor finds them on bare metal, and each check fails with the
 * SDM's VM-instruction error, so that L1 sees what it sees on bare metal
 * (`vmxsim equiv --l0`). Outside VMX operation every one but VMXON raises
 * #UD in L1 (nested_vmx_check_permission).
 *
 * KVM keeps a copy of the current vmcs12 and writes it back when L1 loads
 * another; the model works on the region itself, which L1 cannot tell
 * apart. vmcs02 is one per vCPU: its fields are copied from vmcs12 at
 * every emulated entry.
 */
#include "model/l0/kvm/kvm.h"

/* The region operand: L1's register, or the address the instruction names. */
static uint64_t operand(const struct kvm_vcpu *k, const struct vmx_insn *in)
{
	return in->src ? k->b.env.guest_mem->gpr[VMX_REG_NUM(in->src) % X86_NGPR] : in->arg;
}

static struct vmcs *l1_region(const struct kvm_vcpu *k, uint64_t addr)
{
	return vmx_guest_mem_region(k->b.env.guest_mem, addr);
}

/* The revision identifier at addr in L1's memory; 0 where there is no region. */
static uint32_t l1_revision(const struct kvm_vcpu *k, uint64_t addr)
{
	const struct vmcs *r = l1_region(k, addr);
	return r ? r->revision_id : 0;
}

/* The revision identifier L0 reports to L1 in IA32_VMX_BASIC: the processor's (nested_rdmsr). */
static uint32_t vmcs12_revision(const struct kvm_vcpu *k)
{
	return k->b.env.lp->model.revision_id;
}

static void handle_vmon(struct kvm_vcpu *k, uint64_t addr)
{
	if (k->vmxon) {
		nested_vmx_result(k, "vmxon", VMXERR_VMXON_IN_ROOT, NULL);
		return;
	}
	if (!vmx_region_pointer_valid(addr, k->b.env.lp->model.phys_addr_bits)) {
		nested_vmx_fail_invalid(k, "vmxon", "VMXON pointer 4-KByte aligned, within the physical-address width");
		return;
	}
	if (l1_revision(k, addr) != vmcs12_revision(k)) {
		nested_vmx_fail_invalid(k, "vmxon", "VMXON region's revision identifier is the processor's");
		return;
	}
	/* enter_vmx_operation: no current vmcs12. */
	k->vmxon = true;
	k->vmxon_ptr = addr;
	nested_set_vmcs12(k, NULL);
	nested_vmx_result(k, "vmxon", VMX_INSN_OK, NULL);
}

static void handle_vmclear(struct kvm_vcpu *k, uint64_t addr)
{
	struct vmcs *r;

	if (!vmx_region_pointer_valid(addr, k->b.env.lp->model.phys_addr_bits)) {
		nested_vmx_result(k, "vmclear", VMXERR_VMCLEAR_INVALID_ADDRESS, NULL);
		return;
	}
	if (addr == k->vmxon_ptr) {
		nested_vmx_result(k, "vmclear", VMXERR_VMCLEAR_VMXON_POINTER, NULL);
		return;
	}
	/* nested_release_vmcs12 if it is the current one; the launch state in L1's memory becomes clear. */
	r = l1_region(k, addr);
	if (r) {
		if (k->vmcs12 == r)
			nested_set_vmcs12(k, NULL);
		r->launch_state = VMCS_CLEAR;
	}
	nested_vmx_result(k, "vmclear", VMX_INSN_OK, NULL);
}

static void handle_vmptrld(struct kvm_vcpu *k, uint64_t addr)
{
	if (!vmx_region_pointer_valid(addr, k->b.env.lp->model.phys_addr_bits)) {
		nested_vmx_result(k, "vmptrld", VMXERR_VMPTRLD_INVALID_ADDRESS, NULL);
		return;
	}
	if (addr == k->vmxon_ptr) {
		nested_vmx_result(k, "vmptrld", VMXERR_VMPTRLD_VMXON_POINTER, NULL);
		return;
	}
	/* Only a VMCS other than the current one is read (and its revision checked). */
	if (!k->vmcs12 || k->vmcs12->addr != addr) {
		if (l1_revision(k, addr) != vmcs12_revision(k)) {
			nested_vmx_result(k, "vmptrld", VMXERR_VMPTRLD_INCORRECT_REVISION_ID, NULL);
			return;
		}
		nested_set_vmcs12(k, l1_region(k, addr));
	}
	nested_vmx_result(k, "vmptrld", VMX_INSN_OK, NULL);
}

enum kvm_exit_result nested_vmx_operation(struct kvm_vcpu *k, uint32_t reason, const struct vmx_insn *in)
{
	if (!in)
		return KVM_RESUME;
	if (reason != EXIT_REASON_VMON && !k->vmxon) {
		/* The instruction faults: L1 takes #UD at it. */
		kvm_queue_exception(k, intr_info_make(INTR_TYPE_HARD_EXCEPTION, UD_VECTOR, false), 0);
		return KVM_RESUME;
	}
	switch (reason) {
	case EXIT_REASON_VMON:
		handle_vmon(k, operand(k, in));
		break;
	case EXIT_REASON_VMOFF:
		/* free_nested: L1 leaves VMX operation with no current vmcs12. */
		k->vmxon = false;
		nested_set_vmcs12(k, NULL);
		nested_vmx_result(k, "vmxoff", VMX_INSN_OK, NULL);
		break;
	case EXIT_REASON_VMCLEAR:
		handle_vmclear(k, operand(k, in));
		break;
	case EXIT_REASON_VMPTRLD:
		handle_vmptrld(k, operand(k, in));
		break;
	default:   /* VMPTRST: the current-VMCS pointer into L1's register */
		if (in->dst)
			k->b.env.guest_mem->gpr[VMX_REG_NUM(in->dst) % X86_NGPR] =
				k->vmcs12 ? k->vmcs12->addr : VMX_INVALID_VMCS_PTR;
		nested_vmx_result(k, "vmptrst", VMX_INSN_OK, NULL);
		break;
	}
	kvm_skip_emulated_instruction(k);
	return KVM_RESUME;
}
