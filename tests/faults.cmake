# SPDX-License-Identifier: Apache-2.0
# Outputs and allocations under failure (tests/faults/): an LD_PRELOAD shim
# preloaded into the vmxsim binary, and a GoogleTest suite that runs the
# binary like the CLI suites, failing each call of a kind in turn.
#   fault_shim.so   fails each write, fsync, close, rename and creation of an
#                   output's temporary file; the suite checks the message and
#                   that the old file survives (and a read-only folder)
#   alloc_shim.so   fails each malloc, calloc, realloc and strdup of
#                   vmxsim's own code
function(vmxsim_fault_suite shim tests define)
  add_library(${shim} MODULE ${CMAKE_CURRENT_SOURCE_DIR}/faults/${shim}.c)
  target_link_libraries(${shim} PRIVATE ${CMAKE_DL_LIBS})
  target_compile_options(${shim} PRIVATE ${VMXSIM_C_WARNINGS})
  # What it wraps must be seen by the dynamic linker; named as the define says.
  set_target_properties(${shim} PROPERTIES C_VISIBILITY_PRESET default PREFIX "")
  # An ASan build's shim would need the sanitizer runtime loaded before it.
  if(VMXSIM_SANITIZE)
    target_compile_options(${shim} PRIVATE -fno-sanitize=all)
    target_link_options(${shim} PRIVATE -fno-sanitize=all)
  endif()
  add_executable(${tests} ${ARGN})
  target_link_libraries(${tests} PRIVATE GTest::gtest_main)
  target_include_directories(${tests} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_compile_options(${tests} PRIVATE -Wall -Wextra -Werror)
  target_compile_definitions(${tests} PRIVATE
    VMXSIM_BIN="$<TARGET_FILE:vmxsim>"
    VMXSIM_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    ${define}="$<TARGET_FILE:${shim}>")
  add_dependencies(${tests} vmxsim ${shim})
  gtest_discover_tests(${tests} DISCOVERY_MODE PRE_TEST TEST_PREFIX "faults."
    PROPERTIES LABELS "faults;cli" TIMEOUT 600)
endfunction()

vmxsim_fault_suite(fault_shim vmxsim_fault_tests VMXSIM_FAULT_SHIM
  ${CMAKE_CURRENT_SOURCE_DIR}/faults/test_output_faults.cc)
# Not in a sanitizer build: its allocator is linked into the program, which
# the dynamic linker searches before any preloaded library, so the shim would
# see no allocation at all (test.sh's build runs these tests).
if(NOT VMXSIM_SANITIZE)
  vmxsim_fault_suite(alloc_shim vmxsim_alloc_fault_tests VMXSIM_ALLOC_SHIM
    ${CMAKE_CURRENT_SOURCE_DIR}/faults/test_alloc_faults.cc)
endif()
