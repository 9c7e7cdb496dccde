#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Every source file of the project names its licence on its first line.

The first line (the second after a #! line) of each C, C++, header, Python,
shell and CMake file (and each script with a #! line) under the source tree must carry
`SPDX-License-Identifier: Apache-2.0`. Build folders and .git are skipped.
Exit 0 when all do; 1 with one `path:1: ...` line per file that does not.
"""
import os
import sys

SOURCE_SUFFIXES = (".c", ".h", ".cc", ".hh", ".cpp", ".hpp", ".def", ".py", ".sh", ".cmake", ".bash")
TAG = "SPDX-License-Identifier: Apache-2.0"


def is_source(rel):
    name = os.path.basename(rel)
    if name.endswith(SOURCE_SUFFIXES) or name in ("CMakeLists.txt",):
        return True
    # Scripts without a suffix: anything starting with #!.
    try:
        with open(rel, "rb") as f:
            return f.read(2) == b"#!"
    except OSError:
        return False


def skipped_dir(rel):
    first = rel.split(os.sep)[0]
    return first.startswith("build") or first in (".git",)


def main(root):
    os.chdir(root)
    bad = []
    checked = 0
    for dirpath, dirnames, filenames in os.walk("."):
        rel_dir = os.path.relpath(dirpath, ".")
        dirnames[:] = sorted(d for d in dirnames
                             if not skipped_dir(os.path.normpath(os.path.join(rel_dir, d))))
        for name in sorted(filenames):
            rel = os.path.normpath(os.path.join(rel_dir, name))
            if not is_source(rel):
                continue
            checked += 1
            with open(rel, "r", encoding="utf-8", errors="replace") as f:
                lines = [f.readline(), f.readline()]
            head = lines[1] if lines[0].startswith("#!") else lines[0]
            if TAG not in head:
                bad.append(rel)
    for rel in bad:
        print(f"{rel}:1: no '{TAG}' on the first line")
    print(f"{checked} source files, {len(bad)} without the licence line")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
