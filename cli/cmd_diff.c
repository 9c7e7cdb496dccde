/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_diff.c - `vmxsim diff`: two traces compared event by event.
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/term.h"
#include "vmxsim/vmxsim.h"

enum { OPT_TOLERANCE = CLI_LONG_ONLY };

static const struct cli_option diff_options[] = {
	{'U', "context", CLI_VALUE, "N", "lines of context around each difference (default 3)", NULL},
	{'t', "tolerance", CLI_VALUE, "CYCLES",
	 "events whose cycles differ by at most CYCLES, and in nothing else, are the same event (default 0)", NULL},
	{0, NULL, CLI_NO_VALUE, NULL, NULL, NULL},
};

static const char *const diff_usage[] = {"[OPTION]... A.trace B.trace", NULL};

static int diff_main(const struct cli_command *cmd, int argc, char **argv)
{
	struct vmxsim_diff_options o = {0};
	const char *files[2] = {NULL, NULL}, *v;
	struct cli_args a;
	int id;

	o.context = 3;
	cli_begin(&a, cmd, argc, argv);
	while ((id = cli_next(&a, &v)) != CLI_DONE) {
		switch (id) {
		case CLI_EXIT:
			return a.status;
		case 'U':
			if (!cli_context(cmd, v, &o.context))
				return CLI_USAGE;
			break;
		case 't':
			if (!cli_number(cmd, "--tolerance", v, 0, UINT64_MAX, &o.cycle_tolerance))
				return CLI_USAGE;
			break;
		case CLI_OPERAND:
			if (files[1])
				return cli_usage_error(cmd, "extra operand '%s' (two traces)", v);
			files[files[0] ? 1 : 0] = v;
			break;
		}
	}
	if (!files[0])
		return cli_usage_error(cmd, "missing operands (two traces)");
	if (!files[1])
		return cli_usage_error(cmd, "missing operand after '%s' (two traces)", files[0]);
	if (!strcmp(files[0], "-") && !strcmp(files[1], "-"))
		return cli_usage_error(cmd, "standard input ('-') can be only one of the two traces");
	o.color = term_color(a.color, stdout);
	return vmxsim_diff_files(files[0], files[1], &o, stdout, stderr);
}

const struct cli_command cmd_diff = {
	.name = "diff",
	.summary = "compare two traces event by event",
	.usage = diff_usage,
	.description = "Compares two text or JSONL traces of vmxsim ('-': standard input, for one of\n"
	               "them) as sequences of events, aligned by a longest common subsequence, and\n"
	               "prints the differences as a unified diff. With --tolerance an event that\n"
	               "moved by at most CYCLES cycles, and changed in nothing else, is the same event:\n"
	               "a model change that shifts time a little shows only what really changed.\n"
	               "Lines that are not events compare as text.\n",
	.options = diff_options,
	.exit_status = "  0    the traces are the same\n"
	               "  1    they differ\n"
	               "  2    a trace cannot be read, or bad usage\n",
	.more = NULL,
	.main = diff_main,
};
