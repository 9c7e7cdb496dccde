/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kvm_era.h - what differs between the eras of KVM the model offers: one
 * struct kvm_era per era (kvm_x86.c: kvm-2008, kvm-2011, kvm-modern),
 * whose flags the KVM model's code asks (kvm.h).
 */
#ifndef VMXSIM_KVM_ERA_H
#define VMXSIM_KVM_ERA_H

#include <stdbool.h>

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
	 * L2's posted-interrupt notification vector pending in L1's local APIC
	 * is taken in vmx_check_nested_events at the priority of an
	 * interrupt, and only a re-injection holds it back (3d91521e, 6.14,
	 * H-N19). Before, KVM took it at L1's VMLAUNCH/VMRESUME (25bb2cf9,
	 * 2020), ahead of any event of higher priority, whose exit to L1 left
	 * it unprocessed - and L1's next entry forgot it (nested_apicv.c).
	 */
	bool nested_pi_in_check_events;
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

#endif
