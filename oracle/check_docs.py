#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""check_docs.py - docs/oracle.md and oracle/deviations.py name the same Bochs
deviations, each row with its kind and the SDM text (a non-empty last cell).

Exit status: 0 the same, 1 not (each difference printed)."""

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import deviations  # noqa: E402


def main():
    rows = {}
    with open(os.path.join(HERE, "..", "docs", "oracle.md")) as f:
        for line in f:
            m = re.match(r"\|\s*`([a-z0-9-]+)`\s*\|\s*(bochs|disputed)\s*\|(.*)\|\s*$", line)
            if m:
                cells = [c.strip() for c in m.group(3).split("|")]
                rows[m.group(1)] = (m.group(2), cells)
    bad = 0
    for d in deviations.TABLE:
        if d.name not in rows:
            print("docs/oracle.md has no row for deviation %s" % d.name)
            bad += 1
        elif rows[d.name][0] != d.kind:
            print("deviation %s: kind %s in the docs, %s in deviations.py" % (d.name, rows[d.name][0], d.kind))
            bad += 1
        elif not rows[d.name][1] or not rows[d.name][1][-1]:
            print("deviation %s: the docs row gives no SDM text" % d.name)
            bad += 1
    for name in rows:
        if name not in deviations.NAMES:
            print("docs/oracle.md names %s, which deviations.py does not have" % name)
            bad += 1
    print("%d deviations, %d in the docs, %d differences" % (len(deviations.TABLE), len(rows), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
