/* SPDX-License-Identifier: Apache-2.0 */
/*
 * machine_internal.h - what the machine's own files share. Not public.
 */
#ifndef VMXSIM_MACHINE_INTERNAL_H
#define VMXSIM_MACHINE_INTERNAL_H

#include "model/machine/machine.h"
#include "model/monitor/monitor.h"

/* A program in its own address space: text, IDT, stack. */
struct space {
	struct vmx_guest_mem mem;
	struct vmx_program prog;
	struct vmx_insn *insn;
};

struct vcpu {
	struct machine *m;
	uint32_t id;
	struct vmx_lp lp;
	struct space l1;             /* the L1 guest (or, bare metal, the root hypervisor) */
	struct space l2;             /* bare metal: the guest of L1's VMCS */
	struct vmcs *regions;        /* bare metal: L1's VMXON region, vmcs0 and its own (VMX_REGION_ADDR) */
	uint32_t nregions;
	/* The scenario lines of what sent the INIT and the SIPI the processor last took (a not-modelled answer). */
	uint32_t init_line, sipi_line, mce_line, reset_line;
	void *l0;
	bool stopped;
	bool blocked;                /* waits in the host until a stimulus (L0_BLOCKED) */
};

struct pending {
	uint64_t time;
	uint64_t seq;
	struct machine_stimulus s;
	uint32_t index;              /* index in cfg->stim, or UINT32_MAX for IPIs */
};

struct trigger_state {
	uint32_t seen;
	bool fired;
	uint32_t arrivals;           /* times this stimulus has fired */
	uint64_t slack;              /* see machine_stimulus_slack() */
};

struct machine {
	const struct machine_config *cfg;
	struct trace_bus *bus;
	struct vcpu *vcpu;
	struct pending *heap;
	uint32_t nheap, capheap;
	uint64_t seq;
	struct trigger_state *trig;
	struct trace_sink watch;     /* relative triggers and statistics */
	struct machine_stats stats;
	struct monitor_nmi_nesting *nesting;
	struct monitor_lost_event *lost;
	struct monitor_lost_injection *lost_inj;
	struct monitor_summaries *summaries;
	char reason_buf[MACHINE_MAX_VCPUS][16];
	uint64_t now;                /* every vCPU has run up to here (machine_run_until) */
	char refused_what[256];      /* what an L0 refused (machine_refuse), for stats.not_modelled_what */
	bool finished;               /* machine_finish() has run */
	machine_poll_fn *poll;       /* machine_set_poll(); NULL: never asked */
	void *poll_ctx;
	uint32_t polls_skipped;      /* stimuli fired since the last poll */
	bool stopped;                /* the poll stopped the run, at stopped_at */
	bool oom;                    /* a stimulus could not be queued (out of memory): stopped too */
	uint64_t stopped_at;
	uint64_t last_fired_due;     /* the due time of the stimulus fired last (machine_last_fired_due) */
	/* machine_run_prefix() stopped between two windows: the `next` the run loop had then (else UINT64_MAX). */
	uint64_t resume_next;
	/*
	 * The last write stamp given to a guest's IDT or MSR-bitmap page
	 * (vmx_guest_mem.stamps): it only grows, and a snapshot put back
	 * leaves it (snapshot.c).
	 */
	uint64_t stamps;
};

/*
 * snapshot.c: every block a snapshot holds but the heap's (which follows
 * them), in the snapshot's order: `block` for bytes saved as they are,
 * `stamped` for a part saved after its write stamp (8 bytes).
 */
bool machine_walk_blocks(struct machine *m, bool (*block)(void *ctx, void *p, size_t len),
                         bool (*stamped)(void *ctx, void *p, size_t len, const uint64_t *stamp), void *ctx);

/* hw_trace.c: processor events become trace events (the vmx_lp observer; ctx is a struct vcpu). */
void machine_observe(void *ctx, const struct vmx_hw_event *hw);


/* stimuli.c: the stimulus schedule. */
bool machine_heap_push(struct machine *m, uint64_t time, const struct machine_stimulus *s, uint32_t index);
/* The same with its place among equal times given: the scenario's stimuli take their index (machine_create). */
bool machine_heap_push_seq(struct machine *m, uint64_t time, const struct machine_stimulus *s, uint32_t index,
                           uint64_t seq);
struct pending machine_heap_pop(struct machine *m);   /* the earliest; m->nheap > 0 */
/* Fire a stimulus into its vCPU (the trace event, the LAPIC or L0, a periodic one's next). */
void machine_fire(struct machine *m, const struct pending *p);
/* vmx_lp.sync: root software advanced its clock; fire the stimuli for it now due (ctx: struct vcpu). */
void machine_sync_vcpu(void *ctx);
/* IPIs: the L0's virtual ones (ctx: struct machine) and the processor's (ctx: struct vcpu). */
void machine_virtual_ipi(void *machine, uint32_t src, uint32_t dest, int vector);
/* A stimulus could not be queued: the run stops where it is, and says so (machine_stats.out_of_memory). */
void machine_out_of_memory(struct machine *m);
/* When vCPU vc wakes by itself (its LAPIC timer, a host timer of its L0 while blocked), or UINT64_MAX. */
uint64_t machine_vcpu_wake(const struct machine *m, const struct vcpu *vc);
void machine_physical_ipi(void *ctx, uint32_t src, uint32_t dest, uint32_t vector);
/* l0_env.refuse: an L0 met what it does not model (ctx: struct machine). */
void machine_refuse(void *machine, uint32_t line, const char *what);
/* The watcher: relative stimuli queued when their trigger passes; the kinds it needs. */
void machine_watch_emit(struct trace_sink *s, const struct trace_event *ev);
uint64_t machine_watch_ignore(const struct machine_config *cfg);

#endif
