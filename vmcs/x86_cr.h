/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x86_cr.h - the bits of CR0, CR4 and IA32_EFER that the VM-entry checks
 * and the CPU models' IA32_VMX_CR4_FIXED1 name (SDM Vol. 3A 2.5 "Control
 * Registers", 2.2.1 "Extended Feature Enable Register"), and the layout of the EPT pointer (Vol. 3C 25.6.11
 * "Extended-Page-Table Pointer (EPTP)"; 24.6.11 in older editions).
 * Linux's names (asm/processor-flags.h, asm/msr-index.h, asm/vmx.h).
 */
#ifndef VMXSIM_X86_CR_H
#define VMXSIM_X86_CR_H

#define X86_CR0_PE (1ull << 0)
#define X86_CR0_NE (1ull << 5)
#define X86_CR0_PG (1ull << 31)

#define X86_CR4_DE (1ull << 3)       /* debug extensions: DR4/DR5 are #UD, R/W = 10 is an I/O breakpoint */
#define X86_CR4_PAE (1ull << 5)
#define X86_CR4_MCE (1ull << 6)      /* machine-check enable: 0 makes a machine-check event a shutdown */
#define X86_CR4_OSXMMEXCPT (1ull << 10)
#define X86_CR4_UMIP (1ull << 11)
#define X86_CR4_VMXE (1ull << 13)
#define X86_CR4_SMXE (1ull << 14)
#define X86_CR4_FSGSBASE (1ull << 16)
#define X86_CR4_PCIDE (1ull << 17)
#define X86_CR4_OSXSAVE (1ull << 18)
#define X86_CR4_SMEP (1ull << 20)
#define X86_CR4_SMAP (1ull << 21)
#define X86_CR4_PKE (1ull << 22)
/* VME (0) through OSXMMEXCPT (10): every generation the model has defines them. */
#define X86_CR4_LEGACY ((X86_CR4_OSXMMEXCPT << 1) - 1)

#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NX (1ull << 11)
/* The EFER bits a processor of the model's generations defines; the others are reserved. */
#define EFER_DEFINED (EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

#define VMX_EPTP_MT_MASK 0x7ull        /* 2:0: memory type of the paging structures */
#define VMX_EPTP_MT_UC 0x0ull
#define VMX_EPTP_MT_WB 0x6ull
#define VMX_EPTP_PWL_MASK 0x38ull      /* 5:3: page-walk length minus 1 */
#define VMX_EPTP_PWL_4 0x18ull
#define VMX_EPTP_PWL_5 0x20ull
#define VMX_EPTP_AD_ENABLE (1ull << 6) /* 6: accessed and dirty flags */
#define VMX_EPTP_RESERVED 0xf80ull     /* 11:7 (bit 7, CET supervisor shadow stacks, not modelled) */

#endif
