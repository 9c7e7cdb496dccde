# SPDX-License-Identifier: Apache-2.0
# One ctest per shipped scenario: run it, check its expectations and compare
# its text trace with the golden under traces/ (vmxsim check).
file(GLOB_RECURSE VMXSIM_SCENARIOS RELATIVE ${PROJECT_SOURCE_DIR}/scenarios
     CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/scenarios/*.scn)
foreach(scn IN LISTS VMXSIM_SCENARIOS)
  string(REGEX REPLACE "\\.scn$" "" name "${scn}")
  add_test(NAME golden.${name}
           COMMAND vmxsim check scenarios/${scn}
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties(golden.${name} PROPERTIES LABELS golden)
endforeach()
