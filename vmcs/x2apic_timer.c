/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x2apic_timer.c - the divide encoding and the writable bits of the local
 * APIC timer's registers (see x2apic_timer.h).
 */
#include "vmcs/x2apic_timer.h"

#include "vmcs/x86_msr.h"

uint32_t apic_timer_divide(uint32_t dcr)
{
	/* Bits 3, 1, 0 form a 3-bit value v: divide by 2^(v+1), and 111b divides by 1. */
	uint32_t v = ((dcr >> 1) & 4u) | (dcr & 3u);
	return v == 7u ? 1u : 2u << v;
}

bool apic_timer_dcr_of(uint32_t divide, uint32_t *dcr)
{
	for (uint32_t v = 0; v < 8; v++) {
		uint32_t d = ((v & 4u) << 1) | (v & 3u);
		if (apic_timer_divide(d) == divide) {
			*dcr = d;
			return true;
		}
	}
	return false;
}

bool apic_timer_value_ok(uint32_t msr, uint64_t value)
{
	switch (msr) {
	case MSR_IA32_X2APIC_LVT_TIMER:
		return (value & ~(uint64_t)(APIC_LVT_TIMER_WRITABLE | APIC_LVT_DELIVERY_STATUS)) == 0 &&
		       (value & APIC_LVT_TIMER_MODE_MASK) != APIC_LVT_TIMER_MODE_MASK;
	case MSR_IA32_X2APIC_DIV_CONF:
		return (value & ~(uint64_t)APIC_TDCR_MASK) == 0;
	case MSR_IA32_X2APIC_INIT_COUNT:
		return value <= UINT32_MAX;
	default:
		return false;
	}
}
