# SPDX-License-Identifier: Apache-2.0
#
# Writes the man page vmxsim.1 with help2man: NAME, SYNOPSIS and DESCRIPTION
# from `vmxsim --help` and `vmxsim --version`, then a COMMANDS section with
# the whole `vmxsim COMMAND --help` of each command, then FILES and SEE ALSO. Run by the build (cli/CMakeLists.txt):
#
#   cmake -DVMXSIM=path/to/vmxsim -DHELP2MAN=/usr/bin/help2man
#         -DCOMMANDS=run,check,... -DOUT=vmxsim.1 -P vmxsim_man.cmake
#
# Nothing is skipped: a command whose --help exits non-zero, prints nothing,
# or does not name the command fails the build, so the manual cannot lose a
# command without anyone noticing.
foreach(var VMXSIM HELP2MAN COMMANDS OUT)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "vmxsim_man.cmake: -D${var}=... is required")
  endif()
endforeach()
string(REPLACE "," ";" COMMANDS "${COMMANDS}")

# The same text whatever the caller's locale or terminal.
set(ENV{LC_ALL} C)
set(ENV{NO_COLOR} 1)
unset(ENV{VMXSIM_TOOLS_DIR})

# Preformatted text as roff: a backslash is \e, a hyphen-minus stays one
# (\-, so that options copied from the page work), and a line that starts
# with a roff control character, or that help2man's include syntax would
# take for a section ([name]) or a pattern (/re/), is escaped with \&.
function(vmxsim_roff_lines text out_var)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REPLACE "-" "\\-" text "${text}")
  string(REGEX REPLACE "\n([.'[/])" "\n\\\\&\\1" text "\n${text}")
  string(REGEX REPLACE "^\n" "" text "${text}")
  string(REGEX REPLACE "\n+$" "" text "${text}")
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

execute_process(COMMAND ${VMXSIM} --help RESULT_VARIABLE rc OUTPUT_VARIABLE top ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR top STREQUAL "")
  message(FATAL_ERROR "`${VMXSIM} --help` failed (exit status ${rc}): ${err}")
endif()

set(include "[COMMANDS]\n")
string(APPEND include "Each command also takes \\fB\\-\\-help\\fR, which prints what follows.\n")
foreach(cmd IN LISTS COMMANDS)
  execute_process(COMMAND ${VMXSIM} ${cmd} --help RESULT_VARIABLE rc OUTPUT_VARIABLE help ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "`vmxsim ${cmd} --help` failed (exit status ${rc}); the man page documents every "
                        "command of VMXSIM_CLI_COMMANDS (CMakeLists.txt):\n${err}")
  endif()
  if(NOT help MATCHES "(^|[^a-z-])${cmd}([^a-z-]|$)")
    message(FATAL_ERROR "`vmxsim ${cmd} --help` does not name the command ${cmd}:\n${help}")
  endif()
  if(NOT top MATCHES "(^|[^a-z-])${cmd}([^a-z-]|$)")
    message(FATAL_ERROR "`vmxsim --help` does not list the command ${cmd}")
  endif()
  vmxsim_roff_lines("${help}" help)
  string(APPEND include ".SS \"vmxsim ${cmd}\"\n.nf\n${help}\n.fi\n")
endforeach()

string(APPEND include [=[
[FILES]
.TP
.I PREFIX/share/vmxsim/tools/
The plot tools (Python, matplotlib).
.TP
.I PREFIX/share/vmxsim/vmxsim.gtkw
A GTKWave view of a \fB\-\-format vcd\fR trace; \fIexit_reasons.txt\fR beside it names the exit reasons.
.TP
.I PREFIX/include/vmxsim/vmxsim.h
The library's API: \fBpkg\-config \-\-cflags \-\-libs vmxsim\fR, or \fB\%find_package(vmxsim)\fR in CMake.
[SEE ALSO]
.BR gtkwave (1),
.BR trace\-cmd (1),
.BR perf\-kvm (1)
]=])

get_filename_component(out_dir ${OUT} DIRECTORY)
file(MAKE_DIRECTORY ${out_dir})
set(include_file ${OUT}.h2m)
file(WRITE ${include_file} "${include}")
execute_process(
  COMMAND ${HELP2MAN} --no-info --section 1
          --name "cycle-level model of Intel VT-x event injection"
          --include ${include_file} --output ${OUT}.tmp ${VMXSIM}
  RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUT}.tmp)
  message(FATAL_ERROR "help2man failed (exit status ${rc}): ${err}")
endif()
file(RENAME ${OUT}.tmp ${OUT})
