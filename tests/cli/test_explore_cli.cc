/* SPDX-License-Identifier: Apache-2.0 */
// `vmxsim explore`, run as a user runs it (cli_util::WorkdirTest: a fresh work
// directory per test): the report and its exit status, the reproducers it
// writes, that --jobs and --shard/--merge do not change what is found, seeded
// sampling, usage errors, and Ctrl-C. What --merge refuses is
// test_explore_merge_cli.cc.
#include "cli/explore_fixture.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

namespace {

using namespace explore_test;

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
	                         "--merge", "--merge r.txt --runs 5", "s.scn s.scn", "-", "s.scn --frob=1",
	                         "s.scn --report"}) {
		Result r = Run(std::string("explore ") + args);
		EXPECT_EQ(r.status, 2) << args << "\n" << Describe(r);
		EXPECT_EQ(r.err.rfind("vmxsim explore: ", 0), 0u) << args << "\n" << r.err;
		EXPECT_EQ(r.out, "") << args;
	}
	EXPECT_EQ(Files(), std::set<std::string>{"s.scn"}) << "usage errors write nothing";
	EXPECT_TRUE(Contains(Run("explore s.scn --seed 7").err, "--runs")) << "the message says what --seed needs";
	// --merge makes every operand a report, wherever it stands: a scenario among them is refused as a report.
	Result merge = Run("explore s.scn --merge r.txt");
	EXPECT_EQ(merge.status, 2) << Describe(merge);
	EXPECT_EQ(merge.err.rfind("s.scn:1:1: not a vmxsim explore report", 0), 0u) << merge.err;
	EXPECT_EQ(merge.out, "");
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


namespace {

// Shifted runs from the command line (docs/explore.md "Shifted runs"): the large exploration's structure on a
// slice - two NMI ranges, the second wide enough for many turns of the guest's loop - gives the same report
// taking shifted runs, simulating every run (--no-shift), checking every shifted one (--verify-shift) and
// from cycle 0 (--plain).
TEST_F(Explore, ShiftedRunsGiveTheSameReportAsEveryOtherWalk)
{
	std::string text = ReadFile(fs::path(VMXSIM_SOURCE_DIR) / "scenarios" / "explore" / "large" /
	                            "soft-vnmi-two-nmis.scn");
	ASSERT_NE(text.find("at 3000..9999 nmi"), std::string::npos);
	text.replace(text.find("at 3000..9999 nmi"), 17, "at 9990..9992 nmi");
	Write("slice.scn", text);
	Result shifted = Run("explore --no-repro -j 2 slice.scn");
	EXPECT_EQ(shifted.status, 1) << Describe(shifted);
	EXPECT_TRUE(Contains(shifted.out, "\nfailure 1: expect no nmi_nesting (line 36) fails\n")) << shifted.out;
	for (const char *how : {"--no-shift", "--verify-shift", "--plain"}) {
		Result r = Run(std::string("explore --no-repro -j 2 ") + how + " slice.scn");
		EXPECT_EQ(r.status, 1) << how << ": " << Describe(r);
		EXPECT_EQ(r.out, shifted.out) << how;
		if (std::string(how) == "--verify-shift")
			EXPECT_TRUE(std::regex_search(r.err, std::regex("^slice\\.scn: [1-9][0-9]* shifted runs, each also "
			                                                  "simulated: all agree\n$")))
			    << r.err;
		else
			EXPECT_EQ(r.err, "") << how;
	}
}

}  // namespace
