/*
 * monitor.h - monitors watch the trace bus and judge; they never change
 * behaviour. A verdict is a "violation" event with a kind, emitted on the
 * same bus (trace.h queues it behind the event that caused it).
 */
#ifndef VMXSIM_MONITOR_H
#define VMXSIM_MONITOR_H

#include <stdint.h>

#include "model/trace/trace.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MONITOR_MAX_CPUS 64
#define MONITOR_LEVELS 3
#define MONITOR_MAX_DEPTH 64

/*
 * NMI nesting: an NMI delivered to a level while that level's NMI handler
 * has not yet executed IRET. It follows each level's interrupt frames:
 * a delivery pushes one, an IRET pops one.
 */
struct monitor_nmi_nesting {
	struct trace_sink base;
	struct trace_bus *bus;
	uint8_t frame_is_nmi[MONITOR_MAX_CPUS][MONITOR_LEVELS][MONITOR_MAX_DEPTH];
	uint32_t depth[MONITOR_MAX_CPUS][MONITOR_LEVELS];
	uint32_t nmis_open[MONITOR_MAX_CPUS][MONITOR_LEVELS];
	uint64_t violations;
};

void monitor_nmi_nesting_init(struct monitor_nmi_nesting *m, struct trace_bus *bus);

/*
 * Lost events: NMIs and interrupts raised and never delivered by the end of
 * the run. Events for a guest (level >= 1) count as delivered when injected
 * into that level; events at the processor's pins (level 0) when the host
 * handled them or the hardware delivered them to a guest directly.
 */
struct monitor_lost_event {
	struct trace_sink base;
	struct trace_bus *bus;
	/* [cpu][class][what]: class 0 = pins, 1..2 = guest levels; what 0 = NMI, 1..256 = vector+1 */
	uint32_t raised[MONITOR_MAX_CPUS][MONITOR_LEVELS][257];
	uint32_t delivered[MONITOR_MAX_CPUS][MONITOR_LEVELS][257];
	uint64_t violations;
};

void monitor_lost_event_init(struct monitor_lost_event *m, struct trace_bus *bus);

/* Emit the end-of-run verdicts (before the run's "end" event). */
void monitor_lost_event_finish(struct monitor_lost_event *m, uint64_t cycle);

#ifdef __cplusplus
}
#endif
#endif
