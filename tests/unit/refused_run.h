/* SPDX-License-Identifier: Apache-2.0 */
/*
 * refused_run.h - scenarios a run refuses ("not modelled: ...") or runs, for
 * the suites of what the model refuses rather than ignores
 * (test_debug_refused.cc, test_vmx_not_modelled.cc).
 */
#ifndef VMXSIM_TEST_REFUSED_RUN_H
#define VMXSIM_TEST_REFUSED_RUN_H

#include <gtest/gtest.h>

#include <string>

#include "scn_text.h"

/* The run was refused, with this located message. */
inline void ExpectRefused(const std::string &text, const std::string &where_what)
{
	ScnRun r = RunScenarioText(text);
	EXPECT_EQ(r.status, VMXSIM_BAD_INPUT) << r.diag;
	EXPECT_NE(r.diag.find(where_what), std::string::npos) << "want: " << where_what << "\ngot: " << r.diag;
}

/* The run held its expectations. */
inline void ExpectHolds(const std::string &text)
{
	ScnRun r = RunScenarioText(text);
	EXPECT_EQ(r.status, VMXSIM_OK) << r.diag;
}

/* A hypervisor L1 (bare metal or under `l0`) that runs L2 after the VMWRITEs in `writes` (from line 6 on). */
inline std::string L1Enters(const std::string &l0, const std::string &writes, const std::string &l2_lines = "")
{
	return "cpu nehalem\n"           // 1
	       "l0 " + l0 + "\n"         // 2
	       "guest L1\n"              // 3
	       "  exit-handler h\n"      // 4
	       "main:   nop\n"           // 5
	       + writes +
	       "launch: vmlaunch\n"
	       "h:      hlt\n"
	       "guest L2\n"
	       + l2_lines +
	       "l2:     vmcall\n"
	       "run 10000\n";
}

#endif
