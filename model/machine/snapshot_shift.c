/* SPDX-License-Identifier: Apache-2.0 */
/*
 * snapshot_shift.c - a machine's state written relative to its own moment
 * (model/time/time_shift.h): the key under which the state at cycle t and
 * the state at t + P compare equal when the second is the first, later.
 *
 * The key is a snapshot (snapshot.c) whose time fields are then rewritten
 * in place: each layer names its fields (vmx_lp_time_shift,
 * l0_variant.time_shift, monitor_summaries_time_shift, and the machine's
 * own below), and `patch` finds where a field's bytes lie in the snapshot
 * by the blocks the snapshot walked. The live machine is never touched.
 *
 * A machine has no key (false, with why) when something in it keeps an
 * absolute time the layers cannot write relative to now: a program that
 * reads the TSC (its registers may hold the clock), an L0 that has not
 * listed its times.
 */
#include <stdlib.h>
#include <string.h>

#include "model/machine/machine_internal.h"

/* Where a block's bytes lie in the snapshot. */
struct span {
	const char *p;
	size_t len, at;
};

struct locate {
	struct span *v;
	size_t n, cap, at;
	size_t last;                 /* the span the last patch fell in: the next one is usually there too */
	struct machine_snapshot *key;
	bool lost;                   /* a patch outside every block, or out of memory */
};

static bool add_span(struct locate *l, const void *p, size_t len)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct span *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return false;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = (struct span){p, len, l->at};
	l->at += len;
	return true;
}

static bool locate_block(void *ctx, void *p, size_t len)
{
	return add_span(ctx, p, len);
}

static bool locate_stamped(void *ctx, void *p, size_t len, const uint64_t *stamp)
{
	struct locate *l = ctx;

	(void)stamp;
	l->at += sizeof(*stamp);
	return add_span(l, p, len);
}

static bool inside(const struct span *s, const char *f, size_t len)
{
	return f >= s->p && (size_t)(f - s->p) + len <= s->len;
}

static void patch(void *ctx, const void *field, const void *value, size_t len)
{
	struct locate *l = ctx;
	const char *f = field;

	if (!l->n || !inside(&l->v[l->last], f, len)) {
		size_t i = 0;
		while (i < l->n && !inside(&l->v[i], f, len))
			i++;
		if (i == l->n) {
			l->lost = true;   /* a layer named a field no block holds: a bug, said by the caller */
			return;
		}
		l->last = i;
	}
	memcpy(l->key->bytes + l->v[l->last].at + (size_t)(f - l->v[l->last].p), value, len);
}

static bool programs_read_tsc(const struct machine *m)
{
	for (uint32_t i = 0; i < m->cfg->vcpus; i++)
		if (vmx_program_reads_tsc(&m->vcpu[i].l1.prog) || vmx_program_reads_tsc(&m->vcpu[i].l2.prog))
			return true;
	return false;
}

/* The machine's own times, and its stimulus schedule's. */
static void machine_time_shift(const struct machine *m, struct time_shift *t)
{
	time_shift_cycle(t, &m->now);
	if (m->stopped)
		time_shift_cycle(t, &m->stopped_at);
	else
		time_shift_dead(t, &m->stopped_at, sizeof(m->stopped_at));
	time_shift_deadline(t, &m->resume_next, UINT64_MAX);
	/* Read by the machine's callers (machine_last_fired_due), never by the machine. */
	time_shift_dead(t, &m->last_fired_due, sizeof(m->last_fired_due));
	/* Scratch, written before it is read. */
	time_shift_dead(t, m->reason_buf, sizeof(m->reason_buf));
	/*
	 * The trace bus drops events after the run's end (horizon): a key
	 * compares two moments of runs that end alike, and the end is the
	 * caller's to account for.
	 */
	time_shift_dead(t, &m->bus->horizon, sizeof(m->bus->horizon));
	/*
	 * Events dispatched, by kind: figures of the run (vmxsim_result), read
	 * by no monitor or expectation - but the violations', which the end
	 * event carries. An idle loop that changes blocking each turn adds to
	 * them and is still the same state a turn later.
	 */
	for (uint32_t k = 0; k <= TRACE_KIND_COUNT; k++)
		if (k != TRACE_VIOLATION)
			time_shift_dead(t, &m->bus->count[k], sizeof(m->bus->count[k]));
	time_shift_dead(t, &m->bus->reached, sizeof(m->bus->reached));
	/* What every sink ignores: a cache of the sinks' masks, recomputed after a restore (retune). */
	time_shift_dead(t, &m->bus->ignored, sizeof(m->bus->ignored));
	time_shift_dead(t, &m->bus->retune, sizeof(m->bus->retune));
	for (uint32_t i = 0; i < m->nheap; i++) {
		const struct pending *p = &m->heap[i];
		time_shift_cycle(t, &p->time);
		/* Read from the configuration, never from the heap's copy (stimuli.c). */
		time_shift_dead(t, &p->s.at, sizeof(p->s.at));
		if (p->s.period && p->index != UINT32_MAX)
			time_shift_deadline(t, &p->s.until, 0);   /* 0: the run's end */
		else
			time_shift_dead(t, &p->s.until, sizeof(p->s.until));
	}
}

bool machine_shift_key(struct machine *m, struct machine_snapshot *key, const char **why)
{
	struct locate l = {.key = key};
	struct time_shift t = {m->now, m->cfg->run_cycles, patch, &l, NULL};
	bool ok;

	*why = NULL;
	/*
	 * Several vCPUs advance in windows whose sequence a prefix keeps
	 * (resume_next) and `now` does not follow: there is no one moment to
	 * write their times against.
	 */
	if (m->cfg->vcpus != 1) {
		*why = "several vCPUs";
		return false;
	}
	if (programs_read_tsc(m)) {
		*why = "a program reads the TSC: its registers may hold an absolute time";
		return false;
	}
	if (!machine_save(m, key) || !machine_walk_blocks(m, locate_block, locate_stamped, &l) ||
	    !add_span(&l, m->heap, m->nheap * sizeof(*m->heap))) {
		free(l.v);
		*why = "out of memory";
		return false;
	}
	machine_time_shift(m, &t);
	for (uint32_t i = 0; i < m->cfg->vcpus && !t.refused; i++) {
		const struct vcpu *vc = &m->vcpu[i];
		vmx_lp_time_shift(&vc->lp, &t);
		if (vc->l0 && !m->cfg->l0->time_shift)
			time_shift_refuse(&t, "the L0 has not listed its times");
		else if (vc->l0)
			m->cfg->l0->time_shift(vc->l0, &t);
	}
	monitor_summaries_time_shift(m->summaries, &t);
	ok = !t.refused && !l.lost && l.at == key->len;
	if (!ok)
		*why = t.refused ? t.refused : "a time field outside the snapshot's blocks";
	free(l.v);
	return ok;
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t r = a % b;
		a = b;
		b = r;
	}
	return a;
}

uint64_t machine_idle_period(const struct machine *m)
{
	uint64_t p = 1;

	for (uint32_t i = 0; i < m->cfg->vcpus; i++) {
		const struct vcpu *vc = &m->vcpu[i];
		/* Blocked in the host until a stimulus: nothing moves. */
		uint64_t q = vc->blocked ? 1 : vmx_lp_idle_period(&vc->lp);
		if (q == 0)
			return 0;
		p = p / gcd(p, q) * q;
		if (p > UINT32_MAX)
			return 0;
	}
	/*
	 * The VMX-preemption timer counts when bit `rate` of the TSC changes
	 * (vmentry.c): a later moment repeats its phase only after a multiple of
	 * 2^rate cycles, whether or not it is armed now - it may be later.
	 */
	if (m->cfg->cpu.preemption_timer_rate < 32) {
		uint64_t r = 1ull << m->cfg->cpu.preemption_timer_rate;
		p = p / gcd(p, r) * r;
	}
	return p > UINT32_MAX ? 0 : p;
}

