/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink_vcd.c - the run as a value change dump (IEEE 1364 §18) for GTKWave.
 *
 * One scope per vCPU and inside it one per level (l0, l1, l2); the signals
 * are the interruptibility state, activity state, pending NMI/INTR lines,
 * L0's window controls and soft-vNMI flag, guest mode and exit reason, and
 * the nested exits L0 shows L1 (see docs/trace-format.md, "The VCD
 * format").
 *
 * Time is real time: the time scale is 1 ps and a cycle's time stamp is its
 * nanoseconds at the CPU model's TSC frequency times 1000, rounded, so
 * GTKWave's ruler reads microseconds as the guest would; at the model's
 * highest TSC (100 GHz) a cycle is still 10 time units, so two cycles never
 * share a time stamp. The cycle itself is the 64-bit wire `cycle` at the
 * scope `time`, written with every time stamp. Without a TSC (a sink made with no
 * context) a time unit is a cycle and the scale a nominal 1 ns.
 *
 * Streaming: the header is written at once; value changes go through a
 * small reorder buffer (a heap of at most VCD_REORDER_CAP changes), because
 * the events of several vCPUs arrive a little out of cycle order. A change
 * at cycle t is written once no vCPU can still produce an earlier one
 * (every vCPU's stream is in order, so t below every vCPU's latest cycle is
 * safe), or once it is VCD_REORDER_WINDOW cycles behind the newest event,
 * or when the buffer is full. A change that arrives later than what is
 * already written is clamped to the last written time stamp. Changes at
 * one time stamp are merged: a signal is written only when its value at
 * the end of the time stamp differs from the last written one.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "model/trace/sink_view.h"

#define VCD_REORDER_CAP 8192u
#define VCD_REORDER_WINDOW 1000000u
#define VCD_X UINT64_MAX    /* value not known yet */

enum vcd_sig {
#define VCD_SIGNAL(id, name, width, levels, event, unknown) VS_##id,
#include "model/trace/vcd_signals.def"
#undef VCD_SIGNAL
	VS_COUNT
};

#define AT_ROOT 1u    /* declared in l0 */
#define AT_L1 2u      /* declared in l1 (L1 as a hypervisor of L2) */
#define AT_GUEST 6u   /* declared in l1 and l2 */
#define AT_ALL 7u

static const struct vcd_sig_def {
	const char *name;
	uint8_t width;
	uint8_t levels;   /* bit L: declared in scope lL */
	bool event;
	bool unknown_at_start;
} sig_defs[VS_COUNT] = {
#define VCD_SIGNAL(id, name, width, levels, event, unknown) [VS_##id] = {name, width, levels, event, unknown},
#include "model/trace/vcd_signals.def"
#undef VCD_SIGNAL
};

struct vcd_change {
	uint64_t t;
	uint64_t seq;
	uint32_t var;
	uint64_t val;
};

struct vcd_sink {
	struct trace_sink base;
	FILE *out;
	uint32_t vcpus;
	uint32_t nvars;              /* vcpus * 3 levels * VS_COUNT slots */
	int32_t *code;               /* identifier number of each slot, -1 if not declared */
	uint64_t *written;           /* value last written */
	uint64_t *latest;            /* value last queued (in arrival order) */
	uint64_t *next;              /* value at the end of the time stamp being written */
	uint8_t *touched;
	uint32_t *touch_list;
	struct vcd_change *heap;
	uint32_t nheap;
	uint64_t seq;
	uint64_t *last_seen;         /* per vCPU: cycle of its newest event */
	uint64_t max_seen;
	uint64_t now;                /* last time stamp written */
	bool dumped;                 /* $dumpvars written */
	uint64_t clamped;
	uint64_t tsc_hz;             /* 0: time stamps are cycles */
	uint32_t cycle_code;         /* identifier of the `cycle` wire */
	struct sink_pending *pending;
};

static void put(struct vcd_sink *v, const char *s)
{
	if (fputs(s, v->out) == EOF)
		v->base.error = true;
}

static void put_code(struct vcd_sink *v, uint32_t n)
{
	char id[8];
	size_t len = 0;

	do {
		id[len++] = (char)('!' + n % 94);
		n /= 94;
	} while (n && len < sizeof(id) - 1);
	id[len] = 0;
	put(v, id);
}

static void put_value(struct vcd_sink *v, uint32_t var)
{
	const struct vcd_sig_def *d = &sig_defs[var % VS_COUNT];
	uint64_t val = v->next[var];
	char bits[72];
	size_t n = 0;

	if (d->width == 1 || d->event) {
		put(v, val == VCD_X ? "x" : val ? "1" : "0");
	} else {
		put(v, "b");
		if (val == VCD_X) {
			bits[n++] = 'x';
		} else {
			int top = 63;

			while (top > 0 && !(val >> top & 1))
				top--;
			for (int b = top; b >= 0; b--)
				bits[n++] = (char)('0' + (val >> b & 1));
		}
		bits[n++] = ' ';
		bits[n] = 0;
		put(v, bits);
	}
	put_code(v, (uint32_t)v->code[var]);
	put(v, "\n");
}

/* A cycle's time stamp: picoseconds at the TSC, or the cycle itself without one. */
static void put_stamp(struct vcd_sink *v, uint64_t cycle)
{
	char digits[48];

	put(v, "#");
	put(v, sink_u128_dec(v->tsc_hz ? sink_cycles_to_ps(cycle, v->tsc_hz) : cycle, digits, sizeof(digits)));
	put(v, "\n");
}

/* The `cycle` wire's value: cycle t in binary. */
static void put_cycle(struct vcd_sink *v, uint64_t t)
{
	char bits[72];
	size_t n = 0;

	if (!v->tsc_hz)
		return;
	bits[n++] = 'b';
	for (int b = 63; b >= 0; b--)
		if ((t >> b) || b == 0)
			bits[n++] = (char)('0' + (t >> b & 1));
	bits[n++] = ' ';
	bits[n] = 0;
	put(v, bits);
	put_code(v, v->cycle_code);
	put(v, "\n");
}

/* The time stamp of cycle t, and the `cycle` wire's value there. */
static void put_time(struct vcd_sink *v, uint64_t t)
{
	put_stamp(v, t);
	put_cycle(v, t);
	v->now = t;
}

static uint32_t slot(uint32_t cpu, uint32_t level, enum vcd_sig sig)
{
	return (cpu * SINK_VIEW_LEVELS + level) * VS_COUNT + (uint32_t)sig;
}

/* Scalar text that cannot end a $comment early. */
static void put_text(struct vcd_sink *v, const char *s)
{
	char c[2] = {0, 0};

	for (; s && *s; s++) {
		c[0] = *s == '$' || (unsigned char)*s < ' ' ? '_' : *s;
		put(v, c);
	}
}

static void write_header(struct vcd_sink *v, const struct trace_sink_context *ctx)
{
	static const char *const level_names[SINK_VIEW_LEVELS] = {"l0", "l1", "l2"};
	char buf[160];
	uint32_t next_code = 0;

	put(v, "$comment\n  vmxsim trace of ");
	put_text(v, ctx && ctx->scenario ? ctx->scenario : "(unnamed)");
	put(v, "\n  L0 ");
	put_text(v, ctx && ctx->l0 ? ctx->l0 : "(unknown)");
	snprintf(buf, sizeof(buf), ", %" PRIu32 " vCPUs, TSC %" PRIu64 " Hz\n", v->vcpus, ctx ? ctx->tsc_hz : 0);
	put(v, buf);
	if (v->tsc_hz) {
		put(v, "  time is real time at the TSC: 1 time unit = 1 ps; the wire time.cycle is the model cycle\n$end\n");
		put(v, "$version vmxsim $end\n$timescale 1ps $end\n");
	} else {
		put(v, "  1 time unit = 1 model cycle (no TSC frequency given; the 1ns timescale is nominal)\n$end\n");
		put(v, "$version vmxsim $end\n$timescale 1ns $end\n");
	}
	for (uint32_t cpu = 0; cpu < v->vcpus; cpu++) {
		snprintf(buf, sizeof(buf), "$scope module vcpu%" PRIu32 " $end\n", cpu);
		put(v, buf);
		for (uint32_t level = 0; level < SINK_VIEW_LEVELS; level++) {
			put(v, "$scope module ");
			put(v, level_names[level]);
			put(v, " $end\n");
			for (uint32_t s = 0; s < VS_COUNT; s++) {
				const struct vcd_sig_def *d = &sig_defs[s];
				uint32_t var = slot(cpu, level, (enum vcd_sig)s);

				if (!(d->levels >> level & 1))
					continue;
				v->code[var] = (int32_t)next_code;
				snprintf(buf, sizeof(buf), "$var %s %u ", d->event ? "event" : "wire", d->width);
				put(v, buf);
				put_code(v, next_code++);
				put(v, " ");
				put(v, d->name);
				if (d->width > 1) {
					snprintf(buf, sizeof(buf), " [%u:0]", d->width - 1u);
					put(v, buf);
				}
				put(v, " $end\n");
			}
			put(v, "$upscope $end\n");
		}
		put(v, "$upscope $end\n");
	}
	/* Declared last, so the other identifiers do not depend on whether there is a TSC. */
	if (v->tsc_hz) {
		v->cycle_code = next_code++;
		put(v, "$scope module time $end\n$var wire 64 ");
		put_code(v, v->cycle_code);
		put(v, " cycle [63:0] $end\n$upscope $end\n");
	}
	put(v, "$enddefinitions $end\n");
}

/* #0 and every declared wire's value: the state after time stamp 0's changes. */
static void write_dumpvars(struct vcd_sink *v)
{
	put_stamp(v, 0);
	v->now = 0;
	put(v, "$dumpvars\n");
	put_cycle(v, 0);
	for (uint32_t var = 0; var < v->nvars; var++) {
		if (v->code[var] < 0 || sig_defs[var % VS_COUNT].event)
			continue;
		put_value(v, var);
		v->written[var] = v->next[var];
	}
	put(v, "$end\n");
	v->dumped = true;
}

static bool heap_less(const struct vcd_change *a, const struct vcd_change *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void heap_pop(struct vcd_sink *v, struct vcd_change *out)
{
	struct vcd_change *h = v->heap;
	uint32_t i = 0;

	*out = h[0];
	h[0] = h[--v->nheap];
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;
		struct vcd_change tmp;

		if (l < v->nheap && heap_less(&h[l], &h[m]))
			m = l;
		if (r < v->nheap && heap_less(&h[r], &h[m]))
			m = r;
		if (m == i)
			break;
		tmp = h[i];
		h[i] = h[m];
		h[m] = tmp;
		i = m;
	}
}

static void heap_push(struct vcd_sink *v, const struct vcd_change *c)
{
	struct vcd_change *h = v->heap;
	uint32_t i = v->nheap++;

	h[i] = *c;
	while (i > 0 && heap_less(&h[i], &h[(i - 1) / 2])) {
		struct vcd_change tmp = h[i];

		h[i] = h[(i - 1) / 2];
		h[(i - 1) / 2] = tmp;
		i = (i - 1) / 2;
	}
}

/* Write every buffered change of the earliest buffered time stamp. */
static void write_group(struct vcd_sink *v)
{
	uint64_t t = v->heap[0].t;
	uint32_t ntouched = 0;
	bool stamped;

	if (!v->dumped && t > 0)
		write_dumpvars(v);
	while (v->nheap && v->heap[0].t == t) {
		struct vcd_change c;

		heap_pop(v, &c);
		v->next[c.var] = c.val;
		if (!v->touched[c.var]) {
			v->touched[c.var] = 1;
			v->touch_list[ntouched++] = c.var;
		}
	}
	if (!v->dumped)
		write_dumpvars(v);
	stamped = t <= v->now;
	for (uint32_t i = 0; i < ntouched; i++) {
		uint32_t var = v->touch_list[i];
		bool event = sig_defs[var % VS_COUNT].event;

		v->touched[var] = 0;
		if (event ? !v->next[var] : v->next[var] == v->written[var])
			continue;
		if (!stamped) {
			put_time(v, t);
			stamped = true;
		}
		put_value(v, var);
		v->written[var] = v->next[var];
		if (event)
			v->next[var] = 0;
	}
}

/* Write what can no longer be preceded by a late change (everything if `all`). */
static void drain(struct vcd_sink *v, bool all)
{
	uint64_t limit = UINT64_MAX;

	for (uint32_t c = 0; c < v->vcpus; c++)
		if (v->last_seen[c] < limit)
			limit = v->last_seen[c];
	if (v->max_seen > VCD_REORDER_WINDOW && v->max_seen - VCD_REORDER_WINDOW > limit)
		limit = v->max_seen - VCD_REORDER_WINDOW;
	while (v->nheap && (all || v->heap[0].t < limit))
		write_group(v);
}

static void set(struct vcd_sink *v, const struct trace_event *ev, uint32_t level, enum vcd_sig sig, uint64_t val)
{
	uint32_t var = slot(ev->cpu, level, sig);
	struct vcd_change c;

	if (v->code[var] < 0)
		return;
	if (!sig_defs[sig].event) {
		if (v->latest[var] == val)
			return;
		v->latest[var] = val;
	}
	c.t = ev->cycle;
	if (v->dumped && c.t < v->now) {
		c.t = v->now;
		v->clamped++;
	}
	c.seq = v->seq++;
	c.var = var;
	c.val = val;
	if (v->nheap == VCD_REORDER_CAP)
		write_group(v);
	heap_push(v, &c);
}

static uint64_t activity_of(const char *name)
{
	if (!name || !strcmp(name, "active"))
		return 0;
	if (!strcmp(name, "hlt"))
		return 1;
	if (!strcmp(name, "shutdown"))
		return 2;
	if (!strcmp(name, "wait-for-sipi"))
		return 3;
	return 0;
}

static void vcd_emit(struct trace_sink *s, const struct trace_event *ev)
{
	struct vcd_sink *v = (struct vcd_sink *)s;
	uint32_t level = ev->level < SINK_VIEW_LEVELS ? ev->level : SINK_VIEW_LEVELS - 1;
	const char *what;
	unsigned changed;

	if (ev->cycle > v->max_seen)
		v->max_seen = ev->cycle;
	if (ev->cpu >= v->vcpus)
		return;
	if (ev->cycle > v->last_seen[ev->cpu])
		v->last_seen[ev->cpu] = ev->cycle;
	switch (ev->kind) {
	case TRACE_BLOCKING: {
		unsigned b = sink_blocking_bits(trace_field_s(ev, "to"));

		set(v, ev, level, VS_STI, !!(b & SINK_BLK_STI));
		set(v, ev, level, VS_MOV_SS, !!(b & SINK_BLK_MOV_SS));
		set(v, ev, level, VS_NMI, !!(b & SINK_BLK_NMI));
		set(v, ev, level, VS_VNMI, !!(b & SINK_BLK_VNMI));
		set(v, ev, level, VS_IF, !!(b & SINK_BLK_IF));
		break;
	}
	case TRACE_HLT:
		set(v, ev, level, VS_ACTIVITY, 1);
		break;
	case TRACE_WAKE:
		set(v, ev, level, VS_ACTIVITY, 0);
		break;
	case TRACE_SHUTDOWN:
		set(v, ev, level, VS_ACTIVITY, 2);
		break;
	case TRACE_INIT:
		set(v, ev, level, VS_ACTIVITY, 3);   /* wait-for-SIPI */
		break;
	case TRACE_RESET:
		set(v, ev, level, VS_GUEST_MODE, 0);   /* no VM exit: the guest is simply gone */
		break;
	case TRACE_VMENTRY:
		set(v, ev, level, VS_GUEST_MODE, 1);
		set(v, ev, level, VS_VMENTRY, 1);
		set(v, ev, level, VS_ACTIVITY, activity_of(trace_field_s(ev, "activity")));
		break;
	case TRACE_VMEXIT: {
		int reason = sink_exit_reason_number(trace_field_s(ev, "reason"));

		set(v, ev, level, VS_GUEST_MODE, 0);
		set(v, ev, level, VS_VMEXIT, 1);
		set(v, ev, level, VS_EXIT_REASON, reason < 0 ? VCD_X : (uint64_t)reason);
		set(v, ev, level, VS_EXIT_FAILED, trace_field_u(ev, "failed_vmentry", 0) ? 1 : 0);
		set(v, ev, 0, VS_ENTRY_INTR_INFO, 0);   /* VM exits clear the valid bit */
		break;
	}
	case TRACE_NESTED_VMEXIT: {
		int reason = sink_exit_reason_number(trace_field_s(ev, "reason"));

		set(v, ev, level, VS_NESTED_EXIT, 1);
		set(v, ev, level, VS_NESTED_EXIT_REASON, reason < 0 ? VCD_X : (uint64_t)reason);
		break;
	}
	case TRACE_NESTED_VMENTER:
		set(v, ev, level, VS_NESTED_ENTRY, 1);
		break;
	case TRACE_INJECT:
		set(v, ev, level, VS_ENTRY_INTR_INFO, trace_field_u(ev, "intr_info", 0));
		break;
	case TRACE_WINDOW:
		what = trace_field_s(ev, "what");
		if (what && !strncmp(what, "irq-window-", 11))
			set(v, ev, level, VS_IRQ_WINDOW, !strcmp(what + 11, "on"));
		else if (what && !strncmp(what, "nmi-window-", 11))
			set(v, ev, level, VS_NMI_WINDOW, !strcmp(what + 11, "on"));
		break;
	case TRACE_SOFT_VNMI:
		set(v, ev, level, VS_SOFT_VNMI, trace_field_u(ev, "blocked", 0) ? 1 : 0);
		break;
	case TRACE_VIOLATION:
		set(v, ev, level, VS_VIOLATION, 1);
		break;
	default:
		break;
	}
	changed = sink_pending_apply(&v->pending[ev->cpu], ev);
	for (uint32_t l = 0; l < SINK_VIEW_LEVELS; l++) {
		if (!(changed >> l & 1))
			continue;
		set(v, ev, l, VS_NMI_PENDING, v->pending[ev->cpu].nmi[l] > 0);
		set(v, ev, l, VS_INTR_PENDING, v->pending[ev->cpu].intr[l] > 0);
	}
	drain(v, false);
}

static void vcd_finish(struct trace_sink *s)
{
	struct vcd_sink *v = (struct vcd_sink *)s;

	drain(v, true);
	if (!v->dumped)
		write_dumpvars(v);
	if (v->clamped) {
		char buf[160];

		snprintf(buf, sizeof(buf), "$comment %" PRIu64 " value changes arrived late and were clamped to the "
		         "time stamp already written $end\n", v->clamped);
		put(v, buf);
	}
	if (v->max_seen > v->now)
		put_time(v, v->max_seen);
	if (fflush(v->out) == EOF || ferror(v->out))
		v->base.error = true;
}

static void vcd_destroy(struct trace_sink *s)
{
	struct vcd_sink *v = (struct vcd_sink *)s;

	if (!v)
		return;
	free(v->code);
	free(v->written);
	free(v->latest);
	free(v->next);
	free(v->touched);
	free(v->touch_list);
	free(v->heap);
	free(v->last_seen);
	free(v->pending);
	free(v);
}

struct trace_sink *trace_vcd_sink_new(FILE *out, const struct trace_sink_context *ctx)
{
	struct vcd_sink *v = calloc(1, sizeof(*v));

	if (!v || !out) {
		free(v);
		return NULL;
	}
	v->base.emit = vcd_emit;
	v->base.finish = vcd_finish;
	v->base.destroy = vcd_destroy;
	v->out = out;
	v->vcpus = ctx && ctx->vcpus ? ctx->vcpus : 1;
	v->tsc_hz = ctx ? ctx->tsc_hz : 0;
	v->nvars = v->vcpus * SINK_VIEW_LEVELS * VS_COUNT;
	v->code = malloc(v->nvars * sizeof(*v->code));
	v->written = malloc(v->nvars * sizeof(*v->written));
	v->latest = malloc(v->nvars * sizeof(*v->latest));
	v->next = malloc(v->nvars * sizeof(*v->next));
	v->touched = calloc(v->nvars, 1);
	v->touch_list = malloc(VCD_REORDER_CAP * sizeof(*v->touch_list));
	v->heap = malloc(VCD_REORDER_CAP * sizeof(*v->heap));
	v->last_seen = calloc(v->vcpus, sizeof(*v->last_seen));
	v->pending = malloc(v->vcpus * sizeof(*v->pending));
	if (!v->code || !v->written || !v->latest || !v->next || !v->touched || !v->touch_list || !v->heap ||
	    !v->last_seen || !v->pending) {
		vcd_destroy(&v->base);
		return NULL;
	}
	for (uint32_t var = 0; var < v->nvars; var++) {
		uint64_t init = sig_defs[var % VS_COUNT].unknown_at_start ? VCD_X : 0;

		v->code[var] = -1;
		v->written[var] = v->latest[var] = v->next[var] = init;
	}
	for (uint32_t c = 0; c < v->vcpus; c++)
		sink_pending_init(&v->pending[c]);
	write_header(v, ctx);
	return &v->base;
}
