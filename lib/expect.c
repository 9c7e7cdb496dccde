/* SPDX-License-Identifier: Apache-2.0 */
/*
 * expect.c - the expectation checker (see expect.h).
 */
#include "lib/expect.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "vmcs/vmx_exit_reason.h"
#include "vmcs/vmx_intr_info.h"

/* An event argument: a vector, SCN_NMI or SCN_ANY, against a trace event's type/vector. */
static bool vector_matches(int arg, const struct trace_event *ev)
{
	const struct trace_field *v = trace_field(ev, "vector");

	if (arg == SCN_ANY)
		return true;
	if (arg == SCN_NMI)
		return trace_field_is(ev, "type", "nmi");
	return v && v->u == (uint64_t)arg && !trace_field_is(ev, "type", "nmi");
}

bool expect_event_matches(const struct scn_event_pat *p, const struct trace_event *ev)
{
	if ((p->cpu != SCN_ANY && (uint32_t)p->cpu != ev->cpu) || (p->level != SCN_ANY && (uint32_t)p->level != ev->level))
		return false;
	switch (p->ev) {
	case SCN_EV_EXIT: {
		const char *name = vmx_exit_reason_name((uint32_t)p->arg);
		return ev->kind == TRACE_VMEXIT && name && trace_field_is(ev, "reason", name);
	}
	case SCN_EV_ENTRY:
		return ev->kind == TRACE_VMENTRY;
	case SCN_EV_ENTRY_FAIL:
		/* A failed VMLAUNCH/VMRESUME; VMREAD and VMWRITE fail too, but they are not entries. */
		return (ev->kind == TRACE_VMFAIL &&
		        (trace_field_is(ev, "insn", "vmlaunch") || trace_field_is(ev, "insn", "vmresume"))) ||
		       (ev->kind == TRACE_VMEXIT && trace_field(ev, "failed_vmentry"));
	case SCN_EV_DELIVER:
		return ev->kind == TRACE_DELIVER && vector_matches(p->arg, ev);
	case SCN_EV_INJECT:
		if (ev->kind != TRACE_INJECT)
			return false;
		if (p->arg == SCN_NMI)
			return trace_field_is(ev, "type", "nmi");
		return vector_matches(p->arg, ev);
	case SCN_EV_IRET:
		return ev->kind == TRACE_IRET;
	case SCN_EV_HLT:
		return ev->kind == TRACE_HLT;
	case SCN_EV_VIOLATION:
		return ev->kind == TRACE_VIOLATION && (!p->kind || trace_field_is(ev, "kind", p->kind));
	case SCN_EV_INIT:
		return ev->kind == TRACE_INIT;
	case SCN_EV_RESET:
		return ev->kind == TRACE_RESET;
	case SCN_EV_COUNT:
		break;
	}
	return false;
}

/* The kinds expect_event_matches() can say yes to, kept beside it. */
static uint64_t pattern_kinds(const struct scn_event_pat *p)
{
	switch (p->ev) {
	case SCN_EV_EXIT: return TRACE_KIND_BIT(TRACE_VMEXIT);
	case SCN_EV_ENTRY: return TRACE_KIND_BIT(TRACE_VMENTRY);
	case SCN_EV_ENTRY_FAIL: return TRACE_KIND_BIT(TRACE_VMFAIL) | TRACE_KIND_BIT(TRACE_VMEXIT);
	case SCN_EV_DELIVER: return TRACE_KIND_BIT(TRACE_DELIVER);
	case SCN_EV_INJECT: return TRACE_KIND_BIT(TRACE_INJECT);
	case SCN_EV_IRET: return TRACE_KIND_BIT(TRACE_IRET);
	case SCN_EV_HLT: return TRACE_KIND_BIT(TRACE_HLT);
	case SCN_EV_VIOLATION: return TRACE_KIND_BIT(TRACE_VIOLATION);
	case SCN_EV_INIT: return TRACE_KIND_BIT(TRACE_INIT);
	case SCN_EV_RESET: return TRACE_KIND_BIT(TRACE_RESET);
	case SCN_EV_COUNT: break;
	}
	return TRACE_ALL_KINDS;   /* unknown: look at everything */
}

static uint64_t item_kinds(const struct scn_expect *e)
{
	if (e->kind == SCN_EXPECT_EXACT)
		return exact_kinds(e);
	return e->kind == SCN_EXPECT_VERDICT ? TRACE_KIND_BIT(TRACE_VIOLATION) : pattern_kinds(&e->event);
}

static bool item_matches(const struct expect_item *it, const struct trace_event *ev)
{
	const struct scn_expect *e = it->e;

	switch (e->kind) {
	case SCN_EXPECT_VERDICT:
		return ev->kind == TRACE_VIOLATION && trace_field_is(ev, "kind", e->verdict);
	case SCN_EXPECT_COUNT:
		return expect_event_matches(&e->event, ev);
	case SCN_EXPECT_AT:
		return ev->cycle == it->at && expect_event_matches(&e->event, ev);
	case SCN_EXPECT_WITHIN:
		return ev->cycle >= it->at && ev->cycle <= it->until && expect_event_matches(&e->event, ev);
	case SCN_EXPECT_EXACT:
		break;   /* exact_observe() counts them */
	}
	return false;
}

static void emit(struct trace_sink *base, const struct trace_event *ev)
{
	struct expect_sink *x = (struct expect_sink *)base;
	for (uint32_t i = 0; i < x->n; i++) {
		struct expect_item *it = &x->items[i];
		if (it->cap)
			exact_observe(it->e, ev, x->label_addr, x->label_ctx, &it->count, it->cap);
		else if (item_matches(it, ev))
			it->count++;
	}
}

bool expect_sink_init(struct expect_sink *x, const struct scn_scenario *s, uint64_t tsc_hz)
{
	memset(x, 0, sizeof(*x));
	x->base.emit = emit;
	x->base.ignore = TRACE_ALL_KINDS;   /* less each kind an expectation counts */
	x->s = s;
	x->n = (uint32_t)s->nexpects;
	x->items = calloc(x->n ? x->n : 1, sizeof(*x->items));
	if (!x->items)
		return false;
	for (uint32_t i = 0; i < x->n; i++) {
		x->items[i].e = &s->expects[i];
		if (s->expects[i].kind == SCN_EXPECT_EXACT && !(x->items[i].cap = calloc(1, sizeof(struct exact_capture)))) {
			expect_sink_free(x);
			return false;
		}
		x->base.ignore &= ~item_kinds(&s->expects[i]);
		(void)scn_time_cycles(s->expects[i].at, tsc_hz, &x->items[i].at);
		(void)scn_time_cycles(s->expects[i].until, tsc_hz, &x->items[i].until);
	}
	return true;
}

void expect_sink_free(struct expect_sink *x)
{
	for (uint32_t i = 0; x->items && i < x->n; i++)
		free(x->items[i].cap);
	free(x->items);
	x->items = NULL;
}

static bool compare(enum scn_cmp c, uint64_t a, uint64_t b)
{
	switch (c) {
	case SCN_CMP_EQ: return a == b;
	case SCN_CMP_NE: return a != b;
	case SCN_CMP_LT: return a < b;
	case SCN_CMP_LE: return a <= b;
	case SCN_CMP_GT: return a > b;
	case SCN_CMP_GE: return a >= b;
	}
	return false;
}

/* The level and vCPU filters as the scenario wrote them: " L2 cpu1". */
static void describe_filters(const struct scn_event_pat *p, char *buf, size_t n)
{
	size_t len = strlen(buf);

	if (p->level != SCN_ANY && len < n)
		len += (size_t)snprintf(buf + len, n - len, " L%d", p->level);
	if (p->cpu != SCN_ANY && len < n)
		snprintf(buf + len, n - len, " cpu%d", p->cpu);
}

/* "exit NMI_WINDOW", "deliver nmi L2", "violation nmi_nesting" for messages. */
static void describe(const struct scn_event_pat *p, char *buf, size_t n)
{
	const char *name = scn_event_name(p->ev);
	const char *reason;

	switch (p->ev) {
	case SCN_EV_EXIT:
		reason = vmx_exit_reason_name((uint32_t)p->arg);
		snprintf(buf, n, "%s %s", name, reason ? reason : "?");
		break;
	case SCN_EV_DELIVER:
	case SCN_EV_INJECT:
		if (p->arg == SCN_NMI)
			snprintf(buf, n, "%s nmi", name);
		else if (p->arg == SCN_ANY)
			snprintf(buf, n, "%s", name);
		else
			snprintf(buf, n, "%s %d", name, p->arg);
		break;
	case SCN_EV_VIOLATION:
		snprintf(buf, n, "%s %s", name, p->kind ? p->kind : "");
		break;
	default:
		snprintf(buf, n, "%s", name);
		break;
	}
	describe_filters(p, buf, n);
}

void expect_text(const struct scn_expect *e, char *buf, size_t n)
{
	char ev[96];

	switch (e->kind) {
	case SCN_EXPECT_VERDICT:
		snprintf(buf, n, "expect %s%s", e->negated ? "no " : "", e->verdict);
		return;
	case SCN_EXPECT_COUNT:
		describe(&e->event, ev, sizeof(ev));
		snprintf(buf, n, "expect count %s %s %" PRIu64, ev, scn_cmp_name(e->cmp), e->count);
		return;
	case SCN_EXPECT_AT:
	case SCN_EXPECT_WITHIN:
		describe(&e->event, ev, sizeof(ev));
		snprintf(buf, n, "expect %s %s", ev, e->kind == SCN_EXPECT_AT ? "at a time" : "in a range");
		return;
	case SCN_EXPECT_EXACT:
		exact_text(e, buf, n);
		return;
	}
	snprintf(buf, n, "expect");
}

uint32_t expect_sink_judge(const struct expect_sink *x, FILE *diag)
{
	return expect_sink_judge_each(x, diag, NULL);
}

/* What expectation i checked and what the run gave, for the message of a failed one. */
static void judged_what(const struct expect_item *it, char *what, size_t n)
{
	const struct scn_expect *e = it->e;
	char ev[96];

	switch (e->kind) {
	case SCN_EXPECT_VERDICT:
		snprintf(what, n, "%s%s (the monitor reported it %" PRIu64 " times)", e->negated ? "no " : "", e->verdict,
		         it->count);
		break;
	case SCN_EXPECT_COUNT:
		describe(&e->event, ev, sizeof(ev));
		snprintf(what, n, "count %s %s %" PRIu64 " (got %" PRIu64 ")", ev, scn_cmp_name(e->cmp), e->count,
		         it->count);
		break;
	case SCN_EXPECT_AT:
	case SCN_EXPECT_WITHIN:
		describe(&e->event, ev, sizeof(ev));
		if (e->kind == SCN_EXPECT_AT)
			snprintf(what, n, "%s at cycle %" PRIu64, ev, it->at);
		else
			snprintf(what, n, "%s in cycles %" PRIu64 "..%" PRIu64, ev, it->at, it->until);
		break;
	case SCN_EXPECT_EXACT:
		break;   /* exact_judge() wrote it */
	}
}

uint32_t expect_sink_judge_each(const struct expect_sink *x, FILE *diag, bool *failed_each)
{
	uint32_t failed = 0;

	for (uint32_t i = 0; i < x->n; i++) {
		const struct expect_item *it = &x->items[i];
		const struct scn_expect *e = it->e;
		char what[1024];
		bool ok = false;

		/* The message is composed only for a failure that is written (an exploration judges millions of runs). */
		switch (e->kind) {
		case SCN_EXPECT_VERDICT:
			ok = e->negated ? it->count == 0 : it->count > 0;
			break;
		case SCN_EXPECT_COUNT:
			ok = compare(e->cmp, it->count, e->count);
			break;
		case SCN_EXPECT_AT:
		case SCN_EXPECT_WITHIN:
			ok = it->count > 0;
			break;
		case SCN_EXPECT_EXACT:
			ok = exact_judge(e, it->cap, it->count, x->label_addr, x->label_ctx, what, sizeof(what));
			break;
		}
		if (failed_each)
			failed_each[i] = !ok;
		if (!ok) {
			failed++;
			if (diag) {
				judged_what(it, what, sizeof(what));
				fprintf(diag, "%s:%u:%u: %sexpectation failed%s: %s\n", x->s->file, e->loc.line, e->loc.col,
				        x->color ? "\033[1;31m" : "", x->color ? "\033[0m" : "", what);
			}
		}
	}
	return failed;
}
