# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Is the baseline stationary? Year 1 against the last year of a run with no lever.

Every policy difference is read against the baseline, so with no lever the baseline must not
drift (issue 16, item 1): for every headline metric the mean of the last reported year is within
+-5% (relative) of the first reported year's mean, or within +-0.3 percentage points for rates
under 6%, averaged over seeds (members of a sweep, or several run files).

Headline metrics: groups alive by kind (summed over neighbourhoods); trust in services and in
groups; formal volunteering; informal help; lonely; isolated; left out overall and per
deprivation fifth (fifth 1 = deciles 1-2, least deprived; 5 = deciles 9-10); unmet need per
sector. Neighbourhood metrics are weighted by each neighbourhood's population that week.

    /usr/bin/python3 -m analysis.drift seeds.h5              # a sweep: replicates = seeds
    /usr/bin/python3 -m analysis.drift s1.h5 s2.h5 s3.h5     # or several run files
    /usr/bin/python3 -m analysis.drift seeds.h5 --burn-in-scan   # where a longer burn-in would start

Exit status 1 when a metric drifts beyond its tolerance.
"""
from __future__ import annotations

import argparse
import sys

import numpy as np

from . import load

WEEKS_PER_YEAR = 52
REL_TOL = 0.05         # relative, issue 16 item 1
ABS_TOL = 0.003        # 0.3 percentage points, for rates under SMALL_RATE
SMALL_RATE = 0.06

RATES = ("trust_services_share", "trust_groups_share", "formal_volunteering_rate",
         "informal_help_rate", "lonely_rate", "isolated_rate", "left_out_rate")


def population_weighted(res, name, cols=None):
    """[member, week(, k)]: a [member, week, neighbourhood(, k)] metric of res (anything with
    .metric(name), e.g. a load.Result) weighted by each neighbourhood's population that week
    over the neighbourhoods (cols: a subset)."""
    x = res.metric(name)
    pop = res.metric("population")
    if cols is not None:
        x, pop = x[:, :, cols], pop[:, :, cols]
    if x.ndim == 4:
        num = (x * pop[..., None]).sum(axis=2)
        den = pop.sum(axis=2)[..., None]
    else:
        num, den = (x * pop).sum(axis=2), pop.sum(axis=2)
    return num / np.where(den > 0, den, 1)


def series(res):
    """{label: [member, week]} for every headline metric, over all weeks."""
    out = {}
    alive = res.metric("groups_alive").sum(axis=2)            # [member, week, kind]
    kinds = res.labels.get("group_kind") or [str(k) for k in range(alive.shape[2])]
    for k, name in enumerate(kinds):
        if alive[:, ~res.burn_in, k].max() > 0:
            out[f"groups_alive[{name}]"] = alive[:, :, k]
    for name in RATES:
        out[name] = population_weighted(res, name)
    decile = res.neighbourhoods["decile"].to_numpy()
    fifth = (decile + 1) // 2
    for q in range(1, 6):
        cols = np.flatnonzero(fifth == q)
        if len(cols):
            out[f"left_out_rate[fifth {q}]"] = population_weighted(res, "left_out_rate", cols)
    unmet = population_weighted(res, "unmet_need_rate")
    sectors = res.labels.get("sector") or [str(s) for s in range(unmet.shape[2])]
    for s, name in enumerate(sectors):
        out[f"unmet_need_rate[{name}]"] = unmet[:, :, s]
    return out


def tolerance(first):
    """The allowed |last - first| for a metric whose first-year mean is `first`."""
    if first < SMALL_RATE and first <= 1.0:
        return max(ABS_TOL, REL_TOL * abs(first))
    return REL_TOL * abs(first)


def _rate_like(label):
    return not label.startswith("groups_alive")


def table(results, start_week=0, span_years=None):
    """Rows (label, first-year mean, last-year mean, change, tolerance, ok), means over seeds.
    start_week: the first reported week counted as year 1 (a longer burn-in, for the scan);
    span_years: year 1 against year span_years (default: the last whole reported year)."""
    rows = []
    per = [series(r) for r in results]
    weeks = results[0].weeks
    last_start = (weeks.max() + 1 - WEEKS_PER_YEAR if span_years is None
                  else start_week + (span_years - 1) * WEEKS_PER_YEAR)
    for label in per[0]:
        first_w = (weeks >= start_week) & (weeks < start_week + WEEKS_PER_YEAR)
        last_w = (weeks >= last_start) & (weeks < last_start + WEEKS_PER_YEAR)
        if last_w.sum() < WEEKS_PER_YEAR:
            raise ValueError(f"the run has no whole reported year starting at week {last_start}")
        if first_w.sum() < WEEKS_PER_YEAR or (first_w & last_w).any():
            raise ValueError("the run needs at least two whole reported years after the start week")
        firsts = np.concatenate([p[label][:, first_w].mean(axis=1) for p in per])
        lasts = np.concatenate([p[label][:, last_w].mean(axis=1) for p in per])
        a, b = float(firsts.mean()), float(lasts.mean())
        tol = tolerance(a) if _rate_like(label) else REL_TOL * abs(a)
        rows.append((label, a, b, b - a, tol, abs(b - a) <= tol))
    return rows


def burn_in_scan(results, span_years=10):
    """For each candidate extra burn-in of y whole years (counted from the first reported week),
    how many metrics drift beyond tolerance between year 1 and year span_years after it: the
    burn-in to choose is the first y with none (a run of y + span_years reported years is needed)."""
    weeks = results[0].weeks
    years = int((weeks.max() + 1) // WEEKS_PER_YEAR)
    out = []
    for y in range(0, years - span_years + 1):
        rows = table(results, start_week=y * WEEKS_PER_YEAR, span_years=span_years)
        out.append((y, sum(not r[5] for r in rows), [r[0] for r in rows if not r[5]]))
    return out


def _fmt(label, v):
    return f"{v:,.1f}" if label.startswith("groups_alive") else f"{v:.2%}"


def render(rows, n_seeds):
    lines = [f"Baseline drift: first vs last reported year, mean over {n_seeds} seed(s)",
             "| metric | year 1 | last year | change | tolerance | verdict |", "|---|---|---|---|---|---|"]
    for label, a, b, d, tol, ok in rows:
        lines.append(f"| {label} | {_fmt(label, a)} | {_fmt(label, b)} | {d:+.4f} | {tol:.4f} | "
                     f"{'stationary' if ok else 'DRIFTS'} |")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m analysis.drift", description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+", help="run files or one sweep file (members = seeds)")
    ap.add_argument("--burn-in-scan", action="store_true",
                    help="also print, per extra year of burn-in, how many metrics would still drift over "
                         "--span years (run the seeds with run.weeks >= 52 * (span + extra years))")
    ap.add_argument("--span", type=int, default=10, help="years compared in the scan (default 10)")
    a = ap.parse_args(argv)
    try:
        results = [load.open_result(p) for p in a.files]
    except (OSError, ValueError, KeyError) as e:
        print(f"analysis.drift: {e}", file=sys.stderr)
        return 2
    n = sum(len(r.complete_members) for r in results)
    rows = table(results)
    print(render(rows, n))
    if a.burn_in_scan:
        for y, bad, labels in burn_in_scan(results, a.span):
            print(f"extra burn-in {y} year(s): {bad} metric(s) drift" + (f" ({', '.join(labels)})" if bad else ""))
    return 0 if all(r[5] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
