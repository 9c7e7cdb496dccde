# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2034
#
# Sourced by each tests/install/*.sh: strict bash, the four arguments every
# script gets (tests/install.cmake), a fresh work directory, and fail().
set -euo pipefail

SRC=$1        # the source tree
BUILD=$2      # the build tree that was installed
PREFIX=$3     # where install.tree installed it
WORK=$4       # this test's own directory, emptied first
TEST=install.$(basename "$0" .sh)
LIBDIR=${VMXSIM_LIBDIR:-lib}   # CMAKE_INSTALL_LIBDIR, relative to the prefix

fail() {
	echo "$TEST: $*" >&2
	exit 1
}

# The test is skipped (ctest SKIP_RETURN_CODE) when what it needs is missing here.
skip() {
	echo "$TEST: skipped: $*" >&2
	exit 77
}

rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"
# Nothing from the developer's environment decides where the tools are, or colours output.
unset VMXSIM_TOOLS_DIR VMXSIM_PYTHON CI VMXSIM_UPDATE_GOLDEN
export NO_COLOR=1 LC_ALL=C
