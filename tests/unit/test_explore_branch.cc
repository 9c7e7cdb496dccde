/* SPDX-License-Identifier: Apache-2.0 */
// Exploration branches the runs of a unit from snapshots of the prefix
// they share (lib/explore_branch.c). Held equal to the plain walk (every
// run from cycle 0) by brute force on small spaces:
//  - at every point of the space, the branched run is judged as the run
//    from cycle 0 is (the same failure key, the same slack of every
//    arrival time, which steers the walk);
//  - the walk of every unit visits the same points and gives the same
//    results (runs, failure kinds, their counts and smallest points, spans).
// One, two and three arrival times, overlapping or not, with choices,
// several vCPUs, nested L1, bare metal.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "unit/explore_walk.h"

namespace {

struct Brute {
	const explore_space *sp;
	explore_branch *br;
	std::vector<uint64_t> value;
	uint64_t points = 0;
};

void Same(Brute &b)
{
	explore_judged a{}, c{};
	ASSERT_TRUE(explore_branch_run(b.br, b.value.data(), &a));
	explore_run_point(b.sp, b.value.data(), nullptr, nullptr, &c);
	std::string at;
	for (uint64_t v : b.value)
		at += std::to_string(v) + " ";
	ASSERT_FALSE(c.bad) << at;
	EXPECT_STREQ(a.key, c.key) << "at " << at;
	for (uint32_t d = b.sp->nplain; d < b.sp->ndims; d++)
		EXPECT_EQ(a.slack[d], c.slack[d]) << "dim " << d << " at " << at;
	b.points++;
}

void Every(Brute &b, uint32_t d)
{
	const explore_dim &dim = b.sp->dim[d];
	for (uint64_t t = dim.lo; t <= dim.hi && !::testing::Test::HasFailure(); t += dim.step) {
		b.value[dim.var] = t;
		if (d + 1 == b.sp->ndims) {
			Same(b);
		} else {
			ASSERT_TRUE(explore_branch_enter(b.br, d + 1, b.value.data()));
			Every(b, d + 1);
		}
	}
}

// Every point of the space: branched and from cycle 0 judged the same. Returns the points compared.
uint64_t EveryPointJudgedTheSame(const std::string &text)
{
	Space s(text);
	if (!s.ok)
		return 0;
	EXPECT_TRUE(explore_branches(&s.sp));
	Brute b{&s.sp, nullptr, std::vector<uint64_t>(s.p.s->nvars), 0};
	for (uint64_t combo = 0; combo < s.sp.plain_combos && !::testing::Test::HasFailure(); combo++) {
		explore_first_point(&s.sp, b.value.data());
		explore_combo_point(&s.sp, combo, b.value.data());
		b.br = explore_branch_open(nullptr, &s.sp, b.value.data(), s.sp.dim[s.sp.nplain].lo);
		EXPECT_NE(b.br, nullptr);
		if (!b.br)
			break;
		Every(b, s.sp.nplain);
		explore_branch_close(b.br);
	}
	return b.points;
}

void TheWalksAgree(const std::string &text)
{
	Walked plain, branched;
	uint64_t snaps_plain = 0, snaps = 0;
	uint32_t arrivals = 0;
	WalkCounts pc, bc;
	std::string a = WalkAll(text, WalkMode::Plain, &plain, &pc), b = WalkAll(text, WalkMode::Branched, &branched, &bc);
	snaps_plain = pc.snapshots;
	snaps = bc.snapshots;
	arrivals = bc.arrivals;
	EXPECT_FALSE(a.empty());
	EXPECT_EQ(a, b);
	EXPECT_EQ(plain.points, branched.points) << "the walks visited different points";
	EXPECT_EQ(snaps_plain, 0u);
	// One arrival time walks plainly (explore_run.c: branching pays from two on).
	if (arrivals >= 2)
		EXPECT_GT(snaps, 0u) << "the branched walk took no snapshot";
	else
		EXPECT_EQ(snaps, 0u);
}

const std::string kSoftVnmi = R"(cpu core2-no-vnmi
l0 kvm-2008
guest L1
  idt 2 nmi interrupt-gate
main:   sti
loop:   work 1000
        jmp loop
nmi:    choose plain | sti_early
plain:  work 700
        iret
sti_early: sti
        work 700
        iret
)";

TEST(ExploreBranch, OneArrivalTimeWithChoices)
{
	const std::string t = kSoftVnmi + "at 5000 nmi -> L1 cpu0\nat 5001..5800 nmi -> L1 cpu0\nrun 20000\n"
	                                  "expect no nmi_nesting\n";
	EXPECT_EQ(EveryPointJudgedTheSame(t), 2u * 800u);
	TheWalksAgree(t);
}

TEST(ExploreBranch, TwoArrivalTimesApart)
{
	const std::string t = kSoftVnmi + "at 4950..5010 nmi -> L1 cpu0\nat 6600..6680 nmi -> L1 cpu0\nrun 20000\n"
	                                  "expect no nmi_nesting\nexpect count violation lost_event <= 1\n";
	EXPECT_EQ(EveryPointJudgedTheSame(t), 2u * 61u * 81u);
	TheWalksAgree(t);
}

// The later range starts inside the earlier one: the prefix of the second dim cannot serve its first times.
TEST(ExploreBranch, TwoArrivalTimesOverlapping)
{
	const std::string t = kSoftVnmi + "at 5000..5060 nmi -> L1 cpu0\nat 5030..5100 nmi -> L1 cpu0\nrun 20000\n"
	                                  "expect no nmi_nesting\n";
	EXPECT_EQ(EveryPointJudgedTheSame(t), 2u * 61u * 71u);
	TheWalksAgree(t);
}

TEST(ExploreBranch, ThreeArrivalTimes)
{
	const std::string t = kSoftVnmi + "at 3000..3020 nmi -> L1 cpu0\nat 5000..5025 nmi -> L1 cpu0\n"
	                                  "at 5010..5030 nmi -> L1 cpu0\nrun 20000\nexpect no nmi_nesting\n";
	EXPECT_EQ(EveryPointJudgedTheSame(t), 2u * 21u * 26u * 21u);
	TheWalksAgree(t);
}

TEST(ExploreBranch, SeveralVcpus)
{
	const std::string t = R"(cpu nehalem
l0 kvm-modern
vcpus 2
guest L1
  idt 2 nmi interrupt-gate
  idt 40 irq interrupt-gate
main:   sti
loop:   work 300
        ipi cpu1 40
        jmp loop
nmi:    choose short | long
short:  work 100
        iret
long:   work 900
        iret
irq:    work 50
        eoi
        iret
at 3000..3120 nmi -> L1 cpu1
at 4000..4090 nmi -> L1 cpu0
run 12000
expect no nmi_nesting
)";
	EXPECT_EQ(EveryPointJudgedTheSame(t), 2u * 121u * 91u);
	TheWalksAgree(t);
}

TEST(ExploreBranch, NestedL1)
{
	const std::string t = NestedL1Space(1000, 2000, "at 0..300 irq 32 -> L1 cpu0\nat 2500..2700 irq 32 -> L1 cpu0\n"
	                                                "run 30000\nexpect count deliver 32 L1 == 2\nexpect no lost_event\n");
	EXPECT_EQ(EveryPointJudgedTheSame(t), 2u * 301u * 201u);
	TheWalksAgree(t);
}

TEST(ExploreBranch, BareMetal)
{
	std::string t = ShippedScenario("hw/apic-timer-periodic.scn");
	ASSERT_FALSE(t.empty());
	// Its own timer stays; two NMIs at the pins vary.
	t += "at 2000..2100 nmi -> L1 cpu0\nat 6000..6150 nmi -> L1 cpu0\n";
	EXPECT_GT(EveryPointJudgedTheSame(t), 0u);
	TheWalksAgree(t);
}

} // namespace
