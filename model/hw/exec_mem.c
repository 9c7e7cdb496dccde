/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec_mem.c - the instructions that access data at a linear address:
 * MOV to and from memory (`load`, `store`) and MOV SS from memory
 * (`mov-ss ADDR`), in the data area (vmcs/x86_data_area.h), and the data
 * breakpoints they hit (rules R12, R24).
 *
 * The address is an absolute one (ModRM with SIB and disp32), so every
 * access a program makes is known before it runs; one outside the data
 * area stops the processor at its instruction (not modelled). An access
 * that completes takes the data breakpoints it matches as a #DB trap after
 * the instruction (breakpoint.c lp_data_breakpoint; R24 level 4); paging
 * is not modelled, so no access faults and none causes a VM exit.
 */
#include "model/hw/exec_regs.h"

#define DATA_OUTSIDE_THE_AREA \
	"a data access outside the data area (0x40000000-0x4000003f, vmcs/x86_data_area.h) or of a size other than 1, " \
	"2, 4 or 8 bytes"

static uint8_t *area_bytes(struct vmx_lp *lp, const struct vmx_insn *in)
{
	uint64_t addr = VMX_MEM_ADDR(in->arg);
	uint32_t size = VMX_MEM_SIZE(in->arg);

	if ((size != 1 && size != 2 && size != 4 && size != 8) || !vmx_data_area_holds(addr, size))
		return NULL;
	return &lp->ctx.mem->data[addr - VMX_DATA_BASE];
}

const char *lp_data_read(struct vmx_lp *lp, const struct vmx_insn *in, uint64_t *value)
{
	const uint8_t *p = area_bytes(lp, in);
	uint32_t size = VMX_MEM_SIZE(in->arg);

	if (!p)
		return DATA_OUTSIDE_THE_AREA;
	*value = 0;
	for (uint32_t i = 0; i < size; i++)   /* little-endian, zero-extended */
		*value |= (uint64_t)p[i] << (8 * i);
	lp_data_breakpoint(lp, VMX_MEM_ADDR(in->arg), size, false);
	return NULL;
}

enum lp_step lp_exec_mem(struct vmx_lp *lp, const struct vmx_insn *in)
{
	uint32_t size = VMX_MEM_SIZE(in->arg);

	if (in->op == VMX_OP_LOAD) {
		uint64_t v = 0;
		const char *why = lp_data_read(lp, in, &v);
		if (why)
			return lp_not_modelled(lp, in, why);
		lp->ctx.mem->gpr[VMX_REG_NUM(in->dst) % X86_NGPR] = v;
	} else {
		uint8_t *p = area_bytes(lp, in);
		uint64_t v = lp_source(lp, in);
		if (!p)
			return lp_not_modelled(lp, in, DATA_OUTSIDE_THE_AREA);
		for (uint32_t i = 0; i < size; i++)   /* little-endian */
			p[i] = (uint8_t)(v >> (8 * i));
		lp_data_breakpoint(lp, VMX_MEM_ADDR(in->arg), size, true);
	}
	lp->ctx.rip = in->addr + in->len;
	lp_complete(lp, 1, lp->model.insn_cycles);
	return LP_STEP_CONTINUE;
}
