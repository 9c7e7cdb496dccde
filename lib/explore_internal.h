/* SPDX-License-Identifier: Apache-2.0 */
/*
 * explore_internal.h - what the explore files share: the space (its
 * dimensions and units), one judged run, the results of a unit, and the
 * aggregate that becomes the report.
 */
#ifndef VMXSIM_EXPLORE_INTERNAL_H
#define VMXSIM_EXPLORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vmxsim/explore.h"
#include "front/scenario.h"
#include "model/trace/trace.h"

#define EXPLORE_TARGET_UNITS 256u   /* units the space is cut into, at least, when it is large enough */
#define EXPLORE_SAMPLE_UNIT 64u     /* sampled runs per unit, at least */
#define EXPLORE_MAX_UNITS (1u << 20) /* a unit's result is kept until the end: bound their number */
/* A failure's key, "x2,x5,v1": room for every expectation and verdict kind at once. */
#define EXPLORE_KEY_MAX (SCN_MAX_EXPECTS * 6u + 8u * 3u + 1u)

/* One dimension: a variable of the scenario, as values in cycles or alternatives. */
struct explore_dim {
	uint32_t var;            /* index into s->vars */
	uint64_t lo, hi, step;   /* values lo, lo+step, ..., hi */
	uint64_t size;           /* (hi - lo) / step + 1 */
	bool collapses;          /* AT, DELAY: arrival times that give equal runs are run once */
};

/*
 * The space. Dimensions that do not collapse come first (each of their
 * values is its own run), then the arrival times. A unit is one
 * combination of the first kind with one block of the first arrival time;
 * the cut depends only on the scenario, so every --jobs and --shard runs
 * the same runs.
 */
struct explore_space {
	const struct scn_scenario *s;
	struct explore_dim dim[SCN_MAX_VARS];
	uint32_t ndims, nplain;  /* dims [0, nplain) do not collapse */
	bool sample;
	uint64_t runs, seed;     /* sample */
	uint64_t units;
	uint64_t per_unit;       /* sample: runs per unit */
	uint64_t plain_combos;   /* product of the plain dims' sizes */
	uint64_t blocks, block;  /* blocks of the first arrival dim per combination, and their length */
	uint64_t points;         /* raw points in the space (saturated at UINT64_MAX) */
	bool mentioned[8];       /* verdict kinds some expectation names */
	bool reference;          /* run in the reference mode (for the benchmark's ratio) */
	bool plain;              /* every run from cycle 0, no snapshots (vmxsim_explore_options.plain) */
	bool no_shift, verify_shift; /* vmxsim_explore_options */
	/* Called with each point the walk runs (tests watch the walk with it); may be NULL. */
	void (*visit)(void *ctx, const uint64_t *value);
	void *visit_ctx;
};

/* NULL-safe arithmetic that saturates rather than wraps. */
uint64_t explore_mul_sat(uint64_t a, uint64_t b);
/* Make room for element n of a growing array (*cap elements of `size`); false when out of memory. */
bool explore_room_for_one(void **v, uint32_t *cap, uint32_t n, size_t size);
uint64_t explore_add_sat(uint64_t a, uint64_t b);

/* Build the space; false with a message on diag (the scenario's CPU decides cycles). */
bool explore_space_init(struct explore_space *sp, const struct scn_scenario *s, const struct vmxsim_explore_options *o,
                        FILE *diag);
/* The verdict kinds sp->s's expectations name (sp->mentioned). */
void explore_find_mentioned(struct explore_space *sp);
/* Values (one per s->vars) of sampled run i. */
void explore_sample_point(const struct explore_space *sp, uint64_t i, uint64_t *value);
/* Every variable at its first value. */
void explore_first_point(const struct explore_space *sp, uint64_t *value);
/* Is every value within its dimension (a report read back)? */
bool explore_point_in_space(const struct explore_space *sp, const uint64_t *value);
/* Points compare by the sum of their times and lengths, then value by value. */
int explore_point_cmp(const struct explore_space *sp, const uint64_t *a, const uint64_t *b);
/* "at 5201 (line 17), choose sti (line 9)" */
void explore_point_describe(const struct explore_space *sp, const uint64_t *value, const bool *dropped,
                            bool plain_only, char *buf, size_t n);
/* The values of the dims that do not collapse at combination `combo` (unit / blocks, the last dim fastest). */
void explore_combo_point(const struct explore_space *sp, uint64_t combo, uint64_t *value);

/* One judged run. */
struct explore_judged {
	bool bad;                /* the machine refused the point */
	char key[EXPLORE_KEY_MAX]; /* "" when nothing failed */
	uint64_t slack[SCN_MAX_VARS]; /* per dim that collapses, machine_stimulus_slack() */
};

/* The sink that notes the verdict kinds a run gives. */
struct explore_verdicts {
	struct trace_sink base;
	bool seen[8];
};
void explore_verdicts_init(struct explore_verdicts *v);
/* A run's key (EXPLORE_KEY_MAX bytes): its failed expectations, then the verdicts no expectation names. */
void explore_key(const struct explore_space *sp, const bool *failed, const bool *seen, char *key);

/* Run the scenario at one point (value NULL: as written); diag may be NULL. */
void explore_run_point(const struct explore_space *sp, const uint64_t *value, const bool *dropped, FILE *diag,
                       struct explore_judged *out);

/*
 * Branching from snapshots (explore_branch.c): the runs of one unit share
 * their prefix. explore_branches: can this space's runs branch? open: the
 * unit's machine (value: its first point; lo0: the start of its block of
 * the first arrival time), NULL when it cannot be made - then run point by
 * point; `reuse` (or NULL) is the brancher of an earlier unit, whose
 * memory it keeps (on failure it is freed). enter: the walk goes into arrival dim d > nplain with the dims
 * before it at `value` (the prefix they share, saved). run: the run at
 * `value`, judged as explore_run_point judges it; false when it could not
 * branch (run that point from cycle 0).
 */
struct explore_branch;
bool explore_branches(const struct explore_space *sp);
struct explore_branch *explore_branch_open(struct explore_branch *reuse, const struct explore_space *sp,
                                           const uint64_t *value, uint64_t lo0);
bool explore_branch_enter(struct explore_branch *b, uint32_t d, const uint64_t *value);
bool explore_branch_run(struct explore_branch *b, const uint64_t *value, struct explore_judged *out);
uint64_t explore_branch_snapshots(const struct explore_branch *b);
/* The innermost arrival time of value: from an earlier run shifted in time when one stands for it, else run. */
bool explore_branch_judge(struct explore_branch *b, const uint64_t *value, struct explore_judged *out);
void explore_branch_shift_counts(const struct explore_branch *b, uint64_t *shifted, uint64_t *mismatches);
void explore_branch_close(struct explore_branch *b);

/* One kind of failure, within a unit or in the whole report. */
struct explore_failure {
	char *key;               /* allocated */
	uint64_t runs;
	uint64_t least[SCN_MAX_VARS]; /* its smallest point (explore_point_cmp) */
};

/*
 * Where a kind of failure happens, for a space with exactly one arrival
 * time: the times lo..hi (inclusive, whole classes) at one combination of
 * the lengths and choices (the unit's u / blocks).
 */
struct explore_span {
	uint32_t fail;           /* index into the fail[] it sits beside */
	uint64_t combo;
	uint64_t lo, hi;
};

/* Spans, appended in time order per combination; a new one joins the last of its kind when they touch. */
struct explore_spans {
	struct explore_span *v;
	uint32_t n, cap;
};

bool explore_spans_add(struct explore_spans *s, uint32_t fail, uint64_t combo, uint64_t lo, uint64_t hi);

/* Does the space have spans (one arrival time, exhaustive)? */
bool explore_has_spans(const struct explore_space *sp);

struct explore_unit_result {
	bool done;
	bool oom;                /* out of memory: the unit stopped (not done) */
	bool bad;                /* a point the machine refused (the unit stopped there) */
	uint64_t bad_point[SCN_MAX_VARS];
	uint64_t runs, points;
	uint64_t snapshots;      /* states saved to branch from (not in the report: its figures do not depend on it) */
	uint64_t shifted, shift_mismatches; /* vmxsim_explore_totals */
	struct explore_failure *fail;
	uint32_t nfail, capfail;
	struct explore_spans spans;
};

/* Add one run's outcome to a unit (false: out of memory). */
bool explore_unit_add(const struct explore_space *sp, struct explore_unit_result *u, const char *key,
                      const uint64_t *value, uint64_t runs);
void explore_unit_free(struct explore_unit_result *u);

/* Run unit `u` into r; stops between runs when *stop is set (r->done stays false). */
void explore_run_unit(const struct explore_space *sp, uint64_t u, struct explore_unit_result *r,
                      const volatile int *stop);
/* The same, keeping the brancher in *keep for the next unit (a worker's; explore_branch_close it at the end). */
void explore_run_unit_keep(const struct explore_space *sp, uint64_t u, struct explore_unit_result *r,
                           const volatile int *stop, struct explore_branch **keep);

/* Run the units of this shard on o->jobs threads, with a progress bar if asked. */
bool explore_run_units(const struct explore_space *sp, const struct vmxsim_explore_options *o,
                       struct explore_unit_result *units);

/* ---- the report ---- */

/* What every unit adds up to, in unit order. */
struct explore_total {
	uint64_t units_done, runs, points, failing_runs, snapshots, shifted, shift_mismatches;
	struct explore_failure *fail;  /* in the order their keys first appear */
	uint32_t nfail;
	struct explore_spans spans;
	bool bad;                      /* a point the machine refused: the first, in unit order */
	uint64_t bad_point[SCN_MAX_VARS];
};

bool explore_total_add(const struct explore_space *sp, struct explore_total *t, const struct explore_unit_result *u);
void explore_total_free(struct explore_total *t);
/* The public figures of a total (vmxsim_explore_options.totals). */
void explore_totals_fill(const struct explore_total *t, struct vmxsim_explore_totals *out);

/*
 * "expect no nmi_nesting (line 30) fails; the monitor reports lost_event,
 * which no expectation names": a buffer of EXPLORE_DESCRIBE_MAX holds any
 * key; a smaller one gets what fits and " ...".
 */
#define EXPLORE_DESCRIBE_MAX (SCN_MAX_EXPECTS * 320u)
void explore_key_describe(const struct explore_space *sp, const char *key, char *buf, size_t n);

/* The shard report file (docs/explore.md): written atomically, read back for --merge. */
bool explore_report_write(const struct explore_space *sp, const char *path, const char *scenario, uint64_t hash,
                          const struct vmxsim_explore_options *o, const struct explore_unit_result *units, FILE *diag);

/* FNV-1a of the scenario's bytes: a report belongs to the text it was made from. */
uint64_t explore_hash(const char *text, size_t len);
/* The same hash, continued over more bytes (from EXPLORE_HASH_START). */
#define EXPLORE_HASH_START 14695981039346656037ull
uint64_t explore_hash_more(uint64_t h, const char *text, size_t len);

/* What the printed report is about. */
struct explore_report_input {
	const char *scenario, *text;
	size_t len;
	bool complete;           /* every unit of the space (else a shard, or stopped early) */
	bool stopped;
	uint64_t shard_units;    /* units this shard holds */
};

/* Print the report (and write the reproducers of a complete run); the exit status. */
int explore_report_print(const struct explore_space *sp, const struct explore_total *t,
                         const struct explore_report_input *in, const struct vmxsim_explore_options *o, FILE *out,
                         FILE *diag);

/* A scenario file parsed, and its bytes (*text, to free; reproducers are written from them); messages on diag. */
struct scn_scenario *explore_load(const char *path, char **text, size_t *len, FILE *diag);
/* Free what a run of the space holds (any of it may be NULL). */
void explore_release(const struct explore_space *sp, struct explore_unit_result *units, struct explore_total *t,
                     struct scn_scenario *s, char *text);

/* Minimise failure f and write its reproducer; prints its line of the report. */
bool explore_reproduce(const struct explore_space *sp, const char *text, size_t len, const char *scenario,
                       const char *out_dir, uint32_t index, const struct explore_failure *f, FILE *out,
                       FILE *diag);

#endif
