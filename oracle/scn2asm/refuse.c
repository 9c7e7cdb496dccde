/* SPDX-License-Identifier: Apache-2.0 */
/*
 * refuse.c - what of a scenario as a whole the oracle cannot run with the
 * meaning vmxsim gives it, and the facts the instruction checks need.
 *
 * The oracle boots one processor with a bare-metal hypervisor (`l0 none`)
 * and compares VM exits at instruction boundaries. Nothing in it can
 * arrive at a time: Bochs's clock is not vmxsim's, so an `at` stimulus, a
 * timer or a preemption-timer value has no instruction-boundary
 * equivalent. A self-IPI (`ipi cpu0 VECTOR`) is how a case raises an
 * interrupt at a known instruction.
 */
#include <string.h>

#include "oracle/scn2asm/scn2asm_internal.h"
#include "vmcs/vmx_controls.h"
#include "vmcs/vmx_intr_info.h"
#include "vmcs/vmx_intr_state.h"

static const char *timing_name(enum scn_timing t)
{
	return t == SCN_AT ? "at" : t == SCN_EVERY ? "every" : "on";
}

bool s2a_check_scenario(struct s2a *c)
{
	const struct scn_scenario *s = c->s;

	if (strcmp(s->l0.name, "none") != 0)
		return s2a_refuse(c, s->l0.loc, "l0 '%s': the oracle runs bare-metal scenarios ('l0 none') only",
		                  s->l0.name);
	if (s->vcpus != 1)
		return s2a_refuse(c, s->vcpus_loc, "%u vCPUs: the oracle boots one processor", s->vcpus);
	if (s->nstimuli)
		return s2a_refuse(c, s->stimuli[0].loc, "'%s' stimulus: a time has no instruction-boundary equivalent on "
		                  "Bochs (a self-IPI, 'ipi cpu0 VECTOR', raises an interrupt at an instruction)",
		                  timing_name(s->stimuli[0].timing));
	for (size_t i = 0; i < s->nguests; i++)
		if (s->guests[i].stack_unmapped)
			return s2a_refuse(c, s->guests[i].stack_unmapped_loc, "'stack-unmapped': the payload runs L2 "
			                  "without EPT, so its stack cannot be unmapped");
	return true;
}

/* ---- facts about both programs ---------------------------------------- */

/*
 * May L1 put these bits into a control word? A VMWRITE of an immediate
 * with them, or a MOV, OR, XOR or ADD of an immediate with them into a
 * register some VMWRITE of the field takes its value from (`vmread rax
 * CTL; or rax BIT; vmwrite CTL rax`). A static look, not a proof.
 */
static bool l1_immediate_has(const struct s2a *c, uint32_t field, uint64_t bits)
{
	const struct s2a_prog *p = &c->p[1];
	uint32_t sources = 0;

	for (uint32_t i = 0; i < p->count; i++) {
		const struct scn_insn *in = &p->g->insns[i];
		if (in->op == SCN_OP_VMWRITE && in->encoding == field && in->src != SCN_NO_REG)
			sources |= 1u << (unsigned)in->src;
	}
	for (uint32_t i = 0; i < p->count; i++) {
		const struct scn_insn *in = &p->g->insns[i];
		bool imm = in->src == SCN_NO_REG && !in->value_label && (in->value & bits);

		switch (in->op) {
		case SCN_OP_MOV: case SCN_OP_OR: case SCN_OP_XOR: case SCN_OP_ADD:
			if (imm && in->dst != SCN_NO_REG && (sources >> (unsigned)in->dst) & 1u)
				return true;
			break;
		case SCN_OP_VMWRITE:
			if (in->encoding == field && imm)
				return true;
			break;
		default:
			break;
		}
	}
	return false;
}

static bool l1_writes(const struct s2a *c, uint32_t field)
{
	for (uint32_t i = 0; i < c->p[1].count; i++)
		if (c->p[1].g->insns[i].op == SCN_OP_VMWRITE && c->p[1].g->insns[i].encoding == field)
			return true;
	return false;
}

static void add_errcode_vector(struct s2a *c, uint32_t info)
{
	if (intr_info_valid(info) && intr_info_has_error_code(info))
		c->errcode_vectors[intr_info_vector(info) / 32u] |= 1u << (intr_info_vector(info) % 32u);
}

/* Is the first VMX instruction of L1, in program order, a VMXON (model/machine/machine.c starts_with_vmxon)? */
static bool first_vmx_is_vmxon(const struct s2a_prog *p)
{
	for (uint32_t i = 0; i < p->count; i++) {
		enum vmx_op op = p->insn[i].op;
		if (op == VMX_OP_VMCALL || (op >= VMX_OP_VMLAUNCH && op <= VMX_OP_VMWRITE) ||
		    (op >= VMX_OP_VMXON && op <= VMX_OP_VMPTRST))
			return op == VMX_OP_VMXON;
	}
	return false;
}

/* Could a CR3-target value let a MOV to CR3 of L2 execute, loading page tables the payload does not have? */
static bool cr3_may_load(const struct s2a *c)
{
	static const uint32_t targets[] = {CR3_TARGET_VALUE0, CR3_TARGET_VALUE1, CR3_TARGET_VALUE2, CR3_TARGET_VALUE3};
	uint64_t n = vmcs_get(c->vmcs0, CR3_TARGET_COUNT);

	if (l1_writes(c, CR3_TARGET_COUNT))
		return true;
	for (uint32_t i = 0; i < 4; i++) {
		/* A value with bits 63:52 set is #GP on both sides before anything is loaded. */
		if (i < n && (vmcs_get(c->vmcs0, (enum vmcs_field)targets[i]) >> 52) == 0)
			return true;
		if (n && l1_writes(c, targets[i]))
			return true;
	}
	return false;
}

/* Does L1 make current a VMCS other than vmcs0 (VMPTRLD of another region, of a register, of a number)? */
static bool many_vmcs(const struct s2a *c)
{
	for (uint32_t i = 0; i < c->p[1].count; i++) {
		const struct scn_insn *in = &c->p[1].g->insns[i];
		bool vmcs0 = in->region ? in->region_idx == SCN_REGION_VMCS0
		                        : in->src == SCN_NO_REG && in->value == VMX_REGION_ADDR(VMX_REGION_VMCS0);
		if (in->op == SCN_OP_VMPTRLD && !vmcs0)
			return true;
	}
	return false;
}

/* ---- the VMCS the L2 program starts on -------------------------------- */

static struct scn_loc line_loc(const struct s2a *c, uint32_t encoding)
{
	const struct scn_guest *g = c->p[2].g;

	for (size_t i = 0; i < g->nvmcs; i++)
		if (g->vmcs[i].encoding == encoding)
			return g->vmcs[i].loc;
	return g->loc;
}

/* A `vmcs` line of the L2 block, or a VMWRITE of L1, of a field the payload cannot take as vmxsim means it. */
static bool field_write_ok(struct s2a *c, struct scn_loc loc, uint32_t enc, bool from_reg, uint64_t value)
{
	const char *name = vmcs_field_name(enc & ~VMCS_ENC_HIGH_ACCESS);
	int idx = vmcs_field_lookup(enc & ~VMCS_ENC_HIGH_ACCESS);

	if (!name || idx < 0)
		return true;   /* no field: VMfail 12 on both sides */
	if (enc == HOST_RIP || enc == GUEST_RIP)
		return true;   /* translated (values.c) */
	if (s2a_runtime_field(enc & ~VMCS_ENC_HIGH_ACCESS))
		return s2a_refuse(c, loc, "%s: the runtime owns the host state and L2's stack, descriptor tables and "
		                  "paging (vmxsim does not model them)", name);
	if (enc == VMX_PREEMPTION_TIMER_VALUE && c->timer_possible && (from_reg || value))
		return s2a_refuse(c, loc, "the VMX-preemption timer counts time, which has no instruction-boundary "
		                  "equivalent on Bochs (only a value of 0 is compiled)");
	/*
	 * GUEST_RFLAGS.TF and GUEST_PENDING_DBG_EXCEPTIONS are compiled:
	 * vmxsim models the R12 entry check, single-stepping and pending
	 * debug exceptions. GUEST_DR7 is compiled with L0-G3 clear (general
	 * detect runs on Bochs as on vmxsim); an enabled breakpoint is checked
	 * by Debian's Bochs only with --enable-x86-debugger.
	 */
	if ((enc & ~VMCS_ENC_HIGH_ACCESS) == GUEST_DR7 && (from_reg || (value & 0xffu)))
		return s2a_refuse(c, loc, "GUEST_DR7 %s: Debian's Bochs checks breakpoints only with "
		                  "--enable-x86-debugger (compiled are values with L0-G3 clear)",
		                  from_reg ? "from a register (it may enable a breakpoint)" : "with a breakpoint enabled");
	if (from_reg && (enc == MSR_BITMAP || enc == VIRTUAL_APIC_PAGE_ADDR || enc == APIC_ACCESS_ADDR))
		return s2a_refuse(c, loc, "%s from a register: the address cannot be translated to the payload's page",
		                  name);
	return true;
}

bool s2a_check_vmcs(struct s2a *c)
{
	const struct scn_guest *g2 = c->p[2].g;
	const struct vmcs *v = c->vmcs0;
	char expr[96];
	const char *why = NULL;

	c->starts_outside_vmx = first_vmx_is_vmxon(&c->p[1]);
	c->mtf_possible = (vmcs_get(v, CPU_BASED_VM_EXEC_CONTROL) & CPU_BASED_MONITOR_TRAP_FLAG) ||
	                  l1_immediate_has(c, CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_MONITOR_TRAP_FLAG);
	c->timer_possible = (vmcs_get(v, PIN_BASED_VM_EXEC_CONTROL) & PIN_BASED_VMX_PREEMPTION_TIMER) ||
	                    l1_immediate_has(c, PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_VMX_PREEMPTION_TIMER);
	c->io_exits = (vmcs_get(v, CPU_BASED_VM_EXEC_CONTROL) & CPU_BASED_UNCOND_IO_EXITING) != 0;
	c->many_vmcs = many_vmcs(c);
	c->cr3_may_load = cr3_may_load(c);
	/* Hardware exceptions with an error code (SDM Vol. 3A 6.13), and injected events that deliver one. */
	c->errcode_vectors[0] = 1u << 8 | 1u << 10 | 1u << 11 | 1u << 12 | 1u << 13 | 1u << 14 | 1u << 17 |
	                        1u << 21 | 1u << 29 | 1u << 30;
	add_errcode_vector(c, (uint32_t)vmcs_get(v, VM_ENTRY_INTR_INFO_FIELD));
	for (uint32_t i = 0; i < c->p[1].count; i++) {
		const struct scn_insn *in = &c->p[1].g->insns[i];
		if (in->op == SCN_OP_VMWRITE && in->encoding == VM_ENTRY_INTR_INFO_FIELD && in->src == SCN_NO_REG)
			add_errcode_vector(c, (uint32_t)in->value);
	}

	for (size_t i = 0; i < g2->nvmcs; i++) {
		const struct scn_vmcs_setup *l = &g2->vmcs[i];
		int idx = vmcs_field_lookup(l->encoding);

		if (l->encoding == HOST_RIP)
			return s2a_refuse(c, l->loc, "HOST_RIP: L1's 'exit-handler' sets it (the runtime's rt_vmexit is the "
			                  "real one)");
		if (idx >= 0 && vmcs_field_info(idx)->read_only)
			return s2a_refuse(c, l->loc, "%s is read-only on the processor: the runtime cannot write it",
			                  vmcs_field_info(idx)->name);
		if (!field_write_ok(c, l->loc, l->encoding, false, l->value))
			return false;
	}
	/* The values as the machine set them up (the lines' values after the must-be-1 bits). */
	if (!s2a_field_value(c, GUEST_RIP, vmcs_get(v, GUEST_RIP), expr, sizeof(expr), &why) ||
	    !s2a_field_value(c, HOST_RIP, vmcs_get(v, HOST_RIP), expr, sizeof(expr), &why))
		return s2a_refuse(c, line_loc(c, GUEST_RIP), "%s", why);
	if (c->timer_possible && vmcs_get(v, VMX_PREEMPTION_TIMER_VALUE) &&
	    !field_write_ok(c, line_loc(c, VMX_PREEMPTION_TIMER_VALUE), VMX_PREEMPTION_TIMER_VALUE, false,
	                    vmcs_get(v, VMX_PREEMPTION_TIMER_VALUE)))
		return false;
	return true;
}

bool s2a_check_vmwrite(struct s2a *c, const struct scn_insn *in)
{
	char expr[96];
	const char *why = NULL;
	bool from_reg = in->src != SCN_NO_REG;

	if (!field_write_ok(c, in->arg_loc, in->encoding, from_reg, in->value))
		return false;
	if (in->encoding == HOST_RIP && c->many_vmcs)
		return s2a_refuse(c, in->loc, "VMWRITE of HOST_RIP while L1 uses several VMCSs: the runtime keeps one "
		                  "exit handler (rt_l1_exit_handler), vmxsim one HOST_RIP per VMCS");
	if (in->value_label) {
		bool l2 = in->value_label_level == SCN_L2;
		if (in->encoding == GUEST_RIP && !l2)
			return s2a_refuse(c, in->value_label_loc, "GUEST_RIP at a label of L1: L2 runs its own program");
		if (in->encoding == HOST_RIP && l2)
			return s2a_refuse(c, in->value_label_loc, "HOST_RIP at a label of L2: L1 resumes in its own program");
		return true;
	}
	if (from_reg)
		return true;
	if (!s2a_field_value(c, in->encoding, in->value, expr, sizeof(expr), &why))
		return s2a_refuse(c, in->arg_loc, "%s", why);
	return true;
}

/* ---- where a register is ---------------------------------------------- */

static bool word_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
}

struct scn_loc s2a_reg_loc(const struct s2a *c, const struct scn_insn *in, unsigned reg)
{
	const char *name = s2a_reg64(reg), *line = c->text, *end;
	size_t n = strlen(name);
	uint32_t ln = 1;

	if (!c->text)
		return in->arg_loc.line ? in->arg_loc : in->loc;
	/* The instruction's line, then the register as a whole word after the mnemonic, before any comment. */
	while (ln < in->loc.line && line) {
		line = memchr(line, '\n', c->len - (size_t)(line - c->text));
		if (line)
			line++;
		ln++;
	}
	if (!line)
		return in->loc;
	end = memchr(line, '\n', c->len - (size_t)(line - c->text));
	if (!end)
		end = c->text + c->len;
	for (const char *p = line + in->loc.col; p + n <= end && *p != '#'; p++)
		if (!strncmp(p, name, n) && !word_char(p[-1]) && (p + n == end || !word_char(p[n])))
			return (struct scn_loc){in->loc.line, (uint32_t)(p - line) + 1};
	return in->loc;
}
