/* SPDX-License-Identifier: Apache-2.0 */
/*
 * init_sipi.c - RESET, INIT and start-up IPIs (SIPIs) at the processor.
 *
 * RESET (R24 level 1, above a machine check) acts at the next boundary in
 * every operation and activity state - shutdown and wait-for-SIPI too -
 * and VMX has no VM exit for it: the processor leaves VMX operation
 * without telling the hypervisor, the guest's and the hypervisor's
 * pending events are gone, and it restarts as after power-up (Vol. 3A
 * "Processor State After Reset"): the bootstrap processor in firmware,
 * which stops it as not modelled (as its INIT does); an application
 * processor waits for a SIPI ("Multiple-Processor Initialization").
 *
 * Where each one acts is the arbiter's decision (arbiter.c): in VMX
 * non-root operation INIT causes a VM exit (reason 3) and a SIPI in the
 * wait-for-SIPI state one with its vector as the qualification (reason 4)
 * (SDM Vol. 3C 25.2 "Other Causes of VM Exits"); in VMX root operation
 * INIT is blocked and waits. Outside VMX operation the processor does
 * what it does without VMX (Vol. 3A "Multiple-Processor Initialization"
 * and "Local APIC State After an INIT Reset"): INIT resets an application
 * processor into the wait-for-SIPI state, and a SIPI then starts it in
 * real mode at the page the vector names. This file holds the inputs and
 * those two. Neither the bootstrap processor's restart at the reset vector
 * nor the real-mode code a SIPI starts is a program of a scenario: both
 * stop the processor as not modelled, so the run answers nothing rather
 * than something made up.
 */
#include <string.h>

#include "model/hw/lp_internal.h"
#include "vmcs/x86_debugreg.h"

/* Where the processor is after an INIT reset (Vol. 3A "Processor State After Reset": EIP FFF0H). */
#define INIT_RESET_RIP 0xfff0u

void vmx_lp_reset_signal(struct vmx_lp *lp)
{
	lp->reset_latched = true;
}

void vmx_lp_init_signal(struct vmx_lp *lp)
{
	/* Acted on at the first boundary where it is not blocked; a second one merges with it. */
	lp->init_latched = true;
}

void vmx_lp_sipi(struct vmx_lp *lp, uint8_t vector)
{
	/* "If a logical processor is not in the wait-for-SIPI state, SIPIs are blocked": discarded. */
	if (lp->ctx.activity != GUEST_ACTIVITY_WAIT_SIPI || lp->sipi_latched)
		return;
	lp->sipi_latched = true;
	lp->sipi_vector = vector;
}

/* The processor stops at what the model does not have (the cause is an INIT or a SIPI, `mode`). */
static enum lp_step not_modelled(struct vmx_lp *lp, uint32_t mode, const char *what)
{
	struct vmx_hw_event ev = {.kind = HW_NOT_MODELLED, .rip = lp->ctx.rip, .check = what, .vector = mode};

	lp_emit(lp, &ev);
	return LP_STEP_NOT_MODELLED;
}

/*
 * What INIT and RESET both do to an application processor: the registers
 * take their reset values (CR4 0: no MCE, no DE), the local APIC its
 * power-up state (its pending and in-service interrupts are gone), and
 * the processor waits for a SIPI, which nothing else wakes.
 */
static void reset_to_wait_for_sipi(struct vmx_lp *lp)
{
	lp->ctx.rip = INIT_RESET_RIP;
	lp->ctx.rflags = X86_EFLAGS_FIXED;
	lp->cr4 = 0;
	memset(lp->dr, 0, sizeof(lp->dr));
	lp->dr6 = DR6_FIXED_1;
	lp->dr7 = DR7_FIXED_1;
	lp->ctx.activity = GUEST_ACTIVITY_WAIT_SIPI;
	lp->sti_shadow_at = VMX_NO_BOUNDARY;
	lp->movss_shadow_at = VMX_NO_BOUNDARY;
	lp->nmi_blocked = false;
	if (lp->ctx.mem)
		lp->ctx.mem->depth = 0;
	lapic_reset(&lp->apic);
	lp_note_blocking(lp);
}

enum lp_step lp_init_reset(struct vmx_lp *lp)
{
	lp->init_latched = false;
	if (lp->bsp)
		return not_modelled(lp, VMX_IPI_INIT, "INIT of the bootstrap processor outside VMX operation: it "
		                                      "restarts at the reset vector, in firmware the model does not have");
	{
		struct vmx_hw_event ev = {.kind = HW_INIT, .rip = lp->ctx.rip};
		reset_to_wait_for_sipi(lp);
		lp_emit(lp, &ev);
	}
	return LP_STEP_CONTINUE;
}

enum lp_step lp_reset(struct vmx_lp *lp)
{
	/* Said where it struck: the level and RIP of what ran. */
	struct vmx_hw_event ev = {.kind = HW_RESET, .rip = lp->ctx.rip};

	lp_emit(lp, &ev);
	/*
	 * Everything latched or pending is gone with the state it belonged
	 * to: NMI, INIT, SIPI and machine-check requests, MTF, debug traps,
	 * an injection, the preemption timer, virtual interrupts. The
	 * machine-check banks and IA32_MCG_STATUS are left as they were - an
	 * error a machine check logged survives a warm reset, where Linux's
	 * and Xen's boot code read the banks "left over from the previous
	 * reset" - and nothing the model runs after a RESET reads them.
	 */
	lp->reset_latched = false;
	lp->nmi_latched = lp->init_latched = lp->sipi_latched = lp->mce_latched = false;
	lp->mtf_pending = lp->inject_pending = lp->timer_armed = lp->vintr_recognised = false;
	lp->dbg_trap = 0;
	lp->rvi = lp->svi = 0;
	lp->vnmi_blocked = false;
	lp->debugctl = 0;
	/* VMX operation ends: no current VMCS, INIT no longer blocked; the guest's context goes with it. */
	lp->vmx_operation = false;
	lp->non_root = false;
	lp->vmcs = NULL;
	memset(&lp->ctl, 0, sizeof(lp->ctl));
	lp->ctx.mem = lp->host_mem;   /* NULL: root software written in C, which gets the processor back */
	if (lp->bsp)
		return not_modelled(lp, VMX_PIN_RESET, "RESET of the bootstrap processor: it restarts at the reset "
		                                       "vector, in firmware the model does not have");
	reset_to_wait_for_sipi(lp);
	return LP_STEP_CONTINUE;
}

enum lp_step lp_sipi_startup(struct vmx_lp *lp)
{
	struct vmx_hw_event ev = {.kind = HW_SIPI, .vector = lp->sipi_vector};

	/* Real mode at CS = vector << 8, IP = 0: linear address vector << 12. */
	lp->sipi_latched = false;
	lp->ctx.activity = GUEST_ACTIVITY_ACTIVE;
	lp->ctx.rip = (uint64_t)lp->sipi_vector << 12;
	ev.rip = lp->ctx.rip;
	lp_emit(lp, &ev);
	return not_modelled(lp, VMX_IPI_SIPI, "a processor started by a SIPI: its real-mode code at the vector's "
	                                      "page (vector << 12) is not a program of the scenario");
}
