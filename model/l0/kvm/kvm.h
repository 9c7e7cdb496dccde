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

#include "model/l0/l0_common.h"
#include "vmcs/x86_mcg.h"

/* KVM_X86_SET_MCE ioctls one exit can leave for the next entry; more are refused (kvm_mce.c). */
#define KVM_SET_MCE_QUEUE 4u

/* What handle_dr() does with a guest's MOV DR (kvm_debugreg.c). */
enum kvm_dr_access {
	KVM_DR_IGNORED,   /* 2.6.26-28: a MOV to DRn dropped, a MOV from DRn reads 0, 0xffff0ff0 or 0x400 */
	KVM_DR_EMULATE,   /* 3.1: every MOV DR exits and is emulated on vcpu->arch */
	KVM_DR_LAZY,      /* today: the first MOV DR hands the registers to the guest until the next exit */
};

/* What the era's set_msr/get_msr do with the guest's IA32_DEBUGCTL (kvm_debugctl.c). */
enum kvm_debugctl {
	KVM_DEBUGCTL_IGNORED,     /* 2.6.28 to 3.x: kvm_set_msr_common accepts LBR/BTF and drops them; reads 0 */
	KVM_DEBUGCTL_SUPPORTED,   /* today: vmx_set_msr keeps the supported bits, drops LBR/BTF; reads the field */
};

/* vcpu->arch.switch_db_regs */
enum {
	KVM_DEBUGREG_BP_ENABLED = 1u << 0,   /* a breakpoint enabled in the guest's DR7: load DR0-DR3 */
	KVM_DEBUGREG_WONT_EXIT = 1u << 1,    /* MOV-DR exiting off: the guest owns DR0-DR3 and DR6 */
};

/* What differs between the eras of KVM that the model offers. */
struct kvm_era {
	const char *name;
	const char *summary;
	/* The userspace NMI-window request path (KVM_EXIT_NMI_WINDOW_OPEN). */
	bool userspace_nmi_window;
	/* The 1 s timeout also fires for a userspace request, not only a pending NMI. */
	bool timeout_on_request;
	/* enable_nmi_window() uses the IRQ window under STI blocking (modern). */
	bool sti_uses_irq_window;
	/* Up to two NMIs pending unless masked or one in flight (H-S7); else one. */
	bool nmi_pending_two;
	/* A halted vCPU wakes on a pending NMI only if it could be injected (F1). */
	bool halt_wake_needs_nmi_allowed;
	/* A halted vCPU wakes on a pending interrupt only if RFLAGS.IF allows it. */
	bool halt_wake_needs_if;
	/* An NMI found in IDT-vectoring clears the soft-vNMI flag (vmx_set_nmi_mask(false)). */
	bool requeue_clears_soft_flag;
	/* kvm_check_and_inject_events() (re-injection first) and acknowledge-interrupt-on-exit. */
	bool modern_injection_order;
	/* KVM_REQ_EVENT (2010, H-S5): injection is looked at only when requested. */
	bool req_event_model;
	/* Nested VMX: L1 may run L2 (vmcs12 emulated, vmcs02 built by L0). */
	bool nested;
	/* Acknowledge interrupt on exit is offered to L1, and the vector goes into its exit (H-N7). */
	bool nested_ack_offered;
	/* An L1 interrupt refused while nested_run_pending forces an immediate exit of L2 (H-N2, H-N17). */
	bool nested_immediate_exit;
	/* An event cut short in L2 goes into vmcs12's IDT-vectoring and leaves L0's queues (H-N3). */
	bool nested_save_pending_event;
	/* L1's pending events are looked at again on every nested VM entry (H-N13). */
	bool nested_event_on_vmenter;
	/* A halted L2 wakes for an event that must exit to L1 (check_nested_events in has_events, H-N6). */
	bool nested_wake_on_l1_event;
	/* An L1 event held back by a re-injection into L2 forces an immediate exit (H-N11); else L2's next exit. */
	bool nested_reinject_immediate_exit;
	/*
	 * nested_vmx_run()'s consistency checks in the SDM's order: blocking by
	 * MOV SS (VMfailValid 26), then every control-field check of SDM 26.2.1
	 * (event injection included, nested_check_vm_entry_controls() and
	 * friends; VMfailValid 7), then the host state (VMfailValid 8), and no
	 * shutdown activity state offered (nested_checks.c). The early nested
	 * code compared the control words with the capability MSRs only and
	 * left the rest to the processor's entry with vmcs02, on purpose, as
	 * its comment there says: the processor would catch them anyway.
	 */
	bool nested_checks_all_controls;
	/*
	 * A VM-entry failure of vmcs02 on the guest-state checks (exit reason
	 * 33 with bit 31) is reflected to L1 as its own entry failure
	 * (nested_vmx_reflect_vmexit). Off (kvm-2011): the failed entry of
	 * vmcs02 stops the guest, as KVM_EXIT_FAIL_ENTRY does. Not verified
	 * against the 2011 source: the 3.x code of later years reflected such
	 * a failure, and a VMfail of vmcs02, to L1 (a "late VM-fail" at L1's
	 * HOST_RIP); which year did what is left to the era catalogue.
	 */
	bool nested_reflects_failed_entry;
	/*
	 * vmcs12's IA32_DEBUGCTL under load debug controls (095686e6, 2025):
	 * nested_vmx_check_guest_state fails the entry on a bit KVM does not
	 * support for L2 but LBR and BTF (vmx_is_valid_debugctl), and
	 * prepare_vmcs02 puts only the supported bits into vmcs02 - BTF among
	 * those dropped. Before it vmcs12's value went into vmcs02 as it was
	 * (the model has no era of that code).
	 */
	bool nested_debugctl_checked;
	/*
	 * Today's debug registers across L1 and L2: vmcs02 always loads the
	 * debug controls, with vmcs12's DR7 or else L1's arch.dr7
	 * (prepare_vmcs02: kvm_set_dr(7, ...); 2996fca0 let L1 leave the
	 * controls clear), the exit to L1 puts 400H back (load_vmcs12_host_state)
	 * after saving arch.dr7 into vmcs12 with save debug controls, and L2's
	 * MOV DR that L1 does not intercept is L0's handle_dr in guest mode
	 * (MOV-DR exiting comes into vmcs02 from vmcs01). Without it (3.1):
	 * vmcs02 takes vmcs12's DR7 as it is, L2's MOV DR is handle_dr on the
	 * one arch.dr7, prepare_vmcs12 saves arch.dr7 into vmcs12 and L1
	 * resumes with vmcs01's DR7 (nested.c prepare_vmcs12_debug_3_1).
	 */
	bool nested_debugregs;
	/*
	 * Today's load_vmcs12_host_state() gives L1 the RFLAGS the processor
	 * loads at a VM exit, 0x2 (vmx_set_rflags(vcpu, X86_EFLAGS_FIXED)), and
	 * no interrupt shadow. 3.1's wrote neither (read in its 3.1.10 tree):
	 * L1 resumes at HOST_RIP with vmcs01's RFLAGS - its own at the
	 * VMLAUNCH/VMRESUME that entered L2, IF and TF included, with the
	 * arithmetic flags nested_vmx_succeed() clears; its shadow was gone
	 * already (nested_vmx_run skipped the instruction first; nested.c
	 * nested_load_host_flags).
	 */
	bool nested_exit_loads_rflags;
	/*
	 * Today's nested_vmx_l0_wants_exit() keeps an exit of L2 for user
	 * space's debugger before vmcs12 is asked: a #DB with SINGLESTEP or
	 * USE_HW_BP, a #BP with USE_SW_BP - hardware exceptions only
	 * (is_debug, is_breakpoint), so INT1 and INT3 go to an L1 that
	 * intercepts them. 3.1's nested_vmx_exit_handled asked vmcs12 alone:
	 * an L1 that intercepts #DB takes the debugger's steps of L2.
	 */
	bool nested_l0_wants_guestdbg;
	/*
	 * 3.1's load_vmcs12_host_state() recomputes vmcs01's exception bitmap
	 * (update_exception_bitmap), so the debugger's #BP intercept set or
	 * cleared while L2 ran reaches vmcs01 at the exit. Today's does not
	 * (nested_vmx_vmexit and load_vmcs12_host_state, read at v5.10, leave
	 * vmcs01's bitmap as it was): vmcs01 keeps the intercept of the last
	 * KVM_SET_GUEST_DEBUG made while L1 ran.
	 */
	bool nested_exit_updates_eb;
	/*
	 * Today's event path in guest mode: vmx_check_nested_events() decides
	 * first, in its priority order, which event of L1 becomes an emulated
	 * VM exit; what stays for L2 goes through kvm_check_and_inject_events()
	 * like any guest's; an event that cannot be handled yet (L1's entry or
	 * a re-injection still in flight: block_nested_events) answers -EBUSY,
	 * which becomes KVM_REQ_EVENT plus an immediate exit (nested_events.c).
	 */
	bool nested_check_events;
	/*
	 * L1's preemption timer keeps running while L0 holds L2 in an emulated
	 * HLT, wakes the vCPU and becomes L1's PREEMPTION_TIMER exit (the
	 * hrtimer of f4124500, 2014; vmx_has_nested_events). The 3.1 code
	 * offered L1 no timer.
	 */
	bool nested_timer_while_halted;
	/*
	 * A triple fault KVM makes while L2 runs is L1's TRIPLE_FAULT exit
	 * (nested_ops->triple_fault, cb6a32c2, 2021). Before: KVM_EXIT_SHUTDOWN,
	 * the whole VM stops (3.1's vcpu_enter_guest knows no guest mode there).
	 */
	bool nested_triple_fault_to_l1;
	/* The soft-vNMI state belongs to the loaded VMCS (vmcs01, vmcs02), as since the 2017 reinstatement. */
	bool soft_vnmi_per_vmcs;
	/*
	 * The soft-vNMI clear on an exit asks vmx_interrupt_blocked() (H-S13),
	 * which in L2 answers "not blocked" whenever L1 exits on interrupts;
	 * else it asks the guest's own RFLAGS.IF and STI/MOV-SS blocking.
	 */
	bool soft_vnmi_clear_uses_blocked;
	/* KVM_REQ_NMI makes a halted vCPU runnable by itself, whether the NMI can be injected or not. */
	bool req_nmi_wakes;
	/*
	 * 3.x: inject_pending_event() (a re-injection, else one new NMI or
	 * interrupt) and then, in vcpu_enter_guest(), the NMI window if an NMI
	 * was pending before, else the interrupt window if an interrupt is.
	 * Off: the 2008 vmx_intr_assist() (or do_interrupt_requests()).
	 */
	bool inject_pending_event_3x;
	/*
	 * 3.1 nested: vmx_complete_interrupts() returns at once in guest mode
	 * (L0's queues are left as they are); after every exit of L2 its
	 * IDT-vectoring information is copied into vmcs12, and the next entry
	 * to L2 that is not L1's own VMLAUNCH/VMRESUME writes it back into
	 * vmcs02's VM-entry field (vmx_vcpu_run). vmx_inject_nmi() does nothing
	 * in guest mode.
	 */
	bool nested_idt_via_vmcs12;
	/* 3.1's nested_vmx_setup_ctls_msrs(): fixed lists (no preemption timer, only host address-space size on exit). */
	bool nested_caps_3_1;
	/* The userspace-irqchip routine do_interrupt_requests() exists beside the in-kernel one (`+userspace-irqchip`). */
	bool userspace_irqchip_path;
	/*
	 * Debug exceptions of a single-level guest (kvm_debug.c), with user
	 * space not debugging it. update_exception_bitmap(): 2.6.26-28 set
	 * #PF and #UD, #NM while the guest's FPU was not loaded, and #DB only
	 * for userspace guest debugging; 3.1 set #PF, #UD, #MC, #NM and #DB
	 * (#PF dropped with EPT, #NM while the FPU is loaded); today #PF
	 * (without EPT), #UD, #MC, #DB and #AC (#GP only with the VMware
	 * backdoor option, #NM only for AMX's XFD). The model follows the #DB
	 * intercept and the #MC one (intercept_mc). The others change nothing
	 * its guests can tell: they have no FPU (#NM never happens), no
	 * alignment checking (#AC), run with EPT (no #PF intercept), and their
	 * #UD (UD2, INTO in 64-bit mode) is one KVM's emulator does not
	 * handle, so handle_ud()/handle_exception() queues the same #UD at the
	 * same RIP - only the exit's cycles differ. #BP is intercepted only for
	 * userspace breakpoints. vmcs02 carries vmcs12's bitmap ORed with this
	 * one (prepare_vmcs02): an L2 #DB that L1 does not want - L2's INT1 -
	 * is L0's: L2's INT1 and single-step traps (refused only under vmcs12's
	 * MTF, nested_refuse_unmodelled); its pending-debug field is carried
	 * between vmcs12 and vmcs02.
	 */
	bool intercept_db;
	/*
	 * #MC in the exception bitmap (a0861c02, "KVM: Add VT-x machine check
	 * support", 2009): a host machine check while the guest runs exits,
	 * and KVM runs the host's handler (kvm_machine_check(), which calls
	 * do_machine_check) without telling the guest (handle_machine_check
	 * only resumes). The 2008 code did not intercept it: the processor
	 * generated #MC in the guest, through the guest's IDT with the guest's
	 * CR4.MCE, or shut the guest down without it.
	 */
	bool intercept_mc;
	/*
	 * vmx_set_cr4() keeps the host's CR4.MCE in the CR4 the guest runs with
	 * (hw_cr4, GUEST_CR4 of vmcs01 and vmcs02) whatever the guest's own
	 * CR4 says (2015; the commit's hash was not confirmed here). Before,
	 * hw_cr4 was the guest's CR4 with PAE and VMXE: a guest with
	 * CR4.MCE = 0 had the processor shut down at a host machine check,
	 * before the #MC intercept could make it an exit (R24 level 1).
	 */
	bool hw_cr4_host_mce;
	/*
	 * KVM_X86_SET_MCE and the guest's IA32_MCG_STATUS kept in
	 * vcpu->arch.mcg_status (890ca9ae, 2009; kvm_mce.c). The 2008 code had
	 * neither: MCG_STATUS read as 0.
	 */
	bool set_mce;
	/*
	 * Today's set_msr_mce and KVM_X86_SET_MCE (kvm_mce.c): a guest's
	 * non-zero WRMSR of MCi_STATUS is #GP (9ffd986c, 2019), MCi_CTL may
	 * also have bit 0 clear, and an uncorrected error that asks for no
	 * action (no MCG_STATUS, no PCC, S or AR) is logged without a #MC
	 * (UCNA, 2022). 3.1 takes any MCi_STATUS value and gives every
	 * uncorrected error a #MC.
	 */
	bool mca_today;
	/*
	 * A pending exception wakes a halted vCPU: today's kvm_vcpu_has_events()
	 * counts it; 3.1's kvm_arch_vcpu_runnable() does not, and the #MC of a
	 * KVM_X86_SET_MCE for a halted guest waits there for another wake event.
	 */
	bool halt_wake_on_exception;
	/* An intercepted INT1 (ICEBP) is skipped before its #DB is queued; 3.1 queued a #DB at the ICEBP itself. */
	bool db_skips_icebp;
	/*
	 * How user space debugs the guest (kvm_guestdbg.c): 2.6.28's
	 * KVM_DEBUG_GUEST, which sets TF and RF before every entry; or
	 * KVM_SET_GUEST_DEBUG (2.6.29 on: 3.1 and today), TF while the guest is
	 * at singlestep_rip, with STI/MOV-SS blocking dropped before the entry;
	 * today also KVM_GUESTDBG_BLOCKIRQ (61e5f69e, 2021).
	 */
	enum kvm_guestdbg_era { KVM_DEBUG_GUEST_2008, KVM_SET_GUEST_DEBUG_3X, KVM_SET_GUEST_DEBUG_BLOCKIRQ } guestdbg;
	/* b9bed78e (2022): a #DB exit in an STI/MOV-SS shadow with RFLAGS.TF sets BS in the pending-debug field. */
	bool db_sets_pending_bs;
	/* kvm_skip_emulated_instruction() queues the single-step #DB of a skipped instruction (6affcbed, 4.10). */
	bool skip_singlestep;
	/* DR6 rides with the #DB as its payload (B0-B3 replaced, BS kept); else arch.dr6 = bits | DR6_FIXED_1. */
	bool db_payload;
	/* handle_dr() (kvm_debugreg.c). */
	enum kvm_dr_access dr_access;
	/* The guest's IA32_DEBUGCTL (kvm_debugctl.c). */
	enum kvm_debugctl debugctl;
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
	uint64_t mce_banks[4 * X86_MCA_GUEST_BANKS];
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
