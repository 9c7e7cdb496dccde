// SPDX-License-Identifier: Apache-2.0
/*
 * Debug-exception traps of the processor model (model/hw/debug.c): RFLAGS.TF
 * single-stepping, the pending-debug-exceptions field at VM entry and exit,
 * their place in the priority order (R24 level 4), HLT (R23), and the R12
 * entry check's companion: what an exit saves passes it again.
 */
#include "hw_fixture.h"

namespace {

constexpr uint32_t kDbTrapInfo = 0x80000301u;   // valid, hardware exception, vector 1

class RuleDebug : public HwTest {
protected:
	void SingleStep() { SetBits(GUEST_RFLAGS, X86_EFLAGS_TF); }
	void ExitOnDb() { SetBits(EXCEPTION_BITMAP, 1u << DB_VECTOR); }

	void ExpectDbExit(uint64_t rip, uint64_t qual)
	{
		EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_EXCEPTION_NMI);
		EXPECT_EQ(Get(VM_EXIT_INTR_INFO), kDbTrapInfo);
		EXPECT_EQ(Get(EXIT_QUALIFICATION), qual);
		EXPECT_EQ(Get(GUEST_RIP), rip);
		EXPECT_EQ(Get(GUEST_PENDING_DBG_EXCEPTIONS), 0u);   // a #DB exit saves nothing pending
	}
};

TEST_F(RuleDebug, SingleStepTrapExitsWithBsInTheQualification)
{
	Program({Op(VMX_OP_NOP), Op(VMX_OP_NOP), Op(VMX_OP_VMCALL)});
	SingleStep();
	ExitOnDb();
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	// After the first instruction, not before it: TF was loaded, not set by an instruction of the guest.
	ExpectDbExit(At(1), PENDING_DBG_BS);
	EXPECT_EQ(Get(GUEST_RFLAGS) & X86_EFLAGS_TF, X86_EFLAGS_TF);
}

TEST_F(RuleDebug, SingleStepTrapDeliveredThroughTheIdtClearsTfAndIretRestoresIt)
{
	// 0 nop, 1 nop, 2 vmcall | handler: 3 iret
	Program({Op(VMX_OP_NOP), Op(VMX_OP_NOP), Op(VMX_OP_VMCALL), Op(VMX_OP_IRET)});
	Gate(DB_VECTOR, 3);
	SingleStep();
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(Get(GUEST_RIP), At(2));
	// A #DB after each nop; the handler (TF = 0) is not stepped; the IRET that restores TF takes no trap.
	EXPECT_EQ(Delivered(), (std::vector<uint32_t>{DB_VECTOR, DB_VECTOR}));
	for (const auto &e : events) {
		if (e.kind == HW_DELIVER) {
			EXPECT_EQ(e.intr_info, kDbTrapInfo);
		}
	}
}

TEST_F(RuleDebug, R24_SingleStepTrapBelowMtfAboveTimer)
{
	Program({Op(VMX_OP_NOP), Op(VMX_OP_NOP), Op(VMX_OP_VMCALL)});
	SingleStep();
	ExitOnDb();
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_MONITOR_TRAP_FLAG);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	// 3.5 before 4: the MTF exit saves the trap in the pending-debug-exceptions field.
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_MONITOR_TRAP_FLAG);
	EXPECT_EQ(Get(GUEST_RIP), At(1));
	EXPECT_EQ(Get(GUEST_PENDING_DBG_EXCEPTIONS), PENDING_DBG_BS);

	// Resumed with a preemption timer at 0 (4.3): the field's trap (4) comes first.
	ClearBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_MONITOR_TRAP_FLAG);
	SetBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VMX_PREEMPTION_TIMER);
	Set(VMX_PREEMPTION_TIMER_VALUE, 0);
	ASSERT_EQ(vmx_lp_vmentry(&lp, false), VMX_ENTRY_OK) << LastCheck();
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 10000), VMX_RUN_EXIT);
	ExpectDbExit(At(1), PENDING_DBG_BS);

	// Then the timer, before the guest's next instruction.
	ASSERT_EQ(vmx_lp_vmentry(&lp, false), VMX_ENTRY_OK) << LastCheck();
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 10000), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_PREEMPTION_TIMER);
	EXPECT_EQ(Get(GUEST_RIP), At(1));
}

TEST_F(RuleDebug, R24_SingleStepTrapBeforeNmi)
{
	// 0 nop, 1 vmcall | #DB handler: 2 nop
	Program({Op(VMX_OP_NOP), Op(VMX_OP_VMCALL), Op(VMX_OP_NOP)});
	Gate(DB_VECTOR, 2);
	SingleStep();
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1), VMX_RUN_LIMIT);   // the first nop, trap pending
	ASSERT_EQ(lp.ctx.rip, At(1));
	vmx_lp_nmi(&lp);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 10000), VMX_RUN_EXIT);
	// The trap (4) is delivered first; the NMI (5) exits at the handler's first boundary.
	EXPECT_EQ(Delivered(), (std::vector<uint32_t>{DB_VECTOR}));
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_EXCEPTION_NMI);
	EXPECT_EQ(Get(VM_EXIT_INTR_INFO), 0x80000202u);
	EXPECT_EQ(Get(GUEST_RIP), At(2));
	EXPECT_EQ(Get(GUEST_RFLAGS) & X86_EFLAGS_TF, 0u);
	EXPECT_EQ(mem.stack[0].rip, At(1));
	EXPECT_EQ(mem.stack[0].rflags & X86_EFLAGS_TF, X86_EFLAGS_TF);
}

TEST_F(RuleDebug, R12_PendingDebugBsDeliveredBeforeFirstInstruction)
{
	// 0 vmcall | #DB handler: 1 vmcall
	Program({Op(VMX_OP_VMCALL), Op(VMX_OP_VMCALL)});
	Gate(DB_VECTOR, 1);
	Set(GUEST_PENDING_DBG_EXCEPTIONS, PENDING_DBG_BS);
	uint64_t retired = lp.retired;
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(Delivered(), (std::vector<uint32_t>{DB_VECTOR}));
	EXPECT_EQ(mem.stack[0].rip, At(0));   // the frame returns to the first instruction
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(Get(GUEST_RIP), At(1));
	EXPECT_EQ(lp.retired, retired);       // the exiting VMCALL is the first instruction executed
}

TEST_F(RuleDebug, PendingBreakpointBitsNeedTheEnabledBreakpointBit)
{
	Program({Op(VMX_OP_VMCALL)});
	ExitOnDb();
	Set(GUEST_PENDING_DBG_EXCEPTIONS, 0x1001);   // B0 with bit 12: a data breakpoint matched
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectDbExit(At(0), 0x1);
	// B0 without bit 12 is no pending exception.
	Set(GUEST_PENDING_DBG_EXCEPTIONS, 0x1);
	ASSERT_EQ(vmx_lp_vmentry(&lp, false), VMX_ENTRY_OK);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 10000), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
}

TEST_F(RuleDebug, InjectionDiscardsThePendingDebugExceptions)
{
	// 0 vmcall | vector 0x20's handler: 1 vmcall
	Program({Op(VMX_OP_VMCALL), Op(VMX_OP_VMCALL)});
	Gate(0x20, 1);
	ExitOnDb();
	Set(GUEST_PENDING_DBG_EXCEPTIONS, PENDING_DBG_BS);
	Set(VM_ENTRY_INTR_INFO_FIELD, intr_info_make(INTR_TYPE_EXT_INTR, 0x20, false));
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(Get(GUEST_RIP), At(1));
}

TEST_F(RuleDebug, NothingIsPendingAfterAnEntryIntoShutdown)
{
	Program({Op(VMX_OP_VMCALL)});
	ExitOnDb();
	SetBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VMX_PREEMPTION_TIMER);
	Set(VMX_PREEMPTION_TIMER_VALUE, 0);
	Set(GUEST_PENDING_DBG_EXCEPTIONS, PENDING_DBG_BS);
	Set(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_SHUTDOWN);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_PREEMPTION_TIMER);   // the timer wakes shutdown, no #DB
	EXPECT_EQ(Get(GUEST_PENDING_DBG_EXCEPTIONS), 0u);
}

TEST_F(RuleDebug, R23_PendingDebugExceptionWakesHlt)
{
	// 0 vmcall (never reached) | #DB handler: 1 vmcall
	Program({Op(VMX_OP_VMCALL), Op(VMX_OP_VMCALL)});
	Gate(DB_VECTOR, 1);
	// R12: under HLT, BS must equal TF (DEBUGCTL.BTF = 0): a HLT executed with TF set.
	SingleStep();
	Set(GUEST_PENDING_DBG_EXCEPTIONS, PENDING_DBG_BS);
	Set(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_HLT);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(Count(HW_WAKE), 1);
	EXPECT_EQ(Delivered(), (std::vector<uint32_t>{DB_VECTOR}));
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(Get(GUEST_RIP), At(1));

	// Exiting on #DB: the exit is caused by the event and saves the HLT state.
	Use("nehalem");
	Program({Op(VMX_OP_VMCALL)});
	SingleStep();
	ExitOnDb();
	Set(GUEST_PENDING_DBG_EXCEPTIONS, PENDING_DBG_BS);
	Set(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_HLT);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectDbExit(At(0), PENDING_DBG_BS);
	EXPECT_EQ(Get(GUEST_ACTIVITY_STATE), (uint64_t)GUEST_ACTIVITY_HLT);
}

TEST_F(RuleDebug, HltWithTfTrapsRightAway)
{
	Program({Op(VMX_OP_HLT), Op(VMX_OP_VMCALL)});
	SingleStep();
	ExitOnDb();
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectDbExit(At(1), PENDING_DBG_BS);
	EXPECT_EQ(Get(GUEST_ACTIVITY_STATE), (uint64_t)GUEST_ACTIVITY_HLT);
}

TEST_F(RuleDebug, MovSsHoldsTheTrapForOneInstructionStiDoesNot)
{
	Program({Op(VMX_OP_MOV_SS), Op(VMX_OP_NOP), Op(VMX_OP_NOP), Op(VMX_OP_VMCALL)});
	SingleStep();
	ExitOnDb();
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectDbExit(At(2), PENDING_DBG_BS);   // one #DB for MOV SS and the nop after it
	EXPECT_EQ(Count(HW_VMEXIT), 1);

	Use("nehalem");
	Program({Op(VMX_OP_STI), Op(VMX_OP_NOP), Op(VMX_OP_VMCALL)});
	Set(GUEST_RFLAGS, X86_EFLAGS_FIXED | X86_EFLAGS_TF);   // IF = 0: STI blocks interrupts
	ExitOnDb();
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectDbExit(At(1), PENDING_DBG_BS);
	EXPECT_EQ(Get(GUEST_INTERRUPTIBILITY_INFO), (uint64_t)GUEST_INTR_STATE_STI);
}

TEST_F(RuleDebug, ExitWhileMovSsHoldsTheTrapSavesIt)
{
	Program({Op(VMX_OP_MOV_SS), Op(VMX_OP_HLT), Op(VMX_OP_VMCALL)});
	SingleStep();
	ExitOnDb();
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_HLT_EXITING);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_HLT);
	EXPECT_EQ(Get(GUEST_RIP), At(1));
	EXPECT_EQ(Get(GUEST_INTERRUPTIBILITY_INFO), (uint64_t)GUEST_INTR_STATE_MOV_SS);
	EXPECT_EQ(Get(GUEST_PENDING_DBG_EXCEPTIONS), PENDING_DBG_BS);

	// What was saved passes R12 (MOV-SS blocking with TF: BS = 1); resumed at the HLT, the trap
	// of MOV SS and HLT comes after it (an emulating hypervisor would skip the HLT instead).
	ClearBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_HLT_EXITING);
	ASSERT_EQ(vmx_lp_vmentry(&lp, false), VMX_ENTRY_OK) << LastCheck();
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 10000), VMX_RUN_EXIT);
	ExpectDbExit(At(2), PENDING_DBG_BS);
}

TEST_F(RuleDebug, InstructionExitWithTfSavesNothing)
{
	Program({Op(VMX_OP_VMCALL)});
	SingleStep();
	ExitOnDb();
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(Get(GUEST_PENDING_DBG_EXCEPTIONS), 0u);
}

TEST_F(RuleDebug, SingleStepUnderMtfMtfFirstThenTheTrapThenMtfAfterItsDelivery)
{
	// 0 nop, 1 vmcall | #DB handler: 2 vmcall
	Program({Op(VMX_OP_NOP), Op(VMX_OP_VMCALL), Op(VMX_OP_VMCALL)});
	Gate(DB_VECTOR, 2);
	SingleStep();
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_MONITOR_TRAP_FLAG);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_MONITOR_TRAP_FLAG);
	EXPECT_EQ(Get(GUEST_RIP), At(1));
	EXPECT_EQ(Get(GUEST_PENDING_DBG_EXCEPTIONS), PENDING_DBG_BS);
	ASSERT_EQ(vmx_lp_vmentry(&lp, false), VMX_ENTRY_OK);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 10000), VMX_RUN_EXIT);
	// The field's #DB is delivered before any instruction; MTF exits after the delivery.
	EXPECT_EQ(Delivered(), (std::vector<uint32_t>{DB_VECTOR}));
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_MONITOR_TRAP_FLAG);
	EXPECT_EQ(Get(GUEST_RIP), At(2));
	EXPECT_EQ(Get(GUEST_PENDING_DBG_EXCEPTIONS), 0u);
	EXPECT_EQ(Get(GUEST_RFLAGS) & X86_EFLAGS_TF, 0u);
}

TEST_F(RuleDebug, SoftwareInterruptsAndFaultsTakeNoTrapTheirHandlerRunsWithoutTf)
{
	for (vmx_op op : {VMX_OP_INT3, VMX_OP_INT1, VMX_OP_UD2}) {
		SCOPED_TRACE(op);
		Use("nehalem");
		events.clear();
		// 0 the instruction, 1 vmcall | handler: 2 vmcall
		Program({Op(op), Op(VMX_OP_VMCALL), Op(VMX_OP_VMCALL)});
		Gate(BP_VECTOR, 2);
		Gate(DB_VECTOR, 2);
		Gate(UD_VECTOR, 2);
		SingleStep();
		ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
		EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
		EXPECT_EQ(Get(GUEST_RIP), At(2));
		EXPECT_EQ(Delivered().size(), 1u);
		EXPECT_EQ(Get(GUEST_RFLAGS) & X86_EFLAGS_TF, 0u);
	}
}

TEST_F(RuleDebug, Int1StaysAPrivilegedSoftwareExceptionUnderTf)
{
	Program({Op(VMX_OP_INT1), Op(VMX_OP_VMCALL)});
	SingleStep();
	ExitOnDb();
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_EXCEPTION_NMI);
	EXPECT_EQ(Get(VM_EXIT_INTR_INFO), 0x80000501u);   // type 5, not the single-step trap
	EXPECT_EQ(Get(EXIT_QUALIFICATION), 0u);
	EXPECT_EQ(Get(GUEST_RIP), At(0));
	EXPECT_EQ(Get(GUEST_PENDING_DBG_EXCEPTIONS), 0u);
}

TEST_F(RuleDebug, InitExitSavesTheTrap)
{
	Program({Op(VMX_OP_NOP), Op(VMX_OP_VMCALL)});
	SingleStep();
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1), VMX_RUN_LIMIT);
	vmx_lp_init_signal(&lp);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 10000), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_INIT_SIGNAL);   // R24 3 before 4
	EXPECT_EQ(Get(GUEST_PENDING_DBG_EXCEPTIONS), PENDING_DBG_BS);
}

TEST_F(RuleDebug, WorkBlocksAreSteppedOneInstructionAtATime)
{
	Program({Work(5), Op(VMX_OP_VMCALL)});
	SingleStep();
	ExitOnDb();
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectDbExit(At(0) + 1, PENDING_DBG_BS);
}

} // namespace
