#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""excerpt_match.py - where the lines of a quoted excerpt sit in vmxsim's output.

An excerpt's lines must appear in the output of its command, in order
(contiguously where the block says so); a line that does not is paired with
the most similar output line, so that the failure, or VMXSIM_UPDATE_DOCS,
names what changed. For check_docs.py; Python 3 standard library only.
"""

import re

from doc_marks import FTRACE_LINE_RE

def line_key(line):
    """Lines that may stand for each other when an excerpt is brought up to date."""
    parts = line.split(None, 4)
    if len(parts) >= 4 and parts[1].startswith('cpu') and parts[0].isdigit():
        return ('text', parts[1], parts[2], parts[3])
    s = line.strip()
    if s.startswith('{'):
        ev = re.search(r'"event":"([^"]*)"', s)
        if ev:
            cpu = re.search(r'"cpu":(\d+)', s)
            lvl = re.search(r'"level":(\d+)', s)
            return ('jsonl', cpu and cpu.group(1), lvl and lvl.group(1), ev.group(1))
        ph = re.search(r'"ph":"([^"]*)"', s)
        name = re.search(r'"name":"([^"]*)"', s)
        tid = re.search(r'"tid":(\d+)', s)
        return ('json', ph and ph.group(1), name and name.group(1), tid and tid.group(1))
    m = FTRACE_LINE_RE.match(line)
    if m:
        return ('ftrace',) + m.groups()
    return ('other', re.sub(r'0x[0-9a-fA-F]+|\d+', '#', s))


def tokens(line):
    return re.split(r'[\s,]+', line.strip())


def similarity(a, b):
    if a == b:
        return 1 << 20
    ta, tb = tokens(a), tokens(b)
    return 1 + sum(1 for x, y in zip(ta, tb) if x == y)


def align(expected, candidates):
    """Match each expected line to a candidate output line of the same kind, in order,
    with the most equal tokens. expected: list of texts; candidates: list of (position, text).
    Returns (list of candidate indexes, or None, and the first expected index that cannot be placed)."""
    by_key = {}
    for ci, (_, text) in enumerate(candidates):
        by_key.setdefault(line_key(text), []).append(ci)
    prev = None          # list of (candidate index, score, back) of the previous row, by position
    rows = []
    for ei, e in enumerate(expected):
        elig = by_key.get(line_key(e), [])
        row = []
        if prev is None:
            row = [(ci, similarity(e, candidates[ci][1]), None) for ci in elig]
        else:
            best, best_at, k = None, None, 0
            for ci in elig:
                while k < len(prev) and prev[k][0] < ci:
                    if best is None or prev[k][1] > best:
                        best, best_at = prev[k][1], k
                    k += 1
                if best is not None:
                    row.append((ci, best + similarity(e, candidates[ci][1]), best_at))
        if not row:
            return None, ei
        rows.append(row)
        prev = row
    last = max(range(len(prev)), key=lambda k: (prev[k][1], -k))
    picks = []
    for r in range(len(rows) - 1, -1, -1):
        ci, _, back = rows[r][last]
        picks.append(ci)
        last = back
    picks.reverse()
    return picks, None


def match_stream(segments, contiguous, output_iter, keep):
    """Stream the output. Without '...' in the excerpt its lines must appear in the output in
    order (the excerpt is a selection); with '...' each segment must be a run of consecutive
    output lines, the segments in order. Returns (number of segments found, the output line
    that ended the last one found, kept lines [(number, text)], number of output lines);
    keep(text) says which output lines to keep for the suggestion."""
    if not contiguous:
        segments = [[x] for sg in segments for x in sg]
    done, last_at, kept, n = 0, 0, [], 0
    partial = []                        # lengths of the partial matches of segment `done`
    for n, line in enumerate(output_iter, 1):
        line = line.rstrip()
        if keep(line):
            kept.append((n, line))
        if done == len(segments):
            continue
        seg = segments[done]
        partial = [k + 1 for k in partial + [0] if seg[k][1] == line]
        if partial and max(partial) == len(seg):
            done += 1
            last_at = n
            partial = []
    return done, last_at, kept, n
