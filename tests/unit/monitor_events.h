/* SPDX-License-Identifier: Apache-2.0 */
/*
 * monitor_events.h - trace events that more than one monitor suite feeds.
 */
#ifndef VMXSIM_TEST_MONITOR_EVENTS_H
#define VMXSIM_TEST_MONITOR_EVENTS_H

#include <cstdint>

#include "model/trace/trace.h"

/* An NMI's VM exit from L2 (bare metal: to the L1 program), R22. */
inline trace_event NmiExit(uint64_t cycle)
{
	trace_event ev;
	trace_event_init(&ev, cycle, 0, 2, TRACE_VMEXIT);
	trace_add_str(&ev, "reason", "EXCEPTION_NMI");
	trace_add_hex32(&ev, "intr_info", 0x80000202);
	return ev;
}

#endif
