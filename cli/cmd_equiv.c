/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_equiv.c - `vmxsim equiv`: a nested run against the same L1 on bare metal.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <unistd.h>

#include "cli/commands.h"
#include "vmxsim/vmxsim.h"

enum { OPT_L0 = CLI_LONG_ONLY, OPT_PROGRESS, OPT_NO_PROGRESS };

static const struct cli_option equiv_options[] = {
	{OPT_L0, "l0", CLI_VALUE, "NAME",
	 "FILE.scn runs on bare metal ('l0 none', a kvm-unit-tests port): run its L1 also under the nested L0 NAME "
	 "(kvm-2011, kvm-modern, ...) and compare", NULL},
	CLI_PROGRESS_OPTIONS(OPT_PROGRESS, OPT_NO_PROGRESS),
	{0, NULL, CLI_NO_VALUE, NULL, NULL, NULL},
};

static const char *const equiv_usage[] = {"[OPTION]... FILE.scn", NULL};

static int equiv_main(const struct cli_command *cmd, int argc, char **argv)
{
	const char *file = NULL, *v;
	struct vmxsim_equiv_options o = {0};
	struct cli_args a;
	int id, rc;

	o.progress = isatty(STDERR_FILENO);
	cli_begin(&a, cmd, argc, argv);
	while ((id = cli_next(&a, &v)) != CLI_DONE) {
		if (id == CLI_EXIT)
			return a.status;
		if (id == OPT_L0)
			o.l0 = v;
		if (id == OPT_PROGRESS || id == OPT_NO_PROGRESS)
			o.progress = id == OPT_PROGRESS;
		if (id == CLI_OPERAND) {
			if (!cli_one_operand(cmd, &file, v, "scenario"))
				return CLI_USAGE;
		}
	}
	if (!cli_have_scenario(cmd, file))
		return CLI_USAGE;
	o.interrupt = cli_catch_interrupts();
	rc = vmxsim_equiv_run(file, &o, stdout, stderr);
	return rc;
}

const struct cli_command cmd_equiv = {
	.name = "equiv",
	.summary = "compare a nested run with the same L1 on bare metal",
	.usage = equiv_usage,
	.description = "Runs the nested scenario FILE.scn ('-': standard input) under its L0, and again\n"
	               "with the same L1 hypervisor on bare metal (l0 none), and compares what L1\n"
	               "sees - its VM exits, VMfails and the values it reads - ignoring time\n"
	               "(docs/nested.md). The verdict and the first difference go to standard output.\n",
	.options = equiv_options,
	.exit_status = "  0    L1 sees the same events on bare metal and under its L0, or the\n"
	               "       same up to a difference the L0 makes on purpose (documented in\n"
	               "       docs/nested.md, named in the verdict)\n"
	               "  1    they differ\n"
	               "  2    bad input or usage\n"
	               "  130  interrupted (Ctrl-C): nothing compared\n",
	.more = NULL,
	.main = equiv_main,
};
