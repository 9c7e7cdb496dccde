/* SPDX-License-Identifier: Apache-2.0 */
// The trace bus (model/trace): event building, the `text` and `jsonl` line
// formats with exact expected strings, truncation safety, the bus's queue
// for events emitted during dispatch, its horizon, and the file sink.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "json_line.h"
#include "model/trace/trace.h"

namespace {

std::string Text(const trace_event &ev)
{
	char buf[1024];
	int n = trace_format_text(&ev, buf, sizeof(buf));
	EXPECT_EQ((size_t)n, strlen(buf));
	return buf;
}

std::string Jsonl(const trace_event &ev)
{
	char buf[1024];
	int n = trace_format_jsonl(&ev, buf, sizeof(buf));
	EXPECT_EQ((size_t)n, strlen(buf));
	return buf;
}


trace_event VmexitEvent()
{
	trace_event ev;
	trace_event_init(&ev, 12345, 0, 1, TRACE_VMEXIT);
	trace_add_str(&ev, "reason", "NMI_WINDOW");
	trace_add_hex64(&ev, "qual", 0);
	trace_add_hex32(&ev, "intr_info", 0x80000202u);
	trace_add_hex32(&ev, "idt_vectoring", 0);
	trace_add_uint(&ev, "insn_len", 3);
	trace_add_hex64(&ev, "rip", 0x13eaull);
	return ev;
}

// ---- event building and kinds ----------------------------------------------

TEST(TraceFormat, KindNamesRoundTrip)
{
	for (int k = 0; k < TRACE_KIND_COUNT; k++) {
		const char *name = trace_kind_name((trace_kind)k);
		ASSERT_NE(name, nullptr);
		EXPECT_LE(strlen(name), 13u) << name << " would break the text format's kind column";
		EXPECT_EQ(trace_kind_lookup(name), k) << name;
	}
	EXPECT_STREQ(trace_kind_name(TRACE_VIOLATION), "violation");
	EXPECT_STREQ(trace_kind_name(TRACE_END), "end");
	EXPECT_STREQ(trace_kind_name(TRACE_KIND_COUNT), "?");
	EXPECT_STREQ(trace_kind_name((trace_kind)-1), "?");
	EXPECT_EQ(trace_kind_lookup("no-such-kind"), -1);
	EXPECT_EQ(trace_kind_lookup(""), -1);
	EXPECT_EQ(trace_kind_lookup("VMEXIT"), -1);  // names are case-sensitive
}

TEST(TraceFormat, FieldsKeepOrderTypeAndValue)
{
	trace_event ev;
	trace_event_init(&ev, 7, 3, 2, TRACE_DELIVER);
	EXPECT_EQ(ev.cycle, 7u);
	EXPECT_EQ(ev.cpu, 3u);
	EXPECT_EQ(ev.level, 2u);
	EXPECT_EQ(ev.kind, TRACE_DELIVER);
	EXPECT_EQ(ev.nfields, 0u);
	trace_add_uint(&ev, "vector", 2);
	trace_add_str(&ev, "type", "nmi");
	trace_add_bool(&ev, "injected", true);
	trace_add_str(&ev, "null", nullptr);
	ASSERT_EQ(ev.nfields, 4u);
	EXPECT_STREQ(ev.f[0].key, "vector");
	EXPECT_STREQ(ev.f[1].key, "type");

	const struct trace_field *f = trace_field(&ev, "type");
	ASSERT_NE(f, nullptr);
	EXPECT_EQ(f->type, TF_STR);
	EXPECT_STREQ(f->s, "nmi");
	f = trace_field(&ev, "injected");
	ASSERT_NE(f, nullptr);
	EXPECT_EQ(f->type, TF_BOOL);
	EXPECT_EQ(f->u, 1u);
	f = trace_field(&ev, "null");
	ASSERT_NE(f, nullptr);
	EXPECT_STREQ(f->s, "");  // a NULL string is stored as ""
	EXPECT_EQ(trace_field(&ev, "missing"), nullptr);
}

TEST(TraceFormat, FieldsBeyondTheLimitAreIgnored)
{
	trace_event ev;
	trace_event_init(&ev, 1, 0, 0, TRACE_HOST);
	const char *keys[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n"};
	for (const char *k : keys)
		trace_add_uint(&ev, k, 1);
	EXPECT_EQ(ev.nfields, (uint32_t)TRACE_MAX_FIELDS);
	EXPECT_EQ(trace_field(&ev, "m"), nullptr);
	EXPECT_NE(trace_field(&ev, "l"), nullptr);
}

// ---- the text format -------------------------------------------------------

TEST(TraceFormatText, ColumnsAndHexWidths)
{
	EXPECT_EQ(Text(VmexitEvent()),
	          "       12345 cpu0 L1 vmexit        reason=NMI_WINDOW qual=0x0 intr_info=0x80000202 "
	          "idt_vectoring=0x00000000 insn_len=3 rip=0x13ea\n");
}

TEST(TraceFormatText, HeaderColumnsAreFixedWidth)
{
	trace_event ev;
	trace_event_init(&ev, 0, 0, 0, TRACE_HOST);
	trace_add_str(&ev, "type", "nmi");
	EXPECT_EQ(Text(ev), "           0 cpu0 L0 host          type=nmi\n");

	// The longest kind name fills its 13 columns exactly.
	trace_event_init(&ev, 999999999999ull, 12, 2, TRACE_IRQ_COALESCED);
	trace_add_uint(&ev, "vector", 32);
	EXPECT_EQ(Text(ev), "999999999999 cpu12 L2 irq_coalesced vector=32\n");

	// Cycles wider than the column are printed in full, never cut.
	trace_event_init(&ev, 18446744073709551615ull, 0, 1, TRACE_IRET);
	trace_add_hex64(&ev, "rip", 0xffffffff81000000ull);
	trace_add_bool(&ev, "nmi_unblocked", false);
	EXPECT_EQ(Text(ev), "18446744073709551615 cpu0 L1 iret          rip=0xffffffff81000000 nmi_unblocked=0\n");
}

TEST(TraceFormatText, NoTrailingBlanksWithoutFields)
{
	trace_event ev;
	trace_event_init(&ev, 20000, 0, 0, TRACE_END);
	EXPECT_EQ(Text(ev), "       20000 cpu0 L0 end\n");
	trace_event_init(&ev, 5, 1, 0, TRACE_NMI_LOST);
	EXPECT_EQ(Text(ev), "           5 cpu1 L0 nmi_lost\n");
}

TEST(TraceFormatText, ValuesPrintByType)
{
	trace_event ev;
	trace_event_init(&ev, 1, 0, 1, TRACE_DELIVER);
	trace_add_uint(&ev, "u", 18446744073709551615ull);
	trace_add_hex32(&ev, "h32", 0x2);
	trace_add_hex32(&ev, "h32max", 0xffffffffu);
	trace_add_hex64(&ev, "h64", 0);
	trace_add_hex64(&ev, "h64max", 0xffffffffffffffffull);
	trace_add_bool(&ev, "t", true);
	trace_add_bool(&ev, "f", false);
	EXPECT_EQ(Text(ev), "           1 cpu0 L1 deliver       u=18446744073709551615 h32=0x00000002 "
	                    "h32max=0xffffffff h64=0x0 h64max=0xffffffffffffffff t=1 f=0\n");
}

TEST(TraceFormatText, StringsWithSpacesQuotesOrEqualsAreQuoted)
{
	trace_event ev;
	trace_event_init(&ev, 2701, 0, 0, TRACE_DEFER);
	trace_add_str(&ev, "what", "irq");
	trace_add_str(&ev, "why", "RFLAGS.IF = 0");
	trace_add_str(&ev, "q", "say \"hi\"");
	trace_add_str(&ev, "eq", "a=b");
	trace_add_str(&ev, "empty", "");
	trace_add_str(&ev, "bar", "sti|if");
	trace_add_str(&ev, "bs", "a\\b");   // no space: printed as is
	EXPECT_EQ(Text(ev), "        2701 cpu0 L0 defer         what=irq why=\"RFLAGS.IF = 0\" q=\"say \\\"hi\\\"\" "
	                    "eq=\"a=b\" empty=\"\" bar=sti|if bs=a\\b\n");

	trace_event_init(&ev, 2701, 0, 0, TRACE_DEFER);
	trace_add_str(&ev, "why", "C:\\ dir");   // quoted: the backslash is escaped
	EXPECT_EQ(Text(ev), "        2701 cpu0 L0 defer         why=\"C:\\\\ dir\"\n");
}

TEST(TraceFormatText, ControlCharactersNeverBreakTheLine)
{
	trace_event ev;
	trace_event_init(&ev, 3, 0, 1, TRACE_GUEST_STOP);
	trace_add_str(&ev, "why", "two\nlines");
	trace_add_str(&ev, "tab", "a\tb");
	std::string line = Text(ev);
	EXPECT_EQ(line, "           3 cpu0 L1 guest_stop    why=\"two\\u000alines\" tab=\"a\\u0009b\"\n");
	EXPECT_EQ(line.find('\n'), line.size() - 1) << "one event, one line";
}

TEST(TraceFormatText, TruncatesSafely)
{
	const trace_event full = VmexitEvent();
	const std::string want = Text(full);
	trace_event end;
	trace_event_init(&end, 20000, 0, 0, TRACE_END);
	const std::string want_end = Text(end);
	const std::pair<const trace_event *, const std::string *> cases[] = {{&full, &want}, {&end, &want_end}};

	for (const auto &c : cases) {
		for (size_t size = 0; size <= c.second->size() + 2; size++) {
			char buf[256];
			memset(buf, 'X', sizeof(buf));
			int n = trace_format_text(c.first, buf, size);
			// Like snprintf: the whole line's length, whatever the buffer.
			EXPECT_EQ((size_t)n, c.second->size()) << "size " << size;
			for (size_t k = size; k < sizeof(buf); k++)
				ASSERT_EQ(buf[k], 'X') << "wrote past the buffer: size " << size << ", byte " << k;
			if (size == 0)
				continue;
			size_t len = strnlen(buf, size);
			ASSERT_LT(len, size) << "not NUL-terminated: size " << size;
			EXPECT_EQ(len, std::min(size - 1, c.second->size())) << "size " << size;
			EXPECT_EQ(std::string(buf, len), c.second->substr(0, len)) << "not a prefix of the line: size " << size;
		}
	}
}

// ---- the JSONL format ------------------------------------------------------

TEST(TraceFormatJsonl, ExactLine)
{
	EXPECT_EQ(Jsonl(VmexitEvent()),
	          "{\"cycle\":12345,\"cpu\":0,\"level\":1,\"event\":\"vmexit\",\"reason\":\"NMI_WINDOW\","
	          "\"qual\":\"0x0\",\"intr_info\":\"0x80000202\",\"idt_vectoring\":\"0x00000000\",\"insn_len\":3,"
	          "\"rip\":\"0x13ea\"}\n");
}

TEST(TraceFormatJsonl, CommonKeysComeFirstAndTheLineIsValidJson)
{
	trace_event ev;
	trace_event_init(&ev, 18446744073709551615ull, 63, 2, TRACE_VIOLATION);
	trace_add_str(&ev, "kind", "nmi_nesting");
	trace_add_uint(&ev, "open_nmi_handlers", 1);
	const std::string line = Jsonl(ev);
	EXPECT_EQ(line, "{\"cycle\":18446744073709551615,\"cpu\":63,\"level\":2,\"event\":\"violation\","
	                "\"kind\":\"nmi_nesting\",\"open_nmi_handlers\":1}\n");
	JsonLine j(line);
	ASSERT_TRUE(j.ok) << j.error << ": " << line;
	ASSERT_GE(j.members.size(), 4u);
	EXPECT_EQ(j.members[0].first, "cycle");
	EXPECT_EQ(j.members[1].first, "cpu");
	EXPECT_EQ(j.members[2].first, "level");
	EXPECT_EQ(j.members[3].first, "event");
	EXPECT_EQ(j.Get("event"), "violation");
	EXPECT_EQ(j.Get("kind"), "nmi_nesting");
}

TEST(TraceFormatJsonl, HexAsStringsBooleansAsJsonBooleans)
{
	trace_event ev;
	trace_event_init(&ev, 7153, 0, 1, TRACE_DELIVER);
	trace_add_uint(&ev, "vector", 32);
	trace_add_str(&ev, "type", "ext-intr");
	trace_add_bool(&ev, "injected", true);
	trace_add_bool(&ev, "other", false);
	trace_add_hex32(&ev, "error_code", 0);
	trace_add_hex64(&ev, "handler", 0xffffffffffffffffull);
	const std::string line = Jsonl(ev);
	EXPECT_EQ(line, "{\"cycle\":7153,\"cpu\":0,\"level\":1,\"event\":\"deliver\",\"vector\":32,\"type\":\"ext-intr\","
	                "\"injected\":true,\"other\":false,\"error_code\":\"0x00000000\","
	                "\"handler\":\"0xffffffffffffffff\"}\n");
	JsonLine j(line);
	ASSERT_TRUE(j.ok) << j.error;
	EXPECT_EQ(j.Get("injected"), "true");
	EXPECT_EQ(j.Get("handler"), "0xffffffffffffffff");
}

TEST(TraceFormatJsonl, EscapesQuotesBackslashesAndControlCharacters)
{
	trace_event ev;
	trace_event_init(&ev, 1, 0, 0, TRACE_GUEST_STOP);
	trace_add_str(&ev, "why", "say \"hi\" \\ now");
	trace_add_str(&ev, "ctl", "a\nb\tc\x01\x1f" "d\x7f");
	trace_add_str(&ev, "empty", "");
	trace_add_str(&ev, "key \"q\"", "v");
	const std::string line = Jsonl(ev);
	EXPECT_EQ(line, "{\"cycle\":1,\"cpu\":0,\"level\":0,\"event\":\"guest_stop\","
	                "\"why\":\"say \\\"hi\\\" \\\\ now\","
	                "\"ctl\":\"a\\u000ab\\u0009c\\u0001\\u001fd\x7f\","
	                "\"empty\":\"\",\"key \\\"q\\\"\":\"v\"}\n");
	JsonLine j(line);
	ASSERT_TRUE(j.ok) << j.error << ": " << line;
	EXPECT_EQ(j.Get("why"), "say \"hi\" \\ now");
	EXPECT_EQ(j.Get("ctl"), "a\nb\tc\x01\x1f" "d\x7f");
	EXPECT_EQ(j.Get("key \"q\""), "v");
}

TEST(TraceFormatJsonl, EveryKindWithoutFieldsIsValidJson)
{
	for (int k = 0; k < TRACE_KIND_COUNT; k++) {
		trace_event ev;
		trace_event_init(&ev, (uint64_t)k * 100, (uint32_t)k % 4, (uint32_t)k % 3, (trace_kind)k);
		const std::string line = Jsonl(ev);
		JsonLine j(line);
		ASSERT_TRUE(j.ok) << j.error << ": " << line;
		ASSERT_EQ(j.members.size(), 4u);
		EXPECT_EQ(j.Get("event"), trace_kind_name((trace_kind)k));
		EXPECT_EQ(j.Get("cycle"), std::to_string(k * 100));
	}
}

TEST(TraceFormatJsonl, TruncatesSafely)
{
	const trace_event ev = VmexitEvent();
	const std::string want = Jsonl(ev);
	for (size_t size = 0; size <= want.size() + 2; size++) {
		char buf[512];
		memset(buf, 'X', sizeof(buf));
		int n = trace_format_jsonl(&ev, buf, size);
		EXPECT_EQ((size_t)n, want.size()) << "size " << size;
		for (size_t k = size; k < sizeof(buf); k++)
			ASSERT_EQ(buf[k], 'X') << "wrote past the buffer: size " << size << ", byte " << k;
		if (size == 0)
			continue;
		size_t len = strnlen(buf, size);
		ASSERT_LT(len, size);
		EXPECT_EQ(len, std::min(size - 1, want.size()));
		EXPECT_EQ(std::string(buf, len), want.substr(0, len));
	}
}

TEST(TraceFormatJsonl, NullBufferOfSizeZero)
{
	const trace_event ev = VmexitEvent();
	EXPECT_EQ((size_t)trace_format_jsonl(&ev, nullptr, 0), Jsonl(ev).size());
	EXPECT_EQ((size_t)trace_format_text(&ev, nullptr, 0), Text(ev).size());
}

// ---- the bus ---------------------------------------------------------------

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
