/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec_msr.c - RDMSR and WRMSR of guest programs, and the MSR bitmaps.
 *
 * In VMX non-root operation RDMSR and WRMSR exit (reason 31, 32) unless
 * "use MSR bitmaps" is 1 and the MSR's bit in the bitmap at MSR_BITMAP is
 * 0 (SDM Vol. 3C 26.1.3, 25.6.9). Otherwise they execute as in root
 * operation, against the processor's own MSRs: IA32_MCG_STATUS
 * (machine_check.c), IA32_MCG_CAP, IA32_MCG_CTL and the banks
 * (mca_bank.c), IA32_DEBUGCTL (debug.c), `eoi` retires the in-service
 * vector of the physical local APIC, `ipi` sends the IPI, the timer's
 * registers program its timer, TPR and SELF IPI write the local APIC, the
 * LVT CMCI sets how a CMCI is sent (mca_bank.c), and
 * RDMSR reads the VMX capability MSRs, the timer or the local APIC's TPR,
 * PPR, ISR, IRR and LVT CMCI - unless "virtualize x2APIC mode" sends the access to
 * the virtual-APIC page (30.5, vapic_x2apic.c). A store to the MSR-bitmap page is an ordinary memory write of
 * the program (a hypervisor's), which never exits.
 */
#include "model/hw/exec_regs.h"
#include "model/hw/vapic.h"
#include "vmcs/x2apic_lvt.h"
#include "vmcs/x86_mcg.h"
#include "vmcs/x86_msr.h"

/* 26.1.3: does this RDMSR or WRMSR cause a VM exit? */
static bool msr_exits(const struct vmx_lp *lp, uint32_t msr, bool write)
{
	if (!lp->non_root)
		return false;
	if (!lp_proc(lp, CPU_BASED_USE_MSR_BITMAPS))
		return true;
	return msr_bitmap_exits(lp->vmcs->msr_bitmap, msr, write);
}

static enum lp_step retire(struct vmx_lp *lp, const struct vmx_insn *in)
{
	lp->ctx.rip = in->addr + in->len;
	lp_complete(lp, 1, lp->model.insn_cycles);
	return LP_STEP_CONTINUE;
}

static enum lp_step rdmsr(struct vmx_lp *lp, const struct vmx_insn *in)
{
	uint32_t msr = vmx_insn_msr(in);
	uint64_t v;
	bool fault = false;

	/* The LVT CMCI is there only on a part with CMCI (MCG_CMCI_P). */
	if (msr == MSR_IA32_X2APIC_LVT_CMCI && !(lp->model.mcg_cap & MCG_CMCI_P))
		fault = true;
	else if (!lp_mca_read(lp, msr, &v, &fault) && !lp_mcg_status_read(lp, msr, &v) && !lp_debugctl_read(lp, msr, &v) &&
	    !vmx_caps_read_msr(&lp->model.caps, msr, &v) && !lapic_timer_read(&lp->apic.timer, msr, lp->cycle, &v) &&
	    !lapic_x2apic_read(&lp->apic, msr, &v))
		fault = true;
	if (fault)
		return lp_fault(lp, GP_VECTOR, true, 0, false);
	lp->ctx.mem->gpr[VMX_REG_NUM(in->dst) % X86_NGPR] = v;
	return retire(lp, in);
}

static enum lp_step wrmsr(struct vmx_lp *lp, const struct vmx_insn *in)
{
	uint64_t value = lp_source(lp, in);
	struct lapic_timer t = lp->apic.timer;
	const char *refused;
	bool fault;

	if (lp_mca_write(lp, vmx_insn_msr(in), value, &fault))
		return fault ? lp_fault(lp, GP_VECTOR, true, 0, false) : retire(lp, in);
	if (lp_mcg_status_write(lp, vmx_insn_msr(in), value, &fault))
		return fault ? lp_fault(lp, GP_VECTOR, true, 0, false) : retire(lp, in);
	if (lp_debugctl_write(lp, vmx_insn_msr(in), value, &fault, &refused))
		return fault     ? lp_fault(lp, GP_VECTOR, true, 0, false)
		       : refused ? lp_not_modelled(lp, in, refused)
		                 : retire(lp, in);

	if (vmx_insn_msr(in) == MSR_IA32_X2APIC_TPR) {
		if (value >> 8)
			return lp_fault(lp, GP_VECTOR, true, 0, false);
		lp->apic.tpr = (uint8_t)value;
		return retire(lp, in);
	}
	if (vmx_insn_msr(in) == MSR_IA32_X2APIC_LVT_CMCI) {
		if (!(lp->model.mcg_cap & MCG_CMCI_P) || apic_lvt_cmci_reserved(value))
			return lp_fault(lp, GP_VECTOR, true, 0, false);
		if ((refused = apic_lvt_cmci_not_modelled(value)) != NULL)
			return lp_not_modelled(lp, in, refused);
		lp->apic.lvt_cmci = (uint32_t)(value & APIC_LVT_CMCI_WRITABLE);
		return retire(lp, in);
	}
	if (vmx_insn_msr(in) == MSR_IA32_X2APIC_SELF_IPI) {
		/* A fixed IPI to this processor: the machine makes it pending at once. */
		if (value >> 8)
			return lp_fault(lp, GP_VECTOR, true, 0, false);
		retire(lp, in);
		if (lp->send_ipi)
			lp->send_ipi(lp->send_ipi_ctx, lp->id, lp->id, (uint32_t)value);
		return LP_STEP_CONTINUE;
	}
	/* The write takes effect as the instruction retires: the timer counts from there. */
	if (!lapic_timer_write(&t, vmx_insn_msr(in), value, lp->cycle + lp->model.insn_cycles))
		return lp_fault(lp, GP_VECTOR, true, 0, false);   /* reserved bits (x2APIC mode) */
	lp->apic.timer = t;
	return retire(lp, in);
}

static enum lp_step send_ipi(struct vmx_lp *lp, const struct vmx_insn *in)
{
	struct vmx_hw_event ev = {.kind = HW_IPI, .dest = (uint32_t)in->arg, .vector = (uint32_t)in->arg2,
	                          .rip = lp->ctx.rip};

	lp_emit(lp, &ev);
	retire(lp, in);
	if (lp->send_ipi)
		lp->send_ipi(lp->send_ipi_ctx, lp->id, (uint32_t)in->arg, (uint32_t)in->arg2);
	return LP_STEP_CONTINUE;
}

enum lp_step lp_exec_msr(struct vmx_lp *lp, const struct vmx_insn *in)
{
	bool write = in->op != VMX_OP_RDMSR;

	if (in->op == VMX_OP_MSR_BITMAP) {
		msr_bitmap_set(&lp->ctx.mem->msr_bitmap, (uint32_t)in->arg, (in->arg2 & VMX_MSR_BITMAP_WRITE) != 0,
		               (in->arg2 & VMX_MSR_BITMAP_SET) != 0);
		vmx_guest_mem_stamp(lp->ctx.mem, &lp->ctx.mem->msr_bitmap_stamp);
		return retire(lp, in);
	}
	if (msr_exits(lp, vmx_insn_msr(in), write))
		return lp_insn_exit(lp, write ? EXIT_REASON_MSR_WRITE : EXIT_REASON_MSR_READ, 0, in);
	if (lp->non_root && lp_proc2(lp, SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE) && vmx_insn_msr(in) >= 0x800 &&
	    vmx_insn_msr(in) <= 0x8ff) {
		enum lp_step step;
		uint64_t value = in->op == VMX_OP_EOI ? 0 : in->op == VMX_OP_WRMSR ? lp_source(lp, in) : 0;

		/* `ipi` writes the ICR, which 30.5 never virtualizes: it goes to the local APIC below. */
		if (in->op != VMX_OP_IPI && lp_vapic_x2apic(lp, in, value, &step))
			return step;
	}
	switch (in->op) {
	case VMX_OP_EOI:
		lp_emit_simple(lp, HW_EOI, (uint32_t)lapic_eoi(&lp->apic));
		return retire(lp, in);
	case VMX_OP_IPI:
		return send_ipi(lp, in);
	case VMX_OP_RDMSR:
		return rdmsr(lp, in);
	default:
		return wrmsr(lp, in);
	}
}
