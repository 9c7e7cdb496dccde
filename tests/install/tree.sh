#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# install.tree: `cmake --install BUILD --prefix PREFIX` into an empty prefix,
# then every file where the install layout says, the shared library's SONAME
# and the binary's RUNPATH, which must find libvmxsim.so.0 in the prefix.
. "$(dirname "$0")/lib.sh"

rm -rf "$PREFIX"
"$CMAKE" --install "$BUILD" --prefix "$PREFIX" >install.log || { cat install.log >&2; fail "cmake --install failed"; }

v=$VMXSIM_VERSION
major=${v%%.*}
want=(
	bin/vmxsim
	"$LIBDIR/libvmxsim.so.$v" "$LIBDIR/libvmxsim.so.$major" "$LIBDIR/libvmxsim.so" "$LIBDIR/libvmxsim.a"
	"$LIBDIR/pkgconfig/vmxsim.pc"
	"$LIBDIR/cmake/vmxsim/vmxsimConfig.cmake" "$LIBDIR/cmake/vmxsim/vmxsimConfigVersion.cmake"
	"$LIBDIR/cmake/vmxsim/vmxsimTargets.cmake"
	share/vmxsim/tools/vmxsim_plot.py share/vmxsim/vmxsim.gtkw share/vmxsim/exit_reasons.txt
	share/bash-completion/completions/vmxsim
	share/doc/vmxsim/LICENSE share/doc/vmxsim/NOTICE
)
for h in "$SRC"/include/vmxsim/*.h; do
	want+=("include/vmxsim/$(basename "$h")")
done
[ "$VMXSIM_MAN" = 1 ] && want+=(share/man/man1/vmxsim.1)
for f in "${want[@]}"; do
	[ -e "$PREFIX/$f" ] || fail "$f is not installed"
done
[ -x "$PREFIX/bin/vmxsim" ] || fail "bin/vmxsim is not executable"
[ "$(readlink "$PREFIX/$LIBDIR/libvmxsim.so")" = "libvmxsim.so.$major" ] ||
	fail "$LIBDIR/libvmxsim.so is not a link to libvmxsim.so.$major"
[ "$(readlink "$PREFIX/$LIBDIR/libvmxsim.so.$major")" = "libvmxsim.so.$v" ] ||
	fail "$LIBDIR/libvmxsim.so.$major is not a link to libvmxsim.so.$v"
cmp -s "$SRC/LICENSE" "$PREFIX/share/doc/vmxsim/LICENSE" || fail "the installed LICENSE differs"
# The GTKWave view finds its translate filter beside itself.
grep -q 'exit_reasons.txt' "$PREFIX/share/vmxsim/vmxsim.gtkw" || fail "vmxsim.gtkw names no exit_reasons.txt"

readelf -d "$PREFIX/$LIBDIR/libvmxsim.so.$v" >so.dyn
grep -q "Library soname: \[libvmxsim.so.$major\]" so.dyn || fail "the SONAME is not libvmxsim.so.$major: $(grep SONAME so.dyn)"
readelf -d "$PREFIX/bin/vmxsim" >bin.dyn
runpath="\$ORIGIN"/$(realpath -m --relative-to="$PREFIX/bin" "$PREFIX/$LIBDIR")
grep -Fq "ath: [$runpath]" bin.dyn || fail "bin/vmxsim has no RUNPATH $runpath: $(grep -E 'R(UN)?PATH' bin.dyn || true)"
grep -q "$BUILD" bin.dyn && fail "bin/vmxsim still names the build tree: $(grep "$BUILD" bin.dyn)"
# With no LD_LIBRARY_PATH, the loader takes libvmxsim.so.0 from the prefix.
lib=$(env -u LD_LIBRARY_PATH ldd "$PREFIX/bin/vmxsim" | awk '$1 == "libvmxsim.so.'"$major"'" { print $3 }')
[ "$(realpath "$lib")" = "$(realpath "$PREFIX/$LIBDIR/libvmxsim.so.$v")" ] || fail "bin/vmxsim loads libvmxsim from '$lib', not the prefix"

out=$(env -u LD_LIBRARY_PATH "$PREFIX/bin/vmxsim" --version)
[ "$out" = "vmxsim $v" ] || fail "bin/vmxsim --version says '$out', not 'vmxsim $v'"
env -u LD_LIBRARY_PATH "$PREFIX/bin/vmxsim" run "$VMXSIM_SCN" -o run.trace || fail "bin/vmxsim run $VMXSIM_SCN failed"
cmp run.trace "$VMXSIM_GOLDEN" || fail "the installed vmxsim does not write the golden $VMXSIM_GOLDEN"
echo "$TEST: ${#want[@]} files in $PREFIX"
