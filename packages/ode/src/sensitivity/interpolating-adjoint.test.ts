// InterpolatingAdjoint's two routes (interpolating-adjoint.ts), judged where their gradients
// cannot tell them apart (both are accurate to the tolerance; mutation testing, TESTING.md, left
// the route choice, the stage bookkeeping's cost and the Rosenbrock route's number of
// Gauss–Legendre points alive):
// - with an explicit method, p̄'s stage terms ride on the stage VJPs, so the pass costs one VJP
//   per adjoint evaluation, plus one for the first stage's term per accepted step when b₀ ≠ 0,
//   plus one per nonzero bᵢ (i ≥ 1) to take a rejected attempt's terms out again (the header's
//   account; exact counts, no tolerance);
// - with a Rosenbrock method it is QuadratureAdjoint with ⌈(order + 1)/2⌉ points, the same
//   numbers exactly; and that pass integrates λ with the exact Jacobian (no finite-difference
//   evaluations of f).
import { concat, mul, slice, square, sub, sum, type Tensor, tensor, valueAndGrad } from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import { Midpoint, RK4, Rodas4, Rodas5P, Tsit5 } from "../solvers/index.js";
import type { ErkSolver, OdeSolver } from "../stepper.js";
import { InterpolatingAdjoint, QuadratureAdjoint, type SensitivityAlgorithm } from "./sensealg.js";
import { type SolveOdeInfo, type SolveOdeOptions, solveOde } from "./solve-ode.js";

/** Lotka–Volterra with a forcing on x that depends on t. */
const lv = (u: Tensor, p: Tensor, t: Tensor) => {
  const x = slice(u, 0, 1);
  const y = slice(u, 1, 2);
  const [a, b, c, d] = [0, 1, 2, 3].map((i) => slice(p, i, i + 1));
  const forcing = mul(0.1, mul(t, x));
  return concat([sub(sub(mul(a, x), mul(mul(b, x), y)), forcing), sub(mul(mul(d, x), y), mul(c, y))]);
};

function gradient(
  solver: OdeSolver,
  sensealg: SensitivityAlgorithm,
  info: SolveOdeInfo,
  extra: Partial<SolveOdeOptions> = {},
): number[] {
  const [, [gu, gp]] = valueAndGrad(
    (u: Tensor, p: Tensor) =>
      sum(
        square(
          solveOde(lv, u, p, {
            tspan: [0, 4],
            saveat: [1, 2.5, 4],
            solver,
            reltol: 1e-6,
            abstol: 1e-8,
            sensealg,
            info,
            ...extra,
          }),
        ),
      ),
    [0, 1],
  )(tensor([1, 1]), tensor([1.5, 1, 3, 1]));
  return [...gu.data, ...gp.data];
}

describe("InterpolatingAdjoint with an explicit method: the stage adjoint's VJPs", () => {
  test.each([
    // Adaptive, b₀ ≠ 0 and one rejected backward step here (b₆ = 0: FSAL).
    ["Tsit5", Tsit5(), {}],
    // b₀ = 1/6, not FSAL, fixed steps.
    ["RK4", RK4(), { dt: 0.05, adaptive: false }],
    // b = (0, 1): no first-stage term.
    ["Midpoint", Midpoint(), { dt: 0.05, adaptive: false }],
  ] as const)("%s", (_name, solver, extra) => {
    const info: SolveOdeInfo = {};
    gradient(solver, InterpolatingAdjoint(), info, extra);
    const back = info.backward;
    if (back === undefined) throw new Error("no backward statistics");
    const { b } = (solver as ErkSolver).tableau;
    const laterNonzero = b.slice(1).filter((bi) => bi !== 0).length;
    // One VJP per adjoint evaluation: the stepping's nf, and the one evaluation the integrator
    // makes when it is built (checkRhs; one integrator, restarted at each save point).
    const expected = back.nf + 1 + (b[0] !== 0 ? back.naccept : 0) + back.nreject * laterNonzero;
    expect(back.vjpEvals).toBe(expected);
    if (solver.name === "Tsit5") expect(back.nreject).toBeGreaterThan(0);
  });
});

describe("InterpolatingAdjoint with a Rosenbrock method", () => {
  test("is QuadratureAdjoint with ⌈(order + 1)/2⌉ = 3 points of its backward solver (Rodas5P, order 5, after Rodas4), exactly", () => {
    const viaInterpolating = gradient(Rodas4(), InterpolatingAdjoint(), {});
    const viaQuadrature = gradient(Rodas4(), QuadratureAdjoint({ points: 3 }), {});
    expect(viaInterpolating).toEqual(viaQuadrature);
    // Another number of points gives other numbers (the comparison can fail).
    expect(gradient(Rodas4(), QuadratureAdjoint({ points: 2 }), {})).not.toEqual(viaQuadrature);
  });

  test("integrates λ with the exact Jacobian: no finite-difference evaluations of f", () => {
    // λ is integrated by Rodas5P (after any stiff forward method), which evaluates f once per
    // stage (8 stages); a finite-difference Jacobian would add n = 2 evaluations per step.
    // Bound: (stages + 1)·steps, with room for the start evaluations of the 3 intervals.
    const info: SolveOdeInfo = {};
    gradient(Rodas4(), QuadratureAdjoint(), info);
    const back = info.backward;
    if (back === undefined) throw new Error("no backward statistics");
    const steps = back.naccept + back.nreject;
    expect(steps).toBeGreaterThan(100);
    expect(back.njac).toBe(steps);
    expect(back.nf).toBeLessThan((Rodas5P().tableau.stages + 1) * steps);
  });
});
