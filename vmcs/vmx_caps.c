/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmx_caps.c - queries on capability MSR values.
 */
#include "vmcs/vmx_caps.h"

#include <stddef.h>
#include <string.h>

#include "vmcs/vmx_intr_state.h"

uint64_t vmx_caps_for_word(const struct vmx_caps *caps, enum vmx_control_word w)
{
	bool t = vmx_caps_has_true_ctls(caps);

	switch (w) {
	case VMX_CTL_PIN:
		return t ? caps->true_pinbased_ctls : caps->pinbased_ctls;
	case VMX_CTL_PROC:
		return t ? caps->true_procbased_ctls : caps->procbased_ctls;
	case VMX_CTL_PROC2:
		return caps->procbased_ctls2;   /* no TRUE form: it has no default-1 bits */
	case VMX_CTL_EXIT:
		return t ? caps->true_exit_ctls : caps->exit_ctls;
	case VMX_CTL_ENTRY:
		return t ? caps->true_entry_ctls : caps->entry_ctls;
	case VMX_CTL_WORD_COUNT:
		break;
	}
	return 0;
}

bool vmx_caps_activity_supported(const struct vmx_caps *caps, uint32_t state)
{
	switch (state) {
	case GUEST_ACTIVITY_ACTIVE:
		return true;
	case GUEST_ACTIVITY_HLT:
		return (caps->misc & VMX_MISC_ACTIVITY_HLT) != 0;
	case GUEST_ACTIVITY_SHUTDOWN:
		return (caps->misc & VMX_MISC_ACTIVITY_SHUTDOWN) != 0;
	case GUEST_ACTIVITY_WAIT_SIPI:
		return (caps->misc & VMX_MISC_ACTIVITY_WAIT_SIPI) != 0;
	default:
		return false;
	}
}

bool vmx_caps_read_msr(const struct vmx_caps *caps, uint32_t msr, uint64_t *value)
{
	switch (msr) {
	case MSR_IA32_VMX_BASIC:
		*value = caps->basic;
		return true;
	case MSR_IA32_VMX_PINBASED_CTLS:
		*value = caps->pinbased_ctls;
		return true;
	case MSR_IA32_VMX_PROCBASED_CTLS:
		*value = caps->procbased_ctls;
		return true;
	case MSR_IA32_VMX_EXIT_CTLS:
		*value = caps->exit_ctls;
		return true;
	case MSR_IA32_VMX_ENTRY_CTLS:
		*value = caps->entry_ctls;
		return true;
	case MSR_IA32_VMX_MISC:
		*value = caps->misc;
		return true;
	case MSR_IA32_VMX_PROCBASED_CTLS2:
		*value = caps->procbased_ctls2;
		return true;
	/* App. A.7, A.8: present on every processor with VMX. */
	case MSR_IA32_VMX_CR0_FIXED0:
		*value = caps->cr0_fixed0;
		return true;
	case MSR_IA32_VMX_CR0_FIXED1:
		*value = caps->cr0_fixed1;
		return true;
	case MSR_IA32_VMX_CR4_FIXED0:
		*value = caps->cr4_fixed0;
		return true;
	case MSR_IA32_VMX_CR4_FIXED1:
		*value = caps->cr4_fixed1;
		return true;
	default:
		break;
	}
	/* App. A.1: the TRUE MSRs exist only when IA32_VMX_BASIC[55] is 1; RDMSR of them otherwise is #GP. */
	if (!vmx_caps_has_true_ctls(caps))
		return false;
	switch (msr) {
	case MSR_IA32_VMX_TRUE_PINBASED_CTLS:
		*value = caps->true_pinbased_ctls;
		return true;
	case MSR_IA32_VMX_TRUE_PROCBASED_CTLS:
		*value = caps->true_procbased_ctls;
		return true;
	case MSR_IA32_VMX_TRUE_EXIT_CTLS:
		*value = caps->true_exit_ctls;
		return true;
	case MSR_IA32_VMX_TRUE_ENTRY_CTLS:
		*value = caps->true_entry_ctls;
		return true;
	default:
		return false;
	}
}
