/* SPDX-License-Identifier: Apache-2.0 */
// Shifted runs (lib/explore_branch.c "Shifted runs", docs/explore.md): where
// the innermost level's machine repeats every P cycles, the run with the
// last arrival at t + kP is taken from the run at t. Held equal by brute
// force to the plain walk (every run from cycle 0) and to the branched walk
// that simulates every run: the same results unit by unit (runs, failure
// kinds, counts, smallest points, spans), the same points visited; and in
// the verify mode every shifted outcome is also simulated and compared.
// Each space is built so that shifts do happen (the test says how many),
// or so that the key must refuse them (an armed timer, a program reading
// the TSC, an expectation with a time).
#include <gtest/gtest.h>

#include <string>

#include "unit/explore_walk.h"

namespace {

// Walks agree in all four modes; returns how many runs were shifted in the default one.
uint64_t AllWalksAgree(const std::string &text)
{
	Walked wp, wb, wn, wv;
	WalkCounts np, nb, nn, nv;
	std::string p = WalkAll(text, WalkMode::Plain, &wp, &np), b = WalkAll(text, WalkMode::Branched, &wb, &nb),
	            n = WalkAll(text, WalkMode::NoShift, &wn, &nn), v = WalkAll(text, WalkMode::VerifyShift, &wv, &nv);
	EXPECT_FALSE(p.empty());
	EXPECT_EQ(p, b) << "shifted runs changed the results";
	EXPECT_EQ(p, n);
	EXPECT_EQ(p, v);
	EXPECT_EQ(wp.points, wb.points) << "the walks visited different points";
	EXPECT_EQ(wp.points, wn.points);
	EXPECT_EQ(np.shifted + nn.shifted, 0u) << "the plain walk and --no-shift take nothing shifted";
	EXPECT_EQ(nv.mismatches, 0u) << "a shifted outcome differs from its own run";
	EXPECT_EQ(nv.shifted, nb.shifted);
	return nb.shifted;
}

// kvm-2008's soft vNMI on a Core 2: NMIs at a fixed time, in a narrow range, in a wide one; the guest's loop
// turns every 203 cycles with interrupts off for part of it. NMIs nest (sti_early) or are lost in some timings.
std::string SoftVnmi(const std::string &main, const std::string &tail)
{
	return "cpu core2-no-vnmi\nl0 kvm-2008\nguest L1\n  idt 2 nmi interrupt-gate\nmain: " + main +
	       "\nloop: work 100\n  cli\n  work 100\n  sti\n  jmp loop\n"
	       "nmi: choose plain | sti_early\nplain: work 700\n  iret\nsti_early: sti\n  work 700\n  iret\n"
	       "at 2000 nmi -> L1 cpu0\nat 6000..6004 nmi -> L1 cpu0\n" + tail;
}

TEST(ExploreShift, SoftVnmiWithNestingAndLostNmisShiftsAndAgrees)
{
	const std::string t = SoftVnmi("sti", "at 8500..10500 nmi -> L1 cpu0\nrun 14000\n"
	                                      "expect no nmi_nesting\nexpect count deliver nmi == 3\n");
	Walked w;
	WalkCounts n;
	std::string r = WalkAll(t, WalkMode::Plain, &w, &n);
	EXPECT_NE(r.find("  x1,v1 x"), std::string::npos) << "NMIs should be lost in some timings:\n" << r;
	EXPECT_NE(r.find("  x0 x"), std::string::npos) << "NMIs should nest in some timings:\n" << r;
	EXPECT_GT(AllWalksAgree(t), 3000u);
}

// The innermost range reaches the end of the run: the end cuts the slack of late runs, and runs near it are not quiet.
TEST(ExploreShift, InnermostRangeUpToTheEndAgrees)
{
	const std::string t = SoftVnmi("sti", "at 9500..13990 nmi -> L1 cpu0\nrun 14000\n"
	                                      "expect no nmi_nesting\nexpect count deliver nmi == 3\n");
	EXPECT_GT(AllWalksAgree(t), 0u);
}

// The innermost range goes past the end of the run: arrivals there never fire, and the period search stops at the
// end - also when it finds no period (a guest that never reaches its loop), where it once waited for ever.
TEST(ExploreShift, RangePastTheEndOfTheRunAgrees)
{
	const std::string t = SoftVnmi("sti", "at 9500..16000 nmi -> L1 cpu0\nrun 14000\n"
	                                      "expect no nmi_nesting\nexpect count deliver nmi == 3\n");
	EXPECT_GT(AllWalksAgree(t), 0u);
	const std::string busy = SoftVnmi("sti\n  work 100000000", "at 13000..16000 nmi -> L1 cpu0\nrun 14000\n"
	                                                            "expect count deliver nmi == 3\n");
	EXPECT_EQ(AllWalksAgree(busy), 0u);
}

// A guest with interrupts off: KVM's soft NMI blocking stays on, with its entry stamp far from the 1 s timeout.
TEST(ExploreShift, SoftBlockedAcrossTheLoopAgrees)
{
	const std::string t = "cpu core2-no-vnmi\nl0 kvm-2008\nguest L1\n  idt 2 nmi interrupt-gate\nmain: cli\n"
	                      "loop: work 150\n  jmp loop\nnmi: work 700\n  iret\n"
	                      "at 2000 nmi -> L1 cpu0\nat 6000..6004 nmi -> L1 cpu0\nat 8500..10500 nmi -> L1 cpu0\n"
	                      "run 14000\nexpect count violation lost_event <= 1\n";
	EXPECT_GT(AllWalksAgree(t), 0u);
}

// A halted guest: nothing moves, the period is one cycle.
TEST(ExploreShift, HaltedGuestShiftsByOneCycle)
{
	const std::string t = R"(cpu nehalem
l0 kvm-modern
guest L1
  idt 2 nmi interrupt-gate
main:   sti
idle:   hlt
        jmp idle
nmi:    choose short | long
short:  work 100
        iret
long:   work 900
        iret
at 5000..5010 nmi -> L1 cpu0
at 15000..15800 nmi -> L1 cpu0
run 30000
expect no nmi_nesting
expect count deliver nmi == 2
)";
	EXPECT_GT(AllWalksAgree(t), 0u);
}

TEST(ExploreShift, PlainL0Agrees)
{
	const std::string t = R"(cpu nehalem
l0 plain
guest L1
  idt 2 nmi interrupt-gate
  idt 40 irq interrupt-gate
main:   sti
loop:   work 40
        nop
        jmp loop
nmi:    work 120
        iret
irq:    work 60
        eoi
        iret
at 3000..3015 irq 40 -> L1 cpu0
at 12000..13500 nmi -> L1 cpu0
run 20000
expect count deliver nmi == 1
)";
	EXPECT_GT(AllWalksAgree(t), 0u);
}

// L2 spins in a loop of 64 cycles, a multiple of the preemption timer's 2^5 (nehalem): the period is one turn.
TEST(ExploreShift, NestedL1Agrees)
{
	const std::string t = NestedL1Space(63, 700, "at 0..4 irq 32 -> L1 cpu0\nat 20000..21000 irq 32 -> L1 cpu0\n"
	                                             "run 40000\nexpect count deliver 32 L1 == 2\nexpect no lost_event\n");
	EXPECT_GT(AllWalksAgree(t), 0u);
}

// A stimulus due exactly where a base run is checked for quiet (here an interrupt `on` the NMI's delivery, left
// in the IRR behind IF = 0) fires in the base before the check, but never in the run that base stands for, whose
// end falls there. Without machine_last_fired_due's check two shifted runs disagreed with their own.
TEST(ExploreShift, AStimulusDueWhereABaseIsCheckedIsNotTakenForQuiet)
{
	const std::string t = R"(cpu nehalem
l0 none
guest L1
  idt 2 nmi interrupt-gate
  idt 32 tick interrupt-gate
  idt 33 tick interrupt-gate
  exit-handler tick
main:   cli
loop:   work 31
        jmp loop
tick:   eoi
        iret
nmi:    work 300
        iret
guest L2
main:   work 1
at 1000..1001 irq 33 -> L1 cpu0
at 20000..57500 nmi -> L1 cpu0
on deliver nmi +3000 irq 32 -> L1 cpu0
run 60000
expect count violation lost_event <= 1
)";
	EXPECT_GT(AllWalksAgree(t), 0u);
}

// A LAPIC timer counts on: one loop turn later its deadline is closer, so the state is not the same.
// Bare metal: L1 arms the processor's one-shot timer and launches L2, which spins; NMIs at the pins.
TEST(ExploreShift, AnArmedTimerIsNotAShift)
{
	const std::string t = R"(cpu nehalem
l0 none
guest L1
  exit-handler on_exit
main:   apic-timer oneshot 0x40 30000 divide 1
        vmlaunch
on_exit: vmread rax VM_EXIT_REASON
        record rax
        vmresume
guest L2
  vmcs PIN_BASED_VM_EXEC_CONTROL PIN_BASED_NMI_EXITING
main:   choose a | b
a:      work 63
        jmp a
b:      work 127
        jmp b
at 3000..3001 nmi -> L1 cpu0
at 20000..21000 nmi -> L1 cpu0
run 40000
expect count exit EXCEPTION_NMI == 2
)";
	EXPECT_EQ(AllWalksAgree(t), 0u);
	// The same without the timer shifts: the test above would see a timer the key forgot.
	std::string idle = t;
	idle.replace(idle.find("apic-timer oneshot 0x40 30000 divide 1"), 38, "nop");
	EXPECT_GT(AllWalksAgree(idle), 0u);
}

// The guest read the TSC: its registers may hold the clock, so no key.
TEST(ExploreShift, AProgramReadingTheTscIsNotShifted)
{
	const std::string t = SoftVnmi("rdtsc rax\n  sti", "at 8500..10500 nmi -> L1 cpu0\nrun 14000\n"
	                                                   "expect no nmi_nesting\n");
	EXPECT_EQ(AllWalksAgree(t), 0u);
}

// An expectation with a time judges the run's own times.
TEST(ExploreShift, AnExpectationWithATimeIsNotShifted)
{
	const std::string t = SoftVnmi("sti", "at 8500..10500 nmi -> L1 cpu0\nrun 14000\n"
	                                      "expect deliver nmi in 9000..9900\n");
	EXPECT_EQ(AllWalksAgree(t), 0u);
}

} // namespace
