/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kvm_tp_map.c - from vmxsim events to tracepoint records, and a record's
 * text as `trace-cmd report` prints it. The mapping is documented in
 * docs/trace-format.md ("From vmxsim events to tracepoints").
 *
 * The text is libtraceevent's rendering of the record: the TP_printk format
 * of the era for most events, and for kvm_exit, kvm_nested_vmexit and
 * kvm_nested_vmexit_inject the handlers of Debian's plugin_kvm, which
 * replace the format with their own ("reason %s rip 0x%llx info %llx %llx")
 * and name the reasons from their own table.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/trace/kvm_tp.h"
#include "model/trace/sink_view.h"
#include "vmcs/vmx_exit_reason.h"
#include "vmcs/vmx_intr_info.h"

#define KVM_ISA_VMX 1

/* L0 variants whose era is not today's. */
static const struct {
	const char *l0;
	enum kvm_tp_era era;
} l0_eras[] = {
	{"kvm-2008", KVM_TP_ERA_OLD},
	{"kvm-2011", KVM_TP_ERA_OLD},
};

enum kvm_tp_era kvm_tp_era_of(const char *l0)
{
	for (size_t i = 0; l0 && i < sizeof(l0_eras) / sizeof(l0_eras[0]); i++)
		if (!strcmp(l0, l0_eras[i].l0))
			return l0_eras[i].era;
	return KVM_TP_ERA_CURRENT;
}

bool kvm_tp_state_init(struct kvm_tp_state *st, const char *l0, uint32_t nvcpus)
{
	st->era = kvm_tp_era_of(l0);
	st->nvcpus = nvcpus ? nvcpus : 1;
	st->exit_error_code = calloc(st->nvcpus, sizeof(*st->exit_error_code));
	return st->exit_error_code != NULL;
}

void kvm_tp_state_free(struct kvm_tp_state *st)
{
	free(st->exit_error_code);
	st->exit_error_code = NULL;
}

/* ---- the mapping ---- */

static struct kvm_tp_rec *rec(struct kvm_tp_rec *out, unsigned *n, enum kvm_tp tp)
{
	struct kvm_tp_rec *r = &out[(*n)++];

	memset(r->v, 0, sizeof(r->v));
	r->text[0] = '\0';
	r->tp = tp;
	return r;
}

static void text_add(struct kvm_tp_rec *r, size_t *len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void text_add(struct kvm_tp_rec *r, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= sizeof(r->text) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(r->text + *len, sizeof(r->text) - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n < sizeof(r->text) - *len ? (size_t)n : sizeof(r->text) - 1 - *len;
}

/* A string field as the text format prints it: quoted and escaped when needed. */
static void text_str(struct kvm_tp_rec *r, size_t *len, const char *v)
{
	bool quote = !*v;

	for (const char *p = v; *p && !quote; p++)
		quote = *p == ' ' || *p == '"' || *p == '=' || (unsigned char)*p < 0x20;
	if (!quote) {
		text_add(r, len, "%s", v);
		return;
	}
	text_add(r, len, "\"");
	for (const char *p = v; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '"' || c == '\\')
			text_add(r, len, "\\%c", c);
		else if (c < 0x20)
			text_add(r, len, "\\u%04x", c);
		else
			text_add(r, len, "%c", c);
	}
	text_add(r, len, "\"");
}

/* A vmxsim event: level, then " key=value" per field as in the text format. */
static void model_only(struct kvm_tp_rec *out, unsigned *n, const struct trace_event *ev, enum kvm_tp tp)
{
	struct kvm_tp_rec *r = rec(out, n, tp);
	size_t len = 0;

	r->v[0] = ev->level;
	for (uint32_t i = 0; i < ev->nfields; i++) {
		const struct trace_field *f = &ev->f[i];
		text_add(r, &len, " %s=", f->key);
		switch (f->type) {
		case TF_UINT: text_add(r, &len, "%" PRIu64, f->u); break;
		case TF_HEX32: text_add(r, &len, "0x%08" PRIx64, f->u); break;
		case TF_HEX64: text_add(r, &len, "0x%" PRIx64, f->u); break;
		case TF_BOOL: text_add(r, &len, "%d", f->u ? 1 : 0); break;
		case TF_STR: text_str(r, &len, f->s); break;
		}
	}
}

static void entry(struct kvm_tp_rec *out, unsigned *n, const struct trace_event *ev)
{
	struct kvm_tp_rec *r = rec(out, n, KVM_TP_ENTRY);

	r->v[0] = ev->cpu;
	r->v[1] = trace_field_u(ev, "rip", 0);
}

static void vmexit(struct kvm_tp_state *st, struct kvm_tp_rec *out, unsigned *n, const struct trace_event *ev)
{
	bool failed = trace_field_u(ev, "failed_vmentry", 0) != 0;
	uint64_t rip = trace_field_u(ev, "rip", 0), qual = trace_field_u(ev, "qual", 0);
	/* vmx_get_exit_info(): a failed entry reports only the qualification. */
	uint64_t idt = failed ? 0 : trace_field_u(ev, "idt_vectoring", 0);
	uint64_t intr = failed ? 0 : trace_field_u(ev, "intr_info", 0);
	uint64_t err = failed ? 0 : trace_field_u(ev, "error_code", 0);
	struct kvm_tp_rec *r;

	if (ev->cpu < st->nvcpus)
		st->exit_error_code[ev->cpu] = (uint32_t)err;
	/* KVM traces kvm_entry before every attempt; vmxsim has an event only for the exit. */
	if (failed)
		entry(out, n, ev);
	r = rec(out, n, KVM_TP_EXIT);
	r->v[0] = sink_exit_reason_full(ev);
	r->v[1] = rip;
	r->v[2] = KVM_ISA_VMX;
	r->v[3] = qual;
	/* The old kvm_exit's second word was the exit interruption information. */
	r->v[4] = st->era == KVM_TP_ERA_OLD ? intr : idt;
	r->v[5] = intr;
	r->v[6] = err;
	r->v[7] = ev->cpu;
	/* An L2 exit is also looked at for reflection to L1. */
	if (ev->level < 2 || *n >= KVM_TP_MAX_RECS)
		return;
	r = rec(out, n, KVM_TP_NESTED_VMEXIT);
	r->v[0] = rip;
	r->v[1] = sink_exit_reason_full(ev);
	r->v[2] = qual;
	r->v[3] = idt;
	r->v[4] = intr;
	r->v[5] = err;
	r->v[6] = KVM_ISA_VMX;
}

/* L0 emulated an exit from L2 to L1 (vmcs12's exit fields). */
static void nested_vmexit_inject(struct kvm_tp_rec *out, unsigned *n, const struct trace_event *ev)
{
	struct kvm_tp_rec *r = rec(out, n, KVM_TP_NESTED_VMEXIT_INJECT);

	r->v[0] = sink_exit_reason_full(ev);
	r->v[1] = trace_field_u(ev, "qual", 0);
	r->v[2] = trace_field_u(ev, "idt_vectoring", 0);
	r->v[3] = trace_field_u(ev, "intr_info", 0);
	r->v[4] = trace_field_u(ev, "error_code", 0);
	r->v[5] = KVM_ISA_VMX;
}

static void inject(struct kvm_tp_state *st, struct kvm_tp_rec *out, unsigned *n, const struct trace_event *ev)
{
	const char *type = trace_field_s(ev, "type");
	uint32_t info = (uint32_t)trace_field_u(ev, "intr_info", 0);
	uint32_t vector = (uint32_t)trace_field_u(ev, "vector", intr_info_vector(info));
	bool reinjected = trace_field_is(ev, "why", "reinjected");
	struct kvm_tp_rec *r;
	uint32_t t, err;

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
		r = rec(out, n, KVM_TP_INJ_VIRQ);
		r->v[0] = vector;
		r->v[1] = t == INTR_TYPE_SOFT_INTR;
		r->v[2] = reinjected;
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
		if (!trace_field(ev, "error_code") && trace_field_is(ev, "why", "reflected") && ev->cpu < st->nvcpus)
			err = st->exit_error_code[ev->cpu];
		r = rec(out, n, KVM_TP_INJ_EXCEPTION);
		r->v[0] = vector & 0xff;
		r->v[1] = intr_info_has_error_code(info);
		r->v[2] = intr_info_has_error_code(info) ? err : 0;
		r->v[3] = reinjected;
		return;
	case INTR_TYPE_NMI_INTR:
		model_only(out, n, ev, KVM_TP_VMXSIM_INJ_NMI);   /* KVM has no NMI-injection tracepoint */
		return;
	default:
		model_only(out, n, ev, KVM_TP_VMXSIM + ev->kind);
		return;
	}
}

static void apic_accept_irq(struct kvm_tp_rec *out, unsigned *n, const struct trace_event *ev)
{
	struct kvm_tp_rec *r = rec(out, n, KVM_TP_APIC_ACCEPT_IRQ);

	r->v[0] = ev->cpu;
	r->v[1] = (trace_field_is(ev, "type", "nmi") ? 4u : 0u) << 8;   /* APIC_DM_NMI : APIC_DM_FIXED */
	r->v[3] = trace_field_u(ev, "vector", 0) & 0xff;
}

static void eoi(struct kvm_tp_rec *out, unsigned *n, const struct trace_event *ev)
{
	struct kvm_tp_rec *r = rec(out, n, KVM_TP_EOI);

	r->v[0] = ev->cpu;
	r->v[1] = (uint32_t)trace_field_u(ev, "vector", 0);
}

unsigned kvm_tp_records(struct kvm_tp_state *st, const struct trace_event *ev, struct kvm_tp_rec *out)
{
	unsigned n = 0;

	switch (ev->kind) {
	case TRACE_VMENTRY:
		entry(out, &n, ev);
		return n;
	case TRACE_VMEXIT:
		vmexit(st, out, &n, ev);
		return n;
	case TRACE_VMFAIL:
		/*
		 * KVM traces kvm_entry before the attempt that VMfails (not for a
		 * VMfail L0 emulates for L1); the failure itself has no tracepoint.
		 */
		if (!trace_field_u(ev, "emulated", 0))
			entry(out, &n, ev);
		break;
	case TRACE_INJECT:
		inject(st, out, &n, ev);
		return n;
	case TRACE_STIMULUS:
		/* For a guest: accepted by its virtual local APIC. At the pins: the host's. */
		if (ev->level >= 1 && (trace_field_is(ev, "type", "irq") || trace_field_is(ev, "type", "nmi"))) {
			apic_accept_irq(out, &n, ev);
			return n;
		}
		break;
	case TRACE_EOI:
		/* A guest's EOI at its own APIC; at level 0 it is the host's physical APIC. */
		if (ev->level >= 1 && trace_field(ev, "vector")) {
			eoi(out, &n, ev);
			return n;
		}
		break;
	case TRACE_HOST:
		/* The guest's EOI, emulated by the hypervisor's virtual APIC (apic_set_eoi). */
		if (trace_field_is(ev, "type", "virtual-eoi") && trace_field(ev, "vector")) {
			eoi(out, &n, ev);
			return n;
		}
		break;
	case TRACE_NESTED_VMEXIT:
		nested_vmexit_inject(out, &n, ev);
		return n;
	default:
		break;
	}
	model_only(out, &n, ev, KVM_TP_VMXSIM + (ev->kind < TRACE_KIND_COUNT ? ev->kind : TRACE_WARNING));
	return n;
}
