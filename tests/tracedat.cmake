# SPDX-License-Identifier: Apache-2.0
# The trace-dat format read by the tools KVM developers use (Debian's
# trace-cmd, libtracecmd and libtraceevent; test.sh installs them):
#
#   formats.tracedat.parse     every format file the writer writes, in both eras, parsed by
#                              libtraceevent (tests/tracedat/parse_formats.c)
#   formats.tracedat.libtracecmd  shipped scenarios -> trace.dat, read back through libtracecmd's
#                              input API (tests/tracedat/read_tracedat.c): systems, pids, CPUs,
#                              time order, vcpu_id, isa; its CPUs, times, event names and RIPs
#                              equal those of --format ftrace-ns
#   formats.tracedat.report    `trace-cmd report` of each trace.dat equals --format ftrace of the
#                              same run line for line, and `trace-cmd report -t` --format
#                              ftrace-ns; nothing fails to parse; kvm_exit lines carry reason
#                              names (Debian's plugin_kvm); a run stopped by --max-trace (the
#                              writer's memory counts) leaves a trace.dat that reads
#   formats.tracedat7.libtracecmd, formats.tracedat7.report
#                              the same two on --format trace-dat7 (file version 7)
#   formats.tracedat7.version  `trace-cmd dump --summary` and the header bytes say version 7
#                              (and 6 for trace-dat), `trace-cmd dump -v` finds both valid, the
#                              v7 file's sections are those vmxsim writes, both report the same,
#                              `trace-cmd convert` takes v7 back to 6 unchanged, a v7 file written
#                              to a pipe (-o -) is the same bytes as one written to a file, and
#                              `vmxsim stat` prints the same table for both
#
# A missing package leaves its tests out with a warning at configure time.

set(VMXSIM_TRACEDAT_WORK ${CMAKE_CURRENT_BINARY_DIR}/tracedat)
# A nested run, soft vNMI, two and four vCPUs, an exception with an error code, MTF, the old era.
set(VMXSIM_TRACEDAT_SCENARIOS
    nested/walkthrough nested/ack-on-exit-modern nested/l2-long-run-modern soft-vnmi/basic
    soft-vnmi/smp-nmi-ipi hw/smp-ipi hw/init-sipi-ap hw/idt-vectoring hw/mtf-inject kvm-unit-tests/mtf-gp-fault)

find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(VMXSIM_LIBTRACEEVENT QUIET IMPORTED_TARGET libtraceevent)
  pkg_check_modules(VMXSIM_LIBTRACECMD QUIET IMPORTED_TARGET libtracecmd)
endif()
find_program(VMXSIM_TRACE_CMD trace-cmd)

if(VMXSIM_LIBTRACEEVENT_FOUND)
  add_executable(tracedat_parse_formats ${CMAKE_CURRENT_SOURCE_DIR}/tracedat/parse_formats.c)
  target_include_directories(tracedat_parse_formats PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(tracedat_parse_formats PRIVATE vmxsim_model PkgConfig::VMXSIM_LIBTRACEEVENT)
  target_compile_options(tracedat_parse_formats PRIVATE ${VMXSIM_C_WARNINGS})
  add_test(NAME formats.tracedat.parse COMMAND tracedat_parse_formats)
  set_tests_properties(formats.tracedat.parse PROPERTIES LABELS formats)
else()
  message(WARNING "formats.tracedat.parse left out: libtraceevent is missing "
                  "(Debian: apt-get install libtraceevent-dev; test.sh installs it)")
endif()

if(VMXSIM_LIBTRACECMD_FOUND)
  add_executable(tracedat_read ${CMAKE_CURRENT_SOURCE_DIR}/tracedat/read_tracedat.c)
  target_link_libraries(tracedat_read PRIVATE PkgConfig::VMXSIM_LIBTRACECMD)
  target_compile_options(tracedat_read PRIVATE ${VMXSIM_C_WARNINGS})
  foreach(fmt IN ITEMS trace-dat trace-dat7)
  string(REPLACE "trace-dat" "tracedat" t ${fmt})
  add_test(NAME formats.${t}.libtracecmd
    COMMAND sh -c [[
set -eu; w=$1; vmxsim=$2; src=$3; reader=$4; fmt=$5; shift 5
rm -rf "$w"; mkdir -p "$w"; cd "$w"
for s in "$@"; do
  b=$(echo "$s" | tr / _)
  "$vmxsim" run "$src/scenarios/$s.scn" --format "$fmt" -o "$b.dat" >/dev/null 2>&1 || [ $? -eq 1 ]
  "$vmxsim" run "$src/scenarios/$s.scn" --format ftrace-ns -o "$b.ftns" >/dev/null 2>&1 || [ $? -eq 1 ]
  "$reader" "$b.dat" >"$b.read" || { echo "$s: libtracecmd reader failed"; exit 1; }
  awk 'NR == 1 { print; next }
       { line = $2 " " $3 " " $4
         if ($4 == "kvm_exit:" || $4 == "kvm_entry:")
           for (i = 5; i < NF; i++) if ($i == "rip") { line = line " rip " $(i + 1); break }
         print line }' "$b.ftns" >"$b.expect"
  diff "$b.expect" "$b.read" >"$b.diff" || { head -20 "$b.diff"; echo "$s: libtracecmd reads other records than ftrace-ns prints"; exit 1; }
  echo "$s: $(($(wc -l <"$b.read") - 1)) records"
done
]] sh ${VMXSIM_TRACEDAT_WORK}/libtracecmd-${fmt} $<TARGET_FILE:vmxsim> ${PROJECT_SOURCE_DIR}
       $<TARGET_FILE:tracedat_read> ${fmt} ${VMXSIM_TRACEDAT_SCENARIOS})
  set_tests_properties(formats.${t}.libtracecmd PROPERTIES LABELS formats TIMEOUT 300)
  endforeach()
else()
  message(WARNING "formats.tracedat.libtracecmd left out: libtracecmd is missing "
                  "(Debian: apt-get install libtracecmd-dev libtracefs-dev; test.sh installs them)")
endif()

if(VMXSIM_TRACE_CMD)
  foreach(fmt IN ITEMS trace-dat trace-dat7)
  string(REPLACE "trace-dat" "tracedat" t ${fmt})
  add_test(NAME formats.${t}.report
    COMMAND sh -c [[
set -eu; w=$1; vmxsim=$2; src=$3; tracecmd=$4; fmt=$5; shift 5
rm -rf "$w"; mkdir -p "$w"; cd "$w"
for s in "$@"; do
  b=$(echo "$s" | tr / _)
  for f in "$fmt" ftrace ftrace-ns; do
    "$vmxsim" run "$src/scenarios/$s.scn" --format $f -o "$b.$f" >/dev/null 2>&1 || [ $? -eq 1 ]
  done
  "$tracecmd" report "$b.$fmt" >"$b.report" 2>"$b.err"
  "$tracecmd" report -t "$b.$fmt" >"$b.report-t" 2>>"$b.err"
  if [ -s "$b.err" ]; then cat "$b.err"; echo "$s: trace-cmd report complained"; exit 1; fi
  diff "$b.ftrace" "$b.report" >"$b.diff" || { head -20 "$b.diff"; echo "$s: --format ftrace differs from trace-cmd report"; exit 1; }
  diff "$b.ftrace-ns" "$b.report-t" >"$b.diff" || { head -20 "$b.diff"; echo "$s: --format ftrace-ns differs from trace-cmd report -t"; exit 1; }
  if grep -q 'FAILED TO PARSE\|CANT FIND' "$b.report"; then echo "$s: trace-cmd could not print a record"; exit 1; fi
  grep -Eq 'kvm_exit: +reason ' "$b.report" || { echo "$s: no kvm_exit"; exit 1; }
  echo "$s: $(($(wc -l <"$b.report") - 1)) lines equal"
done
# The plugin names the reasons it knows (MONITOR_TRAP_FLAG is not among them: UNKNOWN (37)).
named=$(cat ./*.report | grep -Ec 'kvm_exit: +reason [A-Z_]+ rip 0x' || true)
[ "$named" -gt 0 ] || { echo "no kvm_exit with a reason name"; exit 1; }
echo "$named kvm_exit lines with a reason name"
# What the writer holds in memory counts against --max-trace; the stopped file still reads.
st=0; "$vmxsim" run "$src/scenarios/soft-vnmi/timeout-1s.scn" --format "$fmt" --max-trace 20000 -o limit.dat 2>/dev/null || st=$?
[ "$st" -eq 2 ] || { echo "--max-trace 20000: exit $st, not 2"; exit 1; }
"$tracecmd" report limit.dat >limit.report 2>limit.err && ! [ -s limit.err ] || { cat limit.err; echo "the stopped trace.dat does not read"; exit 1; }
grep -q 'vmxsim_end: .* stopped=1' limit.report || { echo "the stopped trace.dat has no end stopped=1"; exit 1; }
]] sh ${VMXSIM_TRACEDAT_WORK}/report-${fmt} $<TARGET_FILE:vmxsim> ${PROJECT_SOURCE_DIR} ${VMXSIM_TRACE_CMD}
       ${fmt} ${VMXSIM_TRACEDAT_SCENARIOS})
  set_tests_properties(formats.${t}.report PROPERTIES LABELS formats TIMEOUT 300)
  endforeach()

  add_test(NAME formats.tracedat7.version
    COMMAND sh -c [=[
set -eu; w=$1; vmxsim=$2; src=$3; tracecmd=$4
rm -rf "$w"; mkdir -p "$w"; cd "$w"
scn="$src/scenarios/hw/smp-ipi.scn"
for v in 6 7; do
  f=trace-dat; [ $v = 6 ] || f=trace-dat$v
  "$vmxsim" run "$scn" --format $f -o v$v.dat >/dev/null
  "$tracecmd" dump --summary -i v$v.dat >v$v.summary 2>&1
  grep -Eq "^[[:space:]]+$v[[:space:]]+\[Version\]" v$v.summary || { cat v$v.summary; echo "trace-cmd dump does not say version $v"; exit 1; }
  "$tracecmd" dump -v -i v$v.dat >v$v.valid 2>&1
  grep -q 'is a valid trace-cmd file' v$v.valid || { cat v$v.valid; echo "trace-cmd dump -v: version $v not valid"; exit 1; }
  # The two bytes after the 3 magic bytes and "tracing" are the version and its NUL.
  [ "$(od -An -c -j10 -N2 v$v.dat | tr -d ' ')" = "$v\0" ] || { echo "header bytes do not say $v"; exit 1; }
done
# The sections trace-cmd finds through the options, and the BUFFER option's clock.
"$tracecmd" dump --all -i v7.dat >v7.all 2>&1
for sec in 'Header page' 'Header event' 'Events format, 2 systems' 'Saved command lines' \
           'buffer "", "local" clock, 4096 page size, 2 cpus'; do
  grep -Fq "[$sec" v7.all || { head -50 v7.all; echo "trace-cmd dump --all: no [$sec"; exit 1; }
done
# The same records in both layouts, and the same bytes through a pipe (no seeking).
"$tracecmd" report v6.dat >v6.report 2>/dev/null
"$tracecmd" report v7.dat >v7.report 2>/dev/null
cmp -s v6.report v7.report || { diff v6.report v7.report | head; echo "v6 and v7 report differently"; exit 1; }
"$vmxsim" run "$scn" --format trace-dat7 -o - 2>/dev/null | cat >pipe.dat
cmp -s v7.dat pipe.dat || { echo "-o - wrote other bytes than -o FILE"; exit 1; }
# trace-cmd's own writer takes the v7 file back to version 6 with the same records.
"$tracecmd" convert -i v7.dat --file-version 6 -o conv6.dat >/dev/null 2>&1 || { echo "trace-cmd convert cannot read the v7 file"; exit 1; }
"$tracecmd" report conv6.dat 2>/dev/null | cmp -s - v6.report || { echo "trace-cmd convert to version 6 reports differently"; exit 1; }
# vmxsim stat reads both through libtracecmd (where built with it) and prints the same table.
if "$vmxsim" stat v6.dat >v6.stat 2>/dev/null; then
  "$vmxsim" stat v7.dat >v7.stat 2>/dev/null || { echo "vmxsim stat cannot read the v7 file"; exit 1; }
  cmp -s v6.stat v7.stat || { diff v6.stat v7.stat | head; echo "vmxsim stat differs between v6 and v7"; exit 1; }
fi
echo "version 6 and 7: $(($(wc -l <v7.report) - 1)) records each"
]=] sh ${VMXSIM_TRACEDAT_WORK}/version $<TARGET_FILE:vmxsim> ${PROJECT_SOURCE_DIR} ${VMXSIM_TRACE_CMD})
  set_tests_properties(formats.tracedat7.version PROPERTIES LABELS formats)
else()
  message(WARNING "formats.tracedat.report left out: trace-cmd is missing "
                  "(Debian: apt-get install trace-cmd; test.sh installs it)")
endif()
