/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rules_entry_checks.cc - VM-entry checks (R4-R13) and VM-entry
 * failures (R26): every failing check with its exact outcome, the SDM order
 * between checks when two fail, and what a failed entry leaves behind.
 *
 * Outcomes: VMfailValid(n) writes only VM_INSTRUCTION_ERROR; a VM-entry
 * failure writes exit reason 0x80000021 and a qualification (0 default,
 * 3 NMI injection refused under STI blocking, 4 VMCS link pointer), loads
 * host state and leaves the entry field valid.
 */
#include "hw_fixture.h"

namespace {

class RuleEntry : public HwTest {
protected:
	uint32_t G(vmcs_field f) const { return (uint32_t)Get(f); }

	void Inject(uint32_t info, uint32_t err = 0, uint32_t len = 0)
	{
		Set(VM_ENTRY_INTR_INFO_FIELD, info);
		Set(VM_ENTRY_EXCEPTION_ERROR_CODE, err);
		Set(VM_ENTRY_INSTRUCTION_LEN, len);
	}

	void Secondary(uint32_t proc2)
	{
		SetBits(CPU_BASED_VM_EXEC_CONTROL, (uint32_t)CPU_BASED_ACTIVATE_SECONDARY_CONTROLS);
		Set(SECONDARY_VM_EXEC_CONTROL, proc2);
	}

	/* VMfailValid(err): nothing loaded, the VMCS stays clear, costs one instruction. */
	void ExpectFailValid(uint32_t err, bool launch = true)
	{
		uint64_t c0 = lp.cycle;
		uint32_t info = G(VM_ENTRY_INTR_INFO_FIELD);
		vmcs_launch_state ls = v.launch_state;

		EXPECT_EQ(vmx_lp_vmentry(&lp, launch), VMX_ENTRY_FAIL_VALID) << LastCheck();
		EXPECT_EQ(G(VM_INSTRUCTION_ERROR), err) << LastCheck();
		EXPECT_FALSE(lp.non_root);
		EXPECT_EQ(v.launch_state, ls);
		EXPECT_EQ(lp.cycle - c0, (uint64_t)model.insn_cycles);
		EXPECT_EQ(G(VM_ENTRY_INTR_INFO_FIELD), info);
		ASSERT_FALSE(events.empty());
		EXPECT_EQ(events.back().kind, HW_VMFAIL);
		EXPECT_EQ(events.back().error, err);
		EXPECT_EQ(Count(HW_DELIVER), 0);
	}

	/* VM-entry failure (R26): reason 33 | bit 31, qualification, host state, entry field untouched. */
	void ExpectFailGuest(uint64_t qual)
	{
		uint64_t c0 = lp.cycle;
		uint32_t info = G(VM_ENTRY_INTR_INFO_FIELD);
		uint64_t guest_rip = Get(GUEST_RIP);

		EXPECT_EQ(Launch(), VMX_ENTRY_FAILED) << LastCheck();
		EXPECT_EQ(ExitReason(), 0x80000021u) << LastCheck();
		EXPECT_EQ(Get(EXIT_QUALIFICATION), qual) << LastCheck();
		EXPECT_EQ(v.launch_state, VMCS_CLEAR);
		EXPECT_FALSE(lp.non_root);
		EXPECT_EQ(lp.ctx.rip, kHostRip);
		EXPECT_EQ(lp.ctx.rflags, (uint64_t)X86_EFLAGS_FIXED);
		EXPECT_EQ(lp.cycle - c0, (uint64_t)model.vmentry_cycles + model.vmexit_cycles);
		EXPECT_EQ(G(VM_ENTRY_INTR_INFO_FIELD), info);      /* R26: still valid if it was */
		EXPECT_EQ(Get(GUEST_RIP), guest_rip);              /* guest state not saved */
		EXPECT_EQ(Count(HW_VMENTRY), 0);
		EXPECT_EQ(Count(HW_DELIVER), 0);
		ASSERT_FALSE(events.empty());
		EXPECT_EQ(events.back().kind, HW_VMEXIT);
		EXPECT_EQ(events.back().reason, 0x80000021u);
	}

	void ExpectEnters()
	{
		EXPECT_EQ(Launch(), VMX_ENTRY_OK) << LastCheck();
		EXPECT_TRUE(lp.non_root);
		EXPECT_EQ(v.launch_state, VMCS_LAUNCHED);
		EXPECT_EQ(Count(HW_VMENTRY), 1);
	}

	bool CheckIs(const char *prefix) const { return LastCheck().rfind(prefix, 0) == 0; }
};

}  // namespace

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

/* ---- R6: interruption type and vector ---- */

TEST_F(RuleEntry, R6_ReservedType1Fails)
{
	Inject(0x80000120);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R6:"));
}

TEST_F(RuleEntry, R6_Type7WithoutMtfSupportFails)
{
	Use("core2-no-vnmi");
	Inject(0x80000700);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R6:"));
}

TEST_F(RuleEntry, R6_Type7WithNonZeroVectorFails)
{
	Inject(0x80000701);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R6:"));
}

TEST_F(RuleEntry, R6_Type7WithVector0Enters)
{
	Inject(0x80000700);
	ExpectEnters();
}

TEST_F(RuleEntry, R6_NmiWithVectorOtherThan2Fails)
{
	Inject(0x80000203);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R6:"));
}

TEST_F(RuleEntry, R6_HardwareExceptionVectorAbove31Fails)
{
	Inject(0x80000320);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R6:"));
}

TEST_F(RuleEntry, R6_ReservedBit12Fails)
{
	Inject(0x80001030);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R6:"));
}

TEST_F(RuleEntry, R6_ReservedBit30Fails)
{
	Inject(0xc0000030);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R6:"));
}

TEST_F(RuleEntry, R6_ExternalInterruptMayUseAnExceptionVector)
{
	Inject(0x80000005);
	ExpectEnters();
}

TEST_F(RuleEntry, R6_SoftwareInterruptMayUseVector14)
{
	Inject(0x8000040e, 0, 2);
	ExpectEnters();
}

TEST_F(RuleEntry, R6_InvalidFieldIsNotChecked)
{
	Inject(0x00000120);   /* reserved type, but bit 31 clear: nothing to inject */
	ExpectEnters();
}

/* ---- R7: deliver-error-code consistency ---- */

TEST_F(RuleEntry, R7_ErrorCodeOnExternalInterruptFails)
{
	Inject(0x80000830);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R7:"));
}

TEST_F(RuleEntry, R7_ErrorCodeOnNmiFails)
{
	Inject(0x80000a02);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R7:"));
}

TEST_F(RuleEntry, R7_GpWithoutErrorCodeFailsOnNehalem)
{
	Inject(0x8000030d);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R7:"));
}

TEST_F(RuleEntry, R7_UdWithErrorCodeFailsOnNehalem)
{
	Inject(0x80000b06);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R7:"));
}

TEST_F(RuleEntry, R7_EveryErrorCodeVectorNeedsBit11)
{
	for (uint32_t vec : {8u, 10u, 11u, 12u, 13u, 14u, 17u}) {
		Use("nehalem");
		Inject(0x80000300 | vec);
		EXPECT_EQ(Launch(), VMX_ENTRY_FAIL_VALID) << "vector " << vec;
		Use("nehalem");
		Inject(0x80000b00 | vec);
		EXPECT_EQ(Launch(), VMX_ENTRY_OK) << "vector " << vec << ": " << LastCheck();
	}
}

TEST_F(RuleEntry, R7_GpWithoutErrorCodeEntersWhenBasic56IsSet)
{
	Use("sapphire-rapids");
	Inject(0x8000030d);
	ExpectEnters();
}

TEST_F(RuleEntry, R7_UdWithErrorCodeEntersWhenBasic56IsSet)
{
	Use("sapphire-rapids");
	Inject(0x80000b06, 0x12);
	ExpectEnters();
}

TEST_F(RuleEntry, R7_ErrorCodeBits31To16MustBeZero)
{
	Inject(0x80000b0d, 0x10000);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R7:"));
}

TEST_F(RuleEntry, R7_ErrorCodeFFFFIsAccepted)
{
	Inject(0x80000b0d, 0xffff);
	ExpectEnters();
}

TEST_F(RuleEntry, R7_ErrorCodeInRealModeFails)
{
	Use("sapphire-rapids");
	Secondary(SECONDARY_EXEC_UNRESTRICTED_GUEST | SECONDARY_EXEC_ENABLE_EPT);
	Set(GUEST_CR0, X86_CR0_NE);   /* PE = 0 (NE stays: IA32_VMX_CR0_FIXED0) */
	Inject(0x80000b0d);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R7:"));
}

TEST_F(RuleEntry, R7_GpWithoutErrorCodeInRealModeEnters)
{
	Use("sapphire-rapids");
	Secondary(SECONDARY_EXEC_UNRESTRICTED_GUEST | SECONDARY_EXEC_ENABLE_EPT);
	Set(GUEST_CR0, X86_CR0_NE);   /* PE = 0 */
	Inject(0x8000030d);
	ExpectEnters();
}

TEST_F(RuleEntry, R7_ErrorCodeOnSoftInterruptFailsEvenWithBasic56)
{
	/* BASIC[56] drops only the vector-based part: types other than 3 never take an error code. */
	Use("sapphire-rapids");
	Inject(0x80000c80, 0, 2);   /* INT 0x80 with bit 11 */
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R7:"));
}

/* ---- R8: instruction length of soft events ---- */

TEST_F(RuleEntry, R8_SoftInterruptLength0FailsWithoutMisc30)
{
	Inject(0x80000480, 0, 0);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R8:"));
}

TEST_F(RuleEntry, R8_SoftInterruptLength16Fails)
{
	Inject(0x80000480, 0, 16);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R8:"));
}

TEST_F(RuleEntry, R8_SoftInterruptLength15Enters)
{
	Inject(0x80000480, 0, 15);
	ExpectEnters();
}

TEST_F(RuleEntry, R8_PrivilegedSoftExceptionLength0Fails)
{
	Inject(0x80000501, 0, 0);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R8:"));
}

TEST_F(RuleEntry, R8_SoftExceptionLength16Fails)
{
	Inject(0x80000603, 0, 16);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R8:"));
}

TEST_F(RuleEntry, R8_ZeroLengthAllowedWithMisc30)
{
	Use("sapphire-rapids");
	Inject(0x80000480, 0, 0);
	ExpectEnters();
}

TEST_F(RuleEntry, R8_LengthIgnoredForHardwareEvents)
{
	Inject(0x80000030, 0, 0);
	ExpectEnters();
}

/* ---- Host state (VMfailValid 8) ---- */

TEST_F(RuleEntry, Host_NonCanonicalHostRipFailsWith8)
{
	/* Entry-check order (notes after R27): host state comes after the R4-R8 controls. */
	Set(HOST_RIP, 0x0000800000000000ull);
	ExpectFailValid(8);
}

/* ---- R9: RFLAGS.IF for external-interrupt injection ---- */

TEST_F(RuleEntry, R9_ExternalInterruptInjectionWithIfZeroFailsGuest)
{
	Set(GUEST_RFLAGS, X86_EFLAGS_FIXED);
	Inject(0x80000030);
	ExpectFailGuest(0);
	EXPECT_TRUE(CheckIs("R9:"));
}

TEST_F(RuleEntry, R9_NmiInjectionWithIfZeroEnters)
{
	Set(GUEST_RFLAGS, X86_EFLAGS_FIXED);
	Inject(0x80000202);
	ExpectEnters();
}

TEST_F(RuleEntry, R9_ExceptionInjectionWithIfZeroEnters)
{
	Set(GUEST_RFLAGS, X86_EFLAGS_FIXED);
	Inject(0x80000306);
	ExpectEnters();
}

TEST_F(RuleEntry, R9_RflagsReservedBitFailsGuest)
{
	Set(GUEST_RFLAGS, X86_EFLAGS_FIXED | X86_EFLAGS_IF | 0x8);
	ExpectFailGuest(0);
}

/* ---- R10: interruptibility state ---- */

TEST_F(RuleEntry, R10_ReservedBit5FailsGuest)
{
	Set(GUEST_INTERRUPTIBILITY_INFO, 0x20);
	ExpectFailGuest(0);
	EXPECT_TRUE(CheckIs("R10:"));
}

TEST_F(RuleEntry, R10_EnclaveBitFailsGuest)
{
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_ENCLAVE_INTR);
	ExpectFailGuest(0);
	EXPECT_TRUE(CheckIs("R10:"));
}

TEST_F(RuleEntry, R10_StiAndMovSsTogetherFailGuest)
{
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);
	ExpectFailGuest(0);
	EXPECT_TRUE(CheckIs("R10:"));
}

TEST_F(RuleEntry, R10_StiBlockingWithIfZeroFailsGuest)
{
	Set(GUEST_RFLAGS, X86_EFLAGS_FIXED);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI);
	ExpectFailGuest(0);
	EXPECT_TRUE(CheckIs("R10:"));
}

TEST_F(RuleEntry, R10_MovSsBlockingWithIfZeroEnters)
{
	Set(GUEST_RFLAGS, X86_EFLAGS_FIXED);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_MOV_SS);
	ExpectEnters();
}

TEST_F(RuleEntry, R10_SmiBlockingOutsideSmmFailsGuest)
{
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_SMI);
	ExpectFailGuest(0);
	EXPECT_TRUE(CheckIs("R10:"));
}

TEST_F(RuleEntry, R10_ExternalInterruptInjectionWithStiBlockingFailsGuest)
{
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI);
	Inject(0x80000030);
	ExpectFailGuest(0);
	EXPECT_TRUE(CheckIs("R10:"));
}

TEST_F(RuleEntry, R10_ExternalInterruptInjectionWithMovSsBlockingFailsGuest)
{
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_MOV_SS);
	Inject(0x80000030);
	ExpectFailGuest(0);
	EXPECT_TRUE(CheckIs("R10:"));
}

TEST_F(RuleEntry, R10_NmiInjectionWithMovSsBlockingFailsGuest)
{
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_MOV_SS);
	Inject(0x80000202);
	ExpectFailGuest(0);
	EXPECT_TRUE(CheckIs("R10:"));
}

TEST_F(RuleEntry, R10_NmiInjectionWithStiBlockingFailsWithQualification3)
{
	ASSERT_TRUE(model.nmi_inject_fails_with_sti);   /* nehalem */
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI);
	Inject(0x80000202);
	ExpectFailGuest(3);
	EXPECT_TRUE(CheckIs("R10:"));
}

TEST_F(RuleEntry, R10_NmiInjectionWithStiBlockingEntersWhenTheCpuAllowsIt)
{
	lp.model.nmi_inject_fails_with_sti = false;
	Program({Work(10), Op(VMX_OP_VMCALL)});
	Gate(NMI_VECTOR, 1);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI);
	Inject(0x80000202);
	ExpectEnters();
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 10000), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(Get(GUEST_RIP), At(1));
	/* R15: no STI blocking after injection; the NMI's blocking by NMI is not saved (no virtual NMIs). */
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), 0u);
}

TEST_F(RuleEntry, R10_SapphireRapidsAcceptsNmiInjectionUnderSti)
{
	Use("sapphire-rapids");
	ASSERT_FALSE(model.nmi_inject_fails_with_sti);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI);
	Inject(0x80000202);
	ExpectEnters();
}

TEST_F(RuleEntry, R10_NmiInjectionWithVirtualNmiBlockingFailsGuest)
{
	SetBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VIRTUAL_NMIS);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
	Inject(0x80000202);
	ExpectFailGuest(0);
	EXPECT_TRUE(CheckIs("R10:"));
}

TEST_F(RuleEntry, R10_NmiInjectionWithNmiBlockingEntersWithoutVirtualNmis)
{
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
	Inject(0x80000202);
	ExpectEnters();
}

TEST_F(RuleEntry, R10_ExceptionInjectionWithVirtualNmiBlockingEnters)
{
	SetBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VIRTUAL_NMIS);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
	Inject(0x80000306);
	ExpectEnters();
}

/* ---- R11: activity state ---- */

TEST_F(RuleEntry, R11_ActivityState4FailsGuest)
{
	Set(GUEST_ACTIVITY_STATE, 4);
	ExpectFailGuest(0);
	EXPECT_TRUE(CheckIs("R11:"));
}

TEST_F(RuleEntry, R11_ActivityStateNotInVmxMiscFailsGuest)
{
	lp.model.caps.misc &= ~VMX_MISC_ACTIVITY_SHUTDOWN;
	Set(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_SHUTDOWN);
	ExpectFailGuest(0);
	EXPECT_TRUE(CheckIs("R11:"));
}

TEST_F(RuleEntry, R11_HltWithSsDpl3FailsGuest)
{
	Set(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_HLT);
	Set(GUEST_SS_AR_BYTES, 0x3u << 5);
	ExpectFailGuest(0);
	EXPECT_TRUE(CheckIs("R11:"));
}

TEST_F(RuleEntry, R11_HltWithStiBlockingFailsGuest)
{
	Set(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_HLT);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI);
	ExpectFailGuest(0);
	EXPECT_TRUE(CheckIs("R11:"));
}

TEST_F(RuleEntry, R11_ShutdownWithMovSsBlockingFailsGuest)
{
	Set(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_SHUTDOWN);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_MOV_SS);
	ExpectFailGuest(0);
	EXPECT_TRUE(CheckIs("R11:"));
}

TEST_F(RuleEntry, R11_HltAcceptsOnlyItsEvents)
{
	struct Case {
		uint32_t info, err, len;
		bool ok;
	} cases[] = {
	    {0x80000030, 0, 0, true},     /* external interrupt */
	    {0x80000202, 0, 0, true},     /* NMI */
	    {0x80000301, 0, 0, true},     /* #DB */
	    {0x80000312, 0, 0, true},     /* #MC */
	    {0x80000700, 0, 0, true},     /* pending MTF */
	    {0x80000b0d, 0, 0, false},    /* #GP */
	    {0x80000306, 0, 0, false},    /* #UD */
	    {0x80000480, 0, 2, false},    /* INT n */
	    {0x80000501, 0, 1, false},    /* INT1 */
	    {0x80000603, 0, 1, false},    /* INT3 */
	};
	for (const Case &c : cases) {
		Use("nehalem");
		Set(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_HLT);
		Inject(c.info, c.err, c.len);
		vmx_entry_status s = Launch();
		EXPECT_EQ(s, c.ok ? VMX_ENTRY_OK : VMX_ENTRY_FAILED) << std::hex << c.info << ": " << LastCheck();
		if (!c.ok) {
			EXPECT_EQ(Get(EXIT_QUALIFICATION), 0u);
		}
	}
}

TEST_F(RuleEntry, R11_ShutdownAcceptsOnlyNmiAndMc)
{
	struct Case {
		uint32_t info;
		bool ok;
	} cases[] = {
	    {0x80000202, true}, {0x80000312, true}, {0x80000030, false}, {0x80000301, false}, {0x80000700, false},
	};
	for (const Case &c : cases) {
		Use("nehalem");
		Set(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_SHUTDOWN);
		Inject(c.info);
		EXPECT_EQ(Launch(), c.ok ? VMX_ENTRY_OK : VMX_ENTRY_FAILED) << std::hex << c.info << ": " << LastCheck();
	}
}

TEST_F(RuleEntry, R11_WaitForSipiAcceptsNoEvent)
{
	for (uint32_t info : {0x80000202u, 0x80000312u, 0x80000030u, 0x80000700u}) {
		Use("nehalem");
		Set(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_WAIT_SIPI);
		Inject(info);
		EXPECT_EQ(Launch(), VMX_ENTRY_FAILED) << std::hex << info;
		EXPECT_EQ(Get(EXIT_QUALIFICATION), 0u);
	}
	Use("nehalem");
	Set(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_WAIT_SIPI);
	ExpectEnters();
}

/* ---- R12: pending debug exceptions ---- */

TEST_F(RuleEntry, R12_StiBlockingWithTfRequiresBs)
{
	Set(GUEST_RFLAGS, X86_EFLAGS_FIXED | X86_EFLAGS_IF | X86_EFLAGS_TF);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI);
	ExpectFailGuest(0);
	EXPECT_TRUE(CheckIs("R12:"));
}

TEST_F(RuleEntry, R12_StiBlockingWithTfAndBsEnters)
{
	Set(GUEST_RFLAGS, X86_EFLAGS_FIXED | X86_EFLAGS_IF | X86_EFLAGS_TF);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI);
	Set(GUEST_PENDING_DBG_EXCEPTIONS, PENDING_DBG_BS);
	ExpectEnters();
}

TEST_F(RuleEntry, R12_MovSsBlockingWithoutTfForbidsBs)
{
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_MOV_SS);
	Set(GUEST_PENDING_DBG_EXCEPTIONS, PENDING_DBG_BS);
	ExpectFailGuest(0);
	EXPECT_TRUE(CheckIs("R12:"));
}

TEST_F(RuleEntry, R12_HltWithTfAndBtfForbidsBs)
{
	Set(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_HLT);
	Set(GUEST_RFLAGS, X86_EFLAGS_FIXED | X86_EFLAGS_IF | X86_EFLAGS_TF);
	Set(GUEST_IA32_DEBUGCTL, DEBUGCTLMSR_BTF);
	Set(GUEST_PENDING_DBG_EXCEPTIONS, PENDING_DBG_BS);
	ExpectFailGuest(0);
	EXPECT_TRUE(CheckIs("R12:"));
}

TEST_F(RuleEntry, R12_HltWithTfAndBtfWithoutBsEnters)
{
	Set(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_HLT);
	Set(GUEST_RFLAGS, X86_EFLAGS_FIXED | X86_EFLAGS_IF | X86_EFLAGS_TF);
	Set(GUEST_IA32_DEBUGCTL, DEBUGCTLMSR_BTF);
	ExpectEnters();
}

TEST_F(RuleEntry, R12_ActiveWithoutBlockingIgnoresBs)
{
	Set(GUEST_PENDING_DBG_EXCEPTIONS, PENDING_DBG_BS);
	ExpectEnters();
}

TEST_F(RuleEntry, R12_ReservedPendingDebugBitFailsGuest)
{
	Set(GUEST_PENDING_DBG_EXCEPTIONS, 0x10);
	ExpectFailGuest(0);
	EXPECT_TRUE(CheckIs("R12:"));
}

/* ---- VMCS link pointer (qualification 4) ---- */

TEST_F(RuleEntry, R26_VmcsLinkPointerNotAllOnesFailsWithQualification4)
{
	Set(VMCS_LINK_POINTER, 0x12345000);
	ExpectFailGuest(4);
}

/* ---- R26: what a VM-entry failure leaves behind ---- */

TEST_F(RuleEntry, R26_FailedEntryWritesOnlyReasonAndQualification)
{
	Set(VM_EXIT_INTR_INFO, 0x11111111);
	Set(VM_EXIT_INTR_ERROR_CODE, 0x2222);
	Set(IDT_VECTORING_INFO_FIELD, 0x33333333);
	Set(VM_EXIT_INSTRUCTION_LEN, 7);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI);
	Inject(0x80000202);
	ExpectFailGuest(3);
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), 0x11111111u);
	EXPECT_EQ(G(VM_EXIT_INTR_ERROR_CODE), 0x2222u);
	EXPECT_EQ(G(IDT_VECTORING_INFO_FIELD), 0x33333333u);
	EXPECT_EQ(G(VM_EXIT_INSTRUCTION_LEN), 7u);
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), GUEST_INTR_STATE_STI);
	EXPECT_EQ(G(VM_INSTRUCTION_ERROR), 0u);
}

TEST_F(RuleEntry, R26_EntryFieldStaysValidAndIsInjectedOnceTheFailureIsFixed)
{
	Program({Work(10), Op(VMX_OP_VMCALL)});
	Gate(NMI_VECTOR, 1);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI);
	Inject(0x80000202);
	ExpectFailGuest(3);
	EXPECT_EQ(G(VM_ENTRY_INTR_INFO_FIELD), 0x80000202u);
	EXPECT_FALSE(lp.nmi_blocked);   /* nothing was injected */

	/* The VMCS is still clear: VMRESUME fails, VMLAUNCH retries. */
	EXPECT_EQ(vmx_lp_vmentry(&lp, false), VMX_ENTRY_FAIL_VALID);
	EXPECT_EQ(G(VM_INSTRUCTION_ERROR), 5u);

	Set(GUEST_INTERRUPTIBILITY_INFO, 0);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(Count(HW_DELIVER), 1);
	EXPECT_EQ(G(VM_ENTRY_INTR_INFO_FIELD), 0x00000202u);   /* consumed: valid bit cleared by the exit */
}

TEST_F(RuleEntry, R26_EntryFailureFromRootProgramReportsEntryFailed)
{
	/* The same failure seen by a root program executing VMLAUNCH. */
	Host({Op(VMX_OP_VMLAUNCH), Op(VMX_OP_NOP)});
	Set(HOST_RIP, host_code[1].addr);
	Set(VMCS_LINK_POINTER, 0);
	EXPECT_EQ(vmx_lp_run(&lp, 100000), VMX_RUN_ENTRY_FAILED);
	EXPECT_EQ(ExitReason(), 0x80000021u);
	EXPECT_EQ(Get(EXIT_QUALIFICATION), 4u);
	EXPECT_EQ(lp.ctx.rip, host_code[1].addr);
}

/*
 * ---- Order between checks (notes after R27): basic checks, controls (R4-R8),
 * host state, guest state (R9-R12 then the link pointer), each in SDM order ----
 */

TEST_F(RuleEntry, R13_OrderNoVmcsBeforeMovSs)
{
	vmx_lp_exec_root(&lp, VMX_OP_MOV_SS, 0, 0);
	vmx_lp_vmclear(&lp, &v);
	EXPECT_EQ(Launch(), VMX_ENTRY_FAIL_INVALID);
}

TEST_F(RuleEntry, R13_OrderMovSsBeforeLaunchState)
{
	v.launch_state = VMCS_LAUNCHED;
	vmx_lp_exec_root(&lp, VMX_OP_MOV_SS, 0, 0);
	ExpectFailValid(26);
}

TEST_F(RuleEntry, R13_R6_OrderLaunchStateBeforeControls)
{
	Inject(0x80000120);   /* R6 failure as well */
	ExpectFailValid(5, false);
}

TEST_F(RuleEntry, R4_OrderControlsBeforeHostState)
{
	Set(HOST_RIP, 0x0000800000000000ull);
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_NMI_WINDOW_EXITING);   /* R4 */
	ExpectFailValid(7);
}

TEST_F(RuleEntry, R9_OrderHostStateBeforeGuestState)
{
	Set(HOST_RIP, 0x0000800000000000ull);
	Set(GUEST_RFLAGS, X86_EFLAGS_FIXED);
	Inject(0x80000030);   /* R9 */
	ExpectFailValid(8);
}

TEST_F(RuleEntry, R7_R10_OrderControlsBeforeGuestState)
{
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI);
	Inject(0x80000202);
	Set(VM_ENTRY_EXCEPTION_ERROR_CODE, 0);
	SetBits(VM_ENTRY_INTR_INFO_FIELD, INTR_INFO_DELIVER_CODE_MASK);   /* R7: NMI with error code */
	ExpectFailValid(7);
}

TEST_F(RuleEntry, R4_R6_OrderInsideTheControls)
{
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_NMI_WINDOW_EXITING);
	Inject(0x80000120);
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R4:")) << LastCheck();
}

TEST_F(RuleEntry, R6_R8_OrderInsideTheControls)
{
	Inject(0x80000480 | 0x1000, 0, 0);   /* reserved bit 12 and length 0 */
	ExpectFailValid(7);
	EXPECT_TRUE(CheckIs("R6:")) << LastCheck();
}

TEST_F(RuleEntry, R9_R26_OrderRflagsBeforeLinkPointer)
{
	Set(GUEST_RFLAGS, X86_EFLAGS_FIXED);
	Inject(0x80000030);
	Set(VMCS_LINK_POINTER, 0);
	ExpectFailGuest(0);
	EXPECT_TRUE(CheckIs("R9:"));
}

TEST_F(RuleEntry, R10_R26_OrderNmiUnderStiBeforeLinkPointer)
{
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI);
	Inject(0x80000202);
	Set(VMCS_LINK_POINTER, 0);
	ExpectFailGuest(3);
}

TEST_F(RuleEntry, R11_R10_OrderActivityBeforeInterruptibility)
{
	Set(GUEST_ACTIVITY_STATE, 4);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI);
	Inject(0x80000202);
	ExpectFailGuest(0);
	EXPECT_TRUE(CheckIs("R11:"));
}

TEST_F(RuleEntry, R12_R26_OrderPendingDebugBeforeLinkPointer)
{
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_MOV_SS);
	Set(GUEST_PENDING_DBG_EXCEPTIONS, PENDING_DBG_BS);
	Set(VMCS_LINK_POINTER, 0);
	ExpectFailGuest(0);
	EXPECT_TRUE(CheckIs("R12:"));
}

/* ---- Latency of a successful entry ---- */

TEST_F(RuleEntry, R14_SuccessfulEntryCostsTheEntryLatency)
{
	uint64_t c0 = lp.cycle;
	ExpectEnters();
	EXPECT_EQ(lp.cycle - c0, (uint64_t)model.vmentry_cycles);
	EXPECT_EQ(model.vmentry_cycles, 1000u);
}
