/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec_regs.c - the register instructions of guest programs (MOV, the
 * arithmetic and logic group, CMP/TEST, Jcc, RECORD, RDMSR) and the
 * RFLAGS results of VMX instructions (SDM Vol. 3C 31.2: VMsucceed,
 * VMfailInvalid, VMfailValid), which a hypervisor's code branches on.
 */
#include "model/hw/exec_regs.h"

static uint64_t parity_flag(uint64_t r)
{
	uint8_t b = (uint8_t)r;

	b ^= (uint8_t)(b >> 4);
	b ^= (uint8_t)(b >> 2);
	b ^= (uint8_t)(b >> 1);
	return (b & 1u) ? 0 : X86_EFLAGS_PF;   /* PF = 1 for an even number of set bits */
}

/* ZF, SF and PF of a result; the caller adds CF, OF and AF. */
static uint64_t result_flags(uint64_t r)
{
	return (r == 0 ? X86_EFLAGS_ZF : 0) | ((r >> 63) ? X86_EFLAGS_SF : 0) | parity_flag(r);
}

static uint64_t add_flags(uint64_t a, uint64_t b, uint64_t r)
{
	return result_flags(r) | (r < a ? X86_EFLAGS_CF : 0) | ((((a ^ r) & (b ^ r)) >> 63) ? X86_EFLAGS_OF : 0) |
	       ((a ^ b ^ r) & 0x10u ? X86_EFLAGS_AF : 0);
}

static uint64_t sub_flags(uint64_t a, uint64_t b, uint64_t r)
{
	return result_flags(r) | (a < b ? X86_EFLAGS_CF : 0) | ((((a ^ b) & (a ^ r)) >> 63) ? X86_EFLAGS_OF : 0) |
	       ((a ^ b ^ r) & 0x10u ? X86_EFLAGS_AF : 0);
}

uint64_t lp_source(const struct vmx_lp *lp, const struct vmx_insn *in)
{
	return in->src ? lp->ctx.mem->gpr[VMX_REG_NUM(in->src) % X86_NGPR] : in->arg2;
}

void lp_exec_register(struct vmx_lp *lp, const struct vmx_insn *in)
{
	uint64_t *d = &lp->ctx.mem->gpr[VMX_REG_NUM(in->dst) % X86_NGPR];
	uint64_t a = *d, b = lp_source(lp, in), r = a, flags, keep = lp->ctx.rflags & ~(uint64_t)X86_EFLAGS_STATUS;
	unsigned n;

	switch (in->op) {
	case VMX_OP_MOV:
		*d = b;
		return;                       /* MOV leaves the flags alone */
	case VMX_OP_ADD:
		r = a + b;
		flags = add_flags(a, b, r);
		break;
	case VMX_OP_SUB:
	case VMX_OP_CMP:
		r = a - b;
		flags = sub_flags(a, b, r);
		break;
	case VMX_OP_INC:
	case VMX_OP_DEC:
		/* INC and DEC keep CF. */
		r = in->op == VMX_OP_INC ? a + 1 : a - 1;
		flags = (in->op == VMX_OP_INC ? add_flags(a, 1, r) : sub_flags(a, 1, r)) & ~(uint64_t)X86_EFLAGS_CF;
		flags |= lp->ctx.rflags & X86_EFLAGS_CF;
		break;
	case VMX_OP_AND:
	case VMX_OP_TEST:
		r = a & b;
		flags = result_flags(r);      /* CF = OF = 0 */
		break;
	case VMX_OP_OR:
		r = a | b;
		flags = result_flags(r);
		break;
	case VMX_OP_XOR:
		r = a ^ b;
		flags = result_flags(r);
		break;
	case VMX_OP_SHL:
	case VMX_OP_SHR:
		n = (unsigned)(b & 63u);
		if (n == 0)
			return;                   /* a count of 0 changes no flag */
		r = in->op == VMX_OP_SHL ? a << n : a >> n;
		flags = result_flags(r);
		if (in->op == VMX_OP_SHL ? (a >> (64 - n)) & 1u : (a >> (n - 1)) & 1u)
			flags |= X86_EFLAGS_CF;   /* the last bit shifted out */
		break;
	default:
		return;
	}
	if (in->op != VMX_OP_CMP && in->op != VMX_OP_TEST)
		*d = r;
	lp->ctx.rflags = keep | flags;
}

void lp_vmx_result(struct vmx_lp *lp, enum vmx_insn_status s)
{
	lp->ctx.rflags &= ~(uint64_t)X86_EFLAGS_STATUS;
	if (s == VMX_FAIL_INVALID)
		lp->ctx.rflags |= X86_EFLAGS_CF;
	else if (s == VMX_FAIL_VALID)
		lp->ctx.rflags |= X86_EFLAGS_ZF;
}
