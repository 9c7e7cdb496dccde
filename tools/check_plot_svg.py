#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""check_plot_svg.py - check that a vmxsim timeline holds what it must.

    check_plot_svg.py PLOT.svg TRACE.jsonl [--lane cpu0-L1 ...]
    check_plot_svg.py --png PLOT.png

SVG mode reads the picture back with the standard library's XML parser and
checks, against the JSONL trace it was drawn from (the whole run, no
--from/--to):
  - a lane (an element with id lane-cpuC-LN) for every vCPU and level that
    has events in the trace, for L0 of every vCPU, and for each --lane given;
    no lane twice;
  - one exit marker (id exit-N, each drawing something) per vmexit line of
    the trace, numbered 1..N without gaps or repeats.
PNG mode checks the PNG signature and that the image is not empty.

Exit status 0 when everything holds, 1 with one line per failure otherwise,
2 on unreadable input.
"""

import argparse
import json
import re
import struct
import sys
import xml.etree.ElementTree as ET

SVG_NS = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def check_png(path):
    try:
        with open(path, "rb") as f:
            head = f.read(33)
    except OSError as e:
        print("%s: %s" % (path, e.strerror), file=sys.stderr)
        return 2
    if head[:8] != PNG_SIGNATURE:
        print("%s: not a PNG (signature %r)" % (path, head[:8]))
        return 1
    if head[12:16] != b"IHDR":
        print("%s: no IHDR chunk first" % path)
        return 1
    width, height = struct.unpack(">II", head[16:24])
    if width < 100 or height < 100:
        print("%s: %dx%d is too small for a timeline" % (path, width, height))
        return 1
    print("%s: PNG %dx%d" % (path, width, height))
    return 0


def trace_facts(path):
    lanes, exits = set(), 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            ev = json.loads(line)
            if ev["event"] == "end":
                continue
            lanes.add("cpu%d-L%d" % (ev["cpu"], ev["level"]))
            lanes.add("cpu%d-L0" % ev["cpu"])
            if ev["event"] == "vmexit":
                exits += 1
    return lanes, exits


def check_svg(svg, trace, extra_lanes):
    try:
        root = ET.parse(svg).getroot()
        want_lanes, want_exits = trace_facts(trace)
    except (OSError, ET.ParseError, ValueError, KeyError) as e:
        print("cannot read the input: %s" % e, file=sys.stderr)
        return 2
    failures = []
    if root.tag != SVG_NS + "svg":
        failures.append("%s: the root element is %s, not svg" % (svg, root.tag))
    want_lanes |= set(extra_lanes)

    lanes, exits = [], []
    for el in root.iter():
        ident = el.get("id", "")
        if re.fullmatch(r"lane-cpu\d+-L\d+", ident):
            lanes.append(ident[len("lane-"):])
        elif re.fullmatch(r"exit-\d+", ident):
            drawn = any(d.tag in (SVG_NS + "use", SVG_NS + "path") for d in el.iter())
            if not drawn:
                failures.append("%s: %s draws nothing" % (svg, ident))
            exits.append(int(ident[len("exit-"):]))

    for lane in sorted(want_lanes - set(lanes)):
        failures.append("%s: no lane %s" % (svg, lane))
    for lane in sorted({l for l in lanes if lanes.count(l) > 1}):
        failures.append("%s: lane %s drawn %d times" % (svg, lane, lanes.count(lane)))
    if len(exits) != want_exits:
        failures.append("%s: %d exit markers, the trace has %d vmexit lines" % (svg, len(exits), want_exits))
    if sorted(exits) != list(range(1, len(exits) + 1)):
        failures.append("%s: exit markers are not numbered 1..%d: %s" % (svg, len(exits), sorted(exits)))

    for f in failures:
        print(f)
    if failures:
        return 1
    print("%s: lanes %s; %d exit markers = %d vmexit lines" % (svg, " ".join(sorted(set(lanes))), len(exits),
                                                               want_exits))
    return 0


def main():
    p = argparse.ArgumentParser(prog="check_plot_svg", description="Check a vmxsim timeline plot.")
    p.add_argument("svg", nargs="?", help="the plot, as SVG")
    p.add_argument("trace", nargs="?", help="the JSONL trace it was drawn from")
    p.add_argument("--lane", action="append", default=[], help="a lane that must be present (cpu0-L1)")
    p.add_argument("--png", help="only check that this file is a PNG")
    a = p.parse_args()
    if a.png:
        return check_png(a.png)
    if not a.svg or not a.trace:
        p.error("PLOT.svg and TRACE.jsonl are needed")
    return check_svg(a.svg, a.trace, a.lane)


if __name__ == "__main__":
    sys.exit(main())
