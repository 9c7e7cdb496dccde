#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# install.symbols: the installed libraries expose the public API and nothing
# else. libvmxsim.so exports only vmxsim_* names; libvmxsim.a defines no
# global name outside vmxsim_* (it may reference libc's); and each function
# the headers declare VMXSIM_API is in both.
. "$(dirname "$0")/lib.sh"

so=$PREFIX/$LIBDIR/libvmxsim.so.$VMXSIM_VERSION
a=$PREFIX/$LIBDIR/libvmxsim.a

nm -D --defined-only "$so" | awk '{ print $NF }' | sort -u >so.syms
nm -g --defined-only "$a" | awk 'NF >= 3 { print $NF }' | sort -u >a.syms
[ -s so.syms ] || fail "nm found no symbols in $so"
[ -s a.syms ] || fail "nm found no symbols in $a"
grep -v '^vmxsim_' so.syms >so.extra || true
[ ! -s so.extra ] || fail "libvmxsim.so exports names outside vmxsim_*: $(tr '\n' ' ' <so.extra)"
grep -v '^vmxsim_' a.syms >a.extra || true
[ ! -s a.extra ] || fail "libvmxsim.a defines global names outside vmxsim_*: $(tr '\n' ' ' <a.extra)"

# Every VMXSIM_API function of the installed headers, by name.
sed -n 's/^VMXSIM_API .*[ *]\(vmxsim_[a-z0-9_]*\)(.*/\1/p' "$PREFIX"/include/vmxsim/*.h | sort -u >api.syms
[ "$(wc -l <api.syms)" -ge 20 ] || fail "found only $(wc -l <api.syms) VMXSIM_API functions in the headers"
comm -23 api.syms so.syms >so.missing
[ ! -s so.missing ] || fail "libvmxsim.so lacks: $(tr '\n' ' ' <so.missing)"
comm -23 api.syms a.syms >a.missing
[ ! -s a.missing ] || fail "libvmxsim.a lacks: $(tr '\n' ' ' <a.missing)"
# And exports nothing the headers do not declare.
comm -13 api.syms so.syms >so.undeclared
[ ! -s so.undeclared ] || fail "libvmxsim.so exports names no header declares: $(tr '\n' ' ' <so.undeclared)"
echo "$TEST: $(wc -l <api.syms) API functions; nothing else exported"
