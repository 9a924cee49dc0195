# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Loaders: shapes, labels and joined tables of run and sweep files."""
import h5py
import numpy as np
import pytest

from analysis import load, summary
from sweepfile import write_sweep


def test_run_file_metadata(base_h5):
    res = load.open_result(base_h5)
    with h5py.File(base_h5, "r") as f:
        n_weeks = f["week"].shape[0]
        n_nbhd = f["neighbourhood"].shape[0]
        seed = int(f.attrs["seed"])
        burn = int(f.attrs["burn_in_weeks"])
    assert res.kind == "run"
    assert res.n_members == 1 and list(res.complete_members) == [0]
    assert int(res.members["seed"].iloc[0]) == seed
    assert len(res.weeks) == n_weeks and res.burn_in.sum() == burn
    assert len(res.neighbourhoods) == n_nbhd
    for col in ("name", "la", "deprivation", "decile", "population"):
        assert col in res.neighbourhoods
    assert res.labels["quintile"][0].startswith("Q1")
    assert res.labels["age_band"] == ["16-29", "30-49", "50-64", "65-79", "80+"]
    assert res.labels["route"] == ["informal", "group", "service"]
    assert "mutual_aid" in res.labels["group_kind"]
    assert res.labels["sector"][0] == "health"
    assert res.labels["identity"][0] == "majority"
    assert res.parameters["run.seed"] == seed
    assert res.events is not None and "kind_name" in res.events


def test_metric_arrays(base_h5):
    res = load.open_result(base_h5)
    with h5py.File(base_h5, "r") as f:
        raw = f["left_out_by_quintile"][...]
    a = res.metric("left_out_by_quintile")
    assert a.shape == (1,) + raw.shape
    np.testing.assert_allclose(a[0], raw)
    assert res.metric_dims("left_out_by_quintile") == ["member", "week", "neighbourhood",
                                                       "quintile"]
    assert res.metric_dims("area_left_out_rate") == ["member", "week"]
    with pytest.raises(KeyError):
        res.metric("no_such_metric")


def test_tidy_frame(base_h5):
    res = load.open_result(base_h5)
    df = load.tidy(res, "left_out_by_quintile")
    n_weeks = int((~res.burn_in).sum())
    n_nbhd = len(res.neighbourhoods)
    assert len(df) == n_weeks * n_nbhd * 5
    for col in ("member", "seed", "week", "neighbourhood", "name", "la", "deprivation", "decile",
                "nb_population", "quintile", "quintile_label", "value"):
        assert col in df, col
    assert df["week"].min() == 0
    assert set(df["quintile"]) == {1, 2, 3, 4, 5}
    assert df.loc[df["quintile"] == 1, "quintile_label"].iloc[0] == res.labels["quintile"][0]
    raw = res.metric("left_out_by_quintile")[0][~res.burn_in]
    row = df[(df["week"] == 5) & (df["neighbourhood"] == 2) & (df["quintile"] == 3)]
    assert row["value"].iloc[0] == pytest.approx(raw[5, 2, 2])
    assert row["name"].iloc[0] == res.neighbourhoods["name"].iloc[2]
    whole = load.tidy(res, "area_left_out_rate", drop_burn_in=False)
    assert len(whole) == len(res.weeks) and "neighbourhood" not in whole


def test_scenario_question():
    text = "# Baseline: a place.\n#\n# Question: who is left out?\n# More.\nrun:\n  weeks: 1\n"
    assert load.scenario_question(text) == "who is left out?"
    assert load.scenario_question("# Just a comment\n# on two lines\nrun: {}\n") == \
        "Just a comment on two lines"
    assert load.scenario_question("# Commonweal scenario, fully resolved: every parameter\nrun:\n") == ""


def test_sweep_file(runs, work):
    files = runs["base"] + runs["policy"]
    out = write_sweep(work / "grid.h5", files, points=[0, 0, 0, 1, 1, 1],
                      varied=["investment.mode", "investment.amount"],
                      choices={"investment.mode": ["none", "competitive", "patient"]},
                      complete=[1, 1, 1, 1, 1, 0])
    res = load.open_result(out)
    assert res.kind == "sweep" and res.method == "grid"
    assert res.varied == ["investment.mode", "investment.amount"]
    assert res.n_members == 6 and list(res.complete_members) == [0, 1, 2, 3, 4]
    assert list(res.members["investment.mode"]) == ["none"] * 3 + ["patient"] * 3
    assert res.question() == "does patient investment leave fewer people out?"
    a = res.metric("left_out_rate")
    with h5py.File(files[4], "r") as f:
        np.testing.assert_allclose(a[4], f["left_out_rate"][...])
    assert res.metric_dims("left_out_rate") == ["member", "week", "neighbourhood"]
    df = load.tidy(res, "left_out_rate")
    assert set(df["member"]) == {0, 1, 2, 3, 4}
    assert {"investment.mode", "investment.amount", "point", "replicate"} <= set(df.columns)
    scens = summary.scenarios_from_files([out])
    assert [s.n for s in scens] == [3, 2]
    assert scens[1].settings["investment.mode"] == "patient"
    flipped = summary.scenarios_from_files([out], baseline="investment.mode=patient")
    assert flipped[0].settings["investment.mode"] == "patient"


def test_run_files_group_into_replicates(runs):
    scens = summary.scenarios_from_files(runs["base"] + runs["policy"])
    assert [s.n for s in scens] == [3, 3]
    assert scens[0].label == "base" and scens[1].label == "patient"
    assert scens[0].seeds == [1, 2, 3] == scens[1].seeds
    assert scens[1].settings == {"investment.mode": "patient", "investment.amount": 40.0}


@pytest.fixture(scope="session")
def hart_h5(commonweal, source_dir, work):
    """Hart's 57 real neighbourhoods (scenarios/hart.yaml) at a twentieth of their residents, 6 weeks."""
    from conftest import run_cli
    out = work / "hart.h5"
    run_cli(commonweal, "run", source_dir / "scenarios" / "hart.yaml", "-o", out, "--quiet", "--force",
            "--threads", 1, "--set", "population.scale=0.05", "--set", "run.weeks=4",
            "--set", "run.burn_in_weeks=2")
    return out


def test_real_area_codes_are_coordinates(hart_h5):
    res = load.open_result(hart_h5)
    nb = res.neighbourhoods
    assert len(nb) == 57
    assert set(nb["la_code"]) == {"E07000089"} and set(nb["la_name"]) == {"Hart"}
    assert all(c.startswith("E01") and len(c) == 9 for c in nb["code"])
    assert nb["code"].is_unique
    da = res.dataarray("left_out_rate")
    assert da.dims == ("member", "week", "neighbourhood")
    assert list(da["code"].values) == list(nb["code"])
    assert list(da["neighbourhood_name"].values) == list(nb["name"])
    by_code = da.swap_dims(neighbourhood="code")
    first = nb["code"].iloc[0]
    np.testing.assert_array_equal(by_code.sel(code=first).values, res.metric("left_out_rate")[:, :, 0])
    # tidy frames carry the codes too, for joins to official tables
    df = load.tidy(res, "left_out_rate")
    assert {"code", "la_code"} <= set(df.columns)


def test_synthetic_area_has_no_codes(base_h5):
    res = load.open_result(base_h5)
    assert "code" not in res.neighbourhoods and "la_code" not in res.neighbourhoods
    da = res.dataarray("left_out_by_quintile")
    assert "code" not in da.coords and "neighbourhood_name" in da.coords
    assert list(da["quintile_label"].values) == res.labels["quintile"]
