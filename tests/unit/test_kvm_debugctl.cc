// SPDX-License-Identifier: Apache-2.0
/*
 * test_kvm_debugctl.cc - a guest's IA32_DEBUGCTL under each hypervisor model
 * (model/l0/kvm/kvm_debugctl.c, model/l0/plain.c; rules R12, R24). The
 * guest of kvm-debug/btf-wrmsr-bare sets BTF from its #DB handler, as a
 * debugger steps on branches: on the processor alone a trap follows each
 * taken JMP; kvm-2008 and kvm-2011 (b5e2fec0: accepted, ignored) and
 * kvm-modern (vmx_set_msr: not supported, dropped) never let BTF reach the
 * processor, so the guest is stepped on every instruction; `plain` keeps
 * the value in GUEST_IA32_DEBUGCTL and agrees with the processor.
 */
#include <cstdio>
#include <cstdlib>

#include "refused_run.h"
#include "vmxsim/equiv.h"

namespace {

/* The guest of the btf-* scenarios under `l0` (a single-level guest: TF from its VMCS line). */
std::string BtfGuest(const std::string &l0, const std::string &handler_write = "wrmsr IA32_DEBUGCTL 2")
{
	return "cpu nehalem\nl0 " + l0 + "\nguest L1\n  idt 1 db interrupt-gate\n  idt 13 gp interrupt-gate\n"
	       "  vmcs GUEST_RFLAGS 0x102\n"
	       "main:   nop\nagain:  inc r8\n        nop\n        nop\n        jmp again\n"
	       "db:     " + handler_write + "\n        inc r9\n        cmp r9 6\n        je done\n        iret\n"
	       "done:   rdmsr rbx IA32_DEBUGCTL\n        record r9 r8 rbx\n        hlt\n"
	       "gp:     mov r10 13\n        record r10\n        hlt\n"
	       "run 40000\n";
}

}  // namespace

TEST(KvmDebugctl, R24_TheProcessorAloneStepsOnBranches)
{
	ScnRun r = RunOk(ShippedScenario("kvm-debug/btf-wrmsr-bare.scn"));
	EXPECT_EQ(TraceLinesWith(r.trace, {"L2 record", "r8=0x5", "r9=0x6", "rbx=0x2"}).size(), 1u) << r.trace;
}

TEST(KvmDebugctl, R24_Kvm2011AndModernDropBtfTheGuestIsSteppedOnEveryInstruction)
{
	struct {
		const char *scenario, *why;
	} eras[] = {{"kvm-debug/btf-dropped-modern.scn", "vmx_set_msr: LBR and BTF not supported, dropped"},
	            {"kvm-debug/btf-dropped-2011.scn", "kvm_set_msr_common: LBR and BTF accepted, nop"}};
	for (const auto &e : eras) {
		SCOPED_TRACE(e.scenario);
		ScnRun r = RunOk(ShippedScenario(e.scenario));
		EXPECT_EQ(TraceLinesWith(r.trace, {"L1 record", "r8=0x2", "r9=0x6", "rbx=0x0"}).size(), 1u) << r.trace;
		EXPECT_EQ(TraceLinesWith(r.trace, {"L0 host", "type=debugctl-ignored", e.why}).size(), 6u) << r.trace;
	}
}

TEST(KvmDebugctl, R24_PlainKeepsBtfInTheFieldAndAgreesWithTheProcessor)
{
	ScnRun r = RunOk(BtfGuest("plain"));
	EXPECT_EQ(TraceLinesWith(r.trace, {"L1 record", "r8=0x5", "r9=0x6", "rbx=0x2"}).size(), 1u) << r.trace;
	// The handler's WRMSR exits (plain uses no MSR bitmap): plain wrote the value where the entry loads it.
	EXPECT_EQ(TraceLinesWith(r.trace, {"vmexit", "reason=MSR_WRITE"}).size(), 6u) << r.trace;
}

/* Bits other than LBR and BTF: KVM answers #GP(0) (2.6.28, 3.1: "vendor-specific, reserved"; today: unsupported). */
TEST(KvmDebugctl, OtherBitsAreGpUnderKvmButNotOnTheProcessor)
{
	const std::string btint = "wrmsr IA32_DEBUGCTL 0x100";   // bit 8, BTINT: a valid bit of the processor
	for (const char *era : {"kvm-2011", "kvm-modern"}) {
		SCOPED_TRACE(era);
		ScnRun r = RunOk(BtfGuest(era, btint));
		EXPECT_EQ(TraceLinesWith(r.trace, {"L1 record", "r10=0xd"}).size(), 1u) << r.trace;
	}
	ScnRun plain = RunOk(BtfGuest("plain", btint));
	EXPECT_TRUE(TraceLinesWith(plain.trace, {"L1 record", "r10=0xd"}).empty()) << plain.trace;
	EXPECT_EQ(TraceLinesWith(plain.trace, {"L1 record", "rbx=0x100"}).size(), 1u) << plain.trace;
}

TEST(KvmDebugctl, R12_VmcsLineBtfIsDroppedAsUserSpacesKvmSetMsrsWouldBe)
{
	// TF and BTF from the lines: kvm-modern drops BTF before the first entry and steps every instruction.
	const std::string text = "cpu nehalem\nl0 kvm-modern\nguest L1\n  idt 1 db interrupt-gate\n"
	                         "  vmcs GUEST_RFLAGS 0x102\n  vmcs GUEST_IA32_DEBUGCTL 2\n"
	                         "main:   nop\n        nop\n        jmp main\ndb:     inc r9\n        iret\nrun 8000\n";
	ScnRun r = RunOk(text);
	EXPECT_EQ(TraceLinesWith(r.trace, {"L0 host", "type=debugctl-ignored"}).size(), 1u) << r.trace;
	EXPECT_EQ(TraceLinesWith(r.trace, {"vmexit", "reason=EXCEPTION_NMI", "rip=0x1001"}).size(), 1u)
		<< "a trap after the first NOP, which is no branch\n" << r.trace;
	// Another bit: user space's KVM_SET_MSRS would fail.
	std::string bad = text;
	bad.replace(bad.find("GUEST_IA32_DEBUGCTL 2"), 21, "GUEST_IA32_DEBUGCTL 0x100");
	ExpectRefused(bad, "GUEST_IA32_DEBUGCTL with bits other than LBR and BTF under a KVM model");
	// kvm-2008 drops it the same way (b5e2fec0 is in its kvm_set_msr_common); its guest takes the #DB itself.
	ScnRun old = RunOk(WithL0Line(text, "kvm-2008"));
	EXPECT_EQ(TraceLinesWith(old.trace, {"L0 host", "type=debugctl-ignored", "kvm_set_msr_common"}).size(), 1u)
		<< old.trace;
	EXPECT_GE(TraceLinesWith(old.trace, {"L1 deliver", "vector=1", "injected=0"}).size(), 2u) << old.trace;
}

/*
 * kvm-2008's tree is later than 2.6.28, whose kvm_set_msr_common already
 * has b5e2fec0 (a 2.6.27 tree has no case for the MSR and answers #GP):
 * its guest is stepped on every instruction, as kvm-2011's.
 */
TEST(KvmDebugctl, R24_Kvm2008DropsBtfAsKvm2011Does)
{
	ScnRun r = RunOk(BtfGuest("kvm-2008"));
	EXPECT_EQ(TraceLinesWith(r.trace, {"L1 record", "r8=0x2", "r9=0x6", "rbx=0x0"}).size(), 1u) << r.trace;
	EXPECT_EQ(TraceLinesWith(r.trace, {"L0 host", "type=debugctl-ignored", "kvm_set_msr_common: LBR and BTF accepted, "
	                                   "nop"}).size(), 6u) << r.trace;
	EXPECT_EQ(TraceLinesWith(RunOk(BtfGuest("kvm-2008", "wrmsr IA32_DEBUGCTL 0x100")).trace, {"L1 record", "r10=0xd"})
	              .size(), 1u);
}

/* The language: constants with reserved bits are errors, TR with BTS is refused at its line. */
TEST(KvmDebugctl, WrmsrConstantsAreCheckedAtTheirLine)
{
	Parsed reserved(BtfGuest("plain", "wrmsr IA32_DEBUGCTL 4"));
	EXPECT_EQ(reserved.where(), "12:29: 0x4 sets reserved bits of IA32_DEBUGCTL (WRMSR would raise #GP)");
	Parsed bts(BtfGuest("plain", "wrmsr IA32_DEBUGCTL 0xc0"));
	EXPECT_EQ(bts.where().rfind("12:29: not modelled: branch trace store", 0), 0u) << bts.where();
}

/* plain keeps no machine-check state for its guest: MCG_STATUS accesses that exit to it are refused. */
TEST(KvmDebugctl, PlainRefusesTheGuestsMcgStatus)
{
	for (const char *insn : {"rdmsr rax IA32_MCG_STATUS", "wrmsr IA32_MCG_STATUS 0"})
		ExpectRefused("cpu nehalem\nl0 plain\nguest L1\nmain:   " + std::string(insn) + "\n        hlt\nrun 5000\n",
		              "t.scn:4:9: not modelled: the machine-check MSRs of a guest of 'plain'");
}

/*
 * L2's own WRMSR of IA32_DEBUGCTL, which L1's MSR bitmap lets through to
 * L0: kvm-2011 drops it (kvm_set_msr_common), kvm-modern writes the bits it
 * supports - none here - into vmcs02. Either way L2 is stepped on every
 * instruction where the processor steps it on branches; equiv names the
 * difference at L2's record (kvm-debug/btf-wrmsr-bare).
 */
TEST(KvmDebugctl, R24_L2sWrmsrOfBtfIsDroppedByBothNestedKvms)
{
	const std::string bare = ShippedScenario("kvm-debug/btf-wrmsr-bare.scn");
	for (const char *era : {"kvm-2011", "kvm-modern"}) {
		SCOPED_TRACE(era);
		ScnRun r = RunScenarioText(WithL0Line(bare, era));
		EXPECT_EQ(TraceLinesWith(r.trace, {"L2 record", "rbx=0x0", "r8=0x2", "r9=0x6"}).size(), 1u) << r.trace;
		EXPECT_EQ(TraceLinesWith(r.trace, {"L0 host", "type=debugctl-btf-dropped", "drops the BTF of L2's WRMSR"})
		              .size(), 6u) << r.trace;
		char *buf = nullptr;
		size_t len = 0;
		FILE *out = open_memstream(&buf, &len);
		int rc = vmxsim_equiv_under((std::string(VMXSIM_SOURCE_DIR) + "/scenarios/kvm-debug/btf-wrmsr-bare.scn").c_str(),
		                            era, out, stderr);
		std::fclose(out);
		const std::string report(buf ? buf : "", len);
		std::free(buf);
		EXPECT_EQ(rc, 0) << report;
		EXPECT_NE(report.find("and L2 records the same 0 values, then a documented difference of its L0"),
		          std::string::npos) << report;
	}
	// What L1 reads in vmcs12 after the exit: the processor saved BTF (2); today's KVM wrote the bits it keeps
	// into vmcs12's copy (0), 3.1 copied vmcs02's (0). The note comes again after the exit.
	const std::string reads = "cpu nehalem\nl0 none\nguest L1\n  exit-handler h\nmain:   vmlaunch\n"
	                          "h:      vmread rax GUEST_IA32_DEBUGCTL\n        record rax\n        hlt\nguest L2\n"
	                          "  vmcs CPU_BASED_VM_EXEC_CONTROL CPU_BASED_USE_MSR_BITMAPS\n"
	                          "l2:     wrmsr IA32_DEBUGCTL 2\n        vmcall\nrun 40000\n";
	EXPECT_EQ(TraceLinesWith(RunOk(reads).trace, {"L1 record", "rax=0x2"}).size(), 1u);
	for (const char *era : {"kvm-2011", "kvm-modern"}) {
		SCOPED_TRACE(era);
		ScnRun r = RunScenarioText(WithL0Line(reads, era));
		EXPECT_EQ(TraceLinesWith(r.trace, {"L1 record", "rax=0x0"}).size(), 1u) << r.trace;
		EXPECT_EQ(TraceLinesWith(r.trace, {"L0 host", "type=debugctl-btf-dropped"}).size(), 2u) << r.trace;
	}
}

/* L2's RDMSR of IA32_DEBUGCTL that L0 answers: what KVM kept of vmcs12's value, which equiv names. */
TEST(KvmDebugctl, L2sRdmsrReadsWhatKvmKeptOfVmcs12sValue)
{
	const std::string bare = "cpu nehalem\nl0 none\nguest L1\n  exit-handler h\nmain:   vmlaunch\nh:      hlt\n"
	                         "guest L2\n  vmcs CPU_BASED_VM_EXEC_CONTROL CPU_BASED_USE_MSR_BITMAPS\n"
	                         "  vmcs VM_ENTRY_CONTROLS VM_ENTRY_LOAD_DEBUG_CONTROLS\n  vmcs GUEST_IA32_DEBUGCTL 1\n"
	                         "l2:     rdmsr rbx IA32_DEBUGCTL\n        record rbx\n        vmcall\nrun 40000\n";
	EXPECT_EQ(TraceLinesWith(RunOk(bare).trace, {"L2 record", "rbx=0x1"}).size(), 1u);
	ScnRun r = RunScenarioText(WithL0Line(bare, "kvm-modern"));
	EXPECT_EQ(TraceLinesWith(r.trace, {"L2 record", "rbx=0x0"}).size(), 1u) << r.trace;
	EXPECT_EQ(TraceLinesWith(r.trace, {"L0 host", "type=debugctl-read", "kvm-modern answers L2's RDMSR of IA32_DEBUGCTL "
	                                   "with 0x0; the processor reads what its entry loaded from vmcs12, 0x1"}).size(),
	          1u) << r.trace;
}
