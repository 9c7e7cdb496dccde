#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The "Not modelled, refused" list of docs/sdm-rules.md, generated from
vmcs/vmx_controls.def (rows with status NM) and vmcs/vmcs_fields_refused.def.

  not_modelled.py ROOT          check that the list in the page is the tables' (label docs)
  VMXSIM_UPDATE_DOCS=1 ...      rewrite it in place (refused when CI is set)
"""
import os
import re
import sys

from generated_section import sync

BEGIN = '<!-- generated: tests/docs/not_modelled.py from vmcs/vmx_controls.def and vmcs/vmcs_fields_refused.def -->'
END = '<!-- generated: end -->'
PREFIX = {'PIN': 'PIN_BASED_', 'PROC': 'CPU_BASED_', 'PROC2': 'SECONDARY_EXEC_', 'EXIT': 'VM_EXIT_',
          'ENTRY': 'VM_ENTRY_'}
WORD = {'PIN': 'pin-based', 'PROC': 'primary processor-based', 'PROC2': 'secondary processor-based',
        'EXIT': 'VM-exit', 'ENTRY': 'VM-entry'}
CONTROL_RE = re.compile(r'^VMX_CONTROL\(\s*(\w+),\s*(\w+),\s*(\d+),\s*(\w+),\s*"([^"]*)",\s*"([^"]*)"\)')
FIELD_RE = re.compile(r'^VMCS_REFUSED\(\s*(\w+),\s*"([^"]*)",\s*"([^"]*)"\)')


def generate(root):
    controls, fields = [], []
    with open(os.path.join(root, 'vmcs/vmx_controls.def'), encoding='utf-8') as f:
        for line in f:
            m = CONTROL_RE.match(line)
            if m and m.group(4) == 'NM':
                controls.append(m.groups())
    with open(os.path.join(root, 'vmcs/vmcs_fields_refused.def'), encoding='utf-8') as f:
        for line in f:
            m = FIELD_RE.match(line)
            if m:
                fields.append(m.groups())
    out = [BEGIN, '', '| Feature | Refused when set | Control or field |', '|---|---|---|']
    for word, name, bit, _, feature, summary in sorted(controls, key=lambda c: (c[4].lower(), c[0], int(c[2]))):
        out.append('| %s | %s | `%s%s` (%s control bit %s) |' % (feature, summary, PREFIX[word], name,
                                                               WORD[word], bit))
    for field, feature, why in fields:
        out.append('| %s | not 0 (%s) | `%s` |' % (feature, why, field))
    out += ['', END]
    return '\n'.join(out)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..')
    return sync(os.path.join(root, 'docs/sdm-rules.md'), BEGIN, END, generate(root), '"Not modelled, refused" list',
                'vmcs/vmx_controls.def and vmcs/vmcs_fields_refused.def')


if __name__ == '__main__':
    sys.exit(main())
