# SPDX-License-Identifier: Apache-2.0
# bench.runs: the benchmark program still builds and runs to the end on
# short runs (--quick). It checks that every part completes and prints its
# line; it says nothing about speed (docs/PERFORMANCE.md records that).
add_test(NAME bench.runs COMMAND vmxsim_bench ${PROJECT_SOURCE_DIR}/scenarios --quick)
set_tests_properties(bench.runs PROPERTIES LABELS bench
  PASS_REGULAR_EXPRESSION "trace off:.*text trace on:.*timeout-1s.scn:.*status 0.*peak RSS.*speed-up of the shifted walk")
