/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_entry_cr_efer_ept.cc - the VM-entry checks on the VPID and the EPT
 * pointer (SDM 26.2.1.1, VMfailValid 7), on host CR0, CR4, IA32_PAT and
 * IA32_EFER (26.2.2, VMfailValid 8) and on guest CR0, CR4, IA32_PAT and
 * IA32_EFER (26.3.1.1, exit 0x80000021 with qualification 0): one test per CHECK line, named
 * after its SDM section, each failing with exactly that line's text, and
 * the defaults of a VMCS (vmcs_set_mode_defaults) passing them all.
 */
#include "hw_fixture.h"

namespace {

class EntryCrEferEpt : public HwTest {
protected:
	void Secondary(uint32_t proc2)
	{
		SetBits(CPU_BASED_VM_EXEC_CONTROL, (uint32_t)CPU_BASED_ACTIVATE_SECONDARY_CONTROLS);
		Set(SECONDARY_VM_EXEC_CONTROL, proc2);
	}

	/* VMfailValid(err) at the check whose text begins with prefix. */
	void ExpectFailValid(uint32_t err, const char *prefix)
	{
		EXPECT_EQ(Launch(), VMX_ENTRY_FAIL_VALID) << LastCheck();
		EXPECT_EQ(Get(VM_INSTRUCTION_ERROR), err) << LastCheck();
		EXPECT_EQ(LastCheck().rfind(prefix, 0), 0u) << LastCheck();
		EXPECT_FALSE(lp.non_root);
	}

	/* VM-entry failure, qualification 0, at the check whose text begins with prefix. */
	void ExpectFailGuest(const char *prefix)
	{
		EXPECT_EQ(Launch(), VMX_ENTRY_FAILED) << LastCheck();
		EXPECT_EQ(ExitReason(), 0x80000021u) << LastCheck();
		EXPECT_EQ(Get(EXIT_QUALIFICATION), 0u);
		EXPECT_EQ(LastCheck().rfind(prefix, 0), 0u) << LastCheck();
		EXPECT_FALSE(lp.non_root);
	}

	void ExpectEnters()
	{
		EXPECT_EQ(Launch(), VMX_ENTRY_OK) << LastCheck();
		EXPECT_TRUE(lp.non_root);
	}

	/* Each host field enters with a canonical address at each end of the space and fails with bit 47 alone. */
	void EachCanonicalHostField(std::initializer_list<vmcs_field> fields, const char *check)
	{
		for (vmcs_field f : fields) {
			SCOPED_TRACE(vmcs_field_name(f));
			for (uint64_t ok : {0x00007ffffffff000ull, 0xffff800000000000ull}) {
				Use("nehalem");
				Set(f, ok);
				ExpectEnters();
			}
			Use("nehalem");
			Set(f, 0x0000800000000000ull);
			ExpectFailValid(8, check);
		}
	}

	/* A reserved memory type (2, 3, 8, 0xff) in each byte of a valid PAT, with `bit` of the control set. */
	template <typename Expect>
	void EachReservedPatByte(vmcs_field control, uint32_t bit, vmcs_field pat, Expect expect)
	{
		for (uint64_t type : {2ull, 3ull, 8ull, 0xffull})
			for (int byte = 0; byte < 8; byte++) {
				SCOPED_TRACE(testing::Message() << "type " << type << " in byte " << byte);
				Use("nehalem");
				SetBits(control, bit);
				Set(pat, (0x0007040600070406ull & ~(0xffull << (8 * byte))) | type << (8 * byte));
				expect();
			}
	}
};

/* 26.2.1.1: "enable VPID" with a VPID of 0. */
TEST_F(EntryCrEferEpt, Sdm26_2_1_1_VpidZeroFailsWith7)
{
	Secondary(SECONDARY_EXEC_ENABLE_VPID);
	Set(VIRTUAL_PROCESSOR_ID, 0);
	ExpectFailValid(7, "VPID is not 0");
}

TEST_F(EntryCrEferEpt, Sdm26_2_1_1_VpidZeroWithoutEnableVpidEnters)
{
	Set(VIRTUAL_PROCESSOR_ID, 0);
	ExpectEnters();
}

TEST_F(EntryCrEferEpt, Sdm26_2_1_1_DefaultEptPointerEntersOnEveryModelWithEpt)
{
	for (const char *cpu : {"nehalem", "sapphire-rapids", "haswell", "icelake", "tigerlake"}) {
		Use(cpu);
		Secondary(SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID);
		ExpectEnters();
	}
}

TEST_F(EntryCrEferEpt, Sdm26_2_1_1_EptMemoryTypeNotInTheCapabilityFails)
{
	Secondary(SECONDARY_EXEC_ENABLE_EPT);
	Set(EPT_POINTER, 0x300000 | VMX_EPTP_PWL_4 | 3);   /* write-through: neither UC nor WB */
	ExpectFailValid(7, "EPT pointer memory type");
}

TEST_F(EntryCrEferEpt, Sdm26_2_1_1_EptUncacheableEnters)
{
	Secondary(SECONDARY_EXEC_ENABLE_EPT);
	Set(EPT_POINTER, 0x300000 | VMX_EPTP_PWL_4 | VMX_EPTP_MT_UC);
	ExpectEnters();
}

TEST_F(EntryCrEferEpt, Sdm26_2_1_1_EptWalkLengthOtherThan4Fails)
{
	for (uint64_t pwl : {0x0ull, 0x10ull, VMX_EPTP_PWL_5, 0x38ull}) {
		Use("nehalem");
		Secondary(SECONDARY_EXEC_ENABLE_EPT);
		Set(EPT_POINTER, 0x300000 | pwl | VMX_EPTP_MT_WB);
		ExpectFailValid(7, "EPT pointer page-walk length");
	}
}

TEST_F(EntryCrEferEpt, Sdm26_2_1_1_EptAccessedDirtyNeedsTheCapability)
{
	Secondary(SECONDARY_EXEC_ENABLE_EPT);
	Set(EPT_POINTER, VMCS_EPT_POINTER_DEFAULT | VMX_EPTP_AD_ENABLE);
	ExpectFailValid(7, "EPT pointer bit 6");   /* nehalem: no EPT A/D flags */
	Use("haswell");
	Secondary(SECONDARY_EXEC_ENABLE_EPT);
	Set(EPT_POINTER, VMCS_EPT_POINTER_DEFAULT | VMX_EPTP_AD_ENABLE);
	ExpectEnters();
}

TEST_F(EntryCrEferEpt, Sdm26_2_1_1_EptReservedBits11To7Fail)
{
	for (unsigned bit = 7; bit <= 11; bit++) {
		Use("sapphire-rapids");
		Secondary(SECONDARY_EXEC_ENABLE_EPT);
		Set(EPT_POINTER, VMCS_EPT_POINTER_DEFAULT | 1ull << bit);
		ExpectFailValid(7, "EPT pointer bits 11:7");
	}
}

TEST_F(EntryCrEferEpt, Sdm26_2_1_1_EptAboveThePhysicalAddressWidthFails)
{
	Secondary(SECONDARY_EXEC_ENABLE_EPT);
	Set(EPT_POINTER, VMCS_EPT_POINTER_DEFAULT | 1ull << 40);   /* nehalem: 40 bits */
	ExpectFailValid(7, "EPT pointer within the physical-address width");
}

TEST_F(EntryCrEferEpt, Sdm26_2_1_1_EptPointerUncheckedWithoutEnableEpt)
{
	Set(EPT_POINTER, 0x7);
	ExpectEnters();
}

/* 26.2.2: host CR0 and CR4. */
TEST_F(EntryCrEferEpt, Sdm26_2_2_HostCr0WithoutAFixed0BitFailsWith8)
{
	for (uint64_t bit : {X86_CR0_PE, X86_CR0_NE, X86_CR0_PG}) {
		Use("nehalem");
		Set(HOST_CR0, VMCS_CR0_DEFAULT & ~bit);
		ExpectFailValid(8, "host CR0 within");
	}
}

TEST_F(EntryCrEferEpt, Sdm26_2_2_HostCr0BitsAbove31Fail)
{
	Set(HOST_CR0, VMCS_CR0_DEFAULT | 1ull << 32);
	ExpectFailValid(8, "host CR0 within");
}

TEST_F(EntryCrEferEpt, Sdm26_2_2_HostCr4WithoutVmxeFails)
{
	Set(HOST_CR4, X86_CR4_PAE);
	ExpectFailValid(8, "host CR4 within");
}

TEST_F(EntryCrEferEpt, Sdm26_2_2_HostCr4BitOutsideFixed1Fails)
{
	Set(HOST_CR4, VMCS_CR4_DEFAULT | X86_CR4_SMEP);   /* nehalem: no SMEP */
	ExpectFailValid(8, "host CR4 within");
	Use("sapphire-rapids");
	Set(HOST_CR4, VMCS_CR4_DEFAULT | X86_CR4_SMEP);
	ExpectEnters();
}

/* 26.2.2: host IA32_EFER with "load IA32_EFER". */
TEST_F(EntryCrEferEpt, Sdm26_2_2_HostEferReservedBitFails)
{
	SetBits(VM_EXIT_CONTROLS, VM_EXIT_LOAD_IA32_EFER | VM_EXIT_HOST_ADDR_SPACE_SIZE);
	Set(HOST_IA32_EFER, VMCS_EFER_DEFAULT | 2);
	ExpectFailValid(8, "host IA32_EFER reserved bits");
}

TEST_F(EntryCrEferEpt, Sdm26_2_2_HostEferLmaMustEqualHostAddressSpaceSize)
{
	SetBits(VM_EXIT_CONTROLS, VM_EXIT_LOAD_IA32_EFER | VM_EXIT_HOST_ADDR_SPACE_SIZE);
	Set(HOST_IA32_EFER, EFER_LME);
	ExpectFailValid(8, "host IA32_EFER.LMA");
	Use("nehalem");
	SetBits(VM_EXIT_CONTROLS, VM_EXIT_LOAD_IA32_EFER);   /* a 32-bit host with LMA and LME: 26.2.2 before 26.2.4 */
	ClearBits(VM_EXIT_CONTROLS, VM_EXIT_HOST_ADDR_SPACE_SIZE);
	ExpectFailValid(8, "host IA32_EFER.LMA");
}

/*
 * 26.2.4: the model's processor is in IA-32e mode, so a VMCS whose "host
 * address-space size" is 0 fails with VMfailValid 8 (kvm-unit-tests'
 * test_host_addr_size asserts EXI_HOST_64 of its 64-bit host for the same
 * reason).
 */
TEST_F(EntryCrEferEpt, Sdm26_2_4_HostAddressSpaceSizeIsOneInIa32eMode)
{
	Set(HOST_SS_SELECTOR, 0x18);   /* not 0, which 26.2.3 requires of a 32-bit host first */
	ClearBits(VM_EXIT_CONTROLS, VM_EXIT_HOST_ADDR_SPACE_SIZE);
	ExpectFailValid(8, "host address-space size is 1");
	Use("nehalem");
	ClearBits(VM_EXIT_CONTROLS, VM_EXIT_HOST_ADDR_SPACE_SIZE);
	ExpectFailValid(8, "host SS selector is not 0");
}

/* 26.2.4: with host address-space size 1, host CR4.PAE is 1 (test_host_addr_size, "CR4.PAE unset"). */
TEST_F(EntryCrEferEpt, Sdm26_2_4_HostCr4PaeWithHostAddressSpaceSize)
{
	Set(HOST_CR4, VMCS_CR4_DEFAULT & ~X86_CR4_PAE);
	ExpectFailValid(8, "host CR4.PAE is 1");
}

/* 26.2.4: an IA-32e mode guest under a 64-bit host enters (test_host_addr_size, "IA-32e mode guest" enabled). */
TEST_F(EntryCrEferEpt, Sdm26_2_4_Ia32eModeGuestUnderA64BitHostEnters)
{
	SetBits(VM_ENTRY_CONTROLS, VM_ENTRY_IA32E_MODE);
	ExpectEnters();
}

TEST_F(EntryCrEferEpt, Sdm26_2_2_HostEferLmeMustEqualHostAddressSpaceSize)
{
	SetBits(VM_EXIT_CONTROLS, VM_EXIT_LOAD_IA32_EFER | VM_EXIT_HOST_ADDR_SPACE_SIZE);
	Set(HOST_IA32_EFER, EFER_LMA);
	ExpectFailValid(8, "host IA32_EFER.LME");
}

TEST_F(EntryCrEferEpt, Sdm26_2_2_HostEferUncheckedWithoutLoadIa32Efer)
{
	Set(HOST_IA32_EFER, 0xffff);
	ExpectEnters();
}

/*
 * 26.2.2: host IA32_PAT with "load IA32_PAT": each of its 8 bytes a memory
 * type WRMSR takes (0 UC, 1 WC, 4 WT, 5 WP, 6 WB, 7 UC-); 2, 3 and 8 up are
 * reserved, in any byte.
 */
TEST_F(EntryCrEferEpt, Sdm26_2_2_HostPatReservedMemoryTypeFailsWith8)
{
	EachReservedPatByte(VM_EXIT_CONTROLS, VM_EXIT_LOAD_IA32_PAT, HOST_IA32_PAT,
	                    [this] { ExpectFailValid(8, "host IA32_PAT memory types"); });
}

TEST_F(EntryCrEferEpt, Sdm26_2_2_HostPatValidMemoryTypesEnter)
{
	for (uint64_t pat : {0ull, 0x0007040600070406ull, 0x0706050401000706ull, 0x0101010101010101ull}) {
		Use("nehalem");
		SetBits(VM_EXIT_CONTROLS, VM_EXIT_LOAD_IA32_PAT);
		Set(HOST_IA32_PAT, pat);
		ExpectEnters();
	}
}

TEST_F(EntryCrEferEpt, Sdm26_2_2_HostPatUncheckedWithoutLoadIa32Pat)
{
	Set(HOST_IA32_PAT, 0x0202020202020202ull);
	ExpectEnters();
}

/* 26.2.2: host CR3 within MAXPHYADDR (nehalem: 40 bits). */
TEST_F(EntryCrEferEpt, Sdm26_2_2_HostCr3BeyondThePhysicalAddressWidthFails)
{
	Set(HOST_CR3, 1ull << 39);
	ExpectEnters();
	Use("nehalem");
	Set(HOST_CR3, 1ull << 40);
	ExpectFailValid(8, "host CR3 within the physical-address width");
}

/* 26.2.3: host selectors with RPL 0 and TI 0 (each of them, each of the 3 bits). */
TEST_F(EntryCrEferEpt, Sdm26_2_3_HostSelectorRplOrTiFails)
{
	for (vmcs_field f : {HOST_ES_SELECTOR, HOST_CS_SELECTOR, HOST_SS_SELECTOR, HOST_DS_SELECTOR, HOST_FS_SELECTOR,
	                     HOST_GS_SELECTOR, HOST_TR_SELECTOR})
		for (uint64_t bit : {1u, 2u, 4u}) {
			SCOPED_TRACE(testing::Message() << vmcs_field_name(f) << " bit " << bit);
			Use("nehalem");
			Set(f, 0x18 | bit);
			ExpectFailValid(8, "host ES, CS, SS, DS, FS, GS and TR selectors have RPL 0 and TI 0");
		}
}

/* 26.2.3: host CS and TR not 0; SS may be 0 in a 64-bit host. */
TEST_F(EntryCrEferEpt, Sdm26_2_3_HostCsAndTrNotZero)
{
	Set(HOST_CS_SELECTOR, 0);
	ExpectFailValid(8, "host CS selector is not 0");
	Use("nehalem");
	Set(HOST_TR_SELECTOR, 0);
	ExpectFailValid(8, "host TR selector is not 0");
	Use("nehalem");
	Set(HOST_SS_SELECTOR, 0);
	ExpectEnters();
}

/* 26.2.2: host IA32_SYSENTER_ESP and IA32_SYSENTER_EIP canonical. */
TEST_F(EntryCrEferEpt, Sdm26_2_2_HostSysenterNotCanonicalFails)
{
	EachCanonicalHostField({HOST_IA32_SYSENTER_ESP, HOST_IA32_SYSENTER_EIP},
	                       "host IA32_SYSENTER_ESP and IA32_SYSENTER_EIP are canonical");
}

/* 26.2.3: host FS, GS, TR, GDTR and IDTR bases canonical. */
TEST_F(EntryCrEferEpt, Sdm26_2_3_HostBaseNotCanonicalFails)
{
	EachCanonicalHostField({HOST_FS_BASE, HOST_GS_BASE, HOST_TR_BASE, HOST_GDTR_BASE, HOST_IDTR_BASE},
	                       "host FS, GS, TR, GDTR and IDTR base addresses are canonical");
}

TEST_F(EntryCrEferEpt, Sdm26_2_HostStateFailsAfterTheControls)
{
	Set(HOST_CR0, 0);
	Secondary(SECONDARY_EXEC_ENABLE_VPID);
	Set(VIRTUAL_PROCESSOR_ID, 0);
	ExpectFailValid(7, "VPID is not 0");
}

/* 26.3.1.1: guest CR0 and CR4. */
TEST_F(EntryCrEferEpt, Sdm26_3_1_1_GuestCr0WithoutAFixed0BitFailsGuest)
{
	for (uint64_t bit : {X86_CR0_PE, X86_CR0_NE, X86_CR0_PG}) {
		Use("nehalem");
		Set(GUEST_CR0, VMCS_CR0_DEFAULT & ~bit);
		ExpectFailGuest("guest CR0 within");
	}
}

TEST_F(EntryCrEferEpt, Sdm26_3_1_1_UnrestrictedGuestFreesPeAndPgButNotNe)
{
	Use("sapphire-rapids");
	Secondary(SECONDARY_EXEC_UNRESTRICTED_GUEST | SECONDARY_EXEC_ENABLE_EPT);
	Set(GUEST_CR0, X86_CR0_PE | X86_CR0_NE);   /* protected mode without paging */
	ExpectEnters();
	Use("sapphire-rapids");
	Secondary(SECONDARY_EXEC_UNRESTRICTED_GUEST | SECONDARY_EXEC_ENABLE_EPT);
	Set(GUEST_CR0, X86_CR0_PE);
	ExpectFailGuest("guest CR0 within");
}

TEST_F(EntryCrEferEpt, Sdm26_3_1_1_GuestCr0BitsAbove31FailGuest)
{
	Set(GUEST_CR0, VMCS_CR0_DEFAULT | 1ull << 40);
	ExpectFailGuest("guest CR0 within");
}

TEST_F(EntryCrEferEpt, Sdm26_3_1_1_GuestCr4WithoutVmxeFailsGuest)
{
	Set(GUEST_CR4, X86_CR4_PAE);
	ExpectFailGuest("guest CR4 within");
}

TEST_F(EntryCrEferEpt, Sdm26_3_1_1_GuestCr4ReservedBitFailsGuest)
{
	Set(GUEST_CR4, VMCS_CR4_DEFAULT | 1ull << 15);
	ExpectFailGuest("guest CR4 within");
}

TEST_F(EntryCrEferEpt, Sdm26_3_1_1_PgWithoutPeFailsGuest)
{
	Use("sapphire-rapids");
	Secondary(SECONDARY_EXEC_UNRESTRICTED_GUEST | SECONDARY_EXEC_ENABLE_EPT);
	Set(GUEST_CR0, X86_CR0_PG | X86_CR0_NE);
	ExpectFailGuest("guest CR0.PG requires CR0.PE");
}

TEST_F(EntryCrEferEpt, Sdm26_3_1_1_Ia32eModeGuestWithoutPgFailsGuest)
{
	Use("sapphire-rapids");
	Secondary(SECONDARY_EXEC_UNRESTRICTED_GUEST | SECONDARY_EXEC_ENABLE_EPT);
	SetBits(VM_ENTRY_CONTROLS, VM_ENTRY_IA32E_MODE);
	Set(GUEST_CR0, X86_CR0_PE | X86_CR0_NE);
	ExpectFailGuest("IA-32e mode guest requires guest CR0.PG");
}

TEST_F(EntryCrEferEpt, Sdm26_3_1_1_Ia32eModeGuestWithoutPaeFailsGuest)
{
	SetBits(VM_ENTRY_CONTROLS, VM_ENTRY_IA32E_MODE);
	Set(GUEST_CR4, X86_CR4_VMXE);
	ExpectFailGuest("IA-32e mode guest requires guest CR4.PAE");
}

/* 26.3.1.1: guest IA32_EFER with "load IA32_EFER". */
TEST_F(EntryCrEferEpt, Sdm26_3_1_1_GuestEferReservedBitFailsGuest)
{
	SetBits(VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_IA32E_MODE);
	Set(GUEST_IA32_EFER, VMCS_EFER_DEFAULT | 1ull << 9);
	ExpectFailGuest("guest IA32_EFER reserved bits");
}

TEST_F(EntryCrEferEpt, Sdm26_3_1_1_GuestEferLmaMustEqualIa32eModeGuest)
{
	SetBits(VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_IA32E_MODE);
	Set(GUEST_IA32_EFER, EFER_LME);
	ExpectFailGuest("guest IA32_EFER.LMA");
	Use("nehalem");
	SetBits(VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_IA32_EFER);   /* not IA-32e mode, LMA set */
	ExpectFailGuest("guest IA32_EFER.LMA");
}

TEST_F(EntryCrEferEpt, Sdm26_3_1_1_GuestEferLmeMustEqualIa32eModeGuestWithPaging)
{
	SetBits(VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_IA32E_MODE);
	Set(GUEST_IA32_EFER, EFER_LMA);
	ExpectFailGuest("guest IA32_EFER.LME");
	/* Without paging LME is free. */
	Use("sapphire-rapids");
	Secondary(SECONDARY_EXEC_UNRESTRICTED_GUEST | SECONDARY_EXEC_ENABLE_EPT);
	SetBits(VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_IA32_EFER);
	Set(GUEST_CR0, X86_CR0_PE | X86_CR0_NE);
	Set(GUEST_IA32_EFER, EFER_LME);
	ExpectEnters();
}

TEST_F(EntryCrEferEpt, Sdm26_3_1_1_GuestEferUncheckedWithoutLoadIa32Efer)
{
	Set(GUEST_IA32_EFER, 0xffff);
	ExpectEnters();
}

/* 26.3.1.1: guest IA32_PAT with "load IA32_PAT", the same memory types. */
TEST_F(EntryCrEferEpt, Sdm26_3_1_1_GuestPatReservedMemoryTypeFailsGuest)
{
	EachReservedPatByte(VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_IA32_PAT, GUEST_IA32_PAT,
	                    [this] { ExpectFailGuest("guest IA32_PAT memory types"); });
}

TEST_F(EntryCrEferEpt, Sdm26_3_1_1_GuestPatValidMemoryTypesEnter)
{
	for (uint64_t pat : {0ull, 0x0007040600070406ull, 0x0706050401000706ull}) {
		Use("nehalem");
		SetBits(VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_IA32_PAT);
		Set(GUEST_IA32_PAT, pat);
		ExpectEnters();
	}
}

TEST_F(EntryCrEferEpt, Sdm26_3_1_1_GuestPatUncheckedWithoutLoadIa32Pat)
{
	Set(GUEST_IA32_PAT, 0x0303030303030303ull);
	ExpectEnters();
}

/* 26.3.1.1 before 26.3.1.5: a bad IA32_PAT and a bad link pointer give qualification 0. */
TEST_F(EntryCrEferEpt, Sdm26_3_1_1_GuestPatBeforeLinkPointer)
{
	SetBits(VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_IA32_PAT);
	Set(GUEST_IA32_PAT, 2);
	Set(VMCS_LINK_POINTER, 0);
	ExpectFailGuest("guest IA32_PAT memory types");
}

/* 26.3.1.1: CR4.PCIDE only in an IA-32e mode guest (haswell allows PCIDE in CR4_FIXED1). */
TEST_F(EntryCrEferEpt, Sdm26_3_1_1_GuestPcideRequiresIa32eModeGuest)
{
	Use("haswell");
	Set(GUEST_CR4, VMCS_CR4_DEFAULT | X86_CR4_PCIDE);
	ExpectFailGuest("guest CR4.PCIDE requires IA-32e mode guest");
	Use("haswell");
	SetBits(VM_ENTRY_CONTROLS, VM_ENTRY_IA32E_MODE);
	Set(GUEST_CR4, VMCS_CR4_DEFAULT | X86_CR4_PCIDE);
	ExpectEnters();
}

/* 26.3.1.1: guest CR3 within MAXPHYADDR. */
TEST_F(EntryCrEferEpt, Sdm26_3_1_1_GuestCr3BeyondThePhysicalAddressWidthFails)
{
	Set(GUEST_CR3, (1ull << 40) - 0x1000);
	ExpectEnters();
	Use("nehalem");
	Set(GUEST_CR3, 1ull << 40);
	ExpectFailGuest("guest CR3 within the physical-address width");
}

/* 26.3.1.1: guest IA32_SYSENTER_ESP and IA32_SYSENTER_EIP canonical. */
TEST_F(EntryCrEferEpt, Sdm26_3_1_1_GuestSysenterNotCanonicalFails)
{
	for (vmcs_field f : {GUEST_SYSENTER_ESP, GUEST_SYSENTER_EIP}) {
		Use("nehalem");
		Set(f, 0x0000800000000000ull);
		ExpectFailGuest("guest IA32_SYSENTER_ESP and IA32_SYSENTER_EIP are canonical");
	}
}

TEST_F(EntryCrEferEpt, Sdm26_3_1_1_ControlRegistersBeforeRflagsAndLinkPointer)
{
	Set(GUEST_CR4, 0);
	Set(GUEST_RFLAGS, 0);
	Set(VMCS_LINK_POINTER, 0);
	ExpectFailGuest("guest CR4 within");
}

TEST_F(EntryCrEferEpt, Sdm26_2_HostStateBeforeGuestState)
{
	Set(HOST_CR4, 0);
	Set(GUEST_CR4, 0);
	ExpectFailValid(8, "host CR4 within");
}

}  // namespace
