// SPDX-License-Identifier: Apache-2.0
/*
 * test_kvm_mce.cc - machine checks at the host's processor under the KVM
 * models, era by era (R24 level 1; kvm.h intercept_mc): since a0861c02
 * (2009) #MC is in the exception bitmap, the exit runs the host's handler
 * (kvm_machine_check) and the guest is not told; the 2008 code left the
 * host's machine check to the guest's IDT. In root operation the host
 * takes it (l0_service_host). The CR4 the guest runs with keeps the host's
 * MCE only since 2015 (hw_cr4_host_mce): before, a guest with CR4.MCE = 0
 * had the processor shut down. While L2 runs, the host's handler runs and
 * the exit is L1's when vmcs12 intercepts #MC. What is not modelled under
 * an L0 is refused.
 */
#include "refused_run.h"

namespace {

size_t Occurrences(const std::string &trace, const char *piece)
{
	return TraceLinesWith(trace, {piece}).size();
}

const char kHostHandler[] = "host          type=machine-check vector=18";

}  // namespace

TEST(KvmMce, R24_Kvm2011AndModernInterceptTheHostsMachineCheckTheGuestIsNotTold)
{
	for (const char *l0 : {"kvm-2011", "kvm-modern"}) {
		SCOPED_TRACE(l0);
		ScnRun r = RunScenarioText(WithL0Line(ShippedScenario("soft-vnmi/host-mce-modern.scn"), l0));
		ASSERT_EQ(r.status, VMXSIM_OK) << r.diag;
		EXPECT_EQ(Occurrences(r.trace, "reason=EXCEPTION_NMI qual=0x0 intr_info=0x80000312"), 2u) << r.trace;
		EXPECT_EQ(Occurrences(r.trace, "kvm_machine_check: the host's do_machine_check"), 2u) << r.trace;
		/* The third, with the guest halted in the host: the host's own handler in root operation. */
		EXPECT_EQ(Occurrences(r.trace, "the machine check reached the pins in root operation"), 1u) << r.trace;
		EXPECT_EQ(Occurrences(r.trace, kHostHandler), 3u) << r.trace;
		EXPECT_EQ(r.trace.find("deliver       vector=18"), std::string::npos) << r.trace;
		EXPECT_EQ(r.trace.find("shutdown"), std::string::npos) << r.trace;   /* the handler cleared MCIP */
	}
}

TEST(KvmMce, R24_Kvm2008LeavesTheHostsMachineCheckToTheGuestsIdt)
{
	ScnRun r = RunScenarioText(ShippedScenario("soft-vnmi/host-mce-2008.scn"));
	ASSERT_EQ(r.status, VMXSIM_OK) << r.diag;
	EXPECT_NE(r.trace.find("2550 cpu0 L1 deliver       vector=18 type=hw-exception"), std::string::npos) << r.trace;
	EXPECT_EQ(r.trace.find("intr_info=0x80000312"), std::string::npos) << r.trace;
	/* Nothing cleared MCIP: the next machine check shuts the host down. */
	EXPECT_EQ(Occurrences(r.trace, kHostHandler), 0u) << r.trace;
	EXPECT_NE(r.trace.find("L0 shutdown      cause=machine-check"), std::string::npos) << r.trace;
	EXPECT_NE(r.trace.find("guest_stop    why=\"the host processor shut down"), std::string::npos) << r.trace;
}

TEST(KvmMce, R24_Kvm2008GuestWithoutCr4MceShutsDownInTheGuest)
{
	std::string text = ShippedScenario("soft-vnmi/host-mce-2008.scn");
	text.replace(text.find("0x2060"), 6, "0x2020");   /* VMXE and PAE: no MCE */
	text.replace(text.find("at 3500 mce -> L0 cpu0\n"), 23, "");
	text.replace(text.find("expect count deliver 18 L1 == 1"), 31, "expect count deliver 18 L1 == 0");
	text.replace(text.find("expect count exit HLT == 1"), 26, "expect count exit HLT == 0");
	ScnRun r = RunScenarioText(text);
	ASSERT_EQ(r.status, VMXSIM_OK) << r.diag;
	EXPECT_NE(r.trace.find("2500 cpu0 L1 shutdown      cause=machine-check"), std::string::npos) << r.trace;
}

TEST(KvmMce, R24_WhatIsNotModelledUnderAnL0IsRefused)
{
	const std::string head = "cpu nehalem\nl0 kvm-modern\nguest L1\nmain: work 100\n  jmp main\n";
	// kvm-2008 had no KVM_X86_SET_MCE, plain has no user space: an error of the scenario, not a model gap.
	ExpectRefused(WithL0Line(head, "kvm-2008") + "at 50 mce -> L1 cpu0\nrun 1000\n",
	              "t.scn:6:14: L0 'kvm-2008' has no way for user space to put a machine check into its guest "
	              "(KVM_X86_SET_MCE came with 890ca9ae, 2009: kvm-2011 and kvm-modern have it); one at the host's "
	              "processor is '-> L0'");
	ExpectRefused(WithL0Line(head, "plain") + "at 50 mce -> L1 cpu0\nrun 1000\n",
	              "t.scn:6:14: L0 'plain' has no way for user space to put a machine check into its guest");
	ExpectRefused(head + "guest L2\nl2: vmcall\nat 50 mce -> L2 cpu0\nrun 1000\n",
	              "t.scn:8:14: a machine check goes to the processor ('-> L0') or, through user space, into the "
	              "vCPU ('-> L1', which KVM gives to L2 if it runs): not '-> L2'");
	// Both nested eras take one while L1 may run L2 (GuestMceWhileL2Runs, GuestMceWhileL2RunsUnderKvm2011).
	ExpectHolds(WithL0Line(head, "kvm-2011") + "guest L2\nl2: vmcall\nat 50 mce -> L1 cpu0\nrun 1000\n");
	ExpectHolds(head + "guest L2\nl2: vmcall\nat 50 mce -> L1 cpu0\nrun 1000\n");
	ExpectHolds(head + "at 50 mce -> L0 cpu0\nrun 1000\n");
}

/*
 * KVM_X86_SET_MCE while the vCPU runs L2 (today's KVM), against a machine
 * check at the processor on bare metal (`mce -> L1` with `l0 none`): with
 * vmcs12 intercepting #MC, L1's exception exit (0x80000312) and MCG_STATUS
 * MCIP | RIPV, as on the processor; without, L2's handler runs, as on the
 * processor; with L2's CR4.MCE = 0, KVM's triple fault is L1's TRIPLE_FAULT
 * exit where the processor leaves L2 in shutdown - a difference equiv names.
 */
TEST(KvmMce, R24_GuestMceWhileL2Runs)
{
	std::string report;
	const std::string bare = WithL0Line(ShippedScenario("nested/guest-mce-in-l2-modern.scn"), "none");
	const std::string intercepted = bare.substr(0, bare.find("expect "));
	EXPECT_EQ(EquivText(WithL0Line(intercepted, "kvm-modern"), &report), 0) << report;
	EXPECT_NE(report.find("L1 sees the same 2 events"), std::string::npos) << report;

	std::string into_l2 = intercepted;
	into_l2.replace(into_l2.find("  vmcs EXCEPTION_BITMAP 0x40000  # L1 intercepts #MC\n"), 53,
	                "  idt 18 mc interrupt-gate\n");
	into_l2.replace(into_l2.find("         jmp main\n"), 18,
	                "         jmp main\nmc:      rdmsr rax IA32_MCG_STATUS\n         vmcall\n");
	EXPECT_EQ(EquivText(WithL0Line(into_l2, "kvm-modern"), &report), 0) << report;
	EXPECT_NE(report.find("L1 sees the same 2 events"), std::string::npos) << report;
	ScnRun r = RunScenarioText(WithL0Line(into_l2, "kvm-modern"));
	EXPECT_EQ(TraceLinesWith(r.trace, {"L2 deliver", "vector=18", "injected=1"}).size(), 1u) << r.trace;

	std::string no_mce = intercepted;
	no_mce.replace(no_mce.find("0x2060"), 6, "0x2020");
	EXPECT_EQ(EquivText(WithL0Line(no_mce, "kvm-modern"), &report), 0) << report;
	EXPECT_NE(report.find("documented difference of its L0 (docs/nested.md): kvm-modern: KVM_X86_SET_MCE to an L2 "
	                      "with CR4.MCE = 0"),
	          std::string::npos)
		<< report;
}

/*
 * The same under the KVM of 2011 (its 3.1.10 tree): vmx_queue_exception()
 * puts the #MC into vmcs02's entry field whatever vmcs12's exception bitmap
 * says, so L2's handler runs where the processor exits to L1; and the
 * triple fault of an L2 with CR4.MCE = 0 is KVM_EXIT_SHUTDOWN for the whole
 * VM. Each is a difference equiv names; without the intercept 3.1 agrees.
 */
TEST(KvmMce, R24_GuestMceWhileL2RunsUnderKvm2011)
{
	std::string report;
	const std::string bare = WithL0Line(ShippedScenario("nested/guest-mce-in-l2-modern.scn"), "none");
	std::string intercepted = bare.substr(0, bare.find("expect "));
	intercepted.replace(intercepted.find("  vmcs EXCEPTION_BITMAP 0x40000  # L1 intercepts #MC\n"), 53,
	                    "  vmcs EXCEPTION_BITMAP 0x40000\n  idt 18 mc interrupt-gate\n");
	intercepted.replace(intercepted.find("         jmp main\n"), 18, "         jmp main\nmc:      vmcall\n");
	EXPECT_EQ(EquivText(WithL0Line(intercepted, "kvm-2011"), &report), 0) << report;
	EXPECT_NE(report.find("documented difference of its L0 (docs/nested.md): kvm-2011 injects the #MC of "
	                      "KVM_X86_SET_MCE into L2"), std::string::npos) << report;
	ScnRun r = RunScenarioText(WithL0Line(intercepted, "kvm-2011"));
	EXPECT_EQ(TraceLinesWith(r.trace, {"L2 deliver", "vector=18", "injected=1"}).size(), 1u) << r.trace;

	std::string into_l2 = intercepted;
	into_l2.replace(into_l2.find("  vmcs EXCEPTION_BITMAP 0x40000\n"), 32, "");
	EXPECT_EQ(EquivText(WithL0Line(into_l2, "kvm-2011"), &report), 0) << report;
	EXPECT_NE(report.find("L1 sees the same 2 events on bare metal"), std::string::npos) << report;

	std::string no_mce = into_l2;
	no_mce.replace(no_mce.find("0x2060"), 6, "0x2020");
	// L1 sees nothing more either way: L2 in shutdown on the processor, the whole VM stopped under 3.1.
	EXPECT_EQ(EquivText(WithL0Line(no_mce, "kvm-2011"), &report), 0) << report;
	EXPECT_NE(report.find("L1 sees the same 0 events"), std::string::npos) << report;
	ScnRun stop = RunScenarioText(WithL0Line(no_mce, "kvm-2011"));
	EXPECT_EQ(TraceLinesWith(stop.trace, {"kvm-2011: KVM_X86_SET_MCE to an L2 with CR4.MCE = 0 (KVM_REQ_TRIPLE_FAULT: "
	                                      "KVM_EXIT_SHUTDOWN, the whole VM stops"}).size(), 1u) << stop.trace;
	EXPECT_EQ(TraceLinesWith(stop.trace, {"guest_stop", "KVM_EXIT_SHUTDOWN"}).size(), 1u) << stop.trace;
}

namespace {

/* L1 runs L2 and records each exit it gets; L2's CR4 and exception bitmap as given. */
std::string NestedMce(const char *l0, const char *l2_cr4, const char *l2_bitmap)
{
	return std::string("cpu nehalem\nl0 ") + l0 +
	       "\nguest L1\n  exit-handler on_exit\nmain: vmlaunch\nfailed: work 1000\n  jmp failed\n"
	       "on_exit: vmread rbx VM_EXIT_REASON\n  vmread rcx VM_EXIT_INTR_INFO\n  record rbx rcx\n  vmresume\n"
	       "guest L2\n  vmcs GUEST_CR4 " + l2_cr4 + "\n  vmcs EXCEPTION_BITMAP " + l2_bitmap +
	       "\nmain: work 1000\n  jmp main\n"
	       "at 10000 mce -> L0 cpu0\nrun 40000\n";
}

const char kMcExit[] = "intr_info=0x80000312";
const char kL1GetsIt[] = "L1 nested_exit   reason=EXCEPTION_NMI qual=0x0 intr_info=0x80000312";

}  // namespace

/* vmcs02 carries L0's #MC intercept; the host's handler runs first, then vmcs12 decides whose exit it is. */
TEST(KvmMce, R24_WhileL2RunsTheHostHandlesItAndL1GetsTheExitItIntercepts)
{
	for (const char *l0 : {"kvm-2011", "kvm-modern"}) {
		SCOPED_TRACE(l0);
		ScnRun r = RunScenarioText(NestedMce(l0, "0x2060", "0x40000"));   // MCE in L2's CR4; #MC intercepted
		ASSERT_EQ(r.status, VMXSIM_OK) << r.diag;
		EXPECT_EQ(Occurrences(r.trace, "before the exit of L2 is reflected or kept"), 1u) << r.trace;
		EXPECT_EQ(Occurrences(r.trace, kL1GetsIt), 1u) << r.trace;
		EXPECT_NE(r.trace.find("record        rip="), std::string::npos) << r.trace;
		EXPECT_EQ(r.trace.find("shutdown"), std::string::npos) << r.trace;

		// L1 does not intercept #MC: L0 keeps the exit and L2 runs on; L1 hears nothing.
		r = RunScenarioText(NestedMce(l0, "0x2060", "0"));
		ASSERT_EQ(r.status, VMXSIM_OK) << r.diag;
		EXPECT_EQ(Occurrences(r.trace, "before the exit of L2 is reflected or kept"), 1u) << r.trace;
		EXPECT_EQ(Occurrences(r.trace, kL1GetsIt), 0u) << r.trace;
		EXPECT_EQ(Occurrences(r.trace, kMcExit), 1u) << r.trace;   // vmcs02's exit only
	}
}

/* hw_cr4_host_mce (2015): the CR4 a guest runs with keeps the host's MCE; before, CR4.MCE = 0 shut it down. */
TEST(KvmMce, R24_GuestWithoutCr4MceModernExits2011ShutsDown)
{
	ScnRun modern = RunScenarioText(NestedMce("kvm-modern", "0x2020", "0"));
	ASSERT_EQ(modern.status, VMXSIM_OK) << modern.diag;
	EXPECT_EQ(Occurrences(modern.trace, kMcExit), 1u) << modern.trace;
	EXPECT_EQ(modern.trace.find("shutdown"), std::string::npos) << modern.trace;

	ScnRun old = RunScenarioText(NestedMce("kvm-2011", "0x2020", "0"));
	ASSERT_EQ(old.status, VMXSIM_OK) << old.diag;
	EXPECT_EQ(Occurrences(old.trace, kMcExit), 0u) << old.trace;
	EXPECT_NE(old.trace.find("10000 cpu0 L2 shutdown      cause=machine-check"), std::string::npos) << old.trace;

	// A single-level guest the same way: GUEST_CR4 of vmcs01.
	const std::string single = "cpu nehalem\nl0 kvm-modern\nguest L1\n  vmcs GUEST_CR4 0x2020\nmain: work 100\n"
	                           "  jmp main\nat 500 mce -> L0 cpu0\nrun 5000\n";
	ScnRun s1 = RunScenarioText(single);
	ASSERT_EQ(s1.status, VMXSIM_OK) << s1.diag;
	EXPECT_EQ(Occurrences(s1.trace, kMcExit), 1u) << s1.trace;
	std::string s2011 = single;
	s2011.replace(s2011.find("kvm-modern"), 10, "kvm-2011");
	ScnRun s2 = RunScenarioText(s2011);
	ASSERT_EQ(s2.status, VMXSIM_OK) << s2.diag;
	EXPECT_NE(s2.trace.find("L1 shutdown      cause=machine-check"), std::string::npos) << s2.trace;
}

/*
 * KVM_X86_SET_MCE (890ca9ae, 2009): the guest's MCG_STATUS becomes MCIP | RIPV and #MC is injected at the
 * next entry; with MCIP still set, or the guest's CR4.MCE = 0, KVM makes a triple fault of it.
 */
TEST(KvmMce, R24_SetMceInjectsMcAndTheGuestReadsKvmsMcgStatus)
{
	for (const char *l0 : {"kvm-2011", "kvm-modern"}) {
		SCOPED_TRACE(l0);
		ScnRun r = RunScenarioText(WithL0Line(ShippedScenario("soft-vnmi/guest-mce-modern.scn"), l0));
		ASSERT_EQ(r.status, VMXSIM_OK) << r.diag;
		EXPECT_EQ(Occurrences(r.trace, "inject        type=hw-exception vector=18 intr_info=0x80000312 why=set_mce"), 2u)
		    << r.trace;
		EXPECT_EQ(Occurrences(r.trace, "record        rip="), 2u) << r.trace;
		EXPECT_EQ(r.trace.find("guest_stop"), std::string::npos) << r.trace;
	}
}

TEST(KvmMce, R24_SetMceWithMcipSetOrCr4MceClearIsATripleFault)
{
	std::string text = ShippedScenario("soft-vnmi/guest-mce-modern.scn");
	std::string keeps_mcip = text;
	keeps_mcip.replace(keeps_mcip.find("        wrmsr IA32_MCG_STATUS 0\n"), 32, "");
	keeps_mcip.replace(keeps_mcip.find("expect count deliver 18 L1 == 2"), 31, "expect count deliver 18 L1 == 1");
	keeps_mcip.replace(keeps_mcip.find("expect 2nd record L1 rbx=5\n"), 27, "");
	ScnRun r = RunScenarioText(keeps_mcip);
	ASSERT_EQ(r.status, VMXSIM_OK) << r.diag;
	EXPECT_NE(r.trace.find("KVM_X86_SET_MCE while the guest's MCG_STATUS.MCIP is set"), std::string::npos) << r.trace;

	std::string no_mce = text;
	no_mce.replace(no_mce.find("0x2060"), 6, "0x2020");
	no_mce = no_mce.substr(0, no_mce.find("expect"));
	r = RunScenarioText(no_mce);
	ASSERT_EQ(r.status, VMXSIM_OK) << r.diag;
	EXPECT_NE(r.trace.find("KVM_X86_SET_MCE to a guest with CR4.MCE = 0"), std::string::npos) << r.trace;
	EXPECT_EQ(Occurrences(r.trace, "vector=18 intr_info=0x80000312"), 0u) << r.trace;
}

/* plain: the host's machine check is the host's when it exits (bit 18 of the scenario's bitmap), else the guest's. */
TEST(KvmMce, R24_PlainTakesTheHostsMachineCheckOnItsExitElseTheGuestsIdtDoes)
{
	const std::string head = "cpu nehalem\nl0 plain\nguest L1\n  vmcs GUEST_CR4 0x2060\n  idt 18 mc interrupt-gate\n";
	const std::string tail = "main: work 100\n  jmp main\nmc: iret\nat 500 mce -> L0 cpu0\nat 3000 mce -> L0 cpu0\nrun 6000\n";
	ScnRun r = RunScenarioText(head + "  vmcs EXCEPTION_BITMAP 0x40000\n" + tail);
	ASSERT_EQ(r.status, VMXSIM_OK) << r.diag;
	EXPECT_EQ(Occurrences(r.trace, "plain: the host's #MC handler"), 2u) << r.trace;
	EXPECT_EQ(r.trace.find("deliver       vector=18"), std::string::npos) << r.trace;

	// Without the intercept the processor gives it to the guest, and MCIP, which nothing clears, shuts it down next.
	r = RunScenarioText(head + tail);
	ASSERT_EQ(r.status, VMXSIM_OK) << r.diag;
	EXPECT_EQ(Occurrences(r.trace, "deliver       vector=18 type=hw-exception"), 1u) << r.trace;
	EXPECT_NE(r.trace.find("shutdown      cause=machine-check"), std::string::npos) << r.trace;
}

/* The 2008 code (read in a 2.6.28 tree): a guest's WRMSR of IA32_MCG_STATUS is dropped (pr_unimpl), a read is 0. */
TEST(KvmMce, R24_Kvm2008DropsTheGuestsMcgStatusWrite)
{
	const std::string text = "cpu nehalem\nl0 kvm-2008\nguest L1\nmain: wrmsr IA32_MCG_STATUS 0x5\n"
	                         "  rdmsr rax IA32_MCG_STATUS\n  record rax\n  hlt\nrun 20000\n";
	ScnRun r = RunOk(text);
	EXPECT_EQ(TraceLinesWith(r.trace, {"L0 host", "type=mce-msr-ignored"}).size(), 1u) << r.trace;
	EXPECT_EQ(TraceLinesWith(r.trace, {"L1 record", "rax=0x0"}).size(), 1u) << r.trace;
	ScnRun later = RunOk(WithL0Line(text, "kvm-2011"));
	EXPECT_EQ(TraceLinesWith(later.trace, {"L1 record", "rax=0x5"}).size(), 1u) << later.trace;
}
