# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Run and sweep files as xarray Datasets with named coordinates.

    import commonweal                    # pip install ./analysis (or `analysis` in the checkout)
    ds = commonweal.open_run("baseline.h5")
    ds.left_out_rate.sel(neighbourhood="Ashby North").plot()
    sw = commonweal.open_sweep("sweep.h5")
    sw.left_out_rate.groupby("help.informal_share").mean()

Breakdown dimensions are indexed by their labels (sector "health", ..., quintile
"Q1 (lowest income)", age band "16-29", ...); `neighbourhood` by the
neighbourhood's name, with its index (`neighbourhood_index`, the row of
/neighbourhoods), local authority (`la_code`, `la_name`), deprivation decile and
the other columns of /neighbourhoods as coordinates on it (`population_at_setup`:
the column whose name the metric `population` takes). In a sweep, every column of /members
(seed, replicate, point, each varied parameter, complete) is a coordinate on
`member`. Unfinished sweep members read as NaN (the files' _FillValue).
"""
from __future__ import annotations

import os

import h5py
import numpy as np

LABEL_VARS = {"sector": "sector_name", "quintile": "quintile_name", "age_band": "age_band_name",
              "group_kind": "group_kind_name", "route": "route_name"}


def _text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def _engine():
    import xarray as xr
    engines = xr.backends.list_engines()
    for e in ("h5netcdf", "netcdf4"):
        if e in engines:
            return e
    raise RuntimeError("xarray has neither the h5netcdf nor the netcdf4 engine "
                       "(Debian: apt-get install python3-netcdf4)")


def _open(path, kind):
    import xarray as xr
    path = os.fspath(path)
    with h5py.File(path, "r") as f:
        file_kind = _text(f.attrs.get("kind", "run"))
        if kind and file_kind != kind:
            raise ValueError(f"{path}: a {file_kind} file, not a {kind} file "
                             f"(use commonweal.open_{file_kind})")
        nb = {k: f["neighbourhoods"][k][...] for k in f["neighbourhoods"]} if "neighbourhoods" in f else {}
        members = {}
        if "members" in f:
            for k, d in f["members"].items():
                if k != "scenario_yaml":
                    members[k] = d[...]
    ds = xr.open_dataset(path, engine=_engine())
    # breakdowns indexed by their labels
    for dim, var in LABEL_VARS.items():
        if dim in ds.dims and var in ds.variables:
            ds = ds.assign_coords({dim: [_text(x) for x in ds[var].values]}).drop_vars(var)
    if "identity" in ds.dims:
        k = ds.sizes["identity"]
        ds = ds.assign_coords(identity=["majority"] + [f"minority {i}" for i in range(1, k)])
    # neighbourhoods: names as the index, the table's columns as coordinates
    if "neighbourhood" in ds.dims and nb:
        coords = {"neighbourhood_index": ("neighbourhood", np.arange(ds.sizes["neighbourhood"]))}
        for k, v in nb.items():
            if k == "name":
                continue
            if v.dtype.kind in "OS":
                v = np.array([_text(x) for x in v], dtype=object)
            name = "la_code" if k == "la" else k
            if name in ds.variables:  # /neighbourhoods/population vs the metric population
                name = f"{name}_at_setup"
            coords[name] = ("neighbourhood", v)
        names = [_text(x) for x in nb.get("name", np.arange(ds.sizes["neighbourhood"]))]
        ds = ds.assign_coords(coords).assign_coords(neighbourhood=names)
    if members and "member" in ds.dims:
        ds = ds.assign_coords({k: ("member", v) for k, v in members.items()})
    return ds


def open_run(path):
    """A run file (commonweal run) as an xarray Dataset: one variable per metric."""
    return _open(path, "run")


def open_sweep(path):
    """A sweep file (commonweal sweep): metrics [member, week, ...], /members as coordinates."""
    return _open(path, "sweep")
