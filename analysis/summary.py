# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Scenarios, replicates and the numbers the report states.

A *scenario* is a set of replicates (members) that share every parameter but the seed:
- a run file is one replicate; run files whose resolved scenarios differ only in `run.seed`
  are grouped into one scenario with several replicates;
- a sweep file holds one scenario per design point (`/members/point`), its replicates being the
  complete members at that point.

Every level is computed per replicate (a scalar), then across replicates with a Student t
interval (scipy). Differences from the baseline are not computed here: they come from
`commonweal compare` (analysis/engine.py), which pairs members by seed (common random numbers).
"""
from __future__ import annotations

import math
import os
import re
import warnings
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
    timeline_changes: tuple = ((), ())             # timeline events (week, path, value) added, removed

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
            sc.timeline_changes = (extra, gone)
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

def deprived_fifth(res):
    """The most deprived fifth present, as `commonweal compare --by fifth` groups
    neighbourhoods (fifth k holds deprivation deciles 2k-1 and 2k; fifth 5 is deciles 9-10):
    (k, indices of its neighbourhoods)."""
    dec = res.neighbourhoods["decile"].to_numpy().astype(int)
    fifth = (dec - 1) // 2 + 1
    k = int(fifth.max())
    return k, np.flatnonzero(fifth == k)


def most_deprived_fifth(res):
    """Indices of the neighbourhoods in the most deprived fifth present (deprived_fifth)."""
    return deprived_fifth(res)[1]


def fifth_words(res):
    """What the report calls its most deprived group, in words."""
    k, idx = deprived_fifth(res)
    n = len(res.neighbourhoods)
    if k == 5:
        return (f"the most deprived fifth of neighbourhoods (deprivation deciles 9 and 10: "
                f"{len(idx)} of {n} neighbourhoods)")
    return (f"the most deprived neighbourhoods here (deprivation deciles {2 * k - 1} and {2 * k}: "
            f"{len(idx)} of {n}; none is in deciles 9 and 10)")


def weighted_rate(sc, name, nbhds=None, weeks=None):
    """Per replicate: a neighbourhood metric weighted by each neighbourhood's population that
    week over the given neighbourhoods, then averaged over the reported weeks - what
    `commonweal compare` computes, in the same order."""
    x = sc.metric(name).astype(np.float64)
    if x.ndim == 4:                                      # sum a breakdown (e.g. sectors)
        x = x.sum(axis=3)
    pop = sc.metric("population").astype(np.float64)
    w = sc.report_weeks if weeks is None else weeks
    x, pop = x[:, w], pop[:, w]
    if nbhds is not None:
        x, pop = x[:, :, nbhds], pop[:, :, nbhds]
    num, den = (x * pop).sum(axis=2), pop.sum(axis=2)
    weekly = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    return np.nanmean(weekly, axis=1)


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


GROUP_DIMS = ("quintile", "identity", "age_band", "decile", "fifth")
N_SECTORS = 6
_GROUPED = re.compile(r"(\w+?)_by_(quintile|identity|age_band|decile|fifth)(_sector)?")


def area_breakdown_name(name):
    """The file's weighted area breakdown for a breakdown name: `left_out_by_quintile`,
    `need_rate_by_quintile` or `area_left_out_by_quintile` -> `area_left_out_by_quintile`
    (area_STEM_by_DIM, STEM the metric without `_rate`, as `commonweal compare --by` resolves it)."""
    if name.startswith("area_"):
        return name
    m = _GROUPED.fullmatch(name)
    if not m:
        raise ValueError(f"{name!r} is not a breakdown by {', '.join(GROUP_DIMS)}")
    stem = m.group(1)[:-5] if m.group(1).endswith("_rate") else m.group(1)
    return f"area_{stem}_by_{m.group(2)}{m.group(3) or ''}"


def breakdown_means(sc, name, weeks=None):
    """Per replicate, a breakdown by group over the reported weeks: [replicate, k]. Each week's
    figure is the group's over the whole area, from the file's counts (area_*_by_*: the group's
    residents with the outcome summed over neighbourhoods over the group's residents summed
    over neighbourhoods), then the mean over the weeks in which the group has residents - what
    `commonweal compare --by` computes. `name`: see area_breakdown_name."""
    area = area_breakdown_name(name)
    if area not in sc.first.metric_names:
        raise KeyError(f"{sc.first.path}: no {area} (a file written before the weighted "
                       f"breakdowns: run it again)")
    dim = _GROUPED.fullmatch(area[len("area_"):]).group(2)
    w = sc.report_weeks if weeks is None else weeks
    x = sc.metric(area)[:, w].astype(np.float64)                       # [replicate, week, k]
    res = sc.metric(f"area_residents_by_{dim}")[:, w]
    if area.endswith("_sector"):
        res = np.repeat(res, N_SECTORS, axis=2)
    x = np.where(res > 0, x, np.nan)
    with warnings.catch_warnings():                               # a group never present: NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(x, axis=1)


def by_decile(sc, name):
    """Per replicate, the rate per deprivation decile present ({decile: [replicate]}): the
    file's area breakdown by decile (from counts) where it has one, else the neighbourhood
    metric weighted by each neighbourhood's residents."""
    nb = sc.first.neighbourhoods
    present = sorted(set(int(d) for d in nb["decile"].tolist()))
    stem = name[:-5] if name.endswith("_rate") else name
    area = f"area_{stem}_by_decile"
    if area in sc.first.metric_names:
        means = breakdown_means(sc, area)
        return {d: means[:, d - 1] for d in present}
    out = {}
    for d in present:
        idx = np.flatnonzero(nb["decile"].to_numpy() == d)
        out[d] = weighted_rate(sc, name, idx)
    return out


# ---- words ---------------------------------------------------------------------------

def _finite(x):
    return x is not None and np.isfinite(x)


def one_in(rate):
    """'1 in 9' for a share, rounded as people say it; 'nobody' for 0."""
    if not _finite(rate):
        return "n/a"
    if rate <= 0:
        return "nobody"
    n = 1.0 / rate
    if n < 1.5:
        return f"{rate:.0%}"
    if n < 20:
        return f"1 in {n:.0f}"
    digits = 2 if n < 1000 else 3
    n = float(f"{n:.{digits}g}")
    return f"1 in {n:,.0f}"


def _digits(x, sig=2):
    """Decimals that give `sig` significant digits to x (at least 0, at most 3)."""
    if x == 0 or not np.isfinite(x):
        return 1
    return int(min(3, max(0, sig - 1 - np.floor(np.log10(abs(x))))))


def pct(x, digits=None):
    """A share as a percentage with sensible digits ('1.8%', '12%', '0.35%')."""
    if not _finite(x):
        return "n/a"
    v = 100 * x
    d = _digits(v) if digits is None else digits
    if digits is None and d > 0 and abs(float(f"{v:.{d}f}")) >= 10 ** (2 - d):
        d -= 1                                    # 0.9997 -> "1.0", not "1.00"
    out = f"{v:.{d}f}"
    return ("0" if float(out) == 0 else out) + "%"


def pp(x, digits=None, unit=True, ref=None):
    """Percentage points with a sign ('+0.25 percentage points'); never '-0.00'. digits
    default: two significant digits of ref (or of x)."""
    if not _finite(x):
        return "n/a"
    v = 100 * x
    d = _digits(100 * ref if _finite(ref) and ref else v) if digits is None else digits
    out = f"{v:+.{d}f}"
    if float(out) == 0:
        out = f"{0:.{d}f}"
    out = out.replace("-", "−")
    return out + (" percentage points" if unit else "")


def value_words(path, value, levers, base_value=None):
    """A lever's value in words: 'the housing advice budget cut by 20%', 'patient core
    funding targeted by need', 'a time bank in every neighbourhood'. Unknown paths keep the
    path and value."""
    lt = levers.get(path)
    if lt is None:
        return f"{path} = {_fmt_value(value)}"
    text, scale = lt["text"], lt["scale"]
    if scale == "switch":
        on = value in (True, 1, "true", "True", 1.0)
        return text if on else f"no {text}" if not text.startswith("a ") else f"no{text[1:]}"
    if scale == "choice":
        choices = lt["choices"]
        if isinstance(value, str):
            return value_choice(lt, value)
        k = int(value)
        return choices[k] if 0 <= k < len(choices) else f"{text}: {value}"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return f"{text}: {value}"
    if scale == "percent-of-baseline":
        b = 1.0 if base_value is None else float(base_value)
        if b == 0:
            return f"{text} at {v:g} times the usual"
        ch = v / b - 1
        if abs(ch) < 1e-12:
            return f"{text} unchanged"
        return f"the {text} {'cut' if ch < 0 else 'raised'} by {abs(ch):.0%}"
    if scale == "percent":
        return f"{text} {v:.0%}".replace(" 0%", " none")
    unit = scale
    if unit.startswith("£"):
        return f"{text} of £{v:g}{unit[1:]}"
    return f"{text} {v:g} {unit}"


def value_choice(lt, name):
    """The words for an enum choice name ('patient' -> 'patient core funding targeted by need'):
    `params --levers` lists the names and the words in the same order."""
    order = lt.get("names") or []
    if name in order and order.index(name) < len(lt["choices"]):
        return lt["choices"][order.index(name)]
    return f"{lt['text']}: {name}"
