// SPDX-License-Identifier: Apache-2.0
/*
 * test_rules_machine_check.cc - machine-check events at the processor
 * (R24 level 1, R23; SDM Vol. 3A "Machine-Check Architecture", Vol. 3C
 * "Machine-Check Events During VM Entry" and "... During VM Exit"):
 * priority over INIT, MTF and NMIs, the exception-bitmap exit, IDT
 * delivery, IA32_MCG_STATUS.MCIP, shutdown with CR4.MCE = 0 or MCIP = 1,
 * the HLT and wait-for-SIPI wakes, a second event joining the first,
 * entry and exit latency, and root operation.
 *
 * Guest layout: 0 = work 3, 1 = HLT, 2 = work, 3 = the #MC handler, 4 =
 * the #NP handler.
 */
#include "root_fixture.h"
extern "C" {
#include "model/l0/l0_common.h"
}
#include "vmcs/x86_cr.h"
#include "vmcs/x86_debugreg.h"
#include "vmcs/x86_mcg.h"
#include "vmcs/x86_msr.h"

namespace {

constexpr uint64_t kMcip = 1u << 2, kRipv = 1u << 0;
const uint32_t kMcInfo = intr_info_make(INTR_TYPE_HARD_EXCEPTION, MC_VECTOR, false);

class MachineCheck : public RootTest {
protected:
	void SetUp() override
	{
		RootTest::SetUp();
		Program({Work(3), Op(VMX_OP_HLT), Work(1000000), Work(1000000), Work(1000000)});
		Gate(MC_VECTOR, 3);
		SetBits(GUEST_CR4, X86_CR4_MCE);
	}

	void ExitOnMc() { SetBits(EXCEPTION_BITMAP, 1u << MC_VECTOR); }

	/* A machine-check event carrying an uncorrected error in bank `bank` (nehalem: no MCG_SER_P, so it signals). */
	bool Mce(uint32_t bank = 0, uint64_t status = MCI_STATUS_VAL | MCI_STATUS_UC)
	{
		x86_mce_record r{};
		r.bank = bank;
		r.status = status;
		return vmx_lp_machine_check(&lp, &r);
	}
};

}  // namespace

/* ---- R24 level 1: before everything else at a boundary ---- */

TEST_F(MachineCheck, R24_MachineCheckComesBeforeInitMtfNmiAndInterrupts)
{
	ExitOnMc();
	SetBits(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_MONITOR_TRAP_FLAG);
	vmx_lp_nmi(&lp);
	vmx_lp_irq(&lp, 0x40);
	vmx_lp_init_signal(&lp);
	ASSERT_TRUE(Mce());
	EXPECT_EQ(vmx_arbitrate(&lp), VMX_DECIDE_MACHINE_CHECK);   /* in root operation too */
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_EXCEPTION_NMI);
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), kMcInfo);
	EXPECT_EQ(G(VM_EXIT_INTR_ERROR_CODE), 0u);
	EXPECT_EQ(Get(GUEST_RIP), At(0));          /* before the guest's first instruction */
	EXPECT_TRUE(lp.init_latched);              /* the others wait */
	EXPECT_TRUE(lp.nmi_latched);
	EXPECT_FALSE(lp.mce_latched);
	EXPECT_EQ(lp.mcg_status, kMcip | kRipv);   /* generated: MCIP, and the boundary can restart */
	EXPECT_EQ(Get(GUEST_RFLAGS) & X86_EFLAGS_RF, 0u);   /* an abort, not a fault: no RF */
}

TEST_F(MachineCheck, R24_InitExitsOnlyAfterTheMachineCheckWasTaken)
{
	/* Same boundary, bitmap 0: #MC is delivered, then INIT exits at the handler's first boundary. */
	vmx_lp_init_signal(&lp);
	ASSERT_TRUE(Mce());
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(Delivered(), std::vector<uint32_t>{MC_VECTOR});
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_INIT_SIGNAL);
	EXPECT_EQ(Get(GUEST_RIP), At(3));
}

/* ---- CR4.MCE = 1: #MC through the guest's IDT, or its VM exit ---- */

TEST_F(MachineCheck, R24_MachineCheckGoesThroughTheGuestIdtWithoutErrorCode)
{
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 2), VMX_RUN_LIMIT);
	uint64_t boundary = lp.ctx.rip;
	ASSERT_TRUE(Mce());
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 100), VMX_RUN_LIMIT);
	auto d = Of(HW_DELIVER);
	ASSERT_EQ(d.size(), 1u);
	EXPECT_EQ(d[0].vector, (uint32_t)MC_VECTOR);
	EXPECT_EQ(d[0].intr_info, kMcInfo);
	EXPECT_EQ(d[0].error_code, 0u);
	ASSERT_EQ(mem.depth, 1u);
	EXPECT_EQ(mem.stack[0].rip, boundary);      /* RIPV = 1: the frame restarts where it was taken */
	EXPECT_FALSE(mem.stack[0].has_error_code);
	EXPECT_EQ(mem.stack[0].rflags & X86_EFLAGS_RF, 0u);
	EXPECT_EQ(lp.mcg_status, kMcip | kRipv);
}

TEST_F(MachineCheck, R24_MachineCheckIsBenignForTheDoubleFaultClasses)
{
	/* No gate 18: #NP (contributory) follows a benign #MC: delivered itself, not #DF. */
	mem.idt[MC_VECTOR].type = VMX_GATE_NONE;
	Gate(NP_VECTOR, 4);
	ASSERT_TRUE(Mce());
	ASSERT_EQ(LaunchAndRun(1000), VMX_RUN_LIMIT);
	ASSERT_EQ(Delivered(), std::vector<uint32_t>{NP_VECTOR});
	EXPECT_EQ(Of(HW_DELIVER)[0].error_code, ((uint32_t)MC_VECTOR << 3) | 2u | 1u);   /* IDT, EXT */
}

/* ---- MCIP (IA32_MCG_STATUS bit 2) ---- */

TEST_F(MachineCheck, R24_MachineCheckWhileMcipIsSetShutsTheGuestDown)
{
	ASSERT_TRUE(Mce());
	ASSERT_EQ(LaunchAndRun(1000), VMX_RUN_LIMIT);
	ASSERT_EQ(lp.mcg_status, kMcip | kRipv);
	ASSERT_TRUE(Mce());
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_LIMIT);
	EXPECT_EQ(Delivered(), std::vector<uint32_t>{MC_VECTOR});   /* the second is not delivered */
	EXPECT_EQ(lp.ctx.activity, (uint32_t)GUEST_ACTIVITY_SHUTDOWN);
	EXPECT_TRUE(lp.non_root);
	auto s = Of(HW_SHUTDOWN);
	ASSERT_EQ(s.size(), 1u);
	EXPECT_EQ(s[0].vector, (uint32_t)MC_VECTOR);
	EXPECT_TRUE(s[0].non_root);
}

TEST_F(MachineCheck, R24_RootProgramReadsAndClearsMcip)
{
	Host({Rdmsr(MSR_IA32_MCG_STATUS), Wrmsr(MSR_IA32_MCG_STATUS, 0), Op(VMX_OP_HLT)});
	lp.mcg_status = kMcip | kRipv;
	ASSERT_EQ(Run(1000), VMX_RUN_LIMIT);
	EXPECT_EQ(Gpr(X86_GPR_rax), kMcip | kRipv);
	EXPECT_EQ(lp.mcg_status, 0u);
}

TEST_F(MachineCheck, R24_WrmsrOfMcgStatusReservedBitsRaisesGp)
{
	Host({Wrmsr(MSR_IA32_MCG_STATUS, 8), Op(VMX_OP_HLT)});
	host.idt[GP_VECTOR].type = VMX_GATE_INTERRUPT;
	host.idt[GP_VECTOR].handler = HostAt(1);
	ASSERT_EQ(Run(1000), VMX_RUN_LIMIT);
	EXPECT_EQ(Delivered(), std::vector<uint32_t>{GP_VECTOR});
	EXPECT_EQ(lp.mcg_status, 0u);
}

/* ---- CR4.MCE = 0: shutdown, in non-root operation without a VM exit ---- */

TEST_F(MachineCheck, R24_Cr4MceClearShutsTheGuestDownAndInitThenExits)
{
	ClearBits(GUEST_CR4, X86_CR4_MCE);
	ExitOnMc();   /* the bitmap is not asked: no #MC is generated */
	ASSERT_TRUE(Mce());
	ASSERT_EQ(LaunchAndRun(1000), VMX_RUN_LIMIT);
	EXPECT_EQ(lp.ctx.activity, (uint32_t)GUEST_ACTIVITY_SHUTDOWN);
	EXPECT_EQ(Count(HW_VMEXIT), 0);
	EXPECT_EQ(lp.mcg_status, 0u);
	vmx_lp_init_signal(&lp);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_INIT_SIGNAL);
	EXPECT_EQ(Get(GUEST_ACTIVITY_STATE), (uint64_t)GUEST_ACTIVITY_SHUTDOWN);
}

/* ---- R23: what a machine check wakes ---- */

TEST_F(MachineCheck, R23_MachineCheckWakesHltAndItsExitSavesHlt)
{
	ExitOnMc();
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_LIMIT);
	ASSERT_EQ(lp.ctx.activity, (uint32_t)GUEST_ACTIVITY_HLT);
	ASSERT_TRUE(Mce());
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	EXPECT_EQ(Count(HW_WAKE), 1);
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), kMcInfo);
	EXPECT_EQ(Get(GUEST_ACTIVITY_STATE), (uint64_t)GUEST_ACTIVITY_HLT);   /* caused directly by the event */
	EXPECT_EQ(Get(GUEST_RIP), At(2));
}

TEST_F(MachineCheck, R23_MachineCheckWakesHltIntoItsHandler)
{
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_LIMIT);
	ASSERT_TRUE(Mce());
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 100), VMX_RUN_LIMIT);
	EXPECT_EQ(Delivered(), std::vector<uint32_t>{MC_VECTOR});
	EXPECT_EQ(lp.ctx.activity, (uint32_t)GUEST_ACTIVITY_ACTIVE);
	EXPECT_EQ(mem.stack[0].rip, At(2));        /* past the HLT */
}

/*
 * Wait-for-SIPI blocks external interrupts, NMIs, INIT and SMIs (SDM Vol.
 * 3C "Activity State"), not machine checks; Linux sets CR4.MCE on every
 * logical processor because one that finds CR4.MCE = 0 on a core waiting
 * for its SIPI shuts the machine down (kernel/cpu.c). With the exception
 * bitmap's bit 18 it is an exit that saves wait-for-SIPI.
 */
TEST_F(MachineCheck, R23_MachineCheckInWaitForSipiExitsAndSavesWaitForSipi)
{
	ExitOnMc();
	Set(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_WAIT_SIPI);
	ASSERT_TRUE(Mce());
	ASSERT_EQ(LaunchAndRun(1000), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_EXCEPTION_NMI);
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), kMcInfo);
	EXPECT_EQ(Get(GUEST_ACTIVITY_STATE), (uint64_t)GUEST_ACTIVITY_WAIT_SIPI);
	EXPECT_EQ(lp.mcg_status, kMcip | kRipv);
}

TEST_F(MachineCheck, R23_MachineCheckInWaitForSipiIsDeliveredAndMakesTheGuestActive)
{
	Set(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_WAIT_SIPI);
	ASSERT_TRUE(Mce());
	ASSERT_EQ(LaunchAndRun(1000), VMX_RUN_LIMIT);
	EXPECT_EQ(Delivered(), std::vector<uint32_t>{MC_VECTOR});
	EXPECT_EQ(lp.ctx.activity, (uint32_t)GUEST_ACTIVITY_ACTIVE);
	EXPECT_EQ(Count(HW_SHUTDOWN), 0);
}

TEST_F(MachineCheck, R23_MachineCheckInWaitForSipiWithMceClearShutsDown)
{
	ClearBits(GUEST_CR4, X86_CR4_MCE);
	Set(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_WAIT_SIPI);
	ASSERT_TRUE(Mce());
	ASSERT_EQ(LaunchAndRun(1000), VMX_RUN_LIMIT);
	EXPECT_EQ(lp.ctx.activity, (uint32_t)GUEST_ACTIVITY_SHUTDOWN);
	EXPECT_EQ(Count(HW_SHUTDOWN), 1);
	EXPECT_EQ(Count(HW_DELIVER), 0);
	EXPECT_EQ(Count(HW_VMEXIT), 0);   /* no exit for it, in non-root operation too */
}

/*
 * SDM Vol. 3A, "Interrupt 8": shutdown ends with an NMI, an SMI, INIT or
 * RESET, and events pending in shutdown are handled after the wake event.
 * A machine check does not wake the guest's shutdown; it waits, and the
 * host takes it after the INIT exit that did.
 */
TEST_F(MachineCheck, R23_MachineCheckWaitsInShutdownAndTheHostTakesItAfterTheInitExit)
{
	Set(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_SHUTDOWN);
	SetBits(HOST_CR4, X86_CR4_MCE);
	ASSERT_TRUE(Mce());
	ASSERT_EQ(LaunchAndRun(1000), VMX_RUN_LIMIT);
	EXPECT_EQ(lp.ctx.activity, (uint32_t)GUEST_ACTIVITY_SHUTDOWN);
	EXPECT_EQ(vmx_arbitrate(&lp), VMX_DECIDE_NONE);
	EXPECT_TRUE(lp.mce_latched);
	EXPECT_EQ(Count(HW_WAKE), 0);
	EXPECT_EQ(Count(HW_DELIVER), 0);
	EXPECT_EQ(Count(HW_VMEXIT), 0);
	vmx_lp_init_signal(&lp);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_INIT_SIGNAL);   /* the wake event, not the machine check */
	EXPECT_EQ(Get(GUEST_ACTIVITY_STATE), (uint64_t)GUEST_ACTIVITY_SHUTDOWN);
	EXPECT_EQ(vmx_arbitrate(&lp), VMX_DECIDE_MACHINE_CHECK);      /* now, in root operation */
	ASSERT_EQ(vmx_lp_host_take_mce(&lp), VMX_MCE_TAKEN);
	EXPECT_EQ(lp.mcg_status, kMcip | kRipv);
}

/* The same after an NMI exit; and one that shut the guest down itself (CR4.MCE = 0) leaves a second waiting. */
TEST_F(MachineCheck, R23_AfterAShutdownByMachineCheckTheNextWaitsForTheNmiExit)
{
	ClearBits(GUEST_CR4, X86_CR4_MCE);
	SetBits(PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_NMI_EXITING);
	SetBits(HOST_CR4, X86_CR4_MCE);
	ASSERT_TRUE(Mce());
	ASSERT_EQ(LaunchAndRun(1000), VMX_RUN_LIMIT);
	ASSERT_EQ(lp.ctx.activity, (uint32_t)GUEST_ACTIVITY_SHUTDOWN);
	ASSERT_TRUE(Mce());   /* the first was taken: this is no second one pending */
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_LIMIT);
	EXPECT_EQ(Count(HW_SHUTDOWN), 1) << "the second does not shut down again: it waits";
	vmx_lp_nmi(&lp);
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_EXCEPTION_NMI);
	ASSERT_EQ(vmx_lp_host_take_mce(&lp), VMX_MCE_TAKEN);
}

/* R24: a second machine check before the first was taken joins it - one #MC, both errors in the banks. */
TEST_F(MachineCheck, R24_SecondMachineCheckBeforeTheFirstIsTakenJoinsIt)
{
	ExitOnMc();
	ASSERT_TRUE(Mce(1));
	ASSERT_TRUE(Mce(2, MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_PCC));
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), kMcInfo);
	EXPECT_FALSE(lp.mce_latched);
	EXPECT_EQ(Count(HW_NOT_MODELLED), 0);
	EXPECT_EQ(lp.mca[1][MCA_REG_STATUS], MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_EN);
	EXPECT_EQ(lp.mca[2][MCA_REG_STATUS], MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_EN | MCI_STATUS_PCC);
	EXPECT_EQ(Count(HW_VMEXIT), 1);
	EXPECT_EQ(vmx_arbitrate(&lp), VMX_DECIDE_NONE) << "one machine-check exception for both";
}

TEST_F(MachineCheck, R24_AMachineCheckInABankTheModelLacksIsRefusedByTheCaller)
{
	EXPECT_FALSE(Mce(9));   /* nehalem: IA32_MCG_CAP 0x1c09, banks 0-8 */
	EXPECT_FALSE(lp.mce_latched);
	EXPECT_TRUE(Mce(8));
}

/*
 * The host's handler (l0_common.c l0_host_machine_check, what the L0 models
 * run as Linux's do_machine_check) clears the banks it reported: the
 * uncorrected errors on a part without MCG_SER_P; a corrected one stays
 * for the poller. The processor gives it the bank reads and writes
 * (vmx_lp_mca_status, vmx_lp_mca_clear_status) and MCIP's clearing.
 */
TEST_F(MachineCheck, R24_TheHostHandlerClearsTheUncorrectedErrorsItReported)
{
	trace_bus bus;
	l0_base b{};

	trace_bus_init(&bus);
	b.env.lp = &lp;
	b.env.bus = &bus;
	SetBits(HOST_CR4, X86_CR4_MCE);
	lp.cr4 |= X86_CR4_MCE;
	ASSERT_TRUE(Mce(3, MCI_STATUS_VAL | MCI_STATUS_UC));
	ASSERT_TRUE(Mce(4, MCI_STATUS_VAL));   /* corrected: logged, not signalled */
	ASSERT_EQ(vmx_lp_host_take_mce(&lp), VMX_MCE_TAKEN);
	l0_host_machine_check(&b, "test");
	EXPECT_EQ(lp.mca[3][MCA_REG_STATUS], 0u);
	EXPECT_EQ(lp.mca[4][MCA_REG_STATUS], MCI_STATUS_VAL | MCI_STATUS_EN | 1ull << MCI_STATUS_CEC_SHIFT);   /* counted */
	EXPECT_EQ(lp.mcg_status, 0u);
}

/* ---- Machine-check events during VM entry and VM exit ---- */

TEST_F(MachineCheck, R24_MachineCheckDuringEntryIsHandledAfterEntryCompletes)
{
	/*
	 * Arriving within the entry's latency, it reaches the processor once the
	 * entry (injection included) has completed: the guest's CR4.MCE and
	 * exception bitmap decide, never a VM-entry failure with reason 41.
	 */
	ExitOnMc();
	Gate(0x40, 4);
	Inject(intr_info_make(INTR_TYPE_EXT_INTR, 0x40, false));
	ASSERT_EQ(Launch(), VMX_ENTRY_OK);
	ASSERT_TRUE(Mce());
	ASSERT_EQ(vmx_lp_run(&lp, lp.cycle + 1000), VMX_RUN_EXIT);
	EXPECT_EQ(Delivered(), std::vector<uint32_t>{0x40});
	EXPECT_EQ(ExitReason(), (uint32_t)EXIT_REASON_EXCEPTION_NMI);
	EXPECT_EQ(G(VM_EXIT_INTR_INFO), kMcInfo);
	EXPECT_EQ(Get(GUEST_RIP), At(4));
	EXPECT_EQ(G(IDT_VECTORING_INFO_FIELD), 0u);
}

TEST_F(MachineCheck, R24_MachineCheckDuringExitIsHandledAfterExitCompletes)
{
	/* C root software after the exit: HOST_CR4 decides, through vmx_lp_host_take_mce. */
	Program({Op(VMX_OP_VMCALL)});
	SetBits(HOST_CR4, X86_CR4_MCE);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ASSERT_TRUE(Mce());
	EXPECT_EQ(vmx_arbitrate(&lp), VMX_DECIDE_MACHINE_CHECK);
	ASSERT_EQ(vmx_lp_host_take_mce(&lp), VMX_MCE_TAKEN);
	EXPECT_EQ(lp.mcg_status, kMcip | kRipv);
	EXPECT_EQ(vmx_lp_host_take_mce(&lp), VMX_MCE_NONE);   /* nothing latched */
	ASSERT_TRUE(Mce());
	EXPECT_EQ(vmx_lp_host_take_mce(&lp), VMX_MCE_SHUTDOWN);   /* MCIP still 1 */
	EXPECT_EQ(lp.ctx.activity, (uint32_t)GUEST_ACTIVITY_SHUTDOWN);
	EXPECT_EQ(Count(HW_SHUTDOWN), 1);
}

TEST_F(MachineCheck, R24_HostTakesNoMachineCheckWithCr4MceClear)
{
	Program({Op(VMX_OP_VMCALL)});
	ClearBits(HOST_CR4, X86_CR4_MCE);
	ASSERT_EQ(LaunchAndRun(), VMX_RUN_EXIT);
	ASSERT_TRUE(Mce());
	EXPECT_EQ(vmx_lp_host_take_mce(&lp), VMX_MCE_SHUTDOWN);
	EXPECT_EQ(lp.mcg_status, 0u);
}

/* ---- Root operation with an IDT (a bare-metal hypervisor) ---- */

TEST_F(MachineCheck, R24_RootProgramTakesMachineCheckThroughItsIdtBeforeNmi)
{
	Host({Work(1000000), Work(10), Work(10)});
	host.idt[MC_VECTOR] = {VMX_GATE_INTERRUPT, HostAt(1)};
	host.idt[NMI_VECTOR] = {VMX_GATE_INTERRUPT, HostAt(2)};
	lp.cr4 |= X86_CR4_MCE;
	vmx_lp_nmi(&lp);
	ASSERT_TRUE(Mce());
	ASSERT_EQ(Run(1), VMX_RUN_LIMIT);
	ASSERT_FALSE(Delivered().empty());
	EXPECT_EQ(Delivered()[0], (uint32_t)MC_VECTOR);
	EXPECT_FALSE(Of(HW_DELIVER)[0].non_root);
	EXPECT_EQ(lp.mcg_status, kMcip | kRipv);
}

TEST_F(MachineCheck, R24_RootProgramWithCr4MceClearShutsDown)
{
	/* The root program starts with CR4 = PAE | VMXE (vmx_lp_init): MCE is 0. */
	Host({Work(1000000)});
	host.idt[MC_VECTOR] = {VMX_GATE_INTERRUPT, HostAt(0)};
	ASSERT_TRUE(Mce());
	EXPECT_EQ(Run(1000), VMX_RUN_SHUTDOWN);
	EXPECT_EQ(Count(HW_DELIVER), 0);
	auto s = Of(HW_SHUTDOWN);
	ASSERT_EQ(s.size(), 1u);
	EXPECT_EQ(s[0].vector, (uint32_t)MC_VECTOR);
	EXPECT_FALSE(s[0].non_root);
}

TEST_F(MachineCheck, R24_MachineCheckComesBeforeInitOutsideVmxOperation)
{
	Host({Work(1000000), Work(10)}, false);
	host.idt[MC_VECTOR] = {VMX_GATE_INTERRUPT, HostAt(1)};
	lp.cr4 |= X86_CR4_MCE;
	vmx_lp_init_signal(&lp);
	ASSERT_TRUE(Mce());
	EXPECT_EQ(vmx_arbitrate(&lp), VMX_DECIDE_MACHINE_CHECK);
	ASSERT_EQ(Run(1), VMX_RUN_LIMIT);
	EXPECT_EQ(Delivered(), std::vector<uint32_t>{MC_VECTOR});
	EXPECT_TRUE(lp.init_latched);
}
