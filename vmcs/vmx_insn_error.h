/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmx_insn_error.h - VM-instruction error numbers from vmx_insn_errors.def.
 */
#ifndef VMXSIM_VMX_INSN_ERROR_H
#define VMXSIM_VMX_INSN_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

enum vmx_insn_error {
	VMX_INSN_OK = 0,   /* VMsucceed: not an SDM number, the model's "no error" */
#define VMX_INSN_ERROR(num, name, text) VMXERR_##name = num,
#include "vmcs/vmx_insn_errors.def"
#undef VMX_INSN_ERROR
};

/* The SDM's text for an error number; NULL if the number is not defined. */
const char *vmx_insn_error_text(int err);

/* The table name (without VMXERR_) for an error number; NULL if undefined. */
const char *vmx_insn_error_name(int err);

#ifdef __cplusplus
}
#endif
#endif
