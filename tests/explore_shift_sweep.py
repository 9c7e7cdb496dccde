#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""explore.shift_sweep: every shipped scenario with an NMI or interrupt at a
fixed time, widened into a space of two arrival ranges (its last two such
stimuli, or the one and a copy 6000 cycles later; expectations with a time
dropped, as shifted runs refuse them), explored with --verify-shift: each
run taken from an earlier one shifted in time is also simulated, and vmxsim
exits 2 if any disagrees (docs/explore.md "Shifted runs"). The sweep fails on
a disagreement, on any other error, and if too few scenarios shift at all
for it to say anything.

usage: explore_shift_sweep.py VMXSIM SCENARIOS_DIR WORK_DIR
"""
import glob
import os
import re
import subprocess
import sys

MIN_SHIFTING = 10    # scenarios that must have shifted runs (13 when this was written)

AT = re.compile(r'^at\s+(\d+)(\s+(nmi|irq)\b.*)$')
TIMED = re.compile(r'^expect\b.*\b(at|in)\s+\d')


def widen(line, width, shift=0):
    m = AT.match(line)
    t = int(m.group(1)) + shift
    return 'at %d..%d%s' % (t, t + width, m.group(2))


def space_of(text):
    lines = [l for l in text.split('\n') if not TIMED.match(l)]
    at = [i for i, l in enumerate(lines) if AT.match(l)]
    if not at:
        return None
    if len(at) >= 2:
        lines[at[-2]] = widen(lines[at[-2]], 2)
        lines[at[-1]] = widen(lines[at[-1]], 3000)
    else:
        line = lines[at[0]]
        lines[at[0]] = widen(line, 2)
        lines.insert(at[0] + 1, widen(line, 3000, 6000))
    return '\n'.join(lines)


def main():
    vmxsim, scenarios, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    checked = shifting = shifted = 0
    failed = []
    for path in sorted(glob.glob(os.path.join(scenarios, '**', '*.scn'), recursive=True)):
        rel = os.path.relpath(path, scenarios)
        if rel.startswith('explore' + os.sep):
            continue
        with open(path) as f:
            space = space_of(f.read())
        if space is None:
            continue
        case = os.path.join(work, rel.replace(os.sep, '_'))
        with open(case, 'w') as f:
            f.write(space)
        r = subprocess.run([vmxsim, 'explore', '-j', '2', '--no-repro', '--no-progress', '--verify-shift', case],
                           capture_output=True, text=True, timeout=600)
        m = re.search(r': (\d+) shifted runs?, each also simulated: (all agree|nothing to check)', r.stderr)
        if r.returncode not in (0, 1) or not m:
            failed.append('%s: status %d\n%s' % (rel, r.returncode, r.stderr.strip()))
            continue
        checked += 1
        if int(m.group(1)):
            shifting += 1
            shifted += int(m.group(1))
    print('explore.shift_sweep: %d spaces explored, %d with shifted runs, %d shifted runs checked'
          % (checked, shifting, shifted))
    for f in failed:
        print('FAILED ' + f)
    if failed or shifting < MIN_SHIFTING:
        if shifting < MIN_SHIFTING:
            print('too few spaces shift (%d, at least %d): the sweep would check nothing' % (shifting, MIN_SHIFTING))
        sys.exit(1)


if __name__ == '__main__':
    main()
