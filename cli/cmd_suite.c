/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_suite.c - `vmxsim suite`: every scenario under a folder, checked
 * against its golden, one row each; run.sh's job.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/paths.h"
#include "cli/plot.h"
#include "cli/scenarios.h"
#include "cli/term.h"
#include "vmxsim/vmxsim.h"

enum { OPT_OUT = CLI_LONG_ONLY, OPT_PLOTS };

static const struct cli_option suite_options[] = {
	{OPT_OUT, "out", CLI_VALUE, "DIR",
	 "write each scenario's text trace to DIR/<scenario>.trace (default build/traces); DIR and its "
	 "subfolders are created",
	 NULL},
	{OPT_PLOTS, "plots", CLI_VALUE, "DIR",
	 "also draw each run's timeline into DIR/<scenario>.png (created; python3-matplotlib, docs/plots.md)", NULL},
	{'U', "context", CLI_VALUE, "N", "lines of context around each difference from a golden (default 3)", NULL},
	{0, NULL, CLI_NO_VALUE, NULL, NULL, NULL},
};

static const char *const suite_usage[] = {"[OPTION]... [DIR]", NULL};

/* A table cell: `text` padded to `width`, in colour `sgr` when it is not NULL (the padding stays plain). */
static void put_cell(const char *text, int width, const char *sgr)
{
	if (sgr)
		printf("%s%s%s%*s", sgr, text, TERM_RESET, width - (int)strlen(text), "");
	else
		printf("%-*s", width, text);
}

struct tally {
	size_t held, failed, bad;
	int worst;
};

/* One scenario: its row of the table. */
static void suite_one(const char *path, const char *rel, const char *out, const char *plots, struct plot_batch *pb,
                      struct vmxsim_check_options co, bool color, struct tally *t)
{
	const char *red = color ? TERM_RED : NULL, *green = color ? TERM_GREEN : NULL;
	char trace[4096];
	struct vmxsim_check_result res;
	struct vmxsim_scenario *s;
	const char *outcome, *gs = "-", *gsgr = NULL;
	enum vmxsim_status st;

	snprintf(trace, sizeof(trace), "%s/%.*s.trace", out, (int)(strlen(rel) - 4), rel);
	s = cli_load(path);
	if (s && !make_parent_dirs(trace)) {
		fprintf(stderr, "%s: cannot create its folder\n", trace);
		vmxsim_scenario_free(s);
		s = NULL;
	}
	st = VMXSIM_BAD_INPUT;
	if (s) {
		co.keep = trace;
		st = vmxsim_check(s, &co, &res);
		if (plots && st != VMXSIM_BAD_INPUT) {
			char png[4096], title[4096];
			snprintf(png, sizeof(png), "%s/%.*s.png", plots, (int)(strlen(rel) - 4), rel);
			plot_title_for(path, title, sizeof(title));
			plot_batch_add(pb, s, title, png, stderr);
		}
		vmxsim_scenario_free(s);
	}
	if (st == VMXSIM_BAD_INPUT) {
		printf("%-40s ", rel);
		put_cell("bad-input", 10, red);
		printf("\n");
		t->bad++;
		t->worst = VMXSIM_BAD_INPUT;
		return;
	}
	/* The outcome is the expectations'; a differing golden shows in its own column. */
	outcome = res.run.status == VMXSIM_OK ? "held" : "VIOLATED";
	switch (res.golden) {
	case VMXSIM_GOLDEN_SAME: gs = "same"; gsgr = green; break;
	case VMXSIM_GOLDEN_DIFFERS: gs = "DIFFERS"; gsgr = red; break;
	case VMXSIM_GOLDEN_MISSING: gs = "none"; st = res.run.status; break;
	case VMXSIM_GOLDEN_WRITTEN: gs = "written"; break;
	}
	if (st == VMXSIM_OK)
		t->held++;
	else
		t->failed++;
	if ((int)st > t->worst)
		t->worst = (int)st;
	printf("%-40s ", rel);
	put_cell(outcome, 10, res.run.status == VMXSIM_OK ? green : red);
	printf(" ");
	put_cell(gs, 8, gsgr);
	printf(" %7llu %7llu %7llu  %s\n", (unsigned long long)res.run.exits, (unsigned long long)res.run.injections,
	       (unsigned long long)res.run.violations, trace);
}

static int suite_main(const struct cli_command *cmd, int argc, char **argv)
{
	const char *dir = NULL, *out = "build/traces", *plots = NULL, *v;
	struct vmxsim_check_options co = {0};
	struct tally t = {0};
	struct plot_batch pb;
	struct cli_args a;
	struct paths p;
	int id;

	co.diff.context = 3;
	co.diag = stderr;
	cli_begin(&a, cmd, argc, argv);
	while ((id = cli_next(&a, &v)) != CLI_DONE) {
		switch (id) {
		case CLI_EXIT:
			return a.status;
		case OPT_OUT:
			out = v;
			break;
		case OPT_PLOTS:
			plots = v;
			break;
		case 'U':
			if (!cli_context(cmd, v, &co.diff.context))
				return CLI_USAGE;
			break;
		case CLI_OPERAND:
			if (!cli_one_operand(cmd, &dir, v, "folder"))
				return CLI_USAGE;
			break;
		}
	}
	if (!dir)
		dir = "scenarios";
	co.diff.color = term_color(a.color, stderr);
	if (!find_scenarios(cmd->name, dir, &p))
		return VMXSIM_BAD_INPUT;
	if (plots && !plot_batch_open(&pb, stderr)) {
		paths_free(&p);
		return VMXSIM_BAD_INPUT;
	}
	printf("%-40s %-10s %-8s %7s %7s %7s  %s\n", "scenario", "outcome", "golden", "exits", "inject", "verdict",
	       "trace");
	for (size_t i = 0; i < p.n; i++) {
		const char *rel = p.v[i] + strlen(dir) + (p.v[i][strlen(dir)] == '/');
		suite_one(p.v[i], rel, out, plots, &pb, co, term_color(a.color, stdout), &t);
		fflush(stdout);   /* each row as it is done, in order with the messages on stderr */
	}
	printf("\n%zu scenarios: %zu held, %zu violated or differ, %zu bad input\n", p.n, t.held, t.failed, t.bad);
	if (plots) {
		size_t drawn = pb.n;
		if (plot_batch_finish(&pb, stderr) != 0) {
			printf("plots: FAILED (see above)\n");
			t.worst = VMXSIM_BAD_INPUT;
		} else {
			printf("plots: %s/<scenario>.png, %zu drawn\n", plots, drawn);
		}
	}
	paths_free(&p);
	return t.worst;
}

const struct cli_command cmd_suite = {
	.name = "suite",
	.summary = "check every scenario under a folder and print their outcomes",
	.usage = suite_usage,
	.description = "Runs every scenario under DIR (default: scenarios), writes each one's text\n"
	               "trace under the --out folder, compares it with its golden as check does,\n"
	               "and prints one row per scenario: whether its expectations held, whether\n"
	               "its golden is the same, its VM-exit, injection and verdict counts, and\n"
	               "where its trace is. The --out and --plots folders are created as needed.\n",
	.options = suite_options,
	.exit_status = "  0    every expectation held and every golden matches\n"
	               "  1    an expectation failed or a golden differs\n"
	               "  2    a scenario is bad input, or bad usage\n",
	.more = NULL,
	.main = suite_main,
};
