/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmx_not_modelled.c - refusing a VMCS that asks for a feature the model
 * lacks (vmx_controls.def status NM or no row; vmcs_fields_refused.def),
 * rather than running its guest without it.
 */
#include "vmcs/vmx_not_modelled.h"

#include "vmcs/vmx_controls.h"
#include "vmcs/x86_debugreg.h"

/* The control field of each word, and what a refusal of a bit no row names says. */
static const enum vmcs_field word_field[VMX_CTL_WORD_COUNT] = {
    [VMX_CTL_PIN] = PIN_BASED_VM_EXEC_CONTROL,
    [VMX_CTL_PROC] = CPU_BASED_VM_EXEC_CONTROL,
    [VMX_CTL_PROC2] = SECONDARY_VM_EXEC_CONTROL,
    [VMX_CTL_EXIT] = VM_EXIT_CONTROLS,
    [VMX_CTL_ENTRY] = VM_ENTRY_CONTROLS,
};

#define UNNAMED_BITS(w)                                                                                     \
	{w " control bit 0", w " control bit 1", w " control bit 2", w " control bit 3", w " control bit 4",   \
	 w " control bit 5", w " control bit 6", w " control bit 7", w " control bit 8", w " control bit 9",   \
	 w " control bit 10", w " control bit 11", w " control bit 12", w " control bit 13",                   \
	 w " control bit 14", w " control bit 15", w " control bit 16", w " control bit 17",                   \
	 w " control bit 18", w " control bit 19", w " control bit 20", w " control bit 21",                   \
	 w " control bit 22", w " control bit 23", w " control bit 24", w " control bit 25",                   \
	 w " control bit 26", w " control bit 27", w " control bit 28", w " control bit 29",                   \
	 w " control bit 30", w " control bit 31"}

static const char *const unnamed[VMX_CTL_WORD_COUNT][32] = {
    [VMX_CTL_PIN] = UNNAMED_BITS("PIN_BASED_VM_EXEC_CONTROL"),
    [VMX_CTL_PROC] = UNNAMED_BITS("CPU_BASED_VM_EXEC_CONTROL"),
    [VMX_CTL_PROC2] = UNNAMED_BITS("SECONDARY_VM_EXEC_CONTROL"),
    [VMX_CTL_EXIT] = UNNAMED_BITS("VM_EXIT_CONTROLS"),
    [VMX_CTL_ENTRY] = UNNAMED_BITS("VM_ENTRY_CONTROLS"),
};

struct refused_field {
	enum vmcs_field field;
	const char *what;
};

static const struct refused_field refused_fields[] = {
#define VMCS_REFUSED(f, feature, why) {f, feature " (" #f " is not 0: " why ")"},
#include "vmcs/vmcs_fields_refused.def"
#undef VMCS_REFUSED
};

/* The bits of word w that v sets (0 for the secondary controls unless activated). */
static uint32_t word_value(const struct vmcs *v, enum vmx_control_word w)
{
	if (w == VMX_CTL_PROC2 && !(vmcs_get32(v, CPU_BASED_VM_EXEC_CONTROL) & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS))
		return 0;
	return vmcs_get32(v, word_field[w]);
}

static const char *control_not_modelled(enum vmx_control_word w, unsigned bit)
{
	switch (vmx_control_bit_status(w, bit)) {
	case VMX_CTL_UNNAMED:
		return unnamed[w][bit];
	case VMX_CTL_NM:
		return vmx_control_row(w, bit)->refusal;
	default:
		return NULL;
	}
}

const char *vmx_vmcs_not_modelled(const struct vmcs *v, const struct vmx_caps *caps, enum vmcs_field *field)
{
	for (int w = 0; w < VMX_CTL_WORD_COUNT; w++) {
		uint32_t set = word_value(v, (enum vmx_control_word)w);

		if (caps)
			set &= vmx_allowed1(vmx_caps_for_word(caps, (enum vmx_control_word)w));
		for (unsigned bit = 0; set; bit++, set >>= 1) {
			const char *what = (set & 1u) ? control_not_modelled((enum vmx_control_word)w, bit) : NULL;

			if (what) {
				*field = word_field[w];
				return what;
			}
		}
	}
	/*
	 * Unrestricted guest with CR0.PE = 0 is a real-mode guest (the entry's R7
	 * check treats it as one); the model delivers its events as in IA-32e
	 * mode, never through the IVT.
	 */
	if ((word_value(v, VMX_CTL_PROC2) & SECONDARY_EXEC_UNRESTRICTED_GUEST) && !(vmcs_get(v, GUEST_CR0) & 1u)) {
		*field = GUEST_CR0;
		return "real-address mode (GUEST_CR0.PE = 0 under unrestricted guest: its events would go through the "
		       "real-mode IVT; the VM-entry checks on it are modelled)";
	}
	/*
	 * IA32_DEBUGCTL as the entry loads it: TR with BTS stores a record of
	 * every branch to the DS save area (SDM Vol. 3B "Branch Trace Store"),
	 * memory the model does not keep. BTF is modelled (model/hw/debug.c);
	 * the other bits have no effect the programs can see (x86_debugreg.h).
	 */
	if ((word_value(v, VMX_CTL_ENTRY) & VM_ENTRY_LOAD_DEBUG_CONTROLS) &&
	    (vmcs_get(v, GUEST_IA32_DEBUGCTL) & (DEBUGCTL_TR | DEBUGCTL_BTS)) == (DEBUGCTL_TR | DEBUGCTL_BTS)) {
		*field = GUEST_IA32_DEBUGCTL;
		return "branch trace store (GUEST_IA32_DEBUGCTL.TR and BTS, bits 6 and 7, loaded by the debug controls: "
		       "the processor would store branch records to the DS save area, memory the model does not keep)";
	}
	for (size_t i = 0; i < sizeof(refused_fields) / sizeof(refused_fields[0]); i++)
		if (vmcs_get(v, refused_fields[i].field)) {
			*field = refused_fields[i].field;
			return refused_fields[i].what;
		}
	return NULL;
}
