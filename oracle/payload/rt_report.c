/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rt_report.c - the report lines of case_abi.h, printed by the services the
 * glue (rt_glue.asm) runs for a compiled case. Everything prints from L1;
 * L2's records only go to memory (port I/O in L2 could exit) and are printed
 * before the report of the next VM exit.
 */
#include "rt.h"
#include "rt_vmx.h"

#define L2_RECORDS_MAX 256u
#define GPR_COUNT 16u

struct l2_record {
	uint64_t rip, mask;
	uint64_t regs[GPR_COUNT];
};

static struct l2_record l2_records[L2_RECORDS_MAX];
static uint32_t l2_nrecords, l2_dropped;

/* vmcs/x86_gprs.def order: the instruction encoding's register numbers. */
static const char *const gpr_names[GPR_COUNT] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15",
};

static const char *const insn_names[] = {
	[CASE_INSN_VMLAUNCH] = "vmlaunch", [CASE_INSN_VMRESUME] = "vmresume", [CASE_INSN_VMREAD] = "vmread",
	[CASE_INSN_VMWRITE] = "vmwrite",   [CASE_INSN_VMPTRLD] = "vmptrld",   [CASE_INSN_VMPTRST] = "vmptrst",
	[CASE_INSN_VMCLEAR] = "vmclear",   [CASE_INSN_VMXON] = "vmxon",       [CASE_INSN_VMXOFF] = "vmxoff",
	[CASE_INSN_VMCALL] = "vmcall",
};

static const char *insn_name(uint64_t kind)
{
	if (kind < sizeof(insn_names) / sizeof(insn_names[0]) && insn_names[kind])
		return insn_names[kind];
	return "unknown";
}

static void print_record(unsigned prog, uint64_t rip, uint64_t mask, const uint64_t *regs)
{
	rt_printf("BXO record prog=%u rip=0x%lx", prog, rip);
	for (unsigned i = 0; i < GPR_COUNT; i++)
		if (mask & (1ull << i))
			rt_printf(" %s=0x%lx", gpr_names[i], regs[i]);
	rt_printf("\n");
}

void rt_record_regs(const uint64_t *regs, uint64_t insn_addr, uint64_t mask)
{
	if (rt_state == 0) {
		print_record(1, insn_addr, mask, regs);
		return;
	}
	/* L2: memory only. */
	if (l2_nrecords == L2_RECORDS_MAX) {
		l2_dropped++;
		return;
	}
	struct l2_record *r = &l2_records[l2_nrecords++];
	r->rip = insn_addr;
	r->mask = mask;
	for (unsigned i = 0; i < GPR_COUNT; i++)
		r->regs[i] = regs[i];
}

static void flush_l2_records(void)
{
	for (uint32_t i = 0; i < l2_nrecords; i++)
		print_record(2, l2_records[i].rip, l2_records[i].mask, l2_records[i].regs);
	if (l2_dropped)
		rt_printf("BXO warning records-dropped count=%u\n", l2_dropped);
	l2_nrecords = 0;
	l2_dropped = 0;
}

void rt_entering(const uint8_t *insn, uint64_t host_rsp)
{
	/* The caller's next instruction: VMLAUNCH is 0f 01 c2, VMRESUME 0f 01 c3. */
	const char *name = "unknown";
	if (insn[0] == 0x0f && insn[1] == 0x01 && insn[2] == 0xc2)
		name = "vmlaunch";
	else if (insn[0] == 0x0f && insn[1] == 0x01 && insn[2] == 0xc3)
		name = "vmresume";
	rt_printf("BXO vmentry insn=%s rip=0x%lx\n", name, vmx_read(VMCS_GUEST_RIP));
	/* Without a current VMCS this fails as the entry will: VMfailInvalid, reported then. */
	(void)vmx_write(VMCS_HOST_RSP, host_rsp);
}

/* SDM Vol. 3C 31.2: CF = VMfailInvalid, ZF = VMfailValid with the error in the current VMCS. */
static int report_vmfail(uint64_t insn_addr, uint64_t kind, uint64_t rflags)
{
	if (rflags & RFLAGS_CF)
		rt_printf("BXO vmfail insn=%s kind=invalid rip=0x%lx\n", insn_name(kind), insn_addr);
	else if (rflags & RFLAGS_ZF)
		rt_printf("BXO vmfail insn=%s kind=valid error=%lu rip=0x%lx\n", insn_name(kind),
		          vmx_read(VMCS_VM_INSTRUCTION_ERROR), insn_addr);
	else
		return 0;
	return 1;
}

void rt_entry_fail(uint64_t insn_addr, uint64_t kind, uint64_t rflags)
{
	if (!report_vmfail(insn_addr, kind, rflags))
		rt_printf("BXO warning vmentry-fell-through rip=0x%lx\n", insn_addr);
}

void rt_vmx_fail(uint64_t insn_addr, uint64_t kind, uint64_t rflags) { (void)report_vmfail(insn_addr, kind, rflags); }

void rt_exited(void)
{
	flush_l2_records();
	rt_printf("BXO vmexit reason=0x%08x qual=0x%lx intr_info=0x%08x intr_ec=0x%lx idt_info=0x%08x idt_ec=0x%lx "
	          "insn_len=%lu rip=0x%lx intr_state=0x%lx activity=%lu\n",
	          (unsigned)vmx_read(VMCS_EXIT_REASON), vmx_read(VMCS_EXIT_QUALIFICATION),
	          (unsigned)vmx_read(VMCS_EXIT_INTR_INFO), vmx_read(VMCS_EXIT_INTR_ERROR_CODE),
	          (unsigned)vmx_read(VMCS_IDT_VECTORING_INFO), vmx_read(VMCS_IDT_VECTORING_ERROR_CODE),
	          vmx_read(VMCS_EXIT_INSTRUCTION_LEN), vmx_read(VMCS_GUEST_RIP), vmx_read(VMCS_GUEST_INTERRUPTIBILITY),
	          vmx_read(VMCS_GUEST_ACTIVITY_STATE));
	if (!rt_l1_exit_handler) {
		rt_printf("BXO error no-exit-handler\n");
		rt_end();
	}
}

_Noreturn void rt_hlt_reached(uint64_t insn_addr)
{
	rt_printf("BXO l1-hlt rip=0x%lx\n", insn_addr);
	rt_end();
}

/* frame: vector, error code (0 when the exception has none), then the CPU's RIP CS RFLAGS RSP SS. */
_Noreturn void rt_l1_exception(const uint64_t *frame)
{
	rt_printf("BXO l1-exception vector=%lu errcode=0x%lx rip=0x%lx\n", frame[0], frame[1], frame[2]);
	rt_end();
}
