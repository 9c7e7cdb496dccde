// SPDX-License-Identifier: Apache-2.0
/*
 * test_kvm_guestdbg.cc - user space's debugger single-stepping a guest of
 * today's KVM (KVM_SET_GUEST_DEBUG; model/l0/kvm/kvm_guestdbg.c; R12 and
 * R24 from the host's side): each step a #DB exit that is KVM_EXIT_DEBUG,
 * an instruction KVM emulates ending in one too (today; 3.1 loses that
 * step), BLOCKIRQ holding interrupts, STI blocking dropped before each
 * entry (not by 2008's KVM_DEBUG_GUEST, whose next entry fails), a #DB that
 * is not the debugger's passed back to the guest, and what is refused.
 */
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "refused_run.h"

namespace {

size_t Lines(const std::string &trace, std::initializer_list<const char *> pieces)
{
	return TraceLinesWith(trace, pieces).size();
}

/* The line numbers of the trace lines that hold `piece`, in order. */
std::vector<size_t> Where(const std::string &trace, const char *piece)
{
	std::vector<size_t> at;
	size_t line = 0, pos = 0;
	while (pos < trace.size()) {
		size_t end = trace.find('\n', pos);
		if (end == std::string::npos)
			end = trace.size();
		if (trace.substr(pos, end - pos).find(piece) != std::string::npos)
			at.push_back(line);
		line++;
		pos = end + 1;
	}
	return at;
}

}  // namespace

/*
 * Five steps, five KVM_EXIT_DEBUGs, a KVM_SET_GUEST_DEBUG(SINGLESTEP) before
 * each and KVM_SET_GUEST_DEBUG(0) after the last; the VMCALL's step is
 * KVM's (kvm_vcpu_do_singlestep), not a #DB exit; no #DB reaches the guest.
 */
TEST(KvmGuestDebug, R24_EachStepIsAKvmExitDebug)
{
	ScnRun r = RunOk(ShippedScenario("kvm-debug/guest-debug-step-modern.scn"));
	EXPECT_EQ(Lines(r.trace, {"L0 userspace", "exit=KVM_EXIT_DEBUG", "dr6 0xffff4ff0"}), 5u) << r.trace;
	EXPECT_EQ(Lines(r.trace, {"L0 userspace", "ioctl=KVM_SET_GUEST_DEBUG", "control 0x3\""}), 5u);
	EXPECT_EQ(Lines(r.trace, {"L0 userspace", "ioctl=KVM_SET_GUEST_DEBUG", "control 0x0\""}), 1u);
	EXPECT_EQ(Lines(r.trace, {"L1 deliver", "vector=1 "}), 0u);
	// The VMCALL's step: its exit, then KVM_EXIT_DEBUG past it with no #DB exit between.
	std::vector<size_t> vmcall = Where(r.trace, "reason=VMCALL");
	std::vector<size_t> stop = Where(r.trace, "rip 0x1005 dr6");
	ASSERT_EQ(stop.size(), 1u) << r.trace;
	EXPECT_TRUE(std::find(vmcall.begin(), vmcall.end(), stop[0] - 1) != vmcall.end()) << r.trace;
}

/*
 * Without BLOCKIRQ the interrupt goes in with the first step and its
 * handler runs inside it; with BLOCKIRQ it waits for the entry after
 * KVM_SET_GUEST_DEBUG(0), deferred at every step's entry.
 */
TEST(KvmGuestDebug, R24_BlockIrqHoldsTheInterruptUntilTheDebuggerLetsGo)
{
	ScnRun plain = RunOk(ShippedScenario("kvm-debug/guest-debug-step-modern.scn"));
	ScnRun held = RunOk(ShippedScenario("kvm-debug/guest-debug-step-blockirq-modern.scn"));
	std::vector<size_t> first = Where(plain.trace, "exit=KVM_EXIT_DEBUG");
	std::vector<size_t> deliver = Where(plain.trace, "deliver       vector=32");
	ASSERT_EQ(deliver.size(), 1u);
	EXPECT_LT(deliver[0], first.front()) << plain.trace;
	first = Where(held.trace, "control 0x0\"");
	deliver = Where(held.trace, "deliver       vector=32");
	ASSERT_EQ(deliver.size(), 1u);
	ASSERT_EQ(first.size(), 1u);
	EXPECT_GT(deliver[0], first[0]) << held.trace;
	EXPECT_EQ(Lines(held.trace, {"ioctl=KVM_SET_GUEST_DEBUG", "control 0x100003\""}), 5u) << held.trace;
	EXPECT_EQ(Lines(held.trace, {"L0 defer", "what=irq", "KVM_GUESTDBG_BLOCKIRQ"}), 5u) << held.trace;
}

/* A #DB that is not the debugger's step (the guest's own breakpoint, B0) is passed back to the guest. */
TEST(KvmGuestDebug, R24_TheGuestsOwnDbIsPassedBack)
{
	ScnRun r = RunOk(ShippedScenario("kvm-debug/guest-debug-own-breakpoint-modern.scn"));
	EXPECT_EQ(Lines(r.trace, {"exit=KVM_EXIT_DEBUG", "dr6 0xffff0ff1"}), 1u) << r.trace;
	EXPECT_EQ(Lines(r.trace, {"ioctl=KVM_SET_VCPU_EVENTS", "passed back"}), 1u);
	EXPECT_EQ(Lines(r.trace, {"L1 deliver", "vector=1 "}), 1u);
	// The guest's MOV DR is emulated while user space debugs: no lazy path after the debugger started.
	std::vector<size_t> started = Where(r.trace, "ioctl=KVM_SET_GUEST_DEBUG");
	std::vector<size_t> lazy = Where(r.trace, "type=mov-dr-exiting-off");
	ASSERT_FALSE(started.empty());
	for (size_t l : lazy)
		EXPECT_LT(l, started.front()) << r.trace;
	// The last step is over the HLT: KVM_EXIT_DEBUG after the vCPU blocked.
	EXPECT_EQ(Lines(r.trace, {"L0 halt", "what=block"}), 2u) << r.trace;
}

/*
 * A step over STI: the #DB exit comes with STI blocking, and KVM drops the
 * blocking before the next entry (vmx_vcpu_run) so the entry with TF passes
 * R12; the guest goes on.
 */
TEST(KvmGuestDebug, R12_StepOverStiDropsTheBlockingBeforeTheEntry)
{
	const std::string text = "cpu nehalem\nl0 kvm-modern\nguest L1\nloop:   nop\n        cli\n        sti\n"
	                         "        nop\n        jmp loop\nat 5000 guest-debug -> L1 cpu0 step 6\nrun 300000\n"
	                         "expect count entry-fail == 0\n";
	ScnRun r = RunOk(text);
	EXPECT_EQ(Lines(r.trace, {"reason=EXCEPTION_NMI", "intr_state=0x00000001"}), 1u) << r.trace;
	EXPECT_EQ(Lines(r.trace, {"L0 host", "type=shadow-cleared"}), 1u) << r.trace;
	EXPECT_EQ(Lines(r.trace, {"exit=KVM_EXIT_DEBUG"}), 6u) << r.trace;
}

/*
 * 3.1 steps the same way, but owes no trap for an instruction it emulates:
 * the step over the VMCALL goes on through the next instruction.
 */
TEST(KvmGuestDebug, R24_Kvm2011LosesTheStepOverAnEmulatedInstruction)
{
	ScnRun r = RunOk(ShippedScenario("kvm-debug/guest-debug-step-2011.scn"));
	EXPECT_EQ(Lines(r.trace, {"exit=KVM_EXIT_DEBUG"}), 5u) << r.trace;
	EXPECT_EQ(Lines(r.trace, {"exit=KVM_EXIT_DEBUG", "rip 0x1005 dr6"}), 0u) << r.trace;
	// The stop after the stepped VMCALL (the third VMCALL exit; two came before the debugger) is past the NOP after it.
	std::vector<size_t> vmcall = Where(r.trace, "reason=VMCALL");
	std::vector<size_t> stop = Where(r.trace, "exit=KVM_EXIT_DEBUG");
	ASSERT_GE(vmcall.size(), 3u);
	auto next = std::upper_bound(stop.begin(), stop.end(), vmcall[2]);
	ASSERT_NE(next, stop.end()) << r.trace;
	EXPECT_EQ(TraceLinesWith(r.trace, {"exit=KVM_EXIT_DEBUG"})[(size_t)(next - stop.begin())].find("rip 0x1006 dr6") !=
	              std::string::npos,
	          true)
	    << r.trace;
	EXPECT_EQ(Lines(r.trace, {"L0 host", "type=singlestep"}), 0u) << r.trace;
}

/*
 * 2008's KVM_DEBUG_GUEST sets TF and RF before every entry, and nothing
 * drops the STI shadow: the step over STI is followed by a failed entry.
 */
TEST(KvmGuestDebug, R12_Kvm2008StepOverStiFailsTheEntry)
{
	ScnRun r = RunOk(ShippedScenario("kvm-debug/guest-debug-sti-2008.scn"));
	EXPECT_EQ(Lines(r.trace, {"ioctl=KVM_DEBUG_GUEST", "enabled 1 singlestep 1"}), 4u) << r.trace;
	EXPECT_EQ(Lines(r.trace, {"type=shadow-cleared"}), 0u) << r.trace;
	EXPECT_EQ(Lines(r.trace, {"reason=INVALID_STATE", "R12"}), 1u) << r.trace;
	EXPECT_EQ(Lines(r.trace, {"L0 guest_stop"}), 1u) << r.trace;
}

/*
 * `hbreak`: the debugger's breakpoint in DR0/DR7 (USE_HW_BP; 2008: its
 * KVM_DEBUG_GUEST breakpoint); at a hit it stops and holds the vCPU; its
 * next `hbreak` steps over the instruction with the breakpoint out (today
 * with BLOCKIRQ, as QEMU asks), puts it back and lets the guest run to the
 * next hit.
 */
TEST(KvmGuestDebug, R24_HbreakStopsAtEachHitAndStepsOverIt)
{
	struct Era {
		const char *l0, *arm, *step_over;
	} eras[] = {
	    {"kvm-modern", "control 0x20001\"", "control 0x100003\""},
	    {"kvm-2011", "control 0x20001\"", "control 0x3\""},
	    {"kvm-2008", "enabled 1 singlestep 0 breakpoint 0x1005", "enabled 1 singlestep 1 breakpoint 0x0"},
	};
	for (const Era &e : eras) {
		SCOPED_TRACE(e.l0);
		ScnRun r = RunOk(WithL0Line(ShippedScenario("kvm-debug/guest-debug-hbreak-modern.scn"), e.l0));
		EXPECT_EQ(Lines(r.trace, {"L0 userspace", "stop=hbreak", "at 0x1005"}), 2u) << r.trace;
		EXPECT_EQ(Lines(r.trace, {"L0 userspace", e.arm}), 2u) << r.trace;       // set, and back after the step
		EXPECT_EQ(Lines(r.trace, {"L0 userspace", e.step_over}), 1u) << r.trace;
		// Held between the first stop and the next command: no exit of the guest in between.
		std::vector<size_t> stop = Where(r.trace, "stop=hbreak"), cmd = Where(r.trace, "request=guest_debug");
		ASSERT_EQ(cmd.size(), 2u);
		for (size_t l : Where(r.trace, "L1 vmexit"))
			EXPECT_FALSE(l > stop.front() && l < cmd[1]) << r.trace;
		EXPECT_EQ(Lines(r.trace, {"KVM_SET_VCPU_EVENTS"}), 0u) << r.trace;
	}
}

/*
 * `hbreak` from a vCPU held where no breakpoint of the debugger's is (after
 * a `step`) arms at once, as gdb's continue does; held at one, it steps
 * over it first.
 */
TEST(KvmGuestDebug, R24_HbreakStepsOverOnlyABreakpointItIsHeldAt)
{
	const std::string head = "cpu nehalem\nl0 kvm-modern\nguest L1\nmain:   nop\n        nop\nbp:     nop\n"
	                         "        jmp main\nat 2000 guest-debug -> L1 cpu0 step 1\n";
	ScnRun away = RunOk(head + "at 60000 guest-debug -> L1 cpu0 hbreak bp\nrun 200000\n");
	EXPECT_EQ(Lines(away.trace, {"ioctl=KVM_SET_GUEST_DEBUG", "control 0x3\""}), 1u) << away.trace;   // the step alone
	EXPECT_EQ(Lines(away.trace, {"ioctl=KVM_SET_GUEST_DEBUG", "control 0x100003\""}), 0u) << away.trace;
	EXPECT_EQ(Lines(away.trace, {"stop=hbreak"}), 1u) << away.trace;
	ScnRun at = RunOk(head + "at 60000 guest-debug -> L1 cpu0 hbreak bp\nat 120000 guest-debug -> L1 cpu0 hbreak bp\n"
	                         "run 250000\n");
	EXPECT_EQ(Lines(at.trace, {"ioctl=KVM_SET_GUEST_DEBUG", "control 0x100003\""}), 1u) << at.trace;   // step over bp
	EXPECT_EQ(Lines(at.trace, {"stop=hbreak"}), 2u) << at.trace;
}

/*
 * While the debugger's breakpoint is in, the guest's own DR0/DR7 stay in
 * arch.db/arch.dr7: its MOV DR is emulated, it reads its own DR7 back, and
 * its breakpoint does not fire (eff_db and GUEST_DR7 are the debugger's).
 */
TEST(KvmGuestDebug, R12_TheGuestsOwnBreakpointWaitsWhileTheDebuggerHasTheRegisters)
{
	const std::string text = "cpu nehalem\nl0 kvm-modern\nguest L1\n  idt 1 db interrupt-gate\n"
	                         "main:   work 10000\n        mov dr0 own\n        mov dr7 0x401\n        mov rax dr7\n"
	                         "        record rax\nown:    nop\n        hlt\nnever:  nop\ndb:     iret\n"
	                         "at 2000 guest-debug -> L1 cpu0 hbreak never\nrun 100000\n"
	                         "expect count deliver 1 L1 == 0\nexpect 1st record L1 rax=0x401\n";
	ScnRun r = RunOk(text);
	EXPECT_EQ(Lines(r.trace, {"type=mov-dr-exiting-off"}), 0u) << r.trace;
	// A DR7 of its own that differs from the debugger's: general detect stays out of GUEST_DR7 (no #DB at its MOV DR).
	const std::string gd = "cpu nehalem\nl0 kvm-modern\nguest L1\n  idt 1 db interrupt-gate\nmain:   work 10000\n"
	                       "        mov dr7 0x2400\n        mov rax dr7\n        record rax\n        hlt\n"
	                       "never:  nop\ndb:     iret\nat 2000 guest-debug -> L1 cpu0 hbreak never\nrun 100000\n"
	                       "expect count deliver 1 L1 == 0\nexpect 1st record L1 rax=0x2400\n";
	ScnRun g = RunOk(gd);
	EXPECT_EQ(Lines(g.trace, {"general-detect"}), 0u) << g.trace;
	// Without the debugger the same guest's breakpoint fires (again and again: its handler leaves it on).
	std::string alone = text;
	const std::string debugger = "at 2000 guest-debug -> L1 cpu0 hbreak never\n", none = "expect count deliver 1 L1 == 0";
	alone.replace(alone.find(debugger), debugger.size(), "");
	alone.replace(alone.find(none), none.size(), "expect count deliver 1 L1 >= 1");
	RunOk(alone);
}

/*
 * KVM's selftest of KVM_SET_GUEST_DEBUG (tools/testing/selftests/kvm/
 * x86_64/debug_regs.c), ported whole as kvm-debug/selftest-debug-regs-modern,
 * with its values: INT3 under USE_SW_BP (exception 3 at sw_bp, then RIP
 * moved past it), the instruction breakpoint through DR0-DR3
 * (0xffff0ff0 | Bn at hw_bp), the write breakpoint through DR0-DR3 (the
 * same, after the store), the single steps with BLOCKIRQ (0xffff4ff0 at
 * each next instruction, after one KVM emulates too) with the interrupt
 * never taken, and DR7.GD from user space (0xffff2ff0 at bd_start). The
 * scenario's expectations hold the #DB exits; here the DR6 values and the
 * stops after CPUID and RDMSR, which no #DB exit shows.
 */
TEST(KvmGuestDebug, SelftestDebugRegs)
{
	ScnRun r = RunOk(ShippedScenario("kvm-debug/selftest-debug-regs-modern.scn"));
	std::vector<std::string> all = TraceLinesWith(r.trace, {"exit=KVM_EXIT_DEBUG"});
	ASSERT_EQ(all.size(), 16u) << r.trace;
	// INT3 under USE_SW_BP: exception 3 at sw_bp, and user space moves RIP past it.
	EXPECT_NE(all[0].find("exception 3"), std::string::npos) << all[0];
	EXPECT_EQ(Lines(r.trace, {"ioctl=KVM_SET_REGS", "-> 0x"}), 1u) << r.trace;
	std::vector<std::string> exits(all.begin() + 1, all.end());
	for (size_t i = 0; i < 8; i++) {
		char want[24];
		std::snprintf(want, sizeof(want), "dr6 0x%llx", 0xffff0ff0ull | (1ull << (i % 4)));
		EXPECT_NE(exits[i].find(want), std::string::npos) << exits[i];
	}
	for (size_t i = 8; i < 14; i++)
		EXPECT_NE(exits[i].find("dr6 0xffff4ff0"), std::string::npos) << exits[i];
	EXPECT_NE(exits[14].find("dr6 0xffff2ff0"), std::string::npos) << exits[14];
	for (const char *reason : {"reason=CPUID", "reason=MSR_READ"}) {
		SCOPED_TRACE(reason);
		std::vector<std::string> line = TraceLinesWith(r.trace, {reason});
		ASSERT_EQ(line.size(), 1u);
		unsigned long long rip = std::stoull(line[0].substr(line[0].find(" rip=") + 5), nullptr, 16);
		unsigned len = (unsigned)std::stoul(line[0].substr(line[0].find("insn_len=") + 9));
		char want[48];
		std::snprintf(want, sizeof(want), "rip 0x%llx dr6 0xffff4ff0", rip + len);
		EXPECT_EQ(Lines(r.trace, {"exit=KVM_EXIT_DEBUG", want}), 1u) << r.trace;
	}
}

TEST(KvmGuestDebug, WhatIsRefusedOrWrong)
{
	const std::string body = "guest L1\nmain:   nop\n        jmp main\n";
	ExpectRefused("cpu nehalem\nl0 plain\n" + body + "at 100 guest-debug -> L1 cpu0 step 1\nrun 1000\n",
	              "t.scn:6:1: L0 'plain' has no user space, so no debugger: 'guest-debug' needs a KVM model");
	for (const char *l0 : {"kvm-2008", "kvm-2011"}) {
		SCOPED_TRACE(l0);
		ExpectRefused(std::string("cpu nehalem\nl0 ") + l0 + "\n" + body +
		                  "at 100 guest-debug -> L1 cpu0 step 1 blockirq\nrun 1000\n",
		              std::string("t.scn:6:1: L0 '") + l0 + "' has no KVM_GUESTDBG_BLOCKIRQ (61e5f69e, 2021");
	}
	ExpectRefused("cpu nehalem\nl0 none\nguest L1\n  exit-handler h\nmain: vmlaunch\nh: hlt\nguest L2\nl2: hlt\n"
	              "at 100 guest-debug -> L1 cpu0 step 1\nrun 1000\n",
	              "t.scn:9:1: 'guest-debug' is user space's debugger (KVM_SET_GUEST_DEBUG): with 'l0 none' there is no "
	              "user space");
	ExpectRefused("cpu nehalem\nl0 kvm-modern\n" + body + "at 100 guest-debug -> L0 cpu0 step 1\nrun 1000\n",
	              "t.scn:6:23: user space's debugger steps the vCPU: write '-> L1'");
	ExpectRefused("cpu nehalem\nl0 kvm-modern\nguest L1\n  exit-handler h\nmain: vmlaunch\nh: hlt\nguest L2\nh: hlt\n"
	              "at 100 guest-debug -> L1 cpu0 hbreak h\nrun 1000\n",
	              "t.scn:9:38: label 'h' names an instruction of cpu0's L1 and one of its L2: rename one");
	// A second command while the first still steps; INT1 while it steps.
	ExpectRefused("cpu nehalem\nl0 kvm-modern\n" + body +
	                  "at 100 guest-debug -> L1 cpu0 step 5\nat 200 guest-debug -> L1 cpu0 step 1\nrun 300000\n",
	              "t.scn:7:1: not modelled: a 'guest-debug' stimulus while the debugger still steps the vCPU or has a "
	              "command to carry out");
	ExpectRefused("cpu nehalem\nl0 kvm-modern\nguest L1\nmain:   nop\n        icebp\n        jmp main\n"
	              "at 100 guest-debug -> L1 cpu0 step 5\nrun 300000\n",
	              "t.scn:5:9: not modelled: INT1 (ICEBP) while user space's debugger steps the vCPU");
	for (const char *cmd : {"hw dr0 main dr7 0x402", "sw"})
		ExpectRefused("cpu nehalem\nl0 kvm-2008\n" + body + "at 100 guest-debug -> L1 cpu0 " + cmd + "\nrun 1000\n",
		              "t.scn:6:1: L0 'kvm-2008' takes only breakpoint addresses from its debugger (KVM_DEBUG_GUEST), not "
		              "a DR7 or software breakpoints");
	ExpectRefused("cpu nehalem\nl0 kvm-modern\n" + body + "at 100 guest-debug -> L1 cpu0 hbreak nowhere\nrun 1000\n",
	              "t.scn:6:38: no instruction at label 'nowhere' in cpu0's guests");
	for (const char *bad : {"guest-debug -> L1 cpu0\n", "guest-debug -> L1 cpu0 step 0\n", "guest-debug -> L1 cpu0 hbreak\n",
	                        "guest-debug -> L1 cpu0 hw dr0 main\n", "guest-debug -> L1 cpu0 hw dr7 1 dr7 2\n",
	                        "guest-debug -> L1 cpu0 skip 0\n", "guest-debug -> L1 cpu0 skip 16\n",
	                        "guest-debug -> L1 cpu0 step 1001\n", "guest-debug -> L1 cpu0 step 2 irq\n"}) {
		SCOPED_TRACE(bad);
		Parsed p("cpu nehalem\nl0 kvm-modern\n" + body + "at 100 " + bad + "run 1000\n", "t.scn");
		EXPECT_EQ(p.s, nullptr);
	}
}

/*
 * The debugger and a vCPU that runs L2 (research: today's nested.c,
 * vmx.c; 3.1's vmx.c). KVM_SET_GUEST_DEBUG acts on vmcs02. Today
 * nested_vmx_l0_wants_exit keeps a hardware #DB for the debugger whatever
 * vmcs12 intercepts; 3.1 asks vmcs12 alone, and its L1, which intercepts
 * #DB, takes the step - reading in vmcs12 the TF the debugger set.
 */
TEST(KvmGuestDebug, L2StepsAreTheDebuggersTodayAndL1sIn2011)
{
	ScnRun today = RunOk(ShippedScenario("kvm-debug/guest-debug-l2-modern.scn"));
	const auto exits = TraceLinesWith(today.trace, {"userspace", "exit=KVM_EXIT_DEBUG"});
	ASSERT_EQ(exits.size(), 2u) << today.trace;
	EXPECT_NE(exits[0].find("rip 0x1001 dr6 0xffff4ff0"), std::string::npos) << exits[0];   // L2's RIP
	EXPECT_NE(exits[1].find("rip 0x1002"), std::string::npos) << exits[1];
	EXPECT_TRUE(TraceLinesWith(today.trace, {"nested_exit", "EXCEPTION_NMI"}).empty()) << today.trace;
	ScnRun old = RunOk(ShippedScenario("kvm-debug/guest-debug-l2-2011.scn"));
	EXPECT_TRUE(TraceLinesWith(old.trace, {"exit=KVM_EXIT_DEBUG"}).empty()) << old.trace;
	EXPECT_EQ(TraceLinesWith(old.trace, {"nested_exit", "EXCEPTION_NMI", "qual=0x4000"}).size(), 1u) << old.trace;
}

/*
 * An `hbreak` on an instruction of L2. Today the debugger's DR7 goes into
 * vmcs02 at every nested entry (prepare_vmcs02's kvm_set_dr(7) ends in
 * kvm_update_dr7, which takes guest_debug_dr7 under USE_HW_BP) and L0 keeps
 * the #DB; 3.1 copies vmcs12's DR7 into vmcs02 at the entry, so a
 * breakpoint set while L1 ran never arms in L2, and one set while L2 runs
 * is L1's exit when L1 intercepts #DB.
 */
TEST(KvmGuestDebug, L2HardwareBreakpointByEra)
{
	std::string text = ShippedScenario("kvm-debug/guest-debug-l2-modern.scn");
	text.erase(text.find("expect "));
	auto with = [&](const char *l0, const char *at) {
		std::string t = WithL0Line(text, l0);
		t.replace(t.find("at 2450 guest-debug -> L1 cpu0 step 2"), 37, std::string("at ") + at +
		                                                                   " guest-debug -> L1 cpu0 hbreak call");
		return RunOk(t);
	};
	for (const char *at : {"100", "2450"}) {
		SCOPED_TRACE(at);
		ScnRun today = with("kvm-modern", at);
		EXPECT_EQ(TraceLinesWith(today.trace, {"stop=hbreak", "0x1002"}).size(), 1u) << today.trace;
		EXPECT_TRUE(TraceLinesWith(today.trace, {"nested_exit", "EXCEPTION_NMI"}).empty()) << today.trace;
	}
	ScnRun before = with("kvm-2011", "100");   // set while L1 ran: vmcs12's DR7 (0x400) wins in vmcs02
	EXPECT_TRUE(TraceLinesWith(before.trace, {"exit=KVM_EXIT_DEBUG"}).empty()) << before.trace;
	EXPECT_EQ(TraceLinesWith(before.trace, {"nested_exit", "reason=VMCALL"}).size(), 1u) << before.trace;
	ScnRun during = with("kvm-2011", "2450");  // set while L2 runs: armed in vmcs02, and L1 takes its #DB
	EXPECT_EQ(TraceLinesWith(during.trace, {"nested_exit", "EXCEPTION_NMI", "qual=0x1"}).size(), 1u) << during.trace;
}

namespace {

/*
 * L1 enters L2, which runs INT3 then VMCALL; L1's exit handler runs INT3
 * too (its own #BP handler records rcx=3). The debugger takes software
 * breakpoints at `sw_at`, moves past L2's INT3 and lets go at 60000.
 */
std::string SwL2(const char *l0, const char *sw_at,
                 const std::string &after_skip = "at 60000 guest-debug -> L1 cpu0 continue\n")
{
	return std::string("cpu nehalem\nl0 ") + l0 +
	       "\nguest L1\n  idt 3 l1bp interrupt-gate\n  exit-handler on_exit\nmain:    vmlaunch\n"
	       "on_exit: vmread rbx VM_EXIT_REASON\n         record rbx\n         int3\n         hlt\n"
	       "l1bp:    mov rcx 3\n         record rcx\n         iret\n"
	       "guest L2\nl2:      nop\n         int3\n         vmcall\n"
	       "at " + sw_at + " guest-debug -> L1 cpu0 sw\nat 40000 guest-debug -> L1 cpu0 skip 1\n" + after_skip +
	       "run 200000\n";
}

/* L1's #BP exits (its INT3 through vmcs01's intercept). */
size_t L1BpExits(const std::string &trace)
{
	return TraceLinesWith(trace, {"L1 vmexit", "reason=EXCEPTION_NMI", "intr_info=0x80000603"}).size();
}

}  // namespace

/*
 * The debugger's software breakpoints on a vCPU that runs L2. Its #BP
 * intercept goes into the VMCS that runs when the ioctl is made, and into
 * vmcs02 at every entry of L2; L2's INT3 (a software exception, which
 * today's nested_vmx_l0_wants_exit does not claim) is L0's when L1 does not
 * intercept #BP: KVM_EXIT_DEBUG at L2's RIP. At the exit to L1, 3.1's
 * load_vmcs12_host_state recomputes vmcs01's bitmap; today's leaves it (read
 * at v5.10). So after the debugger let go while L2 ran, today's vmcs01 still
 * intercepts #BP: L1's own INT3 is a KVM_EXIT_DEBUG that user space passes
 * back; under 3.1 it goes straight to L1's handler. And a debugger that
 * came while L2 ran has no intercept in today's vmcs01.
 */
TEST(KvmGuestDebug, L2SoftwareBreakpointsAndVmcs01ByEra)
{
	for (const char *l0 : {"kvm-modern", "kvm-2011"}) {
		SCOPED_TRACE(l0);
		const bool today = std::string(l0) == "kvm-modern";
		ScnRun early = RunOk(SwL2(l0, "100"));
		EXPECT_EQ(TraceLinesWith(early.trace, {"stop=sw", "KVM_EXIT_DEBUG at 0x1001"}).size(), 1u) << early.trace;
		EXPECT_EQ(TraceLinesWith(early.trace, {"L1 record", "rbx=0x12"}).size(), 1u) << early.trace;
		EXPECT_EQ(TraceLinesWith(early.trace, {"L1 record", "rcx=0x3"}).size(), 1u) << early.trace;
		EXPECT_EQ(TraceLinesWith(early.trace, {"not the debugger's #BP"}).size(), today ? 1u : 0u) << early.trace;
		EXPECT_EQ(L1BpExits(early.trace), today ? 1u : 0u) << early.trace;
		// Set while L2 runs (after its first instruction); L2's INT3 is still the debugger's.
		ScnRun late = RunOk(SwL2(l0, "2450"));
		EXPECT_EQ(TraceLinesWith(late.trace, {"stop=sw", "KVM_EXIT_DEBUG at 0x1001"}).size(), 1u) << late.trace;
		EXPECT_TRUE(TraceLinesWith(late.trace, {"not the debugger's #BP"}).empty()) << late.trace;
		EXPECT_EQ(TraceLinesWith(late.trace, {"L1 record", "rcx=0x3"}).size(), 1u) << late.trace;
		EXPECT_EQ(L1BpExits(late.trace), 0u) << late.trace;
		// Set while L2 runs and still on when L2 exits (the debugger lets the held vCPU go with `sw` again):
		// 3.1 puts the intercept into vmcs01 at the exit, and L1's INT3 is the debugger's stop; today's vmcs01
		// has none, and L1's handler takes it.
		ScnRun on = RunOk(SwL2(l0, "2450",
		                       "at 70000 guest-debug -> L1 cpu0 sw\nat 150000 guest-debug -> L1 cpu0 continue\n"));
		EXPECT_EQ(TraceLinesWith(on.trace, {"stop=sw", "KVM_EXIT_DEBUG at 0x1007"}).size(), today ? 0u : 1u) << on.trace;
		EXPECT_EQ(L1BpExits(on.trace), today ? 0u : 1u) << on.trace;
		// Either way L1's handler runs once: today at once, under 3.1 when the debugger lets go (the INT3 again).
		EXPECT_EQ(TraceLinesWith(on.trace, {"L1 record", "rcx=0x3"}).size(), 1u) << on.trace;
	}
}
