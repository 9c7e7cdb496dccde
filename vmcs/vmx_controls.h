/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmx_controls.h - bits of the pin-based, processor-based (primary and
 * secondary), VM-exit and VM-entry controls, generated from vmx_controls.def.
 */
#ifndef VMXSIM_VMX_CONTROLS_H
#define VMXSIM_VMX_CONTROLS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum vmx_control_word {
	VMX_CTL_PIN,
	VMX_CTL_PROC,
	VMX_CTL_PROC2,
	VMX_CTL_EXIT,
	VMX_CTL_ENTRY,
	VMX_CTL_WORD_COUNT
};

#define VMX_CTL_NAME_PIN(n) PIN_BASED_##n
#define VMX_CTL_NAME_PROC(n) CPU_BASED_##n
#define VMX_CTL_NAME_PROC2(n) SECONDARY_EXEC_##n
#define VMX_CTL_NAME_EXIT(n) VM_EXIT_##n
#define VMX_CTL_NAME_ENTRY(n) VM_ENTRY_##n

/*
 * PIN_BASED_NMI_EXITING = 1u << 3, CPU_BASED_INTR_WINDOW_EXITING = 1u << 2, ...
 * (bit 31 makes this an unsigned enum: a GNU C extension, standard in C23 and C++).
 */
enum vmx_control_bit {
#define VMX_CONTROL(word, name, bit, status, note, summary) VMX_CTL_NAME_##word(name) = 1u << (bit),
#include "vmcs/vmx_controls.def"
#undef VMX_CONTROL
};

/* Bits that must be 1 on processors without the TRUE capability MSRs. */
#define PIN_BASED_ALWAYSON_WITHOUT_TRUE_MSR 0x00000016u
#define CPU_BASED_ALWAYSON_WITHOUT_TRUE_MSR 0x0401e172u
#define VM_EXIT_ALWAYSON_WITHOUT_TRUE_MSR 0x00036dffu
#define VM_ENTRY_ALWAYSON_WITHOUT_TRUE_MSR 0x000011ffu

/* What the model does with a control bit (the status column of vmx_controls.def). */
enum vmx_control_status {
	VMX_CTL_UNNAMED,      /* no row: refused when set (vmx_vmcs_not_modelled) */
	VMX_CTL_RESERVED_1,   /* no row, a reserved default-1 bit (the masks above): no function */
	VMX_CTL_M,            /* modelled */
	VMX_CTL_H,            /* harmless: nothing the model computes depends on it */
	VMX_CTL_NM,           /* not modelled: refused when set */
};

struct vmx_control_info {
	enum vmx_control_word word;
	const char *name;        /* full Linux name, e.g. "PIN_BASED_VIRTUAL_NMIS" */
	unsigned bit;
	enum vmx_control_status status;
	const char *note;        /* M: where the model does it; H: why harmless; NM: the feature */
	const char *summary;
	const char *refusal;     /* NM: "<feature> (<name>: <summary>)", what a refusal says; else NULL */
};

/* Number of rows, and row i of the table. */
int vmx_control_count(void);
const struct vmx_control_info *vmx_control_info(int i);

/* Name of the VMCS field that holds a control word ("PIN_BASED_VM_EXEC_CONTROL", ...). */
const char *vmx_control_word_name(enum vmx_control_word w);

/* Name of one bit of a word; NULL if the table does not name it. */
const char *vmx_control_bit_name(enum vmx_control_word w, unsigned bit);

/* The row of one bit of a word; NULL if the table does not name it. */
const struct vmx_control_info *vmx_control_row(enum vmx_control_word w, unsigned bit);

/* The reserved bits of a word that are 1 by default (the *_ALWAYSON_WITHOUT_TRUE_MSR masks). */
uint32_t vmx_control_reserved_default1(enum vmx_control_word w);

/* The status of one bit: its row's, or VMX_CTL_RESERVED_1 / VMX_CTL_UNNAMED. */
enum vmx_control_status vmx_control_bit_status(enum vmx_control_word w, unsigned bit);

#ifdef __cplusplus
}
#endif
#endif
