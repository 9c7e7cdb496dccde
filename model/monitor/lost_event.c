/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lost_event.c - the lost-event monitor (see monitor.h).
 */
#include <stdlib.h>
#include <string.h>

#include "model/monitor/monitor.h"

/* Index of what an event carries: 0 for an NMI, vector + 1 for an interrupt; -1 if neither. */
static int what_of(const struct trace_event *ev)
{
	const struct trace_field *v = trace_field(ev, "vector");

	if (trace_field_is(ev, "type", "nmi"))
		return 0;
	if ((trace_field_is(ev, "type", "ext-intr") || trace_field_is(ev, "type", "irq")) && v)
		return (int)(v->u & 0xff) + 1;
	return -1;
}

/*
 * The counters move through these two, which keep `open` - per vCPU and
 * class, the cells with more raised than delivered - so that the end of a
 * run looks only as far as the last of them.
 */
static void raise_one(struct monitor_lost_event *m, uint32_t c, uint32_t l, int w)
{
	bool was = m->raised[c][l][w] > m->delivered[c][l][w];

	monitor_stamp_row(&m->row_stamp[c][l], m->stamps);
	m->raised[c][l][w]++;
	m->open[c][l] += !was;
}

static void deliver_one(struct monitor_lost_event *m, uint32_t c, uint32_t l, int w)
{
	bool was = m->raised[c][l][w] > m->delivered[c][l][w];

	monitor_stamp_row(&m->row_stamp[c][l], m->stamps);
	m->delivered[c][l][w]++;
	m->open[c][l] -= was && m->raised[c][l][w] <= m->delivered[c][l][w];
}

/*
 * An acknowledged external-interrupt exit is a delivery (R21): on the
 * processor (bare metal) of an interrupt at the pins; from a nested L0 of an
 * interrupt for L1.
 */
static void acked_on_exit(struct monitor_lost_event *m, const struct trace_event *ev)
{
	uint32_t c = ev->cpu, v;

	if (!monitor_acked_on_exit(ev, &v))
		return;
	if (ev->kind == TRACE_NESTED_VMEXIT)
		deliver_one(m, c, 1, (int)v + 1);
	else if (ev->level >= 2)   /* bare metal: L2's exit to L1, the root software */
		deliver_one(m, c, 0, (int)v + 1);
}

/*
 * Posted-interrupt processing consumes a notification vector (SDM Vol. 3C
 * 30.6): the delivery of an interrupt raised for the level whose vector
 * it was. A nested L0 processes L1's notification for L2 itself
 * (`op=posted ... by=l0`), or sends the processor its own vector to do it
 * (`op=notify`): then the processor's next processing on that vCPU
 * consumes L1's - unless the L0 drops it first (`op=dropped`), when L1's
 * interrupt is lost. Otherwise the processor's is of a vector at its pins,
 * counted only against one raised and not yet delivered: a device's
 * `post` raises none.
 */
static void posted(struct monitor_lost_event *m, const struct trace_event *ev)
{
	const struct trace_field *nv = trace_field(ev, "notification");
	const struct trace_field *op = trace_field(ev, "op");
	uint32_t c = ev->cpu;
	int w;

	if (!nv || !op || ev->level != 2)
		return;
	w = (int)(nv->u & 0xff) + 1;
	if (trace_field(ev, "by")) {
		if (trace_field_is(ev, "op", "notify")) {
			m->nested_notify[c] = (uint16_t)w;
			return;
		}
		m->nested_notify[c] = 0;   /* processed by the L0, or dropped: nothing left for the processor */
		if (trace_field_is(ev, "op", "posted"))
			deliver_one(m, c, 1, w);
		return;
	}
	if (m->nested_notify[c]) {
		deliver_one(m, c, 1, m->nested_notify[c]);
		m->nested_notify[c] = 0;
	} else if (m->raised[c][0][w] > m->delivered[c][0][w]) {
		deliver_one(m, c, 0, w);
	}
}

/*
 * A RESET discards whatever was pending at that processor, by design, not
 * by a hypervisor's mistake (init_sipi.c): what was raised for it before
 * is settled, and only what is raised after it can be lost.
 */
static void settle_at_reset(struct monitor_lost_event *m, uint32_t c)
{
	for (uint32_t l = 0; l < MONITOR_LEVELS; l++) {
		if (!m->open[c][l])
			continue;
		monitor_stamp_row(&m->row_stamp[c][l], m->stamps);
		for (uint32_t w = 0; w < 257; w++)
			if (m->raised[c][l][w] > m->delivered[c][l][w])
				m->delivered[c][l][w] = m->raised[c][l][w];
		m->open[c][l] = 0;
	}
	m->nested_notify[c] = 0;
}

static void emit(struct trace_sink *s, const struct trace_event *ev)
{
	struct monitor_lost_event *m = (struct monitor_lost_event *)s;
	uint32_t c = ev->cpu, l = ev->level;
	int w;
	const struct trace_field *inj;

	if (c >= m->ncpus || l >= MONITOR_LEVELS)
		return;
	if (ev->kind == TRACE_VMEXIT || ev->kind == TRACE_NESTED_VMEXIT) {
		acked_on_exit(m, ev);
		/* Bare metal: the NMI's exit hands it to L1, the root software (R22). */
		if (m->bare_metal && monitor_nmi_exit(ev))
			deliver_one(m, c, 0, 0);
		/* A nested L0's emulated NMI exit hands L1 the NMI raised for it, as the processor's does. */
		else if (ev->kind == TRACE_NESTED_VMEXIT && monitor_nmi_exit_info(ev))
			deliver_one(m, c, 1, 0);
		return;
	}
	if (ev->kind == TRACE_VAPIC) {
		posted(m, ev);
		return;
	}
	if (ev->kind == TRACE_RESET) {
		settle_at_reset(m, c);
		return;
	}
	if (ev->kind != TRACE_STIMULUS && ev->kind != TRACE_HOST && ev->kind != TRACE_DELIVER)
		return;   /* the only kinds that raise or deliver */
	w = what_of(ev);
	if (w < 0)
		return;
	switch (ev->kind) {
	case TRACE_VMEXIT:
	case TRACE_NESTED_VMEXIT:
		break;   /* handled below: only the interruption information matters */
	case TRACE_STIMULUS:
		raise_one(m, c, l, w);
		break;
	case TRACE_HOST:      /* the host handled a pin event */
		deliver_one(m, c, 0, w);
		break;
	case TRACE_DELIVER:
		inj = trace_field(ev, "injected");
		/*
		 * An injected event is the hypervisor's delivery to that level - or,
		 * when nothing was raised for that level, the delivery of an event for
		 * the level above it that passed it down (an L1 that does not exit on
		 * interrupts lets L0 inject L1's interrupts into L2). A direct one came
		 * from the pins.
		 */
		if (inj && inj->u) {
			while (l > 1 && m->raised[c][l][w] <= m->delivered[c][l][w])
				l--;
			deliver_one(m, c, l, w);
		} else {
			deliver_one(m, c, 0, w);
		}
		break;
	default:
		break;
	}
}

bool monitor_lost_event_init(struct monitor_lost_event *m, struct trace_bus *bus, uint32_t ncpus, bool bare_metal)
{
	memset(m, 0, sizeof(*m));
	m->bare_metal = bare_metal;
	m->ncpus = monitor_cpus(ncpus);
	m->raised = calloc(m->ncpus, sizeof(*m->raised));
	m->delivered = calloc(m->ncpus, sizeof(*m->delivered));
	m->open = calloc(m->ncpus, sizeof(*m->open));
	m->row_stamp = calloc(m->ncpus, sizeof(*m->row_stamp));
	m->base.emit = emit;
	m->base.ignore = TRACE_ALL_KINDS & ~(TRACE_KIND_BIT(TRACE_VMEXIT) | TRACE_KIND_BIT(TRACE_NESTED_VMEXIT) |
	                                     TRACE_KIND_BIT(TRACE_STIMULUS) | TRACE_KIND_BIT(TRACE_HOST) |
	                                     TRACE_KIND_BIT(TRACE_DELIVER) | TRACE_KIND_BIT(TRACE_VAPIC) |
	                                     TRACE_KIND_BIT(TRACE_RESET));
	m->bus = bus;
	return m->raised && m->delivered && m->open && m->row_stamp;
}

void monitor_lost_event_free(struct monitor_lost_event *m)
{
	free(m->raised);
	free(m->delivered);
	free(m->open);
	free(m->row_stamp);
	m->raised = m->delivered = NULL;
	m->open = NULL;
	m->row_stamp = NULL;
}

void monitor_lost_event_finish(struct monitor_lost_event *m, uint64_t cycle)
{
	for (uint32_t c = 0; c < m->ncpus; c++)
		for (uint32_t l = 0; l < MONITOR_LEVELS; l++)
			for (uint32_t w = 0, left = m->open[c][l]; left && w < 257; w++) {
				struct trace_event v;
				if (m->raised[c][l][w] <= m->delivered[c][l][w])
					continue;
				left--;
				trace_event_init(&v, cycle, c, l, TRACE_VIOLATION);
				trace_add_str(&v, "kind", "lost_event");
				trace_add_str(&v, "type", w == 0 ? "nmi" : "irq");
				if (w)
					trace_add_uint(&v, "vector", w - 1);
				trace_add_uint(&v, "raised", m->raised[c][l][w]);
				trace_add_uint(&v, "delivered", m->delivered[c][l][w]);
				m->violations++;
				trace_bus_emit(m->bus, &v);
			}
}
