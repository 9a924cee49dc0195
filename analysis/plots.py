# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Plots of scenarios (matplotlib; no display needed, and no backend forced on import).

Every function takes a list of `summary.Scenario` (the first is the baseline), draws one figure,
saves it to `out` when given (PNG or SVG by the extension) and returns the Figure. Bands and
error bars are 95% Student t intervals across replicates where there are at least two, and are
left out (said in the title) where there is one.
"""
from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt  # noqa: E402  (no backend forced: notebooks keep theirs)
import numpy as np  # noqa: E402

from . import stats, summary  # noqa: E402

COLORS = ["#1b6ca8", "#d1495b", "#2e933c", "#edae49", "#6a4c93", "#00798c", "#8d6a9f",
          "#5c5c5c"]
# Sized for a projector: figures are 9.5 inches wide, saved at 96 dpi (912 px) and shown at most
# about 990 px wide, so 14 pt text is about 18 px at 1280 px wide and 14 px at 800.
STYLE = {"font.size": 15, "axes.titlesize": 16, "axes.labelsize": 15, "legend.fontsize": 14,
         "xtick.labelsize": 14, "ytick.labelsize": 14, "figure.titlesize": 16,
         "axes.spines.top": False, "axes.spines.right": False, "figure.dpi": 96}
WIDTH = 9.5
MAX_PANELS = 6
MAX_BARS = 4      # scenarios side by side in a bar chart


def _color(i):
    return COLORS[i % len(COLORS)]


def _save(fig, out):
    if out is not None:
        fig.savefig(out, bbox_inches="tight")
    return fig


def _ci_rows(values):
    """values [replicate, ...] -> mean, lo, hi arrays (lo/hi nan with one replicate)."""
    v = np.asarray(values, float)
    m = v.mean(axis=0)
    n = v.shape[0]
    if n < 2:
        nan = np.full_like(m, np.nan)
        return m, nan, nan
    q = stats.t_ppf(0.975, n - 1)
    se = v.std(axis=0, ddof=1) / np.sqrt(n)
    return m, np.maximum(m - q * se, 0.0), m + q * se     # rates: never below 0


def _reps_note(scens, what="bands"):
    ns = sorted({sc.n for sc in scens})
    if ns == [1]:
        return "one run each: no confidence interval"
    return f"{what}: 95% CI over {'/'.join(map(str, ns))} runs"


def words(label):
    """A label for people: no underscores."""
    return str(label).replace("_", " ")


def _legend_below(ax, fig, n):
    """The legend under the axes, in as many columns as fit, so it covers no data."""
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False,
              ncol=max(1, min(n, 2)))


def _events(ax, scens):
    """Dotted lines at the area-wide timeline events of every scenario (after the burn-in)."""
    done = set()
    for sc in scens:
        ev = sc.first.events
        if ev is None or not len(ev) or "kind_name" not in ev:
            continue
        for _, e in ev.iterrows():
            if e["kind_name"] not in ("crisis_start", "parameter_change", "crisis_end") \
                    or int(e["neighbourhood"]) >= 0 or e["week"] <= 0:
                continue                   # a change from the first week holds for the whole plot
            name = e.get("parameter", "") or e["kind_name"]
            if e["kind_name"] == "parameter_change":
                name = _event_words(name, e["value"], sc.params.get(name))
            elif e["kind_name"] == "crisis_end":
                name = f"end {name.split('.')[-1]}"
            else:
                name = name.split(".")[-1]
            key = (int(e["week"]), name)
            if key in done:
                continue
            done.add(key)
            ax.axvline(e["week"], color="#999999", lw=0.8, ls=":", zorder=0)
            ax.annotate(words(name), (e["week"], 1.0), xycoords=("data", "axes fraction"),
                        rotation=90, va="top", ha="right", fontsize=12, color="#555555")


def _event_words(path, value, base):
    """A timeline change in words ('housing advice budget 80%') from `params --levers`."""
    try:
        from . import engine
        lt = engine.levers().get(path)
    except Exception:                               # no program: the path will do
        lt = None
    if lt is None:
        return path if isinstance(base, str) else f"{path} = {value:g}"
    if lt["scale"] == "percent-of-baseline":
        return f"{lt['text']} {value:.0%}"
    if lt["scale"] == "switch":
        return f"{lt['text']} {'on' if value else 'off'}"
    if lt["scale"] == "choice":
        k = int(value)
        return lt["choices"][k] if 0 <= k < len(lt["choices"]) else lt["text"]
    return f"{lt['text']} {value:g}"


def timeseries(scens, metric="left_out_rate", nbhds=None, out=None, ylabel=None, title=None,
               percent=True):
    """Weekly population-weighted metric per scenario, mean over replicates with a 95% band."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH, 5.2))
        for i, sc in enumerate(scens):
            v = summary.weekly_weighted(sc, metric, nbhds)
            wk = sc.weeks
            keep = sc.report_weeks
            m, lo, hi = _ci_rows(v[:, keep])
            k = 100.0 if percent else 1.0
            ax.plot(wk[keep], k * m, color=_color(i), lw=2.2, label=f"{words(sc.label)} ({sc.n} run{'s' if sc.n != 1 else ''})")
            if sc.n >= 2:
                ax.fill_between(wk[keep], k * lo, k * hi, color=_color(i), alpha=0.2, lw=0)
        _events(ax, scens)
        ax.set_xlabel("week (after the burn-in)")
        ax.set_ylabel(ylabel or (f"{metric} (%)" if percent else metric))
        ax.set_title((title or f"{words(metric)}, population-weighted over neighbourhoods")
                     + f"\n({_reps_note(scens, 'shaded bands')})", loc="left")
        _legend_below(ax, fig, len(scens))
        ax.set_ylim(bottom=0)
        fig.tight_layout()
    return _save(fig, out)


def _bars(ax, cats, series, labels, percent=True):
    """Horizontal grouped bars: series is a list of [replicate, k] per scenario; the first
    category at the top; 95% CI lines where there are two or more runs."""
    n = len(series)
    height = 0.8 / max(n, 1)
    y = np.arange(len(cats))[::-1]
    k = 100.0 if percent else 1.0
    for i, (vals, lab) in enumerate(zip(series, labels)):
        m, lo, hi = _ci_rows(vals)
        err = None
        if np.all(np.isfinite(lo)):
            err = np.vstack([k * (m - lo), k * (hi - m)])
        ax.barh(y - (i - (n - 1) / 2) * height, k * m, height, xerr=err, color=_color(i),
                label=words(lab), capsize=3, error_kw={"lw": 1.2})
    ax.set_yticks(y)
    ax.set_yticklabels([words(c) for c in cats])
    ax.set_xlim(left=0)


def breakdown(scens, name, dim, dim_words, what="left out", out=None):
    """One breakdown (income fifth, age band, identity) as horizontal bars per scenario: each
    group's share over the whole area, from the file's counts (summary.breakdown_means)."""
    res = scens[0].first
    cats = res.labels.get(dim, [])
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH, 1.1 + 0.55 * len(cats) * max(1, len(scens) / 2)
                                        + 0.45 * len(scens)))
        series = [summary.breakdown_means(sc, name) for sc in scens]
        _bars(ax, cats, series, [sc.label for sc in scens])
        ax.set_xlabel(f"% of the group {what}")
        ax.set_title(f"Residents {what}, by {dim_words} ({_reps_note(scens, 'lines')})",
                     loc="left")
        _legend_below(ax, fig, len(scens))
        fig.tight_layout()
    return _save(fig, out)


def by_decile(scens, metric="left_out_rate", out=None):
    """A metric by deprivation decile (summary.by_decile: from counts), bars per scenario."""
    with plt.rc_context(STYLE):
        dec = [summary.by_decile(sc, metric) for sc in scens]
        cats = list(dec[0].keys())
        fig, ax = plt.subplots(figsize=(WIDTH, 1.1 + 0.5 * len(cats) * max(1, len(scens) / 2)
                                        + 0.45 * len(scens)))
        series = [np.stack([d[c] for c in cats], axis=1) for d in dec]
        _bars(ax, [f"decile {c}" + (" (most deprived)" if c == 10 else "") for c in cats],
              series, [sc.label for sc in scens])
        ax.set_xlabel("% of residents left out")
        ax.set_title(f"Left out, by neighbourhood deprivation decile ({_reps_note(scens, 'lines')})",
                     loc="left")
        _legend_below(ax, fig, len(scens))
        fig.tight_layout()
    return _save(fig, out)


def breakdowns(scens, prefix="left_out", out=None):
    """Left-out (prefix 'left_out') or any-need (prefix 'need_rate') rate by income fifth
    (kept for scripts; the report draws one breakdown per figure)."""
    name = "area_left_out_by_quintile" if prefix == "left_out" else "area_need_by_quintile"
    return breakdown(scens[:MAX_BARS], name, "quintile", "income fifth",
                     "left out" if prefix == "left_out" else "with a need", out)


def unmet_need(scens, out=None):
    """Unmet need by sector (area, population-weighted), bars per scenario."""
    scens = scens[:MAX_BARS]
    res = scens[0].first
    labels = [sc.label for sc in scens]
    with plt.rc_context(STYLE):
        cats = res.labels.get("sector", [])
        fig, ax = plt.subplots(figsize=(WIDTH, 1.1 + 0.55 * len(cats) * max(1, len(scens) / 2)
                                        + 0.45 * len(scens)))
        series = []
        for sc in scens:
            x = sc.metric("unmet_need_rate")[:, sc.report_weeks].astype(float)   # [r, w, n, s]
            pop = sc.metric("population")[:, sc.report_weeks][..., None].astype(float)
            series.append(((x * pop).sum(axis=2) / pop.sum(axis=2)).mean(axis=1))
        _bars(ax, cats, series, labels)
        ax.set_xlabel("% of residents with an unmet need this week")
        ax.set_title(f"Unmet need, by kind of need ({_reps_note(scens, 'lines')})", loc="left")
        _legend_below(ax, fig, len(scens))
        fig.tight_layout()
    return _save(fig, out)


def difference(rows, title="Policy minus baseline", out=None):
    """rows: [(group label, stats.Interval)] from `commonweal compare`: the difference in
    percentage points with its 95% CI as a line (a hollow marker where there is none)."""
    with plt.rc_context(STYLE):
        names = [r[0] for r in rows]
        fig, ax = plt.subplots(figsize=(WIDTH, 0.48 * max(len(names), 3) + 1.8))
        y = np.arange(len(names))[::-1]
        m = np.array([100 * r[1].mean for r in rows])
        lo = np.array([100 * r[1].lo for r in rows])
        hi = np.array([100 * r[1].hi for r in rows])
        has = np.isfinite(lo)
        if has.any():
            ax.errorbar(m[has], y[has], xerr=[m[has] - lo[has], hi[has] - m[has]], fmt="o",
                        color=_color(1), capsize=4, ms=8, lw=2)
        if (~has).any():
            ax.plot(m[~has], y[~has], "D", color=_color(1), mfc="white", ms=8)
        ax.axvline(0, color="black", lw=1)
        ax.set_yticks(y)
        ax.set_yticklabels([words(n) for n in names])
        ax.set_xlabel("difference in % of residents left out (percentage points)")
        ax.set_title(("lines: 95% CI over paired runs" if has.any()
                      else "one pair of runs: no confidence interval"), loc="left", fontsize=14)
        fig.tight_layout()
    return _save(fig, out)


def heatmap(scens, metric="unmet_need_rate", out=None):
    """Neighbourhood (sorted by deprivation, most deprived at the top) x week, one panel per
    scenario, mean over replicates; a sector breakdown is summed (needs per 100 residents)."""
    scens = scens[:3]
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(len(scens), 1, figsize=(WIDTH, 1.2 + 3.0 * len(scens)),
                                 squeeze=False)
        data = []
        for sc in scens:
            x = sc.metric(metric)
            if x.ndim == 4:
                x = x.sum(axis=3)
            data.append(100 * x.mean(axis=0)[sc.report_weeks])     # [week, nbhd]
        vmax = max(float(np.nanmax(d)) for d in data) or 1.0
        for ax, sc, d in zip(axes[:, 0], scens, data):
            order = np.argsort(sc.first.neighbourhoods["deprivation"].to_numpy())[::-1]
            wk = sc.weeks[sc.report_weeks]
            im = ax.imshow(d[:, order].T, aspect="auto", interpolation="nearest", cmap="magma_r",
                           vmin=0, vmax=vmax, extent=(wk[0] - 0.5, wk[-1] + 0.5, len(order), 0))
            ax.set_title(f"{words(sc.label)} ({sc.n} run{'s' if sc.n != 1 else ''})", loc="left")
            ax.set_ylabel("neighbourhoods\n(most deprived\nat the top)")
            names = sc.first.neighbourhoods.get("name")
            if names is not None and len(order) <= 12:
                ax.set_yticks(np.arange(len(order)) + 0.5)
                ax.set_yticklabels([names.iloc[j] for j in order], fontsize=12)
            else:
                ax.set_yticks([])
            fig.colorbar(im, ax=ax, label="unmet needs\nper 100 residents" if metric ==
                         "unmet_need_rate" else metric)
        axes[-1, 0].set_xlabel("week")
        fig.tight_layout()
    return _save(fig, out)


def help_by_route(scens, out=None):
    """Hours of help per resident per week by route (family and friends, groups, services):
    one bar per scenario, stacked by route, mean over reported weeks and runs."""
    scens = scens[:MAX_PANELS]
    res = scens[0].first
    routes = res.labels.get("route", ["informal", "group", "service"])
    names = {"informal": "family, friends and neighbours", "group": "community groups",
             "service": "public services"}
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH, 1.8 + 0.7 * len(scens)))
        y = np.arange(len(scens))[::-1]
        left = np.zeros(len(scens))
        vals = []
        for sc in scens:
            x = sc.metric("help_hours_by_route")[:, sc.report_weeks].astype(float)  # [r, w, n, route]
            pop = sc.metric("population")[:, sc.report_weeks][..., None].astype(float)
            vals.append(((x * pop).sum(axis=2) / pop.sum(axis=2)).mean(axis=(0, 1)))
        vals = np.array(vals)
        for j, rname in enumerate(routes):
            ax.barh(y, vals[:, j], 0.6, left=left, color=_color(j),
                    label=names.get(rname, words(rname)))
            left += vals[:, j]
        ax.set_yticks(y)
        ax.set_yticklabels([words(sc.label) for sc in scens])
        ax.set_xlabel("hours of help per resident per week")
        ax.set_title("Help received, by who gives it (mean over reported weeks and runs)",
                     loc="left")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), frameon=False, ncol=2)
        fig.tight_layout()
    return _save(fig, out)


def groups_alive(scens, out=None):
    """Community groups alive over the whole area, by kind, mean over reported weeks: bars per
    scenario (one panel)."""
    scens = scens[:MAX_BARS]
    res = scens[0].first
    kinds = res.labels.get("group_kind", [])
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH, 1.1 + 0.55 * len(kinds) * max(1, len(scens) / 2)
                                        + 0.45 * len(scens)))
        series = [sc.metric("groups_alive").sum(axis=2)[:, sc.report_weeks].mean(axis=1)
                  for sc in scens]
        _bars(ax, kinds, series, [sc.label for sc in scens], percent=False)
        ax.set_xlabel("community groups alive in the whole area")
        ax.set_title(f"Community groups, by kind ({_reps_note(scens, 'lines')})", loc="left")
        _legend_below(ax, fig, len(scens))
        fig.tight_layout()
    return _save(fig, out)
