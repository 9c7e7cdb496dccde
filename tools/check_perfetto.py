#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Check the structure of vmxsim's Perfetto / Chrome trace-event JSON.

    check_perfetto.py TRACE.json...

For each file (written by `vmxsim run FILE --format perfetto`):

- it is valid JSON: an object with "displayTimeUnit": "ns" and a
  "traceEvents" array of objects;
- every event has a known phase (X, i, C, M) and an integer pid; every X has
  ts, dur (non-negative numbers with at most six decimals: whole ps), pid,
  tid and a name; every i has ts, tid and a scope; every C has ts and numeric
  args;
- metadata is present: a process_name for every pid used, a thread_name for
  every (pid, tid) that carries a slice or an instant;
- X slices nest strictly per (pid, tid): two slices on one thread are either
  disjoint or one contains the other.

Prints one line per problem (at most 20 per file) and exits with status 1 if
there is any; standard library only.
"""
import json
import sys
from decimal import Decimal

PHASES = {"X", "i", "C", "M"}
METADATA = {"process_name", "process_sort_index", "thread_name", "thread_sort_index"}


def whole_ps(value):
    """A ts/dur in microseconds as an integer count of ps, or None if it is not one."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return None
    ps = Decimal(value) * 1000000
    if ps != ps.to_integral_value() or ps < 0:
        return None
    return int(ps)


def check(path):
    errors = []

    def bad(i, why):
        errors.append(f"{path}: event {i}: {why}")

    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f, parse_float=Decimal)
    except (OSError, ValueError) as e:
        return [f"{path}: not valid JSON: {e}"]
    if not isinstance(doc, dict):
        return [f"{path}: top level is not an object"]
    if doc.get("displayTimeUnit") != "ns":
        errors.append(f'{path}: displayTimeUnit is not "ns"')
    events = doc.get("traceEvents")
    if not isinstance(events, list):
        return errors + [f"{path}: no traceEvents array"]

    process_names, thread_names = set(), set()
    pids_used, threads_used = set(), set()
    slices = {}   # (pid, tid) -> [(start_ns, end_ns, index, name)]
    for i, ev in enumerate(events):
        if not isinstance(ev, dict):
            bad(i, "not an object")
            continue
        ph = ev.get("ph")
        if ph not in PHASES:
            bad(i, f"unknown phase {ph!r}")
            continue
        pid = ev.get("pid")
        if not isinstance(pid, int) or isinstance(pid, bool) or pid < 1:
            bad(i, f"pid {pid!r} is not a positive integer")
            continue
        tid = ev.get("tid")
        if ph in ("X", "i", "M") and (not isinstance(tid, int) or isinstance(tid, bool)):
            bad(i, f"{ph} without an integer tid")
            continue
        if not isinstance(ev.get("name"), str) or not ev["name"]:
            bad(i, "no name")
            continue
        args = ev.get("args", {})
        if not isinstance(args, dict):
            bad(i, "args is not an object")
            continue
        if ph == "M":
            if ev["name"] not in METADATA:
                bad(i, f"metadata {ev['name']!r} that Perfetto ignores")
            elif ev["name"].endswith("_name"):
                if not isinstance(args.get("name"), str):
                    bad(i, f"{ev['name']} without args.name")
                elif ev["name"] == "process_name":
                    process_names.add(pid)
                else:
                    thread_names.add((pid, tid))
            elif not isinstance(args.get("sort_index"), int):
                bad(i, f"{ev['name']} without an integer args.sort_index")
            continue
        pids_used.add(pid)
        ts = whole_ps(ev.get("ts"))
        if ts is None:
            bad(i, f"ts {ev.get('ts')!r} is not a non-negative number of whole ps")
            continue
        if ph == "X":
            dur = whole_ps(ev.get("dur"))
            if dur is None:
                bad(i, f"dur {ev.get('dur')!r} is not a non-negative number of whole ps")
                continue
            slices.setdefault((pid, tid), []).append((ts, ts + dur, i, ev["name"]))
            threads_used.add((pid, tid))
        elif ph == "i":
            if ev.get("s", "t") not in ("t", "p", "g"):
                bad(i, f"instant scope {ev.get('s')!r}")
            threads_used.add((pid, tid))
        elif ph == "C":
            if not args or not all(isinstance(v, (int, Decimal)) and not isinstance(v, bool)
                                   for v in args.values()):
                bad(i, "counter args are not all numbers")

    for pid in sorted(pids_used - process_names):
        errors.append(f"{path}: pid {pid} has no process_name")
    for pid, tid in sorted(threads_used - thread_names):
        errors.append(f"{path}: pid {pid} tid {tid} has no thread_name")

    for (pid, tid), lst in sorted(slices.items()):
        lst.sort(key=lambda s: (s[0], -(s[1] - s[0]), s[2]))
        open_ends = []   # stack of (end, index, name)
        for start, end, i, name in lst:
            while open_ends and open_ends[-1][0] <= start and not (
                    open_ends[-1][0] == start and end == start):
                open_ends.pop()
            if open_ends and end > open_ends[-1][0]:
                _, j, outer = open_ends[-1]
                errors.append(f"{path}: pid {pid} tid {tid}: slice {name!r} (event {i}) overlaps "
                              f"{outer!r} (event {j}) without nesting in it")
            open_ends.append((end, i, name))
    return errors


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    failed = False
    for path in argv[1:]:
        errors = check(path)
        for e in errors[:20]:
            print(e)
        if len(errors) > 20:
            print(f"{path}: ... {len(errors) - 20} more")
        failed |= bool(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
