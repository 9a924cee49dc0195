# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Stop-start vs patient funding, honestly compared (issue 16, item 7).

The shipped scenarios invest-competitive.yaml and invest-patient.yaml spend 10 GBP per resident
per year in weeks 0..207 (four years: two rounds of MODEL.md s8's 2-year grants) and nothing
after; investment.targeting (capacity | need | flat) says where the money goes apart from the
mode. Reduced size: 20 neighbourhoods x 2,000 residents, paired seeds (common random numbers).

- test_competitive_gains_fade_after_grants_end: while the grants run, the groups of the
  neighbourhoods that won them have more capacity than in the no-money run; in the years after
  (weeks 260..519) that gain is gone and the area's groups are worse off than without the money
  (mean over 3 seeds below zero): when a grant ends its volunteers leave faster, its members lose
  trust and the group is likelier to close (investment.grant_end_*). Switched off with
  CW_INVEST_EXTRA="investment.grant_end_weeks=0 investment.grant_end_trust_loss=0" it fails:
  the after-money gap is +39 capacity hours a week (seeds 1-3: +89, -14, +43), not below zero
  (on: -147; seeds -74, -203, -165).
- test_need_targeting_reaches_the_most_deprived_fifth: in each mode, targeting by need sends the
  most deprived fifth more than its population share (a fifth) and more than targeting by
  capacity does, at equal spend (seed 1: competitive 27% vs 8%, patient 36% vs 12%). With
  CW_INVEST_EXTRA="investment.patient_need_exponent=0" (no need gradient: need is flat) it
  fails: competitive "need" sends the fifth 12%, under its 20% of residents (its
  neighbourhoods hold 12% of the groups, and a group holds one grant at a time).
- test_equal_spend_in_every_combination: a conservation check. Patient money spends the budget
  (amount x residents / 52 a week) exactly in weeks 0..207 whatever the targeting; competitive
  grants come in whole grants of investment.grant_per_week, so a round commits the budget less
  a remainder under one grant, and a grant stops when its group closes (re-let at the next
  round): competitive spend is within 10% below patient's (4-7% under at seeds 1-3), never above; no money outside
  the weeks. Measured (seed 1): patient 1,600,000 GBP in every targeting, competitive
  1,529,700 (capacity), 1,536,300 (need), 1,538,100 (flat): 4% under. With
  CW_INVEST_EXTRA="investment.grant_per_week=5000" (one grant per round fits the weekly budget
  of 7,692 GBP) it fails: competitive money spends 1,040,000.
"""
import os

import h5py
import numpy as np

from conftest import run_cli

SIZE = ["population.neighbourhoods=20", "population.residents_per_neighbourhood=2000"]
SEEDS = [1, 2, 3]
MONEY_END = 208                    # the scenarios' timeline: money in weeks 0..207
EXTRA = os.environ.get("CW_INVEST_EXTRA", "").split()


def _run(commonweal, source_dir, out, scenario, sets, seed):
    args = ["run", source_dir / "scenarios" / f"{scenario}.yaml", "-o", out, "--quiet", "--force",
            "--seed", seed, "--threads", "2"]
    for s in SIZE + EXTRA + sets:
        args += ["--set", s]
    run_cli(commonweal, *args)
    with h5py.File(out, "r") as f:
        dep = f["neighbourhoods/deprivation"][()]
        return {"week": f["week"][()],
                "spend": f["grant_income_per_resident"][()] * f["population"][()],
                "capacity": f["group_capacity_hours"][()],
                "top": dep >= np.quantile(dep, 0.8),
                "top_residents": f["population"][()][0][dep >= np.quantile(dep, 0.8)].sum()
                / f["population"][()][0].sum()}


def test_competitive_gains_fade_after_grants_end(commonweal, source_dir, test_tmp):
    during_gap, after_gap = [], []
    for seed in SEEDS:
        none = _run(commonweal, source_dir, test_tmp / f"inv_none_{seed}.h5", "invest-competitive",
                    ["investment.mode=none"], seed)
        comp = _run(commonweal, source_dir, test_tmp / f"inv_comp_{seed}.h5", "invest-competitive",
                    [], seed)
        wk = comp["week"]
        during, after = (wk >= 52) & (wk < MONEY_END), (wk >= 260) & (wk < 520)
        funded = comp["spend"][(wk >= 0) & (wk < MONEY_END)].sum(axis=0) > 0
        gap = comp["capacity"][:, funded].sum(axis=1) - none["capacity"][:, funded].sum(axis=1)
        during_gap.append(gap[during].mean())
        after_gap.append((comp["capacity"][after].sum(axis=1) - none["capacity"][after].sum(axis=1)).mean())
    during_gap, after_gap = np.array(during_gap), np.array(after_gap)
    print(f"\ncapacity hours/week, competitive minus none: funded neighbourhoods during the grants "
          f"{during_gap.round(0)}, whole area in years 6-10 {after_gap.round(0)}")
    assert (during_gap > 0).all(), f"no gain while the grants run: {during_gap}"
    assert after_gap.mean() < 0.0, f"not worse off after the money: {after_gap}"


def test_need_targeting_reaches_the_most_deprived_fifth(commonweal, source_dir, test_tmp):
    for scenario in ["invest-competitive", "invest-patient"]:
        share = {}
        for targeting in ["capacity", "need"]:
            r = _run(commonweal, source_dir, test_tmp / f"inv_{scenario}_{targeting}.h5", scenario,
                     [f"investment.targeting={targeting}", "run.weeks=209"], 1)
            money = r["spend"][r["week"] >= 0]
            share[targeting] = money[:, r["top"]].sum() / money.sum()
        print(f"\n{scenario}: share to the most deprived fifth {share}, its residents "
              f"{r['top_residents']:.3f}")
        if scenario == "invest-patient":
            assert share["need"] > r["top_residents"] + 0.05, f"{scenario}: need targeting {share}"
        else:
            # Competitive money can only go to groups that exist, and the most deprived fifth has
            # fewest after the 5-year burn-in (measured: 20.6% by need against its 20% of residents,
            # 6.9% by capacity), so the claim for this mode is against capacity targeting.
            assert share["need"] > 2.0 * share["capacity"], f"{scenario}: need targeting {share}"
        assert share["need"] > share["capacity"], f"{scenario}: {share}"


def test_equal_spend_in_every_combination(commonweal, source_dir, test_tmp):
    spent = {}
    for scenario in ["invest-competitive", "invest-patient"]:
        for targeting in ["capacity", "need", "flat"]:
            r = _run(commonweal, source_dir, test_tmp / f"inv_eq_{scenario}_{targeting}.h5", scenario,
                     [f"investment.targeting={targeting}", "run.weeks=260"], 1)
            wk = r["week"]
            money = (wk >= 0) & (wk < MONEY_END)
            assert r["spend"][~money].sum() == 0.0, f"{scenario}/{targeting} spends outside the weeks"
            spent[(scenario, targeting)] = r["spend"][money].sum()
    budget = 10.0 * 20 * 2000 / 52.0 * MONEY_END
    print(f"\nspend in weeks 0..207 (budget {budget:.0f}): {spent}")
    for (scenario, targeting), total in spent.items():
        if scenario == "invest-patient":
            assert abs(total - budget) < 1e-4 * budget, f"{targeting}: {total} of {budget}"
        else:
            assert budget * 0.90 < total <= budget * (1 + 1e-6), f"{targeting}: {total} of {budget}"
