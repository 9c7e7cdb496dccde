#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# install.consumers: examples/embed.c built against the installed prefix in
# every way docs/library.md shows, each binary run on the inline scenario and
# on a shipped one; all give the same output. Then the README's C snippet,
# whose trace must be the one `vmxsim run` writes.
. "$(dirname "$0")/lib.sh"

export PKG_CONFIG_PATH=$PREFIX/$LIBDIR/pkgconfig
STRICT=(-std=c17 -Wall -Wextra -Werror -pedantic)
v=$VMXSIM_VERSION

[ "$(pkg-config --modversion vmxsim)" = "$v" ] || fail "pkg-config --modversion vmxsim is not $v"
libdir=$(pkg-config --variable=libdir vmxsim)
[ "$(realpath "$libdir")" = "$(realpath "$PREFIX/$LIBDIR")" ] || fail "pkg-config's libdir $libdir is not $PREFIX/$LIBDIR"
pkg-config --static --libs vmxsim | grep -q -- -lpthread || fail "pkg-config --static --libs vmxsim lacks -lpthread"

# needs_so BINARY yes|no: whether it needs libvmxsim.so at run time.
needs_so() {
	local has=no
	readelf -d "$1" | grep -q 'NEEDED.*\[libvmxsim\.so' && has=yes
	[ "$has" = "$2" ] || fail "$1: needs libvmxsim.so: $has, expected $2"
}

# 1. The one-liner of examples/Makefile's header and docs/library.md.
# shellcheck disable=SC2046
"$CC" "${STRICT[@]}" -o embed-pc "$SRC/examples/embed.c" $(pkg-config --cflags --libs vmxsim)
needs_so embed-pc yes
# 2. examples/Makefile, shared and static.
make -s -f "$SRC/examples/Makefile" CC="$CC" CFLAGS="${STRICT[*]}" embed embed-static
needs_so embed yes
needs_so embed-static no
# 3. find_package(vmxsim), from examples/CMakeLists.txt: vmxsim::vmxsim and vmxsim::vmxsim_static.
"$CMAKE" -S "$SRC/examples" -B cmake-build -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_C_FLAGS="${STRICT[*]}" >cmake-configure.log || { cat cmake-configure.log >&2; fail "configuring examples/ failed"; }
"$CMAKE" --build cmake-build >cmake-build.log || { cat cmake-build.log >&2; fail "building examples/ failed"; }
needs_so cmake-build/embed yes
needs_so cmake-build/embed_static no

# run NAME BINARY ARGS...: its stdout to NAME.out, stderr to NAME.err, its exit status to NAME.rc.
run() {
	local name=$1 rc=0
	shift
	"$@" >"$name.out" 2>"$name.err" || rc=$?
	echo $rc >"$name.rc"
}
bins=(embed-pc embed embed-static cmake-build/embed cmake-build/embed_static)
names=()
for b in "${bins[@]}"; do
	n=${b//\//.}
	names+=("$n")
	# The pkg-config builds have no RUNPATH: the loader is told where the library is.
	run "$n.inline" env LD_LIBRARY_PATH="$PREFIX/$LIBDIR" "./$b"
	run "$n.shipped" env LD_LIBRARY_PATH="$PREFIX/$LIBDIR" "./$b" "$VMXSIM_SCN"
done
# The CMake build needs no LD_LIBRARY_PATH (CMake gave it a RUNPATH), the static one no library at all.
run cmake-runpath.inline env -u LD_LIBRARY_PATH ./cmake-build/embed
run static-alone.inline env -u LD_LIBRARY_PATH ./cmake-build/embed_static
names+=(cmake-runpath static-alone)

first=${names[0]}
for n in "${names[@]}"; do
	for kind in inline shipped; do
		[ -e "$n.$kind.out" ] || continue
		for part in out err rc; do
			cmp -s "$first.$kind.$part" "$n.$kind.$part" || fail "$n and $first differ on the $kind scenario ($part)"
		done
	done
done

# The inline scenario expects the NMI the program raises from outside: it holds.
o=$first.inline
[ "$(cat "$o.rc")" = 0 ] || { cat "$o.out" "$o.err" >&2; fail "embed on its inline scenario exited $(cat "$o.rc")"; }
grep -q "^vmxsim $v: inline.scn, 1 vCPU(s), 3 expectation(s)$" "$o.out" || fail "embed: no header line"
grep -q '^raised an NMI for L1 on cpu0 at cycle 15000$' "$o.out" || fail "embed: the NMI was not raised at 15000"
grep -q ': 0 of 3 expectations failed$' "$o.out" || fail "embed: an expectation of the inline scenario failed"
# The shipped scenario expects two NMIs; the third, raised from outside, shows in its counts.
o=$first.shipped
[ "$(cat "$o.rc")" = 1 ] || { cat "$o.out" "$o.err" >&2; fail "embed $VMXSIM_SCN exited $(cat "$o.rc"), not 1"; }
grep -q 'expectation failed: count deliver nmi == 2 (got 3)$' "$o.err" || fail "embed: the raised NMI was not delivered"
# The watcher saw every exit the run counted, and its per-reason counts add up.
for kind in inline shipped; do
	o=$first.$kind
	seen=$(sed -n 's/^\([0-9]*\) exits seen by the watcher, \([0-9]*\) counted by the run$/\1 \2/p' "$o.out")
	if [ -z "$seen" ] || [ "${seen% *}" != "${seen#* }" ] || [ "${seen% *}" -eq 0 ]; then
		fail "embed ($kind): the watcher's and the run's exit counts differ: '$seen'"
	fi
	sum=$(awk '/^  [A-Z_]+ +[0-9]+$/ { s += $2 } END { print s + 0 }' "$o.out")
	[ "$sum" = "${seen% *}" ] || fail "embed ($kind): the exits by reason add up to $sum, not ${seen% *}"
	grep -Eq '^  NMI_WINDOW +1$' "$o.out" || fail "embed ($kind): no NMI_WINDOW exit counted"
done

# The README's snippet (the C block of its "Using the library" section) gives the same trace as vmxsim run.
awk '/^## Using the library/ { in_section = 1; next }
     /^## / { in_section = 0 }
     in_section && /^```c$/ { in_code = 1; next }
     in_code && /^```$/ { exit }
     in_code { print }' "$SRC/README.md" >readme.c
[ -s readme.c ] || fail "README.md has no C block under '## Using the library'"
# shellcheck disable=SC2046
"$CC" "${STRICT[@]}" -o readme readme.c $(pkg-config --cflags --libs vmxsim)
run readme env LD_LIBRARY_PATH="$PREFIX/$LIBDIR" ./readme "$VMXSIM_SCN"
run cli env -u LD_LIBRARY_PATH "$PREFIX/bin/vmxsim" run "$VMXSIM_SCN"
[ "$(cat readme.rc)" = "$(cat cli.rc)" ] || fail "the README snippet exits $(cat readme.rc), vmxsim run $(cat cli.rc)"
cmp readme.out cli.out || fail "the README snippet's trace differs from vmxsim run's"
cmp -s readme.out "$VMXSIM_GOLDEN" || fail "the README snippet's trace is not the golden $VMXSIM_GOLDEN"
echo "$TEST: ${#bins[@]} builds of examples/embed.c and the README snippet agree"
