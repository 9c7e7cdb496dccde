/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kvm_guestdbg.c - user space's debugger single-stepping a guest of the
 * KVM models (rules R12 and R24 from the host's side). The debugger is a
 * gdb attached to QEMU's gdbstub, or a program like KVM's own selftest;
 * each `guest-debug -> L1 cpuN COMMAND` stimulus is one command, and at
 * the KVM_EXIT_DEBUG that ends it the debugger stops and holds the vCPU
 * until the next: `step N [blockirq]` steps N instructions (`stepi`);
 * `hbreak LABEL` sets a hardware breakpoint and lets the guest run - held
 * at it, a new `hbreak` first steps over the instruction with the
 * breakpoint taken out, as gdb's `continue` does; `hw ... dr7 V` gives
 * DR0-DR3 and DR7 as they are (a DR7.GD of its own makes the guest's MOV
 * DR KVM_EXIT_DEBUG: kvm_guestdbg_general_detect); `sw` is USE_SW_BP, #BP
 * in the exception bitmap and the guest's INT3 a KVM_EXIT_DEBUG with
 * exception 3 at the INT3 (kvm_guestdbg_breakpoint: a debugger writes its
 * INT3 into the code, which the programs here cannot, so the guest's own
 * stands for it); `skip N` is KVM_SET_REGS with RIP moved on N bytes; and
 * `continue` turns debugging off.
 *
 * KVM_SET_GUEST_DEBUG (2.6.29 on; kvm-2011, read in the 3.1.10 tree, and
 * kvm-modern, as today's code has it):
 * - the ioctl reads RFLAGS with the trace flag it set itself hidden
 *   (kvm_get_rflags), takes the new control (ENABLE off means 0), records
 *   singlestep_rip = RIP for SINGLESTEP, and writes RFLAGS back through
 *   kvm_set_rflags, which sets TF when RIP is singlestep_rip and makes
 *   KVM_REQ_EVENT. So TF is in GUEST_RFLAGS while the debugger steps, and a
 *   frame the guest pushes then holds it; the ioctl that ends the stepping
 *   clears it, the guest's own TF with it.
 * - handle_exception(_nmi)(): with SINGLESTEP (or USE_HW_BP) every #DB
 *   exit is KVM_EXIT_DEBUG, the exit qualification as DR6 - also a #DB the
 *   guest caused itself. It sets no BS in the pending-debug field for an
 *   exit in an STI or MOV-SS shadow (today's b9bed78e does so only on the
 *   path that queues the #DB for the guest); instead vmx_vcpu_run() drops
 *   STI and MOV-SS blocking before every entry while SINGLESTEP is on, so
 *   the entry with TF passes its check (R12), and an interrupt may come
 *   right after a stepped STI (kvm_vmx.c vmx_vcpu_run_prepare; the comment
 *   in KVM's code says why).
 * - an instruction KVM emulates: today kvm_skip_emulated_instruction()
 *   ends in kvm_vcpu_do_singlestep(), which with SINGLESTEP is
 *   KVM_EXIT_DEBUG with DR6.BS; 3.1 skips it and owes nothing, so that
 *   step goes on through the next instruction.
 * - today only: KVM_GUESTDBG_BLOCKIRQ (61e5f69e, 2021) stops
 *   kvm_check_and_inject_events() after the re-injection of an event in
 *   flight and a pending exception: no NMI, no interrupt, no window.
 * - today's handle_dr() takes the lazy path (KVM_DEBUGREG_WONT_EXIT) only
 *   while guest_debug is 0; otherwise every MOV DR is emulated
 *   (kvm_debugreg.c).
 * - USE_HW_BP: the debugger's DR0-DR3 are eff_db and its DR7
 *   guest_debug_dr7 (3.1: GUEST_DR7 from the ioctl, switch_db_regs from its
 *   enables), which go to the processor before the entry; the guest's own
 *   MOV DR changes only arch.db and arch.dr7, so its breakpoints wait
 *   (kvm_debugreg.c update_dr7_in, kvm_debugreg_before_entry). QEMU gives
 *   DR7 0x600 with the enable bits: 0x602 for its breakpoint in DR0.
 *
 * KVM_DEBUG_GUEST (kvm-2008, read in a 2.6.28 tree): set_guest_debug()
 * puts #DB in the exception bitmap while enabled, writes 0x600 (GE) into
 * GUEST_DR7, with G0 for a breakpoint (0x400 when off) and, ending a
 * single-step, clears TF and RF; kvm_guest_debug_pre() loads the
 * debugger's DR0-DR3 and, while it single-steps, sets TF and RF in
 * GUEST_RFLAGS before every entry.
 * handle_exception() makes every #DB exit KVM_EXIT_DEBUG, with no DR6 for
 * user space, which therefore takes each for its step. Nothing drops the
 * STI shadow: a step over STI leaves TF with STI blocking and no BS, and
 * the next entry fails (R12; the guest stops). An instruction KVM
 * emulates owes no step, as in 3.1.
 *
 * User space's side (QEMU's kvm_handle_debug): a KVM_EXIT_DEBUG with BS
 * while the debugger single-steps is its step; any other #DB it passes
 * back to the guest (KVM_SET_VCPU_EVENTS), which the model does as KVM's
 * own reflection does (the exit's DR6 bits as the #DB's payload). Each
 * answer is a round trip to user space (kvm_vcpu.userspace_cycles). Before
 * each step the debugger calls the ioctl again (SINGLESTEP, with BLOCKIRQ
 * if asked), which moves singlestep_rip to where the guest now is; after
 * the last, it turns debugging off.
 *
 * A vCPU that runs L2: the ioctl acts on the VMCS that runs, vmcs02 (TF in
 * L2's RFLAGS, the debugger's DR7 through kvm_update_dr7), and
 * KVM_EXIT_DEBUG reports L2's RIP. Whose a #DB of L2 is: today L0's for
 * the debugger before vmcs12 is asked (nested_exit.c l0_wants_guestdbg);
 * in 3.1 L1's when vmcs12 intercepts #DB, and prepare_vmcs12 then hands L1
 * the debugger's TF in vmcs12's GUEST_RFLAGS. At an entry of L2 today's
 * prepare_vmcs02 puts the debugger's DR7 into vmcs02 (kvm_set_dr(7) ->
 * kvm_update_dr7), 3.1's vmcs12's; neither puts TF back. At an exit to L1
 * today's gives L1 RFLAGS 0x2, 3.1's vmcs01's (nested.c
 * nested_load_host_flags).
 *
 * Software breakpoints: the ioctl puts the #BP intercept into the VMCS
 * that runs (kvm_guestdbg_update_bp) and prepare_vmcs02 into vmcs02 at
 * each entry of L2; at the exit to L1 3.1 recomputes vmcs01's bitmap and
 * today's leaves it (kvm_era.nested_exit_updates_eb), so a vmcs01 can
 * keep or lack the intercept of the debugger's last ioctl made while L1
 * ran - a #BP exit is KVM_EXIT_DEBUG either way, and user space passes one
 * that is not at its breakpoint back (KVM_SET_VCPU_EVENTS).
 *
 * Not modelled, refused: while it debugs, an INT1 (ICEBP), whose exit KVM
 * would hand to user space at the INT1. KVM_GUESTDBG_INJECT_* is not in
 * the language.
 */
#include <stdio.h>

#include "model/l0/kvm/kvm.h"

#include "vmcs/x86_debugreg.h"

void kvm_guestdbg_general_detect(struct kvm_vcpu *k)
{
	/*
	 * handle_dr(): the exit came before the #DB; with the debugger's
	 * breakpoints it is KVM_EXIT_DEBUG at the MOV DR - today with DR6.BD,
	 * 3.1 with what arch.dr6 holds.
	 */
	kvm_guestdbg_exit(k, k->era->guestdbg == KVM_SET_GUEST_DEBUG_3X ? (uint32_t)k->dr6 : DR6_BD);
}

bool kvm_guest_debug_cmd(struct kvm_vcpu *k, const struct l0_guest_debug_cmd *cmd, uint32_t line)
{
	if (k->dbg_start || k->dbg_steps_left) {
		l0_refuse(&k->b, line, "a 'guest-debug' stimulus while the debugger still steps the vCPU or has a command "
		                       "to carry out");
		return false;
	}
	k->dbg_start = true;
	k->dbg_cmd = *cmd;
	l0_trace(&k->b, TRACE_USERSPACE, "request", "guest_debug",
	         cmd->kind == L0_GDB_STEP     ? "user space's debugger stops the vCPU to step it"
	         : cmd->kind == L0_GDB_HBREAK ? "user space's debugger sets a hardware breakpoint"
	         : cmd->kind == L0_GDB_HW     ? "user space's debugger gives its own debug registers"
	         : cmd->kind == L0_GDB_SW     ? "user space's debugger takes the guest's INT3 for its own"
	         : cmd->kind == L0_GDB_SKIP   ? "user space moves RIP on"
	                                      : "user space's debugger lets the guest go",
	         DB_VECTOR, 0);
	return true;
}

/* kvm_get_rflags(): the TF KVM set for the debugger is not the guest's. */
static uint64_t get_rflags(const struct kvm_vcpu *k)
{
	uint64_t rflags = vmcs_get(k->b.loaded, GUEST_RFLAGS);

	return (k->guest_debug & KVM_GUESTDBG_SINGLESTEP) ? rflags & ~(uint64_t)X86_EFLAGS_TF : rflags;
}

/* kvm_set_rflags(): TF while the guest is where the debugger's step begins; KVM_REQ_EVENT. */
static void set_rflags(struct kvm_vcpu *k, uint64_t rflags)
{
	if ((k->guest_debug & KVM_GUESTDBG_SINGLESTEP) && vmcs_get(k->b.loaded, GUEST_RIP) == k->singlestep_rip)
		rflags |= X86_EFLAGS_TF;
	vmcs_set(k->b.loaded, GUEST_RFLAGS, rflags);
	k->req_event = true;
}

/* The debugger's DR0-DR3: its one breakpoint in DR0 while it uses it (`hw`: as it gave them). */
static void debugger_breakpoint(struct kvm_vcpu *k, uint32_t control)
{
	if (k->dbg_mode == KVM_DBG_HW)
		return;
	k->dbg_db[0] = (control & KVM_GUESTDBG_USE_HW_BP) && k->dbg_mode == KVM_DBG_HBREAK ? k->dbg_hbreak : 0;
	k->dbg_db[1] = k->dbg_db[2] = k->dbg_db[3] = 0;
}

/*
 * update_exception_bitmap(), for one vector the debugger needs (#BP for
 * USE_SW_BP, #DB for kvm-2008's debugger): intercepted while it is on
 * (`after`); when it goes off, as the scenario's lines had it before it
 * came on (*was).
 */
static void intercept_while(struct kvm_vcpu *k, unsigned vector, bool before, bool after, bool *was)
{
	uint32_t eb = vmcs_get32(k->b.loaded, EXCEPTION_BITMAP);

	if (!before && after) {
		*was = (eb >> vector) & 1u;
		eb |= 1u << vector;
	} else if (before && !after && !*was) {
		eb &= ~(1u << vector);
	}
	vmcs_set(k->b.loaded, EXCEPTION_BITMAP, eb);
}

/*
 * update_exception_bitmap() for the debugger's #BP (USE_SW_BP), on the VMCS
 * that runs: vmcs01 keeps what the scenario's lines had when it goes off
 * (intercept_while); vmcs02 is KVM's bits, vmcs12's and the debugger's
 * (prepare_vmcs02 puts the last in at each entry of L2), and vmcs01 is
 * left as it was until the exit to L1 recomputes it (3.1) or until an
 * ioctl made while L1 runs (today: kvm_era.nested_exit_updates_eb).
 */
void kvm_guestdbg_update_bp(struct kvm_vcpu *k)
{
	bool sw = (k->guest_debug & KVM_GUESTDBG_USE_SW_BP) != 0;

	if (k->guest_mode) {
		uint32_t eb = vmcs_get32(k->b.loaded, EXCEPTION_BITMAP) & ~(1u << BP_VECTOR);
		bool l1 = (vmcs_get32(k->vmcs12, EXCEPTION_BITMAP) >> BP_VECTOR) & 1u;

		vmcs_set(k->b.loaded, EXCEPTION_BITMAP, eb | ((sw || l1) ? 1u << BP_VECTOR : 0u));
		return;
	}
	intercept_while(k, BP_VECTOR, k->dbg_bp_in_v01, sw, &k->dbg_bp_was_intercepted);
	k->dbg_bp_in_v01 = sw;
}

void kvm_guestdbg_nested_exit(struct kvm_vcpu *k)
{
	bool sw = (k->guest_debug & KVM_GUESTDBG_USE_SW_BP) != 0;

	if (!k->era->nested_exit_updates_eb || k->dbg_bp_in_v01 == sw)
		return;
	intercept_while(k, BP_VECTOR, k->dbg_bp_in_v01, sw, &k->dbg_bp_was_intercepted);
	k->dbg_bp_in_v01 = sw;
}

/* kvm-2008's set_guest_debug() (KVM_DEBUG_GUEST): enabled with single-step or a breakpoint, or off. */
static void debug_guest_2008(struct kvm_vcpu *k, uint32_t control)
{
	bool was_stepping = (k->guest_debug & KVM_GUESTDBG_SINGLESTEP) != 0;
	char why[80];

	/* #DB while enabled. */
	intercept_while(k, DB_VECTOR, k->guest_debug != 0, control != 0, &k->dbg_db_was_intercepted);
	k->guest_debug = control;
	debugger_breakpoint(k, control);
	/* 0x400, with GE (exact) while enabled and G0 for breakpoint 0 (an execution breakpoint: R/W0 and LEN0 00). */
	vmcs_set(k->b.loaded, GUEST_DR7,
	         DR7_FIXED_1 | (control ? 0x200u : 0u) | ((control & KVM_GUESTDBG_USE_HW_BP) ? 0x2u : 0u));
	if (was_stepping && !(control & KVM_GUESTDBG_SINGLESTEP))
		vmcs_set(k->b.loaded, GUEST_RFLAGS,
		         vmcs_get(k->b.loaded, GUEST_RFLAGS) & ~(uint64_t)(X86_EFLAGS_TF | X86_EFLAGS_RF));
	snprintf(why, sizeof(why), "enabled %d singlestep %d breakpoint 0x%llx", control ? 1 : 0,
	         (control & KVM_GUESTDBG_SINGLESTEP) ? 1 : 0, (unsigned long long)k->dbg_db[0]);
	l0_trace(&k->b, TRACE_USERSPACE, "ioctl", "KVM_DEBUG_GUEST", why, -1, 0);
}

/* kvm_arch_vcpu_ioctl_set_guest_debug(), for the controls the model has (the header). */
static void set_guest_debug(struct kvm_vcpu *k, uint32_t control)
{
	uint64_t rflags;
	char why[80];

	if (k->era->guestdbg == KVM_DEBUG_GUEST_2008) {
		debug_guest_2008(k, control);
		return;
	}
	rflags = get_rflags(k);
	k->guest_debug = (control & KVM_GUESTDBG_ENABLE) ? control : 0;
	kvm_guestdbg_update_bp(k);
	/* USE_HW_BP: eff_db[] and guest_debug_dr7 are the debugger's (QEMU's DR7: 0x600 and G0), else the guest's. */
	debugger_breakpoint(k, k->guest_debug);
	if (k->dbg_mode != KVM_DBG_HW)
		k->guest_debug_dr7 = (k->guest_debug & KVM_GUESTDBG_USE_HW_BP) ? 0x602u : DR7_FIXED_1;
	kvm_update_dr7(k);
	if (k->guest_debug & KVM_GUESTDBG_SINGLESTEP)
		k->singlestep_rip = vmcs_get(k->b.loaded, GUEST_RIP);
	set_rflags(k, rflags);
	snprintf(why, sizeof(why), "control 0x%x", k->guest_debug);
	l0_trace(&k->b, TRACE_USERSPACE, "ioctl", "KVM_SET_GUEST_DEBUG", why, -1, 0);
}

void kvm_guestdbg_before_entry(struct kvm_vcpu *k)
{
	if (k->era->guestdbg != KVM_DEBUG_GUEST_2008 || !k->guest_debug)
		return;
	/* kvm-2008's kvm_guest_debug_pre(): TF and RF while it single-steps (its DR0-DR3: kvm_debugreg_before_entry). */
	if (k->guest_debug & KVM_GUESTDBG_SINGLESTEP)
		vmcs_set(k->b.loaded, GUEST_RFLAGS,
		         vmcs_get(k->b.loaded, GUEST_RFLAGS) | X86_EFLAGS_TF | X86_EFLAGS_RF);
}

/*
 * What the debugger asks for each step. Stepping over its breakpoint, gdb
 * steps as QEMU's gdbstub does by default (SSTEP_NOIRQ): with BLOCKIRQ
 * where KVM has it.
 */
static uint32_t step_control(const struct kvm_vcpu *k)
{
	bool blockirq = k->dbg_mode == KVM_DBG_HBREAK ? k->era->guestdbg == KVM_SET_GUEST_DEBUG_BLOCKIRQ : k->dbg_blockirq;

	return KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP | (blockirq ? KVM_GUESTDBG_BLOCKIRQ : 0u);
}

void kvm_guestdbg_exit(struct kvm_vcpu *k, uint32_t dr6)
{
	k->dbg_exit = true;
	k->dbg_exit_dr6 = dr6;
	k->dbg_exit_vector = DB_VECTOR;
}

void kvm_guestdbg_breakpoint(struct kvm_vcpu *k)
{
	/*
	 * handle_exception(_nmi)(): a #BP exit is KVM_EXIT_DEBUG, exception 3,
	 * RIP at the INT3 - KVM intercepts #BP only for the debugger (today
	 * also through the stale vmcs01 intercept, kvm_vmx.c); a #BP the
	 * scenario's own EXCEPTION_BITMAP line intercepts is reflected there
	 * instead.
	 */
	k->dbg_exit = true;
	k->dbg_exit_dr6 = 0;
	k->dbg_exit_vector = BP_VECTOR;
	k->dbg_exit_info = vmcs_get32(k->b.loaded, VM_EXIT_INTR_INFO);
	k->dbg_exit_len = vmcs_get32(k->b.loaded, VM_EXIT_INSTRUCTION_LEN);
}


/*
 * Is this KVM_EXIT_DEBUG the debugger's own? A step (BS) while it steps, or
 * B0 - its breakpoint - while that is armed. 2008's user space had no DR6
 * to look at: it goes by what it asked for.
 */
static bool debuggers_exit(const struct kvm_vcpu *k, uint32_t dr6)
{
	bool no_dr6 = k->era->guestdbg == KVM_DEBUG_GUEST_2008;

	if (k->dbg_mode == KVM_DBG_HW || k->dbg_mode == KVM_DBG_SW)
		return true;   /* it reports every one, as KVM's selftest expects */
	if (k->guest_debug & KVM_GUESTDBG_SINGLESTEP)
		return no_dr6 || (dr6 & DR6_BS);
	return (k->guest_debug & KVM_GUESTDBG_USE_HW_BP) && (no_dr6 || (dr6 & 1u));
}

/* The debugger's next command (a `guest-debug` stimulus), carried out while the vCPU is out of KVM_RUN. */
static void next_command(struct kvm_vcpu *k)
{
	bool was_stopped = k->dbg_stopped;
	/* Its own copy: the round trip below lets time pass, and the next command may arrive meanwhile. */
	const struct l0_guest_debug_cmd cmd = k->dbg_cmd;

	k->dbg_start = false;
	k->dbg_stopped = false;
	vmx_lp_spend(k->b.env.lp, k->userspace_cycles);
	k->dbg_blockirq = cmd.blockirq;
	if (cmd.kind == L0_GDB_SKIP) {
		/* KVM_SET_REGS with RIP moved on, as the selftest's vcpu_skip_insn(); the vCPU stays as it was. */
		uint64_t rip = vmcs_get(k->b.loaded, GUEST_RIP);
		char why[80];

		vmcs_set(k->b.loaded, GUEST_RIP, rip + cmd.steps);
		k->req_event = true;
		snprintf(why, sizeof(why), "rip 0x%llx -> 0x%llx", (unsigned long long)rip,
		         (unsigned long long)(rip + cmd.steps));
		l0_trace(&k->b, TRACE_USERSPACE, "ioctl", "KVM_SET_REGS", why, -1, 0);
		k->dbg_stopped = was_stopped;
		return;
	}
	switch (cmd.kind) {
	case L0_GDB_STEP:
		/* stepi: its breakpoint out while it steps, and none after. */
		k->dbg_mode = KVM_DBG_STEP;
		k->dbg_steps_left = cmd.steps;
		set_guest_debug(k, step_control(k));
		return;
	case L0_GDB_HW:
		/* Its own debug registers (USE_HW_BP), as KVM's selftest gives them. */
		k->dbg_mode = KVM_DBG_HW;
		for (unsigned n = 0; n < 4; n++)
			k->dbg_db[n] = cmd.dr[n];
		k->guest_debug_dr7 = cmd.dr7;
		set_guest_debug(k, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP);
		return;
	case L0_GDB_SW:
		/* Software breakpoints (USE_SW_BP): the guest's INT3 is the debugger's. */
		k->dbg_mode = KVM_DBG_SW;
		set_guest_debug(k, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP);
		return;
	case L0_GDB_SKIP:
	case L0_GDB_CONTINUE:
		k->dbg_mode = KVM_DBG_OFF;
		set_guest_debug(k, 0u);
		return;
	case L0_GDB_HBREAK:
		break;
	}
	/*
	 * hbreak and continue: held where a breakpoint of its own is (the old
	 * one, or the new), it first steps over that instruction, as gdb does.
	 */
	uint64_t rip = vmcs_get(k->b.loaded, GUEST_RIP);
	bool at_breakpoint = was_stopped && (rip == cmd.hbreak || (k->dbg_mode == KVM_DBG_HBREAK && rip == k->dbg_hbreak));

	k->dbg_mode = KVM_DBG_HBREAK;
	k->dbg_hbreak = cmd.hbreak;
	set_guest_debug(k, at_breakpoint ? step_control(k) : KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP);
}

void kvm_guestdbg_userspace(struct kvm_vcpu *k)
{
	if (k->dbg_exit) {
		char why[96];
		uint64_t rip = vmcs_get(k->b.loaded, GUEST_RIP);

		k->dbg_exit = false;
		if (k->dbg_exit_vector == BP_VECTOR)
			snprintf(why, sizeof(why), "rip 0x%llx exception 3", (unsigned long long)rip);
		else
			snprintf(why, sizeof(why), "rip 0x%llx dr6 0x%x", (unsigned long long)rip, k->dbg_exit_dr6 | DR6_FIXED_1);
		l0_trace(&k->b, TRACE_USERSPACE, "exit", "KVM_EXIT_DEBUG", why, DB_VECTOR, 0);
		vmx_lp_spend(k->b.env.lp, k->userspace_cycles);
		if (!debuggers_exit(k, k->dbg_exit_dr6) && k->dbg_exit_vector == BP_VECTOR) {
			/*
			 * QEMU's kvm_handle_debug: no breakpoint of its own there - the
			 * INT3 goes back as a pending exception (KVM_SET_VCPU_EVENTS,
			 * which leaves the exception bitmap alone).
			 */
			l0_trace(&k->b, TRACE_USERSPACE, "ioctl", "KVM_SET_VCPU_EVENTS",
			         "not the debugger's #BP: passed back to the guest", BP_VECTOR, 0);
			kvm_queue_exception(k, k->dbg_exit_info, 0);
			/* vmx_queue_exception(): a soft exception carries the length the exit gave (event_exit_inst_len). */
			vmcs_set(k->b.loaded, VM_ENTRY_INSTRUCTION_LEN, k->dbg_exit_len);
		} else if (!debuggers_exit(k, k->dbg_exit_dr6)) {
			l0_trace(&k->b, TRACE_USERSPACE, "ioctl", "KVM_SET_VCPU_EVENTS",
			         "not the debugger's #DB: passed back to the guest", DB_VECTOR, 0);
			kvm_queue_db(k, k->dbg_exit_dr6);
		} else if (k->dbg_mode == KVM_DBG_HW || k->dbg_mode == KVM_DBG_SW) {
			/* Its own debug registers or INT3: any KVM_EXIT_DEBUG is a stop; it waits for its next command. */
			snprintf(why, sizeof(why), "KVM_EXIT_DEBUG at 0x%llx", (unsigned long long)rip);
			l0_trace(&k->b, TRACE_USERSPACE, "stop", k->dbg_mode == KVM_DBG_SW ? "sw" : "hw", why,
			         k->dbg_exit_vector, 0);
			k->dbg_stopped = true;
		} else if (k->dbg_mode == KVM_DBG_HBREAK && (k->guest_debug & KVM_GUESTDBG_USE_HW_BP)) {
			/* Its breakpoint: it stops there, holding the vCPU until its next command. */
			snprintf(why, sizeof(why), "the debugger's breakpoint at 0x%llx", (unsigned long long)rip);
			l0_trace(&k->b, TRACE_USERSPACE, "stop", "hbreak", why, DB_VECTOR, 0);
			k->dbg_stopped = true;
		} else if (k->dbg_mode == KVM_DBG_HBREAK) {
			/* Stepped over the instruction it had stopped at: the breakpoint goes back in, and the guest runs on. */
			set_guest_debug(k, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP);
		} else if (--k->dbg_steps_left) {
			set_guest_debug(k, step_control(k));
		} else {
			/* stepi done: it stops there, holding the vCPU until its next command. */
			snprintf(why, sizeof(why), "stepped to 0x%llx", (unsigned long long)rip);
			l0_trace(&k->b, TRACE_USERSPACE, "stop", "step", why, DB_VECTOR, 0);
			k->dbg_stopped = true;
		}
	}
	/* Its commands in order, those that came during a round trip too. */
	while (k->dbg_start)
		next_command(k);
}

bool kvm_guestdbg_holds(const struct kvm_vcpu *k)
{
	return k->dbg_stopped;
}
