"""Writes docs/growth.csv (and docs/growth-truth.csv): the data of the README's walkthrough
"Fit your own data", made by a model udekit does not share code with (scipy's solve_ivp).

8 nodes on a ring; each node's state grows logistically and diffuses to its two neighbours:

    du_i/dt = sum_j P_ij (u_j - u_i) + r u_i (1 - u_i),   P_ij = 0.3 for ring neighbours, r = 0.8,

from initial values uniform in [0.05, 0.3]. growth.csv holds the observations at t = 0, 0.5, ..., 6
(13 times) with Gaussian noise of standard deviation 0.01 added after t = 0 (the initial condition
is exact, as the app assumes); growth-truth.csv holds the noise-free states at t = 0, 0.5, ..., 12
for checking predictions beyond the data. Deterministic (seeded). Run from apps/ude:
    python3 scripts/gen_walkthrough.py
"""
import numpy as np
from scipy.integrate import solve_ivp

n, coupling, r, noise = 8, 0.3, 0.8, 0.01
rng = np.random.default_rng(21)
P = np.zeros((n, n))
for i in range(n):
    P[i, (i + 1) % n] = P[i, (i - 1) % n] = coupling
u0 = rng.uniform(0.05, 0.3, n)


def rhs(_t, u):
    return P @ u - P.sum(axis=1) * u + r * u * (1 - u)


def states(times):
    sol = solve_ivp(rhs, (0, times[-1]), u0, t_eval=times, method="DOP853", rtol=1e-12, atol=1e-14)
    return sol.y  # n x len(times)


def write(path, times, values, comment):
    with open(path, "w") as f:
        f.write(f"# {comment}\n")
        f.write(",".join(f"t={t:g}" for t in times) + "\n")
        for row in values:
            f.write(",".join(f"{x:.6f}" for x in row) + "\n")


observed = np.arange(0, 6.01, 0.5)
data = states(observed)
data[:, 1:] += rng.normal(0, noise, (n, len(observed) - 1))
write("docs/growth.csv", observed, data, "8 nodes, logistic growth + ring diffusion, noise 0.01 (scripts/gen_walkthrough.py)")
truth = np.arange(0, 12.01, 0.5)
write("docs/growth-truth.csv", truth, states(truth), "noise-free states of docs/growth.csv's model up to t = 12 (scripts/gen_walkthrough.py)")
