/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kvm_guestdbg.c - user space's debugger single-stepping a guest of the
 * KVM models (rules R12 and R24 from the host's side). The debugger is a
 * gdb attached to QEMU's gdbstub doing `stepi`: a `guest-debug -> L1 cpuN
 * step N [blockirq]` stimulus stops the vCPU and steps N instructions,
 * then lets it run.
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
 *
 * KVM_DEBUG_GUEST (kvm-2008, read in a 2.6.28 tree): set_guest_debug()
 * puts #DB in the exception bitmap while enabled, writes 0x600 (GE) into
 * GUEST_DR7 (0x400 when off) and, ending a single-step, clears TF and RF;
 * kvm_guest_debug_pre() sets TF and RF in GUEST_RFLAGS before every entry
 * (and loads the debugger's DR0-DR3, all 0 here: it sets no breakpoints).
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
 * Not modelled, refused: the debugger for a vCPU that runs L2 (before the
 * run, lib/scenario_stim.c); the debugger's hardware and software
 * breakpoints (USE_HW_BP, USE_SW_BP) and KVM_GUESTDBG_INJECT_*, which no
 * stimulus asks for; and, while it steps, an INT1 (ICEBP), whose exit KVM
 * would hand to user space at the INT1.
 */
#include <stdio.h>

#include "model/l0/kvm/kvm.h"

#include "vmcs/x86_debugreg.h"

bool kvm_guest_debug_cmd(struct kvm_vcpu *k, const struct l0_guest_debug_cmd *cmd, uint32_t line)
{
	if (k->dbg_start || k->dbg_steps_left) {
		l0_refuse(&k->b, line, "a 'guest-debug' stimulus while the debugger still steps the vCPU");
		return false;
	}
	k->dbg_start = true;
	k->dbg_steps_left = cmd->steps;
	k->dbg_blockirq = cmd->blockirq;
	l0_trace(&k->b, TRACE_USERSPACE, "request", "guest_debug", "user space's debugger stops the vCPU to step it",
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

/* kvm-2008's set_guest_debug() (KVM_DEBUG_GUEST): enabled with single-step, or off. */
static void debug_guest_2008(struct kvm_vcpu *k, uint32_t control)
{
	bool was_stepping = (k->guest_debug & KVM_GUESTDBG_SINGLESTEP) != 0;
	uint32_t eb = vmcs_get32(k->b.loaded, EXCEPTION_BITMAP);

	if (!k->guest_debug && control)
		k->dbg_db_was_intercepted = (eb >> DB_VECTOR) & 1u;
	k->guest_debug = control;
	vmcs_set(k->b.loaded, GUEST_DR7, control ? 0x600u : DR7_FIXED_1);
	if (was_stepping && !control)
		vmcs_set(k->b.loaded, GUEST_RFLAGS,
		         vmcs_get(k->b.loaded, GUEST_RFLAGS) & ~(uint64_t)(X86_EFLAGS_TF | X86_EFLAGS_RF));
	/* update_exception_bitmap(): #DB while enabled, and as the scenario's lines had it otherwise. */
	if (control || !k->dbg_db_was_intercepted)
		vmcs_set(k->b.loaded, EXCEPTION_BITMAP, control ? eb | (1u << DB_VECTOR) : eb & ~(1u << DB_VECTOR));
	l0_trace(&k->b, TRACE_USERSPACE, "ioctl", "KVM_DEBUG_GUEST",
	         control ? "enabled 1 singlestep 1" : "enabled 0 singlestep 0", -1, 0);
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
	if (k->guest_debug & KVM_GUESTDBG_SINGLESTEP)
		k->singlestep_rip = vmcs_get(k->b.loaded, GUEST_RIP);
	set_rflags(k, rflags);
	snprintf(why, sizeof(why), "control 0x%x", k->guest_debug);
	l0_trace(&k->b, TRACE_USERSPACE, "ioctl", "KVM_SET_GUEST_DEBUG", why, -1, 0);
}

void kvm_guestdbg_before_entry(struct kvm_vcpu *k)
{
	/* kvm-2008's kvm_guest_debug_pre(): TF and RF before every entry while it single-steps. */
	if (k->era->guestdbg == KVM_DEBUG_GUEST_2008 && (k->guest_debug & KVM_GUESTDBG_SINGLESTEP))
		vmcs_set(k->b.loaded, GUEST_RFLAGS,
		         vmcs_get(k->b.loaded, GUEST_RFLAGS) | X86_EFLAGS_TF | X86_EFLAGS_RF);
}

/* What the debugger asks for each step. */
static uint32_t step_control(const struct kvm_vcpu *k)
{
	return KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP | (k->dbg_blockirq ? KVM_GUESTDBG_BLOCKIRQ : 0u);
}

void kvm_guestdbg_exit(struct kvm_vcpu *k, uint32_t dr6)
{
	k->dbg_exit = true;
	k->dbg_exit_dr6 = dr6;
}

void kvm_guestdbg_userspace(struct kvm_vcpu *k)
{
	if (k->dbg_exit) {
		char why[96];

		k->dbg_exit = false;
		snprintf(why, sizeof(why), "rip 0x%llx dr6 0x%x", (unsigned long long)vmcs_get(k->b.loaded, GUEST_RIP),
		         k->dbg_exit_dr6 | DR6_FIXED_1);
		l0_trace(&k->b, TRACE_USERSPACE, "exit", "KVM_EXIT_DEBUG", why, DB_VECTOR, 0);
		vmx_lp_spend(k->b.env.lp, k->userspace_cycles);
		/* 2008's user space had no DR6 to look at: every KVM_EXIT_DEBUG is its step. */
		if (((k->dbg_exit_dr6 & DR6_BS) || k->era->guestdbg == KVM_DEBUG_GUEST_2008) &&
		    (k->guest_debug & KVM_GUESTDBG_SINGLESTEP) && k->dbg_steps_left) {
			k->dbg_steps_left--;
			set_guest_debug(k, k->dbg_steps_left ? step_control(k) : 0u);
		} else {
			l0_trace(&k->b, TRACE_USERSPACE, "ioctl", "KVM_SET_VCPU_EVENTS",
			         "not the debugger's #DB: passed back to the guest", DB_VECTOR, 0);
			kvm_queue_db(k, k->dbg_exit_dr6);
		}
	}
	if (k->dbg_start) {
		k->dbg_start = false;
		vmx_lp_spend(k->b.env.lp, k->userspace_cycles);
		set_guest_debug(k, step_control(k));
	}
}
