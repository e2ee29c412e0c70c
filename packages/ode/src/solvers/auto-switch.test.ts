/**
 * The automatic composites (auto-switch.ts, auto/auto-switch-stepper.ts): switching on stiff
 * problems in both directions, references, steps against the explicit method alone, identity
 * with the explicit method on non-stiff problems, dense output across switches, the stability
 * boundaries, and the default solver and its errors.
 */
import { afterEach, describe, expect, test } from "vitest";
import {
  brusselator,
  loadFixture,
  lotkaVolterra,
  maxMixedError,
  robertson,
  vanDerPol,
} from "../../test/reference-problems.js";
import { countTypedArrays, restoreTypedArrays } from "../../test/typed-array-counter.js";
import { realStabilitySize } from "../auto/stability-size.js";
import { InvalidOptionError } from "../errors.js";
import { init } from "../integrator.js";
import { solve } from "../solve.js";
import { AutoTsit5, AutoVern7, autoSwitch } from "./auto-switch.js";
import { ALL_SOLVERS, defaultSolver } from "./index.js";
import { Rodas5P } from "./rodas5p.js";
import { Rosenbrock23 } from "./rosenbrock23.js";
import { Tsit5 } from "./tsit5.js";
import { Vern7 } from "./vern7.js";

describe("stability boundaries from the tableaus", () => {
  test.each([
    // OrdinaryDiffEq's alg_stability_size table (4 decimals): an independent source.
    ["DP5", 3.3066],
    ["Tsit5", 3.5068],
    ["Vern7", 4.64],
    ["Vern9", 4.4762],
  ])("%s: %f", (name, size) => {
    const solver = ALL_SOLVERS.find((s) => s.name === name);
    if (solver?.family !== "erk") throw new Error(`no explicit solver ${name}`);
    // The table is rounded to 4 decimals.
    expect(Math.abs(realStabilitySize(solver.tableau) - size)).toBeLessThan(1e-4);
  });
});

describe("switching on stiff problems", () => {
  test.each([
    ["AutoTsit5(Rosenbrock23())", AutoTsit5(Rosenbrock23())],
    ["AutoTsit5(Rodas5P())", AutoTsit5(Rodas5P())],
    ["AutoVern7(Rodas5P())", AutoVern7(Rodas5P())],
  ])("Van der Pol μ = 1000 on [0, 3000]: %s switches both ways at every relaxation jump", (_n, solver) => {
    const fx = loadFixture("van-der-pol-mu1000");
    // abstol 1e-9: u₂ ≈ 1e-3 on the slow branches must be controlled relatively.
    const sol = solve(vanDerPol(1000, false), solver, { reltol: 1e-6, abstol: 1e-9, dense: true });
    expect(sol.retcode).toBe("Success");
    const [explicit, stiff] = solver.members;
    const switches = sol.stats.switches ?? [];
    const toStiff = switches.filter((s) => s.from === explicit.name && s.to === stiff.name);
    const back = switches.filter((s) => s.from === stiff.name && s.to === explicit.name);
    // Stiff from the start (after the detection steps), non-stiff inside each of the three
    // jumps (t ≈ 807, 1614, 2421), stiff again after each.
    expect(toStiff[0].t).toBeLessThan(1);
    for (const jump of [807, 1614, 2421]) {
      expect(back.some((s) => Math.abs(s.t - jump) < 5)).toBe(true);
      expect(toStiff.some((s) => s.t > jump && s.t < jump + 5)).toBe(true);
    }
    // Reasons carry the measured numbers.
    expect(toStiff[0].reason).toMatch(/^stiffness estimate h·ρ = [\d.]+ > [\d.]+ for 11 steps$/);
    expect(back[0].reason).toMatch(/^h·‖J‖∞ = [\d.]+ ≤ [\d.]+ for 4 steps$/);
    // Every switch happens at a step boundary, and the per-method counts add up.
    for (const s of switches) expect(sol.t).toContain(s.t);
    const steps = sol.stats.methodSteps ?? {};
    expect(steps[explicit.name] + steps[stiff.name]).toBe(sol.stats.naccept);
    expect(steps[stiff.name]).toBeGreaterThan(0);
    // Accurate at the reference times (scipy Radau at rtol 1e-12): mixed error / reltol measured
    // 0.46, 1.24, 2.12 for the three composites (the stiff members alone: Rodas5P 1.74,
    // Rosenbrock23 27.4); 10 is ~5× the worst.
    const atRef = fx.times.map((t) => sol.at(t));
    expect(maxMixedError((i) => atRef[i], fx, 1e-3) / 1e-6).toBeLessThan(10);
  });

  test("Van der Pol μ = 1000: far fewer steps than Tsit5 alone", () => {
    const opts = { reltol: 1e-6, abstol: 1e-9, saveEverystep: false, dense: false };
    const auto = solve(vanDerPol(1000, false), AutoTsit5(Rodas5P()), opts);
    expect(auto.retcode).toBe("Success");
    // Measured: 1010 accepted steps; Tsit5 alone stops with MaxIters after 10⁶ (its steps are held
    // to its stability boundary 3.5/|λ| ≈ 1e-3 on the slow branches). 50× the composite's budget:
    const tsit5 = solve(vanDerPol(1000, false), Tsit5(), { ...opts, maxiters: 50 * auto.stats.naccept });
    expect(tsit5.retcode).toBe("MaxIters");
  });

  test.each([
    ["AutoTsit5(Rodas5P())", AutoTsit5(Rodas5P()), 1e-8, 2],
    ["AutoVern7(Rodas5P())", AutoVern7(Rodas5P()), 1e-8, 2],
    ["AutoTsit5(Rosenbrock23())", AutoTsit5(Rosenbrock23()), 1e-4, 10],
  ])("Robertson to t = 1e5: %s at reltol %f, componentwise relative error", (_n, solver, reltol, bound) => {
    // abstol far below each component's size. Measured max relative error / reltol: 0.85,
    // 0.71 at 1e-8 (Rodas5P alone: 0.86) and 3.1 for Rosenbrock23 at 1e-4 (order 2).
    const fx = loadFixture("robertson");
    const sol = solve(robertson(false), solver, {
      reltol,
      abstol: [1e-2 * reltol, 1e-6 * reltol, 1e-2 * reltol],
      saveat: fx.times,
    });
    expect(sol.retcode).toBe("Success");
    expect(sol.stats.switches?.length).toBeGreaterThan(0);
    for (let i = 1; i < fx.times.length; i++) {
      for (let k = 0; k < 3; k++) {
        const ref = fx.states[i][k];
        expect(Math.abs(sol.state(i)[k] - ref) / Math.abs(ref) / reltol).toBeLessThan(bound);
      }
    }
  });

  test("dense output is each member's own across switches (local error at mid-step ≤ tol)", () => {
    // For the steps just before and after every switch: the interpolant at θ = ¼, ½, ¾ against
    // a reference solve of that step alone from its start state (Rodas5P at 1e-12), i.e. the
    // local error, independent of the global phase error near the jumps. Measured ≤ 0.39·tol.
    for (const solver of [AutoTsit5(Rosenbrock23()), AutoTsit5(Rodas5P())]) {
      const tol = 1e-6;
      const problem = vanDerPol(1000, true);
      const sol = solve(problem, solver, { reltol: tol, abstol: tol });
      const ts = sol.t;
      expect(sol.stats.switches?.length).toBeGreaterThan(2);
      for (const s of sol.stats.switches ?? []) {
        const i = ts.indexOf(s.t);
        for (const j of [i - 1, i]) {
          const local = problem.remake({ u0: sol.state(j), tspan: [ts[j], ts[j + 1]] });
          const ref = solve(local, Rodas5P(), { reltol: 1e-12, abstol: 1e-12 });
          for (const theta of [0.25, 0.5, 0.75]) {
            const tq = ts[j] + theta * (ts[j + 1] - ts[j]);
            const u = sol.at(tq);
            const r = ref.at(tq);
            for (const k of [0, 1])
              expect(Math.abs(u[k] - r[k]) / (tol * (1 + Math.abs(r[k])))).toBeLessThan(1);
          }
          // Exact at the step boundaries on both sides of the switch.
          expect(Array.from(sol.at(ts[j + 1]))).toEqual(Array.from(sol.state(j + 1)));
        }
      }
    }
  });
});

describe("non-stiff problems: the explicit method, step for step", () => {
  test.each([
    ["Lotka–Volterra", lotkaVolterra],
    ["Brusselator", brusselator],
  ])("%s: same times, states and evaluations as Tsit5, zero switches", (_n, make) => {
    for (const tol of [1e-3, 1e-6, 1e-10]) {
      const auto = solve(make(), AutoTsit5(Rosenbrock23()), { reltol: tol, abstol: tol });
      const plain = solve(make(), Tsit5(), { reltol: tol, abstol: tol });
      expect(auto.t).toEqual(plain.t);
      expect(Array.from(auto.u)).toEqual(Array.from(plain.u));
      expect(auto.stats.nf).toBe(plain.stats.nf);
      expect(auto.stats.switches).toEqual([]);
      expect(auto.stats.methodSteps).toEqual({ Tsit5: plain.stats.naccept, Rosenbrock23: 0 });
    }
  });

  test("AutoVern7 on Lotka–Volterra: the same steps as Vern7", () => {
    const auto = solve(lotkaVolterra(), AutoVern7(Rodas5P()), { reltol: 1e-8, abstol: 1e-8 });
    const plain = solve(lotkaVolterra(), Vern7(), { reltol: 1e-8, abstol: 1e-8 });
    expect(auto.t).toEqual(plain.t);
    expect(Array.from(auto.u)).toEqual(Array.from(plain.u));
    expect(auto.stats.switches).toEqual([]);
  });
});

describe("the default solver and its errors", () => {
  test("solve(problem) and solve(problem, options) use AutoTsit5(Rodas5P())", () => {
    expect(defaultSolver().name).toBe("AutoTsit5(Rodas5P())");
    const a = solve(robertson(false));
    expect(a.retcode).toBe("Success");
    expect(a.solver).toBe("AutoTsit5(Rodas5P())");
    const b = solve(lotkaVolterra(), { reltol: 1e-8, abstol: 1e-8 });
    const c = solve(lotkaVolterra(), Tsit5(), { reltol: 1e-8, abstol: 1e-8 });
    expect(b.t).toEqual(c.t);
  });

  test("a solver factory passed uncalled gets a typed error that says to call it", () => {
    // biome-ignore lint/suspicious/noExplicitAny: the mistake under test does not type-check
    const factory = Tsit5 as any;
    expect(() => solve(lotkaVolterra(), factory)).toThrow(InvalidOptionError);
    expect(() => solve(lotkaVolterra(), factory)).toThrow("call it: Tsit5()");
    expect(() => init(lotkaVolterra(), factory)).toThrow("call it: Tsit5()");
    expect(() => AutoTsit5(Rodas5P as never)).toThrow("call it: Rodas5P()");
    expect(() => solve(lotkaVolterra(), 42 as never)).toThrow("the solver must be a method such as Tsit5()");
  });

  test("autoSwitch checks its members and options", () => {
    expect(() => AutoTsit5(Tsit5() as never)).toThrow("needs a Rosenbrock method");
    expect(() => autoSwitch(Rodas5P() as never, Rosenbrock23())).toThrow(
      "needs an explicit Runge–Kutta method",
    );
    const bs3 = ALL_SOLVERS.find((s) => s.name === "BS3");
    // BS3's last two stages lie at c = 3/4 and 1: no stiffness estimate from them.
    expect(() => autoSwitch(bs3 as never, Rodas5P())).toThrow("must both lie at c = 1");
    expect(() => AutoTsit5(Rodas5P(), { maxstifstep: 3 } as never)).toThrow('has no option "maxstifstep"');
    expect(() => AutoTsit5(Rodas5P(), { dtfac: 0 })).toThrow("dtfac = 0 must be a finite number > 0");
  });

  test("options change when it switches: a stricter test switches later, never with maxstiffstep = ∞", () => {
    const problem = vanDerPol(1000, false);
    const opts = { reltol: 1e-6, abstol: 1e-6 };
    const first = (s: ReturnType<typeof AutoTsit5>) =>
      solve(problem, s, opts).stats.switches?.[0]?.t ?? Infinity;
    expect(first(AutoTsit5(Rodas5P(), { maxstiffstep: 30 }))).toBeGreaterThan(first(AutoTsit5(Rodas5P())));
    const never = solve(problem, AutoTsit5(Rodas5P(), { maxstiffstep: 1e9 }), { ...opts, maxiters: 2000 });
    expect(never.retcode).toBe("MaxIters");
    expect(never.stats.switches).toEqual([]);
  });
});

describe("allocate nothing: stepping across switches", () => {
  afterEach(restoreTypedArrays);
  test.each([
    ["analytic Jacobian", true],
    ["finite-difference Jacobian", false],
  ])(
    "Van der Pol μ = 1000 from t = 100 through two jumps (%s): no typed array constructed",
    (_n, withJac) => {
      const integ = init(vanDerPol(1000, withJac), AutoTsit5(Rodas5P()), {
        reltol: 1e-6,
        abstol: 1e-9,
        dense: false,
      });
      const out = new Float64Array(2);
      // Warm-up: the first switch (t ≈ 0.02) and whatever lazy views the kernels make once.
      while (integ.t < 100 && integ.step()) integ.interpolate(0.5 * (integ.tPrev + integ.t), out);
      const switchesBefore = integ.stats.switches?.length ?? 0;
      const [, arrays] = countTypedArrays(() => {
        while (integ.t < 1700 && integ.step()) integ.interpolate(0.5 * (integ.tPrev + integ.t), out);
      });
      // Both jumps (t ≈ 807, 1614) crossed: four switches, both directions.
      expect((integ.stats.switches?.length ?? 0) - switchesBefore).toBe(4);
      expect(arrays).toBe(0);
      integ.dispose();
    },
  );
});
