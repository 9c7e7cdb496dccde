/* SPDX-License-Identifier: Apache-2.0 */
// vmxsim-scn2asm, the oracle's scenario compiler (oracle/scn2asm): what it
// refuses and where, that every operation of the processor model is
// decided, that the case assembles, and the labels and map of what it
// compiles.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "oracle/scn2asm/scn2asm.h"

namespace {

/* One compilation: its status, case.asm, case.map and the diagnostics. */
struct Compiled {
	scn2asm_status st = SCN2ASM_FAILED;
	std::string asm_text, map, diag;

	explicit Compiled(const std::string &text)
	{
		char *a = nullptr, *m = nullptr, *d = nullptr;
		size_t al = 0, ml = 0, dl = 0;
		FILE *af = open_memstream(&a, &al), *mf = open_memstream(&m, &ml), *df = open_memstream(&d, &dl);
		st = scn2asm_compile_text(text.data(), text.size(), "t.scn", af, mf, df);
		std::fclose(af);
		std::fclose(mf);
		std::fclose(df);
		asm_text.assign(a, al);
		map.assign(m, ml);
		diag.assign(d, dl);
		std::free(a);
		std::free(m);
		std::free(d);
	}
};

/*
 * A bare-metal scenario. Line 1 cpu, 2 l0, 3 guest L1, 4 exit-handler,
 * 5 `main: vmlaunch`, 6 `on_exit: hlt`, L1's extra lines from line 7; then
 * `guest L2`, L2's header lines and its program, then `top` and `run`.
 */
std::string Scn(const std::string &l1 = "", const std::string &l2 = "l2_main: vmcall\n", const std::string &l2head = "",
                const std::string &top = "")
{
	return "cpu nehalem\nl0 none\nguest L1\n  exit-handler on_exit\nmain: vmlaunch\non_exit: hlt\n" + l1 +
	       "guest L2\n" + l2head + l2 + top + "run 10000\n";
}

const char *const kRefused = ": not modelled on the oracle: ";

struct Refusal {
	const char *what;
	std::string text;
	const char *where;    // "LINE:COL"
	const char *message;  // the start of the message after "not modelled on the oracle: "
};

class Refusals : public ::testing::TestWithParam<Refusal> {};

TEST_P(Refusals, LocatedAndNothingWritten)
{
	const Refusal &r = GetParam();
	Compiled c(r.text);
	EXPECT_EQ(c.st, SCN2ASM_REFUSED) << c.diag;
	EXPECT_EQ(c.diag.rfind(std::string("t.scn:") + r.where + kRefused + r.message, 0), 0u) << c.diag;
	EXPECT_EQ(std::count(c.diag.begin(), c.diag.end(), '\n'), 1) << c.diag;
	EXPECT_TRUE(c.asm_text.empty());
	EXPECT_TRUE(c.map.empty());
}

const Refusal kRefusals[] = {
    {"l0", "cpu nehalem\nl0 kvm-modern\nguest L1\n  exit-handler on_exit\nmain: vmlaunch\non_exit: hlt\n"
           "guest L2\nl2_main: vmcall\nrun 10000\n",
     "2:4", "l0 'kvm-modern'"},
    {"vcpus", Scn("", "l2_main: vmcall\n", "", "vcpus 2\n"), "9:1", "2 vCPUs"},
    {"at", Scn("", "l2_main: vmcall\n", "", "at 500 nmi -> L1 cpu0\n"), "9:1", "'at' stimulus"},
    {"every", Scn("", "l2_main: vmcall\n", "", "every 500 irq 32 -> L1 cpu0\n"), "9:1", "'every' stimulus"},
    {"stack", Scn("", "l2_main: vmcall\n", "  stack-unmapped\n"), "8:3", "'stack-unmapped'"},
    {"r14", Scn("mov rax r14\n"), "7:9", "r14: R13, R14 and R15"},
    {"record r15", Scn("record rax r15\n"), "7:12", "r15: R13, R14 and R15"},
    {"r13 in L2", Scn("", "l2_main: inc r13\n"), "8:14", "r13: R13, R14 and R15"},
    {"apic-timer", Scn("  apic-timer oneshot 0x40 1000\n"), "7:3", "the local APIC timer"},
    {"init ipi", Scn("ipi cpu0 init\n"), "7:5", "an INIT IPI"},
    {"report port", Scn("out 0xe9\n"), "7:5", "port 0xe9 is where the runtime reports"},
    {"L1 port", Scn("in rax 0x60\n"), "7:1", "IN of port 0x60 may reach a device"},
    {"L2 port", Scn("", "l2_main: out 0x61\n"), "8:14", "OUT of port 0x61 may reach a device"},
    {"cr3 in L1", Scn("mov-cr3 rax\n"), "7:1", "MOV to CR3 in root operation"},
    {"vapic-irr", Scn("vapic-irr 0x31\n"), "7:1", "'vapic-irr': a store to the virtual-APIC page"},
    {"pi-post", Scn("pi-post 0x45\n"), "7:1", "'pi-post': a store to the virtual-APIC page or the posted-interrupt"},
    {"load", Scn("load rax 0x40000000\n"), "7:1", "'load' of the data area (0x40000000)"},
    {"store", Scn("", "l2_main: store byte 0x40000001 7\n"), "8:10", "'store' of the data area"},
    {"mov-ss from memory", Scn("mov-ss 0x40000000\n"), "7:1", "'mov-ss' of the data area"},
    {"rdmsr TPR", Scn("rdmsr rax IA32_X2APIC_TPR\n"), "7:1", "RDMSR of IA32_X2APIC_TPR"},
    {"wrmsr SELF IPI", Scn("wrmsr IA32_X2APIC_SELF_IPI 0x40\n"), "7:1", "WRMSR of IA32_X2APIC_SELF_IPI"},
    {"cr3 target", Scn("", "l2_main: mov-cr3 rax\n", "  vmcs CR3_TARGET_COUNT 1\n"), "9:10",
     "MOV to CR3 that a CR3-target value lets execute"},
    {"vmcs HOST_RIP", Scn("", "l2_main: vmcall\n", "  vmcs HOST_RIP 0x1000\n"), "8:8", "HOST_RIP: L1's 'exit-handler'"},
    {"vmcs GUEST_RSP", Scn("", "l2_main: vmcall\n", "  vmcs GUEST_RSP 0x8000\n"), "8:8",
     "GUEST_RSP: the runtime owns"},
    {"vmcs read-only", Scn("", "l2_main: vmcall\n", "  vmcs VM_EXIT_REASON 1\n"), "8:8", "VM_EXIT_REASON is read-only"},
    {"vmwrite HOST_CR3", Scn("vmwrite HOST_CR3 rax\n"), "7:9", "HOST_CR3: the runtime owns"},
    {"HOST_RIP with two VMCSs", "cpu nehalem\nl0 none\nguest L1\n  vmcs-region second\n  exit-handler on_exit\n"
                                "main: vmwrite HOST_RIP on_exit\n  vmptrld second\non_exit: hlt\nguest L2\n"
                                "l2_main: vmcall\nrun 10000\n",
     "6:7", "VMWRITE of HOST_RIP while L1 uses several VMCSs"},
    {"GUEST_RIP in L1", Scn("vmwrite GUEST_RIP on_exit\n"), "7:19", "GUEST_RIP at a label of L1"},
    {"GUEST_RIP mid-insn", Scn("vmwrite GUEST_RIP 0x1001\n"), "7:9", "GUEST_RIP is no instruction boundary"},
    {"preemption timer", Scn("", "l2_main: vmcall\n",
                             "  vmcs PIN_BASED_VM_EXEC_CONTROL PIN_BASED_VMX_PREEMPTION_TIMER\n"
                             "  vmcs VMX_PREEMPTION_TIMER_VALUE 100\n"),
     "9:8", "the VMX-preemption timer counts time"},
    {"timer from L1", Scn("vmwrite VMX_PREEMPTION_TIMER_VALUE 5\n", "l2_main: vmcall\n",
                          "  vmcs PIN_BASED_VM_EXEC_CONTROL PIN_BASED_VMX_PREEMPTION_TIMER\n"),
     "7:9", "the VMX-preemption timer counts time"},
    {"MTF", Scn("", "l2_main: nop\n  eoi\n", "  vmcs CPU_BASED_VM_EXEC_CONTROL CPU_BASED_MONITOR_TRAP_FLAG\n"), "10:3",
     "'eoi' while the monitor trap flag may be set"},
    {"MTF set by L1", Scn("vmread rax CPU_BASED_VM_EXEC_CONTROL\n  or rax 0x8000000\n"
                          "  vmwrite CPU_BASED_VM_EXEC_CONTROL rax\n", "l2_main: record rax\n"), "11:10",
     "'record' while the monitor trap flag may be set"},
    {"too long", Scn("", "l2_main: work 500k\n"), "8:15", "about 488 KiB of code"},
    {"MTF by encoding", Scn("vmwrite 0x4002 0x8000000\n", "l2_main: record rax\n"), "9:10",
     "'record' while the monitor trap flag may be set"},
    {"GUEST_DR7 breakpoint", Scn("", "l2_main: vmcall\n", "  vmcs GUEST_DR7 0x401\n"), "8:8",
     "GUEST_DR7 with a breakpoint enabled: Debian's Bochs checks breakpoints only with --enable-x86-debugger"},
    {"mov dr7 enables", Scn("mov dr7 0x402\n"), "7:5", "MOV to DR7 that enables a breakpoint"},
    {"mov dr5 register", Scn("mov dr5 rax\n"), "7:5", "MOV to DR5 from a register"},
    {"mov dr0 label", Scn("mov dr0 on_exit\n"), "7:5", "MOV to DR0 of a label"},
    {"IRET after #GP", Scn("", "l2_main: vmcall\nl2_gp: nop\n  iret\n", "  idt 13 l2_gp interrupt-gate\n"), "11:3",
     "IRET reachable from the handler of vector 13 (gate at line 8)"},
    {"IRET after injected #DB with code", Scn("", "l2_main: vmcall\nl2_db: jmp l2_back\nl2_back: iret\n",
                                              "  idt 1 l2_db trap-gate\n"
                                              "  vmcs VM_ENTRY_INTR_INFO_FIELD 0x80000b01\n"),
     "12:10", "IRET reachable from the handler of vector 1 (gate at line 8)"},
};

INSTANTIATE_TEST_SUITE_P(Scn2asm, Refusals, ::testing::ValuesIn(kRefusals),
                         [](const ::testing::TestParamInfo<Refusal> &i) {
	                         std::string n = i.param.what;
	                         for (char &ch : n)
		                         if (!isalnum((unsigned char)ch))
			                         ch = '_';
	                         return n;
                         });

TEST(Scn2asm, BadInputGetsTheFrontEndsErrors)
{
	Compiled parse("cpu nehalem\nl0 none\nguest L1\nmain: frobnicate\n");
	EXPECT_EQ(parse.st, SCN2ASM_BAD_INPUT);
	EXPECT_EQ(parse.diag.rfind("t.scn:4:7: ", 0), 0u) << parse.diag;
	EXPECT_EQ(parse.diag.find("oracle"), std::string::npos) << parse.diag;

	// The machine's own: a bare-metal L1 needs an exit handler.
	Compiled machine("cpu nehalem\nl0 none\nguest L1\nmain: vmlaunch\nguest L2\nl2_main: vmcall\nrun 10000\n");
	EXPECT_EQ(machine.st, SCN2ASM_BAD_INPUT);
	EXPECT_NE(machine.diag.find("exit-handler"), std::string::npos) << machine.diag;
	EXPECT_TRUE(machine.asm_text.empty());
}

/* Every instruction of the language once, in the program where it compiles. */
const char *const kAllOps = R"(cpu nehalem
l0 none
guest L1
  vmcs-region second empty
  idt 6 l1_ud interrupt-gate
  exit-handler on_exit
main:     mov rax 0x101000
          vmptrld rax
          vmclear second
          vmptrst rbx
          cmp rbx 0x101000
          jne l1_done
          vmwrite GUEST_RIP l2_main
          vmwrite VIRTUAL_APIC_PAGE_ADDR 0x11000
          msr-bitmap-set read IA32_X2APIC_CUR_COUNT
          msr-bitmap-clear write IA32_X2APIC_EOI
          set-idt 32 l1_irq trap-gate
          clear-idt 33
          rdmsr rcx IA32_VMX_BASIC
          wrmsr IA32_X2APIC_DIV_CONF rcx
          apic-timer stop
          cpuid
          rdtsc rdx
          mov-cr8 0
          mov-cr8 rsi
          mov dr7 0x400
          mov dr0 rsi
          mov rbx dr6
          mov rdx dr4
          sti
          cli
          mov-ss
          nop
          ipi cpu0 0x30
          ipi cpu0 nmi
          eoi
          add rax 1
          sub rax rbx
          and rax 0xfffffffb
          or rax 0x8
          xor rax rax
          shl rax 3
          shr rax rdx
          inc rdi
          dec rdi
          test rdi 1
          je l1_a
          jz l1_a
          jb l1_a
          jc l1_a
          jbe l1_a
l1_a:     jne l1_b
          jnz l1_b
          jae l1_b
          jnc l1_b
          ja l1_b
l1_b:     choose l1_c | l1_d
l1_c:     work 10
l1_d:     out 0x80
          vmcall
          vmread rcx VM_EXIT_REASON
          vmread HOST_RIP
          vmlaunch
          vmresume
          vmxoff
          vmxon
          int 0x21
          int3
          into
          icebp
          int1
          ud2
          div rbx
          record rax rbx
l1_done:  hlt
on_exit:  vmread rax VM_EXIT_REASON
          jmp l1_done
l1_ud:    hlt
l1_irq:   eoi
          iret
guest L2
  vmcs CPU_BASED_VM_EXEC_CONTROL CPU_BASED_UNCOND_IO_EXITING
  idt 3 l2_bp interrupt-gate
l2_main:  in rax 0x60
          in rbx 0x3f8
          out 0x3f8
          inw rcx 0x61
          inl rdx 0x3f8
          outw 0x62
          outl 0x3f9
          mov-cr3 rax
          mov-cr3 0x5000
          pause
          cpuid
          hlt
          vmcall
l2_bp:    iret
run 100000
)";

/* The KIND column of the map's insn lines. */
std::set<std::string> MapKinds(const std::string &map)
{
	std::set<std::string> kinds;
	std::istringstream in(map);
	std::string line;
	while (std::getline(in, line)) {
		std::istringstream w(line);
		std::string f[8];
		for (auto &x : f)
			w >> x;
		if (f[0] == "insn")
			kinds.insert(f[7]);
	}
	return kinds;
}

TEST(Scn2asm, EveryOperationIsDecided)
{
	for (int op = 0; op < VMX_OP_COUNT; op++)
		EXPECT_NE(scn2asm_op_support(static_cast<vmx_op>(op)), SCN2ASM_UNKNOWN)
		    << "vmx_op " << op << " (" << vmx_op_name(static_cast<vmx_op>(op))
		    << "): decide in oracle/scn2asm/refuse_insn.c whether the oracle compiles it";
	EXPECT_EQ(scn2asm_op_support(VMX_OP_COUNT), SCN2ASM_UNKNOWN);
}

TEST(Scn2asm, EveryInstructionOfTheLanguageCompiles)
{
	Compiled c(kAllOps);
	ASSERT_EQ(c.st, SCN2ASM_OK) << c.diag;
	std::set<std::string> kinds = MapKinds(c.map);
	for (int op = 0; op < SCN_OP_COUNT; op++) {
		std::string name = scn_op_name(static_cast<scn_op>(op));
		if (op == SCN_OP_WORK)
			continue;   // its KIND is "work" as well
		if (op == SCN_OP_VAPIC_IRR || op == SCN_OP_VAPIC_ISR || op == SCN_OP_VAPIC_TPR || op == SCN_OP_PI_POST ||
		    op == SCN_OP_LOAD || op == SCN_OP_STORE)
			continue;   // SCN2ASM_NEVER: refused (Refusals)
		EXPECT_TRUE(kinds.count(name)) << "'" << name << "' is missing from the all-instructions scenario";
	}
	EXPECT_TRUE(kinds.count("work"));
}

/* nasm -f elf64 on a case; false with the reason when nasm is missing (the caller skips). */
bool Assemble(const std::string &text, std::string *out)
{
	if (std::system("nasm -v >/dev/null 2>&1") != 0)
		return false;
	char path[] = "/tmp/scn2asm-test-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0) {
		*out = "mkstemp failed";
		return true;
	}
	FILE *f = fdopen(fd, "w");
	std::fwrite(text.data(), 1, text.size(), f);
	std::fclose(f);
	std::string obj = std::string(path) + ".o", log = std::string(path) + ".log";
	std::string cmd = "nasm -f elf64 -o " + obj + " " + path + " >" + log + " 2>&1";
	int rc = std::system(cmd.c_str());
	std::ifstream lf(log);
	std::stringstream ss;
	ss << lf.rdbuf();
	*out = rc == 0 ? "" : "nasm failed: " + ss.str();
	std::remove(path);
	std::remove(obj.c_str());
	std::remove(log.c_str());
	return true;
}

TEST(Scn2asm, TheCaseAssemblesWithNasm)
{
	Compiled c(kAllOps);
	ASSERT_EQ(c.st, SCN2ASM_OK) << c.diag;
	std::string err;
	if (!Assemble(c.asm_text, &err))
		GTEST_SKIP() << "nasm is not installed";
	EXPECT_EQ(err, "") << c.asm_text;
}

TEST(Scn2asm, WorkBlockLabelsAndMap)
{
	// L2: vmcall at 0x1000 (3 bytes), work 100 at 0x1003, hlt at 0x1067.
	Compiled c(Scn("", "l2_main: vmcall\nl2_loop: work 100\n  hlt\n"));
	ASSERT_EQ(c.st, SCN2ASM_OK) << c.diag;
	EXPECT_NE(c.map.find("\nprog 2 0x1000 0x1068\n"), std::string::npos) << c.map;
	EXPECT_NE(c.map.find("\ninsn 2 0 0x1000 3 l2_main 0 vmcall\n"), std::string::npos) << c.map;
	EXPECT_NE(c.map.find("\ninsn 2 1 0x1003 100 l2_loop 0 work\n"), std::string::npos) << c.map;
	EXPECT_NE(c.map.find("\ninsn 2 2 0x1067 1 l2_loop 100 hlt\n"), std::string::npos) << c.map;
	// One label triple for the whole block, 100 one-byte NOPs between x and e.
	EXPECT_NE(c.asm_text.find("vx_p2_i1:\nvx_p2_x1:\n\ttimes 100 nop\nvx_p2_e1:\n"), std::string::npos) << c.asm_text;
	EXPECT_EQ(c.asm_text.find("vx_p2_x1+"), std::string::npos);
	// L1: main, on_exit; the hlt pushes its own address and ends the case.
	EXPECT_NE(c.map.find("\ninsn 1 1 0x1003 1 on_exit 0 hlt\n"), std::string::npos) << c.map;
	EXPECT_NE(c.asm_text.find("vx_p1_i1:\n\tpush qword vx_p1_x1\nvx_p1_x1:\n\tjmp rt_l1_hlt\nvx_p1_e1:\n"),
	          std::string::npos);
	EXPECT_NE(c.map.find("\nregion 1 0x101000 rt_vmcs0_region\n"), std::string::npos) << c.map;
}

TEST(Scn2asm, TheInitialVmcsIsVmxsims)
{
	Compiled c(Scn("", "l2_main: vmcall\n", "  vmcs EXCEPTION_BITMAP 0\n  vmcs GUEST_CS_AR_BYTES 0xa09b\n"));
	ASSERT_EQ(c.st, SCN2ASM_OK) << c.diag;
	EXPECT_NE(c.asm_text.find("\tdq 0x681e, vx_p2_i0   ; GUEST_RIP\n"), std::string::npos);
	EXPECT_NE(c.asm_text.find("\tdq 0x2004, rt_msr_bitmap   ; MSR_BITMAP\n"), std::string::npos);
	EXPECT_NE(c.asm_text.find("\tdq 0x2800, 0xffffffffffffffff   ; VMCS_LINK_POINTER\n"), std::string::npos);
	// Written by a line although 0; the must-be-1 bits of nehalem's pin-based controls with the machine's two.
	EXPECT_NE(c.asm_text.find("\tdq 0x4004, 0x0   ; EXCEPTION_BITMAP\n"), std::string::npos);
	EXPECT_NE(c.asm_text.find("\tdq 0x4816, 0xa09b   ; GUEST_CS_AR_BYTES\n"), std::string::npos);
	EXPECT_NE(c.asm_text.find("\tdq 0x4000, 0x1f   ; PIN_BASED_VM_EXEC_CONTROL\n"), std::string::npos) << c.asm_text;
	EXPECT_EQ(c.asm_text.find("; HOST_RIP\n"), std::string::npos);
	EXPECT_EQ(c.asm_text.find("; HOST_RSP\n"), std::string::npos);
	EXPECT_EQ(c.asm_text.find("; GUEST_CR0\n"), std::string::npos);   // vmxsim's default: the runtime's
	EXPECT_NE(c.asm_text.find("case_l1_exit_handler:\n\tdq vx_p1_i1\n"), std::string::npos);
	EXPECT_NE(c.asm_text.find("case_flags:\n\tdq 0\n"), std::string::npos);
}

TEST(Scn2asm, AddressesBecomeTheCasesLabels)
{
	Compiled c("cpu nehalem\nl0 none\nguest L1\n  vmcs-region two\n  exit-handler on_exit\n"
	           "main: vmxon\n  mov rax 0x102000\n  vmptrld 0x101000\n  vmwrite HOST_RIP on_exit\n"
	           "  vmwrite GUEST_RIP 0x1003\n  vmread rbx HOST_RIP\non_exit: hlt\n"
	           "guest L2\nl2_main: vmcall\n  work 5\nrun 10000\n");
	ASSERT_EQ(c.st, SCN2ASM_OK) << c.diag;
	EXPECT_NE(c.asm_text.find("case_flags:\n\tdq 1\n"), std::string::npos);   // starts outside VMX operation
	EXPECT_NE(c.asm_text.find("\tmov r13, rt_vmxon_region\n\tmov [rt_m64], r13\nvx_p1_x0:\n\tvmxon [rt_m64]\n"),
	          std::string::npos);
	EXPECT_NE(c.asm_text.find("\tmov rax, vx_region_0\n"), std::string::npos);
	EXPECT_NE(c.asm_text.find("\tmov r13, rt_vmcs0_region\n"), std::string::npos);
	// HOST_RIP: the real field gets rt_vmexit, the runtime's handler pointer the label.
	EXPECT_NE(c.asm_text.find("\tmov r13d, 0x6c16\n\tmov r14, rt_vmexit\nvx_p1_x3:\n\tvmwrite r13, r14\nvx_p1_e3:\n"
	                          "\tjbe vxf_p1_3\n\tmov r14, vx_p1_i6\n\tmov [rt_l1_exit_handler], r14\n"),
	          std::string::npos) << c.asm_text;
	EXPECT_NE(c.asm_text.find("\tmov r14, vx_p2_i1\n"), std::string::npos);   // GUEST_RIP 0x1003
	EXPECT_NE(c.asm_text.find("\tvmread rbx, r13\nvx_p1_e5:\n\tjbe vxf_p1_5\n\tmov rbx, [rt_l1_exit_handler]\n"),
	          std::string::npos);
	EXPECT_NE(c.asm_text.find("case_regions:\n\tdq vx_region_0, 0xffffffffffffffff, 0   ; two\n\tdq 0, 0, 0\n"),
	          std::string::npos);
}

TEST(Scn2asm, RegistersVmxsimLeavesAloneAreKept)
{
	// RDMSR into RBX: RAX, RCX, RDX are restored; EDX:EAX start as RBX so that a skipped RDMSR keeps it.
	Compiled c(Scn("", "l2_main: rdmsr rbx IA32_VMX_BASIC\n"));
	ASSERT_EQ(c.st, SCN2ASM_OK) << c.diag;
	EXPECT_NE(c.asm_text.find("vx_p2_i0:\n\tmov r13, rax\n\tmov r14, rcx\n\tmov r15, rdx\n"
	                          "\tmov [vx_scratch_p2], rbx\n\tmov eax, [vx_scratch_p2]\n\tmov edx, [vx_scratch_p2 + 4]\n"
	                          "\tmov ecx, 0x480\nvx_p2_x0:\n\trdmsr\nvx_p2_e0:\n"
	                          "\tmov [vx_scratch_p2], eax\n\tmov [vx_scratch_p2 + 4], edx\n"
	                          "\tmov rax, r13\n\tmov rcx, r14\n\tmov rdx, r15\n\tmov rbx, [vx_scratch_p2]\n"),
	          std::string::npos) << c.asm_text;
	// A 32-bit immediate x86 would sign-extend goes through R13.
	Compiled w(Scn("and rax 0xfffffffb\n  add rbx 0x7fffffff\n"));
	ASSERT_EQ(w.st, SCN2ASM_OK) << w.diag;
	EXPECT_NE(w.asm_text.find("\tmov r13, 0xfffffffb\nvx_p1_x2:\n\tand rax, r13\n"), std::string::npos);
	EXPECT_NE(w.asm_text.find("vx_p1_x3:\n\tadd rbx, 2147483647\n"), std::string::npos);
}

TEST(Scn2asm, TheShadowCoversTheNextEffectiveInstruction)
{
	// MOV SS then VMLAUNCH: rt_enter goes before the MOV SS, the VMLAUNCH right after it (VMfail 26).
	Compiled c(Scn("mov-ss\n  vmlaunch\n"));
	ASSERT_EQ(c.st, SCN2ASM_OK) << c.diag;
	EXPECT_NE(c.asm_text.find("vx_p1_i2:\n; the set-up of the next instruction, so that the shadow covers it\n"
	                          "\tcall rt_enter\nvx_p1_x2:\n\tmov ss, [vx_data_selector]\nvx_p1_e2:\n"),
	          std::string::npos) << c.asm_text;
	EXPECT_NE(c.asm_text.find("vx_p1_i3:\nvx_p1_x3:\n\tvmlaunch\n"), std::string::npos);
	// STI then an EOI of L2: the WRMSR's set-up goes first.
	Compiled s(Scn("", "l2_main: sti\n  eoi\n"));
	ASSERT_EQ(s.st, SCN2ASM_OK) << s.diag;
	EXPECT_NE(s.asm_text.find("\tmov ecx, 0x80b\nvx_p2_x0:\n\tsti\nvx_p2_e0:\n"), std::string::npos) << s.asm_text;
	EXPECT_NE(s.asm_text.find("vx_p2_i1:\nvx_p2_x1:\n\twrmsr\n"), std::string::npos);
	// A labelled instruction may be reached another way: its set-up stays with it.
	Compiled l(Scn("mov-ss\nagain: vmlaunch\n"));
	ASSERT_EQ(l.st, SCN2ASM_OK) << l.diag;
	EXPECT_NE(l.asm_text.find("vx_p1_i3:\n\tcall rt_enter\nvx_p1_x3:\n\tvmlaunch\n"), std::string::npos);
}

}  // namespace
