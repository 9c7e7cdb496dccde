#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# check_case.sh NAME RTDIR MODEL WORKDIR - a hand-written case end to end:
# builds NAME.asm of this folder into a floppy (mkimage.sh), boots it on
# Bochs (oracle/bochs/run-image.sh, BXO_BUDGET etc. from the environment)
# and compares the report with NAME.expected, whose {LABEL}, {LABEL+N} and
# {LABEL-N} stand for the addresses of the case's symbols (nm of case.elf).
# The caps line (the CPU model's) is not compared, nor the Bochs time stamp
# of a BXOLOG line. Prints the report; exits 1 with a diff when it differs.
set -euo pipefail

[ $# -eq 4 ] || { echo "usage: $0 NAME RTDIR MODEL WORKDIR" >&2; exit 2; }
name=$1
rt=$2
model=$3
work=$4
here=$(cd "$(dirname "$0")" && pwd)
payload=$(dirname "$here")
runner=$(dirname "$payload")/bochs/run-image.sh

"$payload/mkimage.sh" "$here/$name.asm" "$work" "$rt"
"$runner" "$work/case.img" "$model" "$work/report.bxo"
cat "$work/report.bxo"

nm "$work/case.elf" >"$work/case.sym"
perl -e '
	my %addr;
	open(my $sym, "<", $ARGV[0]) or die "$ARGV[0]: $!";
	while (<$sym>) { my @f = split; $addr{$f[2]} = hex($f[0]) if @f == 3; }
	open(my $exp, "<", $ARGV[1]) or die "$ARGV[1]: $!";
	while (<$exp>) {
		s/\{(\w+)(?:([+-])(\d+))?\}/exists $addr{$1} ? sprintf("0x%x", $addr{$1} + ($2 && $2 eq "-" ? -$3 : $3 || 0)) : die "no symbol $1\n"/ge;
		print;
	}' "$work/case.sym" "$here/$name.expected" >"$work/expected.bxo"
grep -v '^BXO caps ' "$work/report.bxo" | sed 's/^BXOLOG [0-9]*[a-z]\[[A-Z0-9 ]*\] /BXOLOG /' >"$work/actual.bxo"
diff -u "$work/expected.bxo" "$work/actual.bxo"
