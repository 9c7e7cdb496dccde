/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scenario_stim.c - the scenario's stimuli as the machine's: times in
 * cycles, `on` triggers as trace patterns, what varies for exploration, and
 * the stimuli a level or an L0 cannot receive, refused at their place.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/scenario_build.h"
#include "vmcs/vmx_exit_reason.h"

static bool build_trigger(struct build *b, const struct scn_stimulus *st, struct machine_trigger *t)
{
	const struct scn_event_pat *p = &st->trigger;

	t->cpu = p->cpu;
	t->level = p->level;
	t->vector = -1;
	t->occurrence = st->occurrence;
	switch (p->ev) {
	case SCN_EV_EXIT:
		t->kind = TRACE_VMEXIT;
		t->reason = vmx_exit_reason_name((uint32_t)p->arg);
		break;
	case SCN_EV_ENTRY:
		t->kind = TRACE_VMENTRY;
		break;
	case SCN_EV_DELIVER:
		t->kind = TRACE_DELIVER;
		t->vector = p->arg == SCN_NMI ? 2 : p->arg;
		break;
	case SCN_EV_INJECT:
		t->kind = TRACE_INJECT;
		t->vector = p->arg == SCN_NMI ? 2 : p->arg;
		break;
	case SCN_EV_IRET:
		t->kind = TRACE_IRET;
		break;
	case SCN_EV_HLT:
		t->kind = TRACE_HLT;
		break;
	case SCN_EV_INIT:
		t->kind = TRACE_INIT;
		break;
	case SCN_EV_RESET:
		t->kind = TRACE_RESET;
		break;
	default:
		return build_located(b, p->loc, "'on %s' is not a trigger the machine supports; expected exit, entry, "
		               "deliver, inject, iret, hlt, init or reset", scn_event_name(p->ev));
	}
	return true;
}

static enum machine_stim_kind stim_kind(enum scn_stim_kind k)
{
	switch (k) {
	case SCN_STIM_NMI: return MACHINE_STIM_NMI;
	case SCN_STIM_IRQ: return MACHINE_STIM_IRQ;
	case SCN_STIM_INIT: return MACHINE_STIM_INIT;
	case SCN_STIM_SIPI: return MACHINE_STIM_SIPI;
	case SCN_STIM_POST: return MACHINE_STIM_POST;
	case SCN_STIM_MCE: return MACHINE_STIM_MCE;
	case SCN_STIM_GUEST_DEBUG: return MACHINE_STIM_GUEST_DEBUG;
	case SCN_STIM_RESET: return MACHINE_STIM_RESET;
	}
	return MACHINE_STIM_NMI;
}

/*
 * A machine check under an L0 is the host's, `-> L0`, at the pins of the
 * processor the L0 runs on, for an L0 that takes them
 * (l0_variant.takes_host_machine_checks: the KVM models and plain; while
 * L1 runs L2, nested_exit.c), or one user space injects into L1, `-> L1`
 * (KVM_X86_SET_MCE; takes_guest_machine_checks: kvm-2011 and kvm-modern,
 * kvm_mce.c), which KVM gives to whichever level runs (today's routes it to
 * L1 when vmcs12 intercepts #MC; 3.1 injects it into L2 whatever vmcs12
 * says). kvm-2008
 * has no such ioctl and `plain` no user space: for them `-> L1` is an
 * error of the scenario, not a gap of the model.
 */
static bool check_l0_machine_check(struct build *b, const struct scn_stimulus *st)
{
	const char *l0 = b->cfg.l0->name;

	if (!b->cfg.l0->takes_host_machine_checks)
		return build_located(b, st->loc, "not modelled: machine checks under L0 '%s'", l0);
	if (st->level == SCN_L0)
		return true;
	if (st->level != SCN_L1)
		return build_located(b, st->target_loc, "a machine check goes to the processor ('-> L0') or, through user "
		                     "space, into the vCPU ('-> L1', which KVM gives to L2 if it runs): not '-> L2'");
	if (!b->cfg.l0->takes_guest_machine_checks)
		return build_located(b, st->target_loc, "L0 '%s' has no way for user space to put a machine check into "
		                     "its guest (KVM_X86_SET_MCE came with 890ca9ae, 2009: kvm-2011 and kvm-modern have "
		                     "it); one at the host's processor is '-> L0'", l0);
	return true;
}

/*
 * Under an L0, INIT and SIPI are not modelled: KVM would reset its vCPU
 * into wait-for-SIPI and start it in real mode, or (for L1 in VMX
 * operation) emulate INIT/SIPI exits to L1, which the model does not.
 * Nor are machine checks (below).
 */
bool check_l0_pin_signals(struct build *b)
{
	const struct scn_scenario *s = b->s;
	const char *l0 = b->cfg.l0->name;

	for (size_t i = 0; i < s->nstimuli; i++) {
		if (s->stimuli[i].kind == SCN_STIM_MCE && !check_l0_machine_check(b, &s->stimuli[i]))
			return false;
		if (s->stimuli[i].kind == SCN_STIM_INIT || s->stimuli[i].kind == SCN_STIM_SIPI)
			return build_located(b, s->stimuli[i].target_loc, "not modelled: INIT/SIPI under L0 '%s' (only 'l0 none' "
			               "takes them, at the processor's pins)", l0);
		/* A RESET of the processor that runs the host restarts the host; a guest's reset is user space's. */
		if (s->stimuli[i].kind == SCN_STIM_RESET)
			return build_located(b, s->stimuli[i].loc, "not modelled: RESET under L0 '%s' (at the pins it "
			               "restarts the host with its L0; a guest's reset is user space's, and the L0s do not "
			               "model it; only 'l0 none' takes a RESET)", l0);
	}
	for (size_t k = 0; k < s->nguests; k++) {
		const struct scn_guest *g = &s->guests[k];

		for (size_t i = 0; i < g->ninsns; i++) {
			const struct scn_insn *in = &g->insns[i];
			if (in->op == SCN_OP_IPI && (in->init || in->sipi))
				return build_located(b, in->arg_loc, "not modelled: INIT/SIPI under L0 '%s' (only 'l0 none' "
				               "takes them, at the processor's pins)", l0);
		}
	}
	return true;
}

/*
 * The stores to the virtual-APIC page and the posted-interrupt descriptor
 * (vapic-irr, vapic-isr, vapic-tpr, pi-post) are L1's to its current VMCS:
 * the bare-metal hypervisor's, or, under a nested L0, vmcs12's pages in
 * L1's memory, which the L0 maps into vmcs02 (nested_apicv.c). An L0 that
 * runs no L1 hypervisor has no VMCS of L1's for them to reach.
 */
bool check_l0_vapic_stores(struct build *b)
{
	const struct scn_scenario *s = b->s;

	if (b->cfg.l0->nested)
		return true;
	for (size_t k = 0; k < s->nguests; k++)
		for (size_t i = 0; i < s->guests[k].ninsns; i++) {
			const struct scn_insn *in = &s->guests[k].insns[i];

			if (in->op == SCN_OP_VAPIC_IRR || in->op == SCN_OP_VAPIC_ISR || in->op == SCN_OP_VAPIC_TPR ||
			    in->op == SCN_OP_PI_POST)
				return build_located(b, in->loc, "not modelled: %s under L0 '%s' (the virtual-APIC page and "
				                     "the posted-interrupt descriptor are those of L1's current VMCS: 'l0 none', "
				                     "or an L0 that runs L1 hypervisors)", scn_op_name(in->op), b->cfg.l0->name);
		}
	return true;
}

/*
 * `-> L2`. An event for L2 has no door of its own: the model gives L2 no
 * interrupt controller (no posted interrupts, no virtual-interrupt
 * delivery), so it enters where every event of the vCPU enters - the
 * processor's pins on bare metal, L1's virtual local APIC under a nested
 * L0 - and L1's VMCS decides whether it exits to L1 or goes into L2. That
 * is `-> L1`; the message says so for the L0 at hand. Always false.
 */
static bool stimulus_for_l2(struct build *b, const struct scn_stimulus *st)
{
	const char *what = st->kind == SCN_STIM_NMI ? "an NMI" : "an interrupt";
	const char *exiting = st->kind == SCN_STIM_NMI ? "PIN_BASED_NMI_EXITING" : "PIN_BASED_EXT_INTR_MASK";

	if (b->cfg.bare_metal && st->kind == SCN_STIM_MCE)
		return build_located(b, st->target_loc, "with 'l0 none' a machine check cannot be aimed at L2: it arrives at "
		               "the processor's pins, and while L2 runs the guest's CR4.MCE and L1's exception bitmap (bit "
		               "18) decide where it goes; write '-> L1'");
	if (b->cfg.bare_metal && st->kind == SCN_STIM_RESET)
		return build_located(b, st->target_loc, "with 'l0 none' a RESET cannot be aimed at L2: it arrives at the "
		               "processor's pins, and while L2 runs it ends VMX operation without a VM exit; write '-> L1'");
	if (b->cfg.bare_metal && (st->kind == SCN_STIM_INIT || st->kind == SCN_STIM_SIPI))
		return build_located(b, st->target_loc, "with 'l0 none' an INIT or SIPI cannot be aimed at L2: it arrives at the "
		               "processor's pins, and while L2 runs it exits to L1 (INIT_SIGNAL, or SIPI_SIGNAL from "
		               "wait-for-SIPI); write '-> L1'");
	if (b->cfg.bare_metal)
		return build_located(b, st->target_loc, "with 'l0 none' %s cannot be aimed at L2: it arrives at the "
		               "processor's pins while L2 runs, and L1's VMCS (%s) decides whether it exits to L1 or "
		               "goes through L2's IDT; write '-> L1'", what, exiting);
	if (!b->cfg.l0->nested)
		return build_located(b, st->target_loc, "there is no L2 under L0 '%s', which does not run L1 hypervisors",
		               b->cfg.l0->name);
	return build_located(b, st->target_loc, "under L0 '%s' %s for L2 arrives at L1's virtual local APIC like any event "
	               "of the vCPU (L2's posted-interrupt notification vector too, which kvm-modern processes for L2), and vmcs12 (%s) decides whether L0 "
	               "puts it straight into L2 or exits to L1, which injects it; write '-> L1'",
	               b->cfg.l0->name, what, exiting);
}

/*
 * `post VECTOR -> L2 cpuN`: a device or another processor posts an
 * interrupt for the guest the bare-metal hypervisor runs on cpuN (SDM
 * Vol. 3C 30.6): the descriptor of the current VMCS gets the vector in PIR
 * and ON, then the notification vector arrives at the pins. Under an L0
 * there is no device that posts into L1's descriptor (that would take a
 * virtual IOMMU with posted interrupts); L1 posts itself, with `pi-post`
 * and an IPI of the notification vector.
 */
static bool stimulus_post(struct build *b, const struct scn_stimulus *st)
{
	if (!b->cfg.bare_metal)
		return build_located(b, st->loc, "not modelled: a device's posted interrupt under L0 '%s' (no device "
		                     "posts into L1's descriptor; L1 posts with 'pi-post' and an IPI of the notification "
		                     "vector, or a stimulus 'irq NV -> L1' sends the notification)", b->cfg.l0->name);
	if (st->level != SCN_L2)
		return build_located(b, st->target_loc, "a posted interrupt is for the guest of the current VMCS: write "
		                     "'-> L2'");
	return true;
}

/*
 * The error a machine check carries.
 *
 * At the processor's pins (`l0 none`, or `-> L0`) it is what the
 * processor logs in its own bank (model/hw/mca_bank.c): `bank` must be one
 * the CPU model's IA32_MCG_CAP counts, `status` is the error's
 * IA32_MCi_STATUS (the processor sets VAL, EN and OVER itself), and
 * `enable-bit` the bit of the bank's IA32_MCi_CTL that enables it;
 * `mcg-status` is refused - the processor sets IA32_MCG_STATUS itself.
 * Without a status it is an uncorrected error the processor signals: VAL
 * | UC, and S on a part with software error recovery (MCG_SER_P), where
 * an uncorrected error without S would be UCNA, which signals no #MC.
 *
 * Through user space (`mce -> L1` under kvm-2011 and kvm-modern) it is
 * KVM_X86_SET_MCE's record: a bank of the guest's ten, a status with VAL
 * (either else is the ioctl's EINVAL: the scenario's error), and no
 * enable bit - the ioctl has none.
 */
static bool mce_record_taken(struct build *b, const struct scn_stimulus *st, struct x86_mce_record *out)
{
	const struct x86_mce_record def = X86_MCE_RECORD_DEFAULT;
	uint64_t cap = b->cfg.cpu.mcg_cap;
	bool pins = b->cfg.bare_metal || st->level == SCN_L0;

	*out = st->mce_words ? st->mce : def;
	if (pins) {
		if (!(st->mce_words & (1u << SCN_MCE_STATUS)))
			out->status = MCI_STATUS_VAL | MCI_STATUS_UC | ((cap & MCG_SER_P) ? MCI_STATUS_S : 0);
		if (st->mce_words & (1u << SCN_MCE_MCG_STATUS))
			return build_located(b, st->mce_loc, "'mcg-status' is for KVM_X86_SET_MCE ('mce -> L1' under kvm-2011 "
			                     "or kvm-modern): at the pins the processor sets IA32_MCG_STATUS itself");
		if (st->mce.bank >= (cap & MCG_CAP_COUNT))
			return build_located(b, st->mce_loc, "bank %u: CPU model '%s' has %u machine-check banks (IA32_MCG_CAP "
			                     "0x%llx)", st->mce.bank, b->cfg.cpu.name, (unsigned)(cap & MCG_CAP_COUNT),
			                     (unsigned long long)cap);
		return true;
	}
	if (st->mce_words & (1u << SCN_MCE_ENABLE_BIT))
		return build_located(b, st->mce_loc, "'enable-bit' is for the processor's own banks (a machine check at its "
		                     "pins): KVM_X86_SET_MCE has no such field");
	if (st->mce.bank >= b->cfg.l0->guest_mce_banks)
		return build_located(b, st->mce_loc, "bank %u: the guest has %u banks, KVM_X86_SET_MCE fails with EINVAL",
		                     st->mce.bank, b->cfg.l0->guest_mce_banks);
	if (!(st->mce.status & MCI_STATUS_VAL))
		return build_located(b, st->mce_loc, "status 0x%llx has no VAL (bit 63): KVM_X86_SET_MCE fails with EINVAL",
		                     (unsigned long long)st->mce.status);
	return true;
}

/*
 * `guest-debug -> L1 cpuN step N [blockirq]`: user space's debugger, which
 * stops the vCPU and single-steps it through KVM_SET_GUEST_DEBUG (2008:
 * KVM_DEBUG_GUEST). Modelled for the KVM models' guests, L2 included
 * (model/l0/kvm/kvm_guestdbg.c); under `plain`, which has no user space,
 * refused.
 */
/*
 * The address of the instruction at `label` in cpu's L1 program or in its
 * L2 program (a breakpoint compares linear addresses, whichever level runs
 * them); a label of both, or of neither, is a located error.
 */
static bool guest_label_address(struct build *b, uint32_t cpu, const char *label, struct scn_loc loc, uint64_t *addr)
{
	uint64_t l2;
	bool in_l1 = build_label_address(b, SCN_L1, cpu, label, false, addr);
	bool in_l2 = scn_guest_for(b->s, SCN_L2, cpu) && build_label_address(b, SCN_L2, cpu, label, false, &l2);

	if (in_l1 && in_l2)
		return build_located(b, loc, "label '%s' names an instruction of cpu%u's L1 and one of its L2: rename one",
		                     label, cpu);
	if (in_l2)
		*addr = l2;
	if (!in_l1 && !in_l2)
		return build_located(b, loc, "no instruction at label '%s' in cpu%u's guests", label, cpu);
	return true;
}

static bool guest_debug_taken(struct build *b, const struct scn_stimulus *st, struct l0_guest_debug_cmd *out)
{
	if (b->cfg.bare_metal)
		return build_located(b, st->loc, "'guest-debug' is user space's debugger (KVM_SET_GUEST_DEBUG): with "
		                     "'l0 none' there is no user space");
	if (st->level != SCN_L1)
		return build_located(b, st->target_loc, "user space's debugger steps the vCPU: write '-> L1'");
	if (!b->cfg.l0->guest_debug)
		return build_located(b, st->loc, "L0 '%s' has no user space, so no debugger: 'guest-debug' needs a KVM "
		                     "model", b->cfg.l0->name);
	if (st->debug_blockirq && !b->cfg.l0->guest_debug_blockirq)
		return build_located(b, st->loc, "L0 '%s' has no KVM_GUESTDBG_BLOCKIRQ (61e5f69e, 2021: kvm-modern has "
		                     "it): the debugger can only step with interrupts let in", b->cfg.l0->name);
	if ((st->debug_kind == SCN_GDB_HW || st->debug_kind == SCN_GDB_SW) && !b->cfg.l0->guest_debug_dr7)
		return build_located(b, st->loc, "L0 '%s' takes only breakpoint addresses from its debugger "
		                     "(KVM_DEBUG_GUEST), not a DR7 or software breakpoints: use 'hbreak LABEL'",
		                     b->cfg.l0->name);
	memset(out, 0, sizeof(*out));
	out->kind = st->debug_kind == SCN_GDB_STEP     ? L0_GDB_STEP
	            : st->debug_kind == SCN_GDB_HBREAK ? L0_GDB_HBREAK
	            : st->debug_kind == SCN_GDB_HW     ? L0_GDB_HW
	            : st->debug_kind == SCN_GDB_SW     ? L0_GDB_SW
	            : st->debug_kind == SCN_GDB_SKIP   ? L0_GDB_SKIP
	                                               : L0_GDB_CONTINUE;
	out->steps = st->debug_steps;
	out->blockirq = st->debug_blockirq;
	out->dr7 = st->debug_dr7;
	if (st->debug_label && !guest_label_address(b, st->cpu, st->debug_label, st->debug_label_loc, &out->hbreak))
		return false;
	for (unsigned n = 0; n < 4; n++) {
		out->dr[n] = st->debug_dr[n];
		if (st->debug_dr_label[n] &&
		    !guest_label_address(b, st->cpu, st->debug_dr_label[n], st->debug_dr_loc[n], &out->dr[n]))
			return false;
	}
	return true;
}

bool build_stimuli(struct build *b)
{
	const struct scn_scenario *s = b->s;

	uint32_t n = 0;

	b->stim = calloc(s->nstimuli ? s->nstimuli : 1, sizeof(*b->stim));
	b->stim_index = calloc(s->nstimuli ? s->nstimuli : 1, sizeof(*b->stim_index));
	if (!b->stim || !b->stim_index)
		return build_located(b, s->run_loc, "out of memory");
	for (size_t i = 0; i < s->nstimuli; i++) {
		const struct scn_stimulus *st = &s->stimuli[i];
		struct machine_stimulus *ms = &b->stim[n];
		const bool chosen = st->varies && b->point;

		if (st->kind == SCN_STIM_POST && !stimulus_post(b, st))
			return false;
		if (st->kind == SCN_STIM_GUEST_DEBUG && !guest_debug_taken(b, st, &ms->debug))
			return false;
		if (st->level == SCN_L2 && st->kind != SCN_STIM_POST && st->kind != SCN_STIM_GUEST_DEBUG &&
		    !stimulus_for_l2(b, st))
			return false;
		if (b->cfg.bare_metal && st->level == SCN_L0)
			return build_located(b, st->target_loc, "with 'l0 none' there is no L0: events for the L1 hypervisor "
			               "arrive at the processor's pins, write '-> L1'");
		if (st->cpu >= s->vcpus)
			return build_located(b, st->target_loc, "cpu%u does not exist (vcpus %u)", st->cpu, s->vcpus);
		ms->kind = stim_kind(st->kind);
		ms->line = st->loc.line;
		ms->vector = (uint8_t)st->vector;
		/* Bare metal: what is meant for L1 arrives at the pins of the processor it runs on. */
		ms->level = b->cfg.bare_metal ? 0u : (uint32_t)st->level;
		ms->cpu = st->cpu;
		ms->origin = st->via;
		if (st->kind == SCN_STIM_MCE && !mce_record_taken(b, st, &ms->mce))
			return false;
		switch (st->timing) {
		case SCN_AT:
			if (chosen)
				ms->at = b->point->value[st->var];
			else if (!build_cycles(b, st->at, st->loc, &ms->at))
				return false;
			break;
		case SCN_EVERY:
			if (!build_cycles(b, st->period, st->loc, &ms->period) ||
			    !build_cycles(b, st->has_from ? st->from : st->period, st->loc, &ms->at) ||
			    (st->has_until && !build_cycles(b, st->until, st->loc, &ms->until)))
				return false;
			if (ms->period == 0)
				return build_located(b, st->loc, "period is 0 cycles at this TSC frequency");
			if (st->has_until && ms->until == 0)
				ms->until = 1;   /* "until 0" still means "only at 0" */
			break;
		case SCN_ON:
			ms->relative = true;
			if (chosen)
				ms->at = b->point->value[st->var];
			else if (!build_cycles(b, st->delay, st->loc, &ms->at))
				return false;
			if (!build_trigger(b, st, &ms->trigger))
				return false;
			break;
		}
		/* Checked like the others, then left out of the machine. */
		if (b->point && b->point->dropped && b->point->dropped[i]) {
			memset(ms, 0, sizeof(*ms));
			b->stim_index[i] = UINT32_MAX;
			continue;
		}
		b->stim_index[i] = n++;
	}
	b->cfg.stim = b->stim;
	b->cfg.nstim = n;
	return true;
}
