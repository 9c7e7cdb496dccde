# SPDX-License-Identifier: Apache-2.0
# One replay test (tests/replay.cmake), run with cmake -P:
#   MODE=golden     vmxsim replay INPUT (from DIR) prints exactly EXPECTED; VMXSIM_UPDATE_GOLDEN=1
#                   rewrites EXPECTED instead (unless CI is set), as the scenario goldens do
#   MODE=roundtrip  vmxsim run --format ftrace-ns of the scenario INPUT, then replay of that text:
#                   every event agrees (0 differ, 0 model only), and something was compared
#   MODE=malformed  vmxsim replay INPUT exits 2 and its standard error is exactly EXPECTED
foreach(v VMXSIM MODE INPUT DIR)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "run_replay.cmake: ${v} is not set")
  endif()
endforeach()

if(MODE STREQUAL "roundtrip")
  set(text ${WORK}/roundtrip.txt)
  execute_process(COMMAND ${VMXSIM} run --format ftrace-ns -o ${text} ${INPUT}
                  WORKING_DIRECTORY ${DIR} RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "vmxsim run ${INPUT}: exit ${rc}\n${err}")
  endif()
  execute_process(COMMAND ${VMXSIM} replay ${text} WORKING_DIRECTORY ${DIR}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "summary: [^\n]*: [1-9][0-9]* agree, 0 differ, 0 model only")
    message(FATAL_ERROR "replay of vmxsim's own trace does not agree (exit ${rc}):\n${out}${err}")
  endif()
  return()
endif()

execute_process(COMMAND ${VMXSIM} replay ${INPUT} WORKING_DIRECTORY ${DIR}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(MODE STREQUAL "malformed")
  if(NOT rc EQUAL 2)
    message(FATAL_ERROR "vmxsim replay ${INPUT}: exit ${rc}, expected 2\n${out}${err}")
  endif()
  set(got "${err}")
else()
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "vmxsim replay ${INPUT}: exit ${rc}\n${err}")
  endif()
  set(got "${out}")
endif()

set(ci "$ENV{CI}")
if("$ENV{VMXSIM_UPDATE_GOLDEN}" STREQUAL "1" AND (ci STREQUAL "" OR ci STREQUAL "0" OR ci STREQUAL "false"))
  file(WRITE ${EXPECTED} "${got}")
  message(STATUS "rewrote ${EXPECTED}")
  return()
endif()
if(NOT EXISTS ${EXPECTED})
  message(FATAL_ERROR "${EXPECTED} is missing (VMXSIM_UPDATE_GOLDEN=1 writes it)\ngot:\n${got}")
endif()
file(READ ${EXPECTED} want)
if(NOT got STREQUAL want)
  file(WRITE ${WORK}/got.txt "${got}")
  execute_process(COMMAND diff -u ${EXPECTED} ${WORK}/got.txt OUTPUT_VARIABLE d)
  message(FATAL_ERROR "vmxsim replay ${INPUT} differs from ${EXPECTED} "
                      "(VMXSIM_UPDATE_GOLDEN=1 if the change is meant):\n${d}")
endif()
