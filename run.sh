#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The main job: build vmxsim and run every shipped scenario, printing one
# row per scenario (outcome, golden, counts, where its trace was written).
# Missing Debian packages are installed with apt-get.
set -euo pipefail
cd "$(dirname "$0")"
. ./scripts/deps.sh
need_packages cmake ninja-build gcc g++ libc6-dev python3 python3-matplotlib
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVMXSIM_TESTS=OFF >/dev/null
cmake --build build --target vmxsim
exec build/cli/vmxsim suite scenarios --out build/traces --plots build/plots "$@"
