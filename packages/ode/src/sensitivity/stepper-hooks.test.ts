// withStepperHooks (stepper-hooks.ts) on real solves: the hooks see every attempt and every
// accepted step with the values the engine used, and the wrapped solver's solution is the
// plain solver's bit for bit (dense output, a composite's switches, rejections).
import { describe, expect, test } from "vitest";
import { robertson, vanDerPol } from "../../test/reference-problems.js";
import { ODEProblem } from "../problem.js";
import { solve } from "../solve.js";
import { AutoTsit5, Rodas5P, Tsit5 } from "../solvers/index.js";
import { withStepperHooks } from "./stepper-hooks.js";

/** u' = −50·(u − cos t): stiff enough that Tsit5 with a large first step rejects some. */
const relaxation = () =>
  new ODEProblem(
    (du: Float64Array, u: Float64Array, _p: Float64Array, t: number) => {
      du[0] = -50 * (u[0] - Math.cos(t));
    },
    Float64Array.of(0),
    [0, 3],
    new Float64Array(0),
    { kind: "inplace" },
  );

describe("the hooks see each attempt and each accepted step", () => {
  test("Tsit5 with rejections: counts, order and values", () => {
    const events: string[] = [];
    const attempts: { t: number; y0: number; h: number }[] = [];
    const accepted: { t: number; y: number }[] = [];
    const hooked = withStepperHooks(Tsit5(), {
      beforeAttempt: (t, y, h) => {
        events.push("attempt");
        attempts.push({ t, y0: y[0], h });
      },
      afterAttempt: () => events.push("after"),
      beforeAccept: (tNew, yNew) => {
        events.push("accept");
        accepted.push({ t: tNew, y: yNew[0] });
      },
    });
    const options = { reltol: 1e-8, abstol: 1e-10, dt: 0.5 };
    const sol = solve(relaxation(), hooked, options);
    const plain = solve(relaxation(), Tsit5(), options);
    expect(sol.retcode).toBe("Success");
    expect(plain.stats.nreject).toBeGreaterThan(0);
    expect(sol.stats).toEqual(plain.stats);
    expect(sol.t).toEqual(plain.t);
    expect(Array.from(sol.u)).toEqual(Array.from(plain.u));
    const { naccept, nreject } = plain.stats;
    expect(attempts.length).toBe(naccept + nreject);
    expect(accepted.length).toBe(naccept);
    // Every attempt is followed by its afterAttempt, and an accepted one by beforeAccept.
    const pattern = events.join(" ").replaceAll("attempt after accept", "A").replaceAll("attempt after", "R");
    expect(pattern.split(" ").every((e) => e === "A" || e === "R")).toBe(true);
    expect(pattern.split(" ").filter((e) => e === "R").length).toBe(nreject);
    // An accepted step ends at t + h of its attempt, starting from the previous accepted state.
    expect(accepted.map((a) => a.t)).toEqual(plain.t.slice(1));
    let previous = { t: 0, y: 0 };
    let j = 0;
    let k = 0;
    for (const e of pattern.split(" ")) {
      const { t, y0, h } = attempts[j++];
      expect(t).toBe(previous.t);
      expect(y0).toBe(previous.y);
      if (e === "A") {
        previous = accepted[k++];
        expect(previous.t).toBe(t + h);
      }
    }
  });

  test("hooks may be left out (each is optional)", () => {
    const problem = relaxation();
    const plain = solve(problem, Tsit5(), { reltol: 1e-6 });
    for (const hooks of [
      {},
      { beforeAttempt: () => {} },
      { afterAttempt: () => {} },
      { beforeAccept: () => {} },
    ]) {
      const sol = solve(problem, withStepperHooks(Tsit5(), hooks), { reltol: 1e-6 });
      expect(Array.from(sol.u)).toEqual(Array.from(plain.u));
    }
  });
});

describe("the wrapped solver is the solver", () => {
  test("dense output through the wrapper equals the plain solver's", () => {
    const options = { reltol: 1e-6, dense: true };
    const sol = solve(relaxation(), withStepperHooks(Tsit5(), {}), options);
    const plain = solve(relaxation(), Tsit5(), options);
    for (const t of [0.013, 0.5, 1.77, 2.999]) expect(Array.from(sol.at(t))).toEqual(Array.from(plain.at(t)));
  });

  test("a Rosenbrock method: same steps, same dense output", () => {
    const options = { reltol: 1e-6, abstol: 1e-8, dense: true };
    const sol = solve(robertson(false), withStepperHooks(Rodas5P(), {}), options);
    const plain = solve(robertson(false), Rodas5P(), options);
    expect(sol.stats).toEqual(plain.stats);
    expect(Array.from(sol.at(0.37))).toEqual(Array.from(plain.at(0.37)));
  });

  test("an automatic composite switches through the wrapper as it does alone", () => {
    const options = { reltol: 1e-6, abstol: 1e-9, dense: true };
    const problem = () => {
      const p = vanDerPol(1000, false);
      if (p.f === undefined) throw new Error("vanDerPol is an in-place problem");
      return new ODEProblem(p.f, p.u0, [0, 900], p.p, { kind: "inplace" });
    };
    const sol = solve(problem(), withStepperHooks(AutoTsit5(Rodas5P()), {}), options);
    const plain = solve(problem(), AutoTsit5(Rodas5P()), options);
    expect((plain.stats.switches ?? []).length).toBeGreaterThan(1);
    expect(sol.stats).toEqual(plain.stats);
    expect(Array.from(sol.at(807.5))).toEqual(Array.from(plain.at(807.5)));
  });
});
