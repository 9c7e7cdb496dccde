/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rules_hlt.cc - what leaves the HLT activity state in non-root
 * operation (R23), with the saved activity state and the return address of
 * a woken delivery, HLT exiting (exit 12), and the states that only a SIPI
 * wakes (wait-for-SIPI; test_init_sipi.cc) or only some events wake
 * (shutdown).
 *
 * Guest layout: 0 = work, 1 = HLT, 2 = work (the instruction after HLT),
 * 3 = VMCALL (handler of the vectors under test).
 */
#include "hw_fixture.h"

namespace {

class RuleHlt : public HwTest {
protected:
	void SetUp() override
	{
		HwTest::SetUp();
		Program({Work(3), Op(VMX_OP_HLT), Work(100), Op(VMX_OP_VMCALL)});
	}

	void Pin(uint32_t bits) { SetBits(PIN_BASED_VM_EXEC_CONTROL, bits); }
	void NoPin(uint32_t bits) { ClearBits(PIN_BASED_VM_EXEC_CONTROL, bits); }
	void Proc(uint32_t bits) { SetBits(CPU_BASED_VM_EXEC_CONTROL, bits); }
	void IfClear() { Set(GUEST_RFLAGS, X86_EFLAGS_FIXED); }

	/* Enter and run until the guest sits in HLT after insn 1. */
	void RunIntoHlt()
	{
		ASSERT_EQ(Launch(), VMX_ENTRY_OK) << LastCheck();
		ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 100), VMX_RUN_LIMIT);
		ASSERT_EQ(lp.ctx.activity, (uint32_t)GUEST_ACTIVITY_HLT);
		ASSERT_EQ(lp.ctx.rip, At(2));
		ASSERT_EQ(Count(HW_HLT), 1);
		ASSERT_EQ(lp.retired, 4u);   /* three work units and the HLT */
	}

	/* Enter directly in an activity state, at the instruction after the HLT. */
	void EnterIn(uint32_t activity)
	{
		Set(GUEST_ACTIVITY_STATE, activity);
		Set(GUEST_RIP, At(2));
		ASSERT_EQ(Launch(), VMX_ENTRY_OK) << LastCheck();
	}

	void ExpectStillAsleep(uint32_t activity)
	{
		uint64_t retired = lp.retired;
		EXPECT_EQ(vmx_lp_run(&lp, lp.cycle + 5000), VMX_RUN_LIMIT);
		EXPECT_TRUE(lp.non_root);
		EXPECT_EQ(lp.ctx.activity, activity);
		EXPECT_EQ(lp.retired, retired);
		EXPECT_EQ(Count(HW_WAKE), 0);
	}

	void ExpectExitFrom(uint32_t reason, uint32_t activity)
	{
		EXPECT_EQ(ExitReason(), reason);
		EXPECT_EQ(Get(GUEST_RIP), At(2));
		EXPECT_EQ(G(GUEST_ACTIVITY_STATE), activity);
		EXPECT_EQ(lp.ctx.activity, (uint32_t)GUEST_ACTIVITY_ACTIVE);   /* the host is active */
	}
};

}  // namespace

/* ---- HLT exiting ---- */

TEST_F(RuleHlt, R23_HltExitingGivesExit12)
{
	Proc(CPU_BASED_HLT_EXITING);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_HLT);
	EXPECT_EQ(Get(GUEST_RIP), At(1));
	EXPECT_EQ(G(VM_EXIT_INSTRUCTION_LEN), 1u);
	EXPECT_EQ(G(GUEST_ACTIVITY_STATE), (uint32_t)GUEST_ACTIVITY_ACTIVE);
	EXPECT_EQ(Count(HW_HLT), 0);
	EXPECT_EQ(lp.cycle, 1000u + 3 + 1000);
}

TEST_F(RuleHlt, R23_HltWithoutExitingHaltsAndTimePasses)
{
	RunIntoHlt();
	EXPECT_EQ(lp.cycle, 1100u);
	EXPECT_EQ(vmx_lp_run(&lp, lp.cycle + 10000), VMX_RUN_LIMIT);
	EXPECT_EQ(lp.cycle, 11100u);
	EXPECT_EQ(lp.retired, 4u);
}

/* ---- External interrupts ---- */

TEST_F(RuleHlt, R23_ExternalInterruptWithIfSetWakesAndReturnsPastHlt)
{
	NoPin(PIN_BASED_EXT_INTR_MASK);
	Gate(0x30, 3);
	RunIntoHlt();
	vmx_lp_irq(&lp, 0x30);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(Get(GUEST_RIP), At(3));
	EXPECT_EQ(G(GUEST_ACTIVITY_STATE), (uint32_t)GUEST_ACTIVITY_ACTIVE);
	ASSERT_EQ(mem.depth, 1u);
	EXPECT_EQ(mem.stack[0].rip, At(2));   /* past the HLT */
	EXPECT_EQ(Count(HW_WAKE), 1);
	for (const auto &e : events) {
		if (e.kind == HW_WAKE) {
			EXPECT_EQ(e.new_state, (uint32_t)GUEST_ACTIVITY_HLT);
		}
	}
	/* Woken at the stimulus: 1100, then delivery 50, then the exit. */
	EXPECT_EQ(lp.cycle, 1100u + 50 + 1000);
}

TEST_F(RuleHlt, R23_ExternalInterruptExitWakesEvenWithIfClear)
{
	IfClear();
	RunIntoHlt();
	vmx_lp_irq(&lp, 0x30);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	ExpectExitFrom(EXIT_REASON_EXTERNAL_INTERRUPT, GUEST_ACTIVITY_HLT);
	EXPECT_EQ(Count(HW_WAKE), 1);
}

TEST_F(RuleHlt, R23_ExternalInterruptWithIfClearAndNoExitingDoesNotWake)
{
	NoPin(PIN_BASED_EXT_INTR_MASK);
	IfClear();
	Gate(0x30, 3);
	RunIntoHlt();
	vmx_lp_irq(&lp, 0x30);
	ExpectStillAsleep(GUEST_ACTIVITY_HLT);
	EXPECT_EQ(lapic_highest_irr(&lp.apic), 0x30);
	EXPECT_EQ(Count(HW_DELIVER), 0);
}

TEST_F(RuleHlt, R23_ExternalInterruptBelowTheInServiceClassDoesNotWake)
{
	/* The INTR line stays low while a higher class is in service. */
	NoPin(PIN_BASED_EXT_INTR_MASK);
	Gate(0x30, 3);
	lapic_accept(&lp.apic, 0x80);
	(void)lapic_ack(&lp.apic);   /* 0x80 in service */
	RunIntoHlt();
	vmx_lp_irq(&lp, 0x30);
	ExpectStillAsleep(GUEST_ACTIVITY_HLT);
}

/* ---- NMIs ---- */

TEST_F(RuleHlt, R23_NmiExitWakes)
{
	RunIntoHlt();
	vmx_lp_nmi(&lp);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	ExpectExitFrom(EXIT_REASON_EXCEPTION_NMI, GUEST_ACTIVITY_HLT);
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), 0x80000202u);
}

TEST_F(RuleHlt, R23_NmiExitWakesEvenWithIfClear)
{
	IfClear();
	RunIntoHlt();
	vmx_lp_nmi(&lp);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	ExpectExitFrom(EXIT_REASON_EXCEPTION_NMI, GUEST_ACTIVITY_HLT);
}

TEST_F(RuleHlt, R23_NmiDeliveryWakesAndReturnsPastHlt)
{
	NoPin(PIN_BASED_NMI_EXITING);
	IfClear();
	Gate(NMI_VECTOR, 3);
	RunIntoHlt();
	vmx_lp_nmi(&lp);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	ASSERT_EQ(mem.depth, 1u);
	EXPECT_EQ(mem.stack[0].rip, At(2));
	EXPECT_EQ(G(GUEST_ACTIVITY_STATE), (uint32_t)GUEST_ACTIVITY_ACTIVE);
}

TEST_F(RuleHlt, R23_BlockedNmiDoesNotWake)
{
	NoPin(PIN_BASED_NMI_EXITING);
	Gate(NMI_VECTOR, 3);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
	RunIntoHlt();
	vmx_lp_nmi(&lp);
	ExpectStillAsleep(GUEST_ACTIVITY_HLT);
	EXPECT_TRUE(lp.nmi_latched);
}

/* ---- Windows ---- */

TEST_F(RuleHlt, R23_InterruptWindowWakesWhenIfIsSet)
{
	Proc(CPU_BASED_INTR_WINDOW_EXITING);
	EnterIn(GUEST_ACTIVITY_HLT);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	ExpectExitFrom(EXIT_REASON_INTERRUPT_WINDOW, GUEST_ACTIVITY_HLT);
	EXPECT_EQ(lp.cycle, 2000u);
}

TEST_F(RuleHlt, R23_InterruptWindowDoesNotWakeWithIfClear)
{
	IfClear();
	Proc(CPU_BASED_INTR_WINDOW_EXITING);
	EnterIn(GUEST_ACTIVITY_HLT);
	ExpectStillAsleep(GUEST_ACTIVITY_HLT);
}

TEST_F(RuleHlt, R23_NmiWindowWakesWithoutVirtualNmiBlocking)
{
	Pin(PIN_BASED_VIRTUAL_NMIS);
	Proc(CPU_BASED_NMI_WINDOW_EXITING);
	EnterIn(GUEST_ACTIVITY_HLT);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	ExpectExitFrom(EXIT_REASON_NMI_WINDOW, GUEST_ACTIVITY_HLT);
}

TEST_F(RuleHlt, R23_NmiWindowDoesNotWakeUnderVirtualNmiBlocking)
{
	Pin(PIN_BASED_VIRTUAL_NMIS);
	Proc(CPU_BASED_NMI_WINDOW_EXITING);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
	EnterIn(GUEST_ACTIVITY_HLT);
	ExpectStillAsleep(GUEST_ACTIVITY_HLT);
}

/* ---- Preemption timer and MTF ---- */

TEST_F(RuleHlt, R23_PreemptionTimerWakes)
{
	Pin(PIN_BASED_VMX_PREEMPTION_TIMER);
	Set(VMX_PREEMPTION_TIMER_VALUE, 4);
	EnterIn(GUEST_ACTIVITY_HLT);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 100000), VMX_RUN_EXIT);
	ExpectExitFrom(EXIT_REASON_PREEMPTION_TIMER, GUEST_ACTIVITY_HLT);
	/* asleep until the deadline, not past it: the 4th change of TSC bit 5 after the entry (992 + 4 x 32) */
	EXPECT_EQ(lp.cycle, 992u + (4u << 5) + 1000);
}

TEST_F(RuleHlt, R23_PreemptionTimerWakesAHaltExecutedByTheGuest)
{
	Pin(PIN_BASED_VMX_PREEMPTION_TIMER);
	Set(VMX_PREEMPTION_TIMER_VALUE, 10);
	RunIntoHlt();
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 100000), VMX_RUN_EXIT);
	ExpectExitFrom(EXIT_REASON_PREEMPTION_TIMER, GUEST_ACTIVITY_HLT);
	EXPECT_EQ(lp.cycle, 992u + 320 + 1000);   /* ticks on TSC bit 5: the entry ended at 31 x 32 + 8 */
}

TEST_F(RuleHlt, R23_MtfExitAfterHltIsFromTheHltState)
{
	Proc(CPU_BASED_MONITOR_TRAP_FLAG);
	Program({Op(VMX_OP_HLT), Work(100)});
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_MONITOR_TRAP_FLAG);
	EXPECT_EQ(Get(GUEST_RIP), At(1));
	EXPECT_EQ(G(GUEST_ACTIVITY_STATE), (uint32_t)GUEST_ACTIVITY_HLT);
}

/* ---- Wait-for-SIPI and shutdown ---- */

TEST_F(RuleHlt, R23_NoNmiInterruptWindowOrTimerWakesWaitForSipi)
{
	Pin(PIN_BASED_VIRTUAL_NMIS | PIN_BASED_VMX_PREEMPTION_TIMER);
	Set(VMX_PREEMPTION_TIMER_VALUE, 0);   /* the timer does not exit from wait-for-SIPI */
	Proc(CPU_BASED_INTR_WINDOW_EXITING | CPU_BASED_NMI_WINDOW_EXITING);
	vmx_lp_irq(&lp, 0x30);
	vmx_lp_nmi(&lp);
	EnterIn(GUEST_ACTIVITY_WAIT_SIPI);
	ExpectStillAsleep(GUEST_ACTIVITY_WAIT_SIPI);
	EXPECT_TRUE(lp.nmi_latched);
	EXPECT_EQ(lapic_highest_irr(&lp.apic), 0x30);
}

TEST_F(RuleHlt, R23_NmiExitWakesShutdown)
{
	vmx_lp_nmi(&lp);
	EnterIn(GUEST_ACTIVITY_SHUTDOWN);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	ExpectExitFrom(EXIT_REASON_EXCEPTION_NMI, GUEST_ACTIVITY_SHUTDOWN);
}

TEST_F(RuleHlt, R23_PreemptionTimerWakesShutdown)
{
	Pin(PIN_BASED_VMX_PREEMPTION_TIMER);
	Set(VMX_PREEMPTION_TIMER_VALUE, 1);
	EnterIn(GUEST_ACTIVITY_SHUTDOWN);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 100000), VMX_RUN_EXIT);
	ExpectExitFrom(EXIT_REASON_PREEMPTION_TIMER, GUEST_ACTIVITY_SHUTDOWN);
}

TEST_F(RuleHlt, R23_ShutdownIgnoresInterruptsAndTheInterruptWindow)
{
	Proc(CPU_BASED_INTR_WINDOW_EXITING);
	vmx_lp_irq(&lp, 0x30);
	EnterIn(GUEST_ACTIVITY_SHUTDOWN);
	ExpectStillAsleep(GUEST_ACTIVITY_SHUTDOWN);
}

/* ---- Exits during the delivery of a waking event (indirect exits) ---- */

TEST_F(RuleHlt, R23_ExitDuringDeliveryOfAWakingInterruptSavesTheActiveState)
{
	/* SDM "VM Exits": an event that causes an exit indirectly first returns the processor to active. */
	NoPin(PIN_BASED_EXT_INTR_MASK);
	Gate(0x30, 3);
	RunIntoHlt();
	mem.stack_not_present = true;
	vmx_lp_irq(&lp, 0x30);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	ExpectExitFrom(EXIT_REASON_EPT_VIOLATION, GUEST_ACTIVITY_ACTIVE);
	EXPECT_EQ(G(IDT_VECTORING_INFO_FIELD), 0x80000030u);
}

TEST_F(RuleHlt, R23_NpExitWhileDeliveringAWakingNmiSavesTheActiveState)
{
	NoPin(PIN_BASED_NMI_EXITING);
	Set(EXCEPTION_BITMAP, 1u << NP_VECTOR);
	RunIntoHlt();
	vmx_lp_nmi(&lp);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	ExpectExitFrom(EXIT_REASON_EXCEPTION_NMI, GUEST_ACTIVITY_ACTIVE);
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), 0x80000b0bu);
	EXPECT_EQ(G(IDT_VECTORING_INFO_FIELD), 0x80000202u);
}

TEST_F(RuleHlt, R23_TripleFaultWhileDeliveringAWakingInterruptSavesTheActiveState)
{
	NoPin(PIN_BASED_EXT_INTR_MASK);
	RunIntoHlt();
	vmx_lp_irq(&lp, 0x30);   /* gates 0x30, 11 and 8 absent */
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	ExpectExitFrom(EXIT_REASON_TRIPLE_FAULT, GUEST_ACTIVITY_ACTIVE);
}
