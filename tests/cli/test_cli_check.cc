// SPDX-License-Identifier: Apache-2.0
// `vmxsim check`: goldens (a missing one, a changed, shorter or longer one,
// blessing with --bless or VMXSIM_UPDATE_GOLDEN and its refusal under CI,
// a golden that is a pipe), the context of its diff (-U/--context), the
// bless hint that repeats the user's own options (and works when pasted
// back), a scenario on standard input with --golden, and colour.
#include <gtest/gtest.h>

#include "cli/cli_scenarios.h"
#include "cli/cli_util.h"

#include <sys/stat.h>

#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

using cli_scenarios::kGood;
using cli_util::Contains;
using cli_util::Describe;
using cli_util::Quote;
using cli_util::Replace;
using cli_util::SplitLines;
using cli_util::Result;


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
		ASSERT_GT(SplitLines(trace).size(), 12u);
	}
	// The trace with its n-th line (1-based) replaced.
	std::string Changed(size_t n, const std::string &line)
	{
		std::vector<std::string> lines = SplitLines(trace);
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

	const std::vector<std::string> lines = SplitLines(trace);
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

// The goldens of `vmxsim check` and their blessing: the same run as CliCheck's.
class CliGolden : public CliCheck {};

}  // namespace

// ---- check and goldens -----------------------------------------------------


TEST_F(CliGolden, CheckWithoutAGoldenFailsAndKeepsTheActualTrace)
{
	Result r = Run("check " + scn);
	EXPECT_EQ(r.status, 1) << Describe(r);
	EXPECT_FALSE(Exists(golden)) << "check alone never creates a golden";
	ASSERT_TRUE(Exists(golden + ".actual"));
	EXPECT_EQ(Read(golden + ".actual"), trace);
	EXPECT_TRUE(Contains(r.err, golden + ": no golden yet")) << r.err;
	EXPECT_TRUE(Contains(r.err, "vmxsim check " + scn + " --bless")) << r.err;
	EXPECT_TRUE(Contains(r.err, "VMXSIM_UPDATE_GOLDEN=1 vmxsim check " + scn)) << r.err;
	EXPECT_EQ(Files(), (std::set<std::string>{scn, golden + ".actual"}));
}

// A golden that is a pipe (`--golden <(...)`, here a FIFO) is only read:
// a difference keeps no .actual beside it and prints no bless hint, and
// --bless is refused rather than written into the pipe.
TEST_F(CliGolden, AGoldenThatIsAPipeIsOnlyRead)
{
	ASSERT_EQ(mkfifo((dir / "g.fifo").c_str(), 0644), 0);
	// The shell's redirections apply to `wait`: vmxsim's stderr goes to E itself.
	// `cd DIR && vmxsim ... &` puts the cd in the background too: the writer names the FIFO in full.
	const std::string feed = " & printf 'garbage\\n' > " + Quote((dir / "g.fifo").string()) + "; wait $!";
	Result r = Run("check " + scn + " --golden g.fifo 2>E" + feed);
	EXPECT_EQ(r.status, 1) << Describe(r);
	EXPECT_TRUE(Contains(Read("E"), "g.fifo is not a regular file: only compared, nothing kept or blessed there"))
	    << Read("E");
	EXPECT_FALSE(Contains(Read("E"), "--bless")) << Read("E");
	r = Run("check " + scn + " --golden g.fifo --bless 2>E" + feed);
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_TRUE(Contains(Read("E"), "g.fifo: not a regular file (a pipe, device or terminal): a golden there is only "
	                                "read; --bless refused"))
	    << Read("E");
	EXPECT_EQ(Files(), (std::set<std::string>{scn, "E", "g.fifo"}));
}

TEST_F(CliGolden, BlessCreatesTheGoldenAndASecondCheckPasses)
{
	Result r = Run("check " + scn + " --bless");
	EXPECT_EQ(r.status, 0) << Describe(r);
	EXPECT_EQ(Read(golden), trace);
	EXPECT_TRUE(Contains(r.err, golden + ": golden created")) << r.err;
	EXPECT_EQ(fs::status(dir / golden).permissions() & fs::perms::others_read, fs::perms::others_read)
	    << "goldens are ordinary readable files";

	r = Run("check " + scn);
	EXPECT_EQ(r.status, 0) << Describe(r);
	EXPECT_EQ(r.err, "");
	EXPECT_EQ(r.out, "");
	EXPECT_EQ(Files(), (std::set<std::string>{scn, golden})) << "no temporary or .actual file remains";
}

TEST_F(CliGolden, BlessAfterAFailedCheckLeavesNoStaleActual)
{
	EXPECT_EQ(Run("check " + scn).status, 1);
	ASSERT_TRUE(Exists(golden + ".actual"));
	EXPECT_EQ(Run("check " + scn + " --bless").status, 0);
	EXPECT_EQ(Files(), (std::set<std::string>{scn, golden}));
}

TEST_F(CliGolden, AChangedGoldenFailsAtItsLine)
{
	std::vector<std::string> lines = SplitLines(trace);
	ASSERT_GT(lines.size(), 8u);
	const std::string changed = Changed(8, "        2701 cpu0 L0 window        what=irq-window-off\n");
	Write(golden, changed);
	Result r = Run("check " + scn);
	EXPECT_EQ(r.status, 1) << Describe(r);
	// A unified diff: the golden is the old side, this run the new; three lines of context.
	EXPECT_TRUE(Contains(r.err, "--- " + golden + "\n+++ " + golden + " (this run)\n@@ -5,7 +5,7 @@\n")) << r.err;
	EXPECT_TRUE(Contains(r.err, " " + lines[4] + " " + lines[5] + " " + lines[6] +
	                                "-        2701 cpu0 L0 window        what=irq-window-off\n"
	                                "+" + lines[7] + " " + lines[8]))
	    << r.err;
	EXPECT_TRUE(Contains(r.err, "vmxsim check " + scn + " --bless")) << r.err;
	EXPECT_EQ(Read(golden), changed) << "a failed check leaves the golden alone";
	EXPECT_EQ(Read(golden + ".actual"), trace);
	EXPECT_EQ(r.out, "");
}

TEST_F(CliGolden, AShorterOrLongerGoldenFails)
{
	std::vector<std::string> lines = SplitLines(trace);
	// The golden lacks the last line.
	Write(golden, trace.substr(0, trace.size() - lines.back().size()));
	Result r = Run("check " + scn);
	EXPECT_EQ(r.status, 1) << Describe(r);
	EXPECT_TRUE(Contains(r.err, "@@ -" + std::to_string(lines.size() - 3) + ",3 +" + std::to_string(lines.size() - 3) +
	                                ",4 @@\n"))
	    << r.err;
	EXPECT_TRUE(Contains(r.err, " " + lines[lines.size() - 2] + "+" + lines.back())) << r.err;
	// The golden has one line too many.
	Write(golden, trace + "extra\n");
	r = Run("check " + scn);
	EXPECT_EQ(r.status, 1) << Describe(r);
	EXPECT_TRUE(Contains(r.err, " " + lines.back() + "-extra\n")) << r.err;
	// Only a missing final newline.
	Write(golden, trace.substr(0, trace.size() - 1));
	r = Run("check " + scn);
	EXPECT_EQ(r.status, 1) << Describe(r);
	EXPECT_TRUE(Contains(r.err, "\\ No newline at end of file\n+" + lines.back())) << r.err;
}

TEST_F(CliGolden, UpdateGoldenVariableRewrites)
{
	Write(golden, Changed(3, "changed\n"));
	Result r = Run("check " + scn, "VMXSIM_UPDATE_GOLDEN=1");
	EXPECT_EQ(r.status, 0) << Describe(r);
	EXPECT_EQ(Read(golden), trace);
	EXPECT_TRUE(Contains(r.err, golden + ": golden rewritten")) << r.err;
	r = Run("check " + scn);
	EXPECT_EQ(r.status, 0) << Describe(r);
	// VMXSIM_UPDATE_GOLDEN=0 does not rewrite.
	Write(golden, Changed(3, "changed\n"));
	r = Run("check " + scn, "VMXSIM_UPDATE_GOLDEN=0");
	EXPECT_EQ(r.status, 1) << Describe(r);
	EXPECT_EQ(Read(golden), Changed(3, "changed\n"));
}

TEST_F(CliGolden, CiRefusesToBless)
{
	const std::string changed = Changed(3, "changed\n");
	Write(golden, changed);
	for (const char *env : {"CI=true", "CI=1", "CI=yes"}) {
		Result r = Run("check " + scn + " --bless", env);
		EXPECT_EQ(r.status, 2) << env << "\n" << Describe(r);
		EXPECT_TRUE(Contains(r.err, "refusing to rewrite goldens when CI is set")) << r.err;
		EXPECT_EQ(Read(golden), changed) << env;

		r = Run("check " + scn, std::string(env) + " VMXSIM_UPDATE_GOLDEN=1");
		EXPECT_EQ(r.status, 2) << env << "\n" << Describe(r);
		EXPECT_TRUE(Contains(r.err, "refusing")) << r.err;
		EXPECT_EQ(Read(golden), changed) << env;
	}
	EXPECT_EQ(Files(), (std::set<std::string>{scn, golden})) << "a refused bless writes nothing";
}

TEST_F(CliGolden, CiRefusesToCreateAGolden)
{
	Result r = Run("check " + scn + " --bless", "CI=true");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_FALSE(Exists(golden));
}

TEST_F(CliGolden, CiStillChecks)
{
	Write(golden, trace);
	Result r = Run("check " + scn, "CI=true");
	EXPECT_EQ(r.status, 0) << Describe(r);
	Write(golden, Changed(2, "changed\n"));
	r = Run("check " + scn, "CI=true");
	EXPECT_EQ(r.status, 1) << Describe(r);
	EXPECT_TRUE(Contains(r.err, "\n-changed\n")) << r.err;
}

TEST_F(CliGolden, CiFalseOrEmptyAllowsBlessing)
{
	for (const char *env : {"CI=false", "CI=0", "CI="}) {
		Write(golden, Changed(3, "changed\n"));
		Result r = Run("check " + scn + " --bless", env);
		EXPECT_EQ(r.status, 0) << env << "\n" << Describe(r);
		EXPECT_EQ(Read(golden), trace) << env;
	}
}

TEST_F(CliGolden, ExplicitGoldenPath)
{
	Result r = Run("check " + scn + " --golden elsewhere/g.trace --bless");
	EXPECT_EQ(r.status, 0) << Describe(r);
	EXPECT_EQ(Read("elsewhere/g.trace"), trace);
	EXPECT_FALSE(Exists(golden));
	r = Run("check --golden elsewhere/g.trace " + scn);
	EXPECT_EQ(r.status, 0) << Describe(r);
}

TEST_F(CliGolden, GoldenBesideAScenarioOutsideScenarios)
{
	Write("loose/x.scn", kGood);
	Result r = Run("check loose/x.scn --bless");
	EXPECT_EQ(r.status, 0) << Describe(r);
	EXPECT_EQ(Read("loose/x.trace"), trace);
}

TEST_F(CliGolden, MatchingGoldenButFailedExpectationExitsOne)
{
	Write(scn, Replace(kGood, "deliver 32 == 1", "deliver 32 == 2"));
	Write(golden, trace);
	Result r = Run("check " + scn);
	EXPECT_EQ(r.status, 1) << Describe(r);
	EXPECT_TRUE(Contains(r.err, "a.scn:20:1: expectation failed: count deliver 32 == 2 (got 1)")) << r.err;
}

TEST_F(CliGolden, BadScenarioLeavesTheGoldenAlone)
{
	Write(golden, "golden bytes\n");
	Write(scn, Replace(kGood, "l0      plain", "l0      kvm-9999"));
	for (const char *args : {"", " --bless"}) {
		Result r = Run("check " + scn + args);
		EXPECT_EQ(r.status, 2) << args << "\n" << Describe(r);
		EXPECT_EQ(Read(golden), "golden bytes\n");
		EXPECT_EQ(Files(), (std::set<std::string>{scn, golden})) << args;
	}
}
