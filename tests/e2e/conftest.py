# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Shared fixtures of the end-to-end tests.

ctest runs these with Debian's /usr/bin/python3 and sets
  COMMONWEAL     the command-line program,
  CW_SOURCE_DIR  the source tree (scenarios/),
  CW_TEST_TMP    a scratch directory in the build tree.
Run by hand: COMMONWEAL=build/commonweal /usr/bin/python3 -m pytest tests/e2e
"""
import json
import os
import pathlib
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from h5identical import assert_identical_h5  # noqa: E402,F401  (the one "identical" check)

SOURCE_DIR = pathlib.Path(os.environ.get("CW_SOURCE_DIR",
                                         pathlib.Path(__file__).resolve().parents[2]))


@pytest.fixture(scope="session")
def source_dir():
    return SOURCE_DIR


@pytest.fixture(scope="session")
def commonweal():
    """Path of the CLI; the tests skip when it is not given."""
    exe = os.environ.get("COMMONWEAL")
    if not exe:
        pytest.skip("COMMONWEAL is not set (run the tests through ctest)")
    if not os.access(exe, os.X_OK):
        pytest.fail(f"COMMONWEAL={exe} is not an executable")
    return exe


@pytest.fixture(scope="session")
def test_tmp(tmp_path_factory):
    tmp = os.environ.get("CW_TEST_TMP")
    if not tmp:
        return tmp_path_factory.mktemp("e2e")
    path = pathlib.Path(tmp)
    path.mkdir(parents=True, exist_ok=True)
    return path


def run_cli(commonweal, *args, timeout=600):
    """Run the CLI; fail the test with its stderr if it does not exit 0."""
    result = subprocess.run([commonweal, *map(str, args)], capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, (
        f"{' '.join(map(str, [commonweal, *args]))} exited {result.returncode}:\n"
        f"{result.stderr}")
    return result


@pytest.fixture(scope="session")
def tiny_h5(commonweal, source_dir, test_tmp):
    """scenarios/tiny.yaml run once per session: the path of its output file."""
    out = test_tmp / "tiny.h5"
    run_cli(commonweal, "run", source_dir / "scenarios" / "tiny.yaml", "-o", out, "--quiet",
            "--force")
    return out


def _fmt_bound(x):
    """A valid_min/valid_max as the table writes it ("0", "1", "-1"): %g."""
    return f"{x:g}"


@pytest.fixture(scope="session")
def metrics_def(commonweal):
    """Every metric of the library's table (sim/core/metrics.def) as `commonweal metrics --json`
    lists it: name, area, breakdown dimension, unit (with its valid range, "1 [0,1]"), doc."""
    rows = []
    for r in json.loads(run_cli(commonweal, "metrics", "--json").stdout):
        unit = r["units"]
        if "valid_min" in r or "valid_max" in r:
            unit += (f" [{_fmt_bound(r['valid_min']) if 'valid_min' in r else ''},"
                     f"{_fmt_bound(r['valid_max']) if 'valid_max' in r else ''}]")
        dims = r["dims"]
        rows.append({
            "name": r["name"],
            "area": "neighbourhood" not in dims,
            "bd_dim": dims[-1] if dims[-1] not in ("week", "neighbourhood") else None,
            "unit": unit,
            "doc": r["long_name"],
        })
    assert rows, "commonweal metrics --json listed no metrics"
    return rows


def describe(r):
    """One row of `commonweal compare --json`, for messages."""
    return (f"{r['metric']} [{r['group']}] baseline {r['baseline_mean']:.5f} policy {r['policy_mean']:.5f} "
            f"difference {r['difference']:+.5f} 95% CI [{r['ci_low']:+.5f}, {r['ci_high']:+.5f}] n={r['n']}")
