#!/usr/bin/env bash
# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
# Golden runs for a pure restructuring: run the same small set of scenarios,
# sweeps and an MPI split with two builds of the program and require that
# every dataset of every file is byte-identical (tests/h5identical.py).
#
#   bash tests/golden/run.sh OLD_BINARY NEW_BINARY [WORKDIR]
#
# Attributes are not compared (wall time, host, version differ by design).
# The set covers every shipped lever and crisis scenario at reduced size,
# snapshots, a checkpoint/resume, 1 and 2 threads, a sweep and 2 MPI ranks.
set -euo pipefail
old=$(readlink -f "$1"); new=$(readlink -f "$2")
top=$(cd "$(dirname "$0")/../.." && pwd)
work=${3:-$(mktemp -d)}
mkdir -p "$work/old" "$work/new"
small=(--set population.neighbourhoods=6 --set population.residents_per_neighbourhood=400
       -q --force)
fail=0
expect=()  # GOLDEN_EXPECT_CHANGED=REGEX: datasets an intended change may alter (all others stay identical)
[ -n "${GOLDEN_EXPECT_CHANGED:-}" ] && expect=(--expect-changed "$GOLDEN_EXPECT_CHANGED")
compare() { # name
  if /usr/bin/python3 "$top/tests/h5identical.py" "$work/old/$1.h5" "$work/new/$1.h5" "${expect[@]}" >/dev/null; then
    echo "  same  $1"
  else
    echo "  DIFF  $1"; /usr/bin/python3 "$top/tests/h5identical.py" "$work/old/$1.h5" "$work/new/$1.h5" "${expect[@]}" | head -5; fail=1
  fi
}
both() { # name, args...
  local name=$1; shift
  for side in old new; do
    local bin=$old; [ $side = new ] && bin=$new
    [ $side = old ] && [ -f "$work/old/$name.h5" ] && continue
    (cd "$top" && "$bin" "$@" -o "$work/$side/$name.h5") >/dev/null
  done
  compare "$name"
}
for s in "$top"/scenarios/*.yaml; do
  n=$(basename "$s" .yaml)
  [ "$n" = england ] && continue
  if grep -qE "neighbourhoods_csv|areas:" "$s"; then # real places: fewer residents, not fewer areas
    both "$n" run "$s" --set population.scale=0.02 --set run.weeks=104 -q --force --threads 2
  else
    both "$n" run "$s" "${small[@]}" --threads 2
  fi
done
both tiny-1thread run "$top/scenarios/tiny.yaml" -q --force --threads 1
both snapshots run "$top/scenarios/pandemic-2020.yaml" "${small[@]}" --threads 2 \
     --set output.snapshot_weeks=10,100
both csv run "$top/tests/data/scenarios/csv_host.yaml" -q --force --threads 2 --set run.weeks=60 \
     --set population.neighbourhoods_csv="$top/tests/data/csv/wards.csv"
both morris sweep "$top/scenarios/sweeps/morris-small.yaml" --jobs 2 -q --force
if command -v mpirun >/dev/null && ldd "$new" | grep -q libmpi; then
  for side in old new; do
    bin=$old; [ $side = new ] && bin=$new
    (cd "$top" && mpirun --oversubscribe --allow-run-as-root -n 2 "$bin" run scenarios/tiny.yaml \
       -o "$work/$side/mpi2.h5" -q --force) >/dev/null 2>&1 || echo "  (mpi run failed on $side)"
  done
  [ -f "$work/old/mpi2.h5" ] && compare mpi2
fi
[ $fail = 0 ] && echo "golden: every dataset byte-identical${GOLDEN_EXPECT_CHANGED:+ but those matching /$GOLDEN_EXPECT_CHANGED/} ($work)" || { echo "golden: DIFFERENCES ($work)"; exit 1; }
