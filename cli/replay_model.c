/* SPDX-License-Identifier: Apache-2.0 */
/*
 * replay_model.c - one vCPU of a real trace as a scenario (replay_run.c runs
 * it).
 *
 * The trace does not hold the guest's program, only what made it exit. So
 * the scenario is built from the exits: a guest instruction for each exit
 * the guest caused (IN/OUT, HLT, CPUID, the EOI write), a host interrupt or
 * NMI for each exit something else caused (EXTERNAL_INTERRUPT, an NMI
 * exit), the interrupts and NMIs for the guest where the trace shows them
 * becoming pending (kvm_apic_accept_irq) or, failing that, being injected,
 * and `work` for the time the guest ran between exits. Stimuli are tied to
 * the model's own exits and entries (`on 3rd entry +1200 ...`), not to
 * absolute times, so the model's slower or faster exits do not move an
 * arrival to the wrong side of an exit. What the trace does not say - the
 * guest's IF, the vector of a host interrupt - is written down as an
 * assumption with the line it rests on (docs/replay.md).
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/replay.h"

enum { R_EXTINT = 1, R_WINDOW = 7, R_CPUID = 10, R_HLT = 12, R_IO = 30, R_MSR_WRITE = 32, R_EPT_VIOLATION = 48 };

struct buf {
	char *s;
	size_t len, cap;
};

static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			rp_fatal("cannot format the scenario text");
		if (b->s && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		b->cap = (b->cap + (size_t)n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			rp_fatal("out of memory");
		if (!b->len)
			b->s[0] = '\0';
	}
}

static void assume(struct rp_plan *p, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (p->nas == p->capas) {
		p->capas = p->capas ? p->capas * 2 : 16;
		p->as = realloc(p->as, p->capas * sizeof(*p->as));
		if (!p->as)
			rp_fatal("out of memory");
	}
	p->as[p->nas].line = line;
	va_start(ap, fmt);
	vsnprintf(p->as[p->nas].text, sizeof(p->as[0].text), fmt, ap);
	va_end(ap);
	p->nas++;
}

static const char *ordinal(unsigned n, char *b, size_t len)
{
	const char *suf = "th";
	if (n % 100 < 11 || n % 100 > 13)
		suf = n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
	snprintf(b, len, "%u%s", n, suf);
	return b;
}

struct gen {
	const struct rp_trace *t;
	struct rp_plan *plan;
	uint64_t hz;
	struct buf prog, stim;
	unsigned entries;             /* the model's entries so far: 1 is its VMLAUNCH */
	unsigned exits[65536 >> 8];   /* modelled exits per basic reason (reasons < 256) */
	uint32_t last_reason;         /* the last modelled exit, RP_NO_REASON when an entry came after it */
	uint64_t run_entry_ns;        /* guest run time since the last modelled entry */
	uint64_t run_seg_ns;          /* ... since the last guest instruction of the program */
	uint64_t last_entry_ns;       /* when the guest last started running (in the trace) */
	bool running;
	size_t cli_at;                /* where in prog a `cli` goes if the next window exit needs one */
	bool vectors[256];
	unsigned accepted[257];       /* arrivals seen in kvm_apic_accept_irq, not yet injected (256: NMI) */
	bool nmi_handler;
	bool stack_unmapped;          /* the first EPT violation during delivery is planned */
	bool launch_irq;              /* an interrupt raised before the VMLAUNCH */
};

static uint64_t cycles(const struct gen *g, uint64_t ns)
{
	return (uint64_t)((unsigned __int128)ns * g->hz / 1000000000u);
}

/* The anchor of something that happened at ns: the last modelled exit (while the guest is out) or entry. */
static void anchor(struct gen *g, uint64_t ns, char *out, size_t n)
{
	char o[16];

	if (!g->running && g->last_reason != RP_NO_REASON)
		snprintf(out, n, "on %s exit %s +0", ordinal(g->exits[g->last_reason], o, sizeof(o)),
		         rp_reason_name(g->last_reason));
	else
		snprintf(out, n, "on %s entry +%" PRIu64, ordinal(g->entries, o, sizeof(o)),
		         cycles(g, g->run_entry_ns + (g->running && ns > g->last_entry_ns ? ns - g->last_entry_ns : 0)));
}

static void work(struct gen *g)
{
	uint64_t c = cycles(g, g->run_seg_ns);
	if (c)
		put(&g->prog, "        work %" PRIu64 "\n", c);
	g->run_seg_ns = 0;
}

/* The IN or OUT of the size the exit qualification gives (bits 2:0, the size minus 1): in, inw, inl. */
static const char *io_width(uint64_t qual, const char *op)
{
	bool in = op[0] == 'i';

	switch (qual & 7u) {
	case 1: return in ? "inw" : "outw";
	case 3: return in ? "inl" : "outl";
	default: return op;
	}
}
static bool modelled_exit(const struct rp_trace *t, size_t i, const char **why)
{
	const struct rp_event *e = &t->ev[i];

	if (e->nested) {
		*why = "an exit of L2 (kvm_nested_vmexit follows): replay drives a single-level guest";
		return false;
	}
	/* An EPT violation while an external interrupt was delivered: the model's `stack-unmapped`. */
	if (e->reason == R_EPT_VIOLATION && (e->vectoring & 0x80000700u) == 0x80000000u)
		return true;
	if ((e->vectoring & 0x80000000u) != 0) {
		*why = "the exit interrupted the delivery of an event (IDT-vectoring information valid): the replay's "
		       "guest has no fault during delivery";
		return false;
	}
	switch (e->reason) {
	case R_EXTINT:
	case R_WINDOW:
	case R_CPUID:
	case R_HLT:
	case R_IO:
		return true;
	case 0:
		if ((e->intr_info & 0x80000700u) == 0x80000200u)
			return true;
		*why = "an exception exit: the trace does not say which guest instruction faulted";
		return false;
	case R_MSR_WRITE:
		for (size_t j = i + 1; j < t->n && t->ev[j].kind != RP_ENTRY; j++)
			if (t->ev[j].vcpu == e->vcpu && t->ev[j].kind == RP_EOI)
				return true;
		*why = "an MSR write other than the EOI (no kvm_eoi follows): not replayed";
		return false;
	default:
		*why = "this exit reason has no guest instruction or stimulus in the replay (the model has no EPT, "
		       "paging or device emulation)";
		return false;
	}
}

/* An interrupt or NMI for the guest that became pending at ns. */
static void arrival(struct gen *g, uint64_t ns, bool nmi, uint32_t vector)
{
	char a[96];

	anchor(g, ns, a, sizeof(a));
	if (nmi) {
		put(&g->stim, "%s nmi -> L1 cpu0 via trace\n", a);
		g->nmi_handler = true;
	} else {
		put(&g->stim, "%s irq %u -> L1 cpu0 via trace\n", a, vector);
		g->vectors[vector] = true;
	}
}

static void plan_exit(struct gen *g, size_t i, const size_t *idx, size_t k, size_t nidx)
{
	const struct rp_event *e = &g->t->ev[i];
	char a[96], o[16];

	g->run_seg_ns += e->ns - g->last_entry_ns;
	g->run_entry_ns += e->ns - g->last_entry_ns;
	g->running = false;
	switch (e->reason) {
	case 0: /* an NMI exit: an NMI of the host */
	case R_EXTINT:
		if (e->reason == R_EXTINT && !(e->intr_info & 0x80000000u))
			assume(g->plan, e->line, "the host interrupt's vector is not in the trace: 0xfd taken");
		snprintf(a, sizeof(a), "on %s entry +%" PRIu64, ordinal(g->entries, o, sizeof(o)),
		         cycles(g, g->run_entry_ns));
		if (e->reason == 0)
			put(&g->stim, "%s nmi -> L0 cpu0 via trace\n", a);
		else
			put(&g->stim, "%s irq %u -> L0 cpu0 via trace\n", a,
			    e->intr_info & 0x80000000u ? (unsigned)(e->intr_info & 0xff) : 0xfdu);
		break;
	case R_WINDOW: {
		/* IF was 0 when L0 last entered (else it had injected), and the guest set it here. */
		char cli[] = "        cli\n";
		size_t tail = g->prog.len - g->cli_at;
		put(&g->prog, "%s", cli);
		memmove(g->prog.s + g->cli_at + strlen(cli), g->prog.s + g->cli_at, tail);
		memcpy(g->prog.s + g->cli_at, cli, strlen(cli));
		work(g);
		put(&g->prog, "        sti\n        nop\n");
		g->cli_at = g->prog.len;
		assume(g->plan, e->line, "the guest had IF=0 from before the previous exit until here, where it set "
		                         "IF (an STI; replayed as STI, NOP)");
		break;
	}
	case R_EPT_VIOLATION:
		if (g->stack_unmapped) {
			/* The model's L0 mapped the page at the first one: a second is not planned. */
			assume(g->plan, e->line, "the model's L0 maps the page at the first EPT violation; it is not "
			                         "told to fault again");
			return;
		}
		g->stack_unmapped = true;
		if (g->entries == 1 && g->exits[R_EXTINT] + g->exits[R_HLT] + g->exits[R_IO] + g->exits[R_CPUID] +
		                               g->exits[R_WINDOW] == 0) {
			put(&g->stim, "at 0 irq %u -> L1 cpu0 via trace\n", (unsigned)(e->vectoring & 0xff));
			g->vectors[e->vectoring & 0xff] = true;
			g->launch_irq = true;
			assume(g->plan, e->line, "the interrupt being delivered (vector 0x%x) was injected before the "
			                         "trace starts: raised before the model's VMLAUNCH",
			       (unsigned)(e->vectoring & 0xff));
		} else {
			arrival(g, e->ns, false, (unsigned)(e->vectoring & 0xff));
			assume(g->plan, e->line, "the interrupt being delivered (vector 0x%x) became pending just before",
			       (unsigned)(e->vectoring & 0xff));
		}
		assume(g->plan, e->line, "the delivery's first push faults in EPT: the guest's stack page is unmapped "
		                         "(the model's stack-unmapped)");
		break;
	case R_CPUID:
	case R_HLT:
	case R_IO:
	case R_MSR_WRITE:
		g->cli_at = g->prog.len;
		work(g);
		g->cli_at = g->prog.len;
		if (e->reason == R_CPUID)
			put(&g->prog, "        cpuid\n");
		else if (e->reason == R_HLT)
			put(&g->prog, "        hlt\n");
		else if (e->reason == R_MSR_WRITE)
			put(&g->prog, "        eoi\n");
		else if (e->qual & 8)
			put(&g->prog, "        %s rax 0x%" PRIx64 "\n", io_width(e->qual, "in"), e->qual >> 16 & 0xffff);
		else
			put(&g->prog, "        %s 0x%" PRIx64 "\n", io_width(e->qual, "out"), e->qual >> 16 & 0xffff);
		if (e->reason == R_IO && (e->qual & 0x10))
			assume(g->plan, e->line, "a string I/O access replayed as an IN/OUT of its size (the model has no "
			       "INS or OUTS)");
		if (e->reason == R_HLT)
			assume(g->plan, e->line, "the guest halted with IF=1 (as STI; HLT does): the trace does not show IF");
		break;
	}
	g->exits[e->reason]++;
	g->last_reason = e->reason;
	/* The injection after this exit: its arrival, when the trace shows none. */
	for (size_t m = k + 1; m < nidx; m++) {
		const struct rp_event *n = &g->t->ev[idx[m]];
		if (n->kind == RP_ENTRY || n->kind == RP_EXIT)
			break;
		if ((n->kind == RP_INJ_VIRQ && !n->reinjected && !n->soft) || n->kind == RP_INJ_NMI) {
			unsigned *acc = &g->accepted[n->kind == RP_INJ_NMI ? 256 : n->vector];
			bool shown = false;
			for (size_t q = k + 1; q < m; q++)
				shown |= g->t->ev[idx[q]].kind == RP_ACCEPT_IRQ && g->t->ev[idx[q]].nmi == (n->kind == RP_INJ_NMI) &&
				         (n->kind == RP_INJ_NMI || g->t->ev[idx[q]].vector == n->vector);
			if (shown)
				break; /* its arrival is in the trace, after this exit */
			if (*acc) {
				(*acc)--;
				break;
			}
			if (e->reason == R_WINDOW)
				continue; /* pending before the window opened: see the previous exit */
			uint64_t at = e->reason == R_HLT ? n->ns : e->ns;
			assume(g->plan, n->line, "the %s became pending %s (no kvm_apic_accept_irq for it)",
			       n->kind == RP_INJ_NMI ? "NMI" : "interrupt",
			       e->reason == R_HLT ? "when it was injected" : "while L0 handled this exit");
			if (e->reason == R_HLT && at > e->ns) {
				anchor(g, e->ns, a, sizeof(a));
				char *plus = strrchr(a, '+');
				snprintf(plus + 1, sizeof(a) - (size_t)(plus + 1 - a), "%" PRIu64, cycles(g, at - e->ns));
				if (n->kind == RP_INJ_NMI) {
					put(&g->stim, "%s nmi -> L1 cpu0 via trace\n", a);
					g->nmi_handler = true;
				} else {
					put(&g->stim, "%s irq %u -> L1 cpu0 via trace\n", a, n->vector);
					g->vectors[n->vector] = true;
				}
			} else {
				arrival(g, at, n->kind == RP_INJ_NMI, n->vector);
			}
			break;
		}
	}
	/* A window exit's interrupt was pending when L0 entered before it: raise it at the exit before. */
	if (e->reason != R_WINDOW) {
		for (size_t m = k + 1; m < nidx; m++) {
			const struct rp_event *n = &g->t->ev[idx[m]];
			if (n->kind == RP_EXIT) {
				const char *why;
				if (n->reason != R_WINDOW || !modelled_exit(g->t, idx[m], &why))
					break;
				bool found = false;
				for (size_t q = m + 1; q < nidx && g->t->ev[idx[q]].kind != RP_ENTRY && !found; q++) {
					const struct rp_event *inj = &g->t->ev[idx[q]];
					if (inj->kind == RP_INJ_VIRQ && !inj->reinjected && !inj->soft) {
						found = true;
						if (g->accepted[inj->vector]) {
							g->accepted[inj->vector]--;
							break;
						}
						assume(g->plan, inj->line, "the interrupt injected after the window exit became "
						                           "pending while L0 handled the exit before it (line %u)",
						       e->line);
						arrival(g, e->ns, false, inj->vector);
					}
				}
				if (!found) {
					assume(g->plan, n->line, "an interrupt was pending (a window exit needs one) but the trace "
					                         "shows no injection after it: vector 0x20, pending while L0 handled "
					                         "the exit before (line %u)", e->line);
					arrival(g, e->ns, false, 0x20);
				}
				break;
			}
			if (n->kind == RP_ACCEPT_IRQ)
				break;
		}
	}
}

static void build(struct gen *g, uint32_t vcpu, const struct rp_options *o)
{
	const struct rp_trace *t = g->t;
	size_t *idx = malloc((t->n + 1) * sizeof(*idx)), nidx = 0;
	struct buf head = {0};
	uint64_t t0 = 0, tend = 0;
	bool eoi_in_line = false;

	if (!idx)
		rp_fatal("out of memory");
	for (size_t i = 0; i < t->n; i++)
		if (t->ev[i].vcpu == vcpu)
			idx[nidx++] = i;
	if (nidx) {
		t0 = t->ev[idx[0]].ns;
		tend = t->ev[idx[nidx - 1]].ns;
	}
	g->entries = 1;
	g->last_entry_ns = t0;
	g->running = true;
	g->last_reason = RP_NO_REASON;
	put(&g->prog, "");
	assume(g->plan, nidx ? t->ev[idx[0]].line : 1, "the guest had IF=1 and ran from here (the first event of "
	                                               "vCPU %u), entered by the model's VMLAUNCH", vcpu);
	for (size_t k = 0; k < nidx; k++) {
		size_t i = idx[k];
		const struct rp_event *e = &t->ev[i];
		const char *why = NULL;
		bool ok = false;

		switch (e->kind) {
		case RP_EXIT:
			ok = modelled_exit(t, i, &why);
			if (ok) {
				plan_exit(g, i, idx, k, nidx);
			} else {
				g->run_seg_ns += e->ns - g->last_entry_ns;
				g->run_entry_ns += e->ns - g->last_entry_ns;
				g->running = false;
				g->last_reason = RP_NO_REASON;
			}
			break;
		case RP_ENTRY:
			if (!g->running) {
				/* the entry after a modelled exit is the model's; after another, the guest runs on */
				size_t j = k;
				while (j-- > 0 && t->ev[idx[j]].kind != RP_EXIT)
					;
				ok = j < nidx && modelled_exit(t, idx[j], &why);
				if (!ok)
					why = "the entry after an exit the replay does not model";
				if (ok) {
					g->entries++;
					g->run_entry_ns = 0;
				}
			} else {
				why = "an entry before the first exit: the model's VMLAUNCH stands for it";
			}
			g->last_entry_ns = e->ns;
			g->running = true;
			if (ok)
				g->last_reason = RP_NO_REASON;
			break;
		case RP_INJ_VIRQ:
		case RP_INJ_NMI:
		case RP_INJ_EXC:
			ok = e->kind != RP_INJ_EXC && !e->soft;
			if (ok && e->reinjected) {
				/* a re-injection the model makes too: after an EPT violation during delivery */
				size_t j = k;
				while (j-- > 0 && t->ev[idx[j]].kind != RP_EXIT)
					;
				ok = j < nidx && t->ev[idx[j]].reason == R_EPT_VIOLATION && modelled_exit(t, idx[j], &why);
			}
			why = e->reinjected ? "a re-injection of an event whose delivery an exit interrupted"
			      : e->soft     ? "a software interrupt (INTn): the replay's guest executes none"
			                    : "an exception injection: the trace does not say what raised it";
			if (ok) {
				size_t j = k;
				while (j-- > 0 && t->ev[idx[j]].kind != RP_EXIT)
					;
				if (j < nidx && !modelled_exit(t, idx[j], &why)) {
					ok = false;
					why = "an injection at the entry after an exit the replay does not model";
				}
			}
			break;
		case RP_ACCEPT_IRQ:
			arrival(g, e->ns, e->nmi, e->vector);
			g->accepted[e->nmi ? 256 : e->vector]++;
			why = "an arrival: it drives the model, it is not compared";
			break;
		default:
			why = "not compared";
			break;
		}
		g->plan->replayable[i] = ok;
		g->plan->why[i] = ok ? NULL : why;
	}
	g->run_seg_ns += g->running && tend > g->last_entry_ns ? tend - g->last_entry_ns : 0;
	work(g);
	put(&head, "# replay of %s, vCPU %u: generated by vmxsim replay (docs/replay.md)\n", t->path, vcpu);
	put(&head, "cpu     %s\nl0      %s\nvcpus   1\n\nguest L1\n", o->cpu, o->l0);
	for (unsigned v = 32; v < 256; v++)
		if (g->vectors[v])
			put(&head, "  idt %u isr interrupt-gate\n", v);
	if (g->nmi_handler)
		put(&head, "  idt 2 nmi interrupt-gate\n");
	if (g->stack_unmapped)
		put(&head, "  stack-unmapped\n");
	put(&head, "main:   sti\n%s", g->prog.s ? g->prog.s : "");
	/* When the trace shows the guest's EOIs, the program makes them in line: the handler only returns. */
	for (size_t k = 0; k < nidx && !eoi_in_line; k++)
		eoi_in_line = t->ev[idx[k]].kind == RP_EOI;
	if (eoi_in_line)
		assume(g->plan, 1, "the guest's interrupt handlers return at once; their EOIs are the MSR writes the "
		                   "trace shows, made in line");
	put(&head, "tail:   work 100000\n        jmp tail\nisr:    %s        iret\nnmi:    iret\n\n%s",
	    eoi_in_line ? "" : "eoi\n", g->stim.s ? g->stim.s : "");
	put(&head, "run %" PRIu64 "\n", cycles(g, tend - t0) * 2 + 100000);
	g->plan->scenario = head.s;
	free(g->prog.s);
	free(g->stim.s);
	free(idx);
}

void rp_plan_build(const struct rp_trace *t, uint32_t vcpu, const struct rp_options *o, uint64_t tsc_hz,
                   struct rp_plan *plan)
{
	struct gen g = {0};

	memset(plan, 0, sizeof(*plan));
	plan->replayable = calloc(t->n + 1, sizeof(*plan->replayable));
	plan->why = calloc(t->n + 1, sizeof(*plan->why));
	if (!plan->replayable || !plan->why)
		rp_fatal("out of memory");
	g.t = t;
	g.plan = plan;
	g.hz = tsc_hz;
	build(&g, vcpu, o);
}

void rp_plan_free(struct rp_plan *p)
{
	free(p->scenario);
	free(p->as);
	free(p->replayable);
	free(p->why);
	memset(p, 0, sizeof(*p));
}
