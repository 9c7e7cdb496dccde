# SPDX-License-Identifier: Apache-2.0
# The documentation, checked by running it (label docs; docs/goldens.md, "Checked
# documentation"). tests/docs/check_docs.py reads README.md and docs/*.md:
#
#   docs.STEM.N       the N-th checked block of STEM.md (README, scenario-language, ...):
#                     a ```scn scenario runs and holds (or matches its golden), a
#                     ```scn-error scenario is refused with a located message, a
#                     <!-- trace: ... --> excerpt is in the output of the run it quotes,
#                     a ```console session prints what it shows
#   docs.STEM.marks   the marks of STEM.md are well-formed, and no block that looks like a
#                     scenario or like vmxsim's output is left unmarked
#   docs.selftest     the checker on small made-up documents: it finds what is wrong, says
#                     where and how to fix it, and brings an excerpt up to date
#
# The blocks are listed when CMake configures, and a changed document configures again.
# Scenarios, copies and runs go under build/tests/docs/STEM/N/. With VMXSIM_UPDATE_DOCS=1
# in the environment (refused when CI is set) the block tests rewrite stale excerpts and
# session output in place: VMXSIM_UPDATE_DOCS=1 ctest --test-dir build -L docs
set(VMXSIM_DOCS_PYTHON /usr/bin/python3)
set(VMXSIM_DOCS_CHECK ${CMAKE_CURRENT_SOURCE_DIR}/docs/check_docs.py)
set(VMXSIM_DOCS_WORK ${CMAKE_CURRENT_BINARY_DIR}/docs)
if(NOT EXISTS ${VMXSIM_DOCS_PYTHON})
  message(WARNING "docs.* tests left out: ${VMXSIM_DOCS_PYTHON} is missing (test.sh installs python3)")
  return()
endif()

file(GLOB VMXSIM_DOC_FILES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
list(SORT VMXSIM_DOC_FILES)
list(PREPEND VMXSIM_DOC_FILES ${PROJECT_SOURCE_DIR}/README.md)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${VMXSIM_DOC_FILES} ${VMXSIM_DOCS_CHECK})

foreach(doc IN LISTS VMXSIM_DOC_FILES)
  get_filename_component(stem ${doc} NAME_WE)
  add_test(NAME docs.${stem}.marks COMMAND ${VMXSIM_DOCS_PYTHON} ${VMXSIM_DOCS_CHECK} lint ${doc})
  set_tests_properties(docs.${stem}.marks PROPERTIES LABELS docs)
  # One line per checked block: STEM INDEX LINE ROLE.
  execute_process(COMMAND ${VMXSIM_DOCS_PYTHON} ${VMXSIM_DOCS_CHECK} list ${doc}
                  OUTPUT_VARIABLE listing ERROR_VARIABLE listing_error RESULT_VARIABLE listing_status)
  if(NOT listing_status EQUAL 0)
    message(WARNING "tests/docs.cmake: cannot list the blocks of ${doc}: ${listing_error}")
    add_test(NAME docs.${stem}.list COMMAND ${VMXSIM_DOCS_PYTHON} ${VMXSIM_DOCS_CHECK} list ${doc})
    set_tests_properties(docs.${stem}.list PROPERTIES LABELS docs)
    continue()
  endif()
  string(REPLACE "\n" ";" blocks "${listing}")
  foreach(block IN LISTS blocks)
    if(block STREQUAL "")
      continue()
    endif()
    string(REPLACE " " ";" fields "${block}")
    list(GET fields 1 index)
    add_test(NAME docs.${stem}.${index}
             COMMAND ${VMXSIM_DOCS_PYTHON} ${VMXSIM_DOCS_CHECK} check --vmxsim $<TARGET_FILE:vmxsim>
                     --work ${VMXSIM_DOCS_WORK} ${doc} ${index})
    set_tests_properties(docs.${stem}.${index} PROPERTIES LABELS docs TIMEOUT 600)
  endforeach()
endforeach()

add_test(NAME docs.selftest
         COMMAND ${VMXSIM_DOCS_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/docs/selftest.py
                 --vmxsim $<TARGET_FILE:vmxsim> --work ${VMXSIM_DOCS_WORK}/selftest)
set_tests_properties(docs.selftest PROPERTIES LABELS docs TIMEOUT 600)

# docs/sdm-rules.md's "Not modelled, refused" list is the tables' (tests/docs/not_modelled.py).
add_test(NAME docs.sdm-rules.not-modelled
         COMMAND ${VMXSIM_DOCS_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/docs/not_modelled.py ${PROJECT_SOURCE_DIR})
set_tests_properties(docs.sdm-rules.not-modelled PROPERTIES LABELS docs)

# docs/kvm-history.md's table is model/l0/kvm/kvm_history.def's, with a scenario pair per reproduced row (tests/docs/kvm_history.py).
add_test(NAME docs.kvm-history.table
         COMMAND ${VMXSIM_DOCS_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/docs/kvm_history.py ${PROJECT_SOURCE_DIR})
set_tests_properties(docs.kvm-history.table PROPERTIES LABELS docs)
