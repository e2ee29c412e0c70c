// solveOde's options (solve-ode.ts): every refusal of resolve() with its whole message, and what
// the accepted options do to the backward pass — its stepping defaults, the quadrature's and the
// backsolve check's defaults, the audit, the info fields, save points all at t0.
import { mul, neg, square, sum, type Tensor, tensor, valueAndGrad } from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import { Tsit5 } from "../solvers/index.js";
import { AdjointInstabilityError, SensitivityOptionError } from "./errors.js";
import { defaultAuditThreshold } from "./gradient-audit.js";
import {
  BacksolveAdjoint,
  DirectBackprop,
  DiscreteAdjoint,
  ForwardSensitivity,
  InterpolatingAdjoint,
  QuadratureAdjoint,
  type SensitivityAlgorithm,
} from "./sensealg.js";
import { type SolveOdeInfo, type SolveOdeOptions, solveOde } from "./solve-ode.js";

const decay = (u: Tensor, p: Tensor) => mul(p, u);
const u0 = tensor([1, 2]);
const p = tensor([-0.5]);
const base: SolveOdeOptions = { tspan: [0, 1], saveat: [0.5, 1] };
const OPTION_LIST =
  "tspan, saveat, solver, reltol, abstol, dt, adaptive, dtmin, dtmax, maxiters, sensealg, info";
const BACKWARD_LIST = "solver, reltol, abstol, dt, dtmin, dtmax, maxiters, verify";

function refusal(options: unknown): string {
  try {
    solveOde(decay, u0, p, options as SolveOdeOptions);
  } catch (e) {
    expect(e).toBeInstanceOf(SensitivityOptionError);
    return (e as Error).message;
  }
  throw new Error("solveOde accepted the options");
}

describe("resolve() refuses, saying what was wrong", () => {
  test.each([
    ["no options", undefined],
    ["null", null],
    ["a number", 3],
  ])("%s", (_what, options) => {
    expect(refusal(options)).toBe(
      "solveOde: the fourth argument must be an options object with at least tspan and saveat.",
    );
  });

  test("an unknown option, with and without a near name", () => {
    expect(refusal({ ...base, abstoll: 1 })).toBe(
      `solveOde: unknown option "abstoll" (did you mean "abstol"?). Valid options: ${OPTION_LIST}.`,
    );
    expect(refusal({ ...base, zzzzzzzzzz: 1 })).toBe(
      `solveOde: unknown option "zzzzzzzzzz". Valid options: ${OPTION_LIST}.`,
    );
  });

  test.each([
    ["not an array", { 0: 0, 1: 1, length: 2 }, '{"0":0,"1":1,"length":2}'],
    ["three entries", [0, 1, 2], "[0,1,2]"],
    ["one entry", [0], "[0]"],
    ["an infinite end", [0, Number.POSITIVE_INFINITY], "[0,null]"],
    ["an infinite start", [Number.NEGATIVE_INFINITY, 1], "[null,1]"],
  ])("tspan %s", (_what, tspan, shown) => {
    expect(refusal({ ...base, tspan })).toBe(
      `solveOde: tspan must be [t0, t1] with two different finite numbers; got ${shown}.`,
    );
  });

  test.each([
    ["missing", undefined],
    ["null", null],
    ["an object without a length", {}],
    ["empty", []],
  ])("saveat %s", (_what, saveat) => {
    expect(refusal({ tspan: [0, 1], saveat })).toBe(
      "solveOde: saveat must be a non-empty array of times inside tspan (the rows of the result), e.g. [1, 2, 3, 4], or a step (a number: the rows are t0, t0 + step, …, t1).",
    );
  });

  test.each([0, -0.5, Number.POSITIVE_INFINITY, Number.NaN])("saveat = %s as a step", (saveat) => {
    expect(refusal({ tspan: [0, 1], saveat })).toBe(
      `solveOde: saveat = ${saveat} as a step must be a finite number > 0 (or pass the times as an array, e.g. [1, 2, 3, 4]).`,
    );
  });

  test.each([
    ["before t0", [0, 1] as const, [-0.1, 1], "saveat[0] = -0.1 is not inside tspan [0, 1]."],
    ["after t1", [0, 1] as const, [0.5, 1.01], "saveat[1] = 1.01 is not inside tspan [0, 1]."],
    ["NaN", [0, 1] as const, [Number.NaN], "saveat[0] = NaN is not inside tspan [0, 1]."],
    ["backward in time, before t0", [1, 0] as const, [1.5], "saveat[0] = 1.5 is not inside tspan [1, 0]."],
    [
      "backward in time, after t1",
      [1, 0] as const,
      [0.5, -0.5],
      "saveat[1] = -0.5 is not inside tspan [1, 0].",
    ],
  ])("a save point %s", (_what, tspan, saveat, message) => {
    expect(refusal({ tspan, saveat })).toBe(`solveOde: ${message}`);
  });

  test("save points out of order, forward and backward in time", () => {
    expect(refusal({ tspan: [0, 1], saveat: [0.2, 0.7, 0.6] })).toBe(
      "solveOde: saveat must be ordered from t0 to t1; saveat[1] = 0.7 comes after saveat[2] = 0.6.",
    );
    expect(refusal({ tspan: [1, 0], saveat: [0.5, 0.6] })).toBe(
      "solveOde: saveat must be ordered from t0 to t1; saveat[0] = 0.5 comes after saveat[1] = 0.6.",
    );
  });

  test("the solver factory instead of a solver names it; an anonymous one is called Tsit5", () => {
    expect(refusal({ ...base, solver: Tsit5 })).toBe(
      "solveOde: solver must be a method value such as Tsit5(); got the factory Tsit5 itself. Call it: solver: Tsit5().",
    );
    const anonymous = [() => 0][0];
    expect(refusal({ ...base, solver: anonymous })).toMatch(
      /got the factory Tsit5 itself\. Call it: solver: Tsit5\(\)\.$/,
    );
  });

  test("a sensealg that is not a value", () => {
    expect(refusal({ ...base, sensealg: InterpolatingAdjoint })).toBe(
      "solveOde: sensealg must be a sensitivity algorithm value such as InterpolatingAdjoint(); got the function itself. Call it: sensealg: InterpolatingAdjoint().",
    );
    const list =
      "InterpolatingAdjoint(), QuadratureAdjoint(), BacksolveAdjoint(), ForwardSensitivity(), DiscreteAdjoint(), DirectBackprop()";
    expect(refusal({ ...base, sensealg: { kind: "Magic" } })).toBe(
      `solveOde: sensealg must be one of ${list}; got {"kind":"Magic"}.`,
    );
    expect(refusal({ ...base, sensealg: "InterpolatingAdjoint" })).toBe(
      `solveOde: sensealg must be one of ${list}; got "InterpolatingAdjoint".`,
    );
  });

  test("a sensealg option its method does not have", () => {
    expect(refusal({ ...base, sensealg: { ...QuadratureAdjoint(), pointz: 3 } })).toBe(
      `solveOde: QuadratureAdjoint has no option "pointz" (did you mean "points"?). Its options: ${BACKWARD_LIST}, points.`,
    );
    expect(refusal({ ...base, sensealg: { ...InterpolatingAdjoint(), points: 3 } })).toBe(
      `solveOde: InterpolatingAdjoint has no option "points". Its options: ${BACKWARD_LIST}, checkpointing.`,
    );
    expect(refusal({ ...base, sensealg: { ...BacksolveAdjoint(), zzzzzzzzzz: 1 } })).toBe(
      `solveOde: BacksolveAdjoint has no option "zzzzzzzzzz". Its options: ${BACKWARD_LIST}, checkTolerance.`,
    );
    expect(refusal({ ...base, sensealg: { ...ForwardSensitivity(), checkpointing: true } })).toBe(
      `solveOde: ForwardSensitivity has no option "checkpointing". Its options: ${BACKWARD_LIST}.`,
    );
    expect(refusal({ ...base, sensealg: { ...DiscreteAdjoint(), reltol: 1e-6 } })).toBe(
      'solveOde: DiscreteAdjoint has no option "reltol". Its options: checkpoints, storeBytes, verify.',
    );
    expect(refusal({ ...base, sensealg: { ...DirectBackprop(), verify: true } })).toBe(
      'solveOde: DirectBackprop has no option "verify". Its options: none.',
    );
  });

  test("u0 and p must be tensors, f a function or { f, vjp }", () => {
    const call = (f: unknown, x: unknown, q: unknown) => () =>
      solveOde(f as typeof decay, x as Tensor, q as Tensor, base);
    expect(call(decay, null, p)).toThrow(
      "solveOde: u0 must be a Tensor (got null); wrap numbers and arrays with tensor(...) from @udekit/autodiff.",
    );
    expect(call(decay, u0, 0.5)).toThrow("solveOde: p must be a Tensor (got number);");
    const fMessage =
      "solveOde: f must be a tensor function (u, p, t) => Tensor, or { f: (du, u, p, t) => void, vjp: (uBar, pBar, lambda, u, p, t) => void }.";
    for (const f of [null, undefined, {}, { vjp: () => {} }, { f: () => {} }, { f: 1, vjp: () => {} }]) {
      expect(call(f, u0, p)).toThrow(SensitivityOptionError);
      expect(call(f, u0, p)).toThrow(fMessage);
    }
  });

  test("DirectBackprop checks u0's shape too", () => {
    expect(() => solveOde(decay, tensor([[1, 2]]), p, { ...base, sensealg: DirectBackprop() })).toThrow(
      "solveOde: u0 must be a vector [n]; got shape [1, 2]. Reshape it to [2].",
    );
  });

  test.each([1, 0, 2.5, -3, Number.NaN])("DiscreteAdjoint({ checkpoints: %s }) is refused", (checkpoints) => {
    expect(refusal({ ...base, sensealg: DiscreteAdjoint({ checkpoints }) })).toBe(
      `solveOde: DiscreteAdjoint({ checkpoints }) must be a whole number ≥ 2 (states kept); got ${checkpoints}.`,
    );
  });

  test("DiscreteAdjoint({ checkpoints: 2 }) and equal consecutive save points are accepted", () => {
    const out = solveOde(decay, u0, p, {
      tspan: [0, 1],
      saveat: [0.5, 0.5, 1],
      sensealg: DiscreteAdjoint({ checkpoints: 2 }),
    });
    expect(out.shape).toEqual([3, 2]);
    expect(out.data[0]).toBe(out.data[2]);
  });
});

/** The loss Σ u(tₖ)² and its gradient, with info filled. */
function run(options: Partial<SolveOdeOptions>, sensealg: SensitivityAlgorithm, f = decay) {
  const info: SolveOdeInfo = {};
  const [value, grads] = valueAndGrad(
    (x: Tensor, q: Tensor) =>
      sum(
        square(
          solveOde(f, x, q, { tspan: [0, 2], saveat: [0.7, 2], solver: Tsit5(), ...options, sensealg, info }),
        ),
      ),
    [0, 1],
  )(u0, p);
  return { value: value.item(), grads: grads.map((g) => Array.from(g.data)), info };
}

describe("the backward pass's stepping", () => {
  test("defaults to the forward solve's tolerances, and a sensealg's own override them", () => {
    const inherited = run({ reltol: 1e-9, abstol: 1e-11 }, InterpolatingAdjoint());
    const own = run({ reltol: 1e-9, abstol: 1e-11 }, InterpolatingAdjoint({ reltol: 1e-9, abstol: 1e-11 }));
    const looser = run({ reltol: 1e-9, abstol: 1e-11 }, InterpolatingAdjoint({ reltol: 1e-4, abstol: 1e-6 }));
    const onlyAbstol = run({ reltol: 1e-9, abstol: 1e-11 }, InterpolatingAdjoint({ abstol: 1e-6 }));
    expect(inherited.grads).toEqual(own.grads);
    expect(inherited.info.backward).toEqual(own.info.backward);
    expect(looser.info.backward?.naccept).toBeLessThan(inherited.info.backward?.naccept ?? 0);
    expect(onlyAbstol.grads).not.toEqual(inherited.grads);
  });

  test("without tolerances anywhere: reltol 1e-3, abstol 1e-6", () => {
    const none = run({}, InterpolatingAdjoint());
    const explicit = run({}, InterpolatingAdjoint({ reltol: 1e-3, abstol: 1e-6 }));
    expect(none.grads).toEqual(explicit.grads);
    expect(none.info.backward).toEqual(explicit.info.backward);
    expect(run({}, InterpolatingAdjoint({ reltol: 1e-3, abstol: 1e-5 })).grads).not.toEqual(none.grads);
  });

  test("the forward maxiters bounds the backward pass too unless the sensealg sets its own", () => {
    // 10 forward steps suffice at reltol 1e-6; the backward pass, at reltol 1e-10, needs more.
    const options = { reltol: 1e-6, abstol: 1e-8, maxiters: 12 };
    expect(run(options, InterpolatingAdjoint({ reltol: 1e-6 })).info.backward?.retcode).toBe("Success");
    expect(() => run(options, InterpolatingAdjoint({ reltol: 1e-10, abstol: 1e-12 }))).toThrow(
      /retcode MaxIters/,
    );
    expect(
      run(options, InterpolatingAdjoint({ reltol: 1e-10, abstol: 1e-12, maxiters: 1000 })).info.backward
        ?.retcode,
    ).toBe("Success");
  });

  test("QuadratureAdjoint's default points: ⌈(order + 1)/2⌉ of the backward solver (3 for Tsit5)", () => {
    const options = { reltol: 1e-6, abstol: 1e-8 };
    const byDefault = run(options, QuadratureAdjoint());
    expect(byDefault.grads).toEqual(run(options, QuadratureAdjoint({ points: 3 })).grads);
    expect(byDefault.grads).not.toEqual(run(options, QuadratureAdjoint({ points: 2 })).grads);
    expect(byDefault.grads).not.toEqual(run(options, QuadratureAdjoint({ points: 4 })).grads);
  });
});

describe("BacksolveAdjoint's default check tolerance: max(1e3·reltol, 1e-6)", () => {
  // u' = −40·u on [0, 2]: re-integrated backward the state error grows like e^(40·Δt).
  const stiffDecay = (u: Tensor) => mul(-40, u);
  test.each([
    [1e-8, "1.00e-5"],
    [1e-10, "1.00e-6"],
  ])("reltol %s: the check's tolerance is %s", (reltol, shown) => {
    let error: unknown;
    try {
      run({ reltol, abstol: reltol }, BacksolveAdjoint(), stiffDecay);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AdjointInstabilityError);
    expect((error as Error).message).toContain(`(tolerance ${shown})`);
  });
});

describe("what the backward pass reports", () => {
  test("info.backward: its own statistics, counts, retcode and message", () => {
    const { info } = run({ reltol: 1e-8, abstol: 1e-10 }, InterpolatingAdjoint());
    const backward = info.backward;
    expect(backward?.retcode).toBe("Success");
    expect(backward?.message).toBe("");
    expect(backward?.naccept).toBeGreaterThan(0);
    expect(backward?.vjpEvals).toBeGreaterThan(0);
    expect(info.retcode).toBe("Success");
    // rhsEvals counts every call of f, nf the integrator's: the same, since a tensor f is a
    // compiled program of known output length and gets no first-call check.
    expect(info.forward?.rhsEvals).toBe(info.forward?.nf);
  });

  test("the audit: info.audit with the default threshold for verify: true, the given one for a number, none otherwise", () => {
    const options = { reltol: 1e-8, abstol: 1e-10 };
    const audited = run(options, InterpolatingAdjoint({ verify: true })).info.audit;
    expect(audited?.threshold).toBe(defaultAuditThreshold(1e-8));
    expect(audited?.relativeError).toBeLessThan(audited?.threshold ?? 0);
    expect(run(options, InterpolatingAdjoint({ verify: 0.05 })).info.audit?.threshold).toBe(0.05);
    expect(run(options, InterpolatingAdjoint({ verify: false })).info.audit).toBeUndefined();
    expect(run(options, InterpolatingAdjoint()).info.audit).toBeUndefined();
  });

  test.each([
    ["InterpolatingAdjoint", InterpolatingAdjoint()],
    ["DiscreteAdjoint", DiscreteAdjoint()],
  ] as const)("%s: save points all at t0 give ∂/∂u0 = Σ of their cotangents and ∂/∂p = 0", (_n, sensealg) => {
    const info: SolveOdeInfo = {};
    const [value, [gu, gp]] = valueAndGrad(
      (x: Tensor, q: Tensor) =>
        sum(
          mul(
            tensor([
              [1, 2],
              [3, 4],
            ]),
            solveOde(decay, x, q, { tspan: [0, 1], saveat: [0, 0], sensealg, info }),
          ),
        ),
      [0, 1],
    )(u0, p);
    expect(value.item()).toBe(1 + 2 * 2 + 3 + 4 * 2);
    expect(Array.from(gu.data)).toEqual([4, 6]);
    expect(Array.from(gp.data)).toEqual([0]);
    expect(info.backward?.retcode).toBe("Success");
    expect(info.backward?.vjpEvals).toBe(0);
  });

  test("DirectBackprop: info.tapeSteps and the forward counts of the replayed solve", () => {
    const run = (sensealg: SensitivityAlgorithm): SolveOdeInfo => {
      const info: SolveOdeInfo = {};
      const out = solveOde(neg as (u: Tensor, p: Tensor) => Tensor, u0, p, {
        tspan: [0, 1],
        saveat: [0.5, 1],
        solver: Tsit5(),
        reltol: 1e-6,
        dt: 0.9, // a first step too long for 1e-6: rejected attempts to count
        sensealg,
        info,
      });
      expect(out.shape).toEqual([2, 2]);
      return info;
    };
    const info = run(DirectBackprop());
    // The same solve as every other sensealg's forward pass: its steps, rejections and message.
    const plain = run(InterpolatingAdjoint());
    expect(info.retcode).toBe("Success");
    expect(info.message).toBe(plain.message);
    const steps = info.tapeSteps ?? 0;
    expect(steps).toBe(plain.forward?.naccept);
    expect(plain.forward?.nreject).toBeGreaterThan(0);
    // The plain solve that fixes the steps calls f (Tsit5, FSAL: 6 a step and a few to start);
    // the replay on the tape calls the tensor f directly, uncounted.
    expect(info.forward).toMatchObject({ njac: 0, nlu: 0, naccept: steps, nreject: plain.forward?.nreject });
    expect(info.forward?.nf).toBe(info.forward?.rhsEvals);
    expect(info.forward?.nf).toBeGreaterThanOrEqual(6 * steps);
  });
});
