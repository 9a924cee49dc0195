# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Sobol' variance-based sensitivity indices from a Saltelli design, with numpy and scipy only.

Design (Saltelli et al. 2010, "Variance based sensitivity analysis of model output", Computer
Physics Communications 181: 259-270): two independent N x k matrices A and B of quasi-random
points in [0, 1]^k and, for each factor i, AB_i = A with column i taken from B. The model runs at
the N (k + 2) points; the design is stored in blocks of k + 2 rows per base point n:
A_n, AB_1n .. AB_kn, B_n (the order of SALib's `saltelli.sample` without second-order terms and
of `commonweal sweep` with `method: saltelli`).

With V the variance of f over A and B together:

- first-order index (Saltelli et al. 2010, table 2, (b)):
  S_i  = mean( f(B) (f(AB_i) - f(A)) ) / V
- total index (Jansen 1999, table 2, (f)):
  ST_i = mean( (f(A) - f(AB_i))^2 ) / (2 V)

Intervals: the base points (whole blocks) are resampled with replacement (bootstrap, 1000
times by default) and the 2.5% and 97.5% quantiles of the recomputed indices reported.

    X = design(k=3, n=1024, seed=1)                # [n (k + 2), k] in [0, 1]
    table = analyse(X, f(X), names)                # DataFrame: S1, S1_low, S1_high, ST, ...
    table = analyse_file("sobol.h5")               # from a `commonweal sweep` (method saltelli)

    /usr/bin/python3 -m analysis.sobol sobol.h5 [--metric left_out_rate] [-o sobol.png]
"""
from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from . import load
from .morris import member_values, ranking_cli


def design(k, n, seed=0, scramble=True):
    """A Saltelli design for k factors from n base points: array [n (k + 2), k] in [0, 1).

    The base is scipy's Sobol' sequence in 2k dimensions (Owen-scrambled unless scramble is
    False): A its first k columns, B the last k; n a power of 2 keeps its balance."""
    from scipy.stats import qmc
    if k < 1 or n < 2:
        raise ValueError("need k >= 1 factors and n >= 2 base points")
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)      # n not a power of 2: allowed
        base = qmc.Sobol(2 * k, scramble=scramble, seed=seed).random(n)
    A, B = base[:, :k], base[:, k:]
    out = np.empty((n, k + 2, k))
    out[:, 0] = A
    for i in range(k):
        out[:, i + 1] = A
        out[:, i + 1, i] = B[:, i]
    out[:, k + 1] = B
    return out.reshape(n * (k + 2), k)


def split(X, y, k=None, check=True):
    """(fA [n], fB [n], fAB [n, k]) from a design in blocks of k + 2 rows and its outputs y.

    With check, X must have the layout (AB_i equal to A but in column i, which is B's);
    blocks where any output is not finite are dropped."""
    X = np.asarray(X, float)
    y = np.asarray(y, float)
    k = X.shape[1] if k is None else k
    if X.shape[0] % (k + 2) or y.shape[0] != X.shape[0]:
        raise ValueError(f"{X.shape[0]} design points and {y.shape[0]} outputs: a Saltelli design has "
                         f"n (k + 2) = n x {k + 2} points and one output each")
    n = X.shape[0] // (k + 2)
    Xb = X.reshape(n, k + 2, k)
    if check:
        A, B = Xb[:, 0], Xb[:, k + 1]
        for i in range(k):
            want = A.copy()
            want[:, i] = B[:, i]
            if not np.allclose(Xb[:, i + 1], want, rtol=1e-9, atol=1e-12):
                raise ValueError(f"row {i + 1} of each block should be A with factor {i} from B "
                                 "(is this a Saltelli design, blocks A, AB_1 .. AB_k, B?)")
    yb = y.reshape(n, k + 2)
    yb = yb[np.all(np.isfinite(yb), axis=1)]
    return yb[:, 0], yb[:, k + 1], yb[:, 1:k + 1]


def indices(fA, fB, fAB):
    """First-order (Saltelli 2010) and total (Jansen 1999) indices: (S1 [k], ST [k]).

    Arrays may carry leading axes (bootstrap samples): the base points are the last axis of
    fA and fB and the one before the factors in fAB."""
    fA = np.asarray(fA, float)
    fB = np.asarray(fB, float)
    fAB = np.asarray(fAB, float)
    V = np.concatenate([fA, fB], axis=-1).var(axis=-1)[..., None]
    with np.errstate(invalid="ignore", divide="ignore"):
        S1 = np.mean(fB[..., None] * (fAB - fA[..., None]), axis=-2) / V
        ST = 0.5 * np.mean((fA[..., None] - fAB) ** 2, axis=-2) / V
    return S1, ST


def analyse(X, y, names=None, n_boot=1000, conf=0.95, seed=0, check=True):
    """S1 and ST of each factor with bootstrap intervals, ranked by ST (largest first).

    X [n (k + 2), k] (any units: only its layout is used), y [n (k + 2)]. Returns a DataFrame
    indexed by parameter: S1, S1_low, S1_high, ST, ST_low, ST_high, rank; attrs n (base points
    used), variance, n_boot and conf."""
    X = np.asarray(X, float)
    k = X.shape[1]
    names = list(names) if names is not None else [f"x{i + 1}" for i in range(k)]
    fA, fB, fAB = split(X, y, k, check)
    n = len(fA)
    if n < 2:
        raise ValueError(f"{n} complete blocks of {k + 2} points: need at least 2")
    S1, ST = indices(fA, fB, fAB)
    rng = np.random.default_rng(seed)
    lo_q, hi_q = (1 - conf) / 2, 1 - (1 - conf) / 2
    b1, bt = [], []
    chunk = max(1, 4_000_000 // max(1, n * k))
    for start in range(0, n_boot, chunk):
        idx = rng.integers(0, n, size=(min(chunk, n_boot - start), n))
        s1, st = indices(fA[idx], fB[idx], fAB[idx])
        b1.append(s1)
        bt.append(st)
    tab = pd.DataFrame({"S1": S1, "ST": ST}, index=pd.Index(names, name="parameter"))
    if n_boot:
        b1, bt = np.concatenate(b1), np.concatenate(bt)
        tab["S1_low"], tab["S1_high"] = np.nanquantile(b1, lo_q, axis=0), np.nanquantile(b1, hi_q, axis=0)
        tab["ST_low"], tab["ST_high"] = np.nanquantile(bt, lo_q, axis=0), np.nanquantile(bt, hi_q, axis=0)
    else:
        for c in ("S1_low", "S1_high", "ST_low", "ST_high"):
            tab[c] = np.nan
    tab = tab[["S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"]]
    tab = tab.sort_values("ST", ascending=False, na_position="last")
    tab["rank"] = np.arange(1, len(tab) + 1)
    tab.attrs.update(n=int(n), variance=float(np.concatenate([fA, fB]).var()), n_boot=int(n_boot),
                     conf=float(conf))
    return tab


def sweep_design(res, metric="left_out_rate"):
    """From a saltelli sweep: (X [points, k], y [points], names), one row per design point in
    point order (replicates averaged; NaN where no member of the point is complete)."""
    if res.method != "saltelli":
        raise ValueError(f"{res.path}: method is {res.method or 'not a sweep'}, not saltelli")
    m = res.members
    names = list(res.varied)
    vals = m[names].to_numpy(dtype=float)
    points = m["point"].to_numpy()
    n_points = int(res.attrs.get("points", points.max() + 1))
    k = len(names)
    n_base = res.attrs.get("saltelli_n")
    if n_base is not None and int(n_base) * (k + 2) != n_points:
        raise ValueError(f"{res.path}: {n_points} points, not saltelli_n x (k + 2) = {n_base} x {k + 2}")
    done = np.zeros(len(m), bool)
    done[res.complete_members] = True
    y_member = member_values(res, metric)
    X = np.full((n_points, k), np.nan)
    y = np.full(n_points, np.nan)
    for pt in range(n_points):
        rows = np.flatnonzero(points == pt)
        if len(rows):
            X[pt] = vals[rows[0]]
            ok = rows[done[rows]]
            if len(ok):
                y[pt] = float(np.mean(y_member[ok]))
    return X, y, names


def analyse_file(res_or_path, metric="left_out_rate", **kw):
    res = res_or_path if isinstance(res_or_path, load.Result) else load.open_result(res_or_path)
    X, y, names = sweep_design(res, metric)
    tab = analyse(X, y, names, **kw)
    tab.attrs["metric"] = metric
    return tab


def plot(table, out=None, title=None):
    """First-order and total indices per parameter, bars with their bootstrap intervals."""
    from . import plots
    plt = plots.plt
    with plt.rc_context(plots.STYLE):
        fig, ax = plt.subplots(figsize=(8, 0.35 * len(table) + 2.5))
        y = np.arange(len(table))[::-1]
        for off, col, label, c in ((0.18, "ST", "total (ST)", 0), (-0.18, "S1", "first-order (S1)", 1)):
            v = table[col].to_numpy()
            err = np.vstack([v - table[col + "_low"].to_numpy(), table[col + "_high"].to_numpy() - v])
            ax.barh(y + off, v, height=0.36, color=plots.COLORS[c], label=label,
                    xerr=np.clip(np.nan_to_num(err), 0, None), error_kw={"lw": 0.8, "capsize": 2})
        ax.axvline(0, color="#666666", lw=0.8)
        ax.set_yticks(y)
        ax.set_yticklabels(table.index)
        ax.set_xlabel("share of the output's variance")
        ax.legend(loc="lower right", fontsize=8)
        metric = table.attrs.get("metric", "")
        ax.set_title(title or f"Sobol' indices{': ' + metric if metric else ''} "
                     f"(N = {table.attrs.get('n', '?')}, "
                     f"{100 * table.attrs.get('conf', 0.95):.0f}% bootstrap intervals)")
        fig.tight_layout()
    if out is not None:
        fig.savefig(out, bbox_inches="tight")
    return fig


def main(argv=None):
    return ranking_cli(argv, "python3 -m analysis.sobol",
                       "Sobol' first-order and total indices of a saltelli sweep's parameters.",
                       analyse_file, plot,
                       footer=lambda t: f"N = {t.attrs['n']} base points; output variance "
                                        f"{t.attrs['variance']:.4g}; S1 + ... = {t['S1'].sum():.3f} "
                                        f"(near 1 when the factors act additively)")


if __name__ == "__main__":
    sys.exit(main())
