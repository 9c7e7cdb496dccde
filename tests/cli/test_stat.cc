/* SPDX-License-Identifier: Apache-2.0 */
// `vmxsim stat`, run as a user runs it (VMXSIM_BIN in a fresh temporary
// directory): the perf-kvm-stat table of a run checked against the golden
// traces of the shipped scenarios (counts per exit reason equal their vmexit
// lines; min/max/avg cycles equal the exit-to-next-entry times read from the
// golden), its shape and order, microseconds at the TSC frequency, no trace
// file left behind, and exit statuses as for `run`.
#include <gtest/gtest.h>

#include "cli/cli_util.h"

#include <sys/wait.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#ifndef VMXSIM_SOURCE_DIR
#error "VMXSIM_SOURCE_DIR must be defined"
#endif

namespace fs = std::filesystem;

namespace {

// An interrupt-window story under `l0 plain` at a 1 GHz TSC (a cycle is a
// nanosecond), every expectation holding.
const char kWindow[] =
	"# stat-window: a device interrupt waits for the interrupt window.\n"
	"cpu     nehalem tsc-hz 1GHz\n"
	"l0      plain\n"
	"\n"
	"guest L1\n"
	"  idt 32 timer interrupt-gate\n"
	"main:   work 1000\n"
	"        sti\n"
	"loop:   work 1000\n"
	"        jmp loop\n"
	"timer:  work 100\n"
	"        eoi\n"
	"        iret\n"
	"\n"
	"at 500 irq 32 -> L1 cpu0\n"
	"at 9000 irq 32 -> L1 cpu0\n"
	"run 20000\n"
	"expect count exit INTERRUPT_WINDOW == 2\n"
	"expect no nmi_nesting\n";

using cli_util::Quote;
using cli_util::ReadFile;
using cli_util::Result;

std::vector<std::string> Lines(const std::string &s)
{
	std::vector<std::string> v;
	std::istringstream in(s);
	for (std::string l; std::getline(in, l);)
		v.push_back(l);
	return v;
}

using cli_util::Describe;

// What the golden text trace says about exits: per reason, the count and
// the cycles from each exit to the next VM-entry attempt of its vCPU (a
// vmentry, a vmfail other than one L0 emulates for L1, or a vmexit that is a
// VM-entry failure).
struct Figures {
	uint64_t count = 0, timed = 0, min = 0, max = 0, sum = 0;
};

std::map<std::string, Figures> FromTextTrace(const std::string &trace)
{
	std::map<std::string, Figures> rows;
	struct Open {
		bool open = false;
		uint64_t cycle = 0;
		std::string reason;
	};
	std::map<std::string, Open> cpus;
	auto close = [&](Open &o, uint64_t cycle) {
		if (!o.open)
			return;
		o.open = false;
		Figures &f = rows[o.reason];
		uint64_t t = cycle - o.cycle;
		f.min = f.timed == 0 || t < f.min ? t : f.min;
		f.max = t > f.max ? t : f.max;
		f.sum += t;
		f.timed++;
	};
	for (const std::string &l : Lines(trace)) {
		std::istringstream in(l);
		uint64_t cycle;
		std::string cpu, level, kind;
		in >> cycle >> cpu >> level >> kind;
		Open &o = cpus[cpu];
		if (kind == "vmentry" || (kind == "vmfail" && l.find(" emulated=1") == std::string::npos)) {
			close(o, cycle);
		} else if (kind == "vmexit") {
			std::smatch m;
			EXPECT_TRUE(std::regex_search(l, m, std::regex(" reason=(\\S+)"))) << l;
			std::string reason = m[1];
			if (l.find(" failed_vmentry=1") != std::string::npos) {
				reason += " FAILED_VMENTRY";
				close(o, cycle);
			}
			rows[reason].count++;
			o.open = true;
			o.cycle = cycle;
			o.reason = reason;
		}
	}
	return rows;
}

// One row of the table as printed.
struct Row {
	std::string name;
	uint64_t count;
	double samples_pct, time_pct;
	std::string min, max, avg, min_us, max_us, avg_us;   // "-" when untimed
};

const std::regex kRow("^ *([A-Z0-9_x]+(?: FAILED_VMENTRY)?) +([0-9]+) +([0-9]+\\.[0-9]{2})% +([0-9]+\\.[0-9]{2})% +"
                      "([0-9]+|-) +([0-9]+|-) +([0-9]+|-) +([0-9]+\\.[0-9]{2}us|-) +([0-9]+\\.[0-9]{2}us|-) +"
                      "([0-9]+\\.[0-9]{2}us|-)$");
const std::regex kTotal("^Total Samples:([0-9]+), Total events handled time:([0-9]+\\.[0-9]{2})us\\.$");

// The table's rows, checking the lines around them; total = Total Samples.
std::vector<Row> ParseTable(const std::string &out, uint64_t *total)
{
	std::vector<std::string> lines = Lines(out);
	std::vector<Row> rows;
	size_t i = 0;

	EXPECT_GE(lines.size(), 5u) << out;
	if (lines.size() < 5)
		return rows;
	EXPECT_EQ(lines[0], "Analyze events for all VMs, all VCPUs:");
	while (i < lines.size() && lines[i].find("VM-EXIT") == std::string::npos)
		i++;
	EXPECT_LT(i, lines.size()) << "no header line\n" << out;
	if (i >= lines.size())
		return rows;
	EXPECT_TRUE(std::regex_match(lines[i], std::regex("^ *VM-EXIT +Samples +Samples% +Time% +Min cycles +Max cycles "
	                                                  "+Avg cycles +Min Time +Max Time +Avg time$")))
	    << lines[i];
	EXPECT_EQ(lines[i + 1], "");
	for (i += 2; i < lines.size() && !lines[i].empty(); i++) {
		std::smatch m;
		if (!std::regex_match(lines[i], m, kRow)) {
			ADD_FAILURE() << "not a row: '" << lines[i] << "'\n" << out;
			continue;
		}
		rows.push_back(Row{m[1], std::stoull(m[2]), std::stod(m[3]), std::stod(m[4]), m[5], m[6], m[7], m[8], m[9],
		                   m[10]});
	}
	// A blank line, then the total, last.
	EXPECT_EQ(i + 2, lines.size()) << out;
	std::smatch m;
	bool ok = std::regex_match(lines.back(), m, kTotal);
	EXPECT_TRUE(ok) << lines.back();
	*total = ok ? std::stoull(m[1]) : UINT64_MAX;
	return rows;
}

class StatCli : public cli_util::WorkdirTest {
protected:
	// The table of `stat` against the figures read from `trace` (a text trace of the same run).
	void CheckAgainst(const Result &r, const std::string &trace, const std::string &what)
	{
		SCOPED_TRACE(what);
		std::map<std::string, Figures> want = FromTextTrace(trace);
		uint64_t total = UINT64_MAX, exits = 0;
		std::vector<Row> rows = ParseTable(r.out, &total);
		std::set<std::string> seen;
		double samples_pct = 0, time_pct = 0;

		for (const auto &w : want)
			exits += w.second.count;
		EXPECT_EQ(total, exits) << Describe(r);
		EXPECT_EQ(rows.size(), want.size()) << Describe(r);
		for (size_t i = 0; i < rows.size(); i++) {
			const Row &row = rows[i];
			EXPECT_TRUE(seen.insert(row.name).second) << "two rows for " << row.name;
			// By count, most first; then by name.
			if (i > 0) {
				const Row &prev = rows[i - 1];
				EXPECT_TRUE(prev.count > row.count || (prev.count == row.count && prev.name < row.name))
				    << prev.name << " before " << row.name;
			}
			auto it = want.find(row.name);
			if (it == want.end()) {
				ADD_FAILURE() << "no " << row.name << " exits in the trace";
				continue;
			}
			const Figures &f = it->second;
			EXPECT_EQ(row.count, f.count) << row.name;
			if (f.timed) {
				EXPECT_EQ(row.min, std::to_string(f.min)) << row.name;
				EXPECT_EQ(row.max, std::to_string(f.max)) << row.name;
				EXPECT_EQ(row.avg, std::to_string((f.sum + f.timed / 2) / f.timed)) << row.name;
			} else {
				EXPECT_EQ(row.min + row.max + row.avg + row.min_us + row.max_us + row.avg_us, "------") << row.name;
			}
			EXPECT_NEAR(row.samples_pct, 100.0 * (double)f.count / (double)exits, 0.006) << row.name;
			samples_pct += row.samples_pct;
			time_pct += row.time_pct;
		}
		if (!rows.empty()) {
			EXPECT_NEAR(samples_pct, 100.0, 0.01 * (double)rows.size());
		}
		uint64_t timed_sum = 0;
		for (const auto &w : want)
			timed_sum += w.second.sum;
		if (timed_sum) {
			EXPECT_NEAR(time_pct, 100.0, 0.01 * (double)rows.size());
		}
	}
};

// ---- against the shipped scenarios' goldens --------------------------------------

TEST_F(StatCli, CountsAndTimesMatchTheGoldenTraceOfEveryShippedScenario)
{
	const fs::path src = VMXSIM_SOURCE_DIR;
	size_t checked = 0;

	if (!fs::exists(src / "scenarios"))
		GTEST_SKIP() << "no shipped scenarios";
	std::vector<fs::path> scns;
	for (const auto &e : fs::recursive_directory_iterator(src / "scenarios"))
		if (e.path().extension() == ".scn")
			scns.push_back(e.path());
	std::sort(scns.begin(), scns.end());
	for (const fs::path &scn : scns) {
		fs::path golden = src / "traces" / fs::relative(scn, src / "scenarios");
		golden.replace_extension(".trace");
		if (!fs::exists(golden))
			continue;
		Result r = Run("stat " + Quote(scn.string()));
		Result run = Run("run " + Quote(scn.string()) + " -o /dev/null");
		EXPECT_EQ(r.status, run.status) << scn << "\n" << Describe(r);
		CheckAgainst(r, ReadFile(golden), scn.string());
		checked++;
	}
	EXPECT_GT(checked, 0u);
}

TEST_F(StatCli, SeveralVcpusAndAnExitWithoutEntry)
{
	const fs::path src = VMXSIM_SOURCE_DIR;
	if (!fs::exists(src / "scenarios/hw/smp-ipi.scn") || !fs::exists(src / "scenarios/hw/entry-fail-irq-if0.scn"))
		GTEST_SKIP() << "no shipped scenarios";

	// Exits of several vCPUs, paired per vCPU.
	Result r = Run("stat " + Quote((src / "scenarios/hw/smp-ipi.scn").string()));
	EXPECT_EQ(r.status, 0) << Describe(r);
	CheckAgainst(r, ReadFile(src / "traces/hw/smp-ipi.trace"), "smp-ipi");

	// A VM-entry failure that stops the vCPU: a sample without a time, and a note saying so.
	r = Run("stat " + Quote((src / "scenarios/hw/entry-fail-irq-if0.scn").string()));
	EXPECT_EQ(r.status, 0) << Describe(r);
	CheckAgainst(r, ReadFile(src / "traces/hw/entry-fail-irq-if0.trace"), "entry-fail-irq-if0");
	EXPECT_NE(r.out.find("(1 of the exits had no VM entry after them"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("INVALID_STATE FAILED_VMENTRY          1   100.00%     0.00%"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("Total Samples:1, Total events handled time:0.00us."), std::string::npos) << r.out;
}

// ---- a story written here ----------------------------------------------------------

TEST_F(StatCli, MicrosecondsAreCyclesAtTheTscFrequency)
{
	Write("w.scn", kWindow);
	Result trace = Run("run w.scn");
	ASSERT_EQ(trace.status, 0) << Describe(trace);
	Result r = Run("stat w.scn");
	ASSERT_EQ(r.status, 0) << Describe(r);
	CheckAgainst(r, trace.out, "w.scn");
	EXPECT_NE(r.out.find("us at a TSC of 1000000000 Hz"), std::string::npos) << r.out;

	// At 1 GHz a microsecond is 1000 cycles.
	std::map<std::string, Figures> want = FromTextTrace(trace.out);
	uint64_t total = 0, sum = 0;
	char buf[64];
	for (const Row &row : ParseTable(r.out, &total)) {
		const Figures &f = want[row.name];
		ASSERT_GT(f.timed, 0u) << row.name;
		snprintf(buf, sizeof(buf), "%.2fus", (double)f.min / 1000.0);
		EXPECT_EQ(row.min_us, buf) << row.name;
		snprintf(buf, sizeof(buf), "%.2fus", (double)f.max / 1000.0);
		EXPECT_EQ(row.max_us, buf) << row.name;
		snprintf(buf, sizeof(buf), "%.2fus", (double)f.sum / (double)f.timed / 1000.0);
		EXPECT_EQ(row.avg_us, buf) << row.name;
		sum += f.sum;
	}
	snprintf(buf, sizeof(buf), "Total events handled time:%.2fus.", (double)sum / 1000.0);
	EXPECT_NE(r.out.find(buf), std::string::npos) << r.out;
	EXPECT_GE(want.size(), 2u) << "the story should have several exit reasons\n" << trace.out;

	// The same bytes every time, and no trace file.
	EXPECT_EQ(Run("stat w.scn").out, r.out);
	EXPECT_EQ(Files(), std::set<std::string>{"w.scn"});
	EXPECT_EQ(r.err, "");
}

// ---- exit statuses, as for run -------------------------------------------------------

TEST_F(StatCli, AFailedExpectationExitsOneAndStillPrintsTheTable)
{
	std::string scn = kWindow;
	scn.replace(scn.find("INTERRUPT_WINDOW == 2"), 21, "INTERRUPT_WINDOW == 5");
	Write("w.scn", scn);
	Result r = Run("stat w.scn");
	EXPECT_EQ(r.status, 1) << Describe(r);
	EXPECT_EQ(r.status, Run("run w.scn").status);
	EXPECT_NE(r.err.find("w.scn:18:1: expectation failed: count exit INTERRUPT_WINDOW == 5"), std::string::npos)
	    << r.err;
	uint64_t total = 0;
	EXPECT_FALSE(ParseTable(r.out, &total).empty()) << r.out;
}

TEST_F(StatCli, BadInputAndUsageExitTwoWithoutATable)
{
	std::string bad = kWindow;
	bad.replace(bad.find("plain"), 5, "no-such-l0");
	Write("bad.scn", bad);
	Write("w.scn", kWindow);
	for (const char *args : {"stat bad.scn", "stat missing.scn", "stat", "stat w.scn w.scn", "stat --bogus w.scn",
	                         "stat w.scn -o t.trace"}) {
		Result r = Run(args);
		EXPECT_EQ(r.status, 2) << args << "\n" << Describe(r);
		EXPECT_EQ(r.out.find("Total Samples"), std::string::npos) << args << "\n" << r.out;
		EXPECT_NE(r.err, "") << args;
	}
	Result r = Run("stat bad.scn");
	EXPECT_EQ(r.err.rfind("bad.scn:3:9: unknown L0 hypervisor 'no-such-l0'", 0), 0u) << r.err;   // as run says it
	EXPECT_EQ(r.err, Run("run bad.scn").err);
}

TEST_F(StatCli, UsageMentionsStat)
{
	Result r = Run("--help");
	EXPECT_EQ(r.status, 0) << Describe(r);
	EXPECT_NE(r.out.find("stat FILE.scn"), std::string::npos) << r.out;
}

}  // namespace
