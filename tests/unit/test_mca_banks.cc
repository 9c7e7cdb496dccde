// SPDX-License-Identifier: Apache-2.0
/*
 * test_mca_banks.cc - the processor's own machine-check banks (R24; SDM
 * Vol. 3B "Machine-Check Architecture"; model/hw/mca_bank.c), through
 * scenarios on bare metal: IA32_MCG_CAP of each CPU model, the state
 * firmware leaves, RDMSR/WRMSR and their #GP, logging with and without a
 * machine-check exception (IA32_MCi_CTL, corrected errors, UCNA on a part
 * with MCG_SER_P), the overwrite rules and a second event joining the
 * first. The host handler's clearing is in test_rules_machine_check.cc.
 */
#include "refused_run.h"

namespace {

/*
 * A bare-metal L1 on `cpu` whose #MC exit handler (L2 has CR4.MCE and L1
 * intercepts #MC) runs `on_mc` and stops; `main` runs first, before
 * VMLAUNCH; L2 loops. A #GP in L1's own code records rbx=0x6d.
 */
std::string Bare(const char *cpu, const std::string &main, const std::string &on_mc, const std::string &stimuli)
{
	return std::string("cpu ") + cpu + "\nl0 none\n"
	       "guest L1\n"
	       "  exit-handler h\n"
	       "  idt 13 gp interrupt-gate\n"
	       "main:  " + main + "\n"
	       "       vmlaunch\n"
	       "h:     " + on_mc + "\n"
	       "       hlt\n"
	       "gp:    mov rbx 0x6d\n"
	       "       record rbx\n"
	       "       hlt\n"
	       "guest L2\n"
	       "  vmcs GUEST_CR4 0x2060\n"
	       "  vmcs EXCEPTION_BITMAP 0x40000\n"
	       "l2:    work 1000\n"
	       "       jmp l2\n" +
	       stimuli + "run 20000\n";
}

size_t Records(const std::string &trace, const char *value)
{
	return TraceLinesWith(trace, {"L1 record", value}).size();
}

size_t Exits(const std::string &trace)
{
	return TraceLinesWith(trace, {"vmexit", "reason=EXCEPTION_NMI"}).size();
}

}  // namespace

/* IA32_MCG_CAP is the CPU model's (vmcs/cpu_models.def); banks start enabled and empty. */
TEST(McaBanks, R24_McgCapIsTheModelsAndTheBanksStartAsFirmwareLeavesThem)
{
	const struct {
		const char *cpu;
		const char *cap;
	} models[] = {{"core2-no-vnmi", "0x806"}, {"nehalem", "0x1c09"}, {"haswell", "0xc09"},
	              {"sapphire-rapids", "0xf000c15"}};
	for (const auto &m : models) {
		SCOPED_TRACE(m.cpu);
		ScnRun r = RunOk(Bare(m.cpu,
		                      "rdmsr rcx IA32_MCG_CAP\n       rdmsr rdx IA32_MC0_CTL\n"
		                      "       rdmsr rsi IA32_MC5_STATUS\n       record rcx rdx rsi\n       hlt",
		                      "nop", ""));
		EXPECT_EQ(Records(r.trace, (std::string("rcx=") + m.cap + " rdx=0xffffffffffffffff rsi=0x0").c_str()), 1u)
			<< r.trace;
	}
}

/* A bank at or beyond the count, IA32_MCG_CTL without MCG_CTL_P and a non-zero STATUS/ADDR/MISC write are #GP. */
TEST(McaBanks, R24_WhatIsGp)
{
	const struct {
		const char *insn;
		bool gp;
	} cases[] = {
		{"rdmsr rcx IA32_MC8_STATUS", false},       // nehalem: banks 0-8
		{"rdmsr rcx IA32_MC9_STATUS", true},
		{"wrmsr IA32_MC9_CTL 0", true},
		{"rdmsr rcx IA32_MCG_CTL", true},           // no MCG_CTL_P
		{"wrmsr IA32_MCG_CTL 0xffffffffffffffff", true},
		{"wrmsr IA32_MC3_CTL 0x5", false},          // any value
		{"wrmsr IA32_MC3_STATUS 0", false},         // software clears it
		{"wrmsr IA32_MC3_STATUS 0x8000000000000000", true},
		{"wrmsr IA32_MC3_ADDR 0x1000", true},
		{"wrmsr IA32_MC3_MISC 0", false},
	};
	for (const auto &c : cases) {
		SCOPED_TRACE(c.insn);
		ScnRun r = RunOk(Bare("nehalem", std::string(c.insn) + "\n       hlt", "nop", ""));
		EXPECT_EQ(Records(r.trace, "rbx=0x6d"), c.gp ? 1u : 0u) << r.trace;
	}
	// sapphire-rapids has 21 banks: bank 20 is there, 21 is not.
	EXPECT_EQ(Records(RunOk(Bare("sapphire-rapids", "rdmsr rcx IA32_MC20_STATUS\n       hlt", "nop", "")).trace,
	                  "rbx=0x6d"), 0u);
	EXPECT_EQ(Records(RunOk(Bare("sapphire-rapids", "rdmsr rcx IA32_MC21_STATUS\n       hlt", "nop", "")).trace,
	                  "rbx=0x6d"), 1u);
}

/* An uncorrected error is logged with VAL and EN, its ADDR and MISC, and signals #MC; the handler reads them. */
TEST(McaBanks, R24_AnUncorrectedErrorIsLoggedAndSignalled)
{
	ScnRun r = RunOk(Bare("nehalem", "nop",
	                      "rdmsr rcx IA32_MC2_STATUS\n       rdmsr rdx IA32_MC2_ADDR\n       rdmsr rsi IA32_MC2_MISC\n"
	                      "       record rcx rdx rsi",
	                      "at 3000 mce -> L1 cpu0 bank 2 status 0xa600000000000150 addr 0x1234000 misc 0x86\n"));
	EXPECT_EQ(Exits(r.trace), 1u) << r.trace;
	// VAL, UC, ADDRV, PCC as given; EN added: MCi_CTL is all ones.
	EXPECT_EQ(Records(r.trace, "rcx=0xb600000000000150 rdx=0x1234000 rsi=0x86"), 1u) << r.trace;
}

/* Logging happens whatever IA32_MCi_CTL says; signalling needs the error's enable bit. */
TEST(McaBanks, R24_AnErrorWhoseEnableBitIsClearIsLoggedWithoutMachineCheck)
{
	const std::string read = "rdmsr rcx IA32_MC1_STATUS\n       record rcx\n       hlt";
	ScnRun off = RunOk(Bare("nehalem", "wrmsr IA32_MC1_CTL 0xfffffffffffffffb\n       work 200\n       " + read, "nop",
	                        "at 100 mce -> L1 cpu0 bank 1 enable-bit 2\n"));
	EXPECT_EQ(Records(off.trace, "rcx=0xa000000000000000"), 1u) << off.trace;   // VAL | UC, no EN
	ScnRun on = RunOk(Bare("nehalem", "wrmsr IA32_MC1_CTL 0xfffffffffffffffb\n       vmlaunch", read,
	                       "at 3000 mce -> L1 cpu0 bank 1 enable-bit 3\n"));
	EXPECT_EQ(Exits(on.trace), 1u) << on.trace;
	EXPECT_EQ(Records(on.trace, "rcx=0xb000000000000000"), 1u) << on.trace;
	ScnRun l2 = RunOk(Bare("nehalem", "wrmsr IA32_MC1_CTL 0\n       vmlaunch", read,
	                       "at 3000 mce -> L1 cpu0 bank 1\n"));
	EXPECT_EQ(Exits(l2.trace), 0u) << "L2 runs on: nothing signalled\n" << l2.trace;
}

/* A corrected error (UC = 0) is logged and nothing more; on a part with MCG_SER_P so is UCNA (UC, no S). */
TEST(McaBanks, R24_CorrectedErrorsAndUcnaSignalNoMachineCheck)
{
	ScnRun ce = RunOk(Bare("nehalem", "vmlaunch", "nop", "at 3000 mce -> L1 cpu0 bank 0 status 0x9000000000000000\n"));
	EXPECT_EQ(Exits(ce.trace), 0u) << ce.trace;
	ScnRun ucna = RunOk(Bare("sapphire-rapids", "vmlaunch", "nop",
	                         "at 3000 mce -> L1 cpu0 bank 0 status 0xa000000000000000\n"));
	EXPECT_EQ(Exits(ucna.trace), 0u) << ucna.trace;
	ScnRun srao = RunOk(Bare("sapphire-rapids", "vmlaunch", "nop",
	                         "at 3000 mce -> L1 cpu0 bank 0 status 0xa100000000000000\n"));
	EXPECT_EQ(Exits(srao.trace), 1u) << srao.trace;
	// Without a status, the error at the pins is one the processor signals: S is added where MCG_SER_P is.
	ScnRun dflt = RunOk(Bare("sapphire-rapids", "vmlaunch", "rdmsr rcx IA32_MC0_STATUS\n       record rcx",
	                         "at 3000 mce -> L1 cpu0\n"));
	EXPECT_EQ(Records(dflt.trace, "rcx=0xb100000000000000"), 1u) << dflt.trace;
}

/*
 * Overwrite rules: an error that finds VAL sets OVER; an uncorrected error
 * stays, a corrected one gives way. Two events before the first #MC was
 * taken are one exception.
 */
TEST(McaBanks, R24_OverwriteRulesAndASecondEventJoiningTheFirst)
{
	const std::string read = "rdmsr rcx IA32_MC4_STATUS\n       rdmsr rdx IA32_MC4_ADDR\n       record rcx rdx";
	ScnRun ce_then_uc = RunOk(Bare("nehalem", "vmlaunch", read,
	                               "at 3000 mce -> L1 cpu0 bank 4 status 0x9000000000000001 addr 1\n"
	                               "at 3000 mce -> L1 cpu0 bank 4 status 0xa000000000000002 addr 2\n"));
	EXPECT_EQ(Exits(ce_then_uc.trace), 1u) << ce_then_uc.trace;
	// nehalem has MCG_CMCI_P: the corrected error is counted in 52:38 (1), and the count stays.
	EXPECT_EQ(Records(ce_then_uc.trace, "rcx=0xf000004000000002 rdx=0x2"), 1u) << ce_then_uc.trace;
	ScnRun uc_then_ce = RunOk(Bare("nehalem", "vmlaunch", read,
	                               "at 3000 mce -> L1 cpu0 bank 4 status 0xa000000000000002 addr 2\n"
	                               "at 3000 mce -> L1 cpu0 bank 4 status 0x9000000000000001 addr 1\n"));
	EXPECT_EQ(Records(uc_then_ce.trace, "rcx=0xf000004000000002 rdx=0x2"), 1u) << uc_then_ce.trace;
	ScnRun uc_then_uc = RunOk(Bare("nehalem", "vmlaunch", read,
	                               "at 3000 mce -> L1 cpu0 bank 4 status 0xa000000000000002 addr 2\n"
	                               "at 3000 mce -> L1 cpu0 bank 4 status 0xa200000000000003 addr 3\n"));
	EXPECT_EQ(Exits(uc_then_uc.trace), 1u) << "one #MC for both\n" << uc_then_uc.trace;
	EXPECT_EQ(Records(uc_then_uc.trace, "rcx=0xf000000000000002 rdx=0x2"), 1u) << uc_then_uc.trace;
}

namespace {

/* nehalem (MCG_CMCI_P): L1 sets the LVT CMCI to `lvt` and bank 0's CTL2 to CMCI_EN | threshold 2, then enters L2. */
std::string Cmci(const char *cpu, const char *lvt, const std::string &stimuli)
{
	return Bare(cpu, std::string("wrmsr IA32_X2APIC_LVT_CMCI ") + lvt + "\n       wrmsr IA32_MC0_CTL2 0x40000002\n"
	                 "       vmlaunch",
	            "vmread rbx VM_EXIT_REASON\n       rdmsr rcx IA32_MC0_STATUS\n       record rbx rcx", stimuli);
}

const char kTwoCorrected[] = "at 3000 mce -> L1 cpu0 bank 0 status 0x9000000000000001\n"
                             "at 5000 mce -> L1 cpu0 bank 0 status 0x9000000000000001\n";

}  // namespace

/*
 * With MCG_CMCI_P a bank counts its corrected errors (MCi_STATUS 52:38) and,
 * with CMCI_EN in IA32_MCi_CTL2, signals a CMCI when the count reaches the
 * threshold: the local APIC sends the LVT CMCI's vector - here an
 * external-interrupt exit of L2 at the second error, not the first.
 */
TEST(McaBanks, R24_CorrectedErrorsReachingTheThresholdSignalACmci)
{
	ScnRun r = RunOk(Cmci("nehalem", "0x50", kTwoCorrected));
	const auto exits = TraceLinesWith(r.trace, {"vmexit", "reason=EXTERNAL_INTERRUPT"});
	ASSERT_EQ(exits.size(), 1u) << r.trace;
	EXPECT_NE(exits[0].find(" 5000 "), std::string::npos) << exits[0];
	// VAL, OVER, EN (MCi_CTL is all ones), and the count 2.
	EXPECT_EQ(Records(r.trace, "rcx=0xd000008000000001 rbx=0x1"), 1u) << r.trace;
}

/* The LVT CMCI decides how: NMI delivery mode is an NMI (L2's NMI exit); masked, as at reset, nothing. */
TEST(McaBanks, R24_TheLvtCmciSendsAnNmiOrNothingWhenMasked)
{
	ScnRun nmi = RunOk(Cmci("nehalem", "0x400", kTwoCorrected));
	EXPECT_EQ(TraceLinesWith(nmi.trace, {"vmexit", "intr_info=0x80000202"}).size(), 1u) << nmi.trace;
	ScnRun masked = RunOk(Cmci("nehalem", "0x10050", kTwoCorrected));
	EXPECT_EQ(TraceLinesWith(masked.trace, {"vmexit"}).size(), 0u) << masked.trace;
	// Below the threshold: nothing either.
	ScnRun one = RunOk(Cmci("nehalem", "0x50", "at 3000 mce -> L1 cpu0 bank 0 status 0x9000000000000001\n"));
	EXPECT_EQ(TraceLinesWith(one.trace, {"vmexit"}).size(), 0u) << one.trace;
}

/* A part without MCG_CMCI_P has neither IA32_MCi_CTL2 nor the LVT CMCI; a reserved CTL2 bit is #GP. */
TEST(McaBanks, R24_CmciRegistersExistOnlyWithCmciP)
{
	EXPECT_EQ(Records(RunOk(Bare("core2-no-vnmi", "wrmsr IA32_X2APIC_LVT_CMCI 0x50\n       hlt", "nop", "")).trace,
	                  "rbx=0x6d"), 1u);
	EXPECT_EQ(Records(RunOk(Bare("core2-no-vnmi", "rdmsr rcx IA32_MC0_CTL2\n       hlt", "nop", "")).trace,
	                  "rbx=0x6d"), 1u);
	EXPECT_EQ(Records(RunOk(Bare("nehalem", "wrmsr IA32_MC0_CTL2 0x80000000\n       hlt", "nop", "")).trace,
	                  "rbx=0x6d"), 1u);
	EXPECT_EQ(Records(RunOk(Bare("nehalem", "wrmsr IA32_MC9_CTL2 0\n       hlt", "nop", "")).trace, "rbx=0x6d"),
	          1u);   // bank 9 does not exist
	ScnRun read = RunOk(Bare("nehalem", "rdmsr rcx IA32_X2APIC_LVT_CMCI\n       rdmsr rdx IA32_MC8_CTL2\n"
	                                    "       record rcx rdx\n       hlt", "nop", ""));
	EXPECT_EQ(Records(read.trace, "rcx=0x10000 rdx=0x0"), 1u) << read.trace;   // masked, and no CMCI, at reset
}

TEST(McaBanks, R24_WhatTheLvtCmciRefuses)
{
	Parsed smi(Cmci("nehalem", "0x250", ""), "t.scn");
	EXPECT_NE(smi.where().find("6:35: not modelled: the LVT CMCI's SMI delivery mode (SMM)"), std::string::npos)
		<< smi.where();
	Parsed extint(Cmci("nehalem", "0x750", ""), "t.scn");
	EXPECT_NE(extint.where().find("6:35: not modelled: an LVT CMCI delivery mode other than fixed"), std::string::npos)
		<< extint.where();
	// From a register, the processor refuses it at the WRMSR.
	ExpectRefused(Bare("nehalem", "mov rax 0x250\n       wrmsr IA32_X2APIC_LVT_CMCI rax\n       hlt", "nop", ""),
	              "t.scn:7:8: not modelled: the LVT CMCI's SMI delivery mode (SMM)");
	Parsed bad(Cmci("nehalem", "0x20050", ""), "t.scn");
	EXPECT_EQ(bad.s, nullptr);
	EXPECT_NE(bad.where().find("6:35: 0x20050 sets reserved bits of IA32_X2APIC_LVT_CMCI (WRMSR would raise #GP)"),
	          std::string::npos) << bad.where();
	Parsed illegal(Cmci("nehalem", "0x5", ""), "t.scn");
	EXPECT_NE(illegal.where().find("6:35: the local APIC refuses vectors 0-15"), std::string::npos) << illegal.where();
}

/*
 * A KVM guest's IA32_MCi_CTL2 is #GP in every era: the MCG_CAP user space
 * gives it has no MCG_CMCI_P (QEMU's default), and neither 3.1 nor 2.6.28
 * handles the MSR at all.
 */
TEST(McaBanks, R24_AKvmGuestsCtl2IsGp)
{
	for (const char *l0 : {"kvm-2008", "kvm-2011", "kvm-modern"}) {
		SCOPED_TRACE(l0);
		ScnRun r = RunOk(std::string("cpu nehalem\nl0 ") + l0 +
		                 "\nguest L1\n  idt 13 gp interrupt-gate\nmain: rdmsr rdx IA32_MC0_CTL2\n  hlt\n"
		                 "gp: mov rbx 0x6d\n  record rbx\n  hlt\nrun 20000\n");
		EXPECT_EQ(Records(r.trace, "rbx=0x6d"), 1u) << r.trace;
	}
}

/*
 * UCNA (MCG_SER_P: UC without S, PCC or AR) signals no #MC, but is reported
 * through CMCI where the bank enables it - at once, whatever the count
 * ("Software Error Recovery"). An uncorrected error that does signal #MC
 * sends no CMCI.
 */
TEST(McaBanks, R24_UcnaIsReportedThroughCmci)
{
	ScnRun ucna = RunOk(Cmci("sapphire-rapids", "0x50", "at 3000 mce -> L1 cpu0 bank 0 status 0xa000000000000000\n"));
	EXPECT_EQ(TraceLinesWith(ucna.trace, {"vmexit", "reason=EXTERNAL_INTERRUPT"}).size(), 1u) << ucna.trace;
	EXPECT_EQ(Exits(ucna.trace), 0u) << ucna.trace;
	ScnRun srao = RunOk(Cmci("sapphire-rapids", "0x50", "at 3000 mce -> L1 cpu0 bank 0 status 0xa100000000000000\n"));
	EXPECT_EQ(Exits(srao.trace), 1u) << srao.trace;
	EXPECT_TRUE(TraceLinesWith(srao.trace, {"vmexit", "reason=EXTERNAL_INTERRUPT"}).empty()) << srao.trace;
}
