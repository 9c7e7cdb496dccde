// SPDX-License-Identifier: Apache-2.0
/*
 * test_kvm_mce_banks.cc - the error-reporting banks of a KVM guest (R24
 * level 1, model/l0/kvm/kvm_mce.c): what KVM_X86_SET_MCE does with the
 * error user space hands it (logged, dropped, a #MC, a triple fault; OVER;
 * today's UCNA path), the guest's RDMSR and WRMSR of IA32_MCG_CAP, CTL and
 * the MCi registers era by era, and what is refused: the processor's own
 * banks, and an error record anywhere but `mce -> L1` under kvm-2011 and
 * kvm-modern.
 */
#include "refused_run.h"

namespace {

const char kBanks[] = "soft-vnmi/guest-mce-banks-modern.scn";

/* A guest of `l0` with MCE in CR4, a #GP handler that records 0x6d and halts, and `body` as its program. */
std::string Guest(const std::string &l0, const std::string &body, const std::string &stimuli = "")
{
	return "cpu nehalem\nl0 " + l0 +
	       "\nguest L1\n  vmcs GUEST_CR4 0x2060\n  idt 13 gp interrupt-gate\n  idt 18 mc interrupt-gate\n"
	       "main:   " + body +
	       "        hlt\n"
	       "gp:     mov rbx 0x6d\n        record rbx\n        hlt\n"
	       "mc:     mov rbx 0x12\n        record rbx\n        iret\n" +
	       stimuli + "run 60000\n";
}

/* The text does not parse: this message at this place (LINE:COL: ...). */
void ExpectParseError(const std::string &text, const std::string &where_what)
{
	Parsed p(text, "t.scn");
	EXPECT_EQ(p.s, nullptr);
	EXPECT_NE(p.where().find(where_what), std::string::npos) << "want: " << where_what << "\ngot: " << p.where();
}

size_t Records(const std::string &trace, const char *value)
{
	return TraceLinesWith(trace, {"L1 record", value}).size();
}

}  // namespace

/*
 * The shipped scenario: a corrected error logged, an uncorrected one dropped
 * by the guest's MC3_CTL, one that needs action delivered with its bank, and
 * a UCNA, which today's KVM logs without a #MC and 3.1 delivers.
 */
TEST(KvmMceBanks, R24_WhatSetMceDoesWithEachError)
{
	ScnRun today = RunOk(ShippedScenario(kBanks));
	EXPECT_EQ(TraceLinesWith(today.trace, {"L0 host", "type=set-mce-logged", "bank 1"}).size(), 1u) << today.trace;
	EXPECT_EQ(TraceLinesWith(today.trace, {"L0 host", "type=set-mce-dropped", "IA32_MC3_CTL"}).size(), 1u);
	EXPECT_EQ(TraceLinesWith(today.trace, {"L0 host", "type=set-mce-ucna", "bank 2"}).size(), 1u);
	EXPECT_EQ(TraceLinesWith(today.trace, {"L1 deliver", "vector=18"}).size(), 1u);

	std::string text = WithL0Line(ShippedScenario(kBanks), "kvm-2011");
	text.replace(text.find("expect count deliver 18 L1 == 1"), 31, "expect count deliver 18 L1 == 2");
	ScnRun old = RunOk(text);
	EXPECT_EQ(TraceLinesWith(old.trace, {"type=set-mce-ucna"}).size(), 0u) << old.trace;
	EXPECT_EQ(TraceLinesWith(old.trace, {"L1 deliver", "vector=18"}).size(), 2u) << old.trace;
}

/* set_msr_mce: MCi_CTL 0 or all ones (bit 10 free; today bit 0 too), MCG_CTL 0 or all ones, MCi_STATUS. */
TEST(KvmMceBanks, R24_GuestWritesTheBanksAsEachEraAllows)
{
	struct Case {
		const char *what;
		bool gp_2011, gp_today;
	} cases[] = {
	    {"wrmsr IA32_MC0_CTL 0xfffffffffffffbff\n", false, false},   // bit 10 clear
	    {"wrmsr IA32_MC0_CTL 0xfffffffffffffffe\n", true, false},    // bit 0 clear
	    {"wrmsr IA32_MC0_CTL 0x1234\n", true, true},
	    {"wrmsr IA32_MCG_CTL 0\n", false, false},
	    {"wrmsr IA32_MCG_CTL 0x5\n", true, true},
	    {"wrmsr IA32_MC4_STATUS 0\n", false, false},
	    {"wrmsr IA32_MC4_STATUS 0x8000000000000000\n", false, true},   // 9ffd986c
	    {"wrmsr IA32_MC4_ADDR 0x1234\n", false, false},
	};
	for (const Case &c : cases) {
		SCOPED_TRACE(c.what);
		for (const char *l0 : {"kvm-2011", "kvm-modern"}) {
			SCOPED_TRACE(l0);
			const bool gp = std::string(l0) == "kvm-2011" ? c.gp_2011 : c.gp_today;
			ScnRun r = RunOk(Guest(l0, c.what));
			EXPECT_EQ(Records(r.trace, "rbx=0x6d"), gp ? 1u : 0u) << r.trace;
		}
	}
	// What was written is read back.
	ScnRun r = RunOk(Guest("kvm-2011", "wrmsr IA32_MC4_STATUS 0x8000000000000001\n        rdmsr rcx IA32_MC4_STATUS\n"
	                                   "        rdmsr rdx IA32_MCG_CAP\n        record rcx rdx\n"));
	EXPECT_EQ(Records(r.trace, "rcx=0x8000000000000001 rdx=0x100010a"), 1u) << r.trace;
}

/*
 * 2.6.28: the machine-check MSRs kvm_get_msr_common lists read 0, three
 * writes are dropped (pr_unimpl); every other one is an unhandled MSR, #GP.
 */
TEST(KvmMceBanks, R24_Kvm2008ReadsZeroDropsThreeWritesAndGpsTheRest)
{
	ScnRun r = RunOk(Guest("kvm-2008", "wrmsr IA32_MC0_STATUS 0x5\n        wrmsr IA32_MCG_CTL 0x5\n"
	                                   "        rdmsr rcx IA32_MCG_CAP\n        rdmsr rdx IA32_MC5_MISC\n"
	                                   "        rdmsr rsi IA32_MC0_CTL\n        record rcx rdx rsi\n"
	                                   "        rdmsr rdi IA32_MC0_STATUS\n"));
	EXPECT_EQ(TraceLinesWith(r.trace, {"L0 host", "type=mce-msr-ignored"}).size(), 2u) << r.trace;
	EXPECT_EQ(Records(r.trace, "rcx=0x0 rdx=0x0 rsi=0x0"), 1u) << r.trace;
	EXPECT_EQ(Records(r.trace, "rbx=0x6d"), 1u) << r.trace;   // MC0_STATUS is not among the reads
	ScnRun w = RunOk(Guest("kvm-2008", "wrmsr IA32_MC1_CTL 0\n"));
	EXPECT_EQ(Records(w.trace, "rbx=0x6d"), 1u) << w.trace;
}

/*
 * Each ioctl is applied in order before the next entry: two corrected errors
 * in one bank set OVER, a corrected one after an uncorrected one keeps the
 * latter (with OVER), and an uncorrected error after one that queued a #MC
 * finds MCIP set: KVM_EXIT_SHUTDOWN.
 */
TEST(KvmMceBanks, R24_TwoIoctlsBeforeOneEntry)
{
	const std::string read = "work 20000\n        rdmsr rcx IA32_MC1_STATUS\n        rdmsr rdx IA32_MC1_ADDR\n"
	                         "        record rcx rdx\n";
	ScnRun over = RunOk(Guest("kvm-modern", read,
	                          "at 1000 mce -> L1 cpu0 bank 1 status 0x9000000000000000 addr 0x10\n"
	                          "at 1000 mce -> L1 cpu0 bank 1 status 0x9000000000000000 addr 0x20\n"));
	EXPECT_EQ(Records(over.trace, "rcx=0xd000000000000000 rdx=0x20"), 1u) << over.trace;
	ScnRun keep = RunOk(Guest("kvm-modern", read,
	                          "at 1000 mce -> L1 cpu0 bank 1 status 0xb000000000000000 addr 0x10\n"
	                          "at 1000 mce -> L1 cpu0 bank 1 status 0x9000000000000000 addr 0x20\n"));
	EXPECT_EQ(Records(keep.trace, "rcx=0xf000000000000000 rdx=0x10"), 1u) << keep.trace;
	EXPECT_EQ(TraceLinesWith(keep.trace, {"L1 deliver", "vector=18"}).size(), 1u) << keep.trace;
	for (const char *l0 : {"kvm-2011", "kvm-modern"}) {
		SCOPED_TRACE(l0);
		ScnRun two = RunOk(Guest(l0, read, "at 1000 mce -> L1 cpu0\nat 1000 mce -> L1 cpu0 bank 2\n"));
		EXPECT_EQ(TraceLinesWith(two.trace, {"guest_stop", "KVM_EXIT_SHUTDOWN", "MCG_STATUS.MCIP"}).size(), 1u)
		    << two.trace;
		EXPECT_EQ(TraceLinesWith(two.trace, {"L1 deliver", "vector=18"}).size(), 0u) << two.trace;
	}
}

/*
 * While L2 runs, a triple fault is only requested: the ioctl after it still
 * sees L2 (its CR4.MCE = 0 here) and queues no #MC for L1; the one
 * TRIPLE_FAULT exit comes at the next entry.
 */
TEST(KvmMceBanks, R24_TwoIoctlsWhileL2RunsBothSeeL2)
{
	const std::string text = "cpu nehalem\nl0 kvm-modern\nguest L1\n  vmcs GUEST_CR4 0x2060\n"
	                         "  idt 18 mc interrupt-gate\n  exit-handler on_exit\nmain:    vmlaunch\n"
	                         "on_exit: vmread rbx VM_EXIT_REASON\n         record rbx\nloop1:   work 1000\n"
	                         "         jmp loop1\nmc:      mov rcx 0x12\n         record rcx\n         hlt\n"
	                         "guest L2\n  vmcs GUEST_CR4 0x2020\nmain:    work 1000\n         jmp main\n"
	                         "at 20000 mce -> L1 cpu0 bank 1\nat 20000 mce -> L1 cpu0 bank 2\nrun 60000\n";
	ScnRun r = RunOk(text);
	EXPECT_EQ(TraceLinesWith(r.trace, {"L1 nested_exit", "reason=TRIPLE_FAULT"}).size(), 1u) << r.trace;
	EXPECT_EQ(TraceLinesWith(r.trace, {"L1 record", "rbx=0x2"}).size(), 1u) << r.trace;   // L1's exit handler runs
	EXPECT_EQ(TraceLinesWith(r.trace, {"L1 deliver", "vector=18"}).size(), 0u) << r.trace;
	EXPECT_EQ(TraceLinesWith(r.trace, {"guest_stop"}).size(), 0u) << r.trace;
}

/*
 * A halted guest: today the queued #MC wakes it (kvm_vcpu_has_events counts
 * a pending exception); 3.1 leaves it halted, the #MC waiting in the entry
 * field for another wake event.
 */
TEST(KvmMceBanks, R24_AHaltedGuestWakesForTheMcOnlyToday)
{
	const std::string text = "cpu nehalem\nl0 kvm-modern\nguest L1\n  vmcs GUEST_CR4 0x2060\n"
	                         "  idt 18 mc interrupt-gate\nmain:   hlt\n        jmp main\nmc:     rdmsr rbx IA32_MCG_STATUS\n"
	                         "        record rbx\n        iret\nat 5000 mce -> L1 cpu0 bank 1\nrun 60000\n";
	ScnRun today = RunOk(text);
	EXPECT_EQ(TraceLinesWith(today.trace, {"L0 halt", "what=wake", "exception pending"}).size(), 1u) << today.trace;
	EXPECT_EQ(TraceLinesWith(today.trace, {"L1 record", "rbx=0x5"}).size(), 1u) << today.trace;
	ScnRun old = RunOk(WithL0Line(text, "kvm-2011"));
	EXPECT_EQ(TraceLinesWith(old.trace, {"L0 halt", "what=wake"}).size(), 0u) << old.trace;
	EXPECT_EQ(TraceLinesWith(old.trace, {"L1 deliver", "vector=18"}).size(), 0u) << old.trace;
}

/* An uncorrected error is dropped while the guest's IA32_MCG_CTL is not all ones (MCG_CTL_P is offered). */
TEST(KvmMceBanks, R24_McgCtlZeroDropsUncorrectedErrors)
{
	for (const char *l0 : {"kvm-2011", "kvm-modern"}) {
		SCOPED_TRACE(l0);
		ScnRun r = RunOk(Guest(l0, "wrmsr IA32_MCG_CTL 0\n        work 5000\n", "at 3000 mce -> L1 cpu0 bank 4\n"));
		EXPECT_EQ(TraceLinesWith(r.trace, {"type=set-mce-dropped", "IA32_MCG_CTL is not all ones"}).size(), 1u)
		    << r.trace;
		EXPECT_EQ(Records(r.trace, "rbx=0x12"), 0u) << r.trace;
	}
}

/* The processor's own banks, and a record where no KVM_X86_SET_MCE carries it. */
TEST(KvmMceBanks, R24_WhatIsRefusedOrWrong)
{
	// The processor's own banks (mca_bank.c) take what a record at the pins says, within the CPU model's count.
	ExpectRefused("cpu nehalem\nl0 none\nguest L1\n  exit-handler h\nmain: vmlaunch\nh: hlt\nguest L2\nl2: hlt\n"
	              "at 100 mce -> L1 cpu0 bank 9\nrun 1000\n",
	              "t.scn:9:23: bank 9: CPU model 'nehalem' has 9 machine-check banks (IA32_MCG_CAP 0x1c09)");
	ExpectRefused(Guest("kvm-modern", "nop\n", "at 100 mce -> L0 cpu0 mcg-status 5\n"),
	              "t.scn:15:23: 'mcg-status' is for KVM_X86_SET_MCE ('mce -> L1' under kvm-2011 or kvm-modern): at the "
	              "pins the processor sets IA32_MCG_STATUS itself");
	ExpectRefused(Guest("kvm-modern", "nop\n", "at 100 mce -> L1 cpu0 enable-bit 3\n"),
	              "t.scn:15:23: 'enable-bit' is for the processor's own banks (a machine check at its pins): "
	              "KVM_X86_SET_MCE has no such field");
	ExpectRefused(Guest("kvm-modern", "nop\n", "at 100 mce -> L1 cpu0 bank 10\n"),
	              "t.scn:15:23: bank 10: the guest has 10 banks, KVM_X86_SET_MCE fails with EINVAL");
	ExpectRefused(Guest("kvm-modern", "nop\n", "at 100 mce -> L1 cpu0 status 0x1000000000000000\n"),
	              "t.scn:15:23: status 0x1000000000000000 has no VAL (bit 63): KVM_X86_SET_MCE fails with EINVAL");
	// More ioctls in one stop than the model keeps: refused at the stimulus that would be the fifth.
	std::string five;
	for (int i = 0; i < 5; i++)
		five += "at 1000 mce -> L1 cpu0 status 0x9000000000000000\n";
	ExpectRefused(Guest("kvm-modern", "nop\n", five),
	              "t.scn:19:1: not modelled: more than 4 KVM_X86_SET_MCE ioctls between two entries of the vCPU");
	ExpectRefused(Guest("plain", "rdmsr rax IA32_MC0_STATUS\n"),
	              "not modelled: the machine-check MSRs of a guest of 'plain'");
	ExpectParseError(Guest("kvm-modern", "nop\n", "at 100 mce -> L1 cpu0 bank 32\n"),
	                 "15:28: expected a bank number 0-31");
	ExpectParseError(Guest("kvm-modern", "nop\n", "at 100 mce -> L1 cpu0 bank 1 bank 2\n"),
	                 "15:30: 'bank' is given twice");
	ExpectParseError(Guest("kvm-modern", "wrmsr IA32_MCG_CAP 0\n"),
	                 "7:15: IA32_MCG_CAP is read-only: WRMSR of it raises #GP");
}
