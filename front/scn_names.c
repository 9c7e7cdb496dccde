/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scn_names.c - the words of the language that name model concepts: guest
 * operations, events, units, comparisons, and the CPU overrides.
 *
 * The CPU-feature words map onto enum vmx_feature (vmcs/cpu_model.h); a
 * unit test checks that every feature bit has exactly one word here.
 */
#include <stddef.h>

#include "front/scn_internal.h"
#include "vmcs/cpu_model.h"
#include "vmcs/x86_gpr.h"

static const char *const op_names[SCN_OP_COUNT] = {
	[SCN_OP_WORK] = "work",
	[SCN_OP_NOP] = "nop",
	[SCN_OP_STI] = "sti",
	[SCN_OP_CLI] = "cli",
	[SCN_OP_MOV_SS] = "mov-ss",
	[SCN_OP_IRET] = "iret",
	[SCN_OP_HLT] = "hlt",
	[SCN_OP_INT] = "int",
	[SCN_OP_INT3] = "int3",
	[SCN_OP_UD2] = "ud2",
	[SCN_OP_VMCALL] = "vmcall",
	[SCN_OP_EOI] = "eoi",
	[SCN_OP_JMP] = "jmp",
	[SCN_OP_IPI] = "ipi",
	[SCN_OP_VMLAUNCH] = "vmlaunch",
	[SCN_OP_VMRESUME] = "vmresume",
	[SCN_OP_VMREAD] = "vmread",
	[SCN_OP_VMWRITE] = "vmwrite",
	[SCN_OP_CHOOSE] = "choose",
	[SCN_OP_MOV] = "mov",
	[SCN_OP_ADD] = "add",
	[SCN_OP_SUB] = "sub",
	[SCN_OP_AND] = "and",
	[SCN_OP_OR] = "or",
	[SCN_OP_XOR] = "xor",
	[SCN_OP_SHL] = "shl",
	[SCN_OP_SHR] = "shr",
	[SCN_OP_INC] = "inc",
	[SCN_OP_DEC] = "dec",
	[SCN_OP_CMP] = "cmp",
	[SCN_OP_TEST] = "test",
	[SCN_OP_JE] = "je",
	[SCN_OP_JNE] = "jne",
	[SCN_OP_JZ] = "jz",
	[SCN_OP_JNZ] = "jnz",
	[SCN_OP_JB] = "jb",
	[SCN_OP_JAE] = "jae",
	[SCN_OP_JC] = "jc",
	[SCN_OP_JNC] = "jnc",
	[SCN_OP_JBE] = "jbe",
	[SCN_OP_JA] = "ja",
	[SCN_OP_RECORD] = "record",
	[SCN_OP_RDMSR] = "rdmsr",
	[SCN_OP_IN] = "in",
	[SCN_OP_OUT] = "out",
	[SCN_OP_INW] = "inw",
	[SCN_OP_INL] = "inl",
	[SCN_OP_OUTW] = "outw",
	[SCN_OP_OUTL] = "outl",
	[SCN_OP_MOV_CR3] = "mov-cr3",
	[SCN_OP_MOV_CR8] = "mov-cr8",
	[SCN_OP_DIV] = "div",
	[SCN_OP_INTO] = "into",
	[SCN_OP_ICEBP] = "icebp",
	[SCN_OP_INT1] = "int1",
	[SCN_OP_PAUSE] = "pause",
	[SCN_OP_CPUID] = "cpuid",
	[SCN_OP_RDTSC] = "rdtsc",
	[SCN_OP_SET_IDT] = "set-idt",
	[SCN_OP_CLEAR_IDT] = "clear-idt",
	[SCN_OP_WRMSR] = "wrmsr",
	[SCN_OP_MSR_BITMAP_SET] = "msr-bitmap-set",
	[SCN_OP_MSR_BITMAP_CLEAR] = "msr-bitmap-clear",
	[SCN_OP_VMXON] = "vmxon",
	[SCN_OP_VMXOFF] = "vmxoff",
	[SCN_OP_VMCLEAR] = "vmclear",
	[SCN_OP_VMPTRLD] = "vmptrld",
	[SCN_OP_VMPTRST] = "vmptrst",
	[SCN_OP_VAPIC_IRR] = "vapic-irr",
	[SCN_OP_VAPIC_ISR] = "vapic-isr",
	[SCN_OP_VAPIC_TPR] = "vapic-tpr",
	[SCN_OP_PI_POST] = "pi-post",
	[SCN_OP_MOV_DR] = "mov",   /* found as `mov` (SCN_OP_MOV comes first), then told apart by its operands */
	[SCN_OP_LOAD] = "load",
	[SCN_OP_STORE] = "store",
};

const char *scn_op_name(enum scn_op op)
{
	return (unsigned)op < SCN_OP_COUNT ? op_names[op] : NULL;
}

static const char *const event_names[SCN_EV_COUNT] = {
	[SCN_EV_EXIT] = "exit",
	[SCN_EV_ENTRY] = "entry",
	[SCN_EV_ENTRY_FAIL] = "entry-fail",
	[SCN_EV_DELIVER] = "deliver",
	[SCN_EV_INJECT] = "inject",
	[SCN_EV_IRET] = "iret",
	[SCN_EV_HLT] = "hlt",
	[SCN_EV_VIOLATION] = "violation",
	[SCN_EV_INIT] = "init",
	[SCN_EV_RESET] = "reset",
};

const char *scn_event_name(enum scn_event ev)
{
	return (unsigned)ev < SCN_EV_COUNT ? event_names[ev] : NULL;
}

const char *scn_exact_what_name(enum scn_exact_what w)
{
	static const char *const names[SCN_EXACT_COUNT] = {
		[SCN_EXACT_EXIT] = "exit",
		[SCN_EXACT_VMFAIL] = "vmfail",
		[SCN_EXACT_ENTRY_FAIL] = "entry-fail",
		[SCN_EXACT_RECORD] = "record",
		[SCN_EXACT_NESTED_EXIT] = "nested-exit",
		[SCN_EXACT_IRET] = "iret",
	};
	return (unsigned)w < SCN_EXACT_COUNT ? names[w] : NULL;
}

const char *scn_exact_key_name(uint32_t key)
{
	static const char *const names[SCN_KEY_REG] = {
		[SCN_KEY_REASON] = "reason",
		[SCN_KEY_RIP] = "rip",
		[SCN_KEY_QUAL] = "qual",
		[SCN_KEY_INTR_INFO] = "intr-info",
		[SCN_KEY_INTR_ERROR] = "intr-error",
		[SCN_KEY_IDT_INFO] = "idt-info",
		[SCN_KEY_IDT_ERROR] = "idt-error",
		[SCN_KEY_INSN_LEN] = "insn-len",
		[SCN_KEY_INTERRUPTIBILITY] = "interruptibility",
		[SCN_KEY_ACTIVITY] = "activity",
		[SCN_KEY_ERROR] = "error",
		[SCN_KEY_INSN] = "insn",
	};
	if (key >= SCN_KEY_REG)
		return x86_gpr_name(key - SCN_KEY_REG);
	return names[key];
}

const char *scn_unit_name(enum scn_unit u)
{
	static const char *const names[] = {"", "ns", "us", "ms", "s"};
	return (unsigned)u <= SCN_UNIT_S ? names[u] : NULL;
}

const char *scn_cmp_name(enum scn_cmp c)
{
	static const char *const names[] = {"==", "!=", "<", "<=", ">", ">="};
	return (unsigned)c <= SCN_CMP_GE ? names[c] : NULL;
}

#define NUMERIC(name, param) {name, param, 0, false}
#define FEATURE(name, bit) {name, SCN_CPU_FEATURE, bit, true}
#define FLAG(name, param) {name, param, 0, true}

static const struct scn_cpu_param_row cpu_params[] = {
	NUMERIC("vmexit-cycles", SCN_CPU_VMEXIT_CYCLES),
	NUMERIC("vmentry-cycles", SCN_CPU_VMENTRY_CYCLES),
	NUMERIC("delivery-cycles", SCN_CPU_DELIVERY_CYCLES),
	NUMERIC("insn-cycles", SCN_CPU_INSN_CYCLES),
	NUMERIC("iret-cycles", SCN_CPU_IRET_CYCLES),
	NUMERIC("tsc-hz", SCN_CPU_TSC_HZ),
	FEATURE("virtual-nmis", VMX_FEAT_VIRTUAL_NMIS),
	FEATURE("tpr-shadow", VMX_FEAT_TPR_SHADOW),
	FEATURE("msr-bitmaps", VMX_FEAT_MSR_BITMAPS),
	FEATURE("mtf", VMX_FEAT_MTF),
	FEATURE("secondary", VMX_FEAT_SECONDARY),
	FEATURE("apic-accesses", VMX_FEAT_APIC_ACCESSES),
	FEATURE("ept-vpid", VMX_FEAT_EPT_VPID),
	FEATURE("ept-ad", VMX_FEAT_EPT_AD),
	FEATURE("unrestricted", VMX_FEAT_UNRESTRICTED),
	FEATURE("apicv", VMX_FEAT_APICV),
	FEATURE("preemption-timer", VMX_FEAT_PREEMPTION_TIMER),
	FEATURE("ack-intr-on-exit", VMX_FEAT_ACK_INTR_ON_EXIT),
	FEATURE("pat-efer", VMX_FEAT_PAT_EFER),
	FEATURE("act-hlt", VMX_FEAT_ACT_HLT),
	FEATURE("act-shutdown", VMX_FEAT_ACT_SHUTDOWN),
	FEATURE("act-wait-sipi", VMX_FEAT_ACT_WAIT_SIPI),
	FEATURE("vmwrite-ro", VMX_FEAT_VMWRITE_RO),
	FEATURE("zero-len-inj", VMX_FEAT_ZERO_LEN_INJ),
	FEATURE("no-hw-errcode-cc", VMX_FEAT_NO_HW_ERRCODE_CC),
	FEATURE("pause-loop", VMX_FEAT_PAUSE_LOOP),
	FEATURE("posted-intr", VMX_FEAT_POSTED_INTR),
	FEATURE("true-ctls", VMX_FEAT_TRUE_CTLS),
	FEATURE("save-efer-lma", VMX_FEAT_SAVE_EFER_LMA),
	FEATURE("entry-smm-ctls", VMX_FEAT_ENTRY_SMM_CTLS),
	FLAG("nmi-window-blocked-by-sti", SCN_CPU_NMI_WINDOW_BLOCKED_BY_STI),
	FLAG("nmi-inject-fails-with-sti", SCN_CPU_NMI_INJECT_FAILS_WITH_STI),
	FLAG("sti-blocks-nmi", SCN_CPU_STI_BLOCKS_NMI),
};

size_t scn_cpu_param_rows(void)
{
	return sizeof cpu_params / sizeof cpu_params[0];
}

const struct scn_cpu_param_row *scn_cpu_param_row(size_t i)
{
	return i < scn_cpu_param_rows() ? &cpu_params[i] : NULL;
}

const char *scn_cpu_param_name(enum scn_cpu_param p, uint32_t feature)
{
	for (size_t i = 0; i < scn_cpu_param_rows(); i++)
		if (cpu_params[i].param == p && (p != SCN_CPU_FEATURE || cpu_params[i].feature == feature))
			return cpu_params[i].name;
	return NULL;
}
