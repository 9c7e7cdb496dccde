/* SPDX-License-Identifier: Apache-2.0 */
// The NMI latency of the guests (model/monitor/latency.c): exact figures,
// FIFO matching, the histogram behind the median and the bounded ring of
// waiting raises. Synthetic event sequences as the machine makes them,
// judged by the `summary` and `violation` lines the monitor emits. Host NMI
// latency, forced unblocks and the end-to-end runs are
// test_monitors_host_nmi.cc's.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "model/trace/trace.h"
#include "unit/monitor_latency_fixture.h"

namespace {

using namespace latency_test;

// ---- NMI latency for the guests ---------------------------------------------

class MonitorNmiLatency : public MonitorFixture<monitor_nmi_latency> {
protected:
	void SetUp() override
	{
		trace_bus_init(&bus);
		ASSERT_TRUE(monitor_nmi_latency_init(mon.get(), &bus, MONITOR_MAX_CPUS, true));
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

}  // namespace

// Without histograms (machine_config.no_latency_histograms) the figures are the same but the median,
// which the histogram alone gives: it reads 0. Nothing is stored for them.
TEST(MonitorLatencyHistograms, WithoutThemEveryFigureButTheMedianIsKept)
{
	auto with = std::make_unique<monitor_nmi_latency>(), without = std::make_unique<monitor_nmi_latency>();
	trace_bus bus;
	trace_bus_init(&bus);
	ASSERT_TRUE(monitor_nmi_latency_init(with.get(), &bus, 2, true));
	ASSERT_TRUE(monitor_nmi_latency_init(without.get(), &bus, 2, false));
	EXPECT_NE(with->hist_store, nullptr);
	EXPECT_EQ(without->hist_store, nullptr);
	EXPECT_EQ(without->lat[1][1].hist, nullptr);
	EXPECT_EQ(with->lat[1][1].hist, with->hist_store + 3 * MONITOR_LAT_BUCKETS) << "[cpu][level - 1] in order";
	for (auto *m : {with.get(), without.get()})
		for (uint64_t d : {100, 300, 5000}) {
			trace_event s{}, dl{};
			trace_event_init(&s, 1000, 1, 2, TRACE_STIMULUS);
			trace_add_str(&s, "type", "nmi");
			trace_event_init(&dl, 1000 + d, 1, 2, TRACE_DELIVER);
			trace_add_str(&dl, "type", "nmi");
			trace_add_uint(&dl, "injected", 1);
			m->base.emit(&m->base, &s);
			m->base.emit(&m->base, &dl);
		}
	const monitor_latency &a = with->lat[1][1], &b = without->lat[1][1];
	EXPECT_EQ(a.count, 3u);
	EXPECT_EQ(b.count, a.count);
	EXPECT_EQ(b.min, a.min);
	EXPECT_EQ(b.max, a.max);
	EXPECT_EQ(monitor_latency_median(&a), 288u) << "300 to the histogram's precision: its bucket's lower bound";
	EXPECT_EQ(monitor_latency_median(&b), 0u);
	monitor_nmi_latency_free(with.get());
	monitor_nmi_latency_free(without.get());
}
