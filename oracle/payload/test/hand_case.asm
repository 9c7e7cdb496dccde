; SPDX-License-Identifier: Apache-2.0
;
; hand_case.asm - a case written by hand against case_abi.h, the way
; vmxsim-scn2asm compiles one, to test the runtime end to end. As a
; scenario it would read:
;
;   l0 none
;   guest L1
;     exit-handler on_exit
;   main:      vmwrite 0xffff rax          # no such field: VMfailValid 12
;              vmlaunch
;   on_exit:   inc r12
;              vmread [rax] VM_EXIT_REASON
;              record r12 rax
;              cmp rax 18                  # VMCALL: step over it
;              jne not_vmcall
;              vmread [rdx] GUEST_RIP
;              vmread [rsi] VM_EXIT_INSTRUCTION_LEN
;              add rdx rsi
;              vmwrite GUEST_RIP rdx
;              cmp r12 3
;              je relaunch
;              vmresume
;   not_vmcall: cmp rax 0                  # the NMI: resume where it hit
;              jne relaunch
;              vmresume
;   relaunch:  vmlaunch                    # launched VMCS: VMfailValid 4
;              hlt
;   guest L2
;     vmcs PIN_BASED_VM_EXEC_CONTROL 0x9   # external-interrupt and NMI exiting
;     vmcs CPU_BASED_VM_EXEC_CONTROL 0x10000000   # use MSR bitmaps
;     idt 2 l2_nmi interrupt-gate
;     msr-bitmap intercept write 0x808     # the TPR; 0x830 (ICR) goes through
;   l2_start:  nop
;              vmcall
;              mov rcx 0x830
;              record rcx
;              mov rax 0x400                # NMI, no shorthand, destination 0
;              xor rdx rdx
;              wrmsr                        # self-IPI: exit 0 with NMI exiting
;   l2_after_ipi: vmcall
;   l2_nmi:    iret
;
; Expected: the vmwrite VMfail, entry, VMCALL exit at l2_start+1 (insn_len 3),
; entry, the L2 record, an NMI exit (intr_info 0x80000202) after the WRMSR,
; entry, VMCALL exit, the VMLAUNCH VMfail 4 (VMLAUNCH with a non-clear VMCS),
; l1-hlt, done: hand_case.expected, which check_case.sh compares.

%include "case_macros.inc"            ; bits 64, default rel

extern rt_msr_bitmap

REG_RAX equ 0
REG_RCX equ 1
REG_R12 equ 12

section .text
global case_l1_main
case_l1_main:
	mov rbx, 0xffff
	vmx_insn vx_write_bad, CASE_INSN_VMWRITE, vmwrite rbx, rax
	vm_enter vx_launch, CASE_INSN_VMLAUNCH, vmlaunch
	jmp vx_halt

on_exit:
	inc r12
	mov r13, 0x4402                   ; VM_EXIT_REASON
	vmx_insn vx_read_reason, CASE_INSN_VMREAD, vmread rax, r13
	record vx_record_l1, (1 << REG_R12) | (1 << REG_RAX)
	cmp rax, 18
	jne vx_not_vmcall
	mov r13, 0x681e                   ; GUEST_RIP
	vmx_insn vx_read_rip, CASE_INSN_VMREAD, vmread rdx, r13
	mov r13, 0x440c                   ; VM_EXIT_INSTRUCTION_LEN
	vmx_insn vx_read_len, CASE_INSN_VMREAD, vmread rsi, r13
	add rdx, rsi
	mov r13, 0x681e
	vmx_insn vx_write_rip, CASE_INSN_VMWRITE, vmwrite r13, rdx
	cmp r12, 3
	je vx_relaunch
	vm_enter vx_resume1, CASE_INSN_VMRESUME, vmresume
	jmp vx_halt
vx_not_vmcall:
	cmp rax, 0
	jne vx_relaunch
	vm_enter vx_resume2, CASE_INSN_VMRESUME, vmresume
vx_relaunch:
	vm_enter vx_launch2, CASE_INSN_VMLAUNCH, vmlaunch
	l1_hlt vx_halt

l2_start:
	nop
	vmcall
	mov ecx, 0x830
	record vx_record_l2, 1 << REG_RCX
	mov eax, 0x400
	xor edx, edx
	wrmsr
l2_after_ipi:
	vmcall
	ud2
l2_nmi:
	iretq

section .rodata
global case_name, case_l1_exit_handler, case_vmcs, case_l1_idt, case_l2_idt, case_msr_bits, case_regions
case_name:
	db "hand-case", 0
align 8
case_l1_exit_handler:
	dq on_exit
case_vmcs:
	dq 0x681e, l2_start               ; GUEST_RIP
	dq 0x4000, 0x9                    ; pin-based: external-interrupt and NMI exiting
	dq 0x4002, 0x10000000             ; processor-based: use MSR bitmaps
	dq 0x2004, rt_msr_bitmap          ; MSR_BITMAP
	dq CASE_END, 0
case_l1_idt:
	dq CASE_END, 0, 0
case_l2_idt:
	dq 2, l2_nmi, CASE_GATE_INTERRUPT
	dq CASE_END, 0, 0
case_msr_bits:
	dq 0x808, 1
	dq CASE_END, 0
case_regions:
	dq region_second, CASE_END, 0      ; set up for L2 as vmcs0 is
	dq region_empty, CASE_END, 1       ; zeros after the revision
	dq 0, 0, 0

section .bss nobits alloc noexec write align=4096
region_second:
	resb 4096
region_empty:
	resb 4096

; no executable stack
section .note.GNU-stack noalloc noexec nowrite progbits
