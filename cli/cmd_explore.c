/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_explore.c - `vmxsim explore`: options, Ctrl-C, and where the report goes.
 *
 *   vmxsim explore [OPTION]... FILE.scn
 *   vmxsim explore --merge [OPTION]... REPORT...
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "vmxsim/explore.h"

enum {
	OPT_RUNS = CLI_LONG_ONLY,
	OPT_SEED,
	OPT_SHARD,
	OPT_REPORT,
	OPT_OUT,
	OPT_NO_REPRO,
	OPT_PROGRESS,
	OPT_NO_PROGRESS,
	OPT_MERGE,
	OPT_PLAIN,
	OPT_NO_SHIFT,
	OPT_VERIFY_SHIFT,
};

#define MAX_JOBS 256

static const struct cli_option explore_options[] = {
	{OPT_RUNS, "runs", CLI_VALUE, "N", "run N points sampled from the space instead of all of it", NULL},
	{OPT_SEED, "seed", CLI_VALUE, "S", "the seed of the --runs sample (default 0)", NULL},
	{'j', "jobs", CLI_VALUE, "N",
	 "run on N threads, 1 to 256 (default: one per online CPU); the report is the same for any N", NULL},
	{OPT_SHARD, "shard", CLI_VALUE, "K/N",
	 "run only part K of N of the space (1 <= K <= N), written with --report for --merge", NULL},
	{OPT_REPORT, "report", CLI_VALUE, "FILE",
	 "write the shard report to FILE (its folder must exist), for --merge", NULL},
	{OPT_OUT, "out", CLI_VALUE, "DIR",
	 "write the reproducers into DIR, created if need be (default: the current folder)", NULL},
	{OPT_NO_REPRO, "no-repro", CLI_NO_VALUE, NULL, "write no reproducers", NULL},
	{OPT_PROGRESS, "progress", CLI_NO_VALUE, NULL, "draw a progress bar on standard error (default: on a terminal)",
	 NULL},
	{OPT_NO_PROGRESS, "no-progress", CLI_NO_VALUE, NULL, "draw no progress bar", NULL},
	{OPT_PLAIN, "plain", CLI_NO_VALUE, NULL,
	 "run every point from cycle 0, without branching runs from snapshots: the same report, slower", NULL},
	{OPT_NO_SHIFT, "no-shift", CLI_NO_VALUE, NULL,
	 "simulate every run: take no run's outcome from an earlier one shifted in time (the same report, slower)",
	 NULL},
	{OPT_VERIFY_SHIFT, "verify-shift", CLI_NO_VALUE, NULL,
	 "take outcomes from shifted runs and also simulate each one, failing (status 2) if any disagrees (slow)",
	 NULL},
	{OPT_MERGE, "merge", CLI_NO_VALUE, NULL,
	 "merge shard reports: the operands are the REPORT files, and the report of the whole space (and its "
	 "reproducers) comes out",
	 NULL},
	{0, NULL, CLI_NO_VALUE, NULL, NULL, NULL},
};

static const char *const explore_usage[] = {"[OPTION]... FILE.scn", "--merge [OPTION]... REPORT...", NULL};

/* One per online CPU: what the machine can give, and the report does not depend on it. */
static unsigned default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > MAX_JOBS ? MAX_JOBS : (unsigned)n;
}

/* What the options say, checked; 0, or the usage error's status. */
static int check_args(const struct cli_command *cmd, const struct vmxsim_explore_options *o, bool merging,
                      bool seed_set, const char *const *operands, unsigned n)
{
	if (seed_set && !o->runs)
		return cli_usage_error(cmd, "--seed picks the sample of --runs N; without --runs every point runs");
	if (merging) {
		if (o->runs || o->shards || o->report || seed_set)
			return cli_usage_error(cmd, "--merge takes report files only (and --out, --no-repro)");
		/* Wherever --merge stands, every operand is a report: the library says which one is not. */
		if (n == 0)
			return cli_usage_error(cmd, "--merge needs the shard reports to merge");
		return 0;
	}
	if (n == 0)
		return cli_usage_error(cmd, "missing scenario file (FILE.scn)");
	if (n > 1)
		return cli_usage_error(cmd, "extra operand '%s' (one scenario at a time)", operands[1]);
	if (!strcmp(operands[0], "-"))
		return cli_usage_error(cmd, "a scenario on standard input cannot be explored: its reproducers and "
		                            "reports name the scenario's file");
	if (o->shards && !o->report)
		return cli_usage_error(cmd, "--shard writes its part with --report FILE, for --merge");
	return 0;
}

static int explore_main(const struct cli_command *cmd, int argc, char **argv)
{
	struct vmxsim_explore_options o;
	const char **operands, *v;
	unsigned n = 0, k, parts;
	bool merging = false, progress_set = false, seed_set = false;
	struct cli_args a;
	int status, id;
	char tail;
	uint64_t u;

	memset(&o, 0, sizeof(o));
	o.jobs = default_jobs();
	o.repro = true;
	operands = calloc((size_t)argc + 1, sizeof(*operands));
	if (!operands) {
		fprintf(stderr, "vmxsim explore: out of memory\n");
		return 2;
	}
	cli_begin(&a, cmd, argc, argv);
	while ((id = cli_next(&a, &v)) != CLI_DONE) {
		status = 0;
		switch (id) {
		case CLI_EXIT:
			status = a.status;
			break;
		case OPT_RUNS:
			if (!cli_number(cmd, "--runs", v, 1, UINT64_MAX / 2, &o.runs))
				status = CLI_USAGE;
			break;
		case OPT_SEED:
			if (!cli_number(cmd, "--seed", v, 0, UINT64_MAX, &o.seed))
				status = CLI_USAGE;
			seed_set = true;
			break;
		case 'j':
			if (!cli_number(cmd, "--jobs", v, 1, MAX_JOBS, &u))
				status = CLI_USAGE;
			o.jobs = (unsigned)u;
			break;
		case OPT_SHARD:
			if (sscanf(v, "%u/%u%c", &k, &parts, &tail) != 2 || parts == 0 || k == 0 || k > parts || parts > 1000000)
				status = cli_usage_error(cmd, "--shard takes K/N with 1 <= K <= N, such as 2/8, not '%s'", v);
			o.shard = k;
			o.shards = parts;
			break;
		case OPT_REPORT:
			if (!strcmp(v, "-"))
				status = cli_usage_error(cmd, "--report takes a file: the report on standard output is the "
				                              "one for people");
			o.report = v;
			break;
		case OPT_OUT:
			o.out_dir = v;
			break;
		case OPT_NO_REPRO:
			o.repro = false;
			break;
		case OPT_PROGRESS:
		case OPT_NO_PROGRESS:
			o.progress = id == OPT_PROGRESS;
			progress_set = true;
			break;
		case OPT_MERGE:
			merging = true;
			break;
		case OPT_NO_SHIFT:
			o.no_shift = true;
			break;
		case OPT_VERIFY_SHIFT:
			o.verify_shift = true;
			break;
		case OPT_PLAIN:
			o.plain = true;
			break;
		case CLI_OPERAND:
			operands[n++] = v;
			break;
		}
		if (status || id == CLI_EXIT) {
			free(operands);
			return status;
		}
	}
	status = check_args(cmd, &o, merging, seed_set, operands, n);
	/* The report is written at the end of what may be hours: a folder that is not there is found now. */
	if (!status && o.report && !cli_output_folder_ok(cmd, o.report))
		status = 2;
	/* Merging reads reports: none of them may be the one written. */
	for (unsigned i = 0; !status && o.report && i < n; i++)
		if (!cli_output_not_input(cmd, o.report, operands[i]))
			status = 2;
	if (status) {
		free(operands);
		return status;
	}
	if (!progress_set)
		o.progress = isatty(STDERR_FILENO);
	/* On a signal the workers finish the run they are in and stop. */
	o.stop = (const volatile int *)cli_catch_interrupts();
	if (merging)
		status = vmxsim_explore_merge(operands, n, &o, stdout, stderr);
	else
		status = vmxsim_explore(operands[0], &o, stdout, stderr);
	free(operands);
	return status;
}

const struct cli_command cmd_explore = {
	.name = "explore",
	.summary = "run a scenario at every point of its space of timings",
	.usage = explore_usage,
	.description =
	    "Runs the scenario at every point of the space its ranges (at 5000..9000,\n"
	    "on ... +0..2us, work 100..900) and choices (choose a | b) span - arrival\n"
	    "times that give equal runs once - or at N points sampled with seed S,\n"
	    "judges each run by the expectations and the monitors, and writes each kind\n"
	    "of failure as a minimised scenario that reproduces it, DIR/NAME.fail-K.scn.\n"
	    "The report goes to standard output. --shard K/N runs one machine's part of\n"
	    "the space; --merge makes the report of the whole from the parts' reports\n"
	    "(docs/explore.md). Ctrl-C stops early with a report of what was done.\n",
	.options = explore_options,
	.exit_status = "  0    nothing failed\n"
	               "  1    a failure found\n"
	               "  2    bad input or usage\n"
	               "  130  stopped by Ctrl-C (the report of what was done is printed)\n",
	.more = NULL,
	.main = explore_main,
};
