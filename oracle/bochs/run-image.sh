#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# run-image.sh IMAGE MODEL OUTFILE - boot one case image (oracle/payload/
# mkimage.sh) once on Bochs, headless, and write what it reported.
#
# OUTFILE gets the case's "BXO ..." lines (port 0xE9), then a "BXOLOG ..."
# line for each line of Bochs's log that names VMFAIL, VMENTER FAIL or
# VMABORT (or a triple fault in root operation), and, when the case did not
# reach "BXO done", a last line saying why:
#   BXO cut-off budget    the instruction budget ran out (BXO_BUDGET)
#   BXO cut-off timeout   the wall-clock limit ran out (BXO_TIMEOUT)
#   BXO cut-off exit      Bochs stopped by itself (a panic, a crash)
#
# Bochs: Debian's /usr/bin/bochs (2.7) by default. It has no "nogui"
# display: the rfb display with timeout=0 runs without a VNC client but
# listens on one TCP port of 5900-5949 (so at most 50 runs at once), and it
# has the debugger, which enforces the budget: "sb BUDGET", "c", "quit".
# BOCHS=/path/to/bochs selects another (self-built) Bochs: display nogui, no
# debugger, only the timeout. Runs are independent (a private temporary
# directory each, the image opened write-protected).
#
# Environment: BXO_BUDGET (instructions from power-on, BIOS included;
# default 50000000, the BIOS takes about 4.3 million), BXO_TIMEOUT (seconds,
# default 30), BXO_IPS (default 1000000), BXO_BIOS, BXO_VGABIOS (ROM files).
# Exit status: 0 when OUTFILE was written, 2 on bad arguments, 1 when Bochs
# did not run the case at all (the message says why).
set -u -o pipefail

die() {
	echo "run-image.sh: $*" >&2
	exit "${2:-2}"
}

[ $# -eq 3 ] || die "usage: run-image.sh IMAGE MODEL OUTFILE"
image=$1
model=$2
outfile=$3
[ -r "$image" ] || die "cannot read image '$image'"
[[ $model =~ ^[A-Za-z0-9_]+$ ]] || die "bad CPU model name '$model'"
budget=${BXO_BUDGET:-50000000}
limit=${BXO_TIMEOUT:-30}
ips=${BXO_IPS:-1000000}
bios=${BXO_BIOS:-/usr/share/bochs/BIOS-bochs-latest}
vgabios=${BXO_VGABIOS:-/usr/share/vgabios/vgabios.bin}
[[ $budget =~ ^[0-9]+$ ]] || die "BXO_BUDGET must be a number of instructions"
[[ $limit =~ ^[0-9]+$ ]] || die "BXO_TIMEOUT must be a number of seconds"
[[ $ips =~ ^[0-9]+$ ]] || die "BXO_IPS must be a number"

debian=/usr/bin/bochs
bochs=${BOCHS:-$debian}
command -v "$bochs" >/dev/null || die "no Bochs at '$bochs'"
with_debugger=0
if [ -z "${BOCHS:-}" ] || [ "$(readlink -f "$(command -v "$bochs")")" = "$(readlink -f "$debian")" ]; then
	with_debugger=1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bxo-run.XXXXXX") || die "cannot create a temporary directory" 1
trap 'rm -rf "$tmp"' EXIT
# Bochs's configuration parser splits at commas and spaces: give it a plain path.
ln -s "$(readlink -f "$image")" "$tmp/case.img"

if [ "$with_debugger" = 1 ]; then
	display='display_library: rfb, options="timeout=0"'
else
	display='display_library: nogui'
fi
cat >"$tmp/bochsrc" <<EOF
megs: 32
romimage: file=$bios
vgaromimage: file=$vgabios
$display
cpu: model=$model, ips=$ips, reset_on_triple_fault=0
boot: floppy
floppy_bootsig_check: disabled=0
floppya: 1_44=$tmp/case.img, status=inserted, write_protected=1
port_e9_hack: enabled=1
speaker: enabled=0
log: /dev/stderr
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
EOF
printf 'sb %s\nc\nquit\n' "$budget" >"$tmp/debugger.rc"

run_bochs() {
	if [ "$with_debugger" = 1 ]; then
		timeout -k 5 "$limit" "$bochs" -q -f "$tmp/bochsrc" -rc "$tmp/debugger.rc" </dev/null
	else
		timeout -k 5 "$limit" "$bochs" -q -f "$tmp/bochsrc" </dev/null
	fi
}

# Both streams are filtered as they come, so a runaway case fills no disk:
# stdout (port 0xE9 and the debugger) keeps the BXO lines, at most
# max_lines of them; stderr (the log) keeps the BXOLOG lines, at most 200,
# and its last lines for an error message.
max_lines=100000
filter_stdout() {
	awk -v max="$max_lines" -v budget="$tmp/budget-hit" -v tailfile="$tmp/stdout.tail" '
		/^BXO / { if (n < max) print; n++; next }
		/^\(0\) Caught time breakpoint/ { print "" > budget }
		{ last[t++ % 20] = $0 }
		END {
			if (n > max) printf "BXO warning lines-dropped count=%d\n", n - max
			for (i = (t > 20 ? t - 20 : 0); i < t; i++) print last[i % 20] > tailfile
		}'
}
filter_log() {
	awk -v tailfile="$tmp/stderr.tail" '
		/VMFAIL|VMENTER FAIL|VMABORT|exception with no resolution/ {
			if (n < 200) print "BXOLOG " $0
			n++
		}
		{ last[t++ % 20] = $0 }
		END { for (i = (t > 20 ? t - 20 : 0); i < t; i++) print last[i % 20] > tailfile }'
}

# Bochs's RFB display binds a TCP port of 5900-5949 and panics when it
# finds none free; that says nothing about the case, so such a start is
# tried again (seen once in 370 runs at -j2).
for attempt in 1 2 3 4 5; do
	rm -f "$tmp/budget-hit" "$tmp/status"
	start=$(date +%s%N)
	{ { run_bochs 2>&1 1>&3 3>&-; echo $? >"$tmp/status"; } | filter_log >"$tmp/log"; } 3>&1 | filter_stdout >"$tmp/bxo"
	status=$(cat "$tmp/status" 2>/dev/null || echo unknown)
	elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
	if grep -q '^BXO start$' "$tmp/bxo" || ! grep -q 'RFB could not bind' "$tmp/stderr.tail" "$tmp/stdout.tail" 2>/dev/null; then
		break
	fi
	sleep "$attempt"
done

if ! grep -q '^BXO start$' "$tmp/bxo"; then
	{
		echo "run-image.sh: the case did not start (bochs exit status $status, after ${elapsed_ms} ms); Bochs said:"
		cat "$tmp/bxo" "$tmp/stdout.tail" "$tmp/stderr.tail" 2>/dev/null | grep -v -e '^ALSA lib' -e 'lt_dlhandle' -e 'loaded plugin' | tail -n 20
	} >&2
	exit 1
fi
{
	cat "$tmp/bxo" "$tmp/log"
	if ! grep -q '^BXO done$' "$tmp/bxo"; then
		if [ "$status" = 124 ] || [ "$status" = 137 ]; then
			echo "BXO cut-off timeout"
		elif [ -e "$tmp/budget-hit" ]; then
			echo "BXO cut-off budget"
		else
			echo "BXO cut-off exit"
		fi
	fi
} >"$tmp/out"
mv -f "$tmp/out" "$outfile.tmp.$$" && mv -f "$outfile.tmp.$$" "$outfile" || die "cannot write '$outfile'" 1
