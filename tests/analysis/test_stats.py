# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Intervals for levels (scipy's Student t), checked against printed tables, and intervals
read from `commonweal compare` rows."""
import math

import numpy as np
import pytest

from analysis import stats

# two-sided 95% (p = 0.975) critical values, e.g. NIST/SEMATECH table
T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 9: 2.262, 10: 2.228, 20: 2.086,
        29: 2.045, 30: 2.042, 60: 2.000, 100: 1.984}


@pytest.mark.parametrize("df,q", sorted(T975.items()))
def test_t_975(df, q):
    assert stats.t_ppf(0.975, df) == pytest.approx(q, abs=6e-4)


def test_intervals():
    iv = stats.mean_ci([1.0, 2.0, 3.0, 4.0])
    se = np.std([1, 2, 3, 4], ddof=1) / 2
    assert iv.mean == 2.5 and iv.df == 3
    assert iv.hi - iv.mean == pytest.approx(3.182446 * se, rel=1e-5)
    one = stats.mean_ci([0.3])
    assert one.mean == 0.3 and not one.has_ci


def test_from_compare():
    row = {"difference": -0.002, "ci_low": -0.004, "ci_high": 0.0001, "n": 5,
           "paired_by_seed": True}
    iv = stats.from_compare(row)
    assert iv.method == "paired t" and iv.n == 5 and iv.df == 4 and iv.has_ci
    one = stats.from_compare(dict(row, ci_low=None, ci_high=None, n=1))
    assert one.method == "single pair" and not one.has_ci and math.isnan(one.lo)
