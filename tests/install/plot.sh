#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# install.plot: the installed vmxsim finds its plot tools beside itself
# (PREFIX/share/vmxsim/tools) and `run --plot` writes a PNG. Skipped where
# /usr/bin/python3 has no matplotlib (test.sh and .ci/run install it).
. "$(dirname "$0")/lib.sh"

/usr/bin/python3 -c 'import matplotlib' 2>/dev/null || skip "/usr/bin/python3 has no matplotlib (python3-matplotlib)"

rc=0
env -u LD_LIBRARY_PATH "$PREFIX/bin/vmxsim" run "$VMXSIM_SCN" -o t.trace --plot t.png 2>err || rc=$?
[ $rc -le 1 ] || { cat err >&2; fail "vmxsim run --plot exited $rc"; }
[ -s t.trace ] || fail "no trace written"
[ "$(head -c 8 t.png | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "t.png is not a PNG"
# The tools it used were the prefix's own: a copy of the prefix without them cannot plot, and says where it looked.
cp -a "$PREFIX" bare
rm -r bare/share/vmxsim/tools
rc=0
env -u LD_LIBRARY_PATH bare/bin/vmxsim run "$VMXSIM_SCN" -o t2.trace --plot t2.png 2>err || rc=$?
if [ $rc -ne 2 ] || ! grep -q 'bare/bin/../share/vmxsim/tools' err; then
	fail "without PREFIX/share/vmxsim/tools, --plot did not fail naming it (exit $rc): $(cat err)"
fi
echo "$TEST: t.png drawn by $PREFIX/share/vmxsim/tools"
