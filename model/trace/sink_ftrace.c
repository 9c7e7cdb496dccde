/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink_ftrace.c - `--format ftrace`: the text `trace-cmd report` prints for
 * the trace.dat of the same run (`--format trace-dat`), line for line, so
 * that scripts and habits built on real KVM traces carry over:
 *
 *   cpus=1
 *             vmxsim-1000  [000]     0.000001: kvm_exit:             reason NMI_WINDOW rip 0x1000 info 0 0
 *
 * comm-pid (1000 + vCPU), [vCPU], the time in seconds at the TSC frequency
 * (microseconds, or nanoseconds for `ftrace-ns` as `trace-cmd report -t`
 * prints them), the event and its text. kvm_tp_map.c decides which
 * tracepoint records an event is, in the formats of the L0 variant's era;
 * kvm_tp_print.c prints them. trace-cmd sorts the CPU buffers' events by
 * time: so does this writer, which keeps each vCPU's lines until the end.
 * The mapping is documented in docs/trace-format.md ("The ftrace format").
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "model/trace/kvm_tp.h"
#include "model/trace/sink_view.h"
#include "model/trace/trace.h"

#define FTRACE_COMM "vmxsim"
#define FTRACE_PID_BASE 1000u
#define FTRACE_NAME_COLUMN 20   /* trace-cmd pads "name: " up to this name length */

struct line {
	uint64_t ts;     /* nanoseconds */
	size_t off;      /* in the vCPU's text */
};

struct cpu_lines {
	char *text;
	size_t len, cap;
	struct line *line;
	size_t n, cap_lines, next;
	uint64_t last_ts;
};

struct ftrace_sink {
	struct trace_sink base;
	FILE *out;
	uint64_t tsc_hz;
	bool time_ns;
	uint32_t ncpus;
	struct cpu_lines *cpu;
	struct kvm_tp_state st;
};

static bool keep(struct ftrace_sink *s, uint32_t cpu, uint64_t ts, const char *text, size_t len)
{
	struct cpu_lines *c = &s->cpu[cpu];

	if (c->n == c->cap_lines) {
		size_t cap = c->cap_lines ? 2 * c->cap_lines : 256;
		struct line *l = realloc(c->line, cap * sizeof(*l));
		if (!l)
			return false;
		c->line = l;
		c->cap_lines = cap;
	}
	if (c->len + len + 1 > c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16384;
		while (cap < c->len + len + 1)
			cap *= 2;
		char *t = realloc(c->text, cap);
		if (!t)
			return false;
		c->text = t;
		c->cap = cap;
	}
	memcpy(c->text + c->len, text, len + 1);
	c->line[c->n].ts = ts;
	c->line[c->n].off = c->len;
	c->n++;
	c->len += len + 1;
	s->base.held += len + 1;
	return true;
}

/*
 * "          vmxsim-1000  [000]     0.000001: kvm_exit:             " - the
 * columns of trace-cmd report: comm-pid, [cpu], the time, and the event
 * name followed by ": ", padded as if the name had 20 characters.
 */
static int head(const struct ftrace_sink *s, uint32_t cpu, uint64_t ts, const char *name, char *buf, size_t size)
{
	size_t len = strlen(name);
	int pad = len < FTRACE_NAME_COLUMN ? (int)(FTRACE_NAME_COLUMN - len) : 0;
	char when[48];

	if (s->time_ns)
		snprintf(when, sizeof(when), "%5" PRIu64 ".%09" PRIu64, ts / 1000000000u, ts % 1000000000u);
	else
		/* Rounded to the microsecond, as libtraceevent prints it. */
		snprintf(when, sizeof(when), "%5" PRIu64 ".%06" PRIu64, (ts + 500) / 1000 / 1000000u,
		         (ts + 500) / 1000 % 1000000u);
	return snprintf(buf, size, "%16s-%-5" PRIu64 " [%03" PRIu32 "] %s: %s: %*s", FTRACE_COMM,
	                FTRACE_PID_BASE + (uint64_t)cpu, cpu, when, name, pad, "");
}

static void ftrace_emit(struct trace_sink *base, const struct trace_event *ev)
{
	struct ftrace_sink *s = (struct ftrace_sink *)base;
	struct kvm_tp_rec recs[KVM_TP_MAX_RECS];
	unsigned n = kvm_tp_records(&s->st, ev, recs);
	uint32_t cpu = ev->cpu < s->ncpus ? ev->cpu : s->ncpus - 1;
	uint64_t ts = sink_cycles_to_ns(ev->cycle, s->tsc_hz);
	char line[1024];

	/* As the trace.dat writer: a vCPU's time does not go backwards. */
	if (s->cpu[cpu].n && ts < s->cpu[cpu].last_ts)
		ts = s->cpu[cpu].last_ts;
	s->cpu[cpu].last_ts = ts;
	for (unsigned i = 0; i < n; i++) {
		int h = head(s, cpu, ts, kvm_tp_name(recs[i].tp), line, sizeof(line));
		size_t len = (size_t)h < sizeof(line) ? (size_t)h : sizeof(line) - 1;
		len += (size_t)kvm_tp_print(&recs[i], s->st.era, line + len, sizeof(line) - len);
		if (!keep(s, cpu, ts, line, len))
			s->base.error = true;
	}
}

/* The lines of every vCPU by time; at the same time, the lower vCPU's first (trace-cmd's merge). */
static void ftrace_finish(struct trace_sink *base)
{
	struct ftrace_sink *s = (struct ftrace_sink *)base;

	if (fprintf(s->out, "cpus=%" PRIu32 "\n", s->ncpus) < 0)
		s->base.error = true;
	for (;;) {
		struct cpu_lines *best = NULL;
		for (uint32_t c = 0; c < s->ncpus; c++) {
			struct cpu_lines *l = &s->cpu[c];
			if (l->next < l->n && (!best || l->line[l->next].ts < best->line[best->next].ts))
				best = l;
		}
		if (!best)
			break;
		if (fprintf(s->out, "%s\n", best->text + best->line[best->next].off) < 0)
			s->base.error = true;
		best->next++;
	}
	if (fflush(s->out) != 0)
		s->base.error = true;
}

static void ftrace_destroy(struct trace_sink *base)
{
	struct ftrace_sink *s = (struct ftrace_sink *)base;

	for (uint32_t c = 0; c < s->ncpus; c++) {
		free(s->cpu[c].text);
		free(s->cpu[c].line);
	}
	free(s->cpu);
	kvm_tp_state_free(&s->st);
	free(s);
}

struct trace_sink *trace_ftrace_sink_new(FILE *out, const struct trace_sink_context *ctx)
{
	struct ftrace_sink *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->out = out;
	s->tsc_hz = ctx ? ctx->tsc_hz : 0;
	s->time_ns = ctx && ctx->time_ns;
	s->ncpus = ctx && ctx->vcpus ? ctx->vcpus : 1;
	s->cpu = calloc(s->ncpus, sizeof(*s->cpu));
	if (!s->cpu || !kvm_tp_state_init(&s->st, ctx ? ctx->l0 : NULL, s->ncpus)) {
		free(s->cpu);
		free(s);
		return NULL;
	}
	s->base.emit = ftrace_emit;
	s->base.finish = ftrace_finish;
	s->base.destroy = ftrace_destroy;
	return &s->base;
}
