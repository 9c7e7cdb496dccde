/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lapic_timer.h - the local APIC timer (SDM Vol. 3A 11.5.4 "APIC Timer"):
 * the LVT timer register (vector, mask, mode), the divide configuration,
 * the initial and the current count, as the x2APIC MSRs show them
 * (IA32_X2APIC_LVT_TIMER, _DIV_CONF, _INIT_COUNT, _CUR_COUNT).
 *
 * Real parts count at the bus or core-crystal clock (CPUID 15H); the model
 * counts at the TSC, divided by the divide value: one count every `divide`
 * cycles, so the same program fires at the same cycle on every CPU model.
 * One-shot and periodic modes are modelled; in TSC-deadline mode the timer
 * is disarmed and ignores the initial count, as the SDM says, and since
 * the model has no IA32_TSC_DEADLINE it never fires (the language refuses
 * the mode). Pure state and arithmetic: time is the caller's cycle count.
 */
#ifndef VMXSIM_LAPIC_TIMER_H
#define VMXSIM_LAPIC_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#include "vmcs/x2apic_timer.h"

#include "model/time/time_shift.h"

#ifdef __cplusplus
extern "C" {
#endif

/* After reset: masked, one-shot, vector 0; divide by 2; counts 0 (11.4.7). */
#define APIC_LVT_RESET APIC_LVT_MASKED

struct lapic_timer {
	uint32_t lvt;          /* LVT timer register */
	uint32_t dcr;          /* divide configuration */
	uint32_t initial;      /* initial count */
	bool armed;            /* counting down: one-shot or periodic with a count not yet at 0 */
	uint64_t deadline;     /* armed: the cycle the current count reaches 0 */
};

/* Power-on and reset values. */
void lapic_timer_reset(struct lapic_timer *t);

/*
 * WRMSR to one of the timer's MSRs at cycle `now` (the count starts when
 * the write of the initial count retires). False for a value with reserved
 * bits set, or an MSR that is not the timer's (#GP in x2APIC mode). A
 * change of the divide value takes effect at once: the count in progress
 * goes on from its current value at the new rate.
 */
bool lapic_timer_write(struct lapic_timer *t, uint32_t msr, uint64_t value, uint64_t now);

/* RDMSR of one of the timer's MSRs at cycle `now`; false for an MSR that is not the timer's. */
bool lapic_timer_read(const struct lapic_timer *t, uint32_t msr, uint64_t now, uint64_t *value);

/* The current count at cycle `now`. */
uint32_t lapic_timer_current(const struct lapic_timer *t, uint64_t now);

/* When the count reaches 0 next: the deadline, or UINT64_MAX when it is not counting. */
static inline uint64_t lapic_timer_next(const struct lapic_timer *t)
{
	return t->armed ? t->deadline : UINT64_MAX;
}

/*
 * The count reached 0 at or before `now`: take that expiry. *when is its
 * cycle, *vector the LVT vector, and the result tells whether it raises an
 * interrupt (not masked). A one-shot timer stops; a periodic one reloads
 * the initial count at the moment of expiry, so its period does not drift
 * with when the expiry is seen. Callers loop while lapic_timer_next() is
 * at or before `now`; with none due it returns false and *when = UINT64_MAX.
 */
bool lapic_timer_expire(struct lapic_timer *t, uint64_t now, uint64_t *when, uint8_t *vector);

/* Its one time (time_shift.h): the deadline, read only while armed. */
static inline void lapic_timer_time_shift(const struct lapic_timer *t, struct time_shift *ts)
{
	if (t->armed)
		time_shift_cycle(ts, &t->deadline);
	else
		time_shift_dead(ts, &t->deadline, sizeof(t->deadline));
}

#ifdef __cplusplus
}
#endif
#endif
