/* SPDX-License-Identifier: Apache-2.0 */
// Scenario text the unit suites share: whole guest setups, each a
// `cpu`/`l0`/`guest` head that a test completes with its stimuli, `run`
// and expectations.
#ifndef VMXSIM_TESTS_UNIT_GUESTS_H
#define VMXSIM_TESTS_UNIT_GUESTS_H

// Under today's KVM a guest that only halts: KVM blocks the vCPU in the
// host on each HLT exit, and an NMI wakes it into a short handler.
inline constexpr const char kHaltingGuest[] = R"(cpu nehalem
l0 kvm-modern
guest L1
  idt 2 nmi interrupt-gate
main:   hlt
        jmp main
nmi:    work 100
        iret
)";

#endif
