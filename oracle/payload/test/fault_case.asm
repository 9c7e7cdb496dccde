; SPDX-License-Identifier: Apache-2.0
;
; fault_case.asm - the smallest case (case_abi.h): an L1 program that
; raises #UD; the runtime reports it (BXO l1-exception vector=6) and
; ends the case.

%include "case_macros.inc"            ; bits 64, default rel

section .text
global case_l1_main
case_l1_main:
	ud2

section .rodata
global case_vmcs
	case_tables "fault", 0
case_vmcs:
	dq CASE_END, 0

; no executable stack
section .note.GNU-stack noalloc noexec nowrite progbits
