/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rules_timer_mtf.cc - the VMX-preemption timer and the monitor
 * trap flag (R27): when each exits, what the timer saves, and their place
 * against the windows, NMIs and injected events (R24).
 */
#include "rule_windows_fixture.h"

/* ---- R27: preemption timer and MTF ---- */

TEST_F(RuleWindows, R27_TimerZeroExitsBeforeTheFirstInstruction)
{
	Timer(0);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_PREEMPTION_TIMER, kGuestBase);
	EXPECT_EQ(lp.retired, 0u);
	EXPECT_EQ(lp.cycle, 2000u);
}

/* The entry ends at cycle 1000 = 31 x 32 + 8: ten ticks later is 992 + 320. */
TEST_F(RuleWindows, R27_TimerCountsOneTickPer2PowRateCycles)
{
	ASSERT_EQ(model.preemption_timer_rate, 5u);
	Timer(10);
	SetBits(VM_EXIT_CONTROLS, VM_EXIT_SAVE_VMX_PREEMPTION_TIMER);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_PREEMPTION_TIMER, kGuestBase + 312);
	EXPECT_EQ(lp.cycle, 992u + 320 + 1000);
	EXPECT_EQ(G(VMX_PREEMPTION_TIMER_VALUE), 0u);
}

/*
 * SDM Vol. 3C 26.5.1 "VMX-Preemption Timer": the timer counts down by 1
 * each time bit X of the TSC (X = IA32_VMX_MISC[4:0], 5 here) changes.
 * The entry ends at TSC 1000; bit 5 next changes at 1024, so a timer of 1
 * expires 24 cycles into the guest, not 32 (kvm-unit-tests'
 * vmx_preemption_timer_expiry_test computes its deadline so).
 */
TEST_F(RuleWindows, R27_TimerTicksWhenTscBitXChanges)
{
	Timer(1);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_PREEMPTION_TIMER, kGuestBase + 24);
	EXPECT_EQ(lp.cycle, 1024u + 1000);
}

/*
 * 26.5.1, saved value: the ticks still to come, counted on TSC bit 5. At
 * TSC 1040 bit 5 has changed once (1024) and changes next at 1056: one
 * tick left, though only 16 cycles remain.
 */
TEST_F(RuleWindows, R27_TimerValueSavedCountsTscBitChanges)
{
	Program({Work(40), Op(VMX_OP_VMCALL)});
	Timer(2);
	SetBits(VM_EXIT_CONTROLS, VM_EXIT_SAVE_VMX_PREEMPTION_TIMER);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_VMCALL, At(1));
	EXPECT_EQ(G(VMX_PREEMPTION_TIMER_VALUE), 1u);
}

TEST_F(RuleWindows, R27_TimerValueSavedOnAnotherExit)
{
	Program({Work(64), Op(VMX_OP_VMCALL)});
	Timer(100);
	SetBits(VM_EXIT_CONTROLS, VM_EXIT_SAVE_VMX_PREEMPTION_TIMER);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_VMCALL, At(1));
	EXPECT_EQ(G(VMX_PREEMPTION_TIMER_VALUE), 98u);   /* ticks at 1024, 1056 before the VMCALL at 1064 */
}

TEST_F(RuleWindows, R27_TimerValueNotSavedWithoutTheExitControl)
{
	Program({Work(64), Op(VMX_OP_VMCALL)});
	Timer(100);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(G(VMX_PREEMPTION_TIMER_VALUE), 100u);
}

TEST_F(RuleWindows, R27_TimerBeforeNmiWindowNmiAndIntrWindow)
{
	Vnmi();
	Proc(CPU_BASED_NMI_WINDOW_EXITING | CPU_BASED_INTR_WINDOW_EXITING);
	vmx_lp_nmi(&lp);
	vmx_lp_irq(&lp, 0x30);
	Timer(0);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_PREEMPTION_TIMER, kGuestBase);
	EXPECT_TRUE(lp.nmi_latched);
}

TEST_F(RuleWindows, R27_TimerExitFollowsInjection)
{
	Program({Work(100), Work(10)});
	Gate(0x30, 1);
	Timer(0);
	Inject(0x80000030);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_PREEMPTION_TIMER, At(1));
	EXPECT_EQ(Count(HW_DELIVER), 1);
}

TEST_F(RuleWindows, R27_PendingMtfBeforeTimer)
{
	Timer(0);
	Inject(0x80000700);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_MONITOR_TRAP_FLAG, kGuestBase);
	ASSERT_EQ(Resume(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_PREEMPTION_TIMER, kGuestBase);
}

TEST_F(RuleWindows, R27_MtfAfterEachInstruction)
{
	Proc(CPU_BASED_MONITOR_TRAP_FLAG);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_MONITOR_TRAP_FLAG, kGuestBase + 1);
	EXPECT_EQ(lp.retired, 1u);
	EXPECT_EQ(lp.cycle, 1000u + 1 + 1000);
	ASSERT_EQ(Resume(), VMX_RUN_EXIT);
	/* VMRESUME starts at the saved RIP. */
	ExpectExit(EXIT_REASON_MONITOR_TRAP_FLAG, kGuestBase + 2);
}

TEST_F(RuleWindows, R27_MtfAfterInjectedEventBeforeTheHandler)
{
	Program({Work(100), Work(10)});
	Gate(0x30, 1);
	Proc(CPU_BASED_MONITOR_TRAP_FLAG);
	Inject(0x80000030);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_MONITOR_TRAP_FLAG, At(1));
	EXPECT_EQ(lp.retired, 0u);
}

TEST_F(RuleWindows, R27_MtfAfterDeliveryOfIntN)
{
	/* SDM 25.5.2: after INT n the MTF exit is on the boundary following delivery. */
	Program({Op(VMX_OP_INT, 0x80), Work(10)});
	Gate(0x80, 1);
	Proc(CPU_BASED_MONITOR_TRAP_FLAG);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_MONITOR_TRAP_FLAG, At(1));
	ASSERT_EQ(mem.depth, 1u);
	EXPECT_EQ(mem.stack[0].rip, At(0) + 2);
}

TEST_F(RuleWindows, R27_MtfAfterDeliveryOfInt3)
{
	Program({Op(VMX_OP_INT3), Work(10)});
	Gate(BP_VECTOR, 1);
	Proc(CPU_BASED_MONITOR_TRAP_FLAG);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_MONITOR_TRAP_FLAG, At(1));
}

TEST_F(RuleWindows, R27_MtfAfterDeliveryOfAFault)
{
	Program({Op(VMX_OP_UD2), Work(10)});
	Gate(UD_VECTOR, 1);
	Proc(CPU_BASED_MONITOR_TRAP_FLAG);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_MONITOR_TRAP_FLAG, At(1));
	ASSERT_EQ(mem.depth, 1u);
	EXPECT_EQ(mem.stack[0].rip, At(0));
}

TEST_F(RuleWindows, R27_MtfAfterDeliveryOfAPendingInterruptAtEntry)
{
	ClearBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_EXT_INTR_MASK);
	Program({Work(100), Work(10)});
	Gate(0x30, 1);
	Proc(CPU_BASED_MONITOR_TRAP_FLAG);
	vmx_lp_irq(&lp, 0x30);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_MONITOR_TRAP_FLAG, At(1));
	EXPECT_EQ(lp.retired, 0u);
}

TEST_F(RuleWindows, R27_NoMtfExitWhenTheInstructionExits)
{
	Program({Op(VMX_OP_VMCALL), Work(10)});
	Proc(CPU_BASED_MONITOR_TRAP_FLAG);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_VMCALL, At(0));
	EXPECT_FALSE(lp.mtf_pending);
}

TEST_F(RuleWindows, R27_MtfBeforeNmiWindow)
{
	/* IRET removes virtual-NMI blocking: MTF (3.5) wins over the NMI window (4.6). */
	Program({Op(VMX_OP_IRET), Work(100)});
	mem.stack[0] = vmx_frame{At(1), X86_EFLAGS_FIXED | X86_EFLAGS_IF, false, 0};
	mem.depth = 1;
	Vnmi();
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
	Proc(CPU_BASED_NMI_WINDOW_EXITING | CPU_BASED_MONITOR_TRAP_FLAG);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_MONITOR_TRAP_FLAG, At(1));
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), 0u);
	NoProc(CPU_BASED_MONITOR_TRAP_FLAG);
	ASSERT_EQ(Resume(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_NMI_WINDOW, At(1));
}

TEST_F(RuleWindows, R27_MtfBeforeNmiAndIntrWindow)
{
	Proc(CPU_BASED_INTR_WINDOW_EXITING);
	vmx_lp_nmi(&lp);
	Inject(0x80000700);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_MONITOR_TRAP_FLAG, kGuestBase);
	EXPECT_TRUE(lp.nmi_latched);
}
