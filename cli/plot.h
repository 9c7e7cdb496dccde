/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plot.h - timelines of runs, drawn by tools/vmxsim_plot.py.
 *
 * The CLI writes the run's trace as JSONL to a temporary file and hands it
 * to the Python tool (Debian's /usr/bin/python3 with python3-matplotlib),
 * found in VMXSIM_TOOLS_DIR (set by cli/CMakeLists.txt to the source tree's
 * tools/). VMXSIM_PYTHON in the environment names another interpreter.
 */
#ifndef VMXSIM_PLOT_H
#define VMXSIM_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vmxsim/scenario.h"

#ifdef __cplusplus
extern "C" {
#endif

/* OUT ends in .png or .svg (the format follows the extension). */
bool plot_output_ok(const char *out);

/*
 * The heading of a scenario's plot: its path without the .scn and without
 * anything up to a "scenarios/" component ("soft-vnmi/sti-in-handler").
 */
void plot_title_for(const char *scenario, char *out, size_t n);

/*
 * Run scenario s again with a JSONL trace into `path` (created or replaced;
 * the run's own messages are not repeated), and the CPU model's TSC
 * frequency into *tsc_hz. False, with a message on diag, if the trace
 * cannot be written.
 */
bool plot_write_jsonl(const struct vmxsim_scenario *s, const char *path, uint64_t *tsc_hz, FILE *diag);

/* A new temporary directory for JSONL traces ($TMPDIR or /tmp); false on error. */
bool plot_make_tmpdir(char *dir, size_t n, FILE *diag);
/* Remove the files named in dir and then dir itself (one level, no recursion). */
void plot_remove_tmpdir(const char *dir);

/*
 * Draw one trace: python3 tools/vmxsim_plot.py TRACE -o OUT --title TITLE
 * --tsc-hz HZ (a microsecond axis beside the cycles; none when tsc_hz is 0).
 * Returns 0, or 2 (VMXSIM_BAD_INPUT) with a message on diag when python3,
 * matplotlib or the tool is missing or the tool fails.
 */
int plot_render(const char *trace, const char *out, const char *title, uint64_t tsc_hz, FILE *diag);

/* Draw every line TRACE<TAB>OUT<TAB>TITLE of `list` in one Python process. Same returns. */
int plot_render_batch(const char *list, FILE *diag);

/* vmxsim run --plot: the JSONL trace of s in a temporary file, drawn into out. 0 or 2, as plot_render. */
int plot_scenario(const struct vmxsim_scenario *s, const char *scenario_path, const char *out, FILE *diag);

/* vmxsim suite --plots: traces collected one by one, drawn together by one Python process. */
struct plot_batch {
	char dir[4096];          /* temporary directory: N.jsonl and the list */
	char list[4200];
	FILE *f;                 /* the list being written */
	size_t n;
	bool ok;
};

bool plot_batch_open(struct plot_batch *b, FILE *diag);
/* Write s's JSONL trace and add TRACE<TAB>out<TAB>title to the list (creating out's directories). */
bool plot_batch_add(struct plot_batch *b, const struct vmxsim_scenario *s, const char *title, const char *out,
                    FILE *diag);
/* Draw everything added, remove the temporary files. 0, or 2 when a plot failed. */
int plot_batch_finish(struct plot_batch *b, FILE *diag);

#ifdef __cplusplus
}
#endif
#endif
