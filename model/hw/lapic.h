/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lapic.h - the physical local APIC as the processor sees it: the IRR and
 * ISR, priority by vector class, acknowledge and EOI. TPR is 0; only fixed
 * interrupts reach it (NMIs go to the NMI pin).
 */
#ifndef VMXSIM_LAPIC_H
#define VMXSIM_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct lapic {
	uint64_t irr[4];   /* interrupt request register, one bit per vector */
	uint64_t isr[4];   /* in-service register */
};

void lapic_reset(struct lapic *a);

/* Set the IRR bit; false if it was already set (the request coalesced). */
bool lapic_accept(struct lapic *a, uint8_t vector);

/* Highest set vector, or -1. */
int lapic_highest_irr(const struct lapic *a);
int lapic_highest_isr(const struct lapic *a);

/* An IRR vector whose class is above the in-service class (TPR is 0). */
bool lapic_irr_above_isr(const struct lapic *a);

/*
 * The INTR line. Asked at every instruction boundary and by the host after
 * every exit, and nearly always nothing is requested: inline, and without
 * scanning for priorities when the IRR is empty.
 */
static inline bool lapic_intr_pending(const struct lapic *a)
{
	return (a->irr[0] | a->irr[1] | a->irr[2] | a->irr[3]) && lapic_irr_above_isr(a);
}

/* Acknowledge: move the highest deliverable IRR vector to the ISR. Returns it. */
uint8_t lapic_ack(struct lapic *a);

/* EOI: clear the highest ISR bit. Returns the vector, or -1 if none was in service. */
int lapic_eoi(struct lapic *a);

#ifdef __cplusplus
}
#endif
#endif
