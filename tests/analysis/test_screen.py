# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""analysis.screen: the Morris screen of every behavioural parameter (issue 17 item 3)."""
import json
import re
import subprocess

import numpy as np
import pytest
import yaml

from analysis import load, morris, screen
from conftest import run_cli

BASELINE = screen.TOP / "scenarios/baseline.yaml"


def _params(commonweal):
    out = subprocess.run([commonweal, "params", "--json"], check=True, capture_output=True, text=True)
    return {p["path"]: p for p in json.loads(out.stdout)}


def test_the_screen_varies_every_behavioural_assumption_and_nothing_sourced(commonweal, tmp_path):
    out = tmp_path / "morris-all.yaml"
    k = screen.write_morris_sweep(commonweal, out, base=str(BASELINE))
    vary = yaml.safe_load(out.read_text())["vary"]
    params = _params(commonweal)
    assert k == len(vary) >= 60                      # issue 17: at least 60
    for path, r in vary.items():
        p = params[path]
        assert screen.unpublished(p["doc"]), path   # a sourced parameter is never screened
        assert p["min"] <= r["min"] < r["max"] <= p["max"], path
        assert "lever" not in p["roles"] and "shape" not in p["roles"], path
    # the three that moved left out most in the first screen, and the group life cycle
    for must in ("need.self_resolve_rate", "help.household_offer_rate", "need.severity_mean",
                 "groups.closure_rate"):
        assert must in vary, must
    r = subprocess.run([commonweal, "sweep", str(out), "--dry-run"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert f"{(k + 1) * 6} members" in r.stdout + r.stderr


def test_unpublished_means_no_published_source():
    assert screen.unpublished("Weekly chance [assumption]")
    assert screen.unpublished("Slow resolution [MODEL.md s3.2: slow]")
    assert screen.unpublished("x [assumption; NCVO 2019 order of magnitude]")
    assert not screen.unpublished("Age shares [ONS mid-2021 estimates, England]")
    assert not screen.unpublished("Penalty [MODEL.md s3.4; Jopling 2023]")
    assert not screen.unpublished("No bracket at all")


def test_a_lever_screen_takes_only_its_own_parameters(commonweal, tmp_path):
    out = tmp_path / "morris-partnership.yaml"
    screen.write_morris_sweep(commonweal, out, base="../partnership.yaml", prefixes=["partnership."])
    vary = yaml.safe_load(out.read_text())["vary"]
    assert vary and all(p.startswith("partnership.") for p in vary)
    assert "partnership.escalation_pool_hours" not in vary   # money (re-funds services), not behaviour


def test_saltelli_refuses_more_factors_than_its_sequence_has(commonweal, tmp_path):
    out = tmp_path / "too-many.yaml"
    screen.write_morris_sweep(commonweal, out, base=str(BASELINE))
    text = out.read_text().replace("method: morris", "method: saltelli\nn: 4").replace("trajectories: 6\n", "")
    text = text.replace("levels: 4\n", "")
    out.write_text(text)
    r = subprocess.run([commonweal, "sweep", str(out), "--dry-run"], capture_output=True, text=True)
    assert r.returncode == 2
    assert "saltelli varies at most 64 parameters" in r.stderr and "too-many.yaml:" in r.stderr


def test_an_entry_of_a_breakdown_is_one_output(runs):
    """NAME[i] takes entry i of the last dimension: left out in the most deprived fifth."""
    res = load.open_result(runs["base"][0])
    x = res.metric("area_left_out_by_fifth")[:, res.report_weeks]
    got = morris.member_values(res, "area_left_out_by_fifth[4]")
    assert got == pytest.approx(x[:, :, 4].mean(axis=1))
    assert not np.allclose(got, morris.member_values(res, "area_left_out_by_fifth[0]"))


SCREEN_MORRIS = """base: {tiny}
method: morris
trajectories: 3
levels: 4
replicates: 1
common_random_numbers: true
set:
  run.weeks: 40
  run.burn_in_weeks: 13
vary:
  help.informal_offer_rate: {{min: 0.04, max: 0.12}}
  groups.burnout_rate: {{min: 0.025, max: 0.1}}
"""
SCREEN_SOBOL = SCREEN_MORRIS.replace("method: morris\ntrajectories: 3\nlevels: 4\n", "method: saltelli\nn: 4\n")


def test_the_report_has_every_screened_parameter_with_its_figures_and_plots(commonweal, source_dir, work,
                                                                                tmp_path):
    """`screen report` (docs/SENSITIVITY.md's writer): every screened parameter is a row of each
    output's Morris table with mu* as morris.analyse_file computes it, the Sobol' section lists
    ST for each, and every plot it links exists."""
    files = {}
    for name, text in (("screen_morris", SCREEN_MORRIS), ("screen_sobol", SCREEN_SOBOL)):
        yml = work / f"{name}.yaml"
        yml.write_text(text.format(tiny=source_dir / "scenarios" / "tiny.yaml"))
        files[name] = work / f"{name}.h5"
        run_cli(commonweal, "sweep", yml, "-o", files[name], "--quiet", "--force", "--jobs", 2)
    out, plots = tmp_path / "SENSITIVITY.md", tmp_path / "img"
    screen.report(files["screen_morris"], files["screen_sobol"], out, plots)
    text = out.read_text()
    res = load.open_result(files["screen_morris"])
    assert "Morris screen: 2 behavioural parameters" in text
    for metric, label in screen.OUTPUTS.items():
        assert f"## Morris: {label}" in text and f"## Sobol': {label}" in text
        tab = morris.analyse_file(res, metric)
        for p, row in tab.iterrows():
            assert f"| `{p}` | {100 * row.mu_star:.3f} | {100 * row.sigma:.3f} |" in text, (metric, p)
    for link in re.findall(r"\]\(([^)]+\.png)\)", text):
        assert (out.parent / link).exists(), link
    assert len(list(plots.glob("*.png"))) == 2 * len(screen.OUTPUTS)
