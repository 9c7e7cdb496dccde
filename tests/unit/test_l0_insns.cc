/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hypervisors and the exits of port I/O, MOV to CR3/CR8, PAUSE, CPUID
 * and RDTSC: the plain L0 and KVM emulate them (l0_emulate_insn_exit),
 * nested KVM reflects an L2 exit to L1 exactly when vmcs12 asks for it, and
 * what the model cannot answer (I/O bitmaps, PAUSE-loop exiting) voids the
 * run with a located error. Each scenario states its result with exact
 * expectations; a test passes when they all hold.
 */
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "front/scenario.h"
#include "lib/scenario_run.h"

namespace {

/* Run a scenario text; its status, and what it said on the diagnostic stream. */
vmxsim_status RunText(const std::string &text, std::string *diag_text)
{
	scn_error err{};
	scn_scenario *s = scn_parse(text.data(), text.size(), "t.scn", &err);
	EXPECT_NE(s, nullptr) << err.line << ":" << err.col << ": " << err.msg;
	if (!s)
		return VMXSIM_BAD_INPUT;
	char *buf = nullptr;
	size_t len = 0;
	FILE *diag = open_memstream(&buf, &len);
	FILE *trace = std::fopen("/dev/null", "w");
	vmxsim_result res{};
	vmxsim_status st = run_scenario(s, trace, TRACE_FORMAT_TEXT, diag, &res);
	std::fclose(trace);
	std::fclose(diag);
	*diag_text = std::string(buf ? buf : "", len);
	std::free(buf);
	scn_free(s);
	return st;
}

/* The run's expectations all held. */
void ExpectRunOk(const std::string &text)
{
	std::string d;
	EXPECT_EQ(RunText(text, &d), VMXSIM_OK) << d;
}

TEST(L0Insns, PlainEmulatesAndKeepsTheGuestsTprInItsInterruptController)
{
	ExpectRunOk(R"(cpu nehalem
l0 plain
guest L1
  vmcs CPU_BASED_VM_EXEC_CONTROL CPU_BASED_UNCOND_IO_EXITING|CPU_BASED_CR8_LOAD_EXITING|CPU_BASED_RDTSC_EXITING|CPU_BASED_PAUSE_EXITING|CPU_BASED_USE_TSC_OFFSETTING
  vmcs TSC_OFFSET 1000000
  idt 37 irq interrupt-gate
main:   mov rax 1
cpuid:  cpuid
        record rcx
        mov rbx 0x1200
io:     in rbx 0x60
pause:  pause
rdtsc:  rdtsc rsi
        record rbx rsi
        sti
cr8:    mov-cr8 2
tpr2:   work 5000
        mov-cr8 0
tpr0:   work 5000
        jmp tpr0
irq:    eoi
        iret
at 3000 irq 37 -> L1 cpu0
run 60000
expect exit at cpuid reason=CPUID insn-len=2
expect 1st record rcx=0
expect exit at io reason=IO_INSTRUCTION qual=0x600048 insn-len=2
expect exit at pause reason=PAUSE_INSTRUCTION insn-len=2
expect exit at rdtsc reason=RDTSC insn-len=2
expect 2nd record rbx=0x12ff rsi=1012334
expect exit at cr8 reason=CR_ACCESS qual=0x8 insn-len=4
expect exit at tpr2+5000 reason=CR_ACCESS qual=0x8 insn-len=4
expect deliver 37 in 25000..30000
expect count deliver 37 == 1
)");
}

TEST(L0Insns, KvmInterceptsPortIoAndOffersVmxToANestedHypervisor)
{
	ExpectRunOk(R"(cpu nehalem
l0 kvm-modern
guest L1
  exit-handler on_exit
main:   mov rax 1
        cpuid
        record rcx
io:     in rbx 0x70
cr3:    mov-cr3 0x5000
        vmlaunch
on_exit: work 100
        vmresume
guest L2
main:   work 100000
run 50000
expect 1st record L1 rcx=0x20
expect exit at io L1 reason=IO_INSTRUCTION qual=0x700048 insn-len=2
expect exit at cr3 L1 reason=CR_ACCESS qual=0x3 insn-len=3
)");
}

TEST(L0Insns, PlainOffersNoVmxAndRaisesGpForAReservedCr8Bit)
{
	ExpectRunOk(R"(cpu nehalem
l0 plain
guest L1
  idt 13 gp interrupt-gate
main:   mov-cr8 16
        work 100000
gp:     record rax
        work 100000
run 20000
expect 1st exit reason=CR_ACCESS qual=0x8
expect count exit CR_ACCESS == 1
expect count inject 13 == 1
expect 1st record rax=16 rip=gp
)");
}

/* L1 records every exit it sees: the reason, the qualification and the length, then skips the instruction. */
const char kNestedHead[] = R"(cpu nehalem
l0 kvm-modern
guest L1
  exit-handler on_exit
main:   vmlaunch
on_exit: vmread rbx VM_EXIT_REASON
        vmread rcx EXIT_QUALIFICATION
        vmread rdx VM_EXIT_INSTRUCTION_LEN
        record rbx rcx rdx
        vmread rsi GUEST_RIP
        add rsi rdx
        vmwrite GUEST_RIP rsi
        vmresume
guest L2
)";

TEST(L0Insns, NestedReflectsWhatVmcs12AsksForAndEmulatesTheRest)
{
	ExpectRunOk(std::string(kNestedHead) + R"(  vmcs CPU_BASED_VM_EXEC_CONTROL CPU_BASED_RDTSC_EXITING|CPU_BASED_PAUSE_EXITING
main:   cpuid
io:     out 0x80
cr8:    mov-cr8 1
        rdtsc rax
        pause
        mov-cr3 r8
        work 100000
run 100000
expect 1st record L1 rbx=10 rcx=0 rdx=2
expect 2nd record L1 rbx=16 rcx=0 rdx=2
expect 3rd record L1 rbx=40 rcx=0 rdx=2
expect 4th record L1 rbx=28 rcx=0x803 rdx=4
expect exit at io L2 reason=IO_INSTRUCTION qual=0x800040
expect exit at cr8 L2 reason=CR_ACCESS qual=0x8 insn-len=4
)");
}

TEST(L0Insns, NestedReflectsPortIoAndCr8LoadsWhenL1InterceptsThem)
{
	ExpectRunOk(std::string(kNestedHead) + R"(  vmcs CPU_BASED_VM_EXEC_CONTROL CPU_BASED_UNCOND_IO_EXITING|CPU_BASED_CR8_LOAD_EXITING
main:   in rax 0x1f0
        mov-cr8 r9
        work 100000
run 60000
expect 1st record L1 rbx=30 rcx=0x1f00008 rdx=1
expect 2nd record L1 rbx=28 rcx=0x908 rdx=4
)");
}

TEST(L0Insns, NestedTscIsL1sOffsetPlusVmcs12s)
{
	ExpectRunOk(R"(cpu nehalem
l0 kvm-modern
guest L1
  vmcs CPU_BASED_VM_EXEC_CONTROL CPU_BASED_HLT_EXITING|CPU_BASED_UNCOND_IO_EXITING|CPU_BASED_USE_TSC_OFFSETTING
  vmcs TSC_OFFSET 1000000
  exit-handler on_exit
main:   vmlaunch
on_exit: work 100000
guest L2
  vmcs CPU_BASED_VM_EXEC_CONTROL CPU_BASED_USE_TSC_OFFSETTING
  vmcs TSC_OFFSET 20000000
main:   rdtsc rax
        record rax
        work 100000
run 20000
expect 1st record L2 rax=21003400
)");
}

TEST(L0Insns, IoBitmapsVoidTheRunAtTheInstruction)
{
	std::string d;
	EXPECT_EQ(RunText(R"(cpu nehalem
l0 none
guest L1
  exit-handler on_exit
main:   vmlaunch
on_exit: work 100000
guest L2
  vmcs CPU_BASED_VM_EXEC_CONTROL CPU_BASED_USE_IO_BITMAPS
main:   work 10
        in rax 0x60
        work 1000
run 20000
expect count exit IO_INSTRUCTION == 1
)", &d), VMXSIM_BAD_INPUT);
	EXPECT_EQ(d, "t.scn:10:9: not modelled: I/O bitmaps (CPU_BASED_USE_IO_BITMAPS): the model keeps no memory for "
	             "IO_BITMAP_A/B to point to\n");
}

TEST(L0Insns, NestedKeepsVmcs12sIoBitmapsForTheProcessorToRefuse)
{
	std::string d;
	EXPECT_EQ(RunText(std::string(kNestedHead) + R"(  vmcs CPU_BASED_VM_EXEC_CONTROL CPU_BASED_USE_IO_BITMAPS
main:   out 0x80
run 20000
)", &d), VMXSIM_BAD_INPUT);
	EXPECT_NE(d.find("t.scn:16:9: not modelled: I/O bitmaps"), std::string::npos) << d;
}

TEST(L0Insns, PauseLoopExitingVoidsTheRun)
{
	std::string d;
	EXPECT_EQ(RunText(R"(cpu nehalem
l0 plain
guest L1
  vmcs CPU_BASED_VM_EXEC_CONTROL CPU_BASED_ACTIVATE_SECONDARY_CONTROLS
  vmcs SECONDARY_VM_EXEC_CONTROL SECONDARY_EXEC_PAUSE_LOOP_EXITING
main:   pause
        jmp main
run 20000
)", &d), VMXSIM_BAD_INPUT);
	EXPECT_NE(d.find("t.scn:6:9: not modelled: PAUSE-loop exiting"), std::string::npos) << d;
}

}  // namespace

/* An x2APIC MSR let through by the MSR bitmap under "virtualize x2APIC mode" would use the virtual-APIC page. */
/* 30.5: without virtual-interrupt delivery an EOI the bitmap lets through is the local APIC's. */
TEST(L0Insns, X2apicVirtualizationWithoutVidLeavesEoiToTheLocalApic)
{
	const std::string text = R"(cpu sapphire-rapids
l0 none
guest L1
  exit-handler on_exit
main:   vmlaunch
on_exit: work 100000
guest L2
  vmcs CPU_BASED_VM_EXEC_CONTROL CPU_BASED_USE_MSR_BITMAPS|CPU_BASED_TPR_SHADOW|CPU_BASED_ACTIVATE_SECONDARY_CONTROLS
  vmcs SECONDARY_VM_EXEC_CONTROL SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE
main:   work 10
        eoi
        vmcall
run 20000
)";
	std::string d;
	EXPECT_EQ(RunText(text, &d), VMXSIM_OK) << d;
	// Intercepted by the bitmap, the same EOI is an ordinary MSR_WRITE exit.
	std::string intercepted = text;
	intercepted.replace(intercepted.find("main:   work 10"), 0, "  msr-bitmap intercept write IA32_X2APIC_EOI\n");
	EXPECT_EQ(RunText(intercepted, &d), VMXSIM_OK) << d;
}

/*
 * A guest that would run with virtual-interrupt delivery under an L0 is
 * refused where it would start to run: at L1's VMLAUNCH under a nested L0
 * (which L1's VMWRITE set up), at the `vmcs` line for a C L0. On bare
 * metal it runs (tests/unit/test_rules_apicv.cc).
 */
TEST(L0Insns, VirtualInterruptDeliveryInARunningGuestIsRefused)
{
	const std::string l2 = R"(guest L2
  vmcs CPU_BASED_VM_EXEC_CONTROL CPU_BASED_TPR_SHADOW|CPU_BASED_ACTIVATE_SECONDARY_CONTROLS
l2:     vmcall
run 10000
)";
	std::string d;
	/* (kvm-modern runs L2 with it: test_nested_apicv.cc.) */
	EXPECT_EQ(RunText(R"(cpu sapphire-rapids
l0 plain
guest L1
  vmcs CPU_BASED_VM_EXEC_CONTROL CPU_BASED_TPR_SHADOW|CPU_BASED_ACTIVATE_SECONDARY_CONTROLS
  vmcs SECONDARY_VM_EXEC_CONTROL SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY
main:   vmcall
run 10000
)", &d), VMXSIM_BAD_INPUT);
	EXPECT_NE(d.find("t.scn:5:8: not modelled: virtual-interrupt delivery"), std::string::npos) << d;
	// Without it the same bare-metal guest runs.
	EXPECT_EQ(RunText(R"(cpu sapphire-rapids
l0 none
guest L1
  exit-handler h
main:   vmlaunch
h:      hlt
)" + l2, &d), VMXSIM_OK) << d;
}

/*
 * The virtual-APIC stores need a VMCS of L1's: 'l0 none' or a nested L0;
 * a device's posted interrupt needs 'l0 none', and is aimed at L2.
 */
TEST(L0Insns, VapicStoresNeedL1sVmcsAndPostsBareMetal)
{
	const std::string tail = "guest L2\nl2:     vmcall\n";
	std::string d;
	EXPECT_EQ(RunText("cpu sapphire-rapids\nl0 kvm-2008\nguest L1\nmain:   vapic-irr 0x31\nh:      hlt\nrun 10000\n",
	                  &d), VMXSIM_BAD_INPUT);
	EXPECT_EQ(d, "t.scn:4:9: not modelled: vapic-irr under L0 'kvm-2008' (the virtual-APIC page and the "
	             "posted-interrupt descriptor are those of L1's current VMCS: 'l0 none', or an L0 that runs L1 "
	             "hypervisors)\n");
	EXPECT_EQ(RunText("cpu sapphire-rapids\nl0 kvm-modern\nguest L1\n  exit-handler h\nmain:   vapic-irr 0x31\n"
	                  "        vmlaunch\nh:      hlt\n" + tail + "run 10000\n", &d), VMXSIM_OK) << d;
	EXPECT_EQ(RunText("cpu sapphire-rapids\nl0 plain\nguest L1\nmain:   vmcall\nat 500 post 0x45 -> L1 cpu0\nrun 10000\n",
	                  &d), VMXSIM_BAD_INPUT);
	EXPECT_EQ(d, "t.scn:5:1: not modelled: a device's posted interrupt under L0 'plain' (no device posts into L1's "
	             "descriptor; L1 posts with 'pi-post' and an IPI of the notification vector, or a stimulus 'irq NV "
	             "-> L1' sends the notification)\n");
	EXPECT_EQ(RunText("cpu sapphire-rapids\nl0 none\nguest L1\n  exit-handler h\nmain:   vmlaunch\nh:      hlt\n" + tail +
	                  "at 500 post 0x45 -> L1 cpu0\nrun 10000\n", &d), VMXSIM_BAD_INPUT);
	EXPECT_EQ(d, "t.scn:9:21: a posted interrupt is for the guest of the current VMCS: write '-> L2'\n");
}
