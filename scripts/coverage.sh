#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Line and branch coverage of vmxsim's own code (vmcs/, model/, front/,
# lib/, cli/), measured with gcc --coverage and gcov, in build-coverage/:
#
#   suite   what the ctest suite reaches (without the labels in
#           COVERAGE_EXCLUDE, default slow|oracle|determinism|install|bench:
#           the Bochs runs and the second builds test other programs)
#   fuzz    what the run-path fuzzer's inputs reach alone: the shipped
#           scenarios, tests/corpus/regressions and, when scripts/fuzz.sh
#           has made it, build-fuzz/corpus-run, replayed by fuzz_run_replay
#
# At -O1, not -O0: the always-inline vmcs_field_index() (vmcs/vmcs_field.h)
# folds to a constant only when optimised; unfolded, its switch over every
# field would count hundreds of branches at each vmcs_get/vmcs_set.
#
# It prints a table per folder, and the files with the least branch
# coverage; docs/testing.md keeps the figures of the last measurement.
# usage: scripts/coverage.sh [suite|fuzz|both]   (default both)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-both}
b=build-coverage
mkdir -p "$b"
cmake -S . -B "$b" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-O1 -g --coverage" \
  -DCMAKE_CXX_FLAGS_DEBUG="-O0 -g1" -DCMAKE_EXE_LINKER_FLAGS=--coverage -DCMAKE_SHARED_LINKER_FLAGS=--coverage \
  -DVMXSIM_TESTS=ON -DVMXSIM_TEST_PCH=OFF >"$b/configure.log" 2>&1 || { tail -n 30 "$b/configure.log"; exit 1; }
echo "coverage: building $b (log: $b/build.log)"
# The fuzzer's inputs need only its replay driver; the suite needs everything.
targets=()
[ "$what" = fuzz ] && targets=(--target fuzz_run_replay)
cmake --build "$b" -j2 "${targets[@]}" >"$b/build.log" 2>&1 || { grep -A12 '^FAILED' "$b/build.log" | head -n 60; exit 1; }

# One report from whatever .gcda files are there now.
report() {
  python3 - "$b" "$1" <<'PY'
import gzip, json, os, subprocess, sys, collections, tempfile
build, title = os.path.realpath(sys.argv[1]), sys.argv[2]
src = os.path.realpath('.')
ours = ('vmcs/', 'model/', 'front/', 'lib/', 'cli/')
lines = collections.defaultdict(dict)      # file -> line -> count (max over objects: a header's inline code)
branches = collections.defaultdict(dict)   # file -> (line, i) -> count
tmp = tempfile.mkdtemp()
def one(gcda, root):
    # Read each object's report at once: two sources of one name would overwrite each other's.
    subprocess.run(['gcov', '-j', '-b', '-o', root, gcda], cwd=tmp, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    for n in os.listdir(tmp):
        data = json.load(gzip.open(os.path.join(tmp, n)))
        os.remove(os.path.join(tmp, n))
        yield data
reports = (d for root, _, names in os.walk(build) for n in names if n.endswith('.gcda')
           for d in one(os.path.join(root, n), root))
for data in reports:
    for f in data['files']:
        path = os.path.realpath(os.path.join(data.get('current_working_directory', ''), f['file']))
        if not path.startswith(src + '/'):
            continue
        rel = path[len(src) + 1:]
        # .c files only: a header's inline code (vmcs_field_index's switch of every field, unfolded
        # at -O0) would count its hundreds of branches once more in every file that includes it.
        if not rel.startswith(ours) or not rel.endswith('.c') or '/fuzz_' in rel:
            continue
        for l in f['lines']:
            k = l['line_number']
            lines[rel][k] = max(lines[rel].get(k, 0), l['count'])
            for i, br in enumerate(l.get('branches', [])):
                branches[rel][(k, i)] = max(branches[rel].get((k, i), 0), br['count'])
def pct(a, b):
    return 100.0 * a / b if b else 100.0
def tally(files):
    lt = sum(len(lines[f]) for f in files); lc = sum(1 for f in files for c in lines[f].values() if c)
    bt = sum(len(branches[f]) for f in files); bc = sum(1 for f in files for c in branches[f].values() if c)
    return lt, lc, bt, bc
groups = collections.defaultdict(list)
for f in lines:
    parts = f.split('/')
    groups['/'.join(parts[:2]) if parts[0] == 'model' else parts[0]].append(f)
print(f'\n{title}\n')
print('| code | lines | covered | branches | covered |')
print('|---|---:|---:|---:|---:|')
for g in sorted(groups):
    lt, lc, bt, bc = tally(groups[g])
    print(f'| {g}/ | {lt} | {pct(lc, lt):.1f}% | {bt} | {pct(bc, bt):.1f}% |')
lt, lc, bt, bc = tally(list(lines))
print(f'| **all** | {lt} | **{pct(lc, lt):.1f}%** | {bt} | **{pct(bc, bt):.1f}%** |')
worst = sorted((pct(sum(1 for c in branches[f].values() if c), len(branches[f])), f) for f in lines if len(branches[f]) >= 40)
print('\nleast branch coverage (files with 40 branches or more):', ', '.join(f'{f} {p:.0f}%' for p, f in worst[:8]))
for f in ('vmcs/vmcs.c',):
    if f in lines:
        lt, lc, bt, bc = tally([f])
        print(f'{f}: lines {pct(lc, lt):.1f}%, branches {pct(bc, bt):.1f}%')
PY
}

if [ "$what" = suite ] || [ "$what" = both ]; then
  find "$b" -name '*.gcda' -delete
  echo "coverage: running the suite (log: $b/ctest.log)"
  ctest --test-dir "$b" -j2 -LE "${COVERAGE_EXCLUDE:-slow|oracle|determinism|install|bench}" >"$b/ctest.log" 2>&1 ||
    echo "coverage: some tests failed (see $b/ctest.log); measured anyway"
  report "The ctest suite (-LE ${COVERAGE_EXCLUDE:-slow|oracle|determinism|install|bench})"
fi
if [ "$what" = fuzz ] || [ "$what" = both ]; then
  find "$b" -name '*.gcda' -delete
  corpora=(scenarios tests/corpus/regressions front/fuzz_corpus)
  [ -d build-fuzz/corpus-run ] && corpora+=(build-fuzz/corpus-run)
  "$b/front/fuzz_run_replay" "${corpora[@]}"
  report "The run-path fuzzer's inputs (${corpora[*]})"
fi
