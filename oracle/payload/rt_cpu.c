/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rt_cpu.c - the descriptor tables both programs run on (one GDT with a
 * 64-bit code segment, a data segment and a TSS; an IDT for L1 and one for
 * L2) and the local APIC in x2APIC mode, so that a program's WRMSR to the
 * ICR (0x830) sends a real IPI to this processor.
 */
#include "rt.h"
#include "rt_vmx.h"

struct idt_gate {
	uint64_t lo, hi;
};

#define IDT_VECTORS 256u
#define GATE_TYPE_INTERRUPT 0xeu
#define GATE_TYPE_TRAP 0xfu
#define GATE_PRESENT 0x80u
#define TSS_SIZE 104u
#define TSS_IST1 36u                  /* SDM Vol. 3A 8.7: IST1 at byte 36 of the 64-bit TSS */
#define TSS_IOMAP_BASE 102u

static uint64_t gdt[5] __attribute__((aligned(16)));
static uint8_t tss[TSS_SIZE] __attribute__((aligned(16)));
static struct idt_gate l1_idt[IDT_VECTORS] __attribute__((aligned(4096)));
static struct idt_gate l2_idt[IDT_VECTORS] __attribute__((aligned(4096)));

struct __attribute__((packed)) pseudo_descriptor {
	uint16_t limit;
	uint64_t base;
};

static struct idt_gate make_gate(uint64_t handler, unsigned access, unsigned ist)
{
	struct idt_gate g;

	g.lo = (handler & 0xffffu) | ((uint64_t)RT_SEL_CODE64 << 16) | ((uint64_t)ist << 32) |
	       ((uint64_t)access << 40) | (((handler >> 16) & 0xffffu) << 48);
	g.hi = handler >> 32;
	return g;
}

/*
 * A vector without a gate: an interrupt gate with P = 0, so that delivery
 * raises #NP(vector * 8 + 2 + EXT) as vmxsim's not-present gate does; an
 * all-zero entry would have an invalid type and raise #GP (SDM Vol. 3A 7.12.1).
 */
static struct idt_gate absent_gate(void) { return make_gate(0, GATE_TYPE_INTERRUPT, 0); }

/* One gate of a program's IDT as case_abi.h describes it; CASE_GATE_NONE: not present. */
static void set_case_gate(struct idt_gate *idt, uint64_t vector, uint64_t handler, uint64_t type)
{
	if (vector >= IDT_VECTORS) {
		rt_printf("BXO warning idt vector=%lu\n", (unsigned long)vector);
		return;
	}
	switch (type) {
	case CASE_GATE_INTERRUPT:
		idt[vector] = make_gate(handler, GATE_PRESENT | GATE_TYPE_INTERRUPT, 0);
		break;
	case CASE_GATE_TRAP:
		idt[vector] = make_gate(handler, GATE_PRESENT | GATE_TYPE_TRAP, 0);
		break;
	default:
		idt[vector] = absent_gate();
		break;
	}
}

static void install_case_gates(struct idt_gate *idt, const struct case_gate *gates)
{
	for (const struct case_gate *g = gates; g->vector != CASE_END; g++)
		set_case_gate(idt, g->vector, g->handler, g->type);
}

/* set-idt / clear-idt at run time (rt_set_gate): memory only, so L2 may call it too. */
void rt_gate_write(uint64_t handler, uint64_t arg)
{
	struct idt_gate *idt = ((arg >> 16) & 0xffu) == 2 ? l2_idt : l1_idt;

	set_case_gate(idt, arg & 0xffu, handler, (arg >> 8) & 0xffu);
}

static void build_gdt(void)
{
	uint64_t t = (uint64_t)tss;

	gdt[0] = 0;
	gdt[1] = 0x00af9b000000ffffull;   /* 0x08: code, L=1, P, DPL 0, accessed */
	gdt[2] = 0x00cf93000000ffffull;   /* 0x10: data, 4 GiB, writable, accessed */
	/* 0x18: available 64-bit TSS (type 9), 16 bytes (SDM Vol. 3A 8.2.3) */
	gdt[3] = (uint64_t)(TSS_SIZE - 1) | ((t & 0xffffffu) << 16) | (0x89ull << 40) | (((t >> 24) & 0xffu) << 56);
	gdt[4] = t >> 32;
	/* The runtime's exception handlers run on IST1, so that they report even with a broken RSP. */
	uint64_t ist = (uint64_t)rt_ist_stack_top;
	memcpy(&tss[TSS_IST1], &ist, sizeof(ist));
	uint16_t iomap = TSS_SIZE;        /* beyond the limit: no I/O permission bitmap */
	memcpy(&tss[TSS_IOMAP_BASE], &iomap, sizeof(iomap));
}

void rt_cpu_tables(void)
{
	build_gdt();
	for (unsigned v = 0; v < IDT_VECTORS; v++) {
		l1_idt[v] = v < 32 ? make_gate(rt_exception_stubs[v], GATE_PRESENT | GATE_TYPE_INTERRUPT, 1) : absent_gate();
		l2_idt[v] = absent_gate();
	}
	install_case_gates(l1_idt, case_l1_idt);
	install_case_gates(l2_idt, case_l2_idt);

	struct pseudo_descriptor g = {(uint16_t)(sizeof(gdt) - 1), (uint64_t)gdt};
	struct pseudo_descriptor i = {(uint16_t)(sizeof(l1_idt) - 1), (uint64_t)l1_idt};
	__asm__ volatile("lgdt %[g]\n\t"
	                 "pushq %[cs]\n\t"
	                 "leaq 1f(%%rip), %%rax\n\t"
	                 "pushq %%rax\n\t"
	                 "lretq\n"
	                 "1:\tmovl %[ds], %%eax\n\t"
	                 "mov %%eax, %%ds\n\t"
	                 "mov %%eax, %%es\n\t"
	                 "mov %%eax, %%ss\n\t"
	                 "xorl %%eax, %%eax\n\t"
	                 "mov %%eax, %%fs\n\t"
	                 "mov %%eax, %%gs\n\t"
	                 "movl %[tr], %%eax\n\t"
	                 "ltr %%ax\n\t"
	                 "lidt %[i]"
	                 :
	                 : [g] "m"(g), [i] "m"(i), [cs] "i"(RT_SEL_CODE64), [ds] "i"(RT_SEL_DATA), [tr] "i"(RT_SEL_TSS)
	                 : "rax", "memory");
}

struct rt_dtr rt_gdtr(void) { return (struct rt_dtr){(uint64_t)gdt, (uint16_t)(sizeof(gdt) - 1)}; }
struct rt_dtr rt_l1_idtr(void) { return (struct rt_dtr){(uint64_t)l1_idt, (uint16_t)(sizeof(l1_idt) - 1)}; }
struct rt_dtr rt_l2_idtr(void) { return (struct rt_dtr){(uint64_t)l2_idt, (uint16_t)(sizeof(l2_idt) - 1)}; }
uint64_t rt_tss_base(void) { return (uint64_t)tss; }
uint32_t rt_tss_limit(void) { return TSS_SIZE - 1; }

#define CPUID1_ECX_X2APIC (1u << 21)
#define APIC_BASE_EXTD (1ull << 10)
#define APIC_BASE_EN (1ull << 11)
#define MSR_X2APIC_TPR 0x808u
#define APIC_SVR_ENABLE 0x100u
#define APIC_SPURIOUS_VECTOR 0xffu
#define APIC_LVT_MASKED 0x10000u
#define APIC_LVT_EXTINT 0x700u

void rt_apic_x2(void)
{
	uint32_t r[4];

	/* The 8259s stay quiet: all their lines masked (OCW1 on both data ports). */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	cpuid(1, r);
	if (!(r[2] & CPUID1_ECX_X2APIC)) {
		rt_printf("BXO warning no-x2apic\n");
		return;
	}
	/* xAPIC first, then x2APIC: the disabled -> x2APIC transition is invalid (SDM Vol. 3A 11.12.5). */
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE) | APIC_BASE_EN;
	wrmsr(MSR_IA32_APIC_BASE, base);
	wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EXTD);
	wrmsr(MSR_X2APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
	wrmsr(MSR_X2APIC_TPR, 0);
	wrmsr(MSR_X2APIC_LVT_LINT0, APIC_LVT_MASKED | APIC_LVT_EXTINT);
}
