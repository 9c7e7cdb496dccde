/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scenario.h - the scenario front-end: `.scn` text in, a plain-C scenario
 * description out (docs/scenario-language.md is the language reference).
 *
 * The parser validates everything it can know without running: names of
 * CPU models, CPU features, VMCS fields, control bits and exit reasons
 * (against the vmcs/ tables), labels, vector ranges, vCPU numbers and the
 * hard limits below. Names that belong to later layers - L0 variants and
 * their switches, monitor verdict kinds, stimulus sources - are stored as
 * strings with their locations so the machine can report them in the same
 * `file:line:col: message` form.
 *
 * Every pointer inside a struct scn_scenario points into memory owned by
 * the scenario and freed by scn_free(). The parser has no global state,
 * reads no clock and gives the same result for the same bytes.
 */
#ifndef VMXSIM_FRONT_SCENARIO_H
#define VMXSIM_FRONT_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmcs/cpu_model.h"
#include "vmcs/x86_mcg.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Hard limits; exceeding one is a located parse error. */
#define SCN_MAX_INPUT_BYTES (16u << 20) /* whole file */
#define SCN_MAX_LINE_BYTES 4096u        /* one line, without its newline */
#define SCN_MAX_NAME_BYTES 64u          /* one identifier or number token */
#define SCN_MAX_INSNS 65536u            /* guest instructions, all blocks together */
#define SCN_MAX_LABELS 16384u           /* labels, all blocks together */
#define SCN_MAX_STIMULI 4096u
#define SCN_MAX_EXPECTS 1024u
#define SCN_MAX_SWITCHES 64u            /* L0 switches */
#define SCN_MAX_VMCS_SETUPS 256u        /* `vmcs` lines per guest block */
#define SCN_MAX_MSR_INTERCEPTS 256u     /* `msr-bitmap` lines per guest block */
#define SCN_MAX_REGIONS 64u             /* `vmcs-region` lines per guest block */
#define SCN_MAX_TERMS 32u               /* terms of one `A|B|...` value */
#define SCN_MAX_VCPUS 64u
#define SCN_MAX_VARS 64u                /* what may vary, for exploration */
#define SCN_MAX_CHOICES 32u             /* alternatives of one `choose` */
#define SCN_MAX_TSC_HZ 100000000000ull  /* 100 GHz */
#define SCN_MAX_SECONDS 1000000ull      /* longest time: 10^6 s, in any unit */
#define SCN_MAX_CYCLES 100000000000000000ull /* 10^17 cycles */

#define SCN_ERROR_MSG_MAX 1024

/* A source position; 1-based. Line 0 means "not from the text". */
struct scn_loc {
	uint32_t line;
	uint32_t col; /* byte column */
};

struct scn_error {
	const char *file;             /* borrowed: the name given to scn_parse() */
	uint32_t line;                /* 0 when the file could not be read */
	uint32_t col;
	char msg[SCN_ERROR_MSG_MAX];  /* names what was expected */
};

/* Times: a value and the unit it was written in (`5000`, `2k`, `1.5ms`). */
enum scn_unit {
	SCN_UNIT_CYCLES,
	SCN_UNIT_NS,
	SCN_UNIT_US,
	SCN_UNIT_MS,
	SCN_UNIT_S,
};

struct scn_time {
	uint64_t value;
	enum scn_unit unit;
};

enum scn_level {
	SCN_L0 = 0,  /* the host: L0 hypervisor */
	SCN_L1 = 1,  /* a single-level guest, or the L1 hypervisor */
	SCN_L2 = 2,  /* the guest of L1 */
};

#define SCN_ANY (-1)  /* a filter that matches every level / vCPU / vector */
#define SCN_NMI (-2)  /* an event argument meaning "the NMI", not a vector */

/* ---- cpu ---------------------------------------------------------------- */

enum scn_cpu_param {
	SCN_CPU_VMEXIT_CYCLES,
	SCN_CPU_VMENTRY_CYCLES,
	SCN_CPU_DELIVERY_CYCLES,
	SCN_CPU_INSN_CYCLES,
	SCN_CPU_IRET_CYCLES,
	SCN_CPU_TSC_HZ,
	SCN_CPU_FEATURE,                   /* one enum vmx_feature bit, on or off */
	SCN_CPU_NMI_WINDOW_BLOCKED_BY_STI, /* behaviour flags, on or off */
	SCN_CPU_NMI_INJECT_FAILS_WITH_STI,
	SCN_CPU_STI_BLOCKS_NMI,
};

struct scn_cpu_override {
	enum scn_cpu_param param;
	uint64_t value;     /* cycles or Hz; 1/0 for features and flags */
	uint32_t feature;   /* SCN_CPU_FEATURE: the enum vmx_feature bit */
	struct scn_loc loc; /* of the override's name */
};

struct scn_cpu {
	const char *model;  /* a name cpu_model_lookup() knows */
	struct scn_loc loc;
	struct scn_cpu_override *overrides;
	size_t noverrides;
};

/* ---- l0 ----------------------------------------------------------------- */

enum scn_switch_kind {
	SCN_SWITCH_ON,     /* +name */
	SCN_SWITCH_OFF,    /* -name */
	SCN_SWITCH_VALUE,  /* name=value */
};

struct scn_switch {
	enum scn_switch_kind kind;
	const char *name;
	const char *value;        /* SCN_SWITCH_VALUE only; raw text, else NULL */
	struct scn_loc loc;       /* of the leading +/- or of the name */
	struct scn_loc value_loc;
};

struct scn_l0 {
	const char *name;         /* variant name, validated by the machine */
	struct scn_loc loc;       /* of the name */
	struct scn_switch *switches;
	size_t nswitches;
};

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
	SCN_OP_IN,        /* in REG PORT: one byte into REG's low byte */
	SCN_OP_OUT,       /* out PORT: one byte, RAX's low byte */
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

/* ---- events, stimuli, expectations ------------------------------------- */

enum scn_event {
	SCN_EV_EXIT,        /* exit REASON            arg: basic exit reason */
	SCN_EV_ENTRY,       /* entry                  (a successful VM entry) */
	SCN_EV_ENTRY_FAIL,  /* entry-fail             (VMfail or entry-failure exit) */
	SCN_EV_DELIVER,     /* deliver VECTOR|nmi|any through a guest IDT */
	SCN_EV_INJECT,      /* inject [VECTOR|nmi]    a hypervisor injects an event */
	SCN_EV_IRET,        /* iret */
	SCN_EV_HLT,         /* hlt (the guest enters the HLT state) */
	SCN_EV_VIOLATION,   /* violation KIND         (counts only) */
	SCN_EV_INIT,        /* init (a processor takes an INIT outside VMX operation: reset, waits for a SIPI) */
	SCN_EV_COUNT
};

struct scn_event_pat {
	enum scn_event ev;
	int arg;            /* EXIT: reason; DELIVER, INJECT: vector, SCN_NMI or SCN_ANY */
	const char *kind;   /* VIOLATION: monitor verdict kind */
	int level;          /* filter: SCN_L0..SCN_L2 or SCN_ANY */
	int cpu;            /* filter: vCPU or SCN_ANY */
	struct scn_loc loc; /* of the event keyword */
	struct scn_loc arg_loc;
};

enum scn_timing {
	SCN_AT,     /* at TIME */
	SCN_EVERY,  /* every PERIOD [from TIME] [until TIME] */
	SCN_ON,     /* on [ORDINAL|every] EVENT [+DELAY] */
};

enum scn_stim_kind {
	SCN_STIM_NMI,
	SCN_STIM_IRQ,       /* an external interrupt with a vector */
	SCN_STIM_INIT,      /* an INIT */
	SCN_STIM_SIPI,      /* a start-up IPI with a vector */
	SCN_STIM_MCE,       /* a machine-check event at the processor (SDM Vol. 3A "Machine-Check Architecture") */
	SCN_STIM_POST,      /* a posted interrupt with a vector (SDM Vol. 3C 30.6): PIR and ON, then the notification */
	SCN_STIM_GUEST_DEBUG, /* user space's debugger single-steps the vCPU (KVM_SET_GUEST_DEBUG) */
};

struct scn_stimulus {
	enum scn_timing timing;
	struct scn_loc loc;           /* of `at`, `every` or `on` */
	struct scn_time at;           /* AT */
	struct scn_time period;       /* EVERY; the first one at `from`, else at `period` */
	struct scn_time from, until;  /* EVERY; until is inclusive */
	bool has_from, has_until;
	struct scn_event_pat trigger; /* ON */
	uint32_t occurrence;          /* ON: 1 = first; 0 = every occurrence */
	struct scn_time delay;        /* ON: after the trigger */
	enum scn_stim_kind kind;
	uint32_t vector;              /* IRQ, SIPI, POST */
	enum scn_level level;         /* target: L0 = host, L1, L2 */
	uint32_t cpu;                 /* target vCPU */
	struct scn_loc target_loc;    /* of the level after `->` */
	const char *via;              /* `via NAME`: the source, validated later; or NULL */
	struct scn_loc via_loc;
	bool varies;                  /* AT or ON with a range: s->vars[var] says how */
	uint32_t var;
	/* MCE: `bank N status V addr V misc V mcg-status V`, what user space gives KVM_X86_SET_MCE. */
	bool has_mce_record;
	struct scn_loc mce_loc;       /* of the first of those words */
	struct x86_mce_record mce;    /* X86_MCE_RECORD_DEFAULT where a word is left out */
	/*
	 * GUEST_DEBUG: `step N [blockirq]`; `hbreak LABEL`; `hw [drN X]... dr7 V`
	 * (X a label or a value; debug_dr_label[n] set for a label); `sw`;
	 * `skip N` (N in debug_steps); `continue`.
	 */
	enum { SCN_GDB_STEP, SCN_GDB_HBREAK, SCN_GDB_HW, SCN_GDB_SW, SCN_GDB_SKIP, SCN_GDB_CONTINUE } debug_kind;
	uint32_t debug_steps;
	bool debug_blockirq;
	const char *debug_label;
	struct scn_loc debug_label_loc;
	uint64_t debug_dr[4], debug_dr7;
	const char *debug_dr_label[4];
	struct scn_loc debug_dr_loc[4];
};

enum scn_expect_kind {
	SCN_EXPECT_VERDICT,  /* expect [no] KIND */
	SCN_EXPECT_COUNT,    /* expect count EVENT OP N */
	SCN_EXPECT_AT,       /* expect EVENT at TIME */
	SCN_EXPECT_WITHIN,   /* expect EVENT in TIME..TIME (inclusive) */
	SCN_EXPECT_EXACT,    /* expect ORDINAL WHAT [filters] KEY=VALUE ... | expect WHAT at LABEL ... */
};

/* What an exact expectation looks at. */
enum scn_exact_what {
	SCN_EXACT_EXIT,        /* a VM exit (a VM-entry failure is one too, reason bit 31) */
	SCN_EXACT_VMFAIL,      /* a VMX instruction's VMfailValid / VMfailInvalid */
	SCN_EXACT_ENTRY_FAIL,  /* a failed VMLAUNCH/VMRESUME: VMfail or VM-entry failure, told apart */
	SCN_EXACT_RECORD,      /* a guest's `record` of register values */
	SCN_EXACT_NESTED_EXIT, /* under a nested L0: an exit from L2 as L0 emulates it for L1 */
	SCN_EXACT_IRET,        /* an IRET that completed: rip is where it returned (the frame's RIP) */
	SCN_EXACT_COUNT
};

/* The keys of `KEY=VALUE`; registers come after these, as SCN_KEY_REG + number. */
enum scn_exact_key {
	SCN_KEY_REASON,        /* the full exit reason (bit 31: VM-entry failure) */
	SCN_KEY_RIP,           /* guest RIP (exits), the RIP of the instruction (vmfail, record) */
	SCN_KEY_QUAL,
	SCN_KEY_INTR_INFO,
	SCN_KEY_INTR_ERROR,
	SCN_KEY_IDT_INFO,
	SCN_KEY_IDT_ERROR,
	SCN_KEY_INSN_LEN,
	SCN_KEY_INTERRUPTIBILITY,
	SCN_KEY_ACTIVITY,
	SCN_KEY_ERROR,         /* VM-instruction error; 0 for VMfailInvalid (written `invalid`) */
	SCN_KEY_INSN,          /* the failing instruction, as an enum scn_op */
	SCN_KEY_REG,           /* + register number */
	SCN_KEY_COUNT = SCN_KEY_REG + 16
};

struct scn_exact_field {
	uint32_t key;              /* enum scn_exact_key, or SCN_KEY_REG + n */
	uint64_t value;
	const char *label;         /* RIP: label (+ value as the offset); NULL for a number */
	enum scn_level label_level;
	struct scn_loc loc;        /* of the key */
};

enum scn_cmp { SCN_CMP_EQ, SCN_CMP_NE, SCN_CMP_LT, SCN_CMP_LE, SCN_CMP_GT, SCN_CMP_GE };

struct scn_expect {
	enum scn_expect_kind kind;
	struct scn_loc loc;           /* of `expect` */
	bool negated;                 /* VERDICT: `expect no KIND` */
	const char *verdict;          /* VERDICT: monitor verdict kind, validated later */
	struct scn_loc verdict_loc;
	struct scn_event_pat event;   /* COUNT, AT, WITHIN */
	enum scn_cmp cmp;             /* COUNT */
	uint64_t count;               /* COUNT */
	struct scn_time at;           /* AT; WITHIN: lower bound */
	struct scn_time until;        /* WITHIN: upper bound */
	/* EXACT */
	enum scn_exact_what what;
	uint32_t occurrence;          /* 1 = the first matching event; 0 with at_label */
	const char *at_label;         /* `at LABEL[+N]`: the first event at this RIP; else NULL */
	uint64_t at_offset;
	enum scn_level at_level;      /* the block the label is in */
	struct scn_loc at_loc;
	struct scn_exact_field *fields;
	size_t nfields;
};

/* ---- exploration: what may vary ----------------------------------------- */

/*
 * A range (`at 5000..9000`, `on ... +0..2us`, `work 100..900`) or a
 * choice (`choose a | b`) marks something `vmxsim explore` varies. Every
 * other command runs the first value: the range's low end, the first label.
 */
enum scn_var_kind {
	SCN_VAR_AT,       /* the time of an `at` stimulus */
	SCN_VAR_DELAY,    /* the delay of an `on` stimulus after its trigger */
	SCN_VAR_WORK,     /* the length of a `work` block */
	SCN_VAR_CHOICE,   /* the label a `choose` jumps to */
};

struct scn_var {
	enum scn_var_kind kind;
	struct scn_loc loc;           /* of the varying text: the range's first number, or `choose` */
	uint32_t end_col;             /* one past its last byte, on the same line */
	struct scn_time lo, hi;       /* AT, DELAY, WORK: inclusive, comparable units */
	size_t stimulus;              /* AT, DELAY: index into s->stimuli */
	size_t guest, insn;           /* WORK, CHOICE: index into s->guests, its insns */
	const char **labels;          /* CHOICE: the alternatives as written */
	struct scn_loc *label_locs;
	uint32_t *targets;            /* CHOICE: instruction index of each alternative */
	size_t nalts;
};

/* ---- the scenario ------------------------------------------------------- */

struct scn_arena;

struct scn_scenario {
	const char *file;             /* a copy of the name given to scn_parse() */
	const char *summary;          /* the opening comment paragraph, one line; "" if none */
	struct scn_cpu cpu;
	struct scn_l0 l0;
	uint32_t vcpus;               /* 1 unless a `vcpus` line says otherwise */
	struct scn_loc vcpus_loc;
	struct scn_guest *guests;     /* in file order */
	size_t nguests;
	struct scn_stimulus *stimuli; /* in file order */
	size_t nstimuli;
	struct scn_time run;
	struct scn_loc run_loc;
	struct scn_expect *expects;   /* in file order */
	size_t nexpects;
	struct scn_var *vars;         /* in file order */
	size_t nvars;
	struct scn_arena *arena;      /* private: owns everything above */
};

/*
 * Parse len bytes of text (any bytes; NUL and invalid UTF-8 are located
 * errors). filename is used in messages and copied into the scenario; NULL
 * means "<input>". Returns NULL on error with *err filled (err may be NULL).
 */
struct scn_scenario *scn_parse(const char *text, size_t len, const char *filename,
                               struct scn_error *err);

/* What standard input ("-" as a path) is called in messages and in the scenario's file name. */
#define SCN_STDIN_NAME "<stdin>"

/* Read and parse a file ("-": standard input); an unreadable file is an error at line 0, col 0. */
struct scn_scenario *scn_parse_file(const char *path, struct scn_error *err);

/*
 * The bytes scn_parse_file() parses, NUL-terminated, to free(): at most one
 * byte past SCN_MAX_INPUT_BYTES, so the parser can point at the overflow.
 * NULL with *err filled (line 0) when the file cannot be read.
 */
char *scn_read_file(const char *path, size_t *len, struct scn_error *err);

void scn_free(struct scn_scenario *s);

/*
 * "file:line:col: message" (or "file: message" for line 0), NUL-terminated
 * and truncated to n bytes. Returns the length it needed, as snprintf does.
 */
int scn_format_error(const struct scn_error *err, char *buf, size_t n);

/* The guest program of a level on a vCPU: its own block, else the block for every vCPU. */
const struct scn_guest *scn_guest_for(const struct scn_scenario *s, enum scn_level level,
                                      uint32_t cpu);

/* The named CPU model with the scenario's overrides applied and capabilities derived. */
bool scn_cpu_resolve(const struct scn_cpu *cpu, struct cpu_model *out);

/*
 * A time in cycles at tsc_hz, rounded down. False if it does not fit in
 * 64 bits (cannot happen for parsed times with tsc_hz <= SCN_MAX_TSC_HZ).
 */
bool scn_time_cycles(struct scn_time t, uint64_t tsc_hz, uint64_t *cycles);

/* Names as the language spells them. */
const char *scn_op_name(enum scn_op op);            /* "mov-ss" */
const char *scn_event_name(enum scn_event ev);      /* "entry-fail" */
const char *scn_unit_name(enum scn_unit u);         /* "", "ns", "us", "ms", "s" */
const char *scn_cmp_name(enum scn_cmp c);           /* "<=" */
const char *scn_cpu_param_name(enum scn_cpu_param p, uint32_t feature); /* "tsc-hz", "mtf" */
const char *scn_exact_what_name(enum scn_exact_what w);  /* "exit", "vmfail", ... */
const char *scn_exact_key_name(uint32_t key);           /* "intr-info", "rax" */

/* The instruction index of a label in a block; false if the block has no such label. */
bool scn_label_index(const struct scn_guest *g, const char *label, uint32_t *insn);

#ifdef __cplusplus
}
#endif
#endif
