/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmxsim/run.h - run a scenario into a trace, whole (vmxsim_run) or in
 * steps driven from outside (a session: the SystemC adapter, a test bench,
 * a debugger stepping through a run).
 */
#ifndef VMXSIM_RUN_H
#define VMXSIM_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vmxsim/export.h"
#include "vmxsim/scenario.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The outcome of a run; also the vmxsim command's exit status. */
enum vmxsim_status {
	VMXSIM_OK = 0,           /* every expectation held (and a compared golden is the same) */
	VMXSIM_FAILED = 1,       /* an expectation failed, or the golden differs */
	VMXSIM_BAD_INPUT = 2,    /* the scenario cannot be run as written, or an output could not be written */
	VMXSIM_INTERRUPTED = 130,/* stopped by vmxsim_run_options.interrupt: the trace has what ran; nothing judged */
};

/* The trace size a run stops at unless told otherwise (vmxsim_run_options.max_trace_bytes): 1 GiB. */
#define VMXSIM_DEFAULT_MAX_TRACE_BYTES (1ull << 30)

/* Trace formats (docs/trace-format.md). */
enum vmxsim_format {
	VMXSIM_FORMAT_TEXT,      /* the golden format, one event a line */
	VMXSIM_FORMAT_JSONL,     /* the same events as JSON lines */
	VMXSIM_FORMAT_VCD,       /* value change dump for waveform viewers (GTKWave) */
	VMXSIM_FORMAT_PERFETTO,  /* Chrome / Perfetto trace-event JSON */
	VMXSIM_FORMAT_FTRACE,    /* what trace-cmd report prints for the run's trace-dat file */
	VMXSIM_FORMAT_TRACE_DAT, /* a trace-cmd data file (trace.dat) for trace-cmd report and KernelShark */
	VMXSIM_FORMAT_FTRACE_NS, /* ftrace with nanosecond time stamps (trace-cmd report -t) */
	VMXSIM_FORMAT_TRACE_DAT7, /* the same trace.dat as trace-cmd data file version 7 */
};

/* "text", "jsonl", ...; NULL for a value out of range. */
VMXSIM_API const char *vmxsim_format_name(enum vmxsim_format f);
/* The format of a name; -1 if there is none. */
VMXSIM_API int vmxsim_format_lookup(const char *name);

struct vmxsim_result {
	enum vmxsim_status status;
	uint64_t cycles;         /* length of the run */
	uint64_t tsc_hz;         /* cycles per second of the scenario's CPU model */
	uint64_t exits, entries, injections, deliveries, violations, events;
	uint32_t expects, expects_failed;
	bool trace_error;        /* writing the trace failed */
	/*
	 * 0: the run reached its end. Else the cycle where it stopped early -
	 * interrupted (status VMXSIM_INTERRUPTED) or at the trace size limit
	 * (VMXSIM_BAD_INPUT) - with the trace ending there (`end stopped=1`)
	 * and no expectation judged.
	 */
	uint64_t stopped_at;
};

/* How to run. A zeroed struct runs with no trace and messages on stderr. */
struct vmxsim_run_options {
	/*
	 * Where the trace goes: trace_path (replaced atomically, only when
	 * the run completes; "-" is standard output), else the open stream
	 * trace, else nowhere.
	 */
	const char *trace_path;
	FILE *trace;
	enum vmxsim_format format;
	FILE *diag;              /* messages: input the machine rejects, failed expectations; NULL: stderr */
	uint64_t max_cycles;     /* 0: as long as the scenario says; else at most this long */
	bool reference;          /* reference stepping: every processor advances cycle by cycle; the same trace, slower */
	bool quiet;              /* no messages for failed expectations (they are still counted) */
	bool color;              /* ANSI colour in the messages on diag ("expectation failed" in red): for a terminal */
	/*
	 * When set, the run stops soon after *interrupt becomes non-zero (a
	 * SIGINT handler sets it): within MACHINE_POLL_CYCLES (65536) cycles of
	 * simulated time or 4096 stimuli, whichever comes first.
	 */
	const volatile sig_atomic_t *interrupt;
	/*
	 * A trace written to a file (trace_path, or a stream that is a regular
	 * file) that grows past this many bytes stops the run, with a message:
	 * 0 is VMXSIM_DEFAULT_MAX_TRACE_BYTES, UINT64_MAX no limit. A pipe or
	 * terminal is not measured.
	 */
	uint64_t max_trace_bytes;
	bool progress;           /* a progress line on diag while a run goes on for more than a second */
};

/* Run a scenario to its end. res may be NULL. */
VMXSIM_API enum vmxsim_status vmxsim_run(const struct vmxsim_scenario *s, const struct vmxsim_run_options *o,
                                         struct vmxsim_result *res);

/* ---- sessions: a run driven in steps from outside ---- */

struct vmxsim_session;

enum vmxsim_session_flags {
	/* Check the scenario's own stimuli but leave them out: the embedder brings its own. */
	VMXSIM_SESSION_NO_STIMULI = 1u << 0,
	/* No warning for a stimulus that makes the run long (one already said it for the same scenario). */
	VMXSIM_SESSION_NO_COST_WARNING = 1u << 1,
};

/*
 * Build the machine of scenario s, with the trace writer (o->trace or
 * o->trace_path) and the expectation checker on its bus. NULL, with
 * messages on o->diag, when it cannot be built. s must outlive the session.
 */
VMXSIM_API struct vmxsim_session *vmxsim_session_open(const struct vmxsim_scenario *s,
                                                      const struct vmxsim_run_options *o, unsigned flags);

/* The machine's clock (cycles), where the run ends, the TSC frequency (Hz), and the vCPU count. */
VMXSIM_API uint64_t vmxsim_session_now(const struct vmxsim_session *ss);
VMXSIM_API uint64_t vmxsim_session_end(const struct vmxsim_session *ss);
VMXSIM_API uint64_t vmxsim_session_tsc_hz(const struct vmxsim_session *ss);
VMXSIM_API uint32_t vmxsim_session_vcpus(const struct vmxsim_session *ss);

/*
 * Fire the stimuli due before `cycle` and advance every vCPU to it (capped
 * at the end of the run). A vCPU stops at its first instruction boundary at
 * or after `cycle`: a VM exit and the root software it is in the middle of
 * finish first, so the clock may be a little past `cycle`.
 */
VMXSIM_API void vmxsim_session_run_until(struct vmxsim_session *ss, uint64_t cycle);

/* What a pin or the host raises from outside. */
enum vmxsim_stimulus_kind {
	VMXSIM_STIM_NMI,
	VMXSIM_STIM_IRQ,         /* an external interrupt with `vector` */
	VMXSIM_STIM_INIT,        /* an INIT: at the pins (level 0) of a bare-metal machine (`l0 none`) only */
	VMXSIM_STIM_SIPI,        /* a start-up IPI with `vector`: the same */
	VMXSIM_STIM_RESET,       /* RESET: the same (the processor leaves VMX operation and restarts) */
};

struct vmxsim_stimulus {
	enum vmxsim_stimulus_kind kind;
	uint8_t vector;          /* VMXSIM_STIM_IRQ, VMXSIM_STIM_SIPI */
	uint32_t level;          /* 0: the processor's pins (host); 1: for the guest, through L0 (there is no 2:
	                            an event for L2 enters at L1's interrupt controller, so it is a 1) */
	uint32_t cpu;            /* vCPU index */
	const char *origin;      /* shown in the trace ("pin", "scenario", ...); NULL: "api" */
};

/*
 * Raise a stimulus at cycle `at` (at or after vmxsim_session_now(); an
 * earlier time is taken as now). False when it is refused: a vCPU or level
 * the machine does not have, INIT or SIPI other than at the pins of a
 * bare-metal machine, or the run is over.
 */
VMXSIM_API bool vmxsim_session_raise(struct vmxsim_session *ss, const struct vmxsim_stimulus *st, uint64_t at);

/* One event of the trace, as a watcher sees it. Valid only during the call. */
struct vmxsim_event {
	uint64_t cycle;
	uint32_t cpu;
	uint32_t level;          /* 0 L0 (root), 1 L1, 2 L2 */
	const char *kind;        /* "vmexit", "vmentry", "deliver", "verdict", ... (docs/trace-format.md) */
	const char *text;        /* the whole event as one line of the text trace, without the newline */
	const void *impl;        /* private */
};

/* A field of the event by name ("reason", "vector", ...): true and *out when it has a numeric one. */
VMXSIM_API bool vmxsim_event_uint(const struct vmxsim_event *ev, const char *key, uint64_t *out);
/* A field as the text trace prints it; NULL when the event has none. buf holds the text. */
VMXSIM_API const char *vmxsim_event_field(const struct vmxsim_event *ev, const char *key, char *buf, size_t n);

typedef void vmxsim_event_fn(void *ctx, const struct vmxsim_event *ev);

/*
 * Call fn for every event of the run, in trace order, after the trace
 * writer. A watcher only looks: it cannot change the run. False when the
 * session has no room for another (at most 4).
 */
VMXSIM_API bool vmxsim_session_watch(struct vmxsim_session *ss, vmxsim_event_fn *fn, void *ctx);

/*
 * Snapshots: the whole state of a session's run - processors, hypervisor
 * models, guests' memory and VMCS regions, the stimuli to come, the
 * monitors, the expectation checker, the event counts - saved at a point
 * between two calls, and put back later, as often as wanted: a restored
 * session runs on exactly as it did from that point (the same events,
 * byte for byte). Checkpoints, bisecting a long run, trying alternatives
 * from one shared prefix (vmxsim explore does).
 *
 * A snapshot goes back into the session it was taken from (a session is
 * not copied: open another on the same scenario). What goes back is the
 * run's state: watchers stay attached, and their own state is theirs to
 * rewind (the events from the snapshot on come again). A session that
 * writes a trace (trace_path or trace in its options) cannot be saved -
 * what the writer wrote cannot be taken back - so vmxsim_session_snapshot
 * gives NULL for it, as when out of memory; watch events instead.
 */
struct vmxsim_snapshot;
VMXSIM_API struct vmxsim_snapshot *vmxsim_session_snapshot(const struct vmxsim_session *ss);
/* Put ss back as it was at the snapshot; false if snap is NULL or from another session. */
VMXSIM_API bool vmxsim_session_restore(struct vmxsim_session *ss, const struct vmxsim_snapshot *snap);
/* vmxsim_session_now() when it was taken. */
VMXSIM_API uint64_t vmxsim_snapshot_now(const struct vmxsim_snapshot *snap);
VMXSIM_API void vmxsim_snapshot_free(struct vmxsim_snapshot *snap);

/*
 * Run what is left to the end without further stimuli from outside, judge
 * the expectations, fill res (may be NULL), commit the trace file and free
 * the session.
 */
VMXSIM_API enum vmxsim_status vmxsim_session_close(struct vmxsim_session *ss, struct vmxsim_result *res);

#ifdef __cplusplus
}
#endif
#endif
