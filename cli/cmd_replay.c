/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_replay.c - `vmxsim replay`: a real KVM trace against the model
 * (cli/replay.h, docs/replay.md).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/replay.h"

enum { OPT_L0 = CLI_LONG_ONLY, OPT_CPU, OPT_VCPU, OPT_SCENARIO };

static const struct cli_option replay_options[] = {
	{OPT_L0, "l0", CLI_VALUE, "NAME", "the L0 model the trace is replayed on (default kvm-modern)", NULL},
	{OPT_CPU, "cpu", CLI_VALUE, "NAME",
	 "the CPU model, for its TSC frequency and VMX controls (default nehalem)", NULL},
	{OPT_VCPU, "vcpu", CLI_VALUE, "N", "only vCPU N of the trace (default: every vCPU, one after the other)",
	 NULL},
	{OPT_SCENARIO, "scenario", CLI_NO_VALUE, NULL,
	 "print each generated scenario before its report (a file `vmxsim run` takes)", NULL},
	{0, NULL, CLI_NO_VALUE, NULL, NULL, NULL},
};

static const char *const replay_usage[] = {"[OPTION]... TRACE.txt", NULL};

static int replay_main(const struct cli_command *cmd, int argc, char **argv)
{
	struct rp_options o = {"kvm-modern", "nehalem", false};
	const char *file = NULL, *v;
	struct rp_tally tally = {0};
	struct rp_trace t;
	struct cli_args a;
	uint32_t only = RP_NO_VCPU, ran = 0;
	int id;

	cli_begin(&a, cmd, argc, argv);
	while ((id = cli_next(&a, &v)) != CLI_DONE) {
		switch (id) {
		case CLI_EXIT:
			return a.status;
		case OPT_L0:
			o.l0 = v;
			break;
		case OPT_CPU:
			o.cpu = v;
			break;
		case OPT_VCPU: {
			unsigned n;
			char c;
			if (sscanf(v, "%u%c", &n, &c) != 1)
				return cli_usage_error(cmd, "--vcpu: '%s' is not a vCPU number", v);
			only = n;
			break;
		}
		case OPT_SCENARIO:
			o.show_scenario = true;
			break;
		case CLI_OPERAND:
			if (!cli_one_operand(cmd, &file, v, "trace"))
				return CLI_USAGE;
			break;
		}
	}
	if (!file)
		return cli_usage_error(cmd, "missing trace file (trace-cmd report output, or - for standard input)");
	if (!rp_parse(file, &t, stderr))
		return CLI_USAGE;
	if (only != RP_NO_VCPU && only >= t.nvcpus) {
		fprintf(stderr, "vmxsim replay: %s has no vCPU %u (it has %u)\n", file, only, t.nvcpus);
		rp_free(&t);
		return CLI_USAGE;
	}
	if (t.thread_guessed)
		printf("assumption: events of a thread that never names its vCPU (no kvm_entry) are vCPU 0's\n");
	for (uint32_t c = 0; c < t.nvcpus; c++) {
		struct rp_plan plan;
		struct rp_model_run run;
		bool has = false;

		if (only != RP_NO_VCPU && c != only)
			continue;
		for (size_t i = 0; i < t.n && !has; i++)
			has = t.ev[i].vcpu == c;
		if (!has)
			continue;
		if (!rp_model(&t, c, &o, &plan, &run, stderr)) {
			rp_plan_free(&plan);
			rp_model_run_free(&run);
			rp_free(&t);
			return CLI_USAGE;
		}
		if (o.show_scenario)
			printf("%s\n", plan.scenario);
		rp_align(&t, c, &plan, &run, &tally, stdout);
		rp_plan_free(&plan);
		rp_model_run_free(&run);
		ran++;
	}
	printf("summary: %s on %s (%u vCPU%s): %u agree, %u differ, %u model only, %u not inferable\n", file, o.l0, ran,
	       ran == 1 ? "" : "s", tally.agree, tally.differ, tally.model_only, tally.not_inferable);
	rp_free(&t);
	return 0;
}

const struct cli_command cmd_replay = {
	.name = "replay",
	.summary = "replay a real KVM trace on the model and say where they agree",
	.usage = replay_usage,
	.description = "Reads TRACE.txt - `trace-cmd report` output or the tracefs trace file of a\n"
	               "KVM host ('-': standard input) - and, per vCPU, builds a scenario from it: a\n"
	               "guest that makes the exits the trace shows, and the interrupts and NMIs that\n"
	               "became pending. It runs that on the L0 model and prints each real exit,\n"
	               "injection and entry beside the model's: agree, differs (with what the model\n"
	               "did), or not inferable (what the trace cannot tell), then the assumptions it\n"
	               "made and a summary (docs/replay.md).\n",
	.options = replay_options,
	.exit_status = "  0    the trace was replayed (differences are results, not errors)\n"
	               "  2    the trace cannot be read (FILE:LINE:COL on standard error), or usage\n",
	.more = NULL,
	.main = replay_main,
};
