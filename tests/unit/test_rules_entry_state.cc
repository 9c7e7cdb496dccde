/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rules_entry_state.cc - VM-entry checks of host state
 * (VMfailValid 8) and guest state (R9-R12, the link pointer: VM-entry
 * failures, R26), what a failed entry leaves behind, the SDM order between
 * checks when two fail, and the latency of an entry that succeeds.
 */
#include "rule_entry_fixture.h"

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

/* 26.3.1.1: with load-debug-controls, the reserved bits of IA32_DEBUGCTL (5:2, 63:16) must be 0. */
TEST_F(RuleEntry, R12_DebugctlReservedBitFailsGuestWithLoadDebugControls)
{
	for (uint64_t bit : {0x4ull, 0x20ull, 0x10000ull, 1ull << 63}) {
		SCOPED_TRACE(bit);
		Set(GUEST_IA32_DEBUGCTL, bit);
		ExpectFailGuest(0);
		EXPECT_EQ(LastCheck(), "IA32_DEBUGCTL reserved bits are 0 (load debug controls)");
	}
	// The bits the SDM defines (LBR, BTF, TR, BTS, BTINT, ... RTM_DEBUG) pass the check.
	Set(GUEST_IA32_DEBUGCTL, 0xffc3u & ~(uint64_t)DEBUGCTL_BTS);
	ExpectEnters();
}

TEST_F(RuleEntry, R12_DebugctlIsNotCheckedWithoutLoadDebugControls)
{
	Use("haswell");   // TRUE controls: load-debug-controls may be 0
	ClearBits(VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_DEBUG_CONTROLS);
	Set(GUEST_IA32_DEBUGCTL, 0x4);
	ExpectEnters();
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
