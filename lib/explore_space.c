/* SPDX-License-Identifier: Apache-2.0 */
/*
 * explore_space.c - the space a scenario's ranges and choices span: its
 * dimensions in cycles, the cut into units, sampled points, the order of
 * points and how they are written.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/explore_internal.h"
#include "lib/scenario_run.h"

uint64_t explore_mul_sat(uint64_t a, uint64_t b)
{
	return a && b > UINT64_MAX / a ? UINT64_MAX : a * b;
}

uint64_t explore_add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static bool dim_of(const struct scn_scenario *s, uint32_t i, const struct cpu_model *cpu, struct explore_dim *d,
                   FILE *diag)
{
	const struct scn_var *v = &s->vars[i];

	memset(d, 0, sizeof(*d));
	d->var = i;
	d->step = 1;
	if (v->kind == SCN_VAR_CHOICE) {
		d->lo = 0;
		d->hi = v->nalts - 1;
	} else {
		if (!scn_time_cycles(v->lo, cpu->tsc_hz, &d->lo) || !scn_time_cycles(v->hi, cpu->tsc_hz, &d->hi)) {
			fprintf(diag, "%s:%u:%u: range too large at this TSC frequency\n", s->file, v->loc.line, v->loc.col);
			return false;
		}
		if (v->kind == SCN_VAR_WORK) {
			/* A work block is whole instructions: lengths that round to the same count are one. */
			d->step = cpu->insn_cycles ? cpu->insn_cycles : 1;
			d->lo = d->lo / d->step * d->step;
			d->hi = d->hi / d->step * d->step;
			if (d->lo == 0)
				d->lo = d->step;
		}
		d->collapses = v->kind != SCN_VAR_WORK;
		if (v->kind == SCN_VAR_WORK && d->hi / d->step > UINT32_MAX) {
			fprintf(diag, "%s:%u:%u: work range too long (at most %u instructions)\n", s->file, v->loc.line,
			        v->loc.col, UINT32_MAX);
			return false;
		}
		if (d->hi <= d->lo) {
			fprintf(diag, "%s:%u:%u: the range is a single value (%" PRIu64 " cycles) at this CPU's "
			        "TSC frequency and instruction length\n", s->file, v->loc.line, v->loc.col, d->lo);
			return false;
		}
	}
	d->size = (d->hi - d->lo) / d->step + 1;
	return true;
}

void explore_find_mentioned(struct explore_space *sp)
{
	const struct scn_scenario *s = sp->s;

	memset(sp->mentioned, 0, sizeof(sp->mentioned));
	for (size_t i = 0; i < s->nexpects; i++) {
		const struct scn_expect *e = &s->expects[i];
		const char *kind = e->kind == SCN_EXPECT_VERDICT ? e->verdict
		                 : e->event.ev == SCN_EV_VIOLATION ? e->event.kind : NULL;
		int k = kind ? verdict_index(kind) : -1;
		if (k >= 0 && k < 8)
			sp->mentioned[k] = true;
	}
}

bool explore_space_init(struct explore_space *sp, const struct scn_scenario *s, const struct vmxsim_explore_options *o,
                        FILE *diag)
{
	struct cpu_model cpu;
	struct explore_dim late[SCN_MAX_VARS];
	uint32_t nlate = 0;

	memset(sp, 0, sizeof(*sp));
	sp->s = s;
	sp->reference = o->reference;
	sp->plain = o->plain;
	sp->no_shift = o->no_shift;
	sp->verify_shift = o->verify_shift;
	if (s->nvars == 0) {
		fprintf(diag, "%s: nothing to explore: no range (at 5000..9000, work 100..900) and no "
		        "'choose' in the scenario\n", s->file);
		return false;
	}
	if (!scn_cpu_resolve(&s->cpu, &cpu)) {
		fprintf(diag, "%s:%u:%u: unknown CPU model '%s'\n", s->file, s->cpu.loc.line, s->cpu.loc.col,
		        s->cpu.model);
		return false;
	}
	for (uint32_t i = 0; i < s->nvars; i++) {
		struct explore_dim d;
		if (!dim_of(s, i, &cpu, &d, diag))
			return false;
		if (d.collapses)
			late[nlate++] = d;
		else
			sp->dim[sp->nplain++] = d;
	}
	memcpy(&sp->dim[sp->nplain], late, nlate * sizeof(late[0]));
	sp->ndims = sp->nplain + nlate;
	sp->points = 1;
	for (uint32_t j = 0; j < sp->ndims; j++)
		sp->points = explore_mul_sat(sp->points, sp->dim[j].size);
	sp->plain_combos = 1;
	for (uint32_t j = 0; j < sp->nplain; j++)
		sp->plain_combos = explore_mul_sat(sp->plain_combos, sp->dim[j].size);
	explore_find_mentioned(sp);
	if (o->runs) {
		sp->sample = true;
		sp->runs = o->runs;
		sp->seed = o->seed;
		/* Bigger units for a bigger sample, so that their number stays bounded. */
		sp->per_unit = (o->runs + EXPLORE_MAX_UNITS - 1) / EXPLORE_MAX_UNITS;
		if (sp->per_unit < EXPLORE_SAMPLE_UNIT)
			sp->per_unit = EXPLORE_SAMPLE_UNIT;
		sp->units = (o->runs + sp->per_unit - 1) / sp->per_unit;
		return true;
	}
	if (sp->plain_combos > EXPLORE_MAX_UNITS) {
		fprintf(diag, "%s: the space has %s%" PRIu64 " combinations of lengths and choices: too many to run "
		        "them all; sample it with --runs N\n", s->file, sp->plain_combos == UINT64_MAX ? "over " : "",
		        sp->plain_combos);
		return false;
	}
	if (nlate == 0) {
		sp->blocks = 1;
		sp->block = 1;
	} else {
		uint64_t want = (EXPLORE_TARGET_UNITS + sp->plain_combos - 1) / sp->plain_combos;
		const struct explore_dim *t = &sp->dim[sp->nplain];
		sp->blocks = want < t->size ? want : t->size;
		sp->block = (t->size + sp->blocks - 1) / sp->blocks;
		sp->blocks = (t->size + sp->block - 1) / sp->block;
	}
	sp->units = sp->plain_combos * sp->blocks;
	return true;
}

bool explore_has_spans(const struct explore_space *sp)
{
	return !sp->sample && sp->ndims == sp->nplain + 1;
}

void explore_first_point(const struct explore_space *sp, uint64_t *value)
{
	for (uint32_t j = 0; j < sp->ndims; j++)
		value[sp->dim[j].var] = sp->dim[j].lo;
}

/* splitmix64: a counter-based generator, so run i's point does not depend on which runs came before. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

void explore_sample_point(const struct explore_space *sp, uint64_t i, uint64_t *value)
{
	for (uint32_t j = 0; j < sp->ndims; j++) {
		const struct explore_dim *d = &sp->dim[j];
		uint64_t r = mix(mix(sp->seed ^ mix(i)) + d->var);
		value[d->var] = d->lo + (r % d->size) * d->step;
	}
}

bool explore_point_in_space(const struct explore_space *sp, const uint64_t *value)
{
	for (uint32_t j = 0; j < sp->ndims; j++) {
		const struct explore_dim *d = &sp->dim[j];
		uint64_t v = value[d->var];
		if (v < d->lo || v > d->hi || (v - d->lo) % d->step)
			return false;
	}
	return true;
}

int explore_point_cmp(const struct explore_space *sp, const uint64_t *a, const uint64_t *b)
{
	uint64_t sa = 0, sb = 0;
	const struct scn_scenario *s = sp->s;

	for (uint32_t i = 0; i < s->nvars; i++) {
		if (s->vars[i].kind == SCN_VAR_CHOICE)
			continue;
		sa = explore_add_sat(sa, a[i]);
		sb = explore_add_sat(sb, b[i]);
	}
	if (sa != sb)
		return sa < sb ? -1 : 1;
	for (uint32_t i = 0; i < s->nvars; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

void explore_combo_point(const struct explore_space *sp, uint64_t combo, uint64_t *value)
{
	for (uint32_t d = sp->nplain; d-- > 0;) {
		value[sp->dim[d].var] = sp->dim[d].lo + (combo % sp->dim[d].size) * sp->dim[d].step;
		combo /= sp->dim[d].size;
	}
}

void explore_point_describe(const struct explore_space *sp, const uint64_t *value, const bool *dropped,
                            bool plain_only, char *buf, size_t n)
{
	const struct scn_scenario *s = sp->s;
	size_t len = 0;

	buf[0] = 0;
	for (uint32_t i = 0; i < s->nvars && len < n; i++) {
		const struct scn_var *v = &s->vars[i];
		const bool time = v->kind == SCN_VAR_AT || v->kind == SCN_VAR_DELAY;
		const char *sep = len ? ", " : "";
		int k;

		if (time && ((dropped && dropped[v->stimulus]) || plain_only))
			continue;
		switch (v->kind) {
		case SCN_VAR_AT:
			k = snprintf(buf + len, n - len, "%sat %" PRIu64 " (line %u)", sep, value[i], v->loc.line);
			break;
		case SCN_VAR_DELAY:
			k = snprintf(buf + len, n - len, "%s+%" PRIu64 " (line %u)", sep, value[i], v->loc.line);
			break;
		case SCN_VAR_WORK:
			k = snprintf(buf + len, n - len, "%swork %" PRIu64 " (line %u)", sep, value[i], v->loc.line);
			break;
		default:
			k = snprintf(buf + len, n - len, "%schoose %s (line %u)", sep, v->labels[value[i]], v->loc.line);
			break;
		}
		if (k < 0)
			break;
		len += (size_t)k;
	}
}
