; SPDX-License-Identifier: Apache-2.0
;
; rt_glue.asm - the services a compiled case calls (case_abi.h): the way
; into L2 (rt_enter), back out of it (rt_vmexit, the HOST_RIP of every
; VMCS), the VMfail reports, the records and the end at L1's HLT.
;
; L1 and L2 each keep their 16 general registers here (slot n = register
; n, the RSP slot unused): L2's from one exit to the next entry, L1's from
; an entry to the exit or VMfail that ends it, as a processor keeps the
; host's registers across VMX non-root operation.
;
; The services that take arguments (push KIND or MASK; push INSN_ADDR;
; call) remove them on return (ret 16), so that the whole sequence keeps
; every register, RSP included, and RFLAGS.

bits 64
default rel

extern rt_entering, rt_entry_fail, rt_vmx_fail, rt_record_regs, rt_exited, rt_hlt_reached, rt_gate_write

RFLAGS_CF equ 1 << 0
RFLAGS_ZF equ 1 << 6

%macro regs_to 1
	mov [%1 + 0 * 8], rax
	mov [%1 + 1 * 8], rcx
	mov [%1 + 2 * 8], rdx
	mov [%1 + 3 * 8], rbx
	mov [%1 + 5 * 8], rbp
	mov [%1 + 6 * 8], rsi
	mov [%1 + 7 * 8], rdi
	mov [%1 + 8 * 8], r8
	mov [%1 + 9 * 8], r9
	mov [%1 + 10 * 8], r10
	mov [%1 + 11 * 8], r11
	mov [%1 + 12 * 8], r12
	mov [%1 + 13 * 8], r13
	mov [%1 + 14 * 8], r14
	mov [%1 + 15 * 8], r15
%endmacro

%macro regs_from 1
	mov rax, [%1 + 0 * 8]
	mov rcx, [%1 + 1 * 8]
	mov rdx, [%1 + 2 * 8]
	mov rbx, [%1 + 3 * 8]
	mov rbp, [%1 + 5 * 8]
	mov rsi, [%1 + 6 * 8]
	mov rdi, [%1 + 7 * 8]
	mov r8, [%1 + 8 * 8]
	mov r9, [%1 + 9 * 8]
	mov r10, [%1 + 10 * 8]
	mov r11, [%1 + 11 * 8]
	mov r12, [%1 + 12 * 8]
	mov r13, [%1 + 13 * 8]
	mov r14, [%1 + 14 * 8]
	mov r15, [%1 + 15 * 8]
%endmacro

; The caller-saved registers of the C ABI, and RBP that keeps the frame.
%macro c_call_save 0
	push rax
	push rcx
	push rdx
	push rsi
	push rdi
	push r8
	push r9
	push r10
	push r11
	push rbp
%endmacro
%macro c_call_restore 0
	pop rbp
	pop r11
	pop r10
	pop r9
	pop r8
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rax
%endmacro
C_CALL_SAVED equ 10 * 8

section .text progbits alloc exec nowrite align=16

; call rt_enter; VMLAUNCH or VMRESUME. In L1: keep L1's registers, report
; the entry, HOST_RSP = L1's RSP at the VMLAUNCH, load L2's registers.
; In L2 (the VMX instruction will exit): nothing.
global rt_enter
rt_enter:
	pushfq
	cmp byte [rt_state], 0
	jne .done
	regs_to rt_l1_regs
	lea rax, [rsp + 16]               ; past RFLAGS and the return address
	mov [rt_host_rsp], rax
	mov rbp, rsp
	and rsp, -16
	mov rdi, [rbp + 8]                ; the return address: the VMLAUNCH/VMRESUME
	mov rsi, [rt_host_rsp]
	call rt_entering
	mov rsp, rbp
	mov byte [rt_state], 1
	regs_from rt_l2_regs
.done:
	popfq
	ret

; HOST_RIP: RSP = HOST_RSP (L1's RSP at the entry), RFLAGS 0x2, L2's registers.
global rt_vmexit
rt_vmexit:
	regs_to rt_l2_regs
	mov byte [rt_state], 0
	mov rbp, rsp
	and rsp, -16
	call rt_exited                    ; ends the case when there is no exit handler
	mov rsp, rbp
	push 2
	popfq
	regs_from rt_l1_regs
	jmp [rt_l1_exit_handler]

; push KIND; push INSN_ADDR; call rt_entry_failed - after a VMLAUNCH or
; VMRESUME that fell through. L1 gets its registers back and keeps the
; instruction's RFLAGS. It is L1's fall-through when RSP is the one rt_enter
; gave HOST_RSP (L2 runs on another stack): L2 reaches this only past a
; VMLAUNCH that exited, and then nothing happens.
global rt_entry_failed
rt_entry_failed:
	pushfq
	push rax
	lea rax, [rsp + 40]               ; RAX, RFLAGS, return, INSN_ADDR, KIND
	cmp rax, [rt_host_rsp]
	pop rax
	jne .done
	cmp byte [rt_state], 1
	jne .done
	mov byte [rt_state], 0
	mov rbp, rsp
	and rsp, -16
	mov rdi, [rbp + 16]               ; INSN_ADDR
	mov rsi, [rbp + 24]               ; KIND
	mov rdx, [rbp]                    ; RFLAGS of the VMLAUNCH/VMRESUME
	call rt_entry_fail
	mov rsp, rbp
	regs_from rt_l1_regs
.done:
	popfq
	ret 16

; push KIND; push INSN_ADDR; call rt_vmx_done - after any other VMX
; instruction: a report when CF or ZF is set. In L2 the instruction exited.
global rt_vmx_done
rt_vmx_done:
	pushfq
	cmp byte [rt_state], 0
	jne .done
	test qword [rsp], RFLAGS_CF | RFLAGS_ZF
	jz .done
	c_call_save
	mov rbp, rsp
	and rsp, -16
	mov rdi, [rbp + C_CALL_SAVED + 16]   ; INSN_ADDR
	mov rsi, [rbp + C_CALL_SAVED + 24]   ; KIND
	mov rdx, [rbp + C_CALL_SAVED]        ; RFLAGS
	call rt_vmx_fail
	mov rsp, rbp
	c_call_restore
.done:
	popfq
	ret 16

; push MASK; push INSN_ADDR; call rt_record - the registers of MASK, as
; they were before the pushes (RSP too).
global rt_record
rt_record:
	pushfq
	push r15
	push r14
	push r13
	push r12
	push r11
	push r10
	push r9
	push r8
	push rdi
	push rsi
	push rbp
	push 0                            ; RSP's slot
	push rbx
	push rdx
	push rcx
	push rax
	lea rax, [rsp + 16 * 8 + 32]      ; 16 registers, RFLAGS, return, INSN_ADDR, MASK
	mov [rsp + 4 * 8], rax
	mov rbp, rsp
	and rsp, -16
	mov rdi, rbp
	mov rsi, [rbp + 16 * 8 + 16]      ; INSN_ADDR
	mov rdx, [rbp + 16 * 8 + 24]      ; MASK
	call rt_record_regs
	mov rsp, rbp
	pop rax
	pop rcx
	pop rdx
	pop rbx
	lea rsp, [rsp + 8]
	pop rbp
	pop rsi
	pop rdi
	pop r8
	pop r9
	pop r10
	pop r11
	pop r12
	pop r13
	pop r14
	pop r15
	popfq
	ret 16

; push VECTOR | TYPE << 8 | PROG << 16; push HANDLER (0 to clear); call
; rt_set_gate - set-idt / clear-idt: one gate of program PROG's IDT (1: L1,
; 2: L2), TYPE a CASE_GATE_*. Memory only: L2 calls it too.
global rt_set_gate
rt_set_gate:
	pushfq
	c_call_save
	mov rbp, rsp
	and rsp, -16
	mov rdi, [rbp + C_CALL_SAVED + 16]   ; HANDLER
	mov rsi, [rbp + C_CALL_SAVED + 24]   ; VECTOR | TYPE << 8 | PROG << 16
	call rt_gate_write
	mov rsp, rbp
	c_call_restore
	popfq
	ret 16

; push INSN_ADDR; jmp rt_l1_hlt - the L1 program's HLT ends the case.
global rt_l1_hlt
rt_l1_hlt:
	mov rdi, [rsp]
	and rsp, -16
	call rt_hlt_reached
	ud2

section .data progbits alloc noexec write align=8
global rt_l1_exit_handler
rt_l1_exit_handler:
	dq 0

section .bss nobits alloc noexec write align=16
global rt_m64, rt_state
rt_l1_regs:
	resq 16
rt_l2_regs:
	resq 16
rt_host_rsp:
	resq 1
rt_m64:
	resq 1
rt_state:
	resb 1

; no executable stack
section .note.GNU-stack noalloc noexec nowrite progbits
