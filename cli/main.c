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

#include "cli/commands.h"
#include "cli/paths.h"
#include "cli/plot.h"
#include "vmxsim/vmxsim.h"

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

static struct vmxsim_scenario *load(const char *path)
{
	struct vmxsim_error err;
	struct vmxsim_scenario *s = vmxsim_scenario_load(path, &err);

	if (!s)
		fprintf(stderr, "%s\n", err.text);
	return s;
}

static int cmd_run(int argc, char **argv)
{
	const char *file = NULL, *plot = NULL;
	struct vmxsim_run_options ro = {0};
	struct vmxsim_scenario *s;
	struct vmxsim_result res;
	enum vmxsim_status st;

	ro.diag = stderr;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			ro.trace_path = argv[++i];
		} else if (!strcmp(argv[i], "--plot") && i + 1 < argc) {
			plot = argv[++i];
			if (!plot_output_ok(plot))
				return bad_usage("--plot must name an OUT.png or OUT.svg");
		} else if (!strcmp(argv[i], "--format") && i + 1 < argc) {
			i++;
			int f = vmxsim_format_lookup(argv[i]);
			if (f < 0)
				return bad_usage("--format must be text, jsonl, vcd, perfetto or ftrace");
			ro.format = (enum vmxsim_format)f;
		} else if (!strcmp(argv[i], "--reference")) {
			ro.reference = true;
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
	if (!ro.trace_path)
		ro.trace_path = "-";
	s = load(file);
	if (!s)
		return VMXSIM_BAD_INPUT;
	st = vmxsim_run(s, &ro, &res);
	/* The plot is drawn from a second, JSONL run of the same scenario. */
	if (plot && st != VMXSIM_BAD_INPUT && plot_scenario(s, file, plot, stderr) != 0)
		st = VMXSIM_BAD_INPUT;
	vmxsim_scenario_free(s);
	return (int)st;
}

static bool update_env(void)
{
	const char *u = getenv("VMXSIM_UPDATE_GOLDEN");
	return u && *u && strcmp(u, "0") != 0;
}

static int cmd_check(int argc, char **argv)
{
	const char *file = NULL;
	struct vmxsim_check_options co = {0};
	struct vmxsim_check_result res;
	struct vmxsim_scenario *s;
	enum vmxsim_status st;

	co.bless = update_env();
	co.diff.context = 3;
	co.diag = stderr;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--golden") && i + 1 < argc)
			co.golden = argv[++i];
		else if (!strcmp(argv[i], "--bless"))
			co.bless = true;
		else if (!strcmp(argv[i], "--reference"))
			co.reference = true;
		else if (argv[i][0] == '-' && argv[i][1])
			return bad_usage("unknown option for check");
		else if (!file)
			file = argv[i];
		else
			return bad_usage("check takes one scenario file");
	}
	if (!file)
		return bad_usage("check needs a scenario file");
	if (co.bless && vmxsim_ci_forbids_bless()) {
		fprintf(stderr, "vmxsim: refusing to rewrite goldens when CI is set: goldens change only on purpose, "
		                "reviewed like code\n");
		return VMXSIM_BAD_INPUT;
	}
	s = load(file);
	if (!s)
		return VMXSIM_BAD_INPUT;
	st = vmxsim_check(s, &co, &res);
	vmxsim_scenario_free(s);
	if (st == VMXSIM_FAILED && (res.golden == VMXSIM_GOLDEN_DIFFERS || res.golden == VMXSIM_GOLDEN_MISSING)) {
		if (res.actual_path[0])
			fprintf(stderr, "this run's trace: %s\n", res.actual_path);
		fprintf(stderr, "to accept it as the golden: vmxsim check %s --bless   (or VMXSIM_UPDATE_GOLDEN=1 vmxsim check %s)\n",
		        file, file);
	}
	return (int)st;
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
		struct vmxsim_scenario *s = vmxsim_scenario_load(p.v[i], NULL);
		printf("%-44s %s\n", p.v[i], s ? vmxsim_scenario_summary(s) : "(does not parse)");
		if (!s)
			status = VMXSIM_BAD_INPUT;
		vmxsim_scenario_free(s);
	}
	paths_free(&p);
	return status;
}

/* perf kvm stat report, for one scenario. */
static int cmd_stat(int argc, char **argv)
{
	struct vmxsim_scenario *s;
	enum vmxsim_status st;

	if (argc != 1 || (argv[0][0] == '-' && argv[0][1]))
		return bad_usage(argc == 0 ? "stat needs a scenario file" : "stat takes one scenario file and no options");
	s = load(argv[0]);
	if (!s)
		return VMXSIM_BAD_INPUT;
	st = vmxsim_stat(s, stdout, stderr);
	if (fflush(stdout) != 0)
		st = VMXSIM_BAD_INPUT;
	vmxsim_scenario_free(s);
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
		char trace[4096];
		struct vmxsim_check_options co = {0};
		struct vmxsim_check_result res;
		struct vmxsim_scenario *s;
		const char *outcome, *gs = "-";
		enum vmxsim_status st;

		snprintf(trace, sizeof(trace), "%s/%.*s.trace", out, (int)(strlen(rel) - 4), rel);
		s = load(p.v[i]);
		if (!s || !make_parent_dirs(trace)) {
			if (s)
				fprintf(stderr, "%s: cannot create its folder\n", trace);
			vmxsim_scenario_free(s);
			printf("%-40s %-10s\n", rel, "bad-input");
			bad++;
			worst = VMXSIM_BAD_INPUT;
			continue;
		}
		co.keep = trace;
		co.diff.context = 3;
		co.diag = stderr;
		st = vmxsim_check(s, &co, &res);
		if (plots && st != VMXSIM_BAD_INPUT) {
			char png[4096], title[4096];
			snprintf(png, sizeof(png), "%s/%.*s.png", plots, (int)(strlen(rel) - 4), rel);
			plot_title_for(p.v[i], title, sizeof(title));
			plot_batch_add(&pb, s, title, png, stderr);
		}
		vmxsim_scenario_free(s);
		if (st == VMXSIM_BAD_INPUT) {
			printf("%-40s %-10s\n", rel, "bad-input");
			bad++;
			worst = VMXSIM_BAD_INPUT;
			continue;
		}
		/* The outcome is the expectations'; a differing golden shows in its own column. */
		outcome = res.run.status == VMXSIM_OK ? "held" : "VIOLATED";
		switch (res.golden) {
		case VMXSIM_GOLDEN_SAME: gs = "same"; break;
		case VMXSIM_GOLDEN_DIFFERS: gs = "DIFFERS"; break;
		case VMXSIM_GOLDEN_MISSING: gs = "none"; st = res.run.status; break;
		case VMXSIM_GOLDEN_WRITTEN: gs = "written"; break;
		}
		if (st == VMXSIM_OK)
			held++;
		else
			failed++;
		if ((int)st > worst)
			worst = (int)st;
		printf("%-40s %-10s %-8s %7llu %7llu %7llu  %s\n", rel, outcome, gs, (unsigned long long)res.run.exits,
		       (unsigned long long)res.run.injections, (unsigned long long)res.run.violations, trace);
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
		printf("vmxsim %s\n", vmxsim_version());
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
		return cmd_explore(argc - 2, argv + 2);
	if (!strcmp(argv[1], "equiv")) {
		if (argc != 3 || argv[2][0] == '-')
			return bad_usage("equiv takes one scenario file");
		return vmxsim_equiv(argv[2], stdout, stderr);
	}
	return bad_usage("unknown command");
}
