#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Byte-identical output whatever built or ran it (issue 18, "Testing
# discipline"); ctest labels these `determinism` (tests/determinism.cmake).
#
#   determinism.sh compilers SRC BUILD VMXSIM
#       A second, real build of SRC's vmxsim command alone (clang, -O0, in
#       BUILD) against VMXSIM (the suite's own: gcc, -O2): every shipped
#       scenario gives the same exit status and the same text trace from
#       both, and ten of them the same trace in every other format. A
#       scenario the -O2 binary takes more than 3 s for is left out (named):
#       at -O0 it would take minutes.
#   determinism.sh explore SRC VMXSIM WORK
#       Each shipped exploration: --jobs 1 and --jobs 3 print the same
#       report and write the same reproducers; three shards merged give what
#       one run of the whole space gives.
set -uo pipefail
mode=$1
fail=0
differs() { echo "DIFFERS: $*"; fail=1; }

case "$mode" in
compilers)
  src=$2 build=$3 ref=$4
  if ! command -v clang >/dev/null; then
    echo "skipped: clang is missing (Debian: apt-get install clang; .ci/run installs it)"
    exit 77
  fi
  # Only the command and what it links: no tests, no install rules, no adapter.
  if ! CC=clang CXX=clang++ cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
      -DCMAKE_C_FLAGS_DEBUG=-O0 -DVMXSIM_TESTS=OFF -DVMXSIM_INSTALL=OFF -DVMXSIM_SYSTEMC=OFF \
      >"$build.configure.log" 2>&1 ||
     ! cmake --build "$build" --target vmxsim -j2 >"$build.build.log" 2>&1; then
    cat "$build.configure.log" "$build.build.log" 2>/dev/null | tail -n 40
    echo "FAILED: the clang -O0 build of vmxsim"
    exit 1
  fi
  other="$build/cli/vmxsim"
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
  cd "$src"
  n=0 left=0 formats=0
  while read -r scn; do
    a=$out/a b=$out/b
    timeout 3 "$ref" run "$scn" -o "$a" 2>"$out/a.err"
    ra=$?
    if [ "$ra" -eq 124 ]; then
      echo "left out (over 3 s at -O2): $scn"
      left=$((left + 1))
      continue
    fi
    timeout 300 "$other" run "$scn" -o "$b" 2>"$out/b.err"
    rb=$?
    [ "$ra" -eq "$rb" ] || differs "$scn: exit status $ra (gcc -O2) and $rb (clang -O0)"
    cmp -s "$a" "$b" || { differs "$scn: text trace"; diff "$a" "$b" | head -n 5; }
    cmp -s "$out/a.err" "$out/b.err" || differs "$scn: messages"
    n=$((n + 1))
    if [ "$formats" -lt 10 ] && [ "$ra" -le 1 ]; then
      formats=$((formats + 1))
      for f in jsonl vcd perfetto trace-dat trace-dat7 ftrace ftrace-ns; do
        "$ref" run "$scn" --format "$f" -o "$a" 2>/dev/null
        "$other" run "$scn" --format "$f" -o "$b" 2>/dev/null
        cmp -s "$a" "$b" || differs "$scn: --format $f"
      done
    fi
  done < <(find scenarios -name '*.scn' | LC_ALL=C sort)
  echo "$n scenarios compared (gcc -O2 against clang -O0), $formats in every format; $left left out"
  [ "$n" -gt 100 ] || { echo "FAILED: too few scenarios compared"; fail=1; }
  ;;
explore)
  src=$2 vmxsim=$3 work=$4
  rm -rf "$work"
  mkdir -p "$work"
  cd "$work"
  # Each variant in its own folder, with the same names in it: the outputs are compared as they are.
  for scn in "$src"/scenarios/explore/*.scn; do
    name=$(basename "$scn" .scn)
    mkdir -p "$name/j1" "$name/j3" "$name/merged"
    (cd "$name/j1" && "$vmxsim" explore "$scn" -j1 --no-progress --out repro >out 2>err)
    r1=$?
    (cd "$name/j3" && "$vmxsim" explore "$scn" -j3 --no-progress --out repro >out 2>err)
    r3=$?
    [ "$r1" -eq "$r3" ] || differs "$name: exit status $r1 (--jobs 1) and $r3 (--jobs 3)"
    diff -r "$name/j1" "$name/j3" || differs "$name: the report or reproducers of --jobs 1 and --jobs 3"
    for k in 1 2 3; do
      (cd "$name/merged" && "$vmxsim" explore "$scn" -j1 --no-progress --shard "$k/3" --report "r$k.txt" >/dev/null 2>&1)
      [ $? -le 1 ] || differs "$name: shard $k/3 did not run"
    done
    (cd "$name/merged" && "$vmxsim" explore --merge r1.txt r2.txt r3.txt --out repro >out 2>err)
    rm=$?
    rm -f "$name/merged/r"?.txt
    [ "$rm" -eq "$r1" ] || differs "$name: exit status $r1 (one run) and $rm (three shards merged)"
    diff -r "$name/j1" "$name/merged" || differs "$name: the report or reproducers of one run and of three shards merged"
    echo "$name: --jobs 1, --jobs 3 and three shards merged compared (exit $r1)"
  done
  ;;
*)
  echo "usage: determinism.sh compilers SRC BUILD VMXSIM | explore SRC VMXSIM WORK" >&2
  exit 2
  ;;
esac
exit "$fail"
