/* SPDX-License-Identifier: Apache-2.0 */
/*
 * l0_common.h - what every L0 model does the same way: its per-vCPU base
 * (environment, the VMCS of its guest, the guest's virtual local APIC),
 * tracing its decisions, setting up the VMCS, arming windows, skipping an
 * emulated instruction, and running the host's own NMI and interrupt
 * handlers.
 */
#ifndef VMXSIM_L0_COMMON_H
#define VMXSIM_L0_COMMON_H

#include "model/l0/l0.h"
#include "model/l0/vlapic.h"
#include "vmcs/vmx_controls.h"
#include "vmcs/vmx_exit_reason.h"
#include "vmcs/vmx_intr_info.h"
#include "vmcs/vmx_intr_state.h"

#define L0_HOST_RIP 0xffffffff81000000ull

struct l0_base {
	struct l0_env env;
	struct vmcs vmcs;             /* the guest's VMCS (vmcs01) */
	struct vmcs *loaded;          /* the VMCS the processor runs now: &vmcs, or a nested L0's vmcs02 */
	bool launched;                /* VMLAUNCH done */
	struct vlapic apic;           /* the guest's local APIC */
	/*
	 * The MSR-bitmap page of vmcs01 (the scenario's bits; KVM's: all ones),
	 * written only as the instance is created: a snapshot put back leaves
	 * it (l0_instance_fixed). A writer after that would have to make a
	 * snapshot copy it again.
	 */
	struct msr_bitmap msr_bitmap;
	/* A part of the instance the variant writes seldom, stamped at each write (l0_instance_cold). */
	size_t cold_offset, cold_len;
	uint64_t cold_stamp;
	uint64_t handler_cycles;      /* software cost of handling one exit */
	uint64_t host_cycles;         /* a host NMI or interrupt handler */
	size_t size;                  /* bytes of the whole instance (l0_instance_new): a snapshot copies them */
};

static inline struct vmx_lp *l0_lp(struct l0_base *b) { return b->env.lp; }

/* Initialise the base; parses handler-cycles= and host-cycles= switches. False with err filled. */
bool l0_base_init(struct l0_base *b, const struct l0_env *env, char *err, size_t errlen);

/*
 * Allocate a zeroed per-vCPU instance of `size` bytes whose first member is
 * a struct l0_base, and initialise that base. NULL with err filled.
 */
void *l0_instance_new(size_t size, const struct l0_env *env, char *err, size_t errlen);

/* The base's one time: the virtual LAPIC's timer, which no L0 arms (its MSRs are refused). */
static inline void l0_base_time_shift(const struct l0_base *b, struct time_shift *t)
{
	lapic_timer_time_shift(&b->apic.regs.timer, t);
}

/* An IPI the guest wrote to the x2APIC ICR (VMX_OP_IPI): pass it to the machine. */
void l0_forward_ipi(struct l0_base *b, const struct vmx_insn *in);

/*
 * EPT violation on the guest's stack: map the page. With virtual NMIs, an
 * IRET that faulted there had unblocked NMIs: block them again (R17).
 */
void l0_handle_ept_violation(struct l0_base *b, bool virtual_nmis);

/* A number switch value; false if it is not a number. */
bool l0_parse_u64(const char *s, uint64_t *out);

/* One hypervisor decision on the trace bus (level 0). vector < 0 and info 0 are left out. */
void l0_trace(struct l0_base *b, enum trace_kind k, const char *key, const char *val, const char *why, int vector,
              uint32_t info);
/*
 * A host line (type, vector when >= 0) that says where the L0 answers
 * otherwise than the processor on purpose: `differs`, which equiv reports
 * as the documented difference of the next event L1 sees (lib/equiv.c).
 */
void l0_trace_differs(struct l0_base *b, const char *type, int vector, const char *differs);

/*
 * VMCS for the guest: pin/proc/exit given by the variant, then the
 * scenario's writes in order, then the must-be-1 bits of each control word
 * (as KVM's adjust_vmx_controls() does).
 */
void l0_setup_vmcs(struct l0_base *b, uint32_t pin, uint32_t proc, uint32_t exit);

/* Set or clear a window control; traces the change. Returns whether it changed. */
bool l0_set_window(struct l0_base *b, uint32_t bit, bool on, const char *what, const char *why);

/* Advance GUEST_RIP past the exiting instruction; ends its STI/MOV-SS blocking. */
void l0_skip_instruction(struct l0_base *b);

/* The guest instruction at GUEST_RIP (how the model decodes WRMSR's ECX/EAX); NULL if none. */
const struct vmx_insn *l0_guest_insn(struct l0_base *b);

/* The value a guest's WRMSR (`in`, at GUEST_RIP) writes: its source register, or its constant. */
uint64_t l0_wrmsr_value(const struct l0_base *b, const struct vmx_insn *in);

/*
 * The exits of the instructions every hypervisor here emulates alike
 * (what they do is model/hw/exec_x86.c's): port I/O (no device: IN reads
 * all ones), MOV to CR3 (the program's CR3) and MOV to CR8 (the TPR of the
 * guest's virtual local APIC), PAUSE (nothing to do), CPUID (the
 * processor's answers, with VMX only when offer_vmx), RDTSC (the TSC the
 * guest would have read); each is then skipped. TPR below threshold needs
 * nothing (the exit is trap-like). False for any other exit. *exception
 * gets the interruption information of an exception to give the guest
 * instead (#GP(0) for a reserved CR bit; the instruction is not skipped),
 * or 0.
 */
bool l0_emulate_insn_exit(struct l0_base *b, uint32_t basic_reason, bool offer_vmx, uint32_t *exception);

/*
 * The guest's RDMSR or WRMSR at GUEST_RIP, which exited, is of an x2APIC
 * register: the model's L0s keep in their virtual local APIC (vlapic.h)
 * only the vectors they deliver, EOI and the ICR (the `eoi` and `ipi`
 * instructions) - no timer, TPR, PPR, register reads or self-IPI register -
 * so the run is refused ("not modelled: the LAPIC timer of a guest under
 * L0 'NAME' ..." for a timer register, "not modelled: an x2APIC register
 * of a guest ..." for the others) at that instruction (l0_env.refuse), and
 * the guest stopped. True if it refused.
 */
bool l0_refuse_apic_timer(struct l0_base *b, const char *l0_name);

/* The host's NMI handler: blocking by NMI until its IRET (R16, R22). */
void l0_host_nmi(struct l0_base *b);

/*
 * The host kernel's machine-check handler (Linux's do_machine_check) for
 * a #MC the processor generated: it ends with MCIP cleared; the guest is
 * not told.
 */
void l0_host_machine_check(struct l0_base *b, const char *why);

/* The host's handler for an interrupt vector: EOI, then IRET (which also unblocks NMIs). */
void l0_host_irq(struct l0_base *b, int vector);

/*
 * An exit that is the host's own business - a host NMI (reason 0 with an
 * NMI, R22) or a host interrupt (reason 1; the vector is in the exit with
 * acknowledge-on-exit, R21, else the host takes it from its LAPIC) -
 * handled as the host does. False for any other exit.
 */
bool l0_handle_host_exit(struct l0_base *b, uint32_t basic_reason, uint32_t intr_info);

/*
 * Take, as the host's IDT would, what reached the pins while the host was
 * busy: machine checks first (R24 level 1), then NMIs and interrupts.
 * False if a machine check shut the host processor down (the guest is
 * stopped).
 */
bool l0_service_host(struct l0_base *b);

/* Only the NMIs: right after a VM exit, before interrupts are enabled, the host still takes NMIs. */
void l0_service_host_nmis(struct l0_base *b);

/* Trace why the guest stops running. */
void l0_guest_stop(struct l0_base *b, const char *why);

/*
 * What the guest just did is not modelled: the guest stops ("not modelled:
 * what") and the run is refused at scenario line `line` (l0_env.refuse).
 */
void l0_refuse(struct l0_base *b, uint32_t line, const char *what);

/* Enter the guest (VMLAUNCH the first time). Traces and returns L0_STOPPED on failure. */
enum l0_status l0_enter(struct l0_base *b);

#endif
