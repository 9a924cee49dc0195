# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Sensitivity over everything that matters (issue 17 item 3): a Morris screen of every
behavioural parameter, Sobol' indices for the ten that matter most, and docs/SENSITIVITY.md.

    # 1. the screen's sweep: every behavioural parameter (no role, doc says [assumption])
    /usr/bin/python3 -m analysis.screen morris-sweep build/commonweal -o scenarios/sweeps/morris-all.yaml
    build/commonweal sweep scenarios/sweeps/morris-all.yaml -o morris-all.h5
    # 2. Sobol' for the top ten of the screen (by mu* on left out in the most deprived fifth)
    /usr/bin/python3 -m analysis.screen sobol-sweep morris-all.h5 -o scenarios/sweeps/sobol-top10.yaml
    build/commonweal sweep scenarios/sweeps/sobol-top10.yaml -o sobol-top10.h5
    # 3. the page, its tables and plots
    /usr/bin/python3 -m analysis.screen report morris-all.h5 --sobol sobol-top10.h5 -o docs/SENSITIVITY.md

Ranges: each parameter from its default d, [d / 2, 3 d / 2] (a factor-of-1.5 bracket either
side, the convention of the shipped LHS sweeps for [assumption] values), clipped to the
parameter's allowed range; where scenarios/sweeps/uncertainty-lhs.yaml gives a range, that one.
Outputs screened: left out overall (population-weighted over neighbourhoods and the reported
weeks) and left out in the most deprived fifth of neighbourhoods (area_left_out_by_fifth,
from summed counts).
"""
from __future__ import annotations

import argparse
import json
import pathlib
import re
import subprocess
import sys

import numpy as np
import yaml

from . import load, morris, sobol

TOP = pathlib.Path(__file__).resolve().parent.parent
OUTPUTS = {"left_out_rate": "left out, whole area",
           "area_left_out_by_fifth[4]": "left out, most deprived fifth"}   # fifth 5: deciles 9-10
SIZE = {  # the screen's reduced size: runs in minutes, ranks as the full size does (docs/SENSITIVITY.md)
    "population.neighbourhoods": 10, "population.residents_per_neighbourhood": 800,
    "run.weeks": 156, "run.burn_in_weeks": 260}


SKIP_SETUP = ("population.", "groups.initial_share.", "groups.initial_slot_factor")  # inputs, composition, memory
DEFINITIONS = ("outcomes.", "social.isolated_tie_weight", "social.lonely_weeks")   # what a measure means


def unpublished(doc):
    """True when a parameter's value has no published source: its doc's bracket says
    [assumption], or cites only the project's own MODEL.md (a design choice, not a measurement)."""
    m = re.search(r"\[([^\]]*)\]\s*$", doc)
    src = m.group(1) if m else ""
    if "assumption" in src:
        return True
    return bool(src) and all(part.strip().startswith("MODEL.md") for part in src.split(";"))


def behavioural(binary, prefixes=None, exclude=()):
    """The behavioural parameters: numeric, with no published value (unpublished(): [assumption],
    or MODEL.md's design only; a parameter with a published source is never screened, nor one that
    defines a measure). Without prefixes: every one with no role, plus the set-up
    assumptions about behaviour (ties' homophily, groups' openness and memberships; not the
    population's inputs, the groups' initial composition or the slot memory). With prefixes (a lever's
    or a crisis's own parameters, e.g. partnership.): those, screened in a scenario that uses them."""
    out = subprocess.run([str(binary), "params", "--json"], check=True, capture_output=True, text=True)
    keep = []
    for p in json.loads(out.stdout):
        if (p["type"] not in ("real", "int") or not unpublished(p["doc"]) or "shape" in p["roles"]
                or p["path"].startswith(DEFINITIONS) or p["path"] in exclude):
            continue
        if prefixes:
            ok = any(p["path"].startswith(x) for x in prefixes) and "refund" not in p["roles"]
        else:
            ok = (not p["roles"] or (p["roles"] == ["setup"] and not p["path"].startswith(SKIP_SETUP)))
        if ok:
            keep.append(p)
    return keep


def ranges(params, lhs=TOP / "scenarios/sweeps/uncertainty-lhs.yaml"):
    """{path: (lo, hi)}: [d/2, 3d/2] clipped to the allowed range, or the shipped LHS range."""
    shipped = (yaml.safe_load(open(lhs)) or {}).get("vary", {}) if pathlib.Path(lhs).exists() else {}
    out = {}
    for p in params:
        d, lo_ok, hi_ok = float(p["default"]), float(p["min"]), float(p["max"])
        if p["path"] in shipped:
            lo, hi = float(shipped[p["path"]]["min"]), float(shipped[p["path"]]["max"])
        else:
            lo, hi = max(lo_ok, 0.5 * d), min(hi_ok, 1.5 * d)
        if p["type"] == "int":
            lo, hi = float(np.floor(lo)), float(np.ceil(hi))
        if hi > lo:
            out[p["path"]] = (lo, hi, p["type"])
    return out


def _yaml_range(lo, hi, kind):
    if kind == "int":
        return f"{{min: {int(lo)}, max: {int(hi)}}}"
    return f"{{min: {lo:.6g}, max: {hi:.6g}}}"


def write_morris_sweep(binary, out, trajectories=6, base="../baseline.yaml", prefixes=None, weeks=None, exclude=()):
    rng = ranges(behavioural(binary, prefixes, exclude))
    what = ("the parameters of " + ", ".join(prefixes) + " in " + base if prefixes else
            "every behavioural parameter (no role, or a set-up assumption about behaviour)")
    cmd = (f"/usr/bin/python3 -m analysis.screen morris-sweep build/commonweal -o {out}"
           + (f" --base {base}" + "".join(f" --prefix {x}" for x in prefixes) if prefixes else "")
           + (f" --weeks {weeks}" if weeks else "") + "".join(f" --exclude {x}" for x in exclude))
    size = dict(SIZE, **({"run.weeks": weeks} if weeks else {}))
    lines = [
        f"# Morris screening (issue 17 item 3) of {what}:",
        "# each one marked [assumption], range [d/2, 3d/2] of its default d clipped to its allowed",
        "# range (or uncertainty-lhs.yaml's). Generated by",
        "#   " + cmd,
        f"# {len(rng)} parameters x {trajectories} trajectories = {(len(rng) + 1) * trajectories} members at",
        f"# a reduced size (10 x 800 adults, the baseline's 5-year burn-in, {size['run.weeks']} weeks reported);",
        "# docs/SENSITIVITY.md has the results.",
        f"base: {base}",
        "method: morris",
        f"trajectories: {trajectories}",
        "levels: 4",
        "replicates: 1",
        "common_random_numbers: true",
        "set:"]
    lines += [f"  {k}: {v}" for k, v in size.items()]
    lines.append("vary:")
    lines += [f"  {k}: {_yaml_range(lo, hi, t)}" for k, (lo, hi, t) in rng.items()]
    pathlib.Path(out).write_text("\n".join(lines) + "\n")
    return len(rng)


def morris_tables(path):
    res = load.open_result(path)
    return res, {name: morris.analyse_file(res, name) for name in OUTPUTS}


def top(tabs, n=10, by="area_left_out_by_fifth[4]"):
    return list(tabs[by].sort_values("mu_star", ascending=False).index[:n])


def write_sobol_sweep(morris_path, out, n_base=64, k=10):
    res, tabs = morris_tables(morris_path)
    names = top(tabs, k)
    rng = {p: _screened_range(res, p) for p in names}
    lines = [
        f"# Sobol' indices (Saltelli design, N = {n_base}) for the {k} parameters ranked first by the",
        "# Morris screen on left out in the most deprived fifth (issue 17 item 3). Generated by",
        f"#   /usr/bin/python3 -m analysis.screen sobol-sweep {morris_path} -o {out}",
        f"# {n_base} x ({k} + 2) = {n_base * (k + 2)} members at the screen's reduced size.",
        "base: ../baseline.yaml", "method: saltelli", f"n: {n_base}", "replicates: 1",
        "common_random_numbers: true", "set:"]
    lines += [f"  {kk}: {v}" for kk, v in SIZE.items()]
    lines.append("vary:")
    lines += [f"  {p}: {_yaml_range(lo, hi, t)}" for p, (lo, hi, t) in rng.items()]
    pathlib.Path(out).write_text("\n".join(lines) + "\n")
    return names


def _screened_range(res, path):
    """(lo, hi, kind): the range the morris sweep's members covered for `path`."""
    v = res.members[path].to_numpy(dtype=float)
    kind = "int" if np.all(v == np.round(v)) and np.all(np.abs(v) >= 1) else "real"
    return float(v.min()), float(v.max()), kind


def _base_of(res):
    """The scenario a sweep file's sweep is based on (its `base:`)."""
    text = res.attrs.get("sweep_yaml", "")
    text = text.decode() if isinstance(text, bytes) else str(text)
    m = re.search(r"^base:\s*(\S+)", text, re.M)
    return pathlib.Path(m.group(1)).name if m else "?"


def _complete_blocks(sres, metric):
    """Base samples of a Saltelli sweep (partial or not) whose k + 2 members all finished."""
    X, y, names = sobol.sweep_design(sres, metric)
    blocks = y[: len(y) // (len(names) + 2) * (len(names) + 2)].reshape(-1, len(names) + 2)
    return int(np.all(np.isfinite(blocks), axis=1).sum())


def _slug(name):
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")


def report(morris_path, sobol_path, out, plots_dir, levers=()):
    res, tabs = morris_tables(morris_path)
    plots_dir = pathlib.Path(plots_dir)
    plots_dir.mkdir(parents=True, exist_ok=True)
    rel = lambda p: pathlib.Path(p).resolve().relative_to(pathlib.Path(out).resolve().parent)
    y = {n: morris.member_values(res, n) for n in OUTPUTS}
    L = ["# Sensitivity", "",
         "Generated by `/usr/bin/python3 -m analysis.screen report` (analysis/screen.py); never edit by hand.",
         "The commands that made it (2 cores: the screen 10 minutes, the Sobol' sweep 12):", "",
         "    cmake --build build -j",
         "    /usr/bin/python3 -m analysis.screen morris-sweep build/commonweal -o scenarios/sweeps/morris-all.yaml",
         "    build/commonweal sweep scenarios/sweeps/morris-all.yaml -o morris-all.h5",
         "    # the lever screens: scenarios/sweeps/morris-{partnership,lockdown,investment}.yaml likewise",
         "    # (each file's header has the command that wrote it)",
         "    /usr/bin/python3 -m analysis.screen sobol-sweep morris-all.h5 -o scenarios/sweeps/sobol-top10.yaml",
         "    build/commonweal sweep scenarios/sweeps/sobol-top10.yaml -o sobol-top10.h5",
         "    /usr/bin/python3 -m analysis.screen report morris-all.h5 --sobol sobol-top10.h5 \\",
         "        --lever morris-partnership.h5 --lever morris-lockdown.h5 --lever morris-investment.h5", "",
         f"Morris screen: {len(res.varied)} behavioural parameters (every parameter with no published "
         f"value - [assumption] or MODEL.md's design only - that is not a lever, a crisis switch, an input "
         f"of the area or the definition of a measure), {int(res.complete_members.size)} members of `{pathlib.Path(morris_path).name}`, "
         "reduced size 10 neighbourhoods x 800 adults, 5-year burn-in, 3 years reported, common random "
         "numbers. Range of each parameter: [d/2, 3d/2] of its default, clipped to its allowed range, or "
         "the shipped uncertainty-lhs.yaml range. All parameters move at once across the trajectories' "
         "base points, so the outputs span a wide range (below): the ranking is of influence over that "
         "whole space, not near the default only.", "",
         "Outputs over the members: " + "; ".join(
             f"{OUTPUTS[n]} mean {np.nanmean(v):.2%} (min {np.nanmin(v):.2%}, max {np.nanmax(v):.2%})"
             for n, v in y.items()) + ".", ""]
    for name, tab in tabs.items():
        t = tab.sort_values("mu_star", ascending=False)
        png = plots_dir / f"morris-{_slug(name)}.png"
        morris.plot(tab, png, title=f"Morris screening: {OUTPUTS[name]}")
        L += [f"## Morris: {OUTPUTS[name]}", "", f"![Morris mu* and sigma]({rel(png)})", "",
              "mu* = mean |elementary effect| (change in the rate per unit of the parameter's scaled "
              "range, percentage points); sigma = their standard deviation (interactions or "
              "non-linearity). Top 20 of " + str(len(t)) + ":", "",
              "| rank | parameter | mu* (pp) | sigma (pp) | mu (pp) |", "|---|---|---|---|---|"]
        for r, (p, row) in enumerate(t.head(20).iterrows(), 1):
            L.append(f"| {r} | `{p}` | {100 * row.mu_star:.3f} | {100 * row.sigma:.3f} | {100 * row.mu:+.3f} |")
        L.append("")
    for path in levers:
        lres = load.open_result(path)
        L += [f"## Morris: a lever's own parameters, `{pathlib.Path(path).name}`", "",
              f"{len(lres.varied)} parameters, screened in `{_base_of(lres)}` (where the lever is on), "
              f"{int(lres.complete_members.size)} members, the same size and ranges.", "",
              "| parameter | " + " | ".join(f"mu* {OUTPUTS[n]} (pp)" for n in OUTPUTS) + " |",
              "|---|" + "---|" * len(OUTPUTS)]
        ltabs = {n: morris.analyse_file(lres, n) for n in OUTPUTS}
        first = list(OUTPUTS)[-1]
        for p, row in ltabs[first].sort_values("mu_star", ascending=False).iterrows():
            L.append(f"| `{p}` | " + " | ".join(f"{100 * ltabs[n].loc[p, 'mu_star']:.3f}" for n in OUTPUTS) + " |")
        L.append("")
    if sobol_path:
        sres = load.open_result(sobol_path)
        for name in OUTPUTS:
            st = sobol.analyse_file(sres, name)
            png = plots_dir / f"sobol-{_slug(name)}.png"
            sobol.plot(st, png, title=f"Sobol' indices: {OUTPUTS[name]}")
            cols = [c for c in st.columns if c != "rank"]
            L += [f"## Sobol': {OUTPUTS[name]}", "", f"![Sobol' indices]({rel(png)})", "",
                  f"Saltelli design: {_complete_blocks(sres, name)} of {sres.attrs.get('saltelli_n', '?')} base "
                  f"samples complete ({int(sres.complete_members.size)} members of "
                  f"`{pathlib.Path(sobol_path).name}`), bootstrap 95% intervals; with few base samples the "
                  "intervals are wide and S1 can read below zero (estimator noise).", "",
                  "| parameter | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
            for p, row in st.sort_values("ST", ascending=False).iterrows():
                L.append(f"| `{p}` | " + " | ".join(f"{row[c]:.3f}" for c in cols) + " |")
            L.append("")
    pathlib.Path(out).write_text("\n".join(L) + "\n")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m analysis.screen", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("morris-sweep", help="write the Morris sweep over every behavioural parameter")
    a.add_argument("binary")
    a.add_argument("-o", "--output", required=True)
    a.add_argument("--trajectories", type=int, default=6)
    a.add_argument("--base", default="../baseline.yaml", help="the scenario, relative to the sweep file")
    a.add_argument("--prefix", action="append", help="screen a lever's own parameters (repeatable)")
    a.add_argument("--exclude", action="append", default=[],
                   help="leave a parameter out (one the scenario's timeline sets, e.g. investment.amount)")
    a.add_argument("--weeks", type=int, help="reported weeks, where the scenario's timeline needs more than 156")
    b = sub.add_parser("sobol-sweep", help="write the Saltelli sweep for the screen's top ten")
    b.add_argument("morris")
    b.add_argument("-o", "--output", required=True)
    b.add_argument("-n", type=int, default=64)
    c = sub.add_parser("report", help="write docs/SENSITIVITY.md and its plots")
    c.add_argument("morris")
    c.add_argument("--sobol")
    c.add_argument("-o", "--output", default=str(TOP / "docs/SENSITIVITY.md"))
    c.add_argument("--plots", default=str(TOP / "docs/img"))
    c.add_argument("--lever", action="append", default=[], help="a lever's own screen (repeatable)")
    args = ap.parse_args(argv)
    try:
        if args.cmd == "morris-sweep":
            k = write_morris_sweep(args.binary, args.output, args.trajectories, args.base, args.prefix, args.weeks, args.exclude)
            print(f"{args.output}: {k} parameters, {(k + 1) * args.trajectories} members")
        elif args.cmd == "sobol-sweep":
            print(f"{args.output}: " + ", ".join(write_sobol_sweep(args.morris, args.output, args.n)))
        else:
            report(args.morris, args.sobol, args.output, args.plots, args.lever)
            print(args.output)
    except (OSError, ValueError, KeyError, subprocess.CalledProcessError) as e:
        print(f"analysis.screen: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
