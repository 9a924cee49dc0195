#!/usr/bin/python3
"""Write england-synthetic.csv: a made-up England at full scale, for
scenarios/england.yaml (distributed runs, docs/MPI.md).

300 local authorities whose populations follow a log-normal like England's
(median about 160,000; from a few thousand, like the Isles of Scilly, to over
a million, like Birmingham), scaled to 56.0 million residents in all, each
cut into neighbourhoods of about 1,650 residents (the size of an LSOA:
about 34,000 in all). Deprivation: an LA level plus neighbourhood spread,
in [0, 1]. Nothing here is real data; the names are "LA001" and
"LA001-N0001". Deterministic (seeded): rerunning writes the same file.

Usage: /usr/bin/python3 scenarios/data/make-england.py > scenarios/data/england-synthetic.csv
"""
import math
import random
import sys

LAS, TOTAL, LSOA = 300, 56_000_000, 1650
rng = random.Random(20240808)

sizes = [min(1_150_000, max(2_200, rng.lognormvariate(math.log(160_000), 0.55))) for _ in range(LAS)]
scale = TOTAL / sum(sizes)
sizes = [s * scale for s in sizes]

out = sys.stdout
out.write("# Synthetic England (scenarios/data/make-england.py): 300 LAs, 56 M residents, LSOA-sized\n")
out.write("# neighbourhoods. Made up: not real places or statistics.\n")
out.write("name,la,population,deprivation\n")
total = 0
for la, size in enumerate(sizes, 1):
    n = max(1, round(size / LSOA))
    level = rng.betavariate(2.0, 2.5)  # the LA's typical deprivation
    per = size / n
    pops = [max(500, round(per * rng.uniform(0.85, 1.15))) for _ in range(n)]
    for k, pop in enumerate(pops, 1):
        d = min(1.0, max(0.0, level + rng.gauss(0.0, 0.18)))
        out.write(f"LA{la:03d}-N{k:04d},LA{la:03d},{pop},{d:.4f}\n")
        total += pop
print(f"{LAS} LAs, {total} residents", file=sys.stderr)
