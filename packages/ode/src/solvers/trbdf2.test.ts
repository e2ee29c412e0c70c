/**
 * TRBDF2 beyond the conformance suite: its order where the problem is stiff (the conformance
 * problems are not), and what happens when its Newton iteration fails. The stiff reference
 * problems (Van der Pol μ = 1000, Robertson) are in test/reference.test.ts.
 */
import { describe, expect, test } from "vitest";
import { init } from "../integrator.js";
import { ODEProblem } from "../problem.js";
import { withStepperHooks } from "../sensitivity/stepper-hooks.js";
import { solve } from "../solve.js";
import { TRBDF2 } from "./index.js";

// y' = −λ(y − cos t) − sin t, y(0) = 2: y = cos t + e^(−λt), stiff (λ = 10⁴) with a smooth
// solution after the initial layer.
const lambda = 1e4;
const prothero = new ODEProblem(
  (du: Float64Array, u: Float64Array, _p: Float64Array, t: number) => {
    du[0] = -lambda * (u[0] - Math.cos(t)) - Math.sin(t);
  },
  [2],
  [0, 1],
);
const exact = Math.cos(1) + Math.exp(-lambda);

describe("TRBDF2 on a stiff problem", () => {
  test("order 2 at fixed steps with hλ = 1000 … 31 (L-stable: the initial layer is damped, not carried)", () => {
    const errs = [10, 20, 40, 80, 160, 320].map((N) => {
      const sol = solve(prothero, TRBDF2(), { adaptive: false, dt: 1 / N });
      expect(sol.retcode).toBe("Success");
      return Math.abs(sol.u[sol.u.length - 1] - exact);
    });
    // Measured 5.6e-8 … 5.0e-11, local slopes 1.99, 2.01, 2.02, 2.04, 2.07.
    for (let k = 1; k < errs.length; k++) {
      const slope = Math.log2(errs[k - 1] / errs[k]);
      expect(slope).toBeGreaterThan(1.8);
      expect(slope).toBeLessThan(2.2);
    }
  });

  test("adaptive: within 10× the tolerance, with one Jacobian and one LU per attempt", () => {
    const sol = solve(prothero, TRBDF2(), { reltol: 1e-6, abstol: 1e-9 });
    expect(sol.retcode).toBe("Success");
    expect(Math.abs(sol.u[sol.u.length - 1] - exact)).toBeLessThan(1e-5);
    const { njac, nlu, naccept, nreject, nnonliniter } = sol.stats;
    expect(njac).toBe(naccept);
    expect(nlu).toBe(naccept + nreject);
    // At least one Newton iteration per implicit stage (2 per step).
    expect(nnonliniter).toBeGreaterThanOrEqual(2 * naccept);
  });
});

describe("a Newton iteration that fails", () => {
  // Van der Pol μ = 1000 from u0 = [2, 0]: a step of 500 lies far beyond where the simplified
  // Newton iteration with J at the step start converges.
  const mu = 1000;
  const vdp = new ODEProblem(
    (du: Float64Array, u: Float64Array) => {
      du[0] = u[1];
      du[1] = mu * (1 - u[0] * u[0]) * u[1] - u[0];
    },
    [2, 0],
    [0, 3000],
  );

  test("is a failed attempt with a reason, not a wrong step", () => {
    const integ = init(vdp, TRBDF2(), { dt: 500 });
    const yNew = new Float64Array(2);
    const err = new Float64Array(2);
    expect(integ.stepper.attempt(0, Float64Array.from(vdp.u0), 500, yNew, err)).toBe(false);
    expect(integ.stepper.failureReason?.()).toMatch(/Newton iteration/);
  });

  test("adaptive: the integrator rejects the step and retries smaller, and the solve succeeds", () => {
    const sol = solve(vdp, TRBDF2(), { dt: 500, reltol: 1e-5, abstol: 1e-5 });
    expect(sol.retcode).toBe("Success");
    expect(sol.t[sol.t.length - 1]).toBe(3000);
    expect(sol.stats.nreject).toBeGreaterThan(0);
  });

  test("fixed step: Failure, with the Newton iteration named (also through a stepper wrapper)", () => {
    for (const solver of [TRBDF2(), withStepperHooks(TRBDF2(), {})]) {
      const sol = solve(vdp, solver, { dt: 500, adaptive: false });
      expect(sol.retcode).toBe("Failure");
      expect(sol.message).toMatch(/Newton iteration .*; use a smaller dt/);
      expect(sol.message).not.toMatch(/W-matrix/);
    }
  });
});
