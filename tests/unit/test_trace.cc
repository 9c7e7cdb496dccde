/* SPDX-License-Identifier: Apache-2.0 */
// The trace events (model/trace): event building, and the `text` and
// `jsonl` line formats with exact expected strings and truncation safety.
// The bus and the file sink: test_trace_bus.cc.
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

}  // namespace
