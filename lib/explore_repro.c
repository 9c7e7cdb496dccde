/* SPDX-License-Identifier: Apache-2.0 */
/*
 * explore_repro.c - from a failure to a scenario that shows it: minimise
 * the smallest failing point (fewest stimuli, then smallest times and
 * lengths, keeping exactly the same failure) and write the scenario back
 * with those values in place of its ranges and choices. The result is a
 * plain scenario - no ranges left - that `vmxsim run` fails on, and that
 * can become a golden.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/explore_internal.h"
#include "lib/files.h"
#include "lib/scenario_run.h"

struct minimiser {
	const struct explore_space *sp;
	const char *key;
	uint64_t value[SCN_MAX_VARS];
	bool *dropped;
	uint64_t runs;
	bool oom;       /* a run failed for want of memory: given up */
};

static bool still_fails(struct minimiser *m)
{
	struct explore_judged j;

	if (m->oom)
		return false;
	m->runs++;
	explore_run_point(m->sp, m->value, m->dropped, NULL, &j);
	/* A point that could not run but runs when tried again was out of memory, not a bad point:
	 * the reproducer would be minimised less than it can be, so it is given up. */
	if (j.bad) {
		explore_run_point(m->sp, m->value, m->dropped, NULL, &j);
		m->oom = !j.bad;
		return false;
	}
	return !strcmp(j.key, m->key);
}

static const struct explore_dim *dim_for(const struct explore_space *sp, uint32_t var)
{
	for (uint32_t j = 0; j < sp->ndims; j++)
		if (sp->dim[j].var == var)
			return &sp->dim[j];
	return NULL;
}

/* The smallest value of var that still fails, searching down from where it is (not monotone: a local minimum). */
static void lower(struct minimiser *m, uint32_t var)
{
	const struct explore_dim *d = dim_for(m->sp, var);
	uint64_t good = m->value[var], bad;

	if (!d || good == d->lo)
		return;
	m->value[var] = d->lo;
	if (still_fails(m))
		return;
	bad = d->lo;
	while ((good - bad) / d->step > 1) {
		uint64_t mid = bad + (good - bad) / d->step / 2 * d->step;
		m->value[var] = mid;
		if (still_fails(m))
			good = mid;
		else
			bad = mid;
	}
	m->value[var] = good;
}

static void minimise(struct minimiser *m)
{
	const struct scn_scenario *s = m->sp->s;

	/* Fewest stimuli first: each one goes if the same failure happens without it. */
	for (size_t i = 0; i < s->nstimuli; i++) {
		m->dropped[i] = true;
		if (!still_fails(m))
			m->dropped[i] = false;
	}
	for (uint32_t v = 0; v < s->nvars; v++) {
		const struct scn_var *var = &s->vars[v];
		if (var->kind == SCN_VAR_CHOICE ||
		    ((var->kind == SCN_VAR_AT || var->kind == SCN_VAR_DELAY) && m->dropped[var->stimulus]))
			continue;
		lower(m, v);
	}
}

/* ---- writing it out ---- */

struct text {
	char *buf;
	size_t len, cap;
	bool oom;
};

static void put(struct text *t, const char *s, size_t n)
{
	if (t->oom)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = (t->len + n + 1) * 2;
		char *b = realloc(t->buf, cap);
		if (!b) {
			t->oom = true;
			return;
		}
		t->buf = b;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = 0;
}

static void puts_(struct text *t, const char *s)
{
	put(t, s, strlen(s));
}

/* What the variable's text becomes: a number of cycles, or a plain jump. */
static void replacement(const struct scn_var *v, uint64_t value, char *buf, size_t n)
{
	if (v->kind == SCN_VAR_CHOICE)
		snprintf(buf, n, "jmp %s", v->labels[value]);
	else
		snprintf(buf, n, "%" PRIu64, value);
}

/* Is line [s, e) a comment with text, as the parser reads the opening summary (a run of '#'s is no text)? */
static bool summary_line(const char *s, const char *e)
{
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	if (s == e || *s != '#')
		return false;
	for (; s < e; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '#')
			return true;
	return false;
}

static void rewrite(const struct minimiser *m, const char *src, size_t len, const char *header, struct text *t)
{
	const struct scn_scenario *s = m->sp->s;
	bool in_summary = true;
	uint32_t line = 0;

	puts_(t, header);
	for (size_t at = 0; at < len;) {
		const char *b = src + at, *nl = memchr(b, '\n', len - at);
		const char *e = nl ? nl : src + len;
		size_t from = 0, n = (size_t)(e - b);
		bool skip = false;

		line++;
		at += n + (nl ? 1 : 0);
		if (in_summary && summary_line(b, e))
			continue;
		in_summary = false;
		for (size_t i = 0; i < s->nstimuli; i++)
			skip = skip || (m->dropped[i] && s->stimuli[i].loc.line == line);
		if (skip)
			continue;
		/* The ranges and choices on this line, left to right (a line holds few). */
		for (;;) {
			const struct scn_var *next = NULL;
			uint32_t vi = 0;
			char rep[128];
			for (uint32_t v = 0; v < s->nvars; v++) {
				const struct scn_var *var = &s->vars[v];
				if (var->loc.line == line && var->loc.col - 1 >= from && (!next || var->loc.col < next->loc.col)) {
					next = var;
					vi = v;
				}
			}
			if (!next)
				break;
			put(t, b + from, next->loc.col - 1 - from);
			replacement(next, m->value[vi], rep, sizeof(rep));
			puts_(t, rep);
			from = next->end_col - 1;
		}
		put(t, b + from, n - from);
		puts_(t, "\n");
	}
}

/*
 * A verdict no expectation named fails an exploration but not `vmxsim run`:
 * the reproducer gets an `expect no KIND` line for each, after the file's
 * own, and so its failure's key names those lines instead (*key).
 */
static void expect_unnamed_verdicts(const struct explore_space *sp, const char *fkey, struct text *t, char *key,
                                    size_t n)
{
	size_t len = 0, added = 0;

	key[0] = 0;
	for (const char *k = fkey; *k;) {
		unsigned long i = strtoul(k + 1, NULL, 10);
		const char *kind = *k == 'v' ? verdict_kind_at(i) : NULL;

		if (kind) {
			if (!added)
				puts_(t, "\n# Added to the reproducer: the verdicts the exploration found that no expectation named.\n");
			puts_(t, "expect no ");
			puts_(t, kind);
			puts_(t, "\n");
			len += (size_t)snprintf(key + len, n - len, "%sx%zu", len ? "," : "", sp->s->nexpects + added++);
		} else {
			len += (size_t)snprintf(key + len, n - len, "%s%.*s", len ? "," : "", (int)strcspn(k, ","), k);
		}
		k += strcspn(k, ",");
		if (*k == ',')
			k++;
		if (len >= n)
			break;
	}
}

static void stem_of(const char *path, char *buf, size_t n)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > 4 && !strcmp(base + len - 4, ".scn"))
		len -= 4;
	snprintf(buf, n, "%.*s", (int)len, base);
}

bool explore_reproduce(const struct explore_space *sp, const char *text, size_t len, const char *scenario,
                       const char *out_dir, uint32_t index, const struct explore_failure *f, FILE *out,
                       FILE *diag)
{
	const struct scn_scenario *s = sp->s;
	struct minimiser m;
	struct text t = {0};
	char stem[256], path[4096], what[1024], where[1024], header[4096], key[EXPLORE_KEY_MAX];
	struct atomic_file a;
	struct scn_error err;
	struct scn_scenario *r;
	struct explore_judged j;
	size_t kept = 0;
	bool ok;

	memset(&m, 0, sizeof(m));
	m.sp = sp;
	m.key = f->key;
	memcpy(m.value, f->least, sizeof(m.value));
	m.dropped = calloc(s->nstimuli ? s->nstimuli : 1, sizeof(bool));
	if (m.dropped)
		minimise(&m);
	if (!m.dropped || m.oom) {
		fprintf(diag, "%s: out of memory minimising failure %u\n", scenario, index);
		free(m.dropped);
		return false;
	}
	for (size_t i = 0; i < s->nstimuli; i++)
		kept += !m.dropped[i];
	stem_of(scenario, stem, sizeof(stem));
	/* DIR or DIR/ name the same folder: one separator either way. */
	bool sep = out_dir && *out_dir && out_dir[strlen(out_dir) - 1] != '/';
	snprintf(path, sizeof(path), "%s%s%s.fail-%u.scn", out_dir ? out_dir : "", sep ? "/" : "", stem, index);
	explore_key_describe(sp, f->key, what, sizeof(what));
	explore_point_describe(sp, m.value, m.dropped, false, where, sizeof(where));
	snprintf(header, sizeof(header),
	         "# %s.fail-%u: %s, with %s.\n"
	         "# Found by vmxsim explore %s and minimised to %zu of its %zu stimuli\n"
	         "# (the line numbers above are that file's).\n",
	         stem, index, what, where[0] ? where : "every stimulus left out", scenario, kept, s->nstimuli);
	rewrite(&m, text, len, header, &t);
	expect_unnamed_verdicts(sp, f->key, &t, key, sizeof(key));
	ok = !t.oom;
	/* It must show the failure by itself. */
	r = ok ? scn_parse(t.buf, t.len, path, &err) : NULL;
	bool oom = t.oom || (!r && !strcmp(err.msg, "out of memory"));
	if (r) {
		struct explore_space rsp = *sp;
		rsp.s = r;
		rsp.ndims = rsp.nplain = 0;
		explore_find_mentioned(&rsp);
		explore_run_point(&rsp, NULL, NULL, NULL, &j);
		if (j.bad) {
			/* As still_fails(): one that runs when tried again was out of memory. */
			explore_run_point(&rsp, NULL, NULL, NULL, &j);
			oom = !j.bad;
			j.bad = true;
		}
		scn_free(r);
		ok = !j.bad && !strcmp(j.key, key);
	} else {
		ok = false;
	}
	if (oom) {
		fprintf(diag, "%s: out of memory writing the reproducer of failure %u\n", scenario, index);
		free(t.buf);
		free(m.dropped);
		return false;
	}
	fprintf(out, "  reproducer %s: %s; %zu of %zu stimuli, minimised in %" PRIu64 " runs; %s\n", path,
	        where[0] ? where : "no stimuli", kept, s->nstimuli, m.runs,
	        ok ? "it fails the same way on its own" : "it does NOT fail the same way on its own");
	if (ok) {
		if (out_dir)
			make_parent_dirs(path);
		ok = atomic_open(&a, path, diag);
		if (ok) {
			fwrite(t.buf, 1, t.len, a.f);
			ok = atomic_commit(&a, diag);
		}
	} else {
		fprintf(diag, "%s: internal error: the reproducer of failure %u does not reproduce it\n", scenario, index);
	}
	free(t.buf);
	free(m.dropped);
	return ok;
}
