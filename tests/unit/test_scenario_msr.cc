/* SPDX-License-Identifier: Apache-2.0 */
// Scenario front-end, MSRs: `msr-bitmap intercept` lines, `apic-timer` and
// the WRMSRs it stands for, `wrmsr`, `rdmsr` of the timer, the L1
// instructions `msr-bitmap-set` / `msr-bitmap-clear`, and their errors.
#include <gtest/gtest.h>

#include <string>

#include "front/scenario.h"
#include "unit/scn_text.h"
#include "vmcs/x2apic_timer.h"
#include "vmcs/x86_gpr.h"
#include "vmcs/x86_msr.h"

namespace {

// Lines 1-5; the L1 block's extra lines start at line 6, the L2 block's after it.
std::string Bare(const std::string &l1_extra, const std::string &l2 = "m: work 1\n")
{
	return "cpu nehalem\nl0 none\nguest L1\n  exit-handler x\nx: vmlaunch\n" + l1_extra + "guest L2\n" + l2 +
	       "run 10\n";
}

}  // namespace

TEST(ScenarioMsr, MsrBitmapLinesAreKeptPerBlock)
{
	Parsed p(Bare("", "  msr-bitmap intercept write IA32_X2APIC_ICR\n"
	                  "  msr-bitmap intercept read 0xc0000100\n"
	                  "  msr-bitmap intercept write 0x80b\n"
	                  "m: work 1\n"));
	ASSERT_NE(p.s, nullptr) << p.where();
	const scn_guest &l2 = p.s->guests[1];
	ASSERT_EQ(l2.nmsr_intercepts, 3u);
	EXPECT_EQ(l2.msr_intercepts[0].msr, 0x830u);
	EXPECT_TRUE(l2.msr_intercepts[0].write);
	EXPECT_EQ(l2.msr_intercepts[1].msr, 0xc0000100u);
	EXPECT_FALSE(l2.msr_intercepts[1].write);
	EXPECT_EQ(l2.msr_intercepts[2].msr, (uint32_t)MSR_IA32_X2APIC_EOI);
	EXPECT_EQ(l2.msr_intercepts[0].loc.line, 7u);
	EXPECT_EQ(l2.msr_intercepts[0].loc.col, 3u);
	EXPECT_EQ(p.s->guests[0].nmsr_intercepts, 0u);
}

TEST(ScenarioMsr, ApicTimerIsThreeWrmsrsInTheSdmsOrder)
{
	Parsed p(Bare("", "go: apic-timer periodic 0x40 2.5k divide 16 masked\n"
	                  "    apic-timer oneshot 48 100\n"
	                  "    apic-timer stop\n"
	                  "    jmp go\n"));
	ASSERT_NE(p.s, nullptr) << p.where();
	const scn_guest &g = p.s->guests[1];
	ASSERT_EQ(g.ninsns, 3u + 3u + 1u + 1u);
	uint32_t dcr16 = 0;
	ASSERT_TRUE(apic_timer_dcr_of(16, &dcr16));
	const struct {
		uint32_t msr;
		uint64_t value;
	} want[7] = {
	    {MSR_IA32_X2APIC_DIV_CONF, dcr16},
	    {MSR_IA32_X2APIC_LVT_TIMER, 0x40 | APIC_LVT_TIMER_PERIODIC | APIC_LVT_MASKED},
	    {MSR_IA32_X2APIC_INIT_COUNT, 2500},
	    {MSR_IA32_X2APIC_DIV_CONF, 0xb},        /* divide by 1 when none is given */
	    {MSR_IA32_X2APIC_LVT_TIMER, 48},
	    {MSR_IA32_X2APIC_INIT_COUNT, 100},
	    {MSR_IA32_X2APIC_INIT_COUNT, 0},        /* stop */
	};
	for (size_t i = 0; i < 7; i++) {
		EXPECT_EQ(g.insns[i].op, SCN_OP_WRMSR) << i;
		EXPECT_EQ(g.insns[i].msr, want[i].msr) << i;
		EXPECT_EQ(g.insns[i].value, want[i].value) << i;
		EXPECT_EQ(g.insns[i].src, SCN_NO_REG) << i;
		EXPECT_EQ(g.insns[i].loc.line, 7u + (uint32_t)(i / 3)) << i;
	}
	EXPECT_EQ(g.insns[0].loc.col, 5u);
	EXPECT_EQ(g.insns[7].target, 0u);     /* the label names the first WRMSR */
}

TEST(ScenarioMsr, WrmsrRdmsrAndTheBitmapStores)
{
	Parsed p(Bare("    msr-bitmap-set write IA32_X2APIC_EOI\n"
	              "    msr-bitmap-clear read 0x480\n",
	              "m:  wrmsr IA32_X2APIC_INIT_COUNT rbx\n"
	              "    wrmsr 0x83e 0xb\n"
	              "    rdmsr rcx IA32_X2APIC_CUR_COUNT\n"));
	ASSERT_NE(p.s, nullptr) << p.where();
	const scn_guest &l1 = p.s->guests[0], &l2 = p.s->guests[1];
	ASSERT_EQ(l1.ninsns, 3u);
	EXPECT_EQ(l1.insns[1].op, SCN_OP_MSR_BITMAP_SET);
	EXPECT_EQ(l1.insns[1].msr, (uint32_t)MSR_IA32_X2APIC_EOI);
	EXPECT_TRUE(l1.insns[1].write);
	EXPECT_EQ(l1.insns[2].op, SCN_OP_MSR_BITMAP_CLEAR);
	EXPECT_EQ(l1.insns[2].msr, 0x480u);
	EXPECT_FALSE(l1.insns[2].write);
	ASSERT_EQ(l2.ninsns, 3u);
	EXPECT_EQ(l2.insns[0].op, SCN_OP_WRMSR);
	EXPECT_EQ(l2.insns[0].src, (int)X86_GPR_rbx);
	EXPECT_EQ(l2.insns[1].msr, (uint32_t)MSR_IA32_X2APIC_DIV_CONF);
	EXPECT_EQ(l2.insns[1].value, 0xbu);
	EXPECT_EQ(l2.insns[2].op, SCN_OP_RDMSR);
	EXPECT_EQ(l2.insns[2].msr, (uint32_t)MSR_IA32_X2APIC_CUR_COUNT);
	EXPECT_STREQ(scn_op_name(SCN_OP_MSR_BITMAP_SET), "msr-bitmap-set");
	EXPECT_STREQ(scn_op_name(SCN_OP_WRMSR), "wrmsr");
}

// ---- errors ---------------------------------------------------------------

namespace {

const BadInput kBadMsr[] = {
	{"UnknownMsrName", Bare("", "  msr-bitmap intercept write IA32_FOO\nm: work 1\n"),
	 "7:30: not modelled: MSR 'IA32_FOO' (name one of vmcs/x86_msrs.def, or give its number)"},
	{"BitmapOutOfRange", Bare("", "  msr-bitmap intercept read 0x40000000\nm: work 1\n"),
	 "7:29: MSR 0x40000000 is outside the ranges the MSR bitmaps cover (0-0x1fff, 0xc0000000-0xc0001fff): "
	 "RDMSR and WRMSR of it always exit"},
	{"BitmapNeedsAccess", Bare("", "  msr-bitmap intercept rw 0x10\nm: work 1\n"),
	 "7:24: expected 'read' or 'write' (which bitmap) after 'intercept', found 'rw'"},
	{"BitmapOnlyIntercepts", Bare("", "  msr-bitmap pass write 0x10\nm: work 1\n"),
	 "7:14: expected 'intercept' (the bitmap starts all zero: lines set the bits of the MSRs that exit) "
	 "after 'msr-bitmap', found 'pass'"},
	{"BitmapTwice", Bare("", "  msr-bitmap intercept write 0x80b\n  msr-bitmap intercept write IA32_X2APIC_EOI\n"
	                         "m: work 1\n"),
	 "8:3: WRMSR of IA32_X2APIC_EOI is already intercepted at line 7"},
	{"TscDeadline", Bare("", "m: apic-timer tsc-deadline 48 100\n"),
	 "7:15: not modelled: the TSC-deadline mode of the APIC timer (there is no IA32_TSC_DEADLINE); use "
	 "oneshot or periodic"},
	{"IllegalVector", Bare("", "m: apic-timer oneshot 8 100\n"),
	 "7:23: the local APIC refuses vectors 0-15 (illegal vector): give 16-255"},
	{"ZeroCount", Bare("", "m: apic-timer periodic 48 0\n"),
	 "7:27: expected an initial count 1-4294967295 (0 stops the timer: 'apic-timer stop') after '48', found "
	 "'0' (out of range)"},
	{"BadDivide", Bare("", "m: apic-timer oneshot 48 100 divide 3\n"),
	 "7:37: the divide value is 1, 2, 4, 8, 16, 32, 64 or 128, not 3"},
	{"UnknownMode", Bare("", "m: apic-timer sometimes 48 100\n"),
	 "7:15: expected a timer mode: oneshot, periodic, or 'stop' after 'apic-timer', found 'sometimes'"},
	{"WrmsrOfEoi", Bare("", "m: wrmsr IA32_X2APIC_EOI 0\n"),
	 "7:10: not modelled: MSR IA32_X2APIC_EOI (wrmsr writes IA32_DEBUGCTL, IA32_MCG_STATUS, IA32_MCG_CTL, the banks IA32_MC0_CTL to IA32_MC31_MISC and IA32_MC0_CTL2 to IA32_MC31_CTL2, the LAPIC timer: IA32_X2APIC_"
	 "LVT_TIMER, IA32_X2APIC_INIT_COUNT, IA32_X2APIC_DIV_CONF; IA32_X2APIC_LVT_CMCI, IA32_X2APIC_TPR and IA32_X2APIC_SELF_IPI; e"
	 "oi and ipi write EOI and ICR)"},
	{"WrmsrOfCurrentCount", Bare("", "m: wrmsr IA32_X2APIC_CUR_COUNT 0\n"),
	 "7:10: IA32_X2APIC_CUR_COUNT is read-only: WRMSR of it raises #GP"},
	{"WrmsrTscDeadlineMode", Bare("", "m: wrmsr IA32_X2APIC_LVT_TIMER 0x40040\n"),
	 "7:32: not modelled: the TSC-deadline mode of the APIC timer (there is no IA32_TSC_DEADLINE); use one-shot "
	 "(0) or periodic (0x20000)"},
	{"WrmsrReservedBits", Bare("", "m: wrmsr IA32_X2APIC_DIV_CONF 4\n"),
	 "7:31: 0x4 sets reserved bits of IA32_X2APIC_DIV_CONF (WRMSR would raise #GP)"},
	{"RdmsrOfIcr", Bare("", "m: rdmsr rax 0x830\n"),
	 "7:14: not modelled: MSR IA32_X2APIC_ICR (the model reads the VMX capability MSRs, the local APIC's, "
	 "IA32_DEBUGCTL and the machine-check MSRs: IA32_VMX_BASIC, IA32_VMX_PINBASED_CTLS, IA32_VMX_PROCBASED"
	 "_CTLS, IA32_VMX_EXIT_CTLS, IA32_VMX_ENTRY_CTLS, IA32_VMX_MISC, IA32_VMX_CR0_FIXED0, IA32_VMX_CR0_FIX"
	 "ED1, IA32_VMX_CR4_FIXED0, IA32_VMX_CR4_FIXED1, IA32_VMX_PROCBASED_CTLS2, IA32_VMX_TRUE_PINBASED_CTLS"
	 ", IA32_VMX_TRUE_PROCBASED_CTLS, IA32_VMX_TRUE_EXIT_CTLS, IA32_VMX_TRUE_ENTRY_CTLS, IA32_X2APIC_TPR, "
	 "IA32_X2APIC_PPR, IA32_X2APIC_ISR0 to IA32_X2APIC_ISR7, IA32_X2APIC_IRR0 to IA32_X2APIC_IRR7, IA32_X2"
	 "APIC_LVT_CMCI, IA32_X2APIC_LVT_TIMER, IA32_X2APIC_INIT_COUNT, IA32_X2APIC_CUR_COUNT, IA32_X2APIC_DIV"
	 "_CONF, IA32_DEBUGCTL, IA32_MCG_CAP, IA32_MCG_STATUS, IA32_MCG_CTL, IA32_MC0_CTL2 to IA32_MC31_CTL2, "
	 "IA32_MC0_CTL to IA32_MC31_MISC)"},
	{"WrmsrOfAnUnknownName", Bare("", "m: wrmsr IA32_EFER 0\n"),
	 "7:10: not modelled: MSR 'IA32_EFER' (wrmsr writes IA32_DEBUGCTL, IA32_MCG_STATUS, IA32_MCG_CTL, the banks IA32_MC0_CTL to IA32_MC31_MISC and IA32_MC0_CTL2 to IA32_MC31_CTL2, the LAPIC timer: IA32_X2APIC_LVT_"
	 "TIMER, IA32_X2APIC_INIT_COUNT, IA32_X2APIC_DIV_CONF; IA32_X2APIC_LVT_CMCI, IA32_X2APIC_TPR and IA32_X2APIC_SELF_IPI; eoi a"
	 "nd ipi write EOI and ICR)"},
	{"RdmsrOfEoi", Bare("", "m: rdmsr rax IA32_X2APIC_EOI\n"),
	 "7:14: IA32_X2APIC_EOI is write-only: RDMSR of it raises #GP"},
	{"BitmapStoreInL2", Bare("", "m: msr-bitmap-set write IA32_X2APIC_EOI\n"),
	 "7:4: 'msr-bitmap-set' is an L1 hypervisor instruction; a 'guest L2' block cannot use it"},
};

}  // namespace

INSTANTIATE_TEST_SUITE_P(Msr, ScenarioParseErrors, ::testing::ValuesIn(kBadMsr), scn_test::BadInputName);
