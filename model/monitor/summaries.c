/* SPDX-License-Identifier: Apache-2.0 */
/*
 * summaries.c - the monitors with end-of-run figures, attached and finished
 * together so their summaries come out in one order: cpu, then level.
 */
#include "model/monitor/monitor.h"

bool monitor_summaries_init(struct monitor_summaries *m, struct trace_bus *bus, uint64_t host_nmi_delay_cycles,
                            uint32_t ncpus, bool bare_metal, bool hists)
{
	bool nmi = monitor_nmi_latency_init(&m->nmi, bus, ncpus, hists);
	bool host = monitor_host_nmi_init(&m->host, bus, host_nmi_delay_cycles, ncpus, bare_metal, hists);
	bool irq = monitor_irq_latency_init(&m->irq, bus, ncpus, bare_metal, hists);

	monitor_forced_unblock_init(&m->forced, bus);
	return nmi && host && irq;
}

void monitor_summaries_free(struct monitor_summaries *m)
{
	monitor_nmi_latency_free(&m->nmi);
	monitor_host_nmi_free(&m->host);
	monitor_irq_latency_free(&m->irq);
}

bool monitor_summaries_attach(struct monitor_summaries *m, struct trace_bus *bus)
{
	return trace_bus_attach(bus, &m->nmi.base) && trace_bus_attach(bus, &m->host.base) &&
	       trace_bus_attach(bus, &m->forced.base) && trace_bus_attach(bus, &m->irq.base);
}

void monitor_summaries_finish(struct monitor_summaries *m, uint64_t cycle)
{
	for (uint32_t c = 0; c < m->irq.ncpus; c++) {
		monitor_host_nmi_finish(&m->host, c, cycle);          /* level 0 */
		monitor_forced_unblock_finish(&m->forced, c, cycle);  /* level 0 */
		monitor_nmi_latency_finish(&m->nmi, c, cycle);        /* levels 1, 2 */
		monitor_irq_latency_finish(&m->irq, c, cycle);        /* levels 1, 2 */
	}
}

/* A ring's waiting raises: live when `live`, else (or outside the `waiting` from head on) dead. */
static void ring_time_shift(const struct monitor_latency *l, bool live, struct time_shift *t)
{
	for (uint32_t i = 0; i < MONITOR_LAT_RING; i++) {
		uint32_t age = (i + MONITOR_LAT_RING - l->head) % MONITOR_LAT_RING;
		if (live && age < l->waiting)
			time_shift_cycle(t, &l->ring[i]);
		else
			time_shift_dead(t, &l->ring[i], sizeof(l->ring[i]));
	}
}

void monitor_summaries_time_shift(const struct monitor_summaries *m, struct time_shift *t)
{
	/* Guest NMIs and interrupts: their raise times make only the summaries' latencies. */
	for (uint32_t c = 0; c < m->nmi.ncpus; c++)
		for (uint32_t l = 0; l + 1 < MONITOR_LEVELS; l++)
			ring_time_shift(&m->nmi.lat[c][l], false, t);
	for (uint32_t c = 0; c < m->irq.ncpus; c++)
		for (uint32_t l = 0; l + 1 < MONITOR_LEVELS; l++)
			ring_time_shift(&m->irq.lat[c][l], false, t);
	/* Host NMIs: how long one waits is a verdict when there is a limit (host_nmi_delayed). */
	for (uint32_t c = 0; c < m->host.ncpus; c++)
		ring_time_shift(&m->host.lat[c], m->host.limit != 0, t);
}
