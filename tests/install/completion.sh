#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# install.completion: PREFIX/share/bash-completion/completions/vmxsim loads
# in a plain bash and through bash-completion's loader, completes commands,
# options, option values and files, and offers for each command exactly the
# options that the command's --help lists.
. "$(dirname "$0")/lib.sh"

comp=$PREFIX/share/bash-completion/completions/vmxsim
[ -f "$comp" ] || fail "$comp is missing"
bash --norc --noprofile -c 'source "$1" && complete -p vmxsim' bash "$comp" >complete-p ||
	fail "sourcing $comp failed"
grep -q -- '-F _vmxsim vmxsim$' complete-p || fail "no 'complete -F _vmxsim vmxsim': $(cat complete-p)"

# offers WORD...: what pressing TAB after the last word offers, one a line, sorted.
# The words are COMP_WORDS as bash splits them ('--format=x' is "--format" "=" "x").
cat >driver.bash <<'DRIVER'
source "$1"
shift
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
_vmxsim vmxsim "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
printf '%s\n' "${COMPREPLY[@]}"
DRIVER
offers() {
	bash --norc --noprofile driver.bash "$comp" "$@" | sed '/^$/d' | LC_ALL=C sort
}
# expect WANT WORD...: WANT is the offers, space-separated, in any order.
expect() {
	local want got
	want=$(tr ' ' '\n' <<<"$1" | sed '/^$/d' | LC_ALL=C sort)
	shift
	got=$(offers "$@")
	[ "$got" = "$want" ] || fail "completing '$*' offers '$(tr '\n' ' ' <<<"$got")', not '$(tr '\n' ' ' <<<"$want")'"
}

expect "run" vmxsim ru
expect "$VMXSIM_COMMANDS help --help --version" vmxsim ''
expect "equiv explore" vmxsim help e
expect "--format" vmxsim run --fo
expect "text jsonl vcd perfetto ftrace trace-dat ftrace-ns trace-dat7" vmxsim run --format =
expect "jsonl" vmxsim run --format = j
expect "--format=vcd" vmxsim run --format=v
expect "perfetto" vmxsim run --format p
expect "always" vmxsim check --color = al
expect "" vmxsim explore --jobs ''

mkdir -p files/sub
touch files/a.scn files/b.trace files/c.jsonl files/d.txt
expect "files/sub files/a.scn" vmxsim run files/
expect "files/sub files/a.scn" vmxsim check --bless files/
expect "files/sub files/a.scn" vmxsim explore --jobs 2 files/
expect "files/sub files/a.scn files/b.trace files/c.jsonl files/d.txt" vmxsim explore --merge files/
expect "files/sub files/a.scn files/b.trace files/c.jsonl files/d.txt" vmxsim run x.scn -o files/
expect "files/sub files/b.trace files/c.jsonl" vmxsim diff files/
expect "files/sub files/b.trace files/c.jsonl" vmxsim check --golden files/
expect "files/sub" vmxsim suite --out files/
expect "files/sub" vmxsim list files/
# `--color WHEN`: the next word is a WHEN or an operand.
expect "always" vmxsim run --color al
expect "files/sub files/a.scn" vmxsim run --color files/

# The options offered for each command are those its --help lists (-h aside):
# the option column of its lines that start with a dash.
for cmd in $VMXSIM_COMMANDS; do
	rc=0
	env -u LD_LIBRARY_PATH "$PREFIX/bin/vmxsim" "$cmd" --help >"help.$cmd" 2>"help.$cmd.err" || rc=$?
	[ $rc -eq 0 ] || fail "vmxsim $cmd --help exited $rc: $(cat "help.$cmd.err")"
	sed -n 's/^[[:space:]]\{1,\}\(-[^[:space:]].*\)$/\1/p' "help.$cmd" | sed 's/  .*//' |
		grep -oE -- '(^|[ ,[])--?[A-Za-z0-9][A-Za-z0-9-]*' | sed 's/^[ ,[]//' |
		grep -vx -- '-h' | LC_ALL=C sort -u >"help.$cmd.opts"
	[ -s "help.$cmd.opts" ] || fail "found no options in 'vmxsim $cmd --help'"
	offers vmxsim "$cmd" - >"comp.$cmd.opts"
	missing=$(comm -23 "help.$cmd.opts" "comp.$cmd.opts" | tr '\n' ' ')
	extra=$(comm -13 "help.$cmd.opts" "comp.$cmd.opts" | tr '\n' ' ')
	[ -z "$missing$extra" ] ||
		fail "vmxsim $cmd: the completion lacks [$missing] and offers [$extra] beyond its --help (packaging/bash-completion/vmxsim)"
done

# bash-completion loads it on demand from PREFIX/share (XDG_DATA_DIRS), as it does from /usr/share.
bc=/usr/share/bash-completion/bash_completion
if [ -f "$bc" ]; then
	XDG_DATA_DIRS=$PREFIX/share bash --norc --noprofile -c \
		'source "$1" && __load_completion vmxsim && complete -p vmxsim' bash "$bc" >loaded 2>&1 ||
		fail "bash-completion did not load vmxsim's completion from $PREFIX/share: $(cat loaded)"
	grep -q -- '-F _vmxsim vmxsim$' loaded || fail "bash-completion loaded something else: $(cat loaded)"
else
	echo "$TEST: bash-completion is not installed; its loader was not tried"
fi
echo "$TEST: completions as expected for: $VMXSIM_COMMANDS"
