// SPDX-License-Identifier: Apache-2.0
/*
 * CR4.DE, I/O breakpoints and general detect in the processor model
 * (model/hw/breakpoint.c, debug.c; rules R12, R24): the CR4 the processor
 * keeps across entries and exits, MOV DR4/DR5 (#UD or aliases), the I/O
 * breakpoint trap after IN and OUT at R24 level 4 (alone, with BS, held by
 * MOV SS, saved with bit 12, as a VM exit or through the IDT), and the
 * general-detect #DB fault with its order against MOV-DR exiting, #UD and
 * #GP.
 */
#include "debugreg_insns.h"
#include "refused_run.h"
#include "vmcs/vmcs.h"
#include "vmcs/x86_debugreg.h"

namespace {

constexpr uint32_t kDbInfo = 0x80000301u;       // valid, hardware exception, vector 1
constexpr uint32_t kUdInfo = 0x80000306u;       // valid, hardware exception, vector 6
constexpr uint64_t kDr7Io1 = 0x200408;          // G1, R/W1 = 10 (I/O), LEN1 = 00
constexpr uint64_t kDr7Gd = 0x2400;             // GD and nothing enabled
constexpr uint64_t kEnabledBp = 0x1000;         // pending-debug bit 12
constexpr uint16_t kPort = 0x80;

vmx_insn Out(uint64_t port) { return Op(VMX_OP_OUT, port); }

vmx_insn In(uint32_t reg, uint64_t port)
{
	vmx_insn in = Op(VMX_OP_IN, port);
	in.dst = VMX_REG(reg);
	return in;
}

/* OUT and IN of `size` bytes (outw/outl, inw/inl: AX or EAX). */
vmx_insn OutN(uint64_t port, uint64_t size)
{
	vmx_insn in = Out(port);
	in.arg2 = size;
	return in;
}

vmx_insn InN(uint32_t reg, uint64_t port, uint64_t size)
{
	vmx_insn in = In(reg, port);
	in.arg2 = size;
	return in;
}

class RuleIoBreakpoint : public HwTest {
protected:
	void ExitOnDb() { SetBits(EXCEPTION_BITMAP, 1u << DB_VECTOR); }
	void DebugExtensions() { SetBits(GUEST_CR4, X86_CR4_DE); }

	/* GUEST_DR7 loaded and saved with the debug controls. */
	void GuestDr7(uint64_t dr7)
	{
		SetBits(VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_DEBUG_CONTROLS);
		SetBits(VM_EXIT_CONTROLS, VM_EXIT_SAVE_DEBUG_CONTROLS);
		Set(GUEST_DR7, dr7);
	}

	/* Breakpoint 1 on kPort (I/O, one byte), CR4.DE = 1. */
	void IoBreak()
	{
		DebugExtensions();
		lp.dr[1] = kPort;
		GuestDr7(kDr7Io1);
	}

	void ExpectDbExit(uint64_t rip, uint64_t qual)
	{
		EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_EXCEPTION_NMI);
		EXPECT_EQ(Get(VM_EXIT_INTR_INFO), kDbInfo);
		EXPECT_EQ(Get(EXIT_QUALIFICATION), qual);
		EXPECT_EQ(Get(GUEST_RIP), rip);
		EXPECT_EQ(Get(GUEST_PENDING_DBG_EXCEPTIONS), 0u);   // a #DB exit saves nothing pending
	}

	vmx_run_outcome Resume()
	{
		EXPECT_EQ(vmx_lp_vmentry(&lp, false), VMX_ENTRY_OK) << LastCheck();
		return vmx_lp_run(&lp, lp.cycle + 100000);
	}
};

/* ---- CR4 in the processor, DR4 and DR5 ----------------------------------- */

TEST_F(RuleIoBreakpoint, R12_Cr4DeLoadedFromGuestCr4AtEntryAndHostCr4AtExit)
{
	EXPECT_EQ(lp.cr4, VMCS_CR4_DEFAULT);   // root operation before any exit: PAE, VMXE, no DE
	Program({Op(VMX_OP_VMCALL)});
	DebugExtensions();
	SetBits(HOST_CR4, X86_CR4_DE | X86_CR4_OSXMMEXCPT);
	ASSERT_EQ(Launch(), VMX_ENTRY_OK) << LastCheck();
	EXPECT_EQ(lp.cr4, VMCS_CR4_DEFAULT | X86_CR4_DE);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 10000), VMX_RUN_EXIT);
	EXPECT_EQ(lp.cr4, VMCS_CR4_DEFAULT | X86_CR4_DE | X86_CR4_OSXMMEXCPT);
	EXPECT_EQ(Get(GUEST_CR4), VMCS_CR4_DEFAULT | X86_CR4_DE);   // the guest cannot change it
	// A failed guest-state check loads host state too.
	Set(HOST_CR4, VMCS_CR4_DEFAULT);
	Set(VMCS_LINK_POINTER, 0);
	ASSERT_EQ(vmx_lp_vmentry(&lp, false), VMX_ENTRY_FAILED);
	EXPECT_EQ(lp.cr4, VMCS_CR4_DEFAULT);
}

TEST_F(RuleIoBreakpoint, R12_Dr4AndDr5AreUdWithCr4De)
{
	// 0 rbx = DR4 (#UD) | #UD handler: 1 vmcall
	Program({MovFromDr(3, 4), Op(VMX_OP_VMCALL)});
	Gate(UD_VECTOR, 1);
	DebugExtensions();
	mem.gpr[3] = 0x55;
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(Delivered(), (std::vector<uint32_t>{UD_VECTOR}));
	EXPECT_EQ(Of(HW_DELIVER)[0].intr_info, kUdInfo);
	EXPECT_EQ(mem.stack[0].rip, At(0));   // a fault: the frame returns to the MOV
	EXPECT_EQ(mem.gpr[3], 0x55u);         // nothing was read
	EXPECT_EQ(lp.retired, 0u);
	// 0 DR5 = 0x2400 (#UD: DR7 keeps 400H, GD stays 0) | #UD handler: 1 vmcall
	Use("nehalem");
	events.clear();
	Program({MovToDr(5, kDr7Gd), Op(VMX_OP_VMCALL)});
	Gate(UD_VECTOR, 1);
	DebugExtensions();
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(Delivered(), (std::vector<uint32_t>{UD_VECTOR}));
	EXPECT_EQ(lp.dr7, (uint64_t)DR7_FIXED_1);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
}

TEST_F(RuleIoBreakpoint, R12_Dr4AndDr5AliasDr6AndDr7WithoutCr4De)
{
	// 0 DR5 = 0x40a (DR7: G0, G1), 1 rbx = DR4 (DR6), 2 rcx = DR5 (DR7), 3 vmcall
	Program({MovToDr(5, 0x40a), MovFromDr(3, 4), MovFromDr(1, 5), Op(VMX_OP_VMCALL)});
	lp.dr6 = DR6_FIXED_1 | DR6_BS;
	lp.dr[0] = lp.dr[1] = 0x9000;   // enabled, never reached
	SetBits(VM_EXIT_CONTROLS, VM_EXIT_SAVE_DEBUG_CONTROLS);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(mem.gpr[3], (uint64_t)DR6_FIXED_1 | DR6_BS);
	EXPECT_EQ(mem.gpr[1], 0x40au);
	EXPECT_EQ(Get(GUEST_DR7), 0x40au);
}

TEST_F(RuleIoBreakpoint, R12_MovDrExitingComesBeforeTheDr4Ud)
{
	Program({MovFromDr(3, 4), Op(VMX_OP_VMCALL)});
	DebugExtensions();
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_MOV_DR_EXITING);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_DR_ACCESS);
	EXPECT_EQ(Get(EXIT_QUALIFICATION), 4u | 0x10u | 3u << 8);   // DR4, from, RBX
	EXPECT_EQ(Get(GUEST_RIP), At(0));
	EXPECT_EQ(Count(HW_DELIVER), 0);
}

/* ---- I/O breakpoints ------------------------------------------------------ */

TEST_F(RuleIoBreakpoint, R24_IoBreakpointTrapAfterOutExitsWithBnAndLeavesDr6)
{
	// 0 out 0x80 (breakpoint 1), 1 nop, 2 vmcall
	Program({Out(kPort), Op(VMX_OP_NOP), Op(VMX_OP_VMCALL)});
	IoBreak();
	ExitOnDb();
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectDbExit(At(1), 0x2);   // a trap: after the OUT, which completed; B1
	EXPECT_EQ(lp.retired, 1u);
	EXPECT_EQ(lp.dr6, (uint64_t)DR6_FIXED_1);   // a #DB that exits does not write DR6
	EXPECT_EQ(Get(GUEST_DR7), kDr7Io1);
}

TEST_F(RuleIoBreakpoint, R24_IoBreakpointMatchesThePortRangeOfItsLen)
{
	struct Case {
		uint64_t dr7, dr1;
		vmx_insn insn;
		uint64_t qual;   // 0: no #DB, the vmcall exits
	} cases[] = {
		{kDr7Io1, kPort, In(0, kPort), 0x2},                 // IN matches as OUT does
		{kDr7Io1, kPort, Out(kPort + 1), 0},                 // one byte: 0x81 is outside
		{0xe00408, 0x61, In(0, 0x63), 0x2},                  // LEN 11: 0x60-0x63 (DR1 aligned down)
		{0xe00408, 0x61, Out(0x64), 0},
		{0xe00408, 0x61, Out(0x5f), 0},
		{0x600408, 0x71, Out(0x70), 0x2},                    // LEN 01: 0x70-0x71
		{0x600408, 0x71, Out(0x72), 0},
		{0x200408, 0x10080, Out(kPort), 0},                  // the port is zero-extended: no match above 16 bits
		{0x200408 | 0x30000, kPort, Out(kPort), 0x2},        // breakpoint 0 R/W 11 disabled: not an I/O match
		{0x220408, kPort, Out(kPort), 0x3},                  // breakpoint 0 I/O but disabled: reported with B1
		{0x220400, kPort, Out(kPort), 0},                    // only disabled ones match: no #DB
		{0x2a0408, kPort, Out(kPort), 0x2},                  // breakpoint 0 disabled with LEN 10: no match
		{kDr7Io1, 0x82, OutN(kPort, 4), 0x2},                // outl 0x80 moves 0x80-0x83: it meets 0x82
		{kDr7Io1, 0x84, OutN(kPort, 4), 0},
		{kDr7Io1, 0x81, InN(0, kPort, 2), 0x2},              // inw 0x80: 0x80-0x81
		{kDr7Io1, 0x82, InN(0, kPort, 2), 0},
		{0x600408, 0x7f, OutN(0x7e, 2), 0x2},                // LEN 01 at 0x7e-0x7f, a word at 0x7e
	};
	for (const Case &c : cases) {
		SCOPED_TRACE(c.dr7);
		SCOPED_TRACE(c.insn.arg);
		Use("nehalem");
		Program({c.insn, Op(VMX_OP_VMCALL)});
		DebugExtensions();
		lp.dr[0] = kPort;
		lp.dr[1] = c.dr1;
		GuestDr7(c.dr7);
		ExitOnDb();
		ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
		if (c.qual)
			ExpectDbExit(At(1), c.qual);
		else
			EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	}
}

TEST_F(RuleIoBreakpoint, R24_IoBreakpointJoinsTheSingleStepTrapInOneDb)
{
	Program({Out(kPort), Op(VMX_OP_VMCALL)});
	IoBreak();
	ExitOnDb();
	SetBits(GUEST_RFLAGS, X86_EFLAGS_TF);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectDbExit(At(1), PENDING_DBG_BS | 0x2);
	EXPECT_EQ(Count(HW_VMEXIT), 1);
}

TEST_F(RuleIoBreakpoint, R24_IoBreakpointDeliveredWritesDr6AndReturnsPastTheOut)
{
	// 0 out, 1 vmcall | #DB handler: 2 rbx = DR6, 3 iret
	Program({Out(kPort), Op(VMX_OP_VMCALL), MovFromDr(3, 6), Op(VMX_OP_IRET)});
	Gate(DB_VECTOR, 2);
	IoBreak();
	lp.dr6 = DR6_FIXED_1 | 0x1;   // B0 left from before: replaced
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(Delivered(), (std::vector<uint32_t>{DB_VECTOR}));
	EXPECT_EQ(Of(HW_DELIVER)[0].intr_info, kDbInfo);
	EXPECT_EQ(mem.gpr[3], (uint64_t)DR6_FIXED_1 | 0x2);
	EXPECT_EQ(mem.stack[0].rip, At(1));   // a trap: the frame returns past the OUT
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(Get(GUEST_RIP), At(1));
}

TEST_F(RuleIoBreakpoint, R24_OutThatExitsTakesNoTrap)
{
	Program({Out(kPort), Op(VMX_OP_VMCALL)});
	IoBreak();
	ExitOnDb();
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_UNCOND_IO_EXITING);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_IO_INSTRUCTION);
	EXPECT_EQ(Get(GUEST_RIP), At(0));
	EXPECT_EQ(Get(GUEST_PENDING_DBG_EXCEPTIONS), 0u);
	EXPECT_EQ(lp.dbg_trap, 0u);
}

TEST_F(RuleIoBreakpoint, R24_MtfExitAfterTheOutSavesTheTrapWithTheEnabledBreakpointBit)
{
	Program({Out(kPort), Op(VMX_OP_VMCALL)});
	IoBreak();
	ExitOnDb();
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_MONITOR_TRAP_FLAG);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_MONITOR_TRAP_FLAG);   // R24 3.5, above the trap
	EXPECT_EQ(Get(GUEST_RIP), At(1));
	EXPECT_EQ(Get(GUEST_PENDING_DBG_EXCEPTIONS), 0x2u | kEnabledBp);
	// Entered again, the field's trap is the #DB before the vmcall.
	ClearBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_MONITOR_TRAP_FLAG);
	ASSERT_EQ(Resume(), VMX_RUN_EXIT);
	ExpectDbExit(At(1), 0x2);
}

TEST_F(RuleIoBreakpoint, R24_MovSsBlockingHoldsTheTrapAndTheOutsBreakpointJoinsIt)
{
	// Entered with blocking by MOV SS and B0 pending (bit 12): held over the OUT, one #DB with B0 and B1.
	Program({Out(kPort), Op(VMX_OP_VMCALL)});
	IoBreak();
	ExitOnDb();
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_MOV_SS);
	Set(GUEST_PENDING_DBG_EXCEPTIONS, 0x1 | kEnabledBp);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectDbExit(At(1), 0x3);
	EXPECT_EQ(lp.retired, 1u);
}

TEST_F(RuleIoBreakpoint, R12_IoEncodingNeedsCr4De)
{
	Program({Out(kPort), Op(VMX_OP_VMCALL)});
	lp.dr[1] = kPort;
	lp.dr7 = kDr7Io1;   // as a MOV under CR4.DE = 1 would leave it; the guest has CR4.DE = 0
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);   // no I/O breakpoint without CR4.DE
	EXPECT_NE(dr7_not_modelled(kDr7Io1, lp.dr, 0), nullptr);         // and a root program's entry would be refused
}

/* A root program's entry: R/W = 10 is refused under GUEST_CR4.DE = 0 and runs as an I/O breakpoint with it. */
TEST(RuleIoBreakpointScenario, R12_RootProgramsEntryRunsAnIoBreakpointOnlyWithGuestCr4De)
{
	ExpectRefused(L1Enters("none", "        vmwrite GUEST_DR7 0x200408\n"),
	              "t.scn:7:9: not modelled: DR7 R/W = 10 for an enabled breakpoint with CR4.DE = 0");
	ExpectHolds(L1Enters("none",
	                     "        mov dr1 0x80\n        vmwrite GUEST_DR7 0x200408\n        vmwrite GUEST_CR4 0x2028\n"
	                     "        vmwrite EXCEPTION_BITMAP 2\n",
	                     "        out 0x80\n") +
	            "expect 1st exit L2 reason=EXCEPTION_NMI rip=l2 intr-info=0x80000301 qual=2\n");
}

/* ---- General detect ------------------------------------------------------ */

TEST_F(RuleIoBreakpoint, R12_GeneralDetectFaultsTheMovDrWithBdDeliveryClearsGd)
{
	// 0 rbx = DR0 (#DB) | #DB handler: 1 rcx = DR7, 2 rdx = DR6, 3 vmcall
	Program({MovFromDr(3, 0), MovFromDr(1, 7), MovFromDr(2, 6), Op(VMX_OP_VMCALL)});
	Gate(DB_VECTOR, 1);
	GuestDr7(kDr7Gd);
	lp.dr[0] = 0x1234;
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(Delivered(), (std::vector<uint32_t>{DB_VECTOR}));
	EXPECT_EQ(Of(HW_DELIVER)[0].intr_info, kDbInfo);
	EXPECT_EQ(mem.stack[0].rip, At(0));                   // a fault: before the MOV
	EXPECT_EQ(mem.stack[0].rflags & X86_EFLAGS_RF, 0u);   // #DB pushes RF as it was
	EXPECT_EQ(mem.gpr[3], 0u);                            // the MOV did not run
	EXPECT_EQ(mem.gpr[1], 0x400u);                        // GD cleared for the handler: its MOVs run
	EXPECT_EQ(mem.gpr[2], (uint64_t)DR6_FIXED_1 | DR6_BD);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
}

TEST_F(RuleIoBreakpoint, R12_GeneralDetectSetByTheGuestFaultsTheNextMovDr)
{
	// 0 DR7 = GD (runs: GD was 0), 1 DR0 = rax (#DB) | #DB handler: 2 vmcall
	Program({MovToDr(7, kDr7Gd), MovToDr(0, 0x5000), Op(VMX_OP_VMCALL)});
	Gate(DB_VECTOR, 2);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(Delivered(), (std::vector<uint32_t>{DB_VECTOR}));
	EXPECT_EQ(mem.stack[0].rip, At(1));
	EXPECT_EQ(lp.dr[0], 0u);
	EXPECT_EQ(lp.retired, 1u);
}

TEST_F(RuleIoBreakpoint, R12_GeneralDetectExitHasBdInTheQualificationAndLeavesDr6AndGd)
{
	Program({MovToDr(0, 0x5000), Op(VMX_OP_VMCALL)});
	GuestDr7(kDr7Gd);
	ExitOnDb();
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectDbExit(At(0), DR6_BD);
	EXPECT_EQ(lp.dr6, (uint64_t)DR6_FIXED_1);
	EXPECT_EQ(Get(GUEST_DR7), kDr7Gd);   // GD still set in the saved DR7
	EXPECT_EQ(lp.dr[0], 0u);
}

TEST_F(RuleIoBreakpoint, R12_MovDrExitingComesBeforeGeneralDetect)
{
	Program({MovToDr(0, 0x5000), Op(VMX_OP_VMCALL)});
	GuestDr7(kDr7Gd);
	ExitOnDb();
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_MOV_DR_EXITING);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_DR_ACCESS);
	EXPECT_EQ(Get(EXIT_QUALIFICATION), 0u);   // DR0, to, RAX
	EXPECT_EQ(Get(GUEST_DR7), kDr7Gd);
}

TEST_F(RuleIoBreakpoint, R12_Dr4UdComesBeforeGeneralDetectWhichComesBeforeTheReservedBitGp)
{
	// With CR4.DE: DR4 is #UD even under GD.
	Program({MovFromDr(3, 4), Op(VMX_OP_VMCALL)});
	Gate(UD_VECTOR, 1);
	DebugExtensions();
	GuestDr7(kDr7Gd);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(Delivered(), (std::vector<uint32_t>{UD_VECTOR}));
	// Without it DR4 is DR6, and GD faults it.
	Use("nehalem");
	Program({MovFromDr(3, 4), Op(VMX_OP_VMCALL)});
	GuestDr7(kDr7Gd);
	ExitOnDb();
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectDbExit(At(0), DR6_BD);
	// A reserved bit in the value would be #GP, but GD comes first.
	Use("nehalem");
	Program({MovToDr(7, 0x100000400ull), Op(VMX_OP_VMCALL)});
	GuestDr7(kDr7Gd);
	ExitOnDb();
	SetBits(EXCEPTION_BITMAP, 1u << GP_VECTOR);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectDbExit(At(0), DR6_BD);
}

}  // namespace

/*
 * Port I/O of two and four bytes (inw/inl, outw/outl; SDM Vol. 3C 28.2.1):
 * the exit qualification's size field is the size minus 1 (1, 3), the
 * 16-bit form is a byte longer (the 66H prefix), and an IN that completes
 * reads all ones into AX (the rest kept) or EAX (bits 63:32 cleared).
 */
TEST_F(RuleIoBreakpoint, R12_WiderPortIoExitsWithItsSizeAndReadsAllOnes)
{
	const struct {
		vmx_insn insn;
		uint64_t qual, len;
	} exits[] = {
		{OutN(kPort, 2), 0x800041, 3}, {OutN(kPort, 4), 0x800043, 2}, {InN(0, kPort, 2), 0x800049, 3},
		{InN(0, kPort, 4), 0x80004b, 2}, {OutN(0x3f8, 4), 0x3f80003, 1},
	};
	for (const auto &e : exits) {
		SCOPED_TRACE(e.qual);
		Use("nehalem");
		Program({e.insn, Op(VMX_OP_VMCALL)});
		SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_UNCOND_IO_EXITING);
		ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
		EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_IO_INSTRUCTION);
		EXPECT_EQ(Get(EXIT_QUALIFICATION), e.qual);
		EXPECT_EQ(Get(VM_EXIT_INSTRUCTION_LEN), e.len);
	}
	Use("nehalem");
	Program({InN(1, kPort, 2), InN(2, kPort, 4), In(3, kPort), Op(VMX_OP_VMCALL)});
	mem.gpr[1] = mem.gpr[2] = mem.gpr[3] = 0x1234567812345678ull;
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(mem.gpr[1], 0x123456781234ffffull);
	EXPECT_EQ(mem.gpr[2], 0xffffffffull);
	EXPECT_EQ(mem.gpr[3], 0x12345678123456ffull);
}

/*
 * The same through the scenario language: `inw`/`inl`/`outw`/`outl`, on
 * bare metal (L2's under unconditional I/O exiting) and as the KVM models
 * emulate a guest's IN: the exit's size, and all ones into AX or EAX.
 */
TEST(WidePortIo, R12_ScenarioFormsOnBareMetalAndUnderKvm)
{
	ScnRun bare = RunOk("cpu nehalem\nl0 none\nguest L1\n  exit-handler h\nmain: vmlaunch\n"
	                    "h: vmread rbx EXIT_QUALIFICATION\n  vmread rcx VM_EXIT_INSTRUCTION_LEN\n  record rbx rcx\n  hlt\n"
	                    "guest L2\n  vmcs CPU_BASED_VM_EXEC_CONTROL CPU_BASED_UNCOND_IO_EXITING\nl2: inw rdx 0x71\n"
	                    "run 10000\n");
	EXPECT_EQ(TraceLinesWith(bare.trace, {"L1 record", "rcx=0x3 rbx=0x710049"}).size(), 1u) << bare.trace;
	for (const char *l0 : {"kvm-2008", "kvm-2011", "kvm-modern"}) {
		SCOPED_TRACE(l0);
		ScnRun r = RunOk(std::string("cpu nehalem\nl0 ") + l0 +
		                 "\nguest L1\nmain: mov rcx 0x1234567812345678\n  mov rdx rcx\n  inl rcx 0x71\n"
		                 "  inw rdx 0x3f8\n  outl 0x80\n  record rcx rdx\n  hlt\nrun 60000\n");
		EXPECT_EQ(TraceLinesWith(r.trace, {"L1 record", "rcx=0xffffffff rdx=0x123456781234ffff"}).size(), 1u)
			<< r.trace;
	}
}
