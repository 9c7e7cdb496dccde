/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scn2asm_internal.h - what the compiler's files share: the scenario as
 * the machine built it (both programs laid out, the VMCS regions set up),
 * what the checks found out about it, and the output helpers.
 *
 * The checks (refuse*.c) decide everything that can refuse; the emitters
 * (emit_*.c, map.c) then only write, so a refused scenario writes nothing.
 */
#ifndef VMXSIM_ORACLE_SCN2ASM_INTERNAL_H
#define VMXSIM_ORACLE_SCN2ASM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "front/scenario.h"
#include "model/hw/guest_mem.h"
#include "oracle/payload/case_abi.h"
#include "oracle/scn2asm/scn2asm.h"
#include "vmcs/cpu_model.h"
#include "vmcs/vmcs.h"

/* The x86 scratch registers of a compiled case (case_abi.h): R13, R14, R15. */
#define S2A_SCRATCH_FIRST 13u

/* CASE_END as the assembler writes it. */
#define S2A_CASE_END "0xffffffffffffffff"

/* One program: the scenario's block and the machine's laid-out copy of it. */
struct s2a_prog {
	int level;                    /* 1: the L1 hypervisor (root), 2: its guest */
	const struct scn_guest *g;
	const struct vmx_insn *insn;  /* addresses, lengths; label operands resolved */
	uint32_t count;
	uint64_t base, end;
};

struct s2a {
	const struct scn_scenario *s;
	const char *text;             /* the source, or NULL */
	size_t len;
	FILE *diag;
	const struct cpu_model *cpu;
	struct s2a_prog p[3];         /* p[1], p[2] */
	const struct vmcs *regions;   /* the machine's: VMXON region, vmcs0, the declared ones */
	uint32_t nregions;
	const struct vmcs *vmcs0;     /* regions[VMX_REGION_VMCS0]: the VMCS the L2 program starts on */

	/* What the checks found (refuse.c). */
	bool starts_outside_vmx;      /* L1's first VMX instruction is VMXON */
	bool mtf_possible;            /* MONITOR_TRAP_FLAG may be set while L2 runs */
	bool timer_possible;          /* the VMX-preemption timer may be active */
	bool cr3_may_load;            /* a MOV to CR3 in L2 may execute (a CR3-target value could match) */
	bool io_exits;                /* L2's port I/O exits (unconditional I/O exiting in vmcs0) */
	bool many_vmcs;               /* L1 may make a VMCS other than vmcs0 current */
	uint32_t errcode_vectors[8];  /* bitmap: vectors that may arrive with an error code */

	/* What the emitters found they need (emit_*.c). */
	bool uses_vapic, uses_apic_access;
	uint64_t vapic_addr, apic_access_addr;  /* vmxsim's value, for the map */

	/* Output: the text being written, and the instruction being compiled. */
	FILE *out;
	int cur_p;
	uint32_t cur_i;
	char tmp[4][96];              /* operand strings of the instruction being written */
};

/* ---- refuse.c / refuse_insn.c ---------------------------------------- */

/* "FILE:LINE:COL: not modelled on the oracle: ..." on diag; always false. */
bool s2a_refuse(const struct s2a *c, struct scn_loc loc, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* Scenario-level refusals (L0, vCPUs, stimuli, blocks). */
bool s2a_check_scenario(struct s2a *c);
/* The analyses the other checks need, and the VMCS the L2 program starts on. */
bool s2a_check_vmcs(struct s2a *c);
/* A VMWRITE of L1: the field's rules and the translation of its value (refuse.c). */
bool s2a_check_vmwrite(struct s2a *c, const struct scn_insn *in);
/* Every instruction of both programs. */
bool s2a_check_insns(struct s2a *c);

/* The location of register `reg` among an instruction's operands (its line, else the mnemonic). */
struct scn_loc s2a_reg_loc(const struct s2a *c, const struct scn_insn *in, unsigned reg);

/* ---- values (values.c) ------------------------------------------------ */

/*
 * A VMCS field's value as an assembler expression (vmxsim addresses become
 * the case's labels and pages). False with *why set when the value has no
 * x86 counterpart.
 */
bool s2a_field_value(struct s2a *c, uint32_t encoding, uint64_t value, char *expr, size_t n, const char **why);
/* An address of program p as a label expression (`vx_p2_i3`, `vx_p2_i3+5`); false if it is no boundary. */
bool s2a_prog_addr(const struct s2a *c, int p, uint64_t addr, char *expr, size_t n);
/* A region's symbol when addr is one (rt_vmxon_region, rt_vmcs0_region, vx_region_N), else NULL. */
const char *s2a_region_symbol(const struct s2a *c, uint64_t addr, char *buf, size_t n);
/* Fields whose value the runtime owns (host state, the guest's stack, tables and paging). */
bool s2a_runtime_field(uint32_t encoding);
/* Is value the one vmcs_set_mode_defaults gives the field (the case leaves it to the runtime)? */
bool s2a_mode_default(uint32_t encoding, uint64_t value);

/* ---- emit_x86.c / emit_vmx.c / emit_tables.c / map.c ------------------ */

/* Is instruction i of program p a single x86 instruction (a work block: one per unit)? */
bool s2a_single_x86(const struct s2a *c, int p, uint32_t i);

/* One instruction of program p: its labels and its expansion, on c->out. */
void s2a_emit_insn(struct s2a *c, int p, uint32_t i);
/* The VMX instructions (emit_vmx.c); false if `in` is none. */
bool s2a_emit_vmx(struct s2a *c, const struct scn_insn *si, const struct vmx_insn *in);

/* Output helpers (emit_x86.c): one instruction line, and the x / e labels of the current one. */
void s2a_op(struct s2a *c, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
void s2a_at_x(struct s2a *c);
void s2a_at_e(struct s2a *c);
const char *s2a_reg64(unsigned reg);
const char *s2a_reg32(unsigned reg);
const char *s2a_reg8(unsigned reg);

/* The whole case.asm (emit_tables.c), and the map (map.c). */
bool s2a_emit_asm(struct s2a *c, FILE *out);
bool s2a_emit_map(const struct s2a *c, FILE *out);

#endif
