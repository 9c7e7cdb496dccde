/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rt_vmx.h - VMCS field encodings (SDM Vol. 3D Appendix B), control bits
 * and MSR numbers the oracle runtime uses, and the VMX instructions as
 * inline functions that return how they ended.
 */
#ifndef VMXSIM_ORACLE_RT_VMX_H
#define VMXSIM_ORACLE_RT_VMX_H

#include <stdint.h>

/* 16-bit guest-state and host-state fields */
#define VMCS_GUEST_ES_SELECTOR 0x0800u   /* ES CS SS DS FS GS LDTR TR: +2 each */
#define VMCS_GUEST_CS_SELECTOR 0x0802u
#define VMCS_GUEST_LDTR_SELECTOR 0x080cu
#define VMCS_GUEST_TR_SELECTOR 0x080eu
#define VMCS_HOST_ES_SELECTOR 0x0c00u
#define VMCS_HOST_CS_SELECTOR 0x0c02u
#define VMCS_HOST_SS_SELECTOR 0x0c04u
#define VMCS_HOST_DS_SELECTOR 0x0c06u
#define VMCS_HOST_FS_SELECTOR 0x0c08u
#define VMCS_HOST_GS_SELECTOR 0x0c0au
#define VMCS_HOST_TR_SELECTOR 0x0c0cu

/* 64-bit fields */
#define VMCS_IO_BITMAP_A 0x2000u
#define VMCS_IO_BITMAP_B 0x2002u
#define VMCS_MSR_BITMAP 0x2004u
#define VMCS_TSC_OFFSET 0x2010u
#define VMCS_LINK_POINTER 0x2800u
#define VMCS_GUEST_IA32_DEBUGCTL 0x2802u
#define VMCS_GUEST_IA32_PAT 0x2804u
#define VMCS_GUEST_IA32_EFER 0x2806u
#define VMCS_HOST_IA32_PAT 0x2c00u
#define VMCS_HOST_IA32_EFER 0x2c02u

/* 32-bit control fields */
#define VMCS_PIN_BASED_CTLS 0x4000u
#define VMCS_PROC_BASED_CTLS 0x4002u
#define VMCS_EXCEPTION_BITMAP 0x4004u
#define VMCS_PF_ERROR_CODE_MASK 0x4006u
#define VMCS_PF_ERROR_CODE_MATCH 0x4008u
#define VMCS_CR3_TARGET_COUNT 0x400au
#define VMCS_EXIT_CTLS 0x400cu
#define VMCS_EXIT_MSR_STORE_COUNT 0x400eu
#define VMCS_EXIT_MSR_LOAD_COUNT 0x4010u
#define VMCS_ENTRY_CTLS 0x4012u
#define VMCS_ENTRY_MSR_LOAD_COUNT 0x4014u
#define VMCS_ENTRY_INTR_INFO 0x4016u
#define VMCS_ENTRY_EXCEPTION_ERROR_CODE 0x4018u
#define VMCS_ENTRY_INSTRUCTION_LEN 0x401au
#define VMCS_TPR_THRESHOLD 0x401cu

/* 32-bit read-only data fields */
#define VMCS_VM_INSTRUCTION_ERROR 0x4400u
#define VMCS_EXIT_REASON 0x4402u
#define VMCS_EXIT_INTR_INFO 0x4404u
#define VMCS_EXIT_INTR_ERROR_CODE 0x4406u
#define VMCS_IDT_VECTORING_INFO 0x4408u
#define VMCS_IDT_VECTORING_ERROR_CODE 0x440au
#define VMCS_EXIT_INSTRUCTION_LEN 0x440cu

/* 32-bit guest-state fields */
#define VMCS_GUEST_ES_LIMIT 0x4800u      /* same segment order as the selectors */
#define VMCS_GUEST_CS_LIMIT 0x4802u
#define VMCS_GUEST_LDTR_LIMIT 0x480cu
#define VMCS_GUEST_TR_LIMIT 0x480eu
#define VMCS_GUEST_GDTR_LIMIT 0x4810u
#define VMCS_GUEST_IDTR_LIMIT 0x4812u
#define VMCS_GUEST_ES_AR 0x4814u
#define VMCS_GUEST_CS_AR 0x4816u
#define VMCS_GUEST_LDTR_AR 0x4820u
#define VMCS_GUEST_TR_AR 0x4822u
#define VMCS_GUEST_INTERRUPTIBILITY 0x4824u
#define VMCS_GUEST_ACTIVITY_STATE 0x4826u
#define VMCS_GUEST_SYSENTER_CS 0x482au
#define VMCS_HOST_SYSENTER_CS 0x4c00u

/* natural-width fields */
#define VMCS_CR0_GUEST_HOST_MASK 0x6000u
#define VMCS_CR4_GUEST_HOST_MASK 0x6002u
#define VMCS_CR0_READ_SHADOW 0x6004u
#define VMCS_CR4_READ_SHADOW 0x6006u
#define VMCS_EXIT_QUALIFICATION 0x6400u
#define VMCS_GUEST_CR0 0x6800u
#define VMCS_GUEST_CR3 0x6802u
#define VMCS_GUEST_CR4 0x6804u
#define VMCS_GUEST_ES_BASE 0x6806u       /* same segment order as the selectors */
#define VMCS_GUEST_CS_BASE 0x6808u
#define VMCS_GUEST_LDTR_BASE 0x6812u
#define VMCS_GUEST_TR_BASE 0x6814u
#define VMCS_GUEST_GDTR_BASE 0x6816u
#define VMCS_GUEST_IDTR_BASE 0x6818u
#define VMCS_GUEST_DR7 0x681au
#define VMCS_GUEST_RSP 0x681cu
#define VMCS_GUEST_RIP 0x681eu
#define VMCS_GUEST_RFLAGS 0x6820u
#define VMCS_GUEST_PENDING_DBG_EXCEPTIONS 0x6822u
#define VMCS_GUEST_SYSENTER_ESP 0x6824u
#define VMCS_GUEST_SYSENTER_EIP 0x6826u
#define VMCS_HOST_CR0 0x6c00u
#define VMCS_HOST_CR3 0x6c02u
#define VMCS_HOST_CR4 0x6c04u
#define VMCS_HOST_FS_BASE 0x6c06u
#define VMCS_HOST_GS_BASE 0x6c08u
#define VMCS_HOST_TR_BASE 0x6c0au
#define VMCS_HOST_GDTR_BASE 0x6c0cu
#define VMCS_HOST_IDTR_BASE 0x6c0eu
#define VMCS_HOST_SYSENTER_ESP 0x6c10u
#define VMCS_HOST_SYSENTER_EIP 0x6c12u
#define VMCS_HOST_RSP 0x6c14u
#define VMCS_HOST_RIP 0x6c16u

/* control bits (SDM Vol. 3C 25.6, 25.7, 25.8) */
#define PIN_BASED_EXT_INTR_EXITING (1u << 0)
#define PIN_BASED_NMI_EXITING (1u << 3)
#define EXIT_CTL_HOST_ADDR_SPACE_SIZE (1u << 9)
#define EXIT_CTL_LOAD_IA32_PAT (1u << 19)
#define EXIT_CTL_SAVE_IA32_PAT (1u << 18)
#define EXIT_CTL_SAVE_IA32_EFER (1u << 20)
#define EXIT_CTL_LOAD_IA32_EFER (1u << 21)
#define ENTRY_CTL_IA32E_MODE_GUEST (1u << 9)
#define ENTRY_CTL_LOAD_IA32_PAT (1u << 14)
#define ENTRY_CTL_LOAD_IA32_EFER (1u << 15)

/* MSRs */
#define MSR_IA32_APIC_BASE 0x1bu
#define MSR_IA32_FEATURE_CONTROL 0x3au
#define MSR_IA32_PAT 0x277u
#define MSR_IA32_VMX_BASIC 0x480u
#define MSR_IA32_VMX_PINBASED_CTLS 0x481u
#define MSR_IA32_VMX_PROCBASED_CTLS 0x482u
#define MSR_IA32_VMX_EXIT_CTLS 0x483u
#define MSR_IA32_VMX_ENTRY_CTLS 0x484u
#define MSR_IA32_VMX_MISC 0x485u
#define MSR_IA32_VMX_CR0_FIXED0 0x486u
#define MSR_IA32_VMX_CR0_FIXED1 0x487u
#define MSR_IA32_VMX_CR4_FIXED0 0x488u
#define MSR_IA32_VMX_CR4_FIXED1 0x489u
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x48bu
#define MSR_IA32_VMX_EPT_VPID_CAP 0x48cu
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS 0x48du
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS 0x490u
#define MSR_IA32_EFER 0xc0000080u
#define MSR_X2APIC_SVR 0x80fu
#define MSR_X2APIC_LVT_LINT0 0x835u

#define CR4_VMXE (1ull << 13)
#define RFLAGS_CF (1ull << 0)
#define RFLAGS_ZF (1ull << 6)

/* How a VMX instruction ended (SDM Vol. 3C 31.2): VMsucceed, VMfailInvalid (CF), VMfailValid (ZF). */
enum vmx_result { VMX_OK = 0, VMX_FAIL_INVALID = 1, VMX_FAIL_VALID = 2 };

static inline enum vmx_result vmx_flags(uint8_t cf, uint8_t zf)
{
	return cf ? VMX_FAIL_INVALID : zf ? VMX_FAIL_VALID : VMX_OK;
}

static inline enum vmx_result vmx_write(uint64_t field, uint64_t value)
{
	uint8_t cf, zf;
	__asm__ volatile("vmwrite %[v], %[f]\n\tsetc %[cf]\n\tsetz %[zf]"
	                 : [cf] "=qm"(cf), [zf] "=qm"(zf)
	                 : [f] "r"(field), [v] "rm"(value)
	                 : "cc", "memory");
	return vmx_flags(cf, zf);
}

/* A failed VMREAD leaves its destination alone: the result is then 0. */
static inline uint64_t vmx_read(uint64_t field)
{
	uint64_t value = 0;
	__asm__ volatile("vmread %[f], %[v]" : [v] "+rm"(value) : [f] "r"(field) : "cc");
	return value;
}

/* VMXON, VMCLEAR and VMPTRLD take the physical address in an m64 operand. */
#define RT_VMX_M64_INSN(name, insn)                                                            \
	static inline enum vmx_result name(uint64_t pa)                                        \
	{                                                                                      \
		uint8_t cf, zf;                                                                \
		__asm__ volatile(insn " %[m]\n\tsetc %[cf]\n\tsetz %[zf]"                      \
		                 : [cf] "=qm"(cf), [zf] "=qm"(zf)                              \
		                 : [m] "m"(pa)                                                 \
		                 : "cc", "memory");                                            \
		return vmx_flags(cf, zf);                                                      \
	}
RT_VMX_M64_INSN(vmx_on, "vmxon")
RT_VMX_M64_INSN(vmx_clear, "vmclear")
RT_VMX_M64_INSN(vmx_ptrld, "vmptrld")
#undef RT_VMX_M64_INSN

static inline void vmx_off(void) { __asm__ volatile("vmxoff" ::: "cc", "memory"); }

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t value)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)) : "memory");
}

#define RT_CR_ACCESSORS(n)                                                                     \
	static inline uint64_t read_cr##n(void)                                                \
	{                                                                                      \
		uint64_t v;                                                                    \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                              \
		return v;                                                                      \
	}                                                                                      \
	static inline void write_cr##n(uint64_t v) { __asm__ volatile("mov %0, %%cr" #n ::"r"(v) : "memory"); }
RT_CR_ACCESSORS(0)
RT_CR_ACCESSORS(3)
RT_CR_ACCESSORS(4)
#undef RT_CR_ACCESSORS

static inline void cpuid(uint32_t leaf, uint32_t out[4])
{
	__asm__ volatile("cpuid" : "=a"(out[0]), "=b"(out[1]), "=c"(out[2]), "=d"(out[3]) : "a"(leaf), "c"(0u));
}

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }

#endif
