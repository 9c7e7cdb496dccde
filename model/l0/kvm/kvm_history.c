/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kvm_history.c - the history switches of kvm_history.def applied to one
 * vCPU's copy of its era (struct kvm_vcpu.hist): each turns the one flag
 * that stands for its commit off (before) or on (after).
 */
#include <string.h>

#include "model/l0/kvm/kvm_history.h"

bool kvm_history_switch(struct kvm_vcpu *k, const char *name, bool on)
{
#define KVM_HISTORY_FLAG(row, year, commit, subject, flag, before_l0, after_l0, before, after, broke)       \
	if (!strcmp(name, row)) {                                                                     \
		k->flag = on;                                                                         \
		return true;                                                                          \
	}
#include "model/l0/kvm/kvm_history.def"
	return false;
}
