/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stat_run.c - `vmxsim stat FILE.scn`: a scenario's run feeds the table of
 * stat.c, as a recording of kvm_exit and kvm_entry feeds perf.
 *
 * KVM prints kvm_entry before every VM-entry attempt, so what ends an
 * exit's sample is the next attempt of its vCPU: a `vmentry`, a `vmfail`
 * (not one L0 emulates for L1's VMLAUNCH, which is no entry of the
 * processor's), or a `vmexit` that is a VM-entry failure (an attempt, then
 * its exit). The trace-dat writer maps the same events to the same
 * tracepoints (model/trace/kvm_tp_map.c), so `stat` of a scenario and of
 * its trace.dat print the same table.
 *
 * The run is a session without a trace (api_run.c): Ctrl-C and the
 * progress line are the session's, and an interrupted run still prints the
 * table of what ran.
 */
#include "vmxsim/stat.h"

#include <string.h>

#include "lib/api.h"
#include "lib/scenario_run.h"
#include "model/trace/sink_view.h"
#include "model/trace/trace.h"
#include "vmcs/vmx_exit_reason.h"

struct stat_feed {
	struct trace_sink base;
	struct vmxsim_stat_table *t;
	uint64_t tsc_hz;
	bool oom;
};

static void feed_emit(struct trace_sink *base, const struct trace_event *ev)
{
	struct stat_feed *f = (struct stat_feed *)base;
	uint64_t ns = sink_cycles_to_ns(ev->cycle, f->tsc_hz);
	bool ok = true;

	switch (ev->kind) {
	case TRACE_VMENTRY:
		ok = vmxsim_stat_table_entry(f->t, ev->cpu, ev->cpu, ns, ev->cycle);
		break;
	case TRACE_VMFAIL:
		if (!trace_field_u(ev, "emulated", 0))
			ok = vmxsim_stat_table_entry(f->t, ev->cpu, ev->cpu, ns, ev->cycle);
		break;
	case TRACE_VMEXIT: {
		uint32_t reason = sink_exit_reason_full(ev);
		if (reason & VMX_EXIT_REASONS_FAILED_VMENTRY)
			ok = vmxsim_stat_table_entry(f->t, ev->cpu, ev->cpu, ns, ev->cycle);
		ok = ok && vmxsim_stat_table_exit(f->t, ev->cpu, reason, ns, ev->cycle);
		break;
	}
	default:
		break;
	}
	if (!ok)
		f->oom = true;
}

VMXSIM_API enum vmxsim_status vmxsim_stat_run(const struct vmxsim_scenario *s, const struct vmxsim_stat_options *o,
                                              FILE *out, FILE *diag)
{
	struct vmxsim_stat_options defaults;
	struct vmxsim_run_options ro;
	struct vmxsim_session *ss;
	struct vmxsim_result res;
	struct stat_feed f;
	enum vmxsim_status st;

	if (!o) {
		vmxsim_stat_options_init(&defaults);
		o = &defaults;
	}
	memset(&ro, 0, sizeof(ro));
	ro.diag = diag;
	ro.interrupt = o->interrupt;
	ro.progress = o->progress;
	ss = vmxsim_session_open(s, &ro, 0);
	if (!ss)
		return VMXSIM_BAD_INPUT;
	memset(&f, 0, sizeof(f));
	f.base.emit = feed_emit;
	f.tsc_hz = vmxsim_session_tsc_hz(ss);
	f.t = vmxsim_stat_table_new(o);
	if (!f.t || !run_handle_attach(api_session_handle(ss), &f.base)) {
		fprintf(api_diag(diag), "%s: %s\n", api_scn(s)->file,
		        f.t ? "internal error: no room for the stat table on the trace bus" : "out of memory");
		vmxsim_session_close(ss, &res);
		vmxsim_stat_table_free(f.t);
		return VMXSIM_BAD_INPUT;
	}
	st = vmxsim_session_close(ss, &res);
	/* A table that out of memory left without some exits would mislead: printed as far as it goes, exit 2. */
	if (st != VMXSIM_BAD_INPUT && (!api_stat_table_print(f.t, out, diag) || f.oom))
		st = VMXSIM_BAD_INPUT;
	vmxsim_stat_table_free(f.t);
	return st;
}

VMXSIM_API enum vmxsim_status vmxsim_stat(const struct vmxsim_scenario *s, FILE *out, FILE *diag)
{
	return vmxsim_stat_run(s, NULL, out, diag);
}
