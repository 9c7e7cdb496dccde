/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x86_debugreg.h - the debug registers DR0-DR3, DR6 and DR7 and RFLAGS.RF
 * (SDM Vol. 3B "Debug Registers"), and which DR7 settings the model refuses.
 *
 * Shared by the processor model (model/hw/breakpoint.c) and the scenario
 * front end, which refuses a constant DR7 value at parse time with the same
 * words the processor uses for one it meets at run time.
 */
#ifndef VMXSIM_X86_DEBUGREG_H
#define VMXSIM_X86_DEBUGREG_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define X86_EFLAGS_RF 0x10000u        /* 16: resume flag, suppresses code breakpoints for one instruction */

#define DR6_B0_B3 0xfu                /* 3:0: breakpoint conditions detected */
#define DR6_BS 0x4000u                /* 14: single step */
#define DR6_FIXED_1 0xffff0ff0u       /* reads as 1 (bit 16: no RTM); the value at reset */
#define DR6_WRITABLE 0xe00fu          /* B0-B3, BD, BS, BT */
#define DR7_FIXED_1 0x400u            /* bit 10 reads as 1; the value at reset and after a VM exit */
#define DR7_GD 0x2000u                /* 13: general detect */
#define DR7_WRITABLE 0xffff23ffu      /* L0-G3, LE, GE, GD, R/W0-LEN3 (11, 12, 14, 15 read as 0) */
#define DR_UPPER_RESERVED 0xffffffff00000000ull /* MOV to DR6/DR7 with one of these set: #GP(0) */

/* DR7's R/W field of breakpoint n: 00 instruction, 01 data write, 10 I/O, 11 data read or write. */
static inline uint32_t dr7_rw(uint64_t dr7, unsigned n) { return (uint32_t)(dr7 >> (16 + 4 * n)) & 3u; }
static inline uint32_t dr7_len(uint64_t dr7, unsigned n) { return (uint32_t)(dr7 >> (18 + 4 * n)) & 3u; }
static inline bool dr7_enabled(uint64_t dr7, unsigned n) { return ((dr7 >> (2 * n)) & 3u) != 0; }

/*
 * NULL, or why the model cannot run with this DR7: only instruction
 * breakpoints are modelled (the programs' instructions have addresses; they
 * make no data accesses at linear addresses, and there is no CR4.DE or I/O
 * breakpoint), and not general detect (the next MOV DR would fault).
 */
static inline const char *dr7_not_modelled(uint64_t dr7)
{
	if (dr7 & DR7_GD)
		return "general detect (DR7.GD, bit 13: a MOV DR would raise #DB)";
	for (unsigned n = 0; n < 4; n++) {
		if (!dr7_enabled(dr7, n))
			continue;
		if (dr7_rw(dr7, n) == 1 || dr7_rw(dr7, n) == 3)
			return "data breakpoints (DR7 R/W = 01 or 11 for an enabled breakpoint: the model's instructions "
			       "make no data accesses at linear addresses)";
		if (dr7_rw(dr7, n) == 2)
			return "I/O breakpoints (DR7 R/W = 10 for an enabled breakpoint: no CR4.DE in the model)";
		if (dr7_len(dr7, n) != 0)
			return "an instruction breakpoint with DR7 LEN not 00 (the SDM leaves its effect undefined)";
	}
	return NULL;
}

#ifdef __cplusplus
}
#endif
#endif
