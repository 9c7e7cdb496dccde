/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scenario_insn.c - a scenario instruction as the processor's operation
 * (struct vmx_insn): the operation, its arguments and its register
 * operands. Labels stay instruction indexes until the machine lays the
 * program out.
 */
#include "lib/scenario_insn.h"
#include "vmcs/virtual_apic.h"

static enum vmx_op op_of(enum scn_op op)
{
	static const enum vmx_op map[SCN_OP_COUNT] = {
	    [SCN_OP_WORK] = VMX_OP_WORK,         [SCN_OP_NOP] = VMX_OP_NOP,
	    [SCN_OP_STI] = VMX_OP_STI,           [SCN_OP_CLI] = VMX_OP_CLI,
	    [SCN_OP_MOV_SS] = VMX_OP_MOV_SS,     [SCN_OP_IRET] = VMX_OP_IRET,
	    [SCN_OP_HLT] = VMX_OP_HLT,           [SCN_OP_INT] = VMX_OP_INT,
	    [SCN_OP_INT3] = VMX_OP_INT3,         [SCN_OP_UD2] = VMX_OP_UD2,
	    [SCN_OP_VMCALL] = VMX_OP_VMCALL,     [SCN_OP_EOI] = VMX_OP_EOI,
	    [SCN_OP_JMP] = VMX_OP_JMP,           [SCN_OP_IPI] = VMX_OP_IPI,
	    [SCN_OP_VMLAUNCH] = VMX_OP_VMLAUNCH, [SCN_OP_VMRESUME] = VMX_OP_VMRESUME,
	    [SCN_OP_VMREAD] = VMX_OP_VMREAD,     [SCN_OP_VMWRITE] = VMX_OP_VMWRITE,
	    [SCN_OP_CHOOSE] = VMX_OP_JMP,
	    [SCN_OP_MOV] = VMX_OP_MOV,           [SCN_OP_ADD] = VMX_OP_ADD,
	    [SCN_OP_SUB] = VMX_OP_SUB,           [SCN_OP_AND] = VMX_OP_AND,
	    [SCN_OP_OR] = VMX_OP_OR,             [SCN_OP_XOR] = VMX_OP_XOR,
	    [SCN_OP_SHL] = VMX_OP_SHL,           [SCN_OP_SHR] = VMX_OP_SHR,
	    [SCN_OP_INC] = VMX_OP_INC,           [SCN_OP_DEC] = VMX_OP_DEC,
	    [SCN_OP_CMP] = VMX_OP_CMP,           [SCN_OP_TEST] = VMX_OP_TEST,
	    [SCN_OP_JE] = VMX_OP_JCC,            [SCN_OP_JNE] = VMX_OP_JCC,
	    [SCN_OP_JZ] = VMX_OP_JCC,            [SCN_OP_JNZ] = VMX_OP_JCC,
	    [SCN_OP_JB] = VMX_OP_JCC,            [SCN_OP_JAE] = VMX_OP_JCC,
	    [SCN_OP_JC] = VMX_OP_JCC,            [SCN_OP_JNC] = VMX_OP_JCC,
	    [SCN_OP_JBE] = VMX_OP_JCC,           [SCN_OP_JA] = VMX_OP_JCC,
	    [SCN_OP_RECORD] = VMX_OP_RECORD,     [SCN_OP_RDMSR] = VMX_OP_RDMSR,
	    [SCN_OP_IN] = VMX_OP_IN,             [SCN_OP_OUT] = VMX_OP_OUT,
	    [SCN_OP_INW] = VMX_OP_IN,            [SCN_OP_INL] = VMX_OP_IN,
	    [SCN_OP_OUTW] = VMX_OP_OUT,          [SCN_OP_OUTL] = VMX_OP_OUT,
	    [SCN_OP_MOV_CR3] = VMX_OP_MOV_CR,    [SCN_OP_MOV_CR8] = VMX_OP_MOV_CR,
	    [SCN_OP_DIV] = VMX_OP_DIV,           [SCN_OP_INTO] = VMX_OP_INTO,
	    [SCN_OP_ICEBP] = VMX_OP_INT1,        [SCN_OP_INT1] = VMX_OP_INT1,
	    [SCN_OP_PAUSE] = VMX_OP_PAUSE,       [SCN_OP_CPUID] = VMX_OP_CPUID,
	    [SCN_OP_RDTSC] = VMX_OP_RDTSC,       [SCN_OP_SET_IDT] = VMX_OP_SET_IDT,
	    [SCN_OP_CLEAR_IDT] = VMX_OP_CLEAR_IDT, [SCN_OP_WRMSR] = VMX_OP_WRMSR,
	    [SCN_OP_MSR_BITMAP_SET] = VMX_OP_MSR_BITMAP, [SCN_OP_MSR_BITMAP_CLEAR] = VMX_OP_MSR_BITMAP,
	    [SCN_OP_VMXON] = VMX_OP_VMXON,       [SCN_OP_VMXOFF] = VMX_OP_VMXOFF,
	    [SCN_OP_VMCLEAR] = VMX_OP_VMCLEAR,   [SCN_OP_VMPTRLD] = VMX_OP_VMPTRLD,
	    [SCN_OP_VMPTRST] = VMX_OP_VMPTRST,
	    [SCN_OP_VAPIC_IRR] = VMX_OP_VAPIC_STORE, [SCN_OP_VAPIC_ISR] = VMX_OP_VAPIC_STORE,
	    [SCN_OP_VAPIC_TPR] = VMX_OP_VAPIC_STORE, [SCN_OP_PI_POST] = VMX_OP_VAPIC_STORE,
	    [SCN_OP_MOV_DR] = VMX_OP_MOV_DR,
	    [SCN_OP_LOAD] = VMX_OP_LOAD,         [SCN_OP_STORE] = VMX_OP_STORE,
	};
	return map[op];
}

/* The condition of a conditional jump. */
static enum x86_cond cond_of(enum scn_op op)
{
	switch (op) {
	case SCN_OP_JE: case SCN_OP_JZ: return X86_CC_E;
	case SCN_OP_JNE: case SCN_OP_JNZ: return X86_CC_NE;
	case SCN_OP_JB: case SCN_OP_JC: return X86_CC_B;
	case SCN_OP_JAE: case SCN_OP_JNC: return X86_CC_AE;
	case SCN_OP_JBE: return X86_CC_BE;
	default: return X86_CC_A;
	}
}

/* Register operands, and a source that is a label's address (resolved by the machine). */
static void operands(const struct scn_insn *in, enum scn_level level, struct vmx_insn *out)
{
	if (in->dst != SCN_NO_REG)
		out->dst = VMX_REG((uint32_t)in->dst);
	if (in->src != SCN_NO_REG)
		out->src = VMX_REG((uint32_t)in->src);
	if (in->value_label) {
		out->arg2 = in->value_target;
		/* An L1 instruction may name a label of L2 (`vmwrite GUEST_RIP l2_main`). */
		out->arg2_kind = in->value_label_level != level ? VMX_ARG2_L2_INSN : VMX_ARG2_INSN;
	}
}

void scenario_insn_operation(const struct scn_insn *in, enum scn_level level, struct vmx_insn *out)
{
	out->op = op_of(in->op);
	switch (in->op) {
	case SCN_OP_INT:
		out->arg = in->vector;
		break;
	case SCN_OP_JMP:
		out->arg = in->target;
		break;
	case SCN_OP_VMREAD:
		out->arg = in->encoding;
		break;
	case SCN_OP_VMWRITE:
		out->arg = in->encoding;
		out->arg2 = in->value;
		break;
	case SCN_OP_MOV: case SCN_OP_ADD: case SCN_OP_SUB: case SCN_OP_AND: case SCN_OP_OR:
	case SCN_OP_XOR: case SCN_OP_SHL: case SCN_OP_SHR: case SCN_OP_CMP: case SCN_OP_TEST:
		out->arg2 = in->value;
		break;
	case SCN_OP_JE: case SCN_OP_JNE: case SCN_OP_JZ: case SCN_OP_JNZ: case SCN_OP_JB:
	case SCN_OP_JAE: case SCN_OP_JC: case SCN_OP_JNC: case SCN_OP_JBE: case SCN_OP_JA:
		out->arg = in->target;
		out->arg2 = cond_of(in->op);
		break;
	case SCN_OP_RECORD:
		out->arg = in->regs;
		break;
	case SCN_OP_RDMSR:
		out->arg = in->msr;
		break;
	case SCN_OP_WRMSR:
		out->arg = in->msr;
		out->arg2 = in->value;
		break;
	case SCN_OP_MSR_BITMAP_SET:
	case SCN_OP_MSR_BITMAP_CLEAR:
		out->arg = in->msr;
		out->arg2 = (in->write ? VMX_MSR_BITMAP_WRITE : 0u) | (in->op == SCN_OP_MSR_BITMAP_SET ? VMX_MSR_BITMAP_SET : 0u);
		break;
	case SCN_OP_IN:
	case SCN_OP_OUT:
		out->arg = in->port;
		break;
	case SCN_OP_INW:
	case SCN_OP_INL:
	case SCN_OP_OUTW:
	case SCN_OP_OUTL:
		out->arg = in->port;
		out->arg2 = in->op == SCN_OP_INW || in->op == SCN_OP_OUTW ? 2u : 4u;   /* vmx_io_size */
		break;
	case SCN_OP_VAPIC_IRR:
	case SCN_OP_VAPIC_ISR:
	case SCN_OP_VAPIC_TPR:
	case SCN_OP_PI_POST:
		out->arg = in->op == SCN_OP_VAPIC_IRR ? VAPIC_IRR : in->op == SCN_OP_VAPIC_ISR ? VAPIC_ISR
		         : in->op == SCN_OP_VAPIC_TPR ? VAPIC_TPR : VMX_PI_DESC_PIR;
		out->arg2 = in->vector;
		break;
	case SCN_OP_MOV_CR3:
	case SCN_OP_MOV_CR8:
		out->arg = in->op == SCN_OP_MOV_CR3 ? 3u : 8u;
		if (in->src == SCN_NO_REG) {
			/* `mov-cr8 VALUE`: MOV RAX, VALUE then MOV CR8, RAX, in one instruction. */
			out->dst = out->src = VMX_REG(0u);
			out->arg2 = in->value;
		}
		break;
	case SCN_OP_MOV_DR:
		out->arg = in->dr | (in->dr_from ? VMX_MOV_DR_FROM : 0u);
		if (!in->dr_from && in->src == SCN_NO_REG) {
			/* `mov dr0 VALUE|LABEL`: MOV RAX, VALUE then MOV DR0, RAX, in one instruction (as mov-cr8). */
			out->dst = out->src = VMX_REG(0u);
			out->arg2 = in->value;
		}
		break;
	case SCN_OP_MOV_SS:
	case SCN_OP_LOAD:
		out->arg = in->size ? VMX_MEM_OPERAND(in->addr, in->size) : 0u;
		break;
	case SCN_OP_STORE:
		out->arg = VMX_MEM_OPERAND(in->addr, in->size);
		out->arg2 = in->value;
		break;
	case SCN_OP_SET_IDT:
		out->arg = in->vector | (uint64_t)(in->gate == SCN_GATE_TRAP ? VMX_GATE_TRAP : VMX_GATE_INTERRUPT) << 8;
		out->arg2 = in->target;
		out->arg2_kind = VMX_ARG2_INSN;
		break;
	case SCN_OP_CLEAR_IDT:
		out->arg = in->vector;
		break;
	case SCN_OP_VMXON:
	case SCN_OP_VMCLEAR:
	case SCN_OP_VMPTRLD:
		/* A region's address (VMX_REGION_ADDR), or the address written; a register is operands()'. */
		out->arg = in->region ? VMX_REGION_ADDR(in->region_idx) : in->value;
		break;
	default:
		break;
	}
	operands(in, level, out);
}
