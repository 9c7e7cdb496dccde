/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rules_delivery.cc - VM exits during event delivery (R20): the
 * IDT-vectoring information of the event being delivered, its error code and
 * instruction length, the exception that delivery raised, escalation to #DF
 * (no IDT-vectoring information) and triple fault (exit reason 2).
 *
 * #NP on a not-present gate has error code (vector << 3) | IDT (2) | EXT,
 * EXT = 1 unless the event is INT n / INT3 / INTO.
 */
#include "hw_fixture.h"

namespace {

class RuleDelivery : public HwTest {
protected:
	void Bitmap(uint32_t bits) { Set(EXCEPTION_BITMAP, bits); }

	void ExpectExit(uint32_t reason, uint64_t rip)
	{
		EXPECT_EQ(ExitReason(), reason);
		EXPECT_EQ(Get(GUEST_RIP), rip);
		EXPECT_FALSE(lp.non_root);
	}

	/* Exception-bitmap exit for exception `info` (with error code) while delivering `vectoring`. */
	void ExpectExceptionExitDuring(uint32_t info, uint32_t err, uint32_t vectoring, uint32_t vectoring_err,
	                               uint64_t rip)
	{
		ExpectExit(EXIT_REASON_EXCEPTION_NMI, rip);
		EXPECT_EQ(G(VM_EXIT_INTR_INFO), info);
		EXPECT_EQ(G(VM_EXIT_INTR_ERROR_CODE), err);
		EXPECT_EQ(G(IDT_VECTORING_INFO_FIELD), vectoring);
		EXPECT_EQ(G(IDT_VECTORING_ERROR_CODE), vectoring_err);
	}
};

}  // namespace

/* ---- EPT violation on the stack while delivering ---- */

TEST_F(RuleDelivery, R20_EptViolationWhileDeliveringAnInjectedNmiWithVirtualNmis)
{
	SetBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VIRTUAL_NMIS);
	Program({Work(100), Op(VMX_OP_VMCALL)});
	Gate(NMI_VECTOR, 1);
	mem.stack_not_present = true;
	Inject(0x80000202);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EPT_VIOLATION, kGuestBase);
	EXPECT_EQ(Get(EXIT_QUALIFICATION), 0x2u);                  /* data write (the push) */
	EXPECT_EQ(Get(GUEST_PHYSICAL_ADDRESS), 0x7000u);
	EXPECT_EQ(G(IDT_VECTORING_INFO_FIELD), 0x80000202u);
	EXPECT_EQ(G(IDT_VECTORING_ERROR_CODE), 0u);
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), 0u);
	EXPECT_EQ(G(VM_EXIT_INSTRUCTION_LEN), 0u);
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), GUEST_INTR_STATE_NMI);   /* R10b: the VMM must clear it */
	EXPECT_EQ(G(VM_ENTRY_INTR_INFO_FIELD), 0x00000202u);               /* R14: consumed */
	EXPECT_EQ(mem.depth, 0u);
	EXPECT_EQ(Count(HW_DELIVER), 0);
	EXPECT_FALSE(lp.nmi_blocked);
	EXPECT_EQ(lp.cycle, 2000u);   /* no delivery cost: it did not complete */
}

TEST_F(RuleDelivery, R20_EptViolationWhileDeliveringAnInjectedNmiWithoutVirtualNmis)
{
	Program({Work(100), Op(VMX_OP_VMCALL)});
	Gate(NMI_VECTOR, 1);
	mem.stack_not_present = true;
	Inject(0x80000202);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EPT_VIOLATION, kGuestBase);
	EXPECT_EQ(G(IDT_VECTORING_INFO_FIELD), 0x80000202u);
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), 0u);   /* NMI exiting, no virtual NMIs: blocking by NMI ended with the exit and is not saved (model, docs/sdm-rules.md) */
	EXPECT_FALSE(lp.nmi_blocked);
}

TEST_F(RuleDelivery, R20_ReinjectionFromIdtVectoringAfterFixingTheStack)
{
	SetBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VIRTUAL_NMIS);
	Program({Work(100), Op(VMX_OP_VMCALL)});
	Gate(NMI_VECTOR, 1);
	mem.stack_not_present = true;
	Inject(0x80000202);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ASSERT_EQ(G(IDT_VECTORING_INFO_FIELD), 0x80000202u);
	mem.stack_not_present = false;
	Set(VM_ENTRY_INTR_INFO_FIELD, G(IDT_VECTORING_INFO_FIELD));

	/* Re-injecting with bit 3 still set is a VM-entry failure (R10). */
	EXPECT_EQ(vmx_lp_vmentry(&lp, false), VMX_ENTRY_FAILED);
	EXPECT_EQ(ExitReason(), 0x80000021u);
	EXPECT_EQ(Get(EXIT_QUALIFICATION), 0u);

	Set(GUEST_INTERRUPTIBILITY_INFO, G(GUEST_INTERRUPTIBILITY_INFO) & ~GUEST_INTR_STATE_NMI);
	ASSERT_EQ(Resume(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_VMCALL, At(1));
	ASSERT_EQ(mem.depth, 1u);
	EXPECT_EQ(mem.stack[0].rip, kGuestBase);
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), GUEST_INTR_STATE_NMI);
}

TEST_F(RuleDelivery, R20_EptViolationWhileDeliveringAnExternalInterrupt)
{
	ClearBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_EXT_INTR_MASK);
	Program({Work(100), Op(VMX_OP_VMCALL)});
	Gate(0x40, 1);
	mem.stack_not_present = true;
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 12), VMX_RUN_LIMIT);
	vmx_lp_irq(&lp, 0x40);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EPT_VIOLATION, kGuestBase + 12);
	EXPECT_EQ(G(IDT_VECTORING_INFO_FIELD), 0x80000040u);
	EXPECT_EQ(G(VM_ENTRY_INTR_INFO_FIELD), 0u);
	/* Acknowledged before delivery: the VMM must re-inject it, the IRR no longer has it. */
	EXPECT_EQ(lapic_highest_isr(&lp.apic), 0x40);
	EXPECT_EQ(lapic_highest_irr(&lp.apic), -1);
}

TEST_F(RuleDelivery, R20_EptViolationWhileDeliveringAnInjectedExceptionWithErrorCode)
{
	Program({Work(100), Op(VMX_OP_VMCALL)});
	Gate(GP_VECTOR, 1);
	mem.stack_not_present = true;
	Inject(0x80000b0d, 0x18);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EPT_VIOLATION, kGuestBase);
	EXPECT_EQ(G(IDT_VECTORING_INFO_FIELD), 0x80000b0du);
	EXPECT_EQ(G(IDT_VECTORING_ERROR_CODE), 0x18u);
}

TEST_F(RuleDelivery, R20_EptViolationWhileDeliveringAnInjectedSoftInterruptKeepsItsLength)
{
	Program({Work(100), Op(VMX_OP_VMCALL)});
	Gate(0x80, 1);
	mem.stack_not_present = true;
	Inject(0x80000480, 0, 2);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EPT_VIOLATION, kGuestBase);
	EXPECT_EQ(G(IDT_VECTORING_INFO_FIELD), 0x80000480u);
	EXPECT_EQ(G(VM_EXIT_INSTRUCTION_LEN), 2u);
}

TEST_F(RuleDelivery, R20_EptViolationWhileDeliveringIntNFromTheGuest)
{
	Program({Work(3), Op(VMX_OP_INT, 0x80), Op(VMX_OP_VMCALL)});
	Gate(0x80, 2);
	mem.stack_not_present = true;
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EPT_VIOLATION, At(1));   /* the INT instruction itself */
	EXPECT_EQ(G(IDT_VECTORING_INFO_FIELD), 0x80000480u);
	EXPECT_EQ(G(VM_EXIT_INSTRUCTION_LEN), 2u);
}

/* ---- Not-present gate: #NP through the exception bitmap ---- */

TEST_F(RuleDelivery, R20_NotPresentGateForAnInjectedInterruptGivesNpWithExt)
{
	Bitmap(1u << NP_VECTOR);
	Inject(0x80000040);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExceptionExitDuring(0x80000b0b, (0x40u << 3) | 2 | 1, 0x80000040, 0, kGuestBase);
	EXPECT_EQ(G(VM_EXIT_INSTRUCTION_LEN), 0u);
	EXPECT_EQ(G(VM_ENTRY_INTR_INFO_FIELD), 0x40u);
}

TEST_F(RuleDelivery, R20_NotPresentGateForAnInjectedNmi)
{
	Bitmap(1u << NP_VECTOR);
	Inject(0x80000202);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExceptionExitDuring(0x80000b0b, 0x13, 0x80000202, 0, kGuestBase);
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), 0u);   /* NMI exiting, no virtual NMIs: blocking by NMI ended with the exit and is not saved (model, docs/sdm-rules.md) */
}

TEST_F(RuleDelivery, R20_NotPresentGateForABenignExceptionKeepsItsErrorCode)
{
	Bitmap(1u << NP_VECTOR);
	Inject(0x80000b11, 0x5);   /* #AC: benign, with an error code */
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExceptionExitDuring(0x80000b0b, (17u << 3) | 2 | 1, 0x80000b11, 0x5, kGuestBase);
}

TEST_F(RuleDelivery, R20_NotPresentGateForIntNFromTheGuestHasNoExtBit)
{
	Program({Work(3), Op(VMX_OP_INT, 0x80), Work(10)});
	Bitmap(1u << NP_VECTOR);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExceptionExitDuring(0x80000b0b, (0x80u << 3) | 2, 0x80000480, 0, At(1));
	EXPECT_EQ(G(VM_EXIT_INSTRUCTION_LEN), 2u);
}

TEST_F(RuleDelivery, R20_NotPresentGateForAnInjectedSoftInterrupt)
{
	Bitmap(1u << NP_VECTOR);
	Inject(0x80000421, 0, 2);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExceptionExitDuring(0x80000b0b, (0x21u << 3) | 2, 0x80000421, 0, kGuestBase);
	EXPECT_EQ(G(VM_EXIT_INSTRUCTION_LEN), 2u);
}

TEST_F(RuleDelivery, R20_NotPresentGateForInt3)
{
	Program({Op(VMX_OP_INT3), Work(10)});
	Bitmap(1u << NP_VECTOR);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExceptionExitDuring(0x80000b0b, (3u << 3) | 2, 0x80000603, 0, At(0));
	EXPECT_EQ(G(VM_EXIT_INSTRUCTION_LEN), 1u);
}

TEST_F(RuleDelivery, R20_NotPresentGateForAPrivilegedSoftwareExceptionHasExt)
{
	Bitmap(1u << NP_VECTOR);
	Inject(0x80000501, 0, 1);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExceptionExitDuring(0x80000b0b, (1u << 3) | 2 | 1, 0x80000501, 0, kGuestBase);
	EXPECT_EQ(G(VM_EXIT_INSTRUCTION_LEN), 1u);
}

TEST_F(RuleDelivery, R20_NpIsDeliveredWhenNotInTheBitmap)
{
	Program({Work(100), Op(VMX_OP_VMCALL)});
	Gate(NP_VECTOR, 1);
	Inject(0x80000040);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_VMCALL, At(1));
	EXPECT_EQ(G(IDT_VECTORING_INFO_FIELD), 0u);
	ASSERT_EQ(mem.depth, 1u);
	EXPECT_EQ(mem.stack[0].rip, kGuestBase);
	EXPECT_TRUE(mem.stack[0].has_error_code);
	EXPECT_EQ(mem.stack[0].error_code, 0x203u);
	ASSERT_EQ(Count(HW_DELIVER), 1);
	for (const auto &e : events) {
		if (e.kind == HW_DELIVER) {
			EXPECT_EQ(e.intr_info, 0x80000b0bu);
			EXPECT_FALSE(e.injected);
		}
	}
}

TEST_F(RuleDelivery, R20_NpForIntNReturnsToTheIntInstruction)
{
	Program({Work(3), Op(VMX_OP_INT, 0x80), Op(VMX_OP_VMCALL)});
	Gate(NP_VECTOR, 2);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ASSERT_EQ(mem.depth, 1u);
	EXPECT_EQ(mem.stack[0].rip, At(1));   /* a fault: the INT is restarted */
	EXPECT_EQ(mem.stack[0].error_code, 0x402u);
}

/* ---- Escalation: #DF and triple fault ---- */

TEST_F(RuleDelivery, R20_ContributoryPairEscalatesToDoubleFaultWithoutIdtVectoring)
{
	Bitmap((1u << DF_VECTOR) | (1u << NP_VECTOR));
	Inject(0x80000b0d, 0);   /* #GP, gate 13 not present: #NP, contributory after contributory */
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExceptionExitDuring(0x80000b08, 0, 0, 0, kGuestBase);
}

TEST_F(RuleDelivery, R20_PageFaultThenNpEscalatesToDoubleFault)
{
	Bitmap(1u << DF_VECTOR);
	Inject(0x80000b0e, 0x2);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExceptionExitDuring(0x80000b08, 0, 0, 0, kGuestBase);
}

TEST_F(RuleDelivery, R20_BenignEventThenNpDoesNotEscalate)
{
	Bitmap(1u << DF_VECTOR);
	Program({Work(100), Op(VMX_OP_VMCALL)});
	Gate(NP_VECTOR, 1);
	Inject(0x80000306);   /* #UD is benign */
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_VMCALL, At(1));
	EXPECT_EQ(mem.stack[0].error_code, (6u << 3) | 2 | 1);
}

TEST_F(RuleDelivery, R20_DoubleFaultIsDeliveredWhenNotInTheBitmap)
{
	Program({Work(100), Op(VMX_OP_VMCALL)});
	Gate(DF_VECTOR, 1);
	Inject(0x80000b0d, 0);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_VMCALL, At(1));
	ASSERT_EQ(mem.depth, 1u);
	EXPECT_EQ(mem.stack[0].rip, kGuestBase);
	EXPECT_TRUE(mem.stack[0].has_error_code);
	EXPECT_EQ(mem.stack[0].error_code, 0u);
	ASSERT_EQ(Count(HW_DELIVER), 1);
	for (const auto &e : events) {
		if (e.kind == HW_DELIVER) {
			EXPECT_EQ(e.intr_info, 0x80000b08u);
		}
	}
}

TEST_F(RuleDelivery, R20_NpWhileDeliveringNpEscalatesToDoubleFault)
{
	Program({Work(100), Op(VMX_OP_VMCALL)});
	Gate(DF_VECTOR, 1);
	Inject(0x80000040);   /* gate 0x40 and gate 11 both absent */
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_VMCALL, At(1));
	ASSERT_EQ(mem.depth, 1u);
	EXPECT_EQ(mem.stack[0].error_code, 0u);
}

TEST_F(RuleDelivery, R20_TripleFaultExitsWithReason2)
{
	Inject(0x80000b0d, 0);   /* gates 13, 11, 8 all absent */
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_TRIPLE_FAULT, kGuestBase);
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), 0u);
	EXPECT_EQ(G(IDT_VECTORING_INFO_FIELD), 0u);
	EXPECT_EQ(G(VM_ENTRY_INTR_INFO_FIELD), 0x00000b0du);
	EXPECT_EQ(lp.ctx.rip, kHostRip);
	EXPECT_EQ(lp.cycle, 2000u);
}

TEST_F(RuleDelivery, R20_TripleFaultFromABenignEvent)
{
	Inject(0x80000040);   /* 0x40 absent -> #NP, 11 absent -> #DF, 8 absent */
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_TRIPLE_FAULT, kGuestBase);
	EXPECT_EQ(G(IDT_VECTORING_INFO_FIELD), 0u);
}

TEST_F(RuleDelivery, R20_TripleFaultDespiteTheBitmapForNp)
{
	/* The bitmap decides on the exception after escalation: #DF, here not in it. */
	Bitmap(1u << NP_VECTOR);
	Inject(0x80000b0d, 0);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_TRIPLE_FAULT, kGuestBase);
}

TEST_F(RuleDelivery, Model_StackDepthLimitGivesTripleFault)
{
	/* R20 context; a model simplification listed in docs/sdm-rules.md. */
	/* Model limit: 64 frames; a handler that re-raises INT 0x80 overflows it. */
	Program({Op(VMX_OP_INT, 0x80)});
	Gate(0x80, 0, VMX_GATE_TRAP);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_TRIPLE_FAULT, At(0));
	EXPECT_EQ(mem.depth, (uint32_t)VMX_STACK_DEPTH);
	EXPECT_EQ(Count(HW_DELIVER), VMX_STACK_DEPTH);
}
