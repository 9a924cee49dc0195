# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Distributed runs and sweeps (docs/MPI.md), through mpirun.

ctest runs this only in builds with MPI, with
  COMMONWEAL     the command-line program,
  CW_SOURCE_DIR  the source tree,
  CW_TEST_TMP    a scratch directory,
  MPIEXEC        mpirun.
Ranks are oversubscribed (CI machines have 2 cores) and allowed as root.

Checked: tiny.yaml at 1, 2 and 3 ranks writes every dataset byte for byte as
one process does (with snapshots, and with the cross-rank parts switched on:
LA escalation pools, competitive grant rounds); more ranks than
neighbourhoods are refused with a clear message; a small sweep at 2 and 3
ranks equals the one-process sweep, and one cut short resumes on another
number of ranks; a distributed run killed part-way resumes from its
checkpoint on another number of ranks (and in one process) to the same file.
"""
import os
import pathlib
import re
import signal
import subprocess
import sys
import time

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from h5identical import assert_identical_h5  # noqa: E402

SOURCE = pathlib.Path(os.environ.get("CW_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
MPIEXEC = os.environ.get("MPIEXEC", "mpirun")
MPI_FLAGS = ["--oversubscribe", "--allow-run-as-root"]
TINY = SOURCE / "scenarios" / "tiny.yaml"
STANDARD = SOURCE / "benchmarks" / "standard.yaml"
# the parts of a week that cross ranks, all switched on (tiny has one LA:
# every rank shares its pools)
CROSS = ["--set", "policy.partnership=true", "--set", "partnership.escalation_min_neighbourhoods=1",
         "--set", "partnership.escalation_unmet_rate=0.01", "--set", "investment.mode=competitive",
         "--set", "investment.round_weeks=3", "--set", "investment.amount=300",
         "--set", "investment.grant_weeks=7", "--set", "investment.grant_per_week=50",
         "--set", "output.snapshot_weeks=-10,20"]


@pytest.fixture(scope="session")
def commonweal():
    exe = os.environ.get("COMMONWEAL")
    if not exe:
        pytest.skip("COMMONWEAL is not set (run the tests through ctest)")
    return exe


@pytest.fixture(scope="session")
def tmp(tmp_path_factory):
    d = pathlib.Path(os.environ.get("CW_TEST_TMP", tmp_path_factory.mktemp("mpi"))) / "mpi"
    d.mkdir(parents=True, exist_ok=True)
    return d


def mpirun(n, *args, check=True, **kw):
    cmd = [MPIEXEC, *MPI_FLAGS, "-n", str(n), *map(str, args)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)
    if check:
        assert proc.returncode == 0, f"{cmd}\n{proc.stdout}\n{proc.stderr}"
    return proc


def run(*args):
    proc = subprocess.run(list(map(str, args)), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{args}\n{proc.stderr}"


def assert_same(a, b):
    assert_identical_h5(a, b)


@pytest.mark.parametrize("extra", [[], CROSS], ids=["tiny", "tiny-cross-rank-parts"])
def test_one_two_three_ranks_write_the_one_process_datasets(commonweal, tmp, extra):
    name = "cross" if extra else "plain"
    one = tmp / f"run-{name}-serial.h5"
    run(commonweal, "run", TINY, "-o", one, "-q", "-f", "--threads", "2", *extra)
    for n in (1, 2, 3):
        out = tmp / f"run-{name}-{n}.h5"
        mpirun(n, commonweal, "run", TINY, "-o", out, "-q", "-f", "--threads", "1", *extra)
        assert_same(one, out)


def test_real_places_over_ranks_write_the_one_process_datasets(commonweal, tmp):
    """Two real LAs of the England table (codes in /neighbourhoods), shrunk, cut at the LA boundary."""
    sets = ["--set", "population.areas=Hart; Isles of Scilly; City of London", "--set", "population.scale=0.05",
            "--set", "run.weeks=6", "--set", "run.burn_in_weeks=2"]
    hart = SOURCE / "scenarios" / "hart.yaml"
    one = tmp / "real-serial.h5"
    run(commonweal, "run", hart, "-o", one, "-q", "-f", "--threads", "2", *sets)
    for n in (2, 3):
        out = tmp / f"real-{n}.h5"
        mpirun(n, commonweal, "run", hart, "-o", out, "-q", "-f", "--threads", "1", *sets)
        assert_same(one, out)


def model_memory(stderr):
    """The largest rank's peak model memory (MiB) from the run's summary line."""
    found = re.search(r"memory ([0-9.]+) MiB", stderr)
    assert found, stderr
    return float(found.group(1))


def test_memory_divides_over_ranks(commonweal, tmp):
    # 12 neighbourhoods of 5,000: each rank builds and holds only its own
    # residents (and copies of the few it has cross-rank ties to)
    sets = ["--set", "population.neighbourhoods=12", "--set", "population.residents_per_neighbourhood=5000",
            "--set", "run.burn_in_weeks=2", "--set", "run.weeks=2"]
    one = mpirun(1, commonweal, "run", STANDARD, "-o", tmp / "mem-1.h5", "-f", "--threads", "1", *sets)
    three = mpirun(3, commonweal, "run", STANDARD, "-o", tmp / "mem-3.h5", "-f", "--threads", "1", *sets)
    assert "largest of 3 ranks" in three.stderr, three.stderr
    whole, largest = model_memory(one.stderr), model_memory(three.stderr)
    assert largest < 0.45 * whole, f"largest rank {largest} MiB of {whole} MiB in one process"
    assert_same(tmp / "mem-1.h5", tmp / "mem-3.h5")


def test_more_ranks_than_neighbourhoods_is_refused(commonweal, tmp):
    out = tmp / "refused.h5"
    proc = mpirun(5, commonweal, "run", TINY, "-o", out, "-q", "-f", check=False)
    assert proc.returncode == 2, proc.stderr
    assert "5 MPI ranks for 4 neighbourhoods" in proc.stderr, proc.stderr
    assert "use at most 4 ranks" in proc.stderr
    assert proc.stderr.count("5 MPI ranks for 4 neighbourhoods") == 1, "told once, by rank 0"
    assert not out.exists() and not pathlib.Path(str(out) + ".partial").exists()


SWEEP = SOURCE / "scenarios" / "sweeps" / "morris-small.yaml"
SWEEP_SETS = ["--set", "run.weeks=20"]


@pytest.fixture(scope="module")
def sweep_serial(commonweal, tmp):
    out = tmp / "sweep-serial.h5"
    run(commonweal, "sweep", SWEEP, "-o", out, "-q", "-f", "--jobs", "2", *SWEEP_SETS)
    return out


@pytest.mark.parametrize("n", [2, 3])
def test_a_sweep_over_ranks_writes_the_one_process_file(commonweal, tmp, sweep_serial, n):
    out = tmp / f"sweep-{n}.h5"
    mpirun(n, commonweal, "sweep", SWEEP, "-o", out, "-q", "-f", "--threads", "1", *SWEEP_SETS)
    assert_same(sweep_serial, out)


def test_a_sweep_cut_short_resumes_on_another_number_of_ranks(commonweal, tmp, sweep_serial):
    out = tmp / "sweep-cut.h5"
    partial = pathlib.Path(str(out) + ".partial")
    for p in (out, partial):
        p.unlink(missing_ok=True)
    # one process writes a few members, then is stopped (as Ctrl-C would)
    proc = subprocess.Popen([commonweal, "sweep", SWEEP, "-o", out, "-q", "--jobs", "1",
                             "--set", "run.weeks=200"], stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None and not partial.exists():
        time.sleep(0.05)
    time.sleep(1.5)  # a member or two (about 0.5 s each here)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("the sweep finished before it could be stopped")
    assert "continue with --resume" in err
    whole = tmp / "sweep-whole200.h5"
    mpirun(3, commonweal, "sweep", SWEEP, "-o", out, "-q", "--resume", "--threads", "1",
           "--set", "run.weeks=200")
    run(commonweal, "sweep", SWEEP, "-o", whole, "-q", "-f", "--jobs", "2", "--set", "run.weeks=200")
    assert out.exists() and not partial.exists()
    assert_same(whole, out)


def test_a_distributed_run_killed_part_way_resumes_on_other_rank_counts(commonweal, tmp):
    sets = ["--set", "population.residents_per_neighbourhood=1500", "--set", "run.weeks=100",
            "--set", "output.flush_every_weeks=10"]
    reference = tmp / "ckpt-reference.h5"
    run(commonweal, "run", TINY, "-o", reference, "-q", "-f", "--threads", "2", *sets)
    d = tmp / "ckpt"
    d.mkdir(exist_ok=True)
    out, ckpt = d / "run.h5", d / "run.ckpt"
    for p in (out, ckpt, d / "run.h5.partial"):
        p.unlink(missing_ok=True)
    proc = subprocess.Popen([MPIEXEC, *MPI_FLAGS, "-n", "3", commonweal, "run", TINY, "-o", out, "-q",
                             "--threads", "1", "--checkpoint-every", "10", "--checkpoint", ckpt, *sets],
                            stderr=subprocess.PIPE, start_new_session=True)
    first = None
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if ckpt.exists():
            m = ckpt.stat().st_mtime_ns
            if first is None:
                first = m
            elif m != first:
                break
        time.sleep(0.01)
    if proc.poll() is not None:
        pytest.skip("the run finished before it could be killed")
    # the ranks first (mpirun puts them in process groups of their own), then mpirun
    children = pathlib.Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    for pid in children:
        try:
            os.kill(int(pid), signal.SIGKILL)
        except ProcessLookupError:
            pass
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    assert ckpt.exists() and (d / "run.h5.partial").exists()
    import h5py
    deadline = time.time() + 60  # the ranks die a moment after mpirun: until then rank 0 locks the file
    while time.time() < deadline:
        try:
            h5py.File(d / "run.h5.partial", "r").close()
            break
        except OSError:
            time.sleep(0.1)
    partial = d / "run.h5.partial"
    saved, saved_partial = ckpt.read_bytes(), partial.read_bytes()
    mpirun(2, commonweal, "resume", ckpt, "-q", "--threads", "1")
    assert_same(reference, out)
    # the same checkpoint and partial file, in one process
    out.unlink()
    ckpt.write_bytes(saved)
    partial.write_bytes(saved_partial)
    run(commonweal, "resume", ckpt, "-q", "--threads", "2")
    assert_same(reference, out)
