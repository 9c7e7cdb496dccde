/* SPDX-License-Identifier: Apache-2.0 */
// The instructions of model/hw/exec_x86.c (and INT1): what each does without
// an exit, and the exit each takes in non-root operation with its exit
// qualification (SDM Vol. 3C 28.2.1) and instruction length (28.2.4).
#include "hw_fixture.h"

#include <cstring>
#include <string>

namespace {

constexpr uint32_t kRax = 0, kRcx = 1, kRdx = 2, kRbx = 3, kR9 = 9;

vmx_insn WithDst(vmx_insn in, uint32_t reg)
{
	in.dst = VMX_REG(reg);
	return in;
}

vmx_insn WithSrc(vmx_insn in, uint32_t reg)
{
	in.src = VMX_REG(reg);
	return in;
}

vmx_insn In(uint32_t reg, uint64_t port) { return WithDst(Op(VMX_OP_IN, port), reg); }
vmx_insn Out(uint64_t port) { return Op(VMX_OP_OUT, port); }
vmx_insn MovCr(uint32_t cr, uint32_t reg) { return WithSrc(Op(VMX_OP_MOV_CR, cr), reg); }

// `mov-cr8 VALUE`: RAX is loaded with the value, then moved to the CR.
vmx_insn MovCrValue(uint32_t cr, uint64_t value)
{
	vmx_insn in = WithSrc(Op(VMX_OP_MOV_CR, cr, value), kRax);
	in.dst = VMX_REG(kRax);
	return in;
}

class GuestInsn : public HwTest {
protected:
	std::vector<vmx_insn> host;
	vmx_program host_prog{};
	vmx_guest_mem host_mem{};

	uint64_t &Reg(uint32_t r) { return mem.gpr[r]; }

	/* A program in root operation instead of the guest: the processor restarts with it. */
	void RootProgram(std::vector<vmx_insn> insns)
	{
		host = std::move(insns);
		vmx_program_layout(&host_prog, host.data(), (uint32_t)host.size(), 0x100000);
		vmx_guest_mem_init(&host_mem, &host_prog);
		vmx_lp_init(&lp, &model, 0, &host_mem);
		vmx_lp_set_observer(&lp, &HwTest::Observe, this);
	}

	void Secondary(uint32_t bits)
	{
		SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS);
		Set(SECONDARY_VM_EXEC_CONTROL, bits);
	}

	// Run the program until it exits; the exit must be `reason`.
	void ExpectExit(uint32_t reason, uint64_t rip, uint64_t qual, uint32_t len)
	{
		ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
		EXPECT_EQ(ExitReason(), reason);
		EXPECT_EQ(Get(GUEST_RIP), rip);
		EXPECT_EQ(Get(EXIT_QUALIFICATION), qual);
		EXPECT_EQ(Get(VM_EXIT_INSTRUCTION_LEN), len);
	}

	// Run the program to its VMCALL at the end: no exit on the way.
	void ExpectNoExitUntilVmcall()
	{
		ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
		ASSERT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	}

	std::string NotModelled() const
	{
		for (const auto &e : events)
			if (e.kind == HW_NOT_MODELLED)
				return e.check;
		return "";
	}
};

// ---- port I/O ---------------------------------------------------------------

TEST_F(GuestInsn, OutExitsWithUnconditionalIoExiting)
{
	Program({Op(VMX_OP_NOP), Out(0x80), Op(VMX_OP_VMCALL)});
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_UNCOND_IO_EXITING);
	/* One byte (size 0), OUT (bit 3 clear), immediate (bit 6), port 0x80 in bits 31:16. */
	ExpectExit(EXIT_REASON_IO_INSTRUCTION, At(1), 0x00800040u, 2);
}

TEST_F(GuestInsn, InOfAHighPortIsTheDxForm)
{
	Program({In(kRax, 0x3f8), Op(VMX_OP_VMCALL)});
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_UNCOND_IO_EXITING);
	/* IN (bit 3), DX (bit 6 clear), port 0x3f8: one byte long (EC). */
	ExpectExit(EXIT_REASON_IO_INSTRUCTION, At(0), 0x03f80008u, 1);
	EXPECT_EQ(code[0].len, 1u);
}

TEST_F(GuestInsn, InWithoutExitingReadsAllOnesIntoTheLowByte)
{
	Program({In(kRbx, 0x60), Out(0x61), Op(VMX_OP_VMCALL)});
	Reg(kRbx) = 0x1234;
	ExpectNoExitUntilVmcall();
	EXPECT_EQ(Reg(kRbx), 0x12ffu);
	EXPECT_EQ(Get(GUEST_RIP), At(2));
}

TEST_F(GuestInsn, IoBitmapsAreRefusedAtTheInstruction)
{
	Program({Op(VMX_OP_NOP), Out(0x80), Op(VMX_OP_VMCALL)});
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_USE_IO_BITMAPS | CPU_BASED_UNCOND_IO_EXITING);
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	EXPECT_EQ(vmx_lp_run(&lp, lp.cycle + 100000), VMX_RUN_NOT_MODELLED);
	EXPECT_NE(NotModelled().find("I/O bitmaps"), std::string::npos) << NotModelled();
	EXPECT_EQ(lp.ctx.rip, At(1));
	EXPECT_TRUE(lp.non_root);
}

// ---- MOV to CR3 / CR8 -------------------------------------------------------

TEST_F(GuestInsn, MovToCr3AlwaysExitsWhereCr3LoadExitingMustBeOne)
{
	/* Without the TRUE capability MSRs, CR3-load exiting is a must-be-1 bit (the fixture sets them). */
	ASSERT_NE(Get(CPU_BASED_VM_EXEC_CONTROL) & CPU_BASED_CR3_LOAD_EXITING, 0u);
	Program({MovCr(3, kR9), Op(VMX_OP_VMCALL)});
	Reg(kR9) = 0x5000;
	/* CR 3, MOV to CR (type 0), register 9 in bits 11:8; R9 needs a REX prefix: 4 bytes. */
	ExpectExit(EXIT_REASON_CR_ACCESS, At(0), 0x903u, 4);
	EXPECT_EQ(mem.cr3, 0u);
}

TEST_F(GuestInsn, MovToCr3OfAValueLoadsRaxFirst)
{
	Program({MovCrValue(3, 0x7000), Op(VMX_OP_VMCALL)});
	ExpectExit(EXIT_REASON_CR_ACCESS, At(0), 0x3u, 3);
	EXPECT_EQ(Reg(kRax), 0x7000u);
}

TEST_F(GuestInsn, MovToCr3OfACr3TargetValueDoesNotExit)
{
	Program({MovCrValue(3, 0x8000), MovCrValue(3, 0x9000), Op(VMX_OP_VMCALL)});
	Set(CR3_TARGET_COUNT, 2);
	Set(CR3_TARGET_VALUE1, 0x8000);   /* the second of the two enabled */
	Set(CR3_TARGET_VALUE2, 0x9000);   /* not enabled: the count is 2 */
	ExpectExit(EXIT_REASON_CR_ACCESS, At(1), 0x3u, 3);
	EXPECT_EQ(mem.cr3, 0x8000u);
}

TEST_F(GuestInsn, EntryChecksTheCr3TargetCount)
{
	Set(CR3_TARGET_COUNT, 5);
	EXPECT_EQ(Launch(), VMX_ENTRY_FAIL_VALID);
	EXPECT_EQ(Get(VM_INSTRUCTION_ERROR), 7u);
	EXPECT_NE(LastCheck().find("CR3-target count"), std::string::npos) << LastCheck();
}

TEST_F(GuestInsn, MovToCr3InRootOperationLoadsCr3)
{
	RootProgram({MovCr(3, kRdx), Op(VMX_OP_NOP)});
	host_mem.gpr[kRdx] = 0x9000;
	EXPECT_EQ(vmx_lp_run(&lp, 1), VMX_RUN_LIMIT);   /* one instruction, one cycle */
	EXPECT_EQ(host_mem.cr3, 0x9000u);
	EXPECT_EQ(lp.ctx.rip, host[1].addr);
}

TEST_F(GuestInsn, MovToCr8ExitsWithCr8LoadExiting)
{
	Program({Op(VMX_OP_NOP), MovCr(8, kRcx), Op(VMX_OP_VMCALL)});
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_CR8_LOAD_EXITING);
	Reg(kRcx) = 2;
	/* CR 8, register 1 (RCX); CR8 always takes a REX prefix: 4 bytes. */
	ExpectExit(EXIT_REASON_CR_ACCESS, At(1), 0x108u, 4);
	EXPECT_EQ(lp.apic.tpr, 0u);
}

TEST_F(GuestInsn, Cr8LoadExitingComesBeforeTheTprShadow)
{
	Program({MovCrValue(8, 3), Op(VMX_OP_VMCALL)});
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_TPR_SHADOW);
	ExpectExit(EXIT_REASON_CR_ACCESS, At(0), 0x8u, 4);
	EXPECT_EQ(v.vapic.tpr, 0u);
}

TEST_F(GuestInsn, MovToCr8WithTprShadowWritesVtpr)
{
	Program({MovCrValue(8, 5), Op(VMX_OP_VMCALL)});
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_TPR_SHADOW);
	ExpectNoExitUntilVmcall();
	EXPECT_EQ(v.vapic.tpr, 0x50u);
	EXPECT_EQ(lp.apic.tpr, 0u);   /* the real TPR is not the guest's */
}

TEST_F(GuestInsn, VtprBelowTheThresholdIsATrapLikeExit)
{
	Program({MovCrValue(8, 2), Op(VMX_OP_VMCALL)});
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_TPR_SHADOW);
	Set(TPR_THRESHOLD, 4);
	v.vapic.tpr = 0x40;   /* the entry check: threshold not above VTPR[7:4] */
	/* After the instruction: RIP past it, no qualification, no instruction length. */
	ExpectExit(EXIT_REASON_TPR_BELOW_THRESHOLD, At(1), 0, 0);
	EXPECT_EQ(v.vapic.tpr, 0x20u);
}

TEST_F(GuestInsn, EntryChecksTheThresholdAgainstVtpr)
{
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_TPR_SHADOW);
	Set(TPR_THRESHOLD, 3);
	v.vapic.tpr = 0x20;
	EXPECT_EQ(Launch(), VMX_ENTRY_FAIL_VALID);
	EXPECT_EQ(Get(VM_INSTRUCTION_ERROR), 7u);
	EXPECT_NE(LastCheck().find("VTPR"), std::string::npos) << LastCheck();
}

/* 30.1.2: with virtual-interrupt delivery TPR virtualization is PPR virtualization, never an exit. */
TEST_F(GuestInsn, VirtualInterruptDeliveryAfterMovToCr8VirtualizesPpr)
{
	Use("sapphire-rapids");
	Program({MovCrValue(8, 1), Op(VMX_OP_VMCALL)});
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_TPR_SHADOW);
	Secondary(SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY);
	Set(TPR_THRESHOLD, 0);
	ASSERT_EQ(Launch(), VMX_ENTRY_OK) << LastCheck();
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 100000), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(v.vapic.tpr, 0x10u);
	EXPECT_EQ(v.vapic.ppr, 0x10u);
}

TEST_F(GuestInsn, MovToCr8WithoutExitingWritesTheRealTprWhichMasksInterrupts)
{
	Program({MovCrValue(8, 3), Work(100000)});
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 10), VMX_RUN_LIMIT);
	EXPECT_EQ(lp.apic.tpr, 0x30u);
	vmx_lp_irq(&lp, 0x35);   /* class 3: not above the TPR */
	EXPECT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_LIMIT);
	vmx_lp_irq(&lp, 0x41);   /* class 4: external-interrupt exiting takes it */
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_EXTERNAL_INTERRUPT);
}

TEST_F(GuestInsn, MovToCr8OfAReservedBitIsGp)
{
	Program({MovCrValue(8, 0x10), Op(VMX_OP_VMCALL)});
	Set(EXCEPTION_BITMAP, 1u << GP_VECTOR);
	ExpectExit(EXIT_REASON_EXCEPTION_NMI, At(0), 0, 0);
	EXPECT_EQ(Get(VM_EXIT_INTR_INFO), 0x80000b0du);
	EXPECT_EQ(Get(VM_EXIT_INTR_ERROR_CODE), 0u);
}

// ---- DIV, INTO, INT1 --------------------------------------------------------

TEST_F(GuestInsn, DivideByZeroIsDeAFaultWithoutErrorCode)
{
	Program({Op(VMX_OP_NOP), WithSrc(Op(VMX_OP_DIV), kRbx), Op(VMX_OP_VMCALL)});
	Set(EXCEPTION_BITMAP, 1u << DE_VECTOR);
	ExpectExit(EXIT_REASON_EXCEPTION_NMI, At(1), 0, 0);
	EXPECT_EQ(Get(VM_EXIT_INTR_INFO), 0x80000300u);
}

TEST_F(GuestInsn, DivideByZeroDeliveredReturnsToTheDiv)
{
	Program({WithSrc(Op(VMX_OP_DIV), kRbx), Op(VMX_OP_VMCALL), Op(VMX_OP_VMCALL)});
	Gate(DE_VECTOR, 2);
	ExpectNoExitUntilVmcall();
	EXPECT_EQ(Get(GUEST_RIP), At(2));
	ASSERT_EQ(mem.depth, 1u);
	EXPECT_EQ(mem.stack[0].rip, At(0));
	EXPECT_FALSE(mem.stack[0].has_error_code);
}

TEST_F(GuestInsn, DivDividesRdxRaxUnsigned)
{
	Program({WithSrc(Op(VMX_OP_DIV), kRcx), Op(VMX_OP_VMCALL)});
	Reg(kRdx) = 1;
	Reg(kRax) = 1;   /* 2^64 + 1 */
	Reg(kRcx) = 3;
	ExpectNoExitUntilVmcall();
	EXPECT_EQ(Reg(kRax), 0x5555555555555555u);
	EXPECT_EQ(Reg(kRdx), 2u);
}

TEST_F(GuestInsn, DivWhoseQuotientDoesNotFitIsDe)
{
	Program({WithSrc(Op(VMX_OP_DIV), kRcx), Op(VMX_OP_VMCALL)});
	Set(EXCEPTION_BITMAP, 1u << DE_VECTOR);
	Reg(kRdx) = 7;
	Reg(kRcx) = 7;
	ExpectExit(EXIT_REASON_EXCEPTION_NMI, At(0), 0, 0);
	EXPECT_EQ(Get(VM_EXIT_INTR_INFO), 0x80000300u);
}

TEST_F(GuestInsn, IntoIsInvalidIn64BitMode)
{
	Program({Op(VMX_OP_INTO), Op(VMX_OP_VMCALL)});
	Set(EXCEPTION_BITMAP, 1u << UD_VECTOR);
	lp.ctx.rflags |= X86_EFLAGS_OF;
	ExpectExit(EXIT_REASON_EXCEPTION_NMI, At(0), 0, 0);
	EXPECT_EQ(Get(VM_EXIT_INTR_INFO), 0x80000306u);   /* #UD, hardware exception: not type 6 */
}

TEST_F(GuestInsn, Int1ExitsAsAPrivilegedSoftwareExceptionWithItsLength)
{
	Program({Op(VMX_OP_NOP), Op(VMX_OP_INT1), Op(VMX_OP_VMCALL)});
	Set(EXCEPTION_BITMAP, 1u << DB_VECTOR);
	ExpectExit(EXIT_REASON_EXCEPTION_NMI, At(1), 0, 1);
	EXPECT_EQ(Get(VM_EXIT_INTR_INFO), 0x80000501u);
}

TEST_F(GuestInsn, Int1DeliversDbPastTheInstruction)
{
	Program({Op(VMX_OP_INT1), Op(VMX_OP_VMCALL), Op(VMX_OP_IRET)});
	Gate(DB_VECTOR, 2);
	ExpectNoExitUntilVmcall();
	ASSERT_EQ(Count(HW_DELIVER), 1);
	for (const auto &e : events) {
		if (e.kind == HW_DELIVER) {
			EXPECT_EQ(e.intr_info, 0x80000501u);
		}
	}
	EXPECT_EQ(Get(GUEST_RIP), At(1));   /* IRET returned past INT1 */
}

// ---- PAUSE, CPUID, RDTSC ----------------------------------------------------

TEST_F(GuestInsn, PauseExitsWithPauseExiting)
{
	Program({Op(VMX_OP_PAUSE), Op(VMX_OP_VMCALL)});
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_PAUSE_EXITING);
	ExpectExit(EXIT_REASON_PAUSE_INSTRUCTION, At(0), 0, 2);
}

TEST_F(GuestInsn, PauseWithoutExitingDoesNothing)
{
	Program({Op(VMX_OP_PAUSE), Op(VMX_OP_VMCALL)});
	ExpectNoExitUntilVmcall();
	EXPECT_EQ(Get(GUEST_RIP), At(1));
}

TEST_F(GuestInsn, PauseLoopExitingIsRefusedButPauseExitingWinsOverIt)
{
	Program({Op(VMX_OP_PAUSE), Op(VMX_OP_VMCALL)});
	Secondary(SECONDARY_EXEC_PAUSE_LOOP_EXITING);
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_PAUSE_EXITING);
	ExpectExit(EXIT_REASON_PAUSE_INSTRUCTION, At(0), 0, 2);

	Use("nehalem");
	Program({Op(VMX_OP_PAUSE), Op(VMX_OP_VMCALL)});
	Secondary(SECONDARY_EXEC_PAUSE_LOOP_EXITING);
	ASSERT_EQ(Launch(), VMX_ENTRY_OK) << LastCheck();
	EXPECT_EQ(vmx_lp_run(&lp, lp.cycle + 100000), VMX_RUN_NOT_MODELLED);
	EXPECT_NE(NotModelled().find("PAUSE-loop exiting"), std::string::npos) << NotModelled();
}

TEST_F(GuestInsn, CpuidExitsUnconditionally)
{
	Program({Op(VMX_OP_CPUID), Op(VMX_OP_VMCALL)});
	ExpectExit(EXIT_REASON_CPUID, At(0), 0, 2);
}

TEST_F(GuestInsn, CpuidInRootOperationReportsVmx)
{
	RootProgram({Op(VMX_OP_CPUID), Op(VMX_OP_NOP)});
	host_mem.gpr[kRax] = 1;
	host_mem.gpr[kRbx] = host_mem.gpr[kRdx] = ~0ull;
	EXPECT_EQ(vmx_lp_run(&lp, 2), VMX_RUN_LIMIT);
	EXPECT_EQ(host_mem.gpr[kRcx], 0x20u);   /* CPUID.1:ECX.VMX[bit 5] */
	EXPECT_EQ(host_mem.gpr[kRax], 0u);
	EXPECT_EQ(host_mem.gpr[kRbx], 0u);
	EXPECT_EQ(host_mem.gpr[kRdx], 0u);

	uint64_t regs[4];
	vmx_cpuid(1, false, regs);   /* what a hypervisor that offers no VMX answers */
	EXPECT_EQ(regs[2], 0u);
	vmx_cpuid(0x80000001u, true, regs);
	EXPECT_EQ(regs[2], 0u);
}

TEST_F(GuestInsn, RdtscExitsWithRdtscExiting)
{
	Program({WithDst(Op(VMX_OP_RDTSC), kRax), Op(VMX_OP_VMCALL)});
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_RDTSC_EXITING);
	ExpectExit(EXIT_REASON_RDTSC, At(0), 0, 2);
}

TEST_F(GuestInsn, RdtscReadsTheCycleCounterPlusTheOffset)
{
	Program({WithDst(Op(VMX_OP_RDTSC), kRbx), WithDst(Op(VMX_OP_RDTSC), kRcx), Op(VMX_OP_VMCALL)});
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_USE_TSC_OFFSETTING);
	Set(TSC_OFFSET, (uint64_t)-500);
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	const uint64_t start = lp.cycle;
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 100000), VMX_RUN_EXIT);
	EXPECT_EQ(Reg(kRbx), start - 500);
	EXPECT_EQ(Reg(kRcx), start + model.insn_cycles - 500);
}

// ---- the IDT at run time ----------------------------------------------------

TEST_F(GuestInsn, SetIdtInstallsAGateTheNextDeliveryUses)
{
	vmx_insn set = Op(VMX_OP_SET_IDT, BP_VECTOR | (uint64_t)VMX_GATE_TRAP << 8);
	Program({set, Op(VMX_OP_INT3), Op(VMX_OP_VMCALL), Op(VMX_OP_VMCALL)});
	code[0].arg2 = At(3);   /* the handler (the machine resolves the label to this) */
	ExpectNoExitUntilVmcall();
	EXPECT_EQ(Get(GUEST_RIP), At(3));
	EXPECT_EQ(mem.idt[BP_VECTOR].type, VMX_GATE_TRAP);
	EXPECT_NE(Get(GUEST_RFLAGS) & X86_EFLAGS_IF, 0u);   /* a trap gate leaves IF */
}

TEST_F(GuestInsn, ClearIdtMakesTheGateNotPresent)
{
	Program({Op(VMX_OP_CLEAR_IDT, BP_VECTOR), Op(VMX_OP_INT3), Op(VMX_OP_VMCALL)});
	Gate(BP_VECTOR, 2);
	Set(EXCEPTION_BITMAP, 1u << NP_VECTOR);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_EXCEPTION_NMI);
	/* #NP with the IDT bit and vector 3, EXT = 0 for INT3; during INT3's delivery. */
	EXPECT_EQ(Get(VM_EXIT_INTR_INFO), 0x80000b0bu);
	EXPECT_EQ(Get(VM_EXIT_INTR_ERROR_CODE), (3u << 3) | 2u);
	EXPECT_EQ(Get(IDT_VECTORING_INFO_FIELD), 0x80000603u);
}

// ---- the local APIC's task priority -----------------------------------------

TEST(LapicTpr, TprAndInServiceClassGivePriority)
{
	lapic a{};
	lapic_reset(&a);
	ASSERT_TRUE(lapic_accept(&a, 0x25));
	a.tpr = 0x20;
	EXPECT_FALSE(lapic_intr_pending(&a));   /* class 2 is not above TPR class 2 */
	a.tpr = 0x10;
	EXPECT_TRUE(lapic_intr_pending(&a));
	ASSERT_EQ(lapic_ack(&a), 0x25);
	ASSERT_TRUE(lapic_accept(&a, 0x31));
	EXPECT_TRUE(lapic_intr_pending(&a));    /* class 3 above the in-service class 2 */
	a.tpr = 0x30;
	EXPECT_FALSE(lapic_intr_pending(&a));
}

}  // namespace
