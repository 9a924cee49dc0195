#!/usr/bin/env bash
# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
# Run each fuzz target for SECONDS (default 30) on a corpus seeded from the
# shipped scenarios and the test data; a crash fails the script and leaves
# its input in build-fuzz/fuzz-out/<target>/.
#   bash tests/fuzz/run.sh [SECONDS] [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-30}
build=${2:-build-fuzz}
CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCOMMONWEAL_FUZZ=ON \
  -DCOMMONWEAL_TESTS=OFF -DCOMMONWEAL_BENCHMARKS=OFF -DCOMMONWEAL_OPENMP=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target fuzz_scenario fuzz_nbhd_csv fuzz_sweep
seed() { # target, then source files to copy into its corpus
  local t=$1; shift
  mkdir -p "$build/fuzz-corpus/$t" "$build/fuzz-out/$t"
  for f in "$@"; do [ -f "$f" ] && cp -n "$f" "$build/fuzz-corpus/$t/" || true; done
}
seed fuzz_scenario scenarios/*.yaml tests/data/scenarios/*.yaml tests/data/bad/*.yaml
seed fuzz_nbhd_csv tests/data/csv/*.csv tests/data/bad/*.csv
seed fuzz_sweep scenarios/sweeps/*.yaml tests/data/scenarios/sweep/*.yaml scenarios/*.yaml
for t in fuzz_scenario fuzz_nbhd_csv fuzz_sweep; do
  echo "== $t: ${secs} s"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$build/tests/fuzz/$t" -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$build/fuzz-out/$t/" "$build/fuzz-corpus/$t" 2>&1 |
    grep -E "^(#[0-9]+.*DONE|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)" || true
  if ls "$build/fuzz-out/$t"/crash-* "$build/fuzz-out/$t"/leak-* "$build/fuzz-out/$t"/timeout-* >/dev/null 2>&1; then
    echo "$t found a failing input: $(ls "$build/fuzz-out/$t")"; exit 1
  fi
done
