/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_scenario.c - vmxsim/scenario.h and the library's version: the
 * front-end's parser behind the public names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/api.h"

_Static_assert((int)VMXSIM_FORMAT_TEXT == (int)TRACE_FORMAT_TEXT && (int)VMXSIM_FORMAT_JSONL == (int)TRACE_FORMAT_JSONL &&
                   (int)VMXSIM_FORMAT_VCD == (int)TRACE_FORMAT_VCD &&
                   (int)VMXSIM_FORMAT_PERFETTO == (int)TRACE_FORMAT_PERFETTO &&
                   (int)VMXSIM_FORMAT_FTRACE == (int)TRACE_FORMAT_FTRACE &&
                   (int)VMXSIM_FORMAT_TRACE_DAT == (int)TRACE_FORMAT_TRACE_DAT &&
                   (int)VMXSIM_FORMAT_FTRACE_NS == (int)TRACE_FORMAT_FTRACE_NS &&
                   (int)VMXSIM_FORMAT_TRACE_DAT7 == (int)TRACE_FORMAT_TRACE_DAT7 && TRACE_FORMAT_COUNT == 8,
               "the public formats are the trace bus's formats");

VMXSIM_API const char *vmxsim_version(void)
{
	return VMXSIM_VERSION_STRING;
}

static void fill_error(struct vmxsim_error *out, const struct scn_error *err)
{
	if (!out)
		return;
	out->line = err->line;
	out->col = err->col;
	scn_format_error(err, out->text, sizeof(out->text));
}

static struct vmxsim_scenario *wrap(struct scn_scenario *scn, struct vmxsim_error *err)
{
	struct vmxsim_scenario *s;

	if (!scn)
		return NULL;
	s = malloc(sizeof(*s));
	if (!s) {
		if (err) {
			err->line = 0;
			err->col = 0;
			snprintf(err->text, sizeof(err->text), "%s: out of memory", scn->file);
		}
		scn_free(scn);
		return NULL;
	}
	s->scn = scn;
	return s;
}

VMXSIM_API struct vmxsim_scenario *vmxsim_scenario_load(const char *path, struct vmxsim_error *err)
{
	struct scn_error e;
	struct scn_scenario *scn = scn_parse_file(path, &e);

	if (!scn)
		fill_error(err, &e);
	return wrap(scn, err);
}

VMXSIM_API struct vmxsim_scenario *vmxsim_scenario_parse(const char *text, size_t len, const char *name,
                                                         struct vmxsim_error *err)
{
	struct scn_error e;
	struct scn_scenario *scn = scn_parse(text, len, name, &e);

	if (!scn)
		fill_error(err, &e);
	return wrap(scn, err);
}

VMXSIM_API void vmxsim_scenario_free(struct vmxsim_scenario *s)
{
	if (!s)
		return;
	scn_free(s->scn);
	free(s);
}

VMXSIM_API const char *vmxsim_scenario_name(const struct vmxsim_scenario *s)
{
	return s->scn->file;
}

VMXSIM_API const char *vmxsim_scenario_summary(const struct vmxsim_scenario *s)
{
	return s->scn->summary;
}

VMXSIM_API uint32_t vmxsim_scenario_vcpus(const struct vmxsim_scenario *s)
{
	return s->scn->vcpus;
}

VMXSIM_API size_t vmxsim_scenario_expects(const struct vmxsim_scenario *s)
{
	return s->scn->nexpects;
}

VMXSIM_API size_t vmxsim_scenario_variables(const struct vmxsim_scenario *s)
{
	return s->scn->nvars;
}

VMXSIM_API const char *vmxsim_format_name(enum vmxsim_format f)
{
	if ((unsigned)f >= TRACE_FORMAT_COUNT)
		return NULL;
	return trace_format_name((enum trace_format)f);
}

VMXSIM_API int vmxsim_format_lookup(const char *name)
{
	return name ? trace_format_lookup(name) : -1;
}
