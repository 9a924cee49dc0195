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
import sys

import numpy as np

from . import load, plots, summary

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
margin:0 auto;padding:1em 1.5em 4em;line-height:1.5;color:#1d1d1d;background:#fff}
h1{font-size:1.9em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:2px solid #1b6ca8;
padding-bottom:.2em}p.lead{font-size:1.2em}.headline{font-size:1.15em;background:#f3f7fb;
border-left:5px solid #1b6ca8;padding:.6em 1em;margin:.8em 0}.caveat{background:#fff6e5;
border-left:5px solid #edae49;padding:.6em 1em}img{max-width:100%;height:auto;display:block;
margin:1em 0}table{border-collapse:collapse;margin:1em 0;font-size:.92em}th,td{border:1px solid
#ccc;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f0f0f0}td.n{text-align:
right;font-variant-numeric:tabular-nums}pre{background:#f7f7f7;padding:.8em;overflow-x:auto;
font-size:.8em;max-height:30em}nav ol{columns:2}code{background:#f2f2f2;padding:0 .2em}
.small{font-size:.85em;color:#555}
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
    """'1 in 54 residents (1.84%; 95% CI 1 in 76 to 1 in 42)' for a rate and its interval."""
    s = f"{summary.one_in(mean)}{' ' + noun if noun else ''} ({summary.pct(mean, 2)}"
    if iv is not None and iv.has_ci:
        lo, hi = max(iv.lo, 0.0), iv.hi
        s += (f"; 95% CI {summary.one_in(lo)} to {summary.one_in(hi)}" if lo > 0
              else f"; 95% CI up to {summary.one_in(hi)}")
    return s + ")"


def diff_words(d):
    """'-0.09 percentage points (95% CI -0.45 to +0.28, paired t over 3 pairs)'."""
    s = summary.pp(d.mean)
    if d.has_ci:
        how = ("pairs of runs with the same seed" if d.method == "paired t"
               else "runs in the smaller group")
        s += (f" (95% CI {summary.pp(d.lo, unit=False)} to {summary.pp(d.hi, unit=False)}; "
              f"{d.method} over {d.n} {how})")
    return s


def _settings_text(sc, base):
    if not sc.settings:
        return "the same parameters as the baseline"
    parts = []
    for k, v in sc.settings.items():
        if k == "timeline":
            parts.append(f"timeline: {v}")
            continue
        was = base.settings.get(k, base.params.get(k))
        if was is not None and was != v:
            parts.append(f"{k} {summary._fmt_value(v)} instead of {summary._fmt_value(was)}")
        else:
            parts.append(f"{k} = {summary._fmt_value(v)}")
    return ", ".join(parts)


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
        self.scens = summary.scenarios_from_files(compared, baseline) if compared else []
        self.numbers = {}
        self.notes = []

    # ---- numbers ---------------------------------------------------------------------
    def threshold_words(self):
        p = self.scens[0].params if self.scens else self.results[0].parameters
        sev = p.get("outcomes.left_out_severity", 0.3)
        wk = int(p.get("outcomes.left_out_weeks", 4))
        span = "a month or more" if wk == 4 else f"{wk} weeks or more"
        return sev, wk, span

    def compute(self):
        N = self.numbers
        if not self.scens:
            return
        base = self.scens[0]
        fifth = summary.most_deprived_fifth(base.first)
        self.fifth = fifth
        for i, sc in enumerate(self.scens):
            key = f"s{i}"
            area = summary.weighted_rate(sc, self.metric)
            dep = summary.weighted_rate(sc, self.metric, fifth)
            N[key] = {
                "label": sc.label, "replicates": sc.n, "seeds": sc.seeds,
                "area": area.tolist(), "fifth": dep.tolist(),
                "area_mean": float(np.mean(area)), "fifth_mean": float(np.mean(dep)),
            }
            if "left_out_newcomer_rate" in sc.first.metric_names:
                N[key]["newcomers_nbmean"] = float(np.mean(
                    summary.breakdown_means(sc, "left_out_newcomer_rate")))
                N[key]["all_nbmean"] = float(np.mean(summary.breakdown_means(sc, self.metric)))
            if i > 0:
                d_area = summary.compare(N["s0"]["area"], area, base.seeds, sc.seeds)
                d_fifth = summary.compare(N["s0"]["fifth"], dep, base.seeds, sc.seeds)
                N[key]["diff_area"] = vars(d_area)
                N[key]["diff_fifth"] = vars(d_fifth)
        N["fifth_neighbourhoods"] = [int(x) for x in fifth]

    # ---- sections --------------------------------------------------------------------
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
                    q = (f"What changes for those left out when {_settings_text(sc, self.scens[0])}"
                         "?")
            q = q[:1].upper() + q[1:]
            role = "baseline" if i == 0 else "policy"
            asked.setdefault(q, []).append(f"{sc.label} ({role})")
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

    def headline_sentences(self):
        """The headline sentences, plain text (also used by tests and the command's output)."""
        if not self.scens:
            return ["No scenario to compare: the files given are parameter explorations only."]
        N = self.numbers
        sev, wk, span = self.threshold_words()
        base = self.scens[0]
        b = N["s0"]
        k, n = len(self.fifth), len(base.first.neighbourhoods)
        fifth_words = (f"the most deprived fifth of neighbourhoods (the {k} of {n} with the "
                       "highest deprivation)")
        ci_b = summary.stats.mean_ci(b["fifth"])
        ci_ba = summary.stats.mean_ci(b["area"])
        out = [
            f"In the baseline ({base.label}), in {fifth_words}, in an average week "
            f"{rate_words(b['fifth_mean'], ci_b, 'residents')} had a need of severity {sev:g} or "
            f"more (on a 0 to 1 scale) and had gone {span} without help from anyone. Over the "
            f"whole area it was {rate_words(b['area_mean'], ci_ba)}."
        ]
        for i, sc in enumerate(self.scens[1:], start=1):
            p = N[f"s{i}"]
            d = summary.stats.Interval(**p["diff_fifth"])
            what = _settings_text(sc, base)
            who = what if sc.label == summary._point_label(sc.settings) else f"{sc.label} ({what})"
            s = (f"With {who}, in the most deprived fifth it "
                 f"was {rate_words(p['fifth_mean'], summary.stats.mean_ci(p['fifth']))}, against "
                 f"{summary.one_in(b['fifth_mean'])} in the baseline: a change of "
                 f"{diff_words(d)}. ")
            if d.has_ci:
                if d.lo > 0:
                    s += "More people are left out with this policy, beyond what chance explains."
                elif d.hi < 0:
                    s += "Fewer people are left out with this policy, beyond what chance explains."
                else:
                    s += ("The interval includes zero: these runs cannot tell this policy's effect "
                          "from no effect.")
            else:
                s += "With one run per scenario no confidence interval can be given."
            out.append(s)
            da = summary.stats.Interval(**p["diff_area"])
            out.append(f"Over the whole area with {sc.label}: "
                       f"{rate_words(p['area_mean'], summary.stats.mean_ci(p['area']))}, against "
                       f"{summary.one_in(b['area_mean'])} in the baseline, a change of "
                       f"{diff_words(da)}.")
            if "newcomers_nbmean" in p and "newcomers_nbmean" in b:
                gb = b["newcomers_nbmean"] - b["all_nbmean"]
                gp = p["newcomers_nbmean"] - p["all_nbmean"]
                trend = "widens" if abs(gp) > abs(gb) else "narrows" if abs(gp) < abs(gb) \
                    else "is unchanged"
                out.append(
                    f"Newcomers (residents who arrived after the start) compared with all "
                    f"residents, neighbourhood averages: left out {summary.pct(b['newcomers_nbmean'], 2)} "
                    f"against {summary.pct(b['all_nbmean'], 2)} in the baseline, "
                    f"{summary.pct(p['newcomers_nbmean'], 2)} against "
                    f"{summary.pct(p['all_nbmean'], 2)} with {sc.label}; the gap {trend} "
                    f"(from {summary.pp(gb, unit=False)} to {summary.pp(gp)}).")
        if all(sc.n < 2 for sc in self.scens):
            out.append(
                "Each scenario here is a single run, so no confidence interval can be given: "
                "differences this small may be chance. To get intervals, run replicates — the "
                "same scenarios with several seeds (commonweal run … --seed 1, --seed 2, …, all "
                "files given to this report) or a sweep with replicates and common random "
                "numbers.")
        return out

    def sec_headlines(self):
        out = []
        for s in self.headline_sentences():
            cls = "caveat" if s.startswith("Each scenario here is a single run") else "headline"
            out.append(f'<p class="{cls}">{esc(s)}</p>')
        return "".join(out)

    def sec_scenarios(self):
        if not self.scens:
            return "<p>No scenarios to compare.</p>"
        rows = ["<tr><th>scenario</th><th>role</th><th>what differs from the baseline</th>"
                "<th>replicates</th><th>seeds</th><th>files</th></tr>"]
        for i, sc in enumerate(self.scens):
            rows.append(
                f"<tr><td>{esc(sc.label)}</td><td>{'baseline' if i == 0 else 'policy'}</td>"
                f"<td>{esc('—' if i == 0 else _settings_text(sc, self.scens[0]))}</td>"
                f"<td class=n>{sc.n}</td><td>{esc(load._seed_text(sc.seeds))}</td>"
                f"<td>{esc(', '.join(os.path.basename(f) for f in sc.files))}</td></tr>")
        return "<table>" + "".join(rows) + "</table>"

    def sec_over_time(self):
        if not self.scens:
            return "<p>No scenarios.</p>"
        f1 = plots.timeseries(self.scens, self.metric, ylabel="left out (% of residents)",
                              title="Left out, whole area")
        f2 = plots.timeseries(self.scens, self.metric, nbhds=self.fifth,
                              ylabel="left out (% of residents)",
                              title="Left out, most deprived fifth of neighbourhoods")
        return ("<p>Share of residents left out each week, weighted by neighbourhood population; "
                "dotted lines mark timeline events.</p>"
                + fig_img(f1, "left out over time, whole area")
                + fig_img(f2, "left out over time, most deprived fifth"))

    def sec_who(self):
        if not self.scens:
            return "<p>No scenarios.</p>"
        res = self.scens[0].first
        html_ = fig_img(plots.breakdowns(self.scens, "left_out"), "left out by group")
        rows = ["<tr><th>group</th>" + "".join(f"<th>{esc(sc.label)}</th>" for sc in self.scens)
                + "</tr>"]
        for dim in ("quintile", "identity", "age_band"):
            name = f"left_out_by_{dim}"
            if name not in res.metric_names:
                continue
            vals = [summary.breakdown_means(sc, name).mean(axis=0) for sc in self.scens]
            for j, lab in enumerate(res.labels.get(dim, [])):
                rows.append(f"<tr><td>{esc(dim.replace('_', ' '))} {esc(lab)}</td>"
                            + "".join(f"<td class=n>{summary.pct(v[j], 2)}</td>" for v in vals)
                            + "</tr>")
        decs = [summary.by_decile(sc, self.metric) for sc in self.scens]
        for d in decs[0]:
            rows.append(f"<tr><td>deprivation decile {d}</td>"
                        + "".join(f"<td class=n>{summary.pct(float(np.mean(x[d])), 2)}</td>"
                                  for x in decs) + "</tr>")
        return (html_ + "<p>Left out, % of the group, mean over reported weeks and replicates. "
                "Income quintile, identity and age band are averaged over neighbourhoods (each "
                "counts equally); deprivation deciles are weighted by population.</p><table>"
                + "".join(rows) + "</table>"
                + fig_img(plots.breakdowns(self.scens, "need_rate"), "need by group"))

    def sec_difference(self):
        if len(self.scens) < 2:
            return "<p>Only one scenario was given: there is nothing to compare it with.</p>"
        html_ = fig_img(plots.difference(self.scens, self.metric), "difference plot")
        base = self.scens[0]
        for pol in self.scens[1:plots.MAX_PANELS + 1]:
            rows = ["<tr><th>group</th><th>difference (percentage points)</th><th>95% CI</th><th>method</th></tr>"]
            for label, iv in plots.difference_rows(base, pol, self.metric):
                ci = (f"{summary.pp(iv.lo, unit=False)} to {summary.pp(iv.hi, unit=False)}"
                      if iv.has_ci else "none")
                rows.append(f"<tr><td>{esc(label)}</td>"
                            f"<td class=n>{summary.pp(iv.mean, unit=False)}</td>"
                            f"<td class=n>{esc(ci)}</td><td>{esc(iv.method)}</td></tr>")
            html_ += (f"<h3>{esc(pol.label)} minus {esc(base.label)}</h3><table>"
                      + "".join(rows) + "</table>")
        return ("<p>Each row: the policy's left-out rate minus the baseline's, in percentage "
                "points (below zero: fewer people left out). Runs with the same seed are paired "
                "(common random numbers), and the interval is Student's t over the pairs.</p>"
                + html_)

    def sec_unmet(self):
        if not self.scens:
            return "<p>No scenarios.</p>"
        return ("<p>A need is unmet in a week when it got no help from any route that week.</p>"
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
            f"(on a 0–1 scale) who has had no help from any route — family and friends, "
            f"community groups or public services — for {wk} weeks or more "
            "(<code>left_out_rate</code>, a share of all residents).</li>"
            "<li><b>Unmet need</b>: a need that got no help from any route this week "
            "(<code>unmet_need_rate</code>, per sector).</li>"
            "<li><b>Most deprived fifth</b>: the fifth of neighbourhoods with the highest "
            "deprivation index; rates there are weighted by each neighbourhood's population.</li>"
            "<li><b>Income quintile</b>: the resident's income fifth in the area, fixed at the "
            "start (Q1 lowest).</li>"
            "<li><b>95% CI</b>: Student t interval over replicates; paired by seed when the runs "
            "share seeds (common random numbers), otherwise Welch's t. With one run per scenario "
            "there is none.</li>"
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
    def html(self):
        self.compute()
        body = []
        for key, title in SECTIONS:
            content = getattr(self, "sec_" + key.replace("-", "_"))()
            body.append(f'<section id="{key}"><h2>{esc(title)}</h2>{content}</section>')
        names = ", ".join(os.path.basename(p) for p in self.paths)
        nav = "".join(f'<li><a href="#{k}">{esc(t)}</a></li>' for k, t in SECTIONS)
        numbers = json.dumps(self.numbers, default=_json_default).replace("</", "<\\/")
        lead = esc(self.headline_sentences()[0])
        return (
            "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
            '<meta name=viewport content="width=device-width, initial-scale=1">'
            f"<title>Commonweal report: {esc(names)}</title><style>{CSS}</style></head><body>"
            f"<h1>Who is left out? A Commonweal what-if report</h1>"
            f'<p class="small">From {esc(names)}.</p><p class="lead">{lead}</p>'
            f"<nav><ol>{nav}</ol></nav>{''.join(body)}"
            f'<script type="application/json" id="cw-numbers">{numbers}</script>'
            "</body></html>")


def _json_default(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, float) and math.isnan(o):
        return None
    return str(o)


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
                    "seeds are replicates; a sweep file gives one scenario per design point).")
    ap.add_argument("files", nargs="+", help="BASE.h5 [POLICY.h5 | SWEEP.h5 ...]")
    ap.add_argument("-o", "--output", default="report.html", help="output HTML (report.html)")
    ap.add_argument("--baseline", help="for a sweep: the baseline point, e.g. 'investment.mode=none'")
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
    except MismatchError as e:
        print(f"analysis.report: {e}", file=sys.stderr)
        return 2
    except (OSError, KeyError, ValueError) as e:
        print(f"analysis.report: {e}", file=sys.stderr)
        return 1
    tmp = args.output + ".partial"
    with open(tmp, "w", encoding="utf-8") as fp:
        fp.write(page)
    os.replace(tmp, args.output)
    print(f"wrote {args.output}")
    for s in rep.headline_sentences():
        print(" -", s)
    return 0


if __name__ == "__main__":
    sys.exit(main())
