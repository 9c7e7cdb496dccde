/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_stat.c - `vmxsim stat`: VM exits per reason, as perf kvm stat prints them.
 */
#include <stdio.h>

#include "cli/commands.h"
#include "vmxsim/vmxsim.h"

static const struct cli_option stat_options[] = {
	{0, NULL, CLI_NO_VALUE, NULL, NULL, NULL},
};

static const char *const stat_usage[] = {"[OPTION]... FILE.scn", NULL};

static int stat_main(const struct cli_command *cmd, int argc, char **argv)
{
	const char *file = NULL, *v;
	struct vmxsim_scenario *s;
	enum vmxsim_status st;
	struct cli_args a;
	int id;

	cli_begin(&a, cmd, argc, argv);
	while ((id = cli_next(&a, &v)) != CLI_DONE) {
		if (id == CLI_EXIT)
			return a.status;
		if (id == CLI_OPERAND) {
			if (!cli_one_operand(cmd, &file, v, "scenario"))
				return CLI_USAGE;
		}
	}
	if (!cli_have_scenario(cmd, file))
		return CLI_USAGE;
	s = cli_load(file);
	if (!s)
		return VMXSIM_BAD_INPUT;
	st = vmxsim_stat(s, stdout, stderr);
	if (fflush(stdout) != 0)
		st = VMXSIM_BAD_INPUT;
	vmxsim_scenario_free(s);
	return (int)st;
}

const struct cli_command cmd_stat = {
	.name = "stat",
	.summary = "print a scenario's VM exits per reason, as perf kvm stat does",
	.usage = stat_usage,
	.description = "Runs the scenario FILE.scn ('-': standard input) without a trace and prints,\n"
	               "per exit reason, the count of VM exits, their share, and the min, max and\n"
	               "average time from the exit to the next VM entry, in the shape of\n"
	               "`perf kvm stat report` (docs/trace-format.md).\n",
	.options = stat_options,
	.exit_status = cli_exit_expectations,
	.more = NULL,
	.main = stat_main,
};
