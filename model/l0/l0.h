/* SPDX-License-Identifier: Apache-2.0 */
/*
 * l0.h - the interface between the machine and an L0 hypervisor model.
 *
 * An L0 runs in VMX root operation as C code. The machine calls it whenever
 * its logical processor stops in root operation (after a VM exit, or before
 * the first entry); the L0 handles what happened, decides what to inject,
 * spends its cycles on the processor (vmx_lp_spend) and enters the guest
 * again. Variants are selected by name from a scenario.
 */
#ifndef VMXSIM_L0_H
#define VMXSIM_L0_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/hw/vmx_lp.h"
#include "model/trace/trace.h"
#include "vmcs/x86_mcg.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * What user space's debugger does when a `guest-debug` stimulus arrives:
 * single-step `steps` instructions; set a hardware breakpoint at `hbreak`
 * and stop at its hits; give the guest its own DR0-DR3 and DR7 (`hw`) and
 * stop at every KVM_EXIT_DEBUG; take the guest's INT3 for its own (`sw`);
 * move RIP on by `steps` bytes while it holds the vCPU (`skip`); or let the
 * guest go (`continue`).
 */
enum l0_guest_debug_kind { L0_GDB_STEP, L0_GDB_HBREAK, L0_GDB_HW, L0_GDB_SW, L0_GDB_SKIP, L0_GDB_CONTINUE };
struct l0_guest_debug_cmd {
	enum l0_guest_debug_kind kind;
	uint32_t steps;
	bool blockirq;           /* KVM_GUESTDBG_BLOCKIRQ: no interrupt or NMI is injected while it steps */
	uint64_t hbreak;         /* the breakpoint's linear address */
	uint64_t dr[4], dr7;     /* `hw`: the debug registers the debugger gives KVM_SET_GUEST_DEBUG */
};

#define L0_NMI (-1)   /* "vector" of an NMI in guest_event / virtual_ipi */

/* A switch given to the variant: "-timeout", "+foo", "name=value". */
struct l0_switch {
	const char *name;      /* without the leading +/- */
	const char *value;     /* "on", "off", or the text after '=' */
};

/* What the machine gives one vCPU's hypervisor instance. */
struct l0_env {
	struct vmx_lp *lp;                /* the processor it runs on */
	uint32_t cpu;                     /* vCPU number */
	struct trace_bus *bus;            /* for its decisions */
	struct vmx_guest_mem *guest_mem;  /* the L1 guest's memory (program, IDT, stack) */
	uint64_t guest_entry;             /* the guest's first RIP */
	const struct vmcs_write *vmcs_writes;   /* scenario's VMCS setup, in order */
	uint32_t nvmcs_writes;
	/* Bits the scenario sets in the MSR bitmap of the guest's VMCS (used if it sets "use MSR bitmaps"). */
	const struct msr_bitmap_bit *msr_intercepts;
	uint32_t nmsr_intercepts;
	const struct l0_switch *switches;
	uint32_t nswitches;
	/*
	 * Nested: the L2 guest's memory and entry point, the VMCS lines L1 set
	 * up for it (vmcs12's starting content) and L1's exit handler (its
	 * HOST_RIP). l2_mem is NULL when the scenario has no L2.
	 */
	struct vmx_guest_mem *l2_mem;
	uint64_t l2_entry;
	const struct vmcs_write *l2_vmcs_writes;
	uint32_t nl2_vmcs_writes;
	uint64_t l1_exit_handler;
	/*
	 * L1's VMXON region, vmcs0 (vmcs12 as L1 left it before its first
	 * VMLAUNCH, set up from l2_vmcs_writes) and its other VMCS regions are
	 * in guest_mem->regions. L1 starts outside VMX operation (its first
	 * VMX instruction is a VMXON), or as if it had done VMXON and VMPTRLD
	 * of vmcs0.
	 */
	bool l1_outside_vmx;
	/* A guest IPI to another vCPU (vector or L0_NMI); the machine adds the latency. */
	void (*virtual_ipi)(void *machine, uint32_t src, uint32_t dest, int vector);
	/*
	 * The L0 met something of the guest's it does not model: the run
	 * reports "not modelled: WHAT" at the guest instruction's source line
	 * and fails, as for an instruction the processor refuses
	 * (HW_NOT_MODELLED). The L0 then stops that guest (L0_STOPPED).
	 */
	void (*refuse)(void *machine, uint32_t line, const char *what);
	void *machine;
};

/* What run_root left the vCPU doing. */
enum l0_status {
	L0_ENTERED,   /* the guest runs again */
	L0_BLOCKED,   /* the vCPU waits in the host (an emulated HLT); call again after a stimulus */
	L0_STOPPED,   /* the guest cannot run any more */
};

struct l0_switch_desc {
	const char *name;
	const char *help;
};

struct l0_variant {
	const char *name;
	const char *summary;
	const struct l0_switch_desc *switches;     /* {NULL, NULL}-terminated */
	/* Instance for one vCPU, or NULL with err filled (e.g. a bad switch value). */
	void *(*create)(const struct l0_env *env, char *err, size_t errlen);
	void (*destroy)(void *inst);
	/*
	 * A virtual event for the guest: vector or L0_NMI; `via` names its
	 * source ("userspace" for an NMI that user space injects), or NULL.
	 * True if the vCPU must be kicked out of the guest.
	 */
	bool (*guest_event)(void *inst, int vector, const char *via);
	/*
	 * A machine check user space injects into its guest (KVM_X86_SET_MCE,
	 * for an L0 with takes_guest_machine_checks), with the error it
	 * carries, from scenario line `line`. True if the vCPU must be kicked
	 * out of the guest.
	 */
	bool (*guest_mce)(void *inst, const struct x86_mce_record *mce, uint32_t line);
	/*
	 * User space's debugger (KVM_SET_GUEST_DEBUG): a `guest-debug` command
	 * - single steps, or a hardware breakpoint - from scenario line `line`.
	 * NULL for an L0 without user space. True if the vCPU must be kicked
	 * out of the guest.
	 */
	bool (*guest_debug)(void *inst, const struct l0_guest_debug_cmd *cmd, uint32_t line);
	/* Its debugger can keep interrupts out while it steps (KVM_GUESTDBG_BLOCKIRQ, 2021). */
	bool guest_debug_blockirq;
	/* Its debugger gives a DR7 of its own and has software breakpoints (2008's KVM_DEBUG_GUEST had neither). */
	bool guest_debug_dr7;
	/* The processor is in root operation, or the vCPU was blocked: handle, inject, enter. */
	enum l0_status (*run_root)(void *inst);
	/* Runs L1 hypervisors (a `guest L2` block is allowed). */
	bool nested;
	/* The level of the guest the processor runs now (1 or 2); NULL means 1. */
	uint32_t (*guest_level)(void *inst);
	/*
	 * Nested: the VMX capabilities L1 reads (nested_vmx_setup_ctls_msrs),
	 * whose must-be-1 control bits L1 puts into its VMCS as on bare metal
	 * it puts the processor's; NULL means the processor's.
	 */
	void (*offered_caps)(const struct cpu_model *cpu, struct vmx_caps *caps);
	/*
	 * The cycle at which a blocked vCPU's L0 wants to run again by itself
	 * (a host timer: the hrtimer that emulates L1's preemption timer while
	 * L2 waits in an emulated HLT), or UINT64_MAX; NULL means never.
	 */
	uint64_t (*wake_deadline)(const void *inst);
	/*
	 * Its times relative to t->now, dead ones as 0 (model/time/time_shift.h):
	 * every field of the instance that holds a cycle. NULL: it has not
	 * listed them, and no state of a machine it runs is taken as a shifted
	 * copy of another.
	 */
	void (*time_shift)(const void *inst, struct time_shift *t);
	/*
	 * It follows single-stepping (RFLAGS.TF) and the pending-debug field
	 * of a single-level guest - one that runs no L2 - as the processor
	 * delivers them (the KVM models: kvm_debug.c).
	 */
	bool follows_guest_debug;
	/*
	 * It takes machine checks at the host's processor (the `mce` stimulus
	 * -> L0): in root operation through l0_service_host, in the guest as
	 * its exception bitmap and the processor decide (the KVM models:
	 * kvm_vmx.c handle_machine_check; plain.c).
	 */
	bool takes_host_machine_checks;
	/*
	 * It takes a machine check for its guest (the `mce` stimulus -> L1):
	 * user space injecting one with KVM_X86_SET_MCE, as QEMU does for a
	 * poisoned page (guest_mce; the KVM models since 2009).
	 */
	bool takes_guest_machine_checks;
	uint32_t guest_mce_banks;   /* the banks its guest has (the record's bank must be below) */
	/*
	 * What it does with a single-level guest's debug registers (enum
	 * l0_debug_follows: L0_FOLLOWS_MOV_DR, L0_FOLLOWS_DR7): the KVM models'
	 * handle_dr() and switch_db_regs (kvm_debugreg.c); `plain` leaves them to
	 * the processor (no MOV-DR exiting).
	 */
	unsigned follows_debugregs;
	/*
	 * A `vmcs GUEST_DR7` line can give its guest a DR7 other than 400H
	 * before the first entry: user space's KVM_SET_DEBUGREGS under the KVM
	 * models that have it (a1efbe77, 2010: kvm-2011, kvm-modern), plain's
	 * own setup. NULL if it can; otherwise why not, for the scenario error.
	 */
	const char *guest_dr7_unsettable;
};

/*
 * Bytes of an instance made by a variant's create: one block, made by
 * l0_instance_new, whose pointers lead only to the machine's own objects
 * (the processor, the guests' memory, its own vmcs01/vmcs02) and to
 * constants. A machine snapshot (model/machine/snapshot.c) saves and puts
 * back those bytes in place.
 */
size_t l0_instance_size(const void *inst);
/* The bytes of an instance (offset, length) that do not change after its creation: its MSR-bitmap page. */
void l0_instance_fixed(const void *inst, size_t *offset, size_t *len);
/*
 * The bytes of an instance (offset, length; 0: none) that change seldom,
 * after the fixed ones, with the write stamp of their last change
 * (vmx_guest_mem_stamp): a snapshot puts them back only when it differs.
 */
void l0_instance_cold(const void *inst, size_t *offset, size_t *len, const uint64_t **stamp);

/* Variant by name, or NULL. */
const struct l0_variant *l0_lookup(const char *name);
int l0_variant_count(void);
const struct l0_variant *l0_variant_at(int i);

/* Is `name` one of the variant's switches? */
bool l0_has_switch(const struct l0_variant *v, const char *name);

/* The host's reschedule IPI vector, used to kick a vCPU out of the guest. */
#define L0_KICK_VECTOR 0xfd

/*
 * What an L0 model does not follow in a guest it enters, though the
 * processor models it: single-stepping (RFLAGS.TF) and pending debug
 * exceptions unless `follows` has them (enum l0_debug_follows: both for a
 * guest of an L0 with l0_variant.follows_guest_debug, L1 or a nested KVM's
 * L2), and DR7 breakpoints unless `follows`
 * has L0_FOLLOWS_DR7 (a single-level guest of kvm-2011 and kvm-modern). A "not modelled" refusal (a static string) with the field that
 * holds it; NULL if none. A nested L0's entry of L2 refuses it; a C L0's
 * guest is refused at its `vmcs` line (lib/scenario_build.c). The entry
 * checks on these fields (R12) stay modelled: they fail before the guest
 * runs.
 */
enum l0_debug_follows {
	L0_FOLLOWS_TF = 1u << 0,            /* RFLAGS.TF: the single-step traps of what it emulates */
	L0_FOLLOWS_PENDING_DBG = 1u << 1,   /* GUEST_PENDING_DBG_EXCEPTIONS, and the #DB exits it causes */
	L0_FOLLOWS_MOV_DR = 1u << 2,        /* MOV to and from DRn: MOV-DR exiting and its handler */
	L0_FOLLOWS_DR7 = 1u << 3,           /* DR7 breakpoints: DR0-DR3 loaded before entry, the #DB exit */
	L0_FOLLOWS_BTF = 1u << 4,           /* IA32_DEBUGCTL.BTF with TF: kept and honoured (plain), or dropped (KVM) */
	L0_FOLLOWS_L2_DEBUGREGS = 1u << 5,  /* a nested KVM: L2's MOV DR and DR7, L1's DR7 while it runs L2 */
};
/*
 * dr: DR0-DR3 as the guest will find them (the processor does not switch
 * them), against which a data breakpoint GUEST_DR7 enables is checked.
 */
const char *l0_guest_debug_not_modelled(const struct vmcs *v, const uint64_t dr[4], unsigned follows,
                                        enum vmcs_field *field);

#ifdef __cplusplus
}
#endif
#endif
