#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The checks of tests/explore.cmake on one shipped exploration.
#
#   explore_check.sh find   WORKDIR VMXSIM SCENARIO EXPECTED-MESSAGE
#   explore_check.sh shards WORKDIR VMXSIM SCENARIO
set -u
what=$1 w=$2 vmxsim=$3 scn=$4
rm -rf "$w"
mkdir -p "$w"

fail() {
	echo "$*"
	exit 1
}

case $what in
find)
	want=$5
	"$vmxsim" explore "$scn" --no-progress --out "$w/repro" > "$w/report" 2> "$w/err"
	st=$?
	cat "$w/report"
	[ $st -eq 1 ] || { cat "$w/err"; fail "explore exited $st, expected 1 (a failure found)"; }
	grep -q "it fails the same way on its own" "$w/report" || fail "no verified reproducer"
	found=0
	for r in "$w"/repro/*.fail-*.scn; do
		[ -f "$r" ] || fail "no reproducer written"
		if sed 's/#.*//' "$r" | grep -q -e '\.\.' -e 'choose'; then fail "$r still has a range or a choice"; fi
		"$vmxsim" run "$r" > /dev/null 2> "$w/run-err"
		st=$?
		[ $st -eq 1 ] || fail "$r: vmxsim run exited $st, expected 1"
		if grep -q "$want" "$w/run-err"; then found=1; fi
	done
	[ $found = 1 ] || fail "no reproducer fails with: $want"
	;;
shards)
	mkdir -p "$w/one" "$w/merged" "$w/jobs"
	(cd "$w/one" && "$vmxsim" explore "$scn" --no-progress --out out > ../one.txt)
	(cd "$w/jobs" && "$vmxsim" explore "$scn" --no-progress --jobs 2 --out out > ../jobs.txt)
	for k in 1 2 3; do
		"$vmxsim" explore "$scn" --no-progress --shard $k/3 --report "$w/shard$k.report" > "$w/shard$k.txt"
		[ $? -le 1 ] || fail "shard $k/3 failed"
	done
	(cd "$w/merged" && "$vmxsim" explore --merge ../shard1.report ../shard2.report ../shard3.report \
		--out out > ../merged.txt)
	cat "$w/merged.txt"
	diff "$w/one.txt" "$w/merged.txt" || fail "the merged report differs from one run's"
	diff "$w/one.txt" "$w/jobs.txt" || fail "--jobs 2 differs from --jobs 1"
	diff -r "$w/one/out" "$w/merged/out" || fail "the merged reproducers differ"
	diff -r "$w/one/out" "$w/jobs/out" || fail "the --jobs 2 reproducers differ"
	grep -q "^failure 1:" "$w/one.txt" || fail "nothing found, so nothing to compare"
	;;
*)
	fail "explore_check.sh: find or shards"
	;;
esac
