/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Instruction fetch (model/hw/guest_mem.c): the hinted fetch finds what the
 * plain search finds, whatever the hint - right, stale, out of range - at
 * every address in and around a program, and leaves the index it found.
 */
#include "hw_fixture.h"

TEST(ProgramFetch, AnyHintGivesWhatTheSearchGives)
{
	vmx_insn text[] = {Work(5), Op(VMX_OP_VMCALL), Op(VMX_OP_NOP), Work(1), Op(VMX_OP_JMP, 0x1000), Work(3),
	                   Op(VMX_OP_IRET)};
	const uint32_t n = sizeof(text) / sizeof(text[0]);
	vmx_program p{};
	vmx_program_layout(&p, text, n, 0x1000);

	for (uint64_t rip = p.base - 2; rip < p.end + 2; rip++) {
		uint64_t want_off = 99;
		const vmx_insn *want = vmx_program_fetch(&p, rip, &want_off);
		for (uint32_t h : {0u, 1u, 2u, 3u, 4u, 5u, 6u, 7u, 1000u, UINT32_MAX}) {
			uint32_t hint = h;
			uint64_t off = 99;
			EXPECT_EQ(vmx_program_fetch_hinted(&p, rip, &off, &hint), want) << std::hex << rip << " hint " << h;
			if (want) {
				EXPECT_EQ(off, want_off);
				EXPECT_EQ(hint, (uint32_t)(want - text));   // the next fetch there needs no search
			}
		}
	}
	uint64_t off;
	uint32_t hint = 0;
	EXPECT_EQ(vmx_program_fetch_hinted(nullptr, 0x1000, &off, &hint), nullptr);
}

/*
 * The processor's own shortcut (exec.c fetch: the instruction fetched last
 * and the one after it) follows the same rule as the search: a RIP inside
 * an instruction other than a work block fetches nothing (#PF). Before, a
 * RIP in the middle of the instruction after the last one fetched ran that
 * instruction, while the same RIP reached with another history faulted.
 */
class FetchLast : public HwTest {};

TEST_F(FetchLast, RipInsideAnInstructionFaultsWhateverWasFetchedLast)
{
	struct Outcome {
		vmx_run_outcome how;
		uint64_t rip, rax;
		uint32_t activity;
	} first{};

	for (uint32_t last : {0u, 1u, 2u, 7u}) {
		Use("nehalem");
		vmx_insn mov = Op(VMX_OP_MOV, 0, 5);
		mov.dst = VMX_REG(0);
		Host({Op(VMX_OP_NOP), mov, Op(VMX_OP_HLT)});
		lp.ctx.rip = host_code[1].addr + 1;
		lp.fetch_last = last;
		Outcome o{vmx_lp_run(&lp, 100), lp.ctx.rip, host.gpr[0], lp.ctx.activity};
		EXPECT_EQ(o.rax, 0u) << "fetched last: " << last;   // the MOV never ran
		if (last == 0) {
			first = o;
			continue;
		}
		EXPECT_EQ(o.how, first.how) << "fetched last: " << last;
		EXPECT_EQ(o.rip, first.rip) << "fetched last: " << last;
		EXPECT_EQ(o.activity, first.activity) << "fetched last: " << last;
	}
}
