/**
 * Vern9 on the non-stiff reference problems against scipy DOP853 references (rtol ≤ 1e-12,
 * packages/ode/test/fixtures written by scripts/gen-reference.py) and the seed linear model
 * against scipy.linalg.expm. Errors: max over the fixture times and components of
 * |u − ref| / (1e-3 + |ref|), divided by the requested tolerance; each bound is about 3× the
 * value measured when the test was written (recorded in the comments). The general method
 * checks run in the conformance suite over ALL_SOLVERS.
 */
import { describe, expect, test } from "vitest";
import {
  brusselator,
  loadFixture,
  lotkaVolterra,
  maxMixedError,
  seedLinear,
  vanDerPol,
} from "../../test/reference-problems.js";
import type { ODEProblem } from "../problem.js";
import { solve } from "../solve.js";
import { Vern7 } from "./vern7.js";
import { Vern9 } from "./vern9.js";

function errorOverTol(problem: ODEProblem, fxName: string, tol: number): number {
  const fx = loadFixture(fxName);
  const sol = solve(problem, Vern9(), { reltol: tol, abstol: tol, saveat: fx.times });
  expect(sol.retcode).toBe("Success");
  return maxMixedError((i) => sol.state(i), fx, 1e-3) / tol;
}

describe("Vern9 on the reference problems at reltol = abstol = 1e-10", () => {
  test("Lotka–Volterra", () => {
    // Measured error/tol 1.44.
    expect(errorOverTol(lotkaVolterra(), "lotka-volterra", 1e-10)).toBeLessThan(4);
  });
  test("Brusselator", () => {
    // Measured error/tol 0.14.
    expect(errorOverTol(brusselator(), "brusselator", 1e-10)).toBeLessThan(1);
  });
  test("Van der Pol μ = 1", () => {
    // Measured error/tol 4.45 (phase error along the limit cycle; Vern7: 0.89).
    expect(errorOverTol(vanDerPol(1, false), "van-der-pol-mu1", 1e-10)).toBeLessThan(12);
  });
  test("seed linear model n = 100 against expm(A·Δt)·u0", () => {
    // Measured error/tol 0.23.
    const { problem, fixture } = seedLinear(100);
    const sol = solve(problem, Vern9(), { reltol: 1e-10, abstol: 1e-10, saveat: fixture.times });
    expect(sol.retcode).toBe("Success");
    expect(maxMixedError((i) => sol.state(i), fixture, 1e-3) / 1e-10).toBeLessThan(1);
  });
  test("Lotka–Volterra: fewer RHS evaluations than Vern7 at the same tolerance", () => {
    // Measured at 1e-12: 2274 evaluations against Vern7's 3862.
    const opts = { reltol: 1e-12, abstol: 1e-12, saveEverystep: false, dense: false };
    const nine = solve(lotkaVolterra(), Vern9(), opts);
    const seven = solve(lotkaVolterra(), Vern7(), opts);
    expect(nine.stats.nf).toBeLessThan(seven.stats.nf);
  });
});
