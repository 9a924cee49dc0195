# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Direction tests that need statistical power (issue 4): patient versus
competitive investment at equal spend, and the privatisation clause.

Replicate sweeps (20 replicates, common random numbers) of the files in
tests/data/scenarios/power on 10 neighbourhoods x 1,000 adults for 26 + 208
weeks: no investment; competitive grant rounds and patient core funding
targeted by need, both 10 GBP/resident/year in weeks 0..103 and nothing after;
a partnership; privatised; privatised with an involvement clause. On the
smaller area of test_sweep.py (8 x 500, 6 replicates) the CIs of these
differences included zero. ctest runs this file as e2e.power, in builds
without sanitizers (about two minutes in Release).

"The most deprived fifth" is the fifth of neighbourhoods with the highest
deprivation (deprivation deciles 9-10: `commonweal compare --by fifth`, group
"fifth 5"), as in the report's headline.
"""
import json

import h5py
import numpy as np
import pytest

from conftest import describe, run_cli

REPLICATES = 20
MONEY = "0:103"   # weeks the money is paid
AFTER = "104:207" # weeks after it stops


@pytest.fixture(scope="module")
def sweeps(commonweal, test_tmp, source_dir):
    """Each scenario of tests/data/scenarios/power as a replicate sweep: name -> sweep file."""
    data = source_dir / "tests" / "data" / "scenarios" / "power"
    tmp = test_tmp / "power"
    tmp.mkdir(exist_ok=True)
    out = {}
    for name in ["none", "competitive", "patient", "partnership", "privatisation",
                 "privatisation-clause"]:
        sweep = tmp / f"{name}.yaml"
        sweep.write_text(f"base: {data / (name + '.yaml')}\nreplicates: {REPLICATES}\n"
                         "common_random_numbers: true\n")
        out[name] = tmp / f"{name}.h5"
        run_cli(commonweal, "sweep", sweep, "-o", out[name], "--quiet", "--force", "--jobs", "2",
                timeout=900)
    return out


def most_deprived_fifth(commonweal, base, policy, weeks):
    report = json.loads(run_cli(commonweal, "compare", "--json", base, policy, "-m",
                                "left_out_rate", "--by", "fifth", "--weeks", weeks).stdout)
    rows = {r["group"]: r for r in report["rows"]}
    assert sorted(rows) == ["all residents"] + [f"fifth {k}" for k in range(1, 6)], sorted(rows)
    return rows["fifth 5"]


def test_fifth_is_the_population_weighted_top_two_deciles(commonweal, sweeps):
    """`compare --by fifth` agrees with the same figure computed here from the files."""
    def per_seed(path):
        with h5py.File(path, "r") as f:
            lo = f["left_out_rate"][...].astype(float)  # member, week, neighbourhood
            pop = f["population"][...].astype(float)
            decile = f["neighbourhoods/decile"][...]
            week = f["week"][...]
            seed = f["members/seed"][...]
        top = np.isin(decile, [9, 10])
        keep = (week >= 104) & (week <= 207)
        assert top.sum() == 2
        x, p = lo[:, keep][:, :, top], pop[:, keep][:, :, top]
        return dict(zip(seed.tolist(), ((x * p).sum(axis=2) / p.sum(axis=2)).mean(axis=1)))
    base, pol = per_seed(sweeps["competitive"]), per_seed(sweeps["patient"])
    d = np.array([pol[s] - base[s] for s in base])
    r = most_deprived_fifth(commonweal, sweeps["competitive"], sweeps["patient"], AFTER)
    assert r["n"] == REPLICATES
    assert r["difference"] == pytest.approx(d.mean(), rel=1e-6, abs=1e-12)


def test_patient_lowers_left_out_in_the_most_deprived_fifth_more_than_competitive(commonweal, sweeps):
    r = most_deprived_fifth(commonweal, sweeps["competitive"], sweeps["patient"], MONEY)
    print("\npatient - competitive, while the money is paid: " + describe(r))
    assert r["ci_high"] < 0, describe(r)


def test_patient_effect_lasts_after_the_money_stops(commonweal, sweeps):
    vs_none = most_deprived_fifth(commonweal, sweeps["none"], sweeps["patient"], AFTER)
    vs_comp = most_deprived_fifth(commonweal, sweeps["competitive"], sweeps["patient"], AFTER)
    print(f"\nafter the money stops: patient - none: {describe(vs_none)}\n"
          f"after the money stops: patient - competitive: {describe(vs_comp)}")
    assert vs_none["ci_high"] < 0, describe(vs_none)
    assert vs_comp["ci_high"] < 0, describe(vs_comp)


def test_competitive_money_does_something_while_it_is_paid(commonweal, sweeps):
    """Both modes do something while the money flows: the patient advantage is not an artefact of
    competitive money doing nothing. Since a grant's end has after-effects (issue 16 item 7:
    volunteers leave, members' trust falls, closures rise for 26 weeks), 26-week competitive grants
    raise the groups' capacity while paid but no longer measurably lower left out in the most
    deprived fifth (measured: -0.005 points, 95% CI -0.08 to +0.07; whole area -0.012, CI -0.034 to
    +0.009): the claim here is on capacity, which the money buys (+1.7 hours a week per
    neighbourhood, CI 0.6 to 2.8). With investment.amount 0 the difference is exactly 0 and this fails."""
    report = json.loads(run_cli(commonweal, "compare", "--json", sweeps["none"], sweeps["competitive"],
                                "-m", "group_capacity_hours", "--weeks", MONEY).stdout)
    (r,) = report["rows"]
    print("\ncompetitive - none, group capacity while the money is paid: " + describe(r))
    assert r["ci_low"] > 0, describe(r)


def whole_area(commonweal, base, policy):
    report = json.loads(run_cli(commonweal, "compare", "--json", base, policy, "-m",
                                "left_out_rate").stdout)
    (r,) = report["rows"]
    return r


def test_the_privatisation_clause_restores_part_of_what_privatisation_loses(commonweal, sweeps):
    lost = whole_area(commonweal, sweeps["partnership"], sweeps["privatisation"])
    restored = whole_area(commonweal, sweeps["privatisation"], sweeps["privatisation-clause"])
    still = whole_area(commonweal, sweeps["partnership"], sweeps["privatisation-clause"])
    print(f"\nprivatisation - partnership: {describe(lost)}\n"
          f"clause - privatisation: {describe(restored)}\n"
          f"clause - partnership: {describe(still)}")
    assert lost["ci_low"] > 0, describe(lost)          # privatisation loses
    assert restored["ci_high"] < 0, describe(restored)  # the clause gives some back
    assert still["ci_low"] > 0, describe(still)         # but not all of it
