/*
 * explore_cli.c - the `vmxsim explore` command line: options, Ctrl-C, and
 * where the report goes.
 *
 *   vmxsim explore FILE.scn [--runs N [--seed S]] [--jobs N] [--shard K/N]
 *                  [--report FILE] [--out DIR] [--no-repro] [--progress|--no-progress]
 *   vmxsim explore --merge REPORT... [--out DIR] [--no-repro]
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "vmxsim/explore.h"

/* Set by SIGINT; the workers finish the run they are in and stop. The one piece of process state, as a signal needs. */
static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static const char explore_usage[] =
    "usage: vmxsim explore FILE.scn [--runs N [--seed S]] [--jobs N] [--shard K/N --report FILE]\n"
    "                      [--out DIR] [--no-repro] [--progress|--no-progress]\n"
    "       vmxsim explore --merge REPORT... [--out DIR] [--no-repro]\n"
    "\n"
    "Runs the scenario at every point of the space its ranges (at 5000..9000,\n"
    "on ... +0..2us, work 100..900) and choices (choose a | b) span - arrival times\n"
    "that give equal runs once - or at N points sampled with seed S, judges each run\n"
    "by the expectations and the monitors, and writes each kind of failure as a\n"
    "minimised scenario DIR/NAME.fail-K.scn (default DIR: .). --jobs: threads, the\n"
    "same report. --shard K/N: this machine's part, written with --report for\n"
    "--merge. Exit status: 0 nothing failed, 1 a failure found, 2 bad input,\n"
    "130 stopped by Ctrl-C. docs/explore.md has the details.\n";

static int usage_error(const char *msg)
{
	fprintf(stderr, "vmxsim explore: %s\n\n%s", msg, explore_usage);
	return 2;
}

static bool number(const char *s, uint64_t max, uint64_t *out)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return !errno && !*end && *out <= max;
}

int cmd_explore(int argc, char **argv)
{
	struct vmxsim_explore_options o;
	const char *scenario = NULL;
	const char **merge = NULL;
	unsigned nmerge = 0;
	bool merging = false, progress_set = false, seed_set = false;
	struct sigaction sa;
	int status;
	uint64_t v;

	memset(&o, 0, sizeof(o));
	o.jobs = 1;
	o.repro = true;
	merge = calloc((size_t)argc + 1, sizeof(*merge));
	if (!merge)
		return 2;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--runs")) {
			if (!number(next, UINT64_MAX / 2, &v) || v == 0)
				return free(merge), usage_error("--runs takes a number of runs, at least 1");
			o.runs = v;
			i++;
		} else if (!strcmp(a, "--seed")) {
			if (!number(next, UINT64_MAX, &o.seed))
				return free(merge), usage_error("--seed takes a number");
			seed_set = true;
			i++;
		} else if (!strcmp(a, "--jobs") || !strcmp(a, "-j")) {
			if (!number(next, 256, &v) || v == 0)
				return free(merge), usage_error("--jobs takes a number of threads, 1 to 256");
			o.jobs = (unsigned)v;
			i++;
		} else if (!strcmp(a, "--shard")) {
			unsigned k = 0, n = 0;
			char tail;
			if (!next || sscanf(next, "%u/%u%c", &k, &n, &tail) != 2 || n == 0 || k == 0 || k > n || n > 1000000)
				return free(merge), usage_error("--shard takes K/N with 1 <= K <= N, such as 2/8");
			o.shard = k;
			o.shards = n;
			i++;
		} else if (!strcmp(a, "--report")) {
			if (!next)
				return free(merge), usage_error("--report takes a file");
			o.report = next;
			i++;
		} else if (!strcmp(a, "--out")) {
			if (!next)
				return free(merge), usage_error("--out takes a directory");
			o.out_dir = next;
			i++;
		} else if (!strcmp(a, "--no-repro")) {
			o.repro = false;
		} else if (!strcmp(a, "--progress") || !strcmp(a, "--no-progress")) {
			o.progress = !strcmp(a, "--progress");
			progress_set = true;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			free(merge);
			fputs(explore_usage, stdout);
			return 0;
		} else if (!strcmp(a, "--merge")) {
			merging = true;
		} else if (a[0] == '-') {
			char msg[300];
			snprintf(msg, sizeof(msg), "unknown option '%.256s'", a);
			return free(merge), usage_error(msg);
		} else if (merging) {
			merge[nmerge++] = a;
		} else if (!scenario) {
			scenario = a;
		} else {
			return free(merge), usage_error("one scenario file at a time");
		}
	}
	if (seed_set && !o.runs)
		return free(merge), usage_error("--seed picks the sample of --runs N; without --runs every point runs");
	if (merging && (scenario || nmerge == 0 || o.runs || o.shards || o.report))
		return free(merge), usage_error("--merge takes report files only (and --out, --no-repro)");
	if (!merging && !scenario)
		return free(merge), usage_error("a scenario file is needed");
	if (o.shards && !o.report)
		return free(merge), usage_error("--shard writes its part with --report FILE, for --merge");
	if (!progress_set)
		o.progress = isatty(STDERR_FILENO);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	o.stop = (const volatile int *)&interrupted;
	if (merging)
		status = vmxsim_explore_merge(merge, nmerge, &o, stdout, stderr);
	else
		status = vmxsim_explore(scenario, &o, stdout, stderr);
	free(merge);
	return status;
}
