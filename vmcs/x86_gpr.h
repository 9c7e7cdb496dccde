/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x86_gpr.h - general registers and the arithmetic flags the guest
 * programs' compare-and-branch instructions use (SDM Vol. 1, 3.4.3.1).
 */
#ifndef VMXSIM_X86_GPR_H
#define VMXSIM_X86_GPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define X86_NGPR 16

enum x86_gpr {
#define X86_GPR(num, name, modelled) X86_GPR_##name = num,
#include "vmcs/x86_gprs.def"
#undef X86_GPR
};

/* Status flags of RFLAGS. */
#define X86_EFLAGS_CF 0x1u     /* 0 */
#define X86_EFLAGS_PF 0x4u     /* 2 */
#define X86_EFLAGS_AF 0x10u    /* 4 */
#define X86_EFLAGS_ZF 0x40u    /* 6 */
#define X86_EFLAGS_SF 0x80u    /* 7 */
#define X86_EFLAGS_OF 0x800u   /* 11 */
#define X86_EFLAGS_STATUS (X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | X86_EFLAGS_ZF | X86_EFLAGS_SF | \
                           X86_EFLAGS_OF)

/* Conditions of the Jcc instructions the language has (unsigned compares and ZF). */
enum x86_cond {
	X86_CC_E,    /* ZF = 1 (je, jz) */
	X86_CC_NE,   /* ZF = 0 */
	X86_CC_B,    /* CF = 1 (jb, jc): also VMfailInvalid */
	X86_CC_AE,   /* CF = 0 */
	X86_CC_BE,   /* CF = 1 or ZF = 1: any VMfail */
	X86_CC_A,    /* CF = 0 and ZF = 0 */
	X86_CC_COUNT
};

static inline bool x86_cond_holds(enum x86_cond c, uint64_t rflags)
{
	bool cf = (rflags & X86_EFLAGS_CF) != 0, zf = (rflags & X86_EFLAGS_ZF) != 0;

	switch (c) {
	case X86_CC_E: return zf;
	case X86_CC_NE: return !zf;
	case X86_CC_B: return cf;
	case X86_CC_AE: return !cf;
	case X86_CC_BE: return cf || zf;
	case X86_CC_A: return !cf && !zf;
	case X86_CC_COUNT: break;
	}
	return false;
}

/* "rax"; NULL for a number that is not a register. */
const char *x86_gpr_name(uint32_t reg);

/* Register by name; -1 if the name is not a register. */
int x86_gpr_lookup(const char *name, size_t len);

/* Does the model keep this register for guest programs? (RSP: no) */
bool x86_gpr_modelled(uint32_t reg);

#ifdef __cplusplus
}
#endif
#endif
