# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Sobol' indices: the estimators against the Ishigami function's analytic indices (as SALib's
tests check theirs), on the Python design and on the design `commonweal sweep` makes (a digitally
shifted Sobol' sequence), and a small saltelli sweep file read back."""
import subprocess

import numpy as np
import pytest

from analysis import load, sobol
from conftest import run_cli

# Ishigami & Homma (1990), a = 7, b = 0.1, inputs uniform on [-pi, pi]: the analytic indices
# (e.g. Saltelli et al. 2008, Global Sensitivity Analysis, 4.11; SALib's test_sobol.py).
A_, B_ = 7.0, 0.1
V1 = 0.5 * (1 + B_ * np.pi ** 4 / 5) ** 2
V2 = A_ ** 2 / 8
V13 = B_ ** 2 * np.pi ** 8 * (1 / 18 - 1 / 50)
V = V1 + V2 + V13
S1_TRUE = np.array([V1 / V, V2 / V, 0.0])                       # 0.3139, 0.4424, 0
ST_TRUE = np.array([(V1 + V13) / V, V2 / V, V13 / V])           # 0.5576, 0.4424, 0.2437
# Tolerance: with N = 4096 base points the estimates are within 0.005 of the truth (seeds 1-3);
# a wrong estimator (A and B swapped in S1, a missing 1/2 in ST, V from A alone...) is off by
# much more than 0.02.
TOL = 0.02


def ishigami(X):
    x = -np.pi + 2 * np.pi * np.asarray(X)
    return np.sin(x[:, 0]) + A_ * np.sin(x[:, 1]) ** 2 + B_ * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_analytic_values():
    assert S1_TRUE == pytest.approx([0.3139, 0.4424, 0.0], abs=1e-4)
    assert ST_TRUE == pytest.approx([0.5576, 0.4424, 0.2437], abs=1e-4)


def test_design_layout():
    X = sobol.design(k=4, n=32, seed=3)
    assert X.shape == (32 * 6, 4) and X.min() >= 0 and X.max() < 1
    blocks = X.reshape(32, 6, 4)
    A, B = blocks[:, 0], blocks[:, 5]
    for i in range(4):
        diff = blocks[:, i + 1] != A
        assert (diff.sum(axis=1) == 1).all() and diff[:, i].all()
        assert (blocks[:, i + 1, i] == B[:, i]).all()
    with pytest.raises(ValueError, match="factor 1 from B"):
        bad = blocks.copy()
        bad[:, 2, 1] = bad[:, 0, 1]
        sobol.split(bad.reshape(-1, 4), np.zeros(len(X)))


@pytest.mark.parametrize("seed", [1, 2])
def test_ishigami_indices(seed):
    X = sobol.design(k=3, n=4096, seed=seed)
    tab = sobol.analyse(X, ishigami(X), ["x1", "x2", "x3"], n_boot=200, seed=seed)
    assert list(tab.index) == ["x1", "x2", "x3"]               # ranked by ST: 0.56, 0.44, 0.24
    t = tab.loc[["x1", "x2", "x3"]]
    assert t["S1"].to_numpy() == pytest.approx(S1_TRUE, abs=TOL)
    assert t["ST"].to_numpy() == pytest.approx(ST_TRUE, abs=TOL)
    for col, truth in (("S1", S1_TRUE), ("ST", ST_TRUE)):      # the intervals hold the truth
        assert (t[col + "_low"].to_numpy() <= truth + 1e-9).all()
        assert (t[col + "_high"].to_numpy() >= truth - 1e-9).all()
    assert (t["ST_high"] - t["ST_low"] < 0.1).all()             # and are not vacuous
    assert tab.attrs["n"] == 4096


def _c_design(k, n, seed):
    """The design `commonweal sweep` makes (sweep_saltelli_unit): scipy's unscrambled Sobol'
    points (the C code's, tests/unit/test_sweep.c) XOR-ed with one random 32-bit word per column."""
    from scipy.stats import qmc
    bits = (qmc.Sobol(2 * k, scramble=False, bits=32).random(n) * 2 ** 32).astype(np.uint64)
    shift = np.random.default_rng(seed).integers(0, 2 ** 32, size=2 * k, dtype=np.uint64)
    base = (bits ^ shift) / 2.0 ** 32
    out = np.empty((n, k + 2, k))
    out[:, 0] = base[:, :k]
    for i in range(k):
        out[:, i + 1] = base[:, :k]
        out[:, i + 1, i] = base[:, k + i]
    out[:, k + 1] = base[:, k:]
    return out.reshape(-1, k)


def test_ishigami_on_the_sweep_engines_design():
    X = _c_design(3, 4096, seed=5)
    tab = sobol.analyse(X, ishigami(X), ["x1", "x2", "x3"], n_boot=0).loc[["x1", "x2", "x3"]]
    assert tab["S1"].to_numpy() == pytest.approx(S1_TRUE, abs=TOL)
    assert tab["ST"].to_numpy() == pytest.approx(ST_TRUE, abs=TOL)


def test_incomplete_blocks_are_dropped():
    X = sobol.design(k=3, n=1024, seed=4)
    y = ishigami(X)
    y[5 * 7 + 2] = np.nan                      # one AB point of block 7 missing
    tab = sobol.analyse(X, y, n_boot=0)
    assert tab.attrs["n"] == 1023


SALTELLI = """# Tiny Saltelli design for the analysis tests.
base: {tiny}
method: saltelli
n: 4
set:
  run.weeks: 30
  run.burn_in_weeks: 13
vary:
  help.informal_offer_rate: {{min: 0.0, max: 1.0}}
  groups.burnout_rate: {{min: 0.0, max: 1.0}}
"""


@pytest.fixture(scope="module")
def saltelli_h5(commonweal, work, source_dir):
    r = subprocess.run([commonweal, "sweep", "--help"], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip("this build has no `commonweal sweep`")
    yml = work / "saltelli_real.yaml"
    yml.write_text(SALTELLI.format(tiny=source_dir / "scenarios" / "tiny.yaml"))
    out = work / "saltelli_real.h5"
    run_cli(commonweal, "sweep", yml, "-o", out, "--quiet", "--force", "--jobs", 2)
    return out


def test_saltelli_sweep_file(saltelli_h5, tmp_path):
    from scipy.stats import qmc
    res = load.open_result(saltelli_h5)
    assert res.method == "saltelli"
    assert res.attrs["saltelli_n"] == 4 and res.attrs["points"] == 16 and res.n_members == 16
    assert "Sobol'" in res.attrs["saltelli_base"]
    X, y, names = sobol.sweep_design(res)
    assert X.shape == (16, 2) and names == ["help.informal_offer_rate", "groups.burnout_rate"]
    assert np.isfinite(y).all()
    sobol.split(X, y)                                   # the A, AB_i, B layout holds
    # On [0, 1] ranges the values are the unit design: scipy's Sobol' points XOR one word per
    # column (the digital shift).
    blocks = X.reshape(4, 4, 2)
    base = np.hstack([blocks[:, 0], blocks[:, 3]])
    bits = (base * 2 ** 32).astype(np.uint64)
    ref = (qmc.Sobol(4, scramble=False, bits=32).random(4) * 2 ** 32).astype(np.uint64)
    shift = bits ^ ref
    assert (shift == shift[0]).all()
    tab = sobol.analyse_file(res, n_boot=50)
    assert set(tab.index) == set(names) and tab.attrs["n"] == 4
    fig = sobol.plot(tab, tmp_path / "sobol.png")
    fig.clf()
    assert (tmp_path / "sobol.png").stat().st_size > 5000
    assert sobol.main([str(saltelli_h5)]) == 0


def test_other_methods_are_refused(saltelli_h5):
    res = load.open_result(saltelli_h5)
    res.method = "lhs"
    with pytest.raises(ValueError, match="not saltelli"):
        sobol.sweep_design(res)
