/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_args.h - JSON text for the trace-event sinks (sink_perfetto.c).
 */
#ifndef VMXSIM_TRACE_JSON_ARGS_H
#define VMXSIM_TRACE_JSON_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "model/trace/trace.h"

/* The longest string value an args object takes whole. */
#define JSON_ARGS_MAX 320

/* Escape s into dst (at most cap bytes with the NUL); returns the length it needs. */
size_t json_escape(char *dst, size_t cap, const char *s);
/* Append `"key":value` (value already JSON) to args (comma-separated) if it fits whole, else set *cut. */
void json_args_add(char *args, size_t cap, bool *cut, const char *key, const char *json_value);
/* The same with a string value, escaped and quoted. */
void json_args_add_str(char *args, size_t cap, bool *cut, const char *key, const char *s);
/* Every field of ev: numbers as numbers, hex as strings (exact), booleans, strings. */
void json_args_add_fields(char *args, size_t cap, bool *cut, const struct trace_event *ev);

#endif
