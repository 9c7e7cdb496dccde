/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_run.c - vmxsim/run.h: whole runs and sessions over the scenario
 * runner (scenario_run.c), with the trace file replaced atomically and
 * watchers that see each event as a line of the text trace.
 */
#define _POSIX_C_SOURCE 200809L   /* ftello, clock_gettime */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "lib/api.h"
#include "lib/files.h"
#include "lib/scenario_run.h"
#include "model/machine/machine.h"

#define SESSION_MAX_WATCHERS 4

struct watcher {
	struct trace_sink base;      /* first: the bus hands us this */
	vmxsim_event_fn *fn;
	void *ctx;
};

struct vmxsim_session {
	struct run_handle *h;
	struct machine *m;
	FILE *diag;
	bool to_file;                /* the trace goes to af */
	bool to_stdout;              /* trace_path "-" */
	struct atomic_file af;
	struct watcher w[SESSION_MAX_WATCHERS];
	unsigned nw;
	/* Stopping early (machine_set_poll): why, and what is watched. */
	const char *file;            /* the scenario's, for messages */
	uint64_t end;                /* the run's length */
	const volatile sig_atomic_t *interrupt;
	FILE *trace;                 /* measured against max_trace_bytes when it is a file */
	uint64_t max_trace_bytes;
	bool trace_full;             /* the poll stopped the run at the size limit */
	bool progress;
	bool progress_shown;
	struct timespec started, shown;
};

static double seconds_since(const struct timespec *t0, const struct timespec *now)
{
	return (double)(now->tv_sec - t0->tv_sec) + (double)(now->tv_nsec - t0->tv_nsec) / 1e9;
}

/* Progress is wall time, outside the model: a line once the run has taken a second, then four a second. */
static void show_progress(struct vmxsim_session *ss, uint64_t now)
{
	struct timespec t;
	uint64_t end = ss->end;

	clock_gettime(CLOCK_MONOTONIC, &t);
	if (seconds_since(&ss->started, &t) < 1.0 || (ss->progress_shown && seconds_since(&ss->shown, &t) < 0.25))
		return;
	ss->shown = t;
	ss->progress_shown = true;
	fprintf(ss->diag, "\r%s: cycle %" PRIu64 " of %" PRIu64 " (%.1f%%)", ss->file, now, end,
	        end ? 100.0 * (double)now / (double)end : 100.0);
	fflush(ss->diag);
}

/* machine_poll_fn: stop on the interrupt, or when the trace file outgrew its limit. */
static bool session_poll(void *ctx, uint64_t now)
{
	struct vmxsim_session *ss = ctx;
	off_t size;

	if (ss->interrupt && *ss->interrupt)
		return true;
	/* What the writer holds until the end (ftrace, trace-dat) counts as written. */
	if (ss->trace && ss->max_trace_bytes != UINT64_MAX && (size = ftello(ss->trace)) >= 0 &&
	    (uint64_t)size + run_handle_trace_held(ss->h) > ss->max_trace_bytes) {
		ss->trace_full = true;
		return true;
	}
	if (ss->progress)
		show_progress(ss, now);
	return false;
}

static void watcher_emit(struct trace_sink *base, const struct trace_event *ev)
{
	struct watcher *w = (struct watcher *)base;
	char line[1024];
	struct vmxsim_event pub;
	size_t n;

	trace_format_text(ev, line, sizeof(line));
	n = strlen(line);
	if (n && line[n - 1] == '\n')
		line[n - 1] = '\0';
	pub.cycle = ev->cycle;
	pub.cpu = ev->cpu;
	pub.level = ev->level;
	pub.kind = trace_kind_name(ev->kind);
	pub.text = line;
	pub.impl = ev;
	w->fn(w->ctx, &pub);
}

VMXSIM_API bool vmxsim_event_uint(const struct vmxsim_event *pub, const char *key, uint64_t *out)
{
	const struct trace_field *f = trace_field((const struct trace_event *)pub->impl, key);

	if (!f || f->type == TF_STR)
		return false;
	*out = f->u;
	return true;
}

VMXSIM_API const char *vmxsim_event_field(const struct vmxsim_event *pub, const char *key, char *buf, size_t n)
{
	const struct trace_field *f = trace_field((const struct trace_event *)pub->impl, key);

	if (!f || !n)
		return NULL;
	switch (f->type) {
	case TF_UINT:
	case TF_BOOL: snprintf(buf, n, "%" PRIu64, f->u); break;
	case TF_HEX32: snprintf(buf, n, "0x%08" PRIx64, f->u); break;
	case TF_HEX64: snprintf(buf, n, "0x%" PRIx64, f->u); break;
	case TF_STR: snprintf(buf, n, "%s", f->s ? f->s : ""); break;
	}
	return buf;
}

static const struct vmxsim_run_options no_options;

/* Where the trace goes, opened; false (message on diag) when the file cannot be made. */
static bool open_trace(struct vmxsim_session *ss, const struct vmxsim_run_options *o, FILE **trace)
{
	*trace = NULL;
	if (o->trace_path && strcmp(o->trace_path, "-") != 0) {
		if (!atomic_open(&ss->af, o->trace_path, ss->diag))
			return false;
		ss->to_file = true;
		*trace = ss->af.f;
	} else if (o->trace_path) {
		ss->to_stdout = true;
		*trace = stdout;
	} else {
		*trace = o->trace;
	}
	return true;
}

VMXSIM_API struct vmxsim_session *vmxsim_session_open(const struct vmxsim_scenario *s,
                                                      const struct vmxsim_run_options *o, unsigned flags)
{
	struct vmxsim_session *ss;
	struct run_limits lim;
	FILE *trace;

	if (!o)
		o = &no_options;
	ss = calloc(1, sizeof(*ss));
	if (!ss) {
		fprintf(api_diag(o->diag), "%s: out of memory\n", api_scn(s)->file);
		return NULL;
	}
	ss->diag = api_diag(o->diag);
	if (!open_trace(ss, o, &trace)) {
		free(ss);
		return NULL;
	}
	memset(&lim, 0, sizeof(lim));
	lim.max_cycles = o->max_cycles;
	lim.reference = o->reference;
	ss->h = run_open(api_scn(s), trace, (enum trace_format)o->format, ss->diag, &lim,
	                 (flags & VMXSIM_SESSION_NO_STIMULI)        ? RUN_OPEN_NO_STIMULI
	                 : (flags & VMXSIM_SESSION_NO_COST_WARNING) ? 0u
	                                                            : RUN_OPEN_WARN_COST);
	if (!ss->h) {
		if (ss->to_file)
			atomic_abort(&ss->af);   /* a scenario that cannot run leaves an existing trace alone */
		free(ss);
		return NULL;
	}
	if (o->quiet)
		run_handle_quiet(ss->h);
	if (o->color)
		run_handle_color(ss->h);
	ss->m = run_handle_machine(ss->h);
	ss->file = api_scn(s)->file;
	ss->end = run_handle_config(ss->h)->run_cycles;
	ss->interrupt = o->interrupt;
	ss->trace = trace;
	ss->max_trace_bytes = o->max_trace_bytes ? o->max_trace_bytes : VMXSIM_DEFAULT_MAX_TRACE_BYTES;
	ss->progress = o->progress;
	clock_gettime(CLOCK_MONOTONIC, &ss->started);
	if (ss->interrupt || ss->progress || (trace && ss->max_trace_bytes != UINT64_MAX))
		machine_set_poll(ss->m, session_poll, ss);
	return ss;
}

struct run_handle *api_session_handle(struct vmxsim_session *ss)
{
	return ss->h;
}

VMXSIM_API uint64_t vmxsim_session_now(const struct vmxsim_session *ss)
{
	return machine_now(ss->m);
}

VMXSIM_API uint64_t vmxsim_session_end(const struct vmxsim_session *ss)
{
	return run_handle_config(ss->h)->run_cycles;
}

VMXSIM_API uint64_t vmxsim_session_tsc_hz(const struct vmxsim_session *ss)
{
	return run_handle_config(ss->h)->cpu.tsc_hz;
}

VMXSIM_API uint32_t vmxsim_session_vcpus(const struct vmxsim_session *ss)
{
	return run_handle_config(ss->h)->vcpus;
}

VMXSIM_API void vmxsim_session_run_until(struct vmxsim_session *ss, uint64_t cycle)
{
	machine_run_until(ss->m, cycle);
}

VMXSIM_API bool vmxsim_session_raise(struct vmxsim_session *ss, const struct vmxsim_stimulus *st, uint64_t at)
{
	struct machine_stimulus ms;

	memset(&ms, 0, sizeof(ms));
	switch (st->kind) {
	case VMXSIM_STIM_NMI: ms.kind = MACHINE_STIM_NMI; break;
	case VMXSIM_STIM_IRQ: ms.kind = MACHINE_STIM_IRQ; break;
	case VMXSIM_STIM_INIT: ms.kind = MACHINE_STIM_INIT; break;
	case VMXSIM_STIM_SIPI: ms.kind = MACHINE_STIM_SIPI; break;
	case VMXSIM_STIM_RESET: ms.kind = MACHINE_STIM_RESET; break;
	default: return false;
	}
	ms.vector = st->vector;
	ms.level = st->level;
	ms.cpu = st->cpu;
	ms.origin = st->origin ? st->origin : "api";
	return machine_raise(ss->m, &ms, at);
}

VMXSIM_API bool vmxsim_session_watch(struct vmxsim_session *ss, vmxsim_event_fn *fn, void *ctx)
{
	struct watcher *w;

	if (!fn || ss->nw == SESSION_MAX_WATCHERS)
		return false;
	w = &ss->w[ss->nw];
	memset(w, 0, sizeof(*w));
	w->base.emit = watcher_emit;
	w->fn = fn;
	w->ctx = ctx;
	if (!run_handle_attach(ss->h, &w->base))
		return false;
	ss->nw++;
	return true;
}

/* ---- snapshots (vmxsim/run.h): the run's state, put back in place ---- */

struct vmxsim_snapshot {
	struct machine_snapshot s;
	uint64_t now;                /* vmxsim_session_now() then */
};

VMXSIM_API struct vmxsim_snapshot *vmxsim_session_snapshot(const struct vmxsim_session *ss)
{
	struct vmxsim_snapshot *snap = calloc(1, sizeof(*snap));

	if (!snap)
		return NULL;
	machine_snapshot_init(&snap->s);
	snap->now = machine_now(ss->m);
	if (!run_handle_save(ss->h, &snap->s)) {
		vmxsim_snapshot_free(snap);
		return NULL;
	}
	return snap;
}

VMXSIM_API bool vmxsim_session_restore(struct vmxsim_session *ss, const struct vmxsim_snapshot *snap)
{
	return snap && run_handle_restore(ss->h, &snap->s);
}

VMXSIM_API uint64_t vmxsim_snapshot_now(const struct vmxsim_snapshot *snap)
{
	return snap->now;
}

VMXSIM_API void vmxsim_snapshot_free(struct vmxsim_snapshot *snap)
{
	if (!snap)
		return;
	machine_snapshot_release(&snap->s);
	free(snap);
}

VMXSIM_API enum vmxsim_status vmxsim_session_close(struct vmxsim_session *ss, struct vmxsim_result *res)
{
	struct vmxsim_result local;
	enum vmxsim_status st;

	if (!res)
		res = &local;
	errno = 0;
	st = run_close(ss->h, res);
	/* Why the trace writer's last write failed, when it did: errno is left as the failed call set it. */
	int trace_errno = errno;
	if (ss->progress_shown)
		fputc('\n', ss->diag);   /* past the progress line */
	/* Stopped and void (out of memory, run_close said why): an existing trace file is left as it was. */
	bool void_stop = res->stopped_at && st == VMXSIM_BAD_INPUT;
	if (res->stopped_at && st != VMXSIM_BAD_INPUT) {
		uint64_t end = ss->end;
		if (ss->trace_full)
			fprintf(ss->diag, "%s: stopped at cycle %" PRIu64 " of %" PRIu64 ": the trace outgrew its limit of %" PRIu64
			        " bytes (raise it: vmxsim run --max-trace); expectations not judged\n",
			        ss->file, res->stopped_at, end, ss->max_trace_bytes);
		else
			fprintf(ss->diag, "%s: interrupted at cycle %" PRIu64 " of %" PRIu64 "%s; expectations not judged\n",
			        ss->file, res->stopped_at, end, ss->trace ? ": the trace has what ran until then" : "");
		st = ss->trace_full ? VMXSIM_BAD_INPUT : VMXSIM_INTERRUPTED;
	}
	if (ss->to_file && void_stop) {
		atomic_abort(&ss->af);
	} else if (ss->to_file) {
		if (res->trace_error || fflush(ss->af.f) != 0) {
			atomic_fail(&ss->af, res->trace_error ? trace_errno : errno, ss->diag);
			st = VMXSIM_BAD_INPUT;
		} else if (!atomic_commit(&ss->af, ss->diag)) {
			st = VMXSIM_BAD_INPUT;
		}
	} else if (res->trace_error || (ss->to_stdout && fflush(stdout) != 0)) {
		int err = ss->to_stdout && fflush(stdout) != 0 ? errno : trace_errno ? trace_errno : EIO;
		fprintf(ss->diag, "%s: cannot write the trace: %s\n", ss->to_stdout ? "standard output" : "the trace stream",
		        strerror(err));
		st = VMXSIM_BAD_INPUT;
	}
	res->status = st;
	free(ss);
	return st;
}

VMXSIM_API enum vmxsim_status vmxsim_run(const struct vmxsim_scenario *s, const struct vmxsim_run_options *o,
                                         struct vmxsim_result *res)
{
	struct vmxsim_session *ss = vmxsim_session_open(s, o, 0);

	if (!ss) {
		if (res) {
			memset(res, 0, sizeof(*res));
			res->status = VMXSIM_BAD_INPUT;
		}
		return VMXSIM_BAD_INPUT;
	}
	/* Closing runs what is left of the run: here, all of it. */
	return vmxsim_session_close(ss, res);
}
