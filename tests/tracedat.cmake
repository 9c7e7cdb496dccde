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
  add_test(NAME formats.tracedat.libtracecmd
    COMMAND sh -c [[
set -eu; w=$1; vmxsim=$2; src=$3; reader=$4; shift 4
rm -rf "$w"; mkdir -p "$w"; cd "$w"
for s in "$@"; do
  b=$(echo "$s" | tr / _)
  "$vmxsim" run "$src/scenarios/$s.scn" --format trace-dat -o "$b.dat" >/dev/null 2>&1 || [ $? -eq 1 ]
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
]] sh ${VMXSIM_TRACEDAT_WORK}/libtracecmd $<TARGET_FILE:vmxsim> ${PROJECT_SOURCE_DIR} $<TARGET_FILE:tracedat_read>
       ${VMXSIM_TRACEDAT_SCENARIOS})
  set_tests_properties(formats.tracedat.libtracecmd PROPERTIES LABELS formats TIMEOUT 300)
else()
  message(WARNING "formats.tracedat.libtracecmd left out: libtracecmd is missing "
                  "(Debian: apt-get install libtracecmd-dev libtracefs-dev; test.sh installs them)")
endif()

if(VMXSIM_TRACE_CMD)
  add_test(NAME formats.tracedat.report
    COMMAND sh -c [[
set -eu; w=$1; vmxsim=$2; src=$3; tracecmd=$4; shift 4
rm -rf "$w"; mkdir -p "$w"; cd "$w"
for s in "$@"; do
  b=$(echo "$s" | tr / _)
  for f in trace-dat ftrace ftrace-ns; do
    "$vmxsim" run "$src/scenarios/$s.scn" --format $f -o "$b.$f" >/dev/null 2>&1 || [ $? -eq 1 ]
  done
  "$tracecmd" report "$b.trace-dat" >"$b.report" 2>"$b.err"
  "$tracecmd" report -t "$b.trace-dat" >"$b.report-t" 2>>"$b.err"
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
st=0; "$vmxsim" run "$src/scenarios/soft-vnmi/timeout-1s.scn" --format trace-dat --max-trace 20000 -o limit.dat 2>/dev/null || st=$?
[ "$st" -eq 2 ] || { echo "--max-trace 20000: exit $st, not 2"; exit 1; }
"$tracecmd" report limit.dat >limit.report 2>limit.err && ! [ -s limit.err ] || { cat limit.err; echo "the stopped trace.dat does not read"; exit 1; }
grep -q 'vmxsim_end: .* stopped=1' limit.report || { echo "the stopped trace.dat has no end stopped=1"; exit 1; }
]] sh ${VMXSIM_TRACEDAT_WORK}/report $<TARGET_FILE:vmxsim> ${PROJECT_SOURCE_DIR} ${VMXSIM_TRACE_CMD}
       ${VMXSIM_TRACEDAT_SCENARIOS})
  set_tests_properties(formats.tracedat.report PROPERTIES LABELS formats TIMEOUT 300)
else()
  message(WARNING "formats.tracedat.report left out: trace-cmd is missing "
                  "(Debian: apt-get install trace-cmd; test.sh installs it)")
endif()
