/* SPDX-License-Identifier: Apache-2.0 */
// The expectation checker (cli/expect): which trace events an event pattern
// of the scenario language matches, and the verdicts and messages of
// `expect` lines, on scenarios parsed from strings and synthetic events.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "front/scenario.h"
#include "model/trace/trace.h"
#include "vmcs/vmx_exit_reason.h"

extern "C" {
#include "lib/expect.h"
}

namespace {

// ---- expect_event_matches --------------------------------------------------

scn_event_pat Pat(scn_event ev, int arg = SCN_ANY, int level = SCN_ANY, int cpu = SCN_ANY, const char *kind = nullptr)
{
	scn_event_pat p{};
	p.ev = ev;
	p.arg = arg;
	p.level = level;
	p.cpu = cpu;
	p.kind = kind;
	return p;
}

trace_event Exit(const char *reason, uint32_t cpu = 0, uint32_t level = 1, bool failed = false)
{
	trace_event ev;
	trace_event_init(&ev, 100, cpu, level, TRACE_VMEXIT);
	trace_add_str(&ev, "reason", reason);
	if (failed)
		trace_add_bool(&ev, "failed_vmentry", true);
	trace_add_hex64(&ev, "qual", 0);
	return ev;
}

trace_event Simple(trace_kind k, uint32_t cpu = 0, uint32_t level = 1, uint64_t cycle = 100);

/* A failed VMRESUME as the processor traces it. */
trace_event VmResumeFail()
{
	trace_event ev = Simple(TRACE_VMFAIL);
	trace_add_str(&ev, "insn", "vmresume");
	return ev;
}

trace_event Simple(trace_kind k, uint32_t cpu, uint32_t level, uint64_t cycle)
{
	trace_event ev;
	trace_event_init(&ev, cycle, cpu, level, k);
	return ev;
}

trace_event Deliver(uint32_t vector, const char *type, uint32_t cpu = 0, uint32_t level = 1, uint64_t cycle = 100)
{
	trace_event ev;
	trace_event_init(&ev, cycle, cpu, level, TRACE_DELIVER);
	trace_add_uint(&ev, "vector", vector);
	trace_add_str(&ev, "type", type);
	trace_add_bool(&ev, "injected", true);
	return ev;
}

// As plain.c makes them: the hypervisor's decision, at level 0.
trace_event Inject(const char *type, uint32_t vector, uint32_t cpu = 0, uint64_t cycle = 100)
{
	trace_event ev;
	trace_event_init(&ev, cycle, cpu, 0, TRACE_INJECT);
	trace_add_str(&ev, "type", type);
	trace_add_uint(&ev, "vector", vector);
	trace_add_hex32(&ev, "intr_info", 0x80000000u | vector);
	return ev;
}

trace_event Violation(const char *kind, uint32_t cpu = 0, uint32_t level = 1, uint64_t cycle = 100)
{
	trace_event ev;
	trace_event_init(&ev, cycle, cpu, level, TRACE_VIOLATION);
	trace_add_str(&ev, "kind", kind);
	return ev;
}

bool Matches(const scn_event_pat &p, const trace_event &ev) { return expect_event_matches(&p, &ev); }

TEST(ExpectMatch, ExitByReason)
{
	const scn_event_pat p = Pat(SCN_EV_EXIT, EXIT_REASON_NMI_WINDOW);
	EXPECT_TRUE(Matches(p, Exit("NMI_WINDOW")));
	EXPECT_FALSE(Matches(p, Exit("INTERRUPT_WINDOW")));
	EXPECT_FALSE(Matches(p, Simple(TRACE_VMENTRY)));
	trace_event no_reason = Simple(TRACE_VMEXIT);
	EXPECT_FALSE(Matches(p, no_reason));
	EXPECT_TRUE(Matches(Pat(SCN_EV_EXIT, EXIT_REASON_EXTERNAL_INTERRUPT), Exit("EXTERNAL_INTERRUPT")));
	// A failed entry's exit still has its reason.
	EXPECT_TRUE(Matches(Pat(SCN_EV_EXIT, EXIT_REASON_INVALID_STATE), Exit("INVALID_STATE", 0, 1, true)));
	// A reason number without a name never matches.
	EXPECT_FALSE(Matches(Pat(SCN_EV_EXIT, 0xffff), Exit("0xffff")));
}

TEST(ExpectMatch, EntryAndEntryFail)
{
	const scn_event_pat entry = Pat(SCN_EV_ENTRY), fail = Pat(SCN_EV_ENTRY_FAIL);
	EXPECT_TRUE(Matches(entry, Simple(TRACE_VMENTRY)));
	EXPECT_FALSE(Matches(entry, Simple(TRACE_VMFAIL)));
	EXPECT_FALSE(Matches(entry, Exit("HLT")));
	trace_event launch = Simple(TRACE_VMFAIL), vmwrite = Simple(TRACE_VMFAIL);
	trace_add_str(&launch, "insn", "vmlaunch");
	trace_add_str(&vmwrite, "insn", "vmwrite");
	EXPECT_TRUE(Matches(fail, launch));
	// A failed VMWRITE is a VMfail but not a failed entry.
	EXPECT_FALSE(Matches(fail, vmwrite));
	EXPECT_FALSE(Matches(fail, Simple(TRACE_VMFAIL)));
	EXPECT_TRUE(Matches(fail, Exit("INVALID_STATE", 0, 1, true)));
	EXPECT_FALSE(Matches(fail, Exit("INVALID_STATE")));
	EXPECT_FALSE(Matches(fail, Simple(TRACE_VMENTRY)));
}

TEST(ExpectMatch, DeliverByVectorNmiOrAny)
{
	const scn_event_pat v32 = Pat(SCN_EV_DELIVER, 32), nmi = Pat(SCN_EV_DELIVER, SCN_NMI),
	                    any = Pat(SCN_EV_DELIVER, SCN_ANY), v2 = Pat(SCN_EV_DELIVER, 2);
	EXPECT_TRUE(Matches(v32, Deliver(32, "ext-intr")));
	EXPECT_TRUE(Matches(v32, Deliver(32, "soft-intr")));
	EXPECT_FALSE(Matches(v32, Deliver(33, "ext-intr")));
	EXPECT_TRUE(Matches(nmi, Deliver(2, "nmi")));
	EXPECT_FALSE(Matches(nmi, Deliver(2, "soft-intr")));   // `int 2` is not an NMI
	EXPECT_FALSE(Matches(v2, Deliver(2, "nmi")));           // the NMI is `deliver nmi`, not vector 2
	EXPECT_TRUE(Matches(v2, Deliver(2, "soft-intr")));
	EXPECT_TRUE(Matches(any, Deliver(2, "nmi")));
	EXPECT_TRUE(Matches(any, Deliver(14, "hw-exception")));
	EXPECT_FALSE(Matches(any, Inject("irq", 32)));
	EXPECT_FALSE(Matches(any, Simple(TRACE_IRET)));
}

TEST(ExpectMatch, InjectByVectorNmiOrAny)
{
	const scn_event_pat nmi = Pat(SCN_EV_INJECT, SCN_NMI), v32 = Pat(SCN_EV_INJECT, 32), any = Pat(SCN_EV_INJECT);
	EXPECT_TRUE(Matches(nmi, Inject("nmi", 2)));
	EXPECT_FALSE(Matches(nmi, Inject("irq", 32)));
	EXPECT_TRUE(Matches(v32, Inject("irq", 32)));
	EXPECT_TRUE(Matches(v32, Inject("ext-intr", 32)));   // a re-injected interrupt
	EXPECT_FALSE(Matches(v32, Inject("irq", 33)));
	EXPECT_FALSE(Matches(Pat(SCN_EV_INJECT, 2), Inject("nmi", 2)));
	EXPECT_TRUE(Matches(any, Inject("nmi", 2)));
	EXPECT_TRUE(Matches(any, Inject("hw-exception", 6)));
	EXPECT_FALSE(Matches(any, Deliver(32, "ext-intr")));
	EXPECT_FALSE(Matches(nmi, Deliver(2, "nmi")));
}

TEST(ExpectMatch, IretHltAndViolation)
{
	EXPECT_TRUE(Matches(Pat(SCN_EV_IRET), Simple(TRACE_IRET)));
	EXPECT_FALSE(Matches(Pat(SCN_EV_IRET), Simple(TRACE_HLT)));
	EXPECT_TRUE(Matches(Pat(SCN_EV_HLT), Simple(TRACE_HLT)));
	EXPECT_FALSE(Matches(Pat(SCN_EV_HLT), Simple(TRACE_WAKE)));

	const scn_event_pat nest = Pat(SCN_EV_VIOLATION, SCN_ANY, SCN_ANY, SCN_ANY, "nmi_nesting");
	EXPECT_TRUE(Matches(nest, Violation("nmi_nesting")));
	EXPECT_FALSE(Matches(nest, Violation("lost_event")));
	EXPECT_FALSE(Matches(nest, Simple(TRACE_VIOLATION)));   // no kind field
	EXPECT_TRUE(Matches(Pat(SCN_EV_VIOLATION), Violation("lost_event")));   // no kind: any verdict
	EXPECT_FALSE(Matches(Pat(SCN_EV_COUNT), Simple(TRACE_IRET)));
}

TEST(ExpectMatch, LevelAndCpuFilters)
{
	const scn_event_pat l1 = Pat(SCN_EV_EXIT, EXIT_REASON_HLT, SCN_L1), cpu1 = Pat(SCN_EV_EXIT, EXIT_REASON_HLT, SCN_ANY, 1),
	                    both = Pat(SCN_EV_DELIVER, SCN_NMI, SCN_L2, 3);
	EXPECT_TRUE(Matches(l1, Exit("HLT", 0, 1)));
	EXPECT_TRUE(Matches(l1, Exit("HLT", 5, 1)));
	EXPECT_FALSE(Matches(l1, Exit("HLT", 0, 0)));
	EXPECT_FALSE(Matches(l1, Exit("HLT", 0, 2)));
	EXPECT_TRUE(Matches(cpu1, Exit("HLT", 1, 0)));
	EXPECT_TRUE(Matches(cpu1, Exit("HLT", 1, 2)));
	EXPECT_FALSE(Matches(cpu1, Exit("HLT", 0, 1)));
	EXPECT_TRUE(Matches(both, Deliver(2, "nmi", 3, 2)));
	EXPECT_FALSE(Matches(both, Deliver(2, "nmi", 3, 1)));
	EXPECT_FALSE(Matches(both, Deliver(2, "nmi", 2, 2)));
	// Filters apply to every kind, verdicts included.
	EXPECT_FALSE(Matches(Pat(SCN_EV_VIOLATION, SCN_ANY, SCN_L1, 0, "lost_event"), Violation("lost_event", 0, 0)));
	EXPECT_TRUE(Matches(Pat(SCN_EV_IRET, SCN_ANY, SCN_L0), Simple(TRACE_IRET, 0, 0)));
}

// ---- judging scenarios -----------------------------------------------------

// The lines every test scenario starts with; expectations follow from line 9.
const char kHead[] =
	"# expect: synthetic events against expect lines.\n"   // 1
	"cpu nehalem\n"                                          // 2
	"l0 plain\n"                                             // 3
	"guest L1\n"                                             // 4
	"main: work 100\n"                                       // 5
	"      jmp main\n"                                       // 6
	"run 20000\n"                                            // 7
	"vcpus 2\n";                                             // 8

class ExpectJudge : public ::testing::Test {
protected:
	scn_scenario *s = nullptr;
	expect_sink x{};
	bool have_sink = false;

	void TearDown() override
	{
		if (have_sink)
			expect_sink_free(&x);
		scn_free(s);
	}
	// Parse kHead + expects; the sink converts times at 1 GHz (1 ns = 1 cycle).
	void Load(const std::string &expects, uint64_t tsc_hz = 1000000000ull)
	{
		std::string text = std::string(kHead) + expects;
		scn_error err{};
		s = scn_parse(text.data(), text.size(), "t.scn", &err);
		ASSERT_NE(s, nullptr) << err.line << ":" << err.col << ": " << err.msg;
		ASSERT_TRUE(expect_sink_init(&x, s, tsc_hz));
		have_sink = true;
		ASSERT_EQ(x.n, s->nexpects);
	}
	void Feed(const std::vector<trace_event> &evs)
	{
		for (const trace_event &e : evs)
			x.base.emit(&x.base, &e);
	}
	// Failures and the messages judge printed.
	uint32_t Judge(std::string *msgs)
	{
		char *mem = nullptr;
		size_t size = 0;
		FILE *f = open_memstream(&mem, &size);
		uint32_t failed = expect_sink_judge(&x, f);
		fclose(f);
		*msgs = std::string(mem, size);
		free(mem);
		return failed;
	}
};

TEST_F(ExpectJudge, NoExpectationsNoFailures)
{
	Load("");
	EXPECT_EQ(x.n, 0u);
	Feed({Violation("nmi_nesting")});
	std::string m;
	EXPECT_EQ(Judge(&m), 0u);
	EXPECT_EQ(m, "");
	EXPECT_EQ(expect_sink_judge(&x, nullptr), 0u);
}

TEST_F(ExpectJudge, VerdictHeldAndViolated)
{
	Load("expect no nmi_nesting\n"   // 9
	     "expect lost_event\n"       // 10
	     "expect no lost_event\n"    // 11
	     "  expect nmi_nesting\n");  // 12
	Feed({Violation("nmi_nesting"), Violation("nmi_nesting", 1, 2), Exit("HLT")});
	std::string m;
	EXPECT_EQ(Judge(&m), 2u);
	EXPECT_EQ(m, "t.scn:9:1: expectation failed: no nmi_nesting (the monitor reported it 2 times)\n"
	             "t.scn:10:1: expectation failed: lost_event (the monitor reported it 0 times)\n");
	// Without a diag stream it still counts.
	EXPECT_EQ(expect_sink_judge(&x, nullptr), 2u);
}

TEST_F(ExpectJudge, CountsWithEveryComparison)
{
	Load("expect count exit NMI_WINDOW == 2\n"    // 9  holds
	     "expect count exit NMI_WINDOW == 3\n"    // 10 fails
	     "expect count exit NMI_WINDOW != 2\n"    // 11 fails
	     "expect count exit NMI_WINDOW != 0\n"    // 12 holds
	     "expect count exit NMI_WINDOW < 2\n"     // 13 fails
	     "expect count exit NMI_WINDOW < 3\n"     // 14 holds
	     "expect count exit NMI_WINDOW <= 2\n"    // 15 holds
	     "expect count exit NMI_WINDOW <= 1\n"    // 16 fails
	     "expect count exit NMI_WINDOW > 1\n"     // 17 holds
	     "expect count exit NMI_WINDOW > 2\n"     // 18 fails
	     "expect count exit NMI_WINDOW >= 2\n"    // 19 holds
	     "expect count exit NMI_WINDOW >= 3\n");  // 20 fails
	Feed({Exit("NMI_WINDOW"), Exit("HLT"), Exit("NMI_WINDOW", 1, 1)});
	std::string m;
	EXPECT_EQ(Judge(&m), 6u);
	EXPECT_EQ(m, "t.scn:10:1: expectation failed: count exit NMI_WINDOW == 3 (got 2)\n"
	             "t.scn:11:1: expectation failed: count exit NMI_WINDOW != 2 (got 2)\n"
	             "t.scn:13:1: expectation failed: count exit NMI_WINDOW < 2 (got 2)\n"
	             "t.scn:16:1: expectation failed: count exit NMI_WINDOW <= 1 (got 2)\n"
	             "t.scn:18:1: expectation failed: count exit NMI_WINDOW > 2 (got 2)\n"
	             "t.scn:20:1: expectation failed: count exit NMI_WINDOW >= 3 (got 2)\n");
}

TEST_F(ExpectJudge, CountsOfEachEventKindWithFilters)
{
	Load("expect count deliver nmi L1 cpu0 == 1\n"        // 9
	     "expect count deliver 32 == 2\n"                  // 10
	     "expect count deliver any cpu1 == 1\n"            // 11
	     "expect count inject nmi == 1\n"                  // 12
	     "expect count inject == 2\n"                      // 13
	     "expect count inject 32 == 1\n"                   // 14
	     "expect count entry == 2\n"                       // 15
	     "expect count entry-fail == 1\n"                  // 16
	     "expect count iret L1 == 1\n"                     // 17
	     "expect count hlt == 1\n"                         // 18
	     "expect count violation lost_event == 1\n"        // 19
	     "expect count violation nmi_nesting == 0\n"       // 20
	     "expect count exit HLT L0 == 0\n"                 // 21
	     "expect count exit HLT cpu1 L1 == 1\n");          // 22
	Feed({Deliver(2, "nmi", 0, 1), Deliver(2, "nmi", 0, 2), Deliver(32, "ext-intr"), Deliver(32, "ext-intr", 1),
	      Inject("nmi", 2), Inject("irq", 32), Simple(TRACE_VMENTRY), Simple(TRACE_VMENTRY, 1),
	      VmResumeFail(), Simple(TRACE_IRET, 0, 1), Simple(TRACE_IRET, 0, 0), Simple(TRACE_HLT),
	      Violation("lost_event"), Exit("HLT", 1, 1)});
	std::string m;
	EXPECT_EQ(Judge(&m), 0u) << m;
}

TEST_F(ExpectJudge, CountMessagesNameTheEvent)
{
	Load("expect count deliver nmi == 5\n"             // 9
	     "expect count deliver 32 L1 cpu0 > 0\n"       // 10
	     "expect count deliver any == 9\n"             // 11
	     "expect count inject == 1\n"                  // 12
	     "expect count inject nmi >= 1\n"              // 13
	     "expect count iret == 1\n"                    // 14
	     "expect count entry-fail != 0\n"              // 15
	     "expect count violation nmi_nesting == 1\n"); // 16
	std::string m;
	EXPECT_EQ(Judge(&m), 8u);
	EXPECT_EQ(m, "t.scn:9:1: expectation failed: count deliver nmi == 5 (got 0)\n"
	             "t.scn:10:1: expectation failed: count deliver 32 L1 cpu0 > 0 (got 0)\n"
	             "t.scn:11:1: expectation failed: count deliver == 9 (got 0)\n"
	             "t.scn:12:1: expectation failed: count inject == 1 (got 0)\n"
	             "t.scn:13:1: expectation failed: count inject nmi >= 1 (got 0)\n"
	             "t.scn:14:1: expectation failed: count iret == 1 (got 0)\n"
	             "t.scn:15:1: expectation failed: count entry-fail != 0 (got 0)\n"
	             "t.scn:16:1: expectation failed: count violation nmi_nesting == 1 (got 0)\n");
}

TEST_F(ExpectJudge, AtAnExactCycle)
{
	Load("expect exit HLT at 12000\n"      // 9  holds
	     "expect exit HLT at 12001\n"      // 10 fails
	     "expect iret cpu1 at 12000\n"     // 11 fails: the iret is on cpu0
	     "expect entry at 3us\n");         // 12 holds: 3000 cycles at 1 GHz
	trace_event hlt = Exit("HLT");
	hlt.cycle = 12000;
	Feed({hlt, Simple(TRACE_IRET, 0, 1, 12000), Simple(TRACE_VMENTRY, 0, 1, 3000)});
	std::string m;
	EXPECT_EQ(Judge(&m), 2u);
	EXPECT_EQ(m, "t.scn:10:1: expectation failed: exit HLT at cycle 12001\n"
	             "t.scn:11:1: expectation failed: iret cpu1 at cycle 12000\n");
}

TEST_F(ExpectJudge, WithinAnInclusiveRange)
{
	Load("expect entry in 5000..6000\n"        // 9
	     "expect deliver nmi in 5000..6000\n"  // 10
	     "expect iret in 5000..6000\n"         // 11
	     "expect hlt in 5us..6us\n");          // 12: the same range in time units at 1 GHz
	Feed({Simple(TRACE_VMENTRY, 0, 1, 5000), Deliver(2, "nmi", 0, 1, 6000), Simple(TRACE_IRET, 0, 1, 4999),
	      Simple(TRACE_IRET, 0, 1, 6001), Simple(TRACE_HLT, 0, 1, 5500)});
	std::string m;
	EXPECT_EQ(Judge(&m), 1u);
	EXPECT_EQ(m, "t.scn:11:1: expectation failed: iret in cycles 5000..6000\n");
}

TEST_F(ExpectJudge, TimesFollowTheTscFrequency)
{
	Load("expect entry at 2us\n", 2400000000ull);   // 2 us at 2.4 GHz = 4800 cycles
	EXPECT_EQ(x.items[0].at, 4800u);
	Feed({Simple(TRACE_VMENTRY, 0, 1, 2000)});
	std::string m;
	EXPECT_EQ(Judge(&m), 1u);
	EXPECT_EQ(m, "t.scn:9:1: expectation failed: entry at cycle 4800\n");
}

TEST_F(ExpectJudge, FileNameAndColumnComeFromTheScenario)
{
	std::string text = std::string(kHead) + "\t expect count hlt == 1\n";
	scn_error err{};
	s = scn_parse(text.data(), text.size(), "dir/sub/x.scn", &err);
	ASSERT_NE(s, nullptr) << err.msg;
	ASSERT_TRUE(expect_sink_init(&x, s, 1000000000ull));
	have_sink = true;
	std::string m;
	EXPECT_EQ(Judge(&m), 1u);
	EXPECT_EQ(m, "dir/sub/x.scn:9:3: expectation failed: count hlt == 1 (got 0)\n");
}

}  // namespace

// ---- exact expectations ------------------------------------------------------

namespace {

trace_event FullExit(const char *reason, uint32_t intr_info, uint32_t intr_state, const char *activity)
{
	trace_event ev = Exit(reason, 0, 1);
	trace_add_hex32(&ev, "intr_info", intr_info);
	if (intr_state)
		trace_add_hex32(&ev, "intr_state", intr_state);
	if (activity)
		trace_add_str(&ev, "activity", activity);
	trace_add_hex64(&ev, "rip", 0x1234);
	return ev;
}

TEST_F(ExpectJudge, ExactPicksTheNthEventAndComparesEveryField)
{
	Load("expect 2nd exit L1 reason=EXTERNAL_INTERRUPT intr-info=0x800000fd interruptibility=nmi activity=hlt\n"
	     "expect 1st exit reason=HLT interruptibility=0 activity=active idt-error=0 rip=0x1234\n");
	Feed({FullExit("HLT", 0, 0, nullptr), FullExit("EXTERNAL_INTERRUPT", 0x800000fd, 8, "hlt")});
	std::string m;
	EXPECT_EQ(Judge(&m), 0u) << m;
}

TEST_F(ExpectJudge, ExactMessagesSayWhatWasExpectedAndWhatHappened)
{
	Load("expect 1st exit reason=HLT intr-info=0x80000202 interruptibility=sti|mov-ss\n"   // 9
	     "expect 3rd exit reason=HLT\n"                                                    // 10
	     "expect 1st entry-fail error=7\n"                                                 // 11
	     "expect 1st vmfail insn=vmwrite error=invalid\n");                                // 12
	trace_event failed = Exit("INVALID_STATE", 0, 1, true), vmfail = Simple(TRACE_VMFAIL);
	trace_add_str(&vmfail, "insn", "vmwrite");
	trace_add_uint(&vmfail, "error", 13);
	Feed({FullExit("HLT", 0, 1, nullptr), failed, vmfail});
	std::string m;
	EXPECT_EQ(Judge(&m), 4u);
	EXPECT_EQ(m, "t.scn:9:1: expectation failed: 1st exit (cycle 100); intr-info expected 0x80000202, got 0x0; "
	             "interruptibility expected 0x3, got 0x1\n"
	             "t.scn:10:1: expectation failed: 3rd exit: the run had 2 such events\n"
	             "t.scn:11:1: expectation failed: 1st entry-fail (cycle 100); error: it was a VM-entry failure exit, "
	             "reason 0x80000021\n"
	             "t.scn:12:1: expectation failed: 1st vmfail (cycle 100); error expected invalid, got 13\n");
}

TEST_F(ExpectJudge, ExactFiltersByLevelAndCpu)
{
	Load("expect 1st exit L2 cpu1 reason=NMI_WINDOW\n");
	Feed({Exit("HLT", 1, 1), Exit("HLT", 0, 2), Exit("NMI_WINDOW", 1, 2)});
	std::string m;
	EXPECT_EQ(Judge(&m), 0u) << m;
}

} // namespace
