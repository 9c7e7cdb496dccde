/* SPDX-License-Identifier: Apache-2.0 */
/*
 * trace.h - the trace bus: cycle-stamped events, each a kind plus an ordered
 * list of named fields, fanned out to sinks (formatters, monitors,
 * expectation checkers) as they happen. Nothing is buffered: memory does
 * not grow with the length of a run.
 */
#ifndef VMXSIM_TRACE_H
#define VMXSIM_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

enum trace_kind {
#define TRACE_KIND(id, name, summary) TRACE_##id,
#include "model/trace/trace_kinds.def"
#undef TRACE_KIND
	TRACE_KIND_COUNT
};

enum trace_field_type {
	TF_UINT,     /* decimal */
	TF_HEX32,    /* 0x%08x */
	TF_HEX64,    /* 0x%llx */
	TF_STR,      /* a static or long-lived string */
	TF_BOOL,     /* 0/1, printed as true/false in JSONL */
};

struct trace_field {
	const char *key;
	enum trace_field_type type;
	uint64_t u;
	const char *s;
};

#define TRACE_MAX_FIELDS 12

struct trace_event {
	uint64_t cycle;
	uint32_t cpu;
	uint32_t level;          /* 0 = L0 (root), 1 = L1, 2 = L2 */
	enum trace_kind kind;
	uint32_t nfields;
	struct trace_field f[TRACE_MAX_FIELDS];
};

/* A kind's bit in a sink's `ignore` mask. */
#define TRACE_KIND_BIT(k) (1ull << (k))
#define TRACE_ALL_KINDS (TRACE_KIND_BIT(TRACE_KIND_COUNT) - 1)

struct trace_sink {
	void (*emit)(struct trace_sink *s, const struct trace_event *ev);
	void (*finish)(struct trace_sink *s);    /* may be NULL; called once at the end of the run */
	void (*destroy)(struct trace_sink *s);   /* may be NULL; frees a sink made by trace_sink_open() */
	/*
	 * Kinds whose events the sink does nothing with (TRACE_KIND_BIT of
	 * each): the bus does not call emit for them, and an event that every
	 * sink ignores need not even be built (trace_bus_begin). Most events
	 * of a run concern no monitor, so this is where the time goes when
	 * nothing writes a trace. 0, as in a zeroed sink: every kind. Set it
	 * before attaching the sink; after that only the sink's own emit may
	 * change it (the bus notices when it does).
	 */
	uint64_t ignore;
	bool error;                              /* writing failed */
	/*
	 * Bytes the writer keeps in memory until finish writes them (ftrace
	 * sorts by time, trace-dat writes its header first): a run's trace
	 * size limit counts them as written.
	 */
	uint64_t held;
};

#define TRACE_MAX_SINKS 16
#define TRACE_MAX_QUEUED 32

/*
 * Events emitted by a sink while the bus is dispatching (a monitor's
 * verdict on the event it is looking at) are queued and dispatched after
 * the current event reached every sink, so every sink sees one order.
 */
struct trace_bus {
	struct trace_sink *sink[TRACE_MAX_SINKS];
	uint32_t nsinks;
	bool dispatching;
	uint32_t nqueued;
	struct trace_event queued[TRACE_MAX_QUEUED];
	uint64_t dropped;     /* queue overflow: a bug in a sink, reported by the run */
	uint64_t horizon;     /* events after this cycle are not dispatched (the run's end) */
	/* Events dispatched, by kind, built or not (trace_bus_begin); the last for unknown kinds. */
	uint64_t count[TRACE_KIND_COUNT + 1];
	uint64_t reached;     /* events dispatched to at least one sink */
	uint64_t ignored;     /* kinds every sink ignores (the AND of their masks), if !retune */
	bool retune;          /* a sink was attached or changed its mask: recompute `ignored` */
};

void trace_bus_init(struct trace_bus *b);
bool trace_bus_attach(struct trace_bus *b, struct trace_sink *s);
void trace_bus_emit(struct trace_bus *b, const struct trace_event *ev);
/*
 * An emitter asks before it builds an event of kind k at `cycle`: true if
 * it must build it and call trace_bus_emit. False if emitting it would have
 * no effect on any sink - it lies past the horizon, or every sink ignores
 * its kind; the bus has then counted it as dispatched. Skipping such an
 * event changes nothing a sink or a count sees.
 */
bool trace_bus_begin(struct trace_bus *b, enum trace_kind k, uint64_t cycle);
/*
 * Events some sink received so far: what no sink took (every one ignored
 * its kind) changed no sink's state.
 */
uint64_t trace_bus_reached(const struct trace_bus *b);
/* Events dispatched so far, of every kind. */
uint64_t trace_bus_events(const struct trace_bus *b);
void trace_bus_finish(struct trace_bus *b);

const char *trace_kind_name(enum trace_kind k);
/* Kind by name; -1 if unknown. */
int trace_kind_lookup(const char *name);

/*
 * Building an event: inline, because the model builds one at nearly every
 * step and a call per field cost more than the field.
 */
static inline void trace_event_init(struct trace_event *ev, uint64_t cycle, uint32_t cpu, uint32_t level,
                                    enum trace_kind k)
{
	ev->cycle = cycle;
	ev->cpu = cpu;
	ev->level = level;
	ev->kind = k;
	ev->nfields = 0;
}

static inline void trace_add_field(struct trace_event *ev, const char *key, enum trace_field_type t, uint64_t u,
                                   const char *s)
{
	struct trace_field *f;

	if (ev->nfields >= TRACE_MAX_FIELDS)
		return;    /* the kinds never need more; a bug would show as a missing field in goldens */
	f = &ev->f[ev->nfields];
	f->key = key;
	f->type = t;
	f->u = u;
	f->s = s;
	ev->nfields++;
}

static inline void trace_add_uint(struct trace_event *ev, const char *key, uint64_t v)
{
	trace_add_field(ev, key, TF_UINT, v, NULL);
}

static inline void trace_add_hex32(struct trace_event *ev, const char *key, uint32_t v)
{
	trace_add_field(ev, key, TF_HEX32, v, NULL);
}

static inline void trace_add_hex64(struct trace_event *ev, const char *key, uint64_t v)
{
	trace_add_field(ev, key, TF_HEX64, v, NULL);
}

static inline void trace_add_str(struct trace_event *ev, const char *key, const char *s)
{
	trace_add_field(ev, key, TF_STR, 0, s ? s : "");
}

static inline void trace_add_bool(struct trace_event *ev, const char *key, bool b)
{
	trace_add_field(ev, key, TF_BOOL, b, NULL);
}

/* Field by key, or NULL. */
const struct trace_field *trace_field(const struct trace_event *ev, const char *key);
/* A number (or boolean) field's value; dflt when the field is absent or a string. */
uint64_t trace_field_u(const struct trace_event *ev, const char *key, uint64_t dflt);
/* A string field's value; NULL when the field is absent or not a string. */
const char *trace_field_s(const struct trace_event *ev, const char *key);
/* The field is a string equal to value. */
bool trace_field_is(const struct trace_event *ev, const char *key, const char *value);

/* Formatting: one line (with '\n') into buf; returns the length (truncates safely). */
int trace_format_text(const struct trace_event *ev, char *buf, size_t size);
int trace_format_jsonl(const struct trace_event *ev, char *buf, size_t size);

enum trace_format {
	TRACE_FORMAT_TEXT,      /* the golden format */
	TRACE_FORMAT_JSONL,     /* the same events as JSON lines */
	TRACE_FORMAT_VCD,       /* value change dump for waveform viewers */
	TRACE_FORMAT_PERFETTO,  /* Chrome / Perfetto trace-event JSON */
	TRACE_FORMAT_FTRACE,    /* what trace-cmd report prints for the trace-dat file of the run */
	TRACE_FORMAT_TRACE_DAT, /* a trace-cmd data file (trace.dat, version 6, sink_tracedat.c) */
	TRACE_FORMAT_FTRACE_NS, /* ftrace with nanosecond time stamps, as trace-cmd report -t prints them */
	TRACE_FORMAT_TRACE_DAT7, /* the trace-dat file as version 7 (sections, an options section) */
	TRACE_FORMAT_COUNT
};

/* What format writers may want to know about the run. */
struct trace_sink_context {
	uint64_t tsc_hz;        /* to turn cycles into seconds */
	const char *l0;         /* L0 variant name (ftrace picks the era's formats) */
	uint32_t vcpus;
	const char *scenario;   /* file name, for headers */
	bool time_ns;           /* ftrace: nanosecond time stamps (trace-cmd report -t) */
};

/* "text", "jsonl", "vcd", "perfetto", "ftrace", "trace-dat", "ftrace-ns",
 * "trace-dat7"; and back (-1 if unknown). */
const char *trace_format_name(enum trace_format f);
int trace_format_lookup(const char *name);

/*
 * A writer for `format` on `out`; NULL if this build has none for it.
 * trace_sink_close() frees it (after the bus has finished).
 */
struct trace_sink *trace_sink_open(enum trace_format format, FILE *out, const struct trace_sink_context *ctx);
void trace_sink_close(struct trace_sink *s);

/* Constructors of the writers in their own files (sink_*.c). */
struct trace_sink *trace_vcd_sink_new(FILE *out, const struct trace_sink_context *ctx);
struct trace_sink *trace_perfetto_sink_new(FILE *out, const struct trace_sink_context *ctx);
struct trace_sink *trace_ftrace_sink_new(FILE *out, const struct trace_sink_context *ctx);
struct trace_sink *trace_tracedat_sink_new(FILE *out, const struct trace_sink_context *ctx);
struct trace_sink *trace_tracedat7_sink_new(FILE *out, const struct trace_sink_context *ctx);

/* A sink that writes one line per event to a stdio stream. */
struct trace_file_sink {
	struct trace_sink base;
	FILE *out;
	enum trace_format format;
	uint64_t lines;
};

void trace_file_sink_init(struct trace_file_sink *s, FILE *out, enum trace_format format);

#ifdef __cplusplus
}
#endif
#endif
