/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cpu_model.h - named CPU models: VMX capabilities, model-specific event
 * behaviour and timing. The table is cpu_models.def.
 */
#ifndef VMXSIM_CPU_MODEL_H
#define VMXSIM_CPU_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "vmcs/vmx_caps.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Features from which the capability MSRs are derived (one bit each). */
enum vmx_feature {
	VMX_FEAT_VIRTUAL_NMIS = 1u << 0,      /* pin 5 + NMI-window exiting (proc 22) */
	VMX_FEAT_TPR_SHADOW = 1u << 1,        /* proc 21 */
	VMX_FEAT_MSR_BITMAPS = 1u << 2,       /* proc 28 */
	VMX_FEAT_MTF = 1u << 3,               /* proc 27 */
	VMX_FEAT_SECONDARY = 1u << 4,         /* proc 31 */
	VMX_FEAT_APIC_ACCESSES = 1u << 5,     /* proc2 0 */
	VMX_FEAT_EPT_VPID = 1u << 6,          /* proc2 1, 5 */
	VMX_FEAT_UNRESTRICTED = 1u << 7,      /* proc2 7 */
	VMX_FEAT_APICV = 1u << 8,             /* proc2 4, 8, 9 */
	VMX_FEAT_PREEMPTION_TIMER = 1u << 9,  /* pin 6 + exit 22 */
	VMX_FEAT_ACK_INTR_ON_EXIT = 1u << 10, /* exit 15 */
	VMX_FEAT_PAT_EFER = 1u << 11,         /* exit 18-21, entry 14-15 */
	VMX_FEAT_ACT_HLT = 1u << 12,          /* MISC 6 */
	VMX_FEAT_ACT_SHUTDOWN = 1u << 13,     /* MISC 7 */
	VMX_FEAT_ACT_WAIT_SIPI = 1u << 14,    /* MISC 8 */
	VMX_FEAT_VMWRITE_RO = 1u << 15,       /* MISC 29 */
	VMX_FEAT_ZERO_LEN_INJ = 1u << 16,     /* MISC 30 */
	VMX_FEAT_NO_HW_ERRCODE_CC = 1u << 17, /* BASIC 56 */
	VMX_FEAT_PAUSE_LOOP = 1u << 18,       /* proc2 10 */
	VMX_FEAT_POSTED_INTR = 1u << 19,      /* pin 7 */
	VMX_FEAT_TRUE_CTLS = 1u << 20,        /* BASIC 55 + IA32_VMX_TRUE_*_CTLS (0x48D-0x490) */
	VMX_FEAT_SAVE_EFER_LMA = 1u << 21,    /* MISC 5 */
	VMX_FEAT_ENTRY_SMM_CTLS = 1u << 22,   /* entry 10, 11 (both fail a VM entry outside SMM) */
	VMX_FEAT_EPT_AD = 1u << 23,           /* IA32_VMX_EPT_VPID_CAP 21: EPT accessed/dirty flags (with EPT_VPID) */
};

/* The last feature bit: loops over the features run up to it. */
#define VMX_FEAT_LAST VMX_FEAT_EPT_AD

struct cpu_model {
	const char *name;            /* "core2-no-vnmi", "nehalem", "haswell", ... */
	const char *summary;         /* one line for `vmxsim list` and docs */
	uint32_t features;           /* enum vmx_feature bits */
	uint32_t revision_id;        /* IA32_VMX_BASIC 30:0 */
	uint32_t preemption_timer_rate; /* IA32_VMX_MISC 4:0 */
	uint32_t phys_addr_bits;     /* MAXPHYADDR (CPUID 80000008H:EAX[7:0]): VMCS addresses must fit (26.2.1.1) */
	uint32_t vmcs_region_bytes;  /* IA32_VMX_BASIC 44:32 (0: not reported) */
	uint32_t vmcs_memory_type;   /* IA32_VMX_BASIC 53:50 (0 UC, 6 WB) */
	uint32_t cr3_target_count;   /* IA32_VMX_MISC 24:16 (0: not reported; VM entry accepts 4 whatever it says) */
	uint64_t cr4_fixed1;         /* IA32_VMX_CR4_FIXED1: the CR4 bits that may be 1 in VMX operation */
	uint64_t mcg_cap;            /* IA32_MCG_CAP: machine-check banks (7:0) and features (model/hw/mca_bank.c) */
	struct vmx_caps caps;        /* derived from features by cpu_model_derive_caps() */

	/* Timing, in core cycles (the model's one clock, equal to the TSC). */
	uint64_t tsc_hz;             /* TSC frequency */
	uint32_t vmexit_cycles;      /* hardware VM exit, guest boundary to host RIP */
	uint32_t vmentry_cycles;     /* hardware VM entry, VMLAUNCH/VMRESUME to guest */
	uint32_t delivery_cycles;    /* vectoring one event through the IDT */
	uint32_t insn_cycles;        /* STI, CLI, MOV SS, JMP, EOI, ...; one `work` unit */
	uint32_t iret_cycles;        /* IRET */

	/* Model-specific behaviour the SDM leaves open. */
	bool nmi_window_blocked_by_sti;  /* R18: NMI-window exit withheld during STI blocking */
	bool nmi_inject_fails_with_sti;  /* R10: NMI injection with STI blocking is Fail-G (qual 3) */
	bool sti_blocks_nmi;             /* STI blocking also holds off NMIs */
};

/* Fill caps from features, revision and timer rate. */
void cpu_model_derive_caps(struct cpu_model *m);

/* A named model, with its capabilities derived; false if no such name. */
bool cpu_model_lookup(const char *name, struct cpu_model *out);

/* Number of named models and model i (with capabilities derived). */
int cpu_model_count(void);
void cpu_model_at(int i, struct cpu_model *out);

#ifdef __cplusplus
}
#endif
#endif
