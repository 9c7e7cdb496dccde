/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c - the vmxsim command: which command runs, and vmxsim's own help.
 *
 *   vmxsim COMMAND [OPTION]... [ARG]...     (cli/cmd_*.c)
 *   vmxsim help [COMMAND]
 *   vmxsim --help | --version
 *
 * Exit codes: 0 every expectation held (and goldens match), 1 an
 * expectation failed or a golden differs, 2 bad input or usage.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/args.h"
#include "cli/commands.h"

static const struct cli_command *const commands[] = {
	&cmd_run, &cmd_check, &cmd_suite, &cmd_list, &cmd_stat, &cmd_equiv, &cmd_explore, &cmd_diff, &cmd_replay,
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The operands each command takes, for the list in vmxsim --help. */
static const char *operands(const struct cli_command *c)
{
	const char *u = c->usage[0], *last = strrchr(u, ' ');
	return !strncmp(u, "[OPTION]... ", 12) ? u + 12 : last ? last + 1 : u;
}

static void print_help(FILE *out)
{
	fputs("vmxsim - a cycle-level model of Intel VT-x event injection\n"
	      "\n"
	      "Usage: vmxsim COMMAND [OPTION]... [ARG]...\n"
	      "  or:  vmxsim help COMMAND\n"
	      "  or:  vmxsim --help | --version\n"
	      "\n"
	      "Runs scenarios - NMIs and interrupts injected into virtual machines - on a\n"
	      "model of the VMX processor and the hypervisor above it, and writes what\n"
	      "happens as a deterministic, cycle-stamped trace.\n"
	      "\n"
	      "Commands:\n",
	      out);
	for (size_t i = 0; i < NCOMMANDS; i++) {
		char left[64];
		snprintf(left, sizeof(left), "%s %s", commands[i]->name, operands(commands[i]));
		fprintf(out, "  %-24s", left);
		cli_print_wrapped(out, commands[i]->summary, 26, 26);
	}
	fputs("\n"
	      "Options:\n"
	      "  -h, --help              print this help and exit\n"
	      "      --version           print the version and exit\n"
	      "\n"
	      "'vmxsim COMMAND --help' or 'vmxsim help COMMAND' describes a command and its\n"
	      "options. Every command takes --color=auto|always|never. A scenario FILE.scn\n"
	      "of '-' is read from standard input, an output of '-' (-o -) is standard output.\n"
	      "\n"
	      "Exit status:\n"
	      "  0    every expectation held (and a compared golden is the same)\n"
	      "  1    an expectation failed, or a golden or trace differs (explore: a\n"
	      "       failure found)\n"
	      "  2    bad input or usage\n"
	      "  130  explore stopped by Ctrl-C (after printing what it had)\n"
	      "\n"
	      "Environment:\n"
	      "  VMXSIM_UPDATE_GOLDEN=1  check: rewrite the golden, as --bless does\n"
	      "  CI                      when set (not to \"\", \"0\" or \"false\"), goldens are\n"
	      "                          never rewritten\n"
	      "  NO_COLOR                when set and not empty, no colour under --color=auto\n"
	      "  CLICOLOR_FORCE          when set (not to \"0\"), --color=auto colours even\n"
	      "                          into a file or pipe\n"
	      "  COLUMNS                 list: the width to cut summaries to, off a terminal\n"
	      "  VMXSIM_TOOLS_DIR        where vmxsim_plot.py is (run --plot, suite --plots)\n"
	      "  VMXSIM_PYTHON           the Python for plots (default /usr/bin/python3)\n"
	      "\n"
	      "The scenario language, trace formats and goldens are described under docs/.\n",
	      out);
}

static const struct cli_command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

static int unknown_command(const char *name)
{
	const char *best = NULL;
	unsigned best_d = 3;

	for (size_t i = 0; i < NCOMMANDS; i++) {
		unsigned d = cli_distance(name, commands[i]->name);
		/* Close, and not merely short: "ab" is not a misspelt "run". */
		if (d < best_d && d < strlen(commands[i]->name) - 1) {
			best = commands[i]->name;
			best_d = d;
		}
	}
	if (best)
		return cli_usage_error(NULL, "unknown command '%s'; did you mean '%s'?", name, best);
	return cli_usage_error(NULL, "unknown command '%s'", name);
}

/*
 * What a command printed must have reached standard output (>/dev/full, a
 * full disk, a closed pipe): exit status 2 with the reason, unless the
 * command already failed with its own message (run's trace on stdout).
 */
static int stdout_checked(const struct cli_command *cmd, int status)
{
	int err = 0;

	if (fflush(stdout) != 0)
		err = errno;
	else if (ferror(stdout))
		err = EIO;
	if (!err || status >= 2)
		return status;
	fprintf(stderr, "vmxsim %s: standard output: cannot write: %s\n", cmd->name, strerror(err));
	return 2;
}

int main(int argc, char **argv)
{
	const struct cli_command *cmd;

	if (argc < 2)
		return cli_usage_error(NULL, "a command is needed");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_help(stdout);
		return fflush(stdout) == 0 ? 0 : CLI_USAGE;
	}
	if (!strcmp(argv[1], "--version")) {
		cli_print_version(stdout);
		return fflush(stdout) == 0 ? 0 : CLI_USAGE;
	}
	if (!strcmp(argv[1], "help")) {
		if (argc > 3)
			return cli_usage_error(NULL, "help takes one command");
		if (argc == 2) {
			print_help(stdout);
		} else {
			cmd = find_command(argv[2]);
			if (!cmd)
				return unknown_command(argv[2]);
			cli_print_help(cmd, stdout);
		}
		return fflush(stdout) == 0 ? 0 : CLI_USAGE;
	}
	if (argv[1][0] == '-' && argv[1][1])
		return cli_usage_error(NULL, "unknown option '%s' (options follow the command)", argv[1]);
	cmd = find_command(argv[1]);
	if (!cmd)
		return unknown_command(argv[1]);
	return stdout_checked(cmd, cmd->main(cmd, argc - 1, argv + 1));
}
