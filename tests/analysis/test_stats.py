"""Student t without scipy, checked against printed tables."""
import math

import numpy as np
import pytest

from analysis import stats

# two-sided 95% (p = 0.975) and 99% (p = 0.995) critical values, e.g. NIST/SEMATECH table
T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 9: 2.262, 10: 2.228, 20: 2.086,
        29: 2.045, 30: 2.042, 60: 2.000, 100: 1.984}
T995 = {1: 63.657, 2: 9.925, 5: 4.032, 10: 3.169, 30: 2.750}


@pytest.mark.parametrize("df,q", sorted(T975.items()))
def test_t_975(df, q):
    assert stats.t_ppf(0.975, df) == pytest.approx(q, abs=6e-4)


@pytest.mark.parametrize("df,q", sorted(T995.items()))
def test_t_995(df, q):
    assert stats.t_ppf(0.995, df) == pytest.approx(q, abs=6e-4)


def test_t_properties():
    assert stats.t_ppf(0.5, 7) == 0.0
    assert stats.t_ppf(0.025, 4) == pytest.approx(-stats.t_ppf(0.975, 4))
    assert stats.t_ppf(0.975, math.inf) == pytest.approx(1.959964, abs=1e-6)
    assert stats.t_ppf(0.975, 1e6) == pytest.approx(1.959966, abs=1e-5)
    for df in (1, 2.5, 7, 40):
        for p in (0.6, 0.9, 0.99):
            assert stats.t_cdf(stats.t_ppf(p, df), df) == pytest.approx(p, abs=1e-9)
    assert stats.t_cdf(0.0, 3) == pytest.approx(0.5)
    assert stats.t_cdf(1.0, 1) == pytest.approx(0.75)        # Cauchy: 1/2 + atan(1)/pi


def test_against_scipy_when_present():
    sp = pytest.importorskip("scipy.stats")
    for df in (1, 3, 8.5, 25, 200):
        for p in (0.55, 0.8, 0.975, 0.999):
            assert stats.t_ppf(p, df) == pytest.approx(sp.t.ppf(p, df), rel=1e-7)


def test_intervals():
    iv = stats.mean_ci([1.0, 2.0, 3.0, 4.0])
    se = np.std([1, 2, 3, 4], ddof=1) / 2
    assert iv.mean == 2.5 and iv.df == 3
    assert iv.hi - iv.mean == pytest.approx(3.182446 * se, rel=1e-5)
    one = stats.mean_ci([0.3])
    assert one.mean == 0.3 and not one.has_ci
    d = stats.paired_diff_ci([2.0, 3.0, 5.0], [1.0, 2.0, 3.0])
    assert d.method == "paired t" and d.mean == pytest.approx(4 / 3) and d.lo < d.mean < d.hi
    assert stats.paired_diff_ci([2.0], [1.0]).method == "single pair"
    w = stats.welch_diff_ci([1.0, 2.0, 3.0], [0.0, 0.5, 1.0, 1.5])
    assert w.method == "Welch t" and 2 < w.df < 5 and w.lo < w.mean < w.hi
