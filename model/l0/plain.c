/* SPDX-License-Identifier: Apache-2.0 */
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
 *  - EOI and IPI (WRMSR exits) go to the virtual interrupt controller, which
 *    has no timer: a guest's timer MSRs are refused (not modelled); with
 *    "use MSR bitmaps" set by the scenario, the bitmap is the scenario's
 *    (zero but for its `msr-bitmap intercept` lines), so what it lets
 *    through reaches the processor's own local APIC;
 *  - MOV to CR8 exits (CR8-load exiting), so the guest's TPR is its virtual
 *    interrupt controller's, not the host's; port I/O, MOV to CR3, PAUSE,
 *    CPUID (without VMX) and RDTSC exits are emulated (l0_emulate_insn_exit);
 *  - HLT exits are emulated by re-entering in the HLT activity state;
 *  - MTF and preemption-timer exits are one-shot: the control is cleared;
 *  - EPT violations on the guest stack map the page;
 *  - an instruction it emulates with RFLAGS.TF = 1 owes its single-step
 *    trap: BS in the pending-debug-exceptions field (single_step_owed); the
 *    guest's MOV DR and DR7 breakpoints run on the processor, or, with
 *    MOV-DR exiting set by the scenario, plain emulates the MOV DR as the
 *    processor runs it (emulate_mov_dr); a #DB it reflects writes DR6
 *    first (R12, R24);
 *  - a machine check at the host's processor is the host's in root
 *    operation and when it exits (bit 18 of the scenario's bitmap);
 *    otherwise the processor gives it to the guest (R24 level 1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/l0/l0_common.h"
#include "vmcs/x86_debugreg.h"
#include "vmcs/x86_mcg.h"

struct plain {
	struct l0_base b;
	bool use_vnmi;                /* guest runs with virtual NMIs */
	uint32_t nmi_pending;         /* virtual NMIs waiting */
	uint32_t reflect_info;        /* exception to reflect, or 0 */
	uint32_t reflect_error;
	bool idt_consumed;            /* this exit's IDT-vectoring event was requeued elsewhere */
};

static const struct l0_switch_desc plain_switches[] = {
	{"handler-cycles", "cycles the hypervisor spends on one VM exit (default 400)"},
	{"host-cycles", "cycles a host NMI or interrupt handler takes (default 300)"},
	{"vnmi", "use virtual NMIs when the CPU has them (default on; -vnmi turns it off)"},
	{NULL, NULL},
};

static void *plain_create(const struct l0_env *env, char *err, size_t errlen)
{
	struct plain *p = l0_instance_new(sizeof(*p), env, err, errlen);

	if (!p)
		return NULL;
	p->use_vnmi = vmx_caps_allows(&env->lp->model.caps, VMX_CTL_PIN, PIN_BASED_VIRTUAL_NMIS);
	for (uint32_t i = 0; i < env->nswitches; i++)
		if (!strcmp(env->switches[i].name, "vnmi") && !strcmp(env->switches[i].value, "off"))
			p->use_vnmi = false;
	return p;
}

static void plain_destroy(void *inst)
{
	free(inst);
}

static bool plain_guest_event(void *inst, int vector, const char *via)
{
	struct plain *p = inst;

	(void)via;
	if (vector == L0_NMI)
		p->nmi_pending++;
	else if (!vlapic_set_irr(&p->b.apic, (uint8_t)vector))
		l0_trace(&p->b, TRACE_DEFER, "what", "irq", "vector already pending in the virtual IRR: coalesced", vector,
		         0);
	return p->b.env.lp->non_root;
}

/*
 * The guest's instruction, emulated, is done: the single-step trap it owes
 * (it began with RFLAGS.TF = 1 and IA32_DEBUGCTL.BTF = 0: none of these
 * instructions branches) goes into the pending-debug-exceptions field as
 * BS, as the SDM advises a VMM that emulates an instruction (Vol. 3C
 * "Virtualization of System Resources", "Debug Exceptions"): the processor
 * then takes it at its priority after the entry (R12, R24), or the entry
 * loses it if it injects an event.
 */
static bool single_step_owed(const struct plain *p, uint64_t rflags)
{
	const struct vmcs *v = &p->b.vmcs;
	bool btf = (vmcs_get32(v, VM_ENTRY_CONTROLS) & VM_ENTRY_LOAD_DEBUG_CONTROLS) &&
	           (vmcs_get(v, GUEST_IA32_DEBUGCTL) & DEBUGCTLMSR_BTF);

	return (rflags & X86_EFLAGS_TF) && !btf;
}

/* Skip the emulated instruction; `owed`: it began with a single-step trap to take after it. */
static void skip_owing(struct plain *p, bool owed)
{
	l0_skip_instruction(&p->b);
	if (owed)
		vmcs_set_bits(&p->b.vmcs, GUEST_PENDING_DBG_EXCEPTIONS, PENDING_DBG_BS);
}

static void skip(struct plain *p)
{
	skip_owing(p, single_step_owed(p, vmcs_get(&p->b.vmcs, GUEST_RFLAGS)));
}

static bool refuse_at(struct plain *p, const struct vmx_insn *in, const char *why)
{
	l0_refuse(&p->b, in ? in->line : 0, why);
	return false;
}

/*
 * The guest's IA32_DEBUGCTL lives in GUEST_IA32_DEBUGCTL, which the entry
 * loads with the load-debug-controls control: a WRMSR puts the value there
 * as the processor would take it (#GP(0) for a reserved bit), a RDMSR reads
 * it back. Whether the WRMSR owes a single-step trap is decided with the
 * BTF it found (SDM Vol. 3B "Single-Stepping on Branches": the trap follows
 * an instruction that began with TF set, and a WRMSR is no branch).
 */
static bool emulate_debugctl(struct plain *p, const struct vmx_insn *in)
{
	struct vmcs *v = &p->b.vmcs;
	bool owed = single_step_owed(p, vmcs_get(v, GUEST_RFLAGS));
	uint64_t value;

	if (!(vmcs_get32(v, VM_ENTRY_CONTROLS) & VM_ENTRY_LOAD_DEBUG_CONTROLS))
		return refuse_at(p, in,
		                  "IA32_DEBUGCTL of a guest of 'plain' entered without the load-debug-controls entry "
		                  "control ('plain' keeps the register in GUEST_IA32_DEBUGCTL, which only that control "
		                  "loads)");
	if (in->op == VMX_OP_RDMSR) {
		v->guest->gpr[VMX_REG_NUM(in->dst) % X86_NGPR] = vmcs_get(v, GUEST_IA32_DEBUGCTL);
	} else {
		value = l0_wrmsr_value(&p->b, in);
		if (value & DEBUGCTL_RESERVED) {
			p->reflect_info = intr_info_make(INTR_TYPE_HARD_EXCEPTION, GP_VECTOR, true);
			p->reflect_error = 0;
			return true;
		}
		if ((value & (DEBUGCTL_TR | DEBUGCTL_BTS)) == (DEBUGCTL_TR | DEBUGCTL_BTS))
			return refuse_at(p, in, DEBUGCTL_BTS_NOT_MODELLED);
		vmcs_set(v, GUEST_IA32_DEBUGCTL, value);
	}
	skip_owing(p, owed);
	return true;
}

/*
 * An MSR access that exits to `plain` and is not the local APIC's or
 * IA32_DEBUGCTL: a machine-check MSR, for which it keeps no state of the
 * guest's own (it gives its guest no machine check). False: refused.
 */
static bool msr_emulated(struct plain *p, const struct vmx_insn *in)
{
	if (in && (in->op == VMX_OP_RDMSR || in->op == VMX_OP_WRMSR) &&
	    (vmx_insn_msr(in) == MSR_IA32_MCG_STATUS || x86_msr_is_mca_bank(vmx_insn_msr(in))))
		return refuse_at(p, in,
		                  "the machine-check MSRs of a guest of 'plain' (it keeps no machine-check state for its "
		                  "guest; an MSR bitmap that lets IA32_MCG_STATUS through gives it the processor's)");
	return true;
}

/* The WRMSR at GUEST_RIP: EOI or IPI to the virtual interrupt controller, or IA32_DEBUGCTL. False: refused. */
static bool emulate_wrmsr(struct plain *p)
{
	const struct vmx_insn *in = l0_guest_insn(&p->b);

	if (l0_refuse_apic_timer(&p->b, "plain") || !msr_emulated(p, in))
		return false;
	if (in && in->op == VMX_OP_WRMSR && vmx_insn_msr(in) == MSR_IA32_DEBUGCTL)
		return emulate_debugctl(p, in);
	if (in && in->op == VMX_OP_EOI) {
		if (!(vmcs_get32(&p->b.vmcs, PIN_BASED_VM_EXEC_CONTROL) & PIN_BASED_EXT_INTR_MASK))
			/* The guest owns the local APIC's interrupts (no exiting): pass the EOI on. */
			vmx_lp_exec_root(p->b.env.lp, VMX_OP_EOI, 0, 0);
		else
			l0_trace(&p->b, TRACE_HOST, "type", "virtual-eoi", NULL, vlapic_eoi(&p->b.apic), 0);
	} else if (in && in->op == VMX_OP_IPI) {
		l0_forward_ipi(&p->b, in);
	}
	skip(p);
	return true;
}

static void reflect_fault(struct plain *p, uint8_t vector, bool has_error)
{
	p->reflect_info = intr_info_make(INTR_TYPE_HARD_EXCEPTION, vector, has_error);
	p->reflect_error = 0;
}

/*
 * A MOV DR under MOV-DR exiting (exit 29; its qualification: the register
 * in 2:0, the direction in bit 4, the general register in 11:8). The exit
 * comes before the instruction's own faults (SDM 26.1.3), so plain raises
 * them as the processor would, in its order (R12): #UD for DR4/DR5 with
 * CR4.DE (without it they are DR6/DR7), general detect - a #DB fault with
 * DR6.BD, GD cleared as the processor clears it entering the handler - and
 * #GP(0) for bits 63:32 of a DR6/DR7 value. Else the access: DR0-DR3 and
 * DR6 are the processor's own (entries and exits do not switch them), DR7
 * is GUEST_DR7, which the entry loads with the debug controls. The RIP of a
 * fault stays at the MOV.
 */
static bool emulate_mov_dr(struct plain *p)
{
	struct vmcs *v = &p->b.vmcs;
	struct vmx_lp *lp = p->b.env.lp;
	const struct vmx_insn *in = l0_guest_insn(&p->b);
	uint64_t q = vmcs_get(v, EXIT_QUALIFICATION), dr7 = vmcs_get(v, GUEST_DR7), value;
	uint64_t *reg = &v->guest->gpr[(q >> 8) & 0xfu];
	unsigned dr = (unsigned)(q & 0x7u);
	bool owed = single_step_owed(p, vmcs_get(v, GUEST_RFLAGS));

	if (dr == 4 || dr == 5) {
		if (vmcs_get(v, GUEST_CR4) & X86_CR4_DE) {
			reflect_fault(p, UD_VECTOR, false);
			return true;
		}
		dr += 2;
	}
	if (dr7 & DR7_GD) {
		vmx_lp_set_debugreg(lp, 6, lp->dr6 | DR6_BD);
		vmcs_set(v, GUEST_DR7, dr7 & ~(uint64_t)DR7_GD);
		reflect_fault(p, DB_VECTOR, false);
		return true;
	}
	if (q & 0x10u) {   /* MOV from DRn */
		*reg = dr < 4 ? lp->dr[dr] : dr == 6 ? lp->dr6 : dr7;
	} else {
		const char *why;
		value = *reg;
		if (dr >= 6 && (value & DR_UPPER_RESERVED)) {
			reflect_fault(p, GP_VECTOR, true);
			return true;
		}
		if (dr == 7) {
			if ((why = dr7_not_modelled(value, lp->dr, vmcs_get(v, GUEST_CR4))))
				return refuse_at(p, in, why);
			vmcs_set(v, GUEST_DR7, (value & DR7_WRITABLE) | DR7_FIXED_1);
		} else {
			if (dr < 4 && (why = dr7_not_modelled_with_dr(dr7, lp->dr, dr, value, vmcs_get(v, GUEST_CR4))))
				return refuse_at(p, in, why);
			vmx_lp_set_debugreg(lp, dr, value);
		}
	}
	skip_owing(p, owed);
	return true;
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
	uint32_t idt = vmcs_get32(&p->b.vmcs, IDT_VECTORING_INFO_FIELD);
	uint32_t first = intr_info_type(idt);
	bool first_pf = first == INTR_TYPE_HARD_EXCEPTION && intr_info_vector(idt) == PF_VECTOR;

	p->reflect_info = info;
	p->reflect_error = error;
	if (!intr_info_valid(idt))
		return true;
	if (first == INTR_TYPE_EXT_INTR) {
		vlapic_requeue(&p->b.apic, intr_info_vector(idt));
	} else if (first == INTR_TYPE_NMI_INTR) {
		p->nmi_pending++;
		if (p->use_vnmi)
			vmcs_clear_bits(&p->b.vmcs, GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
	} else if (first == INTR_TYPE_HARD_EXCEPTION && intr_info_vector(idt) == DF_VECTOR) {
		l0_guest_stop(&p->b, "triple fault (exception during #DF delivery)");
		return false;
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
	struct vmcs *v = &p->b.vmcs;
	struct vmx_lp *lp = p->b.env.lp;
	uint32_t reason = vmcs_get32(v, VM_EXIT_REASON);
	uint32_t info = vmcs_get32(v, VM_EXIT_INTR_INFO);

	if (reason & VMX_EXIT_REASONS_FAILED_VMENTRY) {
		l0_guest_stop(&p->b, "VM entry failed");
		return false;
	}
	vmx_lp_spend(lp, p->b.handler_cycles);
	if (l0_handle_host_exit(&p->b, reason & VMX_EXIT_REASON_BASIC_MASK, info))
		return true;   /* the host's NMI or interrupt */
	switch (reason & VMX_EXIT_REASON_BASIC_MASK) {
	case EXIT_REASON_EXCEPTION_NMI:
		/* A machine check at the host's processor (bit 18 of the scenario's bitmap): the host's, never reflected. */
		if (intr_info_vector(info) == MC_VECTOR && intr_info_type(info) == INTR_TYPE_HARD_EXCEPTION) {
			l0_host_machine_check(&p->b, "plain: the host's #MC handler; the guest is not told");
			break;
		}
		/* R17: the faulting IRET had unblocked NMIs: restore virtual-NMI blocking. */
		if ((info & INTR_INFO_UNBLOCK_NMI) && p->use_vnmi && !intr_info_valid(vmcs_get32(v, IDT_VECTORING_INFO_FIELD)))
			vmcs_set_bits(v, GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
		/*
		 * A #DB that exits leaves DR6 alone (its conditions are in the
		 * qualification); delivered, it would have written them there, so
		 * plain does before it reflects it (R12, R24).
		 */
		if (intr_info_vector(info) == DB_VECTOR && intr_info_type(info) == INTR_TYPE_HARD_EXCEPTION)
			vmx_lp_set_debugreg(p->b.env.lp, 6,
			                    (p->b.env.lp->dr6 & ~(uint64_t)DR6_B0_B3) |
			                        (vmcs_get(v, EXIT_QUALIFICATION) & DR6_WRITABLE));
		return reflect_exception(p, info & ~INTR_INFO_UNBLOCK_NMI, vmcs_get32(v, VM_EXIT_INTR_ERROR_CODE));
	case EXIT_REASON_INTERRUPT_WINDOW:
		l0_set_window(&p->b, CPU_BASED_INTR_WINDOW_EXITING, false, "irq-window-off", "window opened");
		break;
	case EXIT_REASON_NMI_WINDOW:
		l0_set_window(&p->b, CPU_BASED_NMI_WINDOW_EXITING, false, "nmi-window-off", "window opened");
		break;
	case EXIT_REASON_HLT:
		skip(p);
		vmcs_set(v, GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_HLT);
		break;
	case EXIT_REASON_VMCALL:
		skip(p);
		break;
	case EXIT_REASON_DR_ACCESS:
		return emulate_mov_dr(p);
	case EXIT_REASON_MSR_WRITE:
		return emulate_wrmsr(p);
	case EXIT_REASON_MSR_READ: {
		const struct vmx_insn *in = l0_guest_insn(&p->b);

		if (l0_refuse_apic_timer(&p->b, "plain") || !msr_emulated(p, in))
			return false;
		if (in && vmx_insn_msr(in) == MSR_IA32_DEBUGCTL)
			return emulate_debugctl(p, in);
		/* The plain hypervisor offers its guest no VMX: the capability MSRs do not exist (#GP(0)). */
		p->reflect_info = intr_info_make(INTR_TYPE_HARD_EXCEPTION, GP_VECTOR, true);
		p->reflect_error = 0;
		break;
	}
	case EXIT_REASON_EPT_VIOLATION:
		l0_handle_ept_violation(&p->b, p->use_vnmi);
		break;
	case EXIT_REASON_MONITOR_TRAP_FLAG:
		vmcs_clear_bits(v, CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_MONITOR_TRAP_FLAG);
		break;
	case EXIT_REASON_PREEMPTION_TIMER:
		vmcs_clear_bits(v, PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VMX_PREEMPTION_TIMER);
		vmcs_clear_bits(v, VM_EXIT_CONTROLS, VM_EXIT_SAVE_VMX_PREEMPTION_TIMER);
		break;
	case EXIT_REASON_TRIPLE_FAULT:
		l0_guest_stop(&p->b, "triple fault");
		return false;
	default: {
		uint32_t exc;
		bool owed = single_step_owed(p, vmcs_get(v, GUEST_RFLAGS));

		if (l0_emulate_insn_exit(&p->b, reason & VMX_EXIT_REASON_BASIC_MASK, false, &exc)) {
			p->reflect_info = exc;   /* #GP(0) for a reserved CR bit, else nothing */
			p->reflect_error = 0;
			if (owed && !exc && (reason & VMX_EXIT_REASON_BASIC_MASK) != EXIT_REASON_TPR_BELOW_THRESHOLD)
				vmcs_set_bits(v, GUEST_PENDING_DBG_EXCEPTIONS, PENDING_DBG_BS);
			break;
		}
		/* VMX instructions and anything else the guest may not do: #UD. */
		p->reflect_info = intr_info_make(INTR_TYPE_HARD_EXCEPTION, UD_VECTOR, false);
		p->reflect_error = 0;
		break;
	}
	}
	return true;
}

static void inject(struct plain *p, uint32_t info, uint32_t error, uint32_t len, int vector, const char *why)
{
	vmcs_set(&p->b.vmcs, VM_ENTRY_INTR_INFO_FIELD, info);
	vmcs_set(&p->b.vmcs, VM_ENTRY_EXCEPTION_ERROR_CODE, error);
	vmcs_set(&p->b.vmcs, VM_ENTRY_INSTRUCTION_LEN, len);
	l0_trace(&p->b, TRACE_INJECT, "type", intr_type_name(intr_info_type(info)), why, vector, info);
}

/* Choose what to inject at this entry, or which window to ask for. */
static void inject_events(struct plain *p)
{
	struct vmcs *v = &p->b.vmcs;
	uint32_t idt = vmcs_get32(v, IDT_VECTORING_INFO_FIELD);
	uint32_t intr = vmcs_get32(v, GUEST_INTERRUPTIBILITY_INFO);
	bool shadow = (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)) != 0;
	bool if1 = (vmcs_get(v, GUEST_RFLAGS) & X86_EFLAGS_IF) != 0;
	bool injected = false;
	int irq;

	if (p->b.launched && intr_info_valid(idt) && !p->idt_consumed) {
		/* R20: re-inject what the exit interrupted. */
		if (intr_info_type(idt) == INTR_TYPE_NMI_INTR && p->use_vnmi)
			vmcs_clear_bits(v, GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);   /* R10b */
		inject(p, idt & ~INTR_INFO_UNBLOCK_NMI, vmcs_get32(v, IDT_VECTORING_ERROR_CODE),
		       vmcs_get32(v, VM_EXIT_INSTRUCTION_LEN), intr_info_vector(idt), "reinjected");
		injected = true;
	} else if (p->reflect_info) {
		inject(p, p->reflect_info, p->reflect_error, 0, intr_info_vector(p->reflect_info), "reflected");
		injected = true;
	}
	p->reflect_info = 0;
	p->idt_consumed = false;

	if (p->nmi_pending) {
		bool blocked = (intr & GUEST_INTR_STATE_MOV_SS) ||
		               ((intr & GUEST_INTR_STATE_STI) && p->b.env.lp->model.nmi_inject_fails_with_sti) ||
		               (p->use_vnmi && (intr & GUEST_INTR_STATE_NMI));
		if (!injected && !blocked) {
			p->nmi_pending--;
			inject(p, intr_info_make(INTR_TYPE_NMI_INTR, NMI_VECTOR, false), 0, 0, NMI_VECTOR, NULL);
			injected = true;
		} else if (p->use_vnmi) {
			l0_trace(&p->b, TRACE_DEFER, "what", "nmi", injected ? "another event is being injected" :
			         (intr & GUEST_INTR_STATE_NMI) ? "virtual-NMI blocking" : "STI/MOV-SS blocking", -1, 0);
			l0_set_window(&p->b, CPU_BASED_NMI_WINDOW_EXITING, true, "nmi-window-on", "NMI pending");
		} else {
			/* R4: no NMI-window exiting without virtual NMIs; the interrupt window must do. */
			l0_trace(&p->b, TRACE_DEFER, "what", "nmi", injected ? "another event is being injected" :
			         "MOV-SS blocking", -1, 0);
			l0_set_window(&p->b, CPU_BASED_INTR_WINDOW_EXITING, true, "irq-window-on",
			              "NMI pending, no virtual NMIs");
		}
	}

	irq = vlapic_pending(&p->b.apic);
	if (irq >= 0) {
		if (!injected && if1 && !shadow) {
			inject(p, intr_info_make(INTR_TYPE_EXT_INTR, vlapic_ack(&p->b.apic), false), 0, 0, irq, NULL);
		} else {
			l0_trace(&p->b, TRACE_DEFER, "what", "irq", injected ? "another event is being injected" :
			         !if1 ? "RFLAGS.IF = 0" : "STI/MOV-SS blocking", irq, 0);
			l0_set_window(&p->b, CPU_BASED_INTR_WINDOW_EXITING, true, "irq-window-on", "interrupt pending");
		}
	}
}

static enum l0_status plain_run_root(void *inst)
{
	struct plain *p = inst;

	if (!p->b.launched) {
		l0_setup_vmcs(&p->b, PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING |
		              (p->use_vnmi ? PIN_BASED_VIRTUAL_NMIS : 0u), CPU_BASED_CR8_LOAD_EXITING,
		              VM_EXIT_ACK_INTR_ON_EXIT);
		p->use_vnmi = (vmcs_get32(&p->b.vmcs, PIN_BASED_VM_EXEC_CONTROL) & PIN_BASED_VIRTUAL_NMIS) != 0;
	} else if (l0_service_host_nmis(&p->b), !handle_exit(p)) {
		return L0_STOPPED;
	}
	if (!l0_service_host(&p->b))
		return L0_STOPPED;
	inject_events(p);
	return l0_enter(&p->b);
}

/* plain keeps no time of its own: counts of queued events, flags. */
static void plain_time_shift(const void *inst, struct time_shift *t)
{
	l0_base_time_shift(&((const struct plain *)inst)->b, t);
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
	.time_shift = plain_time_shift,
	/* TF and the pending-debug field (single_step_owed); MOV DR and DR7 on the processor, or emulate_mov_dr. */
	.follows_guest_debug = true,
	.follows_debugregs = L0_FOLLOWS_MOV_DR | L0_FOLLOWS_DR7 | L0_FOLLOWS_BTF,
	/*
	 * Machine checks at the host's processor: in root operation the host's
	 * handler (l0_service_host); while the guest runs, the processor decides
	 * by the scenario's exception bitmap - an #MC exit is the host's, else
	 * the guest's IDT takes it, as under kvm-2008.
	 */
	.takes_host_machine_checks = true,
};
