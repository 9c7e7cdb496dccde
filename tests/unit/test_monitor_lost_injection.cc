/* SPDX-License-Identifier: Apache-2.0 */
// The lost-injection monitor: an event L1 puts in its VM-entry
// interruption-information field reaches L2 (R14), comes back in the
// IDT-vectoring information of the exit that cut its delivery short (R20),
// or stays behind a failed entry (R26). Each scenario says with its own
// `expect` lines what the monitor must conclude; both modes must agree.
#include <gtest/gtest.h>

#include <string>

#include "unit/scenario_holds.h"

namespace {

void ExpectHolds(const std::string &text)
{
	ExpectScenarioHolds(text, "inject.scn");
}

// L1 injects vector 49 with its VMLAUNCH while an interrupt for L1 arrives
// during the emulation (nested/run-pending.scn). With KVM's
// nested_run_pending check L2 gets 49 first; without it L0 emulates an
// exit to L1 before L2 ran and the event is gone - which neither equiv nor
// lost_event sees, since L1's exit looks like any other.
std::string RunPending(const char *l0)
{
	return std::string("cpu nehalem\nl0 ") + l0 + R"(
guest L1
  idt 32 timer interrupt-gate
  exit-handler on_exit
main:   vmlaunch
on_exit: sti
        work 200
        cli
        vmresume
timer:  eoi
        iret
guest L2
  vmcs VM_EXIT_CONTROLS 0
  vmcs GUEST_RFLAGS 0x202
  vmcs VM_ENTRY_INTR_INFO_FIELD 0x80000031
  idt 49 l2dev interrupt-gate
main:   work 1000
        vmcall
        jmp main
l2dev:  iret
at 1500 irq 32 -> L1 cpu0
run 20000
)";
}

TEST(MonitorLostInjection, NestedRunPendingCheckKeepsL1sInjection)
{
	ExpectHolds(RunPending("kvm-2011") + "expect no lost_injection\nexpect count deliver 49 L2 == 1\n");
	ExpectHolds(RunPending("kvm-modern") + "expect no lost_injection\nexpect count deliver 49 L2 == 1\n");
}

TEST(MonitorLostInjection, WithoutTheRunPendingCheckTheInjectionIsLost)
{
	ExpectHolds(RunPending("kvm-2011 -run-pending-check") +
	            "expect count violation lost_injection == 1\nexpect count deliver 49 L2 == 0\n");
}

const char *const kBare = R"(cpu nehalem
l0 none
guest L1
  exit-handler on_exit
main:    vmwrite VM_ENTRY_INTR_INFO_FIELD 0x80000031
         vmlaunch
on_exit: vmread rax VM_EXIT_REASON
         record rax
         hlt
guest L2
  idt 49 h interrupt-gate
  vmcs GUEST_RFLAGS 0x202
)";

// Bare metal: the processor delivers what L1 injects.
TEST(MonitorLostInjection, BareMetalDeliveryIsNoVerdict)
{
	ExpectHolds(std::string(kBare) + R"(l2_main: work 10
         vmcall
h:       iret
run 5000
expect count deliver 49 L2 == 1
expect no lost_injection
)");
}

// An EPT violation on the stack cuts the delivery short: the event is in
// the exit's IDT-vectoring information (R20), so L1 still has it.
TEST(MonitorLostInjection, ReturnedInIdtVectoringIsNoVerdict)
{
	ExpectHolds(std::string(kBare) + R"(  stack-unmapped
l2_main: work 10
         vmcall
h:       iret
run 5000
expect 1st exit L2 reason=EPT_VIOLATION idt-info=0x80000031
expect no lost_injection
)");
}

// An external interrupt injected with RFLAGS.IF = 0 fails the entry (R9):
// nothing is injected and the field stays valid (R26).
TEST(MonitorLostInjection, FailedEntryIsNoVerdict)
{
	std::string text(kBare);
	text.replace(text.find("0x202"), 5, "0x2");
	ExpectHolds(text + R"(l2_main: vmcall
h:       iret
run 5000
expect 1st exit L2 reason=0x80000021
expect no lost_injection
)");
}

// A run that ends before the entry has delivered it: counted as lost, as
// lost_event counts an event still pending at the end (give the run time).
TEST(MonitorLostInjection, StillWaitingAtTheEndIsAVerdict)
{
	ExpectHolds(std::string(kBare) + R"(l2_main: vmcall
h:       iret
run 500
expect count violation lost_injection == 1
)");
}

}  // namespace
