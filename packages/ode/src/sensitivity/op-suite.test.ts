/**
 * The ops this package registers — "ode.solve" (solveOde, whose VJP runs the chosen sensitivity
 * method) and "ode.inPlaceRhs" (DirectBackprop's steps on the tape) — through
 * @udekit/autodiff/testing's op suite: the dot-product test against central differences,
 * fan-out (f(x) + 0.5·f(x); u0 and p bound to one tensor), each VJP adding into pre-filled
 * gradients, and compiled = eager at a moved point. Small linear problems at tight tolerances,
 * so that central differences through the adaptive solver are accurate.
 *
 * Tolerances: the solves run at reltol 1e-12, abstol 1e-14, so the computed states are smooth
 * in (u0, p) up to ~1e-12 relative (step-size choices change discontinuously). Central
 * differences with eps = 1e-4 then carry ~1e-12/1e-4 = 1e-8 relative noise plus truncation
 * eps²·|f'''| ≈ 1e-8 for these O(1) solutions; the adjoints at these tolerances are accurate to
 * ~1e-10. rtol 1e-6 (the suite's default) leaves two orders of margin and still catches any
 * wrong term (O(1) errors). The other checks compare runs of the same deterministic code
 * (rounding only).
 */
import { concat, matvec, mul, reshape, slice, sub, type Tensor, tensor } from "@udekit/autodiff";
import { checkOpSuite, type OpSuiteOptions } from "@udekit/autodiff/testing";
import { describe, expect, test } from "vitest";
import {
  BacksolveAdjoint,
  DirectBackprop,
  DiscreteAdjoint,
  ForwardSensitivity,
  InterpolatingAdjoint,
  QuadratureAdjoint,
  type SensitivityAlgorithm,
  solveOde,
  Tsit5,
  Vern7,
} from "../index.js";

const TIGHT = { reltol: 1e-12, abstol: 1e-14 };
const SUITE: OpSuiteOptions = { eps: 1e-4, rtol: 1e-6, atol: 1e-10 };

/** du/dt = P·u with P = reshape(p, [2, 2]): a damped rotation for the p below. */
const linear = (u: Tensor, p: Tensor) => matvec(reshape(p, [2, 2]), u);
const u0 = tensor([1, 0.5]);
const pLinear = tensor([-0.2, 1, -1, -0.3]);

/** du/dt = R·u − p∘u (R a rotation generator): p has u's shape, so the suite also binds u0 and p to one tensor. */
const R = tensor([
  [0, 1],
  [-1, 0],
]);
const decay = (u: Tensor, p: Tensor) => sub(matvec(R, u), mul(p, u));
const pDecay = tensor([0.3, 0.1]);

/** The same right-hand side in place with its hand-written VJP (DirectBackprop's "ode.inPlaceRhs" op). */
const decayInPlace = {
  f: (du: Float64Array, u: Float64Array, p: Float64Array) => {
    du[0] = u[1] - p[0] * u[0];
    du[1] = -u[0] - p[1] * u[1];
  },
  vjp: (
    uBar: Float64Array,
    pBar: Float64Array | null,
    lambda: Float64Array,
    u: Float64Array,
    p: Float64Array,
  ) => {
    uBar[0] = -p[0] * lambda[0] - lambda[1];
    uBar[1] = lambda[0] - p[1] * lambda[1];
    if (pBar === null) return; // not needed (e.g. on the state-only passes)
    pBar[0] = -u[0] * lambda[0];
    pBar[1] = -u[1] * lambda[1];
  },
};

/** [label, f(u0, p), p, the op it must exercise, suite options]. */
type Case = [string, (u: Tensor, p: Tensor) => Tensor, Tensor, string, OpSuiteOptions?];

const solve =
  (rhs: Parameters<typeof solveOde>[0], alg: SensitivityAlgorithm, saveat = [0.5, 1, 2]) =>
  (u: Tensor, p: Tensor) =>
    solveOde(rhs, u, p, { tspan: [0, 2], saveat, solver: Vern7(), sensealg: alg, ...TIGHT });

const CASES: Case[] = [
  ["InterpolatingAdjoint", solve(linear, InterpolatingAdjoint()), pLinear, "ode.solve"],
  [
    "InterpolatingAdjoint (checkpointing)",
    solve(linear, InterpolatingAdjoint({ checkpointing: true })),
    pLinear,
    "ode.solve",
  ],
  ["QuadratureAdjoint", solve(linear, QuadratureAdjoint()), pLinear, "ode.solve"],
  ["BacksolveAdjoint", solve(linear, BacksolveAdjoint()), pLinear, "ode.solve"],
  ["ForwardSensitivity", solve(linear, ForwardSensitivity()), pLinear, "ode.solve"],
  ["DiscreteAdjoint", solve(linear, DiscreteAdjoint()), pLinear, "ode.solve"],
  ["InterpolatingAdjoint, p shaped like u0", solve(decay, InterpolatingAdjoint()), pDecay, "ode.solve"],
  [
    "InterpolatingAdjoint, in-place right-hand side with its VJP",
    solve(decayInPlace, InterpolatingAdjoint()),
    pDecay,
    "ode.solve",
  ],
  [
    "DirectBackprop, in-place right-hand side with its VJP",
    (u, p) =>
      solveOde(decayInPlace, u, p, {
        tspan: [0, 2],
        saveat: [0.5, 1, 2],
        solver: Tsit5(),
        sensealg: DirectBackprop(),
        ...TIGHT,
      }),
    pDecay,
    "ode.inPlaceRhs",
    // DirectBackprop records the adaptive solver's steps on the tape: another point takes other
    // steps, so the trace is value-dependent and `compile` rejects it (by design).
    { compiled: false },
  ],
];

describe("op suite on @udekit/ode's ops", () => {
  test("the cases cover every op the package registers", () => {
    expect([...new Set(CASES.map((c) => c[3]))].sort()).toEqual(["ode.inPlaceRhs", "ode.solve"]);
  });

  test.each(CASES)("%s", (label, f, p, op, options) => {
    const report = checkOpSuite(f, [u0, p], { ...SUITE, ...options, label });
    expect(report.failures).toEqual([]);
    expect(report.ops).toContain(op);
  });

  test("a save point at t0 and a backward time span", () => {
    // Rows at t0 are u0 itself (the VJP adds their cotangent straight to u0); tspan [2, 0]
    // integrates backward in time.
    const f = (u: Tensor, p: Tensor) =>
      concat([
        reshape(solveOde(linear, u, p, { tspan: [0, 1], saveat: [0, 1], solver: Vern7(), ...TIGHT }), [4]),
        reshape(
          slice(solveOde(linear, u, p, { tspan: [2, 0], saveat: [1.5, 0], solver: Vern7(), ...TIGHT }), 0, 1),
          [2],
        ),
      ]);
    const report = checkOpSuite(f, [u0, pLinear], { ...SUITE, label: "t0 row and backward span" });
    expect(report.failures).toEqual([]);
  });
});
