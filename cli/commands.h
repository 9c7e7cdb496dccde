/* SPDX-License-Identifier: Apache-2.0 */
/*
 * commands.h - the vmxsim commands, each a table for the parser and the
 * help (cli/args.h) with its body, in a file of its own (cli/cmd_*.c).
 */
#ifndef VMXSIM_CLI_COMMANDS_H
#define VMXSIM_CLI_COMMANDS_H

#include <signal.h>
#include <stdint.h>

#include "cli/args.h"
#include "vmxsim/scenario.h"

extern const struct cli_command cmd_run, cmd_check, cmd_suite, cmd_list, cmd_stat, cmd_equiv, cmd_explore, cmd_diff, cmd_replay;

/* Load a scenario ("-": standard input); NULL with the library's located message on stderr. */
struct vmxsim_scenario *cli_load(const char *path);

/* The exit statuses of a command that runs one scenario and judges its expectations. */
extern const char cli_exit_expectations[];
/* The same for run, which a signal or --max-trace may stop early. */
extern const char cli_exit_expectations_stopped[];

/*
 * interrupt.c: SIGINT, SIGTERM and SIGHUP set the flag returned (for
 * vmxsim_run_options.interrupt and the like) instead of killing the
 * process, so a run stops cleanly and says where it got to.
 */
const volatile sig_atomic_t *cli_catch_interrupts(void);

/* --max-trace=SIZE: bytes, or N with K, M or G (binary), or "none" (UINT64_MAX). False after a usage error. */
bool cli_trace_limit(const struct cli_command *cmd, const char *value, uint64_t *bytes);

/* The option rows run and check share: --max-trace, --progress, --no-progress. */
/* --progress and --no-progress of a command that runs scenarios (the library's progress line). */
#define CLI_PROGRESS_OPTIONS(progress_id, no_progress_id)                                                       \
	{(progress_id), "progress", CLI_NO_VALUE, NULL,                                                              \
	 "show the cycle reached on standard error while a run takes longer than a second (default: on a "          \
	 "terminal)",                                                                                                \
	 NULL},                                                                                                      \
	{                                                                                                            \
		(no_progress_id), "no-progress", CLI_NO_VALUE, NULL, "show no progress", NULL                          \
	}

#define CLI_RUN_LIMIT_OPTIONS(max_id, progress_id, no_progress_id)                                              \
	{(max_id), "max-trace", CLI_VALUE, "SIZE",                                                                   \
	 "stop the run when its trace file grows past SIZE bytes (K, M, G: binary units; 'none': no limit; "        \
	 "default 1G); a pipe or terminal is not measured",                                                          \
	 NULL},                                                                                                      \
	    CLI_PROGRESS_OPTIONS(progress_id, no_progress_id)

#endif
