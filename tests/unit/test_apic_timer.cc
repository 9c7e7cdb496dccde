/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The local APIC timer (SDM Vol. 3A 11.5.4): its registers, the divide
 * encoding, one-shot and periodic counts, masking, stopping, and the
 * processor raising its interrupt - as a guest programs it through WRMSRs
 * that the MSR bitmap lets through, or as root software does.
 *
 * The model counts at the TSC divided by the divide value (docs/cpu-models.md).
 * Timing on the nehalem model: entry 1000 cycles, exit 1000, one
 * instruction 1, delivery 50.
 */
#include "hw_fixture.h"

#include "model/hw/lapic_timer.h"
#include "vmcs/msr_bitmap.h"
#include "vmcs/x2apic_timer.h"
#include "vmcs/x86_msr.h"

namespace {

/* The three WRMSRs of `apic-timer MODE VECTOR COUNT divide DIV`. */
std::vector<vmx_insn> Arm(uint32_t mode, uint8_t vector, uint32_t count, uint32_t divide, bool masked = false)
{
	uint32_t dcr = 0;
	EXPECT_TRUE(apic_timer_dcr_of(divide, &dcr));
	return {Wrmsr(MSR_IA32_X2APIC_DIV_CONF, dcr),
	        Wrmsr(MSR_IA32_X2APIC_LVT_TIMER, vector | mode | (masked ? APIC_LVT_MASKED : 0u)),
	        Wrmsr(MSR_IA32_X2APIC_INIT_COUNT, count)};
}

class ApicTimer : public HwTest {
protected:
	msr_bitmap zero{};

	/* The guest owns the LAPIC: a zero MSR bitmap; interrupts exit unless `deliver`. */
	void Passthrough(bool deliver = false)
	{
		SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_USE_MSR_BITMAPS);
		Set(MSR_BITMAP, 0x5000);
		v.msr_bitmap = &zero;
		if (deliver)
			ClearBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_EXT_INTR_MASK);
		else
			SetBits(VM_EXIT_CONTROLS, VM_EXIT_ACK_INTR_ON_EXIT);
	}

	std::vector<uint64_t> Fired() const
	{
		std::vector<uint64_t> at;
		for (const auto &e : events)
			if (e.kind == HW_APIC_TIMER)
				at.push_back(e.cycle);
		return at;
	}
};

}  // namespace

/* Figure 11-10: bits 3, 1, 0 of the DCR. */
TEST(ApicTimerRegisters, DivideEncoding)
{
	const uint32_t want[16] = {2, 4, 8, 16, 2, 4, 8, 16, 32, 64, 128, 1, 32, 64, 128, 1};
	for (uint32_t dcr = 0; dcr < 16; dcr++)
		EXPECT_EQ(apic_timer_divide(dcr), want[dcr]) << dcr;
	for (uint32_t d : {1u, 2u, 4u, 8u, 16u, 32u, 64u, 128u}) {
		uint32_t dcr = 99;
		ASSERT_TRUE(apic_timer_dcr_of(d, &dcr));
		EXPECT_EQ(apic_timer_divide(dcr), d);
		EXPECT_EQ(dcr & ~APIC_TDCR_MASK, 0u);
	}
	uint32_t dcr;
	EXPECT_FALSE(apic_timer_dcr_of(3, &dcr));
	EXPECT_FALSE(apic_timer_dcr_of(256, &dcr));
}

TEST(ApicTimerRegisters, ReservedBitsAreRefused)
{
	EXPECT_TRUE(apic_timer_value_ok(MSR_IA32_X2APIC_LVT_TIMER, 0x30040));
	EXPECT_TRUE(apic_timer_value_ok(MSR_IA32_X2APIC_LVT_TIMER, APIC_LVT_TIMER_TSC_DEADLINE | 0x40));
	EXPECT_FALSE(apic_timer_value_ok(MSR_IA32_X2APIC_LVT_TIMER, 3u << 17));       /* mode 3 */
	EXPECT_FALSE(apic_timer_value_ok(MSR_IA32_X2APIC_LVT_TIMER, 1u << 8));        /* delivery mode bits */
	EXPECT_TRUE(apic_timer_value_ok(MSR_IA32_X2APIC_DIV_CONF, 0xb));
	EXPECT_FALSE(apic_timer_value_ok(MSR_IA32_X2APIC_DIV_CONF, 0x4));
	EXPECT_TRUE(apic_timer_value_ok(MSR_IA32_X2APIC_INIT_COUNT, 0xffffffffu));
	EXPECT_FALSE(apic_timer_value_ok(MSR_IA32_X2APIC_INIT_COUNT, 0x100000000ull));
	EXPECT_FALSE(apic_timer_value_ok(MSR_IA32_X2APIC_CUR_COUNT, 0));               /* read-only */
	EXPECT_FALSE(apic_timer_value_ok(MSR_IA32_X2APIC_EOI, 0));
}

/* The count: one every `divide` cycles from the write of the initial count. */
TEST(ApicTimerRegisters, CurrentCountAndOneShotExpiry)
{
	lapic_timer t;
	lapic_timer_reset(&t);
	uint64_t v = 0, when = 0;
	uint8_t vec = 0;

	ASSERT_TRUE(lapic_timer_read(&t, MSR_IA32_X2APIC_LVT_TIMER, 0, &v));
	EXPECT_EQ(v, (uint64_t)APIC_LVT_MASKED);                  /* reset: masked */
	EXPECT_EQ(apic_timer_divide(t.dcr), 2u);                  /* reset: divide by 2 */
	ASSERT_TRUE(lapic_timer_write(&t, MSR_IA32_X2APIC_DIV_CONF, 0x1, 0));      /* divide by 4 */
	ASSERT_TRUE(lapic_timer_write(&t, MSR_IA32_X2APIC_LVT_TIMER, 0x40, 0));
	ASSERT_TRUE(lapic_timer_write(&t, MSR_IA32_X2APIC_INIT_COUNT, 100, 1000));
	EXPECT_EQ(lapic_timer_next(&t), 1400u);
	EXPECT_EQ(lapic_timer_current(&t, 1000), 100u);
	EXPECT_EQ(lapic_timer_current(&t, 1003), 100u);
	EXPECT_EQ(lapic_timer_current(&t, 1004), 99u);
	EXPECT_EQ(lapic_timer_current(&t, 1399), 1u);
	EXPECT_EQ(lapic_timer_current(&t, 1400), 0u);
	EXPECT_FALSE(lapic_timer_expire(&t, 1399, &when, &vec));
	EXPECT_EQ(when, UINT64_MAX);
	EXPECT_TRUE(lapic_timer_expire(&t, 1405, &when, &vec));
	EXPECT_EQ(when, 1400u);
	EXPECT_EQ(vec, 0x40);
	EXPECT_EQ(lapic_timer_next(&t), UINT64_MAX);              /* one-shot: stopped at 0 */
	ASSERT_TRUE(lapic_timer_read(&t, MSR_IA32_X2APIC_INIT_COUNT, 2000, &v));
	EXPECT_EQ(v, 100u);
	ASSERT_TRUE(lapic_timer_read(&t, MSR_IA32_X2APIC_CUR_COUNT, 2000, &v));
	EXPECT_EQ(v, 0u);
}

/* Periodic: reloaded at each expiry, so the period never drifts; a new divide value applies at once. */
TEST(ApicTimerRegisters, PeriodicReloadAndDivideChange)
{
	lapic_timer t;
	lapic_timer_reset(&t);
	uint64_t when = 0;
	uint8_t vec = 0;

	ASSERT_TRUE(lapic_timer_write(&t, MSR_IA32_X2APIC_DIV_CONF, 0xb, 0));      /* divide by 1 */
	ASSERT_TRUE(lapic_timer_write(&t, MSR_IA32_X2APIC_LVT_TIMER, APIC_LVT_TIMER_PERIODIC | 0x30, 0));
	ASSERT_TRUE(lapic_timer_write(&t, MSR_IA32_X2APIC_INIT_COUNT, 500, 100));
	EXPECT_TRUE(lapic_timer_expire(&t, 700, &when, &vec));
	EXPECT_EQ(when, 600u);
	EXPECT_EQ(lapic_timer_next(&t), 1100u);                   /* from the expiry, not from 700 */
	EXPECT_EQ(lapic_timer_current(&t, 700), 400u);
	ASSERT_TRUE(lapic_timer_write(&t, MSR_IA32_X2APIC_DIV_CONF, 0x0, 700));    /* divide by 2 */
	EXPECT_EQ(lapic_timer_current(&t, 700), 400u);
	EXPECT_EQ(lapic_timer_next(&t), 1500u);
	/* Masked: the count goes on and reloads, but nothing is raised. */
	ASSERT_TRUE(lapic_timer_write(&t, MSR_IA32_X2APIC_LVT_TIMER, APIC_LVT_TIMER_PERIODIC | APIC_LVT_MASKED | 0x30,
	                              700));
	EXPECT_FALSE(lapic_timer_expire(&t, 1500, &when, &vec));
	EXPECT_EQ(when, 1500u);
	EXPECT_EQ(lapic_timer_next(&t), 2500u);
	/* TSC-deadline mode disarms it and ignores the initial count. */
	ASSERT_TRUE(lapic_timer_write(&t, MSR_IA32_X2APIC_LVT_TIMER, APIC_LVT_TIMER_TSC_DEADLINE | 0x30, 1600));
	EXPECT_EQ(lapic_timer_next(&t), UINT64_MAX);
	ASSERT_TRUE(lapic_timer_write(&t, MSR_IA32_X2APIC_INIT_COUNT, 10, 1600));
	EXPECT_EQ(lapic_timer_next(&t), UINT64_MAX);
}

/* One-shot, in L2 with the timer's MSRs let through: it exits once, at the exact cycle. */
TEST_F(ApicTimer, OneShotFiresOnceAtItsDeadline)
{
	Passthrough();
	auto insns = Arm(APIC_LVT_TIMER_ONESHOT, 0x40, 1000, 4);
	insns.push_back(Work(1000000));
	Program(insns);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	/* Entry 1000, three WRMSRs: the count starts at 1003 and reaches 0 at 1003 + 4000. */
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_EXTERNAL_INTERRUPT);
	EXPECT_EQ(Get(VM_EXIT_INTR_INFO), 0x80000040u);
	EXPECT_EQ(Fired(), std::vector<uint64_t>{5003});
	EXPECT_EQ(Get(GUEST_RIP), At(3) + (5003 - 1003));
	EXPECT_EQ(vmx_lp_apic_timer_deadline(&lp), UINT64_MAX);
}

/* Periodic, delivered through L2's IDT: every period, the handler's EOI going through too. */
TEST_F(ApicTimer, PeriodicFiresEveryPeriodAndTheGuestTakesEach)
{
	Passthrough(true);
	auto insns = Arm(APIC_LVT_TIMER_PERIODIC, 0x30, 2000, 1);
	insns.push_back(Op(VMX_OP_HLT));                      /* 3 */
	insns.push_back(Op(VMX_OP_JMP, 0));                   /* 4: to the HLT, below */
	insns.push_back(Op(VMX_OP_EOI));                      /* 5: the handler */
	insns.push_back(Op(VMX_OP_IRET));
	Program(insns);
	code[4].arg = At(3);
	Gate(0x30, 5);
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	EXPECT_EQ(vmx_lp_run(&lp, 10000), VMX_RUN_LIMIT);
	EXPECT_EQ(Fired(), (std::vector<uint64_t>{3003, 5003, 7003, 9003}));
	EXPECT_EQ(Count(HW_DELIVER), 4);
	EXPECT_EQ(Count(HW_EOI), 4);
	EXPECT_EQ(Count(HW_VMEXIT), 0);
}

/* Masked: the count runs and reloads, and nothing reaches the IRR. */
TEST_F(ApicTimer, MaskedRaisesNothing)
{
	Passthrough(true);
	auto insns = Arm(APIC_LVT_TIMER_PERIODIC, 0x30, 100, 1, true);
	insns.push_back(Work(1000000));
	Program(insns);
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	EXPECT_EQ(vmx_lp_run(&lp, 5000), VMX_RUN_LIMIT);
	EXPECT_TRUE(Fired().empty());
	EXPECT_EQ(lapic_highest_irr(&lp.apic), -1);
	EXPECT_EQ(Count(HW_DELIVER), 0);
	/* Still counting: the next expiry is ahead, on the period's grid from 1003. */
	EXPECT_GT(vmx_lp_apic_timer_deadline(&lp), lp.cycle);
	EXPECT_EQ((vmx_lp_apic_timer_deadline(&lp) - 1003) % 100, 0u);
}

/* A count of 0 stops it. */
TEST_F(ApicTimer, WritingZeroStopsIt)
{
	Passthrough();
	auto insns = Arm(APIC_LVT_TIMER_PERIODIC, 0x30, 100, 1);
	insns.push_back(Wrmsr(MSR_IA32_X2APIC_INIT_COUNT, 0));
	insns.push_back(Work(1000000));
	Program(insns);
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	EXPECT_EQ(vmx_lp_run(&lp, 5000), VMX_RUN_LIMIT);
	EXPECT_TRUE(Fired().empty());
	EXPECT_EQ(vmx_lp_apic_timer_deadline(&lp), UINT64_MAX);
}

/* A write with reserved bits raises #GP(0), and the timer is left as it was. */
TEST_F(ApicTimer, ReservedBitsRaiseGp)
{
	Passthrough();
	SetBits(EXCEPTION_BITMAP, 1u << GP_VECTOR);
	Program({Wrmsr(MSR_IA32_X2APIC_DIV_CONF, 0x4), Work(100)});
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_EXCEPTION_NMI);
	EXPECT_EQ(intr_info_vector((uint32_t)Get(VM_EXIT_INTR_INFO)), GP_VECTOR);
	EXPECT_EQ(lp.apic.timer.dcr, 0u);
}

/* The guest reads the current count through RDMSR. */
TEST_F(ApicTimer, TheCurrentCountIsReadable)
{
	Passthrough();
	auto insns = Arm(APIC_LVT_TIMER_ONESHOT, 0x30, 1000, 2);
	insns.push_back(Work(100));
	vmx_insn rd = Op(VMX_OP_RDMSR, MSR_IA32_X2APIC_CUR_COUNT);
	rd.dst = VMX_REG(X86_GPR_rbx);
	insns.push_back(rd);
	insns.push_back(Op(VMX_OP_VMCALL));
	Program(insns);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	/* The RDMSR runs at 1103: 100 cycles after the start, 50 counts gone. */
	EXPECT_EQ(mem.gpr[X86_GPR_rbx], 950u);
}

/* Without the bitmap the guest's timer WRMSR exits, and the timer stays untouched. */
TEST_F(ApicTimer, WithoutTheBitmapTheWriteExits)
{
	Program(Arm(APIC_LVT_TIMER_ONESHOT, 0x30, 10, 1));
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_MSR_WRITE);
	EXPECT_EQ(lp.apic.timer.dcr, 0u);
}

/* Root software written in C spends cycles: the timer fires during them. */
TEST_F(ApicTimer, RootSoftwareSeesItWhileItSpends)
{
	vmx_lp_init(&lp, &model, 0, nullptr);
	vmx_lp_set_observer(&lp, &HwTest::Observe, this);
	ASSERT_TRUE(lapic_timer_write(&lp.apic.timer, MSR_IA32_X2APIC_LVT_TIMER, 0x50, 0));
	ASSERT_TRUE(lapic_timer_write(&lp.apic.timer, MSR_IA32_X2APIC_INIT_COUNT, 100, 0));   /* divide by 2 */
	vmx_lp_spend(&lp, 150);
	EXPECT_TRUE(Fired().empty());
	vmx_lp_spend(&lp, 100);
	EXPECT_EQ(Fired(), std::vector<uint64_t>{200});
	EXPECT_EQ(vmx_lp_host_intr_ack(&lp), 0x50);
}
