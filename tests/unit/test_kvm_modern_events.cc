/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kvm-modern's event path as today's KVM has it (issue 15, items 1-4):
 * vmx_check_nested_events() deciding L1's events first in guest mode, the
 * -EBUSY answers that become an immediate exit (block_nested_events),
 * KVM_REQ_EVENT gating injection, and the soft virtual-NMI state per
 * loaded VMCS. Each test runs a shipped scenario (or a copy under another
 * era) and looks at what the model used to get wrong.
 */
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "scn_text.h"

namespace {

uint64_t CycleOf(const std::string &line)
{
	return std::stoull(line);
}

}  // namespace

/* Item 1: an NMI for the vCPU in L2, with NMI exiting in vmcs12, is L1's NMI exit (0x80000202). */
TEST(KvmModernNested, NmiBecomesL1sNmiExit)
{
	ScnRun r = RunScenarioText(ShippedScenario("nested/nmi-exit-to-l1-modern.scn"));
	EXPECT_EQ(r.status, VMXSIM_OK) << r.diag;
	auto exits = TraceLinesWith(r.trace, {"L1 nested_exit", "reason=EXCEPTION_NMI", "intr_info=0x80000202"});
	ASSERT_EQ(exits.size(), 1u) << r.trace;
	EXPECT_GE(CycleOf(exits[0]), 20000u);
	EXPECT_LT(CycleOf(exits[0]), 25000u) << "the NMI is an exit as soon as L0 looks, not after L2's next exit";
	EXPECT_TRUE(TraceLinesWith(r.trace, {"deliver", "type=nmi"}).empty()) << r.trace;
}

/* Item 1: without NMI exiting the NMI is L2's, injected through vmcs02 into L2's IDT. */
TEST(KvmModernNested, NmiWithoutNmiExitingGoesIntoL2)
{
	ScnRun r = RunScenarioText(ShippedScenario("nested/nmi-into-l2-modern.scn"));
	EXPECT_EQ(r.status, VMXSIM_OK) << r.diag;
	EXPECT_EQ(TraceLinesWith(r.trace, {"L2 deliver", "vector=2 type=nmi injected=1"}).size(), 1u) << r.trace;
	EXPECT_TRUE(TraceLinesWith(r.trace, {"L1 deliver", "type=nmi"}).empty()) << r.trace;
	EXPECT_TRUE(TraceLinesWith(r.trace, {"nested_exit"}).empty()) << r.trace;
}

/* Item 1: an NMI held by NMI blocking in L2 waits for L2's NMI window; blocked L1 NMIs are not L2's concern. */
TEST(KvmModernNested, NmiExitLeavesL1sNmisBlocked)
{
	ScnRun r = RunScenarioText(ShippedScenario("nested/nmi-exit-to-l1-modern.scn"));
	/* The emulated exit blocks L1's NMIs, as a real NMI exit does (vmx_set_nmi_mask). */
	auto blocked = TraceLinesWith(r.trace, {"L1 blocking", "to=vnmi"});
	ASSERT_FALSE(blocked.empty()) << r.trace;
}

/* Item 2: an interrupt due at L1's VMLAUNCH (L1 does not exit on them) does not overwrite L1's injection. */
TEST(KvmModernNested, RunPendingKeepsL1sInjectionAndDeliversRightAfter)
{
	ScnRun r = RunScenarioText(ShippedScenario("nested/run-pending-no-exit-on-intr-modern.scn"));
	EXPECT_EQ(r.status, VMXSIM_OK) << r.diag;
	auto d49 = TraceLinesWith(r.trace, {"L2 deliver", "vector=49"});
	auto d32 = TraceLinesWith(r.trace, {"L2 deliver", "vector=32"});
	ASSERT_EQ(d49.size(), 1u) << r.trace;
	ASSERT_EQ(d32.size(), 1u) << r.trace;
	EXPECT_LT(CycleOf(d49[0]), CycleOf(d32[0]));
	EXPECT_EQ(TraceLinesWith(r.trace, {"L2 vmexit", "reason=PREEMPTION_TIMER"}).size(), 1u) << "the immediate exit";
}

/* Item 2: an event re-injected into L2 does not hold L1's interrupt off while L2 computes. */
TEST(KvmModernNested, ReinjectionIntoL2ForcesImmediateExitForL1sInterrupt)
{
	ScnRun r = RunScenarioText(ShippedScenario("nested/reinject-with-l1-irq-modern.scn"));
	EXPECT_EQ(r.status, VMXSIM_OK) << r.diag;
	EXPECT_EQ(TraceLinesWith(r.trace, {"L0 defer", "re-injection into L2 first"}).size(), 1u) << r.trace;
	auto d32 = TraceLinesWith(r.trace, {"L1 deliver", "vector=32"});
	ASSERT_EQ(d32.size(), 1u) << r.trace;
	EXPECT_LT(CycleOf(d32[0]), 20000u);
	EXPECT_TRUE(TraceLinesWith(r.trace, {"lost_event"}).empty()) << r.trace;
}

/*
 * Item 3: the soft-vNMI timeout clears the flag and requests nothing, so
 * today's KVM injects the pending NMI only at the next KVM_REQ_EVENT (the
 * interrupt at 1.05 s); the 2008 code injects at the timeout's exit.
 */
TEST(KvmModernEvents, SoftVnmiTimeoutWaitsForTheNextRequest)
{
	const std::string text = ShippedScenario("soft-vnmi/timeout-no-request-modern.scn");
	const uint64_t ghz24 = 2400000000ull;   /* core2-no-vnmi's TSC */
	ScnRun modern = RunScenarioText(text);
	EXPECT_EQ(modern.status, VMXSIM_OK) << modern.diag;
	auto m = TraceLinesWith(modern.trace, {"L0 inject", "type=nmi"});
	ASSERT_EQ(m.size(), 2u) << modern.trace;
	EXPECT_GE(CycleOf(m[1]), ghz24 * 105 / 100) << "injected before anything requested an event";

	ScnRun old = RunScenarioText(WithL0Line(text, "kvm-2008"));
	auto o = TraceLinesWith(old.trace, {"L0 inject", "type=nmi"});
	ASSERT_EQ(o.size(), 2u) << old.trace;
	auto timeout = TraceLinesWith(old.trace, {"soft_vnmi", "why=timeout"});
	ASSERT_EQ(timeout.size(), 1u);
	EXPECT_GE(CycleOf(o[1]), CycleOf(timeout[0]));
	EXPECT_LT(CycleOf(o[1]), CycleOf(timeout[0]) + 1000) << "2008 injects on the way out of the timeout's exit";
}

/* Item 4: nested_run_pending makes the NMI-allowed check answer -EBUSY; the NMI exit follows L1's injection. */
TEST(KvmModernNested, NmiAtVmlaunchWaitsForL1sEntryThenExits)
{
	ScnRun r = RunScenarioText(ShippedScenario("nested/nmi-at-vmlaunch-modern.scn"));
	EXPECT_EQ(r.status, VMXSIM_OK) << r.diag;
	auto d49 = TraceLinesWith(r.trace, {"L2 deliver", "vector=49"});
	auto nmi = TraceLinesWith(r.trace, {"L1 nested_exit", "reason=EXCEPTION_NMI", "idt_vectoring=0x00000000"});
	ASSERT_EQ(d49.size(), 1u) << r.trace;
	ASSERT_EQ(nmi.size(), 1u) << r.trace;
	EXPECT_LT(CycleOf(d49[0]), CycleOf(nmi[0]));
	EXPECT_EQ(TraceLinesWith(r.trace, {"L0 defer", "what=nmi", "nested_run_pending"}).size(), 1u) << r.trace;
}

/* Item 4: the soft-vNMI flag is per loaded VMCS: L2's set flag does not hold off L1's NMI. */
TEST(KvmModernNested, SoftVnmiFlagIsPerLoadedVmcs)
{
	ScnRun r = RunScenarioText(ShippedScenario("nested/soft-vnmi-per-vmcs-modern.scn"));
	EXPECT_EQ(r.status, VMXSIM_OK) << r.diag;
	EXPECT_EQ(TraceLinesWith(r.trace, {"soft_vnmi", "blocked=1", "vmcs=vmcs02"}).size(), 1u) << r.trace;
	EXPECT_TRUE(TraceLinesWith(r.trace, {"soft_vnmi", "blocked=0"}).empty()) << "L2's flag is never cleared here";
	auto l1 = TraceLinesWith(r.trace, {"L1 deliver", "type=nmi"});
	ASSERT_EQ(l1.size(), 1u) << r.trace;
	EXPECT_LT(CycleOf(l1[0]), 34000u);
}

/* Item 4: KVM_REQ_NMI wakes a halted vCPU by itself, once, even with the NMI not injectable. */
TEST(KvmModernEvents, ReqNmiWakesAHaltedVcpuOnce)
{
	ScnRun r = RunScenarioText(ShippedScenario("soft-vnmi/req-nmi-wakes-once-modern.scn"));
	EXPECT_EQ(r.status, VMXSIM_OK) << r.diag;
	auto wakes = TraceLinesWith(r.trace, {"L0 halt", "what=wake"});
	ASSERT_EQ(wakes.size(), 2u) << r.trace;
	EXPECT_EQ(CycleOf(wakes[1]), 100000u) << "the third NMI's request wakes the vCPU";
	auto blocks = TraceLinesWith(r.trace, {"L0 halt", "what=block"});
	ASSERT_EQ(blocks.size(), 3u) << r.trace;
	EXPECT_GT(CycleOf(blocks[2]), 100000u) << "and it sleeps again, for good";
	EXPECT_EQ(TraceLinesWith(r.trace, {"L1 deliver", "type=nmi"}).size(), 1u);
}

/* The `-run-pending-check` ablation reaches today's path too: without nested_run_pending, L1's injection is lost. */
TEST(KvmModernNested, RunPendingCheckAblationLosesL1sInjection)
{
	const std::string text = ShippedScenario("nested/run-pending-no-exit-on-intr-modern.scn");
	ScnRun with = RunScenarioText(text);
	ScnRun without = RunScenarioText(WithL0Line(text, "kvm-modern -run-pending-check"));
	EXPECT_EQ(TraceLinesWith(with.trace, {"L2 deliver", "vector=49"}).size(), 1u);
	EXPECT_TRUE(TraceLinesWith(without.trace, {"L2 deliver", "vector=49"}).empty()) << without.trace;
}
