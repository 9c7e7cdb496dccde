/* SPDX-License-Identifier: Apache-2.0 */
// test_vmcs_access.cc - VMCLEAR, VMREAD, VMWRITE and the dump on a modelled
// VMCS region (vmcs/vmcs.h), on the named CPU models: their capability MSRs
// and the fields they have.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "vmcs/cpu_model.h"
#include "vmcs/vmcs.h"

namespace {

class VmcsAccess : public ::testing::Test {
protected:
	void SetUp() override
	{
		ASSERT_TRUE(cpu_model_lookup("core2-no-vnmi", &core2_));
		ASSERT_TRUE(cpu_model_lookup("nehalem", &nehalem_));
		ASSERT_TRUE(cpu_model_lookup("sapphire-rapids", &spr_));
		vmcs_clear(&v_, nehalem_.revision_id);
	}

	// VMREAD on sapphire-rapids, which has every field the model knows.
	uint64_t Read(uint32_t enc)
	{
		uint64_t val = 0xdeadull;
		EXPECT_EQ(vmcs_vmread(&v_, &spr_, enc, &val), VMX_INSN_OK) << std::hex << enc;
		return val;
	}

	// VMREAD and VMWRITE of enc on m fail with 12, and VMREAD leaves its
	// destination alone.
	void ExpectError12(const cpu_model *m, uint32_t enc)
	{
		SCOPED_TRACE(::testing::Message() << m->name << " 0x" << std::hex << enc);
		uint64_t val = 0x5a5a;
		EXPECT_EQ(vmcs_vmread(&v_, m, enc, &val), VMXERR_UNSUPPORTED_VMCS_COMPONENT);
		EXPECT_EQ(val, 0x5a5au);
		EXPECT_EQ(vmcs_vmwrite(&v_, m, enc, 0x1234), VMXERR_UNSUPPORTED_VMCS_COMPONENT);
	}

	cpu_model core2_{};
	cpu_model nehalem_{};
	cpu_model spr_{};
	struct vmcs v_ {};
};

TEST_F(VmcsAccess, ErrorNumbers)
{
	EXPECT_EQ(static_cast<int>(VMX_INSN_OK), 0);
	EXPECT_EQ(static_cast<int>(VMXERR_UNSUPPORTED_VMCS_COMPONENT), 12);
	EXPECT_EQ(static_cast<int>(VMXERR_VMWRITE_READ_ONLY_VMCS_COMPONENT), 13);
	EXPECT_EQ(static_cast<int>(VMCS_CLEAR), 0);
	EXPECT_EQ(static_cast<int>(VMCS_LAUNCHED), 1);
}

// VMCLEAR: launch state clear, every field zero, revision identifier kept.
TEST_F(VmcsAccess, ClearGivesLaunchStateClearAndZeroFields)
{
	struct vmcs v;
	std::memset(&v, 0xa5, sizeof(v));
	vmcs_clear(&v, 0x4);
	EXPECT_EQ(v.revision_id, 0x4u);
	EXPECT_EQ(v.launch_state, VMCS_CLEAR);
	EXPECT_EQ(v.guest, nullptr);
	for (int i = 0; i < VMCS_FIELD_COUNT; i++)
		EXPECT_EQ(v.field[i], 0u) << vmcs_field_info(i)->name;

	v.launch_state = VMCS_LAUNCHED;
	vmcs_set(&v, GUEST_RIP, 0x1000);
	vmcs_clear(&v, 0xe);
	EXPECT_EQ(v.launch_state, VMCS_CLEAR);
	EXPECT_EQ(v.revision_id, 0xeu);
	EXPECT_EQ(vmcs_get(&v, GUEST_RIP), 0u);
}

// Every field a model has reads back 0 through VMREAD after VMCLEAR; every
// other field of the table fails with 12 and leaves the destination alone.
TEST_F(VmcsAccess, EveryFieldReadableAfterClear)
{
	for (const cpu_model *m : {&core2_, &nehalem_, &spr_}) {
		int readable = 0;
		for (int i = 0; i < VMCS_FIELD_COUNT; i++) {
			SCOPED_TRACE(::testing::Message() << m->name << " " << vmcs_field_info(i)->name);
			uint64_t val = 1;
			bool has = vmcs_field_supported(m, i);
			EXPECT_EQ(vmcs_vmread(&v_, m, vmcs_field_info(i)->encoding, &val),
			          has ? VMX_INSN_OK : VMXERR_UNSUPPORTED_VMCS_COMPONENT);
			EXPECT_EQ(val, has ? 0u : 1u);
			readable += has;
		}
		EXPECT_GE(readable, 100) << m->name;
	}
}

// Encodings the model does not know, or that are malformed, give error 12
// and change neither the destination nor the VMCS.
TEST_F(VmcsAccess, UnsupportedEncodingGivesError12)
{
	const std::vector<uint32_t> bad = {
		0x0816,      // 16-bit guest state past GUEST_UINV: no such field
		0x482C,      // between GUEST_SYSENTER_CS and the preemption timer: no such field
		0x1234,      // reserved bit 12
		0x00014824,  // bit 16 above a valid encoding
		0x80004824,  // bit 31 above a valid encoding
		0x0001,      // high access to a 16-bit field
		0x4825,      // high access to a 32-bit field
		0x4017,      // high access to a 32-bit control field
		0x2047,      // high access to a 64-bit field the SDM does not have (0x2046)
	};
	for (uint32_t enc : bad) {
		ExpectError12(&spr_, enc);
		ExpectError12(&core2_, enc);
	}
	for (int i = 0; i < VMCS_FIELD_COUNT; i++)
		EXPECT_EQ(v_.field[i], 0u) << vmcs_field_info(i)->name;
}

// Writes to the VM-exit information fields (type 1) fail with 13 unless
// IA32_VMX_MISC[29] is set: core2-no-vnmi and nehalem lack it,
// sapphire-rapids has it.
TEST_F(VmcsAccess, ReadOnlyFieldWriteGivesError13WithoutMisc29)
{
	ASSERT_EQ(core2_.caps.misc & VMX_MISC_VMWRITE_SHADOW_RO_FIELDS, 0u);
	ASSERT_EQ(nehalem_.caps.misc & VMX_MISC_VMWRITE_SHADOW_RO_FIELDS, 0u);
	ASSERT_NE(spr_.caps.misc & VMX_MISC_VMWRITE_SHADOW_RO_FIELDS, 0u);

	int ro_count = 0, spr_writable = 0;
	for (int i = 0; i < VMCS_FIELD_COUNT; i++) {
		const struct vmcs_field_info *fi = vmcs_field_info(i);
		if (!fi->read_only)
			continue;
		ro_count++;
		SCOPED_TRACE(fi->name);
		// 12 for a field the model lacks comes before 13.
		for (const cpu_model *m : {&core2_, &nehalem_})
			EXPECT_EQ(vmcs_vmwrite(&v_, m, fi->encoding, 0x11),
			          vmcs_field_supported(m, i) ? VMXERR_VMWRITE_READ_ONLY_VMCS_COMPONENT
			                                     : VMXERR_UNSUPPORTED_VMCS_COMPONENT) << m->name;
		if (!vmcs_field_supported(&spr_, i)) {
			EXPECT_EQ(vmcs_vmwrite(&v_, &spr_, fi->encoding, 0x33), VMXERR_UNSUPPORTED_VMCS_COMPONENT);
			continue;
		}
		spr_writable++;
		EXPECT_EQ(Read(fi->encoding), 0u);
		EXPECT_EQ(vmcs_vmwrite(&v_, &spr_, fi->encoding, 0x33), VMX_INSN_OK);
		EXPECT_EQ(Read(fi->encoding), 0x33u);
	}
	// VM_INSTRUCTION_ERROR .. VMX_INSTRUCTION_INFO, GUEST_PHYSICAL_ADDRESS,
	// ORIGINAL_EVENT_DATA, EXIT_QUALIFICATION, IO_RCX .. IO_RIP,
	// GUEST_LINEAR_ADDRESS; all but the FRED one exist on sapphire-rapids.
	EXPECT_EQ(ro_count, 16);
	EXPECT_EQ(spr_writable, 15);
	EXPECT_EQ(vmcs_vmwrite(&v_, &nehalem_, EXIT_QUALIFICATION, 1), VMXERR_VMWRITE_READ_ONLY_VMCS_COMPONENT);

	// The high half of a read-only 64-bit field is read-only too.
	EXPECT_EQ(vmcs_vmwrite(&v_, &nehalem_, GUEST_PHYSICAL_ADDRESS | 1u, 0x1),
	          VMXERR_VMWRITE_READ_ONLY_VMCS_COMPONENT);
	EXPECT_EQ(vmcs_vmwrite(&v_, &spr_, GUEST_PHYSICAL_ADDRESS | 1u, 0x1), VMX_INSN_OK);
	EXPECT_EQ(Read(GUEST_PHYSICAL_ADDRESS), 0x0000000100000033ull);

	// Read-write fields are writable on every model.
	for (const cpu_model *m : {&core2_, &nehalem_, &spr_})
		EXPECT_EQ(vmcs_vmwrite(&v_, m, VM_ENTRY_INTR_INFO_FIELD, 0x80000202), VMX_INSN_OK) << m->name;
}

// An encoding that is both unsupported and of type 1 (exit information) gives
// 12, not 13: the encoding is checked before the access rights.
TEST_F(VmcsAccess, UnsupportedBeatsReadOnly)
{
	EXPECT_EQ(vmcs_vmwrite(&v_, &core2_, VM_EXIT_REASON | 1u, 0), VMXERR_UNSUPPORTED_VMCS_COMPONENT);
	EXPECT_EQ(vmcs_vmwrite(&v_, &core2_, EXIT_QUALIFICATION | 1u, 0), VMXERR_UNSUPPORTED_VMCS_COMPONENT);
	EXPECT_EQ(vmcs_vmwrite(&v_, &core2_, 0x4410, 0), VMXERR_UNSUPPORTED_VMCS_COMPONENT);
	// A field of the table that the model lacks (EPT) and of type 1.
	EXPECT_EQ(vmcs_vmwrite(&v_, &core2_, GUEST_PHYSICAL_ADDRESS, 0), VMXERR_UNSUPPORTED_VMCS_COMPONENT);
	EXPECT_EQ(vmcs_vmwrite(&v_, &spr_, ORIGINAL_EVENT_DATA, 0), VMXERR_UNSUPPORTED_VMCS_COMPONENT);
}

// A field of the SDM's table that the CPU model lacks is an unsupported
// component: VMREAD and VMWRITE fail with 12, through both access types of a
// 64-bit field, and change neither the destination nor the VMCS.
TEST_F(VmcsAccess, FieldTheModelLacksGivesError12)
{
	for (uint32_t enc : {static_cast<uint32_t>(POSTED_INTR_NV), static_cast<uint32_t>(EPT_POINTER),
	                     static_cast<uint32_t>(EPT_POINTER) | 1u, static_cast<uint32_t>(POSTED_INTR_DESC_ADDR),
	                     static_cast<uint32_t>(SECONDARY_VM_EXEC_CONTROL),
	                     static_cast<uint32_t>(VMX_PREEMPTION_TIMER_VALUE)}) {
		ExpectError12(&core2_, enc);
		// The same field works on sapphire-rapids, and core2's VMWRITE
		// still does not reach it.
		EXPECT_EQ(vmcs_vmwrite(&v_, &spr_, enc, 0x42), VMX_INSN_OK) << std::hex << enc;
		EXPECT_EQ(Read(enc), 0x42u);
		ExpectError12(&core2_, enc);
		EXPECT_EQ(Read(enc), 0x42u);
	}
	// nehalem has EPT but not posted interrupts.
	EXPECT_EQ(vmcs_vmwrite(&v_, &nehalem_, EPT_POINTER, 0x1e), VMX_INSN_OK);
	ExpectError12(&nehalem_, POSTED_INTR_NV);
	// A feature the model does not implement: no CPU model has the field.
	for (uint32_t enc : {static_cast<uint32_t>(PML_ADDRESS), static_cast<uint32_t>(VMREAD_BITMAP),
	                     static_cast<uint32_t>(TSC_MULTIPLIER), static_cast<uint32_t>(GUEST_S_CET)})
		ExpectError12(&spr_, enc);
	// Base fields work on every model.
	for (const cpu_model *m : {&core2_, &nehalem_, &spr_}) {
		EXPECT_EQ(vmcs_vmwrite(&v_, m, GUEST_ES_SELECTOR, 0x10), VMX_INSN_OK) << m->name;
		EXPECT_EQ(vmcs_vmwrite(&v_, m, GUEST_CR3, 0x1000), VMX_INSN_OK) << m->name;
	}
}

// The processor model's own writes to exit-information fields are visible to VMREAD.
TEST_F(VmcsAccess, ReadOnlyFieldsAreReadable)
{
	vmcs_set(&v_, VM_EXIT_REASON, 0x80000021u);
	vmcs_set(&v_, IDT_VECTORING_INFO_FIELD, 0x80000b0eu);
	vmcs_set(&v_, EXIT_QUALIFICATION, 3);
	EXPECT_EQ(Read(VM_EXIT_REASON), 0x80000021u);
	EXPECT_EQ(Read(IDT_VECTORING_INFO_FIELD), 0x80000b0eu);
	EXPECT_EQ(Read(EXIT_QUALIFICATION), 3u);
}

TEST_F(VmcsAccess, WritesTruncateToFieldWidth)
{
	const cpu_model *m = &spr_;
	// 16-bit
	EXPECT_EQ(vmcs_vmwrite(&v_, m, VIRTUAL_PROCESSOR_ID, 0x123456789abcdef1ull), VMX_INSN_OK);
	EXPECT_EQ(Read(VIRTUAL_PROCESSOR_ID), 0xdef1u);
	EXPECT_EQ(vmcs_get(&v_, VIRTUAL_PROCESSOR_ID), 0xdef1u);
	EXPECT_EQ(vmcs_vmwrite(&v_, m, GUEST_INTR_STATUS, 0x1ffffull), VMX_INSN_OK);
	EXPECT_EQ(Read(GUEST_INTR_STATUS), 0xffffu);
	// 32-bit
	EXPECT_EQ(vmcs_vmwrite(&v_, m, GUEST_INTERRUPTIBILITY_INFO, 0xdeadbeef00000009ull), VMX_INSN_OK);
	EXPECT_EQ(Read(GUEST_INTERRUPTIBILITY_INFO), 0x9u);
	EXPECT_EQ(vmcs_vmwrite(&v_, m, VM_ENTRY_INTR_INFO_FIELD, 0xffffffff80000b0dull), VMX_INSN_OK);
	EXPECT_EQ(Read(VM_ENTRY_INTR_INFO_FIELD), 0x80000b0du);
	EXPECT_EQ(vmcs_get32(&v_, VM_ENTRY_INTR_INFO_FIELD), 0x80000b0du);
	// 64-bit, full access: all 64 bits
	EXPECT_EQ(vmcs_vmwrite(&v_, m, VMCS_LINK_POINTER, ~0ull), VMX_INSN_OK);
	EXPECT_EQ(Read(VMCS_LINK_POINTER), ~0ull);
	// natural width: 64 bits in the model
	EXPECT_EQ(vmcs_vmwrite(&v_, m, GUEST_RIP, 0xffff800012345678ull), VMX_INSN_OK);
	EXPECT_EQ(Read(GUEST_RIP), 0xffff800012345678ull);
}

// A 64-bit field's high-access encoding (enc | 1) reads and writes bits 63:32.
TEST_F(VmcsAccess, HighAccessOf64BitField)
{
	const cpu_model *m = &core2_;
	ASSERT_EQ(vmcs_vmwrite(&v_, m, MSR_BITMAP, 0x1122334455667788ull), VMX_INSN_OK);
	EXPECT_EQ(Read(MSR_BITMAP | 1u), 0x11223344u);
	EXPECT_EQ(Read(MSR_BITMAP), 0x1122334455667788ull);

	// Only bits 31:0 of the source go to bits 63:32; bits 31:0 are kept.
	ASSERT_EQ(vmcs_vmwrite(&v_, m, MSR_BITMAP | 1u, 0xaabbccdd99887766ull), VMX_INSN_OK);
	EXPECT_EQ(Read(MSR_BITMAP), 0x9988776655667788ull);
	EXPECT_EQ(Read(MSR_BITMAP | 1u), 0x99887766u);

	// Full-access write of a 64-bit field replaces both halves.
	ASSERT_EQ(vmcs_vmwrite(&v_, m, MSR_BITMAP, 0x42), VMX_INSN_OK);
	EXPECT_EQ(Read(MSR_BITMAP | 1u), 0u);
	EXPECT_EQ(Read(MSR_BITMAP), 0x42u);

	ASSERT_EQ(vmcs_vmwrite(&v_, m, GUEST_IA32_DEBUGCTL | 1u, 0x1), VMX_INSN_OK);
	EXPECT_EQ(vmcs_get(&v_, GUEST_IA32_DEBUGCTL), 0x100000000ull);
}

// Natural-width fields have no high-access encoding (error 12 both ways).
TEST_F(VmcsAccess, NaturalWidthRejectsHighAccess)
{
	vmcs_set(&v_, GUEST_RIP, 0xffffffff00001000ull);
	for (uint32_t enc : {static_cast<uint32_t>(GUEST_RIP), static_cast<uint32_t>(GUEST_RFLAGS),
	                     static_cast<uint32_t>(HOST_RIP), static_cast<uint32_t>(EXIT_QUALIFICATION)})
		ExpectError12(&spr_, enc | 1u);
	EXPECT_EQ(vmcs_get(&v_, GUEST_RIP), 0xffffffff00001000ull);
}

TEST_F(VmcsAccess, UncheckedAccessors)
{
	vmcs_set(&v_, GUEST_INTERRUPTIBILITY_INFO, 0x1);
	vmcs_set_bits(&v_, GUEST_INTERRUPTIBILITY_INFO, 0x8);
	EXPECT_EQ(vmcs_get32(&v_, GUEST_INTERRUPTIBILITY_INFO), 0x9u);
	vmcs_clear_bits(&v_, GUEST_INTERRUPTIBILITY_INFO, 0x1);
	EXPECT_EQ(vmcs_get(&v_, GUEST_INTERRUPTIBILITY_INFO), 0x8u);
	EXPECT_EQ(v_.field[VMCS_IDX_GUEST_INTERRUPTIBILITY_INFO], 0x8u);
	EXPECT_EQ(Read(GUEST_INTERRUPTIBILITY_INFO), 0x8u);
}

std::string Dump(const struct vmcs *v)
{
	std::vector<char> buf(32768);
	int len = vmcs_dump(v, buf.data(), static_cast<int>(buf.size()));
	EXPECT_GT(len, 0);
	EXPECT_LT(len, static_cast<int>(buf.size()));
	std::string out(buf.data());
	EXPECT_EQ(static_cast<int>(out.size()), len);
	return out;
}

// The dump lists the fields of the event path, set or not, in table order:
// byte for byte what it printed when the table had only those 43 fields
// (this literal is that older dump of the same VMCS).
TEST_F(VmcsAccess, DumpListsTheEventPath)
{
	vmcs_clear(&v_, 0xe);
	vmcs_set(&v_, GUEST_INTERRUPTIBILITY_INFO, 0x8);
	vmcs_set(&v_, VM_ENTRY_INTR_INFO_FIELD, 0x80000202u);
	vmcs_set(&v_, VMCS_LINK_POINTER, ~0ull);
	vmcs_set(&v_, GUEST_RIP, 0x1000);
	const char *const before =
		"VIRTUAL_PROCESSOR_ID           (0x0000) = 0x0\n"
		"POSTED_INTR_NV                 (0x0002) = 0x0\n"
		"GUEST_INTR_STATUS              (0x0810) = 0x0\n"
		"MSR_BITMAP                     (0x2004) = 0x0\n"
		"POSTED_INTR_DESC_ADDR          (0x2016) = 0x0\n"
		"GUEST_PHYSICAL_ADDRESS         (0x2400) = 0x0\n"
		"VMCS_LINK_POINTER              (0x2800) = 0xffffffffffffffff\n"
		"GUEST_IA32_DEBUGCTL            (0x2802) = 0x0\n"
		"PIN_BASED_VM_EXEC_CONTROL      (0x4000) = 0x0\n"
		"CPU_BASED_VM_EXEC_CONTROL      (0x4002) = 0x0\n"
		"EXCEPTION_BITMAP               (0x4004) = 0x0\n"
		"VM_EXIT_CONTROLS               (0x400c) = 0x0\n"
		"VM_EXIT_MSR_STORE_COUNT        (0x400e) = 0x0\n"
		"VM_EXIT_MSR_LOAD_COUNT         (0x4010) = 0x0\n"
		"VM_ENTRY_CONTROLS              (0x4012) = 0x0\n"
		"VM_ENTRY_MSR_LOAD_COUNT        (0x4014) = 0x0\n"
		"VM_ENTRY_INTR_INFO_FIELD       (0x4016) = 0x80000202\n"
		"VM_ENTRY_EXCEPTION_ERROR_CODE  (0x4018) = 0x0\n"
		"VM_ENTRY_INSTRUCTION_LEN       (0x401a) = 0x0\n"
		"TPR_THRESHOLD                  (0x401c) = 0x0\n"
		"SECONDARY_VM_EXEC_CONTROL      (0x401e) = 0x0\n"
		"VM_INSTRUCTION_ERROR           (0x4400) = 0x0\n"
		"VM_EXIT_REASON                 (0x4402) = 0x0\n"
		"VM_EXIT_INTR_INFO              (0x4404) = 0x0\n"
		"VM_EXIT_INTR_ERROR_CODE        (0x4406) = 0x0\n"
		"IDT_VECTORING_INFO_FIELD       (0x4408) = 0x0\n"
		"IDT_VECTORING_ERROR_CODE       (0x440a) = 0x0\n"
		"VM_EXIT_INSTRUCTION_LEN        (0x440c) = 0x0\n"
		"VMX_INSTRUCTION_INFO           (0x440e) = 0x0\n"
		"GUEST_SS_AR_BYTES              (0x4818) = 0x0\n"
		"GUEST_INTERRUPTIBILITY_INFO    (0x4824) = 0x8\n"
		"GUEST_ACTIVITY_STATE           (0x4826) = 0x0\n"
		"VMX_PREEMPTION_TIMER_VALUE     (0x482e) = 0x0\n"
		"EXIT_QUALIFICATION             (0x6400) = 0x0\n"
		"GUEST_LINEAR_ADDRESS           (0x640a) = 0x0\n"
		"GUEST_CR0                      (0x6800) = 0x0\n"
		"GUEST_RSP                      (0x681c) = 0x0\n"
		"GUEST_RIP                      (0x681e) = 0x1000\n"
		"GUEST_RFLAGS                   (0x6820) = 0x0\n"
		"GUEST_PENDING_DBG_EXCEPTIONS   (0x6822) = 0x0\n"
		"HOST_CR0                       (0x6c00) = 0x0\n"
		"HOST_RSP                       (0x6c14) = 0x0\n"
		"HOST_RIP                       (0x6c16) = 0x0\n";
	EXPECT_EQ(Dump(&v_), before);
	int event_path = 0;
	for (int i = 0; i < VMCS_FIELD_COUNT; i++)
		event_path += vmcs_field_info(i)->event_path;
	EXPECT_EQ(event_path, 43);
}

// Any other field is listed once it is not 0, in its place in table order.
TEST_F(VmcsAccess, DumpAddsNonzeroFields)
{
	const std::string quiet = Dump(&v_);
	vmcs_set(&v_, GUEST_CR3, 0x5000);
	vmcs_set(&v_, IO_BITMAP_A, 0x1000);
	const std::string out = Dump(&v_);
	const std::string cr3 = "GUEST_CR3                      (0x6802) = 0x5000\n";
	const std::string io_a = "IO_BITMAP_A                    (0x2000) = 0x1000\n";
	EXPECT_NE(out.find(cr3), std::string::npos);
	EXPECT_NE(out.find(io_a), std::string::npos);
	EXPECT_LT(out.find("IO_BITMAP_A"), out.find("MSR_BITMAP"));
	EXPECT_LT(out.find("GUEST_CR0"), out.find("GUEST_CR3"));
	EXPECT_LT(out.find("GUEST_CR3"), out.find("GUEST_RSP"));
	EXPECT_EQ(out.size(), quiet.size() + cr3.size() + io_a.size());
	EXPECT_EQ(out.find("GUEST_ES_SELECTOR"), std::string::npos);
	// Every field is listed when none is 0.
	for (int i = 0; i < VMCS_FIELD_COUNT; i++)
		v_.field[i] = 1;
	const std::string all = Dump(&v_);
	size_t lines = 0;
	for (char c : all)
		lines += c == '\n';
	EXPECT_EQ(lines, static_cast<size_t>(VMCS_FIELD_COUNT));
	for (int i = 0; i < VMCS_FIELD_COUNT; i++)
		EXPECT_NE(all.find(vmcs_field_info(i)->name), std::string::npos) << vmcs_field_info(i)->name;
}

// snprintf-like: truncated output is NUL-terminated, the return value is the full length.
TEST_F(VmcsAccess, DumpTruncates)
{
	int full = vmcs_dump(&v_, nullptr, 0);
	ASSERT_GT(full, 0);
	char small[32];
	std::memset(small, 'x', sizeof(small));
	EXPECT_EQ(vmcs_dump(&v_, small, static_cast<int>(sizeof(small))), full);
	EXPECT_EQ(std::strlen(small), sizeof(small) - 1);
	EXPECT_EQ(std::string(small).find(vmcs_field_info(0)->name), 0u);
	char one[1] = {'x'};
	EXPECT_EQ(vmcs_dump(&v_, one, 1), full);
	EXPECT_EQ(one[0], '\0');
}

} // namespace
