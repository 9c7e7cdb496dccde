#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""vmxsim_timeline.py - a vmxsim JSONL trace read into a timeline: lanes per
vCPU and level, and on each the spans (guest running, hypervisor work,
handlers, NMI blocking, KVM's soft-vNMI flag) and marks (exits,
injections, violations) that vmxsim_plot.py draws. No matplotlib here.

Only the Python standard library.
"""

import json

class PlotError(Exception):
    """Bad input: reported as 'vmxsim_plot: message', exit status 2."""


# ---------------------------------------------------------------- the trace

def read_trace(stream, name):
    """The events of a JSONL trace, as dicts, in file order."""
    events = []
    for lineno, line in enumerate(stream, 1):
        line = line.strip()
        if not line:
            continue
        try:
            ev = json.loads(line)
        except ValueError as e:
            raise PlotError("%s:%d: not a JSON object: %s" % (name, lineno, e))
        if not isinstance(ev, dict):
            raise PlotError("%s:%d: not a JSON object" % (name, lineno))
        for key in ("cycle", "cpu", "level", "event"):
            if key not in ev:
                raise PlotError("%s:%d: no \"%s\" key (is this a vmxsim JSONL trace?)" % (name, lineno, key))
        if not isinstance(ev["cycle"], int) or not isinstance(ev["cpu"], int) or not isinstance(ev["level"], int):
            raise PlotError("%s:%d: cycle, cpu and level must be integers" % (name, lineno))
        events.append(ev)
    if not events:
        raise PlotError("%s: empty trace" % name)
    return events


# Events a hypervisor's own code makes while it runs in root operation.
ROOT_WORK_EVENTS = ("blocking", "deliver", "iret", "hlt", "wake", "eoi", "ipi", "vmfail")


def truthy(v):
    return v is True or v == 1 or v == "1" or v == "true"


def other_label(ev):
    """A short text for the rarer events drawn as black markers."""
    kind = ev["event"]
    if kind == "vmfail":
        text = "VMfail (error %s)" % ev.get("error", "?")
    elif kind == "guest_stop":
        text = "guest stopped: %s" % ev.get("why", "")
    elif kind == "nmi_lost":
        text = "NMI lost"
    elif kind == "warning":
        text = "printk: %s" % ev.get("msg", "")
    else:
        text = kind
    return text if len(text) <= 64 else text[:63] + "\u2026"


def blocking_set(state):
    return set() if not state or state == "none" else set(str(state).split("|"))


class Timeline:
    """Everything the picture shows, computed from the events once.

    Cycles are per vCPU and do not decrease within one vCPU (see
    docs/trace-format.md); each vCPU's state is followed in file order.
    """

    def __init__(self, events):
        self.lanes = set()            # (cpu, level)
        self.segments = []            # (cpu, level, start, end, kind): guest, guest-hlt, host, host-blocked
        self.handlers = []            # (cpu, level, start, end, depth, label, kind, closed)
        self.nmi_blocked = []         # (cpu, level, start, end)
        self.soft_blocked = []        # (cpu, level, start, end)
        self.soft_cleared = []        # (cpu, level, cycle)
        self.windows = []             # (cpu, level, start, end, "irq" or "nmi")
        self.stimuli = []             # (cpu, level, cycle, type, label)
        self.entries = []             # (cpu, level, cycle, injected)
        self.injects = []             # (cpu, level, cycle, label)
        self.exits = []               # (n, cpu, level, cycle, reason)
        self.others = []              # (cpu, level, cycle, what, label)
        self.nested = []              # (cpu, level, cycle, "entry"|"exit", reason): L0 emulating L1's VMX
        self.violations = []          # (cpu, level, cycle, kind)
        self.end = 0
        self._build(events)

    def _build(self, events):
        cpus = {}                     # cpu -> dict(mode, level, since, sub)
        stacks = {}                   # (cpu, level) -> [(start, label, kind)]
        nmi_open = {}                 # (cpu, level) -> start
        soft_open = {}                # (cpu, level) -> start
        win_open = {}                 # (cpu, level, "irq"|"nmi") -> start
        last = 0
        nexit = 0

        def cpu_state(cpu):
            if cpu not in cpus:
                # A vCPU starts in the hypervisor: L0 runs until the first VM entry.
                cpus[cpu] = {"mode": "host", "level": 0, "since": 0, "kind": "host"}
                self.lanes.add((cpu, 0))
            return cpus[cpu]

        def close(st, cpu, cycle):
            if st["mode"] != "stopped" and cycle > st["since"]:
                self.segments.append((cpu, st["level"], st["since"], cycle, st["kind"]))

        def switch(st, cpu, cycle, mode, level, kind):
            close(st, cpu, cycle)
            st.update(mode=mode, level=level, since=cycle, kind=kind)

        for ev in events:
            kind = ev["event"]
            cyc, cpu, lvl = ev["cycle"], ev["cpu"], ev["level"]
            if kind == "end":
                self.end = max(self.end, cyc)
                continue
            last = max(last, cyc)
            st = cpu_state(cpu)
            self.lanes.add((cpu, lvl))
            lane = (cpu, lvl)

            # Root operation belongs to L0, unless a guest hypervisor runs there itself
            # (`l0 none`: L1 is the root hypervisor): then its own events move the
            # whole span, from the exit on, to its lane.
            if st["mode"] == "host" and lvl > 0 and kind in ROOT_WORK_EVENTS:
                st["level"] = lvl

            if kind == "vmentry":
                self.entries.append((cpu, lvl, cyc, "inject" in ev))
                switch(st, cpu, cyc, "guest", lvl, "guest-hlt" if ev.get("activity") == "hlt" else "guest")
            elif kind == "vmexit":
                nexit += 1
                self.exits.append((nexit, cpu, lvl, cyc, str(ev.get("reason", "?"))))
                if st["mode"] == "guest":
                    switch(st, cpu, cyc, "host", 0, "host")
            elif kind == "hlt" and st["mode"] == "guest" and lvl == st["level"]:
                switch(st, cpu, cyc, "guest", lvl, "guest-hlt")
            elif kind == "wake" and st["mode"] == "guest" and lvl == st["level"]:
                switch(st, cpu, cyc, "guest", lvl, "guest")
            elif kind == "halt" and st["mode"] == "host":
                what = ev.get("what")
                if what == "block":
                    switch(st, cpu, cyc, "host", st["level"], "host-blocked")
                elif what == "wake":
                    switch(st, cpu, cyc, "host", st["level"], "host")
            elif kind in ("guest_stop", "shutdown"):
                self.others.append((cpu, lvl, cyc, kind, other_label(ev)))
                close(st, cpu, cyc)
                st.update(mode="stopped", since=cyc)
            elif kind == "deliver":
                typ = str(ev.get("type", "?"))
                vec = ev.get("vector", "?")
                if typ == "nmi":
                    label, hk = "NMI", "nmi"
                elif typ == "ext-intr":
                    label, hk = "irq %s" % vec, "irq"
                else:
                    label, hk = "vec %s" % vec, "exception"
                stacks.setdefault(lane, []).append((cyc, label, hk))
            elif kind == "host" and lvl == 0 and ev.get("type") in ("nmi", "irq"):
                # The host's own handler runs until L0's IRET.
                label = "host NMI" if ev.get("type") == "nmi" else "host irq %s" % ev.get("vector", "?")
                stacks.setdefault(lane, []).append((cyc, label, "host"))
            elif kind == "iret":
                stack = stacks.get(lane)
                if stack:
                    start, label, hk = stack.pop()
                    self.handlers.append((cpu, lvl, start, cyc, len(stack) + 1, label, hk, True))
            elif kind == "blocking":
                now = blocking_set(ev.get("to")) & {"nmi", "vnmi"}
                if now and lane not in nmi_open:
                    nmi_open[lane] = cyc
                elif not now and lane in nmi_open:
                    self.nmi_blocked.append((cpu, lvl, nmi_open.pop(lane), cyc))
            elif kind == "soft_vnmi":
                if truthy(ev.get("blocked")):
                    soft_open.setdefault(lane, cyc)
                else:
                    self.soft_cleared.append((cpu, lvl, cyc))
                    if lane in soft_open:
                        self.soft_blocked.append((cpu, lvl, soft_open.pop(lane), cyc))
            elif kind == "window":
                what = str(ev.get("what", ""))
                which = "nmi" if what.startswith("nmi") else "irq"
                key = (cpu, lvl, which)
                if what.endswith("-on"):
                    win_open.setdefault(key, cyc)
                elif what.endswith("-off") and key in win_open:
                    self.windows.append((cpu, lvl, win_open.pop(key), cyc, which))
            elif kind == "stimulus":
                typ = str(ev.get("type", "?"))
                label = "NMI" if typ == "nmi" else "irq %s" % ev.get("vector", "?")
                self.stimuli.append((cpu, lvl, cyc, typ, label))
            elif kind == "inject":
                typ = str(ev.get("type", "?"))
                self.injects.append((cpu, lvl, cyc, "NMI" if typ == "nmi" else "%s %s" % (typ, ev.get("vector", "?"))))
            elif kind == "nested_exit":
                self.nested.append((cpu, lvl, cyc, "exit", str(ev.get("reason", "?"))))
            elif kind == "nested_entry":
                self.nested.append((cpu, lvl, cyc, "entry", ""))
            elif kind == "violation":
                self.violations.append((cpu, lvl, cyc, str(ev.get("kind", "?"))))
            elif kind in ("nmi_lost", "vmfail", "warning"):
                self.others.append((cpu, lvl, cyc, kind, other_label(ev)))

        self.end = max(self.end, last)
        for cpu, st in sorted(cpus.items()):
            close(st, cpu, self.end)
        for (cpu, lvl), stack in sorted(stacks.items()):
            for depth, (start, label, hk) in enumerate(stack, 1):
                self.handlers.append((cpu, lvl, start, self.end, depth, label, hk, False))
        for (cpu, lvl), start in sorted(nmi_open.items()):
            self.nmi_blocked.append((cpu, lvl, start, self.end))
        for (cpu, lvl), start in sorted(soft_open.items()):
            self.soft_blocked.append((cpu, lvl, start, self.end))
        for (cpu, lvl, which), start in sorted(win_open.items()):
            self.windows.append((cpu, lvl, start, self.end, which))

    def lane_order(self):
        """Top to bottom: cpu0 first; within a vCPU the deepest guest on top, L0 at the bottom."""
        return sorted(self.lanes, key=lambda cl: (cl[0], -cl[1]))
