/*
 * files.h - the CLI's file handling: atomic replacement, golden comparison,
 * and the scenarios/ -> traces/ naming.
 */
#ifndef VMXSIM_FILES_H
#define VMXSIM_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A temporary file next to `path`, to be renamed over it when complete. */
struct atomic_file {
	FILE *f;
	char tmp[4096];
	char path[4096];
};

bool atomic_open(struct atomic_file *a, const char *path, FILE *diag);
/* Flush, fsync and rename over the target. False (and the target untouched) on any error. */
bool atomic_commit(struct atomic_file *a, FILE *diag);
/* Close and remove the temporary file; the target is untouched. */
void atomic_abort(struct atomic_file *a);

/* Create the directories above `path` (mkdir -p of its dirname). */
bool make_parent_dirs(const char *path);

/*
 * The golden of a scenario: a "scenarios" path component becomes "traces"
 * and ".scn" becomes ".trace"; without such a component, FILE.trace beside
 * the scenario.
 */
void golden_path_for(const char *scenario, char *out, size_t n);

enum golden_result { GOLDEN_SAME, GOLDEN_DIFFERS, GOLDEN_MISSING };

/*
 * Stream-compare `actual` with `golden` line by line. On the first
 * difference print its line number, up to three lines of context and both
 * versions of the line to diag.
 */
enum golden_result golden_compare(const char *actual, const char *golden, FILE *diag);

#ifdef __cplusplus
}
#endif
#endif
