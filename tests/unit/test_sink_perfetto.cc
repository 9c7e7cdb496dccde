/* SPDX-License-Identifier: Apache-2.0 */
// The Perfetto writer (model/trace/sink_perfetto.c): synthetic events in,
// the exact trace-event JSON out - header and process metadata, guest and
// hypervisor slices, handlers nested in a guest slice or moved to their own
// lane when they span an exit, the NMI-blocked lane split where levels
// overlap, time stamps in whole ns from integer arithmetic, counters of
// pending events, strict nesting on every thread, and the error flag.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "model/trace/trace.h"
#include "unit/sink_harness.h"

namespace {

// Everything the writer prints for `evs`; at 1 GHz one cycle is one ns.
std::string Json(const std::vector<Ev> &evs, uint64_t tsc_hz = 1000000000, uint32_t vcpus = 1,
                 const char *l0 = "plain")
{
	return WriteAll(trace_perfetto_sink_new, SinkContext(tsc_hz, l0, vcpus), evs);
}

// The event lines (one event per line, without the separating comma).
std::vector<std::string> Events(const std::string &json)
{
	std::vector<std::string> out;
	size_t pos = json.find('\n');
	while (pos != std::string::npos && pos + 1 < json.size()) {
		size_t nl = json.find('\n', pos + 1);
		std::string line = json.substr(pos + 1, nl == std::string::npos ? std::string::npos : nl - pos - 1);
		if (!line.empty() && line.back() == ',')
			line.pop_back();
		if (line.rfind("{\"ph\"", 0) == 0)
			out.push_back(line);
		pos = nl;
	}
	return out;
}

std::vector<std::string> Phase(const std::string &json, const char *ph)
{
	std::vector<std::string> out;
	for (const std::string &e : Events(json))
		if (e.find(std::string("{\"ph\":\"") + ph + "\"") == 0)
			out.push_back(e);
	return out;
}

struct Slice {
	uint32_t pid, tid;
	uint64_t start, end;   // ns
	std::string name;
};

uint64_t Ns(const std::string &us)
{
	size_t dot = us.find('.');
	EXPECT_NE(dot, std::string::npos);
	EXPECT_EQ(us.size() - dot, 7u) << us;   // exactly six decimals: picoseconds
	uint64_t ps = std::stoull(us.substr(0, dot)) * 1000000 + std::stoull(us.substr(dot + 1));
	EXPECT_EQ(ps % 1000, 0u) << us;         // at 1 GHz every cycle is a whole ns
	return ps / 1000;
}

// The text of member `key` in one event line: a number, or a string without its quotes.
std::string Member(const std::string &line, const char *key)
{
	std::string k = std::string("\"") + key + "\":";
	size_t at = line.find(k);
	if (at == std::string::npos)
		return "";
	at += k.size();
	if (line[at] == '"')
		return line.substr(at + 1, line.find('"', at + 1) - at - 1);
	return line.substr(at, line.find_first_of(",}", at) - at);
}

std::vector<Slice> Slices(const std::string &json)
{
	std::vector<Slice> out;
	for (const std::string &e : Phase(json, "X")) {
		uint64_t ts = Ns(Member(e, "ts")), dur = Ns(Member(e, "dur"));
		out.push_back({(uint32_t)std::stoul(Member(e, "pid")), (uint32_t)std::stoul(Member(e, "tid")), ts,
		               ts + dur, Member(e, "name")});
	}
	return out;
}

// Two slices of one thread are disjoint or one holds the other.
void ExpectStrictNesting(const std::vector<Slice> &slices)
{
	for (size_t i = 0; i < slices.size(); i++)
		for (size_t j = i + 1; j < slices.size(); j++) {
			const Slice &a = slices[i], &b = slices[j];
			if (a.pid != b.pid || a.tid != b.tid)
				continue;
			bool disjoint = a.end <= b.start || b.end <= a.start;
			bool nested = (a.start <= b.start && b.end <= a.end) || (b.start <= a.start && a.end <= b.end);
			EXPECT_TRUE(disjoint || nested) << "tid " << a.tid << ": " << a.name << " [" << a.start << ","
			                                << a.end << ") and " << b.name << " [" << b.start << "," << b.end << ")";
		}
}

TEST(SinkPerfetto, HeaderAndProcessMetadata)
{
	EXPECT_EQ(Json({}, 1000000000, 2),
	          "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"vmxsim\",\"scenario\":\"synthetic.scn\","
	          "\"l0\":\"plain\",\"tsc_hz\":1000000000,\"vcpus\":2},\"traceEvents\":[\n"
	          "{\"ph\":\"M\",\"pid\":1,\"tid\":0,\"name\":\"process_name\",\"args\":{\"name\":\"vcpu0\"}},\n"
	          "{\"ph\":\"M\",\"pid\":1,\"tid\":0,\"name\":\"process_sort_index\",\"args\":{\"sort_index\":0}},\n"
	          "{\"ph\":\"M\",\"pid\":2,\"tid\":0,\"name\":\"process_name\",\"args\":{\"name\":\"vcpu1\"}},\n"
	          "{\"ph\":\"M\",\"pid\":2,\"tid\":0,\"name\":\"process_sort_index\",\"args\":{\"sort_index\":1}}\n"
	          "]}\n");
}

TEST(SinkPerfetto, GuestAndHypervisorSlices)
{
	std::vector<std::string> ev = Events(Json({
	    Ev(0, 0, 1, TRACE_VMENTRY).S("insn", "vmlaunch").H64("rip", 0x1000),
	    Ev(1000, 0, 1, TRACE_VMEXIT).S("reason", "EXTERNAL_INTERRUPT").H64("qual", 0).H32("intr_info", 0x800000fd)
	        .H32("idt_vectoring", 0).H64("rip", 0x1000),
	    Ev(2400, 0, 1, TRACE_VMENTRY).S("insn", "vmresume").H64("rip", 0x1000),
	    Ev(3000, 0, 0, TRACE_END).U("exits", 1).U("violations", 0),
	}));
	std::vector<std::string> want = {
	    "{\"ph\":\"M\",\"pid\":1,\"tid\":0,\"name\":\"process_name\",\"args\":{\"name\":\"vcpu0\"}}",
	    "{\"ph\":\"M\",\"pid\":1,\"tid\":0,\"name\":\"process_sort_index\",\"args\":{\"sort_index\":0}}",
	    "{\"ph\":\"M\",\"pid\":1,\"tid\":1,\"name\":\"thread_name\",\"args\":{\"name\":\"L1 guest\"}}",
	    "{\"ph\":\"M\",\"pid\":1,\"tid\":1,\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":2}}",
	    "{\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":0.000000,\"dur\":1.000000,\"name\":\"guest\",\"cat\":\"guest\","
	    "\"args\":{\"cycle\":0,\"end_cycle\":1000,\"insn\":\"vmlaunch\",\"rip\":\"0x1000\"}}",
	    "{\"ph\":\"i\",\"pid\":1,\"tid\":1,\"ts\":1.000000,\"s\":\"t\",\"name\":\"vmexit EXTERNAL_INTERRUPT\","
	    "\"cat\":\"vmexit\",\"args\":{\"cycle\":1000,\"reason\":\"EXTERNAL_INTERRUPT\",\"qual\":\"0x0\",\"intr_info\":\"0x800000fd\","
	    "\"idt_vectoring\":\"0x00000000\",\"rip\":\"0x1000\"}}",
	    "{\"ph\":\"M\",\"pid\":1,\"tid\":0,\"name\":\"thread_name\",\"args\":{\"name\":\"L0 hypervisor\"}}",
	    "{\"ph\":\"M\",\"pid\":1,\"tid\":0,\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":0}}",
	    "{\"ph\":\"X\",\"pid\":1,\"tid\":0,\"ts\":1.000000,\"dur\":1.400000,\"name\":\"EXTERNAL_INTERRUPT\","
	    "\"cat\":\"hypervisor\",\"args\":{\"cycle\":1000,\"end_cycle\":2400,\"reason\":\"EXTERNAL_INTERRUPT\",\"qual\":\"0x0\","
	    "\"intr_info\":\"0x800000fd\",\"idt_vectoring\":\"0x00000000\",\"rip\":\"0x1000\"}}",
	    "{\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":2.400000,\"dur\":0.600000,\"name\":\"guest\",\"cat\":\"guest\","
	    "\"args\":{\"cycle\":2400,\"end_cycle\":3000,\"insn\":\"vmresume\",\"rip\":\"0x1000\"}}",
	};
	EXPECT_EQ(ev, want);
}

TEST(SinkPerfetto, HandlerInsideOneGuestStretchNestsInIt)
{
	std::string out = Json({
	    Ev(0, 0, 1, TRACE_VMENTRY).S("insn", "vmlaunch").H64("rip", 0x1000),
	    Ev(100, 0, 1, TRACE_DELIVER).U("vector", 2).S("type", "nmi").B("injected", false).H64("handler", 0x13eb),
	    Ev(500, 0, 1, TRACE_IRET).H64("rip", 0x1000).B("nmi_unblocked", true),
	    Ev(1000, 0, 1, TRACE_VMEXIT).S("reason", "HLT").H64("qual", 0),
	});
	std::vector<std::string> x = Phase(out, "X");
	ASSERT_GE(x.size(), 2u);
	EXPECT_EQ(x[0], "{\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":0.100000,\"dur\":0.400000,\"name\":\"NMI handler\","
	                "\"cat\":\"handler\",\"args\":{\"cycle\":100,\"end_cycle\":500,\"vector\":2,\"type\":\"nmi\",\"injected\":false,"
	                "\"handler\":\"0x13eb\",\"iret_rip\":\"0x1000\",\"nmi_unblocked\":true}}");
	EXPECT_EQ(x[1].substr(0, 69), "{\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":0.000000,\"dur\":1.000000,\"name\":\"guest\"");
	ExpectStrictNesting(Slices(out));
}

TEST(SinkPerfetto, HandlerAcrossAnExitMovesToItsLane)
{
	std::string out = Json({
	    Ev(0, 0, 1, TRACE_VMENTRY).S("insn", "vmlaunch"),
	    Ev(100, 0, 1, TRACE_DELIVER).U("vector", 2).S("type", "nmi").B("injected", true).H64("handler", 1),
	    Ev(200, 0, 1, TRACE_VMEXIT).S("reason", "EXTERNAL_INTERRUPT").H64("qual", 0),
	    Ev(300, 0, 1, TRACE_VMENTRY).S("insn", "vmresume"),
	    Ev(350, 0, 1, TRACE_DELIVER).U("vector", 32).S("type", "ext-intr").B("injected", false).H64("handler", 2),
	    Ev(400, 0, 1, TRACE_IRET).H64("rip", 1).B("nmi_unblocked", false),
	    Ev(500, 0, 1, TRACE_IRET).H64("rip", 0).B("nmi_unblocked", true),
	    Ev(600, 0, 1, TRACE_VMEXIT).S("reason", "HLT").H64("qual", 0),
	});
	std::vector<Slice> s = Slices(out);
	std::map<std::string, Slice> by_name;
	for (const Slice &x : s)
		by_name[x.name] = x;
	ASSERT_TRUE(by_name.count("NMI handler"));
	ASSERT_TRUE(by_name.count("ext-intr 32 handler"));
	EXPECT_EQ(by_name["NMI handler"].tid, 21u);   // spans the exit at 200
	EXPECT_EQ(by_name["NMI handler"].start, 100u);
	EXPECT_EQ(by_name["NMI handler"].end, 500u);
	EXPECT_EQ(by_name["ext-intr 32 handler"].tid, 1u);   // inside the guest stretch 300..600
	EXPECT_NE(out.find("{\"ph\":\"M\",\"pid\":1,\"tid\":21,\"name\":\"thread_name\","
	                   "\"args\":{\"name\":\"L1 handlers across exits\"}}"),
	          std::string::npos);
	ExpectStrictNesting(s);
}

TEST(SinkPerfetto, NmiBlockedLaneSplitsWhereLevelsOverlap)
{
	std::string out = Json({
	    Ev(10, 0, 0, TRACE_BLOCKING).S("from", "none").S("to", "nmi"),
	    Ev(20, 0, 1, TRACE_BLOCKING).S("from", "if").S("to", "vnmi"),
	    Ev(30, 0, 0, TRACE_BLOCKING).S("from", "nmi").S("to", "none"),
	    Ev(40, 0, 1, TRACE_BLOCKING).S("from", "vnmi").S("to", "if"),
	});
	std::vector<Slice> s = Slices(out);
	ASSERT_EQ(s.size(), 3u);
	EXPECT_EQ(s[0].name, "L1 virtual-NMI blocking");
	EXPECT_EQ(s[0].start, 20u);
	EXPECT_EQ(s[0].end, 30u);
	EXPECT_EQ(s[1].name, "L0 blocking by NMI");
	EXPECT_EQ(s[1].start, 10u);
	EXPECT_EQ(s[1].end, 30u);
	EXPECT_EQ(s[2].name, "L1 virtual-NMI blocking");
	EXPECT_EQ(s[2].start, 30u);
	EXPECT_EQ(s[2].end, 40u);
	for (const Slice &x : s)
		EXPECT_EQ(x.tid, 10u);
	ExpectStrictNesting(s);
}

TEST(SinkPerfetto, SoftVnmiLaneCarriesWhyAndHowLong)
{
	std::vector<std::string> x = Phase(Json({
	    Ev(100, 0, 0, TRACE_SOFT_VNMI).B("blocked", true).S("why", "NMI injected"),
	    Ev(2100, 0, 0, TRACE_SOFT_VNMI).B("blocked", false).U("blocked_ns", 2000).S("why", "timeout"),
	}), "X");
	ASSERT_EQ(x.size(), 1u);
	EXPECT_EQ(x[0], "{\"ph\":\"X\",\"pid\":1,\"tid\":11,\"ts\":0.100000,\"dur\":2.000000,\"name\":\"soft_vnmi_blocked\","
	                "\"cat\":\"blocking\",\"args\":{\"cycle\":100,\"end_cycle\":2100,\"why\":\"NMI injected\",\"unblocked_why\":\"timeout\","
	                "\"blocked_ns\":2000}}");
}

TEST(SinkPerfetto, TimeStampsAreWholePicosecondsFromIntegers)
{
	std::vector<std::string> i = Phase(Json({
	    Ev(2731, 0, 1, TRACE_STIMULUS).S("type", "nmi").S("origin", "scenario"),
	    Ev(1ull << 62, 0, 1, TRACE_STIMULUS).S("type", "irq").U("vector", 32).S("origin", "scenario"),
	}, 2930000000), "i");
	ASSERT_EQ(i.size(), 2u);
	EXPECT_NE(i[0].find("\"ts\":0.932082,"), std::string::npos) << i[0];
	EXPECT_NE(i[0].find("\"args\":{\"cycle\":2731,"), std::string::npos) << i[0];
	EXPECT_NE(i[1].find("\"ts\":1573954272500814.984300,"), std::string::npos) << i[1];
	EXPECT_NE(i[1].find("\"name\":\"stimulus irq 32\""), std::string::npos) << i[1];
}

TEST(SinkPerfetto, CountersFollowPendingEvents)
{
	std::vector<std::string> c = Phase(Json({
	    Ev(100, 0, 1, TRACE_STIMULUS).S("type", "nmi").S("origin", "scenario"),
	    Ev(150, 0, 1, TRACE_STIMULUS).S("type", "irq").U("vector", 32).S("origin", "scenario"),
	    Ev(200, 0, 0, TRACE_INJECT).S("type", "nmi").U("vector", 2).H32("intr_info", 0x80000202),
	    Ev(300, 0, 0, TRACE_INJECT).S("type", "nmi").U("vector", 2).H32("intr_info", 0x80000202)
	        .S("why", "reinjected"),
	}), "C");
	std::vector<std::string> want = {
	    "{\"ph\":\"C\",\"pid\":1,\"ts\":0.000000,\"name\":\"L1 pending\",\"args\":{\"nmi\":0,\"intr\":0}}",
	    "{\"ph\":\"C\",\"pid\":1,\"ts\":0.100000,\"name\":\"L1 pending\",\"args\":{\"nmi\":1,\"intr\":0}}",
	    "{\"ph\":\"C\",\"pid\":1,\"ts\":0.150000,\"name\":\"L1 pending\",\"args\":{\"nmi\":1,\"intr\":1}}",
	    "{\"ph\":\"C\",\"pid\":1,\"ts\":0.200000,\"name\":\"L1 pending\",\"args\":{\"nmi\":0,\"intr\":1}}",
	};
	EXPECT_EQ(c, want);
}

TEST(SinkPerfetto, BareMetalExitsAreHandledOnL1)
{
	// `l0 none`: L1 is the root hypervisor, L2 its guest; level 0 is the processor.
	std::string out = Json({
	    Ev(0, 0, 2, TRACE_VMENTRY).S("insn", "vmlaunch"),
	    Ev(5000, 0, 2, TRACE_VMEXIT).S("reason", "EXTERNAL_INTERRUPT").H64("qual", 0),
	    Ev(6353, 0, 1, TRACE_DELIVER).U("vector", 32).S("type", "ext-intr").B("injected", false).H64("handler", 1),
	    Ev(6534, 0, 1, TRACE_IRET).H64("rip", 2).B("nmi_unblocked", false),
	    Ev(6734, 0, 2, TRACE_VMENTRY).S("insn", "vmresume"),
	}, 1000000000, 1, "none");
	std::vector<Slice> s = Slices(out);
	ASSERT_EQ(s.size(), 4u);
	EXPECT_EQ(s[0].tid, 2u);
	EXPECT_EQ(s[1].name, "ext-intr 32 handler");
	EXPECT_EQ(s[1].tid, 1u);
	EXPECT_EQ(s[2].name, "EXTERNAL_INTERRUPT");
	EXPECT_EQ(s[2].tid, 1u);
	EXPECT_NE(out.find("\"tid\":1,\"name\":\"thread_name\",\"args\":{\"name\":\"L1 hypervisor\"}"), std::string::npos);
	ExpectStrictNesting(s);
}

TEST(SinkPerfetto, SlicesNestOnEveryThreadWhateverTheOrder)
{
	// Handlers that nest, cross exits, stay open to the end; blocking of
	// two levels interleaved; an IRET without a delivery.
	std::vector<Ev> evs;
	uint64_t t = 0;
	evs.push_back(Ev(t, 0, 1, TRACE_VMENTRY).S("insn", "vmlaunch"));
	for (int round = 0; round < 40; round++) {
		const char *to = round % 3 == 0 ? "nmi" : round % 3 == 1 ? "vnmi|if" : "if";
		evs.push_back(Ev(t += 7, 0, 1, TRACE_DELIVER).U("vector", 2).S("type", "nmi").B("injected", true)
		                  .H64("handler", 1));
		evs.push_back(Ev(t += 3, 0, (uint32_t)(round % 2), TRACE_BLOCKING).S("from", "none").S("to", to));
		if (round % 4 == 1) {
			evs.push_back(Ev(t += 11, 0, 1, TRACE_VMEXIT).S("reason", "NMI_WINDOW").H64("qual", 0));
			evs.push_back(Ev(t += 5, 0, 0, TRACE_DELIVER).U("vector", 2).S("type", "nmi").B("injected", false)
			                  .H64("handler", 9));
			evs.push_back(Ev(t += 5, 0, 1, TRACE_VMENTRY).S("insn", "vmresume"));
			evs.push_back(Ev(t += 5, 0, 0, TRACE_IRET).H64("rip", 9).B("nmi_unblocked", true));
		}
		if (round % 3 != 2)
			evs.push_back(Ev(t += 13, 0, 1, TRACE_IRET).H64("rip", 1).B("nmi_unblocked", true));
		evs.push_back(Ev(t += 2, 0, (uint32_t)((round + 1) % 2), TRACE_BLOCKING).S("from", to).S("to", "none"));
	}
	std::string out = Json(evs);
	std::vector<Slice> s = Slices(out);
	EXPECT_GT(s.size(), 60u);
	ExpectStrictNesting(s);
	EXPECT_EQ(out.substr(out.size() - 4), "\n]}\n");
}

TEST(SinkPerfetto, StringsAreEscaped)
{
	std::vector<std::string> i = Phase(Json({
	    Ev(10, 0, 0, TRACE_DEFER).S("what", "a\"b\\c").S("why", "say \"hi\"\n\x01"),
	}), "i");
	ASSERT_EQ(i.size(), 1u);
	EXPECT_EQ(i[0], "{\"ph\":\"i\",\"pid\":1,\"tid\":0,\"ts\":0.010000,\"s\":\"t\",\"name\":\"defer a\\\"b\\\\c\","
	                "\"cat\":\"defer\",\"args\":{\"cycle\":10,\"what\":\"a\\\"b\\\\c\",\"why\":\"say \\\"hi\\\"\\u000a\\u0001\"}}");
}

TEST(SinkPerfetto, SetsTheErrorFlagWhenTheStreamFails)
{
	FILE *f = fopen("/dev/full", "w");
	ASSERT_NE(f, nullptr);
	trace_sink_context ctx = {};
	ctx.tsc_hz = 1000000000;
	ctx.l0 = "plain";
	ctx.vcpus = 1;
	ctx.scenario = "synthetic.scn";
	trace_sink *s = trace_perfetto_sink_new(f, &ctx);
	ASSERT_NE(s, nullptr);
	Ev e(10, 0, 1, TRACE_VMENTRY);
	s->emit(s, &e.ev);
	s->finish(s);
	EXPECT_TRUE(s->error);
	trace_sink_close(s);
	fclose(f);
}

}  // namespace
