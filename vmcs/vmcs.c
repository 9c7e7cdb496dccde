/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmcs.c - VMCLEAR, VMREAD and VMWRITE on a modelled VMCS region.
 */
#include "vmcs/vmcs.h"

#include <stdio.h>
#include <string.h>

#include "vmcs/cpu_model.h"

void vmcs_clear(struct vmcs *v, uint32_t revision_id)
{
	memset(v, 0, sizeof(*v));
	v->revision_id = revision_id;
	v->launch_state = VMCS_CLEAR;
}

void vmcs_set_mode_defaults(struct vmcs *v)
{
	vmcs_set(v, GUEST_CR0, VMCS_CR0_DEFAULT);
	vmcs_set(v, GUEST_CR4, VMCS_CR4_DEFAULT);
	vmcs_set(v, GUEST_IA32_EFER, VMCS_EFER_DEFAULT);
	vmcs_set(v, HOST_CR0, VMCS_CR0_DEFAULT);
	vmcs_set(v, HOST_CR4, VMCS_CR4_DEFAULT);
	vmcs_set(v, HOST_IA32_EFER, VMCS_EFER_DEFAULT);
	vmcs_set(v, HOST_CS_SELECTOR, VMCS_HOST_CS_SELECTOR_DEFAULT);
	vmcs_set(v, HOST_TR_SELECTOR, VMCS_HOST_TR_SELECTOR_DEFAULT);
	vmcs_set(v, EPT_POINTER, VMCS_EPT_POINTER_DEFAULT);
	vmcs_set(v, VIRTUAL_PROCESSOR_ID, VMCS_VPID_DEFAULT);
}

void vmcs_setup(struct vmcs *v, const struct vmx_caps *caps, uint32_t revision_id, uint32_t pin, uint32_t proc,
                uint32_t exit, uint64_t guest_rip, uint64_t host_rip, const struct vmcs_write *writes,
                uint32_t nwrites)
{
	vmcs_clear(v, revision_id);
	vmcs_set(v, PIN_BASED_VM_EXEC_CONTROL, pin);
	vmcs_set(v, CPU_BASED_VM_EXEC_CONTROL, proc);
	vmcs_set(v, VM_EXIT_CONTROLS, exit);
	vmcs_set(v, VMCS_LINK_POINTER, ~0ull);
	vmcs_set(v, GUEST_RFLAGS, 0x2);
	vmcs_set(v, GUEST_RIP, guest_rip);
	vmcs_set(v, HOST_RIP, host_rip);
	vmcs_set(v, MSR_BITMAP, VMCS_MSR_BITMAP_DEFAULT);
	vmcs_set_mode_defaults(v);
	for (uint32_t i = 0; i < nwrites; i++) {
		int idx = vmcs_field_lookup(writes[i].encoding);
		if (idx >= 0)
			v->field[idx] = writes[i].value;
	}
	/* The must-be-1 controls: with TRUE MSRs, CR3-load/store exiting and the debug controls are not among them. */
	vmcs_set_bits(v, PIN_BASED_VM_EXEC_CONTROL, vmx_allowed0(vmx_caps_for_word(caps, VMX_CTL_PIN)));
	vmcs_set_bits(v, CPU_BASED_VM_EXEC_CONTROL, vmx_allowed0(vmx_caps_for_word(caps, VMX_CTL_PROC)));
	vmcs_set_bits(v, VM_EXIT_CONTROLS,
	              vmx_allowed0(vmx_caps_for_word(caps, VMX_CTL_EXIT)) | VM_EXIT_HOST_ADDR_SPACE_SIZE);
	vmcs_set_bits(v, VM_ENTRY_CONTROLS, vmx_allowed0(vmx_caps_for_word(caps, VMX_CTL_ENTRY)));
}

/*
 * Resolve an encoding as VMREAD/VMWRITE see it: the field's dense index, and
 * whether the high half of a 64-bit field is addressed.
 */
static int resolve(uint32_t encoding, bool *high)
{
	*high = false;
	if (encoding & VMCS_ENC_RESERVED_MASK)
		return -1;
	if (encoding & VMCS_ENC_HIGH_ACCESS) {
		/* Only 64-bit fields have a high-access encoding. */
		if (vmcs_encoding_width(encoding) != VMCS_WIDTH_64)
			return -1;
		*high = true;
		encoding &= ~VMCS_ENC_HIGH_ACCESS;
	}
	return vmcs_field_lookup(encoding);
}

static uint64_t width_mask(enum vmcs_width w)
{
	switch (w) {
	case VMCS_WIDTH_16:
		return 0xffffull;
	case VMCS_WIDTH_32:
		return 0xffffffffull;
	case VMCS_WIDTH_64:
	case VMCS_WIDTH_NAT:
		break;
	}
	return ~0ull;
}

enum vmx_insn_error vmcs_vmread(const struct vmcs *v, const struct cpu_model *m, uint32_t encoding,
                                uint64_t *value)
{
	bool high;
	int idx = resolve(encoding, &high);

	if (!vmcs_field_supported(m, idx))
		return VMXERR_UNSUPPORTED_VMCS_COMPONENT;
	*value = high ? v->field[idx] >> 32 : v->field[idx];
	return VMX_INSN_OK;
}

enum vmx_insn_error vmcs_vmwrite(struct vmcs *v, const struct cpu_model *m, uint32_t encoding,
                                 uint64_t value)
{
	bool high;
	int idx = resolve(encoding, &high);

	if (!vmcs_field_supported(m, idx))
		return VMXERR_UNSUPPORTED_VMCS_COMPONENT;
	if (vmcs_encoding_type(encoding) == VMCS_TYPE_EXIT_INFO &&
	    !(m->caps.misc & VMX_MISC_VMWRITE_SHADOW_RO_FIELDS))
		return VMXERR_VMWRITE_READ_ONLY_VMCS_COMPONENT;
	if (high)
		v->field[idx] = (v->field[idx] & 0xffffffffull) | (value << 32);
	else if (vmcs_encoding_width(encoding) == VMCS_WIDTH_64)
		v->field[idx] = value; /* full access writes all 64 bits */
	else
		v->field[idx] = value & width_mask(vmcs_encoding_width(encoding));
	return VMX_INSN_OK;
}

int vmcs_dump(const struct vmcs *v, char *buf, int size)
{
	int len = 0;

	if (size > 0)
		buf[0] = '\0';
	for (int i = 0; i < VMCS_FIELD_COUNT; i++) {
		const struct vmcs_field_info *fi = vmcs_field_info(i);
		int room = size - len > 0 ? size - len : 0;
		int n;

		/* ~150 rows the model never touches would bury the event path. */
		if (!fi->event_path && v->field[i] == 0)
			continue;
		n = snprintf(room ? buf + len : NULL, (size_t)room, "%-30s (0x%04x) = 0x%llx\n", fi->name,
		             fi->encoding, (unsigned long long)v->field[i]);
		if (n < 0)
			return -1;
		len += n;
	}
	return len;
}
