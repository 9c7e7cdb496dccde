/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vapic.c - the virtualizations of SDM Vol. 3C 30.1 (TPR, PPR, EOI,
 * self-IPI), the evaluation and delivery of virtual interrupts (30.2) and
 * what VM entry and VM exit do for them (26.3.2.5, 27.3.2).
 *
 * The arbiter (arbiter.c) delivers a recognised virtual interrupt at R24
 * level 5.5, where the interrupt-window exit is: below NMIs, above external
 * interrupts, with RFLAGS.IF = 1, no STI/MOV-SS blocking and
 * interrupt-window exiting 0. Delivering one wakes HLT (R23).
 */
#include "model/hw/vapic.h"

static struct virtual_apic_page *page(struct vmx_lp *lp)
{
	return &lp->vmcs->vapic;
}

void lp_vapic_emit(struct vmx_lp *lp, const char *op, uint32_t vector)
{
	lp_vapic_emit_posted(lp, op, vector, -1);
}

void lp_vapic_emit_posted(struct vmx_lp *lp, const char *op, uint32_t vector, int notification)
{
	struct vmx_hw_event ev = {.kind = HW_VAPIC, .vapic_op = op, .vector = vector, .rip = lp->ctx.rip,
	                          .intr_status = (uint32_t)lp->rvi | (uint32_t)lp->svi << 8,
	                          .vppr = page(lp)->ppr, .notification = notification};
	lp_emit(lp, &ev);
}

enum lp_step lp_vapic_store(struct vmx_lp *lp, const struct vmx_insn *in)
{
	uint8_t v = (uint8_t)in->arg2;
	/*
	 * Plain memory of the program's own VMCS region: the processor's
	 * current VMCS in root operation; in non-root operation (an L1 whose
	 * VMX instructions an L0 emulates) the region the L0 made current.
	 */
	struct vmcs *target = lp->non_root ? lp->ctx.mem->vmptr : lp->vmcs;

	if (!target)
		return lp_not_modelled(lp, in, "a store to the virtual-APIC page or posted-interrupt descriptor with no "
		                               "current VMCS (the model keeps them beside the VMCS)");
	switch (in->arg) {
	case VAPIC_IRR: vec_set(target->vapic.irr, v); break;
	case VAPIC_ISR: vec_set(target->vapic.isr, v); break;
	case VAPIC_TPR: target->vapic.tpr = v; break;
	default:
		vec_set(target->pi_desc.pir, v);
		target->pi_desc.on = true;
		break;
	}
	lp->ctx.rip = in->addr + in->len;
	lp_complete(lp, 1, lp->model.insn_cycles);
	return LP_STEP_CONTINUE;
}

void lp_vapic_ppr(struct vmx_lp *lp)
{
	struct virtual_apic_page *p = page(lp);
	uint32_t tpr = p->tpr & 0xffu;

	/* VPPR is VTPR when VTPR's class is at least SVI's, else SVI's class. */
	p->ppr = (tpr >> 4) >= (uint32_t)(lp->svi >> 4) ? tpr : (uint32_t)(lp->svi & 0xf0u);
}

void lp_vapic_evaluate(struct vmx_lp *lp)
{
	/* 30.2.1: recognised when interrupt-window exiting is 0 and RVI's class is above VPPR's. */
	lp->vintr_recognised = !lp_proc(lp, CPU_BASED_INTR_WINDOW_EXITING) &&
	                       (uint32_t)(lp->rvi >> 4) > ((page(lp)->ppr >> 4) & 0xfu);
}

void lp_vapic_entry(struct vmx_lp *lp)
{
	uint32_t status = vmcs_get32(lp->vmcs, GUEST_INTR_STATUS);

	lp->vintr_recognised = false;
	if (!lp_vid(lp))
		return;
	lp->rvi = (uint8_t)status;
	lp->svi = (uint8_t)(status >> 8);
	lp_vapic_ppr(lp);
	lp_vapic_evaluate(lp);
}

void lp_vapic_exit(struct vmx_lp *lp)
{
	if (lp_vid(lp))
		vmcs_set(lp->vmcs, GUEST_INTR_STATUS, (uint64_t)lp->rvi | (uint64_t)lp->svi << 8);
	lp->vintr_recognised = false;
}

/* A trap-like VM exit (28.2.4): RIP past the instruction that caused it, no instruction length. */
static enum lp_step trap_exit(struct vmx_lp *lp, uint32_t reason, uint64_t qual)
{
	struct vmx_exit_info x = {.reason = reason, .qualification = qual};

	lp_vmexit(lp, &x);
	return LP_STEP_EXIT;
}

enum lp_step lp_vapic_tpr_written(struct vmx_lp *lp)
{
	uint32_t threshold = vmcs_get32(lp->vmcs, TPR_THRESHOLD) & 0xfu;

	if (!lp_vid(lp)) {
		if (((page(lp)->tpr >> 4) & 0xfu) < threshold)
			return trap_exit(lp, EXIT_REASON_TPR_BELOW_THRESHOLD, 0);
		return LP_STEP_CONTINUE;
	}
	lp_vapic_ppr(lp);
	lp_vapic_evaluate(lp);
	lp_vapic_emit(lp, "tpr", page(lp)->tpr & 0xffu);
	return LP_STEP_CONTINUE;
}

enum lp_step lp_vapic_eoi(struct vmx_lp *lp)
{
	struct virtual_apic_page *p = page(lp);
	uint8_t vector = lp->svi;
	int next;
	const uint64_t eoi_exit[4] = {vmcs_get(lp->vmcs, EOI_EXIT_BITMAP0), vmcs_get(lp->vmcs, EOI_EXIT_BITMAP1),
	                              vmcs_get(lp->vmcs, EOI_EXIT_BITMAP2), vmcs_get(lp->vmcs, EOI_EXIT_BITMAP3)};

	vec_clear(p->isr, vector);
	next = vec_highest(p->isr);
	lp->svi = next < 0 ? 0 : (uint8_t)next;
	lp_vapic_ppr(lp);
	lp_vapic_emit(lp, "eoi", vector);
	/* The EOI-exit bitmap sends the EOI of this vector to the hypervisor: a trap-like exit, qualification the vector. */
	if (vec_test(eoi_exit, vector))
		return trap_exit(lp, EXIT_REASON_EOI_INDUCED, vector);
	lp_vapic_evaluate(lp);
	return LP_STEP_CONTINUE;
}

void lp_vapic_self_ipi(struct vmx_lp *lp, uint8_t vector)
{
	vec_set(page(lp)->irr, vector);
	if (vector > lp->rvi)
		lp->rvi = vector;
	lp_vapic_evaluate(lp);
	lp_vapic_emit(lp, "self-ipi", vector);
}

enum lp_step lp_vapic_deliver(struct vmx_lp *lp)
{
	struct virtual_apic_page *p = page(lp);
	struct vmx_event e = {.type = INTR_TYPE_EXT_INTR, .vector = lp->rvi};
	int next;

	vec_set(p->isr, e.vector);
	lp->svi = e.vector;
	p->ppr = e.vector & 0xf0u;
	vec_clear(p->irr, e.vector);
	next = vec_highest(p->irr);
	lp->rvi = next < 0 ? 0 : (uint8_t)next;
	lp->vintr_recognised = false;   /* recognition ceases until the next evaluation */
	lp_vapic_emit(lp, "deliver", e.vector);
	return lp_deliver(lp, &e, lp->ctx.rip, false);
}
