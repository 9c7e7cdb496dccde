/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_stat.c - `vmxsim stat`: VM exits per reason, as `perf kvm stat
 * report` prints them, of a scenario's run or of a recorded trace.dat.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/stat_tracedat.h"
#include "vmxsim/vmxsim.h"

enum { OPT_VCPU = CLI_LONG_ONLY, OPT_KEY, OPT_EVENT, OPT_CYCLES, OPT_PROGRESS, OPT_NO_PROGRESS };

static const struct cli_option stat_options[] = {
	{OPT_VCPU, "vcpu", CLI_VALUE, "N", "only the exits of vCPU N (perf's --vcpu; default: every vCPU)", NULL},
	{OPT_KEY, "key", CLI_VALUE, "KEY",
	 "the order of the rows, largest first: 'sample' (the number of exits, the default) or 'time' (the average "
	 "time), as perf's --key",
	 NULL},
	{OPT_EVENT, "event", CLI_VALUE, "EVENT",
	 "perf's --event: only 'vmexit' (the default); the mmio, ioport and msr analyses are not modelled", NULL},
	{OPT_CYCLES, "cycles", CLI_NO_VALUE, NULL,
	 "three columns more after perf's: the min, max and average cycles (a scenario only: a trace.dat has no "
	 "cycles)",
	 NULL},
	CLI_PROGRESS_OPTIONS(OPT_PROGRESS, OPT_NO_PROGRESS),
	{0, NULL, CLI_NO_VALUE, NULL, NULL, NULL},
};

static const char *const stat_usage[] = {"[OPTION]... FILE.scn", "[OPTION]... TRACE.dat", NULL};

static bool parse_vcpu(const struct cli_command *cmd, const char *v, int32_t *out)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	if (end == v || *end || v[0] == '-' || n > INT32_MAX) {
		cli_usage_error(cmd, "--vcpu: '%s' is not a vCPU number", v);
		return false;
	}
	*out = (int32_t)n;
	return true;
}

static int stat_main(const struct cli_command *cmd, int argc, char **argv)
{
	const char *file = NULL, *v;
	struct vmxsim_stat_options o;
	struct vmxsim_scenario *s;
	enum vmxsim_status st;
	struct cli_args a;
	int id;

	vmxsim_stat_options_init(&o);
	o.progress = isatty(STDERR_FILENO);
	cli_begin(&a, cmd, argc, argv);
	while ((id = cli_next(&a, &v)) != CLI_DONE) {
		switch (id) {
		case CLI_EXIT:
			return a.status;
		case OPT_VCPU:
			if (!parse_vcpu(cmd, v, &o.vcpu))
				return CLI_USAGE;
			break;
		case OPT_KEY:
			if (!strcmp(v, "sample"))
				o.key = VMXSIM_STAT_KEY_SAMPLE;
			else if (!strcmp(v, "time"))
				o.key = VMXSIM_STAT_KEY_TIME;
			else
				return cli_usage_error(cmd, "--key: unknown key '%s' (sample or time)", v);
			break;
		case OPT_EVENT:
			if (strcmp(v, "vmexit") != 0)
				return cli_usage_error(cmd, "--event %s: not modelled (vmxsim stat analyses VM exits only: "
				                            "--event vmexit)", v);
			break;
		case OPT_CYCLES:
			o.cycles = true;
			break;
		case OPT_PROGRESS:
		case OPT_NO_PROGRESS:
			o.progress = id == OPT_PROGRESS;
			break;
		case CLI_OPERAND:
			if (!cli_one_operand(cmd, &file, v, "scenario or trace.dat"))
				return CLI_USAGE;
			break;
		}
	}
	if (!cli_have_scenario(cmd, file))
		return CLI_USAGE;
	o.interrupt = cli_catch_interrupts();
	if (strcmp(file, "-") != 0 && stat_is_tracedat(file)) {
		if (o.cycles)
			return cli_usage_error(cmd, "--cycles: %s is a trace.dat, which has times but no cycles", file);
		st = (enum vmxsim_status)stat_tracedat(file, &o, stdout, stderr);
	} else {
		s = cli_load(file);
		if (!s)
			return VMXSIM_BAD_INPUT;
		st = vmxsim_stat_run(s, &o, stdout, stderr);
		vmxsim_scenario_free(s);
	}
	return (int)st;
}

const struct cli_command cmd_stat = {
	.name = "stat",
	.summary = "print VM exits per reason, as perf kvm stat report does",
	.usage = stat_usage,
	.description = "Runs the scenario FILE.scn ('-': standard input) without a trace, or reads\n"
	               "TRACE.dat (a trace-cmd recording: vmxsim's own --format trace-dat, or a real\n"
	               "KVM host's `trace-cmd record -e kvm`), and prints per exit reason the\n"
	               "number of VM exits, their share of the exits and of the time, and the\n"
	               "min, max and average time from each exit to the next VM entry of its vCPU\n"
	               "with the spread of the average, in the columns of `perf kvm stat report`\n"
	               "(docs/trace-format.md).\n",
	.options = stat_options,
	.exit_status = "  0    every expectation held (a trace.dat: it was read)\n"
	               "  1    an expectation failed (the table is still printed)\n"
	               "  2    bad input or usage\n"
	               "  130  interrupted (Ctrl-C): the table of what ran until then\n",
	.more = NULL,
	.main = stat_main,
};
