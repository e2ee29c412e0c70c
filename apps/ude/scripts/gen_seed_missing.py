"""Writes docs/seed-missing.csv: the seed problem's training data (data/seed-ude.json, one row per
node, one column per time, the first column the initial condition) with 23 of its 300
observations after the first column blanked, for the README's example of missing values. The
blanked cells are drawn without replacement by numpy's default_rng(23); alternately empty, "NA"
and "NaN", the three spellings the app reads as "not observed". Run from apps/ude:
    python3 scripts/gen_seed_missing.py
"""
import json

import numpy as np

seed = json.load(open("data/seed-ude.json"))
times = seed["times"]
data = [list(row) for row in seed["trainingData"]]
n, m = len(data), len(times)
rng = np.random.default_rng(23)
cells = rng.choice(n * (m - 1), size=23, replace=False)
spellings = ["", "NA", "NaN"]
text = [[repr(x) for x in row] for row in data]
for k, c in enumerate(sorted(cells)):
    text[c // (m - 1)][1 + c % (m - 1)] = spellings[k % 3]
with open("docs/seed-missing.csv", "w") as f:
    f.write("# the seed data with 23 observations blanked (scripts/gen_seed_missing.py)\n")
    f.write(",".join(f"t={t:g}" for t in times) + "\n")
    for row in text:
        f.write(",".join(row) + "\n")
