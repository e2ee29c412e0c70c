"""Writes test/fixtures/reference.json: independent reference values for the app's end-to-end tests,
computed with numpy/scipy only (no udekit code), on the seed data (data/seed-ude.json).

- linear model du/dt = A(P) u, A(P) = P - diag(P 1): the loss sum_k |exp(A (t_k - t_0)) u0 - d_k|^2
  and its gradient with respect to P from the Frechet derivative of expm
  (scipy.linalg.expm_frechet; the adjoint of L(A, .) is L(A^T, .)), checked here against central
  differences on a few entries;
- UDE du/dt = nn(u) + A(P) u (net Dense(4->5, sigma) -> Dense(5->4) on the 25 blocks of 4):
  the loss for sigma = identity and tanh by scipy's DOP853 at rtol 1e-12, and for identity the
  gradient with respect to the 49 net parameters and a few entries of P by central differences.

Run from apps/ude: python3 scripts/gen-reference.py
"""
import json

import numpy as np
from scipy.integrate import solve_ivp
from scipy.linalg import expm, expm_frechet

seed = json.load(open("data/seed-ude.json"))
t = np.array(seed["times"])
D = np.array(seed["trainingData"])  # n x m
P0 = np.array(seed["connectivity"])
layers = seed["nn"]["layers"]
n = D.shape[0]
u0 = D[:, 0]


def A_of(P):
    return P - np.diag(P.sum(axis=1))


def linear_loss(P):
    A = A_of(P)
    return sum(np.sum((expm(A * (tk - t[0])) @ u0 - D[:, k]) ** 2) for k, tk in enumerate(t))


def linear_grad(P):
    A = A_of(P)
    GA = np.zeros_like(A)
    for k, tk in enumerate(t):
        tau = tk - t[0]
        if tau == 0:
            continue
        r = expm(A * tau) @ u0 - D[:, k]
        # d/dA of |exp(tau A) u0 - d|^2 = tau * L(tau A^T, 2 r u0^T)
        _, L = expm_frechet(tau * A.T, 2.0 * np.outer(r, u0))
        GA += tau * L
    # A = P - diag(P 1): dL/dP_ij = GA_ij - GA_ii
    return GA - np.diag(GA)[:, None]


def net_params(ls):
    return np.concatenate([np.ravel(ls[0]["weight"]), ls[0]["bias"], np.ravel(ls[1]["weight"]), ls[1]["bias"]])


def unpack(theta):
    W1 = theta[:20].reshape(5, 4)
    b1 = theta[20:25]
    W2 = theta[25:45].reshape(4, 5)
    b2 = theta[45:49]
    return W1, b1, W2, b2


def ude_loss(P, theta, act):
    W1, b1, W2, b2 = unpack(theta)
    A = A_of(P)
    sigma = np.tanh if act == "tanh" else (lambda x: x)

    def f(_t, u):
        X = u.reshape(-1, 4)  # 25 x 4, one block per row
        H = sigma(X @ W1.T + b1)
        return (H @ W2.T + b2).reshape(-1) + A @ u

    sol = solve_ivp(f, (t[0], t[-1]), u0, method="DOP853", t_eval=t, rtol=1e-12, atol=1e-14)
    assert sol.success
    return float(np.sum((sol.y - D) ** 2))


# Linear model: loss and exact gradient; self-check against central differences.
gP = linear_grad(P0)
L0 = linear_loss(P0)
# Central differences carry ~|L| * 1e-15 / h of expm rounding error (~3e-9 here), so agreement to
# 1e-4 relative (+1e-8) confirms the formula: a wrong term or transpose would be O(1) off.
for i, j in [(0, 1), (3, 7), (50, 20)]:
    h = 1e-5
    Pp, Pm = P0.copy(), P0.copy()
    Pp[i, j] += h
    Pm[i, j] -= h
    fd = (linear_loss(Pp) - linear_loss(Pm)) / (2 * h)
    assert abs(fd - gP[i, j]) <= 1e-4 * abs(gP[i, j]) + 1e-8, (i, j, fd, gP[i, j])

# UDE: losses and central-difference gradients (identity activation).
theta0 = net_params(layers)
ude_identity = ude_loss(P0, theta0, "identity")
ude_tanh = ude_loss(P0, theta0, "tanh")
h = 1e-4
g_theta = np.zeros(49)
for q in range(49):
    tp, tm = theta0.copy(), theta0.copy()
    tp[q] += h
    tm[q] -= h
    g_theta[q] = (ude_loss(P0, tp, "identity") - ude_loss(P0, tm, "identity")) / (2 * h)
P_entries = [(0, 1), (3, 7), (50, 20), (99, 98)]
g_P_entries = []
for i, j in P_entries:
    Pp, Pm = P0.copy(), P0.copy()
    Pp[i, j] += h
    Pm[i, j] -= h
    g_P_entries.append((ude_loss(Pp, theta0, "identity") - ude_loss(Pm, theta0, "identity")) / (2 * h))

doc = {
    "description": "Reference values for apps/ude tests, written by scripts/gen-reference.py (numpy/scipy).",
    "linear": {"loss": L0, "gradP": gP.tolist()},
    "ude": {
        "loss_identity": ude_identity,
        "loss_tanh": ude_tanh,
        "fd_step": h,
        "grad_net_identity": g_theta.tolist(),
        "grad_P_entries_identity": [{"i": i, "j": j, "value": v} for (i, j), v in zip(P_entries, g_P_entries)],
    },
}
with open("test/fixtures/reference.json", "w") as fh:
    json.dump(doc, fh)
print("linear loss", L0, "ude losses", ude_identity, ude_tanh, "|g_theta|", np.linalg.norm(g_theta))
