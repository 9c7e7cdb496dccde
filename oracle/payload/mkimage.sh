#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# mkimage.sh CASE.asm OUTDIR [RTDIR] - one case as a bootable floppy.
#
# Assembles the compiled case (nasm, elf64), links it with the runtime
# object RTDIR/oracle_rt.o (built by oracle/payload/CMakeLists.txt; RTDIR
# defaults to $VMXSIM_ORACLE_RT) by link.ld, and writes:
#   OUTDIR/case.elf  the linked payload, with symbols (the comparer's nm)
#   OUTDIR/case.img  a 1.44 MB floppy: boot.asm in sector 0, the payload's
#                    text, rodata and data from sector 1
# The loaded part of the payload is at most 480 KiB (960 sectors: it goes
# to 0x8000-0x80000, link.ld checks it); .bss is not on the floppy.
set -eu

usage() {
	echo "usage: $0 CASE.asm OUTDIR [RTDIR]   (RTDIR: the runtime objects, or \$VMXSIM_ORACLE_RT)" >&2
	exit 2
}
[ $# -ge 2 ] && [ $# -le 3 ] || usage
case_asm=$1
out=$2
rt=${3:-${VMXSIM_ORACLE_RT:-}}
here=$(cd "$(dirname "$0")" && pwd)

[ -n "$rt" ] || { echo "$0: no runtime directory (third argument or VMXSIM_ORACLE_RT)" >&2; exit 2; }
[ -f "$rt/oracle_rt.o" ] || { echo "$0: $rt/oracle_rt.o not found (build the oracle_rt target)" >&2; exit 2; }
[ -f "$case_asm" ] || { echo "$0: $case_asm not found" >&2; exit 2; }
mkdir -p "$out"

nasm -f elf64 -I "$(dirname "$case_asm")/" -o "$out/case.o" "$case_asm"
# The runtime first: its .text.start is the payload's first byte (link.ld).
ld -nostdlib -static -no-pie -z noexecstack --no-warn-rwx-segments --orphan-handling=error \
	-T "$here/link.ld" -o "$out/case.elf" "$rt/oracle_rt.o" "$out/case.o"
objcopy -O binary --remove-section=.bss "$out/case.elf" "$out/payload.bin"

size=$(stat -c %s "$out/payload.bin")
sectors=$(( (size + 511) / 512 ))
if [ "$sectors" -gt 960 ]; then
	echo "$0: payload of $size bytes is over 480 KiB" >&2
	exit 1
fi
nasm -f bin -DPAYLOAD_SECTORS="$sectors" -o "$out/boot.bin" "$here/boot.asm"

img="$out/case.img.tmp"
dd if=/dev/zero of="$img" bs=512 count=2880 status=none
dd if="$out/boot.bin" of="$img" conv=notrunc status=none
dd if="$out/payload.bin" of="$img" bs=512 seek=1 conv=notrunc status=none
mv "$img" "$out/case.img"
rm -f "$out/case.o" "$out/boot.bin" "$out/payload.bin"
