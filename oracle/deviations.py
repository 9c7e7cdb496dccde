# SPDX-License-Identifier: Apache-2.0
"""deviations.py - where Bochs itself departs from the SDM, by name.

Each deviation is a named expected difference between vmxsim and Bochs: the
comparer (compare.py) reports it by name with both sides and passes; a
difference no deviation explains fails the case. docs/oracle.md gives each
one with the SDM text that shows Bochs wrong and the cases it touches; the
docs test checks that the page and this table name the same deviations.

A matcher sees one pair of events that differ (vmxsim's `a`, Bochs's `b`,
either may be None when one side has no such event), the names of the fields
that differ, and the pairs compared before it. It must be as narrow as the
bug: a deviation that matched anything would hide vmxsim's own mistakes.
"""

from collections import namedtuple

# kind: "bochs" - Bochs contradicts the SDM; "disputed" - the SDM does not
# settle it and vmxsim takes the other side, for the reason docs/oracle.md gives.
Deviation = namedtuple("Deviation", "name kind title versions ends_comparison match")


def _exit(e, reason=None):
    return e is not None and e["kind"] == "vmexit" and (reason is None or e["reason"] == reason)


def _check(e, text):
    return e is not None and text in e.get("_check", "")


def _nmi_exit_saves_blocking(a, b, diffs, history):
    # An exit caused by an NMI (reason 0, interruption type 2) where Bochs
    # alone saves blocking by NMI in the guest's interruptibility state.
    return (_exit(a, 0) and _exit(b, 0) and diffs == ["intr_state"]
            and (a["intr_info"] >> 8) & 7 == 2
            and b["intr_state"] == a["intr_state"] | 0x8)


def _nmi_blocking_saved_without_vnmi(a, b, diffs, history):
    # NMI exiting 1, virtual NMIs 0, the guest blocked by NMI (an NMI was
    # injected or delivered and no exit has happened since): vmxsim saves
    # bit 3 as 0, Bochs as 1. Everything else about the exit agrees.
    if not (_exit(a) and _exit(b) and diffs == ["intr_state"] and b["intr_state"] == a["intr_state"] | 0x8):
        return False
    return "nmi-exiting-no-vnmi" in a.get("_config", "")


def _nmi_blocking_leaks(a, b, diffs, history):
    # Blocking by NMI from an earlier NMI exit or NMI injection survives a
    # later VM entry whose interruptibility field had bit 3 clear.
    if not (_exit(a) and _exit(b) and diffs == ["intr_state"] and b["intr_state"] == a["intr_state"] | 0x8):
        return False
    return any(_exit(x) and (x.get("intr_info", 0) >> 8) & 7 == 2 for x, _ in history)


def _guest_check_skipped(a, b, check):
    """vmxsim's entry fails on the guest-state check named `check` (a VM-entry
    failure); Bochs, lacking that check, goes on (no entry failure)."""
    return (_exit(a, 0x80000021) and _check(a, check)
            and b is not None and not (_exit(b) and b["reason"] & 0x80000000))


def _vnmi_injection_accepted(a, b, diffs, history):
    # vmxsim fails the entry (R10 check), Bochs enters and delivers the NMI.
    return _guest_check_skipped(a, b, "NMI injection with virtual NMIs requires no virtual-NMI blocking")


def _nmi_sti_qualification(a, b, diffs, history):
    # The entry failure itself agrees; Bochs reports qualification 0 for it.
    return (_exit(a, 0x80000021) and _exit(b, 0x80000021) and diffs == ["qual"]
            and a["qual"] == 3 and b["qual"] == 0)


def _extint_exiting_if0(a, b, diffs, history):
    # vmxsim exits for the interrupt (external-interrupt exiting), Bochs holds
    # it back because the guest has IF = 0 and lets the guest run on.
    return _exit(a, 1) and not _exit(b, 1)


def _mtf_missing(a, b, diffs, history):
    # vmxsim takes the monitor-trap-flag exit, Bochs 2.7 does not.
    return _exit(a, 37) and not _exit(b, 37)


def _hlt_injection_unchecked(a, b, diffs, history):
    # vmxsim fails the entry (R11: the event is not one HLT accepts); Bochs
    # does not compare the event with the HLT state and enters.
    return _guest_check_skipped(a, b, "R11: HLT accepts only")


def _nmi_window_saves_active(a, b, diffs, history):
    # The NMI-window exit that wakes a guest entered in HLT: Bochs makes the
    # processor active before it saves the activity state.
    return _exit(a, 8) and _exit(b, 8) and diffs == ["activity"] and a["activity"] == 1 and b["activity"] == 0


def _intr_window_no_wake(a, b, diffs, history):
    # An interrupt-window exit due to a guest in HLT: Bochs never wakes for it.
    return _exit(a, 7) and a.get("activity") == 1 and b is None


def _nmi_delivery_stale_rip(a, b, diffs, history):
    # An instruction-caused exit right after an NMI delivered through the
    # guest's IDT: Bochs saves the NMI's return address as the RIP and the
    # distance to it (modulo 16) as the length.
    return (_exit(a) and _exit(b) and a["reason"] == b["reason"] and a.get("_after_nmi_delivery")
            and set(diffs) <= {"rip", "insn_len"})


def _errcode_check_skipped_with_cet(a, b, diffs, history):
    # vmxsim fails VMLAUNCH on the deliver-error-code rule for a real-mode
    # guest (R7); a Bochs model with CET skips the whole error-code check.
    return (a is not None and a["kind"] == "vmfail" and a["error"] == 7
            and _check(a, "R7: no error code in real mode")
            and not (b is not None and b["kind"] == "vmfail"))


def _pending_debug_bs_unchecked(a, b, diffs, history):
    # vmxsim fails the entry on R12 (BS against TF under blocking or HLT);
    # Bochs checks only the reserved bits of the field and enters.
    return _guest_check_skipped(a, b, "R12:")


def _pending_debug_no_wake(a, b, diffs, history):
    # vmxsim takes the #DB trap pending at the entry of a guest in HLT (here a
    # VM exit through bit 1 of the exception bitmap, saving HLT); Bochs
    # leaves the guest halted with nothing to wake it.
    return _exit(a, 0) and a.get("intr_info") == 0x80000301 and a.get("activity") == 1 and b is None


def _vid_no_wake(a, b, diffs, history):
    # vmxsim wakes a guest in HLT for a recognised virtual interrupt and
    # delivers it (the first exit after that wake is marked by compare.py);
    # Bochs's wait loop has no virtual-interrupt event and never wakes.
    return a is not None and a.get("_after_vid_wake") and b is None


TABLE = [
    Deviation("nmi-blocking-saved-without-vnmi", "disputed",
              "with NMI exiting and without virtual NMIs, an exit while the guest is blocked by NMI saves bit 3 as 1",
              ("debian-2.7", "upstream"), True, _nmi_blocking_saved_without_vnmi),
    Deviation("nmi-exit-saves-nmi-blocking", "bochs",
              "an exit caused by an NMI saves blocking by NMI = 1 in the guest interruptibility state",
              ("debian-2.7",), True, _nmi_exit_saves_blocking),
    Deviation("nmi-blocking-leaks-across-entries", "bochs",
              "blocking by NMI from an earlier NMI survives a VM entry whose interruptibility bit 3 is 0",
              ("debian-2.7",), False, _nmi_blocking_leaks),
    Deviation("vnmi-injection-under-blocking-accepted", "bochs",
              "NMI injection with virtual NMIs and virtual-NMI blocking set is accepted, not a VM-entry failure",
              ("debian-2.7",), True, _vnmi_injection_accepted),
    Deviation("nmi-sti-entry-failure-qualification", "bochs",
              "the VM-entry failure for NMI injection under blocking by STI reports qualification 0, not 3",
              ("debian-2.7", "upstream"), False, _nmi_sti_qualification),
    Deviation("extint-exiting-held-by-guest-if", "bochs",
              "with external-interrupt exiting, an interrupt waits for the guest's RFLAGS.IF = 1 instead of exiting",
              ("debian-2.7", "upstream"), True, _extint_exiting_if0),
    Deviation("hlt-injection-unchecked", "bochs",
              "an event injected into the HLT activity state is not checked against what HLT accepts",
              ("debian-2.7", "upstream"), True, _hlt_injection_unchecked),
    Deviation("nmi-window-exit-saves-active", "bochs",
              "the NMI-window exit that wakes a guest from HLT saves the activity state as active",
              ("debian-2.7",), False, _nmi_window_saves_active),
    Deviation("intr-window-does-not-wake-hlt", "bochs",
              "an open interrupt window does not wake a guest in HLT: no interrupt-window exit",
              ("debian-2.7", "upstream"), True, _intr_window_no_wake),
    Deviation("nmi-delivery-stale-rip", "bochs",
              "an instruction-caused exit right after an NMI delivered through the guest IDT saves the NMI's return address as RIP",
              ("debian-2.7", "upstream"), True, _nmi_delivery_stale_rip),
    Deviation("errcode-check-skipped-with-cet", "bochs",
              "on a model with CET the deliver-error-code checks are skipped, the real-mode one included",
              ("debian-2.7", "upstream"), True, _errcode_check_skipped_with_cet),
    Deviation("pending-debug-bs-unchecked", "bochs",
              "the BS bit of the pending debug exceptions is not checked against RFLAGS.TF under blocking or HLT",
              ("debian-2.7", "upstream"), True, _pending_debug_bs_unchecked),
    Deviation("pending-debug-does-not-wake-hlt", "bochs",
              "a debug exception pending at the VM entry of a guest in HLT is not delivered: the guest stays halted",
              ("debian-2.7", "upstream"), True, _pending_debug_no_wake),
    Deviation("vid-does-not-wake-hlt", "bochs",
              "a virtual interrupt recognised while the guest is in HLT does not wake it: no delivery, no exit",
              ("debian-2.7", "upstream"), True, _vid_no_wake),
    Deviation("mtf-exit-missing", "bochs",
              "the monitor-trap-flag VM exit after an instruction is never taken",
              ("debian-2.7",), True, _mtf_missing),
]

NAMES = [d.name for d in TABLE]


def explain(case, model, version, vmxsim, bochs, diffs, history):
    """The deviation that explains this difference, or None."""
    for d in TABLE:
        if version in d.versions and d.match(vmxsim, bochs, diffs, history):
            return d
    return None
