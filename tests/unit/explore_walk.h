/* SPDX-License-Identifier: Apache-2.0 */
// A space walked unit by unit, its results as text (tests of lib/explore_*.c).
#ifndef VMXSIM_TESTS_EXPLORE_WALK_H
#define VMXSIM_TESTS_EXPLORE_WALK_H

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/scn_text.h"

extern "C" {
#include "lib/explore_internal.h"
}

namespace {

struct Space {
	Parsed p;
	explore_space sp{};
	bool ok = false;
	explicit Space(const std::string &text, bool plain = false, bool no_shift = false, bool verify_shift = false)
	    : p(text)
	{
		EXPECT_NE(p.s, nullptr) << p.where();
		vmxsim_explore_options o{};
		o.plain = plain;
		o.no_shift = no_shift;
		o.verify_shift = verify_shift;
		ok = p.s && explore_space_init(&sp, p.s, &o, stderr);
	}
};

struct Walked {
	std::vector<std::vector<uint64_t>> points;
	size_t nvars = 0;
};

void Record(void *ctx, const uint64_t *value)
{
	auto *w = static_cast<Walked *>(ctx);
	w->points.emplace_back(value, value + w->nvars);
}

enum class WalkMode {
	Plain,         // every run from cycle 0
	Branched,      // from snapshots, shifted runs taken
	NoShift,       // from snapshots, every run simulated
	VerifyShift,   // shifted runs taken, and each also simulated and compared
};

struct WalkCounts {
	uint64_t snapshots = 0, shifted = 0, mismatches = 0;
	uint32_t arrivals = 0;
};

// Every unit's results, as text, and the points walked.
std::string WalkAll(const std::string &text, WalkMode mode, Walked *w, WalkCounts *n)
{
	Space s(text, mode == WalkMode::Plain, mode == WalkMode::NoShift, mode == WalkMode::VerifyShift);
	std::string out;
	if (!s.ok)
		return out;
	n->arrivals = s.sp.ndims - s.sp.nplain;
	w->nvars = s.p.s->nvars;
	s.sp.visit = Record;
	s.sp.visit_ctx = w;
	for (uint64_t u = 0; u < s.sp.units; u++) {
		explore_unit_result r{};
		explore_run_unit(&s.sp, u, &r, nullptr);
		EXPECT_TRUE(r.done);
		n->snapshots += r.snapshots;
		n->shifted += r.shifted;
		n->mismatches += r.shift_mismatches;
		out += "unit " + std::to_string(u) + ": runs " + std::to_string(r.runs) + " points " +
		       std::to_string(r.points) + (r.bad ? " bad" : "") + "\n";
		for (uint32_t i = 0; i < r.nfail; i++) {
			out += std::string("  ") + r.fail[i].key + " x" + std::to_string(r.fail[i].runs) + " least";
			for (size_t v = 0; v < s.p.s->nvars; v++)
				out += " " + std::to_string(r.fail[i].least[v]);
			out += "\n";
		}
		for (uint32_t i = 0; i < r.spans.n; i++)
			out += "  span " + std::to_string(r.spans.v[i].fail) + " " + std::to_string(r.spans.v[i].combo) + " " +
			       std::to_string(r.spans.v[i].lo) + ".." + std::to_string(r.spans.v[i].hi) + "\n";
		explore_unit_free(&r);
	}
	return out;
}

// L1 launches L2 under kvm-2011 and takes interrupt 32; L2 makes hypercalls or spins (`spin` cycles a turn).
std::string NestedL1Space(unsigned spin, unsigned hypercall, const std::string &tail)
{
	return "cpu nehalem\nl0 kvm-2011\nguest L1\n  idt 32 timer interrupt-gate\n  exit-handler on_exit\n"
	       "main:   vmlaunch\n        work 100\non_exit: vmread VM_EXIT_REASON\n        sti\n        work 200\n"
	       "        cli\n        vmresume\ntimer:  work 150\n        eoi\n        iret\nguest L2\n"
	       "  vmcs VM_EXIT_CONTROLS 0\nmain:   choose hypercalls | spin\nspin:   work " +
	       std::to_string(spin) + "\n        jmp spin\nhypercalls: work " + std::to_string(hypercall) +
	       "\n        vmcall\n        jmp hypercalls\n" + tail;
}

} // namespace

#endif
