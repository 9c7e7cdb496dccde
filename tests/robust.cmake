# SPDX-License-Identifier: Apache-2.0
# Mutations of every shipped scenario through parser, machine and run.
add_executable(run_mutants ${CMAKE_CURRENT_SOURCE_DIR}/robust/run_mutants.c)
target_link_libraries(run_mutants PRIVATE vmxsim_run)
add_test(NAME robust.scenario_mutants COMMAND run_mutants ${PROJECT_SOURCE_DIR}/scenarios 1000)
set_tests_properties(robust.scenario_mutants PROPERTIES LABELS robust)
