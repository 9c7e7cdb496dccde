# SPDX-License-Identifier: Apache-2.0
# Mutations of every shipped scenario through parser, machine and run.
add_executable(run_mutants ${CMAKE_CURRENT_SOURCE_DIR}/robust/run_mutants.c)
target_link_libraries(run_mutants PRIVATE vmxsim_run)
add_test(NAME robust.scenario_mutants COMMAND run_mutants ${PROJECT_SOURCE_DIR}/scenarios 1000)
set_tests_properties(robust.scenario_mutants PROPERTIES LABELS robust)

# The run-path fuzzer's target without libFuzzer (front/fuzz_main.c):
# every input that ever found a bug, then structure-aware mutants of every
# shipped scenario, seeded per run (the seed is printed; VMXSIM_FUZZ_SEED
# reproduces it), failing if fewer than one mutant in ten parses.
add_test(NAME robust.fuzz_regressions
  COMMAND fuzz_run_replay ${CMAKE_CURRENT_SOURCE_DIR}/corpus/regressions ${PROJECT_SOURCE_DIR}/front/fuzz_corpus)
add_test(NAME robust.fuzz_run_mutants COMMAND fuzz_run_replay --mutate 20 ${PROJECT_SOURCE_DIR}/scenarios)
set_tests_properties(robust.fuzz_regressions robust.fuzz_run_mutants PROPERTIES LABELS robust TIMEOUT 300)
