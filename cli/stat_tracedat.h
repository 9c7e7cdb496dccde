/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stat_tracedat.h - `vmxsim stat TRACE.dat`: a trace-cmd recording read
 * through libtracecmd into the stat table.
 */
#ifndef VMXSIM_CLI_STAT_TRACEDAT_H
#define VMXSIM_CLI_STAT_TRACEDAT_H

#include <stdbool.h>
#include <stdio.h>

#include "vmxsim/stat.h"

/* Whether the file starts as a trace-cmd data file does (its magic), whatever its name. */
bool stat_is_tracedat(const char *path);

/*
 * Feed the kvm:kvm_exit and kvm:kvm_entry records of the file to a table
 * and print it. 0 read, 2 unreadable (or vmxsim built without libtracecmd),
 * 130 interrupted (the table of what was read is printed).
 */
int stat_tracedat(const char *path, const struct vmxsim_stat_options *o, FILE *out, FILE *diag);

#endif
