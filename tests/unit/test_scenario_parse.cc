/* SPDX-License-Identifier: Apache-2.0 */
// Scenario front-end: the structure a full scenario parses into, numbers and
// times, the CPU model with overrides (exact error messages and places:
// test_scenario_parse_errors.cc).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ostream>
#include <string>

#include "front/scenario.h"
#include "unit/scn_text.h"
#include "vmcs/cpu_model.h"
#include "vmcs/vmcs_field.h"
#include "vmcs/vmx_controls.h"
#include "vmcs/vmx_exit_reason.h"

namespace {

// A scenario with every statement the language has.
const char kFull[] =
	"# full: one of everything, for the structure test.\n"             // 1
	"# Second summary line.\n"                                          // 2
	"\n"                                                                // 3
	"cpu nehalem vmexit-cycles 1800 -virtual-nmis\n"                    // 4
	"    tsc-hz 2.4GHz +sti-blocks-nmi\n"                               // 5
	"l0 kvm-2011 -timeout +trace mode=strict\n"                         // 6
	"vcpus 2\n"                                                         // 7
	"\n"                                                                // 8
	"guest L1\n"                                                        // 9
	"  idt 2 nmi interrupt-gate\n"                                      // 10
	"  idt 0x20 timer trap-gate\n"                                      // 11
	"  vmcs PIN_BASED_VM_EXEC_CONTROL PIN_BASED_NMI_EXITING|PIN_BASED_VIRTUAL_NMIS\n" // 12
	"  vmcs GUEST_RFLAGS 0x202\n"                                       // 13
	"  exit-handler handler\n"                                          // 14
	"main:   sti\n"                                                     // 15
	"        vmwrite CPU_BASED_VM_EXEC_CONTROL CPU_BASED_NMI_WINDOW_EXITING|0x80\n" // 16
	"        vmlaunch\n"                                                // 17
	"handler: vmread VM_EXIT_REASON\n"                                  // 18
	"        vmresume\n"                                                // 19
	"nmi:    work 200\n"                                                // 20
	"        ipi cpu1 nmi\n"                                            // 21
	"        ipi cpu1 0x40\n"                                           // 22
	"        iret\n"                                                    // 23
	"timer:  eoi\n"                                                     // 24
	"        jmp done\n"                                                // 25
	"done:   iret\n"                                                    // 26
	"\n"                                                                // 27
	"guest L2\n"                                                        // 28
	"loop: a2: work 1.5k\n"                                             // 29
	"        int 3\n"                                                   // 30
	"        hlt\n"                                                     // 31
	"        jmp loop\n"                                                // 32
	"\n"                                                                // 33
	"guest L1 cpu1\n"                                                   // 34
	"spin:   work 1us\n"                                                // 35
	"        jmp spin\n"                                                // 36
	"\n"                                                                // 37
	"at 5000 nmi -> L1 cpu0\n"                                          // 38
	"at 2.5us irq 32 -> L0 cpu1 via device\n"                           // 39
	"every 1M from 10k until 1ms nmi -> L1 cpu1 via watchdog\n"         // 40
	"on exit EXTERNAL_INTERRUPT L2 cpu0 +100 irq 33 -> L1 cpu0\n"       // 41
	"on 3rd deliver nmi nmi -> L1 cpu0\n"                               // 42
	"on every inject nmi -> L2 cpu0\n"                                  // 43
	"run 20ms\n"                                                        // 44
	"\n"                                                                // 45
	"expect no nmi_nesting\n"                                           // 46
	"expect count exit NMI_WINDOW <= 2\n"                               // 47
	"expect count violation lost_event == 0\n"                          // 48
	"expect exit HLT cpu0 at 12000\n"                                   // 49
	"expect entry in 5000..6us\n";                                      // 50

void ExpectLoc(scn_loc loc, uint32_t line, uint32_t col)
{
	EXPECT_EQ(loc.line, line);
	EXPECT_EQ(loc.col, col);
}

TEST(ScenarioParse, FullExampleHeader)
{
	Parsed p(kFull, "full.scn");
	ASSERT_NE(p.s, nullptr) << p.where();
	const scn_scenario *s = p.s;

	EXPECT_STREQ(s->file, "full.scn");
	EXPECT_STREQ(s->summary, "full: one of everything, for the structure test. Second summary line.");

	EXPECT_STREQ(s->cpu.model, "nehalem");
	ExpectLoc(s->cpu.loc, 4, 5);
	ASSERT_EQ(s->cpu.noverrides, 4u);
	EXPECT_EQ(s->cpu.overrides[0].param, SCN_CPU_VMEXIT_CYCLES);
	EXPECT_EQ(s->cpu.overrides[0].value, 1800u);
	ExpectLoc(s->cpu.overrides[0].loc, 4, 13);
	EXPECT_EQ(s->cpu.overrides[1].param, SCN_CPU_FEATURE);
	EXPECT_EQ(s->cpu.overrides[1].feature, (uint32_t)VMX_FEAT_VIRTUAL_NMIS);
	EXPECT_EQ(s->cpu.overrides[1].value, 0u);
	ExpectLoc(s->cpu.overrides[1].loc, 4, 32);
	EXPECT_EQ(s->cpu.overrides[2].param, SCN_CPU_TSC_HZ);
	EXPECT_EQ(s->cpu.overrides[2].value, 2400000000u);
	ExpectLoc(s->cpu.overrides[2].loc, 5, 5);
	EXPECT_EQ(s->cpu.overrides[3].param, SCN_CPU_STI_BLOCKS_NMI);
	EXPECT_EQ(s->cpu.overrides[3].value, 1u);

	EXPECT_STREQ(s->l0.name, "kvm-2011");
	ExpectLoc(s->l0.loc, 6, 4);
	ASSERT_EQ(s->l0.nswitches, 3u);
	EXPECT_EQ(s->l0.switches[0].kind, SCN_SWITCH_OFF);
	EXPECT_STREQ(s->l0.switches[0].name, "timeout");
	EXPECT_EQ(s->l0.switches[0].value, nullptr);
	ExpectLoc(s->l0.switches[0].loc, 6, 13);
	EXPECT_EQ(s->l0.switches[1].kind, SCN_SWITCH_ON);
	EXPECT_STREQ(s->l0.switches[1].name, "trace");
	EXPECT_EQ(s->l0.switches[2].kind, SCN_SWITCH_VALUE);
	EXPECT_STREQ(s->l0.switches[2].name, "mode");
	EXPECT_STREQ(s->l0.switches[2].value, "strict");
	ExpectLoc(s->l0.switches[2].loc, 6, 29);
	ExpectLoc(s->l0.switches[2].value_loc, 6, 34);

	EXPECT_EQ(s->vcpus, 2u);
	ExpectLoc(s->vcpus_loc, 7, 1);
	EXPECT_EQ(s->run.value, 20u);
	EXPECT_EQ(s->run.unit, SCN_UNIT_MS);
	ExpectLoc(s->run_loc, 44, 1);
}

TEST(ScenarioParse, FullExampleL1Program)
{
	Parsed p(kFull);
	ASSERT_NE(p.s, nullptr) << p.where();
	ASSERT_EQ(p.s->nguests, 3u);
	const scn_guest &g = p.s->guests[0];

	EXPECT_EQ(g.level, SCN_L1);
	EXPECT_EQ(g.cpu, SCN_ANY);
	ExpectLoc(g.loc, 9, 1);

	const scn_op ops[] = {SCN_OP_STI,  SCN_OP_VMWRITE, SCN_OP_VMLAUNCH, SCN_OP_VMREAD,
	                      SCN_OP_VMRESUME, SCN_OP_WORK, SCN_OP_IPI,     SCN_OP_IPI,
	                      SCN_OP_IRET, SCN_OP_EOI,     SCN_OP_JMP,      SCN_OP_IRET};
	ASSERT_EQ(g.ninsns, sizeof(ops) / sizeof(ops[0]));
	for (size_t i = 0; i < g.ninsns; i++)
		EXPECT_EQ(g.insns[i].op, ops[i]) << "instruction " << i;

	ExpectLoc(g.insns[0].loc, 15, 9);
	EXPECT_EQ(g.insns[1].encoding, (uint32_t)CPU_BASED_VM_EXEC_CONTROL);
	EXPECT_EQ(g.insns[1].field, vmcs_field_index(CPU_BASED_VM_EXEC_CONTROL));
	EXPECT_EQ(g.insns[1].value, (uint64_t)CPU_BASED_NMI_WINDOW_EXITING | 0x80u);
	ExpectLoc(g.insns[1].arg_loc, 16, 17);
	EXPECT_EQ(g.insns[3].encoding, (uint32_t)VM_EXIT_REASON);
	ExpectLoc(g.insns[3].loc, 18, 10);
	EXPECT_EQ(g.insns[5].work.value, 200u);
	EXPECT_EQ(g.insns[5].work.unit, SCN_UNIT_CYCLES);
	EXPECT_TRUE(g.insns[6].nmi);
	EXPECT_EQ(g.insns[6].cpu, 1u);
	ExpectLoc(g.insns[6].arg_loc, 21, 13);
	EXPECT_FALSE(g.insns[7].nmi);
	EXPECT_EQ(g.insns[7].vector, 0x40u);
	EXPECT_STREQ(g.insns[10].label, "done");
	EXPECT_EQ(g.insns[10].target, 11u);  // a forward jump
	ExpectLoc(g.insns[10].arg_loc, 25, 13);

	ASSERT_EQ(g.nlabels, 5u);
	EXPECT_STREQ(g.labels[0].name, "main");
	EXPECT_EQ(g.labels[0].insn, 0u);
	EXPECT_STREQ(g.labels[2].name, "nmi");
	EXPECT_EQ(g.labels[2].insn, 5u);
	ExpectLoc(g.labels[2].loc, 20, 1);

	ASSERT_EQ(g.nidt, 2u);
	EXPECT_EQ(g.idt[0].vector, 2u);
	EXPECT_EQ(g.idt[0].gate, SCN_GATE_INTERRUPT);
	EXPECT_STREQ(g.idt[0].label, "nmi");
	EXPECT_EQ(g.idt[0].target, 5u);
	ExpectLoc(g.idt[0].loc, 10, 3);
	ExpectLoc(g.idt[0].label_loc, 10, 9);
	EXPECT_EQ(g.idt[1].vector, 0x20u);
	EXPECT_EQ(g.idt[1].gate, SCN_GATE_TRAP);
	EXPECT_EQ(g.idt[1].target, 9u);

	ASSERT_EQ(g.nvmcs, 2u);
	EXPECT_EQ(g.vmcs[0].encoding, (uint32_t)PIN_BASED_VM_EXEC_CONTROL);
	EXPECT_EQ(g.vmcs[0].value, (uint64_t)(PIN_BASED_NMI_EXITING | PIN_BASED_VIRTUAL_NMIS));
	ExpectLoc(g.vmcs[0].loc, 12, 8);
	EXPECT_EQ(g.vmcs[1].field, vmcs_field_index(GUEST_RFLAGS));
	EXPECT_EQ(g.vmcs[1].value, 0x202u);

	EXPECT_TRUE(g.has_exit_handler);
	EXPECT_STREQ(g.exit_handler_label, "handler");
	EXPECT_EQ(g.exit_handler, 3u);
	ExpectLoc(g.exit_handler_loc, 14, 16);
}

TEST(ScenarioParse, FullExampleL2AndPerCpuBlocks)
{
	Parsed p(kFull);
	ASSERT_NE(p.s, nullptr) << p.where();
	const scn_guest &l2 = p.s->guests[1];

	EXPECT_EQ(l2.level, SCN_L2);
	ASSERT_EQ(l2.ninsns, 4u);
	EXPECT_EQ(l2.insns[0].work.value, 1500u);  // 1.5k
	EXPECT_EQ(l2.insns[1].op, SCN_OP_INT);
	EXPECT_EQ(l2.insns[1].vector, 3u);
	EXPECT_EQ(l2.insns[3].target, 0u);
	ASSERT_EQ(l2.nlabels, 2u);  // two labels on one line name the same instruction
	EXPECT_EQ(l2.labels[1].insn, 0u);

	const scn_guest &l1cpu1 = p.s->guests[2];
	EXPECT_EQ(l1cpu1.cpu, 1);
	EXPECT_EQ(l1cpu1.insns[0].work.value, 1u);
	EXPECT_EQ(l1cpu1.insns[0].work.unit, SCN_UNIT_US);

	EXPECT_EQ(scn_guest_for(p.s, SCN_L1, 0), &p.s->guests[0]);
	EXPECT_EQ(scn_guest_for(p.s, SCN_L1, 1), &p.s->guests[2]);
	EXPECT_EQ(scn_guest_for(p.s, SCN_L2, 1), &p.s->guests[1]);
}

TEST(ScenarioParse, FullExampleStimuli)
{
	Parsed p(kFull);
	ASSERT_NE(p.s, nullptr) << p.where();
	ASSERT_EQ(p.s->nstimuli, 6u);
	const scn_stimulus *st = p.s->stimuli;

	EXPECT_EQ(st[0].timing, SCN_AT);
	EXPECT_EQ(st[0].at.value, 5000u);
	EXPECT_EQ(st[0].kind, SCN_STIM_NMI);
	EXPECT_EQ(st[0].level, SCN_L1);
	EXPECT_EQ(st[0].cpu, 0u);
	EXPECT_EQ(st[0].via, nullptr);
	ExpectLoc(st[0].loc, 38, 1);
	ExpectLoc(st[0].target_loc, 38, 16);

	EXPECT_EQ(st[1].at.value, 2500u);  // 2.5us steps down to ns
	EXPECT_EQ(st[1].at.unit, SCN_UNIT_NS);
	EXPECT_EQ(st[1].kind, SCN_STIM_IRQ);
	EXPECT_EQ(st[1].vector, 32u);
	EXPECT_EQ(st[1].level, SCN_L0);
	EXPECT_EQ(st[1].cpu, 1u);
	EXPECT_STREQ(st[1].via, "device");
	ExpectLoc(st[1].via_loc, 39, 32);

	EXPECT_EQ(st[2].timing, SCN_EVERY);
	EXPECT_EQ(st[2].period.value, 1000000u);
	EXPECT_TRUE(st[2].has_from);
	EXPECT_EQ(st[2].from.value, 10000u);
	EXPECT_TRUE(st[2].has_until);
	EXPECT_EQ(st[2].until.value, 1u);
	EXPECT_EQ(st[2].until.unit, SCN_UNIT_MS);
	EXPECT_STREQ(st[2].via, "watchdog");

	EXPECT_EQ(st[3].timing, SCN_ON);
	EXPECT_EQ(st[3].occurrence, 1u);
	EXPECT_EQ(st[3].trigger.ev, SCN_EV_EXIT);
	EXPECT_EQ(st[3].trigger.arg, (int)EXIT_REASON_EXTERNAL_INTERRUPT);
	EXPECT_EQ(st[3].trigger.level, (int)SCN_L2);
	EXPECT_EQ(st[3].trigger.cpu, 0);
	ExpectLoc(st[3].trigger.loc, 41, 4);
	ExpectLoc(st[3].trigger.arg_loc, 41, 9);
	EXPECT_EQ(st[3].delay.value, 100u);
	EXPECT_EQ(st[3].vector, 33u);

	EXPECT_EQ(st[4].occurrence, 3u);
	EXPECT_EQ(st[4].trigger.ev, SCN_EV_DELIVER);
	EXPECT_EQ(st[4].trigger.arg, SCN_NMI);
	EXPECT_EQ(st[4].kind, SCN_STIM_NMI);

	// `on every inject nmi -> ...`: the nmi before the arrow is the stimulus
	EXPECT_EQ(st[5].occurrence, 0u);
	EXPECT_EQ(st[5].trigger.ev, SCN_EV_INJECT);
	EXPECT_EQ(st[5].trigger.arg, SCN_ANY);
	EXPECT_EQ(st[5].kind, SCN_STIM_NMI);
	EXPECT_EQ(st[5].level, SCN_L2);
}

TEST(ScenarioParse, FullExampleExpectations)
{
	Parsed p(kFull);
	ASSERT_NE(p.s, nullptr) << p.where();
	ASSERT_EQ(p.s->nexpects, 5u);
	const scn_expect *e = p.s->expects;

	EXPECT_EQ(e[0].kind, SCN_EXPECT_VERDICT);
	EXPECT_TRUE(e[0].negated);
	EXPECT_STREQ(e[0].verdict, "nmi_nesting");
	ExpectLoc(e[0].verdict_loc, 46, 11);

	EXPECT_EQ(e[1].kind, SCN_EXPECT_COUNT);
	EXPECT_EQ(e[1].event.ev, SCN_EV_EXIT);
	EXPECT_EQ(e[1].event.arg, (int)EXIT_REASON_NMI_WINDOW);
	EXPECT_EQ(e[1].cmp, SCN_CMP_LE);
	EXPECT_EQ(e[1].count, 2u);
	ExpectLoc(e[1].loc, 47, 1);

	EXPECT_EQ(e[2].event.ev, SCN_EV_VIOLATION);
	EXPECT_STREQ(e[2].event.kind, "lost_event");
	EXPECT_EQ(e[2].cmp, SCN_CMP_EQ);
	EXPECT_EQ(e[2].count, 0u);

	EXPECT_EQ(e[3].kind, SCN_EXPECT_AT);
	EXPECT_EQ(e[3].event.arg, (int)EXIT_REASON_HLT);
	EXPECT_EQ(e[3].event.cpu, 0);
	EXPECT_EQ(e[3].event.level, SCN_ANY);
	EXPECT_EQ(e[3].at.value, 12000u);

	EXPECT_EQ(e[4].kind, SCN_EXPECT_WITHIN);
	EXPECT_EQ(e[4].event.ev, SCN_EV_ENTRY);
	EXPECT_EQ(e[4].at.value, 5000u);
	EXPECT_EQ(e[4].until.value, 6u);
	EXPECT_EQ(e[4].until.unit, SCN_UNIT_US);
}

TEST(ScenarioParse, DesignSketchParses)
{
	Parsed p(
		"# sti-in-handler: the NMI handler turns interrupts back on before IRET.\n"
		"cpu     core2-no-vnmi          # a named CPU model\n"
		"l0      kvm-2008               # L0 variant\n"
		"vcpus   1\n"
		"\n"
		"guest L1\n"
		"  idt 2   nmi     interrupt-gate\n"
		"  idt 32  timer   interrupt-gate\n"
		"main:   sti\n"
		"loop:   work 1000\n"
		"        jmp loop\n"
		"nmi:    work 200\n"
		"        sti                    # the step that breaks the heuristic\n"
		"        work 500\n"
		"        iret\n"
		"timer:  eoi\n"
		"        iret\n"
		"\n"
		"at 5000 nmi -> L1 cpu0         # e.g. the monitor's `nmi` command\n"
		"at 5800 nmi -> L1 cpu0\n"
		"every 1000000 irq 32 -> L1 cpu0\n"
		"run 20000\n"
		"\n"
		"expect nmi_nesting\n");
	ASSERT_NE(p.s, nullptr) << p.where();
	EXPECT_EQ(p.s->guests[0].ninsns, 9u);
	EXPECT_EQ(p.s->guests[0].insns[2].target, 1u);
	EXPECT_FALSE(p.s->expects[0].negated);
}

TEST(ScenarioParse, NumbersAndUnits)
{
	struct Case {
		const char *text;
		uint64_t value;
		scn_unit unit;
	} cases[] = {
		{"5000", 5000, SCN_UNIT_CYCLES},   {"1_000_000", 1000000, SCN_UNIT_CYCLES},
		{"2.5k", 2500, SCN_UNIT_CYCLES},   {"3M", 3000000, SCN_UNIT_CYCLES},
		{"1G", 1000000000, SCN_UNIT_CYCLES}, {"250ns", 250, SCN_UNIT_NS},
		{"1.5ms", 1500, SCN_UNIT_US},      {"0.25s", 250, SCN_UNIT_MS},
		{"2s", 2, SCN_UNIT_S},             {"1.5us", 1500, SCN_UNIT_NS},
		{"100000000000000000", 100000000000000000ull, SCN_UNIT_CYCLES},
		{"1000000s", 1000000, SCN_UNIT_S},
	};
	for (const Case &c : cases) {
		Parsed p(ScenarioWith(std::string("at ") + c.text + " nmi -> L1 cpu0\n"));
		ASSERT_NE(p.s, nullptr) << c.text << ": " << p.where();
		EXPECT_EQ(p.s->stimuli[0].at.value, c.value) << c.text;
		EXPECT_EQ(p.s->stimuli[0].at.unit, c.unit) << c.text;
	}
	Parsed hex(ScenarioWith("at 1 irq 0xEC -> L1 cpu0\n"));
	ASSERT_NE(hex.s, nullptr) << hex.where();
	EXPECT_EQ(hex.s->stimuli[0].vector, 0xecu);
}

TEST(ScenarioParse, TimeToCycles)
{
	uint64_t c = 0;
	EXPECT_TRUE(scn_time_cycles({1500, SCN_UNIT_US}, 2400000000ull, &c));
	EXPECT_EQ(c, 3600000u);
	EXPECT_TRUE(scn_time_cycles({1, SCN_UNIT_NS}, 2400000000ull, &c));
	EXPECT_EQ(c, 2u);  // 2.4 cycles, rounded down
	EXPECT_TRUE(scn_time_cycles({77, SCN_UNIT_CYCLES}, 1, &c));
	EXPECT_EQ(c, 77u);
	// The longest time at the fastest clock still fits.
	EXPECT_TRUE(scn_time_cycles({SCN_MAX_SECONDS * 1000000000ull, SCN_UNIT_NS}, SCN_MAX_TSC_HZ, &c));
	EXPECT_EQ(c, SCN_MAX_SECONDS * SCN_MAX_TSC_HZ);
	EXPECT_FALSE(scn_time_cycles({UINT64_MAX, SCN_UNIT_S}, 3, &c));
}

TEST(ScenarioParse, CpuOverridesResolve)
{
	Parsed p("cpu nehalem -virtual-nmis iret-cycles 44\n +ack-intr-on-exit -sti-blocks-nmi\n"
	         "  tsc-hz 1GHz\nl0 x\nguest L1\n nop\nrun 1\n");
	ASSERT_NE(p.s, nullptr) << p.where();
	cpu_model m;
	ASSERT_TRUE(scn_cpu_resolve(&p.s->cpu, &m));
	EXPECT_STREQ(m.name, "nehalem");
	EXPECT_EQ(m.features & VMX_FEAT_VIRTUAL_NMIS, 0u);
	EXPECT_NE(m.features & VMX_FEAT_MTF, 0u);
	EXPECT_EQ(m.iret_cycles, 44u);
	EXPECT_EQ(m.tsc_hz, 1000000000u);
	EXPECT_FALSE(m.sti_blocks_nmi);
	// the capability MSRs follow the features: virtual NMIs may no longer be set
	EXPECT_EQ((m.caps.pinbased_ctls >> 32) & PIN_BASED_VIRTUAL_NMIS, 0u);
}

TEST(ScenarioParse, EveryCpuFeatureHasAName)
{
	for (uint32_t bit = VMX_FEAT_VIRTUAL_NMIS; bit <= VMX_FEAT_PAUSE_LOOP; bit <<= 1) {
		const char *name = scn_cpu_param_name(SCN_CPU_FEATURE, bit);
		ASSERT_NE(name, nullptr) << "feature bit 0x" << std::hex << bit;
		Parsed p(std::string("cpu nehalem +") + name + "\nl0 x\nguest L1\n nop\nrun 1\n");
		ASSERT_NE(p.s, nullptr) << p.where();
		EXPECT_EQ(p.s->cpu.overrides[0].feature, bit);
	}
}

TEST(ScenarioParse, CommentsCrlfAndNoFinalNewline)
{
	Parsed p("#only line\r\ncpu nehalem # model\r\nl0 x\r\nguest L1\r\n nop # c\r\nrun 1");
	ASSERT_NE(p.s, nullptr) << p.where();
	EXPECT_STREQ(p.s->summary, "only line");
	Parsed none("cpu nehalem\nl0 x\nguest L1\n nop\nrun 1\n");
	ASSERT_NE(none.s, nullptr);
	EXPECT_STREQ(none.s->summary, "");
	Parsed utf8("# caf\xc3\xa9 \xe2\x82\xac\ncpu nehalem\nl0 x\nguest L1\n nop\nrun 1\n");
	ASSERT_NE(utf8.s, nullptr) << utf8.where();
	EXPECT_STREQ(utf8.s->summary, "caf\xc3\xa9 \xe2\x82\xac");
}

TEST(ScenarioParse, SummaryIsTheOpeningParagraph)
{
	Parsed p("  # name: acknowledge-interrupt-on-\n#\texit off, vCPU 0 -\n# idle\n#\n# not this\n"
	         "cpu nehalem\nl0 x\nguest L1\n nop\nrun 1\n");
	ASSERT_NE(p.s, nullptr) << p.where();
	EXPECT_STREQ(p.s->summary, "name: acknowledge-interrupt-on-exit off, vCPU 0 - idle");
}

TEST(ScenarioParse, ManyLabelsResolve)
{
	std::string text = "cpu nehalem\nl0 x\nguest L1\n";
	const int n = 3000;  // enough to grow the label table several times
	for (int i = 0; i < n; i++)
		text += "l" + std::to_string(i) + ": jmp l" + std::to_string((i * 7 + 3) % n) + "\n";
	text += "guest L2\nl0: nop\n  jmp l0\nrun 1\n";  // labels are per block
	Parsed p(text);
	ASSERT_NE(p.s, nullptr) << p.where();
	const scn_guest &g = p.s->guests[0];
	ASSERT_EQ(g.ninsns, (size_t)n);
	for (int i = 0; i < n; i++)
		ASSERT_EQ(g.insns[i].target, (uint32_t)((i * 7 + 3) % n)) << i;
	EXPECT_EQ(p.s->guests[1].insns[1].target, 0u);
}

TEST(ScenarioParse, NamesAsTheLanguageSpellsThem)
{
	EXPECT_STREQ(scn_op_name(SCN_OP_MOV_SS), "mov-ss");
	EXPECT_STREQ(scn_op_name(SCN_OP_VMWRITE), "vmwrite");
	EXPECT_EQ(scn_op_name(SCN_OP_COUNT), nullptr);
	EXPECT_STREQ(scn_event_name(SCN_EV_ENTRY_FAIL), "entry-fail");
	EXPECT_STREQ(scn_unit_name(SCN_UNIT_US), "us");
	EXPECT_STREQ(scn_cmp_name(SCN_CMP_GE), ">=");
	EXPECT_STREQ(scn_cpu_param_name(SCN_CPU_TSC_HZ, 0), "tsc-hz");
	EXPECT_STREQ(scn_cpu_param_name(SCN_CPU_FEATURE, VMX_FEAT_MTF), "mtf");
}

// Every field of the SDM's table is a FIELD, by name or encoding, at its own
// width; whether the CPU model has it is decided when the scenario runs.
TEST(ScenarioParse, EveryVmcsFieldOfTheTableIsAName)
{
	Parsed p(ScenarioWith("", "  vmcs GUEST_CR3 0x1000\n  vmcs EPT_POINTER 0x12345678901e\n"
	                  "  vmcs POSTED_INTR_NV 0xf2\n  vmcs PML_ADDRESS 0x2000\n  vmcs 0x6c02 0x3000\n"
	                  "l: vmread GUEST_ES_SELECTOR\n  vmwrite TSC_OFFSET 0xffffffffffff0000\n"
	                  "  vmread 0x2046\n"));
	ASSERT_NE(p.s, nullptr) << p.where();
	const scn_guest &g = p.s->guests[0];
	ASSERT_EQ(g.nvmcs, 5u);
	EXPECT_EQ(g.vmcs[0].encoding, static_cast<uint32_t>(GUEST_CR3));
	EXPECT_EQ(g.vmcs[1].value, 0x12345678901eull);
	EXPECT_EQ(g.vmcs[3].field, vmcs_field_lookup(PML_ADDRESS));
	EXPECT_EQ(g.vmcs[4].field, vmcs_field_lookup(HOST_CR3));
	ASSERT_EQ(g.ninsns, 5u);
	EXPECT_EQ(g.insns[2].encoding, static_cast<uint32_t>(GUEST_ES_SELECTOR));
	EXPECT_EQ(g.insns[3].value, 0xffffffffffff0000ull);
	EXPECT_EQ(g.insns[4].field, -1);   // no such field: VMREAD of it fails with 12
	Parsed wide(ScenarioWith("", "  vmcs GUEST_ES_SELECTOR 0x10000\n"));
	EXPECT_EQ(wide.s, nullptr);
	EXPECT_NE(wide.where().find("does not fit the 16-bit field GUEST_ES_SELECTOR"), std::string::npos)
	    << wide.where();
}

TEST(ScenarioParse, SameBytesSameResult)
{
	Parsed a(kFull), b(kFull);
	ASSERT_NE(a.s, nullptr);
	ASSERT_NE(b.s, nullptr);
	EXPECT_EQ(a.s->guests[0].ninsns, b.s->guests[0].ninsns);
	Parsed e1(ScenarioWith("at 5 irq\n")), e2(ScenarioWith("at 5 irq\n"));
	EXPECT_EQ(e1.where(), e2.where());
}

}  // namespace

TEST(ScenarioParse, StackUnmappedIsPerBlockAndOnce)
{
	const std::string ok = "cpu nehalem\nl0 plain\nguest L1\n  stack-unmapped\nmain: work 10\nrun 100\n";
	scn_error err{};
	scn_scenario *s = scn_parse(ok.data(), ok.size(), "s.scn", &err);
	ASSERT_NE(s, nullptr) << err.msg;
	ASSERT_EQ(s->nguests, 1u);
	EXPECT_TRUE(s->guests[0].stack_unmapped);
	EXPECT_EQ(s->guests[0].stack_unmapped_loc.line, 4u);
	EXPECT_EQ(s->guests[0].stack_unmapped_loc.col, 3u);
	scn_free(s);

	const std::string twice = "cpu nehalem\nl0 plain\nguest L1\nstack-unmapped\nstack-unmapped\nmain: work 10\nrun 100\n";
	s = scn_parse(twice.data(), twice.size(), "s.scn", &err);
	EXPECT_EQ(s, nullptr);
	EXPECT_EQ(err.line, 5u);
	EXPECT_EQ(err.col, 1u);
	EXPECT_STREQ(err.msg, "the block already says stack-unmapped (line 4)");
	scn_free(s);
}
