#!/usr/bin/python3
# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Whether two HDF5 files hold the same datasets, byte for byte: the one
check of the promise "identical" (checkpoint/resume, sweep resume, MPI ranks,
thread counts, golden runs).

Usage: h5identical.py A.h5 B.h5 [--expect-changed REGEX]   (exit 0 when identical)
--expect-changed: datasets whose path matches REGEX may differ or exist in one
file only (an intended change, e.g. a metric redefined; golden/run.sh passes
$GOLDEN_EXPECT_CHANGED); every other dataset must still be identical.
In tests: from h5identical import assert_identical_h5 (tests/e2e/conftest.py
puts tests/ on the path).

Every dataset (at any depth, /events and /snapshots included) must exist in
both with the same shape, dtype and bytes (NaNs compare by their bits).
Attributes are not compared: wall time, host, threads and ranks differ by
design. Strings compare by value (h5py gives Python objects for them).
"""
import re
import sys

import h5py
import numpy as np


def datasets(f):
    out = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            out[name] = obj

    f.visititems(visit)
    return out


def raw(ds):
    data = ds[()]
    if ds.dtype.kind == "O" or h5py.check_string_dtype(ds.dtype) or ds.dtype.names:
        return repr(data.tolist() if hasattr(data, "tolist") else data).encode()
    return np.ascontiguousarray(data).tobytes()


def differences(a_path, b_path, expect_changed=None):
    """The datasets that differ, as lines ("name: why"); empty when identical. Datasets matching
    the regex expect_changed are not compared."""
    with h5py.File(a_path, "r") as a, h5py.File(b_path, "r") as b:
        da, db = datasets(a), datasets(b)
        problems = []
        for name in sorted(set(da) | set(db)):
            if expect_changed and re.search(expect_changed, name):
                continue
            if name not in da or name not in db:
                problems.append(f"{name}: only in {a_path if name in da else b_path}")
                continue
            x, y = da[name], db[name]
            if x.shape != y.shape or x.dtype != y.dtype:
                problems.append(f"{name}: {x.shape} {x.dtype} vs {y.shape} {y.dtype}")
            elif raw(x) != raw(y):
                problems.append(f"{name}: values differ")
        return problems, len(da)


def assert_identical_h5(a_path, b_path):
    problems, _ = differences(a_path, b_path)
    assert not problems, "\n  ".join([f"{a_path} and {b_path} differ:", *problems[:20]])


def main(a_path, b_path, *rest):
    expect = None
    if rest[:1] == ("--expect-changed",) and len(rest) == 2:
        expect = rest[1]
    elif rest:
        print("usage: h5identical.py A.h5 B.h5 [--expect-changed REGEX]", file=sys.stderr)
        return 2
    problems, n = differences(a_path, b_path, expect)
    if problems:
        print(f"{a_path} and {b_path} differ:", *problems[:20], sep="\n  ")
        return 1
    print(f"{n} datasets identical")
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        print("usage: h5identical.py A.h5 B.h5 [--expect-changed REGEX]", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
