# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""The Python package: open_run / open_sweep (xarray, named coordinates), the ctypes
binding over libcommonweal.so, no matplotlib backend forced, and `pip install ./analysis`
into a fresh virtual environment (offline, Debian's packages through --system-site-packages).

ctest sets COMMONWEAL_LIBRARY to the build's libcommonweal.so; without it the binding
tests skip.
"""
import os
import subprocess
import sys

import h5py
import numpy as np
import pytest

import analysis
from analysis import binding, datasets

from conftest import run_cli

TINY_SET = {"population.residents_per_neighbourhood": 200, "run.seed": 11}


@pytest.fixture(scope="module")
def tiny_run(commonweal, source_dir, work):
    out = work / "pkg_tiny.h5"
    sets = [a for k, v in TINY_SET.items() for a in ("--set", f"{k}={v}")]
    run_cli(commonweal, "run", source_dir / "scenarios" / "tiny.yaml", "-o", out, "--force", "--quiet",
            "--threads", "1", *sets)
    return out


@pytest.fixture(scope="module")
def tiny_sweep(commonweal, source_dir, work):
    sweep = work / "pkg_sweep.yaml"
    sweep.write_text(f"base: {source_dir / 'scenarios' / 'tiny.yaml'}\n"
                     "vary:\n  help.informal_share: [0.3, 0.7]\nreplicates: 2\n")
    out = work / "pkg_sweep.h5"
    run_cli(commonweal, "sweep", sweep, "-o", out, "--force", "--quiet", "--jobs", "2",
            "--set", "population.residents_per_neighbourhood=100")
    return out


def test_open_run_names_its_coordinates(tiny_run):
    ds = datasets.open_run(tiny_run)
    with h5py.File(tiny_run, "r") as f:
        names = [n.decode() for n in f["neighbourhoods/name"][...]]
        lor = f["left_out_rate"][...]
    assert list(ds.neighbourhood.values) == names
    assert list(ds.sector.values)[:2] == ["health", "social_care"]
    assert ds.quintile.values[0].startswith("Q1")
    assert "la_name" in ds.left_out_rate.coords and "burn_in" in ds.left_out_rate.coords
    # the metric population is not replaced by the /neighbourhoods column of that name
    assert ds.population.dims == ("week", "neighbourhood")
    assert "population_at_setup" in ds.coords
    np.testing.assert_array_equal(ds.left_out_rate.values, lor)
    assert ds.need_rate.sel(sector="health", neighbourhood=names[1]).shape == (ds.sizes["week"],)


def test_open_sweep_puts_members_parameters_on_member(tiny_sweep):
    ds = datasets.open_sweep(tiny_sweep)
    assert ds.sizes["member"] == 4
    share = ds["help.informal_share"]
    assert share.dims == ("member",)
    np.testing.assert_allclose(sorted(set(share.values)), [0.3, 0.7])
    assert set(ds.replicate.values) == {0, 1}
    means = ds.left_out_rate.mean(["week", "neighbourhood"]).groupby("help.informal_share").mean()
    assert means.sizes["help.informal_share"] == 2
    with pytest.raises(ValueError, match="sweep file"):
        datasets.open_run(tiny_sweep)


def test_package_level_names_are_lazy():
    assert analysis.open_run is datasets.open_run
    assert analysis.Simulation is binding.Simulation


def test_importing_plots_keeps_the_callers_backend():
    code = ("import matplotlib; matplotlib.use('svg'); import analysis.plots; "
            "print(matplotlib.get_backend())")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       cwd=os.fspath(analysis.__path__[0] + "/.."), timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "svg"


@pytest.fixture(scope="module")
def lib():
    if not os.environ.get("COMMONWEAL_LIBRARY"):
        pytest.skip("COMMONWEAL_LIBRARY is not set (run through ctest)")
    return binding.library()


def test_simulation_steps_and_reads_what_the_cli_writes(lib, source_dir, tiny_run):
    with binding.Simulation(source_dir / "scenarios" / "tiny.yaml", set=TINY_SET, threads=1) as sim:
        assert sim.residents == 800 and sim.neighbourhoods == 4
        sim.step(10)
        assert sim.weeks_done == 10
        lor = sim.metric("left_out_rate")
        need = sim.metric("need_rate")
        area = sim.metric("area_left_out_rate")
    assert lor.shape == (4,) and need.shape == (4, 6) and area.shape == ()
    with h5py.File(tiny_run, "r") as f:
        np.testing.assert_array_equal(lor, f["left_out_rate"][9])
        np.testing.assert_array_equal(need, f["need_rate"][9])


def test_library_errors_are_exceptions_with_its_message(lib, source_dir):
    tiny = source_dir / "scenarios" / "tiny.yaml"
    with pytest.raises(binding.CommonwealError, match="help.informal_share"):
        binding.Simulation(tiny, set={"help.informal_share": 7})
    with pytest.raises(binding.CommonwealError, match="no_such.parameter"):
        binding.Simulation(tiny, set={"no_such.parameter": 1})
    with pytest.raises(binding.CommonwealError, match="nonexistent.yaml"):
        binding.Simulation(source_dir / "nonexistent.yaml")
    with binding.Simulation(tiny, set=TINY_SET) as sim:
        with pytest.raises(binding.CommonwealError, match="step"):
            sim.metric("left_out_rate")
        sim.step()
        with pytest.raises(binding.CommonwealError, match="unknown metric 'no_such_metric'"):
            sim.metric("no_such_metric")


def test_metric_list_matches_the_files(lib, tiny_run):
    ms = binding.metrics()
    with h5py.File(tiny_run, "r") as f:
        for m in ms:
            u = f[m["name"]].attrs["units"]
            assert (u.decode() if isinstance(u, bytes) else u) == m["units"]
    lr = next(m for m in ms if m["name"] == "left_out_rate")
    assert (lr["valid_min"], lr["valid_max"], lr["breakdown"]) == (0, 1, "")


def test_pip_installs_the_package_into_a_fresh_venv(source_dir, work, tiny_run):
    """pip install ./analysis, offline; then `import commonweal` from elsewhere works."""
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--clear", "--system-site-packages", venv], check=True,
                   timeout=300)
    py = venv / "bin" / "python"
    src = work / "pkg_src"  # a copy: pip's build leaves build/ and *.egg-info behind
    subprocess.run(["rm", "-rf", src], check=True)
    subprocess.run(["cp", "-r", source_dir / "analysis", src], check=True)
    r = subprocess.run([py, "-m", "pip", "install", "--no-build-isolation", "--no-index", "--quiet", src],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    code = ("import commonweal, sys; ds = commonweal.open_run(sys.argv[1]); "
            "print(commonweal.__file__); print(float(ds.left_out_rate.mean()))")
    r = subprocess.run([py, "-c", code, tiny_run], capture_output=True, text=True, cwd=work, timeout=300,
                       env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert r.returncode == 0, r.stderr
    assert str(venv) in r.stdout.splitlines()[0]
    r = subprocess.run([py, "-m", "commonweal.report", "--help"], capture_output=True, text=True, cwd=work,
                       timeout=300, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert r.returncode == 0 and "baseline" in r.stdout, r.stderr
