#!/usr/bin/python3
# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Exit 0 if two HDF5 files hold the same datasets, byte for byte.

Usage: same_datasets.py A.h5 B.h5

Every dataset (at any depth, /events and /snapshots included) must exist in
both with the same shape, dtype and bytes (NaNs compare by their bits).
Attributes are not compared: wall time, host, threads and ranks differ by
design. Used by the MPI tests (tests/CMakeLists.txt): 1, 2 and 3 ranks give
the datasets of a one-process run.
"""
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


def main(a_path, b_path):
    with h5py.File(a_path, "r") as a, h5py.File(b_path, "r") as b:
        da, db = datasets(a), datasets(b)
        problems = []
        for name in sorted(set(da) | set(db)):
            if name not in da or name not in db:
                problems.append(f"{name}: only in {a_path if name in da else b_path}")
                continue
            x, y = da[name], db[name]
            if x.shape != y.shape or x.dtype != y.dtype:
                problems.append(f"{name}: {x.shape} {x.dtype} vs {y.shape} {y.dtype}")
            elif raw(x) != raw(y):
                problems.append(f"{name}: values differ")
        if problems:
            print(f"{a_path} and {b_path} differ:", *problems[:20], sep="\n  ")
            return 1
        print(f"{len(da)} datasets identical")
        return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
