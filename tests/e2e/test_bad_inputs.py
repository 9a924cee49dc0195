# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""The malformed-input catalogue: every file of tests/data/bad/ through the
CLI. Each NAME.yaml or NAME.csv has a sidecar NAME.yaml.err / NAME.csv.err
holding the exact message expected on stderr ({dir} stands for the
catalogue's directory; {num} for a machine-dependent number). A CSV is run
as the neighbourhood table of tests/data/scenarios/csv_host.yaml. Each must
exit with status 2 and write nothing (no OUT, no OUT.partial, no checkpoint).
To add a case: add the file, run it, check the message is what a user
needs, and save the message as its sidecar."""
import re
import subprocess

import pytest

from conftest import SOURCE_DIR

BAD = SOURCE_DIR / "tests" / "data" / "bad"
CASES = sorted(p.name for p in BAD.iterdir() if p.suffix in (".yaml", ".csv"))


def test_the_catalogue_is_large_and_every_case_has_its_message():
    assert len(CASES) >= 50
    missing = [c for c in CASES if not (BAD / (c + ".err")).exists()]
    assert not missing, f"cases without a NAME.err sidecar: {missing}"
    orphans = [p.name for p in BAD.glob("*.err") if not (BAD / p.name[:-4]).exists()]
    assert not orphans, f"sidecars without a case: {orphans}"


def expected_pattern(case):
    text = (BAD / (case + ".err")).read_text()
    pattern = re.escape(text.replace("{dir}", str(BAD)))
    return pattern.replace(re.escape("{num}"), r"[0-9.]+")


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_refused_with_its_message(commonweal, test_tmp, case):
    out_dir = test_tmp / "bad_inputs"
    out_dir.mkdir(exist_ok=True)
    out = out_dir / (case + ".h5")
    args = ["run", BAD / case]
    if case.endswith(".csv"):
        args = ["run", SOURCE_DIR / "tests" / "data" / "scenarios" / "csv_host.yaml", "--set",
                f"population.neighbourhoods_csv={BAD / case}"]
    result = subprocess.run([commonweal, *map(str, args), "-o", out, "-q", "--checkpoint-every",
                             "1"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert re.fullmatch(expected_pattern(case), result.stderr), (
        f"message for {case}:\n{result.stderr!r}\nexpected:\n"
        f"{(BAD / (case + '.err')).read_text()!r}")
    written = [p.name for p in out_dir.iterdir() if p.name.startswith(case + ".h5")]
    assert not written, f"{case} wrote {written}"


@pytest.mark.parametrize("case", CASES)
def test_check_refuses_what_run_refuses_with_the_same_message(commonweal, case):
    """`check` runs every check `run` runs before the first week (issue 20
    item 8): the same exit status 2 and the same message, for each case."""
    args = ["check", BAD / case]
    if case.endswith(".csv"):
        args = ["check", SOURCE_DIR / "tests" / "data" / "scenarios" / "csv_host.yaml", "--set",
                f"population.neighbourhoods_csv={BAD / case}"]
    result = subprocess.run([commonweal, *map(str, args)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2, result.stderr
    assert re.fullmatch(expected_pattern(case), result.stderr), (
        f"check's message for {case}:\n{result.stderr!r}")
