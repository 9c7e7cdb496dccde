/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lp_time_shift.c - the processor's times, written relative to now
 * (model/time/time_shift.h), field by field with when each is read.
 *
 * What is left as it is holds no time: registers, flags, blocking and
 * requests, the VMCS fields. Two exceptions are handled by the caller:
 * a TSC value the guest read (RDTSC puts the absolute clock in a register:
 * vmx_program_reads_tsc), and the VMX-preemption timer, which counts
 * when bit `rate` of the TSC changes (vmentry.c, vmexit.c), so a state
 * repeats it only after a multiple of 2^rate cycles.
 */
#include "model/hw/vmx_lp.h"

/*
 * A shadow holds at the boundary whose retired count it names: one that
 * names a count already passed, or none (VMX_NO_BOUNDARY), never holds again.
 */
static void shadow_time_shift(const struct vmx_lp *lp, const uint64_t *at, struct time_shift *t)
{
	if (*at < lp->retired || *at == VMX_NO_BOUNDARY)
		time_shift_dead(t, at, sizeof(*at));
	else
		time_shift_relative(t, at, lp->retired);
}

void vmx_lp_time_shift(const struct vmx_lp *lp, struct time_shift *t)
{
	/* Its clock; "now" is the machine's, which the vCPUs may have passed a little. */
	time_shift_cycle(t, &lp->cycle);
	/* Retired instructions only date the shadows, which hold while equal to it (vmx_lp_sti_blocking). */
	time_shift_relative(t, &lp->retired, lp->retired);
	shadow_time_shift(lp, &lp->sti_shadow_at, t);
	shadow_time_shift(lp, &lp->movss_shadow_at, t);
	/* Between two calls of the machine the deadline is read only while the timer is armed. */
	if (lp->timer_armed)
		time_shift_cycle(t, &lp->timer_deadline);
	else
		time_shift_dead(t, &lp->timer_deadline, sizeof(lp->timer_deadline));
	time_shift_deadline(t, &lp->stop_at, UINT64_MAX);
	lapic_timer_time_shift(&lp->apic.timer, t);
	/* Counts and hints that decide nothing (fetch gives the same instruction whatever they hold). */
	time_shift_dead(t, &lp->steps, sizeof(lp->steps));
	time_shift_dead(t, lp->fetch_hint, sizeof(lp->fetch_hint));
	time_shift_dead(t, &lp->fetch_last, sizeof(lp->fetch_last));
}

bool vmx_program_reads_tsc(const struct vmx_program *p)
{
	for (uint32_t i = 0; p && i < p->count; i++)
		if (p->insn[i].op == VMX_OP_RDTSC)
			return true;
	return false;
}
