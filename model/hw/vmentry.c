/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmentry.c - VMLAUNCH/VMRESUME: the basic checks, the checks on controls
 * (VMfailValid 7, R4-R8, the VPID and EPT pointer), on host state
 * (VMfailValid 8: CR0, CR4, IA32_EFER, RIP), on guest state (VM-entry
 * failure, exit reason 33 with bit 31: CR0, CR4, IA32_EFER, R9-R12, R26),
 * loading guest state, and event injection (R14, R15), in the SDM's order.
 *
 * Each check is one CHECK() line: the condition that must hold and the text
 * that names it in traces, in the manner of KVM's CC().
 */
#include <stddef.h>

#include "model/hw/vapic.h"
#include "vmcs/x86_debugreg.h"

#define CHECK(cond, text)            \
	do {                             \
		if (!(cond)) {               \
			*failed = (text);        \
			return false;            \
		}                            \
	} while (0)

static bool canonical(uint64_t a)
{
	int64_t s = (int64_t)(a << 16) >> 16;   /* 48-bit linear addresses */
	return (uint64_t)s == a;
}

/* A physical address the processor can use: no bit set at or above MAXPHYADDR. */
static bool phys_addr_ok(const struct cpu_model *m, uint64_t a)
{
	return vmx_phys_addr_fits(a, m->phys_addr_bits);
}

/*
 * The text of the "within its capability MSR" check of a control word,
 * which names the MSR the word is checked against: the TRUE one when the
 * processor has them (App. A.3-A.5).
 */
static const char *within_text(const struct vmx_caps *caps, enum vmx_control_word w)
{
	static const char *const plain[] = {
		[VMX_CTL_PIN] = "pin-based controls within IA32_VMX_PINBASED_CTLS",
		[VMX_CTL_PROC] = "primary processor-based controls within IA32_VMX_PROCBASED_CTLS",
		[VMX_CTL_PROC2] = "secondary processor-based controls within IA32_VMX_PROCBASED_CTLS2",
		[VMX_CTL_EXIT] = "VM-exit controls within IA32_VMX_EXIT_CTLS",
		[VMX_CTL_ENTRY] = "VM-entry controls within IA32_VMX_ENTRY_CTLS",
	};
	static const char *const with_true[] = {
		[VMX_CTL_PIN] = "pin-based controls within IA32_VMX_TRUE_PINBASED_CTLS",
		[VMX_CTL_PROC] = "primary processor-based controls within IA32_VMX_TRUE_PROCBASED_CTLS",
		[VMX_CTL_PROC2] = "secondary processor-based controls within IA32_VMX_PROCBASED_CTLS2",
		[VMX_CTL_EXIT] = "VM-exit controls within IA32_VMX_TRUE_EXIT_CTLS",
		[VMX_CTL_ENTRY] = "VM-entry controls within IA32_VMX_TRUE_ENTRY_CTLS",
	};
	return vmx_caps_has_true_ctls(caps) ? with_true[w] : plain[w];
}

/* 26.2.1: a control word within the capability MSR that governs it. */
static bool word_valid(const struct vmx_caps *caps, enum vmx_control_word w, uint32_t value)
{
	return vmx_control_word_valid(vmx_caps_for_word(caps, w), value);
}

/*
 * 26.2.1.1, the EPT pointer when "enable EPT" is 1: the memory type and
 * the page-walk length are ones IA32_VMX_EPT_VPID_CAP names, bit 6 only
 * with the accessed/dirty flags, bits 11:7 and the bits beyond the
 * physical-address width 0. NULL when the pointer is valid, else the check.
 */
static const char *eptp_check(const struct cpu_model *m, uint64_t eptp)
{
	uint64_t cap = m->caps.ept_vpid_cap, mt = eptp & VMX_EPTP_MT_MASK, pwl = eptp & VMX_EPTP_PWL_MASK;

	if (!((mt == VMX_EPTP_MT_UC && (cap & VMX_EPT_CAP_UC)) || (mt == VMX_EPTP_MT_WB && (cap & VMX_EPT_CAP_WB))))
		return "EPT pointer memory type allowed by IA32_VMX_EPT_VPID_CAP (UC bit 8, WB bit 14)";
	if (!((pwl == VMX_EPTP_PWL_4 && (cap & VMX_EPT_CAP_WALK_4)) || (pwl == VMX_EPTP_PWL_5 && (cap & VMX_EPT_CAP_WALK_5))))
		return "EPT pointer page-walk length allowed by IA32_VMX_EPT_VPID_CAP (4: bit 6, 5: bit 7)";
	if ((eptp & VMX_EPTP_AD_ENABLE) && !(cap & VMX_EPT_CAP_AD))
		return "EPT pointer bit 6 (accessed/dirty flags) requires IA32_VMX_EPT_VPID_CAP bit 21";
	if (eptp & VMX_EPTP_RESERVED)
		return "EPT pointer bits 11:7 are 0";
	if (!phys_addr_ok(m, eptp))
		return "EPT pointer within the physical-address width";
	return NULL;
}

bool vmx_entry_check_controls(const struct vmcs *v, const struct cpu_model *m, const char **failed)
{
	const struct vmx_caps *caps = &m->caps;
	uint32_t pin = vmcs_get32(v, PIN_BASED_VM_EXEC_CONTROL);
	uint32_t proc = vmcs_get32(v, CPU_BASED_VM_EXEC_CONTROL);
	uint32_t proc2 = (proc & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS) ? vmcs_get32(v, SECONDARY_VM_EXEC_CONTROL) : 0;
	uint32_t exit = vmcs_get32(v, VM_EXIT_CONTROLS);
	uint32_t entry = vmcs_get32(v, VM_ENTRY_CONTROLS);
	uint32_t info = vmcs_get32(v, VM_ENTRY_INTR_INFO_FIELD);

	/*
	 * 26.2.1: every control word within its capability MSR - with TRUE MSRs
	 * (IA32_VMX_BASIC[55]) their allowed-0 bits, so CR3-load/store exiting
	 * and the debug-control bits may be 0.
	 */
	CHECK(word_valid(caps, VMX_CTL_PIN, pin), within_text(caps, VMX_CTL_PIN));
	CHECK(word_valid(caps, VMX_CTL_PROC, proc), within_text(caps, VMX_CTL_PROC));
	CHECK(!(proc & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS) || word_valid(caps, VMX_CTL_PROC2, proc2),
	      within_text(caps, VMX_CTL_PROC2));
	/* 26.2.1.1: the MSR bitmaps are read from memory, so their address must be a usable page. */
	if (proc & CPU_BASED_USE_MSR_BITMAPS) {
		CHECK((vmcs_get(v, MSR_BITMAP) & 0xfffu) == 0, "MSR-bitmap address is 4-KByte aligned (bits 11:0 are 0)");
		CHECK(phys_addr_ok(m, vmcs_get(v, MSR_BITMAP)), "MSR-bitmap address within the physical-address width");
	}
	CHECK(word_valid(caps, VMX_CTL_EXIT, exit), within_text(caps, VMX_CTL_EXIT));
	CHECK(word_valid(caps, VMX_CTL_ENTRY, entry), within_text(caps, VMX_CTL_ENTRY));

	/*
	 * 26.2.1.1: the pages the APIC-virtualization controls point at are
	 * 4-KByte aligned and within the processor's physical-address width.
	 */
	CHECK(!(proc & CPU_BASED_TPR_SHADOW) || (vmcs_get(v, VIRTUAL_APIC_PAGE_ADDR) & 0xfffu) == 0,
	      "virtual-APIC address is 4-KByte aligned (use TPR shadow)");
	CHECK(!(proc & CPU_BASED_TPR_SHADOW) || phys_addr_ok(m, vmcs_get(v, VIRTUAL_APIC_PAGE_ADDR)),
	      "virtual-APIC address within the physical-address width (use TPR shadow)");

	/* R4 */
	CHECK((pin & PIN_BASED_NMI_EXITING) || !(pin & PIN_BASED_VIRTUAL_NMIS),
	      "R4: virtual NMIs requires NMI exiting");
	CHECK((pin & PIN_BASED_VIRTUAL_NMIS) || !(proc & CPU_BASED_NMI_WINDOW_EXITING),
	      "R4: NMI-window exiting requires virtual NMIs");
	CHECK(!(proc2 & SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES) || (vmcs_get(v, APIC_ACCESS_ADDR) & 0xfffu) == 0,
	      "APIC-access address is 4-KByte aligned (virtualize APIC accesses)");
	CHECK(!(proc2 & SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES) || phys_addr_ok(m, vmcs_get(v, APIC_ACCESS_ADDR)),
	      "APIC-access address within the physical-address width (virtualize APIC accesses)");
	/*
	 * 26.2.1.1, the APIC-virtualization controls: x2APIC-mode virtualization,
	 * APIC-register virtualization and virtual-interrupt delivery all work on
	 * the virtual-APIC page, so they need "use TPR shadow"; and x2APIC-mode
	 * virtualization excludes virtualizing the xAPIC page (APIC accesses).
	 */
	CHECK((proc & CPU_BASED_TPR_SHADOW) ||
	          !(proc2 & (SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE | SECONDARY_EXEC_APIC_REGISTER_VIRT |
	                     SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY)),
	      "virtualize x2APIC mode, APIC-register virtualization and virtual-interrupt delivery require use TPR shadow");
	CHECK(!(proc2 & SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE) || !(proc2 & SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES),
	      "virtualize x2APIC mode requires virtualize APIC accesses = 0");
	/* R5 */
	CHECK(!(proc2 & SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY) || (pin & PIN_BASED_EXT_INTR_MASK),
	      "R5: virtual-interrupt delivery requires external-interrupt exiting");
	CHECK(!(pin & PIN_BASED_POSTED_INTR) ||
	          ((proc2 & SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY) && (exit & VM_EXIT_ACK_INTR_ON_EXIT)),
	      "R5: posted interrupts require virtual-interrupt delivery and acknowledge interrupt on exit");
	CHECK(!(pin & PIN_BASED_POSTED_INTR) || vmcs_get(v, POSTED_INTR_NV) <= 0xff,
	      "R5: posted-interrupt notification vector is 0-255");
	CHECK(!(pin & PIN_BASED_POSTED_INTR) || (vmcs_get(v, POSTED_INTR_DESC_ADDR) & 0x3f) == 0,
	      "R5: posted-interrupt descriptor is 64-byte aligned");
	CHECK(!(pin & PIN_BASED_POSTED_INTR) || phys_addr_ok(m, vmcs_get(v, POSTED_INTR_DESC_ADDR)),
	      "R5: posted-interrupt descriptor address within the physical-address width");
	CHECK(!(exit & VM_EXIT_SAVE_VMX_PREEMPTION_TIMER) || (pin & PIN_BASED_VMX_PREEMPTION_TIMER),
	      "R5: save VMX-preemption timer value requires activate VMX-preemption timer");
	CHECK(!(proc & CPU_BASED_TPR_SHADOW) || (proc2 & SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY) ||
	          (vmcs_get32(v, TPR_THRESHOLD) & 0xfffffff0u) == 0,
	      "TPR threshold bits 31:4 are 0");
	CHECK(vmcs_get32(v, CR3_TARGET_COUNT) <= 4, "CR3-target count not greater than 4");
	/*
	 * SDM "Checks on VMX Controls" (TPR threshold), made only when neither
	 * virtual-interrupt delivery nor APIC-access virtualization is on (26.2.1.1);
	 * VTPR is the byte the model keeps beside the VMCS (vmcs.h).
	 */
	CHECK(!(proc & CPU_BASED_TPR_SHADOW) ||
	          (proc2 & (SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY | SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES)) ||
	          (vmcs_get32(v, TPR_THRESHOLD) & 0xfu) <= ((v->vapic.tpr >> 4) & 0xfu),
	      "TPR threshold bits 3:0 not above VTPR bits 7:4");
	/* 26.2.1.1: a guest without paging or protection needs EPT to translate its addresses. */
	CHECK(!(proc2 & SECONDARY_EXEC_UNRESTRICTED_GUEST) || (proc2 & SECONDARY_EXEC_ENABLE_EPT),
	      "unrestricted guest requires enable EPT");
	/* 26.2.1.1: a VPID of 0 is the one VMX root operation uses (and tags its TLB entries with). */
	CHECK(!(proc2 & SECONDARY_EXEC_ENABLE_VPID) || vmcs_get(v, VIRTUAL_PROCESSOR_ID) != 0,
	      "VPID is not 0 (enable VPID)");
	if (proc2 & SECONDARY_EXEC_ENABLE_EPT) {
		const char *eptp_bad = eptp_check(m, vmcs_get(v, EPT_POINTER));
		CHECK(!eptp_bad, eptp_bad);
	}
	CHECK(!(entry & VM_ENTRY_SMM), "entry to SMM is 0 outside SMM");
	CHECK(!(entry & VM_ENTRY_DEACT_DUAL_MONITOR), "deactivate dual-monitor treatment is 0 outside SMM");

	if (intr_info_valid(info)) {
		uint32_t type = intr_info_type(info);
		uint8_t vec = intr_info_vector(info);
		bool real_mode = (proc2 & SECONDARY_EXEC_UNRESTRICTED_GUEST) && !(vmcs_get(v, GUEST_CR0) & 1u);

		/* R6 */
		CHECK(type != INTR_TYPE_RESERVED, "R6: interruption type 1 is reserved");
		CHECK(type != INTR_TYPE_OTHER_EVENT || vmx_caps_allows(caps, VMX_CTL_PROC, CPU_BASED_MONITOR_TRAP_FLAG),
		      "R6: type 7 (pending MTF) requires monitor trap flag support");
		CHECK(type != INTR_TYPE_OTHER_EVENT || vec == 0, "R6: type 7 requires vector 0");
		CHECK(type != INTR_TYPE_NMI_INTR || vec == NMI_VECTOR, "R6: NMI injection requires vector 2");
		CHECK(type != INTR_TYPE_HARD_EXCEPTION || vec <= 31, "R6: hardware exception vector is 0-31");
		CHECK((info & INTR_INFO_RESVD_BITS_MASK) == 0, "R6: interruption-information bits 30:12 are 0");
		/* R7 */
		if (info & INTR_INFO_DELIVER_CODE_MASK) {
			CHECK(!real_mode, "R7: no error code in real mode");
			CHECK(type == INTR_TYPE_HARD_EXCEPTION, "R7: only hardware exceptions deliver an error code");
			CHECK((vmcs_get32(v, VM_ENTRY_EXCEPTION_ERROR_CODE) & 0xffff0000u) == 0,
			      "R7: error-code bits 31:16 are 0");
		}
		if (type == INTR_TYPE_HARD_EXCEPTION && !real_mode && !(caps->basic & VMX_BASIC_NO_HW_ERROR_CODE_CC))
			CHECK(!!(info & INTR_INFO_DELIVER_CODE_MASK) == exception_has_error_code(vec),
			      "R7: deliver-error-code bit matches the vector (8, 10-14, 17)");
		/* R8 */
		if (intr_type_is_soft(type)) {
			uint32_t len = vmcs_get32(v, VM_ENTRY_INSTRUCTION_LEN);
			CHECK(len <= 15, "R8: instruction length is at most 15");
			CHECK(len != 0 || (caps->misc & VMX_MISC_ZERO_LEN_INS),
			      "R8: instruction length is not 0 (IA32_VMX_MISC[30] clear)");
		}
	}
	return true;
}

/* A control register's value with every bit FIXED0 names set and none FIXED1 leaves clear (App. A.7, A.8). */
static bool cr_fixed_ok(uint64_t val, uint64_t fixed0, uint64_t fixed1)
{
	return (val & fixed0) == fixed0 && (val & ~fixed1) == 0;
}

/* An IA32_PAT value WRMSR would take: every byte a memory type 0, 1, 4, 5, 6 or 7 (SDM 11.12.2). */
static bool pat_valid(uint64_t pat)
{
	for (int i = 0; i < 8; i++) {
		uint8_t type = (uint8_t)(pat >> (8 * i));
		if (type > 7 || type == 2 || type == 3)
			return false;
	}
	return true;
}

bool vmx_entry_check_host_state(const struct vmcs *v, const struct cpu_model *m, const char **failed)
{
	uint32_t exit = vmcs_get32(v, VM_EXIT_CONTROLS);
	bool host64 = (exit & VM_EXIT_HOST_ADDR_SPACE_SIZE) != 0;
	uint64_t efer = vmcs_get(v, HOST_IA32_EFER);

	/* 26.2.2: host CR0 and CR4 as VMX operation allows them. */
	CHECK(cr_fixed_ok(vmcs_get(v, HOST_CR0), m->caps.cr0_fixed0, m->caps.cr0_fixed1),
	      "host CR0 within IA32_VMX_CR0_FIXED0/FIXED1");
	CHECK(cr_fixed_ok(vmcs_get(v, HOST_CR4), m->caps.cr4_fixed0, m->caps.cr4_fixed1),
	      "host CR4 within IA32_VMX_CR4_FIXED0/FIXED1");
	/* 26.2.2: CR3 within the physical-address width; the SYSENTER ESP and EIP canonical (64-bit host). */
	CHECK(phys_addr_ok(m, vmcs_get(v, HOST_CR3)), "host CR3 within the physical-address width");
	CHECK(canonical(vmcs_get(v, HOST_IA32_SYSENTER_ESP)) && canonical(vmcs_get(v, HOST_IA32_SYSENTER_EIP)),
	      "host IA32_SYSENTER_ESP and IA32_SYSENTER_EIP are canonical");
	/* 26.2.2: the IA32_PAT the exit loads (load IA32_PAT) holds only valid memory types. */
	CHECK(!(exit & VM_EXIT_LOAD_IA32_PAT) || pat_valid(vmcs_get(v, HOST_IA32_PAT)),
	      "host IA32_PAT memory types are 0, 1 or 4-7 (load IA32_PAT)");
	/* 26.2.2: the IA32_EFER the exit loads (load IA32_EFER) matches the host's address-space size. */
	if (exit & VM_EXIT_LOAD_IA32_EFER) {
		CHECK((efer & ~EFER_DEFINED) == 0, "host IA32_EFER reserved bits are 0 (load IA32_EFER)");
		CHECK(!!(efer & EFER_LMA) == host64, "host IA32_EFER.LMA equals host address-space size (load IA32_EFER)");
		CHECK(!!(efer & EFER_LME) == host64, "host IA32_EFER.LME equals host address-space size (load IA32_EFER)");
	}
	/* 26.2.3: selectors with RPL 0 and TI 0; CS and TR not 0, SS not 0 but in a 64-bit host. */
	CHECK(((vmcs_get(v, HOST_ES_SELECTOR) | vmcs_get(v, HOST_CS_SELECTOR) | vmcs_get(v, HOST_SS_SELECTOR) |
	        vmcs_get(v, HOST_DS_SELECTOR) | vmcs_get(v, HOST_FS_SELECTOR) | vmcs_get(v, HOST_GS_SELECTOR) |
	        vmcs_get(v, HOST_TR_SELECTOR)) & 7u) == 0,
	      "host ES, CS, SS, DS, FS, GS and TR selectors have RPL 0 and TI 0");
	CHECK(vmcs_get(v, HOST_CS_SELECTOR) != 0, "host CS selector is not 0");
	CHECK(vmcs_get(v, HOST_TR_SELECTOR) != 0, "host TR selector is not 0");
	CHECK(host64 || vmcs_get(v, HOST_SS_SELECTOR) != 0, "host SS selector is not 0 (host address-space size 0)");
	/* 26.2.3: the base addresses of FS, GS, TR, GDTR and IDTR are canonical (64-bit host). */
	CHECK(canonical(vmcs_get(v, HOST_FS_BASE)) && canonical(vmcs_get(v, HOST_GS_BASE)) &&
	          canonical(vmcs_get(v, HOST_TR_BASE)) && canonical(vmcs_get(v, HOST_GDTR_BASE)) &&
	          canonical(vmcs_get(v, HOST_IDTR_BASE)),
	      "host FS, GS, TR, GDTR and IDTR base addresses are canonical");
	/*
	 * 26.2.4: the model's processor is always in IA-32e mode (the root
	 * software it runs is 64-bit code), so the host address-space size
	 * must be 1; then CR4.PAE must be 1
	 * and RIP canonical.
	 */
	CHECK(host64, "host address-space size is 1 (the processor is in IA-32e mode)");
	CHECK(vmcs_get(v, HOST_CR4) & X86_CR4_PAE, "host CR4.PAE is 1 (host address-space size)");
	CHECK(canonical(vmcs_get(v, HOST_RIP)), "host RIP is canonical");
	return true;
}

bool vmx_entry_check_guest_cr_fixed(const struct vmcs *v, const struct cpu_model *m, const char **failed)
{
	uint32_t proc = vmcs_get32(v, CPU_BASED_VM_EXEC_CONTROL);
	uint32_t proc2 = (proc & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS) ? vmcs_get32(v, SECONDARY_VM_EXEC_CONTROL) : 0;
	uint64_t fixed0 = m->caps.cr0_fixed0;

	/* 26.3.1.1: with unrestricted guest, PE and PG may be 0 whatever IA32_VMX_CR0_FIXED0 says. */
	if (proc2 & SECONDARY_EXEC_UNRESTRICTED_GUEST)
		fixed0 &= ~(X86_CR0_PE | X86_CR0_PG);
	CHECK(cr_fixed_ok(vmcs_get(v, GUEST_CR0), fixed0, m->caps.cr0_fixed1),
	      "guest CR0 within IA32_VMX_CR0_FIXED0/FIXED1 (PE and PG free under unrestricted guest)");
	CHECK(cr_fixed_ok(vmcs_get(v, GUEST_CR4), m->caps.cr4_fixed0, m->caps.cr4_fixed1),
	      "guest CR4 within IA32_VMX_CR4_FIXED0/FIXED1");
	return true;
}

bool vmx_entry_check_guest_pat(const struct vmcs *v, const char **failed)
{
	/* 26.3.1.1: the IA32_PAT the entry loads (load IA32_PAT) holds only valid memory types. */
	CHECK(!(vmcs_get32(v, VM_ENTRY_CONTROLS) & VM_ENTRY_LOAD_IA32_PAT) || pat_valid(vmcs_get(v, GUEST_IA32_PAT)),
	      "guest IA32_PAT memory types are 0, 1 or 4-7 (load IA32_PAT)");
	return true;
}

bool vmx_entry_check_guest_paging(const struct vmcs *v, const char **failed)
{
	uint32_t entry = vmcs_get32(v, VM_ENTRY_CONTROLS);
	bool ia32e = (entry & VM_ENTRY_IA32E_MODE) != 0;
	uint64_t cr0 = vmcs_get(v, GUEST_CR0), efer = vmcs_get(v, GUEST_IA32_EFER);
	bool pg = (cr0 & X86_CR0_PG) != 0;

	/* 26.3.1.1: paging requires protection; an IA-32e mode guest has paging with PAE. */
	CHECK(!pg || (cr0 & X86_CR0_PE), "guest CR0.PG requires CR0.PE");
	CHECK(!ia32e || pg, "IA-32e mode guest requires guest CR0.PG");
	CHECK(!ia32e || (vmcs_get(v, GUEST_CR4) & X86_CR4_PAE), "IA-32e mode guest requires guest CR4.PAE");
	/* 26.3.1.1: the IA32_EFER the entry loads agrees with the guest's mode. */
	if (entry & VM_ENTRY_LOAD_IA32_EFER) {
		CHECK((efer & ~EFER_DEFINED) == 0, "guest IA32_EFER reserved bits are 0 (load IA32_EFER)");
		CHECK(!!(efer & EFER_LMA) == ia32e, "guest IA32_EFER.LMA equals IA-32e mode guest (load IA32_EFER)");
		CHECK(!pg || !!(efer & EFER_LME) == ia32e,
		      "guest IA32_EFER.LME equals IA-32e mode guest when CR0.PG is 1 (load IA32_EFER)");
	}
	return true;
}

bool vmx_entry_check_vmcs_link_pointer(const struct vmcs *v, const char **failed, uint32_t *qual)
{
	/* 26.3.1.5: without VMCS shadowing (not modelled) the link pointer must be all ones; qualification 4 (R26). */
	if (vmcs_get(v, VMCS_LINK_POINTER) != VMCS_LINK_POINTER_NONE) {
		*qual = ENTRY_FAIL_VMCS_LINK_PTR;
		CHECK(false, "VMCS link pointer is all ones");
	}
	return true;
}

bool vmx_entry_check_guest_state(const struct vmcs *v, const struct cpu_model *m, const char **failed,
                                 uint32_t *qual)
{
	uint64_t rflags = vmcs_get(v, GUEST_RFLAGS);
	uint32_t intr = vmcs_get32(v, GUEST_INTERRUPTIBILITY_INFO);
	uint32_t act = vmcs_get32(v, GUEST_ACTIVITY_STATE);
	uint32_t info = vmcs_get32(v, VM_ENTRY_INTR_INFO_FIELD);
	bool inject = intr_info_valid(info);
	uint32_t type = intr_info_type(info);
	uint8_t vec = intr_info_vector(info);
	bool vnmi = (vmcs_get32(v, PIN_BASED_VM_EXEC_CONTROL) & PIN_BASED_VIRTUAL_NMIS) != 0;
	uint64_t pdbg = vmcs_get(v, GUEST_PENDING_DBG_EXCEPTIONS);
	bool sti = (intr & GUEST_INTR_STATE_STI) != 0, movss = (intr & GUEST_INTR_STATE_MOV_SS) != 0;
	bool if1 = (rflags & X86_EFLAGS_IF) != 0;

	*qual = ENTRY_FAIL_DEFAULT;
	/* 26.3.1.1: control registers, IA32_PAT and IA32_EFER. */
	if (!vmx_entry_check_guest_cr_fixed(v, m, failed) || !vmx_entry_check_guest_pat(v, failed) ||
	    !vmx_entry_check_guest_paging(v, failed))
		return false;
	/*
	 * 26.3.1.1: with the load-debug-controls control, the reserved bits of
	 * IA32_DEBUGCTL and DR7 bits 63:32 are 0.
	 */
	CHECK(!(vmcs_get32(v, VM_ENTRY_CONTROLS) & VM_ENTRY_LOAD_DEBUG_CONTROLS) ||
	      !(vmcs_get(v, GUEST_IA32_DEBUGCTL) & DEBUGCTL_RESERVED),
	      "IA32_DEBUGCTL reserved bits are 0 (load debug controls)");
	CHECK(!(vmcs_get32(v, VM_ENTRY_CONTROLS) & VM_ENTRY_LOAD_DEBUG_CONTROLS) ||
	      !(vmcs_get(v, GUEST_DR7) & DR_UPPER_RESERVED), "DR7 bits 63:32 are 0 (load debug controls)");
	/*
	 * 26.3.1.1: CR4.PCIDE only in an IA-32e mode guest, CR3 within the
	 * physical-address width, the SYSENTER ESP and EIP canonical.
	 */
	CHECK((vmcs_get32(v, VM_ENTRY_CONTROLS) & VM_ENTRY_IA32E_MODE) || !(vmcs_get(v, GUEST_CR4) & X86_CR4_PCIDE),
	      "guest CR4.PCIDE requires IA-32e mode guest");
	CHECK(phys_addr_ok(m, vmcs_get(v, GUEST_CR3)), "guest CR3 within the physical-address width");
	CHECK(canonical(vmcs_get(v, GUEST_SYSENTER_ESP)) && canonical(vmcs_get(v, GUEST_SYSENTER_EIP)),
	      "guest IA32_SYSENTER_ESP and IA32_SYSENTER_EIP are canonical");
	/* 26.3.1.4: RFLAGS and R9. */
	CHECK((rflags & X86_EFLAGS_RESERVED_ZERO) == 0 && (rflags & X86_EFLAGS_FIXED),
	      "RFLAGS reserved bits (1 set; 3, 5, 15, 63:22 clear)");
	CHECK(!inject || type != INTR_TYPE_EXT_INTR || if1, "R9: external-interrupt injection requires RFLAGS.IF = 1");

	/* 26.3.1.5: activity state (R11). */
	CHECK(act <= GUEST_ACTIVITY_WAIT_SIPI && vmx_caps_activity_supported(&m->caps, act),
	      "R11: activity state supported (IA32_VMX_MISC)");
	CHECK(act != GUEST_ACTIVITY_HLT || ((vmcs_get32(v, GUEST_SS_AR_BYTES) >> 5) & 3u) == 0,
	      "R11: HLT requires SS.DPL = 0");
	CHECK(act == GUEST_ACTIVITY_ACTIVE || (!sti && !movss), "R11: STI/MOV-SS blocking requires the active state");
	if (inject && act == GUEST_ACTIVITY_HLT)
		CHECK(type == INTR_TYPE_EXT_INTR || type == INTR_TYPE_NMI_INTR ||
		          (type == INTR_TYPE_HARD_EXCEPTION && (vec == DB_VECTOR || vec == MC_VECTOR)) ||
		          (type == INTR_TYPE_OTHER_EVENT && vec == 0),
		      "R11: HLT accepts only external interrupts, NMI, #DB, #MC and pending MTF");
	if (inject && act == GUEST_ACTIVITY_SHUTDOWN)
		CHECK(type == INTR_TYPE_NMI_INTR || (type == INTR_TYPE_HARD_EXCEPTION && vec == MC_VECTOR),
		      "R11: shutdown accepts only NMI and #MC");
	CHECK(!inject || act != GUEST_ACTIVITY_WAIT_SIPI, "R11: wait-for-SIPI accepts no injected event");

	/* Interruptibility state (R10). */
	CHECK((intr & (GUEST_INTR_STATE_RESERVED | GUEST_INTR_STATE_ENCLAVE_INTR)) == 0,
	      "R10: interruptibility bits 31:4 are 0 (no enclave support modelled)");
	CHECK(!(sti && movss), "R10: blocking by STI and by MOV SS not both set");
	CHECK(!sti || if1, "R10: blocking by STI requires RFLAGS.IF = 1");
	CHECK(!(intr & GUEST_INTR_STATE_SMI), "R10: blocking by SMI is 0 outside SMM");
	if (inject && type == INTR_TYPE_EXT_INTR)
		CHECK(!sti && !movss, "R10: external-interrupt injection requires no STI/MOV-SS blocking");
	if (inject && type == INTR_TYPE_NMI_INTR) {
		CHECK(!movss, "R10: NMI injection requires no MOV-SS blocking");
		if (m->nmi_inject_fails_with_sti && sti) {
			*qual = ENTRY_FAIL_NMI;
			CHECK(false, "R10: this processor refuses NMI injection during blocking by STI");
		}
		CHECK(!vnmi || !(intr & GUEST_INTR_STATE_NMI),
		      "R10: NMI injection with virtual NMIs requires no virtual-NMI blocking");
	}

	/* Pending debug exceptions (R12). */
	CHECK((pdbg & PENDING_DBG_RESERVED) == 0, "R12: pending debug exceptions reserved bits are 0");
	if (sti || movss || act == GUEST_ACTIVITY_HLT) {
		bool tf = (rflags & X86_EFLAGS_TF) != 0;
		bool btf = (vmcs_get(v, GUEST_IA32_DEBUGCTL) & DEBUGCTLMSR_BTF) != 0;
		CHECK(!!(pdbg & PENDING_DBG_BS) == (tf && !btf),
		      "R12: BS equals (RFLAGS.TF and not DEBUGCTL.BTF) under STI/MOV-SS blocking or HLT");
	}

	/* VMCS link pointer (no VMCS shadowing modelled). */
	return vmx_entry_check_vmcs_link_pointer(v, failed, qual);
}

static void emit_fail(struct vmx_lp *lp, bool launch, uint32_t err, const char *check)
{
	struct vmx_hw_event ev = {.kind = HW_VMFAIL, .error = err, .launch = launch, .check = check,
	                          .rip = lp->ctx.rip};
	lp_emit(lp, &ev);
}

static enum vmx_entry_status fail_valid(struct vmx_lp *lp, bool launch, enum vmx_insn_error err,
                                        const char *check)
{
	vmcs_set(lp->vmcs, VM_INSTRUCTION_ERROR, (uint64_t)err);
	lp->cycle += lp->model.insn_cycles;
	emit_fail(lp, launch, (uint32_t)err, check);
	return VMX_ENTRY_FAIL_VALID;
}

/* R26: only exit reason and qualification are written; host state is loaded. */
static enum vmx_entry_status fail_guest(struct vmx_lp *lp, bool launch, uint32_t qual, const char *check)
{
	struct vmx_hw_event ev = {.kind = HW_VMEXIT, .launch = launch, .check = check};

	ev.reason = VMX_EXIT_REASONS_FAILED_VMENTRY | EXIT_REASON_INVALID_STATE;
	ev.qualification = qual;
	vmcs_set(lp->vmcs, VM_EXIT_REASON, ev.reason);
	vmcs_set(lp->vmcs, EXIT_QUALIFICATION, qual);
	lp->cycle += lp->model.vmentry_cycles;
	ev.rip = vmcs_get(lp->vmcs, GUEST_RIP);
	lp_emit(lp, &ev);
	lp->ctx.rip = vmcs_get(lp->vmcs, HOST_RIP);
	lp->ctx.rflags = X86_EFLAGS_FIXED;
	lp->dr7 = DR7_FIXED_1;   /* 27.5.1: host state, DR7 = 400H */
	lp->debugctl = 0;        /* 27.5.1: IA32_DEBUGCTL cleared */
	lp->cr4 = vmcs_get(lp->vmcs, HOST_CR4);
	lp->ctx.activity = GUEST_ACTIVITY_ACTIVE;
	lp->ctx.mem = lp->host_mem;
	lp->sti_shadow_at = VMX_NO_BOUNDARY;
	lp->movss_shadow_at = VMX_NO_BOUNDARY;
	lp->cycle += lp->model.vmexit_cycles;
	lp_note_blocking(lp);
	return VMX_ENTRY_FAILED;
}

static void load_guest_state(struct vmx_lp *lp)
{
	struct vmcs *v = lp->vmcs;
	uint32_t intr = vmcs_get32(v, GUEST_INTERRUPTIBILITY_INFO);
	uint32_t info = vmcs_get32(v, VM_ENTRY_INTR_INFO_FIELD);
	bool inject = intr_info_valid(info);

	lp->ctl.pin = vmcs_get32(v, PIN_BASED_VM_EXEC_CONTROL);
	lp->ctl.proc = vmcs_get32(v, CPU_BASED_VM_EXEC_CONTROL);
	lp->ctl.proc2 = (lp->ctl.proc & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS) ? vmcs_get32(v, SECONDARY_VM_EXEC_CONTROL) : 0;
	lp->ctl.exit = vmcs_get32(v, VM_EXIT_CONTROLS);
	lp->ctl.exception_bitmap = vmcs_get32(v, EXCEPTION_BITMAP);

	lp->non_root = true;
	lp->ctx.rip = vmcs_get(v, GUEST_RIP);
	lp->ctx.rflags = vmcs_get(v, GUEST_RFLAGS);
	/* 26.3.2.1: DR7 with the debug controls; without them the processor keeps its own (breakpoint.c). */
	if (vmcs_get32(v, VM_ENTRY_CONTROLS) & VM_ENTRY_LOAD_DEBUG_CONTROLS) {
		lp->dr7 = vmcs_get(v, GUEST_DR7) | DR7_FIXED_1;   /* bit 10 reads as 1 */
		lp->debugctl = vmcs_get(v, GUEST_IA32_DEBUGCTL);
	}
	lp->cr4 = vmcs_get(v, GUEST_CR4);   /* 26.3.2.1; CR4.DE decides DR4/DR5 and I/O breakpoints */
	lp->ctx.activity = vmcs_get32(v, GUEST_ACTIVITY_STATE);
	lp->ctx.mem = v->guest;

	/* R15: an injected event leaves no STI/MOV-SS blocking; else the field's bits hold. */
	lp->sti_shadow_at = (!inject && (intr & GUEST_INTR_STATE_STI)) ? lp->retired : VMX_NO_BOUNDARY;
	lp->movss_shadow_at = (!inject && (intr & GUEST_INTR_STATE_MOV_SS)) ? lp->retired : VMX_NO_BOUNDARY;
	/* R3: bit 3 is virtual-NMI blocking under virtual NMIs, else blocking by NMI. */
	if (lp->ctl.pin & PIN_BASED_VIRTUAL_NMIS)
		lp->vnmi_blocked = (intr & GUEST_INTR_STATE_NMI) != 0;
	else
		lp->nmi_blocked = (intr & GUEST_INTR_STATE_NMI) != 0;

	/* R23: an injected event (other than pending MTF) makes the processor active. */
	if (inject && intr_info_type(info) != INTR_TYPE_OTHER_EVENT)
		lp->ctx.activity = GUEST_ACTIVITY_ACTIVE;
	lp->inject_pending = inject;
	lp_debug_load_at_entry(lp, vmcs_get(v, GUEST_PENDING_DBG_EXCEPTIONS), inject, lp->ctx.activity);
	lp->mtf_pending = false;
	lp->timer_armed = (lp->ctl.pin & PIN_BASED_VMX_PREEMPTION_TIMER) != 0;
	lp_vapic_entry(lp);   /* 26.3.2.5: RVI, SVI, PPR virtualization, evaluation */
}

enum vmx_entry_status vmx_lp_vmentry(struct vmx_lp *lp, bool launch)
{
	struct vmcs *v = lp->vmcs;
	const char *failed = NULL;
	uint32_t qual = 0;
	struct vmx_hw_event ev = {.kind = HW_VMENTRY, .launch = launch, .cycle = lp->cycle, .stamped = true};

	/* Basic checks, in the order of the VMLAUNCH/VMRESUME pseudo-code. */
	if (lp->non_root || !v) {
		lp->cycle += lp->model.insn_cycles;
		emit_fail(lp, launch, 0, "current-VMCS pointer is valid");
		return VMX_ENTRY_FAIL_INVALID;
	}
	if (vmx_lp_movss_blocking(lp))   /* R13 */
		return fail_valid(lp, launch, VMXERR_ENTRY_EVENTS_BLOCKED_BY_MOV_SS, "R13: no blocking by MOV SS");
	if (launch && v->launch_state != VMCS_CLEAR)
		return fail_valid(lp, launch, VMXERR_VMLAUNCH_NONCLEAR_VMCS, "VMLAUNCH needs a clear VMCS");
	if (!launch && v->launch_state != VMCS_LAUNCHED)
		return fail_valid(lp, launch, VMXERR_VMRESUME_NONLAUNCHED_VMCS, "VMRESUME needs a launched VMCS");
	if (!vmx_entry_check_controls(v, &lp->model, &failed))
		return fail_valid(lp, launch, VMXERR_ENTRY_INVALID_CONTROL_FIELD, failed);
	if (!vmx_entry_check_host_state(v, &lp->model, &failed))
		return fail_valid(lp, launch, VMXERR_ENTRY_INVALID_HOST_STATE_FIELD, failed);
	if (!vmx_entry_check_guest_state(v, &lp->model, &failed, &qual))
		return fail_guest(lp, launch, qual, failed);
	/* MSR loading (exit reason 34) is not modelled: the MSR-load lists are empty. */

	if (launch)
		v->launch_state = VMCS_LAUNCHED;
	load_guest_state(lp);
	lp->cycle += lp->model.vmentry_cycles;
	/*
	 * R27, SDM Vol. 3C 26.5.1 "VMX-Preemption Timer" (2023 numbering): the
	 * timer counts down by 1 each time bit X of the TSC changes (X is the
	 * rate, IA32_VMX_MISC[4:0]). Its ticks fall on the multiples of 2^X,
	 * not 2^X cycles after the entry, so it reaches 0 at the value-th
	 * multiple after the one at or before the entry. The TSC is the cycle.
	 */
	if (lp->timer_armed) {
		uint32_t rate = lp->model.preemption_timer_rate;
		lp->timer_deadline = ((lp->cycle >> rate) + vmcs_get32(v, VMX_PREEMPTION_TIMER_VALUE)) << rate;
	}
	ev.rip = lp->ctx.rip;
	ev.intr_info = lp->inject_pending ? vmcs_get32(v, VM_ENTRY_INTR_INFO_FIELD) : 0;
	ev.new_state = lp->ctx.activity;
	lp_emit(lp, &ev);
	lp_note_blocking(lp);
	return VMX_ENTRY_OK;
}

enum lp_step lp_inject(struct vmx_lp *lp)
{
	struct vmcs *v = lp->vmcs;
	uint32_t info = vmcs_get32(v, VM_ENTRY_INTR_INFO_FIELD);
	struct vmx_event ev = {intr_info_type(info), intr_info_vector(info),
	                       intr_info_has_error_code(info), vmcs_get32(v, VM_ENTRY_EXCEPTION_ERROR_CODE), 0};
	uint64_t ret = lp->ctx.rip;

	lp->inject_pending = false;
	if (ev.type == INTR_TYPE_OTHER_EVENT) {
		/* R14/R27: type 7 delivers nothing; an MTF VM exit is pending. */
		lp->mtf_pending = true;
		return LP_STEP_CONTINUE;
	}
	if (intr_type_is_soft(ev.type)) {
		ev.insn_len = vmcs_get32(v, VM_ENTRY_INSTRUCTION_LEN);
		ret += ev.insn_len;    /* R14: return past the instruction */
	}
	/* R27: lp_deliver makes an MTF exit pending after the delivery when MTF = 1. */
	return lp_deliver(lp, &ev, ret, true);
}
