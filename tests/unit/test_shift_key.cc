/* SPDX-License-Identifier: Apache-2.0 */
// The time-shift key (model/machine/snapshot_shift.c, model/time/time_shift.h):
// a machine left alone in an idle loop has equal keys one turn apart, and
// each time the layers declare live makes the keys differ when it moves
// against now - an armed LAPIC timer, KVM's soft-vNMI entry stamp when the
// 1-second timeout is within the run's reach. What has no key says so: a
// program reading the TSC, several vCPUs, an expectation with a time, a
// trace being written.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "front/scenario.h"
#include "lib/scenario_run.h"
#include "model/machine/machine.h"
#include "scn_text.h"

namespace {

struct Keys {
	bool have = false, equal = false;
	std::string why;
	uint64_t period = 0;
};

// Run to `at`, take the key, run one idle period (or `period` if given), take it again.
Keys KeysApart(const std::string &text, uint64_t at, uint64_t period = 0)
{
	Keys k;
	Parsed p(text);
	EXPECT_NE(p.s, nullptr) << p.where();
	if (!p.s)
		return k;
	run_handle *h = run_open(p.s, nullptr, TRACE_FORMAT_TEXT, stderr, nullptr, RUN_OPEN_VERDICTS_ONLY);
	EXPECT_NE(h, nullptr);
	if (!h)
		return k;
	machine *m = run_handle_machine(h);
	machine_snapshot a, b;
	machine_snapshot_init(&a);
	machine_snapshot_init(&b);
	const char *why = nullptr;
	machine_run_until(m, at);
	k.period = period ? period : machine_idle_period(m);
	k.have = run_handle_shift_key(h, &a, &why);
	if (!k.have) {
		k.why = why ? why : "";
	} else if (k.period) {
		machine_run_until(m, at + k.period);
		EXPECT_TRUE(run_handle_shift_key(h, &b, &why)) << why;
		k.equal = a.len == b.len && !memcmp(a.bytes, b.bytes, a.len);
	}
	machine_snapshot_release(&a);
	machine_snapshot_release(&b);
	run_close(h, nullptr);
	return k;
}

const char *const kIdle = R"(cpu core2-no-vnmi
l0 kvm-2008
guest L1
  idt 2 nmi interrupt-gate
main:   %s
loop:   work 100
        cli
        work 100
        sti
        jmp loop
nmi:    work 700
        iret
at 2000 nmi -> L1 cpu0
run %s
%s
)";

std::string Idle(const char *main, const char *run, const char *tail = "")
{
	char buf[1024];
	snprintf(buf, sizeof(buf), kIdle, main, run, tail);
	return buf;
}

TEST(ShiftKey, AnIdleLoopIsTheSameStateATurnLater)
{
	Keys k = KeysApart(Idle("sti", "20000"), 8000);
	ASSERT_TRUE(k.have) << k.why;
	EXPECT_EQ(k.period, 203u);   // work 100, cli, work 100, sti, jmp at one cycle each
	EXPECT_TRUE(k.equal);
	// Half a turn later it is somewhere else in the loop.
	EXPECT_FALSE(KeysApart(Idle("sti", "20000"), 8000, 101).equal);
}

// The guest took an NMI with interrupts off: KVM keeps its soft NMI blocking and the entry stamp it measures from.
std::string SoftBlocked(const char *run)
{
	return std::string("cpu core2-no-vnmi\nl0 kvm-2008\nguest L1\n  idt 2 nmi interrupt-gate\nmain: cli\n"
	                   "loop: work 150\n  jmp loop\nnmi: work 700\n  iret\nat 2000 nmi -> L1 cpu0\nrun ") +
	       run + "\n";
}

TEST(ShiftKey, SoftVnmiStampIsDeadWhileTheTimeoutIsOutOfReach)
{
	Keys near = KeysApart(SoftBlocked("20000"), 8000);
	ASSERT_TRUE(near.have) << near.why;
	EXPECT_TRUE(near.equal);
	// A run of 600 ms could bring the blocked time to the 1-second timeout (counted twice): the stamp is read.
	Keys far = KeysApart(SoftBlocked("600ms"), 8000);
	ASSERT_TRUE(far.have) << far.why;
	EXPECT_FALSE(far.equal);
	// 400 ms could not.
	Keys short_ = KeysApart(SoftBlocked("400ms"), 8000);
	ASSERT_TRUE(short_.have) << short_.why;
	EXPECT_TRUE(short_.equal);
}

TEST(ShiftKey, AnArmedLapicTimerMovesAgainstNow)
{
	const std::string armed = R"(cpu nehalem
l0 none
guest L1
  exit-handler on_exit
main:   apic-timer oneshot 0x40 100000 divide 4
        vmlaunch
on_exit: vmresume
guest L2
main:   work 63
        jmp main
run 1000000
)";
	Keys k = KeysApart(armed, 8000);
	ASSERT_TRUE(k.have) << k.why;
	EXPECT_EQ(k.period, 64u);
	EXPECT_FALSE(k.equal);
	std::string idle = armed;
	idle.replace(idle.find("main:   apic-timer oneshot 0x40 100000 divide 4\n"), 49, "main:   ");
	Keys i = KeysApart(idle, 8000);
	ASSERT_TRUE(i.have) << i.why;
	EXPECT_TRUE(i.equal);
}

TEST(ShiftKey, WhatHasNoKeySaysWhy)
{
	Keys tsc = KeysApart(Idle("rdtsc rax\n        sti", "20000"), 8000);
	EXPECT_FALSE(tsc.have);
	EXPECT_NE(tsc.why.find("TSC"), std::string::npos) << tsc.why;
	Keys at = KeysApart(Idle("sti", "20000", "expect deliver nmi at 3000"), 8000);
	EXPECT_FALSE(at.have);
	EXPECT_NE(at.why.find("time"), std::string::npos) << at.why;
	std::string two = Idle("sti", "20000");
	two.replace(two.find("l0 kvm-2008\n"), 12, "l0 kvm-2008\nvcpus 2\n");
	Keys v = KeysApart(two, 8000);
	EXPECT_FALSE(v.have);
	EXPECT_NE(v.why.find("vCPUs"), std::string::npos) << v.why;
}

} // namespace
