/* SPDX-License-Identifier: Apache-2.0 */
/*
 * emit_x86.c - the instructions of both programs other than the VMX ones,
 * as x86 code with vmxsim's meaning.
 *
 * Every instruction I of program P starts at vx_pP_iI; its one effective
 * x86 instruction - the one that exits, faults or is interrupted as the
 * real one does - is at vx_pP_xI, and vx_pP_eI follows it. Set-up code may
 * come before the effective instruction and restore code after it, with
 * R13-R15 as the only scratch registers and the case's own scratch qword
 * (vx_scratch_pP) for halves of EDX:EAX, so that no register and no flag
 * changes that vmxsim's instruction leaves alone (exec_regs.c, exec_x86.c,
 * exec_msr.c). An instruction that exits is skipped by L1 to vx_pP_eI (its
 * real length), where the restore code runs; set-up values are chosen so
 * that the restore then leaves the destination as vmxsim does (unchanged).
 */
#include <inttypes.h>
#include <stdarg.h>

#include "oracle/scn2asm/scn2asm_internal.h"
#include "vmcs/x86_msr.h"

static const char *const r64[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                    "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
static const char *const r32[16] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
                                    "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"};
static const char *const r8[16] = {"al",  "cl",  "dl",   "bl",   "spl",  "bpl",  "sil",  "dil",
                                   "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b"};

const char *s2a_reg64(unsigned reg) { return r64[reg % 16u]; }
const char *s2a_reg32(unsigned reg) { return r32[reg % 16u]; }
const char *s2a_reg8(unsigned reg) { return r8[reg % 16u]; }

void s2a_op(struct s2a *c, const char *fmt, ...)
{
	va_list ap;

	fputc('\t', c->out);
	va_start(ap, fmt);
	vfprintf(c->out, fmt, ap);
	va_end(ap);
	fputc('\n', c->out);
}

void s2a_at_x(struct s2a *c)
{
	fprintf(c->out, "vx_p%d_x%u:\n", c->cur_p, c->cur_i);
}

void s2a_at_e(struct s2a *c)
{
	fprintf(c->out, "vx_p%d_e%u:\n", c->cur_p, c->cur_i);
}

/* The one x86 instruction of a vmxsim instruction that needs nothing around it. */
static void single(struct s2a *c, const char *fmt, ...)
{
	va_list ap;

	s2a_at_x(c);
	fputc('\t', c->out);
	va_start(ap, fmt);
	vfprintf(c->out, fmt, ap);
	va_end(ap);
	fputc('\n', c->out);
	s2a_at_e(c);
}

static unsigned reg_of(uint8_t operand)
{
	return VMX_REG_NUM(operand) % 16u;
}

/* Does v fit the sign-extended imm32 of an ALU instruction? */
static bool imm32(uint64_t v)
{
	return (int64_t)v >= INT32_MIN && (int64_t)v <= INT32_MAX;
}

/* ---- RDMSR, WRMSR, RDTSC (EDX:EAX) ----------------------------------- */

static void save_rax_rcx_rdx(struct s2a *c)
{
	s2a_op(c, "mov r13, rax");
	s2a_op(c, "mov r14, rcx");
	s2a_op(c, "mov r15, rdx");
}

static void restore_rax_rcx_rdx(struct s2a *c)
{
	s2a_op(c, "mov rax, r13");
	s2a_op(c, "mov rcx, r14");
	s2a_op(c, "mov rdx, r15");
}

/* WRMSR of ECX = msr, EDX:EAX = the register src (x86 number) or the value; no register changes. */
static void wrmsr_seq(struct s2a *c, uint32_t msr, int src, uint64_t value)
{
	static const char *const saved[3] = {"r13", "r14", "r15"};   /* RAX, RCX, RDX as they were */

	save_rax_rcx_rdx(c);
	if (src >= 0) {
		const char *s = src <= 2 ? saved[src] : s2a_reg64((unsigned)src);
		s2a_op(c, "mov [vx_scratch_p%d], %s", c->cur_p, s);
		s2a_op(c, "mov eax, [vx_scratch_p%d]", c->cur_p);
		s2a_op(c, "mov edx, [vx_scratch_p%d + 4]", c->cur_p);
	} else {
		s2a_op(c, "mov eax, 0x%" PRIx32, (uint32_t)value);
		s2a_op(c, "mov edx, 0x%" PRIx32, (uint32_t)(value >> 32));
	}
	s2a_op(c, "mov ecx, 0x%" PRIx32, msr);
	single(c, "wrmsr");
	restore_rax_rcx_rdx(c);
}

/*
 * RDMSR or RDTSC into dst (EDX:EAX as one value). EDX:EAX start as dst's
 * own value, so that an instruction that exits and is skipped leaves dst
 * as it was, as in vmxsim.
 */
static void read_edx_eax_seq(struct s2a *c, const char *insn, int64_t msr, unsigned dst)
{
	int p = c->cur_p;

	save_rax_rcx_rdx(c);
	s2a_op(c, "mov [vx_scratch_p%d], %s", p, s2a_reg64(dst));
	s2a_op(c, "mov eax, [vx_scratch_p%d]", p);
	s2a_op(c, "mov edx, [vx_scratch_p%d + 4]", p);
	if (msr >= 0)
		s2a_op(c, "mov ecx, 0x%" PRIx32, (uint32_t)msr);
	single(c, "%s", insn);
	s2a_op(c, "mov [vx_scratch_p%d], eax", p);
	s2a_op(c, "mov [vx_scratch_p%d + 4], edx", p);
	restore_rax_rcx_rdx(c);
	s2a_op(c, "mov %s, [vx_scratch_p%d]", s2a_reg64(dst), p);
}

/* The ICR of an IPI (x2APIC, SDM Vol. 3A 11.12.9): destination = the vCPU's APIC ID, level assert. */
static uint64_t icr_of(const struct vmx_insn *in)
{
	uint64_t low = (in->arg2 & VMX_IPI_MODE_MASK) == VMX_IPI_NMI ? 0x400u /* NMI */ : (in->arg2 & 0xffu);
	return in->arg << 32 | 0x4000u | low;
}

/* ---- IN, OUT ----------------------------------------------------------- */

/*
 * IN AL of one byte into dst's low byte. AL is first loaded with that byte:
 * skipped after an exit, the instruction leaves dst as it was.
 */
static const char *const r16[16] = {"ax",  "cx",  "dx",   "bx",   "sp",   "bp",   "si",   "di",
                                    "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w"};

/* Register `reg` at the width of `size` bytes: AL, AX, EAX, RAX and the like. */
static const char *io_reg(unsigned reg, uint32_t size)
{
	return size == 8u ? s2a_reg64(reg) : size == 4u ? s2a_reg32(reg) : size == 2u ? r16[reg % 16u] : s2a_reg8(reg);
}

static void in_seq(struct s2a *c, unsigned dst, uint64_t port, uint32_t size)
{
	bool dx = port > 0xff;

	/*
	 * A 32-bit IN that exits and is skipped leaves REG as it was, one that
	 * runs writes EAX zero-extended: REG travels through RAX whole (a
	 * 32-bit MOV back would clear its upper half in both cases).
	 */
	const uint32_t moved = size == 4u ? 8u : size;

	if (dst != 0) {
		s2a_op(c, "mov r13, rax");
		s2a_op(c, "mov %s, %s", io_reg(0, moved), io_reg(dst, moved));
	}
	if (dx) {
		s2a_op(c, "mov r14, rdx");
		s2a_op(c, "mov edx, 0x%" PRIx64, port);
		single(c, "in %s, dx", io_reg(0, size));
	} else {
		single(c, "in %s, 0x%" PRIx64, io_reg(0, size), port);
	}
	/* RDX is in R14 while DX holds the port; a 32-bit MOV zero-extends, as the 32-bit IN does. */
	if (dst != 0)
		s2a_op(c, "mov %s, %s", io_reg(dx && dst == 2 ? 14u : dst, moved), io_reg(0, moved));
	if (dst != 0)
		s2a_op(c, "mov rax, r13");
	if (dx)
		s2a_op(c, "mov rdx, r14");
}

static void out_seq(struct s2a *c, uint64_t port, uint32_t size)
{
	if (port <= 0xff) {
		single(c, "out 0x%" PRIx64 ", %s", port, io_reg(0, size));
		return;
	}
	s2a_op(c, "mov r14, rdx");
	s2a_op(c, "mov edx, 0x%" PRIx64, port);
	single(c, "out dx, %s", io_reg(0, size));
	s2a_op(c, "mov rdx, r14");
}

/* ---- registers --------------------------------------------------------- */

static const char *alu_name(enum vmx_op op)
{
	switch (op) {
	case VMX_OP_ADD: return "add";
	case VMX_OP_SUB: return "sub";
	case VMX_OP_AND: return "and";
	case VMX_OP_OR: return "or";
	case VMX_OP_XOR: return "xor";
	case VMX_OP_CMP: return "cmp";
	case VMX_OP_SHL: return "shl";
	case VMX_OP_SHR: return "shr";
	case VMX_OP_INC: return "inc";
	case VMX_OP_DEC: return "dec";
	default: return "test";
	}
}

/* An immediate of L1 that is a region's address is the payload's region (`mov rax 0x101000`). */
static const char *imm_expr(struct s2a *c, uint64_t v, char *buf, size_t n)
{
	if (c->cur_p == 1 && s2a_region_symbol(c, v, buf, n))
		return buf;
	snprintf(buf, n, "0x%" PRIx64, v);
	return buf;
}

static void shift_seq(struct s2a *c, const char *name, unsigned dst, const struct vmx_insn *in)
{
	unsigned src = in->src ? reg_of(in->src) : 16u;

	if (src == 16u) {
		single(c, "%s %s, %" PRIu64, name, s2a_reg64(dst), in->arg2 & 63u);
		return;
	}
	if (src == 1) {
		single(c, "%s %s, cl", name, s2a_reg64(dst));
		return;
	}
	/* The count goes in CL; RCX is kept in R13 (and shifted there when it is the destination). */
	s2a_op(c, "mov r13, rcx");
	s2a_op(c, "mov rcx, %s", s2a_reg64(src));
	single(c, "%s %s, cl", name, dst == 1 ? "r13" : s2a_reg64(dst));
	s2a_op(c, "mov rcx, r13");
}

static void register_insn(struct s2a *c, const struct scn_insn *si, const struct vmx_insn *in)
{
	unsigned dst = reg_of(in->dst);
	const char *name = alu_name(in->op);
	char *b = c->tmp[0];

	if (in->op == VMX_OP_MOV) {
		if (si->value_label)
			single(c, "mov %s, vx_p%d_i%u", s2a_reg64(dst), (int)si->value_label_level, si->value_target);
		else if (in->src)
			single(c, "mov %s, %s", s2a_reg64(dst), s2a_reg64(reg_of(in->src)));
		else
			single(c, "mov %s, %s", s2a_reg64(dst), imm_expr(c, in->arg2, b, sizeof(c->tmp[0])));
		return;
	}
	if (in->op == VMX_OP_INC || in->op == VMX_OP_DEC) {
		single(c, "%s %s", name, s2a_reg64(dst));
		return;
	}
	if (in->op == VMX_OP_SHL || in->op == VMX_OP_SHR) {
		shift_seq(c, name, dst, in);
		return;
	}
	if (in->src)
		single(c, "%s %s, %s", name, s2a_reg64(dst), s2a_reg64(reg_of(in->src)));
	else if (in->op == VMX_OP_CMP && c->cur_p == 1 && s2a_region_symbol(c, in->arg2, b, sizeof(c->tmp[0])))
		single(c, "cmp %s, %s", s2a_reg64(dst), b);
	else if (imm32(in->arg2))
		single(c, "%s %s, %" PRId64, name, s2a_reg64(dst), (int64_t)in->arg2);
	else {
		/* No imm64 form: the value goes through R13 (x86 would sign-extend an imm32). */
		s2a_op(c, "mov r13, 0x%" PRIx64, in->arg2);
		single(c, "%s %s, r13", name, s2a_reg64(dst));
	}
}

static const char *jcc_name(enum scn_op op)
{
	switch (op) {
	case SCN_OP_JE: case SCN_OP_JZ: return "je";
	case SCN_OP_JNE: case SCN_OP_JNZ: return "jne";
	case SCN_OP_JB: case SCN_OP_JC: return "jb";
	case SCN_OP_JAE: case SCN_OP_JNC: return "jae";
	case SCN_OP_JBE: return "jbe";
	default: return "ja";
	}
}

/* ---- the rest ---------------------------------------------------------- */

/*
 * CPUID in root operation: vmxsim answers zeros, with VMX (ECX bit 5) for
 * leaf 1 (exec_x86.c vmx_cpuid), not the processor's tables. The real
 * CPUID runs (it is the instruction), then the registers get vmxsim's
 * answer without touching RFLAGS (JECXZ reads no flag).
 */
static void cpuid_root(struct s2a *c)
{
	int p = c->cur_p;
	uint32_t i = c->cur_i;

	s2a_op(c, "mov r13, rax");
	single(c, "cpuid");
	s2a_op(c, "mov eax, 0");
	s2a_op(c, "mov ebx, 0");
	s2a_op(c, "mov edx, 0");
	s2a_op(c, "lea ecx, [r13 - 1]");
	s2a_op(c, "jecxz vxc_p%d_%u", p, i);
	s2a_op(c, "mov ecx, 0");
	s2a_op(c, "jmp short vxd_p%d_%u", p, i);
	fprintf(c->out, "vxc_p%d_%u:\n", p, i);
	s2a_op(c, "mov ecx, 0x20");
	fprintf(c->out, "vxd_p%d_%u:\n", p, i);
}

/* A store to the MSR-bitmap page of L2's VMCS (vmcs/msr_bitmap.c): BTS/BTR, RFLAGS kept. */
static void msr_bitmap_seq(struct s2a *c, const struct vmx_insn *in)
{
	uint32_t msr = (uint32_t)in->arg, base = (in->arg2 & VMX_MSR_BITMAP_WRITE) ? 2048u : 0u, n;

	if (!msr_bitmap_covers(msr)) {
		single(c, "nop");   /* no bit for this MSR: the store writes nothing */
		return;
	}
	if (msr >= 0xc0000000u) {
		base += 1024u;
		msr -= 0xc0000000u;
	}
	n = msr;
	s2a_op(c, "pushfq");
	single(c, "%s dword [rt_msr_bitmap + %u], %u", (in->arg2 & VMX_MSR_BITMAP_SET) ? "bts" : "btr",
	       base + n / 32u * 4u, n % 32u);
	s2a_op(c, "popfq");
}

/* set-idt / clear-idt: the runtime owns the IDTs (case_abi.h rt_set_gate). */
static void gate_seq(struct s2a *c, const struct scn_insn *si, const struct vmx_insn *in)
{
	enum vmx_gate_type t = in->op == VMX_OP_SET_IDT ? (enum vmx_gate_type)((in->arg >> 8) & 0xffu) : VMX_GATE_NONE;
	uint64_t type = t == VMX_GATE_TRAP ? CASE_GATE_TRAP : t == VMX_GATE_INTERRUPT ? CASE_GATE_INTERRUPT : CASE_GATE_NONE;

	s2a_op(c, "push qword 0x%" PRIx64, (in->arg & 0xffu) | type << 8 | (uint64_t)c->cur_p << 16);
	if (in->op == VMX_OP_SET_IDT)
		s2a_op(c, "push qword vx_p%d_i%u", c->cur_p, si->target);
	else
		s2a_op(c, "push qword 0");
	single(c, "call rt_set_gate");
}

static void emit_x86(struct s2a *c, const struct scn_insn *si, const struct vmx_insn *in)
{
	int p = c->cur_p;

	switch (in->op) {
	case VMX_OP_WORK: single(c, "times %u nop", in->len); break;
	case VMX_OP_NOP: single(c, "nop"); break;
	case VMX_OP_STI: single(c, "sti"); break;
	case VMX_OP_CLI: single(c, "cli"); break;
	/* A valid data selector: blocking by MOV SS, nothing else (the runtime's flat data segment). */
	case VMX_OP_MOV_SS: single(c, "mov ss, [vx_data_selector]"); break;
	case VMX_OP_IRET: single(c, "iretq"); break;
	case VMX_OP_HLT:
		if (p == 2) {
			single(c, "hlt");
		} else {
			s2a_op(c, "push qword vx_p1_x%u", c->cur_i);
			single(c, "jmp rt_l1_hlt");   /* the case ends */
		}
		break;
	case VMX_OP_INT: single(c, "int 0x%" PRIx64, in->arg & 0xffu); break;
	case VMX_OP_INT3: single(c, "int3"); break;
	case VMX_OP_UD2: single(c, "ud2"); break;
	case VMX_OP_INTO: single(c, "db 0xce   ; INTO: #UD in 64-bit mode"); break;
	case VMX_OP_INT1: single(c, "db 0xf1   ; INT1 (ICEBP)"); break;
	case VMX_OP_PAUSE: single(c, "pause"); break;
	case VMX_OP_EOI: wrmsr_seq(c, MSR_IA32_X2APIC_EOI, -1, 0); break;
	case VMX_OP_IPI: wrmsr_seq(c, MSR_IA32_X2APIC_ICR, -1, icr_of(in)); break;
	case VMX_OP_WRMSR: wrmsr_seq(c, (uint32_t)in->arg, in->src ? (int)reg_of(in->src) : -1, in->arg2); break;
	case VMX_OP_RDMSR: read_edx_eax_seq(c, "rdmsr", (int64_t)(uint32_t)in->arg, reg_of(in->dst)); break;
	case VMX_OP_RDTSC: read_edx_eax_seq(c, "rdtsc", -1, reg_of(in->dst)); break;
	case VMX_OP_JMP: single(c, "jmp near vx_p%d_i%u", p, si->target); break;
	case VMX_OP_JCC: single(c, "%s near vx_p%d_i%u", jcc_name(si->op), p, si->target); break;
	case VMX_OP_RECORD:
		s2a_op(c, "push qword 0x%" PRIx64, in->arg);
		s2a_op(c, "push qword vx_p%d_x%u", p, c->cur_i);
		single(c, "call rt_record");
		break;
	case VMX_OP_IN: in_seq(c, reg_of(in->dst), in->arg, vmx_io_size(in)); break;
	case VMX_OP_OUT: out_seq(c, in->arg, vmx_io_size(in)); break;
	case VMX_OP_MOV_CR:
		/* `mov-cr8 VALUE`: MOV RAX, VALUE first; RAX keeps it, also when the MOV exits. */
		if (in->dst)
			s2a_op(c, "mov rax, 0x%" PRIx64, in->arg2);
		single(c, "mov cr%" PRIu64 ", %s", in->arg, s2a_reg64(reg_of(in->src)));
		break;
	case VMX_OP_MOV_DR:
		if (in->arg & VMX_MOV_DR_FROM) {
			single(c, "mov %s, dr%" PRIu64, s2a_reg64(reg_of(in->dst)), in->arg & 7u);
			break;
		}
		/* `mov dr7 VALUE`: MOV RAX, VALUE first, as for `mov-cr8 VALUE`. */
		if (in->dst)
			s2a_op(c, "mov rax, 0x%" PRIx64, in->arg2);
		single(c, "mov dr%" PRIu64 ", %s", in->arg & 7u, s2a_reg64(reg_of(in->src)));
		break;
	case VMX_OP_DIV: single(c, "div %s", s2a_reg64(reg_of(in->src))); break;
	case VMX_OP_CPUID:
		if (p == 2)
			single(c, "cpuid");   /* it exits unconditionally in VMX non-root operation */
		else
			cpuid_root(c);
		break;
	case VMX_OP_SET_IDT:
	case VMX_OP_CLEAR_IDT: gate_seq(c, si, in); break;
	case VMX_OP_MSR_BITMAP: msr_bitmap_seq(c, in); break;
	default: register_insn(c, si, in); break;
	}
}

bool s2a_single_x86(const struct s2a *c, int p, uint32_t i)
{
	const struct vmx_insn *in = &c->p[p].insn[i];

	switch (in->op) {
	case VMX_OP_EOI: case VMX_OP_IPI: case VMX_OP_RDMSR: case VMX_OP_WRMSR: case VMX_OP_RDTSC:
	case VMX_OP_RECORD: case VMX_OP_SET_IDT: case VMX_OP_CLEAR_IDT: case VMX_OP_MSR_BITMAP:
		return false;
	case VMX_OP_HLT: case VMX_OP_CPUID:
		return p == 2;
	case VMX_OP_IN:
		return reg_of(in->dst) == 0 && in->arg <= 0xff;
	case VMX_OP_OUT:
		return in->arg <= 0xff;
	case VMX_OP_MOV_CR:
		return in->dst == 0;
	case VMX_OP_MOV_DR:
		return (in->arg & VMX_MOV_DR_FROM) || in->dst == 0;
	case VMX_OP_SHL: case VMX_OP_SHR:
		return !in->src || reg_of(in->src) == 1;
	case VMX_OP_ADD: case VMX_OP_SUB: case VMX_OP_AND: case VMX_OP_OR: case VMX_OP_XOR: case VMX_OP_CMP:
	case VMX_OP_TEST:
		return in->src || imm32(in->arg2);
	case VMX_OP_VMCALL:
		return p == 2;
	case VMX_OP_VMLAUNCH: case VMX_OP_VMRESUME: case VMX_OP_VMREAD: case VMX_OP_VMWRITE: case VMX_OP_VMXON:
	case VMX_OP_VMXOFF: case VMX_OP_VMCLEAR: case VMX_OP_VMPTRLD: case VMX_OP_VMPTRST:
		return false;
	default:
		return true;
	}
}

void s2a_emit_insn(struct s2a *c, int p, uint32_t i)
{
	const struct scn_insn *si = &c->p[p].g->insns[i];
	const struct vmx_insn *in = &c->p[p].insn[i];

	c->cur_p = p;
	c->cur_i = i;
	fprintf(c->out, "; %u: %s (vmxsim 0x%" PRIx64 ", %u bytes)\n", si->loc.line, scn_op_name(si->op), in->addr,
	        in->len);
	fprintf(c->out, "vx_p%d_i%u:\n", p, i);
	if (!s2a_emit_vmx(c, si, in))
		emit_x86(c, si, in);
}
