// SPDX-License-Identifier: Apache-2.0
// Outputs under failure (issue 18, "Files are touched only as the user
// asked"): every write, fsync, close, rename and creation of an output's
// temporary file is failed in turn by fault_shim.c (LD_PRELOAD), with ENOSPC
// and EIO, for `run -o`, `check --bless`, check's GOLDEN.actual, `explore --report`
// and explore's reproducers; each must exit 2 naming the path and the reason,
// and leave the old file byte for byte with its mode and no temporary file
// beside it. A real full disk (a 64 KiB tmpfs, when the tests run as root and
// may mount) shows the same without the shim, for stdout too. Then the rules
// of docs/trace-format.md "Output files": modes, symbolic links, folders.
#include <gtest/gtest.h>

#include "cli/cli_scenarios.h"
#include "cli/cli_util.h"
#include "cli/explore_fixture.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <set>
#include <string>
#include <vector>

#ifndef VMXSIM_FAULT_SHIM
#error "VMXSIM_FAULT_SHIM (the path of fault_shim.so) must be defined"
#endif

namespace {

namespace fs = std::filesystem;
using cli_scenarios::kGood;
using cli_util::Describe;
using cli_util::Quote;
using cli_util::Result;
using explore_test::Contains;

const char kOld[] = "the old file: it must survive every failure\n";
const char *const kOps[] = {"open", "write", "fsync", "close", "rename"};

// A command that writes one output file, and where.
struct Case {
	const char *name;
	std::string setup;    // a scenario file to write in work/ (name: text)
	std::string args;     // the command line
	std::string output;   // the output it replaces, relative to work/
	std::string folder;   // the folder the shim watches, relative to work/
	int ok_status;        // its exit status when nothing fails
	int fail_status = 2;  // and when its output cannot be written
};

// Each output the library writes through lib/files.c.
std::vector<Case> Cases()
{
	return {
	    {"run-o", "a.scn", "run a.scn -o out/t.trace", "out/t.trace", "/out/", 0},
	    {"run-o-jsonl", "a.scn", "run a.scn --format jsonl -o out/t.jsonl", "out/t.jsonl", "/out/", 0},
	    {"check-bless", "scenarios/a.scn", "check scenarios/a.scn --bless", "traces/a.trace", "/traces/", 0},
	    // The trace kept beside a golden that differs is a help, not what was asked: the verdict stays.
	    {"check-actual", "scenarios/b.scn", "check scenarios/b.scn", "traces/b.trace.actual", "/traces/", 1, 1},
	    {"explore-report", "one.scn", "explore one.scn --shard 1/1 --report out/r.txt --no-progress -j1",
	     "out/r.txt", "/out/", 1},
	    {"explore-repro", "one.scn", "explore one.scn --out out --no-progress -j1", "out/one.fail-1.scn", "/out/",
	     1},
	};
}

class OutputFaults : public cli_util::WorkdirTest {
protected:
	void Prepare(const Case &c)
	{
		if (c.setup == "one.scn")
			Write("one.scn", explore_test::OneNmi("3000..3003", 2));
		else
			Write(c.setup, kGood);
		Write("traces/b.trace", "a golden that differs\n");
		fs::create_directories(dir / fs::path(c.output).parent_path());
		PutOld(c);
	}
	void PutOld(const Case &c)
	{
		Write(c.output, kOld);
		fs::permissions(dir / c.output, fs::perms(0640));
	}
	// What the shim needs: where to look, and what to fail.
	std::string Shim(const Case &c, const std::string &op, int nth, const std::string &err,
	                 const std::string &log = "")
	{
		return "LD_PRELOAD=" + Quote(VMXSIM_FAULT_SHIM) + " ASAN_OPTIONS=verify_asan_link_order=0" +
		       " VMXSIM_FAULT_PATH=" + Quote((dir.string() + c.folder)) + " VMXSIM_FAULT_OP=" + op +
		       " VMXSIM_FAULT_NTH=" + std::to_string(nth) + " VMXSIM_FAULT_ERRNO=" + err +
		       (log.empty() ? "" : " VMXSIM_FAULT_LOG=" + Quote(log));
	}
	// How many calls of each kind the command makes on its output.
	std::map<std::string, int> Count(const Case &c)
	{
		const std::string log = (root / "calls.log").string();
		Result r = Run(c.args, Shim(c, "none", 0, "EIO", log));
		EXPECT_EQ(r.status, c.ok_status) << c.name << ": with the shim and nothing failed\n" << Describe(r);
		EXPECT_NE(Read(c.output), kOld) << c.name << ": the output is written when nothing fails";
		std::map<std::string, int> n;
		std::istringstream in(cli_util::ReadFile(log));
		for (std::string op, path; in >> op >> path;)
			n[op]++;
		fs::remove(log);
		return n;
	}
	// Nothing but the output in its folder: no temporary file left.
	void ExpectNoTemporary(const Case &c, const std::string &what)
	{
		for (const auto &e : fs::directory_iterator(dir / fs::path(c.output).parent_path()))
			EXPECT_FALSE(Contains(e.path().filename().string(), ".tmp")) << what << ": left " << e.path();
	}
	void ExpectOldSurvives(const Case &c, const std::string &what)
	{
		EXPECT_EQ(Read(c.output), kOld) << what;
		EXPECT_EQ(fs::status(dir / c.output).permissions() & fs::perms::all, fs::perms(0640)) << what;
		ExpectNoTemporary(c, what);
	}
};

// Every call of every kind, with both errors: exit 2, the path and why.
TEST_F(OutputFaults, EveryFailedCallLeavesTheOldFileAndSaysWhy)
{
	for (const Case &c : Cases()) {
		Prepare(c);
		std::map<std::string, int> n = Count(c);
		for (const char *op : {"write", "fsync", "close", "rename", "open"})
			EXPECT_GE(n[op], 1) << c.name << ": no " << op << " of the output seen; is it written through lib/files.c?";
		// Only one output: its temporary file is created once, closed once, renamed once.
		EXPECT_EQ(n["open"], 1) << c.name;
		EXPECT_EQ(n["rename"], 1) << c.name;
		for (const char *op : kOps) {
			for (int k = 1; k <= n[op]; k++) {
				for (const char *err : {"ENOSPC", "EIO"}) {
					const std::string what = std::string(c.name) + ": " + op + " #" + std::to_string(k) + " " + err;
					PutOld(c);
					Result r = Run(c.args, Shim(c, op, k, err));
					EXPECT_EQ(r.status, c.fail_status) << what << "\n" << Describe(r);
					EXPECT_TRUE(Contains(r.err, c.output + ": ")) << what << ": the path\n" << r.err;
					EXPECT_TRUE(Contains(r.err, std::strerror(err == std::string("EIO") ? EIO : ENOSPC)))
					    << what << ": why\n" << r.err;
					ExpectOldSurvives(c, what);
				}
			}
		}
	}
}

// A trace long enough for several writes: each of them fails cleanly.
TEST_F(OutputFaults, EachOfManyWritesFailsCleanly)
{
	Case c{"long-run", "a.scn", "run a.scn -o out/t.trace", "out/t.trace", "/out/", 1};   // its counts fail
	Prepare(c);
	Write("a.scn", explore_test::Replaced(kGood, "run 20000", "every 300 irq 32 -> L1 cpu0\nrun 300000"));
	std::map<std::string, int> n = Count(c);
	EXPECT_GE(n["write"], 3) << "a trace of " << Read("out/t.trace").size() << " bytes";
	for (int k = 1; k <= n["write"]; k++) {
		PutOld(c);
		Result r = Run(c.args, Shim(c, "write", k, "ENOSPC"));
		EXPECT_EQ(r.status, 2) << k << "\n" << Describe(r);
		EXPECT_TRUE(Contains(r.err, "out/t.trace: cannot write: No space left on device")) << r.err;
		ExpectOldSurvives(c, "write #" + std::to_string(k));
	}
}

// ---- a read-only checkout ------------------------------------------------------

// A compare-only check needs no write access beside its golden: with every
// change to traces/ failing with EROFS (the shim's readonly mode, which
// holds for root too), it passes and leaves traces/ as it was; --bless there
// fails naming the golden and why, and keeps it byte for byte.
TEST_F(OutputFaults, ACompareOnlyCheckNeedsNoWriteAccessBesideTheGolden)
{
	const Case c{"read-only", "scenarios/a.scn", "", "traces/a.trace", "/traces/", 0};
	Write("scenarios/a.scn", kGood);
	Result r = Run("check scenarios/a.scn --bless");
	ASSERT_EQ(r.status, 0) << Describe(r);
	const std::string golden = Read("traces/a.trace");
	const std::set<std::string> before = Files();
	const std::string log = (root / "changes.log").string();

	for (const char *args : {"check scenarios/a.scn", "check scenarios/a.scn --golden traces/a.trace"}) {
		r = Run(args, Shim(c, "readonly", 0, "EROFS", log));
		EXPECT_EQ(r.status, 0) << args << "\n" << Describe(r);
		EXPECT_EQ(r.err, "") << args;
		EXPECT_EQ(Read("traces/a.trace"), golden) << args;
		EXPECT_EQ(Files(), before) << args;
		EXPECT_EQ(cli_util::ReadFile(log), "") << args << ": it tried to change traces/";
	}
	// The shim saw the folder (a path it would refuse is logged): what was tried, if anything, failed harmlessly.
	r = Run("run scenarios/a.scn -o traces/x.trace", Shim(c, "readonly", 0, "EROFS", log));
	EXPECT_EQ(r.status, 2) << "the shim refuses writes there\n" << Describe(r);
	EXPECT_TRUE(Contains(cli_util::ReadFile(log), "/traces/x.trace")) << cli_util::ReadFile(log);

	// A scenario that now differs from its golden: --bless cannot replace it.
	Write("scenarios/a.scn", explore_test::Replaced(kGood, "run 20000", "run 30000"));
	r = Run("check scenarios/a.scn --bless", Shim(c, "readonly", 0, "EROFS"));
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_TRUE(Contains(r.err, "traces/a.trace")) << r.err;
	EXPECT_TRUE(Contains(r.err, std::strerror(EROFS))) << r.err;
	EXPECT_EQ(Read("traces/a.trace"), golden);
	EXPECT_EQ(Files(), before);
}

// ---- a real full disk ----------------------------------------------------------

// A 64 KiB tmpfs at root/full, filled up but for what the old files take.
class FullDisk : public OutputFaults {
protected:
	fs::path mnt;
	bool mounted = false;

	void SetUp() override
	{
		OutputFaults::SetUp();
		if (geteuid() != 0)
			GTEST_SKIP() << "not root: cannot mount a small tmpfs (the shim's tests cover ENOSPC without one)";
		mnt = dir / "full";
		fs::create_directory(mnt);
		if (mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=64k") != 0)
			GTEST_SKIP() << "mount -t tmpfs -o size=64k refused here (" << std::strerror(errno)
			             << "): no real full disk; the shim's tests cover ENOSPC without one";
		mounted = true;
	}
	void TearDown() override
	{
		if (mounted)
			umount2(mnt.c_str(), MNT_DETACH);
		OutputFaults::TearDown();
	}
	// Fill what is left of the tmpfs.
	void Fill()
	{
		std::ofstream f(mnt / "filler", std::ios::binary);
		std::string block(4096, 'x');
		for (int i = 0; i < 64 && f.write(block.data(), (std::streamsize)block.size()) && f.flush(); i++) {
		}
	}
};

TEST_F(FullDisk, EveryOutputFailsWithNoSpaceAndKeepsTheOldFile)
{
	const std::vector<Case> cases = {
	    {"run-o", "a.scn", "run a.scn -o full/t.trace", "full/t.trace", "", 0},
	    {"check-bless", "a.scn", "check a.scn --golden full/g.trace --bless", "full/g.trace", "", 0},
	    {"explore-report", "one.scn", "explore one.scn --shard 1/1 --report full/r.txt -j1", "full/r.txt", "", 1},
	    {"explore-repro", "one.scn", "explore one.scn --out full -j1", "full/one.fail-1.scn", "", 1},
	};
	for (const Case &c : cases) {
		Prepare(c);
		fs::remove(mnt / "filler");
		Fill();
		Result r = Run(c.args);
		EXPECT_EQ(r.status, 2) << c.name << "\n" << Describe(r);
		EXPECT_TRUE(Contains(r.err, c.output + ": cannot write: No space left on device")) << c.name << "\n" << r.err;
		ExpectOldSurvives(c, c.name);
		fs::remove(dir / c.output);
	}
}

// What goes to standard output: the reason, exit 2, for every command.
TEST_F(FullDisk, StandardOutputOnAFullDiskSaysSo)
{
	Write("a.scn", kGood);
	Write("scenarios/a.scn", kGood);
	Write("one.scn", explore_test::OneNmi("3000..3003", 2));
	Write("nested.scn", cli_util::ReadFile(fs::path(VMXSIM_SOURCE_DIR) / "scenarios/nested/ack-on-exit.scn"));
	Write("t1", "0 0 L1 a\n");
	Write("t2", "0 0 L1 b\n");
	Fill();
	for (const char *args : {"run a.scn", "stat a.scn", "list scenarios", "suite scenarios --out o",
	                         "explore one.scn --no-repro -j1", "equiv nested.scn", "diff t1 t2"}) {
		const std::string cmd = "cd " + Quote(dir.string()) + " && env -u CI " + Quote(VMXSIM_BIN) + " " + args +
		                        " </dev/null >full/out 2>" + Quote((root / "err").string());
		int rc = std::system(cmd.c_str());
		const std::string err = cli_util::ReadFile(root / "err");
		EXPECT_TRUE(rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 2) << args << ": " << rc << "\n" << err;
		EXPECT_TRUE(Contains(err, "standard output: cannot write")) << args << "\n" << err;
		EXPECT_TRUE(Contains(err, "No space left on device")) << args << "\n" << err;
	}
}

// ---- modes ----------------------------------------------------------------------

class OutputRules : public OutputFaults {};

TEST_F(OutputRules, AReplacedFileKeepsItsModeAndANewOneHasTheUmasks)
{
	for (const Case &c : Cases()) {
		Prepare(c);
		fs::permissions(dir / c.output, fs::perms(0604));
		Result r = Run(c.args);
		EXPECT_EQ(r.status, c.ok_status) << c.name << "\n" << Describe(r);
		EXPECT_NE(Read(c.output), kOld) << c.name;
		EXPECT_EQ(fs::status(dir / c.output).permissions() & fs::perms::all, fs::perms(0604)) << c.name;
		for (mode_t mask : {022, 027, 077}) {
			fs::remove(dir / c.output);
			mode_t before = umask(mask);
			r = Run(c.args);
			umask(before);
			EXPECT_EQ(r.status, c.ok_status) << c.name << "\n" << Describe(r);
			EXPECT_EQ(fs::status(dir / c.output).permissions() & fs::perms::all, fs::perms(0666 & ~mask))
			    << c.name << " umask " << std::oct << mask;
		}
	}
}

// ---- symbolic links ----------------------------------------------------------------

// An output that is a link is followed to a target within the link's own
// folder tree, and refused (exit 2, both untouched) when it leads out of it.
TEST_F(OutputRules, ALinkIsFollowedOnlyWithinItsFolderTree)
{
	Write("a.scn", kGood);
	Write("out/sub/t.trace", kOld);
	Write("elsewhere/t.trace", kOld);
	fs::create_symlink("sub/t.trace", dir / "out/in.trace");
	fs::create_symlink("../elsewhere/t.trace", dir / "out/up.trace");
	fs::create_symlink((dir / "elsewhere/t.trace").string(), dir / "out/abs.trace");
	fs::create_symlink("sub/none.trace", dir / "out/dangling.trace");

	Result r = Run("run a.scn -o out/in.trace");
	EXPECT_EQ(r.status, 0) << Describe(r);
	EXPECT_TRUE(fs::is_symlink(dir / "out/in.trace")) << "the link stays a link";
	EXPECT_EQ(Read("out/sub/t.trace"), Run("run a.scn").out) << "its target has the trace";

	for (const char *link : {"out/up.trace", "out/abs.trace"}) {
		r = Run(std::string("run a.scn -o ") + link);
		EXPECT_EQ(r.status, 2) << link << "\n" << Describe(r);
		EXPECT_TRUE(Contains(r.err, std::string(link) + ": a symbolic link to " +
		                                fs::canonical(dir / "elsewhere/t.trace").string() + ", outside the link's folder"))
		    << r.err;
		EXPECT_TRUE(fs::is_symlink(dir / link)) << link;
		EXPECT_EQ(Read("elsewhere/t.trace"), kOld) << link;
	}
	r = Run("run a.scn -o out/dangling.trace");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_TRUE(Contains(r.err, "out/dangling.trace: a symbolic link to nothing")) << r.err;
	EXPECT_FALSE(Exists("out/sub/none.trace"));

	// A golden that is a link out of traces/: not blessed through it.
	Write("scenarios/a.scn", kGood);
	fs::create_directories(dir / "traces");
	fs::create_symlink("../elsewhere/t.trace", dir / "traces/a.trace");
	r = Run("check scenarios/a.scn --bless");
	EXPECT_EQ(r.status, 2) << Describe(r);
	EXPECT_TRUE(Contains(r.err, "traces/a.trace: a symbolic link to ")) << r.err;
	EXPECT_EQ(Read("elsewhere/t.trace"), kOld);
	std::set<std::string> names;   // links as themselves (Files() names what they lead to)
	for (const auto &e : fs::recursive_directory_iterator(dir))
		if (!e.is_directory() || e.is_symlink())
			names.insert(e.path().lexically_relative(dir).string());
	EXPECT_EQ(names, (std::set<std::string>{"a.scn", "scenarios/a.scn", "out/sub/t.trace", "elsewhere/t.trace",
	                                         "out/in.trace", "out/up.trace", "out/abs.trace", "out/dangling.trace",
	                                         "traces/a.trace"}))
	    << "no temporary files";
}

// ---- folders ---------------------------------------------------------------------

// A folder the output cannot be made in: exit 2, the output and why.
TEST_F(OutputRules, AnUnwritableFolderNamesThePathAndWhy)
{
	Write("a.scn", kGood);
	Write("one.scn", explore_test::OneNmi("3000..3003", 2));
	fs::create_directory(dir / "ro");
	bool mounted = false;
	std::string why;
	if (geteuid() == 0) {
		// root writes through permissions: a read-only mount is what stops it.
		mounted = mount("tmpfs", (dir / "ro").c_str(), "tmpfs", MS_RDONLY, "size=16k") == 0;
		if (!mounted)
			GTEST_SKIP() << "root, and mount -t tmpfs -o ro refused here (" << std::strerror(errno)
			             << "): no folder root cannot write";
		why = std::strerror(EROFS);
	} else {
		fs::permissions(dir / "ro", fs::perms(0555));
		why = std::strerror(EACCES);
	}
	for (const char *args : {"run a.scn -o ro/t.trace", "check a.scn --golden ro/g.trace --bless",
	                         "explore one.scn --shard 1/1 --report ro/r.txt", "explore one.scn --out ro"}) {
		Result r = Run(args);
		EXPECT_EQ(r.status, 2) << args << "\n" << Describe(r);
		EXPECT_TRUE(Contains(r.err, "ro/")) << args << "\n" << r.err;
		EXPECT_TRUE(Contains(r.err, why)) << args << "\n" << r.err;
	}
	if (mounted)
		umount2((dir / "ro").c_str(), MNT_DETACH);
	else
		fs::permissions(dir / "ro", fs::perms(0755));
}

}  // namespace
