# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""The what-if report: one self-contained HTML file from a baseline and policies.

    /usr/bin/python3 -m analysis.report BASE.h5 [POLICY.h5 | SWEEP.h5 ...] -o report.html

The first file's scenario is the baseline; every other scenario is compared with it. Run files
that differ only in their seed are replicates of one scenario; a sweep file gives one scenario
per design point (`--baseline 'investment.mode=none'` picks the baseline point of a sweep). A
Morris sweep (method morris) adds a sensitivity section. Every number in the report is computed
from the files; images are inline PNG, there is no script and nothing is fetched.
"""
from __future__ import annotations

import argparse
import base64
import html
import io
import json
import math
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np

from . import engine, load, plots, summary

SECTIONS = [
    ("question", "The question"),
    ("headlines", "Headlines"),
    ("scenarios", "What was compared"),
    ("over-time", "Left out over time"),
    ("who", "Who is left out"),
    ("difference", "Policy minus baseline"),
    ("unmet", "Unmet need"),
    ("heatmap", "Unmet need by neighbourhood and week"),
    ("help", "Where help comes from"),
    ("groups", "Community groups"),
    ("sensitivity", "Sensitivity (Morris screening, Latin hypercube)"),
    ("definitions", "What the words mean"),
    ("provenance", "Provenance"),
]

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;max-width:62em;
margin:0 auto;padding:1em 1.5em 4em;line-height:1.5;color:#1d1d1d;background:#fff;font-size:18px;
overflow-wrap:break-word}
h1{font-size:1.8em;margin-bottom:.2em;line-height:1.2}h2{margin-top:2em;border-bottom:2px solid #1b6ca8;
padding-bottom:.2em}p.lead{font-size:1.25em}.asked{font-size:1.1em;color:#333}
.headline{font-size:1.1em;background:#f3f7fb;border-left:5px solid #1b6ca8;padding:.6em 1em;
margin:.8em 0}.caveat{background:#fff6e5;border-left:5px solid #edae49;padding:.6em 1em}
img{max-width:100%;height:auto;display:block;margin:1em 0}
.wide{max-width:100%;overflow-x:auto}table{border-collapse:collapse;margin:1em 0;font-size:.95em}
table.side{font-size:1.1em}caption{text-align:left;font-weight:600;padding:.3em 0}
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
pre{background:#f7f7f7;padding:.8em;overflow-x:auto;font-size:.8em;max-height:30em;
white-space:pre-wrap}nav ol{columns:2}code{background:#f2f2f2;padding:0 .2em}
.small{font-size:.85em;color:#555}
@media (max-width:900px){nav ol{columns:1}body{padding:.5em .8em 3em}}
@media print{body{max-width:none;font-size:12pt}img,table,.headline{break-inside:avoid}
nav{display:none}details{display:none}h2{break-after:avoid}}
"""


def esc(s):
    return html.escape(str(s), quote=True)


def fig_img(fig, alt):
    """A figure as an inline base64 PNG <img>."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=96, bbox_inches="tight")
    plots.plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{esc(alt)}">'


def rate_words(mean, iv=None, noun=""):
    """'1 in 54 residents (1.8%; 95% CI 1.4% to 2.3%)' for a rate and its interval (never
    below 0%)."""
    s = f"{summary.one_in(mean)}{' ' + noun if noun else ''} ({summary.pct(mean)}"
    if iv is not None and iv.has_ci:
        lo, hi = max(iv.lo, 0.0), iv.hi
        d = summary._digits(100 * mean)
        s += f"; 95% CI {summary.pct(lo, d)} to {summary.pct(hi, d)}"
    return s + ")"


def diff_words(d, ref=None):
    """'−0.09 percentage points (95% CI −0.45 to +0.28; paired t over 3 pairs of runs with the
    same seed)'."""
    dg = ci_digits(d, ref)
    s = summary.pp(d.mean, digits=dg)
    if d.has_ci:
        how = ("pairs of runs with the same seed" if d.method == "paired t"
               else "pairs of runs matched by replicate number")
        s += (f" (95% CI {summary.pp(d.lo, unit=False, digits=dg)} to "
              f"{summary.pp(d.hi, unit=False, digits=dg)}; paired t over {d.n} {how})")
    return s


def ci_digits(d, ref=None):
    """Decimals (of percentage points) for a difference and its interval: two significant
    digits of the half-width, and enough that neither end rounds to zero (at most 3)."""
    if not d.has_ci:
        return summary._digits(100 * (ref if ref else d.mean))
    half = 100 * (d.hi - d.lo) / 2
    near = min(abs(100 * d.lo), abs(100 * d.hi))
    return max(summary._digits(half), min(3, summary._digits(near, 1) if near else 0))


GROUP_WORDS = {"Q1 (lowest income)": "residents in the lowest income fifth",
               "Q5 (highest income)": "residents in the highest income fifth",
               "identity 0 (majority)": "the majority identity group"}


def group_words(g):
    """'residents aged 16-29' for compare's 'age 16-29'."""
    if g in GROUP_WORDS:
        return GROUP_WORDS[g]
    if g.startswith("age "):
        return "residents aged " + g[4:].replace("-", "–").replace("+", " and over")
    if g.startswith("identity "):
        return f"residents of minority identity group {g.split()[1]}"
    if g.startswith("Q"):
        return f"residents in income fifth {g[1]}"
    return g


def group_label(g):
    """compare's group names in words, short, for tables and plots."""
    if g.startswith("Q"):
        return ("income fifth " + g[1] + g[2:].replace(" income", "")).strip()
    if g.startswith("age "):
        return "aged " + g[4:].replace("-", "–").replace("+", " and over")
    if g == "identity 0 (majority)":
        return "majority identity group"
    if g.startswith("identity "):
        return f"minority identity group {g.split()[1]}"
    return g


def _point_key(settings):
    """compare's label of a sweep point ('investment.mode=patient, investment.amount=10')."""
    parts = []
    for k, v in settings.items():
        if isinstance(v, bool):
            v = int(v)
        parts.append(f"{k}={v}" if isinstance(v, str) else f"{k}={float(v):g}")
    return ", ".join(parts)


class Comparison:
    """One policy scenario against its baseline, paired by `commonweal compare`."""

    def __init__(self, base, pol, index, query):
        self.base, self.pol, self.index = base, pol, index
        self._query = query          # by -> compare JSON rows for this pair
        self.rows = {}

    def by(self, by):
        if by not in self.rows:
            self.rows[by] = {r["group"]: r for r in self._query(by)}
        return self.rows[by]


def default_baseline(res):
    """A sweep's baseline selection when none is given: the first varied choice parameter at
    point 0's value (so the other points pair at equal values of everything else, e.g. equal
    spend), else every varied value of point 0."""
    first = res.members.iloc[int(res.complete_members[0])]
    for k in res.varied:
        if isinstance(first[k], str):
            return f"{k}={first[k]}"
    return ",".join(f"{k}={float(first[k]):g}" for k in res.varied)


class MismatchError(ValueError):
    """Files that cannot be compared: bad input (exit status 2)."""


class Report:
    def __init__(self, paths, baseline=None, metric="left_out_rate"):
        self.paths = [os.fspath(p) for p in paths]
        self.results = [load.open_result(p) for p in self.paths]
        first = self.results[0]
        for r in self.results[1:]:  # as `commonweal compare` refuses them: nothing pairs
            if r.kind == "run" and first.kind == "run" and (
                    len(r.weeks) != len(first.weeks) or not np.array_equal(r.weeks, first.weeks)):
                raise MismatchError(f"{first.path} and {r.path} have different weeks "
                                 f"({len(first.weeks)} and {len(r.weeks)}): they cannot be compared")
        self.metric = metric
        # Morris and Latin-hypercube sweeps explore parameters; they are not scenarios to compare
        self.explorations = [r for r in self.results
                             if r.kind == "sweep" and r.method in ("morris", "lhs")]
        compared = [r for r in self.results if r not in self.explorations]
        sweeps = [r for r in compared if r.kind == "sweep"]
        if sweeps and len(compared) > 1:
            raise ValueError("give run files (replicates of each scenario), or one sweep file with "
                             "--baseline: the report compares what `commonweal compare` can pair")
        self.sweep = sweeps[0] if sweeps else None
        if self.sweep is not None and not baseline:
            baseline = default_baseline(self.sweep)
        self.baseline_sel = baseline
        self.scens = summary.scenarios_from_files(compared, baseline) if compared else []
        self.levers = engine.levers()
        self.numbers = {}
        self.notes = []
        self.comparisons = []

    # ---- numbers ---------------------------------------------------------------------
    def threshold_words(self):
        p = self.scens[0].params if self.scens else self.results[0].parameters
        sev = p.get("outcomes.left_out_severity", 0.3)
        wk = int(p.get("outcomes.left_out_weeks", 4))
        span = "a month or more" if wk == 4 else f"{wk} weeks or more"
        return sev, wk, span

    def _pair(self):
        """[Comparison]: from `commonweal compare`, which decides what pairs with what."""
        out = []
        if not self.scens:
            return out
        if self.sweep is not None:
            by_key = {_point_key(sc.settings): sc for sc in self.scens}
            first = engine.compare([self.sweep.path], baseline=self.baseline_sel,
                                   metric=self.metric)
            seen = []
            for r in first["rows"]:
                if r["policy"] not in seen:
                    seen.append(r["policy"])
                    pol, base = by_key.get(r["policy"]), by_key.get(r["baseline_point"])
                    if pol is None or base is None:
                        raise ValueError(f"compare's point {r['policy']!r} is not a scenario here")

                    def query(by, label=r["policy"]):
                        rep = engine.compare([self.sweep.path], baseline=self.baseline_sel,
                                             metric=self.metric, by=by)
                        return [x for x in rep["rows"] if x["policy"] == label]
                    out.append(Comparison(base, pol, self.scens.index(pol), query))
            return out
        base = self.scens[0]
        for i, pol in enumerate(self.scens[1:], start=1):
            files = base.files + pol.files

            def query(by, files=files):
                return engine.compare(files, metric=self.metric, by=by)["rows"]
            out.append(Comparison(base, pol, i, query))
        return out

    def role(self, sc):
        if any(c.pol is sc for c in self.comparisons):
            return "policy"
        return "baseline"

    def compute(self):
        N = self.numbers
        if not self.scens:
            return
        base = self.scens[0]
        self.fifth_k, self.fifth = summary.deprived_fifth(base.first)
        self.comparisons = self._pair()
        for i, sc in enumerate(self.scens):
            area = summary.weighted_rate(sc, self.metric)
            dep = summary.weighted_rate(sc, self.metric, self.fifth)
            N[f"s{i}"] = {
                "label": sc.label, "role": self.role(sc), "replicates": sc.n, "seeds": sc.seeds,
                "area": area.tolist(), "fifth": dep.tolist(),
                "area_mean": float(np.mean(area)), "fifth_mean": float(np.mean(dep)),
            }
        for c in self.comparisons:
            rows = c.by("fifth")
            fifth = rows.get(f"fifth {self.fifth_k}")
            whole = rows["all residents"]
            p = N[f"s{c.index}"]
            p["against"] = f"s{self.scens.index(c.base)}"
            p["diff_area"] = vars(summary.stats.from_compare(whole))
            p["diff_fifth"] = vars(summary.stats.from_compare(fifth))
            # the levels the words state are compare's, to the last digit
            p["compare_area"] = {k: whole[k] for k in ("baseline_mean", "policy_mean")}
            p["compare_fifth"] = {k: fifth[k] for k in ("baseline_mean", "policy_mean")}
            if "left_out_newcomer_rate" in c.base.first.metric_names:
                nb = engine.compare(c.base.files + c.pol.files if self.sweep is None
                                    else [self.sweep.path], baseline=self.baseline_sel,
                                    metric="left_out_newcomer_rate")["rows"]
                mine = [r for r in nb if self.sweep is None
                        or r["policy"] == _point_key(c.pol.settings)]
                if mine:
                    p["newcomers"] = {k: mine[0][k] for k in ("baseline_mean", "policy_mean")}
        N["fifth_neighbourhoods"] = [int(x) for x in self.fifth]
        N["fifth"] = self.fifth_k

    # ---- words -----------------------------------------------------------------------
    def scenario_words(self, sc, base=None):
        """What a scenario does, in words: 'the housing advice budget cut by 20% from the
        first week'; 'patient core funding targeted by need, community capacity spending of
        £10 per resident per year'."""
        base = base or self.scens[0]
        parts = []
        for k, v in sc.settings.items():
            if k == "timeline":
                continue
            was = base.params.get(k) if base is not sc else None
            parts.append(summary.value_words(k, v, self.levers, was if k.startswith(
                "funding.scale") else None))
        extra, gone = sc.timeline_changes
        for week, k, v in extra:
            when = "from the first week" if int(week) <= 0 else f"from week {week}"
            parts.append(f"{summary.value_words(k, _yaml_value(v), self.levers, base.params.get(k))} "
                         f"{when}")
        for week, k, v in gone:
            parts.append(f"without the baseline's change at week {week} "
                         f"({summary.value_words(k, _yaml_value(v), self.levers, base.params.get(k))})")
        if not parts:
            return "the same settings as the baseline"
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]

    def short_name(self, sc):
        """A name for a scenario in a table column."""
        if sc.settings and self.sweep is not None:
            sel = dict(kv.split("=", 1) for kv in self.baseline_sel.split(",") if "=" in kv)
            keys = [k for k in sc.settings if k in sel] or list(sc.settings)
            return "; ".join(summary.value_words(k, sc.settings[k], self.levers) for k in keys)
        return sc.label

    def equal_spend_words(self, sc):
        """The varied values a sweep point shares with its baseline ('spend on community
        capacity £10 per resident per year')."""
        if self.sweep is None:
            return ""
        sel = dict(kv.split("=", 1) for kv in self.baseline_sel.split(",") if "=" in kv)
        rest = [k for k in sc.settings if k not in sel]
        return ", ".join(summary.value_words(k, sc.settings[k], self.levers) for k in rest)

    # ---- sections --------------------------------------------------------------------
    def first_question(self):
        """The question the files ask (the policy's, else the baseline's), or ''."""
        for sc in [c.pol for c in self.comparisons] + self.scens[:1]:
            q = sc.question
            if q and not (sc is not self.scens[0] and q == self.scens[0].question
                          and summary.parameter_differences(self.scens[0].params, sc.params)
                          and self.sweep is None):
                return q[:1].upper() + q[1:]
        return ""

    def sec_question(self):
        out, asked = [], {}
        for i, sc in enumerate(self.scens):
            q = sc.question
            # A policy made from the baseline's file with --set carries that file's comment,
            # which asks the baseline's question: state the policy's from its settings instead.
            if i > 0 and q and q == self.scens[0].question and \
                    summary.parameter_differences(self.scens[0].params, sc.params):
                q = ""
            if not q:
                if i == 0:
                    q = ("Who has a need, and who is left without help, in these conditions? "
                         "(The scenario file states no question; this one is stated from its "
                         "settings.)")
                else:
                    q = (f"What changes for those left out with {self.scenario_words(sc)}?")
            q = q[:1].upper() + q[1:]
            role = "baseline" if i == 0 else self.role(sc)
            asked.setdefault(q, []).append(f"{self.short_name(sc)} ({role})")
        for q, who in asked.items():
            out.append(f"<p><b>{esc('; '.join(who))}</b> — {esc(q)}</p>")
        for r in self.explorations:
            q = r.question()
            q = q[:1].upper() + q[1:] if q else q
            q = q or (f"Which of the varied parameters ({', '.join(r.varied)}) matter "
                                 f"most for {self.metric}?")
            out.append(f"<p><b>Sweep {esc(os.path.basename(r.path))} ({esc(r.method)})</b> — "
                       f"{esc(q)}</p>")
        return "".join(out)

    def verdict(self, d):
        if not d.has_ci:
            return "With one run per scenario no confidence interval can be given."
        if d.lo > 0:
            return "More people are left out with this policy, beyond what chance explains."
        if d.hi < 0:
            return "Fewer people are left out with this policy, beyond what chance explains."
        return ("The interval includes zero: these runs cannot tell this policy's effect from no "
                "effect.")

    def headline_sentences(self):
        """The headline sentences, plain text (also used by tests and the command's output)."""
        if not self.scens:
            return ["No scenario to compare: the files given are parameter explorations only."]
        N = self.numbers
        sev, wk, span = self.threshold_words()
        base = self.scens[0]
        where = summary.fifth_words(base.first)
        out = []
        for c in self.comparisons:
            p = N[f"s{c.index}"]
            b = N[f"s{self.scens.index(c.base)}"]
            d = summary.stats.Interval(**p["diff_fifth"])
            cf = p["compare_fifth"]
            spend = self.equal_spend_words(c.pol)
            at = f" (both with {spend})" if spend else ""
            out.append(
                f"With {self.scenario_words(c.pol, c.base)}, in {where} "
                f"{rate_words(cf['policy_mean'], summary.stats.mean_ci(p['fifth']), 'residents')} "
                f"were left out in an average week, against "
                f"{rate_words(cf['baseline_mean'], summary.stats.mean_ci(b['fifth']))} with "
                f"{self.short_name(c.base) if self.sweep is not None else 'the baseline (' + c.base.label + ')'}"
                f"{at}: a change of {diff_words(d, ref=cf['baseline_mean'])}. {self.verdict(d)}")
            if d.has_ci and d.lo <= 0 <= d.hi or not d.has_ci:
                why = self.explain_null(c, d)
                if why:
                    out.append(why)
            da = summary.stats.Interval(**p["diff_area"])
            ca = p["compare_area"]
            out.append(f"Over the whole area: {summary.one_in(ca['policy_mean'])} against "
                       f"{summary.one_in(ca['baseline_mean'])}, a change of "
                       f"{diff_words(da, ref=ca['baseline_mean'])}.")
            if "newcomers" in p and len(self.comparisons) <= 2:
                nb, npol = p["newcomers"]["baseline_mean"], p["newcomers"]["policy_mean"]
                gb, gp = nb - ca["baseline_mean"], npol - ca["policy_mean"]
                rb, rp = round(100 * gb, 2), round(100 * gp, 2)
                trend = ("is unchanged at this precision" if rb == rp else
                         "widens" if abs(gp) > abs(gb) else "narrows")
                out.append(
                    f"Newcomers (residents who arrived after the start): "
                    f"{summary.one_in(nb)} left out against {summary.one_in(ca['baseline_mean'])} "
                    f"of all residents without the policy, {summary.one_in(npol)} against "
                    f"{summary.one_in(ca['policy_mean'])} with it; the gap {trend} "
                    f"({summary.pp(gb, digits=2)} and {summary.pp(gp, digits=2)}).")
        if len(self.comparisons) > 1 or not self.comparisons:
            ci_b = summary.stats.mean_ci(N["s0"]["fifth"])
            out.insert(0, f"In the baseline ({self.short_name(base)}), in {where}, in an average "
                       f"week {rate_words(N['s0']['fifth_mean'], ci_b, 'residents')} had a need of "
                       f"severity {sev:g} or more (on a 0 to 1 scale) and had gone {span} without "
                       "help that relieved it.")
        if all(sc.n < 2 for sc in self.scens):
            out.append(
                "Each scenario here is a single run, so no confidence interval can be given: "
                "differences this small may be chance. To get intervals, run replicates — the "
                "same scenarios with several seeds (commonweal run … --seed 1, --seed 2, …, all "
                "files given to this report) or a sweep with replicates and common random "
                "numbers.")
        return out

    def asked_comparisons(self):
        """The comparisons the question asks about: for a sweep, those of the policy option
        the question names (e.g. 'patient'), else of the option with the largest change;
        for run files, all."""
        if self.sweep is None or not self.comparisons:
            return self.comparisons
        q = (self.first_question() or "").lower()
        options = {}
        for c in self.comparisons:
            options.setdefault(self.short_name(c.pol), []).append(c)

        def named(cs):
            return any(isinstance(v, str) and re.search(rf"\b{re.escape(v.lower())}\b", q)
                       for v in cs[0].pol.settings.values())

        def size(cs):
            return max(abs(self.numbers[f"s{c.index}"]["diff_fifth"]["mean"]) for c in cs)
        return max(options.values(), key=lambda cs: (named(cs), size(cs)))

    def lead_sentence(self):
        """The first screen's answer, short: the asked comparison in the most deprived
        neighbourhoods, and whether chance can explain it (for a sweep, at each spend)."""
        if not self.comparisons:
            return self.headline_sentences()[0]
        asked = self.asked_comparisons()
        if self.sweep is not None and len(asked) > 1:
            return self.sweep_lead(asked)
        c = asked[0]
        p = self.numbers[f"s{c.index}"]
        d = summary.stats.Interval(**p["diff_fifth"])
        cf = p["compare_fifth"]
        dg = ci_digits(d, cf["baseline_mean"])
        ci = (f"; 95% CI {summary.pp(d.lo, unit=False, digits=dg)} to "
              f"{summary.pp(d.hi, unit=False, digits=dg)}" if d.has_ci else "")
        if not d.has_ci:
            verdict = "one run each, so no confidence interval: this may be chance"
        elif d.lo > 0:
            verdict = "more people left out, beyond what chance explains"
        elif d.hi < 0:
            verdict = "fewer people left out, beyond what chance explains"
        else:
            verdict = "too small to tell from chance in these runs"
        other = (f"with {self.short_name(c.base)}" if self.sweep is not None
                 else "without it")
        spend = self.equal_spend_words(c.pol)
        k = self.fifth_k
        where = ("the most deprived fifth of neighbourhoods" if k == 5
                 else "the most deprived neighbourhoods here")
        s = (f"With {self.scenario_words(c.pol, c.base) if self.sweep is None else self.short_name(c.pol)}"
             f"{' (with ' + spend + ')' if spend else ''}, {summary.one_in(cf['policy_mean'])} "
             f"residents of {where} were left out in an average week, against "
             f"{summary.one_in(cf['baseline_mean'])} {other}: "
             f"{summary.pp(d.mean, digits=dg)}{ci} — {verdict}.")
        if len(self.comparisons) > 1:
            s += " The table puts every option side by side, at equal spend on each row."
        return s

    def sweep_lead(self, asked):
        """'Patient core funding ..., against competitive short-term grants at equal spend:
        in the most deprived fifth, 1 in 18 against 1 in 17 at £5 (−0.23 percentage points;
        95% CI ...), ...'."""
        c0 = asked[0]
        k = self.fifth_k
        where = ("the most deprived fifth of neighbourhoods" if k == 5
                 else "the most deprived neighbourhoods here")
        parts, verdicts = [], set()
        for c in asked:
            p = self.numbers[f"s{c.index}"]
            d = summary.stats.Interval(**p["diff_fifth"])
            cf = p["compare_fifth"]
            dg = ci_digits(d, cf["baseline_mean"])
            ci = (f"; 95% CI {summary.pp(d.lo, unit=False, digits=dg)} to "
                  f"{summary.pp(d.hi, unit=False, digits=dg)}" if d.has_ci else "")
            spend = self.equal_spend_words(c.pol)
            spend = spend.split(" of ", 1)[1] if " of £" in spend else spend
            parts.append(f"at {spend or 'the same settings'}, {summary.pct(cf['policy_mean'])} "
                         f"against {summary.pct(cf['baseline_mean'])} "
                         f"({summary.pp(d.mean, digits=dg)}{ci})")
            verdicts.add("none" if not d.has_ci else "more" if d.lo > 0 else
                         "fewer" if d.hi < 0 else "chance")
        verdict = ("fewer people left out at every spend, beyond what chance explains"
                   if verdicts == {"fewer"} else
                   "more people left out at every spend, beyond what chance explains"
                   if verdicts == {"more"} else
                   "too small to tell from chance at any spend" if verdicts == {"chance"} else
                   "the change is beyond chance at some spends and not at others")
        return (f"{self.short_name(c0.pol)[:1].upper() + self.short_name(c0.pol)[1:]} against "
                f"{self.short_name(c0.base)}, at equal spend: in {where}, the share of residents "
                f"left out in an average week was " + "; ".join(parts) + f" — {verdict}.")

    def still_left_out(self):
        """'Either way, the most left out are ...': the groups with the highest left-out rate
        under the baseline and the policy (the asked comparison)."""
        if not self.comparisons:
            return ""
        c = self.asked_comparisons()[0]
        cand = []
        for by in ("quintile", "age_band", "identity"):
            try:
                rows = c.by(by)
            except engine.EngineError:
                continue
            for g, r in rows.items():
                if g != "all residents" and r["baseline_mean"] is not None:
                    cand.append((max(r["baseline_mean"], r["policy_mean"]), g, r))
        if not cand:
            return ""
        cand.sort(key=lambda t: -t[0])
        base_name = "with " + self.short_name(c.base) if self.sweep is not None else "without the policy"
        pol_name = "with " + self.short_name(c.pol) if self.sweep is not None else "with it"
        parts = [f"{group_words(g)} ({summary.one_in(r['baseline_mean'])} {base_name}, "
                 f"{summary.one_in(r['policy_mean'])} {pol_name})" for _, g, r in cand[:2]]
        return ("Who is still left out either way: " + " and ".join(parts) + ", against "
                f"{summary.one_in(c.by('quintile')['all residents']['baseline_mean'])} of all "
                "residents.")

    def explain_null(self, c, d):
        """Why a difference may be indistinguishable from zero, from what the files show."""
        out = []
        levers = dict(c.pol.settings)
        for week, k, v in c.pol.timeline_changes[0]:
            levers[k] = _yaml_value(v)
        sectors = c.base.first.labels.get("sector", [])
        rw = c.base.report_weeks
        for k in levers:
            m = re.match(r"funding\.(scale|budget)\.(\w+)$", k)
            if m and m.group(2) in sectors:
                j = sectors.index(m.group(2))
                name = self.levers.get(k, {}).get("text", k).replace(" budget", " service")
                qb = c.base.metric("service_queue")[:, rw][..., j].sum(axis=2).mean()
                hb = c.base.metric("service_hours")[:, rw][..., j].sum(axis=2).mean()
                hp = c.pol.metric("service_hours")[:, rw][..., j].sum(axis=2).mean()
                ub = _sector_rate(c.base, "unmet_need_rate", j)
                up = _sector_rate(c.pol, "unmet_need_rate", j)
                if qb < 1:
                    out.append(f"Why so little change: in the baseline the {name} had no queue "
                               f"(on average {qb:.1f} requests waiting in a week, across the "
                               f"area), so it had staff time to spare and the change fell on "
                               f"slack; its staff hours went from {hb:,.0f} to {hp:,.0f} a week.")
                else:
                    out.append(f"The {name}'s staff hours went from {hb:,.0f} to {hp:,.0f} a "
                               f"week (a queue of {qb:,.0f} requests in the baseline), and unmet "
                               f"{m.group(2).replace('_', ' ')} need from {summary.pct(ub)} to "
                               f"{summary.pct(up)} of residents: others (family, friends, "
                               "groups) took up the need, or it was not need that left people "
                               "out.")
            if k.startswith("investment.") and "grant_income_per_resident" in c.pol.first.metric_names:
                g = c.pol.metric("grant_income_per_resident")[:, rw].astype(float)
                pop = c.pol.metric("population")[:, rw].astype(float)
                tot = (g * pop).sum()
                if tot > 0:
                    share = (g[:, :, self.fifth] * pop[:, :, self.fifth]).sum() / tot
                    popshare = pop[:, :, self.fifth].sum() / pop.sum()
                    out.append(f"Where the money went: {summary.pct(share)} of it reached "
                               f"{summary.fifth_words(c.base.first)}, home to "
                               f"{summary.pct(popshare)} of residents.")
                break
        if d.has_ci:
            out.append(f"The 95% interval is {summary.pp((d.hi - d.lo) / 2, unit=False).lstrip('+')} "
                       f"percentage points either side of the change, over {d.n} pairs of runs: "
                       "more replicates would narrow it.")
        return " ".join(out)

    def sec_headlines(self):
        out = []
        for s in self.headline_sentences():
            cls = "caveat" if s.startswith("Each scenario here is a single run") else "headline"
            out.append(f'<p class="{cls}">{esc(s)}</p>')
        return "".join(out)

    def side_by_side(self):
        """The options compared, side by side (equal spend on a row), left-out rate in the most
        deprived group, from compare's means."""
        if not self.comparisons:
            return ""
        N = self.numbers
        k = self.fifth_k
        rows, cols = {}, []
        for c in self.comparisons:
            spend = self.equal_spend_words(c.pol)
            for where, key0 in (("most deprived neighbourhoods", "compare_fifth"),
                                ("whole area", "compare_area")):
                if spend and where == "whole area":
                    continue
                row = (spend.split(" of ", 1)[1] if " of £" in spend else spend) or where
                for sc, key in ((c.base, "baseline_mean"), (c.pol, "policy_mean")):
                    name = self.short_name(sc) if self.sweep is not None else \
                        (f"without it ({sc.label})" if sc is c.base else f"with the policy ({sc.label})")
                    if name not in cols:
                        cols.append(name)
                    rows.setdefault(row, {})[name] = N[f"s{c.index}"][key0][key]
        head = "".join(f"<th>{esc(c)}</th>" for c in cols)
        body = ""
        for r, vals in rows.items():
            body += f"<tr><th>{esc(r)}</th>" + "".join(
                f"<td class=n>{esc(summary.one_in(vals[c]) + ' (' + summary.pct(vals[c]) + ')') if c in vals else '—'}</td>"
                for c in cols) + "</tr>"
        where = "deciles 9–10" if k == 5 else f"deciles {2 * k - 1}–{2 * k}"
        what = ("most deprived neighbourhoods (" + where + ")") if self.sweep is not None \
            else "most deprived neighbourhoods are " + where
        return (f'<div class="wide"><table class="side"><caption>Left out in an average week: '
                f'{what}; the same seeds in every column</caption>'
                f"<tr><th></th>{head}</tr>{body}</table></div>")

    def sec_scenarios(self):
        if not self.scens:
            return "<p>No scenarios to compare.</p>"
        rows = ["<tr><th>scenario</th><th>role</th><th>what it does</th>"
                "<th>runs</th><th>seeds</th><th>files</th></tr>"]
        for i, sc in enumerate(self.scens):
            what = self.scenario_words(sc) if i else "—"
            if self.sweep is not None:
                what = self.scenario_words(sc, base=sc) if sc.settings else what
            rows.append(
                f"<tr><td>{esc(self.short_name(sc))}</td><td>{self.role(sc) if i else 'baseline'}</td>"
                f"<td>{esc(what)}</td>"
                f"<td class=n>{sc.n}</td><td>{esc(load._seed_text(sc.seeds))}</td>"
                f"<td>{esc(', '.join(os.path.basename(f) for f in sc.files))}</td></tr>")
        return '<div class="wide"><table>' + "".join(rows) + "</table></div>"

    def sec_over_time(self):
        if not self.scens:
            return "<p>No scenarios.</p>"
        f1 = plots.timeseries(self.scens, self.metric, ylabel="left out (% of residents)",
                              title="Left out, whole area")
        f2 = plots.timeseries(self.scens, self.metric, nbhds=self.fifth,
                              ylabel="left out (% of residents)",
                              title="Left out, most deprived fifth of neighbourhoods"
                              if self.fifth_k == 5 else "Left out, most deprived neighbourhoods "
                              f"(deciles {2 * self.fifth_k - 1}–{2 * self.fifth_k})")
        return ("<p>Share of residents left out each week, weighted by neighbourhood population; "
                "dotted lines mark timeline events.</p>"
                + fig_img(f1, "left out over time, whole area")
                + fig_img(f2, "left out over time, most deprived fifth"))

    BREAKDOWNS = (("quintile", "income fifth"), ("age_band", "age"), ("identity", "identity group"),
                  ("fifth", "neighbourhood deprivation (fifths of deciles)"))

    def sec_who(self):
        if not self.scens:
            return "<p>No scenarios.</p>"
        out = ["<p>Left out, as a share of each group, in an average reported week, mean over "
               "runs; bars for each scenario, lines the 95% interval over runs where there are "
               "two or more.</p>"]
        for dim, words in (("quintile", "income fifth"), ("age_band", "age band"),
                           ("identity", "identity group")):
            name = f"area_left_out_by_{dim}"   # weighted: each group's residents, from counts
            if name not in self.scens[0].first.metric_names:
                continue
            out.append(fig_img(plots.breakdown(self.scens[:plots.MAX_BARS], name, dim, words),
                               f"left out by {words}"))
        out.append(fig_img(plots.by_decile(self.scens[:plots.MAX_BARS], self.metric),
                           "left out by deprivation decile"))
        out.append(fig_img(plots.breakdown(self.scens[:plots.MAX_BARS], "area_need_by_quintile",
                                           "quintile", "income fifth", what="with a need"),
                           "residents with a need, by income fifth"))
        return "".join(out)

    def sec_difference(self):
        if not self.comparisons:
            return "<p>Only one scenario was given: there is nothing to compare it with.</p>"
        out = ["<p>Each row: the policy's left-out rate minus its baseline's, in percentage "
               "points (below zero: fewer people left out), from <code>commonweal compare</code>: "
               "runs with the same seed are paired (common random numbers) and the interval is "
               "Student's t over the pairs. With many rows, about 1 in 20 intervals would miss "
               "zero by chance alone even if the policy did nothing.</p>"]
        for c in self.comparisons[:plots.MAX_PANELS]:
            rows = []
            for by in ("fifth", "quintile", "age_band", "identity"):
                try:
                    got = c.by(by)
                except engine.EngineError:
                    continue
                for g, r in got.items():
                    if g == "all residents" and rows:
                        continue
                    label = g if g == "all residents" else (
                        f"deprivation {g} (deciles {2 * int(g.split()[1]) - 1}–{2 * int(g.split()[1])})"
                        if by == "fifth" else group_label(g))
                    rows.append((label, r))
            title = f"{self.short_name(c.pol)} minus {self.short_name(c.base)}"
            out.append(f"<h3>{esc(title)}</h3>")
            out.append(fig_img(plots.difference([(lab, summary.stats.from_compare(r))
                                                 for lab, r in rows], title), title))
            trs = ["<tr><th>group</th><th>baseline</th><th>policy</th>"
                   "<th>difference (percentage points)</th><th>95% CI</th><th>pairs</th></tr>"]
            for lab, r in rows:
                iv = summary.stats.from_compare(r)
                dg = ci_digits(iv, r["baseline_mean"])
                ci = (f"{summary.pp(iv.lo, unit=False, digits=dg)} to "
                      f"{summary.pp(iv.hi, unit=False, digits=dg)}" if iv.has_ci else "none")
                trs.append(f"<tr><td>{esc(lab)}</td><td class=n>{summary.pct(r['baseline_mean'])}</td>"
                           f"<td class=n>{summary.pct(r['policy_mean'])}</td>"
                           f"<td class=n>{summary.pp(iv.mean, unit=False, digits=dg)}</td>"
                           f"<td class=n>{esc(ci)}</td><td class=n>{iv.n}</td></tr>")
            out.append('<div class="wide"><table>' + "".join(trs) + "</table></div>")
        return "".join(out)

    def sec_unmet(self):
        if not self.scens:
            return "<p>No scenarios.</p>"
        return ("<p>A need is unmet in a week when no help relieved it that week: it got no help from any "
                "route, or hours that took too little off it (reached but not relieved).</p>"
                + fig_img(plots.unmet_need(self.scens), "unmet need"))

    def sec_heatmap(self):
        if not self.scens:
            return "<p>No scenarios.</p>"
        return ("<p>Unmet needs per 100 residents (all six sectors added), each row a "
                "neighbourhood, most deprived at the top.</p>"
                + fig_img(plots.heatmap(self.scens), "heatmap of unmet need"))

    def sec_help(self):
        if not self.scens:
            return "<p>No scenarios.</p>"
        return fig_img(plots.help_by_route(self.scens), "help by route")

    def sec_groups(self):
        if not self.scens:
            return "<p>No scenarios.</p>"
        return fig_img(plots.groups_alive(self.scens), "groups alive by kind")

    def sec_sensitivity(self):
        morris_files = [r for r in self.explorations if r.method == "morris"]
        lhs_files = [r for r in self.explorations if r.method == "lhs"]
        if not morris_files and not lhs_files:
            return ("<p>No Morris or Latin-hypercube sweep was given. To see which parameters "
                    "matter, run <code>commonweal sweep</code> with method <code>morris</code> "
                    "or <code>lhs</code> (e.g. <code>scenarios/sweeps/uncertainty-lhs.yaml</code>) "
                    "and add its file to this command.</p>")
        from . import lhs, morris
        out = []
        for r in lhs_files:
            try:
                tab = lhs.analyse_file(r, self.metric)
            except ValueError as e:
                out.append(f"<p>{esc(os.path.basename(r.path))}: {esc(str(e))}</p>")
                continue
            out.append(f"<p>{esc(os.path.basename(r.path))}: Latin hypercube of "
                       f"{tab.attrs['n']} design points over {len(tab)} parameters, metric "
                       f"{esc(self.metric)} (population-weighted mean over reported weeks; "
                       "replicates averaged). Ranked by the standardised rank regression "
                       "coefficient (SRRC); Spearman's ρ with its 95% interval alongside. The "
                       f"rank regression explains R² = {tab.attrs['r2']:.2f} of the ranks' "
                       "variance: near 1, SRRC² is roughly each parameter's share; low, the "
                       "effects interact or are not monotone.</p>")
            out.append(tab.reset_index().to_html(index=False, border=0,
                                                 float_format=lambda v: f"{v:.3g}"))
            out.append(fig_img(lhs.plot(tab), "Latin hypercube sensitivity"))
        for r in morris_files:
            tab = morris.analyse_file(r, self.metric)
            out.append(f"<p>{esc(os.path.basename(r.path))}: {tab.attrs['trajectories']} "
                       f"trajectories over {len(tab)} parameters, metric {esc(self.metric)} "
                       "(population-weighted mean over reported weeks). Ranked by μ* (mean "
                       "absolute elementary effect); σ large against μ* means interactions or "
                       "non-linearity.</p>")
            out.append(tab.reset_index().to_html(index=False, border=0,
                                                 float_format=lambda v: f"{v:.4g}"))
            out.append("<p class=small>μ and μ* are changes in the metric (here a share of "
                       "residents) for a move across the parameter's whole range in the "
                       "sweep.</p>")
            out.append(fig_img(morris.plot(tab), "Morris mu* and sigma"))
        return "".join(out)

    def sec_definitions(self):
        sev, wk, span = self.threshold_words()
        return (
            "<ul>"
            f"<li><b>Left out</b>: a resident with an active need of severity {sev:g} or more "
            f"(on a 0–1 scale) that no help — from family and friends, community groups or "
            f"public services — has relieved for {wk} weeks or more, each need on its own clock "
            "(<code>left_out_rate</code>, a share of all residents). Help relieves a need when it "
            "lowers its severity by at least <code>outcomes.relief_min_severity</code> in the week; "
            "hours that do not are contact, not relief "
            "(<code>reached_not_relieved_rate</code>).</li>"
            "<li><b>Unmet need</b>: a need that no help relieved this week "
            "(<code>unmet_need_rate</code>, per sector).</li>"
            "<li><b>Most deprived fifth</b>: neighbourhoods in deprivation deciles 9 and 10 "
            "(<code>commonweal compare --by fifth</code>, fifth 5); where none is that deprived, "
            "the most deprived fifth present, as the text says. Rates there are weighted by each "
            "neighbourhood's population.</li>"
            "<li><b>Income fifth</b> (quintile): the resident's income fifth in the area, fixed at "
            "the start (Q1 lowest).</li>"
            "<li><b>95% CI</b>: for a difference, <code>commonweal compare</code>'s paired "
            "Student t interval over pairs of runs with the same seed (common random numbers; by "
            "replicate number when no seeds match); for a level, Student t over the runs. With "
            "one run per scenario there is none. Among many intervals, about 1 in 20 misses zero "
            "by chance alone.</li>"
            "<li>All rates are means over the reported weeks, after the burn-in.</li></ul>")

    def sec_provenance(self):
        out = []
        for r in self.results:
            prov = load.provenance(r)
            rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in prov.items())
            text = load._str(r.attrs.get("sweep_yaml", "")) if r.kind == "sweep" else \
                load._str(r.attrs.get("scenario", ""))
            what = "sweep text" if r.kind == "sweep" else "scenario text (fully resolved)"
            out.append(f"<h3>{esc(os.path.basename(r.path))}</h3><table>{rows}</table>"
                       f"<details><summary>{what}</summary><pre>{esc(text)}</pre></details>")
        return "".join(out)

    # ---- page ------------------------------------------------------------------------
    def sections(self):
        """The sections this report has: no empty ones (sensitivity only with an exploration
        file; no comparison sections with a single scenario)."""
        skip = set()
        if not self.explorations:
            skip.add("sensitivity")
        return [(k, t) for k, t in SECTIONS if k not in skip]

    def html(self):
        self.compute()
        body = []
        for key, title in self.sections():
            content = getattr(self, "sec_" + key.replace("-", "_"))()
            body.append(f'<section id="{key}"><h2>{esc(title)}</h2>{content}</section>')
        names = ", ".join(os.path.basename(p) for p in self.paths)
        nav = "".join(f'<li><a href="#{k}">{esc(t)}</a></li>' for k, t in self.sections())
        numbers = json.dumps(self.numbers, default=_json_default).replace("</", "<\\/")
        asked = self.first_question()
        lead = (f'<p class="asked"><b>The question:</b> {esc(asked)}</p>' if asked else "")
        lead += f'<p class="lead">{esc(self.lead_sentence())}</p>' + self.side_by_side()
        left = self.still_left_out()
        if left:
            lead += f'<p class="headline">{esc(left)}</p>'
        return (
            "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
            '<meta name=viewport content="width=device-width, initial-scale=1">'
            f"<title>Commonweal report: {esc(names)}</title><style>{CSS}</style></head><body>"
            f"<h1>Who is left out? A Commonweal what-if report</h1>"
            f"{lead}"
            f'<p class="small">From {esc(names)}. Numbers from <code>commonweal compare</code> '
            "on these files.</p>"
            f"<nav><ol>{nav}</ol></nav>{''.join(body)}"
            f'<script type="application/json" id="cw-numbers">{numbers}</script>'
            "</body></html>")


def _sector_rate(sc, name, j):
    """Population-weighted share of residents, one sector of a [week, nbhd, sector] metric,
    mean over replicates."""
    x = sc.metric(name)[:, sc.report_weeks][..., j].astype(float)
    pop = sc.metric("population")[:, sc.report_weeks].astype(float)
    return float(np.mean((x * pop).sum(axis=2) / pop.sum(axis=2)))


def _yaml_value(v):
    """A resolved timeline value (text) as a Python value."""
    if v in ("true", "false"):
        return v == "true"
    try:
        return float(v)
    except ValueError:
        return v


def _json_default(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, float) and math.isnan(o):
        return None
    return str(o)


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-extensions", "--mute-audio"]


def chromium():
    """Debian's chromium (installed by .ci/deps.sh), or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def write_pdf(html_path, pdf_path):
    """Print the report to PDF with headless Chromium (A4, no header or footer)."""
    exe = chromium()
    if not exe:
        raise OSError("--pdf needs Chromium (Debian package chromium, installed by .ci/deps.sh)")
    tmp = pdf_path + ".partial"
    with tempfile.TemporaryDirectory() as profile:
        r = subprocess.run([exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                            "--no-pdf-header-footer", f"--print-to-pdf={tmp}",
                            pathlib.Path(os.path.abspath(html_path)).as_uri()],
                           capture_output=True, text=True, timeout=180,
                           env=dict(os.environ, HOME=profile))
    if r.returncode != 0 or not os.path.exists(tmp) or os.path.getsize(tmp) < 1000:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise OSError(f"chromium could not print {html_path} to PDF: {r.stderr.strip()[-500:]}")
    os.replace(tmp, pdf_path)




def _same(a, b):
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def output_refusal(output, inputs):
    """Why -o OUTPUT must not be written, or None: the rules of the program's
    outputs (issue 20): never an input, never a directory or device, never a
    file that is not an HTML page (a report, overwritten)."""
    tmp = output + ".partial"
    for path, role in ((output, "the report"), (tmp, "the report's temporary file")):
        if any(_same(path, f) for f in inputs):
            return f"{path}: {role} would overwrite an input: choose another -o"
        if os.path.isdir(path):
            return f"{path}: {role} is a directory: name a file, e.g. {os.path.join(path, 'report.html')}"
        if os.path.exists(path) and not os.path.isfile(path):
            return f"{path}: {role} is not a regular file: refusing to write it"
        if os.path.isfile(path) and os.path.getsize(path) > 0:
            with open(path, "rb") as fp:
                head = fp.read(64).lstrip().lower()
            if not (head.startswith(b"<!doctype html") or head.startswith(b"<html")):
                return f"{path}: {role} exists and is not an HTML page: refusing to overwrite it"
    parent = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(parent):
        return f"{output}: the directory {parent} does not exist"
    if not os.access(parent, os.W_OK):
        return f"{output}: cannot write in {parent}"
    return None


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="python3 -m analysis.report",
        description="Write a self-contained HTML what-if report: the first file is the "
                    "baseline, the others policies (run files of the same scenario with different "
                    "seeds are replicates; a sweep file gives one scenario per design point). "
                    "The comparisons come from `commonweal compare` ($COMMONWEAL, or commonweal "
                    "on PATH, or build*/commonweal).")
    ap.add_argument("files", nargs="+", help="BASE.h5 [POLICY.h5 ...] or SWEEP.h5")
    ap.add_argument("-o", "--output", default="report.html", help="output HTML (report.html)")
    ap.add_argument("--baseline", help="for a sweep: the baseline points, e.g. "
                    "'investment.mode=none' (default: the first varied choice at point 0's value); "
                    "each other point is compared with the baseline point that shares its other "
                    "values, as `commonweal compare --baseline` does")
    ap.add_argument("--pdf", metavar="PDF", nargs="?", const="",
                    help="also print the report to PDF through headless Chromium (default name: "
                         "the output with .pdf)")
    ap.add_argument("--metric", default="left_out_rate", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    for f in args.files:
        if not os.path.exists(f):
            print(f"{f}: no such file", file=sys.stderr)
            return 2
    refusal = output_refusal(args.output, args.files)
    if refusal:
        print(f"analysis.report: {refusal}", file=sys.stderr)
        return 2
    try:
        rep = Report(args.files, baseline=args.baseline, metric=args.metric)
        page = rep.html()
    except (engine.EngineError, ValueError, KeyError) as e:
        print(f"analysis.report: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"analysis.report: {e}", file=sys.stderr)
        return 1
    tmp = args.output + ".partial"
    with open(tmp, "w", encoding="utf-8") as fp:
        fp.write(page)
    os.replace(tmp, args.output)
    print(f"wrote {args.output}")
    print(" -", rep.lead_sentence())
    if rep.still_left_out():
        print(" -", rep.still_left_out())
    if args.pdf is not None:
        pdf = args.pdf or os.path.splitext(args.output)[0] + ".pdf"
        try:
            write_pdf(args.output, pdf)
        except (OSError, subprocess.TimeoutExpired) as e:
            print(f"analysis.report: {e}", file=sys.stderr)
            return 1
        print(f"wrote {pdf}")
    for s in rep.headline_sentences():
        print(" -", s)
    return 0


if __name__ == "__main__":
    sys.exit(main())
