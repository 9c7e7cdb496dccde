/* SPDX-License-Identifier: Apache-2.0 */
// `vmxsim explore --merge`: what it refuses - a missing or doubled shard, a
// changed scenario, a malformed or damaged report, values outside the space
// - each with a located message, and never a crash (cli_util::WorkdirTest: a
// fresh work directory per test).
#include "cli/explore_fixture.h"

namespace {

using namespace explore_test;

// ---- what --merge refuses ----------------------------------------------------

TEST_F(Explore, MergeOfTwoShardsOfThreeNamesTheMissingUnit)
{
	Write("two.scn", kTwoKinds);
	RunShards("two.scn", 3);
	// Units go to shards round-robin: unit 2 is the first of shard 3.
	ExpectMergeRefused("r1.txt r2.txt",
	                   "^two\\.scn: unit 2 of [0-9]+ is in none of the reports: a shard is missing");
	ExpectMergeRefused("r2.txt r3.txt", "^two\\.scn: unit 0 of [0-9]+ is in none of the reports");
}

TEST_F(Explore, MergeOfTheSameReportTwiceIsRefused)
{
	Write("two.scn", kTwoKinds);
	RunShards("two.scn", 3);
	// The second reading fails at its first unit line, after the four header lines.
	ExpectMergeRefused("r1.txt r2.txt r3.txt r1.txt", "^r1\\.txt:5:1: this unit is already in another report");
}

TEST_F(Explore, MergeRefusesReportsOfAChangedScenario)
{
	Write("two.scn", kTwoKinds);
	RunShards("two.scn", 3);
	Write("two.scn", Replaced(kTwoKinds, "nmi:    choose", "nmi:    choose  "));  // one space more
	ExpectMergeRefused("r1.txt r2.txt r3.txt", "^r1\\.txt:[0-9]+:1: the scenario has changed since this report was made");
}

TEST_F(Explore, MergeLocatesAChangedScenarioAtTheReportsScenarioLine)
{
	// Line 2 of a report, `scenario HASH PATH`, holds the hash that no longer matches.
	Write("two.scn", kTwoKinds);
	RunShards("two.scn", 3);
	Write("two.scn", std::string(kTwoKinds) + "# one more comment\n");
	ExpectMergeRefused("r1.txt r2.txt r3.txt", "^r1\\.txt:2:1: the scenario has changed");
}

TEST_F(Explore, MergeRefusesMalformedReportsAtTheirLine)
{
	Write("two.scn", kTwoKinds);
	RunShards("two.scn", 3);
	const std::string r1 = Read("r1.txt");
	// The header (4 lines) and some units, but no `end`.
	const std::string cut = FirstLines(r1, 10), header = FirstLines(r1, 4);
	Write("cut.txt", cut);
	Write("junk.txt", cut + "garbage here\n" + r1.substr(cut.size()));
	Write("notreport.txt", "hello\n" + r1);
	Write("badunit.txt", header + "unit 3 x 1 0\nend\n");
	// A span must follow its unit's failures and lie within the arrival times.
	Write("strayspan.txt", header + "unit 3 1 47 0\nspan 3 0 5142 5142\nend\n");
	Write("farspan.txt", header + "unit 3 1 47 0\nfail 3 1 x1 0 5142\nspan 3 0 5142 99999\nend\n");
	Write("noheader.txt", "vmxsim-explore-report 1\nscenario zz two.scn\n");
	Write("newer.txt", "vmxsim-explore-report 2\n" + r1.substr(r1.find('\n') + 1));

	ExpectMergeRefused("cut.txt r2.txt r3.txt", "^cut\\.txt:10:1: the report ends without 'end'");
	ExpectMergeRefused("junk.txt r2.txt r3.txt", "^junk\\.txt:11:1: expected 'unit', 'fail', 'span' or 'end'\n$");
	ExpectMergeRefused("notreport.txt", "^notreport\\.txt:1:1: not a vmxsim explore report");
	ExpectMergeRefused("newer.txt", "^newer\\.txt:1:1: not a vmxsim explore report");
	ExpectMergeRefused("badunit.txt r2.txt r3.txt", "^badunit\\.txt:5:1: expected 'unit U RUNS POINTS BAD'");
	ExpectMergeRefused("strayspan.txt r2.txt r3.txt", "^strayspan\\.txt:6:1: a 'span' line belongs after its unit's");
	ExpectMergeRefused("farspan.txt r2.txt r3.txt", "^farspan\\.txt:7:1: a span outside the space's arrival times");
	ExpectMergeRefused("noheader.txt", "^noheader\\.txt:2:1: expected 'scenario HASH PATH'");
	ExpectMergeRefused("nowhere.txt", "^nowhere\\.txt: cannot open: ");
	// A later report that is not a report is refused the same way as a first one.
	ExpectMergeRefused("r1.txt r2.txt two.scn", "^two\\.scn:1:1: not a vmxsim explore report");
}

// Seeded mutations of a shard report - lines dropped, doubled or cut short,
// characters replaced - are merged or refused with a located message;
// never a crash, a sanitizer report or a silent wrong answer about units.
TEST_F(Explore, MutatedReportsAreMergedOrRefusedNeverCrash)
{
	Write("two.scn", kTwoKinds);
	RunShards("two.scn", 3);
	const std::string r1 = Read("r1.txt");
	const std::string fresh = Run("explore --merge r1.txt r2.txt r3.txt --no-repro").out;
	uint64_t rng = 12345;
	auto next = [&rng](uint64_t n) {
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		return (rng >> 33) % n;
	};
	const char alphabet[] = "0123456789 xv,-\nabunitfailspanend";
	for (int i = 0; i < 120; i++) {
		std::string m = r1;
		switch (next(4)) {
		case 0: { // cut short
			m.resize(next(m.size()));
			break;
		}
		case 1: { // one character replaced
			m[next(m.size())] = alphabet[next(sizeof(alphabet) - 1)];
			break;
		}
		case 2: { // a line dropped
			size_t at = next(m.size()), b = m.rfind('\n', at), e = m.find('\n', at);
			b = b == std::string::npos ? 0 : b + 1;
			m.erase(b, e == std::string::npos ? std::string::npos : e - b + 1);
			break;
		}
		default: { // a line doubled
			size_t at = next(m.size()), b = m.rfind('\n', at), e = m.find('\n', at);
			b = b == std::string::npos ? 0 : b + 1;
			if (e != std::string::npos)
				m.insert(b, m.substr(b, e - b + 1));
			break;
		}
		}
		Write("m.txt", m);
		Result r = Run("explore --merge m.txt r2.txt r3.txt --no-repro");
		ASSERT_TRUE(r.status == 0 || r.status == 1 || r.status == 2) << "mutation " << i << "\n" << Describe(r);
		EXPECT_FALSE(Contains(r.err, "Sanitizer") || Contains(r.err, "runtime error")) << i << "\n" << r.err;
		if (r.status == 2)
			EXPECT_TRUE(std::regex_search(r.err, std::regex("^(m|r2|r3)\\.txt:[0-9]+:1: |^two\\.scn: unit [0-9]+ of")))
			    << "mutation " << i << "\n" << r.err;
		else
			EXPECT_EQ(r.out, fresh) << "mutation " << i << " was accepted but changed the result\n" << m;
	}
}

TEST_F(Explore, MergeLocatesAnEmptyReportAtLine1)
{
	Write("empty.txt", "");
	ExpectMergeRefused("empty.txt", "^empty\\.txt:1:1: not a vmxsim explore report");
}

TEST_F(Explore, MergeRefusesFailureValuesOutsideTheSpace)
{
	// A `fail` line is `fail U RUNS KEY CHOICE TIME` here: one value per range
	// and choice. A value the space does not have is as malformed as a missing
	// one, and must be located, not run or printed. The key x0,x1 (both
	// expectations fail at once) is one no run has, so the made-up point is the
	// smallest of its kind whatever the other reports hold.
	Write("two.scn", kTwoKinds);
	RunShards("two.scn", 3);
	const std::string r1 = Read("r1.txt");
	const size_t fail = r1.find("\nfail ") + 1;
	ASSERT_NE(fail, 0u) << "shard 1 holds a failure\n" << r1;
	const size_t line = 1 + (size_t)std::count(r1.begin(), r1.begin() + (long)fail, '\n');
	const size_t end = r1.find('\n', fail);
	std::string head = r1.substr(fail, end - fail);
	for (int field = 0; field < 3; field++)  // drop TIME, CHOICE and KEY
		head = head.substr(0, head.rfind(' '));
	const struct {
		const char *name, *values;
	} cases[] = {
		{"choice.txt", " x0,x1 99999999 5001"},  // an alternative far beyond the two there are
		{"time.txt", " x0,x1 0 1"},              // an arrival before the range's 5001
	};
	for (const auto &c : cases) {
		SCOPED_TRACE(c.name);
		Write(c.name, r1.substr(0, fail) + head + c.values + r1.substr(end));
		ExpectMergeRefused(std::string(c.name) + " r2.txt r3.txt",
		                   "^" + std::regex_replace(c.name, std::regex("\\."), "\\.") + ":" + std::to_string(line) +
		                           ":1: ");
	}
}

}  // namespace
