# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""CF-1.8 conventions in run and sweep files (docs/OUTPUT.md "Conventions").

Every units attribute is parsed by UDUNITS-2's own program, udunits2 (Debian's
udunits-bin): ctest passes it as UDUNITS2; without it the unit check skips
(and CMake says so at configure time). The rest needs only h5py.
"""
import os
import shutil
import subprocess

import h5py
import numpy as np
import pytest

from conftest import run_cli

ROOT_ATTRS = ("Conventions", "title", "source", "history", "references")


def udunits2():
    exe = os.environ.get("UDUNITS2") or shutil.which("udunits2")
    if not exe:
        pytest.skip("udunits2 not found (apt-get install udunits-bin)")
    return exe


def parses(exe, unit):
    """udunits2 -H UNIT -W '' prints the unit's definition, or says it does not recognise it."""
    r = subprocess.run([exe, "-H", unit, "-W", ""], capture_output=True, text=True, stdin=subprocess.DEVNULL,
                       timeout=30)
    return r.returncode == 0 and "recognize" not in r.stderr + r.stdout, r.stderr.strip()


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def variables(f):
    out = {}
    f.visititems(lambda name, obj: out.__setitem__(name, obj) if isinstance(obj, h5py.Dataset) else None)
    return out


@pytest.fixture(scope="module")
def sweep_h5(commonweal, source_dir, test_tmp):
    sweep = test_tmp / "cf_sweep.yaml"
    sweep.write_text(f"base: {source_dir / 'scenarios' / 'tiny.yaml'}\n"
                     "vary:\n  help.informal_share: [0.4, 0.6]\nreplicates: 1\n")
    out = test_tmp / "cf_sweep.h5"
    run_cli(commonweal, "sweep", sweep, "-o", out, "--quiet", "--force", "--jobs", "1",
            "--set", "run.weeks=40", "--set", "run.burn_in_weeks=2",
            "--set", "population.residents_per_neighbourhood=100")
    return out


@pytest.fixture(params=["run", "sweep"])
def cf_file(request, tiny_h5, sweep_h5):
    return tiny_h5 if request.param == "run" else sweep_h5


def test_every_units_attribute_parses_with_udunits(cf_file):
    exe = udunits2()
    seen, bad = {}, []
    with h5py.File(cf_file, "r") as f:
        for name, ds in variables(f).items():
            if "units" in ds.attrs:
                seen.setdefault(text(ds.attrs["units"]), name)
    assert len(seen) >= 4, seen
    for unit, name in sorted(seen.items()):
        ok, why = parses(exe, unit)
        if not ok:
            bad.append(f"{name}: units {unit!r}: {why}")
    assert not bad, "\n".join(bad)


def test_udunits_check_rejects_a_non_unit():
    """The check above can fail: udunits2 refuses what the files used to say."""
    exe = udunits2()
    assert not parses(exe, "fraction")[0]
    assert not parses(exe, "severity 0..1")[0]
    assert parses(exe, "hours/week")[0]


def test_root_attributes(cf_file, commonweal):
    with h5py.File(cf_file, "r") as f:
        a = {k: text(f.attrs[k]) for k in ROOT_ATTRS if k in f.attrs}
        assert set(a) == set(ROOT_ATTRS), f"missing root attributes: {set(ROOT_ATTRS) - set(a)}"
        assert a["Conventions"] == "CF-1.8"
        version = text(f.attrs["program_version"])
        assert a["source"] == f"commonweal {version}"
        assert a["title"].strip()
        assert os.path.basename(commonweal) in a["history"]
        assert (" run " if text(f.attrs["kind"]) == "run" else " sweep ") in a["history"]
        assert "--quiet" in a["history"]
        bad = [k for k in list(f.keys()) + list(f.attrs.keys()) if "." in k]
        assert not bad, f"names with dots in the root group: {bad}"


def test_every_variable_has_a_long_name_and_numeric_ones_units(cf_file):
    """Every variable has a long_name; every metric and neighbourhood column of
    floats has units (events/value is kind-specific, and a varied parameter
    whose unit UDUNITS cannot say keeps it in the long_name)."""
    missing = []
    with h5py.File(cf_file, "r") as f:
        for name, ds in variables(f).items():
            if "long_name" not in ds.attrs or not text(ds.attrs["long_name"]).strip():
                missing.append(f"{name}: long_name")
            top = "/" not in name or name.startswith("neighbourhoods/")
            if top and ds.dtype.kind == "f" and "units" not in ds.attrs:
                missing.append(f"{name}: units")
    assert not missing, missing


def test_week_is_the_time_axis(cf_file):
    with h5py.File(cf_file, "r") as f:
        assert text(f["week"].attrs["axis"]) == "T"
        assert text(f["week"].attrs["units"]) == "week"


def test_fractions_carry_their_valid_range(cf_file, metrics_def):
    with h5py.File(cf_file, "r") as f:
        lr = f["left_out_rate"]
        assert text(lr.attrs["units"]) == "1"
        assert lr.attrs["valid_min"] == 0 and lr.attrs["valid_max"] == 1
        assert lr.attrs["valid_min"].dtype == lr.dtype
        # a count has no range, and every metric's values lie in its range
        assert "valid_max" not in f["population"].attrs
        for m in metrics_def:
            ds = f[m["name"]]
            v = ds[...]
            v = v[~np.isnan(v)]
            if "valid_min" in ds.attrs and v.size:
                assert v.min() >= ds.attrs["valid_min"], m["name"]
            if "valid_max" in ds.attrs and v.size:
                assert v.max() <= ds.attrs["valid_max"], m["name"]


def test_sweep_metrics_declare_their_fill_value(sweep_h5):
    with h5py.File(sweep_h5, "r") as f:
        ds = f["left_out_rate"]
        fill = ds.attrs["_FillValue"]
        assert fill.dtype == ds.dtype and np.isnan(fill)
        assert np.isnan(ds.fillvalue)
