; SPDX-License-Identifier: Apache-2.0
;
; vmxon_case.asm - a case whose L1 program starts outside VMX operation
; (case_flags = CASE_FLAG_STARTS_OUTSIDE_VMX: its first VMX instruction is
; VMXON) and makes its own way in through rt_m64, then enters L2 with no
; exit handler. As a scenario:
;
;   l0 none
;   guest L1
;   main:   vmxon vmxon                # succeeds: the runtime left VMX operation
;           vmptrld vmcs0
;           vmptrst rax
;           record rax                 # rt_vmcs0_region
;           vmxon vmxon                # in VMX root operation: VMfailValid 15
;           vmlaunch
;   guest L2
;   l2_start: vmcall                   # no exit handler: the case ends
;
; Expected: vmxon_case.expected.

%include "case_macros.inc"            ; bits 64, default rel

extern rt_m64, rt_vmxon_region, rt_vmcs0_region

section .text
global case_l1_main
case_l1_main:
	mov qword [rt_m64], rt_vmxon_region
	vmx_insn vx_vmxon, CASE_INSN_VMXON, vmxon [rt_m64]
	mov qword [rt_m64], rt_vmcs0_region
	vmx_insn vx_vmptrld, CASE_INSN_VMPTRLD, vmptrld [rt_m64]
	vmx_insn vx_vmptrst, CASE_INSN_VMPTRST, vmptrst [rt_m64]
	mov rax, [rt_m64]
	record vx_record, 1
	mov qword [rt_m64], rt_vmxon_region
	vmx_insn vx_vmxon2, CASE_INSN_VMXON, vmxon [rt_m64]
	vm_enter vx_launch, CASE_INSN_VMLAUNCH, vmlaunch
	l1_hlt vx_halt

l2_start:
	vmcall

section .rodata
global case_vmcs, case_flags
	case_tables "vmxon-case", 0
case_flags:
	dq 1                              ; CASE_FLAG_STARTS_OUTSIDE_VMX
case_vmcs:
	dq 0x681e, l2_start               ; GUEST_RIP
	dq CASE_END, 0

; no executable stack
section .note.GNU-stack noalloc noexec nowrite progbits
