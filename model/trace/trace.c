/* SPDX-License-Identifier: Apache-2.0 */
/*
 * trace.c - the trace bus, event building, and the two line formats.
 *
 * text:  "       12345 cpu0 L1 vmexit       reason=NMI_WINDOW qual=0x0 ..."
 *        stable columns, one event per line, the golden format.
 * jsonl: {"cycle":12345,"cpu":0,"level":1,"event":"vmexit","reason":"NMI_WINDOW",...}
 *        the same fields; hex values as strings so they stay exact.
 */
#include "model/trace/trace.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[TRACE_KIND_COUNT] = {
#define TRACE_KIND(id, name, summary) name,
#include "model/trace/trace_kinds.def"
#undef TRACE_KIND
};

void trace_bus_init(struct trace_bus *b)
{
	memset(b, 0, sizeof(*b));
	b->horizon = UINT64_MAX;
	b->retune = true;
}

bool trace_bus_attach(struct trace_bus *b, struct trace_sink *s)
{
	if (b->nsinks >= TRACE_MAX_SINKS)
		return false;
	b->sink[b->nsinks++] = s;
	b->retune = true;
	return true;
}

/* A sink's ignore mask has one bit per kind, and TRACE_ALL_KINDS one more. */
_Static_assert(TRACE_KIND_COUNT < 64, "trace kinds must fit an ignore mask");

/* The kind's bit; 0 for a kind out of range, which every sink then sees. */
static uint64_t kind_bit(enum trace_kind k)
{
	return (unsigned)k < TRACE_KIND_COUNT ? TRACE_KIND_BIT(k) : 0;
}

static void dispatch(struct trace_bus *b, const struct trace_event *ev)
{
	const uint64_t bit = kind_bit(ev->kind);

	b->count[bit ? ev->kind : TRACE_KIND_COUNT]++;
	for (uint32_t i = 0, reached = 0; i < b->nsinks; i++) {
		struct trace_sink *s = b->sink[i];
		const uint64_t before = s->ignore;
		if (before & bit)
			continue;
		if (!reached++)
			b->reached++;
		s->emit(s, ev);
		if (s->ignore != before)
			b->retune = true;
	}
}

bool trace_bus_begin(struct trace_bus *b, enum trace_kind k, uint64_t cycle)
{
	const uint64_t bit = kind_bit(k);

	if (cycle > b->horizon)
		return false;
	/* While dispatching, an event queues (or is dropped): leave that to trace_bus_emit. */
	if (b->dispatching || !bit)
		return true;
	if (b->retune) {
		b->ignored = TRACE_ALL_KINDS;
		for (uint32_t i = 0; i < b->nsinks; i++)
			b->ignored &= b->sink[i]->ignore;
		b->retune = false;
	}
	if (!(b->ignored & bit))
		return true;
	b->count[k]++;
	return false;
}

uint64_t trace_bus_reached(const struct trace_bus *b)
{
	return b->reached;
}

uint64_t trace_bus_events(const struct trace_bus *b)
{
	uint64_t n = 0;
	for (uint32_t k = 0; k <= TRACE_KIND_COUNT; k++)
		n += b->count[k];
	return n;
}

void trace_bus_emit(struct trace_bus *b, const struct trace_event *ev)
{
	if (ev->cycle > b->horizon)
		return;
	if (b->dispatching) {
		if (b->nqueued < TRACE_MAX_QUEUED)
			b->queued[b->nqueued++] = *ev;
		else
			b->dropped++;
		return;
	}
	b->dispatching = true;
	dispatch(b, ev);
	for (uint32_t i = 0; i < b->nqueued; i++) {
		struct trace_event q = b->queued[i];
		dispatch(b, &q);
	}
	b->nqueued = 0;
	b->dispatching = false;
}

void trace_bus_finish(struct trace_bus *b)
{
	for (uint32_t i = 0; i < b->nsinks; i++)
		if (b->sink[i]->finish)
			b->sink[i]->finish(b->sink[i]);
}

const char *trace_kind_name(enum trace_kind k)
{
	return (unsigned)k < TRACE_KIND_COUNT ? kind_names[k] : "?";
}

int trace_kind_lookup(const char *name)
{
	for (int i = 0; i < TRACE_KIND_COUNT; i++)
		if (!strcmp(kind_names[i], name))
			return i;
	return -1;
}

const struct trace_field *trace_field(const struct trace_event *ev, const char *key)
{
	for (uint32_t i = 0; i < ev->nfields; i++)
		/* The same literal, usually; else the first letter tells most keys apart before strcmp. */
		if (ev->f[i].key == key || (ev->f[i].key[0] == key[0] && !strcmp(ev->f[i].key, key)))
			return &ev->f[i];
	return NULL;
}

uint64_t trace_field_u(const struct trace_event *ev, const char *key, uint64_t dflt)
{
	const struct trace_field *f = trace_field(ev, key);
	return f && f->type != TF_STR ? f->u : dflt;
}

const char *trace_field_s(const struct trace_event *ev, const char *key)
{
	const struct trace_field *f = trace_field(ev, key);
	return f && f->type == TF_STR ? f->s : NULL;
}

bool trace_field_is(const struct trace_event *ev, const char *key, const char *value)
{
	const char *s = trace_field_s(ev, key);
	/* As for keys: the same literal, usually (the monitors ask of every event); else the first letter. */
	return s && (s == value || (s[0] == value[0] && !strcmp(s, value)));
}

/* A bounded appender: never writes past size, always NUL-terminates. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len < o->size) {
		size_t room = o->size - o->len - 1;
		memcpy(o->buf + o->len, s, n < room ? n : room);
		o->buf[o->len + (n < room ? n : room)] = '\0';
	}
	o->len += n;
}

static void puts_(struct out *o, const char *s) { put(o, s, strlen(s)); }

static void putf_u(struct out *o, const char *fmt, uint64_t v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), fmt, v);
	put(o, tmp, n > 0 ? (size_t)n : 0);
}

static bool needs_quotes(const char *s)
{
	if (!*s)
		return true;
	for (; *s; s++)
		if (*s == ' ' || *s == '"' || *s == '=' || (unsigned char)*s < 0x20)
			return true;    /* control characters are escaped so an event stays one line */
	return false;
}

static void put_json_string(struct out *o, const char *s)
{
	puts_(o, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			put(o, e, 2);
		} else if (c < 0x20) {
			putf_u(o, "\\u%04" PRIx64, c);
		} else {
			put(o, s, 1);
		}
	}
	puts_(o, "\"");
}

static void put_value(struct out *o, const struct trace_field *f, bool json)
{
	switch (f->type) {
	case TF_UINT:
		putf_u(o, "%" PRIu64, f->u);
		break;
	case TF_HEX32:
		if (json)
			puts_(o, "\"");
		putf_u(o, "0x%08" PRIx64, f->u);
		if (json)
			puts_(o, "\"");
		break;
	case TF_HEX64:
		if (json)
			puts_(o, "\"");
		putf_u(o, "0x%" PRIx64, f->u);
		if (json)
			puts_(o, "\"");
		break;
	case TF_BOOL:
		puts_(o, json ? (f->u ? "true" : "false") : (f->u ? "1" : "0"));
		break;
	case TF_STR:
		if (json || needs_quotes(f->s))
			put_json_string(o, f->s);
		else
			puts_(o, f->s);
		break;
	}
}

int trace_format_text(const struct trace_event *ev, char *buf, size_t size)
{
	struct out o = {buf, size, 0};
	char head[96];
	/*
	 * The kind column is padded only when fields follow: trailing blanks
	 * would make diffs noisy, and a truncated line stays a prefix of the
	 * whole one (with the length of the whole one returned).
	 */
	int n = snprintf(head, sizeof(head), "%12" PRIu64 " cpu%" PRIu32 " L%" PRIu32 " %-*s", ev->cycle, ev->cpu,
	                 ev->level, ev->nfields ? 13 : 0, trace_kind_name(ev->kind));

	if (size)
		buf[0] = '\0';
	put(&o, head, n > 0 ? (size_t)n : 0);
	for (uint32_t i = 0; i < ev->nfields; i++) {
		puts_(&o, " ");
		puts_(&o, ev->f[i].key);
		puts_(&o, "=");
		put_value(&o, &ev->f[i], false);
	}
	puts_(&o, "\n");
	return (int)o.len;
}

int trace_format_jsonl(const struct trace_event *ev, char *buf, size_t size)
{
	struct out o = {buf, size, 0};

	if (size)
		buf[0] = '\0';
	putf_u(&o, "{\"cycle\":%" PRIu64, ev->cycle);
	putf_u(&o, ",\"cpu\":%" PRIu64, ev->cpu);
	putf_u(&o, ",\"level\":%" PRIu64, ev->level);
	puts_(&o, ",\"event\":\"");
	puts_(&o, trace_kind_name(ev->kind));
	puts_(&o, "\"");
	for (uint32_t i = 0; i < ev->nfields; i++) {
		puts_(&o, ",");
		put_json_string(&o, ev->f[i].key);
		puts_(&o, ":");
		put_value(&o, &ev->f[i], true);
	}
	puts_(&o, "}\n");
	return (int)o.len;
}

static int format_line(enum trace_format f, const struct trace_event *ev, char *buf, size_t size)
{
	return f == TRACE_FORMAT_JSONL ? trace_format_jsonl(ev, buf, size) : trace_format_text(ev, buf, size);
}

static void file_emit(struct trace_sink *base, const struct trace_event *ev)
{
	struct trace_file_sink *s = (struct trace_file_sink *)base;
	char line[1024], *p = line;
	int n = format_line(s->format, ev, line, sizeof(line));
	size_t len = n > 0 ? (size_t)n : 0;

	/* A line longer than the buffer is written whole, never cut (it would lose its newline). */
	if (len >= sizeof(line)) {
		p = malloc(len + 1);
		if (!p || format_line(s->format, ev, p, len + 1) != n) {
			free(p);
			s->base.error = true;
			return;
		}
	}
	if (fwrite(p, 1, len, s->out) != len)
		s->base.error = true;
	if (p != line)
		free(p);
	s->lines++;
}

static void file_finish(struct trace_sink *base)
{
	struct trace_file_sink *s = (struct trace_file_sink *)base;
	if (fflush(s->out) != 0)
		s->base.error = true;
}

void trace_file_sink_init(struct trace_file_sink *s, FILE *out, enum trace_format format)
{
	memset(s, 0, sizeof(*s));
	s->base.emit = file_emit;
	s->base.finish = file_finish;
	s->out = out;
	s->format = format;
}
