/* SPDX-License-Identifier: Apache-2.0 */
/*
 * latency.c - NMI latency for the guests and for the host (see monitor.h):
 * FIFO matching of raises to deliveries in a fixed ring, and the
 * log-linear histogram behind the median.
 */
#include <stdlib.h>
#include <string.h>

#include "model/monitor/monitor.h"

/* ---- one (cpu, level): the ring and the histogram ---- */

bool monitor_latency_hists(struct monitor_latency *lat, size_t n, bool on, uint64_t **store)
{
	*store = NULL;
	if (!on || !lat)
		return true;
	if (!(*store = calloc(n * MONITOR_LAT_BUCKETS, sizeof(**store))))
		return false;
	for (size_t i = 0; i < n; i++)
		lat[i].hist = *store + i * MONITOR_LAT_BUCKETS;
	return true;
}

uint32_t monitor_latency_bucket(uint64_t cycles)
{
	uint32_t e;

	if (cycles < MONITOR_LAT_SUB)
		return (uint32_t)cycles;
	e = 63u - (uint32_t)__builtin_clzll(cycles);               /* 2^e <= cycles, e >= 4 */
	return (e - 3u) * MONITOR_LAT_SUB + (uint32_t)((cycles >> (e - 4u)) & (MONITOR_LAT_SUB - 1));
}

uint64_t monitor_latency_bucket_low(uint32_t b)
{
	uint32_t e;

	if (b < MONITOR_LAT_SUB)
		return b;
	e = b / MONITOR_LAT_SUB + 3u;
	return (uint64_t)(MONITOR_LAT_SUB + b % MONITOR_LAT_SUB) << (e - 4u);
}

uint64_t monitor_latency_median(const struct monitor_latency *l)
{
	uint64_t rank = (l->count + 1) / 2, seen = 0;

	if (!l->count || !l->hist)
		return 0;
	for (uint32_t b = 0; b < MONITOR_LAT_BUCKETS; b++) {
		seen += l->hist[b];
		if (seen >= rank) {
			uint64_t low = monitor_latency_bucket_low(b);
			/* The median is at least the smallest latency seen: a closer lower bound. */
			return low < l->min ? l->min : low;
		}
	}
	return l->max;
}

static void lat_raise(struct monitor_latency *l, uint64_t cycle)
{
	l->raised++;
	l->last_overflowed = l->waiting == MONITOR_LAT_RING;
	if (l->last_overflowed) {
		l->dropped++;
		return;
	}
	l->ring[(l->head + l->waiting) % MONITOR_LAT_RING] = cycle;
	l->waiting++;
}

/* The newest raise will never be delivered (an NMI edge the processor lost). */
static void lat_forget_newest(struct monitor_latency *l)
{
	if (l->last_overflowed) {
		l->last_overflowed = false;   /* already counted */
		return;
	}
	if (!l->waiting)
		return;
	l->waiting--;
	l->dropped++;
}

/* One matched latency into the figures. */
static void lat_record(struct monitor_latency *l, uint64_t d)
{
	if (!l->count || d < l->min)
		l->min = d;
	if (!l->count || d > l->max)
		l->max = d;
	l->count++;
	if (l->hist)
		l->hist[monitor_latency_bucket(d)]++;
}

/* A delivery: match the oldest waiting raise. False if none waits. */
static bool lat_deliver(struct monitor_latency *l, uint64_t cycle, uint64_t *raised_at, uint64_t *latency)
{
	uint64_t d;

	if (!l->waiting)
		return false;
	*raised_at = l->ring[l->head];
	l->head = (l->head + 1) % MONITOR_LAT_RING;
	l->waiting--;
	d = cycle > *raised_at ? cycle - *raised_at : 0;
	lat_record(l, d);
	*latency = d;
	return true;
}

static void lat_summary(struct trace_bus *bus, const struct monitor_latency *l, const char *kind, uint32_t cpu,
                        uint32_t level, uint64_t cycle)
{
	struct trace_event ev;

	if (!l->raised && !l->count)
		return;
	if (!trace_bus_begin(bus, TRACE_SUMMARY, cycle))
		return;   /* counted; nobody reads it, so the median is not worked out */
	trace_event_init(&ev, cycle, cpu, level, TRACE_SUMMARY);
	trace_add_str(&ev, "kind", kind);
	trace_add_uint(&ev, "count", l->count);
	if (l->count) {
		trace_add_uint(&ev, "min", l->min);
		trace_add_uint(&ev, "median", monitor_latency_median(l));
		trace_add_uint(&ev, "max", l->max);
	}
	trace_add_uint(&ev, "unmatched", l->dropped + l->waiting);
	trace_bus_emit(bus, &ev);
}

/* ---- reading events ---- */

/* ---- NMI latency for the guests ---- */

static void nmi_emit(struct trace_sink *s, const struct trace_event *ev)
{
	struct monitor_nmi_latency *m = (struct monitor_nmi_latency *)s;
	uint64_t raised_at, latency;

	if (ev->cpu >= m->ncpus || ev->level < 1 || ev->level >= MONITOR_LEVELS)
		return;
	if (ev->kind == TRACE_STIMULUS && trace_field_is(ev, "type", "nmi"))
		lat_raise(&m->lat[ev->cpu][ev->level - 1], ev->cycle);
	else if (ev->kind == TRACE_DELIVER && trace_field_is(ev, "type", "nmi") && trace_field_u(ev, "injected", 0))
		(void)lat_deliver(&m->lat[ev->cpu][ev->level - 1], ev->cycle, &raised_at, &latency);
}

bool monitor_nmi_latency_init(struct monitor_nmi_latency *m, struct trace_bus *bus, uint32_t ncpus, bool hists)
{
	memset(m, 0, sizeof(*m));
	m->ncpus = monitor_cpus(ncpus);
	m->lat = calloc(m->ncpus, sizeof(*m->lat));
	m->base.emit = nmi_emit;
	m->base.ignore = TRACE_ALL_KINDS & ~(TRACE_KIND_BIT(TRACE_STIMULUS) | TRACE_KIND_BIT(TRACE_DELIVER));
	m->bus = bus;
	return m->lat != NULL &&
	       monitor_latency_hists(&m->lat[0][0], (size_t)m->ncpus * (MONITOR_LEVELS - 1), hists, &m->hist_store);
}

void monitor_nmi_latency_free(struct monitor_nmi_latency *m)
{
	free(m->lat);
	free(m->hist_store);
	m->lat = NULL;
	m->hist_store = NULL;
}

void monitor_nmi_latency_finish(struct monitor_nmi_latency *m, uint32_t cpu, uint64_t cycle)
{
	for (uint32_t c = 0; c < m->ncpus; c++)
		if (cpu == UINT32_MAX || cpu == c)
			for (uint32_t l = 1; l < MONITOR_LEVELS; l++)
				lat_summary(m->bus, &m->lat[c][l - 1], "nmi_latency", c, l, cycle);
}

/* ---- host NMIs ---- */

static void host_delayed(struct monitor_host_nmi *m, uint64_t cycle, uint32_t cpu, uint64_t raised_at, uint64_t waited,
                         bool handled)
{
	struct trace_event v;

	trace_event_init(&v, cycle, cpu, 0, TRACE_VIOLATION);
	trace_add_str(&v, "kind", "host_nmi_delayed");
	trace_add_uint(&v, "raised_at", raised_at);
	trace_add_uint(&v, "waited", waited);
	trace_add_uint(&v, "limit", m->limit);
	trace_add_bool(&v, "handled", handled);
	m->violations++;
	trace_bus_emit(m->bus, &v);
}

static void host_emit(struct trace_sink *s, const struct trace_event *ev)
{
	struct monitor_host_nmi *m = (struct monitor_host_nmi *)s;
	uint64_t raised_at, waited;
	bool handled;

	if (ev->cpu >= m->ncpus)
		return;
	switch (ev->kind) {
	case TRACE_STIMULUS:
		if (ev->level == 0 && trace_field_is(ev, "type", "nmi"))
			lat_raise(&m->lat[ev->cpu], ev->cycle);
		return;
	case TRACE_NMI_LOST:
		lat_forget_newest(&m->lat[ev->cpu]);
		return;
	case TRACE_HOST:
		handled = ev->level == 0 && trace_field_is(ev, "type", "nmi");
		break;
	case TRACE_DELIVER:
		handled = trace_field_is(ev, "type", "nmi") && !trace_field_u(ev, "injected", 0);
		break;
	case TRACE_VMEXIT:
		/* Bare metal: the NMI's exit hands it to the host, the L1 program (R22). */
		handled = m->bare_metal && monitor_nmi_exit(ev);
		break;
	default:
		return;
	}
	if (handled && lat_deliver(&m->lat[ev->cpu], ev->cycle, &raised_at, &waited) && m->limit && waited > m->limit)
		host_delayed(m, ev->cycle, ev->cpu, raised_at, waited, true);
}

bool monitor_host_nmi_init(struct monitor_host_nmi *m, struct trace_bus *bus, uint64_t limit_cycles, uint32_t ncpus,
                           bool bare_metal, bool hists)
{
	memset(m, 0, sizeof(*m));
	m->ncpus = monitor_cpus(ncpus);
	m->lat = calloc(m->ncpus, sizeof(*m->lat));
	m->bare_metal = bare_metal;
	m->base.emit = host_emit;
	m->base.ignore = TRACE_ALL_KINDS & ~(TRACE_KIND_BIT(TRACE_STIMULUS) | TRACE_KIND_BIT(TRACE_NMI_LOST) |
	                                     TRACE_KIND_BIT(TRACE_HOST) | TRACE_KIND_BIT(TRACE_DELIVER) |
	                                     (bare_metal ? TRACE_KIND_BIT(TRACE_VMEXIT) : 0));
	m->bus = bus;
	m->limit = limit_cycles;
	return m->lat != NULL && monitor_latency_hists(m->lat, m->ncpus, hists, &m->hist_store);
}

void monitor_host_nmi_free(struct monitor_host_nmi *m)
{
	free(m->lat);
	free(m->hist_store);
	m->lat = NULL;
	m->hist_store = NULL;
}

void monitor_host_nmi_finish(struct monitor_host_nmi *m, uint32_t cpu, uint64_t cycle)
{
	for (uint32_t c = 0; c < m->ncpus; c++) {
		const struct monitor_latency *l = &m->lat[c];
		if (cpu != UINT32_MAX && cpu != c)
			continue;
		/* Still waiting at the end, and already for too long. */
		for (uint32_t i = 0; m->limit && i < l->waiting; i++) {
			uint64_t at = l->ring[(l->head + i) % MONITOR_LAT_RING];
			if (cycle > at && cycle - at > m->limit)
				host_delayed(m, cycle, c, at, cycle - at, false);
		}
		lat_summary(m->bus, l, "host_nmi_latency", c, 0, cycle);
	}
}

/* ---- interrupts for the guests ---- */

static void irq_raise(struct monitor_irq_latency *m, uint32_t c, uint32_t l, uint32_t v, uint64_t cycle)
{
	struct monitor_latency *lat = &m->lat[c][l - 1];

	lat->raised++;
	if (m->raised_at[c][l][v]) {
		lat->dropped++;          /* merged into the one already requested */
	} else {
		m->raised_at[c][l][v] = cycle + 1;
		lat->waiting++;          /* the vectors requested and not yet delivered */
		monitor_stamp_row(&m->row_stamp[c][l], m->stamps);
	}
}

/* A verdict at a delivery; `raised_level` 0: none (duplicate_delivery). */
static void irq_violation(struct monitor_irq_latency *m, const struct trace_event *ev, const char *kind, uint32_t v,
                          uint32_t raised_level)
{
	struct trace_event viol;

	trace_event_init(&viol, ev->cycle, ev->cpu, ev->level, TRACE_VIOLATION);
	trace_add_str(&viol, "kind", kind);
	trace_add_str(&viol, "type", "irq");
	trace_add_uint(&viol, "vector", v);
	if (raised_level)
		trace_add_uint(&viol, "raised_level", raised_level);
	m->violations++;
	trace_bus_emit(m->bus, &viol);
}

/* The level whose raise a delivery at `l` answers: `l`, or the level above that passed it down. */
static void irq_deliver(struct monitor_irq_latency *m, const struct trace_event *ev, uint32_t l, uint32_t v)
{
	uint32_t c = ev->cpu;

	while (l > 1 && !m->raised_at[c][l][v])
		l--;
	if (m->raised_at[c][l][v]) {
		uint64_t at = m->raised_at[c][l][v] - 1;
		/* L1's interrupt in L2 is right only if L1 let L2 take its interrupts. */
		if (l < ev->level && m->l1_exits_on_intr[c])
			irq_violation(m, ev, "wrong_level", v, l);
		lat_record(&m->lat[c][l - 1], ev->cycle > at ? ev->cycle - at : 0);
		m->lat[c][l - 1].waiting--;
		m->raised_at[c][l][v] = 0;
		monitor_stamp_row(&m->row_stamp[c][l], m->stamps);
		return;
	}
	irq_violation(m, ev, "duplicate_delivery", v, 0);
}

static void irq_emit(struct trace_sink *s, const struct trace_event *ev)
{
	struct monitor_irq_latency *m = (struct monitor_irq_latency *)s;
	uint32_t c = ev->cpu, l = ev->level, info;

	if (c >= m->ncpus || l >= MONITOR_LEVELS)
		return;
	switch (ev->kind) {
	case TRACE_STIMULUS:
		if (l >= 1 && trace_field_is(ev, "type", "irq"))
			irq_raise(m, c, l, (uint32_t)trace_field_u(ev, "vector", 0) & 0xff, ev->cycle);
		break;
	case TRACE_NESTED_VMENTER:
		/* L1 injects an interrupt into L2 with its VM entry. */
		m->l1_exits_on_intr[c] = (uint32_t)trace_field_u(ev, "ext_intr_exiting", 0) != 0;
		info = (uint32_t)trace_field_u(ev, "event_inj", 0);
		if ((info & 0x80000000u) && (info & 0x700u) == 0)
			irq_raise(m, c, 2, info & 0xff, ev->cycle);
		break;
	case TRACE_VMENTRY:
		/*
		 * Bare metal: the root program L1 enters L2 itself, so an external
		 * interrupt in its VM-entry interruption information is L1's
		 * injection into L2 (R14), as `event_inj` is in a nested run.
		 */
		info = (uint32_t)trace_field_u(ev, "inject", 0);
		if (m->bare_metal && l == 2 && (info & 0x80000000u) && (info & 0x700u) == 0)
			irq_raise(m, c, 2, info & 0xff, ev->cycle);
		break;
	case TRACE_NESTED_VMEXIT:
		/* An interrupt for L1 acknowledged in its (emulated) exit. */
		if (monitor_acked_on_exit(ev, &info))
			irq_deliver(m, ev, 1, info);
		break;
	case TRACE_DELIVER:
		if (l >= 1 && trace_field_is(ev, "type", "ext-intr") && trace_field_u(ev, "injected", 0))
			irq_deliver(m, ev, l, (uint32_t)trace_field_u(ev, "vector", 0) & 0xff);
		break;
	default:
		break;
	}
}

bool monitor_irq_latency_init(struct monitor_irq_latency *m, struct trace_bus *bus, uint32_t ncpus, bool bare_metal,
                              bool hists)
{
	memset(m, 0, sizeof(*m));
	m->ncpus = monitor_cpus(ncpus);
	m->raised_at = calloc(m->ncpus, sizeof(*m->raised_at));
	m->row_stamp = calloc(m->ncpus, sizeof(*m->row_stamp));
	m->l1_exits_on_intr = calloc(m->ncpus, sizeof(*m->l1_exits_on_intr));
	m->lat = calloc(m->ncpus, sizeof(*m->lat));
	m->base.emit = irq_emit;
	m->bare_metal = bare_metal;
	m->base.ignore = TRACE_ALL_KINDS & ~(TRACE_KIND_BIT(TRACE_STIMULUS) | TRACE_KIND_BIT(TRACE_NESTED_VMENTER) |
	                                     TRACE_KIND_BIT(TRACE_NESTED_VMEXIT) | TRACE_KIND_BIT(TRACE_DELIVER) |
	                                     (bare_metal ? TRACE_KIND_BIT(TRACE_VMENTRY) : 0));
	m->bus = bus;
	return m->raised_at && m->row_stamp && m->l1_exits_on_intr && m->lat &&
	       monitor_latency_hists(&m->lat[0][0], (size_t)m->ncpus * (MONITOR_LEVELS - 1), hists, &m->hist_store);
}

void monitor_irq_latency_free(struct monitor_irq_latency *m)
{
	free(m->raised_at);
	free(m->row_stamp);
	free(m->l1_exits_on_intr);
	free(m->lat);
	free(m->hist_store);
	m->hist_store = NULL;
	m->raised_at = NULL;
	m->row_stamp = NULL;
	m->l1_exits_on_intr = NULL;
	m->lat = NULL;
}

void monitor_irq_latency_finish(struct monitor_irq_latency *m, uint32_t cpu, uint64_t cycle)
{
	for (uint32_t c = 0; c < m->ncpus; c++) {
		if (cpu != UINT32_MAX && cpu != c)
			continue;
		for (uint32_t l = 1; l < MONITOR_LEVELS; l++)
			lat_summary(m->bus, &m->lat[c][l - 1], "irq_latency", c, l, cycle);   /* waiting: kept as they come */
	}
}
