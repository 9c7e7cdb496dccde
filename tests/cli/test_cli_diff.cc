// SPDX-License-Identifier: Apache-2.0
// `vmxsim diff A B`: two traces compared event by event (vmxsim_diff_files).
// Events that moved within --tolerance are the same event, beyond it they
// are not; an inserted or removed event shows as + or - under the right
// hunk header; -U sets the context; `-` reads one side from standard input;
// a file that cannot be read is exit 2; colour only when asked for.
#include <gtest/gtest.h>

#include "cli/cli_scenarios.h"
#include "cli/cli_util.h"

#include <cstdio>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

using cli_scenarios::kGood;
using cli_util::Describe;
using cli_util::Result;

using cli_util::Contains;

std::vector<std::string> LinesOf(const std::string &s)
{
	std::vector<std::string> v;
	std::istringstream in(s);
	for (std::string l; std::getline(in, l);)
		v.push_back(l + "\n");
	return v;
}

std::string Join(const std::vector<std::string> &lines)
{
	std::string s;
	for (const std::string &l : lines)
		s += l;
	return s;
}

// Every event `by` cycles later: a text line's right-aligned cycle (12 columns)
// or a JSONL line's {"cycle":N.
std::string Shifted(const std::string &trace, unsigned long long by)
{
	std::string out;
	for (const std::string &l : LinesOf(trace)) {
		const std::string key = "{\"cycle\":";
		if (l.rfind(key, 0) == 0) {
			size_t end = l.find(',');
			out += key + std::to_string(std::stoull(l.substr(key.size(), end - key.size())) + by) + l.substr(end);
		} else {
			char cycle[32];
			std::snprintf(cycle, sizeof(cycle), "%12llu", std::stoull(l.substr(0, 12)) + by);
			out += cycle + l.substr(12);
		}
	}
	return out;
}

class CliDiff : public cli_util::WorkdirTest {
protected:
	std::string a;                  // a trace of kGood
	std::vector<std::string> lines; // its lines

	void SetUp() override
	{
		cli_util::WorkdirTest::SetUp();
		Write("a.scn", kGood);
		a = Run("run a.scn").out;
		lines = LinesOf(a);
		ASSERT_GT(lines.size(), 12u);
		Write("a.trace", a);
	}
};

TEST_F(CliDiff, TheSameTraceIsNoDifference)
{
	Write("b.trace", a);
	Result r = Run("diff a.trace b.trace");
	EXPECT_EQ(r.status, 0) << Describe(r);
	EXPECT_EQ(r.out, "");
	EXPECT_EQ(r.err, "");
}

TEST_F(CliDiff, EventsShiftedWithinTheToleranceAreTheSame)
{
	Write("b.trace", Shifted(a, 40));
	for (const char *args : {"--tolerance=40", "--tolerance 40", "-t 40", "-t40", "--tol=1000"}) {
		Result r = Run(std::string("diff a.trace b.trace ") + args);
		EXPECT_EQ(r.status, 0) << args << "\n" << Describe(r);
		EXPECT_EQ(r.out, "") << args;
	}
	// One cycle more than allowed, or no tolerance: every event differs.
	for (const char *args : {"--tolerance=39", ""}) {
		Result r = Run(std::string("diff a.trace b.trace ") + args);
		EXPECT_EQ(r.status, 1) << args << "\n" << Describe(r);
		EXPECT_TRUE(Contains(r.out, "-" + lines[1] )) << args << "\n" << r.out;
		EXPECT_TRUE(Contains(r.out, "+" + LinesOf(Shifted(a, 40))[1])) << args << "\n" << r.out;
	}
}

TEST_F(CliDiff, JsonlEventsShiftedWithinTheToleranceAreTheSame)
{
	const std::string j = Run("run a.scn --format jsonl").out;
	Write("a.jsonl", j);
	Write("b.jsonl", Shifted(j, 7));
	EXPECT_EQ(Run("diff --tolerance=7 a.jsonl b.jsonl").status, 0);
	EXPECT_EQ(Run("diff --tolerance=6 a.jsonl b.jsonl").status, 1);
}

TEST_F(CliDiff, AnInsertedEventIsAnAddedLineUnderItsHunk)
{
	std::vector<std::string> b = lines;
	const std::string extra = "        2222 cpu0 L0 window        what=extra\n";
	b.insert(b.begin() + 5, extra);   // after line 5: line 6 of B
	Write("b.trace", Join(b));
	Result r = Run("diff a.trace b.trace");
	EXPECT_EQ(r.status, 1) << Describe(r);
	EXPECT_EQ(r.out, "--- a.trace\n+++ b.trace\n@@ -3,6 +3,7 @@\n " + lines[2] + " " + lines[3] + " " + lines[4] + "+" +
	                     extra + " " + lines[5] + " " + lines[6] + " " + lines[7]);
	EXPECT_EQ(r.err, "");
}

TEST_F(CliDiff, ARemovedEventIsARemovedLineUnderItsHunk)
{
	std::vector<std::string> b = lines;
	b.erase(b.begin() + 5);   // line 6 of A
	Write("b.trace", Join(b));
	Result r = Run("diff a.trace b.trace");
	EXPECT_EQ(r.status, 1) << Describe(r);
	EXPECT_EQ(r.out, "--- a.trace\n+++ b.trace\n@@ -3,7 +3,6 @@\n " + lines[2] + " " + lines[3] + " " + lines[4] + "-" +
	                     lines[5] + " " + lines[6] + " " + lines[7] + " " + lines[8]);

	for (const char *args : {"-U 1", "-U1", "--context=1", "--context 1"}) {
		r = Run(std::string("diff a.trace b.trace ") + args);
		EXPECT_EQ(r.status, 1) << args;
		EXPECT_EQ(r.out, "--- a.trace\n+++ b.trace\n@@ -5,3 +5,2 @@\n " + lines[4] + "-" + lines[5] + " " + lines[6])
		    << args;
	}
}

TEST_F(CliDiff, AMovedEventUnderATolerance)
{
	// Everything shifted by 3, and one event gone: under --tolerance=3 only the missing event shows.
	std::vector<std::string> b = LinesOf(Shifted(a, 3));
	b.erase(b.begin() + 9);
	Write("b.trace", Join(b));
	Result r = Run("diff -t 3 -U 0 a.trace b.trace");
	EXPECT_EQ(r.status, 1) << Describe(r);
	EXPECT_EQ(r.out, "--- a.trace\n+++ b.trace\n@@ -10 +9,0 @@\n-" + lines[9]);
}

TEST_F(CliDiff, DashIsStandardInput)
{
	std::vector<std::string> b = lines;
	b.erase(b.begin() + 5);
	Write("b.trace", Join(b));
	std::string expected = Run("diff a.trace b.trace").out;
	expected.replace(expected.find("+++ b.trace"), 11, "+++ -");
	Result r = RunStdin(Join(b), "diff a.trace -");
	EXPECT_EQ(r.status, 1) << Describe(r);
	EXPECT_EQ(r.out, expected);
	r = RunStdin(a, "diff - a.trace");
	EXPECT_EQ(r.status, 0) << Describe(r);
}

TEST_F(CliDiff, AMissingFileIsTrouble)
{
	for (const char *args : {"a.trace nowhere.trace", "nowhere.trace a.trace"}) {
		Result r = Run(std::string("diff ") + args);
		EXPECT_EQ(r.status, 2) << args << "\n" << Describe(r);
		EXPECT_EQ(r.err.rfind("nowhere.trace: cannot open: ", 0), 0u) << args << "\n" << r.err;
		EXPECT_EQ(r.out, "") << args;
	}
	Result r = Run("diff . a.trace");
	EXPECT_EQ(r.status, 2) << "a folder is not a trace\n" << Describe(r);
}

TEST_F(CliDiff, ColourOnlyWhenAskedFor)
{
	std::vector<std::string> b = lines;
	b.erase(b.begin() + 5);
	b.insert(b.begin() + 8, "        9999 cpu0 L0 window        what=extra\n");
	Write("b.trace", Join(b));
	Result plain = Run("diff a.trace b.trace");
	EXPECT_EQ(plain.status, 1);
	EXPECT_FALSE(Contains(plain.out, "\033[")) << plain.out;
	Result r = Run("diff --color=always a.trace b.trace");
	EXPECT_EQ(r.status, 1) << Describe(r);
	EXPECT_TRUE(Contains(r.out, "\033[31m-" + lines[5].substr(0, lines[5].size() - 1) + "\033[0m\n")) << r.out;
	EXPECT_TRUE(Contains(r.out, "\033[32m+        9999 cpu0 L0 window        what=extra\033[0m\n")) << r.out;
	// Without the escapes it is the plain diff.
	EXPECT_EQ(std::regex_replace(r.out, std::regex("\033\\[[0-9;]*m"), ""), plain.out);
	EXPECT_EQ(Run("diff a.trace b.trace", "NO_COLOR=1 CLICOLOR_FORCE=1").out, plain.out);
	EXPECT_EQ(Run("diff a.trace b.trace", "CLICOLOR_FORCE=1").out, r.out);
}

}  // namespace
