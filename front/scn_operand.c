/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scn_operand.c - error reporting and the operands every statement shares:
 * numbers, times, vectors, vCPUs, levels, tokens and growing arrays.
 *
 * Every error names what was expected, after which token, and what was
 * found instead: "expected a vector number 0-255 after 'irq', found 'x'".
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "front/scn_internal.h"

/* ---- errors ------------------------------------------------------------- */

static bool vfail(struct parser *p, struct scn_loc loc, const char *fmt, va_list ap)
{
	if (p->failed)
		return false;
	p->failed = true;
	p->err->line = loc.line;
	p->err->col = loc.col;
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	return false;
}

bool scn_fail_at(struct parser *p, struct scn_loc loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(p, loc, fmt, ap);
	va_end(ap);
	return false;
}

bool scn_fail_col(struct parser *p, uint32_t col, const char *fmt, ...)
{
	struct scn_loc loc = {p->line, col};
	va_list ap;

	va_start(ap, fmt);
	vfail(p, loc, fmt, ap);
	va_end(ap);
	return false;
}

void scn_describe(const struct tok *t, char *buf, size_t n)
{
	if (t->kind == TK_EOL)
		snprintf(buf, n, "end of line");
	else
		snprintf(buf, n, "'%.*s'", (int)t->len, t->s);
}

bool scn_expected_why(struct parser *p, const char *what, const char *why)
{
	const struct tok *t = scn_peek(p);
	char found[SCN_MAX_NAME_BYTES + 16], after[SCN_MAX_NAME_BYTES + 16] = "";

	if (p->pos > 0)
		snprintf(after, sizeof(after), " after '%.*s'", (int)p->toks[p->pos - 1].len,
		         p->toks[p->pos - 1].s);
	if (t->kind == TK_EOL)
		return scn_fail_col(p, t->col, "expected %s%s", what, after);
	scn_describe(t, found, sizeof(found));
	return scn_fail_col(p, t->col, "expected %s%s, found %s%s%s%s", what, after, found,
	                    why ? " (" : "", why ? why : "", why ? ")" : "");
}

bool scn_expected(struct parser *p, const char *what)
{
	/* A range where none may be: say so rather than what else was expected. */
	if (scn_peek(p)->kind == TK_DOTDOT && p->pos > 0 && p->toks[p->pos - 1].kind == TK_NUM)
		return scn_fail_col(p, scn_peek(p)->col, "a range cannot stand here: only an 'at' time, an 'on' "
		                                         "delay and a 'work' length may vary (LO..HI)");
	return scn_expected_why(p, what, NULL);
}

bool scn_at_eol(struct parser *p)
{
	return scn_peek(p)->kind == TK_EOL || scn_expected(p, "end of line");
}

/* ---- tokens and operands ------------------------------------------------ */

bool scn_tok_is(const struct tok *t, const char *word)
{
	size_t n = strlen(word);
	return t->kind == TK_WORD && t->len == n && !memcmp(t->s, word, n);
}

char *scn_tok_strdup(struct parser *p, const struct tok *t)
{
	char *s = scn_arena_strndup(p->arena, t->s, t->len);

	if (!s)
		scn_fail_col(p, t->col, "out of memory");
	return s;
}

bool scn_grow(struct parser *p, void **arr, size_t *cap, size_t n, size_t elem, size_t limit,
              const char *what)
{
	size_t ncap;
	void *fresh;

	if (n >= limit)
		return scn_fail_col(p, p->toks[0].col, "too many %s (the limit is %zu)", what, limit);
	if (n < *cap)
		return true;
	ncap = *cap ? *cap * 2 : 8;
	if (ncap > limit)
		ncap = limit;
	fresh = scn_arena_alloc(p->arena, ncap * elem);
	if (!fresh)
		return scn_fail_col(p, 1, "out of memory");
	if (n)
		memcpy(fresh, *arr, n * elem);
	*arr = fresh;
	*cap = ncap;
	return true;
}

static const char *suffix_list(unsigned flags)
{
	if (flags & NUM_TIME)
		return "allowed: k, M, G, ns, us, ms, s";
	if (flags & NUM_HZ)
		return "allowed: k, M, G, Hz, kHz, MHz, GHz";
	if (flags & NUM_MULT)
		return "allowed: k, M, G";
	return "no suffix allowed";
}

/* The number at the current token, as flags allow, without range checks. */
static bool parse_num(struct parser *p, unsigned flags, const char *what, struct num_value *v)
{
	const struct tok *t = scn_peek(p);

	if (t->kind != TK_NUM)
		return scn_expected(p, what);
	switch (scn_num_parse(t->s, t->len, flags, v)) {
	case NUM_OK:
		return true;
	case NUM_SYNTAX:
		return scn_expected_why(p, what, "not a number");
	case NUM_SUFFIX:
		return scn_expected_why(p, what, suffix_list(flags));
	case NUM_TOO_LARGE:
		return scn_expected_why(p, what, "too large");
	case NUM_FRACTION:
		return scn_expected_why(p, what, "not a whole number");
	}
	return false;
}

bool scn_parse_uint(struct parser *p, unsigned flags, uint64_t min, uint64_t max,
                    const char *what, uint64_t *out)
{
	struct num_value v = {0, SCN_UNIT_CYCLES};

	if (!parse_num(p, flags, what, &v))
		return false;
	if (v.value < min || v.value > max)
		return scn_expected_why(p, what, "out of range");
	*out = v.value;
	scn_next(p);
	return true;
}

static uint64_t time_limit(enum scn_unit u)
{
	static const uint64_t limits[] = {
		[SCN_UNIT_CYCLES] = SCN_MAX_CYCLES,
		[SCN_UNIT_NS] = SCN_MAX_SECONDS * 1000000000ull,
		[SCN_UNIT_US] = SCN_MAX_SECONDS * 1000000ull,
		[SCN_UNIT_MS] = SCN_MAX_SECONDS * 1000ull,
		[SCN_UNIT_S] = SCN_MAX_SECONDS,
	};
	return limits[u];
}

bool scn_parse_time(struct parser *p, const char *what, struct scn_time *out)
{
	struct num_value v = {0, SCN_UNIT_CYCLES};

	if (!parse_num(p, NUM_MULT | NUM_TIME, what, &v))
		return false;
	if (v.value > time_limit(v.unit))
		return scn_expected_why(p, what, "longer than 10^17 cycles or 10^6 s");
	out->value = v.value;
	out->unit = v.unit;
	scn_next(p);
	return true;
}

/* Real-time units compare exactly; cycles against seconds need the TSC. */
bool scn_time_comparable(struct scn_time a, struct scn_time b)
{
	return (a.unit == SCN_UNIT_CYCLES) == (b.unit == SCN_UNIT_CYCLES);
}

uint64_t scn_time_key(struct scn_time t)
{
	uint64_t v = t.value;

	for (enum scn_unit u = t.unit; u > SCN_UNIT_NS; u = (enum scn_unit)(u - 1))
		v *= 1000;  /* <= 10^15 ns by the limits */
	return v;
}

bool scn_parse_vector(struct parser *p, uint32_t *out)
{
	uint64_t v = 0;

	if (!scn_parse_uint(p, NUM_HEX, 0, 255, "a vector number 0-255", &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

bool scn_word_is_level(const struct tok *t, enum scn_level *level)
{
	if (t->kind != TK_WORD || t->len != 2 || t->s[0] != 'L' || t->s[1] < '0' || t->s[1] > '2')
		return false;
	*level = (enum scn_level)(t->s[1] - '0');
	return true;
}

bool scn_word_is_cpu(const struct tok *t, uint32_t *cpu)
{
	uint32_t v = 0;

	if (t->kind != TK_WORD || t->len < 4 || t->len > 12 || memcmp(t->s, "cpu", 3))
		return false;
	if (t->s[3] == '0' && t->len > 4)
		return false;  /* no leading zeros: cpu01 is not a vCPU */
	for (uint32_t i = 3; i < t->len; i++) {
		if (t->s[i] < '0' || t->s[i] > '9')
			return false;
		v = v * 10 + (uint32_t)(t->s[i] - '0');
	}
	*cpu = v;
	return true;
}

/*
 * cpuN. The vCPU count may come later in the file, so the earliest use of
 * each vCPU number is remembered and checked at the end.
 */
bool scn_parse_cpu(struct parser *p, const char *what, uint32_t *out)
{
	const struct tok *t = scn_peek(p);
	uint32_t cpu;

	if (!scn_word_is_cpu(t, &cpu))
		return scn_expected(p, what);
	if (cpu >= SCN_MAX_VCPUS)
		return scn_expected_why(p, what, "the model has at most 64 vCPUs");
	if (p->first_cpu_use[cpu].line == 0)
		p->first_cpu_use[cpu] = scn_tok_loc(p, t);
	*out = cpu;
	scn_next(p);
	return true;
}

bool scn_tok_copy(const struct tok *t, char *buf, size_t n)
{
	if (t->len >= n)
		return false;
	memcpy(buf, t->s, t->len);
	buf[t->len] = '\0';
	return true;
}
