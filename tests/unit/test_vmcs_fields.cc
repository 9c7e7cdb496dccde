/* SPDX-License-Identifier: Apache-2.0 */
// test_vmcs_fields.cc - the VMCS field table (vmcs/vmcs_fields.def) against the
// encoding layout of SDM App. B and the Linux encodings (vmx-rules.md §1.1).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <set>
#include <string>

#include "vmcs/vmcs_field.h"

namespace {

// Encoding-layout constants the rest of the table checks rely on.
TEST(VmcsFields, LayoutConstants)
{
	EXPECT_EQ(VMCS_ENC_HIGH_ACCESS, 0x1u);
	EXPECT_EQ(VMCS_ENC_INDEX_MASK, 0x3feu);
	EXPECT_EQ(VMCS_ENC_TYPE_SHIFT, 10);
	EXPECT_EQ(VMCS_ENC_WIDTH_SHIFT, 13);
	// Bits 31:15 and bit 12 are reserved in a field encoding.
	EXPECT_EQ(VMCS_ENC_RESERVED_MASK, 0xffff9000u);
	EXPECT_EQ(static_cast<int>(VMCS_WIDTH_16), 0);
	EXPECT_EQ(static_cast<int>(VMCS_WIDTH_64), 1);
	EXPECT_EQ(static_cast<int>(VMCS_WIDTH_32), 2);
	EXPECT_EQ(static_cast<int>(VMCS_WIDTH_NAT), 3);
	EXPECT_EQ(static_cast<int>(VMCS_TYPE_CONTROL), 0);
	EXPECT_EQ(static_cast<int>(VMCS_TYPE_EXIT_INFO), 1);
	EXPECT_EQ(static_cast<int>(VMCS_TYPE_GUEST), 2);
	EXPECT_EQ(static_cast<int>(VMCS_TYPE_HOST), 3);
}

TEST(VmcsFields, EncodingDecoders)
{
	EXPECT_EQ(vmcs_encoding_width(0x0000), VMCS_WIDTH_16);
	EXPECT_EQ(vmcs_encoding_type(0x0000), VMCS_TYPE_CONTROL);
	EXPECT_EQ(vmcs_encoding_width(0x0810), VMCS_WIDTH_16);
	EXPECT_EQ(vmcs_encoding_type(0x0810), VMCS_TYPE_GUEST);
	EXPECT_EQ(vmcs_encoding_width(0x2400), VMCS_WIDTH_64);
	EXPECT_EQ(vmcs_encoding_type(0x2400), VMCS_TYPE_EXIT_INFO);
	EXPECT_EQ(vmcs_encoding_width(0x2401), VMCS_WIDTH_64); // high access: same width
	EXPECT_EQ(vmcs_encoding_width(0x4016), VMCS_WIDTH_32);
	EXPECT_EQ(vmcs_encoding_type(0x4016), VMCS_TYPE_CONTROL);
	EXPECT_EQ(vmcs_encoding_type(0x4408), VMCS_TYPE_EXIT_INFO);
	EXPECT_EQ(vmcs_encoding_type(0x4824), VMCS_TYPE_GUEST);
	EXPECT_EQ(vmcs_encoding_width(0x6400), VMCS_WIDTH_NAT);
	EXPECT_EQ(vmcs_encoding_type(0x6400), VMCS_TYPE_EXIT_INFO);
	EXPECT_EQ(vmcs_encoding_type(0x681E), VMCS_TYPE_GUEST);
	EXPECT_EQ(vmcs_encoding_width(0x6C16), VMCS_WIDTH_NAT);
	EXPECT_EQ(vmcs_encoding_type(0x6C16), VMCS_TYPE_HOST);
}

// Every row: the width and access the table states are the ones the
// encoding implies; bit 0 (access type) is 0; reserved bits are 0.
TEST(VmcsFields, EveryRowAgreesWithEncodingLayout)
{
	ASSERT_GT(VMCS_FIELD_COUNT, 0);
	for (int i = 0; i < VMCS_FIELD_COUNT; i++) {
		const struct vmcs_field_info *fi = vmcs_field_info(i);
		ASSERT_NE(fi, nullptr) << "row " << i;
		ASSERT_NE(fi->name, nullptr) << "row " << i;
		SCOPED_TRACE(fi->name);
		EXPECT_EQ(fi->encoding & VMCS_ENC_HIGH_ACCESS, 0u);
		EXPECT_EQ(fi->encoding & VMCS_ENC_RESERVED_MASK, 0u);
		EXPECT_EQ(fi->width, vmcs_encoding_width(fi->encoding));
		EXPECT_EQ(fi->read_only, vmcs_encoding_type(fi->encoding) == VMCS_TYPE_EXIT_INFO);
		EXPECT_GT(std::strlen(fi->name), 0u);
		ASSERT_NE(fi->summary, nullptr);
		EXPECT_GT(std::strlen(fi->summary), 0u);
	}
}

TEST(VmcsFields, InfoOutOfRangeIsNull)
{
	EXPECT_EQ(vmcs_field_info(-1), nullptr);
	EXPECT_EQ(vmcs_field_info(VMCS_FIELD_COUNT), nullptr);
	EXPECT_NE(vmcs_field_info(0), nullptr);
	EXPECT_NE(vmcs_field_info(VMCS_FIELD_COUNT - 1), nullptr);
}

struct RefField {
	uint32_t enc_from_enum;
	uint32_t expected;
	const char *name;
	vmcs_width width;
	bool read_only;
};

#define REF(name, enc, w, ro) {static_cast<uint32_t>(name), enc, #name, w, ro}

// vmx-rules.md §1.1 (Linux asm/vmx.h enum vmcs_field), plus the other rows of
// the table with their Linux encodings.
const RefField kReference[] = {
	REF(VIRTUAL_PROCESSOR_ID, 0x0000u, VMCS_WIDTH_16, false),
	REF(POSTED_INTR_NV, 0x0002u, VMCS_WIDTH_16, false),
	REF(GUEST_INTR_STATUS, 0x0810u, VMCS_WIDTH_16, false),
	REF(MSR_BITMAP, 0x2004u, VMCS_WIDTH_64, false),
	REF(POSTED_INTR_DESC_ADDR, 0x2016u, VMCS_WIDTH_64, false),
	REF(GUEST_PHYSICAL_ADDRESS, 0x2400u, VMCS_WIDTH_64, true),
	REF(VMCS_LINK_POINTER, 0x2800u, VMCS_WIDTH_64, false),
	REF(GUEST_IA32_DEBUGCTL, 0x2802u, VMCS_WIDTH_64, false),
	REF(PIN_BASED_VM_EXEC_CONTROL, 0x4000u, VMCS_WIDTH_32, false),
	REF(CPU_BASED_VM_EXEC_CONTROL, 0x4002u, VMCS_WIDTH_32, false),
	REF(EXCEPTION_BITMAP, 0x4004u, VMCS_WIDTH_32, false),
	REF(VM_EXIT_CONTROLS, 0x400Cu, VMCS_WIDTH_32, false),
	REF(VM_EXIT_MSR_STORE_COUNT, 0x400Eu, VMCS_WIDTH_32, false),
	REF(VM_EXIT_MSR_LOAD_COUNT, 0x4010u, VMCS_WIDTH_32, false),
	REF(VM_ENTRY_CONTROLS, 0x4012u, VMCS_WIDTH_32, false),
	REF(VM_ENTRY_MSR_LOAD_COUNT, 0x4014u, VMCS_WIDTH_32, false),
	REF(VM_ENTRY_INTR_INFO_FIELD, 0x4016u, VMCS_WIDTH_32, false),
	REF(VM_ENTRY_EXCEPTION_ERROR_CODE, 0x4018u, VMCS_WIDTH_32, false),
	REF(VM_ENTRY_INSTRUCTION_LEN, 0x401Au, VMCS_WIDTH_32, false),
	REF(TPR_THRESHOLD, 0x401Cu, VMCS_WIDTH_32, false),
	REF(SECONDARY_VM_EXEC_CONTROL, 0x401Eu, VMCS_WIDTH_32, false),
	REF(VM_INSTRUCTION_ERROR, 0x4400u, VMCS_WIDTH_32, true),
	REF(VM_EXIT_REASON, 0x4402u, VMCS_WIDTH_32, true),
	REF(VM_EXIT_INTR_INFO, 0x4404u, VMCS_WIDTH_32, true),
	REF(VM_EXIT_INTR_ERROR_CODE, 0x4406u, VMCS_WIDTH_32, true),
	REF(IDT_VECTORING_INFO_FIELD, 0x4408u, VMCS_WIDTH_32, true),
	REF(IDT_VECTORING_ERROR_CODE, 0x440Au, VMCS_WIDTH_32, true),
	REF(VM_EXIT_INSTRUCTION_LEN, 0x440Cu, VMCS_WIDTH_32, true),
	REF(VMX_INSTRUCTION_INFO, 0x440Eu, VMCS_WIDTH_32, true),
	REF(GUEST_SS_AR_BYTES, 0x4818u, VMCS_WIDTH_32, false),
	REF(GUEST_INTERRUPTIBILITY_INFO, 0x4824u, VMCS_WIDTH_32, false),
	REF(GUEST_ACTIVITY_STATE, 0x4826u, VMCS_WIDTH_32, false),
	REF(VMX_PREEMPTION_TIMER_VALUE, 0x482Eu, VMCS_WIDTH_32, false),
	REF(EXIT_QUALIFICATION, 0x6400u, VMCS_WIDTH_NAT, true),
	REF(GUEST_LINEAR_ADDRESS, 0x640Au, VMCS_WIDTH_NAT, true),
	REF(GUEST_CR0, 0x6800u, VMCS_WIDTH_NAT, false),
	REF(GUEST_RSP, 0x681Cu, VMCS_WIDTH_NAT, false),
	REF(GUEST_RIP, 0x681Eu, VMCS_WIDTH_NAT, false),
	REF(GUEST_RFLAGS, 0x6820u, VMCS_WIDTH_NAT, false),
	REF(GUEST_PENDING_DBG_EXCEPTIONS, 0x6822u, VMCS_WIDTH_NAT, false),
	REF(HOST_CR0, 0x6C00u, VMCS_WIDTH_NAT, false),
	REF(HOST_RSP, 0x6C14u, VMCS_WIDTH_NAT, false),
	REF(HOST_RIP, 0x6C16u, VMCS_WIDTH_NAT, false),
};

#undef REF

TEST(VmcsFields, NamedEncodingsEqualReference)
{
	// The four the event path depends on most, spelled out.
	EXPECT_EQ(static_cast<uint32_t>(GUEST_INTERRUPTIBILITY_INFO), 0x4824u);
	EXPECT_EQ(static_cast<uint32_t>(VM_ENTRY_INTR_INFO_FIELD), 0x4016u);
	EXPECT_EQ(static_cast<uint32_t>(IDT_VECTORING_INFO_FIELD), 0x4408u);
	EXPECT_EQ(static_cast<uint32_t>(EXIT_QUALIFICATION), 0x6400u);

	for (const RefField &r : kReference) {
		SCOPED_TRACE(r.name);
		EXPECT_EQ(r.enc_from_enum, r.expected);
		int idx = vmcs_field_lookup(r.expected);
		ASSERT_GE(idx, 0);
		const struct vmcs_field_info *fi = vmcs_field_info(idx);
		ASSERT_NE(fi, nullptr);
		EXPECT_STREQ(fi->name, r.name);
		EXPECT_EQ(fi->width, r.width);
		EXPECT_EQ(fi->read_only, r.read_only);
	}
}

// Every row of the table is in the reference list above, so a row added to the
// .def without checking its encoding against Linux fails here.
TEST(VmcsFields, TableHasNoUncheckedRows)
{
	EXPECT_EQ(static_cast<size_t>(VMCS_FIELD_COUNT), sizeof(kReference) / sizeof(kReference[0]));
	for (int i = 0; i < VMCS_FIELD_COUNT; i++) {
		const struct vmcs_field_info *fi = vmcs_field_info(i);
		bool found = false;
		for (const RefField &r : kReference)
			found = found || (r.expected == fi->encoding && std::strcmp(r.name, fi->name) == 0);
		EXPECT_TRUE(found) << fi->name;
	}
}

TEST(VmcsFields, LookupNameAndIndexAgree)
{
	for (int i = 0; i < VMCS_FIELD_COUNT; i++) {
		const struct vmcs_field_info *fi = vmcs_field_info(i);
		SCOPED_TRACE(fi->name);
		EXPECT_EQ(vmcs_field_lookup(fi->encoding), i);
		EXPECT_STREQ(vmcs_field_name(fi->encoding), fi->name);
		EXPECT_EQ(vmcs_field_index(static_cast<vmcs_field>(fi->encoding)), i);
	}
	// The generated dense-index enum matches the runtime index.
	EXPECT_EQ(vmcs_field_index(GUEST_INTERRUPTIBILITY_INFO), VMCS_IDX_GUEST_INTERRUPTIBILITY_INFO);
	EXPECT_EQ(vmcs_field_index(VM_ENTRY_INTR_INFO_FIELD), VMCS_IDX_VM_ENTRY_INTR_INFO_FIELD);
	EXPECT_EQ(vmcs_field_index(IDT_VECTORING_INFO_FIELD), VMCS_IDX_IDT_VECTORING_INFO_FIELD);
	EXPECT_EQ(vmcs_field_index(EXIT_QUALIFICATION), VMCS_IDX_EXIT_QUALIFICATION);
	EXPECT_EQ(vmcs_field_lookup(0x4824), VMCS_IDX_GUEST_INTERRUPTIBILITY_INFO);
	EXPECT_STREQ(vmcs_field_name(0x4824), "GUEST_INTERRUPTIBILITY_INFO");
	EXPECT_STREQ(vmcs_field_name(0x4016), "VM_ENTRY_INTR_INFO_FIELD");
	EXPECT_STREQ(vmcs_field_name(0x4408), "IDT_VECTORING_INFO_FIELD");
	EXPECT_STREQ(vmcs_field_name(0x6400), "EXIT_QUALIFICATION");
}

TEST(VmcsFields, UnknownEncodingsAreNotFound)
{
	// 0x0800 GUEST_ES_SELECTOR and 0x4820 GUEST_TR_AR_BYTES exist in the SDM
	// but not in the model; 0x1234 has reserved bit 12 set.
	for (uint32_t enc : {0x0800u, 0x4820u, 0x1234u, 0xffffu, 0x10000u, 0x80004824u}) {
		EXPECT_EQ(vmcs_field_lookup(enc), -1) << std::hex << enc;
		EXPECT_EQ(vmcs_field_name(enc), nullptr) << std::hex << enc;
	}
	// The lookup takes full-access encodings only: enc|1 is not a field.
	EXPECT_EQ(vmcs_field_lookup(0x2005), -1);
	EXPECT_EQ(vmcs_field_lookup(0x4825), -1);
	EXPECT_EQ(vmcs_field_index(static_cast<vmcs_field>(0x1234)), -1);
	EXPECT_EQ(vmcs_field_index(static_cast<vmcs_field>(0x2005)), -1);
}

TEST(VmcsFields, NoDuplicateEncodingsOrNames)
{
	std::set<uint32_t> encs;
	std::set<std::string> names;
	for (int i = 0; i < VMCS_FIELD_COUNT; i++) {
		const struct vmcs_field_info *fi = vmcs_field_info(i);
		EXPECT_TRUE(encs.insert(fi->encoding).second) << "duplicate encoding " << std::hex << fi->encoding;
		EXPECT_TRUE(names.insert(fi->name).second) << "duplicate name " << fi->name;
	}
}

} // namespace
