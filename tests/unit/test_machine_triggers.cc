/* SPDX-License-Identifier: Apache-2.0 */
// Relative stimuli (`on EVENT +D ...`) come due in the middle of a run: the
// vCPU they are for must take them there - at its next instruction
// boundary, or at once when it idles in the host - and not at its next VM
// exit or the end of the run (vmx_lp.stop_at, stimuli.c machine_watch_emit). The
// expectations inside each scenario say where; the reference mode must
// agree.
#include <gtest/gtest.h>

#include <string>

#include "unit/scenario_holds.h"
#include "unit/guests.h"

namespace {

void ExpectHolds(const std::string &text)
{
	ExpectScenarioHolds(text, "trigger.scn");
}

// A guest in its NMI handler runs 3000 cycles without an exit; the second
// NMI comes due 300 cycles after the first delivery (3781) and kicks the
// vCPU out right there.
TEST(MachineTriggers, DueWhileTheGuestRunsIsTakenAtTheNextBoundary)
{
	ExpectHolds(R"(cpu nehalem
l0 plain
guest L1
  idt 2 nmi interrupt-gate
main:   sti
loop:   work 1000
        jmp loop
nmi:    work 3000
        iret
at 1000 nmi -> L1 cpu0
on deliver nmi +300 nmi -> L1 cpu0
run 20000
expect exit EXTERNAL_INTERRUPT at 4081
expect count deliver nmi == 2
expect no lost_event
)");
}

// KVM blocks the vCPU on the guest's HLT (2400); the NMI due 3000 cycles
// after the HLT exit (at 4000) wakes it then, and it is injected at once.
TEST(MachineTriggers, DueWhileTheVcpuIsBlockedWakesItThen)
{
	ExpectHolds(std::string(kHaltingGuest) + R"(on exit HLT +3000 nmi -> L1 cpu0
run 20000
expect entry at 4000
expect count deliver nmi == 1
expect no lost_event
)");
}

// Due while root software handles the HLT exit (1200): taken where KVM
// next looks; it blocks the vCPU at 2400 and wakes it at once to inject.
TEST(MachineTriggers, DueWhileTheHypervisorRunsIsTakenWhereItLooks)
{
	ExpectHolds(std::string(kHaltingGuest) + R"(on exit HLT +200 nmi -> L1 cpu0
run 20000
expect count deliver nmi == 1
expect entry at 2400
expect deliver nmi at 3450
expect no lost_event
)");
}

} // namespace

// A root program's self-IPI (bare metal, one vCPU: no windows) never
// leaves the local APIC: it is pending at once, and taken at the next
// boundary nothing blocks (R24) - in L1's IDT right after the STI shadow
// that covered the IPI (cycle 2, delivered at 52), and, sent just before a
// VMLAUNCH, at L2's first boundary as an EXTERNAL_INTERRUPT exit before L2
// executes anything (kvm-unit-tests vmx_pending_event_test). Bochs takes a
// self-IPI at the same boundary (docs/oracle.md).
TEST(MachineTriggers, ARootProgramsSelfIpiIsTakenWhereItComesDue)
{
	ExpectHolds(R"(cpu nehalem
l0 none
guest L1
  idt 0x40 h1 interrupt-gate
  idt 0x41 h2 interrupt-gate
  exit-handler on_exit
main:    sti
         ipi cpu0 0x40
         work 1000
         cli
         ipi cpu0 0x41
         vmlaunch
         hlt
on_exit: sti
         nop
         cli
         hlt
h1:      eoi
         iret
h2:      eoi
         iret
guest L2
l2_main: work 1000
         vmcall
run 20000
expect deliver 0x40 L1 at 52
expect 1st exit L2 reason=EXTERNAL_INTERRUPT rip=l2_main
expect count deliver 0x41 L2 == 0
expect count deliver 0x41 L1 == 1
expect no lost_event
)");
}

// A guest's IPI to its own vCPU, through its L0: the L0's emulated local
// APIC accepts it while it handles the ICR write (KVM: kvm_apic_send_ipi on
// the sender, a request for the vCPU itself), so every L0 injects it at the
// VMRESUME that ends that exit - not at the guest's next, unrelated exit
// (here the HLT 6000 cycles later, where a lone vCPU's unbounded run once
// let the machine see it).
TEST(MachineTriggers, AGuestsSelfIpiIsInjectedWhenItsL0EntersAgain)
{
	for (const char *l0 : {"kvm-2008", "kvm-2011", "kvm-modern", "plain"}) {
		const std::string cpu = std::string(l0) == "kvm-2008" ? "core2-no-vnmi" : "nehalem";
		SCOPED_TRACE(l0);
		ExpectHolds("cpu " + cpu + "\nl0 " + l0 + R"(
guest L1
  idt 2 nmi_h interrupt-gate
main:   work 100
        ipi cpu0 nmi
        work 5000
        hlt
nmi_h:  iret
run 20000
expect 1st exit L1 reason=MSR_WRITE rip=main+100
expect count exit MSR_WRITE == 1
expect deliver nmi L1 at 3550
expect no lost_event
)");
	}
}

// The same with a fixed vector, and an IPI to another vCPU: that one's L0
// learns of it by the kick (a host interrupt, ipi_cycles after the sender's
// L0 sent it) and injects it at the re-entry after that exit.
TEST(MachineTriggers, AnL0sIpisAreTakenOnTime)
{
	ExpectHolds(R"(cpu nehalem
l0 kvm-modern
vcpus 2
guest L1 cpu0
  idt 0x40 h40 interrupt-gate
main:   sti
        work 100
        ipi cpu0 0x40
        work 5000
        ipi cpu1 nmi
        work 3000
        hlt
h40:    eoi
        iret
guest L1 cpu1
  idt 2 nmi_h interrupt-gate
main:   work 100000
nmi_h:  iret
run 20000
expect deliver 0x40 L1 cpu0 at 3551
expect 1st exit L1 cpu1 reason=EXTERNAL_INTERRUPT
expect deliver nmi L1 cpu1 at 15362
expect no lost_event
)");
}
