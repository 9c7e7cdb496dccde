// SPDX-License-Identifier: Apache-2.0
/*
 * test_kvm_mce.cc - machine checks at the host's processor under the KVM
 * models, era by era (R24 level 1; kvm.h intercept_mc): since a0861c02
 * (2009) #MC is in the exception bitmap, the exit runs the host's handler
 * (kvm_machine_check) and the guest is not told; the 2008 code left the
 * host's machine check to the guest's IDT. In root operation the host
 * takes it (l0_service_host). What is not modelled under an L0 is refused.
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
	ExpectRefused(head + "at 50 mce -> L1 cpu0\nrun 1000\n",
	              "t.scn:6:14: not modelled: a machine check for the guest under L0 'kvm-modern' (user space's "
	              "KVM_X86_SET_MCE); one at the host's processor is '-> L0'");
	ExpectRefused(WithL0Line(head, "plain") + "at 50 mce -> L0 cpu0\nrun 1000\n",
	              "t.scn:6:1: not modelled: machine checks under L0 'plain'");
	ExpectRefused(head + "guest L2\nl2: vmcall\nat 50 mce -> L0 cpu0\nrun 1000\n",
	              "t.scn:8:1: not modelled: a machine check while L1 may run L2 under L0 'kvm-modern' (the nested "
	              "L0's handling of it)");
	ExpectHolds(head + "at 50 mce -> L0 cpu0\nrun 1000\n");
}
