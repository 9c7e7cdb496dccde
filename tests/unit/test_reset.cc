/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_reset.cc - RESET at the processor (R24 level 1; init_sipi.c): it
 * comes before everything, a machine check included, in every operation
 * and activity state; VMX has no VM exit for it, so the processor leaves
 * VMX operation without telling the hypervisor; pending events go with
 * the state they belonged to; an application processor then waits for a
 * SIPI with CR4 = 0, and the bootstrap processor's restart in firmware is
 * refused as not modelled. The scenario-level cases check the stimulus:
 * only at the pins of a bare-metal machine.
 *
 * Guest layout: 0 = work, 1 = HLT, 2 = work.
 */
#include "root_fixture.h"

#include <string>

#include "scn_text.h"
extern "C" {
#include "vmcs/x86_cr.h"
#include "vmcs/x86_mcg.h"
}

namespace {

class Reset : public RootTest {
protected:
	void SetUp() override
	{
		RootTest::SetUp();
		Program({Work(3), Op(VMX_OP_HLT), Work(1000000)});
	}

	bool Mce()
	{
		x86_mce_record r{};
		r.bank = 0;
		r.status = MCI_STATUS_VAL | MCI_STATUS_UC;
		return vmx_lp_machine_check(&lp, &r);
	}

	/* What every reset application processor looks like: outside VMX, waiting for a SIPI, CR4 0. */
	void ExpectWaitingForSipiOutsideVmx()
	{
		EXPECT_FALSE(lp.vmx_operation);
		EXPECT_FALSE(lp.non_root);
		EXPECT_EQ(lp.vmcs, nullptr);
		EXPECT_EQ(lp.ctx.activity, (uint32_t)GUEST_ACTIVITY_WAIT_SIPI);
		EXPECT_EQ(lp.cr4, 0u);
		EXPECT_FALSE(lp.reset_latched);
	}
};

}  // namespace

TEST_F(Reset, R24_ResetInNonRootOperationHasNoVmExit)
{
	SetBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING);
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 2), VMX_RUN_LIMIT);
	uint64_t rip = lp.ctx.rip;
	vmx_lp_reset_signal(&lp);
	EXPECT_EQ(vmx_arbitrate(&lp), VMX_DECIDE_RESET);
	/* The root software here is C code: it gets the processor back, outside VMX operation. */
	EXPECT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_ROOT);
	EXPECT_EQ(Count(HW_VMEXIT), 0);
	ASSERT_EQ(Count(HW_RESET), 1);
	EXPECT_EQ(First(HW_RESET)->rip, rip);        /* where it struck: the guest's boundary */
	EXPECT_TRUE(First(HW_RESET)->non_root);
	ExpectWaitingForSipiOutsideVmx();
	EXPECT_EQ(lp.ctx.mem, lp.host_mem);          /* the guest's context is gone with VMX operation */
}

TEST_F(Reset, R24_ResetComesBeforeAMachineCheckAndTakesEveryPendingEventWithIt)
{
	SetBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING);
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_MONITOR_TRAP_FLAG);
	SetBits(GUEST_CR4, X86_CR4_MCE);
	vmx_lp_nmi(&lp);
	vmx_lp_irq(&lp, 0x40);
	vmx_lp_init_signal(&lp);
	ASSERT_TRUE(Mce());
	vmx_lp_reset_signal(&lp);
	EXPECT_EQ(vmx_arbitrate(&lp), VMX_DECIDE_RESET);   /* in root operation too */
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	EXPECT_EQ(vmx_lp_run(&lp, lp.cycle + 5000), VMX_RUN_ROOT);   /* C root software gets it back */
	EXPECT_EQ(Count(HW_VMEXIT), 0);
	EXPECT_EQ(Count(HW_DELIVER), 0);
	EXPECT_FALSE(lp.nmi_latched);
	EXPECT_FALSE(lp.init_latched);
	EXPECT_FALSE(lp.mce_latched);
	EXPECT_FALSE(lp.mtf_pending);
	EXPECT_EQ(lapic_highest_irr(&lp.apic), -1);   /* the local APIC's power-up state */
	/* The error stays logged in its bank: it survives the reset, for the next boot to read. */
	EXPECT_NE(lp.mca[0][1] & MCI_STATUS_VAL, 0u);
	ExpectWaitingForSipiOutsideVmx();
}

TEST_F(Reset, R24_ResetInVmxRootOperationLeavesItAndDropsTheBlockedInit)
{
	Host({Work(1000000)});
	vmx_lp_init_signal(&lp);
	EXPECT_EQ(Run(100), VMX_RUN_LIMIT);
	EXPECT_TRUE(lp.init_latched);                /* blocked in VMX root operation */
	ASSERT_TRUE(lp.vmx_operation);
	vmx_lp_reset_signal(&lp);
	EXPECT_EQ(Run(100), VMX_RUN_LIMIT);
	ExpectWaitingForSipiOutsideVmx();
	EXPECT_FALSE(lp.init_latched);               /* the INIT that waited went with the reset */
	EXPECT_EQ(Count(HW_INIT), 0);
}

TEST_F(Reset, R23_ResetEndsTheShutdownState)
{
	/* CR4.MCE = 0 in root operation: a machine check shuts the processor down. */
	Host({Work(1000000)});
	ASSERT_TRUE(Mce());
	ASSERT_EQ(Run(100), VMX_RUN_SHUTDOWN);
	EXPECT_EQ(Run(100), VMX_RUN_SHUTDOWN);        /* nothing else wakes it */
	vmx_lp_reset_signal(&lp);
	EXPECT_EQ(Run(100), VMX_RUN_LIMIT);
	EXPECT_EQ(Count(HW_RESET), 1);
	ExpectWaitingForSipiOutsideVmx();
}

TEST_F(Reset, ResetOfTheBootstrapProcessorIsNotModelled)
{
	Host({Work(1000000)});
	lp.bsp = true;
	vmx_lp_reset_signal(&lp);
	EXPECT_EQ(Run(100), VMX_RUN_NOT_MODELLED);
	EXPECT_EQ(Count(HW_RESET), 1);               /* said first, then why the run stops */
	ASSERT_EQ(Count(HW_NOT_MODELLED), 1);
	EXPECT_EQ(First(HW_NOT_MODELLED)->vector, (uint32_t)VMX_PIN_RESET);
	EXPECT_FALSE(lp.vmx_operation);
}

/* The stimulus: at the pins of a bare-metal machine, aimed at L1; refused under an L0, and for L2. */
TEST(ResetStimulus, OnlyAtTheBareMetalPins)
{
	const std::string l1 = "guest L1\n  exit-handler h\nmain:   work 100\nh:      hlt\n";
	EXPECT_EQ(RunScenarioText("cpu nehalem\nl0 kvm-modern\n" + l1 + "at 500 reset -> L1 cpu0\nrun 1000\n").diag,
	          "t.scn:7:1: not modelled: RESET under L0 'kvm-modern' (at the pins it restarts the host with its L0; "
	          "a guest's reset is user space's, and the L0s do not model it; only 'l0 none' takes a RESET)\n");
	EXPECT_EQ(RunScenarioText("cpu nehalem\nl0 none\n" + l1 + "guest L2\nl2: work 1\nat 500 reset -> L2 cpu0\n"
	                          "run 1000\n")
	              .diag,
	          "t.scn:9:17: with 'l0 none' a RESET cannot be aimed at L2: it arrives at the processor's pins, and "
	          "while L2 runs it ends VMX operation without a VM exit; write '-> L1'\n");
	/* The bootstrap processor (cpu0): its restart is refused as not modelled, at the stimulus's line. */
	ScnRun r = RunScenarioText("cpu nehalem\nl0 none\n" + l1 + "guest L2\nl2: work 1\nat 500 reset -> L1 cpu0\n"
	                           "run 1000\n");
	EXPECT_EQ(r.status, VMXSIM_BAD_INPUT);
	EXPECT_NE(r.diag.find("t.scn:9:1: not modelled: RESET of the bootstrap processor"), std::string::npos) << r.diag;
	EXPECT_NE(r.trace.find(" reset "), std::string::npos) << r.trace;
}

/*
 * The lost-event monitor: what a RESET discards was discarded by design -
 * the NMI waiting behind the one being handled is no verdict - but an NMI
 * raised after it, which wait-for-SIPI holds to the end, is lost.
 */
TEST(ResetStimulus, TheLostEventMonitorSettlesWhatTheResetDiscarded)
{
	ScnRun r = RunScenarioText(R"(cpu nehalem
l0 none
vcpus 2
guest L1 cpu0
  exit-handler idle
idle:   work 1000
        jmp idle
guest L1 cpu1
  exit-handler h
  idt 2 on_nmi interrupt-gate
main:   work 1000
        jmp main
h:      hlt
on_nmi: work 100000
        iret
guest L2
l2:     work 1
at 1000 nmi -> L1 cpu1
at 2000 nmi -> L1 cpu1
at 3000 reset -> L1 cpu1
at 5000 nmi -> L1 cpu1
run 8000
expect count deliver nmi L1 cpu1 == 1
expect count reset cpu1 == 1
expect count violation lost_event == 1
)");
	EXPECT_EQ(r.status, VMXSIM_OK) << r.diag;
	EXPECT_NE(r.trace.find("8000 cpu1 L0 violation     kind=lost_event type=nmi raised=3 delivered=2"), std::string::npos)
	    << r.trace;
}
