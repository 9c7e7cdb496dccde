// SPDX-License-Identifier: Apache-2.0
/*
 * test_plain_debug.cc - the `plain` L0 and its guest's debug state (rules
 * R12, R24; model/l0/plain.c single_step_owed): an instruction it emulates
 * with RFLAGS.TF = 1 owes its single-step trap, which plain puts in the
 * pending-debug-exceptions field (BS) as the SDM advises a VMM; the guest's
 * MOV DR and DR7 run on the processor; a #DB it reflects carries DR6.
 */
#include "refused_run.h"

TEST(PlainDebug, R12_EmulatedVmcallOwesItsTrapThroughThePendingDebugField)
{
	ScnRun r = RunScenarioText("cpu nehalem\nl0 plain\nguest L1\n  vmcs GUEST_RFLAGS 0x302\n"
	                           "  idt 1 db interrupt-gate\n"
	                           "main:   vmcall\nafter:  work 1000\n        jmp after\ndb:     iret\nrun 5000\n"
	                           "expect 1st exit L1 reason=VMCALL\n");
	ASSERT_EQ(r.status, VMXSIM_OK) << r.diag;
	// The VMCALL's trap, delivered before the instruction after it: the frame returns to `after`.
	EXPECT_NE(r.trace.find("vmentry       insn=vmresume rip=0x1003"), std::string::npos) << r.trace;
	std::vector<std::string> db = TraceLinesWith(r.trace, {"deliver       vector=1 type=hw-exception"});
	ASSERT_FALSE(db.empty()) << r.trace;
	EXPECT_EQ(TraceLinesWith(r.trace, {"iret          rip=0x1003"}).size(), 1u) << r.trace;
}

TEST(PlainDebug, R12_HltWithTfReentersHaltedWithBsAndTheTrapWakesIt)
{
	// HLT exits (the scenario asks plain to intercept it) and plain re-enters in the HLT state: R12 then
	// wants BS, which plain owes the guest.
	ScnRun r = RunScenarioText("cpu nehalem\nl0 plain\nguest L1\n  vmcs GUEST_RFLAGS 0x302\n"
	                           "  vmcs CPU_BASED_VM_EXEC_CONTROL CPU_BASED_HLT_EXITING\n"
	                           "  idt 1 db interrupt-gate\n"
	                           "main:   hlt\n        vmcall\ndb:     iret\nrun 10000\n"
	                           "expect count entry-fail == 0\nexpect count exit HLT == 1\nexpect count exit VMCALL == 1\n");
	ASSERT_EQ(r.status, VMXSIM_OK) << r.diag;
	EXPECT_NE(r.trace.find("deliver       vector=1 type=hw-exception"), std::string::npos) << r.trace;
}

TEST(PlainDebug, R24_MovDrBreakpointRunsOnTheProcessorAndAReflectedDbCarriesDr6)
{
	// The guest sets a breakpoint itself; its #DB exits (bitmap bit 1), plain reflects it with DR6's B0.
	ScnRun r = RunScenarioText("cpu nehalem\nl0 plain\nguest L1\n  vmcs EXCEPTION_BITMAP 2\n"
	                           "  idt 1 db interrupt-gate\n"
	                           "main:   mov dr0 target\n        mov dr7 0x401\n        nop\ntarget: nop\n"
	                           "        vmcall\ndb:     mov rbx dr6\n        record rbx\n        mov dr7 0x400\n"
	                           "        iret\nrun 20000\n"
	                           "expect 1st exit L1 reason=EXCEPTION_NMI intr-info=0x80000301 qual=1\n"
	                           "expect 1st record L1 rbx=0xffff0ff1\n"
	                           "expect count exit VMCALL == 1\n");
	EXPECT_EQ(r.status, VMXSIM_OK) << r.diag << r.trace;
}

/* With BTF the trap follows a taken branch only: plain owes none after the VMCALL it emulates. */
TEST(PlainDebug, R24_WithBtfOnlyTheJmpTrapsNotTheEmulatedVmcall)
{
	ScnRun r = RunScenarioText("cpu nehalem\nl0 plain\nguest L1\n  vmcs GUEST_RFLAGS 0x302\n"
	                           "  vmcs GUEST_IA32_DEBUGCTL 2\n  idt 1 db interrupt-gate\n"
	                           "main:   vmcall\n        nop\n        jmp there\nthere:  nop\n        hlt\n"
	                           "db:     iret\nrun 10000\n"
	                           "expect count exit VMCALL == 1\n");
	ASSERT_EQ(r.status, VMXSIM_OK) << r.diag << r.trace;
	// The first #DB returns to `there` (0x1006): it followed the JMP, not the VMCALL or the NOP. Its
	// delivery cleared BTF, so the NOP at `there` is stepped as an instruction again.
	std::vector<std::string> irets = TraceLinesWith(r.trace, {"iret          rip="});
	ASSERT_GE(irets.size(), 2u) << r.trace;
	EXPECT_NE(irets[0].find("rip=0x1006"), std::string::npos) << r.trace;
	EXPECT_NE(irets[1].find("rip=0x1007"), std::string::npos) << r.trace;
}

/*
 * MOV-DR exiting set by the scenario: plain emulates each MOV DR as the
 * processor runs it without the control - the same breakpoint, the same
 * DR6 - and raises the instruction's faults in the processor's order
 * (R12): #UD for DR4 under CR4.DE, general detect, #GP for bits 63:32.
 */
TEST(PlainDebug, R12_MovDrExitingIsEmulatedAsTheProcessorRunsIt)
{
	const std::string head = "cpu nehalem\nl0 plain\nguest L1\n  vmcs EXCEPTION_BITMAP 2\n"
	                         "  idt 1 db interrupt-gate\n";
	const std::string body = "main:   mov dr0 target\n        mov dr7 0x401\n        mov rcx dr7\n        nop\n"
	                         "target: nop\n        vmcall\n        hlt\ndb:     mov rbx dr6\n        record rbx rcx\n"
	                         "        mov dr7 0x400\n        iret\nrun 40000\n"
	                         "expect count exit EXCEPTION_NMI == 1\n"
	                         "expect 1st record L1 rbx=0xffff0ff1 rcx=0x401\n"
	                         "expect count exit VMCALL == 1\n";
	ScnRun on_cpu = RunScenarioText(head + body + "expect count exit DR_ACCESS == 0\n");
	ASSERT_EQ(on_cpu.status, VMXSIM_OK) << on_cpu.diag << on_cpu.trace;
	ScnRun emulated = RunScenarioText(head + "  vmcs CPU_BASED_VM_EXEC_CONTROL CPU_BASED_MOV_DR_EXITING\n" + body +
	                                  "expect count exit DR_ACCESS == 5\n");
	EXPECT_EQ(emulated.status, VMXSIM_OK) << emulated.diag << emulated.trace;
	// The breakpoint's #DB exit is the same in both: B0 as its qualification, at the same RIP.
	std::vector<std::string> a = TraceLinesWith(on_cpu.trace, {"vmexit", "reason=EXCEPTION_NMI qual=0x1"});
	std::vector<std::string> b = TraceLinesWith(emulated.trace, {"vmexit", "reason=EXCEPTION_NMI qual=0x1"});
	ASSERT_EQ(a.size(), 1u) << on_cpu.trace;
	ASSERT_EQ(b.size(), 1u) << emulated.trace;
	EXPECT_EQ(a[0].substr(a[0].find("reason=")), b[0].substr(b[0].find("reason="))) << "all but the cycle";
}

TEST(PlainDebug, R12_EmulatedMovDrFaultsInTheProcessorsOrder)
{
	const std::string head = "cpu nehalem\nl0 plain\nguest L1\n  vmcs CPU_BASED_VM_EXEC_CONTROL CPU_BASED_MOV_DR_EXITING\n"
	                         "  idt 1 db interrupt-gate\n  idt 6 ud interrupt-gate\n  idt 13 gp interrupt-gate\n";
	const std::string handlers = "db:     mov rbx dr6\n        mov rdx dr7\n        record rbx rdx\n        hlt\n"
	                             "ud:     mov r8 6\n        record r8\n        hlt\n"
	                             "gp:     mov r8 13\n        record r8\n        hlt\nrun 20000\n";
	// General detect: a #DB fault with BD before the MOV, GD cleared for the handler, whose MOVs then run.
	ExpectHolds(head + "main:   mov dr7 0x2400\n        mov rax dr0\n        vmcall\n" + handlers +
	            "expect 1st record L1 rbx=0xffff2ff0 rdx=0x400\nexpect count deliver 1 == 1\n");
	// DR4 under CR4.DE: #UD (the exit came first); without DE it is DR6.
	ExpectHolds(head + "  vmcs GUEST_CR4 0x2028\nmain:   mov rax dr4\n        vmcall\n" + handlers +
	            "expect 1st record L1 r8=6\n");
	ExpectHolds(head + "main:   mov rax dr4\n        record rax\n        vmcall\n" + handlers +
	            "expect 1st record L1 rax=0xffff0ff0\n");
	// Bits 63:32 of a value for DR7: #GP(0).
	ExpectHolds(head + "main:   mov rax 0x100000400\n        mov dr7 rax\n        vmcall\n" + handlers +
	            "expect 1st record L1 r8=13\n");
}
