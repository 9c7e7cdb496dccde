/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scn_exact.c - exact expectations: the fields of one exit, VMfail or
 * record, as a VMX test asserts them.
 *
 *   expect 1st exit L2 reason=EXCEPTION_NMI rip=l2_loop+2 intr-info=0x80000202
 *   expect exit at l2_hlt L2 reason=HLT insn-len=1
 *   expect 2nd vmfail insn=vmwrite error=13
 *   expect 1st entry-fail error=7              # VMfailValid, not an entry-failure exit
 *   expect 1st record L1 rax=0x11 rbx=0
 *   expect 1st nested-exit reason=EXTERNAL_INTERRUPT intr-info=0   # what L1 sees under a nested L0
 *   expect 2nd iret L2 rip=hw_wp1             # the return address of the frame the IRET popped
 *
 * The event is chosen by its ordinal among those that pass the level and
 * vCPU filters, or as the first one whose RIP is a label's address. Each
 * KEY=VALUE is then compared; a key the event does not carry compares as 0
 * (the trace leaves out zero and default values), so `intr-info=0` holds
 * for an exit without interruption information.
 */
#include <stdio.h>
#include <string.h>

#include "front/scn_internal.h"
#include "vmcs/vmx_exit_reason.h"
#include "vmcs/vmx_intr_state.h"
#include "vmcs/x86_gpr.h"

#define MAX_FIELDS 24u

static const char *const what_words[SCN_EXACT_COUNT] = {"exit",   "vmfail",      "entry-fail",
                                                         "record", "nested-exit", "iret"};

static bool word_to_what(const struct tok *t, enum scn_exact_what *w)
{
	for (int i = 0; i < SCN_EXACT_COUNT; i++) {
		if (scn_tok_is(t, what_words[i])) {
			*w = (enum scn_exact_what)i;
			return true;
		}
	}
	return false;
}

bool scn_expect_is_exact(const struct parser *p)
{
	const struct tok *t = scn_peek(p), *n = scn_peek2(p);
	enum scn_exact_what w;

	if (t->kind == TK_NUM)   /* an ordinal */
		return true;
	if (!word_to_what(t, &w))
		return false;
	/* `expect exit HLT at 4001` and `expect entry-fail at 5000` are timed; `at LABEL` is exact. */
	if (w == SCN_EXACT_VMFAIL || w == SCN_EXACT_RECORD || w == SCN_EXACT_NESTED_EXIT)
		return true;
	/* `expect iret ...` alone is the timed event (scn_events.c); `iret at LABEL` is exact. */
	return scn_tok_is(n, "at") && p->toks[p->pos + 2].kind == TK_WORD;
}

/* Which keys each kind of event has. */
static bool key_allowed(enum scn_exact_what w, uint32_t key)
{
	switch (w) {
	case SCN_EXACT_EXIT:
		return key <= SCN_KEY_ACTIVITY;
	case SCN_EXACT_VMFAIL:
		return key == SCN_KEY_RIP || key == SCN_KEY_ERROR || key == SCN_KEY_INSN;
	case SCN_EXACT_ENTRY_FAIL:
		return key == SCN_KEY_RIP || key == SCN_KEY_REASON || key == SCN_KEY_QUAL || key == SCN_KEY_ERROR ||
		       key == SCN_KEY_INSN;
	case SCN_EXACT_RECORD:
		return key == SCN_KEY_RIP || key >= SCN_KEY_REG;
	case SCN_EXACT_NESTED_EXIT:   /* what the nested_exit trace event carries */
		return key == SCN_KEY_REASON || key == SCN_KEY_RIP || key == SCN_KEY_QUAL || key == SCN_KEY_INTR_INFO ||
		       key == SCN_KEY_IDT_INFO;
	case SCN_EXACT_IRET:
		return key == SCN_KEY_RIP;
	case SCN_EXACT_COUNT:
		break;
	}
	return false;
}

static bool word_to_key(const struct tok *t, uint32_t *key)
{
	int reg;

	for (uint32_t k = 0; k < SCN_KEY_REG; k++) {
		const char *name = scn_exact_key_name(k);
		if (name && scn_tok_is(t, name)) {
			*key = k;
			return true;
		}
	}
	reg = t->kind == TK_WORD ? x86_gpr_lookup(t->s, t->len) : -1;
	if (reg >= 0 && x86_gpr_modelled((uint32_t)reg)) {
		*key = SCN_KEY_REG + (uint32_t)reg;
		return true;
	}
	return false;
}

/* sti|mov-ss|smi|nmi joined by '|' (bits 0-3 of the interruptibility state), or a number. */
static bool parse_interruptibility(struct parser *p, uint64_t *out)
{
	static const struct { const char *name; uint32_t bit; } bits[] = {
		{"sti", GUEST_INTR_STATE_STI}, {"mov-ss", GUEST_INTR_STATE_MOV_SS},
		{"smi", GUEST_INTR_STATE_SMI}, {"nmi", GUEST_INTR_STATE_NMI}, {"none", 0},
	};
	*out = 0;
	for (;;) {
		const struct tok *t = scn_peek(p);
		uint64_t v = 0;
		bool found = false;

		if (t->kind == TK_NUM) {
			if (!scn_parse_uint(p, NUM_HEX, 0, UINT32_MAX, "an interruptibility state", &v))
				return false;
			*out |= v;
		} else {
			for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++) {
				if (scn_tok_is(t, bits[i].name)) {
					*out |= bits[i].bit;
					found = true;
				}
			}
			if (!found)
				return scn_expected(p, "an interruptibility state: a number, or sti, mov-ss, smi, nmi "
				                       "joined by '|', or none");
			scn_next(p);
		}
		if (scn_peek(p)->kind != TK_PIPE)
			return true;
		scn_next(p);
	}
}

static bool parse_word_value(struct parser *p, const char *const *words, size_t n, const char *what, uint64_t *out)
{
	const struct tok *t = scn_peek(p);

	if (t->kind == TK_NUM)
		return scn_parse_uint(p, NUM_HEX, 0, UINT32_MAX, what, out);
	for (size_t i = 0; i < n; i++) {
		if (words[i] && scn_tok_is(t, words[i])) {
			*out = i;
			scn_next(p);
			return true;
		}
	}
	return scn_expected(p, what);
}

/* The value after `KEY=`. */
static bool parse_field_value(struct parser *p, struct scn_exact_field *f)
{
	static const char *const activities[] = {"active", "hlt", "shutdown", "wait-sipi", "wait-for-sipi"};
	const struct tok *t = scn_peek(p);
	int reason = 0;

	switch (f->key) {
	case SCN_KEY_REASON:
		if (t->kind == TK_NUM)
			return scn_parse_uint(p, NUM_HEX, 0, UINT32_MAX, "an exit reason (bit 31: VM-entry failure)",
			                      &f->value);
		if (!scn_parse_exit_reason(p, &reason))
			return false;
		f->value = (uint64_t)reason;
		return true;
	case SCN_KEY_RIP:
		if (t->kind == TK_NUM)
			return scn_parse_uint(p, NUM_HEX, 0, UINT64_MAX, "an address or LABEL[+N]", &f->value);
		if (t->kind != TK_WORD)
			return scn_expected(p, "an address or LABEL[+N]");
		if (!(f->label = scn_tok_strdup(p, t)))
			return false;
		scn_next(p);
		if (scn_peek(p)->kind == TK_PLUS) {
			scn_next(p);
			return scn_parse_uint(p, NUM_HEX, 0, 0xffffffffu, "an offset in bytes", &f->value);
		}
		return true;
	case SCN_KEY_INTERRUPTIBILITY:
		return parse_interruptibility(p, &f->value);
	case SCN_KEY_ACTIVITY:
		if (!parse_word_value(p, activities, 5, "an activity state: active, hlt, shutdown, wait-for-sipi or 0-3",
		                      &f->value))
			return false;
		if (f->value > GUEST_ACTIVITY_WAIT_SIPI && t->kind == TK_WORD)
			f->value = GUEST_ACTIVITY_WAIT_SIPI;   /* wait-sipi and wait-for-sipi are one state */
		return true;
	case SCN_KEY_ERROR:
		if (scn_tok_is(t, "invalid")) {   /* VMfailInvalid: no error number */
			scn_next(p);
			f->value = 0;
			return true;
		}
		return scn_parse_uint(p, NUM_HEX, 1, 255, "a VM-instruction error number, or 'invalid'", &f->value);
	case SCN_KEY_INSN: {
		/* The instructions that can VMfail. */
		static const enum scn_op ops[] = {SCN_OP_VMLAUNCH, SCN_OP_VMRESUME, SCN_OP_VMREAD, SCN_OP_VMWRITE,
		                                  SCN_OP_VMCALL, SCN_OP_VMXON, SCN_OP_VMXOFF, SCN_OP_VMCLEAR,
		                                  SCN_OP_VMPTRLD, SCN_OP_VMPTRST};
		for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
			if (scn_tok_is(t, scn_op_name(ops[i]))) {
				f->value = ops[i];
				scn_next(p);
				return true;
			}
		}
		return scn_expected(p, "a VMX instruction: vmlaunch, vmresume, vmread, vmwrite, vmcall, vmxon, "
		                       "vmxoff, vmclear, vmptrld or vmptrst");
	}
	default:
		return scn_parse_uint(p, NUM_HEX, 0, UINT64_MAX, "a number", &f->value);
	}
}

static bool parse_fields(struct parser *p, struct scn_expect *e)
{
	struct scn_exact_field fields[MAX_FIELDS];
	size_t n = 0;

	while (scn_peek(p)->kind != TK_EOL) {
		const struct tok *t = scn_peek(p);
		struct scn_exact_field *f = &fields[n];

		if (n == MAX_FIELDS)
			return scn_fail_col(p, t->col, "too many KEY=VALUE terms (the limit is %u)", MAX_FIELDS);
		memset(f, 0, sizeof(*f));
		f->loc = scn_tok_loc(p, t);
		if (!word_to_key(t, &f->key))
			return scn_expected(p, e->what == SCN_EXACT_RECORD
			                           ? "KEY=VALUE with a register name (rax, rbx, ...) or rip"
			                           : "KEY=VALUE with a key such as reason, rip, qual, intr-info, intr-error, "
			                             "idt-info, idt-error, insn-len, interruptibility, activity, error or insn");
		if (!key_allowed(e->what, f->key))
			return scn_fail_col(p, t->col, "'%s' is not a field of %s %s", scn_exact_key_name(f->key),
			                    e->what == SCN_EXACT_EXIT || e->what == SCN_EXACT_IRET ? "an" : "a",
			                    scn_exact_what_name(e->what));
		for (size_t i = 0; i < n; i++)
			if (fields[i].key == f->key)
				return scn_fail_col(p, t->col, "'%s' is already given", scn_exact_key_name(f->key));
		scn_next(p);
		if (scn_peek(p)->kind != TK_EQ)
			return scn_expected(p, "'=' and a value");
		scn_next(p);
		if (!parse_field_value(p, f))
			return false;
		n++;
	}
	if (n == 0)
		return scn_expected(p, "at least one KEY=VALUE to compare");
	if (!(e->fields = scn_arena_alloc(p->arena, n * sizeof(*fields))))
		return scn_fail_col(p, 1, "out of memory");
	memcpy(e->fields, fields, n * sizeof(*fields));
	e->nfields = n;
	return true;
}

bool scn_st_expect_exact(struct parser *p, struct scn_expect *e)
{
	const struct tok *t = scn_peek(p);

	e->kind = SCN_EXPECT_EXACT;
	e->event.level = SCN_ANY;
	e->event.cpu = SCN_ANY;
	if (t->kind == TK_NUM && !scn_parse_ordinal(p, &e->occurrence))
		return false;
	t = scn_peek(p);
	if (!word_to_what(t, &e->what))
		return scn_expected(p, "exit, vmfail, entry-fail, record, nested-exit or iret");
	e->event.loc = scn_tok_loc(p, t);
	scn_next(p);
	if (!e->occurrence) {
		if (!scn_tok_is(scn_peek(p), "at"))
			return scn_expected(p, "'at LABEL', or an ordinal before the event (1st, 2nd, ...)");
		scn_next(p);
		t = scn_peek(p);
		if (t->kind != TK_WORD)
			return scn_expected(p, "a label");
		e->at_loc = scn_tok_loc(p, t);
		if (!(e->at_label = scn_tok_strdup(p, t)))
			return false;
		scn_next(p);
		if (scn_peek(p)->kind == TK_PLUS) {
			scn_next(p);
			if (!scn_parse_uint(p, NUM_HEX, 0, 0xffffffffu, "an offset in bytes", &e->at_offset))
				return false;
		}
	}
	if (!scn_parse_filters(p, &e->event.level, &e->event.cpu))
		return false;
	return parse_fields(p, e);
}

/*
 * The level whose blocks hold a label an expectation names: the filter's,
 * else L2 for exits when there is an L2 (exits leave the guest), else the
 * one level that has the label.
 */
static bool find_label_level(struct parser *p, const struct scn_expect *e, const char *label, struct scn_loc loc,
                             enum scn_level *out)
{
	const struct scn_scenario *s = p->s;
	bool in[3] = {false, false, false}, have_l2 = false;
	uint32_t idx;

	for (size_t i = 0; i < s->nguests; i++) {
		have_l2 |= s->guests[i].level == SCN_L2;
		if (scn_label_index(&s->guests[i], label, &idx))
			in[s->guests[i].level] = true;
	}
	if (e->event.level != SCN_ANY) {
		*out = (enum scn_level)e->event.level;
		if (*out == SCN_L0 || !in[*out])
			return scn_fail_at(p, loc, "undefined label '%s' (no 'guest L%d' block has it)", label,
			                   e->event.level);
		return true;
	}
	if ((e->what == SCN_EXACT_EXIT || e->what == SCN_EXACT_NESTED_EXIT) && have_l2)
		*out = SCN_L2;
	else if (in[SCN_L1] && in[SCN_L2])
		return scn_fail_at(p, loc, "label '%s' is in an L1 and an L2 block: say which with L1 or L2", label);
	else
		*out = in[SCN_L2] ? SCN_L2 : SCN_L1;
	if (!in[*out])
		return scn_fail_at(p, loc, "undefined label '%s' (no 'guest L%d' block has it)", label, (int)*out);
	return true;
}

bool scn_exact_final(struct parser *p)
{
	struct scn_scenario *s = p->s;

	for (size_t i = 0; i < s->nexpects; i++) {
		struct scn_expect *e = &s->expects[i];

		if (e->kind != SCN_EXPECT_EXACT)
			continue;
		if (e->at_label && !find_label_level(p, e, e->at_label, e->at_loc, &e->at_level))
			return false;
		for (size_t k = 0; k < e->nfields; k++) {
			struct scn_exact_field *f = &e->fields[k];
			if (f->label && !find_label_level(p, e, f->label, f->loc, &f->label_level))
				return false;
		}
	}
	return true;
}
