# SPDX-License-Identifier: Apache-2.0
#
# Install tests (label `install`): the build installed into a prefix of its
# own and used there as a user and an embedder would. Scripts in tests/install/.
#
#   install.tree          cmake --install build --prefix build/tests/install/prefix; every file
#                         where it belongs, the SONAME, the binary's RUNPATH resolving into the prefix
#   install.consumers     examples/embed.c built from the prefix: with pkg-config (the one-liner and
#                         examples/Makefile, shared and static), with find_package (vmxsim::vmxsim,
#                         vmxsim::vmxsim_static); the same output from each; the README's C snippet
#                         gives the trace `vmxsim run` gives
#   install.plot          the installed vmxsim finds its plot tools: run --plot writes a PNG
#   install.man           the man page renders without warnings and has a section for every command
#   install.completion    the bash completion loads and completes commands, options, values, files;
#                         its options of each command are those the command's --help lists
#   install.symbols       libvmxsim.so exports, and libvmxsim.a defines globally, only vmxsim_*
#                         names, and every function the headers declare
#   install.subproject    add_subdirectory(vmxsim) in a parent project: no tests, no install rules,
#                         vmxsim::vmxsim and vmxsim::vmxsim_static link
#
# The prefix is made once (install.tree, a fixture) and only read by the others.
if(NOT VMXSIM_INSTALL)
  message(STATUS "install.* tests left out: VMXSIM_INSTALL is off")
  return()
endif()
if(VMXSIM_SANITIZE)
  # Programs built against a sanitized libvmxsim.so would need the sanitizer runtimes linked first.
  message(STATUS "install.* tests left out under VMXSIM_SANITIZE")
  return()
endif()

foreach(dir BINDIR:bin INCLUDEDIR:include DATADIR:share)
  string(REPLACE ":" ";" dir ${dir})
  list(GET dir 0 var)
  list(GET dir 1 want)
  if(NOT CMAKE_INSTALL_${var} STREQUAL want)
    message(STATUS "install.* tests left out: they expect CMAKE_INSTALL_${var} ${want}, not ${CMAKE_INSTALL_${var}}")
    return()
  endif()
endforeach()
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  message(STATUS "install.* tests left out: CMAKE_INSTALL_LIBDIR is absolute")
  return()
endif()

set(VMXSIM_INSTALL_SCRIPTS ${CMAKE_CURRENT_SOURCE_DIR}/install)
set(VMXSIM_INSTALL_WORK ${CMAKE_CURRENT_BINARY_DIR}/install)
set(VMXSIM_INSTALL_PREFIX ${VMXSIM_INSTALL_WORK}/prefix)
set(VMXSIM_INSTALL_SCN ${PROJECT_SOURCE_DIR}/scenarios/hw/nmi-window.scn)
set(VMXSIM_INSTALL_GOLDEN ${PROJECT_SOURCE_DIR}/traces/hw/nmi-window.trace)
if(VMXSIM_MAN_PAGE)
  set(vmxsim_install_man 1)
else()
  set(vmxsim_install_man 0)
endif()
string(REPLACE ";" " " vmxsim_install_commands "${VMXSIM_CLI_COMMANDS}")

# Each script gets: the source tree, the build tree, the prefix, its own work directory.
function(vmxsim_install_test name)
  add_test(NAME install.${name}
    COMMAND bash ${VMXSIM_INSTALL_SCRIPTS}/${name}.sh ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}
            ${VMXSIM_INSTALL_PREFIX} ${VMXSIM_INSTALL_WORK}/${name})
  set_tests_properties(install.${name} PROPERTIES
    LABELS install TIMEOUT 300 SKIP_RETURN_CODE 77 COST 10   # seconds each: started early (tests/reference.cmake)
    ENVIRONMENT "VMXSIM_LIBDIR=${CMAKE_INSTALL_LIBDIR};VMXSIM_COMMANDS=${vmxsim_install_commands};VMXSIM_MAN=${vmxsim_install_man};VMXSIM_VERSION=${PROJECT_VERSION};VMXSIM_SCN=${VMXSIM_INSTALL_SCN};VMXSIM_GOLDEN=${VMXSIM_INSTALL_GOLDEN};CMAKE=${CMAKE_COMMAND};CMAKE_GENERATOR=${CMAKE_GENERATOR};CC=${CMAKE_C_COMPILER}")
  if(NOT name STREQUAL "tree" AND NOT name STREQUAL "subproject")
    set_tests_properties(install.${name} PROPERTIES FIXTURES_REQUIRED vmxsim_installed)
  endif()
endfunction()

vmxsim_install_test(tree)
set_tests_properties(install.tree PROPERTIES FIXTURES_SETUP vmxsim_installed)
vmxsim_install_test(consumers)
vmxsim_install_test(plot)
if(VMXSIM_MAN_PAGE)
  vmxsim_install_test(man)
else()
  message(STATUS "install.man left out: no man page is built (help2man missing)")
endif()
vmxsim_install_test(completion)
vmxsim_install_test(symbols)
vmxsim_install_test(subproject)
set_tests_properties(install.subproject PROPERTIES TIMEOUT 600)
