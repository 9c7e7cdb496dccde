# SPDX-License-Identifier: Apache-2.0
# systemc.matches_c: the SystemC example (adapters/systemc/example_top.cc),
# whose interrupt source drives the pins, writes the same trace byte for
# byte as `vmxsim run` of adapters/systemc/example.scn, whose `at` lines
# are the cycles where the adapter sees those edges. Added only when the
# adapter is built (pkg-config found SystemC).
#
# This file is also the test's script: ctest runs it with cmake -P.
if(CMAKE_SCRIPT_MODE_FILE)
  file(MAKE_DIRECTORY ${OUT})
  execute_process(COMMAND ${VMXSIM} run ${SCN} -o ${OUT}/c.trace RESULT_VARIABLE c_rc)
  if(NOT c_rc EQUAL 0)
    message(FATAL_ERROR "vmxsim run ${SCN} exited with ${c_rc}")
  endif()
  execute_process(COMMAND ${EXAMPLE} ${SCN} ${OUT}/systemc.trace RESULT_VARIABLE sc_rc)
  if(NOT sc_rc EQUAL 0)
    message(FATAL_ERROR "${EXAMPLE} exited with ${sc_rc}")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT}/c.trace ${OUT}/systemc.trace
                  RESULT_VARIABLE same)
  if(NOT same EQUAL 0)
    execute_process(COMMAND diff -u ${OUT}/c.trace ${OUT}/systemc.trace)
    message(FATAL_ERROR "the SystemC trace ${OUT}/systemc.trace differs from the C run's ${OUT}/c.trace")
  endif()
  return()
endif()

if(TARGET vmx_sc_example)
  add_test(NAME systemc.matches_c
           COMMAND ${CMAKE_COMMAND}
             -DVMXSIM=$<TARGET_FILE:vmxsim>
             -DEXAMPLE=$<TARGET_FILE:vmx_sc_example>
             -DSCN=${PROJECT_SOURCE_DIR}/adapters/systemc/example.scn
             -DOUT=${CMAKE_CURRENT_BINARY_DIR}/systemc
             -P ${CMAKE_CURRENT_LIST_FILE})
  set_tests_properties(systemc.matches_c PROPERTIES LABELS systemc TIMEOUT 60)
  # SystemC runs its threads as coroutines on stacks of their own. At exit
  # LeakSanitizer takes the stack bounds it recorded for the main thread -
  # those of a coroutine stack SystemC has already unmapped, not the stack
  # the thread is on - and its tracer faults reading them, which fails the
  # run about one time in two. Leaks are still looked for, in the heap
  # reached from globals, thread-local storage and registers; only the scan
  # of thread stacks is left out.
  if(VMXSIM_SANITIZE)
    set_tests_properties(systemc.matches_c PROPERTIES ENVIRONMENT "LSAN_OPTIONS=use_stacks=0")
  endif()
endif()
