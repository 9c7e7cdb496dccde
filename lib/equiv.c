/* SPDX-License-Identifier: Apache-2.0 */
/*
 * equiv.c - the bare-metal equivalence check (see equiv.h).
 */
#include "vmxsim/equiv.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/api.h"
#include "lib/scenario_run.h"
#include "front/scenario.h"
#include "model/trace/trace.h"

enum l1_kind { L1_EXIT, L1_VMFAIL, L1_DELIVER, L1_RECORD, L2_RECORD };

/* One thing L1 can observe (or L2's program records: L2_RECORD), without its time. */
struct l1_event {
	enum l1_kind kind;
	char reason[32];
	uint64_t qual;
	uint32_t intr_info, idt_vectoring, error, cpu;
	uint64_t vector;
	char type[24];
	char regs[200];            /* L1_RECORD, L2_RECORD: "rip=0x1029 rcx=0x0 ..." as the program read its registers */
	uint64_t cycle;            /* for the report only */
	uint64_t seq;              /* its place among everything recorded on this side, L1's and L2's */
	/* Under L0: where the L0 deliberately answered otherwise than the processor (docs/nested.md). */
	char differs[256];
};

/* A sequence of events, in the order they happened. */
struct seq {
	struct l1_event *v;
	size_t n, cap;
};

struct recorder {
	struct trace_sink base;
	bool bare;
	/*
	 * What L1 sees, and apart from it what L2's program records: L2 is the
	 * nested guest a nested L0 must run as the processor would, whatever
	 * L1 learns of it. The second is compared once the first agrees.
	 */
	struct seq l1, l2;
	uint64_t nseq;
	bool oom;
	char differs[256];         /* a nested_entry's note, for the next event L1 sees */
};

static void field_s(const struct trace_event *ev, const char *key, char *out, size_t n)
{
	const char *s = trace_field_s(ev, key);
	snprintf(out, n, "%s", s ? s : "");
}

static void push(struct seq *q, const struct l1_event *e, bool *oom)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? 2 * q->cap : 64;
		struct l1_event *v = realloc(q->v, cap * sizeof(*v));
		if (!v) {
			*oom = true;
			return;
		}
		q->v = v;
		q->cap = cap;
	}
	q->v[q->n++] = *e;
}

static void record(struct trace_sink *s, const struct trace_event *ev)
{
	struct recorder *r = (struct recorder *)s;
	struct l1_event e;

	memset(&e, 0, sizeof(e));
	/*
	 * An L0 that let L1's entry through where the processor would have
	 * refused it, or stopped the guest where the processor would not, says
	 * so on its nested_entry or guest_stop line: what L1 sees next is where
	 * the runs part. (Not an L2 record: the note is for L1's next event.)
	 */
	if (!r->bare && ev->kind != TRACE_VMFAIL && ev->kind != TRACE_NESTED_VMEXIT && trace_field_s(ev, "differs")) {
		field_s(ev, "differs", r->differs, sizeof(r->differs));
		return;
	}
	/* On bare metal L2's exits are the processor's; under L0 they are the emulated ones. */
	if (ev->kind == (r->bare ? TRACE_VMEXIT : TRACE_NESTED_VMEXIT) && ev->level == (r->bare ? 2u : 1u)) {
		e.kind = L1_EXIT;
		field_s(ev, "reason", e.reason, sizeof(e.reason));
		e.qual = trace_field_u(ev, "qual", 0);
		e.intr_info = (uint32_t)trace_field_u(ev, "intr_info", 0);
		e.idt_vectoring = (uint32_t)trace_field_u(ev, "idt_vectoring", 0);
	} else if (ev->kind == TRACE_VMFAIL && ev->level == 1) {
		e.kind = L1_VMFAIL;
		e.error = (uint32_t)trace_field_u(ev, "error", 0);
	} else if (ev->kind == TRACE_DELIVER && ev->level == 1) {
		e.kind = L1_DELIVER;
		e.vector = trace_field_u(ev, "vector", 0);
		field_s(ev, "type", e.type, sizeof(e.type));
	} else if (ev->kind == TRACE_RECORD && (ev->level == 1 || ev->level == 2)) {
		/* What L1's program read - a VMCS field, a debug register - is what it sees, as much as its exits. */
		size_t at = 0;
		e.kind = ev->level == 1 ? L1_RECORD : L2_RECORD;
		for (uint32_t i = 0; i < ev->nfields && at < sizeof(e.regs); i++) {
			int w = snprintf(e.regs + at, sizeof(e.regs) - at, "%s%s=0x%" PRIx64, i ? " " : "", ev->f[i].key,
			                 ev->f[i].u);
			at += w > 0 ? (size_t)w : 0;
		}
	} else {
		return;
	}
	e.cpu = ev->cpu;
	e.cycle = ev->cycle;
	e.seq = r->nseq++;
	if (!r->bare && e.kind != L2_RECORD) {
		field_s(ev, "differs", e.differs, sizeof(e.differs));
		if (!e.differs[0])
			memcpy(e.differs, r->differs, sizeof(e.differs));
		r->differs[0] = '\0';
	} else if (!r->bare) {
		/* An L2 record sees the note too, and leaves it for L1's next event. */
		memcpy(e.differs, r->differs, sizeof(e.differs));
	}
	push(e.kind == L2_RECORD ? &r->l2 : &r->l1, &e, &r->oom);
}

static bool same(const struct l1_event *a, const struct l1_event *b)
{
	return a->kind == b->kind && a->cpu == b->cpu && !strcmp(a->reason, b->reason) && a->qual == b->qual &&
	       a->intr_info == b->intr_info && a->idt_vectoring == b->idt_vectoring && a->error == b->error &&
	       a->vector == b->vector && !strcmp(a->type, b->type) && !strcmp(a->regs, b->regs);
}

static void describe(FILE *out, const char *who, const struct l1_event *e)
{
	if (!e) {
		fprintf(out, "  %-10s (nothing more)\n", who);
		return;
	}
	switch (e->kind) {
	case L1_EXIT:
		fprintf(out, "  %-10s cycle %" PRIu64 " cpu%u exit %s qual=0x%" PRIx64 " intr_info=0x%08x idt_vectoring=0x%08x\n",
		        who, e->cycle, e->cpu, e->reason, e->qual, e->intr_info, e->idt_vectoring);
		break;
	case L1_VMFAIL:
		fprintf(out, "  %-10s cycle %" PRIu64 " cpu%u VMLAUNCH/VMRESUME failed, error %u\n", who, e->cycle, e->cpu,
		        e->error);
		break;
	case L1_DELIVER:
		fprintf(out, "  %-10s cycle %" PRIu64 " cpu%u L1's IDT delivers vector %" PRIu64 " (%s)\n", who, e->cycle,
		        e->cpu, e->vector, e->type);
		break;
	case L1_RECORD:
	case L2_RECORD:
		fprintf(out, "  %-10s cycle %" PRIu64 " cpu%u L%d records %s\n", who, e->cycle, e->cpu,
		        e->kind == L1_RECORD ? 1 : 2, e->regs);
		break;
	}
}

/* The index of the first event where the two sequences differ (the shorter one's length if none does). */
static size_t first_difference(const struct seq *a, const struct seq *b)
{
	size_t i;

	for (i = 0; i < a->n && i < b->n; i++)
		if (!same(&a->v[i], &b->v[i]))
			break;
	return i;
}

/* The two events before the difference at i, then each side's event there. */
static void report_at(FILE *out, const struct seq *nested, const struct seq *bare, size_t i)
{
	for (size_t j = i >= 2 ? i - 2 : 0; j < i; j++)
		describe(out, "both", &nested->v[j]);
	describe(out, "under L0", i < nested->n ? &nested->v[i] : NULL);
	describe(out, "bare", i < bare->n ? &bare->v[i] : NULL);
}

/* How many of q's events came before the one numbered seq on the same side. */
static size_t count_before(const struct seq *q, uint64_t seq)
{
	size_t n = 0;

	while (n < q->n && q->v[n].seq < seq)
		n++;
	return n;
}

static void free_recorder(struct recorder *r)
{
	free(r->l1.v);
	free(r->l2.v);
}

/* Run one side of the text read from `name`; false (messages on diag) if it cannot run. */
static bool run_side(const char *text, size_t len, const char *name, bool bare, const struct vmxsim_equiv_options *o,
                     struct recorder *r, const char **l0name, bool *interrupted, FILE *diag)
{
	const char *l0 = o->l0;
	struct scn_error err;
	struct scn_scenario *s = scn_parse(text, len, name, &err);
	struct vmxsim_run_options ro;
	struct vmxsim_scenario pub;
	struct vmxsim_session *ss;
	enum vmxsim_status st;
	bool ok;

	/* Cleared first: the caller frees the sequences whatever happens here. */
	memset(r, 0, sizeof(*r));
	if (!s) {
		char msg[1024];
		scn_format_error(&err, msg, sizeof(msg));
		fprintf(diag, "%s\n", msg);
		return false;
	}
	*l0name = bare ? "bare metal" : "the nested L0";
	if (l0 && !bare) {
		/* A bare-metal scenario (a kvm-unit-tests port, say) run as the L1 of this L0. */
		if (strcmp(s->l0.name, "none")) {
			fprintf(diag, "%s:%u:%u: --l0 runs a bare-metal scenario ('l0 none') under a nested L0; this one "
			              "already names L0 '%s'\n", s->file, s->l0.loc.line, s->l0.loc.col, s->l0.name);
			scn_free(s);
			return false;
		}
		s->l0.name = l0;
		/*
		 * Under an L0 an L2 block's `stack-unmapped` is L0's memory (its
		 * EPT violation is L0's own exit, which L1 never sees); here the
		 * file means L1's EPT, which the nested L0s do not emulate.
		 */
		for (size_t i = 0; i < s->nguests; i++)
			if (s->guests[i].stack_unmapped) {
				fprintf(diag, "%s:%u:%u: not modelled: --l0 with 'stack-unmapped': on bare metal it unmaps L2's "
				              "stack in the EPT of L1's VMCS, and the nested L0s do not emulate L1's EPT\n",
				        s->file, s->guests[i].stack_unmapped_loc.line, s->guests[i].stack_unmapped_loc.col);
				scn_free(s);
				return false;
			}
	} else if (!strcmp(s->l0.name, "none") && !l0) {
		fprintf(diag, "%s:%u:%u: equiv compares a nested L0 with bare metal; this scenario already runs on "
		              "bare metal ('l0 none')\n", s->file, s->l0.loc.line, s->l0.loc.col);
		scn_free(s);
		return false;
	}
	s->nexpects = 0;   /* the file's expectations are about the run as written */
	if (bare) {
		size_t kept = 0;
		s->l0.name = "none";
		s->l0.nswitches = 0;
		/*
		 * The L0's own interrupts (host timers and the like) do not exist
		 * on bare metal. A machine check at the host's processor does: on
		 * bare metal it is at the pins of the processor L1 runs on.
		 */
		for (size_t i = 0; i < s->nstimuli; i++) {
			if (s->stimuli[i].kind == SCN_STIM_MCE && s->stimuli[i].level == SCN_L0)
				s->stimuli[i].level = SCN_L1;
			if (s->stimuli[i].level != SCN_L0)
				s->stimuli[kept++] = s->stimuli[i];
		}
		s->nstimuli = kept;
		/*
		 * Nor does L0's memory: an L2 block's `stack-unmapped` is an EPT
		 * violation L0 handles and L1 never sees (but in time). On bare
		 * metal the line would be L1's EPT, a fault L1 sees: dropped.
		 */
		for (size_t i = 0; i < s->nguests; i++)
			s->guests[i].stack_unmapped = false;
	}
	r->base.emit = record;
	r->bare = bare;
	/* A session without a trace: Ctrl-C and the progress line are the session's. */
	memset(&ro, 0, sizeof(ro));
	ro.diag = diag;
	ro.interrupt = o->interrupt;
	ro.progress = o->progress;
	pub.scn = s;
	/* The nested side ran first and said any cost warning of the scenario's stimuli. */
	ss = vmxsim_session_open(&pub, &ro, bare ? VMXSIM_SESSION_NO_COST_WARNING : 0);
	ok = ss && run_handle_attach(api_session_handle(ss), &r->base);
	/* Runs the scenario to its end; a run the model refused (not modelled at run time) compares nothing. */
	if (ss) {
		st = vmxsim_session_close(ss, NULL);
		if (st == VMXSIM_BAD_INPUT)
			ok = false;
		if (st == VMXSIM_INTERRUPTED)
			*interrupted = true;
	}
	if (r->oom)
		fprintf(diag, "%s: out of memory recording what L1 sees on %s\n", s->file, *l0name);
	scn_free(s);
	return ok && !r->oom;
}

int vmxsim_equiv(const char *path, FILE *out, FILE *diag)
{
	return vmxsim_equiv_under(path, NULL, out, diag);
}

int vmxsim_equiv_under(const char *path, const char *l0, FILE *out, FILE *diag)
{
	struct vmxsim_equiv_options o;

	memset(&o, 0, sizeof(o));
	o.l0 = l0;
	return vmxsim_equiv_run(path, &o, out, diag);
}

int vmxsim_equiv_run(const char *path, const struct vmxsim_equiv_options *o, FILE *out, FILE *diag)
{
	struct recorder nested, bare;
	const char *n1, *n2;
	size_t nk, bk, k;
	struct scn_error err;
	bool interrupted = false;
	size_t i, len;
	char *text;
	int rc;

	/* Read once, parse for each side: standard input ("-") can be read only once. */
	text = scn_read_file(path, &len, &err);
	if (!text) {
		char msg[1024];
		scn_format_error(&err, msg, sizeof(msg));
		fprintf(diag, "%s\n", msg);
		return 2;
	}
	if (!strcmp(path, "-"))
		path = SCN_STDIN_NAME;
	if (!run_side(text, len, path, false, o, &nested, &n1, &interrupted, diag) || interrupted) {
		free_recorder(&nested);
		free(text);
		return interrupted ? VMXSIM_INTERRUPTED : 2;
	}
	if (!run_side(text, len, path, true, o, &bare, &n2, &interrupted, diag) || interrupted) {
		free_recorder(&nested);
		free_recorder(&bare);
		free(text);
		return interrupted ? VMXSIM_INTERRUPTED : 2;
	}
	free(text);
	i = first_difference(&nested.l1, &bare.l1);
	/*
	 * L2's records up to L1's first difference (all of them when there is
	 * none): beyond it the runs have parted. A difference among them came
	 * first and is reported first.
	 */
	nk = i < nested.l1.n ? count_before(&nested.l2, nested.l1.v[i].seq) : nested.l2.n;
	bk = i < bare.l1.n ? count_before(&bare.l2, bare.l1.v[i].seq) : bare.l2.n;
	{
		struct seq np = {nested.l2.v, nk, nk}, bp = {bare.l2.v, bk, bk};
		k = first_difference(&np, &bp);
	}
	if (k < nk || k < bk) {
		/*
		 * The note before the record; where L0's side has no record there,
		 * the note on L1's next event (i), or the one L0 left when its run
		 * ended.
		 */
		const char *note = k < nk ? nested.l2.v[k].differs : i < nested.l1.n ? nested.l1.v[i].differs : nested.differs;
		size_t l1 = k < nk ? count_before(&nested.l1, nested.l2.v[k].seq) : i;
		if (note[0]) {
			fprintf(out, "%s: L1 sees the same %zu events, and L2 records the same %zu values, then a documented "
			             "difference of its L0 (docs/nested.md): %s\n", path, l1, k, note);
			describe(out, "under L0", k < nk ? &nested.l2.v[k] : NULL);
			describe(out, "bare", k < bk ? &bare.l2.v[k] : NULL);
			rc = 0;
		} else {
			/* L1 saw nothing of it, but the guest L0 ran for it did not run as on the processor. */
			fprintf(out, "%s: L1 sees the same %zu events, but L2 records a difference at its record %zu (of %zu "
			             "under L0, %zu on bare metal)\n", path, l1, k + 1, nested.l2.n, bare.l2.n);
			report_at(out, &nested.l2, &bare.l2, k);
			rc = 1;
		}
	} else if (i == nested.l1.n && i == bare.l1.n) {
		fprintf(out, "%s: L1 sees the same %zu events on bare metal and under its L0", path, i);
		if (k)
			fprintf(out, ", and L2 records the same %zu values", k);
		fputc('\n', out);
		rc = 0;
	} else if ((i < nested.l1.n ? nested.l1.v[i].differs : nested.differs)[0]) {
		/*
		 * The L0 answered otherwise than the processor on purpose (a note
		 * on the event, or on an entry after which L1 saw nothing more):
		 * reported, not a failure; the runs part here, and L2's records
		 * after it are not compared (those before it were, above).
		 */
		fprintf(out, "%s: L1 sees the same %zu events, then a documented difference of its L0 (docs/nested.md): %s\n",
		        path, i, i < nested.l1.n ? nested.l1.v[i].differs : nested.differs);
		describe(out, "under L0", i < nested.l1.n ? &nested.l1.v[i] : NULL);
		describe(out, "bare", i < bare.l1.n ? &bare.l1.v[i] : NULL);
		rc = 0;
	} else {
		fprintf(out, "%s: L1 sees a difference at its event %zu (of %zu under L0, %zu on bare metal)\n", path, i + 1,
		        nested.l1.n, bare.l1.n);
		report_at(out, &nested.l1, &bare.l1, i);
		rc = 1;
	}
	free_recorder(&nested);
	free_recorder(&bare);
	return rc;
}
