/* SPDX-License-Identifier: Apache-2.0 */
// A scenario whose own `expect` lines say what must happen: it must parse,
// and every expectation must hold in the fast mode and in the reference
// mode (each processor advancing cycle by cycle), which must agree.
#ifndef VMXSIM_TESTS_UNIT_SCENARIO_HOLDS_H
#define VMXSIM_TESTS_UNIT_SCENARIO_HOLDS_H

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "front/scenario.h"

extern "C" {
#include "lib/scenario_run.h"
}

inline void ExpectScenarioHolds(const std::string &text, const char *name = "test.scn")
{
	scn_error err{};
	scn_scenario *s = scn_parse(text.data(), text.size(), name, &err);
	ASSERT_NE(s, nullptr) << err.line << ":" << err.col << ": " << err.msg;
	for (bool reference : {false, true}) {
		run_limits lim{0, reference, nullptr};
		vmxsim_result res{};
		EXPECT_EQ(run_scenario_limited(s, nullptr, TRACE_FORMAT_TEXT, stderr, &lim, &res), VMXSIM_OK)
		    << (reference ? "reference mode" : "fast mode");
	}
	scn_free(s);
}

#endif
