/* SPDX-License-Identifier: Apache-2.0 */
/*
 * commands.h - the vmxsim commands, each a table for the parser and the
 * help (cli/args.h) with its body, in a file of its own (cli/cmd_*.c).
 */
#ifndef VMXSIM_CLI_COMMANDS_H
#define VMXSIM_CLI_COMMANDS_H

#include "cli/args.h"
#include "vmxsim/scenario.h"

extern const struct cli_command cmd_run, cmd_check, cmd_suite, cmd_list, cmd_stat, cmd_equiv, cmd_explore, cmd_diff;

/* Load a scenario ("-": standard input); NULL with the library's located message on stderr. */
struct vmxsim_scenario *cli_load(const char *path);

/* The exit statuses of a command that runs one scenario and judges its expectations. */
extern const char cli_exit_expectations[];

#endif
