/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nested_checks.c - what KVM checks of vmcs12 when L1 executes VMLAUNCH or
 * VMRESUME, in its order (nested_vmx_run, nested_vmx_check_controls,
 * nested_vmx_check_host_state, nested_vmx_check_guest_state of today's
 * arch/x86/kvm/vmx/nested.c), with the processor's own check functions
 * (model/hw/vmentry.c) run on vmcs12 against what L0 offers L1. Where the
 * era's answer is not the processor's, the refusal says so for `vmxsim
 * equiv` (docs/nested.md, "Checks at L1's VM entry").
 */
#include <stdio.h>

#include "model/l0/kvm/kvm.h"

#include "vmcs/x86_debugreg.h"

/*
 * nested_vmx_setup_ctls_msrs() of 3.1: fixed lists, each allowed-1 half the
 * intersection of the processor's with what the nested code of the time
 * handled (pin-based: only the must-be-1 bits 1, 2 and 4 and the three
 * interrupt and NMI controls, which are offered whether the processor has
 * virtual NMIs or not - no preemption timer; exit controls: only host
 * address-space size, acknowledge interrupt on exit being "not supported";
 * no must-be-1 exit, entry or processor-based bits). The TRUE MSRs answer
 * the same values, and IA32_VMX_MISC reads 0.
 */
static void offered_caps_3_1(struct vmx_caps *c)
{
	const uint32_t proc = CPU_BASED_INTR_WINDOW_EXITING | CPU_BASED_USE_TSC_OFFSETTING | CPU_BASED_HLT_EXITING |
	                      CPU_BASED_INVLPG_EXITING | CPU_BASED_MWAIT_EXITING | CPU_BASED_CR3_LOAD_EXITING |
	                      CPU_BASED_CR3_STORE_EXITING | CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING |
	                      CPU_BASED_MOV_DR_EXITING | CPU_BASED_UNCOND_IO_EXITING | CPU_BASED_USE_IO_BITMAPS |
	                      CPU_BASED_MONITOR_EXITING | CPU_BASED_ACTIVATE_SECONDARY_CONTROLS;
	const uint32_t pin = PIN_BASED_ALWAYSON_WITHOUT_TRUE_MSR | PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING |
	                     PIN_BASED_VIRTUAL_NMIS;
	const uint32_t entry = VM_ENTRY_LOAD_IA32_PAT | VM_ENTRY_IA32E_MODE;

	c->pinbased_ctls = PIN_BASED_ALWAYSON_WITHOUT_TRUE_MSR | (uint64_t)pin << 32;
	c->exit_ctls = (uint64_t)VM_EXIT_HOST_ADDR_SPACE_SIZE << 32;
	c->entry_ctls = (uint64_t)(vmx_allowed1(c->entry_ctls) & entry) << 32;
	c->procbased_ctls = (uint64_t)((vmx_allowed1(c->procbased_ctls) & proc) | CPU_BASED_USE_MSR_BITMAPS) << 32;
	c->procbased_ctls2 = (uint64_t)(vmx_allowed1(c->procbased_ctls2) & SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES) << 32;
	c->misc = 0;
	/*
	 * 3.1's vmx_get_vmx_msr: CR0_FIXED0 and CR4_FIXED0 are the bits VMXON
	 * needs (PE, NE, PG; VMXE), both FIXED1 all ones; no EPT, so no
	 * IA32_VMX_EPT_VPID_CAP.
	 */
	c->cr0_fixed1 = ~0ull;
	c->cr4_fixed1 = ~0ull;
	c->ept_vpid_cap = 0;
	c->true_pinbased_ctls = c->pinbased_ctls;
	c->true_procbased_ctls = c->procbased_ctls;
	c->true_exit_ctls = c->exit_ctls;
	c->true_entry_ctls = c->entry_ctls;
}

void kvm_offered_caps(const struct kvm_era *era, const struct cpu_model *cpu, struct vmx_caps *c)
{
	*c = cpu->caps;
	if (era->nested_caps_3_1) {
		offered_caps_3_1(c);
		return;
	}
	/*
	 * Later eras offer the processor's controls (its TRUE MSRs too), minus
	 * what they do not emulate; EPT paging structures only write-back
	 * (nested_vmx_setup_ctls_msrs names no UC in ept_caps).
	 */
	c->ept_vpid_cap &= ~VMX_EPT_CAP_UC;
	/*
	 * IA32_VMX_CR4_FIXED1 for L1 follows L1's CPUID
	 * (nested_vmx_cr_fixed1_bits_update), and KVM never lists SMX there:
	 * CR4.SMXE is outside it, whatever the processor allows.
	 */
	c->cr4_fixed1 &= ~X86_CR4_SMXE;
	if (!era->nested_ack_offered) {
		c->exit_ctls &= ~((uint64_t)VM_EXIT_ACK_INTR_ON_EXIT << 32);
		c->true_exit_ctls &= ~((uint64_t)VM_EXIT_ACK_INTR_ON_EXIT << 32);
	}
}

struct vmx_caps nested_offered_caps(const struct kvm_vcpu *k)
{
	struct vmx_caps c;

	kvm_offered_caps(k->era, &k->b.env.lp->model, &c);
	/*
	 * Today's IA32_VMX_MISC for L1 names the HLT and wait-for-SIPI activity
	 * states, never shutdown (nested_vmx_setup_misc_data), and
	 * nested_check_guest_non_reg_state refuses it. Wait-for-SIPI, which KVM
	 * emulates without the processor, is offered here only when the
	 * processor has it (the model does not emulate it).
	 */
	if (k->era->nested_checks_all_controls)
		c.misc &= ~VMX_MISC_ACTIVITY_SHUTDOWN;
	return c;
}

/* vmcs12's control word within what L0 offers for it. */
static bool offered_word_valid(const struct vmx_caps *offered, const struct vmcs *v12, enum vmx_control_word w,
                               enum vmcs_field field)
{
	return vmx_control_word_valid(vmx_caps_for_word(offered, w), vmcs_get32(v12, field));
}

/*
 * 2011: with "use MSR bitmaps", vmcs12's MSR_BITMAP must be page aligned
 * - the model's reading of the 2011 nested_vmx_run, which left the
 * physical-address width unchecked. Later eras make the processor's checks.
 */
static bool msr_bitmap_aligned(const struct vmcs *v12)
{
	return !(vmcs_get32(v12, CPU_BASED_VM_EXEC_CONTROL) & CPU_BASED_USE_MSR_BITMAPS) ||
	       (vmcs_get(v12, MSR_BITMAP) & 0xfffu) == 0;
}

static void verdict(struct nested_entry_verdict *out, enum nested_entry_kind kind, uint32_t code, const char *check)
{
	out->kind = kind;
	out->code = code;
	out->check = check;
}

/* vmcs12 asks for acknowledge interrupt on exit, which the era (or the H-N7 switch) does not offer. */
static bool ack_refused(const struct kvm_vcpu *k, const struct cpu_model *offered)
{
	return !k->era->nested_ack_offered &&
	       !offered_word_valid(&offered->caps, k->vmcs12, VMX_CTL_EXIT, VM_EXIT_CONTROLS) &&
	       (vmcs_get32(k->vmcs12, VM_EXIT_CONTROLS) & VM_EXIT_ACK_INTR_ON_EXIT);
}

/* The control checks of the era (VMfailValid 7); 2011: the words within the offer, the MSR bitmap aligned. */
static bool era_controls_valid(const struct kvm_vcpu *k, const struct cpu_model *offered, const char **check)
{
	const struct vmcs *v12 = k->vmcs12;

	/*
	 * Today: the processor's checks against the offered capability MSRs,
	 * in the order of nested_vmx_check_controls (the control words first;
	 * every one answers 7, so their order is not visible to L1).
	 */
	if (k->era->nested_checks_all_controls && !ack_refused(k, offered))
		return vmx_entry_check_controls(v12, offered, check);
	if (!offered_word_valid(&offered->caps, v12, VMX_CTL_PIN, PIN_BASED_VM_EXEC_CONTROL) ||
	    !offered_word_valid(&offered->caps, v12, VMX_CTL_PROC, CPU_BASED_VM_EXEC_CONTROL) ||
	    !offered_word_valid(&offered->caps, v12, VMX_CTL_ENTRY, VM_ENTRY_CONTROLS)) {
		*check = "vmcs12 controls within what L0 offers";
		return false;
	}
	if (!offered_word_valid(&offered->caps, v12, VMX_CTL_EXIT, VM_EXIT_CONTROLS)) {
		*check = "vmcs12 VM-exit controls within what L0 offers (no acknowledge interrupt on exit)";
		return false;
	}
	if (!msr_bitmap_aligned(v12)) {
		*check = "vmcs12 MSR-bitmap address is 4-KByte aligned";
		return false;
	}
	return true;
}

/* 2011: host CR0 and CR4 have the bits VMXON needs (the offered FIXED0); FIXED1 and EFER unchecked. */
static bool host_cr_alwayson_2011(const struct vmcs *v12, const struct cpu_model *offered, const char **check)
{
	uint64_t cr0_on = offered->caps.cr0_fixed0, cr4_on = offered->caps.cr4_fixed0;

	if ((vmcs_get(v12, HOST_CR0) & cr0_on) != cr0_on || (vmcs_get(v12, HOST_CR4) & cr4_on) != cr4_on) {
		*check = "host CR0 and CR4 have the bits VMXON needs (PE, NE, PG; VMXE)";
		return false;
	}
	return true;
}

/*
 * Today's vmx_is_valid_debugctl(vmcs12's IA32_DEBUGCTL) under load debug
 * controls: KVM supports none of its bits for the model's L2 (no LBR PMU,
 * bus-lock detection or RTM in its CPUID), tolerates LBR and BTF (dropped
 * in prepare_vmcs02) and fails the entry on any other. Reserved bits fail
 * it too, as they fail the processor's check (R12).
 */
static bool debugctl_unsupported(const struct kvm_vcpu *k)
{
	const struct vmcs *v12 = k->vmcs12;

	return k->era->nested_debugctl_checked &&
	       (vmcs_get32(v12, VM_ENTRY_CONTROLS) & VM_ENTRY_LOAD_DEBUG_CONTROLS) &&
	       (vmcs_get(v12, GUEST_IA32_DEBUGCTL) & ~(uint64_t)(DEBUGCTLMSR_LBR | DEBUGCTLMSR_BTF));
}

void nested_vmx_check_entry(const struct kvm_vcpu *k, bool launch, struct nested_entry_verdict *out)
{
	const struct vmcs *v12 = k->vmcs12;
	struct cpu_model offered = k->b.env.lp->model;
	const char *check = NULL;
	uint32_t qual = 0;

	offered.caps = nested_offered_caps(k);
	verdict(out, NESTED_ENTRY_OK, 0, NULL);
	if (k->era->nested_checks_all_controls &&
	    (vmcs_get32(&k->b.vmcs, GUEST_INTERRUPTIBILITY_INFO) & GUEST_INTR_STATE_MOV_SS))
		/* R13: L1's VMLAUNCH/VMRESUME in a MOV-SS shadow, checked before the launch state. */
		verdict(out, NESTED_ENTRY_VMFAIL, VMXERR_ENTRY_EVENTS_BLOCKED_BY_MOV_SS, "R13: no blocking by MOV SS");
	else if (launch && v12->launch_state != VMCS_CLEAR)
		verdict(out, NESTED_ENTRY_VMFAIL, VMXERR_VMLAUNCH_NONCLEAR_VMCS, "VMLAUNCH needs a clear VMCS");
	else if (!launch && v12->launch_state != VMCS_LAUNCHED)
		verdict(out, NESTED_ENTRY_VMFAIL, VMXERR_VMRESUME_NONLAUNCHED_VMCS, "VMRESUME needs a launched VMCS");
	else if (!era_controls_valid(k, &offered, &check))
		verdict(out, NESTED_ENTRY_VMFAIL, VMXERR_ENTRY_INVALID_CONTROL_FIELD, check);
	/*
	 * nested_vmx_check_host_state (with nested_vmx_check_address_space_size
	 * before it): today the processor's host-state checks against the
	 * offered fixed bits - CR0, CR4, CR3, SYSENTER, IA32_PAT, the
	 * selectors and bases, IA32_EFER, the address-space size and RIP
	 * (26.2.2-26.2.4). The 2011 code checked only that host CR0 and CR4
	 * have the bits VMXON needs: anything else bad went through to
	 * vmcs02, whose host state is L0's own.
	 */
	else if (k->era->nested_checks_all_controls ? !vmx_entry_check_host_state(v12, &offered, &check)
	                                            : !host_cr_alwayson_2011(v12, &offered, &check))
		verdict(out, NESTED_ENTRY_VMFAIL, VMXERR_ENTRY_INVALID_HOST_STATE_FIELD, check);
	/*
	 * nested_vmx_check_guest_state: guest CR0 and CR4 against the offered
	 * fixed bits first (both eras; 2011: only the bits VMXON needs), then -
	 * today - IA32_PAT with "load IA32_PAT", then the VMCS link pointer
	 * (qualification 4; both eras put vmcs12's link pointer nowhere:
	 * vmcs02 has its own), then - today - CR0.PG with PE,
	 * the IA-32e mode guest's CR0.PG and CR4.PAE and the guest IA32_EFER
	 * (nested_run_pending holds at VMLAUNCH/VMRESUME), and the activity
	 * state (within the offered IA32_VMX_MISC, among the processor's
	 * checks below).
	 */
	else if (!vmx_entry_check_guest_cr_fixed(v12, &offered, &check))
		verdict(out, NESTED_ENTRY_FAILED, ENTRY_FAIL_DEFAULT, check);
	else if (debugctl_unsupported(k))
		verdict(out, NESTED_ENTRY_FAILED, ENTRY_FAIL_DEFAULT,
		        "vmcs12 guest IA32_DEBUGCTL has only bits KVM supports for L2 (vmx_is_valid_debugctl: LBR and BTF "
		        "pass, to be dropped)");
	else if (k->era->nested_checks_all_controls && !vmx_entry_check_guest_pat(v12, &check))
		verdict(out, NESTED_ENTRY_FAILED, ENTRY_FAIL_DEFAULT, check);
	else if (!vmx_entry_check_vmcs_link_pointer(v12, &check, &qual))
		verdict(out, NESTED_ENTRY_FAILED, qual, check);
	else if (k->era->nested_checks_all_controls && !vmx_entry_check_guest_paging(v12, &check))
		verdict(out, NESTED_ENTRY_FAILED, ENTRY_FAIL_DEFAULT, check);
	/*
	 * The rest (RFLAGS, R9-R12) KVM leaves to the processor's entry with
	 * vmcs02, which carries vmcs12's guest state, and reflects its failure
	 * to L1 (nested_vmx_reflect_vmexit): the same exit, decided here before
	 * L0 enters anything.
	 */
	else if (k->era->nested_reflects_failed_entry && !vmx_entry_check_guest_state(v12, &offered, &check, &qual))
		verdict(out, NESTED_ENTRY_FAILED, qual, check);
}

/* What the processor would answer L1's VMLAUNCH/VMRESUME with this vmcs12 on bare metal. */
/*
 * The processor as it would judge this L1's VMCS on bare metal. L1 sets
 * the must-be-1 control bits that the MSRs it reads name: under an L0 that
 * offers fewer of them than the processor (3.1's nested_vmx_setup_ctls_msrs
 * names none of the processor-based ones), its vmcs12 lacks bits that the
 * same L1 on bare metal would have set, and that is no difference of the
 * L0's. So the processor's must-be-1 bits count only where L0 offers them
 * too; what may be 1 stays the processor's.
 */
static struct cpu_model processor_for_l1(const struct kvm_vcpu *k)
{
	struct cpu_model m = k->b.env.lp->model;
	const struct vmx_caps off = nested_offered_caps(k);

#define MUST_BE_1_AS_OFFERED(f) m.caps.f &= ~(uint64_t)(uint32_t)~off.f
	MUST_BE_1_AS_OFFERED(pinbased_ctls);
	MUST_BE_1_AS_OFFERED(procbased_ctls);
	MUST_BE_1_AS_OFFERED(procbased_ctls2);
	MUST_BE_1_AS_OFFERED(exit_ctls);
	MUST_BE_1_AS_OFFERED(entry_ctls);
	MUST_BE_1_AS_OFFERED(true_pinbased_ctls);
	MUST_BE_1_AS_OFFERED(true_procbased_ctls);
	MUST_BE_1_AS_OFFERED(true_exit_ctls);
	MUST_BE_1_AS_OFFERED(true_entry_ctls);
#undef MUST_BE_1_AS_OFFERED
	return m;
}

static void processor_verdict(const struct kvm_vcpu *k, bool launch, struct nested_entry_verdict *out)
{
	const struct vmcs *v12 = k->vmcs12;
	const struct cpu_model hw = processor_for_l1(k);
	const struct cpu_model *m = &hw;
	const char *check = NULL;
	uint32_t qual = 0;

	verdict(out, NESTED_ENTRY_OK, 0, NULL);
	if (vmcs_get32(&k->b.vmcs, GUEST_INTERRUPTIBILITY_INFO) & GUEST_INTR_STATE_MOV_SS)
		verdict(out, NESTED_ENTRY_VMFAIL, VMXERR_ENTRY_EVENTS_BLOCKED_BY_MOV_SS, "R13: no blocking by MOV SS");
	else if (launch ? v12->launch_state != VMCS_CLEAR : v12->launch_state != VMCS_LAUNCHED)
		verdict(out, NESTED_ENTRY_VMFAIL,
		        launch ? VMXERR_VMLAUNCH_NONCLEAR_VMCS : VMXERR_VMRESUME_NONLAUNCHED_VMCS, "launch state");
	else if (!vmx_entry_check_controls(v12, m, &check))
		verdict(out, NESTED_ENTRY_VMFAIL, VMXERR_ENTRY_INVALID_CONTROL_FIELD, check);
	else if (!vmx_entry_check_host_state(v12, m, &check))
		verdict(out, NESTED_ENTRY_VMFAIL, VMXERR_ENTRY_INVALID_HOST_STATE_FIELD, check);
	else if (!vmx_entry_check_guest_state(v12, m, &check, &qual))
		verdict(out, NESTED_ENTRY_FAILED, qual, check);
}

/* vmcs12 enables EPT with uncacheable paging structures, which the processor allows and today's KVM does not offer. */
static bool ept_uc_refused(const struct kvm_vcpu *k)
{
	const struct vmcs *v12 = k->vmcs12;
	uint32_t proc = vmcs_get32(v12, CPU_BASED_VM_EXEC_CONTROL);

	return (proc & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS) &&
	       (vmcs_get32(v12, SECONDARY_VM_EXEC_CONTROL) & SECONDARY_EXEC_ENABLE_EPT) &&
	       (vmcs_get(v12, EPT_POINTER) & VMX_EPTP_MT_MASK) == VMX_EPTP_MT_UC &&
	       (k->b.env.lp->model.caps.ept_vpid_cap & VMX_EPT_CAP_UC);
}

/* vmcs12's host or guest CR4 sets SMXE, which the processor allows and today's KVM leaves out of L1's CR4_FIXED1. */
static bool smxe_refused(const struct kvm_vcpu *k)
{
	return ((vmcs_get(k->vmcs12, HOST_CR4) | vmcs_get(k->vmcs12, GUEST_CR4)) & X86_CR4_SMXE) &&
	       (k->b.env.lp->model.caps.cr4_fixed1 & X86_CR4_SMXE);
}

/* The processor's answer, as the tail of a difference note. */
static void describe_verdict(const struct nested_entry_verdict *v, char *buf, size_t n)
{
	switch (v->kind) {
	case NESTED_ENTRY_OK:
		snprintf(buf, n, "the processor enters L2");
		break;
	case NESTED_ENTRY_VMFAIL:
		snprintf(buf, n, "the processor fails with VMfailValid %u (%s)", v->code, v->check);
		break;
	default:
		snprintf(buf, n, "the processor fails the entry with qualification %u (%s)", v->code, v->check);
		break;
	}
}

/*
 * Only the differences docs/nested.md lists are marked: any other answer
 * that is not the processor's is a fault of the model, which `vmxsim
 * equiv` must report as one.
 */
const char *nested_entry_differs(const struct kvm_vcpu *k, bool launch, const struct nested_entry_verdict *kvm,
                                 char *buf, size_t n)
{
	struct nested_entry_verdict hw;
	const char *why;
	char tail[192];

	processor_verdict(k, launch, &hw);
	if (hw.kind == kvm->kind && hw.code == kvm->code)
		return NULL;
	/*
	 * Each reason names one difference of docs/nested.md, for the answers
	 * it explains and no others: the processor's first failure and the
	 * era's are both looked at.
	 */
	if (!k->era->nested_ack_offered && kvm->kind == NESTED_ENTRY_VMFAIL && hw.kind == NESTED_ENTRY_OK &&
	    (vmcs_get32(k->vmcs12, VM_EXIT_CONTROLS) & VM_EXIT_ACK_INTR_ON_EXIT))
		why = "L0 offers L1 no acknowledge interrupt on exit";
	else if (!k->era->nested_checks_all_controls && hw.kind == NESTED_ENTRY_VMFAIL &&
	         hw.code == VMXERR_ENTRY_EVENTS_BLOCKED_BY_MOV_SS)
		why = "the 2011 code did not check blocking by MOV SS";
	else if (k->era->nested_caps_3_1 && kvm->kind == NESTED_ENTRY_VMFAIL &&
	         kvm->code == VMXERR_ENTRY_INVALID_CONTROL_FIELD)   /* the processor's controls check passed */
		why = "L0 offers L1 fewer controls than the processor has (3.1's nested_vmx_setup_ctls_msrs)";
	else if (!k->era->nested_checks_all_controls && kvm->kind == NESTED_ENTRY_OK)
		why = "the 2011 code did not check this";
	else if (!k->era->nested_checks_all_controls && kvm->kind == NESTED_ENTRY_FAILED &&
	         kvm->code == ENTRY_FAIL_VMCS_LINK_PTR && hw.kind == NESTED_ENTRY_VMFAIL)
		why = "the 2011 code did not check this, and failed the entry on the VMCS link pointer";
	else if (k->era->nested_checks_all_controls && kvm->kind == NESTED_ENTRY_VMFAIL &&
	         kvm->code == VMXERR_ENTRY_INVALID_CONTROL_FIELD && ept_uc_refused(k))
		why = "KVM offers L1 only write-back EPT paging structures (no UC in IA32_VMX_EPT_VPID_CAP)";
	else if (k->era->nested_checks_all_controls && kvm->kind != NESTED_ENTRY_OK && smxe_refused(k))
		why = "KVM gives L1 no SMX in CPUID, so CR4.SMXE is outside the IA32_VMX_CR4_FIXED1 it offers";
	else if (kvm->kind == NESTED_ENTRY_FAILED && kvm->code == ENTRY_FAIL_VMCS_LINK_PTR && hw.kind == NESTED_ENTRY_FAILED)
		why = "KVM checks the VMCS link pointer before the guest state it leaves to the processor";
	else if (kvm->kind == NESTED_ENTRY_FAILED && hw.kind == NESTED_ENTRY_OK && debugctl_unsupported(k))
		why = "KVM supports no IA32_DEBUGCTL bit for L2 but LBR and BTF, which it drops (vmx_is_valid_debugctl)";
	else if (kvm->kind == NESTED_ENTRY_FAILED &&
	         vmcs_get32(k->vmcs12, GUEST_ACTIVITY_STATE) == GUEST_ACTIVITY_SHUTDOWN &&
	         vmx_caps_activity_supported(&k->b.env.lp->model.caps, GUEST_ACTIVITY_SHUTDOWN))
		why = "KVM offers L1 no shutdown activity state";
	else
		return NULL;
	describe_verdict(&hw, tail, sizeof(tail));
	snprintf(buf, n, "%s: %s; %s", k->era->name, why, tail);
	return buf;
}

/*
 * A guest-state check failed before L0 entered anything: L1 sees the
 * VM-entry failure (exit reason 33 with bit 31, R26) at its HOST_RIP, with
 * only the exit reason and qualification of vmcs12 written; vmcs12 stays
 * as it was (a VMLAUNCH leaves it clear), and L2 never ran.
 */
void nested_vmx_entry_failure(struct kvm_vcpu *k, uint32_t qual, const char *check, const char *differs)
{
	struct vmcs *v12 = k->vmcs12, *v01 = &k->b.vmcs;
	uint32_t reason = VMX_EXIT_REASONS_FAILED_VMENTRY | EXIT_REASON_INVALID_STATE;
	struct trace_event ev;

	vmcs_set(v12, VM_EXIT_REASON, reason);
	vmcs_set(v12, EXIT_QUALIFICATION, qual);
	trace_event_init(&ev, k->b.env.lp->cycle, k->b.env.cpu, 1, TRACE_NESTED_VMEXIT);
	trace_add_str(&ev, "reason", "INVALID_STATE");
	trace_add_bool(&ev, "failed_vmentry", true);
	trace_add_hex64(&ev, "qual", qual);
	trace_add_hex32(&ev, "intr_info", 0);
	trace_add_hex32(&ev, "idt_vectoring", 0);
	trace_add_hex64(&ev, "rip", vmcs_get(v12, GUEST_RIP));
	trace_add_str(&ev, "check", check);
	if (differs)
		trace_add_str(&ev, "differs", differs);
	trace_bus_emit(k->b.env.bus, &ev);
	/* L1 resumes at its exit handler with its host state: RFLAGS and blocking as the era loads them (R25). */
	vmcs_set(v01, GUEST_RIP, vmcs_get(v12, HOST_RIP));
	nested_load_host_flags(k);
	vmcs_set(v01, GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	k->req_event = true;
}

bool nested_vmcs02_would_enter(const struct kvm_vcpu *k, const char **check)
{
	const struct cpu_model *m = &k->b.env.lp->model;
	uint32_t qual = 0;

	return vmx_entry_check_controls(&k->vmcs02, m, check) && vmx_entry_check_host_state(&k->vmcs02, m, check) &&
	       vmx_entry_check_guest_state(&k->vmcs02, m, check, &qual);
}
