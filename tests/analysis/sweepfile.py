# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Write a sweep file (the layout of `commonweal sweep`, docs/OUTPUT.md) from run files, so that
the loaders can be tested on that layout with real metrics: every metric gains a leading
`member` dimension, and /members holds seed, replicate, point, trajectory, complete, the
scenario text and one float64 column per varied parameter (enums with `choices`)."""
import h5py
import numpy as np


def write_sweep(out, runs, points, varied, method="grid", crn=1, trajectories=None,
                complete=None, choices=None, values=None, attrs=None):
    """runs[i] is member i's run file; points[i] its design point; varied the parameter paths;
    values[path][i] the value (default: read from the run's /parameters, enums as the index
    into choices[path])."""
    choices = choices or {}
    n = len(runs)
    srcs = [h5py.File(r, "r") for r in runs]
    try:
        first = srcs[0]
        with h5py.File(out, "w", track_order=True) as f:
            for k, v in first.attrs.items():
                f.attrs[k] = v
            f.attrs["kind"] = "sweep"
            f.attrs["sweep_yaml"] = "# Question: does patient investment leave fewer people out?\n" \
                                    "base: tiny.yaml\n"
            f.attrs["method"] = method
            f.attrs["common_random_numbers"] = np.int32(crn)
            f.attrs["varied"] = np.array(varied, dtype=h5py.string_dtype())
            for k, v in (attrs or {}).items():
                f.attrs[k] = v
            mem = f.create_dataset("member", data=np.arange(n, dtype=np.int32))
            mem.make_scale("member")
            scales = {"member": mem}
            for key, ds in first.items():
                if isinstance(ds, h5py.Dataset) and ds.attrs.get("CLASS") is not None:
                    d = f.create_dataset(key, data=ds[...])
                    d.make_scale(key)
                    scales[key] = d
            for key, ds in first.items():
                if not isinstance(ds, h5py.Dataset) or key in scales:
                    continue
                dims = [list(d.keys())[0] for d in ds.dims]
                if ds.dtype.kind == "f":
                    data = np.stack([s[key][...] for s in srcs])
                    d = f.create_dataset(key, data=data)
                    dims = ["member"] + dims
                else:
                    d = f.create_dataset(key, data=ds[...], dtype=ds.dtype)
                for i, name in enumerate(dims):
                    d.dims[i].attach_scale(scales[name])
                for a, v in ds.attrs.items():
                    if a not in ("DIMENSION_LIST", "REFERENCE_LIST"):
                        d.attrs[a] = v
            for grp in ("neighbourhoods", "events", "parameters"):
                if grp in first:
                    _copy_group(first[grp], f.create_group(grp), scales)
            g = f.create_group("members")
            g["seed"] = np.array([s.attrs["seed"] for s in srcs], dtype=np.uint64)
            reps, seen = [], {}
            for p in points:
                reps.append(seen.get(p, 0))
                seen[p] = seen.get(p, 0) + 1
            g["replicate"] = np.array(reps, dtype=np.int32)
            g["point"] = np.array(points, dtype=np.int32)
            g["trajectory"] = np.array(trajectories if trajectories is not None else [-1] * n,
                                       dtype=np.int32)
            g["complete"] = np.array(complete if complete is not None else [1] * n, dtype=np.uint8)
            g.create_dataset("scenario_yaml", data=[s.attrs["scenario"] for s in srcs],
                             dtype=h5py.string_dtype())
            for path in varied:
                if values and path in values:
                    col = np.asarray(values[path], dtype=np.float64)
                else:
                    raw = [s["parameters"].attrs[path] for s in srcs]
                    if path in choices:
                        raw = [choices[path].index(r if isinstance(r, str) else r.decode())
                               for r in raw]
                    col = np.asarray(raw, dtype=np.float64)
                d = g.create_dataset(path, data=col)
                if path in choices:
                    d.attrs["choices"] = np.array(choices[path], dtype=h5py.string_dtype())
            for d in g.values():
                d.dims[0].attach_scale(mem)
    finally:
        for s in srcs:
            s.close()
    return out


def _copy_group(src, dst, scales):
    """Copy a table group, re-attaching its columns to this file's dimension scales (h5py's
    Group.copy across files does not carry dimension-scale references)."""
    for a, v in src.attrs.items():
        dst.attrs[a] = v
    local = {}
    for key, ds in src.items():
        if ds.attrs.get("CLASS") is not None:
            d = dst.create_dataset(key, data=ds[...])
            d.make_scale(key)
            local[key] = d
    for key, ds in src.items():
        if key in local:
            continue
        d = dst.create_dataset(key, data=ds[...], dtype=ds.dtype, maxshape=ds.maxshape,
                               chunks=ds.chunks)
        for i, dim in enumerate(ds.dims):
            name = list(dim.keys())[0]
            d.dims[i].attach_scale(local.get(name, scales.get(name)))
        for a, v in ds.attrs.items():
            if a not in ("DIMENSION_LIST", "REFERENCE_LIST"):
                d.attrs[a] = v
