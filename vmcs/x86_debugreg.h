/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x86_debugreg.h - the debug registers DR0-DR3, DR6 and DR7 and RFLAGS.RF
 * (SDM Vol. 3B "Debug Registers"), which DR7 settings the model refuses,
 * and which I/O and data breakpoints an access matches.
 *
 * Shared by the processor model (model/hw/breakpoint.c) and the scenario
 * front end, which refuses a constant DR7 value at parse time with the same
 * words the processor uses for one it meets at run time.
 */
#ifndef VMXSIM_X86_DEBUGREG_H
#define VMXSIM_X86_DEBUGREG_H

#include <stdbool.h>
#include <stdint.h>

#include "vmcs/x86_cr.h"          /* X86_CR4_DE */
#include "vmcs/x86_data_area.h"   /* the data area, where data breakpoints are modelled */

#ifdef __cplusplus
extern "C" {
#endif

#define X86_EFLAGS_RF 0x10000u        /* 16: resume flag, suppresses code breakpoints for one instruction */

#define DR6_B0_B3 0xfu                /* 3:0: breakpoint conditions detected */
#define DR6_BD 0x2000u                /* 13: debug-register access detected (general detect) */
#define DR6_BS 0x4000u                /* 14: single step */
#define DR6_BT 0x8000u                /* 15: task switch (the TSS T flag; no task switch is modelled) */
#define DR6_FIXED_1 0xffff0ff0u       /* reads as 1 (bit 16: no RTM); the value at reset */
#define DR6_WRITABLE 0xe00fu          /* B0-B3, BD, BS, BT */
#define DR7_FIXED_1 0x400u            /* bit 10 reads as 1; the value at reset and after a VM exit */
#define DR7_GD 0x2000u                /* 13: general detect */
#define DR7_WRITABLE 0xffff23ffu      /* L0-G3, LE, GE, GD, R/W0-LEN3 (11, 12, 14, 15 read as 0) */
#define DR_UPPER_RESERVED 0xffffffff00000000ull /* MOV to DR6/DR7 with one of these set: #GP(0) */

/*
 * IA32_DEBUGCTL (MSR 1D9H; SDM Vol. 3B "Debug Control MSR"), as VM entry
 * loads it from GUEST_IA32_DEBUGCTL with the load-debug-controls control.
 * Of its bits BTF changes what the model does (debug.c); TR with BTS would
 * store branch records to memory the model does not keep (refused,
 * vmx_not_modelled.c); the rest record branches in MSRs no program reads or
 * act on performance monitoring, SMM or RTM, which the model does not have.
 */
#define DEBUGCTLMSR_BTF 0x2u                    /* 1: single-step on branches */
#define DEBUGCTL_TR 0x40u                       /* 6: trace messages */
#define DEBUGCTL_BTS 0x80u                      /* 7: branch trace store (with TR) */
#define DEBUGCTL_RESERVED 0xffffffffffff003cull /* 5:2 and 63:16 */
#define DEBUGCTLMSR_LBR 0x1u                    /* 0: last-branch records */
/* Why TR with BTS is refused, wherever the value comes from (an entry's load, a WRMSR). */
#define DEBUGCTL_BTS_NOT_MODELLED                                                                          \
	"branch trace store (IA32_DEBUGCTL.TR and BTS, bits 6 and 7: the processor would store branch records " \
	"to the DS save area, memory the model does not keep)"

/* DR7's R/W field of breakpoint n: 00 instruction, 01 data write, 10 I/O, 11 data read or write. */
static inline uint32_t dr7_rw(uint64_t dr7, unsigned n) { return (uint32_t)(dr7 >> (16 + 4 * n)) & 3u; }
static inline uint32_t dr7_len(uint64_t dr7, unsigned n) { return (uint32_t)(dr7 >> (18 + 4 * n)) & 3u; }
static inline bool dr7_enabled(uint64_t dr7, unsigned n) { return ((dr7 >> (2 * n)) & 3u) != 0; }

/*
 * The bytes breakpoint n covers (SDM Vol. 3B "Debug Control Register
 * (DR7)"): LEN 00 one, 01 two, 11 four, and 10 eight - defined for data
 * breakpoints in 64-bit mode, where the programs run; undefined for an
 * I/O breakpoint (refused below) and for an instruction breakpoint (which
 * must have LEN 00).
 */
static inline uint64_t dr7_len_bytes(uint64_t dr7, unsigned n)
{
	static const uint8_t bytes[4] = {1, 2, 8, 4};
	return bytes[dr7_len(dr7, n)];
}

/* DRn as the processor compares it: masked to the alignment of its length (SDM "Breakpoint Field Recognition"). */
static inline uint64_t dr7_range_lo(uint64_t dr7, const uint64_t dr[4], unsigned n)
{
	return dr[n] & ~(dr7_len_bytes(dr7, n) - 1);
}

static inline bool dr7_is_data(uint64_t dr7, unsigned n)
{
	return dr7_rw(dr7, n) == 1 || dr7_rw(dr7, n) == 3;
}

/*
 * NULL, or why the model cannot run with this DR7 whatever CR4.DE and
 * DR0-DR3 are (the scenario front end asks this of a constant before
 * either is known):
 *  - LEN other than 00 on an instruction breakpoint: the SDM leaves it
 *    undefined ("Debug Control Register (DR7)");
 *  - LEN 10 on an I/O breakpoint: the SDM defines the 8-byte length only
 *    for data breakpoints, on some processors, and undefined elsewhere.
 * General detect (GD), I/O breakpoints with CR4.DE = 1 and data
 * breakpoints in the data area are modelled (breakpoint.c).
 */
static inline const char *dr7_not_modelled_any_cr4(uint64_t dr7)
{
	for (unsigned n = 0; n < 4; n++) {
		if (!dr7_enabled(dr7, n))
			continue;
		if (dr7_rw(dr7, n) == 2 && dr7_len(dr7, n) == 2)
			return "an I/O breakpoint with DR7 LEN = 10 (the SDM defines the 8-byte length only for data "
			       "breakpoints)";
		if (dr7_rw(dr7, n) == 0 && dr7_len(dr7, n) != 0)
			return "an instruction breakpoint with DR7 LEN not 00 (the SDM leaves its effect undefined)";
	}
	return NULL;
}

/*
 * NULL, or why the model cannot run with this DR7, these DR0-DR3 and this
 * CR4: the above; an enabled data breakpoint (R/W 01 or 11) whose range
 * is not inside the data area (vmcs/x86_data_area.h: outside it the
 * accesses of delivery, IRET and the VMX instructions have no linear
 * address to compare); and R/W = 10 with CR4.DE = 0, which the SDM leaves
 * undefined (it is an I/O breakpoint only with the debug extensions).
 */
static inline const char *dr7_not_modelled(uint64_t dr7, const uint64_t dr[4], uint64_t cr4)
{
	const char *why = dr7_not_modelled_any_cr4(dr7);

	if (why)
		return why;
	for (unsigned n = 0; n < 4; n++) {
		if (!dr7_enabled(dr7, n))
			continue;
		if (dr7_is_data(dr7, n) && !vmx_data_area_holds(dr7_range_lo(dr7, dr, n), dr7_len_bytes(dr7, n)))
			return "a data breakpoint outside the data area (DR7 R/W = 01 or 11 for an enabled breakpoint whose "
			       "DRn range is not within 0x40000000-0x4000003f, where `load`, `store` and `mov-ss ADDR` "
			       "access data; the IDT, the interrupt frames and the VMX regions have no linear address the "
			       "breakpoint could be compared with)";
		if (dr7_rw(dr7, n) == 2 && !(cr4 & X86_CR4_DE))
			return "DR7 R/W = 10 for an enabled breakpoint with CR4.DE = 0 (the SDM leaves it undefined; it is "
			       "an I/O breakpoint only with CR4.DE = 1)";
	}
	return NULL;
}

/* The same question once a MOV makes DRn (n < 4) `value`: the range of an enabled data breakpoint moves with it. */
static inline const char *dr7_not_modelled_with_dr(uint64_t dr7, const uint64_t dr[4], unsigned n, uint64_t value,
                                                   uint64_t cr4)
{
	uint64_t moved[4] = {dr[0], dr[1], dr[2], dr[3]};

	moved[n & 3u] = value;
	return dr7_not_modelled(dr7, moved, cr4);
}

/*
 * The I/O breakpoints an access of `size` bytes at `port` matches (SDM Vol.
 * 3B "Breakpoint Field Recognition"): DRn, masked to the alignment of its
 * LEN (1, 2 or 4 bytes), against the port zero-extended. B0-B3 in DR6's
 * layout, or 0 when no enabled breakpoint matches; when one does, every
 * I/O breakpoint that matches is reported, enabled or not, as for
 * instruction breakpoints (breakpoint.c).
 */
static inline uint32_t dr7_io_match(uint64_t dr7, const uint64_t dr[4], uint32_t port, uint32_t size)
{
	uint32_t bits = 0;
	bool enabled = false;

	for (unsigned n = 0; n < 4; n++) {
		uint64_t lo = dr7_range_lo(dr7, dr, n);

		/* LEN 10 has no length for an I/O breakpoint: refused when enabled, never a match. */
		if (dr7_rw(dr7, n) != 2 || dr7_len(dr7, n) == 2 || port + (uint64_t)size <= lo ||
		    port >= lo + dr7_len_bytes(dr7, n))
			continue;
		bits |= 1u << n;
		enabled |= dr7_enabled(dr7, n);
	}
	return enabled ? bits : 0;
}

/*
 * The data breakpoints an access of `size` bytes at linear address `addr`
 * matches (SDM Vol. 3B "Data Memory and I/O Breakpoint Exception
 * Conditions"): R/W 01 a write, R/W 11 a read or a write, when any byte of
 * the access lies in DRn's LEN-aligned range. Reported as dr7_io_match
 * reports I/O breakpoints.
 */
static inline uint32_t dr7_data_match(uint64_t dr7, const uint64_t dr[4], uint64_t addr, uint64_t size, bool write)
{
	uint32_t bits = 0;
	bool enabled = false;

	for (unsigned n = 0; n < 4; n++) {
		uint64_t lo = dr7_range_lo(dr7, dr, n);

		if (!dr7_is_data(dr7, n) || (dr7_rw(dr7, n) == 1 && !write) || addr + size <= lo ||
		    addr >= lo + dr7_len_bytes(dr7, n))
			continue;
		bits |= 1u << n;
		enabled |= dr7_enabled(dr7, n);
	}
	return enabled ? bits : 0;
}

#ifdef __cplusplus
}
#endif
#endif
