/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rules_windows.cc - interrupt-window (R19) and NMI-window (R18)
 * exits, the priority order at an instruction boundary (R24), the
 * preemption timer and the monitor trap flag against them (R27), and the
 * STI / MOV-SS shadows that hold events off for one instruction.
 *
 * Timing on the nehalem model: entry 1000 cycles, exit 1000, delivery 50,
 * one work unit or simple instruction 1, IRET 30; preemption timer rate 5
 * (one tick every 32 cycles).
 */
#include "hw_fixture.h"

namespace {

class RuleWindows : public HwTest {
protected:
	void Proc(uint32_t bits) { SetBits(CPU_BASED_VM_EXEC_CONTROL, bits); }
	void NoProc(uint32_t bits) { ClearBits(CPU_BASED_VM_EXEC_CONTROL, bits); }
	void Vnmi() { SetBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VIRTUAL_NMIS); }
	void IfClear() { Set(GUEST_RFLAGS, X86_EFLAGS_FIXED); }

	void Timer(uint32_t value)
	{
		SetBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VMX_PREEMPTION_TIMER);
		Set(VMX_PREEMPTION_TIMER_VALUE, value);
	}

	vmx_run_outcome Resume(uint64_t cycles = 100000)
	{
		EXPECT_EQ(vmx_lp_vmentry(&lp, false), VMX_ENTRY_OK) << LastCheck();
		return vmx_lp_run(&lp, lp.cycle + cycles);
	}

	void ExpectExit(uint32_t reason, uint64_t rip)
	{
		EXPECT_EQ(ExitReason(), reason);
		EXPECT_EQ(Get(GUEST_RIP), rip);
		EXPECT_FALSE(lp.non_root);
		EXPECT_EQ(lp.ctx.rip, kHostRip);
	}
};

}  // namespace

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
