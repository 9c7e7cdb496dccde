/* SPDX-License-Identifier: Apache-2.0 */
/*
 * explore_run.c - running the space: one point judged, one unit
 * enumerated, the units of a shard spread over worker threads.
 *
 * Collapsing. A stimulus is taken where its vCPU next looks: the next
 * instruction boundary, or the next point where root software checks for
 * events (R24); a vCPU idle in the host wakes at the due time itself. Every
 * due time up to that point gives the same run but for the stimulus's own
 * timestamp (machine_stimulus_slack()). So the arrival times are walked
 * class by class: after a run at t, the next time tried is one past the
 * smallest "latest equal time" any run below it in the enumeration
 * reported. Within a unit equal runs are not repeated (a class that
 * straddles two units is run in each), and no distinct run is skipped.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/explore_internal.h"
#include "lib/scenario_run.h"
#include "model/machine/machine.h"

static void verdicts_emit(struct trace_sink *base, const struct trace_event *ev)
{
	struct explore_verdicts *v = (struct explore_verdicts *)base;
	const struct trace_field *f;
	int k;

	if (ev->kind != TRACE_VIOLATION || !(f = trace_field(ev, "kind")))
		return;
	k = verdict_index(f->s);
	if (k >= 0 && k < 8)
		v->seen[k] = true;
}

void explore_verdicts_init(struct explore_verdicts *v)
{
	memset(v, 0, sizeof(*v));
	v->base.emit = verdicts_emit;
	/* Only verdicts: what no other sink wants is then never built (the runs stay fast). */
	v->base.ignore = TRACE_ALL_KINDS & ~TRACE_KIND_BIT(TRACE_VIOLATION);
}

void explore_key(const struct explore_space *sp, const bool *failed, const bool *seen, char *key)
{
	const struct scn_scenario *s = sp->s;
	size_t len = 0;

	key[0] = 0;
	/* The key: the expectations that failed, then verdicts no expectation speaks of. */
	/* EXPLORE_KEY_MAX has room for all of them: no kind is ever cut short. */
	for (size_t i = 0; i < s->nexpects; i++)
		if (failed[i])
			len += (size_t)snprintf(key + len, EXPLORE_KEY_MAX - len, "%sx%zu", len ? "," : "", i);
	for (int k = 0; k < 8; k++)
		if (seen[k] && !sp->mentioned[k])
			len += (size_t)snprintf(key + len, EXPLORE_KEY_MAX - len, "%sv%d", len ? "," : "", k);
}

void explore_run_point(const struct explore_space *sp, const uint64_t *value, const bool *dropped, FILE *diag,
                       struct explore_judged *out)
{
	const struct scn_scenario *s = sp->s;
	struct run_point pt = {value, dropped};
	struct run_limits lim = {0, sp->reference, value ? &pt : NULL};
	struct explore_verdicts vs;
	bool failed[SCN_MAX_EXPECTS];
	struct run_handle *h;

	memset(out, 0, sizeof(*out));
	explore_verdicts_init(&vs);
	h = run_open(s, NULL, TRACE_FORMAT_TEXT, diag, &lim, RUN_OPEN_VERDICTS_ONLY);
	if (!h || !run_handle_attach(h, &vs.base)) {
		if (h)
			run_close(h, NULL);
		out->bad = true;
		return;
	}
	run_handle_quiet(h);
	machine_run(run_handle_machine(h));
	for (uint32_t j = sp->nplain; j < sp->ndims; j++)
		out->slack[j] = run_handle_stimulus_slack(h, s->vars[sp->dim[j].var].stimulus);
	run_close_each(h, NULL, failed);
	explore_key(sp, failed, vs.seen, out->key);
}

bool explore_room_for_one(void **v, uint32_t *cap, uint32_t n, size_t size)
{
	void *nv;
	uint32_t c;

	if (n < *cap)
		return true;
	c = *cap ? *cap * 2 : 8;
	if (!(nv = realloc(*v, c * size)))
		return false;
	*v = nv;
	*cap = c;
	return true;
}

bool explore_unit_add(const struct explore_space *sp, struct explore_unit_result *u, const char *key,
                      const uint64_t *value, uint64_t runs)
{
	struct explore_failure *f = NULL;

	for (uint32_t i = 0; i < u->nfail; i++)
		if (!strcmp(u->fail[i].key, key))
			f = &u->fail[i];
	if (!f) {
		if (!explore_room_for_one((void **)&u->fail, &u->capfail, u->nfail, sizeof(*u->fail)))
			return false;
		f = &u->fail[u->nfail];
		memset(f, 0, sizeof(*f));
		if (!(f->key = malloc(strlen(key) + 1)))
			return false;
		memcpy(f->key, key, strlen(key) + 1);
		u->nfail++;
		memcpy(f->least, value, sp->s->nvars * sizeof(*value));
	} else if (explore_point_cmp(sp, value, f->least) < 0) {
		memcpy(f->least, value, sp->s->nvars * sizeof(*value));
	}
	f->runs += runs;
	return true;
}

bool explore_spans_add(struct explore_spans *s, uint32_t fail, uint64_t combo, uint64_t lo, uint64_t hi)
{
	/* The last span of this kind, a few back at most: kinds interleave, but not many. */
	for (uint32_t i = s->n, seen = 0; i-- > 0 && seen < 64; seen++) {
		struct explore_span *p = &s->v[i];
		if (p->fail != fail)
			continue;
		if (p->combo == combo && p->hi + 1 == lo) {
			p->hi = hi;
			return true;
		}
		break;
	}
	if (!explore_room_for_one((void **)&s->v, &s->cap, s->n, sizeof(*s->v)))
		return false;
	s->v[s->n++] = (struct explore_span){fail, combo, lo, hi};
	return true;
}

void explore_unit_free(struct explore_unit_result *u)
{
	free(u->spans.v);
	for (uint32_t i = 0; i < u->nfail; i++)
		free(u->fail[i].key);
	free(u->fail);
	memset(u, 0, sizeof(*u));
}

/* One unit's walk. */
struct walk {
	const struct explore_space *sp;
	struct explore_unit_result *r;
	const volatile int *stop;
	uint64_t value[SCN_MAX_VARS];
	uint64_t lo0, hi0;       /* the unit's block of the first arrival dim */
	uint64_t combo;          /* the unit's combination of the plain dims */
	bool halted;             /* stopped, out of memory or a bad point */
	struct explore_branch *br; /* runs branched from snapshots (explore_branch.c), or NULL: each from cycle 0 */
};

static bool judge(struct walk *w, struct explore_judged *j)
{
	if (w->sp->visit)
		w->sp->visit(w->sp->visit_ctx, w->value);
	if (!w->br || !explore_branch_judge(w->br, w->value, j))
		explore_run_point(w->sp, w->value, NULL, NULL, j);
	w->r->runs++;
	if (j->bad) {
		w->r->bad = true;
		memcpy(w->r->bad_point, w->value, sizeof(w->r->bad_point));
		w->halted = true;
		return false;
	}
	if (j->key[0] && !explore_unit_add(w->sp, w->r, j->key, w->value, 1)) {
		w->r->oom = true;
		w->halted = true;
	}
	return !w->halted;
}

/* The class t..last failed with this key: where it fails. */
static bool note_span(struct walk *w, const char *key, uint64_t t, uint64_t last)
{
	for (uint32_t i = 0; i < w->r->nfail; i++)
		if (!strcmp(w->r->fail[i].key, key)) {
			if (explore_spans_add(&w->r->spans, i, w->combo, t, last))
				return true;
			break;
		}
	w->r->oom = true;
	w->halted = true;
	return false;
}

/*
 * Walk arrival dim d and those after it. reach[k] for k < d returns the
 * smallest latest-equal time of dim k over every run below.
 */
static void walk_dim(struct walk *w, uint32_t d, uint64_t *reach)
{
	const struct explore_space *sp = w->sp;
	const struct explore_dim *dim = &sp->dim[d];
	uint64_t lo = d == sp->nplain ? w->lo0 : dim->lo, hi = d == sp->nplain ? w->hi0 : dim->hi;
	uint64_t acc[SCN_MAX_VARS], sub[SCN_MAX_VARS];

	for (uint32_t k = 0; k < d; k++)
		acc[k] = UINT64_MAX;
	for (uint64_t t = lo; t <= hi && !w->halted;) {
		uint64_t next;

		if (w->stop && *w->stop) {
			w->halted = true;
			break;
		}
		w->value[dim->var] = t;
		if (d + 1 == sp->ndims) {
			struct explore_judged j;
			if (!judge(w, &j))
				break;
			for (uint32_t k = sp->nplain; k <= d; k++)
				sub[k] = explore_add_sat(w->value[sp->dim[k].var], j.slack[k]);
			if (j.key[0] && explore_has_spans(sp) && !note_span(w, j.key, t, sub[d] < hi ? sub[d] : hi))
				break;
		} else {
			if (w->br && !explore_branch_enter(w->br, d + 1, w->value)) {
				explore_branch_close(w->br);
				w->br = NULL;   /* out of memory: the plain walk, run by run */
			}
			walk_dim(w, d + 1, sub);
		}
		for (uint32_t k = sp->nplain; k < d; k++)
			if (sub[k] < acc[k])
				acc[k] = sub[k];
		next = sub[d];
		if (next >= hi)
			break;
		t = (next > t ? next : t) + 1;
	}
	for (uint32_t k = sp->nplain; k < d; k++)
		reach[k] = acc[k];
}

void explore_run_unit(const struct explore_space *sp, uint64_t u, struct explore_unit_result *r,
                      const volatile int *stop)
{
	struct explore_branch *keep = NULL;

	explore_run_unit_keep(sp, u, r, stop, &keep);
	explore_branch_close(keep);
}

void explore_run_unit_keep(const struct explore_space *sp, uint64_t u, struct explore_unit_result *r,
                           const volatile int *stop, struct explore_branch **keep)
{
	struct walk w;

	memset(r, 0, sizeof(*r));
	memset(&w, 0, sizeof(w));
	w.sp = sp;
	w.r = r;
	w.stop = stop;
	explore_first_point(sp, w.value);
	if (sp->sample) {
		uint64_t end = (u + 1) * sp->per_unit < sp->runs ? (u + 1) * sp->per_unit : sp->runs;
		for (uint64_t i = u * sp->per_unit; i < end && !w.halted; i++) {
			struct explore_judged j;
			if (stop && *stop)
				return;
			explore_sample_point(sp, i, w.value);
			judge(&w, &j);
		}
		r->points = r->runs;
		r->done = !w.halted || r->bad;
		return;
	}
	/* The plain dims: combination u / blocks, in mixed radix, the last dim fastest. */
	uint64_t combo = u / sp->blocks, block = u % sp->blocks;
	w.combo = combo;
	explore_combo_point(sp, combo, w.value);
	r->points = 1;
	if (sp->ndims == sp->nplain) {
		struct explore_judged j;
		judge(&w, &j);
	} else {
		const struct explore_dim *first = &sp->dim[sp->nplain];
		uint64_t reach[SCN_MAX_VARS];
		w.lo0 = first->lo + block * sp->block;
		w.hi0 = w.lo0 + sp->block - 1 < first->hi ? w.lo0 + sp->block - 1 : first->hi;
		r->points = w.hi0 - w.lo0 + 1;
		for (uint32_t d = sp->nplain + 1; d < sp->ndims; d++)
			r->points = explore_mul_sat(r->points, sp->dim[d].size);
		/* A brancher that cannot be made (out of memory, a bad point): the plain walk says why. */
		/*
		 * One arrival time: the prefix a unit's runs share ends at its block
		 * of times, a small part of most runs, and putting a snapshot back
		 * costs about what building the machine does - the plain walk is as
		 * fast (docs/PERFORMANCE.md). Branching pays from two on.
		 */
		if (explore_branches(sp) && sp->ndims - sp->nplain >= 2)
			w.br = *keep = explore_branch_open(*keep, sp, w.value, w.lo0);
		walk_dim(&w, sp->nplain, reach);
		if (w.br) {
			r->snapshots = explore_branch_snapshots(w.br);
			explore_branch_shift_counts(w.br, &r->shifted, &r->shift_mismatches);
		}
		/* Given up on (out of memory): closed already. */
		*keep = w.br;
	}
	r->done = !w.halted || r->bad;
}

/* ---- workers ---- */

struct pool {
	const struct explore_space *sp;
	const struct vmxsim_explore_options *o;
	struct explore_unit_result *units;
	uint64_t *todo;          /* the shard's units, in order */
	uint64_t ntodo;
	atomic_uint_fast64_t next, done, runs, points, failing;
	atomic_int running;
	bool oom;
};

static void *worker(void *arg)
{
	struct pool *p = arg;
	struct explore_branch *keep = NULL;

	for (;;) {
		uint64_t i = atomic_fetch_add(&p->next, 1);
		struct explore_unit_result *r;

		if (i >= p->ntodo || (p->o->stop && *p->o->stop))
			break;
		r = &p->units[p->todo[i]];
		explore_run_unit_keep(p->sp, p->todo[i], r, p->o->stop, &keep);
		if (!r->done)
			break;
		atomic_fetch_add(&p->runs, r->runs);
		atomic_fetch_add(&p->points, r->points);
		for (uint32_t k = 0; k < r->nfail; k++)
			atomic_fetch_add(&p->failing, r->fail[k].runs);
		atomic_fetch_add(&p->done, 1);
	}
	explore_branch_close(keep);
	atomic_fetch_sub(&p->running, 1);
	return NULL;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The bar: wall-clock figures for the person watching; nothing of it reaches the report. */
static void draw(struct pool *p, const struct timespec *t0, uint64_t total_points, bool last)
{
	uint64_t runs = atomic_load(&p->runs), pts = atomic_load(&p->points);
	double el = seconds_since(t0), frac = total_points ? (double)pts / (double)total_points : 0;
	char bar[31];
	int fill = (int)(frac * 30);

	for (int i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = 0;
	fprintf(stderr, "\r[%s] %3d%%  %llu runs  %.0f runs/s  %llu failing  ", bar, (int)(frac * 100),
	        (unsigned long long)runs, el > 0 ? (double)runs / el : 0.0,
	        (unsigned long long)atomic_load(&p->failing));
	if (!last && frac > 0.001)
		fprintf(stderr, "ETA %.0fs   ", el / frac - el);
	else
		fprintf(stderr, "%.1fs      ", el);
	if (last)
		fputc('\n', stderr);
	fflush(stderr);
}

bool explore_run_units(const struct explore_space *sp, const struct vmxsim_explore_options *o,
                       struct explore_unit_result *units)
{
	struct pool p;
	unsigned jobs = o->jobs ? o->jobs : 1;
	pthread_t tid[256];
	unsigned started = 0;
	struct timespec t0;
	uint64_t total_points = 0;

	memset(&p, 0, sizeof(p));
	p.sp = sp;
	p.o = o;
	p.units = units;
	p.todo = malloc((sp->units ? sp->units : 1) * sizeof(*p.todo));
	if (!p.todo)
		return false;
	for (uint64_t u = 0; u < sp->units; u++)
		if (!o->shards || u % o->shards == o->shard - 1)
			p.todo[p.ntodo++] = u;
	if (sp->sample)
		total_points = o->shards ? sp->runs / o->shards : sp->runs;
	else
		total_points = sp->points / (o->shards ? o->shards : 1);
	if (jobs > 256)
		jobs = 256;
	if (jobs > p.ntodo && p.ntodo)
		jobs = (unsigned)p.ntodo;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	atomic_store(&p.running, (int)jobs);
	for (unsigned i = 0; i < jobs; i++) {
		if (pthread_create(&tid[i], NULL, worker, &p) != 0) {
			atomic_fetch_sub(&p.running, 1);
			continue;
		}
		started++;
	}
	if (started == 0) {
		atomic_store(&p.running, 1);
		worker(&p);
	}
	while (o->progress && atomic_load(&p.running) > 0) {
		struct timespec nap = {0, 100 * 1000 * 1000};
		draw(&p, &t0, total_points, false);
		nanosleep(&nap, NULL);
	}
	for (unsigned i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	if (o->progress)
		draw(&p, &t0, total_points, true);
	free(p.todo);
	return true;
}
