# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Morris elementary-effects screening, with numpy only.

Design (Morris 1991, as in Saltelli et al. 2008, ch. 3): r trajectories of k + 1 points on a
p-level grid in [0, 1]^k; each step changes one factor by Delta = p / (2 (p - 1)). The
elementary effect of factor i on a step is (y' - y) / (x'_i - x_i); over the trajectories,
mu* = mean |EE| ranks the factors by influence and sigma = sd(EE) shows interactions or
non-linearity.

    X = design(k=5, r=20, levels=4, seed=1)          # [r, k + 1, k] in [0, 1]
    table = analyse(X, f(X), names)                  # DataFrame: mu, mu_star, sigma, n
    table = analyse_file("morris.h5")                # from a `commonweal sweep` (method morris)

    /usr/bin/python3 -m analysis.morris morris.h5 -o morris.png
"""
from __future__ import annotations

import argparse
import re
import sys

import numpy as np
import pandas as pd

from . import load


def design(k, r, levels=4, seed=0):
    """r Morris trajectories for k factors on a `levels`-level grid: array [r, k + 1, k]."""
    if levels < 2 or levels % 2:
        raise ValueError("levels must be even and at least 2")
    rng = np.random.default_rng(seed)
    delta = levels / (2.0 * (levels - 1))
    grid = np.arange(levels // 2) / (levels - 1)      # base values with x + delta <= 1
    B = np.tril(np.ones((k + 1, k)), -1)
    J = np.ones((k + 1, k))
    out = np.empty((r, k + 1, k))
    for t in range(r):
        x = rng.choice(grid, size=k)
        D = np.diag(rng.choice([-1.0, 1.0], size=k))
        P = np.eye(k)[rng.permutation(k)]
        out[t] = (J * x + (delta / 2.0) * ((2 * B - J) @ D + J)) @ P
    return np.clip(out, 0.0, 1.0)


def elementary_effects(X, Y, delta=None):
    """Elementary effects from trajectories: X [r, k+1, k] (scaled), Y [r, k+1].

    Steps where both points exist (finite y) and exactly one factor changes count; returns a
    list per factor of its effects. With `delta` (the design's step in scaled units, the
    sweep's `morris_delta`), each step counts as +-delta whatever X's units are."""
    X = np.asarray(X, float)
    Y = np.asarray(Y, float)
    k = X.shape[2]
    effects = [[] for _ in range(k)]
    for xt, yt in zip(X, Y):
        for a in range(len(xt) - 1):
            dx = xt[a + 1] - xt[a]
            moved = np.flatnonzero(np.abs(dx) > 1e-12)
            if len(moved) != 1 or not (np.isfinite(yt[a]) and np.isfinite(yt[a + 1])):
                continue
            i = moved[0]
            step = dx[i] if delta is None else np.sign(dx[i]) * delta
            effects[i].append((yt[a + 1] - yt[a]) / step)
    return effects


def analyse(X, Y, names=None, delta=None):
    """mu, mu* and sigma of each factor's elementary effects, ranked by mu* (largest first)."""
    X = np.asarray(X, float)
    k = X.shape[2]
    names = list(names) if names is not None else [f"x{i}" for i in range(k)]
    effects = elementary_effects(X, Y, delta)
    rows = []
    for name, ee in zip(names, effects):
        ee = np.asarray(ee, float)
        rows.append({"parameter": name, "mu": ee.mean() if len(ee) else np.nan,
                     "mu_star": np.abs(ee).mean() if len(ee) else np.nan,
                     "sigma": ee.std(ddof=1) if len(ee) > 1 else np.nan, "n": len(ee)})
    df = pd.DataFrame(rows).set_index("parameter")
    df = df.sort_values("mu_star", ascending=False, na_position="last")
    df["rank"] = np.arange(1, len(df) + 1)
    df.attrs["trajectories"] = int(X.shape[0])
    return df


def member_values(res, metric="left_out_rate"):
    """One number per member: the metric over the reported weeks, population-weighted over
    neighbourhoods (area metrics: the plain mean over weeks; breakdowns are summed).
    `NAME[i]` takes entry i of the metric's last dimension, e.g. area_left_out_by_fifth[4] (left
    out in the most deprived fifth) or unmet_need_rate[1] (social care)."""
    m = re.fullmatch(r"(\w+)\[(-?\d+)\]", metric)
    name = m.group(1) if m else metric
    x = res.metric(name)[:, res.report_weeks]
    dims = res.metric_dims(name)
    if m:
        x = x[..., int(m.group(2))]
        dims = dims[:-1]
    if "neighbourhood" in dims:
        pop = res.metric("population")[:, res.report_weeks]
        while x.ndim > 3:
            x = x.sum(axis=-1)
        return (x * pop).sum(axis=(1, 2)) / pop.sum(axis=(1, 2))
    while x.ndim > 2:
        x = x.sum(axis=-1)
    return x.mean(axis=1)


def sweep_trajectories(res, metric="left_out_rate"):
    """From a morris sweep: (X, Y, names, delta), trajectories padded where members are
    missing; replicates at one point are averaged. X is scaled to [0, 1] by the range the
    design covers; delta is the file's `morris_delta` (the step in the parameters' own [0, 1]
    scaling, exact whatever part of the range the design visited), or None."""
    m = res.members
    done = res.complete_members
    y_member = member_values(res, metric)
    names = list(res.varied)
    cols = [n + ".index" if n + ".index" in m else n for n in names]
    vals = m[cols].to_numpy(dtype=float)
    lo, hi = vals.min(axis=0), vals.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    trajs = sorted(t for t in set(m["trajectory"].to_numpy()[done].tolist()) if t >= 0)
    Xs, Ys = [], []
    for t in trajs:
        pts = sorted(set(m["point"].to_numpy()[m["trajectory"].to_numpy() == t].tolist()))
        X = np.full((len(pts), len(names)), np.nan)
        Y = np.full(len(pts), np.nan)
        for j, pt in enumerate(pts):
            rows = np.flatnonzero((m["point"].to_numpy() == pt) & (m["trajectory"].to_numpy() == t))
            X[j] = (vals[rows[0]] - lo) / span
            ok = [r for r in rows if r in set(done.tolist())]
            if ok:
                Y[j] = float(np.mean(y_member[ok]))
        Xs.append(X)
        Ys.append(Y)
    if not Xs:
        raise ValueError(f"{res.path}: no Morris trajectories (is the sweep method morris?)")
    L = max(len(x) for x in Xs)
    Xa = np.full((len(Xs), L, len(names)), np.nan)
    Ya = np.full((len(Xs), L), np.nan)
    for i, (x, y) in enumerate(zip(Xs, Ys)):
        Xa[i, :len(x)] = x
        Ya[i, :len(y)] = y
    delta = res.attrs.get("morris_delta")
    return np.nan_to_num(Xa, nan=-1.0), Ya, names, (float(delta) if delta else None)


def analyse_file(res_or_path, metric="left_out_rate"):
    res = res_or_path if isinstance(res_or_path, load.Result) else load.open_result(res_or_path)
    X, Y, names, delta = sweep_trajectories(res, metric)
    tab = analyse(X, Y, names, delta)
    tab.attrs["metric"] = metric
    return tab


def plot(table, out=None, title=None, top=25):
    """mu* against sigma (points; the `top` largest labelled) and the ranking by mu* (bars of the
    `top` largest; a screen of 100+ parameters stays readable)."""
    from . import plots
    plt = plots.plt
    with plt.rc_context(plots.STYLE):
        t = table.dropna(subset=["mu_star"]).sort_values("mu_star", ascending=False)
        shown = t.head(top)
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 0.3 * len(shown) + 3.5))
        a1.scatter(t["mu_star"], t["sigma"].fillna(0), color=plots.COLORS[0])
        for name, row in t.head(min(top, 10)).iterrows():
            a1.annotate(name, (row["mu_star"], 0 if np.isnan(row["sigma"]) else row["sigma"]),
                        fontsize=8, xytext=(3, 3), textcoords="offset points")
        lim = max(float(t["mu_star"].max()), float(t["sigma"].max()) if t["sigma"].notna().any()
                  else 0) * 1.1 or 1.0
        a1.plot([0, lim], [0, lim], ls=":", color="#999999", lw=0.8)
        a1.set_xlabel("μ* (mean |elementary effect|)")
        a1.set_ylabel("σ (sd of elementary effects)")
        a1.set_xlim(0, lim)
        a1.set_ylim(0, lim)
        y = np.arange(len(shown))[::-1]
        a2.barh(y, shown["mu_star"], color=plots.COLORS[0])
        a2.set_yticks(y)
        a2.set_yticklabels(shown.index)
        a2.set_xlabel("μ*" + (f" (top {len(shown)} of {len(t)})" if len(shown) < len(t) else ""))
        metric = table.attrs.get("metric", "")
        fig.suptitle(title or f"Morris screening{': ' + metric if metric else ''} "
                     f"({table.attrs.get('trajectories', '?')} trajectories)")
        fig.tight_layout()
    if out is not None:
        fig.savefig(out, bbox_inches="tight")
    return fig


def ranking_cli(argv, prog, description, analyse_file, plot, footer=None):
    """The command line shared by the sensitivity modules: SWEEP [--metric M] [-o PLOT]; prints
    the table (and footer(table), if given), writes the plot; 0, or 1 with a message."""
    ap = argparse.ArgumentParser(prog=prog, description=description)
    ap.add_argument("sweep", help="sweep file")
    ap.add_argument("--metric", default="left_out_rate")
    ap.add_argument("-o", "--output", help="write the plot here (PNG or SVG)")
    args = ap.parse_args(argv)
    try:
        tab = analyse_file(args.sweep, args.metric)
    except (OSError, KeyError, ValueError) as e:
        print(f"{prog.split()[-1]}: {e}", file=sys.stderr)
        return 1
    print(tab.to_string(float_format=lambda v: f"{v:.4g}"))
    if footer:
        print(footer(tab))
    if args.output:
        plot(tab, args.output)
        print(f"wrote {args.output}")
    return 0


def main(argv=None):
    return ranking_cli(argv, "python3 -m analysis.morris",
                       "Rank a Morris sweep's parameters by mu* and sigma.", analyse_file, plot)


if __name__ == "__main__":
    sys.exit(main())
