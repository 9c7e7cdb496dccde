/* SPDX-License-Identifier: Apache-2.0 */
/*
 * expect.h - the expectation checker: a trace sink that counts what each
 * `expect` line of a scenario looks for while the run streams by, and
 * judges at the end. Memory does not grow with the trace.
 */
#ifndef VMXSIM_EXPECT_H
#define VMXSIM_EXPECT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "front/scenario.h"
#include "lib/expect_exact.h"
#include "model/trace/trace.h"

#ifdef __cplusplus
extern "C" {
#endif

struct expect_item {
	const struct scn_expect *e;
	uint64_t at, until;      /* AT/WITHIN bounds in cycles */
	uint64_t count;          /* matching events */
	struct exact_capture *cap; /* EXACT: the event it looks at */
};

struct expect_sink {
	struct trace_sink base;
	const struct scn_scenario *s;
	struct expect_item *items;
	uint32_t n;
	bool color;              /* "expectation failed" in red (ANSI) in the messages: a terminal reads them */
	expect_label_fn label_addr; /* where the guests' labels are (exact expectations); may be NULL */
	void *label_ctx;
};

/* tsc_hz converts the times of AT/WITHIN. False if out of memory. */
bool expect_sink_init(struct expect_sink *x, const struct scn_scenario *s, uint64_t tsc_hz);
void expect_sink_free(struct expect_sink *x);

/* Judge; prints one `file:line:col: expectation failed: ...` line per failure. Returns failures. */
uint32_t expect_sink_judge(const struct expect_sink *x, FILE *diag);
/* The same (diag may be NULL), and failed_each[i] for expectation i (x->n entries). */
uint32_t expect_sink_judge_each(const struct expect_sink *x, FILE *diag, bool *failed_each);

/* The expectation in words: "expect count deliver nmi == 2", "expect no nmi_nesting". */
void expect_text(const struct scn_expect *e, char *buf, size_t n);

/* Does a trace event match an event pattern of the language? */
bool expect_event_matches(const struct scn_event_pat *p, const struct trace_event *ev);

#ifdef __cplusplus
}
#endif
#endif
