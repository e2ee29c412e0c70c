#!/usr/bin/env python3
"""Reference for the badly scaled case of the expm test bank (run: python3 scripts/gen-expm-scaled.py).

The bank's case "badly scaled D B D^-1" holds A = D B D^-1 (D = diag(d), d spanning 1e-4 .. 1e5)
rounded to float64. Its Frobenius condition number is ~1e17, so a normwise relative tolerance of
kappa * eps is vacuous. The test instead measures the error after undoing the scaling,
||D^-1 (X - exp(A)) D||_F / ||D^-1 exp(A) D||_F, where the relevant condition number is that of
exp at B = D^-1 A D (well scaled).

Writes test/fixtures/expm-badly-scaled.json from the float64 A stored in expm-bank.json (the
matrix the test passes, read back, not regenerated):
- X: exp(A) = D exp(D^-1 A D) D^-1 with D^-1 A D formed and exponentiated in mpmath at 50
  significant digits (exact for the float64 A and d; rounded once to float64). Computing exp(A)
  directly would lose digits in the small entries: its normwise error is relative to ||exp(A)||.
- kappaScaled: scipy.linalg.expm_cond(D^-1 A D), the relative Frobenius condition number at B.
"""
import json
import os

import mpmath
import numpy as np
import scipy.linalg as sl

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "test", "fixtures")
NAME = "badly scaled D B D^-1"
D = [1e-4, 1.0, 1e3, 1e-2, 1e5]  # the scaling gen-fixtures.py used for this case
mpmath.mp.dps = 50


def main():
    bank = json.load(open(os.path.join(FIXTURES, "expm-bank.json")))
    case = next(c for c in bank if c["name"] == NAME)
    n = case["n"]
    A = np.array(case["A"], dtype=float).reshape(n, n)
    B = mpmath.matrix(n, n)
    for i in range(n):
        for j in range(n):
            B[i, j] = mpmath.mpf(A[i, j]) * mpmath.mpf(D[j]) / mpmath.mpf(D[i])
    EB = mpmath.expm(B)
    X = [float(mpmath.mpf(D[i]) * EB[i, j] / mpmath.mpf(D[j])) for i in range(n) for j in range(n)]
    Bf = np.diag(1 / np.array(D)) @ A @ np.diag(D)
    out = {
        "name": NAME,
        "n": n,
        "d": D,
        "X": X,
        "reference": "D exp(D^-1 A D) D^-1 with mpmath.expm, 50 digits",
        "kappaScaled": float(sl.expm_cond(Bf)),
    }
    with open(os.path.join(FIXTURES, "expm-badly-scaled.json"), "w") as f:
        json.dump(out, f)
    print("wrote expm-badly-scaled.json, kappaScaled =", out["kappaScaled"])


if __name__ == "__main__":
    main()
