/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kvm_x86.c - the generic side of KVM's event path in the model: guest
 * NMIs and interrupts arriving (kvm_inject_nmi, the in-kernel LAPIC),
 * halting, user space's NMI window, the vCPU's run loop and the per-era
 * variants. The injection decision before every entry is kvm_inject.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/l0/kvm/kvm.h"
#include "model/l0/kvm/kvm_history.h"

/* Can a halted vCPU run again (kvm_arch_vcpu_runnable / kvm_vcpu_has_events)? */
static bool kvm_vcpu_runnable(struct kvm_vcpu *k)
{
	bool nmi = k->nmi_pending || k->nmi_queued;
	bool irq = kvm_cpu_has_interrupt(k);

	if (k->era->halt_wake_needs_nmi_allowed)
		nmi = nmi && (k->era->nested_check_events ? vmx_nmi_allowed_now(k, false) != KVM_NOT_ALLOWED
		                                         : vmx_nmi_allowed(k));
	/* kvm_vcpu_has_events(): KVM_REQ_NMI alone makes the vCPU runnable; process_nmi() then takes it away. */
	if (k->era->req_nmi_wakes && k->req_nmi)
		nmi = true;
	if (k->era->halt_wake_needs_if)
		irq = irq && vmx_interrupt_allowed(k);
	/*
	 * L2 halted and L1 exits on interrupts: only today's KVM sees that an
	 * interrupt for L1 must wake the vCPU (check_nested_events from
	 * kvm_vcpu_has_events, H-N6); the 2011 code did not look.
	 */
	if (k->guest_mode && nested_exit_on_intr(k))
		irq = kvm_cpu_has_interrupt(k) && k->era->nested_wake_on_l1_event;
	/* kvm_vcpu_has_events() asks nested_ops->has_events(): L1's expired preemption timer. */
	return nmi || irq || (k->guest_mode && k->era->nested_check_events && vmx_has_nested_events(k)) ||
	       (k->era->nested_check_events && nested_vapic_has_interrupt(k)) ||
	       (k->era->halt_wake_on_exception && k->exception_queued);
}

/* Why kvm_vcpu_runnable() let a halted vCPU go, for the trace. */
static const char *wake_reason(const struct kvm_vcpu *k)
{
	if (k->nmi_pending || k->nmi_queued)
		return "NMI pending";
	if (k->guest_mode && k->l2_timer_deadline <= k->b.env.lp->cycle)
		return "L1's preemption timer expired";
	if (k->era->halt_wake_on_exception && k->exception_queued && !kvm_cpu_has_interrupt(k))
		return "exception pending";
	if (!kvm_cpu_has_interrupt(k) && k->era->nested_check_events && nested_vapic_has_interrupt(k))
		return "virtual interrupt for L2 above VPPR (vmx_has_nested_events)";
	return "interrupt pending";
}

/* User space answers KVM_EXIT_NMI_WINDOW_OPEN with KVM_NMI. */
static void userspace_round_trip(struct kvm_vcpu *k)
{
	l0_trace(&k->b, TRACE_USERSPACE, "exit", "KVM_EXIT_NMI_WINDOW_OPEN", NULL, -1, 0);
	vmx_lp_spend(k->b.env.lp, k->userspace_cycles);
	if (k->userspace_nmis) {
		k->userspace_nmis--;
		k->nmi_pending = 1;
		l0_trace(&k->b, TRACE_USERSPACE, "ioctl", "KVM_NMI", NULL, -1, 0);
	}
	k->request_nmi_window = k->userspace_nmis > 0;
	k->req_event = true;
}

static enum l0_status enter(struct kvm_vcpu *k)
{
	enum l0_status status;

	for (;;) {
		/* User space's debugger, between two KVM_RUNs (kvm_guestdbg.c); stopped, it holds the vCPU. */
		kvm_guestdbg_userspace(k);
		if (kvm_guestdbg_holds(k))
			return L0_BLOCKED;
		/* A KVM_X86_SET_MCE made while the vCPU was out of KVM_RUN (kvm_mce.c). */
		if (kvm_apply_set_mce(k) == KVM_SHUTDOWN)
			return L0_STOPPED;
		kvm_guestdbg_before_entry(k);
		/* vcpu_enter_guest(): events are looked at only on KVM_REQ_EVENT in the eras that have it. */
		if (k->guest_mode && !k->era->nested_check_events)
			nested_inject_events(k);
		else if (!k->era->req_event_model || k->req_event) {
			k->req_event = false;
			kvm_inject_pending_events(k);
		}
		/*
		 * An L2 whose HLT L0 emulated and that runs again without an exit
		 * to L1 first is active (vcpu_block: mp_state RUNNABLE after the
		 * nested events were evaluated): a later exit to L1 saves that.
		 */
		if (k->guest_mode)
			k->l2_halted = false;
		vmx_vcpu_run_prepare(k);
		kvm_debugreg_before_entry(k);
		if (!k->guest_mode || !k->era->nested_reflects_failed_entry)
			status = l0_enter(&k->b);
		else if (!nested_enter_l2(k, &status))
			continue;   /* L2's entry failed into L1, which now runs (guest_mode is off): at most once more */
		if (status == L0_ENTERED && k->guest_mode && nested_refuse_unmodelled(k))
			return L0_STOPPED;
		if (status == L0_ENTERED && !k->guest_mode && kvm_debugreg_refuse_at_entry(k))
			return L0_STOPPED;
		if (status == L0_ENTERED)
			kvm_debugreg_note_unloaded(k);
		return status;
	}
}

static enum l0_status kvm_run_root(void *inst)
{
	struct kvm_vcpu *k = inst;
	uint32_t pin = PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING;

	if (!k->b.launched) {
		if (cpu_has_virtual_nmis(k))
			pin |= PIN_BASED_VIRTUAL_NMIS;
		/* 2008 KVM took host interrupts with IRQs enabled after the exit; today it acknowledges on exit. */
		/*
		 * KVM intercepts HLT, every port (I/O bitmaps of all ones then,
		 * unconditional I/O exiting today; the model has no bitmaps) and,
		 * without a TPR shadow, MOV to CR8; and MOV DR in every era
		 * (setup_vmcs_config's minimum; kvm_debugreg.c). And the debug
		 * controls in every era: KVM builds its controls from the non-TRUE
		 * capability MSRs, whose default-1 bits include save and load debug
		 * controls (today's minimum names them too), so GUEST_DR7 and
		 * GUEST_IA32_DEBUGCTL are loaded and saved whatever TRUE MSRs the
		 * processor has.
		 */
		l0_setup_vmcs(&k->b, pin,
		              CPU_BASED_HLT_EXITING | CPU_BASED_UNCOND_IO_EXITING | CPU_BASED_CR8_LOAD_EXITING |
		                  CPU_BASED_MOV_DR_EXITING,
		              VM_EXIT_SAVE_DEBUG_CONTROLS | (k->era->modern_injection_order ? VM_EXIT_ACK_INTR_ON_EXIT : 0u));
		vmcs_set_bits(&k->b.vmcs, VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_DEBUG_CONTROLS);
		kvm_debugreg_init(k);
		if (!kvm_debugctl_init(k))
			return L0_STOPPED;
		/* vmx_set_cr4(): the CR4 the guest runs with keeps the host's MCE (hw_cr4_host_mce). */
		k->guest_cr4 = vmcs_get(&k->b.vmcs, GUEST_CR4);   /* vcpu->arch.cr4, the guest's own */
		if (k->era->hw_cr4_host_mce)
			vmcs_set_bits(&k->b.vmcs, GUEST_CR4, X86_CR4_MCE);
		/* vmx_vcpu_setup(): update_exception_bitmap(), with the bits the scenario's lines set. */
		vmcs_set_bits(&k->b.vmcs, EXCEPTION_BITMAP, update_exception_bitmap(k));
		if (k->era->nested && k->b.env.l2_mem)
			nested_setup_vmcs12(k);
		k->req_event = true;
		return enter(k);
	}
	immediate_exit_done(k);
	/* vcpu_enter_guest(), after vmx_vcpu_run(): the registers the guest had to itself are read back. */
	kvm_debugreg_after_exit(k);
	/* An NMI held in the guest (blocking by NMI ended with the exit) is the host's at once. */
	l0_service_host_nmis(&k->b);
	/* Halted, or held by user space's debugger at its breakpoint: no exit since the last call. */
	if (!k->halted && !kvm_guestdbg_holds(k)) {
		enum kvm_exit_result r;
		if (k->guest_mode) {
			r = nested_handle_l2_exit(k);
		} else {
			vmx_complete_interrupts(k);
			r = kvm_handle_exit(k);
		}
		switch (r) {
		case KVM_RESUME:
			break;
		case KVM_HALT:
			k->halted = true;
			l0_trace(&k->b, TRACE_HALT, "what", "block", "guest executed HLT", -1, 0);
			break;
		case KVM_USERSPACE:
			userspace_round_trip(k);
			break;
		case KVM_SHUTDOWN:
			return L0_STOPPED;
		}
	}
	if (!l0_service_host(&k->b))
		return L0_STOPPED;
	/* A KVM_EXIT_DEBUG reaches user space before a halted vCPU blocks (kvm_emulate_halt). */
	kvm_guestdbg_userspace(k);
	if (kvm_guestdbg_holds(k))
		return L0_BLOCKED;
	/* KVM_X86_SET_MCE runs while the vCPU is out of KVM_RUN, halted or not (kvm_mce.c). */
	if (kvm_apply_set_mce(k) == KVM_SHUTDOWN)
		return L0_STOPPED;
	if (k->halted) {
		/* Today's KVM leaves the NMI to vcpu_enter_guest(); the request alone wakes (req_nmi_wakes). */
		if (k->era->nmi_pending_two && !k->era->req_nmi_wakes)
			process_nmi(k);
		if (!kvm_vcpu_runnable(k))
			return L0_BLOCKED;
		k->halted = false;
		k->req_event = true;
		l0_trace(&k->b, TRACE_HALT, "what", "wake", wake_reason(k), -1, 0);
	}
	return enter(k);
}

static bool kvm_guest_mce(void *inst, const struct x86_mce_record *mce, uint32_t line)
{
	return kvm_set_mce(inst, mce, line);
}

static bool kvm_guest_debug(void *inst, const struct l0_guest_debug_cmd *cmd, uint32_t line)
{
	return kvm_guest_debug_cmd(inst, cmd, line);
}

static bool kvm_guest_event(void *inst, int vector, const char *via)
{
	struct kvm_vcpu *k = inst;

	/* vmx_deliver_posted_interrupt asks first: L2's notification vector is no interrupt for L1. */
	if (vector != L0_NMI && vmx_deliver_nested_posted_interrupt(k, vector))
		return false;
	if (vector != L0_NMI) {
		if (!vlapic_set_irr(&k->b.apic, (uint8_t)vector))
			l0_trace(&k->b, TRACE_DEFER, "what", "irq", "vector already pending in the LAPIC IRR: coalesced",
			         vector, 0);
	} else if (via && !strcmp(via, "userspace") && k->era->userspace_nmi_window) {
		/* User space holds the NMI and asks to be told when the window opens. */
		k->userspace_nmis++;
		k->request_nmi_window = true;
		l0_trace(&k->b, TRACE_USERSPACE, "request", "request_nmi_window", NULL, -1, 0);
	} else if (k->era->nmi_pending_two) {
		k->nmi_queued++;                /* KVM_REQ_NMI; process_nmi() applies the limit */
		k->req_nmi = true;
	} else if (k->nmi_pending) {
		l0_trace(&k->b, TRACE_DEFER, "what", "nmi", "an NMI is already pending: coalesced", -1, 0);
	} else {
		k->nmi_pending = 1;
	}
	k->req_event = true;
	/* A halted vCPU is woken by the machine; a running one is kicked. */
	return k->b.env.lp->non_root;
}

static const struct l0_switch_desc kvm_switches[] = {
	{"vnmi", "use virtual NMIs when the CPU has them (kvm_intel vnmi=; -vnmi forces the soft path)"},
	{"timeout", "the 1 s forced unblock of the soft NMI-blocked flag (-timeout removes it)"},
	{"clear-on-window", "clear the flag when an exit sees an open interrupt window (-clear-on-window removes it)"},
	{"irq-window", "arm interrupt-window exiting when an NMI window is needed without virtual NMIs"},
	{"userspace-exit", "exit to user space as soon as a requested NMI window opens"},
	{"timeout-ns", "length of the forced-unblock timeout in ns (default 1000000000; not a KVM knob)"},
	{"userspace-cycles", "cycles of one round trip to user space (default 20000)"},
	{"rearm", "nested: re-request KVM_REQ_EVENT after an exit of L2 that ended nested_run_pending (-rearm)"},
	{"run-pending-check", "nested: refuse an L1 interrupt while nested_run_pending (-run-pending-check)"},
	{"userspace-irqchip", "kvm-2008: the interrupt controllers are in user space, do_interrupt_requests (+userspace-irqchip)"},
	{"skip-singlestep", "commit 6affcbed (4.10): the single-step #DB of an instruction KVM skips "
	                    "(-skip-singlestep: before it, the trap is lost)"},
	{"handler-cycles", "cycles KVM spends on one VM exit (default 400)"},
	{"host-cycles", "cycles a host NMI or interrupt handler takes (default 300)"},
	/* One switch per row of KVM's history that the model reproduces (kvm_history.def). */
#define KVM_HISTORY_FLAG(row, year, commit, subject, flag, before_l0, after_l0, before, after, broke)       \
	KVM_HISTORY_SWITCH_DESC(row, year, commit, flag)
#include "model/l0/kvm/kvm_history.def"
	{NULL, NULL},
};

static void *kvm_create(const struct kvm_era *era, const struct l0_env *env, char *err, size_t errlen)
{
	struct kvm_vcpu *k = l0_instance_new(sizeof(*k), env, err, errlen);

	if (!k)
		return NULL;
	k->hist = *era;
	k->era = &k->hist;
	k->lv = &k->lv01;
	k->l2_timer_deadline = UINT64_MAX;
	k->nested_pi_nv = -1;
	/* vmcs02's MSR bitmap changes only at L1's entries of L2: stamped, not copied by every snapshot. */
	k->b.cold_offset = offsetof(struct kvm_vcpu, msr_bitmap02);
	k->b.cold_len = sizeof(k->msr_bitmap02);
	k->dr6 = 0xffff0ff0u;   /* DR6_FIXED_1: arch.dr6 at vCPU reset */
	kvm_setup_mce(k);
	/*
	 * KVM's MSR bitmap for its guest intercepts every MSR the model has:
	 * its local APIC is software (the model has no APIC virtualization)
	 * and it emulates the VMX capability MSRs. It is used only if the
	 * scenario sets "use MSR bitmaps" in the guest's VMCS.
	 */
	memset(&k->b.msr_bitmap, 0xff, sizeof(k->b.msr_bitmap));
	k->enable_vnmi = vmx_caps_allows(&env->lp->model.caps, VMX_CTL_PIN, PIN_BASED_VIRTUAL_NMIS);
	k->sw_timeout = k->sw_clear_on_window = k->sw_irq_window = k->sw_userspace_exit = true;
	k->sw_rearm = k->sw_run_pending_check = true;
	k->timeout_ns = 1000000000ull;
	k->userspace_cycles = 20000;
	for (uint32_t i = 0; i < env->nswitches; i++) {
		const struct l0_switch *s = &env->switches[i];
		bool on = strcmp(s->value, "off") != 0;
		bool ok = true;
		if (!strcmp(s->name, "vnmi"))
			k->enable_vnmi = k->enable_vnmi && on;
		else if (!strcmp(s->name, "timeout"))
			k->sw_timeout = on;
		else if (!strcmp(s->name, "clear-on-window"))
			k->sw_clear_on_window = on;
		else if (!strcmp(s->name, "irq-window"))
			k->sw_irq_window = on;
		else if (!strcmp(s->name, "userspace-exit"))
			k->sw_userspace_exit = on;
		else if (!strcmp(s->name, "rearm"))
			k->sw_rearm = on;
		else if (!strcmp(s->name, "run-pending-check"))
			k->sw_run_pending_check = on;
		else if (!strcmp(s->name, "userspace-irqchip"))
			k->sw_userspace_irqchip = on;
		else if (!strcmp(s->name, "skip-singlestep"))
			k->hist.skip_singlestep = on;
		else if (kvm_history_switch(k, s->name, on)) {
			/* a row of kvm_history.def */
		} else if (!strcmp(s->name, "timeout-ns"))
			ok = l0_parse_u64(s->value, &k->timeout_ns);
		else if (!strcmp(s->name, "userspace-cycles"))
			ok = l0_parse_u64(s->value, &k->userspace_cycles);
		if (!ok) {
			snprintf(err, errlen, "switch '%s' needs a number, not '%s'", s->name, s->value);
			free(k);
			return NULL;
		}
	}
	if (k->sw_userspace_irqchip && !era->userspace_irqchip_path) {
		snprintf(err, errlen, "not modelled: the irqchip in user space under %s (only kvm-2008 has its "
		         "do_interrupt_requests)", era->name);
		free(k);
		return NULL;
	}
	return k;
}

static void kvm_destroy(void *inst)
{
	free(inst);
}

#define KVM_2008_NAME "kvm-2008"
#define KVM_2008_SUMMARY "KVM with the December 2008 soft virtual-NMI patch (2.6.29)"
#define KVM_2011_NAME "kvm-2011"
#define KVM_2011_SUMMARY "KVM of 2011 with nested VMX: the May 2011 external-interrupt injection while L2 runs"
#define KVM_MODERN_NAME "kvm-modern"
#define KVM_MODERN_SUMMARY                                                                                    \
	"today's shape: clear on any exit with interrupts unblocked, STI falls back to the IRQ window, "      \
	"two pending NMIs, NMIs wake a halted vCPU only if injectable"

static const struct kvm_era era_2008 = {
	.name = KVM_2008_NAME,
	.summary = KVM_2008_SUMMARY,
	.userspace_nmi_window = true,
	.timeout_on_request = true,
	.userspace_irqchip_path = true,
	/*
	 * 2.6.26-28: #DB intercepted only for userspace guest debugging; the
	 * guest's #DB goes through its IDT. No #MC intercept: a host machine
	 * check is the guest's.
	 */
	/* kvm_set_msr_common has b5e2fec0 from 2.6.28 on (read in 2.6.27 and 2.6.28 trees). */
	.debugctl = KVM_DEBUGCTL_IGNORED,
	.guestdbg = KVM_DEBUG_GUEST_2008,
};

/* Linux 3.1 (the first release with nested VMX), read in the 3.1.10 stable tree. */
static const struct kvm_era era_2011 = {
	.name = KVM_2011_NAME,
	.summary = KVM_2011_SUMMARY,
	.sti_uses_irq_window = true,
	.requeue_clears_soft_flag = true,
	.req_event_model = true,
	.nested = true,
	.inject_pending_event_3x = true,
	.nested_idt_via_vmcs12 = true,
	.nested_caps_3_1 = true,
	.intercept_db = true,
	.intercept_mc = true,
	.set_mce = true,
	.guestdbg = KVM_SET_GUEST_DEBUG_3X,
	.dr_access = KVM_DR_EMULATE,
	.debugctl = KVM_DEBUGCTL_IGNORED,
	.nested_exit_updates_eb = true,
};

static const struct kvm_era era_modern = {
	.name = KVM_MODERN_NAME,
	.summary = KVM_MODERN_SUMMARY,
	.sti_uses_irq_window = true,
	.nmi_pending_two = true,
	.halt_wake_needs_nmi_allowed = true,
	.halt_wake_needs_if = true,
	.requeue_clears_soft_flag = true,
	.modern_injection_order = true,
	.nested = true,
	.nested_ack_offered = true,
	.nested_checks_all_controls = true,
	.nested_reflects_failed_entry = true,
	.nested_debugctl_checked = true,
	.nested_debugregs = true,
	.nested_exit_loads_rflags = true,
	.nested_l0_wants_guestdbg = true,
	.nested_immediate_exit = true,
	.nested_save_pending_event = true,
	.nested_event_on_vmenter = true,
	.nested_pi_in_check_events = true,
	.nested_wake_on_l1_event = true,
	.nested_reinject_immediate_exit = true,
	.nested_check_events = true,
	.soft_vnmi_per_vmcs = true,
	.soft_vnmi_clear_uses_blocked = true,
	.nested_timer_while_halted = true,
	.nested_triple_fault_to_l1 = true,
	.req_nmi_wakes = true,
	.req_event_model = true,
	.intercept_db = true,
	.intercept_mc = true,
	.hw_cr4_host_mce = true,
	.set_mce = true,
	.mca_today = true,
	.halt_wake_on_exception = true,
	.db_skips_icebp = true,
	.db_sets_pending_bs = true,
	.skip_singlestep = true,
	.guestdbg = KVM_SET_GUEST_DEBUG_BLOCKIRQ,
	.db_payload = true,
	.dr_access = KVM_DR_LAZY,
	.debugctl = KVM_DEBUGCTL_SUPPORTED,
};

static void offered_2011(const struct cpu_model *c, struct vmx_caps *o) { kvm_offered_caps(&era_2011, c, o); }
static void offered_modern(const struct cpu_model *c, struct vmx_caps *o) { kvm_offered_caps(&era_modern, c, o); }

static void *create_2008(const struct l0_env *e, char *err, size_t n) { return kvm_create(&era_2008, e, err, n); }
static void *create_2011(const struct l0_env *e, char *err, size_t n) { return kvm_create(&era_2011, e, err, n); }
static void *create_modern(const struct l0_env *e, char *err, size_t n) { return kvm_create(&era_modern, e, err, n); }

static uint32_t kvm_guest_level(void *inst)
{
	return ((struct kvm_vcpu *)inst)->guest_mode ? 2u : 1u;
}

/* A halted vCPU's own wake-up: the hrtimer of L1's preemption timer, if L2 waits in an emulated HLT. */
static uint64_t kvm_wake_deadline(const void *inst)
{
	const struct kvm_vcpu *k = inst;

	return k->halted && k->guest_mode ? k->l2_timer_deadline : UINT64_MAX;
}

/*
 * The soft-vNMI stamp (kvm_vmx.c): entry_time is written before an entry
 * made while soft-blocked and read on that entry's exit, so it is live only
 * while soft_vnmi_blocked is set; vnmi_blocked_cycles is a duration, reset
 * when the blocking starts and ends. What they add up to is read only
 * against the 1-second timeout (vmx_handle_exit's "Breaking out of
 * NMI-blocked state") and as the soft_vnmi event's blocked_ns, which no
 * verdict reads. When even the whole rest of the run, counted twice and a
 * million cycles more (a processor finishes the instruction and the exit it
 * is in past the end), could not bring the sum to the timeout, the stamp
 * decides nothing: dead.
 */
static void soft_vnmi_time_shift(const struct kvm_vcpu *k, const struct kvm_soft_vnmi *s, struct time_shift *t)
{
	uint64_t rest = t->end > s->entry_time ? t->end - s->entry_time : 0;
	__uint128_t most = (__uint128_t)s->vnmi_blocked_cycles + 2 * (__uint128_t)rest + (1u << 20);

	if (!s->soft_vnmi_blocked || most * 1000000000u / k->b.env.lp->model.tsc_hz <= k->timeout_ns)
		time_shift_dead(t, &s->entry_time, sizeof(s->entry_time));
	else
		time_shift_cycle(t, &s->entry_time);
}

/* Every cycle a KVM vCPU keeps (time_shift.h). */
static void kvm_time_shift(const void *inst, struct time_shift *t)
{
	const struct kvm_vcpu *k = inst;

	l0_base_time_shift(&k->b, t);
	soft_vnmi_time_shift(k, &k->lv01, t);
	soft_vnmi_time_shift(k, &k->lv02, t);
	/* L1's preemption timer while L2 waits in an emulated HLT: read only in guest mode. */
	if (k->guest_mode)
		time_shift_deadline(t, &k->l2_timer_deadline, UINT64_MAX);
	else
		time_shift_dead(t, &k->l2_timer_deadline, sizeof(k->l2_timer_deadline));
	/* kvm_stat: counted, never read. */
	time_shift_dead(t, &k->nmi_injections, sizeof(k->nmi_injections));
	time_shift_dead(t, &k->irq_injections, sizeof(k->irq_injections));
	time_shift_dead(t, &k->nmi_window_exits, sizeof(k->nmi_window_exits));
	time_shift_dead(t, &k->irq_window_exits, sizeof(k->irq_window_exits));
}

#define KVM_VARIANT(var, name_, summary_, create_fn, nested_, offered_, debugregs_, guest_mce_, dr7_unsettable_,    \
                    blockirq_, debugger_dr7_)                                                                  \
	const struct l0_variant var = {                                                                   \
	    .name = name_, .summary = summary_, .switches = kvm_switches, .create = create_fn,            \
	    .destroy = kvm_destroy, .guest_event = kvm_guest_event, .guest_mce = kvm_guest_mce,            \
	    .run_root = kvm_run_root,                                                                      \
	    .nested = nested_, .guest_level = kvm_guest_level, .offered_caps = offered_,                  \
	    .wake_deadline = kvm_wake_deadline, .time_shift = kvm_time_shift, .follows_guest_debug = true,  \
	    .takes_host_machine_checks = true, .takes_guest_machine_checks = guest_mce_,                   \
	    .guest_mce_banks = KVM_GUEST_MCE_BANKS,                                                        \
	    .follows_debugregs = debugregs_, .guest_dr7_unsettable = dr7_unsettable_,                     \
	    .guest_debug = kvm_guest_debug, .guest_debug_blockirq = blockirq_,                             \
	    .guest_debug_dr7 = debugger_dr7_,                                                              \
	}

/*
 * kvm-2008 intercepts MOV DR but drops the writes (KVM_DR_IGNORED), and user
 * space has no ioctl for the guest's own DR7: vmx_vcpu_reset writes 400H
 * into GUEST_DR7 and only KVM_DEBUG_GUEST (set_guest_debug, user space's
 * own debugger: kvm_guestdbg.c) writes it again, with the debugger's
 * breakpoint. So the guest never sets a DR7 breakpoint of its own.
 * KVM_X86_SET_MCE came with 890ca9ae (2009): kvm-2008 has no machine check
 * for the guest.
 */
KVM_VARIANT(l0_kvm_2008, KVM_2008_NAME, KVM_2008_SUMMARY, create_2008, false, NULL, L0_FOLLOWS_MOV_DR | L0_FOLLOWS_BTF,
            false,
            "user space has no way to give a guest of kvm-2008 a DR7: GUEST_DR7 is 0x400 from vmx_vcpu_reset, "
            "KVM_SET_DEBUGREGS came with a1efbe77 (2010), and the guest's own MOV to DR7 is dropped",
            false, false);
/* kvm-2011 and kvm-modern drop a guest's DEBUGCTL.BTF (kvm_debugctl.c): single-stepping stays per instruction. */
/* A KVM_X86_SET_MCE while L2 runs: 3.1 injects the #MC into L2, or shuts the VM down (kvm_mce.c). */
/* 3.1 runs L2's MOV DR in handle_dr on arch.* and vmcs02, and copies vmcs12's DR7 and DEBUGCTL (nested.c). */
KVM_VARIANT(l0_kvm_2011, KVM_2011_NAME, KVM_2011_SUMMARY, create_2011, true, offered_2011,
            L0_FOLLOWS_MOV_DR | L0_FOLLOWS_DR7 | L0_FOLLOWS_BTF | L0_FOLLOWS_L2_DEBUGREGS, true, NULL, false, true);
/*
 * Today's nested KVM carries the debug registers between L1 and L2 too
 * (kvm_era.nested_debugregs); only today's user space can ask for
 * KVM_GUESTDBG_BLOCKIRQ (kvm_guestdbg.c).
 */
KVM_VARIANT(l0_kvm_modern, KVM_MODERN_NAME, KVM_MODERN_SUMMARY, create_modern, true, offered_modern,
            L0_FOLLOWS_MOV_DR | L0_FOLLOWS_DR7 | L0_FOLLOWS_BTF | L0_FOLLOWS_L2_DEBUGREGS, true, NULL, true, true);
