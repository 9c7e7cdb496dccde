/* SPDX-License-Identifier: Apache-2.0 */
// The scenario language's VMX regions and INIT/SIPI: `vmcs-region`, the
// operands of vmxon/vmxoff/vmclear/vmptrld/vmptrst, `ipi cpuN init|sipi V`,
// the `init` and `sipi V` stimuli, `insn=` of exact expectations; their
// parse errors; and runs of them with `l0 none`, including what a run
// refuses as not modelled (file:line:col, exit status 2).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "front/scenario.h"
#include "lib/scenario_run.h"

namespace {

/* A parsed scenario (NULL if it did not parse) and the parser's message. */
struct Parsed {
	std::unique_ptr<scn_scenario, void (*)(scn_scenario *)> s{nullptr, scn_free};
	scn_error err{};

	explicit Parsed(const std::string &text) { s.reset(scn_parse(text.data(), text.size(), "v.scn", &err)); }
};

/* A bare-metal scenario: L1 lines from line 5, then the L2 block, stimuli and expectations. */
std::string Bare(const std::string &l1, const std::string &tail = "", const std::string &l2 = "main: vmcall\n")
{
	return "cpu nehalem\nl0 none\nvcpus 2\nguest L1\n  exit-handler done\n" + l1 + "done: hlt\nguest L2\n" + l2 +
	       tail + "run 20000\n";
}

/* Parse and run; the diagnostics, and the status. */
struct Ran {
	vmxsim_status status = VMXSIM_BAD_INPUT;
	std::string diag;
	std::string trace;

	explicit Ran(const std::string &text)
	{
		scn_error err{};
		scn_scenario *s = scn_parse(text.data(), text.size(), "v.scn", &err);
		if (!s) {
			diag = std::to_string(err.line) + ":" + std::to_string(err.col) + ": " + err.msg;
			return;
		}
		char *d = nullptr, *t = nullptr;
		size_t dl = 0, tl = 0;
		FILE *df = open_memstream(&d, &dl), *tf = open_memstream(&t, &tl);
		vmxsim_result res{};
		status = run_scenario(s, tf, TRACE_FORMAT_TEXT, df, &res);
		std::fclose(df);
		std::fclose(tf);
		diag.assign(d, dl);
		trace.assign(t, tl);
		std::free(d);
		std::free(t);
		scn_free(s);
	}
};

}  // namespace

TEST(ScenarioVmx, RegionsAndTheirOperands)
{
	Parsed p(Bare("  vmcs-region spare\n"
	              "  vmcs-region blank empty revision=0x1234\n"
	              "  vmcs-region two for L2 revision=7\n"
	              "main: vmxon\n"
	              "  vmxon blank\n"
	              "  vmptrld spare\n"
	              "  vmclear vmcs0\n"
	              "  vmptrld rbx\n"
	              "  vmclear 0x101000\n"
	              "  vmptrst rcx\n"
	              "  vmptrld vmxon\n"
	              "  vmxoff\n"
	              "  vmptrld later\n"
	              "  vmcs-region later\n"));
	ASSERT_NE(p.s, nullptr) << p.err.msg;
	const scn_guest &g = p.s->guests[0];
	ASSERT_EQ(g.nregions, 4u);
	EXPECT_STREQ(g.regions[0].name, "spare");
	EXPECT_FALSE(g.regions[0].empty);
	EXPECT_FALSE(g.regions[0].has_revision);
	EXPECT_TRUE(g.regions[1].empty);
	EXPECT_TRUE(g.regions[1].has_revision);
	EXPECT_EQ(g.regions[1].revision, 0x1234u);
	EXPECT_FALSE(g.regions[2].empty);
	EXPECT_EQ(g.regions[2].revision, 7u);
	EXPECT_EQ(g.regions[0].loc.line, 6u);
	EXPECT_EQ(g.regions[0].loc.col, 15u);

	EXPECT_EQ(g.insns[0].op, SCN_OP_VMXON);
	EXPECT_STREQ(g.insns[0].region, "vmxon");          /* no operand: the VMXON region */
	EXPECT_EQ(g.insns[0].region_idx, SCN_REGION_VMXON);
	EXPECT_EQ(g.insns[1].region_idx, SCN_REGION_DECLARED + 1);
	EXPECT_EQ(g.insns[2].op, SCN_OP_VMPTRLD);
	EXPECT_EQ(g.insns[2].region_idx, SCN_REGION_DECLARED);
	EXPECT_EQ(g.insns[3].op, SCN_OP_VMCLEAR);
	EXPECT_EQ(g.insns[3].region_idx, SCN_REGION_VMCS0);
	EXPECT_EQ(g.insns[4].region, nullptr);             /* a register */
	EXPECT_EQ(g.insns[4].src, 3);
	EXPECT_EQ(g.insns[5].region, nullptr);             /* an address */
	EXPECT_EQ(g.insns[5].value, 0x101000u);
	EXPECT_EQ(g.insns[6].op, SCN_OP_VMPTRST);
	EXPECT_EQ(g.insns[6].dst, 1);
	EXPECT_EQ(g.insns[7].region_idx, SCN_REGION_VMXON);
	EXPECT_EQ(g.insns[8].op, SCN_OP_VMXOFF);
	EXPECT_EQ(g.insns[9].region_idx, SCN_REGION_DECLARED + 3);   /* declared after its use */
}

TEST(ScenarioVmx, InitAndSipiStimuliAndIpis)
{
	Parsed p(Bare("main: ipi cpu1 init\n"
	              "  ipi cpu1 sipi 0x9a\n",
	              "at 100 init -> L1 cpu1\n"
	              "at 200 sipi 16 -> L1 cpu1 via bsp\n"
	              "on exit INIT_SIGNAL L2 +5 init -> L1 cpu1\n"
	              "on init cpu1 +5 sipi 0x10 -> L1 cpu1\n"
	              "expect count init cpu1 == 1\n"
	              "expect 1st vmfail insn=vmptrld error=11\n"
	              "expect 1st exit L2 reason=SIPI_SIGNAL qual=0x10 activity=wait-for-sipi\n"
	              "expect 2nd exit L2 activity=wait-sipi\n"));
	ASSERT_NE(p.s, nullptr) << p.err.msg;
	const scn_guest &g = p.s->guests[0];
	EXPECT_TRUE(g.insns[0].init);
	EXPECT_FALSE(g.insns[0].sipi);
	EXPECT_TRUE(g.insns[1].sipi);
	EXPECT_EQ(g.insns[1].vector, 0x9au);
	ASSERT_EQ(p.s->nstimuli, 4u);
	EXPECT_EQ(p.s->stimuli[0].kind, SCN_STIM_INIT);
	EXPECT_EQ(p.s->stimuli[1].kind, SCN_STIM_SIPI);
	EXPECT_EQ(p.s->stimuli[1].vector, 16u);
	EXPECT_STREQ(p.s->stimuli[1].via, "bsp");
	EXPECT_EQ(p.s->stimuli[2].kind, SCN_STIM_INIT);
	EXPECT_EQ(p.s->stimuli[2].trigger.arg, 3);
	EXPECT_EQ(p.s->stimuli[3].trigger.ev, SCN_EV_INIT);   /* `init` before the delay is the event */
	EXPECT_EQ(p.s->stimuli[3].trigger.cpu, 1);
	EXPECT_EQ(p.s->stimuli[3].kind, SCN_STIM_SIPI);
	ASSERT_EQ(p.s->nexpects, 4u);
	EXPECT_EQ(p.s->expects[0].event.ev, SCN_EV_INIT);
	EXPECT_EQ(p.s->expects[1].fields[0].value, (uint64_t)SCN_OP_VMPTRLD);
	EXPECT_EQ(p.s->expects[2].fields[2].value, 3u);
	EXPECT_EQ(p.s->expects[3].fields[0].value, 3u);
}

TEST(ScenarioVmx, EveryVmxInstructionIsAnInsnKey)
{
	for (const char *insn : {"vmlaunch", "vmresume", "vmread", "vmwrite", "vmcall", "vmxon", "vmxoff", "vmclear",
	                         "vmptrld", "vmptrst"}) {
		Parsed p(Bare("main: nop\n", std::string("expect 1st vmfail insn=") + insn + "\n"));
		EXPECT_NE(p.s, nullptr) << insn << ": " << p.err.msg;
	}
}

// ---- runs -----------------------------------------------------------------

TEST(ScenarioVmxRun, VmfailsOfEachKindHoldAsExpected)
{
	Ran r(Bare("  vmcs-region bad empty revision=0x1234\n"
	           "main: vmptrld bad\n"
	           "  vmclear vmxon\n"
	           "  vmclear vmcs0\n"
	           "  vmptrld vmxon\n"
	           "  vmptrst rax\n"
	           "  record rax\n",
	           "expect 1st vmfail L1 insn=vmptrld error=11 rip=main\n"
	           "expect 2nd vmfail insn=vmclear error=3\n"
	           "expect 3rd vmfail insn=vmptrld error=invalid\n"
	           "expect 1st record L1 cpu1 rax=0xffffffffffffffff\n"));
	EXPECT_EQ(r.status, VMXSIM_OK) << r.diag;
	EXPECT_EQ(r.diag, "");
}

TEST(ScenarioVmxRun, AProgramThatStartsWithVmxonStartsOutsideVmx)
{
	Ran r(Bare("main: vmxon\n"
	           "  vmptrst rax\n"
	           "  vmptrld vmcs0\n"
	           "  vmptrst rbx\n"
	           "  record rax rbx\n"
	           "  vmlaunch\n",
	           "expect 1st record L1 cpu0 rax=0xffffffffffffffff rbx=0x101000\n"
	           "expect 1st exit L2 cpu0 reason=VMCALL\n"
	           "expect count entry-fail == 0\n"));
	EXPECT_EQ(r.status, VMXSIM_OK) << r.diag;
}

TEST(ScenarioVmxRun, InitExitsFromL2AndIsBlockedInL1)
{
	Ran r(Bare("main: work 3000\n  vmlaunch\n", "at 1000 init -> L1 cpu1\n"
	                                             "expect 1st exit L2 cpu1 reason=INIT_SIGNAL rip=main\n"
	                                             "expect count exit INIT_SIGNAL == 1\n",
	           "main: work 10\n  jmp main\n"));
	EXPECT_EQ(r.status, VMXSIM_OK) << r.diag;
	EXPECT_NE(r.trace.find("type=init origin=scenario"), std::string::npos);
}

TEST(ScenarioVmxRun, InitOfAnApAfterVmxoffWaitsForSipi)
{
	/* cpu1 takes the INIT at its VMXOFF and never records; cpu0, with no INIT, does. */
	Ran t(Bare("main: work 500\n  vmxoff\n  mov rax 1\n  record rax\n", "at 100 init -> L1 cpu1\n"));
	EXPECT_EQ(t.status, VMXSIM_OK) << t.diag;
	EXPECT_NE(t.trace.find("cpu1 L1 init"), std::string::npos) << t.trace;
	EXPECT_EQ(t.trace.find("cpu1 L1 record"), std::string::npos) << t.trace;
	EXPECT_NE(t.trace.find("cpu0 L1 record"), std::string::npos) << t.trace;
}

TEST(ScenarioVmxRun, InitOfTheBootstrapProcessorOutsideVmxIsRefused)
{
	Ran r(Bare("main: work 500\n  vmxoff\n  work 100\n", "at 100 init -> L1 cpu0\n"));
	EXPECT_EQ(r.status, VMXSIM_BAD_INPUT);
	EXPECT_EQ(r.diag, "v.scn:12:1: not modelled: INIT of the bootstrap processor outside VMX operation: it "
	                  "restarts at the reset vector, in firmware the model does not have\n");
	/* cpu0 stops there; cpu1, the same program without an INIT, runs on. */
	EXPECT_NE(r.trace.find("cpu1 L1 hlt"), std::string::npos) << r.trace;
}

TEST(ScenarioVmxRun, StartUpBySipiIsRefusedAtTheIpi)
{
	Ran r(Bare("main: vmxoff\n  work 2000\n  ipi cpu1 init\n  work 1000\n  ipi cpu1 sipi 0x10\n  work 5000\n"));
	EXPECT_EQ(r.status, VMXSIM_BAD_INPUT);
	EXPECT_EQ(r.diag, "v.scn:10:3: not modelled: a processor started by a SIPI: its real-mode code at the vector's "
	                  "page (vector << 12) is not a program of the scenario\n");
}

TEST(ScenarioVmxRun, InitAndSipiAreForL1sPins)
{
	Ran r(Bare("main: nop\n", "at 5 sipi 3 -> L2 cpu1\n"));
	EXPECT_EQ(r.status, VMXSIM_BAD_INPUT);
	EXPECT_EQ(r.diag, "v.scn:10:16: with 'l0 none' an INIT or SIPI cannot be aimed at L2: it arrives at the "
	                  "processor's pins, and while L2 runs it exits to L1 (INIT_SIGNAL, or SIPI_SIGNAL from "
	                  "wait-for-SIPI); write '-> L1'\n");
}

TEST(ScenarioVmxRun, UnderAnL0InitAndSipiAreRefused)
{
	std::string head = "cpu nehalem\nl0 kvm-2011\nvcpus 2\nguest L1\nmain: work 100\n";
	Ran a(head + "run 1000\nat 5 init -> L1 cpu1\n");
	EXPECT_EQ(a.status, VMXSIM_BAD_INPUT);
	EXPECT_EQ(a.diag, "v.scn:7:14: not modelled: INIT/SIPI under L0 'kvm-2011' (only 'l0 none' takes them, at the "
	                  "processor's pins)\n");
	Ran b(head + "  ipi cpu1 sipi 3\nrun 1000\n");
	EXPECT_EQ(b.diag, "v.scn:6:7: not modelled: INIT/SIPI under L0 'kvm-2011' (only 'l0 none' takes them, at the "
	                  "processor's pins)\n");
}

TEST(ScenarioVmxRun, UnderANestedL0RegionInstructionsAreEmulated)
{
	/* KVM emulates them on L1's regions, with the processor's errors; the VMfails are L0's (emulated=1). */
	Ran a("cpu nehalem\nl0 kvm-modern\nguest L1\n  vmcs-region bad empty revision=5\n  exit-handler done\n"
	      "main: vmptrld bad\n  vmclear vmcs0\n  vmread rax VM_EXIT_REASON\n  vmptrst rbx\n  record rbx\n"
	      "done: hlt\nguest L2\nl2: vmcall\nrun 100000\n"
	      "expect 1st vmfail L1 insn=vmptrld error=11 rip=main\n"
	      "expect 2nd vmfail L1 insn=vmread error=invalid\n"
	      "expect 1st record L1 rbx=0xffffffffffffffff\n");
	EXPECT_EQ(a.status, VMXSIM_OK) << a.diag;
	EXPECT_NE(a.trace.find("insn=vmptrld error=11 rip=0x1000 check=\"VMPTRLD with incorrect VMCS revision "
	                       "identifier\" emulated=1"), std::string::npos) << a.trace;
	/* Outside VMX operation L0 gives L1 #UD, as the processor does. */
	Ran u("cpu nehalem\nl0 kvm-2011\nguest L1\n  idt 6 ud interrupt-gate\n  exit-handler done\n"
	      "main: vmxon\n  vmxoff\n  vmptrld vmcs0\ndone: hlt\nud: hlt\nguest L2\nl2: vmcall\nrun 100000\n"
	      "expect count deliver 6 L1 == 1\n");
	EXPECT_EQ(u.status, VMXSIM_OK) << u.diag << u.trace;
	/* Without nested VMX the L0 offers none: every VMX instruction is #UD, modelled as before. */
	Ran b("cpu nehalem\nl0 plain\nguest L1\nmain: vmptrld vmcs0\n  work 100\nrun 1000\n");
	EXPECT_EQ(b.status, VMXSIM_OK) << b.diag;
}
