# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""End-to-end tests of the commonweal command-line program.

Run by ctest with COMMONWEAL (the program), CW_SOURCE_DIR and CW_TEST_TMP set.
"""
import os
import signal
import subprocess
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

from conftest import assert_identical_h5

EXE = os.environ.get("COMMONWEAL", "commonweal")
SRC = Path(os.environ.get("CW_SOURCE_DIR", Path(__file__).resolve().parents[2]))
TMP = Path(os.environ.get("CW_TEST_TMP", "/tmp")) / "e2e_cli"
TINY = SRC / "scenarios" / "tiny.yaml"


def run(*args, check=None, **kw):
    p = subprocess.run([EXE, *map(str, args)], capture_output=True, text=True, timeout=300, **kw)
    if check is not None:
        assert p.returncode == check, f"exit {p.returncode}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}"
    return p


@pytest.fixture(scope="module")
def tmp():
    TMP.mkdir(parents=True, exist_ok=True)
    return TMP


def datasets(path):
    """Every dataset's bytes, by name (attributes such as wall time excluded)."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out[name] = obj[()]
        f.visititems(visit)
    return out


def test_help_and_version():
    p = run("--help", check=0)
    assert "run SCENARIO" in p.stdout
    for cmd in ("run", "check", "params", "info"):
        assert "Usage: commonweal " + cmd in run(cmd, "--help", check=0).stdout
    assert run("--version", check=0).stdout.startswith("commonweal ")
    assert run("frobnicate", check=2).stderr.startswith("commonweal: unknown command")
    assert run(check=2).returncode == 2


def test_one_and_two_threads_give_identical_datasets(tmp):
    a, b = tmp / "t1.h5", tmp / "t2.h5"
    run("run", TINY, "-o", a, "--threads", 1, "--quiet", "--force", check=0)
    run("run", TINY, "-o", b, "--threads", 2, "--quiet", "--force", check=0)
    with h5py.File(a, "r") as f:
        assert "need_rate" in f
    assert_identical_h5(a, b)


def test_seed_changes_results(tmp):
    a, b = tmp / "s1.h5", tmp / "s2.h5"
    run("run", TINY, "-o", a, "--quiet", "--force", check=0)
    run("run", TINY, "-o", b, "--seed", 12345, "--quiet", "--force", check=0)
    with h5py.File(a) as fa, h5py.File(b) as fb:
        assert not np.array_equal(fa["health_mean"][()], fb["health_mean"][()])
        assert fb.attrs["seed"] == 12345


def test_summary_reports_speed_and_bytes_per_resident(tmp):
    p = run("run", TINY, "-o", tmp / "sum.h5", "--force", "--timings", check=0)
    assert "resident-weeks/s" in p.stderr and "bytes/resident" in p.stderr
    assert "life" in p.stderr and "observe" in p.stderr


def test_broken_scenario_is_one_line_error_exit_2_and_no_output(tmp):
    bad = tmp / "bad.yaml"
    bad.write_text("base: " + str(TINY) + "\nrun:\n  weeks: 52\n  wekks: 3\n")
    out = tmp / "bad.h5"
    p = run("run", bad, "-o", out, check=2)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert lines[0].startswith(f"{bad}:4:3:"), lines[0]
    assert "did you mean" in lines[0] and "run.weeks" in lines[0]
    assert not out.exists() and not Path(str(out) + ".partial").exists()


def test_out_of_range_names_range_and_unit(tmp):
    bad = tmp / "range.yaml"
    bad.write_text("population:\n  residents_per_neighbourhood: 5\n")
    p = run("check", bad, check=2)
    assert f"{bad}:2:32:" in p.stderr
    assert "[10, 1000000]" in p.stderr and "adults" in p.stderr


def test_set_overrides_and_check_prints_resolved(tmp):
    p = run("check", TINY, "--set", "run.weeks=60", "--set", "need.self_resolve_rate=0.05", check=0)
    assert "valid" in p.stdout
    assert "weeks: 60" in p.stdout or "run.weeks: 60" in p.stdout
    p = run("check", TINY, "--set", "run.weeks=10", check=2)
    assert "outside the run" in p.stderr or "week 13" in p.stderr, p.stderr
    p = run("check", TINY, "--set", "run.weeks=abc", check=2)
    assert "run.weeks" in p.stderr and "not a number" in p.stderr


def test_params_lists_every_parameter_with_unit(tmp):
    p = run("params", check=0)
    rows = [l for l in p.stdout.splitlines() if l.startswith("| `")]
    assert len(rows) >= 90
    assert any("`run.weeks`" in r and "weeks" in r for r in rows)
    assert any("lever" in r.split("|")[7] for r in rows if "`policy." in r)
    for r in rows:
        cells = [c.strip() for c in r.strip("|").split("|")]
        assert cells[5], f"no unit: {r}"
        assert cells[7], f"no meaning: {r}"


def test_parameter_reference_doc_is_current():
    p = run("params", check=0)
    doc = (SRC / "docs" / "PARAMETERS.md").read_text()
    assert p.stdout in doc, "docs/PARAMETERS.md is stale: regenerate it with `commonweal params`"


def test_existing_output_needs_force(tmp):
    out = tmp / "exists.h5"
    run("run", TINY, "-o", out, "--quiet", "--force", check=0)
    p = run("run", TINY, "-o", out, "--quiet", check=1)
    assert "--force" in p.stderr
    run("run", TINY, "-o", out, "--quiet", "--force", check=0)


def test_unwritable_directory_is_a_clear_error(tmp):
    p = run("run", TINY, "-o", tmp / "no" / "such" / "dir" / "x.h5", "--quiet", check=1)
    assert "no/such/dir" in p.stderr


def test_info_summarises_a_run(tmp):
    out = tmp / "info.h5"
    run("run", TINY, "-o", out, "--quiet", "--force", check=0)
    p = run("info", out, check=0)
    assert "need_rate" in p.stdout and "complete" in p.stdout.lower()
    assert run("info", tmp / "missing.h5").returncode != 0


def test_sigint_leaves_a_readable_partial_file(tmp):
    out = tmp / "interrupted.h5"
    partial = Path(str(out) + ".partial")
    for f in (out, partial):
        f.unlink(missing_ok=True)
    scen = tmp / "long.yaml"
    scen.write_text(f"base: {SRC / 'scenarios' / 'baseline.yaml'}\npopulation:\n  neighbourhoods: 20\n"
                    "  residents_per_neighbourhood: 2000\nrun:\n  weeks: 5000\n")
    proc = subprocess.Popen([EXE, "run", str(scen), "-o", str(out), "--force", "--quiet"],
                            stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while not partial.exists() and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(1.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert "interrupted" in err
    assert partial.exists() and not out.exists()
    with h5py.File(partial, "r") as f:
        n = f["week"].shape[0]
        assert 0 < n < 5052
        assert f["need_rate"].shape[0] == n
        assert f.attrs["complete"] == 0
