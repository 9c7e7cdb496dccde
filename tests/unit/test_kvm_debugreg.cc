/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The KVM models and a single-level guest's debug registers, era by era
 * (model/l0/kvm/kvm_debugreg.c; rules R12, R24): MOV-DR exiting and
 * handle_dr() - dropped in 2008, emulated on vcpu->arch in 2011, handed to
 * the guest until the next exit today (KVM_DEBUGREG_WONT_EXIT) -, the
 * general-detect #DB KVM raises itself, the #UD and #GP of kvm_set_dr(),
 * DR0-DR3 loaded before the entry, and an instruction breakpoint the guest
 * set with MOV DR reaching its handler through the #DB intercept.
 */
#include <gtest/gtest.h>

#include <string>

#include "scn_text.h"

namespace {

/*
 * A guest of `l0` with #DB, #UD and #GP handlers: #DB counts in r9, turns
 * the breakpoints off (its frame has RF = 0, as on the processor alone: it
 * would stop at the same breakpoint again) and returns; #UD and #GP record
 * and stop.
 */
std::string Guest(const std::string &l0, const std::string &lines, const std::string &code)
{
	return "cpu nehalem\nl0 " + l0 + "\nguest L1\n  idt 1 db interrupt-gate\n  idt 6 fault interrupt-gate\n"
	       "  idt 13 fault interrupt-gate\n" + lines + "main:    " + code +
	       "db:      mov rcx dr6\n         inc r9\n         mov dr7 0x400\n         iret\n"
	       "fault:   record r8 r9 rcx r10\n         hlt\nrun 50000\n";
}

const char *const kEmulating[] = {"kvm-2011", "kvm-modern"};

}  // namespace

/* 3.1: every MOV DR exits and is emulated; the breakpoint set with it fires and comes back through the #DB exit. */
TEST(KvmEras, R24_MovDrBreakpoint2011EveryMovDrExits)
{
	ScnRun r = RunOk(ShippedScenario("kvm-debug/movdr-breakpoint-2011.scn"));
	EXPECT_EQ(TraceLinesWith(r.trace, {"L1 vmexit", "reason=DR_ACCESS"}).size(), 5u) << r.trace;
	EXPECT_TRUE(TraceLinesWith(r.trace, {"type=mov-dr-exiting"}).empty()) << r.trace;
	/* The #DB fault exits at bp (B0) and is queued back with B0 in arch.dr6. */
	EXPECT_EQ(TraceLinesWith(r.trace, {"L1 vmexit", "reason=EXCEPTION_NMI", "qual=0x1", "intr_info=0x80000301"}).size(),
	          1u) << r.trace;
	EXPECT_EQ(TraceLinesWith(r.trace, {"L0 inject", "vector=1", "dr6=0xffff0ff1"}).size(), 1u) << r.trace;
	EXPECT_EQ(TraceLinesWith(r.trace, {"L1 record", "rcx=0xffff0ff1", "r8=0x7", "r9=0x1", "r10=0x400"}).size(), 1u)
		<< r.trace;
}

/* Today: the first MOV DR exits and hands the registers over; the next ones run; the next exit takes them back. */
TEST(KvmEras, R24_MovDrBreakpointModernLazyPath)
{
	ScnRun r = RunOk(ShippedScenario("kvm-debug/movdr-breakpoint-modern.scn"));
	std::vector<std::string> dr = TraceLinesWith(r.trace, {"L1 vmexit", "reason=DR_ACCESS"});
	ASSERT_EQ(dr.size(), 2u) << r.trace;
	EXPECT_NE(dr[0].find("rip=0x1000"), std::string::npos) << dr[0];   /* mov dr0 bp; mov dr7 0x401 does not exit */
	std::vector<std::string> off = TraceLinesWith(r.trace, {"L0 host", "type=mov-dr-exiting-off"});
	std::vector<std::string> on = TraceLinesWith(r.trace, {"L0 host", "type=mov-dr-exiting-on"});
	EXPECT_EQ(off.size(), 2u) << r.trace;
	/* Restored by the breakpoint's #DB exit and by the HLT exit. */
	EXPECT_EQ(on.size(), 2u) << r.trace;
	/* The MOV is not skipped: the entry after the first exit is at the same RIP as the launch. */
	EXPECT_EQ(TraceLinesWith(r.trace, {"L1 vmentry", "rip=0x1000"}).size(), 2u) << r.trace;
	/* What the guest sees is 2011's: B0 read from DR6 (loaded from arch.dr6), the breakpoint off. */
	EXPECT_EQ(TraceLinesWith(r.trace, {"L1 record", "rcx=0xffff0ff1", "r8=0x7", "r9=0x1", "r10=0x400"}).size(), 1u)
		<< r.trace;
}

/* 2.6.26-28: handle_dr() drops MOV to DRn and reads constants; the guest's breakpoint never exists. */
TEST(KvmEras, R12_MovDr2008DropsWritesAndReadsConstants)
{
	ScnRun r = RunOk(ShippedScenario("kvm-debug/movdr-2008.scn"));
	EXPECT_EQ(TraceLinesWith(r.trace, {"L0 host", "type=dr-ignored"}).size(), 5u) << r.trace;
	EXPECT_TRUE(TraceLinesWith(r.trace, {"vector=1"}).empty()) << r.trace;
	EXPECT_EQ(TraceLinesWith(r.trace, {"L1 record", "rcx=0xffff0ff0", "r8=0x7", "r9=0x0", "r10=0x400", "r11=0x0"})
	              .size(), 1u) << r.trace;
}

/*
 * R24: the MOV-DR exit comes before the general-detect #DB, so handle_dr()
 * raises it: BD in arch.dr6, GD cleared in arch.dr7 and GUEST_DR7, RIP at
 * the MOV. The handler's own MOV DR then runs, and so does the MOV after
 * its IRET.
 */
TEST(KvmEras, R24_GeneralDetectEmulatedByHandleDr)
{
	for (const char *era : kEmulating) {
		SCOPED_TRACE(era);
		ScnRun r = RunOk(Guest(era, "  vmcs GUEST_DR7 0x2400\n", "mov r8 dr7\n         mov r10 dr7\n         ud2\n"));
		EXPECT_EQ(TraceLinesWith(r.trace, {"L0 host", "type=dr-general-detect"}).size(), 1u) << r.trace;
		EXPECT_EQ(TraceLinesWith(r.trace, {"L0 inject", "vector=1", "dr6=0xffff2ff0"}).size(), 1u) << r.trace;
		EXPECT_EQ(TraceLinesWith(r.trace, {"L1 vmentry", "rip=0x1000", "inject=0x80000301"}).size(), 1u) << r.trace;
		/* DR6 has BD, one #DB, and DR7 reads back with GD clear. */
		EXPECT_EQ(TraceLinesWith(r.trace, {"L1 record", "rcx=0xffff2ff0", "r8=0x400", "r9=0x1", "r10=0x400"}).size(),
		          1u) << r.trace;
	}
}

/* kvm_set_dr(): bits 63:32 of a DR7 value are #GP(0), at the MOV, not skipped; the value is not taken. */
TEST(KvmEras, R12_MovDrReservedBitsGp)
{
	for (const char *era : kEmulating) {
		SCOPED_TRACE(era);
		ScnRun r = RunOk(Guest(era, "", "mov rax 0x100000401\n         mov r8 3\n         mov dr7 rax\n         hlt\n"));
		EXPECT_EQ(TraceLinesWith(r.trace, {"L1 deliver", "vector=13", "error_code=0x00000000"}).size(), 1u) << r.trace;
		EXPECT_EQ(TraceLinesWith(r.trace, {"L1 record", "r8=0x3", "r9=0x0"}).size(), 1u) << r.trace;
	}
	/* 2011 queues it (the emulation); today the MOV runs on the processor, which raises it. */
	ScnRun r = RunOk(Guest("kvm-2011", "", "mov rax 0x100000401\n         mov dr7 rax\n         hlt\n"));
	EXPECT_EQ(TraceLinesWith(r.trace, {"L0 inject", "vector=13"}).size(), 1u) << r.trace;
}

/* DR4 and DR5: #UD with CR4.DE (kvm_require_dr today, in the access in 2011); DR6 and DR7 without. */
TEST(KvmEras, R12_MovDr4And5FollowCr4De)
{
	for (const char *era : kEmulating) {
		SCOPED_TRACE(era);
		ScnRun de = RunOk(Guest(era, "  vmcs GUEST_CR4 0x2028\n", "mov r8 4\n         mov r10 dr5\n         hlt\n"));
		EXPECT_EQ(TraceLinesWith(de.trace, {"L1 deliver", "vector=6"}).size(), 1u) << de.trace;
		EXPECT_EQ(TraceLinesWith(de.trace, {"L1 record", "r8=0x4", "r10=0x0"}).size(), 1u) << de.trace;
		ScnRun alias = RunOk(Guest(era, "  vmcs GUEST_DR7 0x480\n", "mov r10 dr5\n         mov rcx dr4\n         ud2\n"));
		EXPECT_EQ(TraceLinesWith(alias.trace, {"L1 record", "rcx=0xffff0ff0", "r10=0x480"}).size(), 1u)
			<< alias.trace;
	}
}

/*
 * A GUEST_DR7 breakpoint from the `vmcs` lines (user space's
 * KVM_SET_DEBUGREGS) and DR0 from MOV DR: KVM loads DR0-DR3 before the
 * entry because a breakpoint is enabled (KVM_DEBUGREG_BP_ENABLED), and it
 * fires.
 */
TEST(KvmEras, R24_VmcsLineBreakpointWithDr0FromMovDr)
{
	for (const char *era : kEmulating) {
		SCOPED_TRACE(era);
		ScnRun r = RunOk(Guest(era, "  vmcs GUEST_DR7 0x401\n",
		                       "mov dr0 bp\n         nop\nbp:      mov dr7 0x400\n         mov r8 1\n         ud2\n"));
		EXPECT_EQ(TraceLinesWith(r.trace, {"L1 vmexit", "reason=EXCEPTION_NMI", "qual=0x1"}).size(), 1u) << r.trace;
		EXPECT_EQ(TraceLinesWith(r.trace, {"L1 record", "rcx=0xffff0ff1", "r8=0x1", "r9=0x1"}).size(), 1u) << r.trace;
	}
}

/*
 * Today: DR7 and DR0 written while the guest owned the registers are read
 * back at the next exit (CPUID's; GUEST_DR7 saved by the exit) and loaded
 * again before the entry: the breakpoint still fires after it.
 */
TEST(KvmEras, R24_LazyPathKeepsTheGuestsBreakpointAcrossAnExit)
{
	ScnRun r = RunOk(Guest("kvm-modern", "", "mov dr0 bp\n         mov dr7 0x401\n         cpuid\n         nop\n"
	                                         "bp:      mov r8 1\n         ud2\n"));
	std::vector<std::string> on = TraceLinesWith(r.trace, {"L0 host", "type=mov-dr-exiting-on"});
	ASSERT_FALSE(on.empty()) << r.trace;
	EXPECT_EQ(TraceLinesWith(r.trace, {"L1 vmexit", "reason=DR_ACCESS"}).size(), 2u) << r.trace;   /* mov dr0, the handler's */
	EXPECT_EQ(TraceLinesWith(r.trace, {"L1 vmexit", "reason=CPUID"}).size(), 1u) << r.trace;
	EXPECT_EQ(TraceLinesWith(r.trace, {"L1 vmexit", "reason=EXCEPTION_NMI", "qual=0x1"}).size(), 1u) << r.trace;
	EXPECT_EQ(TraceLinesWith(r.trace, {"L1 record", "rcx=0xffff0ff1", "r8=0x1", "r9=0x1"}).size(), 1u) << r.trace;
}
