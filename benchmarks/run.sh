#!/usr/bin/env bash
# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
# Build Release and run the standard benchmark, then (with --scaling) the
# thread-scaling and size-scaling tables. Prints Markdown tables for
# benchmarks/RESULTS.md. Usage:
#   bash benchmarks/run.sh [--scaling] [--build DIR] [--threads "1 2"] [--sizes "25000 250000 2500000"]
set -euo pipefail
cd "$(dirname "$0")/.."
build=build-bench scaling=0 threads="" sizes="25000 250000 2500000"
while [ $# -gt 0 ]; do
  case "$1" in
    --scaling) scaling=1 ;;
    --build) build=$2; shift ;;
    --threads) threads=$2; shift ;;
    --sizes) sizes=$2; shift ;;
    *) echo "usage: $0 [--scaling] [--build DIR] [--threads LIST] [--sizes LIST]" >&2; exit 2 ;;
  esac
  shift
done
cores=$(nproc)
[ -n "$threads" ] || threads=$(seq 1 "$cores" | tr '\n' ' ')
if [ ! -x "$build/commonweal" ] || [ -n "${REBUILD:-}" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCOMMONWEAL_TESTS=OFF >/dev/null
  cmake --build "$build" -j"$cores" >/dev/null
fi
exe=$build/commonweal
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run LABEL THREADS [--set ...]: one run; prints a table row and the phases.
run() {
  local label=$1 t=$2; shift 2
  /usr/bin/time -v "$exe" run benchmarks/standard.yaml -o "$tmp/out.h5" --force --timings --threads "$t" \
    "$@" >"$tmp/log" 2>&1
  local done peak
  done=$(grep '^done:' "$tmp/log")
  peak=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/log")
  # done: W weeks x N residents in B neighbourhoods in S s (R M resident-weeks/s); memory M MiB (X bytes/resident)
  /usr/bin/python3 - "$label" "$t" "$peak" "$done" "$tmp/log" <<'PY'
import re, sys
label, t, peak_kib, done, log = sys.argv[1:]
m = re.search(r"(\d+) weeks x (\d+) residents .* in ([\d.]+) s \(([\d.]+) M resident-weeks/s\); memory ([\d.]+) MiB \((\d+) bytes/resident\)", done)
weeks, res, secs, rate, mib, bpr = m.groups()
t = int(t)
phases = dict(re.findall(r"^\s+(\w+)\s+([\d.]+)\s+\(", open(log).read(), re.M))
total = sum(float(v) for v in phases.values()) or 1.0
share = " ".join(f"{k} {100*float(v)/total:.0f}%" for k, v in phases.items())
print(f"| {label} | {t} | {int(res):,} | {weeks} | {float(secs):.1f} | {float(rate):.2f} | {float(rate)/t:.2f} "
      f"| {int(peak_kib)/1024:.0f} | {bpr} | {100*float(phases.get('output', 0))/total:.1f}% | {share} |")
PY
}

header="| run | threads | residents | weeks | wall s | M res-wk/s | M res-wk/s/thread | peak RSS MiB | bytes/resident | output share | phases |
|---|---|---|---|---|---|---|---|---|---|---|"
echo "machine: $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2}'), $cores cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $("$exe" --version 2>/dev/null | head -1)"
echo
echo "Standard benchmark (benchmarks/standard.yaml):"
echo "$header"
run standard "$cores"
if [ "$scaling" = 1 ]; then
  echo
  echo "Thread scaling (standard benchmark):"
  echo "$header"
  for t in $threads; do run threads "$t"; done
  echo
  echo "Size scaling ($cores threads, 52 + 52 weeks; residents = 50 neighbourhoods x N/50):"
  echo "$header"
  for n in $sizes; do
    run size "$cores" --set population.residents_per_neighbourhood=$((n / 50)) --set run.weeks=52
  done
fi
