"""Writes references/seed-ude-reference.json: the seed UDE's loss and its full gradient (P block and
the 49 net parameters), for the tanh net the benchmarks use and the identity net apps/ude uses by
default, computed with scipy only, independent of udekit.

Model (DESIGN.md "apps/ude"): du/dt = nn(u) + A(P) u, A(P) = P - diag(P 1); nn applies
Dense(4->5, act) -> Dense(5->4) (y = W x + b, W out x in) to each of the 25 blocks of 4 entries
of u; u(1) = data[:, 0]; loss = sum_k sum_i (u_i(t_k) - data[i, k])^2 over t = 1, 2, 3, 4.
Parameters p = [P (row-major); W1 (5x4); b1; W2 (4x5); b2] at the seed fixture's values.

Method: continuous adjoint. The forward solution is DOP853 at rtol 1e-13, atol 1e-15, restarted
at each observation time, with its 7th-order dense output. Backward, on each interval
[t_k, t_k+1] from t = 4 to 1, DOP853 at rtol 1e-12, atol 1e-14 integrates
  dlam/dt = -(df/du)^T lam,   dmu/dt = -(df/dp)^T lam
with lam(t_k-) = lam(t_k+) + 2 (u(t_k) - data_k) at every observation time; dL/dp = mu(1).
Cross-check: complex-step derivatives dL/dp_j = Im L(p + i h e_j) / h (h = 1e-30) of an
independent forward solve (DOP853 on complex states, same tolerances) for all 49 net parameters
and a seeded sample of P entries; the fixture records the largest relative difference.
Run from apps/bench: python3 scripts/gen-ude-reference.py  (about a minute).
"""
import json
import os
import platform

# One BLAS thread: the vectors are small, and a threaded BLAS spinning on a shared 2-core
# machine made each 10^4-entry norm take milliseconds.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import scipy  # noqa: E402
from scipy.integrate import solve_ivp  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SEED_PATH = os.path.join(HERE, "..", "..", "ude", "data", "seed-ude.json")
OUT_PATH = os.path.join(HERE, "..", "references", "seed-ude-reference.json")

FORWARD_TOL = {"rtol": 1e-13, "atol": 1e-15}
BACKWARD_TOL = {"rtol": 1e-12, "atol": 1e-14}
COMPLEX_STEP_H = 1e-30
P_SAMPLE = 40
SAMPLE_SEED = 20240917

with open(SEED_PATH) as f:
    seed = json.load(f)
times = np.array(seed["times"], dtype=float)
data = np.array(seed["trainingData"], dtype=float)  # n x 4
P0 = np.array(seed["connectivity"], dtype=float)
n = P0.shape[0]
(l1, l2) = seed["nn"]["layers"]
W1_0 = np.array(l1["weight"], dtype=float)
b1_0 = np.array(l1["bias"], dtype=float)
W2_0 = np.array(l2["weight"], dtype=float)
b2_0 = np.array(l2["bias"], dtype=float)
p0 = np.concatenate([P0.ravel(), W1_0.ravel(), b1_0, W2_0.ravel(), b2_0])
NP = n * n
NET = p0.size - NP
assert NET == 49 and n % 4 == 0

ACTIVATIONS = {
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "identity": (lambda z: z, lambda z: np.ones_like(z)),
}


def unpack(p):
    P = p[:NP].reshape(n, n)
    W1 = p[NP : NP + 20].reshape(5, 4)
    b1 = p[NP + 20 : NP + 25]
    W2 = p[NP + 25 : NP + 45].reshape(4, 5)
    b2 = p[NP + 45 : NP + 49]
    return P, W1, b1, W2, b2


def rhs_factory(p, act):
    P, W1, b1, W2, b2 = unpack(p)
    row_sums = P.sum(axis=1)

    def f(_t, u):
        X = u.reshape(n // 4, 4)
        Y = act(X @ W1.T + b1) @ W2.T + b2
        return Y.ravel() + P @ u - row_sums * u

    return f


def forward(p, act, dtype=float):
    """Solves interval by interval; returns the states at the times and the dense outputs."""
    f = rhs_factory(p, act)
    u = data[:, 0].astype(dtype)
    states = [u.copy()]
    dense = []
    nfev = 0
    for k in range(len(times) - 1):
        sol = solve_ivp(f, (times[k], times[k + 1]), u, method="DOP853", dense_output=True, **FORWARD_TOL)
        if sol.status != 0:
            raise RuntimeError(f"forward solve failed on [{times[k]}, {times[k + 1]}]: {sol.message}")
        nfev += sol.nfev
        u = sol.y[:, -1]
        states.append(u.copy())
        dense.append(sol.sol)
    return states, dense, nfev


def loss_of(states):
    return sum(np.sum((states[k] - data[:, k]) ** 2) for k in range(len(times)))


def adjoint_gradient(p, act_name):
    act, dact = ACTIVATIONS[act_name]
    P, W1, b1, W2, b2 = unpack(p)
    row_sums = P.sum(axis=1)
    states, dense, fwd_nfev = forward(p, act)
    loss = loss_of(states)

    def backward_rhs_for(interp):
        def g(t, y):
            lam = y[:n]
            u = interp(t)
            X = u.reshape(n // 4, 4)
            Z = X @ W1.T + b1
            H = act(Z)
            L = lam.reshape(n // 4, 4)
            D = dact(Z) * (L @ W2)  # 25 x 5: the hidden layer's cotangent
            jt_lam = (D @ W1).ravel() + P.T @ lam - row_sums * lam
            gP = np.outer(lam, u) - (lam * u)[:, None]
            g_net = np.concatenate([(D.T @ X).ravel(), D.sum(axis=0), (L.T @ H).ravel(), L.sum(axis=0)])
            return -np.concatenate([jt_lam, gP.ravel(), g_net])

        return g

    lam = np.zeros(n)
    mu = np.zeros(p.size)
    bwd_nfev = 0
    for k in range(len(times) - 1, 0, -1):
        lam = lam + 2.0 * (states[k] - data[:, k])
        sol = solve_ivp(
            backward_rhs_for(dense[k - 1]),
            (times[k], times[k - 1]),
            np.concatenate([lam, mu]),
            method="DOP853",
            **BACKWARD_TOL,
        )
        if sol.status != 0:
            raise RuntimeError(f"backward solve failed on [{times[k - 1]}, {times[k]}]: {sol.message}")
        bwd_nfev += sol.nfev
        lam = sol.y[:n, -1]
        mu = sol.y[n:, -1]
    # u(1) is the data, so the t = 1 jump changes lam only (the gradient with respect to u0 is not asked).
    return loss, mu, {"forwardRhsEvals": fwd_nfev, "backwardRhsEvals": bwd_nfev}


def complex_step(p, act_name, j):
    act, _ = ACTIVATIONS[act_name]
    pc = p.astype(complex)
    pc[j] += 1j * COMPLEX_STEP_H
    states, _, _ = forward(pc, act, dtype=complex)
    return float(np.imag(loss_of(states)) / COMPLEX_STEP_H)


def main():
    rng = np.random.default_rng(SAMPLE_SEED)
    # Off-diagonal entries only: dL/dP_ii = 0 exactly (P_ii cancels in A(P)).
    off = [i * n + j for i in range(n) for j in range(n) if i != j]
    p_sample = sorted(rng.choice(off, size=P_SAMPLE, replace=False).tolist())
    cases = []
    for act_name in ("tanh", "identity"):
        loss, grad, evals = adjoint_gradient(p0, act_name)
        # The P entries with the largest gradients are checked too (where an error would show most).
        largest = np.argsort(-np.abs(grad[:NP]))[:10].tolist()
        checked = sorted(set(p_sample) | set(largest)) + list(range(NP, NP + NET))
        worst = 0.0
        worst_at = -1
        scale = np.linalg.norm(grad, np.inf)
        for j in checked:
            cs = complex_step(p0, act_name, j)
            # Relative to the entry, floored at 1e-8 of the largest (entries near zero).
            d = abs(cs - grad[j]) / max(abs(cs), 1e-8 * scale)
            if d > worst:
                worst, worst_at = d, j
        if not np.all(np.isfinite(grad)):
            raise RuntimeError(f"{act_name}: non-finite gradient")
        cases.append(
            {
                "activation": act_name,
                "loss": float(loss),
                "gradient": grad.tolist(),
                "rhsEvals": evals,
                "complexStepCheck": {
                    "entries": checked,
                    "maxRelativeDifference": worst,
                    "at": worst_at,
                    "floor": "relative to max(|complex step|, 1e-8 * max|gradient|)",
                },
            }
        )
        print(f"{act_name}: loss {loss:.15g}, |grad|_inf {scale:.6g}, complex-step max rel diff {worst:.2e} at {worst_at}")
    out = {
        "description": "Seed UDE loss and full gradient dL/dp (p = [P; net], 10049 entries) for the tanh and identity nets, independent of udekit",
        "generator": "apps/bench/scripts/gen-ude-reference.py",
        "method": "continuous adjoint (lambda, mu) by scipy DOP853 on the DOP853 dense forward solution; complex-step cross-check",
        "forwardTolerances": FORWARD_TOL,
        "backwardTolerances": BACKWARD_TOL,
        "complexStepH": COMPLEX_STEP_H,
        "versions": {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__},
        "data": "apps/ude/data/seed-ude.json",
        "parameterLayout": "[P (100x100 row-major); W1 (5x4); b1 (5); W2 (4x5); b2 (4)]",
        "times": times.tolist(),
        "cases": cases,
    }
    os.makedirs(os.path.dirname(OUT_PATH), exist_ok=True)
    with open(OUT_PATH, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
