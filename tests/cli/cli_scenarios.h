/* SPDX-License-Identifier: Apache-2.0 */
// The scenarios the CLI suites share (test_cli.cc and the test_cli_*.cc
// files): small stories whose line numbers the tests name.
#ifndef VMXSIM_TESTS_CLI_SCENARIOS_H
#define VMXSIM_TESTS_CLI_SCENARIOS_H

namespace cli_scenarios {

// A guest with interrupts off that waits for the interrupt window; every
// expectation holds under `l0 plain`.
inline constexpr const char kGood[] =
	"# intr-window: the guest runs with interrupts off; a device interrupt waits\n"  // 1
	"# for the interrupt window.\n"                                                   // 2
	"cpu     nehalem\n"                                                               // 3
	"l0      plain\n"                                                                 // 4
	"vcpus   1\n"                                                                     // 5
	"\n"                                                                              // 6
	"guest L1\n"                                                                      // 7
	"  idt 32 timer interrupt-gate\n"                                                 // 8
	"main:   work 1000\n"                                                             // 9
	"        sti\n"                                                                   // 10
	"loop:   work 1000\n"                                                             // 11
	"        jmp loop\n"                                                              // 12
	"timer:  work 100\n"                                                              // 13
	"        eoi\n"                                                                   // 14
	"        iret\n"                                                                  // 15
	"\n"                                                                              // 16
	"at 500 irq 32 -> L1 cpu0\n"                                                      // 17
	"run 20000\n"                                                                     // 18
	"expect count exit INTERRUPT_WINDOW == 1\n"                                       // 19
	"expect count deliver 32 == 1\n"                                                  // 20
	"expect no nmi_nesting\n";                                                        // 21

// A second story for suites and lists: an NMI injected into a running guest.
inline constexpr const char kNmi[] =
	"# nmi: an NMI for the guest is injected at the next entry.\n"
	"cpu     nehalem\n"
	"l0      plain\n"
	"\n"
	"guest L1\n"
	"  idt 2 nmi interrupt-gate\n"
	"main:   work 1000\n"
	"        jmp main\n"
	"nmi:    work 200\n"
	"        iret\n"
	"\n"
	"at 3000 nmi -> L1 cpu0\n"
	"run 10000\n"
	"expect count deliver nmi == 1\n"
	"expect no lost_event\n";

}  // namespace cli_scenarios

#endif
