/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Single-stepping (RFLAGS.TF), pending debug exceptions and instruction,
 * I/O and data breakpoints in DR7 are modelled by the processor
 * (model/hw/debug.c, breakpoint.c, exec_mem.c), and every hypervisor model
 * follows them for a single-level guest (test_kvm_debug.cc,
 * test_kvm_debugreg.cc, test_plain_debug.cc) and the nested KVMs for L2
 * too. What is left here: what each predicate states; the DR7 settings
 * the processor lacks (a data breakpoint outside the data area, the
 * undefined encodings), refused on bare metal and under every L0; under
 * kvm-2011 a breakpoint that would meet the host's DR0-DR3; and a guest
 * of kvm-2008 given a DR7, which no ioctl of 2008 could do (a scenario
 * error). A C L0's guest is refused at the `vmcs` line that states it,
 * before the run; an L1 hypervisor's guest at the VMLAUNCH/VMRESUME that
 * enters it. Their VM-entry check (R12) stays modelled: a guest that
 * fails it is a VM-entry failure.
 */
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "model/l0/l0.h"
#include "refused_run.h"
#include "vmcs/vmx_controls.h"
#include "vmcs/vmx_intr_state.h"
#include "vmcs/x86_debugreg.h"

namespace {

const char kTf[] = "not modelled: single-stepping: a guest entered with RFLAGS.TF = 1";
const char kDr7[] = "not modelled: breakpoints: a guest entered with a breakpoint enabled in GUEST_DR7";
const char kDataBp[] = "not modelled: a data breakpoint outside the data area (DR7 R/W = 01 or 11 for an enabled breakpoint";
const uint64_t kResetDr[4] = {0, 0, 0, 0};

TEST(DebugRefused, WhatEachFieldStatesAndWhichFieldSaysIt)
{
	auto v = std::make_unique<vmcs>();
	cpu_model m{};
	vmcs_field field{};

	ASSERT_TRUE(cpu_model_lookup("nehalem", &m));
	vmcs_setup(v.get(), &m.caps, m.revision_id, 0, 0, 0, 0x1000, 0x2000, nullptr, 0);
	EXPECT_EQ(l0_guest_debug_not_modelled(v.get(), kResetDr, 0, &field), nullptr);
	vmcs_set(v.get(), GUEST_DR7, 0x400);   // bit 10, always 1: nothing enabled
	EXPECT_EQ(l0_guest_debug_not_modelled(v.get(), kResetDr, 0, &field), nullptr);
	vmcs_set(v.get(), GUEST_DR7, 0x480);   // G3
	ASSERT_NE(l0_guest_debug_not_modelled(v.get(), kResetDr, 0, &field), nullptr);
	EXPECT_EQ((std::string("not modelled: ") + l0_guest_debug_not_modelled(v.get(), kResetDr, 0, &field)).find(kDr7), 0u);
	EXPECT_EQ(field, GUEST_DR7);
	vmcs_clear_bits(v.get(), VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_DEBUG_CONTROLS);   // DR7 not loaded
	EXPECT_EQ(l0_guest_debug_not_modelled(v.get(), kResetDr, 0, &field), nullptr);
	vmcs_set(v.get(), GUEST_PENDING_DBG_EXCEPTIONS, 0x1);   // B0
	EXPECT_NE(l0_guest_debug_not_modelled(v.get(), kResetDr, 0, &field), nullptr);
	EXPECT_EQ(field, GUEST_PENDING_DBG_EXCEPTIONS);
	vmcs_set(v.get(), GUEST_RFLAGS, X86_EFLAGS_FIXED | X86_EFLAGS_TF);
	EXPECT_NE(std::string(l0_guest_debug_not_modelled(v.get(), kResetDr, 0, &field)).find("RFLAGS.TF"), std::string::npos);
	EXPECT_EQ(field, GUEST_RFLAGS);
	// An L0 that follows them (a KVM model's single-level guest): TF and the field pass, DR7 does not.
	EXPECT_EQ(l0_guest_debug_not_modelled(v.get(), kResetDr, L0_FOLLOWS_TF | L0_FOLLOWS_PENDING_DBG, &field), nullptr);
	vmcs_set_bits(v.get(), VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_DEBUG_CONTROLS);
	vmcs_set(v.get(), GUEST_DR7, 0x401);
	EXPECT_NE(l0_guest_debug_not_modelled(v.get(), kResetDr, L0_FOLLOWS_TF | L0_FOLLOWS_PENDING_DBG, &field), nullptr);
	EXPECT_EQ(field, GUEST_DR7);
	vmcs_set(v.get(), GUEST_DR7, 0x480);
	vmcs_clear_bits(v.get(), VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_DEBUG_CONTROLS);
	// Without TF and the field, DR7 alone: refused only when the debug controls load it.
	vmcs_set(v.get(), GUEST_RFLAGS, X86_EFLAGS_FIXED);
	vmcs_set(v.get(), GUEST_PENDING_DBG_EXCEPTIONS, 0);
	EXPECT_EQ(l0_guest_debug_not_modelled(v.get(), kResetDr, 0, &field), nullptr);
	vmcs_set_bits(v.get(), VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_DEBUG_CONTROLS);
	EXPECT_NE(l0_guest_debug_not_modelled(v.get(), kResetDr, 0, &field), nullptr);
	EXPECT_EQ(field, GUEST_DR7);
}

/* Single-stepping on branches (DEBUGCTL.BTF with TF): every L0 model follows it; the predicate still says why. */
TEST(DebugRefused, BtfWithTfUnderAnL0ThatFollowsTf)
{
	auto v = std::make_unique<vmcs>();
	cpu_model m{};
	vmcs_field field{};
	const unsigned follows = L0_FOLLOWS_TF | L0_FOLLOWS_PENDING_DBG;

	ASSERT_TRUE(cpu_model_lookup("nehalem", &m));
	vmcs_setup(v.get(), &m.caps, m.revision_id, 0, 0, 0, 0x1000, 0x2000, nullptr, 0);
	ASSERT_TRUE(vmcs_get32(v.get(), VM_ENTRY_CONTROLS) & VM_ENTRY_LOAD_DEBUG_CONTROLS);
	vmcs_set(v.get(), GUEST_IA32_DEBUGCTL, DEBUGCTLMSR_BTF);
	EXPECT_EQ(l0_guest_debug_not_modelled(v.get(), kResetDr, follows, &field), nullptr) << "BTF without TF does nothing";
	vmcs_set(v.get(), GUEST_RFLAGS, X86_EFLAGS_FIXED | X86_EFLAGS_TF);
	const char *why = l0_guest_debug_not_modelled(v.get(), kResetDr, follows, &field);
	ASSERT_NE(why, nullptr);
	EXPECT_EQ(std::string(why).rfind("single-stepping on branches: a guest entered with RFLAGS.TF = 1 and "
	                                 "GUEST_IA32_DEBUGCTL.BTF = 1", 0), 0u) << why;
	EXPECT_EQ(field, GUEST_IA32_DEBUGCTL);
	vmcs_set(v.get(), GUEST_IA32_DEBUGCTL, 0);
	EXPECT_EQ(l0_guest_debug_not_modelled(v.get(), kResetDr, follows, &field), nullptr);
	// An L0 that follows no TF at all (every hypervisor model follows it now: the predicate still says why).
	const char *tf = l0_guest_debug_not_modelled(v.get(), kResetDr, L0_FOLLOWS_PENDING_DBG, &field);
	ASSERT_NE(tf, nullptr);
	EXPECT_EQ((std::string("not modelled: ") + tf).rfind(kTf, 0), 0u) << tf;
	EXPECT_EQ(field, GUEST_RFLAGS);
	// An L0 that follows BTF too (plain): not refused.
	vmcs_set(v.get(), GUEST_IA32_DEBUGCTL, DEBUGCTLMSR_BTF);
	EXPECT_EQ(l0_guest_debug_not_modelled(v.get(), kResetDr, follows | L0_FOLLOWS_BTF, &field), nullptr);
}

/*
 * A C L0's guest is entered with its `vmcs` lines: the line that sets DR7
 * is refused under every L0, the line that sets TF or the field under
 * `plain`. The KVM models follow both for L1 (test_kvm_debug.cc), an L1
 * that runs an L2 included.
 */
TEST(DebugRefused, GuestOfACL0AtItsVmcsLine)
{
	for (const char *l0 : {"plain", "kvm-2008", "kvm-modern"}) {
		SCOPED_TRACE(l0);
		const std::string head = std::string("cpu nehalem\nl0 ") + l0 + "\nguest L1\n";
		const std::string tail = "  idt 1 dbh interrupt-gate\nmain:   vmcall\n        hlt\ndbh:    iret\nrun 10000\n";
		const std::string tf = head + "  vmcs GUEST_RFLAGS 0x302\n" + tail;
		const std::string pending = head + "  vmcs GUEST_RFLAGS 0x202\n  vmcs GUEST_PENDING_DBG_EXCEPTIONS 0x4000\n" + tail;
		// Every C L0 follows a single-level guest's TF and pending-debug field now (plain: single_step_owed).
		ExpectHolds(tf + "expect count exit VMCALL >= 1\n");
		ExpectHolds(pending + "expect count deliver 1 == 1\n");
		// kvm-2011, kvm-modern and plain carry a single-level guest's DR7 (test_kvm_debugreg.cc). Under
		// kvm-2008 no ioctl sets it (KVM_SET_DEBUGREGS is of 2010): a guest that cannot exist, the
		// scenario's error, whatever the value enables (GD alone too).
		if (std::string(l0) != "kvm-2008") {
			ExpectHolds(head + "  vmcs GUEST_DR7 0x401\n" + tail + "expect count exit VMCALL >= 1\n");
		} else {
			for (const char *dr7 : {"0x401", "0x2400"})
				ExpectRefused(head + "  vmcs GUEST_DR7 " + dr7 + "\n" + tail,
				              std::string("t.scn:4:8: GUEST_DR7 ") + dr7 +
				                  ": user space has no way to give a guest of kvm-2008 a DR7: GUEST_DR7 is 0x400 "
				                  "from vmx_vcpu_reset, KVM_SET_DEBUGREGS came with a1efbe77 (2010)");
		}
		// A DR7 with nothing enabled is what every guest has.
		ExpectHolds(head + "  vmcs GUEST_DR7 0x400\n" + tail + "expect count exit VMCALL >= 1\n");
	}
	// An L1 hypervisor that runs an L2: its own single-stepping runs (nested/l1-singlestep-*), and so do
	// its breakpoints (3.1 keeps L1's DR7 in vmcs01 across L2's run: KvmErasNested.R12_Kvm2011*).
	ExpectHolds("cpu nehalem\nl0 kvm-modern\nguest L1\n  vmcs GUEST_RFLAGS 0x302\n  exit-handler h\n"
	            "  idt 1 dbh interrupt-gate\nmain:   vmlaunch\nh:      hlt\ndbh:    iret\nguest L2\nl2:     vmcall\n"
	            "run 10000\nexpect count exit VMCALL L2 == 1\n");
	ExpectHolds("cpu nehalem\nl0 kvm-2011\nguest L1\n  vmcs GUEST_DR7 0x401\n  exit-handler h\n"
	            "main:   vmlaunch\nh:      hlt\nguest L2\nl2:     vmcall\nrun 10000\n"
	            "expect count exit VMCALL L2 == 1\n");
}

/*
 * R12 comes first: a C L0's guest whose lines fail it (TF under blocking by
 * STI without BS; a reserved bit of the field) is a VM-entry failure, not a
 * refusal. With BS the check passes, and the guest would run: refused.
 */
TEST(DebugRefused, GuestOfACL0ThatFailsR12IsAnEntryFailure)
{
	const std::string head = "cpu nehalem\nl0 plain\nguest L1\n  vmcs GUEST_INTERRUPTIBILITY_INFO 1\n";
	const std::string tail = "main:   vmcall\nrun 10000\n"
	                         "expect 1st entry-fail reason=0x80000021 qual=0\n"
	                         "expect count entry == 0\n";
	ExpectHolds(head + "  vmcs GUEST_RFLAGS 0x302\n" + tail);
	ExpectHolds("cpu nehalem\nl0 plain\nguest L1\n  vmcs GUEST_PENDING_DBG_EXCEPTIONS 0x4010\n" + tail);
	// With BS the check passes and the guest runs (plain follows TF): no entry failure.
	ExpectHolds(head + "  vmcs GUEST_RFLAGS 0x302\n  vmcs GUEST_PENDING_DBG_EXCEPTIONS 0x4000\n" +
	            "main:   vmcall\nrun 10000\nexpect count entry-fail == 0\n");
}

/*
 * On bare metal the processor single-steps L2, delivers its pending debug
 * exceptions and stops at its instruction breakpoints; only the
 * VMLAUNCH/VMRESUME that would run a data breakpoint is refused.
 */
TEST(DebugRefused, BareMetalRunsTfPendingDebugAndInstructionBreakpointsRefusesDataBreakpoints)
{
	const std::string db_exits = "        vmwrite EXCEPTION_BITMAP 2\n";
	ExpectHolds(L1Enters("none", "        vmwrite GUEST_RFLAGS 0x302\n") + "expect 1st exit L2 reason=VMCALL\n");
	ExpectHolds(L1Enters("none", db_exits, "  vmcs GUEST_PENDING_DBG_EXCEPTIONS 0x4000\n") +
	            "expect 1st exit L2 reason=EXCEPTION_NMI rip=l2 intr-info=0x80000301 qual=0x4000\n");
	ExpectHolds(L1Enters("none", "        vmwrite GUEST_DR7 0x402\n") + "expect 1st exit L2 reason=VMCALL\n");
	ExpectRefused(L1Enters("none", "        vmwrite GUEST_DR7 0x10402\n"), std::string("t.scn:7:9: ") + kDataBp);
	// VMRESUME: L2 ran once; L1 then sets a breakpoint and resumes it.
	ExpectRefused(R"(cpu nehalem
l0 none
guest L1
  exit-handler h
main:   vmlaunch
h:      vmread rax GUEST_RIP
        add rax 3
        vmwrite GUEST_RIP rax
        vmwrite GUEST_DR7 0x30403
resume: vmresume
guest L2
l2:     vmcall
        hlt
run 10000
)",
	              std::string("t.scn:10:9: ") + kDataBp);
	// Without it the same guest runs.
	ExpectHolds(L1Enters("none", "        vmwrite GUEST_RFLAGS 0x202\n        vmwrite GUEST_DR7 0x400\n") +
	            "expect 1st exit L2 reason=VMCALL\n");
}

/*
 * MOV DR: `plain` does not intercept it (the processor runs it; under the
 * scenario's MOV-DR exiting plain emulates it); the KVM models intercept
 * an L1 guest's (test_kvm_debugreg.cc), an L1 hypervisor's too, but L2's
 * own is refused, and so is L1's DR7 away from 400H when it enters L2.
 */
TEST(DebugRefused, MovDrUnderAHypervisorModel)
{
	// plain does not intercept MOV DR: it runs on the processor. With MOV-DR exiting plain emulates it
	// (test_plain_debug.cc).
	ExpectHolds("cpu nehalem\nl0 plain\nguest L1\nmain: mov dr7 0x401\n  vmcall\nrun 10000\n"
	            "expect count exit VMCALL == 1\nexpect count exit DR_ACCESS == 0\n");
	ExpectHolds("cpu nehalem\nl0 plain\nguest L1\n  vmcs CPU_BASED_VM_EXEC_CONTROL CPU_BASED_MOV_DR_EXITING\n"
	            "main: mov dr7 0x401\n  vmcall\nrun 10000\nexpect count exit DR_ACCESS == 1\n"
	            "expect count exit VMCALL == 1\n");
	for (const char *l0 : {"kvm-2008", "kvm-2011", "kvm-modern"}) {
		SCOPED_TRACE(l0);
		ExpectHolds(std::string("cpu nehalem\nl0 ") + l0 + "\nguest L1\nmain: mov dr7 0x401\n  vmcall\nrun 10000\n"
		            "expect count exit VMCALL == 1\n");
	}
	for (const char *l0 : {"kvm-2011", "kvm-modern"}) {
		SCOPED_TRACE(l0);
		// L1's MOV DR runs: DR0-DR3 and DR6 are not switched, and L1's exit handler reads back what it wrote.
		ExpectHolds(L1Enters(l0, "        mov dr0 l2\n        mov dr6 0xffff0ff3\n") +
		            "expect 1st exit L2 reason=VMCALL\n");
	}
	// Both eras run L2's own MOV DR and L1's DR7 away from 400H at its VMLAUNCH (KvmErasNested.R24_L2*,
	// R12_Kvm2011*), and a breakpoint L1 gives L2 in vmcs12's DR7 while L1's own DR7 enables none
	// (Kvm2011L2BreakpointComparesWithWhatTheProcessorHolds).
	for (const char *l0 : {"kvm-2011", "kvm-modern"}) {
		SCOPED_TRACE(l0);
		ExpectHolds(L1Enters(l0, "", "        mov rbx dr6\n") + "expect count exit VMCALL L2 == 1\n");
		ExpectHolds(L1Enters(l0, "        mov dr7 0x401\n") + "expect 1st exit L2 reason=VMCALL\n");
		ExpectHolds(L1Enters(l0, "        mov dr7 0x2400\n") + "expect 1st exit L2 reason=VMCALL\n");
	}
	ExpectHolds(L1Enters("kvm-2011", "        vmwrite GUEST_DR7 0x410\n") + "expect 1st exit L2 reason=VMCALL\n");
	ExpectHolds(L1Enters("kvm-2011", "        mov dr7 0x401\n        vmwrite GUEST_DR7 0x410\n") +
	            "expect 1st exit L2 reason=VMCALL\n");
	// On bare metal both levels run it: DR6 reads 0xffff0ff0 after reset.
	ExpectHolds(L1Enters("none", "        mov dr0 l2\n") + "expect 1st exit L2 reason=VMCALL\n");
}

/* Under a nested KVM, L1's VMLAUNCH that would run L2 so (vmcs12 as L1 wrote it) is refused there. */
TEST(DebugRefused, NestedAtL1sEntry)
{
	for (const char *l0 : {"kvm-2011", "kvm-modern"}) {
		SCOPED_TRACE(l0);
		// L2 may single-step (test_kvm_debug.cc): its VMCALL exits before it completes and owes no trap.
		ExpectHolds(L1Enters(l0, "        vmwrite GUEST_RFLAGS 0x302\n") + "expect 1st exit L2 reason=VMCALL\n");
		// ... under vmcs12's monitor trap flag too (kvm-modern offers it: KvmErasNested.R24_MtfBeforeTheTrap*).
		if (std::string(l0) == "kvm-modern")
			ExpectHolds(L1Enters(l0, "        vmwrite GUEST_RFLAGS 0x302\n",
			                     "  vmcs CPU_BASED_VM_EXEC_CONTROL CPU_BASED_MONITOR_TRAP_FLAG\n") +
			            "expect 1st exit L2 reason=VMCALL\n");
		// L2's pending-debug field is carried between vmcs12 and vmcs02: its #DB exits to L1 as on bare metal.
		ExpectHolds(L1Enters(l0, "        vmwrite EXCEPTION_BITMAP 2\n", "  vmcs GUEST_PENDING_DBG_EXCEPTIONS 0x4000\n") +
		            "expect 1st exit L2 reason=EXCEPTION_NMI rip=l2 intr-info=0x80000301 qual=0x4000\n");
		// So is L1's own, when it runs an L2.
		ExpectHolds(std::string("cpu nehalem\nl0 ") + l0 + "\nguest L1\n  idt 1 db interrupt-gate\n"
		            "  vmcs GUEST_PENDING_DBG_EXCEPTIONS 0x4000\n  exit-handler h\nmain:   vmlaunch\nh:      hlt\n"
		            "db:     iret\nguest L2\nl2:     vmcall\nrun 10000\n"
		            "expect count deliver 1 L1 == 1\nexpect 1st exit L2 reason=VMCALL\n");
		// A breakpoint L1 gives L2 in vmcs12's DR7: today's KVM carries it (KvmErasNested.R24_L2*Breakpoint*);
		// 3.1 when L1's own DR7 enables one too (MovDrUnderAHypervisorModel).
		if (std::string(l0) == "kvm-modern")
			ExpectHolds(L1Enters(l0, "        vmwrite GUEST_DR7 0x410\n") + "expect 1st exit L2 reason=VMCALL\n");
		ExpectHolds(L1Enters(l0, "        vmwrite GUEST_RFLAGS 0x202\n") + "expect 1st exit L2 reason=VMCALL\n");
	}
}

/*
 * R12 still fails the entry before anything runs: TF under blocking by STI
 * without BS, on bare metal and emulated by KVM for L1 (the processor's
 * check on vmcs02). With BS the same entry passes and runs, on bare metal and under KVM.
 */
TEST(DebugRefused, R12StillFailsTheEntryOnBareMetalAndNested)
{
	const std::string sti_tf = "        vmwrite GUEST_INTERRUPTIBILITY_INFO 1\n"
	                           "        vmwrite GUEST_RFLAGS 0x302\n";
	for (const char *l0 : {"none", "kvm-modern"}) {
		SCOPED_TRACE(l0);
		ExpectHolds(L1Enters(l0, sti_tf) + "expect 1st entry-fail reason=0x80000021 qual=0\n"
		                                   "expect count exit VMCALL == 0\n");
	}
	// With BS: on bare metal the trap comes before L2's first instruction (STI blocking does not hold it).
	ExpectHolds(L1Enters("none", sti_tf + "        vmwrite GUEST_PENDING_DBG_EXCEPTIONS 0x4000\n"
	                                      "        vmwrite EXCEPTION_BITMAP 2\n") +
	            "expect 1st exit L2 reason=EXCEPTION_NMI rip=l2 intr-info=0x80000301 qual=0x4000\n");
	// Under today's KVM too: vmcs02 gets the field, and the #DB exit is L1's as L1's bitmap says.
	std::string nested = L1Enters("kvm-modern", sti_tf + "        vmwrite GUEST_PENDING_DBG_EXCEPTIONS 0x4000\n"
	                                                     "        vmwrite EXCEPTION_BITMAP 2\n");
	nested.replace(nested.find("run 10000"), 9, "run 30000");   // four emulated VMWRITEs first
	ExpectHolds(nested + "expect 1st exit L2 reason=EXCEPTION_NMI rip=l2 intr-info=0x80000301 qual=0x4000\n");
}

} // namespace

/*
 * 3.1 loads DR0-DR3 before an entry only when arch.dr7 enables a
 * breakpoint, and the host restores its own only when it has one active
 * (vcpu_enter_guest: hw_breakpoint_active(); the model's host has none):
 * a breakpoint enabled in the DR7 an entry loads while arch.dr7 enables
 * none is compared with what the processor holds - what KVM last loaded,
 * or the 0 of reset - not with what L1 last wrote (the trace says so:
 * dr0123-unloaded). L2's breakpoint from vmcs12's DR7: with L1's DR0 never
 * loaded it does not fire where bare metal's does; with an older DR0 L1's
 * own DR7 once had loaded, it fires where bare metal's, on L1's newer DR0,
 * does not.
 */
TEST(DebugRefused, Kvm2011L2BreakpointComparesWithWhatTheProcessorHolds)
{
	const std::string arm = "        vmwrite GUEST_DR7 0x401\n        vmwrite EXCEPTION_BITMAP 2\n";
	const std::string db_exit = "expect 1st exit L2 reason=EXCEPTION_NMI rip=l2 intr-info=0x80000301 qual=0x1\n";
	const std::string vmcall = "expect 1st exit L2 reason=VMCALL\nexpect count exit EXCEPTION_NMI L2 == 0\n";
	auto longer = [](std::string t) { return t.replace(t.find("run 10000"), 9, "run 40000"); };
	const std::string never = "        mov dr0 l2\n" + arm;
	ScnRun r = RunOk(longer(L1Enters("kvm-2011", never)) + vmcall);
	EXPECT_EQ(TraceLinesWith(r.trace, {"type=dr0123-unloaded", "DR0 0x0, not the guest's 0x1000"}).size(), 1u)
		<< r.trace;
	ExpectHolds(L1Enters("none", never) + db_exit);
	const std::string stale = "        mov dr0 l2\n        mov dr7 0x401\n        mov dr7 0x400\n        mov dr0 0x5000\n" + arm;
	ScnRun s = RunOk(longer(L1Enters("kvm-2011", stale)) + db_exit);
	EXPECT_EQ(TraceLinesWith(s.trace, {"type=dr0123-unloaded", "DR0 0x1000, not the guest's 0x5000"}).size(), 1u)
		<< s.trace;
	ExpectHolds(L1Enters("none", stale) + vmcall);
}

/*
 * 3.1 lets L2 change the one arch.dr7 through handle_dr, while L1 resumes
 * on vmcs01's DR7: the DR7 the processor runs L1 with is checked after
 * every entry of L1 (kvm_debugreg_refuse_at_entry) - a data breakpoint
 * moved out of the data area. One against DR0-DR3 KVM did not load runs
 * with what the processor holds (above).
 */
TEST(DebugRefused, Kvm2011L1ResumesWithADr7TheModelCannotRun)
{
	const std::string l1 = "cpu nehalem\nl0 kvm-2011\nguest L1\n  exit-handler on_exit\n"
	                       "main:    mov dr0 0x40000000\n         mov dr7 0x10402\n         vmlaunch\n"
	                       "on_exit: hlt\nguest L2\n";
	// L2 turns arch.dr7's breakpoints off and moves DR0: L1 resumes with its DR7 comparing the DR0 last loaded.
	ExpectHolds(l1 + "l2_main: mov dr7 0x400\n         mov dr0 0x1000\n         vmcall\nrun 60000\n"
	                 "expect count exit VMCALL L2 == 1\n");
	// L2 keeps a breakpoint enabled in arch.dr7 (G1), so DR0-DR3 go in: DR0 is now outside the data area.
	ExpectRefused(l1 + "l2_main: mov dr7 0x408\n         mov dr0 0x1000\n         vmcall\nrun 60000\n",
	              "t.scn:8:10: not modelled: a data breakpoint outside the data area");
	// Today's KVM puts 400H back for L1 (and arch.dr7 with it): nothing to refuse.
	ExpectHolds(WithL0Line(l1, "kvm-modern") + "l2_main: mov dr7 0x400\n         mov dr0 0x1000\n         vmcall\n"
	                                           "run 60000\nexpect count exit VMCALL L2 == 1\n");
}
