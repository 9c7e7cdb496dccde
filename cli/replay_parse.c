/* SPDX-License-Identifier: Apache-2.0 */
/*
 * replay_parse.c - a KVM trace as text, read into the events replay uses.
 *
 * Two layouts carry the same records, TASK-PID [CPU] [FLAGS] SECONDS:
 * EVENT: FIELDS - `trace-cmd report` (no FLAGS column) and the tracefs
 * `trace`/`trace_pipe` files (FLAGS such as "d..1"); `perf script` puts a
 * space between task and pid and "kvm:" before the event. A record that a
 * mail client wrapped goes on in the lines after it until a blank line, a
 * comment (#) or the next record. The kvm_exit fields come in KVM's two
 * layouts: "reason R rip X info Q I" (up to Linux 5.11) and "vcpu N reason R
 * rip X info1 Q info2 V intr_info I error_code E" (5.12 on); R is a name or
 * a number. Everything replay cannot read is a FILE:LINE:COL error.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/replay.h"

static const struct {
	uint32_t n;
	const char *name, *id;
} reasons[] = {
#define EXIT_REASON(num, id, text) {num, text, #id},
#include "vmcs/vmx_exit_reasons.def"
#undef EXIT_REASON
};

const char *rp_reason_name(uint32_t reason)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].n == reason)
			return reasons[i].name;
	return NULL;
}

/* KVM's name (PENDING_INTERRUPT before Linux 5.2, INTERRUPT_WINDOW after: both are taken), or a number. */
bool rp_reason_lookup(const char *s, size_t len, uint32_t *out)
{
	char *end;
	unsigned long v;

	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if ((strlen(reasons[i].name) == len && !strncmp(reasons[i].name, s, len)) ||
		    (strlen(reasons[i].id) == len && !strncmp(reasons[i].id, s, len))) {
			*out = reasons[i].n;
			return true;
		}
	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || (size_t)(end - s) != len || v > 0xffff)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* The physical lines a record's text came from, for columns of errors. */
struct seg {
	unsigned line, col;      /* where the piece starts in the file */
	size_t off;              /* where it starts in the record's text */
};

struct rec {
	unsigned line;
	char task[64];
	uint64_t ns;
	char text[1024];
	size_t len;
	struct seg segs[8];
	unsigned nsegs;
	bool open;
};

struct parser {
	struct rp_trace *t;
	FILE *diag;
	bool failed;
};

static void fail_at(struct parser *p, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return;
	p->failed = true;
	fprintf(p->diag, "%s:%u:%u: ", p->t->path, line, col);
	va_start(ap, fmt);
	vfprintf(p->diag, fmt, ap);
	va_end(ap);
	fputc('\n', p->diag);
}

/* An error at offset off of the record's text, located in the line it came from. */
static void fail_rec(struct parser *p, const struct rec *r, const char *at, const char *fmt, const char *arg)
{
	size_t off = (size_t)(at - r->text);
	unsigned i = 0;

	while (i + 1 < r->nsegs && r->segs[i + 1].off <= off)
		i++;
	fail_at(p, r->segs[i].line, r->segs[i].col + (unsigned)(off - r->segs[i].off), fmt, arg);
}

static void append(struct rec *r, unsigned line, unsigned col, const char *s, size_t n)
{
	if (r->len && r->len + 1 < sizeof(r->text))
		r->text[r->len++] = ' ';
	if (r->nsegs < 8)
		r->segs[r->nsegs++] = (struct seg){line, col, r->len};
	if (n > sizeof(r->text) - 1 - r->len)
		n = sizeof(r->text) - 1 - r->len;
	memcpy(r->text + r->len, s, n);
	r->len += n;
	r->text[r->len] = '\0';
}

/* SECONDS.FRACTION (up to 9 digits) as nanoseconds; the length read, 0 if it is none. */
static size_t timestamp(const char *s, uint64_t *ns)
{
	uint64_t sec = 0, frac = 0;
	size_t i = 0, d = 0;

	while (isdigit((unsigned char)s[i]) && i < 12)
		sec = sec * 10 + (uint64_t)(s[i++] - '0');
	if (!i || s[i] != '.')
		return 0;
	i++;
	while (isdigit((unsigned char)s[i])) {
		if (d < 9) {
			frac = frac * 10 + (uint64_t)(s[i] - '0');
			d++;
		}
		i++;
	}
	if (!d || s[i] != ':')
		return 0;
	while (d++ < 9)
		frac *= 10;
	*ns = sec * 1000000000u + frac;
	return i + 1;
}

/* TASK-PID [CPU] [FLAGS] SECONDS: ... : fill r and return where the event starts, or NULL. */
static const char *record_head(const char *line, struct rec *r)
{
	const char *lb = strchr(line, '['), *p, *q;
	size_t tl, n;

	if (!lb || lb == line)
		return NULL;
	p = lb + 1;
	while (isdigit((unsigned char)*p))
		p++;
	if (p == lb + 1 || *p != ']')
		return NULL;
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	n = timestamp(p, &r->ns);
	if (!n) {
		/* a FLAGS column: one word without a colon, then the time */
		q = p;
		while (*q && *q != ' ' && *q != '\t' && *q != ':')
			q++;
		if (q == p || *q == ':')
			return NULL;
		while (*q == ' ' || *q == '\t')
			q++;
		n = timestamp(q, &r->ns);
		if (!n)
			return NULL;
		p = q;
	}
	tl = (size_t)(lb - line);
	while (tl && (line[tl - 1] == ' ' || line[tl - 1] == '\t'))
		tl--;
	if (tl >= sizeof(r->task))
		tl = sizeof(r->task) - 1;
	memcpy(r->task, line, tl);
	r->task[tl] = '\0';
	return p + n;
}

static uint32_t thread_of(struct rp_trace *t, const char *task)
{
	for (uint32_t i = 0; i < t->nthreads; i++)
		if (!strcmp(t->threads[i], task))
			return i;
	if (!(t->nthreads & (t->nthreads + 1)) || !t->threads) {
		size_t cap = (size_t)(t->nthreads + 1) * 2;
		void *nt = realloc(t->threads, cap * sizeof(*t->threads));
		if (!nt)
			rp_fatal("out of memory");
		t->threads = nt;
	}
	snprintf(t->threads[t->nthreads], sizeof(t->threads[0]), "%s", task);
	return t->nthreads++;
}

static struct rp_event *push(struct rp_trace *t)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		void *ne = realloc(t->ev, cap * sizeof(*t->ev));
		if (!ne)
			rp_fatal("out of memory");
		t->ev = ne;
		t->cap = cap;
	}
	memset(&t->ev[t->n], 0, sizeof(t->ev[0]));
	return &t->ev[t->n++];
}

/* The word after `key ` in s, as a number; NULL when absent. */
static const char *field(const char *s, const char *key)
{
	size_t k = strlen(key);
	const char *p = s;

	while ((p = strstr(p, key)) != NULL) {
		if ((p == s || p[-1] == ' ' || p[-1] == ',') && p[k] == ' ') {
			p += k;
			while (*p == ' ')
				p++;
			return p;
		}
		p += k;
	}
	return NULL;
}

/* A number at s (hex with 0x, or `hex` true for KVM's bare hex words); false when there is none. */
static bool number(const char *s, bool hex, uint64_t *out)
{
	char *end;

	if (!isxdigit((unsigned char)*s))
		return false;
	errno = 0;
	*out = strtoull(s, &end, hex ? 16 : 0);
	return !errno && end != s && (*end == '\0' || *end == ' ' || *end == ',');
}

static const char *const exc_names[] = {"DE", "DB", "NMI", "BP", "OF", "BR", "UD", "NM", "DF", "09",
                                        "TS", "NP", "SS", "GP", "PF", "15", "MF", "AC", "MC", "XM", "VE"};

static bool exit_fields(struct parser *p, const struct rec *r, const char *f, struct rp_event *e)
{
	const char *v = field(f, "reason"), *w;
	size_t len;
	uint64_t u;

	if (!v) {
		fail_rec(p, r, f, "kvm_exit without a reason%s", "");
		return false;
	}
	len = strcspn(v, " ");
	if (!rp_reason_lookup(v, len, &e->reason)) {
		char name[40];
		snprintf(name, sizeof(name), "%.*s", (int)(len < 32 ? len : 32), v);
		fail_rec(p, r, v, "unknown VMX exit reason '%s' (replay reads Intel VT-x traces: "
		                  "vmcs/vmx_exit_reasons.def)", name);
		return false;
	}
	if ((w = field(f, "vcpu")) != NULL && number(w, false, &u))
		e->vcpu = (uint32_t)u;
	if ((w = field(f, "info1")) != NULL) {
		if (!number(w, true, &e->qual) || !(w = field(f, "info2")) || !number(w, true, &e->info2)) {
			fail_rec(p, r, w ? w : f, "kvm_exit: info1 and info2 must be numbers%s", "");
			return false;
		}
		e->vectoring = e->info2;
		if ((w = field(f, "intr_info")) != NULL && !number(w, true, &e->intr_info)) {
			fail_rec(p, r, w, "kvm_exit: intr_info must be a number%s", "");
			return false;
		}
	} else if ((w = field(f, "info")) != NULL) {
		const char *w2 = w + strcspn(w, " ");
		while (*w2 == ' ')
			w2++;
		if (!number(w, true, &e->qual) || !number(w2, true, &e->info2)) {
			fail_rec(p, r, w, "kvm_exit: 'info' must be followed by two hex numbers%s", "");
			return false;
		}
		/* Before 5.12 the second word was the exit's interruption information; for other
		 * reasons a valid one there is the event whose delivery the exit interrupted. */
		if (e->reason <= 1)
			e->intr_info = e->info2;
		else
			e->vectoring = e->info2;
	}
	snprintf(e->what, sizeof(e->what), "kvm_exit %s", rp_reason_name(e->reason) ? rp_reason_name(e->reason) : "?");
	return true;
}

static bool inj_fields(struct parser *p, const struct rec *r, const char *f, struct rp_event *e)
{
	const char *v = f;
	uint64_t u = 0;

	e->reinjected = strstr(f, "[reinjected]") != NULL;
	if (e->kind == RP_INJ_EXC) {
		size_t i;
		if (*v == '#') {
			v++;
			for (i = 0; i < sizeof(exc_names) / sizeof(exc_names[0]); i++)
				if (!strncmp(v, exc_names[i], strlen(exc_names[i])) &&
				    !isalnum((unsigned char)v[strlen(exc_names[i])]))
					break;
			if (i == sizeof(exc_names) / sizeof(exc_names[0])) {
				fail_rec(p, r, v, "kvm_inj_exception: unknown exception '#%.4s'", v);
				return false;
			}
			u = i;
		} else if (!number(v, false, &u) || u > 31) {
			fail_rec(p, r, v, "kvm_inj_exception: an exception (#GP, 13, ...) expected%s", "");
			return false;
		}
		e->vector = (uint32_t)u;
		snprintf(e->what, sizeof(e->what), "kvm_inj_exception #%s%s", exc_names[e->vector % 21],
		         e->reinjected ? " [reinjected]" : "");
		return true;
	}
	if (!strncmp(v, "IRQ ", 4) || !strncmp(v, "irq ", 4)) {
		v += 4;
	} else if (!strncmp(v, "Soft/INTn ", 10)) {
		e->soft = true;
		v += 10;
	}
	if (!number(v, false, &u) || u > 255) {
		fail_rec(p, r, v, "kvm_inj_virq: a vector (0..255) expected%s", "");
		return false;
	}
	e->vector = (uint32_t)u;
	snprintf(e->what, sizeof(e->what), "kvm_inj_virq %s0x%x%s", e->soft ? "Soft/INTn " : "", e->vector,
	         e->reinjected ? " [reinjected]" : "");
	return true;
}

/* apicid N ... vec V / vector V: replay takes APIC ID N for vCPU N (docs/replay.md). */
static bool apic_fields(struct parser *p, const struct rec *r, const char *f, struct rp_event *e, const char *vkey)
{
	const char *a = field(f, "apicid"), *v = field(f, vkey);
	uint64_t id, vec;

	if (!a || !number(a, false, &id) || !v || !number(v, false, &vec) || vec > 255) {
		fail_rec(p, r, f, "expected 'apicid N %s V'", vkey);
		return false;
	}
	e->vcpu = (uint32_t)id;
	e->vector = (uint32_t)vec;
	e->nmi = strstr(f, "(NMI") != NULL;
	snprintf(e->what, sizeof(e->what), "%s %s%u", e->kind == RP_EOI ? "kvm_eoi" : "kvm_apic_accept_irq",
	         e->nmi ? "NMI " : "", e->vector);
	return true;
}

static void record_done(struct parser *p, struct rec *r)
{
	static const struct {
		const char *name;
		enum rp_kind kind;
	} names[] = {
	    {"kvm_exit", RP_EXIT},           {"kvm_entry", RP_ENTRY},           {"kvm_inj_virq", RP_INJ_VIRQ},
	    {"kvm_inj_nmi", RP_INJ_NMI},     {"kvm_inj_exception", RP_INJ_EXC}, {"kvm_apic_accept_irq", RP_ACCEPT_IRQ},
	    {"kvm_eoi", RP_EOI},             {"kvm_nested_vmexit", RP_NESTED_EXIT},
	    {"kvm_userspace_exit", RP_USERSPACE},
	};
	const char *s = r->text, *f;
	size_t nl;
	struct rp_event *e;
	uint64_t u;

	if (!r->open || p->failed)
		return;
	r->open = false;
	while (*s == ' ')
		s++;
	if (!strncmp(s, "kvm:", 4))
		s += 4;
	nl = strcspn(s, ": ");
	if (!nl || s[nl] != ':') {
		fail_rec(p, r, s, "an event name and a colon expected after the timestamp%s", "");
		return;
	}
	f = s + nl + 1;
	while (*f == ' ')
		f++;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strlen(names[i].name) != nl || strncmp(names[i].name, s, nl) != 0)
			continue;
		e = push(p->t);
		e->kind = names[i].kind;
		e->line = r->line;
		e->ns = r->ns;
		e->vcpu = RP_NO_VCPU;
		e->thread = thread_of(p->t, r->task);
		switch (e->kind) {
		case RP_EXIT:
		case RP_NESTED_EXIT:
			if (!exit_fields(p, r, f, e))
				return;
			if (e->kind == RP_NESTED_EXIT) {
				memcpy(e->what, "kvm_nested_vmexit", 17);
				for (size_t j = p->t->n - 1; j-- > 0;)
					if (p->t->ev[j].thread == e->thread && p->t->ev[j].kind == RP_EXIT) {
						p->t->ev[j].nested = true;
						break;
					}
			}
			break;
		case RP_ENTRY:
			if ((f = field(f, "vcpu")) == NULL || !number(f, false, &u)) {
				fail_rec(p, r, s + nl + 1, "kvm_entry: 'vcpu N' expected%s", "");
				return;
			}
			e->vcpu = (uint32_t)u;
			snprintf(e->what, sizeof(e->what), "kvm_entry");
			break;
		case RP_INJ_VIRQ:
		case RP_INJ_EXC:
			if (!inj_fields(p, r, f, e))
				return;
			break;
		case RP_INJ_NMI:
			snprintf(e->what, sizeof(e->what), "kvm_inj_nmi");
			break;
		case RP_ACCEPT_IRQ:
			if (!apic_fields(p, r, f, e, "vec"))
				return;
			break;
		case RP_EOI:
			if (!apic_fields(p, r, f, e, "vector"))
				return;
			break;
		case RP_USERSPACE:
			snprintf(e->what, sizeof(e->what), "kvm_userspace_exit");
			break;
		}
		return;
	}
}

/* Lines that are neither records nor their continuation: headers of trace-cmd report. */
static bool header_line(const char *s)
{
	unsigned u;
	return !strncmp(s, "cpus=", 5) || !strncmp(s, "version = ", 10) ||
	       (sscanf(s, "CPU %u is empty", &u) == 1 && strstr(s, "is empty"));
}

static void read_lines(struct parser *p, char *buf)
{
	struct rec r = {0}, head = {0};
	unsigned line = 0;
	char *s = buf, *nl;

	for (; s && *s && !p->failed; s = nl ? nl + 1 : NULL) {
		const char *ev;
		char *b;
		size_t n;

		line++;
		nl = strchr(s, '\n');
		if (nl)
			*nl = '\0';
		n = strlen(s);
		if (n && s[n - 1] == '\r')
			s[--n] = '\0';
		b = s;
		while (*b == ' ' || *b == '\t')
			b++;
		if (!*b || *b == '#' || header_line(b)) {
			record_done(p, &r);
			continue;
		}
		ev = record_head(b, &head);
		if (ev) {
			record_done(p, &r);
			r.ns = head.ns;
			memcpy(r.task, head.task, sizeof(r.task));
			r.open = true;
			r.line = line;
			r.len = 0;
			r.nsegs = 0;
			r.text[0] = '\0';
			while (*ev == ' ')
				ev++;
			if (*ev)
				append(&r, line, (unsigned)(ev - s) + 1, ev, strlen(ev));
			continue;
		}
		if (!r.open) {
			fail_at(p, line, (unsigned)(b - s) + 1,
			        "not a trace record: TASK-PID [CPU] SECONDS: EVENT: FIELDS expected (trace-cmd report, "
			        "or the tracefs trace file)");
			return;
		}
		append(&r, line, (unsigned)(b - s) + 1, b, strlen(b));
	}
	record_done(p, &r);
	if (!p->failed && !p->t->n)
		fail_at(p, line ? line : 1, 1, "no KVM events (kvm_exit, kvm_entry, kvm_inj_virq, ...) in the trace");
}

/* Each thread's vCPU, from the events that name it; a thread that never does is vCPU 0. */
static void assign_vcpus(struct rp_trace *t)
{
	uint32_t *of = calloc(t->nthreads ? t->nthreads : 1, sizeof(*of));

	if (!of)
		rp_fatal("out of memory");
	for (uint32_t i = 0; i < t->nthreads; i++)
		of[i] = RP_NO_VCPU;
	for (size_t i = 0; i < t->n; i++)
		if ((t->ev[i].kind == RP_ENTRY || t->ev[i].kind == RP_EXIT) && t->ev[i].vcpu != RP_NO_VCPU &&
		    of[t->ev[i].thread] == RP_NO_VCPU)
			of[t->ev[i].thread] = t->ev[i].vcpu;
	for (size_t i = 0; i < t->n; i++) {
		struct rp_event *e = &t->ev[i];
		if (e->vcpu == RP_NO_VCPU) {
			e->vcpu = of[e->thread];
			if (e->vcpu == RP_NO_VCPU) {
				e->vcpu = 0;
				t->thread_guessed = true;
			}
		}
		if (e->vcpu >= t->nvcpus)
			t->nvcpus = e->vcpu + 1;
	}
	free(of);
}

bool rp_parse(const char *path, struct rp_trace *t, FILE *diag)
{
	struct parser p = {t, diag, false};
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char *buf = NULL;
	size_t len = 0, cap = 0, got;

	memset(t, 0, sizeof(*t));
	t->path = path;
	if (!f) {
		fprintf(diag, "%s: cannot open: %s\n", path, strerror(errno));
		return false;
	}
	do {
		if (cap - len < 65536) {
			char *nb = realloc(buf, cap + 65536 + 1);
			if (!nb)
				rp_fatal("out of memory");
			buf = nb;
			cap += 65536;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got);
	if (ferror(f)) {
		fprintf(diag, "%s: cannot read: %s\n", path, strerror(errno));
		p.failed = true;
	}
	if (f != stdin)
		fclose(f);
	buf[len] = '\0';
	if (!p.failed && memchr(buf, '\0', len))
		fail_at(&p, 1, 1, "a binary file (a trace.dat? replay reads `trace-cmd report` text: run trace-cmd "
		                  "report FILE > FILE.txt)");
	if (!p.failed)
		read_lines(&p, buf);
	free(buf);
	if (p.failed) {
		rp_free(t);   /* the records read before the error */
		return false;
	}
	assign_vcpus(t);
	return true;
}

_Noreturn void rp_fatal(const char *why)
{
	fprintf(stderr, "vmxsim replay: %s\n", why);
	exit(2);
}

void rp_free(struct rp_trace *t)
{
	free(t->ev);
	free(t->threads);
	memset(t, 0, sizeof(*t));
}
