# SPDX-License-Identifier: Apache-2.0
# CLI tests (cli/test_cli*.cc, cli/test_stat.cc, cli/test_explore*.cc): the
# vmxsim binary run as a user runs it, in a fresh temporary directory per
# test. A separate binary so it can be pointed at the vmxsim it tests; each
# test removes CI and VMXSIM_UPDATE_GOLDEN from the environment of the
# commands it runs unless it sets them itself.
add_executable(vmxsim_cli_tests ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_cli.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_stat.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_explore_cli.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_explore_merge_cli.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_cli_args.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_cli_check.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_cli_diff.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_cli_output.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_cli_suite.cc)
target_link_libraries(vmxsim_cli_tests PRIVATE GTest::gtest_main)
target_include_directories(vmxsim_cli_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_compile_options(vmxsim_cli_tests PRIVATE -Wall -Wextra -Werror)
target_compile_definitions(vmxsim_cli_tests PRIVATE
  VMXSIM_BIN="$<TARGET_FILE:vmxsim>"
  VMXSIM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# The tests run the binary: build it first.
add_dependencies(vmxsim_cli_tests vmxsim)
gtest_discover_tests(vmxsim_cli_tests DISCOVERY_MODE PRE_TEST TEST_PREFIX "cli."
  PROPERTIES LABELS cli TIMEOUT 120)
