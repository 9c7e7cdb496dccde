; SPDX-License-Identifier: Apache-2.0
;
; spin_case.asm - the smallest case (case_abi.h): an L1 program that
; loops forever without entering L2; the runner cuts it off at its
; instruction budget (BXO cut-off budget).

%include "case_macros.inc"            ; bits 64, default rel

section .text
global case_l1_main
case_l1_main:
	jmp case_l1_main

section .rodata
global case_vmcs
	case_tables "spin", 0
case_vmcs:
	dq CASE_END, 0

; no executable stack
section .note.GNU-stack noalloc noexec nowrite progbits
