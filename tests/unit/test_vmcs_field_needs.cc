/* SPDX-License-Identifier: Apache-2.0 */
// test_vmcs_field_needs.cc - which VMCS fields each CPU model has
// (vmcs/vmcs_field_needs.def, the NEED column of vmcs/vmcs_fields.def),
// against the capability MSRs derived for the model.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "vmcs/cpu_model.h"
#include "vmcs/vmcs_field.h"
#include "vmcs/vmx_caps.h"
#include "vmcs/vmx_controls.h"

namespace {

cpu_model Model(const char *name)
{
	cpu_model m{};
	EXPECT_TRUE(cpu_model_lookup(name, &m)) << name;
	return m;
}

bool Has(const cpu_model &m, vmcs_field f)
{
	return vmcs_field_supported(&m, vmcs_field_lookup(static_cast<uint32_t>(f)));
}

TEST(VmcsFieldNeeds, TableIsWellFormed)
{
	std::set<std::string> names;
	std::vector<int> used(VMCS_NEED_COUNT, 0);
	for (int n = 0; n < VMCS_NEED_COUNT; n++) {
		const struct vmcs_need_info *ni = vmcs_need_info(static_cast<vmcs_need>(n));
		ASSERT_NE(ni, nullptr);
		SCOPED_TRACE(ni->name);
		EXPECT_TRUE(names.insert(ni->name).second);
		ASSERT_NE(ni->summary, nullptr);
		EXPECT_GT(std::strlen(ni->summary), 0u);
		// A not-modelled family needs no feature bit; a modelled one other
		// than BASE needs at least one.
		if (!ni->modelled)
			EXPECT_EQ(ni->features, 0u);
		else
			EXPECT_EQ(ni->features == 0, n == VMCS_NEED_BASE);
	}
	EXPECT_EQ(vmcs_need_info(VMCS_NEED_COUNT), nullptr);
	for (int i = 0; i < VMCS_FIELD_COUNT; i++) {
		const struct vmcs_field_info *fi = vmcs_field_info(i);
		ASSERT_LT(static_cast<int>(fi->need), static_cast<int>(VMCS_NEED_COUNT)) << fi->name;
		used[fi->need]++;
	}
	for (int n = 0; n < VMCS_NEED_COUNT; n++)
		EXPECT_GT(used[n], 0) << vmcs_need_info(static_cast<vmcs_need>(n))->name << " names no field";
	EXPECT_FALSE(vmcs_field_supported(nullptr, -1));
	EXPECT_FALSE(vmcs_field_supported(nullptr, VMCS_FIELD_COUNT));
}

// The control whose allowed-1 bit makes each modelled family exist, written
// from the SDM's "exists only on processors that support the 1-setting of"
// notes, not from vmcs_field_needs.def.
struct CapOf {
	vmcs_need need;
	vmx_control_word word;
	uint32_t mask;
};

const CapOf kCapOf[] = {
	{VMCS_NEED_TPR_SHADOW, VMX_CTL_PROC, CPU_BASED_TPR_SHADOW},
	{VMCS_NEED_MSR_BITMAPS, VMX_CTL_PROC, CPU_BASED_USE_MSR_BITMAPS},
	{VMCS_NEED_SECONDARY, VMX_CTL_PROC, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS},
	{VMCS_NEED_APIC_ACCESSES, VMX_CTL_PROC2, SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES},
	{VMCS_NEED_EPT_VPID, VMX_CTL_PROC2, SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID},
	{VMCS_NEED_APICV, VMX_CTL_PROC2, SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY},
	{VMCS_NEED_POSTED_INTR, VMX_CTL_PIN, PIN_BASED_POSTED_INTR},
	{VMCS_NEED_PAUSE_LOOP, VMX_CTL_PROC2, SECONDARY_EXEC_PAUSE_LOOP_EXITING},
	{VMCS_NEED_PREEMPTION_TIMER, VMX_CTL_PIN, PIN_BASED_VMX_PREEMPTION_TIMER},
	{VMCS_NEED_PAT_EFER, VMX_CTL_ENTRY, VM_ENTRY_LOAD_IA32_PAT | VM_ENTRY_LOAD_IA32_EFER},
};

// A field exists exactly when the capability MSRs allow its control: on
// every model, and on every model with any one feature turned around.
TEST(VmcsFieldNeeds, FieldExistsExactlyWhenItsControlIsAllowed)
{
	for (int n = 0; n < VMCS_NEED_COUNT; n++) {
		const struct vmcs_need_info *ni = vmcs_need_info(static_cast<vmcs_need>(n));
		bool listed = false;
		for (const CapOf &c : kCapOf)
			listed = listed || c.need == n;
		EXPECT_EQ(listed, ni->modelled && n != VMCS_NEED_BASE) << ni->name << ": add it to kCapOf";
	}
	int variants = 0;
	for (int mi = 0; mi < cpu_model_count(); mi++) {
		for (uint32_t flip = 0; flip <= VMX_FEAT_LAST; flip = flip ? flip << 1 : 1) {
			cpu_model m{};
			cpu_model_at(mi, &m);
			m.features ^= flip;
			cpu_model_derive_caps(&m);
			variants++;
			for (int i = 0; i < VMCS_FIELD_COUNT; i++) {
				const struct vmcs_field_info *fi = vmcs_field_info(i);
				const struct vmcs_need_info *ni = vmcs_need_info(fi->need);
				bool expected = ni->modelled;
				for (const CapOf &c : kCapOf)
					if (c.need == fi->need)
						expected = vmx_caps_allows(&m.caps, c.word, c.mask);
				EXPECT_EQ(vmcs_field_supported(&m, i), expected)
				    << m.name << " features 0x" << std::hex << m.features << " " << fi->name;
			}
		}
	}
	EXPECT_EQ(variants, cpu_model_count() * (1 + __builtin_ctz(VMX_FEAT_LAST) + 1));
}

TEST(VmcsFieldNeeds, NamedFieldsNeedTheirFeature)
{
	struct {
		vmcs_field field;
		uint32_t feature;  // one of the features the field needs
	} const needs[] = {
		{POSTED_INTR_NV, VMX_FEAT_POSTED_INTR},
		{POSTED_INTR_DESC_ADDR, VMX_FEAT_POSTED_INTR},
		{GUEST_INTR_STATUS, VMX_FEAT_APICV},
		{EOI_EXIT_BITMAP3, VMX_FEAT_APICV},
		{EPT_POINTER, VMX_FEAT_EPT_VPID},
		{VIRTUAL_PROCESSOR_ID, VMX_FEAT_EPT_VPID},
		{GUEST_PHYSICAL_ADDRESS, VMX_FEAT_EPT_VPID},
		{GUEST_PDPTR0, VMX_FEAT_EPT_VPID},
		{VMX_PREEMPTION_TIMER_VALUE, VMX_FEAT_PREEMPTION_TIMER},
		{MSR_BITMAP, VMX_FEAT_MSR_BITMAPS},
		{VIRTUAL_APIC_PAGE_ADDR, VMX_FEAT_TPR_SHADOW},
		{TPR_THRESHOLD, VMX_FEAT_TPR_SHADOW},
		{APIC_ACCESS_ADDR, VMX_FEAT_APIC_ACCESSES},
		{SECONDARY_VM_EXEC_CONTROL, VMX_FEAT_SECONDARY},
		{PLE_WINDOW, VMX_FEAT_PAUSE_LOOP},
		{GUEST_IA32_PAT, VMX_FEAT_PAT_EFER},
		{GUEST_IA32_EFER, VMX_FEAT_PAT_EFER},
		{HOST_IA32_EFER, VMX_FEAT_PAT_EFER},
	};
	for (const auto &n : needs) {
		const struct vmcs_field_info *fi = vmcs_field_info(vmcs_field_lookup(static_cast<uint32_t>(n.field)));
		ASSERT_NE(fi, nullptr);
		EXPECT_NE(vmcs_need_info(fi->need)->features & n.feature, 0u) << fi->name;
		EXPECT_TRUE(vmcs_need_info(fi->need)->modelled) << fi->name;
	}
	// Features the model does not implement: no CPU model has these fields,
	// whatever its feature bits say.
	cpu_model all = Model("sapphire-rapids");
	all.features = ~0u;
	for (vmcs_field f : {EPTP_INDEX, GUEST_PML_INDEX, PML_ADDRESS, VM_FUNCTION_CONTROL, EPTP_LIST_ADDRESS,
	                     VMREAD_BITMAP, VMWRITE_BITMAP, VE_INFORMATION_ADDRESS, XSS_EXIT_BITMAP,
	                     ENCLS_EXITING_BITMAP, SPPT_POINTER, TSC_MULTIPLIER, TERTIARY_VM_EXEC_CONTROL,
	                     ENCLV_EXITING_BITMAP, PCONFIG_EXITING_BITMAP, HLAT_POINTER, PID_POINTER_TABLE,
	                     EXECUTIVE_VMCS_POINTER, GUEST_IA32_PERF_GLOBAL_CTRL, GUEST_BNDCFGS,
	                     GUEST_IA32_RTIT_CTL, GUEST_IA32_PKRS, GUEST_S_CET, HOST_SSP, ORIGINAL_EVENT_DATA})
		EXPECT_FALSE(Has(all, f)) << vmcs_field_name(static_cast<uint32_t>(f));
	// Every field of a modelled family exists once every feature is on.
	for (int i = 0; i < VMCS_FIELD_COUNT; i++)
		EXPECT_EQ(vmcs_field_supported(&all, i), vmcs_need_info(vmcs_field_info(i)->need)->modelled);
}

TEST(VmcsFieldNeeds, ShippedModels)
{
	const cpu_model core2 = Model("core2-no-vnmi"), nhm = Model("nehalem"), spr = Model("sapphire-rapids");
	// The guest and host state of the first VMX processors is everywhere.
	for (const cpu_model *m : {&core2, &nhm, &spr})
		for (vmcs_field f : {GUEST_ES_SELECTOR, HOST_TR_SELECTOR, IO_BITMAP_A, TSC_OFFSET, VMCS_LINK_POINTER,
		                     CR3_TARGET_COUNT, GUEST_TR_AR_BYTES, GUEST_SMBASE, CR0_READ_SHADOW, IO_RIP,
		                     GUEST_CR3, GUEST_DR7, HOST_IA32_SYSENTER_EIP, MSR_BITMAP, TPR_THRESHOLD})
			EXPECT_TRUE(Has(*m, f)) << m->name << " " << vmcs_field_name(static_cast<uint32_t>(f));
	EXPECT_FALSE(Has(core2, POSTED_INTR_NV));
	EXPECT_FALSE(Has(core2, EPT_POINTER));
	EXPECT_FALSE(Has(core2, SECONDARY_VM_EXEC_CONTROL));
	EXPECT_FALSE(Has(core2, VMX_PREEMPTION_TIMER_VALUE));
	EXPECT_FALSE(Has(core2, GUEST_IA32_PAT));
	EXPECT_TRUE(Has(nhm, EPT_POINTER));
	EXPECT_TRUE(Has(nhm, PLE_GAP));
	EXPECT_TRUE(Has(nhm, GUEST_IA32_EFER));
	EXPECT_FALSE(Has(nhm, POSTED_INTR_NV));
	EXPECT_FALSE(Has(nhm, EOI_EXIT_BITMAP0));
	EXPECT_TRUE(Has(spr, POSTED_INTR_NV));
	EXPECT_TRUE(Has(spr, EPT_POINTER));
	EXPECT_TRUE(Has(spr, GUEST_INTR_STATUS));
	EXPECT_FALSE(Has(spr, PML_ADDRESS));
	// The Bochs twins: penryn has secondary controls with only the APIC-access page;
	// haswell and later APIC virtualization without posted interrupts.
	const cpu_model pnr = Model("penryn"), hsw = Model("haswell"), tgl = Model("tigerlake");
	EXPECT_TRUE(Has(pnr, SECONDARY_VM_EXEC_CONTROL));
	EXPECT_TRUE(Has(pnr, APIC_ACCESS_ADDR));
	EXPECT_FALSE(Has(pnr, EPT_POINTER));
	EXPECT_FALSE(Has(pnr, VMX_PREEMPTION_TIMER_VALUE));
	for (const cpu_model *m : {&hsw, &tgl}) {
		EXPECT_TRUE(Has(*m, GUEST_INTR_STATUS)) << m->name;
		EXPECT_TRUE(Has(*m, EOI_EXIT_BITMAP0)) << m->name;
		EXPECT_FALSE(Has(*m, POSTED_INTR_NV)) << m->name;
		EXPECT_FALSE(Has(*m, VMREAD_BITMAP)) << m->name;   // VMCS shadowing: Bochs has it, the model does not
		EXPECT_TRUE(Has(*m, VMX_PREEMPTION_TIMER_VALUE)) << m->name;
	}
}

int FieldsOf(vmcs_need need)
{
	int n = 0;
	for (int i = 0; i < VMCS_FIELD_COUNT; i++)
		n += vmcs_field_info(i)->need == need;
	return n;
}

// docs/cpu-models.md, "VMCS fields each model has": its table and its counts
// are what the code says.
TEST(VmcsFieldNeeds, TheDocsTableIsTheCode)
{
	std::ifstream in(std::string(VMXSIM_SOURCE_DIR) + "/docs/cpu-models.md");
	std::stringstream ss;
	ss << in.rdbuf();
	const std::string doc = ss.str();
	size_t at = doc.find("## VMCS fields each model has");
	ASSERT_NE(at, std::string::npos);
	const std::string sec = doc.substr(at, doc.find("\n## ", at + 1) - at);
	const size_t nmodels = static_cast<size_t>(cpu_model_count());
	std::vector<cpu_model> models(nmodels);
	for (size_t mi = 0; mi < nmodels; mi++)
		cpu_model_at(static_cast<int>(mi), &models[mi]);

	std::istringstream lines(sec);
	std::string line;
	int rows = 0, modelled = 0, not_modelled = 0, nm_fields = 0;
	while (std::getline(lines, line)) {
		if (line.rfind("| `", 0) != 0)
			continue;
		std::vector<std::string> cells;
		for (size_t from = 2, bar; (bar = line.find(" |", from)) != std::string::npos; from = bar + 3)
			cells.push_back(line.substr(from, bar - from));
		ASSERT_EQ(cells.size(), 3 + nmodels) << line;
		const std::string tag = cells[0].substr(1, cells[0].size() - 2);
		int need = -1;
		for (int n = 0; n < VMCS_NEED_COUNT; n++)
			if (tag == vmcs_need_info(static_cast<vmcs_need>(n))->name)
				need = n;
		ASSERT_GE(need, 0) << tag;
		rows++;
		for (size_t mi = 0; mi < nmodels; mi++) {
			const cpu_model &m = models[mi];
			int idx = -1;
			for (int i = 0; i < VMCS_FIELD_COUNT && idx < 0; i++)
				if (vmcs_field_info(i)->need == need)
					idx = i;
			EXPECT_EQ(cells[3 + mi], vmcs_field_supported(&m, idx) ? "yes" : "no") << tag << " on " << m.name;
		}
	}
	for (int n = 0; n < VMCS_NEED_COUNT; n++) {
		bool m = vmcs_need_info(static_cast<vmcs_need>(n))->modelled;
		modelled += m;
		not_modelled += !m;
		nm_fields += m ? 0 : FieldsOf(static_cast<vmcs_need>(n));
	}
	EXPECT_EQ(rows, modelled);
	EXPECT_NE(sec.find("| `BASE` | " + std::to_string(FieldsOf(VMCS_NEED_BASE)) + " fields:"), std::string::npos);
	EXPECT_NE(sec.find("| not modelled (" + std::to_string(not_modelled) + " families) | " +
	                   std::to_string(nm_fields) + " fields:"),
	          std::string::npos);
	EXPECT_NE(sec.find("(" + std::to_string(VMCS_FIELD_COUNT) + " of them"), std::string::npos);
	// "So `core2-no-vnmi` has 117 fields, `nehalem` 133, ... and `tigerlake` 139."
	std::string totals = "So ";
	for (size_t mi = 0; mi < nmodels; mi++) {
		int count = 0;
		for (int i = 0; i < VMCS_FIELD_COUNT; i++)
			count += vmcs_field_supported(&models[mi], i);
		totals += std::string(mi == 0 ? "" : mi + 1 == nmodels ? " and " : ", ") + "`" + models[mi].name + "` " +
		          (mi == 0 ? "has " : "") + std::to_string(count) + (mi == 0 ? " fields" : "");
	}
	totals += ".";
	EXPECT_NE(sec.find(totals), std::string::npos) << totals;
}

} // namespace
