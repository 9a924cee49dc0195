# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Scenario discovery (PRIM): synthetic outcomes with known boxes, and an LHS sweep file made by
`commonweal sweep` whose outcome is overwritten with a known function of its inputs."""
import shutil
import subprocess

import h5py
import numpy as np
import pandas as pd
import pytest

from analysis import discover, load
from conftest import run_cli


def box_data(seed, n=1000, sd=0.2):
    """Five inputs uniform on [0, 1]; y = 1 inside x1 in [0.2, 0.5] and x2 in [0.6, 1], else 0,
    plus normal noise of sd 0.2; the runs of interest are y > 0.5 (about 0.6% misclassified)."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.random((n, 5)), columns=[f"x{i}" for i in range(1, 6)])
    inside = ((X.x1 >= 0.2) & (X.x1 <= 0.5) & (X.x2 >= 0.6)).to_numpy()
    return X, inside + rng.normal(0, sd, n), inside


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_recovers_a_known_box(seed):
    X, y, inside = box_data(seed)
    d = discover.discover(X, y, 0.5)
    b = d.boxes[0]
    assert set(b.restricted) == {"x1", "x2"}                     # no noise input restricted
    assert b.lo_cut["x1"] == pytest.approx(0.2, abs=0.05)
    assert b.hi_cut["x1"] == pytest.approx(0.5, abs=0.05)
    assert b.lo_cut["x2"] == pytest.approx(0.6, abs=0.1)
    assert "x2" not in b.hi_cut                                  # the box reaches x2 = 1
    assert b.coverage > 0.9 and b.density > 0.8
    interest = y > 0.5
    ins = discover._inside(X.to_numpy(), b.lo.to_numpy(), b.hi.to_numpy())
    assert b.density == pytest.approx(interest[ins].mean())     # the stated figures are the box's
    assert b.coverage == pytest.approx(interest[ins].sum() / interest.sum())
    assert b.n == ins.sum() and b.mass == pytest.approx(ins.mean())
    assert all(p < 0.05 for p in b.p_values.values())
    t = d.trajectory                                             # peeling: density up, coverage down
    assert (np.diff(t["density"]) > 0).all() and (np.diff(t["coverage"]) <= 0).all()
    assert t["mass"].iloc[-1] >= 0.05 and t["coverage"].iloc[0] == 1.0


def test_the_box_in_words():
    X, y, _ = box_data(1)
    d = discover.discover(X, 0.1 * (y > 0.5) + 0.01, 0.06, label="left out in the most deprived fifth",
                          percent=True)
    b = d.boxes[0]
    (s,) = discover.words(d, labels={"x1": "funding.scale.social_care"})
    assert s.startswith(f"When funding.scale.social_care is between {b.lo_cut['x1']:.3g} and "
                        f"{b.hi_cut['x1']:.3g} and x2 is above {b.lo_cut['x2']:.3g}, left out in the "
                        f"most deprived fifth exceeds 6% in {100 * b.density:.0f}% of runs (density), "
                        f"covering {100 * b.coverage:.0f}% of such runs (coverage")


def test_below_and_a_second_box():
    """Bad (y below 0) where a < 0.25 or b > 0.8. The first box is a < h, h where its density
    falls to min_density = 0.8: (0.25 + 0.2 (h - 0.25)) / h = 0.8, h = 1/3 (the strip b > 0.8 is
    bad too); the covering step then finds b > 0.8 among the runs with a > h."""
    for seed in (5, 6):
        rng = np.random.default_rng(seed)
        X = pd.DataFrame(rng.random((1500, 3)), columns=["a", "b", "c"])
        bad = (X.a < 0.25) | (X.b > 0.8)
        y = np.where(bad, -1.0, 1.0) + rng.normal(0, 0.2, len(X))
        d = discover.discover(X, y, 0.0, above=False, boxes=3)
        b1, b2 = d.boxes[:2]
        assert b1.restricted == ["a"] and not b1.lo_cut
        assert b1.hi_cut["a"] == pytest.approx(1 / 3, abs=0.05)
        assert b2.restricted == ["b"] and not b2.hi_cut
        assert b2.lo_cut["b"] == pytest.approx(0.8, abs=0.05)
        assert b1.coverage + b2.coverage > 0.95                  # of all runs of interest
        assert b1.density >= 0.8 and b2.density > 0.9
        assert "is below 0" in discover.words(d)[0]


def test_no_runs_of_interest():
    X, y, _ = box_data(2, n=200)
    with pytest.raises(ValueError, match="no run"):
        discover.discover(X, y, 10.0)


LHS = """# Tiny LHS over a cut, a crisis multiplier and a lever, for the discovery tests.
base: {tiny}
method: lhs
n: 60
set:
  run.weeks: 30
  run.burn_in_weeks: 13
vary:
  funding.scale.social_care: {{min: 0.5, max: 1.2}}
  crisis.recession_job_loss_multiplier: {{min: 1.0, max: 3.0}}
  investment.amount: {{min: 0, max: 40}}
"""


@pytest.fixture(scope="module")
def lhs_h5(commonweal, work, source_dir):
    r = subprocess.run([commonweal, "sweep", "--help"], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip("this build has no `commonweal sweep`")
    yml = work / "discover_lhs.yaml"
    yml.write_text(LHS.format(tiny=source_dir / "scenarios" / "tiny.yaml"))
    out = work / "discover_lhs.h5"
    run_cli(commonweal, "sweep", yml, "-o", out, "--quiet", "--force", "--jobs", 2)
    return out


def test_discover_from_a_sweep_file(lhs_h5, tmp_path, capsys):
    res = load.open_result(lhs_h5)
    X, y, label = discover.sweep_runs(res, "left_out_rate", fifth=True)
    assert X.shape == (60, 3) and np.isfinite(y).all()
    assert label == "left out in the most deprived fifth" or label.startswith("left out in the most deprived")
    # the outcome made a known function of the inputs: 10% left out where social care funding is
    # below 0.85, 2% elsewhere; every neighbourhood and week alike
    known = tmp_path / "known.h5"
    shutil.copy(lhs_h5, known)
    care = res.members["funding.scale.social_care"].to_numpy()
    with h5py.File(known, "r+") as f:
        lo = f["left_out_rate"]
        val = np.where(care < 0.85, 0.10, 0.02).astype(np.float32)
        lo[...] = np.broadcast_to(val.reshape((-1,) + (1,) * (lo.ndim - 1)), lo.shape)
    d = discover.discover_file(str(known), "left_out_rate", 0.06, fifth=True)
    b = d.boxes[0]
    assert b.restricted == ["funding.scale.social_care"]
    assert b.hi_cut["funding.scale.social_care"] == pytest.approx(0.85, abs=0.05)
    assert b.coverage == 1.0 and b.density > 0.9     # 60 points: the edge is a run or two wide
    (s,) = discover.words(d)
    assert s.startswith(f"When funding.scale.social_care is below {b.hi_cut['funding.scale.social_care']:.3g}, ")
    assert "left out in the most deprived" in s
    assert f"exceeds 6% in {100 * b.density:.0f}% of runs (density), covering 100% of such runs" in s
    assert discover.main([str(known), "--fifth", "--threshold", "0.06", "-o",
                          str(tmp_path / "prim.png")]) == 0
    out = capsys.readouterr().out
    assert "Peeling trajectory" in out and "When funding.scale.social_care is below" in out
    assert (tmp_path / "prim.png").stat().st_size > 5000
