# SPDX-License-Identifier: Apache-2.0
# Plot tests: tools/vmxsim_plot.py run by its real consumer, Debian's
# /usr/bin/python3 with python3-matplotlib, and the pictures read back.
#
#   plots.svg_content    shipped scenarios (3 vCPUs; nested NMIs; L2) -> JSONL -> SVG;
#                        tools/check_plot_svg.py finds every lane and one exit marker
#                        per vmexit line
#   plots.deterministic  the same trace drawn twice gives the same SVG and PNG bytes
#   plots.cli_png        vmxsim run X --plot out.png writes a PNG (and --plot out.svg
#                        an SVG that holds the run's exits and the microsecond axis)
#   plots.cli_errors     a bad --plot name and a missing python3 are exit status 2
#   plots.suite          vmxsim suite --plots DIR draws one PNG per scenario
#
# Each test works in its own directory under the build tree.
set(VMXSIM_PLOT_PYTHON /usr/bin/python3)
execute_process(COMMAND ${VMXSIM_PLOT_PYTHON} -c "import matplotlib"
                RESULT_VARIABLE vmxsim_plot_mpl OUTPUT_QUIET ERROR_QUIET)
if(NOT vmxsim_plot_mpl EQUAL 0)
  message(WARNING "plots.* tests left out: ${VMXSIM_PLOT_PYTHON} with matplotlib is missing "
                  "(Debian: apt-get install python3-matplotlib; test.sh installs it)")
  return()
endif()

set(VMXSIM_PLOT_TOOL ${PROJECT_SOURCE_DIR}/tools/vmxsim_plot.py)
set(VMXSIM_PLOT_CHECK ${PROJECT_SOURCE_DIR}/tools/check_plot_svg.py)
set(VMXSIM_PLOT_WORK ${CMAKE_CURRENT_BINARY_DIR}/plots)

# sh -c SCRIPT sh WORKDIR VMXSIM PYTHON TOOL CHECK SOURCE: the script sees them as $1..$6.
# `vmxsim run` exits 1 when a scenario's expectations fail; that is not this test's business.
function(vmxsim_plot_test name script)
  add_test(NAME plots.${name}
    COMMAND sh -c "set -eu; w=$1; vmxsim=$2; py=$3; tool=$4; check=$5; src=$6; rm -rf \"$w\"; mkdir -p \"$w\"; cd \"$w\"; ${script}"
            sh ${VMXSIM_PLOT_WORK}/${name} $<TARGET_FILE:vmxsim> ${VMXSIM_PLOT_PYTHON} ${VMXSIM_PLOT_TOOL}
            ${VMXSIM_PLOT_CHECK} ${PROJECT_SOURCE_DIR})
  # COST: a few seconds each (python3 and matplotlib start for every picture); started early,
  # they run beside the long reference test instead of after the short ones.
  set_tests_properties(plots.${name} PROPERTIES LABELS plots TIMEOUT 120 COST 10)
endfunction()

vmxsim_plot_test(svg_content [[
for s in soft-vnmi/smp-nmi-ipi soft-vnmi/sti-in-handler; do
  n=$(basename $s)
  "$vmxsim" run "$src/scenarios/$s.scn" --format jsonl -o $n.jsonl || [ $? -eq 1 ]
  "$py" "$tool" $n.jsonl -o $n.svg
  "$py" "$check" $n.svg $n.jsonl --lane cpu0-L0 --lane cpu0-L1
done
"$py" "$check" smp-nmi-ipi.svg smp-nmi-ipi.jsonl --lane cpu1-L1 --lane cpu2-L0 --lane cpu2-L1
# Nested: an L2 lane above L1's.
"$vmxsim" run "$src/scenarios/nested/bare-walkthrough.scn" --format jsonl -o bare.jsonl || [ $? -eq 1 ]
"$py" "$tool" bare.jsonl -o bare.svg
"$py" "$check" bare.svg bare.jsonl --lane cpu0-L0 --lane cpu0-L1 --lane cpu0-L2
]])

vmxsim_plot_test(deterministic [[
"$vmxsim" run "$src/scenarios/soft-vnmi/sti-in-handler.scn" --format jsonl -o t.jsonl || [ $? -eq 1 ]
"$py" "$tool" t.jsonl -o a.svg --title t
"$py" "$tool" - -o b.svg < t.jsonl --title t
cmp a.svg b.svg
"$py" "$tool" t.jsonl -o a.png --from 2000 --to 22000
"$py" "$tool" t.jsonl -o b.png --from 2000 --to 22000
cmp a.png b.png
]])

vmxsim_plot_test(cli_png [[
"$vmxsim" run "$src/scenarios/hw/nmi-window.scn" -o t.trace --plot out.png || [ $? -eq 1 ]
"$py" "$check" --png out.png
test -s t.trace
"$vmxsim" run "$src/scenarios/hw/nmi-window.scn" --format jsonl -o t.jsonl --plot out.svg || [ $? -eq 1 ]
"$py" "$check" out.svg t.jsonl
# vmxsim passes the TSC: a microsecond axis beside the cycles; the tool alone draws cycles only.
grep -q 'id="axis-us"' out.svg
"$py" "$tool" t.jsonl -o plain.svg
! grep -q 'id="axis-us"' plain.svg
]])

vmxsim_plot_test(cli_errors [[
rc=0; "$vmxsim" run "$src/scenarios/hw/nmi-window.scn" --plot out.gif 2>err || rc=$?
[ $rc -eq 2 ] && grep -q "OUT.png or OUT.svg" err
rc=0; VMXSIM_PYTHON=/nonexistent/python3 "$vmxsim" run "$src/scenarios/hw/nmi-window.scn" -o t.trace --plot out.png 2>err || rc=$?
[ $rc -eq 2 ] && grep -q "python3-matplotlib" err && [ ! -e out.png ]
]])

vmxsim_plot_test(suite [[
rc=0; "$vmxsim" suite "$src/scenarios/hw" --out traces --plots plots >table || rc=$?
[ $rc -le 1 ]
want=$(find "$src/scenarios/hw" -name '*.scn' | wc -l)
got=$(find plots -name '*.png' | wc -l)
[ "$want" -eq "$got" ] && grep -q "^plots: plots/<scenario>.png, $want drawn" table
for p in plots/*.png; do "$py" "$check" --png "$p" >/dev/null; done
]])
