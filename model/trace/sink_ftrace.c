/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink_ftrace.c - `--format ftrace`: the trace as `trace-cmd report` would
 * print KVM's tracepoints (arch/x86/kvm/trace.h) for the same run, so that
 * scripts and habits built on real KVM traces carry over.
 *
 *           vmxsim-1000  [000]     0.000001: kvm_exit:             vcpu 0 reason NMI_WINDOW rip 0x1000 ...
 *   comm    -pid (1000 + vCPU) [vCPU]  sec.usec at the TSC frequency: event: TP_printk text
 *
 * The TP_printk formats are those of the era of the L0 variant:
 *   kvm-2008, kvm-2011  the oldest TRACE_EVENT formats (~3.x-4.x); the 2008
 *                       kernel had no TRACE_EVENTs at all (kvmtrace markers)
 *   kvm-modern, plain,  today's formats
 *   anything else
 * Events KVM has no tracepoint for are printed as model-only lines whose
 * event name starts with "vmxsim_" (vmxsim_<kind>, and vmxsim_inj_nmi for
 * an NMI injection), with the event's fields as in the text format. The
 * mapping is documented in docs/trace-format.md ("The ftrace format").
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "model/trace/trace.h"
#include "vmcs/vmx_exit_reason.h"
#include "vmcs/vmx_intr_info.h"

#define FTRACE_COMM "vmxsim"
#define FTRACE_PID_BASE 1000u
#define FTRACE_NAME_COLUMN 20   /* trace-cmd pads "name: " up to this name length */

enum ftrace_era {
	ERA_OLD,        /* ~3.x-4.x TP_printk formats; reason 7 is PENDING_INTERRUPT */
	ERA_CURRENT,    /* today's formats */
};

/* L0 variants whose era is not today's. */
static const struct {
	const char *l0;
	enum ftrace_era era;
} l0_eras[] = {
	{"kvm-2008", ERA_OLD},
	{"kvm-2011", ERA_OLD},
};

struct ftrace_sink {
	struct trace_sink base;
	FILE *out;
	uint64_t tsc_hz;
	enum ftrace_era era;
	uint32_t nvcpus;
	uint32_t *exit_error_code;   /* per vCPU: error code of its last exit (a reflected exception's) */
};

static enum ftrace_era era_of(const char *l0)
{
	for (size_t i = 0; l0 && i < sizeof(l0_eras) / sizeof(l0_eras[0]); i++)
		if (!strcmp(l0, l0_eras[i].l0))
			return l0_eras[i].era;
	return ERA_CURRENT;
}

/* ---- writing ---- */

static void put(struct ftrace_sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct ftrace_sink *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vfprintf(s->out, fmt, ap) < 0)
		s->base.error = true;
	va_end(ap);
}

/*
 * "          vmxsim-1000  [000]     0.000001: kvm_exit:             " - the
 * columns of trace-cmd report ("%16s-%-5d [%03d] %5lu.%06lu: " and the
 * event name followed by ": ", padded as if the name had 20 characters).
 * The time is truncated to the microsecond, as trace-cmd prints it; the
 * arithmetic is exact for TSC frequencies below 18 THz.
 */
static void head(struct ftrace_sink *s, const struct trace_event *ev, const char *name)
{
	uint64_t sec = ev->cycle / s->tsc_hz;
	uint64_t usec = ev->cycle % s->tsc_hz * 1000000u / s->tsc_hz;
	size_t len = strlen(name);

	put(s, "%16s-%-5" PRIu64 " [%03" PRIu32 "] %5" PRIu64 ".%06" PRIu64 ": %s: %*s", FTRACE_COMM,
	    FTRACE_PID_BASE + (uint64_t)ev->cpu, ev->cpu, sec, usec, name,
	    len < FTRACE_NAME_COLUMN ? (int)(FTRACE_NAME_COLUMN - len) : 0, "");
}

/* One tracepoint line: the head, then the TP_printk text. */
static void tp(struct ftrace_sink *s, const struct trace_event *ev, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void tp(struct ftrace_sink *s, const struct trace_event *ev, const char *name, const char *fmt, ...)
{
	va_list ap;

	head(s, ev, name);
	va_start(ap, fmt);
	if (vfprintf(s->out, fmt, ap) < 0)
		s->base.error = true;
	va_end(ap);
	put(s, "\n");
}

/* A string field as the text format prints it: quoted and escaped when needed. */
static void put_str_value(struct ftrace_sink *s, const char *v)
{
	bool quote = !*v;

	for (const char *p = v; *p && !quote; p++)
		quote = *p == ' ' || *p == '"' || *p == '=' || (unsigned char)*p < 0x20;
	if (!quote) {
		put(s, "%s", v);
		return;
	}
	put(s, "\"");
	for (const char *p = v; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '"' || c == '\\')
			put(s, "\\%c", c);
		else if (c < 0x20)
			put(s, "\\u%04x", c);
		else
			put(s, "%c", c);
	}
	put(s, "\"");
}

/* A model-only line: vmxsim_<name>: level=L key=value ... (the text format's fields). */
static void model_only(struct ftrace_sink *s, const struct trace_event *ev, const char *name)
{
	char full[64];

	snprintf(full, sizeof(full), "vmxsim_%s", name);
	head(s, ev, full);
	put(s, "level=%" PRIu32, ev->level);
	for (uint32_t i = 0; i < ev->nfields; i++) {
		const struct trace_field *f = &ev->f[i];
		put(s, " %s=", f->key);
		switch (f->type) {
		case TF_UINT: put(s, "%" PRIu64, f->u); break;
		case TF_HEX32: put(s, "0x%08" PRIx64, f->u); break;
		case TF_HEX64: put(s, "0x%" PRIx64, f->u); break;
		case TF_BOOL: put(s, "%d", f->u ? 1 : 0); break;
		case TF_STR: put_str_value(s, f->s); break;
		}
	}
	put(s, "\n");
}

/* ---- the tracepoints ---- */

/* __print_symbolic(vector, kvm_trace_sym_exc); unknown vectors print as hex. */
static const char *exception_symbol(uint32_t vector, char *buf, size_t size)
{
	static const char *const sym[32] = {
	    [0] = "#DE",  [1] = "#DB",  [3] = "#BP",  [4] = "#OF",  [5] = "#BR",  [6] = "#UD",
	    [7] = "#NM",  [8] = "#DF",  [10] = "#TS", [11] = "#NP", [12] = "#SS", [13] = "#GP",
	    [14] = "#PF", [16] = "#MF", [17] = "#AC", [18] = "#MC",
	};
	if (vector < 32 && sym[vector])
		return sym[vector];
	snprintf(buf, size, "0x%" PRIx32, vector);
	return buf;
}

/* The reason as kvm_exit prints it: the era's name, then " FAILED_VMENTRY" for bit 31. */
static void exit_reason(const struct ftrace_sink *s, const struct trace_event *ev, char *buf, size_t size)
{
	const char *name = trace_field_s(ev, "reason");
	int basic;

	if (!name)
		name = "?";
	basic = vmx_exit_reason_by_name(name);
	if (s->era == ERA_OLD && basic >= 0 && vmx_exit_reason_old_name((uint32_t)basic))
		name = vmx_exit_reason_old_name((uint32_t)basic);
	snprintf(buf, size, "%s%s", name, trace_field_u(ev, "failed_vmentry", 0) ? " FAILED_VMENTRY" : "");
}

static void kvm_entry(struct ftrace_sink *s, const struct trace_event *ev)
{
	if (s->era == ERA_OLD)
		tp(s, ev, "kvm_entry", "vcpu %" PRIu32, ev->cpu);
	else
		tp(s, ev, "kvm_entry", "vcpu %" PRIu32 ", rip 0x%" PRIx64, ev->cpu, trace_field_u(ev, "rip", 0));
}

static void kvm_exit(struct ftrace_sink *s, const struct trace_event *ev)
{
	bool failed = trace_field_u(ev, "failed_vmentry", 0) != 0;
	uint64_t rip = trace_field_u(ev, "rip", 0), qual = trace_field_u(ev, "qual", 0);
	/* vmx_get_exit_info(): a failed entry reports only the qualification. */
	uint64_t idt = failed ? 0 : trace_field_u(ev, "idt_vectoring", 0);
	uint64_t intr = failed ? 0 : trace_field_u(ev, "intr_info", 0);
	uint64_t err = failed ? 0 : trace_field_u(ev, "error_code", 0);
	char reason[96];

	exit_reason(s, ev, reason, sizeof(reason));
	if (ev->cpu < s->nvcpus)
		s->exit_error_code[ev->cpu] = (uint32_t)err;
	/* KVM traces kvm_entry before every attempt; vmxsim has an event only for the exit. */
	if (failed)
		kvm_entry(s, ev);
	if (s->era == ERA_OLD)
		tp(s, ev, "kvm_exit", "reason %s rip 0x%" PRIx64 " info %" PRIx64 " %" PRIx64, reason, rip, qual, intr);
	else
		tp(s, ev, "kvm_exit",
		   "vcpu %" PRIu32 " reason %s rip 0x%" PRIx64 " info1 0x%016" PRIx64 " info2 0x%016" PRIx64
		   " intr_info 0x%08" PRIx64 " error_code 0x%08" PRIx64,
		   ev->cpu, reason, rip, qual, idt, intr, err);
	/* An L2 exit is also looked at for reflection to L1. */
	if (ev->level < 2)
		return;
	if (s->era == ERA_OLD)
		tp(s, ev, "kvm_nested_vmexit",
		   "rip: 0x%016" PRIx64 " reason: %s ext_inf1: 0x%016" PRIx64 " ext_inf2: 0x%016" PRIx64
		   " ext_int: 0x%08" PRIx64 " ext_int_err: 0x%08" PRIx64,
		   rip, reason, qual, idt, intr, err);
	else
		tp(s, ev, "kvm_nested_vmexit",
		   "vcpu %" PRIu32 " reason %s rip 0x%" PRIx64 " info1 0x%016" PRIx64 " info2 0x%016" PRIx64
		   " intr_info 0x%08" PRIx64 " error_code 0x%08" PRIx64,
		   ev->cpu, reason, rip, qual, idt, intr, err);
}

/*
 * L0 emulated an exit from L2 to L1 (vmcs12's exit fields): in the same gap
 * between kvm_exit and kvm_entry as on a real host. The old format lacks
 * only the flag words after the reason.
 */
static void kvm_nested_vmexit_inject(struct ftrace_sink *s, const struct trace_event *ev)
{
	char reason[96];

	exit_reason(s, ev, reason, sizeof(reason));
	tp(s, ev, "kvm_nested_vmexit_inject",
	   "reason: %s ext_inf1: 0x%016" PRIx64 " ext_inf2: 0x%016" PRIx64 " ext_int: 0x%08" PRIx64
	   " ext_int_err: 0x%08" PRIx64,
	   reason, trace_field_u(ev, "qual", 0), trace_field_u(ev, "idt_vectoring", 0), trace_field_u(ev, "intr_info", 0),
	   trace_field_u(ev, "error_code", 0));
}

static void kvm_inject(struct ftrace_sink *s, const struct trace_event *ev)
{
	const char *type = trace_field_s(ev, "type");
	uint32_t info = (uint32_t)trace_field_u(ev, "intr_info", 0);
	uint32_t vector = (uint32_t)trace_field_u(ev, "vector", intr_info_vector(info));
	bool reinjected = trace_field_is(ev, "why", "reinjected");
	uint32_t t;
	uint32_t err;
	char buf[16];

	/* The type from the interruption information; from the name when it is absent. */
	if (info & INTR_INFO_VALID_MASK)
		t = intr_info_type(info);
	else if (type && !strcmp(type, "ext-intr"))
		t = INTR_TYPE_EXT_INTR;
	else if (type && !strcmp(type, "nmi"))
		t = INTR_TYPE_NMI_INTR;
	else
		t = INTR_TYPE_OTHER_EVENT;

	switch (t) {
	case INTR_TYPE_EXT_INTR:
	case INTR_TYPE_SOFT_INTR:
		if (s->era == ERA_OLD)
			tp(s, ev, "kvm_inj_virq", "irq %" PRIu32, vector);
		else
			tp(s, ev, "kvm_inj_virq", "%s 0x%" PRIx32 "%s", t == INTR_TYPE_SOFT_INTR ? "Soft/INTn" : "IRQ",
			   vector, reinjected ? " [reinjected]" : "");
		return;
	case INTR_TYPE_HARD_EXCEPTION:
	case INTR_TYPE_PRIV_SW_EXCEPTION:
	case INTR_TYPE_SOFT_EXCEPTION:
		/*
		 * The error code: the event's own field when it has one; for an
		 * exception reflected to the guest, the one its exit reported
		 * (KVM passes VM_EXIT_INTR_ERROR_CODE on); otherwise 0.
		 */
		err = (uint32_t)trace_field_u(ev, "error_code", 0);
		if (!trace_field(ev, "error_code") && trace_field_is(ev, "why", "reflected") && ev->cpu < s->nvcpus)
			err = s->exit_error_code[ev->cpu];
		if (s->era == ERA_OLD)
			tp(s, ev, "kvm_inj_exception", "%s (0x%" PRIx32 ")", exception_symbol(vector, buf, sizeof(buf)),
			   intr_info_has_error_code(info) ? err : 0);
		else if (intr_info_has_error_code(info))
			tp(s, ev, "kvm_inj_exception", "%s (0x%" PRIx32 ")%s", exception_symbol(vector, buf, sizeof(buf)),
			   err, reinjected ? " [reinjected]" : "");
		else
			tp(s, ev, "kvm_inj_exception", "%s%s", exception_symbol(vector, buf, sizeof(buf)),
			   reinjected ? " [reinjected]" : "");
		return;
	case INTR_TYPE_NMI_INTR:
		model_only(s, ev, "inj_nmi");   /* KVM has no NMI-injection tracepoint */
		return;
	default:
		model_only(s, ev, trace_kind_name(ev->kind));
		return;
	}
}

static void kvm_apic_accept_irq(struct ftrace_sink *s, const struct trace_event *ev)
{
	bool nmi = trace_field_is(ev, "type", "nmi");
	tp(s, ev, "kvm_apic_accept_irq", "apicid %" PRIx32 " vec %" PRIu64 " (%s|edge)", ev->cpu,
	   trace_field_u(ev, "vector", 0), nmi ? "NMI" : "Fixed");
}

static void kvm_eoi(struct ftrace_sink *s, const struct trace_event *ev)
{
	tp(s, ev, "kvm_eoi", "apicid %" PRIx32 " vector %d", ev->cpu, (int)trace_field_u(ev, "vector", 0));
}

static void ftrace_emit(struct trace_sink *base, const struct trace_event *ev)
{
	struct ftrace_sink *s = (struct ftrace_sink *)base;

	switch (ev->kind) {
	case TRACE_VMENTRY:
		kvm_entry(s, ev);
		return;
	case TRACE_VMEXIT:
		kvm_exit(s, ev);
		return;
	case TRACE_INJECT:
		kvm_inject(s, ev);
		return;
	case TRACE_STIMULUS:
		/* For a guest: accepted by its virtual local APIC. At the pins: the host's. */
		if (ev->level >= 1 && (trace_field_is(ev, "type", "irq") || trace_field_is(ev, "type", "nmi"))) {
			kvm_apic_accept_irq(s, ev);
			return;
		}
		break;
	case TRACE_EOI:
		/* A guest's EOI at its own APIC; at level 0 it is the host's physical APIC. */
		if (ev->level >= 1 && trace_field(ev, "vector")) {
			kvm_eoi(s, ev);
			return;
		}
		break;
	case TRACE_HOST:
		/* The guest's EOI, emulated by the hypervisor's virtual APIC (apic_set_eoi). */
		if (trace_field_is(ev, "type", "virtual-eoi") && trace_field(ev, "vector")) {
			kvm_eoi(s, ev);
			return;
		}
		break;
	case TRACE_NESTED_VMEXIT:
		kvm_nested_vmexit_inject(s, ev);
		return;
	default:
		break;
	}
	model_only(s, ev, trace_kind_name(ev->kind));
}

static void ftrace_finish(struct trace_sink *base)
{
	struct ftrace_sink *s = (struct ftrace_sink *)base;
	if (fflush(s->out) != 0)
		s->base.error = true;
}

static void ftrace_destroy(struct trace_sink *base)
{
	struct ftrace_sink *s = (struct ftrace_sink *)base;
	free(s->exit_error_code);
	free(s);
}

struct trace_sink *trace_ftrace_sink_new(FILE *out, const struct trace_sink_context *ctx)
{
	struct ftrace_sink *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->out = out;
	s->tsc_hz = ctx && ctx->tsc_hz ? ctx->tsc_hz : 1;
	s->era = era_of(ctx ? ctx->l0 : NULL);
	s->nvcpus = ctx && ctx->vcpus ? ctx->vcpus : 1;
	s->exit_error_code = calloc(s->nvcpus, sizeof(*s->exit_error_code));
	if (!s->exit_error_code) {
		free(s);
		return NULL;
	}
	s->base.emit = ftrace_emit;
	s->base.finish = ftrace_finish;
	s->base.destroy = ftrace_destroy;
	return &s->base;
}
