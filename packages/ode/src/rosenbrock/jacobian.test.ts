// The finite-difference Jacobian's increment (differenceIncrement): Hairer–Wanner's below
// |y| = 10⁶, relative beyond, so that a Rosenbrock solve without `jac` behaves the same at any
// scale of the state (it failed at t0 once the state reached 10¹⁷: y + δ = y).
import { describe, expect, test } from "vitest";
import { ODEProblem } from "../problem.js";
import { solve } from "../solve.js";
import { Rodas4, Rodas5P, Rosenbrock23 } from "../solvers/index.js";
import type { OdeSolver } from "../stepper.js";
import { differenceIncrement } from "./jacobian.js";

describe("differenceIncrement", () => {
  test("is RADAU5/RODAS's √(ε·max(1e-5, |y|)) up to |y| = 1e6", () => {
    for (const y of [0, 1e-9, -3e-4, 1, -37.5, 2.5e5, 1e6]) {
      expect(differenceIncrement(y)).toBe(Math.sqrt(Number.EPSILON * Math.max(1e-5, Math.abs(y))));
    }
  });
  test("moves y at every magnitude (y + δ ≠ y), by a relative step that stops shrinking past 1e6", () => {
    for (const y of [1e6, 1e9, 1e12, 1e17, -1e17, 1e100, 1e300]) {
      const d = differenceIncrement(y);
      expect(y + d).not.toBe(y);
      expect(d / Math.abs(y)).toBeGreaterThanOrEqual(1e-3 * Math.sqrt(Number.EPSILON) * (1 - 1e-15));
    }
  });
});

describe("a Rosenbrock solve without a Jacobian does not depend on the state's scale", () => {
  // u₁' = −50(u₁ − 3s), u₂' = −2(u₂ − s) from (s, s/2), tolerances relative to s: the same
  // problem at every scale s, with its exact solution.
  const run = (solver: OdeSolver, s: number) => {
    const prob = new ODEProblem(
      (du: Float64Array, u: Float64Array) => {
        du[0] = -50 * (u[0] - 3 * s);
        du[1] = -2 * (u[1] - s);
      },
      [s, 0.5 * s],
      [0, 1],
    );
    const sol = solve(prob, solver, { reltol: 1e-8, abstol: 1e-8 * s });
    const u = sol.state(sol.t.length - 1);
    const exact = [3 * s - 2 * s * Math.exp(-50), s - 0.5 * s * Math.exp(-2)];
    const error = Math.max(...exact.map((x, i) => Math.abs(u[i] - x) / x));
    return { retcode: sol.retcode, steps: sol.stats.naccept, rejected: sol.stats.nreject, error };
  };
  test.each([
    ["Rodas5P", Rodas5P()],
    ["Rodas4", Rodas4()],
    ["Rosenbrock23", Rosenbrock23()],
  ])("%s at s = 1e6, 1e12, 1e17, 1e100 as at s = 1", (_name, solver) => {
    const base = run(solver, 1);
    expect(base.retcode).toBe("Success");
    for (const s of [1e6, 1e12, 1e17, 1e100]) {
      const r = run(solver, s);
      // Before: at 1e12 Rodas5P took 188 steps and 23 rejections (58 and 0 at s = 1); at 1e17
      // every method stopped at t0 (Unstable).
      // Measured: Rodas5P and Rosenbrock23 the same steps at every scale, Rodas4 (the most
      // sensitive to the Jacobian's accuracy) ±1 step and 2 rejections at 1e12; the same error
      // to within 25 %.
      expect(r.retcode).toBe("Success");
      expect(Math.abs(r.steps - base.steps)).toBeLessThanOrEqual(2);
      expect(r.rejected).toBeLessThanOrEqual(base.rejected + 2);
      expect(r.error).toBeLessThan(2 * base.error + 1e-14);
    }
  });
});
