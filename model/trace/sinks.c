/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sinks.c - choosing a trace writer by format name.
 */
#include <stdlib.h>
#include <string.h>

#include "model/trace/trace.h"

static const char *const format_names[TRACE_FORMAT_COUNT] = {
	[TRACE_FORMAT_TEXT] = "text",         [TRACE_FORMAT_JSONL] = "jsonl",
	[TRACE_FORMAT_VCD] = "vcd",           [TRACE_FORMAT_PERFETTO] = "perfetto",
	[TRACE_FORMAT_FTRACE] = "ftrace",     [TRACE_FORMAT_TRACE_DAT] = "trace-dat",
	[TRACE_FORMAT_FTRACE_NS] = "ftrace-ns", [TRACE_FORMAT_TRACE_DAT7] = "trace-dat7",
};

const char *trace_format_name(enum trace_format f)
{
	return (unsigned)f < TRACE_FORMAT_COUNT ? format_names[f] : NULL;
}

int trace_format_lookup(const char *name)
{
	for (int i = 0; i < TRACE_FORMAT_COUNT; i++)
		if (!strcmp(format_names[i], name))
			return i;
	return -1;
}

static void file_sink_destroy(struct trace_sink *s)
{
	free(s);
}

struct trace_sink *trace_sink_open(enum trace_format format, FILE *out, const struct trace_sink_context *ctx)
{
	struct trace_file_sink *fs;
	struct trace_sink_context ns;

	switch (format) {
	case TRACE_FORMAT_TEXT:
	case TRACE_FORMAT_JSONL:
		fs = malloc(sizeof(*fs));
		if (!fs)
			return NULL;
		trace_file_sink_init(fs, out, format);
		fs->base.destroy = file_sink_destroy;
		return &fs->base;
	case TRACE_FORMAT_VCD:
		return trace_vcd_sink_new(out, ctx);
	case TRACE_FORMAT_PERFETTO:
		return trace_perfetto_sink_new(out, ctx);
	case TRACE_FORMAT_FTRACE:
		return trace_ftrace_sink_new(out, ctx);
	case TRACE_FORMAT_TRACE_DAT:
		return trace_tracedat_sink_new(out, ctx);
	case TRACE_FORMAT_TRACE_DAT7:
		return trace_tracedat7_sink_new(out, ctx);
	case TRACE_FORMAT_FTRACE_NS:
		ns = ctx ? *ctx : (struct trace_sink_context){0};
		ns.time_ns = true;
		return trace_ftrace_sink_new(out, &ns);
	case TRACE_FORMAT_COUNT:
		break;
	}
	return NULL;
}

void trace_sink_close(struct trace_sink *s)
{
	if (s && s->destroy)
		s->destroy(s);
}
