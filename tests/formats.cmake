# SPDX-License-Identifier: Apache-2.0
# Trace formats checked by the programs that read them:
#
#   format.vcd_vcd2fst    every shipped scenario -> VCD. tools/check_vcd.py reads it
#                         strictly; GTKWave's vcd2fst converts it to FST and fst2vcd back
#                         (exit status 0 both ways), and the round trip must hold the same
#                         variables and value histories (vcd2fst itself exits 0 even on
#                         garbage); every signal of tools/vmxsim.gtkw exists
#   format.perfetto_json  every shipped scenario -> Perfetto JSON; tools/check_perfetto.py
#                         under /usr/bin/python3 (json only): valid JSON, every X slice has
#                         ts/dur/pid/tid, slices nest per (pid, tid), metadata present
#   format.deterministic  the same run twice gives the same VCD and JSON bytes
#   format.exit_filter    tools/exit_reasons.txt is what tools/gen_exit_filter.c writes
#                         from vmcs/vmx_exit_reasons.def
#
# Each test works in its own directory under the build tree.

# The translate-filter generator (tools/gen_exit_filter.c): build/tests/gen_exit_filter.
add_executable(gen_exit_filter ${PROJECT_SOURCE_DIR}/tools/gen_exit_filter.c)
target_include_directories(gen_exit_filter PRIVATE ${PROJECT_SOURCE_DIR})
target_compile_options(gen_exit_filter PRIVATE ${VMXSIM_C_WARNINGS})

set(VMXSIM_FORMAT_WORK ${CMAKE_CURRENT_BINARY_DIR}/formats)
set(VMXSIM_FORMAT_PYTHON /usr/bin/python3)

# sh -c SCRIPT sh WORKDIR VMXSIM PYTHON SOURCE VCD2FST FST2VCD: the script sees them as $1..$6.
# `vmxsim run` exits 1 when a scenario's expectations fail; that is not these tests' business,
# but the trace must have been written.
function(vmxsim_format_test name script)
  add_test(NAME format.${name}
    COMMAND sh -c "set -eu; w=$1; vmxsim=$2; py=$3; src=$4; vcd2fst=$5; fst2vcd=$6; rm -rf \"$w\"; mkdir -p \"$w\"; cd \"$w\"; ${script}"
            sh ${VMXSIM_FORMAT_WORK}/${name} $<TARGET_FILE:vmxsim> ${VMXSIM_FORMAT_PYTHON}
            ${PROJECT_SOURCE_DIR} ${VMXSIM_VCD2FST} ${VMXSIM_FST2VCD})
  set_tests_properties(format.${name} PROPERTIES LABELS formats TIMEOUT 300 COST 10)  # started early, as plots.*
endfunction()

add_test(NAME format.exit_filter
  COMMAND sh -c "set -eu; mkdir -p \"$(dirname \"$2\")\"; $1 \"$2\"; cmp \"$2\" \"$3\" || { echo \"$3 is out of date: regenerate it with $1 $3\"; exit 1; }"
          sh $<TARGET_FILE:gen_exit_filter> ${VMXSIM_FORMAT_WORK}/exit_reasons.txt
          ${PROJECT_SOURCE_DIR}/tools/exit_reasons.txt)
set_tests_properties(format.exit_filter PROPERTIES LABELS formats)

find_program(VMXSIM_VCD2FST vcd2fst)
find_program(VMXSIM_FST2VCD fst2vcd)
if(NOT EXISTS ${VMXSIM_FORMAT_PYTHON})
  message(WARNING "format.* tests left out: ${VMXSIM_FORMAT_PYTHON} is missing (test.sh installs python3)")
  return()
endif()

vmxsim_format_test(perfetto_json [[
n=0
for s in $(cd "$src" && find scenarios -name '*.scn' | sort); do
  out=$(echo "$s" | sed 's|\.scn$||; s|/|_|g').json
  "$vmxsim" run "$src/$s" --format perfetto -o "$out" >/dev/null 2>&1 || [ $? -eq 1 ]
  test -s "$out" || { echo "$s: no trace written"; exit 1; }
  n=$((n + 1))
done
"$py" "$src/tools/check_perfetto.py" *.json
echo "$n Perfetto traces checked"
]])

vmxsim_format_test(deterministic [[
for f in vcd perfetto; do
  for s in soft-vnmi/smp-nmi-ipi hw/nmi-window; do
    "$vmxsim" run "$src/scenarios/$s.scn" --format $f -o a.out >/dev/null 2>&1 || [ $? -eq 1 ]
    "$vmxsim" run "$src/scenarios/$s.scn" --format $f -o b.out >/dev/null 2>&1 || [ $? -eq 1 ]
    test -s a.out && cmp a.out b.out
  done
done
]])

if(NOT VMXSIM_VCD2FST OR NOT VMXSIM_FST2VCD)
  message(WARNING "format.vcd_vcd2fst left out: vcd2fst/fst2vcd are missing "
                  "(Debian: apt-get install gtkwave; test.sh installs it)")
  return()
endif()

vmxsim_format_test(vcd_vcd2fst [[
n=0
for s in $(cd "$src" && find scenarios -name '*.scn' | sort); do
  b=$(echo "$s" | sed 's|\.scn$||; s|/|_|g')
  "$vmxsim" run "$src/$s" --format vcd -o "$b.vcd" >/dev/null 2>&1 || [ $? -eq 1 ]
  test -s "$b.vcd" || { echo "$s: no trace written"; exit 1; }
  "$vcd2fst" "$b.vcd" -f "$b.fst" >"$b.log" 2>&1 || { cat "$b.log"; echo "$s: vcd2fst failed"; exit 1; }
  test -s "$b.fst"
  "$fst2vcd" -f "$b.fst" >"$b.back.vcd" 2>"$b.log" || { cat "$b.log"; echo "$s: fst2vcd failed"; exit 1; }
  "$py" "$src/tools/check_vcd.py" "$b.vcd" --against "$b.back.vcd" || { echo "$s: round trip differs"; exit 1; }
  n=$((n + 1))
done
"$py" "$src/tools/check_vcd.py" scenarios_soft-vnmi_smp-nmi-ipi.vcd --gtkw "$src/tools/vmxsim.gtkw"
echo "$n VCDs through vcd2fst and fst2vcd"
]])
