"""`commonweal compare` on replicate run files: what the report reads (--json) and what a person
reads (the table): an "all residents" row, --percent, no star without an interval, and a note on
multiple comparisons."""
import json
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
    assert "-0.000" not in out


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
