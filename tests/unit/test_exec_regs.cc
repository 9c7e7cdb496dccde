// SPDX-License-Identifier: Apache-2.0
//
// test_exec_regs.cc - the register instructions of guest programs and the
// RFLAGS results of VMX instructions (SDM Vol. 1 3.4.3.1 status flags; Vol.
// 3C 31.2 VMsucceed / VMfailInvalid / VMfailValid).
#include "hw_fixture.h"
#include "vmcs/vmx_caps.h"

namespace {

vmx_insn R(vmx_op op, uint32_t dst, uint64_t imm)
{
	vmx_insn in = Op(op, 0, imm);
	in.dst = VMX_REG(dst);
	return in;
}

vmx_insn RR(vmx_op op, uint32_t dst, uint32_t src)
{
	vmx_insn in = Op(op);
	in.dst = VMX_REG(dst);
	in.src = VMX_REG(src);
	return in;
}

class RegsTest : public HwTest {
protected:
	/* Run the program as the guest until its VMCALL exit. */
	void RunToVmcall()
	{
		ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
		ASSERT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	}
	uint64_t Reg(uint32_t r) const { return mem.gpr[r]; }
	uint64_t Flags() const { return Get(GUEST_RFLAGS) & X86_EFLAGS_STATUS; }
};

TEST_F(RegsTest, MovAddSubAndShifts)
{
	Program({R(VMX_OP_MOV, X86_GPR_rax, 40), R(VMX_OP_ADD, X86_GPR_rax, 2), RR(VMX_OP_MOV, X86_GPR_rbx, X86_GPR_rax),
	         R(VMX_OP_SHL, X86_GPR_rbx, 4), R(VMX_OP_SHR, X86_GPR_rbx, 1), R(VMX_OP_SUB, X86_GPR_rbx, 336),
	         R(VMX_OP_INC, X86_GPR_rcx, 0), R(VMX_OP_DEC, X86_GPR_rdx, 0), Op(VMX_OP_VMCALL)});
	RunToVmcall();
	EXPECT_EQ(Reg(X86_GPR_rax), 42u);
	EXPECT_EQ(Reg(X86_GPR_rbx), 0u);
	EXPECT_EQ(Reg(X86_GPR_rcx), 1u);
	EXPECT_EQ(Reg(X86_GPR_rdx), UINT64_MAX);
}

TEST_F(RegsTest, CmpSetsCarryAndZeroAsSubtractionDoes)
{
	// 1 - 2 borrows: CF = 1, SF = 1, ZF = 0; the register is kept.
	Program({R(VMX_OP_MOV, X86_GPR_rax, 1), R(VMX_OP_CMP, X86_GPR_rax, 2), Op(VMX_OP_VMCALL)});
	RunToVmcall();
	EXPECT_EQ(Reg(X86_GPR_rax), 1u);
	EXPECT_EQ(Flags() & (X86_EFLAGS_CF | X86_EFLAGS_ZF | X86_EFLAGS_SF), (uint64_t)(X86_EFLAGS_CF | X86_EFLAGS_SF));
}

TEST_F(RegsTest, EqualCompareSetsZeroAndParity)
{
	Program({R(VMX_OP_MOV, X86_GPR_r8, 7), R(VMX_OP_CMP, X86_GPR_r8, 7), Op(VMX_OP_VMCALL)});
	RunToVmcall();
	EXPECT_EQ(Flags(), (uint64_t)(X86_EFLAGS_ZF | X86_EFLAGS_PF));
}

TEST_F(RegsTest, SignedOverflowSetsOf)
{
	Program({R(VMX_OP_MOV, X86_GPR_rax, 0x7fffffffffffffffull), R(VMX_OP_ADD, X86_GPR_rax, 1), Op(VMX_OP_VMCALL)});
	RunToVmcall();
	EXPECT_EQ(Flags() & (X86_EFLAGS_OF | X86_EFLAGS_CF | X86_EFLAGS_SF), (uint64_t)(X86_EFLAGS_OF | X86_EFLAGS_SF));
}

TEST_F(RegsTest, UnsignedWrapSetsCarryAndZero)
{
	Program({R(VMX_OP_MOV, X86_GPR_rax, UINT64_MAX), R(VMX_OP_ADD, X86_GPR_rax, 1), Op(VMX_OP_VMCALL)});
	RunToVmcall();
	EXPECT_EQ(Flags() & (X86_EFLAGS_CF | X86_EFLAGS_ZF | X86_EFLAGS_OF), (uint64_t)(X86_EFLAGS_CF | X86_EFLAGS_ZF));
}

TEST_F(RegsTest, IncKeepsCarry)
{
	Program({R(VMX_OP_MOV, X86_GPR_rax, 0), R(VMX_OP_CMP, X86_GPR_rax, 1), R(VMX_OP_INC, X86_GPR_rax, 0),
	         Op(VMX_OP_VMCALL)});
	RunToVmcall();
	EXPECT_TRUE(Flags() & X86_EFLAGS_CF);   // from the CMP; INC leaves CF
	EXPECT_FALSE(Flags() & X86_EFLAGS_ZF);
}

TEST_F(RegsTest, ConditionalJumpTakenAndNotTaken)
{
	// rax = 5: `cmp 5; je` jumps over the first VMCALL; `cmp 6; je` falls through to the marker.
	Program({R(VMX_OP_MOV, X86_GPR_rax, 5), R(VMX_OP_CMP, X86_GPR_rax, 5), Op(VMX_OP_JCC, 4, X86_CC_E),
	         Op(VMX_OP_VMCALL), R(VMX_OP_CMP, X86_GPR_rax, 6), Op(VMX_OP_JCC, 0, X86_CC_E),
	         R(VMX_OP_MOV, X86_GPR_rbx, 1), Op(VMX_OP_VMCALL)});
	// Jump targets are addresses once laid out; the second jump would go back to the start.
	code[2].arg = At(4);
	code[5].arg = At(0);
	RunToVmcall();
	EXPECT_EQ(Get(GUEST_RIP), At(7));
	EXPECT_EQ(Reg(X86_GPR_rbx), 1u);
}

TEST(X86Cond, TheTableOfConditions)
{
	EXPECT_TRUE(x86_cond_holds(X86_CC_BE, X86_EFLAGS_CF));
	EXPECT_TRUE(x86_cond_holds(X86_CC_BE, X86_EFLAGS_ZF));
	EXPECT_FALSE(x86_cond_holds(X86_CC_A, X86_EFLAGS_ZF));
	EXPECT_TRUE(x86_cond_holds(X86_CC_A, 0));
	EXPECT_TRUE(x86_cond_holds(X86_CC_AE, X86_EFLAGS_ZF));
	EXPECT_FALSE(x86_cond_holds(X86_CC_B, X86_EFLAGS_ZF));
	EXPECT_TRUE(x86_cond_holds(X86_CC_NE, X86_EFLAGS_CF));
}

TEST(X86Gpr, NamesAndNumbers)
{
	EXPECT_STREQ(x86_gpr_name(0), "rax");
	EXPECT_STREQ(x86_gpr_name(15), "r15");
	EXPECT_EQ(x86_gpr_lookup("rdi", 3), X86_GPR_rdi);
	EXPECT_EQ(x86_gpr_lookup("rsp", 3), X86_GPR_rsp);
	EXPECT_FALSE(x86_gpr_modelled(X86_GPR_rsp));
	EXPECT_EQ(x86_gpr_lookup("eax", 3), -1);
}

/* Root operation: a hypervisor program's VMX instructions set RFLAGS (31.2). */
class VmxFlagsTest : public HwTest {
protected:
	uint64_t Flags() const { return lp.ctx.rflags & X86_EFLAGS_STATUS; }
};

TEST_F(VmxFlagsTest, VmreadIntoARegisterSucceedsAndClearsTheFlags)
{
	vmx_insn rd = Op(VMX_OP_VMREAD, GUEST_RIP);
	rd.dst = VMX_REG(X86_GPR_r9);
	lp.ctx.rflags |= X86_EFLAGS_CF | X86_EFLAGS_ZF;
	Host({rd, Op(VMX_OP_HLT)});
	vmx_lp_run(&lp, lp.cycle + 10);
	EXPECT_EQ(host.gpr[X86_GPR_r9], (uint64_t)kGuestBase);
	EXPECT_EQ(Flags(), 0u);
}

TEST_F(VmxFlagsTest, VmwriteOfAnUnknownFieldIsVmfailValid)
{
	Host({Op(VMX_OP_VMWRITE, 0x1234, 5), Op(VMX_OP_HLT)});
	vmx_lp_run(&lp, lp.cycle + 10);
	EXPECT_EQ(Flags(), (uint64_t)X86_EFLAGS_ZF);
	EXPECT_EQ(Get(VM_INSTRUCTION_ERROR), 12u);
	ASSERT_EQ(Count(HW_VMFAIL), 1);
	EXPECT_EQ(events[0].insn, (uint32_t)VMX_OP_VMWRITE);
}

TEST_F(VmxFlagsTest, WithoutACurrentVmcsItIsVmfailInvalid)
{
	vmx_lp_vmclear(&lp, &v);
	Host({Op(VMX_OP_VMREAD, GUEST_RIP), Op(VMX_OP_HLT)});
	vmx_lp_run(&lp, lp.cycle + 10);
	EXPECT_EQ(Flags(), (uint64_t)X86_EFLAGS_CF);
}

TEST_F(VmxFlagsTest, VmwriteFromARegister)
{
	vmx_insn wr = Op(VMX_OP_VMWRITE, GUEST_RIP);
	wr.src = VMX_REG(X86_GPR_rsi);
	Host({wr, Op(VMX_OP_HLT)});
	host.gpr[X86_GPR_rsi] = 0x4242;
	vmx_lp_run(&lp, lp.cycle + 10);
	EXPECT_EQ(Get(GUEST_RIP), 0x4242u);
}

TEST_F(VmxFlagsTest, RdmsrReadsTheCapabilityMsr)
{
	vmx_insn rd = Op(VMX_OP_RDMSR, MSR_IA32_VMX_PINBASED_CTLS);
	rd.dst = VMX_REG(X86_GPR_rax);
	Host({rd, Op(VMX_OP_HLT)});
	vmx_lp_run(&lp, lp.cycle + 10);
	EXPECT_EQ(host.gpr[X86_GPR_rax], model.caps.pinbased_ctls);
}

} // namespace
