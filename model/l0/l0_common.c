/* SPDX-License-Identifier: Apache-2.0 */
/*
 * l0_common.c - shared hypervisor helpers (see l0_common.h).
 */
#include "model/l0/l0_common.h"

#include "vmcs/x86_cr.h"
#include "vmcs/x86_debugreg.h"
#include "vmcs/x86_mcg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool l0_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return false;
	v = strtoull(s, &end, 0);
	if (*end)
		return false;
	*out = v;
	return true;
}

bool l0_base_init(struct l0_base *b, const struct l0_env *env, char *err, size_t errlen)
{
	b->env = *env;
	b->loaded = &b->vmcs;
	b->handler_cycles = 400;
	b->host_cycles = 300;
	for (uint32_t i = 0; i < env->nswitches; i++) {
		const struct l0_switch *s = &env->switches[i];
		uint64_t *dst = !strcmp(s->name, "handler-cycles") ? &b->handler_cycles
		                : !strcmp(s->name, "host-cycles") ? &b->host_cycles : NULL;
		if (dst && !l0_parse_u64(s->value, dst)) {
			snprintf(err, errlen, "switch '%s' needs a number, not '%s'", s->name, s->value);
			return false;
		}
	}
	msr_bitmap_intercept(&b->msr_bitmap, env->msr_intercepts, env->nmsr_intercepts);
	/* Every exit costs something, so time always moves forward. */
	if (b->handler_cycles == 0)
		b->handler_cycles = 1;
	return true;
}

void *l0_instance_new(size_t size, const struct l0_env *env, char *err, size_t errlen)
{
	struct l0_base *b = calloc(1, size);

	if (!b) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!l0_base_init(b, env, err, errlen)) {
		free(b);
		return NULL;
	}
	b->size = size;
	return b;
}

size_t l0_instance_size(const void *inst)
{
	return ((const struct l0_base *)inst)->size;
}

void l0_instance_fixed(const void *inst, size_t *offset, size_t *len)
{
	(void)inst;   /* every instance begins with its struct l0_base */
	*offset = offsetof(struct l0_base, msr_bitmap);
	*len = sizeof(((const struct l0_base *)0)->msr_bitmap);
}

void l0_instance_cold(const void *inst, size_t *offset, size_t *len, const uint64_t **stamp)
{
	const struct l0_base *b = inst;

	*offset = b->cold_offset;
	*len = b->cold_len;
	*stamp = &b->cold_stamp;
}

void l0_forward_ipi(struct l0_base *b, const struct vmx_insn *in)
{
	int vec = in->arg2 == VMX_IPI_NMI ? L0_NMI : (int)(in->arg2 & 0xff);

	/* INIT and SIPI to a vCPU are not modelled under an L0: the scenario is refused before it runs. */
	if ((in->arg2 & VMX_IPI_MODE_MASK) == VMX_IPI_INIT || (in->arg2 & VMX_IPI_MODE_MASK) == VMX_IPI_SIPI)
		return;
	if (b->env.virtual_ipi)
		b->env.virtual_ipi(b->env.machine, b->env.cpu, (uint32_t)in->arg, vec);
}

void l0_handle_ept_violation(struct l0_base *b, bool virtual_nmis)
{
	struct vmcs *v = b->loaded;

	v->guest->stack_not_present = false;
	l0_trace(b, TRACE_HOST, "type", "ept-map", "guest stack page mapped", -1, 0);
	if ((vmcs_get(v, EXIT_QUALIFICATION) & 0x1000u) && virtual_nmis &&
	    !intr_info_valid(vmcs_get32(v, IDT_VECTORING_INFO_FIELD)))
		vmcs_set_bits(v, GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
}

void l0_trace(struct l0_base *b, enum trace_kind k, const char *key, const char *val, const char *why, int vector,
              uint32_t info)
{
	struct trace_event ev;

	if (!trace_bus_begin(b->env.bus, k, b->env.lp->cycle))
		return;
	trace_event_init(&ev, b->env.lp->cycle, b->env.cpu, 0, k);
	if (val)
		trace_add_str(&ev, key, val);
	if (vector >= 0)
		trace_add_uint(&ev, "vector", (uint64_t)vector);
	if (info)
		trace_add_hex32(&ev, "intr_info", info);
	if (why)
		trace_add_str(&ev, "why", why);
	trace_bus_emit(b->env.bus, &ev);
}

void l0_trace_differs(struct l0_base *b, const char *type, int vector, const char *differs)
{
	struct trace_event ev;

	if (!trace_bus_begin(b->env.bus, TRACE_HOST, b->env.lp->cycle))
		return;
	trace_event_init(&ev, b->env.lp->cycle, b->env.cpu, 0, TRACE_HOST);
	trace_add_str(&ev, "type", type);
	if (vector >= 0)
		trace_add_uint(&ev, "vector", (uint64_t)vector);
	trace_add_str(&ev, "differs", differs);
	trace_bus_emit(b->env.bus, &ev);
}

void l0_setup_vmcs(struct l0_base *b, uint32_t pin, uint32_t proc, uint32_t exit)
{
	const struct vmx_lp *lp = b->env.lp;

	vmcs_setup(&b->vmcs, &lp->model.caps, lp->model.revision_id, pin, proc, exit, b->env.guest_entry, L0_HOST_RIP,
	           b->env.vmcs_writes, b->env.nvmcs_writes);
	b->vmcs.guest = b->env.guest_mem;
	b->vmcs.msr_bitmap = &b->msr_bitmap;
	/*
	 * The host kernel runs with machine checks enabled (Linux's
	 * mcheck_cpu_init sets CR4.MCE), and KVM's HOST_CR4 is the CR4 it runs
	 * with (vmx_set_constant_host_state): the processor's CR4 from here and
	 * after every exit.
	 */
	vmcs_set_bits(&b->vmcs, HOST_CR4, X86_CR4_MCE);
	b->env.lp->cr4 |= X86_CR4_MCE;
}

bool l0_set_window(struct l0_base *b, uint32_t bit, bool on, const char *what, const char *why)
{
	bool was = (vmcs_get32(b->loaded, CPU_BASED_VM_EXEC_CONTROL) & bit) != 0;

	if (was == on)
		return false;
	if (on)
		vmcs_set_bits(b->loaded, CPU_BASED_VM_EXEC_CONTROL, bit);
	else
		vmcs_clear_bits(b->loaded, CPU_BASED_VM_EXEC_CONTROL, bit);
	l0_trace(b, TRACE_WINDOW, "what", what, why, -1, 0);
	return true;
}

void l0_skip_instruction(struct l0_base *b)
{
	vmcs_set(b->loaded, GUEST_RIP, vmcs_get(b->loaded, GUEST_RIP) + vmcs_get32(b->loaded, VM_EXIT_INSTRUCTION_LEN));
	vmcs_clear_bits(b->loaded, GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);
}

const struct vmx_insn *l0_guest_insn(struct l0_base *b)
{
	uint64_t off;
	return vmx_program_fetch(b->loaded->guest->prog, vmcs_get(b->loaded, GUEST_RIP), &off);
}

uint64_t l0_wrmsr_value(const struct l0_base *b, const struct vmx_insn *in)
{
	return in->src ? b->loaded->guest->gpr[VMX_REG_NUM(in->src) % X86_NGPR] : in->arg2;
}

bool l0_emulate_insn_exit(struct l0_base *b, uint32_t basic_reason, bool offer_vmx, uint32_t *exception)
{
	struct vmcs *v = b->loaded;
	const struct vmx_insn *in = l0_guest_insn(b);
	uint64_t *gpr = v->guest->gpr, qual = vmcs_get(v, EXIT_QUALIFICATION), out[4];

	*exception = 0;
	switch (basic_reason) {
	case EXIT_REASON_IO_INSTRUCTION:
		if ((qual & 0x8u) && in && in->op == VMX_OP_IN)
			gpr[VMX_REG_NUM(in->dst) % X86_NGPR] =
				vmx_in_floating(gpr[VMX_REG_NUM(in->dst) % X86_NGPR], (uint32_t)(qual & 7u) + 1u);
		break;
	case EXIT_REASON_CR_ACCESS: {
		/* Exit qualification: CR in bits 3:0, access type 0 (MOV to CR) in 5:4, register in 11:8. */
		uint32_t cr = (uint32_t)(qual & 0xf);
		uint64_t value = gpr[(qual >> 8) & 0xf];

		if ((qual >> 4) & 3u)
			return false;   /* MOV from CR, CLTS, LMSW: the model's programs have none */
		if (!vmx_mov_cr_valid(cr, value)) {
			*exception = intr_info_make(INTR_TYPE_HARD_EXCEPTION, GP_VECTOR, true);
			return true;
		}
		if (cr == 3)
			v->guest->cr3 = value;
		else
			b->apic.regs.tpr = (uint8_t)(value << 4);
		break;
	}
	case EXIT_REASON_PAUSE_INSTRUCTION:
		break;
	case EXIT_REASON_CPUID:
		vmx_cpuid((uint32_t)gpr[0], offer_vmx, out);
		gpr[0] = out[0];
		gpr[3] = out[1];
		gpr[1] = out[2];
		gpr[2] = out[3];
		break;
	case EXIT_REASON_RDTSC:
		/* What the guest would have read now: the TSC, plus its offset when it uses one. */
		if (in && in->op == VMX_OP_RDTSC)
			gpr[VMX_REG_NUM(in->dst) % X86_NGPR] = b->env.lp->cycle +
				((vmcs_get32(v, CPU_BASED_VM_EXEC_CONTROL) & CPU_BASED_USE_TSC_OFFSETTING) ? vmcs_get(v, TSC_OFFSET) : 0);
		break;
	case EXIT_REASON_TPR_BELOW_THRESHOLD:
		return true;   /* trap-like: RIP is already past the MOV to CR8 */
	default:
		return false;
	}
	l0_skip_instruction(b);
	return true;
}

static bool is_timer_msr(uint32_t msr)
{
	return msr == MSR_IA32_X2APIC_LVT_TIMER || msr == MSR_IA32_X2APIC_INIT_COUNT ||
	       msr == MSR_IA32_X2APIC_CUR_COUNT || msr == MSR_IA32_X2APIC_DIV_CONF;
}

bool l0_refuse_apic_timer(struct l0_base *b, const char *l0_name)
{
	const struct vmx_insn *in = l0_guest_insn(b);
	char what[224];

	if (!in || (in->op != VMX_OP_WRMSR && in->op != VMX_OP_RDMSR) || !x86_msr_is_x2apic((uint32_t)in->arg))
		return false;
	if (is_timer_msr((uint32_t)in->arg))
		snprintf(what, sizeof(what),
		         "the LAPIC timer of a guest under L0 '%s' (the guest's %s of %s exits to L0, whose virtual local "
		         "APIC has no timer)",
		         l0_name, in->op == VMX_OP_WRMSR ? "WRMSR" : "RDMSR", x86_msr_name((uint32_t)in->arg));
	else
		snprintf(what, sizeof(what),
		         "an x2APIC register of a guest under L0 '%s' (the guest's %s of %s exits to L0, whose virtual "
		         "local APIC keeps the vectors it delivers and takes EOI and the ICR, not this register)",
		         l0_name, in->op == VMX_OP_WRMSR ? "WRMSR" : "RDMSR", x86_msr_name((uint32_t)in->arg));
	l0_refuse(b, in->line, what);
	return true;
}

void l0_refuse(struct l0_base *b, uint32_t line, const char *what)
{
	char why[512];

	snprintf(why, sizeof(why), "not modelled: %s", what);
	l0_guest_stop(b, why);
	if (b->env.refuse)
		b->env.refuse(b->env.machine, line, what);
}

void l0_host_nmi(struct l0_base *b)
{
	l0_trace(b, TRACE_HOST, "type", "nmi", NULL, -1, 0);
	vmx_lp_spend(b->env.lp, b->host_cycles);
	vmx_lp_exec_root(b->env.lp, VMX_OP_IRET, 0, 0);
}

/*
 * The host's #MC handler, as Linux's do_machine_check ends: it clears the
 * status of the banks it reported (__mc_scan_banks: the uncorrected errors,
 * or with MCG_SER_P the signalled ones, S) - corrected errors stay for the
 * poller - and then MCIP.
 */
void l0_host_machine_check(struct l0_base *b, const char *why)
{
	struct vmx_lp *lp = b->env.lp;
	const uint64_t cap = lp->model.mcg_cap;
	const uint64_t reported = (cap & MCG_SER_P) ? MCI_STATUS_S : MCI_STATUS_UC;

	l0_trace(b, TRACE_HOST, "type", "machine-check", why, MC_VECTOR, 0);
	vmx_lp_spend(lp, b->host_cycles);
	for (uint32_t i = 0; i < (uint32_t)(cap & MCG_CAP_COUNT); i++) {
		uint64_t st = vmx_lp_mca_status(lp, i);
		if ((st & MCI_STATUS_VAL) && (st & reported))
			vmx_lp_mca_clear_status(lp, i);
	}
	vmx_lp_host_mce_end(lp);
}

void l0_host_irq(struct l0_base *b, int vector)
{
	l0_trace(b, TRACE_HOST, "type", "irq", vector == L0_KICK_VECTOR ? "kick" : NULL, vector, 0);
	vmx_lp_spend(b->env.lp, b->host_cycles);
	vmx_lp_exec_root(b->env.lp, VMX_OP_EOI, 0, 0);
	vmx_lp_exec_root(b->env.lp, VMX_OP_IRET, 0, 0);
}

bool l0_handle_host_exit(struct l0_base *b, uint32_t basic_reason, uint32_t intr_info)
{
	int vec;

	if (basic_reason == EXIT_REASON_EXCEPTION_NMI && intr_info_type(intr_info) == INTR_TYPE_NMI_INTR) {
		l0_host_nmi(b);
		return true;
	}
	if (basic_reason != EXIT_REASON_EXTERNAL_INTERRUPT)
		return false;
	vec = intr_info_valid(intr_info) ? intr_info_vector(intr_info) : vmx_lp_host_intr_ack(b->env.lp);
	if (vec >= 0)
		l0_host_irq(b, vec);
	return true;
}

bool l0_service_host(struct l0_base *b)
{
	switch (vmx_lp_host_take_mce(b->env.lp)) {
	case VMX_MCE_TAKEN:
		l0_host_machine_check(b, "the host's #MC handler: the machine check reached the pins in root operation");
		break;
	case VMX_MCE_SHUTDOWN:
		l0_guest_stop(b, "the host processor shut down: a machine check with CR4.MCE = 0 or MCIP = 1");
		return false;
	case VMX_MCE_NONE:
		break;
	}
	for (int guard = 0; guard < 64; guard++) {
		int vec;
		if (vmx_lp_host_take_nmi(b->env.lp)) {
			l0_host_nmi(b);
			continue;
		}
		vec = vmx_lp_host_intr_ack(b->env.lp);
		if (vec < 0)
			break;
		l0_host_irq(b, vec);
	}
	return true;
}

void l0_service_host_nmis(struct l0_base *b)
{
	for (int guard = 0; guard < 64 && vmx_lp_host_take_nmi(b->env.lp); guard++)
		l0_host_nmi(b);
}

void l0_guest_stop(struct l0_base *b, const char *why)
{
	l0_trace(b, TRACE_GUEST_STOP, NULL, NULL, why, -1, 0);
}

enum l0_status l0_enter(struct l0_base *b)
{
	enum vmx_entry_status s;

	if (!b->launched && vmx_lp_vmptrld(b->env.lp, b->loaded) != VMX_SUCCEED) {
		l0_guest_stop(b, "VMPTRLD failed");
		return L0_STOPPED;
	}
	s = vmx_lp_vmentry(b->env.lp, b->loaded->launch_state == VMCS_CLEAR);
	b->launched = true;
	switch (s) {
	case VMX_ENTRY_OK:
		return L0_ENTERED;
	case VMX_ENTRY_FAIL_INVALID:
		l0_guest_stop(b, "VMfailInvalid");
		break;
	case VMX_ENTRY_FAIL_VALID:
		l0_guest_stop(b, vmx_insn_error_text((int)vmcs_get32(b->loaded, VM_INSTRUCTION_ERROR)));
		break;
	case VMX_ENTRY_FAILED:
		l0_guest_stop(b, "VM-entry failure (exit reason bit 31)");
		break;
	}
	return L0_STOPPED;
}

const char *l0_guest_debug_not_modelled(const struct vmcs *v, const uint64_t dr[4], unsigned follows,
                                        enum vmcs_field *field)
{
	const char *why;

	/*
	 * What the processor could not run whoever carries it: a data
	 * breakpoint outside the data area, an undefined DR7 encoding
	 * (vmcs/x86_debugreg.h; a root program's entry is refused the same
	 * way, exec_vmx.c).
	 */
	if ((vmcs_get32(v, VM_ENTRY_CONTROLS) & VM_ENTRY_LOAD_DEBUG_CONTROLS) &&
	    (why = dr7_not_modelled(vmcs_get(v, GUEST_DR7), dr, vmcs_get(v, GUEST_CR4))) != NULL) {
		*field = GUEST_DR7;
		return why;
	}
	/*
	 * The processor single-steps and delivers pending debug exceptions
	 * (model/hw/debug.c). The KVM models follow them for L1 (kvm_debug.c:
	 * the #DB intercept of each era, the single-step trap of a skipped
	 * instruction, the VMX instructions L0 emulates for an L1 hypervisor
	 * among them), and the field in L2 too (carried between vmcs12 and
	 * vmcs02); `plain` owes the trap of what it emulates in the
	 * pending-debug field (plain.c). A nested KVM follows L2's TF too
	 * (nested_exit.c: the trap of what L0 emulates for L2, which under
	 * vmcs12's monitor trap flag nested_events.c orders against the MTF
	 * exit).
	 */
	if (!(follows & L0_FOLLOWS_TF) && (vmcs_get(v, GUEST_RFLAGS) & X86_EFLAGS_TF)) {
		*field = GUEST_RFLAGS;
		return "single-stepping: a guest entered with RFLAGS.TF = 1 by a hypervisor model that does not follow "
		       "it (the KVM models and 'plain' follow it for L1, an L1 hypervisor included, and the nested KVMs "
		       "for L2)";
	}
	if (!(follows & L0_FOLLOWS_PENDING_DBG) && vmcs_get(v, GUEST_PENDING_DBG_EXCEPTIONS)) {
		*field = GUEST_PENDING_DBG_EXCEPTIONS;
		return "pending debug exceptions: a guest entered with GUEST_PENDING_DBG_EXCEPTIONS not 0 by a "
		       "hypervisor model that does not follow it (the KVM models follow it, in L1 and in L2, and 'plain' "
		       "in its guest)";
	}
	/*
	 * Single-stepping on branches: the processor models BTF (debug.c);
	 * `plain` owes no trap after the non-branches it emulates (plain.c);
	 * kvm-2011 and kvm-modern drop a guest's BTF before it reaches the
	 * processor (kvm_debugctl.c; kvm-2008 as kvm-2011), and kvm-modern
	 * vmcs12's for L2 (nested_vmcs02.c); 3.1 copies vmcs12's IA32_DEBUGCTL
	 * into vmcs02 as it is, so L2's BTF reaches the processor there. Every
	 * hypervisor model follows it now: the predicate still says why.
	 */
	if (!(follows & L0_FOLLOWS_BTF) && (vmcs_get(v, GUEST_RFLAGS) & X86_EFLAGS_TF) &&
	    (vmcs_get32(v, VM_ENTRY_CONTROLS) & VM_ENTRY_LOAD_DEBUG_CONTROLS) &&
	    (vmcs_get(v, GUEST_IA32_DEBUGCTL) & DEBUGCTLMSR_BTF)) {
		*field = GUEST_IA32_DEBUGCTL;
		return "single-stepping on branches: a guest entered with RFLAGS.TF = 1 and GUEST_IA32_DEBUGCTL.BTF = 1 "
		       "by a hypervisor model that does not follow it (the KVM models drop an L1's BTF, kvm-modern an "
		       "L2's from vmcs12, kvm-2011 gives L2 vmcs12's, 'plain' keeps it)";
	}
	/*
	 * A breakpoint enabled in DR7 (loaded with the debug controls) stops
	 * the guest (a code breakpoint is R24 level 7, an I/O one a trap at
	 * level 4). kvm-2011 and kvm-modern carry a single-level guest's DR7
	 * and DR0-DR3 (kvm_debugreg.c) and its #DB exit (kvm_debug.c), the
	 * nested KVMs L2's (nested.c); `plain` leaves them to the processor
	 * (plain.c). No guest of kvm-2008 has one: it drops the guest's MOV to
	 * DRn, and a `vmcs GUEST_DR7` line under it is the scenario's error
	 * (l0_variant.guest_dr7_unsettable). Every model follows DR7 now: the
	 * predicate still says why.
	 */
	if (!(follows & L0_FOLLOWS_DR7) && (vmcs_get32(v, VM_ENTRY_CONTROLS) & VM_ENTRY_LOAD_DEBUG_CONTROLS) &&
	    (vmcs_get(v, GUEST_DR7) & DR7_BREAKPOINT_ENABLES)) {
		*field = GUEST_DR7;
		return "breakpoints: a guest entered with a breakpoint enabled in GUEST_DR7 (bits 7:0) by a "
		       "hypervisor model that does not carry it (kvm-2011 and kvm-modern carry a guest's DR7 and DR0-DR3, "
		       "and L2's, 'plain' leaves them to the processor; no guest of kvm-2008 has one)";
	}
	return NULL;
}
