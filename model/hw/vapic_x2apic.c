/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vapic_x2apic.c - RDMSR and WRMSR of the x2APIC MSRs (0x800-0x8ff) with
 * "virtualize x2APIC mode" (SDM Vol. 3C 30.5), after the MSR bitmap has let
 * them through (26.1.3). MSR 0x8nn is the register at offset 0xnn0 of the
 * virtual-APIC page.
 *
 * Reads: with "APIC-register virtualization" every readable x2APIC
 * register but the timer's current count comes from the page (ICR as one
 * 64-bit value); without it only TPR does. Writes: TPR always (then TPR
 * virtualization), and with virtual-interrupt delivery EOI (then EOI
 * virtualization) and SELF IPI (self-IPI virtualization, or an APIC-write
 * exit for a vector below 16). A reserved bit written is #GP(0). Every
 * other access goes to the physical local APIC, as without the control.
 */
#include "model/hw/exec_regs.h"
#include "model/hw/vapic.h"
#include "vmcs/x86_msr.h"

/* 30.5: the x2APIC MSRs whose RDMSR APIC-register virtualization reads from the page. */
static bool read_virtualized(uint32_t msr)
{
	switch (msr) {
	case 0x802: case 0x803: case 0x808: case 0x80a: case 0x80d: case 0x80f:   /* ID, version, TPR, PPR, LDR, SVR */
	case 0x828: case 0x82f: case 0x830:                                    /* ESR, LVT CMCI, ICR */
	case 0x838: case 0x83e:                                                /* initial count, divide configuration */
		return true;
	default:
		/* ISR, TMR, IRR (0x810-0x827) and the LVT registers 0x832-0x837. */
		return (msr >= 0x810 && msr <= 0x827) || (msr >= 0x832 && msr <= 0x837);
	}
}

static enum lp_step retire(struct vmx_lp *lp, const struct vmx_insn *in)
{
	lp->ctx.rip = in->addr + in->len;
	lp_complete(lp, 1, lp->model.insn_cycles);
	return LP_STEP_CONTINUE;
}

static bool rdmsr(struct vmx_lp *lp, const struct vmx_insn *in, enum lp_step *step)
{
	uint32_t msr = vmx_insn_msr(in);
	const struct virtual_apic_page *p = &lp->vmcs->vapic;
	uint64_t v;

	if (lp_proc2(lp, SECONDARY_EXEC_APIC_REGISTER_VIRT) ? !read_virtualized(msr) : msr != MSR_IA32_X2APIC_TPR)
		return false;
	v = virtual_apic_read32(p, (msr & 0xffu) << 4);
	if (msr == MSR_IA32_X2APIC_ICR)
		v |= (uint64_t)p->icr_hi << 32;
	lp->ctx.mem->gpr[VMX_REG_NUM(in->dst) % X86_NGPR] = v;
	*step = retire(lp, in);
	return true;
}

bool lp_vapic_x2apic(struct vmx_lp *lp, const struct vmx_insn *in, uint64_t value, enum lp_step *step)
{
	uint32_t msr = vmx_insn_msr(in);
	struct virtual_apic_page *p = &lp->vmcs->vapic;
	bool vid = lp_proc2(lp, SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY);

	if (in->op == VMX_OP_RDMSR)
		return rdmsr(lp, in, step);
	switch (msr) {
	case MSR_IA32_X2APIC_TPR:
		if (value >> 8)
			break;
		p->tpr = (uint32_t)value;
		retire(lp, in);
		*step = lp_vapic_tpr_written(lp);
		return true;
	case MSR_IA32_X2APIC_EOI:
		if (!vid)
			return false;
		if (value)
			break;
		p->eoi = 0;
		retire(lp, in);
		*step = lp_vapic_eoi(lp);
		return true;
	case MSR_IA32_X2APIC_SELF_IPI:
		if (!vid)
			return false;
		if (value >> 8)
			break;
		p->self_ipi = (uint32_t)value;
		retire(lp, in);
		if (value < 16) {   /* an illegal vector: the hypervisor emulates the write (APIC-write exit, trap-like) */
			struct vmx_exit_info x = {.reason = EXIT_REASON_APIC_WRITE, .qualification = VAPIC_SELF_IPI};
			lp_vmexit(lp, &x);
			*step = LP_STEP_EXIT;
			return true;
		}
		lp_vapic_self_ipi(lp, (uint8_t)value);
		*step = LP_STEP_CONTINUE;
		return true;
	default:
		return false;
	}
	*step = lp_fault(lp, GP_VECTOR, true, 0, false);   /* a reserved bit of the register written */
	return true;
}
