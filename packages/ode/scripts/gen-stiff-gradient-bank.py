"""Writes test/fixtures/stiff-gradient-bank.json and src/conformance/stiff-gradient-references.ts:
reference losses and gradients of the stiff gradient bank (issue #16), by a route independent of
udekit. The JSON file is the full record (per entry: the central differences, their steps and
their disagreement); the .ts file carries what @udekit/ode/conformance ships (tsc does not copy
JSON into dist, and a module bundles into browser builds without an import attribute).

Loss: L = sum over save points t_k and components i of w_i * u_i(t_k)^2, differentiated with
respect to u0 and p.

Route 1 (the reference): forward sensitivity equations, u' = f(u, p), S' = J(u, p) S + [0 | f_p],
S(0) = [I | 0], integrated by scipy's Radau (order 5) at rtol 1e-12 with per-component atol
(1e-3 * rtol * the component's largest magnitude in a pilot run), one solve_ivp call per interval
between save points so every save point is a step end (Radau's dense output is only of order 3).
J and f_p are written by hand below and checked here against complex-step derivatives of f; the
Jacobian of the augmented system (needed by Radau's Newton iteration) is assembled from J,
kron(J, I) and complex-step derivatives of J and f_p (exact to rounding: J and f_p are
polynomials). dL/dtheta = sum_k 2 (w * u(t_k))^T S(t_k).

Route 2 (the cross-check): scipy's Radau rejects complex states, so every gradient entry is
also computed by fourth-order central differences of L, each L solved at rtol 1e-13:
D = (-L(x+2d) + 8 L(x+d) - 8 L(x-d) + L(x-2d)) / (12 d), d = 1e-3 * scale of the entry (its
value, or for a zero initial state the component's typical magnitude; Van der Pol's steps are
chosen per entry, see FAMILIES). The error is a d^4 truncation term plus the solver noise
(~1e-13 |L| / d). The script fails if any entry disagrees beyond 1e-6 relative (to
max(|entry|, 1e-6 * the largest entry of its kind, u0 or p)); the largest is recorded as crossCheck.
It also solves route 1 at rtol 1e-11 and records the largest relative change of the gradient
(selfConvergence), an estimate of the reference's own error.

Weights: w_i = 1 / (mean_k u_i(t_k)^2) rounded to a power of ten, so every component counts
(Robertson's y2 ~ 3e-5 gets w = 1e9 on the fast case). The issue's two Van der Pol rows with w = [1, 1]
(dL/dmu = +2.807e-3 for saveat [1000] and 4.4527e-3 for [500, 1000]) are recomputed and
checked as well.

Run from this package's folder: python3 scripts/gen-stiff-gradient-bank.py
(python3 with numpy and scipy; Debian: apt-get install -y python3-scipy). About 30 minutes on one
core; names of cases as arguments re-run only those, keeping the JSON records of the others.
"""
import json
import math
import os
import subprocess
import sys
import time
from decimal import Decimal

import numpy as np
from scipy.integrate import solve_ivp

DESCRIPTION = (
    "Stiff gradient bank (issue #16): references by forward sensitivities through scipy Radau at rtol 1e-12, "
    "cross-checked by central differences at rtol 1e-13; written by scripts/gen-stiff-gradient-bank.py"
)
RTOL_REF = 1e-12
RTOL_SELF = 1e-11
RTOL_FD = 1e-13
FD_REL_STEP = 1e-3
CROSS_CHECK_LIMIT = 1e-6
ATOL_FRACTION = 1e-3


# --- problems: f(u, p), J = df/du, fp = df/dp (hand-written), u0, p, tspans ----------------


def vdp_f(u, p):
    x, y = u
    (mu,) = p
    return np.array([y, mu * (1 - x * x) * y - x])


def vdp_jac(u, p):
    x, y = u
    (mu,) = p
    return np.array([[0.0 * x, 1.0 + 0.0 * x], [-2 * mu * x * y - 1, mu * (1 - x * x)]])


def vdp_fp(u, p):
    x, y = u
    return np.array([[0.0 * x], [(1 - x * x) * y]])


def rober_f(u, p):
    y1, y2, y3 = u
    k1, k2, k3 = p
    return np.array(
        [
            -k1 * y1 + k3 * y2 * y3,
            k1 * y1 - k2 * y2 * y2 - k3 * y2 * y3,
            k2 * y2 * y2,
        ]
    )


def rober_jac(u, p):
    y1, y2, y3 = u
    k1, k2, k3 = p
    z = 0.0 * y1
    return np.array(
        [
            [-k1 + z, k3 * y3, k3 * y2],
            [k1 + z, -2 * k2 * y2 - k3 * y3, -k3 * y2],
            [z, 2 * k2 * y2, z],
        ]
    )


def rober_fp(u, p):
    y1, y2, y3 = u
    z = 0.0 * y1
    return np.array(
        [
            [-y1, z, y2 * y3],
            [y1, -y2 * y2, -y2 * y3],
            [z, y2 * y2, z],
        ]
    )


# HIRES (Hairer & Wanner II, sec. IV.10; Schaefer 1975), parameters in the order of
# DiffEqProblemLibrary's prob_ode_hires: the twelve distinct rate constants.
HIRES_P = [1.71, 0.43, 8.32, 0.0007, 8.75, 10.03, 0.035, 1.12, 1.745, 280.0, 0.69, 1.81]


def hires_f(u, p):
    y1, y2, y3, y4, y5, y6, y7, y8 = u
    p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12 = p
    return np.array(
        [
            -p1 * y1 + p2 * y2 + p3 * y3 + p4,
            p1 * y1 - p5 * y2,
            -p6 * y3 + p2 * y4 + p7 * y5,
            p3 * y2 + p1 * y3 - p8 * y4,
            -p9 * y5 + p2 * y6 + p2 * y7,
            -p10 * y6 * y8 + p11 * y4 + p1 * y5 - p2 * y6 + p11 * y7,
            p10 * y6 * y8 - p12 * y7,
            -p10 * y6 * y8 + p12 * y7,
        ]
    )


def hires_jac(u, p):
    y1, y2, y3, y4, y5, y6, y7, y8 = u
    p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12 = p
    J = np.zeros((8, 8), dtype=np.result_type(y1, p1, float))
    J[0, 0], J[0, 1], J[0, 2] = -p1, p2, p3
    J[1, 0], J[1, 1] = p1, -p5
    J[2, 2], J[2, 3], J[2, 4] = -p6, p2, p7
    J[3, 1], J[3, 2], J[3, 3] = p3, p1, -p8
    J[4, 4], J[4, 5], J[4, 6] = -p9, p2, p2
    J[5, 3], J[5, 4], J[5, 5], J[5, 6], J[5, 7] = p11, p1, -p10 * y8 - p2, p11, -p10 * y6
    J[6, 5], J[6, 6], J[6, 7] = p10 * y8, -p12, p10 * y6
    J[7, 5], J[7, 6], J[7, 7] = -p10 * y8, p12, -p10 * y6
    return J


def hires_fp(u, p):
    y1, y2, y3, y4, y5, y6, y7, y8 = u
    F = np.zeros((8, 12), dtype=np.result_type(y1, p[0], float))
    F[0, 0], F[0, 1], F[0, 2], F[0, 3] = -y1, y2, y3, 1.0
    F[1, 0], F[1, 4] = y1, -y2
    F[2, 5], F[2, 1], F[2, 6] = -y3, y4, y5
    F[3, 2], F[3, 0], F[3, 7] = y2, y3, -y4
    F[4, 8], F[4, 1] = -y5, y6 + y7
    F[5, 9], F[5, 10], F[5, 0], F[5, 1] = -y6 * y8, y4 + y7, y5, -y6
    F[6, 9], F[6, 11] = y6 * y8, -y7
    F[7, 9], F[7, 11] = -y6 * y8, y7
    return F


def orego_f(u, p):
    y1, y2, y3 = u
    s, q, w = p
    return np.array(
        [
            s * (y2 - y1 * y2 + y1 - q * y1 * y1),
            (-y2 - y1 * y2 + y3) / s,
            w * (y1 - y3),
        ]
    )


def orego_jac(u, p):
    y1, y2, y3 = u
    s, q, w = p
    z = 0.0 * y1
    return np.array(
        [
            [s * (1 - y2 - 2 * q * y1), s * (1 - y1), z],
            [-y2 / s, (-1 - y1) / s, 1 / s + z],
            [w + z, z, -w + z],
        ]
    )


def orego_fp(u, p):
    y1, y2, y3 = u
    s, q, w = p
    z = 0.0 * y1
    return np.array(
        [
            [y2 - y1 * y2 + y1 - q * y1 * y1, -s * y1 * y1, z],
            [-(-y2 - y1 * y2 + y3) / (s * s), z, z],
            [z, z, y1 - y3],
        ]
    )


FAMILIES = {
    "vanDerPol": dict(
        f=vdp_f,
        jac=vdp_jac,
        fp=vdp_fp,
        u0=[2.0, 0.0],
        p=[1000.0],
        pnames=["mu"],
        # scales of the initial values, for the difference steps where a value is zero (y0: a
        # perturbation relaxes within ~1/(3 mu) and moves x by ~dy/(3 mu), so L is near linear in it)
        uscale=[2.0, 1.0],
        # Relative difference steps per entry (u0[0], u0[1], mu). L bends sharply with x0 (each
        # jump's time moves): the fourth-order differences for dL/du0[0] of vdp-3jumps at 1e-2,
        # 3e-3, 1e-3, 3e-4 differ from the reference by 4e-2, 2.5e-4, 3e-6, 4e-9 (the d^4 term).
        # dL/du0[1] is ~3e-4 of it and L is near linear in y0, so there noise dominates: 1.7e-6
        # at 1e-3, 3.7e-7 at 1e-2, 2.9e-8 at 1e-1.
        fd_step=[3e-4, 1e-1, 1e-3],
    ),
    "robertson": dict(
        f=rober_f,
        jac=rober_jac,
        fp=rober_fp,
        u0=[1.0, 0.0, 0.0],
        p=[0.04, 3e7, 1e4],
        pnames=["k1", "k2", "k3"],
        uscale=[1.0, 3.6e-5, 1.0],
    ),
    "hires": dict(
        f=hires_f,
        jac=hires_jac,
        fp=hires_fp,
        u0=[1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0057],
        p=HIRES_P,
        pnames=["p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9", "p10", "p11", "p12"],
        uscale=[1.0, 0.2, 0.1, 0.1, 0.1, 0.1, 0.01, 0.01],
    ),
    "oregonator": dict(
        f=orego_f,
        jac=orego_jac,
        fp=orego_fp,
        u0=[1.0, 2.0, 3.0],
        p=[77.27, 8.375e-6, 0.161],
        pnames=["s", "q", "w"],
        uscale=[1.0, 1.0, 1.0],
    ),
}

BANK = [
    dict(name="vdp-1jump", family="vanDerPol", tspan=[0, 1000], saveat=[1000], fast=False),
    dict(name="vdp-2saves", family="vanDerPol", tspan=[0, 1000], saveat=[500, 1000], fast=False),
    dict(
        name="vdp-3jumps",
        family="vanDerPol",
        tspan=[0, 2500],
        saveat=[500, 1000, 1500, 2000, 2500],
        fast=False,
    ),
    dict(name="robertson-fast", family="robertson", tspan=[0, 40], saveat=[0.4, 4, 40], fast=True),
    dict(name="robertson-long", family="robertson", tspan=[0, 1e5], saveat=[1, 100, 1e4, 1e5], fast=False),
    dict(name="hires-fast", family="hires", tspan=[0, 5], saveat=[1, 5], fast=True),
    dict(
        name="hires",
        family="hires",
        tspan=[0, 321.8122],
        saveat=[5, 50, 321.8122],
        fast=False,
        # L bends sharply with p1 and p9 (1.71 and 1.745, the rates of y1 -> y2 and of y5's decay):
        # the fourth-order differences for dL/dp1 at 1e-3, 1e-4, 1e-5, 1e-6 relative steps differ
        # from the reference by 3.4e-1, 2.9e-4, 3e-8, 9e-11
        fd_step=1e-5,
    ),
    dict(name="oregonator-fast", family="oregonator", tspan=[0, 30], saveat=[10, 30], fast=True),
    dict(name="oregonator", family="oregonator", tspan=[0, 360], saveat=[30, 120, 360], fast=False),
]


def fail(msg):
    print("FAILED: " + msg, file=sys.stderr)
    sys.exit(1)


def check_derivatives(fam, points):
    """The hand-written J and f_p against complex-step derivatives of f (exact to rounding)."""
    p = np.array(fam["p"], dtype=float)
    h = 1e-30
    worst = 0.0
    for u in points:
        u = np.asarray(u, dtype=float)
        J = fam["jac"](u, p)
        F = fam["fp"](u, p)
        for k in range(len(u)):
            du = u.astype(complex)
            du[k] += 1j * h
            col = fam["f"](du, p).imag / h
            worst = max(worst, np.max(np.abs(col - J[:, k])) / max(1.0, np.max(np.abs(J))))
        for j in range(len(p)):
            dp = p.astype(complex)
            dp[j] += 1j * h
            col = fam["f"](u, dp).imag / h
            worst = max(worst, np.max(np.abs(col - F[:, j])) / max(1e-300, np.max(np.abs(F[:, j])), 1e-12))
    return worst


# --- route 1: forward sensitivities through Radau ----------------------------------------


def augmented(fam, p):
    """RHS and Jacobian of z = [u, vec(S)], S = du/d(u0, p) of shape n x (n + np)."""
    f, jac, fp = fam["f"], fam["jac"], fam["fp"]
    n = len(fam["u0"])
    m = n + len(p)

    def rhs(t, z):
        u = z[:n]
        S = z[n:].reshape(n, m)
        dS = jac(u, p) @ S
        dS[:, n:] += fp(u, p)
        return np.concatenate([f(u, p), dS.ravel()])

    def jacobian(t, z):
        u = z[:n]
        S = z[n:].reshape(n, m)
        N = n * (1 + m)
        A = np.zeros((N, N))
        J = jac(u, p)
        A[:n, :n] = J
        A[n:, n:] = np.kron(J, np.eye(m))
        h = 1e-30
        for k in range(n):
            uc = u.astype(complex)
            uc[k] += 1j * h
            dJ = jac(uc, p).imag / h
            dF = fp(uc, p).imag / h
            block = dJ @ S
            block[:, n:] += dF
            A[n:, k] = block.ravel()
        return A

    return rhs, jacobian


def solve_segments(rhs, jac, z0, tspan, saveat, rtol, atol):
    """Values at the save points, each a step end (one solve_ivp call per interval)."""
    out = []
    t = tspan[0]
    z = np.array(z0, dtype=float)
    steps = 0
    for s in saveat:
        if s > t:
            sol = solve_ivp(rhs, [t, s], z, method="Radau", rtol=rtol, atol=atol, jac=jac)
            if sol.status != 0:
                fail(f"Radau failed on [{t}, {s}]: {sol.message}")
            z = sol.y[:, -1]
            steps += len(sol.t) - 1
            t = s
        out.append(z.copy())
    return np.array(out), steps


def pilot_scale(rhs, jac, z0, tspan):
    """Largest magnitude of every component along a moderately accurate solve."""
    sol = solve_ivp(rhs, tspan, z0, method="Radau", rtol=1e-7, atol=1e-12, jac=jac)
    if sol.status != 0:
        fail(f"pilot solve failed: {sol.message}")
    return np.max(np.abs(sol.y), axis=1), sol


def reference(fam, case, rtol, scale):
    n = len(fam["u0"])
    p = np.array(fam["p"], dtype=float)
    m = n + len(p)
    rhs, jac = augmented(fam, p)
    z0 = np.concatenate([fam["u0"], np.hstack([np.eye(n), np.zeros((n, len(p)))]).ravel()])
    atol = ATOL_FRACTION * rtol * np.maximum(scale, 1e-30)
    Z, steps = solve_segments(rhs, jac, z0, case["tspan"], case["saveat"], rtol, atol)
    U = Z[:, :n]
    w = np.array(case["weights"])
    loss = float(np.sum(w * U * U))
    grad = np.zeros(m)
    for k in range(len(case["saveat"])):
        S = Z[k, n:].reshape(n, m)
        grad += (2 * w * U[k]) @ S
    return loss, grad, U, steps


def loss_only(fam, case, u0, p, rtol, atol):
    f, jac = fam["f"], fam["jac"]
    rhs = lambda t, u: f(u, p)  # noqa: E731
    jc = lambda t, u: jac(u, p)  # noqa: E731
    U, _ = solve_segments(rhs, jc, u0, case["tspan"], case["saveat"], rtol, atol)
    return float(np.sum(np.array(case["weights"]) * U * U))


def central_differences(fam, case, uscale_state):
    n = len(fam["u0"])
    u0 = np.array(fam["u0"], dtype=float)
    p = np.array(fam["p"], dtype=float)
    atol = ATOL_FRACTION * RTOL_FD * uscale_state
    theta = np.concatenate([u0, p])
    steps = []
    rel_steps = case.get("fd_step", fam.get("fd_step", FD_REL_STEP))
    if np.isscalar(rel_steps):
        rel_steps = [rel_steps] * len(theta)
    for j in range(len(theta)):
        s = abs(theta[j]) if theta[j] != 0 else fam["uscale"][j]
        steps.append(rel_steps[j] * s)
    g = np.zeros(len(theta))
    for j, d in enumerate(steps):
        vals = []
        for c in (2, 1, -1, -2):
            th = theta.copy()
            th[j] += c * d
            vals.append(loss_only(fam, case, th[:n], th[n:], RTOL_FD, atol))
        g[j] = (-vals[0] + 8 * vals[1] - 8 * vals[2] + vals[3]) / (12 * d)
    return g, np.array(steps)


def relative_entries(g, ref, n):
    """|g - ref| per entry, relative to max(|ref_j|, 1e-6 * largest entry of its kind)."""
    rel = np.zeros(len(ref))
    for lo, hi in ((0, n), (n, len(ref))):
        big = np.max(np.abs(ref[lo:hi]))
        for j in range(lo, hi):
            rel[j] = abs(g[j] - ref[j]) / max(abs(ref[j]), 1e-6 * big)
    return rel


def pow10_weights(U):
    ms = np.mean(U * U, axis=0)
    return [float(10.0 ** round(-math.log10(v))) for v in ms]


def vdp_jumps(fam, tend):
    """Times where u1 crosses zero (the middle of each relaxation jump)."""
    p = np.array(fam["p"])
    sol = solve_ivp(
        lambda t, u: fam["f"](u, p),
        [0, tend],
        fam["u0"],
        method="Radau",
        rtol=1e-10,
        atol=[1e-12, 1e-15],
        jac=lambda t, u: fam["jac"](u, p),
        dense_output=True,
    )
    x = sol.y[0]
    jumps = []
    for i in range(1, len(x)):
        if x[i - 1] * x[i] < 0:
            a, b = sol.t[i - 1], sol.t[i]
            for _ in range(60):
                c = 0.5 * (a + b)
                if sol.sol(c)[0] * sol.sol(a)[0] <= 0:
                    b = c
                else:
                    a = c
            jumps.append(0.5 * (a + b))
    return jumps


def fmt(x):
    """x as JavaScript's Number.prototype.toString writes it (shortest round-trip digits)."""
    x = float(x)
    if x == 0:
        return "0"
    sign, digits, exp = Decimal(repr(abs(x))).normalize().as_tuple()
    d = "".join(map(str, digits))
    k = len(d)
    e = exp + k  # value = 0.d x 10^e
    if k <= e <= 21:
        out = d + "0" * (e - k)
    elif 0 < e <= 21:
        out = d[:e] + "." + d[e:]
    elif -6 < e <= 0:
        out = "0." + "0" * (-e) + d
    else:
        out = d[0] + ("." + d[1:] if k > 1 else "") + "e" + ("+" if e - 1 > 0 else "-") + str(abs(e - 1))
    return ("-" if x < 0 else "") + out


def check_issue_rows():
    """The issue's Van der Pol rows (w = [1, 1]): dL/dmu as reported there (finite differences at
    1e-11 for [1000]; the tightest row, ForwardSensitivity at 1e-10, for [500, 1000])."""
    fam = FAMILIES["vanDerPol"]
    n = 2
    p = np.array(fam["p"])
    rhs, jac = augmented(fam, p)
    z0 = np.concatenate([fam["u0"], np.hstack([np.eye(n), np.zeros((n, 1))]).ravel()])
    scale, _ = pilot_scale(rhs, jac, z0, [0, 1000])
    for saveat, expected, digits in (([1000], 2.807e-3, 4), ([500, 1000], 4.4527e-3, 5)):
        case = dict(tspan=[0, 1000], saveat=saveat, weights=[1.0, 1.0])
        _, g, _, _ = reference(fam, case, RTOL_REF, scale)
        print(f"issue row saveat {saveat}, w = [1, 1]: dL/dmu = {g[2]:.6e} (issue: {expected})")
        if float(f"{g[2]:.{digits - 1}e}") != expected:
            fail(f"the issue's Van der Pol row saveat {saveat} gives dL/dmu = {g[2]!r}, not {expected}")


def run_case(case):
    fam = FAMILIES[case["family"]]
    n = len(fam["u0"])
    p = np.array(fam["p"], dtype=float)
    t_case = time.time()
    rhs, jac = augmented(fam, p)
    z0 = np.concatenate([fam["u0"], np.hstack([np.eye(n), np.zeros((n, len(p)))]).ravel()])
    scale, pilot = pilot_scale(rhs, jac, z0, case["tspan"])
    points = [pilot.y[:n, i] for i in np.linspace(0, pilot.y.shape[1] - 1, 7).astype(int)]
    worst = check_derivatives(fam, points)
    if worst > 1e-12:
        fail(f"{case['name']}: hand-written Jacobian disagrees with complex step ({worst:.2e})")
    if case["family"] == "vanDerPol":
        jumps = vdp_jumps(fam, case["tspan"][1])
        gap = min(abs(s - j) for s in case["saveat"] for j in jumps) if jumps else float("inf")
        print(f"{case['name']}: jumps (u1 = 0) at {[round(j, 2) for j in jumps]}; nearest save point {gap:.1f} away")
        if gap < 10:
            fail(f"{case['name']}: a save point lies within 10 of a relaxation jump")
    # weights from a pilot solve's states at the save points
    Upilot, _ = solve_segments(rhs, jac, z0, case["tspan"], case["saveat"], 1e-8, 1e-8 * ATOL_FRACTION * scale)
    case["weights"] = pow10_weights(Upilot[:, :n])
    loss, grad, U, steps = reference(fam, case, RTOL_REF, scale)
    _, grad_s, _, _ = reference(fam, case, RTOL_SELF, scale)
    self_conv = float(np.max(relative_entries(grad_s, grad, n)))
    self_conv_norm = float(np.linalg.norm(grad_s - grad) / np.linalg.norm(grad))
    fd, fd_steps = central_differences(fam, case, scale[:n])
    rel = relative_entries(fd, grad, n)
    entry_names = [f"u0[{i}]" for i in range(n)] + fam["pnames"]
    print(
        f"{case['name']}: w = {case['weights']}, L = {loss:.12e}, {steps} Radau steps, self-convergence "
        f"{self_conv:.1e} (norm {self_conv_norm:.1e}), central differences max rel {np.max(rel):.1e} ({time.time() - t_case:.1f} s)"
    )
    for j, name in enumerate(entry_names):
        print(f"    dL/d{name:6s} = {grad[j]: .12e}   fd {fd[j]: .12e}   rel {rel[j]:.1e}")
    if np.max(rel) > CROSS_CHECK_LIMIT:
        j = int(np.argmax(rel))
        fail(
            f"{case['name']}: central differences disagree with the forward sensitivities on dL/d{entry_names[j]}: "
            f"{fd[j]!r} vs {grad[j]!r} (relative {rel[j]:.2e} > {CROSS_CHECK_LIMIT})"
        )
    return {
        "name": case["name"],
        "family": case["family"],
        "fast": case["fast"],
        "u0": fam["u0"],
        "p": fam["p"],
        "pNames": fam["pnames"],
        "tspan": case["tspan"],
        "saveat": case["saveat"],
        "weights": case["weights"],
        "loss": loss,
        "gradU0": grad[:n].tolist(),
        "gradP": grad[n:].tolist(),
        "states": U.tolist(),
        "centralDifferences": fd.tolist(),
        "centralDifferenceSteps": fd_steps.tolist(),
        "crossCheckPerEntry": rel.tolist(),
        "crossCheck": float(np.max(rel)),
        "selfConvergence": self_conv,
        "selfConvergenceNorm": self_conv_norm,
        "radauSteps": steps,
    }


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    json_path = os.path.join(here, "..", "test", "fixtures", "stiff-gradient-bank.json")
    ts_path = os.path.join(here, "..", "src", "conformance", "stiff-gradient-references.ts")
    started = time.time()
    # Case names select a subset (the others keep their records in the JSON file). Without names,
    # every case is re-run.
    only = set(sys.argv[1:])
    unknown = only - {c["name"] for c in BANK}
    if unknown:
        fail(f"unknown cases {sorted(unknown)}; the bank has {[c['name'] for c in BANK]}")
    cases = [c for c in BANK if not only or c["name"] in only]
    if any(c["family"] == "vanDerPol" for c in cases):
        check_issue_rows()
    for case in cases:
        record = run_case(case)
        # Merge into the records on disk (read again each time: another run may have added some),
        # so that every finished case is kept even if a later one fails.
        kept = {}
        if os.path.exists(json_path):
            with open(json_path) as fh:
                kept = {r["name"]: r for r in json.load(fh)["cases"]}
        kept[record["name"]] = record
        records = [kept[c["name"]] for c in BANK if c["name"] in kept]
        with open(json_path, "w") as fh:
            json.dump({"description": DESCRIPTION, "cases": records}, fh, indent=1)
            fh.write("\n")
        write_ts(ts_path, records)
    missing = [c["name"] for c in BANK if c["name"] not in {r["name"] for r in records}]
    if missing:
        print(f"warning: no record of {missing} yet; run the script for them")
    print(f"done in {time.time() - started:.0f} s")


def write_ts(path, records):
    lines = [
        "// Generated by packages/ode/scripts/gen-stiff-gradient-bank.py — do not edit; re-run the script.",
        "// The stiff gradient bank's data and references: forward sensitivity equations through scipy's",
        "// Radau at rtol 1e-12, every gradient entry cross-checked by fourth-order central differences of L",
        "// solved at rtol 1e-13 (crossCheck: the largest relative disagreement; the script fails above 1e-6).",
        "// The full record, per entry, is test/fixtures/stiff-gradient-bank.json.",
        "",
        "/** One case of the bank, with its reference (L = Σₖ Σᵢ wᵢ·uᵢ(tₖ)²). */",
        "export interface StiffGradientCase {",
        "  name: string;",
        "  /** Which right-hand side (stiff-gradient-bank.ts holds them). */",
        '  family: "vanDerPol" | "robertson" | "hires" | "oregonator";',
        "  /** Cheap enough for `pnpm test`. */",
        "  fast: boolean;",
        "  u0: readonly number[];",
        "  p: readonly number[];",
        "  pNames: readonly string[];",
        "  tspan: readonly [number, number];",
        "  saveat: readonly number[];",
        "  /** Loss weights w: 1/mean(uᵢ(tₖ)²) rounded to a power of ten, so that every component counts. */",
        "  weights: readonly number[];",
        "  loss: number;",
        "  /** dL/du0. */",
        "  gradU0: readonly number[];",
        "  /** dL/dp. */",
        "  gradP: readonly number[];",
        "  /** The states at the save points, one row per save point. */",
        "  states: readonly (readonly number[])[];",
        "  /** Largest relative difference per entry between the central differences and the reference. */",
        "  crossCheck: number;",
        "  /** Largest relative change of a gradient entry from rtol 1e-11 to 1e-12 (the reference's own error). */",
        "  selfConvergence: number;",
        "  /** The same for the whole gradient: ‖g(1e-11) − g(1e-12)‖ / ‖g(1e-12)‖ over u0 and p together. */",
        "  selfConvergenceNorm: number;",
        "  /** Radau steps of the reference solve. */",
        "  radauSteps: number;",
        "}",
        "",
        "export const STIFF_GRADIENT_CASES: readonly StiffGradientCase[] = [",
    ]
    nums = lambda xs: ", ".join(fmt(x) for x in xs)  # noqa: E731
    for r in records:
        lines += [
            "  {",
            f'    name: "{r["name"]}",',
            f'    family: "{r["family"]}",',
            f"    fast: {'true' if r['fast'] else 'false'},",
            f"    u0: [{nums(r['u0'])}],",
            f"    p: [{nums(r['p'])}],",
            f"    pNames: [{', '.join(json.dumps(x) for x in r['pNames'])}],",
            f"    tspan: [{nums(r['tspan'])}],",
            f"    saveat: [{nums(r['saveat'])}],",
            f"    weights: [{nums(r['weights'])}],",
            f"    loss: {fmt(r['loss'])},",
            f"    gradU0: [{nums(r['gradU0'])}],",
            f"    gradP: [{nums(r['gradP'])}],",
            "    states: [",
            *[f"      [{nums(row)}]," for row in r["states"]],
            "    ],",
            f"    crossCheck: {r['crossCheck']:.3e},",
            f"    selfConvergence: {r['selfConvergence']:.3e},",
            f"    selfConvergenceNorm: {r['selfConvergenceNorm']:.3e},",
            f"    radauSteps: {r['radauSteps']},",
            "  },",
        ]
    lines += ["];", ""]
    with open(path, "w") as fh:
        fh.write("\n".join(lines))
    # The repository's formatter lays the arrays out (so that `biome check` passes unchanged).
    root = os.path.join(os.path.dirname(path), "..", "..", "..", "..")
    biome = os.path.join(root, "node_modules", ".bin", "biome")
    if os.path.exists(biome):
        subprocess.run([biome, "format", "--write", path], cwd=root, check=True, capture_output=True)
    else:
        print(f"warning: run `pnpm exec biome format --write {path}` (biome not found)")


if __name__ == "__main__":
    main()
