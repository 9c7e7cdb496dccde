/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rules_injection.cc - event injection at VM entry (R14), the blocking
 * it leaves behind (R15) and the activity state after an entry into HLT
 * (R23): every interruption type, the return address pushed, the error code,
 * and the entry field's valid bit.
 *
 * Guest layout used by most tests: insn 0 = work block at kGuestBase (the
 * guest RIP at entry), insn 1 = VMCALL (the handler of the injected vector),
 * so the exit at the handler shows what delivery left.
 */
#include "hw_fixture.h"

namespace {

class RuleInjection : public HwTest {
protected:
	/* Work at kGuestBase, the handler (VMCALL) at insn 1 for `vector`. */
	void HandlerExits(uint8_t vector, vmx_gate_type type = VMX_GATE_INTERRUPT)
	{
		Program({Work(100), Op(VMX_OP_VMCALL)});
		Gate(vector, 1, type);
	}

	const vmx_hw_event *First(vmx_hw_event_kind k) const
	{
		for (const auto &e : events)
			if (e.kind == k)
				return &e;
		return nullptr;
	}

	void ExpectVmcallExitInHandler()
	{
		EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
		EXPECT_EQ(Get(GUEST_RIP), At(1));
		EXPECT_EQ(G(IDT_VECTORING_INFO_FIELD), 0u);
	}
};

}  // namespace

/* ---- R14: each interruption type ---- */

TEST_F(RuleInjection, R14_ExternalInterruptDeliveredThroughGuestIdt)
{
	HandlerExits(0xec);
	Inject(0x800000ec);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectVmcallExitInHandler();
	ASSERT_EQ(mem.depth, 1u);
	EXPECT_EQ(mem.stack[0].rip, kGuestBase);                         /* the boundary at guest RIP */
	EXPECT_EQ(mem.stack[0].rflags, (uint64_t)(X86_EFLAGS_FIXED | X86_EFLAGS_IF));
	EXPECT_FALSE(mem.stack[0].has_error_code);
	EXPECT_EQ(Get(GUEST_RFLAGS), (uint64_t)X86_EFLAGS_FIXED);        /* interrupt gate cleared IF */
	EXPECT_EQ(G(VM_ENTRY_INTR_INFO_FIELD), 0x000000ecu);              /* valid bit cleared by the exit */

	const vmx_hw_event *entry = First(HW_VMENTRY), *dl = First(HW_DELIVER);
	ASSERT_TRUE(entry && dl);
	EXPECT_EQ(entry->intr_info, 0x800000ecu);
	EXPECT_EQ(dl->vector, 0xecu);
	EXPECT_EQ(dl->intr_info, 0x800000ecu);
	EXPECT_TRUE(dl->injected);
	EXPECT_EQ(dl->rip, At(1));
	EXPECT_EQ(dl->cycle, (uint64_t)model.vmentry_cycles + model.delivery_cycles);
	/* Injection bypasses the local APIC. */
	EXPECT_EQ(lapic_highest_isr(&lp.apic), -1);
	EXPECT_EQ(Count(HW_INTR_ACK), 0);
	/* entry 1000 + delivery 50 + exit 1000; VMCALL itself exits without retiring. */
	EXPECT_EQ(lp.cycle, 2050u);
}

TEST_F(RuleInjection, R14_ExternalInterruptThroughTrapGateKeepsIf)
{
	HandlerExits(0x30, VMX_GATE_TRAP);
	Inject(0x80000030);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectVmcallExitInHandler();
	EXPECT_EQ(Get(GUEST_RFLAGS), (uint64_t)(X86_EFLAGS_FIXED | X86_EFLAGS_IF));
}

TEST_F(RuleInjection, R14_NmiDeliveredThroughVector2)
{
	HandlerExits(NMI_VECTOR);
	Inject(0x80000202);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectVmcallExitInHandler();
	ASSERT_EQ(mem.depth, 1u);
	EXPECT_EQ(mem.stack[0].rip, kGuestBase);
	EXPECT_FALSE(mem.stack[0].has_error_code);
	const vmx_hw_event *dl = First(HW_DELIVER);
	ASSERT_TRUE(dl);
	EXPECT_EQ(dl->intr_info, 0x80000202u);
	EXPECT_EQ(G(VM_ENTRY_INTR_INFO_FIELD), 0x00000202u);
}

TEST_F(RuleInjection, R14_HardwareExceptionWithErrorCodePushesIt)
{
	HandlerExits(GP_VECTOR);
	Inject(0x80000b0d, 0x1a8);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectVmcallExitInHandler();
	ASSERT_EQ(mem.depth, 1u);
	EXPECT_EQ(mem.stack[0].rip, kGuestBase);      /* a fault returns to the instruction */
	EXPECT_TRUE(mem.stack[0].has_error_code);
	EXPECT_EQ(mem.stack[0].error_code, 0x1a8u);
	const vmx_hw_event *dl = First(HW_DELIVER);
	ASSERT_TRUE(dl);
	EXPECT_EQ(dl->intr_info, 0x80000b0du);
	EXPECT_EQ(dl->error_code, 0x1a8u);
	EXPECT_EQ(G(VM_ENTRY_INTR_INFO_FIELD), 0x00000b0du);
}

TEST_F(RuleInjection, R14_HardwareExceptionWithoutErrorCode)
{
	HandlerExits(UD_VECTOR);
	Inject(0x80000306, 0x55 /* ignored: bit 11 clear */);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectVmcallExitInHandler();
	ASSERT_EQ(mem.depth, 1u);
	EXPECT_EQ(mem.stack[0].rip, kGuestBase);
	EXPECT_FALSE(mem.stack[0].has_error_code);
	EXPECT_EQ(First(HW_DELIVER)->error_code, 0u);
}

TEST_F(RuleInjection, R14_SoftwareInterruptReturnsPastTheInstruction)
{
	HandlerExits(0x80);
	Inject(0x80000480, 0, 2);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectVmcallExitInHandler();
	ASSERT_EQ(mem.depth, 1u);
	EXPECT_EQ(mem.stack[0].rip, kGuestBase + 2);   /* guest RIP + entry instruction length */
	EXPECT_EQ(First(HW_DELIVER)->intr_info, 0x80000480u);
	EXPECT_EQ(G(VM_EXIT_INSTRUCTION_LEN), 3u);     /* the VMCALL's, not the injected length */
}

TEST_F(RuleInjection, R14_SoftwareInterruptUsesTheWholeLength)
{
	HandlerExits(0x21);
	Inject(0x80000421, 0, 7);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ASSERT_EQ(mem.depth, 1u);
	EXPECT_EQ(mem.stack[0].rip, kGuestBase + 7);
}

TEST_F(RuleInjection, R14_PrivilegedSoftwareExceptionReturnsPastIcebp)
{
	HandlerExits(DB_VECTOR);
	Inject(0x80000501, 0, 1);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectVmcallExitInHandler();
	ASSERT_EQ(mem.depth, 1u);
	EXPECT_EQ(mem.stack[0].rip, kGuestBase + 1);
	EXPECT_EQ(First(HW_DELIVER)->intr_info, 0x80000501u);
}

TEST_F(RuleInjection, R14_SoftwareExceptionReturnsPastInt3)
{
	HandlerExits(BP_VECTOR);
	Inject(0x80000603, 0, 1);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectVmcallExitInHandler();
	ASSERT_EQ(mem.depth, 1u);
	EXPECT_EQ(mem.stack[0].rip, kGuestBase + 1);
	EXPECT_EQ(First(HW_DELIVER)->intr_info, 0x80000603u);
}

TEST_F(RuleInjection, R14_SoftwareExceptionIntoReturnsPastIt)
{
	HandlerExits(OF_VECTOR);
	Inject(0x80000604, 0, 1);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ASSERT_EQ(mem.depth, 1u);
	EXPECT_EQ(mem.stack[0].rip, kGuestBase + 1);
}

TEST_F(RuleInjection, R14_ZeroLengthSoftInterruptReturnsToGuestRip)
{
	Use("sapphire-rapids");
	HandlerExits(0x80);
	Inject(0x80000480, 0, 0);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectVmcallExitInHandler();
	ASSERT_EQ(mem.depth, 1u);
	EXPECT_EQ(mem.stack[0].rip, kGuestBase);
}

TEST_F(RuleInjection, R14_PendingMtfDeliversNothingAndExitsBeforeAnyInstruction)
{
	Inject(0x80000700);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_MONITOR_TRAP_FLAG);
	EXPECT_EQ(Get(GUEST_RIP), kGuestBase);
	EXPECT_EQ(lp.retired, 0u);
	EXPECT_EQ(Count(HW_DELIVER), 0);
	EXPECT_EQ(mem.depth, 0u);
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), 0u);
	EXPECT_EQ(G(IDT_VECTORING_INFO_FIELD), 0u);
	EXPECT_EQ(G(VM_ENTRY_INTR_INFO_FIELD), 0x00000700u);
	EXPECT_EQ(G(GUEST_ACTIVITY_STATE), (uint32_t)GUEST_ACTIVITY_ACTIVE);
	EXPECT_EQ(lp.cycle, 2000u);
	/* The monitor trap flag control itself is 0. */
	EXPECT_EQ(Get(CPU_BASED_VM_EXEC_CONTROL) & CPU_BASED_MONITOR_TRAP_FLAG, 0u);
}

TEST_F(RuleInjection, R14_InjectedExceptionIgnoresTheExceptionBitmap)
{
	HandlerExits(UD_VECTOR);
	Set(EXCEPTION_BITMAP, 0xffffffffu);
	Inject(0x80000306);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectVmcallExitInHandler();
	EXPECT_EQ(Count(HW_DELIVER), 1);
}

TEST_F(RuleInjection, R14_InjectionIgnoresIfForNmiAndExceptions)
{
	Set(GUEST_RFLAGS, X86_EFLAGS_FIXED);
	HandlerExits(NMI_VECTOR);
	Inject(0x80000202);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectVmcallExitInHandler();
	EXPECT_EQ(mem.stack[0].rflags, (uint64_t)X86_EFLAGS_FIXED);
}

TEST_F(RuleInjection, R14_InjectionIgnoresNmiBlockingWithoutVirtualNmis)
{
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
	HandlerExits(NMI_VECTOR);
	Inject(0x80000202);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectVmcallExitInHandler();
	EXPECT_EQ(Count(HW_DELIVER), 1);
}

TEST_F(RuleInjection, R14_ValidBitClearedEvenWhenNoEventWasInjected)
{
	Program({Op(VMX_OP_VMCALL)});
	Set(VM_ENTRY_INTR_INFO_FIELD, 0x00000b0d);   /* invalid leftovers stay as they are */
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(G(VM_ENTRY_INTR_INFO_FIELD), 0x00000b0du);
	EXPECT_EQ(Count(HW_DELIVER), 0);
	EXPECT_EQ(First(HW_VMENTRY)->intr_info, 0u);
}

/* ---- R15: blocking after injection ---- */

TEST_F(RuleInjection, R15_InjectionRemovesStiBlocking)
{
	HandlerExits(UD_VECTOR);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI);
	Inject(0x80000306);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectVmcallExitInHandler();
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), 0u);
}

TEST_F(RuleInjection, R15_InjectionRemovesMovSsBlocking)
{
	HandlerExits(UD_VECTOR);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_MOV_SS);
	Inject(0x80000306);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectVmcallExitInHandler();
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), 0u);
}

TEST_F(RuleInjection, R15_WithoutInjectionStiBlockingHoldsAsWritten)
{
	Program({Op(VMX_OP_VMCALL)});
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(Get(GUEST_RIP), kGuestBase);
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), GUEST_INTR_STATE_STI);
}

TEST_F(RuleInjection, R15_WithoutInjectionMovSsBlockingHoldsAsWritten)
{
	Program({Op(VMX_OP_VMCALL)});
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_MOV_SS);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), GUEST_INTR_STATE_MOV_SS);
}

TEST_F(RuleInjection, R15_NmiInjectionWithVirtualNmisLeavesVirtualNmiBlocking)
{
	SetBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VIRTUAL_NMIS);
	HandlerExits(NMI_VECTOR);
	Inject(0x80000202);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectVmcallExitInHandler();
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), GUEST_INTR_STATE_NMI);
	EXPECT_FALSE(lp.nmi_blocked);    /* the processor's own NMI blocking is untouched */
	EXPECT_FALSE(lp.vnmi_blocked);   /* virtual-NMI blocking ends with non-root operation */
}

TEST_F(RuleInjection, R15_NmiInjectionWithoutVirtualNmisLeavesBlockingByNmi)
{
	HandlerExits(NMI_VECTOR);
	Inject(0x80000202);
	vmx_lp_nmi(&lp);   /* a real NMI waits: blocking by NMI holds it in the guest (no NMI exit) */
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectVmcallExitInHandler();
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), 0u);   /* NMI exiting, no virtual NMIs: blocking by NMI ended with the exit and is not saved (model, docs/sdm-rules.md) */
	EXPECT_TRUE(lp.nmi_latched);     /* still waiting ... */
	EXPECT_FALSE(lp.nmi_blocked);    /* ... for the host, which is not blocked any more */
	EXPECT_EQ(vmx_arbitrate(&lp), VMX_DECIDE_NMI_DELIVER);
}

TEST_F(RuleInjection, R15_ExceptionInjectionKeepsTheFieldsNmiBlocking)
{
	SetBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VIRTUAL_NMIS);
	Set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
	HandlerExits(UD_VECTOR);
	Inject(0x80000306);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectVmcallExitInHandler();
	EXPECT_EQ(G(GUEST_INTERRUPTIBILITY_INFO), GUEST_INTR_STATE_NMI);
}

/* ---- R23: activity state after an entry into HLT ---- */

namespace {

class RuleInjectionHlt : public RuleInjection {
protected:
	void SetUp() override
	{
		RuleInjection::SetUp();
		/* 0: hlt, 1: work (guest RIP of the halted guest), 2: handler. */
		Program({Op(VMX_OP_HLT), Work(100), Op(VMX_OP_VMCALL)});
		Set(GUEST_RIP, At(1));
		Set(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_HLT);
	}
};

}  // namespace

TEST_F(RuleInjectionHlt, R23_EntryIntoHltWithoutInjectionStaysHalted)
{
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	EXPECT_EQ(lp.ctx.activity, (uint32_t)GUEST_ACTIVITY_HLT);
	EXPECT_EQ(vmx_lp_run(&lp, lp.cycle + 5000), VMX_RUN_LIMIT);
	EXPECT_EQ(lp.ctx.activity, (uint32_t)GUEST_ACTIVITY_HLT);
	EXPECT_EQ(lp.ctx.rip, At(1));
	EXPECT_EQ(lp.retired, 0u);
	EXPECT_EQ(lp.cycle, 6000u);
}

TEST_F(RuleInjectionHlt, R23_ExternalInterruptInjectionMakesTheGuestActive)
{
	Gate(0x30, 2);
	Inject(0x80000030);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(Get(GUEST_RIP), At(2));
	EXPECT_EQ(G(GUEST_ACTIVITY_STATE), (uint32_t)GUEST_ACTIVITY_ACTIVE);
	ASSERT_EQ(mem.depth, 1u);
	EXPECT_EQ(mem.stack[0].rip, At(1));   /* returns to the guest RIP, past the HLT */
}

TEST_F(RuleInjectionHlt, R23_NmiInjectionMakesTheGuestActive)
{
	Gate(NMI_VECTOR, 2);
	Inject(0x80000202);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(G(GUEST_ACTIVITY_STATE), (uint32_t)GUEST_ACTIVITY_ACTIVE);
}

TEST_F(RuleInjectionHlt, R23_DebugAndMachineCheckInjectionMakeTheGuestActive)
{
	for (uint32_t info : {0x80000301u, 0x80000312u}) {
		SetUp();
		events.clear();
		Gate(intr_info_vector(info), 2);
		Inject(info);
		ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
		EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL) << std::hex << info;
		EXPECT_EQ(G(GUEST_ACTIVITY_STATE), (uint32_t)GUEST_ACTIVITY_ACTIVE);
	}
}

TEST_F(RuleInjectionHlt, R23_PendingMtfInjectionLeavesTheGuestHalted)
{
	Inject(0x80000700);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_MONITOR_TRAP_FLAG);
	EXPECT_EQ(Get(GUEST_RIP), At(1));
	EXPECT_EQ(G(GUEST_ACTIVITY_STATE), (uint32_t)GUEST_ACTIVITY_HLT);
	EXPECT_EQ(Count(HW_DELIVER), 0);
}
