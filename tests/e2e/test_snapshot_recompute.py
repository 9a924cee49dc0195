# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""An independent check of the week's metrics (issue 15, item 3).

From the resident snapshot of a week (/snapshots/week_W/residents, docs/
OUTPUT.md) every rate and breakdown that a resident's state decides is
recomputed here with numpy, from the definitions in sim/core/metrics.def and
docs/OUTPUT.md and the thresholds in the file's /parameters, sharing no code
with sim/model/observe.c, and must equal the file's value for that week: per
neighbourhood ([week, neighbourhood, ...] datasets) and over the area.

Equality is exact for shares of whole numbers of residents (both sides
divide two exact doubles and round once to float32) and within one float32
unit in the last place for means and sums of float values (the order of a
double sum may differ).

Checked for a run, for a sweep member (sweeps do not write snapshots: a
member's /members/scenario_yaml is run as a single run with snapshots, which
must write the member's datasets byte for byte, and the recomputation is then
compared with the sweep file's values for that member) and, in
tests/mpi/test_snapshot_recompute_mpi.py, for a run split over 2 MPI ranks.
A test with a deliberately wrong threshold shows that the check fails.

Not recomputable from a snapshot, so not checked here: need_rate and
area_need_rate (measured before the week's help; the snapshot is after it),
the shortfall measures and the Theil and concentration indices (they need
the hours each need was given) and mean_tie_degree (tie weights are not in the
snapshot). civic_core_share is recomputed by its own definition, a histogram
of 256 log-spaced bins, and checked against the residents' exact top-31%
share to 0.01 (equal bins of 16 hours a year read 0.04-0.06 low: fixed);
wellbeing_gini, also from a histogram, is checked against the residents'
exact Gini to its stated error (1e-3).

The area-level breakdowns of issue 15 item 2 (/work/notes/contract-15.md:
residents_by_quintile, area_left_out_by_decile, ...) are checked where the
file has them; a file without any of them skips that test, saying so. So are
the figures readers are given: `commonweal compare --by quintile|identity|
age_band|decile|fifth` for a run and for a sweep's design points (the
report's tables come from compare), and analysis.summary.breakdown_means (the
report's breakdown plots), each for the snapshot's week.
"""
import json
import re
import subprocess

import h5py
import numpy as np
import pytest

NEVER = 65535  # a step that has not happened (docs/OUTPUT.md: last_volunteered, last_helped)
N_SECTORS = 6

# A small area (8 x 1,500 adults, 26 + 30 weeks: about half a second) with
# three identity groups and snapshots in the burn-in, mid-run and at the end.
SETS = ["population.neighbourhoods=8", "population.residents_per_neighbourhood=1500",
        "population.identity_groups=3", "run.burn_in_weeks=26", "run.weeks=30"]
WEEKS = [-1, 12, 29]
SNAPSHOT_SET = "output.snapshot_weeks=" + ", ".join(map(str, WEEKS))


def cli(commonweal, *args):
    proc = subprocess.run([str(commonweal), *map(str, args)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{args}\n{proc.stderr}"
    return proc


def sets(*pairs):
    out = []
    for p in pairs:
        out += ["--set", p]
    return out


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


# ---- the recomputation ------------------------------------------------------------------

def bit_of(long_name, word):
    """The bit number a snapshot bit field's long_name gives a flag ("bit 1 lonely (...)")."""
    m = re.search(r"bit (\d+) " + word, text(long_name))
    assert m, f"no 'bit N {word}' in {long_name!r}"
    return int(m.group(1))


def bits(mask, n):
    """[resident, n] booleans: bit k of each resident's mask."""
    return ((mask[:, None].astype(np.int64) >> np.arange(n)) & 1).astype(bool)


def share(num, den):
    """num / den in doubles, 0 where den is 0 (the file's convention)."""
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    out = np.zeros(np.broadcast(num, den).shape)
    np.divide(num, den, out=out, where=den > 0)
    return out


class Week:
    """One week's snapshot, read from a run file, with the residents' groups."""

    def __init__(self, f, week):
        res = f[f"snapshots/week_{week}/residents"]
        grp = f[f"snapshots/week_{week}/groups"]
        self.col = {k: res[k][()] for k in res}
        self.grp = {k: grp[k][()] for k in grp}
        p = f["parameters"].attrs
        self.severity = float(p["outcomes.left_out_severity"])
        self.left_weeks = int(p["outcomes.left_out_weeks"])
        self.poverty_line = float(p["life.poverty_line"])
        self.step = week + int(p["run.burn_in_weeks"])  # docs/OUTPUT.md: step = week + burn-in
        self.n_nbhd = f["neighbourhood"].shape[0]
        self.n_identity = f["identity"].shape[0]
        self.deciles = f["neighbourhoods/decile"][()].astype(np.int64)
        flags = res["social_flags"].attrs
        if "flag_meanings" in flags:  # CF flag_masks/flag_meanings, where the file has them
            words = text(flags["flag_meanings"]).split()
            masks = [int(m) for m in flags["flag_masks"]]
            self.isolated_bit = masks[words.index("isolated")].bit_length() - 1
            self.lonely_bit = masks[words.index("lonely")].bit_length() - 1
            assert self.isolated_bit == bit_of(flags["long_name"], "isolated")
            assert self.lonely_bit == bit_of(flags["long_name"], "lonely")
        else:
            self.isolated_bit = bit_of(flags["long_name"], "isolated")
            self.lonely_bit = bit_of(flags["long_name"], "lonely")
        # age bands from the file's labels: "16-29", ..., "80+" -> lowest ages
        self.age_lowest = np.array([int(re.match(r"\d+", text(s)).group(0)) for s in f["age_band_name"][()]])
        self.n_routes = f["route"].shape[0]
        self.n_kinds = f["group_kind"].shape[0]
        self.sector_names = [text(x) for x in f["sector_name"][()]]

    def derive(self, severity=None, left_weeks=None):
        """Per-resident indicators; severity/left_weeks override the file's (to show the check can fail)."""
        c = self.col
        severity = self.severity if severity is None else severity
        left_weeks = self.left_weeks if left_weeks is None else left_weeks
        need = c["need"].astype(np.float64)
        active = need > 0.0
        d = {"nbhd": c["neighbourhood"].astype(np.int64)}
        d["one"] = np.ones(len(d["nbhd"]))
        # left out: some sector with an active need of at least the severity, unrelieved for the weeks
        d["left_out"] = (active & (need >= severity) & (c["unrelieved_weeks"] >= left_weeks)).any(axis=1)
        d["any_need"] = active.any(axis=1)
        d["active"] = active
        d["need"] = need
        d["unmet"] = bits(c["unmet_mask"], N_SECTORS)
        d["ineffective"] = bits(c["ineffective_mask"], N_SECTORS)
        d["ineffective_by"] = bits(c["ineffective_by"], self.n_routes)
        flags = c["social_flags"].astype(np.int64)
        d["isolated"] = (flags >> self.isolated_bit) & 1 == 1
        d["lonely"] = (flags >> self.lonely_bit) & 1 == 1

        def within(last, weeks):
            last = last.astype(np.int64)
            return (last != NEVER) & (self.step >= last) & (self.step - last < weeks)

        d["vol4"] = within(c["last_volunteered"], 4)
        d["vol52"] = within(c["last_volunteered"], 52)
        d["helped4"] = within(c["last_helped"], 4)
        age = c["age"].astype(np.int64)
        d["age65"] = age >= 65
        d["working_age"] = (age >= 16) & (age < 65)
        d["employed"] = d["working_age"] & (c["employed"] == 1)
        d["care_unmet_65"] = d["age65"] & active[:, 1] & d["unmet"][:, 1]  # sector 1: social_care
        d["newcomer"] = c["arrived"] > 0
        d["poor"] = c["income"].astype(np.float64) < self.poverty_line
        for k in ("trust_services", "trust_groups", "wellbeing", "health", "spare_hours", "volunteer_year"):
            d[k] = c[k].astype(np.float64)
        d["trust_share"] = d["trust_services"] >= 0.5
        d["trust_groups_share"] = d["trust_groups"] >= 0.5
        d["quintile"] = c["quintile"].astype(np.int64)
        d["identity"] = c["identity"].astype(np.int64)
        d["age_band"] = np.searchsorted(self.age_lowest, age, side="right") - 1
        assert (d["age_band"] >= 0).all(), "a resident younger than the lowest age band"
        d["decile"] = self.deciles[d["nbhd"]] - 1  # 0-based
        d["fifth"] = (self.deciles[d["nbhd"]] + 1) // 2 - 1
        return d

    def sizes(self):
        return {"quintile": 5, "identity": self.n_identity, "age_band": len(self.age_lowest),
                "decile": 10, "fifth": 5}


# civic_core_share (metrics.def): the share of the year's volunteer hours given by the most active
# 31% of all adult residents, residents under 1 hour counting as none, from a histogram of
# volunteer_year in 256 log-spaced bins over 1 .. 80 hours a week x 52 (observe.h: OBSERVE_MAX_HOURS,
# life.spare_hours_max's range), a bin cut by the 31% taken at its mean.
CORE_TOP, CORE_BINS, CORE_MAX_HOURS = 0.31, 256, 80.0 * 52.0


def civic_core_histogram(hours):
    adults = len(hours)
    given = hours[hours >= 1.0]
    k = np.clip((np.log(given.astype(np.float64)) * (CORE_BINS / np.log(CORE_MAX_HOURS))).astype(np.int64),
                0, CORE_BINS - 1)
    count = np.bincount(k, minlength=CORE_BINS).astype(np.float64)
    total = np.bincount(k, weights=given, minlength=CORE_BINS)
    if count.sum() <= 0 or total.sum() <= 0:
        return 0.0
    want, got, top = CORE_TOP * max(count.sum(), adults), 0.0, 0.0
    for b in range(CORE_BINS - 1, -1, -1):
        if got >= want:
            break
        if count[b] > 0:
            take = min(count[b], want - got)
            top += total[b] * take / count[b]
            got += take
    return top / total.sum()


def civic_core_exact(hours):
    """The same share from the residents themselves: the top 31% of adults by hours (a fraction of
    the last one), under 1 hour counting as none."""
    h = np.sort(np.where(hours >= 1.0, hours, 0.0))[::-1]
    if h.sum() <= 0:
        return 0.0
    want = CORE_TOP * len(h)
    whole = int(want)
    return (h[:whole].sum() + (want - whole) * (h[whole] if whole < len(h) else 0.0)) / h.sum()


def gini_exact(x):
    x = np.sort(x)
    n = len(x)
    return float(((2 * np.arange(1, n + 1) - n - 1) * x).sum() / (n * x.sum())) if n and x.sum() > 0 else 0.0


def tally(keys, sizes, weights):
    """Sum of weights (booleans count) over residents, by the key columns: array of shape sizes."""
    flat = np.ravel_multi_index(keys, sizes)
    w = np.asarray(weights, dtype=np.float64)
    return np.bincount(flat, weights=w, minlength=int(np.prod(sizes))).reshape(sizes)


def tally_sectors(keys, sizes, per_sector):
    """tally of a [resident, k] boolean for each k: shape sizes + (k,)."""
    return np.stack([tally(keys, sizes, per_sector[:, s]) for s in range(per_sector.shape[1])], axis=-1)


EXACT, SUM = "exact", "sum"


def expected_main(wk, d):
    """The per-neighbourhood and area datasets of main: name -> (value [nbhd, ...] or [...], kind)."""
    nb, B = (d["nbhd"],), (wk.n_nbhd,)
    n = tally(nb, B, d["one"])
    out = {"population": (n, EXACT)}

    def rate(flag, den=n, mask=None):
        return share(tally(nb, B, flag if mask is None else flag & mask), den)

    out["left_out_rate"] = (rate(d["left_out"]), EXACT)
    out["left_out_newcomer_rate"] = (rate(d["left_out"], tally(nb, B, d["newcomer"]), d["newcomer"]), EXACT)
    out["isolated_rate"] = (rate(d["isolated"]), EXACT)
    out["lonely_rate"] = (rate(d["lonely"]), EXACT)
    out["trust_services_mean"] = (share(tally(nb, B, d["trust_services"]), n), SUM)
    out["trust_services_share"] = (rate(d["trust_share"]), EXACT)
    out["trust_groups_share"] = (rate(d["trust_groups_share"]), EXACT)
    out["formal_volunteering_rate"] = (rate(d["vol4"]), EXACT)
    out["volunteering_year_rate"] = (rate(d["vol52"]), EXACT)
    out["informal_help_rate"] = (rate(d["helped4"]), EXACT)
    out["care_unmet_65_rate"] = (rate(d["care_unmet_65"], tally(nb, B, d["age65"])), EXACT)
    out["wellbeing_mean"] = (share(tally(nb, B, d["wellbeing"]), n), SUM)
    out["employment_rate"] = (rate(d["employed"], tally(nb, B, d["working_age"])), EXACT)
    out["poverty_rate"] = (rate(d["poor"]), EXACT)
    out["health_mean"] = (share(tally(nb, B, d["health"]), n), SUM)
    out["spare_hours_mean"] = (share(tally(nb, B, d["spare_hours"]), n), SUM)
    out["unmet_need_rate"] = (share(tally_sectors(nb, B, d["unmet"]), n[:, None]), EXACT)
    out["reached_not_relieved_rate"] = (share(tally_sectors(nb, B, d["ineffective"]), n[:, None]), EXACT)
    out["reached_not_relieved_by_route"] = (share(tally_sectors(nb, B, d["ineffective_by"]), n[:, None]), EXACT)
    sev_sum = np.stack([tally(nb, B, np.where(d["active"][:, s], d["need"][:, s], 0.0))
                        for s in range(N_SECTORS)], axis=-1)
    out["need_severity_mean"] = (share(sev_sum, tally_sectors(nb, B, d["active"])), SUM)
    for dim, size in (("quintile", 5), ("identity", wk.n_identity), ("age_band", len(wk.age_lowest))):
        keys, shape = (d["nbhd"], d[dim]), (wk.n_nbhd, size)
        residents = tally(keys, shape, d["one"])
        out[f"left_out_by_{dim}"] = (share(tally(keys, shape, d["left_out"]), residents), EXACT)
        out[f"need_rate_by_{dim}"] = (share(tally(keys, shape, d["any_need"]), residents), EXACT)
    # the groups table: living slots by kind, capacity, burnout, assets
    g = wk.grp
    alive = g["alive"] == 1
    gnb = (g["neighbourhood"].astype(np.int64),)
    out["groups_alive"] = (tally((gnb[0], g["kind"].astype(np.int64)), (wk.n_nbhd, wk.n_kinds), alive), EXACT)
    n_alive = tally(gnb, B, alive)
    capacity = tally(gnb, B, np.where(alive, g["volunteer_hours"].astype(np.float64)
                                      + g["paid_hours"].astype(np.float64), 0.0))
    out["group_capacity_hours"] = (capacity, SUM)
    out["group_burnout_mean"] = (share(tally(gnb, B, np.where(alive, g["burnout"].astype(np.float64), 0.0)),
                                       n_alive), SUM)
    out["community_assets"] = (tally(gnb, B, alive & (g["owns_building"] == 1)), EXACT)
    # civic core: the metric's own 256-bin histogram (its long_name), recomputed
    core = [civic_core_histogram(d["volunteer_year"][d["nbhd"] == b]) for b in range(wk.n_nbhd)]
    out["civic_core_share"] = (np.array(core), SUM)
    out["area_civic_core_share"] = (civic_core_histogram(d["volunteer_year"]), SUM)
    # over the whole area
    total = len(d["nbhd"])
    out["area_left_out_rate"] = (share(d["left_out"].sum(), total), EXACT)
    out["area_reached_not_relieved_rate"] = (share(d["ineffective"].any(axis=1).sum(), total), EXACT)
    return out


# issue 15 item 2 (/work/notes/contract-15.md): counts per neighbourhood by
# quintile, identity and age band; area-level shares and means by those and
# by deprivation decile and fifth.
CONTRACT_NBHD_DIMS = ("quintile", "identity", "age_band")
CONTRACT_AREA_DIMS = ("quintile", "identity", "age_band", "decile", "fifth")


def expected_contract(wk, d):
    out = {}
    sizes = wk.sizes()
    for dim in CONTRACT_NBHD_DIMS:
        keys, shape = (d["nbhd"], d[dim]), (wk.n_nbhd, sizes[dim])
        out[f"residents_by_{dim}"] = (tally(keys, shape, d["one"]), EXACT)
        out[f"left_out_count_by_{dim}"] = (tally(keys, shape, d["left_out"]), EXACT)
        # cell g*6 + s
        out[f"unmet_need_count_by_{dim}_sector"] = (
            tally_sectors(keys, shape, d["unmet"]).reshape(wk.n_nbhd, -1), EXACT)
        out[f"lonely_count_by_{dim}"] = (tally(keys, shape, d["lonely"]), EXACT)
        out[f"isolated_count_by_{dim}"] = (tally(keys, shape, d["isolated"]), EXACT)
        out[f"formal_volunteering_count_by_{dim}"] = (tally(keys, shape, d["vol4"]), EXACT)
        out[f"informal_help_count_by_{dim}"] = (tally(keys, shape, d["helped4"]), EXACT)
        out[f"trust_services_sum_by_{dim}"] = (tally(keys, shape, d["trust_services"]), SUM)
        out[f"wellbeing_sum_by_{dim}"] = (tally(keys, shape, d["wellbeing"]), SUM)
        out[f"need_count_by_{dim}"] = (tally(keys, shape, d["any_need"]), EXACT)
    for dim in CONTRACT_AREA_DIMS:
        keys, shape = (d[dim],), (sizes[dim],)
        residents = tally(keys, shape, d["one"])
        out[f"area_residents_by_{dim}"] = (residents, EXACT)
        out[f"area_left_out_by_{dim}"] = (share(tally(keys, shape, d["left_out"]), residents), EXACT)
        out[f"area_unmet_need_by_{dim}_sector"] = (
            share(tally_sectors(keys, shape, d["unmet"]), residents[:, None]).reshape(-1), EXACT)
        out[f"area_lonely_by_{dim}"] = (share(tally(keys, shape, d["lonely"]), residents), EXACT)
        out[f"area_isolated_by_{dim}"] = (share(tally(keys, shape, d["isolated"]), residents), EXACT)
        out[f"area_formal_volunteering_by_{dim}"] = (share(tally(keys, shape, d["vol4"]), residents), EXACT)
        out[f"area_informal_help_by_{dim}"] = (share(tally(keys, shape, d["helped4"]), residents), EXACT)
        out[f"area_trust_services_mean_by_{dim}"] = (
            share(tally(keys, shape, d["trust_services"]), residents), SUM)
        out[f"area_wellbeing_mean_by_{dim}"] = (share(tally(keys, shape, d["wellbeing"]), residents), SUM)
        out[f"area_need_by_{dim}"] = (share(tally(keys, shape, d["any_need"]), residents), EXACT)
    return out


# ---- the comparison ---------------------------------------------------------------------

def mismatches(expected, value_of):
    """Every dataset whose file value differs from the recomputation: a list of messages."""
    bad = []
    for name, (want, kind) in expected.items():
        got = np.asarray(value_of(name))
        want32 = np.asarray(want, dtype=np.float64).astype(np.float32)
        if got.shape != want32.shape:
            bad.append(f"{name}: shape {got.shape} in the file, {want32.shape} recomputed")
            continue
        if kind == EXACT:
            wrong = got != want32
        else:  # one float32 unit in the last place
            ulps = np.abs(got.view(np.int32).astype(np.int64) - want32.view(np.int32).astype(np.int64))
            wrong = ulps > 1
        if wrong.any():
            at = tuple(int(i) for i in np.argwhere(wrong)[0])
            bad.append(f"{name}: {int(wrong.sum())} of {wrong.size} cells differ, e.g. at {at}: "
                       f"file {got[at]!r}, snapshot {want32[at]!r}")
    return bad


def file_values(f, week, member=None):
    """name -> the file's values of week `week` (of sweep member `member`)."""
    row = int(np.flatnonzero(f["week"][()] == week)[0])

    def value_of(name):
        return f[name][row] if member is None else f[name][member, row]
    return value_of


def check_week(run_file, week, values_file=None, member=None, contract=False, **override):
    """Recompute week `week` from run_file's snapshot and compare with values_file's values
    (run_file's by default; a sweep file's member `member`). Returns the mismatches."""
    with h5py.File(run_file, "r") as f:
        wk = Week(f, week)
        d = wk.derive(**override)
        expected = expected_contract(wk, d) if contract else expected_main(wk, d)
    with h5py.File(values_file or run_file, "r") as g:
        if contract:
            expected = {k: v for k, v in expected.items() if k in g}
        return mismatches(expected, file_values(g, week, member))


def contract_present(path):
    """The contract's datasets the file holds, and those it lacks."""
    with h5py.File(path, "r") as f:
        names = list(expected_contract_names(f))
        have = [n for n in names if n in f]
    return have, [n for n in names if n not in have]


def expected_contract_names(f):
    for dim in CONTRACT_NBHD_DIMS:
        for stem in ("residents_by_{}", "left_out_count_by_{}", "unmet_need_count_by_{}_sector",
                     "lonely_count_by_{}", "isolated_count_by_{}", "formal_volunteering_count_by_{}",
                     "informal_help_count_by_{}", "trust_services_sum_by_{}", "wellbeing_sum_by_{}",
                     "need_count_by_{}"):
            yield stem.format(dim)
    for dim in CONTRACT_AREA_DIMS:
        for stem in ("area_residents_by_{}", "area_left_out_by_{}", "area_unmet_need_by_{}_sector",
                     "area_lonely_by_{}", "area_isolated_by_{}", "area_formal_volunteering_by_{}",
                     "area_informal_help_by_{}", "area_trust_services_mean_by_{}", "area_wellbeing_mean_by_{}",
                     "area_need_by_{}"):
            yield stem.format(dim)


def require_contract(path):
    """Skip when the file has none of the weighted-breakdown datasets (issue 15 item 2 not merged);
    fail when it has some but not all (a name drifted from the contract)."""
    have, missing = contract_present(path)
    if not have:
        pytest.skip("the file has none of issue 15 item 2's count and area-breakdown datasets "
                    f"(e.g. {missing[0]}, area_left_out_by_decile): their branch is not merged yet")
    assert not missing, f"the file has {len(have)} of the contract's datasets but lacks {missing}"


# ---- commonweal compare --by: its group figures are the snapshot's ------------------------

# compare's metrics and the resident indicator (Week.derive) each one shares or averages
COMPARED = {"left_out_rate": "left_out", "lonely_rate": "lonely", "isolated_rate": "isolated",
            "formal_volunteering_rate": "vol4", "informal_help_rate": "helped4",
            "trust_services_mean": "trust_services", "wellbeing_mean": "wellbeing", "unmet_need_rate": "unmet"}
# by deprivation, a neighbourhood metric without an area breakdown is weighted by population
COMPARED_BY_AREA = {"volunteering_year_rate": "vol52", "trust_services_share": "trust_share"}
BY = ("quintile", "identity", "age_band", "decile", "fifth")


def compared_metric(row_metric):
    """compare's row names the dataset it read (area_left_out_by_quintile): the metric asked for."""
    if not row_metric.startswith("area_"):
        return row_metric
    stem = row_metric[len("area_"):].split("_by_")[0]
    found = [m for m in {**COMPARED, **COMPARED_BY_AREA} if m == stem or m == stem + "_rate"]
    assert len(found) == 1, row_metric
    return found[0]


def group_cell(label, by, wk):
    """compare's group label -> (group index or None for all residents, sector or None)."""
    if label == "all residents":
        return None, None
    sector = None
    if ", " in label:
        label, sector_word = label.rsplit(", ", 1)
        sector = wk.sector_names.index(sector_word)
    pattern = {"quintile": r"Q(\d)", "identity": r"identity (\d+)", "age_band": r"age (\d+)",
               "decile": r"decile (\d+)", "fifth": r"fifth (\d+)"}[by]
    m = re.match(pattern, label)
    assert m, f"compare's group {label!r} for --by {by}"
    k = int(m.group(1))
    g = list(wk.age_lowest).index(k) if by == "age_band" else k if by == "identity" else k - 1
    return g, sector


def snapshot_figure(d, by, size, indicator, g, sector):
    """The share (mean) of the indicator among the residents of group g (all residents: g None)."""
    x = d[indicator] if sector is None else d[indicator][:, sector]
    if g is None:
        return float(np.mean(x))
    return float(share(tally((d[by],), (size,), x), tally((d[by],), (size,), d["one"]))[g])


def check_compare(commonweal, week, by, figures_of, files, *args):
    """Run compare --by on files (with args) for week `week`; figures_of(side) -> list of (d, wk)
    of the members averaged on that side ("baseline", "policy"). Returns the mismatches."""
    metrics = list(COMPARED) + (list(COMPARED_BY_AREA) if by in ("decile", "fifth") else [])
    m_args = [a for m in metrics for a in ("-m", m)]
    rows = json.loads(cli(commonweal, "compare", *files, *args, "--json", "--by", by, "--weeks", f"{week}:{week}",
                          *m_args).stdout)["rows"]
    bad, seen = [], set()
    for r in rows:
        metric = compared_metric(r["metric"])
        indicator = {**COMPARED, **COMPARED_BY_AREA}[metric]
        for side in ("baseline", "policy"):
            members = figures_of(side)
            g, sector = group_cell(r["group"], by, members[0][1])
            want = np.mean([snapshot_figure(d, by, wk.sizes()[by], indicator, g, sector) for d, wk in members])
            got = r[f"{side}_mean"]
            if not np.isclose(got, want, rtol=3e-7, atol=0):
                bad.append(f"compare --by {by}: {metric} [{r['group']}] {side} {got!r}, snapshot {want!r}")
        seen.add(metric)
    missing = set(metrics) - seen
    if missing:
        bad.append(f"compare --by {by} gave no rows for {sorted(missing)}")
    return bad


# ---- a run ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def run_h5(commonweal, source_dir, test_tmp):
    out = test_tmp / "recompute-run.h5"
    cli(commonweal, "run", source_dir / "scenarios" / "tiny.yaml", "-o", out, "-f", "-q", "--threads", "2",
        *sets(*SETS, SNAPSHOT_SET))
    return out


@pytest.mark.parametrize("week", WEEKS)
def test_a_runs_metrics_equal_the_snapshot_recomputed(run_h5, week):
    bad = check_week(run_h5, week)
    assert not bad, f"week {week}:\n" + "\n".join(bad)


def test_the_run_has_what_the_check_needs(run_h5):
    """The check is not vacuous: left-out, newcomers, volunteers, helpers, reached-not-relieved exist."""
    with h5py.File(run_h5, "r") as f:
        d = Week(f, WEEKS[-1]).derive()
    for k in ("left_out", "newcomer", "vol4", "vol52", "helped4", "lonely", "isolated", "care_unmet_65"):
        assert d[k].any(), f"no resident with {k} in the run: the check of it proves nothing"
    assert d["ineffective"].any() and d["unmet"].any()
    assert len(np.unique(d["identity"])) == 3 and len(np.unique(d["age_band"])) == 5


def test_wellbeing_gini_is_within_its_stated_error_of_the_residents_gini(run_h5):
    """wellbeing_gini's long_name: from a 256-bin histogram, error < 1e-3."""
    with h5py.File(run_h5, "r") as f:
        for week in WEEKS:
            d = Week(f, week).derive()
            got = file_values(f, week)("wellbeing_gini")
            want = [gini_exact(d["wellbeing"][d["nbhd"] == b]) for b in range(len(got))]
            assert np.abs(got - np.array(want)).max() < 1e-3, (week, got, want)


def test_civic_core_share_is_close_to_the_residents_own_share(run_h5):
    with h5py.File(run_h5, "r") as f:
        for week in WEEKS:
            d = Week(f, week).derive()
            value_of = file_values(f, week)
            got = value_of("civic_core_share")
            want = [civic_core_exact(d["volunteer_year"][d["nbhd"] == b]) for b in range(len(got))]
            assert np.abs(got - np.array(want)).max() < 0.01, (week, got, want)
            assert abs(value_of("area_civic_core_share") - civic_core_exact(d["volunteer_year"])) < 0.01


def test_a_wrong_threshold_fails_the_check(run_h5):
    """The check can fail: left-out counted with a threshold one week longer (or a severity 0.05
    higher) than the file's parameters must differ from the file in left_out_rate and its breakdowns."""
    with h5py.File(run_h5, "r") as f:
        wk = Week(f, WEEKS[-1])
    for override in ({"left_weeks": wk.left_weeks + 1}, {"severity": wk.severity + 0.05}):
        bad = check_week(run_h5, WEEKS[-1], **override)
        names = {m.split(":")[0] for m in bad}
        assert {"left_out_rate", "left_out_by_quintile", "area_left_out_rate"} <= names, (override, bad)
        if contract_present(run_h5)[0]:  # the weighted breakdowns, where the file has them
            bad = check_week(run_h5, WEEKS[-1], contract=True, **override)
            names = {m.split(":")[0] for m in bad}
            assert {"left_out_count_by_quintile", "area_left_out_by_quintile", "area_left_out_by_decile"} <= names, \
                (override, bad)


def test_a_runs_weighted_breakdowns_equal_the_snapshot_recomputed(run_h5):
    require_contract(run_h5)
    for week in WEEKS:
        bad = check_week(run_h5, week, contract=True)
        assert not bad, f"week {week}:\n" + "\n".join(bad)


@pytest.mark.parametrize("by", BY)
def test_compares_group_figures_for_a_run_are_the_snapshots(commonweal, run_h5, by):
    """commonweal compare --by: every group's figure of the week (and "all residents") is the
    recomputed one; the run is its own baseline and policy."""
    require_contract(run_h5)
    week = WEEKS[-1]
    with h5py.File(run_h5, "r") as f:
        wk = Week(f, week)
        members = [(wk.derive(), wk)]
    bad = check_compare(commonweal, week, by, lambda side: members, [run_h5, run_h5])
    assert not bad, "\n".join(bad)


# ---- a sweep member ---------------------------------------------------------------------

SWEEP_MEMBERS = 4


@pytest.fixture(scope="module")
def sweep_runs(commonweal, source_dir, test_tmp):
    """A 2 x 2 sweep of the small area (investment.mode none, patient x 2 replicates); each member
    run again as a single run, with snapshots, from its /members/scenario_yaml: (sweep file, run files)."""
    d = test_tmp / "recompute-sweep"
    d.mkdir(exist_ok=True)
    sweep = d / "sweep.yaml"
    lines = [f"base: {source_dir / 'scenarios' / 'tiny.yaml'}", "replicates: 2", "common_random_numbers: false",
             "set:"] + [f"  {s.split('=')[0]}: {s.split('=')[1]}" for s in SETS] + [
             "vary:", "  investment.mode: [none, patient]"]
    sweep.write_text("\n".join(lines) + "\n")
    out = d / "sweep.h5"
    cli(commonweal, "sweep", sweep, "-o", out, "-f", "-q", "--jobs", "2")
    with h5py.File(out, "r") as f:
        assert f.attrs["members"] == SWEEP_MEMBERS and "snapshots" not in f
        yamls = list(f["members/scenario_yaml"].asstr()[()])
    runs = []
    for m, yaml in enumerate(yamls):
        scenario = d / f"member{m}.yaml"
        scenario.write_text(yaml)
        runs.append(d / f"member{m}.h5")
        cli(commonweal, "run", scenario, "-o", runs[-1], "-f", "-q", "--threads", "1", "--set", SNAPSHOT_SET)
    return out, runs


@pytest.fixture(scope="module")
def sweep_member(sweep_runs):
    """The sweep file, member 3 (patient investment, replicate 1) and its run file."""
    out, runs = sweep_runs
    return out, 3, runs[3]


def test_a_sweep_member_run_alone_writes_the_members_datasets(sweep_member):
    """Sweeps hold no snapshots; a member's resolved scenario, run alone, is the same run."""
    out, member, run = sweep_member
    with h5py.File(out, "r") as s, h5py.File(run, "r") as r:
        assert s["members/seed"][member] == r.attrs["seed"]
        metrics = [k for k in s if isinstance(s[k], h5py.Dataset) and s[k].ndim >= 2
                   and s[k].dims[0][0].name == "/member"]
        assert "left_out_rate" in metrics and len(metrics) > 40
        for name in metrics:
            a, b = s[name][member], r[name][()]
            assert a.shape == b.shape and a.tobytes() == b.tobytes(), f"{name} differs from member {member}"


@pytest.mark.parametrize("week", WEEKS)
def test_a_sweep_members_metrics_equal_the_snapshot_recomputed(sweep_member, week):
    out, member, run = sweep_member
    bad = check_week(run, week, values_file=out, member=member)
    assert not bad, f"member {member}, week {week}:\n" + "\n".join(bad)


def test_a_sweep_members_weighted_breakdowns_equal_the_snapshot_recomputed(sweep_member):
    out, member, run = sweep_member
    require_contract(out)
    for week in WEEKS:
        bad = check_week(run, week, values_file=out, member=member, contract=True)
        assert not bad, f"member {member}, week {week}:\n" + "\n".join(bad)


@pytest.mark.parametrize("by", BY)
def test_compares_group_figures_for_a_sweep_are_the_snapshots(commonweal, sweep_runs, by):
    """compare SWEEP --baseline investment.mode=none: the baseline figure is the mean of members 0
    and 1 recomputed from their snapshots, the policy's (patient) of members 2 and 3."""
    out, runs = sweep_runs
    require_contract(out)
    week = WEEKS[-1]
    derived = []
    for run in runs:
        with h5py.File(run, "r") as f:
            wk = Week(f, week)
            derived.append((wk.derive(), wk))
    with h5py.File(out, "r") as f:
        assert list(f["members/investment.mode"][()]) == [0, 0, 2, 2]  # none, none, patient, patient
    sides = {"baseline": derived[:2], "policy": derived[2:]}
    bad = check_compare(commonweal, week, by, sides.get, [out], "--baseline", "investment.mode=none")
    assert not bad, "\n".join(bad)


# ---- analysis.summary (the report's plots): the same figures ----------------------------

@pytest.mark.parametrize("by", BY)
def test_analysis_breakdowns_for_a_sweep_are_the_snapshots(sweep_runs, source_dir, by):
    """analysis.summary.breakdown_means (the report's breakdown plots) for week W of each design
    point: the mean over its members of the snapshot's group figures."""
    out, runs = sweep_runs
    require_contract(out)
    import sys
    sys.path.insert(0, str(source_dir))
    from analysis import summary
    if not hasattr(summary, "area_breakdown_name"):
        pytest.skip("analysis.summary still averages neighbourhood rates (issue 15 item 2's analysis "
                    "commit is not merged): nothing weighted to check")
    week = WEEKS[-1]
    derived = []
    for run in runs:
        with h5py.File(run, "r") as f:
            wk = Week(f, week)
            derived.append((wk.derive(), wk))
    scens = summary.scenarios_from_files([out])
    assert [sc.n for sc in scens] == [2, 2]
    row = int(np.flatnonzero(np.asarray(scens[0].weeks) == week)[0])
    bad = []
    for sc, members in zip(scens, (derived[:2], derived[2:])):
        size = members[0][1].sizes()[by]
        for metric, indicator in COMPARED.items():
            stem = metric[:-5] if metric.endswith("_rate") else metric
            name = f"area_{stem}_by_{by}" + ("_sector" if indicator == "unmet" else "")
            got = summary.breakdown_means(sc, name, weeks=[row]).mean(axis=0)
            sectors = range(N_SECTORS) if indicator == "unmet" else [None]
            want = np.array([np.mean([snapshot_figure(d, by, size, indicator, g, s) for d, _ in members])
                             for g in range(size) for s in sectors])
            empty = np.repeat(tally((members[0][0][by],), (size,), members[0][0]["one"]) == 0, len(sectors))
            got, want = np.asarray(got, dtype=np.float64), np.where(empty, np.nan, want)
            if not np.allclose(got, want, rtol=3e-7, atol=0, equal_nan=True):
                bad.append(f"{sc.label}: breakdown_means({name}) {got}, snapshot {want}")
    assert not bad, "\n".join(bad)
