/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink_view.h - what the two viewer writers (VCD, Perfetto) read out of the
 * events in the same way: blocking states, exit-reason numbers, and the
 * count of NMIs and interrupts raised but not yet taken, per vCPU and level.
 *
 * Sinks only format (DESIGN.md): this is bookkeeping over the event stream,
 * not model state. A few hundred bytes per vCPU, fixed for the whole run.
 */
#ifndef VMXSIM_SINK_VIEW_H
#define VMXSIM_SINK_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "model/trace/trace.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SINK_VIEW_LEVELS 3   /* L0, L1, L2 */

/* The conditions a `blocking` event's from/to names, as bits. */
enum {
	SINK_BLK_STI = 1u << 0,     /* "sti":    blocking by STI */
	SINK_BLK_MOV_SS = 1u << 1,  /* "mov-ss": blocking by MOV SS */
	SINK_BLK_NMI = 1u << 2,     /* "nmi":    blocking by NMI */
	SINK_BLK_VNMI = 1u << 3,    /* "vnmi":   virtual-NMI blocking */
	SINK_BLK_IF = 1u << 4,      /* "if":     RFLAGS.IF = 1 (interrupts enabled) */
};

/* "sti|if" -> SINK_BLK_STI | SINK_BLK_IF; "none" (or NULL) -> 0. */
unsigned sink_blocking_bits(const char *state);

/* Basic exit-reason number of a vmexit's reason= ("NMI_WINDOW" or "0x45"); -1 if neither. */
int sink_exit_reason_number(const char *reason);

/* A vmexit event's full exit reason: the basic reason (bits 15:0 all set when unknown), bit 31 for a failed entry. */
uint32_t sink_exit_reason_full(const struct trace_event *ev);

/*
 * Pending NMIs and interrupts of one vCPU, per level:
 *   raised  by `stimulus` at its level (0 = the pins, 1/2 = an event for
 *           that guest, queued by L0);
 *   taken   at level 0 by `host type=nmi|irq` (the host handled it),
 *           `deliver injected=0` (the processor gave it straight to the
 *           guest), `nmi_lost` / `irq_coalesced` (merged with one already
 *           latched or requested);
 *           at a guest level by `inject` (L0 wrote it into the VM-entry
 *           interruption information; re-injections and reflections do
 *           not count again), for the guest L0 enters next: the level of
 *           the last vmexit (L1 until there is one), or else the other
 *           guest level that has such an event pending.
 * Counts never go below zero (a host interrupt that no stimulus raised,
 * such as L0's own reschedule IPI, takes nothing).
 */
struct sink_pending {
	uint32_t nmi[SINK_VIEW_LEVELS];
	uint32_t intr[SINK_VIEW_LEVELS];                 /* all vectors */
	uint16_t vec[SINK_VIEW_LEVELS][256];             /* per vector, saturating */
	uint32_t guest;                                  /* the level L0 injects into */
};

void sink_pending_init(struct sink_pending *p);
/* Account for one event of this vCPU; returns the levels (bit L) whose counts changed. */
unsigned sink_pending_apply(struct sink_pending *p, const struct trace_event *ev);

/* Cycles to nanoseconds at tsc_hz, rounded to nearest (1 cycle = 1 ns when tsc_hz is 0). */
uint64_t sink_cycles_to_ns(uint64_t cycles, uint64_t tsc_hz);

/*
 * A cycle in picoseconds at tsc_hz (a cycle counts as 1000 ps without a
 * TSC), exact in 128 bits: a run of 10^17 cycles at 1 Hz needs 97 bits.
 */
unsigned __int128 sink_cycles_to_ps(uint64_t cycles, uint64_t tsc_hz);

/* v in decimal into buf (at least 40 bytes); returns the digits' start in buf. */
const char *sink_u128_dec(unsigned __int128 v, char *buf, size_t n);

#ifdef __cplusplus
}
#endif
#endif
