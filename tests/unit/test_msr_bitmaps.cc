/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MSR bitmaps (SDM Vol. 3C 25.6.9, 26.1.3; the entry check of 26.2.1.1):
 * where each MSR's bit lies in the four 1-KByte bitmaps, which RDMSR and
 * WRMSR of a guest exit, and what those that do not exit do - they execute
 * against the processor's own local APIC and MSRs.
 *
 * Timing on the nehalem model: entry 1000 cycles, one instruction 1.
 */
#include "hw_fixture.h"

#include "vmcs/msr_bitmap.h"
#include "vmcs/x86_msr.h"

namespace {

constexpr uint32_t kFsBase = 0xc0000100u;   /* an MSR of the high range */

class MsrBitmaps : public HwTest {
protected:
	msr_bitmap page{};

	/* "Use MSR bitmaps" with a zeroed page at a 4-KByte aligned address. */
	void UseBitmaps()
	{
		page = msr_bitmap{};
		SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_USE_MSR_BITMAPS);
		Set(MSR_BITMAP, 0x5000);
		v.msr_bitmap = &page;
	}

	/* Run the one-instruction program `in` then VMCALL: the exit reason it ends with. */
	uint32_t RunOne(const vmx_insn &in)
	{
		Program({in, Op(VMX_OP_VMCALL)});
		EXPECT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
		return ExitReason();
	}
};

}  // namespace

/* The four quarters: read-low at byte 0, read-high at 1024, write-low at 2048, write-high at 3072. */
TEST(MsrBitmapLayout, EachQuarterHoldsItsRangeAndAccess)
{
	struct {
		uint32_t msr;
		bool write;
		uint32_t byte, bit;
	} rows[] = {
	    {0x0, false, 0, 0},          {0x80b, false, 0x80b / 8, 3},       {0x1fff, false, 1023, 7},
	    {0xc0000000u, false, 1024, 0}, {kFsBase, false, 1024 + 0x20, 0}, {0xc0001fffu, false, 2047, 7},
	    {0x0, true, 2048, 0},        {0x80b, true, 2048 + 0x80b / 8, 3}, {0xc0000000u, true, 3072, 0},
	    {0xc0001fffu, true, 4095, 7},
	};
	for (const auto &r : rows) {
		msr_bitmap page{};
		ASSERT_TRUE(msr_bitmap_set(&page, r.msr, r.write, true)) << std::hex << r.msr;
		for (uint32_t b = 0; b < MSR_BITMAP_BYTES; b++)
			EXPECT_EQ(page.bytes[b], b == r.byte ? 1u << r.bit : 0u) << std::hex << r.msr << " byte " << b;
		EXPECT_TRUE(msr_bitmap_exits(&page, r.msr, r.write));
		EXPECT_FALSE(msr_bitmap_exits(&page, r.msr, !r.write));
		ASSERT_TRUE(msr_bitmap_set(&page, r.msr, r.write, false));
		EXPECT_FALSE(msr_bitmap_exits(&page, r.msr, r.write));
	}
}

TEST(MsrBitmapLayout, OutsideTheRangesAndWithoutMemoryEveryMsrExits)
{
	msr_bitmap zero{};
	for (uint32_t msr : {0x2000u, 0x40000000u, 0xbfffffffu, 0xc0002000u, 0xffffffffu}) {
		EXPECT_FALSE(msr_bitmap_covers(msr)) << std::hex << msr;
		EXPECT_TRUE(msr_bitmap_exits(&zero, msr, false)) << std::hex << msr;
		EXPECT_TRUE(msr_bitmap_exits(&zero, msr, true)) << std::hex << msr;
		EXPECT_FALSE(msr_bitmap_set(&zero, msr, true, true));
	}
	EXPECT_TRUE(msr_bitmap_exits(nullptr, MSR_IA32_X2APIC_EOI, true));
	EXPECT_FALSE(msr_bitmap_exits(&zero, MSR_IA32_X2APIC_EOI, true));
}

TEST(MsrBitmapLayout, KnownMsrsByNameAndAccess)
{
	EXPECT_EQ(x86_msr_by_name("IA32_X2APIC_EOI"), 0x80b);
	EXPECT_EQ(x86_msr_by_name("IA32_X2APIC_ICR"), 0x830);
	EXPECT_EQ(x86_msr_by_name("IA32_X2APIC_LVT_TIMER"), 0x832);
	EXPECT_EQ(x86_msr_by_name("IA32_X2APIC_INIT_COUNT"), 0x838);
	EXPECT_EQ(x86_msr_by_name("IA32_X2APIC_CUR_COUNT"), 0x839);
	EXPECT_EQ(x86_msr_by_name("IA32_X2APIC_DIV_CONF"), 0x83e);
	EXPECT_EQ(x86_msr_by_name("IA32_FS_BASE"), -1);
	EXPECT_STREQ(x86_msr_name(0x48b), "IA32_VMX_PROCBASED_CTLS2");
	EXPECT_EQ(x86_msr_name(0x10), nullptr);
	EXPECT_EQ(x86_msr_access(MSR_IA32_X2APIC_EOI), X86_MSR_WRITE);
	EXPECT_EQ(x86_msr_access(MSR_IA32_X2APIC_CUR_COUNT), X86_MSR_READ);
	EXPECT_EQ(x86_msr_access(MSR_IA32_X2APIC_INIT_COUNT), X86_MSR_READ | X86_MSR_WRITE);
	char names[512];
	x86_msr_names(X86_MSR_READ | X86_MSR_WRITE, names, sizeof(names));
	EXPECT_STREQ(names, "IA32_X2APIC_TPR, IA32_X2APIC_LVT_CMCI, IA32_X2APIC_LVT_TIMER, IA32_X2APIC_INIT_COUNT, IA32_X2APIC_DIV_CONF, "
	                    "IA32_DEBUGCTL, IA32_MCG_STATUS, IA32_MCG_CTL, IA32_MC0_CTL2 to IA32_MC31_CTL2, IA32_MC0_CTL to IA32_MC31_MISC");
}

/* 26.1.3: without "use MSR bitmaps" every RDMSR and WRMSR exits. */
TEST_F(MsrBitmaps, WithoutTheControlEveryMsrAccessExits)
{
	v.msr_bitmap = &page;   /* a zero page, but the control is 0 */
	EXPECT_EQ(RunOne(Op(VMX_OP_EOI)), (uint32_t)EXIT_REASON_MSR_WRITE);
	Use("nehalem");
	EXPECT_EQ(RunOne(Rdmsr(MSR_IA32_VMX_BASIC)), (uint32_t)EXIT_REASON_MSR_READ);
	EXPECT_EQ(Get(VM_EXIT_INSTRUCTION_LEN), 2u);
	EXPECT_EQ(Get(GUEST_RIP), kGuestBase);
}

/* Read-low: RDMSR of a low MSR exits on its bit; with the bit 0 it reads the processor's MSR. */
TEST_F(MsrBitmaps, ReadLowQuarter)
{
	UseBitmaps();
	msr_bitmap_set(&page, MSR_IA32_VMX_BASIC, false, true);
	EXPECT_EQ(RunOne(Rdmsr(MSR_IA32_VMX_BASIC)), (uint32_t)EXIT_REASON_MSR_READ);
	Use("nehalem");
	UseBitmaps();
	msr_bitmap_set(&page, MSR_IA32_VMX_BASIC, true, true);   /* the write bit does not matter */
	EXPECT_EQ(RunOne(Rdmsr(MSR_IA32_VMX_BASIC)), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(mem.gpr[X86_GPR_rax], model.caps.basic);
}

/* Write-low: the guest's EOI exits on the EOI bit; with it 0 it retires the LAPIC's in-service vector. */
TEST_F(MsrBitmaps, WriteLowQuarterAndTheEoiThatGoesThrough)
{
	UseBitmaps();
	msr_bitmap_set(&page, MSR_IA32_X2APIC_EOI, true, true);
	EXPECT_EQ(RunOne(Op(VMX_OP_EOI)), (uint32_t)EXIT_REASON_MSR_WRITE);
	Use("nehalem");
	UseBitmaps();
	msr_bitmap_set(&page, MSR_IA32_X2APIC_EOI, false, true);  /* the read bit does not matter */
	lp.apic.isr[0x30 / 64] |= 1ull << (0x30 % 64);
	EXPECT_EQ(RunOne(Op(VMX_OP_EOI)), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(lapic_highest_isr(&lp.apic), -1);
	ASSERT_EQ(Count(HW_EOI), 1);
	for (const auto &e : events) {
		if (e.kind == HW_EOI) {
			EXPECT_TRUE(e.non_root);
		}
	}
}

/* The ICR's WRMSR that goes through is sent by the processor. */
TEST_F(MsrBitmaps, AnIpiThatGoesThroughIsSent)
{
	struct Sent {
		uint32_t src = 99, dest = 99, vector = 0;
	} sent;
	UseBitmaps();
	lp.send_ipi = [](void *ctx, uint32_t src, uint32_t dest, uint32_t vector) {
		*static_cast<Sent *>(ctx) = {src, dest, vector};
	};
	lp.send_ipi_ctx = &sent;
	EXPECT_EQ(RunOne(Op(VMX_OP_IPI, 1, 0x41)), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(sent.dest, 1u);
	EXPECT_EQ(sent.vector, 0x41u);
	EXPECT_EQ(Count(HW_IPI), 1);
}

/* Read-high and write-high are their own quarters: the low bit of the same offset does not count. */
TEST_F(MsrBitmaps, HighQuartersAreApartFromTheLowOnes)
{
	SetBits(EXCEPTION_BITMAP, 1u << GP_VECTOR);
	UseBitmaps();
	msr_bitmap_set(&page, kFsBase, false, true);
	msr_bitmap_set(&page, kFsBase & 0x1fffu, true, true);
	EXPECT_EQ(RunOne(Rdmsr(kFsBase)), (uint32_t)EXIT_REASON_MSR_READ);
	Use("nehalem");
	SetBits(EXCEPTION_BITMAP, 1u << GP_VECTOR);
	UseBitmaps();
	msr_bitmap_set(&page, kFsBase, false, true);
	/* The write bit of FS_BASE is 0: the WRMSR executes, and the model has no such MSR (#GP). */
	EXPECT_EQ(RunOne(Wrmsr(kFsBase, 0)), (uint32_t)EXIT_REASON_EXCEPTION_NMI);
	EXPECT_EQ(intr_info_vector((uint32_t)Get(VM_EXIT_INTR_INFO)), GP_VECTOR);
	Use("nehalem");
	UseBitmaps();
	msr_bitmap_set(&page, kFsBase, true, true);
	EXPECT_EQ(RunOne(Wrmsr(kFsBase, 0)), (uint32_t)EXIT_REASON_MSR_WRITE);
}

/* An MSR outside both ranges exits whatever the bitmap holds. */
TEST_F(MsrBitmaps, AnMsrOutsideTheRangesAlwaysExits)
{
	UseBitmaps();
	EXPECT_EQ(RunOne(Rdmsr(0x40000000u)), (uint32_t)EXIT_REASON_MSR_READ);
}

/* No memory behind the address reads as all ones: every MSR exits. */
TEST_F(MsrBitmaps, APageWithoutMemoryInterceptsEverything)
{
	UseBitmaps();
	v.msr_bitmap = nullptr;
	EXPECT_EQ(RunOne(Op(VMX_OP_EOI)), (uint32_t)EXIT_REASON_MSR_WRITE);
}

/* The bitmap is read at each access, not latched at VM entry. */
TEST_F(MsrBitmaps, TheBitmapIsReadAtEachAccess)
{
	UseBitmaps();
	Program({Op(VMX_OP_EOI), Op(VMX_OP_EOI), Op(VMX_OP_VMCALL)});
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	msr_bitmap_set(&page, MSR_IA32_X2APIC_EOI, true, true);
	EXPECT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_MSR_WRITE);
	EXPECT_EQ(Get(GUEST_RIP), kGuestBase);
}

/* A store to the program's own bitmap page: never an exit. */
TEST_F(MsrBitmaps, TheStoreInstructionWritesTheProgramsPage)
{
	Program({Op(VMX_OP_MSR_BITMAP, MSR_IA32_X2APIC_EOI, VMX_MSR_BITMAP_WRITE | VMX_MSR_BITMAP_SET),
	         Op(VMX_OP_MSR_BITMAP, MSR_IA32_VMX_BASIC, VMX_MSR_BITMAP_SET), Op(VMX_OP_VMCALL)});
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_TRUE(msr_bitmap_exits(&mem.msr_bitmap, MSR_IA32_X2APIC_EOI, true));
	EXPECT_FALSE(msr_bitmap_exits(&mem.msr_bitmap, MSR_IA32_X2APIC_EOI, false));
	EXPECT_TRUE(msr_bitmap_exits(&mem.msr_bitmap, MSR_IA32_VMX_BASIC, false));
	Use("nehalem");
	Program({Op(VMX_OP_MSR_BITMAP, MSR_IA32_X2APIC_EOI, VMX_MSR_BITMAP_WRITE), Op(VMX_OP_VMCALL)});
	mem.msr_bitmap.bytes[2048 + 0x80b / 8] = 0xff;
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(mem.msr_bitmap.bytes[2048 + 0x80b / 8], 0xf7u);
}

/* 26.2.1.1: with "use MSR bitmaps" the address is 4-KByte aligned, else VMfailValid 7. */
TEST_F(MsrBitmaps, AMisalignedAddressFailsEntryWith7)
{
	UseBitmaps();
	Set(MSR_BITMAP, 0x1001);
	EXPECT_EQ(Launch(), VMX_ENTRY_FAIL_VALID);
	EXPECT_EQ(Get(VM_INSTRUCTION_ERROR), 7u);
	EXPECT_EQ(LastCheck(), "MSR-bitmap address is 4-KByte aligned (bits 11:0 are 0)");
	Set(MSR_BITMAP, 0x1800);
	EXPECT_EQ(Launch(), VMX_ENTRY_FAIL_VALID);
	Set(MSR_BITMAP, 0x2000);
	EXPECT_EQ(Launch(), VMX_ENTRY_OK) << LastCheck();
}

/* ... and within the physical-address width: 40 bits on nehalem, 36 on core2. */
TEST_F(MsrBitmaps, AnAddressBeyondThePhysicalWidthFailsEntryWith7)
{
	EXPECT_EQ(model.phys_addr_bits, 40u);
	UseBitmaps();
	Set(MSR_BITMAP, 1ull << 40);
	EXPECT_EQ(Launch(), VMX_ENTRY_FAIL_VALID);
	EXPECT_EQ(Get(VM_INSTRUCTION_ERROR), 7u);
	EXPECT_EQ(LastCheck(), "MSR-bitmap address within the physical-address width");
	Set(MSR_BITMAP, (1ull << 40) - 0x1000);
	EXPECT_EQ(Launch(), VMX_ENTRY_OK) << LastCheck();

	Use("core2-no-vnmi");
	UseBitmaps();
	Set(MSR_BITMAP, 1ull << 36);
	EXPECT_EQ(Launch(), VMX_ENTRY_FAIL_VALID);
	EXPECT_EQ(Get(VM_INSTRUCTION_ERROR), 7u);
}

/* Without the control the address is not looked at. */
TEST_F(MsrBitmaps, WithoutTheControlAnyAddressEnters)
{
	Set(MSR_BITMAP, 0x1001);
	EXPECT_EQ(Launch(), VMX_ENTRY_OK) << LastCheck();
}

/* Root operation: no bitmap, RDMSR and WRMSR simply execute. */
TEST_F(MsrBitmaps, InRootOperationNothingExits)
{
	vmx_guest_mem host{};
	vmx_program hp{};
	std::vector<vmx_insn> hc = {Rdmsr(MSR_IA32_VMX_MISC), Op(VMX_OP_WORK, 10)};
	vmx_program_layout(&hp, hc.data(), (uint32_t)hc.size(), kGuestBase);
	vmx_guest_mem_init(&host, &hp);
	vmx_lp_init(&lp, &model, 0, &host);
	vmx_lp_run(&lp, 100);
	EXPECT_EQ(host.gpr[X86_GPR_rax], model.caps.misc);
	EXPECT_FALSE(lp.non_root);
}
