/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink_tracedat7.c - `--format trace-dat7`: the same trace-cmd data file as
 * `trace-dat` (sink_tracedat.c, whose events, pages and metadata blocks it
 * shares through tracedat.h), laid out as version 7 (trace-cmd.dat.v7(5)):
 *
 *   magic, "7", little endian, 8-byte longs, 4 KiB pages; compression
 *   "none" (v7 allows compressing sections; vmxsim does not); the offset of
 *   the options section; then sections, each a 16-byte header (id, flags,
 *   description as an offset into the strings section, size):
 *
 *     16 header info     header_page and header_event
 *     17 ftrace events   none
 *     18 event formats   the `kvm` and `vmxsim` systems
 *     19 kallsyms        empty
 *     20 printk formats  empty
 *     21 cmdlines        "1000+vCPU vmxsim"
 *      0 options         where sections 16..21 are, the CPU count, the
 *                        BUFFER of the top instance (clock "local", and each
 *                        CPU's offset and size), DONE (no further options)
 *     15 strings         the sections' descriptions
 *      3 flyrecord       zeros to a page boundary, then the CPU pages
 *
 * The order is the one `trace-cmd convert --file-version 7` writes the
 * metadata in; readers find the sections through the options, the strings
 * by walking the sections' sizes. Everything before the CPU data is built
 * in memory so the offsets need no seekable stream (`-o -` works).
 */
#include <string.h>

#include "model/trace/tracedat.h"

#define SECTION_HEADER 16u /* u16 id, u16 flags, u32 description, u64 size */

/* Section ids; options 16..21 carry the offset of the section of the same id. */
enum {
	V7_OPTIONS = 0,
	V7_BUFFER = 3,
	V7_CPUCOUNT = 8,
	V7_STRINGS = 15,
	V7_HEADER_INFO = 16,
	V7_FTRACE_EVENTS = 17,
	V7_EVENT_FORMATS = 18,
	V7_KALLSYMS = 19,
	V7_PRINTK = 20,
	V7_CMDLINES = 21,
	V7_DONE = 0, /* the option that ends an options section */
};

/* The descriptions, NUL-separated as the strings section holds them; a section names one by its offset. */
static const char strings[] = "headers\0ftrace events\0events format\0kallsyms\0printk\0command lines\0"
                              "options\0strings\0flyrecord";

static uint32_t string_id(const char *name)
{
	for (size_t at = 0; at < sizeof(strings); at += strlen(strings + at) + 1)
		if (!strcmp(strings + at, name))
			return (uint32_t)at;
	return 0;
}

static void put_le(struct tracedat_buf *b, size_t at, uint64_t v, unsigned size)
{
	if (!b->oom)
		for (unsigned i = 0; i < size; i++)
			b->p[at + i] = (uint8_t)(v >> (8 * i));
}

/* A section header whose size end_section() fills in; returns where the section starts. */
static size_t begin_section(struct tracedat_buf *b, uint16_t id, const char *description)
{
	size_t at = b->len;

	tracedat_add_u(b, id, 2);
	tracedat_add_u(b, 0, 2); /* not compressed */
	tracedat_add_u(b, string_id(description), 4);
	tracedat_add_u(b, 0, 8);
	return at;
}

static void end_section(struct tracedat_buf *b, size_t at)
{
	put_le(b, at + 8, b->len - at - SECTION_HEADER, 8);
}

static void add_option(struct tracedat_buf *b, uint16_t id, uint64_t v, unsigned size)
{
	tracedat_add_u(b, id, 2);
	tracedat_add_u(b, size, 4);
	tracedat_add_u(b, v, size);
}

/* A section that holds only a 4-byte zero: no ftrace events, no kallsyms, no printk formats. */
static size_t add_empty_section(struct tracedat_buf *b, uint16_t id, const char *description)
{
	size_t at = begin_section(b, id, description);

	tracedat_add_u(b, 0, 4);
	end_section(b, at);
	return at;
}

static void tracedat7_finish(struct trace_sink *base)
{
	struct tracedat_sink *s = (struct tracedat_sink *)base;
	struct tracedat_buf h = {0};
	size_t at[V7_CMDLINES + 1] = {0};
	size_t options_at, buffer_at, sec;
	uint64_t data;

	tracedat_add_magic(&h, '7');
	tracedat_add(&h, "none\0", 6);          /* compression: name "none", version "" */
	options_at = h.len;
	tracedat_add_u(&h, 0, 8);               /* the options section: filled in below */

	at[V7_HEADER_INFO] = begin_section(&h, V7_HEADER_INFO, "headers");
	tracedat_add_header_info(&h);
	end_section(&h, at[V7_HEADER_INFO]);
	at[V7_FTRACE_EVENTS] = add_empty_section(&h, V7_FTRACE_EVENTS, "ftrace events");
	at[V7_EVENT_FORMATS] = begin_section(&h, V7_EVENT_FORMATS, "events format");
	tracedat_add_event_systems(s, &h);
	end_section(&h, at[V7_EVENT_FORMATS]);
	at[V7_KALLSYMS] = add_empty_section(&h, V7_KALLSYMS, "kallsyms");
	at[V7_PRINTK] = add_empty_section(&h, V7_PRINTK, "printk");
	at[V7_CMDLINES] = begin_section(&h, V7_CMDLINES, "command lines");
	tracedat_add_cmdlines(s, &h);
	end_section(&h, at[V7_CMDLINES]);

	put_le(&h, options_at, h.len, 8);
	sec = begin_section(&h, V7_OPTIONS, "options");
	for (unsigned id = V7_HEADER_INFO; id <= V7_CMDLINES; id++)
		add_option(&h, (uint16_t)id, at[id], 8);
	add_option(&h, V7_CPUCOUNT, s->ncpus, 4);
	/* BUFFER: the flyrecord section, instance "" (the top one), its clock, page size and CPUs. */
	tracedat_add_u(&h, V7_BUFFER, 2);
	tracedat_add_u(&h, 8 + 1 + 6 + 4 + 4 + 20u * s->ncpus, 4);
	buffer_at = h.len;
	tracedat_add_u(&h, 0, 8);
	tracedat_add(&h, "\0local", 7);
	tracedat_add_u(&h, TRACEDAT_PAGE_SIZE, 4);
	tracedat_add_u(&h, s->ncpus, 4);
	for (uint32_t c = 0; c < s->ncpus; c++) {
		tracedat_add_u(&h, c, 4);
		tracedat_add_u(&h, 0, 8);       /* offset and size: filled in below */
		tracedat_add_u(&h, 0, 8);
	}
	add_option(&h, V7_DONE, 0, 8);
	end_section(&h, sec);

	sec = begin_section(&h, V7_STRINGS, "strings");
	tracedat_add(&h, strings, sizeof(strings));
	end_section(&h, sec);

	/* The flyrecord section: its header, zeros to a page boundary, the CPU pages. */
	put_le(&h, buffer_at, h.len, 8);
	sec = begin_section(&h, V7_BUFFER, "flyrecord");
	data = (h.len + TRACEDAT_PAGE_SIZE - 1) / TRACEDAT_PAGE_SIZE * TRACEDAT_PAGE_SIZE;
	for (uint32_t c = 0; c < s->ncpus; c++) {
		put_le(&h, buffer_at + 8 + 7 + 8 + 20u * c + 4, data, 8);
		put_le(&h, buffer_at + 8 + 7 + 8 + 20u * c + 12, s->cpu[c].pages.len, 8);
		data += s->cpu[c].pages.len;
	}
	put_le(&h, sec + 8, data - h.len, 8);
	tracedat_write_file(s, &h);
}

struct trace_sink *trace_tracedat7_sink_new(FILE *out, const struct trace_sink_context *ctx)
{
	return tracedat_sink_new(out, ctx, tracedat7_finish);
}
