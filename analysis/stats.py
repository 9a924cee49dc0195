# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Confidence intervals for the levels the report states (scipy's Student t). Paired
differences between scenarios are not computed here: they come from `commonweal compare`
(analysis/engine.py), the one pairing engine.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as _st


def t_ppf(p, df):
    """Quantile of Student's t (scipy)."""
    return float(_st.t.ppf(p, df))


def t_cdf(t, df):
    """P(T <= t) for Student's t (scipy)."""
    return float(_st.t.cdf(t, df))


@dataclass
class Interval:
    """A mean and its confidence interval (lo, hi are nan when none can be given)."""
    mean: float
    lo: float
    hi: float
    n: int
    df: float
    method: str      # "paired t", "Welch t", "t", "single pair" or "none"

    @property
    def has_ci(self):
        return not (math.isnan(self.lo) or math.isnan(self.hi))


def mean_ci(x, level=0.95):
    """Mean of x with a Student t interval (n - 1 degrees of freedom); no interval if n < 2."""
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return Interval(math.nan, math.nan, math.nan, 0, math.nan, "none")
    m = float(x.mean())
    if n < 2:
        return Interval(m, math.nan, math.nan, n, math.nan, "none")
    se = float(x.std(ddof=1)) / math.sqrt(n)
    q = t_ppf(0.5 + level / 2.0, n - 1)
    return Interval(m, m - q * se, m + q * se, n, n - 1, "t")


def from_compare(row):
    """An Interval from one row of `commonweal compare --json`."""
    lo = row["ci_low"] if row["ci_low"] is not None else math.nan
    hi = row["ci_high"] if row["ci_high"] is not None else math.nan
    diff = row["difference"] if row["difference"] is not None else math.nan
    n = int(row["n"])
    if not math.isnan(lo):
        method = "paired t" if row["paired_by_seed"] else "paired t (by replicate number)"
    else:
        method = "single pair" if n == 1 else "none"
    return Interval(diff, lo, hi, n, n - 1 if n > 1 else math.nan, method)
