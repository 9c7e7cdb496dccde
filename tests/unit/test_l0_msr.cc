/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MSRs and the LAPIC timer through the L0 models, and stimuli aimed at L2:
 * which of L2's RDMSR/WRMSR exits the nested L0 reflects to L1 (only those
 * vmcs12's MSR bitmap intercepts, read from L1's memory when they happen),
 * what it does with the others (L1's virtual local APIC), the emulated
 * entry check of vmcs12's bitmap address, the run-time refusal of a guest's
 * timer MSRs that reach an L0, and the messages that refuse `-> L2`.
 */
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "front/scenario.h"
#include "lib/scenario_run.h"
#include "vmxsim/equiv.h"
#include "unit/scn_text.h"

namespace {

/*
 * L1 runs L2 with MSR bitmaps (and the L2 block's `extra` lines); its exit
 * handler skips the exiting instruction and resumes. L2 takes vector 32
 * through its IDT (L1 does not exit on external interrupts) and EOIs.
 */
std::string Nested(const std::string &l0, const std::string &l1_extra, const std::string &l2_extra,
                   const std::string &l2_body = "")
{
	return "cpu nehalem\nl0 " + l0 +
	       "\nguest L1\n"
	       "  exit-handler on_exit\n"
	       "main:   " + (l1_extra.empty() ? std::string("nop") : l1_extra) + "\n"
	       "        vmlaunch\n"
	       "on_exit: vmread rax VM_EXIT_INSTRUCTION_LEN\n"
	       "        vmread rbx GUEST_RIP\n"
	       "        add rbx rax\n"
	       "        vmwrite GUEST_RIP rbx\n"
	       "        vmresume\n"
	       "guest L2\n"
	       "  vmcs PIN_BASED_VM_EXEC_CONTROL PIN_BASED_NMI_EXITING\n" +
	       l2_extra +
	       "  idt 32 dev interrupt-gate\n"
	       "main:   sti\n" +
	       l2_body +
	       "loop:   work 1000\n"
	       "        jmp loop\n"
	       "dev:    eoi\n"
	       "        iret\n"
	       "at 10000 irq 32 -> L1 cpu0\n"
	       "run 40000\n";
}

const char kUseBitmaps[] = "  vmcs CPU_BASED_VM_EXEC_CONTROL CPU_BASED_USE_MSR_BITMAPS\n";

bool Has(const ScnRun &r, const std::string &what)
{
	return r.trace.find(what) != std::string::npos;
}

}  // namespace

/* L1's zero bitmap lets L2's EOI through: L0 takes it on L1's virtual local APIC, L1 sees nothing. */
TEST(NestedMsr, AnMsrL1LetsThroughIsL0sOnL1sVirtualApic)
{
	for (const char *l0 : {"kvm-2011", "kvm-modern"}) {
		ScnRun r = RunScenarioText(Nested(l0, "", kUseBitmaps));
		EXPECT_EQ(r.status, VMXSIM_OK) << r.diag;
		EXPECT_TRUE(Has(r, "L2 vmexit        reason=MSR_WRITE")) << l0 << "\n" << r.trace;
		EXPECT_TRUE(Has(r, "L0 host          type=virtual-eoi vector=32")) << l0 << "\n" << r.trace;
		EXPECT_FALSE(Has(r, "nested_exit   reason=MSR_WRITE")) << l0 << "\n" << r.trace;
	}
}

/* Its bit set in vmcs12's bitmap, the same EOI is L1's exit. */
TEST(NestedMsr, AnMsrL1InterceptsIsReflected)
{
	ScnRun r = RunScenarioText(Nested("kvm-modern", "", std::string(kUseBitmaps) +
	                                             "  msr-bitmap intercept write IA32_X2APIC_EOI\n"));
	EXPECT_EQ(r.status, VMXSIM_OK) << r.diag;
	EXPECT_TRUE(Has(r, "L1 nested_exit   reason=MSR_WRITE")) << r.trace;
	EXPECT_FALSE(Has(r, "virtual-eoi")) << r.trace;
}

/* Without "use MSR bitmaps" in vmcs12 every MSR access of L2 is L1's. */
TEST(NestedMsr, WithoutBitmapsEveryMsrExitIsL1s)
{
	ScnRun r = RunScenarioText(Nested("kvm-modern", "", ""));
	EXPECT_TRUE(Has(r, "L1 nested_exit   reason=MSR_WRITE")) << r.trace;
}

/* L1 writes its bitmap at run time (a store, no exit); L0 reads it when L2's exit comes. */
TEST(NestedMsr, L1sStoreToItsBitmapCountsAtTheNextExit)
{
	ScnRun r = RunScenarioText(Nested("kvm-modern", "msr-bitmap-set write IA32_X2APIC_EOI", kUseBitmaps));
	EXPECT_EQ(r.status, VMXSIM_OK) << r.diag;
	EXPECT_TRUE(Has(r, "L1 nested_exit   reason=MSR_WRITE")) << r.trace;
	EXPECT_FALSE(Has(r, "vmexit        reason=0x")) << "the store is not an exit\n" << r.trace;
}

/*
 * nested_vmx_run checks vmcs12's bitmap address (26.2.1.1): today's KVM as the processor does, the 2011
 * code (the model's reading) only its alignment; VMfailValid 7 to L1 either way.
 */
TEST(NestedMsr, AMisalignedVmcs12BitmapFailsL1sEntryWith7)
{
	ScnRun r = RunScenarioText(Nested("kvm-2011", "", std::string(kUseBitmaps) + "  vmcs MSR_BITMAP 0x1001\n"));
	EXPECT_TRUE(Has(r, "L1 vmfail        insn=vmlaunch error=7 rip=0x1001 check=\"vmcs12 MSR-bitmap address is "
	                   "4-KByte aligned\" emulated=1"))
	    << r.trace;
	r = RunScenarioText(Nested("kvm-2011", "", std::string(kUseBitmaps) + "  vmcs MSR_BITMAP 0x10000000000\n"));
	EXPECT_FALSE(Has(r, "L1 vmfail")) << "2011 left the width unchecked\n" << r.trace;
	r = RunScenarioText(Nested("kvm-modern", "", std::string(kUseBitmaps) + "  vmcs MSR_BITMAP 0x10000000000\n"));
	EXPECT_TRUE(Has(r, "L1 vmfail        insn=vmlaunch error=7 rip=0x1001 check=\"MSR-bitmap address within the "
	                   "physical-address width\" emulated=1"))
	    << r.trace;
	/* Bare metal, the processor's own check. */
	r = RunScenarioText(Nested("none", "", std::string(kUseBitmaps) + "  vmcs MSR_BITMAP 0x1001\n"));
	EXPECT_TRUE(Has(r, "L1 vmfail        insn=vmlaunch error=7 rip=0x1001 check=\"MSR-bitmap address is 4-KByte "
	                   "aligned (bits 11:0 are 0)\""))
	    << r.trace;
}

/* A guest's timer WRMSR that reaches an L0 is refused at run time, at the guest's line. */
TEST(L0Timer, APlainGuestsTimerIsRefusedAtItsLine)
{
	ScnRun r = RunScenarioText("cpu nehalem\nl0 plain\nguest L1\n"
	                "main:   sti\n"
	                "        apic-timer oneshot 48 100\n"
	                "        work 10\n"
	                "run 10000\n");
	EXPECT_EQ(r.status, VMXSIM_BAD_INPUT);
	EXPECT_EQ(r.diag, "t.scn:5:9: not modelled: the LAPIC timer of a guest under L0 'plain' (the guest's WRMSR of "
	                  "IA32_X2APIC_DIV_CONF exits to L0, whose virtual local APIC has no timer)\n");
	EXPECT_TRUE(Has(r, "L0 guest_stop    why=\"not modelled: the LAPIC timer")) << r.trace;
}

/* The other x2APIC registers the virtual local APIC does not keep: refused with their own words. */
TEST(L0Timer, OtherX2apicRegistersUnderAnL0AreRefusedByName)
{
	ScnRun r = RunScenarioText("cpu nehalem\nl0 kvm-modern\nguest L1\n"
	                "main:   wrmsr IA32_X2APIC_TPR 0x20\n"
	                "        work 10\n"
	                "run 10000\n");
	EXPECT_EQ(r.status, VMXSIM_BAD_INPUT);
	EXPECT_EQ(r.diag, "t.scn:4:9: not modelled: an x2APIC register of a guest under L0 'kvm-modern' (the guest's "
	                  "WRMSR of IA32_X2APIC_TPR exits to L0, whose virtual local APIC keeps the vectors it delivers "
	                  "and takes EOI and the ICR, not this register)\n");
}

TEST(L0Timer, ReadingTheCountUnderKvmIsRefusedToo)
{
	ScnRun r = RunScenarioText("cpu nehalem\nl0 kvm-2008\nguest L1\n"
	                "main:   rdmsr rax IA32_X2APIC_CUR_COUNT\n"
	                "        work 10\n"
	                "run 10000\n");
	EXPECT_EQ(r.status, VMXSIM_BAD_INPUT);
	EXPECT_EQ(r.diag, "t.scn:4:9: not modelled: the LAPIC timer of a guest under L0 'kvm-2008' (the guest's RDMSR of "
	                  "IA32_X2APIC_CUR_COUNT exits to L0, whose virtual local APIC has no timer)\n");
}

/* L2's timer WRMSR that L1 lets through is L0's to emulate on L1's virtual APIC: refused, at L2's line. */
TEST(L0Timer, AnL2TimerL1LetsThroughIsRefusedAtL2sLine)
{
	ScnRun r = RunScenarioText(Nested("kvm-modern", "", kUseBitmaps, "        apic-timer periodic 0x40 500\n"));
	EXPECT_EQ(r.status, VMXSIM_BAD_INPUT);
	EXPECT_EQ(r.diag, "t.scn:17:9: not modelled: the LAPIC timer of a guest under L0 'kvm-modern' (the guest's "
	                  "WRMSR of IA32_X2APIC_DIV_CONF exits to L0, whose virtual local APIC has no timer)\n");
	/* L1 intercepting them, the exits are L1's and nothing is refused. */
	r = RunScenarioText(Nested("kvm-modern", "", std::string(kUseBitmaps) +
	                                         "  msr-bitmap intercept write IA32_X2APIC_DIV_CONF\n"
	                                         "  msr-bitmap intercept write IA32_X2APIC_LVT_TIMER\n"
	                                         "  msr-bitmap intercept write IA32_X2APIC_INIT_COUNT\n",
	                   "        apic-timer periodic 0x40 500\n"));
	EXPECT_EQ(r.status, VMXSIM_OK) << r.diag;
	EXPECT_TRUE(Has(r, "L1 nested_exit   reason=MSR_WRITE")) << r.trace;
}

/* Under the plain L0 a guest that the scenario's bitmap lets through programs the processor's timer. */
TEST(L0Timer, APlainGuestWithAZeroBitmapOwnsTheTimer)
{
	ScnRun r = RunScenarioText("cpu nehalem\nl0 plain\nguest L1\n"
	                "  vmcs PIN_BASED_VM_EXEC_CONTROL PIN_BASED_NMI_EXITING\n"
	                "  vmcs CPU_BASED_VM_EXEC_CONTROL CPU_BASED_USE_MSR_BITMAPS\n"
	                "  idt 48 tick interrupt-gate\n"
	                "main:   sti\n"
	                "        apic-timer periodic 48 2000\n"
	                "loop:   hlt\n"
	                "        jmp loop\n"
	                "tick:   eoi\n"
	                "        iret\n"
	                "run 10000\n"
	                "expect count deliver 48 L1 == 4\n"
	                "expect count exit MSR_WRITE == 0\n");
	EXPECT_EQ(r.status, VMXSIM_OK) << r.diag << r.trace;
	EXPECT_TRUE(Has(r, "L0 stimulus      type=irq vector=48 origin=apic-timer")) << r.trace;
}

/* `-> L2`: no door of its own; the message says where such an event enters under each L0. */
TEST(L2Stimuli, RefusedWithTheWayInForEachL0)
{
	const std::string body = "guest L1\n  exit-handler x\nx: vmlaunch\nguest L2\nm: work 1\n"
	                         "at 100 irq 32 -> L2 cpu0\nrun 1000\n";
	ScnRun r = RunScenarioText("cpu nehalem\nl0 none\n" + body);
	EXPECT_EQ(r.status, VMXSIM_BAD_INPUT);
	EXPECT_EQ(r.diag, "t.scn:8:18: with 'l0 none' an interrupt cannot be aimed at L2: it arrives at the processor's "
	                  "pins while L2 runs, and L1's VMCS (PIN_BASED_EXT_INTR_MASK) decides whether it exits to L1 "
	                  "or goes through L2's IDT; write '-> L1'\n");
	r = RunScenarioText("cpu nehalem\nl0 kvm-2011\n" + body);
	EXPECT_EQ(r.diag, "t.scn:8:18: under L0 'kvm-2011' an interrupt for L2 arrives at L1's virtual local APIC like "
	                  "any event of the vCPU (L2's posted-interrupt notification vector too, which kvm-modern processes "
	                  "for L2), and vmcs12 "
	                  "(PIN_BASED_EXT_INTR_MASK) decides whether L0 puts it straight into L2 or exits to L1, which "
	                  "injects it; write '-> L1'\n");
	r = RunScenarioText("cpu nehalem\nl0 kvm-modern\nguest L1\n  exit-handler x\nx: vmlaunch\nguest L2\nm: work 1\n"
	            "on exit HLT nmi -> L2 cpu0\nrun 1000\n");
	EXPECT_EQ(r.diag, "t.scn:8:20: under L0 'kvm-modern' an NMI for L2 arrives at L1's virtual local APIC like "
	                  "any event of the vCPU (L2's posted-interrupt notification vector too, which kvm-modern processes "
	                  "for L2), and vmcs12 "
	                  "(PIN_BASED_NMI_EXITING) decides whether L0 puts it straight into L2 or exits to L1, which "
	                  "injects it; write '-> L1'\n");
	r = RunScenarioText("cpu nehalem\nl0 plain\nguest L1\nm: work 1\nat 100 nmi -> L2 cpu0\nrun 1000\n");
	EXPECT_EQ(r.diag, "t.scn:5:15: there is no L2 under L0 'plain', which does not run L1 hypervisors\n");
}

/* equiv --l0 on a bare-metal timer story: the nested side is refused, so nothing is compared (status 2). */
TEST(L0Timer, EquivUnderAnL0ThatRefusesTheTimerIsBadInput)
{
	const std::string path = std::string(VMXSIM_SOURCE_DIR) + "/scenarios/hw/apic-timer-periodic.scn";
	char *obuf = nullptr, *dbuf = nullptr;
	size_t olen = 0, dlen = 0;
	FILE *out = open_memstream(&obuf, &olen);
	FILE *diag = open_memstream(&dbuf, &dlen);
	int rc = vmxsim_equiv_under(path.c_str(), "kvm-modern", out, diag);
	std::fclose(out);
	std::fclose(diag);
	std::string o(obuf ? obuf : "", olen), d(dbuf ? dbuf : "", dlen);
	std::free(obuf);
	std::free(dbuf);
	EXPECT_EQ(rc, 2);
	EXPECT_EQ(o, "");
	EXPECT_NE(d.find("apic-timer-periodic.scn:23:9: not modelled: the LAPIC timer of a guest under L0 'kvm-modern'"),
	          std::string::npos)
	    << d;
}
