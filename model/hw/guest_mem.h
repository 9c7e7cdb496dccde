/* SPDX-License-Identifier: Apache-2.0 */
/*
 * guest_mem.h - what the model keeps of a guest's memory: its program text,
 * its IDT, its stack of interrupt frames, its registers and, for a
 * hypervisor, the MSR-bitmap page of its guest.
 *
 * Programs are sequences of guest operations at real addresses. A `work N`
 * block is N one-byte, one-unit instructions, so RIP inside it is exact when
 * an event interrupts it, and the run loop can execute it in bulk.
 */
#ifndef VMXSIM_GUEST_MEM_H
#define VMXSIM_GUEST_MEM_H

#include <stdbool.h>
#include <stdint.h>

#include "vmcs/msr_bitmap.h"
#include "vmcs/x86_data_area.h"
#include "vmcs/x86_gpr.h"
#include "vmcs/x86_msr.h"

#ifdef __cplusplus
extern "C" {
#endif

enum vmx_op {
	VMX_OP_WORK,      /* arg = units of ALU work; length arg bytes */
	VMX_OP_NOP,
	VMX_OP_STI,
	VMX_OP_CLI,
	VMX_OP_MOV_SS,    /* MOV SS, AX (arg 0), or MOV SS, m16: arg = VMX_MEM_OPERAND(address, 2) */
	VMX_OP_IRET,
	VMX_OP_HLT,
	VMX_OP_INT,       /* INT n, arg = vector (software interrupt, type 4) */
	VMX_OP_INT3,      /* #BP, software exception (type 6) */
	VMX_OP_UD2,       /* #UD, hardware exception (type 3, fault) */
	VMX_OP_VMCALL,
	VMX_OP_EOI,       /* WRMSR to the x2APIC EOI register (MSR_IA32_X2APIC_EOI) */
	VMX_OP_JMP,       /* arg = target address */
	VMX_OP_IPI,       /* WRMSR to the x2APIC ICR (MSR_IA32_X2APIC_ICR): arg = destination, arg2 = vector or VMX_IPI_NMI */
	VMX_OP_VMLAUNCH,
	VMX_OP_VMRESUME,
	VMX_OP_VMREAD,    /* arg = field encoding */
	VMX_OP_VMWRITE,   /* arg = field encoding; the value is register src, or arg2 */
	/* Register instructions: dst op= (register src, or arg2 when there is no src). */
	VMX_OP_MOV,
	VMX_OP_ADD,
	VMX_OP_SUB,
	VMX_OP_AND,
	VMX_OP_OR,
	VMX_OP_XOR,
	VMX_OP_SHL,
	VMX_OP_SHR,
	VMX_OP_INC,       /* dst += 1, CF kept */
	VMX_OP_DEC,
	VMX_OP_CMP,       /* flags of dst - source */
	VMX_OP_TEST,      /* flags of dst & source */
	VMX_OP_JCC,       /* arg = target address, arg2 = enum x86_cond */
	VMX_OP_RECORD,    /* arg = mask of registers whose values the trace records */
	VMX_OP_RDMSR,     /* dst = the MSR arg (ECX = arg, then EDX:EAX combined) */
	/* The instructions of exec_x86.c. */
	VMX_OP_IN,        /* IN AL/AX/EAX, port: arg = port, arg2 = size (vmx_io_size); register dst plays RAX's part */
	VMX_OP_OUT,       /* OUT port, AL/AX/EAX: arg = port, arg2 = size (vmx_io_size), from RAX */
	VMX_OP_MOV_CR,    /* MOV to CR: arg = 3 or 8, src = the register; dst (RAX) gets arg2 first if set */
	VMX_OP_DIV,       /* DIV r64: RDX:RAX / src; #DE on 0 or a quotient that does not fit */
	VMX_OP_INTO,      /* INTO: invalid in 64-bit mode, #UD */
	VMX_OP_INT1,      /* INT1 (ICEBP): #DB as a privileged software exception (type 5) */
	VMX_OP_PAUSE,
	VMX_OP_CPUID,     /* leaf EAX, subleaf ECX -> EAX, EBX, ECX, EDX */
	VMX_OP_RDTSC,     /* dst = the TSC (EDX:EAX combined) */
	VMX_OP_SET_IDT,   /* arg = vector | enum vmx_gate_type << 8, arg2 = handler address */
	VMX_OP_CLEAR_IDT, /* arg = vector: the gate becomes not present */
	VMX_OP_WRMSR,     /* the MSR arg = register src, or arg2 (an x2APIC timer register) */
	VMX_OP_MSR_BITMAP,/* a store to the program's MSR-bitmap page: the bit of MSR arg, arg2 = VMX_MSR_BITMAP_* */
	/*
	 * VMX instructions on regions (exec_vmx.c): the operand is a physical
	 * address, arg, or the value of register src (standing for the m64
	 * operand in memory).
	 */
	VMX_OP_VMXON,
	VMX_OP_VMXOFF,
	VMX_OP_VMCLEAR,
	VMX_OP_VMPTRLD,
	VMX_OP_VMPTRST,   /* dst = the current-VMCS pointer */
	VMX_OP_MOV_DR,    /* MOV to or from DRn: arg = n | VMX_MOV_DR_FROM; from: dst; to: src (dst = RAX gets arg2 first if set) */
	VMX_OP_VAPIC_STORE,/* a store to the virtual-APIC page or PI descriptor of the current VMCS: arg = VAPIC_* offset
	                      (vmcs/virtual_apic.h) or VMX_PI_DESC_PIR, arg2 = the vector or value */
	/* Data accesses in the data area (vmcs/x86_data_area.h): arg = VMX_MEM_OPERAND(address, size). */
	VMX_OP_LOAD,      /* dst = the bytes at the address, zero-extended (MOV r64, m64; MOV r32, m32; MOVZX) */
	VMX_OP_STORE,     /* the low `size` bytes of register src, or arg2, to the address (MOV m, r; MOV m, imm) */
	VMX_OP_COUNT
};

/* arg2 of VMX_OP_IPI: a vector (fixed delivery), or one of these delivery modes. */
#define VMX_IPI_NMI 0x100u        /* NMI */
#define VMX_IPI_INIT 0x200u       /* INIT */
#define VMX_IPI_SIPI 0x300u       /* start-up, | the SIPI vector */
#define VMX_IPI_MODE_MASK 0xf00u
/* arg of VMX_OP_VAPIC_STORE for the posted-interrupt descriptor: set PIR's bit arg2, then ON. */
#define VMX_PI_DESC_PIR 0x1000u

/* arg of VMX_OP_LOAD, VMX_OP_STORE and a VMX_OP_MOV_SS from memory: the address and the size in bytes. */
#define VMX_MEM_OPERAND(addr, size) ((uint64_t)(addr) | (uint64_t)(size) << 56)
#define VMX_MEM_ADDR(arg) ((uint64_t)(arg) & 0x00ffffffffffffffull)
#define VMX_MEM_SIZE(arg) ((uint32_t)((uint64_t)(arg) >> 56))

/* arg of VMX_OP_MOV_DR: the direction, as bit 4 of its exit qualification (SDM 28.2.1). */
#define VMX_MOV_DR_FROM 0x10u

/* arg2 of VMX_OP_MSR_BITMAP. */
#define VMX_MSR_BITMAP_WRITE 0x1u   /* the write bitmap (else the read bitmap) */
#define VMX_MSR_BITMAP_SET 0x2u     /* set the bit: intercept (else clear it: let through) */

#define VMX_REG(r) ((uint8_t)((r) + 1u))
#define VMX_REG_NUM(operand) ((uint32_t)(operand) - 1u)

/* What an instruction's arg2 holds before the machine lays the program out. */
enum vmx_arg2_kind {
	VMX_ARG2_VALUE = 0,   /* a plain value */
	VMX_ARG2_INSN,        /* the address of instruction arg2 of this program */
	VMX_ARG2_L2_INSN,     /* the address of instruction arg2 of the L2 program of this vCPU */
};

struct vmx_insn {
	enum vmx_op op;
	uint32_t len;     /* bytes; filled by vmx_program_layout() */
	uint64_t arg;
	uint64_t arg2;
	uint64_t addr;    /* filled by vmx_program_layout() */
	uint32_t line;    /* source line of the scenario, 0 if none (for traces) */
	/*
	 * Register operands as VMX_REG(number); 0 means none, so that an
	 * instruction built with its other fields alone has no register.
	 */
	uint8_t dst;      /* register written (register instructions, VMREAD, RDMSR) */
	uint8_t src;      /* register read instead of arg2 */
	uint8_t arg2_kind; /* enum vmx_arg2_kind; the machine resolves labels to VMX_ARG2_VALUE */
};

/*
 * VMCS and VMXON regions (4 KBytes each) of a root program's memory, at
 * VMX_REGION_ADDR(0), (1), ...: region 0 is the VMXON region, region 1
 * the VMCS the machine sets up for L2 (`vmxon` and `vmcs0` in a
 * scenario), the others those the program declares.
 */
#define VMX_REGION_BASE 0x100000u
#define VMX_REGION_ADDR(i) ((uint64_t)VMX_REGION_BASE + (uint64_t)(i) * 0x1000u)
#define VMX_REGION_VMXON 0u
#define VMX_REGION_VMCS0 1u
/* The current-VMCS pointer when there is no current VMCS (what VMPTRST stores then). */
#define VMX_INVALID_VMCS_PTR UINT64_MAX

struct vmcs;   /* vmcs/vmcs.h */

struct vmx_program {
	struct vmx_insn *insn;  /* caller-owned, laid out in address order */
	uint32_t count;
	uint64_t base;          /* address of insn[0] */
	uint64_t end;           /* first address after the last instruction */
};

enum vmx_gate_type {
	VMX_GATE_NONE = 0,        /* not present */
	VMX_GATE_INTERRUPT,       /* clears IF on entry */
	VMX_GATE_TRAP,            /* leaves IF alone */
};

struct vmx_gate {
	enum vmx_gate_type type;
	uint64_t handler;         /* address of the handler's first instruction */
};

struct vmx_frame {
	uint64_t rip;             /* return address */
	uint64_t rflags;
	bool has_error_code;      /* an error code was pushed (IRET discards it) */
	uint32_t error_code;
};

#define VMX_STACK_DEPTH 64

/* Where every guest program starts: each has an address space of its own. */
#define VMX_PROGRAM_BASE 0x1000u

struct vmx_guest_mem {
	const struct vmx_program *prog;
	struct vmx_gate idt[256];
	struct vmx_frame stack[VMX_STACK_DEPTH];
	uint32_t depth;                 /* frames on the stack */
	bool stack_not_present;         /* EPT: the stack page is unmapped, so pushes and pops
	                                   cause EPT violations (exit 48) in non-root operation */
	uint64_t stack_gpa;             /* guest-physical address reported for such a violation */
	/*
	 * The program's general registers. Each program keeps its own: a
	 * hypervisor saves and restores its guest's registers around every
	 * exit, as every VMM does, so one level never sees another's values.
	 */
	uint64_t gpr[X86_NGPR];
	/* The data area's bytes (vmcs/x86_data_area.h), at VMX_DATA_BASE. */
	uint8_t data[VMX_DATA_SIZE];
	/*
	 * CR3 as the program last loaded it. Kept with the registers for the
	 * same reason (each program has its own, as GUEST_CR3/HOST_CR3 switch
	 * them); the model does no paging, so it translates nothing.
	 */
	uint64_t cr3;
	/*
	 * The MSR-bitmap page this program keeps for the guest it runs (a
	 * hypervisor's; zero at the start, as kvm-unit-tests allocates it).
	 * The VMCS that runs that guest points at it (vmcs.msr_bitmap).
	 */
	struct msr_bitmap msr_bitmap;
	/*
	 * Root software: the regions its VMX instructions find by address
	 * (struct vmcs.addr), or NULL. Memory elsewhere reads as zeros.
	 */
	struct vmcs *regions;
	uint32_t nregions;
	/*
	 * The region this program's VMPTRLD made current when an L0 emulates
	 * its VMX instructions (L1 under a nested KVM model), or NULL. Its
	 * virtual-APIC page and posted-interrupt descriptor are the ones the
	 * program's `vapic-*` and `pi-post` stores reach while it runs in VMX
	 * non-root operation; in root operation they reach the processor's
	 * current VMCS.
	 */
	struct vmcs *vmptr;
	/*
	 * Write stamps of the two parts a run seldom writes, the IDT and the
	 * MSR-bitmap page: each write takes the next value of *stamps, a
	 * counter that only grows, which the owner of this memory keeps.
	 * Equal stamps then mean equal contents, so whoever puts a saved copy
	 * of this memory back may leave a part whose stamp is unchanged.
	 * stamps NULL: nothing is stamped.
	 */
	uint64_t *stamps;
	uint64_t idt_stamp, msr_bitmap_stamp;
};

/* A write to the part whose stamp is *stamp (idt_stamp, msr_bitmap_stamp) of m. */
static inline void vmx_guest_mem_stamp(struct vmx_guest_mem *m, uint64_t *stamp)
{
	if (m->stamps)
		*stamp = ++*m->stamps;
}

/* Length in bytes of an operation (work: arg bytes, at least 1). */
uint32_t vmx_op_length(enum vmx_op op, uint64_t arg);

/* Length in bytes of an instruction: its operation's, or what its operands make it (IN, OUT, MOV to CR). */
uint32_t vmx_insn_length(const struct vmx_insn *in);

/* The bytes an IN or OUT moves: arg2 is 2 (AX) or 4 (EAX); anything else is the one-byte form (AL). */
static inline uint32_t vmx_io_size(const struct vmx_insn *in)
{
	return in->arg2 == 2u || in->arg2 == 4u ? (uint32_t)in->arg2 : 1u;
}

/*
 * The register after an IN that reads all ones - no device answers, the
 * bus floats: AL or AX written and the rest kept, or EAX written, which in
 * 64-bit mode clears bits 63:32.
 */
static inline uint64_t vmx_in_floating(uint64_t reg, uint32_t size)
{
	return size == 4u ? 0xffffffffull : reg | (size == 2u ? 0xffffull : 0xffull);
}
/* The MSR (ECX) an RDMSR or WRMSR reads or writes: `eoi` and `ipi` write the x2APIC EOI and ICR. */
uint32_t vmx_insn_msr(const struct vmx_insn *in);

/* Name of an operation ("sti", "work", ...). */
const char *vmx_op_name(enum vmx_op op);

/* Assign addresses and lengths from base upward. */
void vmx_program_layout(struct vmx_program *p, struct vmx_insn *insn, uint32_t count, uint64_t base);

/*
 * The instruction containing address rip, and the offset of rip inside it;
 * NULL if rip is outside the program or not at a boundary of a non-work
 * instruction.
 */
const struct vmx_insn *vmx_program_fetch(const struct vmx_program *p, uint64_t rip, uint64_t *offset);

/*
 * The same, looking first at the index *hint and leaving there the index
 * found. A hint only saves the search: it is used when rip lies inside
 * that instruction - in a laid-out program, where each instruction starts
 * where the one before ends, the one instruction the search would find -
 * so a wrong or stale hint (another program, a relayout) gives the same
 * answer.
 */
const struct vmx_insn *vmx_program_fetch_hinted(const struct vmx_program *p, uint64_t rip, uint64_t *offset,
                                                uint32_t *hint);

/* A physical address with no bit set at or above MAXPHYADDR (`bits`; 0 or 64 and more: no limit). */
static inline bool vmx_phys_addr_fits(uint64_t addr, uint32_t bits)
{
	return bits == 0 || bits >= 64 || (addr >> bits) == 0;
}

/* A VMX pointer as VMXON, VMCLEAR and VMPTRLD need it: 4-KByte aligned, within the physical-address width. */
static inline bool vmx_region_pointer_valid(uint64_t addr, uint32_t bits)
{
	return (addr & 0xfffu) == 0 && vmx_phys_addr_fits(addr, bits);
}

/* The region at addr in m (m->regions), or NULL: memory that reads as zeros. */
struct vmcs *vmx_guest_mem_region(const struct vmx_guest_mem *m, uint64_t addr);

/* Empty memory: no program, IDT all not-present, empty stack. */
void vmx_guest_mem_init(struct vmx_guest_mem *m, const struct vmx_program *prog);

#ifdef __cplusplus
}
#endif
#endif
