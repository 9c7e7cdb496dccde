/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtual_apic.c - reading a register of the virtual-APIC page.
 */
#include "vmcs/virtual_apic.h"

/* Register n (0-7) of a 256-bit register: vectors 32n+31..32n. */
static uint32_t part(const uint64_t r[4], uint32_t n)
{
	return (uint32_t)(r[(n / 2) % 4] >> (32 * (n % 2)));
}

uint32_t virtual_apic_read32(const struct virtual_apic_page *p, uint32_t offset)
{
	switch (offset) {
	case VAPIC_TPR: return p->tpr;
	case VAPIC_PPR: return p->ppr;
	case VAPIC_EOI: return p->eoi;
	case VAPIC_ICR_LO: return p->icr_lo;
	case VAPIC_ICR_HI: return p->icr_hi;
	case VAPIC_SELF_IPI: return p->self_ipi;
	default: break;
	}
	if (offset >= VAPIC_ISR && offset < VAPIC_ISR + 0x80)
		return part(p->isr, (offset - VAPIC_ISR) >> 4);
	if (offset >= VAPIC_IRR && offset < VAPIC_IRR + 0x80)
		return part(p->irr, (offset - VAPIC_IRR) >> 4);
	return 0;
}
