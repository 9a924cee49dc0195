#!/usr/bin/python3
# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Crash consistency, as SQLite tests it (issue 20): kill a run with SIGKILL
at random moments - from file creation to mid-flush - and require that
`commonweal resume` then gives datasets byte-identical to an uninterrupted
run's, or refuses up front with a message that says to start again (and a
run started again with --force then succeeds).

Checkpoint intervals that do and do not divide output.flush_every_weeks are
drawn in turn. With --disk-full, each point runs on a small tmpfs that fills
part-way: the run must stop with a message, its partial must hold every week
its weeks_written attribute claims (equal to the reference's rows), and once
the filesystem is enlarged the resume must give the identical file or refuse.
Mounting needs root; where it is not allowed the variant says so and skips.

  /usr/bin/python3 benchmarks/kill_harness.py --commonweal build/commonweal --points 200
  /usr/bin/python3 benchmarks/kill_harness.py --commonweal build/commonweal --disk-full --points 20

Exit status 0 when every point passes. tests/e2e/test_kill_harness.py runs a
smaller count in CI.
"""
import argparse
import pathlib
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import h5py

SOURCE = pathlib.Path(__file__).resolve().parents[1]
SCENARIO = SOURCE / "scenarios" / "tiny.yaml"
# tiny.yaml at 4 x 1000 residents, 112 weeks: about half a second a run.
BASE_SETS = ["--set", "population.residents_per_neighbourhood=1000", "--set", "run.weeks=60"]
# (checkpoint every, flush every): 13 | 13, 26 is a multiple, 1 divides; 3, 5, 7, 10 and 6 | 8 do not.
VERBOSE = False
CONFIGS = [(13, 13), (3, 13), (26, 13), (5, 13), (1, 13), (7, 13), (10, 13), (4, 8), (6, 8), (8, 8)]


def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()])
                     if isinstance(obj, h5py.Dataset) else None)
    return out


def differences(a, b):
    """Names of the datasets that differ between files a and b ([] if none)."""
    da, db = datasets(a), datasets(b)
    if sorted(da) != sorted(db):
        return sorted(set(da) ^ set(db))

    def same(x, y):
        if x.dtype.kind == "O":
            return x.shape == y.shape and x.tolist() == y.tolist()
        return x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes()
    return [k for k in da if not same(da[k], db[k])]


def sets_for(flush_every):
    return BASE_SETS + ["--set", f"output.flush_every_weeks={flush_every}"]


def reference(cw, work, threads):
    ref = work / "reference.h5"
    t0 = time.time()
    subprocess.run([cw, "run", SCENARIO, "-o", ref, "-q", "--force", "--threads", str(threads),
                    *sets_for(13)], check=True, capture_output=True)
    return ref, time.time() - t0


def refused_up_front(result):
    """A refusal before any week ran, that says to start again."""
    return (result.returncode in (1, 2) and "again" in result.stderr
            and not re.search(r"week \d+:", result.stderr))


def start_again(cw, out, ckpt, ce, fe, threads, ref):
    r = subprocess.run([cw, "run", SCENARIO, "-o", out, "-q", "--force", "--threads", str(threads),
                        "--checkpoint-every", str(ce), "--checkpoint", ckpt, *sets_for(fe)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return f"starting again failed ({r.returncode}): {r.stderr.strip()}"
    diff = differences(out, ref)
    return f"started again, but {diff} differ" if diff else None


def partial_claims_hold(partial, ref):
    """The partial opens and its first weeks_written rows equal the reference's."""
    with h5py.File(partial, "r") as p, h5py.File(ref, "r") as r:
        n = int(p.attrs["weeks_written"])
        bad = [k for k in r if isinstance(r[k], h5py.Dataset) and "week" in
               [d.label for d in r[k].dims] and r[k].dims[0].label == "week"
               and (p[k].shape[0] < n or p[k][:n].tobytes() != r[k][:n].tobytes())]
    return n, bad


def one_point(cw, ref, run_seconds, work, index, rng, threads, disk_full):
    ce, fe = CONFIGS[index % len(CONFIGS)]
    d = work / f"p{index:03d}"
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    mounted = False
    if disk_full:
        # kB: the output needs ~380, a checkpoint ~790 and its rewrite as much again, so the
        # first checkpoint fits in all but the smallest, and the disk fills later
        size = rng.choice([300, 1100, 1300, 1500, 1700])
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}k", "tmpfs", str(d)], check=True)
        mounted = True
    out, ckpt = d / "run.h5", d / "run.ckpt"
    # a tenth of the points in the first 60 ms (file creation, the set-up)
    kill_at = rng.uniform(0, 0.06) if rng.random() < 0.1 else rng.uniform(0, run_seconds * 1.05)
    what = f"point {index}: checkpoint every {ce}, flush every {fe}"
    try:
        proc = subprocess.Popen([cw, "run", SCENARIO, "-o", out, "-q", "--threads", str(threads),
                                 "--checkpoint-every", str(ce), "--checkpoint", ckpt, *sets_for(fe)],
                                stderr=subprocess.PIPE, text=True)
        if disk_full:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
        else:
            try:
                proc.wait(timeout=kill_at)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
        rc = proc.wait()
        err = proc.stderr.read()
        what += f", killed at {kill_at * 1000:.0f} ms" if rc == -signal.SIGKILL else f", run exit {rc}"
        if rc == 0:
            diff = differences(out, ref)
            return ("complete", None if not diff else f"{what}: finished file differs in {diff}")
        if disk_full:
            partial = pathlib.Path(str(out) + ".partial")
            if "No space left" not in err and "too large" not in err:
                return ("failed", f"{what}: no disk-full message: {err.strip()!r}")
            if partial.exists():
                try:
                    n, bad = partial_claims_hold(partial, ref)
                except (OSError, KeyError) as e:
                    return ("failed", f"{what}: the partial does not open: {e}")
                if bad:
                    return ("failed", f"{what}: the partial claims {n} weeks, but {bad} differ there")
            subprocess.run(["mount", "-o", "remount,size=64m", str(d)], check=True)
        r = subprocess.run([cw, "resume", ckpt, "-q", "--threads", str(threads)], capture_output=True,
                           text=True)
        if r.returncode == 0:
            diff = differences(out, ref)
            return ("resumed", None if not diff else f"{what}: resumed file differs in {diff}")
        if not refused_up_front(r):
            return ("failed", f"{what}: resume failed ({r.returncode}): {r.stderr.strip()!r}")
        problem = start_again(cw, out, ckpt, ce, fe, threads, ref)
        VERBOSE and print(f"{what}: refused: {r.stderr.splitlines()[0]}")
        return ("refused", None if not problem else f"{what}: {problem}")
    finally:
        if mounted:
            subprocess.run(["umount", str(d)], check=False)


def can_mount(work):
    probe = work / "mount-probe"
    probe.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return r.stderr.strip() or f"mount exited {r.returncode}"
    subprocess.run(["umount", str(probe)], check=False)
    return None


def harness(cw, points, seed=1, threads=1, disk_full=False, work=None, log=print):
    """Run the points; returns (counts by outcome, list of failure messages)."""
    work = pathlib.Path(work or tempfile.mkdtemp(prefix="cw-kill-"))
    work.mkdir(parents=True, exist_ok=True)
    ref, seconds = reference(cw, work, threads)
    rng = random.Random(seed)
    counts, failures = {"complete": 0, "resumed": 0, "refused": 0, "failed": 0}, []
    for i in range(points):
        outcome, problem = one_point(cw, ref, seconds, work, i, rng, threads, disk_full)
        if problem:
            outcome = "failed"
            failures.append(problem)
            log(problem)
        counts[outcome] += 1
    return counts, failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--commonweal", default=str(SOURCE / "build" / "commonweal"))
    ap.add_argument("--points", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--disk-full", action="store_true", help="on a small tmpfs that fills")
    ap.add_argument("--work", help="scratch directory (default: a new one under /tmp)")
    ap.add_argument("--verbose", action="store_true", help="say why each refusal refused")
    a = ap.parse_args()
    global VERBOSE
    VERBOSE = a.verbose
    if a.disk_full:
        why = can_mount(pathlib.Path(a.work or tempfile.gettempdir()) / "cw-kill-probe")
        if why:
            print(f"disk-full variant skipped: cannot mount a tmpfs here ({why})")
            return 0
    t0 = time.time()
    counts, failures = harness(a.commonweal, a.points, a.seed, a.threads, a.disk_full, a.work)
    passed = a.points - counts["failed"]
    print(f"{passed}/{a.points} points pass ({counts['complete']} finished before the kill, "
          f"{counts['resumed']} resumed identically, {counts['refused']} refused up front and started "
          f"again, {counts['failed']} failed) in {time.time() - t0:.0f} s"
          + (" [disk-full]" if a.disk_full else ""))
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
