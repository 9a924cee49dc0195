# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Levers cost and work (issue 16, items 5 and 6).

- Privatisation thins community involvement with or without a partnership: council staff's
  links with local groups carry referrals both ways (services.community_link); contractors lose
  privatisation.margin_loss of them. Privatised services alone leave more residents out than the
  baseline (paired seeds, 95% CI above zero); with services.community_link 0 there is nothing to
  lose and the two runs are identical. Run with CW_LEVERS_EXTRA="services.community_link=0",
  test_privatisation_leaves_more_out fails (its difference is exactly zero).
- The partnership is paid for: its escalation pool is top-sliced from the services' budgets, so
  every team has fewer hours on needs than in the baseline, by the pool's share; with
  partnership.escalation_pool_hours 0 the teams' hours are the baseline's.
- `commonweal check` prints each lever's cost per resident per year and its budget.
"""
import os
import re

import h5py
import numpy as np

from conftest import run_cli

SECTORS = ["health", "social_care", "mental_health", "housing", "work", "food"]
SIZE = ["population.neighbourhoods=6", "population.residents_per_neighbourhood=1000",
        "run.weeks=104", "run.burn_in_weeks=52"]
SEEDS = [1, 2, 3, 4, 5]
T975_4 = 2.776
EXTRA = os.environ.get("CW_LEVERS_EXTRA", "").split()
BUDGETS = [1.0, 3.0, 0.8, 0.8, 0.5, 0.1]  # funding.budget.* defaults, GBP/resident/week


def _run(commonweal, source_dir, out, sets, seed):
    args = ["run", source_dir / "scenarios" / "baseline.yaml", "-o", out, "--quiet", "--force",
            "--seed", seed, "--threads", "1"]
    for s in SIZE + EXTRA + sets:
        args += ["--set", s]
    run_cli(commonweal, *args)
    with h5py.File(out, "r") as f:
        post = f["week"][()] >= 0
        return {"left_out": f["area_left_out_rate"][post],
                "hours": f["service_hours"][post].mean(axis=(0, 1))}


def test_privatisation_leaves_more_out(commonweal, source_dir, test_tmp):
    d = []
    for seed in SEEDS:
        base = _run(commonweal, source_dir, test_tmp / f"lev_base_{seed}.h5", [], seed)
        priv = _run(commonweal, source_dir, test_tmp / f"lev_priv_{seed}.h5", ["policy.privatised=1"], seed)
        d.append(float(priv["left_out"].mean() - base["left_out"].mean()))
    d = np.array(d)
    half = T975_4 * d.std(ddof=1) / np.sqrt(len(d))
    print(f"\nprivatised minus baseline, left out: {100 * d.mean():+.3f} points "
          f"(95% CI {100 * (d.mean() - half):+.3f} to {100 * (d.mean() + half):+.3f})")
    assert d.mean() - half > 0.0, f"privatisation moves left out by {d.mean():+.5f} (CI half-width {half:.5f})"


def test_privatisation_needs_community_link(commonweal, source_dir, test_tmp):
    """The mechanism off: without links there is nothing for contractors to lose."""
    off = ["services.community_link=0"]
    base = _run(commonweal, source_dir, test_tmp / "lev_link0_base.h5", off, 1)
    priv = _run(commonweal, source_dir, test_tmp / "lev_link0_priv.h5", off + ["policy.privatised=1"], 1)
    assert np.array_equal(base["left_out"], priv["left_out"])


def test_escalation_pool_is_paid_from_service_budgets(commonweal, source_dir, test_tmp):
    base = _run(commonweal, source_dir, test_tmp / "lev_pool_base.h5", [], 1)
    part = _run(commonweal, source_dir, test_tmp / "lev_pool_part.h5", ["policy.partnership=1"], 1)
    free = _run(commonweal, source_dir, test_tmp / "lev_pool_free.h5",
                ["policy.partnership=1", "partnership.escalation_pool_hours=0"], 1)
    topslice = 1.0 - 0.02 * 30.0 / sum(BUDGETS)  # pool hours x staff hour cost / budgets
    assert np.all(part["hours"] < base["hours"])
    np.testing.assert_allclose(part["hours"] / base["hours"], topslice, rtol=1e-5)
    np.testing.assert_allclose(free["hours"], base["hours"], rtol=1e-6)


def _costs(commonweal, source_dir, name, *sets):
    args = ["check", source_dir / "scenarios" / f"{name}.yaml"]
    for s in sets:
        args += ["--set", s]
    out = run_cli(commonweal, *args).stdout
    return {m.group(1): float(m.group(2)) for m in re.finditer(r"^#   ([a-z ]+?)[:(].*?([0-9]+\.[0-9]+)", out, re.M)}


def test_check_prints_lever_costs(commonweal, source_dir):
    spend = 52 * sum(BUDGETS)
    base = _costs(commonweal, source_dir, "baseline")
    assert base == {"services ": round(spend, 2)}
    part = _costs(commonweal, source_dir, "partnership")
    pool = 52 * 0.02 * 30.0
    assert abs(part["partnership escalation pool"] - pool) < 0.01
    assert abs(part["partnership officer time"] - 0.05 * (spend - pool)) < 0.01
    assert abs(_costs(commonweal, source_dir, "invest-patient")["capacity investment"] - 10.0) < 1e-9
    # privatised inside a partnership: the margin it keeps is what the officer time costs
    priv = _costs(commonweal, source_dir, "partnership", "policy.privatised=true")
    assert abs(priv["partnership officer time"] - 0.2 * 0.05 * (spend - pool)) < 0.01
