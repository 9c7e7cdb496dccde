/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmx_not_modelled.h - the first thing a VMCS asks for that the model lacks:
 * a control bit vmx_controls.def marks NM or does not name, or a field of
 * vmcs_fields_refused.def that is not 0.
 */
#ifndef VMXSIM_VMX_NOT_MODELLED_H
#define VMXSIM_VMX_NOT_MODELLED_H

#include "vmcs/vmcs.h"
#include "vmcs/vmx_caps.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * What v asks for that the model lacks, as the text after "not modelled: "
 * (a string that lives as long as the program), and the field that asks
 * (*field); NULL if nothing. The secondary controls count only with
 * "activate secondary controls" (SDM 25.6.2). With caps, only control bits
 * the capability MSRs allow are looked at: a bit they deny fails the
 * entry's control checks first (for a caller that runs no entry);
 * callers after a successful entry pass NULL.
 */
const char *vmx_vmcs_not_modelled(const struct vmcs *v, const struct vmx_caps *caps, enum vmcs_field *field);

#ifdef __cplusplus
}
#endif
#endif
