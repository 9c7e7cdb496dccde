/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rule_entry_fixture.h - the fixture of the VM-entry check suites
 * (test_rules_entry_checks.cc, test_rules_entry_inject.cc,
 * test_rules_entry_state.cc): a processor whose next entry passes every
 * check, and the three outcomes a check can have - VMfailValid(n), a
 * VM-entry failure (R26) and a successful entry - asserted whole.
 *
 * Outcomes: VMfailValid(n) writes only VM_INSTRUCTION_ERROR; a VM-entry
 * failure writes exit reason 0x80000021 and a qualification (0 default,
 * 3 NMI injection refused under STI blocking, 4 VMCS link pointer), loads
 * host state and leaves the entry field valid.
 */
#ifndef VMXSIM_TEST_RULE_ENTRY_FIXTURE_H
#define VMXSIM_TEST_RULE_ENTRY_FIXTURE_H

#include "hw_fixture.h"

class RuleEntry : public HwTest {
protected:
	void Secondary(uint32_t proc2)
	{
		SetBits(CPU_BASED_VM_EXEC_CONTROL, (uint32_t)CPU_BASED_ACTIVATE_SECONDARY_CONTROLS);
		Set(SECONDARY_VM_EXEC_CONTROL, proc2);
	}

	/* VMfailValid(err): nothing loaded, the VMCS stays clear, costs one instruction. */
	void ExpectFailValid(uint32_t err, bool launch = true)
	{
		uint64_t c0 = lp.cycle;
		uint32_t info = G(VM_ENTRY_INTR_INFO_FIELD);
		vmcs_launch_state ls = v.launch_state;

		EXPECT_EQ(vmx_lp_vmentry(&lp, launch), VMX_ENTRY_FAIL_VALID) << LastCheck();
		EXPECT_EQ(G(VM_INSTRUCTION_ERROR), err) << LastCheck();
		EXPECT_FALSE(lp.non_root);
		EXPECT_EQ(v.launch_state, ls);
		EXPECT_EQ(lp.cycle - c0, (uint64_t)model.insn_cycles);
		EXPECT_EQ(G(VM_ENTRY_INTR_INFO_FIELD), info);
		ASSERT_FALSE(events.empty());
		EXPECT_EQ(events.back().kind, HW_VMFAIL);
		EXPECT_EQ(events.back().error, err);
		EXPECT_EQ(Count(HW_DELIVER), 0);
	}

	/* VM-entry failure (R26): reason 33 | bit 31, qualification, host state, entry field untouched. */
	void ExpectFailGuest(uint64_t qual)
	{
		uint64_t c0 = lp.cycle;
		uint32_t info = G(VM_ENTRY_INTR_INFO_FIELD);
		uint64_t guest_rip = Get(GUEST_RIP);

		EXPECT_EQ(Launch(), VMX_ENTRY_FAILED) << LastCheck();
		EXPECT_EQ(ExitReason(), 0x80000021u) << LastCheck();
		EXPECT_EQ(Get(EXIT_QUALIFICATION), qual) << LastCheck();
		EXPECT_EQ(v.launch_state, VMCS_CLEAR);
		EXPECT_FALSE(lp.non_root);
		EXPECT_EQ(lp.ctx.rip, kHostRip);
		EXPECT_EQ(lp.ctx.rflags, (uint64_t)X86_EFLAGS_FIXED);
		EXPECT_EQ(lp.cycle - c0, (uint64_t)model.vmentry_cycles + model.vmexit_cycles);
		EXPECT_EQ(G(VM_ENTRY_INTR_INFO_FIELD), info);      /* R26: still valid if it was */
		EXPECT_EQ(Get(GUEST_RIP), guest_rip);              /* guest state not saved */
		EXPECT_EQ(Count(HW_VMENTRY), 0);
		EXPECT_EQ(Count(HW_DELIVER), 0);
		ASSERT_FALSE(events.empty());
		EXPECT_EQ(events.back().kind, HW_VMEXIT);
		EXPECT_EQ(events.back().reason, 0x80000021u);
	}

	void ExpectEnters()
	{
		EXPECT_EQ(Launch(), VMX_ENTRY_OK) << LastCheck();
		EXPECT_TRUE(lp.non_root);
		EXPECT_EQ(v.launch_state, VMCS_LAUNCHED);
		EXPECT_EQ(Count(HW_VMENTRY), 1);
	}

	bool CheckIs(const char *prefix) const { return LastCheck().rfind(prefix, 0) == 0; }
};

#endif
