/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nested_apicv.c - APIC virtualization for L2 in today's KVM: vmcs12's TPR
 * shadow, APIC-register virtualization, virtual-interrupt delivery and
 * posted interrupts go into vmcs02 (prepare_vmcs02_early/_rare,
 * nested_get_vmcs12_pages, nested_vmx_prepare_msr_bitmap), the guest
 * interrupt status goes back to vmcs12 (sync_vmcs02_to_vmcs12), and L0
 * emulates what the processor would do with L1's notification vector
 * when it reaches L1's virtual local APIC rather than the processor
 * (vmx_deliver_nested_posted_interrupt, vmx_check_nested_events,
 * vmx_complete_nested_posted_interrupt; R5, R23, H-N19).
 *
 * The virtual-APIC page and the posted-interrupt descriptor are L1's
 * memory; vmcs02 points at them. The model keeps them beside each VMCS
 * (vmcs.h), so vmcs02 holds them while L2 runs and they go back to
 * vmcs12 at every exit to L1: nothing else can write them meanwhile, as
 * L1's stores (`vapic-*`, `pi-post`) reach only the current VMCS of the
 * vCPU that runs them (guest_mem.h vmptr).
 */
#include "model/l0/kvm/kvm.h"

#include "model/hw/vapic.h"
#include "vmcs/virtual_apic.h"

/* x2APIC MSRs of the local APIC whose intercepts L1's bitmap decides for L2 (nested_vmx_prepare_msr_bitmap). */
#define X2APIC_MSR_FIRST 0x800u
#define X2APIC_MSR_LAST 0x8ffu
#define X2APIC_MSR_TPR 0x808u
#define X2APIC_MSR_EOI 0x80bu
#define X2APIC_MSR_SELF_IPI 0x83fu

static bool vmcs12_has(const struct kvm_vcpu *k, enum vmcs_field word, uint32_t bit)
{
	return (vmcs_get32(k->vmcs12, word) & bit) != 0;
}

bool nested_cpu_has_vid(const struct kvm_vcpu *k)
{
	return k->vmcs12 && vmcs12_has(k, CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS) &&
	       vmcs12_has(k, SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY);
}

static bool nested_cpu_has_posted_intr(const struct kvm_vcpu *k)
{
	return vmcs12_has(k, PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_POSTED_INTR);
}

/* L1's bit for the MSR: its bitmap when vmcs12 uses one (NULL reads as all ones: every MSR intercepted). */
static bool l1_intercepts(const struct kvm_vcpu *k, uint32_t msr, bool write)
{
	return msr_bitmap_exits(k->vmcs12->msr_bitmap, msr, write);
}

/*
 * vmcs02's MSR bitmap with vmcs12's x2APIC virtualization: L0's own page
 * (every MSR intercepted, nested_vmcs02.c), but for the x2APIC registers
 * the processor virtualizes for L2 - every read with APIC-register
 * virtualization, TPR, and EOI and SELF IPI writes with virtual-interrupt
 * delivery - whose bits are L1's: L0 need not see what the processor
 * does with L1's virtual-APIC page, and what L1 intercepts exits to L1.
 */
static void prepare_msr_bitmap(struct kvm_vcpu *k)
{
	struct vmcs *v02 = &k->vmcs02;
	struct msr_bitmap *bm = &k->msr_bitmap02;
	bool x2apic = vmcs12_has(k, CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS) &&
	              vmcs12_has(k, SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE);

	if (!x2apic || !vmcs12_has(k, CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_USE_MSR_BITMAPS))
		return;   /* L0's page: every x2APIC access exits, and vmcs12's bitmap says whose it is */
	*bm = k->b.msr_bitmap;
	if (vmcs12_has(k, SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_APIC_REGISTER_VIRT))
		for (uint32_t msr = X2APIC_MSR_FIRST; msr <= X2APIC_MSR_LAST; msr++)
			msr_bitmap_set(bm, msr, false, l1_intercepts(k, msr, false));
	msr_bitmap_set(bm, X2APIC_MSR_TPR, false, l1_intercepts(k, X2APIC_MSR_TPR, false));
	msr_bitmap_set(bm, X2APIC_MSR_TPR, true, l1_intercepts(k, X2APIC_MSR_TPR, true));
	if (nested_cpu_has_vid(k)) {
		msr_bitmap_set(bm, X2APIC_MSR_EOI, true, l1_intercepts(k, X2APIC_MSR_EOI, true));
		msr_bitmap_set(bm, X2APIC_MSR_SELF_IPI, true, l1_intercepts(k, X2APIC_MSR_SELF_IPI, true));
	}
	vmx_guest_mem_stamp(k->b.env.guest_mem, &k->b.cold_stamp);
	v02->msr_bitmap = bm;
}

/*
 * What L0 did in the processor's place, as the processor's own `vapic`
 * line would say it, at L2's level: `notification` is L1's vector it
 * consumed (the lost-event monitor counts it delivered to L1 there).
 */
static void trace_vapic(struct kvm_vcpu *k, const char *op, int vector)
{
	const struct vmcs *v02 = &k->vmcs02;
	uint32_t status = vmcs_get32(v02, GUEST_INTR_STATUS);
	struct trace_event ev;

	trace_event_init(&ev, k->b.env.lp->cycle, k->b.env.cpu, 2, TRACE_VAPIC);
	trace_add_str(&ev, "op", op);
	trace_add_uint(&ev, "vector", vector < 0 ? 0u : (uint32_t)vector);
	trace_add_hex64(&ev, "rvi", status & 0xffu);
	trace_add_hex64(&ev, "svi", (status >> 8) & 0xffu);
	trace_add_hex64(&ev, "vppr", v02->vapic.ppr);
	trace_add_hex64(&ev, "notification", (uint32_t)k->nested_pi_nv);
	trace_add_str(&ev, "by", "l0");
	trace_bus_emit(k->b.env.bus, &ev);
}

void nested_apicv_prepare_vmcs02(struct kvm_vcpu *k)
{
	struct vmcs *v02 = &k->vmcs02;
	const struct vmcs *v12 = k->vmcs12;

	/*
	 * prepare_vmcs02_early: a notification L0 took for L2 but had not yet
	 * processed is forgotten at every entry of L1's - with ON still set in
	 * the descriptor, no sender notifies again. It happens when an exit to
	 * L1 came first: a higher-priority event before 3d91521e (H-N19), and
	 * in every era an exit of L2 before the processor took L0's vector,
	 * or an L2 halted with IF = 0 (the processor, halted in non-root
	 * operation, processes the descriptor without IF; KVM waits to wake).
	 */
	if (k->nested_pi_pending && v12->pi_desc.on) {
		trace_vapic(k, "dropped", -1);
		l0_trace_differs(&k->b, "posted-intr-dropped", k->nested_pi_nv,
		                 "KVM forgets a notification for L2 it had not processed when L1 enters again "
		                 "(prepare_vmcs02_early clears nested.pi_pending; ON stays set in the descriptor): the "
		                 "processor would have processed it, and L2 never gets the posted interrupt");
	}
	k->nested_pi_pending = false;
	k->nested_pi_notified = false;
	/*
	 * vmcs02's notification vector is L0's own (prepare_vmcs02_constant_state):
	 * L1's arrives at L1's virtual local APIC, and L0 sends
	 * POSTED_INTR_NESTED_VECTOR to make the processor process the descriptor.
	 */
	if (nested_cpu_has_posted_intr(k)) {
		k->nested_pi_nv = (int)(vmcs_get32(v12, POSTED_INTR_NV) & 0xffu);
		vmcs_set(v02, POSTED_INTR_NV, POSTED_INTR_NESTED_VECTOR);
	} else {
		k->nested_pi_nv = -1;
	}
	v02->pi_desc = v12->pi_desc;
	prepare_msr_bitmap(k);
}

void nested_apicv_sync_vmcs12(struct kvm_vcpu *k)
{
	struct vmcs *v12 = k->vmcs12;
	const struct vmcs *v02 = &k->vmcs02;

	/* sync_vmcs02_to_vmcs12: RVI and SVI as the processor left them. */
	if (nested_cpu_has_vid(k))
		vmcs_set(v12, GUEST_INTR_STATUS, vmcs_get32(v02, GUEST_INTR_STATUS));
	v12->vapic = v02->vapic;
	v12->pi_desc = v02->pi_desc;
}

/* RVI of vmcs02, as the last exit saved it (the guest interrupt status, bits 7:0). */
static int rvi(const struct kvm_vcpu *k)
{
	return (int)(vmcs_get32(&k->vmcs02, GUEST_INTR_STATUS) & 0xffu);
}

/*
 * vmx_complete_nested_posted_interrupt: the descriptor processing the
 * processor would have done - ON cleared, PIR into L2's VIRR, RVI raised
 * to the highest vector - done by L0 on vmcs02 before the entry.
 */
void vmx_complete_nested_posted_interrupt(struct kvm_vcpu *k)
{
	struct vmcs *v02 = &k->vmcs02;
	struct posted_intr_desc *d = &v02->pi_desc;
	int highest = -1;

	bool reported = k->nested_pi_notified;

	if (!k->nested_pi_pending)
		return;
	k->nested_pi_pending = false;
	k->nested_pi_notified = false;
	/* The processor processed it already (the running path): ON is clear, and its `vapic` line said so. */
	if (!d->on && reported)
		return;
	if (d->on) {
		d->on = false;
		highest = vec_highest(d->pir);
		for (unsigned w = 0; w < 4; w++) {
			v02->vapic.irr[w] |= d->pir[w];
			d->pir[w] = 0;
		}
		if (highest > rvi(k))
			vmcs_set(v02, GUEST_INTR_STATUS, (vmcs_get32(v02, GUEST_INTR_STATUS) & ~0xffu) | (uint32_t)highest);
	}
	trace_vapic(k, "posted", highest);
}

bool nested_pi_take_notification(struct kvm_vcpu *k, int irq)
{
	if (!k->guest_mode || irq < 0 || irq != k->nested_pi_nv)
		return false;
	k->nested_pi_pending = true;
	vlapic_clear_irr(&k->b.apic, (uint8_t)irq);
	l0_trace(&k->b, TRACE_DEFER, "what", "posted-interrupt",
	         "L1's notification vector for L2 (nested.pi_pending): posted-interrupt processing before the entry, not "
	         "an exit", irq, 0);
	return true;
}

void nested_pi_morph_at_vmenter(struct kvm_vcpu *k)
{
	if (k->era->nested_pi_in_check_events || k->nested_pi_nv < 0)
		return;
	/* 25bb2cf9 (2020): at L1's VMLAUNCH/VMRESUME, before any event of higher priority is looked at. */
	if (vlapic_pending(&k->b.apic) == k->nested_pi_nv) {
		(void)nested_pi_take_notification(k, k->nested_pi_nv);
		k->req_event = true;
	}
}

bool vmx_deliver_nested_posted_interrupt(struct kvm_vcpu *k, int vector)
{
	struct vmx_lp *lp = k->b.env.lp;

	if (!k->guest_mode || vector != k->nested_pi_nv)
		return false;
	/* The PIR and ON are L1's to have set. */
	k->nested_pi_pending = true;
	k->req_event = true;
	if (!lp->non_root) {
		l0_trace(&k->b, TRACE_DEFER, "what", "posted-interrupt",
		         "L1's notification vector for L2, which is not running (nested.pi_pending): processed before its "
		         "next entry", vector, 0);
		return true;
	}
	/*
	 * kvm_vcpu_trigger_posted_interrupt: L2 runs, the processor processes
	 * vmcs02's descriptor itself when POSTED_INTR_NESTED_VECTOR arrives.
	 */
	trace_vapic(k, "notify", -1);
	k->nested_pi_notified = true;
	vmx_lp_irq(lp, POSTED_INTR_NESTED_VECTOR);
	return true;
}

bool nested_vapic_has_interrupt(const struct kvm_vcpu *k)
{
	const struct vmcs *v02 = &k->vmcs02;
	uint32_t vppr = v02->vapic.ppr & 0xf0u;
	int highest;

	/* vmx_has_nested_events(vcpu, false): L2 must be able to take it (__vmx_interrupt_blocked). */
	if (!k->guest_mode || !nested_cpu_has_vid(k) || !(vmcs_get(v02, GUEST_RFLAGS) & X86_EFLAGS_IF) ||
	    (vmcs_get32(v02, GUEST_INTERRUPTIBILITY_INFO) & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)))
		return false;
	if (((uint32_t)rvi(k) & 0xf0u) > vppr)
		return true;
	if (!k->nested_pi_pending || !v02->pi_desc.on)
		return false;
	highest = vec_highest(v02->pi_desc.pir);
	return highest > 0 && ((uint32_t)highest & 0xf0u) > vppr;
}
