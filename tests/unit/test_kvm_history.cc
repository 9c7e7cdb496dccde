/* SPDX-License-Identifier: Apache-2.0 */
/*
 * KVM's event-injection history (model/l0/kvm/kvm_history.def, issue 15's
 * catalogue): every row the model reproduces has a scenario pair in
 * scenarios/kvm-history/ whose l0 lines are the table's, and the monitors'
 * verdicts of the two runs are the table's "before" and "after". The pair
 * differs only in its l0 line (and comments and expectations), and each
 * side run under the other side's l0 line gives the other side's verdicts:
 * the switch, not the scenario, makes the difference. The table covers
 * every row H-S2..H-S15 and H-N0..H-N19 once, and the debug-exception row
 * H-D1.
 */
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "model/l0/l0.h"
#include "scn_text.h"

namespace {

struct HistoryRow {
	const char *row;
	const char *commit;
	const char *before_l0;
	const char *after_l0;
	const char *before;    /* verdict kinds, space separated, or "none" */
	const char *after;
	const char *sw;        /* the switch: the row's own (named after it) or an existing one */
};

void PrintTo(const HistoryRow &r, std::ostream *os)
{
	*os << r.row;
}

const HistoryRow kReproduced[] = {
#define KVM_HISTORY_FLAG(row, year, commit, subject, flag, before_l0, after_l0, before, after, broke)       \
	{row, commit, before_l0, after_l0, before, after, row},
#define KVM_HISTORY_SWITCH(row, year, commit, subject, sw, before_l0, after_l0, before, after, broke)        \
	{row, commit, before_l0, after_l0, before, after, sw},
#include "model/l0/kvm/kvm_history.def"
};

const char *const kAllRows[] = {
#define KVM_HISTORY_FLAG(row, year, commit, subject, flag, before_l0, after_l0, before, after, broke) row,
#define KVM_HISTORY_SWITCH(row, year, commit, subject, sw, before_l0, after_l0, before, after, broke) row,
#define KVM_HISTORY_OUT(row, year, commit, subject, why) row,
#include "model/l0/kvm/kvm_history.def"
};

std::string Lower(std::string s)
{
	std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return (char)std::tolower(c); });
	return s;
}

std::string PairFile(const HistoryRow &r, const char *side)
{
	return "kvm-history/" + Lower(r.row) + "-" + side + ".scn";
}

/* The text after "l0" on the scenario's l0 line, spaces collapsed. */
std::string L0Line(const std::string &text)
{
	std::istringstream in(text);
	std::string line;
	while (std::getline(in, line)) {
		if (line.rfind("l0 ", 0) != 0)
			continue;
		std::istringstream words(line.substr(3));
		std::string w, out;
		while (words >> w)
			out += (out.empty() ? "" : " ") + w;
		return out;
	}
	return "";
}

/* The verdict kinds the monitors reported in a text trace, sorted, space separated; "none" if none. */
std::string Verdicts(const std::string &trace)
{
	static const std::regex kind(R"( violation +kind=([a-z_]+))");
	std::set<std::string> kinds;
	for (std::sregex_iterator it(trace.begin(), trace.end(), kind), end; it != end; ++it)
		kinds.insert((*it)[1]);
	std::string out;
	for (const std::string &k : kinds)
		out += (out.empty() ? "" : " ") + k;
	return out.empty() ? "none" : out;
}

/* The table's verdict list in the same form (sorted). */
std::string Sorted(const char *list)
{
	std::istringstream in(list);
	std::set<std::string> kinds;
	std::string w, out;
	while (in >> w)
		kinds.insert(w);
	for (const std::string &k : kinds)
		out += (out.empty() ? "" : " ") + k;
	return out;
}

class KvmHistory : public ::testing::TestWithParam<HistoryRow> {};

TEST_P(KvmHistory, PairHasTheTablesL0Lines)
{
	const HistoryRow &r = GetParam();
	std::string before = ShippedScenario(PairFile(r, "before")), after = ShippedScenario(PairFile(r, "after"));

	ASSERT_FALSE(before.empty()) << PairFile(r, "before");
	ASSERT_FALSE(after.empty()) << PairFile(r, "after");
	EXPECT_EQ(L0Line(before), r.before_l0);
	EXPECT_EQ(L0Line(after), r.after_l0);
	EXPECT_STRNE(Sorted(r.before).c_str(), Sorted(r.after).c_str()) << "a pair must differ in its verdicts";
}

TEST_P(KvmHistory, VerdictsBeforeAndAfterAreTheTables)
{
	const HistoryRow &r = GetParam();
	ScnRun before = RunScenarioText(ShippedScenario(PairFile(r, "before")));
	ScnRun after = RunScenarioText(ShippedScenario(PairFile(r, "after")));

	EXPECT_EQ(before.status, VMXSIM_OK) << before.diag;
	EXPECT_EQ(after.status, VMXSIM_OK) << after.diag;
	EXPECT_EQ(Verdicts(before.trace), Sorted(r.before));
	EXPECT_EQ(Verdicts(after.trace), Sorted(r.after));
}

TEST_P(KvmHistory, TheSwitchMakesTheDifference)
{
	const HistoryRow &r = GetParam();
	ScnRun after_as_before = RunScenarioText(WithL0Line(ShippedScenario(PairFile(r, "after")), r.before_l0));
	ScnRun before_as_after = RunScenarioText(WithL0Line(ShippedScenario(PairFile(r, "before")), r.after_l0));

	EXPECT_EQ(Verdicts(after_as_before.trace), Sorted(r.before));
	EXPECT_EQ(Verdicts(before_as_after.trace), Sorted(r.after));
}

TEST_P(KvmHistory, SwitchIsOfferedByEveryKvmEraAndUsedByThePair)
{
	const HistoryRow &r = GetParam();
	for (const char *era : {"kvm-2008", "kvm-2011", "kvm-modern"}) {
		const l0_variant *v = l0_lookup(era);
		ASSERT_NE(v, nullptr) << era;
		EXPECT_TRUE(l0_has_switch(v, r.sw)) << era << " " << r.sw;
	}
	EXPECT_NE((std::string(r.before_l0) + " " + r.after_l0).find(r.sw), std::string::npos) << r.sw;
}

std::string RowName(const ::testing::TestParamInfo<HistoryRow> &i)
{
	std::string s = i.param.row;
	std::replace(s.begin(), s.end(), '-', '_');
	return s;
}

INSTANTIATE_TEST_SUITE_P(Rows, KvmHistory, ::testing::ValuesIn(kReproduced), RowName);

TEST(KvmHistoryTable, CoversEveryEventInjectionRowOnce)
{
	std::vector<std::string> want, have(std::begin(kAllRows), std::end(kAllRows));
	for (int i = 2; i <= 15; i++)
		want.push_back("H-S" + std::to_string(i));
	for (int i = 0; i <= 19; i++)
		want.push_back("H-N" + std::to_string(i));
	want.push_back("H-D1");   /* the debug-exception rows of a single-level guest (kvm_debug.c) */
	std::sort(want.begin(), want.end());
	std::sort(have.begin(), have.end());
	EXPECT_EQ(have, want);
}

TEST(KvmHistoryTable, AnUnknownRowIsNoSwitch)
{
	const l0_variant *v = l0_lookup("kvm-modern");
	ASSERT_NE(v, nullptr);
	EXPECT_FALSE(l0_has_switch(v, "H-N99"));
	EXPECT_FALSE(l0_has_switch(v, "H-S1"));   /* the seed itself is every era's starting point */
}

}  // namespace
