/**
 * Rodas5P on the stiff reference problems against scipy Radau/DOP853 references (rtol ≤ 1e-12,
 * packages/ode/test/fixtures written by scripts/gen-reference.py) and the seed linear model
 * against scipy.linalg.expm. Errors: max over the fixture times and components of
 * |u − ref| / (1e-3 + |ref|), divided by the requested tolerance; each bound is about 3× the
 * value measured when the test was written (recorded in the comments). The general method
 * checks (order conditions, convergence order 5, dense output, reversibility, stats, retcodes)
 * run in the conformance suite over ALL_SOLVERS.
 */
import { describe, expect, test } from "vitest";
import {
  loadFixture,
  maxMixedError,
  robertson,
  seedLinear,
  vanDerPol,
} from "../../test/reference-problems.js";
import { solve } from "../solve.js";
import { Rodas4 } from "./rodas4.js";
import { Rodas5P } from "./rodas5p.js";

describe("Rodas5P on the reference problems", () => {
  test.each([
    ["analytic Jacobian", true, 150],
    ["finite-difference Jacobian", false, 150],
  ] as const)("Van der Pol μ = 1000 on [0, 3000] at 1e-8, %s", (_n, withJac, factor) => {
    // Measured error/tol 53.7 (analytic J) and 49.3 (finite differences); Rodas4 at 1e-8: 14.8, 14.5.
    const fx = loadFixture("van-der-pol-mu1000");
    const sol = solve(vanDerPol(1000, withJac), Rodas5P(), { reltol: 1e-8, abstol: 1e-8, saveat: fx.times });
    expect(sol.retcode).toBe("Success");
    expect(maxMixedError((i) => sol.state(i), fx, 1e-3) / 1e-8).toBeLessThan(factor);
  });

  test("Van der Pol μ = 1000: fewer steps than Rodas4 at the same tolerance (order 5 vs 4)", () => {
    // Measured at 1e-8 with the analytic Jacobian: 1682 accepted steps against Rodas4's 3705.
    const opts = { reltol: 1e-8, abstol: 1e-8, saveEverystep: false, dense: false };
    const five = solve(vanDerPol(1000, true), Rodas5P(), opts);
    const four = solve(vanDerPol(1000, true), Rodas4(), opts);
    expect(five.stats.naccept).toBeLessThan(0.75 * four.stats.naccept);
  });

  test("Robertson to t = 1e5 at reltol 1e-8, componentwise relative error", () => {
    // abstol far below each component's size; measured max relative error / reltol 0.86.
    const fx = loadFixture("robertson");
    const sol = solve(robertson(false), Rodas5P(), {
      reltol: 1e-8,
      abstol: [1e-10, 1e-14, 1e-10],
      saveat: fx.times,
    });
    expect(sol.retcode).toBe("Success");
    for (let i = 1; i < fx.times.length; i++) {
      for (let k = 0; k < 3; k++) {
        const ref = fx.states[i][k];
        expect(Math.abs(sol.state(i)[k] - ref) / Math.abs(ref)).toBeLessThan(3e-8);
      }
    }
    // Linear invariant u₁ + u₂ + u₃ = 1 is preserved by every Rosenbrock method: rounding × steps.
    const last = sol.state(fx.times.length - 1);
    expect(Math.abs(last[0] + last[1] + last[2] - 1)).toBeLessThan(1e-12);
  });

  test("seed linear model n = 100 at 1e-10 against expm(A·Δt)·u0", () => {
    // Measured error/tol 0.36.
    const { problem, fixture } = seedLinear(100);
    const sol = solve(problem, Rodas5P(), { reltol: 1e-10, abstol: 1e-10, saveat: fixture.times });
    expect(sol.retcode).toBe("Success");
    expect(maxMixedError((i) => sol.state(i), fixture, 1e-3) / 1e-10).toBeLessThan(1);
  });
});
