/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scn_replay.h - the parts of the scn_replay tool that its files share:
 * the tally of checks and failures, the check of one input, the files
 * under a path, and the modes kept in files of their own.
 */
#ifndef VMXSIM_FRONT_SCN_REPLAY_H
#define VMXSIM_FRONT_SCN_REPLAY_H

#include <stdbool.h>
#include <stddef.h>

/* What a mode has checked, for its last line and its exit status. */
struct replay_tally {
	unsigned long checks, failures;
	unsigned long mutants, mutants_parsed;   /* mutate only */
};

/* File names, owned (each freed by the mode that uses them). */
struct replay_files {
	char **v;
	size_t n, cap;
};

/* Count a failure of input `name`; the first 20 are printed on stderr. */
void replay_failure(struct replay_tally *t, const char *name, const char *what);
/*
 * One input: it parses into a sane scenario or fails with a located,
 * printable message (twice: and two parses of it agree). True if it parsed.
 */
bool replay_check(struct replay_tally *t, const char *name, const char *text, size_t len, bool twice);
/* Files under path (or path itself, when top), in sorted order; only *.scn below the top when scn_only. */
void replay_collect(struct replay_files *l, const char *path, bool scn_only, bool top);
/* The whole file, malloc'd (length in *len), or NULL if it cannot be read. */
char *replay_read_all(const char *path, size_t *len);

/* Parse FILE and print its description; 0, or 2 when it does not parse (scn_dump.c). */
int scn_replay_dump(const char *path);
/* `scn_replay mutate ARGS...` (scn_mutate.c): 0, 1 when a check failed, 2 for a usage error. */
int scn_replay_mutate(int argc, char **argv);

#endif
