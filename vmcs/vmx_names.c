/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmx_names.c - name lookups generated from the exit-reason, VM-instruction
 * error and control tables, plus the small format names.
 */
#include <stddef.h>
#include <string.h>

#include "vmcs/vmx_controls.h"
#include "vmcs/vmx_exit_reason.h"
#include "vmcs/vmx_insn_error.h"
#include "vmcs/vmx_intr_info.h"
#include "vmcs/vmx_intr_state.h"

struct exit_reason_row {
	uint32_t num;
	const char *name;
	const char *old_name;
};

/* Indexed by number, so that naming the exit of every VM exit is one load; reserved numbers have no name. */
static const struct exit_reason_row exit_reasons[] = {
#define EXIT_REASON(num, name, old) [num] = {num, #name, old},
#include "vmcs/vmx_exit_reasons.def"
#undef EXIT_REASON
};

#define ARRAY_LEN(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct exit_reason_row *exit_row(uint32_t basic)
{
	return basic < (uint32_t)ARRAY_LEN(exit_reasons) && exit_reasons[basic].name ? &exit_reasons[basic] : NULL;
}

const char *vmx_exit_reason_name(uint32_t basic)
{
	const struct exit_reason_row *r = exit_row(basic);
	return r ? r->name : NULL;
}

const char *vmx_exit_reason_old_name(uint32_t basic)
{
	const struct exit_reason_row *r = exit_row(basic);
	return r ? r->old_name : NULL;
}

int vmx_exit_reason_by_name(const char *name)
{
	for (int i = 0; i < ARRAY_LEN(exit_reasons); i++)
		if (exit_reasons[i].name && (!strcmp(exit_reasons[i].name, name) || !strcmp(exit_reasons[i].old_name, name)))
			return (int)exit_reasons[i].num;
	return -1;
}

struct insn_error_row {
	int num;
	const char *name;
	const char *text;
};

static const struct insn_error_row insn_errors[] = {
#define VMX_INSN_ERROR(num, name, text) {num, #name, text},
#include "vmcs/vmx_insn_errors.def"
#undef VMX_INSN_ERROR
};

static const struct insn_error_row *insn_error_row(int err)
{
	for (int i = 0; i < ARRAY_LEN(insn_errors); i++)
		if (insn_errors[i].num == err)
			return &insn_errors[i];
	return NULL;
}

const char *vmx_insn_error_text(int err)
{
	const struct insn_error_row *r = insn_error_row(err);
	return r ? r->text : NULL;
}

const char *vmx_insn_error_name(int err)
{
	const struct insn_error_row *r = insn_error_row(err);
	return r ? r->name : NULL;
}

#define CTL_STR_PIN(n) "PIN_BASED_" #n
#define CTL_STR_PROC(n) "CPU_BASED_" #n
#define CTL_STR_PROC2(n) "SECONDARY_EXEC_" #n
#define CTL_STR_EXIT(n) "VM_EXIT_" #n
#define CTL_STR_ENTRY(n) "VM_ENTRY_" #n

#define CTL_REFUSAL_M(word, name, note, summary) NULL
#define CTL_REFUSAL_H(word, name, note, summary) NULL
#define CTL_REFUSAL_NM(word, name, note, summary) note " (" CTL_STR_##word(name) ": " summary ")"

static const struct vmx_control_info controls[] = {
#define VMX_CONTROL(word, name, bit, status, note, summary) \
	{VMX_CTL_##word, CTL_STR_##word(name), bit, VMX_CTL_##status, note, summary, \
	 CTL_REFUSAL_##status(word, name, note, summary)},
#include "vmcs/vmx_controls.def"
#undef VMX_CONTROL
};

int vmx_control_count(void)
{
	return ARRAY_LEN(controls);
}

const struct vmx_control_info *vmx_control_info(int i)
{
	return i >= 0 && i < ARRAY_LEN(controls) ? &controls[i] : NULL;
}

const char *vmx_control_word_name(enum vmx_control_word w)
{
	static const char *const names[VMX_CTL_WORD_COUNT] = {
	    [VMX_CTL_PIN] = "PIN_BASED_VM_EXEC_CONTROL",
	    [VMX_CTL_PROC] = "CPU_BASED_VM_EXEC_CONTROL",
	    [VMX_CTL_PROC2] = "SECONDARY_VM_EXEC_CONTROL",
	    [VMX_CTL_EXIT] = "VM_EXIT_CONTROLS",
	    [VMX_CTL_ENTRY] = "VM_ENTRY_CONTROLS",
	};
	return (unsigned)w < VMX_CTL_WORD_COUNT ? names[w] : NULL;
}

const struct vmx_control_info *vmx_control_row(enum vmx_control_word w, unsigned bit)
{
	for (int i = 0; i < ARRAY_LEN(controls); i++)
		if (controls[i].word == w && controls[i].bit == bit)
			return &controls[i];
	return NULL;
}

const char *vmx_control_bit_name(enum vmx_control_word w, unsigned bit)
{
	const struct vmx_control_info *r = vmx_control_row(w, bit);
	return r ? r->name : NULL;
}

uint32_t vmx_control_reserved_default1(enum vmx_control_word w)
{
	uint32_t on = 0;

	switch (w) {
	case VMX_CTL_PIN:
		on = PIN_BASED_ALWAYSON_WITHOUT_TRUE_MSR;
		break;
	case VMX_CTL_PROC:
		on = CPU_BASED_ALWAYSON_WITHOUT_TRUE_MSR;
		break;
	case VMX_CTL_EXIT:
		on = VM_EXIT_ALWAYSON_WITHOUT_TRUE_MSR;
		break;
	case VMX_CTL_ENTRY:
		on = VM_ENTRY_ALWAYSON_WITHOUT_TRUE_MSR;
		break;
	default:
		break;
	}
	/* Some default-1 bits have a function (CR3-load exiting, the debug controls): those have rows. */
	for (int i = 0; i < ARRAY_LEN(controls); i++)
		if (controls[i].word == w)
			on &= ~(1u << controls[i].bit);
	return on;
}

enum vmx_control_status vmx_control_bit_status(enum vmx_control_word w, unsigned bit)
{
	const struct vmx_control_info *r = bit < 32 ? vmx_control_row(w, bit) : NULL;

	if (r)
		return r->status;
	if (bit < 32 && (vmx_control_reserved_default1(w) >> bit) & 1u)
		return VMX_CTL_RESERVED_1;
	return VMX_CTL_UNNAMED;
}

const char *intr_type_name(uint32_t type)
{
	static const char *const names[8] = {
	    "ext-intr", "reserved", "nmi", "hw-exception", "soft-intr", "priv-sw-exception",
	    "sw-exception", "other-event",
	};
	return names[(type & INTR_INFO_INTR_TYPE_MASK) >> INTR_INFO_INTR_TYPE_SHIFT];
}

const char *guest_activity_name(uint32_t state)
{
	static const char *const names[4] = {"active", "hlt", "shutdown", "wait-for-sipi"};
	return state < 4 ? names[state] : NULL;
}
