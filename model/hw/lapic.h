/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lapic.h - the physical local APIC as the processor sees it: the IRR and
 * ISR, the task priority (written through CR8), priority by vector class,
 * acknowledge and EOI, and its timer (lapic_timer.h). Only fixed interrupts
 * reach it (NMIs go to the NMI pin).
 */
#ifndef VMXSIM_LAPIC_H
#define VMXSIM_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "model/hw/lapic_timer.h"

#ifdef __cplusplus
extern "C" {
#endif

struct lapic {
	uint64_t irr[4];   /* interrupt request register, one bit per vector */
	uint64_t isr[4];   /* in-service register */
	uint8_t tpr;       /* task-priority register; bits 7:4 are the class (MOV to CR8 writes them) */
	uint32_t lvt_cmci; /* LVT CMCI (vmcs/x2apic_lvt.h): masked at reset */
	struct lapic_timer timer;
};

void lapic_reset(struct lapic *a);

/* Set the IRR bit; false if it was already set (the request coalesced). */
bool lapic_accept(struct lapic *a, uint8_t vector);

/* Highest set vector, or -1. */
int lapic_highest_irr(const struct lapic *a);
int lapic_highest_isr(const struct lapic *a);

/*
 * An IRR vector whose class is above the processor-priority class: the
 * higher of the TPR class and the in-service class (SDM Vol. 3A 11.8.3.1).
 */
bool lapic_irr_above_ppr(const struct lapic *a);

/*
 * The INTR line. Asked at every instruction boundary and by the host after
 * every exit, and nearly always nothing is requested: inline, and without
 * scanning for priorities when the IRR is empty.
 */
static inline bool lapic_intr_pending(const struct lapic *a)
{
	return (a->irr[0] | a->irr[1] | a->irr[2] | a->irr[3]) && lapic_irr_above_ppr(a);
}

/* Acknowledge: move the highest deliverable IRR vector to the ISR. Returns it. */
uint8_t lapic_ack(struct lapic *a);

/* EOI: clear the highest ISR bit. Returns the vector, or -1 if none was in service. */
int lapic_eoi(struct lapic *a);

/* PPR (SDM Vol. 3A 11.8.3.1): TPR if its class is at least the in-service class, else that class. */
uint8_t lapic_ppr(const struct lapic *a);

/*
 * RDMSR of an x2APIC register the model keeps outside the timer: TPR
 * (0x808), PPR (0x80a), ISR (0x810-0x817), IRR (0x820-0x827), LVT CMCI
 * (0x82f). False for any other MSR.
 */
bool lapic_x2apic_read(const struct lapic *a, uint32_t msr, uint64_t *value);

#ifdef __cplusplus
}
#endif
#endif
