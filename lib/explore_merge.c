/* SPDX-License-Identifier: Apache-2.0 */
/*
 * explore_merge.c - the shard report file and its merge.
 *
 * The report file is line-oriented text (docs/explore.md):
 *
 *   vmxsim-explore-report 1
 *   scenario HASH PATH
 *   space exhaustive UNITS          or   space sample UNITS RUNS SEED
 *   shard K N
 *   unit U RUNS POINTS BAD          BAD 1: the machine refused a point; then
 *   refused U V1 V2 ...             that point
 *   fail U RUNS KEY V1 V2 ...       the unit's smallest point with that failure
 *   span U K LO HI                  failure K (of the unit's, from 0) at arrival times LO..HI
 *   end CHECK                       FNV-1a of every byte before this line
 *
 * The check catches a report damaged on its way between machines: a
 * changed count would otherwise merge into a plausible, wrong result.
 *
 * Units are the space's own cut, so shards that together hold every unit
 * once add up to exactly what one run of the whole space adds up to.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/explore_internal.h"
#include "lib/files.h"

uint64_t explore_hash_more(uint64_t h, const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)text[i]) * 1099511628211ull;
	return h;
}

uint64_t explore_hash(const char *text, size_t len)
{
	return explore_hash_more(EXPLORE_HASH_START, text, len);
}

static void write_space(FILE *f, const struct explore_space *sp)
{
	if (sp->sample)
		fprintf(f, "space sample %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", sp->units, sp->runs, sp->seed);
	else
		fprintf(f, "space exhaustive %" PRIu64 "\n", sp->units);
}

/* The report up to its `end` line, into f. */
static void write_body(FILE *f, const struct explore_space *sp, const char *scenario, uint64_t hash,
                       const struct vmxsim_explore_options *o, const struct explore_unit_result *units)
{
	fprintf(f, "vmxsim-explore-report 1\nscenario %016" PRIx64 " %s\n", hash, scenario);
	write_space(f, sp);
	fprintf(f, "shard %u %u\n", o->shards ? o->shard : 1, o->shards ? o->shards : 1);
	for (uint64_t u = 0; u < sp->units; u++) {
		const struct explore_unit_result *r = &units[u];
		if (!r->done)
			continue;
		fprintf(f, "unit %" PRIu64 " %" PRIu64 " %" PRIu64 " %d\n", u, r->runs, r->points, r->bad ? 1 : 0);
		if (r->bad) {
			fprintf(f, "refused %" PRIu64, u);
			for (uint32_t v = 0; v < sp->s->nvars; v++)
				fprintf(f, " %" PRIu64, r->bad_point[v]);
			fputc('\n', f);
		}
		for (uint32_t i = 0; i < r->nfail; i++) {
			fprintf(f, "fail %" PRIu64 " %" PRIu64 " %s", u, r->fail[i].runs, r->fail[i].key);
			for (uint32_t v = 0; v < sp->s->nvars; v++)
				fprintf(f, " %" PRIu64, r->fail[i].least[v]);
			fputc('\n', f);
		}
		for (uint32_t i = 0; i < r->spans.n; i++)
			fprintf(f, "span %" PRIu64 " %u %" PRIu64 " %" PRIu64 "\n", u, r->spans.v[i].fail, r->spans.v[i].lo,
			        r->spans.v[i].hi);
	}
}

bool explore_report_write(const struct explore_space *sp, const char *path, const char *scenario, uint64_t hash,
                          const struct vmxsim_explore_options *o, const struct explore_unit_result *units, FILE *diag)
{
	struct atomic_file a;
	char *body = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&body, &len);
	bool ok;

	if (!mem) {
		fprintf(diag, "%s: out of memory\n", path);
		return false;
	}
	write_body(mem, sp, scenario, hash, o, units);
	if (fclose(mem) != 0 || !body) {
		free(body);
		fprintf(diag, "%s: out of memory\n", path);
		return false;
	}
	make_parent_dirs(path);
	ok = atomic_open(&a, path, diag);
	if (ok) {
		fwrite(body, 1, len, a.f);
		fprintf(a.f, "end %016" PRIx64 "\n", explore_hash(body, len));
		ok = atomic_commit(&a, diag);
	}
	free(body);
	return ok;
}

/* ---- reading a report back ---- */

struct reader {
	const char *path;
	FILE *f, *diag;
	unsigned line;
	uint64_t check, check_before; /* FNV-1a of the bytes read, and of those before the last line */
	char buf[16384];            /* a fail line: a key of EXPLORE_KEY_MAX and 64 values fit */
};

static bool rd_line(struct reader *r)
{
	size_t n;

	/* What came before this line, for the check on the `end` line. */
	r->check_before = r->check;
	if (!fgets(r->buf, sizeof(r->buf), r->f))
		return false;
	r->line++;
	n = strlen(r->buf);
	r->check = explore_hash_more(r->check, r->buf, n);
	if (n && r->buf[n - 1] == '\n')
		r->buf[--n] = 0;
	return true;
}

static bool rd_fail_at(struct reader *r, unsigned line, const char *what)
{
	fprintf(r->diag, "%s:%u:1: %s\n", r->path, line ? line : 1, what);
	return false;
}

static bool rd_fail(struct reader *r, const char *what)
{
	return rd_fail_at(r, r->line, what);
}

/* A decimal number with the rest of the field after it; false on anything else. */
static bool rd_u64(char **p, uint64_t *out)
{
	char *end;

	while (**p == ' ')
		(*p)++;
	if (**p < '0' || **p > '9')
		return false;
	errno = 0;
	*out = strtoull(*p, &end, 10);
	if (errno || (*end != ' ' && *end != 0))
		return false;
	*p = end;
	return true;
}

struct merge_header {
	uint64_t hash;
	char scenario[4096];
	char space[256];
	unsigned scenario_line, space_line;
};

static bool rd_header(struct reader *r, struct merge_header *h)
{
	unsigned k = 0, n = 0;
	char *p, tail;

	if (!rd_line(r) || strcmp(r->buf, "vmxsim-explore-report 1"))
		return rd_fail(r, "not a vmxsim explore report (expected 'vmxsim-explore-report 1')");
	if (!rd_line(r) || strncmp(r->buf, "scenario ", 9))
		return rd_fail(r, "expected 'scenario HASH PATH'");
	h->hash = strtoull(r->buf + 9, &p, 16);
	if (p != r->buf + 25 || *p != ' ' || !p[1])
		return rd_fail(r, "expected 'scenario HASH PATH'");
	if (strlen(p + 1) >= sizeof(h->scenario))
		return rd_fail(r, "the scenario's path is too long");
	memcpy(h->scenario, p + 1, strlen(p + 1) + 1);
	h->scenario_line = r->line;
	if (!rd_line(r) || strncmp(r->buf, "space ", 6))
		return rd_fail(r, "expected 'space ...'");
	if (strlen(r->buf) >= sizeof(h->space))
		return rd_fail(r, "the 'space' line is too long");
	memcpy(h->space, r->buf, strlen(r->buf) + 1);
	h->space_line = r->line;
	if (!rd_line(r) || sscanf(r->buf, "shard %u %u%c", &k, &n, &tail) != 2 || k == 0 || k > n)
		return rd_fail(r, "expected 'shard K N' with 1 <= K <= N");
	return true;
}

/* The units of one report into units[] (each unit in one report only). */
static bool rd_units(struct reader *r, const struct explore_space *sp, struct explore_unit_result *units)
{
	struct explore_unit_result *cur = NULL;
	uint64_t cur_u = 0;
	bool refused = false;       /* the current unit's refused point has been read */

	while (rd_line(r)) {
		char *p = r->buf + 5;
		uint64_t u, runs, points, bad;

		/* A refused point comes right after its unit's line. */
		if (cur && cur->bad && !refused && strncmp(r->buf, "refused ", 8))
			return rd_fail(r, "expected 'refused U VALUES' after a unit with BAD 1");
		if (!strncmp(r->buf, "end ", 4)) {
			uint64_t check;
			char *q = r->buf + 4;
			if (strlen(q) != 16 || strspn(q, "0123456789abcdef") != 16 || (check = strtoull(q, &p, 16), *p))
				return rd_fail(r, "expected 'end CHECK'");
			if (check != r->check_before)
				return rd_fail(r, "the report is damaged: its check does not match what it holds");
			return true;
		}
		if (!strncmp(r->buf, "unit ", 5)) {
			if (!rd_u64(&p, &u) || !rd_u64(&p, &runs) || !rd_u64(&p, &points) || !rd_u64(&p, &bad) || *p)
				return rd_fail(r, "expected 'unit U RUNS POINTS BAD'");
			if (u >= sp->units)
				return rd_fail(r, "unit number beyond the space");
			if (units[u].done)
				return rd_fail(r, "this unit is already in another report (or twice in this one)");
			cur = &units[u];
			cur_u = u;
			cur->done = true;
			cur->runs = runs;
			cur->points = points;
			cur->bad = bad != 0;
			refused = false;
		} else if (!strncmp(r->buf, "refused ", 8)) {
			p = r->buf + 8;
			if (!cur || !cur->bad || refused || !rd_u64(&p, &u) || u != cur_u)
				return rd_fail(r, "a 'refused' line belongs right after a unit with BAD 1");
			for (uint32_t v = 0; v < sp->s->nvars; v++)
				if (!rd_u64(&p, &cur->bad_point[v]))
					return rd_fail(r, "expected one value per range and choice");
			if (*p || !explore_point_in_space(sp, cur->bad_point))
				return rd_fail(r, "a refused point outside the space");
			refused = true;
		} else if (!strncmp(r->buf, "fail ", 5)) {
			uint64_t value[SCN_MAX_VARS];
			char key[EXPLORE_KEY_MAX];
			size_t klen;

			if (!rd_u64(&p, &u) || !rd_u64(&p, &runs))
				return rd_fail(r, "expected 'fail U RUNS KEY VALUES'");
			if (!cur || u != cur_u)
				return rd_fail(r, "a 'fail' line belongs right after its unit");
			while (*p == ' ')
				p++;
			klen = strcspn(p, " ");
			if (klen == 0 || klen >= sizeof(key) || strspn(p, "xv0123456789,") < klen)
				return rd_fail(r, "expected a failure key such as x2,v1");
			memcpy(key, p, klen);
			key[klen] = 0;
			p += klen;
			for (uint32_t v = 0; v < sp->s->nvars; v++)
				if (!rd_u64(&p, &value[v]))
					return rd_fail(r, "expected one value per range and choice");
			if (*p)
				return rd_fail(r, "more values than the scenario has ranges and choices");
			if (!explore_point_in_space(sp, value))
				return rd_fail(r, "a value outside its range, or a choice the scenario does not have");
			if (!explore_unit_add(sp, cur, key, value, runs))
				return rd_fail(r, "out of memory");
		} else if (!strncmp(r->buf, "span ", 5)) {
			uint64_t k, lo, hi;
			const struct explore_dim *time = &sp->dim[sp->nplain];

			if (!rd_u64(&p, &u) || !rd_u64(&p, &k) || !rd_u64(&p, &lo) || !rd_u64(&p, &hi) || *p)
				return rd_fail(r, "expected 'span U K LO HI'");
			if (!cur || u != cur_u || k >= cur->nfail)
				return rd_fail(r, "a 'span' line belongs after its unit's 'fail' lines");
			if (!explore_has_spans(sp) || lo > hi || lo < time->lo || hi > time->hi)
				return rd_fail(r, "a span outside the space's arrival times");
			if (!explore_spans_add(&cur->spans, (uint32_t)k, u / sp->blocks, lo, hi))
				return rd_fail(r, "out of memory");
		} else {
			return rd_fail(r, "expected 'unit', 'fail', 'span' or 'end'");
		}
	}
	return rd_fail(r, "the report ends without 'end' (cut short?)");
}

static bool merge_first(struct reader *r, const struct merge_header *h, struct vmxsim_explore_options *mo,
                        struct explore_space *sp, struct scn_scenario **s, char **text, size_t *len)
{
	char space[sizeof(h->space)], *p = space + 6;
	uint64_t units = 0, runs = 0, seed = 0;

	memcpy(space, h->space, sizeof(space));
	if (!(*s = explore_load(h->scenario, text, len, r->diag)))
		return false;
	if (explore_hash(*text, *len) != h->hash)
		return rd_fail_at(r, h->scenario_line, "the scenario has changed since this report was made");
	if (!strncmp(p, "sample ", 7)) {
		p += 7;
		if (!rd_u64(&p, &units) || !rd_u64(&p, &runs) || !rd_u64(&p, &seed) || *p || runs == 0)
			return rd_fail_at(r, h->space_line, "expected 'space sample UNITS RUNS SEED'");
	} else if (strncmp(p, "exhaustive ", 11) || (p += 11, !rd_u64(&p, &units)) || *p) {
		return rd_fail_at(r, h->space_line, "expected 'space exhaustive UNITS' or 'space sample UNITS RUNS SEED'");
	}
	mo->runs = runs;
	mo->seed = seed;
	mo->shard = mo->shards = 0;
	if (!explore_space_init(sp, *s, mo, r->diag))
		return false;
	if (units != sp->units)
		return rd_fail_at(r, h->space_line, "the report's units do not match the scenario's space");
	return true;
}

int vmxsim_explore_merge(const char *const *reports, unsigned n, const struct vmxsim_explore_options *o, FILE *out,
                         FILE *diag)
{
	struct merge_header first, h;
	struct vmxsim_explore_options mo = *o;
	struct explore_unit_result *units = NULL;
	struct explore_total t = {0};
	struct explore_space sp;
	struct scn_scenario *s = NULL;
	struct explore_report_input in = {NULL, NULL, 0, true, false, 0};
	char *text = NULL;
	size_t len = 0;
	int status = 2;

	memset(&sp, 0, sizeof(sp));
	for (unsigned i = 0; i < n; i++) {
		struct reader r = {reports[i], fopen(reports[i], "r"), diag, 0, EXPLORE_HASH_START, 0, {0}};
		bool ok;

		if (!r.f) {
			fprintf(diag, "%s: cannot open: %s\n", reports[i], strerror(errno));
			goto done;
		}
		ok = rd_header(&r, i ? &h : &first);
		if (ok && i == 0) {
			ok = merge_first(&r, &first, &mo, &sp, &s, &text, &len);
			if (ok && !(units = calloc(sp.units, sizeof(*units))))
				ok = rd_fail(&r, "out of memory");
		} else if (ok && (h.hash != first.hash || strcmp(h.scenario, first.scenario) ||
		                  strcmp(h.space, first.space))) {
			ok = rd_fail(&r, "this report is of another scenario or space than the first one");
		}
		ok = ok && rd_units(&r, &sp, units);
		fclose(r.f);
		if (!ok)
			goto done;
	}
	for (uint64_t u = 0; u < sp.units; u++) {
		if (!units[u].done) {
			fprintf(diag, "%s: unit %" PRIu64 " of %" PRIu64 " is in none of the reports: a shard is missing "
			        "or was stopped early\n", first.scenario, u, sp.units);
			goto done;
		}
		if (!explore_total_add(&sp, &t, &units[u])) {
			fprintf(diag, "%s: out of memory\n", first.scenario);
			goto done;
		}
	}
	in.scenario = first.scenario;
	in.text = text;
	in.len = len;
	mo.shard = o->shard;
	mo.shards = o->shards;
	status = explore_report_print(&sp, &t, &in, &mo, out, diag);
	if (o->totals)
		explore_totals_fill(&t, o->totals);
done:
	explore_release(&sp, units, &t, s, text);
	return status;
}
