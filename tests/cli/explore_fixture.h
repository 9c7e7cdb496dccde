/* SPDX-License-Identifier: Apache-2.0 */
// What the `vmxsim explore` CLI suites share (test_explore_cli.cc,
// test_explore_merge_cli.cc): their scenarios, text helpers and the Explore
// fixture (cli_util::WorkdirTest with the explore-specific checks).
#ifndef VMXSIM_TESTS_CLI_EXPLORE_FIXTURE_H
#define VMXSIM_TESTS_CLI_EXPLORE_FIXTURE_H

#include <gtest/gtest.h>

#include "cli/cli_util.h"

#include <filesystem>
#include <regex>
#include <set>
#include <string>

#ifndef VMXSIM_SOURCE_DIR
#error "VMXSIM_SOURCE_DIR must be defined"
#endif

namespace explore_test {

namespace fs = std::filesystem;
using cli_util::Describe;
using cli_util::ReadFile;
using cli_util::Result;

// ---- scenarios -------------------------------------------------------------

// Soft vNMI with two kinds of failure: the second NMI nests when the handler
// turns interrupts on early (line 21), and is lost when it arrives right after
// the first (line 22, with the lost_event verdict no expectation names).
inline constexpr const char kTwoKinds[] =
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
inline std::string OneNmi(const std::string &range, int expected)
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

inline bool Contains(const std::string &hay, const std::string &needle) { return hay.find(needle) != std::string::npos; }

// `text` with the first `from` in it replaced by `to` (std::out_of_range, a failed test, if there is none).
inline std::string Replaced(std::string text, const std::string &from, const std::string &to)
{
	return text.replace(text.find(from), from.size(), to);
}

// The text without its comments: what a scenario does, not what it says about itself.
inline std::string WithoutComments(const std::string &text)
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
inline std::string FirstLines(const std::string &text, size_t n)
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

}  // namespace explore_test

#endif
