# SPDX-License-Identifier: Apache-2.0
#
# api.*: the public API (include/vmxsim/) as an embedder sees it. The suite
# links the shared library and includes nothing but the public headers, so
# it also proves that every call it makes is exported.
add_executable(vmxsim_api_tests
  ${CMAKE_CURRENT_SOURCE_DIR}/api/test_api_run.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/api/test_api_check.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/api/test_api_snapshot.cc)
target_link_libraries(vmxsim_api_tests PRIVATE vmxsim_shared GTest::gtest_main)
target_compile_options(vmxsim_api_tests PRIVATE -Wall -Wextra -Werror)
target_compile_definitions(vmxsim_api_tests PRIVATE VMXSIM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
gtest_discover_tests(vmxsim_api_tests DISCOVERY_MODE PRE_TEST TEST_PREFIX "api." PROPERTIES LABELS api)
