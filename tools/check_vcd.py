#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Check a value change dump written by `vmxsim run FILE --format vcd`.

    check_vcd.py OURS.vcd [--against OTHER.vcd] [--gtkw VIEW.gtkw]

OURS.vcd is read strictly (IEEE 1364 section 18 as vmxsim writes it): no
$date, a $version and a 1ps $timescale (real time at the TSC) with the
wire time.cycle, balanced scopes, unique names, time
stamps that never decrease, a $dumpvars at #0 with every wire, changes only
of declared identifiers with values of the declared width, and a wire
written only when its value changes, at most once per time stamp.

--against OTHER.vcd compares the two dumps' meaning: the same variables
(scope path, name, type, width) and, for each, the same history of values
(events: the same pulse times). Used on the `fst2vcd` round trip of OURS, it
proves that GTKWave's reader (vcd2fst) understood every change.

--gtkw VIEW.gtkw checks that every signal a GTKWave save file shows exists
in OURS with that width.

Prints one line per problem (at most 20) and exits with status 1 if there is
any; standard library only.
"""
import re
import sys


class Dump:
    def __init__(self):
        self.header = {}          # keyword -> text
        self.vars = {}            # full name -> (type, width, id)
        self.by_id = {}           # id -> [full names]
        self.history = {}         # id -> [(time, value)]
        self.errors = []
        self.end_time = 0


def tokens(path):
    with open(path, encoding="ascii", errors="replace") as f:
        for line in f:
            yield from line.split()


def norm(value, width):
    """A vector value as a full-width string of 0 1 x z (IEEE left extension)."""
    v = value.lower()
    if len(v) < width:
        v = (v[0] if v[0] in "xz" else "0") * (width - len(v)) + v
    return v


def parse(path, strict):
    d = Dump()

    def bad(why):
        d.errors.append(f"{path}: {why}")

    it = tokens(path)
    scopes = []
    try:
        for tok in it:
            if tok in ("$comment", "$date", "$version", "$timescale"):
                words = []
                for w in it:
                    if w == "$end":
                        break
                    words.append(w)
                d.header[tok] = " ".join(words)
            elif tok == "$scope":
                kind, name, end = next(it), next(it), next(it)
                if end != "$end":
                    bad(f"$scope {kind} {name} not closed")
                scopes.append(name)
            elif tok == "$upscope":
                if next(it) != "$end" or not scopes:
                    bad("unbalanced $upscope")
                else:
                    scopes.pop()
            elif tok == "$var":
                words = []
                for w in it:
                    if w == "$end":
                        break
                    words.append(w)
                if len(words) < 4 or not words[1].isdigit():
                    bad(f"malformed $var {' '.join(words)}")
                    continue
                kind, width, ident, ref = words[0], int(words[1]), words[2], words[3]
                full = ".".join(scopes + [ref])
                if full in d.vars:
                    bad(f"{full} declared twice")
                d.vars[full] = (kind, width, ident)
                d.by_id.setdefault(ident, []).append(full)
                d.history.setdefault(ident, [])
            elif tok == "$enddefinitions":
                next(it)
                break
            else:
                bad(f"unexpected {tok!r} in the header")
        if scopes:
            bad("scopes not closed at $enddefinitions")
        widths = {i: d.vars[n[0]][1] for i, n in d.by_id.items()}
        events = {i for i, n in d.by_id.items() if d.vars[n[0]][0] == "event"}
        time, stamp_seen, in_dump, dumped = None, set(), False, set()
        for tok in it:
            if tok.startswith("#"):
                t = int(tok[1:])
                if time is not None and t < time:
                    bad(f"time stamp #{t} after #{time}")
                if strict and time is not None and t == time:
                    bad(f"time stamp #{t} repeated")
                time, stamp_seen = t, set()
                d.end_time = max(d.end_time, t)
                continue
            if tok in ("$dumpvars", "$dumpall", "$dumpon", "$dumpoff"):
                in_dump = tok == "$dumpvars"
                continue
            if tok == "$end":
                in_dump = False
                continue
            if tok == "$comment":
                for w in it:
                    if w == "$end":
                        break
                continue
            c = tok[0].lower()
            if c in "brs":
                value, ident = tok[1:], next(it)
            elif c in "01xz":
                value, ident = tok[0], tok[1:]
            else:
                bad(f"unexpected {tok!r} at #{time}")
                continue
            if time is None:
                bad(f"value change of {ident!r} before the first time stamp")
                continue
            if ident not in widths:
                bad(f"value change of undeclared identifier {ident!r} at #{time}")
                continue
            w = widths[ident]
            if c == "b":
                if not value or len(value) > w or set(value.lower()) - set("01xz"):
                    bad(f"bad vector value b{value} for {d.by_id[ident][0]} (width {w}) at #{time}")
                    continue
                value = norm(value, w)
            elif c in "rs":
                pass
            elif w != 1 and ident not in events:
                bad(f"scalar value for {d.by_id[ident][0]} of width {w} at #{time}")
                continue
            else:
                value = value.lower()
            hist = d.history[ident]
            if strict and ident not in events:
                if ident in stamp_seen:
                    bad(f"{d.by_id[ident][0]} written twice at #{time}")
                if hist and hist[-1][1] == value and not in_dump:
                    bad(f"{d.by_id[ident][0]} written at #{time} without a change")
            stamp_seen.add(ident)
            if in_dump:
                dumped.add(ident)
            hist.append((time, value))
        if strict:
            for ident in widths:
                if ident not in events and ident not in dumped:
                    bad(f"{d.by_id[ident][0]} has no initial value in $dumpvars")
    except StopIteration:
        bad("file ends inside a declaration")
    except ValueError as e:
        bad(f"malformed: {e}")
    if strict:
        if "$date" in d.header:
            bad("$date makes the file depend on the day it was written")
        if not d.header.get("$version"):
            bad("no $version")
        if d.header.get("$timescale", "").replace(" ", "") != "1ps":
            bad(f"$timescale is {d.header.get('$timescale')!r}, not 1ps")
        if "time.cycle" not in d.vars:
            bad("no wire time.cycle (the model cycle of each time stamp)")
    return d


def meaning(d, ident, is_event):
    """History as comparable data: pulse times of an event, value changes of a wire."""
    hist = d.history.get(ident, [])
    if is_event:
        return sorted({t for t, v in hist if v == "1"})
    last = {}   # time -> the value it ends with
    for t, v in hist:
        last[t] = v
    out = []
    for t, v in last.items():
        if not out or out[-1][1] != v:
            out.append((t, v))
    return out


def compare(ours, other, path_a, path_b):
    errors = []
    for name in sorted(set(ours.vars) ^ set(other.vars)):
        errors.append(f"{name}: only in {path_a if name in ours.vars else path_b}")
    for name in sorted(set(ours.vars) & set(other.vars)):
        (ka, wa, ia), (kb, wb, ib) = ours.vars[name], other.vars[name]
        if (ka, wa) != (kb, wb):
            errors.append(f"{name}: {ka} {wa} in {path_a}, {kb} {wb} in {path_b}")
            continue
        a, b = meaning(ours, ia, ka == "event"), meaning(other, ib, kb == "event")
        if a != b:
            diff = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), min(len(a), len(b)))
            errors.append(f"{name}: histories differ at change {diff}: "
                          f"{a[diff] if diff < len(a) else 'end'} in {path_a}, "
                          f"{b[diff] if diff < len(b) else 'end'} in {path_b}")
    return errors


def gtkw_signals(path):
    """(name, width or None) of every trace a GTKWave save file shows."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in "[*@-^>!?+#:":
                continue
            m = re.fullmatch(r"(.+?)(?:\[(\d+):(\d+)\])?", line)
            width = abs(int(m.group(2)) - int(m.group(3))) + 1 if m.group(2) else None
            out.append((m.group(1), width))
    return out


def main(argv):
    args = argv[1:]
    opts = {}
    while len(args) >= 2 and args[-2] in ("--against", "--gtkw"):
        opts[args[-2]] = args[-1]
        args = args[:-2]
    if len(args) != 1:
        print("usage: check_vcd.py OURS.vcd [--against OTHER.vcd] [--gtkw VIEW.gtkw]", file=sys.stderr)
        return 2
    ours = parse(args[0], strict=True)
    errors = list(ours.errors)
    if "--against" in opts:
        other = parse(opts["--against"], strict=False)
        errors += other.errors
        errors += compare(ours, other, args[0], opts["--against"])
    if "--gtkw" in opts:
        for name, width in gtkw_signals(opts["--gtkw"]):
            if name not in ours.vars:
                errors.append(f"{opts['--gtkw']}: {name} is not a variable of {args[0]}")
            elif width and ours.vars[name][1] != width:
                errors.append(f"{opts['--gtkw']}: {name} has width {ours.vars[name][1]}, not {width}")
    for e in errors[:20]:
        print(e)
    if len(errors) > 20:
        print(f"... {len(errors) - 20} more")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
