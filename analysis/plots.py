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
STYLE = {"font.size": 11, "axes.titlesize": 12, "axes.labelsize": 11, "legend.fontsize": 9,
         "axes.spines.top": False, "axes.spines.right": False, "figure.dpi": 100}
MAX_PANELS = 6


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
    return m, m - q * se, m + q * se


def _reps_note(scens):
    ns = sorted({sc.n for sc in scens})
    if ns == [1]:
        return "one run each: no confidence band"
    return f"bands: 95% CI over {'/'.join(map(str, ns))} replicates"


def _events(ax, scens):
    """Dotted lines at the area-wide timeline events of every scenario (after the burn-in)."""
    done = set()
    for sc in scens:
        ev = sc.first.events
        if ev is None or not len(ev) or "kind_name" not in ev:
            continue
        for _, e in ev.iterrows():
            if e["kind_name"] not in ("crisis_start", "parameter_change", "crisis_end") \
                    or int(e["neighbourhood"]) >= 0 or e["week"] < 0:
                continue
            name = e.get("parameter", "") or e["kind_name"]
            if e["kind_name"] == "parameter_change":
                if not isinstance(sc.params.get(name), str):      # enums: the index says little
                    name = f"{name} = {e['value']:g}"
            elif e["kind_name"] == "crisis_end":
                name = f"end {name.split('.')[-1]}"
            else:
                name = name.split(".")[-1]
            key = (int(e["week"]), name)
            if key in done:
                continue
            done.add(key)
            ax.axvline(e["week"], color="#999999", lw=0.8, ls=":", zorder=0)
            ax.annotate(name, (e["week"], 1.0), xycoords=("data", "axes fraction"),
                        rotation=90, va="top", ha="right", fontsize=7, color="#666666")


def timeseries(scens, metric="left_out_rate", nbhds=None, out=None, ylabel=None, title=None,
               percent=True):
    """Weekly population-weighted metric per scenario, mean over replicates with a 95% band."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(9, 4.2))
        for i, sc in enumerate(scens):
            v = summary.weekly_weighted(sc, metric, nbhds)
            wk = sc.weeks
            keep = sc.report_weeks
            m, lo, hi = _ci_rows(v[:, keep])
            k = 100.0 if percent else 1.0
            ax.plot(wk[keep], k * m, color=_color(i), lw=1.8, label=f"{sc.label} (n={sc.n})")
            if sc.n >= 2:
                ax.fill_between(wk[keep], k * lo, k * hi, color=_color(i), alpha=0.2, lw=0)
        _events(ax, scens)
        ax.set_xlabel("week (after the burn-in)")
        ax.set_ylabel(ylabel or (f"{metric} (%)" if percent else metric))
        ax.set_title((title or f"{metric}, population-weighted over neighbourhoods")
                     + f"\n({_reps_note(scens)})")
        ax.legend(loc="best", frameon=False)
        ax.set_ylim(bottom=0)
        fig.tight_layout()
    return _save(fig, out)


def _grouped_bars(ax, cats, series, labels, percent=True):
    """series: list of [replicate, k] per scenario."""
    n = len(series)
    width = 0.8 / max(n, 1)
    x = np.arange(len(cats))
    k = 100.0 if percent else 1.0
    for i, (vals, lab) in enumerate(zip(series, labels)):
        m, lo, hi = _ci_rows(vals)
        err = None
        if np.all(np.isfinite(lo)):
            err = np.vstack([k * (m - lo), k * (hi - m)])
        ax.bar(x + (i - (n - 1) / 2) * width, k * m, width, yerr=err, color=_color(i),
               label=lab, capsize=2, error_kw={"lw": 0.8})
    ax.set_xticks(x)
    ax.set_xticklabels(cats, rotation=0 if len(cats) <= 5 else 45,
                       ha="center" if len(cats) <= 5 else "right")


def breakdowns(scens, prefix="left_out", out=None):
    """Left-out (prefix 'left_out') or any-need (prefix 'need_rate') rate by income quintile,
    identity, age band and deprivation decile: four panels, bars per scenario."""
    scens = scens[:MAX_PANELS]
    res = scens[0].first
    overall = "left_out_rate" if prefix == "left_out" else None
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(2, 2, figsize=(11, 7.5))
        labels = [sc.label for sc in scens]
        for ax, dim in zip(axes.flat[:3], ("quintile", "identity", "age_band")):
            name = f"{prefix}_by_{dim}"
            if name not in res.metric_names:
                ax.set_visible(False)
                continue
            series = [summary.breakdown_means(sc, name) for sc in scens]
            cats = [c.replace(" (lowest income)", "\n(lowest)").replace(" (highest income)",
                                                                       "\n(highest)")
                    for c in res.labels.get(dim, [])]
            _grouped_bars(ax, cats, series, labels)
            ax.set_title(f"by {dim.replace('_', ' ')} (mean over neighbourhoods)")
            ax.set_ylabel("%")
        ax = axes.flat[3]
        metric = overall or "need_rate"
        dec = [summary.by_decile(sc, metric) for sc in scens]
        cats = list(dec[0].keys())
        series = [np.stack([d[c] for c in cats], axis=1) for d in dec]
        _grouped_bars(ax, [str(c) for c in cats], series, labels)
        ax.set_title("by deprivation decile (10 = most deprived; population-weighted)"
                     if overall else "needs per 100 residents (six sectors added), by decile")
        ax.set_xlabel("deprivation decile")
        ax.set_ylabel("%" if overall else "per 100 residents")
        axes.flat[0].legend(frameon=False)
        what = "Left out (need ≥ threshold, no help for weeks)" if prefix == "left_out" \
            else "Residents with a need"
        fig.suptitle(f"{what}: share of residents, reported weeks ({_reps_note(scens)})")
        fig.tight_layout()
    return _save(fig, out)


def unmet_need(scens, out=None):
    """Unmet need: by sector (area, population-weighted) and by deprivation decile (all sectors
    summed: unmet needs per 100 residents)."""
    scens = scens[:MAX_PANELS]
    res = scens[0].first
    labels = [sc.label for sc in scens]
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
        series = []
        for sc in scens:
            x = sc.metric("unmet_need_rate")[:, sc.report_weeks]          # [r, w, n, s]
            pop = sc.metric("population")[:, sc.report_weeks][..., None]
            series.append((x * pop).sum(axis=(1, 2)) / pop.sum(axis=(1, 2)))
        _grouped_bars(axes[0], res.labels.get("sector", []), series, labels)
        axes[0].set_title("share of residents with an unmet need, by sector")
        axes[0].set_ylabel("%")
        series = []
        for sc in scens:
            x = sc.metric("unmet_need_rate").sum(axis=3)[:, sc.report_weeks]
            pop = sc.metric("population")[:, sc.report_weeks]
            nb = sc.first.neighbourhoods
            cats = sorted(set(nb["decile"].tolist()))
            cols = []
            for d in cats:
                idx = np.flatnonzero(nb["decile"].to_numpy() == d)
                cols.append((x[:, :, idx] * pop[:, :, idx]).sum(axis=(1, 2))
                            / pop[:, :, idx].sum(axis=(1, 2)))
            series.append(np.stack(cols, axis=1))
        _grouped_bars(axes[1], [str(c) for c in cats], series, labels)
        axes[1].set_title("unmet needs per 100 residents (all sectors), by decile")
        axes[1].set_xlabel("deprivation decile (10 = most deprived)")
        axes[1].set_ylabel("per 100 residents")
        axes[0].legend(frameon=False)
        fig.suptitle(f"Unmet need this week, mean over reported weeks ({_reps_note(scens)})")
        fig.tight_layout()
    return _save(fig, out)


def difference_rows(base, pol, metric="left_out_rate"):
    """The comparisons the difference plot shows: [(group label, Interval)]."""
    rows = []
    seeds_b, seeds_p = base.seeds, pol.seeds
    res = base.first

    def add(label, b, p):
        rows.append((label, summary.compare(b, p, seeds_b, seeds_p)))

    add("all residents", summary.weighted_rate(base, metric), summary.weighted_rate(pol, metric))
    fifth = summary.most_deprived_fifth(res)
    add("most deprived fifth", summary.weighted_rate(base, metric, fifth),
        summary.weighted_rate(pol, metric, fifth))
    db, dp = summary.by_decile(base, metric), summary.by_decile(pol, metric)
    for d in db:
        add(f"decile {d}", db[d], dp[d])
    for dim in ("quintile", "identity", "age_band"):
        name = f"left_out_by_{dim}" if metric == "left_out_rate" else None
        if not name or name not in res.metric_names:
            continue
        b, p = summary.breakdown_means(base, name), summary.breakdown_means(pol, name)
        for j, lab in enumerate(res.labels.get(dim, [])):
            add(f"{dim.replace('_', ' ')} {lab}", b[:, j], p[:, j])
    if metric == "left_out_rate" and "left_out_newcomer_rate" in res.metric_names:
        add("newcomers", summary.breakdown_means(base, "left_out_newcomer_rate"),
            summary.breakdown_means(pol, "left_out_newcomer_rate"))
    return rows


def difference(scens, metric="left_out_rate", out=None):
    """Policy minus baseline, per group, with 95% CIs (paired by seed), one marker per policy."""
    base, pols = scens[0], scens[1:MAX_PANELS + 1]
    with plt.rc_context(STYLE):
        allrows = [difference_rows(base, p, metric) for p in pols]
        names = [r[0] for r in allrows[0]] if allrows else []
        fig, ax = plt.subplots(figsize=(9, 0.32 * max(len(names), 4) + 1.6))
        y = np.arange(len(names))[::-1]
        for i, (pol, rows) in enumerate(zip(pols, allrows)):
            off = (i - (len(pols) - 1) / 2) * 0.18
            m = np.array([100 * r[1].mean for r in rows])
            lo = np.array([100 * r[1].lo for r in rows])
            hi = np.array([100 * r[1].hi for r in rows])
            has = np.isfinite(lo)
            ax.errorbar(m[has], y[has] + off, xerr=[m[has] - lo[has], hi[has] - m[has]],
                        fmt="o", color=_color(i + 1), capsize=3, ms=5,
                        label=f"{pol.label} − {base.label}")
            if (~has).any():
                ax.plot(m[~has], y[~has] + off, "D", color=_color(i + 1), mfc="white", ms=5,
                        label=None if has.any() else f"{pol.label} − {base.label} (no CI)")
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(y)
        ax.set_yticklabels(names)
        ax.set_xlabel(f"difference in {metric} (percentage points)")
        kind = {r[1].method for rows in allrows for r in rows}
        ax.set_title("Policy minus baseline, 95% CI "
                     f"({', '.join(sorted(kind))}; quintile/identity/age/newcomer rows are "
                     "neighbourhood means)", fontsize=10)
        ax.legend(frameon=False, loc="best")
        fig.tight_layout()
    return _save(fig, out)


def heatmap(scens, metric="unmet_need_rate", out=None):
    """Neighbourhood (sorted by deprivation, most deprived at the top) x week, one panel per
    scenario, mean over replicates; a sector breakdown is summed (needs per 100 residents)."""
    scens = scens[:MAX_PANELS]
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(len(scens), 1, figsize=(10, 2.2 + 2.4 * len(scens)),
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
            ax.set_title(f"{sc.label} (n={sc.n})")
            ax.set_ylabel("neighbourhood\n(most deprived at top)")
            names = sc.first.neighbourhoods.get("name")
            if names is not None and len(order) <= 12:
                ax.set_yticks(np.arange(len(order)) + 0.5)
                ax.set_yticklabels([names.iloc[j] for j in order], fontsize=8)
            fig.colorbar(im, ax=ax, label="unmet needs\nper 100 residents" if metric ==
                         "unmet_need_rate" else metric)
        axes[-1, 0].set_xlabel("week")
        fig.tight_layout()
    return _save(fig, out)


def help_by_route(scens, out=None):
    """Hours of help per resident per week by route (informal, group, service), stacked."""
    scens = scens[:MAX_PANELS]
    res = scens[0].first
    routes = res.labels.get("route", ["informal", "group", "service"])
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, len(scens), figsize=(4.2 * len(scens) + 1, 4), squeeze=False,
                                 sharey=True)
        for ax, sc in zip(axes[0], scens):
            x = sc.metric("help_hours_by_route")                       # [r, w, n, route]
            pop = sc.metric("population")[..., None]
            v = ((x * pop).sum(axis=2) / pop.sum(axis=2)).mean(axis=0)[sc.report_weeks]
            wk = sc.weeks[sc.report_weeks]
            ax.stackplot(wk, v.T, labels=routes, colors=[_color(i) for i in range(len(routes))],
                         alpha=0.85)
            ax.set_title(f"{sc.label} (n={sc.n})")
            ax.set_xlabel("week")
        axes[0, 0].set_ylabel("hours of help per resident per week")
        axes[0, 0].legend(loc="upper left", frameon=False)
        fig.suptitle("Help received, by route (mean over replicates)")
        fig.tight_layout()
    return _save(fig, out)


def groups_alive(scens, out=None):
    """Community groups alive over the area, by kind, one panel per scenario."""
    scens = scens[:MAX_PANELS]
    res = scens[0].first
    kinds = res.labels.get("group_kind", [])
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, len(scens), figsize=(4.2 * len(scens) + 2, 4), squeeze=False,
                                 sharey=True)
        for ax, sc in zip(axes[0], scens):
            x = sc.metric("groups_alive").sum(axis=2)                   # [r, w, kind]
            m, lo, hi = _ci_rows(x)
            wk = sc.weeks
            for j, kname in enumerate(kinds):
                ax.plot(wk, m[:, j], color=_color(j), lw=1.5, label=kname.replace("_", " "))
                if sc.n >= 2:
                    ax.fill_between(wk, lo[:, j], hi[:, j], color=_color(j), alpha=0.15, lw=0)
            if sc.first.burn_in.any():
                ax.axvspan(wk[0], 0, color="#eeeeee", zorder=0, lw=0)
            ax.set_title(f"{sc.label} (n={sc.n})")
            ax.set_xlabel("week (grey: burn-in)")
        axes[0, 0].set_ylabel("groups alive (whole area)")
        axes[0, -1].legend(loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
        fig.suptitle(f"Community groups alive, by kind ({_reps_note(scens)})")
        fig.tight_layout()
    return _save(fig, out)
