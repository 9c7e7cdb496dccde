/* SPDX-License-Identifier: Apache-2.0 */
/*
 * values.c - vmxsim's values as the case's: addresses in a program's own
 * address space become the labels of its x86 code, the regions of L1's
 * memory (VMX_REGION_ADDR) the payload's pages, and the pages a VMCS field
 * points at (which vmxsim keeps beside the VMCS, not in memory) pages of
 * the case.
 */
#include <inttypes.h>
#include <string.h>

#include "oracle/scn2asm/scn2asm_internal.h"

bool s2a_prog_addr(const struct s2a *c, int p, uint64_t addr, char *expr, size_t n)
{
	const struct s2a_prog *pr = &c->p[p];

	if (addr == pr->end) {
		snprintf(expr, n, "vx_p%d_end", p);
		return true;
	}
	for (uint32_t i = 0; i < pr->count; i++) {
		const struct vmx_insn *in = &pr->insn[i];
		if (addr < in->addr || addr - in->addr >= in->len)
			continue;
		if (addr == in->addr)
			snprintf(expr, n, "vx_p%d_i%u", p, i);
		else if (in->op == VMX_OP_WORK)   /* a work block is one-byte instructions: inside it, a boundary */
			snprintf(expr, n, "vx_p%d_i%u+%" PRIu64, p, i, addr - in->addr);
		else
			return false;
		return true;
	}
	return false;
}

const char *s2a_region_symbol(const struct s2a *c, uint64_t addr, char *buf, size_t n)
{
	for (uint32_t i = 0; i < c->nregions; i++) {
		if (c->regions[i].addr != addr)
			continue;
		if (i == VMX_REGION_VMXON)
			snprintf(buf, n, "rt_vmxon_region");
		else if (i == VMX_REGION_VMCS0)
			snprintf(buf, n, "rt_vmcs0_region");
		else
			snprintf(buf, n, "vx_region_%u", i - 2u);
		return buf;
	}
	return NULL;
}

/*
 * Where the payload keeps its L2 (its stack, descriptor tables, paging,
 * EFER) and every host-state field but HOST_RIP and HOST_IA32_PAT: vmxsim
 * models none of them, and a scenario's value would take the case's ground
 * away.
 */
bool s2a_runtime_field(uint32_t encoding)
{
	static const uint32_t guest[] = {
	    GUEST_RSP,        GUEST_CR3,          GUEST_CR4,        GUEST_IA32_EFER,  GUEST_CS_SELECTOR,
	    GUEST_SS_SELECTOR, GUEST_TR_SELECTOR, GUEST_TR_BASE,    GUEST_TR_LIMIT,   GUEST_GDTR_BASE,
	    GUEST_GDTR_LIMIT, GUEST_IDTR_BASE,    GUEST_IDTR_LIMIT,
	};

	/*
	 * HOST_IA32_PAT is the case's when it writes one: an invalid value fails
	 * the entry (VMfailValid 8) before any host state is loaded, a valid one
	 * the host then runs with (Bochs executes the same whatever the memory
	 * types; vmxsim has no paging).
	 */
	if (vmcs_encoding_type(encoding) == VMCS_TYPE_HOST)
		return encoding != HOST_RIP && encoding != HOST_IA32_PAT;
	for (size_t i = 0; i < sizeof(guest) / sizeof(guest[0]); i++)
		if (guest[i] == encoding)
			return true;
	return false;
}

/*
 * A field at the value vmcs_set_mode_defaults gives it: guest and host
 * CR0, CR4 and IA32_EFER of 64-bit mode and the host CS and TR selectors
 * (which the runtime writes from its own registers and GDT), the EPT
 * pointer and the VPID.
 */
bool s2a_mode_default(uint32_t encoding, uint64_t value)
{
	switch (encoding) {
	case GUEST_CR0:
	case HOST_CR0:
		return value == VMCS_CR0_DEFAULT;
	case GUEST_CR4:
	case HOST_CR4:
		return value == VMCS_CR4_DEFAULT;
	case GUEST_IA32_EFER:
	case HOST_IA32_EFER:
		return value == VMCS_EFER_DEFAULT;
	case EPT_POINTER:
		return value == VMCS_EPT_POINTER_DEFAULT;
	case VIRTUAL_PROCESSOR_ID:
		return value == VMCS_VPID_DEFAULT;
	case HOST_CS_SELECTOR:
		return value == VMCS_HOST_CS_SELECTOR_DEFAULT;
	case HOST_TR_SELECTOR:
		return value == VMCS_HOST_TR_SELECTOR_DEFAULT;
	default:
		return false;
	}
}

/* A page vmxsim points at but keeps no memory for: valid addresses become one page of the case. */
static bool page_field(struct s2a *c, uint64_t value, const char *page, bool *used, uint64_t *seen, char *expr,
                       size_t n)
{
	if (!vmx_region_pointer_valid(value, c->cpu->phys_addr_bits)) {
		snprintf(expr, n, "0x%" PRIx64, value);   /* the entry checks fail the same way on both sides */
		return true;
	}
	*used = true;
	*seen = value;
	snprintf(expr, n, "%s", page);
	return true;
}

bool s2a_field_value(struct s2a *c, uint32_t encoding, uint64_t value, char *expr, size_t n, const char **why)
{
	char sym[32];

	switch (encoding) {
	case GUEST_RIP:
		if (!s2a_prog_addr(c, 2, value, expr, n)) {
			*why = "GUEST_RIP is no instruction boundary of the guest L2 program";
			return false;
		}
		return true;
	case HOST_RIP:
		if (!s2a_prog_addr(c, 1, value, expr, n)) {
			*why = "HOST_RIP is no instruction boundary of the guest L1 program";
			return false;
		}
		return true;
	case MSR_BITMAP: {
		/* vmxsim's VMCSs point at L1's bitmap page whatever valid address they hold (machine.c). */
		bool used = false;
		uint64_t seen = 0;
		return page_field(c, value, "rt_msr_bitmap", &used, &seen, expr, n);
	}
	case VIRTUAL_APIC_PAGE_ADDR:
		/* VTPR lives beside the VMCS in vmxsim, starting at 0: a zero page of the case. */
		return page_field(c, value, "vx_virtual_apic_page", &c->uses_vapic, &c->vapic_addr, expr, n);
	case APIC_ACCESS_ADDR:
		return page_field(c, value, "vx_apic_access_page", &c->uses_apic_access, &c->apic_access_addr, expr, n);
	case VMCS_LINK_POINTER:
		if (s2a_region_symbol(c, value, sym, sizeof(sym))) {
			snprintf(expr, n, "%s", sym);
			return true;
		}
		break;
	default:
		break;
	}
	snprintf(expr, n, "0x%" PRIx64, value);
	return true;
}
