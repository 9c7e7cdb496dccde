/* SPDX-License-Identifier: Apache-2.0 */
/*
 * acked_exit.c - recognising the exits that hand an event to the
 * hypervisor: an external-interrupt exit that acknowledged its interrupt,
 * an NMI's exit (see monitor.h).
 */
#include "model/monitor/monitor.h"

bool monitor_acked_on_exit(const struct trace_event *ev, uint32_t *vector)
{
	uint32_t info = (uint32_t)trace_field_u(ev, "intr_info", 0);

	/* Most exits carry nothing: test the valid bit before the reason's text. */
	if (!(info & 0x80000000u) || !trace_field_is(ev, "reason", "EXTERNAL_INTERRUPT"))
		return false;
	*vector = info & 0xff;
	return true;
}

bool monitor_nmi_exit(const struct trace_event *ev)
{
	return ev->kind == TRACE_VMEXIT && monitor_nmi_exit_info(ev);
}

bool monitor_nmi_exit_info(const struct trace_event *ev)
{
	uint32_t info = (uint32_t)trace_field_u(ev, "intr_info", 0);

	return (info & 0x80000700u) == 0x80000200u && trace_field_is(ev, "reason", "EXCEPTION_NMI");
}
