# SPDX-License-Identifier: Apache-2.0
# The shipped explorations (scenarios/explore/*.scn), run as a user runs them:
#
#   explore.find.NAME    vmxsim explore finds the failure the exploration is
#                        about (the expectation named in EXPECT_<NAME> below)
#                        from a scenario that does not script it, writes a
#                        minimised reproducer, and `vmxsim run` on that
#                        reproducer alone fails the same expectation
#   explore.shards.NAME  three shards (--shard K/3 --report) merged with
#                        --merge print the report of one whole run byte for
#                        byte and write the same reproducers; --jobs 2 prints
#                        the same as --jobs 1
#   explore.parallel     the GNU parallel recipe of docs/explore.md, run as
#                        written on this machine (4 local shards), merges
#                        into the report of one whole run
#   explore.shift_sweep  every shipped scenario with an NMI or interrupt at a
#                        fixed time, widened into two arrival ranges and
#                        explored with --verify-shift: no run taken shifted
#                        from another disagrees with its own simulation
#                        (tests/explore_shift_sweep.py)
#
# tests/explore_check.sh does the work, each test in its own directory under
# the build tree.
set(VMXSIM_EXPLORE_WORK ${CMAKE_CURRENT_BINARY_DIR}/explore)
set(EXPECT_soft-vnmi-nesting "expectation failed: no nmi_nesting")
set(EXPECT_nested-deferred-irq "expectation failed: no lost_event")

file(GLOB VMXSIM_EXPLORATIONS RELATIVE ${PROJECT_SOURCE_DIR}/scenarios/explore
     CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/scenarios/explore/*.scn)
foreach(scn IN LISTS VMXSIM_EXPLORATIONS)
  string(REGEX REPLACE "\\.scn$" "" name "${scn}")
  if(NOT DEFINED EXPECT_${name})
    message(FATAL_ERROR "tests/explore.cmake: say which failure scenarios/explore/${scn} must find (EXPECT_${name})")
  endif()
  add_test(NAME explore.find.${name}
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/explore_check.sh find ${VMXSIM_EXPLORE_WORK}/find-${name}
            $<TARGET_FILE:vmxsim> ${PROJECT_SOURCE_DIR}/scenarios/explore/${scn} "${EXPECT_${name}}")
  add_test(NAME explore.shards.${name}
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/explore_check.sh shards ${VMXSIM_EXPLORE_WORK}/shards-${name}
            $<TARGET_FILE:vmxsim> ${PROJECT_SOURCE_DIR}/scenarios/explore/${scn})
  set_tests_properties(explore.find.${name} explore.shards.${name} PROPERTIES LABELS explore)
endforeach()
# The recipe is the same for every exploration: one run of it is enough.
add_test(NAME explore.parallel
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/explore_check.sh parallel ${VMXSIM_EXPLORE_WORK}/parallel
          $<TARGET_FILE:vmxsim> ${PROJECT_SOURCE_DIR}/scenarios/explore/soft-vnmi-nesting.scn
          ${PROJECT_SOURCE_DIR}/docs/explore.md)
set_tests_properties(explore.parallel PROPERTIES LABELS explore)

add_test(NAME explore.shift_sweep
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/explore_shift_sweep.py $<TARGET_FILE:vmxsim>
          ${PROJECT_SOURCE_DIR}/scenarios ${VMXSIM_EXPLORE_WORK}/shift-sweep)
set_tests_properties(explore.shift_sweep PROPERTIES LABELS explore)
