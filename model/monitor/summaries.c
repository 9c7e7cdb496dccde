/*
 * summaries.c - the monitors with end-of-run figures, attached and finished
 * together so their summaries come out in one order: cpu, then level.
 */
#include "model/monitor/monitor.h"

void monitor_summaries_init(struct monitor_summaries *m, struct trace_bus *bus, uint64_t host_nmi_delay_cycles)
{
	monitor_nmi_latency_init(&m->nmi, bus);
	monitor_host_nmi_init(&m->host, bus, host_nmi_delay_cycles);
	monitor_forced_unblock_init(&m->forced, bus);
	monitor_irq_latency_init(&m->irq, bus);
}

bool monitor_summaries_attach(struct monitor_summaries *m, struct trace_bus *bus)
{
	return trace_bus_attach(bus, &m->nmi.base) && trace_bus_attach(bus, &m->host.base) &&
	       trace_bus_attach(bus, &m->forced.base) && trace_bus_attach(bus, &m->irq.base);
}

void monitor_summaries_finish(struct monitor_summaries *m, uint64_t cycle)
{
	for (uint32_t c = 0; c < MONITOR_MAX_CPUS; c++) {
		monitor_host_nmi_finish(&m->host, c, cycle);          /* level 0 */
		monitor_forced_unblock_finish(&m->forced, c, cycle);  /* level 0 */
		monitor_nmi_latency_finish(&m->nmi, c, cycle);        /* levels 1, 2 */
		monitor_irq_latency_finish(&m->irq, c, cycle);        /* levels 1, 2 */
	}
}
