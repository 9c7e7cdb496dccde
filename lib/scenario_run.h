/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scenario_run.h - from a parsed scenario to a finished run: build the
 * machine description, attach the trace writer and the expectation checker,
 * run, and judge.
 */
#ifndef VMXSIM_SCENARIO_RUN_H
#define VMXSIM_SCENARIO_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "front/scenario.h"
#include "vmxsim/run.h"
#include "model/trace/trace.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Run scenario s. The trace goes to `trace` in `format` (NULL: no trace).
 * Messages - `file:line:col: ...` for input the machine rejects, one line
 * per failed expectation - go to `diag`.
 */
enum vmxsim_status run_scenario(const struct scn_scenario *s, FILE *trace, enum trace_format format,
                                       FILE *diag, struct vmxsim_result *res);

/*
 * One point of a scenario's exploration space (front/scenario.h, struct
 * scn_var): a value for each of s->vars - cycles for AT, DELAY and WORK,
 * the index of the alternative for CHOICE - and the stimuli left out.
 */
struct run_point {
	const uint64_t *value;   /* s->nvars entries */
	const bool *dropped;     /* s->nstimuli entries, or NULL: none */
};

/* Limits a caller may put on a run (0: none). */
struct run_limits {
	uint64_t max_cycles;     /* run at most this long, whatever the scenario says */
	bool reference;          /* reference stepping (machine_config.reference_stepping) */
	const struct run_point *point; /* NULL: every variable at its first value */
};

/* run_scenario with limits (used by robustness tests). */
enum vmxsim_status run_scenario_limited(const struct scn_scenario *s, FILE *trace, enum trace_format format,
                                               FILE *diag, const struct run_limits *lim,
                                               struct vmxsim_result *res);

/*
 * Embedding: a scenario built into a machine that the caller runs
 * (machine_run_until, machine_raise, machine_finish in
 * model/machine/machine.h), with the trace writer and the expectation
 * checker already on its bus. run_scenario_limited() is open,
 * machine_run(), close.
 */
struct run_handle;
struct machine;
struct machine_config;

enum run_open_flags {
	RUN_OPEN_NO_STIMULI = 1u << 0,   /* check the scenario's stimuli but leave them out */
	RUN_OPEN_WARN_COST = 1u << 1,    /* warn on diag of periodic stimuli that make the run long (RUN_WARN_FIRINGS) */
	/*
	 * The run is judged by its verdicts and expectations alone (an
	 * exploration's): unless an expectation reads `summary` events, the
	 * latency monitors keep no histograms (machine_config.no_latency_histograms).
	 */
	RUN_OPEN_VERDICTS_ONLY = 1u << 2,
};

/*
 * Periodic stimuli that fire more often than this in one run draw a
 * warning (RUN_OPEN_WARN_COST): a run costs about a microsecond per event,
 * so 10^7 firings are minutes, and their trace gigabytes.
 */
#define RUN_WARN_FIRINGS 10000000ull

/*
 * NULL (messages on diag, as run_scenario gives them) when the
 * scenario cannot be run. `s`, `trace` and `diag` must outlive the handle;
 * lim may be NULL.
 */
struct run_handle *run_open(const struct scn_scenario *s, FILE *trace, enum trace_format format,
                                           FILE *diag, const struct run_limits *lim, unsigned flags);
struct machine *run_handle_machine(struct run_handle *h);
/* From now on no messages: failed expectations are only counted (explore). */
void run_handle_quiet(struct run_handle *h);
/* Failed expectations are reported in colour (vmxsim_run_options.color). */
void run_handle_color(struct run_handle *h);
/* The machine's description: cpu.tsc_hz, run_cycles, vcpus, ... */
const struct machine_config *run_handle_config(const struct run_handle *h);
/*
 * One more sink on the run's bus, after the writer and the checker (for
 * figures computed from the run, such as vmxsim stat's); it must outlive the
 * handle's run. False if the bus has no room.
 */
bool run_handle_attach(struct run_handle *h, struct trace_sink *sink);
/* Bytes of trace the writer holds in memory, not yet in the file (trace_sink.held). */
uint64_t run_handle_trace_held(const struct run_handle *h);
/*
 * Finish the run (what is left of it runs without further stimuli from
 * outside), judge the expectations, fill res (may be NULL) and free the
 * handle. The trace is complete when this returns; `trace` stays open.
 */
enum vmxsim_status run_close(struct run_handle *h, struct vmxsim_result *res);

/*
 * run_close, and failed_each[i] says whether expectation i of
 * the scenario failed (s->nexpects entries). diag may have been NULL.
 */
enum vmxsim_status run_close_each(struct run_handle *h, struct vmxsim_result *res,
                                              bool *failed_each);

/*
 * For exploration, after the run: how many cycles later stimulus `stim`
 * (an index into s->stimuli) could have arrived and left the run as it is,
 * apart from the arrival's own time in the trace
 * (machine_stimulus_slack()). UINT64_MAX when it never arrived or was left
 * out; 0 when the machine cannot tell.
 */
uint64_t run_handle_stimulus_slack(const struct run_handle *h, size_t stim);
/* Events some sink received so far (trace_bus_reached). */
uint64_t run_handle_events_reached(const struct run_handle *h);

/*
 * Snapshots of a run (model/machine/snapshot.c): the machine and the
 * expectation checker, put back in place into this handle. The sinks a
 * caller attached are its own to save. A run that writes a trace is not
 * saved (false): the writer cannot take back what it wrote.
 */
struct machine_snapshot;
bool run_handle_save(struct run_handle *h, struct machine_snapshot *s);
bool run_handle_restore(struct run_handle *h, const struct machine_snapshot *s);
/* Stimulus `stim` (an index into s->stimuli; `at`, not yet arrived) comes due at `at` (machine_retime). */
bool run_handle_retime(struct run_handle *h, size_t stim, uint64_t at);
/*
 * The state now, machine and expectation checker, as a key whose times are
 * relative to now (machine_shift_key): equal keys at two moments of a run
 * mean the same state, later. False, with *why, where there is none (a
 * trace is written, an expectation names an absolute time, or the machine
 * has none).
 */
bool run_handle_shift_key(struct run_handle *h, struct machine_snapshot *key, const char **why);
/*
 * Finish the run and judge it, without freeing the handle (a snapshot can
 * put it back): failed_each[i] for expectation i, as run_close_each gives
 * it. No messages.
 */
void run_handle_judge(struct run_handle *h, bool *failed_each);

/* Monitor verdict kinds a scenario may name in `expect`. */
bool verdict_known(const char *kind);
/* The i-th verdict kind, NULL past the end; and the index of a kind, -1 if unknown. */
const char *verdict_kind_at(size_t i);
int verdict_index(const char *kind);

#ifdef __cplusplus
}
#endif
#endif
