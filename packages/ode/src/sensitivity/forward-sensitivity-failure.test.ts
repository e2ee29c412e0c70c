// ForwardSensitivity's failures name the method, say why and where its tangent solve stopped.
import { mul, square, sum, type Tensor, tensor, valueAndGrad } from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import { Tsit5 } from "../solvers/index.js";
import { AdjointFailedError } from "./errors.js";
import { ForwardSensitivity } from "./sensealg.js";
import { type SolveOdeInfo, solveOde } from "./solve-ode.js";

const decay = (u: Tensor, p: Tensor) => mul(p, u);

function failure(
  maxiters: number | undefined,
  scaleLoss = 1,
): { error: AdjointFailedError; info: SolveOdeInfo } {
  const info: SolveOdeInfo = {};
  try {
    valueAndGrad(
      (u: Tensor, p: Tensor) =>
        mul(
          scaleLoss,
          sum(
            square(
              solveOde(decay, u, p, {
                tspan: [0, 4],
                saveat: [1, 2, 4],
                solver: Tsit5(),
                reltol: 1e-8,
                abstol: 1e-10,
                sensealg: ForwardSensitivity(maxiters === undefined ? {} : { maxiters }),
                info,
              }),
            ),
          ),
        ),
      [0, 1],
    )(tensor([1, 2]), tensor([-0.7]));
  } catch (e) {
    if (e instanceof AdjointFailedError) return { error: e, info };
    throw e;
  }
  throw new Error("the gradient pass did not fail");
}

describe("ForwardSensitivity failures", () => {
  test("a tangent solve out of steps after the first save point: the last save point reached, and the solver's reason", () => {
    // 30 steps at reltol 1e-8 reach t ≈ 1.9 (the forward solve takes 40 to t = 4): past the
    // save point 1, not 2.
    const { error, info } = failure(30);
    expect(error.retcode).toBe("MaxIters");
    expect(error.t).toBe(1);
    expect(error.message).toMatch(
      /at t = 1: ForwardSensitivity: Stopped at t = 1\.\d+: the step budget maxiters = 30/,
    );
    expect(info.backward?.message).toMatch(/^ForwardSensitivity: Stopped at t = /);
  });

  test("before the first save point the time reached is t0", () => {
    expect(failure(3).error.t).toBe(0);
  });

  test("a non-finite gradient names the method", () => {
    // The loss scaled by 1e308 twice: the cotangents are infinite, so is g = Sᵀ·cotangent.
    const { error } = failure(undefined, 1e308 * 1e308);
    expect(error.retcode).toBe("Unstable");
    expect(error.message).toMatch(/: ForwardSensitivity: the backward pass produced a non-finite λ\(t0\)/);
  });
});
