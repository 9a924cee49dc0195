# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Fixtures of the analysis tests: small run files made by the simulator during the test.

ctest (tests/CMakeLists.txt, analysis.pytest) runs these with Debian's /usr/bin/python3 and sets
COMMONWEAL (the CLI), CW_SOURCE_DIR, CW_TEST_TMP and PYTHONPATH (the source tree, for
`import analysis`). By hand:
  COMMONWEAL=build/commonweal PYTHONPATH=. /usr/bin/python3 -m pytest tests/analysis
"""
import os
import pathlib
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

SOURCE_DIR = pathlib.Path(os.environ.get("CW_SOURCE_DIR",
                                         pathlib.Path(__file__).resolve().parents[2]))
if str(SOURCE_DIR) not in sys.path:
    sys.path.insert(0, str(SOURCE_DIR))

# The policy the tests compare with the baseline: patient core funding, four times the amount.
POLICY = ("--set", "investment.mode=patient", "--set", "investment.amount=40")
SEEDS = (1, 2, 3)


@pytest.fixture(scope="session")
def source_dir():
    return SOURCE_DIR


@pytest.fixture(scope="session")
def commonweal():
    exe = os.environ.get("COMMONWEAL")
    if not exe:
        pytest.skip("COMMONWEAL is not set (run the tests through ctest, or set it to the CLI)")
    if not os.access(exe, os.X_OK):
        pytest.fail(f"COMMONWEAL={exe} is not an executable")
    return exe


@pytest.fixture(scope="session")
def work(tmp_path_factory):
    tmp = os.environ.get("CW_TEST_TMP")
    if not tmp:
        return tmp_path_factory.mktemp("analysis")
    path = pathlib.Path(tmp) / "analysis"
    path.mkdir(parents=True, exist_ok=True)
    return path


def run_cli(commonweal, *args, timeout=300):
    r = subprocess.run([commonweal, *map(str, args)], capture_output=True, text=True,
                       timeout=timeout)
    assert r.returncode == 0, f"{commonweal} {' '.join(map(str, args))}: {r.stderr}"
    return r


@pytest.fixture(scope="session")
def runs(commonweal, source_dir, work):
    """tiny.yaml, baseline and policy, seeds 1..3: {'base': [paths], 'policy': [paths]}."""
    tiny = source_dir / "scenarios" / "tiny.yaml"
    jobs = []
    for s in SEEDS:
        jobs.append((work / f"base_s{s}.h5", ("--seed", s)))
        jobs.append((work / f"patient_s{s}.h5", ("--seed", s, *POLICY)))

    def one(job):
        out, extra = job
        run_cli(commonweal, "run", tiny, "-o", out, "--quiet", "--force", "--threads", 1, *extra)
        return out

    with ThreadPoolExecutor(max_workers=2) as ex:
        list(ex.map(one, jobs))
    return {"base": [work / f"base_s{s}.h5" for s in SEEDS],
            "policy": [work / f"patient_s{s}.h5" for s in SEEDS]}


@pytest.fixture(scope="session")
def base_h5(runs):
    return runs["base"][0]


@pytest.fixture(scope="session")
def report_html(runs, work):
    """The report for baseline vs policy, three seeds each: (path, Report)."""
    from analysis import report
    out = work / "report.html"
    rep = report.Report(runs["base"] + runs["policy"])
    out.write_text(rep.html(), encoding="utf-8")
    return out, rep
