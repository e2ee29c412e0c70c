// Every sensitivity method with a fixed-step forward solve (issue: `--solver RK4 --dt 0.01`
// failed with "fixed-step integration with RK4 needs a step" because the backward passes got
// only reltol/abstol). Reference: the exact gradient of a linear system with a closed form.
//
// u′ = −p·u + t (scalar, p > 0, explicitly time-dependent): u(t) = e^(−p t)(u0 + 1/p²) + t/p − 1/p².
// L = Σₖ u(tₖ)²; dL/du0 and dL/dp by differentiating the closed form.
import { add, mul, neg, square, sum, type Tensor, tensor, valueAndGrad } from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import { Euler, Midpoint, RK4, Tsit5 } from "../solvers/index.js";
import type { OdeSolver } from "../stepper.js";
import {
  BacksolveAdjoint,
  DirectBackprop,
  DiscreteAdjoint,
  ForwardSensitivity,
  InterpolatingAdjoint,
  QuadratureAdjoint,
  type SensitivityAlgorithm,
} from "./sensealg.js";
import { type SolveOdeInfo, solveOde } from "./solve-ode.js";

const rhs = (u: Tensor, p: Tensor, t: Tensor) => add(mul(neg(p), u), t);
const saveat = [0.5, 1.25, 2];
const U0 = 1.3;
const P = 0.8;

function exact(u0: number, p: number): number {
  return saveat.reduce((acc, t) => {
    const u = Math.exp(-p * t) * (u0 + 1 / (p * p)) + t / p - 1 / (p * p);
    return acc + u * u;
  }, 0);
}
/** Exact gradient by fourth-order central differences of the closed form (error ~1e-12). */
function exactGradient(): [number, number] {
  const h = 1e-3;
  const d = (f: (x: number) => number) => (8 * (f(h) - f(-h)) - (f(2 * h) - f(-2 * h))) / (12 * h);
  return [d((e) => exact(U0 + e, P)), d((e) => exact(U0, P + e))];
}

const methods: [string, SensitivityAlgorithm][] = [
  ["InterpolatingAdjoint", InterpolatingAdjoint()],
  ["InterpolatingAdjoint (checkpointing)", InterpolatingAdjoint({ checkpointing: true })],
  ["QuadratureAdjoint", QuadratureAdjoint()],
  ["BacksolveAdjoint", BacksolveAdjoint()],
  ["ForwardSensitivity", ForwardSensitivity()],
  ["DiscreteAdjoint", DiscreteAdjoint()],
  ["DirectBackprop", DirectBackprop()],
];
// Global errors of the forward solve (and so of any gradient built on it): RK4 with dt = 0.01
// ≈ 1e-9, Midpoint with dt = 0.001 ≈ 1e-7, Euler with dt = 1e-3 ≈ 1e-3 (first order). The
// bounds are ~10× those, far below the O(1) error of a missing or mis-stepped pass.
const solvers: [string, OdeSolver, number, number][] = [
  ["RK4", RK4(), 0.01, 1e-7],
  ["Midpoint", Midpoint(), 0.001, 1e-5],
  ["Euler", Euler(), 0.001, 2e-2],
  ["Tsit5 (adaptive: false)", Tsit5(), 0.05, 1e-7],
];

describe.each(solvers)("fixed-step %s", (solverName, solver, dt, bound) => {
  test.each(methods)("%s gives the exact gradient to the method's accuracy", (_name, sensealg) => {
    const info: SolveOdeInfo = {};
    const [, [gu, gp]] = valueAndGrad(
      (u: Tensor, p: Tensor) =>
        sum(
          square(
            solveOde(rhs, u, p, {
              tspan: [0, 2],
              saveat,
              solver,
              dt,
              ...(solverName.startsWith("Tsit5") ? { adaptive: false } : {}),
              sensealg,
              info,
            }),
          ),
        ),
      [0, 1],
    )(tensor([U0]), tensor([P]));
    const [eu, ep] = exactGradient();
    expect(info.retcode).toBe("Success");
    expect(Math.abs(gu.data[0] - eu)).toBeLessThan(bound * Math.abs(eu));
    expect(Math.abs(gp.data[0] - ep)).toBeLessThan(bound * Math.abs(ep));
    if (
      sensealg.kind !== "DirectBackprop" &&
      sensealg.kind !== "DiscreteAdjoint" &&
      sensealg.kind !== "ForwardSensitivity"
    ) {
      // The backward pass stepped with dt, not adaptively: no rejected steps, and as many steps as dt fits.
      expect(info.backward?.nreject).toBe(0);
      expect(info.backward?.naccept).toBeGreaterThanOrEqual(Math.floor(2 / (2 * dt)));
    }
  });
});
