/**
 * Reference problems against independent references: scipy solve_ivp (DOP853 / Radau at
 * rtol 1e-12…1e-13) and scipy.linalg.expm, written by scripts/gen-reference.py. Errors are
 * measured as max over the fixture times and components of |u − ref| / (1e-3 + |ref|) and
 * compared with the requested tolerance: the bounds are "a small factor × tol", each set at
 * roughly 2–3× the value measured when the test was written (recorded in the comments), so a
 * regression in accuracy fails while the normal scatter of adaptive solves passes.
 */
import { describe, expect, test } from "vitest";
import { solve } from "../src/solve.js";
import { BS3, DP5, Rodas4, Rosenbrock23, TRBDF2, Tsit5, Vern7 } from "../src/solvers/index.js";
import type { OdeSolver } from "../src/stepper.js";
import {
  brusselator,
  loadFixture,
  lotkaVolterra,
  maxMixedError,
  robertson,
  seedLinear,
  vanDerPol,
} from "./reference-problems.js";

function errorOver(
  problem: ReturnType<typeof lotkaVolterra>,
  solver: OdeSolver,
  fxName: string,
  tol: number,
) {
  const fx = loadFixture(fxName);
  const sol = solve(problem, solver, { reltol: tol, abstol: tol, saveat: fx.times });
  expect(sol.retcode).toBe("Success");
  return maxMixedError((i) => sol.state(i), fx, 1e-3) / tol;
}

describe("non-stiff reference problems at reltol = abstol = 1e-10", () => {
  // Measured error/tol: LV DP5 2.2, Tsit5 1.4, Vern7 0.9; Brusselator DP5 7.6, Tsit5 2.0, Vern7 3.2.
  test.each([
    ["DP5", DP5(), 6],
    ["Tsit5", Tsit5(), 4],
    ["Vern7", Vern7(), 3],
  ] as const)("Lotka–Volterra, %s", (_n, solver, factor) => {
    expect(errorOver(lotkaVolterra(), solver, "lotka-volterra", 1e-10)).toBeLessThan(factor);
  });
  test.each([
    ["DP5", DP5(), 20],
    ["Tsit5", Tsit5(), 6],
    ["Vern7", Vern7(), 8],
  ] as const)("Brusselator, %s", (_n, solver, factor) => {
    expect(errorOver(brusselator(), solver, "brusselator", 1e-10)).toBeLessThan(factor);
  });
  // Van der Pol μ = 1 accumulates phase error along the limit cycle: measured DP5 26, Tsit5 12.6, Vern7 0.9.
  test.each([
    ["DP5", DP5(), 60],
    ["Tsit5", Tsit5(), 30],
    ["Vern7", Vern7(), 3],
  ] as const)("Van der Pol μ = 1, %s", (_n, solver, factor) => {
    expect(errorOver(vanDerPol(1, false), solver, "van-der-pol-mu1", 1e-10)).toBeLessThan(factor);
  });
  test("BS3 at 1e-8 (its tolerance range): Lotka–Volterra", () => {
    // Measured 22.5 (3rd order: error estimate of the 2nd-order embedded method).
    expect(errorOver(lotkaVolterra(), BS3(), "lotka-volterra", 1e-8)).toBeLessThan(60);
  });
});

describe("stiff reference problems (Rosenbrock methods)", () => {
  test.each([
    ["analytic Jacobian", true],
    ["finite-difference Jacobian", false],
  ] as const)("Van der Pol μ = 1000 on [0, 3000], Rodas4, %s", (_n, withJac) => {
    // Measured error/tol 8.1 (analytic J) and 12.9 (finite differences) at 1e-9.
    expect(errorOver(vanDerPol(1000, withJac), Rodas4(), "van-der-pol-mu1000", 1e-9)).toBeLessThan(40);
  });
  test("Van der Pol μ = 1000, Rosenbrock23 at its loose tolerances", () => {
    // Order 2 without local extrapolation: measured error/tol 192 at 1e-5.
    expect(errorOver(vanDerPol(1000, false), Rosenbrock23(), "van-der-pol-mu1000", 1e-5)).toBeLessThan(500);
  });
  test.each([
    ["Rodas4", Rodas4(), 1e-8, 15],
    ["Rosenbrock23", Rosenbrock23(), 1e-6, 6],
  ] as const)("Robertson to t = 1e5, %s, componentwise relative error", (_n, solver, tol, factor) => {
    // abstol far below each component's size so that the relative error is what is controlled.
    // Measured max relative error / reltol: Rodas4 5.8 at 1e-8, Rosenbrock23 2.0 at 1e-6.
    const fx = loadFixture("robertson");
    const sol = solve(robertson(false), solver, {
      reltol: tol,
      abstol: [1e-10, 1e-14, 1e-10],
      saveat: fx.times,
    });
    expect(sol.retcode).toBe("Success");
    for (let i = 1; i < fx.times.length; i++) {
      for (let k = 0; k < 3; k++) {
        const ref = fx.states[i][k];
        expect(Math.abs(sol.state(i)[k] - ref) / Math.abs(ref)).toBeLessThan(factor * tol);
      }
    }
    // Mass conservation u₁ + u₂ + u₃ = 1 holds for any linear-invariant-preserving method: rounding × steps.
    const last = sol.state(fx.times.length - 1);
    expect(Math.abs(last[0] + last[1] + last[2] - 1)).toBeLessThan(1e-12);
  });
});

describe("stiff reference problems (TRBDF2, an SDIRK method), against Rosenbrock23 at the same tolerance", () => {
  test.each([
    ["analytic Jacobian", true],
    ["finite-difference Jacobian", false],
  ] as const)("Van der Pol μ = 1000 on [0, 3000] at 1e-5, %s", (_n, withJac) => {
    // Measured error/tol 149 (Rosenbrock23: 192), both Jacobians: order 2 without local extrapolation.
    expect(errorOver(vanDerPol(1000, withJac), TRBDF2(), "van-der-pol-mu1000", 1e-5)).toBeLessThan(400);
  });
  test("Van der Pol μ = 1000 at 1e-5: steps within 1.25× Rosenbrock23's", () => {
    const steps = [TRBDF2(), Rosenbrock23()].map(
      (s) => solve(vanDerPol(1000, true), s, { reltol: 1e-5, abstol: 1e-5 }).stats.naccept,
    );
    // Measured 1524 against 1411 (1.08×); 5331 against 2980 evaluations (its Newton iterations).
    expect(steps[0]).toBeLessThan(1.25 * steps[1]);
  });
  test("Robertson to t = 1e5 at 1e-6: componentwise relative error, mass, and fewer steps than Rosenbrock23", () => {
    const fx = loadFixture("robertson");
    const opts = { reltol: 1e-6, abstol: [1e-10, 1e-14, 1e-10], saveat: fx.times };
    const sol = solve(robertson(false), TRBDF2(), opts);
    expect(sol.retcode).toBe("Success");
    // Measured max relative error 3.1e-5 (31× reltol; Rosenbrock23: 1.9e-6 in 4.4× the steps).
    for (let i = 1; i < fx.times.length; i++) {
      for (let k = 0; k < 3; k++) {
        const ref = fx.states[i][k];
        expect(Math.abs(sol.state(i)[k] - ref) / Math.abs(ref)).toBeLessThan(80 * 1e-6);
      }
    }
    // Each Newton correction solves with I − hγJ, and 𝟙ᵀJ = 0, so u₁ + u₂ + u₃ = 1 to rounding.
    const last = sol.state(fx.times.length - 1);
    expect(Math.abs(last[0] + last[1] + last[2] - 1)).toBeLessThan(1e-12);
    // Measured 765 accepted steps against Rosenbrock23's 3358.
    const ros = solve(robertson(false), Rosenbrock23(), opts);
    expect(sol.stats.naccept).toBeLessThan(ros.stats.naccept / 2);
  });
});

describe("seed linear model du/dt = A(P)·u against expm(A·Δt)·u0", () => {
  test.each([
    ["Tsit5", Tsit5(), 20],
    ["DP5", DP5(), 10],
    ["Vern7", Vern7(), 4],
    ["Rodas4", Rodas4(), 3],
  ] as const)("n = 100, %s at 1e-10", (_n, solver, factor) => {
    // Measured error/tol: Tsit5 6.8, DP5 3.0, Vern7 1.1, Rodas4 0.9 (at t = 1.01 … 4).
    const { problem, fixture } = seedLinear(100);
    const sol = solve(problem, solver, { reltol: 1e-10, abstol: 1e-10, saveat: fixture.times });
    expect(sol.retcode).toBe("Success");
    expect(maxMixedError((i) => sol.state(i), fixture, 1e-3) / 1e-10).toBeLessThan(factor);
  });
  test("n = 10 leading block, Tsit5 at 1e-10", () => {
    // Measured error/tol 0.26.
    const { problem, fixture } = seedLinear(10);
    const sol = solve(problem, Tsit5(), { reltol: 1e-10, abstol: 1e-10, saveat: fixture.times });
    expect(maxMixedError((i) => sol.state(i), fixture, 1e-3) / 1e-10).toBeLessThan(1);
  });
});
