/* SPDX-License-Identifier: Apache-2.0 */
/*
 * debugreg_insns.h - MOV to and from debug registers as the scenario front
 * end builds them, for the suites of the debug registers (breakpoints, I/O
 * breakpoints, general detect).
 */
#ifndef VMXSIM_TEST_DEBUGREG_INSNS_H
#define VMXSIM_TEST_DEBUGREG_INSNS_H

#include "hw_fixture.h"

/* MOV DRn, VALUE: through RAX, as `mov dr7 VALUE` (RAX is loaded first). */
inline vmx_insn MovToDr(uint32_t dr, uint64_t value)
{
	vmx_insn in = Op(VMX_OP_MOV_DR, dr, value);
	in.dst = in.src = VMX_REG(0u);
	return in;
}

/* MOV DRn, REG. */
inline vmx_insn MovToDrReg(uint32_t dr, uint32_t reg)
{
	vmx_insn in = Op(VMX_OP_MOV_DR, dr);
	in.src = VMX_REG(reg);
	return in;
}

/* MOV REG, DRn. */
inline vmx_insn MovFromDr(uint32_t reg, uint32_t dr)
{
	vmx_insn in = Op(VMX_OP_MOV_DR, dr | VMX_MOV_DR_FROM);
	in.dst = VMX_REG(reg);
	return in;
}

#endif
