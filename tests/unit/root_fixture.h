/* SPDX-License-Identifier: Apache-2.0 */
/*
 * root_fixture.h - HwTest's root program (Host()) on a fresh processor, with the memory the VMX
 * instructions of a bare-metal L1 hypervisor work on: the VMXON region
 * (region 0), the fixture's VMCS `v` (region 1) and regions a test adds,
 * at VMX_REGION_ADDR(i).
 */
#ifndef VMXSIM_TEST_ROOT_FIXTURE_H
#define VMXSIM_TEST_ROOT_FIXTURE_H

#include "hw_fixture.h"

class RootTest : public HwTest {
protected:
	std::vector<vmcs> regions;

	/*
	 * The root program; the processor is in VMX root operation with v (as
	 * region 1, a copy: set v up first) current, or (vmx_on false) outside
	 * VMX operation. Extra regions, cleared, get the revision identifiers
	 * given, after the VMXON region and v.
	 */
	void Host(std::vector<vmx_insn> insns, bool vmx_on = true, std::vector<uint32_t> extra = {})
	{
		/* A fresh processor each time: a test may try several programs. */
		vmx_lp_init(&lp, &model, 0, nullptr);
		vmx_lp_set_observer(&lp, &HwTest::Observe, this);
		HwTest::Host(std::move(insns));
		regions.assign(2 + extra.size(), vmcs{});
		vmcs_clear(&regions[VMX_REGION_VMXON], model.revision_id);
		regions[VMX_REGION_VMCS0] = v;
		for (size_t i = 0; i < extra.size(); i++)
			vmcs_clear(&regions[2 + i], extra[i]);
		for (size_t i = 0; i < regions.size(); i++) {
			regions[i].addr = VMX_REGION_ADDR(i);
			regions[i].guest = &mem;
		}
		host.regions = regions.data();
		host.nregions = (uint32_t)regions.size();
		lp.vmx_operation = vmx_on;
		if (vmx_on) {
			ASSERT_EQ(vmx_lp_vmptrld(&lp, &regions[VMX_REGION_VMCS0]), VMX_SUCCEED);
		}
		events.clear();
	}

	/* The VMCS the root program runs with (the fixture's v, as region 1). */
	vmcs &V() { return regions[VMX_REGION_VMCS0]; }

	uint64_t HostAt(size_t i) const { return host_code[i].addr; }

	/* Run the root program (or what it enters) for a while. */
	vmx_run_outcome Run(uint64_t cycles = 100000) { return vmx_lp_run(&lp, lp.cycle + cycles); }

	uint64_t Gpr(uint32_t r) const { return host.gpr[r]; }

	/* The first event of a kind, or NULL. */
	const vmx_hw_event *First(vmx_hw_event_kind k) const
	{
		for (const auto &e : events)
			if (e.kind == k)
				return &e;
		return nullptr;
	}

	/* The VMfail events, in order. */
	std::vector<vmx_hw_event> Fails() const
	{
		std::vector<vmx_hw_event> f;
		for (const auto &e : events)
			if (e.kind == HW_VMFAIL)
				f.push_back(e);
		return f;
	}
};

/* Register operands. */
inline vmx_insn Reg(vmx_insn in, int dst, int src = -1)
{
	if (dst >= 0)
		in.dst = VMX_REG((uint32_t)dst);
	if (src >= 0)
		in.src = VMX_REG((uint32_t)src);
	return in;
}

#endif
