# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""The output file of a real run (scenarios/tiny.yaml) read by the tools
docs/OUTPUT.md promises: xarray (netCDF4 and h5netcdf engines), ncdump, h5py."""
import importlib.util
import re
import shutil
import subprocess

import numpy as np
import pytest

xr = pytest.importorskip("xarray")
h5py = pytest.importorskip("h5py")

DIMS = ["week", "neighbourhood", "sector", "quintile", "identity", "age_band"]
LABELS = {"sector_name": "sector", "quintile_name": "quintile", "age_band_name": "age_band"}
SECTORS = ["health", "social_care", "mental_health", "housing", "work", "food"]

ENGINES = [
    pytest.param(engine, marks=pytest.mark.skipif(importlib.util.find_spec(module) is None,
                                                  reason=f"{module} not installed"))
    for engine, module in [("netcdf4", "netCDF4"), ("h5netcdf", "h5netcdf")]
]


def expected_dims(metric):
    dims = ("week",) if metric["area"] else ("week", "neighbourhood")
    return dims + ((metric["bd_dim"],) if metric["bd_dim"] else ())


def test_run_leaves_the_complete_file_only(tiny_h5):
    assert tiny_h5.exists()
    assert not tiny_h5.with_name(tiny_h5.name + ".partial").exists()


@pytest.mark.parametrize("engine", ENGINES)
def test_xarray_finds_named_dimensions(tiny_h5, engine):
    with xr.open_dataset(tiny_h5, engine=engine) as ds:
        for dim in DIMS:
            assert dim in ds.dims, f"dimension {dim} missing: {dict(ds.sizes)}"
            assert dim in ds.coords, f"{dim} has no coordinate values"
        week = ds["week"].values
        assert week.dtype.kind == "i"
        assert np.array_equal(np.diff(week), np.ones(len(week) - 1)), "weeks are consecutive"
        assert int(ds["burn_in"].sum()) == ds.attrs["burn_in_weeks"]
        assert week[int(ds.attrs["burn_in_weeks"])] == 0, "week 0 follows the burn-in"
        assert list(ds["quintile"].values) == [1, 2, 3, 4, 5]
        for label, dim in LABELS.items():
            assert ds[label].dims == (dim,)
        assert list(ds["sector_name"].values) == SECTORS


@pytest.mark.parametrize("engine", ENGINES)
def test_xarray_reads_every_metric_with_its_dimensions(tiny_h5, engine, metrics_def):
    with xr.open_dataset(tiny_h5, engine=engine) as ds:
        for metric in metrics_def:
            name = metric["name"]
            assert name in ds.data_vars, f"metric {name} missing"
            var = ds[name]
            assert var.dims == expected_dims(metric), name
            assert var.dtype == np.float32, name
            # metrics.def's unit: the CF units, then an optional valid range "[0,1]"
            assert var.attrs["units"] == metric["unit"].split(" [")[0], name
            assert var.attrs["long_name"], name
            assert "burn_in" in var.coords, f"{name}: burn_in is a coordinate"
            values = var.values
            assert np.isfinite(values).any(), f"{name} has no finite value"
            if metric["unit"].endswith("[0,1]"):
                finite = values[np.isfinite(values)]
                assert finite.min() >= 0 and finite.max() <= 1, name


def test_xarray_and_h5py_agree(tiny_h5, metrics_def):
    name = next(m["name"] for m in metrics_def if m["bd_dim"] == "sector" and not m["area"])
    with xr.open_dataset(tiny_h5) as ds, h5py.File(tiny_h5, "r") as f:
        assert np.array_equal(ds[name].values, f[name][...], equal_nan=True)
        selected = ds[name].sel(week=0, sector=1).values
        row = list(f["week"][...]).index(0)
        assert np.array_equal(selected, f[name][row, :, 1], equal_nan=True)


@pytest.mark.parametrize("engine", ENGINES)
def test_xarray_opens_the_neighbourhoods_group(tiny_h5, engine):
    with xr.open_dataset(tiny_h5, engine=engine) as ds:
        n_nbhd = ds.sizes["neighbourhood"]
    with xr.open_dataset(tiny_h5, engine=engine, group="neighbourhoods") as nb:
        for var in ["name", "la", "la_name", "deprivation", "decile", "space_quality"]:
            assert var in nb.data_vars, f"/neighbourhoods/{var} missing"
            assert nb[var].dims == ("neighbourhood",)
            assert nb[var].size == n_nbhd
        assert all(isinstance(s, str) and s for s in nb["name"].values)
        dep = nb["deprivation"].values
        assert ((dep >= 0) & (dep <= 1)).all()
        assert set(nb["decile"].values) <= set(range(1, 11))


@pytest.mark.parametrize("engine", ENGINES)
def test_xarray_opens_the_events_group(tiny_h5, engine):
    with xr.open_dataset(tiny_h5, engine=engine, group="events") as ev:
        assert "event" in ev.dims
        for var in ["week", "neighbourhood", "kind", "detail", "value"]:
            assert ev[var].dims == ("event",)
        kind = ev["kind"]
        flags = [int(v) for v in np.atleast_1d(kind.attrs["flag_values"])]
        meanings = kind.attrs["flag_meanings"].split()
        assert len(flags) == len(meanings)
        assert "crisis_start" in meanings
        # tiny.yaml has a timeline (a recession and a funding change)
        assert ev.sizes["event"] >= 1
        assert set(int(k) for k in kind.values) <= set(flags)


@pytest.mark.parametrize("engine", ENGINES)
def test_parameters_group_holds_each_parameter(tiny_h5, engine):
    with xr.open_dataset(tiny_h5, engine=engine, group="parameters") as params:
        attrs = params.attrs
    assert attrs["run.weeks"] == 52
    assert attrs["run.burn_in_weeks"] == 52
    assert attrs["population.neighbourhoods"] == 4
    assert attrs["output.flush_every_weeks"] >= 1


def test_ncdump_reads_the_header(tiny_h5):
    ncdump = shutil.which("ncdump")
    if ncdump is None:
        pytest.skip("ncdump not installed (apt-get install netcdf-bin)")
    result = subprocess.run([ncdump, "-h", str(tiny_h5)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    header = result.stdout
    assert re.search(r"week = UNLIMITED ; // \(\d+ currently\)", header)
    assert "float need_rate(week, neighbourhood, sector)" in header
    assert "string sector_name(sector)" in header
    for group in ["neighbourhoods", "events", "parameters"]:
        assert f"group: {group}" in header


def test_h5py_sees_attributes_and_scales(tiny_h5):
    with h5py.File(tiny_h5, "r") as f:
        attrs = f.attrs
        assert attrs["schema_version"] == 1
        assert attrs["complete"] == 1
        assert attrs["seed"] == 7
        assert attrs["weeks_written"] == attrs["weeks_planned"] == f["week"].shape[0] == 104
        assert attrs["burn_in_weeks"] == 52
        assert attrs["wall_seconds"] > 0
        assert attrs["n_residents"] == 2000
        assert isinstance(attrs["program_version"], str) and attrs["program_version"]
        assert "run:" in attrs["scenario"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", attrs["start_time"])
        assert attrs["host"]
        rate = f["need_rate"]
        assert [dim[0].name for dim in rate.dims] == ["/week", "/neighbourhood", "/sector"]
        assert rate.maxshape[0] is None, "appendable along week"
        assert rate.compression == "gzip" and rate.shuffle
        assert f["parameters"].attrs["run.seed"] == 7


def test_output_doc_lists_every_metric(source_dir, metrics_def):
    """docs/OUTPUT.md's metrics table matches sim/core/metrics.def."""
    text = (source_dir / "docs" / "OUTPUT.md").read_text()
    section = text.split("## Metrics", 1)[1]
    rows = re.findall(r"^\| `(\w+)` \| ([\w, ]+) \| ([^|]+) \|", section, re.MULTILINE)
    documented = {name: (tuple(d.strip() for d in dims.split(",")), unit.strip())
                  for name, dims, unit in rows}
    expected = {m["name"]: (expected_dims(m), m["unit"]) for m in metrics_def}
    assert documented == expected, "regenerate the Metrics table of docs/OUTPUT.md"
