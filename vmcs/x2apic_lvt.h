/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x2apic_lvt.h - the LVT CMCI register of the local APIC (SDM Vol. 3A
 * "Local Vector Table"; x2APIC MSR 82FH): the vector, the delivery mode
 * and the mask of the corrected machine-check interrupt.
 *
 * The LVT CMCI supports three delivery modes: fixed, SMI and NMI (ExtINT
 * and INIT are "not supported" for it, 110 for any LVT register). Fixed
 * and NMI are modelled; SMI belongs to SMM, which the model does not have.
 */
#ifndef VMXSIM_X2APIC_LVT_H
#define VMXSIM_X2APIC_LVT_H

#include <stdbool.h>
#include <stdint.h>

#include "vmcs/x2apic_timer.h"

#define APIC_LVT_DELIVERY_MODE_MASK (7u << 8)
#define APIC_LVT_DM_FIXED (0u << 8)
#define APIC_LVT_DM_SMI (2u << 8)
#define APIC_LVT_DM_NMI (4u << 8)

/* What a WRMSR may set; the delivery status (bit 12) is read-only and ignored. Anything else is #GP. */
#define APIC_LVT_CMCI_WRITABLE (APIC_LVT_VECTOR_MASK | APIC_LVT_DELIVERY_MODE_MASK | APIC_LVT_MASKED)

/* Reserved bits set: #GP in x2APIC mode. */
static inline bool apic_lvt_cmci_reserved(uint64_t value)
{
	return (value & ~(uint64_t)(APIC_LVT_CMCI_WRITABLE | APIC_LVT_DELIVERY_STATUS)) != 0;
}

/* NULL, or why the model cannot run with this LVT CMCI value (the delivery mode). */
static inline const char *apic_lvt_cmci_not_modelled(uint64_t value)
{
	switch ((uint32_t)value & APIC_LVT_DELIVERY_MODE_MASK) {
	case APIC_LVT_DM_FIXED:
	case APIC_LVT_DM_NMI:
		return NULL;
	case APIC_LVT_DM_SMI:
		return "the LVT CMCI's SMI delivery mode (SMM)";
	default:
		return "an LVT CMCI delivery mode other than fixed, SMI or NMI (the SDM does not support it for the "
		       "LVT CMCI: its effect is undefined)";
	}
}

#endif
