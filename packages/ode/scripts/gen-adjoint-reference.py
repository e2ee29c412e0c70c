"""Writes test/fixtures/seed-linear-gradient.json: the seed linear model's loss and its exact
gradient with respect to P, from the matrix exponential and its Frechet derivative (scipy),
independent of udekit's ODE solvers.

Model: du/dt = A(P) u, A(P) = P - diag(P 1), u(1) = data[:, 0], observations at t = 1..4;
loss = sum_k sum_i (u_i(t_k) - data[i, k])^2 (the t = 1 term is zero).
u(t_k) = expm(A d_k) u0 with d_k = t_k - 1; dL/du_k = g_k = 2 (u_k - d_k);
dL/dA = sum_k d_k L(d_k A^T, g_k u0^T)   (the adjoint of the Frechet derivative L(X, .) is L(X^T, .));
dL/dP_ij = dL/dA_ij - dL/dA_ii (A_ii = P_ii - sum_l P_il), so the diagonal of dL/dP is zero.
Sizes: n = 10 (leading 10x10 block of P, first 10 rows of data) and n = 100.
Run from this package's folder: python3 scripts/gen-adjoint-reference.py
"""
import json
import os

import numpy as np
from scipy.linalg import expm, expm_frechet

here = os.path.dirname(os.path.abspath(__file__))
seed_path = os.path.join(here, "..", "..", "..", "apps", "ude", "data", "seed-ude.json")
with open(seed_path) as f:
    seed = json.load(f)
data_full = np.array(seed["trainingData"])
P_full = np.array(seed["connectivity"])
times = np.array(seed["times"])

out = {"description": __doc__.strip().splitlines()[0], "times": times.tolist(), "cases": []}
for n in (10, 100):
    P = P_full[:n, :n]
    data = data_full[:n, :]
    A = P - np.diag(P.sum(axis=1))
    u0 = data[:, 0]
    loss = 0.0
    G = np.zeros((n, n))
    states = []
    for k, t in enumerate(times):
        d = t - times[0]
        u = expm(A * d) @ u0
        states.append(u.tolist())
        r = u - data[:, k]
        loss += float(r @ r)
        if d > 0:
            G += d * expm_frechet(A.T * d, np.outer(2 * r, u0), compute_expm=False)
    gP = G - np.diag(G)[:, None]
    out["cases"].append(
        {
            "n": n,
            "loss": loss,
            "states": states,
            "gradP": gP.tolist(),
            "eigenvalueRange": [float(np.linalg.eigvals(A).real.min()), float(np.linalg.eigvals(A).real.max())],
        }
    )

with open(os.path.join(here, "..", "test", "fixtures", "seed-linear-gradient.json"), "w") as f:
    json.dump(out, f, separators=(",", ":"))
