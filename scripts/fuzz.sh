#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The libFuzzer runs: the scenario parser (fuzz_scenario) and the whole run
# path (fuzz_run: parse, build, run with a cycle budget, with the
# structure-aware mutator of front/fuzz_mutator.c). Built with clang in
# build-fuzz/, every layer instrumented, ASan and UBSan on.
#
#   FUZZ_SECONDS          how long fuzz_run runs (default 30)
#   FUZZ_PARSER_SECONDS   how long fuzz_scenario runs (default 60)
#
# A crash stops the run; libFuzzer leaves the input as build-fuzz/crash-*.
# Once the bug is fixed, commit that input to tests/corpus/regressions/
# (named for what it found): ctest replays that folder through the same
# target (robust.fuzz_regressions), without libFuzzer.
set -euo pipefail
cd "$(dirname "$0")/.."
. ./scripts/deps.sh
need_packages clang libclang-rt-14-dev

CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVMXSIM_FUZZ=ON \
  -DVMXSIM_TESTS=OFF >/dev/null
if ! cmake --build build-fuzz --target fuzz_scenario fuzz_run >build-fuzz/build.log 2>&1; then
  grep -E -A12 '^FAILED: ' build-fuzz/build.log || tail -n 60 build-fuzz/build.log
  exit 1
fi

# Seeds: the shipped scenarios and the committed corpora. New inputs go to
# build-fuzz/corpus-*, which later runs start from.
mkdir -p build-fuzz/corpus-parser build-fuzz/corpus-run
find scenarios -name '*.scn' -exec cp {} build-fuzz/corpus-parser/ \;
find scenarios -name '*.scn' -exec cp {} build-fuzz/corpus-run/ \;
opts=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1
      -artifact_prefix=build-fuzz/)
summary() { grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added|#[0-9]+ +DONE|==[0-9]+==ERROR|SUMMARY)' "$1" || tail -n 5 "$1"; }

echo "scripts/fuzz.sh: fuzz_scenario for ${FUZZ_PARSER_SECONDS:-60} s"
rc=0
build-fuzz/front/fuzz_scenario "${opts[@]}" -max_total_time="${FUZZ_PARSER_SECONDS:-60}" \
  -dict=front/fuzz_scenario.dict build-fuzz/corpus-parser front/fuzz_corpus >build-fuzz/fuzz_scenario.log 2>&1 || rc=$?
summary build-fuzz/fuzz_scenario.log
[ "$rc" -eq 0 ] || { echo "scripts/fuzz.sh: fuzz_scenario failed (log: build-fuzz/fuzz_scenario.log)"; exit "$rc"; }

echo "scripts/fuzz.sh: fuzz_run for ${FUZZ_SECONDS:-30} s"
build-fuzz/front/fuzz_run "${opts[@]}" -max_total_time="${FUZZ_SECONDS:-30}" \
  -dict=front/fuzz_scenario.dict build-fuzz/corpus-run tests/corpus/regressions >build-fuzz/fuzz_run.log 2>&1 || rc=$?
summary build-fuzz/fuzz_run.log
[ "$rc" -eq 0 ] || { echo "scripts/fuzz.sh: fuzz_run failed (log: build-fuzz/fuzz_run.log)"; exit "$rc"; }
