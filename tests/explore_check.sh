#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The checks of tests/explore.cmake on one shipped exploration.
#
#   explore_check.sh find   WORKDIR VMXSIM SCENARIO EXPECTED-MESSAGE
#   explore_check.sh shards WORKDIR VMXSIM SCENARIO
#   explore_check.sh parallel WORKDIR VMXSIM SCENARIO DOC
#
# `parallel` runs the GNU parallel recipe of DOC (docs/explore.md) as it is
# written there - the block after "GNU parallel," - on this machine: the
# node list is ":" (GNU parallel's name for the local computer), 4 shards
# instead of 64, the shipped scenario's path kept, the vmxsim binary under
# the path the recipe names. The merged report must be that of one whole
# run, so the recipe cannot rot unseen.
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
parallel)
	doc=$5
	command -v parallel > /dev/null || fail "GNU parallel is not installed (Debian package parallel)"
	# The recipe: from the line after "GNU parallel," to the block's end.
	awk '/^GNU parallel,/ { on = 1; next } on && /^```sh/ { inblock = 1; next }
	     inblock && /^```/ { exit } inblock { print }' "$doc" > "$w/recipe.sh"
	grep -q '^parallel ' "$w/recipe.sh" || fail "no GNU parallel recipe found in $doc"
	grep -q -- '--merge' "$w/recipe.sh" || fail "the recipe in $doc does not merge its reports"
	rel=${scn#"$(dirname "$(dirname "$(dirname "$scn")")")"/}   # scenarios/explore/NAME.scn
	sed -e 's|{}/64|{}/4|; s|seq 1 64|seq 1 4|' \
	    -e "s|scenarios/explore/[A-Za-z0-9_.-]*\.scn|$rel|" "$w/recipe.sh" > "$w/run.sh"
	grep -q "{}/4" "$w/run.sh" && grep -q "seq 1 4" "$w/run.sh" || fail "the recipe's shard count is no longer 64: update this check"
	mkdir -p "$w/tree/build/cli" "$w/tree/reports" "$w/one"
	ln -s "$vmxsim" "$w/tree/build/cli/vmxsim"
	ln -s "$(dirname "$(dirname "$scn")")" "$w/tree/scenarios"
	echo ":" > "$w/tree/nodes.txt"
	# The shards print their own reports; the merge (the recipe's last line) prints the whole one.
	tail -n 1 "$w/run.sh" | grep -q -- '--merge' || fail "the recipe's last line is not its merge"
	head -n -1 "$w/run.sh" > "$w/shards.sh"
	tail -n 1 "$w/run.sh" > "$w/merge.sh"
	# GNU parallel exits with the number of shards that exited non-zero, and a
	# shard that finds a failure exits 1: only a message on stderr is an error.
	(cd "$w/tree" && HOME="$w" sh ../shards.sh > ../shards.txt 2> ../parallel.err)
	st=$?
	[ $st -le 4 ] && [ ! -s "$w/parallel.err" ] || { cat "$w/parallel.err"; fail "the recipe's GNU parallel run exited $st"; }
	(cd "$w/tree" && sh ../merge.sh > ../merged.txt 2> ../merge.err)
	st=$?
	[ $st -le 1 ] || { cat "$w/merge.err"; fail "the recipe's merge exited $st"; }
	[ "$(ls "$w/tree/reports" | wc -l)" -eq 4 ] || fail "the recipe did not write 4 shard reports"
	(cd "$w/tree" && "$vmxsim" explore "$rel" --no-progress --out ../one/repro > ../one.txt)
	sed -i 's|\.\./one/repro/|repro/|' "$w/one.txt"
	cat "$w/merged.txt"
	diff "$w/one.txt" "$w/merged.txt" || fail "the report merged from GNU parallel's shards differs from one run's"
	diff -r "$w/one/repro" "$w/tree/repro" || fail "the merged reproducers differ"
	;;
*)
	fail "explore_check.sh: find, shards or parallel"
	;;
esac
