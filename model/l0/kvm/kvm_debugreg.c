/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kvm_debugreg.c - what each era of KVM does with a single-level guest's
 * debug registers (with user space debugging the guest, KVM_SET_GUEST_DEBUG,
 * its breakpoints take the processor's DR0-DR3 and DR7 instead:
 * kvm_guestdbg.c): MOV-DR exiting and handle_dr(),
 * kvm_get_dr()/kvm_set_dr(), the guest's DR0-DR3 loaded before the entry
 * (switch_db_regs, eff_db) and today's lazy path (KVM_DEBUGREG_WONT_EXIT,
 * sync_dirty_debug_regs). Rules R12 (GUEST_DR7 with the debug controls)
 * and R24 (instruction breakpoints, level 7). The #DB the breakpoints
 * cause is kvm_debug.c's.
 *
 * The processor model has one DR0-DR3 and DR6 (vmx_lp.dr[], .dr6), which
 * entries and exits do not switch; DR7 is GUEST_DR7, loaded and saved with
 * the debug controls. KVM keeps the guest's own copy (vcpu->arch.db[],
 * dr6, dr7: kvm_vcpu.db[], .dr6, .dr7) and puts DR0-DR3 into the
 * processor before the entry (vmx_lp_set_debugreg, as set_debugreg()).
 *
 * Eras (struct kvm_era.dr_access):
 *  - KVM_DR_IGNORED (2.6.26-28): every MOV DR exits; handle_dr() (the
 *    version carried from the first VMX code, whose own comment admits it
 *    was written for a host that debugs the guest) drops a MOV to DRn and
 *    answers a MOV from DR6 with 0xffff0ff0, from DR7 with 0x400, from any
 *    other with 0, then skips the instruction. A guest cannot set a breakpoint.
 *  - KVM_DR_EMULATE (3.1; the 2.6.3x handle_dr() read for the order): every
 *    MOV DR exits; CPL > 0 is #GP; DR7.GD is emulated (the exit comes
 *    before the #DB fault: BD joins arch.dr6, GD is cleared in arch.dr7
 *    and GUEST_DR7, the #DB is queued at the MOV); else the access is
 *    emulated on arch.db/dr6/dr7, DR4/DR5 are DR6/DR7 without CR4.DE and
 *    #UD with it, bits 63:32 of a value for DR6/DR7 are #GP(0); an
 *    exception leaves RIP at the MOV, else the MOV is skipped.
 *  - KVM_DR_LAZY (today; "KVM: vmx: Allow the guest to run with dirty
 *    debug registers", 2014): #UD for DR4/DR5 under CR4.DE first
 *    (kvm_require_dr), then CPL and GD as above; then, with no user-space
 *    debugging, handle_dr() clears MOV-DR exiting, sets
 *    KVM_DEBUGREG_WONT_EXIT and re-enters at the same MOV without
 *    emulating it: the entry loads DR0-DR3 and DR6 from arch, and the MOV
 *    and those after it run on the processor. The next exit reads the
 *    registers back (vmx_sync_dirty_debug_regs: DR0-DR3, DR6, GUEST_DR7)
 *    and sets MOV-DR exiting again.
 *
 * The guests of the model run at CPL 0: the CPL check never fires.
 */
#include <stdio.h>

#include "model/l0/kvm/kvm.h"

#include "vmcs/vmx_intr_state.h"
#include "vmcs/x86_debugreg.h"

#define DEBUG_REG_ACCESS_NUM 0x7u        /* exit qualification 2:0: the DR */
#define TYPE_MOV_FROM_DR 0x10u           /* 4: direction */
#define DEBUG_REG_ACCESS_REG(q) (((q) >> 8) & 0xfu)

/*
 * kvm_update_dr7() into VMCS v: GUEST_DR7 and KVM_DEBUGREG_BP_ENABLED follow
 * arch.dr7 - or, while user space's debugger uses hardware breakpoints
 * (USE_HW_BP, kvm_guestdbg.c), guest_debug_dr7, the guest's own DR7 kept
 * only in arch.dr7.
 */
static void update_dr7_in(struct kvm_vcpu *k, struct vmcs *v)
{
	uint64_t dr7 = (k->guest_debug & KVM_GUESTDBG_USE_HW_BP) ? k->guest_debug_dr7 : k->dr7;

	vmcs_set(v, GUEST_DR7, dr7);
	if (dr7 & DR7_BREAKPOINT_ENABLES)
		k->switch_db_regs |= KVM_DEBUGREG_BP_ENABLED;
	else
		k->switch_db_regs &= ~(unsigned)KVM_DEBUGREG_BP_ENABLED;
}

/* kvm_update_dr7(): into the current VMCS - vmcs01, or vmcs02 while L2 runs. */
void kvm_update_dr7(struct kvm_vcpu *k)
{
	update_dr7_in(k, k->b.loaded);
}

void kvm_debugreg_set_dr7(struct kvm_vcpu *k, struct vmcs *v, uint64_t val)
{
	k->dr7 = (val & DR7_WRITABLE) | DR7_FIXED_1;
	update_dr7_in(k, v);
}

void kvm_debugreg_init(struct kvm_vcpu *k)
{
	/*
	 * The `vmcs` lines' GUEST_DR7 is the guest's DR7 as user space would
	 * give it (KVM_SET_DEBUGREGS, which ends in kvm_update_dr7()).
	 */
	k->dr7 = (vmcs_get(&k->b.vmcs, GUEST_DR7) & DR7_WRITABLE) | DR7_FIXED_1;
	if (k->era->dr_access != KVM_DR_IGNORED)
		update_dr7_in(k, &k->b.vmcs);
}

static bool cr4_de(const struct kvm_vcpu *k)
{
	return (vmcs_get(k->b.loaded, GUEST_CR4) & X86_CR4_DE) != 0;
}

static void queue_hw_exception(struct kvm_vcpu *k, uint8_t vector, bool has_error)
{
	kvm_queue_exception(k, intr_info_make(INTR_TYPE_HARD_EXCEPTION, vector, has_error), 0);
}

static void refuse_dr7(struct kvm_vcpu *k, const char *why)
{
	const struct vmx_insn *in = l0_guest_insn(&k->b);

	l0_refuse(&k->b, in ? in->line : 0, why);
}

/*
 * MOV-DR exiting on or off in the current VMCS (the lazy path: vmcs01, or
 * vmcs02 for an L2's MOV DR that L1 does not intercept), with a host trace
 * line.
 */
static void set_mov_dr_exiting(struct kvm_vcpu *k, bool on, const char *why)
{
	if (on)
		vmcs_set_bits(k->b.loaded, CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_MOV_DR_EXITING);
	else
		vmcs_clear_bits(k->b.loaded, CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_MOV_DR_EXITING);
	l0_trace(&k->b, TRACE_HOST, "type", on ? "mov-dr-exiting-on" : "mov-dr-exiting-off", why, -1, 0);
}

/* kvm_get_dr(): false if the access is #UD (DR4/DR5 with CR4.DE), which is queued. */
bool kvm_get_dr(struct kvm_vcpu *k, unsigned dr, uint64_t *val)
{
	if ((dr == 4 || dr == 5) && cr4_de(k)) {
		queue_hw_exception(k, UD_VECTOR, false);
		return false;
	}
	if (dr < 4)
		*val = k->db[dr];
	else if (dr == 4 || dr == 6)
		*val = k->dr6;
	else
		*val = k->dr7;
	return true;
}

/*
 * kvm_set_dr(): 0 done; 1 if the access is #UD (DR4/DR5 with CR4.DE) or
 * #GP(0) (bits 63:32), which is queued; -1 if the model refuses the value.
 */
int kvm_set_dr(struct kvm_vcpu *k, unsigned dr, uint64_t val)
{
	if ((dr == 4 || dr == 5) && cr4_de(k)) {
		queue_hw_exception(k, UD_VECTOR, false);
		return 1;
	}
	if (dr < 4) {
		uint64_t cr4 = vmcs_get(k->b.loaded, GUEST_CR4);
		const char *why;
		/*
		 * A data breakpoint DR7 enables, moved out of the data area: the
		 * processor would refuse it too. arch.dr7, and the DR7 the guest
		 * runs with, which in 3.1's guest mode can be vmcs12's instead.
		 */
		if ((why = dr7_not_modelled_with_dr(k->dr7, k->db, dr, val, cr4)) != NULL ||
		    (why = dr7_not_modelled_with_dr(vmcs_get(k->b.loaded, GUEST_DR7), k->db, dr, val, cr4)) != NULL) {
			refuse_dr7(k, why);
			return -1;
		}
		k->db[dr] = val;   /* eff_db[] too, unless user space's debugger has its own (USE_HW_BP) */
		return 0;
	}
	if (val & DR_UPPER_RESERVED) {
		queue_hw_exception(k, GP_VECTOR, true);
		return 1;
	}
	if (dr == 4 || dr == 6) {
		k->dr6 = (val & DR6_WRITABLE) | DR6_FIXED_1;
	} else {
		const char *why = dr7_not_modelled(val, k->db, vmcs_get(k->b.loaded, GUEST_CR4));
		if (why) {
			/* KVM would load it into GUEST_DR7; the processor refuses it with the same words (breakpoint.c). */
			refuse_dr7(k, why);
			return -1;
		}
		k->dr7 = (val & DR7_WRITABLE) | DR7_FIXED_1;
		kvm_update_dr7(k);
	}
	return 0;
}

/* 2.6.26-28: writes dropped, reads of constants, and the skip. */
static enum kvm_exit_result handle_dr_ignored(struct kvm_vcpu *k, uint64_t qual)
{
	uint64_t *gpr = k->b.loaded->guest->gpr;
	unsigned dr = (unsigned)(qual & DEBUG_REG_ACCESS_NUM);

	if (qual & TYPE_MOV_FROM_DR)
		gpr[DEBUG_REG_ACCESS_REG(qual) % X86_NGPR] = dr == 6 ? DR6_FIXED_1 : dr == 7 ? DR7_FIXED_1 : 0;
	l0_trace(&k->b, TRACE_HOST, "type", "dr-ignored",
	         "2.6.26-28 handle_dr: a MOV to DRn is dropped, a MOV from DRn reads a constant", -1, 0);
	kvm_skip_emulated_instruction(k);
	return KVM_RESUME;
}

/*
 * DR7.GD: the MOV exited before its #DB fault (R24: the exit comes first),
 * so KVM raises the #DB itself with BD, and GD goes as the processor would
 * clear it for the handler. 3.x ORs BD into arch.dr6 and clears GD at
 * once; today BD is the payload (kvm_queue_exception_p) and GD is cleared
 * only when the #DB is injected (kvm_check_and_inject_events,
 * kvm_deliver_payload): a #DB that becomes L1's exit leaves both, as the
 * processor's #DB exit does.
 */
static void emulate_general_detect(struct kvm_vcpu *k)
{
	if (k->era->db_payload) {
		l0_trace(&k->b, TRACE_HOST, "type", "dr-general-detect",
		         "handle_dr: DR7.GD with MOV-DR exiting: the #DB with DR6.BD is queued (GD cleared as it goes in)",
		         DB_VECTOR, 0);
		kvm_queue_db(k, DR6_BD);
		return;
	}
	l0_trace(&k->b, TRACE_HOST, "type", "dr-general-detect",
	         "handle_dr: DR7.GD with MOV-DR exiting: the #DB with DR6.BD is queued and GD cleared", DB_VECTOR, 0);
	k->dr7 &= ~(uint64_t)DR7_GD;
	kvm_update_dr7(k);
	k->dr6 |= DR6_BD;
	queue_hw_exception(k, DB_VECTOR, false);
}

enum kvm_exit_result handle_dr(struct kvm_vcpu *k)
{
	uint64_t qual = vmcs_get(k->b.loaded, EXIT_QUALIFICATION);
	uint64_t *gpr = k->b.loaded->guest->gpr, val = 0;
	unsigned dr = (unsigned)(qual & DEBUG_REG_ACCESS_NUM);
	unsigned reg = DEBUG_REG_ACCESS_REG(qual) % X86_NGPR;
	int err = 0;

	if (k->era->dr_access == KVM_DR_IGNORED)
		return handle_dr_ignored(k, qual);
	/* kvm_require_dr() comes first today; 3.x checked DR4/DR5 in the access, after GD. */
	if (k->era->dr_access == KVM_DR_LAZY && (dr == 4 || dr == 5) && cr4_de(k)) {
		queue_hw_exception(k, UD_VECTOR, false);
		return KVM_RESUME;
	}
	if (vmcs_get(k->b.loaded, GUEST_DR7) & DR7_GD) {
		if (k->guest_debug & KVM_GUESTDBG_USE_HW_BP)
			kvm_guestdbg_general_detect(k);   /* user space's GD: KVM_EXIT_DEBUG (kvm_guestdbg.c) */
		else
			emulate_general_detect(k);
		return KVM_RESUME;
	}
	/* With user space debugging the guest (vcpu->guest_debug, kvm_guestdbg.c) the MOV is emulated instead. */
	if (k->era->dr_access == KVM_DR_LAZY && !k->guest_debug) {
		set_mov_dr_exiting(k, false,
		                   "handle_dr: no user-space debugging; the guest runs MOV DR itself (KVM_DEBUGREG_WONT_EXIT)");
		k->switch_db_regs |= KVM_DEBUGREG_WONT_EXIT;
		return KVM_RESUME;   /* the same MOV again, on the processor */
	}
	if (qual & TYPE_MOV_FROM_DR) {
		if (kvm_get_dr(k, dr, &val))
			gpr[reg] = val;
		else
			err = 1;
	} else {
		err = kvm_set_dr(k, dr, gpr[reg]);
		if (err < 0)
			return KVM_SHUTDOWN;   /* refused (refuse_dr7) */
	}
	/* An exception leaves RIP at the MOV (kvm_complete_insn_gp today). */
	if (!err)
		kvm_skip_emulated_instruction(k);
	return KVM_RESUME;
}

/*
 * The DR0-DR3 KVM loads before this entry, or NULL for none: then the
 * processor keeps what it holds. The host restores its own only when it
 * has a breakpoint active (vcpu_enter_guest: hw_breakpoint_active(), in
 * 3.1 as today: "we don't care about the messed up debug address
 * registers"), and the model's host has none, so what the processor holds
 * is what KVM last loaded for this vCPU, or the 0 of reset. Under 3.1 an
 * L2 whose vmcs12 DR7 enables a breakpoint while L1's arch.dr7 enables
 * none runs with exactly that (switch_db_regs follows arch.dr7 alone). vcpu_enter_guest(): with a breakpoint enabled in the guest's DR7
 * (KVM_DEBUGREG_BP_ENABLED), or the registers handed to the guest
 * (WONT_EXIT), eff_db[] - the debugger's while it uses hardware
 * breakpoints (kvm_guestdbg.c), else arch.db. Otherwise no breakpoint of
 * the guest is enabled, and its MOV DR exits. kvm-2008 had no
 * switch_db_regs: kvm_guest_debug_pre() loaded the debugger's whenever it
 * was on. The same in guest mode: L1 and L2 share arch.db and arch.dr6, as
 * they share the processor's registers on bare metal.
 */
static const uint64_t *dr0123_loaded(const struct kvm_vcpu *k)
{
	if (k->era->guestdbg == KVM_DEBUG_GUEST_2008)
		return k->guest_debug ? k->dbg_db : NULL;
	if (!k->switch_db_regs)
		return NULL;
	return (k->guest_debug & KVM_GUESTDBG_USE_HW_BP) ? k->dbg_db : k->db;
}

void kvm_debugreg_before_entry(struct kvm_vcpu *k)
{
	struct vmx_lp *lp = k->b.env.lp;
	const uint64_t *db = dr0123_loaded(k);

	if (db)
		for (unsigned n = 0; n < 4; n++)
			vmx_lp_set_debugreg(lp, n, db[n]);
	/* WONT_EXIT: DR6 too, which the guest then reads directly. */
	if (k->switch_db_regs & KVM_DEBUGREG_WONT_EXIT)
		vmx_lp_set_debugreg(lp, 6, k->dr6);
}

bool kvm_debugreg_refuse_at_entry(struct kvm_vcpu *k)
{
	const struct vmx_lp *lp = k->b.env.lp;
	const struct vmx_insn *in = l0_guest_insn(&k->b);
	const char *why;

	/*
	 * A breakpoint enabled in the DR7 the entry loaded while KVM loaded no
	 * DR0-DR3 - L1 resuming on vmcs01 after L2 wrote DR7 through 3.1's
	 * handle_dr (nested.c) - is compared with what the processor holds
	 * (dr0123_loaded), as every breakpoint is: lp->dr.
	 */
	why = dr7_not_modelled(lp->dr7, lp->dr, lp->cr4);
	if (!why)
		return false;
	l0_refuse(&k->b, in ? in->line : 0, why);
	return true;
}

void kvm_debugreg_note_unloaded(struct kvm_vcpu *k)
{
	const struct vmx_lp *lp = k->b.env.lp;
	uint64_t noted = 0;
	char differs[512];
	int len = 0;

	if (dr0123_loaded(k))
		return;
	for (unsigned n = 0; n < 4; n++)
		if (dr7_enabled(lp->dr7, n) && lp->dr[n] != k->db[n])
			noted = noted * 31u + ((uint64_t)(n + 1u) << 56) + lp->dr[n] * 7u + k->db[n];
	/* Traced once for each set (the last one): entries between, with nothing unloaded, keep it. */
	if (!noted || noted == k->dr_unloaded_noted)
		return;
	k->dr_unloaded_noted = noted;
	len = snprintf(differs, sizeof(differs),
	               "%s loaded no DR0-DR3 for this entry (arch.dr7 enables no breakpoint), so the DR7 it loaded "
	               "compares what the processor holds:", k->era->name);
	for (unsigned n = 0; n < 4 && len > 0 && (size_t)len < sizeof(differs); n++)
		if (dr7_enabled(lp->dr7, n) && lp->dr[n] != k->db[n])
			len += snprintf(differs + len, sizeof(differs) - (size_t)len, " DR%u 0x%llx, not the guest's 0x%llx", n,
			                (unsigned long long)lp->dr[n], (unsigned long long)k->db[n]);
	l0_trace_differs(&k->b, "dr0123-unloaded", DB_VECTOR, differs);
}

void kvm_debugreg_after_exit(struct kvm_vcpu *k)
{
	const struct vmx_lp *lp = k->b.env.lp;

	/* vmx_sync_dirty_debug_regs(), then kvm_update_dr0123()/kvm_update_dr7(), on the VMCS that ran. */
	if (!(k->switch_db_regs & KVM_DEBUGREG_WONT_EXIT))
		return;
	for (unsigned n = 0; n < 4; n++)
		k->db[n] = lp->dr[n];
	k->dr6 = lp->dr6;
	k->dr7 = vmcs_get(k->b.loaded, GUEST_DR7);
	k->switch_db_regs &= ~(unsigned)KVM_DEBUGREG_WONT_EXIT;
	set_mov_dr_exiting(k, true, "sync_dirty_debug_regs: the guest's DR0-DR3, DR6 and DR7 read back; MOV DR exits again");
	kvm_update_dr7(k);
}

void kvm_io_breakpoint_lost(struct kvm_vcpu *k)
{
	uint64_t qual = vmcs_get(k->b.loaded, EXIT_QUALIFICATION);
	uint32_t port = (uint32_t)(qual >> 16) & 0xffffu, size = (uint32_t)(qual & 7u) + 1u;
	uint32_t hit;
	char differs[320];

	if (k->era->dr_access == KVM_DR_IGNORED || !cr4_de(k))
		return;
	hit = dr7_io_match(k->dr7, k->db, port, size);
	if (!hit)
		return;
	snprintf(differs, sizeof(differs),
	         "%s emulates port I/O without its I/O breakpoints (kvm_vcpu_check_hw_bp is asked only about code "
	         "breakpoints): the #DB trap with B0-B3 = 0x%x that the processor takes after this IN or OUT is lost",
	         k->era->name, hit);
	l0_trace_differs(&k->b, "io-breakpoint-lost", DB_VECTOR, differs);
}

