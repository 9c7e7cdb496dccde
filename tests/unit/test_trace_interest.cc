/* SPDX-License-Identifier: Apache-2.0 */
// Which sinks the trace bus calls (trace_sink.ignore), which events it lets
// an emitter leave unbuilt (trace_bus_begin), and what it counts either
// way; the monitors' masks; and, over every shipped scenario, that a run
// without a trace counts the same events, entries, injections and
// violations as a run whose trace writer sees every event.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "lib/scenario_run.h"
#include "front/scenario.h"
#include "model/monitor/monitor.h"
#include "model/trace/trace.h"
#include "sink_harness.h"

namespace {

// Counts the events it is called with; optionally wants every kind from a
// given kind on (a mask changed by the sink's own emit).
struct Counter {
	trace_sink base{};
	uint64_t calls = 0;
	trace_kind widen_on = TRACE_KIND_COUNT;

	explicit Counter(uint64_t ignore)
	{
		base.emit = Emit;
		base.ignore = ignore;
	}
	static void Emit(trace_sink *s, const trace_event *ev)
	{
		Counter *c = reinterpret_cast<Counter *>(s);
		c->calls++;
		if (ev->kind == c->widen_on)
			c->base.ignore = 0;
	}
};
static_assert(offsetof(Counter, base) == 0, "the sink is the first member");

// An event of cpu0 at L1 with no fields.
trace_event Event(uint64_t cycle, trace_kind k)
{
	return Ev(cycle, 0, 1, k).ev;
}

TEST(TraceInterest, AnIgnoredKindIsNotDispatchedToThatSinkButCounted)
{
	trace_bus bus;
	trace_bus_init(&bus);
	Counter deaf(TRACE_KIND_BIT(TRACE_VMENTRY)), all(0);
	trace_bus_attach(&bus, &deaf.base);
	trace_bus_attach(&bus, &all.base);
	trace_event entry = Event(10, TRACE_VMENTRY), exit = Event(20, TRACE_VMEXIT);
	trace_bus_emit(&bus, &entry);
	trace_bus_emit(&bus, &exit);
	EXPECT_EQ(deaf.calls, 1u);
	EXPECT_EQ(all.calls, 2u);
	EXPECT_EQ(bus.count[TRACE_VMENTRY], 1u);
	EXPECT_EQ(bus.count[TRACE_VMEXIT], 1u);
	EXPECT_EQ(trace_bus_events(&bus), 2u);
}

TEST(TraceInterest, BeginAsksForAnEventOnlyIfSomeSinkWantsItsKind)
{
	trace_bus bus;
	trace_bus_init(&bus);
	EXPECT_FALSE(trace_bus_begin(&bus, TRACE_HLT, 1));   // no sink at all: counted
	EXPECT_EQ(bus.count[TRACE_HLT], 1u);

	Counter exits_only(TRACE_ALL_KINDS & ~TRACE_KIND_BIT(TRACE_VMEXIT));
	trace_bus_attach(&bus, &exits_only.base);
	EXPECT_TRUE(trace_bus_begin(&bus, TRACE_VMEXIT, 2));
	EXPECT_EQ(bus.count[TRACE_VMEXIT], 0u);   // counted when emitted, not here
	EXPECT_FALSE(trace_bus_begin(&bus, TRACE_VMENTRY, 3));
	EXPECT_EQ(bus.count[TRACE_VMENTRY], 1u);
	EXPECT_EQ(exits_only.calls, 0u);

	// Past the horizon nothing is built or counted, wanted or not.
	bus.horizon = 100;
	EXPECT_FALSE(trace_bus_begin(&bus, TRACE_VMEXIT, 101));
	EXPECT_FALSE(trace_bus_begin(&bus, TRACE_VMENTRY, 101));
	EXPECT_EQ(trace_bus_events(&bus), 2u);

	// A zeroed sink (a trace writer, a test's recorder) wants every kind.
	Counter writer(0);
	trace_bus_attach(&bus, &writer.base);
	for (int k = 0; k < TRACE_KIND_COUNT; k++)
		EXPECT_TRUE(trace_bus_begin(&bus, (trace_kind)k, 50)) << trace_kind_name((trace_kind)k);
}

TEST(TraceInterest, AMaskChangedByTheSinksOwnEmitTakesEffectAtOnce)
{
	trace_bus bus;
	trace_bus_init(&bus);
	Counter c(TRACE_ALL_KINDS & ~TRACE_KIND_BIT(TRACE_WARNING));
	c.widen_on = TRACE_WARNING;
	trace_bus_attach(&bus, &c.base);
	EXPECT_FALSE(trace_bus_begin(&bus, TRACE_BLOCKING, 1));
	trace_event w = Event(2, TRACE_WARNING);
	trace_bus_emit(&bus, &w);
	EXPECT_TRUE(trace_bus_begin(&bus, TRACE_BLOCKING, 3));
	trace_event b = Event(3, TRACE_BLOCKING);
	trace_bus_emit(&bus, &b);
	EXPECT_EQ(c.calls, 2u);
	EXPECT_EQ(bus.count[TRACE_BLOCKING], 2u);   // the one left unbuilt and the one emitted
}

TEST(TraceInterest, WhileDispatchingEveryEventIsBuiltAndQueued)
{
	trace_bus bus;
	trace_bus_init(&bus);
	Counter none(TRACE_ALL_KINDS);
	trace_bus_attach(&bus, &none.base);
	bus.dispatching = true;   // as inside a sink's emit: the queue decides, as before
	EXPECT_TRUE(trace_bus_begin(&bus, TRACE_HLT, 1));
	bus.dispatching = false;
	EXPECT_EQ(bus.count[TRACE_HLT], 0u);
}

TEST(TraceInterest, ForcedUnblockWantsEverythingOnlyBehindItsWarning)
{
	trace_bus bus;
	trace_bus_init(&bus);
	std::unique_ptr<monitor_forced_unblock> m(new monitor_forced_unblock);
	monitor_forced_unblock_init(m.get(), &bus);
	trace_bus_attach(&bus, &m->base);
	EXPECT_FALSE(trace_bus_begin(&bus, TRACE_HOST, 1));

	trace_event warn = Ev(10, 0, 1, TRACE_WARNING).S("msg", "Breaking out of NMI-blocked state on VCPU 0").ev;
	trace_bus_emit(&bus, &warn);
	// Whatever comes next on that vCPU decides whether a timeout pairs with the warning.
	EXPECT_TRUE(trace_bus_begin(&bus, TRACE_HOST, 11));
	trace_event host = Event(11, TRACE_HOST);
	trace_bus_emit(&bus, &host);
	EXPECT_FALSE(trace_bus_begin(&bus, TRACE_HOST, 12));

	trace_event timeout = Ev(12, 0, 1, TRACE_SOFT_VNMI).S("why", "timeout").ev;
	trace_bus_emit(&bus, &timeout);
	EXPECT_EQ(m->count[0], 2u);   // the event between made them two unblocks
}

TEST(TraceInterest, MonitorsIgnoreOnlyKindsTheyDoNothingWith)
{
	trace_bus bus;
	std::unique_ptr<monitor_nmi_nesting> nesting(new monitor_nmi_nesting);
	std::unique_ptr<monitor_lost_event> lost(new monitor_lost_event);
	std::unique_ptr<monitor_summaries> sums(new monitor_summaries);
	monitor_nmi_nesting_init(nesting.get(), &bus);
	ASSERT_TRUE(monitor_lost_event_init(lost.get(), &bus, 1, false));
	ASSERT_TRUE(monitor_summaries_init(sums.get(), &bus, 0, 1, false, true));
	uint64_t ignored = nesting->base.ignore & lost->base.ignore & sums->nmi.base.ignore & sums->host.base.ignore &
	                   sums->forced.base.ignore & sums->irq.base.ignore;
	monitor_lost_event_free(lost.get());
	monitor_summaries_free(sums.get());
	for (trace_kind k : {TRACE_STIMULUS, TRACE_VMEXIT, TRACE_DELIVER, TRACE_IRET, TRACE_NMI_LOST,
	                     TRACE_NESTED_VMENTER, TRACE_NESTED_VMEXIT, TRACE_HOST, TRACE_SOFT_VNMI, TRACE_WARNING})
		EXPECT_FALSE(ignored & TRACE_KIND_BIT(k)) << trace_kind_name(k);
	for (trace_kind k : {TRACE_VMENTRY, TRACE_BLOCKING, TRACE_INTR_ACK, TRACE_WINDOW, TRACE_DEFER, TRACE_END})
		EXPECT_TRUE(ignored & TRACE_KIND_BIT(k)) << trace_kind_name(k);
}

// One run of a shipped scenario, with its text trace or without one.
vmxsim_result RunShipped(const scn_scenario *s, bool traced, uint64_t *lines)
{
	char *buf = nullptr;
	size_t len = 0;
	FILE *trace = traced ? open_memstream(&buf, &len) : nullptr;
	FILE *diag = std::fopen("/dev/null", "w");
	vmxsim_result res{};
	run_scenario(s, trace, TRACE_FORMAT_TEXT, diag, &res);
	if (trace)
		std::fclose(trace);
	std::fclose(diag);
	*lines = 0;
	for (size_t i = 0; i < len; i++)
		*lines += buf[i] == '\n';
	std::free(buf);
	return res;
}

TEST(TraceInterest, ARunWithoutATraceCountsWhatTheTraceShows)
{
	int scenarios = 0;
	for (const auto &e :
	     std::filesystem::recursive_directory_iterator(std::string(VMXSIM_SOURCE_DIR) + "/scenarios")) {
		if (e.path().extension() != ".scn")
			continue;
		scn_error err;
		scn_scenario *s = scn_parse_file(e.path().c_str(), &err);
		ASSERT_NE(s, nullptr) << e.path();
		uint64_t lines = 0, none = 0;
		vmxsim_result on = RunShipped(s, true, &lines), off = RunShipped(s, false, &none);
		scn_free(s);
		EXPECT_EQ(on.events, lines) << e.path();
		EXPECT_EQ(off.events, on.events) << e.path();
		EXPECT_EQ(off.exits, on.exits) << e.path();
		EXPECT_EQ(off.entries, on.entries) << e.path();
		EXPECT_EQ(off.injections, on.injections) << e.path();
		EXPECT_EQ(off.deliveries, on.deliveries) << e.path();
		EXPECT_EQ(off.violations, on.violations) << e.path();
		EXPECT_EQ(off.status, on.status) << e.path();
		scenarios++;
	}
	EXPECT_GE(scenarios, 40);
}

}  // namespace
