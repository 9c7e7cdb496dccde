/* SPDX-License-Identifier: Apache-2.0 */
/*
 * posted_intr.c - posted-interrupt processing (SDM Vol. 3C 30.6) and
 * posting itself (what a device or another processor does: KVM's
 * vmx_deliver_posted_interrupt()).
 *
 * With "process posted interrupts" an external interrupt whose vector is
 * the notification vector (POSTED_INTR_NV) causes no VM exit (R1 and R21
 * hold for every other vector): the processor acknowledges it, clears ON
 * in the descriptor at POSTED_INTR_DESC_ADDR, writes the local APIC's EOI,
 * ORs PIR into VIRR and clears PIR, raises RVI to the highest vector
 * posted, and evaluates pending virtual interrupts (30.2.1). The
 * descriptor lives beside the VMCS (vmcs.h).
 */
#include "model/hw/vapic.h"

bool lp_posted_intr_notification(const struct vmx_lp *lp)
{
	return lp_pin(lp, PIN_BASED_POSTED_INTR) &&
	       lapic_highest_irr(&lp->apic) == (int)(vmcs_get32(lp->vmcs, POSTED_INTR_NV) & 0xffu);
}

void lp_posted_intr_process(struct vmx_lp *lp)
{
	struct posted_intr_desc *d = &lp->vmcs->pi_desc;
	uint64_t *virr = lp->vmcs->vapic.irr;
	int highest = vec_highest(d->pir);
	uint8_t nv = lapic_ack(&lp->apic);

	lp_emit_simple(lp, HW_INTR_ACK, nv);
	d->on = false;
	lapic_eoi(&lp->apic);   /* the processor's own, at the physical APIC: the `vapic op=posted` event says it */
	for (unsigned w = 0; w < 4; w++) {
		virr[w] |= d->pir[w];
		d->pir[w] = 0;
	}
	if (highest > lp->rvi)
		lp->rvi = (uint8_t)highest;
	lp_vapic_evaluate(lp);
	lp_vapic_emit_posted(lp, "posted", highest < 0 ? 0 : (uint32_t)highest, nv);
}

bool vmx_lp_post(struct vmx_lp *lp, uint8_t vector, uint32_t line)
{
	struct posted_intr_desc *d;
	bool was_on;

	if (!lp->vmcs) {
		struct vmx_hw_event ev = {.kind = HW_NOT_MODELLED, .rip = lp->ctx.rip, .line = line,
		                          .check = "a posted interrupt with no current VMCS (the descriptor is the "
		                                   "current VMCS's)"};
		lp_emit(lp, &ev);
		return false;
	}
	d = &lp->vmcs->pi_desc;
	vec_set(d->pir, vector);
	was_on = d->on;
	d->on = true;
	/* A notification is already on its way while ON is set: none is sent. */
	if (!was_on)
		vmx_lp_irq(lp, (uint8_t)vmcs_get32(lp->vmcs, POSTED_INTR_NV));
	return true;
}
