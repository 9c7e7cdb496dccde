/* SPDX-License-Identifier: Apache-2.0 */
// test_vmx_tables.cc - exit reasons, VM-instruction errors, control bits and
// the interruption-information / interruptibility formats (vmx-rules.md §1.2-1.5).
#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>

#include "vmcs/vmcs_field.h"
#include "vmcs/vmx_controls.h"
#include "vmcs/vmx_exit_reason.h"
#include "vmcs/vmx_insn_error.h"
#include "vmcs/vmx_intr_info.h"
#include "vmcs/vmx_intr_state.h"
#include "vmcs/x86_debugreg.h"

namespace {

// ---------------------------------------------------------------- exit reasons

struct ExitRef {
	int num;
	int from_enum;
	const char *name;
};

#define EXIT_REF(n, name) {n, static_cast<int>(EXIT_REASON_##name), #name}

// vmx-rules.md §1.5: the reasons the model uses, with the string kvm_exit prints.
const ExitRef kExitReasons[] = {
	EXIT_REF(0, EXCEPTION_NMI),        EXIT_REF(1, EXTERNAL_INTERRUPT), EXIT_REF(2, TRIPLE_FAULT),
	EXIT_REF(3, INIT_SIGNAL),          EXIT_REF(4, SIPI_SIGNAL),        EXIT_REF(7, INTERRUPT_WINDOW),
	EXIT_REF(8, NMI_WINDOW),           EXIT_REF(9, TASK_SWITCH),        EXIT_REF(10, CPUID),
	EXIT_REF(12, HLT),                 EXIT_REF(18, VMCALL),            EXIT_REF(20, VMLAUNCH),
	EXIT_REF(24, VMRESUME),            EXIT_REF(33, INVALID_STATE),     EXIT_REF(34, MSR_LOAD_FAIL),
	EXIT_REF(37, MONITOR_TRAP_FLAG),   EXIT_REF(41, MCE_DURING_VMENTRY), EXIT_REF(43, TPR_BELOW_THRESHOLD),
	EXIT_REF(44, APIC_ACCESS),         EXIT_REF(45, EOI_INDUCED),       EXIT_REF(48, EPT_VIOLATION),
	EXIT_REF(52, PREEMPTION_TIMER),    EXIT_REF(62, PML_FULL),          EXIT_REF(75, NOTIFY),
	// Others from Linux's uapi table.
	EXIT_REF(28, CR_ACCESS),           EXIT_REF(30, IO_INSTRUCTION),    EXIT_REF(31, MSR_READ),
	EXIT_REF(32, MSR_WRITE),           EXIT_REF(40, PAUSE_INSTRUCTION), EXIT_REF(49, EPT_MISCONFIG),
	EXIT_REF(54, WBINVD),              EXIT_REF(74, BUS_LOCK),
};

#undef EXIT_REF

TEST(ExitReasons, NumbersAndNamesMatchLinux)
{
	for (const ExitRef &r : kExitReasons) {
		SCOPED_TRACE(r.name);
		EXPECT_EQ(r.from_enum, r.num);
		EXPECT_STREQ(vmx_exit_reason_name(static_cast<uint32_t>(r.num)), r.name);
		EXPECT_EQ(vmx_exit_reason_by_name(r.name), r.num);
	}
}

// Reason 7 printed as PENDING_INTERRUPT until the 2019 rename; now INTERRUPT_WINDOW.
TEST(ExitReasons, InterruptWindowOldAndNewNames)
{
	EXPECT_STREQ(vmx_exit_reason_name(7), "INTERRUPT_WINDOW");
	EXPECT_STREQ(vmx_exit_reason_old_name(7), "PENDING_INTERRUPT");
	EXPECT_EQ(vmx_exit_reason_by_name("INTERRUPT_WINDOW"), 7);
	EXPECT_EQ(vmx_exit_reason_by_name("PENDING_INTERRUPT"), 7);
	// Names that never changed are their own old names.
	EXPECT_STREQ(vmx_exit_reason_old_name(8), "NMI_WINDOW");
	EXPECT_STREQ(vmx_exit_reason_old_name(1), "EXTERNAL_INTERRUPT");
	EXPECT_STREQ(vmx_exit_reason_old_name(0), "EXCEPTION_NMI");
}

// Old name differs from the current one only for reason 7; every named reason
// round-trips through the by-name lookup in both spellings.
TEST(ExitReasons, RoundTripAllNumbers)
{
	int named = 0;
	for (uint32_t n = 0; n < 0x100; n++) {
		const char *name = vmx_exit_reason_name(n);
		const char *old = vmx_exit_reason_old_name(n);
		if (!name) {
			EXPECT_EQ(old, nullptr) << n;
			continue;
		}
		named++;
		ASSERT_NE(old, nullptr) << n;
		EXPECT_EQ(vmx_exit_reason_by_name(name), static_cast<int>(n));
		EXPECT_EQ(vmx_exit_reason_by_name(old), static_cast<int>(n));
		if (n != 7) {
			EXPECT_STREQ(old, name) << n;
		}
	}
	// 0..75 minus the five reserved numbers.
	EXPECT_EQ(named, 76 - 5);
}

TEST(ExitReasons, ReservedNumbersHaveNoName)
{
	for (uint32_t n : {35u, 38u, 42u, 65u, 71u, 76u, 0xffffu}) {
		EXPECT_EQ(vmx_exit_reason_name(n), nullptr) << n;
		EXPECT_EQ(vmx_exit_reason_old_name(n), nullptr) << n;
	}
	// The functions take the basic reason, not the raw field.
	EXPECT_EQ(vmx_exit_reason_name(0x80000021u), nullptr);
}

TEST(ExitReasons, UnknownNamesGiveMinusOne)
{
	EXPECT_EQ(vmx_exit_reason_by_name("NO_SUCH_EXIT"), -1);
	EXPECT_EQ(vmx_exit_reason_by_name(""), -1);
	EXPECT_EQ(vmx_exit_reason_by_name("hlt"), -1);                  // case matters
	EXPECT_EQ(vmx_exit_reason_by_name("EXIT_REASON_HLT"), -1);      // no prefix
	EXPECT_EQ(vmx_exit_reason_by_name("PENDING_INTERRUPT "), -1);   // exact match
}

// Exit-reason field layout (R26: entry failures carry bit 31).
TEST(ExitReasons, FieldBits)
{
	EXPECT_EQ(VMX_EXIT_REASONS_FAILED_VMENTRY, 0x80000000u);
	EXPECT_EQ(VMX_EXIT_REASONS_PENDING_MTF, 0x10000000u);
	EXPECT_EQ(VMX_EXIT_REASON_BASIC_MASK, 0xffffu);
	const uint32_t invalid_state = static_cast<uint32_t>(EXIT_REASON_INVALID_STATE) | VMX_EXIT_REASONS_FAILED_VMENTRY;
	EXPECT_EQ(invalid_state, 0x80000021u);
	EXPECT_EQ(static_cast<uint32_t>(EXIT_REASON_MSR_LOAD_FAIL) | VMX_EXIT_REASONS_FAILED_VMENTRY, 0x80000022u);
	EXPECT_EQ(static_cast<uint32_t>(EXIT_REASON_MCE_DURING_VMENTRY) | VMX_EXIT_REASONS_FAILED_VMENTRY, 0x80000029u);
	EXPECT_STREQ(vmx_exit_reason_name(invalid_state & VMX_EXIT_REASON_BASIC_MASK), "INVALID_STATE");
}

// Entry-failure exit qualifications; 3 is the NMI-with-STI-blocking failure (R10).
TEST(ExitReasons, EntryFailureQualifications)
{
	EXPECT_EQ(ENTRY_FAIL_DEFAULT, 0);
	EXPECT_EQ(ENTRY_FAIL_PDPTE, 2);
	EXPECT_EQ(ENTRY_FAIL_NMI, 3);
	EXPECT_EQ(ENTRY_FAIL_VMCS_LINK_PTR, 4);
}

// ------------------------------------------------------ VM-instruction errors

TEST(InsnErrors, NumbersAndTexts)
{
	EXPECT_EQ(static_cast<int>(VMXERR_ENTRY_INVALID_CONTROL_FIELD), 7);
	EXPECT_EQ(static_cast<int>(VMXERR_ENTRY_INVALID_HOST_STATE_FIELD), 8);
	EXPECT_EQ(static_cast<int>(VMXERR_UNSUPPORTED_VMCS_COMPONENT), 12);
	EXPECT_EQ(static_cast<int>(VMXERR_VMWRITE_READ_ONLY_VMCS_COMPONENT), 13);
	EXPECT_EQ(static_cast<int>(VMXERR_ENTRY_EVENTS_BLOCKED_BY_MOV_SS), 26);
	EXPECT_EQ(static_cast<int>(VMXERR_VMLAUNCH_NONCLEAR_VMCS), 4);
	EXPECT_EQ(static_cast<int>(VMXERR_VMRESUME_NONLAUNCHED_VMCS), 5);
	EXPECT_EQ(static_cast<int>(VMXERR_INVALID_OPERAND_TO_INVEPT_INVVPID), 28);

	// Fail-C of R4-R8.
	EXPECT_STREQ(vmx_insn_error_text(7), "VM entry with invalid control field(s)");
	EXPECT_STREQ(vmx_insn_error_text(8), "VM entry with invalid host-state field(s)");
	EXPECT_STREQ(vmx_insn_error_text(12), "VMREAD/VMWRITE from/to unsupported VMCS component");
	EXPECT_STREQ(vmx_insn_error_text(13), "VMWRITE to read-only VMCS component");
	// R13: VMLAUNCH/VMRESUME with blocking by MOV SS.
	EXPECT_STREQ(vmx_insn_error_text(26), "VM entry with events blocked by MOV SS");
	EXPECT_STREQ(vmx_insn_error_text(4), "VMLAUNCH with non-clear VMCS");
	EXPECT_STREQ(vmx_insn_error_text(5), "VMRESUME with non-launched VMCS");

	EXPECT_STREQ(vmx_insn_error_name(7), "ENTRY_INVALID_CONTROL_FIELD");
	EXPECT_STREQ(vmx_insn_error_name(12), "UNSUPPORTED_VMCS_COMPONENT");
	EXPECT_STREQ(vmx_insn_error_name(13), "VMWRITE_READ_ONLY_VMCS_COMPONENT");
	EXPECT_STREQ(vmx_insn_error_name(26), "ENTRY_EVENTS_BLOCKED_BY_MOV_SS");
}

TEST(InsnErrors, UndefinedNumbersGiveNull)
{
	for (int n : {0, 14, 21, 27, 29, 30, -1, 1000}) {
		EXPECT_EQ(vmx_insn_error_text(n), nullptr) << n;
		EXPECT_EQ(vmx_insn_error_name(n), nullptr) << n;
	}
}

// The SDM defines 1-13, 15-20, 22-26 and 28.
TEST(InsnErrors, DefinedSetIsExactlyTheSdmList)
{
	const std::set<int> defined = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13,
	                               15, 16, 17, 18, 19, 20, 22, 23, 24, 25, 26, 28};
	for (int n = 0; n < 64; n++) {
		bool has = vmx_insn_error_text(n) != nullptr;
		EXPECT_EQ(has, defined.count(n) == 1) << n;
		EXPECT_EQ(vmx_insn_error_name(n) != nullptr, has) << n;
	}
}

// ------------------------------------------------------------- control bits

struct CtlRef {
	vmx_control_word word;
	const char *name;
	uint32_t from_enum;
	uint32_t linux_value;
};

#define CTL(w, name, v) {VMX_CTL_##w, #name, static_cast<uint32_t>(name), v}

// Linux asm/vmx.h values (vmx-rules.md §1.2). One entry per row of vmx_controls.def.
const CtlRef kControls[] = {
	CTL(PIN, PIN_BASED_EXT_INTR_MASK, 0x00000001u),
	CTL(PIN, PIN_BASED_NMI_EXITING, 0x00000008u),
	CTL(PIN, PIN_BASED_VIRTUAL_NMIS, 0x00000020u),
	CTL(PIN, PIN_BASED_VMX_PREEMPTION_TIMER, 0x00000040u),
	CTL(PIN, PIN_BASED_POSTED_INTR, 0x00000080u),

	CTL(PROC, CPU_BASED_INTR_WINDOW_EXITING, 0x00000004u),
	CTL(PROC, CPU_BASED_USE_TSC_OFFSETTING, 0x00000008u),
	CTL(PROC, CPU_BASED_HLT_EXITING, 0x00000080u),
	CTL(PROC, CPU_BASED_INVLPG_EXITING, 0x00000200u),
	CTL(PROC, CPU_BASED_MWAIT_EXITING, 0x00000400u),
	CTL(PROC, CPU_BASED_RDPMC_EXITING, 0x00000800u),
	CTL(PROC, CPU_BASED_RDTSC_EXITING, 0x00001000u),
	CTL(PROC, CPU_BASED_CR3_LOAD_EXITING, 0x00008000u),
	CTL(PROC, CPU_BASED_CR3_STORE_EXITING, 0x00010000u),
	CTL(PROC, CPU_BASED_ACTIVATE_TERTIARY_CONTROLS, 0x00020000u),
	CTL(PROC, CPU_BASED_CR8_LOAD_EXITING, 0x00080000u),
	CTL(PROC, CPU_BASED_CR8_STORE_EXITING, 0x00100000u),
	CTL(PROC, CPU_BASED_TPR_SHADOW, 0x00200000u),
	CTL(PROC, CPU_BASED_NMI_WINDOW_EXITING, 0x00400000u),
	CTL(PROC, CPU_BASED_MOV_DR_EXITING, 0x00800000u),
	CTL(PROC, CPU_BASED_UNCOND_IO_EXITING, 0x01000000u),
	CTL(PROC, CPU_BASED_USE_IO_BITMAPS, 0x02000000u),
	CTL(PROC, CPU_BASED_MONITOR_TRAP_FLAG, 0x08000000u),
	CTL(PROC, CPU_BASED_USE_MSR_BITMAPS, 0x10000000u),
	CTL(PROC, CPU_BASED_MONITOR_EXITING, 0x20000000u),
	CTL(PROC, CPU_BASED_PAUSE_EXITING, 0x40000000u),
	CTL(PROC, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS, 0x80000000u),

	CTL(PROC2, SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES, 0x00000001u),
	CTL(PROC2, SECONDARY_EXEC_ENABLE_EPT, 0x00000002u),
	CTL(PROC2, SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE, 0x00000010u),
	CTL(PROC2, SECONDARY_EXEC_ENABLE_VPID, 0x00000020u),
	CTL(PROC2, SECONDARY_EXEC_UNRESTRICTED_GUEST, 0x00000080u),
	CTL(PROC2, SECONDARY_EXEC_APIC_REGISTER_VIRT, 0x00000100u),
	CTL(PROC2, SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY, 0x00000200u),
	CTL(PROC2, SECONDARY_EXEC_PAUSE_LOOP_EXITING, 0x00000400u),
	CTL(PROC2, SECONDARY_EXEC_SHADOW_VMCS, 0x00004000u),
	CTL(PROC2, SECONDARY_EXEC_DESC, 0x00000004u),
	CTL(PROC2, SECONDARY_EXEC_ENABLE_RDTSCP, 0x00000008u),
	CTL(PROC2, SECONDARY_EXEC_WBINVD_EXITING, 0x00000040u),
	CTL(PROC2, SECONDARY_EXEC_RDRAND_EXITING, 0x00000800u),
	CTL(PROC2, SECONDARY_EXEC_ENABLE_INVPCID, 0x00001000u),
	CTL(PROC2, SECONDARY_EXEC_ENABLE_VMFUNC, 0x00002000u),
	CTL(PROC2, SECONDARY_EXEC_ENCLS_EXITING, 0x00008000u),
	CTL(PROC2, SECONDARY_EXEC_RDSEED_EXITING, 0x00010000u),
	CTL(PROC2, SECONDARY_EXEC_ENABLE_PML, 0x00020000u),
	CTL(PROC2, SECONDARY_EXEC_EPT_VIOLATION_VE, 0x00040000u),
	CTL(PROC2, SECONDARY_EXEC_PT_CONCEAL_VMX, 0x00080000u),
	CTL(PROC2, SECONDARY_EXEC_ENABLE_XSAVES, 0x00100000u),
	CTL(PROC2, SECONDARY_EXEC_PASID_TRANSLATION, 0x00200000u),
	CTL(PROC2, SECONDARY_EXEC_MODE_BASED_EPT_EXEC, 0x00400000u),
	CTL(PROC2, SECONDARY_EXEC_EPT_SUB_PAGE_PERMISSIONS, 0x00800000u),
	CTL(PROC2, SECONDARY_EXEC_PT_USE_GPA, 0x01000000u),
	CTL(PROC2, SECONDARY_EXEC_TSC_SCALING, 0x02000000u),
	CTL(PROC2, SECONDARY_EXEC_ENABLE_USR_WAIT_PAUSE, 0x04000000u),
	CTL(PROC2, SECONDARY_EXEC_ENABLE_PCONFIG, 0x08000000u),
	CTL(PROC2, SECONDARY_EXEC_ENCLV_EXITING, 0x10000000u),
	CTL(PROC2, SECONDARY_EXEC_BUS_LOCK_DETECTION, 0x40000000u),
	CTL(PROC2, SECONDARY_EXEC_NOTIFY_VM_EXITING, 0x80000000u),

	CTL(EXIT, VM_EXIT_SAVE_DEBUG_CONTROLS, 0x00000004u), // modern value, not the old 0x2
	CTL(EXIT, VM_EXIT_HOST_ADDR_SPACE_SIZE, 0x00000200u),
	CTL(EXIT, VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL, 0x00001000u),
	CTL(EXIT, VM_EXIT_ACK_INTR_ON_EXIT, 0x00008000u),
	CTL(EXIT, VM_EXIT_SAVE_IA32_PAT, 0x00040000u),
	CTL(EXIT, VM_EXIT_LOAD_IA32_PAT, 0x00080000u),
	CTL(EXIT, VM_EXIT_SAVE_IA32_EFER, 0x00100000u),
	CTL(EXIT, VM_EXIT_LOAD_IA32_EFER, 0x00200000u),
	CTL(EXIT, VM_EXIT_SAVE_VMX_PREEMPTION_TIMER, 0x00400000u),
	CTL(EXIT, VM_EXIT_CLEAR_BNDCFGS, 0x00800000u),
	CTL(EXIT, VM_EXIT_PT_CONCEAL_PIP, 0x01000000u),
	CTL(EXIT, VM_EXIT_CLEAR_IA32_RTIT_CTL, 0x02000000u),
	CTL(EXIT, VM_EXIT_CLEAR_IA32_LBR_CTL, 0x04000000u),
	CTL(EXIT, VM_EXIT_CLEAR_UINV, 0x08000000u),
	CTL(EXIT, VM_EXIT_LOAD_CET_STATE, 0x10000000u),
	CTL(EXIT, VM_EXIT_LOAD_IA32_PKRS, 0x20000000u),
	CTL(EXIT, VM_EXIT_SAVE_IA32_PERF_GLOBAL_CTRL, 0x40000000u),
	CTL(EXIT, VM_EXIT_ACTIVATE_SECONDARY_CONTROLS, 0x80000000u),

	CTL(ENTRY, VM_ENTRY_LOAD_DEBUG_CONTROLS, 0x00000004u), // modern value, not the old 0x2
	CTL(ENTRY, VM_ENTRY_IA32E_MODE, 0x00000200u),
	CTL(ENTRY, VM_ENTRY_SMM, 0x00000400u),
	CTL(ENTRY, VM_ENTRY_DEACT_DUAL_MONITOR, 0x00000800u),
	CTL(ENTRY, VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL, 0x00002000u),
	CTL(ENTRY, VM_ENTRY_LOAD_IA32_PAT, 0x00004000u),
	CTL(ENTRY, VM_ENTRY_LOAD_IA32_EFER, 0x00008000u),
	CTL(ENTRY, VM_ENTRY_LOAD_BNDCFGS, 0x00010000u),
	CTL(ENTRY, VM_ENTRY_PT_CONCEAL_PIP, 0x00020000u),
	CTL(ENTRY, VM_ENTRY_LOAD_IA32_RTIT_CTL, 0x00040000u),
	CTL(ENTRY, VM_ENTRY_LOAD_UINV, 0x00080000u),
	CTL(ENTRY, VM_ENTRY_LOAD_CET_STATE, 0x00100000u),
	CTL(ENTRY, VM_ENTRY_LOAD_IA32_LBR_CTL, 0x00200000u),
	CTL(ENTRY, VM_ENTRY_LOAD_IA32_PKRS, 0x00400000u),
	CTL(ENTRY, VM_ENTRY_LOAD_FRED, 0x00800000u),
};

#undef CTL

unsigned BitOf(uint32_t mask)
{
	unsigned b = 0;
	while (b < 32 && !(mask & (1u << b)))
		b++;
	return b;
}

TEST(Controls, ConstantsEqualLinuxValues)
{
	for (const CtlRef &c : kControls) {
		SCOPED_TRACE(c.name);
		EXPECT_EQ(c.from_enum, c.linux_value);
		// The table names that bit of that word with the same constant name.
		EXPECT_STREQ(vmx_control_bit_name(c.word, BitOf(c.linux_value)), c.name);
	}
}

// Every row of the control table is covered by the Linux list above.
TEST(Controls, TableRowsAllChecked)
{
	ASSERT_EQ(vmx_control_count(), static_cast<int>(sizeof(kControls) / sizeof(kControls[0])));
	for (int i = 0; i < vmx_control_count(); i++) {
		const struct vmx_control_info *ci = vmx_control_info(i);
		ASSERT_NE(ci, nullptr);
		bool found = false;
		for (const CtlRef &c : kControls)
			found = found || (c.word == ci->word && BitOf(c.linux_value) == ci->bit &&
			                  std::string(c.name) == ci->name);
		EXPECT_TRUE(found) << ci->name;
	}
	EXPECT_EQ(vmx_control_info(-1), nullptr);
	EXPECT_EQ(vmx_control_info(vmx_control_count()), nullptr);
}

// Each bit of a word is named at most once, each name is used once, and every
// name carries its word's Linux prefix.
TEST(Controls, TableNamesEachBitOncePerWord)
{
	const char *const prefix[VMX_CTL_WORD_COUNT] = {"PIN_BASED_", "CPU_BASED_", "SECONDARY_EXEC_", "VM_EXIT_",
	                                                "VM_ENTRY_"};
	std::set<std::pair<int, unsigned>> bits;
	std::set<std::string> names;
	for (int i = 0; i < vmx_control_count(); i++) {
		const struct vmx_control_info *ci = vmx_control_info(i);
		SCOPED_TRACE(ci->name);
		ASSERT_LT(static_cast<int>(ci->word), static_cast<int>(VMX_CTL_WORD_COUNT));
		EXPECT_LT(ci->bit, 32u);
		EXPECT_TRUE(bits.insert({static_cast<int>(ci->word), ci->bit}).second);
		EXPECT_TRUE(names.insert(ci->name).second);
		EXPECT_EQ(std::string(ci->name).rfind(prefix[ci->word], 0), 0u);
		ASSERT_NE(ci->summary, nullptr);
		EXPECT_FALSE(std::string(ci->summary).empty());
		EXPECT_STREQ(vmx_control_bit_name(ci->word, ci->bit), ci->name);
	}
}

TEST(Controls, BitNameLookup)
{
	EXPECT_STREQ(vmx_control_bit_name(VMX_CTL_PIN, 3), "PIN_BASED_NMI_EXITING");
	EXPECT_STREQ(vmx_control_bit_name(VMX_CTL_PIN, 5), "PIN_BASED_VIRTUAL_NMIS");
	EXPECT_STREQ(vmx_control_bit_name(VMX_CTL_PROC, 2), "CPU_BASED_INTR_WINDOW_EXITING");
	EXPECT_STREQ(vmx_control_bit_name(VMX_CTL_PROC, 22), "CPU_BASED_NMI_WINDOW_EXITING");
	EXPECT_STREQ(vmx_control_bit_name(VMX_CTL_PROC, 27), "CPU_BASED_MONITOR_TRAP_FLAG");
	EXPECT_STREQ(vmx_control_bit_name(VMX_CTL_PROC2, 9), "SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY");
	EXPECT_STREQ(vmx_control_bit_name(VMX_CTL_EXIT, 15), "VM_EXIT_ACK_INTR_ON_EXIT");
	EXPECT_STREQ(vmx_control_bit_name(VMX_CTL_EXIT, 22), "VM_EXIT_SAVE_VMX_PREEMPTION_TIMER");
	EXPECT_STREQ(vmx_control_bit_name(VMX_CTL_ENTRY, 9), "VM_ENTRY_IA32E_MODE");
	// The same bit number means different things in different words.
	EXPECT_STREQ(vmx_control_bit_name(VMX_CTL_EXIT, 2), "VM_EXIT_SAVE_DEBUG_CONTROLS");
	EXPECT_STREQ(vmx_control_bit_name(VMX_CTL_ENTRY, 2), "VM_ENTRY_LOAD_DEBUG_CONTROLS");
	// Unnamed (default-1 or reserved) bits.
	EXPECT_EQ(vmx_control_bit_name(VMX_CTL_PIN, 1), nullptr);
	EXPECT_EQ(vmx_control_bit_name(VMX_CTL_PIN, 2), nullptr);
	EXPECT_EQ(vmx_control_bit_name(VMX_CTL_PROC, 0), nullptr);
	EXPECT_EQ(vmx_control_bit_name(VMX_CTL_PROC2, 29), nullptr);
	EXPECT_EQ(vmx_control_bit_name(VMX_CTL_ENTRY, 32), nullptr);
	EXPECT_EQ(vmx_control_bit_name(VMX_CTL_WORD_COUNT, 0), nullptr);
}

// The word names are the VMCS fields that hold the words.
TEST(Controls, WordNamesAreTheirVmcsFields)
{
	EXPECT_STREQ(vmx_control_word_name(VMX_CTL_PIN), "PIN_BASED_VM_EXEC_CONTROL");
	EXPECT_STREQ(vmx_control_word_name(VMX_CTL_PROC), "CPU_BASED_VM_EXEC_CONTROL");
	EXPECT_STREQ(vmx_control_word_name(VMX_CTL_PROC2), "SECONDARY_VM_EXEC_CONTROL");
	EXPECT_STREQ(vmx_control_word_name(VMX_CTL_EXIT), "VM_EXIT_CONTROLS");
	EXPECT_STREQ(vmx_control_word_name(VMX_CTL_ENTRY), "VM_ENTRY_CONTROLS");
	EXPECT_EQ(vmx_control_word_name(VMX_CTL_WORD_COUNT), nullptr);
	EXPECT_STREQ(vmx_control_word_name(VMX_CTL_PIN), vmcs_field_name(PIN_BASED_VM_EXEC_CONTROL));
	EXPECT_STREQ(vmx_control_word_name(VMX_CTL_PROC), vmcs_field_name(CPU_BASED_VM_EXEC_CONTROL));
	EXPECT_STREQ(vmx_control_word_name(VMX_CTL_PROC2), vmcs_field_name(SECONDARY_VM_EXEC_CONTROL));
	EXPECT_STREQ(vmx_control_word_name(VMX_CTL_EXIT), vmcs_field_name(VM_EXIT_CONTROLS));
	EXPECT_STREQ(vmx_control_word_name(VMX_CTL_ENTRY), vmcs_field_name(VM_ENTRY_CONTROLS));
}

// Default-1 ("always on") bits for processors without the TRUE capability MSRs.
TEST(Controls, DefaultOneBits)
{
	EXPECT_EQ(PIN_BASED_ALWAYSON_WITHOUT_TRUE_MSR, 0x00000016u);  // bits 1, 2, 4
	EXPECT_EQ(CPU_BASED_ALWAYSON_WITHOUT_TRUE_MSR, 0x0401e172u);  // 1, 4-6, 8, 13-16, 26
	EXPECT_EQ(VM_EXIT_ALWAYSON_WITHOUT_TRUE_MSR, 0x00036dffu);    // 0-8, 10, 11, 13, 14, 16, 17
	EXPECT_EQ(VM_ENTRY_ALWAYSON_WITHOUT_TRUE_MSR, 0x000011ffu);   // 0-8, 12
	// Named controls that are default-1 without TRUE MSRs: CR3-load/store
	// exiting and the debug-control save/load bits.
	EXPECT_NE(CPU_BASED_ALWAYSON_WITHOUT_TRUE_MSR & static_cast<uint32_t>(CPU_BASED_CR3_LOAD_EXITING), 0u);
	EXPECT_NE(CPU_BASED_ALWAYSON_WITHOUT_TRUE_MSR & static_cast<uint32_t>(CPU_BASED_CR3_STORE_EXITING), 0u);
	EXPECT_NE(VM_EXIT_ALWAYSON_WITHOUT_TRUE_MSR & static_cast<uint32_t>(VM_EXIT_SAVE_DEBUG_CONTROLS), 0u);
	EXPECT_NE(VM_ENTRY_ALWAYSON_WITHOUT_TRUE_MSR & static_cast<uint32_t>(VM_ENTRY_LOAD_DEBUG_CONTROLS), 0u);
	// The event-path controls are not: KVM chooses them.
	EXPECT_EQ(PIN_BASED_ALWAYSON_WITHOUT_TRUE_MSR &
	              static_cast<uint32_t>(PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING | PIN_BASED_VIRTUAL_NMIS),
	          0u);
	EXPECT_EQ(CPU_BASED_ALWAYSON_WITHOUT_TRUE_MSR &
	              static_cast<uint32_t>(CPU_BASED_INTR_WINDOW_EXITING | CPU_BASED_NMI_WINDOW_EXITING |
	                                    CPU_BASED_HLT_EXITING | CPU_BASED_MONITOR_TRAP_FLAG),
	          0u);
	EXPECT_EQ(VM_EXIT_ALWAYSON_WITHOUT_TRUE_MSR & static_cast<uint32_t>(VM_EXIT_ACK_INTR_ON_EXIT), 0u);
}

// ------------------------------------------------ interruption information

TEST(IntrInfo, FormatMasks)
{
	EXPECT_EQ(INTR_INFO_VECTOR_MASK, 0xffu);
	EXPECT_EQ(INTR_INFO_INTR_TYPE_MASK, 0x700u);
	EXPECT_EQ(INTR_INFO_INTR_TYPE_SHIFT, 8);
	EXPECT_EQ(INTR_INFO_DELIVER_CODE_MASK, 0x800u);
	EXPECT_EQ(INTR_INFO_UNBLOCK_NMI, 0x1000u);        // R17
	EXPECT_EQ(INTR_INFO_RESVD_BITS_MASK, 0x7ffff000u); // R6: must be 0 on entry
	EXPECT_EQ(INTR_INFO_VALID_MASK, 0x80000000u);
	EXPECT_EQ(INTR_TYPE_EXT_INTR, 0x000u);
	EXPECT_EQ(INTR_TYPE_RESERVED, 0x100u);
	EXPECT_EQ(INTR_TYPE_NMI_INTR, 0x200u);
	EXPECT_EQ(INTR_TYPE_HARD_EXCEPTION, 0x300u);
	EXPECT_EQ(INTR_TYPE_SOFT_INTR, 0x400u);
	EXPECT_EQ(INTR_TYPE_PRIV_SW_EXCEPTION, 0x500u);
	EXPECT_EQ(INTR_TYPE_SOFT_EXCEPTION, 0x600u);
	EXPECT_EQ(INTR_TYPE_OTHER_EVENT, 0x700u);
	EXPECT_EQ(NMI_VECTOR, 2);
	EXPECT_EQ(DF_VECTOR, 8);
	EXPECT_EQ(GP_VECTOR, 13);
	EXPECT_EQ(PF_VECTOR, 14);
	EXPECT_EQ(MC_VECTOR, 18);
}

// Reference values of vmx-rules.md §1.3.
TEST(IntrInfo, MakeReferenceValues)
{
	// R6: an NMI must use vector 2. R22: the NMI exit's intr-info.
	EXPECT_EQ(intr_info_make(INTR_TYPE_NMI_INTR, NMI_VECTOR, false), 0x80000202u);
	// R21: ext-int exit with ack-on-exit, host local-timer vector 0xec.
	EXPECT_EQ(intr_info_make(INTR_TYPE_EXT_INTR, 0xec, false), 0x800000ecu);
	// R7: #GP, #PF, #DF push an error code.
	EXPECT_EQ(intr_info_make(INTR_TYPE_HARD_EXCEPTION, GP_VECTOR, true), 0x80000b0du);
	EXPECT_EQ(intr_info_make(INTR_TYPE_HARD_EXCEPTION, PF_VECTOR, true), 0x80000b0eu);
	EXPECT_EQ(intr_info_make(INTR_TYPE_HARD_EXCEPTION, DF_VECTOR, true), 0x80000b08u);
	// R6/R14: pending-MTF injection is type 7, vector 0.
	EXPECT_EQ(intr_info_make(INTR_TYPE_OTHER_EVENT, 0, false), 0x80000700u);
	// Soft events (R8).
	EXPECT_EQ(intr_info_make(INTR_TYPE_SOFT_INTR, 0x80, false), 0x80000480u);
	EXPECT_EQ(intr_info_make(INTR_TYPE_SOFT_EXCEPTION, BP_VECTOR, false), 0x80000603u);
	EXPECT_EQ(intr_info_make(INTR_TYPE_PRIV_SW_EXCEPTION, DB_VECTOR, false), 0x80000501u);
	// Any vector 0-255 for type 0 (R6).
	EXPECT_EQ(intr_info_make(INTR_TYPE_EXT_INTR, 0xff, false), 0x800000ffu);
	EXPECT_EQ(intr_info_make(INTR_TYPE_EXT_INTR, 0, false), 0x80000000u);
	// The type argument is masked to bits 10:8: it cannot set bit 11 or the reserved bits.
	EXPECT_EQ(intr_info_make(0xfffff200u, NMI_VECTOR, false), 0x80000202u);
}

TEST(IntrInfo, Accessors)
{
	const uint32_t pf = 0x80000b0eu;
	EXPECT_TRUE(intr_info_valid(pf));
	EXPECT_EQ(intr_info_type(pf), INTR_TYPE_HARD_EXCEPTION);
	EXPECT_EQ(intr_info_vector(pf), PF_VECTOR);
	EXPECT_TRUE(intr_info_has_error_code(pf));

	const uint32_t nmi = 0x80000202u;
	EXPECT_TRUE(intr_info_valid(nmi));
	EXPECT_EQ(intr_info_type(nmi), INTR_TYPE_NMI_INTR);
	EXPECT_EQ(intr_info_vector(nmi), NMI_VECTOR);
	EXPECT_FALSE(intr_info_has_error_code(nmi));

	// R21: with ack-on-exit = 0 the exit intr-info is 0, not valid.
	EXPECT_FALSE(intr_info_valid(0));
	EXPECT_FALSE(intr_info_valid(0x000000ecu));
	EXPECT_EQ(intr_info_vector(0x800000ecu), 0xec);
	EXPECT_EQ(intr_info_type(0x800000ecu), INTR_TYPE_EXT_INTR);

	// R17: the NMI-unblocking bit does not disturb type or vector.
	const uint32_t gp_iret = 0x80000b0du | INTR_INFO_UNBLOCK_NMI;
	EXPECT_EQ(gp_iret, 0x80001b0du);
	EXPECT_EQ(intr_info_type(gp_iret), INTR_TYPE_HARD_EXCEPTION);
	EXPECT_EQ(intr_info_vector(gp_iret), GP_VECTOR);
	EXPECT_TRUE(intr_info_has_error_code(gp_iret));

	// Round trip over every type and vector.
	for (uint32_t t = 0; t < 8; t++)
		for (uint32_t v = 0; v < 256; v++) {
			uint32_t info = intr_info_make(t << 8, static_cast<uint8_t>(v), (v & 1) != 0);
			ASSERT_EQ(intr_info_type(info), t << 8);
			ASSERT_EQ(intr_info_vector(info), v);
			ASSERT_EQ(intr_info_has_error_code(info), (v & 1) != 0);
			ASSERT_TRUE(intr_info_valid(info));
			ASSERT_EQ(info & INTR_INFO_RESVD_BITS_MASK, 0u);
		}
}

// R8, R14, R20: types 4, 5 and 6 carry an instruction length.
TEST(IntrInfo, SoftTypes)
{
	for (uint32_t t = 0; t < 8; t++)
		EXPECT_EQ(intr_type_is_soft(t << 8), t == 4 || t == 5 || t == 6) << t;
}

// R7: exactly #DF, #TS, #NP, #SS, #GP, #PF, #AC push an error code.
TEST(IntrInfo, ExceptionHasErrorCode)
{
	const std::set<int> with_code = {8, 10, 11, 12, 13, 14, 17};
	for (int v = 0; v < 256; v++)
		EXPECT_EQ(exception_has_error_code(static_cast<uint8_t>(v)), with_code.count(v) == 1) << v;
}

TEST(IntrInfo, TypeNames)
{
	EXPECT_STREQ(intr_type_name(INTR_TYPE_EXT_INTR), "ext-intr");
	EXPECT_STREQ(intr_type_name(INTR_TYPE_RESERVED), "reserved");
	EXPECT_STREQ(intr_type_name(INTR_TYPE_NMI_INTR), "nmi");
	EXPECT_STREQ(intr_type_name(INTR_TYPE_HARD_EXCEPTION), "hw-exception");
	EXPECT_STREQ(intr_type_name(INTR_TYPE_SOFT_INTR), "soft-intr");
	EXPECT_STREQ(intr_type_name(INTR_TYPE_PRIV_SW_EXCEPTION), "priv-sw-exception");
	EXPECT_STREQ(intr_type_name(INTR_TYPE_SOFT_EXCEPTION), "sw-exception");
	EXPECT_STREQ(intr_type_name(INTR_TYPE_OTHER_EVENT), "other-event");
	// A whole interruption-information value works too.
	EXPECT_STREQ(intr_type_name(0x80000202u), "nmi");
	EXPECT_STREQ(intr_type_name(0x80000b0eu), "hw-exception");
}

// Activity state (R11, R23) and interruptibility state (R10, R15).
TEST(IntrInfo, ActivityStateNames)
{
	EXPECT_EQ(static_cast<int>(GUEST_ACTIVITY_ACTIVE), 0);
	EXPECT_EQ(static_cast<int>(GUEST_ACTIVITY_HLT), 1);
	EXPECT_EQ(static_cast<int>(GUEST_ACTIVITY_SHUTDOWN), 2);
	EXPECT_EQ(static_cast<int>(GUEST_ACTIVITY_WAIT_SIPI), 3);
	EXPECT_STREQ(guest_activity_name(0), "active");
	EXPECT_STREQ(guest_activity_name(1), "hlt");
	EXPECT_STREQ(guest_activity_name(2), "shutdown");
	EXPECT_STREQ(guest_activity_name(3), "wait-for-sipi");
	EXPECT_EQ(guest_activity_name(4), nullptr);
	EXPECT_EQ(guest_activity_name(0xffffffffu), nullptr);
}

TEST(IntrInfo, InterruptibilityBits)
{
	EXPECT_EQ(GUEST_INTR_STATE_STI, 0x1u);
	EXPECT_EQ(GUEST_INTR_STATE_MOV_SS, 0x2u);
	EXPECT_EQ(GUEST_INTR_STATE_SMI, 0x4u);
	EXPECT_EQ(GUEST_INTR_STATE_NMI, 0x8u);
	EXPECT_EQ(GUEST_INTR_STATE_ENCLAVE_INTR, 0x10u);
	EXPECT_EQ(GUEST_INTR_STATE_RESERVED, 0xffffffe0u); // R10: bits 31:5 must be 0
	EXPECT_TRUE(intr_state_blocked_by_sti(0x1));
	EXPECT_FALSE(intr_state_blocked_by_sti(0x2));
	EXPECT_TRUE(intr_state_blocked_by_mov_ss(0x2));
	EXPECT_FALSE(intr_state_blocked_by_mov_ss(0x9));
	EXPECT_TRUE(intr_state_blocked_by_nmi(0x8));
	EXPECT_FALSE(intr_state_blocked_by_nmi(0x7));
}

TEST(IntrInfo, RflagsAndPendingDebugBits)
{
	EXPECT_EQ(X86_EFLAGS_FIXED, 0x2u);
	EXPECT_EQ(X86_EFLAGS_TF, 0x100u);  // R12
	EXPECT_EQ(X86_EFLAGS_IF, 0x200u);  // R9
	EXPECT_EQ(X86_EFLAGS_RESERVED_ZERO, 0xffffffffffc08028ull); // bits 3, 5, 15, 63:22
	EXPECT_EQ(DEBUGCTLMSR_BTF, 0x2u);   // R12, R24
	EXPECT_EQ(DEBUGCTL_RESERVED & (DEBUGCTLMSR_BTF | DEBUGCTL_TR | DEBUGCTL_BTS | 0x1ull), 0u);
	EXPECT_EQ(PENDING_DBG_BS, 0x4000u); // R12
	EXPECT_EQ(PENDING_DBG_RESERVED & PENDING_DBG_BS, 0u);
	EXPECT_EQ(PENDING_DBG_RESERVED & 0x100full, 0u); // B0-B3 and enabled-breakpoint bit 12
	EXPECT_EQ(DR7_BREAKPOINT_ENABLES, 0xffu);           // L0-L3 and G0-G3
}

} // namespace
