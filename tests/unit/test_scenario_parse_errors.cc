/* SPDX-License-Identifier: Apache-2.0 */
// Scenario front-end: what the parser refuses, with the exact message and
// place (file:line:col), and its error API - the format, the file name,
// an unreadable file, the instruction and input-size limits.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "front/scenario.h"
#include "unit/scn_text.h"

namespace {

TEST_P(ScenarioParseErrors, ExactMessageAndPlace)
{
	Parsed p(GetParam().text);
	EXPECT_EQ(p.s, nullptr);
	EXPECT_EQ(p.where(), GetParam().where);
}

const BadInput kBad[] = {
	{"IrqWithoutVector", ScenarioWith("at 5000 irq\n"), "6:12: expected a vector number 0-255 after 'irq'"},
	{"VectorTooBig", ScenarioWith("at 5000 irq 256 -> L1 cpu0\n"),
	 "6:13: expected a vector number 0-255 after 'irq', found '256' (out of range)"},
	{"MissingArrow", ScenarioWith("at 5000 nmi L1 cpu0\n"),
	 "6:13: expected '->' and a target such as 'L1 cpu0' after 'nmi', found 'L1'"},
	{"NumberOverflow", ScenarioWith("at 99999999999999999999 nmi -> L1 cpu0\n"),
	 "6:4: expected a time such as 5000, 12k or 3us after 'at', found "
	 "'99999999999999999999' (too large)"},
	{"BadSuffix", ScenarioWith("", "  work 10kb\n"),
	 "6:8: expected a duration such as 1000 or 2us after 'work', found '10kb' "
	 "(allowed: k, M, G, ns, us, ms, s)"},
	{"UnknownStatement", "cpu nehalem\nfrob 3\n",
	 "2:1: unknown statement 'frob': expected a cpu override (vmexit-cycles, vmentry-cycles, "
	 "delivery-cycles, insn-cycles, iret-cycles, tsc-hz, +FEATURE, -FEATURE) or a statement "
	 "(cpu, l0, vcpus, guest, at, every, on, run or expect)"},
	{"UnknownCpuModel", "cpu pentium\n",
	 "1:5: unknown CPU model 'pentium': expected core2-no-vnmi, nehalem, sapphire-rapids, penryn, haswell, icelake or tigerlake"},
	{"UndefinedLabel", ScenarioWith("", "  jmp nowhere\n"), "6:7: undefined label 'nowhere'"},
	{"DuplicateLabel", ScenarioWith("", "main: nop\n"),
	 "6:1: duplicate label 'main' (first defined at line 4)"},
	{"UnknownVmcsField", ScenarioWith("", "  vmcs GUEST_RAX 1\n"),
	 "6:8: unknown VMCS field 'GUEST_RAX': expected a name from vmcs/vmcs_fields.def such as "
	 "PIN_BASED_VM_EXEC_CONTROL"},
	{"ControlOfAnotherWord", ScenarioWith("", "  vmcs PIN_BASED_VM_EXEC_CONTROL CPU_BASED_HLT_EXITING\n"),
	 "6:34: CPU_BASED_HLT_EXITING is a bit of CPU_BASED_VM_EXEC_CONTROL, not of "
	 "PIN_BASED_VM_EXEC_CONTROL"},
	{"UnknownExitReason", ScenarioWith("expect count exit NMI_WINDOWS == 1\n"),
	 "6:19: unknown exit reason 'NMI_WINDOWS': expected a name from vmcs/vmx_exit_reasons.def "
	 "such as NMI_WINDOW, EXCEPTION_NMI or HLT"},
	{"CpuOutOfRange", ScenarioWith("at 1 nmi -> L1 cpu3\n"),
	 "6:16: cpu3 does not exist: the scenario has 1 vCPU (set the number with 'vcpus N')"},
	{"EmbeddedNul", ScenarioWith(std::string("at 5\0", 5) + "00 nmi -> L1 cpu0\n"),
	 "6:5: NUL byte in the text"},
	{"InvalidUtf8", "# caf\xe9\n", "1:6: invalid UTF-8 byte 0xe9"},
	{"NonAsciiCode", "cpu n\xc3\xa9halem\n", "1:6: non-ASCII character U+00E9 outside a comment"},
	{"LongLine", "#" + std::string(5000, 'x') + "\n", "1:4097: line is longer than 4096 bytes"},
	{"MissingRun", "cpu nehalem\nl0 x\nguest L1\n nop\n", "5:1: missing 'run DURATION' statement"},
	{"MissingRunNoNewline", "cpu nehalem\nl0 x\nguest L1\n nop", "4:5: missing 'run DURATION' statement"},
	{"Empty", "", "1:1: missing 'cpu MODEL' statement"},
	{"VmxInL2", ScenarioWith("guest L2\n  vmlaunch\n"),
	 "7:3: 'vmlaunch' is an L1 hypervisor instruction; a 'guest L2' block cannot use it"},
	{"VmlaunchWithoutL2", ScenarioWith("", "  vmlaunch\n"),
	 "6:3: 'vmlaunch' needs a guest to enter: cpu0 has no 'guest L2' block"},
	{"LabelAtEnd", ScenarioWith("", "end:\n"), "6:1: label 'end' has no instruction after it"},
	{"EmptyBlock", "cpu nehalem\nl0 x\nguest L1\nrun 1\n", "3:1: the guest block has no instructions"},
	{"InstructionOutsideGuest", "cpu nehalem\nl0 x\nsti\n",
	 "3:1: 'sti' is a guest statement: it belongs in a guest block (start one with 'guest L1')"},
	{"WrongOrdinal", ScenarioWith("on 12nd exit HLT nmi -> L1 cpu0\n"),
	 "6:4: expected an ordinal such as 1st, 2nd, 3rd or 4th after 'on', found '12nd' (wrong "
	 "suffix for this number)"},
	{"ValueTooWide", ScenarioWith("", "  vmcs VIRTUAL_PROCESSOR_ID 0x10000\n"),
	 "6:29: value 0x10000 does not fit the 16-bit field VIRTUAL_PROCESSOR_ID"},
	{"DuplicateOverride", "cpu nehalem tsc-hz 1G\n  tsc-hz 2G\n", "2:3: 'tsc-hz' is already set at line 1"},
	{"FeatureNeedsSign", "cpu nehalem mtf\n", "1:13: 'mtf' is switched, not set: write '+mtf' or '-mtf'"},
	{"ReversedRange", ScenarioWith("expect entry in 6000..5000\n"), "6:23: the range ends before it starts"},
	{"UntilBeforeFrom", ScenarioWith("every 1k from 2ms until 1500us nmi -> L1 cpu0\n"),
	 "6:19: 'until' is before 'from'"},
	{"NoArrow", ScenarioWith("on exit HLT +5 nmi L1 cpu0\n"),
	 "6:20: expected '->' and a target such as 'L1 cpu0' after 'nmi', found 'L1'"},
	{"ExpectNoEvent", ScenarioWith("expect no exit HLT\n"),
	 "6:11: 'expect no' takes a monitor verdict kind; for events write 'expect count EVENT == 0'"},
	{"TrailingJunk", ScenarioWith("run 5 6\n"), "6:7: expected end of line after '5', found '6'"},
	{"DuplicateRun", ScenarioWith("run 5\n"), "7:1: duplicate 'run' statement (the first is at line 6)"},
	{"TrailingToken", ScenarioWith("", "  sti now\n"), "6:7: expected end of line after 'sti', found 'now'"},
	// Registers, branches, record, rdmsr, and exact expectations.
	{"RegMissing", ScenarioWith("", "  mov\n"),
	 "6:6: expected a register (rax, rbx, rcx, rdx, rsi, rdi, rbp, r8-r15) after 'mov'"},
	{"RegRsp", ScenarioWith("", "  mov rsp 1\n"),
	 "6:7: not modelled: rsp (interrupt frames live on a stack of the model's own; use another register)"},
	{"RegSourceBad", ScenarioWith("", "  add rax ->\n"),
	 "6:11: expected a register or a number after 'rax', found '->'"},
	{"ShiftTooFar", ScenarioWith("", "  shl rax 64\n"),
	 "6:7: a shift count is 0-63"},
	{"JccNoLabel", ScenarioWith("", "  je nowhere\n"),
	 "6:6: undefined label 'nowhere'"},
	{"RecordNone", ScenarioWith("", "  record\n"),
	 "6:9: expected a register (rax, rbx, rcx, rdx, rsi, rdi, rbp, r8-r15) after 'record'"},
	{"RecordTwice", ScenarioWith("", "  record rax rax\n"),
	 "6:14: rax is already recorded here"},
	{"RecordTooMany", ScenarioWith("", "  record rax rbx rcx rdx rsi rdi rbp r8 r9\n"),
	 "6:41: too many registers (a record holds at most 8)"},
	{"RdmsrUnknownName", ScenarioWith("", "  rdmsr rax IA32_EFER\n"),
	 "6:13: not modelled: MSR 'IA32_EFER' (the model reads the VMX capability MSRs, the local APIC's, IA32"
	 "_DEBUGCTL and the machine-check MSRs: IA32_VMX_BASIC, IA32_VMX_PINBASED_CTLS, IA32_VMX_PROCBASED_CTL"
	 "S, IA32_VMX_EXIT_CTLS, IA32_VMX_ENTRY_CTLS, IA32_VMX_MISC, IA32_VMX_CR0_FIXED0, IA32_VMX_CR0_FIXED1,"
	 " IA32_VMX_CR4_FIXED0, IA32_VMX_CR4_FIXED1, IA32_VMX_PROCBASED_CTLS2, IA32_VMX_TRUE_PINBASED_CTLS, IA"
	 "32_VMX_TRUE_PROCBASED_CTLS, IA32_VMX_TRUE_EXIT_CTLS, IA32_VMX_TRUE_ENTRY_CTLS, IA32_X2APIC_TPR, IA32"
	 "_X2APIC_PPR, IA32_X2APIC_ISR0 to IA32_X2APIC_ISR7, IA32_X2APIC_IRR0 to IA32_X2APIC_IRR7, IA32_X2APIC"
	 "_LVT_CMCI, IA32_X2APIC_LVT_TIMER, IA32_X2APIC_INIT_COUNT, IA32_X2APIC_CUR_COUNT, IA32_X2APIC_DIV_CON"
	 "F, IA32_DEBUGCTL, IA32_MCG_CAP, IA32_MCG_STATUS, IA32_MCG_CTL, IA32_MC0_CTL2 to IA32_MC31_CTL2, IA32"
	 "_MC0_CTL to IA32_MC31_MISC)"},
	{"RdmsrUnknownNumber", ScenarioWith("", "  rdmsr rax 0x10\n"),
	 "6:13: not modelled: MSR 0x10 (the model reads the VMX capability MSRs, the local APIC's, IA32_DEBUGC"
	 "TL and the machine-check MSRs: IA32_VMX_BASIC, IA32_VMX_PINBASED_CTLS, IA32_VMX_PROCBASED_CTLS, IA32"
	 "_VMX_EXIT_CTLS, IA32_VMX_ENTRY_CTLS, IA32_VMX_MISC, IA32_VMX_CR0_FIXED0, IA32_VMX_CR0_FIXED1, IA32_V"
	 "MX_CR4_FIXED0, IA32_VMX_CR4_FIXED1, IA32_VMX_PROCBASED_CTLS2, IA32_VMX_TRUE_PINBASED_CTLS, IA32_VMX_"
	 "TRUE_PROCBASED_CTLS, IA32_VMX_TRUE_EXIT_CTLS, IA32_VMX_TRUE_ENTRY_CTLS, IA32_X2APIC_TPR, IA32_X2APIC"
	 "_PPR, IA32_X2APIC_ISR0 to IA32_X2APIC_ISR7, IA32_X2APIC_IRR0 to IA32_X2APIC_IRR7, IA32_X2APIC_LVT_CM"
	 "CI, IA32_X2APIC_LVT_TIMER, IA32_X2APIC_INIT_COUNT, IA32_X2APIC_CUR_COUNT, IA32_X2APIC_DIV_CONF, IA32"
	 "_DEBUGCTL, IA32_MCG_CAP, IA32_MCG_STATUS, IA32_MCG_CTL, IA32_MC0_CTL2 to IA32_MC31_CTL2, IA32_MC0_CT"
	 "L to IA32_MC31_MISC)"},
	{"VmreadRegL2", ScenarioWith("guest L2\n  vmread rax VM_EXIT_REASON\n", ""),
	 "7:3: 'vmread' is an L1 hypervisor instruction; a 'guest L2' block cannot use it"},
	{"VmwriteLabelUndefined", ScenarioWith("", "  vmwrite GUEST_RIP nowhere\n"),
	 "6:21: undefined label 'nowhere'"},
	{"ExactNoFields", ScenarioWith("expect 1st exit L1\n", ""),
	 "6:19: expected at least one KEY=VALUE to compare after 'L1'"},
	{"ExactUnknownKey", ScenarioWith("expect 1st exit rax=1\n", ""),
	 "6:17: 'rax' is not a field of an exit"},
	{"ExactKeyOfOtherKind", ScenarioWith("expect 1st vmfail qual=1\n", ""),
	 "6:19: 'qual' is not a field of a vmfail"},
	{"ExactIretKeyOtherThanRip", ScenarioWith("expect 1st iret L1 rax=1\n", ""),
	 "6:20: 'rax' is not a field of an iret"},
	{"ExactKeyTwice", ScenarioWith("expect 1st exit qual=1 qual=2\n", ""),
	 "6:24: 'qual' is already given"},
	{"ExactNoEq", ScenarioWith("expect 1st exit qual 1\n", ""),
	 "6:22: expected '=' and a value after 'qual', found '1'"},
	{"ExactBadOrdinal", ScenarioWith("expect 2st exit qual=1\n", ""),
	 "6:8: expected an ordinal such as 1st, 2nd, 3rd or 4th after 'expect', found '2st' (wrong suffix for this number)"},
	{"ExactAtUnknownLabel", ScenarioWith("expect exit at nowhere qual=0\n", ""),
	 "6:16: undefined label 'nowhere' (no 'guest L1' block has it)"},
	{"ExactVmfailNoAt", ScenarioWith("expect vmfail error=7\n", ""),
	 "6:15: expected 'at LABEL', or an ordinal before the event (1st, 2nd, ...) after 'vmfail', found 'error'"},
	{"ExactBadActivity", ScenarioWith("expect 1st exit activity=sleeping\n", ""),
	 "6:26: expected an activity state: active, hlt, shutdown, wait-for-sipi or 0-3 after '=', found 'sleeping'"},
	{"ExactBadErrorNumber", ScenarioWith("expect 1st vmfail error=0\n", ""),
	 "6:25: expected a VM-instruction error number, or 'invalid' after '=', found '0' (out of range)"},
	{"ExactRipLabelUndefined", ScenarioWith("expect 1st exit rip=nowhere+1\n", ""),
	 "6:17: undefined label 'nowhere' (no 'guest L1' block has it)"},
	{"ExactInterruptibility", ScenarioWith("expect 1st exit interruptibility=sti|blah\n", ""),
	 "6:38: expected an interruptibility state: a number, or sti, mov-ss, smi, nmi joined by '|', or none after '|', found 'blah'"},

	/* VMX regions, their instructions, INIT and SIPI (test_scenario_vmx.cc parses and runs the good ones). */
	{"RegionInL2", ScenarioWith("guest L2\n  vmcs-region r\n  vmcall\n"),
	 "7:3: 'vmcs-region' belongs in a 'guest L1' block: the regions are the L1 hypervisor's memory"},
	{"RegionWithoutName", ScenarioWith("", "  vmcs-region\n"), "6:14: expected a region name after 'vmcs-region'"},
	{"RegionNamedLikeARegister", ScenarioWith("", "  vmcs-region rax\n"), "6:15: 'rax' is a register: a region needs another name"},
	{"RegionReservedVmxon", ScenarioWith("", "  vmcs-region vmxon\n"), "6:15: 'vmxon' is always there: the block's VMXON region"},
	{"RegionReservedVmcs0", ScenarioWith("", "  vmcs-region vmcs0 empty\n"),
	 "6:15: 'vmcs0' is always there: the block's VMCS for L2 (current at the start)"},
	{"RegionTwice", ScenarioWith("", "  vmcs-region a\n  vmcs-region a empty\n"), "7:15: region 'a' is already declared at line 6"},
	{"RegionForL1", ScenarioWith("", "  vmcs-region a for L1\n"),
	 "6:21: expected L2 (the guest a VMCS of this block can run) after 'for', found 'L1'"},
	{"RegionJunk", ScenarioWith("", "  vmcs-region a full\n"),
	 "6:17: expected 'for L2', 'empty', 'revision=N' or the end of the line after 'a', found 'full'"},
	{"RegionRevisionWithoutValue", ScenarioWith("", "  vmcs-region a revision\n"),
	 "6:25: expected '=' and a revision identifier after 'revision'"},
	{"RegionRevisionTooLarge", ScenarioWith("", "  vmcs-region a revision=0x100000000\n"),
	 "6:26: expected a revision identifier 0-0xffffffff after '=', found '0x100000000' (out of range)"},
	{"UndefinedRegion", ScenarioWith("", "  vmptrld nowhere\n"),
	 "6:11: undefined region 'nowhere' (vmxon, vmcs0, or a name a 'vmcs-region' line of this block declares)"},
	{"VmclearWithoutOperand", ScenarioWith("", "  vmclear\n"),
	 "6:10: expected a region (vmxon, vmcs0 or one of 'vmcs-region'), a register or an address after 'vmclear'"},
	{"VmptrstOfARegion", ScenarioWith("", "  vmptrst vmcs0\n"),
	 "6:11: expected a register (rax, rbx, rcx, rdx, rsi, rdi, rbp, r8-r15) after 'vmptrst', found 'vmcs0'"},
	{"VmptrldInL2", ScenarioWith("guest L2\n  vmptrld vmcs0\n"),
	 "7:3: 'vmptrld' is an L1 hypervisor instruction; a 'guest L2' block cannot use it"},
	{"VmxoffOperand", ScenarioWith("", "  vmxoff vmxon\n"), "6:10: expected end of line after 'vmxoff', found 'vmxon'"},
	{"IpiSipiWithoutVector", ScenarioWith("", "  ipi cpu0 sipi\n"),
	 "6:16: expected a SIPI vector 0-255 (the start-up page, vector << 12) after 'sipi'"},
	{"SipiStimulusWithoutVector", ScenarioWith("at 5 sipi -> L1 cpu0\n"),
	 "6:11: expected a vector number 0-255 after 'sipi', found '->'"},
	{"UnknownStimulus", ScenarioWith("at 5 restart -> L1 cpu0\n"),
	 "6:6: expected a stimulus: 'nmi', 'irq VECTOR', 'init', 'sipi VECTOR', 'post VECTOR', 'mce', "
	 "'guest-debug' or 'reset' after '5', found 'restart'"},
	{"InsnKeyNotVmx", ScenarioWith("expect 1st vmfail insn=nop\n"),
	 "6:24: expected a VMX instruction: vmlaunch, vmresume, vmread, vmwrite, vmcall, vmxon, vmxoff, vmclear, "
	 "vmptrld or vmptrst after '=', found 'nop'"},
};

INSTANTIATE_TEST_SUITE_P(Table, ScenarioParseErrors, ::testing::ValuesIn(kBad), scn_test::BadInputName);

TEST(ScenarioParseErrorsApi, FormatIsFileLineColMessage)
{
	Parsed p(ScenarioWith("at 5000 irq\n"), "dir/x.scn");
	ASSERT_EQ(p.s, nullptr);
	char buf[600];
	int n = scn_format_error(&p.err, buf, sizeof(buf));
	EXPECT_STREQ(buf, "dir/x.scn:6:12: expected a vector number 0-255 after 'irq'");
	EXPECT_EQ(n, (int)strlen(buf));
	char small[8];
	EXPECT_EQ(scn_format_error(&p.err, small, sizeof(small)), n);  // snprintf-like
	EXPECT_STREQ(small, "dir/x.s");
}

TEST(ScenarioParseErrorsApi, NullFileNameAndNullError)
{
	scn_error err;
	EXPECT_EQ(scn_parse("bogus", 5, nullptr, &err), nullptr);
	EXPECT_STREQ(err.file, "<input>");
	EXPECT_EQ(scn_parse("bogus", 5, "f", nullptr), nullptr);  // err is optional
}

TEST(ScenarioParseErrorsApi, UnreadableFileHasNoPosition)
{
	scn_error err;
	EXPECT_EQ(scn_parse_file("/nonexistent/dir/x.scn", &err), nullptr);
	EXPECT_EQ(err.line, 0u);
	EXPECT_EQ(err.col, 0u);
	char buf[600];
	scn_format_error(&err, buf, sizeof(buf));
	EXPECT_EQ(std::string(buf).rfind("/nonexistent/dir/x.scn: cannot open: ", 0), 0u) << buf;
}

TEST(ScenarioParseErrorsApi, ParseFileReadsAndNamesTheFile)
{
	char path[] = "/tmp/scn_parse_testXXXXXX";
	int fd = mkstemp(path);
	ASSERT_GE(fd, 0);
	FILE *f = fdopen(fd, "w");
	ASSERT_NE(f, nullptr);
	fputs("cpu nehalem\nl0 x\nguest L1\n nop\nrun 1\nat 1 nmi -> L9 cpu0\n", f);
	fclose(f);
	scn_error err;
	EXPECT_EQ(scn_parse_file(path, &err), nullptr);
	char buf[600];
	scn_format_error(&err, buf, sizeof(buf));
	EXPECT_EQ(std::string(buf), std::string(path) +
	                                ":6:13: expected a target level L0, L1 or L2 after '->', found 'L9'");
	remove(path);
}

TEST(ScenarioParseErrorsApi, InstructionLimit)
{
	std::string text = "cpu nehalem\nl0 x\nguest L1\n";
	for (unsigned i = 0; i <= SCN_MAX_INSNS; i++)
		text += "nop\n";
	Parsed p(text);
	EXPECT_EQ(p.where(), std::to_string(4 + SCN_MAX_INSNS) + ":1: too many instructions (the limit is 65536)");
}

TEST(ScenarioParseErrorsApi, InputSizeLimit)
{
	std::string text(SCN_MAX_INPUT_BYTES + 1, '\n');
	Parsed p(text);
	EXPECT_EQ(p.where(), std::to_string(SCN_MAX_INPUT_BYTES + 1) +
	                         ":1: the file is larger than 16777216 bytes");
}

}  // namespace
