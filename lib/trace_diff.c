/* SPDX-License-Identifier: Apache-2.0 */
/*
 * trace_diff.c - a diff that knows what a trace line is.
 *
 * Lines are aligned by Myers' O(ND) longest-common-subsequence walk. Two
 * event lines are the same event when everything after the cycle is equal
 * and the cycles differ by at most the tolerance: a text trace line starts
 * with the cycle, right-aligned, and a JSONL line with {"cycle":N. Other
 * lines compare as text. A model change that shifts every event by a few
 * cycles then shows as no difference under a tolerance, while an event
 * that appears, disappears or changes a field always shows.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/api.h"
#include "lib/trace_diff.h"

/* Past this many differing lines the alignment is not searched further: the rest is one change. */
#define DIFF_MAX_EDITS 4000

void diff_lines_free(struct diff_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

bool diff_lines_read(FILE *f, struct diff_lines *out)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	memset(out, 0, sizeof(*out));
	/* Lines keep their newline, so a file that lacks its last one differs from one that has it. */
	while ((len = getline(&line, &cap, f)) >= 0) {
		if (out->n == out->cap) {
			size_t nc = out->cap ? out->cap * 2 : 256;
			char **v = realloc(out->v, nc * sizeof(*v));
			if (!v)
				goto fail;
			out->v = v;
			out->cap = nc;
		}
		out->v[out->n] = strdup(line);
		if (!out->v[out->n])
			goto fail;
		out->n++;
	}
	free(line);
	if (ferror(f)) {
		diff_lines_free(out);
		errno = 0;   /* a read error: not out of memory */
		return false;
	}
	return true;
fail:
	free(line);
	diff_lines_free(out);
	errno = ENOMEM;
	return false;
}

/* An event line's cycle and what follows it; false for a line that is not an event. */
static bool split_event(const char *line, uint64_t *cycle, const char **rest)
{
	const char *p = line;

	if (!strncmp(p, "{\"cycle\":", 9))
		p += 9;
	else
		while (*p == ' ')
			p++;
	if (*p < '0' || *p > '9')
		return false;
	*cycle = 0;
	while (*p >= '0' && *p <= '9') {
		if (*cycle > (UINT64_MAX - 9) / 10)
			return false;
		*cycle = *cycle * 10 + (uint64_t)(*p++ - '0');
	}
	if (*p != ' ' && *p != ',')
		return false;
	*rest = p;
	return true;
}

struct cmp {
	const struct diff_lines *a, *b;
	uint64_t tol;
};

static bool same_line(const struct cmp *c, size_t i, size_t j)
{
	const char *la = c->a->v[i], *lb = c->b->v[j], *ra, *rb;
	uint64_t ca, cb;

	if (c->tol == 0 || !split_event(la, &ca, &ra) || !split_event(lb, &cb, &rb))
		return !strcmp(la, lb);
	return !strcmp(ra, rb) && (ca > cb ? ca - cb : cb - ca) <= c->tol;
}

enum op { OP_SAME, OP_DEL, OP_INS };

struct script {
	unsigned char *op;   /* one per line of the alignment */
	size_t n, cap;
};

static bool push(struct script *s, enum op op)
{
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 1024;
		unsigned char *v = realloc(s->op, nc);
		if (!v)
			return false;
		s->op = v;
		s->cap = nc;
	}
	s->op[s->n++] = (unsigned char)op;
	return true;
}

/*
 * The edit script of a[a0..a1) against b[b0..b1), backwards, into s.
 * Myers' forward walk keeps each round's furthest reaches (2d+1 of them
 * for round d) so the path can be walked back. Returns false when out of
 * memory; a walk that needs more than DIFF_MAX_EDITS rounds ends as one
 * change of the whole range (still a correct diff, only not the shortest).
 */
static bool middle_script(const struct cmp *c, size_t a0, size_t a1, size_t b0, size_t b1, struct script *s)
{
	const long n = (long)(a1 - a0), m = (long)(b1 - b0);
	const long max = n + m < DIFF_MAX_EDITS ? n + m : DIFF_MAX_EDITS;
	long *v = calloc((size_t)(2 * max + 3), sizeof(*v)), **hist = calloc((size_t)max + 1, sizeof(*hist));
	long d, found = -1;
	bool ok = v && hist;

	for (d = 0; ok && d <= max && found < 0; d++) {
		for (long k = -d; k <= d; k += 2) {
			long x = (k == -d || (k != d && v[max + 1 + k - 1] < v[max + 1 + k + 1])) ? v[max + 1 + k + 1]
			                                                                        : v[max + 1 + k - 1] + 1;
			long y = x - k;
			while (x < n && y < m && same_line(c, a0 + (size_t)x, b0 + (size_t)y)) {
				x++;
				y++;
			}
			v[max + 1 + k] = x;
			if (x >= n && y >= m) {
				found = d;
				break;
			}
		}
		hist[d] = malloc((size_t)(2 * d + 1) * sizeof(**hist));
		if (!hist[d])
			ok = false;
		else
			memcpy(hist[d], &v[max + 1 - d], (size_t)(2 * d + 1) * sizeof(**hist));
	}
	if (ok && found < 0) {
		/* Too different to align: all of a's range out, all of b's in. */
		for (long j = 0; ok && j < m; j++)
			ok = push(s, OP_INS);
		for (long i = 0; ok && i < n; i++)
			ok = push(s, OP_DEL);
	} else if (ok) {
		long x = n, y = m;
		for (d = found; ok && d > 0; d--) {
			const long *pv = hist[d - 1];   /* reaches after round d-1, indexed k + (d-1) */
			long k = x - y;
			long pk = (k == -d || (k != d && pv[k - 1 + d - 1] < pv[k + 1 + d - 1])) ? k + 1 : k - 1;
			long px = pv[pk + d - 1], py = px - pk;
			while (ok && x > px && y > py) {
				ok = push(s, OP_SAME);
				x--;
				y--;
			}
			if (ok)
				ok = push(s, x == px ? OP_INS : OP_DEL);
			x = px;
			y = py;
		}
		while (ok && x > 0 && y > 0) {
			ok = push(s, OP_SAME);
			x--;
			y--;
		}
	}
	if (hist)
		for (long i = 0; i <= max; i++)
			free(hist[i]);
	free(hist);
	free(v);
	return ok;
}

static void put_line(FILE *out, char mark, const char *line, bool color)
{
	const char *on = !color ? "" : mark == '-' ? "\033[31m" : mark == '+' ? "\033[32m" : "";
	size_t len = strlen(line);
	bool nl = len && line[len - 1] == '\n';

	fprintf(out, "%s%c%.*s%s\n", on, mark, (int)(nl ? len - 1 : len), line, *on ? "\033[0m" : "");
	if (!nl)
		fputs("\\ No newline at end of file\n", out);
}

/* A hunk's range as diff -u writes it: "START,LEN", "START" when LEN is 1, "START-1,0" when empty. */
static void put_range(FILE *out, size_t start0, size_t len)
{
	if (len == 1)
		fprintf(out, "%zu", start0 + 1);
	else
		fprintf(out, "%zu,%zu", len ? start0 + 1 : start0, len);
}

/* Print the hunks of a forward script with `ctx` lines of context around each change. */
static void print_hunks(const struct diff_lines *a, const struct diff_lines *b, const unsigned char *op, size_t n,
                        const struct vmxsim_diff_options *o, FILE *out)
{
	const size_t ctx = o->context;
	size_t i = 0, ai = 0, bi = 0;

	while (i < n) {
		size_t start, end, last_change, as, bs, al = 0, bl = 0;

		while (i < n && op[i] == OP_SAME) {
			i++;
			ai++;
			bi++;
		}
		if (i == n)
			break;
		/* The hunk opens ctx lines before its first change and closes ctx after the last one within reach. */
		start = i >= ctx ? i - ctx : 0;
		last_change = i;
		for (end = i; end < n; end++) {
			if (op[end] != OP_SAME)
				last_change = end;
			else if (end - last_change > 2 * ctx)
				break;
		}
		end = last_change + 1 + ctx < n ? last_change + 1 + ctx : n;
		as = ai - (i - start);
		bs = bi - (i - start);
		for (size_t j = start; j < end; j++) {
			al += op[j] != OP_INS;
			bl += op[j] != OP_DEL;
		}
		fputs(o->color ? "\033[36m@@ -" : "@@ -", out);
		put_range(out, as, al);
		fputs(" +", out);
		put_range(out, bs, bl);
		fputs(o->color ? " @@\033[0m\n" : " @@\n", out);
		ai = as;
		bi = bs;
		for (size_t j = start; j < end; j++) {
			if (op[j] == OP_SAME) {
				put_line(out, ' ', a->v[ai++], false);
				bi++;
			} else if (op[j] == OP_DEL) {
				put_line(out, '-', a->v[ai++], o->color);
			} else {
				put_line(out, '+', b->v[bi++], o->color);
			}
		}
		i = end;
	}
}

int diff_lines_print(const struct diff_lines *a, const struct diff_lines *b, const char *label_a,
                     const char *label_b, const struct vmxsim_diff_options *o, FILE *out)
{
	const struct cmp c = {a, b, o->cycle_tolerance};
	size_t pre = 0, suf = 0;
	struct script mid = {0};
	unsigned char *fwd;
	size_t n;

	while (pre < a->n && pre < b->n && same_line(&c, pre, pre))
		pre++;
	if (!out)   /* only whether they differ: the common prefix says it */
		return pre == a->n && pre == b->n ? 0 : 1;
	while (suf < a->n - pre && suf < b->n - pre && same_line(&c, a->n - 1 - suf, b->n - 1 - suf))
		suf++;
	if (pre == a->n && pre == b->n)
		return 0;
	if (!middle_script(&c, pre, a->n - suf, pre, b->n - suf, &mid)) {
		free(mid.op);
		return 2;
	}
	n = pre + mid.n + suf;
	fwd = malloc(n ? n : 1);
	if (!fwd) {
		free(mid.op);
		return 2;
	}
	memset(fwd, OP_SAME, pre);
	for (size_t i = 0; i < mid.n; i++)
		fwd[pre + i] = mid.op[mid.n - 1 - i];
	memset(fwd + pre + mid.n, OP_SAME, suf);
	free(mid.op);
	fprintf(out, "%s--- %s%s\n", o->color ? "\033[1m" : "", label_a, o->color ? "\033[0m" : "");
	fprintf(out, "%s+++ %s%s\n", o->color ? "\033[1m" : "", label_b, o->color ? "\033[0m" : "");
	print_hunks(a, b, fwd, n, o, out);
	free(fwd);
	return 1;
}

static bool read_file(const char *path, struct diff_lines *l, FILE *diag)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	bool ok;

	if (!f) {
		fprintf(diag, "%s: cannot open: %s\n", path, strerror(errno));
		return false;
	}
	ok = diff_lines_read(f, l);
	if (!ok)
		fprintf(diag, "%s: %s\n", path, errno == ENOMEM ? "out of memory" : "cannot read");
	if (f != stdin)
		fclose(f);
	return ok;
}

VMXSIM_API int vmxsim_diff_files(const char *a, const char *b, const struct vmxsim_diff_options *o, FILE *out,
                                 FILE *diag)
{
	static const struct vmxsim_diff_options dflt = {.context = 3};
	struct diff_lines la, lb;
	int r;

	diag = api_diag(diag);
	if (!o)
		o = &dflt;
	if (!read_file(a, &la, diag))
		return 2;
	if (!read_file(b, &lb, diag)) {
		diff_lines_free(&la);
		return 2;
	}
	r = diff_lines_print(&la, &lb, o->label_a ? o->label_a : a, o->label_b ? o->label_b : b, o, out);
	if (r == 2)
		fprintf(diag, "vmxsim: out of memory comparing %s and %s\n", a, b);
	diff_lines_free(&la);
	diff_lines_free(&lb);
	return r;
}
