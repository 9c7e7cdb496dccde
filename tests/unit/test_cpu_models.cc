/* SPDX-License-Identifier: Apache-2.0 */
// test_cpu_models.cc - VMX capability MSRs (vmcs/vmx_caps.h) and the named CPU
// models whose capabilities are derived from feature lists (vmcs/cpu_model.h).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "unit/cpu_models.h"
#include "vmcs/cpu_model.h"
#include "vmcs/vmx_caps.h"
#include "vmcs/vmx_controls.h"
#include "vmcs/vmx_intr_state.h"

namespace {

constexpr uint32_t kSecondary = static_cast<uint32_t>(CPU_BASED_ACTIVATE_SECONDARY_CONTROLS);

// ---------------------------------------------------------------- Caps

TEST(Caps, MsrNumbersAndBits)
{
	EXPECT_EQ(MSR_IA32_VMX_BASIC, 0x480);
	EXPECT_EQ(MSR_IA32_VMX_PINBASED_CTLS, 0x481);
	EXPECT_EQ(MSR_IA32_VMX_PROCBASED_CTLS, 0x482);
	EXPECT_EQ(MSR_IA32_VMX_EXIT_CTLS, 0x483);
	EXPECT_EQ(MSR_IA32_VMX_ENTRY_CTLS, 0x484);
	EXPECT_EQ(MSR_IA32_VMX_MISC, 0x485);
	EXPECT_EQ(MSR_IA32_VMX_PROCBASED_CTLS2, 0x48b);
	EXPECT_EQ(VMX_BASIC_REVISION_MASK, 0x7fffffffull);
	EXPECT_EQ(VMX_BASIC_INOUT, 1ull << 54);
	EXPECT_EQ(VMX_BASIC_TRUE_CTLS, 1ull << 55);
	EXPECT_EQ(VMX_BASIC_NO_HW_ERROR_CODE_CC, 1ull << 56); // R7
	EXPECT_EQ(VMX_MISC_PREEMPTION_TIMER_RATE_MASK, 0x1full);
	EXPECT_EQ(VMX_MISC_ACTIVITY_HLT, 1ull << 6);         // R11
	EXPECT_EQ(VMX_MISC_ACTIVITY_SHUTDOWN, 1ull << 7);
	EXPECT_EQ(VMX_MISC_ACTIVITY_WAIT_SIPI, 1ull << 8);
	EXPECT_EQ(VMX_MISC_VMWRITE_SHADOW_RO_FIELDS, 1ull << 29);
	EXPECT_EQ(VMX_MISC_ZERO_LEN_INS, 1ull << 30);        // R8
}

TEST(Caps, AllowedSettingsSplit)
{
	const uint64_t msr = 0x0000007f00000016ull;
	EXPECT_EQ(vmx_allowed0(msr), 0x16u);
	EXPECT_EQ(vmx_allowed1(msr), 0x7fu);
}

// A word is valid iff every allowed-0 (must-be-1) bit is set and no bit outside
// allowed-1 is set.
TEST(Caps, ControlWordValid)
{
	const uint64_t msr = Msr(0x16, 0x3f);
	EXPECT_TRUE(vmx_control_word_valid(msr, 0x16));
	EXPECT_TRUE(vmx_control_word_valid(msr, 0x16 | 0x1 | 0x8 | 0x20));
	EXPECT_FALSE(vmx_control_word_valid(msr, 0x14));          // default-1 bit 1 missing
	EXPECT_FALSE(vmx_control_word_valid(msr, 0x12));          // default-1 bit 2 missing
	EXPECT_FALSE(vmx_control_word_valid(msr, 0x0));
	EXPECT_FALSE(vmx_control_word_valid(msr, 0x16 | 0x40));   // bit 6 not allowed
	EXPECT_FALSE(vmx_control_word_valid(msr, 0x16 | 0x80000000u));
	// An all-zero MSR (e.g. no secondary controls) only allows 0.
	EXPECT_TRUE(vmx_control_word_valid(0, 0));
	EXPECT_FALSE(vmx_control_word_valid(0, 0x1));
}

TEST(Caps, WordToMsr)
{
	vmx_caps c{};
	c.basic = 1;
	c.pinbased_ctls = 2;
	c.procbased_ctls = 3;
	c.procbased_ctls2 = 4;
	c.exit_ctls = 5;
	c.entry_ctls = 6;
	c.misc = 7;
	EXPECT_EQ(vmx_caps_for_word(&c, VMX_CTL_PIN), 2u);
	EXPECT_EQ(vmx_caps_for_word(&c, VMX_CTL_PROC), 3u);
	EXPECT_EQ(vmx_caps_for_word(&c, VMX_CTL_PROC2), 4u);
	EXPECT_EQ(vmx_caps_for_word(&c, VMX_CTL_EXIT), 5u);
	EXPECT_EQ(vmx_caps_for_word(&c, VMX_CTL_ENTRY), 6u);
	EXPECT_EQ(vmx_caps_for_word(&c, VMX_CTL_WORD_COUNT), 0u);
}

TEST(Caps, Allows)
{
	vmx_caps c{};
	c.pinbased_ctls = Msr(0x16, 0x16 | PIN_BASED_NMI_EXITING | PIN_BASED_EXT_INTR_MASK);
	EXPECT_TRUE(vmx_caps_allows(&c, VMX_CTL_PIN, PIN_BASED_NMI_EXITING));
	EXPECT_TRUE(vmx_caps_allows(&c, VMX_CTL_PIN, PIN_BASED_NMI_EXITING | PIN_BASED_EXT_INTR_MASK));
	EXPECT_FALSE(vmx_caps_allows(&c, VMX_CTL_PIN, PIN_BASED_VIRTUAL_NMIS));
	EXPECT_FALSE(vmx_caps_allows(&c, VMX_CTL_PIN, PIN_BASED_NMI_EXITING | PIN_BASED_VIRTUAL_NMIS));
	EXPECT_FALSE(vmx_caps_allows(&c, VMX_CTL_PROC2, SECONDARY_EXEC_ENABLE_EPT));
}

// R11: the activity states a VM entry accepts come from IA32_VMX_MISC bits 6-8.
TEST(Caps, ActivitySupported)
{
	vmx_caps c{};
	EXPECT_TRUE(vmx_caps_activity_supported(&c, GUEST_ACTIVITY_ACTIVE));
	EXPECT_FALSE(vmx_caps_activity_supported(&c, GUEST_ACTIVITY_HLT));
	EXPECT_FALSE(vmx_caps_activity_supported(&c, GUEST_ACTIVITY_SHUTDOWN));
	EXPECT_FALSE(vmx_caps_activity_supported(&c, GUEST_ACTIVITY_WAIT_SIPI));
	c.misc = VMX_MISC_ACTIVITY_HLT;
	EXPECT_TRUE(vmx_caps_activity_supported(&c, GUEST_ACTIVITY_HLT));
	EXPECT_FALSE(vmx_caps_activity_supported(&c, GUEST_ACTIVITY_SHUTDOWN));
	c.misc = VMX_MISC_ACTIVITY_SHUTDOWN;
	EXPECT_FALSE(vmx_caps_activity_supported(&c, GUEST_ACTIVITY_HLT));
	EXPECT_TRUE(vmx_caps_activity_supported(&c, GUEST_ACTIVITY_SHUTDOWN));
	c.misc = VMX_MISC_ACTIVITY_WAIT_SIPI;
	EXPECT_TRUE(vmx_caps_activity_supported(&c, GUEST_ACTIVITY_WAIT_SIPI));
	EXPECT_FALSE(vmx_caps_activity_supported(&c, GUEST_ACTIVITY_HLT));
	c.misc = ~0ull;
	EXPECT_FALSE(vmx_caps_activity_supported(&c, 4));   // > 3 never
	EXPECT_FALSE(vmx_caps_activity_supported(&c, 0xffffffffu));
}

TEST(Caps, ReadMsr)
{
	vmx_caps c{};
	c.basic = 0x10;
	c.pinbased_ctls = 0x11;
	c.procbased_ctls = 0x12;
	c.exit_ctls = 0x13;
	c.entry_ctls = 0x14;
	c.misc = 0x15;
	c.procbased_ctls2 = 0x1b;
	c.cr0_fixed0 = 0x16;
	c.cr0_fixed1 = 0x17;
	c.cr4_fixed0 = 0x18;
	c.cr4_fixed1 = 0x19;
	const std::pair<uint32_t, uint64_t> known[] = {
		{0x480, 0x10}, {0x481, 0x11}, {0x482, 0x12}, {0x483, 0x13}, {0x484, 0x14}, {0x485, 0x15},
		{0x486, 0x16}, {0x487, 0x17}, {0x488, 0x18}, {0x489, 0x19}, {0x48b, 0x1b},
	};
	for (const auto &k : known) {
		uint64_t v = 0;
		EXPECT_TRUE(vmx_caps_read_msr(&c, k.first, &v)) << std::hex << k.first;
		EXPECT_EQ(v, k.second) << std::hex << k.first;
	}
	// VMCS_ENUM, EPT_VPID_CAP and VMFUNC are not modelled; TRUE_* need BASIC[55] (0 here).
	for (uint32_t msr : {0x0u, 0x3au, 0x47fu, 0x48au, 0x48cu, 0x48du, 0x48eu, 0x48fu, 0x490u, 0x491u, 0x492u}) {
		uint64_t v = 0xabcd;
		EXPECT_FALSE(vmx_caps_read_msr(&c, msr, &v)) << std::hex << msr;
		EXPECT_EQ(v, 0xabcdu) << std::hex << msr;
	}
}

// Posted interrupts are a feature of their own: APIC virtualization (secondary
// 4, 8, 9) without pin 7, as Haswell-class parts and Bochs's models have it.
TEST(CpuModel, ApicvWithoutPostedInterrupts)
{
	cpu_model m = Model("nehalem");
	m.features |= VMX_FEAT_APICV;
	cpu_model_derive_caps(&m);
	EXPECT_TRUE(vmx_caps_allows(&m.caps, VMX_CTL_PROC2, SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY |
	                                                         SECONDARY_EXEC_APIC_REGISTER_VIRT |
	                                                         SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE));
	EXPECT_FALSE(vmx_caps_allows(&m.caps, VMX_CTL_PIN, PIN_BASED_POSTED_INTR));
	m.features |= VMX_FEAT_POSTED_INTR;
	cpu_model_derive_caps(&m);
	EXPECT_TRUE(vmx_caps_allows(&m.caps, VMX_CTL_PIN, PIN_BASED_POSTED_INTR));
	const cpu_model hsw = Model("haswell");
	EXPECT_FALSE(vmx_caps_allows(&hsw.caps, VMX_CTL_PIN, PIN_BASED_POSTED_INTR));
	EXPECT_TRUE(vmx_caps_allows(&hsw.caps, VMX_CTL_PROC2, SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY));
}

// ---------------------------------------------------------------- CpuModel

TEST(CpuModel, NamesAndLookup)
{
	ASSERT_EQ(cpu_model_count(), 7);
	const char *const names[] = {"core2-no-vnmi", "nehalem", "sapphire-rapids", "penryn", "haswell", "icelake",
	                             "tigerlake"};
	for (int i = 0; i < 7; i++) {
		cpu_model at{}, byname{};
		cpu_model_at(i, &at);
		EXPECT_STREQ(at.name, names[i]);
		ASSERT_TRUE(cpu_model_lookup(names[i], &byname));
		EXPECT_STREQ(byname.name, names[i]);
		EXPECT_EQ(std::memcmp(&at.caps, &byname.caps, sizeof(at.caps)), 0);
		ASSERT_NE(at.summary, nullptr);
		EXPECT_FALSE(std::string(at.summary).empty());
	}
	cpu_model m{};
	m.name = "untouched";
	EXPECT_FALSE(cpu_model_lookup("pentium4", &m));
	EXPECT_FALSE(cpu_model_lookup("", &m));
	EXPECT_FALSE(cpu_model_lookup("Nehalem", &m));      // case matters
	EXPECT_FALSE(cpu_model_lookup("nehalem ", &m));
	EXPECT_STREQ(m.name, "untouched");
}

// Deriving twice gives the same MSRs (derivation is a pure function of the row).
TEST(CpuModel, DeriveIsIdempotent)
{
	for (cpu_model m : AllModels()) {
		cpu_model again = m;
		again.caps = vmx_caps{};
		cpu_model_derive_caps(&again);
		EXPECT_EQ(std::memcmp(&m.caps, &again.caps, sizeof(m.caps)), 0) << m.name;
	}
}

// Common to all models: in the plain capability MSRs the default-1 bits are
// exactly the allowed-0 settings (with or without TRUE MSRs, App. A.3-A.5);
// in the MSR a VM entry checks against (the TRUE one when there are TRUE
// MSRs) allowed-1 covers allowed-0 and the default word is valid.
TEST(CpuModel, DefaultOneBitsAreMustBeOne)
{
	for (const cpu_model &m : AllModels()) {
		SCOPED_TRACE(m.name);
		const vmx_caps &c = m.caps;
		EXPECT_EQ(vmx_allowed0(c.pinbased_ctls), 0x16u);
		EXPECT_EQ(vmx_allowed0(c.procbased_ctls), 0x0401e172u);
		EXPECT_EQ(vmx_allowed0(c.exit_ctls), 0x00036dffu);
		EXPECT_EQ(vmx_allowed0(c.entry_ctls), 0x000011ffu);
		EXPECT_EQ(vmx_allowed0(c.procbased_ctls2), 0u);
		EXPECT_EQ((c.basic & VMX_BASIC_TRUE_CTLS) != 0, (m.features & VMX_FEAT_TRUE_CTLS) != 0);
		for (vmx_control_word w : {VMX_CTL_PIN, VMX_CTL_PROC, VMX_CTL_PROC2, VMX_CTL_EXIT, VMX_CTL_ENTRY}) {
			const uint64_t msr = vmx_caps_for_word(&c, w);
			const uint32_t a0 = vmx_allowed0(msr);
			EXPECT_EQ(vmx_allowed1(msr) & a0, a0) << vmx_control_word_name(w);
			EXPECT_TRUE(vmx_control_word_valid(msr, a0)) << vmx_control_word_name(w);
			// Dropping any one default-1 bit makes the word invalid.
			for (unsigned b = 0; b < 32; b++) {
				if (a0 & (1u << b)) {
					EXPECT_FALSE(vmx_control_word_valid(msr, a0 & ~(1u << b)))
					    << vmx_control_word_name(w) << " bit " << b;
				}
			}
			// Setting any bit outside allowed-1 makes the word invalid.
			for (unsigned b = 0; b < 32; b++) {
				if (!(vmx_allowed1(msr) & (1u << b))) {
					EXPECT_FALSE(vmx_control_word_valid(msr, a0 | (1u << b)))
					    << vmx_control_word_name(w) << " bit " << b;
				}
			}
		}
		// Controls every model offers (KVM depends on them).
		EXPECT_TRUE(vmx_caps_allows(&c, VMX_CTL_PIN, PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING));
		EXPECT_TRUE(vmx_caps_allows(&c, VMX_CTL_PROC, CPU_BASED_INTR_WINDOW_EXITING | CPU_BASED_HLT_EXITING |
		                                                  CPU_BASED_TPR_SHADOW | CPU_BASED_USE_MSR_BITMAPS));
		EXPECT_TRUE(vmx_caps_allows(&c, VMX_CTL_EXIT, VM_EXIT_ACK_INTR_ON_EXIT | VM_EXIT_HOST_ADDR_SPACE_SIZE));
		EXPECT_TRUE(vmx_caps_allows(&c, VMX_CTL_ENTRY, VM_ENTRY_IA32E_MODE));
		// A typical KVM pin-based word is valid.
		EXPECT_TRUE(vmx_control_word_valid(c.pinbased_ctls, 0x16 | PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING));
		// SMM entry and dual-monitor deactivation only with the feature (they fail every entry outside SMM).
		EXPECT_EQ(vmx_caps_allows(&c, VMX_CTL_ENTRY, VM_ENTRY_SMM | VM_ENTRY_DEACT_DUAL_MONITOR),
		          (m.features & VMX_FEAT_ENTRY_SMM_CTLS) != 0);
		// Never offered: perf-global-ctrl loading, VMCS shadowing (not modelled).
		EXPECT_FALSE(vmx_caps_allows(&c, VMX_CTL_ENTRY, VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL));
		EXPECT_FALSE(vmx_caps_allows(&c, VMX_CTL_EXIT, VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL));
		EXPECT_FALSE(vmx_caps_allows(&c, VMX_CTL_PROC2, SECONDARY_EXEC_SHADOW_VMCS));
	}
}

// The revision identifier is BASIC bits 30:0; bit 31 is 0.
TEST(CpuModel, RevisionIdInBasic)
{
	for (const cpu_model &m : AllModels()) {
		SCOPED_TRACE(m.name);
		EXPECT_EQ(m.caps.basic & VMX_BASIC_REVISION_MASK, m.revision_id);
		EXPECT_EQ(m.caps.basic & 0x80000000ull, 0u);
		EXPECT_NE(m.revision_id, 0u);
	}
	EXPECT_EQ(Model("core2-no-vnmi").revision_id, 0xdu);
	EXPECT_EQ(Model("nehalem").revision_id, 0xeu);
	EXPECT_EQ(Model("sapphire-rapids").revision_id, 0x4u);
	// A revision with bit 31 set is masked out of BASIC.
	cpu_model m = Model("nehalem");
	m.revision_id = 0x80000012u;
	cpu_model_derive_caps(&m);
	EXPECT_EQ(m.caps.basic & 0xffffffffull, 0x12u);
}

// MAXPHYADDR of each generation (docs/cpu-models.md): the width VMCS addresses must fit (26.2.1.1).
TEST(CpuModel, PhysicalAddressWidth)
{
	EXPECT_EQ(Model("core2-no-vnmi").phys_addr_bits, 36u);
	EXPECT_EQ(Model("nehalem").phys_addr_bits, 40u);
	EXPECT_EQ(Model("sapphire-rapids").phys_addr_bits, 46u);
	// The twins: Bochs's CPUID 80000008H (oracle/models/*.caps).
	for (const char *twin : {"penryn", "haswell", "icelake", "tigerlake"})
		EXPECT_EQ(Model(twin).phys_addr_bits, 40u) << twin;
}

// R11: all three models report HLT, shutdown and wait-for-SIPI.
TEST(CpuModel, ActivityStates)
{
	for (const cpu_model &m : AllModels()) {
		SCOPED_TRACE(m.name);
		EXPECT_NE(m.caps.misc & VMX_MISC_ACTIVITY_HLT, 0u);
		EXPECT_NE(m.caps.misc & VMX_MISC_ACTIVITY_SHUTDOWN, 0u);
		EXPECT_NE(m.caps.misc & VMX_MISC_ACTIVITY_WAIT_SIPI, 0u);
		for (uint32_t s = 0; s < 4; s++)
			EXPECT_TRUE(vmx_caps_activity_supported(&m.caps, s)) << s;
		EXPECT_FALSE(vmx_caps_activity_supported(&m.caps, 4));
	}
}

TEST(CpuModel, ReadMsrMatchesCaps)
{
	for (const cpu_model &m : AllModels()) {
		SCOPED_TRACE(m.name);
		uint64_t v = 0;
		ASSERT_TRUE(vmx_caps_read_msr(&m.caps, MSR_IA32_VMX_BASIC, &v));
		EXPECT_EQ(v, m.caps.basic);
		ASSERT_TRUE(vmx_caps_read_msr(&m.caps, MSR_IA32_VMX_PINBASED_CTLS, &v));
		EXPECT_EQ(v, m.caps.pinbased_ctls);
		ASSERT_TRUE(vmx_caps_read_msr(&m.caps, MSR_IA32_VMX_PROCBASED_CTLS, &v));
		EXPECT_EQ(v, m.caps.procbased_ctls);
		ASSERT_TRUE(vmx_caps_read_msr(&m.caps, MSR_IA32_VMX_EXIT_CTLS, &v));
		EXPECT_EQ(v, m.caps.exit_ctls);
		ASSERT_TRUE(vmx_caps_read_msr(&m.caps, MSR_IA32_VMX_ENTRY_CTLS, &v));
		EXPECT_EQ(v, m.caps.entry_ctls);
		ASSERT_TRUE(vmx_caps_read_msr(&m.caps, MSR_IA32_VMX_MISC, &v));
		EXPECT_EQ(v, m.caps.misc);
		ASSERT_TRUE(vmx_caps_read_msr(&m.caps, MSR_IA32_VMX_PROCBASED_CTLS2, &v));
		EXPECT_EQ(v, m.caps.procbased_ctls2);
		// App. A.7, A.8: PE, NE and PG fixed to 1, CR0 bits 31:0 free; VMXE fixed to 1.
		ASSERT_TRUE(vmx_caps_read_msr(&m.caps, MSR_IA32_VMX_CR0_FIXED0, &v));
		EXPECT_EQ(v, 0x80000021u);
		ASSERT_TRUE(vmx_caps_read_msr(&m.caps, MSR_IA32_VMX_CR0_FIXED1, &v));
		EXPECT_EQ(v, 0xffffffffu);
		ASSERT_TRUE(vmx_caps_read_msr(&m.caps, MSR_IA32_VMX_CR4_FIXED0, &v));
		EXPECT_EQ(v, 0x2000u);
		ASSERT_TRUE(vmx_caps_read_msr(&m.caps, MSR_IA32_VMX_CR4_FIXED1, &v));
		EXPECT_EQ(v, m.caps.cr4_fixed1);
		EXPECT_EQ(v & 0x27ffu, 0x27ffu) << "VME through OSXMMEXCPT, and VMXE";
		EXPECT_EQ(v >> 32, 0u);
		EXPECT_FALSE(vmx_caps_read_msr(&m.caps, 0x48cu, &v));
	}
}

// IA32_VMX_CR4_FIXED1 of each part (cpu_models.def): the twins' are Bochs's
// (oracle/models/*.caps, test_bochs_twins.cc) but for what the model lacks.
TEST(CpuModel, Cr4Fixed1OfEachPart)
{
	const std::pair<const char *, uint64_t> want[] = {
		{"core2-no-vnmi", 0x67ff},   // + SMXE
		{"nehalem", 0x467ff},        // + SMXE, OSXSAVE
		{"penryn", 0x467ff},         // Bochs's core2_penryn_t9600
		{"haswell", 0x1727ff},       // Bochs's corei7_haswell_4770: no SMXE; + FSGSBASE, PCIDE, SMEP
		{"icelake", 0x772fff},       // Bochs's corei7_icelake_u: no SMXE; + UMIP, SMAP, PKE
		{"tigerlake", 0x772fff},     // Bochs's tigerlake less CET (bit 23)
		{"sapphire-rapids", 0x776fff},
	};
	for (const auto &w : want) {
		cpu_model m{};
		ASSERT_TRUE(cpu_model_lookup(w.first, &m)) << w.first;
		EXPECT_EQ(m.caps.cr4_fixed1, w.second) << w.first << std::hex << " 0x" << m.caps.cr4_fixed1;
	}
}

// R4/R5: the derived capabilities never offer a control without the controls
// its consistency checks require.
TEST(CpuModel, CapabilitiesAreSelfConsistent)
{
	for (const cpu_model &m : AllModels()) {
		SCOPED_TRACE(m.name);
		const vmx_caps &c = m.caps;
		const bool vnmi = vmx_caps_allows(&c, VMX_CTL_PIN, PIN_BASED_VIRTUAL_NMIS);
		// R4: NMI-window exiting is usable only with virtual NMIs.
		EXPECT_EQ(vmx_caps_allows(&c, VMX_CTL_PROC, CPU_BASED_NMI_WINDOW_EXITING), vnmi);
		// R5: posted interrupts need virtual-interrupt delivery and ack-on-exit.
		if (vmx_caps_allows(&c, VMX_CTL_PIN, PIN_BASED_POSTED_INTR)) {
			EXPECT_TRUE(vmx_caps_allows(&c, VMX_CTL_PROC2, SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY));
			EXPECT_TRUE(vmx_caps_allows(&c, VMX_CTL_EXIT, VM_EXIT_ACK_INTR_ON_EXIT));
		}
		// R5: saving the timer needs the timer.
		EXPECT_EQ(vmx_caps_allows(&c, VMX_CTL_EXIT, VM_EXIT_SAVE_VMX_PREEMPTION_TIMER),
		          vmx_caps_allows(&c, VMX_CTL_PIN, PIN_BASED_VMX_PREEMPTION_TIMER));
		// Secondary controls exist iff the primary word can activate them.
		EXPECT_EQ(vmx_caps_allows(&c, VMX_CTL_PROC, kSecondary), c.procbased_ctls2 != 0);
	}
}

// R3/R4: the 2008 soft-vNMI precondition.
TEST(CpuModel, Core2NoVnmi)
{
	const cpu_model m = Model("core2-no-vnmi");
	const vmx_caps &c = m.caps;
	EXPECT_FALSE(vmx_caps_allows(&c, VMX_CTL_PIN, PIN_BASED_VIRTUAL_NMIS));
	EXPECT_FALSE(vmx_caps_allows(&c, VMX_CTL_PROC, CPU_BASED_NMI_WINDOW_EXITING));
	EXPECT_FALSE(vmx_caps_allows(&c, VMX_CTL_PROC, kSecondary));
	EXPECT_EQ(c.procbased_ctls2, 0u);
	EXPECT_FALSE(vmx_caps_allows(&c, VMX_CTL_PROC, CPU_BASED_MONITOR_TRAP_FLAG));
	EXPECT_FALSE(vmx_caps_allows(&c, VMX_CTL_PIN, PIN_BASED_VMX_PREEMPTION_TIMER));
	EXPECT_FALSE(vmx_caps_allows(&c, VMX_CTL_EXIT, VM_EXIT_SAVE_VMX_PREEMPTION_TIMER));
	EXPECT_FALSE(vmx_caps_allows(&c, VMX_CTL_PIN, PIN_BASED_POSTED_INTR));
	EXPECT_TRUE(vmx_caps_allows(&c, VMX_CTL_EXIT, VM_EXIT_ACK_INTR_ON_EXIT));
	EXPECT_TRUE(vmx_caps_allows(&c, VMX_CTL_PIN, PIN_BASED_NMI_EXITING));
	// KVM's vNMI pin word is rejected on this part.
	EXPECT_FALSE(vmx_control_word_valid(
	    c.pinbased_ctls, 0x16 | PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING | PIN_BASED_VIRTUAL_NMIS));
	EXPECT_EQ(c.basic & VMX_BASIC_NO_HW_ERROR_CODE_CC, 0u);
	EXPECT_EQ(c.misc & (VMX_MISC_VMWRITE_SHADOW_RO_FIELDS | VMX_MISC_ZERO_LEN_INS), 0u);
	EXPECT_EQ(c.misc & VMX_MISC_PREEMPTION_TIMER_RATE_MASK, 0u);

	// Derived values, as listed in docs/cpu-models.md.
	EXPECT_EQ(c.basic, 0x004000000000000dull);
	EXPECT_EQ(c.pinbased_ctls, 0x0000001f00000016ull);
	EXPECT_EQ(c.procbased_ctls, 0x77b9fffe0401e172ull);
	EXPECT_EQ(c.procbased_ctls2, 0x0ull);
	EXPECT_EQ(c.exit_ctls, 0x0003efff00036dffull);
	EXPECT_EQ(c.entry_ctls, 0x000013ff000011ffull);
	EXPECT_EQ(c.misc, 0x00000000000001c0ull);
}

TEST(CpuModel, Nehalem)
{
	const cpu_model m = Model("nehalem");
	const vmx_caps &c = m.caps;
	EXPECT_TRUE(vmx_caps_allows(&c, VMX_CTL_PIN, PIN_BASED_VIRTUAL_NMIS));       // R3
	EXPECT_TRUE(vmx_caps_allows(&c, VMX_CTL_PROC, CPU_BASED_NMI_WINDOW_EXITING)); // R18
	EXPECT_TRUE(vmx_caps_allows(&c, VMX_CTL_PROC, CPU_BASED_MONITOR_TRAP_FLAG));  // R27
	EXPECT_TRUE(vmx_caps_allows(&c, VMX_CTL_PIN, PIN_BASED_VMX_PREEMPTION_TIMER));
	EXPECT_TRUE(vmx_caps_allows(&c, VMX_CTL_EXIT, VM_EXIT_SAVE_VMX_PREEMPTION_TIMER));
	EXPECT_TRUE(vmx_caps_allows(&c, VMX_CTL_EXIT, VM_EXIT_ACK_INTR_ON_EXIT));
	EXPECT_TRUE(vmx_caps_allows(&c, VMX_CTL_PROC, kSecondary));
	EXPECT_TRUE(vmx_caps_allows(&c, VMX_CTL_PROC2, SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID |
	                                                   SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES));
	EXPECT_FALSE(vmx_caps_allows(&c, VMX_CTL_PROC2, SECONDARY_EXEC_UNRESTRICTED_GUEST));
	EXPECT_FALSE(vmx_caps_allows(&c, VMX_CTL_PROC2, SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY));
	EXPECT_FALSE(vmx_caps_allows(&c, VMX_CTL_PIN, PIN_BASED_POSTED_INTR));
	// R7: the vector-based error-code check applies. R8: no zero-length injection.
	EXPECT_EQ(c.basic & VMX_BASIC_NO_HW_ERROR_CODE_CC, 0u);
	EXPECT_EQ(c.misc & VMX_MISC_VMWRITE_SHADOW_RO_FIELDS, 0u);
	EXPECT_EQ(c.misc & VMX_MISC_ZERO_LEN_INS, 0u);
	EXPECT_EQ(c.misc & VMX_MISC_PREEMPTION_TIMER_RATE_MASK, 5u);
	// KVM's vNMI pin word is valid here.
	EXPECT_TRUE(vmx_control_word_valid(
	    c.pinbased_ctls, 0x16 | PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING | PIN_BASED_VIRTUAL_NMIS));

	EXPECT_EQ(c.basic, 0x004000000000000eull);
	EXPECT_EQ(c.pinbased_ctls, 0x0000007f00000016ull);
	EXPECT_EQ(c.procbased_ctls, 0xfff9fffe0401e172ull);
	EXPECT_EQ(c.procbased_ctls2, 0x0000042300000000ull);
	EXPECT_EQ(c.exit_ctls, 0x007fefff00036dffull);
	EXPECT_EQ(c.entry_ctls, 0x0000d3ff000011ffull);
	EXPECT_EQ(c.misc, 0x00000000000001c5ull);
}

TEST(CpuModel, SapphireRapids)
{
	const cpu_model m = Model("sapphire-rapids");
	const vmx_caps &c = m.caps;
	EXPECT_NE(c.basic & VMX_BASIC_NO_HW_ERROR_CODE_CC, 0u);   // R7
	EXPECT_NE(c.misc & VMX_MISC_VMWRITE_SHADOW_RO_FIELDS, 0u);
	EXPECT_NE(c.misc & VMX_MISC_ZERO_LEN_INS, 0u);            // R8
	EXPECT_TRUE(vmx_caps_allows(&c, VMX_CTL_PIN, PIN_BASED_POSTED_INTR)); // R5
	EXPECT_TRUE(vmx_caps_allows(&c, VMX_CTL_PROC2, SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY |
	                                                   SECONDARY_EXEC_APIC_REGISTER_VIRT |
	                                                   SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE |
	                                                   SECONDARY_EXEC_UNRESTRICTED_GUEST));
	EXPECT_TRUE(vmx_caps_allows(&c, VMX_CTL_PIN, PIN_BASED_VIRTUAL_NMIS));
	EXPECT_TRUE(vmx_caps_allows(&c, VMX_CTL_PROC, CPU_BASED_NMI_WINDOW_EXITING | CPU_BASED_MONITOR_TRAP_FLAG));
	EXPECT_TRUE(vmx_caps_allows(&c, VMX_CTL_PIN, PIN_BASED_VMX_PREEMPTION_TIMER));

	EXPECT_EQ(c.basic, 0x0140000000000004ull);
	EXPECT_EQ(c.pinbased_ctls, 0x000000ff00000016ull);
	EXPECT_EQ(c.procbased_ctls, 0xfff9fffe0401e172ull);
	EXPECT_EQ(c.procbased_ctls2, 0x000007b300000000ull);
	EXPECT_EQ(c.exit_ctls, 0x007fefff00036dffull);
	EXPECT_EQ(c.entry_ctls, 0x0000d3ff000011ffull);
	EXPECT_EQ(c.misc, 0x00000000600001c5ull);
}

// Timing defaults. Only Nehalem's exit + entry (~2,000 cycles, SplitX, WIOV
// 2011) is a published figure; the others sit in the 1,000-2,000 range.
TEST(CpuModel, TimingDefaults)
{
	for (const cpu_model &m : AllModels()) {
		SCOPED_TRACE(m.name);
		const uint32_t round_trip = m.vmexit_cycles + m.vmentry_cycles;
		EXPECT_GE(round_trip, 1000u);
		EXPECT_LE(round_trip, 2000u);
		EXPECT_GT(m.tsc_hz, 0u);
		EXPECT_GT(m.insn_cycles, 0u);
	}
	const cpu_model c2 = Model("core2-no-vnmi");
	EXPECT_EQ(c2.tsc_hz, 2400000000ull);
	EXPECT_EQ(c2.vmexit_cycles, 1000u);
	EXPECT_EQ(c2.vmentry_cycles, 1000u);
	EXPECT_EQ(c2.delivery_cycles, 50u);
	EXPECT_EQ(c2.insn_cycles, 1u);
	EXPECT_EQ(c2.iret_cycles, 30u);

	const cpu_model nhm = Model("nehalem");
	EXPECT_EQ(nhm.tsc_hz, 2930000000ull); // Xeon X5570, 2.93 GHz
	EXPECT_EQ(nhm.vmexit_cycles + nhm.vmentry_cycles, 2000u);
	EXPECT_EQ(nhm.vmexit_cycles, 1000u);
	EXPECT_EQ(nhm.vmentry_cycles, 1000u);
	EXPECT_EQ(nhm.delivery_cycles, 50u);
	EXPECT_EQ(nhm.insn_cycles, 1u);
	EXPECT_EQ(nhm.iret_cycles, 30u);

	// The twins' latencies are a neighbour's: penryn core2-no-vnmi's, haswell nehalem's, the others
	// sapphire-rapids's; their TSC frequency is the one Bochs's CPUID gives (docs/cpu-models.md).
	const struct {
		const char *twin, *neighbour;
		uint64_t tsc_hz;
	} twins[] = {{"penryn", "core2-no-vnmi", 2800000000ull},
	             {"haswell", "nehalem", 3400000000ull},
	             {"icelake", "sapphire-rapids", 1497600000ull},
	             {"tigerlake", "sapphire-rapids", 2419200000ull}};
	for (const auto &t : twins) {
		const cpu_model m = Model(t.twin), n = Model(t.neighbour);
		EXPECT_EQ(m.tsc_hz, t.tsc_hz) << t.twin;
		EXPECT_EQ(m.vmexit_cycles, n.vmexit_cycles) << t.twin;
		EXPECT_EQ(m.vmentry_cycles, n.vmentry_cycles) << t.twin;
		EXPECT_EQ(m.delivery_cycles, n.delivery_cycles) << t.twin;
		EXPECT_EQ(m.insn_cycles, n.insn_cycles) << t.twin;
		EXPECT_EQ(m.iret_cycles, n.iret_cycles) << t.twin;
	}

	const cpu_model spr = Model("sapphire-rapids");
	EXPECT_EQ(spr.tsc_hz, 3000000000ull);
	EXPECT_EQ(spr.vmexit_cycles, 600u);
	EXPECT_EQ(spr.vmentry_cycles, 600u);
	EXPECT_EQ(spr.delivery_cycles, 50u);
	EXPECT_EQ(spr.insn_cycles, 1u);
	EXPECT_EQ(spr.iret_cycles, 30u);
}

// Behaviour the SDM leaves model-specific (R10, R18): the defaults of each model.
TEST(CpuModel, BehaviourFlags)
{
	const cpu_model c2 = Model("core2-no-vnmi");
	EXPECT_TRUE(c2.nmi_window_blocked_by_sti);   // R18
	EXPECT_TRUE(c2.nmi_inject_fails_with_sti);   // R10
	EXPECT_FALSE(c2.sti_blocks_nmi);

	const cpu_model nhm = Model("nehalem");
	EXPECT_TRUE(nhm.nmi_window_blocked_by_sti);
	EXPECT_TRUE(nhm.nmi_inject_fails_with_sti);
	EXPECT_FALSE(nhm.sti_blocks_nmi);

	const cpu_model spr = Model("sapphire-rapids");
	EXPECT_TRUE(spr.nmi_window_blocked_by_sti);
	EXPECT_FALSE(spr.nmi_inject_fails_with_sti);
	EXPECT_FALSE(spr.sti_blocks_nmi);

	// The twins behave as Bochs 2.7 does: its STI/MOV-SS inhibit window holds off the
	// NMI-window exit and NMIs alike, and an NMI injected under STI blocking fails the entry.
	for (const char *twin : {"penryn", "haswell", "icelake", "tigerlake"}) {
		const cpu_model m = Model(twin);
		EXPECT_TRUE(m.nmi_window_blocked_by_sti) << twin;
		EXPECT_TRUE(m.nmi_inject_fails_with_sti) << twin;
		EXPECT_TRUE(m.sti_blocks_nmi) << twin;
	}
}

TEST(CpuModel, FeatureBits)
{
	// One bit each, no overlaps.
	const uint32_t all[] = {
		VMX_FEAT_VIRTUAL_NMIS, VMX_FEAT_TPR_SHADOW,      VMX_FEAT_MSR_BITMAPS,   VMX_FEAT_MTF,
		VMX_FEAT_SECONDARY,    VMX_FEAT_APIC_ACCESSES,   VMX_FEAT_EPT_VPID,      VMX_FEAT_UNRESTRICTED,
		VMX_FEAT_APICV,        VMX_FEAT_PREEMPTION_TIMER, VMX_FEAT_ACK_INTR_ON_EXIT, VMX_FEAT_PAT_EFER,
		VMX_FEAT_ACT_HLT,      VMX_FEAT_ACT_SHUTDOWN,    VMX_FEAT_ACT_WAIT_SIPI, VMX_FEAT_VMWRITE_RO,
		VMX_FEAT_ZERO_LEN_INJ, VMX_FEAT_NO_HW_ERRCODE_CC, VMX_FEAT_PAUSE_LOOP, VMX_FEAT_POSTED_INTR,
		VMX_FEAT_TRUE_CTLS,    VMX_FEAT_SAVE_EFER_LMA,   VMX_FEAT_ENTRY_SMM_CTLS, VMX_FEAT_EPT_AD,
	};
	uint32_t seen = 0;
	for (uint32_t f : all) {
		EXPECT_EQ(f & (f - 1), 0u) << f;
		EXPECT_EQ(seen & f, 0u) << f;
		seen |= f;
	}
	EXPECT_EQ(seen, (VMX_FEAT_LAST << 1) - 1);   // contiguous, VMX_FEAT_LAST the highest
	// A model with no features still has a valid, minimal capability set.
	cpu_model m = Model("nehalem");
	m.features = 0;
	m.preemption_timer_rate = 0;
	cpu_model_derive_caps(&m);
	EXPECT_EQ(m.caps.procbased_ctls2, 0u);
	EXPECT_EQ(m.caps.misc, 0u);
	EXPECT_EQ(m.caps.basic & ~VMX_BASIC_REVISION_MASK, VMX_BASIC_INOUT);
	EXPECT_FALSE(vmx_caps_allows(&m.caps, VMX_CTL_EXIT, VM_EXIT_ACK_INTR_ON_EXIT));
	EXPECT_FALSE(vmx_caps_allows(&m.caps, VMX_CTL_PROC, CPU_BASED_TPR_SHADOW));
}

} // namespace
