/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lapic.c - IRR/ISR bookkeeping and priority of the physical local APIC.
 */
#include "model/hw/lapic.h"

#include <string.h>

#include "vmcs/virtual_apic.h"
#include "vmcs/x2apic_lvt.h"
#include "vmcs/x86_msr.h"

void lapic_reset(struct lapic *a)
{
	memset(a, 0, sizeof(*a));
	a->lvt_cmci = APIC_LVT_MASKED;
	lapic_timer_reset(&a->timer);
}

static int highest(const uint64_t r[4]) { return vec_highest(r); }
static bool test_bit(const uint64_t r[4], unsigned v) { return vec_test(r, v); }
static void set_bit(uint64_t r[4], unsigned v) { vec_set(r, v); }
static void clear_bit(uint64_t r[4], unsigned v) { vec_clear(r, v); }

bool lapic_accept(struct lapic *a, uint8_t vector)
{
	if (test_bit(a->irr, vector))
		return false;
	set_bit(a->irr, vector);
	return true;
}

int lapic_highest_irr(const struct lapic *a) { return highest(a->irr); }
int lapic_highest_isr(const struct lapic *a) { return highest(a->isr); }

bool lapic_irr_above_ppr(const struct lapic *a)
{
	int irr = highest(a->irr), isr = highest(a->isr);
	int ppr = a->tpr >> 4;   /* PPR[7:4]: TPR[7:4] or ISRV[7:4], whichever is higher */

	if (irr < 0)
		return false;
	if (isr >= 0 && (isr >> 4) > ppr)
		ppr = isr >> 4;
	/* Nothing in service and TPR 0: every requested vector is above it. */
	if (isr < 0 && ppr == 0)
		return true;
	return (irr >> 4) > ppr;
}

uint8_t lapic_ack(struct lapic *a)
{
	int v = highest(a->irr);

	if (v < 0)
		return 0;
	clear_bit(a->irr, (unsigned)v);
	set_bit(a->isr, (unsigned)v);
	return (uint8_t)v;
}

int lapic_eoi(struct lapic *a)
{
	int v = highest(a->isr);

	if (v >= 0)
		clear_bit(a->isr, (unsigned)v);
	return v;
}

uint8_t lapic_ppr(const struct lapic *a)
{
	int isr = highest(a->isr);

	if (isr >= 0 && (isr >> 4) > (a->tpr >> 4))
		return (uint8_t)(isr & 0xf0);
	return a->tpr;
}

bool lapic_x2apic_read(const struct lapic *a, uint32_t msr, uint64_t *value)
{
	if (msr == MSR_IA32_X2APIC_TPR)
		*value = a->tpr;
	else if (msr == MSR_IA32_X2APIC_PPR)
		*value = lapic_ppr(a);
	else if (msr >= MSR_IA32_X2APIC_ISR0 && msr <= MSR_IA32_X2APIC_ISR7)
		*value = (uint32_t)(a->isr[(msr & 7u) / 2] >> (32 * (msr & 1u)));
	else if (msr >= MSR_IA32_X2APIC_IRR0 && msr <= MSR_IA32_X2APIC_IRR7)
		*value = (uint32_t)(a->irr[(msr & 7u) / 2] >> (32 * (msr & 1u)));
	else if (msr == MSR_IA32_X2APIC_LVT_CMCI)
		*value = a->lvt_cmci;
	else
		return false;
	return true;
}
