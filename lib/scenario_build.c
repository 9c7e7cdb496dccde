/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scenario_build.c - turn a parsed scenario into a machine description.
 *
 * Everything the parser could not check because it belongs to the machine
 * (the L0 variant and its switches, verdict kinds, L2 guests, VMCS lines a
 * CPU model lacks or the model does not have, time limits at the CPU's TSC
 * frequency) is checked here and reported at its location.
 */
#include "lib/scenario_build.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/scenario_insn.h"
#include "lib/scenario_run.h"
#include "model/machine/machine.h"
#include "vmcs/vmcs_field.h"
#include "vmcs/vmx_exit_reason.h"
#include "vmcs/vmx_not_modelled.h"
#include "vmcs/x86_debugreg.h"

static const char *const verdict_kinds[] = {"nmi_nesting", "lost_event", "host_nmi_delayed",
                                            "duplicate_delivery", "wrong_level", "lost_injection"};

#define NVERDICT_KINDS (sizeof(verdict_kinds) / sizeof(verdict_kinds[0]))

const char *verdict_kind_at(size_t i)
{
	return i < NVERDICT_KINDS ? verdict_kinds[i] : NULL;
}

int verdict_index(const char *kind)
{
	for (size_t i = 0; i < NVERDICT_KINDS; i++)
		if (!strcmp(kind, verdict_kinds[i]))
			return (int)i;
	return -1;
}

bool verdict_known(const char *kind)
{
	return verdict_index(kind) >= 0;
}

bool build_located(struct build *b, struct scn_loc loc, const char *fmt, ...)
{
	va_list ap;

	if (!b->diag)
		return false;
	fprintf(b->diag, "%s:%u:%u: ", b->s->file, loc.line, loc.col);
	va_start(ap, fmt);
	vfprintf(b->diag, fmt, ap);
	va_end(ap);
	fputc('\n', b->diag);
	return false;
}

bool build_label_address(const struct build *b, enum scn_level level, uint32_t cpu, const char *label, bool end,
                         uint64_t *addr)
{
	const struct scn_guest *g = scn_guest_for(b->s, level, cpu);
	uint32_t slot = level == SCN_L2 ? b->s->vcpus + cpu : cpu, idx;

	if (level == SCN_L0 || cpu >= b->s->vcpus || !g || !b->insns[slot] || !scn_label_index(g, label, &idx))
		return false;
	if (idx < g->ninsns)
		*addr = b->insns[slot][idx].addr;
	else if (end && g->ninsns)
		*addr = b->insns[slot][g->ninsns - 1].addr + b->insns[slot][g->ninsns - 1].len;
	else
		return false;
	return true;
}

bool build_cycles(struct build *b, struct scn_time t, struct scn_loc loc, uint64_t *out)
{
	if (!scn_time_cycles(t, b->cfg.cpu.tsc_hz, out))
		return build_located(b, loc, "time too large at this TSC frequency");
	return true;
}

/*
 * A `vmcs` line must name a field the processor has: the hypervisor's
 * VMWRITE of any other would fail with error 12 (vmcs_field_supported()).
 * The parser cannot tell: the `cpu` line, whose features decide, may come
 * after the guest blocks. `vmread`/`vmwrite` instructions of such a field
 * are not refused: they run and fail with 12, as on the processor.
 */
/*
 * A guest a C L0 runs with virtual-interrupt delivery or posted interrupts
 * would need a virtual-APIC page those L0s do not keep. An L2's VMCS is
 * the L1 hypervisor's: on bare metal the processor runs it, and under a
 * nested KVM model vmcs02 takes vmcs12's pages (nested_apicv.c).
 */
static bool vmcs_line_modelled(struct build *b, const struct scn_vmcs_setup *v, enum scn_level level)
{
	if (b->cfg.bare_metal || level != SCN_L1)
		return true;
	if ((v->encoding == SECONDARY_VM_EXEC_CONTROL && (v->value & SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY)) ||
	    (v->encoding == PIN_BASED_VM_EXEC_CONTROL && (v->value & PIN_BASED_POSTED_INTR)))
		return build_located(b, v->loc, "not modelled: virtual-interrupt delivery and posted interrupts in a "
		                     "running guest (the virtual-APIC page and RVI)");
	return true;
}

/*
 * A `vmcs` line of a C L0's guest is what user space (or a `plain` L0's own
 * setup) puts in the guest's state before the first entry. Where the L0's
 * user space had no way to set a field, the line states a guest that
 * could not exist: an error of the scenario, not a gap of the model
 * (l0_variant.guest_dr7_unsettable: kvm-2008's DR7).
 */
static bool vmcs_line_settable(struct build *b, const struct scn_vmcs_setup *v, enum scn_level level)
{
	const char *why = b->cfg.l0 ? b->cfg.l0->guest_dr7_unsettable : NULL;

	if (b->cfg.bare_metal || level != SCN_L1 || !why || v->encoding != GUEST_DR7 || v->value == DR7_FIXED_1)
		return true;
	return build_located(b, v->loc, "GUEST_DR7 0x%llx: %s", (unsigned long long)v->value, why);
}

static bool vmcs_line_supported(struct build *b, const struct scn_vmcs_setup *v, enum scn_level level)
{
	if (!vmcs_line_settable(b, v, level) || !vmcs_line_modelled(b, v, level))
		return false;
	const struct cpu_model *m = &b->cfg.cpu;
	const struct vmcs_field_info *f = vmcs_field_info(v->field);
	const struct vmcs_need_info *n = vmcs_need_info(f->need);
	uint32_t missing = n->features & ~m->features;
	char add[160] = "";
	size_t used = 0, count = 0;

	if (vmcs_field_supported(m, v->field))
		return true;
	if (!n->modelled)
		return build_located(b, v->loc, "no CPU model has %s: it needs %s, which the model does not implement",
		               f->name, n->summary);
	for (uint32_t bit = 1; bit && missing; bit <<= 1) {
		const char *name = (missing & bit) ? scn_cpu_param_name(SCN_CPU_FEATURE, bit) : NULL;

		if (name && used < sizeof(add)) {
			used += (size_t)snprintf(add + used, sizeof(add) - used, " +%s", name);
			count++;
		}
		missing &= ~bit;
	}
	return build_located(b, v->loc, "cpu %s has no field %s, which needs %s: feature%s%s", m->name, f->name,
	               n->summary, count == 1 ? "" : "s", add);
}

/*
 * A C L0 enters its guest with the guest state of the block's `vmcs` lines.
 * If that state single-steps or has a pending debug exception and the L0
 * does not follow them for this guest (a KVM model follows the field and
 * TF), enables a DR7 breakpoint
 * (l0_guest_debug_not_modelled), or sets a control or field
 * of a feature the model lacks (vmx_vmcs_not_modelled: a control bit the
 * capability MSRs deny is left to the entry's checks), the guest would run
 * without them: the line that sets it is refused. Not when the lines state
 * a guest the entry's guest-state checks fail (R12 among them): that entry
 * fails before the guest runs, and the run reports the failure as the
 * processor makes it. (What the L0 injects at its first entry is not known
 * here; it does not enter into R12.) An L2's VMCS is the L1 hypervisor's,
 * which its program may still change: refused at L1's VMLAUNCH/VMRESUME.
 */
/*
 * What the L0 follows of its L1 guest's debug state: a KVM model the
 * field and TF (an L1 hypervisor's too: the VMX instructions L0 emulates
 * for it owe their single-step traps as any it skips, kvm_debug.c), and
 * the debug registers (its follows_debugregs) unless L1 runs an L2 under
 * an L0 that does not carry them between L1 and L2 (kvm-2011) - of them
 * only what it does with BTF then.
 */
static unsigned guest_debug_follows(const struct build *b)
{
	if (!b->cfg.l0->follows_guest_debug)
		return 0;
	if (scn_guest_for(b->s, SCN_L2, 0) && !(b->cfg.l0->follows_debugregs & L0_FOLLOWS_L2_DEBUGREGS))
		return L0_FOLLOWS_PENDING_DBG | L0_FOLLOWS_TF | (b->cfg.l0->follows_debugregs & L0_FOLLOWS_BTF);
	return L0_FOLLOWS_PENDING_DBG | L0_FOLLOWS_TF | b->cfg.l0->follows_debugregs;
}

static bool vmcs_lines_modelled(struct build *b, const struct scn_guest *g, enum scn_level level,
                                      const struct vmcs_write *writes)
{
	const struct cpu_model *m = &b->cfg.cpu;
	const char *failed = NULL, *what = NULL;
	enum vmcs_field field = GUEST_RFLAGS;
	/* DR0-DR3 at the reset value until the guest's MOV DR sets them. */
	static const uint64_t no_breakpoint_addresses[4] = {0, 0, 0, 0};
	uint32_t qual;
	struct vmcs *v;

	if (b->cfg.bare_metal || level != SCN_L1 || !g->nvmcs)
		return true;
	v = calloc(1, sizeof(*v));
	if (!v)
		return build_located(b, g->loc, "out of memory");
	vmcs_setup(v, &m->caps, m->revision_id, 0, 0, 0, 0, 0, writes, (uint32_t)g->nvmcs);
	if (vmx_entry_check_guest_state(v, m, &failed, &qual) &&
	    !(what = l0_guest_debug_not_modelled(v, no_breakpoint_addresses, guest_debug_follows(b), &field)))
		what = vmx_vmcs_not_modelled(v, &m->caps, &field);   /* controls and fields of a feature the model lacks */
	free(v);
	if (!what)
		return true;
	for (size_t i = 0; i < g->nvmcs; i++)
		if (g->vmcs[i].encoding == (uint32_t)field)
			return build_located(b, g->vmcs[i].loc, "not modelled: %s", what);
	return build_located(b, g->loc, "not modelled: %s", what);
}

/* The guest of `level` on vCPU `cpu`, into slot cpu (L1) or vcpus + cpu (L2). */
static bool build_guest(struct build *b, uint32_t cpu, enum scn_level level)
{
	const struct scn_scenario *s = b->s;
	const struct scn_guest *g = scn_guest_for(s, level, cpu);
	uint32_t slot = level == SCN_L2 ? s->vcpus + cpu : cpu;
	struct machine_guest *mg = &b->guests[slot];
	uint32_t insn_cycles = b->cfg.cpu.insn_cycles ? b->cfg.cpu.insn_cycles : 1;

	if (!g)
		return build_located(b, s->run_loc, "no 'guest L%d' block for cpu%u", (int)level, cpu);
	if (b->cfg.bare_metal && level == SCN_L1 && g->nvmcs)
		return build_located(b, g->vmcs[0].loc, "with 'l0 none' there is no VMCS for L1: 'vmcs' lines set up the VMCS "
		               "L1 runs L2 with and belong in the 'guest L2' block");
	for (size_t i = 0; i < g->nvmcs; i++)
		if (!vmcs_line_supported(b, &g->vmcs[i], level))
			return false;
	if (b->cfg.bare_metal && level == SCN_L1 && g->nmsr_intercepts)
		return build_located(b, g->msr_intercepts[0].loc, "with 'l0 none' there is no VMCS for L1: 'msr-bitmap' lines "
		               "set up the bitmap L1 runs L2 with and belong in the 'guest L2' block");
	/* Root operation has no EPT: the stack page would be mapped all the same (exec.c, deliver.c). */
	if (b->cfg.bare_metal && level == SCN_L1 && g->stack_unmapped)
		return build_located(b, g->stack_unmapped_loc, "with 'l0 none' L1 runs in root operation, without EPT: "
		               "'stack-unmapped' unmaps L2's stack in the EPT of L1's VMCS and belongs in the 'guest L2' block");
	/*
	 * The debug registers are the processor's (model/hw/breakpoint.c). The
	 * KVM models intercept an L1 guest's MOV DR (kvm_debugreg.c), an L1
	 * hypervisor's included; kvm-modern an L2's too (reflected to L1 or
	 * handled in guest mode: nested.c), kvm-2011 an L2's too (3.1's handle_dr
	 * on the one arch.dr7: nested.c prepare_vmcs12_debug_3_1); `plain` lets
	 * the processor run it.
	 */
	for (size_t i = 0; !b->cfg.bare_metal && i < g->ninsns; i++) {
		if (g->insns[i].op != SCN_OP_MOV_DR)
			continue;
		if (!(b->cfg.l0->follows_debugregs & L0_FOLLOWS_MOV_DR))
			return build_located(b, g->insns[i].loc, "not modelled: MOV to or from a debug register under "
			                     "'%s' (it does not follow MOV DR; the KVM models and 'plain' do, 'l0 none' runs it)",
			                     b->cfg.l0->name);
		if (level == SCN_L2 && !(b->cfg.l0->follows_debugregs & L0_FOLLOWS_L2_DEBUGREGS))
			return build_located(b, g->insns[i].loc, "not modelled: MOV to or from a debug register in L2 under "
			                     "'%s' (it does not follow an L2's debug registers; the nested KVMs do, 'l0 none' runs "
			                     "it)", b->cfg.l0->name);
	}
	cpu = slot;
	b->insns[cpu] = calloc(g->ninsns ? g->ninsns : 1, sizeof(struct vmx_insn));
	b->gates[cpu] = calloc(g->nidt ? g->nidt : 1, sizeof(struct machine_gate));
	b->vmcs[cpu] = calloc(g->nvmcs ? g->nvmcs : 1, sizeof(struct vmcs_write));
	b->msrs[cpu] = calloc(g->nmsr_intercepts ? g->nmsr_intercepts : 1, sizeof(struct msr_bitmap_bit));
	b->regions[cpu] = calloc(g->nregions ? g->nregions : 1, sizeof(struct machine_region));
	if (!b->insns[cpu] || !b->gates[cpu] || !b->vmcs[cpu] || !b->msrs[cpu] || !b->regions[cpu])
		return build_located(b, g->loc, "out of memory");
	for (size_t i = 0; i < g->nregions; i++) {
		b->regions[cpu][i].has_revision = g->regions[i].has_revision;
		b->regions[cpu][i].revision = g->regions[i].revision;
		b->regions[cpu][i].empty = g->regions[i].empty;
	}
	for (size_t i = 0; i < g->ninsns; i++) {
		const struct scn_insn *in = &g->insns[i];
		struct vmx_insn *out = &b->insns[cpu][i];
		uint64_t c;

		scenario_insn_operation(in, g->level, out);
		out->line = in->loc.line;
		switch (in->op) {
		case SCN_OP_WORK:
			if (in->varies && b->point)
				c = b->point->value[in->var];
			else if (!build_cycles(b, in->work, in->arg_loc, &c))
				return false;
			if (c / insn_cycles > UINT32_MAX)
				return build_located(b, in->arg_loc, "work block too long (at most %u instructions)", UINT32_MAX);
			out->arg = c / insn_cycles ? c / insn_cycles : 1;
			break;
		case SCN_OP_CHOOSE:
			/* A jump; explore chooses where to. */
			out->arg = b->point ? s->vars[in->var].targets[b->point->value[in->var]] : in->target;
			break;
		case SCN_OP_IPI:
			if (in->cpu >= s->vcpus)
				return build_located(b, in->arg_loc, "ipi to cpu%u, but there are %u vCPUs", in->cpu, s->vcpus);
			out->arg = in->cpu;
			out->arg2 = in->nmi ? VMX_IPI_NMI : in->init ? VMX_IPI_INIT : in->sipi ? VMX_IPI_SIPI | in->vector
			          : in->vector;
			break;
		default:
			break;   /* scenario_insn_operation() did the rest */
		}
	}
	for (size_t i = 0; i < g->nidt; i++) {
		b->gates[cpu][i].vector = (uint8_t)g->idt[i].vector;
		b->gates[cpu][i].insn = g->idt[i].target;
		b->gates[cpu][i].type = g->idt[i].gate == SCN_GATE_TRAP ? VMX_GATE_TRAP : VMX_GATE_INTERRUPT;
	}
	for (size_t i = 0; i < g->nvmcs; i++) {
		b->vmcs[cpu][i].encoding = g->vmcs[i].encoding;
		b->vmcs[cpu][i].value = g->vmcs[i].value;
	}
	if (!vmcs_lines_modelled(b, g, level, b->vmcs[cpu]))
		return false;
	for (size_t i = 0; i < g->nmsr_intercepts; i++) {
		b->msrs[cpu][i].msr = g->msr_intercepts[i].msr;
		b->msrs[cpu][i].write = g->msr_intercepts[i].write;
	}
	mg->msr_intercepts = b->msrs[cpu];
	mg->nmsr_intercepts = (uint32_t)g->nmsr_intercepts;
	mg->insn = b->insns[cpu];
	mg->count = (uint32_t)g->ninsns;
	mg->gates = b->gates[cpu];
	mg->ngates = (uint32_t)g->nidt;
	mg->vmcs = b->vmcs[cpu];
	mg->nvmcs = (uint32_t)g->nvmcs;
	mg->stack_not_present = g->stack_unmapped;
	mg->exit_handler = g->has_exit_handler ? (int64_t)g->exit_handler : -1;
	mg->regions = b->regions[cpu];
	mg->nregions = (uint32_t)g->nregions;
	return true;
}

static bool build_l0(struct build *b)
{
	const struct scn_l0 *l0 = &b->s->l0;

	if (!strcmp(l0->name, "none")) {
		/* Bare metal: the L1 program is the hypervisor on the hardware. */
		b->cfg.bare_metal = true;
		if (l0->nswitches)
			return build_located(b, l0->switches[0].loc, "'l0 none' has no switches");
		return true;
	}
	b->cfg.l0 = l0_lookup(l0->name);
	if (!b->cfg.l0) {
		char names[256] = "";
		for (int i = 0; i < l0_variant_count(); i++) {
			if (i)
				strncat(names, ", ", sizeof(names) - strlen(names) - 1);
			strncat(names, l0_variant_at(i)->name, sizeof(names) - strlen(names) - 1);
		}
		return build_located(b, l0->loc, "unknown L0 hypervisor '%s'; expected one of: %s, none", l0->name, names);
	}
	b->switches = calloc(l0->nswitches ? l0->nswitches : 1, sizeof(*b->switches));
	if (!b->switches)
		return build_located(b, l0->loc, "out of memory");
	for (size_t i = 0; i < l0->nswitches; i++) {
		const struct scn_switch *sw = &l0->switches[i];
		if (!l0_has_switch(b->cfg.l0, sw->name))
			return build_located(b, sw->loc, "L0 '%s' has no switch '%s'", b->cfg.l0->name, sw->name);
		b->switches[i].name = sw->name;
		b->switches[i].value = sw->kind == SCN_SWITCH_VALUE ? sw->value : sw->kind == SCN_SWITCH_ON ? "on" : "off";
	}
	b->cfg.switches = b->switches;
	b->cfg.nswitches = (uint32_t)l0->nswitches;
	return true;
}

static bool check_expects(struct build *b)
{
	for (size_t i = 0; i < b->s->nexpects; i++) {
		const struct scn_expect *e = &b->s->expects[i];
		if (e->kind == SCN_EXPECT_VERDICT && !verdict_known(e->verdict))
			return build_located(b, e->verdict_loc,
			               "unknown monitor verdict '%s'; expected nmi_nesting, lost_event, host_nmi_delayed, duplicate_delivery, wrong_level or lost_injection",
			               e->verdict);
		if (e->kind != SCN_EXPECT_VERDICT && e->event.ev == SCN_EV_VIOLATION && e->event.kind &&
		    !verdict_known(e->event.kind))
			return build_located(b, e->event.arg_loc, "unknown monitor verdict '%s'", e->event.kind);
	}
	return true;
}

bool build(struct build *b)
{
	const struct scn_scenario *s = b->s;
	bool has_l2 = false;

	if (!scn_cpu_resolve(&s->cpu, &b->cfg.cpu))
		return build_located(b, s->cpu.loc, "unknown CPU model '%s'", s->cpu.model);
	if (b->cfg.cpu.insn_cycles == 0 || b->cfg.cpu.tsc_hz == 0)
		return build_located(b, s->cpu.loc, "insn-cycles and tsc-hz must be at least 1");
	if (!build_l0(b) || !check_expects(b))
		return false;
	for (size_t i = 0; i < s->nguests; i++)
		if (s->guests[i].level == SCN_L2 && !b->cfg.bare_metal && !b->cfg.l0->nested)
			return build_located(b, s->guests[i].loc, "'guest L2' needs a nested L0, which '%s' is not", b->cfg.l0->name);
	b->cfg.vcpus = s->vcpus;
	for (size_t i = 0; i < s->nguests; i++)
		has_l2 = has_l2 || s->guests[i].level == SCN_L2;
	if (b->cfg.bare_metal && !has_l2)
		return build_located(b, s->l0.loc, "with 'l0 none' the L1 hypervisor needs a 'guest L2' block to run");
	/* Slots 0..vcpus-1 hold the L1 guests, vcpus..2*vcpus-1 the L2 guests (bare metal). */
	b->guests = calloc(2 * s->vcpus, sizeof(*b->guests));
	b->insns = calloc(2 * s->vcpus, sizeof(*b->insns));
	b->gates = calloc(2 * s->vcpus, sizeof(*b->gates));
	b->vmcs = calloc(2 * s->vcpus, sizeof(*b->vmcs));
	b->msrs = calloc(2 * s->vcpus, sizeof(*b->msrs));
	b->regions = calloc(2 * s->vcpus, sizeof(*b->regions));
	if (!b->guests || !b->insns || !b->gates || !b->vmcs || !b->msrs || !b->regions)
		return build_located(b, s->run_loc, "out of memory");
	if (!b->cfg.bare_metal && (!check_l0_pin_signals(b) || !check_l0_vapic_stores(b)))
		return false;
	for (uint32_t c = 0; c < s->vcpus; c++)
		if (!build_guest(b, c, SCN_L1) || (has_l2 && !build_guest(b, c, SCN_L2)))
			return false;
	/* Addresses for exact expectations' labels, once: the machine lays its copies out the same way. */
	for (uint32_t slot = 0; slot < 2 * s->vcpus; slot++) {
		struct vmx_program prog;
		if (b->insns[slot] && b->guests[slot].count)
			vmx_program_layout(&prog, b->insns[slot], b->guests[slot].count, VMX_PROGRAM_BASE);
	}
	b->cfg.guest = b->guests;
	b->cfg.l2_guest = has_l2 ? b->guests + s->vcpus : NULL;
	if (!build_cycles(b, s->run, s->run_loc, &b->cfg.run_cycles))
		return false;
	b->cfg.ipi_cycles = 200;
	b->cfg.host_nmi_delay_cycles = b->cfg.cpu.tsc_hz / 100000;   /* 10 us */
	return build_stimuli(b);
}

void build_free(struct build *b)
{
	for (uint32_t c = 0; c < 2 * b->s->vcpus; c++) {
		if (b->insns)
			free(b->insns[c]);
		if (b->gates)
			free(b->gates[c]);
		if (b->vmcs)
			free(b->vmcs[c]);
		if (b->msrs)
			free(b->msrs[c]);
		if (b->regions)
			free(b->regions[c]);
	}
	free(b->msrs);
	free(b->insns);
	free(b->gates);
	free(b->vmcs);
	free(b->regions);
	free(b->guests);
	free(b->stim);
	free(b->stim_index);
	free(b->switches);
}

/*
 * Where a label is, for exact expectations (`rip=l2_loop+2`): the block of
 * that level and vCPU, laid out as the machine lays it out.
 */
