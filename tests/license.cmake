# SPDX-License-Identifier: Apache-2.0
#
# license.spdx: every source file names its licence (Apache-2.0) on its
# first line, as the house rules ask; a new file without it fails here.
add_test(NAME license.spdx COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/license/check_spdx.py
         ${PROJECT_SOURCE_DIR})
set_tests_properties(license.spdx PROPERTIES LABELS license)
