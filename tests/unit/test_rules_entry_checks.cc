/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rules_entry_checks.cc - VM-entry checks of the basic conditions and
 * the control fields (R4, R5, R13, the APIC-virtualization controls, the
 * TPR threshold, unrestricted guest): every failing check with its exact
 * outcome. The event-injection fields are test_rules_entry_inject.cc's, host
 * and guest state test_rules_entry_state.cc's.
 */
#include "rule_entry_fixture.h"

/* ---- R13 and the other basic checks: no VMCS, MOV SS (26), launch state (4 / 5) ---- */

TEST_F(RuleEntry, R13_NoCurrentVmcsIsVmfailInvalid)
{
	vmx_lp_vmclear(&lp, &v);
	EXPECT_EQ(Launch(), VMX_ENTRY_FAIL_INVALID);
	EXPECT_FALSE(lp.non_root);
	EXPECT_EQ(G(VM_INSTRUCTION_ERROR), 0u);
}

TEST_F(RuleEntry, R13_MovSsBlockingFailsWith26)
{
	vmx_lp_exec_root(&lp, VMX_OP_MOV_SS, 0, 0);
	ASSERT_TRUE(vmx_lp_movss_blocking(&lp));
	ExpectFailValid(26);
}

TEST_F(RuleEntry, R13_MovSsShadowEndsAfterOneInstruction)
{
	vmx_lp_exec_root(&lp, VMX_OP_MOV_SS, 0, 0);
	vmx_lp_exec_root(&lp, VMX_OP_NOP, 0, 0);
	ExpectEnters();
}

TEST_F(RuleEntry, R13_StiBlockingDoesNotFailEntry)
{
	vmx_lp_exec_root(&lp, VMX_OP_STI, 0, 0);
	ASSERT_TRUE(vmx_lp_sti_blocking(&lp));
	ExpectEnters();
}

TEST_F(RuleEntry, R13_VmresumeWithMovSsBlockingAlsoFailsWith26)
{
	v.launch_state = VMCS_LAUNCHED;
	vmx_lp_exec_root(&lp, VMX_OP_MOV_SS, 0, 0);
	ExpectFailValid(26, false);
}

TEST_F(RuleEntry, R13_VmlaunchOfLaunchedVmcsFailsWith4)
{
	Program({Op(VMX_OP_VMCALL)});
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ASSERT_EQ(v.launch_state, VMCS_LAUNCHED);
	ExpectFailValid(4);
}

TEST_F(RuleEntry, R13_VmresumeOfClearVmcsFailsWith5)
{
	ExpectFailValid(5, false);
}

TEST_F(RuleEntry, R13_VmresumeOfLaunchedVmcsEnters)
{
	Program({Op(VMX_OP_VMCALL)});
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(vmx_lp_vmentry(&lp, false), VMX_ENTRY_OK) << LastCheck();
	EXPECT_TRUE(lp.non_root);
}

/* ---- R4: NMI controls ---- */

TEST_F(RuleEntry, R4_VirtualNmisWithoutNmiExitingFailsWith7)
{
	ClearBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_NMI_EXITING);
	SetBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VIRTUAL_NMIS);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R4:"));
}

TEST_F(RuleEntry, R4_NmiWindowWithoutVirtualNmisFailsWith7)
{
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_NMI_WINDOW_EXITING);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R4:"));
}

TEST_F(RuleEntry, R4_NmiWindowWithVirtualNmisAndNmiExitingEnters)
{
	SetBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VIRTUAL_NMIS);
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_NMI_WINDOW_EXITING);
	ExpectEnters();
}

TEST_F(RuleEntry, R4_NmiExitingWithoutVirtualNmisEnters)
{
	ExpectEnters();   /* the fixture: NMI exiting = 1, virtual NMIs = 0 */
}

TEST_F(RuleEntry, R4_VirtualNmisUnsupportedOnCore2FailsWith7)
{
	Use("core2-no-vnmi");
	SetBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VIRTUAL_NMIS);
	ExpectFailValid(7);
}

/* ---- R5: posted interrupts, virtual-interrupt delivery, preemption-timer save ---- */

TEST_F(RuleEntry, R5_VirtualInterruptDeliveryRequiresExtIntExiting)
{
	Use("sapphire-rapids");
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_TPR_SHADOW);
	Secondary(SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY);
	ClearBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_EXT_INTR_MASK);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R5:"));
}

TEST_F(RuleEntry, R5_VirtualInterruptDeliveryWithExtIntExitingEnters)
{
	Use("sapphire-rapids");
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_TPR_SHADOW);
	Secondary(SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY);
	ExpectEnters();
}

namespace {

class RuleEntryPosted : public RuleEntry {
protected:
	void SetUp() override
	{
		Use("sapphire-rapids");
		SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_TPR_SHADOW);
		Secondary(SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY);
		SetBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_POSTED_INTR);
		SetBits(VM_EXIT_CONTROLS, VM_EXIT_ACK_INTR_ON_EXIT);
		Set(POSTED_INTR_NV, 0xf2);
		Set(POSTED_INTR_DESC_ADDR, 0x12340);
	}
};

}  // namespace

TEST_F(RuleEntryPosted, R5_CompletePostedInterruptSetupEnters)
{
	ExpectEnters();
}

TEST_F(RuleEntryPosted, R5_PostedInterruptsRequireVirtualInterruptDelivery)
{
	Set(SECONDARY_VM_EXEC_CONTROL, 0);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R5:"));
}

TEST_F(RuleEntryPosted, R5_PostedInterruptsRequireAckOnExit)
{
	ClearBits(VM_EXIT_CONTROLS, VM_EXIT_ACK_INTR_ON_EXIT);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R5:"));
}

TEST_F(RuleEntryPosted, R5_NotificationVectorAbove255Fails)
{
	Set(POSTED_INTR_NV, 0x100);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R5:"));
}

TEST_F(RuleEntryPosted, R5_DescriptorNot64ByteAlignedFails)
{
	Set(POSTED_INTR_DESC_ADDR, 0x12348);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R5:"));
}

TEST_F(RuleEntry, R5_SavePreemptionTimerRequiresActivateTimer)
{
	SetBits(VM_EXIT_CONTROLS, VM_EXIT_SAVE_VMX_PREEMPTION_TIMER);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R5:"));
}

TEST_F(RuleEntry, R5_SavePreemptionTimerWithActiveTimerEnters)
{
	SetBits(VM_EXIT_CONTROLS, VM_EXIT_SAVE_VMX_PREEMPTION_TIMER);
	SetBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VMX_PREEMPTION_TIMER);
	Set(VMX_PREEMPTION_TIMER_VALUE, 1000);
	ExpectEnters();
}

/*
 * ---- SDM Vol. 3C 26.2.1.1 (VM-execution control fields), the APIC-virtualization
 * controls: "use TPR shadow" = 0 requires "virtualize x2APIC mode", "APIC-register
 * virtualization" and "virtual-interrupt delivery" = 0; "virtualize x2APIC mode" = 1
 * requires "virtualize APIC accesses" = 0. kvm-unit-tests: test_apic_virtual_ctls. ----
 */

TEST_F(RuleEntry, ApicVirt_X2apicModeIsASapphireRapidsControl)
{
	/* Secondary bit 4; nehalem has no APICv, so setting it fails the capability check. */
	EXPECT_EQ((uint32_t)SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE, 0x10u);
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_TPR_SHADOW);
	Secondary(SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("secondary processor-based controls within")) << LastCheck();
}

TEST_F(RuleEntry, ApicVirt_EachControlWithoutTprShadowFailsWith7)
{
	for (uint32_t ctl : {(uint32_t)SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE, (uint32_t)SECONDARY_EXEC_APIC_REGISTER_VIRT,
	                     (uint32_t)SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY}) {
		Use("sapphire-rapids");
		Secondary(ctl);
		ExpectFailValid(7);
		EXPECT_TRUE(CheckIs("virtualize x2APIC mode, APIC-register virtualization and virtual-interrupt delivery "
		                    "require use TPR shadow"))
		    << std::hex << ctl << ": " << LastCheck();
	}
}

TEST_F(RuleEntry, ApicVirt_AllThreeWithTprShadowEnter)
{
	Use("sapphire-rapids");
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_TPR_SHADOW);
	Secondary(SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE | SECONDARY_EXEC_APIC_REGISTER_VIRT |
	          SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY);
	ExpectEnters();
}

TEST_F(RuleEntry, ApicVirt_TprShadowCheckIgnoresSecondaryWhenNotActivated)
{
	/* Without "activate secondary controls" the secondary word is not looked at (26.2.1.1). */
	Use("sapphire-rapids");
	Set(SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_APIC_REGISTER_VIRT | SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE |
	                                   SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES);
	ExpectEnters();
}

TEST_F(RuleEntry, ApicVirt_X2apicModeWithApicAccessesFailsWith7)
{
	Use("sapphire-rapids");
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_TPR_SHADOW);
	Secondary(SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE | SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("virtualize x2APIC mode requires virtualize APIC accesses = 0")) << LastCheck();
}

TEST_F(RuleEntry, ApicVirt_ApicAccessesWithoutTprShadowEnter)
{
	/* Virtualizing APIC accesses alone does not need the TPR shadow. */
	Use("sapphire-rapids");
	Secondary(SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES);
	ExpectEnters();
}

/*
 * ---- SDM Vol. 3C 26.2.1.1: with "use TPR shadow" the virtual-APIC address, with
 * "virtualize APIC accesses" the APIC-access address, has bits 11:0 clear.
 * kvm-unit-tests: test_apic_virt_addr, test_apic_access_addr. ----
 */

TEST_F(RuleEntry, ApicAddr_VirtualApicAddressNotPageAlignedFailsWith7)
{
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_TPR_SHADOW);
	for (uint64_t addr : {0x1ull, 0x800ull, 0xfffull, 0x12345678ull}) {
		Set(VIRTUAL_APIC_PAGE_ADDR, addr);
		ExpectFailValid(7);
		EXPECT_TRUE(CheckIs("virtual-APIC address is 4-KByte aligned")) << std::hex << addr << ": " << LastCheck();
	}
}

TEST_F(RuleEntry, ApicAddr_VirtualApicAddressPageAlignedEnters)
{
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_TPR_SHADOW);
	Set(VIRTUAL_APIC_PAGE_ADDR, 0x1000);
	ExpectEnters();
}

TEST_F(RuleEntry, ApicAddr_VirtualApicAddressIgnoredWithoutTprShadow)
{
	Set(VIRTUAL_APIC_PAGE_ADDR, 0xfff);
	ExpectEnters();
}

TEST_F(RuleEntry, ApicAddr_ApicAccessAddressNotPageAlignedFailsWith7)
{
	Secondary(SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES);
	Set(APIC_ACCESS_ADDR, 0xfee00800);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("APIC-access address is 4-KByte aligned")) << LastCheck();
}

TEST_F(RuleEntry, ApicAddr_ApicAccessAddressPageAlignedEnters)
{
	Secondary(SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES);
	Set(APIC_ACCESS_ADDR, 0xfee00000);
	ExpectEnters();
}

TEST_F(RuleEntry, ApicAddr_ApicAccessAddressIgnoredWhenSecondaryControlsAreOff)
{
	/* The control is set in the secondary word, but that word is not active. */
	Set(SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES);
	Set(APIC_ACCESS_ADDR, 0x1);
	ExpectEnters();
}

/*
 * ---- SDM Vol. 3C 26.2.1.1, TPR threshold: with "use TPR shadow" and neither
 * "virtual-interrupt delivery" nor "virtualize APIC accesses", bits 3:0 of
 * TPR_THRESHOLD may not exceed VTPR[7:4]. kvm-unit-tests: test_tpr_threshold. ----
 */

TEST_F(RuleEntry, TprThreshold_AboveVtprFailsWith7)
{
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_TPR_SHADOW);
	Set(TPR_THRESHOLD, 0xf);
	v.vapic.tpr = 0xe0;
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("TPR threshold bits 3:0 not above VTPR")) << LastCheck();
}

TEST_F(RuleEntry, TprThreshold_AboveVtprEntersWithApicAccessVirtualization)
{
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_TPR_SHADOW);
	Secondary(SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES);
	Set(TPR_THRESHOLD, 0xf);
	v.vapic.tpr = 0;
	ExpectEnters();
}

TEST_F(RuleEntry, TprThreshold_ApicAccessVirtualizationCountsOnlyWhenSecondaryIsActive)
{
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_TPR_SHADOW);
	Set(SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES);   /* word not activated */
	Set(TPR_THRESHOLD, 0xf);
	v.vapic.tpr = 0;
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("TPR threshold bits 3:0 not above VTPR")) << LastCheck();
}

TEST_F(RuleEntry, TprThreshold_EqualToVtprClassEnters)
{
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_TPR_SHADOW);
	Set(TPR_THRESHOLD, 0x7);
	v.vapic.tpr = 0x7f;
	ExpectEnters();
}

/* ---- SDM Vol. 3C 26.2.1.1: "unrestricted guest" = 1 requires "enable EPT" = 1 ---- */

TEST_F(RuleEntry, UnrestrictedGuestWithoutEptFailsWith7)
{
	Use("sapphire-rapids");
	Secondary(SECONDARY_EXEC_UNRESTRICTED_GUEST);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("unrestricted guest requires enable EPT")) << LastCheck();
}

TEST_F(RuleEntry, UnrestrictedGuestWithEptEnters)
{
	Use("sapphire-rapids");
	Secondary(SECONDARY_EXEC_UNRESTRICTED_GUEST | SECONDARY_EXEC_ENABLE_EPT);
	ExpectEnters();
}
