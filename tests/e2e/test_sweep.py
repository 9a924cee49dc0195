# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Sweeps and paired comparisons end to end (issue 4): the sweep file's
layout, common random numbers, resume, bad sweep files, and the direction
tests of the scenario library on a small area (8 neighbourhoods x 500 adults,
26 + 78 weeks: tests/data/scenarios/sweep/).

Direction tests compare replicate sweeps (6 replicates, common random
numbers) with `commonweal compare --json` and need the 95% CI to exclude
zero. Patient versus competitive investment and the privatisation clause
need more power than this area gives: they are tested in test_power.py.
"""
import re
import json
import os
import pathlib
import signal
import subprocess
import time

import h5py
import numpy as np
import pytest

from conftest import assert_identical_h5, describe, run_cli

REPLICATES = 6


def write_sweep(path, base, replicates=REPLICATES, crn=True, extra=""):
    path = pathlib.Path(path)
    path.write_text(f"base: {base}\nreplicates: {replicates}\n"
                    f"common_random_numbers: {'true' if crn else 'false'}\n{extra}")
    return path


def run_sweep(commonweal, sweep, out, *args):
    return run_cli(commonweal, "sweep", sweep, "-o", out, "--quiet", "--jobs", "2", *args)


def compare(commonweal, *args):
    result = run_cli(commonweal, "compare", "--json", *args)
    return json.loads(result.stdout)


def row(report, metric, group="all", policy=""):
    for r in report["rows"]:
        if r["metric"] == metric and r["group"] == group and r["policy"] == policy:
            return r
    raise AssertionError(f"no row {metric}/{group}/{policy!r} in {report['rows']}")


@pytest.fixture(scope="session")
def sweep_tmp(test_tmp):
    path = test_tmp / "sweep"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def scenario_dir(source_dir):
    return source_dir / "tests" / "data" / "scenarios" / "sweep"


@pytest.fixture(scope="session")
def replicated(commonweal, sweep_tmp, scenario_dir):
    """Each lever file of tests/data/scenarios/sweep run as a replicate sweep:
    name -> path of its sweep file."""
    files = {}
    for name in ["base", "austerity", "pandemic", "partnership"]:
        sweep = write_sweep(sweep_tmp / f"rep-{name}.yaml", scenario_dir / f"{name}.yaml")
        out = sweep_tmp / f"rep-{name}.h5"
        run_sweep(commonweal, sweep, out, "--force")
        files[name] = out
    return files


# ---- the library of scenarios and sweeps -------------------------------------------------

def test_every_shipped_scenario_loads(commonweal, source_dir):
    scenarios = sorted((source_dir / "scenarios").glob("*.yaml"))
    assert len(scenarios) >= 17
    for path in scenarios:
        text = path.read_text()
        assert text.startswith("#"), f"{path.name} does not start with a comment"
        run_cli(commonweal, "check", path)
    for path in sorted((source_dir / "scenarios" / "sweeps").glob("*.yaml")):
        assert path.read_text().startswith("#"), f"{path.name} does not start with a comment"
        result = run_cli(commonweal, "sweep", "--dry-run", path)
        assert "valid" in result.stdout


# ---- the sweep file ---------------------------------------------------------------------

def test_sweep_file_layout(commonweal, sweep_tmp, scenario_dir):
    sweep = write_sweep(sweep_tmp / "layout.yaml", scenario_dir / "base.yaml", replicates=2,
                        extra="vary:\n  investment.mode: [none, patient]\n  investment.amount: [5, 10]\n")
    out = sweep_tmp / "layout.h5"
    run_sweep(commonweal, sweep, out, "--force")
    assert not pathlib.Path(str(out) + ".partial").exists()
    with h5py.File(out, "r") as f:
        a = f.attrs
        assert a["kind"] == "sweep" and a["method"] == "grid" and a["common_random_numbers"] == 1
        assert list(a["varied"]) == ["investment.mode", "investment.amount"]
        assert a["complete"] == 1 and a["members"] == 8 and a["points"] == 4 and a["replicates"] == 2
        assert a["sweep_yaml"] == sweep.read_text()
        assert "program_version" in a and "schema_version" in a
        m = f["members"]
        assert m["seed"].dtype == np.uint64 and m["replicate"].dtype == np.int32
        assert list(m["point"][...]) == [0, 0, 1, 1, 2, 2, 3, 3]
        assert list(m["replicate"][...]) == [0, 1] * 4
        assert list(m["trajectory"][...]) == [-1] * 8
        assert list(m["complete"][...]) == [1] * 8
        assert list(m["investment.mode"][...]) == [0, 0, 0, 0, 2, 2, 2, 2]
        assert list(m["investment.amount"][...]) == [5, 5, 10, 10, 5, 5, 10, 10]
        assert list(m["investment.mode"].attrs["choices"]) == ["none", "competitive", "patient"]
        seeds = m["seed"][...]
        assert len(set(seeds[::2])) == 1 and len(set(seeds[1::2])) == 1 and seeds[0] != seeds[1]
        yaml5 = m["scenario_yaml"].asstr()[5]
        assert "mode: patient" in yaml5 and f"seed: {seeds[5]}" in yaml5
        lo = f["left_out_rate"]
        assert lo.shape == (8, 104, 8)
        assert [d[0].name for d in lo.dims] == ["/member", "/week", "/neighbourhood"]
        assert f["need_rate"].shape == (8, 104, 8, 6) and f["area_left_out_rate"].shape == (8, 104)
        assert not np.isnan(lo[...]).any()
        assert list(f["week"][:3]) == [-26, -25, -24] and f["burn_in"][0] == 1 and f["burn_in"][26] == 0
        assert f["neighbourhoods/decile"].shape == (8,)
    import xarray as xr
    ds = xr.open_dataset(out)
    assert ds.left_out_rate.dims == ("member", "week", "neighbourhood")
    ds.close()


def test_run_files_say_they_are_runs(tiny_h5):
    with h5py.File(tiny_h5, "r") as f:
        assert f.attrs["kind"] == "run"


def test_bad_sweep_files_get_one_line_and_no_output(commonweal, sweep_tmp, scenario_dir):
    base = scenario_dir / "base.yaml"
    cases = [
        (f"base: {base}\nreplicate: 3\n", ":2:1: unknown key 'replicate' (did you mean 'replicates'?)"),
        (f"base: {base}\nvary:\n  population.neighbourhoods: [4, 8]\n",
         ":3:3: population.neighbourhoods cannot be varied: it changes the shape of the sweep file (weeks, "
         "neighbourhoods, identity groups or the neighbourhood table must be the same for every member); "
         "set it under 'set:' or with --set"),
        (f"base: {base}\nvary:\n  run.seed: [1, 2]\n",
         ":3:3: run.seed cannot be varied: each member's seed comes from replicates and common_random_numbers"),
        (f"base: {base}\ncommon_random_numbers: maybe\n",
         ":2:24: common_random_numbers = 'maybe' is not a boolean: expected true or false"),
        (f"base: {sweep_tmp}/missing.yaml\n",
         f":1:7: cannot read base scenario {sweep_tmp}/missing.yaml: No such file or directory"),
        # issue 20 item 7: set and vary of one parameter, vary won silently
        (f"base: {base}\nset:\n  policy:\n    asset_transfer_rate: 0.02\nvary:\n  policy.asset_transfer_rate: [0.01, 0.03]\n",
         ":6:3: policy.asset_transfer_rate is both set (line 4) and varied: every member would take the varied "
         "value; remove one of them"),
    ]
    for i, (text, message) in enumerate(cases):
        path = sweep_tmp / f"bad{i}.yaml"
        path.write_text(text)
        out = sweep_tmp / f"bad{i}.h5"
        result = subprocess.run([commonweal, "sweep", path, "-o", out], capture_output=True, text=True)
        assert result.returncode == 2, result.stderr
        assert result.stderr == f"{path}{message}\n"
        assert not out.exists() and not pathlib.Path(str(out) + ".partial").exists()


# ---- common random numbers ------------------------------------------------------------------

def member_means(path, metric="left_out_rate"):
    """Per member: population-weighted mean over neighbourhoods, averaged over
    the weeks after the burn-in (what compare computes), from h5py alone."""
    with h5py.File(path, "r") as f:
        keep = f["burn_in"][...] == 0
        x = f[metric][:, keep, :]
        pop = f["population"][:, keep, :]
        weekly = (x * pop).sum(axis=2) / pop.sum(axis=2)
        return weekly.mean(axis=1), f["members/point"][...], f["members/seed"][...]


def test_common_random_numbers_shrink_the_variance_of_paired_differences(commonweal, sweep_tmp,
                                                                         scenario_dir):
    vary = "vary:\n  funding.scale.housing: [1.0, 0.6]\n"
    var = {}
    for crn in (True, False):
        sweep = write_sweep(sweep_tmp / f"crn-{crn}.yaml", scenario_dir / "base.yaml", replicates=6,
                            crn=crn, extra=vary)
        out = sweep_tmp / f"crn-{crn}.h5"
        run_sweep(commonweal, sweep, out, "--force")
        means, point, seed = member_means(out)
        d = means[point == 1] - means[point == 0]  # paired by replicate number
        assert (seed[point == 1] == seed[point == 0]).all() == crn
        var[crn] = d.var(ddof=1)
        report = compare(commonweal, out, "--baseline", "funding.scale.housing=1", "-m", "left_out_rate")
        r = row(report, "left_out_rate", policy="funding.scale.housing=0.6")
        assert r["paired_by_seed"] == crn and r["n"] == 6
        assert abs(r["difference"] - d.mean()) < 1e-6
    ratio = var[False] / var[True]
    print(f"\nCRN variance ratio (paired difference of left_out_rate, 6 replicates): "
          f"independent {var[False]:.3e} / common {var[True]:.3e} = {ratio:.1f}")
    assert ratio > 3, f"common random numbers reduce the variance only {ratio:.2f}-fold"


# ---- resume -------------------------------------------------------------------------------

def sweep_to_interrupt(commonweal, sweep_tmp, scenario_dir, name):
    """A 12-member sweep run whole, and the paths for a run of it to cut short:
    (sweep, whole, cut, cut's partial), with no cut or partial file yet."""
    sweep = write_sweep(sweep_tmp / f"{name}.yaml", scenario_dir / "base.yaml", replicates=6,
                        extra="vary:\n  policy.listening: [false, true]\n")
    whole, cut = sweep_tmp / f"{name}-whole.h5", sweep_tmp / f"{name}-cut.h5"
    run_sweep(commonweal, sweep, whole, "--force")
    partial = pathlib.Path(str(cut) + ".partial")
    for p in (cut, partial):
        p.unlink(missing_ok=True)
    return sweep, whole, cut, partial


def test_a_sweep_cut_short_and_resumed_equals_an_uninterrupted_sweep(commonweal, sweep_tmp,
                                                                     scenario_dir):
    sweep, whole, cut, partial = sweep_to_interrupt(commonweal, sweep_tmp, scenario_dir, "resume")
    proc = subprocess.Popen([commonweal, "sweep", sweep, "-o", cut, "--jobs", "1", "--quiet"],
                            stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while not partial.exists() and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("the sweep finished before it could be interrupted")
    assert proc.returncode == 1, stderr
    assert "continue with --resume" in stderr
    with h5py.File(partial, "r") as f:
        done = int(f["members/complete"][...].sum())
        assert f.attrs["complete"] == 0 and f.attrs["members_complete"] == done
    print(f"\ninterrupted with {done} of 12 members written")
    assert done < 12
    run_cli(commonweal, "sweep", sweep, "-o", cut, "--resume", "--quiet", "--jobs", "2")
    assert cut.exists() and not partial.exists()
    assert_identical_h5(whole, cut)


def test_a_sweep_killed_with_sigkill_resumes_to_the_uninterrupted_file(commonweal, sweep_tmp,
                                                                       scenario_dir):
    """SIGKILL gives the sweep no chance to close its file: what it flushed after each member
    must be enough for --resume to finish the same file."""
    sweep, whole, cut, partial = sweep_to_interrupt(commonweal, sweep_tmp, scenario_dir, "killed")
    proc = subprocess.Popen([commonweal, "sweep", sweep, "-o", cut, "--jobs", "1", "--quiet"],
                            stderr=subprocess.PIPE)
    # Kill at a moment when the file on disk is whole (how a flush leaves it) and holds at least
    # one member: stop the process (SIGSTOP: the file cannot change while it is stopped), read
    # every dataset of the file; if that fails (a write under way) or no member is complete yet,
    # let it run a little and try again. Then SIGKILL the stopped process.
    deadline = time.time() + 300
    done = 0
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.02)
        if not partial.exists():
            continue
        proc.send_signal(signal.SIGSTOP)
        try:
            with h5py.File(partial, "r", locking=False) as f:  # the writer holds its lock
                done = int(f["members/complete"][...].sum())
                f.visititems(lambda name, obj: obj[...] if isinstance(obj, h5py.Dataset) else None)
        except Exception:  # a write under way: not a whole file
            done = 0
        if done >= 2:
            break
        proc.send_signal(signal.SIGCONT)
    if proc.poll() is not None:
        pytest.skip("the sweep finished before it could be killed")
    proc.send_signal(signal.SIGKILL)
    assert done >= 2, "no moment with a whole file of two or more members"
    assert proc.wait(timeout=30) == -signal.SIGKILL
    assert partial.exists() and not cut.exists()
    resumed = run_cli(commonweal, "sweep", sweep, "-o", cut, "--resume", "--jobs", "2")
    print("\n" + resumed.stderr.strip().splitlines()[0] if resumed.stderr.strip() else "")
    assert cut.exists() and not partial.exists()
    assert_identical_h5(whole, cut)


def test_resume_refuses_another_sweep(commonweal, sweep_tmp, scenario_dir):
    sweep = write_sweep(sweep_tmp / "other.yaml", scenario_dir / "base.yaml", replicates=2)
    out = sweep_tmp / "other.h5"
    partial = pathlib.Path(str(out) + ".partial")
    run_sweep(commonweal, sweep, out, "--force")
    out.rename(partial)
    result = subprocess.run([commonweal, "sweep", sweep, "-o", out, "--resume", "--set",
                             "social.join_rate=0.02"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "has another scenario than this sweep's member 0" in result.stderr
    partial.unlink()


def test_resume_of_an_unreadable_partial_says_to_start_again(commonweal, sweep_tmp, scenario_dir):
    """A sweep killed while its file was being created leaves a partial HDF5 cannot read."""
    sweep = write_sweep(sweep_tmp / "garbled.yaml", scenario_dir / "base.yaml", replicates=2)
    out = sweep_tmp / "garbled.h5"
    partial = pathlib.Path(str(out) + ".partial")
    out.unlink(missing_ok=True)
    partial.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(200))
    result = subprocess.run([commonweal, "sweep", sweep, "-o", out, "--resume"], capture_output=True,
                            text=True)
    assert result.returncode == 1, result.stderr
    assert "is not a readable HDF5 file" in result.stderr
    assert "run the sweep again with --force" in result.stderr
    assert partial.exists() and not out.exists()
    partial.unlink()


# ---- compare -------------------------------------------------------------------------------

def test_compare_refuses_files_that_differ_in_more_than_levers(commonweal, sweep_tmp, scenario_dir,
                                                               replicated):
    sweep = write_sweep(sweep_tmp / "nonlever.yaml", scenario_dir / "base.yaml",
                        extra="set:\n  social.join_rate: 0.02\n")
    out = sweep_tmp / "nonlever.h5"
    run_sweep(commonweal, sweep, out, "--force")
    result = subprocess.run([commonweal, "compare", replicated["base"], out], capture_output=True,
                            text=True)
    assert result.returncode == 2
    assert "differ in more than the levers" in result.stderr
    assert re.search(r"social.join_rate [0-9.]+ -> 0.02", result.stderr), result.stderr
    forced = run_cli(commonweal, "compare", replicated["base"], out, "--force")
    assert "WARNING (--force): non-lever differences: social.join_rate" in forced.stdout


def test_compare_prints_csv_and_a_table(commonweal, replicated):
    csv = run_cli(commonweal, "compare", replicated["base"], replicated["partnership"], "--csv",
                  "-m", "left_out_rate", "--by", "decile", "--weeks", "0:51").stdout.splitlines()
    assert csv[0].startswith("policy,metric,group,baseline_mean,policy_mean,difference,ci_low,ci_high,n")
    # an "all residents" row, then 8 neighbourhoods, each in its own decile: 8 of the 10 deciles
    assert len(csv) == 1 + 1 + 8
    assert csv[1].split(",")[2] == '"all residents"' and csv[2].split(",")[2].startswith('"decile')
    table = run_cli(commonweal, "compare", replicated["base"], replicated["partnership"]).stdout
    assert "95% CI" in table and "left_out_rate" in table


# ---- directions -------------------------------------------------------------------------------

def test_austerity_raises_left_out_most_in_the_most_deprived_quintile(commonweal, replicated):
    report = compare(commonweal, replicated["base"], replicated["austerity"], "-m", "left_out_rate",
                     "--by", "quintile")
    rows = {r["group"]: r for r in report["rows"]}
    q1 = rows["Q1 (lowest income)"]
    print("\n" + "\n".join(describe(r) for r in report["rows"]))
    for r in report["rows"]:
        assert r["ci_low"] > 0, describe(r)
    for g, r in rows.items():
        if r is not q1:
            assert q1["difference"] > r["difference"], f"{describe(q1)} vs {describe(r)}"
    overall = row(compare(commonweal, replicated["base"], replicated["austerity"], "-m",
                          "left_out_rate"), "left_out_rate")
    print(describe(overall))
    assert overall["ci_low"] > 0


def test_the_pandemic_forms_mutual_aid_groups(commonweal, replicated):
    r = row(compare(commonweal, replicated["base"], replicated["pandemic"], "-m", "groups_alive",
                    "--weeks", "0:51"), "groups_alive", "mutual_aid")
    print("\n" + describe(r))
    assert r["ci_low"] > 0, describe(r)


def test_partnership_lowers_unmet_need(commonweal, replicated):
    report = compare(commonweal, replicated["base"], replicated["partnership"], "-m",
                     "unmet_need_rate")
    print("\n" + "\n".join(describe(r) for r in report["rows"]))
    for r in report["rows"]:
        assert r["ci_high"] < 0, describe(r)
