"""Correctly rounded tanh values for packages/kernels/src/tanh.test.ts (fastTanh's accuracy).

mpmath at 60 significant digits, rounded once to the nearest double. The points: every branch of
fastTanh and its boundaries (|x| < 1e-9, ln(3)/2, 22), a log-spaced sweep over 1e-12 … 30, a
uniform sweep over [-6, 6] from a seeded generator, and both signs. Run:
  python3 packages/kernels/scripts/gen-tanh-reference.py > packages/kernels/test/fixtures/tanh-reference.json
"""
import json
import math
import random

import mpmath

mpmath.mp.dps = 60

xs = set()
for k in range(-120, 15):  # 10^(-12) … 10^(1.4)
    xs.add(10.0 ** (k / 10))
rng = random.Random(20261205)
for _ in range(3000):
    xs.add(rng.uniform(-6.0, 6.0))
for _ in range(1000):
    xs.add(rng.uniform(-0.6, 0.6))
ln3_2 = math.log(3) / 2
for b in (1e-9, ln3_2, 22.0, 0.5, 1.0, 2.0, 30.0, 710.0, 1e300):
    for d in range(-3, 4):
        xs.add(b + d * math.ulp(b))
xs |= {-x for x in list(xs)}

pairs = sorted((x, float(mpmath.tanh(mpmath.mpf(x)))) for x in xs)
json.dump(
    {
        "source": "packages/kernels/scripts/gen-tanh-reference.py (mpmath %s, 60 digits, rounded to nearest double)"
        % mpmath.__version__,
        "x": [repr(x) for x in (p[0] for p in pairs)],
        "tanh": [repr(y) for y in (p[1] for p in pairs)],
    },
    __import__("sys").stdout,
)
