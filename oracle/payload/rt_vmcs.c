/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rt_vmcs.c - VMX operation and the VMCSs a case starts with: the
 * capability MSRs, VMXON, and every VMCS set up for L2 as vmxsim's machine
 * sets up vmcs0 under `l0 none` (model/machine/machine.c build_regions):
 * a complete, valid VMCS for a 64-bit CPL-0 guest on the runtime's page
 * tables and GDT, then the case's fields (case_vmcs), then the processor's
 * must-be-1 control bits, as vmcs_setup() does.
 */
#include "rt.h"
#include "rt_vmx.h"

uint8_t rt_msr_bitmap[4096] __attribute__((aligned(4096)));
uint8_t rt_vmxon_region[4096] __attribute__((aligned(4096)));
uint8_t rt_vmcs0_region[4096] __attribute__((aligned(4096)));

#define CPUID1_ECX_VMX (1u << 5)
#define FEATURE_CONTROL_LOCK (1ull << 0)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX (1ull << 2)
#define VMX_BASIC_TRUE_CTLS (1ull << 55)
#define PROC_ALLOWED1_SECONDARY (1ull << (32 + 31))
#define PROC2_ALLOWED1_EPT_OR_VPID ((1ull << (32 + 1)) | (1ull << (32 + 5)))
#define DR7_INIT 0x400u
#define AR_CODE64 0xa09bu       /* P, S, DPL 0, execute/read accessed, L=1 */
#define AR_DATA 0xc093u         /* P, S, DPL 0, read/write accessed, D/B, G */
#define AR_UNUSABLE 0x10000u
#define AR_TSS64_BUSY 0x8bu

static uint64_t vmx_basic;
static uint64_t exit_ctls_cap, entry_ctls_cap;

static uint32_t revision_id(void) { return (uint32_t)vmx_basic & 0x7fffffffu; }

void rt_vmx_caps(void)
{
	uint32_t r[4];

	cpuid(1, r);
	if (!(r[2] & CPUID1_ECX_VMX)) {
		rt_printf("BXO error no-vmx cpuid1_ecx=0x%x\n", r[2]);
		rt_end();
	}
	vmx_basic = rdmsr(MSR_IA32_VMX_BASIC);
	exit_ctls_cap = rdmsr(MSR_IA32_VMX_EXIT_CTLS);
	entry_ctls_cap = rdmsr(MSR_IA32_VMX_ENTRY_CTLS);
	uint64_t proc = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS);
	uint64_t proc2 = proc & PROC_ALLOWED1_SECONDARY ? rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2) : 0;
	uint64_t ept_vpid = proc2 & PROC2_ALLOWED1_EPT_OR_VPID ? rdmsr(MSR_IA32_VMX_EPT_VPID_CAP) : 0;
	uint64_t t[4] = {0, 0, 0, 0};

	if (vmx_basic & VMX_BASIC_TRUE_CTLS)
		for (uint32_t i = 0; i < 4; i++)
			t[i] = rdmsr(MSR_IA32_VMX_TRUE_PINBASED_CTLS + i);
	rt_printf("BXO caps basic=0x%lx pin=0x%lx proc=0x%lx exit=0x%lx entry=0x%lx misc=0x%lx proc2=0x%lx "
	          "ept_vpid=0x%lx true_pin=0x%lx true_proc=0x%lx true_exit=0x%lx true_entry=0x%lx\n",
	          vmx_basic, rdmsr(MSR_IA32_VMX_PINBASED_CTLS), proc, exit_ctls_cap, entry_ctls_cap,
	          rdmsr(MSR_IA32_VMX_MISC), proc2, ept_vpid, t[0], t[1], t[2], t[3]);
}

void rt_vmx_on(void)
{
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);

	/* SDM Vol. 3C 24.7: VMXON needs the lock bit and VMX outside SMX in IA32_FEATURE_CONTROL. */
	if (!(fc & FEATURE_CONTROL_LOCK))
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
	else if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		rt_printf("BXO error feature-control-locked value=0x%lx\n", fc);
		rt_end();
	}
	/* SDM Vol. 3D A.7, A.8: CR0 and CR4 within the fixed bits, CR4.VMXE set. */
	write_cr0((read_cr0() | rdmsr(MSR_IA32_VMX_CR0_FIXED0)) & rdmsr(MSR_IA32_VMX_CR0_FIXED1));
	write_cr4((read_cr4() | CR4_VMXE | rdmsr(MSR_IA32_VMX_CR4_FIXED0)) & rdmsr(MSR_IA32_VMX_CR4_FIXED1));
	uint32_t rev = revision_id();
	memcpy(rt_vmxon_region, &rev, sizeof(rev));
	enum vmx_result res = vmx_on((uint64_t)rt_vmxon_region);
	if (res != VMX_OK) {
		rt_printf("BXO error vmxon kind=%s\n", res == VMX_FAIL_INVALID ? "invalid" : "valid");
		rt_end();
	}
}

void rt_report_vmwrite(uint64_t field, uint64_t value)
{
	enum vmx_result res = vmx_write(field, value);

	if (res == VMX_FAIL_VALID)
		rt_printf("BXO warning vmwrite field=0x%lx value=0x%lx error=%lu\n", field, value,
		          vmx_read(VMCS_VM_INSTRUCTION_ERROR));
	else if (res == VMX_FAIL_INVALID)
		rt_printf("BXO warning vmwrite field=0x%lx value=0x%lx error=invalid\n", field, value);
}

static void or_bits(uint64_t field, uint64_t bits)
{
	uint64_t v = vmx_read(field);

	if ((v | bits) != v)
		rt_report_vmwrite(field, v | bits);
}

/*
 * The allowed-0 settings of a control word: its must-be-1 bits, from the MSR
 * a VM entry checks the word against - the TRUE one (0xC above the plain one)
 * when IA32_VMX_BASIC[55] is 1 - as vmcs_setup() takes them.
 */
static uint32_t must_be_1(uint32_t msr)
{
	if (vmx_basic & VMX_BASIC_TRUE_CTLS)
		msr += MSR_IA32_VMX_TRUE_PINBASED_CTLS - MSR_IA32_VMX_PINBASED_CTLS;
	return (uint32_t)rdmsr(msr);
}

static void write_controls(void)
{
	struct rt_dtr gdtr = rt_gdtr();
	struct rt_dtr l1_idtr = rt_l1_idtr();

	/* vmxsim's vmcs0: external-interrupt and NMI exiting; no other optional control. */
	rt_report_vmwrite(VMCS_PIN_BASED_CTLS,
	                  must_be_1(MSR_IA32_VMX_PINBASED_CTLS) | PIN_BASED_EXT_INTR_EXITING | PIN_BASED_NMI_EXITING);
	rt_report_vmwrite(VMCS_PROC_BASED_CTLS, must_be_1(MSR_IA32_VMX_PROCBASED_CTLS));
	/* A 64-bit host and a 64-bit guest (SDM Vol. 3C 27.2.1.1, 27.3.1.1). */
	rt_report_vmwrite(VMCS_EXIT_CTLS, must_be_1(MSR_IA32_VMX_EXIT_CTLS) | EXIT_CTL_HOST_ADDR_SPACE_SIZE);
	rt_report_vmwrite(VMCS_ENTRY_CTLS, must_be_1(MSR_IA32_VMX_ENTRY_CTLS) | ENTRY_CTL_IA32E_MODE_GUEST);
	static const uint32_t zero_fields[] = {
		VMCS_EXCEPTION_BITMAP, VMCS_PF_ERROR_CODE_MASK, VMCS_PF_ERROR_CODE_MATCH, VMCS_CR3_TARGET_COUNT,
		VMCS_EXIT_MSR_STORE_COUNT, VMCS_EXIT_MSR_LOAD_COUNT, VMCS_ENTRY_MSR_LOAD_COUNT, VMCS_ENTRY_INTR_INFO,
		VMCS_ENTRY_EXCEPTION_ERROR_CODE, VMCS_ENTRY_INSTRUCTION_LEN, VMCS_TPR_THRESHOLD,
		VMCS_CR0_GUEST_HOST_MASK, VMCS_CR4_GUEST_HOST_MASK, VMCS_CR0_READ_SHADOW, VMCS_CR4_READ_SHADOW,
		VMCS_IO_BITMAP_A, VMCS_IO_BITMAP_B, VMCS_TSC_OFFSET,
		/* host state the runtime does not use */
		VMCS_HOST_FS_SELECTOR, VMCS_HOST_GS_SELECTOR, VMCS_HOST_FS_BASE, VMCS_HOST_GS_BASE,
		VMCS_HOST_SYSENTER_CS, VMCS_HOST_SYSENTER_ESP, VMCS_HOST_SYSENTER_EIP,
	};
	for (size_t i = 0; i < sizeof(zero_fields) / sizeof(zero_fields[0]); i++)
		rt_report_vmwrite(zero_fields[i], 0);
	rt_report_vmwrite(VMCS_MSR_BITMAP, (uint64_t)rt_msr_bitmap);

	rt_report_vmwrite(VMCS_HOST_CR0, read_cr0());
	rt_report_vmwrite(VMCS_HOST_CR3, read_cr3());
	rt_report_vmwrite(VMCS_HOST_CR4, read_cr4());
	rt_report_vmwrite(VMCS_HOST_CS_SELECTOR, RT_SEL_CODE64);
	rt_report_vmwrite(VMCS_HOST_SS_SELECTOR, RT_SEL_DATA);
	rt_report_vmwrite(VMCS_HOST_DS_SELECTOR, RT_SEL_DATA);
	rt_report_vmwrite(VMCS_HOST_ES_SELECTOR, RT_SEL_DATA);
	rt_report_vmwrite(VMCS_HOST_TR_SELECTOR, RT_SEL_TSS);
	rt_report_vmwrite(VMCS_HOST_TR_BASE, rt_tss_base());
	rt_report_vmwrite(VMCS_HOST_GDTR_BASE, gdtr.base);
	rt_report_vmwrite(VMCS_HOST_IDTR_BASE, l1_idtr.base);
	rt_report_vmwrite(VMCS_HOST_RSP, 0);   /* rt_enter writes it before each entry */
	rt_report_vmwrite(VMCS_HOST_RIP, (uint64_t)rt_vmexit);
}

static void write_guest_state(void)
{
	struct rt_dtr gdtr = rt_gdtr();
	struct rt_dtr l2_idtr = rt_l2_idtr();

	/* ES CS SS DS FS GS: flat, CS 64-bit code, the rest data (SDM Vol. 3C 27.3.1.2). */
	for (uint32_t seg = 0; seg < 6; seg++) {
		int code = VMCS_GUEST_ES_SELECTOR + 2 * seg == VMCS_GUEST_CS_SELECTOR;
		rt_report_vmwrite(VMCS_GUEST_ES_SELECTOR + 2 * seg, code ? RT_SEL_CODE64 : RT_SEL_DATA);
		rt_report_vmwrite(VMCS_GUEST_ES_LIMIT + 2 * seg, 0xffffffffu);
		rt_report_vmwrite(VMCS_GUEST_ES_AR + 2 * seg, code ? AR_CODE64 : AR_DATA);
		rt_report_vmwrite(VMCS_GUEST_ES_BASE + 2 * seg, 0);
	}
	rt_report_vmwrite(VMCS_GUEST_LDTR_SELECTOR, 0);
	rt_report_vmwrite(VMCS_GUEST_LDTR_LIMIT, 0);
	rt_report_vmwrite(VMCS_GUEST_LDTR_AR, AR_UNUSABLE);
	rt_report_vmwrite(VMCS_GUEST_LDTR_BASE, 0);
	rt_report_vmwrite(VMCS_GUEST_TR_SELECTOR, RT_SEL_TSS);
	rt_report_vmwrite(VMCS_GUEST_TR_LIMIT, rt_tss_limit());
	rt_report_vmwrite(VMCS_GUEST_TR_AR, AR_TSS64_BUSY);
	rt_report_vmwrite(VMCS_GUEST_TR_BASE, rt_tss_base());
	rt_report_vmwrite(VMCS_GUEST_GDTR_BASE, gdtr.base);
	rt_report_vmwrite(VMCS_GUEST_GDTR_LIMIT, gdtr.limit);
	rt_report_vmwrite(VMCS_GUEST_IDTR_BASE, l2_idtr.base);
	rt_report_vmwrite(VMCS_GUEST_IDTR_LIMIT, l2_idtr.limit);
	rt_report_vmwrite(VMCS_GUEST_CR0, read_cr0());
	rt_report_vmwrite(VMCS_GUEST_CR3, read_cr3());
	rt_report_vmwrite(VMCS_GUEST_CR4, read_cr4());
	rt_report_vmwrite(VMCS_GUEST_DR7, DR7_INIT);
	rt_report_vmwrite(VMCS_GUEST_RSP, (uint64_t)rt_l2_stack_top);
	rt_report_vmwrite(VMCS_GUEST_RIP, (uint64_t)rt_l2_nowhere);
	rt_report_vmwrite(VMCS_GUEST_RFLAGS, 0x2);
	static const uint32_t zero_fields[] = {
		VMCS_GUEST_PENDING_DBG_EXCEPTIONS, VMCS_GUEST_INTERRUPTIBILITY, VMCS_GUEST_ACTIVITY_STATE,
		VMCS_GUEST_SYSENTER_CS, VMCS_GUEST_SYSENTER_ESP, VMCS_GUEST_SYSENTER_EIP, VMCS_GUEST_IA32_DEBUGCTL,
	};
	for (size_t i = 0; i < sizeof(zero_fields) / sizeof(zero_fields[0]); i++)
		rt_report_vmwrite(zero_fields[i], 0);
	rt_report_vmwrite(VMCS_LINK_POINTER, ~0ull);

	/* The PAT and EFER fields exist when a control that loads or saves them does (SDM Vol. 3C 25.4.2, 25.5). */
	uint32_t exit1 = (uint32_t)(exit_ctls_cap >> 32), entry1 = (uint32_t)(entry_ctls_cap >> 32);
	if ((exit1 & (EXIT_CTL_SAVE_IA32_PAT | EXIT_CTL_LOAD_IA32_PAT)) || (entry1 & ENTRY_CTL_LOAD_IA32_PAT)) {
		rt_report_vmwrite(VMCS_GUEST_IA32_PAT, rdmsr(MSR_IA32_PAT));
		rt_report_vmwrite(VMCS_HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
	}
	if ((exit1 & (EXIT_CTL_SAVE_IA32_EFER | EXIT_CTL_LOAD_IA32_EFER)) || (entry1 & ENTRY_CTL_LOAD_IA32_EFER)) {
		rt_report_vmwrite(VMCS_GUEST_IA32_EFER, rdmsr(MSR_IA32_EFER));
		rt_report_vmwrite(VMCS_HOST_IA32_EFER, rdmsr(MSR_IA32_EFER));
	}
}

/* The current VMCS as vmcs0: defaults, the case's fields, then the bits the processor and the harness need. */
static void set_up_current(void)
{
	write_controls();
	write_guest_state();
	for (const struct case_vmcs_write *w = case_vmcs; w->encoding != CASE_END; w++)
		rt_report_vmwrite(w->encoding, w->value);
	or_bits(VMCS_PIN_BASED_CTLS, must_be_1(MSR_IA32_VMX_PINBASED_CTLS));
	or_bits(VMCS_PROC_BASED_CTLS, must_be_1(MSR_IA32_VMX_PROCBASED_CTLS));
	or_bits(VMCS_EXIT_CTLS, must_be_1(MSR_IA32_VMX_EXIT_CTLS) | EXIT_CTL_HOST_ADDR_SPACE_SIZE);
	or_bits(VMCS_ENTRY_CTLS, must_be_1(MSR_IA32_VMX_ENTRY_CTLS) | ENTRY_CTL_IA32E_MODE_GUEST);
}

static void region_fresh(uint8_t *page, uint32_t revision)
{
	memset(page, 0, 4096);
	memcpy(page, &revision, sizeof(revision));
}

static void region_insn(const char *name, enum vmx_result res, const uint8_t *page)
{
	if (res != VMX_OK)
		rt_printf("BXO warning %s region=0x%lx kind=%s\n", name, (unsigned long)page,
		          res == VMX_FAIL_INVALID ? "invalid" : "valid");
}

static void make_current(uint8_t *page)
{
	region_insn("vmclear", vmx_clear((uint64_t)page), page);
	region_insn("vmptrld", vmx_ptrld((uint64_t)page), page);
}

static void set_msr_bitmap(void)
{
	/* SDM Vol. 3C 25.6.9: read low, read high, write low, write high, 1 KByte each. */
	for (const struct case_msr_bit *b = case_msr_bits; b->msr != CASE_END; b++) {
		uint64_t off;
		if (b->msr <= 0x1fffu)
			off = b->msr;
		else if (b->msr >= 0xc0000000u && b->msr <= 0xc0001fffu)
			off = 0x2000u + (b->msr - 0xc0000000u);
		else {
			rt_printf("BXO warning msr-bitmap msr=0x%lx\n", (unsigned long)b->msr);
			continue;
		}
		off += b->write ? 0x4000u : 0;
		rt_msr_bitmap[off / 8] |= (uint8_t)(1u << (off % 8));
	}
}

void rt_vmcs_all(void)
{
	set_msr_bitmap();
	region_fresh(rt_vmcs0_region, revision_id());
	make_current(rt_vmcs0_region);
	set_up_current();

	int others = 0;
	for (const struct case_region *r = case_regions; r->page; r++) {
		uint8_t *page = (uint8_t *)r->page;
		uint32_t rev = r->revision == CASE_END ? revision_id() : (uint32_t)r->revision;
		if (r->empty) {
			region_fresh(page, rev);
			continue;
		}
		/* Set up under the processor's revision, flushed by VMCLEAR, then given its own. */
		region_fresh(page, revision_id());
		make_current(page);
		set_up_current();
		region_insn("vmclear", vmx_clear((uint64_t)page), page);
		memcpy(page, &rev, sizeof(rev));
		others = 1;
	}
	if (others)
		region_insn("vmptrld", vmx_ptrld((uint64_t)rt_vmcs0_region), rt_vmcs0_region);

	/* vmxsim: a program whose first VMX instruction is VMXON starts outside VMX operation. */
	if (&case_flags && (case_flags & CASE_FLAG_STARTS_OUTSIDE_VMX)) {
		region_insn("vmclear", vmx_clear((uint64_t)rt_vmcs0_region), rt_vmcs0_region);
		vmx_off();
	}
}
