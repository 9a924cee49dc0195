# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Sweep files written by `commonweal sweep` itself (skipped where the command is absent)."""
import re
import subprocess

import numpy as np
import pytest

from analysis import load, morris, report, summary
from conftest import run_cli

GRID = """# Tiny grid for the analysis tests.
#
# Question: does patient money leave fewer people out in a small place?
base: {tiny}
method: grid
replicates: 3
common_random_numbers: true
set:
  investment.amount: 40
vary:
  investment.mode: [none, patient]
"""

MORRIS = """# Tiny Morris screening for the analysis tests.
base: {tiny}
method: morris
trajectories: 2
levels: 4
replicates: 1
common_random_numbers: true
set:
  run.weeks: 40
  run.burn_in_weeks: 13
vary:
  help.informal_offer_rate: {{min: 0.04, max: 0.12}}
  groups.burnout_rate: {{min: 0.025, max: 0.1}}
"""


@pytest.fixture(scope="module")
def sweep_cmd(commonweal):
    r = subprocess.run([commonweal, "sweep", "--help"], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip("this build has no `commonweal sweep`")
    return commonweal


def make_sweep(cli, work, name, text, source_dir):
    yml = work / f"{name}.yaml"
    yml.write_text(text.format(tiny=source_dir / "scenarios" / "tiny.yaml"))
    out = work / f"{name}.h5"
    run_cli(cli, "sweep", yml, "-o", out, "--quiet", "--force", "--jobs", 2)
    return out


@pytest.fixture(scope="module")
def grid_h5(sweep_cmd, work, source_dir):
    return make_sweep(sweep_cmd, work, "grid_real", GRID, source_dir)


def test_grid_sweep_loads(grid_h5):
    res = load.open_result(grid_h5)
    assert res.kind == "sweep" and res.method == "grid"
    assert res.varied == ["investment.mode"]
    assert res.n_members == 6 and len(res.complete_members) == 6
    assert sorted(set(res.members["investment.mode"])) == ["none", "patient"]
    assert res.question() == "does patient money leave fewer people out in a small place?"
    a = res.metric("left_out_by_age_band")
    assert a.shape[0] == 6 and a.shape[2] == len(res.neighbourhoods) and a.shape[3] == 5
    assert np.isfinite(a).all()
    df = load.tidy(res, "left_out_rate")
    assert {"investment.mode", "seed", "point", "replicate", "name", "decile"} <= set(df.columns)
    scens = summary.scenarios_from_files([grid_h5], baseline="investment.mode=none")
    assert [s.n for s in scens] == [3, 3] and scens[0].seeds == scens[1].seeds


def test_matches_commonweal_compare(sweep_cmd, grid_h5, monkeypatch):
    """The report on a sweep takes compare's pairing and numbers, to the last digit, and its
    per-replicate levels agree with compare's means."""
    import json
    monkeypatch.setenv("COMMONWEAL", sweep_cmd)
    r = subprocess.run([sweep_cmd, "compare", "--json", str(grid_h5), "--baseline",
                        "investment.mode=none", "-m", "left_out_rate", "--by", "fifth"],
                       capture_output=True, text=True, check=True)
    rows = {x["group"]: x for x in json.loads(r.stdout)["rows"]}
    rep = report.Report([grid_h5])               # default baseline: investment.mode=none
    assert rep.baseline_sel == "investment.mode=none"
    rep.compute()
    (c,) = rep.comparisons
    k = rep.fifth_k
    p = rep.numbers[f"s{c.index}"]
    assert p["diff_fifth"]["mean"] == rows[f"fifth {k}"]["difference"]
    assert p["diff_area"]["lo"] == rows["all residents"]["ci_low"]
    b = summary.weighted_rate(c.base, "left_out_rate")
    assert b.mean() == pytest.approx(rows["all residents"]["baseline_mean"], rel=1e-9)
    assert "patient core funding targeted by need" in rep.lead_sentence()


def test_morris_sweep(sweep_cmd, work, source_dir, tmp_path):
    out = make_sweep(sweep_cmd, work, "morris_real", MORRIS, source_dir)
    res = load.open_result(out)
    assert res.method == "morris" and (res.members["trajectory"] >= 0).all()
    tab = morris.analyse_file(res)
    assert set(tab.index) == {"help.informal_offer_rate", "groups.burnout_rate"}
    assert (tab["n"] == 2).all() and np.isfinite(tab["mu_star"]).all()
    morris.plot(tab, tmp_path / "m.png")
    assert (tmp_path / "m.png").stat().st_size > 5000
