/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scn_common.h - what every part of a scenario description shares: the
 * parser's hard limits, source locations and errors, times with their
 * units, levels (front/scenario.h has the whole description).
 */
#ifndef VMXSIM_FRONT_SCN_COMMON_H
#define VMXSIM_FRONT_SCN_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Hard limits; exceeding one is a located parse error. */
#define SCN_MAX_INPUT_BYTES (16u << 20) /* whole file */
#define SCN_MAX_LINE_BYTES 4096u        /* one line, without its newline */
#define SCN_MAX_NAME_BYTES 64u          /* one identifier or number token */
#define SCN_MAX_INSNS 65536u            /* guest instructions, all blocks together */
#define SCN_MAX_LABELS 16384u           /* labels, all blocks together */
#define SCN_MAX_STIMULI 4096u
#define SCN_MAX_EXPECTS 1024u
#define SCN_MAX_SWITCHES 64u            /* L0 switches */
#define SCN_MAX_VMCS_SETUPS 256u        /* `vmcs` lines per guest block */
#define SCN_MAX_MSR_INTERCEPTS 256u     /* `msr-bitmap` lines per guest block */
#define SCN_MAX_REGIONS 64u             /* `vmcs-region` lines per guest block */
#define SCN_MAX_TERMS 32u               /* terms of one `A|B|...` value */
#define SCN_MAX_VCPUS 64u
#define SCN_MAX_VARS 64u                /* what may vary, for exploration */
#define SCN_MAX_CHOICES 32u             /* alternatives of one `choose` */
#define SCN_MAX_TSC_HZ 100000000000ull  /* 100 GHz */
#define SCN_MAX_SECONDS 1000000ull      /* longest time: 10^6 s, in any unit */
#define SCN_MAX_CYCLES 100000000000000000ull /* 10^17 cycles */

#define SCN_ERROR_MSG_MAX 1024

/* A source position; 1-based. Line 0 means "not from the text". */
struct scn_loc {
	uint32_t line;
	uint32_t col; /* byte column */
};

struct scn_error {
	const char *file;             /* borrowed: the name given to scn_parse() */
	uint32_t line;                /* 0 when the file could not be read */
	uint32_t col;
	char msg[SCN_ERROR_MSG_MAX];  /* names what was expected */
};

/* Times: a value and the unit it was written in (`5000`, `2k`, `1.5ms`). */
enum scn_unit {
	SCN_UNIT_CYCLES,
	SCN_UNIT_NS,
	SCN_UNIT_US,
	SCN_UNIT_MS,
	SCN_UNIT_S,
};

struct scn_time {
	uint64_t value;
	enum scn_unit unit;
};

enum scn_level {
	SCN_L0 = 0,  /* the host: L0 hypervisor */
	SCN_L1 = 1,  /* a single-level guest, or the L1 hypervisor */
	SCN_L2 = 2,  /* the guest of L1 */
};

#define SCN_ANY (-1)  /* a filter that matches every level / vCPU / vector */
#define SCN_NMI (-2)  /* an event argument meaning "the NMI", not a vector */

#ifdef __cplusplus
}
#endif

#endif
