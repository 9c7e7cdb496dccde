/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmxsim/stat.h - VM exits per reason, as `perf kvm stat report` prints
 * them: of a scenario's run, or of a recorded trace fed to a table.
 * (docs/trace-format.md, "vmxsim stat")
 */
#ifndef VMXSIM_STAT_H
#define VMXSIM_STAT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vmxsim/export.h"
#include "vmxsim/run.h"
#include "vmxsim/scenario.h"

#ifdef __cplusplus
extern "C" {
#endif

/* perf kvm stat report --key: the order of the rows, largest first. */
enum vmxsim_stat_key {
	VMXSIM_STAT_KEY_SAMPLE,   /* by the number of exits (perf's default) */
	VMXSIM_STAT_KEY_TIME,     /* by the average time */
};

struct vmxsim_stat_options {
	int32_t vcpu;             /* -1: every vCPU (perf's default); else only this vCPU's exits (--vcpu) */
	enum vmxsim_stat_key key;
	bool cycles;              /* three columns more: min, max and average cycles (not perf's) */
	/* As in vmxsim_run_options: stop when *interrupt is set, and a progress line on diag. */
	const volatile sig_atomic_t *interrupt;
	bool progress;
};

/* perf's defaults: every vCPU, by sample count, no cycle columns. */
VMXSIM_API void vmxsim_stat_options_init(struct vmxsim_stat_options *o);

/*
 * Run scenario s without a trace and print to out, per exit reason, the
 * count, the shares and the min/max/average time from each VM exit to the
 * next VM entry of its vCPU, in perf's columns. Messages go to diag (NULL:
 * stderr). The status is the run's; an interrupted run prints the table of
 * what ran and returns VMXSIM_INTERRUPTED. o NULL: the defaults.
 */
VMXSIM_API enum vmxsim_status vmxsim_stat_run(const struct vmxsim_scenario *s, const struct vmxsim_stat_options *o,
                                              FILE *out, FILE *diag);

/* vmxsim_stat_run() with the defaults. */
VMXSIM_API enum vmxsim_status vmxsim_stat(const struct vmxsim_scenario *s, FILE *out, FILE *diag);

/*
 * A table fed event by event, as perf feeds it from a recording: kvm_exit
 * and kvm_entry of each thread in time order. A thread is unknown until
 * its first entry, which names its vCPU; what it records before is left
 * out, as perf does. Times are nanoseconds; cycles count only for the
 * cycle columns (0 when unknown).
 */
struct vmxsim_stat_table;

VMXSIM_API struct vmxsim_stat_table *vmxsim_stat_table_new(const struct vmxsim_stat_options *o);
VMXSIM_API void vmxsim_stat_table_free(struct vmxsim_stat_table *t);
/* A VM exit with its full exit reason (bit 31: a VM-entry failure). False: out of memory. */
VMXSIM_API bool vmxsim_stat_table_exit(struct vmxsim_stat_table *t, uint64_t thread, uint32_t exit_reason,
                                       uint64_t ns, uint64_t cycle);
/* A VM-entry attempt of `vcpu` on `thread`. False: out of memory. */
VMXSIM_API bool vmxsim_stat_table_entry(struct vmxsim_stat_table *t, uint64_t thread, uint32_t vcpu, uint64_t ns,
                                        uint64_t cycle);
/* The table on out; notes (exits left without an entry) on diag (NULL: stderr). */
VMXSIM_API void vmxsim_stat_table_print(const struct vmxsim_stat_table *t, FILE *out, FILE *diag);

#ifdef __cplusplus
}
#endif
#endif
