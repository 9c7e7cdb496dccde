; SPDX-License-Identifier: Apache-2.0
;
; region_case.asm - the case's VMCS regions (case_regions): one set up for
; L2 as vmcs0 is, one with a foreign revision identifier, one empty. As a
; scenario:
;
;   l0 none
;   guest L1
;     vmcs-region second
;     vmcs-region foreign revision=5
;     vmcs-region blank empty
;     exit-handler on_exit
;   main:    vmptrld second
;            vmlaunch                  # second runs L2 like vmcs0
;   on_exit: inc r12
;            vmptrst rax
;            record rax r12
;            cmp r12 2
;            je done
;            vmptrld foreign           # VMfailValid 11: not the processor's revision
;            vmptrld blank
;            vmlaunch                  # every field 0: VMfailValid 7 (control fields)
;            vmptrld vmcs0
;            vmlaunch
;   done:    hlt
;   guest L2
;   l2_start: vmcall
;
; Expected: region_case.expected.

%include "case_macros.inc"            ; bits 64, default rel

extern rt_m64, rt_vmcs0_region

section .text
global case_l1_main
case_l1_main:
	mov qword [rt_m64], region_second
	vmx_insn vx_ptrld_second, CASE_INSN_VMPTRLD, vmptrld [rt_m64]
	vm_enter vx_launch1, CASE_INSN_VMLAUNCH, vmlaunch
	l1_hlt vx_halt1

on_exit:
	inc r12
	vmx_insn vx_ptrst, CASE_INSN_VMPTRST, vmptrst [rt_m64]
	mov rax, [rt_m64]
	record vx_record, (1 << 0) | (1 << 12)
	cmp r12, 2
	je vx_done
	mov qword [rt_m64], region_foreign
	vmx_insn vx_ptrld_foreign, CASE_INSN_VMPTRLD, vmptrld [rt_m64]
	mov qword [rt_m64], region_blank
	vmx_insn vx_ptrld_blank, CASE_INSN_VMPTRLD, vmptrld [rt_m64]
	vm_enter vx_launch2, CASE_INSN_VMLAUNCH, vmlaunch
	mov qword [rt_m64], rt_vmcs0_region
	vmx_insn vx_ptrld_vmcs0, CASE_INSN_VMPTRLD, vmptrld [rt_m64]
	vm_enter vx_launch3, CASE_INSN_VMLAUNCH, vmlaunch
	l1_hlt vx_done

l2_start:
	vmcall

section .rodata
global case_name, case_l1_exit_handler, case_vmcs, case_l1_idt, case_l2_idt, case_msr_bits, case_regions
case_name:
	db "region-case", 0
align 8
case_l1_exit_handler:
	dq on_exit
case_vmcs:
	dq 0x681e, l2_start               ; GUEST_RIP
	dq CASE_END, 0
case_l1_idt:
case_l2_idt:
	dq CASE_END, 0, 0
case_msr_bits:
	dq CASE_END, 0
case_regions:
	dq region_second, CASE_END, 0
	dq region_foreign, 5, 0
	dq region_blank, CASE_END, 1
	dq 0, 0, 0

section .bss nobits alloc noexec write align=4096
region_second:
	resb 4096
region_foreign:
	resb 4096
region_blank:
	resb 4096

; no executable stack
section .note.GNU-stack noalloc noexec nowrite progbits
