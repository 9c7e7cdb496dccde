/* SPDX-License-Identifier: Apache-2.0 */
// Synthetic events for the trace writers' tests, and a writer run over them
// into memory: what each writer test needs before it says anything about
// its own format.
#ifndef VMXSIM_TESTS_SINK_HARNESS_H
#define VMXSIM_TESTS_SINK_HARNESS_H

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "model/trace/trace.h"

// An event built field by field.
struct Ev {
	trace_event ev;
	Ev(uint64_t cycle, uint32_t cpu, uint32_t level, trace_kind k) { trace_event_init(&ev, cycle, cpu, level, k); }
	Ev &U(const char *k, uint64_t v) { trace_add_uint(&ev, k, v); return *this; }
	Ev &H32(const char *k, uint32_t v) { trace_add_hex32(&ev, k, v); return *this; }
	Ev &H64(const char *k, uint64_t v) { trace_add_hex64(&ev, k, v); return *this; }
	Ev &S(const char *k, const char *v) { trace_add_str(&ev, k, v); return *this; }
	Ev &B(const char *k, bool v) { trace_add_bool(&ev, k, v); return *this; }
};

// The context of a synthetic run of scenario "synthetic.scn".
inline trace_sink_context SinkContext(uint64_t tsc_hz, const char *l0, uint32_t vcpus, bool time_ns = false)
{
	trace_sink_context ctx = {};
	ctx.tsc_hz = tsc_hz;
	ctx.l0 = l0;
	ctx.vcpus = vcpus;
	ctx.scenario = "synthetic.scn";
	ctx.time_ns = time_ns;
	return ctx;
}

// Everything the writer made by `make` prints for `evs`, the stream ended
// with finish; the writer must not report an error.
inline std::string WriteAll(trace_sink *(*make)(FILE *, const trace_sink_context *), const trace_sink_context &ctx,
                            const std::vector<Ev> &evs)
{
	char *mem = nullptr;
	size_t size = 0;
	FILE *f = open_memstream(&mem, &size);
	trace_sink *s = make(f, &ctx);
	EXPECT_NE(s, nullptr);
	if (s) {
		for (const Ev &e : evs)
			s->emit(s, &e.ev);
		s->finish(s);
		EXPECT_FALSE(s->error);
		trace_sink_close(s);
	}
	fclose(f);
	std::string out(mem, size);
	free(mem);
	return out;
}

#endif
