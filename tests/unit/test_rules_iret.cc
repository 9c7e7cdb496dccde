/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rules_iret.cc - IRET and NMI blocking in non-root operation: what
 * IRET unblocks with and without NMI exiting and virtual NMIs (R16), and
 * the "NMI unblocking due to IRET" bit of an exit caused by a fault of
 * that IRET, in the interruption information or an EPT violation's
 * qualification (R17).
 */
#include "nmi_intr_fixture.h"

/* ---- R16: IRET and NMI blocking ---- */

TEST_F(RuleNmiIntr, R16_IretUnblocksNmisWithNmiExitingZero)
{
	NoPin(PIN_BASED_NMI_EXITING);
	/* 0: main, 1: NMI handler, 2: IRET. */
	Program({Work(1000), Work(20), Op(VMX_OP_IRET)});
	Gate(NMI_VECTOR, 1);
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 10), VMX_RUN_LIMIT);
	vmx_lp_nmi(&lp);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 5), VMX_RUN_LIMIT);     /* delivered: in the handler */
	ASSERT_EQ(lp.ctx.rip, At(1));
	ASSERT_TRUE(lp.nmi_blocked);
	vmx_lp_nmi(&lp);                                             /* held by blocking by NMI */
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 10), VMX_RUN_LIMIT);
	EXPECT_EQ(Count(HW_DELIVER), 1);
	EXPECT_TRUE(lp.nmi_latched);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 200), VMX_RUN_LIMIT);   /* IRET, second delivery, IRET */
	EXPECT_EQ(Count(HW_DELIVER), 2);
	auto irets = Of(HW_IRET);
	ASSERT_EQ(irets.size(), 2u);
	EXPECT_TRUE(irets[0].nmi_unblocked);
	EXPECT_TRUE(irets[1].nmi_unblocked);
	EXPECT_EQ(irets[0].rip, kGuestBase + 10);   /* both return to the interrupted main code */
	EXPECT_EQ(irets[1].rip, kGuestBase + 10);
	EXPECT_FALSE(lp.nmi_blocked);
	EXPECT_FALSE(lp.nmi_latched);
}

TEST_F(RuleNmiIntr, R16_IretKeepsBlockingWithNmiExitingAndNoVirtualNmis)
{
	/* 0: VMCALL (the guest RIP the IRET returns to), 1: handler, 2: IRET. */
	Program({Op(VMX_OP_VMCALL), Work(5), Op(VMX_OP_IRET)});
	Gate(NMI_VECTOR, 1);
	Inject(0x80000202);
	vmx_lp_nmi(&lp);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_VMCALL, At(0));
	auto irets = Of(HW_IRET);
	ASSERT_EQ(irets.size(), 1u);
	EXPECT_FALSE(irets[0].nmi_unblocked);
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), 0u);   /* NMI exiting, no virtual NMIs: blocking by NMI ended with the exit and is not saved (model, docs/sdm-rules.md) */
	EXPECT_TRUE(lp.nmi_latched);     /* never recognised in the guest, even after its IRET */
	EXPECT_FALSE(lp.nmi_blocked);    /* the host takes it after the exit */
}

TEST_F(RuleNmiIntr, R16_IretRemovesVirtualNmiBlocking)
{
	Pin(PIN_BASED_VIRTUAL_NMIS);
	Program({Op(VMX_OP_VMCALL), Work(5), Op(VMX_OP_IRET)});
	Gate(NMI_VECTOR, 1);
	Inject(0x80000202);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_VMCALL, At(0));
	auto irets = Of(HW_IRET);
	ASSERT_EQ(irets.size(), 1u);
	EXPECT_TRUE(irets[0].nmi_unblocked);
	EXPECT_EQ(irets[0].rip, At(0));
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), 0u);
	EXPECT_FALSE(lp.nmi_blocked);
}

TEST_F(RuleNmiIntr, R16_IretWithoutBlockingReportsNoUnblocking)
{
	Pin(PIN_BASED_VIRTUAL_NMIS);
	Program({Op(VMX_OP_VMCALL), Work(5), Op(VMX_OP_IRET)});
	Gate(0x30, 1);
	Inject(0x80000030);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	auto irets = Of(HW_IRET);
	ASSERT_EQ(irets.size(), 1u);
	EXPECT_FALSE(irets[0].nmi_unblocked);
}

/* ---- R17: NMI unblocking due to IRET ---- */

namespace {

class RuleNmiIntrIretFault : public RuleNmiIntr {
protected:
	void SetUp() override
	{
		RuleNmiIntr::SetUp();
		Program({Op(VMX_OP_IRET), Work(10)});   /* empty stack: the IRET faults with #GP(0) */
		Set(EXCEPTION_BITMAP, 1u << GP_VECTOR);
	}
};

}  // namespace

TEST_F(RuleNmiIntrIretFault, R17_IretGpAfterRemovingVirtualNmiBlockingSetsBit12)
{
	Pin(PIN_BASED_VIRTUAL_NMIS);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EXCEPTION_NMI, At(0));
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), 0x80001b0du);
	EXPECT_EQ(G(VM_EXIT_INTR_ERROR_CODE), 0u);
	EXPECT_EQ(G(IDT_VECTORING_INFO_FIELD), 0u);
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), 0u);   /* the blocking is gone even though IRET faulted */
}

TEST_F(RuleNmiIntrIretFault, R17_IretGpWithoutBlockingLeavesBit12Clear)
{
	Pin(PIN_BASED_VIRTUAL_NMIS);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), 0x80000b0du);
}

TEST_F(RuleNmiIntrIretFault, R17_IretGpAfterRemovingBlockingByNmiSetsBit12)
{
	NoPin(PIN_BASED_NMI_EXITING);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), 0x80001b0du);
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), 0u);
	EXPECT_FALSE(lp.nmi_blocked);
}

TEST_F(RuleNmiIntrIretFault, R17_IretGpWithNmiExitingAndNoVirtualNmisLeavesBit12Clear)
{
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), 0x80000b0du);
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), 0u);   /* NMI exiting, no virtual NMIs: blocking by NMI ended with the exit and is not saved (model, docs/sdm-rules.md) */
}

TEST_F(RuleNmiIntrIretFault, R17_EptViolationOnIretReportsUnblockingInTheQualification)
{
	Pin(PIN_BASED_VIRTUAL_NMIS);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
	mem.stack_not_present = true;
	mem.depth = 1;
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EPT_VIOLATION, At(0));
	EXPECT_EQ(Get(EXIT_QUALIFICATION), 0x1001u);   /* data read | NMI unblocking due to IRET */
	EXPECT_EQ(Get(GUEST_PHYSICAL_ADDRESS), 0x7000u);
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), 0u);
	EXPECT_EQ(G(IDT_VECTORING_INFO_FIELD), 0u);
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), 0u);
}

TEST_F(RuleNmiIntrIretFault, R17_EptViolationOnIretWithoutBlockingLeavesBit12Clear)
{
	Pin(PIN_BASED_VIRTUAL_NMIS);
	mem.stack_not_present = true;
	mem.depth = 1;
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_EPT_VIOLATION, At(0));
	EXPECT_EQ(Get(EXIT_QUALIFICATION), 0x1u);
}

TEST_F(RuleNmiIntrIretFault, R17_VmmRestoresBlockingAndTheIretSucceedsOnResume)
{
	/* KVM's vmx_recover_nmi_blocking: bit 12 tells the VMM to set bit 3 again before resuming. */
	Pin(PIN_BASED_VIRTUAL_NMIS);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
	mem.stack_not_present = true;
	mem.depth = 1;
	mem.stack[0] = vmx_frame{At(1), X86_EFLAGS_FIXED | X86_EFLAGS_IF, false, 0};
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ASSERT_EQ(Get(EXIT_QUALIFICATION) & 0x1000u, 0x1000u);
	Set(GUEST_INTERRUPTIBILITY_INFO, G(GUEST_INTERRUPTIBILITY_INFO) | GUEST_INTR_STATE_NMI);
	mem.stack_not_present = false;
	Program({Op(VMX_OP_IRET), Op(VMX_OP_VMCALL)});
	mem.stack[0] = vmx_frame{At(1), X86_EFLAGS_FIXED | X86_EFLAGS_IF, false, 0};
	mem.depth = 1;
	ASSERT_EQ(Resume(), VMX_RUN_EXIT);
	ExpectExit(EXIT_REASON_VMCALL, At(1));
	auto irets = Of(HW_IRET);
	ASSERT_EQ(irets.size(), 1u);
	EXPECT_TRUE(irets[0].nmi_unblocked);
}
