/* SPDX-License-Identifier: Apache-2.0 */
/* Smoke tests of the processor model: an entry, an exit, a delivery. */
#include "hw_fixture.h"

TEST_F(HwTest, SmokeVmcallExits)
{
	Program({Work(10), Op(VMX_OP_VMCALL), Work(10)});
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(Get(GUEST_RIP), At(1));
	EXPECT_EQ(Get(VM_EXIT_INSTRUCTION_LEN), 3u);
	EXPECT_EQ(lp.ctx.rip, kHostRip);
	EXPECT_FALSE(lp.non_root);
}

TEST_F(HwTest, SmokeNmiExitWithNmiExiting)
{
	Program({Work(1000)});
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 100), VMX_RUN_LIMIT);
	vmx_lp_nmi(&lp);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 100), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_EXCEPTION_NMI);
	EXPECT_EQ(Get(VM_EXIT_INTR_INFO), 0x80000202u);
	EXPECT_TRUE(lp.nmi_blocked);
}
