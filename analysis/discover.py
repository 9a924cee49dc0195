# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Scenario discovery: the boxes of inputs under which an outcome is bad, with PRIM.

PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999, "Bump hunting in
high-dimensional data", Statistics and Computing 9: 123-143), as scenario discovery uses it
(Bryant & Lempert 2010; the `prim` of the EMA Workbench, Kwakkel 2017), written with numpy and
pandas. The runs of interest are those where the outcome exceeds a threshold (or falls below
it). A box is a set of limits [lo, hi] on some inputs. For a box:

- **density**: the share of the runs inside it that are of interest;
- **coverage**: the share of all runs of interest that lie inside it;
- **mass**: the share of all runs inside it.

**Peeling.** From the box holding every run, each step considers, for every input, cutting off
the `alpha` (default 0.05) quantile of the runs still in the box at its low end or at its high
end, and makes the cut that raises the density most per run removed (Friedman & Fisher's
criterion, EMA's "original" objective). It stops when no cut raises the density or the next box
would hold under `mass_min` (default 5%) of the runs. The boxes so made are the **peeling
trajectory**: coverage falls and density rises along it, and which box to take is a trade-off.

**Choice and pasting.** By default the box taken is the one of highest coverage whose density is
at least `min_density` (default 0.8; the densest if none is). It is then **pasted**: each limit
may move outwards to take in about `alpha` x (runs in the box) more runs, while that does not
lower the density, until no limit can move. Finally a limit is kept only if it is significant:
its quasi-p-value (EMA Workbench; Bryant & Lempert 2010), the binomial probability of the box's
count of runs of interest were the runs drawn from the box without that limit, is at most
`max_p` (0.05); the least significant limit is dropped first, one at a time.

**More boxes.** With `boxes` > 1 the runs in a box are set aside and the search starts again on
the others (the covering approach); a later box's coverage is of all runs of interest.

    d = discover(X, y, threshold=0.06)              # X: DataFrame of inputs, y: outcome per run
    d.boxes[0].limits, d.boxes[0].coverage, d.boxes[0].density
    d.trajectory                                    # the peeling trajectory (DataFrame)
    words(d)                                        # one sentence per box
    d = discover_file("lhs.h5", "left_out_rate", 0.06, fifth=True)

    /usr/bin/python3 -m analysis.discover lhs.h5 --metric left_out_rate --fifth --threshold 0.06
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import load

METRIC_WORDS = {"left_out_rate": "left out", "lonely_rate": "loneliness",
                "isolated_rate": "isolation", "unmet_need_rate": "unmet need",
                "care_unmet_65_rate": "unmet social care at 65+",
                "wellbeing_mean": "mean wellbeing"}


@dataclass
class Box:
    """A box: lo and hi per input (all inputs; unrestricted ones at the data's range)."""
    lo: pd.Series
    hi: pd.Series
    restricted: list                  # inputs whose limits cut the data's range, in input order
    n: int                            # runs inside (of those searched)
    n_interest: int                   # runs of interest inside
    coverage: float
    density: float
    mass: float
    lo_cut: dict = field(default_factory=dict)     # input -> lower limit, where it cuts the range
    hi_cut: dict = field(default_factory=dict)     # input -> upper limit, where it cuts the range
    p_values: dict = field(default_factory=dict)   # restricted input -> quasi-p-value
    dropped: list = field(default_factory=list)    # limits dropped as not significant

    @property
    def limits(self):
        """The restricted inputs' limits: DataFrame [input] -> lo, hi, p_value (None where a
        side is not restricted)."""
        rows = []
        for name in self.restricted:
            rows.append({"input": name, "lo": self.lo_cut.get(name), "hi": self.hi_cut.get(name),
                         "p_value": self.p_values.get(name, np.nan)})
        return pd.DataFrame(rows, columns=["input", "lo", "hi", "p_value"]).set_index("input")


@dataclass
class Discovery:
    boxes: list
    trajectory: pd.DataFrame          # the first box's peeling trajectory
    threshold: float
    above: bool
    n: int
    n_interest: int
    metric: str = ""
    label: str = ""                   # the outcome in words, e.g. "left out in the most deprived fifth"
    percent: bool = False             # say the threshold as a percentage


# ---- the box arithmetic ------------------------------------------------------------------

def _inside(X, lo, hi):
    return np.all((X >= lo) & (X <= hi), axis=1)


def _stats(X, y, lo, hi, total_interest, n_total):
    ins = _inside(X, lo, hi)
    n = int(ins.sum())
    k = int(y[ins].sum())
    return ins, n, k, (k / total_interest if total_interest else np.nan), \
        (k / n if n else np.nan), n / n_total


def _peel_step(X, y, ins, lo, hi, alpha):
    """The best peel of the box (lo, hi) holding runs ins: (new lo, new hi, new ins) or None."""
    yb = y[ins]
    n_old, mean_old = int(ins.sum()), float(yb.mean())
    best, best_obj = None, -np.inf
    for j in range(X.shape[1]):
        xj = X[ins, j]
        for side in (0, 1):
            q = np.quantile(xj, alpha if side == 0 else 1 - alpha, method="linear")
            keep = xj >= q if side == 0 else xj <= q
            n_new = int(keep.sum())
            if n_new == n_old or n_new == 0:
                # ties: cut at the next value instead
                vals = np.unique(xj)
                if len(vals) < 2:
                    continue
                q = vals[1] if side == 0 else vals[-2]
                keep = xj >= q if side == 0 else xj <= q
                n_new = int(keep.sum())
                if n_new == n_old or n_new == 0:
                    continue
            obj = (float(yb[keep].mean()) - mean_old) / (n_old - n_new)
            if obj > best_obj:
                best_obj, best = obj, (j, side, q, keep)
    if best is None:
        return None
    j, side, q, keep = best
    lo, hi = lo.copy(), hi.copy()
    if side == 0:
        lo[j] = q
    else:
        hi[j] = q
    new_ins = ins.copy()
    new_ins[np.flatnonzero(ins)[~keep]] = False
    return lo, hi, new_ins


def peel(X, y, alpha=0.05, mass_min=0.05, lo=None, hi=None):
    """The peeling trajectory from the box (lo, hi) (default: the data's range): a list of
    (lo, hi) arrays, the first the starting box."""
    X = np.asarray(X, float)
    y = np.asarray(y, bool)
    lo = X.min(axis=0) if lo is None else np.asarray(lo, float)
    hi = X.max(axis=0) if hi is None else np.asarray(hi, float)
    ins = _inside(X, lo, hi)
    n_all = len(y)
    out = [(lo, hi)]
    while True:
        step = _peel_step(X, y, ins, lo, hi, alpha)
        if step is None:
            break
        lo2, hi2, ins2 = step
        if ins2.sum() / n_all < mass_min or not y[ins2].mean() > y[ins].mean():
            break
        lo, hi, ins = lo2, hi2, ins2
        out.append((lo, hi))
    return out


def paste(X, y, lo, hi, lo0, hi0, alpha=0.05):
    """Move the box's limits outwards (towards lo0, hi0) while the density does not fall:
    each step takes the best of the moves that each add about alpha x (runs in box) runs."""
    X = np.asarray(X, float)
    y = np.asarray(y, bool)
    lo, hi = np.array(lo, float), np.array(hi, float)
    while True:
        ins = _inside(X, lo, hi)
        n_old, mean_old = int(ins.sum()), float(y[ins].mean()) if ins.any() else 0.0
        n_add = max(1, int(round(alpha * n_old)))
        best, best_mean = None, -np.inf
        for j in range(X.shape[1]):
            others = np.ones(len(y), bool)
            for q in range(X.shape[1]):
                if q != j:
                    others &= (X[:, q] >= lo[q]) & (X[:, q] <= hi[q])
            for side in (0, 1):
                if side == 0:
                    cand = np.sort(X[others & (X[:, j] < lo[j]), j])[::-1]
                else:
                    cand = np.sort(X[others & (X[:, j] > hi[j]), j])
                if not len(cand):
                    continue
                v = cand[min(n_add, len(cand)) - 1]
                l2, h2 = lo.copy(), hi.copy()
                if side == 0:
                    l2[j] = lo0[j] if n_add >= len(cand) else v
                else:
                    h2[j] = hi0[j] if n_add >= len(cand) else v
                ins2 = _inside(X, l2, h2)
                m2 = float(y[ins2].mean())
                if m2 >= mean_old and m2 > best_mean:
                    best_mean, best = m2, (l2, h2)
        if best is None:
            return lo, hi
        lo, hi = best


def quasi_p(X, y, lo, hi, lo0, hi0):
    """Quasi-p-value of each restricted input's limits (EMA Workbench): P(Binomial(n_box, p) >=
    k_box), p the density of the box with that input's limits removed. {input index: p}."""
    from scipy.stats import binom
    ins = _inside(X, lo, hi)
    n_box, k_box = int(ins.sum()), int(y[ins].sum())
    out = {}
    for j in range(X.shape[1]):
        if lo[j] <= lo0[j] and hi[j] >= hi0[j]:
            continue
        l2, h2 = lo.copy(), hi.copy()
        l2[j], h2[j] = lo0[j], hi0[j]
        ins2 = _inside(X, l2, h2)
        p = float(y[ins2].mean())
        out[j] = float(binom.sf(k_box - 1, n_box, p))
    return out


# ---- the search ------------------------------------------------------------------------

def _trajectory_frame(X, y, traj, names, total_interest, n_total):
    rows = []
    lo0, hi0 = traj[0]
    for i, (lo, hi) in enumerate(traj):
        _, n, k, cov, dens, mass = _stats(X, y, lo, hi, total_interest, n_total)
        restricted = [names[j] for j in range(len(names)) if lo[j] > lo0[j] or hi[j] < hi0[j]]
        rows.append({"step": i, "coverage": cov, "density": dens, "mass": mass, "n": n,
                     "n_interest": k, "restricted": len(restricted),
                     "inputs": ", ".join(restricted)})
    return pd.DataFrame(rows).set_index("step")


def _choose(tab, min_density):
    """The step of highest coverage with density >= min_density (of those, the densest); the
    densest step if none reaches min_density."""
    ok = tab[tab["density"] >= min_density]
    if len(ok):
        return int(ok.sort_values(["coverage", "density"], ascending=False, kind="mergesort").index[0])
    return int(tab["density"].idxmax())


def find_box(X, y, names, alpha=0.05, paste_alpha=0.05, mass_min=0.05, min_density=0.8, max_p=0.05,
             step=None, total_interest=None, n_total=None, lo0=None, hi0=None):
    """One PRIM box on the runs (X, y): (Box, trajectory DataFrame)."""
    X = np.asarray(X, float)
    y = np.asarray(y, bool)
    total_interest = int(y.sum()) if total_interest is None else total_interest
    n_total = len(y) if n_total is None else n_total
    lo0 = X.min(axis=0) if lo0 is None else lo0
    hi0 = X.max(axis=0) if hi0 is None else hi0
    traj = peel(X, y, alpha, mass_min * n_total / len(y), lo0, hi0)
    tab = _trajectory_frame(X, y, traj, names, total_interest, n_total)
    i = _choose(tab, min_density) if step is None else int(step)
    lo, hi = paste(X, y, *traj[i], lo0, hi0, paste_alpha)
    dropped = []
    while True:
        qp = quasi_p(X, y, lo, hi, lo0, hi0)
        if not qp:
            break
        j = max(qp, key=qp.get)
        if qp[j] <= max_p:
            break
        dropped.append(names[j])
        lo[j], hi[j] = lo0[j], hi0[j]
    _, n, k, _, dens, _ = _stats(X, y, lo, hi, total_interest, len(y))
    restricted = [j for j in range(len(names)) if lo[j] > lo0[j] or hi[j] < hi0[j]]
    box = Box(lo=pd.Series(lo, index=names), hi=pd.Series(hi, index=names),
              restricted=[names[j] for j in restricted], n=n, n_interest=k,
              coverage=k / total_interest if total_interest else np.nan, density=dens,
              mass=n / n_total, lo_cut={names[j]: float(lo[j]) for j in restricted if lo[j] > lo0[j]},
              hi_cut={names[j]: float(hi[j]) for j in restricted if hi[j] < hi0[j]},
              p_values={names[j]: p for j, p in qp.items()}, dropped=dropped)
    tab.attrs["chosen"] = i
    return box, tab


def discover(X, y, threshold, above=True, names=None, boxes=1, alpha=0.05, paste_alpha=0.05,
             mass_min=0.05, min_density=0.8, max_p=0.05, step=None, metric="", label="",
             percent=None):
    """PRIM boxes where y > threshold (above) or y < threshold: a Discovery.

    X: DataFrame (columns: inputs) or array [runs, inputs] with names; y: the outcome per run
    (runs with a non-finite y or input are left out). step: take this step of the first box's
    peeling trajectory instead of the default choice."""
    if isinstance(X, pd.DataFrame):
        names = list(X.columns) if names is None else list(names)
        X = X.to_numpy(dtype=float)
    X = np.asarray(X, float)
    names = list(names) if names is not None else [f"x{j + 1}" for j in range(X.shape[1])]
    y = np.asarray(y, float)
    ok = np.isfinite(y) & np.all(np.isfinite(X), axis=1)
    X, y = X[ok], y[ok]
    interest = y > threshold if above else y < threshold
    total = int(interest.sum())
    if total == 0:
        raise ValueError(f"no run has the outcome {'above' if above else 'below'} {threshold:g} "
                         f"(range {y.min():.4g} to {y.max():.4g})")
    if total == len(y):
        raise ValueError(f"every run has the outcome {'above' if above else 'below'} {threshold:g}")
    lo0, hi0 = X.min(axis=0), X.max(axis=0)
    found, traj0 = [], None
    keep = np.ones(len(y), bool)
    for b in range(boxes):
        if not interest[keep].any():
            break
        box, tab = find_box(X[keep], interest[keep], names, alpha, paste_alpha, mass_min, min_density,
                            max_p, step if b == 0 else None, total, len(y), lo0, hi0)
        if b > 0 and box.density < min_density:
            break
        found.append(box)
        traj0 = tab if traj0 is None else traj0
        inside = np.zeros(len(y), bool)
        inside[np.flatnonzero(keep)] = _inside(X[keep], box.lo.to_numpy(), box.hi.to_numpy())
        keep &= ~inside
        if not box.restricted:
            break
    if percent is None:
        percent = metric.endswith(("_rate", "_share")) or bool(np.all((y >= 0) & (y <= 1)) and 0 < threshold < 1)
    return Discovery(boxes=found, trajectory=traj0, threshold=float(threshold), above=above, n=len(y),
                     n_interest=total, metric=metric, label=label or METRIC_WORDS.get(metric, metric or "the outcome"),
                     percent=bool(percent))


# ---- in words ------------------------------------------------------------------------------

def _num(v):
    return f"{v:.3g}"


def _pct(v):
    return f"{100 * v:.0f}%"


def box_words(box, d, labels=None):
    """One sentence for a box of a Discovery d."""
    labels = labels or {}
    parts = []
    for name in box.restricted:
        what = labels.get(name, name)
        lo, hi = box.lo_cut.get(name), box.hi_cut.get(name)
        if lo is not None and hi is not None:
            parts.append(f"{what} is between {_num(lo)} and {_num(hi)}")
        elif hi is not None:
            parts.append(f"{what} is below {_num(hi)}")
        else:
            parts.append(f"{what} is above {_num(lo)}")
    t = f"{100 * d.threshold:.3g}%" if d.percent else _num(d.threshold)
    verb = "exceeds" if d.above else "is below"
    if not parts:
        return (f"no limit on the inputs is significant (quasi-p <= 0.05): {d.label} {verb} {t} in "
                f"{_pct(box.density)} of the {box.n} runs left to search, wherever they lie.")
    if len(parts) == 1:
        cond = "when " + parts[0]
    else:
        cond = "when " + ", ".join(parts[:-1]) + " and " + parts[-1]
    return (f"{cond}, {d.label} {verb} {t} in {_pct(box.density)} of runs (density), covering "
            f"{_pct(box.coverage)} of such runs (coverage; {box.n} of {d.n} runs are in the box).")


def words(d, labels=None):
    """The boxes of a Discovery in words: a list of sentences, the first capitalised ("When
    ... exceeds 6% in 83% of runs (density), covering 71% of such runs (coverage; ...)."). For the
    report: `[html.escape(s) for s in discover.words(discover.discover_file(path, metric, t,
    fifth=True))]`. labels: input path -> words (default the path)."""
    out = []
    for box in d.boxes:
        s = box_words(box, d, labels)
        out.append(s[0].upper() + s[1:])
    if not out:
        out.append(f"No box found: {d.label} {'exceeds' if d.above else 'is below'} the threshold in "
                   f"{d.n_interest} of {d.n} runs.")
    return out


# ---- from a sweep file --------------------------------------------------------------------

def member_values(res, metric="left_out_rate", neighbourhoods=None):
    """One number per member: the metric over the reported weeks, population-weighted over the
    given neighbourhoods (default all; breakdowns summed); area metrics: the mean over weeks."""
    x = res.metric(metric)[:, res.report_weeks]
    dims = res.metric_dims(metric)
    if "neighbourhood" in dims:
        pop = res.metric("population")[:, res.report_weeks]
        while x.ndim > 3:
            x = x.sum(axis=-1)
        if neighbourhoods is not None:
            x, pop = x[:, :, neighbourhoods], pop[:, :, neighbourhoods]
        return (x * pop).sum(axis=(1, 2)) / pop.sum(axis=(1, 2))
    if neighbourhoods is not None:
        raise ValueError(f"{metric} is an area metric: it has no neighbourhoods to choose")
    while x.ndim > 2:
        x = x.sum(axis=-1)
    return x.mean(axis=1)


def sweep_runs(res, metric="left_out_rate", fifth=False):
    """(X DataFrame [point, varied], y [point], label) from a sweep: one row per design point
    with a complete member (replicates averaged); choices as their index."""
    from .summary import deprived_fifth
    m = res.members
    names = list(res.varied)
    if not names:
        raise ValueError(f"{res.path}: the sweep varies nothing")
    cols = [n + ".index" if n + ".index" in m else n for n in names]
    vals = m[cols].to_numpy(dtype=float)
    nb, label = None, METRIC_WORDS.get(metric, metric)
    if fifth:
        k, nb = deprived_fifth(res)
        label += " in the most deprived fifth" if k == 5 else \
            f" in the most deprived neighbourhoods here (deciles {2 * k - 1}-{2 * k})"
    y_member = member_values(res, metric, nb)
    done = np.zeros(len(m), bool)
    done[res.complete_members] = True
    points = m["point"].to_numpy()
    X, y = [], []
    for pt in sorted(set(points.tolist())):
        rows = np.flatnonzero((points == pt) & done)
        if len(rows):
            X.append(vals[rows[0]])
            y.append(float(np.mean(y_member[rows])))
    return pd.DataFrame(np.array(X).reshape(-1, len(names)), columns=names), np.array(y), label


def discover_file(res_or_path, metric="left_out_rate", threshold=None, fifth=False, above=True, **kw):
    """discover() on a sweep file's design points (sweep_runs). threshold default: the outcome's
    upper (above) or lower quartile over the points."""
    res = res_or_path if isinstance(res_or_path, load.Result) else load.open_result(res_or_path)
    X, y, label = sweep_runs(res, metric, fifth)
    if threshold is None:
        threshold = float(np.nanquantile(y, 0.75 if above else 0.25))
    unit = res.metric_attrs(metric).get("units", "")
    kw.setdefault("percent", metric.endswith(("_rate", "_share")) or unit == "1" and 0 < threshold < 1)
    return discover(X, y, threshold, above, metric=metric, label=label, **kw)


# ---- output ------------------------------------------------------------------------------------

def table(d):
    """The boxes as a DataFrame: one row per (box, restricted input)."""
    rows = []
    for i, b in enumerate(d.boxes, 1):
        for name, r in b.limits.iterrows():
            rows.append({"box": i, "input": name, "lo": r["lo"], "hi": r["hi"], "p_value": r["p_value"],
                         "coverage": b.coverage, "density": b.density, "mass": b.mass, "n": b.n})
    return pd.DataFrame(rows, columns=["box", "input", "lo", "hi", "p_value", "coverage", "density",
                                       "mass", "n"])


def plot(d, out=None, title=None):
    """The peeling trajectory: density against coverage, the chosen step marked."""
    from . import plots
    plt = plots.plt
    tab = d.trajectory
    with plt.rc_context(plots.STYLE):
        fig, ax = plt.subplots(figsize=(6.5, 4.5))
        sc = ax.scatter(tab["coverage"], tab["density"], c=tab["restricted"], cmap="viridis", s=18)
        fig.colorbar(sc, ax=ax, label="inputs restricted")
        i = tab.attrs.get("chosen")
        if i is not None:
            ax.scatter([tab.loc[i, "coverage"]], [tab.loc[i, "density"]], s=90, facecolors="none",
                       edgecolors="#c0392b", label="box taken (before pasting)")
        if d.boxes:
            ax.scatter([d.boxes[0].coverage], [d.boxes[0].density], marker="*", s=120, color="#c0392b",
                       label="box 1 (pasted, significant limits)")
        ax.set_xlabel("coverage")
        ax.set_ylabel("density")
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.02)
        ax.legend(loc="lower left", fontsize=8)
        ax.set_title(title or f"PRIM peeling trajectory: {d.label}")
        fig.tight_layout()
    if out is not None:
        fig.savefig(out, bbox_inches="tight")
    return fig


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m analysis.discover",
                                 description="Scenario discovery (PRIM): the boxes of a sweep's varied "
                                             "inputs where an outcome exceeds (or falls below) a threshold.")
    ap.add_argument("sweep", help="sweep file (e.g. an LHS over cuts, crises and levers)")
    ap.add_argument("--metric", default="left_out_rate")
    ap.add_argument("--fifth", action="store_true",
                    help="the metric in the most deprived fifth of neighbourhoods (deciles 9-10)")
    ap.add_argument("--threshold", type=float,
                    help="runs of interest: outcome above this (default: its upper quartile)")
    ap.add_argument("--below", action="store_true", help="runs of interest: outcome below the threshold")
    ap.add_argument("--alpha", type=float, default=0.05, help="peeling and pasting quantile (0.05)")
    ap.add_argument("--mass-min", type=float, default=0.05, help="smallest box, share of runs (0.05)")
    ap.add_argument("--min-density", type=float, default=0.8,
                    help="take the box of highest coverage with at least this density (0.8)")
    ap.add_argument("--step", type=int, help="take this step of the peeling trajectory instead")
    ap.add_argument("--boxes", type=int, default=1, help="boxes to find (covering; default 1)")
    ap.add_argument("-o", "--output", help="write the trajectory plot here (PNG or SVG)")
    args = ap.parse_args(argv)
    try:
        d = discover_file(args.sweep, args.metric, args.threshold, args.fifth, not args.below,
                          boxes=args.boxes, alpha=args.alpha, paste_alpha=args.alpha,
                          mass_min=args.mass_min, min_density=args.min_density, step=args.step)
    except (OSError, KeyError, ValueError) as e:
        print(f"discover: {e}", file=sys.stderr)
        return 1
    print(f"{d.n_interest} of {d.n} runs have {d.label} {'above' if d.above else 'below'} "
          f"{d.threshold:.4g}.\n\nPeeling trajectory (box 1):")
    print(d.trajectory.to_string(float_format=lambda v: f"{v:.3f}"))
    print("\nBoxes:")
    tab = table(d)
    print(tab.to_string(index=False, float_format=lambda v: f"{v:.4g}") if len(tab) else "(none)")
    for b in d.boxes:
        if b.dropped:
            print(f"(limits dropped as not significant, quasi-p > 0.05: {', '.join(b.dropped)})")
    print()
    for s in words(d):
        print(s)
    if args.output:
        plot(d, args.output)
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
