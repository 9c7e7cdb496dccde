// SPDX-License-Identifier: Apache-2.0
// How the commands print for the place they print to: colour of verdicts and
// outcomes (--color, NO_COLOR, CLICOLOR_FORCE; never into a file unless asked),
// list's summaries cut to the width (COLUMNS off a terminal, --width), and
// explore's default number of jobs (every online CPU), which must not change
// its report.
#include <gtest/gtest.h>

#include "cli/cli_scenarios.h"
#include "cli/cli_util.h"
#include "cli/explore_fixture.h"

#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using cli_scenarios::kGood;
using cli_scenarios::kNmi;
using cli_util::Describe;
using cli_util::Result;

using cli_util::Contains;

std::vector<std::string> Lines(const std::string &s)
{
	std::vector<std::string> v;
	std::istringstream in(s);
	for (std::string l; std::getline(in, l);)
		v.push_back(l);
	return v;
}

// Columns a line takes: its UTF-8 characters.
size_t Columns(const std::string &s)
{
	size_t n = 0;
	for (unsigned char c : s)
		n += (c & 0xC0) != 0x80;
	return n;
}

std::string Failing(const std::string &scn)
{
	std::string s = scn;
	s.replace(s.find("deliver 32 == 1"), 15, "deliver 32 == 2");
	return s;
}

const std::string kRed = "\033[31m", kGreen = "\033[32m", kReset = "\033[0m";

class CliOutput : public cli_util::WorkdirTest {};

// ---- colour ------------------------------------------------------------------

TEST_F(CliOutput, RunColoursFailedExpectationsOnlyWhenAskedFor)
{
	Write("f.scn", Failing(kGood));
	const std::string plain = "f.scn:20:1: expectation failed: count deliver 32 == 2 (got 1)\n",
	                  coloured = "f.scn:20:1: \033[1;31mexpectation failed\033[0m: count deliver 32 == 2 (got 1)\n";
	const std::pair<std::string, std::string> cases[] = {
	    {"", plain},                                           // a file is not a terminal
	    {"--color=auto", plain},
	    {"--color=never", plain},
	    {"--color=always", coloured},
	    {"--color always", coloured},
	    {"--color", coloured},
	};
	for (const auto &c : cases) {
		Result r = Run("run f.scn -o /dev/null " + c.first);
		EXPECT_EQ(r.status, 1) << c.first << "\n" << Describe(r);
		EXPECT_EQ(r.err, c.second) << c.first;
	}
	EXPECT_EQ(Run("run f.scn -o /dev/null", "CLICOLOR_FORCE=1").err, coloured);
	EXPECT_EQ(Run("run f.scn -o /dev/null", "CLICOLOR_FORCE=1 NO_COLOR=1").err, plain) << "NO_COLOR wins over auto";
	EXPECT_EQ(Run("run f.scn -o /dev/null --color=always", "NO_COLOR=1").err, coloured) << "the flag wins";
	EXPECT_EQ(Run("run f.scn -o /dev/null --color=never", "CLICOLOR_FORCE=1").err, plain);
	// The trace itself is never coloured.
	EXPECT_EQ(Run("run f.scn --color=always").out, Run("run f.scn").out);
}

TEST_F(CliOutput, SuiteColoursOutcomesAndGoldens)
{
	Write("scenarios/a.scn", kGood);
	Write("scenarios/b.scn", Failing(kGood));
	Write("scenarios/nmi.scn", kNmi);
	ASSERT_EQ(Run("check scenarios/a.scn --bless").status, 0);
	ASSERT_EQ(Run("check scenarios/nmi.scn --bless").status, 0);
	Write("traces/nmi.trace", "something else\n");

	Result plain = Run("suite scenarios --out out");
	EXPECT_EQ(plain.status, 1) << Describe(plain);
	EXPECT_FALSE(Contains(plain.out, "\033[")) << plain.out;
	EXPECT_FALSE(Contains(plain.err, "\033[")) << plain.err;

	Result r = Run("suite scenarios --out out --color=always");
	EXPECT_EQ(r.status, 1) << Describe(r);
	EXPECT_TRUE(Contains(r.out, "\na.scn" + std::string(35, ' ') + " " + kGreen + "held" + kReset + "       " + kGreen +
	                                "same" + kReset + "    "))
	    << r.out;
	EXPECT_TRUE(std::regex_search(r.out, std::regex("\nb\\.scn +\033\\[31mVIOLATED\033\\[0m +none "))) << r.out;
	EXPECT_TRUE(std::regex_search(r.out, std::regex("\nnmi\\.scn +\033\\[32mheld\033\\[0m +\033\\[31mDIFFERS\033\\[0m ")))
	    << r.out;
	EXPECT_TRUE(Contains(r.err, kRed + "-something else" + kReset)) << r.err;
	// Colour aside, the same table: the columns stay aligned.
	EXPECT_EQ(std::regex_replace(r.out, std::regex("\033\\[[0-9;]*m"), ""), plain.out);
	EXPECT_EQ(Run("suite scenarios --out out", "CLICOLOR_FORCE=1").out, r.out);
	EXPECT_EQ(Run("suite scenarios --out out", "CLICOLOR_FORCE=1 NO_COLOR=1").out, plain.out);
}

TEST_F(CliOutput, ListColoursScenariosThatDoNotParse)
{
	Write("lib/a.scn", kGood);
	Write("lib/bad.scn", "# broken\nvcpus x\n");
	Result r = Run("list lib --color=always");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_TRUE(Contains(r.out, kRed + "(does not parse)" + kReset + "\n")) << r.out;
	EXPECT_FALSE(Contains(Run("list lib").out, "\033[")) << "not into a file";
}

// ---- list: the width ------------------------------------------------------------

class ListWidth : public CliOutput {
protected:
	void SetUp() override
	{
		CliOutput::SetUp();
		Write("lib/a.scn", kGood);   // a long summary
		Write("lib/nmi.scn", kNmi);
		Write("lib/short.scn", "# s: short.\ncpu nehalem\nl0 plain\nguest L1\nmain: work 10\n  jmp main\nrun 100\n");
	}
};

TEST_F(ListWidth, NoWidthNoCut)
{
	Result r = Run("list lib");
	EXPECT_EQ(r.status, 0) << Describe(r);
	EXPECT_TRUE(Contains(r.out, "lib/a.scn     intr-window: the guest runs with interrupts off; a device interrupt "
	                            "waits for the interrupt window.\n"))
	    << "the path column is as wide as the longest path\n" << r.out;
	EXPECT_EQ(Run("list lib --width=0", "COLUMNS=40").out, r.out) << "--width=0: never cut";
}

TEST_F(ListWidth, ColumnsCutsSummariesWithAnEllipsis)
{
	for (const char *locale : {"LC_ALL=C", "LC_ALL=C.UTF-8"}) {
		const bool utf8 = Contains(locale, "UTF-8");
		Result r = Run("list lib", std::string("COLUMNS=40 ") + locale);
		EXPECT_EQ(r.status, 0) << Describe(r);
		const std::vector<std::string> lines = Lines(r.out);
		ASSERT_EQ(lines.size(), 3u) << r.out;
		for (const std::string &l : lines)
			EXPECT_LE(Columns(l), 40u) << locale << ": " << l;
		// 14 columns of path and blanks, 26 left: the summary's first 23 and "...", or 25 and "…".
		EXPECT_EQ(lines[0], utf8 ? "lib/a.scn     intr-window: the guest ru\xe2\x80\xa6"
		                         : "lib/a.scn     intr-window: the guest ...")
		    << locale;
		EXPECT_EQ(Columns(lines[0]), 40u) << locale << ": a cut line fills the width";
		EXPECT_EQ(lines[2], "lib/short.scn s: short.") << "a summary that fits is whole";
	}
	// The same through --width, whatever COLUMNS says.
	EXPECT_EQ(Run("list lib --width 40", "LC_ALL=C COLUMNS=100").out, Run("list lib", "LC_ALL=C COLUMNS=40").out);
	EXPECT_EQ(Run("list lib -w40", "LC_ALL=C").out, Run("list lib", "LC_ALL=C COLUMNS=40").out);
}

TEST_F(ListWidth, ATinyWidthKeepsThePaths)
{
	Result r = Run("list lib", "LC_ALL=C COLUMNS=10");
	EXPECT_EQ(r.status, 0) << Describe(r);
	const std::vector<std::string> lines = Lines(r.out);
	ASSERT_EQ(lines.size(), 3u) << r.out;
	EXPECT_EQ(lines[0].rfind("lib/a.scn", 0), 0u) << "paths are never cut: they are what the list is for";
	EXPECT_EQ(lines[2].rfind("lib/short.scn", 0), 0u);
	// A bad COLUMNS is no width.
	EXPECT_EQ(Run("list lib", "COLUMNS=wide").out, Run("list lib").out);
}

// ---- explore: jobs --------------------------------------------------------------

TEST_F(CliOutput, ExploreUsesEveryCpuByDefaultAndTheReportDoesNotDependOnIt)
{
	Write("two.scn", explore_test::kTwoKinds);
	Result dflt = Run("explore two.scn --no-repro");
	EXPECT_EQ(dflt.status, 1) << Describe(dflt);
	EXPECT_EQ(dflt.err, "");
	for (const char *jobs : {"--jobs 1", "--jobs=3", "-j2", "-j 256"}) {
		Result r = Run(std::string("explore two.scn --no-repro ") + jobs);
		EXPECT_EQ(r.status, dflt.status) << jobs << "\n" << Describe(r);
		EXPECT_EQ(r.out, dflt.out) << jobs;
	}
	EXPECT_TRUE(Contains(Run("explore --help").out, "default: one per online CPU"));
}

}  // namespace
