# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""The snapshot recomputation of tests/e2e/test_snapshot_recompute.py (issue
15, item 3) for a run split over 2 MPI ranks: rank 0 writes the metrics it
gathered and the snapshot the ranks streamed to it, and every rate and
breakdown recomputed from that snapshot must equal the file's, per
neighbourhood and over the area (and the contract's weighted breakdowns
where the file has them). Run by ctest's mpi.pytest (environment as in
test_mpi.py).
"""
import os
import pathlib
import subprocess
import sys

import h5py
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "e2e"))
import test_snapshot_recompute as recompute  # noqa: E402  (the numpy recomputation)

SOURCE = pathlib.Path(os.environ.get("CW_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
MPIEXEC = os.environ.get("MPIEXEC", "mpirun")
MPI_FLAGS = ["--oversubscribe", "--allow-run-as-root"]


@pytest.fixture(scope="module")
def two_ranks(tmp_path_factory):
    exe = os.environ.get("COMMONWEAL")
    if not exe:
        pytest.skip("COMMONWEAL is not set (run the tests through ctest)")
    d = pathlib.Path(os.environ.get("CW_TEST_TMP", tmp_path_factory.mktemp("mpi"))) / "mpi"
    d.mkdir(parents=True, exist_ok=True)
    out = d / "recompute-2ranks.h5"
    sets = []
    for s in recompute.SETS + [recompute.SNAPSHOT_SET]:
        sets += ["--set", s]
    cmd = [MPIEXEC, *MPI_FLAGS, "-n", "2", exe, "run", str(SOURCE / "scenarios" / "tiny.yaml"), "-o", str(out),
           "-f", "--threads", "1", *sets]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout}\n{proc.stderr}"
    assert "2 ranks" in proc.stderr, f"not a distributed run?\n{proc.stderr}"
    return out


@pytest.mark.parametrize("week", recompute.WEEKS)
def test_two_ranks_metrics_equal_the_snapshot_recomputed(two_ranks, week):
    with h5py.File(two_ranks, "r") as f:
        n = f[f"snapshots/week_{week}/residents/neighbourhood"].shape[0]
        assert n == int(f["population"][list(f["week"][()]).index(week)].sum()), "the snapshot lacks residents"
    bad = recompute.check_week(two_ranks, week)
    assert not bad, f"week {week}:\n" + "\n".join(bad)


def test_two_ranks_weighted_breakdowns_equal_the_snapshot_recomputed(two_ranks):
    recompute.require_contract(two_ranks)
    for week in recompute.WEEKS:
        bad = recompute.check_week(two_ranks, week, contract=True)
        assert not bad, f"week {week}:\n" + "\n".join(bad)
