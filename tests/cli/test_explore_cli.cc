// `vmxsim explore`, run as a user runs it (cli_util::WorkdirTest: a fresh work
// directory per test): the report and its exit status, the reproducers it
// writes, that --jobs and --shard/--merge do not change what is found, seeded
// sampling, the shard report file and what --merge refuses, usage errors, and
// Ctrl-C.
#include <gtest/gtest.h>

#include "cli/cli_util.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <vector>

#ifndef VMXSIM_SOURCE_DIR
#error "VMXSIM_SOURCE_DIR must be defined"
#endif

namespace fs = std::filesystem;

namespace {

using cli_util::Describe;
using cli_util::ReadFile;
using cli_util::Result;

// ---- scenarios -------------------------------------------------------------

// Soft vNMI with two kinds of failure: the second NMI nests when the handler
// turns interrupts on early (line 21), and is lost when it arrives right after
// the first (line 22, with the lost_event verdict no expectation names).
const char kTwoKinds[] =
	"# two-kinds: two NMIs, the second at any time, the handler with or without an early STI.\n"  // 1
	"cpu     core2-no-vnmi\n"                                                                     // 2
	"l0      kvm-2008\n"                                                                          // 3
	"\n"                                                                                          // 4
	"guest L1\n"                                                                                  // 5
	"  idt 2   nmi     interrupt-gate\n"                                                          // 6
	"main:   sti\n"                                                                               // 7
	"loop:   work 1000\n"                                                                         // 8
	"        jmp loop\n"                                                                          // 9
	"nmi:    choose plain | sti_early\n"                                                          // 10
	"plain:  work 700\n"                                                                          // 11
	"        iret\n"                                                                              // 12
	"sti_early: sti\n"                                                                            // 13
	"        work 700\n"                                                                          // 14
	"        iret\n"                                                                              // 15
	"\n"                                                                                          // 16
	"at 5000 nmi -> L1 cpu0\n"                                                                    // 17
	"at 5001..9000 nmi -> L1 cpu0\n"                                                              // 18
	"run 20000\n"                                                                                 // 19
	"\n"                                                                                          // 20
	"expect no nmi_nesting\n"                                                                     // 21
	"expect count deliver nmi == 2\n";                                                            // 22

// One NMI at any time in a range of a plain L0: it is always delivered once,
// long before the run ends. `expected` is the count to expect: 1 holds
// everywhere, 2 fails everywhere (and that is the only failure).
std::string OneNmi(const std::string &range, int expected)
{
	return "# one-nmi: one NMI for the guest at some time in a range.\n"  // 1
	       "cpu nehalem\n"
	       "l0 plain\n"                                                     // 3
	       "guest L1\n"
	       "  idt 2 handler interrupt-gate\n"
	       "spin:    work 1000\n"
	       "         jmp spin\n"
	       "handler: work 200\n"
	       "         iret\n"
	       "at " + range + " nmi -> L1 cpu0\n"                               // 10
	       "run 20000\n"
	       "expect count deliver nmi == " + std::to_string(expected) + "\n"
	       "expect no lost_event\n";
}

bool Contains(const std::string &hay, const std::string &needle) { return hay.find(needle) != std::string::npos; }

// `text` with the first `from` in it replaced by `to` (std::out_of_range, a failed test, if there is none).
std::string Replaced(std::string text, const std::string &from, const std::string &to)
{
	return text.replace(text.find(from), from.size(), to);
}

// The text without its comments: what a scenario does, not what it says about itself.
std::string WithoutComments(const std::string &text)
{
	std::string code;
	bool comment = false;
	for (char c : text) {
		comment = c == '#' || (comment && c != '\n');
		if (!comment)
			code += c;
	}
	return code;
}

// The first n lines of text, each with its newline.
std::string FirstLines(const std::string &text, size_t n)
{
	size_t end = 0;
	for (size_t i = 0; i < n && end < text.size(); i++)
		end = text.find('\n', end) + 1;
	return text.substr(0, end);
}

class Explore : public cli_util::WorkdirTest {
protected:
	// A shipped exploration, copied into work/ so that it is named by a relative path.
	void CopyShipped(const std::string &name)
	{
		Write(name, ReadFile(fs::path(VMXSIM_SOURCE_DIR) / "scenarios" / "explore" / name));
	}

	// The files under work/`sub`, relative to it: exactly what a command left there.
	std::set<std::string> FilesIn(const std::string &sub)
	{
		std::set<std::string> names;
		if (!Exists(sub))
			return names;
		for (const auto &e : fs::recursive_directory_iterator(dir / sub))
			names.insert(fs::relative(e.path(), dir / sub).string());
		return names;
	}

	// work/a and work/b hold the same files with the same bytes.
	void ExpectSameFiles(const std::string &a, const std::string &b)
	{
		EXPECT_EQ(FilesIn(a), FilesIn(b));
		for (const std::string &f : FilesIn(b))
			EXPECT_EQ(Read(a + "/" + f), Read(b + "/" + f)) << f;
	}

	// Rename work/`from` to work/`to`, so a second run can write to the same name.
	void Move(const std::string &from, const std::string &to) { fs::rename(dir / from, dir / to); }

	// Shards 1..n of `scn`, each with its report rK.txt; a shard finds what it
	// finds (0 or 1) but never fails to run, and writes no reproducer.
	void RunShards(const std::string &scn, int n, const std::string &extra = "")
	{
		for (int k = 1; k <= n; k++) {
			const std::string shard = std::to_string(k) + "/" + std::to_string(n);
			Result r = Run("explore " + scn + " --shard " + shard + " --report r" + std::to_string(k) + ".txt --out o " +
			               extra);
			EXPECT_LE(r.status, 1) << shard << "\n" << Describe(r);
			EXPECT_TRUE(Contains(r.out, "\nshard " + shard + ": ")) << r.out;
			EXPECT_FALSE(Contains(r.out, "reproducer")) << r.out;
		}
		EXPECT_FALSE(Exists("o")) << "a shard alone writes no reproducers; the merge does";
	}

	// `explore --merge ARGS` prints what `single`, one run of the whole space, printed, with its exit status.
	void ExpectMergeGives(const std::string &args, const Result &single)
	{
		Result merged = Run("explore --merge " + args);
		EXPECT_EQ(merged.status, single.status) << args << "\n" << Describe(merged);
		EXPECT_EQ(merged.out, single.out) << args;
	}

	// `explore --merge ARGS`, expected to be refused with `message` (a regex) on stderr and nothing on stdout.
	void ExpectMergeRefused(const std::string &args, const std::string &message)
	{
		Result r = Run("explore --merge " + args);
		EXPECT_EQ(r.status, 2) << args << "\n" << Describe(r);
		EXPECT_TRUE(std::regex_search(r.err, std::regex(message))) << args << "\n" << r.err;
		EXPECT_EQ(r.out, "") << args;
	}
};

// ---- finding and reproducing -----------------------------------------------

TEST_F(Explore, SoftVnmiNestingIsFoundAndReproduced)
{
	CopyShipped("soft-vnmi-nesting.scn");
	Result r = Run("explore soft-vnmi-nesting.scn --out repro");
	EXPECT_EQ(r.status, 1) << Describe(r);
	EXPECT_EQ(r.out.rfind("explore soft-vnmi-nesting.scn\n", 0), 0u) << r.out;
	EXPECT_TRUE(Contains(r.out, "\nfailure 1: expect no nmi_nesting (line ")) << r.out;
	// Where it nests: whenever the handler turns interrupts on and the second NMI comes in this window.
	EXPECT_TRUE(Contains(r.out, "\n  where: choose sti_early (line 13): at 6732..8483 (line 25)\n"
	                            "  where: choose sti_late (line 13): at 6732..8483 (line 25)\n")) << r.out;
	EXPECT_TRUE(Contains(r.out, "  reproducer repro/soft-vnmi-nesting.fail-1.scn: ")) << r.out;
	EXPECT_TRUE(Contains(r.out, "it fails the same way on its own\n")) << r.out;
	EXPECT_EQ(r.err, "");

	// Only the reproducer: no temporary file of its atomic write is left beside it.
	EXPECT_EQ(FilesIn("repro"), std::set<std::string>{"soft-vnmi-nesting.fail-1.scn"});
	const std::string repro = Read("repro/soft-vnmi-nesting.fail-1.scn");
	// Plain values in place of the range and the choice (the header comment may name them).
	EXPECT_FALSE(Contains(WithoutComments(repro), "..")) << repro;
	EXPECT_FALSE(Contains(WithoutComments(repro), "choose")) << repro;
	EXPECT_TRUE(std::regex_search(repro, std::regex("\nnmi: +jmp (plain|sti_early|sti_late)\n"))) << repro;
	EXPECT_TRUE(std::regex_search(repro, std::regex("\nat [5-8][0-9]{3} nmi -> L1 cpu0\n"))) << repro;

	Result run = Run("run repro/soft-vnmi-nesting.fail-1.scn");
	EXPECT_EQ(run.status, 1) << Describe(run);
	EXPECT_TRUE(Contains(run.err, "expectation failed: no nmi_nesting")) << run.err;

	// Every other command runs the first value of each range and choice, where nothing nests.
	Result plain = Run("run soft-vnmi-nesting.scn");
	EXPECT_EQ(plain.status, 0) << Describe(plain);
}

TEST_F(Explore, EachFailureKindGetsItsOwnReproducer)
{
	Write("two.scn", kTwoKinds);
	Result r = Run("explore two.scn --out o");
	EXPECT_EQ(r.status, 1) << Describe(r);
	EXPECT_TRUE(Contains(r.out, "\nfailures: 2 kinds in ")) << r.out;
	EXPECT_TRUE(Contains(r.out, "\nfailure 1: expect count deliver nmi == 2 (line 22) fails")) << r.out;
	EXPECT_TRUE(Contains(r.out, "\nfailure 2: expect no nmi_nesting (line 21) fails")) << r.out;
	EXPECT_EQ(FilesIn("o"), (std::set<std::string>{"two.fail-1.scn", "two.fail-2.scn"}));

	Result one = Run("run o/two.fail-1.scn"), two = Run("run o/two.fail-2.scn");
	EXPECT_EQ(one.status, 1) << Describe(one);
	EXPECT_TRUE(Contains(one.err, "expectation failed: count deliver nmi == 2")) << one.err;
	EXPECT_EQ(two.status, 1) << Describe(two);
	EXPECT_TRUE(Contains(two.err, "expectation failed: no nmi_nesting")) << two.err;
}

TEST_F(Explore, ReproducerOfAVerdictNoExpectationNamesFailsVmxsimRun)
{
	// Without `expect no nmi_nesting` the nesting is still a failure for
	// explore (a verdict no expectation names); its reproducer is documented
	// as a scenario `vmxsim run` fails on, so it must fail on its own too.
	Write("unnamed.scn", Replaced(kTwoKinds, "expect no nmi_nesting\n", ""));
	Result r = Run("explore unnamed.scn --out o");
	EXPECT_EQ(r.status, 1) << Describe(r);
	std::smatch m;
	ASSERT_TRUE(std::regex_search(r.out, m, std::regex("\nfailure ([0-9]+): the monitor reports nmi_nesting, "
	                                                   "which no expectation names\n")))
		<< r.out;
	const std::string repro = "o/unnamed.fail-" + m[1].str() + ".scn";
	ASSERT_TRUE(Exists(repro)) << r.out;

	Result run = Run("run " + repro);
	EXPECT_EQ(run.status, 1) << repro << " passes under vmxsim run\n" << Describe(run);
}

TEST_F(Explore, RerunReplacesTheReproducerAndLeavesNoTemporaryFiles)
{
	Write("two.scn", kTwoKinds);
	Write("o/two.fail-1.scn", "stale\n");
	Result first = Run("explore two.scn --out o"), second = Run("explore two.scn --out o");
	EXPECT_EQ(first.status, 1) << Describe(first);
	EXPECT_EQ(second.out, first.out);
	EXPECT_EQ(FilesIn("o"), (std::set<std::string>{"two.fail-1.scn", "two.fail-2.scn"}));
	EXPECT_NE(Read("o/two.fail-1.scn"), "stale\n");
}

TEST_F(Explore, ReproducersGoToTheCurrentDirectoryOrACreatedOutDirectory)
{
	Write("sub/dir/two.scn", kTwoKinds);
	Result here = Run("explore sub/dir/two.scn");
	EXPECT_EQ(here.status, 1) << Describe(here);
	EXPECT_TRUE(Contains(here.out, "  reproducer two.fail-1.scn: ")) << here.out;
	EXPECT_TRUE(Exists("two.fail-1.scn"));
	EXPECT_TRUE(Exists("two.fail-2.scn"));
	EXPECT_FALSE(Exists("sub/dir/two.fail-1.scn")) << "not beside the scenario";

	Result deep = Run("explore sub/dir/two.scn --out a/b/c");
	EXPECT_EQ(deep.status, 1) << Describe(deep);
	EXPECT_EQ(FilesIn("a/b/c"), (std::set<std::string>{"two.fail-1.scn", "two.fail-2.scn"}));
	EXPECT_EQ(Read("a/b/c/two.fail-2.scn"), Read("two.fail-2.scn"));
}

TEST_F(Explore, NoReproWritesNothing)
{
	Write("two.scn", kTwoKinds);
	Result r = Run("explore two.scn --no-repro --out o");
	EXPECT_EQ(r.status, 1) << Describe(r);
	EXPECT_TRUE(Contains(r.out, "\nfailure 2: ")) << r.out;
	EXPECT_FALSE(Contains(r.out, "reproducer")) << r.out;
	EXPECT_EQ(Files(), std::set<std::string>{"two.scn"});
}

TEST_F(Explore, AWholeSpaceThatPassesExitsZeroAndWritesNothing)
{
	Write("ok.scn", OneNmi("3000..4000", 1));
	Result r = Run("explore ok.scn --out o");
	EXPECT_EQ(r.status, 0) << Describe(r);
	EXPECT_TRUE(Contains(r.out, "\nspace: all of 1001 points, in ")) << r.out;
	EXPECT_TRUE(Contains(r.out, "\nfailures: 0 kinds in 0 runs\n")) << r.out;
	EXPECT_FALSE(Contains(r.out, "\nfailure 1")) << r.out;
	EXPECT_EQ(r.err, "");
	EXPECT_EQ(Files(), std::set<std::string>{"ok.scn"}) << "nothing to reproduce, nothing written";
}

// ---- the same report however it is run --------------------------------------

TEST_F(Explore, JobsDoNotChangeTheReportOrTheReproducers)
{
	Write("two.scn", kTwoKinds);
	Result one = Run("explore two.scn --jobs 1 --out o");
	EXPECT_EQ(one.status, 1) << Describe(one);
	Move("o", "o1");
	Result two = Run("explore two.scn --jobs 2 --out o");
	EXPECT_EQ(two.status, one.status);
	EXPECT_EQ(two.out, one.out);
	ExpectSameFiles("o", "o1");
}

TEST_F(Explore, ShardsMergeToTheSingleRun)
{
	Write("two.scn", kTwoKinds);
	Result single = Run("explore two.scn --out o");
	EXPECT_EQ(single.status, 1) << Describe(single);
	Move("o", "single");

	RunShards("two.scn", 3);
	EXPECT_EQ(Read("r1.txt").rfind("vmxsim-explore-report 1\n", 0), 0u) << Read("r1.txt");
	ExpectMergeGives("r3.txt r1.txt r2.txt --out o", single);  // in any order
	ExpectSameFiles("o", "single");
}

TEST_F(Explore, SampledShardsMergeToTheSampledRun)
{
	Write("two.scn", kTwoKinds);
	Result single = Run("explore two.scn --runs 200 --seed 3 --no-repro");
	EXPECT_EQ(single.status, 1) << Describe(single);
	RunShards("two.scn", 2, "--runs 200 --seed 3");
	ExpectMergeGives("r1.txt r2.txt --no-repro", single);
}

TEST_F(Explore, ReportOfAWholeRunMergesAlone)
{
	Write("two.scn", kTwoKinds);
	Result single = Run("explore two.scn --report whole.txt --no-repro");
	EXPECT_EQ(single.status, 1) << Describe(single);
	ExpectMergeGives("whole.txt --no-repro", single);
}

// ---- what --merge refuses ----------------------------------------------------

TEST_F(Explore, MergeOfTwoShardsOfThreeNamesTheMissingUnit)
{
	Write("two.scn", kTwoKinds);
	RunShards("two.scn", 3);
	// Units go to shards round-robin: unit 2 is the first of shard 3.
	ExpectMergeRefused("r1.txt r2.txt",
	                   "^two\\.scn: unit 2 of [0-9]+ is in none of the reports: a shard is missing");
	ExpectMergeRefused("r2.txt r3.txt", "^two\\.scn: unit 0 of [0-9]+ is in none of the reports");
}

TEST_F(Explore, MergeOfTheSameReportTwiceIsRefused)
{
	Write("two.scn", kTwoKinds);
	RunShards("two.scn", 3);
	// The second reading fails at its first unit line, after the four header lines.
	ExpectMergeRefused("r1.txt r2.txt r3.txt r1.txt", "^r1\\.txt:5:1: this unit is already in another report");
}

TEST_F(Explore, MergeRefusesReportsOfAChangedScenario)
{
	Write("two.scn", kTwoKinds);
	RunShards("two.scn", 3);
	Write("two.scn", Replaced(kTwoKinds, "nmi:    choose", "nmi:    choose  "));  // one space more
	ExpectMergeRefused("r1.txt r2.txt r3.txt", "^r1\\.txt:[0-9]+:1: the scenario has changed since this report was made");
}

TEST_F(Explore, MergeLocatesAChangedScenarioAtTheReportsScenarioLine)
{
	// Line 2 of a report, `scenario HASH PATH`, holds the hash that no longer matches.
	Write("two.scn", kTwoKinds);
	RunShards("two.scn", 3);
	Write("two.scn", std::string(kTwoKinds) + "# one more comment\n");
	ExpectMergeRefused("r1.txt r2.txt r3.txt", "^r1\\.txt:2:1: the scenario has changed");
}

TEST_F(Explore, MergeRefusesMalformedReportsAtTheirLine)
{
	Write("two.scn", kTwoKinds);
	RunShards("two.scn", 3);
	const std::string r1 = Read("r1.txt");
	// The header (4 lines) and some units, but no `end`.
	const std::string cut = FirstLines(r1, 10), header = FirstLines(r1, 4);
	Write("cut.txt", cut);
	Write("junk.txt", cut + "garbage here\n" + r1.substr(cut.size()));
	Write("notreport.txt", "hello\n" + r1);
	Write("badunit.txt", header + "unit 3 x 1 0\nend\n");
	// A span must follow its unit's failures and lie within the arrival times.
	Write("strayspan.txt", header + "unit 3 1 47 0\nspan 3 0 5142 5142\nend\n");
	Write("farspan.txt", header + "unit 3 1 47 0\nfail 3 1 x1 0 5142\nspan 3 0 5142 99999\nend\n");
	Write("noheader.txt", "vmxsim-explore-report 1\nscenario zz two.scn\n");
	Write("newer.txt", "vmxsim-explore-report 2\n" + r1.substr(r1.find('\n') + 1));

	ExpectMergeRefused("cut.txt r2.txt r3.txt", "^cut\\.txt:10:1: the report ends without 'end'");
	ExpectMergeRefused("junk.txt r2.txt r3.txt", "^junk\\.txt:11:1: expected 'unit', 'fail', 'span' or 'end'\n$");
	ExpectMergeRefused("notreport.txt", "^notreport\\.txt:1:1: not a vmxsim explore report");
	ExpectMergeRefused("newer.txt", "^newer\\.txt:1:1: not a vmxsim explore report");
	ExpectMergeRefused("badunit.txt r2.txt r3.txt", "^badunit\\.txt:5:1: expected 'unit U RUNS POINTS BAD'");
	ExpectMergeRefused("strayspan.txt r2.txt r3.txt", "^strayspan\\.txt:6:1: a 'span' line belongs after its unit's");
	ExpectMergeRefused("farspan.txt r2.txt r3.txt", "^farspan\\.txt:7:1: a span outside the space's arrival times");
	ExpectMergeRefused("noheader.txt", "^noheader\\.txt:2:1: expected 'scenario HASH PATH'");
	ExpectMergeRefused("nowhere.txt", "^nowhere\\.txt: cannot open: ");
	// A later report that is not a report is refused the same way as a first one.
	ExpectMergeRefused("r1.txt r2.txt two.scn", "^two\\.scn:1:1: not a vmxsim explore report");
}

// Seeded mutations of a shard report - lines dropped, doubled or cut short,
// characters replaced - are merged or refused with a located message;
// never a crash, a sanitizer report or a silent wrong answer about units.
TEST_F(Explore, MutatedReportsAreMergedOrRefusedNeverCrash)
{
	Write("two.scn", kTwoKinds);
	RunShards("two.scn", 3);
	const std::string r1 = Read("r1.txt");
	const std::string fresh = Run("explore --merge r1.txt r2.txt r3.txt --no-repro").out;
	uint64_t rng = 12345;
	auto next = [&rng](uint64_t n) {
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		return (rng >> 33) % n;
	};
	const char alphabet[] = "0123456789 xv,-\nabunitfailspanend";
	for (int i = 0; i < 120; i++) {
		std::string m = r1;
		switch (next(4)) {
		case 0: { // cut short
			m.resize(next(m.size()));
			break;
		}
		case 1: { // one character replaced
			m[next(m.size())] = alphabet[next(sizeof(alphabet) - 1)];
			break;
		}
		case 2: { // a line dropped
			size_t at = next(m.size()), b = m.rfind('\n', at), e = m.find('\n', at);
			b = b == std::string::npos ? 0 : b + 1;
			m.erase(b, e == std::string::npos ? std::string::npos : e - b + 1);
			break;
		}
		default: { // a line doubled
			size_t at = next(m.size()), b = m.rfind('\n', at), e = m.find('\n', at);
			b = b == std::string::npos ? 0 : b + 1;
			if (e != std::string::npos)
				m.insert(b, m.substr(b, e - b + 1));
			break;
		}
		}
		Write("m.txt", m);
		Result r = Run("explore --merge m.txt r2.txt r3.txt --no-repro");
		ASSERT_TRUE(r.status == 0 || r.status == 1 || r.status == 2) << "mutation " << i << "\n" << Describe(r);
		EXPECT_FALSE(Contains(r.err, "Sanitizer") || Contains(r.err, "runtime error")) << i << "\n" << r.err;
		if (r.status == 2)
			EXPECT_TRUE(std::regex_search(r.err, std::regex("^(m|r2|r3)\\.txt:[0-9]+:1: |^two\\.scn: unit [0-9]+ of")))
			    << "mutation " << i << "\n" << r.err;
		else
			EXPECT_EQ(r.out, fresh) << "mutation " << i << " was accepted but changed the result\n" << m;
	}
}

TEST_F(Explore, MergeLocatesAnEmptyReportAtLine1)
{
	Write("empty.txt", "");
	ExpectMergeRefused("empty.txt", "^empty\\.txt:1:1: not a vmxsim explore report");
}

TEST_F(Explore, MergeRefusesFailureValuesOutsideTheSpace)
{
	// A `fail` line is `fail U RUNS KEY CHOICE TIME` here: one value per range
	// and choice. A value the space does not have is as malformed as a missing
	// one, and must be located, not run or printed. The key x0,x1 (both
	// expectations fail at once) is one no run has, so the made-up point is the
	// smallest of its kind whatever the other reports hold.
	Write("two.scn", kTwoKinds);
	RunShards("two.scn", 3);
	const std::string r1 = Read("r1.txt");
	const size_t fail = r1.find("\nfail ") + 1;
	ASSERT_NE(fail, 0u) << "shard 1 holds a failure\n" << r1;
	const size_t line = 1 + (size_t)std::count(r1.begin(), r1.begin() + (long)fail, '\n');
	const size_t end = r1.find('\n', fail);
	std::string head = r1.substr(fail, end - fail);
	for (int field = 0; field < 3; field++)  // drop TIME, CHOICE and KEY
		head = head.substr(0, head.rfind(' '));
	const struct {
		const char *name, *values;
	} cases[] = {
		{"choice.txt", " x0,x1 99999999 5001"},  // an alternative far beyond the two there are
		{"time.txt", " x0,x1 0 1"},              // an arrival before the range's 5001
	};
	for (const auto &c : cases) {
		SCOPED_TRACE(c.name);
		Write(c.name, r1.substr(0, fail) + head + c.values + r1.substr(end));
		ExpectMergeRefused(std::string(c.name) + " r2.txt r3.txt",
		                   "^" + std::regex_replace(c.name, std::regex("\\."), "\\.") + ":" + std::to_string(line) +
		                           ":1: ");
	}
}

// ---- sampling ----------------------------------------------------------------

TEST_F(Explore, SameSeedSameSample)
{
	Write("s.scn", OneNmi("3000..9000", 2));
	Result a = Run("explore s.scn --runs 50 --seed 7 --no-repro"), b = Run("explore s.scn --runs 50 --seed 7 --no-repro");
	EXPECT_EQ(a.status, 1) << Describe(a);
	EXPECT_EQ(b.status, 1);
	EXPECT_EQ(a.out, b.out);
	EXPECT_TRUE(Contains(a.out, "\nspace: 50 points sampled (seed 7) of 6001 points")) << a.out;
	EXPECT_TRUE(Contains(a.out, "\nruns: 50 for 50 points\n")) << a.out;
	// Every sampled point fails, so each is a run of the one failure.
	EXPECT_TRUE(Contains(a.out, "\n  50 runs; the smallest: at ")) << a.out;
}

TEST_F(Explore, OtherSeedOtherSample)
{
	// Every point fails, so the smallest failing point is the smallest point
	// sampled: two seeds that drew the same 50 of 6001 points would not be two samples.
	Write("s.scn", OneNmi("3000..9000", 2));
	Result a = Run("explore s.scn --runs 50 --seed 7 --no-repro"), b = Run("explore s.scn --runs 50 --seed 8 --no-repro");
	EXPECT_EQ(a.status, 1) << Describe(a);
	EXPECT_EQ(b.status, 1) << Describe(b);
	EXPECT_TRUE(Contains(b.out, "(seed 8)")) << b.out;
	const std::regex smallest("the smallest: at ([0-9]+) \\(line 10\\)");
	std::smatch ma, mb;
	ASSERT_TRUE(std::regex_search(a.out, ma, smallest)) << a.out;
	ASSERT_TRUE(std::regex_search(b.out, mb, smallest)) << b.out;
	EXPECT_NE(ma[1].str(), mb[1].str());
	for (const std::smatch *m : {&ma, &mb}) {
		const unsigned long t = std::stoul((*m)[1].str());
		EXPECT_GE(t, 3000u);
		EXPECT_LE(t, 9000u);
	}
	// Without --seed the sample is seed 0's.
	Result none = Run("explore s.scn --runs 50 --no-repro"), zero = Run("explore s.scn --runs 50 --seed 0 --no-repro");
	EXPECT_EQ(none.out, zero.out);
}

// ---- bad input and usage -------------------------------------------------------

TEST_F(Explore, UsageErrors)
{
	Write("s.scn", OneNmi("3000..4000", 1));
	for (const char *args : {"", "s.scn --frob", "s.scn --shard 0/3 --report r.txt", "s.scn --shard 4/3 --report r.txt",
	                         "s.scn --shard 1/3", "s.scn --shard 1/3x --report r.txt", "s.scn --jobs 0",
	                         "s.scn --jobs 257", "s.scn --seed 7", "s.scn --runs 0", "s.scn --runs",
	                         "s.scn --merge r.txt", "--merge", "--merge r.txt --runs 5", "s.scn s.scn"}) {
		Result r = Run(std::string("explore ") + args);
		EXPECT_EQ(r.status, 2) << args << "\n" << Describe(r);
		EXPECT_EQ(r.err.rfind("vmxsim explore: ", 0), 0u) << args << "\n" << r.err;
		EXPECT_EQ(r.out, "") << args;
	}
	EXPECT_EQ(Files(), std::set<std::string>{"s.scn"}) << "usage errors write nothing";
	EXPECT_TRUE(Contains(Run("explore s.scn --seed 7").err, "--runs")) << "the message says what --seed needs";
}

TEST_F(Explore, ParseErrorIsLocated)
{
	Write("bad.scn", OneNmi("4000..3000", 1));
	Result r = Run("explore bad.scn --out o");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_EQ(r.err, "bad.scn:10:10: expected the end of the range after '..', found '3000' (not after its start)\n");
	EXPECT_EQ(r.out, "");
	EXPECT_EQ(Files(), std::set<std::string>{"bad.scn"});
}

TEST_F(Explore, ScenarioTheMachineRefusesIsLocated)
{
	Write("l0.scn", Replaced(OneNmi("3000..4000", 1), "l0 plain", "l0 kvm-9999"));
	Result r = Run("explore l0.scn");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_EQ(r.err.rfind("l0.scn:3:4: unknown L0 hypervisor 'kvm-9999'", 0), 0u) << r.err;
	EXPECT_EQ(r.out, "");
}

TEST_F(Explore, NothingToExplore)
{
	Write("flat.scn", OneNmi("3000", 1));
	Result r = Run("explore flat.scn");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_EQ(r.err.rfind("flat.scn: nothing to explore: ", 0), 0u) << r.err;
	EXPECT_EQ(r.out, "");

	Result missing = Run("explore nowhere.scn");
	EXPECT_EQ(missing.status, 2) << Describe(missing);
	EXPECT_EQ(missing.err.rfind("nowhere.scn: cannot open: ", 0), 0u) << missing.err;
}

TEST_F(Explore, AWorkRangeTooLongIsLocatedBeforeAnyRun)
{
	Write("long.scn", "cpu nehalem\nl0 plain\nguest L1\nloop: work 1..100000000000000000\n      jmp loop\n"
	                  "at 5000..6000 nmi -> L1 cpu0\nrun 20000\n");
	Result r = Run("explore long.scn --runs 100");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_EQ(r.err, "long.scn:4:12: work range too long (at most 4294967295 instructions)\n");
	EXPECT_EQ(r.out, "");
}

// A failure's kind is the whole set of expectations that failed, however
// many: 80 that fail everywhere and one that fails only with `b` are two kinds.
TEST_F(Explore, ManyFailedExpectationsStillSeparateTheKinds)
{
	std::string text = "cpu nehalem\nl0 kvm-modern\nguest L1\nmain: choose a | b\na: work 100\n  jmp a\n"
	                   "b: vmcall\n  jmp a\nrun 20000\n";
	for (int i = 0; i < 80; i++)
		text += "expect count exit HLT == 7\n";
	text += "expect count exit VMCALL == 0\n";
	Write("many.scn", text);
	Result r = Run("explore many.scn --no-repro");
	EXPECT_EQ(r.status, 1) << Describe(r);
	EXPECT_TRUE(Contains(r.out, "\nfailures: 2 kinds in 2 runs\n")) << r.out;
	EXPECT_TRUE(Contains(r.out, "expect count exit VMCALL == 0 (line 90) fails")) << r.out;
}

// ---- Ctrl-C ----------------------------------------------------------------------

TEST_F(Explore, CtrlCStopsWithAReportOfWhatWasDone)
{
	// 10^8 sampled runs take hours; the test waits for the first progress bar
	// on stderr, which is drawn only once the runs have started, long after
	// the SIGINT handler is in place - so no sleep and no race with startup.
	Write("long.scn", OneNmi("3000..9000", 2));
	const std::string out_path = (root / "ctrl-c.out").string(), work = dir.string();
	int err[2];
	ASSERT_EQ(pipe(err), 0);
	pid_t pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || chdir(work.c_str()) != 0 || dup2(fd, 1) < 0 || dup2(err[1], 2) < 0)
			_exit(127);
		close(err[0]);
		execl(VMXSIM_BIN, VMXSIM_BIN, "explore", "long.scn", "--runs", "100000000", "--progress", "--out", "o",
		      "--report", "part.txt", (char *)nullptr);
		_exit(127);
	}
	close(err[1]);
	char c = 0;
	const bool started = read(err[0], &c, 1) == 1;
	kill(pid, SIGINT);
	std::string diag(started ? 1 : 0, c);
	char buf[4096];
	for (ssize_t n; (n = read(err[0], buf, sizeof(buf))) > 0;)
		diag.append(buf, (size_t)n);
	close(err[0]);
	int st = 0;
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	ASSERT_TRUE(started) << "no progress on stderr";
	ASSERT_TRUE(WIFEXITED(st)) << "killed by signal " << (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	const std::string out = ReadFile(out_path);
	EXPECT_EQ(WEXITSTATUS(st), 130) << out << "\n" << diag.substr(diag.size() > 2000 ? diag.size() - 2000 : 0);
	EXPECT_TRUE(std::regex_search(out, std::regex("\nstopped: [0-9]+ units done; what follows is about those only\n")))
		<< out;
	EXPECT_TRUE(Contains(out, "\nruns: ")) << "the report of what was done follows\n" << out;
	EXPECT_FALSE(Exists("o")) << "a stopped run writes no reproducers";

	// Its report holds the units it finished, and a merge names one it did not
	// (10^8 runs in units of 96, so that there are at most 2^20 units).
	ExpectMergeRefused("part.txt", "^long\\.scn: unit [0-9]+ of 1041667 is in none of the reports");
}

}  // namespace
