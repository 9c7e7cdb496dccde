/* SPDX-License-Identifier: Apache-2.0 */
/*
 * deliver.c - vectoring events through the IDT of what runs now, the
 * exceptions that delivery itself raises, their escalation to #DF and triple
 * fault (SDM Vol. 3A 6.15 "Interrupt 8 - Double Fault"), and VM exits that
 * happen during delivery with their IDT-vectoring information (R20).
 */
#include "model/hw/lp_internal.h"
#include "vmcs/x86_debugreg.h"

enum exc_class { EXC_BENIGN, EXC_CONTRIBUTORY, EXC_PAGE_FAULT, EXC_DOUBLE_FAULT };

static enum exc_class event_class(const struct vmx_event *ev)
{
	if (ev->type != INTR_TYPE_HARD_EXCEPTION)
		return EXC_BENIGN;
	switch (ev->vector) {
	case DE_VECTOR:
	case TS_VECTOR:
	case NP_VECTOR:
	case SS_VECTOR:
	case GP_VECTOR:
		return EXC_CONTRIBUTORY;
	case PF_VECTOR:
		return EXC_PAGE_FAULT;
	case DF_VECTOR:
		return EXC_DOUBLE_FAULT;
	default:
		return EXC_BENIGN;
	}
}

/*
 * A fault-class exception other than #DB: its frame, or the RFLAGS a VM exit
 * it causes saves, has RF = 1, so that the instruction it returns to is not
 * stopped by an instruction breakpoint again (SDM Vol. 3B "Instruction-
 * Breakpoint Exception Condition"; Vol. 3C "Saving RIP, RSP, RFLAGS": the
 * value it would have pushed). #DB, NMI, the traps and the aborts do not.
 */
static bool fault_sets_rf(const struct vmx_event *ev)
{
	if (ev->type != INTR_TYPE_HARD_EXCEPTION)
		return false;
	switch (ev->vector) {
	case DB_VECTOR:
	case NMI_VECTOR:
	case BP_VECTOR:
	case OF_VECTOR:
	case DF_VECTOR:
	case MC_VECTOR:
		return false;
	default:
		return ev->vector < 32;
	}
}

static struct vmx_event hw_exception(uint8_t vector, bool has_error, uint32_t error_code)
{
	struct vmx_event e = {INTR_TYPE_HARD_EXCEPTION, vector, has_error, error_code, 0};
	return e;
}

/* INT n, INT3 and INTO are the program's own events: EXT = 0. */
static uint32_t ext_bit(const struct vmx_event *ev)
{
	return ev->type == INTR_TYPE_SOFT_INTR || ev->type == INTR_TYPE_SOFT_EXCEPTION ? 0u : 1u;
}

/* The exception bitmap, and for #PF the error-code mask and match (25.2). */
static bool exception_exits(const struct vmx_lp *lp, const struct vmx_event *exc)
{
	return lp->non_root && vmcs_exception_exits(lp->vmcs, lp->ctl.exception_bitmap, exc->vector, exc->error_code);
}

static enum lp_step triple_fault(struct vmx_lp *lp)
{
	if (lp->non_root) {
		/* Never "during event delivery", whatever escalated to it (R20). */
		struct vmx_exit_info x = {.reason = EXIT_REASON_TRIPLE_FAULT};
		lp_vmexit(lp, &x);
		return LP_STEP_EXIT;
	} else {
		struct vmx_hw_event ev = {.kind = HW_SHUTDOWN, .rip = lp->ctx.rip};
		lp->ctx.activity = GUEST_ACTIVITY_SHUTDOWN;
		lp_emit(lp, &ev);
		return LP_STEP_SHUTDOWN;
	}
}

/* A VM exit while `cur` was being delivered: IDT-vectoring records it (R20). */
static void exit_during_delivery(struct vmx_lp *lp, struct vmx_exit_info *x, const struct vmx_event *cur)
{
	x->idt_vectoring = lp_event_info(cur);
	x->idt_error_code = cur->has_error_code ? cur->error_code : 0;
	if (intr_type_is_soft(cur->type))
		x->insn_len = cur->insn_len;
	lp_vmexit(lp, x);
}

static void block_nmis_for_delivery(struct vmx_lp *lp)
{
	/*
	 * NMI delivery blocks NMIs from its start, so an exit during delivery
	 * saves bit 3 set (R10b). Under virtual NMIs it is virtual-NMI
	 * blocking (R15); otherwise the processor's own.
	 */
	if (lp->non_root && lp_pin(lp, PIN_BASED_VIRTUAL_NMIS))
		lp->vnmi_blocked = true;
	else
		lp->nmi_blocked = true;
}

enum lp_step lp_deliver(struct vmx_lp *lp, const struct vmx_event *ev, uint64_t return_rip, bool injected)
{
	struct vmx_event cur = *ev;
	/* Faults during delivery of a soft event report the instruction itself. */
	uint64_t boundary_rip = intr_type_is_soft(ev->type) ? return_rip - ev->insn_len : return_rip;
	struct vmx_guest_mem *m = lp->ctx.mem;

	/*
	 * R23: an event that leaves HLT does so before it is delivered, so a VM
	 * exit during its delivery (caused indirectly by the event) saves the
	 * active state; only exits caused directly by an event save HLT.
	 */
	lp->ctx.activity = GUEST_ACTIVITY_ACTIVE;
	if (!m)
		return triple_fault(lp);
	for (;;) {
		const struct vmx_gate *gate = &m->idt[cur.vector];
		struct vmx_event next;
		uint32_t held;
		enum exc_class c1, c2;

		if (cur.type == INTR_TYPE_NMI_INTR)
			block_nmis_for_delivery(lp);

		if (gate->type != VMX_GATE_NONE) {
			if (m->depth >= VMX_STACK_DEPTH)
				return triple_fault(lp);   /* model limit: no stack left to push on */
			if (lp->non_root && m->stack_not_present) {
				struct vmx_exit_info x = {.reason = EXIT_REASON_EPT_VIOLATION,
				                          .qualification = 0x2, /* data write */
				                          .guest_phys = m->stack_gpa};
				exit_during_delivery(lp, &x, &cur);
				return LP_STEP_EXIT;
			}
			struct vmx_frame *f = &m->stack[m->depth++];
			struct vmx_hw_event dev = {.kind = HW_DELIVER, .vector = cur.vector,
			                           .intr_info = lp_event_info(&cur), .injected = injected,
			                           .error_code = cur.has_error_code ? cur.error_code : 0,
			                           .rip = gate->handler};
			f->rip = return_rip;
			f->rflags = lp->ctx.rflags | (!injected && fault_sets_rf(&cur) ? X86_EFLAGS_RF : 0u);
			f->has_error_code = cur.has_error_code;
			f->error_code = cur.error_code;
			/* SDM Vol. 3A "Flag Usage by Exception- or Interrupt-Handler Procedure": TF and RF cleared. */
			lp->ctx.rflags &= ~(uint64_t)(X86_EFLAGS_TF | X86_EFLAGS_RF);
			if (gate->type == VMX_GATE_INTERRUPT)
				lp->ctx.rflags &= ~(uint64_t)X86_EFLAGS_IF;
			lp->ctx.rip = gate->handler;
			/*
			 * Traps of the interrupted context are discarded (debug.c): the
			 * handler runs with TF = 0. Except one: the data-breakpoint bits
			 * that a MOV SS holds (R24) survive the INT n or INT3 right after
			 * it and are a #DB trap at the handler's first boundary - the
			 * behaviour of CVE-2018-8897 ("the debug exception is delivered
			 * after the transfer"), which kvm-unit-tests x86/debug.c checks
			 * ("MOV SS + watchpoint + int $1", "... + INT3"). A fault, INT1
			 * and every other event drop them (Linux's mov_ss_trap selftest
			 * lists the processor's cases so). The MOV SS's own single-step
			 * trap is suppressed (SDM Vol. 3A "Masking Exceptions and
			 * Interrupts When Switching Stacks"), so BS does not survive.
			 */
			held = vmx_lp_movss_blocking(lp) &&
			       (cur.type == INTR_TYPE_SOFT_INTR || cur.type == INTR_TYPE_SOFT_EXCEPTION)
			           ? lp->dbg_trap & DR6_B0_B3 : 0u;
			/*
			 * A completed delivery ends blocking by STI and by MOV SS: the
			 * handler's first boundary is not in the shadow of the
			 * instruction that faulted or trapped (as Bochs' interrupt()
			 * discards its inhibits). An exit during delivery, above,
			 * still saves the shadow of the boundary it started from.
			 */
			lp->sti_shadow_at = VMX_NO_BOUNDARY;
			lp->movss_shadow_at = VMX_NO_BOUNDARY;
			lp->dbg_trap = held;
			lp->cycle += lp->model.delivery_cycles;
			/*
			 * R27 (SDM "Monitor Trap Flag"): with the monitor trap flag, an MTF
			 * VM exit is pending on the boundary after any completed delivery:
			 * an injected event, INT n/INT3, a fault, or an event delivered
			 * before the first instruction.
			 */
			if (lp->non_root && lp_proc(lp, CPU_BASED_MONITOR_TRAP_FLAG))
				lp->mtf_pending = true;
			lp_emit(lp, &dev);
			lp_note_blocking(lp);
			return LP_STEP_CONTINUE;
		}

		/* Not-present gate: #NP with the IDT bit and EXT (SDM 6.13 error code). */
		next = hw_exception(NP_VECTOR, true, ((uint32_t)cur.vector << 3) | 2u | ext_bit(&cur));
		c1 = event_class(&cur);
		c2 = event_class(&next);
		if (c1 == EXC_DOUBLE_FAULT)
			return triple_fault(lp);
		if ((c1 == EXC_CONTRIBUTORY && c2 == EXC_CONTRIBUTORY) ||
		    (c1 == EXC_PAGE_FAULT && c2 != EXC_BENIGN))
			next = hw_exception(DF_VECTOR, true, 0);
		if (exception_exits(lp, &next)) {
			struct vmx_exit_info x = {.reason = EXIT_REASON_EXCEPTION_NMI,
			                          .intr_info = lp_event_info(&next),
			                          .intr_error_code = next.error_code};
			lp->ctx.rip = boundary_rip;
			if (fault_sets_rf(&next))
				lp->ctx.rflags |= X86_EFLAGS_RF;
			if (next.vector == DF_VECTOR) {
				lp_vmexit(lp, &x);     /* a #DF exit is not "during delivery" (R20) */
			} else {
				exit_during_delivery(lp, &x, &cur);
			}
			return LP_STEP_EXIT;
		}
		/* The nested exception is delivered in place of the event; it returns to the boundary. */
		cur = next;
		return_rip = boundary_rip;
		injected = false;
	}
}

enum lp_step lp_raise_exception(struct vmx_lp *lp, const struct vmx_event *exc, uint64_t return_rip,
                                bool iret_unblocked_nmi)
{
	if (exception_exits(lp, exc)) {
		struct vmx_exit_info x = {.reason = EXIT_REASON_EXCEPTION_NMI,
		                          .intr_info = lp_event_info(exc),
		                          .intr_error_code = exc->has_error_code ? exc->error_code : 0};
		/* R17: the faulting IRET had removed (virtual-)NMI blocking. */
		if (iret_unblocked_nmi && exc->vector != DF_VECTOR)
			x.intr_info |= INTR_INFO_UNBLOCK_NMI;
		if (intr_type_is_soft(exc->type))
			x.insn_len = exc->insn_len;
		if (fault_sets_rf(exc))
			lp->ctx.rflags |= X86_EFLAGS_RF;
		lp_vmexit(lp, &x);
		return LP_STEP_EXIT;
	}
	return lp_deliver(lp, exc, return_rip, false);
}
