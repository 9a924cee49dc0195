#!/usr/bin/env bash
# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
# England at full scale (issue 18): scenarios/england.yaml, all 32,844 real
# neighbourhoods and 44.3 M adults, for W reported weeks (no burn-in), in one
# process at T threads, then over 2 MPI ranks of T/2 threads, one after the
# other (each needs the memory of one England); the two files must hold the
# same datasets byte for byte (tests/h5identical.py). Prints set-up
# time (wall time less the weekly phases), seconds per week, throughput,
# model memory and peak RSS for benchmarks/RESULTS.md. Usage:
#   bash benchmarks/england.sh [--weeks 13] [--threads 2] [--build DIR] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=build-rel weeks=13 threads=2 out=${TMPDIR:-/tmp}/england-bench
while [ $# -gt 0 ]; do
  case "$1" in
    --weeks) weeks=$2; shift ;;
    --threads) threads=$2; shift ;;
    --build) build=$2; shift ;;
    --out) out=$2; shift ;;
    *) echo "usage: $0 [--weeks W] [--threads T] [--build DIR] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done
exe=$build/commonweal
flags=${MPIRUN_FLAGS:---oversubscribe --allow-run-as-root}
mkdir -p "$out"
sets=(--set run.weeks="$weeks" --set run.burn_in_weeks=0)
echo "machine: $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2}'), $(nproc) cores," \
     "$(free -g | awk '/Mem:/ {print $2}') GiB ($(free -g | awk '/Mem:/ {print $7}') GiB available); $("$exe" --version)"
"$exe" check scenarios/england.yaml "${sets[@]}" >"$out/check.yaml"
head -2 "$out/check.yaml"

# report LABEL LOG: the figures of one run from its summary, --timings and /usr/bin/time -v
report() {
  /usr/bin/python3 - "$1" "$2" "$weeks" <<'PY'
import re, sys
label, log, weeks = sys.argv[1], open(sys.argv[2]).read(), int(sys.argv[3])
done = re.search(r"done: (\d+) weeks x (\d+) residents in (\d+) neighbourhoods in ([\d.]+) s "
                 r"\(([\d.]+) M resident-weeks/s\); memory ([\d.]+) MiB(.*?) \(([\d.]+) bytes/resident\)", log)
w, res, nb, secs, rate, mib, where, bpr = done.groups()
phases = {m.group(1): float(m.group(2)) for m in re.finditer(r"^\s+(\w+)\s+([\d.]+)\s+\(", log, re.M)}
stepped = sum(phases.values())
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", log).group(1)) / 2**20
wall = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", log).group(1)
print(f"| {label} | {int(res):,} | {int(w)} | {float(secs):.1f} | {float(secs) - stepped:.1f} | "
      f"{stepped / weeks:.1f} | {float(rate):.2f} | {float(mib) / 1024:.2f}{where} | {float(bpr):.0f} | "
      f"{rss:.2f} | {wall} |")
print("   phases (s): " + ", ".join(f"{k} {v:.1f}" for k, v in phases.items()))
PY
}

echo
echo "| run | residents | weeks | wall s | set-up s | s/week | M res-wk/s | model memory GiB | bytes/resident | peak RSS GiB (largest process) | /usr/bin/time wall |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
/usr/bin/time -v "$exe" run scenarios/england.yaml -o "$out/england-1.h5" --force --threads "$threads" \
  --timings "${sets[@]}" >"$out/one.log" 2>&1
report "1 process, $threads threads" "$out/one.log"
half=$(( threads / 2 > 0 ? threads / 2 : 1 ))
# shellcheck disable=SC2086
/usr/bin/time -v mpirun $flags -n 2 "$exe" run scenarios/england.yaml -o "$out/england-2.h5" --force \
  --threads "$half" --timings "${sets[@]}" >"$out/two.log" 2>&1
report "2 ranks x $half thread(s)" "$out/two.log"
echo
echo "(peak RSS of the 2-rank run: /usr/bin/time reports mpirun's largest child, one rank)"
/usr/bin/python3 tests/h5identical.py "$out/england-1.h5" "$out/england-2.h5"
