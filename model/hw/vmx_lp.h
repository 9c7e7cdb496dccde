/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmx_lp.h - one VMX logical processor.
 *
 * It runs one VMCS at a time and knows nothing of nesting or of any
 * hypervisor: it checks and performs VM entries, injects events, arbitrates
 * pending events at every instruction boundary in the SDM's priority order
 * (R24), vectors events through the IDT of whatever runs, and takes VM exits.
 *
 * Blocking state (shadows, NMI blocking, IF) is kept apart from requests
 * (the NMI latch, the LAPIC's IRR, window controls); what may happen at a
 * boundary is computed by one pure function, vmx_arbitrate().
 *
 * Time is the processor's own cycle counter. Stimuli are applied between
 * calls to vmx_lp_run(), which never runs past an instruction that starts at
 * or after its limit.
 */
#ifndef VMXSIM_VMX_LP_H
#define VMXSIM_VMX_LP_H

#include <stdbool.h>
#include <stdint.h>

#include "model/hw/guest_mem.h"
#include "model/hw/hw_event.h"
#include "model/hw/lapic.h"
#include "vmcs/cpu_model.h"
#include "vmcs/x86_mcg.h"
#include "vmcs/vmcs.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VMX_NO_BOUNDARY UINT64_MAX
#define VMX_FETCH_HINTS 8

/* The register state of what runs now (host in root, guest in non-root). */
struct vmx_context {
	uint64_t rip;
	uint64_t rflags;
	uint32_t activity;              /* enum guest_activity_state */
	struct vmx_guest_mem *mem;      /* its memory; NULL for a host written in C */
};

/* The event being vectored, kept for IDT-vectoring information (R20). */
struct vmx_event {
	uint32_t type;                  /* INTR_TYPE_* */
	uint8_t vector;
	bool has_error_code;
	uint32_t error_code;
	uint32_t insn_len;              /* types 4-6: instruction length */
};

/* Controls of the current guest, latched at VM entry (as hardware does). */
struct vmx_active_controls {
	uint32_t pin;
	uint32_t proc;
	uint32_t proc2;                 /* 0 unless activated */
	uint32_t exit;
	uint32_t exception_bitmap;
};

struct vmx_lp {
	struct cpu_model model;         /* capabilities, timing, model-specific behaviour */
	uint32_t id;                    /* logical processor number */
	uint64_t cycle;                 /* local time in core cycles */
	uint64_t retired;               /* instructions retired; shadows expire by it */

	/*
	 * VMX operation (SDM Vol. 3C "Introduction to VMX Operation"): between VMXON and VMXOFF; outside
	 * it the VMX instructions other than VMXON raise #UD. vmx_lp_init()
	 * starts in VMX root operation, as the hypervisors above expect.
	 */
	bool vmx_operation;
	uint64_t vmxon_ptr;             /* the VMXON pointer: address of the VMXON region */
	bool non_root;                  /* VMX non-root operation */
	struct vmcs *vmcs;              /* current VMCS (VMPTRLD), or NULL: the current-VMCS pointer is invalid */
	struct vmx_context ctx;         /* live RIP, RFLAGS, activity, memory */
	struct vmx_guest_mem *host_mem; /* the root software's memory; NULL if it is C code */
	struct vmx_active_controls ctl; /* valid in non-root operation */

	/* Blocking state. */
	uint64_t sti_shadow_at;         /* boundary (retired count) with blocking by STI */
	uint64_t movss_shadow_at;       /* boundary with blocking by MOV SS */
	bool nmi_blocked;               /* blocking by NMI (survives VM exits, R22/R25) */
	bool vnmi_blocked;              /* virtual-NMI blocking (non-root, virtual NMIs = 1) */

	/* Requests. */
	bool nmi_latched;               /* one NMI edge waiting; a second one is lost */
	bool reset_latched;             /* RESET asserted: acted on at the next boundary (R24 1, init_sipi.c) */
	/*
	 * INIT and SIPI (SDM Vol. 3C 25.2 "Other Causes of VM Exits"). A latched
	 * INIT waits while it is blocked: in VMX root operation, and in the
	 * wait-for-SIPI state. A SIPI is kept only when it arrives in the
	 * wait-for-SIPI state; anywhere else it is discarded.
	 */
	bool init_latched;
	/*
	 * A machine-check event (SDM Vol. 3A "Machine-Check Architecture";
	 * machine_check.c): latched until the next boundary, where it comes
	 * before everything else (R24 level 1). IA32_MCG_STATUS holds RIPV,
	 * EIPV and MCIP; the processor sets MCIP when it generates #MC, and a
	 * machine check while MCIP = 1 is a shutdown. Only WRMSR clears it.
	 */
	bool mce_latched;
	uint64_t mcg_status;
	/*
	 * The machine-check banks (mca_bank.c): IA32_MCG_CTL and each bank's
	 * CTL, STATUS, ADDR and MISC (enum x86_mca_reg), as many as the CPU
	 * model's IA32_MCG_CAP counts; the rest stay 0.
	 */
	uint64_t mcg_ctl;
	uint64_t mca[X86_MCA_BANKS_MAX][4];
	uint64_t mca_ctl2[X86_MCA_BANKS_MAX];   /* IA32_MCi_CTL2, with MCG_CMCI_P: 0 at reset (no CMCI) */
	bool sipi_latched;
	uint8_t sipi_vector;
	/*
	 * The bootstrap processor (IA32_APIC_BASE.BSP): an INIT outside VMX
	 * operation restarts it at the reset vector instead of making it wait
	 * for a SIPI. vmx_lp_init() leaves it false; the machine sets it.
	 */
	bool bsp;
	struct lapic apic;              /* fixed interrupts: the INTR line */
	/*
	 * Virtual-interrupt delivery (SDM Vol. 3C 30.2): RVI and SVI, loaded
	 * from GUEST_INTR_STATUS at VM entry and saved there at VM exit, and
	 * whether the last evaluation of pending virtual interrupts (30.2.1)
	 * recognised one that is not delivered yet. Valid in non-root operation.
	 */
	uint8_t rvi;
	uint8_t svi;
	bool vintr_recognised;
	bool inject_pending;            /* VM entry done, injection of 0x4016 still to do */
	bool mtf_pending;               /* MTF VM exit pending (R27) */
	uint32_t dbg_trap;              /* #DB trap pending at the next boundary: DR6's B0-B3, BS (debug.c) */
	/*
	 * Debug registers (SDM Vol. 3B "Debug Registers"; breakpoint.c). One
	 * set for the processor: VM entry and exit switch only DR7 (the debug
	 * controls, and DR7 = 400H after every exit), never DR0-DR3 or DR6.
	 */
	uint64_t dr[4];                 /* DR0-DR3: breakpoint linear addresses (RIPs of the programs) */
	uint64_t dr6;
	uint64_t dr7;
	/*
	 * IA32_DEBUGCTL, switched as DR7 is: loaded from GUEST_IA32_DEBUGCTL
	 * with the load-debug-controls entry control, saved with
	 * save-debug-controls, 0 after every exit (27.5.1). Only BTF changes
	 * what the model does (debug.c); no program writes the MSR.
	 */
	uint64_t debugctl;
	/*
	 * CR4 in force (SDM Vol. 3A "Control Registers"): of its bits only DE
	 * changes what the model does (breakpoint.c: MOV DR4/DR5 and I/O
	 * breakpoints). VM entry loads GUEST_CR4, a VM exit (and a failed
	 * entry, which loads host state) HOST_CR4; no instruction of the
	 * programs writes CR4. vmx_lp_init() starts root operation with
	 * VMCS_CR4_DEFAULT - PAE for 64-bit mode and VMXE for VMXON, the value a
	 * new VMCS gives HOST_CR4 - so CR4.DE = 0 until a HOST_CR4 with DE is
	 * loaded by an exit.
	 */
	uint64_t cr4;
	bool timer_armed;               /* VMX-preemption timer active */
	uint64_t timer_deadline;        /* cycle at which it reaches 0 */

	uint32_t last_blocking[2];      /* last HW_BLOCKING snapshot reported, [root, non-root] */

	/*
	 * Reference stepping: one work unit per step and one cycle at a time
	 * while asleep, instead of running up to the next moment something
	 * could change. It must give the same run, only slower; the tests hold
	 * the fast path to it.
	 */
	bool reference;
	uint64_t steps;                 /* run-loop steps taken (executions and sleeps): what the fast path saves */

	/*
	 * The caller may lower this while vmx_lp_run() runs (from the observer:
	 * an event the processor reported made something come due for it); the
	 * run then stops at the first boundary at or after it, as at its limit.
	 * UINT64_MAX: no such bound. The processor only reads it.
	 */
	uint64_t stop_at;

	/*
	 * Where instruction fetch looks first, by the low bits of RIP: a loop
	 * then finds each of its instructions without a search. Only a hint
	 * (vmx_program_fetch_hinted): it never changes what is fetched.
	 */
	uint32_t fetch_hint[VMX_FETCH_HINTS];
	/*
	 * The instruction fetched last (an index into whichever program that
	 * was): fetch tries it and the one after it before the hints, since
	 * execution mostly goes on in order, and a work block an event
	 * interrupted at any of its bytes is resumed inside it. A hint too.
	 */
	uint32_t fetch_last;

	vmx_hw_observer_fn observer;    /* may be NULL */
	void *observer_ctx;
	/*
	 * Called whenever root software written in C has advanced the clock
	 * (vmx_lp_spend, vmx_lp_exec_root), so that stimuli due by then reach
	 * the pins before that software looks at them again.
	 */
	void (*sync)(void *ctx);
	void *sync_ctx;
	/* Root software's IPIs (VMX_OP_IPI executed in root operation). */
	void (*send_ipi)(void *ctx, uint32_t src, uint32_t dest, uint32_t vector);
	void *send_ipi_ctx;
};

/*
 * Power-on, then VMXON with the VMXON region at VMX_REGION_ADDR(0): VMX
 * root operation, no current VMCS, RIP 0 (or the root program's first
 * instruction), RFLAGS 0x2, nothing pending or blocked.
 */
void vmx_lp_init(struct vmx_lp *lp, const struct cpu_model *model, uint32_t id,
                 struct vmx_guest_mem *host_mem);

void vmx_lp_set_observer(struct vmx_lp *lp, vmx_hw_observer_fn fn, void *ctx);

/* --- Inputs (apply at lp->cycle; seen at the next instruction boundary) --- */

/* NMI pin edge. */
void vmx_lp_nmi(struct vmx_lp *lp);

/* The LAPIC accepts a fixed interrupt. */
void vmx_lp_irq(struct vmx_lp *lp, uint8_t vector);

/*
 * The LAPIC timer (lapic_timer.h): when its count reaches 0 next
 * (UINT64_MAX: not counting), and taking the expiries due by lp->cycle -
 * each unmasked one is an HW_APIC_TIMER event and a fixed interrupt the
 * LAPIC accepts (vmx_lp_irq). The processor takes them itself as it runs,
 * spends and executes; the machine calls vmx_lp_apic_timer_catch_up() for
 * a vCPU it idles (true: an interrupt was raised).
 */
uint64_t vmx_lp_apic_timer_deadline(const struct vmx_lp *lp);
/*
 * The cycles after which the processor, left alone, may be where it is
 * now: 1 when it is not active (HLT, shutdown, wait-for-SIPI: nothing
 * moves); when a JMP ahead of RIP goes back to RIP or before, one turn of
 * that loop at its instructions' usual costs; else 0. A guess: whether the
 * whole machine repeats is for the caller to check (snapshot_shift.c).
 */
uint64_t vmx_lp_idle_period(const struct vmx_lp *lp);
/* Its times relative to t->now, dead ones as 0 (lp_time_shift.c, model/time/time_shift.h). */
void vmx_lp_time_shift(const struct vmx_lp *lp, struct time_shift *t);
/* Does the program read the TSC (RDTSC)? Its registers may then hold an absolute time. */
bool vmx_program_reads_tsc(const struct vmx_program *p);
bool vmx_lp_apic_timer_catch_up(struct vmx_lp *lp);

/*
 * Posting (SDM Vol. 3C 30.6, the sender's side of posted-interrupt
 * processing, done by software on another processor): set the vector's bit
 * in PIR and ON in the posted-interrupt descriptor of the current VMCS
 * (vmcs.h), and, if ON was clear, send the notification vector
 * POSTED_INTR_NV as a fixed interrupt to this processor. Without a current VMCS there is no descriptor: HW_NOT_MODELLED
 * (at scenario line `line`) and false.
 */
bool vmx_lp_post(struct vmx_lp *lp, uint8_t vector, uint32_t line);

/* An INIT (INIT IPI): latched until it is not blocked. */
void vmx_lp_init_signal(struct vmx_lp *lp);

/* RESET asserted at the processor's pins: acted on at the next instruction boundary, whatever the state. */
void vmx_lp_reset_signal(struct vmx_lp *lp);

/* A start-up IPI: latched in the wait-for-SIPI state, discarded in any other. */
void vmx_lp_sipi(struct vmx_lp *lp, uint8_t vector);

/*
 * A machine-check event: the error `err` (bank, status, addr, misc and
 * enable bit; its mcg_status is not the processor's to take) is logged in
 * the processor's bank (mca_bank.c), and if it signals #MC the event is
 * latched and acted on at the next instruction boundary before anything
 * else (R24 level 1). A second one before the processor took the first
 * joins it: one machine-check exception for both. False, with nothing
 * logged, when the CPU model has no such bank.
 */
bool vmx_lp_machine_check(struct vmx_lp *lp, const struct x86_mce_record *err);

/* Does the CPU model have machine-check bank `bank` (IA32_MCG_CAP[7:0])? */
bool vmx_lp_mca_bank_exists(const struct vmx_lp *lp, uint32_t bank);

/* --- VMX instructions executed by root software written in C --- */

enum vmx_insn_status {
	VMX_SUCCEED = 0,
	VMX_FAIL_INVALID,   /* VMfailInvalid (CF=1): no current VMCS */
	VMX_FAIL_VALID,     /* VMfailValid (ZF=1): error number in VM_INSTRUCTION_ERROR */
};

/* VMPTRLD: make v current (revision id must match). */
enum vmx_insn_status vmx_lp_vmptrld(struct vmx_lp *lp, struct vmcs *v);

/* VMCLEAR of v: launch state clear; if v is current, no current VMCS afterwards. */
void vmx_lp_vmclear(struct vmx_lp *lp, struct vmcs *v);

/* VMREAD / VMWRITE on the current VMCS. */
enum vmx_insn_status vmx_lp_vmread(struct vmx_lp *lp, uint32_t encoding, uint64_t *value);
enum vmx_insn_status vmx_lp_vmwrite(struct vmx_lp *lp, uint32_t encoding, uint64_t value);

enum vmx_entry_status {
	VMX_ENTRY_OK,            /* in non-root operation; run to execute the guest */
	VMX_ENTRY_FAIL_INVALID,  /* VMfailInvalid */
	VMX_ENTRY_FAIL_VALID,    /* VMfailValid: see VM_INSTRUCTION_ERROR */
	VMX_ENTRY_FAILED,        /* VM-entry failure: exit reason 33/34 | bit 31 written, host state loaded */
};

/*
 * The VM-entry checks on the VM-execution, exit and entry control fields
 * (SDM 26.2.1; R4-R8) of a VMCS against a processor's capabilities: false
 * with the check that failed, as VMfailValid 7 reports it. Pure, so that
 * software models can run it on a VMCS of their own against capabilities
 * of their own.
 */
bool vmx_entry_check_controls(const struct vmcs *v, const struct cpu_model *m, const char **failed);

/*
 * The VM-entry checks on the host-state area (SDM 26.2.2-26.2.4): CR0 and
 * CR4 against processor m's fixed bits, CR3 within its physical-address
 * width, SYSENTER ESP/EIP canonical, IA32_PAT with "load IA32_PAT",
 * IA32_EFER with "load IA32_EFER", the selectors and the segment and table
 * bases, host address-space size 1 with CR4.PAE, RIP canonical: false with
 * the check that failed, as VMfailValid 8 reports it. Pure, so that
 * software models can run it on a VMCS of their own.
 */
bool vmx_entry_check_host_state(const struct vmcs *v, const struct cpu_model *m, const char **failed);

/*
 * The first guest-state checks (26.3.1.1): guest CR0 and CR4 against m's
 * fixed bits (PE and PG free under unrestricted guest). Qualification 0.
 * Pure; the guest-state checks begin with them.
 */
bool vmx_entry_check_guest_cr_fixed(const struct vmcs *v, const struct cpu_model *m, const char **failed);

/*
 * 26.3.1.1: with "load IA32_PAT", every byte of the guest IA32_PAT field is
 * a valid memory type (0, 1, 4-7). Qualification 0. Pure, and apart from
 * the other guest-state checks so that a caller can order it differently.
 */
bool vmx_entry_check_guest_pat(const struct vmcs *v, const char **failed);

/*
 * The rest of 26.3.1.1 the model makes: CR0.PG requires PE, an IA-32e mode
 * guest has CR0.PG and CR4.PAE, and with "load IA32_EFER" the guest's
 * IA32_EFER has no reserved bit, LMA equal to IA-32e mode guest and (with
 * CR0.PG) LME too. Qualification 0. Pure, and apart from the other
 * guest-state checks so that a caller can order it differently.
 */
bool vmx_entry_check_guest_paging(const struct vmcs *v, const char **failed);

/*
 * The VMCS link pointer check of the guest-state checks (26.3.1.5): false
 * with qualification 4 (R26). Pure and separate from the other guest-state
 * checks, which the processor makes before it.
 */
bool vmx_entry_check_vmcs_link_pointer(const struct vmcs *v, const char **failed, uint32_t *qual);

/*
 * The VM-entry checks on the guest-state area (SDM 26.3.1: control
 * registers and IA32_EFER, RFLAGS, R9-R12, the VMCS link pointer), in the SDM's order: false with the check that
 * failed and the exit qualification of the failure (R26). Pure.
 */
bool vmx_entry_check_guest_state(const struct vmcs *v, const struct cpu_model *m, const char **failed,
                                 uint32_t *qual);

/* VMLAUNCH (launch = true) or VMRESUME. Costs the entry latency. */
enum vmx_entry_status vmx_lp_vmentry(struct vmx_lp *lp, bool launch);

/*
 * Execute one instruction in root operation on behalf of C root software
 * (STI, CLI, MOV SS, NOP, WORK, EOI, IPI). IRET here stands for the IRET
 * that ends a host NMI handler: it only removes blocking by NMI.
 */
void vmx_lp_exec_root(struct vmx_lp *lp, enum vmx_op op, uint64_t arg, uint64_t arg2);

/*
 * Root software written in C takes an interrupt from the LAPIC the way its
 * IDT handler would (acknowledge: IRR -> ISR). Returns the vector, or -1 if
 * the INTR line is not asserted.
 */
int vmx_lp_host_intr_ack(struct vmx_lp *lp);

/*
 * Root software written in C takes a latched NMI the way its IDT would:
 * only when not blocked by NMI; blocking by NMI is then in effect until
 * its handler's IRET (vmx_lp_exec_root(VMX_OP_IRET)). False if none.
 */
bool vmx_lp_host_take_nmi(struct vmx_lp *lp);

/*
 * Root software written in C takes a latched machine-check event the way
 * its IDT's #MC handler would be called: with CR4.MCE = 1 and MCIP = 0 it
 * sets MCIP and RIPV and returns VMX_MCE_TAKEN; with CR4.MCE = 0 or MCIP
 * = 1 the processor shuts down (HW_SHUTDOWN) and it returns
 * VMX_MCE_SHUTDOWN. VMX_MCE_NONE: nothing latched, or in non-root operation.
 */
enum vmx_mce_outcome { VMX_MCE_NONE, VMX_MCE_TAKEN, VMX_MCE_SHUTDOWN };
enum vmx_mce_outcome vmx_lp_host_take_mce(struct vmx_lp *lp);

/* The end of C root software's #MC handler: its WRMSR of 0 to IA32_MCG_STATUS (MCIP, RIPV, EIPV cleared). */
void vmx_lp_host_mce_end(struct vmx_lp *lp);

/*
 * Root software written in C reads a bank's IA32_MCi_STATUS (0 for a bank
 * the CPU model does not have) and clears it, as its WRMSR of 0 would.
 */
uint64_t vmx_lp_mca_status(const struct vmx_lp *lp, uint32_t bank);
void vmx_lp_mca_clear_status(struct vmx_lp *lp, uint32_t bank);

/* Root software written in C spends cycles. */
void vmx_lp_spend(struct vmx_lp *lp, uint64_t cycles);

/*
 * Root software written in C loads DR0-DR3 (n = 0-3) or DR6 (n = 6), as
 * MOV to DRn in root operation does: VM entry does not switch them, so
 * software that runs a guest with breakpoints loads the guest's values
 * first. DR6 keeps its fixed bits; DR7 is the VMCS's (GUEST_DR7 with the
 * debug controls) and is not set here.
 */
void vmx_lp_set_debugreg(struct vmx_lp *lp, unsigned n, uint64_t value);

/* --- Execution --- */

enum vmx_run_outcome {
	VMX_RUN_LIMIT,     /* reached the cycle limit */
	VMX_RUN_EXIT,      /* a VM exit happened; the processor is in root operation */
	VMX_RUN_ROOT,      /* in root operation with C root software: nothing to execute */
	VMX_RUN_SHUTDOWN,  /* triple fault in root operation */
	VMX_RUN_ENTRY_FAILED, /* root program's VMLAUNCH/VMRESUME failed entry (exit reason bit 31) */
	VMX_RUN_NOT_MODELLED, /* an instruction needs what the model lacks (HW_NOT_MODELLED says what) */
};

/*
 * Run whatever is current (guest in non-root; the root program if host_mem
 * has one) until a VM exit, or until no instruction can start before
 * `until`.
 */
enum vmx_run_outcome vmx_lp_run(struct vmx_lp *lp, uint64_t until);

/* --- Pure queries --- */

enum vmx_decision {
	VMX_DECIDE_NONE,            /* nothing pending: execute the next instruction */
	VMX_DECIDE_RESET,           /* R24 1: RESET, above everything, in every operation and state */
	VMX_DECIDE_MACHINE_CHECK,   /* R24 1: a machine-check event: #MC, its VM exit, or shutdown */
	VMX_DECIDE_INIT_EXIT,       /* 25.2: INIT in non-root operation (R24 3) */
	VMX_DECIDE_SIPI_EXIT,       /* 25.2: SIPI in the wait-for-SIPI state of non-root operation */
	VMX_DECIDE_INIT_RESET,      /* INIT outside VMX operation: reset, wait for a SIPI (Vol. 3A MP init) */
	VMX_DECIDE_SIPI_STARTUP,    /* SIPI outside VMX operation: start at vector << 12 (Vol. 3A MP init) */
	VMX_DECIDE_MTF_EXIT,        /* R27, R24 3.5 */
	VMX_DECIDE_DEBUG_TRAP,      /* R24 4: single-step or pending debug exception, delivered or exiting */
	VMX_DECIDE_TIMER_EXIT,      /* R27, R24 4.3 */
	VMX_DECIDE_NMI_WINDOW_EXIT, /* R18, R24 4.6 */
	VMX_DECIDE_NMI_EXIT,        /* R2, R22, R24 5 */
	VMX_DECIDE_NMI_DELIVER,     /* NMI through the IDT (root, or NMI exiting = 0) */
	VMX_DECIDE_INTR_WINDOW_EXIT,/* R19, R24 5.5 */
	VMX_DECIDE_VINTR_DELIVER,   /* 30.2.2 virtual-interrupt delivery, R24 5.5 (window exiting 0) */
	VMX_DECIDE_POSTED_INTR,     /* 30.6 the notification vector: posted-interrupt processing, R24 6 */
	VMX_DECIDE_EXTINT_EXIT,     /* R1, R21, R24 6 */
	VMX_DECIDE_EXTINT_DELIVER,  /* interrupt through the IDT (root, or ext-int exiting = 0) */
};

/* What happens at the current instruction boundary (R24), activity included (R23). */
enum vmx_decision vmx_arbitrate(const struct vmx_lp *lp);

const char *vmx_decision_name(enum vmx_decision d);

/* Blocking by STI / by MOV SS at this boundary. Inline: asked several times at every boundary. */
static inline bool vmx_lp_sti_blocking(const struct vmx_lp *lp)
{
	return lp->sti_shadow_at == lp->retired;
}

static inline bool vmx_lp_movss_blocking(const struct vmx_lp *lp)
{
	return lp->movss_shadow_at == lp->retired;
}

/* Interruptibility state as a VM exit would save it now (bits 0, 1, 3). */
uint32_t vmx_lp_interruptibility(const struct vmx_lp *lp);

/* VMX_BLK_* snapshot. */
uint32_t vmx_lp_blocking(const struct vmx_lp *lp);

/*
 * What CPUID returns for a leaf (EAX) in RAX, RBX, RCX, RDX: leaf 1 has
 * ECX bit 5 (VMX) when `vmx`; every other value is 0 (the model answers no
 * other leaf). Hypervisors that emulate CPUID ask it too.
 */
void vmx_cpuid(uint32_t leaf, bool vmx, uint64_t regs[4]);

/* Is `value` one of the CR3-target values v enables (CR3_TARGET_COUNT of CR3_TARGET_VALUE0-3)? */
bool vmx_cr3_target_hit(const struct vmcs *v, uint64_t value);

/* May a MOV to CR `cr` (3 or 8) load `value`, or does it raise #GP(0) for a reserved bit? */
bool vmx_mov_cr_valid(uint32_t cr, uint64_t value);

/* VMCS link pointer value meaning "not used". */
#define VMCS_LINK_POINTER_NONE UINT64_MAX

#ifdef __cplusplus
}
#endif
#endif
