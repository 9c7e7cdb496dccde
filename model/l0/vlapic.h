/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vlapic.h - a hypervisor's virtual local APIC for its guest: the IRR and
 * ISR of fixed interrupts, priority by vector class and TPR, acknowledge
 * and EOI. NMIs are not in it; hypervisors keep those apart.
 */
#ifndef VMXSIM_VLAPIC_H
#define VMXSIM_VLAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "model/hw/lapic.h"

/*
 * The same register file as the processor's LAPIC, owned by software. Its
 * timer is not used: the model's L0s refuse a guest's timer MSRs
 * (l0_refuse_apic_timer), they do not emulate them.
 */
struct vlapic {
	struct lapic regs;
};

/* Request a vector; false if it was already requested (coalesced). */
static inline bool vlapic_set_irr(struct vlapic *v, uint8_t vector) { return lapic_accept(&v->regs, vector); }

/* The vector the guest would take next, or -1 (kvm_cpu_has_interrupt). */
static inline int vlapic_pending(const struct vlapic *v)
{
	return lapic_intr_pending(&v->regs) ? lapic_highest_irr(&v->regs) : -1;
}

/* Withdraw a request (kvm_apic_clear_irr): the vector is taken some other way. */
static inline void vlapic_clear_irr(struct vlapic *v, uint8_t vector)
{
	v->regs.irr[vector / 64] &= ~(1ull << (vector % 64));
}

/* Take it: IRR -> ISR (kvm_cpu_get_interrupt). */
static inline uint8_t vlapic_ack(struct vlapic *v) { return lapic_ack(&v->regs); }

/* EOI from the guest: the highest in-service vector, or -1. */
static inline int vlapic_eoi(struct vlapic *v) { return lapic_eoi(&v->regs); }

/* An acknowledged vector that could not be delivered goes back to the IRR. */
void vlapic_requeue(struct vlapic *v, uint8_t vector);

#endif
