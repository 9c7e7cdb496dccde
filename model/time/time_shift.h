/* SPDX-License-Identifier: Apache-2.0 */
/*
 * time_shift.h - a state written relative to its own moment, so that two
 * moments of a machine can be compared for "the same state, later".
 *
 * The model keeps time as absolute cycles (DESIGN.md "Time"). A state at
 * cycle t and one at t + P are the same state shifted when every byte is
 * equal once each absolute time in them is written as its distance from
 * "now" and each time that can no longer be read is written as 0. Every
 * layer that keeps a time says so here, field by field, with the
 * condition under which the field is dead (snapshot_shift.c collects
 * them). A time it does not declare stays as it is: at two moments of one
 * run it then holds the same value, which is a different distance from
 * now - so a field forgotten here can only make a shifted state look
 * different (a merge lost), except a past stamp that is read later, which
 * the declarations must cover (docs/explore.md "Shifted runs").
 *
 * Values are written into a copy of the state (a machine snapshot), never
 * into the live machine: `patch` puts len bytes at the copy of `field`.
 */
#ifndef VMXSIM_TIME_SHIFT_H
#define VMXSIM_TIME_SHIFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct time_shift {
	uint64_t now;                /* the moment cycles are written relative to */
	uint64_t end;                /* the run's end: a time read only against a bound it cannot reach before it is dead */
	void (*patch)(void *ctx, const void *field, const void *value, size_t len);
	void *ctx;
	/* Set by a layer that holds a state it cannot write relative to now: no shifted twin exists. */
	const char *refused;
};

/* A cycle that is still read (a deadline, or a stamp some later step subtracts from now): as a distance. */
static inline void time_shift_cycle(struct time_shift *t, const uint64_t *field)
{
	uint64_t v = *field - t->now;

	t->patch(t->ctx, field, &v, sizeof(v));
}

/* A deadline with a "never" value, which stays as it is. */
static inline void time_shift_deadline(struct time_shift *t, const uint64_t *field, uint64_t never)
{
	if (*field != never)
		time_shift_cycle(t, field);
}

/* A value nothing reads again before writing it: 0, whatever it holds. */
static inline void time_shift_dead(struct time_shift *t, const void *field, size_t len)
{
	static const unsigned char zero[64] = {0};

	for (size_t at = 0; at < len; at += sizeof(zero))
		t->patch(t->ctx, (const char *)field + at, zero, len - at < sizeof(zero) ? len - at : sizeof(zero));
}

/* A count relative to another count that moves with time (a retired-instruction stamp against `retired`). */
static inline void time_shift_relative(struct time_shift *t, const uint64_t *field, uint64_t base)
{
	uint64_t v = *field - base;

	t->patch(t->ctx, field, &v, sizeof(v));
}

static inline void time_shift_refuse(struct time_shift *t, const char *why)
{
	if (!t->refused)
		t->refused = why;
}

#endif
