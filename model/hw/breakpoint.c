/* SPDX-License-Identifier: Apache-2.0 */
/*
 * breakpoint.c - the debug registers: instruction breakpoints in DR0-DR3
 * enabled by DR7, DR6 as a delivered #DB leaves it, MOV to and from DRn
 * and its VM exit, general detect, CR4.DE and I/O breakpoints (rules R12,
 * R24; SDM Vol. 3B "Debug Registers", "Debug Exception Conditions").
 *
 * An instruction breakpoint is a fault, taken before the instruction at
 * RIP executes, at R24 level 7: only when nothing above it (the #DB trap,
 * the VMX exits, NMIs and interrupts, arbiter.c) acts at the boundary, and
 * not while the processor sleeps (it belongs to the fetch). RFLAGS.RF = 1
 * suppresses it for that one instruction; every completed instruction
 * clears RF (exec.c lp_complete), except IRET, which loads it. Blocking by
 * MOV SS inhibits debug exceptions at the next boundary (SDM Vol. 3A
 * "Masking Exceptions and Interrupts When Switching Stacks"): a breakpoint
 * on the instruction after MOV SS is not taken (as Bochs does).
 *
 * The fault is vector 1, a hardware exception. With bit 1 of the exception
 * bitmap it is a VM exit whose qualification holds the B0-B3 bits (SDM
 * Vol. 3C "Exit Qualification for Debug Exceptions"), and DR6 is left
 * alone; delivered through the IDT it writes them to DR6 first, and the
 * frame returns to the instruction with the RF it had (0: the handler sets
 * RF in the frame, or clears DR7, before it returns; a fault other than #DB
 * pushes RF = 1, deliver.c).
 *
 * When any enabled breakpoint matches, B0-B3 report every breakpoint whose
 * address and type match, enabled or not (the SDM allows it; Bochs does
 * it). The code breakpoint of the next instruction is not folded into a
 * single-step trap pending at the same boundary: the trap is delivered
 * first, the breakpoint when the handler returns.
 *
 * An I/O breakpoint (R/W = 10, CR4.DE = 1; SDM Vol. 3B "Debug Control
 * Register (DR7)", "Breakpoint Field Recognition") is a trap: after an IN
 * or OUT that completes - not one that causes a VM exit - whose port
 * range overlaps the breakpoint's LEN-aligned range, its B0-B3 bits join
 * lp->dbg_trap, where a single-step trap of the same instruction already
 * is: one #DB at R24 level 4 with both (debug.c). B0-B3 report every I/O
 * breakpoint that matches, enabled or not, as for instruction breakpoints.
 *
 * A data breakpoint (R/W = 01 for writes, 11 for reads and writes; SDM
 * Vol. 3B "Data Memory and I/O Breakpoint Exception Conditions") is a trap
 * too: after a `load`, `store` or `mov-ss ADDR` that completes, whose bytes
 * overlap the breakpoint's LEN-aligned range (1, 2, 4 or 8 bytes), its
 * B0-B3 bits join lp->dbg_trap (exec_mem.c). After MOV SS the trap waits
 * for the boundary after the next instruction, and survives that
 * instruction's INT n or INT3 (deliver.c). Data breakpoints run only inside
 * the data area (vmcs/x86_data_area.h).
 *
 * General detect (DR7.GD) makes MOV DR a #DB fault (lp_exec_mov_dr). A
 * data breakpoint outside the data area, R/W = 10 with CR4.DE = 0, LEN 10
 * on an I/O breakpoint and LEN other than 00 on an instruction breakpoint
 * are refused (vmcs/x86_debugreg.h dr7_not_modelled says why), at the MOV
 * to DR7 or to the DRn that makes them so, and at a root program's entry.
 */
#include "model/hw/lp_internal.h"
#include "vmcs/x86_debugreg.h"

#define MOV_DR_QUAL_REG_SHIFT 8u   /* bits 11:8: the general-purpose register */

uint32_t lp_code_breakpoint_match(const struct vmx_lp *lp)
{
	uint32_t bits = 0;
	bool enabled = false;

	if (!(lp->dr7 & DR7_BREAKPOINT_ENABLES) || (lp->ctx.rflags & X86_EFLAGS_RF) ||
	    lp->ctx.activity != GUEST_ACTIVITY_ACTIVE || vmx_lp_movss_blocking(lp))
		return 0;
	for (unsigned n = 0; n < 4; n++) {
		if (dr7_rw(lp->dr7, n) != 0 || lp->dr[n] != lp->ctx.rip)
			continue;
		bits |= 1u << n;
		enabled |= dr7_enabled(lp->dr7, n);
	}
	return enabled ? bits : 0;
}

/* MOV-DR exit qualification (SDM Vol. 3C 28.2.1): DR number, direction, register. */
static uint64_t mov_dr_qualification(const struct vmx_insn *in)
{
	bool from = (in->arg & VMX_MOV_DR_FROM) != 0;
	uint8_t reg = from ? in->dst : in->src;

	return (in->arg & 7u) | (from ? VMX_MOV_DR_FROM : 0u) | (uint64_t)VMX_REG_NUM(reg) << MOV_DR_QUAL_REG_SHIFT;
}

/*
 * MOV to or from DRn, in the order the SDM gives its outcomes:
 *  1. MOV-DR exiting: a VM exit before anything else. 26.1.3 ("Instructions
 *     That Cause VM Exits Conditionally", MOV DR) names the two exceptions
 *     it takes priority over, the privilege #GP and the #UD of DR4/DR5 with
 *     CR4.DE = 1; the general-detect #DB is a fault of the MOV too, and
 *     the exit comes before it as well (a VMM that intercepts MOV DR has to
 *     raise that #DB itself; Bochs checks the exit first).
 *  2. DR4 or DR5 with CR4.DE = 1: #UD (SDM Vol. 2 MOV DR); with CR4.DE = 0
 *     they are DR6 and DR7.
 *  3. DR7.GD = 1: a #DB fault before the MOV executes, with BD (DR6 bit
 *     13) - delivered it writes DR6 and clears GD for the handler; as a VM
 *     exit (exception bitmap bit 1) it leaves both (debug.c).
 *  4. MOV to DR6 or DR7 with a bit of 63:32 set: #GP(0).
 * Bochs checks #UD, then GD, then the reserved bits, in that order.
 */
enum lp_step lp_exec_mov_dr(struct vmx_lp *lp, const struct vmx_insn *in)
{
	uint64_t *gpr = lp->ctx.mem->gpr;
	unsigned n = (unsigned)(in->arg & 7u);
	bool from = (in->arg & VMX_MOV_DR_FROM) != 0;
	uint64_t v;

	if (!from && in->dst)   /* `mov dr7 VALUE`: MOV RAX, VALUE first, in the same instruction */
		gpr[VMX_REG_NUM(in->dst) % X86_NGPR] = in->arg2;
	if (lp->non_root && lp_proc(lp, CPU_BASED_MOV_DR_EXITING))
		return lp_insn_exit(lp, EXIT_REASON_DR_ACCESS, mov_dr_qualification(in), in);
	if (n == 4 || n == 5) {
		if (lp->cr4 & X86_CR4_DE)
			return lp_fault(lp, UD_VECTOR, false, 0, false);
		n += 2;
	}
	if (lp->dr7 & DR7_GD)
		return lp_debug_exception(lp, DR6_BD);
	if (from) {
		gpr[VMX_REG_NUM(in->dst) % X86_NGPR] = n < 4 ? lp->dr[n] : n == 6 ? lp->dr6 : lp->dr7;
	} else {
		v = gpr[VMX_REG_NUM(in->src) % X86_NGPR];
		if (n < 4) {
			const char *why = dr7_not_modelled_with_dr(lp->dr7, lp->dr, n, v, lp->cr4);
			if (why)
				return lp_not_modelled(lp, in, why);
			lp->dr[n] = v;
		} else {
			const char *why = n == 7 ? dr7_not_modelled(v, lp->dr, lp->cr4) : NULL;
			if (v & DR_UPPER_RESERVED)   /* SDM Vol. 2 MOV DR: #GP(0) */
				return lp_fault(lp, GP_VECTOR, true, 0, false);
			if (why)
				return lp_not_modelled(lp, in, why);
			if (n == 6)
				lp->dr6 = (v & DR6_WRITABLE) | DR6_FIXED_1;
			else
				lp->dr7 = (v & DR7_WRITABLE) | DR7_FIXED_1;
		}
	}
	lp->ctx.rip = in->addr + in->len;
	lp_complete(lp, 1, lp->model.insn_cycles);
	return LP_STEP_CONTINUE;
}

void vmx_lp_set_debugreg(struct vmx_lp *lp, unsigned n, uint64_t value)
{
	if (n < 4)
		lp->dr[n] = value;
	else if (n == 6)
		lp->dr6 = (value & DR6_WRITABLE) | DR6_FIXED_1;
}

void lp_io_breakpoint(struct vmx_lp *lp, uint32_t port, uint32_t size)
{
	if (lp->cr4 & X86_CR4_DE)
		lp->dbg_trap |= dr7_io_match(lp->dr7, lp->dr, port, size);
}

void lp_data_breakpoint(struct vmx_lp *lp, uint64_t addr, uint32_t size, bool write)
{
	lp->dbg_trap |= dr7_data_match(lp->dr7, lp->dr, addr, size, write);
}
