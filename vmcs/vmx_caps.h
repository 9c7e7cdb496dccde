/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmx_caps.h - VMX capability MSRs (SDM App. A "VMX Capability Reporting
 * Facility"): allowed-0 settings in bits 31:0 (a 1 there means the control
 * must be 1), allowed-1 settings in bits 63:32 (a 0 there means the control
 * must be 0).
 */
#ifndef VMXSIM_VMX_CAPS_H
#define VMXSIM_VMX_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "vmcs/vmx_controls.h"
#include "vmcs/x86_cr.h"    /* X86_CR0_*, X86_CR4_*, EFER_*, VMX_EPTP_* */
#include "vmcs/x86_msr.h"   /* MSR_IA32_VMX_* */

#ifdef __cplusplus
extern "C" {
#endif

#define VMX_BASIC_REVISION_MASK 0x7fffffffull    /* 30:0 */
#define VMX_BASIC_VMCS_SIZE_SHIFT 32              /* 44:32: bytes of the VMXON and VMCS regions */
#define VMX_BASIC_VMCS_SIZE_MASK 0x1fffull
#define VMX_BASIC_MEM_TYPE_SHIFT 50               /* 53:50: memory type of the VMCS and its structures */
#define VMX_BASIC_MEM_TYPE_MASK 0xfull
#define VMX_BASIC_MEM_TYPE_WB 6u
#define VMX_BASIC_INOUT (1ull << 54)              /* 54: INS/OUTS info */
#define VMX_BASIC_TRUE_CTLS (1ull << 55)          /* 55: TRUE capability MSRs */
#define VMX_BASIC_NO_HW_ERROR_CODE_CC (1ull << 56) /* 56: no error-code consistency check (R7) */

#define VMX_MISC_PREEMPTION_TIMER_RATE_MASK 0x1full /* 4:0: timer ticks every 2^X TSC cycles */
#define VMX_MISC_SAVE_EFER_LMA (1ull << 5)
#define VMX_MISC_ACTIVITY_HLT (1ull << 6)
#define VMX_MISC_ACTIVITY_SHUTDOWN (1ull << 7)
#define VMX_MISC_ACTIVITY_WAIT_SIPI (1ull << 8)
#define VMX_MISC_CR3_TARGETS_SHIFT 16             /* 24:16: number of CR3-target values */
#define VMX_MISC_CR3_TARGETS_MASK 0x1ffull
#define VMX_MISC_VMWRITE_SHADOW_RO_FIELDS (1ull << 29) /* 29: VMWRITE to exit-information fields */
#define VMX_MISC_ZERO_LEN_INS (1ull << 30)        /* 30: zero-length soft-event injection (R8) */
/* IA32_VMX_EPT_VPID_CAP (App. A.10): the bits the VM-entry checks of the EPT pointer read. */
#define VMX_EPT_CAP_WALK_4 (1ull << 6)            /* 6: page-walk length 4 */
#define VMX_EPT_CAP_WALK_5 (1ull << 7)            /* 7: page-walk length 5 */
#define VMX_EPT_CAP_UC (1ull << 8)                /* 8: paging structures may be uncacheable */
#define VMX_EPT_CAP_WB (1ull << 14)               /* 14: paging structures may be write-back */
#define VMX_EPT_CAP_AD (1ull << 21)               /* 21: accessed and dirty flags for EPT */

struct vmx_caps {
	uint64_t basic;           /* IA32_VMX_BASIC */
	uint64_t pinbased_ctls;   /* IA32_VMX_PINBASED_CTLS */
	uint64_t procbased_ctls;  /* IA32_VMX_PROCBASED_CTLS */
	uint64_t procbased_ctls2; /* IA32_VMX_PROCBASED_CTLS2 (0 if no secondary controls) */
	uint64_t exit_ctls;       /* IA32_VMX_EXIT_CTLS */
	uint64_t entry_ctls;      /* IA32_VMX_ENTRY_CTLS */
	uint64_t misc;            /* IA32_VMX_MISC */
	/*
	 * The TRUE capability MSRs, which exist when BASIC bit 55 is 1 (0
	 * otherwise): the same allowed-1 settings, and allowed-0 settings in
	 * which some default-1 controls may be 0 (SDM App. A.2). A VM entry
	 * checks the controls against them when they exist.
	 */
	uint64_t true_pinbased_ctls;   /* IA32_VMX_TRUE_PINBASED_CTLS */
	uint64_t true_procbased_ctls;  /* IA32_VMX_TRUE_PROCBASED_CTLS */
	uint64_t true_exit_ctls;       /* IA32_VMX_TRUE_EXIT_CTLS */
	uint64_t true_entry_ctls;      /* IA32_VMX_TRUE_ENTRY_CTLS */
	/*
	 * The bits of CR0 and CR4 fixed in VMX operation (App. A.7, A.8): a
	 * bit 1 in FIXED0 must be 1, a bit 0 in FIXED1 must be 0 (bits 63:32
	 * of FIXED1 are 0, so those of CR0 and CR4 must be 0). Checked of the
	 * host and guest CR0/CR4 at VM entry (26.2.2, 26.3.1.1), and read
	 * with RDMSR.
	 */
	uint64_t cr0_fixed0, cr0_fixed1; /* IA32_VMX_CR0_FIXED0/1 */
	uint64_t cr4_fixed0, cr4_fixed1; /* IA32_VMX_CR4_FIXED0/1 */
	/*
	 * IA32_VMX_EPT_VPID_CAP as far as the EPT-pointer checks of VM entry
	 * read it (VMX_EPT_CAP_*; 0 without EPT). RDMSR of it is not modelled.
	 */
	uint64_t ept_vpid_cap;
};

static inline uint32_t vmx_allowed0(uint64_t msr) { return (uint32_t)msr; }
static inline uint32_t vmx_allowed1(uint64_t msr) { return (uint32_t)(msr >> 32); }

/* A control word is valid if every must-be-1 bit is 1 and every must-be-0 bit is 0. */
static inline bool vmx_control_word_valid(uint64_t msr, uint32_t value)
{
	return (value & vmx_allowed0(msr)) == vmx_allowed0(msr) &&
	       (value & ~vmx_allowed1(msr)) == 0;
}

/* Does the processor report the TRUE capability MSRs (BASIC bit 55)? */
static inline bool vmx_caps_has_true_ctls(const struct vmx_caps *caps)
{
	return (caps->basic & VMX_BASIC_TRUE_CTLS) != 0;
}

/*
 * The capability MSR that governs a control word at VM entry: the TRUE MSR
 * when the processor has them (App. A.3-A.5), else the plain one. Its
 * allowed-0 bits are the controls that must be 1.
 */
uint64_t vmx_caps_for_word(const struct vmx_caps *caps, enum vmx_control_word w);

/* Can the control be set to 1 at all on this processor? */
static inline bool vmx_caps_allows(const struct vmx_caps *caps, enum vmx_control_word w, uint32_t bit_mask)
{
	return (vmx_allowed1(vmx_caps_for_word(caps, w)) & bit_mask) == bit_mask;
}

/* Is the activity state (0..3) supported for VM entry (R11)? Active always is. */
bool vmx_caps_activity_supported(const struct vmx_caps *caps, uint32_t state);

/* Value of a capability MSR by number; false if the MSR is not one of these. */
bool vmx_caps_read_msr(const struct vmx_caps *caps, uint32_t msr, uint64_t *value);

#ifdef __cplusplus
}
#endif
#endif
