# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""CLI conventions (issue 21): --json for info/params/metrics, '-' as a scenario on
standard input, -o - refused, one-line errors for unknown options, tidy CSV export,
the bash completion script and (when help2man was found) the man page."""
import csv
import io
import json
import os
import pathlib
import subprocess

import h5py
import numpy as np
import pytest

from conftest import run_cli


def cli(commonweal, *args, stdin=None, cwd=None):
    return subprocess.run([commonweal, *map(str, args)], capture_output=True, text=True, input=stdin,
                          timeout=300, cwd=cwd)


def test_params_json_lists_every_parameter(commonweal):
    rows = json.loads(run_cli(commonweal, "params", "--json").stdout)
    md = run_cli(commonweal, "params").stdout
    paths = {r["path"] for r in rows}
    assert len(rows) == md.count("\n| `") and "run.weeks" in paths
    weeks = next(r for r in rows if r["path"] == "run.weeks")
    assert weeks["type"] == "int" and weeks["min"] == 1 and isinstance(weeks["default"], int)
    assert all(r["choices"] for r in rows if r["type"] == "choice")


def test_metrics_listing_is_what_a_run_writes(commonweal, tiny_h5):
    # The listing is the source the docs and the other tests read (metrics_def): check it
    # against a run file, so a listing that drifts from what is written fails here.
    rows = json.loads(run_cli(commonweal, "metrics", "--json").stdout)
    assert rows
    with h5py.File(tiny_h5, "r") as f:
        for r in rows:
            ds = f[r["name"]]
            attr = lambda k: ds.attrs[k].decode() if isinstance(ds.attrs[k], bytes) else str(ds.attrs[k])
            assert attr("units") == r["units"], r["name"]
            assert attr("long_name") == r["long_name"], r["name"]
            for k in ("valid_min", "valid_max"):
                assert (k in ds.attrs) == (k in r), (r["name"], k)
                if k in r:
                    assert float(ds.attrs[k]) == r[k], (r["name"], k)
            assert len(ds.shape) == len(r["dims"]), r["name"]
    text = run_cli(commonweal, "metrics").stdout.splitlines()
    assert len(text) == len(rows) + 1


def test_info_json_matches_the_file(commonweal, tiny_h5):
    info = json.loads(run_cli(commonweal, "info", tiny_h5, "--json").stdout)
    with h5py.File(tiny_h5, "r") as f:
        assert info["weeks"] == f["week"].shape[0]
        assert info["complete"] == 1 and info["kind"] == "run"
        assert info["seed"] == int(f.attrs["seed"])
        m = next(x for x in info["metrics"] if x["name"] == "left_out_rate")
        v = f["left_out_rate"][...][f["burn_in"][...] == 0]
    assert m["dims"] == ["week", "neighbourhood"] and m["units"] == "1"
    assert m["max"] == pytest.approx(float(v.max())) and m["mean"] == pytest.approx(float(v.mean()), rel=1e-6)


def test_scenario_on_standard_input(commonweal, source_dir, test_tmp):
    text = (source_dir / "scenarios" / "tiny.yaml").read_text()
    out = test_tmp / "from_stdin.h5"
    r = cli(commonweal, "run", "-", "-o", out, "--force", "--quiet", "--set", "run.weeks=60",
            "--set", "population.residents_per_neighbourhood=100", stdin=text,
            cwd=source_dir / "scenarios")  # its base: is relative to the working directory
    assert r.returncode == 0, r.stderr
    assert out.exists()
    r = cli(commonweal, "check", "-", stdin="run:\n  weeks: x\n")
    assert r.returncode == 2 and r.stderr.startswith("-:2:10: run.weeks"), r.stderr
    r = cli(commonweal, "run", "-", stdin=text)
    assert r.returncode == 2 and "needs -o OUT" in r.stderr


def test_output_to_stdout_is_refused_and_nothing_written(commonweal, source_dir, test_tmp):
    for cmd in ("run", "sweep"):
        r = cli(commonweal, cmd, source_dir / "scenarios" / "tiny.yaml", "-o", "-")
        assert r.returncode == 2 and "standard output" in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
    assert not pathlib.Path("-").exists() and not pathlib.Path("-.partial").exists()


@pytest.mark.parametrize("cmd,arg,expect", [
    ("run", "--frobnicate", "unknown option '--frobnicate'"),
    ("run", "-o", "option '-o' needs a value"),
    ("sweep", "-z", "unknown option '-z'"),
    ("compare", "--metric", "option '--metric' needs a value"),
    ("check", "--nope", "unknown option '--nope'"),
    ("resume", "--nope", "unknown option '--nope'"),
    ("info", "--nope", "unknown option '--nope'"),
    ("params", "--nope", "unknown option '--nope'"),
    ("metrics", "--nope", "unknown option '--nope'"),
])
def test_unknown_options_get_one_line(commonweal, cmd, arg, expect):
    r = cli(commonweal, cmd, arg)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and expect in lines[0] and f"commonweal {cmd} --help" in lines[0], r.stderr


def test_export_csv_is_tidy_and_complete(commonweal, tiny_h5, metrics_def):
    out = run_cli(commonweal, "export", tiny_h5, "--csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["week", "neighbourhood", "group", "metric", "value"]
    with h5py.File(tiny_h5, "r") as f:
        run_weeks = int((f["week"][...] >= 0).sum())
        names = [n.decode() if isinstance(n, bytes) else n for n in f["neighbourhoods/name"][...]]
        expected = 0
        for m in metrics_def:
            expected += int(np.prod(f[m["name"]].shape[1:])) * run_weeks
        need = f["need_rate"][...]
        weeks = list(f["week"][...])
        sectors = list(f["sector_name"][...])
    assert len(rows) == expected
    row = next(r for r in rows if r["metric"] == "need_rate" and r["group"] == "social_care"
               and r["neighbourhood"] == names[2] and r["week"] == "5")
    care = [n.decode() if isinstance(n, bytes) else n for n in sectors].index("social_care")
    assert float(row["value"]) == pytest.approx(float(need[weeks.index(5), 2, care]), rel=1e-7)
    assert {r["neighbourhood"] for r in rows if r["metric"] == "area_left_out_rate"} == {"area"}
    assert min(int(r["week"]) for r in rows) == 0


def test_export_needs_a_format(commonweal, tiny_h5):
    r = cli(commonweal, "export", tiny_h5)
    assert r.returncode == 2 and "--csv" in r.stderr


def test_bash_completion_script_parses(source_dir):
    script = source_dir / "sim" / "cli" / "commonweal.bash"
    r = subprocess.run(["bash", "-c", f"source {script} && complete -p commonweal"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0 and "_commonweal" in r.stdout, r.stderr


def test_man_page_when_built(commonweal):
    page = pathlib.Path(commonweal).parent / "commonweal.1"
    if not page.exists():
        pytest.skip("no man page: help2man was not found at configure time")
    text = page.read_text()
    assert text.startswith(".\\\"") or ".TH COMMONWEAL" in text
    assert "export" in text and "metrics" in text
