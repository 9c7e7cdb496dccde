/*
 * main.c - the vmxsim command line.
 *
 *   vmxsim run FILE.scn [-o TRACE] [--format FORMAT] [--plot OUT.png|OUT.svg] [--reference]
 *   vmxsim check FILE.scn [--golden G] [--bless] [--reference]
 *   vmxsim suite [DIR] [--out DIR] [--plots DIR]
 *   vmxsim list [DIR]
 *   vmxsim stat FILE.scn
 *   vmxsim explore FILE.scn [...]        (cli/explore_cli.c)
 *
 * Exit codes: 0 every expectation held (and goldens match), 1 an
 * expectation failed or a golden differs, 2 bad input or usage.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/equiv.h"
#include "cli/explore.h"
#include "cli/files.h"
#include "cli/plot.h"
#include "cli/scenario_run.h"
#include "cli/stat.h"
#include "front/scenario.h"

#define VMXSIM_VERSION "0.1.0"

static const char usage[] =
    "usage: vmxsim COMMAND [ARGS]\n"
    "\n"
    "  run FILE.scn [-o TRACE] [--format text|jsonl|vcd|perfetto|ftrace]\n"
    "        run a scenario; the trace goes to TRACE (replaced atomically) or stdout\n"
    "        --plot OUT.png|OUT.svg also draws its timeline (tools/vmxsim_plot.py,\n"
    "        /usr/bin/python3 with matplotlib; see docs/plots.md)\n"
    "        --reference runs in the reference mode: every processor advances\n"
    "        cycle by cycle instead of jumping to its next event; the same trace,\n"
    "        far slower (for testing the fast path; docs/PERFORMANCE.md)\n"
    "  check FILE.scn [--golden G] [--bless] [--reference]\n"
    "        run a scenario and compare its text trace with its golden\n"
    "        (default: scenarios/X.scn -> traces/X.trace); --bless or\n"
    "        VMXSIM_UPDATE_GOLDEN=1 rewrites the golden (refused when CI is set);\n"
    "        --reference as for run\n"
    "  suite [DIR] [--out DIR] [--plots DIR]\n"
    "        run every scenario under DIR (default: scenarios), write traces under\n"
    "        --out (default: build/traces), compare with goldens, print a table;\n"
    "        --plots DIR also draws DIR/<scenario>.png for each\n"
    "  equiv FILE.scn\n"
    "        run a nested scenario under its L0 and again with the same L1 on bare\n"
    "        metal (l0 none); compare what L1 sees, ignoring time\n"
    "  explore FILE.scn [--runs N [--seed S]] [--jobs N] [--shard K/N --report FILE]\n"
    "                   [--out DIR] [--no-repro] [--progress|--no-progress]\n"
    "        run the scenario at every point of the space its ranges (at 5000..9000,\n"
    "        on ... +0..2us, work 100..900) and choices (choose a | b) span, arrival\n"
    "        times that give equal runs once; or at N points sampled with seed S.\n"
    "        Each failure (an expectation, or a verdict no expectation names) is\n"
    "        written minimised to DIR/<name>.fail-K.scn. --jobs N: threads, same\n"
    "        report; --shard K/N: this machine's part, merged by\n"
    "  explore --merge REPORT... [--out DIR] [--no-repro]\n"
    "        the report of the whole space from the shards' reports (docs/explore.md)\n"
    "  list [DIR]\n"
    "        the scenarios under DIR with their one-line summaries\n"
    "  stat FILE.scn\n"
    "        run a scenario (no trace) and print a perf-kvm-stat-shaped table of its\n"
    "        VM exits per reason: count, share, min/max/avg cycles to the next entry\n"
    "  --help, --version\n"
    "\n"
    "exit status: 0 expectations held and goldens match; 1 an expectation failed\n"
    "or a golden differs (explore: a failure found); 2 bad input or usage;\n"
    "130 explore stopped by Ctrl-C (after printing what it had)\n";

static int bad_usage(const char *msg)
{
	fprintf(stderr, "vmxsim: %s\n\n%s", msg, usage);
	return VMXSIM_BAD_INPUT;
}

static struct scn_scenario *load(const char *path)
{
	struct scn_error err;
	struct scn_scenario *s = scn_parse_file(path, &err);

	if (!s) {
		char msg[1024];
		scn_format_error(&err, msg, sizeof(msg));
		fprintf(stderr, "%s\n", msg);
	}
	return s;
}

static int cmd_run(int argc, char **argv)
{
	const char *file = NULL, *out = NULL, *plot = NULL;
	struct vmxsim_limits lim = {0};
	enum trace_format fmt = TRACE_FORMAT_TEXT;
	struct scn_scenario *s;
	struct vmxsim_result res;
	struct atomic_file af;
	enum vmxsim_status st;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			out = argv[++i];
		} else if (!strcmp(argv[i], "--plot") && i + 1 < argc) {
			plot = argv[++i];
			if (!plot_output_ok(plot))
				return bad_usage("--plot must name an OUT.png or OUT.svg");
		} else if (!strcmp(argv[i], "--format") && i + 1 < argc) {
			i++;
			int f = trace_format_lookup(argv[i]);
			if (f < 0)
				return bad_usage("--format must be text, jsonl, vcd, perfetto or ftrace");
			fmt = (enum trace_format)f;
		} else if (!strcmp(argv[i], "--reference")) {
			lim.reference = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return bad_usage("unknown option for run");
		} else if (!file) {
			file = argv[i];
		} else {
			return bad_usage("run takes one scenario file");
		}
	}
	if (!file)
		return bad_usage("run needs a scenario file");
	s = load(file);
	if (!s)
		return VMXSIM_BAD_INPUT;
	if (out && !atomic_open(&af, out, stderr)) {
		scn_free(s);
		return VMXSIM_BAD_INPUT;
	}
	st = vmxsim_run_scenario_limited(s, out ? af.f : stdout, fmt, stderr, &lim, &res);
	if (out) {
		/* A scenario that cannot run leaves an existing trace alone. */
		if (st == VMXSIM_BAD_INPUT || res.trace_error) {
			if (res.trace_error)
				fprintf(stderr, "%s: writing the trace failed\n", out);
			atomic_abort(&af);
			st = VMXSIM_BAD_INPUT;
		} else if (!atomic_commit(&af, stderr)) {
			st = VMXSIM_BAD_INPUT;
		}
	} else if (fflush(stdout) != 0 || res.trace_error) {
		fprintf(stderr, "vmxsim: writing the trace to standard output failed\n");
		st = VMXSIM_BAD_INPUT;
	}
	/* The plot is drawn from a second, JSONL run of the same scenario. */
	if (plot && st != VMXSIM_BAD_INPUT && !res.trace_error && plot_scenario(s, file, plot, stderr) != 0)
		st = VMXSIM_BAD_INPUT;
	scn_free(s);
	return (int)st;
}

static bool bless_allowed(void)
{
	const char *ci = getenv("CI");
	if (ci && *ci && strcmp(ci, "0") != 0 && strcmp(ci, "false") != 0) {
		fprintf(stderr, "vmxsim: refusing to rewrite goldens when CI is set: goldens change only on purpose, "
		                "reviewed like code\n");
		return false;
	}
	return true;
}

/* Run one scenario into a temporary file beside `golden` and compare. */
static int check_one(const char *file, const char *golden, bool bless, bool reference,
                     struct vmxsim_result *res)
{
	struct vmxsim_limits lim = {.reference = reference};
	struct scn_scenario *s = load(file);
	struct atomic_file af;
	enum vmxsim_status st;
	enum golden_result g;
	char actual[4200];

	memset(res, 0, sizeof(*res));
	res->status = VMXSIM_BAD_INPUT;
	if (!s)
		return VMXSIM_BAD_INPUT;
	if (!atomic_open(&af, golden, stderr)) {
		scn_free(s);
		return VMXSIM_BAD_INPUT;
	}
	st = vmxsim_run_scenario_limited(s, af.f, TRACE_FORMAT_TEXT, stderr, &lim, res);
	scn_free(s);
	if (st == VMXSIM_BAD_INPUT || res->trace_error || fflush(af.f) != 0) {
		atomic_abort(&af);
		return VMXSIM_BAD_INPUT;
	}
	snprintf(actual, sizeof(actual), "%s.actual", golden);
	g = golden_compare(af.tmp, golden, stderr);
	if (g == GOLDEN_SAME) {
		atomic_abort(&af);
		unlink(actual);    /* a trace kept by an earlier failed check is stale now */
		return (int)st;
	}
	if (bless) {
		if (!atomic_commit(&af, stderr))
			return VMXSIM_BAD_INPUT;
		unlink(actual);
		fprintf(stderr, "%s: golden %s\n", golden, g == GOLDEN_MISSING ? "created" : "rewritten");
		return (int)st;
	}
	/* Keep what this run produced beside the golden for a diff. */
	fclose(af.f);
	af.f = NULL;
	if (rename(af.tmp, actual) != 0)
		unlink(af.tmp);
	if (g == GOLDEN_MISSING)
		fprintf(stderr, "%s: no golden yet\n", golden);
	fprintf(stderr, "this run's trace: %s\nto accept it as the golden: vmxsim check %s --bless   (or "
	                "VMXSIM_UPDATE_GOLDEN=1 vmxsim check %s)\n",
	        actual, file, file);
	res->status = VMXSIM_FAILED;
	return VMXSIM_FAILED;
}

static bool update_env(void)
{
	const char *u = getenv("VMXSIM_UPDATE_GOLDEN");
	return u && *u && strcmp(u, "0") != 0;
}

static int cmd_check(int argc, char **argv)
{
	const char *file = NULL, *golden = NULL;
	bool bless = update_env(), reference = false;
	char path[4096];
	struct vmxsim_result res;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--golden") && i + 1 < argc)
			golden = argv[++i];
		else if (!strcmp(argv[i], "--bless"))
			bless = true;
		else if (!strcmp(argv[i], "--reference"))
			reference = true;
		else if (argv[i][0] == '-' && argv[i][1])
			return bad_usage("unknown option for check");
		else if (!file)
			file = argv[i];
		else
			return bad_usage("check takes one scenario file");
	}
	if (!file)
		return bad_usage("check needs a scenario file");
	if (bless && !bless_allowed())
		return VMXSIM_BAD_INPUT;
	if (!golden) {
		golden_path_for(file, path, sizeof(path));
		golden = path;
	}
	return check_one(file, golden, bless, reference, &res);
}

/* ---- scenario discovery ---- */

struct paths {
	char **v;
	size_t n, cap;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool collect(const char *dir, struct paths *p, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return false;
	while ((e = readdir(d)) != NULL) {
		char full[4096];
		struct stat st;
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(full, sizeof(full), "%s/%s", dir, e->d_name) >= sizeof(full) || stat(full, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth < 8) {
			collect(full, p, depth + 1);
		} else if (S_ISREG(st.st_mode) && len > 4 && !strcmp(e->d_name + len - 4, ".scn")) {
			if (p->n == p->cap) {
				size_t cap = p->cap ? p->cap * 2 : 32;
				char **v = realloc(p->v, cap * sizeof(*v));
				if (!v)
					break;
				p->v = v;
				p->cap = cap;
			}
			p->v[p->n] = strdup(full);
			if (p->v[p->n])
				p->n++;
		}
	}
	closedir(d);
	return true;
}

static void paths_free(struct paths *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
}

static bool find_scenarios(const char *dir, struct paths *p)
{
	memset(p, 0, sizeof(*p));
	if (!collect(dir, p, 0)) {
		fprintf(stderr, "vmxsim: %s: %s\n", dir, strerror(errno));
		return false;
	}
	qsort(p->v, p->n, sizeof(*p->v), cmp_str);
	return true;
}

static int cmd_list(int argc, char **argv)
{
	const char *dir = argc > 0 ? argv[0] : "scenarios";
	struct paths p;
	int status = 0;

	if (argc > 1)
		return bad_usage("list takes at most one directory");
	if (!find_scenarios(dir, &p))
		return VMXSIM_BAD_INPUT;
	for (size_t i = 0; i < p.n; i++) {
		struct scn_error err;
		struct scn_scenario *s = scn_parse_file(p.v[i], &err);
		printf("%-44s %s\n", p.v[i], s ? s->summary : "(does not parse)");
		if (!s)
			status = VMXSIM_BAD_INPUT;
		scn_free(s);
	}
	paths_free(&p);
	return status;
}

/* perf kvm stat report, for one scenario. */
static int cmd_stat(int argc, char **argv)
{
	struct scn_scenario *s;
	enum vmxsim_status st;

	if (argc != 1 || (argv[0][0] == '-' && argv[0][1]))
		return bad_usage(argc == 0 ? "stat needs a scenario file" : "stat takes one scenario file and no options");
	s = load(argv[0]);
	if (!s)
		return VMXSIM_BAD_INPUT;
	st = vmxsim_stat_scenario(s, stdout, stderr);
	if (fflush(stdout) != 0)
		st = VMXSIM_BAD_INPUT;
	scn_free(s);
	return (int)st;
}

/* The main job: every shipped scenario, its outcome, counts, and its trace. */
static int cmd_suite(int argc, char **argv)
{
	const char *dir = "scenarios", *out = "build/traces", *plots = NULL;
	struct plot_batch pb;
	struct paths p;
	int worst = 0;
	size_t held = 0, failed = 0, bad = 0;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "--plots") && i + 1 < argc)
			plots = argv[++i];
		else if (argv[i][0] == '-')
			return bad_usage("unknown option for suite");
		else
			dir = argv[i];
	}
	if (!find_scenarios(dir, &p))
		return VMXSIM_BAD_INPUT;
	if (plots && !plot_batch_open(&pb, stderr)) {
		paths_free(&p);
		return VMXSIM_BAD_INPUT;
	}
	printf("%-40s %-10s %-8s %7s %7s %7s  %s\n", "scenario", "outcome", "golden", "exits", "inject", "verdict",
	       "trace");
	for (size_t i = 0; i < p.n; i++) {
		const char *rel = p.v[i] + strlen(dir) + (p.v[i][strlen(dir)] == '/');
		char trace[4096], golden[4096];
		struct vmxsim_result res;
		struct scn_scenario *s;
		struct atomic_file af;
		const char *outcome, *gs = "-";
		enum vmxsim_status st;

		snprintf(trace, sizeof(trace), "%s/%.*s.trace", out, (int)(strlen(rel) - 4), rel);
		golden_path_for(p.v[i], golden, sizeof(golden));
		s = load(p.v[i]);
		if (!s || !atomic_open(&af, trace, stderr)) {
			scn_free(s);
			printf("%-40s %-10s\n", rel, "bad-input");
			bad++;
			worst = VMXSIM_BAD_INPUT;
			continue;
		}
		st = vmxsim_run_scenario(s, af.f, TRACE_FORMAT_TEXT, stderr, &res);
		if (plots && st != VMXSIM_BAD_INPUT) {
			char png[4096], title[4096];
			snprintf(png, sizeof(png), "%s/%.*s.png", plots, (int)(strlen(rel) - 4), rel);
			plot_title_for(p.v[i], title, sizeof(title));
			plot_batch_add(&pb, s, title, png, stderr);
		}
		scn_free(s);
		if (st == VMXSIM_BAD_INPUT || !atomic_commit(&af, stderr)) {
			if (st == VMXSIM_BAD_INPUT)
				atomic_abort(&af);
			printf("%-40s %-10s\n", rel, "bad-input");
			bad++;
			worst = VMXSIM_BAD_INPUT;
			continue;
		}
		/* The outcome is the expectations'; a differing golden shows in its own column. */
		outcome = st == VMXSIM_OK ? "held" : "VIOLATED";
		switch (golden_compare(trace, golden, stderr)) {
		case GOLDEN_SAME: gs = "same"; break;
		case GOLDEN_DIFFERS: gs = "DIFFERS"; st = VMXSIM_FAILED; break;
		case GOLDEN_MISSING: gs = "none"; break;
		}
		if (st == VMXSIM_OK)
			held++;
		else
			failed++;
		if ((int)st > worst)
			worst = (int)st;
		printf("%-40s %-10s %-8s %7llu %7llu %7llu  %s\n", rel, outcome, gs, (unsigned long long)res.exits,
		       (unsigned long long)res.injections, (unsigned long long)res.violations, trace);
	}
	printf("\n%zu scenarios: %zu held, %zu violated or differ, %zu bad input\n", p.n, held, failed, bad);
	if (plots) {
		size_t n = pb.n;
		if (plot_batch_finish(&pb, stderr) != 0) {
			printf("plots: FAILED (see above)\n");
			worst = VMXSIM_BAD_INPUT;
		} else {
			printf("plots: %s/<scenario>.png, %zu drawn\n", plots, n);
		}
	}
	paths_free(&p);
	return worst;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return bad_usage("a command is needed");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("vmxsim %s\n", VMXSIM_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 2, argv + 2);
	if (!strcmp(argv[1], "check"))
		return cmd_check(argc - 2, argv + 2);
	if (!strcmp(argv[1], "suite"))
		return cmd_suite(argc - 2, argv + 2);
	if (!strcmp(argv[1], "list"))
		return cmd_list(argc - 2, argv + 2);
	if (!strcmp(argv[1], "stat"))
		return cmd_stat(argc - 2, argv + 2);
	if (!strcmp(argv[1], "explore"))
		return vmxsim_explore_main(argc - 2, argv + 2);
	if (!strcmp(argv[1], "equiv")) {
		if (argc != 3 || argv[2][0] == '-')
			return bad_usage("equiv takes one scenario file");
		return vmxsim_equiv(argv[2], stdout, stderr);
	}
	return bad_usage("unknown command");
}
