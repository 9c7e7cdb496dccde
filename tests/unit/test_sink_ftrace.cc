/* SPDX-License-Identifier: Apache-2.0 */
// The ftrace writer (model/trace/sink_ftrace.c): synthetic events in, the
// exact lines `trace-cmd report` prints for the trace.dat of the same events
// (Debian's trace-cmd 3.1 with libtraceevent 1.7's plugin_kvm), for each KVM
// tracepoint in each era (kvm-2008 and kvm-2011: the oldest TRACE_EVENT
// formats; kvm-modern and plain: today's), the line's columns and time
// stamps, the order across vCPUs, and the model-only `vmxsim_*` lines for
// everything KVM has no tracepoint for. ctest formats.tracedat.report checks
// the same against trace-cmd itself.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "model/trace/trace.h"
#include "unit/sink_harness.h"

namespace {

// Everything the writer prints for `evs` under L0 variant `l0`, with its "cpus=N" header.
std::string FtraceAll(const char *l0, const std::vector<Ev> &evs, uint64_t tsc_hz = 1000000, uint32_t vcpus = 16)
{
	return WriteAll(trace_ftrace_sink_new, SinkContext(tsc_hz, l0, vcpus), evs);
}

// The lines after the header.
std::string Ftrace(const char *l0, const std::vector<Ev> &evs, uint64_t tsc_hz = 1000000, uint32_t vcpus = 16)
{
	std::string out = FtraceAll(l0, evs, tsc_hz, vcpus);
	return out.substr(out.find('\n') + 1);
}

std::string One(const char *l0, const Ev &e) { return Ftrace(l0, {e}); }

// The columns before the event name at 1 MHz (a cycle is a microsecond), vCPU 0, cycle 10.
const std::string P = "          vmxsim-1000  [000]     0.000010: ";

const char *const kOld[] = {"kvm-2008", "kvm-2011"};
const char *const kCurrent[] = {"kvm-modern", "plain"};

// ---- the line ---------------------------------------------------------------

TEST(SinkFtrace, ColumnsAreThoseOfTraceCmdReport)
{
	// comm right-aligned in 16, "-pid" left-aligned in 5, [cpu] in 3 digits,
	// seconds right-aligned in 5, microseconds in 6.
	EXPECT_EQ(One("plain", Ev(10, 0, 1, TRACE_VMENTRY).S("insn", "vmlaunch").H64("rip", 0x1000)),
	          "          vmxsim-1000  [000]     0.000010: kvm_entry:             vcpu 0 rip 0x1000\n");
	EXPECT_EQ(One("plain", Ev(2500000, 3, 1, TRACE_VMENTRY).S("insn", "vmresume").H64("rip", 0x13e8)),
	          "          vmxsim-1003  [003]     2.500000: kvm_entry:             vcpu 3 rip 0x13e8\n");
	EXPECT_EQ(One("plain", Ev(0, 12, 1, TRACE_VMENTRY).S("insn", "vmresume").H64("rip", 0x13e8)),
	          "          vmxsim-1012  [012]     0.000000: kvm_entry:             vcpu 12 rip 0x13e8\n");
}

TEST(SinkFtrace, EventNamesArePaddedAsTraceCmdPadsThem)
{
	// "name: " then blanks up to a 20-character name; longer names get none.
	std::string out = Ftrace("plain", {
	    Ev(10, 0, 0, TRACE_EOI),                                            // vmxsim_eoi (10)
	    Ev(10, 0, 1, TRACE_STIMULUS).S("type", "irq").U("vector", 32).S("origin", "scenario"),   // 19
	    Ev(10, 0, 0, TRACE_IRQ_COALESCED).U("vector", 32),                 // vmxsim_irq_coalesced (20)
	});
	EXPECT_EQ(out, P + "vmxsim_eoi:           level=0\n" +
	                   P + "kvm_apic_accept_irq:  apicid 0 vec 32 (Fixed|edge)\n" +
	                   P + "vmxsim_irq_coalesced: level=0 vector=32\n");
}

TEST(SinkFtrace, TimeIsCyclesAtTheTscFrequencyRoundedToTheMicrosecond)
{
	const uint64_t ghz24 = 2400000000u;
	std::string out = Ftrace("plain", {
	    Ev(2399, 0, 1, TRACE_VMENTRY).S("insn", "vmresume").H64("rip", 0x1),                 // 0.9996 us
	    Ev(3731, 0, 1, TRACE_VMENTRY).S("insn", "vmresume").H64("rip", 0x1),                 // 1.5546 us
	    Ev(3599, 0, 1, TRACE_VMENTRY).S("insn", "vmresume").H64("rip", 0x1),                 // 1.4996 us
	    Ev(5 * ghz24 + 7 * 2400 + 2399, 0, 1, TRACE_VMENTRY).S("insn", "vmresume").H64("rip", 0x1),
	    Ev(123456 * ghz24, 0, 1, TRACE_VMENTRY).S("insn", "vmresume").H64("rip", 0x1),      // wider than 5
	}, ghz24);
	EXPECT_EQ(out,
	          "          vmxsim-1000  [000]     0.000001: kvm_entry:             vcpu 0 rip 0x1\n"
	          "          vmxsim-1000  [000]     0.000002: kvm_entry:             vcpu 0 rip 0x1\n"
	          "          vmxsim-1000  [000]     0.000002: kvm_entry:             vcpu 0 rip 0x1\n"
	          "          vmxsim-1000  [000]     5.000008: kvm_entry:             vcpu 0 rip 0x1\n"
	          "          vmxsim-1000  [000] 123456.000000: kvm_entry:             vcpu 0 rip 0x1\n");
	// trace-cmd report -t: nanoseconds, rounded from the cycles.
	EXPECT_EQ(WriteAll(trace_ftrace_sink_new, SinkContext(ghz24, "plain", 1, true),
	                   {Ev(3731, 0, 1, TRACE_VMENTRY).S("insn", "vmresume").H64("rip", 0x1)}),
	          "cpus=1\n          vmxsim-1000  [000]     0.000001555: kvm_entry:             vcpu 0 rip 0x1\n");
}

// ---- kvm_entry, kvm_exit, kvm_nested_vmexit ----------------------------------

TEST(SinkFtrace, KvmEntryPerEra)
{
	Ev e = Ev(10, 0, 1, TRACE_VMENTRY).S("insn", "vmresume").H64("rip", 0x13e8).H32("inject", 0x80000020);
	// plugin_kvm prints the vCPU and the RIP itself, whatever the era's format says.
	for (const char *l0 : {"kvm-2008", "kvm-2011", "kvm-modern", "plain"})
		EXPECT_EQ(One(l0, e), P + "kvm_entry:             vcpu 0 rip 0x13e8\n") << l0;
}

Ev Exit(const char *reason, uint32_t intr_info, uint32_t idt, uint64_t rip)
{
	return Ev(10, 0, 1, TRACE_VMEXIT)
	    .S("reason", reason)
	    .H64("qual", 0)
	    .H32("intr_info", intr_info)
	    .H32("idt_vectoring", idt)
	    .H64("rip", rip);
}

TEST(SinkFtrace, KvmExitPerEra)
{
	Ev e = Exit("EXTERNAL_INTERRUPT", 0x800000fd, 0x80000020, 0x13e8);
	// plugin_kvm's "reason %s rip 0x%llx info %llx %llx" of info1 and info2: today the
	// qualification and the IDT-vectoring information.
	for (const char *l0 : kCurrent)
		EXPECT_EQ(One(l0, e), P + "kvm_exit:             reason EXTERNAL_INTERRUPT rip 0x13e8 info 0 80000020\n")
		    << l0;
	// ~3.x-4.x: the qualification and the exit interruption information.
	for (const char *l0 : kOld)
		EXPECT_EQ(One(l0, e), P + "kvm_exit:             reason EXTERNAL_INTERRUPT rip 0x13e8 info 0 800000fd\n")
		    << l0;
}

TEST(SinkFtrace, KvmExitWithAnErrorCodeAndAQualification)
{
	Ev e = Ev(10, 0, 1, TRACE_VMEXIT)
	           .S("reason", "EXCEPTION_NMI")
	           .H64("qual", 0x1000)
	           .H32("intr_info", 0x80000b0d)
	           .H32("error_code", 0x18)
	           .H32("idt_vectoring", 0)
	           .U("insn_len", 2)
	           .H64("rip", 0xffffffff8106b1a4);
	EXPECT_EQ(One("kvm-modern", e), P + "kvm_exit:             reason EXCEPTION_NMI rip 0xffffffff8106b1a4 info 1000 0\n");
	EXPECT_EQ(One("kvm-2008", e),
	          P + "kvm_exit:             reason EXCEPTION_NMI rip 0xffffffff8106b1a4 info 1000 80000b0d\n");
}

TEST(SinkFtrace, ReasonsAreNamedFromThePluginsTable)
{
	// plugin_kvm's table still says PENDING_INTERRUPT for 7, in every era.
	Ev e = Exit("INTERRUPT_WINDOW", 0, 0, 0x13e8);
	for (const char *l0 : {"kvm-2008", "kvm-2011", "kvm-modern"})
		EXPECT_EQ(One(l0, e), P + "kvm_exit:             reason PENDING_INTERRUPT rip 0x13e8 info 0 0\n") << l0;
	EXPECT_EQ(One("kvm-2008", Exit("NMI_WINDOW", 0, 0, 0x1000)),
	          P + "kvm_exit:             reason NMI_WINDOW rip 0x1000 info 0 0\n");
	// Reasons the table lacks (MONITOR_TRAP_FLAG, 37) and numbers without a name are UNKNOWN (decimal).
	EXPECT_EQ(One("kvm-modern", Exit("MONITOR_TRAP_FLAG", 0, 0, 0x1000)),
	          P + "kvm_exit:             reason UNKNOWN (37) rip 0x1000 info 0 0\n");
	EXPECT_EQ(One("kvm-2008", Exit("0x45", 0, 0, 0x1000)),
	          P + "kvm_exit:             reason UNKNOWN (69) rip 0x1000 info 0 0\n");
}

TEST(SinkFtrace, AFailedEntryIsAKvmEntryAndAFailedVmentryExit)
{
	// KVM prints kvm_entry before every attempt; a failed entry reports
	// only the qualification (info2, intr_info and error_code are 0).
	Ev e = Ev(10, 0, 1, TRACE_VMEXIT)
	           .S("reason", "INVALID_STATE")
	           .B("failed_vmentry", true)
	           .H64("qual", 3)
	           .H64("rip", 0x1000)
	           .S("check", "R10: NMI injection blocked by STI");
	// The reason has bit 31 set, which plugin_kvm does not strip: UNKNOWN (0x80000021).
	for (const char *l0 : {"kvm-2008", "kvm-modern"})
		EXPECT_EQ(One(l0, e), P + "kvm_entry:             vcpu 0 rip 0x1000\n" + P +
		                          "kvm_exit:             reason UNKNOWN (2147483681) rip 0x1000 info 3 0\n")
		    << l0;
}

TEST(SinkFtrace, AnL2ExitIsAlsoAKvmNestedVmexit)
{
	Ev e = Ev(10, 0, 2, TRACE_VMEXIT)
	           .S("reason", "EXTERNAL_INTERRUPT")
	           .H64("qual", 0)
	           .H32("intr_info", 0x800000f2)
	           .H32("idt_vectoring", 0)
	           .H64("rip", 0x4028b7);
	// plugin_kvm's " rip %llx" and "reason %s ..." with no blank between them.
	EXPECT_EQ(One("kvm-modern", e),
	          P + "kvm_exit:             reason EXTERNAL_INTERRUPT rip 0x4028b7 info 0 0\n" + P +
	              "kvm_nested_vmexit:     rip 4028b7reason EXTERNAL_INTERRUPT info1 0 info2 0 int_info 800000f2 "
	              "int_info_err 0\n");
	EXPECT_EQ(One("kvm-2011", e),
	          P + "kvm_exit:             reason EXTERNAL_INTERRUPT rip 0x4028b7 info 0 800000f2\n" + P +
	              "kvm_nested_vmexit:     rip 4028b7reason EXTERNAL_INTERRUPT info1 0 info2 0 int_info 800000f2 "
	              "int_info_err 0\n");
}

TEST(SinkFtrace, AnEmulatedExitFromL2ToL1IsKvmNestedVmexitInject)
{
	const trace_kind kind = TRACE_NESTED_VMEXIT;
	Ev irq = Ev(10, 0, 1, kind)
	             .S("reason", "EXTERNAL_INTERRUPT")
	             .H64("qual", 0)
	             .H32("intr_info", 0)
	             .H32("idt_vectoring", 0)
	             .H64("rip", 0x4028b7);
	Ev nmi = Ev(10, 0, 1, kind)
	             .S("reason", "EXCEPTION_NMI")
	             .H64("qual", 0)
	             .H32("intr_info", 0x80000202)
	             .H32("idt_vectoring", 0x800000f2)
	             .H64("rip", 0x4028b7);
	Ev win = Ev(10, 0, 1, kind)
	             .S("reason", "INTERRUPT_WINDOW")
	             .H64("qual", 0)
	             .H32("intr_info", 0)
	             .H32("idt_vectoring", 0)
	             .H64("rip", 0x4028b7);
	// plugin_kvm: "reason %s info1 %llx info2 %llx int_info %llx int_info_err %llx".
	for (const char *l0 : {"kvm-2011", "kvm-modern"}) {
		EXPECT_EQ(One(l0, irq), P + "kvm_nested_vmexit_inject: reason EXTERNAL_INTERRUPT info1 0 info2 0 int_info 0 "
		                            "int_info_err 0\n")
		    << l0;
		EXPECT_EQ(One(l0, nmi), P + "kvm_nested_vmexit_inject: reason EXCEPTION_NMI info1 0 info2 800000f2 "
		                            "int_info 80000202 int_info_err 0\n")
		    << l0;
		EXPECT_EQ(One(l0, win), P + "kvm_nested_vmexit_inject: reason PENDING_INTERRUPT info1 0 info2 0 int_info 0 "
		                            "int_info_err 0\n")
		    << l0;
	}
}

// ---- kvm_inj_virq, kvm_inj_exception, NMI injection ----------------------------

Ev Inject(const char *type, uint32_t vector, uint32_t info, const char *why = nullptr)
{
	Ev e = Ev(10, 0, 0, TRACE_INJECT).S("type", type).U("vector", vector).H32("intr_info", info);
	if (why)
		e.S("why", why);
	return e;
}

TEST(SinkFtrace, KvmInjVirqPerEra)
{
	for (const char *l0 : kCurrent) {
		EXPECT_EQ(One(l0, Inject("ext-intr", 32, 0x80000020)), P + "kvm_inj_virq:         IRQ 0x20\n") << l0;
		EXPECT_EQ(One(l0, Inject("ext-intr", 236, 0x800000ec, "reinjected")),
		          P + "kvm_inj_virq:         IRQ 0xec [reinjected]\n")
		    << l0;
		EXPECT_EQ(One(l0, Inject("soft-intr", 128, 0x80000480)), P + "kvm_inj_virq:         Soft/INTn 0x80\n") << l0;
	}
	for (const char *l0 : kOld) {
		EXPECT_EQ(One(l0, Inject("ext-intr", 32, 0x80000020)), P + "kvm_inj_virq:         irq 32\n") << l0;
		EXPECT_EQ(One(l0, Inject("ext-intr", 236, 0x800000ec, "reinjected")), P + "kvm_inj_virq:         irq 236\n")
		    << l0;
		EXPECT_EQ(One(l0, Inject("soft-intr", 128, 0x80000480)), P + "kvm_inj_virq:         irq 128\n") << l0;
	}
}

TEST(SinkFtrace, KvmInjExceptionPerEra)
{
	Ev gp = Inject("hw-exception", 13, 0x80000b0d, "reflected");
	gp.H32("error_code", 0);
	Ev pf = Inject("hw-exception", 14, 0x80000b0e, "reinjected");
	pf.H32("error_code", 2);
	Ev ud = Inject("hw-exception", 6, 0x80000306, "reflected");
	Ev bp = Inject("sw-exception", 3, 0x80000603);
	Ev ve = Inject("hw-exception", 20, 0x80000314);   // no symbol in kvm_trace_sym_exc
	for (const char *l0 : kCurrent) {
		EXPECT_EQ(One(l0, gp), P + "kvm_inj_exception:    #GP (0x0)\n") << l0;
		EXPECT_EQ(One(l0, pf), P + "kvm_inj_exception:    #PF (0x2) [reinjected]\n") << l0;
		EXPECT_EQ(One(l0, ud), P + "kvm_inj_exception:    #UD\n") << l0;
		EXPECT_EQ(One(l0, bp), P + "kvm_inj_exception:    #BP\n") << l0;
		EXPECT_EQ(One(l0, ve), P + "kvm_inj_exception:    0x14\n") << l0;
	}
	// "%s (0x%x)": always an error code, 0 when there is none; no [reinjected].
	for (const char *l0 : kOld) {
		EXPECT_EQ(One(l0, gp), P + "kvm_inj_exception:    #GP (0x0)\n") << l0;
		EXPECT_EQ(One(l0, pf), P + "kvm_inj_exception:    #PF (0x2)\n") << l0;
		EXPECT_EQ(One(l0, ud), P + "kvm_inj_exception:    #UD (0x0)\n") << l0;
		EXPECT_EQ(One(l0, bp), P + "kvm_inj_exception:    #BP (0x0)\n") << l0;
	}
}

TEST(SinkFtrace, AReflectedExceptionCarriesTheErrorCodeOfItsExit)
{
	// The inject event has no error code; KVM passes the exit's on.
	Ev exit = Ev(10, 0, 1, TRACE_VMEXIT)
	              .S("reason", "EXCEPTION_NMI")
	              .H64("qual", 0)
	              .H32("intr_info", 0x80000b0b)
	              .H32("error_code", 0x103)
	              .H32("idt_vectoring", 0x80000020)
	              .H64("rip", 0x13e8);
	Ev np = Inject("hw-exception", 11, 0x80000b0b, "reflected");
	std::string out = Ftrace("kvm-modern", {exit, np});
	EXPECT_EQ(out.substr(out.find('\n') + 1), P + "kvm_inj_exception:    #NP (0x103)\n");
	out = Ftrace("kvm-2008", {exit, np});
	EXPECT_EQ(out.substr(out.find('\n') + 1), P + "kvm_inj_exception:    #NP (0x103)\n");
}

TEST(SinkFtrace, NmiInjectionIsModelOnly)
{
	for (const char *l0 : {"kvm-2008", "kvm-2011", "kvm-modern", "plain"}) {
		EXPECT_EQ(One(l0, Inject("nmi", 2, 0x80000202)),
		          P + "vmxsim_inj_nmi:       level=0 type=nmi vector=2 intr_info=0x80000202\n")
		    << l0;
		EXPECT_EQ(One(l0, Inject("nmi", 2, 0x80000202, "reinjected")),
		          P + "vmxsim_inj_nmi:       level=0 type=nmi vector=2 intr_info=0x80000202 why=reinjected\n")
		    << l0;
	}
}

// ---- kvm_apic_accept_irq, kvm_eoi ----------------------------------------------

TEST(SinkFtrace, GuestStimuliAreKvmApicAcceptIrq)
{
	for (const char *l0 : {"kvm-2008", "kvm-modern"}) {
		EXPECT_EQ(One(l0, Ev(10, 0, 1, TRACE_STIMULUS).S("type", "irq").U("vector", 32).S("origin", "scenario")),
		          P + "kvm_apic_accept_irq:  apicid 0 vec 32 (Fixed|edge)\n")
		    << l0;
		EXPECT_EQ(One(l0, Ev(10, 0, 1, TRACE_STIMULUS).S("type", "nmi").S("origin", "watchdog")),
		          P + "kvm_apic_accept_irq:  apicid 0 vec 0 (NMI|edge)\n")
		    << l0;
	}
	// apicid in hex.
	EXPECT_EQ(One("plain", Ev(10, 10, 1, TRACE_STIMULUS).S("type", "nmi").S("origin", "ipi")),
	          "          vmxsim-1010  [010]     0.000010: kvm_apic_accept_irq:  apicid a vec 0 (NMI|edge)\n");
	// At the processor's pins it is the host's, not the guest's APIC.
	EXPECT_EQ(One("kvm-modern", Ev(10, 0, 0, TRACE_STIMULUS).S("type", "nmi").S("origin", "scenario")),
	          P + "vmxsim_stimulus:      level=0 type=nmi origin=scenario\n");
}

TEST(SinkFtrace, TheGuestsEoiIsKvmEoi)
{
	for (const char *l0 : {"kvm-2011", "kvm-modern"}) {
		// Emulated by L0's virtual APIC (apic_set_eoi).
		EXPECT_EQ(One(l0, Ev(10, 0, 0, TRACE_HOST).S("type", "virtual-eoi").U("vector", 32)),
		          P + "kvm_eoi:              apicid 0 vector 32\n")
		    << l0;
		// At the guest's own APIC.
		EXPECT_EQ(One(l0, Ev(10, 0, 1, TRACE_EOI).U("vector", 48)), P + "kvm_eoi:              apicid 0 vector 48\n")
		    << l0;
		// The host's own EOI (of its reschedule IPI) is not the guest's.
		EXPECT_EQ(One(l0, Ev(10, 0, 0, TRACE_EOI).U("vector", 253)), P + "vmxsim_eoi:           level=0 vector=253\n")
		    << l0;
	}
}

// ---- model-only lines ----------------------------------------------------------

TEST(SinkFtrace, EventsWithoutATracepointAreVmxsimLines)
{
	std::string out = Ftrace("kvm-2008", {
	    Ev(10, 0, 0, TRACE_SOFT_VNMI).B("blocked", true).S("why", "NMI injected"),
	    Ev(10, 0, 0, TRACE_WINDOW).S("what", "irq-window-on").S("why", "NMI pending"),
	    Ev(10, 0, 0, TRACE_DEFER).S("what", "nmi").S("why", "soft_vnmi_blocked"),
	    Ev(10, 0, 1, TRACE_DELIVER).U("vector", 2).S("type", "nmi").B("injected", true).H64("handler", 0x13eb),
	    Ev(10, 0, 1, TRACE_IRET).H64("rip", 0x13e8).B("nmi_unblocked", false),
	    Ev(10, 0, 0, TRACE_HOST).S("type", "irq").U("vector", 253).S("why", "kick"),
	    Ev(10, 0, 1, TRACE_BLOCKING).S("from", "none").S("to", "sti|if"),
	    Ev(10, 0, 1, TRACE_VIOLATION).S("kind", "nmi_nesting").U("open_nmi_handlers", 1),
	    Ev(10, 0, 0, TRACE_VMFAIL).S("insn", "vmresume").U("error", 7).S("check", "say \"hi\""),
	    Ev(10, 0, 0, TRACE_END).U("exits", 3).U("violations", 0),
	});
	EXPECT_EQ(out, P + "vmxsim_soft_vnmi:     level=0 blocked=1 why=\"NMI injected\"\n" +
	                   P + "vmxsim_window:        level=0 what=irq-window-on why=\"NMI pending\"\n" +
	                   P + "vmxsim_defer:         level=0 what=nmi why=soft_vnmi_blocked\n" +
	                   P + "vmxsim_deliver:       level=1 vector=2 type=nmi injected=1 handler=0x13eb\n" +
	                   P + "vmxsim_iret:          level=1 rip=0x13e8 nmi_unblocked=0\n" +
	                   P + "vmxsim_host:          level=0 type=irq vector=253 why=kick\n" +
	                   P + "vmxsim_blocking:      level=1 from=none to=sti|if\n" +
	                   P + "vmxsim_violation:     level=1 kind=nmi_nesting open_nmi_handlers=1\n" +
	                   P + "kvm_entry:             vcpu 0 rip 0x0\n" +   // KVM traces the attempt; the VMfail is vmxsim's
	                   P + "vmxsim_vmfail:        level=0 insn=vmresume error=7 check=\"say \\\"hi\\\"\"\n" +
	                   P + "vmxsim_end:           level=0 exits=3 violations=0\n");
}

// ---- the writer ------------------------------------------------------------------

TEST(SinkFtrace, IsTheFtraceFormatOfTraceSinkOpen)
{
	ASSERT_EQ(trace_format_lookup("ftrace"), (int)TRACE_FORMAT_FTRACE);
	char *mem = nullptr;
	size_t size = 0;
	FILE *f = open_memstream(&mem, &size);
	trace_sink_context ctx = {};
	ctx.tsc_hz = 1000000;
	ctx.l0 = "kvm-modern";
	ctx.vcpus = 1;
	ctx.scenario = "x.scn";
	trace_sink *s = trace_sink_open(TRACE_FORMAT_FTRACE, f, &ctx);
	ASSERT_NE(s, nullptr);
	Ev e = Ev(10, 0, 1, TRACE_VMENTRY).S("insn", "vmlaunch").H64("rip", 0x1000);
	s->emit(s, &e.ev);
	s->finish(s);
	EXPECT_FALSE(s->error);
	trace_sink_close(s);
	fclose(f);
	EXPECT_EQ(std::string(mem, size), "cpus=1\n" + P + "kvm_entry:             vcpu 0 rip 0x1000\n");
	free(mem);
}

TEST(SinkFtrace, LinesAreSortedByTimeAcrossVcpus)
{
	// trace-cmd merges the CPU buffers by time; at the same time the lower CPU comes first.
	std::string out = FtraceAll("plain", {
	    Ev(20, 1, 1, TRACE_VMENTRY).S("insn", "vmresume").H64("rip", 0x2),
	    Ev(10, 0, 1, TRACE_VMENTRY).S("insn", "vmresume").H64("rip", 0x1),
	    Ev(20, 0, 1, TRACE_VMENTRY).S("insn", "vmresume").H64("rip", 0x3),
	}, 1000000, 2);
	EXPECT_EQ(out, "cpus=2\n" + P + "kvm_entry:             vcpu 0 rip 0x1\n" +
	                   "          vmxsim-1000  [000]     0.000020: kvm_entry:             vcpu 0 rip 0x3\n"
	                   "          vmxsim-1001  [001]     0.000020: kvm_entry:             vcpu 1 rip 0x2\n");
}

TEST(SinkFtrace, UnknownVariantsGetTodaysFormats)
{
	Ev e = Exit("INTERRUPT_WINDOW", 0, 0, 0x13e8);
	EXPECT_EQ(One("kvm-2030", e), One("kvm-modern", e));
	EXPECT_EQ(One(nullptr, e), One("kvm-modern", e));
}

TEST(SinkFtrace, AFailedWriteIsReported)
{
	FILE *f = fopen("/dev/full", "w");
	if (!f)
		GTEST_SKIP() << "no /dev/full";
	trace_sink_context ctx = {};
	ctx.tsc_hz = 1000000;
	ctx.l0 = "kvm-modern";
	ctx.vcpus = 1;
	ctx.scenario = "x.scn";
	trace_sink *s = trace_ftrace_sink_new(f, &ctx);
	ASSERT_NE(s, nullptr);
	Ev e = Ev(10, 0, 1, TRACE_VMENTRY).S("insn", "vmlaunch").H64("rip", 0x1000);
	for (int i = 0; i < 1000; i++)
		s->emit(s, &e.ev);
	s->finish(s);
	EXPECT_TRUE(s->error);
	trace_sink_close(s);
	fclose(f);
}

}  // namespace
