/* SPDX-License-Identifier: Apache-2.0 */
/*
 * paths.h - where the command's own files are, and folders it makes for
 * its own output trees.
 */
#ifndef VMXSIM_CLI_PATHS_H
#define VMXSIM_CLI_PATHS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * The folder of the Python tools (vmxsim_plot.py): $VMXSIM_TOOLS_DIR, else
 * share/vmxsim/tools beside the folder of the running binary (BIN/../share
 * /vmxsim/tools), which is where both the build tree and an installed
 * prefix put them. False (message on diag) when neither has the plotter.
 */
bool tools_dir(char *out, size_t n, FILE *diag);

/* Create the folders above `path` (mkdir -p of its dirname). */
bool make_parent_dirs(const char *path);

#endif
