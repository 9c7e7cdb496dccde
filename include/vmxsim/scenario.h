/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmxsim/scenario.h - a scenario, parsed and checked, ready to run.
 *
 * The language is docs/scenario-language.md. A scenario that does not parse
 * is reported as `file:line:col: what is wrong`, the form editors and
 * compilers use.
 */
#ifndef VMXSIM_SCENARIO_H
#define VMXSIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "vmxsim/export.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vmxsim_scenario;

#define VMXSIM_ERROR_MAX 1024

/* Why a scenario could not be read. */
struct vmxsim_error {
	uint32_t line, col;            /* 1-based; line 0: the file itself (unreadable, too big) */
	char text[VMXSIM_ERROR_MAX];   /* the whole message: "file:line:col: what is wrong" */
};

/*
 * Read and parse a scenario file; "-" reads standard input (named
 * "<stdin>" in messages). NULL on error with *err filled (err may be NULL).
 */
VMXSIM_API struct vmxsim_scenario *vmxsim_scenario_load(const char *path, struct vmxsim_error *err);

/* Parse len bytes of text; `name` is used in messages (NULL: "<input>"). */
VMXSIM_API struct vmxsim_scenario *vmxsim_scenario_parse(const char *text, size_t len, const char *name,
                                                         struct vmxsim_error *err);

VMXSIM_API void vmxsim_scenario_free(struct vmxsim_scenario *s);

/* The name it was loaded under (the path, "<stdin>", or parse()'s name). */
VMXSIM_API const char *vmxsim_scenario_name(const struct vmxsim_scenario *s);
/* Its opening comment paragraph as one line; "" if it has none. */
VMXSIM_API const char *vmxsim_scenario_summary(const struct vmxsim_scenario *s);
/* How many vCPUs it runs, and how many `expect` lines it has. */
VMXSIM_API uint32_t vmxsim_scenario_vcpus(const struct vmxsim_scenario *s);
VMXSIM_API size_t vmxsim_scenario_expects(const struct vmxsim_scenario *s);
/* How many values vary (ranges and choices, for explore); 0 for a plain scenario. */
VMXSIM_API size_t vmxsim_scenario_variables(const struct vmxsim_scenario *s);

#ifdef __cplusplus
}
#endif
#endif
