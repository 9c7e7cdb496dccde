/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scn_vary.c - what a scenario lets `vmxsim explore` vary: a time or a
 * length written as a range (`at 5000..9000`, `on deliver nmi +0..2us`,
 * `work 100..900`) and a choice of jump targets (`choose a | b | c`).
 *
 * Each becomes one entry of s->vars with the span of its text, so that a
 * reproducer can be written back as the same file with the chosen value in
 * that place. The stimulus or instruction keeps the first value (the low
 * end, the first label): that is what every command but explore runs.
 */
#include <string.h>

#include "front/scn_internal.h"

static bool new_var(struct parser *p, enum scn_var_kind kind, uint32_t col, struct scn_var **out)
{
	struct scn_scenario *s = p->s;

	if (s->nvars >= SCN_MAX_VARS)
		return scn_fail_col(p, col, "too many ranges and choices (the limit is %u)", SCN_MAX_VARS);
	if (!scn_grow(p, (void **)&s->vars, &p->cap_vars, s->nvars, sizeof(**out), SCN_MAX_VARS,
	              "ranges and choices"))
		return false;
	*out = &s->vars[s->nvars];
	memset(*out, 0, sizeof(**out));
	(*out)->kind = kind;
	(*out)->loc.line = p->line;
	(*out)->loc.col = col;
	return true;
}

static uint32_t end_of_last_token(const struct parser *p)
{
	const struct tok *t = &p->toks[p->pos - 1];
	return t->col + t->len;
}

bool scn_parse_time_range(struct parser *p, const char *what, enum scn_var_kind kind, size_t owner,
                          size_t insn, struct scn_time *out, bool *varies, uint32_t *var)
{
	uint32_t col = scn_peek(p)->col;
	struct scn_time hi;
	struct scn_var *v = NULL;

	if (!scn_parse_time(p, what, out))
		return false;
	if (scn_peek(p)->kind != TK_DOTDOT)
		return true;
	scn_next(p);
	if (!scn_parse_time(p, "the end of the range", &hi))
		return false;
	/* A zero start is zero in every unit: `+0..2us`. */
	if (!scn_time_comparable(*out, hi) && out->value != 0) {
		p->pos--;
		return scn_expected_why(p, "the end of the range", "one end is in cycles and the other in "
		                        "real time; write both ends the same way");
	}
	if (out->value == 0 ? hi.value == 0 : scn_time_key(hi) <= scn_time_key(*out)) {
		p->pos--;
		return scn_expected_why(p, "the end of the range", "not after its start");
	}
	if (!new_var(p, kind, col, &v))
		return false;
	v->lo = *out;
	v->hi = hi;
	v->end_col = end_of_last_token(p);
	if (kind == SCN_VAR_AT || kind == SCN_VAR_DELAY)
		v->stimulus = owner;
	else {
		v->guest = owner;
		v->insn = insn;
	}
	*varies = true;
	*var = (uint32_t)(p->s->nvars++);
	return true;
}

bool scn_parse_choice(struct parser *p, size_t guest, size_t insn, uint32_t col, struct scn_insn *in)
{
	struct scn_var *v = NULL;
	size_t n = 0;

	if (!new_var(p, SCN_VAR_CHOICE, col, &v))
		return false;
	v->guest = guest;
	v->insn = insn;
	v->labels = scn_arena_alloc(p->arena, SCN_MAX_CHOICES * sizeof(*v->labels));
	v->label_locs = scn_arena_alloc(p->arena, SCN_MAX_CHOICES * sizeof(*v->label_locs));
	v->targets = scn_arena_alloc(p->arena, SCN_MAX_CHOICES * sizeof(*v->targets));
	if (!v->labels || !v->label_locs || !v->targets)
		return scn_fail_col(p, col, "out of memory");
	for (;;) {
		const struct tok *t = scn_peek(p);

		if (t->kind != TK_WORD)
			return scn_expected(p, n ? "another label" : "the labels to choose from, such as 'a | b'");
		if (n == SCN_MAX_CHOICES)
			return scn_fail_col(p, t->col, "too many alternatives (the limit is %u)", SCN_MAX_CHOICES);
		for (size_t i = 0; i < n; i++)
			if (strlen(v->labels[i]) == t->len && !memcmp(v->labels[i], t->s, t->len))
				return scn_fail_col(p, t->col, "label '%s' is already an alternative", v->labels[i]);
		v->label_locs[n] = scn_tok_loc(p, t);
		if (!(v->labels[n] = scn_tok_strdup(p, t)))
			return false;
		n++;
		scn_next(p);
		if (scn_peek(p)->kind != TK_PIPE)
			break;
		scn_next(p);
	}
	if (n < 2)
		return scn_fail_col(p, col, "a choice needs two labels at least: 'choose a | b'");
	v->nalts = n;
	v->end_col = end_of_last_token(p);
	/* Until explore chooses, the first alternative; resolved with the jumps when the block closes. */
	in->label = v->labels[0];
	in->arg_loc = v->label_locs[0];
	in->varies = true;
	in->var = (uint32_t)(p->s->nvars++);
	return true;
}
