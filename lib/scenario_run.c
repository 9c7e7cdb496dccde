/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scenario_run.c - run a scenario's machine (scenario_build.c makes it)
 * with a trace writer and the expectation checker, and judge.
 */
#include "lib/scenario_run.h"

#include <stdlib.h>
#include <string.h>

#include "lib/expect.h"
#include "lib/scenario_build.h"
#include "model/machine/machine.h"

/* expect.c's view of build_label_address(): a label may also name the program's end. */
static bool label_address(void *ctx, enum scn_level level, uint32_t cpu, const char *label, uint64_t *addr)
{
	return build_label_address(ctx, level, cpu, label, true, addr);
}

/* One open run: everything its machine points into stays put. */
struct run_handle {
	struct build b;
	struct trace_bus bus;
	struct trace_sink *out;
	struct expect_sink ex;
	struct machine *m;
};

/* Where the instruction on a line starts (one instruction a line), for a run-time error. */
static struct scn_loc insn_loc_at_line(const struct scn_scenario *s, uint32_t line)
{
	struct scn_loc loc = {line, 1};

	for (size_t i = 0; i < s->nguests; i++)
		for (size_t k = 0; k < s->guests[i].ninsns; k++)
			if (s->guests[i].insns[k].loc.line == line)
				return s->guests[i].insns[k].loc;
	return loc;
}

static void handle_free(struct run_handle *h)
{
	machine_destroy(h->m);
	trace_sink_close(h->out);
	expect_sink_free(&h->ex);
	build_free(&h->b);
	free(h);
}

/*
 * A periodic stimulus that fires more than RUN_WARN_FIRINGS times over the
 * run: said once, at its place, with what stops such a run (Ctrl-C, the
 * trace size limit). Legal - a storm may be what the user studies.
 */
static void warn_cost(struct build *b)
{
	const struct scn_scenario *s = b->s;

	for (size_t i = 0; b->diag && i < s->nstimuli; i++) {
		const struct machine_stimulus *ms;
		uint64_t last, firings;
		if (b->stim_index[i] == UINT32_MAX || !(ms = &b->cfg.stim[b->stim_index[i]])->period)
			continue;
		last = ms->until && ms->until < b->cfg.run_cycles ? ms->until : b->cfg.run_cycles;
		firings = last > ms->at ? (last - ms->at) / ms->period + 1 : 1;
		if (firings > RUN_WARN_FIRINGS)
			fprintf(b->diag,
			        "%s:%u:%u: warning: this stimulus fires %llu times (every %llu cycles over %llu): the run may "
			        "take long and write a large trace; Ctrl-C stops it, --max-trace bounds the trace\n",
			        s->file, s->stimuli[i].loc.line, s->stimuli[i].loc.col, (unsigned long long)firings,
			        (unsigned long long)ms->period, (unsigned long long)(last - ms->at));
	}
}

struct run_handle *run_open(const struct scn_scenario *s, FILE *trace, enum trace_format format,
                                           FILE *diag, const struct run_limits *lim, unsigned flags)
{
	struct run_handle *h = calloc(1, sizeof(*h));
	struct trace_sink_context tctx = {0};
	char err[256];

	if (!h) {
		if (diag)
			fprintf(diag, "%s: out of memory\n", s->file);
		return NULL;
	}
	h->b.s = s;
	h->b.diag = diag;
	h->b.point = lim ? lim->point : NULL;
	if (!build(&h->b)) {
		build_free(&h->b);
		free(h);
		return NULL;
	}
	if (flags & RUN_OPEN_NO_STIMULI)
		h->b.cfg.nstim = 0;   /* checked, but the embedding brings its own */
	if (lim && lim->max_cycles && h->b.cfg.run_cycles > lim->max_cycles)
		h->b.cfg.run_cycles = lim->max_cycles;
	if (lim)
		h->b.cfg.reference_stepping = lim->reference;
	if (flags & RUN_OPEN_WARN_COST)
		warn_cost(&h->b);
	trace_bus_init(&h->bus);
	if (!expect_sink_init(&h->ex, s, h->b.cfg.cpu.tsc_hz)) {
		if (diag)
			fprintf(diag, "%s: out of memory\n", s->file);
		build_free(&h->b);
		free(h);
		return NULL;
	}
	h->ex.label_addr = label_address;
	h->ex.label_ctx = &h->b;
	if ((flags & RUN_OPEN_VERDICTS_ONLY) && !trace && (h->ex.base.ignore & TRACE_KIND_BIT(TRACE_SUMMARY)))
		h->b.cfg.no_latency_histograms = true;
	h->m = machine_create(&h->b.cfg, &h->bus, err, sizeof(err));
	if (!h->m) {
		if (diag)
			fprintf(diag, "%s:%u:%u: %s\n", s->file, s->l0.loc.line, s->l0.loc.col, err);
		handle_free(h);
		return NULL;
	}
	/* The writer sees events after the monitors queued their verdicts behind them. */
	if (trace) {
		tctx.tsc_hz = h->b.cfg.cpu.tsc_hz;
		tctx.l0 = h->b.cfg.l0 ? h->b.cfg.l0->name : "none";
		tctx.vcpus = h->b.cfg.vcpus;
		tctx.scenario = s->file;
		h->out = trace_sink_open(format, trace, &tctx);
		/* Every format of trace_format_lookup() has a writer: only its memory can fail. */
		if (!h->out) {
			if (diag)
				fprintf(diag, "%s: %s\n", s->file,
				        trace_format_name(format) ? "out of memory" : "no such trace format");
			handle_free(h);
			return NULL;
		}
		trace_bus_attach(&h->bus, h->out);
	}
	trace_bus_attach(&h->bus, &h->ex.base);
	return h;
}

void run_handle_quiet(struct run_handle *h)
{
	h->b.diag = NULL;
}

void run_handle_color(struct run_handle *h)
{
	h->ex.color = true;
}

struct machine *run_handle_machine(struct run_handle *h)
{
	return h->m;
}

const struct machine_config *run_handle_config(const struct run_handle *h)
{
	return &h->b.cfg;
}

uint64_t run_handle_trace_held(const struct run_handle *h)
{
	return h->out ? h->out->held : 0;
}

bool run_handle_attach(struct run_handle *h, struct trace_sink *sink)
{
	return trace_bus_attach(&h->bus, sink);
}

uint64_t run_handle_events_reached(const struct run_handle *h)
{
	return trace_bus_reached(&h->bus);
}

uint64_t run_handle_stimulus_slack(const struct run_handle *h, size_t stim)
{
	uint32_t i = stim < h->b.s->nstimuli ? h->b.stim_index[stim] : UINT32_MAX;

	return i == UINT32_MAX ? UINT64_MAX : machine_stimulus_slack(h->m, i);
}

/*
 * The checker's state: its struct (counts, the sink's mask), its items, the
 * captures of exact expectations. A shift key (run_handle_shift_key) puts
 * each capture with its cycle 0: that cycle is only in the failure message.
 */
static bool checker_blocks(struct run_handle *h, struct machine_snapshot *save, const struct machine_snapshot *from,
                           size_t *at, bool key)
{
	void *const whole[2] = {&h->ex, h->ex.items};
	const size_t len[2] = {sizeof(h->ex), (h->ex.n ? h->ex.n : 1) * sizeof(*h->ex.items)};

	for (uint32_t i = 0; i < 2 + h->ex.n; i++) {
		void *p = i < 2 ? whole[i] : h->ex.items[i - 2].cap;
		size_t n = i < 2 ? len[i] : sizeof(struct exact_capture);
		struct exact_capture c;
		if (p && key && i >= 2) {
			c = *h->ex.items[i - 2].cap;
			c.cycle = 0;
			p = &c;
		}
		if (p && !(save ? machine_snapshot_put(save, p, n) : machine_snapshot_get(from, at, p, n)))
			return false;
	}
	return true;
}

bool run_handle_save(struct run_handle *h, struct machine_snapshot *s)
{
	/* The trace writer cannot take back what it wrote: a run that writes one is not saved. */
	if (h->out)
		return false;
	return machine_save(h->m, s) && checker_blocks(h, s, NULL, NULL, false);
}

bool run_handle_restore(struct run_handle *h, const struct machine_snapshot *s)
{
	size_t at = machine_restore(h->m, s);

	return at && checker_blocks(h, NULL, s, &at, false) && at == s->len;
}

bool run_handle_shift_key(struct run_handle *h, struct machine_snapshot *key, const char **why)
{
	if (h->out) {
		*why = "a trace is written";
		return false;
	}
	/* An expectation that names an absolute time judges the run's times themselves. */
	for (uint32_t i = 0; i < h->ex.n; i++)
		if (h->ex.items[i].e->kind == SCN_EXPECT_AT || h->ex.items[i].e->kind == SCN_EXPECT_WITHIN) {
			*why = "an expectation names a time";
			return false;
		}
	if (!machine_shift_key(h->m, key, why))
		return false;
	if (!checker_blocks(h, key, NULL, NULL, true)) {
		*why = "out of memory";
		return false;
	}
	return true;
}

bool run_handle_retime(struct run_handle *h, size_t stim, uint64_t at)
{
	uint32_t i = stim < h->b.s->nstimuli ? h->b.stim_index[stim] : UINT32_MAX;

	if (i == UINT32_MAX || !machine_retime(h->m, i, at))
		return false;
	h->b.stim[i].at = at;
	return true;
}

void run_handle_judge(struct run_handle *h, bool *failed_each)
{
	machine_finish(h->m);
	memset(failed_each, 0, h->ex.n * sizeof(*failed_each));
	if (!machine_stopped_at(h->m))
		expect_sink_judge_each(&h->ex, NULL, failed_each);
}

enum vmxsim_status run_close(struct run_handle *h, struct vmxsim_result *res)
{
	return run_close_each(h, res, NULL);
}

enum vmxsim_status run_close_each(struct run_handle *h, struct vmxsim_result *res,
                                              bool *failed_each)
{
	struct vmxsim_result local;
	struct machine_stats st;
	const char *file = h->b.s->file;

	if (!res)
		res = &local;
	memset(res, 0, sizeof(*res));
	machine_finish(h->m);
	machine_get_stats(h->m, &st);
	res->cycles = h->b.cfg.run_cycles;
	res->tsc_hz = h->b.cfg.cpu.tsc_hz;
	res->exits = st.exits;
	res->entries = st.entries;
	res->injections = st.injections;
	res->deliveries = st.deliveries;
	res->violations = st.violations;
	res->events = st.events;
	res->expects = h->ex.n;
	res->stopped_at = machine_stopped_at(h->m);
	/* A void run (not modelled, below) does not judge aloud; one stopped early is not judged at all. */
	if (!res->stopped_at)
		res->expects_failed = expect_sink_judge_each(&h->ex, st.not_modelled ? NULL : h->b.diag, failed_each);
	res->trace_error = h->out && h->out->error;
	res->status = res->expects_failed ? VMXSIM_FAILED : VMXSIM_OK;
	if (st.not_modelled) {
		/* A guest instruction (or an INIT or SIPI) needed what the model lacks: the run answers nothing. */
		build_located(&h->b, insn_loc_at_line(h->b.s, st.not_modelled_line), "not modelled: %s", st.not_modelled_what);
		res->status = VMXSIM_BAD_INPUT;
	}
	if (st.out_of_memory) {
		/* A stimulus could not be queued: what ran is in the trace, and nothing is judged. */
		if (h->b.diag)
			fprintf(h->b.diag, "%s: out of memory: the run stopped at cycle %llu\n", file,
			        (unsigned long long)res->stopped_at);
		res->status = VMXSIM_BAD_INPUT;
	}
	if (h->bus.dropped) {
		if (h->b.diag)
			fprintf(h->b.diag, "%s: internal error: %llu trace events dropped\n", file,
			        (unsigned long long)h->bus.dropped);
		res->status = VMXSIM_FAILED;
	}
	handle_free(h);
	return res->status;
}

enum vmxsim_status run_scenario(const struct scn_scenario *s, FILE *trace, enum trace_format format,
                                       FILE *diag, struct vmxsim_result *res)
{
	return run_scenario_limited(s, trace, format, diag, NULL, res);
}

enum vmxsim_status run_scenario_limited(const struct scn_scenario *s, FILE *trace, enum trace_format format,
                                               FILE *diag, const struct run_limits *lim,
                                               struct vmxsim_result *res)
{
	struct run_handle *h = run_open(s, trace, format, diag, lim, 0);

	if (!h) {
		memset(res, 0, sizeof(*res));
		res->status = VMXSIM_BAD_INPUT;
		return res->status;
	}
	machine_run(run_handle_machine(h));
	return run_close(h, res);
}
