/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x86_mcg.h - the machine-check architecture's registers (SDM Vol. 3B
 * "Machine-Check Architecture"): IA32_MCG_STATUS (17AH), the processor's
 * and the one a hypervisor emulates for its guest; IA32_MCG_CAP (179H),
 * IA32_MCG_CTL (17BH) and the error-reporting banks IA32_MCi_CTL, _STATUS,
 * _ADDR and _MISC (400H + 4i + 0..3), which the processor keeps as its CPU
 * model's IA32_MCG_CAP says (model/hw/mca_bank.c) and a hypervisor model
 * may emulate for its guest; and the record of one error logged in a bank.
 */
#ifndef VMXSIM_X86_MCG_H
#define VMXSIM_X86_MCG_H

#include <stdbool.h>
#include <stdint.h>

#define MCG_STATUS_RIPV (1ull << 0)   /* restart IP valid: the program can resume at the pushed RIP */
#define MCG_STATUS_EIPV (1ull << 1)   /* error IP valid: the pushed RIP is where the error happened */
#define MCG_STATUS_MCIP (1ull << 2)   /* machine check in progress: a second one shuts the processor down */
#define MCG_STATUS_RESERVED (~(uint64_t)(MCG_STATUS_RIPV | MCG_STATUS_EIPV | MCG_STATUS_MCIP))

#define MCG_CAP_COUNT 0xffull         /* 7:0: the number of banks */
#define MCG_CTL_P (1ull << 8)         /* IA32_MCG_CTL is present */
#define MCG_EXT_P (1ull << 9)         /* extended machine-check state registers (180H on) */
#define MCG_CMCI_P (1ull << 10)       /* corrected machine-check interrupts: IA32_MCi_CTL2 (280H + i) */
#define MCG_TES_P (1ull << 11)        /* threshold-based error status in MCi_STATUS 54:53 */
#define MCG_SER_P (1ull << 24)        /* software error recovery: the S and AR bits of MCi_STATUS */
#define MCG_EMC_P (1ull << 25)        /* enhanced machine-check capability (firmware first) */
#define MCG_ELOG_P (1ull << 26)       /* extended error logging */
#define MCG_LMCE_P (1ull << 27)       /* local machine-check exceptions */

#define MCI_STATUS_VAL (1ull << 63)   /* the bank holds an error */
#define MCI_STATUS_OVER (1ull << 62)  /* an error came while the bank held one */
#define MCI_STATUS_UC (1ull << 61)    /* uncorrected */
#define MCI_STATUS_EN (1ull << 60)    /* reporting was enabled: a machine-check exception signalled it */
#define MCI_STATUS_MISCV (1ull << 59) /* MCi_MISC holds information of this error */
#define MCI_STATUS_ADDRV (1ull << 58) /* MCi_ADDR holds the address of this error */
#define MCI_STATUS_PCC (1ull << 57)   /* processor context corrupt */
#define MCI_STATUS_S (1ull << 56)     /* signalled (MCG_SER_P) */
#define MCI_STATUS_AR (1ull << 55)    /* action required (MCG_SER_P) */

#define MSR_MC0_CTL_BASE 0x400u
/*
 * The most banks there can be: IA32_MC0_CTL (400H) to IA32_MC31_MISC (47FH),
 * which ends where the VMX capability MSRs begin (x86_msrs.def).
 */
#define X86_MCA_BANKS_MAX 32u

/* The registers of a bank, in the order of their MSRs. */
enum x86_mca_reg { MCA_REG_CTL, MCA_REG_STATUS, MCA_REG_ADDR, MCA_REG_MISC };

/*
 * IA32_MCi_CTL2 (SDM Vol. 3B "CMCI Control"), present with MCG_CMCI_P:
 * CMCI_EN and the threshold of corrected errors at which the bank signals
 * a corrected machine-check interrupt; the rest is reserved.
 */
#define MSR_MC0_CTL2_BASE 0x280u
#define MCI_CTL2_CMCI_EN (1ull << 30)
#define MCI_CTL2_THRESHOLD 0x7fffull
#define MCI_CTL2_RESERVED (~(MCI_CTL2_CMCI_EN | MCI_CTL2_THRESHOLD))

/* MCi_STATUS 52:38 (with MCG_CMCI_P): the count of corrected errors the bank has seen since software cleared it. */
#define MCI_STATUS_CEC_SHIFT 38
#define MCI_STATUS_CEC_MAX 0x7fffull
#define MCI_STATUS_CEC_MASK (MCI_STATUS_CEC_MAX << MCI_STATUS_CEC_SHIFT)

static inline bool x86_msr_is_mca_ctl2(uint32_t msr)
{
	return msr >= MSR_MC0_CTL2_BASE && msr < MSR_MC0_CTL2_BASE + X86_MCA_BANKS_MAX;
}

/* IA32_MCG_CAP, IA32_MCG_CTL, or a register of banks 0-31, CTL2 included (not IA32_MCG_STATUS). */
static inline bool x86_msr_is_mca_bank(uint32_t msr)
{
	return msr == 0x179u || msr == 0x17Bu || x86_msr_is_mca_ctl2(msr) ||
	       (msr >= MSR_MC0_CTL_BASE && msr < MSR_MC0_CTL_BASE + 4u * X86_MCA_BANKS_MAX);
}

/*
 * One error: the bank it is logged in, MCi_STATUS, MCi_ADDR, MCi_MISC,
 * and the IA32_MCG_STATUS the handler finds (the fields of KVM's
 * KVM_X86_SET_MCE record, which is where the scenarios hand it over).
 * An error at the processor's pins uses bank, status, addr and misc, and
 * enable_bit: the bit of the bank's IA32_MCi_CTL that enables signalling
 * errors of its type (which bit goes with which type is model-specific,
 * SDM Vol. 3B "IA32_MCi_CTL MSRs"); the processor computes VAL, OVER and
 * EN and IA32_MCG_STATUS itself.
 */
struct x86_mce_record {
	uint32_t bank;
	uint32_t enable_bit;
	uint64_t status, addr, misc, mcg_status;
};

/*
 * What an `mce -> L1` without its own values injects: an uncorrected
 * error, reporting enabled, in bank 0, that the guest can resume from
 * (MCIP and RIPV).
 */
#define X86_MCE_RECORD_DEFAULT                                                                              \
	{ .bank = 0, .enable_bit = 0, .status = MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_EN, .addr = 0, .misc = 0,            \
	  .mcg_status = MCG_STATUS_MCIP | MCG_STATUS_RIPV }

#endif
