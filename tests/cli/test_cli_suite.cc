// SPDX-License-Identifier: Apache-2.0
// `vmxsim suite` and `vmxsim list` on directories of scenarios: the table
// and its summary, goldens beside the scenarios, failed expectations and
// scenarios that do not parse, a missing directory, and the shipped library.
#include <gtest/gtest.h>

#include "cli/cli_scenarios.h"
#include "cli/cli_util.h"

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#ifndef VMXSIM_SOURCE_DIR
#error "VMXSIM_SOURCE_DIR must be defined"
#endif

namespace {

namespace fs = std::filesystem;

using cli_scenarios::kGood;
using cli_scenarios::kNmi;
using cli_util::Contains;
using cli_util::Describe;
using cli_util::Quote;
using cli_util::Replace;
using cli_util::Result;
using cli_util::SplitLines;

class CliSuite : public cli_util::WorkdirTest {};

}  // namespace

TEST_F(CliSuite, SuitePrintsATableAndASummary)
{
	Write("lib/a.scn", kGood);
	Write("lib/sub/nmi.scn", kNmi);
	Write("lib/README", "not a scenario\n");
	Result r = Run("suite lib --out out");
	EXPECT_EQ(r.status, 0) << Describe(r);
	std::vector<std::string> lines = SplitLines(r.out);
	ASSERT_EQ(lines.size(), 5u) << r.out;
	EXPECT_TRUE(std::regex_match(lines[0], std::regex("scenario +outcome +golden +exits +inject +verdict +trace\n")))
	    << lines[0];
	EXPECT_TRUE(std::regex_match(lines[1], std::regex("a\\.scn +held +none +3 +1 +0 +out/a\\.trace\n"))) << lines[1];
	EXPECT_TRUE(std::regex_match(lines[2], std::regex("sub/nmi\\.scn +held +none +[0-9]+ +[0-9]+ +0 +out/sub/nmi\\.trace\n")))
	    << lines[2];
	EXPECT_EQ(lines[3], "\n");
	EXPECT_EQ(lines[4], "2 scenarios: 2 held, 0 violated or differ, 0 bad input\n");
	EXPECT_EQ(Read("out/a.trace"), Run("run lib/a.scn").out);
	EXPECT_EQ(Read("out/sub/nmi.trace"), Run("run lib/sub/nmi.scn").out);
}

TEST_F(CliSuite, SuiteComparesWithGoldens)
{
	Write("scenarios/a.scn", kGood);
	Write("scenarios/nmi.scn", kNmi);
	ASSERT_EQ(Run("check scenarios/a.scn --bless").status, 0);
	ASSERT_EQ(Run("check scenarios/nmi.scn --bless").status, 0);
	Result r = Run("suite scenarios --out out");
	EXPECT_EQ(r.status, 0) << Describe(r);
	EXPECT_TRUE(std::regex_search(r.out, std::regex("\na\\.scn +held +same "))) << r.out;
	EXPECT_TRUE(std::regex_search(r.out, std::regex("\nnmi\\.scn +held +same "))) << r.out;

	// A golden that differs fails the suite; the row says so.
	Write("traces/nmi.trace", "something else\n");
	r = Run("suite scenarios --out out");
	EXPECT_EQ(r.status, 1) << Describe(r);
	EXPECT_TRUE(std::regex_search(r.out, std::regex("\nnmi\\.scn +[a-zA-Z]+ +DIFFERS "))) << r.out;
	EXPECT_TRUE(Contains(r.out, "2 scenarios: 1 held, 1 violated or differ, 0 bad input\n")) << r.out;
	EXPECT_TRUE(Contains(r.err, "--- traces/nmi.trace\n+++ traces/nmi.trace (this run)\n@@ -1 +1,")) << r.err;
	EXPECT_TRUE(Contains(r.err, "\n-something else\n")) << r.err;
}

TEST_F(CliSuite, SuiteRowOutcomeIsAboutExpectations)
{
	// Expectations hold, only the golden differs: the outcome column says held.
	Write("scenarios/nmi.scn", kNmi);
	Write("traces/nmi.trace", "something else\n");
	Result r = Run("suite scenarios --out out");
	EXPECT_EQ(r.status, 1) << Describe(r);
	EXPECT_TRUE(std::regex_search(r.out, std::regex("\nnmi\\.scn +held +DIFFERS "))) << r.out;
}

TEST_F(CliSuite, SuiteWithAFailedExpectation)
{
	Write("lib/a.scn", kGood);
	Write("lib/b.scn", Replace(kGood, "deliver 32 == 1", "deliver 32 == 2"));
	Result r = Run("suite lib --out out");
	EXPECT_EQ(r.status, 1) << Describe(r);
	EXPECT_TRUE(std::regex_search(r.out, std::regex("\na\\.scn +held "))) << r.out;
	EXPECT_TRUE(std::regex_search(r.out, std::regex("\nb\\.scn +VIOLATED "))) << r.out;
	EXPECT_TRUE(Contains(r.out, "2 scenarios: 1 held, 1 violated or differ, 0 bad input\n")) << r.out;
	EXPECT_TRUE(Contains(r.err, "lib/b.scn:20:1: expectation failed: count deliver 32 == 2 (got 1)")) << r.err;
	EXPECT_TRUE(Exists("out/b.trace")) << "a violated scenario's trace is still written";
}

TEST_F(CliSuite, SuiteWithABadScenario)
{
	Write("lib/a.scn", kGood);
	Write("lib/bad.scn", Replace(kGood, "vcpus   1", "vcpus   x"));
	Write("lib/badl0.scn", Replace(kGood, "l0      plain", "l0      kvm-9999"));
	Result r = Run("suite lib --out out");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_TRUE(std::regex_search(r.out, std::regex("\nbad\\.scn +bad-input"))) << r.out;
	EXPECT_TRUE(std::regex_search(r.out, std::regex("\nbadl0\\.scn +bad-input"))) << r.out;
	EXPECT_TRUE(Contains(r.out, "3 scenarios: 1 held, 0 violated or differ, 2 bad input\n")) << r.out;
	EXPECT_TRUE(Contains(r.err, "lib/bad.scn:5:9: ")) << r.err;
	EXPECT_TRUE(Contains(r.err, "lib/badl0.scn:4:9: ")) << r.err;
	for (const std::string &f : Files())
		EXPECT_TRUE(f == "out/a.trace" || f.rfind("lib/", 0) == 0) << "left " << f;
}

TEST_F(CliSuite, SuiteOfAMissingDirectory)
{
	Result r = Run("suite nowhere --out out");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_TRUE(Contains(r.err, "nowhere")) << r.err;
}

TEST_F(CliSuite, ListPrintsEachScenarioWithItsSummary)
{
	Write("lib/b.scn", kNmi);
	Write("lib/a.scn", kGood);
	Write("lib/deep/er/c.scn", Replace(kNmi, "# nmi: an NMI", "# c: an NMI"));
	Write("lib/notes.txt", "# not a scenario\n");
	Result r = Run("list lib");
	EXPECT_EQ(r.status, 0) << Describe(r);
	std::vector<std::string> lines = SplitLines(r.out);
	ASSERT_EQ(lines.size(), 3u) << r.out;
	EXPECT_TRUE(std::regex_match(lines[0], std::regex("lib/a\\.scn +intr-window: the guest runs with interrupts off; "
	                                                  "a device interrupt waits for the interrupt window\\.\n")))
	    << lines[0];
	EXPECT_TRUE(std::regex_match(lines[1], std::regex("lib/b\\.scn +nmi: an NMI for the guest is injected at the next "
	                                                  "entry\\.\n")))
	    << lines[1];
	EXPECT_TRUE(std::regex_match(lines[2], std::regex("lib/deep/er/c\\.scn +c: an NMI .*\n"))) << lines[2];
}

TEST_F(CliSuite, ListMarksScenariosThatDoNotParse)
{
	Write("lib/a.scn", kGood);
	Write("lib/bad.scn", "# broken\nvcpus x\n");
	Result r = Run("list lib");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_TRUE(std::regex_search(r.out, std::regex("lib/bad\\.scn +\\(does not parse\\)"))) << r.out;
	EXPECT_TRUE(std::regex_search(r.out, std::regex("lib/a\\.scn +intr-window:"))) << r.out;
}

TEST_F(CliSuite, ListOfTheShippedLibrary)
{
	const fs::path lib = fs::path(VMXSIM_SOURCE_DIR) / "scenarios";
	if (!fs::exists(lib))
		GTEST_SKIP() << "no shipped scenarios";
	size_t files = 0;
	for (const auto &e : fs::recursive_directory_iterator(lib))
		files += e.path().extension() == ".scn";
	Result r = Run("list " + Quote(lib.string()));
	EXPECT_EQ(r.status, 0) << Describe(r);
	std::vector<std::string> lines = SplitLines(r.out);
	EXPECT_EQ(lines.size(), files);
	for (const std::string &l : lines)
		EXPECT_TRUE(std::regex_match(l, std::regex("\\S+\\.scn +[a-z0-9-]+: .+\n")))
		    << "every shipped scenario opens with a summary: " << l;
}
