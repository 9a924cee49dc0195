# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Relief, not contact (issue 15): help that lowers no need does not count as help.

Groups whose help has no effect on any need (help.effect.group.* = 0) give hours, but relieve
nothing, so residents are left out at least as often as with no groups at all (within noise:
the paired difference over seeds). Before the change, contact counted: left out was 2.7%
with zero-effect groups against 4.0% with none (40 x 2,000 residents, 260 weeks), and this
test failed (checked by running it against the binary built from main before the change).
"""
import h5py
import numpy as np

from conftest import run_cli

SECTORS = ["health", "social_care", "mental_health", "housing", "work", "food"]
KINDS = ["mutual_aid", "faith", "sport_leisure", "tenants_residents", "food_bank", "advice_centre",
         "time_bank", "community_business"]
SIZE = ["population.neighbourhoods=8", "population.residents_per_neighbourhood=800",
        "run.weeks=104", "run.burn_in_weeks=26"]
SEEDS = [3, 5, 7]


def _left_out(commonweal, source_dir, out, sets, seed):
    args = ["run", source_dir / "scenarios" / "baseline.yaml", "-o", out, "--quiet", "--force",
            "--seed", seed, "--threads", "2"]
    for s in SIZE + sets:
        args += ["--set", s]
    run_cli(commonweal, *args)
    with h5py.File(out, "r") as f:
        post = f["week"][()] >= 0
        return float(f["area_left_out_rate"][post].mean())


def test_zero_effect_groups_leave_out_no_fewer_than_no_groups(commonweal, source_dir, test_tmp):
    zero_effect = [f"help.effect.group.{s}=0" for s in SECTORS]
    no_groups = [f"groups.initial_share.{k}=0" for k in KINDS]
    diffs = []
    for seed in SEEDS:
        lo_zero = _left_out(commonweal, source_dir, test_tmp / f"relief_zero_{seed}.h5", zero_effect, seed)
        lo_none = _left_out(commonweal, source_dir, test_tmp / f"relief_none_{seed}.h5", no_groups, seed)
        diffs.append(lo_zero - lo_none)
    d = np.array(diffs)
    se = d.std(ddof=1) / np.sqrt(len(d))
    print(f"\nleft out, zero-effect groups minus no groups: {d.mean():+.4f} (se {se:.4f}; {np.round(d, 4)})")
    assert d.mean() > -2.0 * se - 0.002, (
        f"zero-effect groups leave out {-d.mean():.4f} fewer residents than no groups (se {se:.4f}): "
        "contact is counted as relief")


def test_contact_without_relief_is_reported(commonweal, source_dir, test_tmp):
    """The contact shows: zero-effect group hours appear as reached but not relieved, by the
    group route, and the file holds the per-sector clocks that left out is counted from."""
    out = test_tmp / "relief_contact.h5"
    sets = [f"help.effect.group.{s}=0" for s in SECTORS] + ["output.snapshot_weeks=52"]
    _left_out(commonweal, source_dir, out, sets, 3)
    with h5py.File(out, "r") as f:
        post = f["week"][()] >= 0
        by_route = f["reached_not_relieved_by_route"][post].mean(axis=(0, 1))
        assert by_route[1] > 0.0, "zero-effect group hours are contact without relief"
        assert (f["reached_not_relieved_rate"][post] <= f["unmet_need_rate"][post] + 1e-7).all()
        res = f["snapshots/week_52/residents"]
        clock, need = res["unrelieved_weeks"][...], res["need"][...]
        assert clock.shape == need.shape
        assert ((clock > 0) <= (need > 0)).all(), "a clock runs only while its need is active"
        ineffective, unmet = res["ineffective_mask"][...], res["unmet_mask"][...]
        assert ((ineffective & ~unmet) == 0).all(), "reached but not relieved is unmet"
