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

/*
 * A temporary file next to `path`, to be renamed over it when complete.
 * The stream f refers to the struct: it must not move while open.
 */
struct atomic_file {
	FILE *f;
	int fd;              /* the temporary file's, -1 once closed */
	int err;             /* errno of the first failed write or close */
	bool had_mode;       /* the target existed: its mode carries over */
	unsigned mode;
	char tmp[4096];      /* "" when the target is written in place (a device, a FIFO) */
	char path[4096];     /* the file replaced: a symbolic link's target */
};

/*
 * False (message on diag) when the folder of `path` does not exist, the
 * temporary file cannot be made, or `path` is a symbolic link to nothing
 * or out of its own folder tree (docs/trace-format.md, "Output files").
 */
bool atomic_open(struct atomic_file *a, const char *path, FILE *diag);
/* Flush, fsync, close and rename over the target. False (message on diag, target untouched) on any error. */
bool atomic_commit(struct atomic_file *a, FILE *diag);
/* Close and remove the temporary file; the target is untouched. */
void atomic_abort(struct atomic_file *a);
/* The errno of a write to f that failed so far, 0 if none did. */
int atomic_error(const struct atomic_file *a);
/* "PATH: cannot write: WHY" on diag (the first error kept, else err), then atomic_abort. */
void atomic_fail(struct atomic_file *a, int err, FILE *diag);

/* Create the directories above `path` (mkdir -p of its dirname). */
bool make_parent_dirs(const char *path);

#ifdef __cplusplus
}
#endif
#endif
