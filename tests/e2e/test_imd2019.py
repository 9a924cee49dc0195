# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Real places: the England table derived from the English Indices of Deprivation 2019
(scenarios/data/make-england-imd2019.py) and what scenarios do with it: population.areas,
population.scale, population.deprivation_from, `commonweal areas`, and the codes in
/neighbourhoods.

The derivation is tested on tests/data/imd2019/, 274 rows of the published files copied byte for
byte (Open Government Licence v3.0): its output must be those rows of the shipped
england-imd2019.csv exactly, which also shows the shipped file is what the script writes."""
import csv
import io
import subprocess
import sys

import h5py
import numpy as np
import pytest

from conftest import SOURCE_DIR, run_cli

SCRIPT = SOURCE_DIR / "scenarios" / "data" / "make-england-imd2019.py"
ENGLAND_CSV = SOURCE_DIR / "scenarios" / "data" / "england-imd2019.csv"
EXTRACT = SOURCE_DIR / "tests" / "data" / "imd2019"
ATTRIBUTION = "Contains public sector information licensed under the Open Government Licence v3.0"
COLUMNS = ["code", "name", "la_code", "la", "population", "deprivation", "space_quality"]


def table(text):
    lines = [ln for ln in text.splitlines() if not ln.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


def derive(source):
    r = subprocess.run([sys.executable, SCRIPT, source], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_derivation_on_the_extract_gives_the_shipped_rows():
    text = derive(EXTRACT)
    assert ATTRIBUTION in text.splitlines()[1]
    rows = table(text)
    assert len(rows) == 274
    assert list(rows[0]) == COLUMNS
    shipped = {r["code"]: r for r in table(ENGLAND_CSV.read_text(encoding="utf-8"))}
    for r in rows:
        assert shipped[r["code"]] == r
    by_la = {}
    for r in rows:
        by_la.setdefault((r["la_code"], r["la"]), []).append(r)
    assert sorted(by_la) == [("E06000009", "Blackpool"), ("E06000019", "Herefordshire, County of"),
                             ("E06000053", "Isles of Scilly"), ("E07000089", "Hart"),
                             ("E09000001", "City of London")]
    # City of London 001A: 1,296 residents of whom 175 are 0-15 (file 6); IMD rank 29,199 (file 1)
    a = next(r for r in rows if r["code"] == "E01000001")
    assert (a["name"], a["population"], a["deprivation"]) == ("City of London 001A", "1121", "29199")
    # Living Environment rank 7,789 of 32,844 (file 2): (7789 - 1) / (32844 - 1)
    assert float(a["space_quality"]) == pytest.approx(7788 / 32843, abs=5e-6)


def test_derivation_refuses_missing_files(tmp_path):
    r = subprocess.run([sys.executable, SCRIPT, tmp_path], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv(.gz): no such file" in r.stderr


def test_the_shipped_table():
    text = ENGLAND_CSV.read_text(encoding="utf-8")
    assert ENGLAND_CSV.stat().st_size < 4 * 2**20
    assert ATTRIBUTION in text
    rows = table(text)
    assert len(rows) == 32844
    assert len({r["la_code"] for r in rows}) == 317
    assert sum(int(r["population"]) for r in rows) == 44323154
    ranks = sorted(int(r["deprivation"]) for r in rows)
    assert ranks[0] == 1 and ranks[-1] == 32844


def test_areas_lists_local_authorities(commonweal):
    r = run_cli(commonweal, "areas", "black")
    lines = r.stdout.splitlines()
    assert lines[0].endswith("2 of 317 local authorities matching 'black'")
    assert lines[2].split()[:5] == ["E06000008", "Blackburn", "with", "Darwen", "91"]
    assert lines[3].split()[:4] == ["E06000009", "Blackpool", "94", "114,768"]
    everything = run_cli(commonweal, "areas").stdout
    assert "# total: 317 local authorities, 32,844 neighbourhoods, 44,323,154 residents" in everything
    bad = subprocess.run([commonweal, "areas", "Blakpool"], capture_output=True, text=True)
    assert bad.returncode == 2
    assert "has 'Blakpool' in its name or code (did you mean 'Blackpool'?)" in bad.stderr


def test_shipped_examples_are_real_places(commonweal):
    for scenario, residents, nbhds in (("blackpool.yaml", 114768, 94), ("hart.yaml", 75588, 57)):
        r = run_cli(commonweal, "check", SOURCE_DIR / "scenarios" / scenario)
        assert f"# {residents} residents in {nbhds} neighbourhoods" in r.stdout
        assert "Open Government Licence v3.0" in r.stdout  # the comment travels with the scenario
    r = run_cli(commonweal, "check", SOURCE_DIR / "scenarios" / "england.yaml")
    assert "# 44323154 residents in 32844 neighbourhoods" in r.stdout


def test_scale_keeps_every_neighbourhood(commonweal, test_tmp):
    out = test_tmp / "blackpool_tenth.h5"
    run_cli(commonweal, "run", SOURCE_DIR / "scenarios" / "blackpool.yaml", "-o", out, "-q", "--force",
            "--set", "population.scale=0.1", "--set", "run.weeks=2", "--set", "run.burn_in_weeks=0")
    full = table(ENGLAND_CSV.read_text(encoding="utf-8"))
    mine = {r["code"]: r for r in full if r["la"] == "Blackpool"}
    with h5py.File(out, "r") as f:
        g = f["neighbourhoods"]
        codes = list(g["code"].asstr()[...])
        assert sorted(codes) == sorted(mine)
        assert set(g["la_code"].asstr()[...]) == {"E06000009"}
        pop = g["population"][...]
        dep = g["deprivation"][...]
    for k, c in enumerate(codes):
        assert pop[k] == int(int(mine[c]["population"]) * 0.1 + 0.5)  # rounded half away from zero
        # deprivation is England's: rank r of 32,844 -> (32844 - r) / 32843
        assert dep[k] == pytest.approx((32844 - int(mine[c]["deprivation"])) / 32843, abs=1e-6)


def test_score_input_is_rescaled(commonweal, test_tmp, tmp_path):
    scen = tmp_path / "scores.yaml"
    scen.write_text(f"population:\n  neighbourhoods_csv: {SOURCE_DIR / 'tests/data/csv/scores.csv'}\n"
                    "  deprivation_from: score\nrun: {weeks: 2, burn_in_weeks: 0}\n")
    out = test_tmp / "scores.h5"
    run_cli(commonweal, "run", scen, "-o", out, "-q", "--force")
    with h5py.File(out, "r") as f:
        dep = f["neighbourhoods/deprivation"][...]
        codes = list(f["neighbourhoods/code"].asstr()[...])
    assert codes == ["E01000001", "E01000002", "E01000003", "E01000004"]
    lo, hi = 3.2, 45.1  # (score - lowest) / (highest - lowest)
    np.testing.assert_allclose(dep, [(s - lo) / (hi - lo) for s in (12.5, 45.1, 3.2, 27.0)], atol=1e-6)


@pytest.mark.parametrize("setting, message", [
    ("population.neighbourhoods=10",
     "--set population.neighbourhoods=10: population.neighbourhoods sizes a synthetic area and does not "
     "apply with a neighbourhoods CSV"),
    ("population.residents_per_neighbourhood=100",
     "--set population.residents_per_neighbourhood=100: population.residents_per_neighbourhood sizes"),
    ("population.areas=Hart; Atlantis",
     "--set population.areas=Hart; Atlantis: population.areas: no local authority or neighbourhood named or "
     "coded 'Atlantis'"),
    ("population.scale=-0.1", "--set population.scale=-0.1: population.scale = -0.1 is out of range"),
])
def test_csv_settings_that_cannot_apply_are_refused(commonweal, test_tmp, setting, message):
    out = test_tmp / "refused.h5"
    r = subprocess.run([commonweal, "run", SOURCE_DIR / "scenarios" / "hart.yaml", "-o", out, "-q",
                        "--set", setting], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith(message), r.stderr
    assert not out.exists() and not (test_tmp / "refused.h5.partial").exists()
