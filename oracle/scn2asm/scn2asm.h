/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scn2asm.h - the oracle's scenario compiler: an `l0 none` scenario as an
 * x86 case (nasm, elf64) that the Bochs runtime of oracle/payload links and
 * boots, and a map from its labels back to vmxsim's addresses.
 *
 * The case runs the programs vmxsim's machine builds, on the VMCS it sets
 * up, under the contract of oracle/payload/case_abi.h. A scenario the
 * compiler cannot turn into x86 with the same meaning is refused with
 * `FILE:LINE:COL: not modelled on the oracle: WHAT`; input the front end or
 * the machine rejects gets their own located errors. docs/oracle.md has the
 * whole suite; the label scheme and the map are described at the top of
 * every map file.
 */
#ifndef VMXSIM_ORACLE_SCN2ASM_H
#define VMXSIM_ORACLE_SCN2ASM_H

#include <stddef.h>
#include <stdio.h>

#include "front/scenario.h"
#include "model/hw/guest_mem.h"

#ifdef __cplusplus
extern "C" {
#endif

enum scn2asm_status {
	SCN2ASM_OK = 0,
	SCN2ASM_FAILED = 1,      /* out of memory, or an output could not be written */
	SCN2ASM_BAD_INPUT = 2,   /* the front end or the machine rejects the scenario */
	SCN2ASM_REFUSED = 3,     /* valid, but not modelled on the oracle */
};

/*
 * Compile parsed scenario s. `text` (len bytes, may be NULL) is its source:
 * with it a refusal of a register points at the register itself. The case
 * goes to asm_out and the map to map_out (each may be NULL) only when the
 * whole scenario compiles; messages go to diag (may be NULL).
 */
enum scn2asm_status scn2asm_compile(const struct scn_scenario *s, const char *text, size_t len, FILE *asm_out,
                                    FILE *map_out, FILE *diag);

/* Parse len bytes of text named `filename`, then scn2asm_compile(). */
enum scn2asm_status scn2asm_compile_text(const char *text, size_t len, const char *filename, FILE *asm_out,
                                         FILE *map_out, FILE *diag);

/* What the compiler does with each operation of the processor model (enum vmx_op). */
enum scn2asm_support {
	SCN2ASM_UNKNOWN = 0,     /* a new operation nobody decided about: a test fails */
	SCN2ASM_COMPILED,        /* always compiled */
	SCN2ASM_CONDITIONAL,     /* compiled, or refused for some operands, programs or VMCSs */
	SCN2ASM_NEVER,           /* always refused */
};

enum scn2asm_support scn2asm_op_support(enum vmx_op op);

#ifdef __cplusplus
}
#endif
#endif
