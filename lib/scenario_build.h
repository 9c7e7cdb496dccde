/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scenario_build.h - what turning a scenario into a machine description
 * shares between its files (scenario_run.c, scenario_stim.c). Internal.
 */
#ifndef VMXSIM_SCENARIO_BUILD_H
#define VMXSIM_SCENARIO_BUILD_H

#include <stdbool.h>
#include <stdio.h>

#include "front/scenario.h"
#include "lib/scenario_run.h"
#include "model/machine/machine.h"

/* Everything allocated for one run. */
struct build {
	const struct scn_scenario *s;
	const struct run_point *point; /* exploration: the values of s->vars, or NULL */
	FILE *diag;
	struct machine_config cfg;
	struct machine_guest *guests;
	struct vmx_insn **insns;
	struct machine_gate **gates;
	struct vmcs_write **vmcs;
	struct msr_bitmap_bit **msrs;
	struct machine_region **regions;
	struct machine_stimulus *stim;
	uint32_t *stim_index;    /* s->stimuli[i] is cfg.stim[stim_index[i]]; UINT32_MAX: left out */
	struct l0_switch *switches;
};

/* A located message on the run's diagnostics ("file:line:col: ..."); always false. */
bool build_located(struct build *b, struct scn_loc loc, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* The machine description of b->s (b->s, b->diag, b->point set); false after a located message. build_free() releases it. */
bool build(struct build *b);
void build_free(struct build *b);

/* A time in cycles at the CPU's TSC frequency; a located error if it does not fit. */
bool build_cycles(struct build *b, struct scn_time t, struct scn_loc loc, uint64_t *out);

/*
 * The address of the instruction at `label` in the guest program of level
 * (L1 or L2) on cpu, as build() laid it out; with `end`, a label past the
 * last instruction names where the program ends. False when there is none.
 */
bool build_label_address(const struct build *b, enum scn_level level, uint32_t cpu, const char *label, bool end,
                         uint64_t *addr);

/* scenario_stim.c: the stimuli with their triggers, and what no L0 may receive. */
bool build_stimuli(struct build *b);
bool check_l0_pin_signals(struct build *b);
bool check_l0_vapic_stores(struct build *b);

#endif
