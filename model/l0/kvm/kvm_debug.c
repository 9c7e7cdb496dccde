/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kvm_debug.c - what each era of KVM does with a single-level guest's
 * debug exceptions (with user space debugging the guest, KVM_SET_GUEST_DEBUG,
 * every #DB exit goes to kvm_guestdbg.c instead): the #DB intercept of
 * update_exception_bitmap() (with its #MC bit, kvm.h intercept_mc), the DB_VECTOR case of handle_exception()
 * (handle_exception_nmi() today), and the single-step trap owed after an
 * instruction KVM emulates and skips (kvm_skip_emulated_instruction()).
 * The processor single-steps and delivers the pending-debug field itself
 * (model/hw/debug.c, rules R12, R24); this is only the L0's side.
 *
 * DR6. The processor model keeps one DR6 (vmx_lp.dr6), which VM entry and
 * exit do not switch, as on the hardware; a #DB that exits leaves it alone,
 * and a #DB that KVM injects does not write it either. What the guest
 * would read as its DR6 is KVM's vcpu->arch.dr6 (MOV from DR6 exits to
 * handle_dr(), which returns it), kept here in kvm_vcpu.dr6 and written
 * on the #DB's inject line; the guest reads it with MOV from DR6
 * (kvm_debugreg.c).
 * Under kvm-2008, which does not intercept #DB, the processor delivers the
 * guest's #DB and writes its own DR6 - the register the guest would run
 * with on that host.
 */
#include "model/l0/kvm/kvm.h"

#include "vmcs/x86_debugreg.h"

uint32_t update_exception_bitmap(const struct kvm_vcpu *k)
{
	/*
	 * Of the vectors each era intercepts #DB and #MC are followed; the
	 * rest are listed in kvm_era.h (struct kvm_era.intercept_db) with why the
	 * model's guests cannot tell.
	 */
	return (k->era->intercept_db ? 1u << DB_VECTOR : 0u) | (k->era->intercept_mc ? 1u << MC_VECTOR : 0u);
}

/*
 * A #DB for the guest with the DR6 bits `payload` (B0-B3, BS). 3.1 wrote
 * arch.dr6 = payload | DR6_FIXED_1 at once (BS of an earlier #DB lost);
 * today the payload rides with the exception (kvm_queue_exception_p) and
 * reaches DR6 only when the #DB is injected (kvm_deliver_payload, f10c729f): a #DB
 * that becomes L1's exception exit leaves DR6 alone, as on the processor.
 */
void kvm_queue_db(struct kvm_vcpu *k, uint32_t payload)
{
	if (!k->era->db_payload) {
		/* What the processor's delivered #DB leaves is kvm_dr6_with_payload's: say so when it is more. */
		if (kvm_dr6_with_payload(k, payload) != ((payload & DR6_WRITABLE) | DR6_FIXED_1))
			l0_trace_differs(&k->b, "dr6-replaced", DB_VECTOR,
			                 "kvm-2011 sets arch.dr6 to the #DB's bits alone (handle_exception), so what software "
			                 "left in DR6 (BS, BD) is gone; the processor's #DB keeps it");
		k->dr6 = (payload & DR6_WRITABLE) | DR6_FIXED_1;
	}
	kvm_queue_exception_p(k, intr_info_make(INTR_TYPE_HARD_EXCEPTION, DB_VECTOR, false), 0,
	                      k->era->db_payload ? payload : 0);
}

uint64_t kvm_dr6_with_payload(const struct kvm_vcpu *k, uint64_t payload)
{
	return (k->dr6 & ~(uint64_t)DR6_B0_B3) | (payload & DR6_WRITABLE) | DR6_FIXED_1;
}

/*
 * kvm_deliver_exception_payload() for a #DB injected into the guest: B0-B3
 * replaced, BS and the rest added, as the processor writes DR6 when it
 * delivers one. Called when the queued exception goes into the entry
 * (kvm_inject_pending_events); not for one that L1 intercepts in L2, whose
 * payload is the exit qualification, nor for one an MTF exit to L1
 * discards (f10c729f, "kvm: vmx: Defer setting of DR6 until #DB
 * delivery", 2018).
 */
void kvm_deliver_payload(struct kvm_vcpu *k, uint32_t info, uint64_t payload)
{
	if (!k->era->db_payload || intr_info_vector(info) != DB_VECTOR ||
	    intr_info_type(info) != INTR_TYPE_HARD_EXCEPTION)
		return;
	k->dr6 = kvm_dr6_with_payload(k, payload);
	/* ... and DR7.GD goes, as the processor clears it for the #DB's handler. */
	if (k->dr7 & DR7_GD)
		kvm_debugreg_set_dr7(k, k->b.loaded, k->dr7 & ~(uint64_t)DR7_GD);
}

static bool is_icebp(uint32_t intr_info)
{
	return intr_info_type(intr_info) == INTR_TYPE_PRIV_SW_EXCEPTION && intr_info_vector(intr_info) == DB_VECTOR;
}

enum kvm_exit_result handle_exception_db(struct kvm_vcpu *k)
{
	struct vmcs *v = k->b.loaded;
	uint32_t info = vmcs_get32(v, VM_EXIT_INTR_INFO);
	uint32_t dr6 = (uint32_t)vmcs_get(v, EXIT_QUALIFICATION);

	/* User space debugs the guest: every #DB is KVM_EXIT_DEBUG (kvm_guestdbg.c). */
	if (k->guest_debug & (KVM_GUESTDBG_SINGLESTEP | KVM_GUESTDBG_USE_HW_BP)) {
		if (is_icebp(info)) {
			const struct vmx_insn *in = l0_guest_insn(&k->b);

			l0_refuse(&k->b, in ? in->line : 0, "INT1 (ICEBP) while user space's debugger steps the vCPU");
			return KVM_SHUTDOWN;
		}
		kvm_guestdbg_exit(k, dr6);
		return KVM_RESUME;
	}
	if (is_icebp(info)) {
		/*
		 * INT1 exits on the instruction itself (the intercept is tied
		 * to #DB). Today it is skipped first, with the inner skip that
		 * owes no single-step trap (ICEBP's #DB is the higher one) but
		 * ends STI/MOV-SS blocking. 3.1 queued a hardware #DB at the
		 * ICEBP: the handler's IRET returned to it, and it exited again.
		 */
		if (k->era->db_skips_icebp)
			l0_skip_instruction(&k->b);
		else
			/* 3.1 leaves RIP at the ICEBP: the guest will run it again (docs/nested.md). */
			l0_trace_differs(&k->b, "icebp-not-skipped", DB_VECTOR,
			                 "kvm-2011 queues the #DB of an intercepted INT1 (ICEBP) at the INT1 itself, which "
			                 "the guest's IRET returns to and runs again; the processor returns past it");
	} else if (k->era->db_sets_pending_bs && (vmcs_get(v, GUEST_RFLAGS) & X86_EFLAGS_TF) &&
	           (vmcs_get32(v, GUEST_INTERRUPTIBILITY_INFO) & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))) {
		/*
		 * b9bed78e (2022): a #DB exit saves 0 in the pending-debug field
		 * while STI or MOV-SS blocking stays, and R12 then refuses the
		 * re-entry with TF = 1 unless BS is set: set it. The injected
		 * #DB discards it again at entry (SDM "Delivery of Pending Debug
		 * Exceptions after VM Entry"). Before, the entry failed (exit
		 * reason 33) and the guest stopped with KVM_EXIT_FAIL_ENTRY.
		 */
		vmcs_set(v, GUEST_PENDING_DBG_EXCEPTIONS, vmcs_get(v, GUEST_PENDING_DBG_EXCEPTIONS) | DR6_BS);
		l0_trace(&k->b, TRACE_HOST, "type", "pending-dbg-bs",
		         "#DB in an STI/MOV-SS shadow with RFLAGS.TF: BS set for the entry check (R12)", DB_VECTOR, 0);
	}
	kvm_queue_db(k, dr6);
	return KVM_RESUME;
}

void kvm_skip_singlestep(struct kvm_vcpu *k, uint64_t rflags)
{
	/*
	 * kvm_skip_emulated_instruction() (6affcbed, 4.10): the instruction
	 * KVM emulated began with TF = 1, so the trap the processor would have
	 * taken after it is queued as a #DB with DR6.BS
	 * (kvm_vcpu_do_singlestep). Before, the exit had dropped the trap and
	 * the skip did not make it up: the guest's next #DB came one
	 * instruction later.
	 */
	if (!(rflags & X86_EFLAGS_TF))
		return;
	if (!k->era->skip_singlestep) {
		/* In L2 a difference `vmxsim equiv` names: the processor alone would take the trap (docs/nested.md). */
		if (k->guest_mode) {
			char differs[256];
			snprintf(differs, sizeof(differs),
			         "%s loses the single-step trap of an instruction of L2 that L0 emulates (its skip queues no "
			         "#DB, as 6affcbed made it); the processor takes it after the instruction",
			         k->era->name);
			l0_trace_differs(&k->b, "singlestep-lost", DB_VECTOR, differs);
		}
		return;
	}
	/* kvm_vcpu_do_singlestep(): user space's debugger takes the step itself (kvm_guestdbg.c). */
	if (k->guest_debug & KVM_GUESTDBG_SINGLESTEP) {
		kvm_guestdbg_exit(k, DR6_BS);
		return;
	}
	l0_trace(&k->b, TRACE_HOST, "type", "singlestep",
	         "kvm_skip_emulated_instruction: the skipped instruction began with RFLAGS.TF", DB_VECTOR, 0);
	kvm_queue_db(k, DR6_BS);
}

void kvm_skip_emulated_instruction(struct kvm_vcpu *k)
{
	uint64_t rflags = vmcs_get(k->b.loaded, GUEST_RFLAGS);

	l0_skip_instruction(&k->b);
	kvm_skip_singlestep(k, rflags);
}
