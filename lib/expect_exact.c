/* SPDX-License-Identifier: Apache-2.0 */
/*
 * expect_exact.c - exact expectations (see expect_exact.h and
 * docs/scenario-language.md, "exact expectations").
 */
#include "lib/expect_exact.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmcs/vmx_exit_reason.h"
#include "vmcs/vmx_intr_state.h"
#include "vmcs/x86_gpr.h"

uint64_t exact_kinds(const struct scn_expect *e)
{
	switch (e->what) {
	case SCN_EXACT_EXIT: return TRACE_KIND_BIT(TRACE_VMEXIT);
	case SCN_EXACT_VMFAIL: return TRACE_KIND_BIT(TRACE_VMFAIL);
	case SCN_EXACT_ENTRY_FAIL:
		return TRACE_KIND_BIT(TRACE_VMFAIL) | TRACE_KIND_BIT(TRACE_VMEXIT) | TRACE_KIND_BIT(TRACE_NESTED_VMEXIT);
	case SCN_EXACT_RECORD: return TRACE_KIND_BIT(TRACE_RECORD);
	case SCN_EXACT_NESTED_EXIT: return TRACE_KIND_BIT(TRACE_NESTED_VMEXIT);
	case SCN_EXACT_IRET: return TRACE_KIND_BIT(TRACE_IRET);
	case SCN_EXACT_COUNT: break;
	}
	return 0;
}

static uint64_t field_u(const struct trace_event *ev, const char *key)
{
	const struct trace_field *f = trace_field(ev, key);
	return f ? f->u : 0;
}

static bool is_entry_insn(const struct trace_event *ev)
{
	return trace_field_is(ev, "insn", "vmlaunch") || trace_field_is(ev, "insn", "vmresume");
}

static bool kind_matches(enum scn_exact_what w, const struct trace_event *ev)
{
	switch (w) {
	case SCN_EXACT_EXIT: return ev->kind == TRACE_VMEXIT;
	case SCN_EXACT_VMFAIL: return ev->kind == TRACE_VMFAIL;
	case SCN_EXACT_ENTRY_FAIL:
		/* Under a nested L0, L1's entry failure is the one L0 emulates (nested_exit). */
		return (ev->kind == TRACE_VMFAIL && is_entry_insn(ev)) ||
		       ((ev->kind == TRACE_VMEXIT || ev->kind == TRACE_NESTED_VMEXIT) && trace_field(ev, "failed_vmentry"));
	case SCN_EXACT_RECORD: return ev->kind == TRACE_RECORD;
	case SCN_EXACT_NESTED_EXIT: return ev->kind == TRACE_NESTED_VMEXIT;
	case SCN_EXACT_IRET: return ev->kind == TRACE_IRET;
	case SCN_EXACT_COUNT: break;
	}
	return false;
}

/* The full exit reason of a vmexit event: its name's number, bit 31 for a failed entry. */
static uint64_t full_reason(const struct trace_event *ev)
{
	const struct trace_field *f = trace_field(ev, "reason");
	int r = f && f->s ? vmx_exit_reason_by_name(f->s) : -1;
	uint64_t v = 0;

	if (r >= 0)
		v = (uint64_t)r;
	else if (f && f->s)
		v = (uint64_t)strtoull(f->s, NULL, 16);   /* an unnamed reason is traced as 0x.. */

	return v | (trace_field(ev, "failed_vmentry") ? 0x80000000u : 0);
}

static uint64_t activity_of(const struct trace_event *ev)
{
	const struct trace_field *f = trace_field(ev, "activity");

	for (uint32_t a = GUEST_ACTIVITY_HLT; f && f->s && a <= GUEST_ACTIVITY_WAIT_SIPI; a++)
		if (!strcmp(f->s, guest_activity_name(a)))
			return a;
	return GUEST_ACTIVITY_ACTIVE;
}

static uint64_t insn_of(const struct trace_event *ev)
{
	const struct trace_field *f = trace_field(ev, "insn");

	for (int op = 0; f && f->s && op < SCN_OP_COUNT; op++)
		if (!strcmp(f->s, scn_op_name((enum scn_op)op)))
			return (uint64_t)op;
	return SCN_OP_COUNT;
}

static void capture(const struct trace_event *ev, struct exact_capture *cap)
{
	memset(cap, 0, sizeof(*cap));
	cap->have = true;
	cap->cycle = ev->cycle;
	cap->level = ev->level;
	cap->cpu = ev->cpu;
	cap->is_vmfail = ev->kind == TRACE_VMFAIL;
	cap->v[SCN_KEY_RIP] = field_u(ev, "rip");
	if (ev->kind == TRACE_VMEXIT || ev->kind == TRACE_NESTED_VMEXIT) {
		cap->v[SCN_KEY_REASON] = full_reason(ev);
		cap->v[SCN_KEY_QUAL] = field_u(ev, "qual");
		cap->v[SCN_KEY_INTR_INFO] = field_u(ev, "intr_info");
		cap->v[SCN_KEY_INTR_ERROR] = field_u(ev, "error_code");
		cap->v[SCN_KEY_IDT_INFO] = field_u(ev, "idt_vectoring");
		cap->v[SCN_KEY_IDT_ERROR] = field_u(ev, "idt_error");
		cap->v[SCN_KEY_INSN_LEN] = field_u(ev, "insn_len");
		cap->v[SCN_KEY_INTERRUPTIBILITY] = field_u(ev, "intr_state");
		cap->v[SCN_KEY_ACTIVITY] = activity_of(ev);
	} else if (ev->kind == TRACE_VMFAIL) {
		cap->v[SCN_KEY_ERROR] = field_u(ev, "error");
		cap->v[SCN_KEY_INSN] = insn_of(ev);
	} else if (ev->kind == TRACE_RECORD) {
		for (uint32_t r = 0; r < X86_NGPR; r++)
			cap->v[SCN_KEY_REG + r] = field_u(ev, x86_gpr_name(r));
	}
}

void exact_observe(const struct scn_expect *e, const struct trace_event *ev, expect_label_fn label_addr,
                   void *label_ctx, uint64_t *count, struct exact_capture *cap)
{
	uint64_t addr;

	if (!kind_matches(e->what, ev) || (e->event.level != SCN_ANY && (uint32_t)e->event.level != ev->level) ||
	    (e->event.cpu != SCN_ANY && (uint32_t)e->event.cpu != ev->cpu))
		return;
	if (e->at_label) {
		/* The first event at the label's address in the block of that level and vCPU. */
		/* A nested exit is traced at L1's level; its RIP is L2's. */
		bool level_ok = e->what == SCN_EXACT_NESTED_EXIT || ev->level == (uint32_t)e->at_level;
		if (cap->have || !level_ok || !label_addr ||
		    !label_addr(label_ctx, e->at_level, ev->cpu, e->at_label, &addr) ||
		    field_u(ev, "rip") != addr + e->at_offset)
			return;
		++*count;
		capture(ev, cap);
		return;
	}
	if (++*count == e->occurrence)
		capture(ev, cap);
}

static void ordinal(uint32_t n, char *buf, size_t size)
{
	const char *suf = (n % 100 >= 11 && n % 100 <= 13) ? "th"
	                : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
	snprintf(buf, size, "%u%s", n, suf);
}

void exact_text(const struct scn_expect *e, char *buf, size_t n)
{
	char ord[16];
	size_t len;

	if (e->at_label) {
		if (e->at_offset)
			snprintf(buf, n, "expect %s at %s+%" PRIu64, scn_exact_what_name(e->what), e->at_label, e->at_offset);
		else
			snprintf(buf, n, "expect %s at %s", scn_exact_what_name(e->what), e->at_label);
	} else {
		ordinal(e->occurrence, ord, sizeof(ord));
		snprintf(buf, n, "expect %s %s", ord, scn_exact_what_name(e->what));
	}
	len = strlen(buf);
	if (e->event.level != SCN_ANY && len < n)
		len += (size_t)snprintf(buf + len, n - len, " L%d", e->event.level);
	if (e->event.cpu != SCN_ANY && len < n)
		snprintf(buf + len, n - len, " cpu%d", e->event.cpu);
}

/* A value as the language writes it, for messages: names where a key has them. */
static void show(uint32_t key, uint64_t v, char *buf, size_t n)
{
	const char *name = NULL;

	if (key == SCN_KEY_REASON && !(v & 0x80000000u))
		name = vmx_exit_reason_name((uint32_t)v);
	else if (key == SCN_KEY_ACTIVITY)
		name = guest_activity_name((uint32_t)v);
	else if (key == SCN_KEY_INSN)
		name = v < SCN_OP_COUNT ? scn_op_name((enum scn_op)v) : "?";
	else if (key == SCN_KEY_ERROR && v == 0)
		name = "invalid";
	if (name)
		snprintf(buf, n, "%s", name);
	else if (key == SCN_KEY_ERROR || key == SCN_KEY_INSN_LEN)
		snprintf(buf, n, "%" PRIu64, v);
	else
		snprintf(buf, n, "0x%" PRIx64, v);
}

static size_t append(char *what, size_t n, size_t len, const char *fmt, const char *a, const char *b, const char *c)
{
	if (len < n)
		len += (size_t)snprintf(what + len, n - len, fmt, a, b, c);
	return len;
}

bool exact_judge(const struct scn_expect *e, const struct exact_capture *cap, uint64_t count,
                 expect_label_fn label_addr, void *label_ctx, char *what, size_t n)
{
	char head[96], want[96], got[48];
	size_t len;
	bool ok = true;

	exact_text(e, head, sizeof(head));
	memmove(head, head + strlen("expect "), strlen(head) - strlen("expect ") + 1);
	if (!cap->have) {
		if (e->at_label)
			snprintf(what, n, "%s: no such event happened", head);
		else
			snprintf(what, n, "%s: the run had %" PRIu64 " such event%s", head, count, count == 1 ? "" : "s");
		return false;
	}
	len = (size_t)snprintf(what, n, "%s (cycle %" PRIu64 ")", head, cap->cycle);
	for (size_t i = 0; i < e->nfields; i++) {
		const struct scn_exact_field *f = &e->fields[i];
		const char *key = scn_exact_key_name(f->key);
		uint64_t expected = f->value, addr = 0;

		/* entry-fail: a VMfail and an entry-failure exit have different fields (R26). */
		if (e->what == SCN_EXACT_ENTRY_FAIL && cap->is_vmfail != (f->key == SCN_KEY_ERROR || f->key == SCN_KEY_INSN) &&
		    f->key != SCN_KEY_RIP) {
			snprintf(got, sizeof(got), "0x%" PRIx64, cap->is_vmfail ? cap->v[SCN_KEY_ERROR] : cap->v[SCN_KEY_REASON]);
			len = append(what, n, len, "; %s: it was %s %s", key,
			             cap->is_vmfail ? "a VMfail, error" : "a VM-entry failure exit, reason", got);
			ok = false;
			continue;
		}
		if (f->label) {
			if (!label_addr || !label_addr(label_ctx, f->label_level, cap->cpu, f->label, &addr)) {
				len = append(what, n, len, "; %s: no address for label '%s'%s", key, f->label, "");
				ok = false;
				continue;
			}
			expected = addr + f->value;
		}
		if (cap->v[f->key] == expected)
			continue;
		ok = false;
		show(f->key, expected, want, sizeof(want));
		if (f->label) {
			char lab[256];
			if (f->value)
				snprintf(lab, sizeof(lab), "%s+%" PRIu64 " (%s)", f->label, f->value, want);
			else
				snprintf(lab, sizeof(lab), "%s (%s)", f->label, want);
			show(f->key, cap->v[f->key], got, sizeof(got));
			len = append(what, n, len, "; %s expected %s, got %s", key, lab, got);
			continue;
		}
		show(f->key, cap->v[f->key], got, sizeof(got));
		len = append(what, n, len, "; %s expected %s, got %s", key, want, got);
	}
	return ok;
}
