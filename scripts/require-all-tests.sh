#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# usage: scripts/require-all-tests.sh BUILD_DIR CTEST_LOG [GROUP_REGEX...]
#
# For CI (.ci/run): fail when a test was dropped instead of run. Two ways a
# test goes missing quietly:
#   - at configure time a group is left out for a missing dependency
#     (SystemC: no systemc.* test; matplotlib: no plots.*; gtkwave: no
#     format.vcd_vcd2fst; libtracecmd/trace-cmd: no formats.tracedat.*;
#     Bochs: no oracle.*; python3: no docs.*): each GROUP_REGEX (default: all
#     of those) must match at least one test of BUILD_DIR;
#   - at run time a test skips itself (GTEST_SKIP, exit status 77): ctest
#     prints "The following tests did not run:" with each test and
#     "(Skipped)" in CTEST_LOG; each is printed with the reason its output
#     gave, and the script fails.
set -uo pipefail
build=$1 log=$2
shift 2
groups=("$@")
[ ${#groups[@]} -gt 0 ] ||
  groups=('systemc\.' 'plots\.' 'docs\.' 'format\.vcd_vcd2fst$' 'formats\.tracedat\.' 'oracle\.')
status=0
for g in "${groups[@]}"; do
  if ! ctest --test-dir "$build" -N -R "^$g" | grep -qE '^Total Tests: [1-9]'; then
    echo "require-all-tests: no test matches ^$g in $build: a dependency is missing (see the CMake warnings above)"
    status=1
  fi
done
skipped=$(sed -n '/^The following tests did not run:/,/^$/p' "$log" | grep -E '\((Skipped|Not Run)\)' || true)
if [ -n "$skipped" ]; then
  echo "require-all-tests: tests skipped in $log:"
  echo "$skipped"
  # Why: each run again, verbosely, for the reason it printed (GTEST_SKIP's message, or its script's).
  echo "$skipped" | sed -E 's/^[[:space:]]*[0-9]+ - (.*) \((Skipped|Not Run)\)$/\1/' | while read -r name; do
    re=$(printf '%s' "$name" | sed 's/[][\.*^$+?(){}|]/\\&/g')
    ctest --test-dir "$build" -R "^$re\$" -V 2>&1 | grep -E -A1 ': Skipped$|\[  SKIPPED \]|skipped: ' | grep -vE '^--$|Test command|Working Directory|Test #' | head -n 3 |
      sed "s/^/  $name: /"
  done
  status=1
fi
exit "$status"
