/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scn_lex.c - the bytes of one line: validation (NUL, control characters,
 * UTF-8, length), the comment split and the tokens; and numbers with their
 * multipliers and units.
 *
 * The language is ASCII outside comments. Comments may hold any valid UTF-8
 * text; nothing may hold NUL, control characters other than tab, or a CR
 * that does not end the line.
 */
#include <stdlib.h>
#include <string.h>

#include "front/scn_internal.h"

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_word_char(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || c == '_';
}

/*
 * Length of the valid UTF-8 sequence at s (1-4), 0 if invalid; *cp gets the
 * code point. Rejects overlong forms, surrogates and values past U+10FFFF.
 */
static size_t utf8_seq(const unsigned char *s, size_t avail, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1fu;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0fu;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07u;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n > avail)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0u) != 0x80u)
			return 0;
		v = (v << 6) | (s[i] & 0x3fu);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

/* Check every byte of the line; returns the length of its code (before '#'). */
static bool validate_line(struct parser *p, const unsigned char *s, size_t len, size_t *code_len)
{
	size_t comment = len;

	if (len > SCN_MAX_LINE_BYTES)
		return scn_fail_col(p, SCN_MAX_LINE_BYTES + 1,
		                    "line is longer than %u bytes", SCN_MAX_LINE_BYTES);
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		uint32_t col = (uint32_t)i + 1, cp;
		size_t n;

		if (c == 0)
			return scn_fail_col(p, col, "NUL byte in the text");
		if (c == '\r' && i + 1 == len)
			break;  /* CRLF line end */
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return scn_fail_col(p, col, "control character 0x%02x in the text", c);
		if (c == '#' && comment == len)
			comment = i;
		if (c < 0x80) {
			i++;
			continue;
		}
		n = utf8_seq(s + i, len - i, &cp);
		if (n == 0)
			return scn_fail_col(p, col, "invalid UTF-8 byte 0x%02x", c);
		if (i < comment)
			return scn_fail_col(p, col,
			                    "non-ASCII character U+%04X outside a comment", (unsigned)cp);
		i += n;
	}
	*code_len = comment;
	return true;
}

static bool push(struct parser *p, enum tok_kind kind, const char *s, size_t len, size_t col)
{
	struct tok *t = &p->toks[p->ntok++];

	t->kind = kind;
	t->s = s;
	t->len = (uint32_t)len;
	t->col = (uint32_t)col;
	t->cmp = SCN_CMP_EQ;
	if ((kind == TK_WORD || kind == TK_NUM) && len > SCN_MAX_NAME_BYTES)
		return scn_fail_col(p, (uint32_t)col, "%s is longer than %u bytes",
		                    kind == TK_WORD ? "name" : "number", SCN_MAX_NAME_BYTES);
	return true;
}

bool scn_lex_line(struct parser *p, const char *line, size_t len)
{
	const unsigned char *s = (const unsigned char *)line;
	size_t code = 0, i = 0, end = 0;

	p->ntok = 0;
	p->pos = 0;
	if (!validate_line(p, s, len, &code))
		return false;
	/* At most one token per byte, and the end-of-line token. */
	if (p->cap_toks < code + 2) {
		size_t cap = code + 2 > 64 ? code + 2 : 64;
		struct tok *t = realloc(p->toks, cap * sizeof(*t));

		if (!t)
			return scn_fail_col(p, 1, "out of memory");
		p->toks = t;
		p->cap_toks = cap;
	}
	while (i < code) {
		unsigned char c = s[i];
		size_t start = i;

		if (c == ' ' || c == '\t' || c == '\r') {
			i++;
			continue;
		}
		if (is_alpha(c) || c == '_') {
			/* a '-' joins words (mov-ss, kvm-2008) but not `nmi->` */
			while (i < code && (is_word_char(s[i]) ||
			                    (s[i] == '-' && i + 1 < code && is_word_char(s[i + 1]))))
				i++;
			if (!push(p, TK_WORD, line + start, i - start, start + 1))
				return false;
		} else if (is_digit(c)) {
			while (i < code && (is_word_char(s[i]) ||
			                    (s[i] == '.' && i + 1 < code && is_digit(s[i + 1]))))
				i++;
			if (!push(p, TK_NUM, line + start, i - start, start + 1))
				return false;
		} else {
			enum tok_kind k;
			enum scn_cmp cmp = SCN_CMP_EQ;
			size_t n = 1;
			unsigned char d = i + 1 < code ? s[i + 1] : 0;

			switch (c) {
			case ':': k = TK_COLON; break;
			case '|': k = TK_PIPE; break;
			case '+': k = TK_PLUS; break;
			case '-':
				k = d == '>' ? TK_ARROW : TK_MINUS;
				n = d == '>' ? 2 : 1;
				break;
			case '=':
				k = d == '=' ? TK_CMP : TK_EQ;
				n = d == '=' ? 2 : 1;
				break;
			case '!':
				if (d != '=')
					return scn_fail_col(p, (uint32_t)i + 1,
					                    "unexpected '!' (did you mean '!=' ?)");
				k = TK_CMP;
				cmp = SCN_CMP_NE;
				n = 2;
				break;
			case '<':
				k = TK_CMP;
				cmp = d == '=' ? SCN_CMP_LE : SCN_CMP_LT;
				n = d == '=' ? 2 : 1;
				break;
			case '>':
				k = TK_CMP;
				cmp = d == '=' ? SCN_CMP_GE : SCN_CMP_GT;
				n = d == '=' ? 2 : 1;
				break;
			case '.':
				if (d != '.')
					return scn_fail_col(p, (uint32_t)i + 1, "unexpected '.'");
				k = TK_DOTDOT;
				n = 2;
				break;
			default:
				return scn_fail_col(p, (uint32_t)i + 1, "unexpected character '%c'", c);
			}
			if (!push(p, k, line + i, n, i + 1))
				return false;
			p->toks[p->ntok - 1].cmp = cmp;
			i += n;
		}
		end = i;
	}
	/* The end-of-line token sits right after the last token. */
	push(p, TK_EOL, line + end, 0, end + 1);
	return true;
}

/* ---- numbers ------------------------------------------------------------ */

static bool mul_ok(uint64_t *v, uint64_t m)
{
	if (m != 0 && *v > UINT64_MAX / m)
		return false;
	*v *= m;
	return true;
}

struct suffix {
	const char *text;
	unsigned flag;
	uint64_t mult;
	enum scn_unit unit;
};

static const struct suffix suffixes[] = {
	{"k", NUM_MULT, 1000ull, SCN_UNIT_CYCLES},
	{"M", NUM_MULT, 1000000ull, SCN_UNIT_CYCLES},
	{"G", NUM_MULT, 1000000000ull, SCN_UNIT_CYCLES},
	{"ns", NUM_TIME, 1, SCN_UNIT_NS},
	{"us", NUM_TIME, 1, SCN_UNIT_US},
	{"ms", NUM_TIME, 1, SCN_UNIT_MS},
	{"s", NUM_TIME, 1, SCN_UNIT_S},
	{"Hz", NUM_HZ, 1, SCN_UNIT_CYCLES},
	{"kHz", NUM_HZ, 1000ull, SCN_UNIT_CYCLES},
	{"MHz", NUM_HZ, 1000000ull, SCN_UNIT_CYCLES},
	{"GHz", NUM_HZ, 1000000000ull, SCN_UNIT_CYCLES},
};

static enum num_status parse_hex(const char *s, size_t len, struct num_value *out)
{
	uint64_t v = 0;
	size_t digits = 0;

	for (size_t i = 2; i < len; i++) {
		char c = s[i];
		unsigned d;

		if (c == '_' && digits > 0 && i + 1 < len && s[i + 1] != '_')
			continue;
		if (is_digit((unsigned char)c))
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return NUM_SYNTAX;
		if (v > (UINT64_MAX >> 4))
			return NUM_TOO_LARGE;
		v = (v << 4) | d;
		digits++;
	}
	if (digits == 0)
		return NUM_SYNTAX;
	out->value = v;
	out->unit = SCN_UNIT_CYCLES;
	return NUM_OK;
}

enum num_status scn_num_parse(const char *s, size_t len, unsigned flags, struct num_value *out)
{
	uint64_t mant = 0, scale = 1;
	size_t i = 0, digits = 0, frac = 0;
	bool in_frac = false;
	const struct suffix *suf = NULL;

	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (!(flags & NUM_HEX))
			return NUM_SYNTAX;
		return parse_hex(s, len, out);
	}
	for (; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '_' && digits > 0 && i + 1 < len && is_digit((unsigned char)s[i + 1]))
			continue;   /* 1_000_000 */
		if (c == '.' && !in_frac && digits > 0) {
			in_frac = true;
			continue;
		}
		if (!is_digit(c))
			break;
		if (!mul_ok(&mant, 10) || mant > UINT64_MAX - (uint64_t)(c - '0'))
			return NUM_TOO_LARGE;
		mant += (uint64_t)(c - '0');
		digits++;
		if (in_frac) {
			frac++;
			if (!mul_ok(&scale, 10))
				return NUM_TOO_LARGE;
		}
	}
	if (digits == 0)
		return NUM_SYNTAX;
	if (i < len) {
		for (size_t k = 0; k < sizeof suffixes / sizeof suffixes[0]; k++) {
			if (strlen(suffixes[k].text) == len - i && !memcmp(suffixes[k].text, s + i, len - i)) {
				suf = &suffixes[k];
				break;
			}
		}
		if (!suf)
			return is_alpha((unsigned char)s[i]) ? NUM_SUFFIX : NUM_SYNTAX;
		if (!(flags & suf->flag))
			return NUM_SUFFIX;
	}
	out->unit = suf ? suf->unit : SCN_UNIT_CYCLES;
	if (suf && !mul_ok(&mant, suf->mult))
		return NUM_TOO_LARGE;
	/*
	 * A fraction must come out whole: 2.5k is 2500. A time in a unit
	 * coarser than ns steps down a unit instead: 1.5ms is 1500us.
	 */
	while (frac > 0 && mant % scale != 0) {
		if (out->unit <= SCN_UNIT_NS)
			return NUM_FRACTION;
		out->unit = (enum scn_unit)(out->unit - 1);
		if (!mul_ok(&mant, 1000))
			return NUM_TOO_LARGE;
	}
	if (frac > 0 && !(flags & (NUM_MULT | NUM_TIME | NUM_HZ)))
		return NUM_FRACTION;
	out->value = mant / scale;
	return NUM_OK;
}
