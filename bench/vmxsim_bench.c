/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmxsim_bench - how fast the model runs on the machine it runs on. Not a
 * test: it asserts nothing and prints figures (docs/PERFORMANCE.md says how
 * to read them and records a run).
 *
 *   vmxsim_bench [SCENARIOS_DIR] [--quick] [--profile]
 *
 * --quick: short runs, to see that it works; --profile: only the exit storm
 * with no trace, a long one, for `perf record`.
 *
 * 1. Exit storm: a guest under `l0 plain` that executes VMCALL in a loop
 *    (an unconditional exit, R1), so nearly every simulated instruction is a
 *    VM exit and the hypervisor's round trip. Simulated VM exits per second
 *    of wall time with no trace, and with the text trace written to
 *    /dev/null.
 * 2. SCENARIOS_DIR/soft-vnmi/timeout-1s.scn: wall time per run and the
 *    real-time factor (simulated seconds per wall second).
 * Both 1 and 2 run again in the reference mode (every processor steps
 *    cycle by cycle, `vmxsim run --reference`): the fast mode's gain as a
 *    ratio measured in the same run. The reference timeout-1s run takes
 *    most of a minute; --quick leaves it out.
 * 3. Peak RSS of a storm of 1x and of 10x the length, each in a child
 *    process of its own, so the second cannot inherit the first's peak.
 * 4. Exploration: SCENARIOS_DIR/explore/soft-vnmi-nesting.scn, the whole
 *    space on one thread - runs and space points per second - then on two
 *    threads, and again in the reference mode (the ratio, one thread);
 *    then with the plain walk (every run from cycle 0, --plain): the gain
 *    of branching runs from snapshots on a one-dimensional space.
 * 5. Branching at scale: SCENARIOS_DIR/explore/large/soft-vnmi-two-nmis.scn
 *    (378 million points; the plain walk takes most of an hour) measured on
 *    slices: its first arrival range cut to 20 times at its start, middle
 *    and end (3000.., 6500.., 9980..), each slice with the whole second
 *    range and every choice, written to temporary files (--quick: 4 times
 *    each, the second range cut to 11000..11999); branched and plain, on
 *    one and two threads: points, runs, snapshots, wall time, the speed-up,
 *    and the sum of the slices' times scaled by 7,000 / 60 first-arrival
 *    times to the whole space (an extrapolation, said as one; every slice
 *    runs the whole second range, so only the first range is sampled).
 *    Each walk three ways: shifted runs taken (explore's default), every
 *    run simulated (--no-shift), every run from cycle 0 (--plain).
 * 6. The whole of that space, shifted, on two threads and on one, measured
 *    (not with --quick).
 *
 * Wall time is the only clock here; the model itself never reads one. The
 * benchmark uses only the public API (include/vmxsim/), as an embedder
 * would, so what it measures is what a user gets.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vmxsim/vmxsim.h"

/* A round trip is about 2,400 cycles at Nehalem's figures; RUN_CYCLES / 2400 exits. */
static const char storm_fmt[] =
	"# storm: a VM exit on every other instruction.\n"
	"cpu     nehalem\n"
	"l0      plain\n"
	"\n"
	"guest L1\n"
	"main:   vmcall\n"
	"        jmp main\n"
	"\n"
	"run %" PRIu64 "\n";

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static _Noreturn void parse_failed(const struct vmxsim_error *err)
{
	fprintf(stderr, "vmxsim_bench: %s\n", err->text);
	exit(2);
}

static struct vmxsim_scenario *storm(uint64_t cycles)
{
	char text[512];
	struct vmxsim_error err;
	int n = snprintf(text, sizeof(text), storm_fmt, cycles);
	struct vmxsim_scenario *s = vmxsim_scenario_parse(text, (size_t)n, "storm.scn", &err);

	if (!s)
		parse_failed(&err);
	return s;
}

/* One run (reference stepping if `reference`); its wall time in seconds, its result in *res. */
static double timed_run(const struct vmxsim_scenario *s, FILE *trace, bool reference, struct vmxsim_result *res)
{
	struct vmxsim_run_options ro = {.trace = trace, .format = VMXSIM_FORMAT_TEXT, .reference = reference};
	double t0 = now();
	enum vmxsim_status st = vmxsim_run(s, &ro, res);

	if (st == VMXSIM_BAD_INPUT) {
		fprintf(stderr, "vmxsim_bench: %s cannot run\n", vmxsim_scenario_name(s));
		exit(2);
	}
	return now() - t0;
}

/* The best of `reps` runs: the one least disturbed by the rest of the machine. */
static double best_of(int reps, const struct vmxsim_scenario *s, FILE *trace, bool reference,
                      struct vmxsim_result *res)
{
	double best = 0;
	for (int i = 0; i < reps; i++) {
		double t = timed_run(s, trace, reference, res);
		if (i == 0 || t < best)
			best = t;
	}
	return best;
}

static void exit_storm(uint64_t cycles, int reps)
{
	struct vmxsim_scenario *s = storm(cycles);
	struct vmxsim_result res;
	FILE *null = fopen("/dev/null", "w");
	double off, on, ref;

	if (!null) {
		perror("vmxsim_bench: /dev/null");
		exit(2);
	}
	off = best_of(reps, s, NULL, false, &res);
	printf("exit storm: %" PRIu64 " simulated cycles, %" PRIu64 " VM exits, %" PRIu64 " trace events\n",
	       res.cycles, res.exits, res.events);
	printf("  trace off:          %8.3f s  %12.0f exits/s\n", off, (double)res.exits / off);
	on = best_of(reps, s, null, false, &res);
	printf("  text trace on:      %8.3f s  %12.0f exits/s  (%.2fx the time of trace off)\n", on,
	       (double)res.exits / on, on / off);
	ref = best_of(1, s, NULL, true, &res);
	printf("  reference, off:     %8.3f s  %12.0f exits/s  (%.2fx the time of the fast mode)\n", ref,
	       (double)res.exits / ref, ref / off);
	fclose(null);
	vmxsim_scenario_free(s);
}

static void timeout_1s(const char *dir, int reps, bool reference)
{
	char path[4096];
	struct vmxsim_error err;
	struct vmxsim_scenario *s;
	struct vmxsim_result res;
	double t;

	snprintf(path, sizeof(path), "%s/soft-vnmi/timeout-1s.scn", dir);
	s = vmxsim_scenario_load(path, &err);
	if (!s)
		parse_failed(&err);
	t = best_of(reps, s, NULL, false, &res);
	printf("%s: %" PRIu64 " simulated cycles, %" PRIu64 " VM exits\n", path, res.cycles, res.exits);
	printf("  wall time per run:  %8.3f ms (best of %d), status %d\n", t * 1e3, reps, (int)res.status);
	/* Simulated seconds at the scenario's TSC frequency, per wall second. */
	printf("  real-time factor:   %8.0f simulated seconds per wall second\n",
	       (double)res.cycles / (double)res.tsc_hz / t);
	if (reference) {
		double r = timed_run(s, NULL, true, &res);
		printf("  reference mode:     %8.3f s per run, status %d: the fast mode is %.0fx faster\n", r,
		       (int)res.status, r / t);
	}
	vmxsim_scenario_free(s);
}

/* Peak RSS (KiB) of a child that runs a storm of `cycles` with the text trace to /dev/null. */
static long child_peak_rss(uint64_t cycles)
{
	struct rusage ru;
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		perror("vmxsim_bench: fork");
		exit(2);
	}
	if (pid == 0) {
		struct vmxsim_scenario *s = storm(cycles);
		struct vmxsim_result res;
		FILE *null = fopen("/dev/null", "w");
		timed_run(s, null, false, &res);
		_exit(0);
	}
	if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "vmxsim_bench: the RSS child failed\n");
		exit(2);
	}
	return ru.ru_maxrss;
}

/* How explore walks a space: shifted runs taken (its default), every run simulated, every run from cycle 0. */
enum walk { WALK_SHIFT, WALK_NO_SHIFT, WALK_PLAIN };

/* The whole space of an exploration, walked as `w` says; its wall time and what it covered. The report goes to /dev/null. */
static double explore_walk(const char *path, unsigned jobs, bool reference, enum walk w,
                           struct vmxsim_explore_totals *tot)
{
	struct vmxsim_explore_options o = {.jobs = jobs, .reference = reference, .totals = tot,
	                                   .plain = w == WALK_PLAIN, .no_shift = w == WALK_NO_SHIFT};
	FILE *null = fopen("/dev/null", "w");
	double t0 = now(), t;
	int st;

	if (!null) {
		perror("vmxsim_bench: /dev/null");
		exit(2);
	}
	st = vmxsim_explore(path, &o, null, stderr);
	t = now() - t0;
	fclose(null);
	if (st != 0 && st != 1) {
		fprintf(stderr, "vmxsim_bench: exploring %s failed (status %d)\n", path, st);
		exit(2);
	}
	return t;
}

static double explore_all(const char *path, unsigned jobs, bool reference, struct vmxsim_explore_totals *tot)
{
	return explore_walk(path, jobs, reference, WALK_SHIFT, tot);
}

/* The text of a file, with `from` replaced by `to` (each must be there once); NULL if unreadable. */
static char *file_with(const char *path, const char *const *from, const char *const *to, unsigned n)
{
	FILE *f = fopen(path, "r");
	char *text = NULL, *out;
	size_t len = 0;
	long size;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    !(text = calloc((size_t)size + 1, 1)) || fread(text, 1, (size_t)size, f) != (size_t)size) {
		if (f)
			fclose(f);
		free(text);
		return NULL;
	}
	fclose(f);
	for (unsigned i = 0; i < n; i++) {
		char *at = strstr(text, from[i]);
		if (!at || !(out = malloc(strlen(text) + strlen(to[i]) + 1))) {
			free(text);
			return NULL;
		}
		len = (size_t)(at - text);
		memcpy(out, text, len);
		strcpy(out + len, to[i]);
		strcat(out, at + strlen(from[i]));
		free(text);
		text = out;
	}
	return text;
}

static const char *const walk_name[3] = {"shifted ", "no-shift", "plain   "};

static void branching_at_scale(const char *dir, bool quick)
{
	static const uint64_t starts[3] = {3000, 6500, 9980};
	const unsigned width = quick ? 4 : 20;
	const char *from[2] = {"at 3000..9999", "at 11000..20000"};
	char path[4096], to0[64], to1[64];
	const char *to[2] = {to0, to1};
	struct vmxsim_explore_totals tot;
	double t[3][2] = {{0, 0}, {0, 0}, {0, 0}};   /* [walk][jobs - 1], summed over the slices */
	uint64_t points = 0, runs = 0, shifted = 0, snaps = 0;
	double scale;

	snprintf(path, sizeof(path), "%s/explore/large/soft-vnmi-two-nmis.scn", dir);
	snprintf(to1, sizeof(to1), "%s", quick ? "at 11000..11999" : "at 11000..20000");
	printf("%s, slices of %u first-arrival times, the second range %s:\n", path, width, to1 + 3);
	for (unsigned i = 0; i < 3; i++) {
		char sub[] = "/tmp/vmxsim-bench-XXXXXX.scn";
		char *text;
		int fd;

		snprintf(to0, sizeof(to0), "at %" PRIu64 "..%" PRIu64, starts[i], starts[i] + width - 1);
		if (!(text = file_with(path, from, to, 2)) || (fd = mkstemps(sub, 4)) < 0 ||
		    write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd) != 0) {
			fprintf(stderr, "vmxsim_bench: cannot make a slice of %s\n", path);
			exit(2);
		}
		free(text);
		for (int w = WALK_SHIFT; w <= WALK_PLAIN; w++)
			for (unsigned jobs = 1; jobs <= 2; jobs++) {
				double s1 = explore_walk(sub, jobs, false, (enum walk)w, &tot);
				t[w][jobs - 1] += s1;
				if (jobs == 1) {
					if (w == WALK_SHIFT) {
						points += tot.points;
						runs += tot.runs;
						shifted += tot.shifted;
						snaps += tot.snapshots;
					}
					printf("  slice %s: %s %" PRIu64 " points, %" PRIu64 " runs, %" PRIu64
					       " of them shifted, %8.3f s on one thread\n",
					       to0 + 3, walk_name[w], tot.points, tot.runs, tot.shifted, s1);
				}
			}
		unlink(sub);
	}
	scale = 7000.0 / (3.0 * width) * (quick ? 9001.0 / 1000.0 : 1.0);
	printf("  the three slices: %" PRIu64 " points, %" PRIu64 " runs, %" PRIu64 " simulated (%" PRIu64
	       " shifted), %" PRIu64 " snapshots\n",
	       points, runs, runs - shifted, shifted, snaps);
	for (int w = WALK_SHIFT; w <= WALK_PLAIN; w++)
		for (unsigned jobs = 1; jobs <= 2; jobs++)
			printf("    %s, %u thread%s: %8.3f s; the whole space scaled: %.0f s\n", walk_name[w], jobs,
			       jobs == 1 ? " " : "s", t[w][jobs - 1], t[w][jobs - 1] * scale);
	printf("  speed-up of the shifted walk over the plain walk: %.2fx on one thread, %.2fx on two\n",
	       t[WALK_PLAIN][0] / t[WALK_SHIFT][0], t[WALK_PLAIN][1] / t[WALK_SHIFT][1]);
	printf("  over the branched walk that simulates every run: %.2fx on one thread, %.2fx on two\n",
	       t[WALK_NO_SHIFT][0] / t[WALK_SHIFT][0], t[WALK_NO_SHIFT][1] / t[WALK_SHIFT][1]);
}

/* 6. The whole large space, shifted, measured rather than scaled (a few minutes; not with --quick). */
static void whole_large_space(const char *dir)
{
	char path[4096];
	struct vmxsim_explore_totals tot;

	snprintf(path, sizeof(path), "%s/explore/large/soft-vnmi-two-nmis.scn", dir);
	for (unsigned jobs = 2; jobs >= 1; jobs--) {
		double s = explore_walk(path, jobs, false, WALK_SHIFT, &tot);
		printf("%s, the whole space, %u thread%s: %" PRIu64 " points, %" PRIu64 " runs, %" PRIu64
		       " simulated, %" PRIu64 " snapshots, %.1f s\n",
		       path, jobs, jobs == 1 ? "" : "s", tot.points, tot.runs, tot.runs - tot.shifted, tot.snapshots, s);
	}
}

static void explore_rate(const char *dir, bool reference)
{
	char path[4096];
	struct vmxsim_explore_totals tot;
	double one, two;

	snprintf(path, sizeof(path), "%s/explore/soft-vnmi-nesting.scn", dir);
	one = explore_all(path, 1, false, &tot);
	printf("%s: %" PRIu64 " points, %" PRIu64 " runs (equal arrival times collapsed)\n", path, tot.points,
	       tot.runs);
	printf("  one thread:         %8.3f s  %12.0f runs/s  %12.0f points/s\n", one, (double)tot.runs / one,
	       (double)tot.points / one);
	two = explore_all(path, 2, false, &tot);
	printf("  two threads:        %8.3f s  %12.0f runs/s  (%.2fx one thread)\n", two, (double)tot.runs / two,
	       one / two);
	if (reference) {
		double r = explore_all(path, 1, true, &tot);
		printf("  reference, one:     %8.3f s  %12.0f runs/s  (the fast mode is %.1fx faster)\n", r,
		       (double)tot.runs / r, r / one);
	}
	double plain = explore_walk(path, 1, false, WALK_PLAIN, &tot);
	printf("  plain walk, one:    %8.3f s  %12.0f runs/s  (branching is %.2fx faster)\n", plain,
	       (double)tot.runs / plain, plain / one);
}

int main(int argc, char **argv)
{
	const char *dir = "scenarios";
	int quick = 0, profile = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			quick = 1;
		else if (!strcmp(argv[i], "--profile"))
			profile = 1;
		else if (argv[i][0] == '-') {
			fprintf(stderr, "usage: vmxsim_bench [SCENARIOS_DIR] [--quick] [--profile]\n");
			return 2;
		} else
			dir = argv[i];
	}
	uint64_t storm_cycles = quick ? 240000000ull : 4800000000ull;   /* 0.1M or 2M exits */
	int reps = quick ? 1 : 5;

	if (profile) {
		struct vmxsim_scenario *s = storm(storm_cycles * 5);
		struct vmxsim_result res;
		printf("trace off: %.3f s\n", timed_run(s, NULL, false, &res));
		vmxsim_scenario_free(s);
		return 0;
	}
	exit_storm(storm_cycles, reps);
	timeout_1s(dir, quick ? 10 : 200, !quick);
	long small = child_peak_rss(storm_cycles / 10), large = child_peak_rss(storm_cycles);
	printf("peak RSS, storm with text trace: %ld KiB at %" PRIu64 " cycles, %ld KiB at %" PRIu64 " cycles\n", small,
	       storm_cycles / 10, large, storm_cycles);
	explore_rate(dir, !quick);
	branching_at_scale(dir, quick);
	if (!quick)
		whole_large_space(dir);
	return 0;
}
