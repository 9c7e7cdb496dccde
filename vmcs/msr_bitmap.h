/* SPDX-License-Identifier: Apache-2.0 */
/*
 * msr_bitmap.h - the 4-KByte MSR-bitmap page (SDM Vol. 3C 25.6.9): four
 * 1-KByte bitmaps, read-low (MSRs 0-1FFFH), read-high (C0000000H-C0001FFFH),
 * write-low and write-high, one bit per MSR. With "use MSR bitmaps" = 1 a
 * RDMSR or WRMSR in VMX non-root operation exits when the MSR's bit is 1 or
 * the MSR is outside both ranges (26.1.3); a 0 bit lets it execute.
 */
#ifndef VMXSIM_MSR_BITMAP_H
#define VMXSIM_MSR_BITMAP_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MSR_BITMAP_BYTES 4096u

/* One MSR-bitmap page, as it is in memory. */
struct msr_bitmap {
	uint8_t bytes[MSR_BITMAP_BYTES];
};

/* Is the MSR in one of the two ranges the bitmaps cover? */
static inline bool msr_bitmap_covers(uint32_t msr)
{
	return msr <= 0x1fffu || (msr >= 0xc0000000u && msr <= 0xc0001fffu);
}

/*
 * Does a RDMSR (write = false) or WRMSR of `msr` exit? page NULL means no
 * memory behind the address: reads of it return all ones, so every MSR exits.
 */
bool msr_bitmap_exits(const struct msr_bitmap *page, uint32_t msr, bool write);

/* Set (intercept) or clear (let through) the MSR's bit; false if the bitmaps do not cover it. */
bool msr_bitmap_set(struct msr_bitmap *page, uint32_t msr, bool write, bool intercept);

/* One bit to set, as a hypervisor's setup writes it (a scenario's `msr-bitmap intercept` line). */
struct msr_bitmap_bit {
	uint32_t msr;
	bool write;
};

/* Set each listed bit (MSRs the bitmaps do not cover are skipped: callers validate them). */
void msr_bitmap_intercept(struct msr_bitmap *page, const struct msr_bitmap_bit *bits, uint32_t n);

#ifdef __cplusplus
}
#endif
#endif
