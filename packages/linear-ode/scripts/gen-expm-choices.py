#!/usr/bin/env python3
"""Writes test/fixtures/expm-choices.json: the Pade degree m and the number of squarings s that
Al-Mohy & Higham's algorithms choose, as scipy's own implementations choose them, for a bank of
matrices (run: python3 scripts/gen-expm-choices.py; deterministic).

- expm (Al-Mohy & Higham 2009, "A new scaling and squaring algorithm", Algorithm 6.1): the
  decision sequence of scipy.sparse.linalg._matfuncs._expm (eta_1 .. eta_5 and _ell), evaluated
  with scipy's _ExpmPadeHelper with exact 1-norms and scipy's _ell.
- expmFrechet (Al-Mohy & Higham 2009, "Computing the Frechet derivative", Algorithm 6.4): the
  choice of scipy.linalg._expm_frechet.expm_frechet_algo_64 (||A||_1 against ell_table_61).

Both are evaluated on the matrix udekit runs them on: A - mu I when the trace shift applies
(mu = tr(A)/n, applied when mu != 0, |mu| <= 500, and it lowers ||A||_1 to at most 700; Higham
2005 section 2), otherwise A; the fixture records mu. The bank: random dense matrices (with and
without trace) at 1-norms from 1e-3 to 1e3, strongly non-normal upper-triangular ones (where
_ell adds squarings), and nilpotent ones, n = 2, 3, 5, 8.
"""
import json
import os

import numpy as np
import scipy.linalg._expm_frechet as ef
from scipy.sparse.linalg._matfuncs import _ell, _ExpmPadeHelper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures", "expm-choices.json")


def trace_shift(A):
    n = A.shape[0]
    mu = np.trace(A) / n
    if mu == 0 or abs(mu) > 500:
        return 0.0
    shifted = A - mu * np.eye(n)
    norm_a = np.linalg.norm(A, 1)
    norm_s = np.linalg.norm(shifted, 1)
    return float(mu) if norm_s < norm_a and norm_s <= 700 else 0.0


def expm_choice(A):
    """(m, s) of scipy's _expm decision sequence (the Pade evaluation itself is not needed)."""
    h = _ExpmPadeHelper(A, structure=None, use_exact_onenorm=True)
    eta_1 = max(h.d4_loose, h.d6_loose)
    if eta_1 < 1.495585217958292e-002 and _ell(h.A, 3) == 0:
        return 3, 0
    eta_2 = max(h.d4_tight, h.d6_loose)
    if eta_2 < 2.539398330063230e-001 and _ell(h.A, 5) == 0:
        return 5, 0
    eta_3 = max(h.d6_tight, h.d8_loose)
    if eta_3 < 9.504178996162932e-001 and _ell(h.A, 7) == 0:
        return 7, 0
    if eta_3 < 2.097847961257068e000 and _ell(h.A, 9) == 0:
        return 9, 0
    eta_4 = max(h.d8_loose, h.d10_loose)
    eta_5 = min(eta_3, eta_4)
    s = 0 if eta_5 == 0 else max(int(np.ceil(np.log2(eta_5 / 4.25))), 0)
    s = s + _ell(2.0**-s * h.A, 13)
    return 13, int(s)


def frechet_choice(A):
    norm = np.linalg.norm(A, 1)
    for m in (3, 5, 7, 9):
        if norm <= ef.ell_table_61[m]:
            return m, 0
    return 13, max(0, int(np.ceil(np.log2(norm / ef.ell_table_61[13]))))


def bank():
    rng = np.random.default_rng(20240917)
    cases = []
    for n in (2, 3, 5, 8):
        for k in np.arange(-3.0, 3.01, 0.5):
            B = rng.standard_normal((n, n))
            for traceless in (True, False):
                C = B - (np.trace(B) / n) * np.eye(n) if traceless else B + 0.3 * np.eye(n)
                A = C * (10.0**k / np.linalg.norm(C, 1))
                cases.append((f"random n={n} ||A||=1e{k:g}{' traceless' if traceless else ''}", A))
        for big in (1e2, 1e4, 1e6):
            T = np.triu(rng.standard_normal((n, n)), 1) * big + np.diag(rng.uniform(-1, 1, n))
            cases.append((f"non-normal upper triangular n={n}, off-diagonal x{big:g}", T))
        N = np.triu(rng.standard_normal((n, n)), 1) * 10.0
        cases.append((f"nilpotent n={n}", N))
    # Designed cases where one quantity decides: nilpotent superdiagonals (d_p = x for p < n,
    # 0 beyond, so d4 alone or d6 alone crosses a theta), and t*[[1, 1], [-1, -1]] (A^2 = 0 but
    # |A| has spectral radius 2t, so the _ell correction refuses low degrees).
    for n, x in ((5, 0.1), (5, 0.3), (7, 0.1), (7, 0.5), (9, 1.5)):
        cases.append((f"superdiagonal n={n} x={x}", np.diag(np.full(n - 1, x), 1)))
    for t in (0.02, 1.0, 30.0, 1e3):
        cases.append((f"t*[[1,1],[-1,-1]] t={t:g}", t * np.array([[1.0, 1.0], [-1.0, -1.0]])))
    return cases


def main():
    out = []
    for name, A in bank():
        mu = trace_shift(A)
        As = A - mu * np.eye(A.shape[0])
        m, s = expm_choice(As)
        fm, fs = frechet_choice(As)
        out.append(
            {
                "name": name,
                "n": A.shape[0],
                "A": A.ravel().tolist(),
                "mu": mu,
                "expm": {"m": m, "s": s},
                "frechet": {"m": fm, "s": fs},
            }
        )
    with open(OUT, "w") as f:
        json.dump({"description": __doc__.strip().splitlines()[0], "cases": out}, f, separators=(",", ":"))
        f.write("\n")
    print(f"{len(out)} cases; expm degrees {sorted({c['expm']['m'] for c in out})}, "
          f"max s {max(c['expm']['s'] for c in out)}, cases with a shift {sum(c['mu'] != 0 for c in out)}")


if __name__ == "__main__":
    main()
