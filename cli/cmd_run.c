/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_run.c - `vmxsim run`: one scenario into a trace (and its plot); and
 * what the commands that run one scenario share.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/plot.h"
#include "cli/term.h"
#include "vmxsim/vmxsim.h"

const char cli_exit_expectations[] = "  0    every expectation held\n"
                                     "  1    an expectation failed\n"
                                     "  2    bad input or usage\n";
const char cli_exit_expectations_stopped[] = "  0    every expectation held\n"
                                             "  1    an expectation failed\n"
                                             "  2    bad input or usage, or the trace outgrew --max-trace\n"
                                             "  130  interrupted (Ctrl-C): the trace has what ran until then\n";

struct vmxsim_scenario *cli_load(const char *path)
{
	struct vmxsim_error err;
	struct vmxsim_scenario *s = vmxsim_scenario_load(path, &err);

	if (!s)
		fprintf(stderr, "%s\n", err.text);
	return s;
}

enum { OPT_FORMAT = CLI_LONG_ONLY, OPT_PLOT, OPT_REFERENCE, OPT_MAX_TRACE, OPT_PROGRESS, OPT_NO_PROGRESS };

static const struct cli_option run_options[] = {
	{'o', "output", CLI_VALUE, "TRACE",
	 "write the trace to TRACE, replaced atomically once the run is complete ('-': standard output, the "
	 "default); its folder must exist",
	 NULL},
	{OPT_FORMAT, "format", CLI_VALUE, "FORMAT",
	 "the trace format: text (the default, the golden format), jsonl, vcd (GTKWave), perfetto "
	 "(ui.perfetto.dev), trace-dat (a trace.dat for trace-cmd report and KernelShark, file version 6), "
	 "trace-dat7 (the same file as version 7), ftrace (what trace-cmd report prints for it) or ftrace-ns "
	 "(nanoseconds, as trace-cmd report -t prints them)",
	 NULL},
	{OPT_PLOT, "plot", CLI_VALUE, "OUT",
	 "also draw the run's timeline into OUT.png or OUT.svg (its folder must exist), with tools/vmxsim_plot.py "
	 "and python3-matplotlib (docs/plots.md)",
	 NULL},
	{OPT_REFERENCE, "reference", CLI_NO_VALUE, NULL,
	 "reference mode: every processor advances cycle by cycle instead of jumping to its next event; the same "
	 "trace, far slower (docs/PERFORMANCE.md)",
	 NULL},
	CLI_RUN_LIMIT_OPTIONS(OPT_MAX_TRACE, OPT_PROGRESS, OPT_NO_PROGRESS),
	{0, NULL, CLI_NO_VALUE, NULL, NULL, NULL},
};

static const char *const run_usage[] = {"[OPTION]... FILE.scn", NULL};

static int bad_format(const struct cli_command *cmd, const char *v)
{
	char names[128] = "";

	for (int f = 0; vmxsim_format_name((enum vmxsim_format)f); f++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", f ? ", " : "",
		         vmxsim_format_name((enum vmxsim_format)f));
	return cli_usage_error(cmd, "--format: unknown format '%s' (one of %s)", v, names);
}

static int run_main(const struct cli_command *cmd, int argc, char **argv)
{
	const char *file = NULL, *plot = NULL, *v;
	struct vmxsim_run_options ro = {0};
	struct vmxsim_scenario *s;
	struct vmxsim_result res;
	enum vmxsim_status st;
	struct cli_args a;
	int id, f;

	ro.diag = stderr;
	ro.trace_path = "-";
	ro.progress = isatty(STDERR_FILENO);
	cli_begin(&a, cmd, argc, argv);
	while ((id = cli_next(&a, &v)) != CLI_DONE) {
		switch (id) {
		case CLI_EXIT:
			return a.status;
		case 'o':
			ro.trace_path = v;
			break;
		case OPT_FORMAT:
			f = vmxsim_format_lookup(v);
			if (f < 0)
				return bad_format(cmd, v);
			ro.format = (enum vmxsim_format)f;
			break;
		case OPT_PLOT:
			if (!plot_output_ok(v))
				return cli_usage_error(cmd, "--plot must name an OUT.png or OUT.svg, not '%s'", v);
			plot = v;
			break;
		case OPT_REFERENCE:
			ro.reference = true;
			break;
		case OPT_MAX_TRACE:
			if (!cli_trace_limit(cmd, v, &ro.max_trace_bytes))
				return CLI_USAGE;
			break;
		case OPT_PROGRESS:
		case OPT_NO_PROGRESS:
			ro.progress = id == OPT_PROGRESS;
			break;
		case CLI_OPERAND:
			if (!cli_one_operand(cmd, &file, v, "scenario"))
				return CLI_USAGE;
			break;
		}
	}
	if (!cli_have_scenario(cmd, file))
		return CLI_USAGE;
	ro.interrupt = cli_catch_interrupts();
	/* Before the run, not after it: a mistyped folder is found at once. */
	if (!cli_output_folder_ok(cmd, ro.trace_path) || (plot && !cli_output_folder_ok(cmd, plot)) ||
	    !cli_output_not_input(cmd, ro.trace_path, file) || !cli_output_not_input(cmd, plot, file))
		return VMXSIM_BAD_INPUT;
	ro.color = term_color(a.color, stderr);
	s = cli_load(file);
	if (!s)
		return VMXSIM_BAD_INPUT;
	st = vmxsim_run(s, &ro, &res);
	/* The plot is drawn from a second, JSONL run of the same scenario. */
	if (plot && st != VMXSIM_BAD_INPUT && plot_scenario(s, vmxsim_scenario_name(s), plot, stderr) != 0)
		st = VMXSIM_BAD_INPUT;
	vmxsim_scenario_free(s);
	return (int)st;
}

const struct cli_command cmd_run = {
	.name = "run",
	.summary = "run a scenario and write its trace",
	.usage = run_usage,
	.description = "Runs the scenario FILE.scn ('-': standard input) to its end and writes its\n"
	               "cycle-stamped trace (docs/trace-format.md) to standard output or to TRACE.\n"
	               "Each expectation that fails is reported as FILE:LINE:COL on standard error;\n"
	               "the trace is still written whole.\n",
	.options = run_options,
	.exit_status = cli_exit_expectations_stopped,
	.more = NULL,
	.main = run_main,
};
