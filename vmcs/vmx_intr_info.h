/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmx_intr_info.h - the interruption-information format shared by the
 * VM-entry field (0x4016), the VM-exit field (0x4404) and the IDT-vectoring
 * field (0x4408); SDM "VM-Entry Controls for Event Injection" and
 * "Information for VM Exits Due to Vectored Events".
 */
#ifndef VMXSIM_VMX_INTR_INFO_H
#define VMXSIM_VMX_INTR_INFO_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define INTR_INFO_VECTOR_MASK 0xffu             /* 7:0 */
#define INTR_INFO_INTR_TYPE_MASK 0x700u         /* 10:8 */
#define INTR_INFO_INTR_TYPE_SHIFT 8
#define INTR_INFO_DELIVER_CODE_MASK 0x800u      /* 11 */
#define INTR_INFO_UNBLOCK_NMI 0x1000u           /* 12: exit field only (R17) */
#define INTR_INFO_RESVD_BITS_MASK 0x7ffff000u   /* 30:12 (entry field: must be 0, R6) */
#define INTR_INFO_VALID_MASK 0x80000000u        /* 31 */

#define INTR_TYPE_EXT_INTR (0u << 8)            /* external interrupt */
#define INTR_TYPE_RESERVED (1u << 8)            /* illegal in the entry field (R6) */
#define INTR_TYPE_NMI_INTR (2u << 8)            /* NMI */
#define INTR_TYPE_HARD_EXCEPTION (3u << 8)      /* hardware exception */
#define INTR_TYPE_SOFT_INTR (4u << 8)           /* software interrupt (INT n) */
#define INTR_TYPE_PRIV_SW_EXCEPTION (5u << 8)   /* privileged software exception (INT1) */
#define INTR_TYPE_SOFT_EXCEPTION (6u << 8)      /* software exception (INT3, INTO) */
#define INTR_TYPE_OTHER_EVENT (7u << 8)         /* entry only: pending MTF, vector 0 */

/* Exception vectors the model names. */
#define DE_VECTOR 0
#define DB_VECTOR 1
#define NMI_VECTOR 2
#define BP_VECTOR 3
#define OF_VECTOR 4
#define UD_VECTOR 6
#define DF_VECTOR 8
#define TS_VECTOR 10
#define NP_VECTOR 11
#define SS_VECTOR 12
#define GP_VECTOR 13
#define PF_VECTOR 14
#define AC_VECTOR 17
#define MC_VECTOR 18

static inline uint32_t intr_info_make(uint32_t type, uint8_t vector, bool deliver_code)
{
	return INTR_INFO_VALID_MASK | (type & INTR_INFO_INTR_TYPE_MASK) |
	       (deliver_code ? INTR_INFO_DELIVER_CODE_MASK : 0u) | vector;
}

static inline bool intr_info_valid(uint32_t info)
{
	return (info & INTR_INFO_VALID_MASK) != 0;
}

static inline uint32_t intr_info_type(uint32_t info)
{
	return info & INTR_INFO_INTR_TYPE_MASK;
}

static inline uint8_t intr_info_vector(uint32_t info)
{
	return (uint8_t)(info & INTR_INFO_VECTOR_MASK);
}

static inline bool intr_info_has_error_code(uint32_t info)
{
	return (info & INTR_INFO_DELIVER_CODE_MASK) != 0;
}

/* Types 4, 5 and 6 carry an instruction length (R8, R14, R20). */
static inline bool intr_type_is_soft(uint32_t type)
{
	return type == INTR_TYPE_SOFT_INTR || type == INTR_TYPE_PRIV_SW_EXCEPTION ||
	       type == INTR_TYPE_SOFT_EXCEPTION;
}

/* Vectors that push an error code in protected mode (R7). */
static inline bool exception_has_error_code(uint8_t vector)
{
	return vector == DF_VECTOR || vector == TS_VECTOR || vector == NP_VECTOR ||
	       vector == SS_VECTOR || vector == GP_VECTOR || vector == PF_VECTOR ||
	       vector == AC_VECTOR;
}

/* Name of an interruption type ("ext-intr", "nmi", ...). */
const char *intr_type_name(uint32_t type);

#ifdef __cplusplus
}
#endif
#endif
