/* SPDX-License-Identifier: Apache-2.0 */
/*
 * expect_exact.h - exact expectations (`expect 1st exit L2 reason=HLT ...`):
 * which trace event each one looks at, what it keeps of it, and the
 * judgement field by field. Part of the expectation checker (expect.h).
 */
#ifndef VMXSIM_EXPECT_EXACT_H
#define VMXSIM_EXPECT_EXACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "front/scenario.h"
#include "model/trace/trace.h"

/* The chosen event, its fields as numbers (absent ones are 0). */
struct exact_capture {
	bool have;
	bool is_vmfail;                 /* entry-fail: a VMfail rather than an entry-failure exit */
	uint64_t cycle;
	uint32_t level, cpu;
	uint64_t v[SCN_KEY_COUNT];
};

/* Where a label of a guest block is: the program's layout. False if it cannot say. */
typedef bool (*expect_label_fn)(void *ctx, enum scn_level level, uint32_t cpu, const char *label, uint64_t *addr);

/* The trace kinds an exact expectation looks at. */
uint64_t exact_kinds(const struct scn_expect *e);

/*
 * One trace event: does it pass the expectation's kind and filters (and,
 * for `at LABEL`, its RIP)? *count is the running count of such events;
 * the capture is filled for the chosen one.
 */
void exact_observe(const struct scn_expect *e, const struct trace_event *ev, expect_label_fn label_addr,
                   void *label_ctx, uint64_t *count, struct exact_capture *cap);

/* Judge; false with what went wrong in `what`. */
bool exact_judge(const struct scn_expect *e, const struct exact_capture *cap, uint64_t count,
                 expect_label_fn label_addr, void *label_ctx, char *what, size_t n);

/* "expect 1st exit L2" for messages. */
void exact_text(const struct scn_expect *e, char *buf, size_t n);

#endif
