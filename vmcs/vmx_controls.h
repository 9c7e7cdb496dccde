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
#define VMX_CONTROL(word, name, bit, summary) VMX_CTL_NAME_##word(name) = 1u << (bit),
#include "vmcs/vmx_controls.def"
#undef VMX_CONTROL
};

/* Bits that must be 1 on processors without the TRUE capability MSRs. */
#define PIN_BASED_ALWAYSON_WITHOUT_TRUE_MSR 0x00000016u
#define CPU_BASED_ALWAYSON_WITHOUT_TRUE_MSR 0x0401e172u
#define VM_EXIT_ALWAYSON_WITHOUT_TRUE_MSR 0x00036dffu
#define VM_ENTRY_ALWAYSON_WITHOUT_TRUE_MSR 0x000011ffu

struct vmx_control_info {
	enum vmx_control_word word;
	const char *name;        /* full Linux name, e.g. "PIN_BASED_VIRTUAL_NMIS" */
	unsigned bit;
	const char *summary;
};

/* Number of rows, and row i of the table. */
int vmx_control_count(void);
const struct vmx_control_info *vmx_control_info(int i);

/* Name of the VMCS field that holds a control word ("PIN_BASED_VM_EXEC_CONTROL", ...). */
const char *vmx_control_word_name(enum vmx_control_word w);

/* Name of one bit of a word; NULL if the table does not name it. */
const char *vmx_control_bit_name(enum vmx_control_word w, unsigned bit);

#ifdef __cplusplus
}
#endif
#endif
