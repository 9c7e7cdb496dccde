/* SPDX-License-Identifier: Apache-2.0 */
/*
 * replay_run.c - the scenario replay_model.c planned, run on the model, and
 * its events in the vocabulary of KVM's tracepoints: exits and entries of
 * the guest, and the hypervisor's injections. The exits and entries inside
 * the replay's own interrupt handler (its EOI) are the replay's scaffolding,
 * not the guest's, and are counted apart.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#include "cli/replay.h"
#include "vmxsim/vmxsim.h"

struct watch {
	struct rp_model_run *run;
	bool in_handler;
	bool launched;
};

static void model_push(struct rp_model_run *r, enum rp_kind kind, uint64_t cycle, uint32_t reason, uint32_t vector)
{
	struct rp_model_event *m;
	const char *name;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->ev = realloc(r->ev, r->cap * sizeof(*r->ev));
		if (!r->ev)
			rp_fatal("out of memory");
	}
	m = &r->ev[r->n++];
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->cycle = cycle;
	m->reason = reason;
	m->vector = vector;
	switch (kind) {
	case RP_EXIT:
		name = rp_reason_name(reason);
		snprintf(m->what, sizeof(m->what), "kvm_exit %s", name ? name : "?");
		break;
	case RP_ENTRY: snprintf(m->what, sizeof(m->what), "kvm_entry"); break;
	case RP_INJ_VIRQ: snprintf(m->what, sizeof(m->what), "kvm_inj_virq 0x%x", vector); break;
	case RP_INJ_NMI: snprintf(m->what, sizeof(m->what), "kvm_inj_nmi"); break;
	default: snprintf(m->what, sizeof(m->what), "kvm_inj_exception %u", vector); break;
	}
}

static void on_event(void *ctx, const struct vmxsim_event *ev)
{
	struct watch *w = ctx;
	uint64_t u = 0, v = 0;
	char buf[64];
	const char *type;

	if (!strcmp(ev->kind, "deliver") && ev->level == 1) {
		w->in_handler = true;
	} else if (!strcmp(ev->kind, "iret") && ev->level == 1) {
		w->in_handler = false;
	} else if (!strcmp(ev->kind, "vmexit") && ev->level == 1) {
		if (w->in_handler) {
			w->run->scaffolding++;
			return;
		}
		uint32_t reason = RP_NO_REASON;
		const char *name = vmxsim_event_field(ev, "reason", buf, sizeof(buf));
		if (vmxsim_event_uint(ev, "reason", &u))
			reason = (uint32_t)(u & 0xffff);
		else if (name)
			rp_reason_lookup(name, strlen(name), &reason);
		model_push(w->run, RP_EXIT, ev->cycle, reason, 0);
	} else if (!strcmp(ev->kind, "vmentry") && ev->level == 1) {
		if (!w->launched) {
			w->launched = true; /* the replay's VMLAUNCH: the trace starts with the guest running */
			return;
		}
		if (w->in_handler && !vmxsim_event_field(ev, "inject", buf, sizeof(buf))) {
			w->run->scaffolding++;
			return;
		}
		model_push(w->run, RP_ENTRY, ev->cycle, 0, 0);
	} else if (!strcmp(ev->kind, "inject")) {
		type = vmxsim_event_field(ev, "type", buf, sizeof(buf));
		vmxsim_event_uint(ev, "vector", &v);
		if (type && !strcmp(type, "nmi"))
			model_push(w->run, RP_INJ_NMI, ev->cycle, 0, 2);
		else if (type && !strcmp(type, "ext-intr"))
			model_push(w->run, RP_INJ_VIRQ, ev->cycle, 0, (uint32_t)v);
		else
			model_push(w->run, RP_INJ_EXC, ev->cycle, 0, (uint32_t)v);
	}
}

/* The TSC frequency of the CPU model, from a scenario that only names it. */
static uint64_t tsc_hz(const struct rp_options *o, FILE *diag)
{
	char text[256];
	struct vmxsim_error err;
	struct vmxsim_scenario *s;
	struct vmxsim_run_options ro = {0};
	struct vmxsim_session *ss;
	uint64_t hz = 0;

	snprintf(text, sizeof(text), "cpu %s\nl0 %s\nguest L1\nmain: hlt\nrun 1\n", o->cpu, o->l0);
	s = vmxsim_scenario_parse(text, strlen(text), "replay", &err);
	if (!s) {
		fprintf(diag, "vmxsim replay: --cpu %s, --l0 %s: %s\n", o->cpu, o->l0, err.text);
		return 0;
	}
	ro.diag = diag;
	ss = vmxsim_session_open(s, &ro, 0);
	if (ss) {
		hz = vmxsim_session_tsc_hz(ss);
		vmxsim_session_close(ss, NULL);
	}
	vmxsim_scenario_free(s);
	return hz;
}

void rp_model_run_free(struct rp_model_run *r)
{
	free(r->ev);
	memset(r, 0, sizeof(*r));
}

bool rp_model(const struct rp_trace *t, uint32_t vcpu, const struct rp_options *o, struct rp_plan *plan,
              struct rp_model_run *run, FILE *diag)
{
	struct vmxsim_error err;
	struct vmxsim_scenario *s;
	struct vmxsim_run_options ro = {0};
	struct vmxsim_session *ss;
	struct watch w = {run, false, false};
	char name[64];

	memset(plan, 0, sizeof(*plan));
	memset(run, 0, sizeof(*run));
	run->tsc_hz = tsc_hz(o, diag);
	if (!run->tsc_hz)
		return false;
	rp_plan_build(t, vcpu, o, run->tsc_hz, plan);
	snprintf(name, sizeof(name), "replay-vcpu%u.scn", vcpu);
	s = vmxsim_scenario_parse(plan->scenario, strlen(plan->scenario), name, &err);
	if (!s) {
		fprintf(diag, "vmxsim replay: the generated scenario does not parse (a bug of replay): %s\n%s",
		        err.text, plan->scenario);
		return false;
	}
	ro.diag = diag;
	ss = vmxsim_session_open(s, &ro, 0);
	if (!ss) {
		vmxsim_scenario_free(s);
		return false;
	}
	vmxsim_session_watch(ss, on_event, &w);
	vmxsim_session_close(ss, NULL);
	vmxsim_scenario_free(s);
	return true;
}

