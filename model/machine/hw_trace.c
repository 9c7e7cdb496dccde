/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hw_trace.c - the translation of processor events into trace events, with
 * the level each belongs to (root or non-root operation, bare metal, or
 * what a nested L0 says runs now).
 */
#include <stdio.h>
#include <string.h>

#include "model/machine/machine_internal.h"
#include "vmcs/vmx_exit_reason.h"
#include "vmcs/vmx_intr_info.h"
#include "vmcs/vmx_intr_state.h"

/* ---- processor events -> trace ---- */

/*
 * Names of the blocking snapshots, indexed STI 1, MOV_SS 2, NMI 4, VNMI 8,
 * IF 16: the set parts joined with '|' in that order, "none" for none.
 */
static const char *const blocking_names[32] = {
	"none", "sti", "mov-ss", "sti|mov-ss",
	"nmi", "sti|nmi", "mov-ss|nmi", "sti|mov-ss|nmi",
	"vnmi", "sti|vnmi", "mov-ss|vnmi", "sti|mov-ss|vnmi",
	"nmi|vnmi", "sti|nmi|vnmi", "mov-ss|nmi|vnmi", "sti|mov-ss|nmi|vnmi",
	"if", "sti|if", "mov-ss|if", "sti|mov-ss|if",
	"nmi|if", "sti|nmi|if", "mov-ss|nmi|if", "sti|mov-ss|nmi|if",
	"vnmi|if", "sti|vnmi|if", "mov-ss|vnmi|if", "sti|mov-ss|vnmi|if",
	"nmi|vnmi|if", "sti|nmi|vnmi|if", "mov-ss|nmi|vnmi|if", "sti|mov-ss|nmi|vnmi|if",
};

static const char *blocking_name(uint32_t b)
{
	uint32_t k = ((b & VMX_BLK_STI) ? 1u : 0u) | ((b & VMX_BLK_MOV_SS) ? 2u : 0u) | ((b & VMX_BLK_NMI) ? 4u : 0u) |
	             ((b & VMX_BLK_VNMI) ? 8u : 0u) | ((b & VMX_BLK_IF) ? 16u : 0u);
	return blocking_names[k];
}

/* The trace kind of a processor event; TRACE_KIND_COUNT for those the trace leaves out. */
static enum trace_kind trace_kind_of(enum vmx_hw_event_kind k)
{
	switch (k) {
	case HW_VMENTRY: return TRACE_VMENTRY;
	case HW_VMFAIL: return TRACE_VMFAIL;
	case HW_VMEXIT: return TRACE_VMEXIT;
	case HW_DELIVER: return TRACE_DELIVER;
	case HW_IRET: return TRACE_IRET;
	case HW_HLT: return TRACE_HLT;
	case HW_WAKE: return TRACE_WAKE;
	case HW_NMI_LOST: return TRACE_NMI_LOST;
	case HW_IRQ_COALESCED: return TRACE_IRQ_COALESCED;
	case HW_INTR_ACK: return TRACE_INTR_ACK;
	case HW_EOI: return TRACE_EOI;
	case HW_BLOCKING: return TRACE_BLOCKING;
	case HW_SHUTDOWN: return TRACE_SHUTDOWN;
	case HW_IPI: return TRACE_IPI;
	case HW_RECORD: return TRACE_RECORD;
	case HW_APIC_TIMER: return TRACE_STIMULUS;
	case HW_INIT: return TRACE_INIT;
	case HW_RESET: return TRACE_RESET;
	case HW_VAPIC: return TRACE_VAPIC;
	case HW_SIPI:        /* the not-modelled answer that follows it says it */
	case HW_NMI_LATCHED:
	case HW_IRQ_ACCEPTED:
		break;   /* the stimulus line already says it */
	case HW_NOT_MODELLED:
		break;   /* not an event of the story: the run reports it as an error (machine_stats) */
	}
	return TRACE_KIND_COUNT;
}

void machine_observe(void *ctx, const struct vmx_hw_event *hw)
{
	struct vcpu *vc = ctx;
	struct machine *m = vc->m;
	enum trace_kind kind = trace_kind_of(hw->kind);
	struct trace_event ev;
	uint32_t level;
	const char *name;

	/* The statistics count what the processor did, traced or not. */
	if (hw->kind == HW_VMEXIT)
		m->stats.exits++;
	else if (hw->kind == HW_DELIVER)
		m->stats.deliveries++;
	else if (hw->kind == HW_NOT_MODELLED && !m->stats.not_modelled++) {
		m->stats.not_modelled_what = hw->check;
		/* An INIT or SIPI has no instruction of the processor's own: the line that sent it. */
		m->stats.not_modelled_line = hw->line ? hw->line
		                           : hw->vector == VMX_IPI_INIT ? vc->init_line
		                           : hw->vector == VMX_IPI_SIPI ? vc->sipi_line
		                           : hw->vector == VMX_PIN_RESET ? vc->reset_line
		                           : hw->vector == MC_VECTOR ? vc->mce_line : 0;
	}
	if (kind == TRACE_KIND_COUNT || !trace_bus_begin(m->bus, kind, hw->cycle))
		return;
	/* Bare metal: L1 is the root software and L2 runs in non-root operation. */
	level = (hw->non_root ? 1u : 0u) + (m->cfg->bare_metal ? 1u : 0u);
	if (hw->non_root && m->cfg->l0 && m->cfg->l0->guest_level)
		level = m->cfg->l0->guest_level(vc->l0);

	switch (hw->kind) {
	case HW_VMENTRY:
		trace_event_init(&ev, hw->cycle, hw->cpu, level, TRACE_VMENTRY);
		trace_add_str(&ev, "insn", hw->launch ? "vmlaunch" : "vmresume");
		trace_add_hex64(&ev, "rip", hw->rip);
		if (hw->intr_info)
			trace_add_hex32(&ev, "inject", hw->intr_info);
		if (hw->new_state != GUEST_ACTIVITY_ACTIVE)
			trace_add_str(&ev, "activity", guest_activity_name(hw->new_state));
		break;
	case HW_VMFAIL:
		trace_event_init(&ev, hw->cycle, hw->cpu, level, TRACE_VMFAIL);
		trace_add_str(&ev, "insn", hw->insn ? vmx_op_name((enum vmx_op)hw->insn) : hw->launch ? "vmlaunch" : "vmresume");
		trace_add_uint(&ev, "error", hw->error);
		if (level)   /* a program's instruction; an L0 written in C has no RIP */
			trace_add_hex64(&ev, "rip", hw->rip);
		if (hw->check)
			trace_add_str(&ev, "check", hw->check);
		break;
	case HW_VMEXIT:
		trace_event_init(&ev, hw->cycle, hw->cpu, hw->check ? (m->cfg->bare_metal ? 2 : 1) : level, TRACE_VMEXIT);
		name = vmx_exit_reason_name(hw->reason & VMX_EXIT_REASON_BASIC_MASK);
		if (!name) {
			snprintf(m->reason_buf[hw->cpu % MACHINE_MAX_VCPUS], sizeof(m->reason_buf[0]), "0x%x",
			         hw->reason & VMX_EXIT_REASON_BASIC_MASK);
			name = m->reason_buf[hw->cpu % MACHINE_MAX_VCPUS];
		}
		trace_add_str(&ev, "reason", name);
		if (hw->reason & VMX_EXIT_REASONS_FAILED_VMENTRY)
			trace_add_bool(&ev, "failed_vmentry", true);
		trace_add_hex64(&ev, "qual", hw->qualification);
		/* A failed VM entry writes only the exit reason and the qualification (R26). */
		if (!(hw->reason & VMX_EXIT_REASONS_FAILED_VMENTRY)) {
			trace_add_hex32(&ev, "intr_info", hw->intr_info);
			if (hw->intr_info & INTR_INFO_DELIVER_CODE_MASK)
				trace_add_hex32(&ev, "error_code", hw->error_code);
			trace_add_hex32(&ev, "idt_vectoring", hw->idt_vectoring);
			if (hw->idt_vectoring & INTR_INFO_DELIVER_CODE_MASK)
				trace_add_hex32(&ev, "idt_error", hw->idt_error);
			if (hw->insn_len)
				trace_add_uint(&ev, "insn_len", hw->insn_len);
			/* The saved interruptibility and activity state (27.3.4), when not the plain values. */
			if (hw->intr_state)
				trace_add_hex32(&ev, "intr_state", hw->intr_state);
			if (hw->new_state != GUEST_ACTIVITY_ACTIVE)
				trace_add_str(&ev, "activity", guest_activity_name(hw->new_state));
		}
		trace_add_hex64(&ev, "rip", hw->rip);
		if (hw->check)
			trace_add_str(&ev, "check", hw->check);
		break;
	case HW_DELIVER:
		trace_event_init(&ev, hw->cycle, hw->cpu, level, TRACE_DELIVER);
		trace_add_uint(&ev, "vector", hw->vector);
		trace_add_str(&ev, "type", intr_type_name(intr_info_type(hw->intr_info)));
		if (hw->intr_info & INTR_INFO_DELIVER_CODE_MASK)
			trace_add_hex32(&ev, "error_code", hw->error_code);
		trace_add_bool(&ev, "injected", hw->injected);
		trace_add_hex64(&ev, "handler", hw->rip);
		break;
	case HW_IRET:
		trace_event_init(&ev, hw->cycle, hw->cpu, level, TRACE_IRET);
		trace_add_hex64(&ev, "rip", hw->rip);
		trace_add_bool(&ev, "nmi_unblocked", hw->nmi_unblocked);
		break;
	case HW_HLT:
		trace_event_init(&ev, hw->cycle, hw->cpu, level, TRACE_HLT);
		trace_add_hex64(&ev, "rip", hw->rip);
		break;
	case HW_WAKE:
		trace_event_init(&ev, hw->cycle, hw->cpu, level, TRACE_WAKE);
		trace_add_str(&ev, "from", guest_activity_name(hw->new_state));
		break;
	case HW_NMI_LOST:
		trace_event_init(&ev, hw->cycle, hw->cpu, 0, TRACE_NMI_LOST);
		break;
	case HW_IRQ_COALESCED:
		trace_event_init(&ev, hw->cycle, hw->cpu, 0, TRACE_IRQ_COALESCED);
		trace_add_uint(&ev, "vector", hw->vector);
		break;
	case HW_INTR_ACK:
		trace_event_init(&ev, hw->cycle, hw->cpu, 0, TRACE_INTR_ACK);
		trace_add_uint(&ev, "vector", hw->vector);
		break;
	case HW_EOI:
		trace_event_init(&ev, hw->cycle, hw->cpu, level, TRACE_EOI);
		if (hw->vector <= 0xff)
			trace_add_uint(&ev, "vector", hw->vector);
		break;
	case HW_BLOCKING:
		trace_event_init(&ev, hw->cycle, hw->cpu, level, TRACE_BLOCKING);
		trace_add_str(&ev, "from", blocking_name(hw->old_state));
		trace_add_str(&ev, "to", blocking_name(hw->new_state));
		break;
	case HW_SHUTDOWN:
		/* The processor's own state; a guest that a machine check shut down in non-root operation is its level. */
		trace_event_init(&ev, hw->cycle, hw->cpu, hw->non_root ? level : 0, TRACE_SHUTDOWN);
		if (hw->vector == MC_VECTOR)
			trace_add_str(&ev, "cause", "machine-check");
		break;
	case HW_IPI:
		trace_event_init(&ev, hw->cycle, hw->cpu, level, TRACE_IPI);
		trace_add_uint(&ev, "dest", hw->dest);
		if (hw->vector == VMX_IPI_NMI)
			trace_add_str(&ev, "type", "nmi");
		else if (hw->vector == VMX_IPI_INIT)
			trace_add_str(&ev, "type", "init");
		else if ((hw->vector & VMX_IPI_MODE_MASK) == VMX_IPI_SIPI)
			trace_add_str(&ev, "type", "sipi");
		if (!(hw->vector & VMX_IPI_MODE_MASK) || (hw->vector & VMX_IPI_MODE_MASK) == VMX_IPI_SIPI)
			trace_add_uint(&ev, "vector", hw->vector & 0xffu);
		break;
	case HW_INIT:
		trace_event_init(&ev, hw->cycle, hw->cpu, level, TRACE_INIT);
		trace_add_hex64(&ev, "rip", hw->rip);
		break;
	case HW_RESET:
		trace_event_init(&ev, hw->cycle, hw->cpu, level, TRACE_RESET);
		trace_add_hex64(&ev, "rip", hw->rip);
		trace_add_str(&ev, "cpu_role", vc->lp.bsp ? "bsp" : "ap");
		break;
	case HW_VAPIC:
		/* RVI, SVI and VPPR after the step (SDM Vol. 3C 30.1-30.2, 30.6). */
		trace_event_init(&ev, hw->cycle, hw->cpu, level, TRACE_VAPIC);
		trace_add_str(&ev, "op", hw->vapic_op);
		trace_add_uint(&ev, "vector", hw->vector);
		trace_add_hex64(&ev, "rvi", hw->intr_status & 0xffu);
		trace_add_hex64(&ev, "svi", (hw->intr_status >> 8) & 0xffu);
		trace_add_hex64(&ev, "vppr", hw->vppr);
		if (hw->notification >= 0)
			trace_add_hex64(&ev, "notification", (uint32_t)hw->notification);
		break;
	case HW_RECORD:
		trace_event_init(&ev, hw->cycle, hw->cpu, level, TRACE_RECORD);
		trace_add_hex64(&ev, "rip", hw->rip);
		for (uint32_t r = 0; r < X86_NGPR; r++)
			if (hw->reg_mask & (1u << r))
				trace_add_hex64(&ev, x86_gpr_name(r), hw->regs[r]);
		break;
	case HW_APIC_TIMER:
		/* An interrupt the LAPIC raises itself: a stimulus at the pins, like a device's. */
		trace_event_init(&ev, hw->cycle, hw->cpu, 0, TRACE_STIMULUS);
		trace_add_str(&ev, "type", "irq");
		trace_add_uint(&ev, "vector", hw->vector);
		trace_add_str(&ev, "origin", "apic-timer");
		break;
	case HW_NMI_LATCHED:
	case HW_IRQ_ACCEPTED:
	case HW_NOT_MODELLED:
	default:
		return;    /* not traced (trace_kind_of) */
	}
	trace_bus_emit(m->bus, &ev);
}
