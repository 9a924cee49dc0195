# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""I/O failures through the CLI: an unwritable or missing directory, an
existing output without --force, and a full disk (a file-size limit,
RLIMIT_FSIZE, with SIGXFSZ ignored) each give one clear message and exit 1,
and leave no file that looks complete: no OUT, at most an OUT.partial whose
`complete` attribute is 0 (or that is not even readable)."""
import os
import re
import resource
import signal
import subprocess

import h5py
import pytest


def run(commonweal, *args, fsize=None):
    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    return subprocess.run([commonweal, *map(str, args)], capture_output=True, text=True,
                          timeout=300, preexec_fn=limit if fsize else None)


def assert_incomplete(directory, name):
    """No OUT; an OUT.partial, if any, is marked incomplete or unreadable."""
    assert not (directory / name).exists()
    partial = directory / (name + ".partial")
    if partial.exists():
        try:
            with h5py.File(partial, "r") as f:
                assert int(f.attrs["complete"]) == 0
        except OSError:
            pass  # cut off mid-write: unreadable, and named .partial


def test_missing_directory(commonweal, source_dir, test_tmp):
    out = test_tmp / "no_such_dir" / "x.h5"
    r = run(commonweal, "run", source_dir / "scenarios" / "tiny.yaml", "-o", out, "-q")
    assert r.returncode == 1
    assert r.stderr == (f"commonweal: cannot create {out}.partial: {out.parent}: "
                        "No such file or directory\n")
    assert not out.parent.exists()


def test_unwritable_directory(commonweal, source_dir, test_tmp):
    if os.geteuid() == 0:  # root writes anywhere a mode allows nothing: use /proc
        out, why = "/proc/commonweal_test.h5", "No such file or directory"
        want = f"commonweal: cannot create {out}.partial: {why}\n"
    else:
        d = test_tmp / "read_only"
        d.mkdir(exist_ok=True)
        d.chmod(0o555)
        out = d / "x.h5"
        want = f"commonweal: cannot create {out}.partial: {d}: Permission denied\n"
    r = run(commonweal, "run", source_dir / "scenarios" / "tiny.yaml", "-o", out, "-q")
    assert r.returncode == 1
    assert r.stderr == want
    assert not os.path.exists(f"{out}.partial") and not os.path.exists(out)


def test_existing_output_needs_force(commonweal, source_dir, test_tmp):
    out = test_tmp / "io_exists.h5"
    out.write_bytes(b"\x89HDF\r\n\x1a\nprecious")  # an HDF5 signature: the program's own kind
    r = run(commonweal, "run", source_dir / "scenarios" / "tiny.yaml", "-o", out, "-q")
    assert r.returncode == 1
    assert r.stderr == f"commonweal: {out} exists (use --force to overwrite)\n"
    assert out.read_bytes() == b"\x89HDF\r\n\x1a\nprecious"
    assert not (test_tmp / "io_exists.h5.partial").exists()


def test_existing_output_of_another_kind_is_refused_even_with_force(commonweal, source_dir, test_tmp):
    out = test_tmp / "io_exists_text.h5"
    out.write_bytes(b"precious")
    r = run(commonweal, "run", source_dir / "scenarios" / "tiny.yaml", "-o", out, "-q", "--force")
    assert r.returncode == 2
    assert r.stderr == (f"commonweal: {out}: the output exists and is a file of another kind, not an "
                        "HDF5 file: refusing to overwrite it, with --force or without\n")
    assert out.read_bytes() == b"precious"
    assert not (test_tmp / "io_exists_text.h5.partial").exists()


# File-size limits (bytes) that cut the run off at the set-up, mid-run, and
# at the first checkpoint or the output's write after it (the set-up of
# tiny.yaml is about 210 kB since the breakdowns' counts; its first write,
# at week 12, takes it past 600 kB; a checkpoint is about 480 kB). Weekly
# chunks go straight to the file (no chunk cache), so a full disk shows at
# the write of the weekly metrics or at the flush after it.
@pytest.mark.parametrize("limit,pattern", [
    (100_000, r"commonweal: {partial}: cannot write the set-up \(flush\): File too large\n"),
    (400_000, r"commonweal: week \d+: {partial}: cannot write (weekly metrics|\(flush\)): File too large\n"),
    (800_000, r"commonweal: week \d+: ({partial}: cannot write (weekly metrics|\(flush\))|cannot write checkpoint "
              r"{ckpt}\.tmp): File too large\n"),
])
def test_disk_full(commonweal, source_dir, test_tmp, limit, pattern):
    d = test_tmp / f"io_full_{limit}"
    d.mkdir(exist_ok=True)
    for p in d.iterdir():
        p.unlink()
    out, ckpt = d / "x.h5", d / "x.ckpt"
    r = run(commonweal, "run", source_dir / "scenarios" / "tiny.yaml", "-o", out, "-q",
            "--checkpoint-every", "20", "--checkpoint", ckpt, fsize=limit)
    assert r.returncode == 1, r.stderr
    want = pattern.format(partial=re.escape(f"{out}.partial"), ckpt=re.escape(str(ckpt)))
    assert re.fullmatch(want, r.stderr), r.stderr
    assert_incomplete(d, "x.h5")
    assert not (d / "x.ckpt.tmp").exists()
