/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rules_shadows.cc - the STI and MOV-SS shadows (R10, R19, R25)
 * and what they hold off for one instruction (R1, R2): when a shadow starts,
 * what an exit inside one saves, and how a delivery ends it.
 */
#include "rule_windows_fixture.h"

/*
 * ---- Shadows: STI and MOV SS (R10, R19, R25; R2/R1 for what they hold off) ----
 * A shadow covers exactly the boundary after the instruction that made it;
 * it is saved on an exit taken at that boundary, and a completed delivery
 * through the IDT ends it.
 */

TEST_F(RuleWindows, R19_StiCreatesAShadowOnlyWhenIfGoesZeroToOne)
{
	IfClear();
	Program({Op(VMX_OP_STI), Op(VMX_OP_VMCALL)});
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_VMCALL, At(1));
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), GUEST_INTR_STATE_STI);
}

TEST_F(RuleWindows, R19_StiWithIfAlreadySetCreatesNoShadow)
{
	Program({Op(VMX_OP_STI), Op(VMX_OP_VMCALL)});
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_VMCALL, At(1));
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), 0u);
}

TEST_F(RuleWindows, R19_SecondStiInsideTheShadowDoesNotExtendIt)
{
	IfClear();
	Proc(CPU_BASED_INTR_WINDOW_EXITING);
	Program({Op(VMX_OP_STI), Op(VMX_OP_STI), Work(10)});
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_INTERRUPT_WINDOW, At(2));
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), 0u);
}

TEST_F(RuleWindows, R25_MovSsShadowSavedWhenTheNextInstructionExits)
{
	Program({Op(VMX_OP_MOV_SS), Op(VMX_OP_VMCALL)});
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_VMCALL, At(1));
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), GUEST_INTR_STATE_MOV_SS);
}

TEST_F(RuleWindows, R25_MovSsInsideAMovSsShadowDoesNotStartAnother)
{
	Program({Op(VMX_OP_MOV_SS), Op(VMX_OP_MOV_SS), Op(VMX_OP_VMCALL)});
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_VMCALL, At(2));
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), 0u);
}

TEST_F(RuleWindows, R2_MovSsHoldsAnNmiExitForOneInstruction)
{
	Program({Op(VMX_OP_MOV_SS), Op(VMX_OP_MOV_SS), Work(10)});
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1), VMX_RUN_LIMIT);   /* the first MOV SS */
	ASSERT_EQ(lp.ctx.rip, At(1));
	vmx_lp_nmi(&lp);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	/* Held across the second MOV SS only, which starts no shadow of its own. */
	ExpectExit(EXIT_REASON_EXCEPTION_NMI, At(2));
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), 0u);
}

TEST_F(RuleWindows, R2_StiDoesNotHoldNmiExitsByDefault)
{
	ASSERT_FALSE(lp.model.sti_blocks_nmi);
	IfClear();
	Program({Op(VMX_OP_STI), Work(10)});
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1), VMX_RUN_LIMIT);
	vmx_lp_nmi(&lp);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EXCEPTION_NMI, At(1));
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), GUEST_INTR_STATE_STI);
}

TEST_F(RuleWindows, R2_StiHoldsNmiExitsWithStiBlocksNmi)
{
	lp.model.sti_blocks_nmi = true;
	IfClear();
	Program({Op(VMX_OP_STI), Work(10)});
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1), VMX_RUN_LIMIT);
	vmx_lp_nmi(&lp);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EXCEPTION_NMI, At(1) + 1);
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), 0u);
}

TEST_F(RuleWindows, R1_ExternalInterruptExitHeldByStiShadow)
{
	/* Model simplification: with external-interrupt exiting the shadow still holds the exit. */
	IfClear();
	Program({Op(VMX_OP_STI), Work(10)});
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1), VMX_RUN_LIMIT);
	vmx_lp_irq(&lp, 0x30);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EXTERNAL_INTERRUPT, At(1) + 1);
}

TEST_F(RuleWindows, R25_StiShadowSavedWhenHltExitsInsideIt)
{
	IfClear();
	Proc(CPU_BASED_HLT_EXITING);
	Program({Op(VMX_OP_STI), Op(VMX_OP_HLT), Work(10)});
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_HLT, At(1));
	EXPECT_EQ(G(VM_EXIT_INSTRUCTION_LEN), 1u);
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), GUEST_INTR_STATE_STI);
	EXPECT_EQ(G(GUEST_ACTIVITY_STATE), (uint32_t)GUEST_ACTIVITY_ACTIVE);
}

TEST_F(RuleWindows, R25_NoShadowInTheHostAfterAnExitInsideOne)
{
	IfClear();
	Program({Op(VMX_OP_STI), Op(VMX_OP_VMCALL)});
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_FALSE(vmx_lp_sti_blocking(&lp));
	EXPECT_FALSE(vmx_lp_movss_blocking(&lp));
	EXPECT_EQ(vmx_lp_interruptibility(&lp), 0u);
}

TEST_F(RuleWindows, R19_ResumeWithSavedShadowHoldsTheWindowAgain)
{
	IfClear();
	Program({Op(VMX_OP_STI), Op(VMX_OP_VMCALL), Work(10)});
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ASSERT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), GUEST_INTR_STATE_STI);
	/* The VMM skips the VMCALL but keeps the shadow it saved: the window waits one more instruction. */
	Set(GUEST_RIP, At(2));
	Proc(CPU_BASED_INTR_WINDOW_EXITING);
	ASSERT_EQ(Resume(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_INTERRUPT_WINDOW, At(2) + 1);
}

TEST_F(RuleWindows, R22_Int3ExitInsideStiShadowSavesIt)
{
	/* An exception-bitmap exit on INT3 is fault-like: the INT3 did not complete, the shadow holds. */
	IfClear();
	Program({Op(VMX_OP_STI), Op(VMX_OP_INT3), Work(10)});
	Set(EXCEPTION_BITMAP, 1u << BP_VECTOR);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EXCEPTION_NMI, At(1));
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), 0x80000603u);
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), GUEST_INTR_STATE_STI);
}

TEST_F(RuleWindows, R20_ExitDuringDeliveryOfIntNInsideStiShadowSavesIt)
{
	/*
	 * Model choice (the SDM does not spell it out): an exit during delivery saves the
	 * state of the boundary the delivery started from, RIP and shadow alike.
	 */
	IfClear();
	Program({Op(VMX_OP_STI), Op(VMX_OP_INT, 0x80), Work(10)});
	Gate(0x80, 2);
	mem.stack_not_present = true;
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EPT_VIOLATION, At(1));
	EXPECT_EQ(G(IDT_VECTORING_INFO_FIELD), 0x80000480u);
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), GUEST_INTR_STATE_STI);
}

TEST_F(RuleWindows, R19_DeliveredFaultEndsTheStiShadow)
{
	IfClear();
	Program({Op(VMX_OP_STI), Op(VMX_OP_UD2), Op(VMX_OP_VMCALL)});
	Gate(UD_VECTOR, 2, VMX_GATE_TRAP);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_VMCALL, At(2));
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), 0u);
}

TEST_F(RuleWindows, R19_DeliveredFaultEndsTheMovSsShadow)
{
	Program({Op(VMX_OP_MOV_SS), Op(VMX_OP_UD2), Op(VMX_OP_VMCALL)});
	Gate(UD_VECTOR, 2);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_VMCALL, At(2));
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), 0u);
}

TEST_F(RuleWindows, R19_IntrWindowOpensAtTheFirstHandlerBoundaryAfterAFaultInTheShadow)
{
	IfClear();
	Proc(CPU_BASED_INTR_WINDOW_EXITING);
	Program({Op(VMX_OP_STI), Op(VMX_OP_UD2), Work(10)});
	Gate(UD_VECTOR, 2, VMX_GATE_TRAP);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_INTERRUPT_WINDOW, At(2));
}

TEST_F(RuleWindows, R20_IntNCostsOneInstructionPlusDelivery)
{
	/* INT n costs one instruction plus one delivery. */
	Program({Op(VMX_OP_INT, 0x80), Op(VMX_OP_VMCALL)});
	Gate(0x80, 1);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_VMCALL, At(1));
	EXPECT_EQ(lp.cycle, 1000u + 1 + 50 + 1000);
	EXPECT_EQ(lp.retired, 1u);
}
