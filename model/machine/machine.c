/* SPDX-License-Identifier: Apache-2.0 */
/*
 * machine.c - the machine's run loop. Building it from a description is
 * machine_build.c; the stimulus schedule is stimuli.c; processor events
 * become trace events in hw_trace.c.
 *
 * Scheduling: stimuli sit in a time-ordered heap. Between two stimuli every
 * vCPU runs on its own clock; with several vCPUs they advance in windows no
 * longer than the IPI latency, so an IPI never arrives in a vCPU's distant
 * past; a vCPU's IPI to itself stops its own run where it comes due. A vCPU may finish an instruction or an exit a little after a window
 * ends; a stimulus for it is then seen at its next instruction boundary,
 * as on hardware. Everything is deterministic: ties break by insertion order.
 */
#include "model/machine/machine.h"
#include "model/machine/machine_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/monitor/monitor.h"
#include "vmcs/vmx_exit_reason.h"
#include "vmcs/vmx_intr_info.h"
#include "vmcs/vmx_intr_state.h"

/* ---- running ---- */

uint64_t machine_vcpu_wake(const struct machine *m, const struct vcpu *vc)
{
	uint64_t at = vmx_lp_apic_timer_deadline(&vc->lp);

	if (vc->l0 && m->cfg->l0 && m->cfg->l0->wake_deadline) {
		uint64_t l0 = m->cfg->l0->wake_deadline(vc->l0);
		if (l0 < at)
			at = l0;
	}
	return at;
}

static void run_vcpu(struct machine *m, struct vcpu *vc, uint64_t limit)
{
	while (vc->lp.cycle < limit && !m->stopped) {
		uint64_t before = vc->lp.cycle;
		enum vmx_run_outcome o;

		if (vc->stopped || vc->blocked) {
			/*
			 * Idle until the window's end, or until a stimulus comes due for
			 * it (or wakes it); a blocked vCPU's LAPIC timer wakes it too,
			 * and so does a host timer of its L0.
			 */
			uint64_t to = limit < vc->lp.stop_at ? limit : vc->lp.stop_at;
			uint64_t wake = vc->blocked ? machine_vcpu_wake(m, vc) : UINT64_MAX;
			if (wake < to)
				to = wake;
			if (to > vc->lp.cycle)
				vc->lp.cycle = to;
			if (vc->blocked && m->cfg->l0 && m->cfg->l0->wake_deadline &&
			    m->cfg->l0->wake_deadline(vc->l0) <= vc->lp.cycle) {
				vc->blocked = false;   /* its L0 looks at its timer */
				continue;
			}
			if (vc->blocked && vmx_lp_apic_timer_catch_up(&vc->lp)) {
				vc->blocked = false;   /* its L0 decides whether to run, as for a stimulus */
				continue;
			}
			return;
		}
		o = vmx_lp_run(&vc->lp, limit);
		if (o == VMX_RUN_LIMIT)
			return;
		if (o == VMX_RUN_SHUTDOWN || o == VMX_RUN_NOT_MODELLED || (m->cfg->bare_metal && o == VMX_RUN_ROOT)) {
			vc->stopped = true;
			continue;
		}
		if (m->cfg->bare_metal)
			continue;   /* the L1 program itself handles exits, at its HOST_RIP */
		/* In root operation: the hypervisor handles the exit and enters again. */
		switch (m->cfg->l0->run_root(vc->l0)) {
		case L0_ENTERED:
			break;
		case L0_BLOCKED:
			vc->blocked = true;
			break;
		case L0_STOPPED:
			vc->stopped = true;
			break;
		}
		if (vc->lp.cycle == before)
			vc->lp.cycle++;   /* never stand still */
	}
}

static uint64_t min_cycle(const struct machine *m)
{
	uint64_t c = UINT64_MAX;
	for (uint32_t i = 0; i < m->cfg->vcpus; i++)
		if (m->vcpu[i].lp.cycle < c)
			c = m->vcpu[i].lp.cycle;
	return c;
}

/*
 * The run loop, stopping at `cycle`: the stop bounds the advance like the
 * next stimulus does. One vCPU runs exactly as without the stop (vmx_lp_run
 * stops at the first boundary at or after its limit, bulk work included);
 * several vCPUs get one more window edge.
 */
/* Ask the poll (machine_set_poll) whether to go on; a stop is kept. */
static bool poll_stops(struct machine *m)
{
	if (m->poll && m->poll(m->poll_ctx, min_cycle(m))) {
		m->stopped = true;
		m->stopped_at = min_cycle(m);
	}
	return m->stopped;
}

/*
 * The run loop to `stop`. `before` < UINT64_MAX (machine_run_prefix,
 * several vCPUs): return between two windows, before one whose end lies
 * past `before` or before firing a stimulus due at or after it, keeping
 * the loop's `next` for the call that resumes.
 */
static void run_loop(struct machine *m, uint64_t stop, uint64_t before)
{
	const uint64_t end = m->cfg->run_cycles;
	uint64_t window = m->cfg->vcpus > 1 ? (m->cfg->ipi_cycles ? m->cfg->ipi_cycles : 1) : UINT64_MAX;

	if (m->poll && window > MACHINE_POLL_CYCLES)
		window = MACHINE_POLL_CYCLES;
	for (;;) {
		uint64_t next = m->nheap ? m->heap[0].time : stop;
		uint64_t lo;

		if (m->stopped)
			return;   /* out of memory in the window before (machine_out_of_memory) */
		if (next > stop)
			next = stop;
		/*
		 * Resuming after a prefix: the uninterrupted loop still had the
		 * `next` it took before the stimuli that root software fired since
		 * (machine_sync_vcpu) left the schedule.
		 */
		if (m->resume_next < next)
			next = m->resume_next;
		m->resume_next = UINT64_MAX;
		/* Advance every vCPU to `next`, in windows when there are several. */
		while ((lo = min_cycle(m)) < next) {
			uint64_t limit = window == UINT64_MAX || next - lo < window ? next : lo + window;
			if (limit > before) {
				m->resume_next = next;
				return;
			}
			for (uint32_t i = 0; i < m->cfg->vcpus; i++)
				if (m->vcpu[i].lp.cycle < limit)
					run_vcpu(m, &m->vcpu[i], limit);
			if (m->stopped)
				return;
			/* Several vCPUs: a window of 200 cycles; ask once a slice's worth of them. */
			if (m->poll && (m->cfg->vcpus == 1 || (limit & (MACHINE_POLL_CYCLES - 1)) < window) && poll_stops(m))
				return;
			if (m->nheap && m->heap[0].time < next)
				break;   /* an IPI was sent for earlier than `next` */
		}
		if (m->nheap && m->heap[0].time <= min_cycle(m) && m->heap[0].time < end) {
			struct pending p;
			if (m->heap[0].time >= before)
				return;
			p = machine_heap_pop(m);
			machine_fire(m, &p);
			/* A storm of stimuli: ask every 4096 of them. */
			if (m->poll && ++m->polls_skipped == 4096) {
				m->polls_skipped = 0;
				if (poll_stops(m))
					return;
			}
			continue;
		}
		if (min_cycle(m) >= stop)
			break;
	}
}

void machine_out_of_memory(struct machine *m)
{
	m->oom = true;
	if (!m->stopped) {
		m->stopped = true;
		m->stopped_at = min_cycle(m);
	}
}

void machine_run_until(struct machine *m, uint64_t cycle)
{
	const uint64_t end = m->cfg->run_cycles;
	const uint64_t stop = cycle < end ? cycle : end;

	if (m->finished || m->stopped)
		return;
	run_loop(m, stop, UINT64_MAX);
	if (!m->stopped && stop > m->now)
		m->now = stop;
}

void machine_run_prefix(struct machine *m, uint64_t before)
{
	if (m->cfg->vcpus == 1)
		machine_run_until(m, before);
	else if (!m->finished && !m->stopped)
		run_loop(m, m->cfg->run_cycles, before);
}

uint64_t machine_now(const struct machine *m)
{
	return m->stopped ? m->stopped_at : m->now;
}

void machine_set_poll(struct machine *m, machine_poll_fn *fn, void *ctx)
{
	m->poll = fn;
	m->poll_ctx = ctx;
}

uint64_t machine_stopped_at(const struct machine *m)
{
	return m->stopped ? (m->stopped_at ? m->stopped_at : 1) : 0;
}

bool machine_end_judged_by_time(const struct machine *m)
{
	const struct monitor_host_nmi *h = &m->summaries->host;

	for (uint32_t c = 0; h->limit && c < h->ncpus; c++)
		if (h->lat[c].waiting)
			return true;
	return false;
}

void machine_finish(struct machine *m)
{
	const uint64_t end = m->cfg->run_cycles;
	struct trace_event ev;

	if (m->finished)
		return;
	machine_run_until(m, end);
	m->finished = true;
	if (m->stopped) {
		/* What happened so far: the figures, but no verdict on events the run never got to. */
		monitor_summaries_finish(m->summaries, m->stopped_at);
		trace_event_init(&ev, m->stopped_at, 0, 0, TRACE_END);
		trace_add_bool(&ev, "stopped", true);
	} else {
		monitor_lost_event_finish(m->lost, end);
		monitor_lost_injection_finish(m->lost_inj, end);
		monitor_summaries_finish(m->summaries, end);
		trace_event_init(&ev, end, 0, 0, TRACE_END);
	}
	trace_add_uint(&ev, "exits", m->stats.exits);
	trace_add_uint(&ev, "violations", m->bus->count[TRACE_VIOLATION]);
	trace_bus_emit(m->bus, &ev);
	trace_bus_finish(m->bus);
}

void machine_run(struct machine *m)
{
	machine_run_until(m, m->cfg->run_cycles);
	machine_finish(m);
}

void machine_refuse(void *machine, uint32_t line, const char *what)
{
	struct machine *m = machine;

	/* Counted and reported as a processor's HW_NOT_MODELLED is (hw_trace.c): the first one is said. */
	if (m->stats.not_modelled++)
		return;
	snprintf(m->refused_what, sizeof(m->refused_what), "%s", what);
	m->stats.not_modelled_what = m->refused_what;
	m->stats.not_modelled_line = line;
}

void machine_get_stats(const struct machine *m, struct machine_stats *out)
{
	*out = m->stats;
	out->out_of_memory = m->oom;
	/* The bus counts every event it dispatches, also those left unbuilt because no sink wanted them. */
	out->entries = m->bus->count[TRACE_VMENTRY];
	out->injections = m->bus->count[TRACE_INJECT];
	out->violations = m->bus->count[TRACE_VIOLATION];
	out->events = trace_bus_events(m->bus);
}
