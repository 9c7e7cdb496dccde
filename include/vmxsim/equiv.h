/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmxsim/equiv.h - is a nested run what L1 would see on bare metal?
 * (docs/nested.md)
 */
#ifndef VMXSIM_EQUIV_H
#define VMXSIM_EQUIV_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "vmxsim/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Run the nested scenario at `path` ("-": standard input, read once and
 * named "<stdin>") under its L0 and again with the same
 * L1 on bare metal (`l0 none`), and compare what L1 sees - its VM exits,
 * VMfails and the values it reads - and then what L2's program records,
 * ignoring time. The verdict and the
 * first difference go to out. Returns 0 the same, 1 they differ, 2 bad
 * input (messages on diag). A first difference where the L0 marked its
 * answer as deliberately not the processor's (the `differs` field of its
 * trace, docs/nested.md) is reported as documented, and returns 0.
 */
VMXSIM_API int vmxsim_equiv(const char *path, FILE *out, FILE *diag);

/*
 * The same, for a bare-metal scenario (`l0 none`, such as a kvm-unit-tests
 * port): its L1 runs once as written and once as the L1 of the nested L0
 * named `l0` ("kvm-modern", ...). With l0 NULL it is vmxsim_equiv().
 */
VMXSIM_API int vmxsim_equiv_under(const char *path, const char *l0, FILE *out, FILE *diag);

struct vmxsim_equiv_options {
	const char *l0;          /* as vmxsim_equiv_under()'s l0; NULL: the scenario's own nested L0 */
	/* As in vmxsim_run_options: stop when *interrupt is set, and a progress line on diag. */
	const volatile sig_atomic_t *interrupt;
	bool progress;
};

/*
 * vmxsim_equiv_under() with options. Also 130 (VMXSIM_INTERRUPTED) when
 * *o->interrupt stopped a run: nothing is compared then.
 */
VMXSIM_API int vmxsim_equiv_run(const char *path, const struct vmxsim_equiv_options *o, FILE *out, FILE *diag);

#ifdef __cplusplus
}
#endif
#endif
