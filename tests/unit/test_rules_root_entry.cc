/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rules_root_entry.cc - VM entries made by a root program (the L1
 * hypervisor of `l0 none`, as kvm-unit-tests runs): the VMLAUNCH or
 * VMRESUME retires, and the blocking by STI or MOV SS that the entry loads
 * from the interruptibility-state field must still hold at the guest's
 * first instruction boundary (R15, SDM Vol. 3C 26.7.1 "Interruptibility
 * State"), while R13 still sees a MOV-SS shadow of the root program itself.
 */
#include "hw_fixture.h"

namespace {

class RuleRootEntry : public HwTest {
protected:
	/* The root program: VMLAUNCH, and the exit handler after it. */
	void LaunchFromProgram()
	{
		Host({Op(VMX_OP_VMLAUNCH), Op(VMX_OP_HLT)});
		Set(HOST_RIP, host_code[1].addr);
	}
};

}  // namespace

/* kvm-unit-tests nmi_window.movss_blocking: the NMI-window exit comes after the NOP. */
TEST_F(RuleRootEntry, R15_MovSsBlockingFromTheFieldHoldsTheNmiWindowForOneInstruction)
{
	SetBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VIRTUAL_NMIS);
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_NMI_WINDOW_EXITING);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_MOV_SS);
	Program({Op(VMX_OP_NOP), Work(10)});
	LaunchFromProgram();
	ASSERT_EQ(vmx_lp_run(&lp, 100000), VMX_RUN_EXIT);
	EXPECT_EQ(Get(VM_EXIT_REASON), (uint64_t)EXIT_REASON_NMI_WINDOW);
	EXPECT_EQ(Get(GUEST_RIP), At(1));
	EXPECT_EQ(Get(GUEST_INTERRUPTIBILITY_INFO), 0u);
}

/* kvm-unit-tests intr_window.sti_if1: the interrupt-window exit comes after the NOP. */
TEST_F(RuleRootEntry, R15_StiBlockingFromTheFieldHoldsTheInterruptWindowForOneInstruction)
{
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_INTR_WINDOW_EXITING);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI);
	Program({Op(VMX_OP_NOP), Work(10)});
	LaunchFromProgram();
	ASSERT_EQ(vmx_lp_run(&lp, 100000), VMX_RUN_EXIT);
	EXPECT_EQ(Get(VM_EXIT_REASON), (uint64_t)EXIT_REASON_INTERRUPT_WINDOW);
	EXPECT_EQ(Get(GUEST_RIP), At(1));
}

/* With an injected event the field's STI/MOV-SS bits do not apply (R15). */
TEST_F(RuleRootEntry, R15_InjectionStillDropsTheShadowOfTheField)
{
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_INTR_WINDOW_EXITING);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI);
	Set(VM_ENTRY_INTR_INFO_FIELD, intr_info_make(INTR_TYPE_HARD_EXCEPTION, DB_VECTOR, false));
	Program({Op(VMX_OP_NOP), Work(10), Op(VMX_OP_IRET)});
	Gate(DB_VECTOR, 2, VMX_GATE_TRAP);
	LaunchFromProgram();
	ASSERT_EQ(vmx_lp_run(&lp, 100000), VMX_RUN_EXIT);
	EXPECT_EQ(Get(VM_EXIT_REASON), (uint64_t)EXIT_REASON_INTERRUPT_WINDOW);
	EXPECT_EQ(Get(GUEST_RIP), At(2));
}

/* R13 looks at the root program's own boundary: MOV SS then VMLAUNCH fails with error 26. */
TEST_F(RuleRootEntry, R13_MovSsBeforeTheProgramsVmlaunchStillFails)
{
	Host({Op(VMX_OP_MOV_SS), Op(VMX_OP_VMLAUNCH), Op(VMX_OP_HLT)});
	vmx_lp_run(&lp, 100000);
	EXPECT_FALSE(lp.non_root);
	EXPECT_EQ(Get(VM_INSTRUCTION_ERROR), 26u);
	EXPECT_EQ(lp.ctx.rip, host_code[2].addr + 1);
}

/*
 * R25 (SDM 27.5): after a VM exit there is no blocking by MOV SS, even when
 * the exit came inside the guest's MOV-SS shadow (which is saved, R25/27.3.4).
 * The root program's first instruction at HOST_RIP is a VMRESUME, which R13
 * would fail with error 26 if the shadow had leaked into root operation.
 */
TEST_F(RuleRootEntry, R25_VmresumeFirstAtHostRipAfterAnExitInsideAMovSsShadowEnters)
{
	Set(GUEST_RFLAGS, X86_EFLAGS_FIXED);
	Program({Op(VMX_OP_MOV_SS), Op(VMX_OP_VMCALL), Work(10)});
	Host({Op(VMX_OP_VMLAUNCH), Op(VMX_OP_VMRESUME), Op(VMX_OP_HLT)});
	Set(HOST_RIP, host_code[1].addr);
	ASSERT_EQ(vmx_lp_run(&lp, 100000), VMX_RUN_EXIT);
	EXPECT_EQ(Get(VM_EXIT_REASON), (uint64_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(Get(GUEST_RIP), At(1));
	EXPECT_EQ(Get(GUEST_INTERRUPTIBILITY_INFO), (uint64_t)GUEST_INTR_STATE_MOV_SS);
	EXPECT_EQ(vmx_lp_blocking(&lp), 0u);   /* no STI, MOV SS or NMI blocking; IF = 0 */

	/* The VMRESUME at HOST_RIP enters again: the VMCALL exits again, in the shadow the field gave back. */
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 100000), VMX_RUN_EXIT);
	EXPECT_EQ(Count(HW_VMFAIL), 0);
	EXPECT_EQ(Count(HW_VMENTRY), 2);
	EXPECT_EQ(Get(VM_EXIT_REASON), (uint64_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(Get(GUEST_INTERRUPTIBILITY_INFO), (uint64_t)GUEST_INTR_STATE_MOV_SS);
}

/* R13 for VMRESUME: a MOV SS of the root program right before it still fails it with error 26. */
TEST_F(RuleRootEntry, R13_MovSsBeforeTheProgramsVmresumeStillFails)
{
	Program({Op(VMX_OP_VMCALL)});
	Host({Op(VMX_OP_VMLAUNCH), Op(VMX_OP_MOV_SS), Op(VMX_OP_VMRESUME), Op(VMX_OP_HLT)});
	Set(HOST_RIP, host_code[1].addr);
	ASSERT_EQ(vmx_lp_run(&lp, 100000), VMX_RUN_EXIT);
	vmx_lp_run(&lp, lp.cycle + 100000);
	EXPECT_FALSE(lp.non_root);
	EXPECT_EQ(Count(HW_VMENTRY), 1);
	EXPECT_EQ(Get(VM_INSTRUCTION_ERROR), 26u);
	EXPECT_EQ(lp.ctx.rip, host_code[3].addr + 1);   /* past the HLT after the failed VMRESUME */
}
