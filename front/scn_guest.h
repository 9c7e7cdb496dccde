/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scn_guest.h - a guest block of a scenario as the parser describes it:
 * its program (instructions and labels), IDT, VMCS setup, MSR intercepts
 * and VMCS regions (front/scenario.h has the whole description).
 */
#ifndef VMXSIM_FRONT_SCN_GUEST_H
#define VMXSIM_FRONT_SCN_GUEST_H

#include "front/scn_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- guests ------------------------------------------------------------- */

enum scn_op {
	SCN_OP_WORK,      /* work TIME: ALU work */
	SCN_OP_NOP,
	SCN_OP_STI,
	SCN_OP_CLI,
	SCN_OP_MOV_SS,
	SCN_OP_IRET,
	SCN_OP_HLT,
	SCN_OP_INT,       /* int VECTOR */
	SCN_OP_INT3,
	SCN_OP_UD2,
	SCN_OP_VMCALL,
	SCN_OP_EOI,
	SCN_OP_JMP,       /* jmp LABEL */
	SCN_OP_IPI,       /* ipi cpuN VECTOR | ipi cpuN nmi */
	SCN_OP_VMLAUNCH,  /* L1 only, from here on */
	SCN_OP_VMRESUME,
	SCN_OP_VMREAD,    /* vmread FIELD */
	SCN_OP_VMWRITE,   /* vmwrite FIELD VALUE */
	SCN_OP_CHOOSE,    /* choose LABEL | LABEL ...: a jump whose target exploration chooses */
	/* Registers: REG, then a source (a register, a number, or for mov a label's address). */
	SCN_OP_MOV,
	SCN_OP_ADD,
	SCN_OP_SUB,
	SCN_OP_AND,
	SCN_OP_OR,
	SCN_OP_XOR,
	SCN_OP_SHL,
	SCN_OP_SHR,
	SCN_OP_INC,       /* inc REG */
	SCN_OP_DEC,
	SCN_OP_CMP,
	SCN_OP_TEST,
	/* Conditional jumps on the flags of cmp/test and of the VMX instructions: LABEL. */
	SCN_OP_JE,
	SCN_OP_JNE,
	SCN_OP_JZ,
	SCN_OP_JNZ,
	SCN_OP_JB,
	SCN_OP_JAE,
	SCN_OP_JC,
	SCN_OP_JNC,
	SCN_OP_JBE,
	SCN_OP_JA,
	SCN_OP_RECORD,    /* record REG {REG}: the values go into the trace */
	SCN_OP_RDMSR,     /* rdmsr REG MSR: a VMX capability MSR or an x2APIC timer register */
	/* Instructions that exit on their VM-execution controls (and what they do when they do not). */
	SCN_OP_IN,        /* in REG PORT: one byte into REG's low byte (inw, inl below: 2 and 4 bytes) */
	SCN_OP_OUT,       /* out PORT: one byte, RAX's low byte (outw, outl below: AX, EAX) */
	SCN_OP_MOV_CR3,   /* mov-cr3 REG|VALUE */
	SCN_OP_MOV_CR8,   /* mov-cr8 REG|VALUE */
	SCN_OP_DIV,       /* div REG: RDX:RAX / REG */
	SCN_OP_INTO,
	SCN_OP_ICEBP,     /* INT1, opcode F1 */
	SCN_OP_INT1,      /* the same instruction */
	SCN_OP_PAUSE,
	SCN_OP_CPUID,
	SCN_OP_RDTSC,     /* rdtsc REG */
	SCN_OP_SET_IDT,   /* set-idt VECTOR LABEL GATE: change the running program's IDT */
	SCN_OP_CLEAR_IDT, /* clear-idt VECTOR: the gate becomes not present */
	SCN_OP_WRMSR,     /* wrmsr MSR REG|VALUE: an x2APIC timer register (`apic-timer` is made of these) */
	SCN_OP_MSR_BITMAP_SET,   /* msr-bitmap-set read|write MSR (L1 only): intercept it in L2's bitmap */
	SCN_OP_MSR_BITMAP_CLEAR, /* msr-bitmap-clear read|write MSR (L1 only): let it through */
	/* VMX instructions on regions (L1 only): REGION (a name), REG or an address; vmxon's is optional. */
	SCN_OP_VMXON,
	SCN_OP_VMXOFF,
	SCN_OP_VMCLEAR,
	SCN_OP_VMPTRLD,
	SCN_OP_VMPTRST,   /* vmptrst REG */
	/*
	 * Stores to the virtual-APIC page and the posted-interrupt descriptor of
	 * the current VMCS (L1 only, 'l0 none'): SDM Vol. 3C 30.1.1, 30.6.
	 */
	SCN_OP_VAPIC_IRR, /* vapic-irr VECTOR: set the vector's bit in VIRR */
	SCN_OP_VAPIC_ISR, /* vapic-isr VECTOR: set the vector's bit in VISR */
	SCN_OP_VAPIC_TPR, /* vapic-tpr VALUE: write VTPR (0-255) */
	SCN_OP_PI_POST,   /* pi-post VECTOR: set the vector's bit in PIR, and ON */
	/*
	 * `mov DR REG|VALUE|LABEL` and `mov REG DR` (DR: dr0-dr3, dr6, dr7):
	 * written `mov`, which the parser turns into this when an operand is a
	 * debug register (a VALUE or LABEL goes through RAX, as mov-cr8's).
	 */
	SCN_OP_MOV_DR,
	SCN_OP_LOAD,
	SCN_OP_STORE,
	SCN_OP_INW,       /* inw REG PORT: two bytes into REG's low word */
	SCN_OP_INL,       /* inl REG PORT: four bytes into REG's low doubleword, which clears bits 63:32 */
	SCN_OP_OUTW,      /* outw PORT: AX */
	SCN_OP_OUTL,      /* outl PORT: EAX */
	SCN_OP_COUNT
};

enum scn_gate {
	SCN_GATE_INTERRUPT,       /* clears IF on delivery */
	SCN_GATE_TRAP,            /* leaves IF alone */
};

#define SCN_NO_REG (-1)
#define SCN_MAX_RECORD_REGS 8u    /* registers of one `record` */

/*
 * The regions of an L1 block: its VMXON region and vmcs0 are always
 * there (`vmxon`, `vmcs0`); its `vmcs-region` lines add more, from
 * SCN_REGION_DECLARED on.
 */
#define SCN_REGION_VMXON 0u
#define SCN_REGION_VMCS0 1u
#define SCN_REGION_DECLARED 2u

struct scn_insn {
	enum scn_op op;
	struct scn_loc loc;       /* of the mnemonic */
	struct scn_loc arg_loc;   /* of the first operand; line 0 if none */
	struct scn_time work;     /* WORK */
	uint32_t vector;          /* INT, SET_IDT, CLEAR_IDT; IPI unless nmi or init (sipi: the SIPI vector) */
	enum scn_gate gate;       /* SET_IDT */
	uint32_t port;            /* IN, OUT */
	bool nmi;                 /* IPI: NMI delivery mode */
	bool init;                /* IPI: INIT delivery mode */
	bool sipi;                /* IPI: start-up delivery mode, with `vector` */
	uint32_t cpu;             /* IPI: destination vCPU */
	const char *label;        /* JMP, Jcc, SET_IDT: the label as written */
	uint32_t target;          /* JMP, Jcc, SET_IDT: index into the block's insns */
	int field;                /* VMREAD, VMWRITE: dense index for vmcs_field_info() */
	uint32_t encoding;        /* VMREAD, VMWRITE: the field's encoding */
	uint64_t value;           /* VMWRITE */
	bool varies;              /* WORK given as a range, CHOOSE: s->vars[var] says how */
	uint32_t var;
	int dst;                  /* register operand (x86 number; vmcs/x86_gprs.def), or SCN_NO_REG */
	int src;                  /* source register (DIV: the divisor), or SCN_NO_REG: the source is
	                             value (MOV_CR3/MOV_CR8: loaded into RAX first) or value_label */
	const char *value_label;  /* MOV, VMWRITE: the source is this label's address; NULL if not */
	struct scn_loc value_label_loc;
	enum scn_level value_label_level; /* the block it is in: this one, or (from L1) the L2 block */
	uint32_t value_target;    /* its instruction index there */
	uint32_t regs;            /* RECORD: bit n = register n */
	uint32_t msr;             /* RDMSR, WRMSR, MSR_BITMAP_* */
	bool write;               /* MSR_BITMAP_*: the write bitmap (else the read bitmap) */
	/*
	 * VMXON, VMCLEAR, VMPTRLD: the region named (region_idx, see
	 * SCN_REGION_*), else a register (src) or an address (value). A
	 * VMXON without an operand names `vmxon`, the block's VMXON region.
	 */
	const char *region;
	uint32_t region_idx;
	uint32_t dr;              /* MOV_DR: the debug register's number */
	bool dr_from;             /* MOV_DR: MOV REG, DR (else MOV DR, source) */
	uint64_t addr;            /* LOAD, STORE, MOV_SS from memory: the address, in the data area */
	uint32_t size;            /* its access in bytes (1, 2, 4, 8); 0 for a MOV_SS from AX */
};

/* `vmcs-region NAME [for L2 | empty] [revision=N]` in an L1 block. */
struct scn_vmcs_region {
	const char *name;
	bool empty;               /* all fields 0; else set up for L2 as vmcs0 is */
	bool has_revision;        /* revision=N; else the processor's revision identifier */
	uint32_t revision;
	struct scn_loc loc;       /* of the name */
};

struct scn_label {
	const char *name;
	uint32_t insn;            /* index of the instruction it names */
	struct scn_loc loc;
};

struct scn_idt_entry {
	uint32_t vector;
	enum scn_gate gate;
	const char *label;
	uint32_t target;          /* index into the block's insns */
	struct scn_loc loc;       /* of `idt` */
	struct scn_loc label_loc;
};

/* An `msr-bitmap intercept read|write MSR` line: a bit of the MSR bitmap of the VMCS that runs the guest. */
struct scn_msr_intercept {
	uint32_t msr;
	bool write;               /* the write bitmap (else the read bitmap) */
	struct scn_loc loc;       /* of `msr-bitmap` */
};

/* A `vmcs FIELD VALUE` line: the VMCS the hypervisor below sets up. */
struct scn_vmcs_setup {
	int field;                /* dense index for vmcs_field_info() */
	uint32_t encoding;
	uint64_t value;           /* numbers and control bits OR-ed together */
	struct scn_loc loc;       /* of the field name */
};

struct scn_guest {
	enum scn_level level;     /* SCN_L1 or SCN_L2 */
	int cpu;                  /* a vCPU number, or SCN_ANY for every vCPU */
	struct scn_loc loc;       /* of `guest` */
	struct scn_insn *insns;   /* execution starts at insns[0] */
	size_t ninsns;
	struct scn_label *labels; /* in definition order */
	size_t nlabels;
	struct scn_idt_entry *idt;/* in definition order, vectors distinct */
	size_t nidt;
	struct scn_vmcs_setup *vmcs;
	size_t nvmcs;
	struct scn_msr_intercept *msr_intercepts;
	size_t nmsr_intercepts;
	struct scn_vmcs_region *regions; /* L1: region SCN_REGION_DECLARED + i */
	size_t nregions;
	bool stack_unmapped;      /* `stack-unmapped`: the guest's stack page starts unmapped in EPT */
	struct scn_loc stack_unmapped_loc;
	bool has_exit_handler;    /* `exit-handler LABEL` (L1): where L1 resumes after an exit */
	const char *exit_handler_label;
	uint32_t exit_handler;    /* index into insns */
	struct scn_loc exit_handler_loc;
};

#ifdef __cplusplus
}
#endif

#endif
