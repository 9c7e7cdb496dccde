/* SPDX-License-Identifier: Apache-2.0 */
// The trace bus (model/trace): attaching sinks, dispatch in attach order,
// the queue for events emitted during dispatch, its overflow, the horizon
// at the run's end, finish, and the file sink.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "model/trace/trace.h"

namespace {

// A sink that records what it sees, and optionally emits on the bus when it
// sees a given kind (as a monitor does with its verdicts).
struct Recorder {
	trace_sink base{};
	trace_bus *bus = nullptr;
	std::vector<std::string> *log = nullptr;   // shared between sinks: "name:kind@cycle"
	std::string name;
	std::vector<trace_event> seen;
	int finished = 0;
	trace_kind react_to = TRACE_KIND_COUNT;
	trace_kind reply = TRACE_VIOLATION;
	int replies = 1;

	Recorder(const char *n, trace_bus *b, std::vector<std::string> *l) : bus(b), log(l), name(n)
	{
		base.emit = Emit;
		base.finish = Finish;
	}
	static void Emit(trace_sink *s, const trace_event *ev)
	{
		Recorder *r = reinterpret_cast<Recorder *>(s);
		r->seen.push_back(*ev);
		if (r->log)
			r->log->push_back(r->name + ":" + trace_kind_name(ev->kind) + "@" + std::to_string(ev->cycle));
		if (ev->kind == r->react_to) {
			for (int i = 0; i < r->replies; i++) {
				trace_event v;
				trace_event_init(&v, ev->cycle, ev->cpu, ev->level, r->reply);
				trace_add_str(&v, "by", r->name.c_str());
				trace_add_uint(&v, "n", (uint64_t)i);
				trace_bus_emit(r->bus, &v);
			}
		}
	}
	static void Finish(trace_sink *s) { reinterpret_cast<Recorder *>(s)->finished++; }
};
static_assert(offsetof(Recorder, base) == 0, "the sink is the first member");

trace_event Ev(uint64_t cycle, trace_kind k)
{
	trace_event ev;
	trace_event_init(&ev, cycle, 0, 1, k);
	return ev;
}

TEST(TraceBus, InitAndAttachLimit)
{
	trace_bus bus;
	memset(&bus, 0xa5, sizeof(bus));
	trace_bus_init(&bus);
	EXPECT_EQ(bus.nsinks, 0u);
	EXPECT_FALSE(bus.dispatching);
	EXPECT_EQ(bus.nqueued, 0u);
	EXPECT_EQ(bus.dropped, 0u);
	EXPECT_EQ(bus.horizon, UINT64_MAX);

	std::vector<Recorder> sinks;
	sinks.reserve(TRACE_MAX_SINKS + 1);
	for (int i = 0; i <= TRACE_MAX_SINKS; i++)
		sinks.emplace_back("s", &bus, nullptr);
	for (int i = 0; i < TRACE_MAX_SINKS; i++)
		EXPECT_TRUE(trace_bus_attach(&bus, &sinks[(size_t)i].base));
	EXPECT_FALSE(trace_bus_attach(&bus, &sinks[TRACE_MAX_SINKS].base));
	EXPECT_EQ(bus.nsinks, (uint32_t)TRACE_MAX_SINKS);

	trace_event ev = Ev(1, TRACE_HLT);
	trace_bus_emit(&bus, &ev);
	for (int i = 0; i < TRACE_MAX_SINKS; i++)
		EXPECT_EQ(sinks[(size_t)i].seen.size(), 1u);
	EXPECT_TRUE(sinks[TRACE_MAX_SINKS].seen.empty());
}

TEST(TraceBus, EverySinkInAttachOrder)
{
	trace_bus bus;
	trace_bus_init(&bus);
	std::vector<std::string> log;
	Recorder a("a", &bus, &log), b("b", &bus, &log), c("c", &bus, &log);
	trace_bus_attach(&bus, &a.base);
	trace_bus_attach(&bus, &b.base);
	trace_bus_attach(&bus, &c.base);
	trace_event e1 = Ev(10, TRACE_VMENTRY), e2 = Ev(20, TRACE_VMEXIT);
	trace_bus_emit(&bus, &e1);
	trace_bus_emit(&bus, &e2);
	EXPECT_EQ(log, (std::vector<std::string>{"a:vmentry@10", "b:vmentry@10", "c:vmentry@10", "a:vmexit@20",
	                                          "b:vmexit@20", "c:vmexit@20"}));
}

TEST(TraceBus, EventsEmittedDuringDispatchAreQueuedBehindTheCurrentOne)
{
	trace_bus bus;
	trace_bus_init(&bus);
	std::vector<std::string> log;
	// The middle sink is the "monitor": sinks after it must still see the
	// original event before its verdict, and sinks before it see the verdict too.
	Recorder a("a", &bus, &log), mon("mon", &bus, &log), c("c", &bus, &log);
	mon.react_to = TRACE_DELIVER;
	trace_bus_attach(&bus, &a.base);
	trace_bus_attach(&bus, &mon.base);
	trace_bus_attach(&bus, &c.base);

	trace_event d = Ev(100, TRACE_DELIVER), i = Ev(200, TRACE_IRET);
	trace_bus_emit(&bus, &d);
	trace_bus_emit(&bus, &i);
	EXPECT_EQ(log, (std::vector<std::string>{"a:deliver@100", "mon:deliver@100", "c:deliver@100",
	                                          "a:violation@100", "mon:violation@100", "c:violation@100",
	                                          "a:iret@200", "mon:iret@200", "c:iret@200"}));
	EXPECT_FALSE(bus.dispatching);
	EXPECT_EQ(bus.nqueued, 0u);
	EXPECT_EQ(bus.dropped, 0u);
	// The queued copy carries its fields.
	ASSERT_EQ(c.seen.size(), 3u);
	const struct trace_field *by = trace_field(&c.seen[1], "by");
	ASSERT_NE(by, nullptr);
	EXPECT_STREQ(by->s, "mon");
}

TEST(TraceBus, SeveralQueuedEventsKeepTheirOrderAndCascade)
{
	trace_bus bus;
	trace_bus_init(&bus);
	std::vector<std::string> log;
	Recorder first("m1", &bus, &log), second("m2", &bus, &log), sink("out", &bus, nullptr);
	first.react_to = TRACE_DELIVER;   // two verdicts on a delivery
	first.reply = TRACE_VIOLATION;
	first.replies = 2;
	second.react_to = TRACE_VIOLATION;   // a sink that reacts to a queued event
	second.reply = TRACE_HOST;
	trace_bus_attach(&bus, &first.base);
	trace_bus_attach(&bus, &second.base);
	trace_bus_attach(&bus, &sink.base);

	trace_event d = Ev(5, TRACE_DELIVER);
	trace_bus_emit(&bus, &d);
	std::vector<std::string> got;
	for (const trace_event &e : sink.seen) {
		const struct trace_field *n = trace_field(&e, "n");
		got.push_back(std::string(trace_kind_name(e.kind)) + (n ? "#" + std::to_string(n->u) : ""));
	}
	// deliver; both verdicts in emission order; then the reactions to each.
	EXPECT_EQ(got, (std::vector<std::string>{"deliver", "violation#0", "violation#1", "host#0", "host#0"}));
	EXPECT_EQ(first.seen.size(), got.size());
	EXPECT_EQ(second.seen.size(), got.size());
	EXPECT_EQ(bus.nqueued, 0u);
	EXPECT_FALSE(bus.dispatching);
}

TEST(TraceBus, QueueOverflowIsCountedNotWritten)
{
	trace_bus bus;
	trace_bus_init(&bus);
	Recorder mon("mon", &bus, nullptr), out("out", &bus, nullptr);
	mon.react_to = TRACE_DELIVER;
	mon.replies = TRACE_MAX_QUEUED + 5;
	trace_bus_attach(&bus, &mon.base);
	trace_bus_attach(&bus, &out.base);
	trace_event d = Ev(5, TRACE_DELIVER);
	trace_bus_emit(&bus, &d);
	EXPECT_EQ(out.seen.size(), 1u + TRACE_MAX_QUEUED);
	EXPECT_EQ(bus.dropped, 5u);
	EXPECT_EQ(bus.nqueued, 0u);
	EXPECT_FALSE(bus.dispatching);
	// The bus keeps working afterwards.
	trace_event h = Ev(6, TRACE_HLT);
	trace_bus_emit(&bus, &h);
	EXPECT_EQ(out.seen.back().kind, TRACE_HLT);
}

TEST(TraceBus, HorizonDropsEventsAfterTheRunsEnd)
{
	trace_bus bus;
	trace_bus_init(&bus);
	Recorder mon("mon", &bus, nullptr), out("out", &bus, nullptr);
	trace_bus_attach(&bus, &mon.base);
	trace_bus_attach(&bus, &out.base);
	bus.horizon = 1000;
	for (uint64_t c : {0ull, 999ull, 1000ull, 1001ull, 5000ull, 18446744073709551615ull}) {
		trace_event e = Ev(c, TRACE_WAKE);
		trace_bus_emit(&bus, &e);
	}
	ASSERT_EQ(out.seen.size(), 3u);
	EXPECT_EQ(out.seen[2].cycle, 1000u);   // the end itself is part of the run
	EXPECT_EQ(mon.seen.size(), 3u);        // monitors do not see them either
	EXPECT_EQ(bus.dropped, 0u);            // not an overflow

	// An event queued during dispatch that lies past the horizon is dropped too.
	mon.react_to = TRACE_DELIVER;
	mon.reply = TRACE_VIOLATION;
	trace_event d = Ev(1000, TRACE_DELIVER);
	trace_bus_emit(&bus, &d);
	EXPECT_EQ(out.seen.back().kind, TRACE_VIOLATION);
	bus.horizon = 999;
	trace_event late = Ev(999, TRACE_DELIVER);
	size_t before = out.seen.size();
	trace_bus_emit(&bus, &late);
	EXPECT_EQ(out.seen.size(), before + 2);
}

TEST(TraceBus, FinishCallsEverySinkThatHasOne)
{
	trace_bus bus;
	trace_bus_init(&bus);
	Recorder a("a", &bus, nullptr), b("b", &bus, nullptr);
	b.base.finish = nullptr;
	trace_bus_attach(&bus, &a.base);
	trace_bus_attach(&bus, &b.base);
	trace_bus_finish(&bus);
	EXPECT_EQ(a.finished, 1);
	EXPECT_EQ(b.finished, 0);
}

// ---- the file sink ---------------------------------------------------------

std::string SinkOutput(trace_format fmt, const std::vector<trace_event> &evs, uint64_t *lines = nullptr)
{
	char *mem = nullptr;
	size_t size = 0;
	FILE *f = open_memstream(&mem, &size);
	EXPECT_NE(f, nullptr);
	trace_file_sink s;
	trace_file_sink_init(&s, f, fmt);
	trace_bus bus;
	trace_bus_init(&bus);
	trace_bus_attach(&bus, &s.base);
	for (const trace_event &e : evs)
		trace_bus_emit(&bus, &e);
	trace_bus_finish(&bus);
	EXPECT_FALSE(s.base.error);
	if (lines)
		*lines = s.lines;
	fclose(f);
	std::string out(mem, size);
	free(mem);
	return out;
}

TEST(TraceBusFileSink, WritesOneLinePerEvent)
{
	trace_event a = Ev(1, TRACE_HLT), b = Ev(2, TRACE_WAKE);
	trace_add_hex64(&a, "rip", 0x1000);
	trace_add_str(&b, "from", "hlt");
	uint64_t lines = 0;
	EXPECT_EQ(SinkOutput(TRACE_FORMAT_TEXT, {a, b}, &lines),
	          "           1 cpu0 L1 hlt           rip=0x1000\n"
	          "           2 cpu0 L1 wake          from=hlt\n");
	EXPECT_EQ(lines, 2u);
	EXPECT_EQ(SinkOutput(TRACE_FORMAT_JSONL, {a, b}),
	          "{\"cycle\":1,\"cpu\":0,\"level\":1,\"event\":\"hlt\",\"rip\":\"0x1000\"}\n"
	          "{\"cycle\":2,\"cpu\":0,\"level\":1,\"event\":\"wake\",\"from\":\"hlt\"}\n");
}

TEST(TraceBusFileSink, AVeryLongLineIsWrittenWhole)
{
	std::string big(3000, 'x');
	trace_event e = Ev(1, TRACE_GUEST_STOP);
	trace_add_str(&e, "why", big.c_str());
	trace_event f = Ev(2, TRACE_END);
	for (trace_format fmt : {TRACE_FORMAT_TEXT, TRACE_FORMAT_JSONL}) {
		std::vector<char> want(4096);
		int n = fmt == TRACE_FORMAT_TEXT ? trace_format_text(&e, want.data(), want.size())
		                                 : trace_format_jsonl(&e, want.data(), want.size());
		ASSERT_GT(n, 3000);
		ASSERT_LT((size_t)n, want.size());
		std::string out = SinkOutput(fmt, {e, f});
		EXPECT_EQ(out, std::string(want.data(), (size_t)n) +
		                   (fmt == TRACE_FORMAT_TEXT ? "           2 cpu0 L1 end\n"
		                                             : "{\"cycle\":2,\"cpu\":0,\"level\":1,\"event\":\"end\"}\n"));
	}
}

TEST(TraceBusFileSink, WriteErrorIsReported)
{
	FILE *f = fopen("/dev/full", "w");
	if (!f)
		GTEST_SKIP() << "no /dev/full";
	trace_file_sink s;
	trace_file_sink_init(&s, f, TRACE_FORMAT_TEXT);
	trace_bus bus;
	trace_bus_init(&bus);
	trace_bus_attach(&bus, &s.base);
	trace_event e = Ev(1, TRACE_HLT);
	trace_bus_emit(&bus, &e);
	trace_bus_finish(&bus);
	EXPECT_TRUE(s.base.error);
	fclose(f);
}

}  // namespace
