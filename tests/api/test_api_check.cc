/* SPDX-License-Identifier: Apache-2.0 */
// Goldens and diffs through the public API: where a golden is, what a
// check does with it, and the trace-aware diff (checked against a diff
// applied back, on random inputs).
#include <unistd.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "api_util.h"

using namespace api_util;
namespace fs = std::filesystem;

namespace {

std::string GoldenOf(const std::string &scn)
{
	char out[4096];
	if (!vmxsim_golden_path(scn.c_str(), out, sizeof(out)))
		return "(none)";
	return out;
}

TEST_F(Scratch, TheGoldenIsFoundFromWhereTheScenarioLies)
{
	WriteFile("proj/scenarios/hw/a.scn", NmiWindow(kTwoNmis));
	WriteFile("loose/b.scn", NmiWindow(kTwoNmis));
	EXPECT_EQ(GoldenOf("proj/scenarios/hw/a.scn"), "proj/traces/hw/a.trace");
	// However the path is spelt.
	EXPECT_EQ(GoldenOf("proj/scenarios/../scenarios/./hw/a.scn"), "proj/traces/hw/a.trace");
	EXPECT_EQ(GoldenOf((dir / "proj/scenarios/hw/a.scn").string()), "proj/traces/hw/a.trace");
	fs::current_path("proj/scenarios/hw");
	EXPECT_EQ(GoldenOf("a.scn"), (dir / "proj/traces/hw/a.trace").string())
	    << "from inside the scenarios folder the golden is still the project's";
	fs::current_path(dir / "proj");
	EXPECT_EQ(GoldenOf("scenarios/hw/a.scn"), "traces/hw/a.trace");
	fs::current_path(dir);
	// Through a link from elsewhere: where the file really is.
	fs::create_directory_symlink(dir / "proj/scenarios/hw", "link");
	EXPECT_EQ(GoldenOf("link/a.scn"), "proj/traces/hw/a.trace");
	// Outside any scenarios folder: beside it.
	EXPECT_EQ(GoldenOf("loose/b.scn"), "loose/b.trace");
	// The nearest scenarios folder wins.
	WriteFile("proj/scenarios/x/scenarios/c.scn", NmiWindow(kTwoNmis));
	EXPECT_EQ(GoldenOf("proj/scenarios/x/scenarios/c.scn"), "proj/scenarios/x/traces/c.trace");
	// A file that is not there has no golden; nor does a name too long for the buffer.
	EXPECT_EQ(GoldenOf("proj/scenarios/hw/none.scn"), "(none)");
	char tiny[8];
	EXPECT_FALSE(vmxsim_golden_path("proj/scenarios/hw/a.scn", tiny, sizeof(tiny)));
}

class ApiCheck : public Scratch {
protected:
	vmxsim_scenario *s = nullptr;
	std::FILE *diag = nullptr;
	vmxsim_check_options co{};
	vmxsim_check_result res{};

	void SetUp() override
	{
		Scratch::SetUp();
		WriteFile("scenarios/a.scn", NmiWindow(kTwoNmis));
		vmxsim_error err{};
		s = vmxsim_scenario_load("scenarios/a.scn", &err);
		ASSERT_NE(s, nullptr) << err.text;
		diag = std::tmpfile();
		co.diag = diag;
		co.diff.context = 3;
	}
	void TearDown() override
	{
		vmxsim_scenario_free(s);
		std::fclose(diag);
		Scratch::TearDown();
	}
};

TEST_F(ApiCheck, MissingThenBlessedThenSameThenChanged)
{
	EXPECT_EQ(vmxsim_check(s, &co, &res), VMXSIM_FAILED);
	EXPECT_EQ(res.golden, VMXSIM_GOLDEN_MISSING);
	EXPECT_EQ(res.run.status, VMXSIM_OK) << "the expectations held; only the golden is missing";
	EXPECT_STREQ(res.golden_path, "traces/a.trace");
	EXPECT_STREQ(res.actual_path, "traces/a.trace.actual");
	EXPECT_FALSE(fs::exists("traces/a.trace"));
	const std::string trace = ReadFile("traces/a.trace.actual");
	EXPECT_NE(Contents(diag).find("traces/a.trace: no golden yet"), std::string::npos);

	co.bless = true;
	EXPECT_EQ(vmxsim_check(s, &co, &res), VMXSIM_OK);
	EXPECT_EQ(res.golden, VMXSIM_GOLDEN_WRITTEN);
	EXPECT_EQ(ReadFile("traces/a.trace"), trace);
	EXPECT_FALSE(fs::exists("traces/a.trace.actual")) << "blessing leaves no stale .actual";

	co.bless = false;
	EXPECT_EQ(vmxsim_check(s, &co, &res), VMXSIM_OK);
	EXPECT_EQ(res.golden, VMXSIM_GOLDEN_SAME);
	EXPECT_STREQ(res.actual_path, "");

	WriteFile("traces/a.trace", "           0 cpu0 L1 vmentry       insn=vmlaunch rip=0x1001\n" +
	                                trace.substr(trace.find('\n') + 1));
	std::rewind(diag);
	EXPECT_EQ(vmxsim_check(s, &co, &res), VMXSIM_FAILED);
	EXPECT_EQ(res.golden, VMXSIM_GOLDEN_DIFFERS);
	const std::string msg = Contents(diag);
	EXPECT_NE(msg.find("--- traces/a.trace\n+++ traces/a.trace (this run)\n@@ -1,4 +1,4 @@\n"
	                   "-           0 cpu0 L1 vmentry       insn=vmlaunch rip=0x1001\n"
	                   "+           0 cpu0 L1 vmentry       insn=vmlaunch rip=0x1000\n"),
	          std::string::npos)
	    << msg;
	EXPECT_EQ(ReadFile("traces/a.trace.actual"), trace);
}

TEST_F(ApiCheck, KeepAndAnExplicitGolden)
{
	co.golden = "mine.trace";
	co.keep = "kept.trace";
	co.no_diff = true;
	EXPECT_EQ(vmxsim_check(s, &co, &res), VMXSIM_FAILED);
	EXPECT_EQ(res.golden, VMXSIM_GOLDEN_MISSING);
	EXPECT_STREQ(res.golden_path, "mine.trace");
	EXPECT_STREQ(res.actual_path, "kept.trace");
	EXPECT_FALSE(fs::exists("mine.trace.actual")) << "with keep, nothing else is written";
	EXPECT_EQ(Contents(diag), "") << "no_diff: quiet about how";
	fs::copy_file("kept.trace", "mine.trace");
	EXPECT_EQ(vmxsim_check(s, &co, &res), VMXSIM_OK);
	EXPECT_TRUE(fs::exists("kept.trace")) << "keep writes the trace whatever the verdict";
}

TEST_F(ApiCheck, ReferenceSteppingGivesTheSameGolden)
{
	co.bless = true;
	ASSERT_EQ(vmxsim_check(s, &co, &res), VMXSIM_OK);
	co.bless = false;
	co.reference = true;
	EXPECT_EQ(vmxsim_check(s, &co, &res), VMXSIM_OK);
	EXPECT_EQ(res.golden, VMXSIM_GOLDEN_SAME);
}

TEST(ApiCheckEnv, CiForbidsBlessingUnlessEmptyZeroOrFalse)
{
	const char *old = std::getenv("CI");
	std::string saved = old ? old : "";
	struct {
		const char *value;
		bool forbids;
	} cases[] = {{"true", true}, {"1", true}, {"yes", true}, {"", false}, {"0", false}, {"false", false}};
	for (const auto &c : cases) {
		setenv("CI", c.value, 1);
		EXPECT_EQ(vmxsim_ci_forbids_bless(), c.forbids) << "CI=" << c.value;
	}
	unsetenv("CI");
	EXPECT_FALSE(vmxsim_ci_forbids_bless());
	if (old)
		setenv("CI", saved.c_str(), 1);
}

// ---- the diff ----

std::string Diff(const std::string &a, const std::string &b, unsigned context = 3, uint64_t tol = 0,
                 int *status = nullptr)
{
	WriteFile("a.t", a);
	WriteFile("b.t", b);
	std::FILE *out = std::tmpfile();
	vmxsim_diff_options o{};
	o.context = context;
	o.cycle_tolerance = tol;
	int st = vmxsim_diff_files("a.t", "b.t", &o, out, stderr);
	if (status)
		*status = st;
	std::string s = Contents(out);
	std::fclose(out);
	return s;
}

const std::string kA = "        1000 cpu0 L0 inject        type=nmi vector=2\n"
                       "        1050 cpu0 L1 vmentry       insn=vmresume\n"
                       "        2000 cpu0 L1 deliver       vector=2\n";

TEST_F(Scratch, DiffOfEqualFilesIsEmpty)
{
	int st = -1;
	EXPECT_EQ(Diff(kA, kA, 3, 0, &st), "");
	EXPECT_EQ(st, 0);
	EXPECT_EQ(Diff("", "", 3, 0, &st), "");
	EXPECT_EQ(st, 0);
}

TEST_F(Scratch, DiffToleratesShiftedCyclesOnlyWithinTheTolerance)
{
	const std::string shifted = "        1003 cpu0 L0 inject        type=nmi vector=2\n"
	                            "        1050 cpu0 L1 vmentry       insn=vmresume\n"
	                            "        1995 cpu0 L1 deliver       vector=2\n";
	int st = -1;
	Diff(kA, shifted, 3, 5, &st);
	EXPECT_EQ(st, 0);
	Diff(kA, shifted, 3, 4, &st);
	EXPECT_EQ(st, 1) << "2000 vs 1995 is 5 cycles";
	Diff(kA, shifted, 3, 0, &st);
	EXPECT_EQ(st, 1);
	// A field that changed is a difference at any tolerance.
	std::string other = kA;
	other.replace(other.find("vector=2\n"), 9, "vector=3\n");
	Diff(kA, other, 3, 1000000, &st);
	EXPECT_EQ(st, 1);
	// JSONL events too.
	Diff("{\"cycle\":100,\"cpu\":0,\"event\":\"x\"}\n", "{\"cycle\":102,\"cpu\":0,\"event\":\"x\"}\n", 3, 2, &st);
	EXPECT_EQ(st, 0);
	// A line that is not an event compares as text.
	Diff("# 100 cycles\n", "# 101 cycles\n", 3, 1000, &st);
	EXPECT_EQ(st, 1);
}

TEST_F(Scratch, DiffShowsAnInsertedEventAsOneHunk)
{
	const std::string b = "        1000 cpu0 L0 inject        type=nmi vector=2\n"
	                      "        1050 cpu0 L1 vmentry       insn=vmresume\n"
	                      "        1500 cpu0 L1 vmexit        reason=NMI_WINDOW\n"
	                      "        2000 cpu0 L1 deliver       vector=2\n";
	EXPECT_EQ(Diff(kA, b, 1), "--- a.t\n+++ b.t\n@@ -2,2 +2,3 @@\n"
	                          "         1050 cpu0 L1 vmentry       insn=vmresume\n"
	                          "+        1500 cpu0 L1 vmexit        reason=NMI_WINDOW\n"
	                          "         2000 cpu0 L1 deliver       vector=2\n");
	EXPECT_EQ(Diff(kA, "", 0), "--- a.t\n+++ b.t\n@@ -1,3 +0,0 @@\n-" + kA.substr(0, kA.find('\n') + 1) +
	                               "-" + kA.substr(kA.find('\n') + 1, kA.rfind("        2000") - kA.find('\n') - 1) +
	                               "-        2000 cpu0 L1 deliver       vector=2\n");
}

TEST_F(Scratch, DiffSaysWhenTheLastNewlineIsMissing)
{
	int st = -1;
	std::string d = Diff("x\ny\n", "x\ny", 3, 0, &st);
	EXPECT_EQ(st, 1);
	EXPECT_EQ(d, "--- a.t\n+++ b.t\n@@ -1,2 +1,2 @@\n x\n-y\n+y\n\\ No newline at end of file\n");
	EXPECT_EQ(Diff("x\ny\n", "x\ny", 0), "--- a.t\n+++ b.t\n@@ -2 +2 @@\n-y\n+y\n\\ No newline at end of file\n");
}

TEST_F(Scratch, DiffOfAMissingFileIsTroubleNotADifference)
{
	std::FILE *out = std::tmpfile(), *diag = std::tmpfile();
	EXPECT_EQ(vmxsim_diff_files("none.a", "none.b", nullptr, out, diag), 2);
	EXPECT_EQ(Contents(out), "");
	EXPECT_NE(Contents(diag).find("none.a: cannot open: "), std::string::npos);
	std::fclose(out);
	std::fclose(diag);
}

TEST_F(Scratch, DiffColoursOnlyWhenAsked)
{
	vmxsim_diff_options o{};
	WriteFile("a.t", "x\n");
	WriteFile("b.t", "y\n");
	std::FILE *out = std::tmpfile();
	o.color = true;
	EXPECT_EQ(vmxsim_diff_files("a.t", "b.t", &o, out, stderr), 1);
	const std::string s = Contents(out);
	EXPECT_NE(s.find("\033[31m-x\033[0m\n"), std::string::npos) << s;
	EXPECT_NE(s.find("\033[32m+y\033[0m\n"), std::string::npos) << s;
	std::fclose(out);
	EXPECT_EQ(Diff("x\n", "y\n").find('\033'), std::string::npos);
}

// Apply a unified diff printed by the library to the lines of a; the result must be b.
std::vector<std::string> Apply(const std::vector<std::string> &a, const std::string &diff)
{
	std::vector<std::string> out;
	std::istringstream in(diff);
	std::string line;
	size_t ai = 0;

	std::getline(in, line);   // ---
	std::getline(in, line);   // +++
	while (std::getline(in, line)) {
		if (line.rfind("@@ -", 0) == 0) {
			size_t start = std::stoul(line.substr(4));
			size_t len = line.find(',') != std::string::npos && line.find(',') < line.find(' ', 4)
			                 ? std::stoul(line.substr(line.find(',') + 1))
			                 : 1;
			size_t first = len ? start - 1 : start;   // 0-based first line of the hunk
			while (ai < first)
				out.push_back(a[ai++]);
			continue;
		}
		if (line[0] == ' ') {
			EXPECT_EQ(line.substr(1), a[ai]);
			out.push_back(a[ai++]);
		} else if (line[0] == '-') {
			EXPECT_EQ(line.substr(1), a[ai]);
			ai++;
		} else if (line[0] == '+') {
			out.push_back(line.substr(1));
		}
	}
	while (ai < a.size())
		out.push_back(a[ai++]);
	return out;
}

std::string Join(const std::vector<std::string> &v)
{
	std::string s;
	for (const std::string &l : v)
		s += l + "\n";
	return s;
}

TEST_F(Scratch, DiffAppliedToTheFirstFileGivesTheSecondOnRandomInputs)
{
	std::mt19937 rng(20261206);
	for (int round = 0; round < 400; round++) {
		std::vector<std::string> a, b;
		int na = int(rng() % 30), nb = int(rng() % 30);
		for (int i = 0; i < na; i++)
			a.push_back("l" + std::to_string(rng() % 6));
		for (int i = 0; i < nb; i++)
			b.push_back("l" + std::to_string(rng() % 6));
		unsigned ctx = rng() % 4;
		int st = -1;
		std::string d = Diff(Join(a), Join(b), ctx, 0, &st);
		EXPECT_EQ(st, a == b ? 0 : 1);
		if (st == 1) {
			EXPECT_EQ(Join(Apply(a, d)), Join(b)) << "context " << ctx << "\n" << d;
		}
		if (HasFailure())
			break;
	}
}

TEST_F(Scratch, DiffOfTwoWhollyDifferentLongFilesStaysCorrect)
{
	// Past the alignment's limit the rest is one change: not the shortest diff, still a right one.
	std::vector<std::string> a, b;
	for (int i = 0; i < 6000; i++) {
		a.push_back("a" + std::to_string(i));
		b.push_back("b" + std::to_string(i));
	}
	int st = -1;
	std::string d = Diff(Join(a), Join(b), 3, 0, &st);
	EXPECT_EQ(st, 1);
	EXPECT_EQ(Join(Apply(a, d)), Join(b));
}

// ---- the other jobs ----

TEST(ApiJobs, StatPrintsExitsPerReason)
{
	vmxsim_scenario *s = Parse(NmiWindow(kTwoNmis));
	std::FILE *out = std::tmpfile();
	EXPECT_EQ(vmxsim_stat(s, out, nullptr), VMXSIM_OK);
	const std::string table = Contents(out);
	EXPECT_NE(table.find("NMI_WINDOW"), std::string::npos) << table;
	std::fclose(out);
	vmxsim_scenario_free(s);
}

TEST(ApiJobs, EquivOfAShippedNestedScenarioHolds)
{
	std::FILE *out = std::tmpfile(), *diag = std::tmpfile();
	EXPECT_EQ(vmxsim_equiv(VMXSIM_SOURCE_DIR "/scenarios/nested/l2-hlt-modern.scn", out, diag), 0)
	    << Contents(out) << Contents(diag);
	EXPECT_EQ(vmxsim_equiv(VMXSIM_SOURCE_DIR "/scenarios/nested/none.scn", out, diag), 2);
	std::fclose(out);
	std::fclose(diag);
}

TEST(ApiJobs, ExploreCountsWhatItCoveredWhateverTheThreads)
{
	const char *path = VMXSIM_SOURCE_DIR "/scenarios/explore/soft-vnmi-nesting.scn";
	vmxsim_explore_totals one{}, two{};
	vmxsim_explore_options o{};
	std::FILE *r1 = std::tmpfile(), *r2 = std::tmpfile();

	o.jobs = 1;
	o.totals = &one;
	EXPECT_EQ(vmxsim_explore(path, &o, r1, stderr), 1) << "this exploration finds the nesting";
	o.jobs = 2;
	o.totals = &two;
	EXPECT_EQ(vmxsim_explore(path, &o, r2, stderr), 1);
	EXPECT_EQ(one.points, 12000u) << "the space its ranges and choices span";
	EXPECT_GT(one.runs, 0u);
	EXPECT_LT(one.runs, one.points) << "equal arrival times are run once";
	EXPECT_GT(one.failing_runs, 0u);
	EXPECT_GE(one.kinds, 1u);
	EXPECT_EQ(one.runs, two.runs);
	EXPECT_EQ(one.failing_runs, two.failing_runs);
	EXPECT_EQ(Contents(r1), Contents(r2));
	std::fclose(r1);
	std::fclose(r2);
}

} // namespace
