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

struct explore_branch {
	const struct explore_space *sp;
	struct run_handle *h;
	struct explore_verdicts vs;
	uint32_t nlevels;        /* levels[0] is the machine as built */
	struct explore_level level[SCN_MAX_VARS + 2];
	uint64_t snapshots;
};

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
	}
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
	return save_level(b, &b->level[k], d, false);
}

bool explore_branch_run(struct explore_branch *b, const uint64_t *value, struct explore_judged *out)
{
	const struct explore_space *sp = b->sp;
	const struct scn_scenario *s = sp->s;
	struct machine *m = run_handle_machine(b->h);
	bool failed[SCN_MAX_EXPECTS];

	memset(out, 0, sizeof(*out));
	if (!branch_from(b, b->nlevels, value, sp->ndims))
		return false;
	machine_run_until(m, run_handle_config(b->h)->run_cycles);
	for (uint32_t j = sp->nplain; j < sp->ndims; j++)
		out->slack[j] = run_handle_stimulus_slack(b->h, s->vars[sp->dim[j].var].stimulus);
	run_handle_judge(b->h, failed);
	explore_key(sp, failed, b->vs.seen, out->key);
	return true;
}
