/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_init_sipi.cc - INIT and SIPI at the processor (SDM Vol. 3C 25.2
 * "Other Causes of VM Exits", the activity states of VM entry, and
 * Vol. 3A multiple-processor initialization): INIT exits in non-root
 * operation (reason 3), is blocked in VMX root operation and in the
 * wait-for-SIPI state, and resets the processor into wait-for-SIPI outside
 * VMX operation; a SIPI exits from wait-for-SIPI in non-root operation
 * (reason 4, the vector as the qualification), is discarded in any other
 * state, and starts a processor waiting outside VMX operation.
 *
 * Guest layout: 0 = work, 1 = HLT, 2 = work, 3 = VMCALL.
 */
#include "root_fixture.h"

namespace {

class InitSipi : public RootTest {
protected:
	void SetUp() override
	{
		RootTest::SetUp();
		Program({Work(3), Op(VMX_OP_HLT), Work(1000000), Op(VMX_OP_VMCALL)});
	}

	/* Enter in an activity state at insn 2. */
	void EnterIn(uint32_t activity)
	{
		Set(GUEST_ACTIVITY_STATE, activity);
		Set(GUEST_RIP, At(2));
		ASSERT_EQ(Launch(), VMX_ENTRY_OK) << LastCheck();
	}
};

}  // namespace

/* ---- INIT in VMX non-root operation: a VM exit ---- */

TEST_F(InitSipi, InitInNonRootOperationExits)
{
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 2), VMX_RUN_LIMIT);
	uint64_t rip = lp.ctx.rip;
	vmx_lp_init_signal(&lp);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_INIT_SIGNAL);
	EXPECT_EQ(Get(EXIT_QUALIFICATION), 0u);
	EXPECT_EQ(Get(GUEST_RIP), rip);          /* no register state changes */
	EXPECT_EQ(Get(VM_EXIT_INTR_INFO), 0u);
	EXPECT_FALSE(lp.init_latched);           /* consumed by the exit */
}

TEST_F(InitSipi, InitLeavesPendingEventsAlone)
{
	/* An interrupt that would exit too: INIT comes first and leaves it requested. */
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	vmx_lp_irq(&lp, 0x40);
	vmx_lp_init_signal(&lp);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_INIT_SIGNAL);
	EXPECT_EQ(lapic_highest_irr(&lp.apic), 0x40);
}

TEST_F(InitSipi, InitComesBeforeMtfNmiAndInterrupts)
{
	/* R24: INIT (3) above the MTF exit (3.5), the preemption timer (4.3), NMIs (5) and interrupts (6). */
	SetBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VMX_PREEMPTION_TIMER);
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_MONITOR_TRAP_FLAG);
	Set(VMX_PREEMPTION_TIMER_VALUE, 0);
	vmx_lp_nmi(&lp);
	vmx_lp_irq(&lp, 0x40);
	vmx_lp_init_signal(&lp);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_INIT_SIGNAL);
	EXPECT_EQ(Get(GUEST_RIP), At(0));
	EXPECT_TRUE(lp.nmi_latched);
}

TEST_F(InitSipi, InitWakesHltAndShutdownWithTheirActivitySaved)
{
	for (uint32_t act : {(uint32_t)GUEST_ACTIVITY_HLT, (uint32_t)GUEST_ACTIVITY_SHUTDOWN}) {
		Use("nehalem");
		Program({Work(3), Op(VMX_OP_HLT), Work(1000000), Op(VMX_OP_VMCALL)});
		events.clear();
		EnterIn(act);
		ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_LIMIT);
		vmx_lp_init_signal(&lp);
		ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
		EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_INIT_SIGNAL);
		EXPECT_EQ(G(GUEST_ACTIVITY_STATE), act);
		EXPECT_EQ(Count(HW_WAKE), 1);
	}
}

/* ---- INIT in VMX root operation: blocked ---- */

TEST_F(InitSipi, InitIsBlockedInRootOperationAndExitsRightAfterTheNextEntry)
{
	vmx_lp_init_signal(&lp);
	vmx_lp_exec_root(&lp, VMX_OP_WORK, 1000, 0);
	EXPECT_TRUE(lp.init_latched);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_INIT_SIGNAL);
	EXPECT_EQ(Get(GUEST_RIP), At(0));     /* before the guest's first instruction */
	EXPECT_EQ(lp.retired, 1000u);          /* the root work only */
}

TEST_F(InitSipi, InitIsBlockedWhileARootProgramRuns)
{
	Host({Work(100), Op(VMX_OP_HLT)});
	vmx_lp_init_signal(&lp);
	EXPECT_EQ(Run(5000), VMX_RUN_LIMIT);
	EXPECT_EQ(lp.ctx.activity, (uint32_t)GUEST_ACTIVITY_HLT);   /* the program ran to its HLT */
	EXPECT_TRUE(lp.init_latched);
	EXPECT_EQ(Count(HW_INIT), 0);
}

/* ---- INIT outside VMX operation: reset into wait-for-SIPI ---- */

TEST_F(InitSipi, VmxoffWithInitPendingResetsIntoWaitForSipi)
{
	Host({Work(10), Op(VMX_OP_VMXOFF), Work(10), Op(VMX_OP_HLT)});
	vmx_lp_irq(&lp, 0x40);
	vmx_lp_init_signal(&lp);
	EXPECT_EQ(Run(5000), VMX_RUN_LIMIT);
	ASSERT_EQ(Count(HW_INIT), 1);
	EXPECT_EQ(lp.ctx.activity, (uint32_t)GUEST_ACTIVITY_WAIT_SIPI);
	EXPECT_EQ(lp.retired, 11u);                     /* the work after VMXOFF never runs */
	EXPECT_FALSE(lp.init_latched);
	EXPECT_EQ(lapic_highest_irr(&lp.apic), -1);     /* the local APIC's power-up state */
	EXPECT_EQ(First(HW_INIT)->rip, HostAt(2));
}

TEST_F(InitSipi, WaitingForSipiOutsideVmxNothingElseWakes)
{
	Host({Op(VMX_OP_VMXOFF), Op(VMX_OP_HLT)});
	vmx_lp_init_signal(&lp);
	Run(100);
	ASSERT_EQ(lp.ctx.activity, (uint32_t)GUEST_ACTIVITY_WAIT_SIPI);
	host.idt[NMI_VECTOR].type = VMX_GATE_INTERRUPT;
	host.idt[NMI_VECTOR].handler = HostAt(1);
	vmx_lp_nmi(&lp);
	vmx_lp_irq(&lp, 0x40);
	vmx_lp_init_signal(&lp);
	EXPECT_EQ(Run(5000), VMX_RUN_LIMIT);
	EXPECT_EQ(lp.ctx.activity, (uint32_t)GUEST_ACTIVITY_WAIT_SIPI);
	EXPECT_EQ(Count(HW_DELIVER), 0);
	EXPECT_EQ(Count(HW_INIT), 1);
}

TEST_F(InitSipi, SipiStartsAProcessorWaitingOutsideVmxAtItsVectorsPageWhichIsNotModelled)
{
	Host({Op(VMX_OP_VMXOFF), Op(VMX_OP_HLT)});
	vmx_lp_init_signal(&lp);
	Run(100);
	vmx_lp_sipi(&lp, 0x9a);
	EXPECT_EQ(Run(1), VMX_RUN_NOT_MODELLED);
	ASSERT_EQ(Count(HW_SIPI), 1);
	EXPECT_EQ(First(HW_SIPI)->vector, 0x9au);
	EXPECT_EQ(First(HW_SIPI)->rip, 0x9a000u);
	/* Its real-mode code is no program of the model: the processor stops, saying why and what caused it. */
	ASSERT_EQ(Count(HW_NOT_MODELLED), 1);
	EXPECT_EQ(First(HW_NOT_MODELLED)->vector, (uint32_t)VMX_IPI_SIPI);
	EXPECT_EQ(First(HW_NOT_MODELLED)->line, 0u);
}

TEST_F(InitSipi, InitOfTheBootstrapProcessorOutsideVmxIsNotModelled)
{
	/* The BSP restarts at the reset vector (firmware), not in wait-for-SIPI. */
	Host({Op(VMX_OP_VMXOFF), Op(VMX_OP_HLT)});
	lp.bsp = true;
	vmx_lp_init_signal(&lp);
	EXPECT_EQ(Run(100), VMX_RUN_NOT_MODELLED);
	EXPECT_EQ(Count(HW_INIT), 0);
	ASSERT_EQ(Count(HW_NOT_MODELLED), 1);
	EXPECT_EQ(First(HW_NOT_MODELLED)->vector, (uint32_t)VMX_IPI_INIT);
	EXPECT_FALSE(lp.init_latched);
}

TEST_F(InitSipi, TheBootstrapProcessorTakesInitInVmxOperationLikeAnyOther)
{
	lp.bsp = true;
	vmx_lp_init_signal(&lp);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_INIT_SIGNAL);
}

/* ---- SIPI in VMX non-root operation ---- */

TEST_F(InitSipi, SipiInWaitForSipiExitsWithTheVector)
{
	EnterIn(GUEST_ACTIVITY_WAIT_SIPI);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_LIMIT);
	vmx_lp_sipi(&lp, 0x12);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_SIPI_SIGNAL);
	EXPECT_EQ(Get(EXIT_QUALIFICATION), 0x12u);
	EXPECT_EQ(G(GUEST_ACTIVITY_STATE), (uint32_t)GUEST_ACTIVITY_WAIT_SIPI);
	EXPECT_EQ(Get(GUEST_RIP), At(2));
	EXPECT_FALSE(lp.sipi_latched);
}

TEST_F(InitSipi, SipiOutsideWaitForSipiIsDiscarded)
{
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	vmx_lp_sipi(&lp, 0x12);
	EXPECT_FALSE(lp.sipi_latched);
	EXPECT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_LIMIT);
	/* Nor does it wait for a later wait-for-SIPI state. */
	EXPECT_EQ(lp.non_root, true);
}

TEST_F(InitSipi, SipiInRootOperationIsDiscarded)
{
	vmx_lp_sipi(&lp, 0x12);
	EnterIn(GUEST_ACTIVITY_WAIT_SIPI);
	EXPECT_EQ(vmx_lp_run(&lp, lp.cycle + 5000), VMX_RUN_LIMIT);
	EXPECT_EQ(lp.ctx.activity, (uint32_t)GUEST_ACTIVITY_WAIT_SIPI);
}

TEST_F(InitSipi, WaitForSipiBlocksInitWhichExitsOnceActive)
{
	EnterIn(GUEST_ACTIVITY_WAIT_SIPI);
	vmx_lp_init_signal(&lp);
	EXPECT_EQ(vmx_lp_run(&lp, lp.cycle + 5000), VMX_RUN_LIMIT);   /* blocked, no exit */
	EXPECT_TRUE(lp.init_latched);
	vmx_lp_sipi(&lp, 7);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_SIPI_SIGNAL);
	EXPECT_TRUE(lp.init_latched);                                  /* still pending, blocked in root */
	Set(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	ASSERT_EQ(vmx_lp_vmentry(&lp, false), VMX_ENTRY_OK);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_INIT_SIGNAL);
}

TEST_F(InitSipi, WaitForSipiBlocksNmisInterruptsAndTheTimer)
{
	SetBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VMX_PREEMPTION_TIMER);
	Set(VMX_PREEMPTION_TIMER_VALUE, 1);
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_INTR_WINDOW_EXITING);
	EnterIn(GUEST_ACTIVITY_WAIT_SIPI);
	vmx_lp_nmi(&lp);
	vmx_lp_irq(&lp, 0x40);
	EXPECT_EQ(vmx_lp_run(&lp, lp.cycle + 100000), VMX_RUN_LIMIT);
	EXPECT_TRUE(lp.nmi_latched);
	EXPECT_EQ(lapic_highest_irr(&lp.apic), 0x40);
	vmx_lp_sipi(&lp, 1);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_SIPI_SIGNAL);   /* the SIPI, not what waited */
}

/* ---- VM entry into wait-for-SIPI (R11) ---- */

TEST_F(InitSipi, EntryIntoWaitForSipiNeedsVmxMiscBit8)
{
	model.features &= ~(uint32_t)VMX_FEAT_ACT_WAIT_SIPI;
	cpu_model_derive_caps(&model);
	vmx_lp_init(&lp, &model, 0, nullptr);
	vmx_lp_set_observer(&lp, &HwTest::Observe, this);
	ASSERT_EQ(vmx_lp_vmptrld(&lp, &v), VMX_SUCCEED);
	Set(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_WAIT_SIPI);
	EXPECT_EQ(Launch(), VMX_ENTRY_FAILED);
	EXPECT_EQ(ExitReason(), 0x80000021u);
	EXPECT_EQ(LastCheck(), "R11: activity state supported (IA32_VMX_MISC)");
}
