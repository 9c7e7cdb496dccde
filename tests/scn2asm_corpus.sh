#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# scn2asm_corpus.sh SCN2ASM SCENARIOS_DIR - every shipped `l0 none` scenario
# either compiles for the oracle, and then assembles with nasm (when nasm is
# installed), or is refused with a located "not modelled on the oracle"
# message. Anything else (bad input, a crash, an empty case) fails. Prints
# how many compile and the refusals per reason.
set -u
tool=$1
dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
have_nasm=0
nasm -v >/dev/null 2>&1 && have_nasm=1
ok=0 refused=0 bad=0
: >"$work/reasons"
while IFS= read -r f; do
  name=$(basename "$f" .scn)
  "$tool" "$f" -o "$work/$name.asm" --map "$work/$name.map" 2>"$work/$name.err"
  rc=$?
  if [ $rc -eq 0 ]; then
    if [ ! -s "$work/$name.asm" ] || [ ! -s "$work/$name.map" ]; then
      echo "FAIL $f: compiled to an empty case"; bad=$((bad + 1)); continue
    fi
    if [ $have_nasm = 1 ] && ! nasm -f elf64 -o "$work/$name.o" "$work/$name.asm" 2>"$work/$name.nasm"; then
      echo "FAIL $f: nasm: $(head -3 "$work/$name.nasm")"; bad=$((bad + 1)); continue
    fi
    ok=$((ok + 1))
  elif [ $rc -eq 2 ] && grep -q "^$f:[0-9]*:[0-9]*: not modelled on the oracle: " "$work/$name.err"; then
    refused=$((refused + 1))
    sed -e 's/^[^ ]*: not modelled on the oracle: //' -e 's/[0-9][0-9a-fx]*/N/g' -e 's/:.*//' \
      "$work/$name.err" >>"$work/reasons"
  else
    echo "FAIL $f: exit status $rc: $(head -3 "$work/$name.err")"; bad=$((bad + 1))
  fi
done < <(grep -l '^l0 *none' -r "$dir" --include='*.scn' | sort)
echo "scn2asm corpus: $ok compiled$([ $have_nasm = 1 ] && echo ' and assembled'), $refused refused, $bad failed"
sort "$work/reasons" | uniq -c | sort -rn
[ $bad -eq 0 ] && [ $ok -gt 0 ]
