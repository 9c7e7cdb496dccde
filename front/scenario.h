/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scenario.h - the scenario front-end: `.scn` text in, a plain-C scenario
 * description out (docs/scenario-language.md is the language reference).
 *
 * The parser validates everything it can know without running: names of
 * CPU models, CPU features, VMCS fields, control bits and exit reasons
 * (against the vmcs/ tables), labels, vector ranges, vCPU numbers and the
 * hard limits (front/scn_common.h; a guest block's parts are in
 * front/scn_guest.h). Names that belong to later layers - L0 variants and
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

#include "front/scn_common.h"
#include "front/scn_guest.h"

#ifdef __cplusplus
extern "C" {
#endif

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
	SCN_EV_RESET,       /* reset (a processor takes a RESET, in any operation) */
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
	SCN_STIM_RESET,     /* RESET at the processor's pins (R24 level 1) */
};

/* The words of an `mce` stimulus's error, as bits of scn_stimulus.mce_words (scn_events.c). */
enum scn_mce_word { SCN_MCE_BANK, SCN_MCE_STATUS, SCN_MCE_ADDR, SCN_MCE_MISC, SCN_MCE_MCG_STATUS, SCN_MCE_ENABLE_BIT };

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
	/*
	 * MCE: `bank N status V addr V misc V mcg-status V enable-bit N`, the
	 * error: what user space gives KVM_X86_SET_MCE, or what the processor
	 * logs in its own bank. mce_words has bit 1 << SCN_MCE_* of each word given.
	 */
	unsigned mce_words;
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
