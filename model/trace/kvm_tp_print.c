/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kvm_tp_print.c - a tracepoint record's text as `trace-cmd report` prints
 * it from the trace.dat sink_tracedat.c writes: libtraceevent renders the
 * format file's print fmt, except for the events Debian's plugin_kvm
 * (libtraceevent 1.7) handles itself:
 *
 *   kvm_exit                  "reason %s rip 0x%llx info %llx %llx"
 *   kvm_nested_vmexit         " rip %llx" "reason %s info1 %llx info2 %llx int_info %llx int_info_err %llx"
 *                             (no blank between the two: " rip 13e6reason EXTERNAL_INTERRUPT ...")
 *   kvm_nested_vmexit_inject  the same without the rip
 *
 * The plugin names the reasons from its own table (its VMX reasons stop at
 * XRSTORS and still say PENDING_INTERRUPT for 7); a reason it does not
 * know, or one with bit 31 set (a failed entry), is "UNKNOWN (n)". The
 * ctest `formats.tracedat.report` checks this file against trace-cmd.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model/trace/kvm_tp.h"
#include "vmcs/vmx_exit_reason.h"

/* The VMX reasons plugin_kvm names (its VMX_EXIT_REASONS table): 7 is the old name. */
static const uint8_t plugin_reasons[] = {
    0,  1,  2,  7,  8,  9,  10, 12, 13, 14, 15, 16, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
    30, 31, 32, 36, 39, 40, 41, 43, 44, 45, 48, 49, 50, 52, 54, 55, 56, 58, 62, 63, 64,
};

static const char *plugin_reason(uint64_t reason)
{
	for (size_t i = 0; i < sizeof(plugin_reasons); i++)
		if (plugin_reasons[i] == reason) {
			const char *old = vmx_exit_reason_old_name((uint32_t)reason);
			return old ? old : vmx_exit_reason_name((uint32_t)reason);
		}
	return NULL;
}

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len + 1 >= o->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n < o->size - o->len ? (size_t)n : o->size - o->len - 1;
}

static void reason(struct out *o, uint64_t r)
{
	const char *name = plugin_reason(r);

	if (name)
		put(o, "reason %s", name);
	else
		put(o, "reason UNKNOWN (%" PRIu64 ")", r);
}

static void exception(struct out *o, uint64_t vector)
{
	const char *sym = kvm_tp_exception_symbol((uint32_t)vector);

	if (sym)
		put(o, "%s", sym);
	else
		put(o, "0x%" PRIx64, vector);
}

int kvm_tp_print(const struct kvm_tp_rec *r, enum kvm_tp_era era, char *buf, size_t size)
{
	struct out o = {buf, size, 0};
	const uint64_t *v = r->v;

	if (size)
		buf[0] = '\0';
	switch (r->tp) {
	case KVM_TP_ENTRY:
		/* The plugin's handler, whatever the era's format. */
		put(&o, " vcpu %" PRIu64 " rip 0x%" PRIx64, v[0], v[1]);
		break;
	case KVM_TP_EXIT:
		reason(&o, v[0]);
		put(&o, " rip 0x%" PRIx64 " info %" PRIx64 " %" PRIx64, v[1], v[3], v[4]);
		break;
	case KVM_TP_NESTED_VMEXIT:
		/* The plugin's own spacing: " rip 13e6reason EXTERNAL_INTERRUPT ...". */
		put(&o, " rip %" PRIx64, v[0]);
		reason(&o, v[1]);
		put(&o, " info1 %" PRIx64 " info2 %" PRIx64 " int_info %" PRIx64 " int_info_err %" PRIx64, v[2], v[3], v[4],
		    v[5]);
		break;
	case KVM_TP_NESTED_VMEXIT_INJECT:
		reason(&o, v[0]);
		put(&o, " info1 %" PRIx64 " info2 %" PRIx64 " int_info %" PRIx64 " int_info_err %" PRIx64, v[1], v[2], v[3],
		    v[4]);
		break;
	case KVM_TP_INJ_VIRQ:
		if (era == KVM_TP_ERA_OLD)
			put(&o, "irq %" PRIu64, v[0]);
		else
			put(&o, "%s 0x%" PRIx64 "%s", v[1] ? "Soft/INTn" : "IRQ", v[0], v[2] ? " [reinjected]" : "");
		break;
	case KVM_TP_INJ_EXCEPTION:
		exception(&o, v[0]);
		if (era == KVM_TP_ERA_OLD)
			put(&o, " (0x%" PRIx64 ")", v[2]);
		else if (v[1])
			put(&o, " (0x%" PRIx64 ")%s", v[2], v[3] ? " [reinjected]" : "");
		else
			put(&o, "%s", v[3] ? " [reinjected]" : "");
		break;
	case KVM_TP_NESTED_INTR_VMEXIT:
		put(&o, "rip: 0x%016" PRIx64, v[0]);
		break;
	case KVM_TP_NESTED_VMENTER:
		put(&o,
		    "rip: 0x%016" PRIx64 " vmcs: 0x%016" PRIx64 " nested_rip: 0x%016" PRIx64 " int_ctl: 0x%08" PRIx64
		    " event_inj: 0x%08" PRIx64 " nested_ept=%s %s: 0x%016" PRIx64,
		    v[0], v[1], v[2], v[3], v[4], v[5] ? "y" : "n", v[5] ? "nested_cr3" : "guest_cr3", v[6]);
		break;
	case KVM_TP_APIC_ACCEPT_IRQ: {
		static const char *const dm[8] = {"Fixed", "LowPrio", "SMI", "Res3", "NMI", "INIT", "SIPI", "ExtINT"};
		put(&o, "apicid %" PRIx64 " vec %" PRIu64 " (%s|%s)", v[0], v[3], dm[v[1] >> 8 & 7], v[2] ? "level" : "edge");
		break;
	}
	case KVM_TP_EOI:
		put(&o, "apicid %" PRIx64 " vector %d", v[0], (int)(int32_t)v[1]);
		break;
	default:
		put(&o, "level=%" PRIu64 "%s", v[0], r->text);
		break;
	}
	return (int)o.len;
}
