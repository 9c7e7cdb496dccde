/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lost_injection.c - the lost-injection monitor (see monitor.h): an event
 * that L1 puts in its VM-entry interruption-information field must reach
 * L2 (R14), or come back to L1 in the IDT-vectoring information of the
 * exit that cut its delivery short (R20), or stay in the field of an entry
 * that failed (R26). A nested L0 that drops it - by emulating an exit to
 * L1 before L2 ran, or by injecting another event in its place - leaves
 * no trace of it anywhere L1 or the lost-event monitor looks.
 */
#include <stdlib.h>
#include <string.h>

#include "model/monitor/monitor.h"
#include "vmcs/vmx_intr_info.h"

/* The events of one injection: type 7 (pending MTF) delivers nothing and is no injection here. */
static bool injects_an_event(uint32_t info)
{
	return intr_info_valid(info) && intr_info_type(info) != INTR_TYPE_OTHER_EVENT;
}

static void verdict(struct monitor_lost_injection *m, const struct trace_event *at, uint32_t info, const char *why)
{
	struct trace_event viol;

	trace_event_init(&viol, at->cycle, at->cpu, 2, TRACE_VIOLATION);
	trace_add_str(&viol, "kind", "lost_injection");
	trace_add_str(&viol, "type", intr_type_name(intr_info_type(info)));
	trace_add_uint(&viol, "vector", intr_info_vector(info));
	trace_add_str(&viol, "why", why);
	m->violations++;
	trace_bus_emit(m->bus, &viol);
}

/* L1 injects `info` into L2 with a VM entry; one still waiting was dropped by it. */
static void injected(struct monitor_lost_injection *m, const struct trace_event *ev, uint32_t info)
{
	uint32_t c = ev->cpu;

	if (m->pending[c])
		verdict(m, ev, m->pending[c], "L1 entered L2 again before it was delivered");
	m->pending[c] = injects_an_event(info) ? info : 0;
}

/* Does an event described by `info` (interruption-information format) equal what waits? */
static bool same_event(uint32_t waiting, uint32_t info)
{
	return intr_info_valid(info) && intr_info_type(info) == intr_info_type(waiting) &&
	       intr_info_vector(info) == intr_info_vector(waiting);
}

static void delivered(struct monitor_lost_injection *m, const struct trace_event *ev)
{
	uint32_t c = ev->cpu, waiting = m->pending[c];

	if (!waiting || !trace_field_u(ev, "injected", 0))
		return;
	m->pending[c] = 0;
	if (trace_field_is(ev, "type", intr_type_name(intr_info_type(waiting))) &&
	    (uint32_t)trace_field_u(ev, "vector", UINT32_MAX) == intr_info_vector(waiting))
		return;
	verdict(m, ev, waiting, "another event was injected into L2 in its place");
}

/* An exit from L2 to L1 while it waits: only a failed entry or the IDT-vectoring information keeps it. */
static void exited(struct monitor_lost_injection *m, const struct trace_event *ev)
{
	uint32_t c = ev->cpu, waiting = m->pending[c];

	if (!waiting)
		return;
	m->pending[c] = 0;
	if (trace_field_u(ev, "failed_vmentry", 0) ||
	    same_event(waiting, (uint32_t)trace_field_u(ev, "idt_vectoring", 0)))
		return;
	verdict(m, ev, waiting, "L1 got an exit from L2 without it in the IDT-vectoring information");
}

static void emit(struct trace_sink *s, const struct trace_event *ev)
{
	struct monitor_lost_injection *m = (struct monitor_lost_injection *)s;

	if (ev->cpu >= m->ncpus)
		return;
	switch (ev->kind) {
	case TRACE_NESTED_VMENTER:
		injected(m, ev, (uint32_t)trace_field_u(ev, "event_inj", 0));
		break;
	case TRACE_VMENTRY:
		/* Bare metal: L1 is the root program and enters L2 itself (R14). */
		if (m->bare_metal && ev->level == 2)
			injected(m, ev, (uint32_t)trace_field_u(ev, "inject", 0));
		break;
	case TRACE_DELIVER:
		if (ev->level == 2)
			delivered(m, ev);
		break;
	case TRACE_NESTED_VMEXIT:
		exited(m, ev);
		break;
	case TRACE_VMEXIT:
		if (m->bare_metal && ev->level == 2)
			exited(m, ev);
		break;
	default:
		break;
	}
}

bool monitor_lost_injection_init(struct monitor_lost_injection *m, struct trace_bus *bus, uint32_t ncpus,
                                 bool bare_metal)
{
	memset(m, 0, sizeof(*m));
	m->ncpus = monitor_cpus(ncpus);
	m->pending = calloc(m->ncpus, sizeof(*m->pending));
	m->bare_metal = bare_metal;
	m->bus = bus;
	m->base.emit = emit;
	m->base.ignore = TRACE_ALL_KINDS & ~(TRACE_KIND_BIT(TRACE_NESTED_VMENTER) | TRACE_KIND_BIT(TRACE_NESTED_VMEXIT) |
	                                     TRACE_KIND_BIT(TRACE_DELIVER) |
	                                     (bare_metal ? TRACE_KIND_BIT(TRACE_VMENTRY) | TRACE_KIND_BIT(TRACE_VMEXIT) : 0));
	return m->pending != NULL;
}

void monitor_lost_injection_free(struct monitor_lost_injection *m)
{
	free(m->pending);
	m->pending = NULL;
}

void monitor_lost_injection_finish(struct monitor_lost_injection *m, uint64_t cycle)
{
	for (uint32_t c = 0; c < m->ncpus; c++) {
		struct trace_event end;
		if (!m->pending[c])
			continue;
		trace_event_init(&end, cycle, c, 2, TRACE_END);
		verdict(m, &end, m->pending[c], "never delivered by the end of the run");
		m->pending[c] = 0;
	}
}
