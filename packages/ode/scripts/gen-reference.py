"""Writes the reference solutions the @udekit/ode tests compare against (test/fixtures/*.json).

Independent of udekit: scipy's solve_ivp (DOP853 for non-stiff problems, Radau for stiff
ones) at tolerances far below the ones tested, and scipy.linalg.expm for the seed linear
model du/dt = A(P)·u, A(P) = P − diag(P·1). Run from the package directory:

    python3 scripts/gen-reference.py

Each fixture records the method and tolerances used, so a test can state where its
tolerance comes from.
"""

import json
import os

import numpy as np
import scipy
from scipy.integrate import solve_ivp
from scipy.linalg import expm

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures")
SEED = os.path.join(HERE, "..", "..", "..", "apps", "ude", "data", "seed-ude.json")


def write(name, data):
    data["generator"] = f"scripts/gen-reference.py (numpy {np.__version__}, scipy {scipy.__version__})"
    with open(os.path.join(OUT, f"{name}.json"), "w") as f:
        json.dump(data, f, indent=1)
    print("wrote", name)


def reference(name, f, u0, tspan, times, method, rtol, atol, params, jac=None):
    sol = solve_ivp(f, tspan, u0, method=method, t_eval=times, rtol=rtol, atol=atol, jac=jac, dense_output=False)
    assert sol.success, sol.message
    write(
        name,
        {
            "problem": name,
            "params": params,
            "u0": list(map(float, u0)),
            "tspan": list(map(float, tspan)),
            "times": list(map(float, times)),
            "states": sol.y.T.tolist(),
            "method": method,
            "rtol": rtol,
            "atol": atol,
        },
    )


def main():
    os.makedirs(OUT, exist_ok=True)

    # Lotka–Volterra: x' = a x − b x y, y' = −c y + d x y.
    a, b, c, d = 1.5, 1.0, 3.0, 1.0
    reference(
        "lotka-volterra",
        lambda t, u: [a * u[0] - b * u[0] * u[1], -c * u[1] + d * u[0] * u[1]],
        [1.0, 1.0],
        [0.0, 10.0],
        np.linspace(0, 10, 11),
        "DOP853",
        1e-13,
        1e-15,
        {"a": a, "b": b, "c": c, "d": d},
    )

    # Van der Pol: x' = y, y' = mu (1 − x²) y − x.
    def vdp(mu):
        return lambda t, u: [u[1], mu * (1 - u[0] ** 2) * u[1] - u[0]]

    def vdp_jac(mu):
        return lambda t, u: [[0.0, 1.0], [-2 * mu * u[0] * u[1] - 1, mu * (1 - u[0] ** 2)]]

    reference("van-der-pol-mu1", vdp(1.0), [2.0, 0.0], [0.0, 10.0], np.linspace(0, 10, 11), "DOP853", 1e-13, 1e-15, {"mu": 1.0})
    reference(
        "van-der-pol-mu1000",
        vdp(1000.0),
        [2.0, 0.0],
        [0.0, 3000.0],
        np.linspace(0, 3000, 7),
        "Radau",
        1e-12,
        1e-14,
        {"mu": 1000.0},
        jac=vdp_jac(1000.0),
    )

    # Robertson chemical kinetics (Hairer–Wanner II, §IV.1, eq. (1.4)).
    k1, k2, k3 = 0.04, 3e7, 1e4

    def rober(t, u):
        return [-k1 * u[0] + k3 * u[1] * u[2], k1 * u[0] - k3 * u[1] * u[2] - k2 * u[1] ** 2, k2 * u[1] ** 2]

    def rober_jac(t, u):
        return [
            [-k1, k3 * u[2], k3 * u[1]],
            [k1, -k3 * u[2] - 2 * k2 * u[1], -k3 * u[1]],
            [0.0, 2 * k2 * u[1], 0.0],
        ]

    reference(
        "robertson",
        rober,
        [1.0, 0.0, 0.0],
        [0.0, 1e5],
        np.array([0.0, 1e-2, 1.0, 1e2, 1e4, 1e5]),
        "Radau",
        1e-12,
        [1e-16, 1e-20, 1e-16],
        {"k1": k1, "k2": k2, "k3": k3},
        jac=rober_jac,
    )

    # Brusselator (Hairer–Nørsett–Wanner I, §I.16, eq. (16.12)): A = 1, B = 3.
    A, B = 1.0, 3.0
    reference(
        "brusselator",
        lambda t, u: [A + u[0] ** 2 * u[1] - (B + 1) * u[0], B * u[0] - u[0] ** 2 * u[1]],
        [1.5, 3.0],
        [0.0, 20.0],
        np.linspace(0, 20, 11),
        "DOP853",
        1e-13,
        1e-15,
        {"A": A, "B": B},
    )

    # Seed linear model: du/dt = A(P)·u, A(P) = P − diag(P·1), u(1) = column 0 of trainingData.
    with open(SEED) as fh:
        seed = json.load(fh)
    P = np.array(seed["connectivity"], dtype=float)
    data = np.array(seed["trainingData"], dtype=float)
    obs = [float(t) for t in seed["times"]]
    # The observation times 1, 2, 3, 4 plus times inside the fast initial transient
    # (eigenvalues of A reach −57 for n = 100), where the solvers' errors are largest.
    times = sorted(set(obs + [1.01, 1.02, 1.05, 1.1, 1.2, 1.5]))
    for n in (100, 10):
        Pn = P[:n, :n]
        An = Pn - np.diag(Pn.sum(axis=1))
        u0 = data[:n, 0]
        states = [(expm(An * (t - times[0])) @ u0).tolist() for t in times]
        write(
            f"seed-linear-n{n}",
            {
                "problem": f"seed-linear-n{n}",
                "u0": u0.tolist(),
                "tspan": [obs[0], obs[-1]],
                "times": times,
                "states": states,
                "method": "scipy.linalg.expm(A·(t − t0)) @ u0",
                "rtol": 0,
                "atol": 0,
                "P": Pn.tolist(),
            },
        )


if __name__ == "__main__":
    main()
