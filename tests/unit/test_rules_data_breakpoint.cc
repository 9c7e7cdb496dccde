// SPDX-License-Identifier: Apache-2.0
/*
 * Data breakpoints in the processor model (model/hw/exec_mem.c,
 * breakpoint.c, deliver.c; rules R12, R24): `load`, `store` and
 * `mov-ss ADDR` in the data area, the #DB trap after the access that
 * matches an enabled R/W 01 or 11 breakpoint's LEN-aligned range (alone,
 * with BS, as a VM exit or through the IDT), and what MOV SS does with it:
 * held for one instruction, saved with bit 12 by an exit in its shadow,
 * carried over the INT n or INT3 that follows to the handler's first
 * boundary, and dropped by INT1 and by a fault - the cases of kvm-unit-tests
 * x86/debug.c ("hw watchpoint", "MOV SS + watchpoint + ...") and of Linux's
 * mov_ss_trap selftest.
 */
#include "debugreg_insns.h"
#include "vmcs/vmcs.h"
#include "vmcs/x86_data_area.h"
#include "vmcs/x86_debugreg.h"

namespace {

constexpr uint32_t kDbInfo = 0x80000301u;     // valid, hardware exception, vector 1
constexpr uint64_t kEnabledBp = 0x1000;       // pending-debug bit 12
constexpr uint64_t kA = VMX_DATA_BASE;        // the first quadword of the data area
constexpr uint64_t kDr7Write1 = 0xd00408;     // G1, R/W1 = 01 (writes), LEN1 = 11 (4 bytes): kvm-unit-tests' 0x00d0040a
constexpr uint64_t kDr7Rw1 = 0xf00408;        // G1, R/W1 = 11 (reads and writes), LEN1 = 11

vmx_insn Load(uint32_t reg, uint64_t addr, uint32_t size = 8)
{
	vmx_insn in = Op(VMX_OP_LOAD, VMX_MEM_OPERAND(addr, size));
	in.dst = VMX_REG(reg);
	return in;
}

vmx_insn Store(uint64_t addr, uint64_t value, uint32_t size = 8)
{
	return Op(VMX_OP_STORE, VMX_MEM_OPERAND(addr, size), value);
}

vmx_insn MovSsFrom(uint64_t addr) { return Op(VMX_OP_MOV_SS, VMX_MEM_OPERAND(addr, 2)); }

class RuleDataBreakpoint : public HwTest {
protected:
	void ExitOnDb() { SetBits(EXCEPTION_BITMAP, 1u << DB_VECTOR); }

	/* Breakpoint 1 on the data area's first dword, with this DR7 loaded by the entry. */
	void Watch(uint64_t dr7, uint64_t addr = kA)
	{
		lp.dr[1] = addr;
		SetBits(VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_DEBUG_CONTROLS);
		Set(GUEST_DR7, dr7);
	}

	void ExpectDbExit(uint64_t rip, uint64_t qual)
	{
		EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_EXCEPTION_NMI);
		EXPECT_EQ(Get(VM_EXIT_INTR_INFO), kDbInfo);
		EXPECT_EQ(Get(EXIT_QUALIFICATION), qual);
		EXPECT_EQ(Get(GUEST_RIP), rip);
	}
};

/* ---- the accesses ---------------------------------------------------------- */

TEST_F(RuleDataBreakpoint, LoadAndStoreMoveLittleEndianBytesOfTheirSize)
{
	// 0 store qword, 1 store byte over its low byte, 2 rbx = dword at +0, 3 rcx = word at +4, 4 vmcall
	Program({Store(kA, 0x1122334455667788ull & 0x7fffffff), Store(kA, 0xaa, 1), Load(3, kA, 4), Load(1, kA + 2, 2),
	         Op(VMX_OP_VMCALL)});
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(mem.gpr[3], 0x556677aau);   // 0x55667788 with its low byte replaced, zero-extended
	EXPECT_EQ(mem.gpr[1], 0x5566u);
	EXPECT_EQ(mem.data[0], 0xaau);
	// Lengths of the absolute-address forms: REX.W 89 and c7 with imm32; 88 and c6 with imm8; 8b; 0f b7.
	EXPECT_EQ(prog.insn[0].len, 12u);
	EXPECT_EQ(prog.insn[1].len, 8u);
	EXPECT_EQ(prog.insn[2].len, 7u);
	EXPECT_EQ(prog.insn[3].len, 8u);
	// A REX prefix for R8-R15 and for SIL as a byte source; REX.W carries it for a quadword.
	vmx_insn r8 = Load(8, kA, 4), r9w = Load(9, kA, 2), r8q = Load(8, kA, 8);
	vmx_insn sil = Store(kA, 0, 1), bl = Store(kA, 0, 1);
	sil.src = VMX_REG(6u);
	bl.src = VMX_REG(3u);
	EXPECT_EQ(vmx_insn_length(&r8), 8u);    // 44 8b 04 25 disp32
	EXPECT_EQ(vmx_insn_length(&r9w), 9u);   // 44 0f b7 04 25 disp32
	EXPECT_EQ(vmx_insn_length(&r8q), 8u);   // 4c 8b 04 25 disp32
	EXPECT_EQ(vmx_insn_length(&sil), 8u);   // 40 88 34 25 disp32
	EXPECT_EQ(vmx_insn_length(&bl), 7u);    // 88 1c 25 disp32
}

TEST_F(RuleDataBreakpoint, AnAccessOutsideTheDataAreaIsNotModelled)
{
	Program({Load(3, kA + VMX_DATA_SIZE - 4, 8), Op(VMX_OP_VMCALL)});
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_NOT_MODELLED);
	EXPECT_NE(LastCheck().find("outside the data area"), std::string::npos);
}

/* ---- the match --------------------------------------------------------------- */

TEST_F(RuleDataBreakpoint, R24_TheAccessMustOverlapTheLenAlignedRangeOfItsType)
{
	const uint64_t dr[4] = {kA + 5, 0, 0, 0};   // LEN 11 aligns it down to kA + 4 .. + 7
	const uint64_t w0 = 0xd0401, rw0 = 0xf0401, w0_len8 = 0x90401;

	EXPECT_EQ(dr7_data_match(w0, dr, kA + 3, 1, true), 0u);
	EXPECT_EQ(dr7_data_match(w0, dr, kA + 4, 1, true), 1u);
	EXPECT_EQ(dr7_data_match(w0, dr, kA + 7, 1, true), 1u);
	EXPECT_EQ(dr7_data_match(w0, dr, kA + 8, 8, true), 0u);
	EXPECT_EQ(dr7_data_match(w0, dr, kA, 8, true), 1u);       // a quadword over the range
	EXPECT_EQ(dr7_data_match(w0, dr, kA + 2, 2, true), 0u);   // ends just before it
	EXPECT_EQ(dr7_data_match(w0, dr, kA + 4, 4, false), 0u);  // R/W 01: not a read
	EXPECT_EQ(dr7_data_match(rw0, dr, kA + 4, 4, false), 1u); // R/W 11: a read too
	EXPECT_EQ(dr7_data_match(w0_len8, dr, kA, 1, true), 1u);  // LEN 10: 8 bytes, kA .. kA + 7
	EXPECT_EQ(dr7_data_match(0xd0400, dr, kA + 4, 4, true), 0u);  // not enabled: nothing to report
	// An enabled match reports every matching breakpoint, enabled or not (as instruction breakpoints do).
	const uint64_t two[4] = {kA, kA, 0, 0};
	EXPECT_EQ(dr7_data_match(0xdd0401, two, kA, 1, true), 3u);
	EXPECT_EQ(dr7_data_match(0x20000000ull | 0xdd0401, two, kA, 1, true), 3u);
	// I/O and instruction breakpoints at the same address are not data breakpoints.
	EXPECT_EQ(dr7_data_match(0x20401, two, kA, 1, true), 0u);
	EXPECT_EQ(dr7_data_match(0x401, two, kA, 1, true), 0u);
}

TEST_F(RuleDataBreakpoint, R24_StoreTrapsAfterItAsAnExitWithBnAndDr6Untouched)
{
	// kvm-unit-tests x86/debug.c "hw watchpoint": 4-byte write breakpoint, a quadword store over it.
	Program({Store(kA, 42), Op(VMX_OP_NOP), Op(VMX_OP_VMCALL)});
	Watch(kDr7Write1);
	ExitOnDb();
	lp.dr6 = DR6_FIXED_1;
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectDbExit(At(1), 0x2);
	EXPECT_EQ(Get(GUEST_PENDING_DBG_EXCEPTIONS), 0u);
	EXPECT_EQ(lp.dr6, (uint64_t)DR6_FIXED_1);
}

TEST_F(RuleDataBreakpoint, R24_AWriteBreakpointIgnoresLoadsAReadWriteOneTakesThem)
{
	Program({Load(3, kA), Op(VMX_OP_VMCALL)});
	Watch(kDr7Write1);
	ExitOnDb();
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);

	Use("nehalem");
	Program({Load(3, kA), Op(VMX_OP_VMCALL)});
	Watch(kDr7Rw1);
	ExitOnDb();
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectDbExit(At(1), 0x2);
}

TEST_F(RuleDataBreakpoint, R24_DeliveredItReplacesB0B3InDr6AndLeavesBsAsSoftwareLeftIt)
{
	// kvm-unit-tests x86/debug.c "hw watchpoint (test that dr6.BS is not cleared)", then "... is not set".
	for (uint64_t before : {(uint64_t)(DR6_FIXED_1 | DR6_BS | 0x1), (uint64_t)DR6_FIXED_1}) {
		SCOPED_TRACE(before);
		Use("nehalem");
		events.clear();
		// 0 store, 1 vmcall | #DB handler: 2 rbx = DR6, 3 vmcall
		Program({Store(kA, 42), Op(VMX_OP_VMCALL), MovFromDr(3, 6), Op(VMX_OP_VMCALL)});
		Gate(DB_VECTOR, 2);
		Watch(kDr7Write1);
		lp.dr6 = before;
		ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
		EXPECT_EQ(Delivered(), (std::vector<uint32_t>{DB_VECTOR}));
		EXPECT_EQ(mem.gpr[3], (before & ~(uint64_t)0xf) | 0x2);
		EXPECT_EQ(mem.stack[0].rip, At(1));   // a trap: the frame returns past the store
		EXPECT_EQ(Get(GUEST_RIP), At(3));
	}
}

TEST_F(RuleDataBreakpoint, R24_OneDbWithTheSingleStepTrapOfTheSameStore)
{
	Program({Store(kA, 1), Op(VMX_OP_VMCALL)});
	Watch(kDr7Write1);
	ExitOnDb();
	SetBits(GUEST_RFLAGS, X86_EFLAGS_TF);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectDbExit(At(1), DR6_BS | 0x2);
}

/* ---- MOV SS ------------------------------------------------------------------- */

TEST_F(RuleDataBreakpoint, R24_MovSsFromAWatchedWordHoldsTheTrapOverTheNextInstruction)
{
	Program({MovSsFrom(kA), Op(VMX_OP_NOP), Op(VMX_OP_NOP), Op(VMX_OP_VMCALL)});
	Watch(kDr7Rw1);
	ExitOnDb();
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ExpectDbExit(At(2), 0x2);   // after the NOP in the shadow, not after the MOV SS
	EXPECT_EQ(lp.retired, 2u);
	EXPECT_EQ(prog.insn[0].len, 7u);   // 8e /2 with SIB and disp32
}

TEST_F(RuleDataBreakpoint, R24_AnExitInTheMovSsShadowSavesTheTrapWithTheEnabledBreakpointBit)
{
	Program({MovSsFrom(kA), Op(VMX_OP_VMCALL)});
	Watch(kDr7Rw1);
	ExitOnDb();
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(Get(GUEST_PENDING_DBG_EXCEPTIONS), 0x2u | kEnabledBp);
	EXPECT_EQ(Get(GUEST_INTERRUPTIBILITY_INFO) & GUEST_INTR_STATE_MOV_SS, (uint64_t)GUEST_INTR_STATE_MOV_SS);
}

/* "MOV SS + watchpoint + int $1": the handler runs twice, first for the #DB at its own first instruction. */
TEST_F(RuleDataBreakpoint, R24_MovSsWatchpointTrapSurvivesIntNAndIsTakenBeforeTheHandlersFirstInstruction)
{
	// 0 mov ss, [A], 1 int 0x21, 2 vmcall | handler of 0x21: 3 vmcall
	Program({MovSsFrom(kA), Op(VMX_OP_INT, 0x21), Op(VMX_OP_VMCALL), Op(VMX_OP_VMCALL)});
	Gate(0x21, 3);
	Watch(kDr7Rw1);
	ExitOnDb();
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(Delivered(), (std::vector<uint32_t>{0x21}));
	ExpectDbExit(At(3), 0x2);   // at the handler, before it ran
	EXPECT_EQ(Get(GUEST_PENDING_DBG_EXCEPTIONS), 0u);
}

TEST_F(RuleDataBreakpoint, R24_MovSsWatchpointTrapSurvivesInt3TheBpHandlerThenTheDbHandler)
{
	// "MOV SS + watchpoint + INT3": #BP delivered, then #DB at its handler's first boundary.
	// 0 mov ss, [A], 1 int3, 2 vmcall | #BP handler: 3 iret | #DB handler: 4 iret
	Program({MovSsFrom(kA), Op(VMX_OP_INT3), Op(VMX_OP_VMCALL), Op(VMX_OP_IRET), Op(VMX_OP_IRET)});
	Gate(BP_VECTOR, 3);
	Gate(DB_VECTOR, 4);
	Watch(kDr7Rw1);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(Delivered(), (std::vector<uint32_t>{BP_VECTOR, DB_VECTOR}));
	EXPECT_EQ(Of(HW_DELIVER)[1].intr_info, kDbInfo);
	EXPECT_EQ(lp.dr6 & 0xf, 0x2u);
}

TEST_F(RuleDataBreakpoint, R24_MovSsWatchpointTrapIsDroppedByInt1AndByAFault)
{
	// "MOV SS + watchpoint + ICEBP": one #DB, INT1's own. 0 mov ss, [A], 1 int1, 2 vmcall | #DB: 3 iret
	Program({MovSsFrom(kA), Op(VMX_OP_INT1), Op(VMX_OP_VMCALL), Op(VMX_OP_IRET)});
	Gate(DB_VECTOR, 3);
	Watch(kDr7Rw1);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(Delivered(), (std::vector<uint32_t>{DB_VECTOR}));

	// A fault (UD2) drops it: the #UD handler returns past it to the VMCALL with no #DB at all.
	Use("nehalem");
	events.clear();
	Program({MovSsFrom(kA), Op(VMX_OP_UD2), Op(VMX_OP_VMCALL), Op(VMX_OP_IRET), Op(VMX_OP_VMCALL)});
	Gate(UD_VECTOR, 4);
	Watch(kDr7Rw1);
	ExitOnDb();
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(Delivered(), (std::vector<uint32_t>{UD_VECTOR}));
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(Get(GUEST_RIP), At(4));
}

TEST_F(RuleDataBreakpoint, R24_MovSsSingleStepTrapDoesNotSurviveIntN)
{
	// With TF and no breakpoint, the BS held by MOV SS is not carried over the INT n (SDM: suppressed).
	Program({Op(VMX_OP_MOV_SS), Op(VMX_OP_INT, 0x21), Op(VMX_OP_VMCALL), Op(VMX_OP_VMCALL)});
	Gate(0x21, 3);
	ExitOnDb();
	SetBits(GUEST_RFLAGS, X86_EFLAGS_TF);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_VMCALL);
	EXPECT_EQ(Get(GUEST_RIP), At(3));
}

}  // namespace
