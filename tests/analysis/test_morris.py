# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Morris screening: the design, and the ranking of a function with known effects."""
import numpy as np
import pytest

from analysis import load, morris
from sweepfile import write_sweep


def known(X):
    """Linear in a (10) and b (5), an interaction d*e (4), a quadratic f, and no effect of c."""
    return (10 * X[..., 0] + 5 * X[..., 1] + 0 * X[..., 2] + 4 * X[..., 3] * X[..., 4]
            + 2 * X[..., 5] ** 2)


def test_design_shape_and_steps():
    X = morris.design(k=6, r=25, levels=4, seed=1)
    assert X.shape == (25, 7, 6)
    assert X.min() >= 0 and X.max() <= 1
    assert set(np.round(np.unique(X), 9)) <= {0.0, round(1 / 3, 9), round(2 / 3, 9), 1.0}
    steps = np.abs(np.diff(X, axis=1))
    moved = steps > 1e-12
    assert (moved.sum(axis=2) == 1).all()                     # one factor per step
    assert np.allclose(steps[moved], 4 / (2 * 3))             # by delta = p / (2 (p - 1))
    assert (moved.sum(axis=1) == 1).all()                     # each factor once per trajectory
    with pytest.raises(ValueError):
        morris.design(3, 2, levels=3)


def test_ranking_of_known_function():
    X = morris.design(k=6, r=40, levels=4, seed=7)
    tab = morris.analyse(X, known(X), list("abcdef"))
    assert list(tab.index[:2]) == ["a", "b"]
    assert tab.loc["a", "mu_star"] == pytest.approx(10) and tab.loc["a", "sigma"] < 1e-9
    assert tab.loc["b", "mu_star"] == pytest.approx(5) and tab.loc["b", "sigma"] < 1e-9
    assert tab.index[-1] == "c" and tab.loc["c", "mu_star"] == 0
    for f in ("d", "e"):                      # interaction: effect depends on the other factor
        assert tab.loc[f, "sigma"] > 0.5
    assert tab.loc["f", "sigma"] > 0.1        # non-linear
    assert (tab["n"] == 40).all() and list(tab["rank"]) == [1, 2, 3, 4, 5, 6]


def test_morris_from_sweep_file(runs, work, tmp_path):
    """A morris-layout sweep file whose 'metric' is the known function of its parameters."""
    r, k = 2, 3
    X = morris.design(k=k, r=r, levels=4, seed=3)
    pts = X.reshape(-1, k)
    n = len(pts)
    files = [runs["base"][0]] * n
    names = ["p.a", "p.b", "p.c"]
    out = write_sweep(work / "morris.h5", files, points=list(range(n)), varied=names,
                      method="morris", trajectories=[i // (k + 1) for i in range(n)],
                      values={nm: 2 + 3 * pts[:, j] for j, nm in enumerate(names)},
                      attrs={"morris_delta": 4 / (2 * 3), "morris_levels": np.int32(4)})
    import h5py
    y = 0.05 * pts[:, 0] + 0.01 * pts[:, 1]       # c: no effect
    with h5py.File(out, "r+") as f:
        lo = f["left_out_rate"]
        lo[...] = np.broadcast_to(y[:, None, None], lo.shape)
        f["population"][...] = 100.0
    res = load.open_result(out)
    tab = morris.analyse_file(res)
    assert list(tab.index) == ["p.a", "p.b", "p.c"]
    assert tab.loc["p.a", "mu_star"] == pytest.approx(0.05, rel=1e-5)
    assert tab.loc["p.c", "mu_star"] == pytest.approx(0, abs=1e-9)
    plots_fig = morris.plot(tab, tmp_path / "morris.png")
    plots_fig.clf()
    assert (tmp_path / "morris.png").stat().st_size > 5000
    assert morris.main([str(out), "-o", str(tmp_path / "m.svg")]) == 0


def test_ishigami_ranking():
    """Ishigami (a = 7, b = 0.1, inputs on [-pi, pi]) on the 4-level grid, where mu* is known:
    x2's term 7 sin^2 moves by 5.25 on every step (levels -pi <-> pi/3, -pi/3 <-> pi), so
    mu*(x2) = 5.25 / (2/3) = 7.875 exactly, as SALib's Morris example gives; x1 moves
    sin by 0.866 times (1 + 0.1 x3^4), mu*(x1) = 1.5 * 0.866 * E[1 + 0.1 x3^4] = 7.70; x3 acts
    only with x1 (0.1 x3^4 sin x1: S1 = 0, ST = 0.24), mu*(x3) = 1.5 * 9.62 * E|sin x1| = 6.25,
    and its signed effects cancel (mu near 0, sigma > mu*). Checks that x1 and x2 rank above
    x3 and the three mu* against these values."""
    X = morris.design(k=3, r=1000, levels=4, seed=11)   # se of mu*(x1), mu*(x3): 0.2
    x = -np.pi + 2 * np.pi * X
    y = (np.sin(x[..., 0]) + 7 * np.sin(x[..., 1]) ** 2
         + 0.1 * x[..., 2] ** 4 * np.sin(x[..., 0]))
    tab = morris.analyse(X, y, ["x1", "x2", "x3"])
    assert set(tab.index[:2]) == {"x1", "x2"} and tab.index[2] == "x3"
    assert tab.loc["x2", "mu_star"] == pytest.approx(7.875, abs=1e-9)
    assert tab.loc["x1", "mu_star"] == pytest.approx(7.70, abs=0.6)
    assert tab.loc["x3", "mu_star"] == pytest.approx(6.25, abs=0.6)
    assert abs(tab.loc["x3", "mu"]) < 1.0 and tab.loc["x3", "sigma"] > tab.loc["x3", "mu_star"]
