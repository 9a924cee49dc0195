"""Student t intervals without scipy: the t distribution from the regularized incomplete beta
function (Lentz's continued fraction), its quantile by bisection, and mean / paired / Welch
confidence intervals.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def _betacf(a, b, x, eps=1e-15, max_iter=500):
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, max_iter + 1):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < eps:
            break
    return h


def betainc(a, b, x):
    """Regularized incomplete beta function I_x(a, b) for a, b > 0 and 0 <= x <= 1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    lbt = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
           + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(lbt) * _betacf(a, b, x) / a
    return 1.0 - math.exp(lbt) * _betacf(b, a, 1.0 - x) / b


def t_cdf(t, df):
    """P(T <= t) for Student's t with df > 0 degrees of freedom (df may be fractional)."""
    if df <= 0:
        raise ValueError("degrees of freedom must be positive")
    if math.isinf(df):
        return 0.5 * math.erfc(-t / math.sqrt(2.0))
    tail = 0.5 * betainc(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t > 0 else tail


def norm_ppf(p):
    """Standard normal quantile by bisection on erfc (accurate to ~1e-12)."""
    if not 0.0 < p < 1.0:
        raise ValueError("p must be in (0, 1)")
    lo, hi = -40.0, 40.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if 0.5 * math.erfc(-mid / math.sqrt(2.0)) < p:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def t_ppf(p, df):
    """Quantile of Student's t: the t with P(T <= t) = p (bisection to ~1e-12)."""
    if not 0.0 < p < 1.0:
        raise ValueError("p must be in (0, 1)")
    if math.isinf(df):
        return norm_ppf(p)
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -t_ppf(1.0 - p, df)
    lo, hi = 0.0, 1.0
    while t_cdf(hi, df) < p:
        hi *= 2.0
        if hi > 1e12:
            return math.inf
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-13 * max(1.0, hi):
            break
    return 0.5 * (lo + hi)


@dataclass
class Interval:
    """A mean and its confidence interval (lo, hi are nan when none can be given)."""
    mean: float
    lo: float
    hi: float
    n: int
    df: float
    method: str      # "paired t", "Welch t", "t", or "none"

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


def paired_diff_ci(policy, baseline, level=0.95):
    """Mean of policy - baseline over pairs (same seed), with a paired t interval."""
    d = np.asarray(policy, float) - np.asarray(baseline, float)
    r = mean_ci(d, level)
    r.method = "paired t" if r.has_ci else ("single pair" if r.n == 1 else "none")
    return r


def welch_diff_ci(policy, baseline, level=0.95):
    """Difference of means of two independent samples, Welch's t interval."""
    a = np.asarray(policy, float)
    b = np.asarray(baseline, float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    m = float(a.mean() - b.mean()) if len(a) and len(b) else math.nan
    if len(a) < 2 or len(b) < 2:
        return Interval(m, math.nan, math.nan, min(len(a), len(b)), math.nan, "none")
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    if se == 0:
        return Interval(m, m, m, min(len(a), len(b)), math.inf, "Welch t")
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    q = t_ppf(0.5 + level / 2.0, df)
    return Interval(m, m - q * se, m + q * se, min(len(a), len(b)), df, "Welch t")
