/*
 * equiv.h - the bare-metal equivalence check: run a nested scenario as
 * written (L1 under a nested L0) and again with `l0 none` (the same L1
 * script as the root hypervisor on the processor), and compare what L1
 * observes - the exits it gets (reason, qualification, interruption and
 * IDT-vectoring information), the VMLAUNCH/VMRESUME failures it gets, and
 * the events its own IDT delivers - ignoring only time.
 */
#ifndef VMXSIM_EQUIV_H
#define VMXSIM_EQUIV_H

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 0 when L1 sees the same, 1 (first difference on out) when not, 2 on bad input (on diag). */
int vmxsim_equiv(const char *path, FILE *out, FILE *diag);

#ifdef __cplusplus
}
#endif
#endif
