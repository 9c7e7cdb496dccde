/* SPDX-License-Identifier: Apache-2.0 */
// The monitors (model/monitor) on synthetic event sequences: each monitor is
// attached to a bus with a recorder behind it, fed trace events as the
// machine would make them, and judged by the `violation` events it emits.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "model/monitor/monitor.h"
#include "model/trace/trace.h"
#include "unit/lines_sink.h"
#include "unit/monitor_events.h"

namespace {

// The events as the machine makes them (hw_trace.c machine_observe(), plain.c, stimuli.c machine_fire()).
trace_event Deliver(uint64_t cycle, uint32_t cpu, uint32_t level, uint32_t vector, const char *type,
                    bool injected = true)
{
	trace_event ev;
	trace_event_init(&ev, cycle, cpu, level, TRACE_DELIVER);
	trace_add_uint(&ev, "vector", vector);
	trace_add_str(&ev, "type", type);
	trace_add_bool(&ev, "injected", injected);
	trace_add_hex64(&ev, "handler", 0x1800);
	return ev;
}

trace_event Nmi(uint64_t cycle, uint32_t cpu = 0, uint32_t level = 1) { return Deliver(cycle, cpu, level, 2, "nmi"); }

trace_event Iret(uint64_t cycle, uint32_t cpu = 0, uint32_t level = 1)
{
	trace_event ev;
	trace_event_init(&ev, cycle, cpu, level, TRACE_IRET);
	trace_add_hex64(&ev, "rip", 0x1000);
	trace_add_bool(&ev, "nmi_unblocked", true);
	return ev;
}

trace_event Stimulus(uint64_t cycle, uint32_t cpu, uint32_t level, int vector /* -1: NMI */)
{
	trace_event ev;
	trace_event_init(&ev, cycle, cpu, level, TRACE_STIMULUS);
	trace_add_str(&ev, "type", vector < 0 ? "nmi" : "irq");
	if (vector >= 0)
		trace_add_uint(&ev, "vector", (uint64_t)vector);
	trace_add_str(&ev, "origin", "scenario");
	return ev;
}

trace_event Host(uint64_t cycle, uint32_t cpu, const char *type, int vector = -1)
{
	trace_event ev;
	trace_event_init(&ev, cycle, cpu, 0, TRACE_HOST);
	trace_add_str(&ev, "type", type);
	if (vector >= 0)
		trace_add_uint(&ev, "vector", (uint64_t)vector);
	return ev;
}

trace_event Inject(uint64_t cycle, uint32_t cpu, const char *type, int vector)
{
	trace_event ev;
	trace_event_init(&ev, cycle, cpu, 0, TRACE_INJECT);
	trace_add_str(&ev, "type", type);
	trace_add_uint(&ev, "vector", (uint64_t)vector);
	trace_add_hex32(&ev, "intr_info", 0x80000000u | (uint32_t)vector);
	return ev;
}

class MonitorNmiNesting : public ::testing::Test {
protected:
	trace_bus bus;
	std::unique_ptr<monitor_nmi_nesting> mon{new monitor_nmi_nesting};
	Lines out;

	void SetUp() override
	{
		trace_bus_init(&bus);
		monitor_nmi_nesting_init(mon.get(), &bus);
		ASSERT_TRUE(trace_bus_attach(&bus, &mon->base));
		ASSERT_TRUE(trace_bus_attach(&bus, &out.base));
	}
	void Feed(const std::vector<trace_event> &evs)
	{
		for (const trace_event &e : evs)
			trace_bus_emit(&bus, &e);
	}
};

TEST_F(MonitorNmiNesting, NestedNmiAtOneLevelIsOneViolation)
{
	Feed({Nmi(100), Nmi(300)});
	ASSERT_EQ(out.violations.size(), 1u);
	EXPECT_EQ(out.violations[0], "         300 cpu0 L1 violation     kind=nmi_nesting open_nmi_handlers=1");
	EXPECT_EQ(mon->violations, 1u);
	// The verdict follows the delivery that caused it.
	ASSERT_EQ(out.all.size(), 3u);
	EXPECT_EQ(out.all[1].substr(0, 29), "         300 cpu0 L1 deliver ");
	EXPECT_EQ(out.all[2], out.violations[0]);
}

TEST_F(MonitorNmiNesting, NmiAfterItsIretIsFine)
{
	Feed({Nmi(100), Iret(200), Nmi(300), Iret(400), Nmi(500)});
	EXPECT_TRUE(out.violations.empty());
	EXPECT_EQ(mon->violations, 0u);
}

TEST_F(MonitorNmiNesting, EachFurtherNestedNmiCountsTheOpenHandlers)
{
	Feed({Nmi(100), Nmi(200), Nmi(300), Iret(400), Nmi(500)});
	ASSERT_EQ(out.violations.size(), 3u);
	EXPECT_EQ(out.violations[0], "         200 cpu0 L1 violation     kind=nmi_nesting open_nmi_handlers=1");
	EXPECT_EQ(out.violations[1], "         300 cpu0 L1 violation     kind=nmi_nesting open_nmi_handlers=2");
	EXPECT_EQ(out.violations[2], "         500 cpu0 L1 violation     kind=nmi_nesting open_nmi_handlers=2");
	EXPECT_EQ(mon->violations, 3u);
}

TEST_F(MonitorNmiNesting, OtherLevelsAndCpusAreSeparate)
{
	Feed({Nmi(100, 0, 1), Nmi(200, 1, 1), Nmi(300, 0, 2), Nmi(400, 0, 0), Nmi(500, 63, 1)});
	EXPECT_TRUE(out.violations.empty());
	// ...but each of them nests on its own.
	Feed({Nmi(600, 1, 1)});
	ASSERT_EQ(out.violations.size(), 1u);
	EXPECT_EQ(out.violations[0], "         600 cpu1 L1 violation     kind=nmi_nesting open_nmi_handlers=1");
}

TEST_F(MonitorNmiNesting, IretAtAnotherLevelDoesNotCloseTheHandler)
{
	Feed({Nmi(100, 0, 1), Iret(200, 0, 0), Iret(250, 1, 1), Nmi(300, 0, 1)});
	ASSERT_EQ(out.violations.size(), 1u);
	EXPECT_EQ(out.violations[0], "         300 cpu0 L1 violation     kind=nmi_nesting open_nmi_handlers=1");
}

TEST_F(MonitorNmiNesting, ExceptionInsideTheNmiHandlerThenIret)
{
	// The exception's IRET pops the exception frame: the NMI handler is still open.
	Feed({Nmi(100), Deliver(150, 0, 1, 14, "hw-exception", false), Iret(180), Nmi(200)});
	ASSERT_EQ(out.violations.size(), 1u);
	EXPECT_EQ(out.violations[0], "         200 cpu0 L1 violation     kind=nmi_nesting open_nmi_handlers=1");
}

TEST_F(MonitorNmiNesting, ExceptionAndNmiFramesBothClosed)
{
	Feed({Nmi(100), Deliver(150, 0, 1, 14, "hw-exception", false), Iret(180), Iret(190), Nmi(200)});
	EXPECT_TRUE(out.violations.empty());
}

TEST_F(MonitorNmiNesting, InterruptsNestFreely)
{
	// Interrupt and exception frames around an NMI handler: only NMI-in-NMI counts.
	Feed({Deliver(10, 0, 1, 32, "ext-intr"), Deliver(20, 0, 1, 33, "ext-intr"), Nmi(30),
	      Deliver(40, 0, 1, 32, "ext-intr"), Deliver(45, 0, 1, 3, "sw-exception", false), Iret(50), Iret(60),
	      Iret(70), Iret(80), Iret(90), Nmi(100)});
	EXPECT_TRUE(out.violations.empty());
}

TEST_F(MonitorNmiNesting, StrayIretIsIgnored)
{
	Feed({Iret(10), Iret(20), Nmi(30), Nmi(40)});
	EXPECT_EQ(out.violations.size(), 1u);
}

TEST_F(MonitorNmiNesting, NmiTypeNotVectorDecides)
{
	// Vector 2 as a software interrupt (`int 2`) is not an NMI.
	Feed({Deliver(10, 0, 1, 2, "soft-intr", false), Deliver(20, 0, 1, 2, "soft-intr", false), Nmi(30),
	      Deliver(40, 0, 1, 2, "soft-intr", false)});
	EXPECT_TRUE(out.violations.empty());
}

TEST_F(MonitorNmiNesting, OutOfRangeCpuOrLevelIsIgnored)
{
	Feed({Nmi(10, MONITOR_MAX_CPUS, 1), Nmi(20, MONITOR_MAX_CPUS, 1), Nmi(30, 0, MONITOR_LEVELS),
	      Nmi(40, 0, MONITOR_LEVELS), Iret(50, 4000000000u, 7)});
	EXPECT_TRUE(out.violations.empty());
}

TEST_F(MonitorNmiNesting, OtherEventsDoNotMatter)
{
	trace_event exit_ev, entry, stim;
	trace_event_init(&exit_ev, 150, 0, 1, TRACE_VMEXIT);
	trace_add_str(&exit_ev, "reason", "EXCEPTION_NMI");
	trace_event_init(&entry, 160, 0, 1, TRACE_VMENTRY);
	stim = Stimulus(170, 0, 1, -1);
	Feed({Nmi(100), exit_ev, Host(155, 0, "nmi"), entry, stim, Iret(180), Nmi(200)});
	EXPECT_TRUE(out.violations.empty());
}

// ---- lost events -----------------------------------------------------------

class MonitorLostEvent : public ::testing::Test {
protected:
	trace_bus bus;
	std::unique_ptr<monitor_lost_event> mon{new monitor_lost_event};
	Lines out;
	bool bare_metal = false;

	void SetUp() override
	{
		trace_bus_init(&bus);
		ASSERT_TRUE(monitor_lost_event_init(mon.get(), &bus, MONITOR_MAX_CPUS, bare_metal));
		ASSERT_TRUE(trace_bus_attach(&bus, &mon->base));
		ASSERT_TRUE(trace_bus_attach(&bus, &out.base));
	}
	void TearDown() override { monitor_lost_event_free(mon.get()); }
	void Feed(const std::vector<trace_event> &evs)
	{
		for (const trace_event &e : evs)
			trace_bus_emit(&bus, &e);
	}
	std::vector<std::string> Finish(uint64_t cycle = 20000)
	{
		monitor_lost_event_finish(mon.get(), cycle);
		return out.violations;
	}
};

TEST_F(MonitorLostEvent, NothingRaisedNothingLost)
{
	EXPECT_TRUE(Finish().empty());
	EXPECT_EQ(mon->violations, 0u);
}

TEST_F(MonitorLostEvent, GuestNmiNeverInjectedIsLost)
{
	Feed({Stimulus(500, 0, 1, -1)});
	EXPECT_TRUE(out.violations.empty()) << "verdicts wait for the end of the run";
	std::vector<std::string> v = Finish(20000);
	ASSERT_EQ(v.size(), 1u);
	EXPECT_EQ(v[0], "       20000 cpu0 L1 violation     kind=lost_event type=nmi raised=1 delivered=0");
	EXPECT_EQ(mon->violations, 1u);
}

TEST_F(MonitorLostEvent, GuestNmiInjectedIsDelivered)
{
	Feed({Stimulus(500, 0, 1, -1), Inject(900, 0, "nmi", 2), Nmi(1000)});
	EXPECT_TRUE(Finish().empty());
}

TEST_F(MonitorLostEvent, TheInjectDecisionAloneIsNotADelivery)
{
	// Only the processor's delivery counts, not the hypervisor's intent.
	Feed({Stimulus(500, 0, 1, -1), Inject(900, 0, "nmi", 2)});
	ASSERT_EQ(Finish().size(), 1u);
}

TEST_F(MonitorLostEvent, GuestEventsCountOnlyWhenInjected)
{
	// A direct (not injected) delivery comes from the pins, not from the hypervisor.
	Feed({Stimulus(500, 0, 1, 32), Deliver(1000, 0, 1, 32, "ext-intr", false)});
	std::vector<std::string> v = Finish();
	ASSERT_EQ(v.size(), 1u);
	EXPECT_EQ(v[0], "       20000 cpu0 L1 violation     kind=lost_event type=irq vector=32 raised=1 delivered=0");
}

TEST_F(MonitorLostEvent, PinNmiHandledByTheHost)
{
	Feed({Stimulus(500, 0, 0, -1), Host(900, 0, "nmi")});
	EXPECT_TRUE(Finish().empty());
}

TEST_F(MonitorLostEvent, PinInterruptDeliveredStraightToTheGuest)
{
	// Without external-interrupt exiting the guest takes the pin interrupt itself.
	Feed({Stimulus(500, 0, 0, 32), Deliver(700, 0, 1, 32, "ext-intr", false)});
	EXPECT_TRUE(Finish().empty());
}

TEST_F(MonitorLostEvent, PinInterruptHandledByTheHost)
{
	Feed({Stimulus(500, 0, 0, 0x30), Host(900, 0, "irq", 0x30)});
	EXPECT_TRUE(Finish().empty());
}

TEST_F(MonitorLostEvent, PinEventsNeverHandledAreLost)
{
	Feed({Stimulus(500, 0, 0, -1), Stimulus(600, 0, 0, 0x30)});
	std::vector<std::string> v = Finish(7000);
	ASSERT_EQ(v.size(), 2u);
	EXPECT_EQ(v[0], "        7000 cpu0 L0 violation     kind=lost_event type=nmi raised=1 delivered=0");
	EXPECT_EQ(v[1], "        7000 cpu0 L0 violation     kind=lost_event type=irq vector=48 raised=1 delivered=0");
}

TEST_F(MonitorLostEvent, VectorsAreCountedSeparately)
{
	Feed({Stimulus(100, 0, 1, 32), Stimulus(200, 0, 1, 33), Stimulus(300, 0, 1, 32),
	      Deliver(400, 0, 1, 32, "ext-intr"), Deliver(500, 0, 1, 32, "ext-intr")});
	std::vector<std::string> v = Finish();
	ASSERT_EQ(v.size(), 1u);
	EXPECT_EQ(v[0], "       20000 cpu0 L1 violation     kind=lost_event type=irq vector=33 raised=1 delivered=0");
}

TEST_F(MonitorLostEvent, CountsOfRaisedAndDelivered)
{
	Feed({Stimulus(100, 0, 1, -1), Stimulus(200, 0, 1, -1), Stimulus(300, 0, 1, -1), Nmi(400)});
	std::vector<std::string> v = Finish();
	ASSERT_EQ(v.size(), 1u);
	EXPECT_EQ(v[0], "       20000 cpu0 L1 violation     kind=lost_event type=nmi raised=3 delivered=1");
}

TEST_F(MonitorLostEvent, ExceptionsAndSoftwareInterruptsAreNotDeliveriesOfTheVector)
{
	Feed({Stimulus(100, 0, 1, 14), Stimulus(110, 0, 1, 3), Deliver(200, 0, 1, 14, "hw-exception"),
	      Deliver(210, 0, 1, 3, "sw-exception"), Deliver(220, 0, 1, 3, "soft-intr")});
	EXPECT_EQ(Finish().size(), 2u);
}

TEST_F(MonitorLostEvent, UnaskedDeliveriesAreNotViolations)
{
	// The host's reschedule kick and the guest's own IPIs are not stimuli.
	Feed({Host(100, 0, "irq", 0xfd), Host(150, 0, "virtual-eoi", 32), Nmi(200), Deliver(300, 0, 1, 0x40, "ext-intr")});
	EXPECT_TRUE(Finish().empty());
}

TEST_F(MonitorLostEvent, VerdictsPerCpuAndLevelInOrder)
{
	Feed({Stimulus(100, 3, 1, 40), Stimulus(100, 1, 1, -1), Stimulus(100, 1, 0, 255), Stimulus(100, 1, 1, 0),
	      Stimulus(100, 0, 2, -1)});
	std::vector<std::string> v = Finish(100);
	ASSERT_EQ(v.size(), 5u);
	EXPECT_EQ(v[0], "         100 cpu0 L2 violation     kind=lost_event type=nmi raised=1 delivered=0");
	EXPECT_EQ(v[1], "         100 cpu1 L0 violation     kind=lost_event type=irq vector=255 raised=1 delivered=0");
	EXPECT_EQ(v[2], "         100 cpu1 L1 violation     kind=lost_event type=nmi raised=1 delivered=0");
	EXPECT_EQ(v[3], "         100 cpu1 L1 violation     kind=lost_event type=irq vector=0 raised=1 delivered=0");
	EXPECT_EQ(v[4], "         100 cpu3 L1 violation     kind=lost_event type=irq vector=40 raised=1 delivered=0");
	EXPECT_EQ(mon->violations, 5u);
}

TEST_F(MonitorLostEvent, OutOfRangeCpuOrLevelIsIgnored)
{
	Feed({Stimulus(100, MONITOR_MAX_CPUS, 1, -1), Stimulus(100, 0, MONITOR_LEVELS, -1)});
	EXPECT_TRUE(Finish().empty());
}

TEST_F(MonitorLostEvent, VerdictsGoThroughTheHorizon)
{
	// finish() emits at the run's end, which the horizon still admits.
	bus.horizon = 20000;
	Feed({Stimulus(100, 0, 1, -1)});
	EXPECT_EQ(Finish(20000).size(), 1u);
}

// ---- both monitors on one bus, as the machine attaches them -----------------

TEST(MonitorBoth, VerdictsOfOneDoNotConfuseTheOther)
{
	trace_bus bus;
	trace_bus_init(&bus);
	std::unique_ptr<monitor_nmi_nesting> nest(new monitor_nmi_nesting);
	std::unique_ptr<monitor_lost_event> lost(new monitor_lost_event);
	Lines out;
	monitor_nmi_nesting_init(nest.get(), &bus);
	ASSERT_TRUE(monitor_lost_event_init(lost.get(), &bus, 1, false));
	trace_bus_attach(&bus, &nest->base);
	trace_bus_attach(&bus, &lost->base);
	trace_bus_attach(&bus, &out.base);
	const std::vector<trace_event> evs = {Stimulus(100, 0, 1, -1), Stimulus(150, 0, 1, -1), Nmi(200), Nmi(300)};
	for (const trace_event &e : evs)
		trace_bus_emit(&bus, &e);
	monitor_lost_event_finish(lost.get(), 1000);
	monitor_lost_event_free(lost.get());
	ASSERT_EQ(out.violations.size(), 1u);
	EXPECT_EQ(out.violations[0], "         300 cpu0 L1 violation     kind=nmi_nesting open_nmi_handlers=1");
	EXPECT_EQ(nest->violations, 1u);
	EXPECT_EQ(lost->violations, 0u);
	EXPECT_EQ(bus.dropped, 0u);
}

}  // namespace

// ---- lost events on bare metal (l0 none: the host is the L1 program) --------

class MonitorLostEventBare : public MonitorLostEvent {
protected:
	void SetUp() override
	{
		bare_metal = true;
		MonitorLostEvent::SetUp();
	}
};

// kvm-unit-tests nmi_hlt: L2 halts, the NMI at the pins becomes an NMI exit to L1 (R22).
TEST_F(MonitorLostEventBare, ThePinNmisExitHandsItToTheL1Program)
{
	Feed({Stimulus(500, 0, 0, -1), NmiExit(500)});
	EXPECT_TRUE(Finish().empty());
}

TEST_F(MonitorLostEventBare, AnExceptionExitIsNoNmiDelivery)
{
	trace_event ud;
	trace_event_init(&ud, 600, 0, 2, TRACE_VMEXIT);
	trace_add_str(&ud, "reason", "EXCEPTION_NMI");
	trace_add_hex32(&ud, "intr_info", 0x80000306);
	Feed({Stimulus(500, 0, 0, -1), ud});
	ASSERT_EQ(Finish().size(), 1u);
}

// With an L0 in C the host handles the pin NMI itself (a `host` event); the exit alone is not it.
TEST_F(MonitorLostEvent, WithAnL0TheNmiExitIsNotTheHandling)
{
	Feed({Stimulus(500, 0, 0, -1), NmiExit(500)});
	ASSERT_EQ(Finish().size(), 1u);
}
