/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kvm_tp.c - the tracepoints' layouts (the fields of each record, as the
 * kernel lists them in events/kvm/<name>/format) and their format files.
 * The fields are those of the kernels whose TP_printk formats the eras use
 * (arch/x86/kvm/trace.h, ~5.8-6.x; vmx-rules.md section 5): the nested
 * events keep the names rip/exit_code/exit_info1/... that Debian's
 * plugin_kvm reads. Where the eras' field lists differ, the file has the
 * newer list and the era's print format.
 */
#include "model/trace/kvm_tp.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmcs/vmx_exit_reason.h"

struct tp_field {
	const char *type;     /* as the format file spells it */
	const char *name;
	uint8_t size;
	bool is_signed;
};

struct tp_def {
	const char *name;
	struct tp_field f[KVM_TP_MAX_FIELDS];
	/* print fmt, today's and the old era's; @EXIT@ and @EXC@ stand for the symbol tables. */
	const char *fmt;
	const char *fmt_old;
};

#define U32(n) {"u32", n, 4, false}
#define U64(n) {"u64", n, 8, false}

static const char exit_flags[] = "__print_flags(REC->%.*s & ~0xffff, \" \", { 0x80000000, \"FAILED_VMENTRY\" })";

static const struct tp_def kvm_defs[KVM_TP_KVM_COUNT] = {
    [KVM_TP_ENTRY] = {"kvm_entry",
                      {{"unsigned int", "vcpu_id", 4, false},
                       {"unsigned long", "rip", 8, false},
                       {"bool", "immediate_exit", 1, false}},
                      "\"vcpu %u, rip 0x%lx%s\", REC->vcpu_id, REC->rip, "
                      "REC->immediate_exit ? \"[immediate exit]\" : \"\"",
                      "\"vcpu %u\", REC->vcpu_id"},
    [KVM_TP_EXIT] = {"kvm_exit",
                     {{"unsigned int", "exit_reason", 4, false},
                      {"unsigned long", "guest_rip", 8, false},
                      U32("isa"),
                      U64("info1"),
                      U64("info2"),
                      U32("intr_info"),
                      U32("error_code"),
                      {"unsigned int", "vcpu_id", 4, false}},
                     "\"vcpu %u reason %s%s%s rip 0x%lx info1 0x%016llx info2 0x%016llx intr_info 0x%08x "
                     "error_code 0x%08x\", REC->vcpu_id, __print_symbolic(REC->exit_reason & 0xffff, @EXIT@), "
                     "REC->exit_reason & ~0xffff ? \" \" : \"\", @FLAGS:exit_reason@, REC->guest_rip, REC->info1, "
                     "REC->info2, REC->intr_info, REC->error_code",
                     "\"reason %s rip 0x%lx info %llx %llx\", __print_symbolic(REC->exit_reason, @EXIT@), "
                     "REC->guest_rip, REC->info1, REC->info2"},
    [KVM_TP_INJ_VIRQ] = {"kvm_inj_virq",
                         {{"unsigned int", "vector", 4, false}, {"bool", "soft", 1, false},
                          {"bool", "reinjected", 1, false}},
                         "\"%s 0x%x%s\", REC->soft ? \"Soft/INTn\" : \"IRQ\", REC->vector, "
                         "REC->reinjected ? \" [reinjected]\" : \"\"",
                         "\"irq %u\", REC->vector"},
    [KVM_TP_INJ_EXCEPTION] = {"kvm_inj_exception",
                              {{"u8", "exception", 1, false}, {"u8", "has_error", 1, false}, U32("error_code"),
                               {"bool", "reinjected", 1, false}},
                              "\"%s%s%s%s%s\", __print_symbolic(REC->exception, @EXC@), !REC->has_error ? \"\" : "
                              "\" (\", !REC->has_error ? \"\" : __print_symbolic(REC->error_code, { 0x100000000, \"\" }), "
                              "!REC->has_error ? \"\" : \")\", REC->reinjected ? \" [reinjected]\" : \"\"",
                              "\"%s (0x%x)\", __print_symbolic(REC->exception, @EXC@), REC->error_code"},
    [KVM_TP_NESTED_VMEXIT] = {"kvm_nested_vmexit",
                              {{"__u64", "rip", 8, false}, {"__u32", "exit_code", 4, false},
                               {"__u64", "exit_info1", 8, false}, {"__u64", "exit_info2", 8, false},
                               {"__u32", "exit_int_info", 4, false}, {"__u32", "exit_int_info_err", 4, false},
                               {"__u32", "isa", 4, false}},
                              "\"rip: 0x%016llx reason: %s%s%s ext_inf1: 0x%016llx ext_inf2: 0x%016llx "
                              "ext_int: 0x%08x ext_int_err: 0x%08x\", REC->rip, "
                              "__print_symbolic(REC->exit_code & 0xffff, @EXIT@), "
                              "REC->exit_code & ~0xffff ? \" \" : \"\", @FLAGS:exit_code@, REC->exit_info1, "
                              "REC->exit_info2, REC->exit_int_info, REC->exit_int_info_err",
                              "\"rip: 0x%016llx reason: %s ext_inf1: 0x%016llx ext_inf2: 0x%016llx "
                              "ext_int: 0x%08x ext_int_err: 0x%08x\", REC->rip, "
                              "__print_symbolic(REC->exit_code, @EXIT@), REC->exit_info1, REC->exit_info2, "
                              "REC->exit_int_info, REC->exit_int_info_err"},
    [KVM_TP_NESTED_VMEXIT_INJECT] = {"kvm_nested_vmexit_inject",
                                     {{"__u32", "exit_code", 4, false}, {"__u64", "exit_info1", 8, false},
                                      {"__u64", "exit_info2", 8, false}, {"__u32", "exit_int_info", 4, false},
                                      {"__u32", "exit_int_info_err", 4, false}, {"__u32", "isa", 4, false}},
                                     "\"reason: %s%s%s ext_inf1: 0x%016llx ext_inf2: 0x%016llx ext_int: 0x%08x "
                                     "ext_int_err: 0x%08x\", __print_symbolic(REC->exit_code & 0xffff, @EXIT@), "
                                     "REC->exit_code & ~0xffff ? \" \" : \"\", @FLAGS:exit_code@, "
                                     "REC->exit_info1, REC->exit_info2, REC->exit_int_info, REC->exit_int_info_err",
                                     "\"reason: %s ext_inf1: 0x%016llx ext_inf2: 0x%016llx ext_int: 0x%08x "
                                     "ext_int_err: 0x%08x\", __print_symbolic(REC->exit_code, @EXIT@), "
                                     "REC->exit_info1, REC->exit_info2, REC->exit_int_info, REC->exit_int_info_err"},
    [KVM_TP_NESTED_INTR_VMEXIT] = {"kvm_nested_intr_vmexit",
                                   {{"__u64", "rip", 8, false}},
                                   "\"rip: 0x%016llx\", REC->rip",
                                   "\"rip: 0x%016llx\", REC->rip"},
    [KVM_TP_NESTED_VMENTER] = {"kvm_nested_vmenter",
                               {{"__u64", "rip", 8, false}, {"__u64", "vmcb", 8, false},
                                {"__u64", "nested_rip", 8, false}, {"__u32", "int_ctl", 4, false},
                                {"__u32", "event_inj", 4, false}, {"bool", "tdp_enabled", 1, false},
                                {"__u64", "guest_pgd", 8, false}, {"__u32", "isa", 4, false}},
                               "\"rip: 0x%016llx %s: 0x%016llx nested_rip: 0x%016llx int_ctl: 0x%08x "
                               "event_inj: 0x%08x nested_%s=%s %s: 0x%016llx\", REC->rip, "
                               "REC->isa == 1 ? \"vmcs\" : \"vmcb\", REC->vmcb, REC->nested_rip, REC->int_ctl, "
                               "REC->event_inj, REC->isa == 1 ? \"ept\" : \"npt\", REC->tdp_enabled ? \"y\" : \"n\", "
                               "!REC->tdp_enabled ? \"guest_cr3\" : \"nested_cr3\", REC->guest_pgd",
                               NULL},
    [KVM_TP_APIC_ACCEPT_IRQ] = {"kvm_apic_accept_irq",
                                {{"__u32", "apicid", 4, false}, {"__u16", "dm", 2, false},
                                 {"__u16", "tm", 2, false}, {"__u8", "vec", 1, false}},
                                "\"apicid %x vec %u (%s|%s)\", REC->apicid, REC->vec, "
                                "__print_symbolic((REC->dm >> 8 & 0x7), { 0, \"Fixed\" }, { 1, \"LowPrio\" }, "
                                "{ 2, \"SMI\" }, { 3, \"Res3\" }, { 4, \"NMI\" }, { 5, \"INIT\" }, { 6, \"SIPI\" }, "
                                "{ 7, \"ExtINT\" }), REC->tm ? \"level\" : \"edge\"",
                                NULL},
    [KVM_TP_EOI] = {"kvm_eoi",
                    {{"__u32", "apicid", 4, false}, {"int", "vector", 4, true}},
                    "\"apicid %x vector %d\", REC->apicid, REC->vector",
                    NULL},
};

/* The vmxsim system: every event has its level and its fields as text. */
static const struct tp_def vmxsim_def = {
    NULL,
    {{"unsigned int", "level", 4, false}, {"__data_loc char[]", "args", 4, false}},
    "\"level=%u%s\", REC->level, __get_str(args)",
    NULL,
};

#define COMMON_SIZE 8u   /* common_type, common_flags, common_preempt_count, common_pid */

static const struct tp_def *def_of(enum kvm_tp tp)
{
	return tp < KVM_TP_KVM_COUNT ? &kvm_defs[tp] : &vmxsim_def;
}

const char *kvm_tp_system(enum kvm_tp tp)
{
	return tp < KVM_TP_KVM_COUNT ? "kvm" : "vmxsim";
}

const char *kvm_tp_name(enum kvm_tp tp)
{
	static const char *const vmxsim_names[TRACE_KIND_COUNT + 1] = {
#define TRACE_KIND(id, name, summary) "vmxsim_" name,
#include "model/trace/trace_kinds.def"
#undef TRACE_KIND
	    "vmxsim_inj_nmi",
	};
	if (tp < KVM_TP_KVM_COUNT)
		return kvm_defs[tp].name;
	if (tp < KVM_TP_COUNT)
		return vmxsim_names[tp - KVM_TP_VMXSIM];
	return NULL;
}

/* Fields at their natural alignment after the common header; the offset of each, and the end. */
static unsigned nfields(const struct tp_def *d)
{
	unsigned n = 0;

	while (n < KVM_TP_MAX_FIELDS && d->f[n].name)
		n++;
	return n;
}

static size_t layout(const struct tp_def *d, size_t off[KVM_TP_MAX_FIELDS])
{
	size_t at = COMMON_SIZE;

	for (unsigned i = 0; i < nfields(d); i++) {
		size_t a = d->f[i].size > 8 ? 8 : d->f[i].size;
		at = (at + a - 1) / a * a;
		off[i] = at;
		at += d->f[i].size;
	}
	return at;
}

static bool is_vmxsim(enum kvm_tp tp)
{
	return tp >= KVM_TP_VMXSIM;
}

size_t kvm_tp_size(const struct kvm_tp_rec *r)
{
	size_t off[KVM_TP_MAX_FIELDS];
	size_t n = layout(def_of(r->tp), off);

	return is_vmxsim(r->tp) ? n + strlen(r->text) + 1 : n;
}

static void put_le(uint8_t *p, uint64_t v, unsigned size)
{
	for (unsigned i = 0; i < size; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void kvm_tp_encode(const struct kvm_tp_rec *r, uint16_t id, int32_t pid, uint8_t *buf)
{
	const struct tp_def *d = def_of(r->tp);
	size_t off[KVM_TP_MAX_FIELDS];
	size_t end = layout(d, off);

	memset(buf, 0, end);
	put_le(buf, id, 2);
	put_le(buf + 4, (uint32_t)pid, 4);
	if (is_vmxsim(r->tp)) {
		size_t len = strlen(r->text) + 1;
		put_le(buf + off[0], r->v[0], 4);
		/* __data_loc: length in the high half, offset from the record's start in the low. */
		put_le(buf + off[1], (uint32_t)(len << 16 | end), 4);
		memcpy(buf + end, r->text, len);
		return;
	}
	for (unsigned i = 0; i < nfields(d); i++)
		put_le(buf + off[i], r->v[i], d->f[i].size);
}

/* ---- format files ---- */

struct text {
	char *p;
	size_t len, cap;
	bool oom;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->p ? t->p + t->len : NULL, t->cap - t->len, fmt, ap);   /* no offset on NULL (UB) */
		va_end(ap);
		if (n < 0) {
			t->oom = true;
			return;
		}
		if ((size_t)n < t->cap - t->len)
			break;
		size_t cap = (t->cap + (size_t)n + 1) * 2;
		char *p = realloc(t->p, cap);
		if (!p) {
			t->oom = true;
			return;
		}
		t->p = p;
		t->cap = cap;
	}
	t->len += (size_t)n;
}

/* { 0, "EXCEPTION_NMI" }, { 1, "EXTERNAL_INTERRUPT" }, ... in the era's names. */
static void exit_symbols(struct text *t, enum kvm_tp_era era)
{
	bool first = true;

	for (uint32_t r = 0; r <= VMX_EXIT_REASON_BASIC_MASK; r++) {
		const char *name = vmx_exit_reason_name(r);
		if (!name) {
			if (r > 128)
				break;
			continue;
		}
		if (era == KVM_TP_ERA_OLD && vmx_exit_reason_old_name(r))
			name = vmx_exit_reason_old_name(r);
		add(t, "%s{ %" PRIu32 ", \"%s\" }", first ? "" : ", ", r, name);
		first = false;
	}
}

/* kvm_trace_sym_exc: the exception vectors KVM names. */
static const char *const exc_symbols[32] = {
    [0] = "#DE",  [1] = "#DB",  [3] = "#BP",  [4] = "#OF",  [5] = "#BR",  [6] = "#UD",
    [7] = "#NM",  [8] = "#DF",  [10] = "#TS", [11] = "#NP", [12] = "#SS", [13] = "#GP",
    [14] = "#PF", [16] = "#MF", [17] = "#AC", [18] = "#MC",
};

const char *kvm_tp_exception_symbol(uint32_t vector)
{
	return vector < 32 ? exc_symbols[vector] : NULL;
}

static void exc_table(struct text *t)
{
	bool first = true;

	for (uint32_t v = 0; v < 32; v++) {
		if (!exc_symbols[v])
			continue;
		add(t, "%s{ %" PRIu32 ", \"%s\" }", first ? "" : ", ", v, exc_symbols[v]);
		first = false;
	}
}

/* The print fmt with its @...@ markers expanded. */
static void print_fmt(struct text *t, const char *fmt, enum kvm_tp_era era)
{
	while (*fmt) {
		const char *at = strchr(fmt, '@');
		const char *end = at ? strchr(at + 1, '@') : NULL;
		if (!at || !end) {
			add(t, "%s", fmt);
			return;
		}
		add(t, "%.*s", (int)(at - fmt), fmt);
		if (!strncmp(at, "@EXIT@", 6))
			exit_symbols(t, era);
		else if (!strncmp(at, "@EXC@", 5))
			exc_table(t);
		else if (!strncmp(at, "@FLAGS:", 7))
			add(t, exit_flags, (int)(end - at - 7), at + 7);
		fmt = end + 1;
	}
}

char *kvm_tp_format_file(enum kvm_tp tp, enum kvm_tp_era era, uint16_t id)
{
	const struct tp_def *d = def_of(tp);
	size_t off[KVM_TP_MAX_FIELDS];
	struct text t = {0};

	layout(d, off);
	add(&t, "name: %s\nID: %u\nformat:\n", kvm_tp_name(tp), id);
	add(&t, "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	        "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	        "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	        "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n");
	for (unsigned i = 0; i < nfields(d); i++) {
		add(&t, "\tfield:%s %s;\toffset:%zu;\tsize:%u;\tsigned:%d;\n", d->f[i].type, d->f[i].name, off[i],
		    d->f[i].size, d->f[i].is_signed);
	}
	add(&t, "\nprint fmt: ");
	print_fmt(&t, era == KVM_TP_ERA_OLD && d->fmt_old ? d->fmt_old : d->fmt, era);
	add(&t, "\n");
	if (t.oom) {
		free(t.p);
		return NULL;
	}
	return t.p;
}
