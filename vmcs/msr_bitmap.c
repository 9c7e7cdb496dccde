/* SPDX-License-Identifier: Apache-2.0 */
/*
 * msr_bitmap.c - where an MSR's bit is in the MSR-bitmap page (SDM Vol. 3C
 * 25.6.9): bit n of a bitmap is bit n mod 8 of its byte n / 8.
 */
#include "vmcs/msr_bitmap.h"

/* The byte offset in the page of the 1-KByte bitmap for this access and range, plus the bit number n. */
static uint32_t locate(uint32_t msr, bool write, uint32_t *n)
{
	uint32_t base = write ? 2048u : 0u;

	if (msr >= 0xc0000000u) {
		base += 1024u;
		msr -= 0xc0000000u;
	}
	*n = msr;
	return base;
}

bool msr_bitmap_exits(const struct msr_bitmap *page, uint32_t msr, bool write)
{
	uint32_t n, base;

	if (!msr_bitmap_covers(msr))
		return true;
	if (!page)
		return true;
	base = locate(msr, write, &n);
	return ((unsigned)page->bytes[base + n / 8u] >> (n % 8u)) & 1u;
}

bool msr_bitmap_set(struct msr_bitmap *page, uint32_t msr, bool write, bool intercept)
{
	uint32_t n, base;
	uint8_t bit;

	if (!msr_bitmap_covers(msr))
		return false;
	base = locate(msr, write, &n);
	bit = (uint8_t)(1u << (n % 8u));
	if (intercept)
		page->bytes[base + n / 8u] |= bit;
	else
		page->bytes[base + n / 8u] &= (uint8_t)~bit;
	return true;
}

void msr_bitmap_intercept(struct msr_bitmap *page, const struct msr_bitmap_bit *bits, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		(void)msr_bitmap_set(page, bits[i].msr, bits[i].write, true);
}
