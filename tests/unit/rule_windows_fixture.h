/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rule_windows_fixture.h - the fixture of the suites of what happens at an
 * instruction boundary (test_rules_windows.cc, test_rules_timer_mtf.cc,
 * test_rules_shadows.cc): VM-execution controls, virtual NMIs, IF, the
 * preemption timer, a VMRESUME that runs on, and a VM exit checked whole.
 *
 * Timing on the nehalem model: entry 1000 cycles, exit 1000, delivery 50,
 * one work unit or simple instruction 1, IRET 30; preemption timer rate 5
 * (one tick every 32 cycles).
 */
#ifndef VMXSIM_TEST_RULE_WINDOWS_FIXTURE_H
#define VMXSIM_TEST_RULE_WINDOWS_FIXTURE_H

#include "hw_fixture.h"

class RuleWindows : public HwTest {
protected:
	void Proc(uint32_t bits) { SetBits(CPU_BASED_VM_EXEC_CONTROL, bits); }
	void NoProc(uint32_t bits) { ClearBits(CPU_BASED_VM_EXEC_CONTROL, bits); }
	void Vnmi() { SetBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VIRTUAL_NMIS); }
	void IfClear() { Set(GUEST_RFLAGS, X86_EFLAGS_FIXED); }

	void Timer(uint32_t value)
	{
		SetBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VMX_PREEMPTION_TIMER);
		Set(VMX_PREEMPTION_TIMER_VALUE, value);
	}

	void ExpectExit(uint32_t reason, uint64_t rip)
	{
		EXPECT_EQ(ExitReason(), reason);
		EXPECT_EQ(Get(GUEST_RIP), rip);
		EXPECT_FALSE(lp.non_root);
		EXPECT_EQ(lp.ctx.rip, kHostRip);
	}
};

#endif
