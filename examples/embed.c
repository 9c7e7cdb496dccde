/* SPDX-License-Identifier: Apache-2.0 */
/*
 * embed.c - a program that embeds vmxsim through its installed library.
 *
 *   embed [SCENARIO.scn]
 *
 * It reads a scenario (the file named on the command line, or the one
 * written below), opens a session on it, runs the first half of the run,
 * raises one NMI for the guest from outside - as a virtual platform's pin
 * or a test bench would - runs the rest, and prints how many VM exits of
 * each reason its watcher saw, then the run's result. The exit status is
 * the run's: 0 every expectation held, 1 one failed, 2 bad input.
 *
 * Build it against an installed vmxsim (see examples/Makefile and
 * examples/CMakeLists.txt):
 *
 *   cc -o embed embed.c $(pkg-config --cflags --libs vmxsim)
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <vmxsim/vmxsim.h>

/*
 * The scenario used when none is named: the story of
 * scenarios/hw/nmi-window.scn (the language is docs/scenario-language.md).
 * The guest's NMI handler runs for 3000 cycles; the scenario sends two NMIs
 * and this program a third, at cycle 15000. Its last expectation counts
 * that third one: it holds only when the NMI raised from outside arrived.
 */
static const char inline_scenario[] =
    "# inline: two NMIs from the scenario, a third from the program that embeds it\n"
    "cpu     nehalem\n"
    "l0      plain\n"
    "\n"
    "guest L1\n"
    "  idt 2 nmi interrupt-gate\n"
    "main:   sti\n"
    "loop:   work 1000\n"
    "        jmp loop\n"
    "nmi:    work 3000\n"
    "        iret\n"
    "\n"
    "at 1000 nmi -> L1 cpu0\n"
    "at 3000 nmi -> L1 cpu0\n"
    "run 30000\n"
    "\n"
    "expect no nmi_nesting\n"
    "expect no lost_event\n"
    "expect count deliver nmi == 3\n";

/* What the watcher keeps: VM exits counted per reason, in the order first seen. */
#define MAX_REASONS 64

struct exit_tally {
	struct {
		char reason[48];
		unsigned long count;
	} by_reason[MAX_REASONS];
	unsigned reasons;
	unsigned long exits;
};

/*
 * The watcher: called for every event of the run, in trace order. The
 * event (and its text) is valid only during the call, so copy what you keep.
 * A watcher only looks; it cannot change the run.
 */
static void count_exit(void *ctx, const struct vmxsim_event *ev)
{
	struct exit_tally *t = ctx;
	char buf[48];
	const char *reason;
	unsigned i;

	if (strcmp(ev->kind, "vmexit") != 0)
		return;
	/* Any field of the text trace, by name, as the text trace prints it. */
	reason = vmxsim_event_field(ev, "reason", buf, sizeof(buf));
	if (!reason)
		reason = "?";
	t->exits++;
	for (i = 0; i < t->reasons; i++) {
		if (strcmp(t->by_reason[i].reason, reason) == 0) {
			t->by_reason[i].count++;
			return;
		}
	}
	if (t->reasons == MAX_REASONS)
		return;
	snprintf(t->by_reason[i].reason, sizeof(t->by_reason[i].reason), "%s", reason);
	t->by_reason[i].count = 1;
	t->reasons++;
}

int main(int argc, char **argv)
{
	struct vmxsim_error err;
	struct vmxsim_scenario *s;
	struct vmxsim_run_options opt;
	struct vmxsim_session *ss;
	struct vmxsim_result res;
	struct exit_tally tally;
	enum vmxsim_status status;
	unsigned i;

	if (argc > 2) {
		fprintf(stderr, "usage: %s [SCENARIO.scn]\n", argv[0]);
		return VMXSIM_BAD_INPUT;
	}
	/* The header and the library it runs with should be the same release. */
	if (strcmp(vmxsim_version(), VMXSIM_VERSION_STRING) != 0)
		fprintf(stderr, "warning: built with vmxsim %s, running with %s\n", VMXSIM_VERSION_STRING,
		        vmxsim_version());

	/* 1. The scenario: from a file, or parsed from memory. Errors come as "file:line:col: what". */
	if (argc == 2)
		s = vmxsim_scenario_load(argv[1], &err);
	else
		s = vmxsim_scenario_parse(inline_scenario, strlen(inline_scenario), "inline.scn", &err);
	if (!s) {
		fprintf(stderr, "%s\n", err.text);
		return VMXSIM_BAD_INPUT;
	}
	printf("vmxsim %s: %s, %u vCPU(s), %zu expectation(s)\n", vmxsim_version(), vmxsim_scenario_name(s),
	       vmxsim_scenario_vcpus(s), vmxsim_scenario_expects(s));

	/*
	 * 2. A session: the machine built and ready, stopped at cycle 0. A
	 * zeroed options struct writes no trace and sends messages (failed
	 * expectations, say) to stderr; set trace_path to keep the trace.
	 */
	memset(&opt, 0, sizeof(opt));
	ss = vmxsim_session_open(s, &opt, 0);
	if (!ss) {
		vmxsim_scenario_free(s);
		return VMXSIM_BAD_INPUT;
	}

	/* 3. A watcher, before the first cycle runs, so that it sees every event. */
	memset(&tally, 0, sizeof(tally));
	if (!vmxsim_session_watch(ss, count_exit, &tally))
		fprintf(stderr, "no room for another watcher\n");

	/*
	 * 4. Run half of it, then raise an NMI for the guest (level 1: it goes
	 * through L0, as a virtual NMI the hypervisor injects) on vCPU 0. The
	 * clock may stand a little past the cycle asked for: a vCPU stops at
	 * an instruction boundary.
	 */
	vmxsim_session_run_until(ss, vmxsim_session_end(ss) / 2);
	{
		const struct vmxsim_stimulus nmi = {
			.kind = VMXSIM_STIM_NMI,
			.level = 1,
			.cpu = 0,
			.origin = "embed",      /* shown in the trace as where it came from */
		};
		uint64_t now = vmxsim_session_now(ss);

		if (vmxsim_session_raise(ss, &nmi, now))
			printf("raised an NMI for L1 on cpu0 at cycle %" PRIu64 "\n", now);
		else
			printf("the machine refused an NMI for L1 on cpu0 at cycle %" PRIu64 "\n", now);
	}

	/* 5. Close: run the rest, judge the expectations, free the session. */
	status = vmxsim_session_close(ss, &res);

	printf("VM exits by reason:\n");
	for (i = 0; i < tally.reasons; i++)
		printf("  %-24s %lu\n", tally.by_reason[i].reason, tally.by_reason[i].count);
	printf("%lu exits seen by the watcher, %" PRIu64 " counted by the run\n", tally.exits, res.exits);
	printf("status %d after %" PRIu64 " cycles: %" PRIu32 " of %" PRIu32 " expectations failed\n", (int)status,
	       res.cycles, res.expects_failed, res.expects);

	/* The scenario must outlive its sessions; free it last. */
	vmxsim_scenario_free(s);
	return (int)status;
}
