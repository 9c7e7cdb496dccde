/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmxsim/vmxsim.h - the whole public API of libvmxsim.
 *
 *   vmxsim/scenario.h   read a scenario (.scn) from a file, stdin or memory
 *   vmxsim/run.h        run it into a trace; sessions for embedding, snapshots
 *   vmxsim/check.h      compare a run with its golden trace; diff two traces
 *   vmxsim/explore.h    run every point of a scenario's space of timings
 *   vmxsim/equiv.h      a nested run against the same L1 on bare metal
 *   vmxsim/stat.h       VM exits per reason, as perf kvm stat prints them
 *
 * Every function is reentrant: the library has no global mutable state,
 * reads no clock and gives the same bytes for the same input everywhere.
 * Names not declared under include/vmxsim/ are private to the library.
 */
#ifndef VMXSIM_VMXSIM_H
#define VMXSIM_VMXSIM_H

#include "vmxsim/export.h"
#include "vmxsim/scenario.h"
#include "vmxsim/run.h"
#include "vmxsim/check.h"
#include "vmxsim/explore.h"
#include "vmxsim/equiv.h"
#include "vmxsim/stat.h"

#define VMXSIM_VERSION_MAJOR 0
#define VMXSIM_VERSION_MINOR 2
#define VMXSIM_VERSION_PATCH 0
#define VMXSIM_VERSION_STRING "0.2.0"

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version, "MAJOR.MINOR.PATCH": compare with VMXSIM_VERSION_STRING to catch a mismatched .so. */
VMXSIM_API const char *vmxsim_version(void);

#ifdef __cplusplus
}
#endif
#endif
