/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scn_parse.c - the file, its lines and the statements cpu, l0, vcpus and
 * run, and the checks that need the whole file. Operands and errors are in
 * scn_operand.c, stimuli and expectations in scn_events.c, guest blocks in
 * scn_guest.c.
 *
 * The parser is line-oriented: every line is validated and tokenized on
 * its own, its first token picks the statement, and no statement spans
 * lines except that override lines may follow `cpu` and switch lines may
 * follow `l0`. There is no recursion, so no input can nest deeply enough
 * to exhaust the stack. The first error stops the parse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "front/scn_internal.h"
#include "vmcs/cpu_model.h"

#define STATEMENTS "cpu, l0, vcpus, guest, at, every, on, run or expect"

/* ---- cpu ---------------------------------------------------------------- */

static const struct scn_cpu_param_row *find_cpu_param(const struct tok *t)
{
	for (size_t i = 0; i < scn_cpu_param_rows(); i++) {
		const struct scn_cpu_param_row *r = scn_cpu_param_row(i);
		if (scn_tok_is(t, r->name))
			return r;
	}
	return NULL;
}

static void cpu_switch_names(char *buf, size_t n)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < scn_cpu_param_rows() && used < n; i++) {
		const struct scn_cpu_param_row *r = scn_cpu_param_row(i);
		if (r->is_switch)
			used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? ", " : "", r->name);
	}
}

static bool add_override(struct parser *p, const struct scn_cpu_param_row *r, uint64_t value,
                         struct scn_loc loc)
{
	struct scn_cpu *c = &p->s->cpu;
	struct scn_cpu_override *o;

	for (size_t i = 0; i < c->noverrides; i++)
		if (c->overrides[i].param == r->param && c->overrides[i].feature == r->feature)
			return scn_fail_at(p, loc, "'%s' is already set at line %u", r->name,
			                   (unsigned)c->overrides[i].loc.line);
	if (!scn_grow(p, (void **)&c->overrides, &p->cap_overrides, c->noverrides,
	              sizeof(*o), 64, "cpu overrides"))
		return false;
	o = &c->overrides[c->noverrides++];
	o->param = r->param;
	o->feature = r->feature;
	o->value = value;
	o->loc = loc;
	return true;
}

static bool cpu_items(struct parser *p)
{
	char names[512];

	while (scn_peek(p)->kind != TK_EOL) {
		const struct tok *t = scn_next(p);
		const struct scn_cpu_param_row *r;
		struct scn_loc loc = scn_tok_loc(p, t);
		uint64_t v = 0;

		if (t->kind == TK_PLUS || t->kind == TK_MINUS) {
			const struct tok *n = scn_peek(p);

			if (n->kind != TK_WORD)
				return scn_expected(p, "a CPU feature or behaviour name");
			r = find_cpu_param(n);
			if (r && !r->is_switch)
				return scn_fail_col(p, n->col, "'%s' takes a value: write '%s N'", r->name,
				                    r->name);
			if (!r) {
				cpu_switch_names(names, sizeof(names));
				return scn_fail_col(p, n->col, "unknown CPU feature '%.*s': expected one of %s",
				                    (int)n->len, n->s, names);
			}
			scn_next(p);
			if (!add_override(p, r, t->kind == TK_PLUS, loc))
				return false;
			continue;
		}
		r = find_cpu_param(t);
		if (t->kind != TK_WORD || !r) {
			p->pos--;
			return scn_expected(p, "a cpu override (vmexit-cycles, vmentry-cycles, "
			                       "delivery-cycles, insn-cycles, iret-cycles, tsc-hz, "
			                       "+FEATURE or -FEATURE)");
		}
		if (r->is_switch)
			return scn_fail_at(p, loc, "'%s' is switched, not set: write '+%s' or '-%s'",
			                   r->name, r->name, r->name);
		if (r->param == SCN_CPU_TSC_HZ) {
			if (!scn_parse_uint(p, NUM_MULT | NUM_HZ, 1, SCN_MAX_TSC_HZ,
			                    "a frequency 1Hz-100GHz such as 2.4GHz", &v))
				return false;
		} else if (!scn_parse_uint(p, NUM_MULT, 1, UINT32_MAX,
		                           "a number of cycles 1-4294967295", &v)) {
			return false;
		}
		if (!add_override(p, r, v, loc))
			return false;
	}
	return true;
}

static bool st_cpu(struct parser *p)
{
	const struct tok *kw = scn_next(p), *t;
	struct cpu_model m;
	char name[SCN_MAX_NAME_BYTES + 1], list[256] = "";
	size_t used = 0;

	if (p->seen_cpu)
		return scn_fail_col(p, kw->col, "duplicate 'cpu' statement (the first is at line %u)",
		                    (unsigned)p->s->cpu.loc.line);
	for (int i = 0; i < cpu_model_count() && used < sizeof(list); i++) {
		cpu_model_at(i, &m);
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
		                         i == 0 ? "" : i + 1 == cpu_model_count() ? " or " : ", ",
		                         m.name);
	}
	t = scn_peek(p);
	if (t->kind != TK_WORD) {
		char what[300];
		snprintf(what, sizeof(what), "a CPU model name (%s)", list);
		return scn_expected(p, what);
	}
	if (!scn_tok_copy(t, name, sizeof(name)) || !cpu_model_lookup(name, &m))
		return scn_fail_col(p, t->col, "unknown CPU model '%.*s': expected %s", (int)t->len,
		                    t->s, list);
	p->s->cpu.model = scn_tok_strdup(p, t);
	p->s->cpu.loc = scn_tok_loc(p, t);
	if (!p->s->cpu.model)
		return false;
	scn_next(p);
	p->seen_cpu = true;
	p->sec = SEC_CPU;
	return cpu_items(p);
}

/* ---- l0 ----------------------------------------------------------------- */

static bool l0_switches(struct parser *p)
{
	struct scn_l0 *l0 = &p->s->l0;

	while (scn_peek(p)->kind != TK_EOL) {
		const struct tok *t = scn_next(p), *name, *val = NULL;
		struct scn_switch *sw;
		enum scn_switch_kind kind;

		if (t->kind == TK_PLUS || t->kind == TK_MINUS) {
			kind = t->kind == TK_PLUS ? SCN_SWITCH_ON : SCN_SWITCH_OFF;
			if (scn_peek(p)->kind != TK_WORD)
				return scn_expected(p, "a switch name");
			name = scn_next(p);
		} else if (t->kind == TK_WORD && scn_peek(p)->kind == TK_EQ) {
			kind = SCN_SWITCH_VALUE;
			name = t;
			scn_next(p);
			val = scn_peek(p);
			if (val->kind != TK_WORD && val->kind != TK_NUM)
				return scn_expected(p, "a switch value");
			scn_next(p);
		} else {
			p->pos--;
			return scn_expected(p, "an l0 switch (+NAME, -NAME or NAME=VALUE)");
		}
		for (size_t i = 0; i < l0->nswitches; i++)
			if (strlen(l0->switches[i].name) == name->len &&
			    !memcmp(l0->switches[i].name, name->s, name->len))
				return scn_fail_col(p, t->col, "switch '%.*s' is already given at line %u",
				                    (int)name->len, name->s,
				                    (unsigned)l0->switches[i].loc.line);
		if (!scn_grow(p, (void **)&l0->switches, &p->cap_switches, l0->nswitches, sizeof(*sw),
		              SCN_MAX_SWITCHES, "l0 switches"))
			return false;
		sw = &l0->switches[l0->nswitches++];
		sw->kind = kind;
		sw->loc = scn_tok_loc(p, t);
		if (!(sw->name = scn_tok_strdup(p, name)))
			return false;
		if (val) {
			sw->value_loc = scn_tok_loc(p, val);
			if (!(sw->value = scn_tok_strdup(p, val)))
				return false;
		}
	}
	return true;
}

static bool st_l0(struct parser *p)
{
	const struct tok *kw = scn_next(p), *t = scn_peek(p);

	if (p->seen_l0)
		return scn_fail_col(p, kw->col, "duplicate 'l0' statement (the first is at line %u)",
		                    (unsigned)p->s->l0.loc.line);
	if (t->kind != TK_WORD)
		return scn_expected(p, "an L0 hypervisor name such as kvm-2008");
	if (!(p->s->l0.name = scn_tok_strdup(p, t)))
		return false;
	p->s->l0.loc = scn_tok_loc(p, t);
	scn_next(p);
	p->seen_l0 = true;
	p->sec = SEC_L0;
	return l0_switches(p);
}

/* ---- vcpus, run --------------------------------------------------------- */

static bool st_vcpus(struct parser *p)
{
	const struct tok *kw = scn_next(p);
	uint64_t n = 0;

	if (p->seen_vcpus)
		return scn_fail_col(p, kw->col, "duplicate 'vcpus' statement (the first is at line %u)",
		                    (unsigned)p->s->vcpus_loc.line);
	p->s->vcpus_loc = scn_tok_loc(p, kw);
	if (!scn_parse_uint(p, 0, 1, SCN_MAX_VCPUS, "a number of vCPUs 1-64", &n))
		return false;
	p->s->vcpus = (uint32_t)n;
	p->seen_vcpus = true;
	return scn_at_eol(p);
}

static bool st_run(struct parser *p)
{
	const struct tok *kw = scn_next(p);

	if (p->seen_run)
		return scn_fail_col(p, kw->col, "duplicate 'run' statement (the first is at line %u)",
		                    (unsigned)p->s->run_loc.line);
	p->s->run_loc = scn_tok_loc(p, kw);
	if (!scn_parse_time(p, "a duration such as 20000, 50k or 2ms", &p->s->run))
		return false;
	if (p->s->run.value == 0) {
		p->pos--;
		return scn_expected_why(p, "a duration such as 20000, 50k or 2ms", "must be more than 0");
	}
	p->seen_run = true;
	return scn_at_eol(p);
}

/* ---- lines -------------------------------------------------------------- */

struct statement {
	const char *word;
	bool (*parse)(struct parser *p);
};

static const struct statement statements[] = {
	{"cpu", st_cpu},     {"l0", st_l0},     {"vcpus", st_vcpus}, {"guest", scn_guest_open},
	{"at", scn_st_at},       {"every", scn_st_every}, {"on", scn_st_on},     {"run", st_run},
	{"expect", scn_st_expect},
};

static bool unknown_statement(struct parser *p, const struct tok *t)
{
	char found[SCN_MAX_NAME_BYTES + 16];

	scn_describe(t, found, sizeof(found));
	if (scn_word_is_op(t) || scn_tok_is(t, "idt") || scn_tok_is(t, "vmcs") ||
	    scn_tok_is(t, "exit-handler") || scn_tok_is(t, "stack-unmapped"))
		return scn_fail_col(p, t->col, "%s is a guest statement: it belongs in a guest block "
		                               "(start one with 'guest L1')", found);
	if (t->kind == TK_WORD && find_cpu_param(t))
		return scn_fail_col(p, t->col, "%s is a cpu override: it belongs on the 'cpu' line "
		                               "or the lines right after it", found);
	if (t->kind == TK_PLUS || t->kind == TK_MINUS)
		return scn_fail_col(p, t->col, "expected a statement (" STATEMENTS "), found %s; "
		                               "+NAME and -NAME follow a 'cpu' or 'l0' line", found);
	if (t->kind != TK_WORD)
		return scn_fail_col(p, t->col, "expected a statement (" STATEMENTS "), found %s", found);
	switch (p->sec) {
	case SEC_CPU:
		return scn_fail_col(p, t->col, "unknown statement %s: expected a cpu override "
		                               "(vmexit-cycles, vmentry-cycles, delivery-cycles, "
		                               "insn-cycles, iret-cycles, tsc-hz, +FEATURE, -FEATURE) "
		                               "or a statement (" STATEMENTS ")", found);
	case SEC_L0:
		return scn_fail_col(p, t->col, "unknown statement %s: expected an l0 switch (+NAME, "
		                               "-NAME, NAME=VALUE) or a statement (" STATEMENTS ")",
		                    found);
	default:
		return scn_fail_col(p, t->col, "unknown statement %s: expected " STATEMENTS, found);
	}
}

static bool statement(struct parser *p)
{
	const struct tok *t = scn_peek(p);

	if (t->kind == TK_EOL)
		return true;
	if (t->kind == TK_WORD && scn_peek2(p)->kind == TK_COLON) {
		if (p->sec != SEC_GUEST)
			return scn_fail_col(p, t->col, "label '%.*s' outside a guest block "
			                               "(start one with 'guest L1')", (int)t->len, t->s);
		return scn_guest_line(p);
	}
	for (size_t i = 0; i < sizeof statements / sizeof statements[0]; i++) {
		if (scn_tok_is(t, statements[i].word)) {
			if (p->guest >= 0 && !scn_guest_close(p))
				return false;
			p->sec = SEC_NONE;
			return statements[i].parse(p);
		}
	}
	if (p->sec == SEC_GUEST && t->kind == TK_WORD)
		return scn_guest_line(p);
	if (p->sec == SEC_CPU && (t->kind == TK_PLUS || t->kind == TK_MINUS ||
	                          (t->kind == TK_WORD && find_cpu_param(t))))
		return cpu_items(p);
	if (p->sec == SEC_L0 && (t->kind == TK_PLUS || t->kind == TK_MINUS ||
	                         (t->kind == TK_WORD && scn_peek2(p)->kind == TK_EQ)))
		return l0_switches(p);
	return unknown_statement(p, t);
}

/* ---- the whole file ----------------------------------------------------- */

/* [t, e) with blanks (and the comment's '#'s in front) trimmed off both ends. */
static void comment_text(const char **t, const char **e)
{
	while (*t < *e && (**t == ' ' || **t == '\t' || **t == '#'))
		(*t)++;
	while (*e > *t && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r'))
		(*e)--;
}

/*
 * The opening comment paragraph, joined into one line: it ends at the first
 * line that is not a comment with text. A line that ends in a hyphen right
 * after a letter continues its word on the next line.
 */
static bool summary(struct parser *p)
{
	const char *t = p->text, *end = p->text + p->len;
	size_t n = 0;
	char *out;

	while (t < end) {
		const char *nl = memchr(t, '\n', (size_t)(end - t));
		const char *e = nl ? nl : end, *c = t;

		while (c < e && (*c == ' ' || *c == '\t'))
			c++;
		if (c == e || *c != '#')
			break;
		comment_text(&c, &e);
		if (c == e)
			break;
		t = nl ? nl + 1 : end;
	}
	out = scn_arena_alloc(p->arena, (size_t)(t - p->text) + 1);
	if (!out)
		return scn_fail_col(p, 1, "out of memory");
	end = t;
	for (t = p->text; t < end;) {
		const char *nl = memchr(t, '\n', (size_t)(end - t));
		const char *e = nl ? nl : end;

		comment_text(&t, &e);
		if (n && !(n >= 2 && out[n - 1] == '-' && ((out[n - 2] | 0x20) >= 'a' &&
		                                          (out[n - 2] | 0x20) <= 'z')))
			out[n++] = ' ';
		for (; t < e; t++)
			out[n++] = *t == '\t' ? ' ' : *t;
		t = nl ? nl + 1 : end;
	}
	out[n] = '\0';
	p->s->summary = out;
	return true;
}

static bool finish(struct parser *p, struct scn_loc eof)
{
	struct scn_scenario *s = p->s;
	bool l1 = false;
	struct scn_loc where = {0, 0};
	uint32_t cpu = 0;

	if (p->guest >= 0 && !scn_guest_close(p))
		return false;
	for (size_t i = 0; i < s->nguests; i++)
		l1 |= s->guests[i].level == SCN_L1;
	if (!p->seen_cpu)
		return scn_fail_at(p, eof, "missing 'cpu MODEL' statement");
	if (!p->seen_l0)
		return scn_fail_at(p, eof, "missing 'l0 HYPERVISOR' statement");
	if (!l1)
		return scn_fail_at(p, eof, "missing 'guest L1' block");
	if (!p->seen_run)
		return scn_fail_at(p, eof, "missing 'run DURATION' statement");
	/* The earliest use of a vCPU the scenario does not have. */
	for (uint32_t c = s->vcpus; c < SCN_MAX_VCPUS; c++) {
		struct scn_loc l = p->first_cpu_use[c];
		if (l.line && (!where.line || l.line < where.line ||
		               (l.line == where.line && l.col < where.col))) {
			where = l;
			cpu = c;
		}
	}
	if (where.line)
		return scn_fail_at(p, where, "cpu%u does not exist: the scenario has %u vCPU%s%s",
		                   (unsigned)cpu, (unsigned)s->vcpus, s->vcpus == 1 ? "" : "s",
		                   p->seen_vcpus ? "" : " (set the number with 'vcpus N')");
	for (uint32_t c = 0; c < s->vcpus; c++)
		if (!scn_guest_for(s, SCN_L1, c))
			return scn_fail_at(p, p->seen_vcpus ? s->vcpus_loc : eof,
			                   "cpu%u has no guest L1 program (add 'guest L1 cpu%u', or a "
			                   "'guest L1' block without a vCPU for all of them)",
			                   (unsigned)c, (unsigned)c);
	if (!scn_guest_final(p) || !scn_exact_final(p))
		return false;
	return summary(p);
}

/* Line and column of byte offset off (for the input-size limit). */
static struct scn_loc loc_of(const char *text, size_t off)
{
	struct scn_loc l = {1, 1};

	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			l.line++;
			l.col = 1;
		} else {
			l.col++;
		}
	}
	return l;
}

static bool parse_all(struct parser *p)
{
	size_t off = 0, last_len = 0;
	struct scn_loc eof;

	if (p->len > SCN_MAX_INPUT_BYTES)
		return scn_fail_at(p, loc_of(p->text, SCN_MAX_INPUT_BYTES),
		                   "the file is larger than %u bytes", SCN_MAX_INPUT_BYTES);
	while (off < p->len) {
		const char *nl = memchr(p->text + off, '\n', p->len - off);
		size_t n = nl ? (size_t)(nl - (p->text + off)) : p->len - off;

		p->line++;
		if (!scn_lex_line(p, p->text + off, n) || !statement(p))
			return false;
		off += n + (nl ? 1 : 0);
		last_len = nl ? 0 : n;
	}
	/* Where a statement would go after the last line. */
	if (last_len) {
		eof.line = p->line;
		eof.col = (uint32_t)last_len + 1;
	} else {
		eof.line = p->line + 1;
		eof.col = 1;
	}
	p->line = eof.line;
	p->ntok = 0;
	p->pos = 0;
	p->toks[0].kind = TK_EOL;
	p->toks[0].col = eof.col;
	p->toks[0].len = 0;
	p->toks[0].s = "";
	return finish(p, eof);
}

struct scn_scenario *scn_parse(const char *text, size_t len, const char *filename,
                               struct scn_error *err)
{
	struct scn_error local;
	struct parser p;
	struct scn_arena *arena;
	bool ok;

	if (!err)
		err = &local;
	memset(err, 0, sizeof(*err));
	err->file = filename ? filename : "<input>";
	memset(&p, 0, sizeof(p));
	p.text = text ? text : "";
	p.len = text ? len : 0;
	p.file = err->file;
	p.err = err;
	p.guest = -1;
	arena = scn_arena_new();
	p.cap_toks = 64;
	p.toks = malloc(p.cap_toks * sizeof(struct tok));
	if (arena && p.toks) {
		p.arena = arena;
		p.s = scn_arena_alloc(arena, sizeof(*p.s));
	}
	if (!p.s) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		err->line = 1;
		err->col = 1;
		free(p.toks);
		scn_arena_free(arena);
		return NULL;
	}
	p.s->arena = arena;
	p.s->vcpus = 1;
	p.s->file = scn_arena_strndup(arena, err->file, strlen(err->file));
	p.toks[0].kind = TK_EOL;
	p.toks[0].col = 1;
	ok = p.s->file && parse_all(&p);
	if (!p.s->file)
		scn_fail_col(&p, 1, "out of memory");
	free(p.toks);
	free(p.slots);
	if (!ok) {
		scn_arena_free(arena);
		return NULL;
	}
	return p.s;
}
