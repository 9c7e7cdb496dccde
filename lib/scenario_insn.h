/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scenario_insn.h - a scenario instruction as the processor's operation
 * (scenario_insn.c). Internal to lib/.
 */
#ifndef VMXSIM_LIB_SCENARIO_INSN_H
#define VMXSIM_LIB_SCENARIO_INSN_H

#include "front/scenario.h"
#include "model/hw/guest_mem.h"

/*
 * Fill `out` from `in` of a block of `level`: everything but what needs
 * the run (a work block's length in cycles, the target exploration gives
 * a `choose`, an IPI's destination and its check), which the caller adds.
 */
void scenario_insn_operation(const struct scn_insn *in, enum scn_level level, struct vmx_insn *out);

#endif
