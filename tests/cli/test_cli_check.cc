// SPDX-License-Identifier: Apache-2.0
// `vmxsim check` beyond test_cli.cc's goldens: the context of its diff
// (-U/--context), the bless hint that repeats the user's own options (and
// works when pasted back), a scenario on standard input with --golden, and
// colour.
#include <gtest/gtest.h>

#include "cli/cli_scenarios.h"
#include "cli/cli_util.h"

#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using cli_scenarios::kGood;
using cli_util::Describe;
using cli_util::Result;

bool Contains(const std::string &hay, const std::string &needle) { return hay.find(needle) != std::string::npos; }

std::vector<std::string> LinesOf(const std::string &s)
{
	std::vector<std::string> v;
	std::istringstream in(s);
	for (std::string l; std::getline(in, l);)
		v.push_back(l + "\n");
	return v;
}

class CliCheck : public cli_util::WorkdirTest {
protected:
	const std::string scn = "scenarios/hw/a.scn";
	const std::string golden = "traces/hw/a.trace";
	std::string trace;

	void SetUp() override
	{
		cli_util::WorkdirTest::SetUp();
		Write(scn, kGood);
		trace = Run("run " + scn).out;
		ASSERT_GT(LinesOf(trace).size(), 12u);
	}
	// The trace with its n-th line (1-based) replaced.
	std::string Changed(size_t n, const std::string &line)
	{
		std::vector<std::string> lines = LinesOf(trace);
		lines[n - 1] = line;
		std::string s;
		for (const std::string &l : lines)
			s += l;
		return s;
	}
	// The hint's command, as the user would paste it (without "vmxsim ").
	std::string Hint(const std::string &err, bool update_env)
	{
		std::smatch m;
		const std::regex bless("to accept it as the golden: vmxsim (.*) --bless   \\(or VMXSIM_UPDATE_GOLDEN=1 "
		                       "vmxsim (.*)\\)\n");
		if (!std::regex_search(err, m, bless)) {
			ADD_FAILURE() << "no bless hint in\n" << err;
			return "";
		}
		return update_env ? m[2].str() : m[1].str() + " --bless";
	}
};

TEST_F(CliCheck, ContextLinesOfTheDiff)
{
	Write(golden, Changed(8, "changed\n"));
	Result r = Run("check " + scn);
	EXPECT_EQ(r.status, 1) << Describe(r);
	EXPECT_TRUE(Contains(r.err, "\n@@ -5,7 +5,7 @@\n")) << "three lines by default\n" << r.err;

	const std::vector<std::string> lines = LinesOf(trace);
	for (const char *args : {" -U 1", " -U1", " --context=1", " --context 1", " --cont=1"}) {
		r = Run("check " + scn + args);
		EXPECT_EQ(r.status, 1) << args << "\n" << Describe(r);
		EXPECT_TRUE(Contains(r.err, "+++ " + golden + " (this run)\n@@ -7,3 +7,3 @@\n " + lines[6] + "-changed\n+" +
		                                lines[7] + " " + lines[8]))
		    << args << "\n" << r.err;
	}
	r = Run("check -U 0 " + scn);
	EXPECT_EQ(r.status, 1) << Describe(r);
	EXPECT_TRUE(Contains(r.err, "@@ -8 +8 @@\n-changed\n+" + lines[7] + "this run's trace:")) << r.err;
}

TEST_F(CliCheck, TheBlessHintRepeatsTheOptionsThatMatter)
{
	Write("g.trace", Changed(3, "changed\n"));
	Result r = Run("check " + scn + " --golden g.trace --reference -U 1 --color=never");
	EXPECT_EQ(r.status, 1) << Describe(r);
	EXPECT_TRUE(Contains(r.err, "to accept it as the golden: vmxsim check " + scn +
	                                " --golden g.trace --reference --bless   (or VMXSIM_UPDATE_GOLDEN=1 vmxsim check " +
	                                scn + " --golden g.trace --reference)\n"))
	    << "the golden and the mode are kept; context and colour are not\n" << r.err;

	// --golden=G is repeated in one spelling; what it prints works when pasted back.
	r = Run("check --golden=g.trace " + scn);
	EXPECT_EQ(r.status, 1) << Describe(r);
	const std::string again = Hint(r.err, false);
	EXPECT_EQ(again, "check " + scn + " --golden g.trace --bless");
	Result blessed = Run(again);
	EXPECT_EQ(blessed.status, 0) << again << "\n" << Describe(blessed);
	EXPECT_EQ(Read("g.trace"), trace);
	EXPECT_FALSE(Exists(golden)) << "the hint blessed the golden that was compared, not the default one";
}

TEST_F(CliCheck, TheBlessHintQuotesWhatTheShellWouldSplit)
{
	Write("my goldens/it's.trace", Changed(3, "changed\n"));
	Result r = Run("check " + scn + " --golden 'my goldens/it'\\''s.trace'");
	EXPECT_EQ(r.status, 1) << Describe(r);
	const std::string again = Hint(r.err, false);
	EXPECT_EQ(again, "check " + scn + " --golden 'my goldens/it'\\''s.trace' --bless");
	EXPECT_EQ(Run(again).status, 0);
	EXPECT_EQ(Read("my goldens/it's.trace"), trace);
	EXPECT_EQ(Run(Hint(r.err, true), "VMXSIM_UPDATE_GOLDEN=1").status, 0) << "the environment form works too";
}

TEST_F(CliCheck, TheBlessHintOfAScenarioThatLooksLikeAnOption)
{
	Write("-a.scn", kGood);
	Result r = Run("check --golden g.trace -- -a.scn");
	EXPECT_EQ(r.status, 1) << Describe(r);
	const std::string again = Hint(r.err, false);
	EXPECT_EQ(again, "check ./-a.scn --golden g.trace --bless") << "./ keeps it an operand";
	EXPECT_EQ(Run(again).status, 0);
	EXPECT_EQ(Read("g.trace"), trace);
}

TEST_F(CliCheck, AScenarioOnStandardInputNeedsAGolden)
{
	Result r = RunStdin(kGood, "check -");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_EQ(r.err, "<stdin>: a scenario read from standard input has no golden of its own; name one with --golden\n");

	r = RunStdin(kGood, "check - --golden=g.trace --bless");
	EXPECT_EQ(r.status, 0) << Describe(r);
	EXPECT_EQ(Read("g.trace"), trace);
	r = RunStdin(kGood, "check --golden g.trace -");
	EXPECT_EQ(r.status, 0) << Describe(r);
	EXPECT_EQ(r.err, "");
}

TEST_F(CliCheck, ColourOnlyWhenAskedFor)
{
	Write(golden, Changed(8, "changed\n"));
	Write(scn, std::string(kGood).replace(std::string(kGood).find("deliver 32 == 1"), 15, "deliver 32 == 2"));
	const std::string red_minus = "\033[31m-changed\033[0m\n", failed = "\033[1;31mexpectation failed\033[0m";

	Result plain = Run("check " + scn);
	EXPECT_EQ(plain.status, 1) << Describe(plain);
	EXPECT_FALSE(Contains(plain.err, "\033[")) << "not a terminal: no colour\n" << plain.err;

	for (const char *how : {"--color=always", "--color always", "--color"}) {
		Result r = Run("check " + scn + " " + how);
		EXPECT_EQ(r.status, 1) << how << "\n" << Describe(r);
		EXPECT_TRUE(Contains(r.err, red_minus)) << how << "\n" << r.err;
		EXPECT_TRUE(Contains(r.err, "\033[32m+")) << how;
		EXPECT_TRUE(Contains(r.err, "a.scn:20:1: " + failed + ": count deliver 32 == 2 (got 1)\n")) << how << "\n"
		                                                                                            << r.err;
	}
	// --color=always is the user's word and wins over NO_COLOR; auto yields to it.
	EXPECT_TRUE(Contains(Run("check " + scn + " --color=always", "NO_COLOR=1").err, red_minus));
	EXPECT_TRUE(Contains(Run("check " + scn, "CLICOLOR_FORCE=1").err, red_minus));
	EXPECT_EQ(Run("check " + scn, "CLICOLOR_FORCE=1 NO_COLOR=1").err, plain.err);
	EXPECT_EQ(Run("check " + scn + " --color=never", "CLICOLOR_FORCE=1").err, plain.err);
	EXPECT_EQ(Run("check " + scn + " --color=auto").err, plain.err);
	// NO_COLOR set but empty does not count.
	EXPECT_TRUE(Contains(Run("check " + scn, "CLICOLOR_FORCE=1 NO_COLOR=").err, red_minus));
}

}  // namespace
