/* SPDX-License-Identifier: Apache-2.0 */
// test_twin_features.cc - two CPU-model features the Bochs twins brought
// besides the TRUE MSRs (test_true_ctls.cc): ENTRY_SMM_CTLS, the entry
// controls real parts offer but that fail every VM entry outside SMM
// (26.2.1.3), and SAVE_EFER_LMA (IA32_VMX_MISC[5]), whose store of
// IA32_EFER.LMA on a VM exit leaves the IA-32e-mode-guest control as the
// entry found it, since no modelled instruction changes LMA.
#include <utility>

#include "hw_fixture.h"
#include "unit/cpu_models.h"
#include "vmcs/vmx_caps.h"

namespace {

class TwinFeature : public HwTest {};

// Offered, then refused at the entry by the SMM checks, not by the capability MSR.
TEST_F(TwinFeature, EntryToSmmAndDualMonitorAreOfferedAndFailTheEntry)
{
	const std::pair<uint32_t, const char *> cases[] = {
		{VM_ENTRY_SMM, "entry to SMM is 0 outside SMM"},
		{VM_ENTRY_DEACT_DUAL_MONITOR, "deactivate dual-monitor treatment is 0 outside SMM"},
	};
	for (const auto &c : cases) {
		Use("haswell");
		ASSERT_TRUE(vmx_caps_allows(&model.caps, VMX_CTL_ENTRY, c.first));
		SetBits(VM_ENTRY_CONTROLS, c.first);
		EXPECT_EQ(Launch(), VMX_ENTRY_FAIL_VALID);
		EXPECT_EQ(Get(VM_INSTRUCTION_ERROR), 7u);
		EXPECT_EQ(LastCheck(), c.second);
	}
	// Without the feature the capability MSR refuses the bit first (same error).
	Use("nehalem");
	ASSERT_FALSE(vmx_caps_allows(&model.caps, VMX_CTL_ENTRY, VM_ENTRY_SMM));
	SetBits(VM_ENTRY_CONTROLS, VM_ENTRY_SMM);
	EXPECT_EQ(Launch(), VMX_ENTRY_FAIL_VALID);
	EXPECT_EQ(Get(VM_INSTRUCTION_ERROR), 7u);
	EXPECT_EQ(LastCheck(), "VM-entry controls within IA32_VMX_ENTRY_CTLS");
}

// MISC 5 is reported; a VM exit leaves the IA-32e-mode-guest control as it was, set or clear.
TEST_F(TwinFeature, SaveEferLmaKeepsTheIa32eModeControl)
{
	EXPECT_NE(Model("penryn").caps.misc & VMX_MISC_SAVE_EFER_LMA, 0u);
	EXPECT_EQ(Model("nehalem").caps.misc & VMX_MISC_SAVE_EFER_LMA, 0u);
	for (bool ia32e : {false, true}) {
		Use("penryn");
		if (ia32e)
			SetBits(VM_ENTRY_CONTROLS, VM_ENTRY_IA32E_MODE);
		SetBits(CPU_BASED_VM_EXEC_CONTROL, (uint32_t)CPU_BASED_HLT_EXITING);
		Program({Op(VMX_OP_HLT)});
		const uint64_t before = Get(VM_ENTRY_CONTROLS);
		LaunchAndRun();
		EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_HLT);
		EXPECT_EQ(Get(VM_ENTRY_CONTROLS), before) << ia32e;
	}
}

} // namespace
