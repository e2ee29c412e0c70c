/** Step control details: tstops, saveat by interpolation, backward integration, the integrator API, dense output. */
import { describe, expect, test } from "vitest";
import { expSinProblem, rotationProblem } from "./conformance/problems.js";
import { SolutionAccessError } from "./errors.js";
import { init } from "./integrator.js";
import { ODEProblem } from "./problem.js";
import { withStepperHooks } from "./sensitivity/stepper-hooks.js";
import { solve } from "./solve.js";
import { DP5 } from "./solvers/dp5.js";
import { RK4 } from "./solvers/rk4.js";
import { Rodas4 } from "./solvers/rodas4.js";
import { Tsit5 } from "./solvers/tsit5.js";
import { Vern7 } from "./solvers/vern7.js";

const rot = rotationProblem([0, 5]);

describe("tstops", () => {
  test("are hit exactly, forward and backward", () => {
    const tstops = [0.1, Math.PI / 3, 2.5];
    const sol = solve(rot.problem, Tsit5(), { tstops, reltol: 1e-6 });
    for (const ts of tstops) expect(sol.t).toContain(ts);
    const back = solve(rot.problem.remake({ tspan: [5, 0] }), Tsit5(), { tstops, reltol: 1e-6 });
    for (const ts of tstops) expect(back.t).toContain(ts);
    expect(back.t[back.t.length - 1]).toBe(0);
  });
  test("a kink at a tstop is stepped over cleanly", () => {
    // u' = |t − 1|: piecewise linear in t, so every step that does not straddle t = 1 is
    // integrated exactly by a method of order ≥ 2; u(2) = 1.
    const p = new ODEProblem(
      (du: Float64Array, _u: Float64Array, _p: Float64Array, t: number) => {
        du[0] = Math.abs(t - 1);
      },
      [0],
      [0, 2],
    );
    const withStop = solve(p, DP5(), { tstops: [1], dt: 0.3 });
    const without = solve(p, DP5(), { dt: 0.3, adaptive: false });
    // With the stop: rounding only. Without: the straddling step's quadrature error.
    expect(Math.abs(withStop.u[withStop.u.length - 1] - 1)).toBeLessThan(1e-14);
    expect(Math.abs(without.u[without.u.length - 1] - 1)).toBeGreaterThan(1e-6);
  });
});

describe("saveat", () => {
  test("is served by interpolation: the steps are the same as without saveat", () => {
    const free = solve(rot.problem, Tsit5(), { reltol: 1e-8, abstol: 1e-10 });
    const saved = solve(rot.problem, Tsit5(), { reltol: 1e-8, abstol: 1e-10, saveat: 0.1 });
    expect(saved.stats.naccept).toBe(free.stats.naccept);
    expect(saved.stats.nreject).toBe(free.stats.nreject);
    expect(saved.t).toHaveLength(51);
    expect(saved.t[0]).toBe(0);
    expect(saved.t[50]).toBe(5);
    const ex = new Float64Array(2);
    for (let i = 0; i < saved.t.length; i++) {
      const err = Math.max(
        ...Array.from(saved.state(i), (v, k) => Math.abs(v - rot.exact(saved.t[i], ex)[k])),
      );
      // Global error at reltol 1e-8 over 5 time units, plus the 4th-order interpolant: 1e-7 is ~20× the tolerance.
      expect(err).toBeLessThan(1e-7);
    }
    expect(saved.dense).toBe(false);
    expect(() => saved.at(1)).toThrow(SolutionAccessError);
  });
  test("array saveat is sorted in the direction of integration (backward)", () => {
    const back = solve(
      rot.problem.remake({ tspan: [5, 0], u0: rot.exact(5, new Float64Array(2)) }),
      Vern7(),
      {
        saveat: [0, 4, 2.5],
        reltol: 1e-10,
        abstol: 1e-12,
      },
    );
    expect(back.t).toEqual([4, 2.5, 0]);
    // Vern7 at reltol 1e-10: 1e-8 allows 100× tolerance for the backward solve's global error.
    expect(Math.abs(back.state(2)[0] - 1)).toBeLessThan(1e-8);
  });
});

describe("backward integration", () => {
  test("t1 < t0 gives the same accuracy as forward", () => {
    const ap = expSinProblem([2, 0]);
    const sol = solve(ap.problem, DP5(), { reltol: 1e-9, abstol: 1e-11 });
    expect(sol.retcode).toBe("Success");
    expect(sol.t[sol.t.length - 1]).toBe(0);
    // The exact u(0) = 1; 1e-7 is 100× the tolerance (global error over 2 time units).
    expect(Math.abs(sol.u[sol.u.length - 1] - 1)).toBeLessThan(1e-7);
    // Dense output works backward too.
    expect(Math.abs(sol.at(1.234)[0] - Math.exp(Math.sin(1.234)))).toBeLessThan(1e-7);
  });
});

describe("integrator API", () => {
  test("step(), t, u, interpolate inside the last step", () => {
    const integ = init(rot.problem, Tsit5(), { reltol: 1e-8, abstol: 1e-10 });
    const out = new Float64Array(2);
    const ex = new Float64Array(2);
    let steps = 0;
    while (integ.step()) {
      steps++;
      const tm = (integ.tPrev + integ.t) / 2;
      integ.interpolate(tm, out);
      rot.exact(tm, ex);
      // Dense output of a 5th-order solve at reltol 1e-8: 1e-7 is a generous bound.
      expect(Math.hypot(out[0] - ex[0], out[1] - ex[1])).toBeLessThan(1e-7);
    }
    expect(integ.retcode).toBe("Success");
    expect(integ.t).toBe(5);
    expect(steps).toBe(integ.stats.naccept);
  });
  test("reinit restarts without FSAL reuse and reproduces a fresh solve", () => {
    const integ = init(rot.problem, Tsit5(), { reltol: 1e-8, abstol: 1e-10 });
    while (integ.step()) {}
    const nfBefore = integ.stats.nf;
    integ.reinit(rot.problem.u0, 0, 5);
    while (integ.step()) {}
    const fresh = solve(rot.problem, Tsit5(), { reltol: 1e-8, abstol: 1e-10, saveEverystep: false });
    expect(Array.from(integ.u)).toEqual(Array.from(fresh.state(fresh.t.length - 1)));
    expect(integ.stats.nf - nfBefore).toBe(fresh.stats.nf);
  });
  test("each step advances t by exactly the h its stages used (no drift of the time grid)", () => {
    // Far from 0 the rounding of t + h is 1.1e-13 (ulp of 807): with steps of 1e-6 that is a
    // 1e-7 relative mismatch between the step the method took and the step stored as
    // [tPrev, t]. It accumulates over steps into a desynchronisation of the stored time grid
    // from the solution, which the continuous adjoint of Van der Pol's relaxation jump
    // (|u'| ≈ 1e6) turned into a 1e-3 gradient error (sensitivity/stiff.test.ts).
    const problem = new ODEProblem(
      (du, u) => {
        du[0] = -u[0];
      },
      [1],
      [807, 807.001],
    );
    const hs: number[] = [];
    const integ = init(problem, withStepperHooks(Tsit5(), { beforeAttempt: (_t, _y, h) => hs.push(h) }), {
      dt: 1.234567e-6,
      adaptive: false,
    });
    let steps = 0;
    while (integ.step()) {
      steps++;
      expect(integ.t - integ.tPrev).toBe(hs[hs.length - 1]);
    }
    expect(steps).toBeGreaterThan(800);
    expect(integ.t).toBe(807.001);
  });
  test("a jump: reinit at the current time with a new state", () => {
    const integ = init(rot.problem, RK4(), { dt: 0.01 });
    while (integ.t < 2 - 1e-12) integ.step();
    const jumped = Float64Array.from(integ.u, (v) => v * 2);
    integ.reinit(jumped, integ.t, 5);
    while (integ.step()) {}
    // Linear problem: doubling the state at t = 2 doubles the solution afterwards.
    const ex = rot.exact(5, new Float64Array(2));
    expect(Math.abs(integ.u[0] - 2 * ex[0])).toBeLessThan(1e-8);
  });
});

describe("dense output", () => {
  test("at() is exact at step ends and accurate inside, with and without out", () => {
    const sol = solve(rot.problem, Rodas4(), { reltol: 1e-7, abstol: 1e-9 });
    expect(sol.dense).toBe(true);
    for (let i = 0; i < sol.t.length; i++)
      expect(Array.from(sol.at(sol.t[i]))).toEqual(Array.from(sol.state(i)));
    const out = new Float64Array(2);
    const ex = new Float64Array(2);
    for (let t = 0; t <= 5; t += 0.037) {
      sol.at(t, out);
      rot.exact(t, ex);
      // Rodas4 at reltol 1e-7 with its 3rd-order interpolant: 1e-5 bound.
      expect(Math.hypot(out[0] - ex[0], out[1] - ex[1])).toBeLessThan(1e-5);
    }
    expect(() => sol.at(5.1)).toThrow(SolutionAccessError);
  });
  test("Vern7 computes its extra stages lazily: nf grows only when at() is used", () => {
    const sol = solve(rot.problem, Vern7(), { reltol: 1e-10, abstol: 1e-12 });
    const nf = sol.stats.nf;
    sol.at(2.5);
    expect(sol.stats.nf).toBe(nf + 5);
    sol.at(2.5 + 1e-9); // same step: cached
    expect(sol.stats.nf).toBe(nf + 5);
  });
});

describe("retcodes keep the partial solution", () => {
  test("MaxIters returns what was computed", () => {
    const sol = solve(rot.problem, Tsit5(), { maxiters: 5 });
    expect(sol.retcode).toBe("MaxIters");
    expect(sol.message).toMatch(/maxiters/);
    expect(sol.t.length).toBeGreaterThan(1);
    expect(sol.t[sol.t.length - 1]).toBeLessThan(5);
  });
});

describe("a tolerance given as one number", () => {
  test("is the vector of that number for the problem's size, whatever the solves before it used", () => {
    const small = rotationProblem();
    const large = new ODEProblem(
      (du: Float64Array, u: Float64Array) => du.set(u),
      new Float64Array(5).fill(1),
      [0, 1],
    );
    const seen: [number, Float64Array][] = [];
    for (const [problem, abstol] of [
      [small.problem, 1e-7],
      [small.problem, 1e-9],
      [large, 1e-7],
      [small.problem, 1e-7],
      [large, undefined],
      [small.problem, 1e-9],
    ] as const) {
      const integ = init(problem, Tsit5(), abstol === undefined ? {} : { abstol });
      const a = integ.options.abstol;
      expect(Array.from(a)).toEqual(new Array(problem.n).fill(abstol ?? 1e-6));
      seen.push([problem.n, a]);
    }
    // Solves of the same size and tolerance in a row share one vector (it is only read).
    expect(init(large, Tsit5()).options.abstol).toBe(seen[4][1]);
  });
});

test("atStep reads a stored step by θ: the stored states at θ = 0 and 1, at() in between", () => {
  const sol = solve(expSinProblem().problem, Rodas4(), { reltol: 1e-6, abstol: 1e-8, dense: true });
  const ts = sol.stepTimes as Float64Array;
  expect(ts.length).toBe(sol.steps + 1);
  const a = new Float64Array(1);
  const b = new Float64Array(1);
  for (const i of [0, 3, sol.steps - 1]) {
    expect(sol.atStep(i, 0, a)[0]).toBe(sol.at(ts[i], b)[0]);
    expect(sol.atStep(i, 1, a)[0]).toBe(sol.at(ts[i + 1], b)[0]);
    for (const theta of [0.25, 0.5, 0.9]) {
      sol.atStep(i, theta, a);
      sol.at(ts[i] + theta * (ts[i + 1] - ts[i]), b);
      expect(Math.abs(a[0] - b[0])).toBeLessThan(1e-14 * Math.max(1, Math.abs(b[0])));
    }
  }
});

test("rebase: the integration goes on from t1 on a clock restarted at 0, as across a tstop", () => {
  // Autonomous: the restarted clock changes nothing but the rounding of t.
  const problem = new ODEProblem(
    (du, u) => {
      du[0] = -u[1];
      du[1] = u[0];
    },
    [1, 0],
    [0, 2],
  );
  const stopped = init(problem, Rodas4(), { reltol: 1e-8, abstol: 1e-10, tstops: [1] });
  while (stopped.step()) {}
  const rebased = init(problem, Rodas4(), { reltol: 1e-8, abstol: 1e-10 });
  rebased.reinit(problem.u0, 0, 1);
  while (rebased.step()) {}
  const nfAtStop = rebased.stats.nf;
  rebased.rebase(1);
  expect(rebased.t).toBe(0);
  while (rebased.step()) {}
  expect(rebased.retcode).toBe("Success");
  expect(rebased.t).toBe(1);
  // No restart: no first-stage or initial-step evaluations at the rebase.
  expect(rebased.stats.naccept).toBe(stopped.stats.naccept);
  expect(rebased.stats.nf - nfAtStop).toBeLessThanOrEqual(stopped.stats.nf);
  for (let i = 0; i < 2; i++) expect(Math.abs(rebased.u[i] - stopped.u[i])).toBeLessThan(1e-12);
  expect(() => rebased.rebase(-1)).toThrow();
});
