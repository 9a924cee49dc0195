"""Scenarios, replicates and the numbers the report states.

A *scenario* is a set of replicates (members) that share every parameter but the seed:
- a run file is one replicate; run files whose resolved scenarios differ only in `run.seed`
  are grouped into one scenario with several replicates;
- a sweep file holds one scenario per design point (`/members/point`), its replicates being the
  complete members at that point.

Every statistic is computed per replicate (a scalar), then across replicates with a Student t
interval; differences from the baseline are paired by seed when the seeds match (common random
numbers), else compared with Welch's t.
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field

import numpy as np

from . import load, stats

SEED_KEYS = ("run.seed",)
SEED_LINE = re.compile(r"^(\s*seed:\s*)\d+\s*$", re.M)


@dataclass
class Replicate:
    res: load.Result
    member: int            # index along the file's member axis
    seed: int


@dataclass
class Scenario:
    label: str
    replicates: list
    question: str = ""
    params: dict = field(default_factory=dict)     # resolved parameters (of the first replicate)
    settings: dict = field(default_factory=dict)   # varied parameters of a sweep point

    @property
    def n(self):
        return len(self.replicates)

    @property
    def seeds(self):
        return [r.seed for r in self.replicates]

    @property
    def files(self):
        seen = []
        for r in self.replicates:
            if r.res.path not in seen:
                seen.append(r.res.path)
        return seen

    @property
    def first(self):
        return self.replicates[0].res

    def metric(self, name):
        """The metric for every replicate: [replicate, week, ...], all weeks."""
        return np.stack([r.res.metric(name)[r.member] for r in self.replicates])

    @property
    def weeks(self):
        return self.first.weeks

    @property
    def report_weeks(self):
        return self.first.report_weeks


def _signature(res, member=0):
    """What makes two runs the same scenario: the resolved text without its seed."""
    text = res.scenario_text(member) if res.kind == "sweep" else load._str(res.attrs.get("scenario", ""))
    return SEED_LINE.sub(r"\1*", text)


def _common_label(names):
    """'base' for base_s1.h5, base_s2.h5: the stems' common prefix without seed-like tails."""
    stems = [os.path.splitext(n)[0] for n in names]
    pre = os.path.commonprefix(stems)
    short = re.sub(r"([_\-.]?(seed|s|rep|r)?[_\-.]?\d*)$", "", pre, flags=re.I) or pre
    return short or stems[0]


def _point_label(settings):
    return ", ".join(f"{k} = {_fmt_value(v)}" for k, v in settings.items())


def _fmt_value(v):
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def scenarios_from_files(paths, baseline=None):
    """Group files into scenarios (first = baseline). Returns a list of Scenario.

    Run files with the same resolved scenario except the seed become replicates of one
    scenario; each design point of a sweep file becomes a scenario. `baseline`, for a sweep,
    selects the baseline point by 'path=value' pairs separated by commas (default: point 0 of
    the first file).
    """
    results = [p if isinstance(p, load.Result) else load.open_result(p) for p in paths]
    out, by_sig = [], {}
    for res in results:
        if res.kind == "sweep":
            done = res.complete_members
            pts = res.members["point"].to_numpy()
            for pt in sorted(set(pts[done].tolist())):
                idx = [int(i) for i in done if pts[i] == pt]
                settings = {k: res.members[k].iloc[idx[0]] for k in res.varied if k in res.members}
                settings = {k: (v.item() if isinstance(v, np.generic) else v)
                            for k, v in settings.items()}
                reps = [Replicate(res, i, int(res.members["seed"].iloc[i])) for i in idx]
                label = _point_label(settings) or f"{os.path.basename(res.path)} point {pt}"
                out.append(Scenario(label, reps, question=res.question(),
                                    params=dict(res.parameters), settings=settings))
            continue
        sig = _signature(res)
        rep = Replicate(res, 0, int(res.attrs.get("seed", 0)))
        if sig in by_sig:
            by_sig[sig].replicates.append(rep)
            by_sig[sig].label = _common_label([os.path.basename(r.res.path)
                                               for r in by_sig[sig].replicates])
            continue
        sc = Scenario(os.path.splitext(os.path.basename(res.path))[0], [rep],
                      question=res.question(), params=dict(res.parameters))
        by_sig[sig] = sc
        out.append(sc)
    if baseline and out:
        want = dict(kv.split("=", 1) for kv in baseline.split(",") if "=" in kv)
        for i, sc in enumerate(out):
            if sc.settings and all(_fmt_value(sc.settings.get(k.strip())) == v.strip()
                                   or str(sc.settings.get(k.strip())) == v.strip()
                                   for k, v in want.items()):
                out.insert(0, out.pop(i))
                break
        else:
            raise ValueError(f"no design point matches --baseline {baseline!r}")
    _label_differences(out)
    return out


def _label_differences(scens):
    """Describe each run-file scenario by the parameters that differ from the baseline."""
    if not scens:
        return
    base = scens[0].params
    base_tl = timeline_events(scens[0])
    for sc in scens[1:]:
        if sc.settings:
            continue
        diff = parameter_differences(base, sc.params)
        sc.settings = {k: v[1] for k, v in diff.items()}
        tl = timeline_events(sc)
        if tl != base_tl:
            extra = [e for e in tl if e not in base_tl]
            gone = [e for e in base_tl if e not in tl]
            words = [f"from week {w} {k} {v}" for w, k, v in extra]
            words += [f"no change of {k} to {v} at week {w}" for w, k, v in gone]
            sc.settings["timeline"] = "; ".join(words)


def timeline_events(sc):
    """The resolved timeline of a scenario's first replicate: [(week, path, value)]."""
    r = sc.replicates[0]
    text = r.res.scenario_text(r.member) if r.res.kind == "sweep" else \
        load._str(r.res.attrs.get("scenario", ""))
    out, week = [], None
    for ln in load.scenario_timeline(text):
        m = re.match(r"\s*-\s*at:\s*(-?\d+)", ln)
        if m:
            week = int(m.group(1))
            continue
        m = re.match(r"\s+([\w.]+):\s*(\S.*)$", ln)
        if m and week is not None:
            out.append((week, m.group(1), m.group(2).strip()))
    return out


def parameter_differences(base, other):
    """{path: (baseline value, other value)} for parameters that differ (seed ignored)."""
    out = {}
    for k in other:
        if k in SEED_KEYS:
            continue
        a, b = base.get(k), other.get(k)
        if isinstance(a, float) and isinstance(b, float) and math.isclose(a, b, rel_tol=1e-12):
            continue
        if a != b:
            out[k] = (a, b)
    return out


# ---- per-replicate statistics ------------------------------------------------------------

def most_deprived_fifth(res):
    """Indices of the most deprived fifth of neighbourhoods (at least one), by deprivation."""
    dep = res.neighbourhoods["deprivation"].to_numpy()
    k = max(1, int(round(len(dep) / 5.0)))
    return np.sort(np.argsort(-dep, kind="stable")[:k])


def weighted_rate(sc, name, nbhds=None, weeks=None):
    """Per replicate: a neighbourhood metric averaged over reported weeks and the given
    neighbourhoods, weighted by each neighbourhood's population that week (so the result is the
    share of all residents of those neighbourhoods, averaged over weeks)."""
    x = sc.metric(name)
    if x.ndim == 4:                                      # sum a breakdown (e.g. sectors)
        x = x.sum(axis=3)
    pop = sc.metric("population")
    w = sc.report_weeks if weeks is None else weeks
    x, pop = x[:, w], pop[:, w]
    if nbhds is not None:
        x, pop = x[:, :, nbhds], pop[:, :, nbhds]
    den = pop.sum(axis=(1, 2))
    return np.where(den > 0, (x * pop).sum(axis=(1, 2)) / np.where(den > 0, den, 1), np.nan)


def weekly_weighted(sc, name, nbhds=None):
    """Per replicate and week: population-weighted over neighbourhoods: [replicate, week]."""
    x = sc.metric(name)
    pop = sc.metric("population")
    if x.ndim == 4:                                      # sum a breakdown (e.g. sectors)
        x = x.sum(axis=3)
    if nbhds is not None:
        x, pop = x[:, :, nbhds], pop[:, :, nbhds]
    den = pop.sum(axis=2)
    return (x * pop).sum(axis=2) / np.where(den > 0, den, 1)


def breakdown_means(sc, name, weeks=None):
    """Per replicate, mean over reported weeks and over neighbourhoods (each counts equally)
    of a [week, neighbourhood, k] metric: [replicate, k]. The file holds each neighbourhood's
    rate within the group but not the group's size there, so neighbourhoods are not weighted."""
    x = sc.metric(name)
    w = sc.report_weeks if weeks is None else weeks
    return x[:, w].mean(axis=(1, 2))


def by_decile(sc, name):
    """Per replicate, population-weighted rate per deprivation decile: ({decile: [replicate]})."""
    nb = sc.first.neighbourhoods
    out = {}
    for d in sorted(set(nb["decile"].tolist())):
        idx = np.flatnonzero(nb["decile"].to_numpy() == d)
        out[int(d)] = weighted_rate(sc, name, idx)
    return out


def compare(base_values, pol_values, base_seeds, pol_seeds, level=0.95):
    """Difference policy - baseline: paired by seed where seeds are shared, else Welch."""
    bmap = {s: v for s, v in zip(base_seeds, base_values)}
    common = [s for s in pol_seeds if s in bmap]
    if len(common) == len(pol_seeds) and common:
        pmap = {s: v for s, v in zip(pol_seeds, pol_values)}
        b = np.array([bmap[s] for s in common])
        p = np.array([pmap[s] for s in common])
        return stats.paired_diff_ci(p, b, level)
    return stats.welch_diff_ci(pol_values, base_values, level)


# ---- words ---------------------------------------------------------------------------

def one_in(rate):
    """'1 in 23' for a share; 'none' for 0."""
    if rate is None or not np.isfinite(rate):
        return "n/a"
    if rate <= 0:
        return "nobody"
    n = 1.0 / rate
    if n < 1.5:
        return f"{rate:.0%}"
    return f"1 in {n:,.0f}"


def pct(x, digits=1):
    return "n/a" if x is None or not np.isfinite(x) else f"{100 * x:.{digits}f}%"


def pp(x, digits=2, unit=True):
    """Percentage points with a sign ('+0.25 percentage points')."""
    if x is None or not np.isfinite(x):
        return "n/a"
    return f"{100 * x:+.{digits}f}" + (" percentage points" if unit else "")
