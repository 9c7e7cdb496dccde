/* SPDX-License-Identifier: Apache-2.0 */
/*
 * files.h - outputs replaced atomically.
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

/* False (message on diag) when the folder of `path` does not exist or the temporary file cannot be made. */
bool atomic_open(struct atomic_file *a, const char *path, FILE *diag);
/* Flush, fsync and rename over the target. False (and the target untouched) on any error. */
bool atomic_commit(struct atomic_file *a, FILE *diag);
/* Close and remove the temporary file; the target is untouched. */
void atomic_abort(struct atomic_file *a);

/* Create the directories above `path` (mkdir -p of its dirname). */
bool make_parent_dirs(const char *path);

#ifdef __cplusplus
}
#endif
#endif
