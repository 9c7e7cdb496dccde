// SPDX-License-Identifier: Apache-2.0
// The command line every vmxsim command shares (cli/args.c), run as a user
// runs it: --help of each command on stdout with exit 0, `--opt=value` and
// `--opt value`, options and operands in any order, `--`, a mistake named on
// one line followed by one Try line (exit 2), `-` as standard input and
// `-o -` as standard output, and outputs into folders that do not exist.
#include <gtest/gtest.h>

#include "cli/cli_scenarios.h"
#include "cli/cli_util.h"

#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#ifndef VMXSIM_SOURCE_DIR
#error "VMXSIM_SOURCE_DIR must be defined"
#endif

namespace {

using cli_scenarios::kGood;
using cli_util::Describe;
using cli_util::Quote;
using cli_util::ReadFile;
using cli_util::Result;

const char *const kCommands[] = {"run", "check", "suite", "list", "stat", "equiv", "explore", "diff", "replay"};

using cli_util::Contains;

std::vector<std::string> Lines(const std::string &s)
{
	std::vector<std::string> v;
	std::istringstream in(s);
	for (std::string l; std::getline(in, l);)
		v.push_back(l);
	return v;
}

// What a usage error prints: the message, then where the help is.
std::string UsageError(const std::string &cmd, const std::string &message)
{
	const std::string who = cmd.empty() ? "vmxsim" : "vmxsim " + cmd;
	return who + ": " + message + "\nTry '" + who + " --help' for more information.\n";
}

class CliArgs : public cli_util::WorkdirTest {
protected:
	void SetUp() override
	{
		cli_util::WorkdirTest::SetUp();
		Write("a.scn", kGood);
	}
	// What `run a.scn` prints: the trace every spelling of the same run must give.
	std::string Trace() { return Run("run a.scn").out; }
};

// ---- help ------------------------------------------------------------------

TEST_F(CliArgs, EveryCommandHasHelpOnStdout)
{
	for (const char *cmd : kCommands) {
		const std::string c = cmd;
		Result r = Run(c + " --help");
		EXPECT_EQ(r.status, 0) << c << "\n" << Describe(r);
		EXPECT_EQ(r.err, "") << c;
		// help2man's shape: a NAME line, Usage:, options in two columns, an exit status section.
		EXPECT_TRUE(std::regex_search(r.out, std::regex("^vmxsim " + c + " - [a-z][^\n]+\n\nUsage: vmxsim " + c +
		                                                " \\[OPTION\\]\\.\\.\\. ")))
		    << r.out;
		EXPECT_TRUE(Contains(r.out, "\nOptions:\n")) << r.out;
		EXPECT_TRUE(std::regex_search(r.out, std::regex("\n  -h, --help {2,}print this help and exit\n"))) << r.out;
		EXPECT_TRUE(std::regex_search(r.out, std::regex("\n      --color\\[=WHEN\\] {2,}colour"))) << r.out;
		EXPECT_TRUE(std::regex_search(r.out, std::regex("\nExit status:\n  0 +\\S[^\n]*\n"))) << r.out;
		for (const std::string &l : Lines(r.out)) {
			EXPECT_LE(l.size(), 79u) << c << ": " << l;
			EXPECT_TRUE(l.empty() || l.back() != ' ') << c << ": a trailing blank: '" << l << "'";
		}
		// -h, `vmxsim help CMD` and --help after operands and options say the same.
		EXPECT_EQ(Run(c + " -h").out, r.out) << c;
		EXPECT_EQ(Run("help " + c).out, r.out) << c;
		Result late = Run(c + " a.scn --color=never --help");
		EXPECT_EQ(late.status, 0) << c << "\n" << Describe(late);
		EXPECT_EQ(late.out, r.out) << c << ": --help wins, nothing runs";
	}
	EXPECT_EQ(Files(), std::set<std::string>{"a.scn"}) << "help writes nothing";
}

TEST_F(CliArgs, EachOptionOfACommandIsInItsHelp)
{
	const std::pair<const char *, std::vector<const char *>> expected[] = {
	    {"run", {"-o, --output=TRACE", "--format=FORMAT", "--plot=OUT", "--reference"}},
	    {"check", {"--golden=GOLDEN", "--bless", "--reference", "-U, --context=N", "VMXSIM_UPDATE_GOLDEN", "CI"}},
	    {"suite", {"--out=DIR", "--plots=DIR", "-U, --context=N"}},
	    {"list", {"-w, --width=COLS"}},
	    {"explore", {"--runs=N", "--seed=S", "-j, --jobs=N", "--shard=K/N", "--report=FILE", "--out=DIR",
	                 "--no-repro", "--progress", "--no-progress", "--merge", "--plain", "--no-shift", "--verify-shift",
	                 "--merge [OPTION]... REPORT..."}},
	    {"diff", {"-U, --context=N", "-t, --tolerance=CYCLES", "A.trace B.trace"}},
	    {"replay", {"--l0=NAME", "--cpu=NAME", "--vcpu=N", "--scenario", "TRACE.txt"}},
	};
	for (const auto &e : expected) {
		const std::string help = Run(std::string(e.first) + " --help").out;
		for (const char *opt : e.second)
			EXPECT_TRUE(Contains(help, opt)) << e.first << ": " << opt << "\n" << help;
	}
}

TEST_F(CliArgs, VersionOfEveryCommand)
{
	const std::string version = Run("--version").out;
	EXPECT_TRUE(std::regex_match(version, std::regex("vmxsim [0-9]+\\.[0-9]+\\.[0-9]+\n"))) << version;
	for (const char *cmd : kCommands) {
		Result r = Run(std::string(cmd) + " --version");
		EXPECT_EQ(r.status, 0) << cmd << "\n" << Describe(r);
		EXPECT_EQ(r.out, version) << cmd;
	}
}

TEST_F(CliArgs, TopLevelHelpListsEveryCommand)
{
	Result r = Run("--help");
	EXPECT_EQ(r.status, 0) << Describe(r);
	for (const char *cmd : kCommands)
		EXPECT_TRUE(std::regex_search(r.out, std::regex(std::string("\n  ") + cmd + " [^\n]* {2,}[a-z]"))) << cmd;
	for (const std::string &l : Lines(r.out))
		EXPECT_LE(l.size(), 79u) << l;
}

// ---- spelling options ------------------------------------------------------

TEST_F(CliArgs, ValuesFollowAnEqualsSignOrComeAsTheNextArgument)
{
	const std::string text = Trace(), jsonl = Run("run a.scn --format jsonl").out;
	ASSERT_FALSE(text.empty());
	ASSERT_NE(jsonl, text);
	for (const char *args : {"run --format=jsonl a.scn", "run a.scn --format jsonl", "run --form=jsonl a.scn",
	                         "run -- a.scn --format=jsonl"}) {
		// The last: after `--` even --format=jsonl is an operand, so it is an extra operand.
		Result r = Run(args);
		if (Contains(args, "-- a.scn")) {
			EXPECT_EQ(r.status, 2) << args << "\n" << Describe(r);
			EXPECT_EQ(r.err, UsageError("run", "extra operand '--format=jsonl' (one scenario at a time)")) << args;
			continue;
		}
		EXPECT_EQ(r.status, 0) << args << "\n" << Describe(r);
		EXPECT_EQ(r.out, jsonl) << args;
	}
	for (const char *args : {"run --output=T1 a.scn", "run a.scn --output T2", "run -oT3 a.scn", "run a.scn -o T4"}) {
		Result r = Run(args);
		EXPECT_EQ(r.status, 0) << args << "\n" << Describe(r);
		EXPECT_EQ(r.out, "") << args;
	}
	for (const char *t : {"T1", "T2", "T3", "T4"})
		EXPECT_EQ(Read(t), text) << t;
}

TEST_F(CliArgs, DoubleDashEndsTheOptions)
{
	Write("-x.scn", kGood);
	Result r = Run("run -- -x.scn");
	EXPECT_EQ(r.status, 0) << Describe(r);
	EXPECT_EQ(r.out, Trace());
	r = Run("run -x.scn");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_EQ(r.err, UsageError("run", "unknown option '-x'"));
}

// ---- mistakes: one line that names it, one Try line ------------------------

TEST_F(CliArgs, UnknownOptionsAreNamed)
{
	for (const char *cmd : kCommands) {
		Result r = Run(std::string(cmd) + " a.scn --frob");
		EXPECT_EQ(r.status, 2) << cmd << "\n" << Describe(r);
		EXPECT_EQ(r.err, UsageError(cmd, "unknown option '--frob'")) << cmd;
		EXPECT_EQ(r.out, "") << cmd;
	}
	Result r = Run("run --frmat=jsonl a.scn");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_EQ(r.err, UsageError("run", "unknown option '--frmat'; did you mean '--format'?"));
	r = Run("run -q a.scn");
	EXPECT_EQ(r.err, UsageError("run", "unknown option '-q'"));
	r = Run("check a.scn --frob");
	EXPECT_EQ(r.err, UsageError("check", "unknown option '--frob'"));
	// An option of another command is unknown here.
	r = Run("run a.scn --bless");
	EXPECT_EQ(r.err, UsageError("run", "unknown option '--bless'"));
	// A prefix of two options is not a guess.
	r = Run("explore a.scn --no");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_EQ(r.err, UsageError("explore", "option '--no' is ambiguous: --no-repro, --no-progress, --no-shift"));
	EXPECT_EQ(Files(), std::set<std::string>{"a.scn"}) << "usage errors write nothing";
}

TEST_F(CliArgs, MissingAndUnwantedValuesAreNamed)
{
	const std::pair<const char *, std::string> cases[] = {
	    {"run a.scn -o", UsageError("run", "option '-o' needs a value (TRACE)")},
	    {"run a.scn --output", UsageError("run", "option '--output' needs a value (TRACE)")},
	    {"run a.scn --format", UsageError("run", "option '--format' needs a value (FORMAT)")},
	    {"check a.scn --bless=yes", UsageError("check", "option '--bless' takes no value")},
	    {"explore a.scn --jobs", UsageError("explore", "option '--jobs' needs a value (N)")},
	};
	for (const auto &c : cases) {
		Result r = Run(c.first);
		EXPECT_EQ(r.status, 2) << c.first << "\n" << Describe(r);
		EXPECT_EQ(r.err, c.second) << c.first;
		EXPECT_EQ(r.out, "") << c.first;
	}
}

TEST_F(CliArgs, BadValuesAreNamed)
{
	const std::pair<const char *, std::string> cases[] = {
	    {"run a.scn --format=xml",
	     UsageError("run", "--format: unknown format 'xml' (one of text, jsonl, vcd, perfetto, ftrace, trace-dat, ftrace-ns, trace-dat7)")},
	    {"run a.scn --plot=a.gif", UsageError("run", "--plot must name an OUT.png or OUT.svg, not 'a.gif'")},
	    {"check a.scn -U x", UsageError("check", "--context takes a whole number from 0 to 100000, not 'x'")},
	    {"diff a b --tolerance=-1", UsageError("diff", "--tolerance takes a whole number, not '-1'")},
	    {"explore a.scn --jobs=0", UsageError("explore", "--jobs takes a whole number from 1 to 256, not '0'")},
	    {"list --width=wide", UsageError("list", "--width takes a whole number from 0 to 100000, not 'wide'")},
	    {"run a.scn --color=sometimes", UsageError("run", "--color is auto, always or never, not 'sometimes'")},
	};
	for (const auto &c : cases) {
		Result r = Run(c.first);
		EXPECT_EQ(r.status, 2) << c.first << "\n" << Describe(r);
		EXPECT_EQ(r.err, c.second) << c.first;
	}
}

TEST_F(CliArgs, MissingAndExtraOperandsAreNamed)
{
	const std::pair<const char *, std::string> cases[] = {
	    {"run", UsageError("run", "missing scenario file (FILE.scn, or - for standard input)")},
	    {"check --bless", UsageError("check", "missing scenario file (FILE.scn, or - for standard input)")},
	    {"stat", UsageError("stat", "missing scenario file (FILE.scn, or - for standard input)")},
	    {"equiv", UsageError("equiv", "missing scenario file (FILE.scn, or - for standard input)")},
	    {"explore", UsageError("explore", "missing scenario file (FILE.scn)")},
	    {"diff", UsageError("diff", "missing operands (two traces)")},
	    {"diff a.trace", UsageError("diff", "missing operand after 'a.trace' (two traces)")},
	    {"run a.scn b.scn", UsageError("run", "extra operand 'b.scn' (one scenario at a time)")},
	    {"check a.scn b.scn", UsageError("check", "extra operand 'b.scn' (one scenario at a time)")},
	    {"list a b", UsageError("list", "extra operand 'b' (one folder at a time)")},
	    {"suite a b", UsageError("suite", "extra operand 'b' (one folder at a time)")},
	    {"diff a b c", UsageError("diff", "extra operand 'c' (two traces)")},
	    {"replay", UsageError("replay", "missing trace file (trace-cmd report output, or - for standard input)")},
	    {"replay a.txt b.txt", UsageError("replay", "extra operand 'b.txt' (one trace at a time)")},
	};
	for (const auto &c : cases) {
		Result r = Run(c.first);
		EXPECT_EQ(r.status, 2) << c.first << "\n" << Describe(r);
		EXPECT_EQ(r.err, c.second) << c.first;
	}
}

TEST_F(CliArgs, UnknownCommandsAreNamedWithTheNearestOne)
{
	Result r = Run("rnu a.scn");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_EQ(r.err, UsageError("", "unknown command 'rnu'; did you mean 'run'?"));
	EXPECT_EQ(r.out, "");
	EXPECT_EQ(Run("lsit").err, UsageError("", "unknown command 'lsit'; did you mean 'list'?"));
	EXPECT_EQ(Run("help chekc").err, UsageError("", "unknown command 'chekc'; did you mean 'check'?"));
	EXPECT_EQ(Run("xyzzy").err, UsageError("", "unknown command 'xyzzy'"));
	r = Run("--frob run");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_EQ(r.err, UsageError("", "unknown option '--frob' (options follow the command)"));
}

// ---- `-`: standard input and standard output -------------------------------

TEST_F(CliArgs, DashIsStandardInputForAScenario)
{
	const std::string trace = Trace();
	Result r = RunStdin(kGood, "run -");
	EXPECT_EQ(r.status, 0) << Describe(r);
	EXPECT_EQ(r.out, trace);

	r = RunStdin(kGood, "stat -");
	EXPECT_EQ(r.status, 0) << Describe(r);
	EXPECT_EQ(r.out, Run("stat a.scn").out);

	// Messages name it <stdin>.
	std::string failing = kGood;
	failing.replace(failing.find("deliver 32 == 1"), 15, "deliver 32 == 2");
	r = RunStdin(failing, "run - -o T");
	EXPECT_EQ(r.status, 1) << Describe(r);
	EXPECT_EQ(r.err, "<stdin>:20:1: expectation failed: count deliver 32 == 2 (got 1)\n");
	EXPECT_EQ(Read("T"), trace);
}

TEST_F(CliArgs, DashIsStandardInputForEquiv)
{
	const std::string scn = std::string(VMXSIM_SOURCE_DIR) + "/scenarios/nested/l2-hlt-modern.scn";
	Result file = Run("equiv " + Quote(scn));
	ASSERT_EQ(file.status, 0) << Describe(file);
	Result r = RunStdin(ReadFile(scn), "equiv -");
	EXPECT_EQ(r.status, 0) << Describe(r);
	// The same verdict, about <stdin>: the scenario is read once for both of its runs.
	ASSERT_EQ(file.out.rfind(scn + ": ", 0), 0u) << file.out;
	EXPECT_EQ(r.out, "<stdin>: " + file.out.substr(scn.size() + 2));
}

TEST_F(CliArgs, ExploreRefusesStandardInput)
{
	Result r = RunStdin(kGood, "explore -");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_EQ(r.err, UsageError("explore", "a scenario on standard input cannot be explored: its reproducers and "
	                                       "reports name the scenario's file"));
	r = Run("explore a.scn --shard 1/2 --report -");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_TRUE(Contains(r.err, "--report takes a file")) << r.err;
	EXPECT_EQ(Files(), std::set<std::string>{"a.scn"});
}

TEST_F(CliArgs, DashOutputIsStandardOutput)
{
	Result r = Run("run a.scn -o -");
	EXPECT_EQ(r.status, 0) << Describe(r);
	EXPECT_EQ(r.out, Trace());
	r = Run("run a.scn --output=- --format jsonl");
	EXPECT_EQ(r.status, 0) << Describe(r);
	EXPECT_EQ(r.out, Run("run a.scn --format jsonl").out);
	EXPECT_EQ(Files(), std::set<std::string>{"a.scn"}) << "no file named '-'";
}

// ---- outputs into folders that are not there --------------------------------

TEST_F(CliArgs, OutputsIntoMissingFoldersAreRefusedBeforeRunning)
{
	const std::pair<const char *, std::string> cases[] = {
	    {"run a.scn -o out/T", "vmxsim run: out/T: no such directory: out\n"},
	    {"run a.scn --plot=out/p.png", "vmxsim run: out/p.png: no such directory: out\n"},
	    {"run a.scn -o T --plot out/deep/p.svg", "vmxsim run: out/deep/p.svg: no such directory: out/deep\n"},
	    {"explore a.scn --shard 1/2 --report out/r.txt", "vmxsim explore: out/r.txt: no such directory: out\n"},
	};
	for (const auto &c : cases) {
		Result r = Run(c.first);
		EXPECT_EQ(r.status, 2) << c.first << "\n" << Describe(r);
		EXPECT_EQ(r.err, c.second) << c.first;
		EXPECT_EQ(r.out, "") << c.first;
		EXPECT_EQ(Files(), std::set<std::string>{"a.scn"}) << c.first << ": nothing written, no folder made";
	}
}

TEST_F(CliArgs, OutputTreesOfTheirOwnAreCreated)
{
	// suite --out and explore --out make their folders (their help says so).
	Result r = Run("suite . --out made/traces");
	EXPECT_EQ(r.status, 0) << Describe(r);
	EXPECT_TRUE(Exists("made/traces/a.trace"));
	EXPECT_TRUE(Contains(Run("suite --help").out, "created")) << "suite --help says --out is created";
	EXPECT_TRUE(Contains(Run("explore --help").out, "created")) << "explore --help says --out is created";
}

}  // namespace

TEST_F(CliArgs, EquivUnderANamedL0RunsABareMetalScenarioNested)
{
	const std::string bare = std::string(VMXSIM_SOURCE_DIR) + "/scenarios/hw/exit-dispatch.scn";
	const std::string nested = std::string(VMXSIM_SOURCE_DIR) + "/scenarios/nested/l2-hlt-modern.scn";
	Result r = Run("equiv --l0 kvm-modern " + Quote(bare));
	EXPECT_EQ(r.status, 0) << Describe(r);
	EXPECT_EQ(r.out, bare + ": L1 sees the same 5 events on bare metal and under its L0\n");
	// Without --l0 a bare-metal scenario has nothing to compare with.
	r = Run("equiv " + Quote(bare));
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_NE(r.err.find("already runs on bare metal"), std::string::npos) << r.err;
	// --l0 is for bare-metal scenarios only.
	r = Run("equiv --l0 kvm-modern " + Quote(nested));
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_NE(r.err.find("already names L0 'kvm-modern'"), std::string::npos) << r.err;
	// An L0 that does not nest is refused by the run, with its place.
	r = Run("equiv --l0 plain " + Quote(bare));
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_NE(r.err.find("needs a nested L0"), std::string::npos) << r.err;
}

// Ctrl-C while equiv runs a nested L1 for 10^17 cycles: the run stops where
// it got, nothing is compared, exit status 130.
TEST_F(CliArgs, EquivStopsOnCtrlC)
{
	Write("busy.scn", "cpu nehalem\nl0 none\n\nguest L1\n  exit-handler on_exit\nmain:   vmlaunch\n"
	                  "on_exit: vmresume\n\nguest L2\nmain:   work 1000\n        jmp main\n\n"
	                  "run 100000000000000000\n");
	Result r = Run("equiv --l0 kvm-modern busy.scn >O 2>E & p=$!; sleep 0.5; kill -INT $p; wait $p");
	EXPECT_EQ(r.status, 130) << Describe(r);
	EXPECT_TRUE(Contains(Read("E"), "busy.scn: interrupted at cycle ")) << Read("E");
	EXPECT_EQ(Read("O"), "") << "nothing compared";
}

// equiv runs the scenario twice (under its L0, then on bare metal); a
// stimulus that makes the run long is warned about once, not once a side.
// The stack-unmapped line of a bare-metal file run under an L0 means L1's
// EPT, which the nested L0s do not emulate: refused, with its place.
TEST_F(CliArgs, EquivWarnsOnceAndRefusesL1sEptUnderAnL0)
{
	Write("storm.scn", "cpu nehalem\nl0 kvm-modern\n\nguest L1\n  exit-handler on_exit\nmain:   vmlaunch\n"
	                   "on_exit: vmresume\n\nguest L2\n  idt 2 h interrupt-gate\nmain:   work 1000\n"
	                   "        jmp main\nh:      iret\n\nevery 1 nmi -> L1 cpu0\nrun 10000002\n");
	Result r = Run("equiv --no-progress storm.scn");
	EXPECT_NE(r.status, 2) << Describe(r);
	size_t first = r.err.find("storm.scn:15:1: warning: this stimulus fires");
	ASSERT_NE(first, std::string::npos) << r.err;
	EXPECT_EQ(r.err.find("warning:", r.err.find('\n', first)), std::string::npos) << r.err;

	Write("ept.scn", "cpu nehalem\nl0 none\n\nguest L1\n  exit-handler on_exit\nmain:   vmlaunch\n"
	                 "on_exit: hlt\n\nguest L2\n  stack-unmapped\nmain:   vmcall\n\nrun 10000\n");
	r = Run("equiv --l0 kvm-modern ept.scn");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_TRUE(Contains(r.err, "ept.scn:10:3: not modelled: --l0 with 'stack-unmapped'")) << r.err;
}
