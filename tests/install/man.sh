#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# install.man: PREFIX/share/man/man1/vmxsim.1 renders without a warning,
# has its NAME, and a section "vmxsim COMMAND" for every command.
. "$(dirname "$0")/lib.sh"

page=$PREFIX/share/man/man1/vmxsim.1
[ -s "$page" ] || fail "$page is missing"
groff -man -Tutf8 -ww -z "$page" 2>warnings || true
[ ! -s warnings ] || { cat warnings >&2; fail "groff warns about $page"; }
if command -v man >/dev/null; then
	MANWIDTH=100 man -l "$page" >page.txt 2>man.err || { cat man.err >&2; fail "man -l $page failed"; }
else
	groff -man -Tutf8 -rLL=100n "$page" >page.txt
fi
# The plain text, without overstriking.
sed -i 's/.\x08//g' page.txt
grep -q '^NAME' page.txt || fail "no NAME section"
grep -Eq '^ +vmxsim - ' page.txt || fail "NAME is not 'vmxsim - ...'"
for cmd in $VMXSIM_COMMANDS; do
	grep -Eq "^ +vmxsim $cmd\$" page.txt || fail "no section 'vmxsim $cmd' in the man page"
done
grep -q "^vmxsim $VMXSIM_VERSION" page.txt || fail "the footer does not name vmxsim $VMXSIM_VERSION"
echo "$TEST: $(wc -l <page.txt) lines, a section for each of: $VMXSIM_COMMANDS"
