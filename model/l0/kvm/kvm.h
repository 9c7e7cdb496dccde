/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kvm.h - KVM's event path as an L0 model: the generic x86 part (pending
 * NMIs and interrupts, injection decisions, halting) and the VMX part
 * (vmx_inject_nmi, enable_nmi_window, the soft virtual-NMI algorithm of
 * 2008, vmx_complete_interrupts). Function names follow KVM's, so a KVM
 * developer can map a trace line to the code that made it.
 *
 * Variants are eras of the same code (struct kvm_era); each safeguard of
 * the 2008 patch can also be switched off by itself.
 */
#ifndef VMXSIM_KVM_H
#define VMXSIM_KVM_H

#include "model/l0/kvm/kvm_era.h"
#include "model/l0/l0_common.h"
#include "vmcs/x86_mcg.h"

/* The banks user space gives the guest (KVM_X86_SETUP_MCE; QEMU's default count, kvm_mce.c). */
#define KVM_GUEST_MCE_BANKS 10u

/*
 * The host vector L0 sends a processor running L2 to make it process
 * vmcs12's posted-interrupt descriptor (arch/x86/include/asm/irq_vectors.h);
 * vmcs02's notification vector (nested_apicv.c).
 */
#define POSTED_INTR_NESTED_VECTOR 0xf0u

/* KVM_X86_SET_MCE ioctls one exit can leave for the next entry; more are refused (kvm_mce.c). */
#define KVM_SET_MCE_QUEUE 4u

/* vcpu->arch.switch_db_regs */
enum {
	KVM_DEBUGREG_BP_ENABLED = 1u << 0,   /* a breakpoint enabled in the guest's DR7: load DR0-DR3 */
	KVM_DEBUGREG_WONT_EXIT = 1u << 1,    /* MOV-DR exiting off: the guest owns DR0-DR3 and DR6 */
};

/* The answer of today's *_allowed hooks and of vmx_check_nested_events: -EBUSY is "not yet, exit first". */
enum kvm_allowed {
	KVM_BUSY = -1,
	KVM_NOT_ALLOWED = 0,
	KVM_ALLOWED = 1,
};

/* struct loaded_vmcs's soft virtual-NMI fields (one per VMCS since 2017; one per vCPU before). */
struct kvm_soft_vnmi {
	bool soft_vnmi_blocked;
	uint64_t entry_time;           /* cycle stamped just before entry */
	uint64_t vnmi_blocked_cycles;  /* net guest time spent soft-blocked (ns = cycles * 1e9 / tsc) */
};

/* User space's debugger (kvm_guestdbg.c): what its last command set it doing. */
enum kvm_dbg_mode {
	KVM_DBG_OFF,       /* no debugger, or `continue`, `skip` */
	KVM_DBG_STEP,      /* `step N`: single steps, dbg_steps_left of them still to take */
	KVM_DBG_HBREAK,    /* `hbreak`: its breakpoint at dbg_hbreak (stepped over first when held there) */
	KVM_DBG_HW,        /* `hw`: its own DR0-DR3 and DR7 (dbg_db, guest_debug_dr7); every exit a stop */
	KVM_DBG_SW,        /* `sw`: USE_SW_BP, the guest's INT3 its stop */
};

/* Outcome of an exit handler. */
enum kvm_exit_result {
	KVM_RESUME,        /* enter the guest again */
	KVM_HALT,          /* emulated HLT: the vCPU waits in the host */
	KVM_USERSPACE,     /* return to user space (KVM_EXIT_NMI_WINDOW_OPEN) */
	KVM_SHUTDOWN,      /* the guest cannot run any more */
};

struct kvm_vcpu {
	struct l0_base b;
	const struct kvm_era *era;     /* &hist */
	/* The era as chosen, with the history switches of the l0 line applied (kvm_history.c). */
	struct kvm_era hist;

	/* Switches. */
	bool enable_vnmi;              /* kvm_intel vnmi=1 and the CPU has virtual NMIs */
	bool sw_timeout;               /* the 1 s forced unblock */
	bool sw_clear_on_window;       /* clear the flag when an exit sees an open IRQ window */
	bool sw_irq_window;            /* arm the IRQ window when an NMI window is needed */
	bool sw_userspace_exit;        /* exit to user space as soon as the NMI window opens */
	uint64_t timeout_ns;           /* 1000000000 */
	uint64_t userspace_cycles;     /* one round trip to user space */

	/* struct kvm_vcpu_arch */
	uint32_t nmi_pending;          /* NMIs waiting (0..2) */
	uint32_t nmi_queued;           /* raised since the last process_nmi() */
	bool nmi_injected;             /* an NMI is in the VM-entry field or being re-injected */
	bool nmi_requeued;             /* ... because the last exit interrupted its delivery */
	bool interrupt_pending;        /* an interrupt is queued for injection (nr) */
	uint8_t interrupt_nr;
	bool nmi_window_open;          /* 2008 caches (vmx_update_window_states) */
	bool interrupt_window_open;
	bool request_nmi_window;       /* kvm_run->request_nmi_window: user space holds an NMI */
	uint32_t userspace_nmis;       /* NMIs user space will inject with KVM_NMI */
	bool halted;                   /* mp_state == KVM_MP_STATE_HALTED */
	bool exception_queued;         /* an exception is in the VM-entry field for this entry */
	uint64_t exception_payload;    /* its payload (a #DB's DR6 bits), for arch.dr6 when it goes in */
	uint32_t reinject_info;        /* an exception or soft interrupt to inject again (R20), or 0 */
	uint32_t reinject_error, reinject_len;

	/* struct vcpu_vmx / loaded_vmcs: lv is vmcs01's (lv01) or, per-VMCS eras in guest mode, vmcs02's (lv02). */
	struct kvm_soft_vnmi lv01, lv02;
	struct kvm_soft_vnmi *lv;
	bool req_nmi;                  /* KVM_REQ_NMI: an NMI was queued since the last process_nmi() */
	uint32_t idt_vectoring_info;
	uint64_t dr6;                  /* vcpu->arch.dr6: the DR6 the guest reads through handle_dr (kvm_debug.c) */
	/*
	 * kvm_guestdbg.c: KVM_SET_GUEST_DEBUG's vcpu->guest_debug and
	 * arch.singlestep_rip, and user space's debugger: the steps it still
	 * takes, with BLOCKIRQ or not, a `guest-debug` stimulus not yet acted
	 * on, and a KVM_EXIT_DEBUG it has not yet answered (its DR6).
	 */
	uint32_t guest_debug;
	uint64_t singlestep_rip;
	uint64_t dbg_db[4];            /* arch.eff_db while USE_HW_BP: the debugger's DR0-DR3 */
	uint64_t guest_debug_dr7;      /* arch.guest_debug_dr7: the debugger's DR7, in GUEST_DR7 while USE_HW_BP */
	enum kvm_dbg_mode dbg_mode;    /* what user space's debugger does now */
	uint64_t dbg_hbreak;           /* KVM_DBG_HBREAK: the debugger's breakpoint */
	bool dbg_stopped;              /* it stopped at its breakpoint and holds the vCPU until its next command */
	bool dbg_bp_was_intercepted;   /* #BP was in vmcs01's exception bitmap before the debugger's USE_SW_BP */
	bool dbg_bp_in_v01;            /* the debugger's #BP intercept is in vmcs01 (kvm_guestdbg.c, guest mode) */
	uint32_t dbg_exit_info;        /* the #BP exit's interruption information, to pass back (USE_SW_BP) */
	uint32_t dbg_exit_len;         /* and its instruction length (event_exit_inst_len) */
	uint8_t dbg_exit_vector;       /* the KVM_EXIT_DEBUG's exception: DB_VECTOR, or BP_VECTOR under USE_SW_BP */
	struct l0_guest_debug_cmd dbg_cmd;   /* its next command, while dbg_start */
	uint32_t dbg_steps_left;       /* KVM_DBG_STEP: the steps still to take */
	bool dbg_blockirq;
	bool dbg_start;
	bool dbg_exit;
	uint32_t dbg_exit_dr6;
	bool dbg_db_was_intercepted;   /* kvm-2008: #DB was in the exception bitmap before the debugger */
	/*
	 * kvm_mce.c: vcpu->arch.mcg_status, mcg_cap, mcg_ctl and mce_banks
	 * (CTL, STATUS, ADDR, MISC of each bank), the guest's CR4 as KVM holds
	 * it, and the KVM_X86_SET_MCE ioctls not yet applied, in order.
	 */
	uint64_t mcg_status;
	uint64_t mcg_cap;
	uint64_t mcg_ctl;
	uint64_t mce_banks[4 * KVM_GUEST_MCE_BANKS];
	uint64_t guest_cr4;
	struct x86_mce_record set_mce_queue[KVM_SET_MCE_QUEUE];
	uint32_t set_mce_pending;
	unsigned set_mce_triple;       /* KVM_REQ_TRIPLE_FAULT from those ioctls, not yet acted on: 0, or 1 + MCIP */
	uint64_t db[4];                /* vcpu->arch.db[] (= eff_db[]: user space sets no breakpoints) */
	uint64_t dr7;                  /* vcpu->arch.dr7, in GUEST_DR7 (kvm_update_dr7) */
	unsigned switch_db_regs;       /* KVM_DEBUGREG_* */
	uint64_t dr_unloaded_noted;    /* kvm_debugreg_note_unloaded: the set it last traced (0: none yet) */

	/* Nested VMX (nested.c). */
	/*
	 * L1's VMX operation as L0 emulates it (nested_vmcs.c): vmxon, the
	 * VMXON pointer, and vmcs12, L1's current VMCS - one of the regions of
	 * L1's memory (l0_env.guest_mem) - or NULL when it has none.
	 */
	bool vmxon;
	uint64_t vmxon_ptr;
	struct vmcs *vmcs12;
	struct vmcs vmcs02;            /* what the processor runs L2 with */
	bool guest_mode;               /* L2 runs (vmcs02 loaded) */
	bool nested_run_pending;       /* L1's VMLAUNCH/VMRESUME emulated: L2 must run next */
	bool nested_run_launch;       /* that entry is L1's VMLAUNCH: a failure leaves vmcs12 clear */
	uint32_t nested_run_line;     /* the scenario line of L1's last VMLAUNCH/VMRESUME */
	bool l2_halted;                /* L0 emulated L2's HLT: L2's activity state is HLT */
	bool l2_btf_dropped;           /* L2 runs with TF and the BTF vmcs12 asked for dropped (nested_debugctl_checked) */
	bool l2_wrmsr_btf_dropped;     /* L2's WRMSR of IA32_DEBUGCTL lost its BTF in this run of L2 (kvm_debugctl.c) */
	/*
	 * L1's VMX-preemption timer while L0 holds L2 in an emulated HLT: the
	 * cycle it expires (KVM's hrtimer, nested.preemption_timer), or
	 * UINT64_MAX when no such timer runs.
	 */
	uint64_t l2_timer_deadline;
	/*
	 * Posted interrupts for L2 (nested_apicv.c): vmcs12's notification
	 * vector (nested.posted_intr_nv; -1 without them), a notification L0
	 * took for L2 and has not yet processed (nested.pi_pending), and
	 * vmcs02's MSR bitmap when vmcs12 virtualizes x2APIC accesses.
	 */
	int nested_pi_nv;
	bool nested_pi_pending;
	bool nested_pi_notified;       /* ... sent to the processor as POSTED_INTR_NESTED_VECTOR while L2 ran */
	struct msr_bitmap msr_bitmap02;
	bool req_event;                /* KVM_REQ_EVENT */
	bool immediate_exit_armed;     /* request_immediate_exit() set a zero preemption timer for this entry */
	bool mtf_pending;              /* L0 emulated an instruction of L2 under vmcs12's MTF (nested.mtf_pending) */
	uint32_t exception_vmexit_info;   /* an exception for L2 that L1 intercepts (exception_vmexit), or 0 */
	uint32_t exception_vmexit_error;
	uint64_t exception_vmexit_qual;   /* its payload: the exit qualification */
	bool sw_rearm;                 /* the 2011 patch's KVM_REQ_EVENT re-arm after nested_run_pending */
	bool sw_run_pending_check;     /* the 2011 patch's refusal while nested_run_pending */
	bool sw_userspace_irqchip;     /* 2008: the PIC and LAPIC are in user space (do_interrupt_requests) */

	/* kvm_stat */
	uint64_t nmi_injections, irq_injections, nmi_window_exits, irq_window_exits;
};

/* kvm_vmx.c */
bool cpu_has_virtual_nmis(const struct kvm_vcpu *k);
uint64_t vnmi_blocked_time_ns(const struct kvm_vcpu *k);
void vmx_inject_nmi(struct kvm_vcpu *k, bool reinjected);
void vmx_inject_irq(struct kvm_vcpu *k, uint8_t vector, bool reinjected);
void enable_irq_window(struct kvm_vcpu *k, const char *why);
void enable_nmi_window(struct kvm_vcpu *k, const char *why);
void vmx_update_window_states(struct kvm_vcpu *k);
bool vmx_nmi_allowed(struct kvm_vcpu *k);
bool vmx_interrupt_allowed(struct kvm_vcpu *k);
void vmx_set_soft_vnmi_blocked(struct kvm_vcpu *k, bool blocked, const char *why);
void vmx_vcpu_run_prepare(struct kvm_vcpu *k);
void vmx_complete_interrupts(struct kvm_vcpu *k);
/* The soft-vNMI check on the way into an exit handler (clear on an open window, or the 1 s timeout). */
enum kvm_exit_result vmx_soft_vnmi_exit_check(struct kvm_vcpu *k);
/*
 * kvm_guestdbg.c: user space's debugger (KVM_SET_GUEST_DEBUG; 2008:
 * KVM_DEBUG_GUEST): a `guest-debug` stimulus; a KVM_EXIT_DEBUG; what user
 * space does before the next KVM_RUN; what the 2008 code did before every
 * entry.
 */
#define KVM_GUESTDBG_ENABLE 0x00000001u
#define KVM_GUESTDBG_SINGLESTEP 0x00000002u
#define KVM_GUESTDBG_USE_SW_BP 0x00010000u
#define KVM_GUESTDBG_USE_HW_BP 0x00020000u
#define KVM_GUESTDBG_BLOCKIRQ 0x00100000u
bool kvm_guest_debug_cmd(struct kvm_vcpu *k, const struct l0_guest_debug_cmd *cmd, uint32_t line);
void kvm_guestdbg_exit(struct kvm_vcpu *k, uint32_t dr6);
void kvm_guestdbg_userspace(struct kvm_vcpu *k);
void kvm_guestdbg_before_entry(struct kvm_vcpu *k);
bool kvm_guestdbg_holds(const struct kvm_vcpu *k);
void kvm_guestdbg_general_detect(struct kvm_vcpu *k);
void kvm_guestdbg_breakpoint(struct kvm_vcpu *k);
/* The debugger's #BP intercept (USE_SW_BP) on the VMCS that runs. */
void kvm_guestdbg_update_bp(struct kvm_vcpu *k);
/* At an exit to L1: vmcs01's #BP intercept as the era's load_vmcs12_host_state leaves it. */
void kvm_guestdbg_nested_exit(struct kvm_vcpu *k);
/* kvm_debugreg.c: kvm_update_dr7() on the current VMCS. */
void kvm_update_dr7(struct kvm_vcpu *k);

/*
 * kvm_mce.c: a machine check user space injects (KVM_X86_SET_MCE), and the
 * guest's machine-check MSRs as KVM emulates them.
 */
void kvm_setup_mce(struct kvm_vcpu *k);
bool kvm_set_mce(struct kvm_vcpu *k, const struct x86_mce_record *mce, uint32_t line);
enum kvm_exit_result kvm_apply_set_mce(struct kvm_vcpu *k);
bool kvm_mce_rdmsr(struct kvm_vcpu *k);
enum kvm_exit_result kvm_mce_wrmsr(struct kvm_vcpu *k, bool *handled);
/* is_machine_check() of an exit: reason 0 with #MC as a hardware exception (kvm_vmx.c). */
bool is_machine_check_exit(uint32_t reason, uint32_t info);
enum kvm_exit_result kvm_handle_exit(struct kvm_vcpu *k);
/* An exception for the guest that runs now, in the VM-entry field (kvm_queue_exception). */
void kvm_queue_exception(struct kvm_vcpu *k, uint32_t info, uint32_t error);
/* kvm_queue_exception_p(): with a payload, which an exit to L1 that intercepts it carries as its qualification. */
void kvm_queue_exception_p(struct kvm_vcpu *k, uint32_t info, uint32_t error, uint64_t payload);
/* Either, with why KVM queued it for the trace ("reflected": the guest's own; "set_mce": KVM_X86_SET_MCE). */
void kvm_queue_exception_why(struct kvm_vcpu *k, uint32_t info, uint32_t error, uint64_t payload, const char *why);
/* The guest's WRMSR / RDMSR at GUEST_RIP, which exited to L0 (L1's, or L2's that L1 lets through). */
enum kvm_exit_result handle_wrmsr(struct kvm_vcpu *k);
enum kvm_exit_result handle_rdmsr(struct kvm_vcpu *k);

/* nested.c */
bool nested_exit_on_intr(const struct kvm_vcpu *k);
bool nested_exit_on_nmi(const struct kvm_vcpu *k);
/* The emulated VM exit from L2 to L1. hw: caused by a real exit of L2 (its instruction length is L1's). */
/* prepare_vmcs02 (nested_vmcs02.c): vmcs02 from vmcs12 and vmcs01, for L1's VMLAUNCH/VMRESUME. */
void nested_prepare_vmcs02(struct kvm_vcpu *k);
/* The note for L1 when L2 runs with TF and without the BTF vmcs12 asked for (nested_debugctl_checked). */
void nested_trace_btf_dropped(struct kvm_vcpu *k);
void nested_vmx_vmexit(struct kvm_vcpu *k, uint32_t reason, uint64_t qual, uint32_t info, uint32_t error, bool hw);
/* The guest that runs next must exit right after its entry: a zero preemption timer, or a self-IPI. */
void request_immediate_exit(struct kvm_vcpu *k, const char *what, const char *why);
/* At the next exit: the zero timer of the immediate exit is taken away again. */
void immediate_exit_done(struct kvm_vcpu *k);
void nested_setup_vmcs12(struct kvm_vcpu *k);
/* L1's current VMCS, which its `vapic-*` and `pi-post` stores reach. */
void nested_set_vmcs12(struct kvm_vcpu *k, struct vmcs *v);

/* nested_apicv.c: APIC virtualization and posted interrupts for L2. */
bool nested_cpu_has_vid(const struct kvm_vcpu *k);
/* prepare_vmcs02's part: the notification vector, the descriptor and the x2APIC intercepts. */
void nested_apicv_prepare_vmcs02(struct kvm_vcpu *k);
/* sync_vmcs02_to_vmcs12's part: the guest interrupt status, the virtual-APIC page and the descriptor. */
void nested_apicv_sync_vmcs12(struct kvm_vcpu *k);
/* L1's interrupt `irq` is L2's notification vector: take it out of L1's IRR as nested.pi_pending. */
bool nested_pi_take_notification(struct kvm_vcpu *k, int irq);
/* The 2020 morph at L1's VMLAUNCH/VMRESUME (25bb2cf9), for the eras before 3d91521e (H-N19). */
void nested_pi_morph_at_vmenter(struct kvm_vcpu *k);
void vmx_complete_nested_posted_interrupt(struct kvm_vcpu *k);
/* An interrupt for L1 arrives while it is in guest mode: L2's notification vector? */
bool vmx_deliver_nested_posted_interrupt(struct kvm_vcpu *k, int vector);
/* A halted L2 can take a virtual interrupt (vmx_has_nested_events for a wake-up, e6c67d8c). */
bool nested_vapic_has_interrupt(const struct kvm_vcpu *k);
enum kvm_exit_result nested_vmx_instruction(struct kvm_vcpu *k, uint32_t reason);
/*
 * Enter L2 with vmcs02 when the era reflects entry failures: true with the
 * status when that is the outcome; false when the entry failed on the
 * guest-state checks and L0 has emulated L1's entry failure - enter L1.
 */
bool nested_enter_l2(struct kvm_vcpu *k, enum l0_status *status);
/*
 * L2 entered with what the model lacks - virtual-interrupt delivery or
 * posted interrupts, single-stepping, a DR7 breakpoint
 * (l0_guest_debug_not_modelled; L2's pending-debug field runs) - once the entry passed its
 * checks: stop, refused at L1's VMLAUNCH/VMRESUME. False if not.
 */
bool nested_refuse_unmodelled(struct kvm_vcpu *k);
/* load_vmcs12_host_state()'s RFLAGS and interruptibility for L1 (kvm_era.nested_exit_loads_rflags). */
void nested_load_host_flags(struct kvm_vcpu *k);
/* L1's RFLAGS after an emulated VMX instruction, and the trace of a failure (VMfailValid or VMfailInvalid). */
void nested_vmx_result(struct kvm_vcpu *k, const char *insn, enum vmx_insn_error e, const char *check);
void nested_vmx_fail_invalid(struct kvm_vcpu *k, const char *insn, const char *check);

/*
 * nested_checks.c: KVM's checks of vmcs12 at L1's VMLAUNCH/VMRESUME, in
 * its order: a VMfailValid (code: the VM-instruction error), a VM-entry
 * failure (code: the exit qualification), or on into L2.
 */
enum nested_entry_kind { NESTED_ENTRY_OK, NESTED_ENTRY_VMFAIL, NESTED_ENTRY_FAILED };
struct nested_entry_verdict {
	enum nested_entry_kind kind;
	uint32_t code;
	const char *check;
};
struct vmx_caps nested_offered_caps(const struct kvm_vcpu *k);
void nested_vmx_check_entry(const struct kvm_vcpu *k, bool launch, struct nested_entry_verdict *out);
/* NULL, or (in buf) what the processor would answer instead, where the era deliberately differs. */
const char *nested_entry_differs(const struct kvm_vcpu *k, bool launch, const struct nested_entry_verdict *kvm,
                                 char *buf, size_t n);
void nested_vmx_entry_failure(struct kvm_vcpu *k, uint32_t qual, const char *check, const char *differs);
bool nested_vmcs02_would_enter(const struct kvm_vcpu *k, const char **check);
void nested_vmx_fail_valid(struct kvm_vcpu *k, const char *insn, uint32_t error, const char *check,
                             const char *differs);

/* nested_vmcs.c: L1's VMXON, VMXOFF, VMCLEAR, VMPTRLD and VMPTRST (exits 27, 26, 19, 21, 22). */
enum kvm_exit_result nested_vmx_operation(struct kvm_vcpu *k, uint32_t reason, const struct vmx_insn *in);
/* L1's RDMSR of a VMX capability MSR: what L0 offers, into L1's register. False: not one L0 emulates (#GP). */
bool nested_rdmsr(struct kvm_vcpu *k);
enum kvm_exit_result nested_handle_l2_exit(struct kvm_vcpu *k);
/* kvm-2011 before an entry to L2: inject_pending_event_3x on KVM_REQ_EVENT, then vmcs12's IDT-vectoring back in. */
void nested_inject_events(struct kvm_vcpu *k);
/* The 2011 patch's vmx_interrupt_allowed() in guest mode: may emulate the EXTERNAL_INTERRUPT exit to L1. */
bool nested_interrupt_allowed_2011(struct kvm_vcpu *k);

/* nested_events.c: today's vmx_check_nested_events() and the nested rules of the *_allowed hooks. */
bool kvm_event_needs_reinjection(const struct kvm_vcpu *k);
bool vmx_nmi_blocked(struct kvm_vcpu *k);
bool vmx_interrupt_blocked(struct kvm_vcpu *k);
enum kvm_allowed vmx_nmi_allowed_now(struct kvm_vcpu *k, bool for_injection);
enum kvm_allowed vmx_interrupt_allowed_now(struct kvm_vcpu *k, bool for_injection);
enum kvm_allowed vmx_check_nested_events(struct kvm_vcpu *k);
bool vmx_has_nested_events(const struct kvm_vcpu *k);
/* vmx_set_nmi_mask(): NMIs of the loaded VMCS's guest blocked or unblocked (virtual or soft). */
void vmx_set_nmi_mask(struct kvm_vcpu *k, bool masked);

/* The VMX capabilities an era offers L1 (nested_vmx_setup_ctls_msrs), from the processor's. */
void kvm_offered_caps(const struct kvm_era *era, const struct cpu_model *cpu, struct vmx_caps *c);

/* kvm_debug.c: the guest's #DB (update_exception_bitmap, handle_exception's DB_VECTOR), skipping under TF. */
uint32_t update_exception_bitmap(const struct kvm_vcpu *k);
enum kvm_exit_result handle_exception_db(struct kvm_vcpu *k);
/* A #DB for the guest with the DR6 bits `payload`, as the era writes arch.dr6 (kvm_queue_exception_p today). */
void kvm_queue_db(struct kvm_vcpu *k, uint32_t payload);
/*
 * After KVM emulated the IN or OUT the loaded VMCS exited on: the I/O
 * breakpoint of the guest it would have hit, which KVM does not emulate,
 * said as a difference from the processor (kvm_debugreg.c).
 */
void kvm_io_breakpoint_lost(struct kvm_vcpu *k);
/*
 * After l0_emulate_insn_exit() did an instruction of the guest (L1 or L2)
 * for it: its exception `exc` queued, or else the single-step trap the
 * skip owes and the I/O breakpoint KVM loses; KVM_REQ_EVENT (kvm_vmx.c).
 */
void kvm_emulated_insn_done(struct kvm_vcpu *k, uint32_t basic, uint32_t exc, uint64_t rflags);
/* kvm_set_dr(7) from a nested transition: arch.dr7 = val, written to GUEST_DR7 of v (not yet loaded, maybe). */
void kvm_debugreg_set_dr7(struct kvm_vcpu *k, struct vmcs *v, uint64_t val);
/* A queued #DB's payload into arch.dr6 as it is injected (the eras with db_payload); other exceptions: nothing. */
void kvm_deliver_payload(struct kvm_vcpu *k, uint32_t info, uint64_t payload);
/* The DR6 the guest reads once a #DB with `payload` is delivered (kvm_deliver_exception_payload). */
uint64_t kvm_dr6_with_payload(const struct kvm_vcpu *k, uint64_t payload);

/* kvm_debugreg.c */
void kvm_debugreg_init(struct kvm_vcpu *k);
bool kvm_get_dr(struct kvm_vcpu *k, unsigned dr, uint64_t *val);
int kvm_set_dr(struct kvm_vcpu *k, unsigned dr, uint64_t val);
enum kvm_exit_result handle_dr(struct kvm_vcpu *k);
void kvm_debugreg_before_entry(struct kvm_vcpu *k);
/*
 * After an entry of L1 (L2's are nested_refuse_unmodelled's): true, with
 * the guest stopped, if the processor now runs a DR7 the model cannot - a
 * data breakpoint outside the data area, an undefined encoding.
 */
bool kvm_debugreg_refuse_at_entry(struct kvm_vcpu *k);

/*
 * After any entry: a breakpoint enabled in the DR7 it loaded while KVM
 * loaded no DR0-DR3 (3.1: arch.dr7 enabled none) compares a DRn that is
 * not the guest's own (arch.db): traced as the documented difference
 * dr0123-unloaded, once while the set stays the same.
 */
void kvm_debugreg_note_unloaded(struct kvm_vcpu *k);
void kvm_debugreg_after_exit(struct kvm_vcpu *k);
/* After an instruction was skipped that began with `rflags`: the single-step #DB, in the eras that queue it. */
void kvm_skip_singlestep(struct kvm_vcpu *k, uint64_t rflags);
/* Skip the exiting instruction (l0_skip_instruction), then the single-step #DB it owes. */
void kvm_skip_emulated_instruction(struct kvm_vcpu *k);

/*
 * kvm_debugctl.c: the guest's IA32_DEBUGCTL. Init takes the `vmcs` lines'
 * value as user space's KVM_SET_MSRS (false: refused, the guest stopped);
 * the exit handlers set *handled when the WRMSR or RDMSR names the MSR.
 */
bool kvm_debugctl_init(struct kvm_vcpu *k);
enum kvm_exit_result kvm_debugctl_wrmsr(struct kvm_vcpu *k, bool *handled);
enum kvm_exit_result kvm_debugctl_rdmsr(struct kvm_vcpu *k, bool *handled);
/* The note for L1 that L2's WRMSR of IA32_DEBUGCTL lost its BTF: at the WRMSR, and again after the exit. */
void kvm_debugctl_trace_l2_btf_dropped(struct kvm_vcpu *k);

/* kvm_inject.c */
void kvm_inject_pending_events(struct kvm_vcpu *k);
void inject_pending_event_3x(struct kvm_vcpu *k);
bool kvm_cpu_has_interrupt(const struct kvm_vcpu *k);
/* Move queued NMIs to pending (process_nmi, H-S7's limit). */
void process_nmi(struct kvm_vcpu *k);

#endif
