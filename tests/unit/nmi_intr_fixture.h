/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nmi_intr_fixture.h - the hardware fixture of the NMI and interrupt rules
 * (test_rules_nmi_intr.cc, test_rules_iret.cc): pin-based controls, IF,
 * and the exit a test expects.
 */
#ifndef VMXSIM_TEST_NMI_INTR_FIXTURE_H
#define VMXSIM_TEST_NMI_INTR_FIXTURE_H

#include "hw_fixture.h"

class RuleNmiIntr : public HwTest {
protected:
	void Pin(uint32_t bits) { SetBits(PIN_BASED_VM_EXEC_CONTROL, bits); }
	void NoPin(uint32_t bits) { ClearBits(PIN_BASED_VM_EXEC_CONTROL, bits); }
	void IfClear() { Set(GUEST_RFLAGS, X86_EFLAGS_FIXED); }

	void ExpectExit(uint32_t reason, uint64_t rip)
	{
		EXPECT_EQ(ExitReason(), reason);
		EXPECT_EQ(Get(GUEST_RIP), rip);
	}
};

#endif
