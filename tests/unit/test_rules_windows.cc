/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rules_windows.cc - interrupt-window (R19) and NMI-window (R18)
 * exits and the priority order at an instruction boundary (R24). The
 * preemption timer and the monitor trap flag against them (R27) are
 * test_rules_timer_mtf.cc's, the STI / MOV-SS shadows test_rules_shadows.cc's;
 * the timing is in rule_windows_fixture.h.
 */
#include "rule_windows_fixture.h"

/* ---- R19: interrupt-window exiting ---- */

TEST_F(RuleWindows, R19_IntrWindowExitsImmediatelyAfterEntry)
{
	Proc(CPU_BASED_INTR_WINDOW_EXITING);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_INTERRUPT_WINDOW, kGuestBase);
	EXPECT_EQ(lp.retired, 0u);
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), 0u);
	EXPECT_EQ(G(VM_EXIT_INSTRUCTION_LEN), 0u);
	EXPECT_EQ(G(IDT_VECTORING_INFO_FIELD), 0u);
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), 0u);
	EXPECT_EQ(lp.cycle, 2000u);
}

TEST_F(RuleWindows, R19_IntrWindowWaitsForIf)
{
	IfClear();
	Proc(CPU_BASED_INTR_WINDOW_EXITING);
	Program({Work(5), Op(VMX_OP_STI), Work(10)});
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	/* STI at insn 1 opens IF, its shadow covers one instruction of insn 2. */
	ExpectExit(EXIT_REASON_INTERRUPT_WINDOW, At(2) + 1);
	EXPECT_EQ(Get(GUEST_RFLAGS), (uint64_t)(X86_EFLAGS_FIXED | X86_EFLAGS_IF));
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), 0u);
	EXPECT_EQ(lp.cycle, 1000u + 5 + 1 + 1 + 1000);
}

TEST_F(RuleWindows, R19_IntrWindowExitWaitsForStiShadow)
{
	Proc(CPU_BASED_INTR_WINDOW_EXITING);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_INTERRUPT_WINDOW, kGuestBase + 1);
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), 0u);
	EXPECT_EQ(lp.cycle, 2001u);
}

TEST_F(RuleWindows, R19_IntrWindowExitWaitsForMovSsShadow)
{
	Proc(CPU_BASED_INTR_WINDOW_EXITING);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_MOV_SS);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_INTERRUPT_WINDOW, kGuestBase + 1);
}

TEST_F(RuleWindows, R19_IntrWindowIgnoresBlockingByNmi)
{
	Proc(CPU_BASED_INTR_WINDOW_EXITING);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_INTERRUPT_WINDOW, kGuestBase);
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), 0u);   /* NMI exiting, no virtual NMIs: blocking by NMI ended with the exit and is not saved (model, docs/sdm-rules.md) */
}

TEST_F(RuleWindows, R19_IntrWindowIgnoresVirtualNmiBlocking)
{
	Vnmi();
	Proc(CPU_BASED_INTR_WINDOW_EXITING);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_INTERRUPT_WINDOW, kGuestBase);
}

TEST_F(RuleWindows, R19_IntrWindowNeverOpensWithIfClear)
{
	IfClear();
	Proc(CPU_BASED_INTR_WINDOW_EXITING);
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	EXPECT_EQ(vmx_lp_run(&lp, lp.cycle + 500), VMX_RUN_LIMIT);
	EXPECT_TRUE(lp.non_root);
}

TEST_F(RuleWindows, R19_IntrWindowFollowsInjection)
{
	/* Delivery through a trap gate keeps IF = 1: the window opens before the handler's first instruction. */
	Program({Work(100), Work(10)});
	Gate(0x30, 1, VMX_GATE_TRAP);
	Proc(CPU_BASED_INTR_WINDOW_EXITING);
	Inject(0x80000030);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_INTERRUPT_WINDOW, At(1));
	EXPECT_EQ(Count(HW_DELIVER), 1);
	EXPECT_EQ(G(IDT_VECTORING_INFO_FIELD), 0u);
	EXPECT_EQ(G(VM_ENTRY_INTR_INFO_FIELD), 0x30u);
}

TEST_F(RuleWindows, R19_InterruptGateDeliveryClosesTheWindow)
{
	Program({Work(100), Work(10), Op(VMX_OP_VMCALL)});
	Gate(0x30, 1, VMX_GATE_INTERRUPT);
	Proc(CPU_BASED_INTR_WINDOW_EXITING);
	Inject(0x80000030);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_VMCALL, At(2));
}

TEST_F(RuleWindows, R19_IntrWindowDoesNotOccurInShutdown)
{
	/* SDM 26.7.5: no interrupt-window exit in the shutdown or wait-for-SIPI state. */
	Proc(CPU_BASED_INTR_WINDOW_EXITING);
	Set(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_SHUTDOWN);
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	EXPECT_EQ(vmx_lp_run(&lp, lp.cycle + 500), VMX_RUN_LIMIT);
	EXPECT_EQ(lp.ctx.activity, (uint32_t)GUEST_ACTIVITY_SHUTDOWN);
}

/* ---- R18: NMI-window exiting ---- */

TEST_F(RuleWindows, R18_NmiWindowExitsImmediatelyAfterEntry)
{
	Vnmi();
	Proc(CPU_BASED_NMI_WINDOW_EXITING);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_NMI_WINDOW, kGuestBase);
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), 0u);
	EXPECT_EQ(lp.cycle, 2000u);
}

TEST_F(RuleWindows, R18_NmiWindowIgnoresIf)
{
	Vnmi();
	IfClear();
	Proc(CPU_BASED_NMI_WINDOW_EXITING);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_NMI_WINDOW, kGuestBase);
}

TEST_F(RuleWindows, R18_NmiWindowWaitsForIretOfInjectedNmi)
{
	/* 0: main, 1: NMI handler work, 2: IRET back to the guest RIP. */
	Program({Work(100), Work(3), Op(VMX_OP_IRET)});
	Gate(NMI_VECTOR, 1);
	Vnmi();
	Proc(CPU_BASED_NMI_WINDOW_EXITING);
	Inject(0x80000202);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_NMI_WINDOW, kGuestBase);
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), 0u);
	ASSERT_EQ(Count(HW_IRET), 1);
	for (const auto &e : events) {
		if (e.kind == HW_IRET) {
			EXPECT_TRUE(e.nmi_unblocked);
		}
	}
	EXPECT_EQ(lp.cycle, 1000u + 50 + 3 + 30 + 1000);
}

TEST_F(RuleWindows, R18_NmiWindowHeldByVirtualNmiBlocking)
{
	Vnmi();
	Proc(CPU_BASED_NMI_WINDOW_EXITING);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	EXPECT_EQ(vmx_lp_run(&lp, lp.cycle + 500), VMX_RUN_LIMIT);
}

TEST_F(RuleWindows, R18_NmiWindowHeldByMovSs)
{
	Vnmi();
	Proc(CPU_BASED_NMI_WINDOW_EXITING);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_MOV_SS);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_NMI_WINDOW, kGuestBase + 1);
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), 0u);
}

TEST_F(RuleWindows, R18_NmiWindowHeldByStiWhenTheCpuSaysSo)
{
	ASSERT_TRUE(lp.model.nmi_window_blocked_by_sti);
	Vnmi();
	Proc(CPU_BASED_NMI_WINDOW_EXITING);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_NMI_WINDOW, kGuestBase + 1);
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), 0u);
}

TEST_F(RuleWindows, R18_NmiWindowOpensInsideStiShadowWhenTheCpuAllowsIt)
{
	lp.model.nmi_window_blocked_by_sti = false;
	Vnmi();
	Proc(CPU_BASED_NMI_WINDOW_EXITING);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_NMI_WINDOW, kGuestBase);
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), GUEST_INTR_STATE_STI);
}

TEST_F(RuleWindows, R18_NmiWindowIgnoresTheHostsBlockingByNmi)
{
	Vnmi();
	Proc(CPU_BASED_NMI_WINDOW_EXITING);
	lp.nmi_blocked = true;   /* e.g. left by an earlier NMI-caused exit (R22) */
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_NMI_WINDOW, kGuestBase);
}

TEST_F(RuleWindows, R18_NmiWindowWakesShutdown)
{
	Vnmi();
	Proc(CPU_BASED_NMI_WINDOW_EXITING);
	Set(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_SHUTDOWN);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_NMI_WINDOW, kGuestBase);
	EXPECT_EQ(G(GUEST_ACTIVITY_STATE), (uint32_t)GUEST_ACTIVITY_SHUTDOWN);
}

/* ---- R24: priority among events pending at one boundary ---- */

TEST_F(RuleWindows, R24_NmiWindowBeforeNmi)
{
	Vnmi();
	Proc(CPU_BASED_NMI_WINDOW_EXITING);
	vmx_lp_nmi(&lp);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_NMI_WINDOW, kGuestBase);
	EXPECT_TRUE(lp.nmi_latched);
	NoProc(CPU_BASED_NMI_WINDOW_EXITING);
	ASSERT_EQ(Resume(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EXCEPTION_NMI, kGuestBase);
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), 0x80000202u);
}

TEST_F(RuleWindows, R24_NmiBeforeIntrWindow)
{
	Proc(CPU_BASED_INTR_WINDOW_EXITING);
	vmx_lp_nmi(&lp);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EXCEPTION_NMI, kGuestBase);
	ASSERT_EQ(Resume(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_INTERRUPT_WINDOW, kGuestBase);
}

TEST_F(RuleWindows, R24_IntrWindowBeforeExternalInterruptExit)
{
	Proc(CPU_BASED_INTR_WINDOW_EXITING);
	vmx_lp_irq(&lp, 0x30);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_INTERRUPT_WINDOW, kGuestBase);
	EXPECT_EQ(lapic_highest_irr(&lp.apic), 0x30);
	NoProc(CPU_BASED_INTR_WINDOW_EXITING);
	ASSERT_EQ(Resume(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EXTERNAL_INTERRUPT, kGuestBase);
}

TEST_F(RuleWindows, R24_IntrWindowBeforeExternalInterruptDelivery)
{
	ClearBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_EXT_INTR_MASK);
	Program({Work(100), Op(VMX_OP_VMCALL)});
	Gate(0x30, 1);
	Proc(CPU_BASED_INTR_WINDOW_EXITING);
	vmx_lp_irq(&lp, 0x30);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_INTERRUPT_WINDOW, kGuestBase);
	EXPECT_EQ(Count(HW_DELIVER), 0);
	EXPECT_EQ(lapic_highest_irr(&lp.apic), 0x30);
}

TEST_F(RuleWindows, R24_NmiBeforeExternalInterrupt)
{
	vmx_lp_irq(&lp, 0x30);
	vmx_lp_nmi(&lp);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EXCEPTION_NMI, kGuestBase);
	ASSERT_EQ(Resume(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EXTERNAL_INTERRUPT, kGuestBase);
}

TEST_F(RuleWindows, R24_FullOrderNmiWindowNmiIntrWindowExternalInterrupt)
{
	Vnmi();
	Proc(CPU_BASED_NMI_WINDOW_EXITING | CPU_BASED_INTR_WINDOW_EXITING);
	vmx_lp_nmi(&lp);
	vmx_lp_irq(&lp, 0x30);
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	std::vector<uint32_t> order;
	for (int i = 0; i < 4; i++) {
		if (i) {
			EXPECT_EQ(vmx_lp_vmentry(&lp, false), VMX_ENTRY_OK) << LastCheck();
		}
		ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
		EXPECT_EQ(Get(GUEST_RIP), kGuestBase);
		order.push_back(ExitReason());
		/* The VMM's reaction: close the window that exited. */
		if (ExitReason() == (uint32_t)EXIT_REASON_NMI_WINDOW)
			NoProc(CPU_BASED_NMI_WINDOW_EXITING);
		if (ExitReason() == (uint32_t)EXIT_REASON_INTERRUPT_WINDOW)
			NoProc(CPU_BASED_INTR_WINDOW_EXITING);
	}
	EXPECT_EQ(order, (std::vector<uint32_t>{EXIT_REASON_NMI_WINDOW, EXIT_REASON_EXCEPTION_NMI,
	                                        EXIT_REASON_INTERRUPT_WINDOW, EXIT_REASON_EXTERNAL_INTERRUPT}));
}

TEST_F(RuleWindows, R24_ArbiterDecisionsInOrder)
{
	/* The pure arbiter, as each higher event is taken away. */
	Vnmi();
	Proc(CPU_BASED_NMI_WINDOW_EXITING | CPU_BASED_INTR_WINDOW_EXITING | CPU_BASED_MONITOR_TRAP_FLAG);
	Timer(0);
	vmx_lp_nmi(&lp);
	vmx_lp_irq(&lp, 0x30);
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	lp.mtf_pending = true;
	vmx_lp_init_signal(&lp);
	EXPECT_EQ(vmx_arbitrate(&lp), VMX_DECIDE_INIT_EXIT);
	lp.init_latched = false;
	EXPECT_EQ(vmx_arbitrate(&lp), VMX_DECIDE_MTF_EXIT);
	lp.mtf_pending = false;
	EXPECT_EQ(vmx_arbitrate(&lp), VMX_DECIDE_TIMER_EXIT);
	lp.timer_armed = false;
	EXPECT_EQ(vmx_arbitrate(&lp), VMX_DECIDE_NMI_WINDOW_EXIT);
	lp.ctl.proc &= ~(uint32_t)CPU_BASED_NMI_WINDOW_EXITING;
	EXPECT_EQ(vmx_arbitrate(&lp), VMX_DECIDE_NMI_EXIT);
	lp.nmi_latched = false;
	EXPECT_EQ(vmx_arbitrate(&lp), VMX_DECIDE_INTR_WINDOW_EXIT);
	lp.ctl.proc &= ~(uint32_t)CPU_BASED_INTR_WINDOW_EXITING;
	EXPECT_EQ(vmx_arbitrate(&lp), VMX_DECIDE_EXTINT_EXIT);
	lapic_reset(&lp.apic);
	EXPECT_EQ(vmx_arbitrate(&lp), VMX_DECIDE_NONE);
}
