/* SPDX-License-Identifier: Apache-2.0 */
// A trace sink for the monitor suites that records every event as a text
// line in the golden format (without its newline), so that expectations
// read like a trace; summaries and verdicts are also kept apart.
#ifndef VMXSIM_TESTS_UNIT_LINES_SINK_H
#define VMXSIM_TESTS_UNIT_LINES_SINK_H

#include <string>
#include <vector>

#include "model/trace/trace.h"

struct Lines {
	trace_sink base{};
	std::vector<std::string> all;
	std::vector<std::string> summaries;
	std::vector<std::string> violations;

	Lines() { base.emit = Emit; }
	static void Emit(trace_sink *s, const trace_event *ev)
	{
		Lines *l = reinterpret_cast<Lines *>(s);
		char buf[512];
		trace_format_text(ev, buf, sizeof(buf));
		std::string line(buf);
		line.pop_back();   // the newline
		l->all.push_back(line);
		if (ev->kind == TRACE_SUMMARY)
			l->summaries.push_back(line);
		if (ev->kind == TRACE_VIOLATION)
			l->violations.push_back(line);
	}
};

#endif
