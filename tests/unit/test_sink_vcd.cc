/* SPDX-License-Identifier: Apache-2.0 */
// The VCD writer (model/trace/sink_vcd.c): synthetic events in, the exact
// value change dump out - the deterministic header with one scope per vCPU
// and level, the first value changes, merging of changes within a time
// stamp, the reorder window across vCPUs and the clamp beyond it, streaming,
// and the error flag on a stream that fails.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "model/trace/trace.h"
#include <sstream>

#include "unit/sink_harness.h"

namespace {

trace_sink_context Ctx(uint32_t vcpus) { return SinkContext(1000000000, "plain", vcpus); }

// Everything the writer prints for `evs`.
std::string Vcd(const std::vector<Ev> &evs, uint32_t vcpus = 1)
{
	return WriteAll(trace_vcd_sink_new, Ctx(vcpus), evs);
}

// The value-change section as written: everything after $enddefinitions.
std::string RawBody(const std::string &vcd)
{
	const std::string mark = "$enddefinitions $end\n";
	size_t at = vcd.find(mark);
	EXPECT_NE(at, std::string::npos);
	return at == std::string::npos ? "" : vcd.substr(at + mark.size());
}

// The same in cycles, as most tests here read it: at Ctx()'s 1 GHz a time
// stamp is 1000 ps per cycle; the `cycle` wire's changes (checked by
// RealTimeStampsAndTheCycleWire) are left out.
std::string Body(const std::string &vcd)
{
	std::string code;
	const std::string decl = "$var wire 64 ";
	size_t d = vcd.find(decl);
	if (d != std::string::npos)
		code = vcd.substr(d + decl.size(), vcd.find(' ', d + decl.size()) - d - decl.size());
	std::istringstream in(RawBody(vcd));
	std::string out;
	for (std::string line; std::getline(in, line);) {
		if (!code.empty() && line[0] == 'b' && line.size() > code.size() + 1 &&
		    line.compare(line.size() - code.size() - 1, std::string::npos, " " + code) == 0)
			continue;
		if (line[0] == '#') {
			uint64_t ps = std::stoull(line.substr(1));
			EXPECT_EQ(ps % 1000, 0u) << line;
			line = "#" + std::to_string(ps / 1000);
		}
		out += line + "\n";
	}
	return out;
}

// The part of the body after $dumpvars ... $end.
std::string Changes(const std::string &vcd)
{
	std::string body = Body(vcd);
	size_t at = body.find("$end\n");
	return at == std::string::npos ? "" : body.substr(at + 5);
}

// The time stamps in order.
std::vector<uint64_t> Stamps(const std::string &vcd)
{
	std::vector<uint64_t> out;
	std::string body = Body(vcd);
	size_t pos = 0;
	while (pos < body.size()) {
		size_t nl = body.find('\n', pos);
		std::string line = body.substr(pos, nl - pos);
		if (!line.empty() && line[0] == '#')
			out.push_back(std::stoull(line.substr(1)));
		pos = nl == std::string::npos ? body.size() : nl + 1;
	}
	return out;
}

const char *const kHeader1 =
    "$comment\n"
    "  vmxsim trace of synthetic.scn\n"
    "  L0 plain, 1 vCPUs, TSC 1000000000 Hz\n"
    "  time is real time at the TSC: 1 time unit = 1 ps; the wire time.cycle is the model cycle\n"
    "$end\n"
    "$version vmxsim $end\n"
    "$timescale 1ps $end\n"
    "$scope module vcpu0 $end\n"
    "$scope module l0 $end\n"
    "$var wire 2 ! activity_state [1:0] $end\n"
    "$var wire 1 \" blocking_by_sti $end\n"
    "$var wire 1 # blocking_by_mov_ss $end\n"
    "$var wire 1 $ blocking_by_nmi $end\n"
    "$var wire 1 % virtual_nmi_blocking $end\n"
    "$var wire 1 & rflags_if $end\n"
    "$var wire 1 ' nmi_pending $end\n"
    "$var wire 1 ( intr_pending $end\n"
    "$var wire 1 ) irq_window_exiting $end\n"
    "$var wire 1 * nmi_window_exiting $end\n"
    "$var wire 1 + soft_vnmi_blocked $end\n"
    "$var wire 32 , vm_entry_intr_info [31:0] $end\n"
    "$var event 1 - violation $end\n"
    "$upscope $end\n"
    "$scope module l1 $end\n"
    "$var wire 1 . guest_mode $end\n"
    "$var wire 2 / activity_state [1:0] $end\n"
    "$var wire 16 0 exit_reason [15:0] $end\n"
    "$var wire 1 1 failed_vmentry $end\n"
    "$var event 1 2 vmentry $end\n"
    "$var event 1 3 vmexit $end\n"
    "$var wire 1 4 blocking_by_sti $end\n"
    "$var wire 1 5 blocking_by_mov_ss $end\n"
    "$var wire 1 6 blocking_by_nmi $end\n"
    "$var wire 1 7 virtual_nmi_blocking $end\n"
    "$var wire 1 8 rflags_if $end\n"
    "$var wire 1 9 nmi_pending $end\n"
    "$var wire 1 : intr_pending $end\n"
    "$var event 1 ; violation $end\n"
    "$var wire 16 < nested_exit_reason [15:0] $end\n"
    "$var event 1 = nested_exit $end\n"
    "$var event 1 > nested_entry $end\n"
    "$upscope $end\n"
    "$scope module l2 $end\n"
    "$var wire 1 ? guest_mode $end\n"
    "$var wire 2 @ activity_state [1:0] $end\n"
    "$var wire 16 A exit_reason [15:0] $end\n"
    "$var wire 1 B failed_vmentry $end\n"
    "$var event 1 C vmentry $end\n"
    "$var event 1 D vmexit $end\n"
    "$var wire 1 E blocking_by_sti $end\n"
    "$var wire 1 F blocking_by_mov_ss $end\n"
    "$var wire 1 G blocking_by_nmi $end\n"
    "$var wire 1 H virtual_nmi_blocking $end\n"
    "$var wire 1 I rflags_if $end\n"
    "$var wire 1 J nmi_pending $end\n"
    "$var wire 1 K intr_pending $end\n"
    "$var event 1 L violation $end\n"
    "$upscope $end\n"
    "$upscope $end\n"
    "$scope module time $end\n"
    "$var wire 64 M cycle [63:0] $end\n"
    "$upscope $end\n"
    "$enddefinitions $end\n";

TEST(SinkVcd, HeaderIsFixedAndDeclaresEveryLevelOfEveryVcpu)
{
	std::string out = Vcd({});
	ASSERT_EQ(out.substr(0, std::string(kHeader1).size()), kHeader1);
	EXPECT_EQ(out.find("$date"), std::string::npos);
	// No events: every wire at its reset value at #0, nothing after.
	EXPECT_EQ(Body(out),
	          "#0\n$dumpvars\nb0 !\n0\"\n0#\n0$\n0%\n0&\n0'\n0(\n0)\n0*\n0+\nb0 ,\n"
	          "0.\nb0 /\nbx 0\n01\n04\n05\n06\n07\n08\n09\n0:\nbx <\n"
	          "0?\nb0 @\nbx A\n0B\n0E\n0F\n0G\n0H\n0I\n0J\n0K\n$end\n");
	// A second vCPU gets its own scope and identifiers after the first one's.
	std::string two = Vcd({}, 2);
	EXPECT_NE(two.find("$scope module vcpu1 $end\n$scope module l0 $end\n$var wire 2 M activity_state [1:0] $end\n"),
	          std::string::npos);
}

// Time is real time: picoseconds at the TSC, rounded, so that cycles never
// share a time stamp even at the highest TSC; the `cycle` wire says which
// cycle each stamp is, from $dumpvars on. Without a TSC, cycles at a
// nominal 1 ns.
TEST(SinkVcd, RealTimeStampsAndTheCycleWire)
{
	const std::vector<Ev> evs = {
	    Ev(1, 0, 1, TRACE_BLOCKING).S("from", "none").S("to", "if"),
	    Ev(2, 0, 1, TRACE_BLOCKING).S("from", "if").S("to", "none"),
	    Ev(2400, 0, 1, TRACE_BLOCKING).S("from", "none").S("to", "if"),
	};
	std::string out = WriteAll(trace_vcd_sink_new, SinkContext(2400000000ull, "plain", 1), evs);
	EXPECT_NE(out.find("$timescale 1ps $end\n"), std::string::npos);
	EXPECT_EQ(RawBody(out).substr(0, 18), "#0\n$dumpvars\nb0 M\n");
	// 1 cycle = 416.67 ps; 2400 cycles = 1 us.
	EXPECT_NE(out.find("#417\nb1 M\n18\n#833\nb10 M\n08\n#1000000\nb100101100000 M\n18\n"), std::string::npos)
	    << RawBody(out);
	// At 100 GHz (the language's highest TSC) a cycle is still 10 ps.
	out = WriteAll(trace_vcd_sink_new, SinkContext(100000000000ull, "plain", 1), evs);
	EXPECT_NE(out.find("#10\nb1 M\n18\n#20\nb10 M\n08\n#24000\n"), std::string::npos) << RawBody(out);
	// A run of 10^17 cycles at 1 Hz: stamps past 64 bits are still exact.
	out = WriteAll(trace_vcd_sink_new, SinkContext(1, "plain", 1),
	               {Ev(100000000000000000ull, 0, 1, TRACE_BLOCKING).S("from", "none").S("to", "if")});
	EXPECT_NE(out.find("#100000000000000000000000000000\n"), std::string::npos) << RawBody(out);
	// No TSC: cycles, a nominal 1 ns, no cycle wire.
	out = WriteAll(trace_vcd_sink_new, SinkContext(0, "plain", 1), evs);
	EXPECT_NE(out.find("$timescale 1ns $end\n"), std::string::npos);
	EXPECT_EQ(out.find(" cycle [63:0]"), std::string::npos);
	EXPECT_NE(out.find("#1\n18\n#2\n08\n#2400\n18\n"), std::string::npos) << RawBody(out);
}

TEST(SinkVcd, FirstValueChanges)
{
	std::string out = Vcd({
	    Ev(0, 0, 1, TRACE_VMENTRY).S("insn", "vmlaunch").H64("rip", 0x1000),
	    Ev(1001, 0, 1, TRACE_BLOCKING).S("from", "none").S("to", "sti|if"),
	    Ev(1002, 0, 1, TRACE_BLOCKING).S("from", "sti|if").S("to", "if"),
	    Ev(2000, 0, 1, TRACE_STIMULUS).S("type", "nmi").S("origin", "scenario"),
	    Ev(2000, 0, 1, TRACE_VMEXIT).S("reason", "EXTERNAL_INTERRUPT").H64("qual", 0).H64("rip", 0x13e8),
	    Ev(3731, 0, 0, TRACE_INJECT).S("type", "nmi").U("vector", 2).H32("intr_info", 0x80000202),
	    Ev(3731, 0, 1, TRACE_VMENTRY).S("insn", "vmresume").H64("rip", 0x13e8).H32("inject", 0x80000202),
	    Ev(4781, 0, 1, TRACE_DELIVER).U("vector", 2).S("type", "nmi").B("injected", true).H64("handler", 0x13eb),
	    Ev(4781, 0, 1, TRACE_BLOCKING).S("from", "if").S("to", "vnmi"),
	    Ev(5000, 0, 0, TRACE_WINDOW).S("what", "nmi-window-on").S("why", "NMI pending"),
	    Ev(9000, 0, 0, TRACE_END).U("exits", 1).U("violations", 0),
	});
	// guest_mode (.) is 1 from the start; the vmentry event (2) pulses at #0.
	EXPECT_NE(Body(out).find("0+\nb0 ,\n1.\nb0 /\nbx 0\n"), std::string::npos);
	EXPECT_EQ(Changes(out),
	          "12\n"
	          "#1001\n14\n18\n"
	          "#1002\n04\n"
	          "#2000\n19\n0.\n13\nb1 0\n"
	          "#3731\nb10000000000000000000001000000010 ,\n09\n1.\n12\n"
	          "#4781\n17\n08\n"
	          "#5000\n1*\n"
	          "#9000\n");
}

TEST(SinkVcd, WritesOnlyRealChangesOncePerTimeStamp)
{
	std::string out = Vcd({
	    Ev(10, 0, 1, TRACE_BLOCKING).S("from", "none").S("to", "if"),
	    Ev(10, 0, 1, TRACE_BLOCKING).S("from", "if").S("to", "none"),   // back within #10: nothing
	    Ev(20, 0, 1, TRACE_BLOCKING).S("from", "none").S("to", "if"),
	    Ev(30, 0, 1, TRACE_BLOCKING).S("from", "if").S("to", "if"),     // no change: nothing
	    Ev(40, 0, 0, TRACE_SOFT_VNMI).B("blocked", true).S("why", "NMI injected"),
	    Ev(40, 0, 0, TRACE_SOFT_VNMI).B("blocked", false).S("why", "x"),
	    Ev(40, 0, 0, TRACE_SOFT_VNMI).B("blocked", true).S("why", "NMI injected"),
	});
	EXPECT_EQ(Changes(out), "#20\n18\n#40\n1+\n");
}

TEST(SinkVcd, ExitReasonIsTheBasicReasonNumber)
{
	std::string out = Vcd({
	    Ev(5, 0, 1, TRACE_VMEXIT).S("reason", "NMI_WINDOW").H64("qual", 0),
	    Ev(6, 0, 1, TRACE_VMEXIT).S("reason", "PENDING_INTERRUPT").H64("qual", 0),   // the old name of 7
	    Ev(7, 0, 2, TRACE_VMEXIT).S("reason", "0x45").H64("qual", 0),
	    Ev(8, 0, 1, TRACE_VMEXIT).S("reason", "INVALID_STATE").B("failed_vmentry", true).H64("qual", 0),
	    Ev(9, 0, 1, TRACE_VMEXIT).S("reason", "no such reason").H64("qual", 0),
	});
	EXPECT_EQ(Changes(out), "#5\n13\nb1000 0\n#6\n13\nb111 0\n#7\n1D\nb1000101 A\n"
	                        "#8\n13\nb100001 0\n11\n#9\n13\nbx 0\n01\n");
}

TEST(SinkVcd, NestedExitIsWhatL1Sees)
{
	// kvm-2011: L2's exit goes to L0 (l2.exit_reason), which emulates an exit
	// to L1 (l1.nested_exit_reason) and later L1's VMRESUME (l1.nested_entry).
	std::string out = Vcd({
	    Ev(2400, 0, 2, TRACE_VMENTRY).S("insn", "vmlaunch"),
	    Ev(20000, 0, 2, TRACE_VMEXIT).S("reason", "EXTERNAL_INTERRUPT").H64("qual", 0),
	    Ev(21731, 0, 1, TRACE_NESTED_VMEXIT).S("reason", "EXTERNAL_INTERRUPT").H64("qual", 0),
	    Ev(21731, 0, 1, TRACE_VMENTRY).S("insn", "vmresume"),
	    Ev(32063, 0, 1, TRACE_NESTED_VMENTER).S("insn", "vmresume").H64("nested_rip", 0x1248),
	});
	EXPECT_EQ(Changes(out), "#2400\n1?\n1C\n#20000\n0?\n1D\nb1 A\n#21731\n1=\nb1 <\n1.\n12\n#32063\n1>\n");
}

TEST(SinkVcd, PendingLinesFollowRaiseAndTake)
{
	std::string out = Vcd({
	    Ev(10, 0, 0, TRACE_STIMULUS).S("type", "irq").U("vector", 236).S("origin", "scenario"),
	    Ev(11, 0, 0, TRACE_HOST).S("type", "irq").U("vector", 253).S("why", "kick"),   // not raised: no change
	    Ev(12, 0, 0, TRACE_HOST).S("type", "irq").U("vector", 236),
	    Ev(20, 0, 0, TRACE_STIMULUS).S("type", "nmi").S("origin", "scenario"),
	    Ev(21, 0, 1, TRACE_DELIVER).U("vector", 2).S("type", "nmi").B("injected", false).H64("handler", 1),
	    Ev(30, 0, 1, TRACE_STIMULUS).S("type", "irq").U("vector", 32).S("origin", "scenario"),
	    Ev(31, 0, 0, TRACE_INJECT).S("type", "ext-intr").U("vector", 32).H32("intr_info", 0x80000020),
	});
	EXPECT_EQ(Changes(out), "#10\n1(\n#12\n0(\n#20\n1'\n#21\n0'\n#30\n1:\n#31\nb10000000000000000000000000100000 ,\n0:\n");
}

TEST(SinkVcd, ReordersVcpusWithinTheWindow)
{
	// cpu0 runs ahead to 8801 before cpu1's 7552 arrives (smp-ipi.scn).
	std::string out = Vcd({
	    Ev(0, 0, 1, TRACE_VMENTRY).S("insn", "vmlaunch"),
	    Ev(0, 1, 1, TRACE_VMENTRY).S("insn", "vmlaunch"),
	    Ev(7401, 0, 1, TRACE_VMEXIT).S("reason", "MSR_WRITE").H64("qual", 0),
	    Ev(8801, 0, 1, TRACE_VMENTRY).S("insn", "vmresume"),
	    Ev(7552, 1, 1, TRACE_VMEXIT).S("reason", "MSR_WRITE").H64("qual", 0),
	    Ev(8952, 1, 1, TRACE_VMENTRY).S("insn", "vmresume"),
	}, 2);
	EXPECT_EQ(Stamps(out), (std::vector<uint64_t>{0, 7401, 7552, 8801, 8952}));
	EXPECT_EQ(out.find("clamped"), std::string::npos);
}

TEST(SinkVcd, ClampsChangesOlderThanTheWindow)
{
	// cpu1 is silent while cpu0 runs 2,000,000 cycles ahead, past the reorder
	// window; cpu1's change at 10 comes too late and is written at the time
	// stamp already reached.
	std::string out = Vcd({
	    Ev(0, 0, 1, TRACE_VMENTRY).S("insn", "vmlaunch"),
	    Ev(500000, 0, 1, TRACE_BLOCKING).S("from", "none").S("to", "if"),
	    Ev(2000000, 0, 1, TRACE_VMEXIT).S("reason", "HLT").H64("qual", 0),
	    Ev(2000001, 0, 1, TRACE_VMENTRY).S("insn", "vmresume"),
	    Ev(10, 1, 1, TRACE_BLOCKING).S("from", "none").S("to", "if"),
	}, 2);
	std::vector<uint64_t> st = Stamps(out);
	for (size_t i = 1; i < st.size(); i++)
		EXPECT_LE(st[i - 1], st[i]);
	EXPECT_NE(out.find("$comment 1 value changes arrived late"), std::string::npos);
	EXPECT_EQ(st, (std::vector<uint64_t>{0, 500000, 2000000, 2000001}));
	// The late change is written in the time stamp already reached.
	EXPECT_NE(Body(out).find("#500000\n18\n1d\n"), std::string::npos);
}

TEST(SinkVcd, StreamsWithoutKeepingTheRun)
{
	char *mem = nullptr;
	size_t size = 0;
	FILE *f = open_memstream(&mem, &size);
	trace_sink_context ctx = Ctx(1);
	trace_sink *s = trace_vcd_sink_new(f, &ctx);
	ASSERT_NE(s, nullptr);
	for (uint64_t i = 0; i < 20000; i++) {
		Ev e(i * 10, 0, 1, TRACE_BLOCKING);
		e.S("from", i % 2 ? "if" : "none").S("to", i % 2 ? "none" : "if");
		s->emit(s, &e.ev);
	}
	fflush(f);
	size_t before_finish = size;
	s->finish(s);
	fflush(f);
	// All but the last few changes are out before the run ends.
	EXPECT_GT(before_finish, size - 64);
	EXPECT_GT(size, 20000u * 6);
	trace_sink_close(s);
	fclose(f);
	free(mem);
}

TEST(SinkVcd, SetsTheErrorFlagWhenTheStreamFails)
{
	FILE *f = fopen("/dev/full", "w");
	ASSERT_NE(f, nullptr);
	trace_sink_context ctx = Ctx(1);
	trace_sink *s = trace_vcd_sink_new(f, &ctx);
	ASSERT_NE(s, nullptr);
	Ev e(10, 0, 1, TRACE_VMENTRY);
	s->emit(s, &e.ev);
	s->finish(s);
	EXPECT_TRUE(s->error);
	trace_sink_close(s);
	fclose(f);
}

TEST(SinkVcd, OpensThroughTheFormatName)
{
	trace_sink_context ctx = Ctx(1);
	FILE *f = tmpfile();
	ASSERT_NE(f, nullptr);
	ASSERT_EQ(trace_format_lookup("vcd"), TRACE_FORMAT_VCD);
	trace_sink *s = trace_sink_open(TRACE_FORMAT_VCD, f, &ctx);
	EXPECT_NE(s, nullptr);
	trace_sink_close(s);
	fclose(f);
}

}  // namespace
