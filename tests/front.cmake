# SPDX-License-Identifier: Apache-2.0
# Scenario front-end tests (front/): the GoogleTest suite ScenarioParse* is in
# unit/test_scenario_parse.cc; these are the parser's robustness tests.

target_link_libraries(vmxsim_unit_tests PRIVATE vmxsim_front)

# Every malformed input is rejected with "file:line:col: message".
add_test(NAME front.malformed_corpus
  COMMAND scn_replay reject ${CMAKE_CURRENT_SOURCE_DIR}/corpus/malformed)

# Every truncation (past 4 KiB, those at and around line boundaries) and a
# seeded set of byte mutations of the built-in sample
# and of each *.scn under scenarios/ (found when the test runs), plus random
# inputs: each parses or fails with a located message, never crashes or hangs.
add_test(NAME front.mutations
  COMMAND scn_replay mutate ${PROJECT_SOURCE_DIR}/scenarios)

# Inputs the fuzzer found interesting (and the crashers it found, fixed).
add_test(NAME front.fuzz_corpus
  COMMAND scn_replay replay ${PROJECT_SOURCE_DIR}/front/fuzz_corpus)

set_tests_properties(front.malformed_corpus front.mutations front.fuzz_corpus PROPERTIES
  LABELS front
  TIMEOUT 120)
# 25 s of CPU, but minutes of wall time on a machine shared with other builds.
set_tests_properties(front.mutations PROPERTIES TIMEOUT 400)
