/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmcs.h - one VMCS region: its launch state and field values, VMREAD and
 * VMWRITE as software executes them, and unchecked accessors for the
 * processor model itself.
 */
#ifndef VMXSIM_VMCS_H
#define VMXSIM_VMCS_H

#include <stdbool.h>
#include <stdint.h>

#include "vmcs/virtual_apic.h"
#include "vmcs/vmcs_field.h"
#include "vmcs/vmx_caps.h"
#include "vmcs/vmx_insn_error.h"

#ifdef __cplusplus
extern "C" {
#endif

enum vmcs_launch_state {
	VMCS_CLEAR = 0,     /* after VMCLEAR: VMLAUNCH allowed */
	VMCS_LAUNCHED = 1,  /* after a successful VMLAUNCH: VMRESUME allowed */
};

struct vmx_guest_mem;   /* model/hw/guest_mem.h */
struct msr_bitmap;      /* vmcs/msr_bitmap.h */

/*
 * Where the hypervisors of the model keep the MSR-bitmap page of a VMCS
 * they set up (MSR_BITMAP): 4-KByte aligned, below every model's
 * physical-address width (26.2.1.1).
 */
#define VMCS_MSR_BITMAP_DEFAULT 0x200000ull

/*
 * The control registers and IA32_EFER of a 64-bit hypervisor and its
 * 64-bit guest, as a VMCS set up by one holds them: PE, NE and PG (the
 * bits IA32_VMX_CR0_FIXED0 names), PAE and VMXE (IA32_VMX_CR4_FIXED0),
 * LME and LMA. They pass the VM-entry checks on host and guest control
 * registers and IA32_EFER (26.2.2, 26.2.4, 26.3.1.1) on every CPU model,
 * with or without the IA-32e mode guest, host address-space size and
 * load IA32_EFER controls.
 */
#define VMCS_CR0_DEFAULT (X86_CR0_PE | X86_CR0_NE | X86_CR0_PG)
#define VMCS_CR4_DEFAULT (X86_CR4_PAE | X86_CR4_VMXE)
#define VMCS_EFER_DEFAULT (EFER_LME | EFER_LMA)
/*
 * The host CS and TR selectors a VMCS starts with: entries 2 and 8 of the
 * host's GDT with RPL 0 and TI 0, so that the host-selector checks pass
 * (26.2.3: CS and TR not 0). The other host selectors start at 0, which a
 * 64-bit host allows.
 */
#define VMCS_HOST_CS_SELECTOR_DEFAULT 0x10u
#define VMCS_HOST_TR_SELECTOR_DEFAULT 0x40u
/*
 * The EPT pointer a VMCS starts with: write-back paging structures, a
 * page-walk length of 4, no accessed/dirty flags, at VMCS_EPT_PML4_DEFAULT
 * - valid on every model with EPT (26.2.1.1); its VPID is 1 (not 0).
 */
#define VMCS_EPT_PML4_DEFAULT 0x300000ull
#define VMCS_EPT_POINTER_DEFAULT (VMCS_EPT_PML4_DEFAULT | VMX_EPTP_PWL_4 | VMX_EPTP_MT_WB)
#define VMCS_VPID_DEFAULT 1u

struct vmcs {
	uint32_t revision_id;                 /* VMCS revision identifier */
	enum vmcs_launch_state launch_state;  /* SDM "VMCS launch state" */
	uint64_t field[VMCS_FIELD_COUNT];     /* values by dense index */
	/*
	 * Model-only: the guest memory this VMCS runs (program text, IDT,
	 * stack). It stands for the EPT pointer, CR3 and RSP of a real VMCS,
	 * which the model does not translate.
	 */
	struct vmx_guest_mem *guest;
	/*
	 * Model-only: the virtual-APIC page at VIRTUAL_APIC_PAGE_ADDR (SDM Vol.
	 * 3C 30.1.1) and the posted-interrupt descriptor at
	 * POSTED_INTR_DESC_ADDR (30.6). Both are memory of the hypervisor that
	 * set up this VMCS, which the processor reads and writes while the
	 * guest runs. The model keeps no memory, so the registers of those
	 * pages that the processor uses live here, one page and one descriptor
	 * per VMCS (as KVM gives every vCPU its own): with "use TPR shadow" a
	 * MOV to CR8 writes VTPR (30.3); virtual-interrupt delivery works on
	 * VIRR, VISR and VPPR (30.2); posting sets PIR and ON. The addresses
	 * themselves are only entry-checked (R5, 26.2.1.1). A root program
	 * stores to them with `vapic-*` and `pi-post`.
	 */
	struct virtual_apic_page vapic;
	struct posted_intr_desc pi_desc;
	/*
	 * Model-only: the page at MSR_BITMAP, which the processor reads for
	 * RDMSR and WRMSR when "use MSR bitmaps" is 1. The hypervisor that set
	 * up the VMCS owns it; NULL stands for an address with no memory behind
	 * it, which reads as all ones (every MSR exits).
	 */
	const struct msr_bitmap *msr_bitmap;
	/*
	 * Model-only: the physical address of the region, for the VMX
	 * instructions of programs (VMPTRLD, VMCLEAR, VMXON find a region by
	 * it, VMPTRST stores it). 0 for the VMCSs of an L0 written in C,
	 * which names them by pointer. Like `guest`, set after vmcs_setup().
	 */
	uint64_t addr;
};

/* One field and its value, as a hypervisor writes it while setting up a VMCS. */
struct vmcs_write {
	uint32_t encoding;
	uint64_t value;
};

/*
 * The 64-bit host and guest of the model in VMCS v: guest and host CR0,
 * CR4 and IA32_EFER (VMCS_CR0_DEFAULT, ...), the host CS and TR selectors,
 * the EPT pointer and the VPID.
 */
void vmcs_set_mode_defaults(struct vmcs *v);

/*
 * A VMCS as a hypervisor sets it up for its guest: cleared; the given
 * pin-based, primary processor-based and VM-exit controls; a VMCS link
 * pointer of all ones; RFLAGS 0x2; GUEST_RIP and HOST_RIP; MSR_BITMAP at
 * VMCS_MSR_BITMAP_DEFAULT (the page itself is the caller's); guest and
 * host CR0, CR4 and IA32_EFER of 64-bit mode (VMCS_CR0_DEFAULT, ...), the
 * host CS and TR selectors; the EPT pointer and VPID that pass the entry
 * checks; then `writes`
 * in order; then the must-be-1 bits of each control word from the
 * capability MSRs (as KVM's adjust_vmx_controls() does): the TRUE ones
 * when the processor has them (vmx_caps_for_word()), and "host
 * address-space size": the software that sets up a VMCS in the model is
 * 64-bit code, which a VM exit must return to in 64-bit mode (26.2.4;
 * a VMWRITE that clears it later is checked at VM entry). Unknown
 * encodings in `writes` are skipped, and fields the CPU model lacks are
 * written all the same: callers validate both (lib/scenario_run.c reports
 * a `vmcs` line of either kind at its location).
 */
void vmcs_setup(struct vmcs *v, const struct vmx_caps *caps, uint32_t revision_id, uint32_t pin, uint32_t proc,
                uint32_t exit, uint64_t guest_rip, uint64_t host_rip, const struct vmcs_write *writes,
                uint32_t nwrites);

/* VMCLEAR semantics on a fresh region: all fields 0, launch state clear. */
void vmcs_clear(struct vmcs *v, uint32_t revision_id);

/*
 * VMREAD on processor m: VMX_INSN_OK, or VMXERR_UNSUPPORTED_VMCS_COMPONENT
 * (12) for an encoding that is not a field of m (malformed, unknown, or a
 * field m lacks the feature for: vmcs_field_supported()). A 64-bit field
 * read with the high-access encoding (bit 0 = 1) gives bits 63:32;
 * natural-width fields have no high access.
 */
enum vmx_insn_error vmcs_vmread(const struct vmcs *v, const struct cpu_model *m, uint32_t encoding,
                                uint64_t *value);

/*
 * VMWRITE on processor m: VMX_INSN_OK, VMXERR_UNSUPPORTED_VMCS_COMPONENT (12)
 * as for VMREAD, or VMXERR_VMWRITE_READ_ONLY_VMCS_COMPONENT (13) for an
 * exit-information field unless IA32_VMX_MISC[29] allows it (12 is checked
 * first). Values are truncated to the field's width.
 */
enum vmx_insn_error vmcs_vmwrite(struct vmcs *v, const struct cpu_model *m, uint32_t encoding,
                                 uint64_t value);

/*
 * Unchecked access by the processor model (no width or access rules).
 * Forced inline so that the field's index folds at the call site (see
 * vmcs_field_index).
 */
VMCS_ALWAYS_INLINE uint64_t vmcs_get(const struct vmcs *v, enum vmcs_field f)
{
	return v->field[vmcs_field_index(f)];
}

VMCS_ALWAYS_INLINE uint32_t vmcs_get32(const struct vmcs *v, enum vmcs_field f)
{
	return (uint32_t)v->field[vmcs_field_index(f)];
}

/*
 * Whether an exception in non-root operation exits (SDM Vol. 3C 25.2): its
 * bit of the exception bitmap; for #PF (vector 14) the bit says whether a
 * fault whose error code, ANDed with PAGE_FAULT_ERROR_CODE_MASK, equals
 * PAGE_FAULT_ERROR_CODE_MATCH exits - one that does not take the bit's
 * opposite.
 */
static inline bool vmcs_exception_exits(const struct vmcs *v, uint32_t bitmap, uint8_t vector, uint32_t error_code)
{
	bool bit = (bitmap >> (vector & 31u)) & 1u;

	if (vector != 14)
		return bit;
	return bit == ((error_code & vmcs_get32(v, PAGE_FAULT_ERROR_CODE_MASK)) ==
	               vmcs_get32(v, PAGE_FAULT_ERROR_CODE_MATCH));
}

VMCS_ALWAYS_INLINE void vmcs_set(struct vmcs *v, enum vmcs_field f, uint64_t value)
{
	v->field[vmcs_field_index(f)] = value;
}

VMCS_ALWAYS_INLINE void vmcs_set_bits(struct vmcs *v, enum vmcs_field f, uint64_t mask)
{
	v->field[vmcs_field_index(f)] |= mask;
}

VMCS_ALWAYS_INLINE void vmcs_clear_bits(struct vmcs *v, enum vmcs_field f, uint64_t mask)
{
	v->field[vmcs_field_index(f)] &= ~mask;
}

/*
 * Write "NAME (0xENC) = 0x..." lines into buf (NUL-terminated, truncated to
 * size), in table order: every field of the event path (the EV rows of
 * vmcs_fields.def), and any other field that is not 0. Returns the length it
 * would have written. The model itself sets no field outside the event
 * path, so a VMCS dumps as it did when the table had only those fields
 * unless a scenario's `vmcs` line or VMWRITE set another one.
 */
int vmcs_dump(const struct vmcs *v, char *buf, int size);

#ifdef __cplusplus
}
#endif
#endif
