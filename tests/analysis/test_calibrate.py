# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""analysis.calibrate: history matching and refinement recover a known optimum; bad fit files
are refused with FILE:LINE:COL and exit 2; a tiny real fit writes a scenario that loads."""
import json
import math
import pathlib
import subprocess

import numpy as np
import pytest

from analysis import calibrate

TOP = pathlib.Path(__file__).resolve().parents[2]


def _targets():
    """Two synthetic targets with bands: y0 = a + b/2 at 0.40 (0.35..0.45), y1 = b at 0.70."""
    return [calibrate.Target("T0", "synthetic", 0.40, 0.35, 0.45, "pct", "40%", "test"),
            calibrate.Target("T1", "synthetic", 0.70, 0.65, 0.75, "pct", "70%", "test")]


def _spec(tmp_path, waves=((40, 1), (40, 1))):
    return calibrate.Spec(path=tmp_path / "fit.yaml", base=tmp_path / "base.yaml",
                          params=[calibrate.Param("p.a", 0.0, 1.0, 0.5), calibrate.Param("p.b", 0.0, 1.0, 0.5)],
                          targets=_targets(), waves=list(waves), candidates=5000, seed=3,
                          output=tmp_path / "calibrated.yaml", diagnostics=tmp_path / "fit")


def _model(X):
    X = np.atleast_2d(X)
    return np.column_stack([X[:, 0] + 0.5 * X[:, 1], X[:, 1]])   # truth: a = 0.05, b = 0.70


def test_history_matching_keeps_the_truth_and_the_refinement_finds_it(tmp_path):
    diag = calibrate.fit(_spec(tmp_path), calibrate.FunctionEngine(_model, noise=0.005), log=lambda *_: None)
    a, b = (p for p in diag["parameters"])
    assert a["non_implausible"][0] <= 0.05 <= a["non_implausible"][1]
    assert b["non_implausible"][0] <= 0.70 <= b["non_implausible"][1]
    # the second wave's box is smaller than the prior: the first wave ruled space out
    assert diag["waves"][1]["box_share_of_prior"] < 0.5
    assert a["chosen"] == pytest.approx(0.05, abs=0.03)
    assert b["chosen"] == pytest.approx(0.70, abs=0.03)
    for row in diag["targets"]:
        assert row["inside_band"], row
    json.dumps(diag)                                          # JSON-ready


def test_a_model_that_cannot_reach_a_target_reports_it_missed(tmp_path):
    """y1 = 0.2 b can never reach 0.70: the check reports it outside its band, not hidden."""
    diag = calibrate.fit(_spec(tmp_path), calibrate.FunctionEngine(
        lambda X: np.column_stack([X[:, 0], 0.2 * X[:, 1]]), noise=0.002), log=lambda *_: None)
    t1 = [r for r in diag["targets"] if r["id"] == "T1"][0]
    assert not t1["inside_band"] and t1["implausibility"] > 3


def test_outputs_are_written(tmp_path):
    spec = _spec(tmp_path)
    diag = calibrate.fit(spec, calibrate.FunctionEngine(_model, noise=0.005), log=lambda *_: None)
    calibrate.write_outputs(spec, diag, "test")
    text = spec.output.read_text()
    assert "p.a" in text and "analysis.calibrate" in text
    for f in ("fit.json", "fit.md", "implausibility.png", "marginals.png"):
        assert (spec.diagnostics / f).stat().st_size > 0, f


def _fit_file(tmp_path, body):
    f = tmp_path / "fit.yaml"
    f.write_text(f"base: {TOP / 'scenarios/baseline.yaml'}\n" + body)
    return f


def test_a_sourced_parameter_is_refused(commonweal, tmp_path, capsys):
    f = _fit_file(tmp_path, "parameters:\n  - {name: help.community_severity_penalty.health, min: 0.1, max: 0.5}\n")
    assert calibrate.main([str(f), "--check", "--commonweal", commonweal]) == 2
    err = capsys.readouterr().err
    assert f"{f}:3:12:" in err and "has a published source" in err


@pytest.mark.parametrize("body, where, words", [
    ("parameters:\n  - {name: trust.anchor, min: 0.3, max: 1.5}\n", "3:41", "outside the parameter's range"),
    ("parameters:\n  - {name: no.such, min: 0, max: 1}\n", "3:12", "is not a parameter"),
    ("parameters:\n  - {name: trust.anchor, min: 0.6, max: 0.4}\n", "3:31", "must be below"),
    ("parameters: [\n", "", "not YAML"),
    ("colour: blue\nparameters:\n  - {name: trust.anchor, min: 0.3, max: 0.6}\n", "2:1", "unknown key"),
])
def test_a_bad_fit_file_names_file_line_col(commonweal, tmp_path, capsys, body, where, words):
    f = _fit_file(tmp_path, body)
    assert calibrate.main([str(f), "--check", "--commonweal", commonweal]) == 2
    err = capsys.readouterr().err
    assert words in err and f"{f}:{where}" in err, err


def test_the_shipped_fit_file_checks(commonweal):
    assert calibrate.main([str(TOP / "scenarios/calibration/fit.yaml"), "--check", "--commonweal", commonweal]) == 0


def test_a_tiny_real_fit_writes_a_scenario_that_loads(commonweal, tmp_path):
    f = _fit_file(tmp_path, "set:\n  population.neighbourhoods: 4\n  population.residents_per_neighbourhood: 300\n"
                            "  run.weeks: 52\n  run.burn_in_weeks: 26\n"
                            "parameters:\n  - {name: social.volunteer_propensity_min, min: 0.05, max: 0.2}\n"
                            "targets: [C1]\nwaves:\n  - {n: 6}\nverify_replicates: 2\ncandidates: 500\n")
    out = tmp_path / "calibrated.yaml"
    assert calibrate.main([str(f), "-o", str(out), "--commonweal", commonweal, "--jobs", "2"]) == 0
    assert (tmp_path / "calibrated-fit" / "fit.json").is_file()
    diag = json.loads((tmp_path / "calibrated-fit" / "fit.json").read_text())
    v = diag["parameters"][0]["chosen"]
    assert 0.05 <= v <= 0.2 and math.isfinite(diag["targets"][0]["model"])
    r = subprocess.run([commonweal, "check", str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
