/* SPDX-License-Identifier: Apache-2.0 */
// test_bochs_twins.cc - the CPU models that twin Bochs 2.7's (penryn,
// haswell, icelake, tigerlake) against the capability MSRs Bochs reports,
// kept as data in oracle/models/*.caps. Every MSR of a twin equals Bochs's
// except the bits docs/cpu-models.md lists in its "Bits that differ from
// Bochs" table, each with its reason; the test masks exactly those bits,
// prints them and why, and fails on any other difference, on a listed bit
// that does not differ, and on a bit the twin offers that Bochs does not.
// It also runs a scenario per twin that reads the MSRs with RDMSR.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "unit/cpu_models.h"
#include "unit/scn_text.h"
#include "vmcs/cpu_model.h"
#include "vmcs/vmx_caps.h"

namespace {

const std::string kSource = VMXSIM_SOURCE_DIR;

// The capability MSRs a .caps file holds, by the SDM's names (App. A).
const std::map<std::string, uint32_t> kMsrs = {
	{"IA32_VMX_BASIC", 0x480},
	{"IA32_VMX_PINBASED_CTLS", 0x481},
	{"IA32_VMX_PROCBASED_CTLS", 0x482},
	{"IA32_VMX_EXIT_CTLS", 0x483},
	{"IA32_VMX_ENTRY_CTLS", 0x484},
	{"IA32_VMX_MISC", 0x485},
	{"IA32_VMX_CR0_FIXED0", 0x486},
	{"IA32_VMX_CR0_FIXED1", 0x487},
	{"IA32_VMX_CR4_FIXED0", 0x488},
	{"IA32_VMX_CR4_FIXED1", 0x489},
	{"IA32_VMX_PROCBASED_CTLS2", 0x48b},
	{"IA32_VMX_EPT_VPID_CAP", 0x48c},
	{"IA32_VMX_TRUE_PINBASED_CTLS", 0x48d},
	{"IA32_VMX_TRUE_PROCBASED_CTLS", 0x48e},
	{"IA32_VMX_TRUE_EXIT_CTLS", 0x48f},
	{"IA32_VMX_TRUE_ENTRY_CTLS", 0x490},
};

std::string MsrName(uint32_t msr)
{
	for (const auto &m : kMsrs)
		if (m.second == msr)
			return m.first;
	return "?";
}

// One oracle/models/*.caps file: Bochs's numbers for one of its CPU models.
struct BochsCaps {
	std::string file, bochs_model, twin;
	std::map<uint32_t, uint64_t> msr;
	std::map<std::string, uint64_t> cpuid;   // "0x15 ebx" -> value
	uint64_t brand_mhz = 0;
};

std::string Slurp(const std::string &path)
{
	std::ifstream in(path);
	std::stringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

BochsCaps Load(const std::string &name)
{
	BochsCaps c;
	c.file = "oracle/models/" + name + ".caps";
	std::istringstream lines(Slurp(kSource + "/" + c.file));
	std::string line;
	while (std::getline(lines, line)) {
		line = line.substr(0, line.find('#'));
		std::istringstream words(line);
		std::string key, a, b, v;
		if (!(words >> key))
			continue;
		if (key == "bochs-model") {
			words >> c.bochs_model;
		} else if (key == "twin") {
			words >> c.twin;
		} else if (key == "msr" && (words >> a >> v)) {
			c.msr[static_cast<uint32_t>(std::stoul(a, nullptr, 0))] = std::stoull(v, nullptr, 0);
		} else if (key == "cpuid" && (words >> a >> b >> v)) {
			c.cpuid[a + " " + b] = std::stoull(v, nullptr, 0);
		} else if (key == "brand-mhz" && (words >> v)) {
			c.brand_mhz = std::stoull(v, nullptr, 0);
		} else {
			ADD_FAILURE() << c.file << ": cannot read '" << line << "'";
		}
	}
	return c;
}

const char *const kBochsModels[] = {"core2_penryn_t9600", "corei7_haswell_4770", "corei7_icelake_u", "tigerlake"};
const char *const kTwins[] = {"penryn", "haswell", "icelake", "tigerlake"};

// The section of docs/cpu-models.md that starts with `heading`.
std::string DocSection(const std::string &heading)
{
	const std::string doc = Slurp(kSource + "/docs/cpu-models.md");
	size_t at = doc.find("\n" + heading + "\n");
	if (at == std::string::npos) {
		ADD_FAILURE() << "docs/cpu-models.md has no '" << heading << "'";
		return "";
	}
	size_t end = doc.find("\n#", at + heading.size() + 2);
	return doc.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

// The cells of a Markdown table row "| a | b |".
std::vector<std::string> Cells(const std::string &line)
{
	std::vector<std::string> cells;
	for (size_t from = 2, bar; (bar = line.find(" |", from)) != std::string::npos; from = bar + 3)
		cells.push_back(line.substr(from, bar - from));
	return cells;
}

// One documented difference: bits of one MSR a twin leaves out, and why.
struct Difference {
	uint32_t msr;
	uint64_t bits;       // ~0: the MSR as a whole (the model does not have it)
	std::string what, why;
};

/*
 * docs/cpu-models.md, "Bits that differ from Bochs": | MSRs | bits | control or
 * field | penryn | haswell | icelake | tigerlake | why |. MSRs is a comma-separated
 * list of names, bits the MSR bit numbers ("all": the model has no such MSR);
 * a twin's cell is "masked" where the row applies to it, "-" where not.
 */
std::map<std::string, std::vector<Difference>> DocumentedDifferences()
{
	std::map<std::string, std::vector<Difference>> by_twin;
	std::istringstream lines(DocSection("### Bits that differ from Bochs"));
	std::string line;
	int rows = 0;
	while (std::getline(lines, line)) {
		if (line.rfind("| IA32_", 0) != 0)
			continue;
		const std::vector<std::string> c = Cells(line);
		if (c.size() != 8) {
			ADD_FAILURE() << "want 8 cells: " << line;
			continue;
		}
		rows++;
		uint64_t bits = 0;
		if (c[1] == "all") {
			bits = ~0ull;
		} else {
			std::istringstream nums(c[1]);
			for (std::string n; std::getline(nums, n, ',');)
				bits |= 1ull << std::stoul(n);
		}
		std::istringstream names(c[0]);
		for (std::string n; std::getline(names, n, ',');) {
			n.erase(0, n.find_first_not_of(' '));
			auto it = kMsrs.find(n);
			if (it == kMsrs.end()) {
				ADD_FAILURE() << "unknown MSR '" << n << "' in: " << line;
				continue;
			}
			for (size_t t = 0; t < 4; t++) {
				EXPECT_TRUE(c[3 + t] == "masked" || c[3 + t] == "-") << line;
				if (c[3 + t] == "masked")
					by_twin[kTwins[t]].push_back({it->second, bits, c[2], c[7]});
			}
		}
	}
	EXPECT_GT(rows, 0);
	return by_twin;
}

// The documented bits of one MSR of one twin.
uint64_t MaskOf(const std::map<std::string, std::vector<Difference>> &documented, const std::string &twin,
                uint32_t msr)
{
	uint64_t mask = 0;
	auto it = documented.find(twin);
	if (it != documented.end())
		for (const Difference &d : it->second)
			if (d.msr == msr)
				mask |= d.bits;
	return mask;
}

std::string BitList(uint64_t bits)
{
	std::string s;
	for (unsigned b = 0; b < 64; b++)
		if (bits >> b & 1)
			s += (s.empty() ? "" : ",") + std::to_string(b);
	return s;
}

// The value a twin gives for an MSR: what RDMSR reads, or 0 when it has no such MSR.
bool TwinMsr(const cpu_model &m, uint32_t msr, uint64_t *v)
{
	*v = 0;
	return vmx_caps_read_msr(&m.caps, msr, v);
}

// The oracle/models files name their twins, hold every capability MSR, and are all there.
TEST(BochsTwins, CapsFilesAreComplete)
{
	for (size_t i = 0; i < 4; i++) {
		const BochsCaps c = Load(kBochsModels[i]);
		SCOPED_TRACE(c.file);
		EXPECT_EQ(c.bochs_model, kBochsModels[i]);
		EXPECT_EQ(c.twin, kTwins[i]);
		for (const auto &m : kMsrs)
			EXPECT_EQ(c.msr.count(m.second), 1u) << m.first;
		EXPECT_EQ(c.msr.size(), kMsrs.size());
		EXPECT_EQ(c.cpuid.count("0x80000008 eax"), 1u);
		EXPECT_GT(c.brand_mhz, 0u);
	}
}

// Every MSR of each twin is Bochs's, except the documented bits.
TEST(BochsTwins, MsrsAreBochssButTheDocumentedBits)
{
	const auto documented = DocumentedDifferences();
	for (size_t i = 0; i < 4; i++) {
		const BochsCaps c = Load(kBochsModels[i]);
		const cpu_model m = Model(c.twin.c_str());
		const auto found = documented.find(c.twin);
		const std::vector<Difference> none;
		const std::vector<Difference> &diffs = found == documented.end() ? none : found->second;
		SCOPED_TRACE(c.twin + " vs Bochs " + c.bochs_model);
		for (const auto &bm : c.msr) {
			const uint32_t msr = bm.first;
			const uint64_t bochs = bm.second;
			uint64_t twin = 0;
			const bool has = TwinMsr(m, msr, &twin);
			uint64_t mask = 0;
			for (const Difference &d : diffs) {
				if (d.msr != msr)
					continue;
				mask |= d.bits;
				const uint64_t shown = d.bits == ~0ull ? bochs : d.bits;
				std::printf("[twin %s] %s (0x%x) bits %s masked: %s - %s\n", c.twin.c_str(), MsrName(msr).c_str(),
				            msr, BitList(shown).c_str(), d.what.c_str(), d.why.c_str());
				if (d.bits == ~0ull) {
					EXPECT_FALSE(has) << MsrName(msr) << ": 'all' is for an MSR the model does not have";
					EXPECT_NE(bochs, 0u) << MsrName(msr) << ": masked, but Bochs reports 0 like the twin";
				} else {
					// A listed bit really differs: Bochs has it, the twin not.
					EXPECT_EQ(bochs & d.bits, d.bits) << MsrName(msr) << " bits " << BitList(d.bits);
					EXPECT_EQ(twin & d.bits, 0u) << MsrName(msr) << " bits " << BitList(d.bits);
				}
			}
			EXPECT_EQ(twin & ~mask, bochs & ~mask)
			    << MsrName(msr) << ": undocumented bits differ: " << BitList((twin ^ bochs) & ~mask);
			// The twin never offers what Bochs does not.
			EXPECT_EQ(twin & ~bochs, 0u) << MsrName(msr) << " bits " << BitList(twin & ~bochs);
			// An MSR the twin lacks is one the table masks whole, or one Bochs reports as 0.
			if (!has) {
				EXPECT_TRUE(mask == ~0ull || bochs == 0) << MsrName(msr);
			}
		}
	}
}

// The rest of each twin's row: MAXPHYADDR and the TSC frequency are those Bochs's CPUID gives.
TEST(BochsTwins, CpuidFactsOfTheRow)
{
	for (size_t i = 0; i < 4; i++) {
		const BochsCaps c = Load(kBochsModels[i]);
		const cpu_model m = Model(c.twin.c_str());
		SCOPED_TRACE(c.twin);
		EXPECT_EQ(m.phys_addr_bits, c.cpuid.at("0x80000008 eax") & 0xff);
		if (c.cpuid.count("0x15 eax")) {
			// Leaf 15H: TSC = crystal (ECX) * EBX / EAX.
			EXPECT_EQ(m.tsc_hz, c.cpuid.at("0x15 ecx") * c.cpuid.at("0x15 ebx") / c.cpuid.at("0x15 eax"));
		} else {
			EXPECT_EQ(m.tsc_hz, c.brand_mhz * 1000000u);
		}
		EXPECT_EQ(m.revision_id, c.msr.at(0x480) & VMX_BASIC_REVISION_MASK);
		EXPECT_EQ(m.preemption_timer_rate, c.msr.at(0x485) & VMX_MISC_PREEMPTION_TIMER_RATE_MASK);
	}
}

// docs/cpu-models.md shows each twin's MSRs next to Bochs's: those tables are the code and the data.
TEST(BochsTwins, TheDocsValueTablesAreTheCode)
{
	for (size_t i = 0; i < 4; i++) {
		const BochsCaps c = Load(kBochsModels[i]);
		const cpu_model m = Model(c.twin.c_str());
		std::istringstream lines(DocSection("## " + c.twin));
		std::string line;
		size_t rows = 0;
		while (std::getline(lines, line)) {
			if (line.rfind("| IA32_VMX_", 0) != 0)
				continue;
			const std::vector<std::string> cells = Cells(line);
			ASSERT_EQ(cells.size(), 4u) << line;
			const uint32_t msr = kMsrs.at(cells[0]);
			char want[64];
			std::snprintf(want, sizeof want, "0x%03x", msr);
			EXPECT_EQ(cells[1], want) << line;
			std::snprintf(want, sizeof want, "`0x%016llx`", static_cast<unsigned long long>(c.msr.at(msr)));
			EXPECT_EQ(cells[2], want) << c.twin << " " << line;
			uint64_t v = 0;
			if (TwinMsr(m, msr, &v))
				std::snprintf(want, sizeof want, "`0x%016llx`", static_cast<unsigned long long>(v));
			else
				std::snprintf(want, sizeof want, "not modelled");
			EXPECT_EQ(cells[3], want) << c.twin << " " << line;
			rows++;
		}
		EXPECT_EQ(rows, kMsrs.size()) << c.twin;
	}
}

// A scenario on each twin reads its capability MSRs with RDMSR and gets Bochs's values
// but for the documented bits; the model's missing EPT/VPID MSR is not readable.
TEST(BochsTwins, RdmsrInAScenarioGivesBochssValues)
{
	const auto documented = DocumentedDifferences();
	const char *const regs[] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9"};
	for (size_t i = 0; i < 4; i++) {
		const BochsCaps c = Load(kBochsModels[i]);
		const cpu_model m = Model(c.twin.c_str());
		SCOPED_TRACE(c.twin);
		std::string prog, expects, record, want;
		size_t n = 0, records = 0;
		// "record rax ... r9" and its "expect Nth record L1 rax=... r9=...".
		const auto flush = [&] {
			records++;
			prog += "        record" + record + "\n";
			expects += "expect " + std::to_string(records) + (records == 1 ? "st" : "nd") + " record L1" + want + "\n";
			n = 0;
			record.clear();
			want.clear();
		};
		for (const auto &bm : c.msr) {
			uint64_t v = 0;
			if (!TwinMsr(m, bm.first, &v))
				continue;
			const uint64_t mask = MaskOf(documented, c.twin, bm.first);
			char line[96];
			std::snprintf(line, sizeof line, "        rdmsr %s 0x%x\n", regs[n], bm.first);
			prog += line;
			record += std::string(" ") + regs[n];
			std::snprintf(line, sizeof line, " %s=0x%llx", regs[n], static_cast<unsigned long long>(bm.second & ~mask));
			want += line;
			if (++n == 8)
				flush();
		}
		if (n)
			flush();
		ASSERT_EQ(records, 2u);
		const std::string text = "cpu " + c.twin + "\nl0 none\nguest L1\n  exit-handler done\n" + prog +
		                         "done:   work 100\n        jmp done\nguest L2\nm:      work 1\nrun 2000\n" + expects;
		const ScnRun r = RunScenarioText(text);
		EXPECT_EQ(r.status, VMXSIM_OK) << text << "\n" << r.diag;
	}
}

} // namespace
