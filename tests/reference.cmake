# SPDX-License-Identifier: Apache-2.0
# reference.<scenario>: every shipped scenario run in the reference mode
# (`vmxsim check --reference`: each processor advances one cycle, or one work
# unit, at a time instead of jumping to its next event) must give its golden
# trace byte for byte - the trace the fast path gives. A difference is a
# moment the fast path jumped over.
#
# Scenarios whose reference run takes over a minute in the default build are
# labelled `slow`; the sanitizer build in .ci/run leaves that label out (it
# would take a quarter of an hour there) and runs every other one. Being the
# longest test by far, a slow one starts first (COST) so that `ctest -j`
# runs everything else beside it instead of waiting for it at the end.
set(VMXSIM_REFERENCE_SLOW soft-vnmi/timeout-1s soft-vnmi/timeout-no-request-modern)
file(GLOB_RECURSE VMXSIM_REF_SCENARIOS RELATIVE ${PROJECT_SOURCE_DIR}/scenarios
     CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/scenarios/*.scn)
foreach(scn IN LISTS VMXSIM_REF_SCENARIOS)
  string(REGEX REPLACE "\\.scn$" "" name "${scn}")
  add_test(NAME reference.${name}
           COMMAND vmxsim check --reference scenarios/${scn}
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  if(name IN_LIST VMXSIM_REFERENCE_SLOW)
    set_tests_properties(reference.${name} PROPERTIES LABELS "reference;slow" TIMEOUT 900 COST 1000)
  else()
    set_tests_properties(reference.${name} PROPERTIES LABELS reference)
  endif()
endforeach()
