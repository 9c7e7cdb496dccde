// SPDX-License-Identifier: Apache-2.0
/*
 * Data breakpoints under the KVM models (rules R12, R24): the breakpoint
 * and watchpoint checks of kvm-unit-tests x86/debug.c (scenarios/kvm-debug/watchpoint-*)
 * give the handler the same DR6 and the same number of #DBs on the
 * processor alone, as an L2 under today's nested KVM, and as a guest of
 * the KVM of 2011 and of today. KVM intercepts #DB in each of those eras
 * and queues the trap back with the exit's B1 as its DR6 bits; the INT n
 * and INT3 after MOV SS are the processor's, which carries the held trap
 * to the handler.
 */
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "scn_text.h"
#include "vmxsim/equiv.h"

namespace {

/* The `record` lines of `level`, without their times: what the test's handlers kept. */
std::vector<std::string> Records(const std::string &trace, const char *level)
{
	std::vector<std::string> out;
	for (const std::string &line : TraceLinesWith(trace, {level, "record"}))
		out.push_back(line.substr(line.find("record")));
	return out;
}

/* `vmxsim equiv --l0 L0` on a shipped bare-metal scenario: its status and report. */
int Equiv(const char *rel, const char *l0, std::string *report)
{
	char *buf = nullptr;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	int rc = vmxsim_equiv_under((std::string(VMXSIM_SOURCE_DIR) + "/scenarios/" + rel).c_str(), l0, out, stderr);
	std::fclose(out);
	*report = std::string(buf ? buf : "", len);
	std::free(buf);
	return rc;
}

}  // namespace

TEST(KvmWatchpoint, R24_TheHandlerSeesTheSameDr6AndCountsOnBareMetalAndInL2UnderKvmModern)
{
	const std::string bare_text = ShippedScenario("kvm-debug/watchpoint-bare.scn");
	ScnRun bare = RunOk(bare_text);
	std::vector<std::string> want = Records(bare.trace, "L2");
	ASSERT_EQ(want.size(), 12u) << bare.trace;
	EXPECT_NE(want[0].find("rcx=0xffff0ff4"), std::string::npos);    // the instruction breakpoint: B2
	EXPECT_NE(want[1].find("rcx=0xffff4ff4"), std::string::npos);    // B1 replaced by B2, BS kept
	EXPECT_NE(want[2].find("rcx=0xffff4ff2"), std::string::npos);    // the watchpoint: BS left by software, B1
	EXPECT_NE(want[11].find("rbx=0x1 r9=0x3"), std::string::npos);   // #BP once, #DB once

	ScnRun nested = RunOk(WithL0Line(bare_text, "kvm-modern"));
	EXPECT_EQ(Records(nested.trace, "L2"), want) << nested.trace;
	// L0 keeps the #DB exits L1 does not want and queues them into L2: two breakpoint faults and four traps
	// (the two INT1s exit as type 5).
	EXPECT_EQ(TraceLinesWith(nested.trace, {"L2 vmexit", "reason=EXCEPTION_NMI", "intr_info=0x80000301"}).size(),
	          6u) << nested.trace;
	// kvm-2011 runs L2's MOV DR through handle_dr() and reflects the #DBs into L2 as for a single-level guest:
	// the BS software left is lost (0xffff0ff2), and L2 loops on the ICEBP, a documented difference.
	ScnRun old = RunScenarioText(WithL0Line(bare_text, "kvm-2011"));
	std::vector<std::string> got = Records(old.trace, "L2");
	ASSERT_GE(got.size(), 5u) << old.trace;
	EXPECT_NE(got[1].find("rcx=0xffff0ff4"), std::string::npos) << got[1];
	EXPECT_NE(got[2].find("rcx=0xffff0ff2"), std::string::npos) << got[2];
	EXPECT_NE(got[3].find("rcx=0xffff0ff2"), std::string::npos) << got[3];
	std::string report;
	EXPECT_EQ(Equiv("kvm-debug/watchpoint-bare.scn", "kvm-2011", &report), 0) << report;
	EXPECT_NE(report.find("and L2 records the same 1 values, then a documented difference of its L0 (docs/nested.md): "
	                      "kvm-2011 sets arch.dr6 to the #DB's bits alone"), std::string::npos) << report;
}

TEST(KvmWatchpoint, R24_AGuestOfTodaysKvmSeesWhatTheProcessorGives)
{
	std::vector<std::string> want = Records(RunOk(ShippedScenario("kvm-debug/watchpoint-bare.scn")).trace, "L2");
	ScnRun r = RunOk(ShippedScenario("kvm-debug/watchpoint-modern.scn"));
	std::vector<std::string> got = Records(r.trace, "L1");
	ASSERT_EQ(got.size(), want.size()) << r.trace;
	// The same values; only the RIPs differ (the guest's program has no launcher in front of it).
	for (size_t i = 0; i < got.size(); i++)
		EXPECT_EQ(got[i].substr(got[i].find(' ', got[i].find("rip="))),
		          want[i].substr(want[i].find(' ', want[i].find("rip="))));
	// The four data-breakpoint traps that are taken are #DB exits with B1, queued back with B1 in DR6, and the
	// two instruction breakpoints #DB exits with B2.
	EXPECT_EQ(TraceLinesWith(r.trace, {"L1 vmexit", "reason=EXCEPTION_NMI", "qual=0x2", "intr_info=0x80000301"})
	              .size(), 4u) << r.trace;
	EXPECT_EQ(TraceLinesWith(r.trace, {"L1 vmexit", "reason=EXCEPTION_NMI", "qual=0x4", "intr_info=0x80000301"})
	              .size(), 2u) << r.trace;
}

/* 3.1's handle_exception(): arch.dr6 = the qualification | DR6_FIXED_1, and INT1 not skipped. */
TEST(KvmWatchpoint, R24_Kvm2011LosesTheBsSoftwareLeftInDr6AndLoopsOnIcebp)
{
	ScnRun r = RunOk(ShippedScenario("kvm-debug/watchpoint-2011.scn"));
	std::vector<std::string> got = Records(r.trace, "L1");
	ASSERT_GE(got.size(), 5u) << r.trace;
	EXPECT_NE(got[1].find("rcx=0xffff0ff4"), std::string::npos) << got[1];   // the processor gives 0xffff4ff4
	EXPECT_NE(got[2].find("rcx=0xffff0ff2"), std::string::npos) << got[2];   // the processor gives 0xffff4ff2
	EXPECT_TRUE(TraceLinesWith(r.trace, {"L1 record", "r9="}).empty()) << "the MOV SS checks are never reached";
	EXPECT_GE(TraceLinesWith(r.trace, {"L1 vmexit", "reason=EXCEPTION_NMI", "intr_info=0x80000501"}).size(), 5u);
}

/* equiv compares what L2's program records too, once L1's view agrees. */
TEST(KvmWatchpoint, EquivComparesL2sRecords)
{
	std::string report;
	EXPECT_EQ(Equiv("kvm-debug/watchpoint-bare.scn", "kvm-modern", &report), 0) << report;
	EXPECT_NE(report.find("L1 sees the same 1 events on bare metal and under its L0, and L2 records the same 12 "
	                      "values"), std::string::npos) << report;
	// A TSC that L2 read: the nested run reads it later, and equiv shows where.
	EXPECT_EQ(Equiv("hw/rdtsc-exit.scn", "kvm-modern", &report), 1) << report;
	EXPECT_NE(report.find("L1 sees the same 1 events, but L2 records a difference at its record 1 (of 1 under L0, 1 "
	                      "on bare metal)"), std::string::npos) << report;
	EXPECT_NE(report.find("cpu0 L2 records rip="), std::string::npos) << report;
}
