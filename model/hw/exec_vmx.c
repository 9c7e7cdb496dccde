/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec_vmx.c - the VMX instructions of programs, after the pseudo-code of
 * SDM Vol. 3C "VMX Instruction Reference": outside VMX operation every one
 * but VMXON raises #UD; in VMX non-root operation each causes a VM exit;
 * in VMX root operation it executes and leaves its result in RFLAGS
 * (VMsucceed, VMfailInvalid, or VMfailValid with the error number in the
 * current VMCS; exec_regs.c lp_vmx_result).
 *
 * VMXON, VMCLEAR and VMPTRLD name a 4-KByte region by its physical
 * address: the instruction's operand, or the value of a register (which
 * stands for the m64 operand in memory). The regions are the root
 * program's memory (vmx_guest_mem.regions); other memory reads as zeros,
 * so its revision identifier is 0. Each VMCS has a launch state: VMCLEAR
 * makes it clear, a VMLAUNCH that enters makes it launched (vmentry.c).
 */
#include "model/hw/exec_regs.h"
#include "vmcs/vmx_not_modelled.h"
#include "vmcs/x86_debugreg.h"

/* The exit reason of each VMX instruction in non-root operation (25.1.2: they exit unconditionally). */
static uint32_t exit_reason(enum vmx_op op)
{
	switch (op) {
	case VMX_OP_VMCALL: return EXIT_REASON_VMCALL;
	case VMX_OP_VMLAUNCH: return EXIT_REASON_VMLAUNCH;
	case VMX_OP_VMRESUME: return EXIT_REASON_VMRESUME;
	case VMX_OP_VMREAD: return EXIT_REASON_VMREAD;
	case VMX_OP_VMWRITE: return EXIT_REASON_VMWRITE;
	case VMX_OP_VMXON: return EXIT_REASON_VMON;
	case VMX_OP_VMXOFF: return EXIT_REASON_VMOFF;
	case VMX_OP_VMCLEAR: return EXIT_REASON_VMCLEAR;
	case VMX_OP_VMPTRLD: return EXIT_REASON_VMPTRLD;
	default: return EXIT_REASON_VMPTRST;
	}
}

/* The region operand: a register's value, or the address the instruction names. */
static uint64_t operand(const struct vmx_lp *lp, const struct vmx_insn *in)
{
	return in->src ? lp->ctx.mem->gpr[VMX_REG_NUM(in->src) % X86_NGPR] : in->arg;
}

/* The region at addr in the root program's memory; NULL: memory that reads as zeros. */
static struct vmcs *region_at(const struct vmx_lp *lp, uint64_t addr)
{
	return vmx_guest_mem_region(lp->ctx.mem, addr);
}

/* Bits 30:0 of a region's first four bytes, and bit 31 (the shadow-VMCS indicator) as read. */
static uint32_t revision_at(const struct vmx_lp *lp, uint64_t addr)
{
	const struct vmcs *r = region_at(lp, addr);
	return r ? r->revision_id : 0;
}

/* VMfail(err), with the error's text as the check that failed. */
static enum vmx_insn_status fail(struct vmx_lp *lp, enum vmx_insn_error err, const char **check)
{
	*check = vmx_insn_error_text((int)err);
	return lp_vmfail(lp, err);
}

static enum vmx_insn_status do_vmxon(struct vmx_lp *lp, uint64_t addr, const char **check)
{
	if (lp->vmx_operation)
		return fail(lp, VMXERR_VMXON_IN_ROOT, check);
	/* Outside VMX operation there is no current VMCS: every failure is VMfailInvalid. */
	if (!vmx_region_pointer_valid(addr, lp->model.phys_addr_bits)) {
		*check = "VMXON pointer 4-KByte aligned, within the physical-address width";
		return VMX_FAIL_INVALID;
	}
	if (revision_at(lp, addr) != lp->model.revision_id) {
		*check = "VMXON region's revision identifier is the processor's";
		return VMX_FAIL_INVALID;
	}
	/* VMX root operation, no current VMCS; INIT is blocked from now on (arbiter.c). */
	lp->vmx_operation = true;
	lp->vmxon_ptr = addr;
	lp->vmcs = NULL;
	return VMX_SUCCEED;
}

static enum vmx_insn_status do_vmclear(struct vmx_lp *lp, uint64_t addr, const char **check)
{
	struct vmcs *r;

	if (!vmx_region_pointer_valid(addr, lp->model.phys_addr_bits))
		return fail(lp, VMXERR_VMCLEAR_INVALID_ADDRESS, check);
	if (addr == lp->vmxon_ptr)
		return fail(lp, VMXERR_VMCLEAR_VMXON_POINTER, check);
	/* No revision check: VMCLEAR is how a region becomes a VMCS. */
	r = region_at(lp, addr);
	if (r) {
		r->launch_state = VMCS_CLEAR;
		if (lp->vmcs == r)
			lp->vmcs = NULL;   /* the current-VMCS pointer becomes invalid */
	}
	return VMX_SUCCEED;
}

static enum vmx_insn_status do_vmptrld(struct vmx_lp *lp, uint64_t addr, const char **check)
{
	if (!vmx_region_pointer_valid(addr, lp->model.phys_addr_bits))
		return fail(lp, VMXERR_VMPTRLD_INVALID_ADDRESS, check);
	if (addr == lp->vmxon_ptr)
		return fail(lp, VMXERR_VMPTRLD_VMXON_POINTER, check);
	/* Bit 31 set (a shadow VMCS) never matches: VMCS shadowing is not modelled. */
	if (revision_at(lp, addr) != lp->model.revision_id)
		return fail(lp, VMXERR_VMPTRLD_INCORRECT_REVISION_ID, check);
	lp->vmcs = region_at(lp, addr);
	return VMX_SUCCEED;
}

/* A VMX instruction's flags and, when it failed, a trace of why (VMfailValid's number, or 0). */
static void vmx_insn_result(struct vmx_lp *lp, enum vmx_op op, enum vmx_insn_status st, const char *check)
{
	struct vmx_hw_event ev = {.kind = HW_VMFAIL, .insn = op, .rip = lp->ctx.rip};

	lp_vmx_result(lp, st);
	if (st == VMX_SUCCEED)
		return;
	ev.error = st == VMX_FAIL_VALID ? vmcs_get32(lp->vmcs, VM_INSTRUCTION_ERROR) : 0;
	ev.check = check ? check
	         : st == VMX_FAIL_VALID ? vmx_insn_error_text((int)ev.error) : "current-VMCS pointer is valid";
	lp_emit(lp, &ev);
}

/* VMLAUNCH/VMRESUME: VMfail goes on at the next instruction; an entry or a failed entry replaces RIP. */
static enum lp_step do_vmentry(struct vmx_lp *lp, const struct vmx_insn *in)
{
	enum vmx_entry_status s = vmx_lp_vmentry(lp, in->op == VMX_OP_VMLAUNCH);
	enum vmcs_field debug_field;
	const char *debug;

	/* The entry traces its own VMfail, at the RIP of the instruction; only the flags are left to set. */
	lp->retired++;
	/* DR7 and CR4 as the entry loaded them: what breakpoint.c cannot run is refused. */
	if (s == VMX_ENTRY_OK && (debug = dr7_not_modelled(lp->dr7, lp->dr, lp->cr4)) != NULL)
		return lp_not_modelled(lp, in, debug);
	/* A control or field of a feature the model lacks (vmx_controls.def NM, vmcs_fields_refused.def). */
	if (s == VMX_ENTRY_OK && (debug = vmx_vmcs_not_modelled(lp->vmcs, NULL, &debug_field)) != NULL)
		return lp_not_modelled(lp, in, debug);
	/*
	 * R15 (SDM 26.7.1): without injection, blocking by STI or MOV SS
	 * loaded from the interruptibility field holds at the guest's first
	 * boundary, which comes after this instruction retired. The entry
	 * (also used by hypervisors written in C, which retire nothing) set
	 * them for the boundary before it; R13 needed that one.
	 */
	if (s == VMX_ENTRY_OK) {
		if (lp->sti_shadow_at != VMX_NO_BOUNDARY)
			lp->sti_shadow_at = lp->retired;
		if (lp->movss_shadow_at != VMX_NO_BOUNDARY)
			lp->movss_shadow_at = lp->retired;
	}
	if (s == VMX_ENTRY_FAIL_INVALID || s == VMX_ENTRY_FAIL_VALID) {
		lp->ctx.rip = in->addr + in->len;
		lp_vmx_result(lp, s == VMX_ENTRY_FAIL_INVALID ? VMX_FAIL_INVALID : VMX_FAIL_VALID);
	}
	return s == VMX_ENTRY_FAILED ? LP_STEP_EXIT : LP_STEP_CONTINUE;
}

/* In VMX root operation (VMXON: also outside VMX operation). */
static enum lp_step do_vmx_root(struct vmx_lp *lp, const struct vmx_insn *in)
{
	uint64_t value = 0;
	enum vmx_insn_status st = VMX_SUCCEED;
	const char *check = NULL;

	switch (in->op) {
	case VMX_OP_VMLAUNCH:
	case VMX_OP_VMRESUME:
		return do_vmentry(lp, in);
	case VMX_OP_VMREAD:
		st = vmx_lp_vmread(lp, (uint32_t)in->arg, &value);
		if (st == VMX_SUCCEED && in->dst)
			lp->ctx.mem->gpr[VMX_REG_NUM(in->dst) % X86_NGPR] = value;
		break;
	case VMX_OP_VMWRITE:
		st = vmx_lp_vmwrite(lp, (uint32_t)in->arg, lp_source(lp, in));
		break;
	case VMX_OP_VMCALL:
		/* VMCALL in root operation: VMfailValid(1), or VMfailInvalid without a VMCS. */
		st = lp_vmfail(lp, VMXERR_VMCALL_IN_ROOT);
		break;
	case VMX_OP_VMXON:
		st = do_vmxon(lp, operand(lp, in), &check);
		break;
	case VMX_OP_VMXOFF:
		/* Dual-monitor treatment of SMIs (error 23) is not modelled: VMXOFF leaves, INIT is unblocked. */
		lp->vmx_operation = false;
		lp->vmcs = NULL;
		break;
	case VMX_OP_VMCLEAR:
		st = do_vmclear(lp, operand(lp, in), &check);
		break;
	case VMX_OP_VMPTRLD:
		st = do_vmptrld(lp, operand(lp, in), &check);
		break;
	case VMX_OP_VMPTRST:
		if (in->dst)
			lp->ctx.mem->gpr[VMX_REG_NUM(in->dst) % X86_NGPR] = lp->vmcs ? lp->vmcs->addr : VMX_INVALID_VMCS_PTR;
		break;
	default:
		break;
	}
	vmx_insn_result(lp, in->op, st, check);
	lp->ctx.rip = in->addr + in->len;
	lp_complete(lp, 1, lp->model.insn_cycles);
	return LP_STEP_CONTINUE;
}

enum lp_step lp_exec_vmx(struct vmx_lp *lp, const struct vmx_insn *in)
{
	if (lp->non_root)
		return lp_insn_exit(lp, exit_reason(in->op), 0, in);
	if (!lp->vmx_operation && in->op != VMX_OP_VMXON)
		return lp_fault(lp, UD_VECTOR, false, 0, false);
	return do_vmx_root(lp, in);
}
