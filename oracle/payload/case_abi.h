/* SPDX-License-Identifier: Apache-2.0 */
/*
 * case_abi.h - the contract between a compiled case and the oracle runtime.
 *
 * A case is one `l0 none` scenario compiled to x86 by vmxsim-scn2asm: its
 * L1 program becomes root code (a hypervisor on bare metal, as the scenario
 * says) and its L2 program the guest that L1's VMCS runs. The runtime
 * (boot.asm, rt_*.c, rt_glue.asm) boots Bochs into 64-bit mode, turns VMX
 * on, sets up the VMCS as the scenario's machine would, jumps to the L1
 * program and reports over port 0xE9 what the processor did. Both sides of
 * the contract are in this folder and in oracle/scn2asm; docs/oracle.md
 * describes the whole suite.
 *
 * Layout. The payload is linked below 2 GiB on identity-mapped pages, so a
 * label fits a sign-extended imm32 (push, mov r/m64). Root code and the
 * guest run at CPL 0 in 64-bit mode on the same page tables and GDT
 * (selectors: CASE_SEL_CODE64 for CS and every gate, CASE_SEL_DATA).
 *
 * Registers. A compiled case uses R13, R14 and R15 as its scratch
 * registers: the compiler refuses a scenario that names them. Every other
 * register is the scenario's. L1 starts with all registers 0 and RFLAGS
 * 0x2; L2 starts with all registers 0 (RSP from GUEST_RSP).
 */
#ifndef VMXSIM_ORACLE_CASE_ABI_H
#define VMXSIM_ORACLE_CASE_ABI_H

#include <stdint.h>

/* One field of the VMCS the L2 program runs in (and of each non-empty region). */
struct case_vmcs_write {
	uint64_t encoding;        /* CASE_END ends the table */
	uint64_t value;
};

/* One gate of a program's IDT (the `idt` lines; set-idt changes them at run time). */
struct case_gate {
	uint64_t vector;          /* CASE_END ends the table */
	uint64_t handler;         /* address of the handler's first instruction */
	uint64_t type;            /* CASE_GATE_* */
};

/* One bit of the MSR bitmap the runtime keeps for the L2 VMCS (`msr-bitmap` lines). */
struct case_msr_bit {
	uint64_t msr;             /* CASE_END ends the table */
	uint64_t write;           /* 1: the write bitmap, 0: the read bitmap */
};

/* A VMCS region the L1 program declares (`vmcs-region`), beyond vmxon and vmcs0. */
struct case_region {
	uint64_t page;            /* address of its 4-KByte page (in the case's .bss); 0 ends the table */
	uint64_t revision;        /* CASE_END: the processor's (IA32_VMX_BASIC[30:0]) */
	uint64_t empty;           /* 1: all zeros after the revision; 0: set up for L2 as vmcs0 is */
};

#define CASE_END UINT64_MAX
#define CASE_SEL_CODE64 0x08u
#define CASE_SEL_DATA 0x10u
#define CASE_GATE_NONE 0u
#define CASE_GATE_INTERRUPT 1u
#define CASE_GATE_TRAP 2u

/* Bits of the optional qword case_flags. */
#define CASE_FLAG_STARTS_OUTSIDE_VMX 1u   /* L1's first VMX instruction is VMXON (vmxsim starts it outside VMX operation) */

/* Kinds of VMX instruction, as pushed before rt_vmx_done / rt_entry_failed (the trace's `insn=` names). */
#define CASE_INSN_VMLAUNCH 1u
#define CASE_INSN_VMRESUME 2u
#define CASE_INSN_VMREAD 3u
#define CASE_INSN_VMWRITE 4u
#define CASE_INSN_VMPTRLD 5u
#define CASE_INSN_VMPTRST 6u
#define CASE_INSN_VMCLEAR 7u
#define CASE_INSN_VMXON 8u
#define CASE_INSN_VMXOFF 9u
#define CASE_INSN_VMCALL 10u     /* in VMX root operation: VMfail(1), or VMfailInvalid */

/*
 * What the compiled case defines (all global symbols of case.asm):
 *
 *   case_name            NUL-terminated scenario name
 *   case_l1_main         the L1 program's first instruction (label `main` or
 *                        instruction 0), jumped to once the runtime is ready
 *   case_l1_exit_handler qword: the `exit-handler` label, or 0
 *   case_vmcs            struct case_vmcs_write[]: the L2 VMCS as the
 *                        scenario's machine sets it up, in vmxsim's values,
 *                        with addresses already translated (GUEST_RIP = the
 *                        L2 program's first instruction, MSR_BITMAP =
 *                        rt_msr_bitmap when the machine's default). Applied
 *                        after the runtime's defaults; HOST_RIP and HOST_RSP
 *                        are never in it (the runtime owns them)
 *   case_l1_idt, case_l2_idt   struct case_gate[]
 *   case_msr_bits        struct case_msr_bit[]
 *   case_regions         struct case_region[]
 *   case_flags           qword, optional (0 when absent): CASE_FLAG_*. With
 *                        STARTS_OUTSIDE_VMX the runtime sets everything up
 *                        as usual, then VMCLEARs vmcs0 and executes VMXOFF
 *                        (CR4.VMXE and IA32_FEATURE_CONTROL stay set)
 *
 * The runtime builds each VMCS as: its defaults (a valid 64-bit guest,
 * vmxsim's vmcs0 controls), then case_vmcs, then it ORs into the pin,
 * primary, exit and entry controls the processor's must-be-1 bits
 * (IA32_VMX_*_CTLS, or IA32_VMX_TRUE_*_CTLS when IA32_VMX_BASIC[55] is 1,
 * as vmxsim's vmcs_setup) and host address-space size /
 * IA-32e mode guest (bit 9 of exit / entry: the harness is 64-bit).
 * L1's IDT: case_l1_idt, and for vectors 0-31 without a gate the runtime's
 * handlers (BXO l1-exception); other vectors without a gate are not present
 * (P = 0 in an interrupt gate: delivery raises #NP). L2's IDT: case_l2_idt
 * only.
 *
 * What the runtime defines for the case to call or reference:
 * (a service called with pushed arguments removes them: ret 16; in L2,
 * where VMX instructions exit, rt_enter, rt_entry_failed and rt_vmx_done
 * do nothing; INSN_ADDR is any address the report should name)
 *
 *   rt_enter             call right before the VMLAUNCH/VMRESUME: saves the
 *                        L1 registers, sets HOST_RSP, loads the L2 registers
 *   rt_entry_failed      push KIND; push INSN_ADDR; call: after a VMLAUNCH/
 *                        VMRESUME that fell through (VMfail): restores the L1
 *                        registers, keeps RFLAGS, reports the VMfail
 *   rt_vmx_done          push KIND; push INSN_ADDR; call: after any other
 *                        VMX instruction: reports a VMfail if CF or ZF is set;
 *                        preserves every register and RFLAGS
 *   rt_record            push MASK; push INSN_ADDR; call: records the
 *                        registers of MASK (bit n = register n, rax = 0 ...
 *                        r15 = 15); preserves every register and RFLAGS;
 *                        in L2 it only writes memory (no exit), the runtime
 *                        prints L2's records before the next exit report
 *   rt_l1_hlt            push INSN_ADDR; jmp: the L1 program executed HLT:
 *                        the case ends
 *   rt_set_gate          push VECTOR | TYPE << 8 | PROG << 16; push HANDLER;
 *                        call: set-idt (TYPE a CASE_GATE_*) or clear-idt
 *                        (TYPE 0, HANDLER 0) in program PROG's IDT (1 or 2);
 *                        memory only; preserves every register and RFLAGS
 *   rt_vmexit            the real HOST_RIP: saves the L2 registers, restores
 *                        the L1 ones, reports the exit and jumps to
 *                        rt_l1_exit_handler
 *   rt_l1_exit_handler   qword: where L1 resumes after an exit (starts as
 *                        case_l1_exit_handler; a VMWRITE to HOST_RIP writes
 *                        rt_vmexit to the field and its value here)
 *   rt_msr_bitmap        the 4-KByte MSR-bitmap page of the L2 VMCS
 *   rt_vmxon_region, rt_vmcs0_region   vmxsim's VMX_REGION_ADDR(0) and (1)
 *   rt_m64               a scratch qword for m64 operands (VMPTRLD, VMCLEAR,
 *                        VMXON, VMPTRST)
 *
 * The report (port 0xE9, one line each, hex with 0x):
 *   BXO start
 *   BXO caps basic=.. pin=.. proc=.. exit=.. entry=.. misc=.. proc2=.. ept_vpid=..
 *            true_pin=.. true_proc=.. true_exit=.. true_entry=..
 *   BXO vmentry insn=vmlaunch|vmresume rip=GUEST_RIP   (before the attempt)
 *   BXO vmexit reason=0x%08x qual=.. intr_info=0x%08x intr_ec=.. idt_info=0x%08x
 *              idt_ec=.. insn_len=%u rip=GUEST_RIP intr_state=.. activity=%u
 *   BXO vmfail insn=NAME kind=valid error=%u rip=INSN_ADDR | kind=invalid rip=INSN_ADDR
 *   BXO record prog=1|2 rip=INSN_ADDR rax=.. (the registers of MASK, in order)
 *   BXO l1-hlt rip=ADDR
 *   BXO l1-exception vector=%u errcode=.. rip=..
 *   BXO done
 *   BXO warning ... | BXO error ...   (set-up and runtime problems; an error
 *                                      ends the case: BXO done follows)
 */

#endif
