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
};

/* vmxsim_run_scenario with limits (used by robustness tests). */
enum vmxsim_status vmxsim_run_scenario_limited(const struct scn_scenario *s, FILE *trace, enum trace_format format,
                                               FILE *diag, const struct vmxsim_limits *lim,
                                               struct vmxsim_result *res);

/* Monitor verdict kinds a scenario may name in `expect`. */
bool vmxsim_known_verdict(const char *kind);

#ifdef __cplusplus
}
#endif
#endif
