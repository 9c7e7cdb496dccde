# SPDX-License-Identifier: Apache-2.0
# The oracle's scenario compiler (oracle/scn2asm): its unit tests
# (unit/test_scn2asm.cc) call the library, and a corpus test compiles every
# shipped `l0 none` scenario and assembles what compiles with nasm.
if(NOT TARGET vmxsim_scn2asm)
  return()
endif()
target_link_libraries(vmxsim_unit_tests PRIVATE vmxsim_scn2asm)

add_test(NAME oracle.scn2asm.corpus
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/scn2asm_corpus.sh $<TARGET_FILE:vmxsim-scn2asm> ${PROJECT_SOURCE_DIR}/scenarios)
set_tests_properties(oracle.scn2asm.corpus PROPERTIES LABELS "oracle;slow")
