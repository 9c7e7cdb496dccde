#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The whole test suite: unit tests (GoogleTest), golden traces of every
# shipped scenario, CLI tests, and the parser's malformed-input replays.
# Missing Debian packages are installed with apt-get.
set -euo pipefail
cd "$(dirname "$0")"
. ./scripts/deps.sh
need_packages cmake ninja-build gcc g++ libc6-dev libgtest-dev pkg-config python3 python3-matplotlib gtkwave libsystemc-dev help2man groff-base bash-completion make
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVMXSIM_TESTS=ON >/dev/null
cmake --build build
ctest --test-dir build --output-on-failure -j"$(nproc)"
