/* SPDX-License-Identifier: Apache-2.0 */
// Exploration collapses arrival times that give the same run
// (machine_stimulus_slack(), cli/explore_run.c). Two properties keep it
// honest, checked here by brute force on small spaces:
//  - every time inside a reported class gives the same run as the class's
//    first time, apart from the stimulus's own timestamp (and the figures
//    measured from it: latency summaries);
//  - the walk over several arrival times runs a point of every distinct
//    run of the space, while running fewer points than the space holds.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "front/scenario.h"
#include "unit/guests.h"

extern "C" {
#include "lib/explore_internal.h"
#include "lib/scenario_run.h"
#include "model/machine/machine.h"
}

namespace {

struct Parsed {
	scn_scenario *s = nullptr;
	explicit Parsed(const std::string &text)
	{
		scn_error err{};
		s = scn_parse(text.data(), text.size(), "collapse.scn", &err);
		if (!s) {
			char msg[600];
			scn_format_error(&err, msg, sizeof(msg));
			ADD_FAILURE() << msg;
		}
	}
	~Parsed() { scn_free(s); }
	Parsed(const Parsed &) = delete;
	Parsed &operator=(const Parsed &) = delete;
};

// The text trace without what depends on the arrival time itself.
std::string Normalised(const std::string &trace)
{
	std::istringstream in(trace);
	std::string line, out;
	while (std::getline(in, line))
		if (line.find(" stimulus ") == std::string::npos && line.find(" summary ") == std::string::npos)
			out += line + "\n";
	return out;
}

struct PointRun {
	std::string trace;
	std::vector<uint64_t> slack;  // per stimulus
};

PointRun RunAt(const scn_scenario *s, const std::vector<uint64_t> &value)
{
	PointRun r;
	char *buf = nullptr;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	run_point pt{value.data(), nullptr};
	run_limits lim{0, false, &pt};
	run_handle *h = run_open(s, f, TRACE_FORMAT_TEXT, stderr, &lim, 0);
	EXPECT_NE(h, nullptr);
	if (!h) {
		fclose(f);
		free(buf);
		return r;
	}
	run_handle_quiet(h);
	machine_run(run_handle_machine(h));
	for (size_t i = 0; i < s->nstimuli; i++)
		r.slack.push_back(run_handle_stimulus_slack(h, i));
	run_close(h, nullptr);
	fclose(f);
	r.trace = Normalised(std::string(buf, len));
	free(buf);
	return r;
}

// Walk var `v` (a one-dimensional space, the others at `base`) from lo to
// hi: every time in each class must give the class's run. Returns the
// number of classes.
uint64_t CheckClasses(const scn_scenario *s, std::vector<uint64_t> base, uint32_t v, uint64_t lo, uint64_t hi)
{
	const size_t stim = s->vars[v].stimulus;
	uint64_t classes = 0;
	for (uint64_t t = lo; t <= hi;) {
		base[v] = t;
		PointRun first = RunAt(s, base);
		uint64_t end = first.slack[stim] == UINT64_MAX ? hi : std::min(hi, t + first.slack[stim]);
		for (uint64_t u = t + 1; u <= end; u++) {
			base[v] = u;
			const std::string trace = RunAt(s, base).trace;
			EXPECT_EQ(trace, first.trace)
			    << "arrival at " << u << " is in the class of " << t << " (up to " << end << ") but runs differently";
			if (trace != first.trace)
				return classes;
		}
		classes++;
		t = end + 1;
	}
	return classes;
}

// A guest that loops with interrupts on, on a processor without virtual NMIs.
const std::string kSoftVnmiGuest = R"(cpu core2-no-vnmi
l0 kvm-2008
guest L1
  idt 2 nmi interrupt-gate
main:   sti
loop:   work 1000
        jmp loop
)";

const std::string kSoftVnmi = kSoftVnmiGuest + R"(nmi:    choose plain | sti_early
plain:  work 700
        iret
sti_early: sti
        work 700
        iret
at 5000 nmi -> L1 cpu0
at 5001..9000 nmi -> L1 cpu0
run 20000
expect no nmi_nesting
)";

TEST(ExploreCollapse, SoftVnmiSecondNmiEveryClassIsOneRun)
{
	Parsed p(kSoftVnmi);
	ASSERT_NE(p.s, nullptr);
	ASSERT_EQ(p.s->nvars, 2u);
	for (uint64_t choice = 0; choice < 2; choice++) {
		uint64_t classes = CheckClasses(p.s, {choice, 5001}, 1, 5001, 9000);
		// A VM exit, KVM's work and a VM entry with its delivery are long
		// steps: an NMI due anywhere in one is taken at its end. Once the
		// guest runs again (from about 8500) it looks every cycle, and every
		// time is a run of its own.
		EXPECT_LT(classes, 4000u / 2) << "too little collapsed";
		EXPECT_GT(classes, 400u) << "times at which the guest runs must stay apart";
	}
}

const char *const kNested = R"(cpu nehalem
l0 kvm-2011
guest L1
  idt 32 timer interrupt-gate
  exit-handler on_exit
main:   vmlaunch
        work 100
on_exit: vmread VM_EXIT_REASON
        sti
        work 200
        cli
        vmresume
timer:  work 150
        eoi
        iret
guest L2
  vmcs VM_EXIT_CONTROLS 0
main:   work 1000
        jmp main
at 0..4000 irq 32 -> L1 cpu0
run 60000
expect no lost_event
)";

TEST(ExploreCollapse, NestedInterruptForL1EveryClassIsOneRun)
{
	Parsed p(kNested);
	ASSERT_NE(p.s, nullptr);
	uint64_t classes = CheckClasses(p.s, {0}, 0, 0, 4000);
	EXPECT_LT(classes, 4001u);
}

// An `on` delay collapses the same way: the due time is the trigger's time plus the delay.
TEST(ExploreCollapse, DelayAfterATriggerEveryClassIsOneRun)
{
	const std::string text = std::string(kSoftVnmi).replace(kSoftVnmi.find("at 5001..9000"),
	                                                         std::strlen("at 5001..9000"),
	                                                         "on deliver nmi +0..1500");
	Parsed p(text);
	ASSERT_NE(p.s, nullptr);
	ASSERT_EQ(p.s->vars[1].kind, SCN_VAR_DELAY);
	uint64_t classes = CheckClasses(p.s, {1, 0}, 1, 0, 1500);
	EXPECT_LT(classes, 1501u);
	// The handler runs in the guest after the trigger (the first delivery):
	// a stimulus due then is taken at its own boundary, not at the next exit.
	EXPECT_GT(classes, 500u) << "delays that land while the guest runs must stay apart";
}

// A vCPU halted in the host wakes at the due time itself: nothing collapses there.
TEST(ExploreCollapse, ArrivalsWhileHaltedAreEachTheirOwnRun)
{
	Parsed p(std::string(kHaltingGuest) + R"(at 3000..3200 nmi -> L1 cpu0
run 20000
)");
	ASSERT_NE(p.s, nullptr);
	PointRun r = RunAt(p.s, {3100});
	EXPECT_EQ(r.slack[0], 0u) << "a halted vCPU takes the NMI when it arrives";
	EXPECT_EQ(CheckClasses(p.s, {3000}, 0, 3000, 3200), 201u);
}

// Several vCPUs advance in windows that depend on the due time: no collapsing at all.
TEST(ExploreCollapse, SeveralVcpusNeverCollapse)
{
	Parsed p(R"(cpu nehalem
l0 kvm-modern
vcpus 2
guest L1
  idt 2 nmi interrupt-gate
main:   work 1000
        jmp main
nmi:    work 100
        iret
at 3000..3100 nmi -> L1 cpu1
run 20000
)");
	ASSERT_NE(p.s, nullptr);
	for (uint64_t t = 3000; t <= 3100; t += 25)
		EXPECT_EQ(RunAt(p.s, {t}).slack[0], 0u) << t;
}

// A stimulus after the end of the run never arrives: UINT64_MAX, and so would every later time.
TEST(ExploreCollapse, AStimulusThatNeverArrivesSaysSo)
{
	Parsed p(kNested);
	ASSERT_NE(p.s, nullptr);
	EXPECT_EQ(RunAt(p.s, {70000}).slack[0], UINT64_MAX);
}

// ---- the walk over two arrival times ----------------------------------------

struct Visits {
	std::vector<std::vector<uint64_t>> points;
};

void Record(void *ctx, const uint64_t *value)
{
	auto *v = static_cast<Visits *>(ctx);
	v->points.emplace_back(value, value + 2);
}

TEST(ExploreCollapse, TheWalkOverTwoTimesMeetsEveryDistinctRun)
{
	Parsed p(kSoftVnmiGuest + R"(nmi:    sti
        work 700
        iret
at 4950..5050 nmi -> L1 cpu0
at 6600..6900 nmi -> L1 cpu0
run 20000
)");
	ASSERT_NE(p.s, nullptr);
	vmxsim_explore_options o{};
	explore_space sp;
	ASSERT_TRUE(explore_space_init(&sp, p.s, &o, stderr));
	Visits seen;
	sp.visit = Record;
	sp.visit_ctx = &seen;
	uint64_t runs = 0;
	for (uint64_t u = 0; u < sp.units; u++) {
		explore_unit_result r{};
		explore_run_unit(&sp, u, &r, nullptr);
		ASSERT_TRUE(r.done);
		runs += r.runs;
		explore_unit_free(&r);
	}
	ASSERT_EQ(runs, seen.points.size());
	std::set<std::string> walked, all;
	for (const auto &pt : seen.points)
		walked.insert(RunAt(p.s, pt).trace);
	for (uint64_t a = 4950; a <= 5050; a++)
		for (uint64_t b = 6600; b <= 6900; b++)
			all.insert(RunAt(p.s, {a, b}).trace);
	EXPECT_EQ(walked, all) << "the walk skipped a run that some point of the space gives";
	EXPECT_LT(runs, 101u * 301u / 2) << "the walk should run far fewer points than the space has";
}

} // namespace
