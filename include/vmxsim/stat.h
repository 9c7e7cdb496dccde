/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmxsim/stat.h - VM exits per reason, in the shape of `perf kvm stat report`.
 */
#ifndef VMXSIM_STAT_H
#define VMXSIM_STAT_H

#include <stdio.h>

#include "vmxsim/export.h"
#include "vmxsim/run.h"
#include "vmxsim/scenario.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Run scenario s without a trace and print to out, per exit reason, the
 * count, the share and the min/max/average time from the exit to the next
 * VM entry. Messages go to diag (NULL: stderr).
 */
VMXSIM_API enum vmxsim_status vmxsim_stat(const struct vmxsim_scenario *s, FILE *out, FILE *diag);

#ifdef __cplusplus
}
#endif
#endif
