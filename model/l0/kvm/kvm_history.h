/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kvm_history.h - KVM's event-injection history as switches: one per row
 * of the reference's history table (H-S*, H-N*) whose change the model
 * has. `-H-N13` puts the era before that commit, `+H-N13` after it. The
 * rows, reproduced or not, are in kvm_history.def; docs/kvm-history.md is
 * generated from it.
 */
#ifndef VMXSIM_KVM_HISTORY_H
#define VMXSIM_KVM_HISTORY_H

#include "model/l0/kvm/kvm.h"

/* The switch descriptions of the rows with their own switch, for kvm_switches[]. */
#define KVM_HISTORY_SWITCH_DESC(row, year, commit, flag)                                                    \
	{row, "history: " year ", commit " commit " (-" row ": before it, +" row ": after it)"},

/* Apply the history switch `name` (on: after the commit). False if no row is called so. */
bool kvm_history_switch(struct kvm_vcpu *k, const char *name, bool on);

#endif
