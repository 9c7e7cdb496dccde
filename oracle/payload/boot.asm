; SPDX-License-Identifier: Apache-2.0
;
; boot.asm - the floppy's boot sector. The BIOS loads it at 0x7c00; it
; reads the payload (PAYLOAD_SECTORS sectors from the second one, 1.44 MB
; geometry: 18 sectors a track, 2 heads) to 0x8000 one sector at a time,
; builds page tables identity-mapping the first GiB with 2-MiB pages
; (PML4 0x1000, PDPT 0x2000, PD 0x3000), turns on PAE, long mode and
; paging in one go from real mode, and jumps to the payload in 64-bit
; mode. A read error prints "BXO error boot-read" and shuts Bochs down.

bits 16
org 0x7c00

%ifndef PAYLOAD_SECTORS
%error "assemble with -DPAYLOAD_SECTORS=N"
%endif
SECTORS_PER_TRACK equ 18
LOAD_SEGMENT equ 0x0800             ; 0x8000
PML4 equ 0x1000
PDPT equ 0x2000
PD equ 0x3000

boot:
	cli
	xor ax, ax
	mov ds, ax
	mov ss, ax
	mov sp, 0x7c00
	mov [drive], dl
	mov ax, LOAD_SEGMENT
	mov es, ax
	mov si, PAYLOAD_SECTORS
.next:
	mov bp, 4                         ; tries per sector
.again:
	mov ax, 0x0201                    ; INT 13h AH=2: read AL=1 sector to ES:BX
	xor bx, bx
	mov ch, [cylinder]
	mov cl, [sector]
	mov dh, [head]
	mov dl, [drive]
	int 0x13
	jnc .read
	xor ax, ax                        ; AH=0: reset the drive, then try again
	mov dl, [drive]
	int 0x13
	dec bp
	jnz .again
	jmp read_error
.read:
	mov ax, es
	add ax, 512 / 16
	mov es, ax
	inc byte [sector]
	cmp byte [sector], SECTORS_PER_TRACK
	jbe .same_track
	mov byte [sector], 1
	xor byte [head], 1
	jnz .same_track
	inc byte [cylinder]
.same_track:
	dec si
	jnz .next

	in al, 0x92                       ; A20 through the system control port
	or al, 2
	and al, 0xfe
	out 0x92, al

	xor ax, ax
	mov es, ax
	mov di, PML4
	mov cx, 3 * 4096 / 2
	cld
	rep stosw
	mov dword [PML4], PDPT | 3        ; present, writable
	mov dword [PDPT], PD | 3
	mov di, PD
	mov eax, 0x83                     ; present, writable, 2-MiB page
	xor edx, edx
	mov cx, 512
.pde:
	mov [di], eax
	mov [di + 4], edx
	add eax, 0x200000
	add di, 8
	loop .pde

	lgdt [gdt_pointer]
	mov eax, 1 << 5                   ; CR4.PAE
	mov cr4, eax
	mov eax, PML4
	mov cr3, eax
	mov ecx, 0xc0000080               ; IA32_EFER.LME
	rdmsr
	or eax, 1 << 8
	wrmsr
	mov eax, cr0
	or eax, 0x80000001                ; PG, PE
	mov cr0, eax
	jmp 0x08:long_mode

read_error:
	mov si, msg_read_error
.put:
	lodsb
	test al, al
	jz .down
	out 0xe9, al
	jmp .put
.down:
	mov si, msg_shutdown
	mov dx, 0x8900
.shut:
	lodsb
	test al, al
	jz .halt
	out dx, al
	jmp .shut
.halt:
	hlt
	jmp .halt

bits 64
long_mode:
	mov eax, 0x10
	mov ds, eax
	mov es, eax
	mov ss, eax
	mov rsp, 0x7c00
	mov eax, LOAD_SEGMENT * 16
	jmp rax

align 8
gdt:
	dq 0
	dq 0x00af9b000000ffff             ; 0x08: 64-bit code
	dq 0x00cf93000000ffff             ; 0x10: data
gdt_pointer:
	dw gdt_pointer - gdt - 1
	dd gdt

drive: db 0
sector: db 2
head: db 0
cylinder: db 0
msg_read_error: db "BXO error boot-read", 10, 0
msg_shutdown: db "Shutdown", 0

times 510 - ($ - $$) db 0
dw 0xaa55
