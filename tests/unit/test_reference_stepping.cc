/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_reference_stepping.cc - the reference mode of the processor model
 * (vmx_lp.reference): work one unit per step and sleep one cycle per step.
 * Each story runs twice, fast and reference, from the same start; both must
 * end in the same state at the same cycle, and only the number of steps may
 * differ - the fast path takes a handful where the reference takes one per
 * cycle. The byte-for-byte check on whole scenarios is the reference.*
 * ctest group (tests/reference.cmake).
 *
 * Timing on the nehalem model: entry 1000 cycles, exit 1000, one work unit
 * 1; preemption timer rate 5 (one tick every 32 cycles).
 */
#include <algorithm>
#include <functional>
#include <utility>

#include "hw_fixture.h"

namespace {

struct End {
	vmx_run_outcome outcome;
	uint64_t cycle, steps, reason, guest_rip, timer, rip, retired;
	uint32_t activity;
};

class ReferenceStepping : public HwTest {
protected:
	/* Launch with `reference` set and run up to `cycles` after the entry. */
	End Run(bool reference, uint64_t cycles = 100000)
	{
		lp.reference = reference;
		lp.steps = 0;
		End e;
		e.outcome = LaunchAndRun(cycles);
		e.cycle = lp.cycle;
		e.steps = lp.steps;
		e.reason = Get(VM_EXIT_REASON);
		e.guest_rip = Get(GUEST_RIP);
		e.timer = Get(VMX_PREEMPTION_TIMER_VALUE);
		e.activity = lp.ctx.activity;
		e.rip = lp.ctx.rip;
		e.retired = lp.retired;
		return e;
	}

	/* The same story fast and in reference; the two ends agree but for the steps. */
	void Both(const std::function<void()> &setup, End *fast, End *ref, uint64_t cycles = 100000)
	{
		setup();
		*fast = Run(false, cycles);
		Use("nehalem");
		setup();
		*ref = Run(true, cycles);
		EXPECT_EQ(fast->outcome, ref->outcome);
		EXPECT_EQ(fast->cycle, ref->cycle);
		EXPECT_EQ(fast->reason, ref->reason);
		EXPECT_EQ(fast->guest_rip, ref->guest_rip);
		EXPECT_EQ(fast->timer, ref->timer);
		EXPECT_EQ(fast->activity, ref->activity);
		EXPECT_EQ(fast->rip, ref->rip);
		EXPECT_EQ(fast->retired, ref->retired);
	}
};

}  // namespace

TEST_F(ReferenceStepping, AWorkBlockIsOneStepFastAndOneStepPerUnitInReference)
{
	End fast, ref;
	Both([&] { Program({Work(5000), Op(VMX_OP_VMCALL)}); }, &fast, &ref);
	ASSERT_EQ(fast.outcome, VMX_RUN_EXIT);
	EXPECT_EQ(fast.reason, (uint64_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(fast.cycle, 1000u + 5000 + 1000);
	EXPECT_LE(fast.steps, 3u);
	EXPECT_GE(ref.steps, 5000u);
}

/* R27: the timer expires inside a work block; the fast path must stop there, not at its end. */
TEST_F(ReferenceStepping, R27_TimerInsideAWorkBlockStopsBothAtTheSameBoundary)
{
	End fast, ref;
	Both(
	    [&] {
		    Program({Work(100000), Op(VMX_OP_VMCALL)});
		    SetBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VMX_PREEMPTION_TIMER);
		    Set(VMX_PREEMPTION_TIMER_VALUE, 10);
		    SetBits(VM_EXIT_CONTROLS, VM_EXIT_SAVE_VMX_PREEMPTION_TIMER);
	    },
	    &fast, &ref);
	EXPECT_EQ(fast.reason, (uint64_t)EXIT_REASON_PREEMPTION_TIMER);
	EXPECT_EQ(fast.guest_rip, kGuestBase + 312);   /* ticks on TSC bit 5: 992 + 10 x 32 */
	EXPECT_LT(fast.steps, ref.steps);
}

/* A halted guest (HLT not exiting) sleeps until the timer wakes it with an exit (R27). */
TEST_F(ReferenceStepping, R27_ASleepIsOneStepFastAndOneStepPerCycleInReference)
{
	End fast, ref;
	Both(
	    [&] {
		    Program({Op(VMX_OP_HLT), Op(VMX_OP_VMCALL)});
		    SetBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VMX_PREEMPTION_TIMER);
		    Set(VMX_PREEMPTION_TIMER_VALUE, 100);
	    },
	    &fast, &ref);
	EXPECT_EQ(fast.reason, (uint64_t)EXIT_REASON_PREEMPTION_TIMER);
	EXPECT_LE(fast.steps, 4u);
	EXPECT_GE(ref.steps, 100u * 32 - 8 - 2);   /* the deadline is 992 + 100 x 32 */
}

/* Nothing wakes the sleeper: both stop at the caller's limit. */
TEST_F(ReferenceStepping, ASleepUntilTheLimitEndsAtTheLimitInBoth)
{
	End fast, ref;
	Both([&] { Program({Op(VMX_OP_HLT), Op(VMX_OP_VMCALL)}); }, &fast, &ref, 20000);
	EXPECT_EQ(fast.outcome, VMX_RUN_LIMIT);
	EXPECT_EQ(fast.activity, (uint32_t)GUEST_ACTIVITY_HLT);
	EXPECT_EQ(fast.cycle, 1000u + 20000);
	EXPECT_GE(ref.steps, 19000u);
}

/*
 * The LAPIC timer: a periodic one that the guest programs through a zero
 * MSR bitmap, firing inside a work block and waking a HLT - both paths stop
 * at each expiry at the same boundary and end at the same exit.
 */
TEST_F(ReferenceStepping, TheLapicTimerFiresAtTheSameBoundariesInBoth)
{
	static msr_bitmap zero{};
	std::vector<vmx_hw_event> fast_events;
	End fast, ref;
	Both(
	    [&] {
		    if (!events.empty())
			    fast_events = events;
		    events.clear();
		    Program({Op(VMX_OP_WRMSR, MSR_IA32_X2APIC_DIV_CONF, 0x1),          /* divide by 4 */
		             Op(VMX_OP_WRMSR, MSR_IA32_X2APIC_LVT_TIMER, 0x20000 | 0x30), /* periodic, 0x30 */
		             Op(VMX_OP_WRMSR, MSR_IA32_X2APIC_INIT_COUNT, 777), Work(5000), Op(VMX_OP_HLT),
		             Op(VMX_OP_JMP, 0), Op(VMX_OP_EOI), Op(VMX_OP_IRET)});
		    code[5].arg = At(4);
		    Gate(0x30, 6);
		    SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_USE_MSR_BITMAPS);
		    Set(MSR_BITMAP, 0x5000);
		    v.msr_bitmap = &zero;
		    ClearBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_EXT_INTR_MASK);
		    SetBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VMX_PREEMPTION_TIMER);
		    Set(VMX_PREEMPTION_TIMER_VALUE, 1000);   /* 32000 cycles: ends the story */
	    },
	    &fast, &ref, 100000);
	EXPECT_EQ(fast.reason, (uint64_t)EXIT_REASON_PREEMPTION_TIMER);
	EXPECT_EQ(fast.cycle, 992u + 32000 + 1000);   /* ticks on TSC bit 5: the entry ended at 31 x 32 + 8 */
	EXPECT_LT(fast.steps * 20, ref.steps);
	/* The same expiries, deliveries and wake-ups at the same cycles. */
	auto story = [](const std::vector<vmx_hw_event> &evs) {
		std::vector<std::pair<int, uint64_t>> out;
		for (const auto &e : evs)
			if (e.kind == HW_APIC_TIMER || e.kind == HW_DELIVER || e.kind == HW_WAKE || e.kind == HW_EOI)
				out.emplace_back((int)e.kind, e.cycle);
		return out;
	};
	ASSERT_FALSE(fast_events.empty());
	EXPECT_EQ(story(fast_events), story(events));
	EXPECT_EQ(std::count_if(events.begin(), events.end(), [](const vmx_hw_event &e) { return e.kind == HW_APIC_TIMER; }),
	          (32000 - 3) / (777 * 4));
}

/*
 * An idle loop (work and NOPs, then a JMP back): the fast path takes its
 * whole turns before the limit at once (exec.c skip_idle_loop), and ends
 * where the reference, stepping every cycle, ends - RIP inside the turn the
 * limit falls in. Retired instructions agree too.
 */
TEST_F(ReferenceStepping, AnIdleLoopIsTakenInWholeTurnsAndEndsWhereTheReferenceDoes)
{
	End fast, ref;
	Both(
	    [&] {
		    Program({Work(300), Op(VMX_OP_NOP), Work(200), Op(VMX_OP_JMP)});
		    code[3].arg = At(0);
	    },
	    &fast, &ref, 123457);
	EXPECT_EQ(fast.outcome, VMX_RUN_LIMIT);
	EXPECT_GE(fast.rip, At(0));
	EXPECT_LE(fast.rip, At(3));
	EXPECT_LE(fast.steps, 12u) << "a handful of steps, not one per turn";
	EXPECT_GE(ref.steps, 123000u);
}

/* Not with the preemption timer armed, nor single-stepping: every boundary is looked at, and both agree. */
TEST_F(ReferenceStepping, R27_AnIdleLoopUnderTheTimerStopsAtItsDeadlineInBoth)
{
	End fast, ref;
	Both(
	    [&] {
		    Program({Work(50), Op(VMX_OP_JMP)});
		    code[1].arg = At(0);
		    SetBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VMX_PREEMPTION_TIMER);
		    Set(VMX_PREEMPTION_TIMER_VALUE, 40);
	    },
	    &fast, &ref);
	EXPECT_EQ(fast.reason, (uint64_t)EXIT_REASON_PREEMPTION_TIMER);
	EXPECT_EQ(fast.guest_rip, ref.guest_rip);
}
