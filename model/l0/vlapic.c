/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vlapic.c - requeueing a vector whose injection was cut short.
 */
#include "model/l0/vlapic.h"

void vlapic_requeue(struct vlapic *v, uint8_t vector)
{
	v->regs.isr[vector / 64] &= ~(1ull << (vector % 64));
	v->regs.irr[vector / 64] |= 1ull << (vector % 64);
}
