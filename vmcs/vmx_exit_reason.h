/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmx_exit_reason.h - exit reasons (VM_EXIT_REASON) from vmx_exit_reasons.def.
 */
#ifndef VMXSIM_VMX_EXIT_REASON_H
#define VMXSIM_VMX_EXIT_REASON_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum vmx_exit_reason {
#define EXIT_REASON(num, name, old) EXIT_REASON_##name = num,
#include "vmcs/vmx_exit_reasons.def"
#undef EXIT_REASON
};

#define VMX_EXIT_REASON_BASIC_MASK 0xffffu           /* 15:0 */
#define VMX_EXIT_REASONS_PENDING_MTF (1u << 28)      /* 28: pending MTF VM exit (SMI) */
#define VMX_EXIT_REASONS_FAILED_VMENTRY 0x80000000u  /* 31: VM-entry failure */

/* Entry-failure exit qualifications (KVM enum vm_entry_failure_code). */
#define ENTRY_FAIL_DEFAULT 0
#define ENTRY_FAIL_PDPTE 2
#define ENTRY_FAIL_NMI 3
#define ENTRY_FAIL_VMCS_LINK_PTR 4

/* Name of a basic exit reason as kvm_exit prints it today; NULL if reserved. */
const char *vmx_exit_reason_name(uint32_t basic);

/* Name as traces printed it before the 2019 rename (reason 7: PENDING_INTERRUPT). */
const char *vmx_exit_reason_old_name(uint32_t basic);

/* Basic reason by name (current or old spelling); -1 if unknown. */
int vmx_exit_reason_by_name(const char *name);

#ifdef __cplusplus
}
#endif
#endif
