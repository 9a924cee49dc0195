# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""The breakdowns by group hold their denominators, and the area figures are weighted.

From the per-neighbourhood counts (`residents_by_D`, `*_count_by_D`, `*_sum_by_D`) a numpy
recomputation (sum of numerators over neighbourhoods / sum of residents) must give the file's
`area_*_by_D` (quintile, identity, age band; decile and fifth of neighbourhoods from
/neighbourhoods/decile), and the counts must add up to the overall metrics. Independent of
observe.c's tables: names and shapes from docs/OUTPUT.md (the contract in the docs).
"""
import h5py
import numpy as np
import pytest

from conftest import run_cli

DIMS = ("quintile", "identity", "age_band")
RATES = {  # area metric stem: per-neighbourhood numerator
    "left_out": "left_out_count",
    "lonely": "lonely_count",
    "isolated": "isolated_count",
    "formal_volunteering": "formal_volunteering_count",
    "informal_help": "informal_help_count",
    "trust_services_mean": "trust_services_sum",
    "wellbeing_mean": "wellbeing_sum",
    "need": "need_count",
}
OVERALL = {  # per-neighbourhood numerator: the overall rate it adds up to
    "left_out_count": "left_out_rate",
    "lonely_count": "lonely_rate",
    "isolated_count": "isolated_rate",
    "formal_volunteering_count": "formal_volunteering_rate",
    "informal_help_count": "informal_help_rate",
    "trust_services_sum": "trust_services_mean",
    "wellbeing_sum": "wellbeing_mean",
}
N_SECTORS = 6


@pytest.fixture(scope="module")
def groups_h5(commonweal, source_dir, work):
    out = work / "breakdowns.h5"
    run_cli(commonweal, "run", source_dir / "scenarios" / "tiny.yaml", "-o", out, "--quiet", "--force",
            "--threads", 2, "--set", "population.neighbourhoods=12", "--set", "population.identity_groups=3",
            "--set", "run.weeks=40")
    return out


def ratio(num, den):
    """The file's convention: 0 where the group has no residents."""
    return np.where(den > 0, num / np.where(den > 0, den, 1), 0.0)


def assert_float_equal(got, want, what, rtol=0.0):
    want32 = want.astype(np.float32)
    if rtol == 0.0:
        bad = got != want32
        assert not bad.any(), f"{what}: {bad.sum()} cells differ, e.g. {got[bad][:3]} vs {want32[bad][:3]}"
    else:
        np.testing.assert_allclose(got, want32, rtol=rtol, atol=1e-7, err_msg=what)


def test_area_breakdowns_are_the_counts_summed(groups_h5):
    with h5py.File(groups_h5, "r") as f:
        decile = f["neighbourhoods/decile"][:]
        groups = {"decile": (decile - 1, 10), "fifth": ((decile + 1) // 2 - 1, 5)}
        for d in DIMS:
            res = f[f"residents_by_{d}"][:].astype(np.float64)          # [week, nbhd, group]
            den = res.sum(axis=1)
            assert_float_equal(f[f"area_residents_by_{d}"][:], den, f"area_residents_by_{d}")
            for stem, num_name in RATES.items():
                num = f[f"{num_name}_by_{d}"][:].astype(np.float64)
                # counts are exact: the float32 of the double ratio; sums of trust and
                # wellbeing were rounded to float32 per neighbourhood in the file
                rtol = 0.0 if num_name.endswith("_count") else 2e-6
                assert_float_equal(f[f"area_{stem}_by_{d}"][:], ratio(num.sum(axis=1), den),
                                   f"area_{stem}_by_{d}", rtol)
            unmet = f[f"unmet_need_count_by_{d}_sector"][:].astype(np.float64)
            w, nb, cells = unmet.shape
            unmet = unmet.reshape(w, nb, cells // N_SECTORS, N_SECTORS).sum(axis=1)
            want = ratio(unmet, den[:, :, None]).reshape(w, cells)
            assert_float_equal(f[f"area_unmet_need_by_{d}_sector"][:], want, f"area_unmet_need_by_{d}_sector")
        # decile and fifth: a neighbourhood's residents all in its group
        res = f["residents_by_quintile"][:].astype(np.float64).sum(axis=2)   # [week, nbhd]
        for g, (of, n) in groups.items():
            onehot = np.zeros((len(of), n))
            onehot[np.arange(len(of)), of] = 1.0
            den = res @ onehot
            assert_float_equal(f[f"area_residents_by_{g}"][:], den, f"area_residents_by_{g}")
            for stem, num_name in RATES.items():
                num = f[f"{num_name}_by_quintile"][:].astype(np.float64).sum(axis=2) @ onehot
                rtol = 0.0 if num_name.endswith("_count") else 2e-6
                assert_float_equal(f[f"area_{stem}_by_{g}"][:], ratio(num, den), f"area_{stem}_by_{g}", rtol)
            unmet = f["unmet_need_count_by_quintile_sector"][:].astype(np.float64)
            w, nb, _ = unmet.shape
            unmet = unmet.reshape(w, nb, 5, N_SECTORS).sum(axis=2)          # [week, nbhd, sector]
            num = np.einsum("wbs,bg->wgs", unmet, onehot)
            want = ratio(num, den[:, :, None]).reshape(w, n * N_SECTORS)
            assert_float_equal(f[f"area_unmet_need_by_{g}_sector"][:], want, f"area_unmet_need_by_{g}_sector")


def test_counts_add_up_to_the_overall_metrics(groups_h5):
    with h5py.File(groups_h5, "r") as f:
        pop = f["population"][:].astype(np.float64)
        unmet_rate = f["unmet_need_rate"][:]
        for d in DIMS:
            res = f[f"residents_by_{d}"][:].astype(np.float64)
            assert (res.sum(axis=2) == pop).all(), f"residents_by_{d} adds up to population"
            for num_name, overall in OVERALL.items():
                num = f[f"{num_name}_by_{d}"][:].astype(np.float64).sum(axis=2)
                rtol = 0.0 if num_name.endswith("_count") else 2e-6
                assert_float_equal(f[overall][:], ratio(num, pop), f"{num_name}_by_{d} vs {overall}", rtol)
            unmet = f[f"unmet_need_count_by_{d}_sector"][:].astype(np.float64)
            w, nb, cells = unmet.shape
            unmet = unmet.reshape(w, nb, cells // N_SECTORS, N_SECTORS).sum(axis=2)
            assert_float_equal(unmet_rate, ratio(unmet, pop[:, :, None]), f"unmet_need_count_by_{d}_sector")
        # the per-neighbourhood rates that existed before are the counts' ratios
        for d in DIMS:
            res = f[f"residents_by_{d}"][:].astype(np.float64)
            lo = f[f"left_out_count_by_{d}"][:].astype(np.float64)
            assert_float_equal(f[f"left_out_by_{d}"][:], ratio(lo, res), f"left_out_by_{d}")
            need = f[f"need_count_by_{d}"][:].astype(np.float64)
            assert_float_equal(f[f"need_rate_by_{d}"][:], ratio(need, res), f"need_rate_by_{d}")
        # the area's overall left-out rate is the weighted breakdown's total
        lo = f["left_out_count_by_quintile"][:].astype(np.float64).sum(axis=(1, 2))
        assert_float_equal(f["area_left_out_rate"][:], ratio(lo, pop.sum(axis=1)), "area_left_out_rate")


def test_summary_and_compare_give_the_weighted_figures(commonweal, runs):
    """analysis.summary's breakdowns and `compare --by` are the counts' figures: per run, each
    reported week's sum of numerators over sum of residents, averaged over the weeks."""
    import json

    from analysis import summary

    base, policy = summary.scenarios_from_files(runs["base"] + runs["policy"])[:2]
    got = summary.breakdown_means(base, "left_out_by_quintile")              # [replicate, quintile]
    want = []
    for path in runs["base"]:
        with h5py.File(path, "r") as f:
            keep = f["burn_in"][:] == 0
            num = f["left_out_count_by_quintile"][:][keep].astype(np.float64).sum(axis=1)
            den = f["residents_by_quintile"][:][keep].astype(np.float64).sum(axis=1)
        want.append((num / den).mean(axis=0))
    np.testing.assert_allclose(got, np.array(want), rtol=1e-6)
    rows = json.loads(run_cli(commonweal, "compare", "--json", *runs["base"], *runs["policy"],
                              "-m", "left_out_rate", "--by", "quintile").stdout)["rows"]
    by_group = {r["group"]: r for r in rows}
    for q, label in enumerate(["Q1 (lowest income)", "Q2", "Q3", "Q4", "Q5 (highest income)"]):
        assert by_group[label]["metric"] == "area_left_out_by_quintile"
        assert by_group[label]["baseline_mean"] == pytest.approx(got[:, q].mean(), rel=1e-6)
    # the poorest fifth is left out more often than the richest, and the weighted figure says so
    assert got[:, 0].mean() > got[:, 4].mean()
