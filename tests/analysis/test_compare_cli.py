# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""`commonweal compare` on replicate run files: what the report reads (--json) and what a person
reads (the table): an "all residents" row, --percent, no star without an interval, and a note on
multiple comparisons."""
import json
import re
import subprocess

import h5py
import numpy as np

from conftest import SOURCE_DIR, run_cli


def whole_area(path):
    with h5py.File(path, "r") as f:
        keep = f["burn_in"][...] == 0
        lo = f["left_out_rate"][...][keep].astype(float)
        pop = f["population"][...][keep].astype(float)
    return np.mean((lo * pop).sum(axis=1) / pop.sum(axis=1))


def test_replicate_run_files_pair_by_seed(commonweal, runs):
    files = [*runs["base"], *runs["policy"]]
    rep = json.loads(run_cli(commonweal, "compare", "--json", *files, "-m", "left_out_rate",
                             "--by", "fifth").stdout)
    rows = rep["rows"]
    assert rows[0]["group"] == "all residents" and rows[0]["n"] == 3 and rows[0]["paired_by_seed"]
    assert all(r["group"].startswith("fifth ") for r in rows[1:])
    d = [whole_area(p) - whole_area(b) for b, p in zip(runs["base"], runs["policy"])]
    assert abs(rows[0]["difference"] - np.mean(d)) < 1e-7
    assert abs(rows[0]["baseline_mean"] - np.mean([whole_area(b) for b in runs["base"]])) < 1e-7
    # the order of the files does not matter: seeds pair, not positions
    shuffled = [runs["base"][0], runs["policy"][2], runs["base"][2], runs["policy"][0],
                runs["base"][1], runs["policy"][1]]
    rep2 = json.loads(run_cli(commonweal, "compare", "--json", *shuffled, "-m",
                              "left_out_rate").stdout)
    assert rep2["rows"][0]["difference"] == rows[0]["difference"]


def test_table_in_percent_with_a_multiple_comparison_note(commonweal, runs):
    files = [*runs["base"], *runs["policy"]]
    out = run_cli(commonweal, "compare", *files, "-m", "left_out_rate", "--by", "quintile",
                  "--percent").stdout
    assert "all residents" in out and "pp" in out and "%" in out
    assert "about 1 in 20 intervals would exclude zero" in out
    negative_zero = re.compile(r"(?<![\d.])-0(\.0+)?(?![\d.])")  # "-0.000" alone, not "-0.00029"
    assert not negative_zero.search(out), negative_zero.search(out)


def test_no_star_and_no_ci_footnote_with_one_pair(commonweal, runs):
    out = run_cli(commonweal, "compare", runs["base"][0], runs["policy"][0]).stdout
    assert " *" not in out and "CI excludes zero" not in out
    assert "need at least 2 pairs" in out


def test_two_different_policies_are_refused(commonweal, runs, work):
    other = work / "other_policy.h5"
    run_cli(commonweal, "run", SOURCE_DIR / "scenarios" / "tiny.yaml", "-o", other, "--quiet",
            "--force", "--threads", 1, "--set", "policy.timebank=true")
    r = subprocess.run([commonweal, "compare", *runs["base"], runs["policy"][0], other],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "different policies" in r.stderr


SWEEP = """# Question: does patient money help here?
base: {tiny}
method: grid
replicates: 12
common_random_numbers: true
vary:
  investment.mode: [none, patient]
"""


def test_sweep_info_and_progress_across_a_resume(commonweal, work):
    """info on a sweep file names it a sweep with its design, members complete of planned and
    per-metric statistics; after Ctrl-C the progress line counts the same thing twice (members
    written and member-weeks, of the whole sweep), and the resumed file's wall time adds up the
    legs."""
    import re
    import signal
    import time
    yml = work / "resume_sweep.yaml"
    yml.write_text(SWEEP.format(tiny=SOURCE_DIR / "scenarios" / "tiny.yaml"))
    out = work / "resume_sweep.h5"
    p = subprocess.Popen([commonweal, "sweep", yml, "-o", out, "--force", "--jobs", "1",
                          "--threads", "1"], stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    p.send_signal(signal.SIGINT)
    err = p.communicate(timeout=120)[1]
    lines = re.findall(r"members (\d+)/(\d+) written, (\d+)% of member-weeks", err)
    assert lines, err
    k, n, pct = map(int, lines[-1])
    assert pct == round(100 * k / n), err
    if k < n:
        info = run_cli(commonweal, "info", f"{out}.partial").stdout
        assert f"= {n} members; {k} of {n} complete" in info, info
        r = run_cli(commonweal, "sweep", yml, "-o", out, "--resume", "--jobs", "1")
        first = re.findall(r"members (\d+)/(\d+) written, (\d+)%", r.stderr)[-1]
        assert first == (str(n), str(n), "100"), r.stderr
    info = run_cli(commonweal, "info", out).stdout
    assert "sweep           grid: 2 design points x 12 replicates = 24 members; 24 of 24" in info
    assert "varied          investment.mode: none, patient" in info
    row = re.search(r"^  left_out_rate\s+member, week, neighbourhood\s+\S+\s+(\S+)\s+(\S+)\s+(\S+)",
                    info, re.M)
    assert row and float(row.group(2)) > 0, info


def test_by_group_reads_the_weighted_breakdown_or_refuses(commonweal, runs):
    """--by quintile|identity|age_band: the metric's area breakdown from counts (by sector, its
    (group, sector) one); a metric without one is refused, never averaged over neighbourhoods."""
    files = [*runs["base"], *runs["policy"]]
    rep = json.loads(run_cli(commonweal, "compare", "--json", *files, "-m", "unmet_need_rate",
                             "--by", "age_band").stdout)
    groups = [r["group"] for r in rep["rows"]]
    assert {r["metric"] for r in rep["rows"]} == {"area_unmet_need_by_age_band_sector"}
    assert groups[0] == "age 16-29, health" and len(groups) == 5 * 6
    r = subprocess.run([commonweal, "compare", *files, "-m", "employment_rate", "--by", "quintile"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "weighted by residents" in r.stderr
    assert "area_left_out_by_quintile" in r.stderr
