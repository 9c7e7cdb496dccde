/* SPDX-License-Identifier: Apache-2.0 */
/*
 * machine_run_prefix (the shared prefix explore branches from) with several
 * vCPUs stops between two windows of the run loop and keeps the loop's
 * `next` (resume_next) for the call that goes on. A run stopped there and
 * taken up again - by machine_run to the end, or by another prefix and
 * then the end - must write the trace of the run that never stopped, byte
 * for byte, wherever the stop falls: inside a window, on a window's edge,
 * at a stimulus, at an IPI between vCPUs. (Dropping resume_next alone does
 * not change this scenario's trace: the windows it cuts short hold no
 * event of another vCPU. What is checked is the whole stop-and-go.)
 */
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "front/scenario.h"
#include "lib/scenario_run.h"
#include "model/machine/machine.h"
#include "scn_text.h"

namespace {

/* The trace of a run of text, stopped first at each cycle of `stops` (in order) by machine_run_prefix. */
std::string TraceStoppedAt(const std::string &text, std::initializer_list<uint64_t> stops)
{
	scn_error err;
	scn_scenario *s = scn_parse(text.data(), text.size(), "prefix.scn", &err);
	EXPECT_NE(s, nullptr);
	if (!s)
		return "";
	char *buf = nullptr;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	run_handle *h = run_open(s, f, TRACE_FORMAT_TEXT, stderr, nullptr, 0);
	EXPECT_NE(h, nullptr);
	if (h) {
		for (uint64_t at : stops)
			machine_run_prefix(run_handle_machine(h), at);
		machine_run(run_handle_machine(h));
		run_close(h, nullptr);
	}
	fclose(f);
	std::string out(buf, len);
	free(buf);
	scn_free(s);
	return out;
}

}  // namespace

TEST(MachinePrefix, SeveralVcpusResumeAsIfNeverStopped)
{
	/* Three vCPUs, NMI IPIs between them (200 cycles on the bus), a host timer, a scenario stimulus. */
	std::string text = ShippedScenario("soft-vnmi/smp-nmi-ipi.scn");
	text.replace(text.find("idle:   work 1000"), 17, "idle:   ipi cpu1 40\n        work 150\n        ipi cpu2 41\n        work 170");
	text.replace(text.find("run 100000"), 10,
	             "every 333 irq 236 -> L0 cpu1\nevery 501 irq 237 -> L0 cpu2\nat 45013 nmi -> L1 cpu2\nrun 100000");
	const std::string whole = TraceStoppedAt(text, {});
	ASSERT_NE(whole.find("deliver"), std::string::npos) << whole;
	/* Every 97 cycles up to the end, and around the IPIs and the stimulus. */
	for (uint64_t at = 1; at < 100000; at += 97)
		EXPECT_EQ(TraceStoppedAt(text, {at}), whole) << "stopped at " << at;
	for (uint64_t at : {3000u, 3001u, 3200u, 3201u, 33000u, 45012u, 45013u, 45014u})
		EXPECT_EQ(TraceStoppedAt(text, {at}), whole) << "stopped at " << at;
	/* Stopped twice: the second prefix starts from the first one's resume_next. */
	EXPECT_EQ(TraceStoppedAt(text, {3100, 3150}), whole);
	EXPECT_EQ(TraceStoppedAt(text, {20000, 45013}), whole);
}
