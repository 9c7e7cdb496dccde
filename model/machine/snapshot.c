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
 *   machine.c       struct machine, the vCPU array, each vCPU's L1 and L2
 *                   programs (insn) and VMCS regions, the trigger states
 *   stimuli.c       the stimulus heap: it grows (realloc), so only its
 *                   nheap entries are saved and the block is kept
 *   model/l0/       one instance per vCPU (l0_instance_size)
 *   model/monitor/  nmi_nesting; lost_event and its raised/delivered;
 *                   lost_injection and its pending; the summaries with
 *                   their latency arrays
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

/* Every block of the machine but the heap's, in a fixed order; false when fn says stop. */
static bool each_block(struct machine *m, block_fn *fn, void *ctx)
{
	const struct machine_config *cfg = m->cfg;
	struct trace_bus *bus = m->bus;
	const size_t counters = offsetof(struct trace_bus, dropped);
	bool ok = fn(ctx, m, sizeof(*m)) && fn(ctx, m->vcpu, cfg->vcpus * sizeof(*m->vcpu)) &&
	          fn(ctx, m->trig, (cfg->nstim ? cfg->nstim : 1) * sizeof(*m->trig));

	for (uint32_t i = 0; ok && i < cfg->vcpus; i++) {
		struct vcpu *vc = &m->vcpu[i];
		ok = fn(ctx, vc->l1.insn, program_bytes(&cfg->guest[i])) &&
		     (!cfg->l2_guest || fn(ctx, vc->l2.insn, program_bytes(&cfg->l2_guest[i]))) &&
		     (!vc->regions || fn(ctx, vc->regions, vc->nregions * sizeof(*vc->regions))) &&
		     (!vc->l0 || fn(ctx, vc->l0, l0_instance_size(vc->l0)));
	}
	return ok && nesting_blocks(m->nesting, cfg->vcpus, fn, ctx) && fn(ctx, m->lost, sizeof(*m->lost)) &&
	       fn(ctx, m->lost->raised, m->lost->ncpus * sizeof(*m->lost->raised)) &&
	       fn(ctx, m->lost->delivered, m->lost->ncpus * sizeof(*m->lost->delivered)) &&
	       fn(ctx, m->lost_inj, sizeof(*m->lost_inj)) &&
	       fn(ctx, m->lost_inj->pending, m->lost_inj->ncpus * sizeof(*m->lost_inj->pending)) &&
	       fn(ctx, m->summaries, sizeof(*m->summaries)) &&
	       fn(ctx, m->summaries->nmi.lat, m->summaries->nmi.ncpus * sizeof(*m->summaries->nmi.lat)) &&
	       fn(ctx, m->summaries->host.lat, m->summaries->host.ncpus * sizeof(*m->summaries->host.lat)) &&
	       fn(ctx, m->summaries->irq.raised_at, m->summaries->irq.ncpus * sizeof(*m->summaries->irq.raised_at)) &&
	       fn(ctx, m->summaries->irq.l1_exits_on_intr,
	          m->summaries->irq.ncpus * sizeof(*m->summaries->irq.l1_exits_on_intr)) &&
	       fn(ctx, m->summaries->irq.lat, m->summaries->irq.ncpus * sizeof(*m->summaries->irq.lat)) &&
	       fn(ctx, (char *)bus + counters, sizeof(*bus) - counters);
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

bool machine_save(struct machine *m, struct machine_snapshot *s)
{

	s->len = 0;
	s->of = m;
	return each_block(m, put_block, s) && machine_snapshot_put(s, m->heap, m->nheap * sizeof(*m->heap));
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

size_t machine_restore(struct machine *m, const struct machine_snapshot *s)
{
	/* What is the caller's now, not the run's: the heap's block (it may have moved) and the poll. */
	struct pending *heap = m->heap;
	uint32_t cap = m->capheap;
	machine_poll_fn *poll = m->poll;
	void *poll_ctx = m->poll_ctx;
	struct cursor c = {s, 0};

	if (s->of != m || !each_block(m, get_block, &c))
		return 0;
	m->heap = heap;
	m->capheap = cap;
	m->poll = poll;
	m->poll_ctx = poll_ctx;
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
