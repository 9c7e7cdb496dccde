/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lp.c - the logical processor's state, inputs, simple VMX instructions and
 * pure queries. Entry is in vmentry.c, exits in vmexit.c, vectoring in
 * deliver.c, instructions in exec.c, arbitration in arbiter.c.
 */
#include <string.h>

#include "model/hw/lp_internal.h"
#include "vmcs/x86_debugreg.h"

void vmx_lp_init(struct vmx_lp *lp, const struct cpu_model *model, uint32_t id,
                 struct vmx_guest_mem *host_mem)
{
	memset(lp, 0, sizeof(*lp));
	lp->model = *model;
	lp->id = id;
	lp->host_mem = host_mem;
	lp->vmx_operation = true;
	lp->vmxon_ptr = VMX_REGION_ADDR(VMX_REGION_VMXON);
	lp->ctx.rflags = X86_EFLAGS_FIXED;
	lp->dr6 = DR6_FIXED_1;
	lp->dr7 = DR7_FIXED_1;
	lp->cr4 = VMCS_CR4_DEFAULT;
	lp->ctx.activity = GUEST_ACTIVITY_ACTIVE;
	lp->ctx.mem = host_mem;
	if (host_mem && host_mem->prog)
		lp->ctx.rip = host_mem->prog->base;
	lp->sti_shadow_at = VMX_NO_BOUNDARY;
	lp->movss_shadow_at = VMX_NO_BOUNDARY;
	lp->stop_at = UINT64_MAX;
	lapic_reset(&lp->apic);
	lp_mca_reset(lp);
	lp->last_blocking[0] = vmx_lp_blocking(lp);
}

void vmx_lp_set_observer(struct vmx_lp *lp, vmx_hw_observer_fn fn, void *ctx)
{
	lp->observer = fn;
	lp->observer_ctx = ctx;
}

void lp_emit(struct vmx_lp *lp, struct vmx_hw_event *ev)
{
	if (!lp->observer)
		return;
	ev->cpu = lp->id;
	ev->non_root = lp->non_root;
	if (!ev->stamped)
		ev->cycle = lp->cycle;
	lp->observer(lp->observer_ctx, ev);
}

/* vmx_lp_blocking, inline here: lp_note_blocking asks after every step of the reference mode. */
static inline uint32_t blocking_now(const struct vmx_lp *lp)
{
	uint32_t b = 0;

	if (vmx_lp_sti_blocking(lp))
		b |= VMX_BLK_STI;
	if (vmx_lp_movss_blocking(lp))
		b |= VMX_BLK_MOV_SS;
	if (lp->nmi_blocked)
		b |= VMX_BLK_NMI;
	if (lp->non_root && (lp->ctl.pin & PIN_BASED_VIRTUAL_NMIS) && lp->vnmi_blocked)
		b |= VMX_BLK_VNMI;
	if (lp->ctx.rflags & X86_EFLAGS_IF)
		b |= VMX_BLK_IF;
	return b;
}

void lp_note_blocking(struct vmx_lp *lp)
{
	/* Root and non-root operation each compare with their own last snapshot. */
	uint32_t now = blocking_now(lp);
	uint32_t *last = &lp->last_blocking[lp->non_root];

	if (now != *last) {
		struct vmx_hw_event ev = {.kind = HW_BLOCKING, .old_state = *last, .new_state = now, .rip = lp->ctx.rip};
		*last = now;
		lp_emit(lp, &ev);
	}
}

void vmx_lp_nmi(struct vmx_lp *lp)
{
	struct vmx_hw_event ev = {.kind = lp->nmi_latched ? HW_NMI_LOST : HW_NMI_LATCHED, .rip = lp->ctx.rip};

	/* The processor holds one NMI while NMIs are blocked; a second edge is lost. */
	lp->nmi_latched = true;
	lp_emit(lp, &ev);
}

void vmx_lp_irq(struct vmx_lp *lp, uint8_t vector)
{
	struct vmx_hw_event ev = {.kind = HW_IRQ_ACCEPTED, .vector = vector, .rip = lp->ctx.rip};

	if (!lapic_accept(&lp->apic, vector))
		ev.kind = HW_IRQ_COALESCED;
	lp_emit(lp, &ev);
}

enum vmx_insn_status lp_vmfail(struct vmx_lp *lp, enum vmx_insn_error err)
{
	if (!lp->vmcs)
		return VMX_FAIL_INVALID;
	vmcs_set(lp->vmcs, VM_INSTRUCTION_ERROR, (uint64_t)err);
	return VMX_FAIL_VALID;
}

enum vmx_insn_status vmx_lp_vmptrld(struct vmx_lp *lp, struct vmcs *v)
{
	if (v->revision_id != lp->model.revision_id)
		return lp_vmfail(lp, VMXERR_VMPTRLD_INCORRECT_REVISION_ID);
	lp->vmcs = v;
	return VMX_SUCCEED;
}

void vmx_lp_vmclear(struct vmx_lp *lp, struct vmcs *v)
{
	v->launch_state = VMCS_CLEAR;
	if (lp->vmcs == v)
		lp->vmcs = NULL;
}

static enum vmx_insn_status insn_result(struct vmx_lp *lp, enum vmx_insn_error err)
{
	return err == VMX_INSN_OK ? VMX_SUCCEED : lp_vmfail(lp, err);
}

enum vmx_insn_status vmx_lp_vmread(struct vmx_lp *lp, uint32_t encoding, uint64_t *value)
{
	if (!lp->vmcs)
		return VMX_FAIL_INVALID;
	return insn_result(lp, vmcs_vmread(lp->vmcs, &lp->model, encoding, value));
}

enum vmx_insn_status vmx_lp_vmwrite(struct vmx_lp *lp, uint32_t encoding, uint64_t value)
{
	if (!lp->vmcs)
		return VMX_FAIL_INVALID;
	return insn_result(lp, vmcs_vmwrite(lp->vmcs, &lp->model, encoding, value));
}

int vmx_lp_host_intr_ack(struct vmx_lp *lp)
{
	/* Asked after every exit and nearly always answered no: the event is built only for a yes. */
	if (lp->non_root || !lapic_intr_pending(&lp->apic))
		return -1;
	struct vmx_hw_event ev = {.kind = HW_INTR_ACK, .vector = lapic_ack(&lp->apic), .rip = lp->ctx.rip};
	lp_emit(lp, &ev);
	return (int)ev.vector;
}

bool vmx_lp_host_take_nmi(struct vmx_lp *lp)
{
	if (lp->non_root || !lp->nmi_latched || lp->nmi_blocked || vmx_lp_movss_blocking(lp))
		return false;
	lp->nmi_latched = false;
	lp->nmi_blocked = true;
	lp_note_blocking(lp);
	return true;
}

bool vmx_lp_apic_timer_catch_up(struct vmx_lp *lp)
{
	bool raised = false;

	/* Each expiry is a fixed interrupt the LAPIC accepts, as a stimulus at the pins is (vmx_lp_irq). */
	while (lapic_timer_next(&lp->apic.timer) <= lp->cycle) {
		struct vmx_hw_event ev = {.kind = HW_APIC_TIMER, .rip = lp->ctx.rip, .stamped = true};
		uint8_t vector;

		if (!lapic_timer_expire(&lp->apic.timer, lp->cycle, &ev.cycle, &vector))
			continue;   /* masked: the count goes on, nothing is raised */
		ev.vector = vector;
		lp_emit(lp, &ev);
		vmx_lp_irq(lp, vector);
		raised = true;
	}
	return raised;
}

uint64_t vmx_lp_apic_timer_deadline(const struct vmx_lp *lp)
{
	return lapic_timer_next(&lp->apic.timer);
}

void vmx_lp_spend(struct vmx_lp *lp, uint64_t cycles)
{
	lp->cycle += cycles;
	vmx_lp_apic_timer_catch_up(lp);
	if (lp->sync)
		lp->sync(lp->sync_ctx);
}

uint32_t vmx_lp_interruptibility(const struct vmx_lp *lp)
{
	uint32_t s = 0;
	bool vnmi = lp->non_root && (lp->ctl.pin & PIN_BASED_VIRTUAL_NMIS);

	if (vmx_lp_sti_blocking(lp))
		s |= GUEST_INTR_STATE_STI;
	if (vmx_lp_movss_blocking(lp))
		s |= GUEST_INTR_STATE_MOV_SS;
	/*
	 * Bit 3 is virtual-NMI blocking when virtual NMIs = 1 (R3). With NMI
	 * exiting = 1 and virtual NMIs = 0, blocking by NMI lasts only while the
	 * processor stays in non-root operation (R15/R16) and the model does not
	 * report it: KVM's soft-vNMI code relies on that (see docs/sdm-rules.md).
	 */
	if (vnmi)
		return lp->vnmi_blocked ? s | GUEST_INTR_STATE_NMI : s;
	if (lp->nmi_blocked && !lp_nmi_blocking_ends_at_exit(lp))
		s |= GUEST_INTR_STATE_NMI;
	return s;
}

uint32_t vmx_lp_blocking(const struct vmx_lp *lp)
{
	return blocking_now(lp);
}
