/* SPDX-License-Identifier: Apache-2.0 */
// Snapshots of a session (vmxsim_session_snapshot / _restore): a run put
// back at a point it passed and run on again gives the same events, byte
// for byte, as the run that never went back - on bare metal, under the
// 2008 soft-vNMI KVM, under nested modern KVM, with several vCPUs.
#include <string>
#include <vector>

#include "api_util.h"

using namespace api_util;

namespace {

struct Lines {
	std::vector<std::string> v;
};

void Collect(void *ctx, const vmxsim_event *ev)
{
	static_cast<Lines *>(ctx)->v.emplace_back(ev->text);
}

struct Outcome {
	std::vector<std::string> lines;
	vmxsim_result res{};
};

vmxsim_scenario *Load(const std::string &rel)
{
	vmxsim_error err{};
	vmxsim_scenario *s = vmxsim_scenario_load((std::string(VMXSIM_SOURCE_DIR) + "/scenarios/" + rel).c_str(), &err);
	EXPECT_NE(s, nullptr) << err.text;
	return s;
}

// The run stepped through `stops` (a stop is one more window edge for several vCPUs: both runs make the same ones).
Outcome Straight(const vmxsim_scenario *s, const std::vector<uint64_t> &stops)
{
	Outcome o;
	Lines l;
	vmxsim_run_options opt{};
	vmxsim_session *ss = vmxsim_session_open(s, &opt, 0);
	EXPECT_NE(ss, nullptr);
	if (!ss)
		return o;
	EXPECT_TRUE(vmxsim_session_watch(ss, Collect, &l));
	for (uint64_t t : stops)
		vmxsim_session_run_until(ss, t);
	vmxsim_session_close(ss, &o.res);
	o.lines = l.v;
	return o;
}

// The same stops, but at stop `at` a snapshot; the run goes on to the end, comes back, goes on
// to stop `at + 1`, comes back once more, and only then runs on to its end.
Outcome WithDetours(const vmxsim_scenario *s, const std::vector<uint64_t> &stops, size_t at)
{
	Outcome o;
	Lines l;
	vmxsim_run_options opt{};
	vmxsim_session *ss = vmxsim_session_open(s, &opt, 0);
	EXPECT_NE(ss, nullptr);
	if (!ss)
		return o;
	EXPECT_TRUE(vmxsim_session_watch(ss, Collect, &l));
	for (size_t i = 0; i <= at; i++)
		vmxsim_session_run_until(ss, stops[i]);
	vmxsim_snapshot *snap = vmxsim_session_snapshot(ss);
	EXPECT_NE(snap, nullptr);
	EXPECT_EQ(vmxsim_snapshot_now(snap), vmxsim_session_now(ss));
	const size_t kept = l.v.size();
	vmxsim_session_run_until(ss, vmxsim_session_end(ss));
	EXPECT_TRUE(vmxsim_session_restore(ss, snap));
	EXPECT_EQ(vmxsim_session_now(ss), vmxsim_snapshot_now(snap));
	l.v.resize(kept);
	if (at + 1 < stops.size()) {
		vmxsim_session_run_until(ss, stops[at + 1]);
		EXPECT_TRUE(vmxsim_session_restore(ss, snap));
		l.v.resize(kept);
	}
	for (size_t i = at + 1; i < stops.size(); i++)
		vmxsim_session_run_until(ss, stops[i]);
	vmxsim_session_close(ss, &o.res);
	vmxsim_snapshot_free(snap);
	o.lines = l.v;
	return o;
}

class Snapshot : public ::testing::TestWithParam<const char *> {};

TEST_P(Snapshot, ARestoredRunGoesOnAsTheRunThatNeverWentBack)
{
	vmxsim_scenario *s = Load(GetParam());
	ASSERT_NE(s, nullptr);
	vmxsim_run_options opt{};
	vmxsim_session *probe = vmxsim_session_open(s, &opt, 0);
	ASSERT_NE(probe, nullptr);
	const uint64_t end = vmxsim_session_end(probe);
	vmxsim_session_close(probe, nullptr);
	// Stops spread over the run, some inside whatever the processors are busy with.
	const std::vector<uint64_t> stops = {end / 7, end / 3 + 13, end / 2 + 101, (end * 4) / 5};
	for (size_t at = 0; at < stops.size(); at++) {
		Outcome a = Straight(s, stops), b = WithDetours(s, stops, at);
		ASSERT_GT(a.lines.size(), 10u);
		EXPECT_EQ(a.lines, b.lines) << GetParam() << ": snapshot at " << stops[at];
		EXPECT_EQ(a.res.status, b.res.status);
		EXPECT_EQ(a.res.exits, b.res.exits);
		EXPECT_EQ(a.res.entries, b.res.entries);
		EXPECT_EQ(a.res.events, b.res.events);
		EXPECT_EQ(a.res.violations, b.res.violations);
		EXPECT_EQ(a.res.expects_failed, b.res.expects_failed);
	}
	vmxsim_scenario_free(s);
}

INSTANTIATE_TEST_SUITE_P(Shipped, Snapshot,
                         ::testing::Values("hw/apic-timer-periodic.scn",      // bare metal
                                           "hw/apicv-posted-running.scn",     // bare metal, posted interrupts
                                           "soft-vnmi/basic.scn",             // kvm-2008, soft vNMI
                                           "nested/ack-on-exit-modern.scn",   // kvm-modern, nested L1
                                           "nested/l2-hlt-modern.scn",        // kvm-modern, nested, L2 halts
                                           "hw/init-sipi-ap.scn",             // two vCPUs, bare metal
                                           "hw/smp-ipi.scn",                  // two vCPUs, plain L0
                                           "soft-vnmi/smp-nmi-ipi.scn"));     // several vCPUs under KVM

// One vCPU: the stops make no difference, so the restored run is also the whole run in one go.
TEST(Snapshot, OneVcpuRestoredIsTheWholeRun)
{
	vmxsim_scenario *s = Load("soft-vnmi/basic.scn");
	ASSERT_NE(s, nullptr);
	Outcome whole = Straight(s, {}), b = WithDetours(s, {5000, 17000}, 0);
	EXPECT_EQ(whole.lines, b.lines);
	vmxsim_scenario_free(s);
}

// The parts of a guest's memory a snapshot puts back only when their write stamp says they changed (the
// IDT, the MSR-bitmap page: model/machine/snapshot.c) are written all through this run, between every
// snapshot and its restore: the run that went back must still go on as the one that never did.
TEST(Snapshot, IdtAndMsrBitmapWrittenAfterTheSnapshotAreTakenBack)
{
	// L2 takes INT3s through a present gate and writes the timer's count unintercepted; at its VMCALL
	// (about cycle 8,800) L1 sets the count's write bit, and after a few more INT3s L2 clears gate 3.
	// Every WRMSR after the first is an exit and the last INT3 a #NP exit: a restore that left either
	// part as the run after the snapshot had written it would change what follows.
	std::string l2 = "main:   work 800\n";
	for (int i = 0; i < 8; i++)
		l2 += "        int3\n        wrmsr IA32_X2APIC_INIT_COUNT 0\n        work 800\n";
	l2 += "        vmcall\n";
	for (int i = 0; i < 8; i++)
		l2 += "        int3\n        wrmsr IA32_X2APIC_INIT_COUNT 0\n        work 800\n";
	l2 += "        clear-idt 3\n        int3\n        hlt\nbp:     inc r8\n        record r8\n        iret\n";
	const std::string text = "cpu nehalem\nl0 none\n"
	                         "guest L1\n  exit-handler on_exit\nmain:   vmlaunch\n"
	                         "on_exit: vmread rbx VM_EXIT_REASON\n        record rbx\n        cmp rbx 18\n"
	                         "        jne skip\n        msr-bitmap-set write IA32_X2APIC_INIT_COUNT\n"
	                         "skip:   vmread rcx GUEST_RIP\n        vmread rdx VM_EXIT_INSTRUCTION_LEN\n"
	                         "        add rcx rdx\n        cmp rbx 0\n        je done\n        vmwrite GUEST_RIP rcx\n"
	                         "        vmresume\ndone:   hlt\n"
	                         "guest L2\n  vmcs CPU_BASED_VM_EXEC_CONTROL CPU_BASED_USE_MSR_BITMAPS\n"
	                         "  vmcs EXCEPTION_BITMAP 0x800\n  idt 3 bp interrupt-gate\n" + l2 + "run 40000\n";
	vmxsim_error err{};
	vmxsim_scenario *s = vmxsim_scenario_parse(text.data(), text.size(), "stamped.scn", &err);
	ASSERT_NE(s, nullptr) << err.text;
	const std::vector<uint64_t> stops = {3000, 7000, 12345, 16000};
	for (size_t at = 0; at < stops.size(); at++) {
		Outcome a = Straight(s, stops), b = WithDetours(s, stops, at);
		ASSERT_GT(a.lines.size(), 40u);
		EXPECT_EQ(a.lines, b.lines) << "snapshot at " << stops[at];
	}
	vmxsim_scenario_free(s);
}

// The monitors' rows a snapshot puts back only when their write stamp says so (monitor_rows in
// snapshot.c): an NMI and an interrupt raised after the snapshot and never delivered leave their counts
// in the lost-event monitor's rows and the irq-latency monitor's requests, which the verdicts and
// summaries at the end show; the run that went back must show the straight run's.
TEST(Snapshot, MonitorRowsWrittenAfterTheSnapshotAreTakenBack)
{
	// The interrupt waits for the STI (its request is in the irq-latency monitor's row at the 5000 stop);
	// the second NMI waits behind the first's handler, which never returns.
	const std::string text = "cpu nehalem\nl0 kvm-modern\nguest L1\n  idt 2 nmi interrupt-gate\n"
	                         "  idt 40 irq interrupt-gate\nmain:   cli\n        work 3000\n        sti\n"
	                         "        work 100000\nnmi:    work 100000\nirq:    eoi\n        iret\n"
	                         "at 3500 irq 40 -> L1 cpu0\nat 9000 nmi -> L1 cpu0\nat 12000 nmi -> L1 cpu0\nrun 20000\n";
	vmxsim_error err{};
	vmxsim_scenario *s = vmxsim_scenario_parse(text.data(), text.size(), "rows.scn", &err);
	ASSERT_NE(s, nullptr) << err.text;
	const std::vector<uint64_t> stops = {2000, 5000, 10000};
	for (size_t at = 0; at < stops.size(); at++) {
		Outcome a = Straight(s, stops), b = WithDetours(s, stops, at);
		EXPECT_EQ(a.lines, b.lines) << "snapshot at " << stops[at];
		EXPECT_EQ(a.res.violations, b.res.violations);
	}
	Outcome a = Straight(s, stops);
	bool lost = false;
	for (const std::string &l : a.lines)
		lost |= l.find("kind=lost_event") != std::string::npos && l.find("raised=2 delivered=1") != std::string::npos;
	EXPECT_TRUE(lost) << "the second NMI waits behind the first's handler, which never returns";
	EXPECT_EQ(a.res.violations, 1u) << "the lost NMI, and no duplicate delivery of the interrupt";
	vmxsim_scenario_free(s);
}

// A snapshot goes back only where it came from; a session writing a trace is not saved.
TEST(Snapshot, RefusedWhereItCannotHold)
{
	vmxsim_scenario *s = Load("soft-vnmi/basic.scn");
	ASSERT_NE(s, nullptr);
	vmxsim_run_options opt{};
	vmxsim_session *a = vmxsim_session_open(s, &opt, 0), *b = vmxsim_session_open(s, &opt, 0);
	ASSERT_NE(a, nullptr);
	ASSERT_NE(b, nullptr);
	vmxsim_session_run_until(a, 3000);
	vmxsim_snapshot *snap = vmxsim_session_snapshot(a);
	ASSERT_NE(snap, nullptr);
	EXPECT_FALSE(vmxsim_session_restore(b, snap));
	EXPECT_FALSE(vmxsim_session_restore(b, nullptr));
	vmxsim_snapshot_free(snap);
	vmxsim_snapshot_free(nullptr);
	vmxsim_session_close(a, nullptr);
	vmxsim_session_close(b, nullptr);

	std::FILE *f = std::tmpfile();
	opt.trace = f;
	vmxsim_session *w = vmxsim_session_open(s, &opt, 0);
	ASSERT_NE(w, nullptr);
	EXPECT_EQ(vmxsim_session_snapshot(w), nullptr) << "what the writer wrote cannot be taken back";
	vmxsim_session_close(w, nullptr);
	std::fclose(f);
	vmxsim_scenario_free(s);
}

} // namespace
