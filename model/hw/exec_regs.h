/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec_regs.h - register instructions and VMX-instruction flags (see
 * exec_regs.c). Internal to the processor model.
 */
#ifndef VMXSIM_EXEC_REGS_H
#define VMXSIM_EXEC_REGS_H

#include "model/hw/lp_internal.h"

/* The source operand: its register, or the immediate arg2. */
uint64_t lp_source(const struct vmx_lp *lp, const struct vmx_insn *in);

/* MOV, ADD, SUB, AND, OR, XOR, SHL, SHR, INC, DEC, CMP, TEST on the program's registers and RFLAGS. */
void lp_exec_register(struct vmx_lp *lp, const struct vmx_insn *in);

/* RFLAGS after a VMX instruction: VMsucceed clears CF, PF, AF, ZF, SF, OF; a VMfail sets CF or ZF. */
void lp_vmx_result(struct vmx_lp *lp, enum vmx_insn_status s);

#endif
