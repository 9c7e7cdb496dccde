/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmx_intr_state.h - guest interruptibility state (0x4824), activity state
 * (0x4826) and the RFLAGS bits the event path reads (SDM "Guest
 * Non-Register State").
 */
#ifndef VMXSIM_VMX_INTR_STATE_H
#define VMXSIM_VMX_INTR_STATE_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GUEST_INTR_STATE_STI 0x1u           /* 0: blocking by STI */
#define GUEST_INTR_STATE_MOV_SS 0x2u        /* 1: blocking by MOV SS */
#define GUEST_INTR_STATE_SMI 0x4u           /* 2: blocking by SMI */
#define GUEST_INTR_STATE_NMI 0x8u           /* 3: blocking by NMI (virtual-NMI blocking when virtual NMIs = 1) */
#define GUEST_INTR_STATE_ENCLAVE_INTR 0x10u /* 4: enclave interruption */
#define GUEST_INTR_STATE_RESERVED 0xffffffe0u /* 31:5 */

enum guest_activity_state {
	GUEST_ACTIVITY_ACTIVE = 0,
	GUEST_ACTIVITY_HLT = 1,
	GUEST_ACTIVITY_SHUTDOWN = 2,
	GUEST_ACTIVITY_WAIT_SIPI = 3,
};

#define X86_EFLAGS_FIXED 0x2u       /* 1: always 1 */
#define X86_EFLAGS_TF 0x100u        /* 8 */
#define X86_EFLAGS_IF 0x200u        /* 9 */
/* Bits that must be 0 in guest RFLAGS (R9 area): 3, 5, 15, 63:22. */
#define X86_EFLAGS_RESERVED_ZERO 0xffffffffffc08028ull

#define PENDING_DBG_BS 0x4000u          /* 14: single step */
#define PENDING_DBG_RESERVED 0xffffffffffffaff0ull /* 63:15, 13, 11:4 must be 0 */
#define DR7_BREAKPOINT_ENABLES 0xffu    /* 7:0: L0, G0 ... L3, G3 */

static inline bool intr_state_blocked_by_sti(uint32_t s) { return (s & GUEST_INTR_STATE_STI) != 0; }
static inline bool intr_state_blocked_by_mov_ss(uint32_t s) { return (s & GUEST_INTR_STATE_MOV_SS) != 0; }
static inline bool intr_state_blocked_by_nmi(uint32_t s) { return (s & GUEST_INTR_STATE_NMI) != 0; }

/* "active", "hlt", "shutdown", "wait-for-sipi"; NULL for other values. */
const char *guest_activity_name(uint32_t state);

#ifdef __cplusplus
}
#endif
#endif
