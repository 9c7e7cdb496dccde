/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmxsim/explore.h - run a scenario at every point of the space its ranges
 * and choices span (`at 5000..9000`, `work 100..900`, `choose a | b`), or
 * at a seeded sample of it; judge each run by the expectations and the
 * monitors; write each kind of failure as a minimised scenario that
 * reproduces it (docs/explore.md).
 */
#ifndef VMXSIM_EXPLORE_H
#define VMXSIM_EXPLORE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vmxsim/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What an exploration covered, for a caller that wants figures rather than the report's text. */
struct vmxsim_explore_totals {
	uint64_t points;         /* points of the space covered (a sample's size, or the whole space) */
	uint64_t runs;           /* runs made: equal arrival times are run once (docs/explore.md) */
	uint64_t failing_runs;   /* runs that failed */
	uint32_t kinds;          /* distinct kinds of failure */
	uint64_t snapshots;      /* machine states saved to branch runs from (0 in the plain walk) */
	uint64_t shifted;        /* runs not simulated: an earlier run's outcome, later (docs/explore.md) */
	uint64_t shift_mismatches; /* verify_shift: shifted runs whose own run disagreed (a bug: the exploration fails) */
};

struct vmxsim_explore_options {
	uint64_t runs;           /* 0: the whole space; else this many sampled points */
	uint64_t seed;           /* sampling */
	unsigned jobs;           /* worker threads (0: 1); the report does not depend on it */
	unsigned shard, shards;  /* run units u with u % shards == shard - 1 (0/0: all) */
	const char *report;      /* write the shard report here (NULL: none) */
	const char *out_dir;     /* reproducers go here (NULL: the current directory) */
	bool repro;              /* minimise and write reproducers (not for a shard) */
	bool progress;           /* progress bar on diag */
	const volatile int *stop;/* set (by a signal handler) to stop early; may be NULL */
	bool reference;          /* every run in the reference mode (slow; for measuring the fast mode) */
	struct vmxsim_explore_totals *totals; /* filled at the end when not NULL */
	/*
	 * Every run from cycle 0, as explore did before it branched runs from
	 * snapshots (docs/explore.md): the same report, slower; for measuring
	 * and for checking the branching.
	 */
	bool plain;
	/*
	 * Branch, but simulate every run: no outcome is taken from an earlier
	 * run shifted in time (docs/explore.md "Shifted runs"). The same report;
	 * for measuring and for checking.
	 */
	bool no_shift;
	/* Take shifted outcomes, and also run each of them and compare (slow; for the tests). */
	bool verify_shift;
};

/*
 * Explore the scenario file at `scenario`; the report goes to out,
 * messages to diag. Returns the vmxsim exit status: 0 nothing failed,
 * 1 a failure found, 2 bad input, 130 stopped through o->stop.
 */
VMXSIM_API int vmxsim_explore(const char *scenario, const struct vmxsim_explore_options *o, FILE *out, FILE *diag);

/* Merge the shard reports of one exploration into the report of the whole (and its reproducers). */
VMXSIM_API int vmxsim_explore_merge(const char *const *reports, unsigned n, const struct vmxsim_explore_options *o,
                                    FILE *out, FILE *diag);

#ifdef __cplusplus
}
#endif
#endif
