/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lapic_timer.c - the local APIC timer's registers and count (see
 * lapic_timer.h; SDM Vol. 3A 11.5.4).
 */
#include "model/hw/lapic_timer.h"

#include <string.h>

#include "vmcs/x86_msr.h"

void lapic_timer_reset(struct lapic_timer *t)
{
	memset(t, 0, sizeof(*t));
	t->lvt = APIC_LVT_RESET;
}

static uint32_t mode(const struct lapic_timer *t)
{
	return t->lvt & APIC_LVT_TIMER_MODE_MASK;
}

static bool counts_down(const struct lapic_timer *t)
{
	return mode(t) == APIC_LVT_TIMER_ONESHOT || mode(t) == APIC_LVT_TIMER_PERIODIC;
}

uint32_t lapic_timer_current(const struct lapic_timer *t, uint64_t now)
{
	uint64_t div = apic_timer_divide(t->dcr), left;

	if (!t->armed || now >= t->deadline)
		return 0;
	left = (t->deadline - now + div - 1) / div;   /* counts still to go */
	return left > UINT32_MAX ? UINT32_MAX : (uint32_t)left;
}

bool lapic_timer_write(struct lapic_timer *t, uint32_t msr, uint64_t value, uint64_t now)
{
	if (!apic_timer_value_ok(msr, value))
		return false;
	switch (msr) {
	case MSR_IA32_X2APIC_LVT_TIMER:
		t->lvt = (uint32_t)value & APIC_LVT_TIMER_WRITABLE;
		/* TSC-deadline mode disarms the count; between one-shot and periodic it goes on. */
		if (!counts_down(t))
			t->armed = false;
		return true;
	case MSR_IA32_X2APIC_DIV_CONF: {
		uint32_t cur = lapic_timer_current(t, now);
		t->dcr = (uint32_t)value;
		if (t->armed)
			t->deadline = now + (uint64_t)cur * apic_timer_divide(t->dcr);
		return true;
	}
	case MSR_IA32_X2APIC_INIT_COUNT:
		if (!counts_down(t))
			return true;                 /* ignored in TSC-deadline mode */
		t->initial = (uint32_t)value;
		t->armed = value != 0;           /* writing 0 stops the timer */
		t->deadline = now + value * apic_timer_divide(t->dcr);
		return true;
	default:
		return false;
	}
}

bool lapic_timer_read(const struct lapic_timer *t, uint32_t msr, uint64_t now, uint64_t *value)
{
	switch (msr) {
	case MSR_IA32_X2APIC_LVT_TIMER:
		*value = t->lvt;                 /* delivery status 0: the LAPIC accepts at once */
		return true;
	case MSR_IA32_X2APIC_DIV_CONF:
		*value = t->dcr;
		return true;
	case MSR_IA32_X2APIC_INIT_COUNT:
		*value = t->initial;
		return true;
	case MSR_IA32_X2APIC_CUR_COUNT:
		*value = lapic_timer_current(t, now);
		return true;
	default:
		return false;
	}
}

bool lapic_timer_expire(struct lapic_timer *t, uint64_t now, uint64_t *when, uint8_t *vector)
{
	*when = UINT64_MAX;
	*vector = (uint8_t)(t->lvt & APIC_LVT_VECTOR_MASK);
	if (!t->armed || now < t->deadline)
		return false;
	*when = t->deadline;
	if (mode(t) == APIC_LVT_TIMER_PERIODIC)
		t->deadline += (uint64_t)t->initial * apic_timer_divide(t->dcr);
	else
		t->armed = false;
	return !(t->lvt & APIC_LVT_MASKED);
}
