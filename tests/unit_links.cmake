# SPDX-License-Identifier: Apache-2.0
# The unit suites of the trace bus, the monitors and the expectation checker
# (unit/test_trace.cc, unit/test_monitors.cc, unit/test_expect.cc) need the
# layers above the processor: model/ (trace, monitors) and cli/ (expect.c,
# which also brings the scenario front-end).
target_link_libraries(vmxsim_unit_tests PRIVATE vmxsim_run)
# Tests that read shipped scenarios (ablations) find them here.
target_compile_definitions(vmxsim_unit_tests PRIVATE VMXSIM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
