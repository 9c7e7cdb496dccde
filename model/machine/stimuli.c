/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stimuli.c - the machine's stimulus schedule: a time-ordered heap of the
 * NMIs and interrupts to come (the scenario's, relative triggers', IPIs'),
 * the watcher that queues relative stimuli when their trigger event
 * passes, and firing one into its vCPU. Ties break by insertion order, so
 * everything is deterministic.
 */
#include "model/machine/machine.h"
#include "model/machine/machine_internal.h"
#include "vmcs/vmx_intr_state.h"

#include <stdlib.h>
#include <string.h>

/* ---- the stimulus heap ---- */

static bool earlier(const struct pending *a, const struct pending *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static void sift_up(struct machine *m, uint32_t i)
{
	while (i > 0 && earlier(&m->heap[i], &m->heap[(i - 1) / 2])) {
		struct pending t = m->heap[i];
		m->heap[i] = m->heap[(i - 1) / 2];
		m->heap[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static void sift_down(struct machine *m, uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, min = i;
		if (l < m->nheap && earlier(&m->heap[l], &m->heap[min]))
			min = l;
		if (r < m->nheap && earlier(&m->heap[r], &m->heap[min]))
			min = r;
		if (min == i)
			break;
		struct pending t = m->heap[i];
		m->heap[i] = m->heap[min];
		m->heap[min] = t;
		i = min;
	}
}

bool machine_heap_push_seq(struct machine *m, uint64_t time, const struct machine_stimulus *s, uint32_t index,
                           uint64_t seq)
{
	uint32_t i;

	if (m->nheap == m->capheap) {
		uint32_t cap = m->capheap ? m->capheap * 2 : 64;
		struct pending *h = realloc(m->heap, cap * sizeof(*h));
		if (!h) {
			/* The schedule would lose a stimulus: the run cannot go on as written. */
			machine_out_of_memory(m);
			return false;
		}
		m->heap = h;
		m->capheap = cap;
	}
	i = m->nheap++;
	m->heap[i].time = time;
	m->heap[i].seq = seq;
	m->heap[i].s = *s;
	m->heap[i].index = index;
	sift_up(m, i);
	return true;
}

bool machine_heap_push(struct machine *m, uint64_t time, const struct machine_stimulus *s, uint32_t index)
{
	return machine_heap_push_seq(m, time, s, index, m->seq++);
}

struct pending machine_heap_pop(struct machine *m)
{
	struct pending top = m->heap[0];

	m->heap[0] = m->heap[--m->nheap];
	sift_down(m, 0);
	return top;
}

bool machine_retime(struct machine *m, uint32_t i, uint64_t at)
{
	if (i >= m->cfg->nstim || m->cfg->stim[i].relative || m->trig[i].arrivals)
		return false;
	/* Not yet fired: at most one entry of it waits (a periodic one queues its next when it fires). */
	for (uint32_t k = 0; k < m->nheap; k++)
		if (m->heap[k].index == i) {
			m->heap[k] = m->heap[--m->nheap];
			if (k < m->nheap) {
				sift_down(m, k);
				sift_up(m, k);
			}
			break;
		}
	return at >= m->cfg->run_cycles || machine_heap_push_seq(m, at, &m->cfg->stim[i], i, i);
}

/* ---- relative triggers and statistics ---- */

static bool trigger_matches(const struct machine_trigger *t, const struct trace_event *ev)
{
	const struct trace_field *f;

	if (ev->kind != t->kind || (t->cpu >= 0 && (uint32_t)t->cpu != ev->cpu) ||
	    (t->level >= 0 && (uint32_t)t->level != ev->level))
		return false;
	if (t->kind == TRACE_VMEXIT && t->reason) {
		f = trace_field(ev, "reason");
		if (!f || strcmp(f->s, t->reason) != 0)
			return false;
	}
	if (t->vector >= 0) {
		f = trace_field(ev, "vector");
		if (!f || f->u != (uint64_t)t->vector)
			return false;
	}
	return true;
}

/* The watcher looks only at the kinds the relative triggers wait for (the bus counts events). */
uint64_t machine_watch_ignore(const struct machine_config *cfg)
{
	uint64_t ignore = TRACE_ALL_KINDS;

	for (uint32_t i = 0; i < cfg->nstim; i++)
		if (cfg->stim[i].relative)
			ignore &= (unsigned)cfg->stim[i].trigger.kind < TRACE_KIND_COUNT
			              ? ~TRACE_KIND_BIT(cfg->stim[i].trigger.kind) : 0;
	return ignore;
}

/*
 * Queue a stimulus made while the processors run (a relative stimulus
 * whose trigger passed, an IPI). Its target may be in the middle of a run
 * to a far limit - one vCPU has no windows: it must stop where the
 * stimulus comes due, as it would for an `at` stimulus there.
 */
static void push_during_a_run(struct machine *m, uint64_t due, const struct machine_stimulus *s, uint32_t index)
{
	struct vmx_lp *lp = &m->vcpu[s->cpu].lp;

	machine_heap_push(m, due, s, index);
	if (due < lp->stop_at)
		lp->stop_at = due;
}

void machine_watch_emit(struct trace_sink *s, const struct trace_event *ev)
{
	struct machine *m = (struct machine *)((char *)s - offsetof(struct machine, watch));

	for (uint32_t i = 0; i < m->cfg->nstim; i++) {
		const struct machine_stimulus *st = &m->cfg->stim[i];
		if (!st->relative || m->trig[i].fired || !trigger_matches(&st->trigger, ev))
			continue;
		m->trig[i].seen++;
		if (st->trigger.occurrence == 0 || m->trig[i].seen == st->trigger.occurrence) {
			uint64_t due = ev->cycle + st->at;
			m->trig[i].fired = st->trigger.occurrence != 0;
			push_during_a_run(m, due, st, i);
		}
	}
}

/* ---- stimuli ---- */

void machine_virtual_ipi(void *machine, uint32_t src, uint32_t dest, int vector)
{
	struct machine *m = machine;
	struct machine_stimulus s = {0};

	if (dest >= m->cfg->vcpus)
		return;
	s.kind = vector == L0_NMI ? MACHINE_STIM_NMI : MACHINE_STIM_IRQ;
	s.vector = vector == L0_NMI ? 0 : (uint8_t)vector;
	s.level = 1;
	s.cpu = dest;
	s.origin = "ipi";
	/*
	 * The L0's emulated local APIC accepts a guest's IPI to its own vCPU
	 * while it handles the ICR write (KVM: kvm_apic_send_ipi ->
	 * __apic_accept_irq on the sender, a request for the vCPU itself), so
	 * the event is pending before the L0 enters the guest again: it is
	 * taken now, not through the schedule. Another vCPU learns of it by
	 * the kick, which crosses the bus (ipi_cycles).
	 */
	if (dest == src) {
		struct pending now = {.time = m->vcpu[src].lp.cycle, .s = s, .index = UINT32_MAX};
		machine_fire(m, &now);
		return;
	}
	push_during_a_run(m, m->vcpu[src].lp.cycle + m->cfg->ipi_cycles, &s, UINT32_MAX);
}

/* The line of the instruction that ended at RIP: the IPI just sent (where a not-modelled answer points). */
static uint32_t sender_line(const struct vmx_lp *lp)
{
	const struct vmx_program *p = lp->ctx.mem ? lp->ctx.mem->prog : NULL;

	for (uint32_t i = 0; p && i < p->count; i++)
		if (p->insn[i].addr + p->insn[i].len == lp->ctx.rip && p->insn[i].op == VMX_OP_IPI)
			return p->insn[i].line;
	return 0;
}

void machine_physical_ipi(void *ctx, uint32_t src, uint32_t dest, uint32_t vector)
{
	struct vcpu *vc = ctx;
	struct machine *m = vc->m;
	struct machine_stimulus s = {0};

	if (dest >= m->cfg->vcpus)
		return;
	switch (vector & VMX_IPI_MODE_MASK) {
	case VMX_IPI_NMI: s.kind = MACHINE_STIM_NMI; break;
	case VMX_IPI_INIT: s.kind = MACHINE_STIM_INIT; break;
	case VMX_IPI_SIPI: s.kind = MACHINE_STIM_SIPI; break;
	default: s.kind = MACHINE_STIM_IRQ; break;
	}
	if (s.kind == MACHINE_STIM_INIT || s.kind == MACHINE_STIM_SIPI)
		s.line = sender_line(&vc->lp);
	s.vector = (uint8_t)vector;
	s.level = 0;
	s.cpu = dest;
	s.origin = "ipi";
	/*
	 * A self-IPI never leaves the local APIC: it is pending at once and
	 * taken at the sender's next instruction boundary where nothing blocks
	 * it (R24), as Bochs takes it (docs/oracle.md) and as kvm-unit-tests'
	 * self-IPI tests expect. An IPI to another processor crosses the bus
	 * (ipi_cycles).
	 */
	push_during_a_run(m, m->vcpu[src].lp.cycle + (dest == src ? 0 : m->cfg->ipi_cycles), &s, UINT32_MAX);
}

/*
 * Stimulus p is taken now, with its vCPU at vc->lp.cycle: the next
 * boundary at or after p->time where the vCPU looks (R24), or p->time
 * itself if it was idle. Any due time up to there is taken here too, as
 * long as no other stimulus (the heap's head, p is already off it) and no
 * expiry of the vCPU's LAPIC timer comes due first.
 */
static void note_arrival(struct machine *m, const struct pending *p, const struct vcpu *vc)
{
	struct trigger_state *t = &m->trig[p->index];
	uint64_t latest = vc->lp.cycle;

	if (m->cfg->vcpus > 1 || p->s.period || t->arrivals)
		latest = p->time;
	if (m->nheap && m->heap[0].time <= latest)
		latest = m->heap[0].time ? m->heap[0].time - 1 : 0;
	/*
	 * The LAPIC timer raises its interrupt at its deadline, a host timer of
	 * the L0 wakes its blocked vCPU at its own: a later arrival would swap
	 * with either.
	 */
	uint64_t wake = machine_vcpu_wake(m, vc);
	if (wake <= latest)
		latest = wake ? wake - 1 : 0;
	if (latest >= m->cfg->run_cycles)
		latest = m->cfg->run_cycles - 1;
	t->slack = latest > p->time ? latest - p->time : 0;
	t->arrivals++;
}

/*
 * Stimuli that may be queued while their vCPU runs: relative ones (queued
 * when their trigger passed) and everything outside the scenario's list:
 * IPIs at the processor's pins (machine_physical_ipi), an L0's IPIs
 * between its guests (machine_virtual_ipi), machine_raise.
 */
static bool queued_during_a_run(const struct pending *q)
{
	return q->index == UINT32_MAX || q->s.relative;
}

/* The earliest such stimulus still waiting for vCPU vc: where it must stop next (vmx_lp.stop_at). */
static void restop(struct machine *m, struct vcpu *vc)
{
	vc->lp.stop_at = UINT64_MAX;
	for (uint32_t i = 0; i < m->nheap; i++) {
		const struct pending *q = &m->heap[i];
		if (queued_during_a_run(q) && q->s.cpu == vc->id && q->time < vc->lp.stop_at)
			vc->lp.stop_at = q->time;
	}
}

static const char *stim_type_name(enum machine_stim_kind k)
{
	switch (k) {
	case MACHINE_STIM_NMI: return "nmi";
	case MACHINE_STIM_IRQ: return "irq";
	case MACHINE_STIM_INIT: return "init";
	case MACHINE_STIM_SIPI: return "sipi";
	case MACHINE_STIM_POST: return "post";
	case MACHINE_STIM_RESET: return "reset";
	case MACHINE_STIM_MCE: return "mce";
	case MACHINE_STIM_GUEST_DEBUG: return "guest-debug";
	}
	return "?";
}

/* A stimulus for the guest, through its L0: true if the vCPU must be kicked out of the guest. */
static bool to_l0(const struct l0_variant *l0, void *inst, const struct machine_stimulus *s)
{
	switch (s->kind) {
	case MACHINE_STIM_MCE:
		return l0->guest_mce && l0->guest_mce(inst, &s->mce, s->line);
	case MACHINE_STIM_GUEST_DEBUG:
		return l0->guest_debug && l0->guest_debug(inst, &s->debug, s->line);
	default:
		return l0->guest_event(inst, s->kind == MACHINE_STIM_NMI ? L0_NMI : s->vector, s->origin);
	}
}

void machine_fire(struct machine *m, const struct pending *p)
{
	const struct machine_stimulus *s = &p->s;
	struct vcpu *vc = &m->vcpu[s->cpu];
	struct trace_event ev;

	m->last_fired_due = p->time;
	if (p->index != UINT32_MAX)
		note_arrival(m, p, vc);
	if (queued_during_a_run(p))
		restop(m, vc);
	trace_event_init(&ev, p->time, s->cpu, s->level, TRACE_STIMULUS);
	trace_add_str(&ev, "type", stim_type_name(s->kind));
	if (s->kind == MACHINE_STIM_IRQ || s->kind == MACHINE_STIM_SIPI || s->kind == MACHINE_STIM_POST)
		trace_add_uint(&ev, "vector", s->vector);
	trace_add_str(&ev, "origin", s->origin ? s->origin : "scenario");
	/* A machine check at the pins: the error the processor logs (model/hw/mca_bank.c). */
	if (s->kind == MACHINE_STIM_MCE && s->level == 0) {
		trace_add_uint(&ev, "bank", s->mce.bank);
		trace_add_hex64(&ev, "status", s->mce.status);
	}
	trace_bus_emit(m->bus, &ev);

	/* Anything for this vCPU wakes a vCPU blocked in the host; its L0 decides whether to run. */
	vc->blocked = false;
	if (s->level == 0) {
		switch (s->kind) {
		case MACHINE_STIM_NMI:
			vmx_lp_nmi(&vc->lp);
			break;
		case MACHINE_STIM_IRQ:
			vmx_lp_irq(&vc->lp, s->vector);
			break;
		case MACHINE_STIM_INIT:
			vc->init_line = s->line;
			vmx_lp_init_signal(&vc->lp);
			break;
		case MACHINE_STIM_SIPI:
			vc->sipi_line = s->line;
			vmx_lp_sipi(&vc->lp, s->vector);
			break;
		case MACHINE_STIM_POST:
			vmx_lp_post(&vc->lp, s->vector, s->line);
			break;
		case MACHINE_STIM_MCE:
			vc->mce_line = s->line;
			vmx_lp_machine_check(&vc->lp, &s->mce);   /* the bank exists: the build checked it */
			break;
		case MACHINE_STIM_RESET:
			vc->reset_line = s->line;
			vmx_lp_reset_signal(&vc->lp);
			/*
			 * RESET is what ends the shutdown state of root operation (a
			 * PC's chipset asserts it on the shutdown cycle): the vCPU
			 * the model stopped there runs again.
			 */
			if (vc->stopped && !vc->lp.non_root && vc->lp.ctx.activity == GUEST_ACTIVITY_SHUTDOWN)
				vc->stopped = false;
			break;
		case MACHINE_STIM_GUEST_DEBUG:   /* user space's: never at the pins (machine_stim_modelled) */
			break;
		}
	} else if (!vc->stopped && m->cfg->l0 && to_l0(m->cfg->l0, vc->l0, s)) {
		/* The guest is running: kick the vCPU with the host's reschedule IPI. */
		vmx_lp_irq(&vc->lp, L0_KICK_VECTOR);
	}
	/* Periodic stimuli come back. */
	if (s->period && p->index != UINT32_MAX) {
		uint64_t next = p->time + s->period;
		uint64_t until = s->until ? s->until : m->cfg->run_cycles;
		if (next <= until && next < m->cfg->run_cycles)
			machine_heap_push(m, next, s, p->index);
	}
}

/*
 * Root software of vCPU `vc` advanced its clock: fire the stimuli for that
 * vCPU that are due by now. Only while they are at the head of the
 * schedule, so the order of stimuli never changes.
 */
void machine_sync_vcpu(void *ctx)
{
	struct vcpu *vc = ctx;
	struct machine *m = vc->m;

	while (m->nheap && m->heap[0].time <= vc->lp.cycle && m->heap[0].s.cpu == vc->id &&
	       m->heap[0].time < m->cfg->run_cycles) {
		struct pending p = machine_heap_pop(m);
		machine_fire(m, &p);
	}
}

bool machine_raise(struct machine *m, const struct machine_stimulus *s, uint64_t at)
{
	struct machine_stimulus once;

	if (m->finished || s->cpu >= m->cfg->vcpus || !machine_stim_modelled(m->cfg, s))
		return false;
	/*
	 * Levels: 0, the processor's pins; 1, the guest through its L0. There
	 * is no level 2 (anything for L2 enters at L1's interrupt controller,
	 * scenario-language.md "stimuli"), and no level 1 without an L0.
	 */
	if (s->level > 1 || (s->level == 1 && !m->cfg->l0))
		return false;
	/* The machine cannot go back: a stimulus for its past arrives now. */
	if (at < m->now)
		at = m->now;
	if (at >= m->cfg->run_cycles)
		return true;   /* after the run, like a scenario's stimulus there */
	once = *s;
	once.at = at;
	once.period = 0;
	once.until = 0;
	once.relative = false;
	return machine_heap_push(m, at, &once, UINT32_MAX);
}

uint64_t machine_last_fired_due(const struct machine *m)
{
	return m->last_fired_due;
}

uint64_t machine_stimulus_slack(const struct machine *m, uint32_t i)
{
	if (i >= m->cfg->nstim || m->trig[i].arrivals == 0)
		return UINT64_MAX;
	return m->trig[i].slack;
}
