/* SPDX-License-Identifier: Apache-2.0 */
// Scenario front-end: the instructions that provoke exits (in, out, mov-cr3,
// mov-cr8, div, into, icebp/int1, pause, cpuid, rdtsc) and the run-time IDT
// changes (set-idt, clear-idt): what each parses into, and its errors.
#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "front/scenario.h"

namespace {

struct Parsed {
	scn_scenario *s = nullptr;
	scn_error err{};

	explicit Parsed(const std::string &text) { s = scn_parse(text.data(), text.size(), "t.scn", &err); }
	~Parsed() { scn_free(s); }
	Parsed(const Parsed &) = delete;
	Parsed &operator=(const Parsed &) = delete;

	std::string where() const
	{
		return s ? "ok" : std::to_string(err.line) + ":" + std::to_string(err.col) + ": " + err.msg;
	}
	const scn_insn &insn(size_t i) const { return s->guests[0].insns[i]; }
};

// A scenario whose L1 block has `lines` after its two instructions (lines 4-5); they start at line 6.
std::string Guest(const std::string &lines)
{
	return "cpu nehalem\nl0 plain\nguest L1\nmain: work 100\n  jmp main\n" + lines + "run 10k\n";
}

TEST(ScenarioInsns, PortIo)
{
	Parsed p(Guest("  out 0x80\n  in rbx 0x3f8\n"));
	ASSERT_EQ(p.where(), "ok");
	EXPECT_EQ(p.insn(2).op, SCN_OP_OUT);
	EXPECT_EQ(p.insn(2).port, 0x80u);
	EXPECT_EQ(p.insn(3).op, SCN_OP_IN);
	EXPECT_EQ(p.insn(3).dst, 3);   /* rbx */
	EXPECT_EQ(p.insn(3).port, 0x3f8u);
}

TEST(ScenarioInsns, MovToControlRegisters)
{
	Parsed p(Guest("  mov-cr3 r9\n  mov-cr8 2\n  mov-cr8 0xffffffffffffffff\n"));
	ASSERT_EQ(p.where(), "ok");
	EXPECT_EQ(p.insn(2).op, SCN_OP_MOV_CR3);
	EXPECT_EQ(p.insn(2).src, 9);
	EXPECT_EQ(p.insn(3).op, SCN_OP_MOV_CR8);
	EXPECT_EQ(p.insn(3).src, SCN_NO_REG);
	EXPECT_EQ(p.insn(3).value, 2u);
	EXPECT_EQ(p.insn(4).value, ~0ull);   /* a reserved bit is the run's #GP, not a parse error */
}

TEST(ScenarioInsns, R12_MovToAndFromDebugRegisters)
{
	Parsed p(Guest("  mov dr0 main\n  mov dr7 0x401\n  mov dr3 r9\n  mov rbx dr6\n  mov rax rbx\n"));
	ASSERT_EQ(p.where(), "ok");
	EXPECT_EQ(p.insn(2).op, SCN_OP_MOV_DR);
	EXPECT_EQ(p.insn(2).dr, 0u);
	EXPECT_STREQ(p.insn(2).value_label, "main");
	EXPECT_EQ(p.insn(3).dr, 7u);
	EXPECT_EQ(p.insn(3).value, 0x401u);
	EXPECT_FALSE(p.insn(3).dr_from);
	EXPECT_EQ(p.insn(4).src, 9);
	EXPECT_EQ(p.insn(5).op, SCN_OP_MOV_DR);
	EXPECT_TRUE(p.insn(5).dr_from);
	EXPECT_EQ(p.insn(5).dst, 3);
	EXPECT_EQ(p.insn(5).dr, 6u);
	EXPECT_EQ(p.insn(6).op, SCN_OP_MOV);   /* plain registers: the register move */
	EXPECT_STREQ(scn_op_name(SCN_OP_MOV_DR), "mov");
}

TEST(ScenarioInsns, R12_DataAccessesInTheDataArea)
{
	Parsed p(Guest("  load rbx dword 0x40000004\n  store byte 0x40000000 0x41\n  store 0x40000008 rcx\n"
	               "  mov-ss 0x40000010\n  mov-ss\n  store qword 0x40000038 0xffffffffffffffff\n"));
	ASSERT_EQ(p.where(), "ok");
	EXPECT_EQ(p.insn(2).op, SCN_OP_LOAD);
	EXPECT_EQ(p.insn(2).dst, 3);
	EXPECT_EQ(p.insn(2).addr, 0x40000004u);
	EXPECT_EQ(p.insn(2).size, 4u);
	EXPECT_EQ(p.insn(3).op, SCN_OP_STORE);
	EXPECT_EQ(p.insn(3).size, 1u);
	EXPECT_EQ(p.insn(3).value, 0x41u);
	EXPECT_EQ(p.insn(4).size, 8u);   // a quadword unless a size is written
	EXPECT_EQ(p.insn(4).src, 1);
	EXPECT_EQ(p.insn(5).op, SCN_OP_MOV_SS);
	EXPECT_EQ(p.insn(5).size, 2u);
	EXPECT_EQ(p.insn(6).size, 0u);   // MOV SS, AX: no access
	EXPECT_EQ(p.insn(7).value, UINT64_MAX);   // -1: an imm32 sign-extended
	EXPECT_STREQ(scn_op_name(SCN_OP_LOAD), "load");
	EXPECT_STREQ(scn_op_name(SCN_OP_STORE), "store");
}

TEST(ScenarioInsns, R12_DebugRegisterErrors)
{
	// A data breakpoint is a question of DR0-DR3 too, which only the run knows (the data area, R12).
	EXPECT_EQ(Parsed(Guest("  mov dr7 0x30401\n")).where(), "ok");
	EXPECT_EQ(Parsed(Guest("  mov dr7 0xa0401\n")).where(),
	          "6:11: not modelled: an I/O breakpoint with DR7 LEN = 10 (the SDM defines the 8-byte length only for "
	          "data breakpoints)");
	EXPECT_EQ(Parsed(Guest("  mov dr7 0x40401\n")).where(),
	          "6:11: not modelled: an instruction breakpoint with DR7 LEN not 00 (the SDM leaves its effect "
	          "undefined)");
	EXPECT_EQ(Parsed(Guest("  mov dr6 0x100000000\n")).where(),
	          "6:11: DR6 bits 63:32 are reserved (the MOV would raise #GP)");
	EXPECT_EQ(Parsed(Guest("  mov dr8 1\n")).where().substr(0, 5), "6:7: ");
}

/* R12: general detect, I/O breakpoints and DR4/DR5 depend on CR4 or DR7 at run time: they parse. */
TEST(ScenarioInsns, R12_GeneralDetectIoBreakpointsAndDr4Dr5Parse)
{
	Parsed p(Guest("  mov dr7 0x2400\n  mov dr7 0x200402\n  mov rax dr4\n  mov dr5 rbx\n"));
	ASSERT_EQ(p.where(), "ok");
	EXPECT_EQ(p.insn(2).value, 0x2400u);
	EXPECT_EQ(p.insn(3).value, 0x200402u);
	EXPECT_TRUE(p.insn(4).dr_from);
	EXPECT_EQ(p.insn(4).dr, 4u);
	EXPECT_FALSE(p.insn(5).dr_from);
	EXPECT_EQ(p.insn(5).dr, 5u);
	EXPECT_EQ(p.insn(5).src, 3);
}

TEST(ScenarioInsns, RegisterAndBareInstructions)
{
	Parsed p(Guest("  div rcx\n  rdtsc r15\n  into\n  icebp\n  int1\n  pause\n  cpuid\n"));
	ASSERT_EQ(p.where(), "ok");
	EXPECT_EQ(p.insn(2).op, SCN_OP_DIV);
	EXPECT_EQ(p.insn(2).src, 1);
	EXPECT_EQ(p.insn(2).dst, SCN_NO_REG);
	EXPECT_EQ(p.insn(3).op, SCN_OP_RDTSC);
	EXPECT_EQ(p.insn(3).dst, 15);
	EXPECT_EQ(p.insn(4).op, SCN_OP_INTO);
	EXPECT_EQ(p.insn(5).op, SCN_OP_ICEBP);
	EXPECT_EQ(p.insn(6).op, SCN_OP_INT1);
	EXPECT_EQ(p.insn(7).op, SCN_OP_PAUSE);
	EXPECT_EQ(p.insn(8).op, SCN_OP_CPUID);
	EXPECT_STREQ(scn_op_name(SCN_OP_ICEBP), "icebp");
	EXPECT_STREQ(scn_op_name(SCN_OP_MOV_CR8), "mov-cr8");
}

TEST(ScenarioInsns, SetIdtResolvesItsLabelInTheBlock)
{
	Parsed p(Guest("  set-idt 0x20 later trap-gate\n  clear-idt 32\nlater: iret\n"));
	ASSERT_EQ(p.where(), "ok");
	EXPECT_EQ(p.insn(2).op, SCN_OP_SET_IDT);
	EXPECT_EQ(p.insn(2).vector, 0x20u);
	EXPECT_EQ(p.insn(2).gate, SCN_GATE_TRAP);
	EXPECT_EQ(p.insn(2).target, 4u);
	EXPECT_EQ(p.insn(3).op, SCN_OP_CLEAR_IDT);
	EXPECT_EQ(p.insn(3).vector, 32u);
}

TEST(ScenarioInsns, SetIdtInL1DoesNotReachIntoL2)
{
	/* Unlike `vmwrite GUEST_RIP l2_label`, a gate is the block's own: an L2 label is undefined here. */
	Parsed p("cpu nehalem\nl0 none\nguest L1\n  exit-handler main\nmain: set-idt 3 l2h interrupt-gate\n"
	         "  vmlaunch\nguest L2\nl2h: iret\nrun 10k\n");
	EXPECT_EQ(p.where(), "5:17: undefined label 'l2h'");
}

// ---- errors ---------------------------------------------------------------

struct BadInsn {
	const char *name;
	const char *lines;
	const char *where;
};

void PrintTo(const BadInsn &b, std::ostream *os)
{
	*os << b.name;
}

class ScenarioInsnErrors : public ::testing::TestWithParam<BadInsn> {};

TEST_P(ScenarioInsnErrors, ExactMessageAndPlace)
{
	Parsed p(Guest(GetParam().lines));
	EXPECT_EQ(p.s, nullptr);
	EXPECT_EQ(p.where(), GetParam().where);
}

const BadInsn kBadInsns[] = {
	{"OutWithoutPort", "  out\n", "6:6: expected a port number 0-0xffff after 'out'"},
	{"PortTooHigh", "  out 0x10000\n",
	 "6:7: expected a port number 0-0xffff after 'out', found '0x10000' (out of range)"},
	{"InWithoutRegister", "  in 0x60\n", "6:6: expected a register (rax, rbx, rcx, rdx, rsi, rdi, rbp, r8-r15) "
	                                     "after 'in', found '0x60'"},
	{"InWithoutPort", "  in rax\n", "6:9: expected a port number 0-0xffff after 'rax'"},
	{"MovCrWithoutSource", "  mov-cr3\n", "6:10: expected a register or a number after 'mov-cr3'"},
	{"MovCrOfALabel", "  mov-cr3 main\n", "6:11: expected a register or a number after 'mov-cr3', found 'main'"},
	{"MovCrFromRsp", "  mov-cr8 rsp\n",
	 "6:11: not modelled: rsp (interrupt frames live on a stack of the model's own; use another register)"},
	{"DivOfANumber", "  div 5\n", "6:7: expected a register (rax, rbx, rcx, rdx, rsi, rdi, rbp, r8-r15) after "
	                              "'div', found '5'"},
	{"RdtscWithoutRegister", "  rdtsc\n",
	 "6:8: expected a register (rax, rbx, rcx, rdx, rsi, rdi, rbp, r8-r15) after 'rdtsc'"},
	{"CpuidTakesNoOperand", "  cpuid rax\n", "6:9: expected end of line after 'cpuid', found 'rax'"},
	{"Int1TakesNoVector", "  int1 3\n", "6:8: expected end of line after 'int1', found '3'"},
	{"SetIdtWithoutGate", "  set-idt 3 main\n",
	 "6:17: expected a gate type: interrupt-gate or trap-gate after 'main'"},
	{"SetIdtVectorTooBig", "  set-idt 300 main interrupt-gate\n",
	 "6:11: expected a vector number 0-255 after 'set-idt', found '300' (out of range)"},
	{"SetIdtUndefinedLabel", "  set-idt 3 nowhere interrupt-gate\n", "6:13: undefined label 'nowhere'"},
	{"SetIdtWithDpl", "  set-idt 3 main interrupt-gate dpl=0\n",
	 "6:33: not modelled: gate DPL (programs run at CPL 0, where INT n passes every DPL check; a DPL test "
	 "needs CPL 3)"},
	{"IdtWithDpl", "  idt 3 main interrupt-gate dpl=3\n",
	 "6:29: not modelled: gate DPL (programs run at CPL 0, where INT n passes every DPL check; a DPL test "
	 "needs CPL 3)"},
	{"IdtWithIst", "  idt 3 main trap-gate ist=1\n",
	 "6:24: not modelled: IST (interrupt frames go on the model's own stack; there is no TSS with interrupt "
	 "stacks)"},
	{"ClearIdtWithoutVector", "  clear-idt\n", "6:12: expected a vector number 0-255 after 'clear-idt'"},
	{"LoadOutsideTheDataArea", "  load rax 0x3ffffffc\n",
	 "6:12: an access of 8 bytes at 0x3ffffffc is outside the data area (0x40000000-0x4000003f), the only memory the "
	 "model's programs read and write"},
	{"LoadPastTheDataArea", "  load rax dword 0x4000003d\n",
	 "6:18: an access of 4 bytes at 0x4000003d is outside the data area (0x40000000-0x4000003f), the only memory the "
	 "model's programs read and write"},
	{"StoreImmediateTooWide", "  store byte 0x40000000 0x100\n", "6:25: 0x100 does not fit the immediate of a byte store"},
	{"StoreQwordImmediate", "  store 0x40000000 0x80000000\n",
	 "6:20: 0x80000000 does not fit the immediate of a qword store (32 bits, sign-extended; store a register instead)"},
	{"StoreOfALabel", "  store 0x40000000 main\n",
	 "6:20: expected a register or a number after '0x40000000', found 'main'"},
	{"MovSsOfAByte", "  mov-ss byte 0x40000000\n", "6:10: MOV SS reads a word (2 bytes), not byte"},
	{"LoadWithoutAddress", "  load rax\n", "6:11: expected an address in the data area (0x40000000-0x4000003f) after 'rax'"},
};

INSTANTIATE_TEST_SUITE_P(Table, ScenarioInsnErrors, ::testing::ValuesIn(kBadInsns),
                         [](const ::testing::TestParamInfo<BadInsn> &i) { return std::string(i.param.name); });

}  // namespace
