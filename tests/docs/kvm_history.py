#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The history table of docs/kvm-history.md, generated from model/l0/kvm/kvm_history.def.

  kvm_history.py ROOT           check that the table in the page is the .def's (label docs)
  VMXSIM_UPDATE_DOCS=1 ...      rewrite it in place (refused when CI is set)

Every reproduced row must also have its two scenarios under scenarios/kvm-history/.
"""
import os
import re
import sys

from generated_section import sync

BEGIN = '<!-- generated: tests/docs/kvm_history.py from model/l0/kvm/kvm_history.def -->'
END = '<!-- generated: end -->'
DEF = 'model/l0/kvm/kvm_history.def'
CALL_RE = re.compile(r'^(KVM_HISTORY_(?:FLAG|SWITCH|OUT))\(', re.M)
TOKEN_RE = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|([A-Za-z_][A-Za-z0-9_.]*)|(,)|(\)))')


def unescape(s):
    return s.replace('\\"', '"').replace('\\\\', '\\')


def parse_args(text, pos):
    """The arguments of the macro call whose '(' ends at pos: adjacent string literals joined."""
    args, cur = [], None
    while True:
        m = TOKEN_RE.match(text, pos)
        if not m:
            raise ValueError('%s: cannot read the call near %r' % (DEF, text[pos:pos + 40]))
        pos = m.end()
        if m.group(1) is not None:
            cur = (cur or '') + unescape(m.group(1))
        elif m.group(2) is not None:
            cur = m.group(2)
        else:
            args.append(cur)
            cur = None
            if m.group(4):
                return args


def rows(root):
    with open(os.path.join(root, DEF), encoding='utf-8') as f:
        text = f.read()
    out = []
    for m in CALL_RE.finditer(text):
        out.append((m.group(1), parse_args(text, m.end())))
    return out


def verdict(v):
    return 'none' if v == 'none' else ', '.join('`%s`' % k for k in v.split())


def generate(root, problems):
    out = [BEGIN, '',
           '| row | commit | what broke | switch | scenarios | verdict before | verdict after |',
           '|---|---|---|---|---|---|---|']
    for kind, a in rows(root):
        row, year, commit, subject = a[0], a[1], a[2], a[3]
        if subject.startswith('('):
            what = subject
        elif commit == '-':
            what = '"%s" (no hash in the reference)' % subject
        else:
            what = '%s "%s"' % (commit, subject)
        if kind == 'KVM_HISTORY_OUT':
            out.append('| %s | %s, %s | out of reach: %s | - | - | - | - |' % (row, year, what, a[4]))
            continue
        sw, before_l0, after_l0, before, after, broke = a[4], a[5], a[6], a[7], a[8], a[9]
        if kind == 'KVM_HISTORY_FLAG':
            sw = row
        base = 'scenarios/kvm-history/%s' % row.lower()
        for side in ('before', 'after'):
            if not os.path.exists(os.path.join(root, '%s-%s.scn' % (base, side))):
                problems.append('%s: %s-%s.scn is missing' % (row, base, side))
        out.append('| %s | %s, %s | %s | `%s` | `%s-before.scn` (`l0 %s`), `%s-after.scn` (`l0 %s`) | %s | %s |' % (
            row, year, what, broke, sw, row.lower(), before_l0, row.lower(), after_l0, verdict(before),
            verdict(after)))
    out += ['', END]
    return '\n'.join(out)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..')
    problems = []
    want = generate(root, problems)
    for p in problems:
        print(p)
    status = sync(os.path.join(root, 'docs/kvm-history.md'), BEGIN, END, want, 'history table', DEF)
    return 1 if problems else status


if __name__ == '__main__':
    sys.exit(main())
