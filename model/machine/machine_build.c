/* SPDX-License-Identifier: Apache-2.0 */
/*
 * machine_build.c - a machine built from its description (machine_create):
 * each vCPU's programs laid out in address spaces of their own, their IDTs,
 * a bare-metal L1's VMX regions and its start, the L0 instances, the
 * monitors; and taken apart again (machine_destroy).
 */
#include "model/machine/machine.h"
#include "model/machine/machine_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/monitor/monitor.h"
#include "vmcs/vmx_exit_reason.h"
#include "vmcs/vmx_intr_info.h"
#include "vmcs/vmx_intr_state.h"

/* Lay out a program with its IDT in a fresh address space. */
static bool build_space(struct space *sp, const struct machine_guest *g, char *err, size_t errlen)
{
	sp->insn = calloc(g->count ? g->count : 1, sizeof(*sp->insn));
	if (!sp->insn) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	if (g->count)
		memcpy(sp->insn, g->insn, g->count * sizeof(*sp->insn));
	vmx_program_layout(&sp->prog, sp->insn, g->count, VMX_PROGRAM_BASE);
	vmx_guest_mem_init(&sp->mem, &sp->prog);
	sp->mem.stack_not_present = g->stack_not_present;
	for (uint32_t i = 0; i < g->ngates; i++) {
		sp->mem.idt[g->gates[i].vector].type = g->gates[i].type;
		sp->mem.idt[g->gates[i].vector].handler = g->gates[i].insn < g->count ? sp->insn[g->gates[i].insn].addr : 0;
	}
	/* Jump targets are instruction indexes in the description; make them addresses. */
	for (uint32_t i = 0; i < g->count; i++)
		if (sp->insn[i].op == VMX_OP_JMP || sp->insn[i].op == VMX_OP_JCC)
			sp->insn[i].arg = sp->insn[i].arg < g->count ? sp->insn[sp->insn[i].arg].addr : sp->prog.end;
	return true;
}

static uint64_t insn_address(const struct space *sp, uint64_t index)
{
	return index < sp->prog.count ? sp->insn[index].addr : sp->prog.end;
}

/* Operands that name a label (`vmwrite GUEST_RIP l2_main`, `mov rax handler`) become addresses. */
static void resolve_label_operands(struct space *sp, const struct space *l2)
{
	for (uint32_t i = 0; i < sp->prog.count; i++) {
		struct vmx_insn *in = &sp->insn[i];

		if (in->arg2_kind == VMX_ARG2_INSN)
			in->arg2 = insn_address(sp, in->arg2);
		else if (in->arg2_kind == VMX_ARG2_L2_INSN)
			in->arg2 = l2 ? insn_address(l2, in->arg2) : 0;
		in->arg2_kind = VMX_ARG2_VALUE;
	}
}

static bool is_vmx_insn(enum vmx_op op)
{
	return op == VMX_OP_VMCALL || (op >= VMX_OP_VMLAUNCH && op <= VMX_OP_VMWRITE) ||
	       (op >= VMX_OP_VMXON && op <= VMX_OP_VMPTRST);
}

/* Is the program's first VMX instruction, in program order, a VMXON? */
static bool starts_with_vmxon(const struct machine_guest *g)
{
	for (uint32_t i = 0; i < g->count; i++)
		if (is_vmx_insn(g->insn[i].op))
			return g->insn[i].op == VMX_OP_VMXON;
	return false;
}

/*
 * L1's memory holds its VMXON region, vmcs0 - the VMCS every hypervisor
 * sets up for L2 before its first VMLAUNCH: the L2 block's VMCS lines on
 * top of the must-be-1 control bits, a link pointer of all ones, L2's
 * entry point, its own exit handler as HOST_RIP - and the regions it
 * declares, set up the same way or left empty. Each runs the L2 program.
 * On bare metal the processor finds them; under a nested L0, L0 does.
 */
static bool build_regions(struct vcpu *vc, const struct machine_guest *l1, const struct machine_guest *l2,
                          uint64_t host_rip, char *err, size_t errlen)
{
	const struct cpu_model *model = &vc->lp.model;
	const struct l0_variant *l0 = vc->m->cfg->l0;
	struct vmx_caps caps = model->caps;   /* what L1 reads in its capability MSRs */

	if (!vc->m->cfg->bare_metal && l0 && l0->offered_caps)
		l0->offered_caps(model, &caps);
	vc->nregions = 2 + l1->nregions;
	vc->regions = calloc(vc->nregions, sizeof(*vc->regions));
	if (!vc->regions) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	for (uint32_t i = 0; i < vc->nregions; i++) {
		const struct machine_region *r = i >= 2 ? &l1->regions[i - 2] : NULL;
		uint32_t rev = r && r->has_revision ? r->revision : model->revision_id;
		struct vmcs *v = &vc->regions[i];

		if (i == VMX_REGION_VMXON || (r && r->empty)) {
			vmcs_clear(v, rev);
		} else {
			vmcs_setup(v, &caps, rev, PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING, 0, 0,
			           vc->l2.prog.base, host_rip, l2->vmcs, l2->nvmcs);
			v->msr_bitmap = &vc->l1.mem.msr_bitmap;   /* the page L1 allocated, with the L2 block's bits */
		}
		v->guest = &vc->l2.mem;
		v->addr = VMX_REGION_ADDR(i);
	}
	vc->l1.mem.regions = vc->regions;
	vc->l1.mem.nregions = vc->nregions;
	return true;
}

/*
 * Bare metal: a program whose first VMX instruction is a VMXON starts
 * outside VMX operation and makes its own way in; any other starts as if
 * it had executed VMXON and VMPTRLD of vmcs0.
 */
static bool start_bare_metal(struct vcpu *vc, const struct machine_guest *l1, const struct machine_guest *l2,
                             char *err, size_t errlen)
{
	if (l1->exit_handler < 0 || (uint64_t)l1->exit_handler >= l1->count) {
		snprintf(err, errlen, "with 'l0 none' the L1 hypervisor needs an 'exit-handler' label");
		return false;
	}
	if (!build_regions(vc, l1, l2, vc->l1.insn[l1->exit_handler].addr, err, errlen))
		return false;
	if (starts_with_vmxon(l1)) {
		vc->lp.vmx_operation = false;   /* as after power-on */
		return true;
	}
	if (vmx_lp_vmptrld(&vc->lp, &vc->regions[VMX_REGION_VMCS0]) != VMX_SUCCEED) {
		snprintf(err, errlen, "VMPTRLD of L1's VMCS failed");
		return false;
	}
	return true;
}

static bool build_vcpu(struct machine *m, struct vcpu *vc, uint32_t id, char *err, size_t errlen)
{
	const struct machine_config *cfg = m->cfg;
	const struct machine_guest *g = &cfg->guest[id];
	struct l0_env env;

	vc->m = m;
	vc->id = id;
	if (!build_space(&vc->l1, g, err, errlen))
		return false;
	if (cfg->l2_guest && !build_space(&vc->l2, &cfg->l2_guest[id], err, errlen))
		return false;
	vc->l1.mem.stamps = &m->stamps;
	vc->l2.mem.stamps = &m->stamps;
	resolve_label_operands(&vc->l1, cfg->l2_guest ? &vc->l2 : NULL);
	if (cfg->l2_guest) {
		resolve_label_operands(&vc->l2, NULL);
		/* L1 keeps the MSR-bitmap page of the VMCS it runs L2 with in its own memory. */
		msr_bitmap_intercept(&vc->l1.mem.msr_bitmap, cfg->l2_guest[id].msr_intercepts,
		                     cfg->l2_guest[id].nmsr_intercepts);
	}

	/* Bare metal: the L1 program runs in root operation, from its first instruction. */
	vmx_lp_init(&vc->lp, &cfg->cpu, id, cfg->bare_metal ? &vc->l1.mem : NULL);
	vmx_lp_set_observer(&vc->lp, machine_observe, vc);
	vc->lp.reference = cfg->reference_stepping;
	vc->lp.send_ipi = machine_physical_ipi;
	vc->lp.send_ipi_ctx = vc;
	vc->lp.sync = machine_sync_vcpu;
	vc->lp.sync_ctx = vc;
	vc->lp.bsp = id == 0;   /* cpu0 is the bootstrap processor */

	if (cfg->bare_metal)
		return start_bare_metal(vc, g, &cfg->l2_guest[id], err, errlen);

	memset(&env, 0, sizeof(env));
	env.lp = &vc->lp;
	env.cpu = id;
	env.bus = m->bus;
	env.guest_mem = &vc->l1.mem;
	env.guest_entry = vc->l1.prog.base;
	if (cfg->l2_guest) {
		env.l2_mem = &vc->l2.mem;
		env.l2_entry = vc->l2.prog.base;
		env.l2_vmcs_writes = cfg->l2_guest[id].vmcs;
		env.nl2_vmcs_writes = cfg->l2_guest[id].nvmcs;
		env.l1_exit_handler = g->exit_handler >= 0 && (uint64_t)g->exit_handler < g->count
		                          ? vc->l1.insn[g->exit_handler].addr : 0;
		/* L1's regions, for a nested L0 to emulate its VMX instructions on; vmcs0 is vmcs12 at first. */
		if (!build_regions(vc, g, &cfg->l2_guest[id], env.l1_exit_handler, err, errlen))
			return false;
		env.l1_outside_vmx = starts_with_vmxon(g);
	}
	env.vmcs_writes = g->vmcs;
	env.nvmcs_writes = g->nvmcs;
	env.switches = cfg->switches;
	env.nswitches = cfg->nswitches;
	env.msr_intercepts = g->msr_intercepts;
	env.nmsr_intercepts = g->nmsr_intercepts;
	env.virtual_ipi = machine_virtual_ipi;
	env.refuse = machine_refuse;
	env.machine = m;
	vc->l0 = cfg->l0->create(&env, err, errlen);
	return vc->l0 != NULL;
}

bool machine_stim_modelled(const struct machine_config *cfg, const struct machine_stimulus *s)
{
	/*
	 * A posted interrupt goes to the descriptor of a bare-metal hypervisor's
	 * VMCS, at the pins. A machine check reaches the pins too: on bare
	 * metal, or the host's under an L0 that takes them; or it is one user
	 * space injects into L1, under an L0 that takes those.
	 */
	if (s->kind == MACHINE_STIM_MCE)
		return s->level == 0 ? cfg->bare_metal || (cfg->l0 && cfg->l0->takes_host_machine_checks)
		                     : s->level == 1 && cfg->l0 && cfg->l0->takes_guest_machine_checks;
	/* User space's debugger: through an L0 that has KVM_SET_GUEST_DEBUG. */
	if (s->kind == MACHINE_STIM_GUEST_DEBUG)
		return s->level == 1 && cfg->l0 && cfg->l0->guest_debug;
	return (s->kind != MACHINE_STIM_INIT && s->kind != MACHINE_STIM_SIPI && s->kind != MACHINE_STIM_POST &&
	        s->kind != MACHINE_STIM_RESET) ||
	       (cfg->bare_metal && s->level == 0);
}

struct machine *machine_create(const struct machine_config *cfg, struct trace_bus *bus, char *err, size_t errlen)
{
	struct machine *m = calloc(1, sizeof(*m));

	if (!m) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->cfg = cfg;
	m->bus = bus;
	/* What the processors finish after the end of the run is not part of it. */
	bus->horizon = cfg->run_cycles;
	if (cfg->vcpus == 0 || cfg->vcpus > MACHINE_MAX_VCPUS) {
		snprintf(err, errlen, "vcpus must be 1-%d", MACHINE_MAX_VCPUS);
		goto fail;
	}
	if (!cfg->l0 && !cfg->bare_metal) {
		snprintf(err, errlen, "no L0 hypervisor");
		goto fail;
	}
	if (cfg->bare_metal && !cfg->l2_guest) {
		snprintf(err, errlen, "bare metal needs a 'guest L2' block for L1 to run");
		goto fail;
	}
	m->nesting = calloc(1, sizeof(*m->nesting));
	m->lost = calloc(1, sizeof(*m->lost));
	m->lost_inj = calloc(1, sizeof(*m->lost_inj));
	m->summaries = calloc(1, sizeof(*m->summaries));
	m->vcpu = calloc(cfg->vcpus, sizeof(*m->vcpu));
	m->trig = calloc(cfg->nstim ? cfg->nstim : 1, sizeof(*m->trig));
	if (!m->nesting || !m->lost || !m->lost_inj || !m->summaries || !m->vcpu || !m->trig) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	monitor_nmi_nesting_init(m->nesting, bus);
	if (!monitor_lost_event_init(m->lost, bus, cfg->vcpus, cfg->bare_metal) ||
	    !monitor_lost_injection_init(m->lost_inj, bus, cfg->vcpus, cfg->bare_metal) ||
	    !monitor_summaries_init(m->summaries, bus, cfg->host_nmi_delay_cycles, cfg->vcpus, cfg->bare_metal,
	                            !cfg->no_latency_histograms)) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	/* The rows of their tables that a snapshot puts back only when they were written (snapshot.c). */
	m->lost->stamps = &m->stamps;
	m->summaries->irq.stamps = &m->stamps;
	m->watch.emit = machine_watch_emit;
	m->watch.ignore = machine_watch_ignore(cfg);
	/* Monitors and the watcher see every event of the kinds they ask for; their verdicts queue behind it. */
	if (!trace_bus_attach(bus, &m->nesting->base) || !trace_bus_attach(bus, &m->lost->base) ||
	    !trace_bus_attach(bus, &m->lost_inj->base) ||
	    !monitor_summaries_attach(m->summaries, bus) || !trace_bus_attach(bus, &m->watch)) {
		snprintf(err, errlen, "too many trace sinks");
		goto fail;
	}
	for (uint32_t i = 0; i < cfg->vcpus; i++)
		if (!build_vcpu(m, &m->vcpu[i], i, err, errlen))
			goto fail;
	/*
	 * The scenario's stimuli take their index as their place among those
	 * due at the same cycle, whether or not they are on the schedule from
	 * the start (machine_retime puts one back in its place); what is
	 * queued later comes after them.
	 */
	m->seq = cfg->nstim;
	m->resume_next = UINT64_MAX;
	for (uint32_t i = 0; i < cfg->nstim; i++) {
		const struct machine_stimulus *s = &cfg->stim[i];
		if (s->cpu >= cfg->vcpus) {
			snprintf(err, errlen, "stimulus %u targets cpu%u but there are %u vCPUs", i, s->cpu, cfg->vcpus);
			goto fail;
		}
		if (s->kind == MACHINE_STIM_MCE && s->level == 0 && s->mce.bank >= (cfg->cpu.mcg_cap & MCG_CAP_COUNT)) {
			snprintf(err, errlen, "stimulus %u: machine-check bank %u does not exist (IA32_MCG_CAP 0x%llx)", i,
			         s->mce.bank, (unsigned long long)cfg->cpu.mcg_cap);
			goto fail;
		}
		if (!machine_stim_modelled(cfg, s)) {
			snprintf(err, errlen, "not modelled: %s (stimulus %u)",
			         s->kind == MACHINE_STIM_MCE ? "a machine check other than the host's under an L0 that takes "
			                                       "them"
			         : s->kind == MACHINE_STIM_GUEST_DEBUG ? "user space's debugger under an L0 without "
			                                                 "KVM_SET_GUEST_DEBUG"
			                                               : "INIT and SIPI for a guest of an L0", i);
			goto fail;
		}
		if (!s->relative && s->at < cfg->run_cycles && !machine_heap_push_seq(m, s->at, s, i, i)) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	return m;
fail:
	machine_destroy(m);
	return NULL;
}

void machine_destroy(struct machine *m)
{
	if (!m)
		return;
	if (m->vcpu) {
		for (uint32_t i = 0; i < m->cfg->vcpus; i++) {
			if (m->vcpu[i].l0)
				m->cfg->l0->destroy(m->vcpu[i].l0);
			free(m->vcpu[i].l1.insn);
			free(m->vcpu[i].l2.insn);
			free(m->vcpu[i].regions);
		}
	}
	free(m->vcpu);
	free(m->heap);
	free(m->trig);
	free(m->nesting);
	if (m->lost)
		monitor_lost_event_free(m->lost);
	if (m->lost_inj)
		monitor_lost_injection_free(m->lost_inj);
	if (m->summaries)
		monitor_summaries_free(m->summaries);
	free(m->lost);
	free(m->lost_inj);
	free(m->summaries);
	free(m);
}
