/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cpu_model.c - named CPU models and the derivation of their VMX capability
 * MSRs from feature lists.
 */
#include "vmcs/cpu_model.h"

#include <string.h>

#include "vmcs/vmx_controls.h"
#include "vmcs/x86_cr.h"

static const struct cpu_model models[] = {
#define CPU_MODEL(name, summary, features, rev, rate, maxphy, vmcs_bytes, vmcs_type, cr3_targets, cr4_fixed1, tsc,     \
                  mcg, exitc, entryc, deliv, insn, iret, nwsti, injsti, stinmi)                                     \
	{name, summary, features, rev, rate, maxphy, vmcs_bytes, vmcs_type, cr3_targets, cr4_fixed1, mcg,               \
	 {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, tsc, exitc, entryc, deliv, insn, iret, nwsti, injsti, stinmi},
#include "vmcs/cpu_models.def"
#undef CPU_MODEL
};

#define MODEL_COUNT ((int)(sizeof(models) / sizeof(models[0])))

static uint64_t ctl_msr(uint32_t allowed0, uint32_t allowed1)
{
	/* A must-be-1 bit is also allowed to be 1. */
	return ((uint64_t)(allowed1 | allowed0) << 32) | allowed0;
}

/*
 * The default-1 controls that the TRUE capability MSRs let software clear:
 * the ones processors with IA32_VMX_BASIC[55] report as allowed-0 (App.
 * A.2): CR3-load and CR3-store exiting, save and load debug controls. The
 * other default-1 bits stay must-be-1.
 */
#define CPU_BASED_TRUE_MAY_BE_0 (CPU_BASED_CR3_LOAD_EXITING | CPU_BASED_CR3_STORE_EXITING)
#define VM_EXIT_TRUE_MAY_BE_0 VM_EXIT_SAVE_DEBUG_CONTROLS
#define VM_ENTRY_TRUE_MAY_BE_0 VM_ENTRY_LOAD_DEBUG_CONTROLS

/* The TRUE form of a control MSR: the same allowed-1 bits, fewer allowed-0 bits. */
static uint64_t true_msr(uint64_t msr, uint32_t may_be_0)
{
	return msr & ~(uint64_t)may_be_0;
}

/* BASIC: revision, VMCS region size and memory type, and the feature bits 54-56. */
static uint64_t derive_basic(const struct cpu_model *m)
{
	uint32_t f = m->features;

	return (m->revision_id & VMX_BASIC_REVISION_MASK) |
	       ((uint64_t)(m->vmcs_region_bytes & VMX_BASIC_VMCS_SIZE_MASK) << VMX_BASIC_VMCS_SIZE_SHIFT) |
	       ((uint64_t)(m->vmcs_memory_type & VMX_BASIC_MEM_TYPE_MASK) << VMX_BASIC_MEM_TYPE_SHIFT) |
	       VMX_BASIC_INOUT | ((f & VMX_FEAT_TRUE_CTLS) ? VMX_BASIC_TRUE_CTLS : 0) |
	       ((f & VMX_FEAT_NO_HW_ERRCODE_CC) ? VMX_BASIC_NO_HW_ERROR_CODE_CC : 0);
}

/* MISC: timer rate, the bits of the features, the CR3-target count. */
static uint64_t derive_misc(const struct cpu_model *m)
{
	uint32_t f = m->features;
	uint64_t misc = m->preemption_timer_rate & VMX_MISC_PREEMPTION_TIMER_RATE_MASK;

	if (f & VMX_FEAT_SAVE_EFER_LMA)
		misc |= VMX_MISC_SAVE_EFER_LMA;
	if (f & VMX_FEAT_ACT_HLT)
		misc |= VMX_MISC_ACTIVITY_HLT;
	if (f & VMX_FEAT_ACT_SHUTDOWN)
		misc |= VMX_MISC_ACTIVITY_SHUTDOWN;
	if (f & VMX_FEAT_ACT_WAIT_SIPI)
		misc |= VMX_MISC_ACTIVITY_WAIT_SIPI;
	if (f & VMX_FEAT_VMWRITE_RO)
		misc |= VMX_MISC_VMWRITE_SHADOW_RO_FIELDS;
	if (f & VMX_FEAT_ZERO_LEN_INJ)
		misc |= VMX_MISC_ZERO_LEN_INS;
	return misc | (uint64_t)(m->cr3_target_count & VMX_MISC_CR3_TARGETS_MASK) << VMX_MISC_CR3_TARGETS_SHIFT;
}

/*
 * IA32_VMX_CR0_FIXED0/1 and IA32_VMX_CR4_FIXED0/1 (App. A.7, A.8): PE, NE
 * and PG must be 1 in VMX operation and every CR0 bit of 31:0 may be 1;
 * CR4.VMXE must be 1 and the CR4 bits that may be 1 are the part's
 * (cpu_models.def, the cr4_fixed1 column; on the Bochs twins Bochs's value
 * but for what the model lacks) - the model has no paging or instruction
 * that reads them.
 * IA32_VMX_EPT_VPID_CAP, with EPT: page-walk length 4, uncacheable and
 * write-back paging structures, and the accessed/dirty flags where the
 * part has them (Haswell and later; App. A.10).
 */
static void derive_fixed_and_ept(struct cpu_model *m)
{
	uint32_t f = m->features;

	m->caps.cr0_fixed0 = X86_CR0_PE | X86_CR0_NE | X86_CR0_PG;
	m->caps.cr0_fixed1 = 0xffffffffull;
	m->caps.cr4_fixed0 = X86_CR4_VMXE;
	m->caps.cr4_fixed1 = m->cr4_fixed1 | X86_CR4_VMXE;
	m->caps.ept_vpid_cap = 0;
	if (f & VMX_FEAT_EPT_VPID) {
		m->caps.ept_vpid_cap = VMX_EPT_CAP_WALK_4 | VMX_EPT_CAP_UC | VMX_EPT_CAP_WB;
		if (f & VMX_FEAT_EPT_AD)
			m->caps.ept_vpid_cap |= VMX_EPT_CAP_AD;
	}
}

void cpu_model_derive_caps(struct cpu_model *m)
{
	uint32_t f = m->features;
	uint32_t pin = PIN_BASED_ALWAYSON_WITHOUT_TRUE_MSR | PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING;
	uint32_t proc = CPU_BASED_ALWAYSON_WITHOUT_TRUE_MSR | CPU_BASED_INTR_WINDOW_EXITING |
	                CPU_BASED_USE_TSC_OFFSETTING | CPU_BASED_HLT_EXITING | CPU_BASED_INVLPG_EXITING |
	                CPU_BASED_MWAIT_EXITING | CPU_BASED_RDPMC_EXITING | CPU_BASED_RDTSC_EXITING |
	                CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING |
	                CPU_BASED_MOV_DR_EXITING | CPU_BASED_UNCOND_IO_EXITING | CPU_BASED_USE_IO_BITMAPS |
	                CPU_BASED_MONITOR_EXITING | CPU_BASED_PAUSE_EXITING;
	uint32_t proc2 = 0;
	uint32_t exit = VM_EXIT_ALWAYSON_WITHOUT_TRUE_MSR | VM_EXIT_HOST_ADDR_SPACE_SIZE;
	uint32_t entry = VM_ENTRY_ALWAYSON_WITHOUT_TRUE_MSR | VM_ENTRY_IA32E_MODE;

	if (f & VMX_FEAT_VIRTUAL_NMIS) {
		pin |= PIN_BASED_VIRTUAL_NMIS;
		proc |= CPU_BASED_NMI_WINDOW_EXITING;
	}
	if (f & VMX_FEAT_TPR_SHADOW)
		proc |= CPU_BASED_TPR_SHADOW;
	if (f & VMX_FEAT_MSR_BITMAPS)
		proc |= CPU_BASED_USE_MSR_BITMAPS;
	if (f & VMX_FEAT_MTF)
		proc |= CPU_BASED_MONITOR_TRAP_FLAG;
	if (f & VMX_FEAT_SECONDARY)
		proc |= CPU_BASED_ACTIVATE_SECONDARY_CONTROLS;
	if (f & VMX_FEAT_APIC_ACCESSES)
		proc2 |= SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES;
	if (f & VMX_FEAT_EPT_VPID)
		proc2 |= SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID;
	if (f & VMX_FEAT_UNRESTRICTED)
		proc2 |= SECONDARY_EXEC_UNRESTRICTED_GUEST;
	if (f & VMX_FEAT_PAUSE_LOOP)
		proc2 |= SECONDARY_EXEC_PAUSE_LOOP_EXITING;
	if (f & VMX_FEAT_APICV) {
		/* The APIC-virtualization controls of the SDM's "APIC Virtualization and
		 * Virtual Interrupts" chapter that the model names, besides the TPR
		 * shadow and APIC-access virtualization (features of their own). */
		proc2 |= SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE | SECONDARY_EXEC_APIC_REGISTER_VIRT |
		         SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY;
	}
	/* A feature of its own: Haswell-class parts (and Bochs's models of them) have the above without it. */
	if (f & VMX_FEAT_POSTED_INTR)
		pin |= PIN_BASED_POSTED_INTR;
	if (f & VMX_FEAT_PREEMPTION_TIMER) {
		pin |= PIN_BASED_VMX_PREEMPTION_TIMER;
		exit |= VM_EXIT_SAVE_VMX_PREEMPTION_TIMER;
	}
	if (f & VMX_FEAT_ACK_INTR_ON_EXIT)
		exit |= VM_EXIT_ACK_INTR_ON_EXIT;
	if (f & VMX_FEAT_PAT_EFER) {
		exit |= VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT | VM_EXIT_SAVE_IA32_EFER |
		        VM_EXIT_LOAD_IA32_EFER;
		entry |= VM_ENTRY_LOAD_IA32_PAT | VM_ENTRY_LOAD_IA32_EFER;
	}
	/* 26.2.1.3: both fail a VM entry outside SMM, which the model checks; offered as real parts do. */
	if (f & VMX_FEAT_ENTRY_SMM_CTLS)
		entry |= VM_ENTRY_SMM | VM_ENTRY_DEACT_DUAL_MONITOR;

	m->caps.basic = derive_basic(m);
	m->caps.pinbased_ctls = ctl_msr(PIN_BASED_ALWAYSON_WITHOUT_TRUE_MSR, pin);
	m->caps.procbased_ctls = ctl_msr(CPU_BASED_ALWAYSON_WITHOUT_TRUE_MSR, proc);
	m->caps.procbased_ctls2 = (f & VMX_FEAT_SECONDARY) ? ctl_msr(0, proc2) : 0;
	m->caps.exit_ctls = ctl_msr(VM_EXIT_ALWAYSON_WITHOUT_TRUE_MSR, exit);
	m->caps.entry_ctls = ctl_msr(VM_ENTRY_ALWAYSON_WITHOUT_TRUE_MSR, entry);
	m->caps.misc = derive_misc(m);
	derive_fixed_and_ept(m);
	if (f & VMX_FEAT_TRUE_CTLS) {
		m->caps.true_pinbased_ctls = m->caps.pinbased_ctls;   /* its default-1 bits all stay must-be-1 */
		m->caps.true_procbased_ctls = true_msr(m->caps.procbased_ctls, CPU_BASED_TRUE_MAY_BE_0);
		m->caps.true_exit_ctls = true_msr(m->caps.exit_ctls, VM_EXIT_TRUE_MAY_BE_0);
		m->caps.true_entry_ctls = true_msr(m->caps.entry_ctls, VM_ENTRY_TRUE_MAY_BE_0);
	} else {
		m->caps.true_pinbased_ctls = 0;
		m->caps.true_procbased_ctls = 0;
		m->caps.true_exit_ctls = 0;
		m->caps.true_entry_ctls = 0;
	}
}

bool cpu_model_lookup(const char *name, struct cpu_model *out)
{
	for (int i = 0; i < MODEL_COUNT; i++) {
		if (!strcmp(models[i].name, name)) {
			cpu_model_at(i, out);
			return true;
		}
	}
	return false;
}

int cpu_model_count(void)
{
	return MODEL_COUNT;
}

void cpu_model_at(int i, struct cpu_model *out)
{
	*out = models[i];
	cpu_model_derive_caps(out);
}
