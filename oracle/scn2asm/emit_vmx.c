/* SPDX-License-Identifier: Apache-2.0 */
/*
 * emit_vmx.c - the VMX instructions (exec_vmx.c) as x86.
 *
 * VMREAD and VMWRITE take the field encoding in R13 and a value in R14 (x86
 * has no immediate forms); VMXON, VMCLEAR, VMPTRLD and VMPTRST their m64
 * through rt_m64. In root operation each is followed by rt_vmx_done, which
 * reports a VMfail from RFLAGS and keeps every register and flag, so that
 * the scenario's Jcc on CF and ZF sees what vmxsim's sees; VMLAUNCH and
 * VMRESUME are wrapped by rt_enter and rt_entry_failed. In L2 a VMX
 * instruction (only VMCALL there) always exits: nothing follows it.
 *
 * HOST_RIP is the runtime's (rt_vmexit, which reports the exit and jumps
 * to rt_l1_exit_handler): a VMWRITE of it writes rt_vmexit and, when it
 * succeeds, the scenario's value into rt_l1_exit_handler; a VMREAD of it
 * gives rt_l1_exit_handler.
 */
#include <inttypes.h>

#include "oracle/scn2asm/scn2asm_internal.h"

static unsigned reg_of(uint8_t operand)
{
	return VMX_REG_NUM(operand) % 16u;
}

static void vmx_done(struct s2a *c, unsigned kind)
{
	s2a_op(c, "push qword %u", kind);
	s2a_op(c, "push qword vx_p%d_x%u", c->cur_p, c->cur_i);
	s2a_op(c, "call rt_vmx_done");
}

static void vmread_seq(struct s2a *c, const struct vmx_insn *in)
{
	const char *dst = in->dst ? s2a_reg64(reg_of(in->dst)) : "r14";

	s2a_op(c, "mov r13d, 0x%" PRIx32, (uint32_t)in->arg);
	s2a_at_x(c);
	s2a_op(c, "vmread %s, r13", dst);
	s2a_at_e(c);
	if (in->arg == HOST_RIP && in->dst) {
		/* What L1 wrote (or its exit-handler), not the runtime's rt_vmexit; only when VMsucceed. */
		s2a_op(c, "jbe vxf_p%d_%u", c->cur_p, c->cur_i);
		s2a_op(c, "mov %s, [rt_l1_exit_handler]", dst);
		fprintf(c->out, "vxf_p%d_%u:\n", c->cur_p, c->cur_i);
	}
	vmx_done(c, CASE_INSN_VMREAD);
}

/* The VMWRITE's value: a register, a label of either program, or a translated immediate. */
static const char *vmwrite_value(struct s2a *c, const struct scn_insn *si, const struct vmx_insn *in)
{
	const char *why = NULL;

	if (in->src)
		return s2a_reg64(reg_of(in->src));
	if (si->value_label)
		snprintf(c->tmp[1], sizeof(c->tmp[1]), "vx_p%d_i%u", (int)si->value_label_level, si->value_target);
	else if (!s2a_field_value(c, si->encoding, in->arg2, c->tmp[1], sizeof(c->tmp[1]), &why))
		snprintf(c->tmp[1], sizeof(c->tmp[1]), "0x%" PRIx64, in->arg2);   /* refuse.c refused it already */
	return c->tmp[1];
}

static void vmwrite_seq(struct s2a *c, const struct scn_insn *si, const struct vmx_insn *in)
{
	const char *value = vmwrite_value(c, si, in);

	s2a_op(c, "mov r13d, 0x%" PRIx32, (uint32_t)in->arg);
	if (in->arg == HOST_RIP) {
		s2a_op(c, "mov r14, rt_vmexit");
		s2a_at_x(c);
		s2a_op(c, "vmwrite r13, r14");
		s2a_at_e(c);
		s2a_op(c, "jbe vxf_p%d_%u", c->cur_p, c->cur_i);
		if (!in->src) {
			s2a_op(c, "mov r14, %s", value);
			value = "r14";
		}
		s2a_op(c, "mov [rt_l1_exit_handler], %s", value);
		fprintf(c->out, "vxf_p%d_%u:\n", c->cur_p, c->cur_i);
	} else {
		if (!in->src) {
			s2a_op(c, "mov r14, %s", value);
			value = "r14";
		}
		s2a_at_x(c);
		s2a_op(c, "vmwrite r13, %s", value);
		s2a_at_e(c);
	}
	vmx_done(c, CASE_INSN_VMWRITE);
}

/* VMXON, VMCLEAR, VMPTRLD: the region's address in rt_m64 (a register's value, or the address named). */
static void region_seq(struct s2a *c, const char *insn, const struct vmx_insn *in, unsigned kind)
{
	if (in->src) {
		s2a_op(c, "mov [rt_m64], %s", s2a_reg64(reg_of(in->src)));
	} else {
		const char *sym = s2a_region_symbol(c, in->arg, c->tmp[2], sizeof(c->tmp[2]));
		if (sym)
			s2a_op(c, "mov r13, %s", sym);
		else
			s2a_op(c, "mov r13, 0x%" PRIx64, in->arg);   /* no region: memory of the payload's */
		s2a_op(c, "mov [rt_m64], r13");
	}
	s2a_at_x(c);
	s2a_op(c, "%s [rt_m64]", insn);
	s2a_at_e(c);
	vmx_done(c, kind);
}

static void entry_seq(struct s2a *c, const char *insn, unsigned kind)
{
	s2a_op(c, "call rt_enter");
	s2a_at_x(c);
	s2a_op(c, "%s", insn);
	s2a_at_e(c);
	s2a_op(c, "push qword %u", kind);
	s2a_op(c, "push qword vx_p%d_x%u", c->cur_p, c->cur_i);
	s2a_op(c, "call rt_entry_failed");
}

static void plain(struct s2a *c, const char *insn, unsigned kind)
{
	s2a_at_x(c);
	s2a_op(c, "%s", insn);
	s2a_at_e(c);
	vmx_done(c, kind);
}

bool s2a_emit_vmx(struct s2a *c, const struct scn_insn *si, const struct vmx_insn *in)
{
	switch (in->op) {
	case VMX_OP_VMCALL:
		if (c->cur_p == 2) {
			s2a_at_x(c);
			s2a_op(c, "vmcall");
			s2a_at_e(c);
		} else {
			plain(c, "vmcall", CASE_INSN_VMCALL);   /* root operation: VMfail(1) */
		}
		return true;
	case VMX_OP_VMLAUNCH: entry_seq(c, "vmlaunch", CASE_INSN_VMLAUNCH); return true;
	case VMX_OP_VMRESUME: entry_seq(c, "vmresume", CASE_INSN_VMRESUME); return true;
	case VMX_OP_VMREAD: vmread_seq(c, in); return true;
	case VMX_OP_VMWRITE: vmwrite_seq(c, si, in); return true;
	case VMX_OP_VMXON: region_seq(c, "vmxon", in, CASE_INSN_VMXON); return true;
	case VMX_OP_VMCLEAR: region_seq(c, "vmclear", in, CASE_INSN_VMCLEAR); return true;
	case VMX_OP_VMPTRLD: region_seq(c, "vmptrld", in, CASE_INSN_VMPTRLD); return true;
	case VMX_OP_VMXOFF: plain(c, "vmxoff", CASE_INSN_VMXOFF); return true;
	case VMX_OP_VMPTRST:
		s2a_at_x(c);
		s2a_op(c, "vmptrst [rt_m64]");
		s2a_at_e(c);
		s2a_op(c, "mov %s, [rt_m64]", s2a_reg64(reg_of(in->dst)));
		vmx_done(c, CASE_INSN_VMPTRST);
		return true;
	default:
		return false;
	}
}
