/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kvm_tp.h - vmxsim events as the tracepoint records a real KVM host would
 * have written (arch/x86/kvm/trace.h), plus a `vmxsim` event system for the
 * events KVM has no tracepoint for. One mapping for the two writers that
 * speak trace-cmd: sink_tracedat.c stores the records' binary fields in a
 * trace.dat, sink_ftrace.c prints them as `trace-cmd report` prints that
 * file (libtraceevent with Debian's plugin_kvm), so the two agree line for
 * line (docs/trace-format.md, "The ftrace format", "The trace-dat format").
 */
#ifndef VMXSIM_KVM_TP_H
#define VMXSIM_KVM_TP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/trace/trace.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The tracepoints: KVM's first, then the vmxsim system (one per trace kind, then inj_nmi). */
enum kvm_tp {
	KVM_TP_ENTRY,
	KVM_TP_EXIT,
	KVM_TP_INJ_VIRQ,
	KVM_TP_INJ_EXCEPTION,
	KVM_TP_NESTED_VMEXIT,
	KVM_TP_NESTED_VMEXIT_INJECT,
	KVM_TP_NESTED_INTR_VMEXIT,
	KVM_TP_NESTED_VMENTER,
	KVM_TP_APIC_ACCEPT_IRQ,
	KVM_TP_EOI,
	KVM_TP_KVM_COUNT,
	KVM_TP_VMXSIM = KVM_TP_KVM_COUNT,                  /* + trace kind */
	KVM_TP_VMXSIM_INJ_NMI = KVM_TP_VMXSIM + TRACE_KIND_COUNT,
	KVM_TP_COUNT
};

enum kvm_tp_era {
	KVM_TP_ERA_OLD,        /* ~3.x-4.x TP_printk formats; reason 7 is PENDING_INTERRUPT */
	KVM_TP_ERA_CURRENT,    /* today's formats */
};

#define KVM_TP_MAX_FIELDS 8
#define KVM_TP_MAX_RECS 2
#define KVM_TP_TEXT 480        /* a vmxsim event's fields as text */

/* One record: the tracepoint, its fields' values in the table's order, the text of a vmxsim event. */
struct kvm_tp_rec {
	enum kvm_tp tp;
	uint64_t v[KVM_TP_MAX_FIELDS];
	char text[KVM_TP_TEXT];
};

/* What the mapping remembers between events. */
struct kvm_tp_state {
	enum kvm_tp_era era;
	uint32_t nvcpus;
	uint32_t *exit_error_code;   /* per vCPU: error code of its last exit (a reflected exception's) */
};

/* The era of an L0 variant's name (NULL: today's). */
enum kvm_tp_era kvm_tp_era_of(const char *l0);
bool kvm_tp_state_init(struct kvm_tp_state *st, const char *l0, uint32_t nvcpus);
void kvm_tp_state_free(struct kvm_tp_state *st);

/* The records of one event, in the order KVM writes them: 1 or 2. */
unsigned kvm_tp_records(struct kvm_tp_state *st, const struct trace_event *ev, struct kvm_tp_rec *out);

/* "kvm" or "vmxsim"; the event's name ("kvm_exit", "vmxsim_deliver"). */
const char *kvm_tp_system(enum kvm_tp tp);
const char *kvm_tp_name(enum kvm_tp tp);

/*
 * A record's text after "name: ", as trace-cmd report prints it with
 * Debian's plugin_kvm (libtraceevent 1.7). Returns the length; truncates.
 */
int kvm_tp_print(const struct kvm_tp_rec *r, enum kvm_tp_era era, char *buf, size_t size);

/*
 * The binary layout: the event's size (the common header's 8 bytes
 * included; a vmxsim event's text follows its fixed fields), and the
 * event's bytes written into buf (little endian), common_pid = pid.
 */
size_t kvm_tp_size(const struct kvm_tp_rec *r);
void kvm_tp_encode(const struct kvm_tp_rec *r, uint16_t id, int32_t pid, uint8_t *buf);

/* KVM's symbol of an exception vector ("#GP"); NULL for one it does not name. */
const char *kvm_tp_exception_symbol(uint32_t vector);

/* The format file (events/<system>/<name>/format) of a tracepoint with this ID. NULL if out of memory. */
char *kvm_tp_format_file(enum kvm_tp tp, enum kvm_tp_era era, uint16_t id);

#ifdef __cplusplus
}
#endif
#endif
