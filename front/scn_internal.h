/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scn_internal.h - what the front-end's files share and nobody else sees:
 * the arena, the tokens of one line, the parser state, the name tables.
 */
#ifndef VMXSIM_FRONT_SCN_INTERNAL_H
#define VMXSIM_FRONT_SCN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "front/scenario.h"

#if defined(__GNUC__) || defined(__clang__)
#define SCN_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define SCN_PRINTF(fmt, args)
#endif

/* ---- arena: every allocation a scenario owns ---------------------------- */

struct scn_arena *scn_arena_new(void);
void scn_arena_free(struct scn_arena *a);
/* Zeroed memory, suitably aligned; NULL when out of memory. */
void *scn_arena_alloc(struct scn_arena *a, size_t size);
/* A NUL-terminated copy of len bytes. */
char *scn_arena_strndup(struct scn_arena *a, const char *s, size_t len);

/* ---- tokens ------------------------------------------------------------- */

enum tok_kind {
	TK_EOL,     /* end of the line's code (start of a comment or of the line end) */
	TK_WORD,    /* [A-Za-z_][A-Za-z0-9_-]*, a '-' only when a word character follows */
	TK_NUM,     /* [0-9][A-Za-z0-9_]*, with '.' when a digit follows */
	TK_COLON,
	TK_ARROW,   /* -> */
	TK_PIPE,
	TK_PLUS,
	TK_MINUS,
	TK_EQ,      /* = */
	TK_DOTDOT,  /* .. */
	TK_CMP,     /* == != < <= > >= */
};

struct tok {
	enum tok_kind kind;
	const char *s;       /* into the input text */
	uint32_t len;
	uint32_t col;        /* 1-based */
	enum scn_cmp cmp;    /* TK_CMP */
};

/* ---- numbers ------------------------------------------------------------ */

enum num_flags {
	NUM_HEX = 1u << 0,   /* 0x... */
	NUM_MULT = 1u << 1,  /* k M G suffixes, decimal fractions such as 2.5k */
	NUM_TIME = 1u << 2,  /* ns us ms s suffixes */
	NUM_HZ = 1u << 3,    /* Hz kHz MHz GHz suffixes */
};

enum num_status {
	NUM_OK,
	NUM_SYNTAX,      /* not digits as the flags allow */
	NUM_SUFFIX,      /* a suffix the flags do not allow */
	NUM_TOO_LARGE,   /* does not fit in 64 bits */
	NUM_FRACTION,    /* a fraction that does not come out whole */
};

struct num_value {
	uint64_t value;
	enum scn_unit unit;  /* SCN_UNIT_CYCLES unless a time suffix was given */
};

enum num_status scn_num_parse(const char *s, size_t len, unsigned flags, struct num_value *out);

/* ---- parser state ------------------------------------------------------- */

enum section {
	SEC_NONE,
	SEC_CPU,    /* lines of cpu overrides may follow */
	SEC_L0,     /* lines of l0 switches may follow */
	SEC_GUEST,  /* guest statements follow */
};

struct label_slot {
	uint32_t gen;   /* block generation that filled the slot; 0 = empty */
	uint32_t idx;   /* index into the open block's labels */
};

struct parser {
	const char *text;
	size_t len;
	const char *file;
	struct scn_error *err;
	bool failed;
	struct scn_scenario *s;
	struct scn_arena *arena;

	/* The current line: its code (before any comment) as tokens. */
	uint32_t line;
	struct tok *toks;      /* ends with TK_EOL */
	size_t cap_toks;
	uint32_t ntok;
	uint32_t pos;

	enum section sec;
	bool seen_cpu, seen_l0, seen_vcpus, seen_run;

	/* Capacities of the growing arrays. */
	size_t cap_overrides, cap_switches, cap_guests, cap_stimuli, cap_expects, cap_vars;
	size_t cap_insns, cap_labels, cap_idt, cap_vmcs, cap_msr, cap_regions;   /* of the open block */
	size_t total_insns, total_labels;

	/* The open guest block, or -1. */
	long guest;
	struct label_slot *slots;  /* label hash of the open block, at most half full */
	uint32_t nslots;           /* a power of two */
	uint32_t gen;

	/* Earliest use of each vCPU number, checked against `vcpus` at the end. */
	struct scn_loc first_cpu_use[SCN_MAX_VCPUS];
};

/* Errors: set the first error and return false. */
bool scn_fail_at(struct parser *p, struct scn_loc loc, const char *fmt, ...) SCN_PRINTF(3, 4);
bool scn_fail_col(struct parser *p, uint32_t col, const char *fmt, ...) SCN_PRINTF(3, 4);
/* "expected WHAT after 'PREV'[, found 'TOK']" at the current token. */
bool scn_expected(struct parser *p, const char *what);
/* Format a token for a message: 'text' or "end of line". */
void scn_describe(const struct tok *t, char *buf, size_t n);

/* Validate and tokenize line p->line, whose bytes are [s, s + len). */
bool scn_lex_line(struct parser *p, const char *s, size_t len);

/* Token helpers. */
static inline const struct tok *scn_peek(const struct parser *p)
{
	return &p->toks[p->pos];
}

static inline const struct tok *scn_peek2(const struct parser *p)
{
	return p->toks[p->pos].kind == TK_EOL ? &p->toks[p->pos] : &p->toks[p->pos + 1];
}

static inline const struct tok *scn_next(struct parser *p)
{
	const struct tok *t = &p->toks[p->pos];
	if (t->kind != TK_EOL)
		p->pos++;
	return t;
}

static inline struct scn_loc scn_tok_loc(const struct parser *p, const struct tok *t)
{
	struct scn_loc l = {p->line, t->col};
	return l;
}

bool scn_tok_is(const struct tok *t, const char *word);
bool scn_at_eol(struct parser *p);   /* error unless the line is done */

/* Growing arrays in the arena: make room for one more element. */
bool scn_grow(struct parser *p, void **arr, size_t *cap, size_t n, size_t elem, size_t limit,
              const char *what);

/* Operand parsers shared by statements and guest blocks. */
bool scn_parse_uint(struct parser *p, unsigned flags, uint64_t min, uint64_t max,
                    const char *what, uint64_t *out);
bool scn_parse_time(struct parser *p, const char *what, struct scn_time *out);
bool scn_parse_vector(struct parser *p, uint32_t *out);
bool scn_parse_cpu(struct parser *p, const char *what, uint32_t *out);
bool scn_word_is_cpu(const struct tok *t, uint32_t *cpu);
bool scn_word_is_level(const struct tok *t, enum scn_level *level);
char *scn_tok_strdup(struct parser *p, const struct tok *t);

bool scn_expected_why(struct parser *p, const char *what, const char *why);
bool scn_tok_copy(const struct tok *t, char *buf, size_t n);
/* Real-time units compare exactly; cycles against seconds need the TSC. */
bool scn_time_comparable(struct scn_time a, struct scn_time b);
uint64_t scn_time_key(struct scn_time t);  /* comparable times compare by key */

/* Stimuli and expectations (scn_events.c). */
bool scn_st_at(struct parser *p);
bool scn_st_every(struct parser *p);
bool scn_st_on(struct parser *p);
bool scn_st_expect(struct parser *p);
bool scn_parse_exit_reason(struct parser *p, int *reason);
bool scn_parse_ordinal(struct parser *p, uint32_t *out);
/* [Lk] [cpuN] in either order; leaves SCN_ANY where absent (the caller presets it). */
bool scn_parse_filters(struct parser *p, int *level, int *cpu);

/* Exact expectations (scn_exact.c): is the rest of the line one, and parse it into e. */
bool scn_expect_is_exact(const struct parser *p);
bool scn_st_expect_exact(struct parser *p, struct scn_expect *e);
/* After the whole file: find the blocks of the labels exact expectations name. */
bool scn_exact_final(struct parser *p);

/*
 * Ranges and choices (scn_vary.c). A time, then optionally `..` and its
 * end: a range becomes a variable of kind `kind` owned by stimulus `owner`
 * (AT, DELAY) or by instruction `insn` of guest `owner` (WORK); *out gets
 * the low end.
 */
bool scn_parse_time_range(struct parser *p, const char *what, enum scn_var_kind kind, size_t owner,
                          size_t insn, struct scn_time *out, bool *varies, uint32_t *var);
/* `choose A | B ...` after the mnemonic at `col`: instruction `insn` of guest `guest`. */
bool scn_parse_choice(struct parser *p, size_t guest, size_t insn, uint32_t col, struct scn_insn *in);

/*
 * VMCS operands (scn_vmcs.c): a field by name or encoding (an unknown
 * encoding only if allow_unknown: VMREAD/VMWRITE of one fails at run time;
 * *idx is then -1), and a value for field idx / encoding enc.
 */
bool scn_parse_field(struct parser *p, bool allow_unknown, int *idx, uint32_t *enc);
bool scn_parse_value(struct parser *p, int idx, uint32_t enc, uint64_t *out);
bool scn_word_is_control(const struct tok *t);   /* a control-bit name of vmcs/vmx_controls.def */

/* Guest blocks (scn_guest.c). */
bool scn_guest_open(struct parser *p);      /* the `guest` line */
bool scn_guest_line(struct parser *p);      /* a line inside the block */
bool scn_guest_close(struct parser *p);     /* label resolution and block checks */
bool scn_guest_final(struct parser *p);     /* checks that need the whole file */
bool scn_word_is_op(const struct tok *t);
/* A label operand: kept as written, resolved when the block closes. */
bool scn_parse_label_use(struct parser *p, const char **label, struct scn_loc *loc);
/* `interrupt-gate` or `trap-gate` (of `idt` and `set-idt`); a DPL or IST after it is refused. */
bool scn_parse_gate(struct parser *p, enum scn_gate *gate);

/* Guest instructions (scn_insn.c). */
bool scn_word_to_op(const struct tok *t, enum scn_op *op);
bool scn_st_insn(struct parser *p, struct scn_guest *g, enum scn_op op);   /* the mnemonic is next */
bool scn_op_takes_label(enum scn_op op);   /* resolved like jmp's when the block closes */
bool scn_fail_unknown_insn(struct parser *p, const struct tok *t);
/* A new instruction `op` at the end of block g, its mnemonic `kw`; NULL (error set) at the limits. */
struct scn_insn *scn_new_insn(struct parser *p, struct scn_guest *g, enum scn_op op, const struct tok *kw);

/* MSR operands and statements (scn_msr.c). */
enum scn_msr_use {
	SCN_MSR_USE_READ,     /* rdmsr: a known MSR programs may read */
	SCN_MSR_USE_WRITE,    /* wrmsr: an x2APIC timer register */
	SCN_MSR_USE_BITMAP,   /* msr-bitmap: a known MSR, or any number the bitmaps cover */
};
bool scn_parse_msr(struct parser *p, enum scn_msr_use use, uint32_t *msr);
/* `read` or `write`: which bitmap. */
bool scn_parse_msr_access(struct parser *p, bool *write);
/* An immediate WRMSR value for the timer register msr, at loc: reserved bits are an error. */
bool scn_check_wrmsr_value(struct parser *p, struct scn_loc loc, uint32_t msr, uint64_t value);
/* `msr-bitmap intercept read|write MSR` (a setup line) and `apic-timer ...` (wrmsr instructions). */
bool scn_st_msr_bitmap(struct parser *p, struct scn_guest *g);
bool scn_st_apic_timer(struct parser *p, struct scn_guest *g);

/* Registers (scn_insn.c): a name of vmcs/x86_gprs.def (parse: RSP is refused as not modelled). */
bool scn_word_is_reg(const struct tok *t, int *reg);
bool scn_parse_reg(struct parser *p, int *reg);

/*
 * VMX regions (scn_vmx.c): the `vmcs-region` line of an L1 block; the
 * operand of vmxon (optional: its VMXON region), vmclear and vmptrld; a
 * region name's index (SCN_REGION_*) in block g.
 */
bool scn_st_vmcs_region(struct parser *p, struct scn_guest *g);
bool scn_parse_region_operand(struct parser *p, struct scn_insn *in, bool optional);
bool scn_region_index(const struct scn_guest *g, const char *name, uint32_t *idx);

/* Name tables (scn_names.c). */
struct scn_cpu_param_row {
	const char *name;
	enum scn_cpu_param param;
	uint32_t feature;      /* SCN_CPU_FEATURE */
	bool is_switch;        /* +name / -name rather than `name VALUE` */
};
const struct scn_cpu_param_row *scn_cpu_param_row(size_t i);  /* NULL past the end */
size_t scn_cpu_param_rows(void);

#endif
