/* SPDX-License-Identifier: Apache-2.0 */
/*
 * replay_align.c - the real events of one vCPU beside the model's.
 *
 * Order and kind are compared, not time: each real exit, injection and
 * entry the model can produce is looked for among the model's next few
 * events (a window, so one extra exit of the model does not make every
 * later event differ); the model's events skipped on the way are printed
 * as the model's own. Times are shown from the vCPU's first event, real
 * and modelled, so their drift can be read but is never a difference.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <string.h>

#include "cli/replay.h"

enum { WINDOW = 8 };

static bool compared(enum rp_kind k)
{
	return k == RP_EXIT || k == RP_ENTRY || k == RP_INJ_VIRQ || k == RP_INJ_NMI || k == RP_INJ_EXC;
}

static bool same(const struct rp_event *r, const struct rp_model_event *m)
{
	if (r->kind != m->kind)
		return false;
	if (r->kind == RP_EXIT)
		return r->reason == m->reason;
	if (r->kind == RP_INJ_VIRQ || r->kind == RP_INJ_EXC)
		return r->vector == m->vector;
	return true;
}

/* Microseconds with three decimals, from nanoseconds. */
static void us(char *b, size_t n, uint64_t ns)
{
	snprintf(b, n, "%" PRIu64 ".%03" PRIu64 "us", ns / 1000, ns % 1000);
}

static uint64_t model_ns(const struct rp_model_run *run, uint64_t cycle)
{
	return (uint64_t)((unsigned __int128)cycle * 1000000000u / run->tsc_hz);
}

static void model_only(const struct rp_model_run *run, size_t j, struct rp_tally *tally, FILE *out)
{
	char m[24];

	us(m, sizeof(m), model_ns(run, run->ev[j].cycle));
	fprintf(out, "  %-8s %12s  %-36s differs: the model's own (model +%s); not in the trace here\n", "model", "",
	        run->ev[j].what, m);
	tally->model_only++;
}

void rp_align(const struct rp_trace *t, uint32_t vcpu, const struct rp_plan *plan, const struct rp_model_run *run,
              struct rp_tally *tally, FILE *out)
{
	size_t cur = 0;
	uint64_t t0 = 0;
	bool first = true, have_t0 = false;
	struct rp_tally mine = {0};
	char first_diff[320] = "";

	bool traced[RP_USERSPACE + 1] = {false};
	unsigned untraced = 0, setup = 0;

	/* A tracepoint the recording did not enable: the model's events of that kind are not compared. */
	for (size_t i = 0; i < t->n; i++)
		traced[t->ev[i].kind] = true;
	fprintf(out, "vCPU %u of %s (times from the vCPU's first event, real and modelled)\n", vcpu, t->path);
	for (size_t i = 0; i < t->n; i++) {
		const struct rp_event *e = &t->ev[i];
		char where[16], real[24], m[24];
		size_t j, found = SIZE_MAX;

		if (e->vcpu != vcpu)
			continue;
		if (!have_t0) {
			t0 = e->ns;
			have_t0 = true;
		}
		if (!compared(e->kind))
			continue;
		snprintf(where, sizeof(where), "L%u", e->line);
		us(real, sizeof(real), e->ns - t0);
		if (!plan->replayable[i]) {
			fprintf(out, "  %-8s %12s  %-36s not inferable: %s\n", where, real, e->what, plan->why[i]);
			mine.not_inferable++;
			continue;
		}
		while (cur < run->n && !traced[run->ev[cur].kind]) {
			cur++;
			untraced++;
		}
		for (j = cur; j < run->n && j < cur + WINDOW; j++)
			if (same(e, &run->ev[j])) {
				found = j;
				break;
			}
		if (found == SIZE_MAX) {
			if (cur < run->n) {
				us(m, sizeof(m), model_ns(run, run->ev[cur].cycle));
				fprintf(out, "  %-8s %12s  %-36s differs: the model has %s here (model +%s)\n", where, real,
				        e->what, run->ev[cur].what, m);
				if (first)
					snprintf(first_diff, sizeof(first_diff), "%s:%u: %s  |  model: %s", t->path, e->line,
					         e->what, run->ev[cur].what);
			} else {
				fprintf(out, "  %-8s %12s  %-36s differs: the model makes no further exit, injection or entry\n",
				        where, real, e->what);
				if (first)
					snprintf(first_diff, sizeof(first_diff), "%s:%u: %s  |  model: nothing further", t->path,
					         e->line, e->what);
			}
			first = false;
			mine.differ++;
			continue;
		}
		for (j = cur; j < found; j++) {
			if (!traced[run->ev[j].kind]) {
				untraced++;
				continue;
			}
			if (!mine.agree && !mine.differ) {
				setup++; /* before the trace's first event: the replay bringing the guest to its start */
				continue;
			}
			model_only(run, j, &mine, out);
			if (first)
				snprintf(first_diff, sizeof(first_diff), "%s:%u: (next: %s)  |  model: %s", t->path, e->line,
				         e->what, run->ev[j].what);
			first = false;
		}
		us(m, sizeof(m), model_ns(run, run->ev[found].cycle));
		fprintf(out, "  %-8s %12s  %-36s agree (model +%s)\n", where, real, e->what, m);
		mine.agree++;
		cur = found + 1;
	}
	if (cur < run->n)
		fprintf(out, "  %-8s %12s  (%zu more events of the model after the trace's last: not compared)\n", "model",
		        "", run->n - cur);
	if (setup)
		fprintf(out, "  (%u events of the model before its first match: the replay bringing the guest to where "
		             "the trace starts, not compared)\n",
		        setup);
	if (untraced)
		fprintf(out, "  (%u events of the model of kinds the trace never shows - a tracepoint not recorded - "
		             "not compared)\n",
		        untraced);
	if (run->scaffolding)
		fprintf(out, "  (%u exits and entries of the model inside the replay's own interrupt handler - its EOI - "
		             "left out)\n",
		        run->scaffolding);
	fprintf(out, "assumptions for vCPU %u (what the trace does not say):\n", vcpu);
	for (size_t a = 0; a < plan->nas; a++)
		fprintf(out, "  L%-6u %s\n", plan->as[a].line, plan->as[a].text);
	fprintf(out, "vCPU %u: %u agree, %u differ, %u model only, %u not inferable\n", vcpu, mine.agree, mine.differ,
	        mine.model_only, mine.not_inferable);
	if (first_diff[0])
		fprintf(out, "first difference: %s\n", first_diff);
	else if (mine.agree)
		fprintf(out, "no difference: every event the model can produce came in the trace's order\n");
	fputc('\n', out);
	tally->agree += mine.agree;
	tally->differ += mine.differ;
	tally->not_inferable += mine.not_inferable;
	tally->model_only += mine.model_only;
}
