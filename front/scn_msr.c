/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scn_msr.c - MSRs in guest blocks: the MSR operands of rdmsr, wrmsr and
 * the MSR-bitmap instructions, the `msr-bitmap intercept read|write MSR`
 * setup line, and `apic-timer`, which stands for the WRMSRs that program
 * the local APIC timer (SDM Vol. 3A 11.5.4): the divide configuration,
 * the LVT timer register, then the initial count, which starts it.
 */
#include <stdio.h>
#include <string.h>

#include "front/scn_internal.h"
#include "vmcs/msr_bitmap.h"
#include "vmcs/x2apic_lvt.h"
#include "vmcs/x2apic_timer.h"
#include "vmcs/x86_debugreg.h"
#include "vmcs/x86_mcg.h"
#include "vmcs/x86_msr.h"

/*
 * Can `wrmsr` write it? IA32_DEBUGCTL, the machine-check MSRs but
 * IA32_MCG_CAP, the timer's registers, the LVT CMCI, TPR and SELF IPI (EOI
 * and ICR have `eoi` and `ipi`).
 */
static bool wrmsr_target(uint32_t msr)
{
	return msr == MSR_IA32_DEBUGCTL || msr == MSR_IA32_MCG_STATUS ||
	       (x86_msr_is_mca_bank(msr) && msr != MSR_IA32_MCG_CAP) || msr == MSR_IA32_X2APIC_LVT_TIMER ||
	       msr == MSR_IA32_X2APIC_LVT_CMCI ||
	       msr == MSR_IA32_X2APIC_INIT_COUNT ||
	       msr == MSR_IA32_X2APIC_DIV_CONF || msr == MSR_IA32_X2APIC_TPR || msr == MSR_IA32_X2APIC_SELF_IPI;
}

static bool usable(enum scn_msr_use use, uint32_t msr)
{
	switch (use) {
	case SCN_MSR_USE_READ:
		return (x86_msr_access(msr) & X86_MSR_READ) != 0;
	case SCN_MSR_USE_WRITE:
		return wrmsr_target(msr);
	case SCN_MSR_USE_BITMAP:
		return msr_bitmap_covers(msr);
	}
	return false;
}

/* Architecturally read-only (WRMSR raises #GP): the VMX capability MSRs, IA32_MCG_CAP, the current count, PPR, ISR, IRR. */
static bool read_only(uint32_t msr)
{
	return x86_msr_is_vmx_cap(msr) || msr == MSR_IA32_MCG_CAP || msr == MSR_IA32_X2APIC_CUR_COUNT ||
	       msr == MSR_IA32_X2APIC_PPR ||
	       (msr >= MSR_IA32_X2APIC_ISR0 && msr <= MSR_IA32_X2APIC_ISR7) ||
	       (msr >= MSR_IA32_X2APIC_IRR0 && msr <= MSR_IA32_X2APIC_IRR7);
}

/*
 * Refuse the MSR at column col for `use`: `shown` is "'NAME'" for a name as
 * written, the SDM name or "0x..." for a number.
 */
static bool refuse_msr(struct parser *p, uint32_t col, enum scn_msr_use use, int64_t msr, const char *shown)
{
	char names[2048];

	if (use == SCN_MSR_USE_READ && (msr == MSR_IA32_X2APIC_EOI || msr == MSR_IA32_X2APIC_SELF_IPI))
		return scn_fail_col(p, col, "%s is write-only: RDMSR of it raises #GP", shown);
	if (use == SCN_MSR_USE_WRITE && msr >= 0 && read_only((uint32_t)msr))
		return scn_fail_col(p, col, "%s is read-only: WRMSR of it raises #GP", shown);
	switch (use) {
	case SCN_MSR_USE_READ:
		x86_msr_names(X86_MSR_READ, names, sizeof(names));
		return scn_fail_col(p, col, "not modelled: MSR %s (the model reads the VMX capability MSRs, the "
		                            "local APIC's, IA32_DEBUGCTL and the machine-check MSRs: %s)", shown, names);
	case SCN_MSR_USE_WRITE:
		return scn_fail_col(p, col, "not modelled: MSR %s (wrmsr writes IA32_DEBUGCTL, IA32_MCG_STATUS, "
		                            "IA32_MCG_CTL, the banks IA32_MC0_CTL to IA32_MC31_MISC and IA32_MC0_CTL2 to "
		                            "IA32_MC31_CTL2, the LAPIC timer: IA32_X2APIC_LVT_TIMER, "
		                            "IA32_X2APIC_INIT_COUNT, IA32_X2APIC_DIV_CONF; IA32_X2APIC_LVT_CMCI, "
		                            "IA32_X2APIC_TPR and IA32_X2APIC_SELF_IPI; eoi and ipi write EOI and ICR)",
		                    shown);
	case SCN_MSR_USE_BITMAP:
		break;
	}
	if (msr < 0)
		return scn_fail_col(p, col, "not modelled: MSR %s (name one of vmcs/x86_msrs.def, or give its number)",
		                    shown);
	return scn_fail_col(p, col, "%s is outside the ranges the MSR bitmaps cover (0-0x1fff, "
	                            "0xc0000000-0xc0001fff): RDMSR and WRMSR of it always exit", shown);
}

bool scn_parse_msr(struct parser *p, enum scn_msr_use use, uint32_t *msr)
{
	const struct tok *t = scn_peek(p);
	char shown[SCN_MAX_NAME_BYTES + 16];
	uint64_t v = 0;

	if (t->kind == TK_WORD) {
		char name[SCN_MAX_NAME_BYTES + 1];
		int64_t n;

		scn_tok_copy(t, name, sizeof(name));
		n = x86_msr_by_name(name);
		if (n < 0 || !usable(use, (uint32_t)n)) {
			snprintf(shown, sizeof(shown), n < 0 ? "'%s'" : "%s", name);
			return refuse_msr(p, t->col, use, n, shown);
		}
		*msr = (uint32_t)n;
		scn_next(p);
		return true;
	}
	if (!scn_parse_uint(p, NUM_HEX, 0, UINT32_MAX, "an MSR name such as IA32_X2APIC_EOI, or its number", &v))
		return false;
	if (!usable(use, (uint32_t)v)) {
		const char *name = x86_msr_name((uint32_t)v);
		if (name)
			snprintf(shown, sizeof(shown), "%s", name);
		else if (use == SCN_MSR_USE_BITMAP)
			snprintf(shown, sizeof(shown), "MSR 0x%llx", (unsigned long long)v);
		else
			snprintf(shown, sizeof(shown), "0x%llx", (unsigned long long)v);
		return refuse_msr(p, t->col, use, (int64_t)v, shown);
	}
	*msr = (uint32_t)v;
	return true;
}

bool scn_parse_msr_access(struct parser *p, bool *write)
{
	const struct tok *t = scn_peek(p);

	if (scn_tok_is(t, "read"))
		*write = false;
	else if (scn_tok_is(t, "write"))
		*write = true;
	else
		return scn_expected(p, "'read' or 'write' (which bitmap)");
	scn_next(p);
	return true;
}

bool scn_check_wrmsr_value(struct parser *p, struct scn_loc loc, uint32_t msr, uint64_t value)
{
	if (msr == MSR_IA32_X2APIC_LVT_TIMER && (value & APIC_LVT_TIMER_MODE_MASK) == APIC_LVT_TIMER_TSC_DEADLINE)
		return scn_fail_at(p, loc, "not modelled: the TSC-deadline mode of the APIC timer (there is no "
		                           "IA32_TSC_DEADLINE); use one-shot (0) or periodic (0x20000)");
	/* IA32_MCG_STATUS has bits 2:0 (SDM Vol. 3B "IA32_MCG_STATUS MSR"); 63:3 are reserved. */
	if (msr == MSR_IA32_MCG_STATUS)
		return (value >> 3) == 0 || scn_fail_at(p, loc, "0x%llx sets reserved bits of IA32_MCG_STATUS (WRMSR would "
		                                                "raise #GP)", (unsigned long long)value);
	/* IA32_DEBUGCTL: bits 5:2 and 63:16 are reserved; TR with BTS would store branch records (not modelled). */
	if (msr == MSR_IA32_DEBUGCTL) {
		if (value & DEBUGCTL_RESERVED)
			return scn_fail_at(p, loc, "0x%llx sets reserved bits of IA32_DEBUGCTL (WRMSR would raise #GP)",
			                   (unsigned long long)value);
		return (value & (DEBUGCTL_TR | DEBUGCTL_BTS)) != (DEBUGCTL_TR | DEBUGCTL_BTS) ||
		       scn_fail_at(p, loc, "not modelled: %s", DEBUGCTL_BTS_NOT_MODELLED);
	}
	/* The LVT CMCI (vmcs/x2apic_lvt.h): reserved bits, the delivery modes the model lacks, an illegal vector. */
	if (msr == MSR_IA32_X2APIC_LVT_CMCI) {
		const char *why = apic_lvt_cmci_not_modelled(value);

		if (apic_lvt_cmci_reserved(value))
			return scn_fail_at(p, loc, "0x%llx sets reserved bits of IA32_X2APIC_LVT_CMCI (WRMSR would raise #GP)",
			                   (unsigned long long)value);
		if (why)
			return scn_fail_at(p, loc, "not modelled: %s", why);
		if (!(value & APIC_LVT_MASKED) && (value & APIC_LVT_DELIVERY_MODE_MASK) == APIC_LVT_DM_FIXED &&
		    (value & APIC_LVT_VECTOR_MASK) < 16)
			return scn_fail_at(p, loc, "the local APIC refuses vectors 0-15 (illegal vector): give 16-255");
		return true;
	}
	/* The machine-check banks and IA32_MCG_CTL: what a write may hold is the hypervisor's to say (kvm_mce.c). */
	if (x86_msr_is_mca_bank(msr))
		return true;
	/* TPR and SELF IPI take bits 7:0 (SDM Vol. 3A 11.12.1); the rest is reserved. */
	if ((msr == MSR_IA32_X2APIC_TPR || msr == MSR_IA32_X2APIC_SELF_IPI) ? (value >> 8) != 0
	                                                                    : !apic_timer_value_ok(msr, value))
		return scn_fail_at(p, loc, "0x%llx sets reserved bits of %s (WRMSR would raise #GP)",
		                   (unsigned long long)value, x86_msr_name(msr));
	return true;
}

bool scn_st_msr_bitmap(struct parser *p, struct scn_guest *g)
{
	const struct tok *kw = scn_next(p);
	struct scn_msr_intercept m;

	memset(&m, 0, sizeof(m));
	m.loc = scn_tok_loc(p, kw);
	if (!scn_tok_is(scn_peek(p), "intercept"))
		return scn_expected(p, "'intercept' (the bitmap starts all zero: lines set the bits of the MSRs "
		                       "that exit)");
	scn_next(p);
	if (!scn_parse_msr_access(p, &m.write) || !scn_parse_msr(p, SCN_MSR_USE_BITMAP, &m.msr))
		return false;
	for (size_t i = 0; i < g->nmsr_intercepts; i++) {
		char shown[SCN_MAX_NAME_BYTES + 16];
		if (g->msr_intercepts[i].msr != m.msr || g->msr_intercepts[i].write != m.write)
			continue;
		if (x86_msr_name(m.msr))
			snprintf(shown, sizeof(shown), "%s", x86_msr_name(m.msr));
		else
			snprintf(shown, sizeof(shown), "MSR 0x%x", (unsigned)m.msr);
		return scn_fail_at(p, m.loc, "%s of %s is already intercepted at line %u", m.write ? "WRMSR" : "RDMSR",
		                   shown, (unsigned)g->msr_intercepts[i].loc.line);
	}
	if (!scn_grow(p, (void **)&g->msr_intercepts, &p->cap_msr, g->nmsr_intercepts, sizeof(m),
	              SCN_MAX_MSR_INTERCEPTS, "msr-bitmap lines in this block"))
		return false;
	g->msr_intercepts[g->nmsr_intercepts++] = m;
	return scn_at_eol(p);
}

/* One WRMSR of an immediate value, made by `apic-timer` at its keyword. */
static bool timer_wrmsr(struct parser *p, struct scn_guest *g, const struct tok *kw, struct scn_loc arg,
                        uint32_t msr, uint64_t value)
{
	struct scn_insn *in = scn_new_insn(p, g, SCN_OP_WRMSR, kw);

	if (!in)
		return false;
	in->arg_loc = arg;
	in->msr = msr;
	in->value = value;
	return true;
}

/*
 * apic-timer oneshot|periodic VECTOR COUNT [divide N] [masked]
 * apic-timer stop
 */
bool scn_st_apic_timer(struct parser *p, struct scn_guest *g)
{
	const struct tok *kw = scn_next(p), *t = scn_peek(p);
	struct scn_loc arg = scn_tok_loc(p, t);
	uint32_t mode, vector = 0, dcr = 0, lvt;
	uint64_t count = 0, divide = 1;
	bool masked = false;

	if (scn_tok_is(t, "stop")) {
		scn_next(p);
		return scn_at_eol(p) && timer_wrmsr(p, g, kw, arg, MSR_IA32_X2APIC_INIT_COUNT, 0);
	}
	if (scn_tok_is(t, "oneshot"))
		mode = APIC_LVT_TIMER_ONESHOT;
	else if (scn_tok_is(t, "periodic"))
		mode = APIC_LVT_TIMER_PERIODIC;
	else if (scn_tok_is(t, "tsc-deadline"))
		return scn_fail_col(p, t->col, "not modelled: the TSC-deadline mode of the APIC timer (there is no "
		                               "IA32_TSC_DEADLINE); use oneshot or periodic");
	else
		return scn_expected(p, "a timer mode: oneshot, periodic, or 'stop'");
	scn_next(p);
	t = scn_peek(p);
	if (!scn_parse_vector(p, &vector))
		return false;
	if (vector < 16)
		return scn_fail_col(p, t->col, "the local APIC refuses vectors 0-15 (illegal vector): give 16-255");
	if (!scn_parse_uint(p, NUM_HEX | NUM_MULT, 1, UINT32_MAX, "an initial count 1-4294967295 (0 stops the timer: "
	                    "'apic-timer stop')", &count))
		return false;
	if (scn_tok_is(scn_peek(p), "divide")) {
		scn_next(p);
		t = scn_peek(p);
		if (!scn_parse_uint(p, 0, 1, 128, "a divide value 1, 2, 4, 8, 16, 32, 64 or 128", &divide))
			return false;
		if (!apic_timer_dcr_of((uint32_t)divide, &dcr))
			return scn_fail_col(p, t->col, "the divide value is 1, 2, 4, 8, 16, 32, 64 or 128, not %llu",
			                    (unsigned long long)divide);
	}
	apic_timer_dcr_of((uint32_t)divide, &dcr);
	if (scn_tok_is(scn_peek(p), "masked")) {
		scn_next(p);
		masked = true;
	}
	if (!scn_at_eol(p))
		return false;
	lvt = vector | mode | (masked ? APIC_LVT_MASKED : 0u);
	/* The initial count last: writing it starts the count (11.5.4). */
	return timer_wrmsr(p, g, kw, arg, MSR_IA32_X2APIC_DIV_CONF, dcr) &&
	       timer_wrmsr(p, g, kw, arg, MSR_IA32_X2APIC_LVT_TIMER, lvt) &&
	       timer_wrmsr(p, g, kw, arg, MSR_IA32_X2APIC_INIT_COUNT, count);
}
