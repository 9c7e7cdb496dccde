/* SPDX-License-Identifier: Apache-2.0 */
/*
 * trace_diff.h - the trace-aware diff behind vmxsim_diff_files() and the
 * diff `vmxsim check` prints against a golden.
 */
#ifndef VMXSIM_LIB_TRACE_DIFF_H
#define VMXSIM_LIB_TRACE_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "vmxsim/check.h"

/* A file's lines, each with its newline (the last may lack one). */
struct diff_lines {
	char **v;
	size_t n, cap;
};

/* Read every line of f (from where it is); false on a read error or out of memory. */
bool diff_lines_read(FILE *f, struct diff_lines *out);
void diff_lines_free(struct diff_lines *l);

/*
 * Compare a (the old side, `-`) with b (the new side, `+`) and print the
 * differences to out as a unified diff under the ---/+++ labels; out NULL
 * only compares, without aligning. Returns 0 same, 1 different, 2 out of
 * memory (nothing printed).
 */
int diff_lines_print(const struct diff_lines *a, const struct diff_lines *b, const char *label_a,
                     const char *label_b, const struct vmxsim_diff_options *o, FILE *out);

#endif
