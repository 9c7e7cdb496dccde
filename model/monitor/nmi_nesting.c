/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nmi_nesting.c - the NMI-nesting monitor (see monitor.h).
 */
#include <string.h>

#include "model/monitor/monitor.h"

static void emit(struct trace_sink *s, const struct trace_event *ev)
{
	struct monitor_nmi_nesting *m = (struct monitor_nmi_nesting *)s;
	uint32_t c = ev->cpu, l = ev->level;

	if (c >= MONITOR_MAX_CPUS || l >= MONITOR_LEVELS)
		return;
	if (ev->kind == TRACE_DELIVER) {
		bool nmi = trace_field_is(ev, "type", "nmi");
		if (nmi && m->nmis_open[c][l] > 0) {
			struct trace_event v;
			trace_event_init(&v, ev->cycle, c, l, TRACE_VIOLATION);
			trace_add_str(&v, "kind", "nmi_nesting");
			trace_add_uint(&v, "open_nmi_handlers", m->nmis_open[c][l]);
			m->violations++;
			trace_bus_emit(m->bus, &v);
		}
		if (m->depth[c][l] < MONITOR_MAX_DEPTH) {
			m->frame_is_nmi[c][l][m->depth[c][l]] = nmi;
			m->depth[c][l]++;
			m->nmis_open[c][l] += nmi;
		}
	} else if (ev->kind == TRACE_IRET && m->depth[c][l] > 0) {
		m->depth[c][l]--;
		m->nmis_open[c][l] -= m->frame_is_nmi[c][l][m->depth[c][l]];
	}
}

void monitor_nmi_nesting_init(struct monitor_nmi_nesting *m, struct trace_bus *bus)
{
	memset(m, 0, sizeof(*m));
	m->base.emit = emit;
	m->base.ignore = TRACE_ALL_KINDS & ~(TRACE_KIND_BIT(TRACE_DELIVER) | TRACE_KIND_BIT(TRACE_IRET));
	m->bus = bus;
}
