/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec.c - executing guest operations at instruction boundaries, and the run
 * loop that alternates arbitration (arbiter.c) with execution. RDMSR and
 * WRMSR are exec_msr.c's, the register instructions exec_regs.c's, the
 * other x86 instructions exec_x86.c's.
 *
 * Time advances by instruction costs of the CPU model. A work block runs in
 * bulk up to the next moment something could change the arbiter's answer:
 * the caller's limit (where stimuli arrive), the preemption-timer deadline,
 * the LAPIC timer's expiry, the end of a shadow, or a pending MTF exit. With lp->reference set, work
 * runs one unit per step and a sleeping processor advances one cycle at a
 * time: the reference the bulk path is tested against.
 */
#include <stddef.h>

#include "model/hw/exec_regs.h"
#include "model/hw/vapic.h"
#include "vmcs/x86_debugreg.h"

enum lp_step lp_insn_exit(struct vmx_lp *lp, uint32_t reason, uint64_t qualification, const struct vmx_insn *in)
{
	struct vmx_exit_info x = {.reason = reason, .qualification = qualification, .insn_len = in->len};
	lp_vmexit(lp, &x);
	return LP_STEP_EXIT;
}

/* The instruction exits unconditionally in non-root operation. */
static enum lp_step exit_for(struct vmx_lp *lp, uint32_t reason, const struct vmx_insn *in)
{
	return lp_insn_exit(lp, reason, 0, in);
}

/* Completing an instruction with the monitor trap flag set makes an MTF exit pending (R27). */
void lp_complete(struct vmx_lp *lp, uint64_t n, uint64_t cycles)
{
	/* RF suppresses instruction breakpoints until an instruction completes (breakpoint.c). */
	lp->ctx.rflags &= ~(uint64_t)X86_EFLAGS_RF;
	lp_retire(lp, n, cycles);
	if (lp->non_root && lp_proc(lp, CPU_BASED_MONITOR_TRAP_FLAG))
		lp->mtf_pending = true;
}

enum lp_step lp_fault(struct vmx_lp *lp, uint8_t vector, bool has_error, uint32_t error_code, bool iret_unblocked_nmi)
{
	struct vmx_event e = {INTR_TYPE_HARD_EXCEPTION, vector, has_error, error_code, 0};
	return lp_raise_exception(lp, &e, lp->ctx.rip, iret_unblocked_nmi);
}

/*
 * INT n, INT3 and INT1 cost their cycles up front but retire only once
 * their event is delivered: an exit on them (exception bitmap, or during
 * delivery) is fault-like and saves the STI/MOV-SS blocking of their own
 * boundary. They return past the instruction.
 */
static enum lp_step soft_event(struct vmx_lp *lp, uint32_t type, uint8_t vector, const struct vmx_insn *in)
{
	struct vmx_event e = {type, vector, false, 0, in->len};
	enum lp_step s;

	lp->cycle += lp->model.insn_cycles;
	s = type == INTR_TYPE_SOFT_INTR ? lp_deliver(lp, &e, in->addr + in->len, false)
	                                : lp_raise_exception(lp, &e, in->addr + in->len, false);
	if (s == LP_STEP_CONTINUE)
		lp_retire(lp, 1, 0);
	return s;
}

void lp_emit_simple(struct vmx_lp *lp, enum vmx_hw_event_kind kind, uint32_t vector)
{
	struct vmx_hw_event ev = {.kind = kind, .vector = vector, .rip = lp->ctx.rip};
	lp_emit(lp, &ev);
}

/* R16, R17: IRET and NMI blocking. */
static enum lp_step do_iret(struct vmx_lp *lp, const struct vmx_insn *in)
{
	struct vmx_guest_mem *m = lp->ctx.mem;
	bool unblocked = false;
	struct vmx_hw_event ev = {.kind = HW_IRET};

	if (!lp->non_root || !lp_pin(lp, PIN_BASED_NMI_EXITING)) {
		unblocked = lp->nmi_blocked;     /* IRET unblocks NMIs as it does outside VMX */
		lp->nmi_blocked = false;
	} else if (lp_pin(lp, PIN_BASED_VIRTUAL_NMIS)) {
		unblocked = lp->vnmi_blocked;    /* even if the IRET then faults */
		lp->vnmi_blocked = false;
	}
	/* NMI exiting = 1 without virtual NMIs: IRET leaves blocking by NMI alone. */

	if (lp->non_root && m->stack_not_present) {
		struct vmx_exit_info x = {.reason = EXIT_REASON_EPT_VIOLATION,
		                          .qualification = 0x1u | (unblocked ? 0x1000u : 0u), /* data read; bit 12 */
		                          .guest_phys = m->stack_gpa};
		lp_vmexit(lp, &x);
		return LP_STEP_EXIT;
	}
	if (m->depth == 0)    /* nothing to return to: #GP(0) */
		return lp_fault(lp, GP_VECTOR, true, 0, unblocked);

	/* Completed first: the RF that IRET loads from the frame holds for the instruction it returns to. */
	lp_complete(lp, 1, lp->model.iret_cycles);
	m->depth--;
	lp->ctx.rip = m->stack[m->depth].rip;
	lp->ctx.rflags = (m->stack[m->depth].rflags & ~X86_EFLAGS_RESERVED_ZERO) | X86_EFLAGS_FIXED;
	ev.rip = lp->ctx.rip;
	ev.nmi_unblocked = unblocked;
	lp_emit(lp, &ev);
	(void)in;
	return LP_STEP_CONTINUE;
}

/*
 * A JMP back to the head of a loop of work and NOPs only - a guest idling
 * - just completed. Its turns change nothing but RIP within the loop and
 * the cycle and retired counts, so when no boundary inside them could
 * decide anything (the arbiter says nothing now and nothing it looks at can
 * change: no timer armed, no single-stepping, breakpoint, MTF or shadow),
 * the whole turns before `until` are taken at once, as the bulk execution
 * of a work block takes its units: the same boundaries would have seen the
 * same nothing. The turn in which `until` falls runs as before. Not in the
 * reference mode, which steps every cycle.
 */
static void skip_idle_loop(struct vmx_lp *lp, const struct vmx_program *prog, const struct vmx_insn *jmp,
                           uint64_t until)
{
	uint64_t c = lp->model.insn_cycles ? lp->model.insn_cycles : 1, period = lp->model.insn_cycles, units = 1, turns;
	const struct vmx_insn *in;

	if (lp->reference || jmp->arg > jmp->addr || lp->ctx.rip != jmp->arg || until <= lp->cycle)
		return;
	if (lp->timer_armed || lp->apic.timer.armed || lp->inject_pending || vmx_lp_sti_blocking(lp) ||
	    vmx_lp_movss_blocking(lp) || (lp->ctx.rflags & X86_EFLAGS_TF) || (lp->dr7 & DR7_BREAKPOINT_ENABLES) ||
	    (lp->non_root && lp_proc(lp, CPU_BASED_MONITOR_TRAP_FLAG)) || lp->dbg_trap)
		return;
	for (in = jmp; in > prog->insn && in[-1].addr >= jmp->arg; ) {
		in--;
		if (in->op == VMX_OP_WORK) {
			period += in->len * c;
			units += in->len;
		} else if (in->op == VMX_OP_NOP) {
			period += lp->model.insn_cycles;
			units++;
		} else {
			return;
		}
	}
	if (in->addr != jmp->arg || period == 0 || vmx_arbitrate(lp) != VMX_DECIDE_NONE)
		return;
	turns = (until - lp->cycle) / period;
	if (turns)
		lp_retire(lp, turns * units, turns * period);
}

uint64_t vmx_lp_idle_period(const struct vmx_lp *lp)
{
	const struct vmx_program *prog = lp->ctx.mem ? lp->ctx.mem->prog : NULL;
	uint64_t c = lp->model.insn_cycles ? lp->model.insn_cycles : 1, offset, period = 0;
	const struct vmx_insn *in, *head;

	if (lp->ctx.activity != GUEST_ACTIVITY_ACTIVE)
		return 1;
	if (!prog || !(in = vmx_program_fetch(prog, lp->ctx.rip, &offset)))
		return 0;
	/* The JMP that closes the loop RIP is in: the first one ahead that goes back to RIP or before. */
	for (uint32_t n = 0; in->op != VMX_OP_JMP || in->arg > lp->ctx.rip; n++)
		if (n == 64 || ++in == prog->insn + prog->count)
			return 0;
	if (!(head = vmx_program_fetch(prog, in->arg, &offset)) || offset)
		return 0;
	/* A turn at each instruction's usual cost: a guess, which the caller checks. */
	for (; head <= in; head++)
		period += head->op == VMX_OP_WORK ? head->len * c : lp->model.insn_cycles;
	return period;
}

/* The instruction at RIP (fetch_last, its successor, then the hints: see vmx_lp.h); NULL if none. */
static const struct vmx_insn *fetch(struct vmx_lp *lp, const struct vmx_program *prog, uint64_t *offset)
{
	uint64_t rip = lp->ctx.rip;
	const struct vmx_insn *in;

	if (!prog)
		return NULL;
	for (uint32_t i = lp->fetch_last, k = 0; k < 2 && i < prog->count; k++, i++)
		if (rip - prog->insn[i].addr < prog->insn[i].len) {   /* rip below addr wraps: no */
			*offset = rip - prog->insn[i].addr;
			lp->fetch_last = i;
			/* As the search: only a work block has boundaries inside it (else #PF, as with no hint). */
			return *offset != 0 && prog->insn[i].op != VMX_OP_WORK ? NULL : &prog->insn[i];
		}
	in = vmx_program_fetch_hinted(prog, rip, offset, &lp->fetch_hint[rip % VMX_FETCH_HINTS]);
	if (in)
		lp->fetch_last = (uint32_t)(in - prog->insn);
	return in;
}

enum lp_step lp_execute(struct vmx_lp *lp, uint64_t until)
{
	uint64_t offset = 0;
	const struct vmx_program *prog = lp->ctx.mem ? lp->ctx.mem->prog : NULL;
	const struct vmx_insn *in = fetch(lp, prog, &offset);
	uint64_t next;
	bool non_root = lp->non_root;

	if (!in)   /* nothing mapped at RIP: #PF on instruction fetch (error code: I/D bit 4) */
		return lp_fault(lp, PF_VECTOR, true, 0x10, false);
	next = in->addr + in->len;

	switch (in->op) {
	case VMX_OP_WORK: {
		uint64_t left = in->len - offset, n = left, c = lp->model.insn_cycles ? lp->model.insn_cycles : 1;

		/* Bulk execution only where no boundary in between can decide differently. */
		if (until > lp->cycle && (until - lp->cycle) / c < n)
			n = (until - lp->cycle + c - 1) / c;
		if (non_root && lp->timer_armed) {
			uint64_t t = lp->timer_deadline > lp->cycle ? (lp->timer_deadline - lp->cycle + c - 1) / c : 1;
			if (t < n)
				n = t;
		}
		if (lp->apic.timer.armed) {
			/* The LAPIC timer's expiry raises an interrupt: stop at the first boundary at or after it. */
			uint64_t d = lp->apic.timer.deadline;
			uint64_t t = d > lp->cycle ? (d - lp->cycle + c - 1) / c : 1;
			if (t < n)
				n = t;
		}
		if (lp->reference || vmx_lp_sti_blocking(lp) || vmx_lp_movss_blocking(lp) ||
		    (lp->ctx.rflags & X86_EFLAGS_TF) || (lp->dr7 & DR7_BREAKPOINT_ENABLES) ||
		    (non_root && lp_proc(lp, CPU_BASED_MONITOR_TRAP_FLAG)))
			n = 1;
		if (n == 0)
			n = 1;
		lp->ctx.rip += n;
		lp_complete(lp, n, n * c);
		break;
	}
	case VMX_OP_NOP:
		lp->ctx.rip = next;
		lp_complete(lp, 1, lp->model.insn_cycles);
		break;
	case VMX_OP_STI: {
		/* Blocking by STI only when IF goes 0 -> 1; STI inside the shadow does not extend it. */
		bool was_clear = !(lp->ctx.rflags & X86_EFLAGS_IF);
		lp->ctx.rflags |= X86_EFLAGS_IF;
		lp->ctx.rip = next;
		lp_complete(lp, 1, lp->model.insn_cycles);
		if (was_clear)
			lp->sti_shadow_at = lp->retired;
		break;
	}
	case VMX_OP_CLI:
		lp->ctx.rflags &= ~(uint64_t)X86_EFLAGS_IF;
		lp->ctx.rip = next;
		lp_complete(lp, 1, lp->model.insn_cycles);
		break;
	case VMX_OP_MOV_SS: {
		/* A MOV SS inside a MOV-SS shadow does not start another one. */
		bool in_shadow = vmx_lp_movss_blocking(lp);
		uint64_t selector;   /* read, and not kept: the model has no segment registers */
		const char *why;
		/* From memory: the read of m16, and the data breakpoints it hits, which the shadow holds (R24). */
		if (VMX_MEM_SIZE(in->arg) && (why = lp_data_read(lp, in, &selector)) != NULL)
			return lp_not_modelled(lp, in, why);
		lp->ctx.rip = next;
		lp_complete(lp, 1, lp->model.insn_cycles);
		if (!in_shadow)
			lp->movss_shadow_at = lp->retired;
		break;
	}
	case VMX_OP_IRET:
		return do_iret(lp, in);
	case VMX_OP_HLT:
		if (non_root && lp_proc(lp, CPU_BASED_HLT_EXITING))
			return exit_for(lp, EXIT_REASON_HLT, in);
		lp->ctx.rip = next;
		lp->ctx.activity = GUEST_ACTIVITY_HLT;
		lp_complete(lp, 1, lp->model.insn_cycles);
		lp_emit_simple(lp, HW_HLT, 0);
		break;
	case VMX_OP_INT:
		/* INT n is vectored without looking at the exception bitmap. */
		return soft_event(lp, INTR_TYPE_SOFT_INTR, (uint8_t)in->arg, in);
	case VMX_OP_INT3:
		return soft_event(lp, INTR_TYPE_SOFT_EXCEPTION, BP_VECTOR, in);
	case VMX_OP_INT1:
		/* #DB as a privileged software exception (type 5), with its length (SDM 28.2.2, 28.2.4). */
		return soft_event(lp, INTR_TYPE_PRIV_SW_EXCEPTION, DB_VECTOR, in);
	case VMX_OP_UD2:
		return lp_fault(lp, UD_VECTOR, false, 0, false);
	case VMX_OP_EOI:
	case VMX_OP_IPI:
	case VMX_OP_RDMSR:
	case VMX_OP_WRMSR:
	case VMX_OP_MSR_BITMAP:
		return lp_exec_msr(lp, in);
	case VMX_OP_JMP:
		lp->ctx.rip = in->arg;
		lp_complete(lp, 1, lp->model.insn_cycles);
		skip_idle_loop(lp, prog, in, until);
		break;
	case VMX_OP_VMCALL:
	case VMX_OP_VMLAUNCH:
	case VMX_OP_VMRESUME:
	case VMX_OP_VMREAD:
	case VMX_OP_VMWRITE:
	case VMX_OP_VMXON:
	case VMX_OP_VMXOFF:
	case VMX_OP_VMCLEAR:
	case VMX_OP_VMPTRLD:
	case VMX_OP_VMPTRST:
		return lp_exec_vmx(lp, in);
	case VMX_OP_VAPIC_STORE:
		return lp_vapic_store(lp, in);
	case VMX_OP_MOV_DR:
		return lp_exec_mov_dr(lp, in);
	case VMX_OP_LOAD:
	case VMX_OP_STORE:
		return lp_exec_mem(lp, in);
	case VMX_OP_MOV:
	case VMX_OP_ADD:
	case VMX_OP_SUB:
	case VMX_OP_AND:
	case VMX_OP_OR:
	case VMX_OP_XOR:
	case VMX_OP_SHL:
	case VMX_OP_SHR:
	case VMX_OP_INC:
	case VMX_OP_DEC:
	case VMX_OP_CMP:
	case VMX_OP_TEST:
		lp_exec_register(lp, in);
		lp->ctx.rip = next;
		lp_complete(lp, 1, lp->model.insn_cycles);
		break;
	case VMX_OP_JCC:
		lp->ctx.rip = x86_cond_holds((enum x86_cond)in->arg2, lp->ctx.rflags) ? in->arg : next;
		lp_complete(lp, 1, lp->model.insn_cycles);
		break;
	case VMX_OP_RECORD: {
		struct vmx_hw_event ev = {.kind = HW_RECORD, .reg_mask = (uint32_t)in->arg, .regs = lp->ctx.mem->gpr,
		                          .rip = lp->ctx.rip};
		lp_emit(lp, &ev);
		lp->ctx.rip = next;
		lp_complete(lp, 1, lp->model.insn_cycles);
		break;
	}
	case VMX_OP_IN:
	case VMX_OP_OUT:
	case VMX_OP_MOV_CR:
	case VMX_OP_DIV:
	case VMX_OP_INTO:
	case VMX_OP_PAUSE:
	case VMX_OP_CPUID:
	case VMX_OP_RDTSC:
	case VMX_OP_SET_IDT:
	case VMX_OP_CLEAR_IDT:
		return lp_exec_x86(lp, in);
	case VMX_OP_COUNT:
		return lp_fault(lp, UD_VECTOR, false, 0, false);
	}
	/* The caller (vmx_lp_run, the only one) notes the blocking state after every step. */
	return LP_STEP_CONTINUE;
}

/* Act on the arbiter's decision. */
static enum lp_step act(struct vmx_lp *lp, enum vmx_decision d)
{
	struct vmx_exit_info x = {0};
	struct vmx_event e = {0};

	/* A machine check says itself whether it wakes (HLT; it waits in shutdown, arbiter.c; wait-for-SIPI is refused). */
	if (d == VMX_DECIDE_MACHINE_CHECK)
		return lp_machine_check(lp);
	/* RESET ends every state, and says so itself. */
	if (d == VMX_DECIDE_RESET)
		return lp_reset(lp);
	/* Posted-interrupt processing alone leaves HLT as it is: a virtual interrupt it makes recognised wakes it. */
	if (lp->ctx.activity != GUEST_ACTIVITY_ACTIVE && d != VMX_DECIDE_POSTED_INTR) {
		struct vmx_hw_event ev = {.kind = HW_WAKE, .new_state = lp->ctx.activity, .rip = lp->ctx.rip};
		lp_emit(lp, &ev);
	}
	switch (d) {
	case VMX_DECIDE_INIT_EXIT:
		/* 25.2: the INIT is consumed; no register state changes, nothing pending is cleared. */
		lp->init_latched = false;
		x.reason = EXIT_REASON_INIT_SIGNAL;
		break;
	case VMX_DECIDE_SIPI_EXIT:
		/* 25.2: the exit qualification holds the SIPI's vector; activity saved: wait-for-SIPI. */
		lp->sipi_latched = false;
		x.reason = EXIT_REASON_SIPI_SIGNAL;
		x.qualification = lp->sipi_vector;
		break;
	case VMX_DECIDE_INIT_RESET:
		return lp_init_reset(lp);
	case VMX_DECIDE_SIPI_STARTUP:
		return lp_sipi_startup(lp);
	case VMX_DECIDE_MTF_EXIT:
		x.reason = EXIT_REASON_MONITOR_TRAP_FLAG;
		break;
	case VMX_DECIDE_DEBUG_TRAP:
		return lp_debug_trap(lp);
	case VMX_DECIDE_TIMER_EXIT:
		x.reason = EXIT_REASON_PREEMPTION_TIMER;
		break;
	case VMX_DECIDE_NMI_WINDOW_EXIT:
		x.reason = EXIT_REASON_NMI_WINDOW;
		break;
	case VMX_DECIDE_INTR_WINDOW_EXIT:
		x.reason = EXIT_REASON_INTERRUPT_WINDOW;
		break;
	case VMX_DECIDE_NMI_EXIT:
		/* R22: reason 0 with 0x80000202; blocking by NMI after the exit. */
		lp->nmi_latched = false;
		x.reason = EXIT_REASON_EXCEPTION_NMI;
		x.intr_info = intr_info_make(INTR_TYPE_NMI_INTR, NMI_VECTOR, false);
		break;
	case VMX_DECIDE_EXTINT_EXIT:
		/* R21: acknowledge on exit stores the vector; without it the IRR keeps it. */
		x.reason = EXIT_REASON_EXTERNAL_INTERRUPT;
		if (lp_exit_ctl(lp, VM_EXIT_ACK_INTR_ON_EXIT)) {
			uint8_t v = lapic_ack(&lp->apic);
			lp_emit_simple(lp, HW_INTR_ACK, v);
			x.intr_info = intr_info_make(INTR_TYPE_EXT_INTR, v, false);
		}
		break;
	case VMX_DECIDE_NMI_DELIVER:
		lp->nmi_latched = false;
		e.type = INTR_TYPE_NMI_INTR;
		e.vector = NMI_VECTOR;
		return lp_deliver(lp, &e, lp->ctx.rip, false);
	case VMX_DECIDE_EXTINT_DELIVER:
		e.type = INTR_TYPE_EXT_INTR;
		e.vector = lapic_ack(&lp->apic);
		lp_emit_simple(lp, HW_INTR_ACK, e.vector);
		return lp_deliver(lp, &e, lp->ctx.rip, false);
	case VMX_DECIDE_VINTR_DELIVER:
		return lp_vapic_deliver(lp);
	case VMX_DECIDE_POSTED_INTR:
		lp_posted_intr_process(lp);
		return LP_STEP_CONTINUE;
	case VMX_DECIDE_MACHINE_CHECK:   /* taken above */
	case VMX_DECIDE_RESET:
	case VMX_DECIDE_NONE:
		return LP_STEP_CONTINUE;
	}
	lp_vmexit(lp, &x);
	return LP_STEP_EXIT;
}

static enum vmx_run_outcome step_outcome(struct vmx_lp *lp, enum lp_step s)
{
	if (s == LP_STEP_SHUTDOWN)
		return VMX_RUN_SHUTDOWN;
	if (s == LP_STEP_NOT_MODELLED)
		return VMX_RUN_NOT_MODELLED;
	/* An exit reason with bit 31 is a failed VM entry of the root program. */
	if (lp->vmcs && (vmcs_get32(lp->vmcs, VM_EXIT_REASON) & VMX_EXIT_REASONS_FAILED_VMENTRY) && !lp->non_root &&
	    s == LP_STEP_EXIT)
		return VMX_RUN_ENTRY_FAILED;
	return VMX_RUN_EXIT;
}

enum vmx_run_outcome vmx_lp_run(struct vmx_lp *lp, uint64_t limit)
{
	for (;;) {
		/* Read every step: the observer may have lowered stop_at during the last one. */
		const uint64_t until = limit < lp->stop_at ? limit : lp->stop_at;
		enum vmx_decision d;
		enum lp_step s;
		uint32_t bp;

		/* The LAPIC timer reached 0: its interrupt is requested before this boundary is looked at. */
		if (lp->apic.timer.armed && lp->apic.timer.deadline <= lp->cycle)
			vmx_lp_apic_timer_catch_up(lp);
		if (!lp->non_root && (!lp->ctx.mem || !lp->ctx.mem->prog))
			return VMX_RUN_ROOT;
		/* Root operation's shutdown ends the run of this processor; only a RESET restarts it. */
		if (!lp->non_root && lp->ctx.activity == GUEST_ACTIVITY_SHUTDOWN && !lp->reset_latched)
			return VMX_RUN_SHUTDOWN;
		if (lp->inject_pending) {
			s = lp_inject(lp);
			if (s != LP_STEP_CONTINUE)
				return step_outcome(lp, s);
			continue;
		}
		if (lp->cycle >= until)
			return VMX_RUN_LIMIT;
		d = vmx_arbitrate(lp);
		if (d != VMX_DECIDE_NONE) {
			s = act(lp, d);
			if (s != LP_STEP_CONTINUE)
				return step_outcome(lp, s);
			continue;
		}
		if (lp->ctx.activity != GUEST_ACTIVITY_ACTIVE) {
			/* Asleep: nothing changes before the limit, the preemption timer or the LAPIC timer. */
			uint64_t wake = until, apic = vmx_lp_apic_timer_deadline(lp);
			if (lp->non_root && lp->timer_armed && lp->timer_deadline > lp->cycle && lp->timer_deadline < wake)
				wake = lp->timer_deadline;
			if (apic > lp->cycle && apic < wake)
				wake = apic;
			lp->cycle = wake > lp->cycle && !lp->reference ? wake : lp->cycle + 1;
			lp->steps++;
			continue;
		}
		lp->steps++;
		/* R24 level 7: an instruction breakpoint, once nothing above it acted at this boundary. */
		if ((bp = lp_code_breakpoint_match(lp)) != 0) {
			s = lp_debug_exception(lp, bp);
			if (s != LP_STEP_CONTINUE)
				return step_outcome(lp, s);
			lp_note_blocking(lp);
			continue;
		}
		lp_debug_before_insn(lp);
		s = lp_execute(lp, until);
		if (s != LP_STEP_CONTINUE)
			return step_outcome(lp, s);
		lp_note_blocking(lp);
	}
}

void vmx_lp_exec_root(struct vmx_lp *lp, enum vmx_op op, uint64_t arg, uint64_t arg2)
{
	if (lp->non_root)
		return;
	switch (op) {
	case VMX_OP_STI:
		if (!(lp->ctx.rflags & X86_EFLAGS_IF)) {
			lp->ctx.rflags |= X86_EFLAGS_IF;
			lp_retire(lp, 1, lp->model.insn_cycles);
			lp->sti_shadow_at = lp->retired;
		} else {
			lp_retire(lp, 1, lp->model.insn_cycles);
		}
		break;
	case VMX_OP_CLI:
		lp->ctx.rflags &= ~(uint64_t)X86_EFLAGS_IF;
		lp_retire(lp, 1, lp->model.insn_cycles);
		break;
	case VMX_OP_MOV_SS: {
		bool in_shadow = vmx_lp_movss_blocking(lp);
		lp_retire(lp, 1, lp->model.insn_cycles);
		if (!in_shadow)
			lp->movss_shadow_at = lp->retired;
		break;
	}
	case VMX_OP_IRET: {
		/* The IRET that ends a host NMI handler: it removes blocking by NMI (R16). */
		struct vmx_hw_event ev = {.kind = HW_IRET, .nmi_unblocked = lp->nmi_blocked, .rip = lp->ctx.rip};
		lp->nmi_blocked = false;
		lp_retire(lp, 1, lp->model.iret_cycles);
		lp_emit(lp, &ev);
		break;
	}
	case VMX_OP_WORK:
		lp_retire(lp, arg ? arg : 1, (arg ? arg : 1) * lp->model.insn_cycles);
		break;
	case VMX_OP_EOI:
		lp_emit_simple(lp, HW_EOI, (uint32_t)lapic_eoi(&lp->apic));
		lp_retire(lp, 1, lp->model.insn_cycles);
		break;
	case VMX_OP_IPI: {
		struct vmx_hw_event ev = {.kind = HW_IPI, .dest = (uint32_t)arg, .vector = (uint32_t)arg2,
		                          .rip = lp->ctx.rip};
		lp_emit(lp, &ev);
		lp_retire(lp, 1, lp->model.insn_cycles);
		if (lp->send_ipi)
			lp->send_ipi(lp->send_ipi_ctx, lp->id, (uint32_t)arg, (uint32_t)arg2);
		break;
	}
	default:
		lp_retire(lp, 1, lp->model.insn_cycles);
		break;
	}
	lp_note_blocking(lp);
	vmx_lp_apic_timer_catch_up(lp);
	if (lp->sync)
		lp->sync(lp->sync_ctx);
}
