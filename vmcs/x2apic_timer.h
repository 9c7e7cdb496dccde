/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x2apic_timer.h - the registers of the local APIC timer as x2APIC MSRs
 * (SDM Vol. 3A 11.5.1, 11.5.4, 11.12.1): the layout of the LVT timer
 * register and of the divide configuration, and which values a WRMSR may
 * write. Pure data; the timer itself is model/hw/lapic_timer.h.
 */
#ifndef VMXSIM_X2APIC_TIMER_H
#define VMXSIM_X2APIC_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* LVT timer register (Figure 11-8). */
#define APIC_LVT_VECTOR_MASK 0xffu
#define APIC_LVT_DELIVERY_STATUS (1u << 12)     /* read-only: send pending */
#define APIC_LVT_MASKED (1u << 16)
#define APIC_LVT_TIMER_MODE_MASK (3u << 17)
#define APIC_LVT_TIMER_ONESHOT (0u << 17)
#define APIC_LVT_TIMER_PERIODIC (1u << 17)
#define APIC_LVT_TIMER_TSC_DEADLINE (2u << 17)
/* What software may write; mode 3 is reserved. */
#define APIC_LVT_TIMER_WRITABLE (APIC_LVT_VECTOR_MASK | APIC_LVT_MASKED | APIC_LVT_TIMER_MODE_MASK)

/* Divide configuration register (Figure 11-10): bits 0, 1 and 3. */
#define APIC_TDCR_MASK 0xbu

/* The divide value the DCR selects: 1, 2, 4, ... 128. */
uint32_t apic_timer_divide(uint32_t dcr);

/* The DCR value that selects a divide value (1, 2, 4, ... 128); false for any other. */
bool apic_timer_dcr_of(uint32_t divide, uint32_t *dcr);

/*
 * May a WRMSR write `value` to this timer register (IA32_X2APIC_LVT_TIMER,
 * _INIT_COUNT, _DIV_CONF)? False for reserved bits (#GP in x2APIC mode:
 * bits outside the register, LVT timer mode 3) and for any other MSR.
 */
bool apic_timer_value_ok(uint32_t msr, uint64_t value);

#ifdef __cplusplus
}
#endif
#endif
