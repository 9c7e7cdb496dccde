/* SPDX-License-Identifier: Apache-2.0 */
/*
 * monitor.h - monitors watch the trace bus and judge; they never change
 * behaviour. A verdict is a "violation" event with a kind, emitted on the
 * same bus (trace.h queues it behind the event that caused it). Each
 * monitor's sink ignores the kinds it does nothing with (trace_sink.ignore),
 * so the bus need not call it, or build the event, for those.
 */
#ifndef VMXSIM_MONITOR_H
#define VMXSIM_MONITOR_H

#include <stdbool.h>
#include <stdint.h>

#include "model/time/time_shift.h"
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
 * A write to a stamped row (lost_event's raised and delivered, irq
 * latency's raised_at): the row takes the next value of *stamps, the
 * machine's counter that only grows, so a snapshot put back copies only
 * the rows whose stamp differs. stamps NULL: nothing is stamped.
 */
static inline void monitor_stamp_row(uint64_t *row_stamp, uint64_t *stamps)
{
	if (stamps)
		*row_stamp = ++*stamps;
}

/*
 * Lost events: NMIs and interrupts raised and never delivered by the end of
 * the run. Events for a guest (level >= 1) count as delivered when injected
 * into that level; events at the processor's pins (level 0) when the host
 * handled them or the hardware delivered them to a guest directly - or, on
 * bare metal (`l0 none`, where the host is the L1 program), when an exit
 * handed them to it (an acknowledged interrupt, R21; an NMI, R22).
 */
struct monitor_lost_event {
	struct trace_sink base;
	struct trace_bus *bus;
	uint32_t ncpus;
	/* [cpu][class][what]: class 0 = pins, 1..2 = guest levels; what 0 = NMI, 1..256 = vector+1 */
	uint32_t (*raised)[MONITOR_LEVELS][257];
	uint32_t (*delivered)[MONITOR_LEVELS][257];
	uint32_t (*open)[MONITOR_LEVELS];  /* [cpu][class]: its cells with more raised than delivered */
	/*
	 * [cpu][class]: the write stamp of that row of raised and delivered,
	 * from *stamps (the machine's counter, which only grows; NULL: not
	 * stamped): a snapshot puts a row back only when its stamp differs.
	 */
	uint64_t (*row_stamp)[MONITOR_LEVELS];
	uint64_t *stamps;
	uint64_t violations;
	bool bare_metal;                 /* the root software is the L1 program */
	/*
	 * [cpu]: L1's posted-interrupt notification vector + 1 that a nested
	 * L0 sent the processor to process for L2 (`vapic op=notify`), until
	 * the processor's `vapic op=posted` consumes it; 0: none.
	 */
	uint16_t nested_notify[MONITOR_MAX_CPUS];
};

/*
 * The monitors with tables per vCPU size them for `ncpus` vCPUs (1 to
 * MONITOR_MAX_CPUS; events of others are ignored): a run's monitors cost
 * what its vCPUs need, which is most of what an exploration's short runs
 * cost. False when out of memory; *_free() releases them (also after a
 * failed init).
 */
bool monitor_lost_event_init(struct monitor_lost_event *m, struct trace_bus *bus, uint32_t ncpus, bool bare_metal);

/* The vCPU count a monitor sizes its tables for: ncpus, within 1..MONITOR_MAX_CPUS. */
static inline uint32_t monitor_cpus(uint32_t ncpus)
{
	return ncpus < 1 ? 1 : ncpus > MONITOR_MAX_CPUS ? MONITOR_MAX_CPUS : ncpus;
}
void monitor_lost_event_free(struct monitor_lost_event *m);

/* Emit the end-of-run verdicts (before the run's "end" event). */
void monitor_lost_event_finish(struct monitor_lost_event *m, uint64_t cycle);

/*
 * Lost injections: an event L1 injects into L2 with a VM entry (a nested
 * entry's `event_inj`; on bare metal L1's own `vmentry` into L2 with
 * `inject`) must be the next event delivered injected into L2, or come
 * back in the IDT-vectoring information of L1's next exit from L2, or
 * stay behind a failed entry. Anything else - another entry, another
 * event delivered in its place, an exit without it, the end of the run -
 * is the verdict `lost_injection`. Pending-MTF injections (type 7) carry
 * no event and are not watched.
 */
struct monitor_lost_injection {
	struct trace_sink base;
	struct trace_bus *bus;
	uint32_t ncpus;
	uint32_t *pending;               /* [cpu]: the injection waiting for L2, 0 if none */
	uint64_t violations;
	bool bare_metal;                 /* level-2 VM entries and exits are L1's own */
};

bool monitor_lost_injection_init(struct monitor_lost_injection *m, struct trace_bus *bus, uint32_t ncpus,
                                 bool bare_metal);
void monitor_lost_injection_free(struct monitor_lost_injection *m);
/* Emit a verdict for each injection still waiting (before the run's "end" event). */
void monitor_lost_injection_finish(struct monitor_lost_injection *m, uint64_t cycle);

/*
 * Latency figures of one (cpu, level): the raises still waiting for their
 * delivery (a FIFO in a fixed ring) and the latencies seen so far (count,
 * min and max exact; a log-linear histogram for the median). Memory is
 * fixed: it does not grow with the length of the run.
 *
 * Histogram: values 0-15 have a bucket each; a value v >= 16 with 2^e <= v <
 * 2^(e+1) falls into one of 16 equal sub-buckets of that octave, each
 * 2^(e-4) wide. So a bucket's lower bound is within 1/16 of the value's
 * power of two below it (exact below 32 and for every power of two).
 */
#define MONITOR_LAT_SUB 16           /* linear sub-buckets per octave */
#define MONITOR_LAT_BUCKETS (MONITOR_LAT_SUB + (64 - 4) * MONITOR_LAT_SUB)
#define MONITOR_LAT_RING 64          /* raises waiting at once; more count as unmatched */

struct monitor_latency {
	uint64_t ring[MONITOR_LAT_RING]; /* cycles of the waiting raises, oldest at head */
	uint32_t head, waiting;
	bool last_overflowed;            /* the newest raise did not fit in the ring */
	uint64_t raised;                 /* raises seen */
	uint64_t dropped;                /* raises that will never be matched (ring overflow, lost edges) */
	uint64_t count, min, max;        /* matched latencies */
	/*
	 * MONITOR_LAT_BUCKETS counts, in the monitor's hist_store; NULL when the
	 * monitor keeps no histograms (no median: a run whose summaries nobody
	 * reads, as an exploration's, need not carry 8 KiB per figure).
	 */
	uint64_t *hist;
};

/* Bucket of a latency, and the lowest latency in bucket b. */
uint32_t monitor_latency_bucket(uint64_t cycles);
uint64_t monitor_latency_bucket_low(uint32_t b);
/* The lower median (the ceil(count/2)-th smallest latency) to the histogram's precision; 0 if none. */
uint64_t monitor_latency_median(const struct monitor_latency *l);

/*
 * Histograms for n figures in one block (a monitor's hist_store), each
 * lat[i].hist pointing into it; with `on` false none (NULL, and every hist
 * NULL). False when out of memory.
 */
bool monitor_latency_hists(struct monitor_latency *lat, size_t n, bool on, uint64_t **store);

/*
 * NMI latency for the guests: cycles from an NMI stimulus for a level >= 1
 * to the next NMI delivered injected at that cpu and level, FIFO-matched.
 * At the end, one `summary` kind=nmi_latency per (cpu, level) that saw NMIs.
 */
struct monitor_nmi_latency {
	struct trace_sink base;
	struct trace_bus *bus;
	uint32_t ncpus;
	struct monitor_latency (*lat)[MONITOR_LEVELS - 1];   /* [cpu][level - 1] */
	uint64_t *hist_store;                                 /* their histograms, or NULL */
};

bool monitor_nmi_latency_init(struct monitor_nmi_latency *m, struct trace_bus *bus, uint32_t ncpus, bool hists);
void monitor_nmi_latency_free(struct monitor_nmi_latency *m);
/* The summaries of one vCPU (levels in order), or of all (cpu = UINT32_MAX), stamped `cycle`. */
void monitor_nmi_latency_finish(struct monitor_nmi_latency *m, uint32_t cpu, uint64_t cycle);

/*
 * Host NMIs: cycles from an NMI at the processor's pins (stimulus level 0)
 * to the host's handling (`host` type=nmi) or the guest taking it directly
 * (`deliver` type=nmi injected=0); an `nmi_lost` edge is never handled. A
 * violation `host_nmi_delayed` for each one that waited longer than
 * `limit` cycles (0: no limit): when it is handled, or at the end of the run
 * if it is still waiting then. At the end, a `summary` kind=host_nmi_latency
 * per vCPU that saw host NMIs. On bare metal the host is the L1 program,
 * and the VM exit an NMI causes (R22) is its handling.
 */
struct monitor_host_nmi {
	struct trace_sink base;
	struct trace_bus *bus;
	uint64_t limit;
	uint32_t ncpus;
	struct monitor_latency *lat;     /* [cpu] */
	uint64_t *hist_store;            /* their histograms, or NULL */
	uint64_t violations;
	bool bare_metal;
};

bool monitor_host_nmi_init(struct monitor_host_nmi *m, struct trace_bus *bus, uint64_t limit_cycles, uint32_t ncpus,
                           bool bare_metal, bool hists);
void monitor_host_nmi_free(struct monitor_host_nmi *m);
void monitor_host_nmi_finish(struct monitor_host_nmi *m, uint32_t cpu, uint64_t cycle);

/*
 * Forced unblocks of KVM's soft NMI-blocked flag: a `warning` whose msg
 * starts with "Breaking out of NMI-blocked state", a `soft_vnmi` with
 * why=timeout, or the two together (one unblock: the warning and the flag
 * cleared right behind it on the same vCPU). At the end, a `summary`
 * kind=forced_unblocks per vCPU that had any.
 */
struct monitor_forced_unblock {
	struct trace_sink base;
	struct trace_bus *bus;
	uint64_t count[MONITOR_MAX_CPUS];
	bool warned[MONITOR_MAX_CPUS];   /* the last event of this vCPU was the warning */
	uint32_t nwarned;                /* vCPUs with warned set: then every event matters */
};

void monitor_forced_unblock_init(struct monitor_forced_unblock *m, struct trace_bus *bus);
void monitor_forced_unblock_finish(struct monitor_forced_unblock *m, uint32_t cpu, uint64_t cycle);

/*
 * Interrupts for the guests: cycles from a device interrupt raised for a
 * level (stimulus type=irq) - or injected by L1 into L2 with its VM entry
 * - to its delivery there (an injected `deliver`, an L1 interrupt injected
 * straight into an L2 that L1 lets take it, or an external-interrupt exit
 * that acknowledged it, R21). One outstanding raise per vector: a second
 * one merges in the IRR, as it does in hardware. Summary kind=irq_latency
 * per (cpu, level); a violation `duplicate_delivery` for a delivery with
 * nothing raised to match it, and `wrong_level` for an interrupt of L1's
 * delivered into L2 although L1 had asked to exit on external interrupts
 * (its last nested VM entry said ext_intr_exiting=1). On bare metal
 * (`l0 none`) L1 is the root program and its own hardware VM entries to L2
 * (`vmentry` at level 2 with an external interrupt in `inject`) are the
 * raises for L2 that `nested_vmenter` gives in a nested run.
 */
struct monitor_irq_latency {
	struct trace_sink base;
	struct trace_bus *bus;
	uint32_t ncpus;
	uint64_t (*raised_at)[MONITOR_LEVELS][256];   /* [cpu]: cycle + 1; 0: nothing waits */
	uint64_t (*row_stamp)[MONITOR_LEVELS];        /* [cpu][level]: write stamps of raised_at's rows (as lost_event's) */
	uint64_t *stamps;
	bool *l1_exits_on_intr;                       /* [cpu]: from the last nested_vmenter */
	struct monitor_latency (*lat)[MONITOR_LEVELS - 1];
	uint64_t *hist_store;                         /* their histograms, or NULL */
	uint64_t violations;
	bool bare_metal;                              /* level-2 VM entries are L1's own */
};

bool monitor_irq_latency_init(struct monitor_irq_latency *m, struct trace_bus *bus, uint32_t ncpus, bool bare_metal,
                              bool hists);
void monitor_irq_latency_free(struct monitor_irq_latency *m);
void monitor_irq_latency_finish(struct monitor_irq_latency *m, uint32_t cpu, uint64_t cycle);

/*
 * An exit (vmexit or nested_vmexit) with reason EXTERNAL_INTERRUPT and a
 * valid interruption information: with acknowledge-interrupt-on-exit the
 * exit itself hands the vector to the hypervisor (R21), so it is that
 * interrupt's delivery. False for every other event.
 */
bool monitor_acked_on_exit(const struct trace_event *ev, uint32_t *vector);

/* A vmexit caused by an NMI: reason EXCEPTION_NMI with an NMI (type 2) in its interruption information (R22). */
bool monitor_nmi_exit(const struct trace_event *ev);
/* The same test on any exit, real or emulated by a nested L0 (nested_exit). */
bool monitor_nmi_exit_info(const struct trace_event *ev);

/* The three monitors with end-of-run figures, as the machine attaches them. */
struct monitor_summaries {
	struct monitor_nmi_latency nmi;
	struct monitor_host_nmi host;
	struct monitor_forced_unblock forced;
	struct monitor_irq_latency irq;
};

/* hists: keep the latency histograms behind the summaries' medians (see struct monitor_latency). */
bool monitor_summaries_init(struct monitor_summaries *m, struct trace_bus *bus, uint64_t host_nmi_delay_cycles,
                            uint32_t ncpus, bool bare_metal, bool hists);
void monitor_summaries_free(struct monitor_summaries *m);
/*
 * The monitors' times relative to t->now (model/time/time_shift.h), for
 * what their verdicts read: the host NMIs still waiting when a delay limit
 * judges them (host_nmi_delayed). The other raise times (the guest NMI and
 * interrupt rings, the interrupt monitor's raised_at rows, whose being 0
 * or not is all a verdict reads) make only the summaries' latencies: the
 * rings are written as dead, the rows left as they are.
 */
void monitor_summaries_time_shift(const struct monitor_summaries *m, struct time_shift *t);
bool monitor_summaries_attach(struct monitor_summaries *m, struct trace_bus *bus);
/*
 * Emit the end-of-run figures (and host NMIs still waiting past the limit),
 * ordered by cpu, then level; at level 0 host_nmi_latency before
 * forced_unblocks.
 */
void monitor_summaries_finish(struct monitor_summaries *m, uint64_t cycle);

#ifdef __cplusplus
}
#endif
#endif
