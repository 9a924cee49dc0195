# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""The C program as the one statistics engine: the report takes its paired differences from
`commonweal compare --json` (so the report and `compare` pair the same members the same way and
print the same numbers) and its words for the levers from `commonweal params --levers`.

The program is $COMMONWEAL when set, else `commonweal` on PATH, else build*/commonweal in the
source tree.
"""
from __future__ import annotations

import functools
import glob
import json
import os
import shutil
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class EngineError(RuntimeError):
    """`commonweal` is missing or refused the files (its message says why)."""


@functools.lru_cache(maxsize=None)
def program():
    exe = os.environ.get("COMMONWEAL")
    if exe:
        if not os.access(exe, os.X_OK):
            raise EngineError(f"COMMONWEAL={exe} is not an executable")
        return exe
    exe = shutil.which("commonweal")
    if exe:
        return exe
    found = sorted(glob.glob(os.path.join(ROOT, "build*", "commonweal")), key=os.path.getmtime)
    if found:
        return found[-1]
    raise EngineError("cannot find the commonweal program (build it, put it on PATH, or set "
                      "COMMONWEAL=path/to/commonweal): the report takes its comparisons from "
                      "`commonweal compare`")


def _run(args):
    r = subprocess.run([program(), *map(str, args)], capture_output=True, text=True)
    if r.returncode != 0:
        raise EngineError(r.stderr.strip() or f"commonweal {' '.join(map(str, args))} failed")
    return r.stdout


@functools.lru_cache(maxsize=None)
def _compare_cached(key):
    return json.loads(_run(["compare", "--json", *key]))


def compare(files, baseline=None, metric="left_out_rate", by=None, weeks=None):
    """`commonweal compare --json`: {'rows': [...], 'notes': str, ...}. files: run files
    (baseline's first, then the policy's) or one sweep file with baseline 'PATH=VALUE'."""
    args = [os.fspath(f) for f in files] + ["-m", metric]
    if baseline:
        args += ["--baseline", baseline]
    if by:
        args += ["--by", by]
    if weeks:
        args += ["--weeks", weeks]
    return _compare_cached(tuple(args))


@functools.lru_cache(maxsize=None)
def levers():
    """{path: {'text', 'scale', 'choices', 'unit', 'default'}} from `commonweal params --levers`."""
    return {d["path"]: d for d in json.loads(_run(["params", "--levers"]))["levers"]}
