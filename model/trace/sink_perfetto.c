/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink_perfetto.c - the run as Chrome / Perfetto trace-event JSON, the
 * object form {"displayTimeUnit":"ns","traceEvents":[...]} that
 * ui.perfetto.dev and chrome://tracing open.
 *
 * A process per vCPU (pid = vCPU + 1), threads per level and lane:
 *   tid 0   L0 hypervisor: exit handling, vmexit .. next vmentry (under
 *           `l0 none` L1 is the root hypervisor and this is on tid 1)
 *   tid 1/2 L1/L2 guest: guest execution, vmentry .. vmexit, and handlers
 *           (deliver .. iret) that lie inside one stretch of guest execution
 *   tid 10  NMI blocked: blocking by NMI / virtual-NMI blocking, per level
 *   tid 11  soft-vNMI blocked: L0's software NMI-blocked flag
 *   tid 20/21/22  handlers of L0/L1/L2 that span a VM entry or exit
 * `X` slices nest strictly on every thread; `i` instants for the other
 * events (exits, stimuli, injections, verdicts, ...); `C` counters of the
 * pending NMIs and interrupts per level. See docs/trace-format.md.
 *
 * X slices need their duration, so a slice is written when it ends; only
 * open slices are kept (a fixed number per vCPU). Everything else is
 * written as it arrives: the file is in the order the events came, and a
 * slice appears at its end.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "model/trace/json_args.h"
#include "model/trace/sink_view.h"

#define PF_MAX_FRAMES 16       /* open handlers per level; deeper ones are not drawn */
#define PF_NAME 64
#define PF_ARGS JSON_ARGS_MAX
#define PF_TID_NMI 10u
#define PF_TID_SOFT 11u
#define PF_TID_HANDLERS 20u    /* + level */

struct pf_slice {
	bool open;
	bool cut;                  /* some args did not fit */
	uint64_t start;            /* cycle */
	char name[PF_NAME];
	char args[PF_ARGS];        /* JSON members without the braces */
};

struct pf_frame {
	struct pf_slice s;
	bool in_slice;             /* its level's execution slice was open at deliver */
	bool crossed;              /* ... and has ended since */
};

struct pf_cpu {
	struct pf_slice exec[SINK_VIEW_LEVELS];   /* the root level: exit handling; guests: execution */
	struct pf_frame frame[SINK_VIEW_LEVELS][PF_MAX_FRAMES];
	uint32_t nframes[SINK_VIEW_LEVELS];
	uint32_t deep[SINK_VIEW_LEVELS];          /* delivers beyond PF_MAX_FRAMES not yet returned */
	struct pf_slice nmi[SINK_VIEW_LEVELS];    /* on tid 10 */
	uint32_t nmi_stack[SINK_VIEW_LEVELS];     /* levels open on tid 10, innermost last */
	uint32_t nnmi;
	struct pf_slice soft;                     /* on tid 11 */
	uint32_t threads;                         /* bit i: lane_tids[i] has its thread_name */
	uint32_t counters;                        /* counter of level L started */
	struct sink_pending pending;
};

struct pf_sink {
	struct trace_sink base;
	FILE *out;
	uint64_t tsc_hz;
	uint32_t vcpus;
	uint32_t root;             /* level of the root hypervisor: 0, or 1 under `l0 none` */
	uint64_t end;              /* newest cycle seen */
	bool first;                /* no event written yet */
	struct pf_cpu *cpu;
};

/* ---- JSON text ------------------------------------------------------- */

static void put(struct pf_sink *p, const char *s)
{
	if (fputs(s, p->out) == EOF)
		p->base.error = true;
}

static void put_str(struct pf_sink *p, const char *s)
{
	char buf[64];

	put(p, "\"");
	while (*s) {
		size_t n = 0;

		while (*s && n < 16)       /* escape a few characters at a time */
			n += json_escape(buf + n, 8, (char[2]){*s++, 0});
		buf[n] = 0;
		put(p, buf);
	}
	put(p, "\"");
}

/*
 * ts and dur are microseconds with six decimals: whole picoseconds at the
 * TSC, in 128-bit integers (no floating point: every machine prints the
 * same digits). Picoseconds because at a TSC of up to 100 GHz they still
 * tell two cycles apart, where nanoseconds would merge the cycles of one.
 */
static void put_ts(struct pf_sink *p, const char *key, unsigned __int128 ps)
{
	char buf[64], digits[48];

	snprintf(buf, sizeof(buf), ",\"%s\":", key);
	put(p, buf);
	put(p, sink_u128_dec(ps / 1000000, digits, sizeof(digits)));
	snprintf(buf, sizeof(buf), ".%06u", (unsigned)(ps % 1000000));
	put(p, buf);
}

static unsigned __int128 cycles_to_ps(const struct pf_sink *p, uint64_t cycles)
{
	return sink_cycles_to_ps(cycles, p->tsc_hz);
}

static void begin_event(struct pf_sink *p, const char *ph, uint32_t cpu, int64_t tid)
{
	char buf[96];

	put(p, p->first ? "\n" : ",\n");
	p->first = false;
	if (tid < 0)
		snprintf(buf, sizeof(buf), "{\"ph\":\"%s\",\"pid\":%" PRIu32, ph, cpu + 1);
	else
		snprintf(buf, sizeof(buf), "{\"ph\":\"%s\",\"pid\":%" PRIu32 ",\"tid\":%" PRId64, ph, cpu + 1, tid);
	put(p, buf);
}

static void end_event(struct pf_sink *p, const char *name, const char *cat, const char *args, bool cut)
{
	put(p, ",\"name\":");
	put_str(p, name);
	if (cat) {
		put(p, ",\"cat\":");
		put_str(p, cat);
	}
	put(p, ",\"args\":{");
	put(p, args);
	if (cut)
		put(p, *args ? ",\"truncated\":true" : "\"truncated\":true");
	put(p, "}}");
}

/* ---- threads ----------------------------------------------------------- */

static const uint32_t lane_tids[] = {
	0, 1, 2, PF_TID_NMI, PF_TID_SOFT, PF_TID_HANDLERS + 0, PF_TID_HANDLERS + 1, PF_TID_HANDLERS + 2,
};

/* A level below the root software's is the processor itself (level 0 under `l0 none`). */
static const char *level_role(const struct pf_sink *p, uint32_t level)
{
	return level < p->root ? "processor" : level == p->root ? "hypervisor" : "guest";
}

static void lane_name(const struct pf_sink *p, uint32_t tid, char *buf, size_t size, uint32_t *sort)
{
	if (tid < SINK_VIEW_LEVELS) {
		snprintf(buf, size, "L%" PRIu32 " %s", tid, level_role(p, tid));
		*sort = 2 * tid;
	} else if (tid >= PF_TID_HANDLERS) {
		uint32_t l = tid - PF_TID_HANDLERS;

		snprintf(buf, size, "L%" PRIu32 " handlers across %s", l, l == p->root ? "entries" : "exits");
		*sort = 2 * l + 1;
	} else {
		snprintf(buf, size, "%s", tid == PF_TID_NMI ? "NMI blocked" : "soft-vNMI blocked");
		*sort = tid == PF_TID_NMI ? 6 : 7;
	}
}

/* thread_name and thread_sort_index before a thread's first event. */
static void use_thread(struct pf_sink *p, uint32_t cpu, uint32_t tid)
{
	for (uint32_t i = 0; i < sizeof(lane_tids) / sizeof(lane_tids[0]); i++) {
		char name[48], buf[96];
		uint32_t sort;

		if (lane_tids[i] != tid || (p->cpu[cpu].threads >> i & 1))
			continue;
		p->cpu[cpu].threads |= 1u << i;
		lane_name(p, tid, name, sizeof(name), &sort);
		snprintf(buf, sizeof(buf), "\"name\":\"%s\"", name);
		begin_event(p, "M", cpu, tid);
		end_event(p, "thread_name", NULL, buf, false);
		snprintf(buf, sizeof(buf), "\"sort_index\":%" PRIu32, sort);
		begin_event(p, "M", cpu, tid);
		end_event(p, "thread_sort_index", NULL, buf, false);
		return;
	}
}

/* ---- slices ------------------------------------------------------------ */

static void write_slice(struct pf_sink *p, uint32_t cpu, uint32_t tid, const struct pf_slice *s, uint64_t end,
                        const char *cat)
{
	uint64_t last = end < s->start ? s->start : end;
	unsigned __int128 a = cycles_to_ps(p, s->start), b = cycles_to_ps(p, last);
	char args[PF_ARGS + 64];

	/* The model's own time beside the real one: the cycles the slice spans. */
	snprintf(args, sizeof(args), "\"cycle\":%" PRIu64 ",\"end_cycle\":%" PRIu64 "%s%s", s->start, last,
	         s->args[0] ? "," : "", s->args);
	use_thread(p, cpu, tid);
	begin_event(p, "X", cpu, tid);
	put_ts(p, "ts", a);
	put_ts(p, "dur", b - a);
	end_event(p, s->name, cat, args, s->cut);
}

static void open_slice(struct pf_slice *s, uint64_t start, const char *name)
{
	s->open = true;
	s->cut = false;
	s->start = start;
	s->args[0] = 0;
	snprintf(s->name, sizeof(s->name), "%s", name);
}

/* End level L's execution slice (exit handling for the root level, guest execution otherwise). */
static void close_exec(struct pf_sink *p, uint32_t cpu, uint32_t level, uint64_t t)
{
	struct pf_cpu *c = &p->cpu[cpu];

	if (!c->exec[level].open)
		return;
	for (uint32_t i = 0; i < c->nframes[level]; i++)
		c->frame[level][i].crossed = true;
	write_slice(p, cpu, level, &c->exec[level], t, level_role(p, level));
	c->exec[level].open = false;
}

static void close_frame(struct pf_sink *p, uint32_t cpu, uint32_t level, uint64_t t)
{
	struct pf_cpu *c = &p->cpu[cpu];
	struct pf_frame *f;
	uint32_t tid;

	if (c->deep[level]) {
		c->deep[level]--;
		return;
	}
	if (!c->nframes[level])
		return;   /* an IRET without a delivery this trace saw */
	f = &c->frame[level][--c->nframes[level]];
	tid = f->in_slice && !f->crossed && c->exec[level].open ? level : PF_TID_HANDLERS + level;
	write_slice(p, cpu, tid, &f->s, t, "handler");
}

/* Tid 10 holds one slice per level; a level's slice that ends under another
 * level's is split there, so the lane nests strictly. */
static void close_nmi(struct pf_sink *p, uint32_t cpu, uint32_t level, uint64_t t)
{
	struct pf_cpu *c = &p->cpu[cpu];
	uint32_t at = c->nnmi;

	for (uint32_t i = 0; i < c->nnmi; i++)
		if (c->nmi_stack[i] == level)
			at = i;
	if (at == c->nnmi)
		return;
	for (uint32_t i = c->nnmi; i-- > at;)
		write_slice(p, cpu, PF_TID_NMI, &c->nmi[c->nmi_stack[i]], t, "blocking");
	c->nmi[level].open = false;
	for (uint32_t i = at + 1; i < c->nnmi; i++) {
		c->nmi[c->nmi_stack[i]].start = t;
		c->nmi_stack[i - 1] = c->nmi_stack[i];
	}
	c->nnmi--;
}

static void on_blocking(struct pf_sink *p, const struct trace_event *ev, uint32_t level)
{
	struct pf_cpu *c = &p->cpu[ev->cpu];
	unsigned to = sink_blocking_bits(trace_field_s(ev, "to")) & (SINK_BLK_NMI | SINK_BLK_VNMI);
	char name[PF_NAME];

	if (to && !c->nmi[level].open) {
		snprintf(name, sizeof(name), "L%" PRIu32 " %s", level,
		         to & SINK_BLK_NMI ? "blocking by NMI" : "virtual-NMI blocking");
		open_slice(&c->nmi[level], ev->cycle, name);
		c->nmi_stack[c->nnmi++] = level;
	} else if (!to && c->nmi[level].open) {
		close_nmi(p, ev->cpu, level, ev->cycle);
	}
}

static void on_soft_vnmi(struct pf_sink *p, const struct trace_event *ev)
{
	struct pf_slice *s = &p->cpu[ev->cpu].soft;
	const char *why = trace_field_s(ev, "why");

	if (trace_field_u(ev, "blocked", 0)) {
		if (s->open)
			return;
		open_slice(s, ev->cycle, "soft_vnmi_blocked");
		json_args_add_str(s->args, sizeof(s->args), &s->cut, "why", why ? why : "");
	} else if (s->open) {
		char v[32];

		json_args_add_str(s->args, sizeof(s->args), &s->cut, "unblocked_why", why ? why : "");
		if (trace_field(ev, "blocked_ns")) {
			snprintf(v, sizeof(v), "%" PRIu64, trace_field_u(ev, "blocked_ns", 0));
			json_args_add(s->args, sizeof(s->args), &s->cut, "blocked_ns", v);
		}
		write_slice(p, ev->cpu, PF_TID_SOFT, s, ev->cycle, "blocking");
		s->open = false;
	}
}

static void on_deliver(struct pf_sink *p, const struct trace_event *ev, uint32_t level)
{
	struct pf_cpu *c = &p->cpu[ev->cpu];
	const char *type = trace_field_s(ev, "type");
	struct pf_frame *f;
	char name[PF_NAME];

	if (c->nframes[level] == PF_MAX_FRAMES) {
		c->deep[level]++;
		return;
	}
	f = &c->frame[level][c->nframes[level]++];
	if (type && !strcmp(type, "nmi"))
		snprintf(name, sizeof(name), "NMI handler");
	else
		snprintf(name, sizeof(name), "%s %" PRIu64 " handler", type ? type : "event", trace_field_u(ev, "vector", 0));
	open_slice(&f->s, ev->cycle, name);
	json_args_add_fields(f->s.args, sizeof(f->s.args), &f->s.cut, ev);
	f->in_slice = c->exec[level].open;
	f->crossed = false;
}

static void on_iret(struct pf_sink *p, const struct trace_event *ev, uint32_t level)
{
	struct pf_cpu *c = &p->cpu[ev->cpu];

	if (!c->deep[level] && c->nframes[level]) {
		struct pf_slice *s = &c->frame[level][c->nframes[level] - 1].s;
		char v[40];

		snprintf(v, sizeof(v), "\"0x%" PRIx64 "\"", trace_field_u(ev, "rip", 0));
		json_args_add(s->args, sizeof(s->args), &s->cut, "iret_rip", v);
		json_args_add(s->args, sizeof(s->args), &s->cut, "nmi_unblocked",
		         trace_field_u(ev, "nmi_unblocked", 0) ? "true" : "false");
	}
	close_frame(p, ev->cpu, level, ev->cycle);
}

/* ---- instants and counters -------------------------------------------- */

static void write_instant(struct pf_sink *p, const struct trace_event *ev, uint32_t level)
{
	char args[2048] = "";
	char name[PF_NAME];
	bool cut = false;
	const char *first = NULL;
	int n;

	for (uint32_t i = 0; i < ev->nfields && !first; i++)
		if (ev->f[i].type == TF_STR)
			first = ev->f[i].s;
	n = snprintf(name, sizeof(name), "%s%s%.40s", trace_kind_name(ev->kind), first ? " " : "", first ? first : "");
	if ((ev->kind == TRACE_STIMULUS || ev->kind == TRACE_INJECT) && trace_field(ev, "vector") &&
	    !(first && !strcmp(first, "nmi")) && n > 0 && (size_t)n < sizeof(name))
		snprintf(name + n, sizeof(name) - (size_t)n, " %" PRIu64, trace_field_u(ev, "vector", 0));
	snprintf(args, sizeof(args), "\"cycle\":%" PRIu64, ev->cycle);
	json_args_add_fields(args, sizeof(args), &cut, ev);
	use_thread(p, ev->cpu, level);
	begin_event(p, "i", ev->cpu, level);
	put_ts(p, "ts", cycles_to_ps(p, ev->cycle));
	put(p, ",\"s\":\"t\"");
	end_event(p, name, trace_kind_name(ev->kind), args, cut);
}

static void write_counter(struct pf_sink *p, uint32_t cpu, uint32_t level, uint64_t cycle)
{
	struct pf_cpu *c = &p->cpu[cpu];
	char name[32], args[96];

	snprintf(name, sizeof(name), "L%" PRIu32 " pending", level);
	if (!(c->counters >> level & 1)) {
		c->counters |= 1u << level;
		begin_event(p, "C", cpu, -1);
		put_ts(p, "ts", 0);
		end_event(p, name, NULL, "\"nmi\":0,\"intr\":0", false);
	}
	snprintf(args, sizeof(args), "\"nmi\":%" PRIu32 ",\"intr\":%" PRIu32, c->pending.nmi[level],
	         c->pending.intr[level]);
	begin_event(p, "C", cpu, -1);
	put_ts(p, "ts", cycles_to_ps(p, cycle));
	end_event(p, name, NULL, args, false);
}

/* ---- the sink ---------------------------------------------------------- */

static void pf_emit(struct trace_sink *s, const struct trace_event *ev)
{
	struct pf_sink *p = (struct pf_sink *)s;
	uint32_t level = ev->level < SINK_VIEW_LEVELS ? ev->level : SINK_VIEW_LEVELS - 1;
	struct pf_cpu *c;
	unsigned changed;

	if (ev->cycle > p->end)
		p->end = ev->cycle;
	if (ev->cpu >= p->vcpus)
		return;
	c = &p->cpu[ev->cpu];
	switch (ev->kind) {
	case TRACE_VMENTRY:
		close_exec(p, ev->cpu, p->root, ev->cycle);
		if (level <= p->root)
			break;
		close_exec(p, ev->cpu, level, ev->cycle);
		open_slice(&c->exec[level], ev->cycle, "guest");
		json_args_add_fields(c->exec[level].args, sizeof(c->exec[level].args), &c->exec[level].cut, ev);
		break;
	case TRACE_VMEXIT: {
		const char *reason = trace_field_s(ev, "reason");

		close_exec(p, ev->cpu, level, ev->cycle);
		write_instant(p, ev, level);
		close_exec(p, ev->cpu, p->root, ev->cycle);
		open_slice(&c->exec[p->root], ev->cycle, reason ? reason : "vmexit");
		json_args_add_fields(c->exec[p->root].args, sizeof(c->exec[p->root].args), &c->exec[p->root].cut, ev);
		break;
	}
	case TRACE_GUEST_STOP:
		close_exec(p, ev->cpu, p->root, ev->cycle);
		write_instant(p, ev, level);
		break;
	case TRACE_DELIVER:
		on_deliver(p, ev, level);
		break;
	case TRACE_IRET:
		on_iret(p, ev, level);
		break;
	case TRACE_BLOCKING:
		on_blocking(p, ev, level);
		break;
	case TRACE_SOFT_VNMI:
		on_soft_vnmi(p, ev);
		break;
	case TRACE_END:
		break;
	default:
		write_instant(p, ev, level);
		break;
	}
	changed = sink_pending_apply(&c->pending, ev);
	for (uint32_t l = 0; l < SINK_VIEW_LEVELS; l++)
		if (changed >> l & 1)
			write_counter(p, ev->cpu, l, ev->cycle);
}

static void pf_finish(struct trace_sink *s)
{
	struct pf_sink *p = (struct pf_sink *)s;

	for (uint32_t cpu = 0; cpu < p->vcpus; cpu++) {
		struct pf_cpu *c = &p->cpu[cpu];

		for (uint32_t l = 0; l < SINK_VIEW_LEVELS; l++) {
			c->deep[l] = 0;
			while (c->nframes[l])
				close_frame(p, cpu, l, p->end);
		}
		while (c->nnmi)
			close_nmi(p, cpu, c->nmi_stack[c->nnmi - 1], p->end);
		if (c->soft.open) {
			write_slice(p, cpu, PF_TID_SOFT, &c->soft, p->end, "blocking");
			c->soft.open = false;
		}
		for (uint32_t l = SINK_VIEW_LEVELS; l-- > 0;)
			close_exec(p, cpu, l, p->end);
	}
	put(p, "\n]}\n");
	if (fflush(p->out) == EOF || ferror(p->out))
		p->base.error = true;
}

static void pf_destroy(struct trace_sink *s)
{
	struct pf_sink *p = (struct pf_sink *)s;

	if (p)
		free(p->cpu);
	free(p);
}

static void write_header(struct pf_sink *p, const struct trace_sink_context *ctx)
{
	char buf[96];

	put(p, "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"vmxsim\",\"scenario\":");
	put_str(p, ctx && ctx->scenario ? ctx->scenario : "");
	put(p, ",\"l0\":");
	put_str(p, ctx && ctx->l0 ? ctx->l0 : "");
	snprintf(buf, sizeof(buf), ",\"tsc_hz\":%" PRIu64 ",\"vcpus\":%" PRIu32 "},\"traceEvents\":[",
	         ctx ? ctx->tsc_hz : 0, p->vcpus);
	put(p, buf);
	for (uint32_t cpu = 0; cpu < p->vcpus; cpu++) {
		char args[64];

		snprintf(args, sizeof(args), "\"name\":\"vcpu%" PRIu32 "\"", cpu);
		begin_event(p, "M", cpu, 0);
		end_event(p, "process_name", NULL, args, false);
		snprintf(args, sizeof(args), "\"sort_index\":%" PRIu32, cpu);
		begin_event(p, "M", cpu, 0);
		end_event(p, "process_sort_index", NULL, args, false);
	}
}

struct trace_sink *trace_perfetto_sink_new(FILE *out, const struct trace_sink_context *ctx)
{
	struct pf_sink *p = calloc(1, sizeof(*p));

	if (!p || !out) {
		free(p);
		return NULL;
	}
	p->base.emit = pf_emit;
	p->base.finish = pf_finish;
	p->base.destroy = pf_destroy;
	p->out = out;
	p->tsc_hz = ctx ? ctx->tsc_hz : 0;
	p->vcpus = ctx && ctx->vcpus ? ctx->vcpus : 1;
	p->root = ctx && ctx->l0 && !strcmp(ctx->l0, "none") ? 1 : 0;
	p->first = true;
	p->cpu = calloc(p->vcpus, sizeof(*p->cpu));
	if (!p->cpu) {
		free(p);
		return NULL;
	}
	for (uint32_t c = 0; c < p->vcpus; c++)
		sink_pending_init(&p->cpu[c].pending);
	write_header(p, ctx);
	return &p->base;
}
