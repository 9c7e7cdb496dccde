/*
 * explore.h - `vmxsim explore`: run a scenario at every point of the space
 * its ranges and choices span (front/scenario.h, struct scn_var), or at a
 * seeded sample of it, judge each run by the monitors and the scenario's
 * expectations, and write each kind of failure as a minimised standalone
 * scenario that reproduces it (docs/explore.md).
 */
#ifndef VMXSIM_EXPLORE_H
#define VMXSIM_EXPLORE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct explore_options {
	uint64_t runs;           /* 0: the whole space; else this many sampled points */
	uint64_t seed;           /* sampling */
	unsigned jobs;           /* worker threads; the report does not depend on it */
	unsigned shard, shards;  /* run units u with u % shards == shard - 1 (0/0: all) */
	const char *report;      /* write the shard report here (NULL: none) */
	const char *out_dir;     /* reproducers go here (NULL: the current directory) */
	bool repro;              /* minimise and write reproducers (not for a shard) */
	bool progress;           /* progress bar on stderr */
	const volatile int *stop;/* set (by a signal handler) to stop early; may be NULL */
};

/* Exit status as vmxsim's: 0 nothing failed, 1 a failure found, 2 bad input, 130 stopped. */
int vmxsim_explore(const char *scenario, const struct explore_options *o, FILE *out, FILE *diag);

/* Merge shard reports into the report of one whole run (and its reproducers). */
int vmxsim_explore_merge(const char *const *reports, unsigned n, const struct explore_options *o, FILE *out,
                         FILE *diag);

/* The command line of `vmxsim explore` (argv after the command word). */
int vmxsim_explore_main(int argc, char **argv);

#ifdef __cplusplus
}
#endif
#endif
