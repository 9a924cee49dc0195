#!/usr/bin/env bash
# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
# MPI scaling tables for benchmarks/RESULTS.md (issue 8): weak scaling (a
# fixed number of neighbourhoods of 5,000 residents per rank) and strong
# scaling (a fixed total), on benchmarks/standard.yaml, whole runs with
# set-up, output and the largest rank's memory. Usage:
#   bash benchmarks/mpi.sh [--ranks "1 2 4 8 16"] [--per-rank 10] [--strong 160]
#                          [--weeks 52] [--threads 1] [--build DIR]
# Extra mpirun flags come from MPIRUN_FLAGS (default: --oversubscribe
# --allow-run-as-root; on a cluster, e.g. "--bind-to core").
set -euo pipefail
cd "$(dirname "$0")/.."
build=build-bench-mpi ranks="1 2" per_rank=10 strong=20 weeks=52 threads=1
while [ $# -gt 0 ]; do
  case "$1" in
    --ranks) ranks=$2; shift ;;
    --per-rank) per_rank=$2; shift ;;
    --strong) strong=$2; shift ;;
    --weeks) weeks=$2; shift ;;
    --threads) threads=$2; shift ;;
    --build) build=$2; shift ;;
    *) echo "usage: $0 [--ranks LIST] [--per-rank N] [--strong N] [--weeks W] [--threads T] [--build DIR]" >&2
       exit 2 ;;
  esac
  shift
done
flags=${MPIRUN_FLAGS:---oversubscribe --allow-run-as-root}
if [ ! -x "$build/commonweal" ] || [ -n "${REBUILD:-}" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCOMMONWEAL_MPI=ON -DCOMMONWEAL_TESTS=OFF >/dev/null
  cmake --build "$build" -j"$(nproc)" >/dev/null
fi
exe=$build/commonweal
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run KIND RANKS NEIGHBOURHOODS BASE_SECONDS: one run, one table row; its wall seconds into $tmp/secs.
run() {
  local kind=$1 r=$2 nb=$3 base=$4
  # shellcheck disable=SC2086
  mpirun $flags -n "$r" "$exe" run benchmarks/standard.yaml -o "$tmp/out.h5" --force --threads "$threads" \
    --set population.neighbourhoods="$nb" --set run.weeks="$weeks" --set run.burn_in_weeks="$weeks" \
    >"$tmp/log" 2>&1
  /usr/bin/python3 - "$kind" "$r" "$base" "$(grep '^done:' "$tmp/log")" "$tmp/secs" <<'PY'
import re, sys
kind, r, base, done, out = sys.argv[1:]
m = re.search(r"x (\d+) residents .* in ([\d.]+) s \(([\d.]+) M resident-weeks/s\); memory ([\d.]+) MiB", done)
res, secs, rate, mib = m.groups()
r, secs, base = int(r), float(secs), float(base or 0) or float(secs)
eff = base / secs if kind == "weak" else base / (r * secs)
print(f"| {kind} | {r} | {int(res):,} | {secs:.2f} | {float(rate):.2f} | {100 * eff:.0f}% | {float(mib):.1f} |")
open(out, "w").write(f"{secs}\n")
PY
}

echo "machine: $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2}'), $(nproc) cores; $("$exe" --version | head -1); $threads thread(s) per rank, $weeks + $weeks weeks"
echo
echo "| run | ranks | residents | wall s | M res-wk/s | efficiency | largest rank's model memory MiB |"
echo "|---|---:|---:|---:|---:|---:|---:|"
base=""
for r in $ranks; do
  run weak "$r" $((per_rank * r)) "$base"
  [ -n "$base" ] || base=$(cat "$tmp/secs")
done
base=""
for r in $ranks; do
  run strong "$r" "$strong" "$base"
  [ -n "$base" ] || base=$(cat "$tmp/secs")
done
