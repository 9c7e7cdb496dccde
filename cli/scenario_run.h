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
#include "model/trace/trace.h"

#ifdef __cplusplus
extern "C" {
#endif

enum vmxsim_status {
	VMXSIM_OK = 0,           /* every expectation held */
	VMXSIM_FAILED = 1,       /* an expectation failed (or a golden differs) */
	VMXSIM_BAD_INPUT = 2,    /* the scenario cannot be run as written */
};

struct vmxsim_result {
	enum vmxsim_status status;
	uint64_t cycles;         /* length of the run */
	uint64_t exits, entries, injections, deliveries, violations, events;
	uint32_t expects, expects_failed;
	bool trace_error;        /* writing the trace failed */
};

/*
 * Run scenario s. The trace goes to `trace` in `format` (NULL: no trace).
 * Messages - `file:line:col: ...` for input the machine rejects, one line
 * per failed expectation - go to `diag`.
 */
enum vmxsim_status vmxsim_run_scenario(const struct scn_scenario *s, FILE *trace, enum trace_format format,
                                       FILE *diag, struct vmxsim_result *res);

/* Limits a caller may put on a run (0: none). */
struct vmxsim_limits {
	uint64_t max_cycles;     /* run at most this long, whatever the scenario says */
	bool reference;          /* reference stepping (machine_config.reference_stepping) */
};

/* vmxsim_run_scenario with limits (used by robustness tests). */
enum vmxsim_status vmxsim_run_scenario_limited(const struct scn_scenario *s, FILE *trace, enum trace_format format,
                                               FILE *diag, const struct vmxsim_limits *lim,
                                               struct vmxsim_result *res);

/*
 * Embedding: a scenario built into a machine that the caller runs
 * (machine_run_until, machine_raise, machine_finish in
 * model/machine/machine.h), with the trace writer and the expectation
 * checker already on its bus. vmxsim_run_scenario_limited() is open,
 * machine_run(), close.
 */
struct vmxsim_handle;
struct machine;
struct machine_config;

enum vmxsim_open_flags {
	VMXSIM_OPEN_NO_STIMULI = 1u << 0,   /* check the scenario's stimuli but leave them out */
};

/*
 * NULL (messages on diag, as vmxsim_run_scenario gives them) when the
 * scenario cannot be run. `s`, `trace` and `diag` must outlive the handle;
 * lim may be NULL.
 */
struct vmxsim_handle *vmxsim_open_scenario(const struct scn_scenario *s, FILE *trace, enum trace_format format,
                                           FILE *diag, const struct vmxsim_limits *lim, unsigned flags);
struct machine *vmxsim_handle_machine(struct vmxsim_handle *h);
/* The machine's description: cpu.tsc_hz, run_cycles, vcpus, ... */
const struct machine_config *vmxsim_handle_config(const struct vmxsim_handle *h);
/*
 * One more sink on the run's bus, after the writer and the checker (for
 * figures computed from the run, such as vmxsim stat's); it must outlive the
 * handle's run. False if the bus has no room.
 */
bool vmxsim_handle_attach(struct vmxsim_handle *h, struct trace_sink *sink);
/*
 * Finish the run (what is left of it runs without further stimuli from
 * outside), judge the expectations, fill res (may be NULL) and free the
 * handle. The trace is complete when this returns; `trace` stays open.
 */
enum vmxsim_status vmxsim_close_scenario(struct vmxsim_handle *h, struct vmxsim_result *res);

/* Monitor verdict kinds a scenario may name in `expect`. */
bool vmxsim_known_verdict(const char *kind);

#ifdef __cplusplus
}
#endif
#endif
