/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink_tracedat.c - `--format trace-dat`: a trace-cmd data file, version 6
 * (trace-cmd.dat.v6(5)), that `trace-cmd report` and KernelShark open; and
 * what version 7 (sink_tracedat7.c) shares with it (tracedat.h).
 *
 *   header   magic, "6", little endian, 8-byte longs, 4 KiB pages; the
 *            ring buffer's header_page and header_event descriptions;
 *            no ftrace formats; two event systems, `kvm` and `vmxsim`
 *            (kvm_tp.c writes their format files); no kallsyms or
 *            printk formats; the cmdlines "1000+vCPU vmxsim"
 *   CPU data one buffer per vCPU: ring-buffer pages, each a 16-byte
 *            header (time stamp, bytes committed) and events of a 4-byte
 *            header (type_len:5, time_delta:27) and their bytes
 *
 * Time stamps are nanoseconds at the CPU model's TSC frequency. The
 * records are those of kvm_tp_records(), the same as `--format ftrace`
 * prints. The file is built in memory (a few tens of bytes per event) and
 * written at the end of the run, since its header gives each CPU buffer's
 * offset and size.
 */
#include <stdlib.h>
#include <string.h>

#include "model/trace/sink_view.h"
#include "model/trace/tracedat.h"

#define PAGE_HEADER 16u                     /* u64 timestamp, u64 commit */
#define PAGE_DATA (TRACEDAT_PAGE_SIZE - PAGE_HEADER)
#define TYPE_TIME_EXTEND 30u
#define TYPE_DATA_MAX 28u                   /* type_len 1..28: the data is 4 * type_len bytes */
#define DELTA_BITS 27u
#define PID_BASE 1000u

static bool tracedat_grow(struct tracedat_buf *b, size_t more)
{
	size_t cap;
	uint8_t *p;

	if (b->oom)
		return false;
	if (b->len + more <= b->cap)
		return true;
	cap = b->cap ? b->cap : 4 * TRACEDAT_PAGE_SIZE;
	while (cap < b->len + more)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

static void le(uint8_t *p, uint64_t v, unsigned size)
{
	for (unsigned i = 0; i < size; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void tracedat_add(struct tracedat_buf *b, const void *p, size_t n)
{
	if (n && tracedat_grow(b, n)) {
		memcpy(b->p + b->len, p, n);
		b->len += n;
	}
}

void tracedat_add_u(struct tracedat_buf *b, uint64_t v, unsigned size)
{
	uint8_t bytes[8];

	le(bytes, v, size);
	tracedat_add(b, bytes, size);
}

static void tracedat_buf_free(struct tracedat_buf *b)
{
	free(b->p);
	*b = (struct tracedat_buf){0};
}

static uint64_t commit_of(const struct tracedat_cpu *c)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)c->pages.p[c->page + 8 + i] << (8 * i);
	return v;
}

/* Starts a new page in c, stamped ts. */
static bool new_page(struct tracedat_sink *s, struct tracedat_cpu *c, uint64_t ts)
{
	if (!tracedat_grow(&c->pages, TRACEDAT_PAGE_SIZE))
		return false;
	c->page = c->pages.len;
	memset(c->pages.p + c->page, 0, TRACEDAT_PAGE_SIZE);
	c->pages.len += TRACEDAT_PAGE_SIZE;
	s->base.held += TRACEDAT_PAGE_SIZE;
	le(c->pages.p + c->page, ts, 8);
	c->open = true;
	c->last_ts = ts;
	return true;
}

static void write_record(struct tracedat_sink *s, uint32_t cpu, uint64_t ts, const struct kvm_tp_rec *r)
{
	struct tracedat_cpu *c = &s->cpu[cpu];
	size_t len = (kvm_tp_size(r) + 3) & ~(size_t)3;
	size_t body = len <= TYPE_DATA_MAX * 4 ? len : len + 4;   /* a long event carries its length */
	uint64_t delta = c->open ? ts - c->last_ts : 0;
	bool extend = delta >> DELTA_BITS != 0;
	uint64_t used = c->open ? commit_of(c) : 0;
	uint8_t *p;

	if (!c->open || used + 4 + body + (extend ? 8 : 0) > PAGE_DATA) {
		/* A new page, whose own time stamp is this event's. */
		if (!new_page(s, c, ts))
			return;
		used = 0;
		delta = 0;
		extend = false;
	}
	p = c->pages.p + c->page + PAGE_HEADER + used;
	le(c->pages.p + c->page + 8, used + 4 + body + (extend ? 8 : 0), 8);
	if (extend) {
		le(p, TYPE_TIME_EXTEND | (delta & ((1u << DELTA_BITS) - 1)) << 5, 4);
		le(p + 4, delta >> DELTA_BITS, 4);
		p += 8;
		delta = 0;
	}
	if (len <= TYPE_DATA_MAX * 4) {
		le(p, (len / 4) | delta << 5, 4);
		p += 4;
	} else {
		le(p, delta << 5, 4);
		le(p + 4, len + 4, 4);
		p += 8;
	}
	memset(p, 0, len);
	kvm_tp_encode(r, (uint16_t)(r->tp + 1), (int32_t)(PID_BASE + cpu), p);
	c->last_ts = ts;
}

static void tracedat_emit(struct trace_sink *base, const struct trace_event *ev)
{
	struct tracedat_sink *s = (struct tracedat_sink *)base;
	struct kvm_tp_rec recs[KVM_TP_MAX_RECS];
	unsigned n = kvm_tp_records(&s->st, ev, recs);
	uint32_t cpu = ev->cpu < s->ncpus ? ev->cpu : s->ncpus - 1;
	uint64_t ts = sink_cycles_to_ns(ev->cycle, s->tsc_hz);

	/* A CPU buffer's time does not go backwards (an event queued behind a later one). */
	if (s->cpu[cpu].open && ts < s->cpu[cpu].last_ts)
		ts = s->cpu[cpu].last_ts;
	for (unsigned i = 0; i < n; i++)
		write_record(s, cpu, ts, &recs[i]);
}

/* ---- the blocks both versions write ---- */

/* A string after its size (4 or 8 bytes); the NUL is not counted. */
static void add_sized(struct tracedat_buf *b, const char *text, unsigned size_bytes)
{
	size_t n = strlen(text);

	tracedat_add_u(b, n, size_bytes);
	tracedat_add(b, text, n);
}

static const char header_page[] =
    "\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n"
    "\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n"
    "\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n"
    "\tfield: char data;\toffset:16;\tsize:4080;\tsigned:1;\n";

static const char header_event[] =
    "# compressed entry header\n"
    "\ttype_len    :    5 bits\n"
    "\ttime_delta  :   27 bits\n"
    "\tarray       :   32 bits\n"
    "\n"
    "\tpadding     : type == 29\n"
    "\ttime_extend : type == 30\n"
    "\ttime_stamp : type == 31\n"
    "\tdata max type_len  == 28\n";

void tracedat_add_magic(struct tracedat_buf *b, char version)
{
	const uint8_t magic[] = {0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g', (uint8_t)version, 0, 0, 8};

	tracedat_add(b, magic, sizeof(magic));
	tracedat_add_u(b, TRACEDAT_PAGE_SIZE, 4);
}

void tracedat_add_header_info(struct tracedat_buf *b)
{
	tracedat_add(b, "header_page", 12);
	add_sized(b, header_page, 8);
	tracedat_add(b, "header_event", 13);
	add_sized(b, header_event, 8);
}

static void add_system(struct tracedat_sink *s, struct tracedat_buf *b, const char *name, enum kvm_tp first,
                       enum kvm_tp end)
{
	tracedat_add(b, name, strlen(name) + 1);
	tracedat_add_u(b, (uint64_t)(end - first), 4);
	for (enum kvm_tp tp = first; tp < end; tp++) {
		char *fmt = kvm_tp_format_file(tp, s->st.era, (uint16_t)(tp + 1));
		if (!fmt) {
			b->oom = true;
			return;
		}
		add_sized(b, fmt, 8);
		free(fmt);
	}
}

void tracedat_add_event_systems(struct tracedat_sink *s, struct tracedat_buf *b)
{
	tracedat_add_u(b, 2, 4);
	add_system(s, b, "kvm", 0, KVM_TP_KVM_COUNT);
	add_system(s, b, "vmxsim", KVM_TP_VMXSIM, KVM_TP_COUNT);
}

void tracedat_add_cmdlines(struct tracedat_sink *s, struct tracedat_buf *b)
{
	char line[64];
	size_t total = 0;

	for (uint32_t c = 0; c < s->ncpus; c++)
		total += (size_t)snprintf(line, sizeof(line), "%u vmxsim\n", PID_BASE + c);
	tracedat_add_u(b, total, 8);
	for (uint32_t c = 0; c < s->ncpus; c++)
		tracedat_add(b, line, (size_t)snprintf(line, sizeof(line), "%u vmxsim\n", PID_BASE + c));
}

static bool pages_oom(const struct tracedat_sink *s)
{
	for (uint32_t c = 0; c < s->ncpus; c++)
		if (s->cpu[c].pages.oom)
			return true;
	return false;
}

/* Writes n bytes to the file (counting s->written); false once writing failed. */
static bool tracedat_write(struct tracedat_sink *s, const void *p, size_t n)
{
	if (n && !s->base.error && fwrite(p, 1, n, s->out) != n)
		s->base.error = true;
	s->written += n;
	return !s->base.error;
}

void tracedat_write_file(struct tracedat_sink *s, struct tracedat_buf *head)
{
	static const uint8_t zeros[TRACEDAT_PAGE_SIZE];

	if (head->oom || pages_oom(s))
		s->base.error = true;
	else
		tracedat_write(s, head->p, head->len);
	tracedat_buf_free(head);
	if (s->base.error)
		return;
	if (s->written % TRACEDAT_PAGE_SIZE)
		tracedat_write(s, zeros, TRACEDAT_PAGE_SIZE - s->written % TRACEDAT_PAGE_SIZE);
	for (uint32_t c = 0; c < s->ncpus; c++)
		tracedat_write(s, s->cpu[c].pages.p, s->cpu[c].pages.len);
	if (fflush(s->out) != 0)
		s->base.error = true;
}

/* ---- version 6: the blocks one after another, then the CPU data ---- */

static void tracedat6_finish(struct trace_sink *base)
{
	struct tracedat_sink *s = (struct tracedat_sink *)base;
	struct tracedat_buf h = {0};
	uint64_t at;

	tracedat_add_magic(&h, '6');
	tracedat_add_header_info(&h);
	tracedat_add_u(&h, 0, 4);                 /* ftrace formats */
	tracedat_add_event_systems(s, &h);
	tracedat_add_u(&h, 0, 4);                 /* kallsyms */
	tracedat_add_u(&h, 0, 4);                 /* printk formats */
	tracedat_add_cmdlines(s, &h);
	tracedat_add_u(&h, s->ncpus, 4);
	tracedat_add(&h, "flyrecord", 10);
	/* Where the data starts: after the CPU table, on a page boundary. */
	at = (h.len + 16u * s->ncpus + TRACEDAT_PAGE_SIZE - 1) / TRACEDAT_PAGE_SIZE * TRACEDAT_PAGE_SIZE;
	for (uint32_t c = 0; c < s->ncpus; c++) {
		tracedat_add_u(&h, at, 8);
		tracedat_add_u(&h, s->cpu[c].pages.len, 8);
		at += s->cpu[c].pages.len;
	}
	tracedat_write_file(s, &h);
}

static void tracedat_destroy(struct trace_sink *base)
{
	struct tracedat_sink *s = (struct tracedat_sink *)base;

	for (uint32_t c = 0; c < s->ncpus; c++)
		free(s->cpu[c].pages.p);
	free(s->cpu);
	kvm_tp_state_free(&s->st);
	free(s);
}

struct trace_sink *tracedat_sink_new(FILE *out, const struct trace_sink_context *ctx,
                                     void (*finish)(struct trace_sink *))
{
	struct tracedat_sink *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->out = out;
	s->tsc_hz = ctx ? ctx->tsc_hz : 0;
	s->ncpus = ctx && ctx->vcpus ? ctx->vcpus : 1;
	s->cpu = calloc(s->ncpus, sizeof(*s->cpu));
	if (!s->cpu || !kvm_tp_state_init(&s->st, ctx ? ctx->l0 : NULL, s->ncpus)) {
		free(s->cpu);
		free(s);
		return NULL;
	}
	s->base.emit = tracedat_emit;
	s->base.finish = finish;
	s->base.destroy = tracedat_destroy;
	return &s->base;
}

struct trace_sink *trace_tracedat_sink_new(FILE *out, const struct trace_sink_context *ctx)
{
	return tracedat_sink_new(out, ctx, tracedat6_finish);
}
