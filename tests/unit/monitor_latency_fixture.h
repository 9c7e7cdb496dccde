/* SPDX-License-Identifier: Apache-2.0 */
/*
 * monitor_latency_fixture.h - what the suites of the monitors with
 * end-of-run figures share (test_monitors_latency.cc,
 * test_monitors_host_nmi.cc): the trace events the machine and the L0
 * models feed them, and a bus with one monitor and a recorder behind it.
 */
#ifndef VMXSIM_TEST_MONITOR_LATENCY_FIXTURE_H
#define VMXSIM_TEST_MONITOR_LATENCY_FIXTURE_H

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "model/monitor/monitor.h"
#include "model/trace/trace.h"
#include "unit/lines_sink.h"

namespace latency_test {

// The events as the machine and the L0 models make them.
inline trace_event Stimulus(uint64_t cycle, uint32_t cpu, uint32_t level, const char *type = "nmi")
{
	trace_event ev;
	trace_event_init(&ev, cycle, cpu, level, TRACE_STIMULUS);
	trace_add_str(&ev, "type", type);
	if (!strcmp(type, "irq"))
		trace_add_uint(&ev, "vector", 32);
	trace_add_str(&ev, "origin", "scenario");
	return ev;
}

inline trace_event Deliver(uint64_t cycle, uint32_t cpu, uint32_t level, bool injected, const char *type = "nmi")
{
	trace_event ev;
	trace_event_init(&ev, cycle, cpu, level, TRACE_DELIVER);
	trace_add_uint(&ev, "vector", strcmp(type, "nmi") ? 32 : 2);
	trace_add_str(&ev, "type", type);
	trace_add_bool(&ev, "injected", injected);
	trace_add_hex64(&ev, "handler", 0x13eb);
	return ev;
}

inline trace_event Host(uint64_t cycle, uint32_t cpu, const char *type = "nmi")
{
	trace_event ev;
	trace_event_init(&ev, cycle, cpu, 0, TRACE_HOST);
	trace_add_str(&ev, "type", type);
	if (strcmp(type, "nmi"))
		trace_add_uint(&ev, "vector", 253);
	return ev;
}

inline trace_event NmiLost(uint64_t cycle, uint32_t cpu)
{
	trace_event ev;
	trace_event_init(&ev, cycle, cpu, 0, TRACE_NMI_LOST);
	return ev;
}

inline trace_event Warning(uint64_t cycle, uint32_t cpu, const char *msg)
{
	trace_event ev;
	trace_event_init(&ev, cycle, cpu, 0, TRACE_WARNING);
	trace_add_str(&ev, "msg", msg);
	return ev;
}

inline constexpr char kForcedMsg[] = "Breaking out of NMI-blocked state on VCPU 0 after 1 s timeout";

inline trace_event SoftVnmi(uint64_t cycle, uint32_t cpu, bool blocked, const char *why)
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
inline void Free(monitor_nmi_latency *m) { monitor_nmi_latency_free(m); }
inline void Free(monitor_host_nmi *m) { monitor_host_nmi_free(m); }
inline void Free(monitor_forced_unblock *) {}

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

}  // namespace latency_test

#endif
