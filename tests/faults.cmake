# SPDX-License-Identifier: Apache-2.0
# Outputs under failure (tests/faults/): fault_shim.so, preloaded into the
# vmxsim binary, fails each write, fsync, close, rename and creation of an
# output's temporary file in turn; the suite checks the message and that the
# old file survives. Runs the vmxsim binary like the CLI suites.
add_library(vmxsim_fault_shim MODULE ${CMAKE_CURRENT_SOURCE_DIR}/faults/fault_shim.c)
target_link_libraries(vmxsim_fault_shim PRIVATE ${CMAKE_DL_LIBS})
target_compile_options(vmxsim_fault_shim PRIVATE ${VMXSIM_C_WARNINGS})
# What it wraps must be seen by the dynamic linker.
set_target_properties(vmxsim_fault_shim PROPERTIES C_VISIBILITY_PRESET default)
# An ASan build's shim would need the sanitizer runtime loaded before it.
if(VMXSIM_SANITIZE)
  target_compile_options(vmxsim_fault_shim PRIVATE -fno-sanitize=all)
  target_link_options(vmxsim_fault_shim PRIVATE -fno-sanitize=all)
endif()

add_executable(vmxsim_fault_tests ${CMAKE_CURRENT_SOURCE_DIR}/faults/test_output_faults.cc)
target_link_libraries(vmxsim_fault_tests PRIVATE GTest::gtest_main)
target_include_directories(vmxsim_fault_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_compile_options(vmxsim_fault_tests PRIVATE -Wall -Wextra -Werror)
target_compile_definitions(vmxsim_fault_tests PRIVATE
  VMXSIM_BIN="$<TARGET_FILE:vmxsim>"
  VMXSIM_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
  VMXSIM_FAULT_SHIM="$<TARGET_FILE:vmxsim_fault_shim>")
add_dependencies(vmxsim_fault_tests vmxsim vmxsim_fault_shim)
gtest_discover_tests(vmxsim_fault_tests DISCOVERY_MODE PRE_TEST TEST_PREFIX "faults."
  PROPERTIES LABELS "faults;cli" TIMEOUT 300)
