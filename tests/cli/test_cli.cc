/* SPDX-License-Identifier: Apache-2.0 */
// The vmxsim command line, run as a user runs it: each test gets a fresh
// temporary directory, writes its scenario files there, runs the binary
// (VMXSIM_BIN) in it with CI and VMXSIM_UPDATE_GOLDEN removed from the
// environment unless the test sets them, and checks the exit status, stdout,
// stderr and the files left behind.
#include <gtest/gtest.h>

#include "cli/cli_scenarios.h"
#include "cli/cli_util.h"
#include "json_line.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#ifndef VMXSIM_SOURCE_DIR
#error "VMXSIM_SOURCE_DIR must be defined"
#endif

namespace fs = std::filesystem;

namespace {

// ---- scenarios -------------------------------------------------------------

using cli_scenarios::kGood;
using cli_scenarios::kNmi;

// ---- running the binary ----------------------------------------------------

using cli_util::Contains;
using cli_util::Quote;
using cli_util::Replace;
using cli_util::SplitLines;
using cli_util::ReadFile;
using cli_util::Result;

class Cli : public cli_util::WorkdirTest {};

using cli_util::Describe;

// ---- usage -----------------------------------------------------------------

TEST_F(Cli, HelpAndVersion)
{
	Result r = Run("--help");
	EXPECT_EQ(r.status, 0) << Describe(r);
	EXPECT_EQ(r.out.rfind("vmxsim - ", 0), 0u) << "a NAME line first: " << r.out;
	EXPECT_TRUE(Contains(r.out, "\nUsage: vmxsim COMMAND [OPTION]... [ARG]...\n")) << r.out;
	for (const char *cmd : {"\n  run FILE.scn ", "\n  check FILE.scn ", "\n  suite [DIR] ", "\n  list [DIR] ",
	                        "\n  diff A.trace B.trace ", "--bless", "VMXSIM_UPDATE_GOLDEN", "\nExit status:\n"})
		EXPECT_TRUE(Contains(r.out, cmd)) << cmd;
	EXPECT_EQ(r.err, "");
	EXPECT_EQ(Run("-h").out, r.out);
	EXPECT_EQ(Run("help").out, r.out);

	r = Run("--version");
	EXPECT_EQ(r.status, 0) << Describe(r);
	EXPECT_TRUE(std::regex_match(r.out, std::regex("vmxsim [0-9]+\\.[0-9]+\\.[0-9]+\n"))) << r.out;
	EXPECT_EQ(r.err, "");
}

TEST_F(Cli, NoCommandIsAUsageError)
{
	Result r = Run("");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_EQ(r.err, "vmxsim: a command is needed\nTry 'vmxsim --help' for more information.\n");
	EXPECT_EQ(r.out, "");
}

TEST_F(Cli, UnknownCommandIsAUsageError)
{
	Result r = Run("frobnicate a.scn");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_EQ(r.err, "vmxsim: unknown command 'frobnicate'\nTry 'vmxsim --help' for more information.\n");
	EXPECT_EQ(r.out, "");
}

TEST_F(Cli, UnknownOptionsAreUsageErrors)
{
	// Each mistake is named on one line, and one more line says where the help is: not the whole usage.
	Write("a.scn", kGood);
	for (const char *args : {"run a.scn --frob", "run --frob a.scn", "check a.scn --frob", "suite . --frob",
	                         "run a.scn --format xml", "run a.scn -o", "run", "check", "run a.scn a.scn",
	                         "list a b"}) {
		Result r = Run(args);
		EXPECT_EQ(r.status, 2) << args << "\n" << Describe(r);
		const std::string cmd = std::string(args).substr(0, std::string(args).find(' '));
		EXPECT_TRUE(std::regex_match(r.err, std::regex("vmxsim " + cmd + ": [^\n]+\nTry 'vmxsim " + cmd +
		                                               " --help' for more information\\.\n")))
		    << args << "\n" << r.err;
		EXPECT_EQ(r.out, "") << args;
	}
	EXPECT_EQ(Files(), std::set<std::string>{"a.scn"}) << "usage errors write nothing";
}

// ---- run: errors are located -----------------------------------------------

TEST_F(Cli, ParseErrorIsLocated)
{
	Write("bad.scn", Replace(kGood, "vcpus   1", "vcpus   x"));
	Result r = Run("run bad.scn");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_TRUE(std::regex_match(r.err, std::regex("bad\\.scn:5:9: [^\n]*\\S[^\n]*\n"))) << r.err;
	EXPECT_TRUE(Contains(r.err, "'x'")) << "the message names what was found: " << r.err;
	EXPECT_EQ(r.out, "") << "no trace for a scenario that does not parse";
}

TEST_F(Cli, ParseErrorInASubdirectoryNamesThePathAsGiven)
{
	Write("sub/dir/bad.scn", Replace(kGood, "run 20000", "run 20000 cycles please"));
	Result r = Run("run sub/dir/bad.scn");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_TRUE(std::regex_search(r.err, std::regex("^sub/dir/bad\\.scn:18:[0-9]+: \\S"))) << r.err;
}

TEST_F(Cli, MissingFileIsBadInput)
{
	Result r = Run("run nowhere.scn");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_EQ(r.err.rfind("nowhere.scn: ", 0), 0u) << r.err;
}

TEST_F(Cli, UnknownL0VariantIsLocated)
{
	Write("a.scn", Replace(kGood, "l0      plain", "l0      kvm-9999"));
	Result r = Run("run a.scn");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_EQ(r.err.rfind("a.scn:4:9: unknown L0 hypervisor 'kvm-9999'; expected one of: ", 0), 0u) << r.err;
	EXPECT_TRUE(Contains(r.err, "plain")) << "the known variants are listed";
	EXPECT_EQ(r.out, "");
}

TEST_F(Cli, UnknownL0SwitchIsLocated)
{
	Write("a.scn", Replace(kGood, "l0      plain", "l0      plain +vnmi -frob"));
	Result r = Run("run a.scn");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_EQ(r.err, "a.scn:4:21: L0 'plain' has no switch 'frob'\n");
	EXPECT_EQ(r.out, "");
}

TEST_F(Cli, BadSwitchValueIsLocated)
{
	Write("a.scn", Replace(kGood, "l0      plain", "l0      plain handler-cycles=lots"));
	Result r = Run("run a.scn");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_TRUE(std::regex_match(r.err, std::regex("a\\.scn:4:[0-9]+: [^\n]*handler-cycles[^\n]*'lots'[^\n]*\n"))) << r.err;
}

TEST_F(Cli, UnknownVerdictIsLocated)
{
	Write("a.scn", Replace(kGood, "expect no nmi_nesting", "expect no nmi_nestling"));
	Result r = Run("run a.scn");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_EQ(r.err.rfind("a.scn:21:11: unknown monitor verdict 'nmi_nestling'", 0), 0u) << r.err;
}

// A `vmcs` line names a field the chosen processor has; which fields it has
// depends on the cpu line's features, so the run reports it, at the field.
TEST_F(Cli, VmcsFieldTheCpuLacksIsLocated)
{
	const auto with_line = [](const std::string &cpu, const std::string &line) {
		return Replace(Replace(kGood, "cpu     nehalem", "cpu     " + cpu), "  idt 32 timer interrupt-gate\n",
		               "  idt 32 timer interrupt-gate\n  vmcs " + line + "\n");
	};
	Write("a.scn", with_line("nehalem", "POSTED_INTR_NV 0xf2"));
	Result r = Run("run a.scn");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_EQ(r.err, "a.scn:9:8: cpu nehalem has no field POSTED_INTR_NV, which needs process posted "
	                 "interrupts (pin 7): feature +posted-intr\n");
	EXPECT_EQ(r.out, "");

	// With the feature turned on the same line runs.
	Write("b.scn", with_line("nehalem +posted-intr", "POSTED_INTR_NV 0xf2"));
	r = Run("run b.scn");
	EXPECT_EQ(r.status, 0) << Describe(r);

	// Two missing features, and a feature no CPU model has.
	Write("c.scn", with_line("core2-no-vnmi", "EPT_POINTER 0x1e"));
	r = Run("run c.scn");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_EQ(r.err, "c.scn:9:8: cpu core2-no-vnmi has no field EPT_POINTER, which needs enable EPT, enable "
	                 "VPID (secondary 1, 5): features +secondary +ept-vpid\n");
	Write("d.scn", with_line("sapphire-rapids", "PML_ADDRESS 0x1000"));
	r = Run("run d.scn");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_EQ(r.err, "d.scn:9:8: no CPU model has PML_ADDRESS: it needs enable PML (secondary 17), which the "
	                 "model does not implement\n");
}

// ---- run: expectations -----------------------------------------------------

TEST_F(Cli, ExpectationsThatHoldExitZero)
{
	Write("a.scn", kGood);
	Result r = Run("run a.scn");
	EXPECT_EQ(r.status, 0) << Describe(r);
	EXPECT_EQ(r.err, "");
	std::vector<std::string> lines = SplitLines(r.out);
	ASSERT_GT(lines.size(), 5u);
	EXPECT_EQ(lines.front(), "           0 cpu0 L1 vmentry       insn=vmlaunch rip=0x1000\n");
	EXPECT_EQ(lines.back(), "       20000 cpu0 L0 end           exits=3 violations=0\n");
}

TEST_F(Cli, AFailedExpectationExitsOneWithItsLocation)
{
	Write("a.scn", Replace(Replace(kGood, "deliver 32 == 1", "deliver 32 == 2"), "expect no nmi_nesting",
	                       "expect nmi_nesting"));
	Result r = Run("run a.scn");
	EXPECT_EQ(r.status, 1) << Describe(r);
	EXPECT_EQ(r.err, "a.scn:20:1: expectation failed: count deliver 32 == 2 (got 1)\n"
	                 "a.scn:21:1: expectation failed: nmi_nesting (the monitor reported it 0 times)\n");
	// The trace is still written whole.
	std::vector<std::string> lines = SplitLines(r.out);
	ASSERT_FALSE(lines.empty());
	EXPECT_EQ(lines.back(), "       20000 cpu0 L0 end           exits=3 violations=0\n");
}

TEST_F(Cli, TheTraceIsDeterministic)
{
	Write("a.scn", kGood);
	Result a = Run("run a.scn"), b = Run("run a.scn");
	EXPECT_EQ(a.status, 0);
	EXPECT_EQ(a.out, b.out);
}

TEST_F(Cli, NothingAfterTheRunsEnd)
{
	// The guest's last work block runs far past the end of the run.
	Write("a.scn", Replace(Replace(kGood, "loop:   work 1000", "loop:   work 7777"), "run 20000", "run 12345"));
	Result r = Run("run a.scn");
	EXPECT_EQ(r.status, 0) << Describe(r);
	std::vector<std::string> lines = SplitLines(r.out);
	ASSERT_FALSE(lines.empty());
	for (const std::string &l : lines)
		EXPECT_LE(std::stoull(l), 12345u) << l;
	EXPECT_EQ(lines.back().rfind("       12345 cpu0 L0 end ", 0), 0u) << lines.back();
	for (size_t i = 0; i + 1 < lines.size(); i++)
		EXPECT_FALSE(Contains(lines[i], " end ")) << "only the last line is the end";
}

TEST_F(Cli, TextLinesHaveNoTrailingBlanks)
{
	Write("a.scn", kGood);
	Result r = Run("run a.scn");
	for (const std::string &l : SplitLines(r.out)) {
		ASSERT_GE(l.size(), 2u);
		EXPECT_EQ(l.back(), '\n');
		EXPECT_NE(l[l.size() - 2], ' ') << l;
		EXPECT_TRUE(std::regex_match(l, std::regex(" *[0-9]+ cpu[0-9]+ L[0-2] [a-z_]+( +[a-z_]+=.*)?\n"))) << l;
	}
}

// ---- run: output files -----------------------------------------------------

TEST_F(Cli, RunWritesTheTraceFile)
{
	Write("a.scn", kGood);
	Result to_stdout = Run("run a.scn");
	Result r = Run("run a.scn -o T");
	EXPECT_EQ(r.status, 0) << Describe(r);
	EXPECT_EQ(r.out, "") << "the trace goes to the file, not to stdout";
	EXPECT_EQ(Read("T"), to_stdout.out);
	EXPECT_EQ(Files(), (std::set<std::string>{"T", "a.scn"}));

	// Options in any order; a folder that does not exist is an error, never created.
	r = Run("run -o T2 a.scn");
	EXPECT_EQ(r.status, 0) << Describe(r);
	EXPECT_EQ(Read("T2"), to_stdout.out);
	r = Run("run -o out/deep/T3 a.scn");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_TRUE(Contains(r.err, "out/deep/T3: no such directory: out/deep")) << r.err;
	EXPECT_FALSE(Exists("out")) << "no folder is made for a mistyped output";
}

// An output that is the input - by its name, another path or a link - is
// refused before anything runs, and the input is left as it was: `-o` of
// the scenario would replace it with its own trace, --bless of a golden
// that is the scenario, an explore report over a report being merged.
TEST_F(Cli, AnOutputThatIsTheInputIsRefused)
{
	Write("a.scn", kGood);
	std::filesystem::create_symlink("a.scn", dir / "link.scn");
	for (const char *args : {"run a.scn -o a.scn", "run a.scn -o ./a.scn", "run link.scn -o a.scn",
	                         "run a.scn -o link.scn", "check a.scn --golden a.scn --bless"}) {
		Result r = Run(args);
		EXPECT_EQ(r.status, 2) << args << ": " << Describe(r);
		EXPECT_TRUE(Contains(r.err, "is the input")) << args << ": " << r.err;
		EXPECT_EQ(Read("a.scn"), kGood) << args;
	}
	Result r = Run("explore a.scn --report a.scn");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_EQ(Read("a.scn"), kGood);
}

// Ctrl-C (SIGINT, here from timeout(1)) in the middle of a run of 10^17
// cycles: the run stops, the trace so far is written with `end stopped=1`,
// the user is told where it got, exit status 130; no temporary file is
// left beside the trace. The same for check, which compares nothing then.
TEST_F(Cli, CtrlCStopsALongRunAndSaysWhereItGot)
{
	Write("busy.scn", "cpu nehalem\nl0 kvm-modern\nguest L1\nmain: work 1000\n      jmp main\n"
	                  "run 100000000000000000\n");
	// The shell's redirections apply to `wait`: the command's stderr goes to E itself.
	Result r = Run("run busy.scn -o T 2>E & p=$!; sleep 0.5; kill -INT $p; wait $p");
	EXPECT_EQ(r.status, 130) << Describe(r);
	EXPECT_TRUE(Contains(Read("E"), "busy.scn: interrupted at cycle ")) << Read("E");
	EXPECT_TRUE(Contains(Read("T"), " end           stopped=1 ")) << Read("T");
	EXPECT_EQ(Files(), (std::set<std::string>{"E", "T", "busy.scn"}));
	r = Run("check busy.scn --golden T 2>E & p=$!; sleep 0.5; kill -TERM $p; wait $p");
	EXPECT_EQ(r.status, 130) << Describe(r);
	EXPECT_EQ(Files(), (std::set<std::string>{"E", "T", "busy.scn"})) << "nothing compared, nothing kept";
}

// A storm of stimuli meets --max-trace: a clear message and exit 2, never a full disk.
TEST_F(Cli, MaxTraceStopsAStorm)
{
	Write("storm.scn", "cpu nehalem\nl0 kvm-modern\nguest L1\n  idt 2 h interrupt-gate\nmain: work 1000\n"
	                   "      jmp main\nh:    iret\nevery 1 nmi -> L1 cpu0\nrun 1000000000\n");
	Result r = Run("run storm.scn -o T --max-trace=100K");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_TRUE(Contains(r.err, "the trace outgrew its limit of 102400 bytes")) << r.err;
	EXPECT_TRUE(Contains(r.err, "storm.scn:8:1: warning: this stimulus fires 1000000000 times (every 1 cycles over "
	                            "999999999)"))
	    << r.err;
	EXPECT_TRUE(Contains(Read("T"), " end           stopped=1 "));
	for (const char *bad : {"--max-trace=0", "--max-trace=1T", "--max-trace=-5", "--max-trace=K"}) {
		r = Run(std::string("run storm.scn ") + bad);
		EXPECT_EQ(r.status, 2) << bad;
		EXPECT_TRUE(Contains(r.err, "is not a size")) << bad << ": " << r.err;
	}
}

TEST_F(Cli, RunReplacesAnExistingTrace)
{
	Write("a.scn", kGood);
	Write("T", "an old trace\n");
	Result r = Run("run a.scn -o T");
	EXPECT_EQ(r.status, 0) << Describe(r);
	EXPECT_EQ(Read("T"), Run("run a.scn").out);
	EXPECT_EQ(Files(), (std::set<std::string>{"T", "a.scn"}));
}

TEST_F(Cli, FailedExpectationStillWritesTheTraceFile)
{
	Write("a.scn", Replace(kGood, "deliver 32 == 1", "deliver 32 == 2"));
	Result r = Run("run a.scn -o T");
	EXPECT_EQ(r.status, 1) << Describe(r);
	EXPECT_EQ(Read("T"), Run("run a.scn").out);
}

TEST_F(Cli, BadScenarioLeavesAnExistingTraceUntouched)
{
	const std::string precious = "precious bytes\r\n\x01\xff no newline at the end";
	const std::pair<const char *, std::string> bad[] = {
	    {"parse error", Replace(kGood, "vcpus   1", "vcpus   x")},
	    {"unknown L0", Replace(kGood, "l0      plain", "l0      kvm-9999")},
	    {"unknown switch", Replace(kGood, "l0      plain", "l0      plain -frob")},
	    {"bad switch value", Replace(kGood, "l0      plain", "l0      plain handler-cycles=x")},
	};
	for (const auto &b : bad) {
		Write("bad.scn", b.second);
		Write("T", precious);
		const std::set<std::string> before = Files();
		Result r = Run("run bad.scn -o T");
		EXPECT_EQ(r.status, 2) << b.first << "\n" << Describe(r);
		EXPECT_EQ(Read("T"), precious) << b.first << ": the old trace must stay byte for byte";
		EXPECT_EQ(Files(), before) << b.first << ": no temporary file may remain";
		// The same with the format option and a trace that does not exist yet.
		r = Run("run bad.scn --format jsonl -o new/T");
		EXPECT_EQ(r.status, 2) << b.first;
		EXPECT_FALSE(Exists("new/T")) << b.first;
		for (const std::string &f : Files())
			EXPECT_EQ(f.find("new/"), std::string::npos) << b.first << ": left " << f;
	}
}

// ---- run: JSONL ------------------------------------------------------------

TEST_F(Cli, JsonlIsOneObjectPerLineEndingWithEnd)
{
	Write("a.scn", kGood);
	Result text = Run("run a.scn");
	Result r = Run("run a.scn --format jsonl");
	EXPECT_EQ(r.status, 0) << Describe(r);
	std::vector<std::string> lines = SplitLines(r.out), tlines = SplitLines(text.out);
	ASSERT_EQ(lines.size(), tlines.size()) << "the same events in both formats";
	for (size_t i = 0; i < lines.size(); i++) {
		JsonLine j(lines[i]);
		ASSERT_TRUE(j.ok) << j.error << ": " << lines[i];
		ASSERT_GE(j.members.size(), 4u);
		EXPECT_EQ(j.members[0].first, "cycle");
		EXPECT_EQ(j.members[1].first, "cpu");
		EXPECT_EQ(j.members[2].first, "level");
		EXPECT_EQ(j.members[3].first, "event");
		// The same event as the text line: cycle, cpu, level, kind.
		std::istringstream t(tlines[i]);
		std::string cycle, cpu, level, kind;
		t >> cycle >> cpu >> level >> kind;
		EXPECT_EQ(j.Get("cycle"), cycle);
		EXPECT_EQ("cpu" + j.Get("cpu"), cpu);
		EXPECT_EQ("L" + j.Get("level"), level);
		EXPECT_EQ(j.Get("event"), kind);
	}
	JsonLine last(lines.back());
	EXPECT_EQ(last.Get("event"), "end");
	EXPECT_TRUE(Contains(lines.back(), "\"event\":\"end\""));
	EXPECT_EQ(lines.front(), "{\"cycle\":0,\"cpu\":0,\"level\":1,\"event\":\"vmentry\",\"insn\":\"vmlaunch\",\"rip\":\"0x1000\"}\n");

	// -o with jsonl writes the same bytes.
	r = Run("run a.scn --format jsonl -o t.jsonl");
	EXPECT_EQ(r.status, 0);
	EXPECT_EQ(Read("t.jsonl"), Run("run a.scn --format jsonl").out);
}

TEST_F(Cli, JsonlViolationsCarryTheirKind)
{
	// Two NMIs for a guest without virtual NMIs that never returns from its NMI
	// handler: the second one nests (plain cannot know when the handler ends).
	std::string scn =
	    "# nmi-nesting: without virtual NMIs the second NMI nests.\n"
	    "cpu     nehalem -virtual-nmis\n"
	    "l0      plain\n"
	    "guest L1\n"
	    "  idt 2 nmi interrupt-gate\n"
	    "main:   work 1000\n"
	    "        jmp main\n"
	    "nmi:    work 5000\n"
	    "        iret\n"
	    "at 1000 nmi -> L1 cpu0\n"
	    "at 3000 nmi -> L1 cpu0\n"
	    "run 20000\n"
	    "expect nmi_nesting\n";
	Write("n.scn", scn);
	Result r = Run("run n.scn --format jsonl");
	ASSERT_EQ(r.status, 0) << Describe(r);
	bool seen = false;
	for (const std::string &l : SplitLines(r.out)) {
		JsonLine j(l);
		ASSERT_TRUE(j.ok) << j.error << ": " << l;
		if (j.Get("event") == "violation") {
			EXPECT_EQ(j.Get("kind"), "nmi_nesting") << l;
			EXPECT_EQ(j.Get("cpu"), "0");
			EXPECT_EQ(j.Get("level"), "1");
			seen = true;
		}
	}
	EXPECT_TRUE(seen) << r.out;
}

TEST_F(Cli, SeveralVcpusInterleaveButEachVcpuKeepsCycleOrder)
{
	Write("smp.scn",
	      "# smp: cpu0 sends a fixed IPI and an NMI IPI to cpu1; a watchdog ticks on both.\n"
	      "cpu     nehalem\n"
	      "l0      plain\n"
	      "vcpus   2\n"
	      "guest L1 cpu0\n"
	      "  idt 2 nmi interrupt-gate\n"
	      "main:   sti\n"
	      "        work 2000\n"
	      "        ipi cpu1 50\n"
	      "        work 2000\n"
	      "        ipi cpu1 nmi\n"
	      "idle:   work 1000\n"
	      "        jmp idle\n"
	      "nmi:    work 100\n"
	      "        iret\n"
	      "guest L1 cpu1\n"
	      "  idt 2  nmi    interrupt-gate\n"
	      "  idt 50 ipi    interrupt-gate\n"
	      "main:   sti\n"
	      "loop:   work 1000\n"
	      "        jmp loop\n"
	      "nmi:    work 200\n"
	      "        iret\n"
	      "ipi:    work 200\n"
	      "        eoi\n"
	      "        iret\n"
	      "every 7000 nmi -> L1 cpu0 via watchdog\n"
	      "every 7000 nmi -> L1 cpu1 via watchdog\n"
	      "run 30000\n"
	      "expect count deliver 50 cpu1 == 1\n"
	      "expect no nmi_nesting\n");
	Result r = Run("run smp.scn --format jsonl");
	ASSERT_EQ(r.status, 0) << Describe(r);
	std::vector<std::string> lines = SplitLines(r.out);
	ASSERT_FALSE(lines.empty());
	unsigned long long last[2] = {0, 0};
	bool unsorted = false, watchdog = false, ipi = false;
	unsigned long long prev = 0;
	for (size_t i = 0; i < lines.size(); i++) {
		JsonLine j(lines[i]);
		ASSERT_TRUE(j.ok) << j.error << ": " << lines[i];
		unsigned long long cycle = std::stoull(j.Get("cycle"));
		unsigned cpu = (unsigned)std::stoul(j.Get("cpu"));
		ASSERT_LT(cpu, 2u) << lines[i];
		EXPECT_LE(cycle, 30000u) << lines[i];
		EXPECT_GE(cycle, last[cpu]) << "cpu" << cpu << " went back in time: " << lines[i];
		last[cpu] = cycle;
		unsorted |= cycle < prev;
		prev = cycle;
		if (j.Get("event") == "stimulus") {
			watchdog |= j.Get("origin") == "watchdog";
			ipi |= j.Get("origin") == "ipi";
		}
		EXPECT_EQ(j.Get("event") == "end", i + 1 == lines.size()) << lines[i];
	}
	EXPECT_TRUE(watchdog) << "`via watchdog` names the stimulus' origin";
	EXPECT_TRUE(ipi) << "an IPI arrives as a stimulus with origin ipi";
	// Not a requirement, but what docs/trace-format.md shows: vCPUs interleave.
	if (!unsorted)
		std::printf("note: this run happens to be globally sorted by cycle\n");
}

}  // namespace

// ---- output to a device, a trace that cannot be written, not modelled ----

// A device named as the output is written in place, never replaced by a rename.
TEST_F(Cli, OutputToADeviceIsWrittenInPlace)
{
	Write("a.scn", kGood);
	Result r = Run("run a.scn -o /dev/null");
	EXPECT_EQ(r.status, 0) << r.err;
	struct stat st;
	ASSERT_EQ(stat("/dev/null", &st), 0);
	EXPECT_TRUE(S_ISCHR(st.st_mode)) << "/dev/null must still be a character device";
}

// A trace that cannot be written is bad output, on stdout and with -o alike.
TEST_F(Cli, FailingTraceWritesExitTwo)
{
	Write("a.scn", kGood);
	std::string cmd = "cd " + Quote(dir.string()) + " && env -u CI " + Quote(VMXSIM_BIN) +
	                  " run a.scn </dev/null >/dev/full 2>/dev/null";
	int rc = std::system(cmd.c_str());
	ASSERT_TRUE(rc != -1 && WIFEXITED(rc));
	EXPECT_EQ(WEXITSTATUS(rc), 2);
	Result r = Run("run a.scn -o /dev/full");
	EXPECT_EQ(r.status, 2);
	struct stat st;
	ASSERT_EQ(stat("/dev/full", &st), 0);
	EXPECT_TRUE(S_ISCHR(st.st_mode));
}

// ---- run: what the model lacks voids the run ---------------------------------

/*
 * A root program whose VMLAUNCH passes the entry's checks with a field that
 * asks for a feature the model lacks (GUEST_SMBASE: SMM): exit status 2 and
 * the VMLAUNCH's location, never a run without the feature.
 */
TEST_F(Cli, NotModelledAtTheVmlaunchExitsTwoWithItsLocation)
{
	Write("smm.scn", "cpu nehalem\n"
	                 "l0 none\n"
	                 "guest L1\n"
	                 "  exit-handler h\n"
	                 "main:   vmwrite GUEST_SMBASE 0x30000\n"
	                 "        vmlaunch\n"
	                 "h:      hlt\n"
	                 "guest L2\n"
	                 "l2:     vmcall\n"
	                 "run 10000\n");
	Result r = Run("run smm.scn");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_TRUE(Contains(r.err, "smm.scn:6:9: not modelled: SMM (GUEST_SMBASE is not 0")) << r.err;
}
