/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmxsim/check.h - golden traces (docs/goldens.md) and trace diffs.
 *
 * A scenario's golden is found from where the scenario lies, not from how
 * its path was spelt: for PROJECT/scenarios/DIR/X.scn (the nearest folder
 * named `scenarios` above the file, symbolic links resolved) it is
 * PROJECT/traces/DIR/X.trace; a scenario outside any `scenarios` folder has
 * its golden beside it, X.trace.
 */
#ifndef VMXSIM_CHECK_H
#define VMXSIM_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vmxsim/export.h"
#include "vmxsim/run.h"
#include "vmxsim/scenario.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The golden of a scenario file, into out (n bytes). False if it does not fit or the file is not there. */
VMXSIM_API bool vmxsim_golden_path(const char *scenario_path, char *out, size_t n);

/* How two traces are compared and their differences printed. */
struct vmxsim_diff_options {
	unsigned context;          /* lines of context around each difference (unified diff) */
	uint64_t cycle_tolerance;  /* events whose cycles differ by at most this are the same event */
	bool color;                /* ANSI colour: removed lines red, added green (vmxsim_check: also failed expectations) */
	const char *label_a;       /* names in the ---/+++ header; NULL: the paths */
	const char *label_b;
};

/*
 * Compare two trace files (text or JSONL traces of vmxsim) as sequences of
 * events: lines are aligned by a longest common subsequence, and an event
 * counts as the same when everything but its cycle is equal and the cycles
 * differ by at most o->cycle_tolerance. Lines that are not events compare
 * as text. The differences go to out as a unified diff.
 * Returns 0 same, 1 different, 2 a file could not be read (message on diag).
 */
VMXSIM_API int vmxsim_diff_files(const char *a, const char *b, const struct vmxsim_diff_options *o, FILE *out,
                                 FILE *diag);

enum vmxsim_golden {
	VMXSIM_GOLDEN_SAME,
	VMXSIM_GOLDEN_DIFFERS,
	VMXSIM_GOLDEN_MISSING,
	VMXSIM_GOLDEN_WRITTEN,     /* bless: the golden was created or rewritten */
};

struct vmxsim_check_options {
	const char *golden;        /* NULL: vmxsim_golden_path() of the scenario's file */
	/*
	 * Where this run's text trace is kept: always written there when set
	 * (replaced atomically); when NULL, written to GOLDEN.actual on a
	 * difference only, and a stale GOLDEN.actual is removed when they agree.
	 */
	const char *keep;
	bool bless;                /* write the run as the golden (the caller refuses this under CI) */
	bool reference;            /* reference stepping (vmxsim_run_options.reference) */
	struct vmxsim_diff_options diff; /* how a difference is printed on diag */
	bool no_diff;              /* print no diff, only that they differ */
	FILE *diag;                /* messages, the diff; NULL: stderr */
	/* As in vmxsim_run_options: stop when *interrupt is set; the size limit of the run's trace; progress. */
	const volatile sig_atomic_t *interrupt;
	uint64_t max_trace_bytes;
	bool progress;
};

struct vmxsim_check_result {
	struct vmxsim_result run;
	enum vmxsim_golden golden;
	char golden_path[4096];    /* the golden compared with */
	char actual_path[4200];    /* where this run's trace was kept; "" if nowhere */
	bool golden_only_read;     /* the golden is a pipe, device or terminal: nothing is kept or blessed there */
};

/*
 * Run scenario s (loaded from a file: its name is the path) and compare
 * its text trace with the golden. VMXSIM_FAILED when an expectation failed
 * or the golden differs or is missing (and not blessed).
 */
VMXSIM_API enum vmxsim_status vmxsim_check(const struct vmxsim_scenario *s, const struct vmxsim_check_options *o,
                                           struct vmxsim_check_result *res);

/* True when the environment says goldens may not be rewritten: CI set to anything but "", "0" or "false". */
VMXSIM_API bool vmxsim_ci_forbids_bless(void);

#ifdef __cplusplus
}
#endif
#endif
