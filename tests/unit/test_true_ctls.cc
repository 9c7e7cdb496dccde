/* SPDX-License-Identifier: Apache-2.0 */
// test_true_ctls.cc - the TRUE capability MSRs (SDM App. A.1-A.5,
// IA32_VMX_BASIC[55]): which CPU models have them, what they report, and
// that a VM entry, the VMCS the machine sets up and the guest's MOV to CR3
// then follow them - the default-1 controls they report as allowed-0
// (CR3-load/store exiting, save/load debug controls) really may be 0.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "hw_fixture.h"
#include "unit/cpu_models.h"
#include "vmcs/cpu_model.h"
#include "vmcs/vmx_caps.h"
#include "vmcs/x86_gpr.h"

namespace {

// App. A.1: the TRUE MSRs (0x48D-0x490) exist only when IA32_VMX_BASIC[55] is 1;
// then a VM entry checks the pin, primary, exit and entry words against them.
TEST(Caps, TrueMsrs)
{
	EXPECT_EQ(MSR_IA32_VMX_TRUE_PINBASED_CTLS, 0x48d);
	EXPECT_EQ(MSR_IA32_VMX_TRUE_PROCBASED_CTLS, 0x48e);
	EXPECT_EQ(MSR_IA32_VMX_TRUE_EXIT_CTLS, 0x48f);
	EXPECT_EQ(MSR_IA32_VMX_TRUE_ENTRY_CTLS, 0x490);
	vmx_caps c{};
	c.pinbased_ctls = 0x11;
	c.procbased_ctls = 0x12;
	c.procbased_ctls2 = 0x1b;
	c.exit_ctls = 0x13;
	c.entry_ctls = 0x14;
	c.true_pinbased_ctls = 0x21;
	c.true_procbased_ctls = 0x22;
	c.true_exit_ctls = 0x23;
	c.true_entry_ctls = 0x24;
	uint64_t v = 0xabcd;
	EXPECT_FALSE(vmx_caps_has_true_ctls(&c));
	EXPECT_FALSE(vmx_caps_read_msr(&c, 0x48d, &v));
	EXPECT_EQ(v, 0xabcdu);
	EXPECT_EQ(vmx_caps_for_word(&c, VMX_CTL_PROC), 0x12u);
	c.basic = VMX_BASIC_TRUE_CTLS;
	EXPECT_TRUE(vmx_caps_has_true_ctls(&c));
	const std::pair<uint32_t, uint64_t> known[] = {{0x48d, 0x21}, {0x48e, 0x22}, {0x48f, 0x23}, {0x490, 0x24},
	                                               {0x481, 0x11}, {0x482, 0x12}};
	for (const auto &k : known) {
		EXPECT_TRUE(vmx_caps_read_msr(&c, k.first, &v)) << std::hex << k.first;
		EXPECT_EQ(v, k.second) << std::hex << k.first;
	}
	EXPECT_EQ(vmx_caps_for_word(&c, VMX_CTL_PIN), 0x21u);
	EXPECT_EQ(vmx_caps_for_word(&c, VMX_CTL_PROC), 0x22u);
	EXPECT_EQ(vmx_caps_for_word(&c, VMX_CTL_PROC2), 0x1bu);   // no TRUE form
	EXPECT_EQ(vmx_caps_for_word(&c, VMX_CTL_EXIT), 0x23u);
	EXPECT_EQ(vmx_caps_for_word(&c, VMX_CTL_ENTRY), 0x24u);
	EXPECT_FALSE(vmx_caps_read_msr(&c, 0x491, &v));
}

// The TRUE MSRs the feature derives: the plain MSRs' allowed-1 bits, and
// allowed-0 bits without CR3-load/store exiting and the debug controls -
// the ones real parts and Bochs report as clearable.
TEST(CpuModel, TrueCtlsFeature)
{
	for (const cpu_model &base : AllModels()) {
		SCOPED_TRACE(base.name);
		cpu_model m = base;
		m.features |= VMX_FEAT_TRUE_CTLS;
		cpu_model_derive_caps(&m);
		const vmx_caps &c = m.caps;
		EXPECT_NE(c.basic & VMX_BASIC_TRUE_CTLS, 0u);
		EXPECT_EQ(c.true_pinbased_ctls, c.pinbased_ctls);
		EXPECT_EQ(c.true_procbased_ctls, Msr(0x04006172u, vmx_allowed1(c.procbased_ctls)));
		EXPECT_EQ(c.true_exit_ctls, Msr(0x00036dfbu, vmx_allowed1(c.exit_ctls)));
		EXPECT_EQ(c.true_entry_ctls, Msr(0x000011fbu, vmx_allowed1(c.entry_ctls)));
		// The plain MSRs do not change with the feature.
		cpu_model without = m;
		without.features &= ~VMX_FEAT_TRUE_CTLS;
		cpu_model_derive_caps(&without);
		EXPECT_EQ(c.pinbased_ctls, without.caps.pinbased_ctls);
		EXPECT_EQ(c.procbased_ctls, without.caps.procbased_ctls);
		EXPECT_EQ(c.exit_ctls, without.caps.exit_ctls);
		EXPECT_EQ(c.entry_ctls, without.caps.entry_ctls);
		// A word without the four may-be-0 controls is valid under TRUE only.
		EXPECT_TRUE(vmx_control_word_valid(vmx_caps_for_word(&c, VMX_CTL_PROC), 0x04006172u));
		EXPECT_FALSE(vmx_control_word_valid(c.procbased_ctls, 0x04006172u));
		EXPECT_TRUE(vmx_control_word_valid(vmx_caps_for_word(&c, VMX_CTL_EXIT), 0x00036dfbu));
		EXPECT_TRUE(vmx_control_word_valid(vmx_caps_for_word(&c, VMX_CTL_ENTRY), 0x000011fbu));
		// Without the feature the TRUE fields are 0 and unreadable.
		m.features &= ~VMX_FEAT_TRUE_CTLS;
		cpu_model_derive_caps(&m);
		uint64_t v = 0;
		EXPECT_EQ(m.caps.true_procbased_ctls, 0u);
		EXPECT_FALSE(vmx_caps_read_msr(&m.caps, MSR_IA32_VMX_TRUE_PROCBASED_CTLS, &v));
	}
}

// Which shipped models have TRUE MSRs: the Bochs twins, not the three older models.
TEST(CpuModel, WhichModelsHaveTrueCtls)
{
	for (const cpu_model &m : AllModels()) {
		const bool twin = std::string(m.summary).rfind("twin of Bochs", 0) == 0;
		EXPECT_EQ(vmx_caps_has_true_ctls(&m.caps), twin) << m.name;
	}
}

constexpr uint32_t kProcTrue0 = 0x04006172u;   // CR3-load and CR3-store exiting clear
constexpr uint32_t kExitTrue0 = 0x00036dfbu;   // save debug controls clear
constexpr uint32_t kHost64 = 0x200u;           // host address-space size (26.2.4), which vmcs_setup adds
constexpr uint32_t kEntryTrue0 = 0x000011fbu;  // load debug controls clear

class TrueCtlsEntry : public HwTest {
protected:
	void Minimal()
	{
		Set(CPU_BASED_VM_EXEC_CONTROL, kProcTrue0);
		Set(VM_EXIT_CONTROLS, kExitTrue0 | kHost64);
		Set(VM_ENTRY_CONTROLS, kEntryTrue0);
	}
};

// With TRUE MSRs a VM entry takes the four default-1 controls at 0.
TEST_F(TrueCtlsEntry, TheMayBeZeroControlsMayBeZero)
{
	Use("haswell");
	Minimal();
	EXPECT_EQ(Launch(), VMX_ENTRY_OK) << LastCheck();
}

// Without them the same words fail the entry (VMfailValid 7), at the primary word first.
TEST_F(TrueCtlsEntry, WithoutTrueMsrsTheyMustBeOne)
{
	Use("nehalem");
	Minimal();
	EXPECT_EQ(Launch(), VMX_ENTRY_FAIL_VALID);
	EXPECT_EQ(Get(VM_INSTRUCTION_ERROR), 7u);
	EXPECT_EQ(LastCheck(), "primary processor-based controls within IA32_VMX_PROCBASED_CTLS");
}

// The other default-1 bits stay must-be-1 under TRUE, and the check names the TRUE MSR.
TEST_F(TrueCtlsEntry, OtherDefaultOneBitsStayMustBeOne)
{
	const std::pair<vmcs_field, uint32_t> cases[] = {
		{PIN_BASED_VM_EXEC_CONTROL, 1u << 1},
		{CPU_BASED_VM_EXEC_CONTROL, 1u << 26},
		{VM_EXIT_CONTROLS, 1u << 0},
		{VM_ENTRY_CONTROLS, 1u << 12},
	};
	const char *const texts[] = {
		"pin-based controls within IA32_VMX_TRUE_PINBASED_CTLS",
		"primary processor-based controls within IA32_VMX_TRUE_PROCBASED_CTLS",
		"VM-exit controls within IA32_VMX_TRUE_EXIT_CTLS",
		"VM-entry controls within IA32_VMX_TRUE_ENTRY_CTLS",
	};
	for (size_t i = 0; i < 4; i++) {
		Use("icelake");
		Minimal();
		ClearBits(cases[i].first, cases[i].second);
		EXPECT_EQ(Launch(), VMX_ENTRY_FAIL_VALID) << i;
		EXPECT_EQ(Get(VM_INSTRUCTION_ERROR), 7u) << i;
		EXPECT_EQ(LastCheck(), texts[i]);
	}
}

// CR3-load exiting at 0 lets the guest's MOV to CR3 through (26.1.3); at 1 it exits.
TEST_F(TrueCtlsEntry, MovToCr3WithoutCr3LoadExiting)
{
	for (bool exiting : {false, true}) {
		Use("haswell");
		Minimal();
		if (exiting)
			SetBits(CPU_BASED_VM_EXEC_CONTROL, (uint32_t)CPU_BASED_CR3_LOAD_EXITING);
		vmx_insn mov = Op(VMX_OP_MOV_CR, 3, 0x5000);
		mov.src = VMX_REG(X86_GPR_rax);
		mov.dst = VMX_REG(X86_GPR_rax);
		Program({mov, Op(VMX_OP_HLT)});
		SetBits(CPU_BASED_VM_EXEC_CONTROL, (uint32_t)CPU_BASED_HLT_EXITING);
		LaunchAndRun();
		EXPECT_EQ(ExitReason(), exiting ? (uint32_t)EXIT_REASON_CR_ACCESS : (uint32_t)EXIT_REASON_HLT);
		EXPECT_EQ(mem.cr3, exiting ? 0u : 0x5000u);
	}
}

// vmcs_setup() - the VMCS of an L0 and the machine's vmcs0 - sets only the
// must-be-1 controls of the MSR a VM entry checks against, and host
// address-space size (its software is 64-bit).
TEST(TrueCtlsSetup, VmcsSetupSetsTheGoverningMustBeOneBits)
{
	for (const char *name : {"nehalem", "haswell"}) {
		cpu_model m{};
		ASSERT_TRUE(cpu_model_lookup(name, &m));
		vmcs v{};
		vmcs_setup(&v, &m.caps, m.revision_id, 0, 0, 0, 0x1000, 0x2000, nullptr, 0);
		const bool t = vmx_caps_has_true_ctls(&m.caps);
		EXPECT_EQ(vmcs_get32(&v, CPU_BASED_VM_EXEC_CONTROL), t ? kProcTrue0 : 0x0401e172u) << name;
		EXPECT_EQ(vmcs_get32(&v, VM_EXIT_CONTROLS), (t ? kExitTrue0 : 0x00036dffu) | kHost64) << name;
		EXPECT_EQ(vmcs_get32(&v, VM_ENTRY_CONTROLS), t ? kEntryTrue0 : 0x000011ffu) << name;
		EXPECT_EQ(vmcs_get32(&v, PIN_BASED_VM_EXEC_CONTROL), 0x16u) << name;
	}
}

} // namespace
