# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Model against the calibration targets C1-C5 (../shared/design/CALIBRATION.md).

    /usr/bin/python3 -m analysis.calibration RUN.h5 [--json]

reads a run of scenarios/baseline.yaml (or any run file) and prints, for each
target, the model's figure over the weeks after burn-in, the published
figure, the tolerance and whether the model is inside it. A missed target is
printed as missed, with the figure. Exit status 0 whatever the verdicts (the
table is a report, not a test); 2 for a file that is not a run file.

Definitions (docs/OUTPUT.md has the metrics). Every figure is a share of the
residents it is about over the whole area (or the fifth), from the file's
counts: numerators and denominators summed over neighbourhoods, never a mean
of neighbourhood rates.
  C1  formal_volunteering_rate: gave >= 1 hour to a group in the last 4 weeks
      (formal_volunteering_count_by_quintile over residents_by_quintile).
  C2  volunteering_year_rate (>= 1 hour in the last 52 weeks) in the 20% most
      and the 20% least deprived neighbourhoods (by deprivation rank,
      residents weighted); the ratio least / most deprived.
  C3  area_civic_core_share: share of the year's volunteer hours given by
      the most active 31% of the adult population (all residents, not only
      volunteers: Mohan & Bulloch 2012's definition), over the whole area.
  C4  trust_services_share and trust_groups_share (trust >= 0.5, the survey
      answer 'trust'); services must sit >= 15 points below groups.
  C5  care_unmet_65_rate: residents aged 65+ with a social-care need that
      was not relieved that week (no help, or help that took too little off
      it), over all residents aged 65+ (Age UK's framing): each
      neighbourhood's rate weighted by its residents aged 65+
      (residents_by_age_band).
"""
import argparse
import json
import sys

import h5py
import numpy as np

TARGETS = [
    # id, pattern, target text, low, high, source
    ("C1", "formal volunteering at least monthly, all adults", "23%", 0.18, 0.28,
     "Community Life Survey 2019/20 (England)"),
    ("C2", "volunteering in last 12 months, least / most deprived fifth (ratio)", "33% vs 16% (2.1)", 1.6, 2.6,
     "Scottish Household Survey 2019"),
    ("C3", "civic core: share of hours from the most active 31% of adults", "87%", 0.75, 0.95,
     "Mohan & Bulloch 2012, TSRC WP 73"),
    ("C4", "trust in local services vs community groups (gap, points)", "42% vs 68% (26)", 15.0, 100.0,
     "ONS Trust in Government 2022; LGIU/Ipsos 2024"),
    ("C5", "people aged 65+ with unmet need for everyday care", "14%", 0.10, 0.18, "Age UK 2018"),
]


def _post(f):
    week = f["week"][()]
    return week >= 0


def _weighted(f, name, post, cols=None, weight=None):
    """A neighbourhood rate over residents as the area's (cols: a subset of neighbourhoods):
    each week sum(rate x residents) / sum(residents), i.e. the summed counts over the summed
    residents, then the mean over the weeks after burn-in. weight: the rate's own
    denominator per [week, neighbourhood] when it is not all residents."""
    v = f[name][post].astype(float)
    pop = (f["population"][post] if weight is None else weight[post]).astype(float)
    if cols is not None:
        v, pop = v[:, cols], pop[:, cols]
    den = pop.sum(1)
    return float(((v * pop).sum(1) / np.where(den > 0, den, 1)).mean())


def _area_share(f, count, post):
    """count_by_quintile summed over neighbourhoods and quintiles over the residents so
    summed, each week after burn-in, then the mean over the weeks."""
    num = f[count][post].astype(float).sum(axis=(1, 2))
    den = f["residents_by_quintile"][post].astype(float).sum(axis=(1, 2))
    return float((num / np.where(den > 0, den, 1)).mean())


def _over65(f):
    """Residents aged 65+ per [week, neighbourhood], from residents_by_age_band."""
    names = [n.decode() if isinstance(n, bytes) else str(n) for n in f["age_band_name"][()]]
    bands = [k for k, n in enumerate(names) if int(n.rstrip("+").split("-")[0]) >= 65]
    return f["residents_by_age_band"][()][:, :, bands].sum(axis=2)


def measure(path):
    """The model's figures for C1-C5 in a run file, as a dict."""
    with h5py.File(path, "r") as f:
        if "week" not in f or "population" not in f:
            raise ValueError(f"{path}: not a Commonweal run file (no week/population datasets)")
        if "residents_by_quintile" not in f:
            raise ValueError(f"{path}: written before the files held each group's residents "
                             "(residents_by_quintile): run it again")
        post = _post(f)
        if not post.any():
            raise ValueError(f"{path}: no weeks after burn-in")
        dep = f["neighbourhoods/deprivation"][()]
        order = np.argsort(dep, kind="stable")
        fifth = max(1, len(dep) // 5)
        least, most = np.sort(order[:fifth]), np.sort(order[-fifth:])
        vy_least = _weighted(f, "volunteering_year_rate", post, least)
        vy_most = _weighted(f, "volunteering_year_rate", post, most)
        trust_s = _weighted(f, "trust_services_share", post)
        trust_g = _weighted(f, "trust_groups_share", post)
        out = {
            "C1": {"model": _area_share(f, "formal_volunteering_count_by_quintile", post)},
            "C2": {"model": vy_least / vy_most if vy_most > 0 else float("inf"),
                   "least_deprived": vy_least, "most_deprived": vy_most},
            "C3": {"model": float(f["area_civic_core_share"][post].mean())},
            "C4": {"model": 100.0 * (trust_g - trust_s), "services": trust_s, "groups": trust_g},
            "C5": {"model": _weighted(f, "care_unmet_65_rate", post, weight=_over65(f))},
            "weeks": int(post.sum()),
            "neighbourhoods": int(len(dep)),
        }
    for tid, _, _, lo, hi, _ in TARGETS:
        out[tid]["inside"] = bool(lo <= out[tid]["model"] <= hi)
    return out


def _model_text(tid, m):
    if tid == "C2":
        return f"{m['least_deprived']:.0%} vs {m['most_deprived']:.0%} ({m['model']:.2f})"
    if tid == "C4":
        return f"{m['services']:.0%} vs {m['groups']:.0%} ({m['model']:.0f})"
    return f"{m['model']:.1%}"


def _tolerance_text(tid, lo, hi):
    if tid == "C2":
        return f"ratio {lo}-{hi}"
    if tid == "C4":
        return f"gap >= {lo:.0f} points"
    return f"{lo:.0%}-{hi:.0%}"


def table(res):
    """The Markdown table README.md shows."""
    rows = ["| # | pattern | model | target | tolerance | verdict | source |",
            "|---|---|---|---|---|---|---|"]
    for tid, pattern, target, lo, hi, source in TARGETS:
        m = res[tid]
        verdict = "inside" if m["inside"] else "**missed**"
        rows.append(f"| {tid} | {pattern} | {_model_text(tid, m)} | {target} | {_tolerance_text(tid, lo, hi)} "
                    f"| {verdict} | {source} |")
    return "\n".join(rows)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m analysis.calibration", description=__doc__.split("\n\n")[0])
    ap.add_argument("run", help="a run file, e.g. of scenarios/baseline.yaml")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    a = ap.parse_args(argv)
    try:
        res = measure(a.run)
    except (OSError, KeyError, ValueError) as e:
        print(f"calibration: {e}", file=sys.stderr)
        return 2
    if a.json:
        print(json.dumps(res, indent=2))
    else:
        print(f"{a.run}: {res['neighbourhoods']} neighbourhoods, {res['weeks']} weeks after burn-in")
        print(table(res))
        missed = [t[0] for t in TARGETS if not res[t[0]]["inside"]]
        print(f"{5 - len(missed)} of 5 targets inside tolerance" + (f"; missed: {', '.join(missed)}" if missed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
