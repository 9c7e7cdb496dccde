/* SPDX-License-Identifier: Apache-2.0 */
/*
 * replay.h - `vmxsim replay`: a real KVM trace (trace-cmd report or the
 * tracefs `trace` text) read into events per vCPU (replay_parse.c), turned
 * into a scenario that drives the model with the trace's arrivals and the
 * guest behaviour the exits reveal (replay_model.c), and the model's events
 * set beside the real ones (replay_align.c). docs/replay.md.
 */
#ifndef VMXSIM_CLI_REPLAY_H
#define VMXSIM_CLI_REPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* The tracepoints replay reads; every other event of the trace is skipped. */
enum rp_kind {
	RP_EXIT,         /* kvm_exit */
	RP_ENTRY,        /* kvm_entry */
	RP_INJ_VIRQ,     /* kvm_inj_virq */
	RP_INJ_NMI,      /* kvm_inj_nmi */
	RP_INJ_EXC,      /* kvm_inj_exception */
	RP_ACCEPT_IRQ,   /* kvm_apic_accept_irq: an interrupt became pending at the local APIC */
	RP_EOI,          /* kvm_eoi */
	RP_NESTED_EXIT,  /* kvm_nested_vmexit: the exit came from L2 */
	RP_USERSPACE,    /* kvm_userspace_exit */
};

#define RP_NO_VCPU UINT32_MAX
#define RP_NO_REASON UINT32_MAX

struct rp_event {
	enum rp_kind kind;
	unsigned line;           /* where it starts in the file (1-based) */
	uint64_t ns;             /* the timestamp, in nanoseconds */
	uint32_t vcpu;           /* RP_NO_VCPU until known */
	uint32_t thread;         /* index of its task-pid (the vCPU thread) */
	uint32_t reason;         /* RP_EXIT, RP_NESTED_EXIT: the basic exit reason */
	uint64_t qual;           /* RP_EXIT: info / info1 (the exit qualification) */
	uint64_t info2;          /* RP_EXIT: the old layout's second word, or the new layout's info2 */
	uint64_t intr_info;      /* RP_EXIT: the new layout's intr_info; the old layout's second word for
	                            EXCEPTION_NMI and EXTERNAL_INTERRUPT */
	uint64_t vectoring;      /* RP_EXIT: the event being delivered when the exit came (IDT-vectoring) */
	uint32_t vector;         /* injections, RP_ACCEPT_IRQ, RP_EOI */
	bool reinjected;         /* an injection marked [reinjected] */
	bool soft;               /* kvm_inj_virq of a software interrupt (Soft/INTn) */
	bool nmi;                /* RP_ACCEPT_IRQ of delivery mode NMI */
	bool nested;             /* RP_EXIT: a kvm_nested_vmexit of the same exit follows */
	char what[48];           /* "kvm_exit EXTERNAL_INTERRUPT", "kvm_inj_virq 0xd1", ...: for the report */
};

struct rp_trace {
	const char *path;
	struct rp_event *ev;
	size_t n, cap;
	char (*threads)[64];     /* task-pid names */
	uint32_t nthreads;
	uint32_t nvcpus;         /* 1 + the highest vCPU number */
	bool thread_guessed;     /* some thread never named its vCPU: taken as vCPU 0 */
};

/* Read the trace at path ("-": standard input). False with FILE:LINE:COL: ... on diag. */
bool rp_parse(const char *path, struct rp_trace *t, FILE *diag);
/*
 * "vmxsim replay: WHY" on standard error and exit status 2: for what
 * leaves replay nothing to go on with (out of memory), never an abort.
 */
_Noreturn void rp_fatal(const char *why);
void rp_free(struct rp_trace *t);

/* A reason's name (either spelling of INTERRUPT_WINDOW) or number; false when it is neither. */
bool rp_reason_lookup(const char *s, size_t len, uint32_t *out);
/* The exit reason's name as the model and KVM's old tables spell it ("PENDING_INTERRUPT"); NULL if unknown. */
const char *rp_reason_name(uint32_t reason);

/* What the model did, in the same vocabulary. */
struct rp_model_event {
	enum rp_kind kind;       /* RP_EXIT, RP_ENTRY, RP_INJ_VIRQ, RP_INJ_NMI, RP_INJ_EXC */
	uint64_t cycle;
	uint32_t reason, vector;
	char what[48];
};

struct rp_model_run {
	struct rp_model_event *ev;
	size_t n, cap;
	uint64_t tsc_hz;
	unsigned scaffolding;    /* exits and entries inside the replay's own interrupt handlers, left out */
};

/* One inference the replay had to make, reported with the line it rests on. */
struct rp_assumption {
	unsigned line;
	char text[160];
};

struct rp_plan {
	char *scenario;          /* the generated scenario text */
	struct rp_assumption *as;
	size_t nas, capas;
	bool *replayable;        /* per real event of the vCPU (its index in rp_trace.ev): the model can produce it */
	const char **why;        /* per real event: why not, when not */
};

struct rp_options {
	const char *l0;          /* "kvm-modern" */
	const char *cpu;         /* "nehalem" */
	bool show_scenario;      /* print the generated scenario before the report */
};

/* The scenario for vCPU vcpu of t, what of the trace it can reproduce, and its assumptions. */
void rp_plan_build(const struct rp_trace *t, uint32_t vcpu, const struct rp_options *o, uint64_t tsc_hz,
                   struct rp_plan *plan);
/* Plan and run vCPU vcpu of t; false (message on diag) when the model cannot be run. */
bool rp_model(const struct rp_trace *t, uint32_t vcpu, const struct rp_options *o, struct rp_plan *plan,
              struct rp_model_run *run, FILE *diag);
void rp_plan_free(struct rp_plan *p);
void rp_model_run_free(struct rp_model_run *r);

/* Counts of one vCPU's alignment, summed for the summary. */
struct rp_tally {
	unsigned agree, differ, not_inferable, model_only;
};

/* Print the alignment of vCPU vcpu's real events with the model's run; add to tally. */
void rp_align(const struct rp_trace *t, uint32_t vcpu, const struct rp_plan *plan, const struct rp_model_run *run,
              struct rp_tally *tally, FILE *out);

#endif
