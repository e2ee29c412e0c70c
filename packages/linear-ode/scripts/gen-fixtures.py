#!/usr/bin/env python3
"""Reference fixtures for @udekit/linear-ode tests (run: python3 scripts/gen-fixtures.py).

Writes test/fixtures/*.json from independent implementations:
- expm-bank.json: the expm test bank. Each case holds A (null for the seed cases: the
  tests build A(P) from apps/ude/data/seed-ude.json), a reference X = exp(A) and
  kappa = scipy.linalg.expm_cond(A) (relative condition number, Frobenius norm).
  References: mpmath.expm at 40 significant digits for the small cases (rounded once to
  float64), exact closed forms for the nilpotent / rotation / diagonal-similarity cases,
  and scipy.linalg.expm for the seed matrices (n = 100, too large for mpmath here).
- frechet.json: scipy.linalg.expm_frechet(A, E) for a few (A, E).
- expmv.json: scipy.sparse.linalg.expm_multiply for single t and for a linspace of times.
- seed-linear.json: loss and dloss/dP of the seed linear model, via expm_frechet:
    u_k = exp(A tau_k) u0, tau_k = t_k - t_1, loss = sum_k ||u_k - d_k||^2,
    dloss/dA = sum_k tau_k L(tau_k A^T, 2 (u_k - d_k) u0^T),
    dloss/dP_ij = dloss/dA_ij - dloss/dA_ii   (A(P) = P - diag(P 1)).
Seeds are fixed; the script is deterministic.
"""
import json
import os

import mpmath
import numpy as np
import scipy
import scipy.linalg as sl
from scipy.sparse.linalg import expm_multiply

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures")
SEED = os.path.join(HERE, "..", "..", "..", "apps", "ude", "data", "seed-ude.json")
mpmath.mp.dps = 40


def mp_expm(A):
    M = mpmath.matrix(A.tolist())
    X = mpmath.expm(M)
    return np.array([[float(X[i, j]) for j in range(A.shape[1])] for i in range(A.shape[0])])


def mat(A):
    return [float(x) for x in np.asarray(A, dtype=float).ravel()]


def seed_A():
    d = json.load(open(SEED))
    P = np.array(d["connectivity"], dtype=float)
    A = P - np.diag(P.sum(axis=1))
    return d, P, A


def kappa(A):
    """Relative condition number of exp at A in the Frobenius norm, kappa = ||L(A)|| ||A|| / ||exp(A)||.

    Exact (scipy.linalg.expm_cond, which forms the n^2 x n^2 Kronecker matrix) for n <= 20;
    for larger n, ||L(A)|| (the largest singular value of the Frechet operator) by 30 steps of
    the power method on L*(L(E)) with L* = L(A^T, .), which converges from below.
    """
    n = A.shape[0]
    if n == 1:
        return abs(float(A[0, 0]))
    if n <= 20:
        return float(sl.expm_cond(A))
    rng = np.random.RandomState(3)
    E = rng.randn(n, n)
    E /= np.linalg.norm(E)
    sigma = 0.0
    for _ in range(30):
        _, LE = sl.expm_frechet(A, E)
        _, LtLE = sl.expm_frechet(A.T, LE)
        sigma = np.sqrt(np.linalg.norm(LtLE))
        E = LtLE / np.linalg.norm(LtLE)
    X = sl.expm(A)
    return float(sigma * np.linalg.norm(A) / np.linalg.norm(X))


def case(name, A, X, ref, well):
    A = np.asarray(A, dtype=float)
    return {
        "name": name,
        "n": int(A.shape[0]),
        "A": None if name.startswith("seed") else mat(A),
        "X": mat(X),
        "reference": ref,
        "kappa": kappa(A),
        "wellConditioned": well,
    }


def expm_bank():
    rng = np.random.RandomState(20240601)
    cases = []
    A = rng.randn(8, 8)
    cases.append(case("random dense 8x8", A, mp_expm(A), "mpmath.expm, 40 digits", True))
    A = rng.randn(20, 20) / np.sqrt(20) * 2
    cases.append(case("random dense 20x20", A, mp_expm(A), "mpmath.expm, 40 digits", True))
    B = rng.randn(10, 10)
    A = (B + B.T) / 2
    cases.append(case("symmetric 10x10", A, mp_expm(A), "mpmath.expm, 40 digits", True))
    # Nilpotent: strictly upper triangular, exp(N) = sum_{k<n} N^k/k! exactly (finite series in mpmath).
    N = np.triu(rng.randn(6, 6), 1)
    Nm = mpmath.matrix(N.tolist())
    S = mpmath.eye(6)
    P = mpmath.eye(6)
    for k in range(1, 6):
        P = P * Nm / k
        S = S + P
    X = np.array([[float(S[i, j]) for j in range(6)] for i in range(6)])
    cases.append(case("nilpotent 6x6", N, X, "finite series sum_{k<6} N^k/k! in mpmath", True))
    # Rotation generators: block diag of [[0, -w], [w, 0]], exp = [[cos w, -sin w], [sin w, cos w]].
    ws = [0.3, 2.0, 7.5]
    A = np.zeros((6, 6))
    X = np.zeros((6, 6))
    for b, w in enumerate(ws):
        i = 2 * b
        A[i, i + 1] = -w
        A[i + 1, i] = w
        c, s = float(mpmath.cos(w)), float(mpmath.sin(w))
        X[i, i], X[i, i + 1], X[i + 1, i], X[i + 1, i + 1] = c, -s, s, c
    cases.append(case("rotation generators (w = 0.3, 2, 7.5)", A, X, "closed form cos/sin", True))
    # Large norm ~1e3: symmetric negative semidefinite Q diag(lam) Q^T, lam in [-1000, 0].
    Q, _ = np.linalg.qr(rng.randn(8, 8))
    lam = -np.linspace(0, 1000, 8)
    A = Q @ np.diag(lam) @ Q.T
    cases.append(case("large norm ~1e3 (symmetric, spectrum [-1000, 0])", A, mp_expm(A), "mpmath.expm, 40 digits", False))
    # Large norm, non-normal: rotation-like with decay, ||A||_1 ~ 1e3.
    A = rng.randn(6, 6) * 150 - 400 * np.eye(6)
    cases.append(case("large norm ~1e3 (non-normal, shifted)", A, mp_expm(A), "mpmath.expm, 40 digits", False))
    # Badly scaled: D B D^-1, exp = D exp(B) D^-1 exactly.
    B = rng.randn(5, 5)
    d = np.array([1e-4, 1.0, 1e3, 1e-2, 1e5])
    A = np.diag(d) @ B @ np.diag(1 / d)
    EB = mpmath.expm(mpmath.matrix(B.tolist()))
    X = np.array([[float(mpmath.mpf(d[i]) * EB[i, j] / mpmath.mpf(d[j])) for j in range(5)] for i in range(5)])
    cases.append(case("badly scaled D B D^-1", A, X, "D exp(B) D^-1 with mpmath.expm", False))
    # Tiny norm: exercises the low Pade degrees.
    A = rng.randn(5, 5) * 1e-3
    cases.append(case("tiny norm (1e-3)", A, mp_expm(A), "mpmath.expm, 40 digits", True))
    A = rng.randn(5, 5) * 0.1
    cases.append(case("small norm (0.1)", A, mp_expm(A), "mpmath.expm, 40 digits", True))
    A = np.array([[-2.5]])
    cases.append(case("1x1", A, np.array([[float(mpmath.exp(-2.5))]]), "mpmath.exp", True))
    _, _, SA = seed_A()
    cases.append(case("seed A(P)", SA, sl.expm(SA), f"scipy {scipy.__version__} expm", False))
    cases.append(case("seed 3 A(P)", 3 * SA, sl.expm(3 * SA), f"scipy {scipy.__version__} expm", False))
    return cases


def frechet_cases():
    rng = np.random.RandomState(7)
    out = []
    for name, A in [
        ("random 6x6", rng.randn(6, 6)),
        ("random 6x6 scaled x10", rng.randn(6, 6) * 10),
        ("random 12x12 small", rng.randn(12, 12) * 0.05),
    ]:
        E = rng.randn(*A.shape)
        X, L = sl.expm_frechet(A, E)
        out.append({"name": name, "n": A.shape[0], "A": mat(A), "E": mat(E), "X": mat(X), "L": mat(L)})
    _, _, SA = seed_A()
    E = rng.randn(100, 100)
    X, L = sl.expm_frechet(SA, E)
    out.append({"name": "seed A(P)", "n": 100, "A": None, "E": mat(E), "X": None, "L": mat(L)})
    return out


def expmv_cases():
    rng = np.random.RandomState(11)
    out = []
    A = rng.randn(10, 10)
    v = rng.randn(10)
    for t in [0.1, 1.0, 4.0]:
        out.append({"name": f"random 10x10, t={t}", "n": 10, "A": mat(A), "v": mat(v), "t": t,
                    "y": mat(expm_multiply(t * A, v))})
    times = np.linspace(0.5, 3.0, 6)
    Y = expm_multiply(A, v, start=0.5, stop=3.0, num=6, endpoint=True)
    out.append({"name": "random 10x10, times linspace(0.5, 3, 6)", "n": 10, "A": mat(A), "v": mat(v),
                "times": [float(t) for t in times], "Y": mat(Y)})
    return out


def seed_linear():
    d, P, A = seed_A()
    D = np.array(d["trainingData"], dtype=float)
    times = np.array(d["times"], dtype=float)
    u0 = D[:, 0]
    loss = 0.0
    G = np.zeros_like(A)
    for k in range(1, len(times)):
        tau = times[k] - times[0]
        u = sl.expm(A * tau) @ u0
        r = u - D[:, k]
        loss += float(r @ r)
        _, L = sl.expm_frechet(tau * A.T, np.outer(2 * r, u0))
        G += tau * L
    GP = G - np.diag(G)[:, None]
    return {"times": [float(t) for t in times], "loss": loss, "gradP": mat(GP)}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in [
        ("expm-bank.json", expm_bank()),
        ("frechet.json", frechet_cases()),
        ("expmv.json", expmv_cases()),
        ("seed-linear.json", seed_linear()),
    ]:
        with open(os.path.join(OUT, name), "w") as f:
            json.dump(data, f)
        print("wrote", name)


if __name__ == "__main__":
    main()
