/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rules_apicv.cc - APIC virtualization (SDM Vol. 3C "APIC
 * Virtualization and Virtual Interrupts"): TPR, PPR, EOI and self-IPI
 * virtualization (30.1), virtual-interrupt delivery and its place among
 * the events of a boundary (30.2, R23, R24), x2APIC virtualization (30.5),
 * posted-interrupt processing (30.6) and the R5 entry checks on the
 * addresses.
 */
#include <cstring>

#include "tests/unit/hw_fixture.h"
#include "vmcs/msr_bitmap.h"
#include "vmcs/x86_gpr.h"
#include "vmcs/x86_msr.h"

namespace {

constexpr uint8_t kNv = 0xf2;   /* the posted-interrupt notification vector */

class RuleApicv : public HwTest {
protected:
	msr_bitmap page{};   /* all zero: no x2APIC access exits */

	/*
	 * sapphire-rapids with use TPR shadow, a zero MSR bitmap, virtualize x2APIC mode,
	 * APIC-register virtualization and virtual-interrupt delivery (which
	 * needs external-interrupt exiting, R5: the fixture sets it); with
	 * `posted`, process posted interrupts and acknowledge interrupt on exit.
	 */
	void Apicv(bool posted = false)
	{
		Use("sapphire-rapids");
		SetBits(CPU_BASED_VM_EXEC_CONTROL,
		        CPU_BASED_TPR_SHADOW | CPU_BASED_ACTIVATE_SECONDARY_CONTROLS | CPU_BASED_USE_MSR_BITMAPS);
		v.msr_bitmap = &page;
		Set(SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE | SECONDARY_EXEC_APIC_REGISTER_VIRT |
		                                   SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY);
		Set(VIRTUAL_APIC_PAGE_ADDR, 0x300000);
		if (posted) {
			SetBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_POSTED_INTR);
			SetBits(VM_EXIT_CONTROLS, VM_EXIT_ACK_INTR_ON_EXIT);
			Set(POSTED_INTR_NV, kNv);
			Set(POSTED_INTR_DESC_ADDR, 0x301000);
		}
	}

	/* A virtual interrupt requested before the entry: its VIRR bit and RVI. */
	void Request(uint8_t vector)
	{
		vec_set(v.vapic.irr, vector);
		Set(GUEST_INTR_STATUS, (Get(GUEST_INTR_STATUS) & 0xff00u) | vector);
	}
};

/* R24 5.5: below NMI (5), above external interrupts (6); needs IF = 1 and interrupt-window exiting 0. */
TEST_F(RuleApicv, R24_VirtualInterruptDeliveryBelowNmiAboveExtInt)
{
	Apicv();
	Request(0x31);
	ASSERT_EQ(Launch(), VMX_ENTRY_OK) << LastCheck();
	EXPECT_TRUE(lp.vintr_recognised);
	vmx_lp_nmi(&lp);
	vmx_lp_irq(&lp, 0x33);
	EXPECT_EQ(vmx_arbitrate(&lp), VMX_DECIDE_NMI_EXIT);
	lp.nmi_latched = false;
	EXPECT_EQ(vmx_arbitrate(&lp), VMX_DECIDE_VINTR_DELIVER);
	EXPECT_STREQ(vmx_decision_name(VMX_DECIDE_VINTR_DELIVER), "virtual-intr-deliver");
	lp.ctl.proc |= CPU_BASED_INTR_WINDOW_EXITING;
	EXPECT_EQ(vmx_arbitrate(&lp), VMX_DECIDE_INTR_WINDOW_EXIT);
	lp.ctl.proc &= ~(uint32_t)CPU_BASED_INTR_WINDOW_EXITING;
	lp.ctx.rflags &= ~(uint64_t)X86_EFLAGS_IF;   /* IF blocks it; R1: not the external interrupt */
	EXPECT_EQ(vmx_arbitrate(&lp), VMX_DECIDE_EXTINT_EXIT);
}

/* 26.3.2.5, 30.2.2: delivered at the first boundary after the entry; RVI, SVI, VPPR, VIRR, VISR as 30.2.2 says. */
TEST_F(RuleApicv, DeliveryAtEntryUpdatesTheVirtualApic)
{
	Apicv();
	Program({Work(100000), Op(VMX_OP_VMCALL)});
	Gate(0x52, 1);
	Request(0x31);
	Request(0x52);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	auto d = Of(HW_DELIVER);
	ASSERT_EQ(d.size(), 1u);
	EXPECT_EQ(d[0].vector, 0x52u);
	EXPECT_EQ(d[0].rip, At(1));
	EXPECT_EQ(Get(GUEST_INTR_STATUS), 0x5231u);   /* SVI 0x52, RVI 0x31 (saved at the exit) */
	EXPECT_EQ(v.vapic.ppr, 0x50u);
	EXPECT_TRUE(vec_test(v.vapic.isr, 0x52));
	EXPECT_FALSE(vec_test(v.vapic.irr, 0x52));
	EXPECT_TRUE(vec_test(v.vapic.irr, 0x31));
}

/* R23: a recognised virtual interrupt wakes HLT (and needs IF = 1 to be delivered). */
TEST_F(RuleApicv, R23_VirtualInterruptWakesHlt)
{
	Apicv();
	Program({Work(1), Op(VMX_OP_VMCALL)});
	Gate(0x31, 1);
	Set(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_HLT);
	Request(0x31);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(Count(HW_WAKE), 1);
	EXPECT_EQ(Of(HW_DELIVER).at(0).vector, 0x31u);

	Apicv();
	Program({Work(1), Op(VMX_OP_VMCALL)});
	Gate(0x31, 1);
	Set(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_HLT);
	Set(GUEST_RFLAGS, X86_EFLAGS_FIXED);   /* IF = 0: it stays pending, the processor halted */
	Request(0x31);
	events.clear();
	EXPECT_EQ(LaunchAndRun(10000), VMX_RUN_LIMIT);
	EXPECT_EQ(Count(HW_WAKE), 0);
	EXPECT_EQ(lp.ctx.activity, (uint32_t)GUEST_ACTIVITY_HLT);
}

/* 30.1.3: VPPR is VTPR, or SVI's class when that is higher; a VTPR class at or above RVI's holds it back. */
TEST_F(RuleApicv, PprVirtualizationAtEntryHoldsBackALowerRequest)
{
	Apicv();
	v.vapic.tpr = 0x60;
	Request(0x52);
	ASSERT_EQ(Launch(), VMX_ENTRY_OK) << LastCheck();
	EXPECT_EQ(v.vapic.ppr, 0x60u);
	EXPECT_FALSE(lp.vintr_recognised);
	Apicv();
	v.vapic.tpr = 0x20;
	Set(GUEST_INTR_STATUS, 0x4000);   /* SVI 0x40 */
	ASSERT_EQ(Launch(), VMX_ENTRY_OK) << LastCheck();
	EXPECT_EQ(v.vapic.ppr, 0x40u);
}

/* R5 and 26.2.1.1: the descriptor and the pages lie within the physical-address width. */
TEST_F(RuleApicv, R5_PostedInterruptDescriptorAboveAddressWidthFails)
{
	Apicv(true);
	Set(POSTED_INTR_DESC_ADDR, 1ull << model.phys_addr_bits);
	EXPECT_EQ(Launch(), VMX_ENTRY_FAIL_VALID);
	EXPECT_EQ(Get(VM_INSTRUCTION_ERROR), 7u);
	EXPECT_EQ(LastCheck(), "R5: posted-interrupt descriptor address within the physical-address width");
	Set(POSTED_INTR_DESC_ADDR, (1ull << model.phys_addr_bits) - 64);
	EXPECT_EQ(Launch(), VMX_ENTRY_OK) << LastCheck();
}

TEST_F(RuleApicv, R5_VirtualApicAndApicAccessAddressesAboveAddressWidthFail)
{
	Apicv();
	Set(VIRTUAL_APIC_PAGE_ADDR, 1ull << model.phys_addr_bits);
	EXPECT_EQ(Launch(), VMX_ENTRY_FAIL_VALID);
	EXPECT_EQ(LastCheck(), "virtual-APIC address within the physical-address width (use TPR shadow)");
	Use("sapphire-rapids");
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS);
	Set(SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES);
	Set(APIC_ACCESS_ADDR, 1ull << model.phys_addr_bits);
	EXPECT_EQ(Launch(), VMX_ENTRY_FAIL_VALID);
	EXPECT_EQ(LastCheck(), "APIC-access address within the physical-address width (virtualize APIC accesses)");
}

/* 30.1.4: the EOI-exit bitmap turns a virtual EOI into a trap-like exit 45, qualification the vector. */
TEST_F(RuleApicv, EoiExitBitmapMakesEoiInducedExit45)
{
	Apicv();
	Program({Op(VMX_OP_EOI), Op(VMX_OP_VMCALL)});
	vec_set(v.vapic.isr, 0x40);
	vec_set(v.vapic.isr, 0x21);
	Set(GUEST_INTR_STATUS, 0x4000);   /* SVI 0x40 */
	Set(EOI_EXIT_BITMAP1, 1);         /* vector 64 */
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_EOI_INDUCED);
	EXPECT_EQ(Get(EXIT_QUALIFICATION), 0x40u);
	EXPECT_EQ(Get(GUEST_RIP), At(1));            /* trap-like: past the WRMSR */
	EXPECT_EQ(Get(VM_EXIT_INSTRUCTION_LEN), 0u);
	EXPECT_EQ(Get(GUEST_INTR_STATUS), 0x2100u);  /* SVI: the next vector in service */
	EXPECT_EQ(v.vapic.ppr, 0x20u);
	EXPECT_FALSE(vec_test(v.vapic.isr, 0x40));

	Set(EOI_EXIT_BITMAP1, 0);   /* the next EOI (of 0x21) is not sent to the hypervisor */
	Program({Op(VMX_OP_EOI), Op(VMX_OP_VMCALL)});
	Set(GUEST_RIP, At(0));
	ASSERT_EQ(vmx_lp_vmentry(&lp, false), VMX_ENTRY_OK) << LastCheck();
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 100000), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(Get(GUEST_INTR_STATUS), 0u);
	EXPECT_EQ(v.vapic.ppr, 0u);
}

/* 30.5: a virtualized EOI is a WRMSR of 0; without virtual-interrupt delivery it is the local APIC's. */
TEST_F(RuleApicv, EoiWithoutVidGoesToTheLocalApic)
{
	Apicv();
	Set(SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE);
	Program({Op(VMX_OP_EOI), Op(VMX_OP_VMCALL)});
	lp.apic.isr[0] = 1ull << 0x30;
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(lp.apic.isr[0], 0u);
	EXPECT_EQ(Count(HW_EOI), 1);
}

/* 30.1.2 without VID: TPR virtualization below the threshold is exit 43 (trap-like); with VID, PPR and an evaluation. */
TEST_F(RuleApicv, TprThresholdExitsOnlyWithoutVid)
{
	Apicv();
	Set(SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE);
	Program({Wrmsr(MSR_IA32_X2APIC_TPR, 0x10), Op(VMX_OP_VMCALL)});
	Set(TPR_THRESHOLD, 2);
	v.vapic.tpr = 0x20;
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_TPR_BELOW_THRESHOLD);
	EXPECT_EQ(Get(GUEST_RIP), At(1));
	EXPECT_EQ(v.vapic.tpr, 0x10u);

	Apicv();   /* with VID the threshold is ignored; lowering VTPR releases a held request */
	Program({Wrmsr(MSR_IA32_X2APIC_TPR, 0), Work(100000), Op(VMX_OP_VMCALL)});
	Gate(0x45, 2);
	Set(TPR_THRESHOLD, 0xf);
	v.vapic.tpr = 0x50;
	Request(0x45);
	events.clear();
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	auto d = Of(HW_DELIVER);
	ASSERT_EQ(d.size(), 1u);
	EXPECT_EQ(d[0].vector, 0x45u);
	EXPECT_EQ(Of(HW_VAPIC).at(0).vapic_op, std::string("tpr"));
	EXPECT_EQ(v.vapic.ppr, 0x40u);   /* after the delivery: the vector's class */
}

/* 30.1.5, 30.5: SELF IPI is self-IPI virtualization; a vector below 16 is an APIC-write exit (56) at 0x3f0. */
TEST_F(RuleApicv, SelfIpiVirtualizationAndApicWriteExit)
{
	Apicv();
	Program({Wrmsr(MSR_IA32_X2APIC_SELF_IPI, 0x50), Work(100000), Op(VMX_OP_VMCALL)});
	Gate(0x50, 2);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(Of(HW_DELIVER).at(0).vector, 0x50u);
	EXPECT_EQ(Get(GUEST_INTR_STATUS), 0x5000u);

	Apicv();
	Program({Wrmsr(MSR_IA32_X2APIC_SELF_IPI, 5), Op(VMX_OP_VMCALL)});
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_APIC_WRITE);
	EXPECT_EQ(Get(EXIT_QUALIFICATION), 0x3f0u);
	EXPECT_EQ(Get(GUEST_RIP), At(1));
	EXPECT_EQ(v.vapic.self_ipi, 5u);
	EXPECT_EQ(v.vapic.irr[0], 0u);
}

/* 30.5: reserved bits of a virtualized TPR or EOI write are #GP(0). */
TEST_F(RuleApicv, VirtualizedWriteOfAReservedBitIsGp)
{
	Apicv();
	Program({Wrmsr(MSR_IA32_X2APIC_TPR, 0x100), Op(VMX_OP_VMCALL)});
	Set(EXCEPTION_BITMAP, 1u << GP_VECTOR);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_EXCEPTION_NMI);
	EXPECT_EQ(Get(VM_EXIT_INTR_INFO), 0x80000b0du);
	EXPECT_EQ(Get(GUEST_RIP), At(0));
}

/* 30.5: RDMSR reads the page with APIC-register virtualization; without it only TPR does. */
TEST_F(RuleApicv, X2apicReadsComeFromTheVirtualApicPage)
{
	Apicv();
	Program({Rdmsr(MSR_IA32_X2APIC_ISR1), Op(VMX_OP_VMCALL)});
	vec_set(v.vapic.isr, 0x21);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(mem.gpr[X86_GPR_rax], 2u);   /* vector 33 is bit 1 of ISR1 */

	Apicv();
	Set(SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE);
	Program({Rdmsr(MSR_IA32_X2APIC_TPR), Op(VMX_OP_VMCALL)});
	v.vapic.tpr = 0x70;
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(mem.gpr[X86_GPR_rax], 0x70u);
	Program({Rdmsr(MSR_IA32_X2APIC_PPR), Op(VMX_OP_VMCALL)});
	lp.apic.tpr = 0x30;   /* PPR is not virtualized without APIC-register virtualization: the local APIC's */
	Set(GUEST_RIP, At(0));
	ASSERT_EQ(vmx_lp_vmentry(&lp, false), VMX_ENTRY_OK) << LastCheck();
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 100000), VMX_RUN_EXIT);
	EXPECT_EQ(mem.gpr[X86_GPR_rax], 0x30u);
}

/* 30.6: the notification vector while the guest runs: no exit, PIR into VIRR, delivery at once. */
TEST_F(RuleApicv, PostedInterruptWhileRunning)
{
	Apicv(true);
	Program({Work(1000000), Op(VMX_OP_VMCALL)});
	Gate(0x45, 1);
	ASSERT_EQ(Launch(), VMX_ENTRY_OK) << LastCheck();
	ASSERT_EQ(vmx_lp_run(&lp, 5000), VMX_RUN_LIMIT);
	uint64_t posted_at = lp.cycle;
	ASSERT_TRUE(vmx_lp_post(&lp, 0x45, 0));
	EXPECT_TRUE(v.pi_desc.on);
	EXPECT_TRUE(vec_test(lp.apic.irr, kNv));
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 100000), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	auto vapic = Of(HW_VAPIC);
	ASSERT_EQ(vapic.size(), 2u);
	EXPECT_EQ(vapic[0].vapic_op, std::string("posted"));
	EXPECT_EQ(vapic[0].cycle, posted_at);
	EXPECT_EQ(vapic[0].intr_status, 0x45u);   /* RVI 0x45 */
	EXPECT_EQ(vapic[1].vapic_op, std::string("deliver"));
	EXPECT_EQ(Of(HW_DELIVER).at(0).vector, 0x45u);
	EXPECT_FALSE(v.pi_desc.on);
	EXPECT_EQ(v.pi_desc.pir[1], 0u);
	EXPECT_EQ(lapic_highest_isr(&lp.apic), -1);   /* the notification vector was dismissed */
	EXPECT_EQ(Get(GUEST_INTR_STATUS), 0x4500u);
	EXPECT_EQ(Count(HW_WAKE), 0);
}

/* 30.6, R23: posted while halted: processing leaves HLT to the virtual interrupt it makes recognised. */
TEST_F(RuleApicv, PostedInterruptWhileHalted)
{
	Apicv(true);
	Program({Work(1), Op(VMX_OP_VMCALL)});
	Gate(0x61, 1);
	Set(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_HLT);
	ASSERT_EQ(Launch(), VMX_ENTRY_OK) << LastCheck();
	ASSERT_EQ(vmx_lp_run(&lp, 5000), VMX_RUN_LIMIT);
	EXPECT_EQ(lp.ctx.activity, (uint32_t)GUEST_ACTIVITY_HLT);
	ASSERT_TRUE(vmx_lp_post(&lp, 0x61, 0));
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 100000), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(Count(HW_WAKE), 1);
	EXPECT_EQ(Of(HW_DELIVER).at(0).vector, 0x61u);

	/* Held back by VPPR, the posted vector stays in VIRR and the processor halted. */
	Apicv(true);
	Program({Work(1), Op(VMX_OP_VMCALL)});
	Set(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_HLT);
	v.vapic.tpr = 0x70;
	events.clear();
	ASSERT_EQ(Launch(), VMX_ENTRY_OK) << LastCheck();
	ASSERT_TRUE(vmx_lp_post(&lp, 0x61, 0));
	EXPECT_EQ(vmx_lp_run(&lp, lp.cycle + 10000), VMX_RUN_LIMIT);
	EXPECT_EQ(Count(HW_WAKE), 0);
	EXPECT_EQ(lp.rvi, 0x61u);
	EXPECT_TRUE(vec_test(v.vapic.irr, 0x61));
	EXPECT_EQ(lp.ctx.activity, (uint32_t)GUEST_ACTIVITY_HLT);
}

/* R1, R21: any other vector still exits, acknowledged; PIR is left alone. */
TEST_F(RuleApicv, NonNotificationVectorStillExits)
{
	Apicv(true);
	v.pi_desc.pir[1] = 1ull << 5;   /* 0x45 posted, no notification sent */
	ASSERT_EQ(Launch(), VMX_ENTRY_OK) << LastCheck();
	vmx_lp_irq(&lp, 0x33);
	EXPECT_EQ(vmx_arbitrate(&lp), VMX_DECIDE_EXTINT_EXIT);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_EXTERNAL_INTERRUPT);
	EXPECT_EQ(Get(VM_EXIT_INTR_INFO), 0x80000033u);
	EXPECT_EQ(v.pi_desc.pir[1], 1ull << 5);
}

/* KVM's vmx_deliver_posted_interrupt: with ON already set no second notification is sent. */
TEST_F(RuleApicv, PostingWithOnSetSendsNoNotification)
{
	Apicv(true);
	ASSERT_TRUE(vmx_lp_post(&lp, 0x45, 0));
	ASSERT_TRUE(vmx_lp_post(&lp, 0x46, 0));
	EXPECT_EQ(Count(HW_IRQ_ACCEPTED) + Count(HW_IRQ_COALESCED), 1);
	EXPECT_EQ(v.pi_desc.pir[1], 3ull << 5);
	lp.vmcs = nullptr;   /* no current VMCS: no descriptor */
	EXPECT_FALSE(vmx_lp_post(&lp, 0x45, 7));
	EXPECT_EQ(events.back().kind, HW_NOT_MODELLED);
	EXPECT_EQ(events.back().line, 7u);
}

/* A root program's stores to the page and the descriptor are memory writes: no RVI, no evaluation. */
TEST_F(RuleApicv, RootStoresWriteThePageOfTheCurrentVmcs)
{
	Apicv(true);
	Host({Op(VMX_OP_VAPIC_STORE, VAPIC_IRR, 0x31), Op(VMX_OP_VAPIC_STORE, VAPIC_TPR, 0x20),
	      Op(VMX_OP_VAPIC_STORE, VAPIC_ISR, 0x40), Op(VMX_OP_VAPIC_STORE, VMX_PI_DESC_PIR, 0x45),
	      Op(VMX_OP_WORK, 1000000)});
	EXPECT_EQ(vmx_lp_run(&lp, 100), VMX_RUN_LIMIT);
	EXPECT_TRUE(vec_test(v.vapic.irr, 0x31));
	EXPECT_TRUE(vec_test(v.vapic.isr, 0x40));
	EXPECT_EQ(v.vapic.tpr, 0x20u);
	EXPECT_TRUE(vec_test(v.pi_desc.pir, 0x45));
	EXPECT_TRUE(v.pi_desc.on);
	EXPECT_EQ(lp.rvi, 0u);
}

}  // namespace
