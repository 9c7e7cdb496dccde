/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lp_internal.h - what the processor model's own files share. Not public.
 */
#ifndef VMXSIM_LP_INTERNAL_H
#define VMXSIM_LP_INTERNAL_H

#include "model/hw/vmx_lp.h"
#include "vmcs/vmx_controls.h"
#include "vmcs/vmx_exit_reason.h"
#include "vmcs/vmx_intr_info.h"
#include "vmcs/vmx_intr_state.h"

/* Result of one step that may leave non-root operation. */
enum lp_step {
	LP_STEP_CONTINUE,   /* keep running */
	LP_STEP_EXIT,       /* a VM exit happened */
	LP_STEP_SHUTDOWN,   /* triple fault in root operation */
	LP_STEP_NOT_MODELLED, /* the instruction needs what the model lacks (HW_NOT_MODELLED emitted) */
};

/* What a VM exit records (SDM "Recording VM-Exit Information"). */
struct vmx_exit_info {
	uint32_t reason;
	uint64_t qualification;
	uint32_t intr_info;
	uint32_t intr_error_code;
	uint32_t idt_vectoring;
	uint32_t idt_error_code;
	uint32_t insn_len;
	uint64_t guest_phys;
};

void lp_emit(struct vmx_lp *lp, struct vmx_hw_event *ev);

/*
 * VMfail(err) of the SDM's VMX instruction pseudo-code: VMfailValid with
 * err in the current VMCS, or VMfailInvalid when there is none.
 */
enum vmx_insn_status lp_vmfail(struct vmx_lp *lp, enum vmx_insn_error err);
void lp_note_blocking(struct vmx_lp *lp);

/* Retire n instructions costing `cycles` in total. */
static inline void lp_retire(struct vmx_lp *lp, uint64_t n, uint64_t cycles)
{
	lp->retired += n;
	lp->cycle += cycles;
}

static inline bool lp_pin(const struct vmx_lp *lp, uint32_t bit) { return (lp->ctl.pin & bit) != 0; }
static inline bool lp_proc(const struct vmx_lp *lp, uint32_t bit) { return (lp->ctl.proc & bit) != 0; }
static inline bool lp_exit_ctl(const struct vmx_lp *lp, uint32_t bit) { return (lp->ctl.exit & bit) != 0; }
static inline bool lp_proc2(const struct vmx_lp *lp, uint32_t bit) { return (lp->ctl.proc2 & bit) != 0; }

/*
 * NMI exiting = 1 and virtual NMIs = 0 in non-root operation: blocking by
 * NMI lasts only while the processor stays in VMX non-root operation (SDM,
 * VM entries, interruptibility state; docs/sdm-rules.md).
 */
static inline bool lp_nmi_blocking_ends_at_exit(const struct vmx_lp *lp)
{
	return lp->non_root && lp_pin(lp, PIN_BASED_NMI_EXITING) && !lp_pin(lp, PIN_BASED_VIRTUAL_NMIS);
}

/* vmexit.c: record a VM exit and load host state. */
void lp_vmexit(struct vmx_lp *lp, const struct vmx_exit_info *info);

/* deliver.c: vector an event through the IDT of what runs now. */
enum lp_step lp_deliver(struct vmx_lp *lp, const struct vmx_event *ev, uint64_t return_rip, bool injected);

/*
 * deliver.c: an exception raised by the instruction at RIP: a fault returns
 * to RIP, INT3 past it (insn_len). iret_unblocked_nmi feeds bit 12 of the
 * exit interruption information (R17).
 */
enum lp_step lp_raise_exception(struct vmx_lp *lp, const struct vmx_event *exc, uint64_t return_rip,
                                bool iret_unblocked_nmi);

/* Interruption information describing an event. */
static inline uint32_t lp_event_info(const struct vmx_event *ev)
{
	return intr_info_make(ev->type, ev->vector, ev->has_error_code);
}

/*
 * machine_check.c: act on a latched machine-check event (R24 level 1):
 * #MC through the IDT or its VM exit (exception bitmap bit 18) with CR4.MCE
 * = 1 and MCIP = 0, a shutdown otherwise. A sleeping processor other than
 * in HLT is LP_STEP_NOT_MODELLED.
 */
enum lp_step lp_machine_check(struct vmx_lp *lp);

/* machine_check.c: RDMSR and WRMSR of IA32_MCG_STATUS; false if `msr` is another MSR. */
bool lp_mcg_status_read(const struct vmx_lp *lp, uint32_t msr, uint64_t *value);
bool lp_mcg_status_write(struct vmx_lp *lp, uint32_t msr, uint64_t value, bool *fault);

/*
 * mca_bank.c: the banks as firmware leaves them; an error logged (true if
 * it signals #MC); RDMSR/WRMSR of IA32_MCG_CAP, IA32_MCG_CTL and the bank
 * registers (false: not one of them; *fault for #GP).
 */
void lp_mca_reset(struct vmx_lp *lp);
bool lp_mca_log(struct vmx_lp *lp, const struct x86_mce_record *err);
bool lp_mca_read(const struct vmx_lp *lp, uint32_t msr, uint64_t *value, bool *fault);
bool lp_mca_write(struct vmx_lp *lp, uint32_t msr, uint64_t value, bool *fault);

/*
 * debug.c: RDMSR and WRMSR of IA32_DEBUGCTL; false if `msr` is another MSR.
 * A write of a reserved bit is *fault (#GP(0)); one that turns on branch
 * trace store (TR and BTS) returns the reason it is not modelled in *refused.
 */
bool lp_debugctl_read(const struct vmx_lp *lp, uint32_t msr, uint64_t *value);
bool lp_debugctl_write(struct vmx_lp *lp, uint32_t msr, uint64_t value, bool *fault, const char **refused);

/* exec.c: execute the instruction at RIP (bulk for work blocks, bounded by until). */
enum lp_step lp_execute(struct vmx_lp *lp, uint64_t until);

/* exec.c: n instructions completed, costing `cycles`; with the monitor trap flag an MTF exit is pending (R27). */
void lp_complete(struct vmx_lp *lp, uint64_t n, uint64_t cycles);

/* exec.c: a VM exit caused by instruction `in` (its length is saved, SDM 28.2.4). */
enum lp_step lp_insn_exit(struct vmx_lp *lp, uint32_t reason, uint64_t qualification, const struct vmx_insn *in);

/* exec.c: a hardware exception (a fault) raised by the instruction at RIP. */
enum lp_step lp_fault(struct vmx_lp *lp, uint8_t vector, bool has_error, uint32_t error_code, bool iret_unblocked_nmi);

/* exec.c: a processor event with only a vector, at RIP. */
void lp_emit_simple(struct vmx_lp *lp, enum vmx_hw_event_kind kind, uint32_t vector);

/* exec_x86.c: IN, OUT, MOV to CR3/CR8, DIV, INTO, INT1, PAUSE, CPUID, RDTSC, SET_IDT, CLEAR_IDT. */
enum lp_step lp_exec_x86(struct vmx_lp *lp, const struct vmx_insn *in);

/* exec_msr.c: RDMSR, WRMSR (EOI, IPI, the timer) and stores to the MSR-bitmap page. */
enum lp_step lp_exec_msr(struct vmx_lp *lp, const struct vmx_insn *in);

/*
 * exec_x86.c: the instruction needs what the model lacks: HW_NOT_MODELLED
 * (what) at the instruction, and LP_STEP_NOT_MODELLED - the run is void.
 */
enum lp_step lp_not_modelled(struct vmx_lp *lp, const struct vmx_insn *in, const char *what);

/*
 * init_sipi.c: INIT outside VMX operation (a reset into wait-for-SIPI), a
 * SIPI then (the start-up). What the model cannot follow - the bootstrap
 * processor's restart, the real-mode code a SIPI starts - is
 * LP_STEP_NOT_MODELLED (HW_NOT_MODELLED says what).
 */
enum lp_step lp_init_reset(struct vmx_lp *lp);
/* RESET (init_sipi.c): the processor leaves VMX operation and restarts. */
enum lp_step lp_reset(struct vmx_lp *lp);
enum lp_step lp_sipi_startup(struct vmx_lp *lp);

/* exec_vmx.c: a VMX instruction (VMCALL, VMLAUNCH ... VMPTRST) in any operation. */
enum lp_step lp_exec_vmx(struct vmx_lp *lp, const struct vmx_insn *in);

/*
 * debug.c: #DB traps (R12, R23, R24 level 4). Before an instruction: TF
 * makes a single-step trap pending after it. Ready: pending and not held by
 * blocking by MOV SS. The trap itself: delivered, or a VM exit (exception
 * bitmap bit 1, qualification = the pending bits). At a VM exit: the value
 * of the pending-debug-exceptions field (the trap is gone afterwards). At a
 * VM entry: the field's trap, unless an event is injected or the guest
 * enters shutdown or wait-for-SIPI.
 */
void lp_debug_before_insn(struct vmx_lp *lp);
bool lp_debug_trap_ready(const struct vmx_lp *lp);
enum lp_step lp_debug_trap(struct vmx_lp *lp);
/*
 * debug.c: a #DB with these DR6 bits at RIP, trap or fault: a VM exit with
 * them as qualification (exception bitmap bit 1; DR6 untouched), or DR6
 * then delivery through the IDT.
 */
enum lp_step lp_debug_exception(struct vmx_lp *lp, uint32_t bits);
uint64_t lp_debug_save_at_exit(struct vmx_lp *lp, uint32_t reason, uint32_t intr_info);
void lp_debug_load_at_entry(struct vmx_lp *lp, uint64_t field, bool inject, uint32_t activity);

/*
 * breakpoint.c: instruction breakpoints (R24 level 7) and the debug
 * registers. Match: the B0-B3 bits of the breakpoints at RIP when an
 * enabled one matches and RF, sleep and MOV-SS blocking let it fire, else
 * 0 (the fault itself is debug.c's lp_debug_exception). MOV to or from
 * DRn, with MOV-DR exiting, CR4.DE and general detect.
 */
uint32_t lp_code_breakpoint_match(const struct vmx_lp *lp);
enum lp_step lp_exec_mov_dr(struct vmx_lp *lp, const struct vmx_insn *in);
/*
 * breakpoint.c: an IN or OUT of `size` bytes at `port` completed: with
 * CR4.DE = 1 the I/O breakpoints it matches join the pending #DB trap.
 */
void lp_io_breakpoint(struct vmx_lp *lp, uint32_t port, uint32_t size);
/* The data breakpoints a completed access hits join the #DB trap (breakpoint.c, R24 level 4). */
void lp_data_breakpoint(struct vmx_lp *lp, uint64_t addr, uint32_t size, bool write);
/* LOAD and STORE (exec_mem.c); and the read of a MOV SS from memory, which the caller completes. */
enum lp_step lp_exec_mem(struct vmx_lp *lp, const struct vmx_insn *in);
const char *lp_data_read(struct vmx_lp *lp, const struct vmx_insn *in, uint64_t *value);

/* vmentry.c: inject the event of the VM-entry interruption-information field. */
enum lp_step lp_inject(struct vmx_lp *lp);

#endif
