# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""analysis.drift: the stationarity check says 'stationary' for a flat baseline and 'drifts' for
one that moves more than its tolerance (relative 5%, or 0.3 points for rates under 6%)."""
import numpy as np
import pandas as pd

from analysis import drift

WEEKS = 52 * 12


class Fake:
    """What drift reads of a Result: metrics [member, week, nbhd(, k)], weeks, labels, deciles."""

    def __init__(self, trend=0.0, which="left_out_rate", members=3, n=4):
        self.weeks = np.arange(-52, WEEKS)
        self.burn_in = self.weeks < 0
        self.labels = {"group_kind": ["mutual_aid", "faith"], "sector": ["health", "food"]}
        self.neighbourhoods = pd.DataFrame({"decile": [1, 4, 7, 10][:n]})
        t = np.clip(self.weeks, 0, None) / WEEKS
        base = {"population": 1000.0, "trust_services_share": 0.4, "trust_groups_share": 0.6,
                "formal_volunteering_rate": 0.22, "informal_help_rate": 0.35, "lonely_rate": 0.05,
                "isolated_rate": 0.01, "left_out_rate": 0.04}
        self.m = {}
        for name, v in base.items():
            x = np.full((members, len(self.weeks), n), v)
            if name == which:
                x = x * (1 + trend * t)[None, :, None]
            self.m[name] = x
        alive = np.full((members, len(self.weeks), n, 2), 10.0)
        if which == "groups_alive":
            alive *= (1 + trend * t)[None, :, None, None]
        self.m["groups_alive"] = alive
        self.m["unmet_need_rate"] = np.full((members, len(self.weeks), n, 2), 0.08)
        self.complete_members = np.arange(members)

    def metric(self, name):
        return self.m[name]


def verdicts(res):
    return {r[0]: r[5] for r in drift.table([res])}


def test_a_flat_baseline_is_stationary():
    assert all(verdicts(Fake()).values())


def test_a_small_rate_drifting_half_a_point_drifts():
    # 4% -> 4.5%: 12.5% relative, 0.5 points > 0.3
    v = verdicts(Fake(trend=0.125 * 12 / 11))
    assert not v["left_out_rate"]
    assert not v["left_out_rate[fifth 5]"]
    assert v["trust_services_share"]


def test_a_small_rate_within_the_absolute_tolerance_is_stationary():
    # 4% -> 4.2%: 5% relative... 0.2 points < 0.3
    assert verdicts(Fake(trend=0.05 * 12 / 11))["left_out_rate"]


def test_groups_growing_fourteen_percent_drift():
    v = verdicts(Fake(trend=0.14 * 12 / 11, which="groups_alive"))
    assert not v["groups_alive[faith]"] and not v["groups_alive[mutual_aid]"]


def test_the_scan_finds_where_a_settling_baseline_becomes_stationary():
    res = Fake()
    # trust in groups climbs for 3 years, then is flat
    t = np.clip(res.weeks, 0, 156) / 156
    res.m["trust_groups_share"] = res.m["trust_groups_share"] * (1 + 0.3 * t)[None, :, None]
    scan = drift.burn_in_scan([res], span_years=5)
    bad = [b for _, b, _ in scan]
    assert bad[0] == 1 and bad[3] == 0
