/* SPDX-License-Identifier: Apache-2.0 */
// Host NMI latency and the host_nmi_delayed verdict (model/monitor/latency.c),
// forced unblocks of the soft NMI-blocked flag (forced_unblock.c), the three
// monitors together as the machine attaches them (summaries.c), and runs
// through run_scenario with a JSONL trace. Synthetic event sequences as the
// machine makes them, judged by the `summary` and `violation` lines the
// monitors emit.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "lib/scenario_run.h"
#include "front/scenario.h"
#include "model/trace/trace.h"
#include "unit/monitor_events.h"
#include "unit/monitor_latency_fixture.h"
#include "unit/scn_text.h"

namespace {

using namespace latency_test;

// ---- host NMIs ---------------------------------------------------------------------

class MonitorHostNmi : public MonitorFixture<monitor_host_nmi> {
protected:
	void Init(uint64_t limit, bool bare_metal = false)
	{
		trace_bus_init(&bus);
		monitor_host_nmi_free(mon.get());   // Init(0) in a test replaces SetUp's
		ASSERT_TRUE(monitor_host_nmi_init(mon.get(), &bus, limit, MONITOR_MAX_CPUS, bare_metal, true));
		Attach();
	}
	void SetUp() override { Init(24000); }   // 10 us at 2.4 GHz
	std::vector<std::string> Finish(uint64_t cycle = 50000)
	{
		monitor_host_nmi_finish(mon.get(), UINT32_MAX, cycle);
		return out.summaries;
	}
};

TEST_F(MonitorHostNmi, HandledByTheHost)
{
	// nmi-exit.scn: the first at 3000 handled at 4400; the second, latched meanwhile, at 4730.
	Feed({Stimulus(3000, 0, 0), Host(4400, 0), Stimulus(4500, 0, 0), Host(4730, 0)});
	std::vector<std::string> s = Finish(20000);
	ASSERT_EQ(s.size(), 1u);
	EXPECT_EQ(s[0], "       20000 cpu0 L0 summary       kind=host_nmi_latency count=2 min=230 median=230 max=1400 unmatched=0");
	EXPECT_TRUE(out.violations.empty());
	EXPECT_EQ(mon->violations, 0u);
}

// Bare metal (l0 none): the host is the L1 program, and the NMI's exit (R22) hands the NMI to it.
TEST_F(MonitorHostNmi, OnBareMetalTheNmiExitIsTheHandling)
{
	Init(24000, true);
	Feed({Stimulus(2000, 0, 0), NmiExit(2000)});
	std::vector<std::string> s = Finish(30000);
	ASSERT_EQ(s.size(), 1u);
	EXPECT_EQ(s[0], "       30000 cpu0 L0 summary       kind=host_nmi_latency count=1 min=0 median=0 max=0 unmatched=0");
	EXPECT_TRUE(out.violations.empty());
}

// With an L0 in C the host handles the pin NMI itself (a `host` event); the exit alone is not it.
TEST_F(MonitorHostNmi, WithAnL0TheNmiExitIsNotTheHandling)
{
	Feed({Stimulus(2000, 0, 0), NmiExit(2000)});
	std::vector<std::string> s = Finish(30000);
	ASSERT_EQ(s.size(), 1u);
	EXPECT_EQ(s[0], "       30000 cpu0 L0 summary       kind=host_nmi_latency count=0 unmatched=1");
}

TEST_F(MonitorHostNmi, TakenByTheGuestDirectly)
{
	Feed({Stimulus(2000, 0, 0), Deliver(2050, 0, 1, false)});
	std::vector<std::string> s = Finish(30000);
	ASSERT_EQ(s.size(), 1u);
	EXPECT_EQ(s[0], "       30000 cpu0 L0 summary       kind=host_nmi_latency count=1 min=50 median=50 max=50 unmatched=0");
}

TEST_F(MonitorHostNmi, GuestEventsAreNotHostHandling)
{
	Feed({Stimulus(1000, 0, 0),
	      Stimulus(1000, 0, 1),                    // a guest NMI: not the host's
	      Deliver(1100, 0, 1, true),               // injected by the hypervisor
	      Host(1200, 0, "irq"),                    // the host's interrupt, not its NMI
	      Deliver(1300, 0, 1, false, "ext-intr"),  // an interrupt straight to the guest
	      Host(1400, 1),                           // another vCPU's host
	      Host(5000, 0)});
	std::vector<std::string> s = Finish();
	// cpu1's host handled an NMI nobody raised: nothing to match, no summary.
	ASSERT_EQ(s.size(), 1u);
	EXPECT_EQ(s[0], "       50000 cpu0 L0 summary       kind=host_nmi_latency count=1 min=4000 median=4000 max=4000 unmatched=0");
}

TEST_F(MonitorHostNmi, LostEdgeIsUnmatchedAndDoesNotShiftTheFifo)
{
	// nmi-passthrough.scn, then one more NMI: the edge lost at 4000 must not be matched with it.
	Feed({Stimulus(2000, 0, 0), Deliver(2050, 0, 1, false), Stimulus(3000, 0, 0), Stimulus(4000, 0, 0), NmiLost(4000, 0),
	      Deliver(7130, 0, 1, false), Stimulus(20000, 0, 0), Deliver(20050, 0, 1, false)});
	std::vector<std::string> s = Finish(30000);
	ASSERT_EQ(s.size(), 1u);
	EXPECT_EQ(s[0], "       30000 cpu0 L0 summary       kind=host_nmi_latency count=3 min=50 median=50 max=4130 unmatched=1");
	EXPECT_TRUE(out.violations.empty());
}

TEST_F(MonitorHostNmi, DelayedTriggers)
{
	Feed({Stimulus(1000, 0, 0), Host(30000, 0)});
	ASSERT_EQ(out.violations.size(), 1u);
	EXPECT_EQ(out.violations[0],
	          "       30000 cpu0 L0 violation     kind=host_nmi_delayed raised_at=1000 waited=29000 limit=24000 handled=1");
	// Right behind the handling it judges.
	ASSERT_EQ(out.all.size(), 3u);
	EXPECT_EQ(out.all[1], "       30000 cpu0 L0 host          type=nmi");
	EXPECT_EQ(mon->violations, 1u);
	std::vector<std::string> s = Finish();
	EXPECT_EQ(s[0], "       50000 cpu0 L0 summary       kind=host_nmi_latency count=1 min=29000 median=29000 max=29000 unmatched=0");
}

TEST_F(MonitorHostNmi, DelayedTriggersForTheGuestsDirectDelivery)
{
	Feed({Stimulus(2000, 0, 0), Deliver(2050, 0, 1, false), Stimulus(3000, 0, 0), Deliver(27001, 0, 1, false)});
	ASSERT_EQ(out.violations.size(), 1u);
	EXPECT_EQ(out.violations[0],
	          "       27001 cpu0 L0 violation     kind=host_nmi_delayed raised_at=3000 waited=24001 limit=24000 handled=1");
}

TEST_F(MonitorHostNmi, AtTheLimitIsNotDelayed)
{
	Feed({Stimulus(1000, 0, 0), Host(25000, 0), Stimulus(30000, 0, 0), Host(30001, 0)});
	EXPECT_TRUE(out.violations.empty());
	Finish(54000);   // nothing waits at the end
	EXPECT_TRUE(out.violations.empty());
	EXPECT_EQ(mon->violations, 0u);
}

TEST_F(MonitorHostNmi, StillWaitingPastTheLimitAtTheEndTriggers)
{
	Feed({Stimulus(1000, 0, 0), Stimulus(20000, 0, 0), Stimulus(40000, 0, 0)});
	std::vector<std::string> s = Finish(50000);
	// Only the two that waited more than 24000 cycles by the end, oldest first, before the summary.
	ASSERT_EQ(out.violations.size(), 2u);
	EXPECT_EQ(out.violations[0],
	          "       50000 cpu0 L0 violation     kind=host_nmi_delayed raised_at=1000 waited=49000 limit=24000 handled=0");
	EXPECT_EQ(out.violations[1],
	          "       50000 cpu0 L0 violation     kind=host_nmi_delayed raised_at=20000 waited=30000 limit=24000 handled=0");
	ASSERT_EQ(s.size(), 1u);
	EXPECT_EQ(s[0], "       50000 cpu0 L0 summary       kind=host_nmi_latency count=0 unmatched=3");
	EXPECT_EQ(out.all.back(), s[0]);
}

TEST_F(MonitorHostNmi, NoLimitNoVerdict)
{
	Init(0);
	Feed({Stimulus(1000, 0, 0), Host(1000000000, 0), Stimulus(1000000001, 0, 0)});
	Finish(4000000000ull);
	EXPECT_TRUE(out.violations.empty());
	ASSERT_EQ(out.summaries.size(), 1u);
	EXPECT_EQ(out.summaries[0], "  4000000000 cpu0 L0 summary       kind=host_nmi_latency count=1 min=999999000 "
	                            "median=999999000 max=999999000 unmatched=1");
	EXPECT_EQ(monitor_latency_median(&mon->lat[0]), 999999000u);
}

TEST_F(MonitorHostNmi, RingOverflowCountsAsUnmatched)
{
	for (uint64_t i = 0; i < MONITOR_LAT_RING + 3; i++)
		Feed({Stimulus(100 + i, 0, 0)});
	Feed({NmiLost(200, 0)});   // the newest raise, already beyond the ring: counted once
	for (uint64_t i = 0; i < MONITOR_LAT_RING + 3; i++)
		Feed({Host(1100 + i, 0)});
	std::vector<std::string> s = Finish();
	ASSERT_EQ(s.size(), 1u);
	EXPECT_EQ(s[0], "       50000 cpu0 L0 summary       kind=host_nmi_latency count=64 min=1000 median=1000 max=1000 unmatched=3");
}

// ---- forced unblocks ---------------------------------------------------------------

class MonitorForcedUnblock : public MonitorFixture<monitor_forced_unblock> {
protected:
	void SetUp() override
	{
		trace_bus_init(&bus);
		monitor_forced_unblock_init(mon.get(), &bus);
		Attach();
	}
	std::vector<std::string> Finish(uint64_t cycle = 3000000000ull)
	{
		monitor_forced_unblock_finish(mon.get(), UINT32_MAX, cycle);
		return out.summaries;
	}
};

TEST_F(MonitorForcedUnblock, NoneNoSummary)
{
	Feed({SoftVnmi(100, 0, true, "NMI injected"), SoftVnmi(200, 0, false, "exit with an open interrupt window"),
	      Warning(300, 0, "something else entirely")});
	EXPECT_TRUE(Finish().empty());
}

TEST_F(MonitorForcedUnblock, WarningAndTimeoutAreOneUnblock)
{
	// timeout-1s.scn: the patch prints its warning and clears the flag right behind it.
	Feed({SoftVnmi(2781, 0, true, "NMI injected"), Warning(2424000000ull, 0, kForcedMsg),
	      SoftVnmi(2424000000ull, 0, false, "timeout")});
	std::vector<std::string> s = Finish(2640000000ull);
	ASSERT_EQ(s.size(), 1u);
	EXPECT_EQ(s[0], "  2640000000 cpu0 L0 summary       kind=forced_unblocks count=1");
	EXPECT_TRUE(out.violations.empty());
}

TEST_F(MonitorForcedUnblock, EitherAloneCounts)
{
	Feed({Warning(100, 0, kForcedMsg), SoftVnmi(200, 0, true, "NMI injected"),   // a warning without the flag cleared
	      SoftVnmi(300, 0, false, "timeout")});                                  // the flag cleared without a warning
	std::vector<std::string> s = Finish();
	ASSERT_EQ(s.size(), 1u);
	EXPECT_EQ(s[0], "  3000000000 cpu0 L0 summary       kind=forced_unblocks count=2");
}

TEST_F(MonitorForcedUnblock, RepeatedUnblocksEachCount)
{
	Feed({Warning(100, 0, kForcedMsg), SoftVnmi(100, 0, false, "timeout"), SoftVnmi(150, 0, true, "NMI injected"),
	      Warning(200, 0, kForcedMsg), SoftVnmi(200, 0, false, "timeout"), Warning(300, 0, kForcedMsg),
	      Warning(400, 0, kForcedMsg)});
	std::vector<std::string> s = Finish();
	ASSERT_EQ(s.size(), 1u);
	EXPECT_EQ(s[0], "  3000000000 cpu0 L0 summary       kind=forced_unblocks count=4");
}

TEST_F(MonitorForcedUnblock, MessageMustStartWithTheKernelsText)
{
	Feed({Warning(100, 0, "vmx: Breaking out of NMI-blocked state"), Warning(200, 0, "Breaking out of NMI"),
	      SoftVnmi(300, 0, false, "timeout-ish"), SoftVnmi(400, 0, false, "Timeout")});
	EXPECT_TRUE(Finish().empty());
}

TEST_F(MonitorForcedUnblock, PerCpuInCpuOrder)
{
	// Pairs are per vCPU: another vCPU's lines in between do not split them.
	Feed({Warning(100, 1, kForcedMsg), Warning(100, 0, kForcedMsg), SoftVnmi(100, 1, false, "timeout"),
	      SoftVnmi(100, 0, false, "timeout"), SoftVnmi(500, 1, false, "timeout"),
	      Warning(600, 70, kForcedMsg)});   // beyond the vCPUs the monitor follows: ignored
	std::vector<std::string> s = Finish();
	ASSERT_EQ(s.size(), 2u);
	EXPECT_EQ(s[0], "  3000000000 cpu0 L0 summary       kind=forced_unblocks count=1");
	EXPECT_EQ(s[1], "  3000000000 cpu1 L0 summary       kind=forced_unblocks count=2");
}

// ---- the three together, as the machine attaches and finishes them --------------------

TEST(MonitorNmiLatencyWithOthers, SummariesInCpuThenLevelOrder)
{
	trace_bus bus;
	trace_bus_init(&bus);
	std::unique_ptr<monitor_summaries> all(new monitor_summaries);
	Lines out;
	ASSERT_TRUE(monitor_summaries_init(all.get(), &bus, 24000, 2, false, true));
	ASSERT_TRUE(monitor_summaries_attach(all.get(), &bus));
	ASSERT_TRUE(trace_bus_attach(&bus, &out.base));
	const std::vector<trace_event> evs = {
	    Stimulus(100, 1, 1), Deliver(300, 1, 1, true),                            // cpu1 L1
	    Warning(400, 1, kForcedMsg), SoftVnmi(400, 1, false, "timeout"),          // cpu1 L0
	    Stimulus(100, 0, 1), Deliver(200, 0, 1, true),                            // cpu0 L1
	    Stimulus(100, 0, 0), Host(100000, 0),                                     // cpu0 L0, delayed
	};
	for (const trace_event &e : evs)
		trace_bus_emit(&bus, &e);
	monitor_summaries_finish(all.get(), 200000);
	monitor_summaries_free(all.get());
	ASSERT_EQ(out.summaries.size(), 4u);
	EXPECT_EQ(out.summaries[0], "      200000 cpu0 L0 summary       kind=host_nmi_latency count=1 min=99900 median=99900 max=99900 unmatched=0");
	EXPECT_EQ(out.summaries[1], "      200000 cpu0 L1 summary       kind=nmi_latency count=1 min=100 median=100 max=100 unmatched=0");
	EXPECT_EQ(out.summaries[2], "      200000 cpu1 L0 summary       kind=forced_unblocks count=1");
	EXPECT_EQ(out.summaries[3], "      200000 cpu1 L1 summary       kind=nmi_latency count=1 min=200 median=200 max=200 unmatched=0");
	ASSERT_EQ(out.violations.size(), 1u);
	EXPECT_EQ(out.violations[0],
	          "      100000 cpu0 L0 violation     kind=host_nmi_delayed raised_at=100 waited=99900 limit=24000 handled=1");
	EXPECT_EQ(bus.dropped, 0u);
}

// ---- end to end: a scenario through run_scenario, JSONL trace ------------------

struct LatencyRun : ScnRun {
	std::vector<std::string> lines;
};

LatencyRun RunScenario(const std::string &text)
{
	LatencyRun r;
	static_cast<ScnRun &>(r) = RunScenarioText(text, TRACE_FORMAT_JSONL, "latency.scn");
	for (size_t p = 0, nl; p < r.trace.size(); p = nl + 1) {
		nl = r.trace.find('\n', p);
		if (nl == std::string::npos)
			nl = r.trace.size();
		r.lines.push_back(r.trace.substr(p, nl - p));
	}
	return r;
}

// The value of "key":NUMBER in a JSONL line (-1 if absent).
long long Num(const std::string &line, const std::string &key)
{
	size_t p = line.find("\"" + key + "\":");
	return p == std::string::npos ? -1 : std::atoll(line.c_str() + p + key.size() + 3);
}

bool Has(const std::string &line, const std::string &frag) { return line.find(frag) != std::string::npos; }

// nmi-window.scn (two guest NMIs, the second held by virtual-NMI blocking) with
// two host NMIs of nmi-exit.scn (NMI exiting: the host handles them).
const char kGuestAndHost[] =
    "cpu     nehalem\n"
    "l0      plain\n"
    "guest L1\n"
    "  idt 2 nmi interrupt-gate\n"
    "main:   sti\n"
    "loop:   work 1000\n"
    "        jmp loop\n"
    "nmi:    work 3000\n"
    "        iret\n"
    "at 1000 nmi -> L1 cpu0\n"
    "at 3000 nmi -> L1 cpu0\n"
    "at 40000 nmi -> L0 cpu0\n"
    "at 41000 nmi -> L0 cpu0\n"
    "run 100000\n"
    "expect no host_nmi_delayed\n";

TEST(MonitorNmiLatencyEndToEnd, SummaryInJsonlTrace)
{
	LatencyRun r = RunScenario(kGuestAndHost);
	ASSERT_EQ(r.status, VMXSIM_OK) << r.diag;
	ASSERT_GE(r.lines.size(), 3u);
	EXPECT_TRUE(Has(r.lines.back(), "\"event\":\"end\""));

	// The guest's NMIs, FIFO-matched by hand from the same trace.
	std::vector<long long> raised, delivered;
	for (const std::string &l : r.lines) {
		if (Has(l, "\"level\":1,\"event\":\"stimulus\",\"type\":\"nmi\""))
			raised.push_back(Num(l, "cycle"));
		if (Has(l, "\"level\":1,\"event\":\"deliver\"") && Has(l, "\"type\":\"nmi\",\"injected\":true"))
			delivered.push_back(Num(l, "cycle"));
	}
	ASSERT_EQ(raised.size(), 2u);
	ASSERT_EQ(delivered.size(), 2u);
	long long a = delivered[0] - raised[0], b = delivered[1] - raised[1];

	std::vector<std::string> sums;
	for (const std::string &l : r.lines)
		if (Has(l, "\"event\":\"summary\""))
			sums.push_back(l);
	ASSERT_EQ(sums.size(), 2u) << r.trace;
	// Host NMIs (cpu0 L0) first, then the guest's (cpu0 L1), both just before `end`.
	EXPECT_TRUE(Has(sums[0], "{\"cycle\":100000,\"cpu\":0,\"level\":0,\"event\":\"summary\",\"kind\":\"host_nmi_latency\","
	                         "\"count\":2,"))
	    << sums[0];
	EXPECT_EQ(Num(sums[0], "unmatched"), 0);
	EXPECT_GT(Num(sums[0], "min"), 0);
	EXPECT_LE(Num(sums[0], "max"), 10000);
	EXPECT_EQ(sums[1], "{\"cycle\":100000,\"cpu\":0,\"level\":1,\"event\":\"summary\",\"kind\":\"nmi_latency\",\"count\":2,"
	                   "\"min\":" + std::to_string(std::min(a, b)) + ",\"median\":" + std::to_string(std::min(a, b)) +
	                       ",\"max\":" + std::to_string(std::max(a, b)) + ",\"unmatched\":0}");
	EXPECT_EQ(r.lines[r.lines.size() - 3], sums[0]);
	EXPECT_EQ(r.lines[r.lines.size() - 2], sums[1]);
	for (const std::string &l : r.lines)
		EXPECT_FALSE(Has(l, "host_nmi_delayed")) << l;
}

// nmi-passthrough.scn at 1 GHz (10 us = 10000 cycles) with two host NMIs: NMI
// exiting off, the guest takes them directly, and its handler (HANDLER cycles)
// holds the second one off until its IRET.
std::string Passthrough(const std::string &handler, const std::string &expect)
{
	return "cpu     nehalem tsc-hz 1GHz\n"
	       "l0      plain\n"
	       "guest L1\n"
	       "  vmcs PIN_BASED_VM_EXEC_CONTROL PIN_BASED_EXT_INTR_MASK\n"
	       "  idt 2 nmi interrupt-gate\n"
	       "main:   sti\n"
	       "loop:   work 1000\n"
	       "        jmp loop\n"
	       "nmi:    work " + handler + "\n"
	       "        iret\n"
	       "at 2000 nmi -> L0 cpu0\n"
	       "at 3000 nmi -> L0 cpu0\n"
	       "run 100000\n"
	       "expect no lost_event\n" + expect;
}

TEST(MonitorHostNmiEndToEnd, ShortGuestNmiHandlerDelaysNothing)
{
	LatencyRun r = RunScenario(Passthrough("5000", "expect no host_nmi_delayed\n"));
	ASSERT_EQ(r.status, VMXSIM_OK) << r.diag << r.trace;
	int sums = 0;
	for (const std::string &l : r.lines)
		if (Has(l, "\"kind\":\"host_nmi_latency\"")) {
			sums++;
			EXPECT_EQ(Num(l, "count"), 2) << l;
			EXPECT_LT(Num(l, "max"), 10000) << l;
		}
	EXPECT_EQ(sums, 1);
}

TEST(MonitorHostNmiEndToEnd, LongGuestNmiHandlerDelaysTheHostsNmi)
{
	// The guest's NMI handler runs 30 us with NMIs blocked; the second host NMI
	// waits for its IRET, longer than 10 us.
	LatencyRun r = RunScenario(Passthrough("30000", "expect host_nmi_delayed\n"));
	ASSERT_EQ(r.status, VMXSIM_OK) << r.diag << r.trace;
	int n = 0;
	for (const std::string &l : r.lines)
		if (Has(l, "\"kind\":\"host_nmi_delayed\"")) {
			n++;
			EXPECT_TRUE(Has(l, "\"level\":0,\"event\":\"violation\"")) << l;
			EXPECT_EQ(Num(l, "raised_at"), 3000) << l;
			EXPECT_GT(Num(l, "waited"), 10000) << l;
			EXPECT_EQ(Num(l, "limit"), 10000) << l;
			EXPECT_TRUE(Has(l, "\"handled\":true")) << l;
		}
	EXPECT_EQ(n, 1) << r.trace;

	// And `expect no host_nmi_delayed` fails on it.
	LatencyRun f = RunScenario(Passthrough("30000", "expect no host_nmi_delayed\n"));
	EXPECT_EQ(f.status, VMXSIM_FAILED) << f.diag;
	EXPECT_TRUE(Has(f.diag, "host_nmi_delayed")) << f.diag;
}

TEST(MonitorHostNmiEndToEnd, VerdictKindIsKnown)
{
	EXPECT_TRUE(verdict_known("host_nmi_delayed"));
	EXPECT_FALSE(verdict_known("nmi_latency"));   // a summary, not a verdict
}

}  // namespace
