/* SPDX-License-Identifier: Apache-2.0 */
/*
 * explore_branch.c - the runs of a unit branched from snapshots instead of
 * each run from cycle 0.
 *
 * Within a unit the lengths and choices are fixed; only arrival times
 * (`at` ranges) vary. Every run of the unit is the same machine up to the
 * earliest moment a varying stimulus can arrive, so that prefix is run
 * once and saved (model/machine/snapshot.c); every run of the unit starts
 * from the saved state with its own arrival times put on the schedule
 * (machine_retime). This nests: with the first arrival time at t, the runs
 * that differ only in the later arrival times share the prefix up to the
 * earliest of those, saved as the next level, and so on per dimension.
 *
 * When a saved state serves a run. Its prefix was run with the varying
 * stimuli off the schedule, up to about the target cycle
 * (machine_run_prefix); the processors may have gone a little past it -
 * the VM exit and root software they were in finish - up to `clock`
 * (machine_clock_reached). Everything the prefix did happened by
 * `clock`, so for a run whose varying stimuli all come due after
 * `clock` the prefix is exactly what that run does first; a run with one
 * due at or before `clock` starts from a shallower level instead (level 0
 * is the machine as built, before any cycle ran, which serves every run).
 * So each run is the run the plain walk makes (vmxsim explore --plain),
 * and the report is the same byte for byte; ctests hold the two walks
 * equal by brute force (tests/unit/test_explore_branch.cc).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/explore_internal.h"
#include "lib/scenario_run.h"
#include "model/machine/machine.h"

/* One saved state: the dims from `parked` on are off the schedule, those before it at the walk's values. */
struct explore_level {
	struct machine_snapshot snap;
	uint32_t parked;
	bool fresh;              /* before any cycle ran: serves every run */
	uint64_t clock;          /* the latest cycle a processor reached */
	bool seen[8];            /* the verdict sink's state */
};

/* A run of the innermost level's first period, kept for the runs it stands for P, 2P, ... later. */
#define EXPLORE_SHIFT_MAX_K 4096u   /* periods a base stands for at most (its moments are kept on the stack) */
#define EXPLORE_SHIFT_MAX_PERIOD 65536u /* bases kept at most: 16 bytes and 8 per arrival dim each, per worker */
struct shift_base {
	bool have;
	uint32_t key;            /* index into explore_branch.keys */
	uint64_t kmax;           /* it stands for the runs k * period later, k = 1..kmax */
};

struct explore_branch {
	const struct explore_space *sp;
	struct run_handle *h;
	struct explore_verdicts vs;
	uint32_t nlevels;        /* levels[0] is the machine as built */
	struct explore_level level[SCN_MAX_VARS + 2];
	uint64_t snapshots;
	/*
	 * Shifted runs (see "Shifted runs" below): the innermost level's period
	 * (0: none found), the first arrival time its bases count from, their
	 * runs and slacks (nat per base: the arrival dims), and the keys.
	 */
	uint64_t period, shift_lo;
	struct shift_base *base;
	uint64_t *base_slack;
	uint32_t nat, capbase;
	char **keys;
	uint32_t nkeys, capkeys;
	struct machine_snapshot key0, key1;
	uint64_t shifted, mismatches;
};

static void forget_keys(struct explore_branch *b);
static void find_period(struct explore_branch *b, const struct explore_level *l);

/* Can every run of the space branch? Only `at` times vary within a unit; not in the plain walk or a sample. */
bool explore_branches(const struct explore_space *sp)
{
	if (sp->plain || sp->sample)
		return false;
	for (uint32_t d = sp->nplain; d < sp->ndims; d++)
		if (sp->s->vars[sp->dim[d].var].kind != SCN_VAR_AT)
			return false;
	return true;
}

static size_t stim_of(const struct explore_space *sp, uint32_t d)
{
	return sp->s->vars[sp->dim[d].var].stimulus;
}

static bool save_level(struct explore_branch *b, struct explore_level *l, uint32_t parked, bool fresh)
{
	l->parked = parked;
	l->fresh = fresh;
	l->clock = machine_clock_reached(run_handle_machine(b->h));
	memcpy(l->seen, b->vs.seen, sizeof(l->seen));
	b->snapshots++;
	return run_handle_save(b->h, &l->snap);
}

/* Does level l serve the run whose dims [l->parked, upto) take `value`? */
static bool serves(const struct explore_branch *b, const struct explore_level *l, const uint64_t *value, uint32_t upto)
{
	if (l->fresh)
		return true;
	for (uint32_t d = l->parked; d < upto; d++)
		if (value[b->sp->dim[d].var] <= l->clock)
			return false;
	return true;
}

/* Back to the deepest level (of the first n) that serves dims up to `upto`, with them put on the schedule. */
static bool branch_from(struct explore_branch *b, uint32_t n, const uint64_t *value, uint32_t upto)
{
	const struct explore_level *l = &b->level[0];

	for (uint32_t k = n; k-- > 0;)
		if (serves(b, &b->level[k], value, upto)) {
			l = &b->level[k];
			break;
		}
	if (!run_handle_restore(b->h, &l->snap))
		return false;
	memcpy(b->vs.seen, l->seen, sizeof(l->seen));
	for (uint32_t d = l->parked; d < upto; d++)
		if (!run_handle_retime(b->h, stim_of(b->sp, d), value[b->sp->dim[d].var]))
			return false;
	return true;
}

/* The earliest time a dim from d on is walked from. */
static uint64_t earliest(const struct explore_space *sp, uint32_t d, uint64_t lo0)
{
	uint64_t t = UINT64_MAX;

	for (uint32_t e = d; e < sp->ndims; e++) {
		uint64_t lo = e == sp->nplain ? lo0 : sp->dim[e].lo;
		if (lo < t)
			t = lo;
	}
	return t;
}

struct explore_branch *explore_branch_open(struct explore_branch *b, const struct explore_space *sp,
                                           const uint64_t *value, uint64_t lo0)
{
	struct run_point pt = {value, NULL};
	struct run_limits lim = {0, sp->reference, &pt};

	/* A brancher of an earlier unit keeps its snapshots' memory: a unit's runs are few, its pages many. */
	if (b) {
		if (b->h)
			run_close(b->h, NULL);
		b->h = NULL;
	} else {
		if (!(b = calloc(1, sizeof(*b))))
			return NULL;
		for (uint32_t k = 0; k < SCN_MAX_VARS + 2; k++)
			machine_snapshot_init(&b->level[k].snap);
		machine_snapshot_init(&b->key0);
		machine_snapshot_init(&b->key1);
	}
	b->period = 0;
	b->shifted = b->mismatches = 0;
	b->sp = sp;
	b->snapshots = 0;
	b->nlevels = 0;
	explore_verdicts_init(&b->vs);
	b->h = run_open(sp->s, NULL, TRACE_FORMAT_TEXT, NULL, &lim, RUN_OPEN_VERDICTS_ONLY);
	if (!b->h || !run_handle_attach(b->h, &b->vs.base))
		goto fail;
	run_handle_quiet(b->h);
	for (uint32_t d = sp->nplain; d < sp->ndims; d++)
		if (!run_handle_retime(b->h, stim_of(sp, d), UINT64_MAX))
			goto fail;
	if (!save_level(b, &b->level[0], sp->nplain, true))
		goto fail;
	/* The prefix every run of the unit shares. */
	machine_run_prefix(run_handle_machine(b->h), earliest(sp, sp->nplain, lo0));
	if (!save_level(b, &b->level[1], sp->nplain, false))
		goto fail;
	b->nlevels = 2;
	return b;
fail:
	explore_branch_close(b);
	return NULL;
}

void explore_branch_close(struct explore_branch *b)
{
	if (!b)
		return;
	if (b->h)
		run_close(b->h, NULL);
	for (uint32_t k = 0; k < SCN_MAX_VARS + 2; k++)
		machine_snapshot_release(&b->level[k].snap);
	machine_snapshot_release(&b->key0);
	machine_snapshot_release(&b->key1);
	forget_keys(b);
	free(b->keys);
	free(b->base);
	free(b->base_slack);
	free(b);
}

uint64_t explore_branch_snapshots(const struct explore_branch *b)
{
	return b->snapshots;
}

bool explore_branch_enter(struct explore_branch *b, uint32_t d, const uint64_t *value)
{
	const struct explore_space *sp = b->sp;
	/* Level of dim d: levels[0..1] park dims from nplain; dim d > nplain gets level d - nplain + 1. */
	uint32_t k = d - sp->nplain + 1;

	if (d == sp->nplain)
		return true;
	if (!branch_from(b, k, value, d))
		return false;
	machine_run_prefix(run_handle_machine(b->h), earliest(sp, d, 0));
	b->nlevels = k + 1;
	if (!save_level(b, &b->level[k], d, false))
		return false;
	if (d + 1 == sp->ndims)
		find_period(b, &b->level[k]);
	return true;
}

/* The walk's outcome of a run that has reached its end: the slacks, the key. */
static void judge_run(struct explore_branch *b, struct explore_judged *out)
{
	const struct explore_space *sp = b->sp;
	bool failed[SCN_MAX_EXPECTS];

	for (uint32_t j = sp->nplain; j < sp->ndims; j++)
		out->slack[j] = run_handle_stimulus_slack(b->h, sp->s->vars[sp->dim[j].var].stimulus);
	run_handle_judge(b->h, failed);
	explore_key(sp, failed, b->vs.seen, out->key);
}

bool explore_branch_run(struct explore_branch *b, const uint64_t *value, struct explore_judged *out)
{
	memset(out, 0, sizeof(*out));
	if (!branch_from(b, b->nlevels, value, b->sp->ndims))
		return false;
	machine_run_until(run_handle_machine(b->h), run_handle_config(b->h)->run_cycles);
	judge_run(b, out);
	return true;
}

/*
 * Shifted runs. Within the innermost level only the last arrival time t
 * varies. When the level's state at its cycle c and the state P cycles
 * later - the innermost stimulus still off the schedule - have equal keys
 * (run_handle_shift_key: the same state with every time relative to now),
 * the machine left alone repeats every P cycles, and the run with the
 * stimulus at t + kP is the run with it at t, kP cycles later: the same
 * events, the same verdicts, the same slack - up to the end, which comes
 * kP cycles earlier for it. So the run at t + kP has the outcome the run
 * at t would have with its end kP cycles sooner. That is the outcome at
 * the real end when nothing happened in between: run_base's quiet check
 * from q = end - kmax * P on. The runs of the first period [lo, lo + P) are
 * simulated (each at most once, when the walk first needs it); every later
 * one within reach of a quiet base is taken from it, with the slack the end
 * cuts shorter. The key is kept only where every time of the state is
 * listed (machine_shift_key); a run the key cannot vouch for is simulated.
 */
static void forget_keys(struct explore_branch *b)
{
	for (uint32_t i = 0; i < b->nkeys; i++)
		free(b->keys[i]);
	b->nkeys = 0;
}

/* Room for p bases of nat arrival dims each; false when out of memory. */
static bool base_room(struct explore_branch *b, uint64_t p, uint32_t nat)
{
	if (p > b->capbase || nat > b->nat) {
		struct shift_base *v = realloc(b->base, p * sizeof(*v));
		uint64_t *sl;
		if (!v)
			return false;
		b->base = v;
		b->capbase = 0;   /* until both fit */
		if (!(sl = realloc(b->base_slack, p * nat * sizeof(*sl))))
			return false;
		b->base_slack = sl;
		b->capbase = (uint32_t)p;
		b->nat = nat;
	}
	return true;
}

/*
 * The period of the innermost level, if its machine has one: tried from
 * where the processors are (the prefix may have left them past its
 * target, finishing an exit) and, while something still happens - the
 * last NMI's handler, KVM's windows - again after waits that double, while
 * two periods still fit in the range. The runs that arrive before the
 * moment found are simulated.
 */
static void find_period(struct explore_branch *b, const struct explore_level *l)
{
	const struct explore_space *sp = b->sp;
	const struct explore_dim *dim = &sp->dim[sp->ndims - 1];
	struct machine *m = run_handle_machine(b->h);
	/* Only arrivals before the end can fire: the last one a shifted run may have (the range may go past the end). */
	const uint64_t end = run_handle_config(b->h)->run_cycles, top = dim->hi < end ? dim->hi : end - 1;
	uint64_t p, now;
	const char *why;

	b->period = 0;
	forget_keys(b);
	if (sp->no_shift || dim->step != 1 || end == 0 || l->clock >= top)
		return;
	machine_run_until(m, l->clock);
	for (uint64_t wait = 0;; wait = wait ? 2 * wait : p ? p : 64) {
		uint64_t from;
		if (wait)
			machine_run_until(m, machine_now(m) + wait);
		now = machine_now(m);
		p = machine_idle_period(m);
		/* Arrivals after the processor's clock: one before it would have been taken as it finished its step. */
		from = dim->lo > machine_clock_reached(m) ? dim->lo : machine_clock_reached(m) + 1;
		/* The machine goes no further than the end: past it, or too close to the top for two periods, give up. */
		if (now >= top || from > top || (p && (p > (top - from) / 2 || p > EXPLORE_SHIFT_MAX_PERIOD)))
			return;
		if (!p)
			continue;
		if (!run_handle_shift_key(b->h, &b->key0, &why))
			return;
		machine_run_until(m, now + p);
		if (machine_now(m) != now + p || !run_handle_shift_key(b->h, &b->key1, &why))
			return;
		if (b->key0.len == b->key1.len && !memcmp(b->key0.bytes, b->key1.bytes, b->key0.len)) {
			/* A multiple of a period is one: few enough periods in the range for a base to stand for all. */
			while ((top - from) / p > EXPLORE_SHIFT_MAX_K && 2 * p <= EXPLORE_SHIFT_MAX_PERIOD)
				p *= 2;
			if (!base_room(b, p, sp->ndims - sp->nplain))
				return;   /* out of memory: every run simulated */
			memset(b->base, 0, p * sizeof(*b->base));
			b->period = p;
			/* Arrivals from `from` on pass through the state key0 was taken of. */
			b->shift_lo = from;
			return;
		}
	}
}

static bool intern_key(struct explore_branch *b, const char *key, uint32_t *id)
{
	for (uint32_t i = 0; i < b->nkeys; i++)
		if (!strcmp(b->keys[i], key)) {
			*id = i;
			return true;
		}
	if (!explore_room_for_one((void **)&b->keys, &b->capkeys, b->nkeys, sizeof(*b->keys)))
		return false;
	if (!(b->keys[b->nkeys] = malloc(strlen(key) + 1)))
		return false;
	memcpy(b->keys[b->nkeys], key, strlen(key) + 1);
	*id = b->nkeys++;
	return true;
}

/*
 * Simulate base i (arrival shift_lo + i), out its own outcome, and keep
 * what it stands for: the runs k periods later for every k up to the
 * largest whose moment q = end - kP the run was quiet from. Quiet: stopped
 * at q, the innermost stimulus had arrived, the processor had not passed q
 * (an event past q would be dropped by a run ending at q) and no stimulus
 * due at q had fired (a run ending at q never fires it), no event reached
 * a sink from there to the end (every monitor, expectation
 * and verdict learns only through the events it receives:
 * trace_bus_reached), and no host NMI waits at the end (the one verdict
 * judged against the end's cycle). Ending the run anywhere from q on then
 * gives the same outcome.
 */
static bool run_base(struct explore_branch *b, const uint64_t *value, uint64_t i, struct explore_judged *out)
{
	const struct explore_space *sp = b->sp;
	const struct explore_dim *dim = &sp->dim[sp->ndims - 1];
	const size_t x = sp->s->vars[dim->var].stimulus;
	struct machine *m = run_handle_machine(b->h);
	uint64_t v[SCN_MAX_VARS], t = b->shift_lo + i, end = run_handle_config(b->h)->run_cycles;
	uint64_t k = (dim->hi - t) / b->period, reached[EXPLORE_SHIFT_MAX_K + 1];
	bool ok[EXPLORE_SHIFT_MAX_K + 1];
	struct shift_base *e = &b->base[i];

	memcpy(v, value, sp->s->nvars * sizeof(*v));
	v[dim->var] = t;
	if (k > EXPLORE_SHIFT_MAX_K)
		k = EXPLORE_SHIFT_MAX_K;
	while (k && end - t <= k * b->period)
		k--;   /* a quiet stretch starts after the arrival */
	memset(out, 0, sizeof(*out));
	if (!branch_from(b, b->nlevels, v, sp->ndims))
		return false;
	for (uint64_t j = k; j > 0; j--) {
		uint64_t q = end - j * b->period;
		machine_run_until(m, q);
		reached[j] = run_handle_events_reached(b->h);
		ok[j] = machine_clock_reached(m) <= q && machine_last_fired_due(m) < q &&
		        run_handle_stimulus_slack(b->h, x) != UINT64_MAX;
	}
	machine_run_until(m, end);
	e->have = true;
	e->kmax = 0;
	if (!machine_end_judged_by_time(m))
		for (uint64_t j = k; j > 0 && !e->kmax; j--)
			if (ok[j] && reached[j] == run_handle_events_reached(b->h))
				e->kmax = j;
	judge_run(b, out);
	if (e->kmax && !intern_key(b, out->key, &e->key))
		e->kmax = 0;
	memcpy(&b->base_slack[i * b->nat], &out->slack[sp->nplain], b->nat * sizeof(*out->slack));
	return true;
}

bool explore_branch_judge(struct explore_branch *b, const uint64_t *value, struct explore_judged *out)
{
	const struct explore_space *sp = b->sp;
	const struct explore_dim *dim = &sp->dim[sp->ndims - 1];
	uint64_t t = value[dim->var], end = run_handle_config(b->h)->run_cycles, off, i, k;
	const struct shift_base *e;

	if (!b->period || t < b->shift_lo)
		return explore_branch_run(b, value, out);
	off = t - b->shift_lo;
	i = off % b->period;
	k = off / b->period;
	if (k == 0)
		return run_base(b, value, i, out);
	if (!b->base[i].have && !run_base(b, value, i, out))
		return false;
	e = &b->base[i];
	if (k > e->kmax)
		return explore_branch_run(b, value, out);
	memset(out, 0, sizeof(*out));
	snprintf(out->key, sizeof(out->key), "%s", b->keys[e->key]);
	memcpy(&out->slack[sp->nplain], &b->base_slack[i * b->nat], b->nat * sizeof(*out->slack));
	/* The end comes k periods sooner for the base: it may cut the innermost slack shorter. */
	if (out->slack[sp->ndims - 1] > end - 1 - t)
		out->slack[sp->ndims - 1] = end - 1 - t;
	b->shifted++;
	if (sp->verify_shift) {
		struct explore_judged real;
		if (!explore_branch_run(b, value, &real))
			return false;
		if (strcmp(real.key, out->key) ||
		    memcmp(&real.slack[sp->nplain], &out->slack[sp->nplain], b->nat * sizeof(*out->slack))) {
			b->mismatches++;
			*out = real;
		}
	}
	return true;
}

void explore_branch_shift_counts(const struct explore_branch *b, uint64_t *shifted, uint64_t *mismatches)
{
	*shifted = b->shifted;
	*mismatches = b->mismatches;
}
