/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The interrupt-latency monitor and its duplicate_delivery verdict, on
 * synthetic event sequences.
 */
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model/monitor/monitor.h"

namespace {

struct Capture {
	trace_sink base;
	std::vector<std::string> lines;
};

void CaptureEmit(trace_sink *s, const trace_event *ev)
{
	char buf[512];
	trace_format_text(ev, buf, sizeof(buf));
	reinterpret_cast<Capture *>(s)->lines.emplace_back(buf);
}

class MonitorIrq : public ::testing::Test {
protected:
	trace_bus bus{};
	monitor_irq_latency *m = new monitor_irq_latency;
	Capture cap{};
	bool bare_metal = false;

	void SetUp() override
	{
		trace_bus_init(&bus);
		ASSERT_TRUE(monitor_irq_latency_init(m, &bus, MONITOR_MAX_CPUS, bare_metal, true));
		cap.base.emit = CaptureEmit;
		trace_bus_attach(&bus, &m->base);
		trace_bus_attach(&bus, &cap.base);
	}
	void TearDown() override
	{
		monitor_irq_latency_free(m);
		delete m;
	}

	void Stimulus(uint64_t cycle, uint32_t level, uint32_t vector)
	{
		trace_event ev;
		trace_event_init(&ev, cycle, 0, level, TRACE_STIMULUS);
		trace_add_str(&ev, "type", "irq");
		trace_add_uint(&ev, "vector", vector);
		trace_bus_emit(&bus, &ev);
	}
	void Deliver(uint64_t cycle, uint32_t level, uint32_t vector, bool injected = true)
	{
		trace_event ev;
		trace_event_init(&ev, cycle, 0, level, TRACE_DELIVER);
		trace_add_uint(&ev, "vector", vector);
		trace_add_str(&ev, "type", "ext-intr");
		trace_add_bool(&ev, "injected", injected);
		trace_bus_emit(&bus, &ev);
	}
	/* L0 emulates L1's VM entry to L2; `exits` is vmcs12's external-interrupt exiting. */
	void NestedEntry(uint64_t cycle, bool exits, uint32_t event_inj = 0)
	{
		trace_event ev;
		trace_event_init(&ev, cycle, 0, 1, TRACE_NESTED_VMENTER);
		trace_add_hex32(&ev, "event_inj", event_inj);
		trace_add_bool(&ev, "ext_intr_exiting", exits);
		trace_bus_emit(&bus, &ev);
	}
	/* A hardware VM entry (level 2: into L2) that injects `inject`. */
	void Entry(uint64_t cycle, uint32_t inject)
	{
		trace_event ev;
		trace_event_init(&ev, cycle, 0, 2, TRACE_VMENTRY);
		trace_add_str(&ev, "insn", "vmresume");
		trace_add_hex32(&ev, "inject", inject);
		trace_bus_emit(&bus, &ev);
	}
	std::vector<std::string> Finish(uint64_t cycle)
	{
		monitor_irq_latency_finish(m, UINT32_MAX, cycle);
		return cap.lines;
	}
	int Count(const std::string &what)
	{
		int n = 0;
		for (const auto &l : cap.lines)
			n += l.find(what) != std::string::npos;
		return n;
	}
};

}  // namespace

TEST_F(MonitorIrq, LatencyFromRaiseToInjectedDelivery)
{
	Stimulus(1000, 1, 32);
	Deliver(3500, 1, 32);
	Finish(10000);
	EXPECT_EQ(Count("kind=irq_latency count=1 min=2500 median=2500 max=2500 unmatched=0"), 1);
	EXPECT_EQ(Count("duplicate_delivery"), 0);
}

TEST_F(MonitorIrq, DeliveryWithNothingRaisedIsADuplicate)
{
	Stimulus(1000, 1, 32);
	Deliver(2000, 1, 32);
	Deliver(3000, 1, 32);
	EXPECT_EQ(Count("kind=duplicate_delivery type=irq vector=32"), 1);
	EXPECT_EQ(m->violations, 1u);
}

TEST_F(MonitorIrq, DirectDeliveriesAreNotJudged)
{
	Deliver(2000, 1, 48, false);   /* from the pins, not a hypervisor's injection */
	EXPECT_EQ(Count("duplicate_delivery"), 0);
}

TEST_F(MonitorIrq, AnL1InterruptPassedDownToL2CountsForL1)
{
	NestedEntry(500, false);
	Stimulus(1000, 1, 32);
	Deliver(4000, 2, 32);   /* L1 does not exit on interrupts: L0 injects into L2 */
	Finish(10000);
	EXPECT_EQ(Count("L1 summary       kind=irq_latency count=1 min=3000"), 1);
	EXPECT_EQ(Count("duplicate_delivery"), 0);
	EXPECT_EQ(Count("wrong_level"), 0);
}

/* L1 asked to exit on external interrupts: its interrupt belongs to L1 through an exit, not in L2. */
TEST_F(MonitorIrq, AnL1InterruptInL2WhileL1ExitsOnInterruptsIsTheWrongLevel)
{
	NestedEntry(500, true);
	Stimulus(1000, 1, 32);
	Deliver(4000, 2, 32);
	EXPECT_EQ(Count("4000 cpu0 L2 violation     kind=wrong_level type=irq vector=32 raised_level=1"), 1);
	EXPECT_EQ(m->violations, 1u);
	Finish(10000);   /* it was still delivered: the latency counts, nothing is unmatched */
	EXPECT_EQ(Count("L1 summary       kind=irq_latency count=1 min=3000 median=3000 max=3000 unmatched=0"), 1);
}

/* What L1 itself injects into L2 belongs there, whatever L1's controls. */
TEST_F(MonitorIrq, L1sOwnInjectionIntoL2IsNeverTheWrongLevel)
{
	Stimulus(1000, 1, 32);
	NestedEntry(3000, true, 0x80000020);   /* L1 acknowledged 32 and passes it on */
	Deliver(3100, 2, 32);
	EXPECT_EQ(Count("wrong_level"), 0);
	EXPECT_EQ(Count("duplicate_delivery"), 0);
}

TEST_F(MonitorIrq, L1sInjectionIntoL2IsARaise)
{
	NestedEntry(2400, true, 0x80000031);
	Deliver(3450, 2, 49);
	Finish(10000);
	EXPECT_EQ(Count("L2 summary       kind=irq_latency count=1 min=1050"), 1);
	EXPECT_EQ(Count("duplicate_delivery"), 0);
}

TEST_F(MonitorIrq, AcknowledgedInTheExitIsADelivery)
{
	Stimulus(1000, 1, 32);
	trace_event ev;
	trace_event_init(&ev, 2731, 0, 1, TRACE_NESTED_VMEXIT);
	trace_add_str(&ev, "reason", "EXTERNAL_INTERRUPT");
	trace_add_hex32(&ev, "intr_info", 0x80000020);
	trace_bus_emit(&bus, &ev);
	Finish(10000);
	EXPECT_EQ(Count("kind=irq_latency count=1 min=1731"), 1);
}

TEST_F(MonitorIrq, ASecondRaiseMergesAndANeverDeliveredOneIsUnmatched)
{
	Stimulus(1000, 1, 32);
	Stimulus(1500, 1, 32);   /* merges in the IRR */
	Stimulus(1600, 1, 33);   /* never delivered */
	Deliver(2000, 1, 32);
	Finish(10000);
	EXPECT_EQ(Count("kind=irq_latency count=1 min=1000 median=1000 max=1000 unmatched=2"), 1);
}

/* Bare metal: the root program L1 injects an interrupt with its own entry (kvm-unit-tests interrupt.inject_into_halted). */
class MonitorIrqBare : public MonitorIrq {
protected:
	void SetUp() override
	{
		bare_metal = true;
		MonitorIrq::SetUp();
	}
};

TEST_F(MonitorIrqBare, TheRootProgramsInjectionIsTheRaiseForL2)
{
	Entry(2000, 0x800000de);
	Deliver(3050, 2, 0xde);
	Finish(10000);
	EXPECT_EQ(Count("duplicate_delivery"), 0);
	EXPECT_EQ(Count("L2 summary       kind=irq_latency count=1 min=1050"), 1);
}

TEST_F(MonitorIrqBare, AnInjectedExceptionOrNmiIsNoInterruptRaise)
{
	Entry(2000, 0x80000202);
	Entry(2100, 0x80000301);
	Deliver(3000, 2, 0x02);
	EXPECT_EQ(Count("kind=duplicate_delivery type=irq vector=2"), 1);
}

/* In a nested run L0's entries to L2 repeat what nested_vmenter raised: not a second raise. */
TEST_F(MonitorIrq, HardwareEntriesOfANestedRunRaiseNothing)
{
	NestedEntry(500, true, 0x800000de);
	Entry(1500, 0x800000de);
	Deliver(1550, 2, 0xde);
	Finish(10000);
	EXPECT_EQ(Count("L2 summary       kind=irq_latency count=1 min=1050 median=1050 max=1050 unmatched=0"), 1);
}
