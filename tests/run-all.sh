#!/usr/bin/env bash
# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
# The whole test suite, from a fresh Debian 12 machine: install what is needed,
# build a Release tree with MPI, a serial one without (unit tests, and the same output file
# as the MPI build, dataset for dataset), and an address+undefined
# sanitizer tree, and run the tests in each (Criterion unit tests, end-to-end
# CLI tests, pytest; MPI tests in the MPI tree); then a short libFuzzer pass
# over the input loaders (clang, build-fuzz). The Release ctest includes install.example
# (cmake --install into a scratch prefix, the example built with find_package and
# pkg-config against it), meta.spdx / meta.citation, and the pip install of analysis/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/deps.sh
jobs=$(nproc)

echo "== Release build and tests (with MPI: tests/mpi runs 1-5 ranks) =="
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCOMMONWEAL_MPI=ON -DCOMMONWEAL_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== Serial build (no MPI): unit tests, and the same output file as the MPI build =="
cmake -S . -B build-serial -DCMAKE_BUILD_TYPE=Release -DCOMMONWEAL_MPI=OFF >/dev/null
cmake --build build-serial -j"$jobs"
ctest --test-dir build-serial --output-on-failure -j"$jobs" -R "^unit\."
# The end-to-end suite ran on the Release build above; here the serial program must give the same
# file as the MPI-enabled one, dataset for dataset (results never depend on the build).
mkdir -p build-serial/tmp
build/commonweal run scenarios/tiny.yaml -o build-serial/tmp/tiny-mpi-build.h5 -q -f
build-serial/commonweal run scenarios/tiny.yaml -o build-serial/tmp/tiny-serial-build.h5 -q -f
/usr/bin/python3 tests/h5identical.py build-serial/tmp/tiny-mpi-build.h5 build-serial/tmp/tiny-serial-build.h5

echo "== Fuzzing: a short pass over the input loaders (30 s per target) =="
bash tests/fuzz/run.sh 30 build-fuzz

echo "== Sanitizer (address,undefined) build and tests =="
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCOMMONWEAL_SANITIZE=address,undefined -DCOMMONWEAL_MPI=OFF >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs" -E "^analysis\."  # Python's own tests ran above
# (last, so the run ends with ctest's summary line)
