#!/usr/bin/python3
# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
"""Write england-imd2019.csv: England's 32,844 neighbourhoods (LSOAs, 2011) from the
official English Indices of Deprivation 2019, for scenarios/england.yaml and any
scenario that picks its areas from it (population.areas).

Source: Ministry of Housing, Communities & Local Government (MHCLG), "English indices
of deprivation 2019" (26 September 2019), files 1 (IMD), 2 (domains) and 6 (population
denominators), as CSV (optionally gzip) in SOURCE (default /work/shared/data/imd2019;
its README says how they were converted). Contains public sector information licensed
under the Open Government Licence v3.0.

Columns written (the neighbourhood CSV of sim/input/nbhd_csv.h):

  code           LSOA code (2011), e.g. E01012662
  name           LSOA name (2011), e.g. "Blackpool 002A"
  la_code        local authority district code (2019), e.g. E06000009
  la             local authority district name (2019), e.g. Blackpool
  population     residents aged 16 and over, mid-2015 (excluding prisoners): the total
                 less "dependent children aged 0-15" (file 6); the model's residents are
                 adults [MODEL.md s5]
  deprivation    the IMD 2019 rank as published (1 = most deprived of 32,844; 26 pairs
                 of LSOAs share a rank, the next rank skipping their place): the
                 scenario declares population.deprivation_from: rank and the program
                 rescales it (docs/ODD.md, "Input data")
  space_quality  (rank - 1) / (32,844 - 1) of the Living Environment domain rank (file 2;
                 0 = most deprived living environment, 1 = least). [assumption: the
                 domain (housing condition, air quality, road accidents) stands in for the
                 quality of shared community space, which no official table measures
                 nationally; the model otherwise derives space quality from deprivation]

Rows are sorted by LA code, then LSOA code, so each LA's neighbourhoods are contiguous
(a distributed run cuts its ranks at LA boundaries). Deterministic: rerunning on the same
files writes the same bytes.

Usage: /usr/bin/python3 scenarios/data/make-england-imd2019.py [SOURCE] > scenarios/data/england-imd2019.csv
"""
import csv
import glob
import gzip
import io
import os
import sys

ATTRIBUTION = ("Contains public sector information licensed under the Open Government Licence v3.0 "
               "(MHCLG, English indices of deprivation 2019).")
N_RANKED = 32844  # LSOAs ranked by IoD2019: every rank runs 1..32,844, in an extract too
FILES = {"imd": "File_1_-_IMD2019_Index_of_Multiple_Deprivation",
         "domains": "File_2_-_IoD2019_Domains_of_Deprivation",
         "population": "File_6_-_IoD2019_Population_Denominators"}


def fail(msg):
    print(f"make-england-imd2019.py: {msg}", file=sys.stderr)
    sys.exit(2)


def open_table(source, stem):
    """Rows of SOURCE/STEM.csv.gz (or .csv) as dicts keyed by the published headers."""
    paths = sorted(glob.glob(os.path.join(source, stem + ".csv.gz")) +
                   glob.glob(os.path.join(source, stem + ".csv")))
    if not paths:
        fail(f"{os.path.join(source, stem)}.csv(.gz): no such file")
    path = paths[0]
    raw = gzip.open(path, "rb").read() if path.endswith(".gz") else open(path, "rb").read()
    text = raw.decode("utf-8-sig")  # the published header starts with a byte-order mark
    return path, list(csv.DictReader(io.StringIO(text)))


def column(path, header, starts):
    """The one header that starts with `starts` (the published ones are long)."""
    found = [h for h in header if h.startswith(starts)]
    if len(found) != 1:
        fail(f"{path}: expected one column starting '{starts}', found {len(found)}")
    return found[0]


def whole(path, line, text):
    """A published count: "1,296" -> 1296."""
    try:
        v = int(text.replace(",", ""))
    except ValueError:
        fail(f"{path}:{line}: '{text}' is not a whole number")
    return v


def main(argv):
    source = argv[1] if len(argv) > 1 else "/work/shared/data/imd2019"
    tables = {k: open_table(source, stem) for k, stem in FILES.items()}
    rows = {}
    path, imd = tables["imd"]
    h = list(imd[0]) if imd else fail(f"{path}: no rows")
    c_code, c_name = column(path, h, "LSOA code"), column(path, h, "LSOA name")
    c_la_code, c_la = column(path, h, "Local Authority District code"), column(path, h, "Local Authority District name")
    c_rank = column(path, h, "Index of Multiple Deprivation (IMD) Rank")
    for line, r in enumerate(imd, 2):
        rows[r[c_code]] = {"code": r[c_code], "name": r[c_name], "la_code": r[c_la_code], "la": r[c_la],
                           "rank": whole(path, line, r[c_rank])}
    path, dom = tables["domains"]
    c_code2, c_le = column(path, list(dom[0]), "LSOA code"), column(path, list(dom[0]), "Living Environment Rank")
    for line, r in enumerate(dom, 2):
        if r[c_code2] not in rows:
            fail(f"{path}:{line}: LSOA {r[c_code2]} is not in the IMD file")
        rows[r[c_code2]]["living"] = whole(path, line, r[c_le])
    path, pop = tables["population"]
    hp = list(pop[0])
    c_code6, c_total = column(path, hp, "LSOA code"), column(path, hp, "Total population")
    c_child = column(path, hp, "Dependent Children aged 0-15")
    c_1659, c_60 = column(path, hp, "Population aged 16-59"), column(path, hp, "Older population aged 60")
    for line, r in enumerate(pop, 2):
        if r[c_code6] not in rows:
            fail(f"{path}:{line}: LSOA {r[c_code6]} is not in the IMD file")
        total, child = whole(path, line, r[c_total]), whole(path, line, r[c_child])
        adults = whole(path, line, r[c_1659]) + whole(path, line, r[c_60])
        if adults != total - child:
            fail(f"{path}:{line}: 16-59 + 60+ = {adults} but total - children = {total - child}")
        rows[r[c_code6]]["population"] = adults
    bad = [r for r in rows.values() if not 1 <= r["rank"] <= N_RANKED or not 1 <= r.get("living", 1) <= N_RANKED]
    if bad:
        fail(f"LSOA {bad[0]['code']}: a rank outside 1..{N_RANKED}")
    missing = [c for c, r in rows.items() if "living" not in r or "population" not in r]
    if missing:
        fail(f"{len(missing)} LSOAs lack a domain or population row (first {missing[0]})")
    n = len(rows)
    out = csv.writer(sys.stdout, lineterminator="\n")
    sys.stdout.write(f"# {n:,} neighbourhoods of England (LSOAs 2011) in {len({r['la_code'] for r in rows.values()})} "
                     f"local authorities (2019), {sum(r['population'] for r in rows.values()):,} residents 16+ (mid-2015).\n"
                     f"# {ATTRIBUTION}\n"
                     "# Written by scenarios/data/make-england-imd2019.py: deprivation is the IMD 2019 rank (1 = most\n"
                     "# deprived; read with population.deprivation_from: rank), space_quality the Living Environment\n"
                     "# domain rank as (rank - 1) / (32,844 - 1) [assumption], population the residents aged 16+.\n")
    out.writerow(["code", "name", "la_code", "la", "population", "deprivation", "space_quality"])
    for r in sorted(rows.values(), key=lambda r: (r["la_code"], r["code"])):
        sq = (r["living"] - 1) / (N_RANKED - 1)
        out.writerow([r["code"], r["name"], r["la_code"], r["la"], r["population"], r["rank"], f"{sq:.5f}"])


if __name__ == "__main__":
    main(sys.argv)
