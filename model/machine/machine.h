/* SPDX-License-Identifier: Apache-2.0 */
/*
 * machine.h - builds vCPUs (a logical processor, its L0 instance, its
 * guest's memory), stimuli and monitors from a description, and runs them on
 * one discrete-event schedule, emitting everything on a trace bus.
 */
#ifndef VMXSIM_MACHINE_H
#define VMXSIM_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/hw/vmx_lp.h"
#include "model/l0/l0.h"
#include "model/trace/trace.h"
#include "vmcs/cpu_model.h"
#include "vmcs/x86_mcg.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MACHINE_MAX_VCPUS 64

struct machine_gate {
	uint8_t vector;
	uint32_t insn;               /* index of the handler's first instruction */
	enum vmx_gate_type type;
};

/*
 * A VMCS region the root program declares (bare metal): at
 * VMX_REGION_ADDR(2 + i) of its memory, after the VMXON region and vmcs0.
 */
struct machine_region {
	bool has_revision;           /* its own revision identifier; else the processor's */
	uint32_t revision;
	bool empty;                  /* all fields 0; else set up for L2 as vmcs0 is */
};

struct machine_guest {
	const struct vmx_insn *insn; /* program (addresses are laid out by the machine) */
	uint32_t count;
	const struct machine_gate *gates;
	uint32_t ngates;
	const struct vmcs_write *vmcs;
	uint32_t nvmcs;
	bool stack_not_present;      /* start with the stack page unmapped (EPT-violation stories) */
	/* The bits set in the MSR bitmap of the VMCS that runs this guest (`msr-bitmap intercept`). */
	const struct msr_bitmap_bit *msr_intercepts;
	uint32_t nmsr_intercepts;
	int64_t exit_handler;        /* L1 hypervisor: instruction where it resumes after an exit, or -1 */
	const struct machine_region *regions;   /* bare metal, L1: the VMCS regions it declares */
	uint32_t nregions;
};

/* INIT and SIPI go to the processor's pins only: bare metal (`l0 none`). */
enum machine_stim_kind { MACHINE_STIM_NMI, MACHINE_STIM_IRQ, MACHINE_STIM_INIT, MACHINE_STIM_SIPI, MACHINE_STIM_POST,
                         MACHINE_STIM_MCE, MACHINE_STIM_GUEST_DEBUG, MACHINE_STIM_RESET };

/* What a relative stimulus waits for: the n-th matching trace event. */
struct machine_trigger {
	enum trace_kind kind;        /* e.g. TRACE_VMEXIT, TRACE_DELIVER, TRACE_IRET */
	const char *reason;          /* TRACE_VMEXIT: exit reason name, or NULL for any */
	int vector;                  /* TRACE_DELIVER: vector, or -1 for any */
	int cpu;                     /* -1: any vCPU */
	int level;                   /* -1: any level */
	uint32_t occurrence;         /* 1 = the first match; 0 = every match */
};

struct machine_stimulus {
	enum machine_stim_kind kind;
	uint8_t vector;              /* MACHINE_STIM_IRQ, MACHINE_STIM_SIPI, MACHINE_STIM_POST */
	uint32_t level;              /* 0: the processor's pins; 1: the guest (through L0) */
	uint32_t cpu;
	uint64_t at;                 /* absolute cycle (or delay after the trigger) */
	uint64_t period;             /* 0: once */
	uint64_t until;              /* periodic: last cycle (0: end of run) */
	bool relative;
	struct machine_trigger trigger;
	const char *origin;          /* "scenario", "ipi", ... for the trace */
	uint32_t line;               /* the scenario line that sends it (the stimulus, or for INIT and SIPI the IPI), or 0 */
	/* MACHINE_STIM_MCE: the error - at the pins, for the processor's banks; for L1, what user space gives KVM_X86_SET_MCE. */
	struct x86_mce_record mce;
	struct l0_guest_debug_cmd debug; /* MACHINE_STIM_GUEST_DEBUG: what user space's debugger does */
};

struct machine_config {
	struct cpu_model cpu;
	const struct l0_variant *l0;
	const struct l0_switch *switches;
	uint32_t nswitches;
	uint32_t vcpus;
	const struct machine_guest *guest; /* the L1 guest of each vCPU (vcpus entries) */
	/*
	 * Bare metal (`l0 none`): no L0. The L1 program is the root software of
	 * the processor - an L1 hypervisor on real hardware - and l2_guest (vcpus
	 * entries) is the guest its VMCS runs, set up from l2_guest's VMCS lines.
	 * Levels are then 1 for root operation and 2 for non-root operation.
	 */
	bool bare_metal;
	const struct machine_guest *l2_guest;
	const struct machine_stimulus *stim;
	uint32_t nstim;
	uint64_t run_cycles;
	uint64_t ipi_cycles;         /* IPI latency; also the lookahead between vCPUs */
	uint64_t host_nmi_delay_cycles; /* a host NMI waiting longer is a host_nmi_delayed verdict (0: no limit) */
	bool reference_stepping;     /* every processor steps cycle by cycle (vmx_lp.reference): same run, slower */
	/*
	 * The latency monitors keep no histograms, so their summaries have no
	 * median: for runs judged by their verdicts alone (an exploration's),
	 * whose snapshots are then 40 KiB smaller per vCPU. Verdicts, counts and
	 * every other event are the same.
	 */
	bool no_latency_histograms;
};

struct machine;

/* INIT and SIPI only at the pins (level 0) of a bare-metal machine; every other stimulus anywhere. */
bool machine_stim_modelled(const struct machine_config *cfg, const struct machine_stimulus *s);

/* NULL with err filled on a configuration the machine cannot build. */
struct machine *machine_create(const struct machine_config *cfg, struct trace_bus *bus, char *err, size_t errlen);

/* Run to cfg->run_cycles; end-of-run verdicts; an "end" event. */
void machine_run(struct machine *m);

/*
 * Embedding (e.g. the SystemC adapter): run in steps and raise stimuli from
 * outside. machine_run() is machine_run_until(m, cfg->run_cycles) followed
 * by machine_finish(m).
 *
 * machine_run_until() fires the stimuli due before `cycle` and advances
 * every vCPU until it reaches `cycle` (capped at cfg->run_cycles). A vCPU
 * stops at its first instruction boundary at or after `cycle`; the VM exit
 * and root (L0) software it is in the middle of finish first, so its clock
 * may be a little past `cycle`. With one vCPU, stopping anywhere and going
 * on gives the same trace as one uninterrupted run. With several, a stop is
 * one more edge of the windows they advance in (see machine.c): the run
 * stays within the model's rules, but where the vCPUs interleave can differ.
 * Calls after machine_finish() do nothing.
 */
void machine_run_until(struct machine *m, uint64_t cycle);

/* The cycle every vCPU has been run to: the last machine_run_until() target, capped at cfg->run_cycles. */
uint64_t machine_now(const struct machine *m);

/*
 * Asked now and then while the machine runs (after each stimulus or slice
 * of MACHINE_POLL_CYCLES cycles): true stops the run where it is - a
 * Ctrl-C, an output grown past its limit. The poll sees the cycle the
 * slowest vCPU has reached. A stopped machine runs no more: later
 * machine_run_until() calls return at once, machine_finish() ends the
 * trace at the cycle reached (`end` with stopped=1) and gives no end-of-run
 * verdicts, which would judge a run that did not end. Polling never
 * changes the trace: one vCPU advances by slices exactly as in one go
 * (vmx_lp_run stops at the first boundary at or after its limit), several
 * already advance in windows.
 */
#define MACHINE_POLL_CYCLES (1ull << 16)
typedef bool machine_poll_fn(void *ctx, uint64_t now);
void machine_set_poll(struct machine *m, machine_poll_fn *fn, void *ctx);
/* 0 when the run was not stopped; else the cycle where it stopped. */
uint64_t machine_stopped_at(const struct machine *m);

/*
 * Schedule stimulus `s` (kind, vector, level, cpu, origin) once at cycle
 * `at`, as if it were an `at` line of the scenario: it fires when the
 * target vCPU reaches `at`, after stimuli already scheduled for that cycle.
 * s->at, period, until, relative and trigger are ignored; s->origin must
 * live as long as the machine. A cycle before machine_now() is in the
 * machine's past and becomes machine_now(); one at or after
 * cfg->run_cycles is dropped (true, like a scenario's stimulus there).
 * The result is the same as with an `at` line when the vCPU has not yet
 * passed `at` inside root software: a scheduled stimulus fires in the
 * middle of L0's work once its clock passes the cycle, a stimulus raised
 * after the vCPU went past only when that work is done.
 * False: no such vCPU, a level other than 0 (the pins) or 1 (the guest,
 * when there is an L0), a stimulus it does not model
 * (machine_stim_modelled), the machine has finished, or out of memory.
 */
bool machine_raise(struct machine *m, const struct machine_stimulus *s, uint64_t at);

/*
 * Would the end-of-run verdicts depend on when the end comes, beyond the
 * events before it? Only a host NMI still waiting is judged against the
 * end's cycle (host_nmi_delayed, with a delay limit).
 */
bool machine_end_judged_by_time(const struct machine *m);

/* Run what is left to cfg->run_cycles, then end-of-run verdicts and the "end" event; once. */
void machine_finish(struct machine *m);

void machine_destroy(struct machine *m);

/*
 * Exploration (cli/explore.c) collapses arrival times that give the same
 * run. For stimulus `i` of cfg->stim that fired once: how many cycles later
 * it could have been due, with the run the same apart from the stimulus
 * event's own time. The vCPU takes a stimulus at an instruction
 * boundary, or where its root software looks: every time from the due time
 * up to that point is taken at the same point, unless another stimulus
 * was due in between (the two would swap). With several vCPUs the windows
 * they advance in depend on the due time, so the answer is 0; the same
 * for a stimulus that fired more than once.
 * UINT64_MAX: it never fired (it would not at any later time either).
 */
uint64_t machine_stimulus_slack(const struct machine *m, uint32_t i);

/*
 * The due time of the stimulus fired last (they fire in time order), 0 if
 * none. A stimulus due exactly where a run stops fires before the stop
 * returns, but in a run that ends there it would never fire (only what is
 * due before the end does): a caller that judges a shorter run by a stop
 * looks for it.
 */
uint64_t machine_last_fired_due(const struct machine *m);

/*
 * Snapshots (snapshot.c): the machine's whole state - processors, L0
 * instances, guests' memory, VMCS regions, stimulus schedule, monitors,
 * the trace bus's counters - saved, and put back into the same machine,
 * in place. The bus's sinks other than the machine's own monitors are the
 * caller's: it saves them itself (put/get append to and read from the
 * same bytes). A snapshot taken between two calls of the machine.
 */
struct machine_snapshot {
	unsigned char *bytes;
	size_t len, cap;
	const struct machine *of;    /* the machine it goes back into */
};
void machine_snapshot_init(struct machine_snapshot *s);
void machine_snapshot_release(struct machine_snapshot *s);
/* Replace s with m's state now (s's memory is reused). False when out of memory. */
bool machine_save(struct machine *m, struct machine_snapshot *s);
/* Put m back as it was at machine_save(m, s): the offset of what the caller appended after it; 0 on failure. */
size_t machine_restore(struct machine *m, const struct machine_snapshot *s);
bool machine_snapshot_put(struct machine_snapshot *s, const void *p, size_t len);
bool machine_snapshot_get(const struct machine_snapshot *s, size_t *at, void *p, size_t len);
/*
 * The state now as a key (snapshot_shift.c): a snapshot whose absolute
 * times are written relative to machine_now() and whose dead times are 0.
 * Two moments of a machine whose keys are equal (same length, same bytes)
 * are one state, the second P cycles later: from there the machine does
 * the same, P cycles later, up to its end. False, with *why, for a machine
 * that keeps a time no layer can write relative to now (one vCPU only;
 * no program reading the TSC; an L0 that lists its times).
 */
bool machine_shift_key(struct machine *m, struct machine_snapshot *key, const char **why);
/*
 * Cycles after which the machine, left alone, may be where it is now: the
 * least common multiple of its vCPUs' vmx_lp_idle_period() and of 2^rate
 * of the preemption timer; 0 when some vCPU runs anything but an idle loop.
 * Only a candidate: equal keys (machine_shift_key) decide.
 */
uint64_t machine_idle_period(const struct machine *m);
/* The latest clock any vCPU has reached. */
uint64_t machine_clock_reached(const struct machine *m);

/*
 * Branching (explore): stimulus `i` of cfg->stim - absolute, not yet
 * fired - comes due at `at` instead (UINT64_MAX, or any time at or after
 * cfg->run_cycles: never). It keeps its place among stimuli due at the
 * same cycle (the description's order). False if it is relative or has
 * fired.
 */
bool machine_retime(struct machine *m, uint32_t i, uint64_t at);

/*
 * Run the shared prefix of runs that differ only in stimuli due after
 * `before` (which the caller has taken off the schedule with
 * machine_retime): as far as machine_run() would go without any of them,
 * up to about `before`. The state reached is, for any such stimulus due
 * after machine_clock_reached(m), the state the whole run passes
 * through: put them back (machine_retime) and go on (machine_run) for
 * the same run. One vCPU stops at its first boundary at or after
 * `before` (machine_run_until: a stop one vCPU does not notice); several
 * stop only between two of the windows they advance in, before a window
 * that could end past `before`, and the next call resumes the window
 * sequence the uninterrupted run has.
 */
void machine_run_prefix(struct machine *m, uint64_t before);

/* Counters the CLI prints in its table. */
struct machine_stats {
	uint64_t exits;
	uint64_t entries;
	uint64_t injections;
	uint64_t deliveries;
	uint64_t violations;
	uint64_t events;
	/*
	 * Instructions that needed what the model lacks (HW_NOT_MODELLED), or
	 * that an L0 refused (l0_env.refuse); the vCPU stops at each. The first
	 * one's text and scenario line.
	 */
	uint64_t not_modelled;
	const char *not_modelled_what;
	uint32_t not_modelled_line;
	/* A stimulus could not be queued for lack of memory: the run stopped there (machine_stopped_at). */
	bool out_of_memory;
};

void machine_get_stats(const struct machine *m, struct machine_stats *out);

#ifdef __cplusplus
}
#endif
#endif
