// SPDX-License-Identifier: Apache-2.0
// Allocations under failure (issue 18, "Testing discipline"): alloc_shim.c
// (LD_PRELOAD) fails the N-th malloc, calloc, realloc, strdup or strndup
// made by vmxsim's own code, for every N from 1 to the number a small run
// makes, for `run`, `run -o` over an old file, `check --golden`, `explore`
// with a reproducer over an old file, `stat`, `list`, `suite`, `diff` and
// `equiv`. Each run must exit 2 with
// "out of memory" on standard error, or do exactly what it does when nothing
// fails (the allocation was one it can do without); never die of a signal,
// hang, or say something else; and the old output must survive byte for
// byte, with no temporary file beside it.
#include <gtest/gtest.h>

#include "cli/cli_scenarios.h"
#include "cli/cli_util.h"
#include "cli/explore_fixture.h"

#include <filesystem>
#include <string>
#include <vector>

#ifndef VMXSIM_ALLOC_SHIM
#error "VMXSIM_ALLOC_SHIM (the path of alloc_shim.so) must be defined"
#endif

namespace {

namespace fs = std::filesystem;
using cli_scenarios::kGood;
using cli_util::Describe;
using cli_util::Quote;
using cli_util::Result;
using explore_test::Contains;

const char kOld[] = "the old file: it must survive every failed allocation\n";

// Every N up to this many is tried; past it, a deterministic sample (every
// kStride-th). The small runs below make 11 to 266 allocations: all are tried.
constexpr int kEvery = 400;
constexpr int kStride = 7;

struct Case {
	const char *name;
	std::string args;
	std::string output;   // the file it replaces (relative to work/), or "" for none
	int ok_status;
};

std::vector<Case> Cases()
{
	return {
	    {"run", "run a.scn", "", 0},
	    {"run-o", "run a.scn -o out/t.trace", "out/t.trace", 0},
	    // IPIs between vCPUs are queued while the run goes (the stimulus heap grows): a failure there stops it.
	    {"run-ipi-dat", "run smp.scn --format trace-dat -o out/t.dat", "out/t.dat", 0},
	    {"check-golden", "check a.scn --golden traces/a.trace", "traces/a.trace", 0},
	    {"explore", "explore one.scn --no-progress -j1 --out out", "out/one.fail-1.scn", 1},
	    {"stat", "stat a.scn", "", 0},
	    {"list", "list s", "", 0},
	    {"suite", "suite s --out so", "", 0},
	    {"diff", "diff t1 t2", "", 1},
	    {"equiv", "equiv nested.scn", "", 0},
	};
}

class AllocFaults : public cli_util::WorkdirTest {
protected:
	void SetUp() override
	{
		cli_util::WorkdirTest::SetUp();
		Write("a.scn", kGood);
		Write("one.scn", explore_test::OneNmi("3000..3003", 2));
		Write("s/a.scn", kGood);
		Write("t1", "0 0 L1 a\n");
		Write("t2", "0 0 L1 b\n");
		Write("nested.scn", cli_util::ReadFile(fs::path(VMXSIM_SOURCE_DIR) / "scenarios/nested/ack-on-exit.scn"));
		Write("smp.scn", cli_util::ReadFile(fs::path(VMXSIM_SOURCE_DIR) / "scenarios/hw/smp-ipi.scn"));
		fs::create_directories(dir / "out");
		fs::create_directories(dir / "traces");
		Result r = Run("check a.scn --golden traces/a.trace --bless");
		ASSERT_EQ(r.status, 0) << Describe(r);
		golden = Read("traces/a.trace");
	}
	std::string golden;

	// The old file the command replaces (a golden: the one it is compared with).
	std::string Old(const Case &c) { return c.output == "traces/a.trace" ? golden : kOld; }
	void PutOld(const Case &c)
	{
		if (!c.output.empty())
			Write(c.output, Old(c));
	}
	static std::string Shim(int nth, const std::string &count = "")
	{
		return "LD_PRELOAD=" + Quote(VMXSIM_ALLOC_SHIM) + " VMXSIM_ALLOC_NTH=" + std::to_string(nth) +
		       (count.empty() ? "" : " VMXSIM_ALLOC_COUNT=" + Quote(count)) + " timeout -s KILL 60";
	}
	void ExpectNoTemporary(const Case &c, const std::string &what)
	{
		if (c.output.empty())
			return;
		for (const auto &e : fs::directory_iterator(dir / fs::path(c.output).parent_path()))
			EXPECT_FALSE(Contains(e.path().filename().string(), ".tmp")) << what << ": left " << e.path();
	}
};

TEST_F(AllocFaults, EveryFailedAllocationIsReportedAndKeepsTheOldFile)
{
	for (const Case &c : Cases()) {
		// What the command does when nothing fails, and how many allocations it makes.
		PutOld(c);
		const std::string log = (root / "count").string();
		Result ok = Run(c.args, Shim(0, log));
		ASSERT_EQ(ok.status, c.ok_status) << c.name << ": with the shim and nothing failed\n" << Describe(ok);
		const std::string ok_output = c.output.empty() ? "" : Read(c.output);
		const int n = std::stoi(cli_util::ReadFile(log));
		fs::remove(log);
		EXPECT_GE(n, 5) << c.name << ": too few allocations seen; is the shim preloaded?";
		int tried = 0;
		for (int k = 1; k <= n; k += k < kEvery ? 1 : kStride) {
			const std::string what = std::string(c.name) + ": allocation #" + std::to_string(k) + " of " +
			                         std::to_string(n);
			PutOld(c);
			Result r = Run(c.args, Shim(k));
			tried++;
			EXPECT_FALSE(Contains(r.err, "Sanitizer") || Contains(r.err, "runtime error")) << what << "\n" << r.err;
			if (r.status == c.ok_status && r.out == ok.out && r.err == ok.err) {
				// An allocation it can do without: the same result, the same output.
				if (!c.output.empty()) {
					EXPECT_EQ(Read(c.output), ok_output) << what;
				}
				continue;
			}
			EXPECT_EQ(r.status, 2) << what << "\n" << Describe(r);
			// Ours, or a write that failed with ENOMEM (strerror) in a trace writer.
			EXPECT_TRUE(Contains(r.err, "out of memory") || Contains(r.err, "Cannot allocate memory"))
			    << what << ": the reason\n" << Describe(r);
			if (!c.output.empty()) {
				EXPECT_EQ(Read(c.output), Old(c)) << what << ": the old file";
			}
			ExpectNoTemporary(c, what);
			if (HasFailure())
				return;   // one case in full, not hundreds of the same
		}
		std::printf("%s: %d allocations, %d failed in turn\n", c.name, n, tried);
	}
}

}  // namespace
