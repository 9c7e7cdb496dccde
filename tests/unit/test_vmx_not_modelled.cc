/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Nothing silently ignored: every control bit a CPU model allows has a
 * status in vmcs/vmx_controls.def, and a VMCS that asks for a feature the
 * model lacks (a control bit marked NM or named by no row, a field of
 * vmcs/vmcs_fields_refused.def not 0) is refused once the entry's checks
 * pass - at the root program's VMLAUNCH/VMRESUME, at L1's entry under a
 * nested KVM, at the `vmcs` line of a C L0's guest - never run without it.
 */
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "cpu_models.h"
#include "hw_fixture.h"
#include "refused_run.h"
#include "vmcs/vmx_controls.h"
#include "vmcs/vmx_not_modelled.h"
#include "vmcs/x86_debugreg.h"

namespace {

unsigned Bit(uint32_t mask) { return (unsigned)__builtin_ctz(mask); }

const vmx_control_word kWords[] = {VMX_CTL_PIN, VMX_CTL_PROC, VMX_CTL_PROC2, VMX_CTL_EXIT, VMX_CTL_ENTRY};

/*
 * Every bit a CPU model may set has a row or is reserved default-1: the
 * named models, and one with every feature a `cpu` line can add.
 */
TEST(ControlTable, EveryBitAModelAllowsHasAStatus)
{
	std::vector<cpu_model> models = AllModels();
	cpu_model all = models.back();
	all.features = ((uint32_t)VMX_FEAT_LAST << 1) - 1u;
	cpu_model_derive_caps(&all);
	models.push_back(all);
	for (const cpu_model &m : models) {
		for (vmx_control_word w : kWords) {
			uint32_t allowed = vmx_allowed1(vmx_caps_for_word(&m.caps, w));
			for (unsigned bit = 0; bit < 32; bit++) {
				if (!((allowed >> bit) & 1u))
					continue;
				SCOPED_TRACE(std::string(m.name) + " " + vmx_control_word_name(w) + " bit " + std::to_string(bit));
				EXPECT_NE(vmx_control_bit_status(w, bit), VMX_CTL_UNNAMED);
			}
		}
	}
}

/* Each row says what it is: M and H rows a reason, NM rows a feature and the refusal naming the control. */
TEST(ControlTable, RowsAreWellFormed)
{
	for (int i = 0; i < vmx_control_count(); i++) {
		const struct vmx_control_info *r = vmx_control_info(i);
		SCOPED_TRACE(r->name);
		EXPECT_LT(r->bit, 32u);
		EXPECT_EQ(vmx_control_row(r->word, r->bit), r) << "two rows for one bit";
		ASSERT_NE(r->note, nullptr);
		EXPECT_GT(std::string(r->note).size(), 2u);
		EXPECT_TRUE(r->status == VMX_CTL_M || r->status == VMX_CTL_H || r->status == VMX_CTL_NM);
		if (r->status == VMX_CTL_NM) {
			ASSERT_NE(r->refusal, nullptr);
			EXPECT_EQ(std::string(r->refusal).rfind(r->note, 0), 0u);
			EXPECT_NE(std::string(r->refusal).find(r->name), std::string::npos);
		} else {
			EXPECT_EQ(r->refusal, nullptr);
		}
	}
}

/* The statuses the task fixed, spot-checked. */
TEST(ControlTable, StatusOfNamedControls)
{
	EXPECT_EQ(vmx_control_bit_status(VMX_CTL_PROC, Bit(CPU_BASED_USE_TSC_OFFSETTING)), VMX_CTL_M);
	EXPECT_EQ(vmx_control_bit_status(VMX_CTL_PROC, Bit(CPU_BASED_TPR_SHADOW)), VMX_CTL_M);
	EXPECT_EQ(vmx_control_bit_status(VMX_CTL_PROC, Bit(CPU_BASED_MOV_DR_EXITING)), VMX_CTL_M);
	EXPECT_EQ(vmx_control_bit_status(VMX_CTL_PROC2, Bit(SECONDARY_EXEC_ENABLE_VPID)), VMX_CTL_H);
	EXPECT_EQ(vmx_control_bit_status(VMX_CTL_PROC2, Bit(SECONDARY_EXEC_ENABLE_PML)), VMX_CTL_NM);
	EXPECT_EQ(vmx_control_bit_status(VMX_CTL_PROC2, Bit(SECONDARY_EXEC_TSC_SCALING)), VMX_CTL_NM);
	EXPECT_EQ(vmx_control_bit_status(VMX_CTL_EXIT, Bit(VM_EXIT_LOAD_CET_STATE)), VMX_CTL_NM);
	EXPECT_EQ(vmx_control_bit_status(VMX_CTL_ENTRY, Bit(VM_ENTRY_SMM)), VMX_CTL_NM);
	EXPECT_EQ(vmx_control_bit_status(VMX_CTL_ENTRY, Bit(VM_ENTRY_LOAD_DEBUG_CONTROLS)), VMX_CTL_M);
	EXPECT_EQ(vmx_control_bit_status(VMX_CTL_PIN, 1), VMX_CTL_RESERVED_1);
	EXPECT_EQ(vmx_control_bit_status(VMX_CTL_PIN, 2), VMX_CTL_RESERVED_1);
	EXPECT_EQ(vmx_control_bit_status(VMX_CTL_PIN, 8), VMX_CTL_UNNAMED);
	EXPECT_EQ(vmx_control_bit_status(VMX_CTL_PROC2, 29), VMX_CTL_UNNAMED);
}

class NotModelled : public ::testing::Test {
protected:
	std::unique_ptr<vmcs> v = std::make_unique<vmcs>();
	cpu_model m{};
	vmcs_field field{};

	void SetUp() override
	{
		ASSERT_TRUE(cpu_model_lookup("sapphire-rapids", &m));
		vmcs_setup(v.get(), &m.caps, m.revision_id, 0, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS, 0, 0x1000, 0x2000,
		           nullptr, 0);
	}
	std::string What(const vmx_caps *caps = nullptr)
	{
		const char *w = vmx_vmcs_not_modelled(v.get(), caps, &field);
		return w ? w : "";
	}
};

TEST_F(NotModelled, ADefaultVmcsAsksForNothing)
{
	EXPECT_EQ(What(), "");
	// Every M and H bit at once still asks for nothing (a protected-mode guest: unrestricted guest is among them).
	vmcs_set(v.get(), GUEST_CR0, 0x21);
	for (int i = 0; i < vmx_control_count(); i++) {
		const struct vmx_control_info *r = vmx_control_info(i);
		static const vmcs_field f[] = {PIN_BASED_VM_EXEC_CONTROL, CPU_BASED_VM_EXEC_CONTROL,
		                               SECONDARY_VM_EXEC_CONTROL, VM_EXIT_CONTROLS, VM_ENTRY_CONTROLS};
		if (r->status != VMX_CTL_NM)
			vmcs_set_bits(v.get(), f[r->word], 1u << r->bit);
	}
	EXPECT_EQ(What(), "");
}

/* One family each: the feature comes first, then the control that asks for it. */
TEST_F(NotModelled, ControlsNameTheFeatureAndTheControl)
{
	struct Case {
		vmcs_field f;
		uint32_t bit;
		const char *want;
	} cases[] = {
	    {SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_ENABLE_PML, "PML (SECONDARY_EXEC_ENABLE_PML: enable PML)"},
	    {SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_TSC_SCALING, "TSC scaling (SECONDARY_EXEC_TSC_SCALING"},
	    {SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_PT_CONCEAL_VMX, "Intel PT (SECONDARY_EXEC_PT_CONCEAL_VMX"},
	    {SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_SHADOW_VMCS, "VMCS shadowing ("},
	    {SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_EPT_VIOLATION_VE, "EPT-violation #VE ("},
	    {CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_ACTIVATE_TERTIARY_CONTROLS, "tertiary VM-execution controls ("},
	    {VM_EXIT_CONTROLS, VM_EXIT_LOAD_CET_STATE, "CET (VM_EXIT_LOAD_CET_STATE: load CET state)"},
	    {VM_EXIT_CONTROLS, VM_EXIT_CLEAR_BNDCFGS, "MPX ("},
	    {VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_IA32_PKRS, "PKS ("},
	    {VM_ENTRY_CONTROLS, VM_ENTRY_SMM, "SMM (VM_ENTRY_SMM: entry to SMM)"},
	    {VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_FRED, "FRED ("},
	    {VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL, "performance monitoring ("},
	    {SECONDARY_VM_EXEC_CONTROL, 1u << 29, "SECONDARY_VM_EXEC_CONTROL control bit 29"},
	    {PIN_BASED_VM_EXEC_CONTROL, 1u << 8, "PIN_BASED_VM_EXEC_CONTROL control bit 8"},
	};
	for (const Case &c : cases) {
		SCOPED_TRACE(c.want);
		uint64_t old = vmcs_get(v.get(), c.f);
		vmcs_set_bits(v.get(), c.f, c.bit);
		EXPECT_EQ(What().rfind(c.want, 0), 0u) << What();
		EXPECT_EQ(field, c.f);
		// No model allows any of them: left to the entry's control checks.
		EXPECT_EQ(What(&m.caps), "");
		vmcs_set(v.get(), c.f, old);
	}
}

/* The secondary controls count only when activated (SDM 25.6.2). */
TEST_F(NotModelled, SecondaryControlsOnlyWhenActivated)
{
	vmcs_set_bits(v.get(), SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_ENABLE_PML);
	EXPECT_NE(What(), "");
	vmcs_clear_bits(v.get(), CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS);
	EXPECT_EQ(What(), "");
}

TEST_F(NotModelled, FieldsNameTheFeatureAndTheField)
{
	struct Case {
		vmcs_field f;
		const char *want;
	} cases[] = {
	    {GUEST_SMBASE, "SMM (GUEST_SMBASE is not 0"},
	    {VM_ENTRY_MSR_LOAD_COUNT, "VM-entry MSR-load area (VM_ENTRY_MSR_LOAD_COUNT is not 0"},
	    {VM_EXIT_MSR_LOAD_COUNT, "VM-exit MSR-load area ("},
	    {VM_EXIT_MSR_STORE_COUNT, "VM-exit MSR-store area ("},
	};
	for (const Case &c : cases) {
		SCOPED_TRACE(c.want);
		vmcs_set(v.get(), c.f, 1);
		EXPECT_EQ(What(&m.caps).rfind(c.want, 0), 0u) << What();
		EXPECT_EQ(field, c.f);
		vmcs_set(v.get(), c.f, 0);
	}
}

/* IA32_DEBUGCTL as the entry loads it: TR with BTS would store branch records to memory (DS save area). */
TEST_F(NotModelled, BranchTraceStoreInTheGuestsDebugctl)
{
	ASSERT_TRUE(vmcs_get32(v.get(), VM_ENTRY_CONTROLS) & VM_ENTRY_LOAD_DEBUG_CONTROLS);
	vmcs_set(v.get(), GUEST_IA32_DEBUGCTL, DEBUGCTL_TR | DEBUGCTL_BTS);
	EXPECT_EQ(What(&m.caps).rfind("branch trace store (GUEST_IA32_DEBUGCTL.TR and BTS", 0), 0u) << What();
	EXPECT_EQ(field, GUEST_IA32_DEBUGCTL);
	// Either alone stores nothing; BTF and LBR are the processor's or invisible.
	for (uint64_t bits : {(uint64_t)DEBUGCTL_TR, (uint64_t)DEBUGCTL_BTS, (uint64_t)DEBUGCTLMSR_BTF | 1u}) {
		vmcs_set(v.get(), GUEST_IA32_DEBUGCTL, bits);
		EXPECT_EQ(What(&m.caps), "") << bits;
	}
	// Not loaded by the entry: not the guest's.
	vmcs_set(v.get(), GUEST_IA32_DEBUGCTL, DEBUGCTL_TR | DEBUGCTL_BTS);
	vmcs_clear_bits(v.get(), VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_DEBUG_CONTROLS);
	EXPECT_EQ(What(&m.caps), "");
}

/* Unrestricted guest with CR0.PE = 0 runs in real mode, which the model's event delivery does not have. */
TEST_F(NotModelled, RealModeUnderUnrestrictedGuest)
{
	vmcs_set_bits(v.get(), SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_UNRESTRICTED_GUEST | SECONDARY_EXEC_ENABLE_EPT);
	vmcs_set(v.get(), GUEST_CR0, 0x20);
	EXPECT_EQ(What(&m.caps).rfind("real-address mode (GUEST_CR0.PE = 0", 0), 0u) << What();
	EXPECT_EQ(field, GUEST_CR0);
	vmcs_set(v.get(), GUEST_CR0, 0x21);
	EXPECT_EQ(What(&m.caps), "");
	// Without unrestricted guest CR0.PE is not looked at (the model's guests are IA-32e mode guests).
	vmcs_set(v.get(), GUEST_CR0, 0);
	vmcs_clear_bits(v.get(), SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_UNRESTRICTED_GUEST);
	EXPECT_EQ(What(&m.caps), "");
}

/* The root program's VMLAUNCH, once the entry's checks pass with a processor that allows PML: void. */
class RootRefused : public HwTest {};

TEST_F(RootRefused, AtTheVmlaunchAfterTheEntryChecks)
{
	Use("sapphire-rapids");
	lp.model.caps.procbased_ctls2 |= (uint64_t)SECONDARY_EXEC_ENABLE_PML << 32;   // a processor with PML
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS);
	SetBits(SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_ENABLE_PML);
	Host({Op(VMX_OP_VMLAUNCH), Op(VMX_OP_HLT)});
	Set(HOST_RIP, host_code[1].addr);
	EXPECT_EQ(vmx_lp_run(&lp, 100000), VMX_RUN_NOT_MODELLED);
	ASSERT_EQ(Count(HW_NOT_MODELLED), 1);
	EXPECT_EQ(LastCheck().rfind("PML (SECONDARY_EXEC_ENABLE_PML", 0), 0u) << LastCheck();
	EXPECT_EQ(Count(HW_VMFAIL), 0);
}

/* Without that capability the same VMLAUNCH fails its control checks (VMfail 7): the SDM first. */
TEST_F(RootRefused, ADeniedBitFailsTheEntryFirst)
{
	Use("sapphire-rapids");
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS);
	SetBits(SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_ENABLE_PML);
	Host({Op(VMX_OP_VMLAUNCH), Op(VMX_OP_HLT)});
	Set(HOST_RIP, host_code[1].addr);
	vmx_lp_run(&lp, 100000);
	EXPECT_EQ(Count(HW_NOT_MODELLED), 0);
	EXPECT_EQ(Count(HW_VMFAIL), 1);
}


const char kSmm[] = "not modelled: SMM (GUEST_SMBASE is not 0";
const char kMsrLoad[] = "not modelled: VM-entry MSR-load area (VM_ENTRY_MSR_LOAD_COUNT is not 0";

TEST(NotModelledRun, BareMetalAtTheEntry)
{
	ExpectRefused(L1Enters("none", "        vmwrite GUEST_SMBASE 0x30000\n"), std::string("t.scn:7:9: ") + kSmm);
	ExpectRefused(L1Enters("none", "", "  vmcs VM_ENTRY_MSR_LOAD_COUNT 1\n"),
	              std::string("t.scn:6:9: ") + kMsrLoad);
	ExpectHolds(L1Enters("none", "        vmwrite GUEST_SMBASE 0\n") + "expect 1st exit L2 reason=VMCALL\n");
}

TEST(NotModelledRun, NestedAtL1sEntry)
{
	for (const char *l0 : {"kvm-2011", "kvm-modern"}) {
		SCOPED_TRACE(l0);
		ExpectRefused(L1Enters(l0, "        vmwrite GUEST_SMBASE 0x30000\n"), std::string("t.scn:7:9: ") + kSmm);
		ExpectRefused(L1Enters(l0, "", "  vmcs VM_ENTRY_MSR_LOAD_COUNT 1\n"),
		              std::string("t.scn:6:9: ") + kMsrLoad);
	}
}

TEST(NotModelledRun, GuestOfACL0AtItsVmcsLine)
{
	for (const char *l0 : {"plain", "kvm-2008", "kvm-modern"}) {
		SCOPED_TRACE(l0);
		const std::string head = std::string("cpu nehalem\nl0 ") + l0 + "\nguest L1\n";
		const std::string tail = "main:   vmcall\nrun 10000\n";
		ExpectRefused(head + "  vmcs GUEST_SMBASE 0x30000\n" + tail, std::string("t.scn:4:8: ") + kSmm);
		ExpectRefused(head + "  vmcs VM_EXIT_MSR_STORE_COUNT 2\n" + tail,
		              "t.scn:4:8: not modelled: VM-exit MSR-store area");
		ExpectHolds(head + "  vmcs GUEST_SMBASE 0\n" + tail + "expect count exit VMCALL >= 1\n");
	}
}

/* `stack-unmapped` in the root program's block of `l0 none` would be ignored (root operation has no EPT). */
TEST(NotModelledRun, StackUnmappedInTheRootProgramIsRefused)
{
	ExpectRefused(L1Enters("none", "", "").insert(std::string("cpu nehalem\nl0 none\nguest L1\n").size(),
	                                                 "  stack-unmapped\n"),
	              "t.scn:4:3: with 'l0 none' L1 runs in root operation, without EPT");
	ExpectHolds(L1Enters("none", "", "  stack-unmapped\n") + "expect 1st exit L2 reason=VMCALL\n");
}

/* The CLI: exit status 2 and the located message (tests/cli has the shell side; here the library's status). */
TEST(NotModelledRun, SmmEntryControlFailsTheEntryOutsideSmmFirst)
{
	// penryn offers "entry to SMM" (Bochs's twin): the entry check fails it, nothing is refused.
	ExpectHolds("cpu penryn\nl0 none\nguest L1\n  exit-handler h\nmain:   vmwrite VM_ENTRY_CONTROLS 0x11ff|VM_ENTRY_SMM\n"
	            "        vmlaunch\nh:      hlt\nguest L2\nl2:     vmcall\nrun 10000\n"
	            "expect count exit VMCALL == 0\nexpect 1st vmfail insn=vmlaunch error=7\n");
}

}  // namespace

/*
 * The #PF error-code mask and match are modelled (SDM 25.2), not ignored:
 * the model's #PF is a fetch from where nothing is (error code 0x10).
 */
class PageFaultFilter : public HwTest {
protected:
	uint32_t RunWith(uint32_t bit14, uint32_t mask, uint32_t match)
	{
		Program({Op(VMX_OP_JMP, 0x900000), Op(VMX_OP_VMCALL)});
		Gate(PF_VECTOR, 1);
		Set(EXCEPTION_BITMAP, bit14 << PF_VECTOR);
		Set(PAGE_FAULT_ERROR_CODE_MASK, mask);
		Set(PAGE_FAULT_ERROR_CODE_MATCH, match);
		EXPECT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
		return ExitReason();
	}
};

TEST_F(PageFaultFilter, BitmapBitAppliesWhenTheErrorCodeMatches)
{
	EXPECT_EQ(RunWith(1, 0, 0), (uint32_t)EXIT_REASON_EXCEPTION_NMI);
	EXPECT_EQ(Get(VM_EXIT_INTR_ERROR_CODE), 0x10u);
}

TEST_F(PageFaultFilter, NoMatchTakesTheOppositeOfTheBit)
{
	EXPECT_EQ(RunWith(1, 0x10, 0), (uint32_t)EXIT_REASON_VMCALL);   // 0x10 & 0x10 != 0: delivered to the guest
}

TEST_F(PageFaultFilter, MatchWithBitClearDoesNotExitButNoMatchDoes)
{
	EXPECT_EQ(RunWith(0, 0x10, 0x10), (uint32_t)EXIT_REASON_VMCALL);
}

TEST_F(PageFaultFilter, MismatchWithBitClearExits)
{
	EXPECT_EQ(RunWith(0, 0x10, 0), (uint32_t)EXIT_REASON_EXCEPTION_NMI);
}
