/*
 * plain.c - "plain": a small root hypervisor that runs one guest per vCPU
 * and sets up its VMCS as the scenario says. It is not KVM; it is the
 * simplest hypervisor that keeps a guest running, so hardware stories can
 * be told without an algorithm in the way:
 *
 *  - guest NMIs and interrupts are queued in a virtual interrupt controller
 *    and injected at the next VM entry when the guest can take them, else an
 *    NMI window (virtual NMIs) or an interrupt window is requested (R18, R19);
 *    without virtual NMIs it cannot know when the guest's NMI handler ends
 *    (R16) and injects NMIs whenever no MOV-SS blocking forbids it (R10);
 *  - an event whose delivery was cut short by a VM exit is re-injected from
 *    IDT-vectoring information (R20), with virtual-NMI blocking cleared
 *    first for an NMI (R10b);
 *  - exceptions that exit through the exception bitmap are reflected back;
 *  - host NMIs and interrupts are handled as the host's own;
 *  - EOI and IPI (WRMSR exits) go to the virtual interrupt controller;
 *  - HLT exits are emulated by re-entering in the HLT activity state;
 *  - MTF and preemption-timer exits are one-shot: the control is cleared;
 *  - EPT violations on the guest stack map the page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/l0/l0.h"
#include "vmcs/vmx_controls.h"
#include "vmcs/vmx_exit_reason.h"
#include "vmcs/vmx_intr_info.h"
#include "vmcs/vmx_intr_state.h"

#define PLAIN_HOST_RIP 0xffffffff81000000ull

struct plain {
	struct l0_env env;
	struct vmcs vmcs;
	bool launched;
	bool use_vnmi;                /* guest runs with virtual NMIs */
	uint32_t nmi_pending;         /* virtual NMIs waiting */
	uint64_t virr[4];             /* virtual IRR */
	uint64_t visr[4];             /* virtual ISR */
	uint32_t reflect_info;        /* exception to reflect, or 0 */
	uint32_t reflect_error;
	bool idt_consumed;            /* this exit's IDT-vectoring event was requeued elsewhere */
	uint64_t handler_cycles;      /* software cost of one exit */
	uint64_t host_cycles;         /* host NMI / interrupt handler */
};

static const struct l0_switch_desc plain_switches[] = {
	{"handler-cycles", "cycles the hypervisor spends on one VM exit (default 400)"},
	{"host-cycles", "cycles a host NMI or interrupt handler takes (default 300)"},
	{"vnmi", "use virtual NMIs when the CPU has them (default on; -vnmi turns it off)"},
	{NULL, NULL},
};

static void trace_decision(struct plain *p, enum trace_kind k, const char *what, const char *why,
                           int vector, uint32_t info)
{
	struct trace_event ev;

	trace_event_init(&ev, p->env.lp->cycle, p->env.cpu, 0, k);
	if (what)
		trace_add_str(&ev, k == TRACE_HOST || k == TRACE_INJECT ? "type" : "what", what);
	if (vector >= 0)
		trace_add_uint(&ev, "vector", (uint64_t)vector);
	if (info)
		trace_add_hex32(&ev, "intr_info", info);
	if (why)
		trace_add_str(&ev, "why", why);
	trace_bus_emit(p->env.bus, &ev);
}

static bool bit_test(const uint64_t r[4], unsigned v) { return (r[v / 64] >> (v % 64)) & 1u; }
static void bit_set(uint64_t r[4], unsigned v) { r[v / 64] |= 1ull << (v % 64); }
static void bit_clear(uint64_t r[4], unsigned v) { r[v / 64] &= ~(1ull << (v % 64)); }

static int highest(const uint64_t r[4])
{
	for (int w = 3; w >= 0; w--)
		if (r[w])
			return w * 64 + 63 - __builtin_clzll(r[w]);
	return -1;
}

/* A virtual interrupt is deliverable if its class is above the in-service class. */
static int virr_deliverable(const struct plain *p)
{
	int irr = highest(p->virr), isr = highest(p->visr);
	return irr >= 0 && (isr < 0 || (irr >> 4) > (isr >> 4)) ? irr : -1;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s)
		return false;
	v = strtoull(s, &end, 0);
	if (*end)
		return false;
	*out = v;
	return true;
}

static void *plain_create(const struct l0_env *env, char *err, size_t errlen)
{
	struct plain *p = calloc(1, sizeof(*p));
	const struct cpu_model *m = &env->lp->model;

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->env = *env;
	p->handler_cycles = 400;
	p->host_cycles = 300;
	p->use_vnmi = vmx_caps_allows(&m->caps, VMX_CTL_PIN, PIN_BASED_VIRTUAL_NMIS);
	for (uint32_t i = 0; i < env->nswitches; i++) {
		const struct l0_switch *s = &env->switches[i];
		bool ok = true;
		if (!strcmp(s->name, "handler-cycles"))
			ok = parse_u64(s->value, &p->handler_cycles);
		else if (!strcmp(s->name, "host-cycles"))
			ok = parse_u64(s->value, &p->host_cycles);
		else if (!strcmp(s->name, "vnmi"))
			p->use_vnmi = p->use_vnmi && strcmp(s->value, "off") != 0;
		if (!ok) {
			snprintf(err, errlen, "switch '%s' needs a number, not '%s'", s->name, s->value);
			free(p);
			return NULL;
		}
	}
	/* Every exit costs something, so time always moves forward. */
	if (p->handler_cycles == 0)
		p->handler_cycles = 1;
	return p;
}

static void plain_destroy(void *inst)
{
	free(inst);
}

static bool plain_guest_event(void *inst, int vector)
{
	struct plain *p = inst;

	if (vector == L0_NMI) {
		p->nmi_pending++;
	} else if (bit_test(p->virr, (unsigned)vector)) {
		trace_decision(p, TRACE_DEFER, "irq", "vector already pending in the virtual IRR: coalesced", vector, 0);
	} else {
		bit_set(p->virr, (unsigned)vector);
	}
	return p->env.lp->non_root;
}

/* Set up the VMCS: KVM-like defaults, then the scenario's writes. */
static void setup_vmcs(struct plain *p)
{
	struct vmcs *v = &p->vmcs;
	const struct vmx_caps *caps = &p->env.lp->model.caps;
	uint32_t pin = PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING;

	vmcs_clear(v, p->env.lp->model.revision_id);
	v->guest = p->env.guest_mem;
	if (p->use_vnmi)
		pin |= PIN_BASED_VIRTUAL_NMIS;
	vmcs_set(v, PIN_BASED_VM_EXEC_CONTROL, pin);
	vmcs_set(v, CPU_BASED_VM_EXEC_CONTROL, 0);
	vmcs_set(v, VM_EXIT_CONTROLS, VM_EXIT_ACK_INTR_ON_EXIT);
	vmcs_set(v, VM_ENTRY_CONTROLS, 0);
	vmcs_set(v, VMCS_LINK_POINTER, VMCS_LINK_POINTER_NONE);
	vmcs_set(v, GUEST_RFLAGS, X86_EFLAGS_FIXED);
	vmcs_set(v, GUEST_RIP, p->env.guest_entry);
	vmcs_set(v, HOST_RIP, PLAIN_HOST_RIP);
	for (uint32_t i = 0; i < p->env.nvmcs_writes; i++) {
		int idx = vmcs_field_lookup(p->env.vmcs_writes[i].encoding);
		if (idx >= 0)
			v->field[idx] = p->env.vmcs_writes[i].value;
	}
	/* As KVM's adjust_vmx_controls(): must-be-1 bits are always set. */
	vmcs_set_bits(v, PIN_BASED_VM_EXEC_CONTROL, vmx_allowed0(caps->pinbased_ctls));
	vmcs_set_bits(v, CPU_BASED_VM_EXEC_CONTROL, vmx_allowed0(caps->procbased_ctls));
	vmcs_set_bits(v, VM_EXIT_CONTROLS, vmx_allowed0(caps->exit_ctls));
	vmcs_set_bits(v, VM_ENTRY_CONTROLS, vmx_allowed0(caps->entry_ctls));
	p->use_vnmi = (vmcs_get32(v, PIN_BASED_VM_EXEC_CONTROL) & PIN_BASED_VIRTUAL_NMIS) != 0;
}

static void set_window(struct plain *p, uint32_t bit, bool on, const char *what, const char *why)
{
	bool was = (vmcs_get32(&p->vmcs, CPU_BASED_VM_EXEC_CONTROL) & bit) != 0;

	if (was == on)
		return;
	if (on)
		vmcs_set_bits(&p->vmcs, CPU_BASED_VM_EXEC_CONTROL, bit);
	else
		vmcs_clear_bits(&p->vmcs, CPU_BASED_VM_EXEC_CONTROL, bit);
	trace_decision(p, TRACE_WINDOW, what, why, -1, 0);
}

static void skip_instruction(struct plain *p)
{
	vmcs_set(&p->vmcs, GUEST_RIP, vmcs_get(&p->vmcs, GUEST_RIP) + vmcs_get32(&p->vmcs, VM_EXIT_INSTRUCTION_LEN));
	/* Emulating the instruction ends any STI/MOV-SS blocking it ran in. */
	vmcs_clear_bits(&p->vmcs, GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);
}

/* The WRMSR at GUEST_RIP: EOI or IPI to the virtual interrupt controller. */
static void emulate_wrmsr(struct plain *p)
{
	uint64_t off;
	const struct vmx_insn *in = vmx_program_fetch(p->env.guest_mem->prog, vmcs_get(&p->vmcs, GUEST_RIP), &off);

	if (in && in->op == VMX_OP_EOI) {
		if (!(vmcs_get32(&p->vmcs, PIN_BASED_VM_EXEC_CONTROL) & PIN_BASED_EXT_INTR_MASK)) {
			/* The guest owns the local APIC's interrupts (no exiting): pass the EOI on. */
			vmx_lp_exec_root(p->env.lp, VMX_OP_EOI, 0, 0);
		} else {
			int v = highest(p->visr);
			if (v >= 0)
				bit_clear(p->visr, (unsigned)v);
			trace_decision(p, TRACE_HOST, "virtual-eoi", NULL, v, 0);
		}
	} else if (in && in->op == VMX_OP_IPI && p->env.virtual_ipi) {
		int vec = in->arg2 == VMX_IPI_NMI ? L0_NMI : (int)(in->arg2 & 0xff);
		p->env.virtual_ipi(p->env.machine, p->env.cpu, (uint32_t)in->arg, vec);
	}
	skip_instruction(p);
}

/* The host's NMI handler: it runs with NMIs blocked and ends with IRET (R16). */
static void host_nmi(struct plain *p)
{
	trace_decision(p, TRACE_HOST, "nmi", NULL, -1, 0);
	vmx_lp_spend(p->env.lp, p->host_cycles);
	vmx_lp_exec_root(p->env.lp, VMX_OP_IRET, 0, 0);
}

static void host_irq(struct plain *p, int vector)
{
	trace_decision(p, TRACE_HOST, "irq", vector == L0_KICK_VECTOR ? "kick" : NULL, vector, 0);
	vmx_lp_spend(p->env.lp, p->host_cycles);
	vmx_lp_exec_root(p->env.lp, VMX_OP_EOI, 0, 0);
}

/*
 * Between exits the host takes what reached its pins while it was busy,
 * as its IDT would with interrupts enabled: NMIs once the last NMI
 * handler's IRET unblocked them, then interrupts.
 */
static void service_host(struct plain *p)
{
	for (int guard = 0; guard < 64; guard++) {
		int vec;
		if (vmx_lp_host_take_nmi(p->env.lp)) {
			host_nmi(p);
			continue;
		}
		vec = vmx_lp_host_intr_ack(p->env.lp);
		if (vec < 0)
			break;
		host_irq(p, vec);
	}
}

static bool stop(struct plain *p, const char *why)
{
	trace_decision(p, TRACE_GUEST_STOP, NULL, why, -1, 0);
	return false;
}

static bool contributory(uint32_t info)
{
	uint8_t v = intr_info_vector(info);
	return intr_info_type(info) == INTR_TYPE_HARD_EXCEPTION &&
	       (v == DE_VECTOR || v == TS_VECTOR || v == NP_VECTOR || v == SS_VECTOR || v == GP_VECTOR);
}

/*
 * Give an intercepted exception back to the guest. If it hit while another
 * event was being delivered (IDT-vectoring valid), combine them as the
 * processor would have: an interrupt or NMI goes back to the queue and is
 * injected after the exception; two contributory exceptions (or a #PF and
 * a contributory one or #PF) make a #DF; anything on top of a #DF is a
 * triple fault.
 */
static bool reflect_exception(struct plain *p, uint32_t info, uint32_t error)
{
	uint32_t idt = vmcs_get32(&p->vmcs, IDT_VECTORING_INFO_FIELD);
	uint32_t first = intr_info_type(idt);
	bool first_pf = first == INTR_TYPE_HARD_EXCEPTION && intr_info_vector(idt) == PF_VECTOR;

	p->reflect_info = info;
	p->reflect_error = error;
	if (!intr_info_valid(idt))
		return true;
	if (first == INTR_TYPE_EXT_INTR) {
		bit_set(p->virr, intr_info_vector(idt));
		if (bit_test(p->visr, intr_info_vector(idt)))
			bit_clear(p->visr, intr_info_vector(idt));
	} else if (first == INTR_TYPE_NMI_INTR) {
		p->nmi_pending++;
		if (p->use_vnmi)
			vmcs_clear_bits(&p->vmcs, GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
	} else if (first == INTR_TYPE_HARD_EXCEPTION && intr_info_vector(idt) == DF_VECTOR) {
		return stop(p, "triple fault (exception during #DF delivery)");
	} else if ((contributory(idt) || first_pf) && (contributory(info) || intr_info_vector(info) == PF_VECTOR)) {
		p->reflect_info = intr_info_make(INTR_TYPE_HARD_EXCEPTION, DF_VECTOR, true);
		p->reflect_error = 0;
	}
	/* The interrupted event is accounted for: do not re-inject it from IDT-vectoring too. */
	p->idt_consumed = true;
	return true;
}

/* Handle the exit the processor just took. False: the guest cannot go on. */
static bool handle_exit(struct plain *p)
{
	struct vmcs *v = &p->vmcs;
	struct vmx_lp *lp = p->env.lp;
	uint32_t reason = vmcs_get32(v, VM_EXIT_REASON);
	uint32_t info = vmcs_get32(v, VM_EXIT_INTR_INFO);
	int vec;

	if (reason & VMX_EXIT_REASONS_FAILED_VMENTRY)
		return stop(p, "VM entry failed");
	vmx_lp_spend(lp, p->handler_cycles);
	switch (reason & VMX_EXIT_REASON_BASIC_MASK) {
	case EXIT_REASON_EXCEPTION_NMI:
		if (intr_info_type(info) == INTR_TYPE_NMI_INTR) {
			/* A host NMI: blocking by NMI is in effect (R22) until the handler's IRET. */
			host_nmi(p);
			break;
		}
		/* R17: the faulting IRET had unblocked NMIs: restore virtual-NMI blocking. */
		if ((info & INTR_INFO_UNBLOCK_NMI) && p->use_vnmi && !intr_info_valid(vmcs_get32(v, IDT_VECTORING_INFO_FIELD)))
			vmcs_set_bits(v, GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
		return reflect_exception(p, info & ~INTR_INFO_UNBLOCK_NMI, vmcs_get32(v, VM_EXIT_INTR_ERROR_CODE));
	case EXIT_REASON_EXTERNAL_INTERRUPT:
		/* R21: with acknowledge-on-exit the vector is in the exit information. */
		vec = intr_info_valid(info) ? intr_info_vector(info) : vmx_lp_host_intr_ack(lp);
		if (vec >= 0)
			host_irq(p, vec);
		break;
	case EXIT_REASON_INTERRUPT_WINDOW:
		set_window(p, CPU_BASED_INTR_WINDOW_EXITING, false, "irq-window-off", "window opened");
		break;
	case EXIT_REASON_NMI_WINDOW:
		set_window(p, CPU_BASED_NMI_WINDOW_EXITING, false, "nmi-window-off", "window opened");
		break;
	case EXIT_REASON_HLT:
		skip_instruction(p);
		vmcs_set(v, GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_HLT);
		break;
	case EXIT_REASON_VMCALL:
		skip_instruction(p);
		break;
	case EXIT_REASON_MSR_WRITE:
		emulate_wrmsr(p);
		break;
	case EXIT_REASON_EPT_VIOLATION:
		p->env.guest_mem->stack_not_present = false;
		trace_decision(p, TRACE_HOST, "ept-map", "guest stack page mapped", -1, 0);
		/* R17 for EPT violations: qualification bit 12. */
		if ((vmcs_get(v, EXIT_QUALIFICATION) & 0x1000u) && p->use_vnmi &&
		    !intr_info_valid(vmcs_get32(v, IDT_VECTORING_INFO_FIELD)))
			vmcs_set_bits(v, GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
		break;
	case EXIT_REASON_MONITOR_TRAP_FLAG:
		vmcs_clear_bits(v, CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_MONITOR_TRAP_FLAG);
		break;
	case EXIT_REASON_PREEMPTION_TIMER:
		vmcs_clear_bits(v, PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VMX_PREEMPTION_TIMER);
		vmcs_clear_bits(v, VM_EXIT_CONTROLS, VM_EXIT_SAVE_VMX_PREEMPTION_TIMER);
		break;
	case EXIT_REASON_TRIPLE_FAULT:
		return stop(p, "triple fault");
	default:
		/* VMX instructions and anything else the guest may not do: #UD. */
		p->reflect_info = intr_info_make(INTR_TYPE_HARD_EXCEPTION, UD_VECTOR, false);
		p->reflect_error = 0;
		break;
	}
	return true;
}

static void inject(struct plain *p, uint32_t info, uint32_t error, uint32_t len, const char *what, int vector,
                   const char *why)
{
	vmcs_set(&p->vmcs, VM_ENTRY_INTR_INFO_FIELD, info);
	vmcs_set(&p->vmcs, VM_ENTRY_EXCEPTION_ERROR_CODE, error);
	vmcs_set(&p->vmcs, VM_ENTRY_INSTRUCTION_LEN, len);
	trace_decision(p, TRACE_INJECT, what, why, vector, info);
}

/* Choose what to inject at this entry, or which window to ask for. */
static void inject_events(struct plain *p)
{
	struct vmcs *v = &p->vmcs;
	uint32_t idt = vmcs_get32(v, IDT_VECTORING_INFO_FIELD);
	uint32_t intr = vmcs_get32(v, GUEST_INTERRUPTIBILITY_INFO);
	bool shadow = (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)) != 0;
	bool if1 = (vmcs_get(v, GUEST_RFLAGS) & X86_EFLAGS_IF) != 0;
	bool injected = false;
	int irq;

	if (p->launched && intr_info_valid(idt) && !p->idt_consumed) {
		/* R20: re-inject what the exit interrupted. */
		uint32_t type = intr_info_type(idt);
		if (type == INTR_TYPE_NMI_INTR && p->use_vnmi)
			vmcs_clear_bits(v, GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);   /* R10b */
		inject(p, idt & ~INTR_INFO_UNBLOCK_NMI, vmcs_get32(v, IDT_VECTORING_ERROR_CODE),
		       vmcs_get32(v, VM_EXIT_INSTRUCTION_LEN), intr_type_name(type), intr_info_vector(idt), "reinjected");
		injected = true;
	} else if (p->reflect_info) {
		inject(p, p->reflect_info, p->reflect_error, 0, intr_type_name(intr_info_type(p->reflect_info)),
		       intr_info_vector(p->reflect_info), "reflected");
		injected = true;
	}
	p->reflect_info = 0;
	p->idt_consumed = false;

	if (p->nmi_pending) {
		bool blocked = (intr & GUEST_INTR_STATE_MOV_SS) ||
		               ((intr & GUEST_INTR_STATE_STI) && p->env.lp->model.nmi_inject_fails_with_sti) ||
		               (p->use_vnmi && (intr & GUEST_INTR_STATE_NMI));
		if (!injected && !blocked) {
			p->nmi_pending--;
			inject(p, intr_info_make(INTR_TYPE_NMI_INTR, NMI_VECTOR, false), 0, 0, "nmi", NMI_VECTOR, NULL);
			injected = true;
		} else if (p->use_vnmi) {
			trace_decision(p, TRACE_DEFER, "nmi", injected ? "another event is being injected" :
			               (intr & GUEST_INTR_STATE_NMI) ? "virtual-NMI blocking" : "STI/MOV-SS blocking", -1, 0);
			set_window(p, CPU_BASED_NMI_WINDOW_EXITING, true, "nmi-window-on", "NMI pending");
		} else {
			/* R4: no NMI-window exiting without virtual NMIs; the interrupt window must do. */
			trace_decision(p, TRACE_DEFER, "nmi", injected ? "another event is being injected" : "MOV-SS blocking",
			               -1, 0);
			set_window(p, CPU_BASED_INTR_WINDOW_EXITING, true, "irq-window-on", "NMI pending, no virtual NMIs");
		}
	}

	irq = virr_deliverable(p);
	if (irq >= 0) {
		if (!injected && if1 && !shadow) {
			bit_clear(p->virr, (unsigned)irq);
			bit_set(p->visr, (unsigned)irq);
			inject(p, intr_info_make(INTR_TYPE_EXT_INTR, (uint8_t)irq, false), 0, 0, "ext-intr", irq, NULL);
		} else {
			trace_decision(p, TRACE_DEFER, "irq", injected ? "another event is being injected" :
			               !if1 ? "RFLAGS.IF = 0" : "STI/MOV-SS blocking", irq, 0);
			set_window(p, CPU_BASED_INTR_WINDOW_EXITING, true, "irq-window-on", "interrupt pending");
		}
	}
}

static bool plain_run_root(void *inst)
{
	struct plain *p = inst;
	struct vmx_lp *lp = p->env.lp;
	enum vmx_entry_status s;

	if (!p->launched) {
		setup_vmcs(p);
		if (vmx_lp_vmptrld(lp, &p->vmcs) != VMX_SUCCEED)
			return stop(p, "VMPTRLD failed");
	} else if (!handle_exit(p)) {
		return false;
	}
	service_host(p);
	inject_events(p);
	s = vmx_lp_vmentry(lp, !p->launched);
	p->launched = true;
	switch (s) {
	case VMX_ENTRY_OK:
		return true;
	case VMX_ENTRY_FAIL_INVALID:
		return stop(p, "VMfailInvalid");
	case VMX_ENTRY_FAIL_VALID:
		return stop(p, vmx_insn_error_text((int)vmcs_get32(&p->vmcs, VM_INSTRUCTION_ERROR)));
	case VMX_ENTRY_FAILED:
		return stop(p, "VM-entry failure (exit reason bit 31)");
	}
	return false;
}

const struct l0_variant l0_plain = {
	.name = "plain",
	.summary = "a minimal root hypervisor: queues guest events, injects when the guest can take them, "
	           "re-injects interrupted deliveries",
	.switches = plain_switches,
	.create = plain_create,
	.destroy = plain_destroy,
	.guest_event = plain_guest_event,
	.run_root = plain_run_root,
};
