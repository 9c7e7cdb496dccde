/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stat.h - `vmxsim stat`: a `perf kvm stat report` of one run.
 *
 * A sink on the run's bus pairs each VM exit with the next VM entry of the
 * same vCPU, as perf pairs kvm_exit with the next kvm_entry, and keeps per
 * exit reason the count and the min, max and sum of the cycles in between.
 * Memory grows with the number of distinct exit reasons and vCPUs, never
 * with the length of the run.
 */
#ifndef VMXSIM_LIB_STAT_H
#define VMXSIM_LIB_STAT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/scenario_run.h"
#include "front/scenario.h"
#include "model/trace/trace.h"

#ifdef __cplusplus
extern "C" {
#endif

#define STAT_REASON_NAME 48

struct stat_reason {
	char name[STAT_REASON_NAME];   /* "EXTERNAL_INTERRUPT", "INVALID_STATE FAILED_VMENTRY", ... */
	uint64_t count;                /* exits with this reason */
	uint64_t timed;                /* of those, exits a VM entry followed */
	uint64_t min, max, sum;        /* cycles from the exit to that entry, over the timed ones */
};

struct stat_vcpu {
	bool open;                     /* an exit waits for its entry */
	uint64_t cycle;                /* of that exit */
	uint32_t reason;               /* its row */
};

struct stat_sink {
	struct trace_sink base;
	struct stat_reason *reasons;   /* in order of first appearance */
	uint32_t nreasons, reasons_cap;
	struct stat_vcpu *vcpu;
	uint32_t nvcpus;
	bool oom;                      /* out of memory: the figures are incomplete */
};

void stat_sink_init(struct stat_sink *s);
void stat_sink_free(struct stat_sink *s);

/*
 * The table, `perf kvm stat report` shaped: one row per exit reason, sorted
 * by count (most first), then by name; times in cycles and in microseconds
 * at tsc_hz; `Total Samples:N, Total events handled time:X.XXus.` last.
 */
void stat_print(const struct stat_sink *s, uint64_t tsc_hz, FILE *out);

/*
 * vmxsim stat: run s with the stat sink beside the expectation checker (no
 * trace), print the table on out. The status is the run's, as for `run`; no
 * table when the scenario cannot be run.
 */
enum vmxsim_status stat_scenario(const struct scn_scenario *s, FILE *out, FILE *diag);

#ifdef __cplusplus
}
#endif
#endif
