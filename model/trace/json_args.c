/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_args.c - JSON text for the trace-event sinks: escaping, and the
 * "args" object of an event built field by field into a bounded buffer
 * (a field that does not fit whole is left out and the cut is told, never
 * half-written).
 */
#include "model/trace/json_args.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Escape s into dst (at most cap bytes with the NUL); returns the length it needs. */
size_t json_escape(char *dst, size_t cap, const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char tmp[8];
		size_t k;

		if (c == '"' || c == '\\')
			k = (size_t)snprintf(tmp, sizeof(tmp), "\\%c", c);
		else if (c < 0x20)
			k = (size_t)snprintf(tmp, sizeof(tmp), "\\u%04x", c);
		else
			k = (size_t)snprintf(tmp, sizeof(tmp), "%c", c);
		if (n + k < cap)
			memcpy(dst + n, tmp, k);
		n += k;
	}
	if (cap)
		dst[n < cap ? n : cap - 1] = 0;
	return n;
}

/* Append `"key":value` to args (comma-separated) if it fits whole, else mark cut. */
void json_args_add(char *args, size_t cap, bool *cut, const char *key, const char *json_value)
{
	size_t len = strlen(args);
	char k[64];
	size_t need;

	if (json_escape(k, sizeof(k), key) >= sizeof(k)) {
		*cut = true;
		return;
	}
	need = (len ? 1 : 0) + strlen(k) + 3 + strlen(json_value);
	if (len + need + 1 > cap) {
		*cut = true;
		return;
	}
	snprintf(args + len, cap - len, "%s\"%s\":%s", len ? "," : "", k, json_value);
}

void json_args_add_str(char *args, size_t cap, bool *cut, const char *key, const char *s)
{
	char v[JSON_ARGS_MAX + 2];

	v[0] = '"';
	if (json_escape(v + 1, sizeof(v) - 2, s) >= sizeof(v) - 2) {
		*cut = true;
		return;
	}
	strcat(v, "\"");
	json_args_add(args, cap, cut, key, v);
}

/* Every field of ev: numbers as numbers, hex as strings (exact), booleans, strings. */
void json_args_add_fields(char *args, size_t cap, bool *cut, const struct trace_event *ev)
{
	for (uint32_t i = 0; i < ev->nfields; i++) {
		const struct trace_field *f = &ev->f[i];
		char v[40];

		switch (f->type) {
		case TF_UINT:
			snprintf(v, sizeof(v), "%" PRIu64, f->u);
			break;
		case TF_HEX32:
			snprintf(v, sizeof(v), "\"0x%08" PRIx64 "\"", f->u);
			break;
		case TF_HEX64:
			snprintf(v, sizeof(v), "\"0x%" PRIx64 "\"", f->u);
			break;
		case TF_BOOL:
			snprintf(v, sizeof(v), "%s", f->u ? "true" : "false");
			break;
		case TF_STR:
			json_args_add_str(args, cap, cut, f->key, f->s ? f->s : "");
			continue;
		}
		json_args_add(args, cap, cut, f->key, v);
	}
}
