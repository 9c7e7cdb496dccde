/* SPDX-License-Identifier: Apache-2.0 */
/*
 * guest_mem.c - program layout and fetch, empty guest memory.
 */
#include "model/hw/guest_mem.h"

#include <string.h>

#include "vmcs/vmcs.h"

static const struct {
	const char *name;
	uint32_t len;   /* x86 encoding length the operation stands for */
} op_table[VMX_OP_COUNT] = {
    [VMX_OP_WORK] = {"work", 1},     [VMX_OP_NOP] = {"nop", 1},
    [VMX_OP_STI] = {"sti", 1},       [VMX_OP_CLI] = {"cli", 1},
    [VMX_OP_MOV_SS] = {"mov-ss", 2}, [VMX_OP_IRET] = {"iret", 2},   /* 48 cf */
    [VMX_OP_HLT] = {"hlt", 1},       [VMX_OP_INT] = {"int", 2},     /* cd ib */
    [VMX_OP_INT3] = {"int3", 1},     [VMX_OP_UD2] = {"ud2", 2},
    [VMX_OP_VMCALL] = {"vmcall", 3}, [VMX_OP_EOI] = {"eoi", 2},     /* wrmsr */
    [VMX_OP_JMP] = {"jmp", 2},       [VMX_OP_IPI] = {"ipi", 2},     /* wrmsr */
    [VMX_OP_VMLAUNCH] = {"vmlaunch", 3}, [VMX_OP_VMRESUME] = {"vmresume", 3},
    [VMX_OP_VMREAD] = {"vmread", 3}, [VMX_OP_VMWRITE] = {"vmwrite", 3},
    [VMX_OP_MOV] = {"mov", 3},       [VMX_OP_ADD] = {"add", 3},     /* REX.W + opcode + ModRM */
    [VMX_OP_SUB] = {"sub", 3},       [VMX_OP_AND] = {"and", 3},
    [VMX_OP_OR] = {"or", 3},         [VMX_OP_XOR] = {"xor", 3},
    [VMX_OP_SHL] = {"shl", 4},       [VMX_OP_SHR] = {"shr", 4},     /* REX.W c1 /r ib */
    [VMX_OP_INC] = {"inc", 3},       [VMX_OP_DEC] = {"dec", 3},
    [VMX_OP_CMP] = {"cmp", 3},       [VMX_OP_TEST] = {"test", 3},
    [VMX_OP_JCC] = {"jcc", 2},       [VMX_OP_RECORD] = {"record", 1},
    [VMX_OP_RDMSR] = {"rdmsr", 2},   /* 0f 32 */
    [VMX_OP_IN] = {"in", 2},         [VMX_OP_OUT] = {"out", 2},     /* e4/e6 ib; ec/ee with DX: 1 */
    [VMX_OP_MOV_CR] = {"mov-cr", 3}, /* 0f 22 /r; a REX prefix for CR8 or R8-R15: 4 */
    [VMX_OP_DIV] = {"div", 3},       /* REX.W f7 /6 */
    [VMX_OP_INTO] = {"into", 1},     [VMX_OP_INT1] = {"int1", 1},   /* ce; f1 */
    [VMX_OP_PAUSE] = {"pause", 2},   [VMX_OP_CPUID] = {"cpuid", 2}, /* f3 90; 0f a2 */
    [VMX_OP_RDTSC] = {"rdtsc", 2},   /* 0f 31 */
    /* The stores that write one 16-byte gate, counted as one instruction (REX.W 89 /r). */
    [VMX_OP_SET_IDT] = {"set-idt", 3}, [VMX_OP_CLEAR_IDT] = {"clear-idt", 3},
    [VMX_OP_WRMSR] = {"wrmsr", 2},   /* 0f 30 */
    [VMX_OP_MSR_BITMAP] = {"msr-bitmap", 4}, /* bts/btr m32, imm8: 0f ba /5 ib (the address in a register) */
    [VMX_OP_VMXON] = {"vmxon", 4},   /* f3 0f c7 /6 */
    [VMX_OP_VMXOFF] = {"vmxoff", 3}, /* 0f 01 c4 */
    [VMX_OP_VMCLEAR] = {"vmclear", 4}, /* 66 0f c7 /6 */
    [VMX_OP_VMPTRLD] = {"vmptrld", 3}, /* 0f c7 /6 */
    [VMX_OP_VMPTRST] = {"vmptrst", 3}, /* 0f c7 /7 */
    [VMX_OP_MOV_DR] = {"mov-dr", 3}, /* 0f 23 /r or 0f 21 /r; a REX prefix for R8-R15: 4 */
    [VMX_OP_VAPIC_STORE] = {"vapic-store", 4}, /* bts m32, imm8 or mov m8, imm8 (the address in a register) */
    [VMX_OP_LOAD] = {"load", 8},     /* REX.W 8b /r, ModRM + SIB + disp32: an absolute address */
    [VMX_OP_STORE] = {"store", 8},   /* REX.W 89 /r, the same addressing */
};

uint32_t vmx_op_length(enum vmx_op op, uint64_t arg)
{
	if (op == VMX_OP_WORK)
		return arg == 0 ? 1u : (arg > UINT32_MAX ? UINT32_MAX : (uint32_t)arg);
	return (unsigned)op < VMX_OP_COUNT ? op_table[op].len : 1u;
}

/*
 * A load or store with a 32-bit absolute address (ModRM, SIB, disp32): the
 * opcode, a 66 prefix for a word, REX.W for a quadword (0f b6/b7 for the
 * zero-extending byte and word loads), and a store's immediate (1, 2 or 4
 * bytes; a quadword's is 4, sign-extended). A REX prefix for R8-R15, and
 * for SPL, BPL, SIL and DIL as a byte store's source, unless REX.W is
 * there already.
 */
static uint32_t mem_insn_length(const struct vmx_insn *in)
{
	uint32_t size = VMX_MEM_SIZE(in->arg), len = 7;   /* opcode, ModRM, SIB, disp32 */
	uint8_t reg = in->op == VMX_OP_LOAD ? in->dst : in->src;
	bool rex = reg && size != 8 &&
	           (VMX_REG_NUM(reg) >= 8 || (in->op == VMX_OP_STORE && size == 1 && VMX_REG_NUM(reg) >= 4));

	if (in->op == VMX_OP_LOAD)
		return len + (size == 4 ? 0u : 1u) + (rex ? 1u : 0u);   /* REX.W, or the second opcode byte of MOVZX */
	len += (size == 2 || size == 8 ? 1u : 0u) + (rex ? 1u : 0u);
	if (!in->src)
		len += size == 8 ? 4u : size;
	return len;
}

uint32_t vmx_insn_length(const struct vmx_insn *in)
{
	switch (in->op) {
	case VMX_OP_IN:
	case VMX_OP_OUT:
		/* A port above 0xff is only reachable through DX: the one-byte form; AX needs the 66H prefix. */
		return (in->arg > 0xff ? 1u : 2u) + (vmx_io_size(in) == 2u ? 1u : 0u);
	case VMX_OP_MOV_CR:
		/* CR8 needs REX.R; R8-R15 need REX.B (one REX prefix carries both). */
		return in->arg == 8 || (in->src && VMX_REG_NUM(in->src) >= 8) ? 4u : 3u;
	case VMX_OP_MOV_DR: {
		uint8_t r = (in->arg & VMX_MOV_DR_FROM) ? in->dst : in->src;
		return r && VMX_REG_NUM(r) >= 8 ? 4u : 3u;
	}
	case VMX_OP_MOV_SS:
		/* 8e /2: ModRM alone for AX; ModRM, SIB and disp32 for an absolute m16. */
		return VMX_MEM_SIZE(in->arg) ? 7u : 2u;
	case VMX_OP_LOAD:
	case VMX_OP_STORE:
		return mem_insn_length(in);
	default:
		return vmx_op_length(in->op, in->arg);
	}
}

uint32_t vmx_insn_msr(const struct vmx_insn *in)
{
	switch (in->op) {
	case VMX_OP_EOI:
		return MSR_IA32_X2APIC_EOI;
	case VMX_OP_IPI:
		return MSR_IA32_X2APIC_ICR;
	default:
		return (uint32_t)in->arg;   /* RDMSR, WRMSR */
	}
}

const char *vmx_op_name(enum vmx_op op)
{
	return (unsigned)op < VMX_OP_COUNT ? op_table[op].name : "?";
}

void vmx_program_layout(struct vmx_program *p, struct vmx_insn *insn, uint32_t count, uint64_t base)
{
	uint64_t addr = base;

	p->insn = insn;
	p->count = count;
	p->base = base;
	for (uint32_t i = 0; i < count; i++) {
		insn[i].len = vmx_insn_length(&insn[i]);
		insn[i].addr = addr;
		addr += insn[i].len;
	}
	p->end = addr;
}

const struct vmx_insn *vmx_program_fetch(const struct vmx_program *p, uint64_t rip, uint64_t *offset)
{
	uint32_t hint = UINT32_MAX;
	return vmx_program_fetch_hinted(p, rip, offset, &hint);
}

const struct vmx_insn *vmx_program_fetch_hinted(const struct vmx_program *p, uint64_t rip, uint64_t *offset,
                                                uint32_t *hint)
{
	uint32_t lo = 0, hi;

	if (!p || p->count == 0 || rip < p->base || rip >= p->end)
		return NULL;
	hi = p->count;
	if (*hint < hi && rip - p->insn[*hint].addr < p->insn[*hint].len) {
		lo = *hint;   /* rip lies inside it, so the search would end there too */
		hi = lo + 1;
	}
	while (hi - lo > 1) {               /* last instruction with addr <= rip */
		uint32_t mid = lo + (hi - lo) / 2;
		if (p->insn[mid].addr <= rip)
			lo = mid;
		else
			hi = mid;
	}
	*offset = rip - p->insn[lo].addr;
	*hint = lo;
	/* Only a work block has boundaries inside it. */
	if (*offset != 0 && p->insn[lo].op != VMX_OP_WORK)
		return NULL;
	return &p->insn[lo];
}

struct vmcs *vmx_guest_mem_region(const struct vmx_guest_mem *m, uint64_t addr)
{
	for (uint32_t i = 0; m && i < m->nregions; i++)
		if (m->regions[i].addr == addr)
			return &m->regions[i];
	return NULL;
}

void vmx_guest_mem_init(struct vmx_guest_mem *m, const struct vmx_program *prog)
{
	memset(m, 0, sizeof(*m));
	m->prog = prog;
	m->stack_gpa = 0x7000;
}
