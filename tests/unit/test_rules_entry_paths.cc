/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rules_entry_paths.cc - the two ways into VMX non-root operation
 * must leave the processor in the same state. A hypervisor written in C
 * (l0 plain, the nested L0 entering vmcs02) calls vmx_lp_vmentry() and
 * retires nothing; a root program (`l0 none`, the L1 of `vmxsim equiv`'s
 * bare-metal run, as kvm-unit-tests runs) executes VMLAUNCH, which
 * retires after the entry has loaded the guest state. Whatever the entry
 * loads - blocking by STI or MOV SS (R15, SDM Vol. 3C 26.7.1), blocking
 * by NMI or virtual-NMI blocking (R3), the activity state (R23), a pending
 * MTF exit (R27) - must survive that retirement, and after the VM exit
 * the root software must find the same state on either path (R25).
 *
 * The named tests are the configurations the Bochs comparison found
 * wrong on the root-program path (exit one instruction early); the sweep
 * runs both paths over the whole space of entry configurations.
 */
#include "hw_fixture.h"

#include <functional>
#include <ostream>
#include <sstream>

namespace {

/* What the root software can see after the first VM exit (or the failed entry). */
struct Seen {
	bool entered = false;
	uint64_t insn_error = 0;    /* VMfailValid's number, when the entry failed */
	int run = -1;               /* vmx_run_outcome of the guest's run */
	uint64_t reason = 0, qual = 0, rip = 0, rflags = 0, intr = 0, act = 0, info = 0, idt = 0;
	uint64_t cycle = 0;
	uint32_t root_blocking = 0; /* VMX_BLK_* of the root after the exit */
	bool nmi_latched = false;
	std::string events;         /* what the processor emitted from the entry on */

	bool operator==(const Seen &o) const
	{
		return entered == o.entered && insn_error == o.insn_error && run == o.run && reason == o.reason &&
		       qual == o.qual && rip == o.rip && rflags == o.rflags && intr == o.intr && act == o.act &&
		       info == o.info && idt == o.idt && cycle == o.cycle && root_blocking == o.root_blocking &&
		       nmi_latched == o.nmi_latched && events == o.events;
	}
};

void PrintTo(const Seen &s, std::ostream *os)
{
	*os << std::hex << "{entered=" << s.entered << " error=" << s.insn_error << " run=" << s.run
	    << " reason=" << s.reason << " qual=" << s.qual << " rip=" << s.rip << " rflags=" << s.rflags
	    << " intr=" << s.intr << " act=" << s.act << " info=" << s.info << " idt=" << s.idt << std::dec
	    << " cycle=" << s.cycle << " root_blocking=" << s.root_blocking << " nmi_latched=" << s.nmi_latched
	    << " events=" << s.events << "}";
}

class RuleEntryPaths : public HwTest {
protected:
	using Step = std::function<void()>;

	/*
	 * A C hypervisor: the root instructions of `prelude` (vmx_lp_exec_root,
	 * as l0 plain executes its IRET and EOI), then vmx_lp_vmentry(); the
	 * injection, then `after_entry` (stimuli), then the guest runs.
	 */
	Seen ByHypervisorInC(const Step &setup, const std::vector<vmx_op> &prelude = {}, const Step &after_entry = {})
	{
		Use("nehalem");
		setup();
		for (vmx_op op : prelude)
			vmx_lp_exec_root(&lp, op, 0, 0);
		events.clear();
		if (vmx_lp_vmentry(&lp, true) != VMX_ENTRY_OK)
			return Record(false);
		return RunGuest(after_entry);
	}

	/* A root program: `prelude`, VMLAUNCH, then HLT at HOST_RIP. */
	Seen ByRootProgram(const Step &setup, const std::vector<vmx_op> &prelude = {}, const Step &after_entry = {})
	{
		std::vector<vmx_insn> program;

		Use("nehalem");
		setup();
		for (vmx_op op : prelude)
			program.push_back(Op(op));
		program.push_back(Op(VMX_OP_VMLAUNCH));
		program.push_back(Op(VMX_OP_HLT));
		Host(program);
		Set(HOST_RIP, host_code.back().addr);
		/* One instruction at a time until the VMLAUNCH has entered or failed; the prelude's events go. */
		do {
			events.clear();
			vmx_lp_run(&lp, lp.cycle + 1);
		} while (!Saw(HW_VMENTRY) && !Saw(HW_VMFAIL) && !Saw(HW_VMEXIT) && lp.cycle < 100000);
		if (!Saw(HW_VMENTRY))
			return Record(false);
		/* The entry's step also delivered the injected event, as vmx_lp_run does first for the C path. */
		if (!lp.non_root)
			return Record(true);
		if (after_entry)
			after_entry();
		return Record(true, vmx_lp_run(&lp, lp.cycle + 100000));
	}

	/* Both paths, which must agree; what the C path saw. */
	Seen OnBothPaths(const Step &setup, const std::vector<vmx_op> &prelude = {})
	{
		Seen c = ByHypervisorInC(setup, prelude), root = ByRootProgram(setup, prelude);
		EXPECT_EQ(root, c);
		return c;
	}

	/*
	 * A guest `nop; vmcall` entered with `intr` in the interruptibility
	 * field, nothing injected, RFLAGS = 0x2 | if_flag, and on a processor
	 * that does (or does not) withhold the NMI window during blocking by STI.
	 */
	Step NopVmcall(uint32_t pin, uint32_t proc, uint64_t if_flag, uint32_t intr, bool nmi_window_blocked_by_sti = true)
	{
		return [this, pin, proc, if_flag, intr, nmi_window_blocked_by_sti] {
			if (!nmi_window_blocked_by_sti)
				lp.model.nmi_window_blocked_by_sti = false;
			SetBits(PIN_BASED_VM_EXEC_CONTROL, pin);
			SetBits(CPU_BASED_VM_EXEC_CONTROL, proc);
			Set(GUEST_RFLAGS, X86_EFLAGS_FIXED | if_flag);
			Set(GUEST_INTERRUPTIBILITY_INFO, intr);
			Program({Op(VMX_OP_NOP), Op(VMX_OP_VMCALL)});
		};
	}

private:
	bool Saw(vmx_hw_event_kind k) const { return Count(k) > 0; }

	Seen RunGuest(const Step &after_entry)
	{
		vmx_lp_run(&lp, lp.cycle);   /* the injection, if any */
		if (!lp.non_root)
			return Record(true);
		if (after_entry)
			after_entry();
		return Record(true, vmx_lp_run(&lp, lp.cycle + 100000));
	}

	Seen Record(bool entered, int run = -1)
	{
		Seen s;
		std::ostringstream ev;

		s.entered = entered;
		if (!entered) {
			/* VMfail: the error; a failed entry (R26): the exit reason and qualification. */
			s.insn_error = Get(VM_INSTRUCTION_ERROR);
			s.reason = Get(VM_EXIT_REASON);
			s.qual = Get(EXIT_QUALIFICATION);
			/*
			 * A failed entry loads host state as an exit does (R26, R25); after
			 * a VMfail a C hypervisor retired no instruction where the root
			 * program did, so the root's own shadow is not compared then.
			 */
			if (s.reason & VMX_EXIT_REASONS_FAILED_VMENTRY) {
				s.cycle = lp.cycle;
				s.root_blocking = vmx_lp_blocking(&lp);
			}
			return s;
		}
		s.run = run;
		s.reason = Get(VM_EXIT_REASON);
		s.qual = Get(EXIT_QUALIFICATION);
		s.rip = Get(GUEST_RIP);
		s.rflags = Get(GUEST_RFLAGS);
		s.intr = Get(GUEST_INTERRUPTIBILITY_INFO);
		s.act = Get(GUEST_ACTIVITY_STATE);
		s.info = Get(VM_EXIT_INTR_INFO);
		s.idt = Get(IDT_VECTORING_INFO_FIELD);
		s.cycle = lp.cycle;
		s.root_blocking = lp.non_root ? 0 : vmx_lp_blocking(&lp);
		s.nmi_latched = lp.nmi_latched;
		/* The root's RIP (HOST_RIP) differs between the paths by construction; all else must not. */
		for (const auto &e : events)
			ev << e.kind << '@' << e.cycle << (e.non_root ? ":g" : ":h") << (e.non_root ? e.rip : 0) << '/'
			   << e.old_state << '>' << e.new_state << '/' << e.vector << '/' << e.intr_info << ' ';
		s.events = ev.str();
		return s;
	}
};

}  // namespace

/* ---- The cases the Bochs comparison found (/work/shared/oracle-poc: intr-window-entry-sti, nmi-window-*) ---- */

/*
 * R19 with R15: entered with blocking by STI (RFLAGS.IF = 1) and interrupt-
 * window exiting, the exit comes after the guest's first instruction, on
 * bare metal as under a C hypervisor.
 */
TEST_F(RuleEntryPaths, R19_EntryStiBlockingHoldsTheInterruptWindowForOneInstructionOnBothPaths)
{
	Seen c = OnBothPaths(NopVmcall(0, CPU_BASED_INTR_WINDOW_EXITING, X86_EFLAGS_IF, GUEST_INTR_STATE_STI));
	EXPECT_EQ(c.reason, (uint64_t)EXIT_REASON_INTERRUPT_WINDOW);
	EXPECT_EQ(c.rip, At(1));
	EXPECT_EQ(c.intr, 0u);
}

/* R18 with R15: MOV-SS blocking from the field holds the NMI-window exit (virtual NMIs) one instruction. */
TEST_F(RuleEntryPaths, R18_EntryMovSsBlockingHoldsTheNmiWindowForOneInstructionOnBothPaths)
{
	Seen c = OnBothPaths(NopVmcall(PIN_BASED_VIRTUAL_NMIS, CPU_BASED_NMI_WINDOW_EXITING, 0, GUEST_INTR_STATE_MOV_SS));
	EXPECT_EQ(c.reason, (uint64_t)EXIT_REASON_NMI_WINDOW);
	EXPECT_EQ(c.rip, At(1));
	EXPECT_EQ(c.intr, 0u);
}

/* R18: a processor that withholds the NMI window during blocking by STI (nehalem) holds it one instruction. */
TEST_F(RuleEntryPaths, R18_EntryStiBlockingHoldsTheNmiWindowOnACpuThatSaysSoOnBothPaths)
{
	ASSERT_TRUE(model.nmi_window_blocked_by_sti);
	Seen c = OnBothPaths(NopVmcall(PIN_BASED_VIRTUAL_NMIS, CPU_BASED_NMI_WINDOW_EXITING, X86_EFLAGS_IF,
	                               GUEST_INTR_STATE_STI));
	EXPECT_EQ(c.reason, (uint64_t)EXIT_REASON_NMI_WINDOW);
	EXPECT_EQ(c.rip, At(1));
	EXPECT_EQ(c.intr, 0u);
}

/* R18: where STI does not hold the NMI window, the exit comes before the first instruction, saving the STI blocking. */
TEST_F(RuleEntryPaths, R18_EntryStiBlockingDoesNotHoldTheNmiWindowOnACpuThatAllowsItOnBothPaths)
{
	Seen c = OnBothPaths(NopVmcall(PIN_BASED_VIRTUAL_NMIS, CPU_BASED_NMI_WINDOW_EXITING, X86_EFLAGS_IF,
	                               GUEST_INTR_STATE_STI, false));
	EXPECT_EQ(c.reason, (uint64_t)EXIT_REASON_NMI_WINDOW);
	EXPECT_EQ(c.rip, At(0));
	EXPECT_EQ(c.intr, (uint64_t)GUEST_INTR_STATE_STI);
}

/* R13: MOV SS right before the entry fails it with error 26 on both paths; STI does not. */
TEST_F(RuleEntryPaths, R13_MovSsBeforeTheEntryFailsWith26OnBothPaths)
{
	Seen c = OnBothPaths(NopVmcall(0, 0, 0, 0), {VMX_OP_MOV_SS});
	EXPECT_FALSE(c.entered);
	EXPECT_EQ(c.insn_error, 26u);
	c = OnBothPaths(NopVmcall(0, 0, 0, 0), {VMX_OP_STI});
	EXPECT_TRUE(c.entered);
	EXPECT_EQ(c.reason, (uint64_t)EXIT_REASON_VMCALL);
}

/*
 * Every entry configuration both ways: interruptibility, the pin-based
 * NMI/interrupt controls, the windows and MTF, the preemption timer,
 * activity, each kind of injection, RFLAGS.IF, an NMI or an interrupt
 * arriving after the entry, and what the root left before it (blocking
 * by NMI, a pending interrupt, a latched NMI, an STI or MOV-SS shadow).
 * Invalid combinations must fail the same way.
 */
TEST_F(RuleEntryPaths, R15_R25_EveryEntryConfigurationSameOnBothPaths)
{
	const uint32_t intrs[] = {0, GUEST_INTR_STATE_STI, GUEST_INTR_STATE_MOV_SS, GUEST_INTR_STATE_NMI,
	                          GUEST_INTR_STATE_STI | GUEST_INTR_STATE_NMI};
	const uint32_t pins[] = {PIN_BASED_EXT_INTR_MASK, PIN_BASED_NMI_EXITING,
	                         PIN_BASED_NMI_EXITING | PIN_BASED_VIRTUAL_NMIS,
	                         PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING | PIN_BASED_VIRTUAL_NMIS};
	const uint32_t procs[] = {0, CPU_BASED_INTR_WINDOW_EXITING, CPU_BASED_NMI_WINDOW_EXITING,
	                          CPU_BASED_INTR_WINDOW_EXITING | CPU_BASED_NMI_WINDOW_EXITING,
	                          CPU_BASED_MONITOR_TRAP_FLAG, CPU_BASED_HLT_EXITING};
	const uint32_t injects[] = {0, intr_info_make(INTR_TYPE_EXT_INTR, 0x30, false),
	                            intr_info_make(INTR_TYPE_NMI_INTR, NMI_VECTOR, false),
	                            intr_info_make(INTR_TYPE_HARD_EXCEPTION, DB_VECTOR, false),
	                            intr_info_make(INTR_TYPE_SOFT_INTR, 0x30, false),
	                            intr_info_make(INTR_TYPE_OTHER_EVENT, 0, false)};
	enum { PRE_NONE, PRE_NMI_BLOCKED, PRE_IRQ_PENDING, PRE_NMI_LATCHED_BLOCKED, PRE_STI, PRE_MOV_SS, PRE_COUNT };
	int configurations = 0, entered = 0, differ = 0;

	for (uint32_t intr : intrs)
	for (uint32_t pin : pins)
	for (uint32_t proc : procs)
	for (bool timer : {false, true})
	for (uint32_t act : {(uint32_t)GUEST_ACTIVITY_ACTIVE, (uint32_t)GUEST_ACTIVITY_HLT})
	for (uint32_t inject : injects)
	for (bool if1 : {false, true})
	for (int stimulus = 0; stimulus < 3; stimulus++)
	for (int pre = 0; pre < PRE_COUNT; pre++) {
		auto setup = [&, this] {
			Set(PIN_BASED_VM_EXEC_CONTROL, vmx_allowed0(model.caps.pinbased_ctls) | pin |
			                               (timer ? PIN_BASED_VMX_PREEMPTION_TIMER : 0u));
			Set(VMX_PREEMPTION_TIMER_VALUE, 2);
			SetBits(CPU_BASED_VM_EXEC_CONTROL, proc);
			Set(GUEST_INTERRUPTIBILITY_INFO, intr);
			Set(GUEST_RFLAGS, X86_EFLAGS_FIXED | (if1 ? X86_EFLAGS_IF : 0u));
			Set(GUEST_ACTIVITY_STATE, act);
			Set(VM_ENTRY_INTR_INFO_FIELD, inject);
			Set(VM_ENTRY_INSTRUCTION_LEN, 2);
			Program({Op(VMX_OP_NOP), Op(VMX_OP_NOP), Work(5), Op(VMX_OP_VMCALL), Op(VMX_OP_NOP), Op(VMX_OP_IRET)});
			for (uint8_t vec : {(uint8_t)DB_VECTOR, (uint8_t)NMI_VECTOR, (uint8_t)0x30, (uint8_t)0x40})
				Gate(vec, 4);
			lp.nmi_blocked = pre == PRE_NMI_BLOCKED || pre == PRE_NMI_LATCHED_BLOCKED;
			lp.nmi_latched = pre == PRE_NMI_LATCHED_BLOCKED;
			if (pre == PRE_IRQ_PENDING)
				vmx_lp_irq(&lp, 0x50);   /* the root runs with IF = 0: it stays pending */
		};
		auto after_entry = [&, this] {
			if (stimulus == 1)
				vmx_lp_nmi(&lp);
			else if (stimulus == 2)
				vmx_lp_irq(&lp, 0x40);
		};
		std::vector<vmx_op> prelude;
		if (pre == PRE_STI)
			prelude.push_back(VMX_OP_STI);
		if (pre == PRE_MOV_SS)
			prelude.push_back(VMX_OP_MOV_SS);

		Seen c = ByHypervisorInC(setup, prelude, after_entry);
		Seen root = ByRootProgram(setup, prelude, after_entry);
		configurations++;
		entered += c.entered;
		if (!(root == c) && ++differ <= 10)
			ADD_FAILURE() << std::hex << "intr=" << intr << " pin=" << pin << " proc=" << proc << " timer=" << timer
			              << " act=" << act << " inject=" << inject << " if=" << if1 << " stimulus=" << stimulus
			              << " pre=" << pre << "\n  C:    " << testing::PrintToString(c)
			              << "\n  root: " << testing::PrintToString(root);
	}
	EXPECT_EQ(differ, 0) << "of " << configurations << " configurations";
	/* The sweep means something only if most of it enters. */
	EXPECT_GT(entered, configurations / 4);
}
