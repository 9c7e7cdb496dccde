/* SPDX-License-Identifier: Apache-2.0 */
// test_vmcs_fields.cc - the VMCS field table (vmcs/vmcs_fields.def) against the
// encoding layout and the field list of SDM App. B.
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

#define W16 VMCS_WIDTH_16
#define W32 VMCS_WIDTH_32
#define W64 VMCS_WIDTH_64
#define WNAT VMCS_WIDTH_NAT
#define REF(name, enc, w) {static_cast<uint32_t>(name), enc, #name, w, false}
#define REF_RO(name, enc, w) {static_cast<uint32_t>(name), enc, #name, w, true}

// Every field of SDM Vol. 3D App. B, typed from the SDM's tables (B-1 to
// B-12) and not from vmcs_fields.def, with the Linux asm/vmx.h name where
// Linux has one; the FRED fields from the FRED specification.
const RefField kReference[] = {
	// B.1.1 16-bit control fields
	REF(VIRTUAL_PROCESSOR_ID, 0x0000u, W16),
	REF(POSTED_INTR_NV, 0x0002u, W16),
	REF(EPTP_INDEX, 0x0004u, W16),
	REF(HLAT_PREFIX_SIZE, 0x0006u, W16),
	REF(LAST_PID_POINTER_INDEX, 0x0008u, W16),
	// B.1.2 16-bit guest-state fields
	REF(GUEST_ES_SELECTOR, 0x0800u, W16),
	REF(GUEST_CS_SELECTOR, 0x0802u, W16),
	REF(GUEST_SS_SELECTOR, 0x0804u, W16),
	REF(GUEST_DS_SELECTOR, 0x0806u, W16),
	REF(GUEST_FS_SELECTOR, 0x0808u, W16),
	REF(GUEST_GS_SELECTOR, 0x080au, W16),
	REF(GUEST_LDTR_SELECTOR, 0x080cu, W16),
	REF(GUEST_TR_SELECTOR, 0x080eu, W16),
	REF(GUEST_INTR_STATUS, 0x0810u, W16),
	REF(GUEST_PML_INDEX, 0x0812u, W16),
	REF(GUEST_UINV, 0x0814u, W16),
	// B.1.3 16-bit host-state fields
	REF(HOST_ES_SELECTOR, 0x0c00u, W16),
	REF(HOST_CS_SELECTOR, 0x0c02u, W16),
	REF(HOST_SS_SELECTOR, 0x0c04u, W16),
	REF(HOST_DS_SELECTOR, 0x0c06u, W16),
	REF(HOST_FS_SELECTOR, 0x0c08u, W16),
	REF(HOST_GS_SELECTOR, 0x0c0au, W16),
	REF(HOST_TR_SELECTOR, 0x0c0cu, W16),
	// B.2.1 64-bit control fields
	REF(IO_BITMAP_A, 0x2000u, W64),
	REF(IO_BITMAP_B, 0x2002u, W64),
	REF(MSR_BITMAP, 0x2004u, W64),
	REF(VM_EXIT_MSR_STORE_ADDR, 0x2006u, W64),
	REF(VM_EXIT_MSR_LOAD_ADDR, 0x2008u, W64),
	REF(VM_ENTRY_MSR_LOAD_ADDR, 0x200au, W64),
	REF(EXECUTIVE_VMCS_POINTER, 0x200cu, W64),
	REF(PML_ADDRESS, 0x200eu, W64),
	REF(TSC_OFFSET, 0x2010u, W64),
	REF(VIRTUAL_APIC_PAGE_ADDR, 0x2012u, W64),
	REF(APIC_ACCESS_ADDR, 0x2014u, W64),
	REF(POSTED_INTR_DESC_ADDR, 0x2016u, W64),
	REF(VM_FUNCTION_CONTROL, 0x2018u, W64),
	REF(EPT_POINTER, 0x201au, W64),
	REF(EOI_EXIT_BITMAP0, 0x201cu, W64),
	REF(EOI_EXIT_BITMAP1, 0x201eu, W64),
	REF(EOI_EXIT_BITMAP2, 0x2020u, W64),
	REF(EOI_EXIT_BITMAP3, 0x2022u, W64),
	REF(EPTP_LIST_ADDRESS, 0x2024u, W64),
	REF(VMREAD_BITMAP, 0x2026u, W64),
	REF(VMWRITE_BITMAP, 0x2028u, W64),
	REF(VE_INFORMATION_ADDRESS, 0x202au, W64),
	REF(XSS_EXIT_BITMAP, 0x202cu, W64),
	REF(ENCLS_EXITING_BITMAP, 0x202eu, W64),
	REF(SPPT_POINTER, 0x2030u, W64),
	REF(TSC_MULTIPLIER, 0x2032u, W64),
	REF(TERTIARY_VM_EXEC_CONTROL, 0x2034u, W64),
	REF(ENCLV_EXITING_BITMAP, 0x2036u, W64),
	REF(LOW_PASID_DIRECTORY_ADDR, 0x2038u, W64),
	REF(HIGH_PASID_DIRECTORY_ADDR, 0x203au, W64),
	REF(SHARED_EPT_POINTER, 0x203cu, W64),
	REF(PCONFIG_EXITING_BITMAP, 0x203eu, W64),
	REF(HLAT_POINTER, 0x2040u, W64),
	REF(PID_POINTER_TABLE, 0x2042u, W64),
	REF(SECONDARY_VM_EXIT_CONTROLS, 0x2044u, W64),
	REF(SPEC_CTRL_MASK, 0x204au, W64),
	REF(SPEC_CTRL_SHADOW, 0x204cu, W64),
	REF(INJECTED_EVENT_DATA, 0x2052u, W64),
	// B.2.2 64-bit read-only data fields
	REF_RO(GUEST_PHYSICAL_ADDRESS, 0x2400u, W64),
	REF_RO(ORIGINAL_EVENT_DATA, 0x2404u, W64),
	// B.2.3 64-bit guest-state fields
	REF(VMCS_LINK_POINTER, 0x2800u, W64),
	REF(GUEST_IA32_DEBUGCTL, 0x2802u, W64),
	REF(GUEST_IA32_PAT, 0x2804u, W64),
	REF(GUEST_IA32_EFER, 0x2806u, W64),
	REF(GUEST_IA32_PERF_GLOBAL_CTRL, 0x2808u, W64),
	REF(GUEST_PDPTR0, 0x280au, W64),
	REF(GUEST_PDPTR1, 0x280cu, W64),
	REF(GUEST_PDPTR2, 0x280eu, W64),
	REF(GUEST_PDPTR3, 0x2810u, W64),
	REF(GUEST_BNDCFGS, 0x2812u, W64),
	REF(GUEST_IA32_RTIT_CTL, 0x2814u, W64),
	REF(GUEST_IA32_LBR_CTL, 0x2816u, W64),
	REF(GUEST_IA32_PKRS, 0x2818u, W64),
	REF(GUEST_IA32_FRED_CONFIG, 0x281au, W64),
	REF(GUEST_IA32_FRED_RSP1, 0x281cu, W64),
	REF(GUEST_IA32_FRED_RSP2, 0x281eu, W64),
	REF(GUEST_IA32_FRED_RSP3, 0x2820u, W64),
	REF(GUEST_IA32_FRED_STKLVLS, 0x2822u, W64),
	REF(GUEST_IA32_FRED_SSP1, 0x2824u, W64),
	REF(GUEST_IA32_FRED_SSP2, 0x2826u, W64),
	REF(GUEST_IA32_FRED_SSP3, 0x2828u, W64),
	// B.2.4 64-bit host-state fields
	REF(HOST_IA32_PAT, 0x2c00u, W64),
	REF(HOST_IA32_EFER, 0x2c02u, W64),
	REF(HOST_IA32_PERF_GLOBAL_CTRL, 0x2c04u, W64),
	REF(HOST_IA32_PKRS, 0x2c06u, W64),
	REF(HOST_IA32_FRED_CONFIG, 0x2c08u, W64),
	REF(HOST_IA32_FRED_RSP1, 0x2c0au, W64),
	REF(HOST_IA32_FRED_RSP2, 0x2c0cu, W64),
	REF(HOST_IA32_FRED_RSP3, 0x2c0eu, W64),
	REF(HOST_IA32_FRED_STKLVLS, 0x2c10u, W64),
	REF(HOST_IA32_FRED_SSP1, 0x2c12u, W64),
	REF(HOST_IA32_FRED_SSP2, 0x2c14u, W64),
	REF(HOST_IA32_FRED_SSP3, 0x2c16u, W64),
	// B.3.1 32-bit control fields
	REF(PIN_BASED_VM_EXEC_CONTROL, 0x4000u, W32),
	REF(CPU_BASED_VM_EXEC_CONTROL, 0x4002u, W32),
	REF(EXCEPTION_BITMAP, 0x4004u, W32),
	REF(PAGE_FAULT_ERROR_CODE_MASK, 0x4006u, W32),
	REF(PAGE_FAULT_ERROR_CODE_MATCH, 0x4008u, W32),
	REF(CR3_TARGET_COUNT, 0x400au, W32),
	REF(VM_EXIT_CONTROLS, 0x400cu, W32),
	REF(VM_EXIT_MSR_STORE_COUNT, 0x400eu, W32),
	REF(VM_EXIT_MSR_LOAD_COUNT, 0x4010u, W32),
	REF(VM_ENTRY_CONTROLS, 0x4012u, W32),
	REF(VM_ENTRY_MSR_LOAD_COUNT, 0x4014u, W32),
	REF(VM_ENTRY_INTR_INFO_FIELD, 0x4016u, W32),
	REF(VM_ENTRY_EXCEPTION_ERROR_CODE, 0x4018u, W32),
	REF(VM_ENTRY_INSTRUCTION_LEN, 0x401au, W32),
	REF(TPR_THRESHOLD, 0x401cu, W32),
	REF(SECONDARY_VM_EXEC_CONTROL, 0x401eu, W32),
	REF(PLE_GAP, 0x4020u, W32),
	REF(PLE_WINDOW, 0x4022u, W32),
	REF(NOTIFY_WINDOW, 0x4024u, W32),
	// B.3.2 32-bit read-only data fields
	REF_RO(VM_INSTRUCTION_ERROR, 0x4400u, W32),
	REF_RO(VM_EXIT_REASON, 0x4402u, W32),
	REF_RO(VM_EXIT_INTR_INFO, 0x4404u, W32),
	REF_RO(VM_EXIT_INTR_ERROR_CODE, 0x4406u, W32),
	REF_RO(IDT_VECTORING_INFO_FIELD, 0x4408u, W32),
	REF_RO(IDT_VECTORING_ERROR_CODE, 0x440au, W32),
	REF_RO(VM_EXIT_INSTRUCTION_LEN, 0x440cu, W32),
	REF_RO(VMX_INSTRUCTION_INFO, 0x440eu, W32),
	// B.3.3 32-bit guest-state fields
	REF(GUEST_ES_LIMIT, 0x4800u, W32),
	REF(GUEST_CS_LIMIT, 0x4802u, W32),
	REF(GUEST_SS_LIMIT, 0x4804u, W32),
	REF(GUEST_DS_LIMIT, 0x4806u, W32),
	REF(GUEST_FS_LIMIT, 0x4808u, W32),
	REF(GUEST_GS_LIMIT, 0x480au, W32),
	REF(GUEST_LDTR_LIMIT, 0x480cu, W32),
	REF(GUEST_TR_LIMIT, 0x480eu, W32),
	REF(GUEST_GDTR_LIMIT, 0x4810u, W32),
	REF(GUEST_IDTR_LIMIT, 0x4812u, W32),
	REF(GUEST_ES_AR_BYTES, 0x4814u, W32),
	REF(GUEST_CS_AR_BYTES, 0x4816u, W32),
	REF(GUEST_SS_AR_BYTES, 0x4818u, W32),
	REF(GUEST_DS_AR_BYTES, 0x481au, W32),
	REF(GUEST_FS_AR_BYTES, 0x481cu, W32),
	REF(GUEST_GS_AR_BYTES, 0x481eu, W32),
	REF(GUEST_LDTR_AR_BYTES, 0x4820u, W32),
	REF(GUEST_TR_AR_BYTES, 0x4822u, W32),
	REF(GUEST_INTERRUPTIBILITY_INFO, 0x4824u, W32),
	REF(GUEST_ACTIVITY_STATE, 0x4826u, W32),
	REF(GUEST_SMBASE, 0x4828u, W32),
	REF(GUEST_SYSENTER_CS, 0x482au, W32),
	REF(VMX_PREEMPTION_TIMER_VALUE, 0x482eu, W32),
	// B.3.4 32-bit host-state field
	REF(HOST_IA32_SYSENTER_CS, 0x4c00u, W32),
	// B.4.1 natural-width control fields
	REF(CR0_GUEST_HOST_MASK, 0x6000u, WNAT),
	REF(CR4_GUEST_HOST_MASK, 0x6002u, WNAT),
	REF(CR0_READ_SHADOW, 0x6004u, WNAT),
	REF(CR4_READ_SHADOW, 0x6006u, WNAT),
	REF(CR3_TARGET_VALUE0, 0x6008u, WNAT),
	REF(CR3_TARGET_VALUE1, 0x600au, WNAT),
	REF(CR3_TARGET_VALUE2, 0x600cu, WNAT),
	REF(CR3_TARGET_VALUE3, 0x600eu, WNAT),
	// B.4.2 natural-width read-only data fields
	REF_RO(EXIT_QUALIFICATION, 0x6400u, WNAT),
	REF_RO(IO_RCX, 0x6402u, WNAT),
	REF_RO(IO_RSI, 0x6404u, WNAT),
	REF_RO(IO_RDI, 0x6406u, WNAT),
	REF_RO(IO_RIP, 0x6408u, WNAT),
	REF_RO(GUEST_LINEAR_ADDRESS, 0x640au, WNAT),
	// B.4.3 natural-width guest-state fields
	REF(GUEST_CR0, 0x6800u, WNAT),
	REF(GUEST_CR3, 0x6802u, WNAT),
	REF(GUEST_CR4, 0x6804u, WNAT),
	REF(GUEST_ES_BASE, 0x6806u, WNAT),
	REF(GUEST_CS_BASE, 0x6808u, WNAT),
	REF(GUEST_SS_BASE, 0x680au, WNAT),
	REF(GUEST_DS_BASE, 0x680cu, WNAT),
	REF(GUEST_FS_BASE, 0x680eu, WNAT),
	REF(GUEST_GS_BASE, 0x6810u, WNAT),
	REF(GUEST_LDTR_BASE, 0x6812u, WNAT),
	REF(GUEST_TR_BASE, 0x6814u, WNAT),
	REF(GUEST_GDTR_BASE, 0x6816u, WNAT),
	REF(GUEST_IDTR_BASE, 0x6818u, WNAT),
	REF(GUEST_DR7, 0x681au, WNAT),
	REF(GUEST_RSP, 0x681cu, WNAT),
	REF(GUEST_RIP, 0x681eu, WNAT),
	REF(GUEST_RFLAGS, 0x6820u, WNAT),
	REF(GUEST_PENDING_DBG_EXCEPTIONS, 0x6822u, WNAT),
	REF(GUEST_SYSENTER_ESP, 0x6824u, WNAT),
	REF(GUEST_SYSENTER_EIP, 0x6826u, WNAT),
	REF(GUEST_S_CET, 0x6828u, WNAT),
	REF(GUEST_SSP, 0x682au, WNAT),
	REF(GUEST_INTR_SSP_TABLE, 0x682cu, WNAT),
	// B.4.4 natural-width host-state fields
	REF(HOST_CR0, 0x6c00u, WNAT),
	REF(HOST_CR3, 0x6c02u, WNAT),
	REF(HOST_CR4, 0x6c04u, WNAT),
	REF(HOST_FS_BASE, 0x6c06u, WNAT),
	REF(HOST_GS_BASE, 0x6c08u, WNAT),
	REF(HOST_TR_BASE, 0x6c0au, WNAT),
	REF(HOST_GDTR_BASE, 0x6c0cu, WNAT),
	REF(HOST_IDTR_BASE, 0x6c0eu, WNAT),
	REF(HOST_IA32_SYSENTER_ESP, 0x6c10u, WNAT),
	REF(HOST_IA32_SYSENTER_EIP, 0x6c12u, WNAT),
	REF(HOST_RSP, 0x6c14u, WNAT),
	REF(HOST_RIP, 0x6c16u, WNAT),
	REF(HOST_S_CET, 0x6c18u, WNAT),
	REF(HOST_SSP, 0x6c1au, WNAT),
	REF(HOST_INTR_SSP_TABLE, 0x6c1cu, WNAT),
};

#undef REF
#undef REF_RO
#undef W16
#undef W32
#undef W64
#undef WNAT

constexpr size_t kReferenceCount = sizeof(kReference) / sizeof(kReference[0]);

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
// .def without checking its encoding against the SDM fails here.
TEST(VmcsFields, TableHasNoUncheckedRows)
{
	EXPECT_EQ(static_cast<size_t>(VMCS_FIELD_COUNT), kReferenceCount);
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
	// Gaps between the SDM's fields (0x0816 after GUEST_UINV, 0x2046 after the
	// secondary VM-exit controls, 0x2402 between the two read-only 64-bit
	// fields, 0x482c before the preemption timer, 0x4c02 after the only 32-bit
	// host field, 0x6c1e past the host state), past the last index of each
	// group, and malformed encodings: 0x1234 has reserved bit 12 set.
	for (uint32_t enc : {0x000au, 0x0816u, 0x0c0eu, 0x2046u, 0x2402u, 0x282au, 0x2c18u, 0x4026u, 0x4410u,
	                     0x482cu, 0x4c02u, 0x6010u, 0x640cu, 0x682eu, 0x6c1eu, 0x1234u, 0xffffu, 0x10000u,
	                     0x80004824u}) {
		EXPECT_EQ(vmcs_field_lookup(enc), -1) << std::hex << enc;
		EXPECT_EQ(vmcs_field_name(enc), nullptr) << std::hex << enc;
	}
	// The lookup takes full-access encodings only: enc|1 is not a field.
	EXPECT_EQ(vmcs_field_lookup(0x2005), -1);
	EXPECT_EQ(vmcs_field_lookup(0x4825), -1);
	EXPECT_EQ(vmcs_field_index(static_cast<vmcs_field>(0x1234)), -1);
	EXPECT_EQ(vmcs_field_index(static_cast<vmcs_field>(0x2005)), -1);
}

// The lookup halves the table, so the rows must be in encoding order.
TEST(VmcsFields, RowsAreInEncodingOrder)
{
	for (int i = 1; i < VMCS_FIELD_COUNT; i++)
		EXPECT_LT(vmcs_field_info(i - 1)->encoding, vmcs_field_info(i)->encoding) << vmcs_field_info(i)->name;
	EXPECT_EQ(vmcs_field_lookup(0x0000), 0);
	EXPECT_EQ(vmcs_field_lookup(vmcs_field_info(VMCS_FIELD_COUNT - 1)->encoding), VMCS_FIELD_COUNT - 1);
}

// The whole table of the SDM, not the ~45 fields of the event path.
TEST(VmcsFields, CountIsTheWholeTable)
{
	EXPECT_GE(VMCS_FIELD_COUNT, 150);
	int per_group[4][4] = {};
	for (int i = 0; i < VMCS_FIELD_COUNT; i++) {
		uint32_t enc = vmcs_field_info(i)->encoding;
		per_group[vmcs_encoding_width(enc)][vmcs_encoding_type(enc)]++;
	}
	// Every width and type has fields, except the 16-bit read-only group,
	// which the SDM leaves empty.
	for (int w = 0; w < 4; w++)
		for (int t = 0; t < 4; t++)
			EXPECT_EQ(per_group[w][t] > 0, !(w == VMCS_WIDTH_16 && t == VMCS_TYPE_EXIT_INFO)) << w << " " << t;
	EXPECT_EQ(per_group[VMCS_WIDTH_NAT][VMCS_TYPE_GUEST], 23);
	EXPECT_EQ(per_group[VMCS_WIDTH_32][VMCS_TYPE_EXIT_INFO], 8);
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
