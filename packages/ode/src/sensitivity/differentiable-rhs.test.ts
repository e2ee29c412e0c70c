// differentiableRhs (differentiable-rhs.ts) through solveOde: the compiled right-hand side is
// cached per function and per shapes (never reused for other shapes), the user's in-place VJP
// calls are counted exactly, and errors thrown inside f keep their identity.
import { exp, mul, square, sum, type Tensor, tensor, valueAndGrad } from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import { Tsit5 } from "../solvers/index.js";
import type { InPlaceOdeRhs } from "./differentiable-rhs.js";
import {
  BacksolveAdjoint,
  DiscreteAdjoint,
  ForwardSensitivity,
  InterpolatingAdjoint,
  QuadratureAdjoint,
  type SensitivityAlgorithm,
} from "./sensealg.js";
import { type SolveOdeInfo, solveOde } from "./solve-ode.js";

describe("one compiled right-hand side per function and shapes", () => {
  test("p of shape [2, 3] and then [23]: each call gets its own", () => {
    // u' = s·u with s = Σp: sum(u(T)) = Σu0·e^(sT), ∂/∂pⱼ = T·Σu0·e^(sT) for every entry.
    const f = (u: Tensor, p: Tensor) => mul(sum(p), u);
    const T = 0.5;
    for (const [shape, size] of [
      [[2, 3], 6],
      [[23], 23],
    ] as const) {
      const pValues = Float64Array.from({ length: size }, (_, j) => (j % 3) * 0.01 - 0.01);
      const s = pValues.reduce((a, b) => a + b, 0);
      const [value, [gp]] = valueAndGrad(
        (q: Tensor) =>
          sum(
            solveOde(f, tensor([1, 2]), q, {
              tspan: [0, T],
              saveat: [T],
              solver: Tsit5(),
              reltol: 1e-12,
              abstol: 1e-14,
            }),
          ),
        [0],
      )(tensor(pValues, [...shape]));
      const exact = 3 * Math.exp(s * T);
      // reltol 1e-12 on a smooth exponential: measured relative errors ≤ 6e-16 (value and
      // gradient); 1e-10 and 1e-9 leave the solver room, a wrong np or shape is off by O(1).
      expect(Math.abs(value.item() - exact)).toBeLessThan(1e-10 * exact);
      expect(gp.shape).toEqual([...shape]);
      for (const g of gp.data) expect(Math.abs(g - T * exact)).toBeLessThan(1e-9 * T * exact);
    }
  });
});

describe("an in-place right-hand side's calls are counted as the user's VJP saw them", () => {
  function counted(): { rhs: InPlaceOdeRhs; calls: { f: number; vjp: number } } {
    const calls = { f: 0, vjp: 0 };
    return {
      calls,
      rhs: {
        f: (du, u, p) => {
          calls.f++;
          du[0] = p[0] * u[0] * u[1];
          du[1] = -p[1] * u[0];
        },
        vjp: (uBar, pBar, l, u, p) => {
          calls.vjp++;
          uBar[0] = p[0] * u[1] * l[0] - p[1] * l[1];
          uBar[1] = p[0] * u[0] * l[0];
          if (pBar !== null) {
            pBar[0] = u[0] * u[1] * l[0];
            pBar[1] = -u[0] * l[1];
          }
        },
      },
    };
  }

  test.each([
    ["InterpolatingAdjoint", InterpolatingAdjoint()],
    ["QuadratureAdjoint", QuadratureAdjoint()],
    ["BacksolveAdjoint", BacksolveAdjoint()],
    ["DiscreteAdjoint", DiscreteAdjoint()],
    ["ForwardSensitivity", ForwardSensitivity()],
  ] as const)("%s: vjpEvals and rhsEvals equal the user's calls", (_name, sensealg: SensitivityAlgorithm) => {
    const { rhs, calls } = counted();
    const info: SolveOdeInfo = {};
    valueAndGrad(
      (u: Tensor, p: Tensor) =>
        sum(
          square(solveOde(rhs, u, p, { tspan: [0, 1], saveat: [0.5, 1], solver: Tsit5(), sensealg, info })),
        ),
      [0, 1],
    )(tensor([0.6, 0.9]), tensor([0.4, 0.7]));
    const backward = info.backward;
    expect(backward?.retcode).toBe("Success");
    expect(backward?.vjpEvals).toBeGreaterThan(0);
    expect(backward?.vjpEvals).toBe(calls.vjp);
    expect((info.forward?.rhsEvals ?? 0) + (backward?.rhsEvals ?? 0)).toBe(calls.f);
  });
});

describe("an error thrown inside f", () => {
  test("a thrown value that is not an Error comes out as it was thrown", () => {
    let caught: unknown;
    try {
      solveOde(
        () => {
          throw "not an Error";
        },
        tensor([1, 2]),
        tensor([1]),
        { tspan: [0, 1], saveat: [1] },
      );
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe("not an Error");
  });

  test("an error that already names solveOde keeps its message", () => {
    const inner = new RangeError("solveOde: from a nested solve");
    const call = () =>
      solveOde(
        (u: Tensor) => {
          if (u.size > 0) throw inner;
          return exp(u);
        },
        tensor([1, 2]),
        tensor([1]),
        { tspan: [0, 1], saveat: [1] },
      );
    expect(call).toThrow(inner);
    expect(inner.message).toBe("solveOde: from a nested solve");
  });

  test("any other Error gets the call's shapes and time in front, same object and class", () => {
    const inner = new TypeError("boom");
    const call = () =>
      solveOde(
        () => {
          throw inner;
        },
        tensor([1, 2]),
        tensor([[1, 2, 3]]),
        { tspan: [0.25, 1], saveat: [1] },
      );
    expect(call).toThrow(inner);
    expect(inner.message).toBe(
      "solveOde: calling f(u, p, t) with u of shape [2], p of shape [1, 3] and t = 0.25 failed: boom",
    );
  });
});
