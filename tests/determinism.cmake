# SPDX-License-Identifier: Apache-2.0
# Determinism (tests/determinism/determinism.sh): the same bytes from a
# second, real build of the command (clang -O0 against this build's gcc
# -O2: ~2 min to build, so also labelled slow: test.sh runs it, the
# sanitizer stage of .ci/run does not), and from explore with one or three
# jobs and sharded or not.
add_test(NAME determinism.gcc_O2_vs_clang_O0
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/determinism/determinism.sh compilers ${PROJECT_SOURCE_DIR}
          ${CMAKE_CURRENT_BINARY_DIR}/determinism-clang-O0 $<TARGET_FILE:vmxsim>)
set_tests_properties(determinism.gcc_O2_vs_clang_O0 PROPERTIES
  LABELS "determinism;slow" TIMEOUT 1800 SKIP_RETURN_CODE 77 COST 1000)
add_test(NAME determinism.explore_jobs_and_shards
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/determinism/determinism.sh explore ${PROJECT_SOURCE_DIR}
          $<TARGET_FILE:vmxsim> ${CMAKE_CURRENT_BINARY_DIR}/determinism-explore)
set_tests_properties(determinism.explore_jobs_and_shards PROPERTIES LABELS determinism TIMEOUT 600)
