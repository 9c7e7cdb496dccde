/* SPDX-License-Identifier: Apache-2.0 */
/*
 * snapshot.c - a machine's whole state saved, and put back in place.
 *
 * The machine has no global state: everything a run changes lies in the
 * blocks it allocated when it was built (machine_create), in its trace
 * bus's counters, and in the constants of its description. A snapshot is
 * the bytes of those blocks. Putting them back into the same blocks gives
 * the machine exactly the state it had, pointers included: every pointer
 * inside leads into one of these blocks (the processor's current VMCS, an
 * L0's vmcs02 or loaded VMCS, L1's regions, the guests' memory, the
 * monitors' per-vCPU arrays), to the bus and its sinks (which stay where
 * they are), or to constants (the description, the scenario's strings,
 * function tables). Nothing is relocated, so nothing can be missed; the
 * price is that a snapshot goes back only into the machine it came from
 * (copying a run elsewhere is the library's job: lib/api_snapshot.c).
 *
 * The blocks (grep for calloc/malloc/realloc under model/):
 *   machine_build.c struct machine, the vCPU array, each vCPU's L1 and L2
 *                   programs (insn) and VMCS regions, the trigger states
 *   stimuli.c       the stimulus heap: it grows (realloc), so only its
 *                   nheap entries are saved and the block is kept
 *   model/l0/       one instance per vCPU (l0_instance_size), but its
 *                   MSR-bitmap page, fixed since its creation (l0_instance_fixed)
 *   model/monitor/  nmi_nesting; lost_event and its raised/delivered (row by
 *                   row, stamped: monitor_rows)/open;
 *                   lost_injection and its pending; the summaries with
 *                   their latency arrays and histograms (none without them)
 *   trace bus       the caller's: its counters (from `dropped` on), not
 *                   its queue (empty between two calls of the machine)
 *                   nor its list of sinks (a sink attached since stays);
 *                   the sinks' state is their owners' to save
 *                   (lib/scenario_run.c saves the expectation checker)
 */
#include "model/machine/machine.h"
#include "model/machine/machine_internal.h"

#include <stdlib.h>
#include <string.h>

typedef bool block_fn(void *ctx, void *p, size_t len);

/*
 * The blocks' walkers: `block` for every byte of a block; `stamped` for a
 * part that carries a write stamp (*stamp, vmx_guest_mem_stamp): saved
 * with it, and put back only when the machine's stamp differs.
 */
struct walk {
	block_fn *block;
	bool (*stamped)(void *ctx, void *p, size_t len, const uint64_t *stamp);
	void *ctx;
};

static size_t program_bytes(const struct machine_guest *g)
{
	return (g->count ? g->count : 1) * sizeof(struct vmx_insn);
}

/*
 * The NMI-nesting monitor's tables have a row per possible vCPU
 * (MONITOR_MAX_CPUS, 14 KiB); only the machine's vCPUs' rows ever change.
 */
static bool nesting_blocks(struct monitor_nmi_nesting *n, uint32_t vcpus, block_fn *fn, void *ctx)
{
	return fn(ctx, n, offsetof(struct monitor_nmi_nesting, frame_is_nmi)) &&
	       fn(ctx, n->frame_is_nmi, vcpus * sizeof(n->frame_is_nmi[0])) &&
	       fn(ctx, n->depth, vcpus * sizeof(n->depth[0])) &&
	       fn(ctx, n->nmis_open, vcpus * sizeof(n->nmis_open[0])) &&
	       fn(ctx, &n->violations, sizeof(n->violations));
}

/* The latency histograms, where the monitors keep them (machine_config.no_latency_histograms). */
static bool hist_blocks(struct monitor_summaries *s, block_fn *fn, void *ctx)
{
	const size_t levels = (MONITOR_LEVELS - 1) * MONITOR_LAT_BUCKETS * sizeof(uint64_t);

	return (!s->nmi.hist_store || fn(ctx, s->nmi.hist_store, s->nmi.ncpus * levels)) &&
	       (!s->host.hist_store || fn(ctx, s->host.hist_store, s->host.ncpus * MONITOR_LAT_BUCKETS * sizeof(uint64_t))) &&
	       (!s->irq.hist_store || fn(ctx, s->irq.hist_store, s->irq.ncpus * levels));
}

/*
 * The vCPUs. Each guest memory's IDT and MSR-bitmap page (8 KiB of the
 * 10 a memory holds) go first, stamped - before the bytes around them put
 * the machine's stamps back - and the rest in the pieces between them.
 */
static bool vcpu_blocks(struct machine *m, const struct walk *w)
{
	static const size_t cold[][2] = {
	    {offsetof(struct vcpu, l1.mem.idt), sizeof(((struct vmx_guest_mem *)0)->idt)},
	    {offsetof(struct vcpu, l1.mem.msr_bitmap), sizeof(struct msr_bitmap)},
	    {offsetof(struct vcpu, l2.mem.idt), sizeof(((struct vmx_guest_mem *)0)->idt)},
	    {offsetof(struct vcpu, l2.mem.msr_bitmap), sizeof(struct msr_bitmap)},
	};

	for (uint32_t i = 0; i < m->cfg->vcpus; i++) {
		struct vcpu *vc = &m->vcpu[i];
		char *base = (char *)vc;
		const uint64_t *stamp[] = {&vc->l1.mem.idt_stamp, &vc->l1.mem.msr_bitmap_stamp, &vc->l2.mem.idt_stamp,
		                           &vc->l2.mem.msr_bitmap_stamp};
		size_t at = 0;

		for (size_t k = 0; k < 4; k++)
			if (!w->stamped(w->ctx, base + cold[k][0], cold[k][1], stamp[k]))
				return false;
		for (size_t k = 0; k < 4; k++) {
			if (!w->block(w->ctx, base + at, cold[k][0] - at))
				return false;
			at = cold[k][0] + cold[k][1];
		}
		if (!w->block(w->ctx, base + at, sizeof(*vc) - at))
			return false;
	}
	return true;
}

/*
 * An L0 instance, but for what does not change after its creation
 * (l0_instance_fixed): it is never saved. Its cold part (l0_instance_cold)
 * goes first, stamped, before the bytes around it put its stamp back.
 */
static bool l0_blocks(void *l0, const struct walk *w)
{
	size_t off, len, coff, clen, size = l0_instance_size(l0);
	const uint64_t *stamp;
	char *base = l0;

	l0_instance_fixed(l0, &off, &len);
	l0_instance_cold(l0, &coff, &clen, &stamp);
	if (!clen)
		return w->block(w->ctx, base, off) && w->block(w->ctx, base + off + len, size - off - len);
	return w->stamped(w->ctx, base + coff, clen, stamp) && w->block(w->ctx, base, off) &&
	       w->block(w->ctx, base + off + len, coff - off - len) &&
	       w->block(w->ctx, base + coff + clen, size - coff - clen);
}

/*
 * The monitors' per-row tables - the lost-event monitor's raised and
 * delivered counts, the irq-latency monitor's requests - row by row, each
 * with its write stamp (most rows of a run are never written), then the
 * stamps themselves.
 */
static bool monitor_rows(struct machine *m, const struct walk *w)
{
	struct monitor_lost_event *lost = m->lost;
	struct monitor_irq_latency *irq = &m->summaries->irq;

	for (uint32_t c = 0; c < lost->ncpus; c++)
		for (uint32_t l = 0; l < MONITOR_LEVELS; l++)
			if (!w->stamped(w->ctx, lost->raised[c][l], sizeof(lost->raised[c][l]), &lost->row_stamp[c][l]) ||
			    !w->stamped(w->ctx, lost->delivered[c][l], sizeof(lost->delivered[c][l]), &lost->row_stamp[c][l]))
				return false;
	for (uint32_t c = 0; c < irq->ncpus; c++)
		for (uint32_t l = 0; l < MONITOR_LEVELS; l++)
			if (!w->stamped(w->ctx, irq->raised_at[c][l], sizeof(irq->raised_at[c][l]), &irq->row_stamp[c][l]))
				return false;
	return w->block(w->ctx, lost->row_stamp, lost->ncpus * sizeof(*lost->row_stamp)) &&
	       w->block(w->ctx, irq->row_stamp, irq->ncpus * sizeof(*irq->row_stamp));
}

/* Every block of the machine but the heap's, in a fixed order; false when a walker says stop. */
static bool each_block(struct machine *m, const struct walk *w)
{
	block_fn *fn = w->block;
	void *ctx = w->ctx;

	const struct machine_config *cfg = m->cfg;
	struct trace_bus *bus = m->bus;
	const size_t counters = offsetof(struct trace_bus, dropped);
	bool ok = fn(ctx, m, sizeof(*m)) && vcpu_blocks(m, w) &&
	          fn(ctx, m->trig, (cfg->nstim ? cfg->nstim : 1) * sizeof(*m->trig));

	for (uint32_t i = 0; ok && i < cfg->vcpus; i++) {
		struct vcpu *vc = &m->vcpu[i];
		ok = fn(ctx, vc->l1.insn, program_bytes(&cfg->guest[i])) &&
		     (!cfg->l2_guest || fn(ctx, vc->l2.insn, program_bytes(&cfg->l2_guest[i]))) &&
		     (!vc->regions || fn(ctx, vc->regions, vc->nregions * sizeof(*vc->regions))) &&
		     (!vc->l0 || l0_blocks(vc->l0, w));
	}
	return ok && nesting_blocks(m->nesting, cfg->vcpus, fn, ctx) && monitor_rows(m, w) &&
	       fn(ctx, m->lost, sizeof(*m->lost)) &&
	       fn(ctx, m->lost->open, m->lost->ncpus * sizeof(*m->lost->open)) &&
	       fn(ctx, m->lost_inj, sizeof(*m->lost_inj)) &&
	       fn(ctx, m->lost_inj->pending, m->lost_inj->ncpus * sizeof(*m->lost_inj->pending)) &&
	       fn(ctx, m->summaries, sizeof(*m->summaries)) &&
	       fn(ctx, m->summaries->nmi.lat, m->summaries->nmi.ncpus * sizeof(*m->summaries->nmi.lat)) &&
	       fn(ctx, m->summaries->host.lat, m->summaries->host.ncpus * sizeof(*m->summaries->host.lat)) &&
	       fn(ctx, m->summaries->irq.l1_exits_on_intr,
	          m->summaries->irq.ncpus * sizeof(*m->summaries->irq.l1_exits_on_intr)) &&
	       fn(ctx, m->summaries->irq.lat, m->summaries->irq.ncpus * sizeof(*m->summaries->irq.lat)) &&
	       hist_blocks(m->summaries, fn, ctx) && fn(ctx, (char *)bus + counters, sizeof(*bus) - counters);
}

bool machine_walk_blocks(struct machine *m, block_fn *block,
                         bool (*stamped)(void *ctx, void *p, size_t len, const uint64_t *stamp), void *ctx)
{
	const struct walk w = {block, stamped, ctx};

	return each_block(m, &w);
}

void machine_snapshot_init(struct machine_snapshot *s)
{
	memset(s, 0, sizeof(*s));
}

void machine_snapshot_release(struct machine_snapshot *s)
{
	free(s->bytes);
	memset(s, 0, sizeof(*s));
}

bool machine_snapshot_put(struct machine_snapshot *s, const void *p, size_t len)
{
	if (s->len + len > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		unsigned char *b;
		while (cap < s->len + len)
			cap *= 2;
		if (!(b = realloc(s->bytes, cap)))
			return false;
		s->bytes = b;
		s->cap = cap;
	}
	/* An empty block (an array of no elements) may be NULL: nothing to copy. */
	if (len)
		memcpy(s->bytes + s->len, p, len);
	s->len += len;
	return true;
}

bool machine_snapshot_get(const struct machine_snapshot *s, size_t *at, void *p, size_t len)
{
	if (*at + len > s->len)
		return false;
	if (len)
		memcpy(p, s->bytes + *at, len);
	*at += len;
	return true;
}

static bool put_block(void *ctx, void *p, size_t len)
{
	return machine_snapshot_put(ctx, p, len);
}

static bool put_stamped(void *ctx, void *p, size_t len, const uint64_t *stamp)
{
	return machine_snapshot_put(ctx, stamp, sizeof(*stamp)) && machine_snapshot_put(ctx, p, len);
}

bool machine_save(struct machine *m, struct machine_snapshot *s)
{
	const struct walk w = {put_block, put_stamped, s};

	s->len = 0;
	s->of = m;
	return each_block(m, &w) && machine_snapshot_put(s, m->heap, m->nheap * sizeof(*m->heap));
}

struct cursor {
	const struct machine_snapshot *s;
	size_t at;
};

static bool get_block(void *ctx, void *p, size_t len)
{
	struct cursor *c = ctx;
	return machine_snapshot_get(c->s, &c->at, p, len);
}

/* An equal stamp: the machine holds what the snapshot holds; only the cursor moves on. */
static bool get_stamped(void *ctx, void *p, size_t len, const uint64_t *stamp)
{
	struct cursor *c = ctx;
	uint64_t saved;

	if (!machine_snapshot_get(c->s, &c->at, &saved, sizeof(saved)))
		return false;
	if (saved != *stamp)
		return machine_snapshot_get(c->s, &c->at, p, len);
	if (c->at + len > c->s->len)
		return false;
	c->at += len;
	return true;
}

size_t machine_restore(struct machine *m, const struct machine_snapshot *s)
{
	/* What is the caller's now, not the run's: the heap's block (it may have moved), the poll, the stamps. */
	struct pending *heap = m->heap;
	uint32_t cap = m->capheap;
	machine_poll_fn *poll = m->poll;
	void *poll_ctx = m->poll_ctx;
	uint64_t stamps = m->stamps;
	struct cursor c = {s, 0};
	const struct walk w = {get_block, get_stamped, &c};

	if (s->of != m || !each_block(m, &w))
		return 0;
	m->heap = heap;
	m->capheap = cap;
	m->poll = poll;
	m->poll_ctx = poll_ctx;
	m->stamps = stamps;   /* it only grows, or a stamp would stand for two contents */
	m->bus->retune = true;   /* the sinks' masks came back with them: what the bus skips is computed again */
	if (m->nheap > m->capheap) {
		struct pending *h = realloc(m->heap, m->nheap * sizeof(*h));
		if (!h)
			return 0;
		m->heap = h;
		m->capheap = m->nheap;
	}
	if (!machine_snapshot_get(s, &c.at, m->heap, m->nheap * sizeof(*m->heap)))
		return 0;
	return c.at;
}

uint64_t machine_clock_reached(const struct machine *m)
{
	uint64_t c = 0;

	for (uint32_t i = 0; i < m->cfg->vcpus; i++)
		if (m->vcpu[i].lp.cycle > c)
			c = m->vcpu[i].lp.cycle;
	return c;
}
