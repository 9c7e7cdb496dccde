// SPDX-License-Identifier: Apache-2.0
/*
 * IA32_DEBUGCTL.BTF, single-stepping on branches (model/hw/debug.c; SDM
 * Vol. 3B "Single-Stepping on Branches"): with RFLAGS.TF = 1 and BTF = 1
 * the #DB trap (R24 level 4) follows only a taken branch - JMP, a JCC whose
 * condition holds, IRET - and generating the #DB clears BTF. VM entry loads
 * IA32_DEBUGCTL with the load-debug-controls control, an exit saves it with
 * save-debug-controls and clears it (27.5.1).
 */
#include "hw_fixture.h"
#include "vmcs/msr_bitmap.h"
#include "vmcs/x86_msr.h"

namespace {

constexpr uint32_t kDbTrapInfo = 0x80000301u;   // valid, hardware exception, vector 1

class RuleBtf : public HwTest {
protected:
	void SetUp() override
	{
		HwTest::SetUp();
		SetBits(GUEST_RFLAGS, X86_EFLAGS_TF);
		Set(GUEST_IA32_DEBUGCTL, DEBUGCTLMSR_BTF);
		ASSERT_TRUE(Get(VM_ENTRY_CONTROLS) & VM_ENTRY_LOAD_DEBUG_CONTROLS);
		ASSERT_TRUE(Get(VM_EXIT_CONTROLS) & VM_EXIT_SAVE_DEBUG_CONTROLS);
	}
	void ExitOnDb() { SetBits(EXCEPTION_BITMAP, 1u << DB_VECTOR); }
	void ExpectDbExitAt(uint64_t rip)
	{
		EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_EXCEPTION_NMI);
		EXPECT_EQ(Get(VM_EXIT_INTR_INFO), kDbTrapInfo);
		EXPECT_EQ(Get(EXIT_QUALIFICATION), (uint64_t)PENDING_DBG_BS);   // BS: a taken branch under BTF
		EXPECT_EQ(Get(GUEST_RIP), rip);
	}
};

}  // namespace

TEST_F(RuleBtf, R24_BtfStepsOverInstructionsThatDoNotBranch)
{
	// 0 nop, 1 work, 2 jmp 4, 3 vmcall (skipped), 4 nop, 5 vmcall
	Program({Op(VMX_OP_NOP), Work(3), Op(VMX_OP_JMP), Op(VMX_OP_VMCALL), Op(VMX_OP_NOP), Op(VMX_OP_VMCALL)});
	code[2].arg = At(4);
	ExitOnDb();
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectDbExitAt(At(4));   // not after the NOP or the work: after the JMP
	// A #DB that exits leaves BTF (as it leaves DR6 and DR7.GD); save-debug-controls saves it.
	EXPECT_EQ(Get(GUEST_IA32_DEBUGCTL), (uint64_t)DEBUGCTLMSR_BTF);
	// 27.5.1: the exit clears IA32_DEBUGCTL.
	EXPECT_EQ(lp.debugctl, 0u);
}

TEST_F(RuleBtf, R24_OnlyAJccWhoseConditionHoldsIsABranch)
{
	// ZF = 1: 0 jne 3 (not taken), 1 je 3 (taken), 2 vmcall, 3 nop, 4 vmcall
	SetBits(GUEST_RFLAGS, 0x40);
	Program({Op(VMX_OP_JCC, 0, X86_CC_NE), Op(VMX_OP_JCC, 0, X86_CC_E), Op(VMX_OP_VMCALL), Op(VMX_OP_NOP),
	         Op(VMX_OP_VMCALL)});
	code[0].arg = At(3);
	code[1].arg = At(3);
	ExitOnDb();
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectDbExitAt(At(3));
}

TEST_F(RuleBtf, R24_DeliveredDbClearsBtfSoTheHandlersIretReturnsToInstructionSteps)
{
	// 0 jmp 2, 1 vmcall (skipped), 2 nop, 3 nop, 4 vmcall | #DB handler: 5 iret
	Program({Op(VMX_OP_JMP), Op(VMX_OP_VMCALL), Op(VMX_OP_NOP), Op(VMX_OP_NOP), Op(VMX_OP_VMCALL),
	         Op(VMX_OP_IRET)});
	code[0].arg = At(2);
	Gate(DB_VECTOR, 5);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(Get(GUEST_RIP), At(4));
	// The JMP's trap; then BTF is 0: a trap after each NOP. The handler runs with TF = 0, and its IRET
	// began with TF = 0, so it takes none.
	EXPECT_EQ(Delivered(), (std::vector<uint32_t>{DB_VECTOR, DB_VECTOR, DB_VECTOR}));
	EXPECT_EQ(Get(GUEST_IA32_DEBUGCTL), 0u);
}

TEST_F(RuleBtf, R24_IretIsABranch)
{
	// 0 iret, 1 nop, 2 vmcall: the guest starts at an IRET, with TF = 1 and BTF = 1 at its start, whose
	// frame returns to 1 with TF = 1. A taken branch: the trap comes at 1, not later.
	Program({Op(VMX_OP_IRET), Op(VMX_OP_NOP), Op(VMX_OP_VMCALL)});
	mem.stack[0] = {At(1), (uint64_t)(X86_EFLAGS_FIXED | X86_EFLAGS_TF), false, 0};
	mem.depth = 1;
	ExitOnDb();
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectDbExitAt(At(1));
}

TEST_F(RuleBtf, WithoutLoadDebugControlsTheProcessorsOwnDebugctlStays)
{
	// The entry does not load GUEST_IA32_DEBUGCTL: the processor's (0 after every exit) steps each instruction.
	Use("haswell");   // TRUE controls: load-debug-controls may be 0
	SetBits(GUEST_RFLAGS, X86_EFLAGS_TF);
	Set(GUEST_IA32_DEBUGCTL, DEBUGCTLMSR_BTF);
	ClearBits(VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_DEBUG_CONTROLS);
	Program({Op(VMX_OP_NOP), Op(VMX_OP_NOP), Op(VMX_OP_VMCALL)});
	ExitOnDb();
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectDbExitAt(At(1));
}

/*
 * WRMSR and RDMSR of IA32_DEBUGCTL (MSR 1D9H), through an MSR bitmap that
 * lets them through: the guest sets BTF itself. The WRMSR began with BTF =
 * 0, so it takes its own single-step trap; from then on a trap follows a
 * taken branch only.
 */
class RuleBtfWrmsr : public RuleBtf {
protected:
	msr_bitmap page{};
	void SetUp() override
	{
		RuleBtf::SetUp();
		Set(GUEST_IA32_DEBUGCTL, 0);
		SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_USE_MSR_BITMAPS);
		Set(MSR_BITMAP, 0x5000);
		v.msr_bitmap = &page;
	}
};

TEST_F(RuleBtfWrmsr, R24_WrmsrSetsBtfAfterItsOwnTrapAndRdmsrReadsIt)
{
	// 0 wrmsr DEBUGCTL BTF, 1 rdmsr rax DEBUGCTL, 2 jmp 4, 3 vmcall (skipped), 4 nop, 5 vmcall
	Program({Wrmsr(MSR_IA32_DEBUGCTL, DEBUGCTLMSR_BTF), Rdmsr(MSR_IA32_DEBUGCTL), Op(VMX_OP_JMP),
	         Op(VMX_OP_VMCALL), Op(VMX_OP_NOP), Op(VMX_OP_VMCALL)});
	code[2].arg = At(4);
	ExitOnDb();
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectDbExitAt(At(1));   // the WRMSR's own trap: it began with BTF = 0
	EXPECT_EQ(Get(GUEST_IA32_DEBUGCTL), (uint64_t)DEBUGCTLMSR_BTF) << "the exit saved what the WRMSR wrote";
	ASSERT_EQ(Resume(), VMX_RUN_EXIT);
	ExpectDbExitAt(At(4));   // the RDMSR takes none; the JMP does
	EXPECT_EQ(mem.gpr[X86_GPR_rax], (uint64_t)DEBUGCTLMSR_BTF);
}

TEST_F(RuleBtfWrmsr, ReservedBitIsGp)
{
	ClearBits(GUEST_RFLAGS, X86_EFLAGS_TF);
	SetBits(EXCEPTION_BITMAP, 1u << GP_VECTOR);
	Program({Wrmsr(MSR_IA32_DEBUGCTL, 0x4), Op(VMX_OP_VMCALL)});   // bit 2: reserved
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_EXCEPTION_NMI);
	EXPECT_EQ(Get(VM_EXIT_INTR_INFO) & 0xffu, (uint64_t)GP_VECTOR);
	EXPECT_EQ(lp.debugctl, 0u);
}

TEST_F(RuleBtfWrmsr, BranchTraceStoreIsNotModelled)
{
	ClearBits(GUEST_RFLAGS, X86_EFLAGS_TF);
	Program({Wrmsr(MSR_IA32_DEBUGCTL, DEBUGCTL_TR | DEBUGCTL_BTS), Op(VMX_OP_VMCALL)});
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_NOT_MODELLED);
	EXPECT_NE(LastCheck().find("branch trace store"), std::string::npos) << LastCheck();
}

TEST_F(RuleBtfWrmsr, WithTheBitmapBitSetTheWrmsrExits)
{
	ASSERT_TRUE(msr_bitmap_set(&page, MSR_IA32_DEBUGCTL, true, true));
	ClearBits(GUEST_RFLAGS, X86_EFLAGS_TF);
	Program({Wrmsr(MSR_IA32_DEBUGCTL, DEBUGCTLMSR_BTF), Op(VMX_OP_VMCALL)});
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_MSR_WRITE);
	EXPECT_EQ(Get(GUEST_IA32_DEBUGCTL), 0u) << "the WRMSR did not execute";
}
