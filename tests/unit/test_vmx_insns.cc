/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_vmx_insns.cc - the VMX instructions of a root program with several
 * regions (SDM Vol. 3C "VMX Instruction Reference"): VMXON, VMXOFF,
 * VMCLEAR, VMPTRLD, VMPTRST and the current-VMCS pointer they move; each
 * VMfailInvalid and VMfailValid with its error number (vmcs/
 * vmx_insn_errors.def) and its RFLAGS; #UD outside VMX operation; VM
 * exits in non-root operation; the launch state across VMCLEAR.
 */
#include "root_fixture.h"

#include "vmcs/x86_gpr.h"

namespace {

constexpr uint64_t kVmxon = VMX_REGION_ADDR(VMX_REGION_VMXON);
constexpr uint64_t kV = VMX_REGION_ADDR(VMX_REGION_VMCS0);
constexpr uint64_t kOther = VMX_REGION_ADDR(2);   /* the first extra region */

class VmxInsn : public RootTest {
protected:
	/* One instruction, then HLT: run it and stop in the HLT. */
	void One(vmx_insn in, bool vmx_on = true, std::vector<uint32_t> extra = {})
	{
		Host({in, Op(VMX_OP_HLT)}, vmx_on, extra);
		EXPECT_EQ(Run(), VMX_RUN_LIMIT);
		EXPECT_EQ(lp.ctx.activity, (uint32_t)GUEST_ACTIVITY_HLT) << "the instruction did not complete";
	}

	bool Cf() const { return (lp.ctx.rflags & X86_EFLAGS_CF) != 0; }
	bool Zf() const { return (lp.ctx.rflags & X86_EFLAGS_ZF) != 0; }

	void ExpectSucceed()
	{
		EXPECT_FALSE(Cf());
		EXPECT_FALSE(Zf());
		EXPECT_TRUE(Fails().empty());
	}

	/* VMfailValid: ZF, the number in the current VMCS, and the trace. */
	void ExpectFailValid(vmx_op op, uint32_t err)
	{
		ASSERT_NE(lp.vmcs, nullptr);
		EXPECT_TRUE(Zf());
		EXPECT_FALSE(Cf());
		EXPECT_EQ(vmcs_get32(lp.vmcs, VM_INSTRUCTION_ERROR), err);
		ASSERT_EQ(Fails().size(), 1u);
		EXPECT_EQ(Fails()[0].insn, (uint32_t)op);
		EXPECT_EQ(Fails()[0].error, err);
		EXPECT_EQ(Fails()[0].rip, HostAt(0));
	}

	void ExpectFailInvalid(vmx_op op)
	{
		EXPECT_TRUE(Cf());
		EXPECT_FALSE(Zf());
		ASSERT_EQ(Fails().size(), 1u);
		EXPECT_EQ(Fails()[0].insn, (uint32_t)op);
		EXPECT_EQ(Fails()[0].error, 0u);
	}
};

}  // namespace

/* ---- VMPTRLD ---- */

TEST_F(VmxInsn, VmptrldMakesARegionCurrent)
{
	One(Op(VMX_OP_VMPTRLD, kOther), true, {model.revision_id});
	ExpectSucceed();
	EXPECT_EQ(lp.vmcs, &regions[2]);
}

TEST_F(VmxInsn, VmptrldBadRevisionIsError11)
{
	One(Op(VMX_OP_VMPTRLD, kOther), true, {model.revision_id + 1});
	ExpectFailValid(VMX_OP_VMPTRLD, VMXERR_VMPTRLD_INCORRECT_REVISION_ID);
	EXPECT_EQ(lp.vmcs, &V());   /* the current VMCS stays */
	EXPECT_STREQ(Fails()[0].check, "VMPTRLD with incorrect VMCS revision identifier");
}

TEST_F(VmxInsn, VmptrldShadowIndicatorIsError11)
{
	/* Bit 31 of the revision word marks a shadow VMCS; without VMCS shadowing it never loads. */
	One(Op(VMX_OP_VMPTRLD, kOther), true, {model.revision_id | 0x80000000u});
	ExpectFailValid(VMX_OP_VMPTRLD, VMXERR_VMPTRLD_INCORRECT_REVISION_ID);
}

TEST_F(VmxInsn, VmptrldOfMemoryThatIsNoRegionReadsRevision0)
{
	One(Op(VMX_OP_VMPTRLD, 0x300000));
	ExpectFailValid(VMX_OP_VMPTRLD, VMXERR_VMPTRLD_INCORRECT_REVISION_ID);
}

TEST_F(VmxInsn, VmptrldBadRevisionWithoutCurrentVmcsIsVmfailInvalid)
{
	Host({Op(VMX_OP_VMCLEAR, kV), Op(VMX_OP_VMPTRLD, kOther), Op(VMX_OP_HLT)}, true, {1});
	Run();
	EXPECT_EQ(lp.vmcs, nullptr);
	EXPECT_TRUE(Cf());
	ASSERT_EQ(Fails().size(), 1u);
	EXPECT_EQ(Fails()[0].error, 0u);
	EXPECT_EQ(Fails()[0].rip, HostAt(1));
	EXPECT_STREQ(Fails()[0].check, "VMPTRLD with incorrect VMCS revision identifier");
}

TEST_F(VmxInsn, VmptrldVmxonPointerIsError10)
{
	One(Op(VMX_OP_VMPTRLD, kVmxon));
	ExpectFailValid(VMX_OP_VMPTRLD, VMXERR_VMPTRLD_VMXON_POINTER);
}

TEST_F(VmxInsn, VmptrldInvalidAddressIsError9)
{
	for (uint64_t addr : {kV + 8, (uint64_t)1 << model.phys_addr_bits, (uint64_t)VMX_INVALID_VMCS_PTR}) {
		events.clear();
		One(Op(VMX_OP_VMPTRLD, addr));
		ExpectFailValid(VMX_OP_VMPTRLD, VMXERR_VMPTRLD_INVALID_ADDRESS);
	}
}

TEST_F(VmxInsn, VmptrldFromARegister)
{
	Host({Reg(Op(VMX_OP_MOV, 0, kOther), X86_GPR_rbx), Reg(Op(VMX_OP_VMPTRLD), -1, X86_GPR_rbx), Op(VMX_OP_HLT)},
	     true, {model.revision_id});
	Run();
	EXPECT_EQ(lp.vmcs, &regions[2]);
	EXPECT_TRUE(Fails().empty());
}

/* ---- VMPTRST ---- */

TEST_F(VmxInsn, VmptrstStoresTheCurrentPointerOrAllOnes)
{
	Host({Reg(Op(VMX_OP_VMPTRST), X86_GPR_rax), Op(VMX_OP_VMCLEAR, kV), Reg(Op(VMX_OP_VMPTRST), X86_GPR_rcx),
	      Op(VMX_OP_HLT)});
	Run();
	EXPECT_EQ(Gpr(X86_GPR_rax), kV);
	EXPECT_EQ(Gpr(X86_GPR_rcx), VMX_INVALID_VMCS_PTR);
	ExpectSucceed();   /* VMPTRST succeeds without a current VMCS too */
}

/* ---- VMCLEAR ---- */

TEST_F(VmxInsn, VmclearOfTheCurrentVmcsLeavesNoneCurrent)
{
	Host({Op(VMX_OP_VMCLEAR, kV), Op(VMX_OP_VMREAD, VM_EXIT_REASON), Op(VMX_OP_HLT)});
	V().launch_state = VMCS_LAUNCHED;
	Run();
	EXPECT_EQ(lp.vmcs, nullptr);
	EXPECT_EQ(V().launch_state, VMCS_CLEAR);
	/* "VMLAUNCH/VMRESUME/VMREAD/VMWRITE with no current VMCS": VMfailInvalid. */
	EXPECT_TRUE(Cf());
	ASSERT_EQ(Fails().size(), 1u);
	EXPECT_EQ(Fails()[0].insn, (uint32_t)VMX_OP_VMREAD);
	EXPECT_STREQ(Fails()[0].check, "current-VMCS pointer is valid");
}

TEST_F(VmxInsn, NoCurrentVmcsFailsVmlaunchVmresumeVmwriteInvalid)
{
	for (vmx_op op : {VMX_OP_VMLAUNCH, VMX_OP_VMRESUME, VMX_OP_VMWRITE}) {
		events.clear();
		Host({Op(VMX_OP_VMCLEAR, kV), Op(op, op == VMX_OP_VMWRITE ? GUEST_RIP : 0), Op(VMX_OP_HLT)});
		Run();
		EXPECT_TRUE(Cf()) << vmx_op_name(op);
		ASSERT_EQ(Fails().size(), 1u) << vmx_op_name(op);
		EXPECT_EQ(Fails()[0].error, 0u);
	}
}

TEST_F(VmxInsn, VmclearOfAnotherRegionKeepsTheCurrentVmcs)
{
	Host({Op(VMX_OP_VMCLEAR, kOther), Op(VMX_OP_HLT)}, true, {model.revision_id});
	regions[2].launch_state = VMCS_LAUNCHED;
	Run();
	ExpectSucceed();
	EXPECT_EQ(lp.vmcs, &V());
	EXPECT_EQ(regions[2].launch_state, VMCS_CLEAR);
}

TEST_F(VmxInsn, VmclearChecksNoRevision)
{
	One(Op(VMX_OP_VMCLEAR, kOther), true, {7});
	ExpectSucceed();
}

TEST_F(VmxInsn, VmclearVmxonPointerIsError3)
{
	One(Op(VMX_OP_VMCLEAR, kVmxon));
	ExpectFailValid(VMX_OP_VMCLEAR, VMXERR_VMCLEAR_VMXON_POINTER);
}

TEST_F(VmxInsn, VmclearInvalidAddressIsError2)
{
	One(Op(VMX_OP_VMCLEAR, kV | 0x800));
	ExpectFailValid(VMX_OP_VMCLEAR, VMXERR_VMCLEAR_INVALID_ADDRESS);
}

/* ---- Launch state ---- */

TEST_F(VmxInsn, VmlaunchOfALaunchedVmcsIsError4AndVmclearMakesItClearAgain)
{
	Program({Op(VMX_OP_VMCALL)});
	Host({Op(VMX_OP_VMLAUNCH), Op(VMX_OP_VMLAUNCH), Op(VMX_OP_VMCLEAR, kV), Op(VMX_OP_VMPTRLD, kV),
	      Op(VMX_OP_VMLAUNCH), Op(VMX_OP_HLT)});
	vmcs_set(&V(), HOST_RIP, HostAt(1));
	ASSERT_EQ(Run(), VMX_RUN_EXIT);              /* launched: VMCALL exits to insn 1 */
	EXPECT_EQ(V().launch_state, VMCS_LAUNCHED);
	vmcs_set(&V(), HOST_RIP, HostAt(5));
	ASSERT_EQ(Run(), VMX_RUN_EXIT);              /* insn 1 fails (4), VMCLEAR, VMPTRLD, VMLAUNCH enters */
	ASSERT_EQ(Fails().size(), 1u);
	EXPECT_EQ(Fails()[0].error, (uint32_t)VMXERR_VMLAUNCH_NONCLEAR_VMCS);
	EXPECT_EQ(Fails()[0].rip, HostAt(1));
	EXPECT_EQ(Count(HW_VMENTRY), 2);
}

TEST_F(VmxInsn, VmresumeOfAClearVmcsIsError5)
{
	One(Op(VMX_OP_VMRESUME));
	ASSERT_EQ(Fails().size(), 1u);
	EXPECT_EQ(Fails()[0].error, (uint32_t)VMXERR_VMRESUME_NONLAUNCHED_VMCS);
	EXPECT_TRUE(Zf());
}

/* ---- VMXON, VMXOFF ---- */

TEST_F(VmxInsn, VmxonInRootOperationIsError15)
{
	One(Op(VMX_OP_VMXON, kVmxon));
	ExpectFailValid(VMX_OP_VMXON, VMXERR_VMXON_IN_ROOT);
}

TEST_F(VmxInsn, VmxonInRootOperationWithoutCurrentVmcsIsVmfailInvalid)
{
	Host({Op(VMX_OP_VMCLEAR, kV), Op(VMX_OP_VMXON, kVmxon), Op(VMX_OP_HLT)});
	Run();
	EXPECT_TRUE(Cf());
	ASSERT_EQ(Fails().size(), 1u);
	EXPECT_STREQ(Fails()[0].check, "VMXON executed in VMX root operation");
}

TEST_F(VmxInsn, VmxonEntersVmxOperationWithoutCurrentVmcs)
{
	One(Op(VMX_OP_VMXON, kOther), false, {model.revision_id});
	ExpectSucceed();
	EXPECT_TRUE(lp.vmx_operation);
	EXPECT_EQ(lp.vmxon_ptr, kOther);
	EXPECT_EQ(lp.vmcs, nullptr);
}

TEST_F(VmxInsn, VmxonChecksTheRegionAndFailsInvalid)
{
	for (uint64_t addr : {kOther, kOther + 0x10, (uint64_t)1 << 40}) {
		events.clear();
		One(Op(VMX_OP_VMXON, addr), false, {model.revision_id + 1});
		ExpectFailInvalid(VMX_OP_VMXON);
		EXPECT_FALSE(lp.vmx_operation);
	}
}

TEST_F(VmxInsn, TheVmxonPointerIsTheRegionVmxonNamed)
{
	/* After VMXON with another region, that region is the one VMPTRLD refuses, and the old one is memory. */
	Host({Op(VMX_OP_VMXON, kOther), Op(VMX_OP_VMPTRLD, kV), Op(VMX_OP_VMPTRLD, kOther), Op(VMX_OP_HLT)}, false,
	     {model.revision_id});
	Run();
	ASSERT_EQ(Fails().size(), 1u);
	EXPECT_EQ(Fails()[0].rip, HostAt(2));
	EXPECT_EQ(Fails()[0].error, (uint32_t)VMXERR_VMPTRLD_VMXON_POINTER);
}

TEST_F(VmxInsn, VmxoffLeavesVmxOperation)
{
	One(Op(VMX_OP_VMXOFF));
	ExpectSucceed();
	EXPECT_FALSE(lp.vmx_operation);
	EXPECT_EQ(lp.vmcs, nullptr);
}

TEST_F(VmxInsn, OutsideVmxOperationEveryVmxInstructionButVmxonIsUd)
{
	for (vmx_op op : {VMX_OP_VMXOFF, VMX_OP_VMCLEAR, VMX_OP_VMPTRLD, VMX_OP_VMPTRST, VMX_OP_VMLAUNCH,
	                  VMX_OP_VMRESUME, VMX_OP_VMREAD, VMX_OP_VMWRITE, VMX_OP_VMCALL}) {
		events.clear();
		Host({Op(op, kV), Op(VMX_OP_HLT), Op(VMX_OP_HLT)}, false);
		host.idt[UD_VECTOR].type = VMX_GATE_INTERRUPT;
		host.idt[UD_VECTOR].handler = HostAt(2);
		Run();
		ASSERT_EQ(Count(HW_DELIVER), 1) << vmx_op_name(op);
		EXPECT_EQ(First(HW_DELIVER)->vector, (uint32_t)UD_VECTOR);
		EXPECT_TRUE(Fails().empty());
		EXPECT_EQ(host.stack[0].rip, HostAt(0)) << "a fault returns to the instruction";
	}
}

/* ---- In VMX non-root operation: VM exits ---- */

TEST_F(VmxInsn, InNonRootOperationEachCausesItsExit)
{
	const struct {
		vmx_op op;
		uint32_t reason;
		uint32_t len;
	} cases[] = {
		{VMX_OP_VMCLEAR, EXIT_REASON_VMCLEAR, 4}, {VMX_OP_VMPTRLD, EXIT_REASON_VMPTRLD, 3},
		{VMX_OP_VMPTRST, EXIT_REASON_VMPTRST, 3}, {VMX_OP_VMXOFF, EXIT_REASON_VMOFF, 3},
		{VMX_OP_VMXON, EXIT_REASON_VMON, 4},
	};
	for (const auto &c : cases) {
		Use("nehalem");
		Program({Op(c.op, kV)});
		ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
		EXPECT_EQ(ExitReason(), c.reason) << vmx_op_name(c.op);
		EXPECT_EQ(Get(VM_EXIT_INSTRUCTION_LEN), c.len) << vmx_op_name(c.op);
		EXPECT_EQ(Get(GUEST_RIP), At(0));
	}
}
