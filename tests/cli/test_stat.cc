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
#include <cmath>
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

// What a text trace says about exits, as perf would count them: per reason,
// the exits that a VM-entry attempt of their vCPU follows (a vmentry, a
// vmfail other than one L0 emulates for L1, or a vmexit that is a VM-entry
// failure), with the nanoseconds in between (each timestamp rounded from
// cycles at the TSC, as the trace.dat writer does) and the cycles.
struct Figures {
	uint64_t count = 0, min = UINT64_MAX, max = 0, sum = 0;   // ns
	uint64_t cmin = UINT64_MAX, cmax = 0, csum = 0;           // cycles
	std::vector<double> samples;
};

uint64_t Ns(uint64_t cycle, uint64_t tsc_hz)
{
	return (uint64_t)(((unsigned __int128)cycle * 1000000000u + tsc_hz / 2) / tsc_hz);
}

std::map<std::string, Figures> FromTextTrace(const std::string &trace, uint64_t tsc_hz, int vcpu = -1,
                                             uint64_t *left_open = nullptr)
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
		uint64_t t = Ns(cycle, tsc_hz) - Ns(o.cycle, tsc_hz), c = cycle - o.cycle;
		f.count++;
		f.min = std::min(f.min, t);
		f.max = std::max(f.max, t);
		f.sum += t;
		f.cmin = std::min(f.cmin, c);
		f.cmax = std::max(f.cmax, c);
		f.csum += c;
		f.samples.push_back((double)t);
	};
	for (const std::string &l : Lines(trace)) {
		std::istringstream in(l);
		uint64_t cycle;
		std::string cpu, level, kind;
		in >> cycle >> cpu >> level >> kind;
		if (vcpu >= 0 && cpu != "cpu" + std::to_string(vcpu))
			continue;
		Open &o = cpus[cpu];
		if (kind == "vmentry" || (kind == "vmfail" && l.find(" emulated=1") == std::string::npos)) {
			close(o, cycle);
		} else if (kind == "vmexit") {
			std::smatch m;
			EXPECT_TRUE(std::regex_search(l, m, std::regex(" reason=(\\S+)"))) << l;
			std::string reason = m[1];
			if (l.find(" failed_vmentry=1") != std::string::npos) {
				reason += "+FAILED_VMENTRY";
				close(o, cycle);
			}
			o.open = true;
			o.cycle = cycle;
			o.reason = reason;
		}
	}
	if (left_open) {
		*left_open = 0;
		for (const auto &c : cpus)
			*left_open += c.second.open;
	}
	return rows;
}

// One row of the table as printed.
struct Row {
	std::string name;
	uint64_t count;
	double samples_pct, time_pct, min_us, max_us, avg_us, spread;
	std::string cycles;   // "MIN MAX AVG" with --cycles, else ""
};

const std::regex kRow("^ *(\\S+) +([0-9]+) +([0-9]+\\.[0-9]{2})% +([0-9]+\\.[0-9]{2})% +([0-9]+\\.[0-9]{2})us +"
                      "([0-9]+\\.[0-9]{2})us +([0-9]+\\.[0-9]{2})us \\( \\+- *([0-9]+\\.[0-9]{2})% \\)"
                      "(?: +([0-9]+) +([0-9]+) +([0-9]+))?$");
const std::regex kTotal("^Total Samples:([0-9]+), Total events handled time:([0-9]+\\.[0-9]{2})us\\.$");

// perf kvm stat report's own printf formats (tools/perf/builtin-kvm.c, print_result).
std::string PerfHeader()
{
	char b[256];
	snprintf(b, sizeof(b), "%20s %10s %9s %9s %11s %11s %16s ", "VM-EXIT", "Samples", "Samples%", "Time%", "Min Time",
	         "Max Time", "Avg time");
	return b;
}

std::string PerfRow(const Row &r)
{
	char b[256];
	snprintf(b, sizeof(b), "%20s %10llu %8.2f%% %8.2f%% %9.2fus %9.2fus %9.2fus ( +-%7.2f%% )", r.name.c_str(),
	         (unsigned long long)r.count, r.samples_pct, r.time_pct, r.min_us, r.max_us, r.avg_us, r.spread);
	return b;
}

// The table's rows, checking every other line against perf's layout byte for
// byte; total = Total Samples.
std::vector<Row> ParseTable(const std::string &out, uint64_t *total, const std::string &who = "all VCPUs")
{
	std::vector<std::string> lines = Lines(out);
	std::vector<Row> rows;
	size_t i;

	EXPECT_GE(lines.size(), 8u) << out;
	if (lines.size() < 8)
		return rows;
	EXPECT_EQ(lines[0], "");
	EXPECT_EQ(lines[1], "");
	EXPECT_EQ(lines[2], "Analyze events for all VMs, " + who + ":");
	EXPECT_EQ(lines[3], "");
	EXPECT_EQ(lines[4].substr(0, PerfHeader().size()), PerfHeader());
	EXPECT_EQ(lines[5], "");
	for (i = 6; i < lines.size() && !lines[i].empty(); i++) {
		std::smatch m;
		if (!std::regex_match(lines[i], m, kRow)) {
			ADD_FAILURE() << "not a row: '" << lines[i] << "'\n" << out;
			continue;
		}
		Row r{m[1], std::stoull(m[2]), std::stod(m[3]), std::stod(m[4]), std::stod(m[5]), std::stod(m[6]),
		      std::stod(m[7]), std::stod(m[8]), m[9].matched ? m[9].str() + " " + m[10].str() + " " + m[11].str() : ""};
		// perf's columns, at perf's positions.
		EXPECT_EQ(lines[i].substr(0, PerfRow(r).size()), PerfRow(r));
		rows.push_back(r);
	}
	// A blank line, the total, a blank line.
	EXPECT_EQ(i + 3, lines.size()) << out;
	std::smatch m;
	bool ok = i + 1 < lines.size() && std::regex_match(lines[i + 1], m, kTotal);
	EXPECT_TRUE(ok) << out;
	*total = ok ? std::stoull(m[1]) : UINT64_MAX;
	return rows;
}

// perf's spread: the standard error of the mean in percent of the mean.
double Spread(const std::vector<double> &v)
{
	if (v.size() < 2)
		return 0.0;
	double mean = 0, ss = 0;
	for (double x : v)
		mean += x;
	mean /= (double)v.size();
	for (double x : v)
		ss += (x - mean) * (x - mean);
	return mean ? 100.0 * std::sqrt(ss / (double)(v.size() - 1) / (double)v.size()) / mean : 0.0;
}

// The TSC frequency a scenario runs at: its `tsc-hz`, else its CPU model's (vmcs/cpu_models.def).
uint64_t TscOf(const std::string &scenario_text)
{
	std::smatch m;
	if (std::regex_search(scenario_text, m, std::regex("tsc-hz +([0-9.]+) *(G|M|k)?(?:Hz)?"))) {
		long double unit = m[2] == "G" ? 1e9L : m[2] == "M" ? 1e6L : m[2] == "k" ? 1e3L : 1.0L;
		return (uint64_t)(std::stold(m[1]) * unit + 0.5L);
	}
	std::string model = "core2-no-vnmi";
	if (std::regex_search(scenario_text, m, std::regex("(?:^|\n)cpu +([a-z0-9-]+)")))
		model = m[1];
	const std::string def = ReadFile(fs::path(VMXSIM_SOURCE_DIR) / "vmcs/cpu_models.def");
	if (std::regex_search(def, m, std::regex("CPU_MODEL\\(\"" + model + "\"[\\s\\S]*?([0-9]+)ull")))
		return std::stoull(m[1]);
	ADD_FAILURE() << "no TSC for CPU model " << model;
	return 1;
}

class StatCli : public cli_util::WorkdirTest {
protected:
	// The table of `stat` against the figures read from `trace` (a text trace of the same run).
	void CheckAgainst(const Result &r, const std::string &trace, uint64_t tsc_hz, const std::string &what,
	                  int vcpu = -1)
	{
		SCOPED_TRACE(what);
		std::map<std::string, Figures> want = FromTextTrace(trace, tsc_hz, vcpu);
		uint64_t total = UINT64_MAX, exits = 0, time = 0;
		std::vector<Row> rows =
		    ParseTable(r.out, &total, vcpu < 0 ? "all VCPUs" : "VCPU " + std::to_string(vcpu));
		std::set<std::string> seen;

		for (const auto &w : want) {
			exits += w.second.count;
			time += w.second.sum;
		}
		EXPECT_EQ(total, exits) << Describe(r);
		EXPECT_EQ(rows.size(), want.size()) << Describe(r);
		char buf[64];
		snprintf(buf, sizeof(buf), "Total events handled time:%.2fus.", (double)time / 1000.0);
		EXPECT_NE(r.out.find(buf), std::string::npos) << r.out;
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
			EXPECT_NEAR(row.min_us, (double)f.min / 1000.0, 0.0051) << row.name;
			EXPECT_NEAR(row.max_us, (double)f.max / 1000.0, 0.0051) << row.name;
			EXPECT_NEAR(row.avg_us, (double)f.sum / (double)f.count / 1000.0, 0.0051) << row.name;
			EXPECT_NEAR(row.samples_pct, 100.0 * (double)f.count / (double)exits, 0.0051) << row.name;
			EXPECT_NEAR(row.time_pct, time ? 100.0 * (double)f.sum / (double)time : 0.0, 0.0051) << row.name;
			EXPECT_NEAR(row.spread, Spread(f.samples), 0.0051) << row.name;
			if (!row.cycles.empty()) {
				EXPECT_EQ(row.cycles, std::to_string(f.cmin) + " " + std::to_string(f.cmax) + " " +
				                          std::to_string((f.csum + f.count / 2) / f.count))
				    << row.name;
			}
		}
	}
};

// ---- against the shipped scenarios' goldens --------------------------------------

/*
 * Every shipped scenario with a golden, in four shards (the scenario's
 * index modulo 4), so that each ctest test stays well inside its time
 * limit under the sanitizers as the shipped scenarios grow.
 */
class StatCliShipped : public StatCli, public ::testing::WithParamInterface<size_t> {};

constexpr size_t kStatShards = 4;

TEST_P(StatCliShipped, CountsAndTimesMatchTheGoldenTraceOfEveryShippedScenario)
{
	const fs::path src = VMXSIM_SOURCE_DIR;
	size_t checked = 0, index = 0;

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
		if (!fs::exists(golden) || index++ % kStatShards != GetParam())
			continue;
		std::string text = ReadFile(scn);
		uint64_t tsc = TscOf(text);
		Result r = Run("stat --no-progress " + Quote(scn.string()));
		Result run = Run("run " + Quote(scn.string()) + " -o /dev/null");
		EXPECT_EQ(r.status, run.status) << scn << "\n" << Describe(r);
		if (r.status == 2)
			continue;
		CheckAgainst(r, ReadFile(golden), tsc, scn.string());
		checked++;
	}
	EXPECT_GT(checked, 0u);
}

INSTANTIATE_TEST_SUITE_P(Shard, StatCliShipped, ::testing::Range<size_t>(0, kStatShards));

TEST_F(StatCli, SeveralVcpusOneVcpuAndAnExitWithoutEntry)
{
	const fs::path src = VMXSIM_SOURCE_DIR;
	if (!fs::exists(src / "scenarios/hw/smp-ipi.scn") || !fs::exists(src / "scenarios/hw/entry-fail-irq-if0.scn"))
		GTEST_SKIP() << "no shipped scenarios";
	const std::string smp = Quote((src / "scenarios/hw/smp-ipi.scn").string());
	const std::string smp_trace = ReadFile(src / "traces/hw/smp-ipi.trace");
	const uint64_t tsc = TscOf(ReadFile(src / "scenarios/hw/smp-ipi.scn"));

	// Exits of several vCPUs, paired per vCPU; then each vCPU alone (--vcpu).
	Result r = Run("stat " + smp);
	EXPECT_EQ(r.status, 0) << Describe(r);
	CheckAgainst(r, smp_trace, tsc, "smp-ipi");
	for (int v = 0; v < 2; v++) {
		r = Run("stat --vcpu " + std::to_string(v) + " " + smp);
		EXPECT_EQ(r.status, 0) << Describe(r);
		CheckAgainst(r, smp_trace, tsc, "smp-ipi vcpu " + std::to_string(v), v);
	}
	// A vCPU the machine does not have: an empty table, as perf prints one.
	r = Run("stat --vcpu 7 " + smp);
	EXPECT_EQ(r.status, 0) << Describe(r);
	EXPECT_NE(r.out.find("Analyze events for all VMs, VCPU 7:"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("Total Samples:0, Total events handled time:0.00us."), std::string::npos) << r.out;

	// A VM-entry failure that stops the vCPU: no sample (perf counts an exit only at its entry), a note on
	// standard error, and the failure's row name is one word.
	r = Run("stat " + Quote((src / "scenarios/hw/entry-fail-irq-if0.scn").string()));
	EXPECT_EQ(r.status, 0) << Describe(r);
	uint64_t open = 0;
	FromTextTrace(ReadFile(src / "traces/hw/entry-fail-irq-if0.trace"), tsc, -1, &open);
	EXPECT_EQ(open, 1u);
	EXPECT_NE(r.err.find("vmxsim stat: 1 VM exit had no VM entry after it"), std::string::npos) << r.err;
	EXPECT_NE(r.out.find("Total Samples:0, Total events handled time:0.00us."), std::string::npos) << r.out;
}

TEST_F(StatCli, KeyTimeSortsByTheAverageAndCyclesAddThreeColumns)
{
	Write("w.scn", kWindow);
	Result trace = Run("run w.scn");
	ASSERT_EQ(trace.status, 0) << Describe(trace);
	Result r = Run("stat --key time --cycles w.scn");
	ASSERT_EQ(r.status, 0) << Describe(r);
	uint64_t total = 0;
	std::vector<Row> rows = ParseTable(r.out, &total);
	ASSERT_GE(rows.size(), 2u) << r.out;
	for (size_t i = 1; i < rows.size(); i++)
		EXPECT_GE(rows[i - 1].avg_us, rows[i].avg_us) << r.out;
	for (const Row &row : rows)
		EXPECT_FALSE(row.cycles.empty()) << row.name;
	// The cycle columns are right-aligned under their headers.
	std::vector<std::string> lines = Lines(r.out);
	size_t end = lines[4].find("Min cycles") + 10;
	for (size_t i = 6; i < 6 + rows.size(); i++) {
		std::smatch m;
		ASSERT_TRUE(std::regex_match(lines[i], m, kRow));
		EXPECT_EQ((size_t)(m.position(9) + m.length(9)), end) << lines[i];
	}
	CheckAgainst(r, trace.out, 1000000000ull, "w.scn --key time --cycles");
	// Without --cycles and with --key sample, the same rows in perf's default order.
	Result d = Run("stat --key sample w.scn");
	EXPECT_EQ(d.out, Run("stat w.scn").out);
	EXPECT_EQ(ParseTable(d.out, &total).size(), rows.size());
}

TEST_F(StatCli, ATraceDatOfARunGivesTheScenariosTable)
{
	const fs::path src = VMXSIM_SOURCE_DIR;
	if (!fs::exists(src / "scenarios"))
		GTEST_SKIP() << "no shipped scenarios";
	Write("w.scn", kWindow);
	Result probe = Run("run --format trace-dat -o w.dat w.scn");
	ASSERT_EQ(probe.status, 0) << Describe(probe);
	Result first = Run("stat w.dat");
	if (first.status == 2 && first.err.find("built without libtracecmd") != std::string::npos)
		GTEST_SKIP() << "vmxsim built without libtracecmd: " << first.err;
	// A sample of the shipped scenarios (every tenth, sorted), with several vCPUs and nested L0s among them.
	std::vector<fs::path> scns;
	for (const auto &e : fs::recursive_directory_iterator(src / "scenarios"))
		if (e.path().extension() == ".scn")
			scns.push_back(e.path());
	std::sort(scns.begin(), scns.end());
	scns.push_back(src / "scenarios/hw/smp-ipi.scn");
	size_t compared = 0;
	for (size_t i = 0; i < scns.size(); i += (i + 1 == scns.size() ? 1 : 10)) {
		const std::string scn = Quote(scns[i].string());
		if (Run("run --format trace-dat -o t.dat " + scn).status == 2)
			continue;
		for (const char *opts : {"", "--vcpu 1 ", "--key time "}) {
			Result a = Run(std::string("stat ") + opts + scn), b = Run(std::string("stat ") + opts + "t.dat");
			EXPECT_EQ(b.status, 0) << scns[i] << " " << opts << Describe(b);
			EXPECT_EQ(a.out, b.out) << scns[i] << " " << opts;
		}
		compared++;
	}
	EXPECT_GT(compared, 20u);
	// A trace.dat has no cycles.
	Result c = Run("stat --cycles w.dat");
	EXPECT_EQ(c.status, 2) << Describe(c);
	EXPECT_NE(c.err.find("has times but no cycles"), std::string::npos) << c.err;
}

TEST_F(StatCli, MicrosecondsAreNanosecondsAtTheTscFrequency)
{
	Write("w.scn", kWindow);
	Result trace = Run("run w.scn");
	ASSERT_EQ(trace.status, 0) << Describe(trace);
	Result r = Run("stat w.scn");
	ASSERT_EQ(r.status, 0) << Describe(r);
	CheckAgainst(r, trace.out, 1000000000ull, "w.scn");
	std::map<std::string, Figures> want = FromTextTrace(trace.out, 1000000000ull);
	EXPECT_GE(want.size(), 2u) << "the story should have several exit reasons\n" << trace.out;

	// The same bytes every time, nothing on standard error, and no trace file.
	EXPECT_EQ(Run("stat w.scn").out, r.out);
	EXPECT_EQ(Files(), std::set<std::string>{"w.scn"});
	EXPECT_EQ(r.err, "");
}

// Ctrl-C in the middle of a run of 10^17 cycles: the run stops where it got,
// the table of what ran is printed, exit status 130.
TEST_F(StatCli, CtrlCPrintsTheTableOfWhatRan)
{
	Write("busy.scn", "cpu nehalem\nl0 kvm-modern\nguest L1\nmain: work 1000\n      vmcall\n      jmp main\n"
	                  "run 100000000000000000\n");
	Result r = Run("stat busy.scn >O 2>E & p=$!; sleep 0.5; kill -INT $p; wait $p");
	EXPECT_EQ(r.status, 130) << Describe(r);
	EXPECT_NE(ReadFile(dir / "E").find("busy.scn: interrupted at cycle "), std::string::npos) << ReadFile(dir / "E");
	uint64_t total = 0;
	std::vector<Row> rows = ParseTable(ReadFile(dir / "O"), &total);
	ASSERT_EQ(rows.size(), 1u) << ReadFile(dir / "O");
	EXPECT_EQ(rows[0].name, "VMCALL");
	EXPECT_GT(total, 0u);
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
	                         "stat w.scn -o t.trace", "stat --event mmio w.scn", "stat --key mean w.scn",
	                         "stat --vcpu -1 w.scn", "stat --vcpu x w.scn"}) {
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
