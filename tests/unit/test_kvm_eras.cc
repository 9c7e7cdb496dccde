/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kvm-2011 and kvm-2008 as the code of their time had them (issue 15,
 * items 5-7): the 3.1 nested code that leaves L0's queues alone in guest
 * mode and passes an event cut short in L2 through vmcs12's IDT-vectoring
 * field; 3.1's injection routine and the controls it offered L1; the 2008
 * userspace-irqchip routine, the exception that goes in alone, and the
 * timeout warning's function name. Each test runs a shipped scenario (or a
 * copy with another l0 line) and looks at what the model used to get wrong.
 */
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "scn_text.h"

namespace {

}  // namespace

/* Item 5: the event cut short in L2 reaches L1 in vmcs12 only; nothing is injected into L1, no entry fails. */
TEST(Kvm2011Nested, EventCutShortIsNotInjectedIntoL1)
{
	ScnRun r = RunScenarioText(ShippedScenario("nested/exit-during-delivery.scn"));
	EXPECT_EQ(r.status, VMXSIM_OK) << r.diag;
	EXPECT_TRUE(TraceLinesWith(r.trace, {"failed_vmentry"}).empty()) << r.trace;
	EXPECT_TRUE(TraceLinesWith(r.trace, {"L0 inject", "vector=49"}).empty()) << r.trace;
	EXPECT_EQ(TraceLinesWith(r.trace, {"L1 nested_exit", "reason=EXCEPTION_NMI", "idt_vectoring=0x80000031"}).size(), 1u);
	EXPECT_EQ(TraceLinesWith(r.trace, {"L1 deliver", "vector=32"}).size(), 1u) << r.trace;
}

/* Item 5: an L1 interrupt due while L2's event is being re-injected is not held back by L0's queue. */
TEST(Kvm2011Nested, L1InterruptNotLostBehindReinjection)
{
	ScnRun r = RunScenarioText(ShippedScenario("nested/reinject-with-l1-irq.scn"));
	EXPECT_EQ(r.status, VMXSIM_OK) << r.diag;
	EXPECT_EQ(TraceLinesWith(r.trace, {"L1 deliver", "vector=32"}).size(), 1u) << r.trace;
	/* 3.1's prepare_vmcs12 copies vmcs02's stale IDT-vectoring into the emulated exit (what H-N4 later refused). */
	EXPECT_EQ(TraceLinesWith(r.trace, {"L1 nested_exit", "reason=EXTERNAL_INTERRUPT", "intr_info=0x00000000",
	                          "idt_vectoring=0x80000031"}).size(), 1u) << r.trace;
	EXPECT_TRUE(TraceLinesWith(r.trace, {"lost_event"}).empty()) << r.trace;
}

/* Item 5: with no exit to L1, the next entry to L2 takes the event back from vmcs12. */
TEST(Kvm2011Nested, EventGoesBackIntoL2FromVmcs12)
{
	ScnRun r = RunScenarioText(ShippedScenario("nested/reinject-from-vmcs12.scn"));
	EXPECT_EQ(r.status, VMXSIM_OK) << r.diag;
	EXPECT_EQ(TraceLinesWith(r.trace, {"L0 inject", "vector=49", "why=reinjected"}).size(), 1u) << r.trace;
	EXPECT_EQ(TraceLinesWith(r.trace, {"L2 deliver", "vector=49"}).size(), 1u) << r.trace;
	EXPECT_TRUE(TraceLinesWith(r.trace, {"nested_exit"}).empty()) << r.trace;
}

/* Item 6: L1 reads 3.1's nested_vmx_setup_ctls_msrs(): no preemption timer, only host address-space size on exit. */
TEST(Kvm2011Nested, OffersThe31Controls)
{
	ScnRun r = RunScenarioText(ShippedScenario("nested/offered-caps-2011.scn"));
	EXPECT_EQ(r.status, VMXSIM_OK) << r.diag;
	EXPECT_EQ(TraceLinesWith(r.trace, {"L1 record", "rax=0x3f00000016", "rcx=0x0", "rbx=0x20000000000"}).size(), 1u)
		<< r.trace;
	EXPECT_EQ(TraceLinesWith(r.trace, {"L1 nested_exit", "reason=VMCALL"}).size(), 1u) << r.trace;
}

/* Item 6: kvm-modern still offers the processor's controls, acknowledge interrupt on exit among them. */
TEST(Kvm2011Nested, ModernOffersTheProcessorsExitControls)
{
	ScnRun r = RunScenarioText(WithL0Line(ShippedScenario("nested/offered-caps-2011.scn"), "kvm-modern"));
	auto rec = TraceLinesWith(r.trace, {"L1 record"});
	ASSERT_EQ(rec.size(), 1u) << r.trace;
	EXPECT_EQ(rec[0].find("rbx=0x20000000000 "), std::string::npos) << rec[0];
}

/* Item 6: 3.x has no userspace NMI window; the NMI window is armed whenever an NMI was pending at the start. */
TEST(Kvm2011Injection, NoUserspaceWindowAndWindowAfterInjection)
{
	ScnRun r = RunScenarioText(ShippedScenario("soft-vnmi/userspace-nmi-2011.scn"));
	EXPECT_EQ(r.status, VMXSIM_OK) << r.diag;
	EXPECT_TRUE(TraceLinesWith(r.trace, {"KVM_EXIT_NMI_WINDOW_OPEN"}).empty()) << r.trace;
	EXPECT_TRUE(TraceLinesWith(r.trace, {"request_nmi_window"}).empty()) << r.trace;
	auto inj = TraceLinesWith(r.trace, {"L0 inject", "type=nmi"});
	ASSERT_EQ(inj.size(), 2u) << r.trace;
	/* vcpu_enter_guest(): nmi_pending was read before inject_pending_event(), so the window follows the injection. */
	std::string at = inj[0].substr(0, inj[0].find(" cpu0"));
	EXPECT_EQ(TraceLinesWith(r.trace, {at.c_str(), "irq-window-on", "NMI pending"}).size(), 1u) << r.trace;
}

/* Item 6: the timeout warning carries 3.1's function name. */
TEST(Kvm2011Injection, TimeoutWarningNamesVmxHandleExit)
{
	ScnRun r = RunScenarioText(WithL0Line(ShippedScenario("soft-vnmi/timeout-1s.scn"), "kvm-2011"));
	auto w = TraceLinesWith(r.trace, {"L0 warning"});
	ASSERT_FALSE(w.empty()) << r.trace;
	EXPECT_NE(w[0].find("msg=\"vmx_handle_exit: Breaking out of NMI-blocked state"), std::string::npos) << w[0];
}

/* Item 7: do_interrupt_requests() arms the window at every entry while soft-blocked, NMI pending or not. */
TEST(Kvm2008Irqchip, UserspaceIrqchipRearmsWindowWhileSoftBlocked)
{
	ScnRun r = RunScenarioText(ShippedScenario("soft-vnmi/userspace-irqchip.scn"));
	EXPECT_EQ(r.status, VMXSIM_OK) << r.diag;
	EXPECT_EQ(TraceLinesWith(r.trace, {"irq-window-on", "armed at every entry"}).size(), 1u) << r.trace;
	EXPECT_EQ(TraceLinesWith(r.trace, {"vmexit", "reason=INTERRUPT_WINDOW"}).size(), 1u) << r.trace;
	EXPECT_EQ(TraceLinesWith(r.trace, {"soft_vnmi", "blocked=0"}).size(), 1u) << r.trace;
}

/* Item 7: the in-kernel routine arms nothing with no NMI pending: the flag stays set. */
TEST(Kvm2008Irqchip, InKernelIrqchipArmsNoWindowWithoutPendingNmi)
{
	std::string text = ShippedScenario("soft-vnmi/userspace-irqchip.scn");
	text = WithL0Line(text, "kvm-2008");
	text.replace(text.find("expect count exit INTERRUPT_WINDOW == 1"), 39, "expect count exit INTERRUPT_WINDOW == 0");
	ScnRun r = RunScenarioText(text);
	EXPECT_EQ(r.status, VMXSIM_OK) << r.diag;
	EXPECT_TRUE(TraceLinesWith(r.trace, {"irq-window-on"}).empty()) << r.trace;
	EXPECT_TRUE(TraceLinesWith(r.trace, {"soft_vnmi", "blocked=0"}).empty()) << r.trace;
}

/* Item 7: only kvm-2008 has the userspace-irqchip routine; the other eras refuse the switch loudly. */
TEST(Kvm2008Irqchip, OtherErasRefuseTheSwitch)
{
	ScnRun r = RunScenarioText(WithL0Line(ShippedScenario("soft-vnmi/userspace-irqchip.scn"),
	                                      "kvm-2011 +userspace-irqchip"));
	EXPECT_NE(r.status, VMXSIM_OK);
	EXPECT_NE(r.diag.find("not modelled: the irqchip in user space under kvm-2011"), std::string::npos) << r.diag;
}

/* Item 7: a user-space NMI request is do_interrupt_requests()'s: the in-kernel routine arms no window for it. */
TEST(Kvm2008Irqchip, InKernelRoutineIgnoresRequestNmiWindow)
{
	ScnRun r = RunScenarioText(WithL0Line(ShippedScenario("soft-vnmi/userspace-window.scn"), "kvm-2008"));
	EXPECT_TRUE(TraceLinesWith(r.trace, {"user space waits to inject an NMI"}).empty()) << r.trace;
	EXPECT_TRUE(TraceLinesWith(r.trace, {"KVM_EXIT_NMI_WINDOW_OPEN"}).empty()) << r.trace;
}

/* Item 7: the 2008 timeout warning carries its kvm_handle_exit: prefix. */
TEST(Kvm2008Irqchip, TimeoutWarningNamesKvmHandleExit)
{
	ScnRun r = RunScenarioText(ShippedScenario("soft-vnmi/timeout-1s.scn"));
	auto w = TraceLinesWith(r.trace, {"L0 warning"});
	ASSERT_FALSE(w.empty()) << r.trace;
	EXPECT_NE(w[0].find("msg=\"kvm_handle_exit: Breaking out of NMI-blocked state on VCPU 0 after 1 s timeout\""),
	          std::string::npos) << w[0];
}

/* Item 7: the model has no INIT for a vCPU under an L0 (vmx_vcpu_reset would clear soft_vnmi_blocked): refused. */
TEST(Kvm2008Irqchip, InitUnderKvm2008IsRefused)
{
	std::string text = ShippedScenario("soft-vnmi/userspace-irqchip.scn");
	text.replace(text.find("run 30000"), 9, "at 9000 init -> L1 cpu0\nrun 30000");
	ScnRun r = RunScenarioText(text);
	EXPECT_NE(r.status, VMXSIM_OK);
	EXPECT_NE(r.diag.find("not modelled: INIT/SIPI under L0 'kvm-2008'"), std::string::npos) << r.diag;
}

/*
 * Item 7: a pending exception goes in alone - 2008's vcpu_enter_guest()
 * ran neither vmx_intr_assist() nor do_interrupt_requests() for that entry -
 * so an NMI that came meanwhile gets no window and waits for the next exit.
 * (The model used to arm an NMI window "behind another event", which let
 * the NMI in right after the #GP.) The same with the userspace routine.
 */
TEST(Kvm2008Exception, PendingExceptionGoesInAloneAndTheNmiWaits)
{
	const std::string text = ShippedScenario("soft-vnmi/exception-first-2008.scn");
	for (const char *l0 : {"kvm-2008", "kvm-2008 +userspace-irqchip"}) {
		ScnRun r = RunScenarioText(WithL0Line(text, l0));
		EXPECT_EQ(r.status, VMXSIM_OK) << l0 << "\n" << r.diag;
		EXPECT_EQ(TraceLinesWith(r.trace, {"L0 inject", "vector=13"}).size(), 1u) << l0 << "\n" << r.trace;
		EXPECT_TRUE(TraceLinesWith(r.trace, {"nmi-window"}).empty()) << l0 << "\n" << r.trace;
		EXPECT_TRUE(TraceLinesWith(r.trace, {"NMI_WINDOW"}).empty()) << l0 << "\n" << r.trace;
		std::vector<std::string> nmi = TraceLinesWith(r.trace, {"L1 deliver", "type=nmi"});
		ASSERT_EQ(nmi.size(), 1u) << l0 << "\n" << r.trace;
		EXPECT_GT(std::stoull(nmi[0]), 30000u) << l0 << ": the NMI must wait for the host's interrupt\n" << r.trace;
	}
}

/*
 * App. A.7, A.8: L1 reads the fixed-bit MSRs. On the processor they are the
 * part's; 3.1's vmx_get_vmx_msr gave PE, NE, PG and VMXE fixed to 1 and both
 * FIXED1 all ones; today's KVM builds CR4_FIXED1 from L1's CPUID, where SMX
 * never appears (nested_vmx_cr_fixed1_bits_update), so SMXE is not in it.
 */
TEST(KvmErasNested, FixedBitMsrsL1Reads)
{
	const struct {
		const char *l0, *cr0_fixed1, *cr4_fixed1;
	} eras[] = {
		{"none", "0xffffffff", "0x467ff"},
		{"kvm-2011", "0xffffffffffffffff", "0xffffffffffffffff"},
		{"kvm-modern", "0xffffffff", "0x427ff"},
	};
	for (const auto &e : eras) {
		const std::string text = std::string("cpu nehalem\nl0 ") + e.l0 +
		                         "\n\nguest L1\n"
		                         "  exit-handler on_exit\n"
		                         "main:   rdmsr rax IA32_VMX_CR0_FIXED0\n"
		                         "        rdmsr rbx IA32_VMX_CR0_FIXED1\n"
		                         "        rdmsr rcx IA32_VMX_CR4_FIXED0\n"
		                         "        rdmsr rdx IA32_VMX_CR4_FIXED1\n"
		                         "        record rax rbx rcx rdx\n"
		                         "        hlt\n"
		                         "on_exit: hlt\n\n"
		                         "guest L2\nmain:   vmcall\n\nrun 20000\n";
		// The record line lists rax, rcx, rdx, then rbx last.
		const std::string rbx = std::string(" rbx=") + e.cr0_fixed1, rdx = std::string(" rdx=") + e.cr4_fixed1 + " ";
		ScnRun r = RunScenarioText(text);
		EXPECT_EQ(r.status, VMXSIM_OK) << e.l0 << "\n" << r.diag;
		auto rec = TraceLinesWith(r.trace, {"L1 record", " rax=0x80000021 ", " rcx=0x2000 ", rdx.c_str()});
		ASSERT_EQ(rec.size(), 1u) << e.l0 << "\n" << r.trace;
		EXPECT_EQ(rec[0].substr(rec[0].size() - rbx.size()), rbx) << e.l0 << "\n" << rec[0];
	}
}
