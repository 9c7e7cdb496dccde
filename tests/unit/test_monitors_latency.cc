/* SPDX-License-Identifier: Apache-2.0 */
// The monitors with end-of-run figures (model/monitor/latency.c,
// forced_unblock.c, summaries.c): NMI latency for the guests, host NMI
// latency and the host_nmi_delayed verdict, forced unblocks of the soft
// NMI-blocked flag. Synthetic event sequences as the machine makes them,
// judged by the `summary` and `violation` lines the monitors emit; then one
// run through run_scenario with a JSONL trace.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "lib/scenario_run.h"
#include "front/scenario.h"
#include "model/monitor/monitor.h"
#include "model/trace/trace.h"
#include "unit/lines_sink.h"
#include "unit/monitor_events.h"
#include "unit/scn_text.h"

namespace {

// The events as the machine and the L0 models make them.
trace_event Stimulus(uint64_t cycle, uint32_t cpu, uint32_t level, const char *type = "nmi")
{
	trace_event ev;
	trace_event_init(&ev, cycle, cpu, level, TRACE_STIMULUS);
	trace_add_str(&ev, "type", type);
	if (!strcmp(type, "irq"))
		trace_add_uint(&ev, "vector", 32);
	trace_add_str(&ev, "origin", "scenario");
	return ev;
}

trace_event Deliver(uint64_t cycle, uint32_t cpu, uint32_t level, bool injected, const char *type = "nmi")
{
	trace_event ev;
	trace_event_init(&ev, cycle, cpu, level, TRACE_DELIVER);
	trace_add_uint(&ev, "vector", strcmp(type, "nmi") ? 32 : 2);
	trace_add_str(&ev, "type", type);
	trace_add_bool(&ev, "injected", injected);
	trace_add_hex64(&ev, "handler", 0x13eb);
	return ev;
}

trace_event Host(uint64_t cycle, uint32_t cpu, const char *type = "nmi")
{
	trace_event ev;
	trace_event_init(&ev, cycle, cpu, 0, TRACE_HOST);
	trace_add_str(&ev, "type", type);
	if (strcmp(type, "nmi"))
		trace_add_uint(&ev, "vector", 253);
	return ev;
}

trace_event NmiLost(uint64_t cycle, uint32_t cpu)
{
	trace_event ev;
	trace_event_init(&ev, cycle, cpu, 0, TRACE_NMI_LOST);
	return ev;
}

trace_event Warning(uint64_t cycle, uint32_t cpu, const char *msg)
{
	trace_event ev;
	trace_event_init(&ev, cycle, cpu, 0, TRACE_WARNING);
	trace_add_str(&ev, "msg", msg);
	return ev;
}

const char kForcedMsg[] = "Breaking out of NMI-blocked state on VCPU 0 after 1 s timeout";

trace_event SoftVnmi(uint64_t cycle, uint32_t cpu, bool blocked, const char *why)
{
	trace_event ev;
	trace_event_init(&ev, cycle, cpu, 0, TRACE_SOFT_VNMI);
	trace_add_bool(&ev, "blocked", blocked);
	if (!blocked)
		trace_add_uint(&ev, "blocked_ns", 1000000001);
	trace_add_str(&ev, "why", why);
	return ev;
}

// What a monitor's init allocated (the forced-unblock monitor allocates nothing).
void Free(monitor_nmi_latency *m) { monitor_nmi_latency_free(m); }
void Free(monitor_host_nmi *m) { monitor_host_nmi_free(m); }
void Free(monitor_forced_unblock *) {}

// A bus with one monitor and a recorder behind it.
template <typename M>
class MonitorFixture : public ::testing::Test {
protected:
	trace_bus bus;
	std::unique_ptr<M> mon{new M{}};
	Lines out;

	void TearDown() override { Free(mon.get()); }

	void Attach()
	{
		ASSERT_TRUE(trace_bus_attach(&bus, &mon->base));
		ASSERT_TRUE(trace_bus_attach(&bus, &out.base));
	}
	void Feed(const std::vector<trace_event> &evs)
	{
		for (const trace_event &e : evs)
			trace_bus_emit(&bus, &e);
	}
};

// ---- NMI latency for the guests ---------------------------------------------

class MonitorNmiLatency : public MonitorFixture<monitor_nmi_latency> {
protected:
	void SetUp() override
	{
		trace_bus_init(&bus);
		ASSERT_TRUE(monitor_nmi_latency_init(mon.get(), &bus, MONITOR_MAX_CPUS));
		Attach();
	}
	std::vector<std::string> Finish(uint64_t cycle = 50000)
	{
		monitor_nmi_latency_finish(mon.get(), UINT32_MAX, cycle);
		return out.summaries;
	}
	// Raise and deliver one NMI per latency, one after the other.
	void Latencies(const std::vector<uint64_t> &lat, uint32_t cpu = 0, uint32_t level = 1)
	{
		uint64_t t = 1000;
		for (uint64_t d : lat) {
			Feed({Stimulus(t, cpu, level), Deliver(t + d, cpu, level, true)});
			t += d + 1000;
		}
	}
};

TEST_F(MonitorNmiLatency, NoNmisNoSummary)
{
	Feed({Stimulus(100, 0, 1, "irq"), Deliver(200, 0, 1, true, "ext-intr")});
	EXPECT_TRUE(Finish().empty());
	EXPECT_TRUE(out.violations.empty());
}

TEST_F(MonitorNmiLatency, OneNmiExactFigures)
{
	// basic.scn: raised at 2000, the handler entered at 4781.
	Feed({Stimulus(2000, 0, 1), Deliver(4781, 0, 1, true)});
	EXPECT_TRUE(out.summaries.empty()) << "figures wait for the end of the run";
	std::vector<std::string> s = Finish(40000);
	ASSERT_EQ(s.size(), 1u);
	EXPECT_EQ(s[0], "       40000 cpu0 L1 summary       kind=nmi_latency count=1 min=2781 median=2781 max=2781 unmatched=0");
}

TEST_F(MonitorNmiLatency, FifoMatching)
{
	// Two raises waiting together: the first delivery is the first raise's.
	Feed({Stimulus(2000, 0, 1), Stimulus(4000, 0, 1), Deliver(4781, 0, 1, true), Deliver(12992, 0, 1, true)});
	std::vector<std::string> s = Finish(40000);
	ASSERT_EQ(s.size(), 1u);
	// 2781 and 8992: the lower median of two is the smaller.
	EXPECT_EQ(s[0], "       40000 cpu0 L1 summary       kind=nmi_latency count=2 min=2781 median=2781 max=8992 unmatched=0");
}

TEST_F(MonitorNmiLatency, OnlyInjectedNmiDeliveriesAtThatCpuAndLevelMatch)
{
	Feed({Stimulus(1000, 0, 1),
	      Deliver(1100, 0, 1, false),               // straight from the pins: the host's NMI
	      Deliver(1200, 0, 1, true, "ext-intr"),    // not an NMI
	      Deliver(1300, 1, 1, true),                // another vCPU
	      Deliver(1400, 0, 2, true),                // another level
	      Host(1500, 0),                            // the host's
	      Deliver(3000, 0, 1, true)});
	std::vector<std::string> s = Finish();
	ASSERT_EQ(s.size(), 1u);
	EXPECT_EQ(s[0], "       50000 cpu0 L1 summary       kind=nmi_latency count=1 min=2000 median=2000 max=2000 unmatched=0");
}

TEST_F(MonitorNmiLatency, RaisedNeverDeliveredIsUnmatched)
{
	Feed({Stimulus(1000, 0, 1), Stimulus(2000, 0, 1), Deliver(2500, 0, 1, true)});
	std::vector<std::string> s = Finish();
	ASSERT_EQ(s.size(), 1u);
	EXPECT_EQ(s[0], "       50000 cpu0 L1 summary       kind=nmi_latency count=1 min=1500 median=1500 max=1500 unmatched=1");
}

TEST_F(MonitorNmiLatency, NothingDeliveredLeavesOutTheFigures)
{
	Feed({Stimulus(1000, 0, 1)});
	std::vector<std::string> s = Finish();
	ASSERT_EQ(s.size(), 1u);
	EXPECT_EQ(s[0], "       50000 cpu0 L1 summary       kind=nmi_latency count=0 unmatched=1");
}

TEST_F(MonitorNmiLatency, DeliveryWithoutRaiseIsIgnored)
{
	Feed({Deliver(500, 0, 1, true), Stimulus(1000, 0, 1), Deliver(1700, 0, 1, true), Deliver(1800, 0, 1, true)});
	std::vector<std::string> s = Finish();
	ASSERT_EQ(s.size(), 1u);
	EXPECT_EQ(s[0], "       50000 cpu0 L1 summary       kind=nmi_latency count=1 min=700 median=700 max=700 unmatched=0");
}

TEST_F(MonitorNmiLatency, HostNmisAreNotGuestNmis)
{
	Feed({Stimulus(1000, 0, 0), Host(2400, 0), Deliver(3000, 0, 1, false)});
	EXPECT_TRUE(Finish().empty());
}

TEST_F(MonitorNmiLatency, SummariesInCpuThenLevelOrder)
{
	Feed({Stimulus(100, 1, 1), Deliver(200, 1, 1, true),    // cpu1 L1: 100
	      Stimulus(100, 0, 2), Deliver(400, 0, 2, true),    // cpu0 L2: 300
	      Stimulus(100, 0, 1), Deliver(150, 0, 1, true),    // cpu0 L1: 50
	      Stimulus(100, 63, 1), Deliver(107, 63, 1, true),  // the last vCPU the monitor follows
	      Stimulus(100, 64, 1), Deliver(110, 64, 1, true),  // beyond: ignored
	      Stimulus(100, 0, 3)});                            // no such level: ignored
	std::vector<std::string> s = Finish(1000);
	ASSERT_EQ(s.size(), 4u);
	EXPECT_EQ(s[0], "        1000 cpu0 L1 summary       kind=nmi_latency count=1 min=50 median=50 max=50 unmatched=0");
	EXPECT_EQ(s[1], "        1000 cpu0 L2 summary       kind=nmi_latency count=1 min=300 median=300 max=300 unmatched=0");
	EXPECT_EQ(s[2], "        1000 cpu1 L1 summary       kind=nmi_latency count=1 min=100 median=100 max=100 unmatched=0");
	EXPECT_EQ(s[3], "        1000 cpu63 L1 summary       kind=nmi_latency count=1 min=7 median=7 max=7 unmatched=0");
}

TEST_F(MonitorNmiLatency, FinishOneCpu)
{
	Feed({Stimulus(100, 0, 1), Deliver(200, 0, 1, true), Stimulus(100, 2, 1), Deliver(300, 2, 1, true)});
	monitor_nmi_latency_finish(mon.get(), 2, 1000);
	ASSERT_EQ(out.summaries.size(), 1u);
	EXPECT_EQ(out.summaries[0], "        1000 cpu2 L1 summary       kind=nmi_latency count=1 min=200 median=200 max=200 unmatched=0");
}

TEST_F(MonitorNmiLatency, JsonlFields)
{
	Feed({Stimulus(2000, 0, 1), Deliver(4781, 0, 1, true)});
	trace_file_sink js;
	char *mem = nullptr;
	size_t size = 0;
	FILE *f = open_memstream(&mem, &size);
	trace_file_sink_init(&js, f, TRACE_FORMAT_JSONL);
	ASSERT_TRUE(trace_bus_attach(&bus, &js.base));
	Finish(40000);
	fclose(f);
	EXPECT_EQ(std::string(mem, size), "{\"cycle\":40000,\"cpu\":0,\"level\":1,\"event\":\"summary\",\"kind\":\"nmi_latency\","
	                                  "\"count\":1,\"min\":2781,\"median\":2781,\"max\":2781,\"unmatched\":0}\n");
	free(mem);
}

// ---- the histogram behind the median ------------------------------------------

TEST_F(MonitorNmiLatency, HistogramBucketsSmallValuesExactly)
{
	for (uint64_t v = 0; v < 32; v++)
		EXPECT_EQ(monitor_latency_bucket_low(monitor_latency_bucket(v)), v) << v;
}

TEST_F(MonitorNmiLatency, HistogramPowersOfTwoExact)
{
	for (uint32_t e = 0; e < 64; e++) {
		uint64_t v = 1ull << e;
		EXPECT_EQ(monitor_latency_bucket_low(monitor_latency_bucket(v)), v) << "2^" << e;
	}
	EXPECT_EQ(monitor_latency_bucket(UINT64_MAX), (uint32_t)MONITOR_LAT_BUCKETS - 1);
	EXPECT_EQ(MONITOR_LAT_BUCKETS, 976);
}

TEST_F(MonitorNmiLatency, HistogramWithinOneSixteenthOfThePowerOfTwo)
{
	uint32_t prev = 0;
	for (uint64_t v = 1; v < (1ull << 20); v += v / 97 + 1) {
		uint32_t b = monitor_latency_bucket(v);
		uint64_t low = monitor_latency_bucket_low(b);
		uint64_t pow2 = 1ull << (63 - __builtin_clzll(v));
		EXPECT_LE(low, v);
		EXPECT_LT(v - low, pow2 / 16 > 0 ? pow2 / 16 : 1) << v;
		EXPECT_GE(b, prev) << "buckets are ordered";
		prev = b;
	}
	// The bucket after b starts where b ends.
	for (uint32_t b = 0; b + 1 < MONITOR_LAT_BUCKETS; b++) {
		ASSERT_LT(monitor_latency_bucket_low(b), monitor_latency_bucket_low(b + 1));
		ASSERT_EQ(monitor_latency_bucket(monitor_latency_bucket_low(b + 1) - 1), b);
	}
}

TEST_F(MonitorNmiLatency, MedianOfPowersOfTwo)
{
	Latencies({1024, 16, 4096, 64, 256});   // sorted: 16 64 256 1024 4096
	std::vector<std::string> s = Finish();
	ASSERT_EQ(s.size(), 1u);
	EXPECT_EQ(s[0], "       50000 cpu0 L1 summary       kind=nmi_latency count=5 min=16 median=256 max=4096 unmatched=0");
}

TEST_F(MonitorNmiLatency, MedianOfEvenCountIsTheLowerOne)
{
	Latencies({8192, 2048, 2048, 8192, 8192, 2048});
	std::vector<std::string> s = Finish();
	ASSERT_EQ(s.size(), 1u);
	EXPECT_EQ(s[0], "       50000 cpu0 L1 summary       kind=nmi_latency count=6 min=2048 median=2048 max=8192 unmatched=0");
}

TEST_F(MonitorNmiLatency, MedianOfUniformDistributionIsTheBucketsLowerBound)
{
	// 1..1000 in a scrambled order: the lower median is 500, in [496, 512).
	std::vector<uint64_t> lat;
	for (uint64_t i = 0; i < 1000; i++)
		lat.push_back((i * 379) % 1000 + 1);
	Latencies(lat);
	std::vector<std::string> s = Finish(1u << 30);
	ASSERT_EQ(s.size(), 1u);
	EXPECT_EQ(s[0], "  1073741824 cpu0 L1 summary       kind=nmi_latency count=1000 min=1 median=496 max=1000 unmatched=0");
	EXPECT_EQ(monitor_latency_median(&mon->lat[0][0]), 496u);
}

TEST_F(MonitorNmiLatency, MedianNeverBelowTheMinimum)
{
	// Every latency 2781: its bucket starts at 2688, but nothing was below 2781.
	Latencies({2781, 2781, 2781});
	EXPECT_EQ(monitor_latency_bucket_low(monitor_latency_bucket(2781)), 2688u);
	EXPECT_EQ(monitor_latency_median(&mon->lat[0][0]), 2781u);
}

TEST_F(MonitorNmiLatency, MedianOfSkewedDistribution)
{
	// 7 fast and 3 very slow NMIs: the median is a fast one, max the slowest (exact).
	Latencies({100, 100, 100, 1000000000, 100, 100, 3000000000ull, 100, 100, 2000000000});
	std::vector<std::string> s = Finish(1ull << 40);
	ASSERT_EQ(s.size(), 1u);
	EXPECT_NE(s[0].find("count=10 min=100 median=100 max=3000000000 unmatched=0"), std::string::npos) << s[0];
}

// ---- memory bound: the ring of waiting raises ----------------------------------

TEST_F(MonitorNmiLatency, RingOverflowCountsAsUnmatched)
{
	// 64 raises fit; the 10 after them do not and are never matched, even when delivered.
	for (uint64_t i = 0; i < MONITOR_LAT_RING + 10; i++)
		Feed({Stimulus(1000 + i, 0, 1)});
	for (uint64_t i = 0; i < MONITOR_LAT_RING + 10; i++)
		Feed({Deliver(10000 + i, 0, 1, true)});
	std::vector<std::string> s = Finish();
	ASSERT_EQ(s.size(), 1u);
	// Raise i (i < 64) matched delivery i: 9000 cycles each.
	EXPECT_EQ(s[0], "       50000 cpu0 L1 summary       kind=nmi_latency count=64 min=9000 median=9000 max=9000 unmatched=10");
}

TEST_F(MonitorNmiLatency, RingIsReusedForever)
{
	// A long run: a million NMIs through the same fixed ring, and the figures stay exact.
	static_assert(sizeof(monitor_latency) < (64u << 10), "fixed memory per vCPU and level, independent of the run");
	// Straight into the monitor: the recorder behind the bus would keep every line.
	auto feed = [this](const trace_event &e) { mon->base.emit(&mon->base, &e); };
	uint64_t t = 0;
	for (uint64_t i = 0; i < 1000000; i++) {
		uint64_t d = 1000 + i % 3;   // 1000, 1001, 1002, ...
		feed(Stimulus(t, 0, 1));
		if (i % 2)
			feed(Stimulus(t, 0, 1));   // every other one a second raise while the first waits
		feed(Deliver(t + d, 0, 1, true));
		if (i % 2)
			feed(Deliver(t + d + 5, 0, 1, true));
		t += 5000;
	}
	EXPECT_EQ(mon->lat[0][0].waiting, 0u);
	std::vector<std::string> s = Finish(t);
	ASSERT_EQ(s.size(), 1u);
	EXPECT_NE(s[0].find("count=1500000 min=1000 median=1000 max=1007 unmatched=0"), std::string::npos) << s[0];
}

// ---- host NMIs ---------------------------------------------------------------------

class MonitorHostNmi : public MonitorFixture<monitor_host_nmi> {
protected:
	void Init(uint64_t limit, bool bare_metal = false)
	{
		trace_bus_init(&bus);
		monitor_host_nmi_free(mon.get());   // Init(0) in a test replaces SetUp's
		ASSERT_TRUE(monitor_host_nmi_init(mon.get(), &bus, limit, MONITOR_MAX_CPUS, bare_metal));
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
	ASSERT_TRUE(monitor_summaries_init(all.get(), &bus, 24000, 2, false));
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
