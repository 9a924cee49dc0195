#!/usr/bin/env bash
# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
# Install a build tree into a scratch prefix and build tests/install/example.c
# against the installed package only, three ways: find_package(Commonweal)
# (shared and static), and pkg-config with the compiler by hand. Each example
# runs a scenario for 10 weeks and prints a metric.
#   tests/install/run.sh BUILD_DIR [SCRATCH_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$(cd "$here/../.." && pwd)"
build="$(cd "$1" && pwd)"
scratch="${2:-$(mktemp -d)}"
rm -rf "$scratch/prefix" "$scratch/example-build" "$scratch/example-pc"
mkdir -p "$scratch"
prefix="$scratch/prefix"
scenario="$src/scenarios/tiny.yaml"

cmake --install "$build" --prefix "$prefix" >/dev/null
test -x "$prefix/bin/commonweal"
test -f "$prefix/share/bash-completion/completions/commonweal"

echo "== find_package(Commonweal) against $prefix"
cmake -S "$here" -B "$scratch/example-build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$scratch/example-build" >/dev/null
# the shared one finds libcommonweal.so through its RUNPATH-less install: say where
LD_LIBRARY_PATH="$prefix/lib" "$scratch/example-build/example" "$scenario"
"$scratch/example-build/example_static" "$scenario" | tail -n 1

echo "== pkg-config commonweal"
mkdir -p "$scratch/example-pc"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
pkg-config --modversion commonweal
# shellcheck disable=SC2046
cc -std=c11 -o "$scratch/example-pc/example" "$here/example.c" $(pkg-config --cflags --libs commonweal)
LD_LIBRARY_PATH="$prefix/lib" "$scratch/example-pc/example" "$scenario" | tail -n 1
# shellcheck disable=SC2046
cc -std=c11 -o "$scratch/example-pc/example_static" "$here/example.c" \
   $(pkg-config --static --cflags commonweal) "$prefix/lib/libcommonweal.a" \
   $(pkg-config --static --libs-only-other --libs-only-l commonweal | sed 's/-lcommonweal//')
"$scratch/example-pc/example_static" "$scenario" | tail -n 1
echo "installed package: OK"
