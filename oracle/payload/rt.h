/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rt.h - the oracle runtime's own interfaces: output over port 0xE9, the
 * descriptor tables and APIC (rt_cpu.c), the VMCS set-up (rt_vmcs.c), the
 * reports (rt_report.c) and the assembly glue (rt_start.asm, rt_glue.asm).
 * This is a bare-metal program: its state is the machine's, so it lives in
 * globals, one boot per case.
 */
#ifndef VMXSIM_ORACLE_RT_H
#define VMXSIM_ORACLE_RT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "case_abi.h"

/* What the compiled case defines (case_abi.h). case_flags is optional. */
extern const char case_name[];
extern char case_l1_main[];
extern const uint64_t case_l1_exit_handler;
extern const struct case_vmcs_write case_vmcs[];
extern const struct case_gate case_l1_idt[];
extern const struct case_gate case_l2_idt[];
extern const struct case_msr_bit case_msr_bits[];
extern const struct case_region case_regions[];
extern const uint64_t case_flags __attribute__((weak));

/* Selectors of the runtime's GDT (rt_cpu.c); both programs run on them. */
#define RT_SEL_CODE64 CASE_SEL_CODE64
#define RT_SEL_DATA CASE_SEL_DATA
#define RT_SEL_TSS 0x18u

/* rt_io.c */
void rt_putc(char c);
void rt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void rt_end(void);            /* "BXO done", then Bochs shuts down */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);

/* rt_cpu.c */
struct rt_dtr {
	uint64_t base;
	uint16_t limit;
};
void rt_cpu_tables(void);               /* GDT, TSS, L1 and L2 IDTs; loads GDTR, TR, IDTR */
void rt_apic_x2(void);                  /* x2APIC on, 8259s masked */
void rt_gate_write(uint64_t handler, uint64_t arg);   /* rt_set_gate's work */
struct rt_dtr rt_gdtr(void);
struct rt_dtr rt_l1_idtr(void);
struct rt_dtr rt_l2_idtr(void);
uint64_t rt_tss_base(void);
uint32_t rt_tss_limit(void);

/* rt_vmcs.c */
extern uint8_t rt_msr_bitmap[4096];
extern uint8_t rt_vmxon_region[4096];
extern uint8_t rt_vmcs0_region[4096];
void rt_vmx_caps(void);                 /* prints "BXO caps ..." */
void rt_vmx_on(void);                   /* feature control, fixed CR bits, VMXON */
void rt_vmcs_all(void);                 /* MSR bitmap, vmcs0, the case's regions; vmcs0 current */
void rt_report_vmwrite(uint64_t field, uint64_t value);   /* VMWRITE, a warning line when it fails */

/* rt_report.c: called from the glue (names in rt_glue.asm) */
void rt_entering(const uint8_t *insn, uint64_t host_rsp);
void rt_entry_fail(uint64_t insn_addr, uint64_t kind, uint64_t rflags);
void rt_vmx_fail(uint64_t insn_addr, uint64_t kind, uint64_t rflags);
void rt_record_regs(const uint64_t *regs, uint64_t insn_addr, uint64_t mask);
void rt_exited(void);
_Noreturn void rt_hlt_reached(uint64_t insn_addr);
_Noreturn void rt_l1_exception(const uint64_t *frame);

/* rt_glue.asm / rt_start.asm */
extern uint64_t rt_l1_exit_handler;
extern uint8_t rt_state;                /* 0: L1 runs; 1: entered (or entering) L2 */
extern const uint64_t rt_exception_stubs[32];
extern char rt_vmexit[];
extern char rt_l2_stack_top[];
extern char rt_ist_stack_top[];
extern char rt_l2_nowhere[];

#endif
