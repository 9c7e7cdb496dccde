/* SPDX-License-Identifier: Apache-2.0 */
// Scenario front-end, exploration: what a range (`at 5000..9000`, `on ... +D..D`,
// `work A..B`) and a choice (`choose a | b`) parse into - one struct scn_var each,
// with the exact span of its text, so that a reproducer can put a value back in
// that place - and the located errors for ranges and choices that make no sense or
// stand where nothing may vary.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "front/scenario.h"

namespace {

// One parse, freed with the test. Error() is the message exactly as a user sees
// it (scn_format_error), so the tests check the file name, place and wording at once.
class Scn {
public:
	explicit Scn(const std::string &text) : text_(text)
	{
		s_ = scn_parse(text_.data(), text_.size(), "v.scn", &err_);
	}
	~Scn() { scn_free(s_); }
	Scn(const Scn &) = delete;
	Scn &operator=(const Scn &) = delete;

	bool ok() const { return s_ != nullptr; }
	const scn_scenario *operator->() const { return s_; }
	std::string Error() const
	{
		if (s_)
			return "(parsed)";
		char buf[SCN_ERROR_MSG_MAX + 128];
		scn_format_error(&err_, buf, sizeof(buf));
		return buf;
	}

	// The text a variable says it spans: [loc.col, end_col) of its line.
	std::string Span(const scn_var &v) const
	{
		size_t start = 0;
		for (uint32_t line = 1; line < v.loc.line; line++)
			start = text_.find('\n', start) + 1;
		return text_.substr(start + v.loc.col - 1, v.end_col - v.loc.col);
	}

private:
	std::string text_;
	scn_scenario *s_ = nullptr;
	scn_error err_{};
};

// A valid scenario: `guest` lines go at the end of the L1 block (from line 6),
// `tail` statements after it, then the run.
std::string Scenario(const std::string &guest, const std::string &tail = "")
{
	return "cpu nehalem\n"     // 1
	       "l0 kvm-2008\n"     // 2
	       "guest L1\n"        // 3
	       "main: work 100\n"  // 4
	       "  jmp main\n"      // 5
	       + guest + tail + "run 10k\n";
}

void ExpectTime(scn_time t, uint64_t value, scn_unit unit)
{
	EXPECT_EQ(t.value, value);
	EXPECT_EQ(t.unit, unit);
}

// ---- what parses --------------------------------------------------------------

TEST(ScenarioVary, WithoutRangesNothingVaries)
{
	// `expect ... in A..B` is a range too, but it is checked, not explored.
	Scn p(Scenario("  work 300\n", "at 5000 nmi -> L1 cpu0\nexpect entry in 5000..6us\n"));
	ASSERT_TRUE(p.ok()) << p.Error();
	EXPECT_EQ(p->nvars, 0u);
	EXPECT_FALSE(p->stimuli[0].varies);
	EXPECT_FALSE(p->guests[0].insns[2].varies);
	ASSERT_EQ(p->nexpects, 1u);
	EXPECT_EQ(p->expects[0].kind, SCN_EXPECT_WITHIN);
	ExpectTime(p->expects[0].at, 5000, SCN_UNIT_CYCLES);
	ExpectTime(p->expects[0].until, 6, SCN_UNIT_US);
}

TEST(ScenarioVary, AtRangeIsAVariableAndTheStimulusKeepsItsLowEnd)
{
	Scn p(Scenario("", "at 1000 irq 32 -> L1 cpu0\n"     // 6
	                   "at 5000..9000 nmi -> L1 cpu0\n"));  // 7
	ASSERT_TRUE(p.ok()) << p.Error();
	ASSERT_EQ(p->nvars, 1u);
	const scn_var &v = p->vars[0];
	EXPECT_EQ(v.kind, SCN_VAR_AT);
	EXPECT_EQ(v.loc.line, 7u);
	EXPECT_EQ(v.loc.col, 4u);
	EXPECT_EQ(v.end_col, 14u);
	EXPECT_EQ(p.Span(v), "5000..9000");
	ExpectTime(v.lo, 5000, SCN_UNIT_CYCLES);
	ExpectTime(v.hi, 9000, SCN_UNIT_CYCLES);
	EXPECT_EQ(v.stimulus, 1u);
	EXPECT_EQ(v.nalts, 0u);

	// Every command but explore runs the low end.
	const scn_stimulus &st = p->stimuli[1];
	EXPECT_EQ(st.timing, SCN_AT);
	ExpectTime(st.at, 5000, SCN_UNIT_CYCLES);
	EXPECT_TRUE(st.varies);
	EXPECT_EQ(st.var, 0u);
	EXPECT_EQ(st.kind, SCN_STIM_NMI);
	EXPECT_FALSE(p->stimuli[0].varies) << "a plain time next to it stays plain";
}

TEST(ScenarioVary, RangeEndsKeepTheirUnitsAndTheSpanItsSpaces)
{
	// 1us < 1500ns: ends in different real-time units compare by their value.
	Scn p(Scenario("  work 2.5k .. 3k\n", "at 1us..1500ns nmi -> L1 cpu0\n"));
	ASSERT_TRUE(p.ok()) << p.Error();
	ASSERT_EQ(p->nvars, 2u);
	EXPECT_EQ(p.Span(p->vars[0]), "2.5k .. 3k");
	ExpectTime(p->vars[0].lo, 2500, SCN_UNIT_CYCLES);
	ExpectTime(p->vars[0].hi, 3000, SCN_UNIT_CYCLES);
	EXPECT_EQ(p.Span(p->vars[1]), "1us..1500ns");
	ExpectTime(p->vars[1].lo, 1, SCN_UNIT_US);
	ExpectTime(p->vars[1].hi, 1500, SCN_UNIT_NS);
	ExpectTime(p->stimuli[0].at, 1, SCN_UNIT_US);
}

TEST(ScenarioVary, DelayRangeOfAnOnStimulus)
{
	Scn p(Scenario("", "on 2nd deliver nmi +100ns..2us nmi -> L1 cpu0\n"));  // 6
	ASSERT_TRUE(p.ok()) << p.Error();
	ASSERT_EQ(p->nvars, 1u);
	const scn_var &v = p->vars[0];
	EXPECT_EQ(v.kind, SCN_VAR_DELAY);
	EXPECT_EQ(v.loc.line, 6u);
	EXPECT_EQ(v.loc.col, 21u);
	EXPECT_EQ(p.Span(v), "100ns..2us");
	ExpectTime(v.lo, 100, SCN_UNIT_NS);
	ExpectTime(v.hi, 2, SCN_UNIT_US);
	EXPECT_EQ(v.stimulus, 0u);

	const scn_stimulus &st = p->stimuli[0];
	EXPECT_EQ(st.timing, SCN_ON);
	EXPECT_EQ(st.occurrence, 2u);
	EXPECT_EQ(st.trigger.ev, SCN_EV_DELIVER);
	EXPECT_EQ(st.trigger.arg, SCN_NMI);
	ExpectTime(st.delay, 100, SCN_UNIT_NS);
	EXPECT_TRUE(st.varies);
	EXPECT_EQ(st.var, 0u);
}

TEST(ScenarioVary, DelayRangeFromABareZeroAsDocumented)
{
	// docs/scenario-language.md ("ranges and choices"), `vmxsim --help`,
	// front/scenario.h and front/scn_vary.c all give `on ... +0..2us` as the
	// example of a delay range. Zero is zero in every unit, so a bare 0
	// before a real-time end is no mix of clocks.
	Scn p(Scenario("", "on deliver nmi +0..2us nmi -> L1 cpu0\n"));  // 6
	ASSERT_TRUE(p.ok()) << p.Error();
	ASSERT_EQ(p->nvars, 1u);
	EXPECT_EQ(p->vars[0].kind, SCN_VAR_DELAY);
	EXPECT_EQ(p.Span(p->vars[0]), "0..2us");
	EXPECT_EQ(p->vars[0].lo.value, 0u);
	ExpectTime(p->vars[0].hi, 2, SCN_UNIT_US);
}

TEST(ScenarioVary, WorkRangeNamesItsGuestAndInstruction)
{
	Scn p(Scenario("  work 100..900\n",          // 6: L1 insn 2
	               "guest L2\n"                   // 7
	               "l2:  nop\n"                   // 8
	               "     work 1us..2us\n"         // 9: L2 insn 1
	               "     jmp l2\n"));             // 10
	ASSERT_TRUE(p.ok()) << p.Error();
	ASSERT_EQ(p->nvars, 2u);

	const scn_var &l1 = p->vars[0];
	EXPECT_EQ(l1.kind, SCN_VAR_WORK);
	EXPECT_EQ(l1.loc.line, 6u);
	EXPECT_EQ(l1.loc.col, 8u);
	EXPECT_EQ(p.Span(l1), "100..900");
	EXPECT_EQ(l1.guest, 0u);
	EXPECT_EQ(l1.insn, 2u);
	ExpectTime(l1.lo, 100, SCN_UNIT_CYCLES);
	ExpectTime(l1.hi, 900, SCN_UNIT_CYCLES);
	const scn_insn &in = p->guests[0].insns[2];
	EXPECT_EQ(in.op, SCN_OP_WORK);
	ExpectTime(in.work, 100, SCN_UNIT_CYCLES);
	EXPECT_TRUE(in.varies);
	EXPECT_EQ(in.var, 0u);

	const scn_var &l2 = p->vars[1];
	EXPECT_EQ(l2.kind, SCN_VAR_WORK);
	EXPECT_EQ(l2.guest, 1u);
	EXPECT_EQ(l2.insn, 1u);
	ExpectTime(l2.lo, 1, SCN_UNIT_US);
	ExpectTime(l2.hi, 2, SCN_UNIT_US);
	EXPECT_TRUE(p->guests[1].insns[1].varies);
	EXPECT_EQ(p->guests[1].insns[1].var, 1u);
}

TEST(ScenarioVary, ChoiceResolvesEveryAlternative)
{
	Scn p(Scenario("a:  nop\n"                   // 6: insn 2
	               "b:  work 50..900\n"          // 7: insn 3
	               "  choose c | a | b\n"        // 8: insn 4, `c` defined below
	               "c:  iret\n"));               // 9: insn 5
	ASSERT_TRUE(p.ok()) << p.Error();
	ASSERT_EQ(p->nvars, 2u);
	EXPECT_EQ(p->vars[0].kind, SCN_VAR_WORK);

	const scn_var &v = p->vars[1];
	EXPECT_EQ(v.kind, SCN_VAR_CHOICE);
	EXPECT_EQ(v.loc.line, 8u);
	EXPECT_EQ(v.loc.col, 3u);
	EXPECT_EQ(p.Span(v), "choose c | a | b") << "the span is the whole instruction a jmp replaces";
	EXPECT_EQ(v.guest, 0u);
	EXPECT_EQ(v.insn, 4u);
	ASSERT_EQ(v.nalts, 3u);
	const char *labels[] = {"c", "a", "b"};
	const uint32_t cols[] = {10, 14, 18}, targets[] = {5, 2, 3};
	for (size_t i = 0; i < 3; i++) {
		EXPECT_STREQ(v.labels[i], labels[i]) << i;
		EXPECT_EQ(v.label_locs[i].line, 8u) << i;
		EXPECT_EQ(v.label_locs[i].col, cols[i]) << i;
		EXPECT_EQ(v.targets[i], targets[i]) << i;
	}

	// Until explore chooses, it is a jump to the first alternative.
	const scn_insn &in = p->guests[0].insns[4];
	EXPECT_EQ(in.op, SCN_OP_CHOOSE);
	EXPECT_STREQ(in.label, "c");
	EXPECT_EQ(in.target, 5u);
	EXPECT_EQ(in.arg_loc.col, 10u);
	EXPECT_TRUE(in.varies);
	EXPECT_EQ(in.var, 1u);
	EXPECT_STREQ(scn_op_name(SCN_OP_CHOOSE), "choose");
}

TEST(ScenarioVary, LabelsAreLocalToTheChoosingBlock)
{
	// `main` is the L1 block's first instruction; L2 has its own `main`.
	Scn p(Scenario("", "guest L2\nl2: nop\nmain: choose main | l2\n"));
	ASSERT_TRUE(p.ok()) << p.Error();
	ASSERT_EQ(p->nvars, 1u);
	EXPECT_EQ(p->vars[0].guest, 1u);
	EXPECT_EQ(p->vars[0].targets[0], 1u) << "the choose instruction itself";
	EXPECT_EQ(p->vars[0].targets[1], 0u);
}

TEST(ScenarioVary, VariablesAreInFileOrder)
{
	Scn p("cpu nehalem\nl0 kvm-2008\n"
	      "at 1..2 nmi -> L1 cpu0\n"                     // 3: before the guest block
	      "guest L1\n"
	      "main: work 10..20\n"                          // 5
	      "      choose main | x\n"                      // 6
	      "x:    nop\n"
	      "on hlt +5..6 nmi -> L1 cpu0\n"                // 8
	      "run 1\n");
	ASSERT_TRUE(p.ok()) << p.Error();
	ASSERT_EQ(p->nvars, 4u);
	const scn_var_kind kinds[] = {SCN_VAR_AT, SCN_VAR_WORK, SCN_VAR_CHOICE, SCN_VAR_DELAY};
	const uint32_t lines[] = {3, 5, 6, 8};
	for (size_t i = 0; i < 4; i++) {
		EXPECT_EQ(p->vars[i].kind, kinds[i]) << i;
		EXPECT_EQ(p->vars[i].loc.line, lines[i]) << i;
	}
	EXPECT_EQ(p->vars[3].stimulus, 1u);
}

TEST(ScenarioVary, AsManyVariablesAsTheLimitAndNoMore)
{
	std::string at;
	for (unsigned i = 0; i < SCN_MAX_VARS; i++)
		at += "at " + std::to_string(1000 + i) + "..9000 nmi -> L1 cpu0\n";
	Scn full(Scenario("", at));
	ASSERT_TRUE(full.ok()) << full.Error();
	EXPECT_EQ(full->nvars, SCN_MAX_VARS);
	EXPECT_EQ(full->stimuli[SCN_MAX_VARS - 1].var, SCN_MAX_VARS - 1);

	// One more range, on line 6 + 64, is located at that range.
	Scn range(Scenario("", at + "at 99..100 nmi -> L1 cpu0\n"));
	EXPECT_EQ(range.Error(), "v.scn:70:4: too many ranges and choices (the limit is 64)");
	// A choice counts against the same limit: after the 64 ranges, one in an L2 block on line 71.
	Scn choice(Scenario("", at + "guest L2\nl2: choose l2 | l2b\nl2b: nop\n"));
	EXPECT_EQ(choice.Error(), "v.scn:71:5: too many ranges and choices (the limit is 64)");
}

TEST(ScenarioVary, AsManyAlternativesAsTheLimitAndNoMore)
{
	std::string labels, alts;
	for (unsigned i = 0; i <= SCN_MAX_CHOICES; i++) {
		labels += "l" + std::to_string(i) + ": nop\n";
		alts += (i ? " | l" : "l") + std::to_string(i);
	}
	Scn over(Scenario("  choose " + alts + "\n" + labels));
	// The 33rd label, l32, stands after "  choose " and 32 times "lN | " (4 or 5 bytes each).
	const size_t col = alts.find("l32") + 1 + std::strlen("  choose ");
	EXPECT_EQ(over.Error(), "v.scn:6:" + std::to_string(col) + ": too many alternatives (the limit is 32)");

	Scn full(Scenario("  choose " + alts.substr(0, alts.find(" | l32")) + "\n" + labels));
	ASSERT_TRUE(full.ok()) << full.Error();
	EXPECT_EQ(full->vars[0].nalts, SCN_MAX_CHOICES);
	EXPECT_EQ(full->vars[0].targets[SCN_MAX_CHOICES - 1], 2u + 1u + (SCN_MAX_CHOICES - 1));
}

// ---- errors ---------------------------------------------------------------------

struct Bad {
	std::string text;
	std::string error;  // exactly what scn_format_error writes
};

void ExpectErrors(const std::vector<Bad> &table)
{
	for (const Bad &b : table) {
		Scn p(b.text);
		EXPECT_FALSE(p.ok()) << b.text;
		EXPECT_EQ(p.Error(), b.error) << b.text;
	}
}

// The one message for a range where none may stand, at PLACE.
std::string NoRangeHere(const std::string &place)
{
	return place + ": a range cannot stand here: only an 'at' time, an 'on' delay and a 'work' length may vary (LO..HI)";
}

TEST(ScenarioVaryErrors, RangesThatSpanNothingAreLocatedAtTheirEnd)
{
	const std::string not_after = "expected the end of the range after '..', found ";
	const std::string mixed = " (one end is in cycles and the other in real time; write both ends the same way)";
	ExpectErrors({
		{Scenario("", "at 9000..5000 nmi -> L1 cpu0\n"), "v.scn:6:10: " + not_after + "'5000' (not after its start)"},
		{Scenario("", "at 5000..5000 nmi -> L1 cpu0\n"), "v.scn:6:10: " + not_after + "'5000' (not after its start)"},
		{Scenario("", "at 1us..1000ns nmi -> L1 cpu0\n"),  // equal, in other units
		 "v.scn:6:9: " + not_after + "'1000ns' (not after its start)"},
		{Scenario("  work 2us..1us\n"), "v.scn:6:13: " + not_after + "'1us' (not after its start)"},
		{Scenario("", "on hlt +50..10 nmi -> L1 cpu0\n"), "v.scn:6:13: " + not_after + "'10' (not after its start)"},
		{Scenario("", "at 1us..5000 nmi -> L1 cpu0\n"), "v.scn:6:9: " + not_after + "'5000'" + mixed},
		{Scenario("  work 1..1000ns\n"), "v.scn:6:11: " + not_after + "'1000ns'" + mixed},
		{Scenario("", "at 5000.. nmi -> L1 cpu0\n"), "v.scn:6:11: " + not_after + "'nmi'"},
	});
}

TEST(ScenarioVaryErrors, MalformedChoices)
{
	const std::string two = "a choice needs two labels at least: 'choose a | b'";
	ExpectErrors({
		{Scenario("  choose\n"), "v.scn:6:9: expected the labels to choose from, such as 'a | b' after 'choose'"},
		{Scenario("  choose a\na: nop\n"), "v.scn:6:3: " + two},
		{Scenario("  choose a b\na: nop\nb: nop\n"), "v.scn:6:3: " + two},
		{Scenario("  choose a | b | a\na: nop\nb: nop\n"), "v.scn:6:18: label 'a' is already an alternative"},
		{Scenario("  choose a | zz\na: nop\n"), "v.scn:6:14: undefined label 'zz'"},
		{Scenario("", "guest L2\nl2: choose l2 | main\n"), "v.scn:7:17: undefined label 'main'"},  // L1's
		{Scenario("  choose a |\na: nop\n"), "v.scn:6:13: expected another label after '|'"},
		{Scenario("  choose a | 5\na: nop\n"), "v.scn:6:14: expected another label after '|', found '5'"},
		{Scenario("  choose a||b\na: nop\nb: nop\n"), "v.scn:6:12: expected another label after '|', found '|'"},
	});
}

TEST(ScenarioVaryErrors, RangesWhereNothingVariesAreLocatedAtTheDots)
{
	ExpectErrors({
		{Scenario("", "every 1000..2000 nmi -> L1 cpu0\n"), NoRangeHere("v.scn:6:11")},
		{Scenario("", "every 1k from 10..20 nmi -> L1 cpu0\n"), NoRangeHere("v.scn:6:17")},
		{"cpu nehalem\nl0 kvm-2008\nguest L1\n nop\nrun 1000..2000\n", NoRangeHere("v.scn:5:9")},
		{Scenario("", "expect entry at 5000..6000\n"), NoRangeHere("v.scn:6:21")},
		{Scenario("", "expect count exit HLT == 1..2\n"), NoRangeHere("v.scn:6:27")},
		{Scenario("", "at 1 irq 1..2 -> L1 cpu0\n"), NoRangeHere("v.scn:6:11")},
		{Scenario("", "vcpus 1..2\n"), NoRangeHere("v.scn:6:8")},
		{Scenario("", "at 5000 .. 6000 .. 7000 nmi -> L1 cpu0\n"), NoRangeHere("v.scn:6:17")},
		// `expect ... in LO..HI` is a range that is checked, not varied: its own rule stays.
		{Scenario("", "expect entry in 6000..5000\n"), "v.scn:6:23: the range ends before it starts"},
	});
}

}  // namespace
