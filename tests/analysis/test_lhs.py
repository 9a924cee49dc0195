# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Latin-hypercube sensitivity (analysis/lhs.py) on functions with known effects."""
import numpy as np
import pytest

from analysis import load, lhs
from sweepfile import write_sweep


def test_known_effects_are_ranked():
    rng = np.random.default_rng(4)
    n = 200
    X = rng.random((n, 4))
    # a strong, a weaker negative and a monotone non-linear effect; d does nothing
    Y = 3 * X[:, 0] - 1 * X[:, 1] + np.exp(2 * X[:, 2]) / 4 + 0.05 * rng.standard_normal(n)
    tab = lhs.analyse(X, Y, list("abcd"))
    # c's range of effect (exp(2x)/4: 0.25 to 1.85) is wider than b's (1): a, c, b, d
    assert list(tab.index) == ["a", "c", "b", "d"]
    assert tab.loc["a", "srrc"] > 0.6 and tab.loc["b", "srrc"] < -0.1
    assert tab.loc["d", "rho_low"] < 0 < tab.loc["d", "rho_high"]
    assert tab.loc["a", "rho_low"] > 0 and tab.loc["b", "rho_high"] < 0
    assert tab.attrs["r2"] > 0.9 and tab.attrs["n"] == n


def test_ranks_are_invariant_to_monotone_transforms():
    rng = np.random.default_rng(5)
    X = rng.random((60, 2))
    Y = X[:, 0] + 0.3 * X[:, 1]
    a = lhs.analyse(X, Y, ["p", "q"])
    b = lhs.analyse(np.exp(5 * X), Y ** 3, ["p", "q"])
    np.testing.assert_allclose(a["srrc"], b["srrc"])
    np.testing.assert_allclose(a["rho"], b["rho"])


def test_too_few_points_is_an_error():
    with pytest.raises(ValueError, match="need at least"):
        lhs.analyse(np.zeros((3, 2)), np.zeros(3), ["p", "q"])


@pytest.fixture(scope="module")
def lhs_file(runs, work):
    """An lhs-layout sweep file whose metric is a known function of its parameters (a: +, b: -,
    c: none), 12 design points x 2 replicates."""
    rng = np.random.default_rng(6)
    n_pts, reps = 12, 2
    pts = rng.random((n_pts, 3))
    names = ["p.a", "p.b", "p.c"]
    n = n_pts * reps
    points = [i // reps for i in range(n)]
    out = write_sweep(work / "lhs.h5", [runs["base"][0]] * n, points=points, varied=names,
                      method="lhs",
                      values={nm: np.repeat(1 + 2 * pts[:, j], reps) for j, nm in enumerate(names)})
    import h5py
    y = np.repeat(0.05 * pts[:, 0] - 0.02 * pts[:, 1], reps)
    with h5py.File(out, "r+") as f:
        lo = f["left_out_rate"]
        lo[...] = np.broadcast_to(y[:, None, None], lo.shape)
        f["population"][...] = 100.0
    return out


def test_lhs_from_sweep_file(lhs_file, tmp_path):
    """Replicates at a point are averaged: one row per design point."""
    tab = lhs.analyse_file(load.open_result(lhs_file))
    assert tab.attrs["n"] == 12
    assert list(tab.index[:2]) == ["p.a", "p.b"]
    assert tab.loc["p.a", "srrc"] > 0 > tab.loc["p.b", "srrc"]
    fig = lhs.plot(tab, tmp_path / "lhs.png")
    fig.clf()
    assert (tmp_path / "lhs.png").stat().st_size > 5000
    assert lhs.main([str(lhs_file), "-o", str(tmp_path / "l.svg")]) == 0


def test_report_shows_an_lhs_sweep(runs, lhs_file):
    from analysis import report
    page = report.Report(runs["base"] + [lhs_file]).html()
    section = page[page.index('<section id="sensitivity">'):]
    section = section[:section.index("</section>")]
    assert "Latin hypercube of 12 design points over 3 parameters" in section
    assert "<img " in section and "p.a" in section
