/* SPDX-License-Identifier: Apache-2.0 */
/*
 * forced_unblock.c - counts forced unblocks of KVM's soft NMI-blocked flag
 * (see monitor.h). The 2008 patch prints its warning and clears the flag
 * with why=timeout right behind it: that pair is one unblock.
 */
#include <string.h>

#include "model/monitor/monitor.h"

static const char forced_prefix[] = "Breaking out of NMI-blocked state";

static bool forced_warning(const struct trace_event *ev)
{
	const struct trace_field *f = trace_field(ev, "msg");
	return f && f->type == TF_STR && f->s && !strncmp(f->s, forced_prefix, sizeof(forced_prefix) - 1);
}

/* Only the two kinds count; any other event matters only to a vCPU whose last event was the warning. */
static const uint64_t acts_on = TRACE_KIND_BIT(TRACE_WARNING) | TRACE_KIND_BIT(TRACE_SOFT_VNMI);

static void set_warned(struct monitor_forced_unblock *m, uint32_t c, bool warned)
{
	if (m->warned[c] == warned)
		return;
	m->warned[c] = warned;
	m->nwarned += warned ? 1u : (uint32_t)-1;
	m->base.ignore = m->nwarned ? 0 : TRACE_ALL_KINDS & ~acts_on;
}

static void emit(struct trace_sink *s, const struct trace_event *ev)
{
	struct monitor_forced_unblock *m = (struct monitor_forced_unblock *)s;
	uint32_t c = ev->cpu;

	if (c >= MONITOR_MAX_CPUS)
		return;
	if (ev->kind == TRACE_WARNING && forced_warning(ev)) {
		m->count[c]++;
		set_warned(m, c, true);
		return;
	}
	if (ev->kind == TRACE_SOFT_VNMI && trace_field_is(ev, "why", "timeout") && !m->warned[c])
		m->count[c]++;
	set_warned(m, c, false);
}

void monitor_forced_unblock_init(struct monitor_forced_unblock *m, struct trace_bus *bus)
{
	memset(m, 0, sizeof(*m));
	m->base.emit = emit;
	m->base.ignore = TRACE_ALL_KINDS & ~acts_on;
	m->bus = bus;
}

void monitor_forced_unblock_finish(struct monitor_forced_unblock *m, uint32_t cpu, uint64_t cycle)
{
	uint32_t first = cpu == UINT32_MAX ? 0 : cpu, last = cpu == UINT32_MAX ? MONITOR_MAX_CPUS : cpu + 1;

	for (uint32_t c = first; c < last && c < MONITOR_MAX_CPUS; c++) {
		struct trace_event ev;
		if (!m->count[c])
			continue;
		trace_event_init(&ev, cycle, c, 0, TRACE_SUMMARY);
		trace_add_str(&ev, "kind", "forced_unblocks");
		trace_add_uint(&ev, "count", m->count[c]);
		trace_bus_emit(m->bus, &ev);
	}
}
