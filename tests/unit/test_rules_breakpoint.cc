// SPDX-License-Identifier: Apache-2.0
/*
 * Instruction breakpoints and the debug registers of the processor model
 * (model/hw/breakpoint.c): the #DB fault before the instruction at R24
 * level 7, RFLAGS.RF, DR6 on delivery and not on a VM exit, the #DB exit's
 * qualification, GUEST_DR7 with the debug controls (R12's area), MOV DR and
 * MOV-DR exiting, and the DR7 settings refused as not modelled.
 */
#include "debugreg_insns.h"
#include "vmcs/x86_debugreg.h"

namespace {

constexpr uint32_t kDbFaultInfo = 0x80000301u;   // valid, hardware exception, vector 1
constexpr uint64_t kDr7Bp0 = 0x401;              // L0: breakpoint 0, instruction, LEN 00

class RuleBreakpoint : public HwTest {
protected:
	void ExitOnDb() { SetBits(EXCEPTION_BITMAP, 1u << DB_VECTOR); }

	/* Breakpoint 0 on instruction i, loaded with the debug controls. */
	void BreakAt(size_t i)
	{
		lp.dr[0] = At(i);
		SetBits(VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_DEBUG_CONTROLS);
		Set(GUEST_DR7, kDr7Bp0);
	}

	void ExpectBreakpointExit(uint64_t rip, uint64_t qual)
	{
		EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_EXCEPTION_NMI);
		EXPECT_EQ(Get(VM_EXIT_INTR_INFO), kDbFaultInfo);
		EXPECT_EQ(Get(EXIT_QUALIFICATION), qual);
		EXPECT_EQ(Get(GUEST_RIP), rip);
		EXPECT_EQ(Get(GUEST_PENDING_DBG_EXCEPTIONS), 0u);   // a fault: nothing pending
	}
};

TEST_F(RuleBreakpoint, R24_CodeBreakpointExitsBeforeTheInstructionWithB0AndLeavesDr6)
{
	// 0 nop, 1 nop (breakpoint), 2 vmcall
	Program({Op(VMX_OP_NOP), Op(VMX_OP_NOP), Op(VMX_OP_VMCALL)});
	BreakAt(1);
	ExitOnDb();
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectBreakpointExit(At(1), 0x1);   // B0; the breakpointed nop has not run
	EXPECT_EQ(lp.retired, 1u);          // the first nop (the fixture's entry retires nothing)
	EXPECT_EQ(lp.dr6, (uint64_t)DR6_FIXED_1);   // a #DB that exits does not write DR6
	EXPECT_EQ(Get(GUEST_DR7), kDr7Bp0);         // saved with the save-debug-controls exit control
	EXPECT_EQ(lp.dr7, (uint64_t)DR7_FIXED_1);   // and 400H after the exit
}

TEST_F(RuleBreakpoint, R24_CodeBreakpointDeliveredWritesDr6AndReturnsToTheInstruction)
{
	// 0 nop, 1 vmcall (breakpoint) | #DB handler: 2 rbx = DR6, 3 DR7 = 400H, 4 iret
	Program({Op(VMX_OP_NOP), Op(VMX_OP_VMCALL), MovFromDr(3, 6), MovToDr(7, 0x400), Op(VMX_OP_IRET)});
	Gate(DB_VECTOR, 2);
	BreakAt(1);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(Delivered(), (std::vector<uint32_t>{DB_VECTOR}));
	EXPECT_EQ(Of(HW_DELIVER)[0].intr_info, kDbFaultInfo);
	EXPECT_EQ(mem.gpr[3], (uint64_t)DR6_FIXED_1 | 0x1);   // B0 in DR6
	EXPECT_EQ(mem.stack[0].rip, At(1));                   // a fault: the frame returns to the instruction
	EXPECT_EQ(mem.stack[0].rflags & X86_EFLAGS_RF, 0u);   // #DB pushes RF as it was (0)
	// With DR7 cleared, the IRET's return runs the vmcall.
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(Get(GUEST_RIP), At(1));
}

TEST_F(RuleBreakpoint, R24_RfSuppressesTheBreakpointForOneInstruction)
{
	// 0 nop (breakpoint), 1 jmp 0
	Program({Op(VMX_OP_NOP), Op(VMX_OP_JMP)});
	code[1].arg = At(0);
	BreakAt(0);
	ExitOnDb();
	SetBits(GUEST_RFLAGS, X86_EFLAGS_RF);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	// RF = 1 from the entry let the nop run once; it cleared RF, so the jmp's return stops.
	ExpectBreakpointExit(At(0), 0x1);
	EXPECT_EQ(lp.retired, 2u);   // nop, jmp
	EXPECT_EQ(Get(GUEST_RFLAGS) & X86_EFLAGS_RF, 0u);
}

TEST_F(RuleBreakpoint, R24_FaultOtherThanDbSetsRfInItsFrameAndItsExit)
{
	// 0 ud2 | #UD handler: 1 vmcall
	Program({Op(VMX_OP_UD2), Op(VMX_OP_VMCALL)});
	Gate(UD_VECTOR, 1);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(mem.stack[0].rflags & X86_EFLAGS_RF, X86_EFLAGS_RF);
	EXPECT_EQ(lp.retired, 0u);   // ud2 did not complete
	// The same fault as a VM exit saves RF = 1 (what it would have pushed).
	Use("nehalem");
	Program({Op(VMX_OP_UD2)});
	SetBits(EXCEPTION_BITMAP, 1u << UD_VECTOR);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(Get(VM_EXIT_INTR_INFO), 0x80000306u);
	EXPECT_EQ(Get(GUEST_RFLAGS) & X86_EFLAGS_RF, X86_EFLAGS_RF);
}

TEST_F(RuleBreakpoint, R24_NmiAndInterruptExitsComeBeforeTheBreakpoint)
{
	Program({Op(VMX_OP_NOP), Op(VMX_OP_VMCALL)});
	BreakAt(0);
	ExitOnDb();
	SetBits(VM_EXIT_CONTROLS, VM_EXIT_ACK_INTR_ON_EXIT);
	vmx_lp_nmi(&lp);
	vmx_lp_irq(&lp, 0x40);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	// 5 (NMI) before 7 (the code breakpoint), at the guest's first boundary.
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_EXCEPTION_NMI);
	EXPECT_EQ(Get(VM_EXIT_INTR_INFO), 0x80000202u);
	EXPECT_EQ(Get(GUEST_RIP), At(0));
	// Then 6 (the external interrupt, exiting).
	ASSERT_EQ(vmx_lp_vmentry(&lp, false), VMX_ENTRY_OK) << LastCheck();
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 10000), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_EXTERNAL_INTERRUPT);
	EXPECT_EQ(Get(GUEST_RIP), At(0));
	// Then the breakpoint.
	ASSERT_EQ(vmx_lp_vmentry(&lp, false), VMX_ENTRY_OK) << LastCheck();
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 10000), VMX_RUN_EXIT);
	ExpectBreakpointExit(At(0), 0x1);
}

TEST_F(RuleBreakpoint, R24_DeliveredInterruptComesBeforeTheBreakpointItsHandlerReturnsToIt)
{
	// 0 nop (breakpoint), 1 vmcall | vector 0x40: 2 iret
	Program({Op(VMX_OP_NOP), Op(VMX_OP_VMCALL), Op(VMX_OP_IRET)});
	Gate(0x40, 2);
	ClearBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_EXT_INTR_MASK);
	BreakAt(0);
	ExitOnDb();
	vmx_lp_irq(&lp, 0x40);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(Delivered(), (std::vector<uint32_t>{0x40}));
	ExpectBreakpointExit(At(0), 0x1);
}

TEST_F(RuleBreakpoint, R24_MtfAndTimerExitsComeBeforeTheBreakpoint)
{
	Program({Op(VMX_OP_NOP), Op(VMX_OP_NOP), Op(VMX_OP_VMCALL)});
	BreakAt(1);
	ExitOnDb();
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_MONITOR_TRAP_FLAG);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	// 3.5: the MTF exit after the first nop, at the breakpointed boundary.
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_MONITOR_TRAP_FLAG);
	EXPECT_EQ(Get(GUEST_RIP), At(1));
	// 4.3: a preemption timer at 0 exits before the breakpoint too.
	ClearBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_MONITOR_TRAP_FLAG);
	SetBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VMX_PREEMPTION_TIMER);
	Set(VMX_PREEMPTION_TIMER_VALUE, 0);
	ASSERT_EQ(vmx_lp_vmentry(&lp, false), VMX_ENTRY_OK) << LastCheck();
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 10000), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_PREEMPTION_TIMER);
	EXPECT_EQ(Get(GUEST_RIP), At(1));
	ClearBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VMX_PREEMPTION_TIMER);
	ASSERT_EQ(vmx_lp_vmentry(&lp, false), VMX_ENTRY_OK) << LastCheck();
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 10000), VMX_RUN_EXIT);
	ExpectBreakpointExit(At(1), 0x1);
}

TEST_F(RuleBreakpoint, R24_SingleStepTrapComesFirstThenTheBreakpointApart)
{
	// 0 nop, 1 vmcall (breakpoint)
	Program({Op(VMX_OP_NOP), Op(VMX_OP_VMCALL)});
	BreakAt(1);
	ExitOnDb();
	SetBits(GUEST_RFLAGS, X86_EFLAGS_TF);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	// The trap of the nop (level 4), BS alone: the next instruction's breakpoint is not folded in.
	ExpectBreakpointExit(At(1), DR6_BS);
	// Resumed at the same boundary: the fault (7).
	ASSERT_EQ(vmx_lp_vmentry(&lp, false), VMX_ENTRY_OK) << LastCheck();
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 10000), VMX_RUN_EXIT);
	ExpectBreakpointExit(At(1), 0x1);
}

TEST_F(RuleBreakpoint, R24_NoBreakpointInTheMovSsShadow)
{
	// 0 mov ss, 1 nop (breakpoint, inhibited), 2 vmcall
	Program({Op(VMX_OP_MOV_SS), Op(VMX_OP_NOP), Op(VMX_OP_VMCALL)});
	BreakAt(1);
	ExitOnDb();
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
}

TEST_F(RuleBreakpoint, R24_DisabledOrOtherAddressDoesNotStopWorkBlocksStopExactly)
{
	// 0 work 10 (a breakpoint on its 6th unit), 1 vmcall
	Program({Work(10), Op(VMX_OP_VMCALL)});
	lp.dr[1] = At(0) + 5;
	lp.dr[0] = At(0) + 5;
	SetBits(VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_DEBUG_CONTROLS);
	Set(GUEST_DR7, 0x408);   // G1 only; B0 matches too and is reported with it
	ExitOnDb();
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectBreakpointExit(At(0) + 5, 0x3);
	Set(GUEST_DR7, 0x400);   // nothing enabled: the block runs through
	ASSERT_EQ(vmx_lp_vmentry(&lp, false), VMX_ENTRY_OK) << LastCheck();
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 100000), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
}

TEST_F(RuleBreakpoint, R12_Dr7LoadedAtEntrySavedAtExitReservedHalfFailsTheEntry)
{
	Program({Op(VMX_OP_VMCALL)});
	SetBits(VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_DEBUG_CONTROLS);
	SetBits(VM_EXIT_CONTROLS, VM_EXIT_SAVE_DEBUG_CONTROLS);
	Set(GUEST_DR7, 0x4aa);   // L1..L3 on other addresses: enabled, never matched
	lp.dr[0] = lp.dr[1] = lp.dr[2] = lp.dr[3] = 0x9000;
	ASSERT_EQ(Launch(), VMX_ENTRY_OK) << LastCheck();
	EXPECT_EQ(lp.dr7, 0x4aau);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 10000), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(Get(GUEST_DR7), 0x4aau);
	EXPECT_EQ(lp.dr7, (uint64_t)DR7_FIXED_1);
	EXPECT_EQ(lp.dr[0], 0x9000u);   // DR0-DR3 are not switched
	// 26.3.1.1: bits 63:32 of the field must be 0 with the load-debug-controls control.
	Set(GUEST_DR7, 0x100000400ull);
	EXPECT_EQ(vmx_lp_vmentry(&lp, false), VMX_ENTRY_FAILED);
	EXPECT_EQ(ExitReason(), 0x80000021u);
}

TEST_F(RuleBreakpoint, R12_MovDrReadsAndWritesTheRegistersAndFaultsOnReservedBits)
{
	// 0 DR0 = 0x1234 (RAX), 1 rbx = DR0, 2 rcx = DR7, 3 DR7 = rdx (bit 32: #GP) | #GP: 4 vmcall
	Program({MovToDr(0, 0x1234), MovFromDr(3, 0), MovFromDr(1, 7), MovToDrReg(7, 2), Op(VMX_OP_VMCALL)});
	Gate(GP_VECTOR, 4);
	mem.gpr[2] = 0x100000400ull;
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(lp.dr[0], 0x1234u);
	EXPECT_EQ(mem.gpr[3], 0x1234u);
	EXPECT_EQ(mem.gpr[1], 0x400u);      // GUEST_DR7 0 as loaded: bit 10 reads as 1
	EXPECT_EQ(Delivered(), (std::vector<uint32_t>{GP_VECTOR}));
	EXPECT_EQ(mem.stack[0].rip, At(3));
	EXPECT_EQ(vmx_insn_length(&code[3]), 3u);
}

TEST_F(RuleBreakpoint, R12_MovDrExitingExitsWithTheRegisterAndDirection)
{
	// 0 DR7 = rbx, 1 rsi = DR6
	Program({MovToDrReg(7, 3), MovFromDr(6, 6)});
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_MOV_DR_EXITING);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_DR_ACCESS);
	EXPECT_EQ(Get(EXIT_QUALIFICATION), 7u | 3u << 8);   // DR7, to, RBX
	EXPECT_EQ(Get(VM_EXIT_INSTRUCTION_LEN), 3u);
	EXPECT_EQ(Get(GUEST_RIP), At(0));
	Set(GUEST_RIP, At(1));
	ASSERT_EQ(vmx_lp_vmentry(&lp, false), VMX_ENTRY_OK) << LastCheck();
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 10000), VMX_RUN_EXIT);
	EXPECT_EQ(Get(EXIT_QUALIFICATION), 6u | 0x10u | 6u << 8);   // DR6, from, RSI
}

TEST_F(RuleBreakpoint, R12_DataBreakpointsOutsideTheDataAreaAndUndefinedEncodingsAreNotModelled)
{
	const uint64_t reset[4] = {0, 0, 0, 0};
	const uint64_t in_area[4] = {VMX_DATA_BASE, VMX_DATA_BASE + 8, VMX_DATA_BASE + 0x3c, VMX_DATA_BASE + 0x40};
	// Instruction LEN 01, I/O LEN 10: undefined whatever CR4.DE and DR0-DR3 are.
	for (uint64_t dr7 : {0x40401ull, 0xa0401ull}) {
		SCOPED_TRACE(dr7);
		EXPECT_NE(dr7_not_modelled_any_cr4(dr7), nullptr);
		EXPECT_NE(dr7_not_modelled(dr7, in_area, X86_CR4_DE), nullptr);
	}
	// Data (R/W 01, 11): not a question of DR7 alone; run inside the data area, refused outside it.
	for (uint64_t dr7 : {0x10401ull, 0x30401ull, 0xb0401ull /* LEN 10: 8 bytes */}) {
		SCOPED_TRACE(dr7);
		EXPECT_EQ(dr7_not_modelled_any_cr4(dr7), nullptr);
		EXPECT_EQ(dr7_not_modelled(dr7, in_area, 0), nullptr);
		EXPECT_NE(dr7_not_modelled(dr7, reset, 0), nullptr);
	}
	// DR2 at the last dword: LEN 11 fits, LEN 10 (8 bytes, aligned down to +0x38) fits; DR3 is past the end.
	EXPECT_EQ(dr7_not_modelled(0xd000420, in_area, 0), nullptr);
	EXPECT_EQ(dr7_not_modelled(0x9000420, in_area, 0), nullptr);
	EXPECT_NE(dr7_not_modelled(0x10000480, in_area, 0), nullptr);
	// R/W 10 is an I/O breakpoint with CR4.DE = 1, undefined without it.
	EXPECT_EQ(dr7_not_modelled(0x20401, reset, X86_CR4_DE), nullptr);
	EXPECT_NE(dr7_not_modelled(0x20401, reset, 0), nullptr);
	EXPECT_EQ(dr7_not_modelled_any_cr4(0x20401), nullptr);
	EXPECT_EQ(dr7_not_modelled(0x2400, reset, 0), nullptr);         // general detect is modelled
	EXPECT_EQ(dr7_not_modelled(0x30400, reset, 0), nullptr);        // R/W 11 of a disabled breakpoint
	EXPECT_EQ(dr7_not_modelled(0x4ff, reset, 0), nullptr);
	// At a MOV DR7 with DR0 outside the data area: the processor stops there and says so.
	Program({MovToDr(7, 0x10401), Op(VMX_OP_VMCALL)});
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_NOT_MODELLED);
	EXPECT_NE(LastCheck().find("a data breakpoint outside the data area"), std::string::npos);
	// And at the MOV that moves an enabled data breakpoint's address out of it.
	Use("nehalem");
	Program({MovToDr(0, VMX_DATA_BASE), MovToDr(7, 0x10401), MovToDr(0, 0x5000), Op(VMX_OP_VMCALL)});
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_NOT_MODELLED);
	EXPECT_EQ(lp.ctx.rip, At(2));
	EXPECT_NE(LastCheck().find("a data breakpoint outside the data area"), std::string::npos);
	// An I/O encoding in a guest without CR4.DE (the VMCS default): refused at the MOV too.
	Use("nehalem");
	Program({MovToDr(7, 0x20401), Op(VMX_OP_VMCALL)});
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_NOT_MODELLED);
	EXPECT_NE(LastCheck().find("CR4.DE = 0"), std::string::npos);
}

TEST_F(RuleBreakpoint, R12_SingleStepTrapDeliveredWritesBsToDr6)
{
	// 0 nop, 1 vmcall | #DB handler: 2 vmcall
	Program({Op(VMX_OP_NOP), Op(VMX_OP_VMCALL), Op(VMX_OP_VMCALL)});
	Gate(DB_VECTOR, 2);
	SetBits(GUEST_RFLAGS, X86_EFLAGS_TF);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(Get(GUEST_RIP), At(2));
	EXPECT_EQ(lp.dr6, (uint64_t)DR6_FIXED_1 | DR6_BS);
}

}  // namespace
