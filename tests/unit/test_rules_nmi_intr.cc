/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rules_nmi_intr.cc - external interrupts and NMIs in non-root
 * operation: external-interrupt exiting and acknowledge on exit (R1, R21),
 * NMI exiting and virtual NMIs (R2, R3), NMI- and exception-caused exits
 * (R22), and the host state after an exit (R25). IRET and NMI blocking
 * (R16, R17) are test_rules_iret.cc.
 */
#include "nmi_intr_fixture.h"

/* ---- R1, R21: external interrupts ---- */

TEST_F(RuleNmiIntr, R1_ExtIntExitingExitsEvenWithIfClear)
{
	IfClear();
	vmx_lp_irq(&lp, 0x30);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EXTERNAL_INTERRUPT, kGuestBase);
	EXPECT_EQ(G(VM_EXIT_INSTRUCTION_LEN), 0u);
	EXPECT_EQ(G(IDT_VECTORING_INFO_FIELD), 0u);
	EXPECT_EQ(lp.cycle, 2000u);
}

TEST_F(RuleNmiIntr, R1_ExtIntExitingInterruptsAWorkBlockAtTheExactBoundary)
{
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 37), VMX_RUN_LIMIT);
	vmx_lp_irq(&lp, 0x30);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EXTERNAL_INTERRUPT, kGuestBase + 37);
	EXPECT_EQ(lp.cycle, 1000u + 37 + 1000);
}

TEST_F(RuleNmiIntr, R21_WithoutAckIntrInfoIsInvalidAndTheIrrKeepsTheInterrupt)
{
	ASSERT_EQ(Get(VM_EXIT_CONTROLS) & VM_EXIT_ACK_INTR_ON_EXIT, 0u);
	vmx_lp_irq(&lp, 0x30);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EXTERNAL_INTERRUPT, kGuestBase);
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), 0u);
	EXPECT_EQ(lapic_highest_irr(&lp.apic), 0x30);
	EXPECT_EQ(lapic_highest_isr(&lp.apic), -1);
	EXPECT_EQ(Count(HW_INTR_ACK), 0);
	EXPECT_TRUE(lapic_intr_pending(&lp.apic));   /* the host takes it once it sets IF */
}

TEST_F(RuleNmiIntr, R21_AckOnExitStoresTheVectorAndAcknowledges)
{
	SetBits(VM_EXIT_CONTROLS, VM_EXIT_ACK_INTR_ON_EXIT);
	vmx_lp_irq(&lp, 0x30);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EXTERNAL_INTERRUPT, kGuestBase);
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), 0x80000030u);
	EXPECT_EQ(G(VM_EXIT_INTR_ERROR_CODE), 0u);
	EXPECT_EQ(lapic_highest_irr(&lp.apic), -1);
	EXPECT_EQ(lapic_highest_isr(&lp.apic), 0x30);
	auto acks = Of(HW_INTR_ACK);
	ASSERT_EQ(acks.size(), 1u);
	EXPECT_EQ(acks[0].vector, 0x30u);
}

TEST_F(RuleNmiIntr, R21_AckTakesTheHighestPriorityVector)
{
	SetBits(VM_EXIT_CONTROLS, VM_EXIT_ACK_INTR_ON_EXIT);
	vmx_lp_irq(&lp, 0x30);
	vmx_lp_irq(&lp, 0xec);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), 0x800000ecu);
	EXPECT_EQ(lapic_highest_irr(&lp.apic), 0x30);
}

TEST_F(RuleNmiIntr, R1_WithoutExitingDeliveredThroughAnInterruptGate)
{
	NoPin(PIN_BASED_EXT_INTR_MASK);
	Program({Work(100), Op(VMX_OP_VMCALL)});
	Gate(0x30, 1, VMX_GATE_INTERRUPT);
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 20), VMX_RUN_LIMIT);
	vmx_lp_irq(&lp, 0x30);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_VMCALL, At(1));
	ASSERT_EQ(mem.depth, 1u);
	EXPECT_EQ(mem.stack[0].rip, kGuestBase + 20);
	EXPECT_EQ(mem.stack[0].rflags, (uint64_t)(X86_EFLAGS_FIXED | X86_EFLAGS_IF));
	EXPECT_EQ(Get(GUEST_RFLAGS), (uint64_t)X86_EFLAGS_FIXED);   /* interrupt gate: IF = 0 */
	EXPECT_EQ(lapic_highest_isr(&lp.apic), 0x30);
	auto dl = Of(HW_DELIVER);
	ASSERT_EQ(dl.size(), 1u);
	EXPECT_EQ(dl[0].intr_info, 0x80000030u);
	EXPECT_FALSE(dl[0].injected);
	EXPECT_EQ(lp.cycle, 1000u + 20 + 50 + 1000);
}

TEST_F(RuleNmiIntr, R1_TrapGateLeavesIfSet)
{
	NoPin(PIN_BASED_EXT_INTR_MASK);
	Program({Work(100), Op(VMX_OP_VMCALL)});
	Gate(0x30, 1, VMX_GATE_TRAP);
	vmx_lp_irq(&lp, 0x30);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_VMCALL, At(1));
	EXPECT_EQ(Get(GUEST_RFLAGS), (uint64_t)(X86_EFLAGS_FIXED | X86_EFLAGS_IF));
}

TEST_F(RuleNmiIntr, R1_TrapGateHandlerCanBeInterruptedAgain)
{
	/* A second, higher-class interrupt nests inside a trap-gate handler. */
	NoPin(PIN_BASED_EXT_INTR_MASK);
	Program({Work(100), Work(10), Op(VMX_OP_VMCALL)});
	Gate(0x30, 1, VMX_GATE_TRAP);
	Gate(0x80, 2, VMX_GATE_TRAP);
	vmx_lp_irq(&lp, 0x30);
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 55), VMX_RUN_LIMIT);   /* delivery of 0x30 + 5 units */
	ASSERT_EQ(lp.ctx.rip, At(1) + 5);
	vmx_lp_irq(&lp, 0x80);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_VMCALL, At(2));
	ASSERT_EQ(mem.depth, 2u);
	EXPECT_EQ(mem.stack[1].rip, At(1) + 5);
}

TEST_F(RuleNmiIntr, R1_WithoutExitingIfClearHoldsTheInterrupt)
{
	NoPin(PIN_BASED_EXT_INTR_MASK);
	IfClear();
	Program({Work(100), Op(VMX_OP_STI), Work(10), Op(VMX_OP_VMCALL)});
	Gate(0x30, 3);
	vmx_lp_irq(&lp, 0x30);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_VMCALL, At(3));
	/* Held through 100 units with IF = 0, then one more instruction by the STI shadow. */
	ASSERT_EQ(mem.depth, 1u);
	EXPECT_EQ(mem.stack[0].rip, At(2) + 1);
}

/* ---- R2, R3: NMIs ---- */

TEST_F(RuleNmiIntr, R2_NmiExitingGivesReason0With0x80000202)
{
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 10), VMX_RUN_LIMIT);
	vmx_lp_nmi(&lp);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EXCEPTION_NMI, kGuestBase + 10);
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), 0x80000202u);
	EXPECT_EQ(G(VM_EXIT_INTR_ERROR_CODE), 0u);
	EXPECT_EQ(G(VM_EXIT_INSTRUCTION_LEN), 0u);
	EXPECT_EQ(G(IDT_VECTORING_INFO_FIELD), 0u);
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), 0u);   /* saved as before the NMI */
	EXPECT_FALSE(lp.nmi_latched);
	EXPECT_EQ(Count(HW_DELIVER), 0);
}

TEST_F(RuleNmiIntr, R2_WithoutNmiExitingNmiGoesThroughVector2)
{
	NoPin(PIN_BASED_NMI_EXITING);
	Program({Work(100), Op(VMX_OP_VMCALL)});
	Gate(NMI_VECTOR, 1);
	vmx_lp_nmi(&lp);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_VMCALL, At(1));
	auto dl = Of(HW_DELIVER);
	ASSERT_EQ(dl.size(), 1u);
	EXPECT_EQ(dl[0].intr_info, 0x80000202u);
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), GUEST_INTR_STATE_NMI);   /* blocking by NMI in the handler */
	EXPECT_TRUE(lp.nmi_blocked);
}

TEST_F(RuleNmiIntr, R2_ExceptionBitmapBit2IsNotUsedForNmis)
{
	NoPin(PIN_BASED_NMI_EXITING);
	Set(EXCEPTION_BITMAP, 1u << NMI_VECTOR);
	Program({Work(100), Op(VMX_OP_VMCALL)});
	Gate(NMI_VECTOR, 1);
	vmx_lp_nmi(&lp);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_VMCALL, At(1));
	EXPECT_EQ(Count(HW_DELIVER), 1);
}

TEST_F(RuleNmiIntr, R2_BlockingByNmiHoldsAnNmiWithoutVirtualNmis)
{
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
	vmx_lp_nmi(&lp);
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	EXPECT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_LIMIT);
	EXPECT_TRUE(lp.nmi_latched);
}

TEST_F(RuleNmiIntr, R3_VirtualNmiBlockingDoesNotHoldPhysicalNmis)
{
	Pin(PIN_BASED_VIRTUAL_NMIS);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
	vmx_lp_nmi(&lp);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EXCEPTION_NMI, kGuestBase);
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), 0x80000202u);
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), GUEST_INTR_STATE_NMI);   /* the virtual blocking is saved */
}

TEST_F(RuleNmiIntr, R3_HostBlockingByNmiDoesNotHoldNmisInAVirtualNmiGuest)
{
	Pin(PIN_BASED_VIRTUAL_NMIS);
	lp.nmi_blocked = true;
	vmx_lp_nmi(&lp);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EXCEPTION_NMI, kGuestBase);
}

TEST_F(RuleNmiIntr, R3_InjectedVirtualNmiDoesNotHoldAPhysicalNmi)
{
	Pin(PIN_BASED_VIRTUAL_NMIS);
	Program({Work(100), Work(10)});
	Gate(NMI_VECTOR, 1);
	Inject(0x80000202);
	vmx_lp_nmi(&lp);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	/* Delivered the virtual NMI, then the physical one exits at the handler's first boundary. */
	ExpectExit(EXIT_REASON_EXCEPTION_NMI, At(1));
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), GUEST_INTR_STATE_NMI);
	EXPECT_EQ(G(IDT_VECTORING_INFO_FIELD), 0u);
}

/* ---- R22: exits caused by NMIs and exceptions ---- */

TEST_F(RuleNmiIntr, R22_NmiExitLeavesNmisBlockedInTheHost)
{
	vmx_lp_nmi(&lp);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ASSERT_EQ(G(VM_EXIT_INTR_INFO), 0x80000202u);
	EXPECT_TRUE(lp.nmi_blocked);
	EXPECT_EQ(vmx_lp_blocking(&lp) & VMX_BLK_NMI, VMX_BLK_NMI);
	/* The host's IRET (end of its NMI handler) removes it. */
	vmx_lp_exec_root(&lp, VMX_OP_IRET, 0, 0);
	EXPECT_FALSE(lp.nmi_blocked);
}

TEST_F(RuleNmiIntr, R22_AtMostOneNmiIsLatchedWhileBlocked)
{
	Pin(PIN_BASED_VIRTUAL_NMIS);
	vmx_lp_nmi(&lp);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ASSERT_EQ(G(VM_EXIT_INTR_INFO), 0x80000202u);
	ASSERT_TRUE(lp.nmi_blocked);
	vmx_lp_nmi(&lp);   /* latched */
	vmx_lp_nmi(&lp);   /* lost */
	vmx_lp_nmi(&lp);   /* lost */
	EXPECT_EQ(Count(HW_NMI_LATCHED), 2);   /* the first one, and the one after the exit */
	EXPECT_EQ(Count(HW_NMI_LOST), 2);
	vmx_lp_exec_root(&lp, VMX_OP_IRET, 0, 0);
	ASSERT_EQ(Resume(), VMX_RUN_EXIT);
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), 0x80000202u);
	vmx_lp_exec_root(&lp, VMX_OP_IRET, 0, 0);
	EXPECT_EQ(vmx_lp_vmentry(&lp, false), VMX_ENTRY_OK);
	EXPECT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_LIMIT);   /* no third NMI exit */
	EXPECT_EQ(Count(HW_VMEXIT), 2);
}

TEST_F(RuleNmiIntr, R22_SecondNmiInsideAGuestNmiHandlerIsLatchedThirdIsLost)
{
	NoPin(PIN_BASED_NMI_EXITING);
	Program({Work(1000), Work(20), Op(VMX_OP_IRET)});
	Gate(NMI_VECTOR, 1);
	vmx_lp_nmi(&lp);
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 55), VMX_RUN_LIMIT);   /* in the handler */
	vmx_lp_nmi(&lp);
	vmx_lp_nmi(&lp);
	EXPECT_EQ(Count(HW_NMI_LOST), 1);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_LIMIT);
	EXPECT_EQ(Count(HW_DELIVER), 2);
}

TEST_F(RuleNmiIntr, R22_ExceptionBitmapExitForAFault)
{
	Program({Work(4), Op(VMX_OP_UD2), Work(10)});
	Set(EXCEPTION_BITMAP, 1u << UD_VECTOR);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EXCEPTION_NMI, At(1));
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), 0x80000306u);
	EXPECT_EQ(G(VM_EXIT_INTR_ERROR_CODE), 0u);
	EXPECT_EQ(G(IDT_VECTORING_INFO_FIELD), 0u);
	EXPECT_FALSE(lp.nmi_blocked);   /* not an NMI-caused exit */
}

TEST_F(RuleNmiIntr, R22_ExceptionBitmapExitForInt3CarriesTheLength)
{
	Program({Op(VMX_OP_INT3), Work(10)});
	Set(EXCEPTION_BITMAP, 1u << BP_VECTOR);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EXCEPTION_NMI, At(0));
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), 0x80000603u);
	EXPECT_EQ(G(VM_EXIT_INSTRUCTION_LEN), 1u);
}

TEST_F(RuleNmiIntr, R22_ExceptionNotInTheBitmapIsDelivered)
{
	Program({Op(VMX_OP_UD2), Op(VMX_OP_VMCALL)});
	Gate(UD_VECTOR, 1);
	Set(EXCEPTION_BITMAP, ~(1u << UD_VECTOR));
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_VMCALL, At(1));
	ASSERT_EQ(mem.depth, 1u);
	EXPECT_EQ(mem.stack[0].rip, At(0));
}

TEST_F(RuleNmiIntr, R22_PageFaultOnFetchCarriesItsErrorCode)
{
	Program({Op(VMX_OP_JMP, 0x9000)});
	Set(EXCEPTION_BITMAP, 1u << PF_VECTOR);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EXCEPTION_NMI, 0x9000);
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), 0x80000b0eu);
	EXPECT_EQ(G(VM_EXIT_INTR_ERROR_CODE), 0x10u);
}

/* ---- R25: state after a VM exit ---- */

TEST_F(RuleNmiIntr, R25_HostStateAfterAnExit)
{
	IfClear();
	Program({Work(3), Op(VMX_OP_STI), Op(VMX_OP_VMCALL)});
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_VMCALL, At(2));
	EXPECT_EQ(Get(GUEST_RFLAGS), (uint64_t)(X86_EFLAGS_FIXED | X86_EFLAGS_IF));
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), GUEST_INTR_STATE_STI);
	EXPECT_EQ(G(GUEST_ACTIVITY_STATE), (uint32_t)GUEST_ACTIVITY_ACTIVE);
	EXPECT_FALSE(lp.non_root);
	EXPECT_EQ(lp.ctx.rip, kHostRip);
	EXPECT_EQ(lp.ctx.rflags, (uint64_t)X86_EFLAGS_FIXED);   /* IF = 0 */
	EXPECT_EQ(lp.ctx.activity, (uint32_t)GUEST_ACTIVITY_ACTIVE);
	EXPECT_EQ(lp.ctx.mem, nullptr);
	EXPECT_FALSE(vmx_lp_sti_blocking(&lp));
	EXPECT_FALSE(lp.inject_pending || lp.mtf_pending || lp.timer_armed);
	EXPECT_EQ(lp.cycle, 1000u + 3 + 1 + 1000);
	ASSERT_FALSE(events.empty());
	const vmx_hw_event *x = nullptr;
	for (const auto &e : events)
		if (e.kind == HW_VMEXIT)
			x = &e;
	ASSERT_TRUE(x);
	EXPECT_EQ(x->reason, (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(x->rip, At(2));
	EXPECT_EQ(x->insn_len, 3u);
	EXPECT_TRUE(x->non_root);
	EXPECT_EQ(x->cycle, 1000u + 3 + 1);
}

TEST_F(RuleNmiIntr, R25_HostDoesNotTakeAnInterruptUntilItSetsIf)
{
	vmx_lp_irq(&lp, 0x30);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(vmx_arbitrate(&lp), VMX_DECIDE_NONE);   /* host IF = 0 */
	vmx_lp_exec_root(&lp, VMX_OP_STI, 0, 0);
	EXPECT_EQ(vmx_arbitrate(&lp), VMX_DECIDE_NONE);   /* STI shadow */
	vmx_lp_exec_root(&lp, VMX_OP_NOP, 0, 0);
	EXPECT_EQ(vmx_arbitrate(&lp), VMX_DECIDE_EXTINT_DELIVER);
}

TEST_F(RuleNmiIntr, R25_NonNmiExitLeavesBlockingByNmiAlone)
{
	Program({Op(VMX_OP_VMCALL)});
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_FALSE(lp.nmi_blocked);
	Use("nehalem");
	Program({Op(VMX_OP_VMCALL)});
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);   /* virtual NMIs = 0: real blocking */
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_FALSE(lp.nmi_blocked);   /* with NMI exiting it lasts only while in non-root operation */
}

TEST_F(RuleNmiIntr, R25_VirtualNmiBlockingDoesNotReachTheHost)
{
	Pin(PIN_BASED_VIRTUAL_NMIS);
	Program({Op(VMX_OP_VMCALL)});
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), GUEST_INTR_STATE_NMI);
	EXPECT_FALSE(lp.nmi_blocked);
	EXPECT_FALSE(lp.vnmi_blocked);
}

TEST_F(RuleNmiIntr, R15_EntryWithoutVirtualNmisLoadsBlockingByNmiFromTheField)
{
	/* The host still has NMIs blocked after an NMI exit; bit 3 = 0 at entry unblocks them. */
	vmx_lp_nmi(&lp);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ASSERT_TRUE(lp.nmi_blocked);
	vmx_lp_nmi(&lp);
	Set(GUEST_INTERRUPTIBILITY_INFO, 0);
	ASSERT_EQ(Resume(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EXCEPTION_NMI, kGuestBase);
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), 0x80000202u);
}

/* ---- Model simplifications that touch events ---- */

TEST_F(RuleNmiIntr, Model_EoiIsAWrmsrThatExitsWithoutMsrBitmaps)
{
	/* R21 context: without "use MSR bitmaps" the guest cannot EOI its LAPIC without an exit (26.1.3). */
	Program({Work(2), Op(VMX_OP_EOI), Work(10)});
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_MSR_WRITE, At(1));
	EXPECT_EQ(G(VM_EXIT_INSTRUCTION_LEN), 2u);
	EXPECT_EQ(Count(HW_EOI), 0);
}

TEST_F(RuleNmiIntr, Model_IpiIsAWrmsrThatExitsWithoutMsrBitmaps)
{
	/* 26.1.3: without "use MSR bitmaps" every WRMSR exits (test_msr_bitmaps.cc has the bitmaps). */
	Program({Op(VMX_OP_IPI, 1, 0x40), Work(10)});
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_MSR_WRITE, At(0));
	EXPECT_EQ(G(VM_EXIT_INSTRUCTION_LEN), 2u);
	EXPECT_EQ(Count(HW_IPI), 0);
}
