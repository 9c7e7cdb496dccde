/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmexit.c - VM exits: record the exit information, save guest state, load
 * host state (SDM "VM Exits": 27.2 recording, 27.3 saving, 27.5 loading).
 */
#include "model/hw/vapic.h"
#include "vmcs/x86_debugreg.h"

/*
 * Remaining preemption-timer value for "save VMX-preemption timer value":
 * the changes of TSC bit X still to come before the deadline, itself a
 * multiple of 2^X (26.5.1; see vmx_lp_vmentry()).
 */
static uint32_t timer_remaining(const struct vmx_lp *lp)
{
	uint32_t rate = lp->model.preemption_timer_rate;
	uint64_t left;

	if (lp->cycle >= lp->timer_deadline)
		return 0;
	left = (lp->timer_deadline >> rate) - (lp->cycle >> rate);
	return left > UINT32_MAX ? UINT32_MAX : (uint32_t)left;
}

void lp_vmexit(struct vmx_lp *lp, const struct vmx_exit_info *info)
{
	struct vmcs *v = lp->vmcs;
	struct vmx_hw_event ev = {.kind = HW_VMEXIT};

	/* 27.2: exit information. */
	vmcs_set(v, VM_EXIT_REASON, info->reason);
	vmcs_set(v, EXIT_QUALIFICATION, info->qualification);
	vmcs_set(v, VM_EXIT_INTR_INFO, info->intr_info);
	vmcs_set(v, VM_EXIT_INTR_ERROR_CODE, info->intr_error_code);
	vmcs_set(v, IDT_VECTORING_INFO_FIELD, info->idt_vectoring);
	vmcs_set(v, IDT_VECTORING_ERROR_CODE, info->idt_error_code);
	vmcs_set(v, VM_EXIT_INSTRUCTION_LEN, info->insn_len);
	if (info->reason == EXIT_REASON_EPT_VIOLATION)
		vmcs_set(v, GUEST_PHYSICAL_ADDRESS, info->guest_phys);
	/* R14: every VM exit clears the valid bit of the entry field. */
	vmcs_clear_bits(v, VM_ENTRY_INTR_INFO_FIELD, INTR_INFO_VALID_MASK);

	/* 27.3: guest state, interruptibility and activity as they are at this boundary. */
	vmcs_set(v, GUEST_RIP, lp->ctx.rip);
	vmcs_set(v, GUEST_RFLAGS, lp->ctx.rflags);
	if (lp_exit_ctl(lp, VM_EXIT_SAVE_DEBUG_CONTROLS)) {
		vmcs_set(v, GUEST_DR7, lp->dr7);
		vmcs_set(v, GUEST_IA32_DEBUGCTL, lp->debugctl);
	}
	vmcs_set(v, GUEST_INTERRUPTIBILITY_INFO, vmx_lp_interruptibility(lp));
	vmcs_set(v, GUEST_ACTIVITY_STATE, lp->ctx.activity);
	vmcs_set(v, GUEST_PENDING_DBG_EXCEPTIONS, lp_debug_save_at_exit(lp, info->reason, info->intr_info));
	lp_vapic_exit(lp);
	if (lp_exit_ctl(lp, VM_EXIT_SAVE_VMX_PREEMPTION_TIMER))
		vmcs_set(v, VMX_PREEMPTION_TIMER_VALUE, timer_remaining(lp));

	ev.rip = lp->ctx.rip;
	ev.reason = info->reason;
	ev.qualification = info->qualification;
	ev.intr_info = info->intr_info;
	ev.error_code = info->intr_error_code;
	ev.idt_vectoring = info->idt_vectoring;
	ev.insn_len = info->insn_len;
	ev.idt_error = info->idt_error_code;
	ev.intr_state = vmcs_get32(v, GUEST_INTERRUPTIBILITY_INFO);
	ev.new_state = lp->ctx.activity;
	lp_emit(lp, &ev);

	/*
	 * 27.5 (R25): host state; no STI/MOV-SS blocking; RFLAGS = 0x2. Blocking
	 * by NMI is set only by exits caused by NMIs (R22); other exits leave it.
	 */
	if (lp_nmi_blocking_ends_at_exit(lp))
		lp->nmi_blocked = false;
	if (info->reason == EXIT_REASON_EXCEPTION_NMI && intr_info_valid(info->intr_info) &&
	    intr_info_type(info->intr_info) == INTR_TYPE_NMI_INTR)
		lp->nmi_blocked = true;
	lp->non_root = false;
	lp->ctx.rip = vmcs_get(v, HOST_RIP);
	lp->ctx.rflags = X86_EFLAGS_FIXED;
	lp->dr7 = DR7_FIXED_1;   /* 27.5.1: DR7 = 400H; DR0-DR3 and DR6 keep the guest's */
	lp->debugctl = 0;        /* 27.5.1: IA32_DEBUGCTL cleared */
	lp->cr4 = vmcs_get(v, HOST_CR4);   /* 27.5.1; the guest cannot change its CR4, so GUEST_CR4 keeps it */
	lp->ctx.activity = GUEST_ACTIVITY_ACTIVE;
	lp->ctx.mem = lp->host_mem;
	lp->sti_shadow_at = VMX_NO_BOUNDARY;
	lp->movss_shadow_at = VMX_NO_BOUNDARY;
	lp->vnmi_blocked = false;
	lp->inject_pending = false;
	lp->mtf_pending = false;
	lp->timer_armed = false;
	lp->cycle += lp->model.vmexit_cycles;
	lp_note_blocking(lp);
}
