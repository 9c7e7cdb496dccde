/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scn_text.h - scenario text in the unit suites: parsed (with the error as
 * "line:col: message"), or run to a trace and its diagnostics.
 */
#ifndef VMXSIM_TEST_SCN_TEXT_H
#define VMXSIM_TEST_SCN_TEXT_H

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>

#include <initializer_list>
#include <vector>

#include "front/scenario.h"
#include "lib/scenario_run.h"
#include "vmxsim/equiv.h"

/* The text of a shipped scenario, by its path under scenarios/ ("" if unreadable). */
inline std::string ShippedScenario(const std::string &rel)
{
	std::ifstream in(std::string(VMXSIM_SOURCE_DIR) + "/scenarios/" + rel);
	std::stringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

/* The scenario with the rest of its `l0` line replaced by `l0`. */
inline std::string WithL0Line(std::string text, const std::string &l0)
{
	size_t at = text.find("\nl0 ");
	size_t eol = text.find('\n', at + 1);
	return text.replace(at + 1, eol - at - 1, "l0      " + l0);
}

/* Lines of a text trace holding every one of the pieces, in trace order. */
inline std::vector<std::string> TraceLinesWith(const std::string &trace, std::initializer_list<const char *> pieces)
{
	std::vector<std::string> out;
	std::istringstream in(trace);
	std::string line;
	while (std::getline(in, line)) {
		bool all = true;
		for (const char *p : pieces)
			all = all && line.find(p) != std::string::npos;
		if (all)
			out.push_back(line);
	}
	return out;
}

/* vmxsim_equiv on a scenario text (written to a temporary file): its return code and its report. */
inline int EquivText(const std::string &text, std::string *report)
{
	char path[] = "/tmp/vmxsim-equiv-XXXXXX.scn";
	int fd = mkstemps(path, 4);
	EXPECT_GE(fd, 0);
	FILE *f = fdopen(fd, "w");
	std::fputs(text.c_str(), f);
	std::fclose(f);
	char *buf = nullptr;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	int rc = vmxsim_equiv(path, out, stderr);
	std::fclose(out);
	*report = std::string(buf ? buf : "", len);
	std::free(buf);
	std::remove(path);
	return rc;
}

/* A scenario parsed from text; s is NULL and err filled on an error. */
struct Parsed {
	scn_scenario *s = nullptr;
	scn_error err{};

	explicit Parsed(const std::string &text, const char *file = "t.scn")
	{
		s = scn_parse(text.data(), text.size(), file, &err);
	}
	~Parsed() { scn_free(s); }
	Parsed(const Parsed &) = delete;
	Parsed &operator=(const Parsed &) = delete;

	// "line:col: message", or "ok"
	std::string where() const
	{
		if (s)
			return "ok";
		return std::to_string(err.line) + ":" + std::to_string(err.col) + ": " + err.msg;
	}
};

/* A scenario run from text: the status, the trace and what went to the diagnostics. */
struct ScnRun {
	vmxsim_status status = VMXSIM_BAD_INPUT;
	std::string trace, diag;
};

inline ScnRun RunScenarioText(const std::string &text, trace_format format = TRACE_FORMAT_TEXT,
                              const char *file = "t.scn")
{
	ScnRun r;
	Parsed p(text, file);
	if (!p.s) {
		ADD_FAILURE() << p.where();
		return r;
	}
	char *tmem = nullptr, *dmem = nullptr;
	size_t tsize = 0, dsize = 0;
	FILE *trace = open_memstream(&tmem, &tsize);
	FILE *diag = open_memstream(&dmem, &dsize);
	vmxsim_result res{};
	r.status = run_scenario(p.s, trace, format, diag, &res);
	std::fclose(trace);
	std::fclose(diag);
	r.trace.assign(tmem ? tmem : "", tsize);
	r.diag.assign(dmem ? dmem : "", dsize);
	std::free(tmem);
	std::free(dmem);
	return r;
}

/* A minimal valid scenario (kvm-2008, one looping guest) around one extra line, and guest lines before it. */
inline std::string ScenarioWith(const std::string &extra, const std::string &guest_extra = "")
{
	return "cpu nehalem\nl0 kvm-2008\nguest L1\nmain: work 100\n  jmp main\n" + guest_extra + extra + "run 10k\n";
}

/* A scenario run from text that must hold its expectations. */
inline ScnRun RunOk(const std::string &text)
{
	ScnRun r = RunScenarioText(text);
	EXPECT_EQ(r.status, VMXSIM_OK) << r.diag;
	return r;
}

/*
 * Text the parser must refuse, and where and how: the cases of the
 * parametrized suite ScenarioParseErrors (its test is in
 * test_scenario_parse_errors.cc; other files instantiate it with their tables).
 */
namespace scn_test {

struct BadInput {
	const char *name;
	std::string text;
	const char *where;  // "line:col: message"
};

inline void PrintTo(const BadInput &b, std::ostream *os)
{
	*os << b.name;
}

class ScenarioParseErrors : public ::testing::TestWithParam<BadInput> {};

inline std::string BadInputName(const ::testing::TestParamInfo<BadInput> &i)
{
	return i.param.name;
}

}  // namespace scn_test

using scn_test::BadInput;
using scn_test::ScenarioParseErrors;

#endif
