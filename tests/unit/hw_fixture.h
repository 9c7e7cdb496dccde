/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hw_fixture.h - a logical processor with a valid VMCS and a scripted guest,
 * for the hardware-model suites. Every test starts from an entry that
 * passes all checks and adjusts what its rule needs.
 */
#ifndef VMXSIM_TEST_HW_FIXTURE_H
#define VMXSIM_TEST_HW_FIXTURE_H

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model/hw/vmx_lp.h"
#include "vmcs/vmx_controls.h"
#include "vmcs/vmx_exit_reason.h"
#include "vmcs/vmx_intr_info.h"
#include "vmcs/vmx_intr_state.h"
#include "vmcs/x86_debugreg.h"

class HwTest : public ::testing::Test {
protected:
	static constexpr uint64_t kGuestBase = 0x1000;
	static constexpr uint64_t kHostRip = 0xffffffff81000000ull;

	cpu_model model{};
	vmx_lp lp{};
	vmcs v{};
	vmx_guest_mem mem{};
	vmx_program prog{};
	std::vector<vmx_insn> code;
	std::vector<vmx_hw_event> events;
	/* Root software as a program (bare metal, `l0 none`), when a test gives one. */
	vmx_guest_mem host{};
	vmx_program host_prog{};
	std::vector<vmx_insn> host_code;

	/* Select a CPU model and reset everything (default: nehalem). */
	void Use(const char *name)
	{
		ASSERT_TRUE(cpu_model_lookup(name, &model));
		vmx_lp_init(&lp, &model, 0, nullptr);
		vmx_lp_set_observer(&lp, &HwTest::Observe, this);
		vmcs_clear(&v, model.revision_id);
		v.guest = &mem;
		ASSERT_EQ(vmx_lp_vmptrld(&lp, &v), VMX_SUCCEED);
		vmcs_set(&v, PIN_BASED_VM_EXEC_CONTROL, vmx_allowed0(model.caps.pinbased_ctls) | PIN_BASED_EXT_INTR_MASK |
		                                        PIN_BASED_NMI_EXITING);
		vmcs_set(&v, CPU_BASED_VM_EXEC_CONTROL, vmx_allowed0(model.caps.procbased_ctls));
		vmcs_set(&v, VM_EXIT_CONTROLS, vmx_allowed0(model.caps.exit_ctls) | VM_EXIT_HOST_ADDR_SPACE_SIZE);
		vmcs_set(&v, VM_ENTRY_CONTROLS, vmx_allowed0(model.caps.entry_ctls));
		vmcs_set(&v, VMCS_LINK_POINTER, VMCS_LINK_POINTER_NONE);
		vmcs_set_mode_defaults(&v);
		vmcs_set(&v, GUEST_RFLAGS, X86_EFLAGS_FIXED | X86_EFLAGS_IF);
		vmcs_set(&v, GUEST_RIP, kGuestBase);
		vmcs_set(&v, HOST_RIP, kHostRip);
		vmx_insn work{};
		work.op = VMX_OP_WORK;
		work.arg = 1000000;
		Program({work});
	}

	void SetUp() override { Use("nehalem"); }

	/* Lay out a guest program at kGuestBase; the IDT is kept. */
	void Program(std::vector<vmx_insn> insns)
	{
		code = std::move(insns);
		vmx_program_layout(&prog, code.data(), (uint32_t)code.size(), kGuestBase);
		vmx_gate idt[256];
		std::copy(std::begin(mem.idt), std::end(mem.idt), idt);
		vmx_guest_mem_init(&mem, &prog);
		std::copy(std::begin(idt), std::end(idt), mem.idt);
	}

	/* Make root operation run a program at 0x100000, from its first instruction. */
	void Host(std::vector<vmx_insn> insns)
	{
		host_code = std::move(insns);
		vmx_program_layout(&host_prog, host_code.data(), (uint32_t)host_code.size(), 0x100000);
		vmx_guest_mem_init(&host, &host_prog);
		lp.host_mem = &host;
		lp.ctx.mem = &host;
		lp.ctx.rip = host_code[0].addr;
	}

	/* Address of instruction i of the program. */
	uint64_t At(size_t i) const { return code[i].addr; }

	void Gate(uint8_t vector, size_t insn_index, vmx_gate_type type = VMX_GATE_INTERRUPT)
	{
		mem.idt[vector].type = type;
		mem.idt[vector].handler = At(insn_index);
	}

	void Set(vmcs_field f, uint64_t value) { vmcs_set(&v, f, value); }
	void SetBits(vmcs_field f, uint64_t bits) { vmcs_set_bits(&v, f, bits); }
	void ClearBits(vmcs_field f, uint64_t bits) { vmcs_clear_bits(&v, f, bits); }
	uint64_t Get(vmcs_field f) const { return vmcs_get(&v, f); }
	uint32_t G(vmcs_field f) const { return (uint32_t)Get(f); }   /* a 32-bit field */
	/* The event VM entry injects: interruption information, error code, instruction length (R6-R8). */
	void Inject(uint32_t info, uint32_t err = 0, uint32_t len = 0)
	{
		Set(VM_ENTRY_INTR_INFO_FIELD, info);
		Set(VM_ENTRY_EXCEPTION_ERROR_CODE, err);
		Set(VM_ENTRY_INSTRUCTION_LEN, len);
	}

	vmx_entry_status Launch() { return vmx_lp_vmentry(&lp, true); }

	/* Launch, expect success, run until an exit or the limit. */
	vmx_run_outcome LaunchAndRun(uint64_t cycles = 100000)
	{
		EXPECT_EQ(Launch(), VMX_ENTRY_OK) << LastCheck();
		return vmx_lp_run(&lp, lp.cycle + cycles);
	}
	/* VMRESUME of the current VMCS, then run up to `cycles` more. */
	vmx_run_outcome Resume(uint64_t cycles = 100000)
	{
		EXPECT_EQ(vmx_lp_vmentry(&lp, false), VMX_ENTRY_OK) << LastCheck();
		return vmx_lp_run(&lp, lp.cycle + cycles);
	}

	uint32_t ExitReason() const { return (uint32_t)Get(VM_EXIT_REASON); }

	std::string LastCheck() const
	{
		for (auto it = events.rbegin(); it != events.rend(); ++it)
			if (it->check)
				return it->check;
		return "";
	}

	int Count(vmx_hw_event_kind k) const
	{
		int n = 0;
		for (const auto &e : events)
			n += e.kind == k;
		return n;
	}

	/* The events of one kind, in order. */
	std::vector<vmx_hw_event> Of(vmx_hw_event_kind k) const
	{
		std::vector<vmx_hw_event> out;
		for (const auto &e : events)
			if (e.kind == k)
				out.push_back(e);
		return out;
	}

	/* The HW_DELIVER events' vectors, in order. */
	std::vector<uint32_t> Delivered() const
	{
		std::vector<uint32_t> v;
		for (const auto &e : Of(HW_DELIVER))
			v.push_back(e.vector);
		return v;
	}

	static void Observe(void *ctx, const vmx_hw_event *ev)
	{
		static_cast<HwTest *>(ctx)->events.push_back(*ev);
	}
};

/* Instruction builders. */
inline vmx_insn Op(vmx_op op, uint64_t arg = 0, uint64_t arg2 = 0)
{
	vmx_insn in{};
	in.op = op;
	in.arg = arg;
	in.arg2 = arg2;
	return in;
}
inline vmx_insn Work(uint64_t n) { return Op(VMX_OP_WORK, n); }
/* RDMSR of `msr` into RAX; WRMSR of a constant. */
inline vmx_insn Rdmsr(uint32_t msr)
{
	vmx_insn in = Op(VMX_OP_RDMSR, msr);
	in.dst = VMX_REG(X86_GPR_rax);
	return in;
}
inline vmx_insn Wrmsr(uint32_t msr, uint64_t value) { return Op(VMX_OP_WRMSR, msr, value); }

#endif
