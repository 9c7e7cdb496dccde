/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stat.c - `vmxsim stat`: VM exits per reason and the time each took to
 * handle, as `perf kvm stat report` shows them for a real VM.
 *
 * The time of an exit is the cycles from the VM exit to the next VM-entry
 * attempt of the same vCPU: a `vmentry`, a `vmfail` (not one L0 emulates
 * for L1), or a `vmexit` that is a VM-entry failure (KVM prints kvm_entry
 * before every attempt, so perf pairs the exit with it). An exit with no
 * attempt after it (the vCPU stopped, or the run ended) counts as a sample
 * without a time.
 */
#include "lib/stat.h"
#include "lib/api.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "model/machine/machine.h"

#define STAT_NAME_COLUMN 20   /* perf's DECODE_STR_LEN */

static struct stat_vcpu *vcpu_of(struct stat_sink *s, uint32_t cpu)
{
	if (cpu >= s->nvcpus) {
		uint32_t n = cpu + 1;
		struct stat_vcpu *v = realloc(s->vcpu, n * sizeof(*v));
		if (!v) {
			s->oom = true;
			return NULL;
		}
		memset(v + s->nvcpus, 0, (n - s->nvcpus) * sizeof(*v));
		s->vcpu = v;
		s->nvcpus = n;
	}
	return &s->vcpu[cpu];
}

/* The row of an exit: its reason's name, with " FAILED_VMENTRY" for bit 31. */
static bool reason_of(struct stat_sink *s, const struct trace_event *ev, uint32_t *row)
{
	const struct trace_field *r = trace_field(ev, "reason");
	const struct trace_field *f = trace_field(ev, "failed_vmentry");
	char name[STAT_REASON_NAME];

	snprintf(name, sizeof(name), "%s%s", r && r->type == TF_STR ? r->s : "?", f && f->u ? " FAILED_VMENTRY" : "");
	for (uint32_t i = 0; i < s->nreasons; i++)
		if (!strcmp(s->reasons[i].name, name)) {
			*row = i;
			return true;
		}
	if (s->nreasons == s->reasons_cap) {
		uint32_t cap = s->reasons_cap ? s->reasons_cap * 2 : 16;
		struct stat_reason *v = realloc(s->reasons, cap * sizeof(*v));
		if (!v) {
			s->oom = true;
			return false;
		}
		s->reasons = v;
		s->reasons_cap = cap;
	}
	memset(&s->reasons[s->nreasons], 0, sizeof(s->reasons[0]));
	memcpy(s->reasons[s->nreasons].name, name, sizeof(name));
	*row = s->nreasons++;
	return true;
}

/* A VM-entry attempt at `cycle` ends the exit that waits for it. */
static void entry_attempt(struct stat_sink *s, struct stat_vcpu *v, uint64_t cycle)
{
	struct stat_reason *r;
	uint64_t t;

	if (!v->open)
		return;
	v->open = false;
	r = &s->reasons[v->reason];
	t = cycle >= v->cycle ? cycle - v->cycle : 0;
	if (r->timed == 0 || t < r->min)
		r->min = t;
	if (t > r->max)
		r->max = t;
	r->sum += t;
	r->timed++;
}

static void stat_emit(struct trace_sink *base, const struct trace_event *ev)
{
	struct stat_sink *s = (struct stat_sink *)base;
	struct stat_vcpu *v;
	const struct trace_field *f;
	uint32_t row;

	if (ev->kind != TRACE_VMEXIT && ev->kind != TRACE_VMENTRY && ev->kind != TRACE_VMFAIL)
		return;
	v = vcpu_of(s, ev->cpu);
	if (!v)
		return;
	if (ev->kind != TRACE_VMEXIT) {
		/* A VMfail L0 emulates for L1's VMLAUNCH is not an entry of the processor's. */
		f = trace_field(ev, "emulated");
		if (!(f && f->u))
			entry_attempt(s, v, ev->cycle);
		return;
	}
	/* A VM-entry failure is an attempt too, which ended with this exit. */
	f = trace_field(ev, "failed_vmentry");
	if (f && f->u)
		entry_attempt(s, v, ev->cycle);
	if (!reason_of(s, ev, &row))
		return;
	s->reasons[row].count++;
	v->open = true;
	v->cycle = ev->cycle;
	v->reason = row;
}

void stat_sink_init(struct stat_sink *s)
{
	memset(s, 0, sizeof(*s));
	s->base.emit = stat_emit;
}

void stat_sink_free(struct stat_sink *s)
{
	free(s->reasons);
	free(s->vcpu);
	memset(s, 0, sizeof(*s));
}

static int by_count_then_name(const void *a, const void *b)
{
	const struct stat_reason *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->name, y->name);
}

static double us(uint64_t cycles, uint64_t tsc_hz)
{
	return (double)cycles * 1e6 / (double)tsc_hz;
}

static double percent(uint64_t part, uint64_t whole)
{
	return whole ? (double)part * 100.0 / (double)whole : 0.0;
}

void stat_print(const struct stat_sink *s, uint64_t tsc_hz, FILE *out)
{
	struct stat_reason *rows = NULL;
	uint64_t samples = 0, timed = 0, time = 0;
	int w = STAT_NAME_COLUMN;

	if (!tsc_hz)
		tsc_hz = 1;
	if (s->nreasons) {
		rows = malloc(s->nreasons * sizeof(*rows));
		if (!rows) {
			fprintf(out, "vmxsim stat: out of memory\n");
			return;
		}
		memcpy(rows, s->reasons, s->nreasons * sizeof(*rows));
		qsort(rows, s->nreasons, sizeof(*rows), by_count_then_name);
	}
	for (uint32_t i = 0; i < s->nreasons; i++) {
		int len = (int)strlen(rows[i].name);
		samples += rows[i].count;
		timed += rows[i].timed;
		time += rows[i].sum;
		if (len > w)
			w = len;
	}

	fprintf(out, "Analyze events for all VMs, all VCPUs:\n");
	fprintf(out, "(time: cycles from a VM exit to the next VM entry of the same vCPU; us at a TSC of %" PRIu64
	             " Hz)\n",
	        tsc_hz);
	if (samples > timed)
		fprintf(out, "(%" PRIu64 " of the exits had no VM entry after them - the vCPU stopped or the run ended: "
		             "samples without a time)\n",
		        samples - timed);
	if (s->oom)
		fprintf(out, "(out of memory: some exits are missing)\n");
	fprintf(out, "\n%*s %10s %9s %9s %11s %11s %11s %11s %11s %11s\n\n", w, "VM-EXIT", "Samples", "Samples%", "Time%",
	        "Min cycles", "Max cycles", "Avg cycles", "Min Time", "Max Time", "Avg time");
	for (uint32_t i = 0; i < s->nreasons; i++) {
		const struct stat_reason *r = &rows[i];

		fprintf(out, "%*s %10" PRIu64 " %8.2f%% %8.2f%% ", w, r->name, r->count, percent(r->count, samples),
		        percent(r->sum, time));
		if (r->timed)
			fprintf(out, "%11" PRIu64 " %11" PRIu64 " %11" PRIu64 " %9.2fus %9.2fus %9.2fus\n", r->min, r->max,
			        (r->sum + r->timed / 2) / r->timed, us(r->min, tsc_hz), us(r->max, tsc_hz),
			        us(r->sum, tsc_hz) / (double)r->timed);
		else
			fprintf(out, "%11s %11s %11s %11s %11s %11s\n", "-", "-", "-", "-", "-", "-");
	}
	fprintf(out, "\nTotal Samples:%" PRIu64 ", Total events handled time:%.2fus.\n", samples, us(time, tsc_hz));
	free(rows);
}

enum vmxsim_status stat_scenario(const struct scn_scenario *s, FILE *out, FILE *diag)
{
	struct run_handle *h = run_open(s, NULL, TRACE_FORMAT_TEXT, diag, NULL, 0);
	struct vmxsim_result res;
	struct stat_sink st;
	uint64_t tsc_hz;

	if (!h)
		return VMXSIM_BAD_INPUT;
	stat_sink_init(&st);
	tsc_hz = run_handle_config(h)->cpu.tsc_hz;
	if (!run_handle_attach(h, &st.base)) {
		fprintf(diag, "%s: internal error: no room for the stat sink on the trace bus\n", s->file);
		run_close(h, &res);
		return VMXSIM_BAD_INPUT;
	}
	machine_run(run_handle_machine(h));
	run_close(h, &res);
	stat_print(&st, tsc_hz, out);
	stat_sink_free(&st);
	return res.status;
}

VMXSIM_API enum vmxsim_status vmxsim_stat(const struct vmxsim_scenario *s, FILE *out, FILE *diag)
{
	return stat_scenario(api_scn(s), out, api_diag(diag));
}
