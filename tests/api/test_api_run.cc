/* SPDX-License-Identifier: Apache-2.0 */
// The public API as an embedder uses it, through libvmxsim.so: reading
// scenarios, whole runs, sessions driven from outside, event watchers.
#include <sys/stat.h>

#include <cstring>
#include <string>
#include <vector>

#include "api_util.h"

using namespace api_util;

namespace {

TEST(ApiVersion, TheLibraryIsTheHeadersVersion)
{
	EXPECT_STREQ(vmxsim_version(), VMXSIM_VERSION_STRING);
	EXPECT_EQ(std::to_string(VMXSIM_VERSION_MAJOR) + "." + std::to_string(VMXSIM_VERSION_MINOR) + "." +
	              std::to_string(VMXSIM_VERSION_PATCH),
	          VMXSIM_VERSION_STRING);
}

TEST(ApiScenario, ParseGivesItsNameSummaryAndCounts)
{
	vmxsim_scenario *s = Parse(NmiWindow(kTwoNmis), "mine.scn");
	ASSERT_NE(s, nullptr);
	EXPECT_STREQ(vmxsim_scenario_name(s), "mine.scn");
	EXPECT_STREQ(vmxsim_scenario_summary(s), "nmi-window: a second NMI waits for the first handler's IRET.");
	EXPECT_EQ(vmxsim_scenario_vcpus(s), 1u);
	EXPECT_EQ(vmxsim_scenario_expects(s), 1u);
	EXPECT_EQ(vmxsim_scenario_variables(s), 0u);
	vmxsim_scenario_free(s);

	s = Parse(NmiWindow("at 1000..1999 nmi -> L1 cpu0\n"));
	ASSERT_NE(s, nullptr);
	EXPECT_EQ(vmxsim_scenario_variables(s), 1u) << "a range is a variable for explore";
	vmxsim_scenario_free(s);
	vmxsim_scenario_free(nullptr);   // like free()
}

TEST(ApiScenario, AnErrorIsLocated)
{
	const std::string bad = "cpu nehalem\nl0 plain\nrun 10 parsecs\n";
	vmxsim_error err{};

	EXPECT_EQ(vmxsim_scenario_parse(bad.data(), bad.size(), "bad.scn", &err), nullptr);
	EXPECT_EQ(err.line, 3u);
	EXPECT_GT(err.col, 0u);
	EXPECT_EQ(std::string(err.text).rfind("bad.scn:3:" + std::to_string(err.col) + ": ", 0), 0u) << err.text;
	// err may be NULL.
	EXPECT_EQ(vmxsim_scenario_parse(bad.data(), bad.size(), "bad.scn", nullptr), nullptr);
}

TEST_F(Scratch, AnUnreadableFileIsAnErrorAtLineZero)
{
	vmxsim_error err{};

	EXPECT_EQ(vmxsim_scenario_load("nowhere.scn", &err), nullptr);
	EXPECT_EQ(err.line, 0u);
	EXPECT_EQ(std::string(err.text).rfind("nowhere.scn: cannot open: ", 0), 0u) << err.text;
	std::filesystem::create_directory("folder.scn");
	EXPECT_EQ(vmxsim_scenario_load("folder.scn", &err), nullptr);
	EXPECT_EQ(std::string(err.text).rfind("folder.scn: cannot read: ", 0), 0u) << err.text;
}

TEST(ApiFormat, NamesRoundTrip)
{
	const char *names[] = {"text", "jsonl", "vcd", "perfetto", "ftrace", "trace-dat", "ftrace-ns", "trace-dat7"};
	for (int f = 0; f < 8; f++) {
		EXPECT_STREQ(vmxsim_format_name(vmxsim_format(f)), names[f]);
		EXPECT_EQ(vmxsim_format_lookup(names[f]), f);
	}
	EXPECT_EQ(vmxsim_format_name(vmxsim_format(8)), nullptr);
	EXPECT_EQ(vmxsim_format_lookup("txt"), -1);
	EXPECT_EQ(vmxsim_format_lookup(nullptr), -1);
}

TEST_F(Scratch, RunToAStreamAndToAPathGiveTheSameTrace)
{
	vmxsim_scenario *s = Parse(NmiWindow(kTwoNmis));
	std::FILE *f = std::tmpfile();
	vmxsim_run_options ro{};
	vmxsim_result res{};

	ro.trace = f;
	EXPECT_EQ(vmxsim_run(s, &ro, &res), VMXSIM_OK);
	EXPECT_EQ(res.status, VMXSIM_OK);
	EXPECT_EQ(res.cycles, 30000u);
	EXPECT_EQ(res.tsc_hz, 2930000000u) << "nehalem's TSC runs at 2.93 GHz (vmcs/cpu_model.c)";
	EXPECT_EQ(res.expects, 1u);
	EXPECT_EQ(res.expects_failed, 0u);
	EXPECT_GT(res.exits, 0u);
	EXPECT_EQ(res.injections, 2u);
	const std::string text = Contents(f);
	std::fclose(f);
	EXPECT_NE(text.find("reason=NMI_WINDOW"), std::string::npos) << text;

	ro = {};
	ro.trace_path = "t.trace";
	EXPECT_EQ(vmxsim_run(s, &ro, nullptr), VMXSIM_OK);
	EXPECT_EQ(ReadFile("t.trace"), text);
	struct stat st;
	ASSERT_EQ(stat("t.trace", &st), 0);
	EXPECT_EQ(st.st_mode & 0644, 0644u) << "a trace is an ordinary readable file";

	// Another format, the same run.
	ro.format = VMXSIM_FORMAT_JSONL;
	EXPECT_EQ(vmxsim_run(s, &ro, nullptr), VMXSIM_OK);
	EXPECT_EQ(ReadFile("t.trace").rfind("{\"cycle\":0,", 0), 0u);
	vmxsim_scenario_free(s);
}

TEST_F(Scratch, ATracePathInAMissingFolderIsRefusedAndNothingIsMade)
{
	vmxsim_scenario *s = Parse(NmiWindow(kTwoNmis));
	std::FILE *diag = std::tmpfile();
	vmxsim_run_options ro{};
	vmxsim_result res{};

	ro.trace_path = "no/such/t.trace";
	ro.diag = diag;
	EXPECT_EQ(vmxsim_run(s, &ro, &res), VMXSIM_BAD_INPUT);
	EXPECT_EQ(res.status, VMXSIM_BAD_INPUT);
	EXPECT_FALSE(std::filesystem::exists("no"));
	EXPECT_EQ(Contents(diag), "no/such/t.trace: no such directory: no/such\n");
	std::fclose(diag);
	vmxsim_scenario_free(s);
}

TEST_F(Scratch, AFailedExpectationFailsTheRunAndSaysWhyUnlessQuiet)
{
	vmxsim_scenario *s = Parse(NmiWindow(kTwoNmis, 2));   // it has one NMI-window exit, not two
	std::FILE *diag = std::tmpfile();
	vmxsim_run_options ro{};
	vmxsim_result res{};

	ro.diag = diag;
	EXPECT_EQ(vmxsim_run(s, &ro, &res), VMXSIM_FAILED);
	EXPECT_EQ(res.expects_failed, 1u);
	EXPECT_NE(Contents(diag).find("t.scn:17:"), std::string::npos) << Contents(diag);
	std::fclose(diag);

	diag = std::tmpfile();
	ro.diag = diag;
	ro.quiet = true;
	EXPECT_EQ(vmxsim_run(s, &ro, &res), VMXSIM_FAILED);
	EXPECT_EQ(res.expects_failed, 1u) << "quiet still counts";
	EXPECT_EQ(Contents(diag), "");
	std::fclose(diag);
	vmxsim_scenario_free(s);
}

TEST_F(Scratch, MaxCyclesCutsTheRun)
{
	vmxsim_scenario *s = Parse(NmiWindow(kTwoNmis));
	vmxsim_run_options ro{};
	vmxsim_result res{};

	ro.max_cycles = 2000;
	ro.quiet = true;
	vmxsim_run(s, &ro, &res);
	EXPECT_EQ(res.cycles, 2000u);
	vmxsim_scenario_free(s);
}

// ---- sessions ----

struct Seen {
	std::vector<std::string> lines;
	std::vector<std::string> kinds;
	std::string last_origin;
	uint64_t nmi_window_exits = 0;
};

void Watch(void *ctx, const vmxsim_event *ev)
{
	Seen *seen = static_cast<Seen *>(ctx);
	char buf[64];
	uint64_t v;

	seen->lines.push_back(ev->text);
	seen->kinds.push_back(ev->kind);
	if (!std::strcmp(ev->kind, "stimulus") && vmxsim_event_field(ev, "origin", buf, sizeof(buf)))
		seen->last_origin = buf;
	if (!std::strcmp(ev->kind, "vmexit") && vmxsim_event_field(ev, "reason", buf, sizeof(buf)) &&
	    !std::strcmp(buf, "NMI_WINDOW"))
		seen->nmi_window_exits++;
	EXPECT_FALSE(vmxsim_event_uint(ev, "no-such-field", &v));
	EXPECT_EQ(vmxsim_event_field(ev, "no-such-field", buf, sizeof(buf)), nullptr);
}

// A guest that computes for 10^17 cycles: nothing ends it but a stop.
const char kEndless[] = "cpu nehalem\nl0 kvm-modern\nguest L1\nmain: work 1000\n      jmp main\n"
                        "run 100000000000000000\nexpect count exit HLT == 1\n";

// The interrupt flag (what a SIGINT handler sets) stops a run at its next
// poll, at most MACHINE_POLL_CYCLES (65536) cycles in: the trace ends
// there with `end stopped=1`, nothing is judged (the expectation would
// fail), and the status says interrupted.
TEST_F(Scratch, AnInterruptStopsARunAndNothingIsJudged)
{
	vmxsim_scenario *s = Parse(kEndless);
	std::FILE *diag = std::tmpfile();
	static volatile sig_atomic_t flag = 1;
	vmxsim_run_options ro{};
	vmxsim_result res{};

	ro.trace_path = "t.trace";
	ro.diag = diag;
	ro.interrupt = &flag;
	EXPECT_EQ(vmxsim_run(s, &ro, &res), VMXSIM_INTERRUPTED);
	EXPECT_GT(res.stopped_at, 0u);
	EXPECT_LE(res.stopped_at, 65536u + 2000u) << "the first poll, a slice of 65536 cycles in";
	EXPECT_EQ(res.expects_failed, 0u) << "a run stopped early is not judged";
	const std::string trace = ReadFile("t.trace");
	EXPECT_NE(trace.find(" cpu0 L0 end           stopped=1 exits=0 violations=0\n"), std::string::npos) << trace;
	const std::string said = Contents(diag);
	EXPECT_NE(said.find("t.scn: interrupted at cycle " + std::to_string(res.stopped_at) +
	                    " of 100000000000000000: the trace has what ran until then; expectations not judged"),
	          std::string::npos)
	    << said;
	std::fclose(diag);
	vmxsim_scenario_free(s);
}

// An NMI every cycle for 10^9 cycles would write ~100 GB: the trace size
// limit stops it just past the limit, the file kept as far as it got.
TEST_F(Scratch, ATraceOverItsSizeLimitStopsTheRun)
{
	vmxsim_scenario *s = Parse("cpu nehalem\nl0 kvm-modern\nguest L1\n  idt 2 h interrupt-gate\n"
	                           "main: work 1000\n      jmp main\nh:    iret\nevery 1 nmi -> L1 cpu0\n"
	                           "run 1000000000\n");
	std::FILE *diag = std::tmpfile();
	vmxsim_run_options ro{};
	vmxsim_result res{};

	ro.trace_path = "t.trace";
	ro.diag = diag;
	ro.max_trace_bytes = 64 * 1024;
	EXPECT_EQ(vmxsim_run(s, &ro, &res), VMXSIM_BAD_INPUT);
	EXPECT_GT(res.stopped_at, 0u);
	struct stat st;
	ASSERT_EQ(stat("t.trace", &st), 0);
	EXPECT_GT(st.st_size, 64 * 1024);
	EXPECT_LT(st.st_size, 4 * 1024 * 1024) << "it stops soon after the limit, within 4096 stimuli";
	EXPECT_NE(Contents(diag).find("the trace outgrew its limit of 65536 bytes"), std::string::npos);
	std::fclose(diag);
	vmxsim_scenario_free(s);
}

TEST(ApiSession, StimuliRaisedFromOutsideGiveTheScenariosOwnRun)
{
	// The same two NMIs, written in the scenario and raised through the session.
	vmxsim_scenario *written = Parse(NmiWindow(kTwoNmis));
	vmxsim_scenario *bare = Parse(NmiWindow(kTwoNmis));
	std::FILE *a = std::tmpfile(), *b = std::tmpfile();
	vmxsim_run_options ro{};
	vmxsim_result ra{}, rb{};
	Seen seen;

	ro.trace = a;
	ASSERT_EQ(vmxsim_run(written, &ro, &ra), VMXSIM_OK);

	ro.trace = b;
	vmxsim_session *ss = vmxsim_session_open(bare, &ro, VMXSIM_SESSION_NO_STIMULI);
	ASSERT_NE(ss, nullptr);
	EXPECT_EQ(vmxsim_session_end(ss), 30000u);
	EXPECT_EQ(vmxsim_session_tsc_hz(ss), 2930000000u);
	EXPECT_EQ(vmxsim_session_vcpus(ss), 1u);
	EXPECT_EQ(vmxsim_session_now(ss), 0u);
	ASSERT_TRUE(vmxsim_session_watch(ss, Watch, &seen));

	vmxsim_stimulus st{};
	st.kind = VMXSIM_STIM_NMI;
	st.level = 1;
	st.cpu = 0;
	st.origin = "scenario";
	EXPECT_TRUE(vmxsim_session_raise(ss, &st, 1000));
	vmxsim_session_run_until(ss, 2000);
	EXPECT_GE(vmxsim_session_now(ss), 2000u);
	EXPECT_TRUE(vmxsim_session_raise(ss, &st, 3000));
	EXPECT_EQ(vmxsim_session_close(ss, &rb), VMXSIM_OK);

	EXPECT_EQ(Contents(b), Contents(a)) << "a stimulus raised ahead of its time is the scenario's own";
	EXPECT_EQ(rb.exits, ra.exits);
	EXPECT_EQ(seen.nmi_window_exits, 1u);
	EXPECT_EQ(seen.last_origin, "scenario");
	// The watcher sees every event the trace has, as its lines.
	std::string joined;
	for (const std::string &l : seen.lines)
		joined += l + "\n";
	EXPECT_EQ(joined, Contents(b));
	std::fclose(a);
	std::fclose(b);
	vmxsim_scenario_free(written);
	vmxsim_scenario_free(bare);
}

TEST(ApiSession, RefusesWhatTheMachineDoesNotHave)
{
	vmxsim_scenario *s = Parse(NmiWindow(""));
	vmxsim_run_options ro{};
	ro.quiet = true;
	vmxsim_session *ss = vmxsim_session_open(s, &ro, 0);
	ASSERT_NE(ss, nullptr);

	vmxsim_stimulus st{};
	st.kind = VMXSIM_STIM_NMI;
	st.level = 1;
	st.cpu = 1;   // there is only cpu0
	EXPECT_FALSE(vmxsim_session_raise(ss, &st, 100));
	st.cpu = 0;
	st.level = 2;   // nothing enters at L2: its events come in through L1's interrupt controller
	EXPECT_FALSE(vmxsim_session_raise(ss, &st, 100));
	st.level = 1;
	st.kind = vmxsim_stimulus_kind(7);
	EXPECT_FALSE(vmxsim_session_raise(ss, &st, 100));
	// INIT, SIPI and RESET reach only the pins of a bare-metal machine, not a guest of L0 nor L0's pins.
	for (uint32_t level : {0u, 1u}) {
		st.level = level;
		st.kind = VMXSIM_STIM_INIT;
		EXPECT_FALSE(vmxsim_session_raise(ss, &st, 100));
		st.kind = VMXSIM_STIM_SIPI;
		EXPECT_FALSE(vmxsim_session_raise(ss, &st, 100));
		st.kind = VMXSIM_STIM_RESET;
		EXPECT_FALSE(vmxsim_session_raise(ss, &st, 100));
	}

	// At most four watchers.
	Seen seen;
	for (int i = 0; i < 4; i++)
		EXPECT_TRUE(vmxsim_session_watch(ss, Watch, &seen));
	EXPECT_FALSE(vmxsim_session_watch(ss, Watch, &seen));
	EXPECT_FALSE(vmxsim_session_watch(ss, nullptr, nullptr));
	vmxsim_session_close(ss, nullptr);
	vmxsim_scenario_free(s);
}

void CountIrqVector(void *ctx, const vmxsim_event *ev)
{
	uint64_t v;
	if (!std::strcmp(ev->kind, "deliver") && vmxsim_event_uint(ev, "vector", &v))
		static_cast<std::vector<uint64_t> *>(ctx)->push_back(v);
}

TEST(ApiSession, AnInterruptRaisedFromOutsideIsDeliveredWithItsVector)
{
	const std::string text = "cpu nehalem\nl0 plain\n\nguest L1\n  idt 33 timer interrupt-gate\n"
	                         "main:   sti\nloop:   work 1000\n        jmp loop\ntimer:  eoi\n        iret\n\nrun 20000\n";
	vmxsim_scenario *s = Parse(text);
	vmxsim_run_options ro{};
	std::vector<uint64_t> vectors;

	vmxsim_session *ss = vmxsim_session_open(s, &ro, 0);
	ASSERT_NE(ss, nullptr);
	ASSERT_TRUE(vmxsim_session_watch(ss, CountIrqVector, &vectors));
	vmxsim_stimulus st{};
	st.kind = VMXSIM_STIM_IRQ;
	st.vector = 33;
	st.level = 1;
	EXPECT_TRUE(vmxsim_session_raise(ss, &st, 5000));
	EXPECT_EQ(vmxsim_session_close(ss, nullptr), VMXSIM_OK);
	EXPECT_EQ(vectors, std::vector<uint64_t>{33});
	vmxsim_scenario_free(s);
}

void CountExitReasons(void *ctx, const vmxsim_event *ev)
{
	char reason[32];
	if (!std::strcmp(ev->kind, "vmexit") && vmxsim_event_field(ev, "reason", reason, sizeof(reason)))
		static_cast<std::vector<std::string> *>(ctx)->push_back(reason);
}

TEST(ApiSession, AnInitAtThePinsOfABareMetalMachineExitsFromItsGuest)
{
	const std::string text = "cpu nehalem\nl0 none\n\nguest L1\n  exit-handler on_exit\nmain: vmlaunch\n"
	                         "on_exit: hlt\n\nguest L2\nloop: work 1000\n  jmp loop\n\nrun 20000\n";
	vmxsim_scenario *s = Parse(text);
	vmxsim_run_options ro{};
	std::vector<std::string> reasons;

	vmxsim_session *ss = vmxsim_session_open(s, &ro, 0);
	ASSERT_NE(ss, nullptr);
	ASSERT_TRUE(vmxsim_session_watch(ss, CountExitReasons, &reasons));
	vmxsim_stimulus st{};
	st.kind = VMXSIM_STIM_INIT;
	EXPECT_TRUE(vmxsim_session_raise(ss, &st, 5000));
	EXPECT_EQ(vmxsim_session_close(ss, nullptr), VMXSIM_OK);
	EXPECT_EQ(reasons, std::vector<std::string>{"INIT_SIGNAL"});
	vmxsim_scenario_free(s);
}

TEST_F(Scratch, ASessionWritesItsTraceFileOnlyWhenItCloses)
{
	vmxsim_scenario *s = Parse(NmiWindow(kTwoNmis));
	vmxsim_run_options ro{};

	WriteFile("t.trace", "before\n");
	ro.trace_path = "t.trace";
	vmxsim_session *ss = vmxsim_session_open(s, &ro, 0);
	ASSERT_NE(ss, nullptr);
	vmxsim_session_run_until(ss, 10000);
	EXPECT_EQ(ReadFile("t.trace"), "before\n") << "a reader never sees half a trace";
	EXPECT_EQ(vmxsim_session_close(ss, nullptr), VMXSIM_OK);
	EXPECT_EQ(ReadFile("t.trace").rfind("           0 cpu0 L1 vmentry", 0), 0u);
	EXPECT_EQ(std::distance(std::filesystem::directory_iterator("."), std::filesystem::directory_iterator()), 1)
	    << "no temporary file is left";
	vmxsim_scenario_free(s);
}

} // namespace
