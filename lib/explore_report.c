/* SPDX-License-Identifier: Apache-2.0 */
/*
 * explore_report.c - adding units up and the report vmxsim explore prints;
 * the run of a whole space (or of one shard of it) from a scenario file.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/expect.h"
#include "lib/explore_internal.h"
#include "lib/files.h"
#include "lib/scenario_run.h"

/* The index in t->fail of failure key `key`. */
static uint32_t total_index(const struct explore_total *t, const char *key)
{
	uint32_t k = 0;

	while (k < t->nfail && strcmp(t->fail[k].key, key))
		k++;
	return k;
}

bool explore_total_add(const struct explore_space *sp, struct explore_total *t, const struct explore_unit_result *u)
{
	t->units_done++;
	t->runs += u->runs;
	t->snapshots += u->snapshots;
	t->shifted += u->shifted;
	t->shift_mismatches += u->shift_mismatches;
	t->points = explore_add_sat(t->points, u->points);
	if (u->bad && !t->bad) {
		t->bad = true;
		memcpy(t->bad_point, u->bad_point, sizeof(t->bad_point));
	}
	for (uint32_t i = 0; i < u->nfail; i++) {
		const struct explore_failure *f = &u->fail[i];
		struct explore_failure *g = NULL;

		t->failing_runs += f->runs;
		for (uint32_t k = 0; k < t->nfail; k++)
			if (!strcmp(t->fail[k].key, f->key))
				g = &t->fail[k];
		if (!g) {
			struct explore_failure *nf = realloc(t->fail, (t->nfail + 1) * sizeof(*nf));
			char *key = malloc(strlen(f->key) + 1);
			if (nf)
				t->fail = nf;
			if (!nf || !key) {
				free(key);
				return false;
			}
			g = &t->fail[t->nfail++];
			*g = *f;
			g->key = key;
			memcpy(key, f->key, strlen(f->key) + 1);
			continue;
		}
		g->runs += f->runs;
		if (explore_point_cmp(sp, f->least, g->least) < 0)
			memcpy(g->least, f->least, sizeof(g->least));
	}
	/* Unit order is time order per combination: spans that touch across units join. */
	for (uint32_t i = 0; i < u->spans.n; i++) {
		const struct explore_span *p = &u->spans.v[i];
		if (p->fail >= u->nfail ||
		    !explore_spans_add(&t->spans, total_index(t, u->fail[p->fail].key), p->combo, p->lo, p->hi))
			return false;
	}
	return true;
}

void explore_totals_fill(const struct explore_total *t, struct vmxsim_explore_totals *out)
{
	out->points = t->points;
	out->runs = t->runs;
	out->failing_runs = t->failing_runs;
	out->snapshots = t->snapshots;
	out->shifted = t->shifted;
	out->shift_mismatches = t->shift_mismatches;
	out->kinds = t->nfail;
}

void explore_total_free(struct explore_total *t)
{
	free(t->spans.v);
	for (uint32_t i = 0; i < t->nfail; i++)
		free(t->fail[i].key);
	free(t->fail);
	memset(t, 0, sizeof(*t));
}

void explore_key_describe(const struct explore_space *sp, const char *key, char *buf, size_t n)
{
	const struct scn_scenario *s = sp->s;
	size_t len = 0;

	buf[0] = 0;
	for (const char *k = key; *k && len < n;) {
		unsigned long i = strtoul(k + 1, NULL, 10);
		const char *sep = len ? "; " : "";
		int w = 0;

		if (*k == 'x' && i < s->nexpects) {
			char text[256];
			expect_text(&s->expects[i], text, sizeof(text));
			w = snprintf(buf + len, n - len, "%s%s (line %u) fails", sep, text, s->expects[i].loc.line);
		} else if (*k == 'v' && verdict_kind_at(i)) {
			w = snprintf(buf + len, n - len, "%sthe monitor reports %s, which no expectation names", sep,
			             verdict_kind_at(i));
		}
		if (w > 0 && (size_t)w >= n - len) {
			/* Cut short: say so rather than end mid-word. */
			if (n >= 5)
				memcpy(buf + n - 5, " ...", 5);
			break;
		}
		if (w > 0)
			len += (size_t)w;
		k = strchr(k, ',');
		if (!k)
			break;
		k++;
	}
}

/* ---- the report ---- */

static void print_dims(const struct explore_space *sp, FILE *out)
{
	const struct scn_scenario *s = sp->s;

	for (uint32_t j = 0; j < sp->ndims; j++) {
		const struct explore_dim *d = &sp->dim[j];
		const struct scn_var *v = &s->vars[d->var];
		static const char *const what[] = {"arrival time", "delay", "work length", "choice"};

		fprintf(out, "  line %-4u %-12s ", v->loc.line, what[v->kind]);
		if (v->kind == SCN_VAR_CHOICE) {
			for (size_t a = 0; a < v->nalts; a++)
				fprintf(out, "%s%s", a ? " | " : "", v->labels[a]);
		} else {
			fprintf(out, "%" PRIu64 "..%" PRIu64 " cycles", d->lo, d->hi);
			if (d->step > 1)
				fprintf(out, " in steps of %" PRIu64, d->step);
		}
		fprintf(out, ": %" PRIu64 " values\n", d->size);
	}
}

static void print_count(FILE *out, uint64_t n)
{
	if (n == UINT64_MAX)
		fprintf(out, "more than %" PRIu64, n - 1);
	else
		fprintf(out, "%" PRIu64, n);
}

static void print_where(const struct explore_space *sp, const struct explore_total *t, uint32_t fail, FILE *out);

int explore_report_print(const struct explore_space *sp, const struct explore_total *t,
                         const struct explore_report_input *in,
                  const struct vmxsim_explore_options *o, FILE *out, FILE *diag)
{
	int status = 0;

	fprintf(out, "explore %s\n", in->scenario);
	print_dims(sp, out);
	if (sp->sample)
		fprintf(out, "space: %" PRIu64 " points sampled (seed %" PRIu64 ") of ", sp->runs, sp->seed);
	else
		fprintf(out, "space: all of ");
	print_count(out, sp->points);
	fprintf(out, " points, in %" PRIu64 " units\n", sp->units);
	if (o->shards && !in->complete)
		fprintf(out, "shard %u/%u: %" PRIu64 " of the %" PRIu64 " units\n", o->shard, o->shards, in->shard_units,
		        sp->units);
	if (in->stopped)
		fprintf(out, "stopped: %" PRIu64 " units done; what follows is about those only\n", t->units_done);
	fprintf(out, "runs: %" PRIu64 " for ", t->runs);
	print_count(out, t->points);
	fprintf(out, " points%s\n", sp->sample ? "" : " (arrival times that give equal runs run once)");
	fprintf(out, "failures: %u kind%s in %" PRIu64 " runs\n", t->nfail, t->nfail == 1 ? "" : "s", t->failing_runs);
	char *what = malloc(EXPLORE_DESCRIBE_MAX);
	if (!what) {
		fprintf(diag, "%s: out of memory\n", in->scenario);
		return 2;
	}
	for (uint32_t i = 0, n = 0; i < t->nfail; i++) {
		const struct explore_failure *f = &t->fail[i];
		char where[1024];

		explore_point_describe(sp, f->least, NULL, false, where, sizeof(where));
		explore_key_describe(sp, f->key, what, EXPLORE_DESCRIBE_MAX);
		fprintf(out, "failure %u: %s\n  %" PRIu64 " run%s; the smallest: %s\n", ++n, what, f->runs,
		        f->runs == 1 ? "" : "s", where);
		if (explore_has_spans(sp))
			print_where(sp, t, i, out);
		if (status == 0)
			status = 1;
		/* Not after a point that could not run: a run that ends in an error replaces no file. */
		if (in->complete && !in->stopped && !t->bad && o->repro &&
		    !explore_reproduce(sp, in->text, in->len, in->scenario, o->out_dir, n, f, out, diag))
			status = 2;
	}
	free(what);
	if (t->bad) {
		/* Say why, with the machine's own message. */
		struct explore_judged j;
		char where[1024];
		explore_point_describe(sp, t->bad_point, NULL, false, where, sizeof(where));
		fprintf(out, "cannot run: %s\n", where);
		explore_run_point(sp, t->bad_point, NULL, diag, &j);
		/* A bad point fails again, with its message; one that runs now was out of memory then. */
		if (!j.bad)
			fprintf(diag, "%s: out of memory running %s\n", in->scenario, where);
		status = 2;
	}
	return in->stopped ? 130 : status;
}

/* ---- where each kind fails ---- */

#define WHERE_MAX_SPANS 8    /* time ranges on one line */
#define WHERE_MAX_LINES 8    /* combinations of lengths and choices */

/* "choose sti_early (line 13), work 500 (line 9)": combination `combo` of the plain dims. */
static void print_combo(const struct explore_space *sp, uint64_t combo, FILE *out)
{
	uint64_t v[SCN_MAX_VARS] = {0};
	char buf[1024];

	explore_combo_point(sp, combo, v);
	explore_point_describe(sp, v, NULL, true, buf, sizeof(buf));
	fputs(buf, out);
}

/*
 * The arrival times at which failure `fail` happens, one line per
 * combination of the other dims: "where: choose sti (line 13): at 6732..6899
 * (line 25)". Units go combination by combination, so the spans of one
 * combination are next to each other.
 */
static void print_where(const struct explore_space *sp, const struct explore_total *t, uint32_t fail, FILE *out)
{
	const struct explore_dim *time = &sp->dim[sp->nplain];
	const struct scn_var *tv = &sp->s->vars[time->var];
	uint32_t lines = 0, more_lines = 0;
	bool any = false;
	uint64_t last = 0;

	for (uint32_t i = 0; i < t->spans.n; i++) {
		const struct explore_span *p = &t->spans.v[i];
		uint32_t shown = 0, more = 0;

		if (p->fail != fail || (any && p->combo == last))
			continue;
		any = true;
		last = p->combo;
		if (lines == WHERE_MAX_LINES) {
			more_lines++;
			continue;
		}
		lines++;
		fprintf(out, "  where: ");
		if (sp->nplain) {
			print_combo(sp, p->combo, out);
			fprintf(out, ": ");
		}
		fprintf(out, "%s ", tv->kind == SCN_VAR_AT ? "at" : "+");
		for (uint32_t k = i; k < t->spans.n && t->spans.v[k].combo == p->combo; k++) {
			const struct explore_span *q = &t->spans.v[k];
			if (q->fail != fail)
				continue;
			if (shown == WHERE_MAX_SPANS) {
				more++;
				continue;
			}
			if (q->lo == q->hi)
				fprintf(out, "%s%" PRIu64, shown ? ", " : "", q->lo);
			else
				fprintf(out, "%s%" PRIu64 "..%" PRIu64, shown ? ", " : "", q->lo, q->hi);
			shown++;
		}
		if (more)
			fprintf(out, " and %u more ranges", more);
		fprintf(out, " (line %u)\n", tv->loc.line);
	}
	if (more_lines)
		fprintf(out, "  where: and at %u more combinations\n", more_lines);
}

/* ---- the two entry points ---- */

struct scn_scenario *explore_load(const char *path, char **text, size_t *len, FILE *diag)
{
	struct scn_error err;
	struct scn_scenario *s = NULL;

	*text = scn_read_file(path, len, &err);
	if (*text)
		s = scn_parse(*text, *len, path, &err);
	if (!s) {
		char msg[1024];
		scn_format_error(&err, msg, sizeof(msg));
		fprintf(diag, "%s\n", msg);
	}
	return s;
}

void explore_release(const struct explore_space *sp, struct explore_unit_result *units, struct explore_total *t,
                    struct scn_scenario *s, char *text)
{
	if (units)
		for (uint64_t u = 0; u < sp->units; u++)
			explore_unit_free(&units[u]);
	free(units);
	explore_total_free(t);
	scn_free(s);
	free(text);
}

int vmxsim_explore(const char *scenario, const struct vmxsim_explore_options *o, FILE *out, FILE *diag)
{
	size_t len = 0;
	char *text = NULL;
	struct scn_scenario *s = explore_load(scenario, &text, &len, diag);
	struct explore_space sp;
	struct explore_unit_result *units = NULL;
	struct explore_total t = {0};
	struct explore_report_input in = {scenario, text, len, false, false, 0};
	uint64_t first[SCN_MAX_VARS];
	struct explore_judged j;
	int status = 2;

	memset(&sp, 0, sizeof(sp));
	if (!s || !explore_space_init(&sp, s, o, diag))
		goto done;
	/* The first point with messages on: a scenario the machine refuses is reported as vmxsim run would. */
	explore_first_point(&sp, first);
	explore_run_point(&sp, first, NULL, diag, &j);
	if (j.bad)
		goto done;
	units = calloc(sp.units, sizeof(*units));
	if (!units || !explore_run_units(&sp, o, units)) {
		fprintf(diag, "%s: out of memory\n", scenario);
		goto done;
	}
	for (uint64_t u = 0; u < sp.units; u++) {
		if (o->shards && u % o->shards != o->shard - 1)
			continue;
		in.shard_units++;
		if (units[u].oom) {
			fprintf(diag, "%s: out of memory\n", scenario);
			goto done;
		}
		if (!units[u].done)
			in.stopped = true;
		else if (!explore_total_add(&sp, &t, &units[u])) {
			fprintf(diag, "%s: out of memory\n", scenario);
			goto done;
		}
	}
	in.complete = !o->shards || o->shards == 1;
	if (o->report && !explore_report_write(&sp, o->report, scenario, explore_hash(text, len), o, units, diag))
		goto done;
	status = explore_report_print(&sp, &t, &in, o, out, diag);
	if (o->totals)
		explore_totals_fill(&t, o->totals);
	/* verify_shift: the report holds the runs' own outcomes; a disagreement is a bug of the model's time keys. */
	if (o->verify_shift && !t.shift_mismatches)
		fprintf(diag, "%s: %" PRIu64 " shifted run%s, each also simulated: %s\n", scenario, t.shifted,
		        t.shifted == 1 ? "" : "s", t.shifted ? "all agree" : "nothing to check");
	if (t.shift_mismatches) {
		fprintf(diag, "%s: %" PRIu64 " shifted run%s disagreed with %s own run (a bug: docs/explore.md \"Shifted "
		        "runs\")\n", scenario, t.shift_mismatches, t.shift_mismatches == 1 ? "" : "s",
		        t.shift_mismatches == 1 ? "its" : "their");
		status = 2;
	}
done:
	explore_release(&sp, units, &t, s, text);
	return status;
}

/* The scenario and space of the first report; later ones must agree. */
