#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""compare.py - reduce a Bochs run and a vmxsim run of one case to the
architectural results the SDM defines, and compare them.

    compare.py --map case.map --elf case.elf --bochs bochs.bxo --trace vmxsim.trace
               [--case NAME] [--model BOCHS_MODEL] [--bochs-version debian-2.7|upstream]

Both sides become one list of events, in program order:

  vmentry  insn, rip                     a VM entry that succeeded
  vmexit   reason (32 bits), qual, and for an exit that is not an entry
           failure: intr_info (+ intr_ec when bit 11), idt_info (+ idt_ec),
           insn_len where the SDM defines it, rip, intr_state, activity
  vmfail   insn, error (0: VMfailInvalid), rip
  record   level, rip, the recorded registers
  hlt      the L1 program's HLT: the end of the case

Addresses are compared as LABEL+OFFSET of the scenario (case.map): a Bochs
RIP through the compiler's vx_pP_{i,x,e}I symbols, a vmxsim RIP in its own
program's address space. Cycle counts never take part (Bochs's clock counts
instructions).

A difference that a named Bochs deviation (deviations.py) explains is
reported with its name and passes; any other difference fails. When one side
was cut off (Bochs's instruction budget, vmxsim's `run` length before L1's
HLT) only the common prefix is compared, and the report says so.

Exit status: 0 agreement (or only named deviations), 1 a difference, 2 bad input.
"""

import argparse
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import deviations  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


class BadInput(Exception):
    pass


def exit_reason_numbers():
    """name -> number, from the project's exit-reason table."""
    table = {}
    path = os.path.join(ROOT, "vmcs", "vmx_exit_reasons.def")
    with open(path) as f:
        for line in f:
            m = re.match(r"\s*EXIT_REASON\(\s*(\d+)\s*,\s*(\w+)\s*,", line)
            if m:
                table[m.group(2)] = int(m.group(1))
    return table


REASONS = exit_reason_numbers()
REASON_NAMES = {v: k for k, v in REASONS.items()}

# Exits that save the VM-exit instruction length (SDM Vol. 3C 28.2.4, "Information
# for VM Exits Due to Instruction Execution"): the instruction-caused ones.
INSN_LEN_EXITS = {REASONS[n] for n in (
    "TASK_SWITCH", "CPUID", "GETSEC", "HLT", "INVD", "INVLPG", "RDPMC", "RDTSC", "RSM",
    "VMCALL", "VMCLEAR", "VMLAUNCH", "VMPTRLD", "VMPTRST", "VMREAD", "VMRESUME",
    "VMWRITE", "VMOFF", "VMON", "CR_ACCESS", "DR_ACCESS", "IO_INSTRUCTION",
    "MSR_READ", "MSR_WRITE", "MWAIT_INSTRUCTION", "MONITOR_INSTRUCTION",
    "PAUSE_INSTRUCTION", "GDTR_IDTR", "LDTR_TR", "INVEPT", "RDTSCP", "INVVPID",
    "WBINVD", "XSETBV", "RDRAND", "INVPCID", "VMFUNC", "RDSEED", "XSAVES", "XRSTORS")}

INSN_NAMES = {1: "vmlaunch", 2: "vmresume", 3: "vmread", 4: "vmwrite", 5: "vmptrld",
              6: "vmptrst", 7: "vmclear", 8: "vmxon", 9: "vmxoff"}
GPRS = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]

ACTIVITY = {"active": 0, "hlt": 1, "shutdown": 2, "wait-for-sipi": 3}


def insn_len_defined(reason, intr_info, idt_info):
    """Whether the SDM defines the instruction length of this exit (28.2.4, 28.2.5)."""
    if reason & 0x80000000:
        return False
    if (reason & 0xffff) in INSN_LEN_EXITS:
        return True
    # Software exceptions and interrupts (types 4, 5, 6) exiting, or being delivered.
    for info in (intr_info, idt_info):
        if info & 0x80000000 and (info >> 8) & 7 in (4, 5, 6):
            return True
    return False


# ---------------------------------------------------------------- addresses

class CaseMap:
    """The compiler's map (case.map) and the linked case's symbols (nm case.elf)."""

    def __init__(self, map_path, elf_path):
        self.insn = {1: [], 2: []}      # per program: (vmxsim addr, len, label, off, kind)
        self.prog = {}
        self.pages = []
        with open(map_path) as f:
            for n, line in enumerate(f, 1):
                w = line.split()
                if not w or w[0].startswith("#"):
                    continue
                try:
                    if w[0] == "insn":
                        p, i = int(w[1]), int(w[2])
                        rec = (int(w[3], 0), int(w[4], 0), w[5], int(w[6], 0), w[7])
                        lst = self.insn.setdefault(p, [])
                        if i != len(lst):
                            raise ValueError("instructions out of order")
                        lst.append(rec)
                    elif w[0] == "prog":
                        self.prog[int(w[1])] = (int(w[2], 0), int(w[3], 0))
                    elif w[0] in ("region", "page"):
                        # a page vmxsim names by its own address, and the case's symbol for it
                        self.pages.append((int(w[2], 0), w[3]))
                except (IndexError, ValueError) as e:
                    raise BadInput("%s:%d: %s" % (map_path, n, e))
        self.sym = {}                   # (p, 'i'|'x'|'e', i) -> x86 address
        out = subprocess.run(["nm", elf_path], capture_output=True, text=True)
        if out.returncode:
            raise BadInput("nm %s: %s" % (elf_path, out.stderr.strip()))
        named = {}
        for line in out.stdout.splitlines():
            w = line.split()
            if len(w) != 3:
                continue
            named[w[2]] = int(w[0], 16)
            m = re.match(r"vx_p(\d+)_([ixe])(\d+)$", w[2])
            if m:
                self.sym[(int(m.group(1)), m.group(2), int(m.group(3)))] = int(w[0], 16)
        # The case's pages (VMCS regions, MSR bitmap, ...) by x86 address.
        self.page_of = {named[sym]: addr for addr, sym in self.pages if sym in named and addr}
        # Sorted starts, for the lookup of an x86 address.
        self.starts = sorted((a, p, i) for (p, k, i), a in self.sym.items() if k == "i")
        self.x86_lo = self.starts[0][0] if self.starts else 0
        self.x86_hi = max(self.sym.values()) if self.sym else 0

    def name(self, p, addr):
        """LABEL+OFFSET of vmxsim address addr in program p (hex when outside it)."""
        for (a, ln, label, off, kind) in self.insn.get(p, []):
            if a <= addr < a + ln:
                d = off + addr - a
                return label if d == 0 else "%s+%d" % (label, d)
        lst = self.insn.get(p, [])
        if lst:
            a, ln, label, off, kind = lst[-1]
            if addr == a + ln:
                d = off + ln
                return "%s+%d" % (label, d)
        return "0x%x" % addr

    def vmxsim_of_x86(self, x):
        """The vmxsim (program, address) an x86 address of the case stands for, or None."""
        lo, hi = 0, len(self.starts)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self.starts[mid][0] <= x:
                lo = mid
            else:
                hi = mid
        if not self.starts or x < self.starts[0][0]:
            return None
        start, p, i = self.starts[lo]
        insns = self.insn.get(p, [])
        if i >= len(insns):
            return None
        a, ln, label, off, kind = insns[i]
        if kind == "work":
            return (p, a + min(x - start, ln))
        end = self.sym.get((p, "e", i))
        if end is None or x < end:
            return (p, a)
        # Past the effective instruction: the boundary after it.
        nxt = self.sym.get((p, "i", i + 1))
        if nxt is not None and x >= nxt:
            return None
        return (p, a + ln)

    def x86_name(self, x):
        v = self.vmxsim_of_x86(x)
        if v is None:
            return "x86:0x%x" % x
        return self.name(v[0], v[1])

    def x86_name_after(self, x):
        """LABEL+OFFSET of the boundary after the instruction at x86 address x."""
        v = self.vmxsim_of_x86(x)
        if v is None:
            return "x86:0x%x" % x
        p, a = v
        for (ia, ln, label, off, kind) in self.insn.get(p, []):
            if ia == a:
                return self.name(p, a + ln)
        return self.name(p, a)

    def x86_value(self, x):
        """A recorded value: an address of the case's code or pages becomes vmxsim's address."""
        if x in self.page_of:
            return self.page_of[x]
        if self.x86_lo <= x <= self.x86_hi:
            v = self.vmxsim_of_x86(x)
            if v is not None:
                return v[1]
        return x


# ---------------------------------------------------------------- the two sides

def kv(fields):
    out = {}
    for tok in fields:
        if "=" in tok:
            k, v = tok.split("=", 1)
            out[k] = v
    return out


def num(s):
    return int(s, 0)


def exit_event(reason, qual, intr_info, intr_ec, idt_info, idt_ec, insn_len, rip, intr_state, activity):
    e = {"kind": "vmexit", "reason": reason, "qual": qual}
    if reason & 0x80000000:
        return e            # an entry failure writes only the reason and the qualification (R26)
    e["intr_info"] = intr_info
    if intr_info & 0x80000000 and intr_info & 0x800:
        e["intr_ec"] = intr_ec
    e["idt_info"] = idt_info
    if idt_info & 0x80000000 and idt_info & 0x800:
        e["idt_ec"] = idt_ec
    if insn_len_defined(reason, intr_info, idt_info):
        e["insn_len"] = insn_len
    e["rip"] = rip
    e["intr_state"] = intr_state
    e["activity"] = activity
    return e


def bochs_line(line, events, notes, cmap, pending_entry, finished, cut):
    """One report line of the runtime into events; returns the new (pending entry, finished, cut)."""
    w = line.split()
    what, f = w[1], kv(w[2:])
    if what == "vmentry":
        pending_entry = {"kind": "vmentry", "insn": f["insn"], "rip": cmap.x86_name(num(f["rip"]))}
    elif what == "vmexit":
        reason = num(f["reason"])
        if pending_entry and not reason & 0x80000000:
            events.append(pending_entry)
        pending_entry = None
        events.append(exit_event(reason, num(f["qual"]), num(f["intr_info"]), num(f["intr_ec"]),
                                 num(f["idt_info"]), num(f["idt_ec"]), num(f["insn_len"]),
                                 cmap.x86_name(num(f["rip"])), num(f["intr_state"]),
                                 num(f["activity"])))
    elif what == "vmfail":
        if f["insn"] in ("vmlaunch", "vmresume"):
            pending_entry = None
        events.append({"kind": "vmfail", "insn": f["insn"],
                       "error": num(f["error"]) if f.get("kind") == "valid" else 0,
                       "rip": cmap.x86_name(num(f["rip"]))})
    elif what == "record":
        if pending_entry and f.get("prog") == "2":
            events.append(pending_entry)      # the guest ran: its entry succeeded
            pending_entry = None
        regs = {k: cmap.x86_value(num(v)) for k, v in f.items() if k in GPRS}
        events.append({"kind": "record", "level": int(f["prog"]), "rip": cmap.x86_name(num(f["rip"])),
                       "regs": regs})
    elif what == "l1-hlt":
        # The runtime gets the HLT's own address; vmxsim's `hlt` event
        # gives where execution resumes, past it.
        events.append({"kind": "hlt", "rip": cmap.x86_name_after(num(f["rip"]))})
    elif what == "l1-exception":
        events.append({"kind": "l1-exception", "vector": num(f["vector"]),
                       "rip": cmap.x86_name(num(f["rip"]))})
    elif what == "done":
        finished = True
    elif what == "cut-off":
        cut = w[2] if len(w) > 2 else "?"
    elif what in ("warning", "error", "abort"):
        notes.append(line)
    return pending_entry, finished, cut


def read_bochs(path, cmap):
    """Events of the Bochs run, whether it finished, its notes (log lines, warnings)."""
    events, notes, finished, cut = [], [], False, None
    pending_entry = None
    with open(path, errors="replace") as f:
        lines = f.read().splitlines()
    # The budget can stop Bochs in the middle of a report line, its debugger's
    # message then ends that line: drop the last report line when it has words
    # that are not KEY=VALUE and the run was cut off.
    reports = [i for i, line in enumerate(lines) if line.startswith("BXO ") and not line.startswith("BXO cut-off")]
    if reports and any(line.startswith("BXO cut-off") for line in lines):
        last = lines[reports[-1]].split()
        if any("=" not in word for word in last[2:]):
            lines[reports[-1]] = ""
    for line in lines:
        if line.startswith("BXOLOG "):
            notes.append(line[7:].strip())
            continue
        if not line.startswith("BXO "):
            continue
        try:
            pending_entry, finished, cut = bochs_line(line, events, notes, cmap, pending_entry, finished, cut)
        except (KeyError, ValueError, IndexError):
            # A runaway guest's OUT to port 0xE9 can splice bytes into a
            # report: nothing after it can be trusted.
            notes.append("garbled report line, the rest is not read: %s" % line[:120])
            cut = "garbled report"
            finished = False
            break
    if pending_entry and not finished:
        events.append(pending_entry)      # cut off in the guest: the entry succeeded
    if not finished and cut is None:
        cut = "no end"
    return events, finished, cut, notes


TRACE_LINE = re.compile(r"\s*(\d+)\s+cpu(\d+)\s+L(\d)\s+(\S+)\s*(.*)$")


def split_fields(rest):
    """key=value fields of a trace line (values may be quoted)."""
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
            for m in re.finditer(r'(\w+)=(?:"([^"]*)"|(\S+))', rest)}


def read_vmxsim(path, cmap):
    """Events of the vmxsim run (bare metal: L1 = program 1, L2 = program 2)."""
    events, finished, checks = [], False, []
    blocking = {1: "none", 2: "none"}     # the last `blocking` state per level
    last_deliver = None                   # the last delivery through an IDT since the last exit
    woke_by_vid = False                   # a guest in HLT woke for a virtual-interrupt delivery since the last exit
    woke = False
    with open(path) as f:
        for line in f:
            m = TRACE_LINE.match(line)
            if not m:
                continue
            level, what, f2 = int(m.group(3)), m.group(4), split_fields(m.group(5))
            if what == "blocking":
                blocking[level] = f2.get("to", "none")
            elif what == "wake":
                woke = f2.get("from") == "hlt"
            elif what == "vapic":
                woke_by_vid = woke_by_vid or (woke and f2.get("op") == "deliver")
                woke = False
            elif what == "deliver":
                last_deliver = f2
            elif what == "vmentry":
                events.append({"kind": "vmentry", "insn": f2["insn"], "rip": cmap.name(2, num(f2["rip"]))})
            elif what == "vmexit":
                name = f2["reason"]
                reason = REASONS[name] if name in REASONS else num(name)
                if "failed_vmentry" in f2:
                    reason |= 0x80000000
                    if "check" in f2:
                        checks.append(f2["check"])
                events.append(exit_event(reason, num(f2["qual"]), num(f2.get("intr_info", "0")),
                                         num(f2.get("error_code", "0")), num(f2.get("idt_vectoring", "0")),
                                         num(f2.get("idt_error", "0")), num(f2.get("insn_len", "0")),
                                         cmap.name(2, num(f2["rip"])), num(f2.get("intr_state", "0")),
                                         ACTIVITY.get(f2.get("activity", "active"), -1)))
                events[-1]["_check"] = f2.get("check", "")
                # Blocking by NMI (not virtual-NMI blocking) held by the guest
                # when it exited: the configuration vmxsim saves as bit 3 = 0.
                if "nmi" in blocking.get(level, "").split("|"):
                    events[-1]["_config"] = "nmi-exiting-no-vnmi"
                if last_deliver and last_deliver.get("type") == "nmi" and last_deliver.get("injected") in ("0", "false"):
                    events[-1]["_after_nmi_delivery"] = True
                if woke_by_vid:
                    events[-1]["_after_vid_wake"] = True
                last_deliver = None
                woke = woke_by_vid = False
            elif what == "vmfail":
                if "check" in f2:
                    checks.append(f2["check"])
                events.append({"kind": "vmfail", "insn": f2["insn"], "error": num(f2["error"]),
                               "rip": cmap.name(1, num(f2.get("rip", "0"))), "_check": f2.get("check", "")})
            elif what == "record":
                regs = {k: num(v) for k, v in f2.items() if k in GPRS}
                events.append({"kind": "record", "level": level, "rip": cmap.name(level, num(f2["rip"])),
                               "regs": regs})
            elif what == "hlt" and level == 1:
                # vmxsim's rip is where execution resumes: past the HLT.
                events.append({"kind": "hlt", "rip": cmap.name(1, num(f2["rip"]))})
                finished = True
                break
            elif what == "not_modelled":
                events.append({"kind": "not-modelled", "what": m.group(5).strip()})
    return events, finished, checks


# ---------------------------------------------------------------- comparison

FIELD_ORDER = ["insn", "reason", "qual", "intr_info", "intr_ec", "idt_info", "idt_ec", "insn_len",
               "rip", "intr_state", "activity", "error", "level", "vector", "regs", "what"]


def fmt_value(k, v):
    if k == "reason":
        base = REASON_NAMES.get(v & 0xffff, "0x%x" % (v & 0xffff))
        return base + ("|FAILED_VMENTRY" if v & 0x80000000 else "")
    if k in ("intr_info", "idt_info"):
        return "0x%08x" % v
    if k in ("qual", "intr_ec", "idt_ec", "intr_state"):
        return "0x%x" % v
    if k == "regs":
        return ",".join("%s=0x%x" % (r, v[r]) for r in GPRS if r in v)
    return str(v)


def fmt(e):
    if e is None:
        return "(nothing)"
    return e["kind"] + " " + " ".join("%s=%s" % (k, fmt_value(k, e[k])) for k in FIELD_ORDER if k in e)


def field_diff(a, b):
    keys = [k for k in FIELD_ORDER if k in a or k in b]
    return [k for k in keys if a.get(k) != b.get(k)] + (["kind"] if a["kind"] != b["kind"] else [])


def public(e):
    """An event without the fields that only explain it (vmxsim's `check`)."""
    return {k: v for k, v in e.items() if not k.startswith("_")}


def compare(case, model, bochs_version, vm, bx, vm_finished, bx_finished, bx_cut):
    """Returns (ok, report lines)."""
    out, ok = [], True
    n = max(len(vm), len(bx))
    compared = 0
    history = []
    for k in range(n):
        a = vm[k] if k < len(vm) else None
        b = bx[k] if k < len(bx) else None
        # A side that did not reach L1's final HLT has nothing more to say.
        # vmxsim's run stops at the scenario's `run` length: what Bochs did
        # after that is not compared. Bochs stops at its instruction budget
        # or timeout: when vmxsim went on to L1's HLT, Bochs's silence is
        # itself a difference (it hung where vmxsim did not); when neither
        # finished (a guest that loops), the common prefix is compared.
        if a is None and not vm_finished:
            out.append("  #%d: vmxsim's run ended before this event (its `run` length); not compared" % (k + 1))
            break
        if b is None and not bx_finished and not vm_finished:
            out.append("  #%d: Bochs was cut off (%s) before this event; not compared" % (k + 1, bx_cut))
            break
        compared += 1
        if a is not None and b is not None and public(a) == public(b):
            out.append("SAME  #%d %s" % (k + 1, fmt(a)))
            history.append((a, b))
            continue
        diffs = field_diff(a, b) if a and b else ["event"]
        dev = deviations.explain(case=case, model=model, version=bochs_version, vmxsim=a, bochs=b,
                                 diffs=diffs, history=history)
        if dev:
            out.append("KNOWN #%d Bochs deviation %s: %s" % (k + 1, dev.name, dev.title))
            out.append("      vmxsim: %s" % fmt(a))
            out.append("      bochs:  %s" % fmt(b))
            history.append((a, b))
            if dev.ends_comparison:
                out.append("      (the runs part here because of it: the rest is not compared)")
                break
            continue
        ok = False
        out.append("DIFF  #%d in %s" % (k + 1, ", ".join(diffs)))
        out.append("      vmxsim: %s" % fmt(a))
        out.append("      bochs:  %s" % fmt(b))
        break
    return ok, compared, out


def main(argv):
    ap = argparse.ArgumentParser(description="compare a Bochs run and a vmxsim run of one oracle case")
    ap.add_argument("--map", required=True)
    ap.add_argument("--elf", required=True)
    ap.add_argument("--bochs", required=True)
    ap.add_argument("--trace", required=True)
    ap.add_argument("--case", default="?")
    ap.add_argument("--model", default="?")
    ap.add_argument("--bochs-version", default="debian-2.7")
    a = ap.parse_args(argv)
    try:
        cmap = CaseMap(a.map, a.elf)
        bx, bx_finished, bx_cut, notes = read_bochs(a.bochs, cmap)
        vm, vm_finished, checks = read_vmxsim(a.trace, cmap)
    except (OSError, BadInput, KeyError, ValueError) as e:
        print("compare.py: %s" % e, file=sys.stderr)
        return 2
    ok, compared, report = compare(a.case, a.model, a.bochs_version, vm, bx, vm_finished, bx_finished, bx_cut)
    print("oracle %s on %s (%s): %d vmxsim events, %d Bochs events, %d compared" %
          (a.case, a.model, a.bochs_version, len(vm), len(bx), compared))
    for line in report:
        print(line)
    for c in checks:
        print("  vmxsim check: %s" % c)
    for n in notes:
        print("  bochs: %s" % n)
    if not bx and not vm:
        print("oracle: no event on either side: nothing was compared")
        return 1
    print("oracle: %s" % ("AGREE" if ok else "DISAGREE"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
