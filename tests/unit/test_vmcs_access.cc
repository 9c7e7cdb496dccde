/* SPDX-License-Identifier: Apache-2.0 */
// test_vmcs_access.cc - VMCLEAR, VMREAD, VMWRITE and the dump on a modelled
// VMCS region (vmcs/vmcs.h), with the capability MSRs of the named CPU models.
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

	uint64_t Read(uint32_t enc)
	{
		uint64_t val = 0xdeadull;
		EXPECT_EQ(vmcs_vmread(&v_, enc, &val), VMX_INSN_OK) << std::hex << enc;
		return val;
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

// Every modelled field reads back 0 through VMREAD after VMCLEAR.
TEST_F(VmcsAccess, EveryFieldReadableAfterClear)
{
	for (int i = 0; i < VMCS_FIELD_COUNT; i++) {
		uint64_t val = 1;
		EXPECT_EQ(vmcs_vmread(&v_, vmcs_field_info(i)->encoding, &val), VMX_INSN_OK);
		EXPECT_EQ(val, 0u) << vmcs_field_info(i)->name;
	}
}

// Encodings the model does not know, or that are malformed, give error 12
// and change neither the destination nor the VMCS.
TEST_F(VmcsAccess, UnsupportedEncodingGivesError12)
{
	const std::vector<uint32_t> bad = {
		0x0800,      // GUEST_ES_SELECTOR: real, not modelled
		0x4820,      // GUEST_TR_AR_BYTES: real, not modelled
		0x1234,      // reserved bit 12
		0x00014824,  // bit 16 above a valid encoding
		0x80004824,  // bit 31 above a valid encoding
		0x0001,      // high access to a 16-bit field
		0x4825,      // high access to a 32-bit field
		0x4017,      // high access to a 32-bit control field
		0x2007,      // high access to a 64-bit field the model does not have (0x2006)
	};
	for (uint32_t enc : bad) {
		SCOPED_TRACE(::testing::Message() << std::hex << enc);
		uint64_t val = 0x5a5a;
		EXPECT_EQ(vmcs_vmread(&v_, enc, &val), VMXERR_UNSUPPORTED_VMCS_COMPONENT);
		EXPECT_EQ(val, 0x5a5au);
		EXPECT_EQ(vmcs_vmwrite(&v_, &spr_.caps, enc, 0x1234), VMXERR_UNSUPPORTED_VMCS_COMPONENT);
		EXPECT_EQ(vmcs_vmwrite(&v_, &core2_.caps, enc, 0x1234), VMXERR_UNSUPPORTED_VMCS_COMPONENT);
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

	int ro_count = 0;
	for (int i = 0; i < VMCS_FIELD_COUNT; i++) {
		const struct vmcs_field_info *fi = vmcs_field_info(i);
		if (!fi->read_only)
			continue;
		ro_count++;
		SCOPED_TRACE(fi->name);
		EXPECT_EQ(vmcs_vmwrite(&v_, &core2_.caps, fi->encoding, 0x11), VMXERR_VMWRITE_READ_ONLY_VMCS_COMPONENT);
		EXPECT_EQ(vmcs_vmwrite(&v_, &nehalem_.caps, fi->encoding, 0x22), VMXERR_VMWRITE_READ_ONLY_VMCS_COMPONENT);
		EXPECT_EQ(Read(fi->encoding), 0u);
		EXPECT_EQ(vmcs_vmwrite(&v_, &spr_.caps, fi->encoding, 0x33), VMX_INSN_OK);
		EXPECT_EQ(Read(fi->encoding), 0x33u);
	}
	// VM_INSTRUCTION_ERROR .. VMX_INSTRUCTION_INFO, GUEST_PHYSICAL_ADDRESS,
	// EXIT_QUALIFICATION, GUEST_LINEAR_ADDRESS.
	EXPECT_EQ(ro_count, 11);

	// The high half of a read-only 64-bit field is read-only too.
	EXPECT_EQ(vmcs_vmwrite(&v_, &nehalem_.caps, GUEST_PHYSICAL_ADDRESS | 1u, 0x1),
	          VMXERR_VMWRITE_READ_ONLY_VMCS_COMPONENT);
	EXPECT_EQ(vmcs_vmwrite(&v_, &spr_.caps, GUEST_PHYSICAL_ADDRESS | 1u, 0x1), VMX_INSN_OK);
	EXPECT_EQ(Read(GUEST_PHYSICAL_ADDRESS), 0x0000000100000033ull);

	// Read-write fields are writable on every model.
	for (const cpu_model *m : {&core2_, &nehalem_, &spr_})
		EXPECT_EQ(vmcs_vmwrite(&v_, &m->caps, VM_ENTRY_INTR_INFO_FIELD, 0x80000202), VMX_INSN_OK) << m->name;
}

// An encoding that is both unsupported and of type 1 (exit information) gives
// 12, not 13: the encoding is checked before the access rights.
TEST_F(VmcsAccess, UnsupportedBeatsReadOnly)
{
	EXPECT_EQ(vmcs_vmwrite(&v_, &core2_.caps, VM_EXIT_REASON | 1u, 0), VMXERR_UNSUPPORTED_VMCS_COMPONENT);
	EXPECT_EQ(vmcs_vmwrite(&v_, &core2_.caps, EXIT_QUALIFICATION | 1u, 0), VMXERR_UNSUPPORTED_VMCS_COMPONENT);
	EXPECT_EQ(vmcs_vmwrite(&v_, &core2_.caps, 0x4410, 0), VMXERR_UNSUPPORTED_VMCS_COMPONENT);
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
	const vmx_caps *caps = &nehalem_.caps;
	// 16-bit
	EXPECT_EQ(vmcs_vmwrite(&v_, caps, VIRTUAL_PROCESSOR_ID, 0x123456789abcdef1ull), VMX_INSN_OK);
	EXPECT_EQ(Read(VIRTUAL_PROCESSOR_ID), 0xdef1u);
	EXPECT_EQ(vmcs_get(&v_, VIRTUAL_PROCESSOR_ID), 0xdef1u);
	EXPECT_EQ(vmcs_vmwrite(&v_, caps, GUEST_INTR_STATUS, 0x1ffffull), VMX_INSN_OK);
	EXPECT_EQ(Read(GUEST_INTR_STATUS), 0xffffu);
	// 32-bit
	EXPECT_EQ(vmcs_vmwrite(&v_, caps, GUEST_INTERRUPTIBILITY_INFO, 0xdeadbeef00000009ull), VMX_INSN_OK);
	EXPECT_EQ(Read(GUEST_INTERRUPTIBILITY_INFO), 0x9u);
	EXPECT_EQ(vmcs_vmwrite(&v_, caps, VM_ENTRY_INTR_INFO_FIELD, 0xffffffff80000b0dull), VMX_INSN_OK);
	EXPECT_EQ(Read(VM_ENTRY_INTR_INFO_FIELD), 0x80000b0du);
	EXPECT_EQ(vmcs_get32(&v_, VM_ENTRY_INTR_INFO_FIELD), 0x80000b0du);
	// 64-bit, full access: all 64 bits
	EXPECT_EQ(vmcs_vmwrite(&v_, caps, VMCS_LINK_POINTER, ~0ull), VMX_INSN_OK);
	EXPECT_EQ(Read(VMCS_LINK_POINTER), ~0ull);
	// natural width: 64 bits in the model
	EXPECT_EQ(vmcs_vmwrite(&v_, caps, GUEST_RIP, 0xffff800012345678ull), VMX_INSN_OK);
	EXPECT_EQ(Read(GUEST_RIP), 0xffff800012345678ull);
}

// A 64-bit field's high-access encoding (enc | 1) reads and writes bits 63:32.
TEST_F(VmcsAccess, HighAccessOf64BitField)
{
	const vmx_caps *caps = &core2_.caps;
	ASSERT_EQ(vmcs_vmwrite(&v_, caps, MSR_BITMAP, 0x1122334455667788ull), VMX_INSN_OK);
	EXPECT_EQ(Read(MSR_BITMAP | 1u), 0x11223344u);
	EXPECT_EQ(Read(MSR_BITMAP), 0x1122334455667788ull);

	// Only bits 31:0 of the source go to bits 63:32; bits 31:0 are kept.
	ASSERT_EQ(vmcs_vmwrite(&v_, caps, MSR_BITMAP | 1u, 0xaabbccdd99887766ull), VMX_INSN_OK);
	EXPECT_EQ(Read(MSR_BITMAP), 0x9988776655667788ull);
	EXPECT_EQ(Read(MSR_BITMAP | 1u), 0x99887766u);

	// Full-access write of a 64-bit field replaces both halves.
	ASSERT_EQ(vmcs_vmwrite(&v_, caps, MSR_BITMAP, 0x42), VMX_INSN_OK);
	EXPECT_EQ(Read(MSR_BITMAP | 1u), 0u);
	EXPECT_EQ(Read(MSR_BITMAP), 0x42u);

	ASSERT_EQ(vmcs_vmwrite(&v_, caps, GUEST_IA32_DEBUGCTL | 1u, 0x1), VMX_INSN_OK);
	EXPECT_EQ(vmcs_get(&v_, GUEST_IA32_DEBUGCTL), 0x100000000ull);
}

// Natural-width fields have no high-access encoding (error 12 both ways).
TEST_F(VmcsAccess, NaturalWidthRejectsHighAccess)
{
	vmcs_set(&v_, GUEST_RIP, 0xffffffff00001000ull);
	for (uint32_t enc : {static_cast<uint32_t>(GUEST_RIP), static_cast<uint32_t>(GUEST_RFLAGS),
	                     static_cast<uint32_t>(HOST_RIP), static_cast<uint32_t>(EXIT_QUALIFICATION)}) {
		SCOPED_TRACE(::testing::Message() << std::hex << enc);
		uint64_t val = 7;
		EXPECT_EQ(vmcs_vmread(&v_, enc | 1u, &val), VMXERR_UNSUPPORTED_VMCS_COMPONENT);
		EXPECT_EQ(val, 7u);
		EXPECT_EQ(vmcs_vmwrite(&v_, &spr_.caps, enc | 1u, 1), VMXERR_UNSUPPORTED_VMCS_COMPONENT);
	}
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

TEST_F(VmcsAccess, DumpNamesEveryField)
{
	vmcs_set(&v_, GUEST_INTERRUPTIBILITY_INFO, 0x8);
	vmcs_set(&v_, VM_ENTRY_INTR_INFO_FIELD, 0x80000202u);
	std::vector<char> buf(16384);
	int len = vmcs_dump(&v_, buf.data(), static_cast<int>(buf.size()));
	ASSERT_GT(len, 0);
	ASSERT_LT(len, static_cast<int>(buf.size()));
	std::string out(buf.data());
	EXPECT_EQ(static_cast<int>(out.size()), len);
	for (int i = 0; i < VMCS_FIELD_COUNT; i++)
		EXPECT_NE(out.find(vmcs_field_info(i)->name), std::string::npos) << vmcs_field_info(i)->name;
	EXPECT_NE(out.find("GUEST_INTERRUPTIBILITY_INFO"), std::string::npos);
	EXPECT_NE(out.find("(0x4824) = 0x8\n"), std::string::npos);
	EXPECT_NE(out.find("(0x4016) = 0x80000202\n"), std::string::npos);
	// One line per field.
	size_t lines = 0;
	for (char c : out)
		lines += c == '\n';
	EXPECT_EQ(lines, static_cast<size_t>(VMCS_FIELD_COUNT));
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
