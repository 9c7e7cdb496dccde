/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nested.c - nested VMX in the KVM model: L1's VMX instructions emulated on
 * vmcs12, emulated VM entries to L2 and VM exits to L1, and the 2011
 * patch's external-interrupt injection while L2 runs, beside today's
 * behaviour (era flags in kvm.h). vmcs02 is built in nested_vmcs02.c;
 * which exits of L2 L0 keeps and which it reflects is nested_exit.c.
 */
#include <stdio.h>
#include <string.h>

#include "model/l0/kvm/kvm.h"
#include "vmcs/vmx_not_modelled.h"
#include "vmcs/x86_debugreg.h"

bool nested_exit_on_intr(const struct kvm_vcpu *k)
{
	return (vmcs_get32(k->vmcs12, PIN_BASED_VM_EXEC_CONTROL) & PIN_BASED_EXT_INTR_MASK) != 0;
}

bool nested_exit_on_nmi(const struct kvm_vcpu *k)
{
	return (vmcs_get32(k->vmcs12, PIN_BASED_VM_EXEC_CONTROL) & PIN_BASED_NMI_EXITING) != 0;
}

/*
 * L1's VMX operation before its first instruction: as if it had executed
 * VMXON and VMPTRLD of vmcs0 - vmcs12 as L1 left it before its first
 * VMLAUNCH, which the machine set up from the `guest L2` VMCS lines - or,
 * when its first VMX instruction is a VMXON, outside VMX operation.
 */
void nested_setup_vmcs12(struct kvm_vcpu *k)
{
	const struct l0_env *e = &k->b.env;

	k->vmxon = !e->l1_outside_vmx;
	k->vmxon_ptr = VMX_REGION_ADDR(VMX_REGION_VMXON);
	nested_set_vmcs12(k, k->vmxon && e->guest_mem->nregions > VMX_REGION_VMCS0
	                         ? &e->guest_mem->regions[VMX_REGION_VMCS0]
	                         : NULL);
}

/*
 * L1's current VMCS. L1's stores to its virtual-APIC page and
 * posted-interrupt descriptor (`vapic-*`, `pi-post`) reach it: they are
 * L1's memory, which the processor writes without an exit.
 */
void nested_set_vmcs12(struct kvm_vcpu *k, struct vmcs *v)
{
	k->vmcs12 = v;
	k->b.env.guest_mem->vmptr = v;
}

static void trace_l1(struct kvm_vcpu *k, enum trace_kind kind, struct trace_event *ev)
{
	trace_event_init(ev, k->b.env.lp->cycle, k->b.env.cpu, 1, kind);
}

static void load(struct kvm_vcpu *k, struct vmcs *v)
{
	k->b.loaded = v;
	/* vmx_switch_vmcs(): the soft-vNMI state follows the VMCS where the era keeps it there. */
	k->lv = k->era->soft_vnmi_per_vmcs && v == &k->vmcs02 ? &k->lv02 : &k->lv01;
	(void)vmx_lp_vmptrld(k->b.env.lp, v);
}

/*
 * L1's RFLAGS and STI/MOV-SS blocking as it resumes at HOST_RIP after an
 * exit of L2, or after a failed entry of L2
 * (kvm_era.nested_exit_loads_rflags): today RFLAGS 0x2 and no blocking, as
 * the processor loads them; in 3.1 vmcs01's RFLAGS from L1's
 * VMLAUNCH/VMRESUME, the status flags cleared by nested_vmx_succeed() -
 * and no blocking either, but because nested_vmx_run's
 * skip_emulated_instruction() cleared the shadow before any check. A 3.1
 * resume with RFLAGS other than 0x2 is traced as a documented difference
 * (docs/nested.md).
 */
void nested_load_host_flags(struct kvm_vcpu *k)
{
	struct vmcs *v01 = &k->b.vmcs;
	uint64_t rflags = vmcs_get(v01, GUEST_RFLAGS) & ~(uint64_t)X86_EFLAGS_STATUS;
	char differs[256];

	vmcs_clear_bits(v01, GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);
	if (k->era->nested_exit_loads_rflags) {
		vmcs_set(v01, GUEST_RFLAGS, X86_EFLAGS_FIXED);
		vmcs_set(v01, GUEST_INTERRUPTIBILITY_INFO, 0);
		return;
	}
	vmcs_set(v01, GUEST_RFLAGS, rflags);
	if (rflags == X86_EFLAGS_FIXED)
		return;
	snprintf(differs, sizeof(differs),
	         "%s's load_vmcs12_host_state sets no RFLAGS: L1 resumes at HOST_RIP with RFLAGS 0x%llx from its "
	         "VMLAUNCH/VMRESUME, where the processor loads 0x2",
	         k->era->name, (unsigned long long)rflags);
	l0_trace_differs(&k->b, "rflags-3.1", -1, differs);
}

/*
 * RFLAGS of L1 after an emulated VMX instruction (nested_vmx_succeed /
 * nested_vmx_fail: VMfailValid into the current vmcs12, VMfailInvalid
 * when L1 has none), and a VMfail traced as the processor traces one on
 * bare metal, so that both runs show L1 the same failures.
 */
static void nested_vmx_flags(struct kvm_vcpu *k, const char *insn, uint64_t flag, uint32_t error, const char *check,
                             const char *differs)
{
	struct vmcs *v01 = &k->b.vmcs;
	struct trace_event ev;

	vmcs_set(v01, GUEST_RFLAGS, (vmcs_get(v01, GUEST_RFLAGS) & ~(uint64_t)X86_EFLAGS_STATUS) | flag);
	if (!flag)
		return;
	trace_l1(k, TRACE_VMFAIL, &ev);
	trace_add_str(&ev, "insn", insn);
	trace_add_uint(&ev, "error", error);
	trace_add_hex64(&ev, "rip", vmcs_get(v01, GUEST_RIP));
	trace_add_str(&ev, "check", check);
	trace_add_bool(&ev, "emulated", true);
	if (differs)
		trace_add_str(&ev, "differs", differs);
	trace_bus_emit(k->b.env.bus, &ev);
}

void nested_vmx_fail_invalid(struct kvm_vcpu *k, const char *insn, const char *check)
{
	nested_vmx_flags(k, insn, X86_EFLAGS_CF, 0, check, NULL);
}

void nested_vmx_result(struct kvm_vcpu *k, const char *insn, enum vmx_insn_error e, const char *check)
{
	if (!check && e != VMX_INSN_OK)
		check = vmx_insn_error_text((int)e);
	if (e == VMX_INSN_OK) {
		nested_vmx_flags(k, insn, 0, 0, NULL, NULL);
	} else if (!k->vmcs12) {
		nested_vmx_fail_invalid(k, insn, check);
	} else {
		nested_vmx_fail_valid(k, insn, (uint32_t)e, check, NULL);
	}
}

/* VMfailValid of an emulated VMX instruction of L1; differs: where the era answers otherwise than the processor. */
void nested_vmx_fail_valid(struct kvm_vcpu *k, const char *insn, uint32_t error, const char *check,
                             const char *differs)
{
	vmcs_set(k->vmcs12, VM_INSTRUCTION_ERROR, error);
	nested_vmx_flags(k, insn, X86_EFLAGS_ZF, error, check, differs);
}

/* The emulated VM entry to L2 (nested_vmx_run), after KVM's checks of vmcs12 (nested_checks.c). */
static enum kvm_exit_result nested_vmx_run(struct kvm_vcpu *k, bool launch)
{
	struct vmcs *v12 = k->vmcs12;
	const char *insn = launch ? "vmlaunch" : "vmresume";
	struct nested_entry_verdict verdict;
	char differs_buf[256];
	const char *differs, *check = NULL;
	struct trace_event ev;

	{
		/* The instruction's line, while GUEST_RIP is still at it: refusals name it. */
		const struct vmx_insn *in = l0_guest_insn(&k->b);
		k->nested_run_line = in ? in->line : 0;
	}
	nested_vmx_check_entry(k, launch, &verdict);
	differs = nested_entry_differs(k, launch, &verdict, differs_buf, sizeof(differs_buf));
	if (verdict.kind == NESTED_ENTRY_VMFAIL) {
		/* VMfailValid to L1 (reported at the instruction): it goes on after its VMLAUNCH/VMRESUME. */
		nested_vmx_fail_valid(k, insn, verdict.code, verdict.check, differs);
		kvm_skip_emulated_instruction(k);   /* nested_vmx_fail(): the VMfail completes, and owes its trap */
		return KVM_RESUME;
	}
	if (verdict.kind == NESTED_ENTRY_FAILED) {
		/* The entry fails into L1's exit handler; no nested_entry: L2 never runs. */
		nested_vmx_entry_failure(k, verdict.code, verdict.check, differs);
		return KVM_RESUME;
	}
	/*
	 * The entry succeeds: L1 never finishes its VMLAUNCH, as on the
	 * processor, where an entry that succeeds takes no single-step trap
	 * after its instruction; the next nested exit loads L1's state from
	 * vmcs12's host area anyway.
	 */
	l0_skip_instruction(&k->b);
	if (launch)
		v12->launch_state = VMCS_LAUNCHED;
	nested_prepare_vmcs02(k);
	k->guest_mode = true;
	k->nested_run_pending = true;
	k->nested_run_launch = launch;
	if (k->era->nested_event_on_vmenter)
		k->req_event = true;
	nested_pi_morph_at_vmenter(k);
	load(k, &k->vmcs02);
	/*
	 * An entry of vmcs02 the processor will refuse (what the era left to
	 * it, or what L0 itself put into vmcs02) is no entry to L2: no line
	 * says so. Today's code reflects the refusal to L1 (nested_enter_l2);
	 * the 2011 code's vcpu_run ended in KVM_EXIT_FAIL_ENTRY, the guest
	 * stopped.
	 */
	if (!nested_vmcs02_would_enter(k, &check)) {
		char why[256];
		if (k->era->nested_reflects_failed_entry)
			return KVM_RESUME;
		snprintf(why, sizeof(why), "KVM_EXIT_FAIL_ENTRY: the processor refuses vmcs02 (%s)", check);
		l0_trace(&k->b, TRACE_GUEST_STOP, "differs", differs, why, -1, 0);
		return KVM_SHUTDOWN;
	}
	trace_l1(k, TRACE_NESTED_VMENTER, &ev);
	trace_add_str(&ev, "insn", insn);
	trace_add_hex64(&ev, "nested_rip", vmcs_get(v12, GUEST_RIP));
	trace_add_hex32(&ev, "event_inj", vmcs_get32(v12, VM_ENTRY_INTR_INFO_FIELD));
	/* Whether L1 asked to exit on its interrupts: where they belong while L2 runs. */
	trace_add_bool(&ev, "ext_intr_exiting", vmcs_get32(v12, PIN_BASED_VM_EXEC_CONTROL) & PIN_BASED_EXT_INTR_MASK);
	if (differs)
		trace_add_str(&ev, "differs", differs);
	trace_bus_emit(k->b.env.bus, &ev);
	return KVM_RESUME;
}

/* nested_vmx_check_permission, and an instruction that needs a current vmcs12 without one: VMfailInvalid. */
static bool nested_vmcs12_usable(struct kvm_vcpu *k, const struct vmx_insn *in)
{
	if (!k->vmxon) {
		kvm_queue_exception(k, intr_info_make(INTR_TYPE_HARD_EXCEPTION, UD_VECTOR, false), 0);
		return false;
	}
	if (k->vmcs12)
		return true;
	nested_vmx_fail_invalid(k, in ? vmx_op_name(in->op) : "?", "current-VMCS pointer is valid");
	kvm_skip_emulated_instruction(k);
	return false;
}

enum kvm_exit_result nested_vmx_instruction(struct kvm_vcpu *k, uint32_t reason)
{
	const struct vmx_insn *in = l0_guest_insn(&k->b);
	uint64_t *gpr = k->b.loaded->guest->gpr;
	uint64_t value = 0;

	switch (reason) {
	case EXIT_REASON_VMON:
	case EXIT_REASON_VMOFF:
	case EXIT_REASON_VMCLEAR:
	case EXIT_REASON_VMPTRLD:
	case EXIT_REASON_VMPTRST:
		return nested_vmx_operation(k, reason, in);
	default:
		if (!nested_vmcs12_usable(k, in))
			return KVM_RESUME;
		break;
	}
	switch (reason) {
	case EXIT_REASON_VMLAUNCH:
	case EXIT_REASON_VMRESUME:
		return nested_vmx_run(k, reason == EXIT_REASON_VMLAUNCH);
	case EXIT_REASON_VMWRITE:
		if (in)
			nested_vmx_result(k, "vmwrite",
			                  vmcs_vmwrite(k->vmcs12, &k->b.env.lp->model, (uint32_t)in->arg,
			                               in->src ? gpr[VMX_REG_NUM(in->src) % X86_NGPR] : in->arg2),
			                  NULL);
		break;
	default:   /* VMREAD: from vmcs12 into L1's register */
		if (in) {
			enum vmx_insn_error e = vmcs_vmread(k->vmcs12, &k->b.env.lp->model, (uint32_t)in->arg, &value);
			if (e == VMX_INSN_OK && in->dst)
				gpr[VMX_REG_NUM(in->dst) % X86_NGPR] = value;
			nested_vmx_result(k, "vmread", e, NULL);
		}
		break;
	}
	kvm_skip_emulated_instruction(k);   /* nested_vmx_succeed()/fail(): the trap of an L1 that single-steps */
	return KVM_RESUME;
}

bool nested_rdmsr(struct kvm_vcpu *k)
{
	const struct vmx_insn *in = l0_guest_insn(&k->b);
	struct vmx_caps offered = nested_offered_caps(k);
	uint64_t value;

	uint64_t processor;

	if (!in || in->op != VMX_OP_RDMSR || !vmx_caps_read_msr(&offered, (uint32_t)in->arg, &value))
		return false;
	/*
	 * L1 reads what L0 offers, not the processor's capabilities: a
	 * deliberate difference of every era (docs/nested.md, "What L1 reads"),
	 * said on the trace where `equiv` finds it.
	 */
	if (vmx_caps_read_msr(&k->b.env.lp->model.caps, (uint32_t)in->arg, &processor) && processor != value)
		l0_trace_differs(&k->b, "vmx-capability-msr", -1,
		                 k->era->nested_checks_all_controls
		                     ? "kvm-modern: L1 reads the VMX capabilities L0 offers (nested_vmx_setup_ctls_msrs), "
		                       "not the processor's"
		                     : "kvm-2011: L1 reads the VMX capabilities L0 offers (3.1's nested_vmx_setup_ctls_msrs), "
		                       "not the processor's");
	k->b.loaded->guest->gpr[VMX_REG_NUM(in->dst) % X86_NGPR] = value;
	kvm_skip_emulated_instruction(k);
	return true;
}

/* What L0 had queued for re-injection into L2 becomes vmcs12's IDT-vectoring information (H-N3). */
static uint32_t save_pending_event(struct kvm_vcpu *k, uint32_t *error, uint32_t *len)
{
	uint32_t info = 0;

	*error = 0;
	*len = 0;
	if (k->nmi_injected) {
		info = intr_info_make(INTR_TYPE_NMI_INTR, NMI_VECTOR, false);
	} else if (k->interrupt_pending) {
		info = intr_info_make(INTR_TYPE_EXT_INTR, k->interrupt_nr, false);
	} else if (k->reinject_info) {
		info = k->reinject_info;
		*error = k->reinject_error;
		*len = k->reinject_len;
	}
	k->nmi_injected = k->interrupt_pending = false;
	k->reinject_info = 0;
	return info;
}

/*
 * 3.1's prepare_vmcs12 for the debug state: vmcs12's GUEST_DR7 is
 * kvm_get_dr(7) - arch.dr7, which is L1's DR7 unless L2 wrote DR7 through
 * handle_dr - and its IA32_DEBUGCTL is vmcs02's, whatever vmcs12's save
 * debug controls say. L1 then runs on vmcs01, whose GUEST_DR7 the run of
 * L2 did not touch. `bare` is what the processor would leave in vmcs12's
 * GUEST_DR7 (L2's DR7 with save debug controls, else the value L1 wrote).
 * Writes into note (size n) what L1 can read otherwise than on the
 * processor, or nothing.
 */
static void prepare_vmcs12_debug_3_1(struct kvm_vcpu *k, uint64_t bare, char *note, size_t n)
{
	struct vmcs *v12 = k->vmcs12;
	const struct vmcs *v02 = &k->vmcs02, *v01 = &k->b.vmcs;
	bool save = (vmcs_get32(v12, VM_EXIT_CONTROLS) & VM_EXIT_SAVE_DEBUG_CONTROLS) != 0;
	uint64_t debugctl_bare = save ? vmcs_get(v02, GUEST_IA32_DEBUGCTL) : vmcs_get(v12, GUEST_IA32_DEBUGCTL);
	size_t at = 0;

	note[0] = '\0';
	vmcs_set(v12, GUEST_DR7, k->dr7);
	vmcs_set(v12, GUEST_IA32_DEBUGCTL, vmcs_get(v02, GUEST_IA32_DEBUGCTL));
	/* As a MOV from DR7 would read them: a field L1 left at 0 stands for 400H. */
	bare = (bare & DR7_WRITABLE) | DR7_FIXED_1;
	if (k->dr7 != bare)
		at += (size_t)snprintf(note + at, n - at, "kvm-2011's prepare_vmcs12 puts arch.dr7 (0x%llx) in vmcs12's "
		                       "GUEST_DR7 where the processor leaves 0x%llx; ", (unsigned long long)k->dr7,
		                       (unsigned long long)bare);
	if (at < n && vmcs_get(v12, GUEST_IA32_DEBUGCTL) != debugctl_bare)
		at += (size_t)snprintf(note + at, n - at, "it copies vmcs02's IA32_DEBUGCTL into vmcs12 without save debug "
		                       "controls; ");
	if (at < n && (vmcs_get(v01, GUEST_DR7) != DR7_FIXED_1 || k->dr7 != vmcs_get(v01, GUEST_DR7)))
		at += (size_t)snprintf(note + at, n - at, "L1 resumes with vmcs01's DR7 (0x%llx) and reads arch.dr7 "
		                       "(0x%llx), where the processor leaves 400H after the exit; ",
		                       (unsigned long long)vmcs_get(v01, GUEST_DR7), (unsigned long long)k->dr7);
	if (at >= 2 && at < n)
		note[at - 2] = '\0';   /* the last "; " */
}

/* The emulated VM exit from L2 to L1 (nested_vmx_vmexit). */
void nested_vmx_vmexit(struct kvm_vcpu *k, uint32_t reason, uint64_t qual, uint32_t info, uint32_t error,
                              bool hw)
{
	struct vmcs *v12 = k->vmcs12, *v02 = &k->vmcs02, *v01 = &k->b.vmcs;
	uint32_t idt = 0, idt_err = 0, len = hw ? vmcs_get32(v02, VM_EXIT_INSTRUCTION_LEN) : 0;
	const char *basic_name;
	struct trace_event ev;
	char dr7_note[400] = "";
	/* What the processor's exit would leave in vmcs12's GUEST_DR7 (R12): L2's DR7 with save debug controls. */
	uint64_t dr7_bare = (vmcs_get32(v12, VM_EXIT_CONTROLS) & VM_EXIT_SAVE_DEBUG_CONTROLS) ? vmcs_get(v02, GUEST_DR7)
	                                                                                     : vmcs_get(v12, GUEST_DR7);

	if (k->era->nested_save_pending_event) {
		uint32_t plen;
		idt = save_pending_event(k, &idt_err, &plen);
		if (plen)
			len = plen;
	} else if (hw || k->era->nested_idt_via_vmcs12) {
		/*
		 * 3.1 (prepare_vmcs12): the exit-information fields of vmcs02 as
		 * they are - for an emulated exit, those of L2's last real exit,
		 * so an event cut short then shows in the EXTERNAL_INTERRUPT exit
		 * (H-N4). L0's own queues are left as they are.
		 */
		idt = vmcs_get32(v02, IDT_VECTORING_INFO_FIELD);
		idt_err = vmcs_get32(v02, IDT_VECTORING_ERROR_CODE);
		len = vmcs_get32(v02, VM_EXIT_INSTRUCTION_LEN);
	}
	vmcs_set(v12, VM_EXIT_REASON, reason);
	vmcs_set(v12, EXIT_QUALIFICATION, qual);
	vmcs_set(v12, VM_EXIT_INTR_INFO, info);
	vmcs_set(v12, VM_EXIT_INTR_ERROR_CODE, error);
	vmcs_set(v12, IDT_VECTORING_INFO_FIELD, idt);
	vmcs_set(v12, IDT_VECTORING_ERROR_CODE, idt_err);
	vmcs_set(v12, VM_EXIT_INSTRUCTION_LEN, len);
	vmcs_set(v12, GUEST_RIP, vmcs_get(v02, GUEST_RIP));
	vmcs_set(v12, GUEST_RFLAGS, vmcs_get(v02, GUEST_RFLAGS));
	vmcs_set(v12, GUEST_INTERRUPTIBILITY_INFO, vmcs_get32(v02, GUEST_INTERRUPTIBILITY_INFO));
	/* prepare_vmcs12 (3.1), sync_vmcs02_to_vmcs12_rare (today): a trap the exit saved is L1's to see. */
	vmcs_set(v12, GUEST_PENDING_DBG_EXCEPTIONS, vmcs_get(v02, GUEST_PENDING_DBG_EXCEPTIONS));
	/*
	 * sync_vmcs02_to_vmcs12 with vmcs12's save debug controls: L2's DR7
	 * (arch.dr7). Not IA32_DEBUGCTL: today vmcs12's copy changes only when
	 * L2 writes the MSR (vmx_set_msr), so L1 reads back the value it gave,
	 * BTF included, which L2 ran without.
	 */
	if (k->era->nested_debugregs && (vmcs_get32(v12, VM_EXIT_CONTROLS) & VM_EXIT_SAVE_DEBUG_CONTROLS))
		vmcs_set(v12, GUEST_DR7, k->dr7);
	if (!k->era->nested_debugregs)
		prepare_vmcs12_debug_3_1(k, dr7_bare, dr7_note, sizeof(dr7_note));
	nested_apicv_sync_vmcs12(k);
	/* An L2 whose HLT L0 emulated is halted as far as L1 can see. */
	vmcs_set(v12, GUEST_ACTIVITY_STATE, k->l2_halted ? GUEST_ACTIVITY_HLT : vmcs_get32(v02, GUEST_ACTIVITY_STATE));
	k->l2_halted = false;
	k->l2_timer_deadline = UINT64_MAX;
	vmcs_clear_bits(v12, VM_ENTRY_INTR_INFO_FIELD, INTR_INFO_VALID_MASK);   /* R14, emulated */

	trace_l1(k, TRACE_NESTED_VMEXIT, &ev);
	basic_name = vmx_exit_reason_name(reason & VMX_EXIT_REASON_BASIC_MASK);
	trace_add_str(&ev, "reason", basic_name ? basic_name : "?");
	if (reason & VMX_EXIT_REASONS_FAILED_VMENTRY)
		trace_add_bool(&ev, "failed_vmentry", true);
	trace_add_hex64(&ev, "qual", qual);
	trace_add_hex32(&ev, "intr_info", info);
	trace_add_hex32(&ev, "idt_vectoring", idt);
	trace_add_hex64(&ev, "rip", vmcs_get(v12, GUEST_RIP));
	trace_bus_emit(k->b.env.bus, &ev);
	if (k->l2_btf_dropped)
		nested_trace_btf_dropped(k);
	/* After the exit line: what L1 reads next is where it can see it. */
	if (dr7_note[0])
		l0_trace_differs(&k->b, "dr7-arch-3.1", -1, dr7_note);
	if (k->l2_wrmsr_btf_dropped)
		kvm_debugctl_trace_l2_btf_dropped(k);
	k->l2_btf_dropped = k->l2_wrmsr_btf_dropped = false;

	/*
	 * Pending MTF traps and exceptions meant for L2 are dropped with the
	 * exit (today's prepare_vmcs12: kvm_clear_exception_queue; never set
	 * before): an exception pending for L2 leaves vmcs02's entry field.
	 */
	k->mtf_pending = false;
	k->exception_vmexit_info = 0;
	if (k->era->nested_check_events && k->exception_queued) {
		vmcs_clear_bits(v02, VM_ENTRY_INTR_INFO_FIELD, INTR_INFO_VALID_MASK);
		k->exception_queued = false;
		k->exception_payload = 0;
	}
	/* L1 resumes at its exit handler with its host state: IF = 0, no blocking (R25). */
	k->guest_mode = false;
	k->nested_run_pending = false;
	load(k, v01);
	kvm_guestdbg_nested_exit(k);
	/* load_vmcs12_host_state: DR7 is 400H for L1 after the exit, as the processor leaves it (R12). */
	if (k->era->nested_debugregs)
		kvm_debugreg_set_dr7(k, v01, DR7_FIXED_1);
	vmcs_set(v01, GUEST_RIP, vmcs_get(v12, HOST_RIP));
	nested_load_host_flags(k);
	vmcs_set(v01, GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_clear_bits(v01, VM_ENTRY_INTR_INFO_FIELD, INTR_INFO_VALID_MASK);
	/* L1's state changed: what it can take is looked at again on the way in. */
	k->req_event = true;
}

bool nested_refuse_unmodelled(struct kvm_vcpu *k)
{
	const struct vmcs *v02 = &k->vmcs02;
	enum vmcs_field field;
	const char *what;

	/*
	 * (3.1 puts vmcs12's DR7 into vmcs02 but loads DR0-DR3 before the
	 * entry only when arch.dr7, L1's, enables a breakpoint: L2's are then
	 * compared with what the processor holds - kvm_debugreg.c.)
	 *
	 * vmcs12's guest state, as L1 wrote it. Both eras carry L2's DR7 and
	 * vmcs12's IA32_DEBUGCTL (3.1 copies both into vmcs02 as they are;
	 * today's drops BTF, nested_vmcs02.c).
	 */
	if (!(what = l0_guest_debug_not_modelled(v02, k->b.env.lp->dr, L0_FOLLOWS_PENDING_DBG | L0_FOLLOWS_TF |
	                                                       L0_FOLLOWS_BTF | L0_FOLLOWS_DR7, &field)))
		what = vmx_vmcs_not_modelled(k->vmcs12, NULL, &field);   /* vmcs12's controls and fields */
	if (!what)
		return false;
	l0_refuse(&k->b, k->nested_run_line, what);
	return true;
}

bool nested_enter_l2(struct kvm_vcpu *k, enum l0_status *status)
{
	struct vmx_lp *lp = k->b.env.lp;
	struct vmcs *v02 = &k->vmcs02;

	switch (vmx_lp_vmentry(lp, v02->launch_state == VMCS_CLEAR)) {
	case VMX_ENTRY_OK:
		*status = L0_ENTERED;
		return true;
	case VMX_ENTRY_FAILED:
		/*
		 * vmcs02 failed the guest-state checks: L1's own entry fails, reason
		 * 33 with bit 31 (R26), and a failed VMLAUNCH leaves vmcs12 clear.
		 */
		if (k->nested_run_pending && k->nested_run_launch)
			k->vmcs12->launch_state = VMCS_CLEAR;
		k->nested_run_pending = false;
		vmx_lp_spend(lp, k->b.handler_cycles);
		nested_vmx_vmexit(k, vmcs_get32(v02, VM_EXIT_REASON), vmcs_get(v02, EXIT_QUALIFICATION), 0, 0, false);
		return false;
	default:
		if (k->nested_run_pending) {
			/*
			 * A "late VM-fail": vmcs02 failed checks KVM left to the
			 * processor. L1 sees VMfailValid 7 after its instruction,
			 * whatever the processor's error (nested_vmx_vmexit with
			 * vmx->fail); vmcs12 keeps its launch state.
			 */
			if (k->nested_run_launch)
				k->vmcs12->launch_state = VMCS_CLEAR;
			k->nested_run_pending = false;
			k->guest_mode = false;
			load(k, &k->b.vmcs);
			nested_vmx_fail_valid(k, k->nested_run_launch ? "vmlaunch" : "vmresume",
			                        VMXERR_ENTRY_INVALID_CONTROL_FIELD, "late VM-fail: vmcs02 refused", NULL);
			return false;
		}
		l0_guest_stop(&k->b, "VM entry to L2 failed (VMfail of vmcs02)");
		*status = L0_STOPPED;
		return true;
	}
}

/*
 * The 2011 patch's vmx_interrupt_allowed() while L2 runs: if L1 exits on
 * external interrupts, emulate that exit (reason EXTERNAL_INTERRUPT, no
 * vector: acknowledge on exit is not offered) and answer for L1, whose IF
 * the exit cleared (R25) - or answer "no" while nested_run_pending, L1's
 * entry not yet done. If L1 does not exit on them, L2's own state decides
 * and the interrupt goes straight into L2.
 */
bool nested_interrupt_allowed_2011(struct kvm_vcpu *k)
{
	if (!nested_exit_on_intr(k)) {
		if (vmx_interrupt_allowed(k))
			return true;
		l0_trace(&k->b, TRACE_DEFER, "what", "irq", "L1's interrupt for L2 (L1 does not intercept): L2 blocks it",
		         vlapic_pending(&k->b.apic), 0);
		return false;
	}
	if (k->nested_run_pending && k->sw_run_pending_check) {
		l0_trace(&k->b, TRACE_DEFER, "what", "irq",
		         "nested_run_pending: L2 must run first; no window in vmcs02 (L1 intercepts)", vlapic_pending(&k->b.apic),
		         0);
		return false;
	}
	nested_vmx_vmexit(k, EXIT_REASON_EXTERNAL_INTERRUPT, 0, 0, 0, false);
	k->req_event = false;   /* the request being served is this one: now for L1 */
	return vmx_interrupt_allowed(k);
}

/*
 * 3.1's vmx_vcpu_run() before entering L2 (not for L1's own VMLAUNCH or
 * VMRESUME): an event whose delivery the last exit of L2 cut short was
 * copied into vmcs12's IDT-vectoring field, and goes back into vmcs02's
 * VM-entry field from there - over whatever L0's injection routine put
 * there for this entry.
 */
static void nested_reinject_from_vmcs12(struct kvm_vcpu *k)
{
	const struct vmcs *v12 = k->vmcs12;
	struct vmcs *v02 = &k->vmcs02;
	uint32_t idt = vmcs_get32(v12, IDT_VECTORING_INFO_FIELD);
	uint32_t was = vmcs_get32(v02, VM_ENTRY_INTR_INFO_FIELD);

	if (!intr_info_valid(idt))
		return;
	if (intr_info_valid(was) && was != idt)
		l0_trace(&k->b, TRACE_DEFER, "what", intr_type_name(intr_info_type(was)),
		         "overwritten in vmcs02's VM-entry field by vmcs12's IDT-vectoring information",
		         (int)intr_info_vector(was), was);
	vmcs_set(v02, VM_ENTRY_INTR_INFO_FIELD, idt);
	vmcs_set(v02, VM_ENTRY_INSTRUCTION_LEN, vmcs_get32(v12, VM_EXIT_INSTRUCTION_LEN));
	if (idt & INTR_INFO_DELIVER_CODE_MASK)
		vmcs_set(v02, VM_ENTRY_EXCEPTION_ERROR_CODE, vmcs_get32(v12, IDT_VECTORING_ERROR_CODE));
	l0_trace(&k->b, TRACE_INJECT, "type", intr_type_name(intr_info_type(idt)), "reinjected", (int)intr_info_vector(idt),
	         idt);
}

/*
 * kvm-2011 before entering L2: the injection routine of the time
 * (inject_pending_event_3x: in guest mode its interrupt hook is the
 * patch's nested_interrupt_allowed_2011, which may emulate the exit to
 * L1), on KVM_REQ_EVENT; then, if L2 is still the guest and this is not
 * L1's own entry, vmcs12's IDT-vectoring information goes back in.
 */
void nested_inject_events(struct kvm_vcpu *k)
{
	if (!k->era->req_event_model || k->req_event) {
		k->req_event = false;
		kvm_inject_pending_events(k);
	}
	if (k->guest_mode && !k->nested_run_pending)
		nested_reinject_from_vmcs12(k);
}
