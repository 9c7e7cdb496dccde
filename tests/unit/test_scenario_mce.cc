// SPDX-License-Identifier: Apache-2.0
/*
 * test_scenario_mce.cc - the `mce` stimulus (a machine-check event at the
 * processor's pins) and IA32_MCG_STATUS in the scenario language: parse
 * errors, where a machine check may be aimed, what a run refuses as not
 * modelled (file:line:col), and the trace of one (R23, R24 level 1).
 */
#include "refused_run.h"

namespace {

/* A bare-metal L1 that enters L2, whose lines follow from line 8; then `tail` and the run. */
std::string Bare(const std::string &l2_lines, const std::string &tail)
{
	return "cpu nehalem\n"          // 1
	       "l0 none\n"              // 2
	       "guest L1\n"             // 3
	       "  exit-handler h\n"     // 4
	       "main: vmlaunch\n"       // 5
	       "h:    hlt\n"            // 6
	       "guest L2\n"             // 7
	       + l2_lines +
	       "l2:   work 1000\n"
	       "      jmp l2\n"
	       + tail + "run 8000\n";
}

const BadInput kBadMce[] = {
	{"MceTakesNoVector", Bare("", "at 5 mce 18 -> L1 cpu0\n"),
	 "10:10: expected '->' and a target such as 'L1 cpu0' after 'mce', found '18'"},
	{"MceNeedsATarget", Bare("", "at 5 mce\n"), "10:9: expected '->' and a target such as 'L1 cpu0' after 'mce'"},
	{"McgStatusReservedBits", Bare("", "").replace(Bare("", "").find("h:    hlt"), 9, "h: wrmsr IA32_MCG_STATUS 8"),
	 "6:26: 0x8 sets reserved bits of IA32_MCG_STATUS (WRMSR would raise #GP)"},
};

}  // namespace

INSTANTIATE_TEST_SUITE_P(Mce, ScenarioParseErrors, ::testing::ValuesIn(kBadMce), scn_test::BadInputName);

TEST(ScenarioMce, R24_AMachineCheckForL2IsRefusedWithWhereItArrives)
{
	ExpectRefused(Bare("", "at 5 mce -> L2 cpu0\n"),
	              "t.scn:10:13: with 'l0 none' a machine check cannot be aimed at L2: it arrives at the processor's "
	              "pins, and while L2 runs the guest's CR4.MCE and L1's exception bitmap (bit 18) decide where it "
	              "goes; write '-> L1'");
	ExpectRefused(Bare("", "at 5 mce -> L0 cpu0\n"), "t.scn:10:13: with 'l0 none' there is no L0");
}

TEST(ScenarioMce, R24_TheStimulusAndTheShutdownAreTraced)
{
	/* GUEST_CR4 without MCE: the guest shuts down in non-root operation, no exit. */
	ScnRun r = RunScenarioText(Bare("", "at 2500 mce -> L1 cpu0\n"));
	ASSERT_EQ(r.status, VMXSIM_OK) << r.diag;
	EXPECT_NE(r.trace.find("2500 cpu0 L0 stimulus      type=mce origin=scenario"), std::string::npos) << r.trace;
	EXPECT_NE(r.trace.find("2500 cpu0 L2 shutdown      cause=machine-check"), std::string::npos) << r.trace;
	EXPECT_EQ(r.trace.find("vmexit"), std::string::npos) << r.trace;
}

TEST(ScenarioMce, R24_TheOtherSinksShowTheStimulusAndTheShutdown)
{
	const std::string text = Bare("", "at 2500 mce -> L1 cpu0\n");
	ScnRun j = RunScenarioText(text, TRACE_FORMAT_JSONL);
	ASSERT_EQ(j.status, VMXSIM_OK) << j.diag;
	EXPECT_NE(j.trace.find("{\"cycle\":2500,\"cpu\":0,\"level\":0,\"event\":\"stimulus\",\"type\":\"mce\""),
	          std::string::npos) << j.trace;
	EXPECT_NE(j.trace.find("\"level\":2,\"event\":\"shutdown\",\"cause\":\"machine-check\""), std::string::npos)
	        << j.trace;
	ScnRun p = RunScenarioText(text, TRACE_FORMAT_PERFETTO);
	EXPECT_NE(p.trace.find("\"name\":\"stimulus mce\""), std::string::npos) << p.trace;
	EXPECT_NE(p.trace.find("\"name\":\"shutdown machine-check\""), std::string::npos) << p.trace;
}
