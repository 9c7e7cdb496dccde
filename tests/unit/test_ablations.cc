/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Each safeguard of the 2008 soft-vNMI patch (and each era switch of the
 * KVM model) turned off, one at a time, on a shipped scenario: the outcome
 * must change, and in the way the safeguard explains.
 */
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "lib/scenario_run.h"
#include "front/scenario.h"
#include "scn_text.h"

namespace {

struct Verdicts {
	int nesting = 0;
	int lost = 0;
	uint64_t injections = 0;
	bool ran = false;
};

/* Append `sw` to the scenario's `l0` line. */
std::string WithSwitch(std::string text, const std::string &sw)
{
	size_t at = text.find("\nl0 ");
	if (at == std::string::npos)
		return text;
	size_t eol = text.find('\n', at + 1);
	text.insert(eol, " " + sw);
	return text;
}

Verdicts RunScenario(const std::string &text, const std::string &name)
{
	Verdicts v;
	scn_error err;
	scn_scenario *s = scn_parse(text.data(), text.size(), name.c_str(), &err);
	if (!s) {
		ADD_FAILURE() << err.msg << " at " << err.line << ":" << err.col;
		return v;
	}
	char *buf = nullptr;
	size_t len = 0;
	FILE *trace = open_memstream(&buf, &len);
	FILE *diag = std::fopen("/dev/null", "w");
	vmxsim_result res{};
	vmxsim_status st = run_scenario(s, trace, TRACE_FORMAT_JSONL, diag, &res);
	std::fclose(trace);
	std::fclose(diag);
	scn_free(s);
	v.ran = st != VMXSIM_BAD_INPUT;
	std::string out(buf ? buf : "", len);
	std::free(buf);
	for (size_t p = 0; (p = out.find("\"kind\":\"nmi_nesting\"", p)) != std::string::npos; p++)
		v.nesting++;
	for (size_t p = 0; (p = out.find("\"kind\":\"lost_event\"", p)) != std::string::npos; p++)
		v.lost++;
	v.injections = res.injections;
	return v;
}

struct Pair {
	Verdicts base, ablated;
};

Pair Ablate(const std::string &rel, const std::string &sw)
{
	std::string text = ShippedScenario(rel);
	EXPECT_FALSE(text.empty()) << rel;
	return {RunScenario(text, rel), RunScenario(WithSwitch(text, sw), rel + " " + sw)};
}

}  // namespace

/* Without clearing the flag at an open interrupt window, only the 1 s timeout is left: the second NMI waits past the run. */
TEST(Ablation, ClearOnWindowIsWhatLetsTheSecondNmiIn)
{
	Pair p = Ablate("soft-vnmi/basic.scn", "-clear-on-window");
	ASSERT_TRUE(p.base.ran && p.ablated.ran);
	EXPECT_EQ(p.base.lost, 0);
	EXPECT_EQ(p.ablated.lost, 1);
	EXPECT_EQ(p.base.nesting + p.ablated.nesting, 0);
}

/* Without the interrupt window standing in for the NMI window, nothing makes the guest exit when its handler is done. */
TEST(Ablation, IrqWindowMakesTheGuestExitAfterTheHandler)
{
	Pair p = Ablate("soft-vnmi/basic.scn", "-irq-window");
	ASSERT_TRUE(p.base.ran && p.ablated.ran);
	EXPECT_EQ(p.base.lost, 0);
	EXPECT_EQ(p.ablated.lost, 1);
}

/* The timeout is what forces the pending NMI in (and nests it) when the guest never opens a window. */
TEST(Ablation, TimeoutForcesTheNmiInAfterOneSecond)
{
	Pair p = Ablate("soft-vnmi/timeout-1s.scn", "-timeout");
	ASSERT_TRUE(p.base.ran && p.ablated.ran);
	EXPECT_EQ(p.base.nesting, 1);
	EXPECT_EQ(p.base.lost, 0);
	EXPECT_EQ(p.ablated.nesting, 0);
	EXPECT_EQ(p.ablated.lost, 1);
}

/* Without the forced exit, user space never learns that the window opened: its NMI is never injected. */
TEST(Ablation, UserspaceExitDeliversTheUserspaceNmi)
{
	Pair p = Ablate("soft-vnmi/userspace-window.scn", "-userspace-exit");
	ASSERT_TRUE(p.base.ran && p.ablated.ran);
	EXPECT_EQ(p.base.lost, 0);
	EXPECT_EQ(p.ablated.lost, 1);
}

/* kvm_intel vnmi=0 on a CPU that has virtual NMIs: the STI in the handler nests NMIs again. */
TEST(Ablation, VirtualNmisPreventTheStiCornerCase)
{
	Pair p = Ablate("soft-vnmi/sti-in-handler-vnmi.scn", "-vnmi");
	ASSERT_TRUE(p.base.ran && p.ablated.ran);
	EXPECT_EQ(p.base.nesting, 0);
	EXPECT_EQ(p.ablated.nesting, 1);
}

TEST(Ablation, UnknownSwitchIsRejected)
{
	std::string text = WithSwitch(ShippedScenario("soft-vnmi/basic.scn"), "-no-such-safeguard");
	Verdicts v = RunScenario(text, "x.scn");
	EXPECT_FALSE(v.ran);
}
