/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scn_events.c - events and what refers to them: the stimuli (`at`,
 * `every`, `on`) and the expectations (`expect`).
 *
 * One event grammar serves triggers, counts and timed expectations:
 * EVENT [Lk] [cpuN], where EVENT is exit REASON, entry, entry-fail,
 * deliver VECTOR, inject [VECTOR], iret, hlt, init, reset or violation KIND.
 */
#include <stdio.h>
#include <string.h>

#include "front/scn_internal.h"
#include "vmcs/vmx_exit_reason.h"

/* ---- events ------------------------------------------------------------- */

enum event_use { EV_TRIGGER, EV_COUNT, EV_TIMED };

#define EVENTS "an event (exit REASON, entry, entry-fail, deliver VECTOR, inject, iret, hlt, init, reset%s)"

static bool word_to_event(const struct tok *t, enum scn_event *ev)
{
	for (int i = 0; i < SCN_EV_COUNT; i++) {
		if (scn_tok_is(t, scn_event_name((enum scn_event)i))) {
			*ev = (enum scn_event)i;
			return true;
		}
	}
	return false;
}

bool scn_parse_exit_reason(struct parser *p, int *reason)
{
	const struct tok *t = scn_peek(p);
	char name[SCN_MAX_NAME_BYTES + 1];
	const char *n = name;
	uint64_t v = 0;

	if (t->kind == TK_NUM) {
		if (!scn_parse_uint(p, NUM_HEX, 0, 0xffff, "an exit reason name or number", &v))
			return false;
		if (!vmx_exit_reason_name((uint32_t)v)) {
			p->pos--;
			return scn_expected_why(p, "an exit reason name or number", "a reserved exit reason");
		}
		*reason = (int)v;
		return true;
	}
	if (t->kind != TK_WORD)
		return scn_expected(p, "an exit reason such as NMI_WINDOW or EXTERNAL_INTERRUPT");
	scn_tok_copy(t, name, sizeof(name));
	if (!strncmp(n, "EXIT_REASON_", 12))
		n += 12;
	*reason = vmx_exit_reason_by_name(n);
	if (*reason < 0)
		return scn_fail_col(p, t->col,
		                    "unknown exit reason '%s': expected a name from "
		                    "vmcs/vmx_exit_reasons.def such as NMI_WINDOW, EXCEPTION_NMI or HLT",
		                    name);
	scn_next(p);
	return true;
}

/* VECTOR | nmi | any; optional arguments give SCN_ANY when absent. */
static bool parse_event_vector(struct parser *p, bool optional, int *arg)
{
	const struct tok *t = scn_peek(p);
	uint64_t v = 0;

	*arg = SCN_ANY;
	if (scn_tok_is(t, "nmi") && !(optional && scn_peek2(p)->kind == TK_ARROW)) {
		/* `on inject nmi -> L1 cpu0`: that nmi is the stimulus */
		*arg = SCN_NMI;
		scn_next(p);
		return true;
	}
	if (scn_tok_is(t, "any")) {
		scn_next(p);
		return true;
	}
	if (t->kind == TK_NUM) {
		if (!scn_parse_uint(p, NUM_HEX, 0, 255, "a vector number 0-255, 'nmi' or 'any'", &v))
			return false;
		*arg = (int)v;
		return true;
	}
	return optional || scn_expected(p, "a vector number 0-255, 'nmi' or 'any'");
}

static bool parse_event(struct parser *p, enum event_use use, struct scn_event_pat *e)
{
	const struct tok *t = scn_peek(p);

	memset(e, 0, sizeof(*e));
	e->level = SCN_ANY;
	e->cpu = SCN_ANY;
	e->arg = SCN_ANY;
	if (!word_to_event(t, &e->ev)) {
		char what[160];
		snprintf(what, sizeof(what), EVENTS, use == EV_TRIGGER ? "" : ", violation KIND");
		return scn_expected(p, what);
	}
	e->loc = scn_tok_loc(p, t);
	scn_next(p);
	e->arg_loc = scn_tok_loc(p, scn_peek(p));
	switch (e->ev) {
	case SCN_EV_EXIT:
		if (!scn_parse_exit_reason(p, &e->arg))
			return false;
		break;
	case SCN_EV_DELIVER:
		if (!parse_event_vector(p, false, &e->arg))
			return false;
		break;
	case SCN_EV_INJECT:
		if (!parse_event_vector(p, true, &e->arg))
			return false;
		if (e->arg == SCN_ANY && !scn_tok_is(&p->toks[p->pos - 1], "any"))
			e->arg_loc.line = e->arg_loc.col = 0;
		break;
	case SCN_EV_VIOLATION:
		if (use == EV_TRIGGER)
			return scn_fail_at(p, e->loc, "a monitor verdict cannot trigger a stimulus "
			                              "(monitors watch, they never change the run)");
		if (scn_peek(p)->kind != TK_WORD)
			return scn_expected(p, "a monitor verdict kind such as nmi_nesting");
		if (!(e->kind = scn_tok_strdup(p, scn_next(p))))
			return false;
		break;
	default:
		e->arg_loc.line = 0;
		e->arg_loc.col = 0;
		break;
	}
	return scn_parse_filters(p, &e->level, &e->cpu);
}

bool scn_parse_filters(struct parser *p, int *level, int *cpu_out)
{
	bool have_level = false, have_cpu = false;

	/* Filters, in any order: a level and a vCPU. */
	for (;;) {
		const struct tok *t = scn_peek(p);
		enum scn_level lv;
		uint32_t cpu;

		if (scn_word_is_level(t, &lv)) {
			if (have_level)
				return scn_fail_col(p, t->col, "the event already has a level");
			have_level = true;
			*level = (int)lv;
			scn_next(p);
		} else if (scn_word_is_cpu(t, &cpu)) {
			if (have_cpu)
				return scn_fail_col(p, t->col, "the event already has a vCPU");
			have_cpu = true;
			if (!scn_parse_cpu(p, "a vCPU such as cpu0", &cpu))
				return false;
			*cpu_out = (int)cpu;
		} else {
			return true;
		}
	}
}

/* ---- stimuli ------------------------------------------------------------ */

static bool new_stimulus(struct parser *p, enum scn_timing timing, const struct tok *kw,
                         struct scn_stimulus **out)
{
	struct scn_scenario *s = p->s;

	if (!scn_grow(p, (void **)&s->stimuli, &p->cap_stimuli, s->nstimuli, sizeof(**out),
	              SCN_MAX_STIMULI, "stimuli"))
		return false;
	*out = &s->stimuli[s->nstimuli++];
	(*out)->timing = timing;
	(*out)->loc = scn_tok_loc(p, kw);
	(*out)->occurrence = 1;
	return true;
}

/*
 * After `mce -> TARGET`: the error the machine check carries, each word at
 * most once and in any order - `bank N` (0-31), `status V`, `addr V`,
 * `misc V`, `mcg-status V` (IA32_MCG_STATUS for the handler, which only
 * user space's KVM_X86_SET_MCE hands over), `enable-bit N` (0-63: the bit
 * of the bank's IA32_MCi_CTL that enables this error, for the processor's
 * own banks). A word left out keeps X86_MCE_RECORD_DEFAULT's value. Which
 * words the target takes is the build's question (lib/scenario_stim.c).
 */
static bool mce_record(struct parser *p, struct scn_stimulus *st)
{
	/* In the order of enum scn_mce_word. */
	static const char *const words[] = {"bank", "status", "addr", "misc", "mcg-status", "enable-bit"};
	enum { NWORDS = sizeof words / sizeof words[0] };
	const struct x86_mce_record def = X86_MCE_RECORD_DEFAULT;
	unsigned seen = 0;

	st->mce = def;
	for (;;) {
		const struct tok *t = scn_peek(p);
		unsigned w = 0;
		uint64_t v;

		while (w < NWORDS && !scn_tok_is(t, words[w]))
			w++;
		if (w == NWORDS)
			return true;
		if (seen & (1u << w))
			return scn_fail_at(p, scn_tok_loc(p, t), "'%s' is given twice", words[w]);
		if (!seen)
			st->mce_loc = scn_tok_loc(p, t);
		seen |= 1u << w;
		st->mce_words |= 1u << w;
		scn_next(p);
		if (!scn_parse_uint(p, NUM_HEX, 0, w == SCN_MCE_BANK ? X86_MCA_BANKS_MAX - 1 : w == SCN_MCE_ENABLE_BIT ? 63 : UINT64_MAX,
		                    w == SCN_MCE_BANK         ? "a bank number 0-31"
		                    : w == SCN_MCE_ENABLE_BIT ? "a bit number 0-63"
		                                              : "a 64-bit value",
		                    &v))
			return false;
		switch (w) {
		case SCN_MCE_BANK: st->mce.bank = (uint32_t)v; break;
		case SCN_MCE_STATUS: st->mce.status = v; break;
		case SCN_MCE_ADDR: st->mce.addr = v; break;
		case SCN_MCE_MISC: st->mce.misc = v; break;
		case SCN_MCE_MCG_STATUS: st->mce.mcg_status = v; break;
		default: st->mce.enable_bit = (uint32_t)v; break;
		}
	}
}

/*
 * `hw [dr0 X] [dr1 X] [dr2 X] [dr3 X] dr7 VALUE`: the debug registers the
 * debugger hands KVM_SET_GUEST_DEBUG with USE_HW_BP, as KVM's selftest does
 * (X a label of the guest or a value); DR7 must be given, each at most once.
 */
static bool debug_hw(struct parser *p, struct scn_stimulus *st)
{
	static const char *const words[] = {"dr0", "dr1", "dr2", "dr3", "dr7"};
	unsigned seen = 0;

	st->debug_kind = SCN_GDB_HW;
	scn_next(p);
	for (;;) {
		const struct tok *t = scn_peek(p);
		unsigned w = 0;

		while (w < 5 && !scn_tok_is(t, words[w]))
			w++;
		if (w == 5)
			break;
		if (seen & (1u << w))
			return scn_fail_at(p, scn_tok_loc(p, t), "'%s' is given twice", words[w]);
		seen |= 1u << w;
		scn_next(p);
		if (w < 4 && scn_peek(p)->kind == TK_WORD) {
			if (!scn_parse_label_use(p, &st->debug_dr_label[w], &st->debug_dr_loc[w]))
				return false;
		} else if (!scn_parse_uint(p, NUM_HEX, 0, UINT64_MAX, w < 4 ? "a label or an address" : "a DR7 value",
		                           w < 4 ? &st->debug_dr[w] : &st->debug_dr7)) {
			return false;
		}
	}
	if (!(seen & (1u << 4)))
		return scn_expected(p, "'dr7 VALUE' (the DR7 the debugger gives KVM_SET_GUEST_DEBUG)");
	return true;
}

/*
 * After `guest-debug -> TARGET`: `step N [blockirq]` - user space's
 * debugger stops the vCPU and single-steps N instructions (1-1000), with
 * KVM_GUESTDBG_BLOCKIRQ when `blockirq` is given, then lets it run; or
 * `hbreak LABEL` - it sets a hardware breakpoint on the guest's LABEL and
 * lets it run, stopping (and stepping over it) at each hit.
 */
static bool debug_steps(struct parser *p, struct scn_stimulus *st)
{
	uint64_t n;

	if (scn_tok_is(scn_peek(p), "hbreak")) {
		st->debug_kind = SCN_GDB_HBREAK;
		scn_next(p);
		return scn_parse_label_use(p, &st->debug_label, &st->debug_label_loc);
	}
	if (scn_tok_is(scn_peek(p), "continue")) {
		st->debug_kind = SCN_GDB_CONTINUE;
		scn_next(p);
		return true;
	}
	if (scn_tok_is(scn_peek(p), "hw"))
		return debug_hw(p, st);
	if (scn_tok_is(scn_peek(p), "sw")) {
		st->debug_kind = SCN_GDB_SW;
		scn_next(p);
		return true;
	}
	if (scn_tok_is(scn_peek(p), "skip")) {
		uint64_t bytes;

		st->debug_kind = SCN_GDB_SKIP;
		scn_next(p);
		if (!scn_parse_uint(p, 0, 1, 15, "a number of bytes 1-15 (an instruction's length)", &bytes))
			return false;
		st->debug_steps = (uint32_t)bytes;
		return true;
	}
	if (!scn_tok_is(scn_peek(p), "step"))
		return scn_expected(p, "'step N', 'hbreak LABEL', 'hw ... dr7 VALUE', 'sw', 'skip N' or 'continue' (what the "
		                       "debugger does)");
	st->debug_kind = SCN_GDB_STEP;
	scn_next(p);
	if (!scn_parse_uint(p, 0, 1, 1000, "a number of steps 1-1000", &n))
		return false;
	st->debug_steps = (uint32_t)n;
	if (scn_tok_is(scn_peek(p), "blockirq")) {
		st->debug_blockirq = true;
		scn_next(p);
	}
	return true;
}

/* nmi | irq VECTOR | init | sipi VECTOR | post VECTOR | mce | guest-debug | reset, then -> LEVEL cpuN [via NAME] [...] */
static bool stimulus_tail(struct parser *p, struct scn_stimulus *st)
{
	const struct tok *t = scn_peek(p);
	enum scn_level lv;

	if (scn_tok_is(t, "nmi")) {
		st->kind = SCN_STIM_NMI;
		scn_next(p);
	} else if (scn_tok_is(t, "init") || scn_tok_is(t, "mce")) {
		st->kind = scn_tok_is(t, "init") ? SCN_STIM_INIT : SCN_STIM_MCE;
		scn_next(p);
	} else if (scn_tok_is(t, "guest-debug") || scn_tok_is(t, "reset")) {
		st->kind = scn_tok_is(t, "reset") ? SCN_STIM_RESET : SCN_STIM_GUEST_DEBUG;
		scn_next(p);
	} else if (scn_tok_is(t, "irq") || scn_tok_is(t, "sipi") || scn_tok_is(t, "post")) {
		st->kind = scn_tok_is(t, "irq") ? SCN_STIM_IRQ : scn_tok_is(t, "sipi") ? SCN_STIM_SIPI : SCN_STIM_POST;
		scn_next(p);
		if (!scn_parse_vector(p, &st->vector))
			return false;
	} else {
		return scn_expected(p, "a stimulus: 'nmi', 'irq VECTOR', 'init', 'sipi VECTOR', 'post VECTOR', "
		                         "'mce', 'guest-debug' or 'reset'");
	}
	if (scn_peek(p)->kind != TK_ARROW)
		return scn_expected(p, "'->' and a target such as 'L1 cpu0'");
	scn_next(p);
	t = scn_peek(p);
	if (!scn_word_is_level(t, &lv))
		return scn_expected(p, "a target level L0, L1 or L2");
	st->level = lv;
	st->target_loc = scn_tok_loc(p, t);
	scn_next(p);
	if (!scn_parse_cpu(p, "a target vCPU such as cpu0", &st->cpu))
		return false;
	if (scn_tok_is(scn_peek(p), "via")) {
		scn_next(p);
		t = scn_peek(p);
		if (t->kind != TK_WORD)
			return scn_expected(p, "a source name such as monitor or watchdog");
		st->via_loc = scn_tok_loc(p, t);
		if (!(st->via = scn_tok_strdup(p, t)))
			return false;
		scn_next(p);
	}
	if (st->kind == SCN_STIM_MCE && !mce_record(p, st))
		return false;
	if (st->kind == SCN_STIM_GUEST_DEBUG && !debug_steps(p, st))
		return false;
	return scn_at_eol(p);
}

bool scn_st_at(struct parser *p)
{
	const struct tok *kw = scn_next(p);
	struct scn_stimulus *st;

	if (!new_stimulus(p, SCN_AT, kw, &st) ||
	    !scn_parse_time_range(p, "a time such as 5000, 12k or 3us", SCN_VAR_AT, p->s->nstimuli - 1, 0,
	                          &st->at, &st->varies, &st->var))
		return false;
	return stimulus_tail(p, st);
}

bool scn_st_every(struct parser *p)
{
	const struct tok *kw = scn_next(p);
	struct scn_stimulus *st;
	struct scn_time start;

	if (!new_stimulus(p, SCN_EVERY, kw, &st) ||
	    !scn_parse_time(p, "a period such as 1000000 or 1ms", &st->period))
		return false;
	if (st->period.value == 0) {
		p->pos--;
		return scn_expected_why(p, "a period such as 1000000 or 1ms", "must be more than 0");
	}
	if (scn_tok_is(scn_peek(p), "from")) {
		scn_next(p);
		if (!scn_parse_time(p, "a start time", &st->from))
			return false;
		st->has_from = true;
	}
	if (scn_tok_is(scn_peek(p), "until")) {
		const struct tok *u = scn_next(p);

		if (!scn_parse_time(p, "an end time", &st->until))
			return false;
		st->has_until = true;
		/* The first occurrence is at `from`, or one period in. */
		start = st->has_from ? st->from : st->period;
		if (scn_time_comparable(start, st->until) &&
		    scn_time_key(st->until) < scn_time_key(start))
			return scn_fail_col(p, u->col, st->has_from ? "'until' is before 'from'"
			                                            : "'until' is before the first period ends");
	}
	return stimulus_tail(p, st);
}

/* 1st 2nd 3rd 4th ... 11th 12th 13th ... 21st */
bool scn_parse_ordinal(struct parser *p, uint32_t *out)
{
	const struct tok *t = scn_peek(p);
	const char *what = "an ordinal such as 1st, 2nd, 3rd or 4th";
	uint64_t v = 0;
	uint32_t i = 0;
	const char *suf;

	while (i < t->len && t->s[i] >= '0' && t->s[i] <= '9' && v <= 1000000000u)
		v = v * 10 + (uint64_t)(t->s[i++] - '0');
	if (v == 0 || v > 1000000000u || t->len - i != 2)
		return scn_expected_why(p, what, v > 1000000000u ? "too large" : "not an ordinal");
	suf = (v % 100 >= 11 && v % 100 <= 13) ? "th"
	    : v % 10 == 1 ? "st" : v % 10 == 2 ? "nd" : v % 10 == 3 ? "rd" : "th";
	if (memcmp(t->s + i, suf, 2))
		return scn_expected_why(p, what, "wrong suffix for this number");
	*out = (uint32_t)v;
	scn_next(p);
	return true;
}

bool scn_st_on(struct parser *p)
{
	const struct tok *kw = scn_next(p), *t;
	struct scn_stimulus *st;

	if (!new_stimulus(p, SCN_ON, kw, &st))
		return false;
	t = scn_peek(p);
	if (t->kind == TK_NUM) {
		if (!scn_parse_ordinal(p, &st->occurrence))
			return false;
	} else if (scn_tok_is(t, "every")) {
		st->occurrence = 0;
		scn_next(p);
	}
	if (!parse_event(p, EV_TRIGGER, &st->trigger))
		return false;
	if (scn_peek(p)->kind == TK_PLUS) {
		scn_next(p);
		if (!scn_parse_time_range(p, "a delay such as 100 or 2us", SCN_VAR_DELAY, p->s->nstimuli - 1, 0,
		                          &st->delay, &st->varies, &st->var))
			return false;
	}
	return stimulus_tail(p, st);
}

/* ---- expectations ------------------------------------------------------- */

bool scn_st_expect(struct parser *p)
{
	const struct tok *kw = scn_next(p), *t = scn_peek(p);
	struct scn_scenario *s = p->s;
	struct scn_expect *e;
	enum scn_event ev;

	if (!scn_grow(p, (void **)&s->expects, &p->cap_expects, s->nexpects, sizeof(*e),
	              SCN_MAX_EXPECTS, "expectations"))
		return false;
	e = &s->expects[s->nexpects++];
	e->loc = scn_tok_loc(p, kw);
	if (scn_expect_is_exact(p))
		return scn_st_expect_exact(p, e);
	if (scn_tok_is(t, "count")) {
		e->kind = SCN_EXPECT_COUNT;
		scn_next(p);
		if (!parse_event(p, EV_COUNT, &e->event))
			return false;
		if (scn_peek(p)->kind != TK_CMP)
			return scn_expected(p, "a comparison (==, !=, <, <=, > or >=)");
		e->cmp = scn_next(p)->cmp;
		if (!scn_parse_uint(p, NUM_MULT, 0, UINT64_MAX, "a count", &e->count))
			return false;
	} else if (word_to_event(t, &ev)) {
		if (!parse_event(p, EV_TIMED, &e->event))
			return false;
		t = scn_peek(p);
		if (scn_tok_is(t, "at")) {
			e->kind = SCN_EXPECT_AT;
			scn_next(p);
			if (!scn_parse_time(p, "a time", &e->at))
				return false;
		} else if (scn_tok_is(t, "in")) {
			e->kind = SCN_EXPECT_WITHIN;
			scn_next(p);
			if (!scn_parse_time(p, "a time range such as 5000..6000", &e->at))
				return false;
			if (scn_peek(p)->kind != TK_DOTDOT)
				return scn_expected(p, "'..' and the end of the range");
			scn_next(p);
			t = scn_peek(p);
			if (!scn_parse_time(p, "the end of the range", &e->until))
				return false;
			if (scn_time_comparable(e->at, e->until) && scn_time_key(e->until) < scn_time_key(e->at))
				return scn_fail_col(p, t->col, "the range ends before it starts");
		} else {
			return scn_expected(p, "'at TIME' or 'in TIME..TIME'");
		}
	} else {
		e->kind = SCN_EXPECT_VERDICT;
		if (scn_tok_is(t, "no")) {
			e->negated = true;
			scn_next(p);
			t = scn_peek(p);
			if (word_to_event(t, &ev) || scn_tok_is(t, "count"))
				return scn_fail_col(p, t->col, "'expect no' takes a monitor verdict kind; "
				                               "for events write 'expect count EVENT == 0'");
		}
		if (t->kind != TK_WORD)
			return scn_expected(p, e->negated ? "a monitor verdict kind such as nmi_nesting"
			                                  : "a monitor verdict kind, 'no KIND', "
			                                    "'count EVENT OP N' or 'EVENT at TIME'");
		e->verdict_loc = scn_tok_loc(p, t);
		if (!(e->verdict = scn_tok_strdup(p, t)))
			return false;
		scn_next(p);
	}
	return scn_at_eol(p);
}
