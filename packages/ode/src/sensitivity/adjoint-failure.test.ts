// No silent failure: a gradient pass that does not finish, or that produces a non-finite λ or
// p̄, throws AdjointFailedError (retcode, time reached, what to try) and info says so; the
// forward failure rule stays (NaN rows, NaN gradient, never a finite one). The gradient audit
// (`verify`) passes right gradients and throws GradientMismatchError on a wrong one.
import { mul, square, sum, type Tensor, tensor, valueAndGrad } from "@udekit/autodiff";
import { arenaStats } from "@udekit/kernels";
import { describe, expect, test } from "vitest";
import { Rodas5P, Tsit5 } from "../solvers/index.js";
import type { OdeSolver } from "../stepper.js";
import type { InPlaceOdeRhs } from "./differentiable-rhs.js";
import { AdjointFailedError, GradientMismatchError } from "./errors.js";
import {
  DiscreteAdjoint,
  ForwardSensitivity,
  InterpolatingAdjoint,
  QuadratureAdjoint,
  type SensitivityAlgorithm,
} from "./sensealg.js";
import { type SolveOdeInfo, solveOde } from "./solve-ode.js";

const decay = (u: Tensor, p: Tensor) => mul(p, u);

function gradient(
  f: typeof decay | InPlaceOdeRhs,
  sensealg: SensitivityAlgorithm,
  info: SolveOdeInfo,
  { solver = Tsit5() as OdeSolver, maxiters = undefined as number | undefined } = {},
) {
  return valueAndGrad(
    (u: Tensor, p: Tensor) =>
      sum(
        square(
          solveOde(f, u, p, {
            tspan: [0, 4],
            saveat: [1, 2, 4],
            solver,
            reltol: 1e-8,
            abstol: 1e-10,
            sensealg,
            info,
            ...(maxiters === undefined ? {} : { maxiters }),
          }),
        ),
      ),
    [0, 1],
  )(tensor([1, 2]), tensor([-0.7]));
}

describe("a backward pass that does not finish throws AdjointFailedError", () => {
  test.each([
    ["InterpolatingAdjoint", InterpolatingAdjoint({ maxiters: 3 })],
    ["QuadratureAdjoint", QuadratureAdjoint({ maxiters: 3 })],
    ["ForwardSensitivity", ForwardSensitivity({ maxiters: 3 })],
    ["InterpolatingAdjoint with Rodas5P", InterpolatingAdjoint({ maxiters: 2, solver: Rodas5P() })],
  ] as const)("%s({ maxiters }) applies to its own pass", (_name, sensealg) => {
    const info: SolveOdeInfo = {};
    let error: unknown;
    try {
      gradient(decay, sensealg, info);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AdjointFailedError);
    const failure = error as AdjointFailedError;
    expect(failure.retcode).toBe("MaxIters");
    expect(failure.t).toBeTypeOf("number");
    expect(failure.message).toMatch(/retcode MaxIters at t = .*Try: .*maxiters/);
    // The forward solve succeeded; what info reports is the failed pass, never Success.
    expect(info.retcode).toBe("MaxIters");
    expect(info.backward?.retcode).toBe("MaxIters");
    // A throw hands the pass's arena buffers back too (ū0 and p̄ live there).
    const live = arenaStats().liveAllocations;
    for (let i = 0; i < 3; i++) expect(() => gradient(decay, sensealg, {})).toThrow(AdjointFailedError);
    expect(arenaStats().liveAllocations).toBe(live);
  });

  test("the forward solve's stepping options are the backward pass's defaults", () => {
    // dtmax = 0.01 given to solveOde bounds the backward steps too: [0, 4] takes ≥ 400 of them.
    const info: SolveOdeInfo = {};
    valueAndGrad(
      (u: Tensor, p: Tensor) =>
        sum(
          solveOde(decay, u, p, {
            tspan: [0, 4],
            saveat: [4],
            dtmax: 0.01,
            sensealg: InterpolatingAdjoint(),
            info,
          }),
        ),
      [0, 1],
    )(tensor([1, 2]), tensor([-0.7]));
    expect(info.backward?.naccept).toBeGreaterThanOrEqual(400);
  });
});

describe("a non-finite λ or p̄ is a failure, not a gradient", () => {
  // A user VJP that returns NaN for the parameter part: λ stays finite, p̄ does not.
  const nanVjp: InPlaceOdeRhs = {
    f: (du, u, p) => {
      for (let i = 0; i < u.length; i++) du[i] = p[0] * u[i];
    },
    vjp: (uBar, pBar, lambda, u, p) => {
      for (let i = 0; i < u.length; i++) uBar[i] = p[0] * lambda[i];
      if (pBar !== null) pBar[0] = Number.NaN;
    },
  };
  test.each([
    ["InterpolatingAdjoint", InterpolatingAdjoint()],
    ["QuadratureAdjoint", QuadratureAdjoint()],
    ["DiscreteAdjoint", DiscreteAdjoint()],
  ] as const)("%s", (_name, sensealg) => {
    const info: SolveOdeInfo = {};
    expect(() => gradient(nanVjp, sensealg, info)).toThrow(AdjointFailedError);
    expect(info.retcode).toBe("Unstable");
  });
});

describe("a forward failure keeps its rule: NaN rows, NaN gradient", () => {
  test("maxiters on the forward solve", () => {
    const info: SolveOdeInfo = {};
    const [value, [gu, gp]] = gradient(decay, InterpolatingAdjoint(), info, { maxiters: 2 });
    expect(info.retcode).toBe("MaxIters");
    expect(Number.isNaN(value.item())).toBe(true);
    expect(Array.from(gu.data).every(Number.isNaN)).toBe(true);
    expect(Number.isNaN(gp.data[0])).toBe(true);
  });

  test.each([
    ["DiscreteAdjoint", DiscreteAdjoint()],
    ["InterpolatingAdjoint", InterpolatingAdjoint()],
  ])("a NaN parameter (%s): the message names it, the gradient is NaN", (_name, sensealg) => {
    const info: SolveOdeInfo = {};
    const [value, [gu, gp]] = valueAndGrad(
      (u: Tensor, p: Tensor) =>
        sum(square(solveOde(decay, u, p, { tspan: [0, 4], saveat: [1, 4], sensealg, info }))),
      [0, 1],
    )(tensor([1, 2]), tensor([Number.NaN]));
    expect(info.retcode).not.toBe("Success");
    expect(info.message).toContain("p[0] = NaN");
    expect(info.backward?.message).toContain("p[0] = NaN");
    expect(Number.isNaN(value.item())).toBe(true);
    expect(Array.from(gu.data).every(Number.isNaN)).toBe(true);
    expect(Number.isNaN(gp.data[0])).toBe(true);
  });
});

describe("the gradient audit (verify)", () => {
  const exact: InPlaceOdeRhs = {
    f: (du, u, p) => {
      for (let i = 0; i < u.length; i++) du[i] = p[0] * u[i];
    },
    vjp: (uBar, pBar, lambda, u, p) => {
      let acc = 0;
      for (let i = 0; i < u.length; i++) {
        uBar[i] = p[0] * lambda[i];
        acc += lambda[i] * u[i];
      }
      if (pBar !== null) pBar[0] = acc;
    },
  };
  // The same f with a parameter VJP off by 10 %: a plausible-looking, finite, wrong gradient.
  const wrong: InPlaceOdeRhs = {
    f: exact.f,
    vjp: (uBar, pBar, lambda, u, p) => {
      exact.vjp(uBar, pBar, lambda, u, p, 0);
      if (pBar !== null) pBar[0] *= 1.1;
    },
  };
  test.each([
    ["InterpolatingAdjoint", InterpolatingAdjoint({ verify: true })],
    ["DiscreteAdjoint", DiscreteAdjoint({ verify: true })],
    ["QuadratureAdjoint", QuadratureAdjoint({ verify: true })],
  ] as const)("%s: a right gradient passes and the audit is reported", (_name, sensealg) => {
    const info: SolveOdeInfo = {};
    gradient(exact, sensealg, info);
    expect(info.audit).toBeDefined();
    // At reltol 1e-8 both sides agree to ~1e-7 (tolerance-level errors of two solves).
    expect(info.audit?.relativeError).toBeLessThan(1e-5);
    expect(info.audit?.threshold).toBe(1e-3);
  });
  test.each([
    ["InterpolatingAdjoint", InterpolatingAdjoint({ verify: true })],
    ["DiscreteAdjoint", DiscreteAdjoint({ verify: true })],
  ] as const)("%s: a wrong VJP throws GradientMismatchError", (_name, sensealg) => {
    expect(() => gradient(wrong, sensealg, {})).toThrow(GradientMismatchError);
  });
  test("without verify nothing is audited (and the wrong gradient is returned as computed)", () => {
    const info: SolveOdeInfo = {};
    gradient(wrong, InterpolatingAdjoint(), info);
    expect(info.audit).toBeUndefined();
  });
});
