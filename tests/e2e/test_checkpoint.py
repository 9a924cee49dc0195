# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Checkpoint/resume through the CLI: a run killed with SIGKILL part-way leaves
an OUT.partial that h5py and xarray open, holding every week up to its last
flush (root attribute weeks_written); `commonweal resume` from the last
checkpoint finishes it with datasets byte-identical to an uninterrupted run,
at 1 and 2 threads. Also: an interrupted run resumed from an earlier
checkpoint rewrites the weeks written after it, and another version's
checkpoint is refused."""
import os
import shutil
import signal
import subprocess
import time

import h5py
import numpy as np
import pytest
import xarray as xr

from conftest import assert_identical_h5, run_cli

# tiny.yaml with 4 x 1000 residents: slow enough per week that the test's
# SIGKILL lands well inside the 13 weeks between two flushes.
SETS = ["--set", "population.residents_per_neighbourhood=1000", "--set", "run.weeks=60",
        "--set", "output.flush_every_weeks=13"]


@pytest.fixture(scope="module")
def reference(commonweal, source_dir, test_tmp):
    out = test_tmp / "ckpt_reference.h5"
    run_cli(commonweal, "run", source_dir / "scenarios" / "tiny.yaml", "-o", out, "-q", "--force",
            "--threads", "1", *SETS)
    return out


def killed_run(commonweal, source_dir, directory):
    """Start a run checkpointing every 13 weeks; SIGKILL it as soon as the
    second checkpoint appears (a flush has just ended: the next is 13 weeks
    away). Returns (out, checkpoint)."""
    directory.mkdir(parents=True, exist_ok=True)
    out, ckpt = directory / "run.h5", directory / "run.ckpt"
    for p in (out, ckpt, directory / "run.h5.partial"):
        p.unlink(missing_ok=True)
    proc = subprocess.Popen([commonweal, "run", source_dir / "scenarios" / "tiny.yaml", "-o", out,
                             "-q", "--threads", "2", "--checkpoint-every", "13", "--checkpoint",
                             ckpt, *SETS], stderr=subprocess.PIPE)
    seen, first = 0, None
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if ckpt.exists():
            mtime = ckpt.stat().st_mtime_ns
            if first is None:
                first = mtime
            elif mtime != first:
                seen = 2
                break
        time.sleep(0.002)
    assert seen == 2 and proc.poll() is None, f"the run ended first: {proc.stderr.read()!r}"
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    return out, ckpt


def test_killed_run_keeps_flushed_weeks_and_resumes_identically(commonweal, source_dir, test_tmp,
                                                                  reference):
    out, ckpt = killed_run(commonweal, source_dir, test_tmp / "ckpt_killed")
    partial = out.with_name(out.name + ".partial")
    assert not out.exists() and partial.exists() and ckpt.exists()
    assert not ckpt.with_name(ckpt.name + ".tmp").exists()

    # The partial file opens and holds whole weeks up to its last flush.
    with h5py.File(partial, "r") as f:
        written = int(f.attrs["weeks_written"])
        assert int(f.attrs["complete"]) == 0
        assert written >= 26 and written % 13 == 0, written
        assert f["week"].shape == (written,)
        assert list(f["week"][...]) == list(range(-52, -52 + written))
        assert f["need_rate"].shape[0] == written
        assert f["burn_in"].shape == (written,)
    ds = xr.open_dataset(partial)
    assert ds.sizes["week"] == written
    assert np.isfinite(ds.need_rate.values).all()
    ds.close()

    # Resume at 1 and at 2 threads, each from its own copy.
    for threads in (1, 2):
        d = test_tmp / f"ckpt_killed_{threads}"
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir()
        # the checkpoint names the output by its path: resume where it was
        shutil.copy(partial, d / "saved.partial")
        shutil.copy(ckpt, d / "saved.ckpt")
        result = run_cli(commonweal, "resume", ckpt, "--threads", threads)
        assert "resuming" in result.stderr and "at week" in result.stderr
        assert out.exists() and not partial.exists()
        assert not ckpt.exists(), "a finished run's checkpoint is removed"
        assert_identical_h5(reference, out)
        with h5py.File(out, "r") as f:
            assert int(f.attrs["complete"]) == 1
            assert int(f.attrs["weeks_written"]) == int(f.attrs["weeks_planned"])
        out.unlink()
        shutil.copy(d / "saved.partial", partial)
        shutil.copy(d / "saved.ckpt", ckpt)


def test_weeks_after_the_checkpoint_are_rewritten(commonweal, source_dir, test_tmp, reference):
    """Ctrl-C closes the file with every week so far; resuming from the
    checkpoint before them cuts the file back and writes them again."""
    d = test_tmp / "ckpt_rewrite"
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir()
    out, ckpt = d / "run.h5", d / "run.ckpt"
    proc = subprocess.Popen([commonweal, "run", source_dir / "scenarios" / "tiny.yaml", "-o", out,
                             "-q", "--threads", "1", "--checkpoint-every", "40", "--checkpoint",
                             ckpt, *SETS], stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not ckpt.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.002)
    proc.send_signal(signal.SIGINT)  # stops after the week under way: at week 40 or a little past
    stderr = proc.communicate(timeout=60)[1]
    assert proc.returncode == 1, stderr
    assert "interrupted after" in stderr
    with h5py.File(d / "run.h5.partial", "r") as f:
        interrupted_at = int(f.attrs["weeks_written"])
    run_cli(commonweal, "resume", ckpt, "-q")
    assert_identical_h5(reference, out)
    assert interrupted_at >= 40


def test_resume_refuses_another_version(commonweal, source_dir, test_tmp):
    d = test_tmp / "ckpt_version"
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir()
    out, ckpt = d / "run.h5", d / "run.ckpt"
    proc = subprocess.Popen([commonweal, "run", source_dir / "scenarios" / "tiny.yaml", "-o", out,
                             "-q", "--checkpoint-every", "20", "--checkpoint", ckpt, *SETS])
    deadline = time.time() + 120
    while not ckpt.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.002)
    proc.kill()
    proc.wait()
    version = subprocess.run([commonweal, "--version"], capture_output=True,
                             text=True).stdout.split()[1]
    data = ckpt.read_bytes()
    other = ("9" if version[0] != "9" else "8") + version[1:]
    ckpt.write_bytes(data.replace(version.encode(), other.encode(), 1))
    result = subprocess.run([commonweal, "resume", ckpt], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr == (
        f"commonweal: {ckpt} was written by commonweal {other} (checkpoint format 2); this is "
        f"commonweal {version} (checkpoint format 2), which cannot continue it: resume with the "
        f"program that wrote it, or run the scenario again\n")
    assert not out.exists()
