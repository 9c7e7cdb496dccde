# SPDX-License-Identifier: Apache-2.0
# vmxsim replay (docs/replay.md), labels replay and cli:
#   replay.real.NAME       each real, published KVM trace under tests/replay/data/ (sources in its
#                          README) against its golden report tests/replay/golden/NAME.out
#   replay.roundtrip       vmxsim's own --format ftrace-ns text of tests/replay/roundtrip.scn
#                          replays with every event agreeing
#   replay.malformed.NAME  each tests/replay/malformed/NAME.txt exits 2 with exactly NAME.err
set(VMXSIM_REPLAY_DIR ${CMAKE_CURRENT_SOURCE_DIR}/replay)
file(GLOB VMXSIM_REPLAY_REAL RELATIVE ${VMXSIM_REPLAY_DIR}/data CONFIGURE_DEPENDS ${VMXSIM_REPLAY_DIR}/data/*.txt)
foreach(f IN LISTS VMXSIM_REPLAY_REAL)
  string(REGEX REPLACE "\\.txt$" "" name "${f}")
  set(work ${CMAKE_CURRENT_BINARY_DIR}/replay/${name})
  file(MAKE_DIRECTORY ${work})
  add_test(NAME replay.real.${name}
           COMMAND ${CMAKE_COMMAND} -DVMXSIM=$<TARGET_FILE:vmxsim> -DMODE=golden -DINPUT=${f}
                   -DDIR=${VMXSIM_REPLAY_DIR}/data -DEXPECTED=${VMXSIM_REPLAY_DIR}/golden/${name}.out
                   -DWORK=${work} -P ${VMXSIM_REPLAY_DIR}/run_replay.cmake)
  set_tests_properties(replay.real.${name} PROPERTIES LABELS "replay;cli")
endforeach()

set(work ${CMAKE_CURRENT_BINARY_DIR}/replay/roundtrip)
file(MAKE_DIRECTORY ${work})
add_test(NAME replay.roundtrip
         COMMAND ${CMAKE_COMMAND} -DVMXSIM=$<TARGET_FILE:vmxsim> -DMODE=roundtrip -DINPUT=roundtrip.scn
                 -DDIR=${VMXSIM_REPLAY_DIR} -DWORK=${work} -P ${VMXSIM_REPLAY_DIR}/run_replay.cmake)
set_tests_properties(replay.roundtrip PROPERTIES LABELS "replay;cli")

file(GLOB VMXSIM_REPLAY_BAD RELATIVE ${VMXSIM_REPLAY_DIR}/malformed CONFIGURE_DEPENDS
     ${VMXSIM_REPLAY_DIR}/malformed/*.txt)
foreach(f IN LISTS VMXSIM_REPLAY_BAD)
  string(REGEX REPLACE "\\.txt$" "" name "${f}")
  set(work ${CMAKE_CURRENT_BINARY_DIR}/replay/malformed-${name})
  file(MAKE_DIRECTORY ${work})
  add_test(NAME replay.malformed.${name}
           COMMAND ${CMAKE_COMMAND} -DVMXSIM=$<TARGET_FILE:vmxsim> -DMODE=malformed -DINPUT=${f}
                   -DDIR=${VMXSIM_REPLAY_DIR}/malformed -DEXPECTED=${VMXSIM_REPLAY_DIR}/malformed/${name}.err
                   -DWORK=${work} -P ${VMXSIM_REPLAY_DIR}/run_replay.cmake)
  set_tests_properties(replay.malformed.${name} PROPERTIES LABELS "replay;cli")
endforeach()
