; SPDX-License-Identifier: Apache-2.0
;
; fault_case.asm - exceptions in L1 and its IDT at run time (rt_set_gate).
; As a scenario:
;
;   l0 none
;   guest L1
;   main:   set-idt 6 on_ud interrupt-gate
;           ud2                        # to on_ud
;   on_ud:  record rsp
;           clear-idt 6
;   again:  ud2                        # vector 6 not present: #NP(6 * 8 + 2 + 1), IDT and EXT
;
; The runtime reports the #NP (its own handler of vector 11, BXO
; l1-exception) and ends the case. Expected: fault_case.expected.

%include "case_macros.inc"            ; bits 64, default rel

section .text
global case_l1_main
case_l1_main:
	set_gate 1, 6, CASE_GATE_INTERRUPT, on_ud
vx_ud2:
	ud2
on_ud:
	record vx_record, 1 << 4
	set_gate 1, 6, 0, 0
vx_again:
	ud2

section .rodata
global case_vmcs
	case_tables "fault", 0
case_vmcs:
	dq CASE_END, 0

; no executable stack
section .note.GNU-stack noalloc noexec nowrite progbits
