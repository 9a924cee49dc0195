# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Sensitivity from a Latin-hypercube sweep: which uncertain parameters move a metric.

A Latin-hypercube sweep (`method: lhs`, e.g. scenarios/sweeps/uncertainty-lhs.yaml) samples the
uncertain parameters jointly. Each member gives one number (the metric over the reported weeks,
population-weighted over neighbourhoods; replicates at a design point are averaged), and each
parameter is ranked by two rank-based measures, robust to monotone non-linearity (Saltelli et
al. 2004, *Sensitivity Analysis in Practice*, ch. 5):

- **Spearman's rho**: the rank correlation of the parameter with the metric, with a 95% interval
  from Fisher's z (standard error 1.06 / sqrt(n - 3), Fieller et al. 1957);
- **SRRC**, the standardised rank regression coefficient: the coefficient of the parameter's
  ranks in a least-squares regression of the metric's ranks on all parameters' ranks (each
  standardised). With an R^2 (printed) near 1, SRRC^2 is roughly the share of the metric's
  rank variance the parameter explains; a low R^2 says interactions or non-monotone effects
  dominate and the ranking should be read with care.

    /usr/bin/python3 -m analysis.lhs lhs.h5 [--metric left_out_rate] [-o lhs.png]
"""
from __future__ import annotations

import math
import sys

import numpy as np
import pandas as pd

from . import load
from .morris import member_values, ranking_cli


def _ranks(x):
    """Average ranks (ties share their mean rank), 0-based."""
    x = np.asarray(x, dtype=float)
    order = np.argsort(x, kind="mergesort")
    r = np.empty(len(x))
    r[order] = np.arange(len(x), dtype=float)
    for v in np.unique(x):
        same = x == v
        if same.sum() > 1:
            r[same] = r[same].mean()
    return r


def _standardise(x):
    sd = x.std()
    return (x - x.mean()) / sd if sd > 0 else np.zeros_like(x)


def analyse(X, Y, names):
    """X[n, k] parameter values, Y[n] the metric: a DataFrame indexed by parameter with
    rho, rho_low, rho_high, srrc and rank (by |srrc|); attrs n and r2."""
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    ok = np.isfinite(Y) & np.all(np.isfinite(X), axis=1)
    X, Y = X[ok], Y[ok]
    n, k = X.shape
    if n < k + 2:
        raise ValueError(f"{n} complete design points for {k} parameters: need at least {k + 2}")
    RX = np.column_stack([_standardise(_ranks(X[:, j])) for j in range(k)])
    RY = _standardise(_ranks(Y))
    rho = np.array([float(np.mean(RX[:, j] * RY)) if RX[:, j].any() else np.nan for j in range(k)])
    half = 1.96 * 1.06 / math.sqrt(n - 3) if n > 3 else np.nan
    z = np.arctanh(np.clip(rho, -0.999999, 0.999999))
    coef, *_ = np.linalg.lstsq(RX, RY, rcond=None)
    fit = RX @ coef
    r2 = 1.0 - float(np.sum((RY - fit) ** 2)) / float(np.sum(RY ** 2)) if RY.any() else np.nan
    df = pd.DataFrame({"rho": rho, "rho_low": np.tanh(z - half), "rho_high": np.tanh(z + half),
                       "srrc": coef}, index=pd.Index(names, name="parameter"))
    df = df.reindex(df["srrc"].abs().sort_values(ascending=False).index)
    df["rank"] = np.arange(1, len(df) + 1)
    df.attrs["n"] = int(n)
    df.attrs["r2"] = r2
    return df


def sweep_points(res, metric="left_out_rate"):
    """From a sweep file: (X, Y, names), one row per design point with a complete member
    (replicates averaged); enumerated parameters as their choice index."""
    m = res.members
    done = set(res.complete_members.tolist())
    y_member = member_values(res, metric)
    names = list(res.varied)
    cols = [n + ".index" if n + ".index" in m else n for n in names]
    vals = m[cols].to_numpy(dtype=float)
    points = m["point"].to_numpy()
    X, Y = [], []
    for pt in sorted(set(points.tolist())):
        rows = [r for r in np.flatnonzero(points == pt) if r in done]
        if rows:
            X.append(vals[rows[0]])
            Y.append(float(np.mean(y_member[rows])))
    return np.array(X).reshape(-1, len(names)), np.array(Y), names


def analyse_file(res_or_path, metric="left_out_rate"):
    res = res_or_path if isinstance(res_or_path, load.Result) else load.open_result(res_or_path)
    X, Y, names = sweep_points(res, metric)
    tab = analyse(X, Y, names)
    tab.attrs["metric"] = metric
    return tab


def plot(table, out=None, title=None):
    """SRRC bars with Spearman's rho and its interval alongside, ranked by |SRRC|."""
    from . import plots
    plt = plots.plt
    with plt.rc_context(plots.STYLE):
        fig, ax = plt.subplots(figsize=(8, 0.35 * len(table) + 2.5))
        y = np.arange(len(table))[::-1]
        ax.barh(y + 0.18, table["srrc"], height=0.36, color=plots.COLORS[0], label="SRRC")
        ax.barh(y - 0.18, table["rho"], height=0.36, color=plots.COLORS[1], label="Spearman rho",
                xerr=[table["rho"] - table["rho_low"], table["rho_high"] - table["rho"]],
                error_kw={"lw": 0.8, "capsize": 2})
        ax.axvline(0, color="#666666", lw=0.8)
        ax.set_yticks(y)
        ax.set_yticklabels(table.index)
        ax.set_xlim(-1.05, 1.05)
        ax.set_xlabel("rank-based sensitivity (sign: direction of the effect)")
        ax.legend(loc="lower right", fontsize=8)
        metric = table.attrs.get("metric", "")
        ax.set_title(title or f"Latin hypercube{': ' + metric if metric else ''} "
                     f"(n = {table.attrs.get('n', '?')}, rank R² = {table.attrs.get('r2', float('nan')):.2f})")
        fig.tight_layout()
    if out is not None:
        fig.savefig(out, bbox_inches="tight")
    return fig


def main(argv=None):
    return ranking_cli(argv, "python3 -m analysis.lhs",
                       "Rank a Latin-hypercube sweep's parameters by their rank correlation and "
                       "SRRC with a metric.", analyse_file, plot,
                       footer=lambda t: f"n = {t.attrs['n']} design points; "
                                        f"rank regression R^2 = {t.attrs['r2']:.3f}")


if __name__ == "__main__":
    sys.exit(main())
