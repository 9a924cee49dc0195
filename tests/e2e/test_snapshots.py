# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Snapshots (output.snapshot_weeks): every resident and group slot at chosen
weeks, consistent with the week's metrics."""
import subprocess

import h5py
import numpy as np

from conftest import run_cli


def test_snapshots_match_the_weeks_metrics(commonweal, source_dir, test_tmp):
    out = test_tmp / "snap.h5"
    run_cli(commonweal, "run", source_dir / "scenarios" / "tiny.yaml", "-o", out, "--force", "--quiet",
            "--set", "output.snapshot_weeks=3, -1")  # out of order: sorted
    with h5py.File(out, "r") as f:
        assert sorted(f["snapshots"].keys()) == ["week_-1", "week_3"]
        week = f["week"][()]
        for w in (-1, 3):
            snap = f[f"snapshots/week_{w}"]
            assert snap.attrs["week"] == w
            row = int(np.flatnonzero(week == w)[0])
            res, grp = snap["residents"], snap["groups"]
            n = int(f.attrs["residents"]) if "residents" in f.attrs else len(res["age"])
            assert res["need"].shape == (n, 6) and res["membership"].shape == (n, 4)
            nb = res["neighbourhood"][()]
            pop = np.bincount(nb, minlength=f["population"].shape[1])
            assert (pop == f["population"][row]).all()
            # wellbeing_mean is the neighbourhood mean of the residents' wellbeing
            wb = np.bincount(nb, weights=res["wellbeing"][()].astype(float)) / pop
            np.testing.assert_allclose(wb, f["wellbeing_mean"][row], rtol=1e-5)
            # groups_alive counts the living slots by kind
            alive = grp["alive"][()] == 1
            counts = np.zeros(f["groups_alive"].shape[1:])
            np.add.at(counts, (grp["neighbourhood"][()][alive], grp["kind"][()][alive]), 1)
            assert (counts == f["groups_alive"][row]).all()
            units = res["wellbeing"].attrs["units"]
            assert (units.decode() if isinstance(units, bytes) else units) == "0..1"
            # the steps behind the volunteering, informal-help and newcomer metrics
            step = w + int(f["parameters"].attrs["run.burn_in_weeks"])
            for col in ("arrived", "last_volunteered", "last_helped"):
                u = res[col].attrs["units"]
                assert (u.decode() if isinstance(u, bytes) else u) == "step" and res[col].dtype == np.uint16
                v = res[col][()]
                assert ((v <= step) | (v == 65535)).all(), f"{col} after week {w}'s step"
            assert (res["arrived"][()] != 65535).all()
            assert (res["last_helped"][()] != 65535).any() and (res["last_volunteered"][()] != 65535).any()


def test_snapshot_weeks_outside_the_run_are_refused(commonweal, source_dir, test_tmp):
    out = test_tmp / "snap-bad.h5"
    r = subprocess.run([commonweal, "run", str(source_dir / "scenarios" / "tiny.yaml"), "-o", str(out), "--force",
                        "--set", "output.snapshot_weeks=0,9999"], capture_output=True, text=True)
    assert r.returncode == 2
    assert "output.snapshot_weeks: week 9999 is outside the run" in r.stderr
    assert not out.exists() and not out.with_name(out.name + ".partial").exists()


def _text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def test_bit_fields_carry_cf_flags_from_the_dims_table(commonweal, source_dir, test_tmp):
    """Every bit field of a snapshot says what its bits mean (CF-1.8 flag_masks and
    flag_meanings, from sim/core/dims.def), and a resident's social_flags decode to the
    metrics' definitions: the isolated bit's share is the file's isolated_rate."""
    out = test_tmp / "snap_flags.h5"
    run_cli(commonweal, "run", source_dir / "scenarios" / "tiny.yaml", "-o", out, "--force", "--quiet",
            "--set", "output.snapshot_weeks=20")
    sectors = ["health", "social_care", "mental_health", "housing", "work", "food"]
    routes = ["informal", "group", "service"]
    want = {"unmet_mask": [f"unmet_{s}" for s in sectors],
            "ineffective_mask": [f"ineffective_{s}" for s in sectors],
            "ineffective_by": [f"ineffective_by_{r}" for r in routes],
            "helped_by": [f"helped_by_{r}" for r in routes],
            "social_flags": ["isolated", "lonely"]}
    with h5py.File(out, "r") as f:
        res = f["snapshots/week_20/residents"]
        for name, meanings in want.items():
            a = res[name].attrs
            assert _text(a["flag_meanings"]).split() == meanings, name
            assert list(a["flag_masks"]) == [1 << k for k in range(len(meanings))], name
        bit = dict(zip(_text(res["social_flags"].attrs["flag_meanings"]).split(),
                       res["social_flags"].attrs["flag_masks"]))
        row = int(np.flatnonzero(f["week"][()] == 20)[0])
        nb = res["neighbourhood"][()]
        iso = (res["social_flags"][()] & bit["isolated"]) != 0
        share = np.bincount(nb, weights=iso.astype(float)) / np.bincount(nb)
        np.testing.assert_allclose(share, f["isolated_rate"][row], rtol=1e-6)
