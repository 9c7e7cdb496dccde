/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vapic.h - APIC virtualization in the processor model (SDM Vol. 3C
 * "APIC Virtualization and Virtual Interrupts"): the virtualizations of
 * 30.1 (TPR, PPR, EOI, self-IPI), the evaluation and delivery of virtual
 * interrupts (30.2), VM entry and exit's part (RVI, SVI), and the x2APIC
 * MSR accesses of 30.5. Not public: the processor's own files share it.
 * The state is the virtual-APIC page beside the current VMCS (vmcs.h) and
 * RVI/SVI in struct vmx_lp.
 */
#ifndef VMXSIM_VAPIC_H
#define VMXSIM_VAPIC_H

#include "model/hw/lp_internal.h"

/* Is "virtual-interrupt delivery" on for the guest that runs? */
static inline bool lp_vid(const struct vmx_lp *lp)
{
	return lp->non_root && lp_proc2(lp, SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY);
}

/*
 * A program's store to the virtual-APIC page or the posted-interrupt
 * descriptor of the current VMCS (VMX_OP_VAPIC_STORE): plain memory
 * writes, which change no RVI or SVI and cause no evaluation; only the
 * processor's own steps do. Without a current VMCS the model has no page
 * to write: not modelled.
 */
enum lp_step lp_vapic_store(struct vmx_lp *lp, const struct vmx_insn *in);

/* Report what APIC virtualization did (HW_VAPIC), with RVI, SVI and VPPR after it. */
void lp_vapic_emit(struct vmx_lp *lp, const char *op, uint32_t vector);
/* The same, for posted-interrupt processing: the notification vector it acknowledged (-1: none). */
void lp_vapic_emit_posted(struct vmx_lp *lp, const char *op, uint32_t vector, int notification);

/* 30.1.3 PPR virtualization. */
void lp_vapic_ppr(struct vmx_lp *lp);

/* 30.2.1 evaluation of pending virtual interrupts. */
void lp_vapic_evaluate(struct vmx_lp *lp);

/* 26.3.2.5: VM entry with virtual-interrupt delivery loads RVI and SVI, virtualizes PPR, evaluates. */
void lp_vapic_entry(struct vmx_lp *lp);

/* 27.3.2: VM exit with virtual-interrupt delivery saves RVI and SVI in GUEST_INTR_STATUS. */
void lp_vapic_exit(struct vmx_lp *lp);

/*
 * 30.1.2 TPR virtualization after a write of VTPR by instruction `in`
 * (which has retired): without virtual-interrupt delivery a trap-like
 * TPR-below-threshold exit (43) when VTPR[7:4] is below the threshold;
 * with it, PPR virtualization and an evaluation.
 */
enum lp_step lp_vapic_tpr_written(struct vmx_lp *lp);

/* 30.1.4 EOI virtualization (the instruction has retired): maybe an EOI-induced exit (45). */
enum lp_step lp_vapic_eoi(struct vmx_lp *lp);

/* 30.1.5 self-IPI virtualization of `vector`. */
void lp_vapic_self_ipi(struct vmx_lp *lp, uint8_t vector);

/* 30.2.2 virtual-interrupt delivery (the arbiter's VMX_DECIDE_VINTR_DELIVER). */
enum lp_step lp_vapic_deliver(struct vmx_lp *lp);

/*
 * 30.5: RDMSR or WRMSR of an x2APIC MSR (0x800-0x8ff) by a guest with
 * "virtualize x2APIC mode", once the MSR bitmap has let it through. True
 * if the access is virtualized, with what it did in *step; false if it
 * goes to the physical local APIC as without the control.
 */
bool lp_vapic_x2apic(struct vmx_lp *lp, const struct vmx_insn *in, uint64_t value, enum lp_step *step);

/*
 * 30.6 posted-interrupt processing (posted_intr.c): the arbiter's
 * VMX_DECIDE_POSTED_INTR. The notification vector is acknowledged and
 * dismissed at the local APIC, PIR goes into VIRR, RVI follows, then an
 * evaluation. No VM exit; the processor stays in HLT if it was there.
 */
void lp_posted_intr_process(struct vmx_lp *lp);

/* Is the interrupt the local APIC would give now the notification vector of posted interrupts? */
bool lp_posted_intr_notification(const struct vmx_lp *lp);

#endif
