/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtual_apic.h - the two pieces of memory APIC virtualization reads and
 * writes (SDM Vol. 3C "APIC Virtualization and Virtual Interrupts"): the
 * registers of the virtual-APIC page (30.1) that the processor itself uses,
 * and the posted-interrupt descriptor (30.6). Plain data: the processor
 * model's rules on them are model/hw/vapic.c and model/hw/posted_intr.c.
 */
#ifndef VMXSIM_VIRTUAL_APIC_H
#define VMXSIM_VIRTUAL_APIC_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Offsets on the virtual-APIC page (30.1.1); an x2APIC MSR 0x8nn is offset 0xnn0 (30.5). */
#define VAPIC_TPR 0x080u
#define VAPIC_PPR 0x0a0u
#define VAPIC_EOI 0x0b0u
#define VAPIC_ISR 0x100u        /* eight 32-bit registers, 16 bytes apart */
#define VAPIC_IRR 0x200u
#define VAPIC_ICR_LO 0x300u
#define VAPIC_ICR_HI 0x310u
#define VAPIC_SELF_IPI 0x3f0u

/*
 * The registers of the virtual-APIC page the processor reads or writes
 * itself. Every other byte of the page reads as 0: the language has no
 * instruction that stores to them.
 */
struct virtual_apic_page {
	uint32_t tpr;        /* VTPR (0x80) */
	uint32_t ppr;        /* VPPR (0xa0) */
	uint32_t eoi;        /* VEOI (0xb0) */
	uint64_t isr[4];     /* VISR (0x100-0x170): bit n = vector n */
	uint64_t irr[4];     /* VIRR (0x200-0x270) */
	uint32_t icr_lo;     /* VICR low (0x300) */
	uint32_t icr_hi;     /* VICR high (0x310) */
	uint32_t self_ipi;   /* 0x3f0: the x2APIC SELF IPI register as virtualized writes leave it */
};

/* The posted-interrupt descriptor (30.6, Table 30-1): PIR (bits 255:0) and ON (bit 256). */
struct posted_intr_desc {
	uint64_t pir[4];
	bool on;
};

/* The 32-bit register at `offset` (16-byte aligned, below 0x400); 0 where the model keeps nothing. */
uint32_t virtual_apic_read32(const struct virtual_apic_page *p, uint32_t offset);

/* Vector bit helpers for the 256-bit registers (VISR, VIRR, PIR, the EOI-exit bitmap). */
static inline bool vec_test(const uint64_t r[4], unsigned v) { return (r[(v / 64) % 4] >> (v % 64)) & 1u; }
static inline void vec_set(uint64_t r[4], unsigned v) { r[(v / 64) % 4] |= 1ull << (v % 64); }
static inline void vec_clear(uint64_t r[4], unsigned v) { r[(v / 64) % 4] &= ~(1ull << (v % 64)); }

/* The highest vector set, or -1. */
static inline int vec_highest(const uint64_t r[4])
{
	for (int w = 3; w >= 0; w--)
		if (r[w])
			return w * 64 + 63 - __builtin_clzll(r[w]);
	return -1;
}

#ifdef __cplusplus
}
#endif
#endif
