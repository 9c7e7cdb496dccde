#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# install.subproject: a parent project with add_subdirectory(vmxsim)
# (tests/install/subproject/) configures with no test of vmxsim's (and no
# GoogleTest), builds its programs with vmxsim::vmxsim and
# vmxsim::vmxsim_static, runs them, and installs nothing of vmxsim's.
. "$(dirname "$0")/lib.sh"

"$CMAKE" -S "$SRC/tests/install/subproject" -B build -DVMXSIM_SOURCE_DIR="$SRC" -DCMAKE_BUILD_TYPE=Release \
	>configure.log 2>&1 || { cat configure.log >&2; fail "configuring the parent project failed"; }
grep -qi gtest configure.log && fail "the parent project's configure looked for GoogleTest: $(grep -i gtest configure.log)"
[ ! -e build/vmxsim/CTestTestfile.cmake ] || fail "vmxsim registered tests in the parent project"
"$CMAKE" --build build --target embed embed_static >build.log 2>&1 || { tail -n 40 build.log >&2; fail "building the parent's programs failed"; }

for b in embed embed_static; do
	rc=0
	"build/$b" >"$b.out" 2>"$b.err" || rc=$?
	[ $rc -eq 0 ] || { cat "$b.out" "$b.err" >&2; fail "$b exited $rc"; }
	grep -q ': 0 of 3 expectations failed$' "$b.out" || fail "$b: unexpected output: $(cat "$b.out")"
done
cmp -s embed.out embed_static.out || fail "embed and embed_static print different things"
readelf -d build/embed_static | grep -q 'NEEDED.*libvmxsim' && fail "embed_static needs libvmxsim.so"

"$CMAKE" --install build --prefix parent-prefix >install.log
find parent-prefix -type f -o -type l | sed 's|^parent-prefix/||' | LC_ALL=C sort >installed
printf 'bin/embed\nbin/embed_static\n' >want
cmp -s installed want || fail "the parent's install has more than its own programs: $(tr '\n' ' ' <installed)"
echo "$TEST: built, ran and installed as a subproject"
