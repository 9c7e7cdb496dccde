; SPDX-License-Identifier: Apache-2.0
;
; rt_start.asm - the payload's first instruction (the boot sector jumps to
; it in 64-bit mode at the link address), the runtime's stacks, the L1
; exception stubs that report an exception and end the case, and the jump
; into the L1 program with every register 0 and RFLAGS 0x2 (case_abi.h).

bits 64
default rel

extern rt_main, rt_l1_exception, case_l1_main
extern __bss_start, __bss_end

section .text.start progbits alloc exec nowrite align=16
global _start
_start:
	cli
	lea rsp, [rt_boot_stack_top]
	lea rdi, [__bss_start]
	lea rcx, [__bss_end]
	sub rcx, rdi
	xor eax, eax
	cld
	rep stosb
	call rt_main
	lea rsp, [rt_l1_stack_top]
	push 2
	popfq
	xor eax, eax
	xor ecx, ecx
	xor edx, edx
	xor ebx, ebx
	xor ebp, ebp
	xor esi, esi
	xor edi, edi
	xor r8d, r8d
	xor r9d, r9d
	xor r10d, r10d
	xor r11d, r11d
	xor r12d, r12d
	xor r13d, r13d
	xor r14d, r14d
	xor r15d, r15d
	jmp case_l1_main

section .text progbits alloc exec nowrite align=16

; L2's RIP when the case names none: an invalid opcode.
global rt_l2_nowhere
rt_l2_nowhere:
	ud2

; Exceptions with an error code (SDM Vol. 3A 7.15): 8, 10-14, 17, 21, 29, 30.
; The others push 0 in its place, so every frame is: vector, error code, RIP ...
%macro exception_stub 1
rt_exception_%1:
%if %1 != 8 && (%1 < 10 || %1 > 14) && %1 != 17 && %1 != 21 && %1 != 29 && %1 != 30
	push 0
%endif
	push %1
	jmp exception_common
%endmacro

%assign vec 0
%rep 32
exception_stub vec
%assign vec vec + 1
%endrep

exception_common:
	mov rdi, rsp
	and rsp, -16
	call rt_l1_exception
	ud2

section .rodata progbits alloc noexec nowrite align=8
global rt_exception_stubs
rt_exception_stubs:
%assign vec 0
%rep 32
	dq rt_exception_ %+ vec
%assign vec vec + 1
%endrep

section .bss nobits alloc noexec write align=16
global rt_l2_stack_top, rt_ist_stack_top
	resb 16384
rt_boot_stack_top:
	resb 16384
rt_l1_stack_top:
	resb 16384
rt_l2_stack_top:
	resb 8192
rt_ist_stack_top:

; no executable stack
section .note.GNU-stack noalloc noexec nowrite progbits
