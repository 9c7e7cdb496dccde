#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The whole test suite: unit tests (GoogleTest), golden traces of every
# shipped scenario, CLI tests, and the parser's malformed-input replays.
# Missing Debian packages are installed with apt-get.
#
# It prints a short summary: the build's time, ctest's result with the tests
# per label, and every failure in full (a build error with the compiler's
# output, a failed test with its output). The whole build and ctest output
# is kept in build/test-build.log and build/test-ctest.log.
set -euo pipefail
cd "$(dirname "$0")"
. ./scripts/deps.sh
need_packages cmake ninja-build gcc g++ libc6-dev libgtest-dev pkg-config trace-cmd libtracecmd-dev libtracefs-dev libtraceevent-dev python3 python3-matplotlib gtkwave libsystemc-dev help2man groff-base bash-completion make bochs bochsbios vgabios bochs-term nasm binutils parallel

start=$SECONDS
mkdir -p build
build_log=build/test-build.log
ctest_log=build/test-ctest.log
echo "test.sh: building (log: $build_log)"
if ! cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVMXSIM_TESTS=ON \
     >"$build_log" 2>build/test-configure.err; then
  cat build/test-configure.err
  echo "test.sh: cmake could not configure build/ (log: $build_log)"
  exit 1
fi
# CMake's warnings (a test group left out for a missing tool) are shown, as they always were.
cat build/test-configure.err >&2
configured=$(wc -l <"$build_log")
if ! cmake --build build >>"$build_log" 2>&1; then
  # The build's output minus ninja's progress lines: each FAILED step with
  # its command and the compiler's messages.
  tail -n +"$((configured + 1))" "$build_log" | grep -v '^\[[0-9]*/[0-9]*\] ' || true
  echo "test.sh: the build failed after $((SECONDS - start)) s (whole log: $build_log)"
  exit 1
fi
built=$SECONDS
echo "test.sh: built in $((built - start)) s; running the tests on $(nproc) jobs (log: $ctest_log)"

# ctest's own output minus a line per test that started or passed: what is
# left is each failure with its output, the "N% tests passed" line, the
# time per label and the list of failed tests.
status=0
ctest --test-dir build --output-on-failure -j"$(nproc)" 2>&1 | tee "$ctest_log" |
  awk '/^ +Start +[0-9]+: / { next }
       /^ *[0-9]+\/[0-9]+ Test +#[0-9]+: .* Passed +[0-9.]+ sec$/ { next }
       /^Test project / || /^Internal ctest changing into directory/ { next }
       { print; fflush() }' || status=$?
echo "test.sh: tests $((SECONDS - built)) s, build and tests $((SECONDS - start)) s"
exit "$status"
