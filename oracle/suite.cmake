# SPDX-License-Identifier: Apache-2.0
#
# The oracle suite: every scenario of oracle/cases/ and every scenario that
# oracle/suite.list names runs on vmxsim and, compiled to x86 by
# vmxsim-scn2asm, on Bochs, and run_case.py compares the two
# (docs/oracle.md). One ctest per case, labelled `oracle`.

file(GLOB oracle_case_files RELATIVE ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/oracle/cases/*.scn)
file(STRINGS ${PROJECT_SOURCE_DIR}/oracle/suite.list oracle_list_lines REGEX "^[^#]")
set(oracle_suite ${oracle_case_files})
foreach(line IN LISTS oracle_list_lines)
  string(STRIP "${line}" line)
  if(line)
    list(APPEND oracle_suite ${line})
  endif()
endforeach()
list(REMOVE_DUPLICATES oracle_suite)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/oracle/suite.list)

foreach(scn IN LISTS oracle_suite)
  get_filename_component(name ${scn} NAME_WE)
  get_filename_component(dir ${scn} DIRECTORY)
  get_filename_component(group ${dir} NAME)
  add_test(NAME oracle.${group}.${name}
    COMMAND /usr/bin/python3 ${PROJECT_SOURCE_DIR}/oracle/run_case.py ${PROJECT_SOURCE_DIR}/${scn}
            --build ${PROJECT_BINARY_DIR} --work ${PROJECT_BINARY_DIR}/oracle/run/${group}/${name})
  # A Bochs that halts for good spends no instructions: the timeout ends it.
  set_tests_properties(oracle.${group}.${name} PROPERTIES LABELS oracle ENVIRONMENT "BXO_TIMEOUT=10;BXO_BUDGET=20000000"
    FAIL_REGULAR_EXPRESSION "oracle: DISAGREE")
endforeach()
list(LENGTH oracle_suite oracle_count)
message(STATUS "oracle: ${oracle_count} cases run on Bochs (docs/oracle.md)")

# The page and the comparer's table name the same deviations.
add_test(NAME oracle.deviations-documented COMMAND /usr/bin/python3 ${PROJECT_SOURCE_DIR}/oracle/check_docs.py)
set_tests_properties(oracle.deviations-documented PROPERTIES LABELS "oracle;docs")
