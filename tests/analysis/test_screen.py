# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""analysis.screen: the Morris screen of every behavioural parameter (issue 17 item 3)."""
import json
import subprocess

import numpy as np
import pytest
import yaml

from analysis import load, morris, screen

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
