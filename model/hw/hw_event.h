/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hw_event.h - what the processor model reports as it runs. The processor
 * only describes; the trace bus and monitors above it decide what to keep.
 */
#ifndef VMXSIM_HW_EVENT_H
#define VMXSIM_HW_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum vmx_hw_event_kind {
	HW_VMENTRY,          /* successful VM entry; intr_info = injected event or 0 */
	HW_VMFAIL,           /* VMfailValid/VMfailInvalid; error = VM-instruction error (0: invalid) */
	HW_VMEXIT,           /* VM exit, including VM-entry failure (reason bit 31) */
	HW_DELIVER,          /* event vectored through the IDT: vector, intr_info type, rip = handler */
	HW_IRET,             /* IRET retired: rip = return address, nmi_unblocked */
	HW_HLT,              /* entered the HLT activity state */
	HW_WAKE,             /* left HLT (or shutdown) because of an event */
	HW_NMI_LATCHED,      /* NMI pin edge latched */
	HW_NMI_LOST,         /* NMI pin edge while one was already latched: lost */
	HW_IRQ_ACCEPTED,     /* LAPIC accepted a fixed interrupt (vector) */
	HW_IRQ_COALESCED,    /* vector already pending in the IRR: merged */
	HW_INTR_ACK,         /* LAPIC acknowledged vector (IRR -> ISR) */
	HW_EOI,              /* LAPIC EOI of vector */
	HW_BLOCKING,         /* blocking state changed: old, new (VMX_BLK_* bits) */
	HW_SHUTDOWN,         /* the processor shut down: a triple fault in VMX root operation, or a machine
	                        check (vector MC_VECTOR) with CR4.MCE = 0 or MCIP = 1, in either operation */
	HW_IPI,              /* root software sent an IPI: dest, vector (VMX_IPI_NMI for NMI) */
	HW_RECORD,           /* a program's `record`: the registers in reg_mask, values in regs */
	HW_NOT_MODELLED,     /* an instruction needs what the model lacks (check says what): the run is void */
	HW_APIC_TIMER,       /* the LAPIC timer's count reached 0 (unmasked): vector; cycle = the expiry */
	HW_INIT,             /* INIT outside VMX operation: the processor is reset, waits for a SIPI */
	HW_RESET,            /* RESET, where it struck (rip, non_root): the processor leaves VMX operation and restarts */
	HW_SIPI,             /* SIPI in the wait-for-SIPI state outside VMX operation: the start-up; vector */
	HW_VAPIC,            /* APIC virtualization acted (SDM Vol. 3C 30): vapic_op says how; vector, intr_status, vppr */
};

/* Blocking snapshot bits (HW_BLOCKING). */
#define VMX_BLK_STI 0x1u      /* blocking by STI at this boundary */
#define VMX_BLK_MOV_SS 0x2u   /* blocking by MOV SS at this boundary */
#define VMX_BLK_NMI 0x8u      /* blocking by NMI (the processor's own) */
#define VMX_BLK_VNMI 0x10u    /* virtual-NMI blocking (non-root, virtual NMIs = 1) */
#define VMX_BLK_IF 0x200u     /* RFLAGS.IF (1 = interrupts enabled) */

struct vmx_hw_event {
	enum vmx_hw_event_kind kind;
	uint64_t cycle;         /* processor cycle at which it happened */
	bool stamped;           /* cycle set by the emitter (else: the processor's current cycle) */
	uint32_t cpu;           /* logical processor id */
	bool non_root;          /* in VMX non-root operation when it happened */
	uint64_t rip;           /* guest/host RIP relevant to the event */
	uint32_t reason;        /* HW_VMEXIT: full exit reason */
	uint64_t qualification; /* HW_VMEXIT */
	uint32_t intr_info;     /* HW_VMEXIT: exit intr info; HW_VMENTRY: injected; HW_DELIVER: the event */
	uint32_t error_code;    /* HW_VMEXIT: exit intr error code; HW_DELIVER: pushed error code */
	uint32_t idt_vectoring; /* HW_VMEXIT */
	uint32_t insn_len;      /* HW_VMEXIT */
	uint32_t error;         /* HW_VMFAIL: VM-instruction error */
	uint32_t insn;          /* HW_VMFAIL: the enum vmx_op that failed (0: VMLAUNCH/VMRESUME by `launch`) */
	uint32_t intr_state;    /* HW_VMEXIT: guest interruptibility state saved */
	uint32_t idt_error;     /* HW_VMEXIT: IDT-vectoring error code */
	uint32_t reg_mask;      /* HW_RECORD: bit n = register n */
	const uint64_t *regs;   /* HW_RECORD: the program's registers */
	uint32_t old_state;     /* HW_BLOCKING */
	uint32_t new_state;     /* HW_BLOCKING; HW_WAKE: activity state left; HW_VMENTRY: activity entered;
	                           HW_VMEXIT: activity state saved */
	uint32_t vector;        /* HW_DELIVER, HW_INTR_ACK, HW_EOI, HW_IRQ_*, HW_IPI, HW_APIC_TIMER, HW_SIPI */
	uint32_t dest;          /* HW_IPI */
	bool injected;          /* HW_DELIVER: the event came from VM-entry injection */
	bool nmi_unblocked;     /* HW_IRET: this IRET removed (virtual-)NMI blocking */
	bool launch;            /* HW_VMENTRY/HW_VMFAIL: VMLAUNCH (true) or VMRESUME */
	const char *check;      /* HW_VMFAIL, failed-entry HW_VMEXIT: the check that failed;
	                           HW_NOT_MODELLED: what is not modelled */
	const char *vapic_op;   /* HW_VAPIC: "deliver", "eoi", "self-ipi", "tpr", "posted" (vapic.h) */
	uint32_t intr_status;   /* HW_VAPIC: RVI (7:0) and SVI (15:8) after it */
	uint32_t vppr;          /* HW_VAPIC: VPPR after it */
	int notification;       /* HW_VAPIC "posted": the notification vector it acknowledged; else -1 */
	uint32_t line;          /* HW_NOT_MODELLED: the scenario line of the instruction (0: an INIT, a SIPI,
	                           a machine check or a RESET, whose `vector` is then VMX_IPI_INIT,
	                           VMX_IPI_SIPI, MC_VECTOR or VMX_PIN_RESET) */
};

/* HW_NOT_MODELLED's `vector` when a RESET caused it (no IPI carries a RESET: it comes from the pins). */
#define VMX_PIN_RESET 0x1000u

typedef void (*vmx_hw_observer_fn)(void *ctx, const struct vmx_hw_event *ev);

#ifdef __cplusplus
}
#endif
#endif
