/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_list.c - `vmxsim list`: the scenarios under a folder and their
 * one-line summaries, cut to the terminal's width.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/scenarios.h"
#include "cli/term.h"
#include "vmxsim/vmxsim.h"

enum { OPT_WIDTH = CLI_LONG_ONLY };

static const struct cli_option list_options[] = {
	{'w', "width", CLI_VALUE, "COLS",
	 "cut each line to COLS columns (0: never cut); the default is the terminal's width, or COLUMNS when the "
	 "output is not a terminal, else no cut",
	 NULL},
	{0, NULL, CLI_NO_VALUE, NULL, NULL, NULL},
};

static const char *const list_usage[] = {"[OPTION]... [DIR]", NULL};

/* The path column: as wide as the longest path, at most 44 (longer ones push their summary right). */
#define PATH_COLUMN_MAX 44

static int list_main(const struct cli_command *cmd, int argc, char **argv)
{
	const char *dir = NULL, *v;
	bool width_set = false, red;
	unsigned width = 0, column = 0;
	struct cli_args a;
	struct paths p;
	uint64_t n;
	int id, status = 0;

	cli_begin(&a, cmd, argc, argv);
	while ((id = cli_next(&a, &v)) != CLI_DONE) {
		switch (id) {
		case CLI_EXIT:
			return a.status;
		case 'w':
			if (!cli_number(cmd, "--width", v, 0, 100000, &n))
				return CLI_USAGE;
			width = (unsigned)n;
			width_set = true;
			break;
		case CLI_OPERAND:
			if (!cli_one_operand(cmd, &dir, v, "folder"))
				return CLI_USAGE;
			break;
		}
	}
	if (!width_set)
		width = term_width();
	red = term_color(a.color, stdout);
	if (!find_scenarios(cmd->name, dir ? dir : "scenarios", &p))
		return VMXSIM_BAD_INPUT;
	for (size_t i = 0; i < p.n; i++) {
		unsigned len = term_columns(p.v[i]);
		if (len > column)
			column = len < PATH_COLUMN_MAX ? len : PATH_COLUMN_MAX;
	}
	for (size_t i = 0; i < p.n; i++) {
		struct vmxsim_error err;
		struct vmxsim_scenario *s = vmxsim_scenario_load(p.v[i], &err);
		unsigned used = term_columns(p.v[i]);

		if (used < column) {
			printf("%s%*s ", p.v[i], (int)(column - used), "");
			used = column + 1;
		} else {
			printf("%s ", p.v[i]);
			used++;
		}
		if (s) {
			/* A line that is all path has no room for the summary: nothing of it, not a lone ellipsis. */
			if (!width || used < width)
				term_put_cut(stdout, vmxsim_scenario_summary(s), width ? width - used : 0);
		} else if (strstr(err.text, ": out of memory")) {
			/* Not the file's fault: said as such, on stderr too. */
			printf("%s(out of memory)%s", red ? TERM_RED : "", red ? TERM_RESET : "");
			fprintf(stderr, "%s\n", err.text);
			status = VMXSIM_BAD_INPUT;
		} else {
			printf("%s(does not parse)%s", red ? TERM_RED : "", red ? TERM_RESET : "");
			status = VMXSIM_BAD_INPUT;
		}
		putchar('\n');
		vmxsim_scenario_free(s);
	}
	paths_free(&p);
	return status;
}

const struct cli_command cmd_list = {
	.name = "list",
	.summary = "list the scenarios under a folder with their summaries",
	.usage = list_usage,
	.description = "Prints each scenario under DIR (default: scenarios), sorted, with its\n"
	               "summary: the opening comment paragraph of the file. A summary that does not\n"
	               "fit the width ends in an ellipsis.\n",
	.options = list_options,
	.exit_status = "  0    every scenario parses\n"
	               "  2    a scenario does not parse (it is listed as such), or bad usage\n",
	.more = NULL,
	.main = list_main,
};
