/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mca_bank.c - the processor's machine-check banks (SDM Vol. 3B
 * "Machine-Check Architecture": "Machine-Check MSRs", "Overwrite Rules for
 * Machine Check Errors"; rule R24).
 *
 * How many banks there are and which MCA features the part has is the CPU
 * model's IA32_MCG_CAP (vmcs/cpu_models.def). The processor starts with the
 * banks as firmware leaves them for the operating system: every bank's
 * IA32_MCi_CTL all ones (every error type may signal #MC), IA32_MCG_CTL all
 * ones where MCG_CTL_P says it exists, nothing logged.
 *
 * An error the machine check carries is logged in its bank whether or not
 * it is signalled ("error logging happens regardless of the setting of
 * these bits", of IA32_MCi_CTL). The processor sets VAL, and EN when the
 * bank's IA32_MCi_CTL has the error's enable bit (and IA32_MCG_CTL its
 * bank's bit, where it exists). Only an uncorrected error (UC) that is
 * enabled signals a machine-check exception - and on a part with
 * software error recovery (MCG_SER_P) only one with S set: an uncorrected
 * error with S = 0 there (and no PCC or AR) is UCNA, which the SDM has
 * reported without #MC but through CMCI where CMCI is enabled ("Software
 * Error Recovery", UCNA). A corrected error is logged and nothing more -
 * but on a part with MCG_CMCI_P ("Corrected Machine Check Error
 * Interrupt") the bank counts it in MCi_STATUS 52:38 (the corrected error
 * count, which goes on from the bank's last status until software clears
 * it, and stops at 7FFFH), and when the count reaches the threshold in
 * IA32_MCi_CTL2 14:0 with CMCI_EN (bit 30) set, the bank signals a CMCI: the local APIC sends what its LVT CMCI says - nothing while
 * masked (as at reset), the vector as a fixed interrupt (one below 16 is
 * an illegal vector the APIC does not deliver), or an NMI. IA32_MCi_CTL2
 * starts 0, as at reset: no CMCI until software enables one.
 *
 * An error that finds VAL set sets OVER. The overwrite rules: an
 * uncorrected error is never overwritten - the first stays, whatever
 * comes after it - and a corrected one is overwritten by the error that
 * follows it (the model's reading of the SDM's table, which also lets a
 * corrected error replace a corrected one). A second error before the
 * processor took the first machine-check exception is logged as it comes,
 * and the one latched machine-check event signals both: the handler finds
 * every bank it must read.
 *
 * RDMSR and WRMSR: IA32_MCG_CAP reads the model's value; IA32_MCG_CTL,
 * IA32_MCi_CTL2 without MCG_CMCI_P (or with a reserved bit written) and
 * a bank at or beyond the count are #GP (IA32_MCG_CTL is present only with
 * MCG_CTL_P, which no named model has). IA32_MCi_CTL takes any value.
 * IA32_MCi_STATUS, ADDR and MISC take 0: software clears them; writing 1s
 * is #GP (the SDM says so of MCi_STATUS; the model treats ADDR and MISC
 * the same way, and no model enables writing them for error injection).
 */
#include "model/hw/lp_internal.h"
#include "vmcs/x2apic_lvt.h"
#include "vmcs/x86_mcg.h"
#include "vmcs/x86_msr.h"

static uint32_t bank_count(const struct vmx_lp *lp)
{
	uint32_t n = (uint32_t)(lp->model.mcg_cap & MCG_CAP_COUNT);

	return n < X86_MCA_BANKS_MAX ? n : X86_MCA_BANKS_MAX;
}

void lp_mca_reset(struct vmx_lp *lp)
{
	lp->mcg_ctl = (lp->model.mcg_cap & MCG_CTL_P) ? ~0ull : 0;
	for (uint32_t i = 0; i < X86_MCA_BANKS_MAX; i++) {
		lp->mca[i][MCA_REG_CTL] = i < bank_count(lp) ? ~0ull : 0;
		lp->mca[i][MCA_REG_STATUS] = lp->mca[i][MCA_REG_ADDR] = lp->mca[i][MCA_REG_MISC] = 0;
		lp->mca_ctl2[i] = 0;
	}
}

bool vmx_lp_mca_bank_exists(const struct vmx_lp *lp, uint32_t bank)
{
	return bank < bank_count(lp);
}

/* Pure: is an error of this bank and enable bit enabled to signal #MC? */
static bool error_enabled(const struct vmx_lp *lp, uint32_t bank, uint32_t enable_bit)
{
	if ((lp->model.mcg_cap & MCG_CTL_P) && !((lp->mcg_ctl >> bank) & 1u))
		return false;
	return (lp->mca[bank][MCA_REG_CTL] >> (enable_bit & 63u)) & 1u;
}

/* Pure: does a logged error with this status signal #MC? */
static bool signals_mc(const struct vmx_lp *lp, uint64_t status)
{
	if (!(status & MCI_STATUS_EN) || !(status & MCI_STATUS_UC))
		return false;
	return !(lp->model.mcg_cap & MCG_SER_P) || (status & MCI_STATUS_S);
}

/* The local APIC sends the CMCI its LVT CMCI describes (vmcs/x2apic_lvt.h: fixed or NMI; masked: nothing). */
static void signal_cmci(struct vmx_lp *lp)
{
	uint32_t lvt = lp->apic.lvt_cmci;

	if (lvt & APIC_LVT_MASKED)
		return;
	if ((lvt & APIC_LVT_DELIVERY_MODE_MASK) == APIC_LVT_DM_NMI)
		vmx_lp_nmi(lp);
	else if ((lvt & APIC_LVT_VECTOR_MASK) >= 16)
		vmx_lp_irq(lp, (uint8_t)(lvt & APIC_LVT_VECTOR_MASK));
}

/* Pure: UCNA, an uncorrected error that needs no action (MCG_SER_P: UC, and neither PCC, S nor AR). */
static bool is_ucna(const struct vmx_lp *lp, uint64_t status)
{
	return (lp->model.mcg_cap & MCG_SER_P) && (status & MCI_STATUS_UC) &&
	       !(status & (MCI_STATUS_PCC | MCI_STATUS_S | MCI_STATUS_AR));
}

bool lp_mca_log(struct vmx_lp *lp, const struct x86_mce_record *err)
{
	uint64_t *b = lp->mca[err->bank];
	const bool cmci_p = (lp->model.mcg_cap & MCG_CMCI_P) != 0;
	bool en = error_enabled(lp, err->bank, err->enable_bit);
	bool counts = cmci_p && !(err->status & MCI_STATUS_UC);
	uint64_t was = (b[MCA_REG_STATUS] & MCI_STATUS_CEC_MASK) >> MCI_STATUS_CEC_SHIFT;
	uint64_t count = counts && was < MCI_STATUS_CEC_MAX ? was + 1 : was;
	uint64_t status = (err->status & ~(MCI_STATUS_OVER | MCI_STATUS_EN)) | MCI_STATUS_VAL | (en ? MCI_STATUS_EN : 0);
	uint64_t ctl2 = lp->mca_ctl2[err->bank];

	if (cmci_p)
		status = (status & ~MCI_STATUS_CEC_MASK) | (count << MCI_STATUS_CEC_SHIFT);
	if (b[MCA_REG_STATUS] & MCI_STATUS_VAL) {
		if (b[MCA_REG_STATUS] & MCI_STATUS_UC) {
			/* The first uncorrected error stays, all of it; with CMCI the count goes on in its status. */
			if (cmci_p)
				b[MCA_REG_STATUS] = (b[MCA_REG_STATUS] & ~MCI_STATUS_CEC_MASK) | (count << MCI_STATUS_CEC_SHIFT);
			b[MCA_REG_STATUS] |= MCI_STATUS_OVER;
			status = 0;
		} else {
			status |= MCI_STATUS_OVER;
		}
	}
	if (status) {
		b[MCA_REG_STATUS] = status;
		b[MCA_REG_ADDR] = err->addr;
		b[MCA_REG_MISC] = err->misc;
	}
	/*
	 * CMCI: a corrected error whose count has just reached the threshold
	 * (a count stuck at 7FFFH signals no more), or UCNA, which is reported
	 * through CMCI whatever the count ("Software Error Recovery").
	 */
	if ((ctl2 & MCI_CTL2_CMCI_EN) && cmci_p &&
	    ((counts && count != was && count == (ctl2 & MCI_CTL2_THRESHOLD)) || is_ucna(lp, err->status)))
		signal_cmci(lp);
	return signals_mc(lp, (err->status & ~MCI_STATUS_EN) | (en ? MCI_STATUS_EN : 0));
}

/* The bank and register of a bank MSR, or false for IA32_MCG_CAP / IA32_MCG_CTL. */
static bool bank_reg(uint32_t msr, uint32_t *bank, uint32_t *reg)
{
	if (msr < MSR_MC0_CTL_BASE || msr >= MSR_MC0_CTL_BASE + 4u * X86_MCA_BANKS_MAX)
		return false;
	*bank = (msr - MSR_MC0_CTL_BASE) / 4u;
	*reg = (msr - MSR_MC0_CTL_BASE) % 4u;
	return true;
}

bool lp_mca_read(const struct vmx_lp *lp, uint32_t msr, uint64_t *value, bool *fault)
{
	uint32_t bank, reg;

	if (!x86_msr_is_mca_bank(msr))
		return false;
	*fault = false;
	if (msr == MSR_IA32_MCG_CAP)
		*value = lp->model.mcg_cap;
	else if (x86_msr_is_mca_ctl2(msr))
		*fault = !(lp->model.mcg_cap & MCG_CMCI_P) || msr - MSR_MC0_CTL2_BASE >= bank_count(lp),
		*value = lp->mca_ctl2[(msr - MSR_MC0_CTL2_BASE) % X86_MCA_BANKS_MAX];
	else if (msr == MSR_IA32_MCG_CTL)
		*fault = !(lp->model.mcg_cap & MCG_CTL_P), *value = lp->mcg_ctl;
	else if (bank_reg(msr, &bank, &reg))
		*fault = bank >= bank_count(lp), *value = lp->mca[bank][reg];
	return true;
}

bool lp_mca_write(struct vmx_lp *lp, uint32_t msr, uint64_t value, bool *fault)
{
	uint32_t bank, reg;

	if (!x86_msr_is_mca_bank(msr))
		return false;
	*fault = true;
	if (msr == MSR_IA32_MCG_CTL && (lp->model.mcg_cap & MCG_CTL_P)) {
		lp->mcg_ctl = value;
		*fault = false;
	} else if (x86_msr_is_mca_ctl2(msr) && (lp->model.mcg_cap & MCG_CMCI_P) &&
	           msr - MSR_MC0_CTL2_BASE < bank_count(lp) && !(value & MCI_CTL2_RESERVED)) {
		lp->mca_ctl2[msr - MSR_MC0_CTL2_BASE] = value;
		*fault = false;
	} else if (bank_reg(msr, &bank, &reg) && bank < bank_count(lp) && (reg == MCA_REG_CTL || value == 0)) {
		lp->mca[bank][reg] = value;
		*fault = false;
	}
	return true;   /* IA32_MCG_CAP is read-only: #GP */
}

uint64_t vmx_lp_mca_status(const struct vmx_lp *lp, uint32_t bank)
{
	return bank < bank_count(lp) ? lp->mca[bank][MCA_REG_STATUS] : 0;
}

void vmx_lp_mca_clear_status(struct vmx_lp *lp, uint32_t bank)
{
	if (bank < bank_count(lp))
		lp->mca[bank][MCA_REG_STATUS] = 0;
}
